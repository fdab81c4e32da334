"""Network build, reachability, downstream exposure, dominators and the threshold cascade,
on hand-solved graphs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience import (
    build_network,
    dominator_chain,
    downstream_exposure,
    reachable,
    single_points_of_failure,
    threshold_cascade,
)
from jiqun.standard.problems import JiqunError


def L(*rows: tuple) -> pd.DataFrame:  # type: ignore[type-arg]
    cols = ["supplier", "buyer", "value"] if len(rows[0]) == 3 else ["supplier", "buyer"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------


def test_build_sums_duplicates_and_keeps_both_directions() -> None:
    net = build_network(L(("A", "B", 10.0), ("A", "B", 5.0), ("B", "C", 2.0), ("A", "C", 1.0)))
    assert list(net.index) == ["A", "B", "C"]
    assert net.n_links == 3
    assert net.s_out.tolist() == [16.0, 2.0, 0.0]
    assert net.s_in.tolist() == [0.0, 15.0, 3.0]
    W = net.matrix().toarray()
    assert W[0, 1] == 15.0 and W[1, 2] == 2.0 and W[0, 2] == 1.0
    # buyer-major arrays list the suppliers of each buyer
    c = net.index.get_loc("C")
    sups = net.t_indices[net.t_indptr[c] : net.t_indptr[c + 1]]
    assert sorted(net.index[sups]) == ["A", "B"]
    assert net.basis == "value"


def test_build_count_basis_nodes_order_and_isolated() -> None:
    nodes = pd.DataFrame({"id": ["Z", "B", "A"]})
    net = build_network(L(("A", "B")), nodes)
    assert list(net.index) == ["Z", "B", "A"]
    assert net.basis == "count" and net.s_out.tolist() == [0.0, 0.0, 1.0]


def test_build_errors_and_self_links() -> None:
    with pytest.warns(JiqunWarning, match="self-link"):
        net = build_network(L(("A", "A", 1.0), ("A", "B", 2.0)))
    assert net.n_links == 1 and net.dropped_self_links == 1
    with pytest.raises(JiqunError, match="not in nodes"):
        build_network(L(("A", "X", 1.0)), pd.DataFrame({"id": ["A"]}))
    with pytest.raises(JiqunError, match="negative"):
        build_network(L(("A", "B", -1.0)))
    with pytest.raises(JiqunError, match="missing"):
        build_network(L(("A", "B", np.nan)))
    with pytest.raises(JiqunError, match="lacks column"):
        build_network(pd.DataFrame({"from": ["A"], "to": ["B"]}))
    with pytest.raises(JiqunError, match="duplicate ids"):
        build_network(L(("A", "B")), pd.DataFrame({"id": ["A", "A", "B"]}))


# --------------------------------------------------------------------------------------------
# reachability and exposure
# --------------------------------------------------------------------------------------------


def test_reachable_down_and_up() -> None:
    net = build_network(L(("A", "B"), ("B", "C"), ("D", "C"), ("C", "E")))
    assert reachable(net, ["B"]).to_dict() == {
        "A": False, "B": True, "D": False, "C": True, "E": True,
    }  # fmt: skip
    up = reachable(net, "C", direction="up")
    assert sorted(up[up].index) == ["A", "B", "C", "D"]
    mask = np.zeros(net.n, dtype=bool)
    mask[net.index.get_loc("D")] = True
    assert reachable(net, mask).sum() == 3
    with pytest.raises(JiqunError, match="not nodes"):
        reachable(net, ["Q"])


def test_downstream_exposure_hand_solved() -> None:
    # A → B → C (demand 10); A → D (demand 30); E → D
    nodes = pd.DataFrame({"id": ["A", "B", "C", "D", "E"], "demand": [0, 0, 10, 30, 0]})
    links = L(("A", "B"), ("B", "C"), ("A", "D"), ("E", "D"))
    ex = downstream_exposure(nodes, links)
    assert ex.to_dict() == {"A": 1.0, "B": 0.25, "C": 0.25, "D": 0.75, "E": 0.75}


def test_downstream_exposure_with_a_cycle_and_diamond() -> None:
    # A ⇄ B form a cycle feeding C (demand 10); diamond S → X, S → Y, X → T, Y → T (demand 30)
    nodes = pd.DataFrame(
        {"id": ["A", "B", "C", "S", "X", "Y", "T"], "demand": [0, 0, 10, 0, 0, 0, 30]}
    )
    links = L(("A", "B"), ("B", "A"), ("B", "C"), ("S", "X"), ("S", "Y"), ("X", "T"), ("Y", "T"))
    ex = downstream_exposure(nodes, links)
    assert ex["A"] == ex["B"] == 0.25
    assert ex["S"] == 0.75  # T counted once although two paths lead there
    with pytest.raises(JiqunError, match="sums to 0"):
        downstream_exposure(nodes.assign(demand=0), links)


def test_exposure_matches_bruteforce_on_random_graphs() -> None:
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = int(rng.integers(3, 40))
        m = int(rng.integers(1, 3 * n))
        s, b = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = s != b
        links = pd.DataFrame({"supplier": s[keep], "buyer": b[keep]})
        d = np.where(rng.random(n) < 0.4, rng.integers(1, 10, n), 0).astype(float)
        d[0] += 1.0
        nodes = pd.DataFrame({"id": np.arange(n), "demand": d})
        ex = downstream_exposure(nodes, links)
        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        G.add_edges_from(zip(links["supplier"], links["buyer"], strict=True))
        for v in range(n):
            r = nx.descendants(G, v) | {v}
            assert ex[v] == pytest.approx(d[list(r)].sum() / d.sum(), abs=1e-12)


# --------------------------------------------------------------------------------------------
# dominators
# --------------------------------------------------------------------------------------------


def test_spof_supply_side_hand_solved() -> None:
    nodes = pd.DataFrame({"id": ["S1", "S2", "M", "R1", "R2", "Q"], "demand": [0, 0, 0, 5, 5, 10]})
    links = L(("S1", "M"), ("S2", "M"), ("M", "R1"), ("M", "R2"), ("S2", "Q"))
    t = single_points_of_failure(nodes, links)
    assert t.at["M", "dominated"] == 2 and bool(t.at["M", "spof"])
    assert t.at["M", "dominated_demand_share"] == pytest.approx(0.5)
    assert t.at["S2", "dominated"] == 1  # Q has S2 as its only supplier
    assert t.at["S1", "dominated"] == 0 and not t.at["S1", "spof"]
    assert t.at["R1", "idom"] == "M" and t.at["M", "idom"] is None
    assert t.at["R1", "chokepoints"] == 1
    assert dominator_chain(t, "R1") == ["M"]


def test_spof_market_side_and_chain() -> None:
    # S → M → R (demand); S2 → R: on the market side S reaches customers only through M
    nodes = pd.DataFrame({"id": ["S", "M", "R", "S2"], "demand": [0, 0, 10, 0]})
    links = L(("S", "M"), ("M", "R"), ("S2", "R"))
    t = single_points_of_failure(nodes, links, direction="market")
    assert t.at["S", "idom"] == "M" and t.at["M", "idom"] == "R"
    assert t.at["M", "dominated"] == 1 and t.at["R", "dominated"] == 3
    assert dominator_chain(t, "S") == ["M", "R"]
    assert "dominated_demand_share" not in t.columns


def test_spof_cycle_without_raw_material_is_fed() -> None:
    # A ⇄ B (no supplier outside the cycle) → C: C's only supply path runs through B
    nodes = pd.DataFrame({"id": ["A", "B", "C"], "demand": [0, 0, 1]})
    t = single_points_of_failure(nodes, L(("A", "B"), ("B", "A"), ("B", "C")))
    assert t.at["C", "idom"] == "B"
    assert t.at["A", "idom"] is None and t.at["B", "idom"] is None


# --------------------------------------------------------------------------------------------
# threshold cascade
# --------------------------------------------------------------------------------------------


def test_threshold_cascade_rounds_and_shares() -> None:
    links = L(("A", "C", 60.0), ("B", "C", 40.0), ("C", "D", 10.0), ("E", "D", 10.0))
    net = build_network(links)
    r = threshold_cascade(net, ["A"], theta=0.5)
    assert r.firms["round"].to_dict() == {"A": 0, "B": -1, "C": 1, "E": -1, "D": 2}
    assert r.firms.at["C", "input_lost_share"] == pytest.approx(0.6)
    assert r.firms.at["D", "input_lost_share"] == pytest.approx(0.5)
    assert r.rounds == 2 and r.n_failed == 3
    assert r.failed_value_share == pytest.approx((60 + 10) / 120)
    # B alone (40 %) does not topple C; a per-firm threshold of 0.4 does
    assert threshold_cascade(net, ["B"], 0.5).n_failed == 1
    assert threshold_cascade(net, ["B"], {"C": 0.4}).firms.at["C", "failed"]
    assert threshold_cascade(net, ["A"], 0.5, max_rounds=1).n_failed == 2


def test_threshold_cascade_upstream_and_both() -> None:
    # S sells 30 to B1 and 70 to B2: losing B2 (70 % of sales) topples S upstream only
    net = build_network(L(("S", "B1", 30.0), ("S", "B2", 70.0), ("R", "S", 5.0)))
    assert threshold_cascade(net, ["B2"], 0.5, direction="down").n_failed == 1
    up = threshold_cascade(net, ["B2"], 0.5, direction="up")
    assert set(up.firms.index[up.firms["failed"]]) == {"B2", "S", "R"}
    assert up.firms.at["S", "sales_lost_share"] == pytest.approx(0.7)
    both = threshold_cascade(net, ["B2"], 0.5, direction="both")
    assert {"input_lost_share", "sales_lost_share"} <= set(both.firms.columns)
    with pytest.raises(JiqunError, match="theta"):
        threshold_cascade(net, ["B2"], 0.0)
    with pytest.raises(JiqunError, match="direction"):
        threshold_cascade(net, ["B2"], 0.5, direction="sideways")  # type: ignore[arg-type]
