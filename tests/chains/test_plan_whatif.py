"""What-if for 补链/招商 (jiqun.planning.whatif) on the hand-solvable toy chain.

Region R1 holds p1 (part) and f1, f2 (final): raw and tool are missing, part rests on one firm.
Every "after" figure is checked against a full recomputation with the candidate added to the
firm table (the what-if itself never recomputes).
"""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.chains import ChainTemplate, analyse_chain, map_firms
from jiqun.planning.whatif import Candidate, rank_candidates, whatif
from jiqun.standard.problems import JiqunError

INDUSTRY = {"raw": "3091", "part": "3062", "tool": "3321", "final": "3744"}


def _analyse(firms: pd.DataFrame, toy: ChainTemplate, links: pd.DataFrame | None):  # type: ignore[no-untyped-def]
    return analyse_chain(map_firms(firms, toy), firms, toy, "R1", links)


def _with_new_firm(firms: pd.DataFrame, segment: str) -> pd.DataFrame:
    # output 0: the national value weights of the segments stay as they were
    row = firms.iloc[[0]].assign(
        uscc="new", region_code="R1", industry_code=INDUSTRY[segment], output=0.0, tags=""
    )
    return pd.concat([firms, row], ignore_index=True)


def test_missing_segment_closes_the_weak_link_and_adds_one_segments_share(
    toy: ChainTemplate, toy_firms: pd.DataFrame
) -> None:
    a = _analyse(toy_firms, toy, None)
    assert set(a.completeness.missing) == {"raw", "tool"}
    r = whatif(a, toy, Candidate("raw profile", ("raw",), industry_code="3091"))
    assert r.completeness[0] == pytest.approx(0.5)
    assert r.completeness[1] - r.completeness[0] == pytest.approx(1 / 4)
    w_raw = float(a.completeness.table.set_index("segment").at["raw", "weight"])
    assert r.weighted_completeness is not None
    assert r.weighted_completeness[1] - r.weighted_completeness[0] == pytest.approx(w_raw)
    assert r.weak_closed == ["raw"]
    assert r.spof_added == ["raw"] and r.spof_removed == []
    # the same numbers as recomputing everything with the firm added
    full = _analyse(_with_new_firm(toy_firms, "raw"), toy, None)
    assert r.completeness[1] == pytest.approx(full.completeness.completeness)
    assert r.weighted_completeness[1] == pytest.approx(full.completeness.weighted_completeness)
    assert r.lsr == pytest.approx((a.lsr.chain, full.lsr.chain))
    assert r.lsr_basis == "count"
    assert "raw" not in set(full.weak.table["segment"])


def test_covered_segment_leaves_completeness_unchanged(
    toy: ChainTemplate, toy_firms: pd.DataFrame
) -> None:
    a = _analyse(toy_firms, toy, None)
    r = whatif(a, toy, Candidate("final profile", ("final",)))
    assert r.completeness[1] == r.completeness[0]
    assert r.weighted_completeness is not None
    assert r.weighted_completeness[1] == r.weighted_completeness[0]
    assert r.lsr[1] == r.lsr[0]
    assert r.weak_closed == [] and r.spof_added == [] and r.spof_removed == []


def test_second_firm_removes_a_single_point_of_failure(
    toy: ChainTemplate, toy_firms: pd.DataFrame
) -> None:
    a = _analyse(toy_firms, toy, None)
    r = whatif(a, toy, Candidate("part profile", ("part",)))
    assert r.spof_removed == ["part"] and r.spof_added == []
    seg = r.segments.set_index("segment")
    assert (seg.at["part", "local_firms_before"], seg.at["part", "local_firms_after"]) == (1, 2)


