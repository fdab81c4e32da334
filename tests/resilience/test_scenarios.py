"""Named scenarios (firm failure, regional lockdown, import stop), scenario runs and the
alternative-supplier search, hand-solved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.resilience import (
    alternative_suppliers,
    firm_failure,
    import_stop,
    region_prefix,
    regional_lockdown,
    run_scenario,
)
from jiqun.standard.problems import JiqunError

FIRMS = pd.DataFrame(
    {
        "id": ["J", "D", "B", "C", "S", "T"],
        "industry": ["3973", "3973", "3670", "3670", "2651", "3670"],
        "region": ["JP", "440305", "440305", "310115", "440106", "440303"],
        "revenue": [900.0, 100.0, 500.0, 300.0, 80.0, 60.0],
    }
)
LINKS = pd.DataFrame(
    {
        "supplier": ["J", "D", "J", "S", "B"],
        "buyer": ["B", "B", "C", "B", "T"],
        "input_category": ["3973", "3973", "2651", "2651", "3670"],
        "value": [60.0, 40.0, 10.0, 20.0, 50.0],
    }
)


def test_region_prefix_and_lockdown() -> None:
    assert region_prefix("440000") == "44" and region_prefix("440300") == "4403"
    assert region_prefix("440305") == "440305" and region_prefix("44") == "44"
    with pytest.raises(JiqunError, match="invalid region"):
        region_prefix("44030")
    sc = regional_lockdown(FIRMS, "440300")
    assert sorted(sc.psi.index) == ["B", "D", "T"] and (sc.psi == 1.0).all()
    assert sorted(regional_lockdown(FIRMS, "440000", 0.5).psi.index) == ["B", "D", "S", "T"]
    with pytest.raises(JiqunError, match="no firm"):
        regional_lockdown(FIRMS, "110000")


def test_firm_failure() -> None:
    sc = firm_failure(FIRMS, ["B", "C"], 0.4)
    assert sc.psi.to_dict() == {"B": 0.4, "C": 0.4} and sc.kind == "firm"
    with pytest.raises(JiqunError, match="not in the data"):
        firm_failure(FIRMS, "Q")
    with pytest.raises(JiqunError, match="fraction"):
        firm_failure(FIRMS, "B", 0.0)


def test_import_stop_moves_only_the_hit_links() -> None:
    sc = import_stop(FIRMS, LINKS, "3973")
    # J's chips to B stop; J's 2651 sales to C continue
    assert sc.psi.to_dict() == {"J#stop": 1.0} and sc.stopped_value == 60.0
    assert sc.links["supplier"].tolist() == ["J#stop", "D", "J", "S", "B"]
    v = sc.firms.set_index("id")
    assert bool(v.at["J#stop", "virtual"]) and v.at["J#stop", "industry"] == "3973"
    # outside a region: every 39xx supplier outside Shanghai (J and D)
    sc2 = import_stop(FIRMS, LINKS, "39", outside="310000")
    assert sorted(sc2.psi.index) == ["D#stop", "J#stop"] and sc2.stopped_value == 100.0
    with pytest.raises(JiqunError, match="nothing to stop"):
        import_stop(FIRMS, LINKS, "3670")  # only B sells 3670, and it is domestic


def test_run_scenario_gl_import_stop_hand_solved() -> None:
    E = pd.DataFrame(1, index=["39", "36", "26"], columns=["39", "36", "26"])
    E.loc["39", "36"] = 2  # chips are essential for 3670
    sc = import_stop(FIRMS, LINKS, "3973")
    r = run_scenario(FIRMS, LINKS, sc, E)
    t = r.firms
    assert "J#stop" not in t.index
    # B's chip slot loses 60 of 100 → 0.4; T buys only from B (linear) → loses 0.6 too
    assert t.at["B", "h_down"] == pytest.approx(0.4) and t.at["T", "h_down"] == pytest.approx(0.4)
    assert t.at["C", "h_down"] == 1.0 and t.at["J", "h"] == 1.0
    # upstream: D and S lose nothing (B keeps buying what it can) in this model
    s = r.summary
    sales = {"J": 10.0, "D": 40.0, "S": 20.0, "B": 50.0}
    assert s["loss_share"] == pytest.approx(50 * 0.6 / sum(sales.values()))
    assert s["stopped_value"] == 60.0 and s["shocked"] == 0
    assert r.basis["model"] == "gl" and "essentiality" in r.basis
    assert r.by_region.loc["440000", "output_loss"] == pytest.approx(30.0)
    assert t.at["B", "revenue_at_risk"] == pytest.approx(500 * 0.6)


def test_run_scenario_default_matrix_and_threshold() -> None:
    sc = firm_failure(FIRMS, "D")
    r = run_scenario(FIRMS, LINKS, sc)  # default rule matrix at division level
    assert "not survey-based" in r.basis["essentiality"]
    # 39 → 36 is a core input: B's chip slot (J 60 + D 40) loses 40 %
    assert r.firms.at["B", "h_down"] == pytest.approx(0.6)
    th = run_scenario(FIRMS, LINKS, firm_failure(FIRMS, "J"), model="threshold", theta=0.5)
    # J supplies 60 of B's 120 inputs (0.5 → fails) and all of C's; T then loses all it buys
    assert set(th.firms.index[th.firms["failed"]]) == {"J", "B", "C", "T"}
    assert th.summary["rounds"] == 2
    with pytest.raises(JiqunError, match="model"):
        run_scenario(FIRMS, LINKS, sc, model="x")  # type: ignore[arg-type]
    mk = run_scenario(FIRMS, LINKS, firm_failure(FIRMS, "D"), market="industry")
    # market 3973 still makes J's 70 (D's 40 lost): σ_D = 40 / 70 of D's 40 % share reaches B
    assert mk.firms.at["B", "h_down"] == pytest.approx(1 - 0.4 * 40 / 70)


def test_alternative_suppliers_ranking() -> None:
    firms = pd.DataFrame(
        {
            "id": ["F", "A", "B", "C", "G", "H"],
            "industry": ["3973", "3973", "3973", "3973", "3979", "3973"],
            "region": ["440305", "440303", "310115", "320505", "440106", "110108"],
            "revenue": [9.0, 5.0, 50.0, 10.0, 80.0, np.nan],
            "lon": [114.0, 114.1, 121.5, 120.6, 113.3, 116.3],
            "lat": [22.5, 22.6, 31.2, 31.3, 23.1, 39.9],
        }
    )
    alt = alternative_suppliers(firms, "F", k=4)
    # A is in F's prefecture (4403): excluded. B is biggest but C nearer; H has no size.
    assert alt["candidate"].tolist()[:3] == ["B", "C", "H"] or alt["candidate"].tolist()[:3] == [
        "C",
        "B",
        "H",
    ]
    assert alt["match"].tolist() == ["class", "class", "class", "group"]
    assert alt.iloc[-1]["candidate"] == "G" and alt["rank"].tolist() == [1, 2, 3, 4]
    assert alt["distance_km"].iloc[0] > 1000
    # excluding B (e.g. locked down) and allowing the same region
    alt2 = alternative_suppliers(firms, "F", k=2, exclude=["B"], same_region_ok=True)
    assert "B" not in set(alt2["candidate"]) and "A" in set(alt2["candidate"])
    with pytest.raises(JiqunError, match="not in the data"):
        alternative_suppliers(firms, "Z")