def test_value_basis_counts_the_candidates_recorded_sales_as_local(
    toy: ChainTemplate, toy_firms: pd.DataFrame, toy_links: pd.DataFrame
) -> None:
    a = _analyse(toy_firms, toy, toy_links)
    assert a.lsr.chain_basis == "value"
    # local buyers' chain purchases: p1→f1 60 (local), p2→f1 40, t2→f2 50, r2→p1 30 → 60/180
    assert a.lsr.chain == pytest.approx(60 / 180)
    r2 = Candidate("r2", ("raw",), kind="firm", uscc="r2", local_sales={"part": 30.0},
                   local_sales_chain=30.0)  # fmt: skip
    r = whatif(a, toy, r2)
    assert r.lsr == pytest.approx((60 / 180, 90 / 180))
    moved = toy_firms.assign(
        region_code=toy_firms["region_code"].mask(toy_firms["uscc"] == "r2", "R1")
    )
    full = _analyse(moved, toy, toy_links)
    assert r.lsr[1] == pytest.approx(full.lsr.chain)
    assert r.completeness[1] == pytest.approx(full.completeness.completeness)
    seg = r.segments.set_index("segment")
    assert seg.at["part", "lsr_after"] == pytest.approx(1.0)  # 30/30: all part's inputs local
    # p2 (part, R2) sells 40 to f1 and buys 5 from r2 (R2): (60 + 40) / (180 + 5) once in R1
    p2 = Candidate("p2", ("part",), kind="firm", uscc="p2", local_sales={"final": 40.0},
                   local_sales_chain=40.0, purchases={"part": (0.0, 5.0)},
                   purchases_chain=(0.0, 5.0))  # fmt: skip
    rp = whatif(a, toy, p2)
    assert rp.lsr == pytest.approx((60 / 180, 100 / 185))
    moved = toy_firms.assign(
        region_code=toy_firms["region_code"].mask(toy_firms["uscc"] == "p2", "R1")
    )
    full = _analyse(moved, toy, toy_links)
    assert rp.lsr[1] == pytest.approx(full.lsr.chain)
    seg_full = full.lsr.segments.set_index("segment")["lsr"]
    seg_p = rp.segments.set_index("segment")["lsr_after"]
    assert seg_p[["part", "final"]].tolist() == pytest.approx(seg_full[["part", "final"]].tolist())
    # a profile has no recorded sales: the value-basis rate does not move at all
    same = whatif(a, toy, Candidate("tool profile", ("tool",)))
    assert same.lsr[1] == same.lsr[0]


def test_ranking_puts_weak_links_first_then_density(
    toy: ChainTemplate, toy_firms: pd.DataFrame
) -> None:
    a = _analyse(toy_firms, toy, None)
    res = [
        whatif(a, toy, Candidate("final", ("final",)), density=0.9),
        whatif(a, toy, Candidate("raw", ("raw",)), density=0.3),
        whatif(a, toy, Candidate("tool", ("tool",)), density=0.6),
    ]
    ranked = rank_candidates(res)
    assert ranked["candidate"].tolist() == ["tool", "raw", "final"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    # without density the tie between raw and tool falls back to the label
    plain = rank_candidates([whatif(a, toy, Candidate(n, (n,))) for n in ("tool", "raw")])
    assert plain["candidate"].tolist() == ["raw", "tool"]


def test_unknown_or_empty_segments_are_refused(toy: ChainTemplate, toy_firms: pd.DataFrame) -> None:
    a = _analyse(toy_firms, toy, None)
    with pytest.raises(JiqunError, match="nosuch"):
        whatif(a, toy, Candidate("x", ("nosuch",)))
    with pytest.raises(JiqunError, match="no segment"):
        whatif(a, toy, Candidate("x", ()))


def test_cli_pairs_profile_options_in_order() -> None:
    from typer.testing import CliRunner

    from jiqun.cli.app import app
    from jiqun.cli.plan_whatif_cmd import profiles

    assert profiles(["3973", "3976"], [5000.0], []) == [
        {"industry": "3973", "size": 5000.0, "segment": None},
        {"industry": "3976", "size": None, "segment": None},
    ]
    assert profiles([], [], ["raw"]) == [{"industry": None, "size": None, "segment": "raw"}]
    with pytest.raises(JiqunError, match="pair"):
        profiles(["3973", "3976"], [], ["raw"])
    with pytest.raises(JiqunError, match="pair"):
        profiles(["3973"], [1.0, 2.0], [])
    r = CliRunner().invoke(app, ["plan", "whatif", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert all(o in r.output for o in ("--cluster", "--chain", "--firm", "--industry", "--json"))
