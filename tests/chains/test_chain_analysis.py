"""Chain analytics on the hand-solved toy chain (see conftest.py for firms and links).

Toy chain: raw → part → final, tool → final. Output (万元): R1 p1 100, f1 300, f2 100, x1 500
(not in the chain); R2 r2 50, t2 80, p2 40; R3 r3 60, f3 200; R4 t4 30, p4 20, f4 10.
National total 1,490; R1 total 1,000.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jiqun.chains import (
    BASIS_LABELS,
    analyse_chain,
    chain_completeness,
    chain_leader_candidates,
    extend_links,
    local_supporting_rate,
    segment_table,
    strong_links,
    weak_links,
)
from jiqun.standard.problems import JiqunError


@pytest.fixture
def args(toy_mapping, toy_firms, toy):  # type: ignore[no-untyped-def]
    return toy_mapping, toy_firms, toy


def test_segment_table(args) -> None:  # type: ignore[no-untyped-def]
    st = segment_table(*args, {"R1"}).set_index("segment")
    assert list(st.index) == ["raw", "tool", "part", "final"]
    assert st.loc["final", "firms"] == 2 and st.loc["part", "firms"] == 1
    assert st.loc["final", "output"] == 400.0 and st.loc["raw", "output"] == 0.0
    assert st.loc["final", "tagged_firms"] == 2
    assert (st.loc["final", "little_giant"], st.loc["final", "single_champion"]) == (1, 1)
    assert st.loc["final", "srdi"] == 1 and st.loc["part", "tagged_firms"] == 0
    assert st.loc["final", "firms_national"] == 4
    assert st.loc["final", "output_national"] == 610.0
    assert st.loc["final", "share_of_national"] == pytest.approx(400 / 610)
    assert st.loc["final", "lq"] == pytest.approx((400 / 1000) / (610 / 1490))
    assert st.loc["part", "lq"] == pytest.approx((100 / 1000) / (160 / 1490))
    nat = segment_table(*args).set_index("segment")  # whole country: LQ 1 where present
    assert nat.loc["final", "firms"] == 4 and nat.loc["final", "lq"] == pytest.approx(1.0)


def test_completeness_count_and_value_weighted(args) -> None:  # type: ignore[no-untyped-def]
    c = chain_completeness(*args, "R1")
    assert c.basis == "count" and c.completeness == 0.5
    assert c.weighted_completeness is None
    assert c.missing == ["raw", "tool"]
    w = chain_completeness(*args, "R1", weights="value")
    # national output by segment: raw 110, tool 110, part 160, final 610 → (160 + 610) / 990
    assert w.weighted_completeness == pytest.approx(770 / 990)
    assert w.table.set_index("segment")["weight"].sum() == pytest.approx(1.0)
    u = chain_completeness(*args, "R1", weights={"raw": 1, "final": 3})
    assert u.weighted_completeness == pytest.approx(3 / 4)
    assert chain_completeness(*args, "R1", min_firms=2).completeness == 0.25
    with pytest.raises(JiqunError):
        chain_completeness(*args, "R1", weights={"ghost": 1})


def test_lsr_value_basis(args, toy_links) -> None:  # type: ignore[no-untyped-def]
    r = local_supporting_rate(*args, "R1", toy_links)
    assert r.chain_basis == "value"
    # in-chain purchases of R1 firms: p1→f1 60 (local), p2→f1 40, t2→f2 50, r2→p1 30
    assert r.chain == pytest.approx(60 / 180)
    seg = r.segments.set_index("segment")
    assert seg.loc["final", "lsr"] == pytest.approx(60 / 150)
    assert seg.loc["final", "basis"] == "value" and seg.loc["final", "links"] == 3
    assert seg.loc["part", "lsr"] == 0.0
    # raw and tool buy nothing: count basis there (no required inputs → NaN)
    assert seg.loc["raw", "basis"] == "count" and math.isnan(seg.loc["raw", "lsr"])
    assert r.basis == "mixed" and "mixed" in r.basis_label
    firms = r.firms.set_index("uscc")
    assert firms.loc["f1", "lsr"] == pytest.approx(0.6)
    assert firms.loc["f2", "lsr"] == 0.0 and firms.loc["p1", "lsr"] == 0.0
    assert set(firms["basis"]) == {"value"}
    # all purchases: x1 → f1 (100, local, outside the chain) now counts
    a = local_supporting_rate(*args, "R1", toy_links, inputs="all")
    assert a.chain == pytest.approx(160 / 280)
    assert a.segments.set_index("segment").loc["final", "lsr"] == pytest.approx(160 / 250)
    # with region = the whole country the same formula is the domestic rate
    dom = local_supporting_rate(*args, ["R1", "R2", "R3", "R4"], toy_links)
    assert dom.chain == 1.0


def test_lsr_count_basis(args, toy_links) -> None:  # type: ignore[no-untyped-def]
    for r in (
        local_supporting_rate(*args, "R1"),  # no links → count
        local_supporting_rate(*args, "R1", toy_links, basis="count"),
    ):
        assert r.chain_basis == "count" and r.basis == "count"
        seg = r.segments.set_index("segment")
        assert seg.loc["final", "lsr"] == 0.5  # inputs part ✓, tool ✗
        assert seg.loc["part", "lsr"] == 0.0  # input raw ✗
        assert (seg.loc["final", "inputs_required"], seg.loc["final", "inputs_local"]) == (2, 1)
        # edges into present segments: raw→part, part→final, tool→final; only part is local
        assert r.chain == pytest.approx(1 / 3)
        assert r.firms.set_index("uscc").loc["f1", "lsr"] == 0.5
    assert BASIS_LABELS["count"][1].startswith("count basis")
    # forced value basis without links: undefined, and said so
    v = local_supporting_rate(*args, "R1", basis="value")
    assert v.chain_basis == "value" and math.isnan(v.chain) and v.notes


def test_weak_links_count_basis(args) -> None:  # type: ignore[no-untyped-def]
    w = weak_links(*args, "R1", min_peers=2)
    t = w.table.set_index("segment")
    assert list(t.index) == ["raw", "tool", "part"]
    assert t.loc["raw", "reason"] == "missing" and t.loc["tool", "reason"] == "missing"
    # part: R1 0 vs peers R2 (raw local → 1) and R4 (raw elsewhere → 0): median 0.5
    assert t.loc["part", "reason"] == "below_peer_median"
    assert t.loc["part", "peer_median"] == 0.5 and t.loc["part", "peers"] == 2
    assert t.loc["part", "basis"] == "count"
    # final: R1 0.5 = median of R3 (0) and R4 (1) → not weak
    assert "final" not in t.index
    # with the default min_peers=3 there are too few peers to call anything weak
    assert set(weak_links(*args, "R1").table["reason"]) == {"missing"}


def test_weak_links_value_basis(args, toy_links) -> None:  # type: ignore[no-untyped-def]
    w = weak_links(*args, "R1", toy_links, min_peers=2)
    t = w.table.set_index("segment")
    assert w.basis == "mixed"
    # final: R1 0.4 vs R4 1.0 (p4, t4 local) and R3 0.0 (p2 from R2): median 0.5
    assert t.loc["final", "reason"] == "below_peer_median"
    assert t.loc["final", "peer_median"] == 0.5 and t.loc["final", "basis"] == "value"
    # part: R1 0.0 vs R2 1.0 (r2 local) and R4 0.0 (r3 from R3)
    assert t.loc["part", "reason"] == "below_peer_median"


def test_candidate_ranking_by_size_and_distance(args) -> None:  # type: ignore[no-untyped-def]
    origin = (116.40, 39.90)  # 北京; r2 in 天津 (≈ 110 km, revenue 50), r3 in 上海 (revenue 60)
    c = weak_links(*args, "R1", origin=origin).candidates
    raw = c[c["segment"] == "raw"].set_index("uscc")
    assert 100 < raw.loc["r2", "distance_km"] < 130
    assert 1000 < raw.loc["r3", "distance_km"] < 1150
    # size pct r2 0.5, r3 1; proximity pct r2 1, r3 0.5
    assert raw.loc["r2", "score"] == pytest.approx(0.6 * 0.5 + 0.4 * 1.0)
    assert raw.loc["r3", "score"] == pytest.approx(0.6 * 1.0 + 0.4 * 0.5)
    assert list(raw.sort_values("rank").index) == ["r3", "r2"]
    near = weak_links(*args, "R1", origin=origin, size_weight=0.3).candidates
    assert list(near.loc[near["segment"] == "raw", "uscc"]) == ["r2", "r3"]
    # tool: t2 (80, 天津) beats t4 (30, 广州) on both
    assert list(c.loc[c["segment"] == "tool", "uscc"]) == ["t2", "t4"]
    assert c["qualified"].all()
    # default origin: mean coordinates of the region's firms (all in 北京 here)
    d = weak_links(*args, "R1").candidates
    assert d.loc[d["uscc"] == "r2", "distance_km"].item() == pytest.approx(
        raw.loc["r2", "distance_km"]
    )
    # no coordinates anywhere: size only, with a note
    f = args[1].drop(columns=["lon", "lat"])
    s = weak_links(args[0], f, args[2], "R1")
    assert list(s.candidates.loc[s.candidates["segment"] == "raw", "uscc"]) == ["r3", "r2"]
    assert s.candidates["distance_km"].isna().all() and s.notes


def test_strong_links(args) -> None:  # type: ignore[no-untyped-def]
    s = strong_links(*args, "R1").set_index("segment")
    assert list(s.index) == ["final", "part"]  # both > 5 % of the nation, ≤ 3 firms
    assert s.loc["final", "cr1"] == pytest.approx(0.75)
    assert s.loc["final", "hhi"] == pytest.approx(0.75**2 + 0.25**2)
    assert s.loc["final", "top_firm"] == "f1"
    only_lq = strong_links(*args, "R1", share_threshold=1.01, lq_threshold=0.95)
    assert list(only_lq["segment"]) == ["final"]  # LQ 0.977 ≥ 0.95 > part's 0.931
    assert strong_links(*args, "R1", share_threshold=1.01).empty


def test_extend_links(args) -> None:  # type: ignore[no-untyped-def]
    e = extend_links(*args, "R1", related=["R2", "R3"]).set_index("segment")
    assert list(e.index) == ["raw", "tool"]
    assert (e["direction"] == "upstream").all()
    assert e.loc["raw", "adjacent_local"] == "part" and e.loc["tool", "adjacent_local"] == "final"
    assert e.loc["raw", "related_firms"] == 2 and e.loc["raw", "related_basis"] == "given"
    # LQ in R2+R3 (output 430): raw 110/430 vs 110/1490 nationally
    assert e.loc["raw", "related_lq"] == pytest.approx((110 / 430) / (110 / 1490))
    assert e.loc["tool", "related_lq"] == pytest.approx((80 / 430) / (110 / 1490))
    assert e.loc["raw", "top_related_units"] == "R2(1);R3(1)"
    # default: same province (codes' first two characters) → none here → national per row
    d = extend_links(*args, "R1")
    assert set(d["related_basis"]) == {"national"}
    assert d.set_index("segment").loc["tool", "related_firms"] == 2  # t2, t4
    # a region with only raw: part is downstream of it
    assert extend_links(*args, "R3").set_index("segment").loc["part", "direction"] == "both"


def test_chain_leader_candidates(args, toy_links) -> None:  # type: ignore[no-untyped-def]
    w = {"revenue_share": 1.0, "local_linkage": 1.0, "centrality": 0.0, "rd": 1.0}
    c = chain_leader_candidates(*args, "R1", toy_links, weights=w).set_index("uscc")
    assert list(c.index) == ["f1", "p1", "f2"]  # x1 is not in the chain
    assert c["needs_confirmation"].all()
    assert not any("链主" in col or col == "chain_leader" for col in c.columns)
    assert c.loc["f1", "revenue_share"] == pytest.approx(0.6)
    assert (c.loc["f1", "local_suppliers"], c.loc["f1", "local_customers"]) == (2, 0)  # p1, x1
    assert (c.loc["p1", "local_suppliers"], c.loc["p1", "local_customers"]) == (0, 1)
    # percentiles among 3 firms: revenue share p1 = f2 = 0.5 (tie), f1 1; linkage f2 1/3,
    # p1 2/3, f1 1; R&D f2 1/3, f1 2/3, p1 1
    assert c.loc["f1", "score"] == pytest.approx((1 + 1 + 2 / 3) / 3)
    assert c.loc["p1", "score"] == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert c.loc["f2", "score"] == pytest.approx((0.5 + 1 / 3 + 1 / 3) / 3)
    assert c.loc["f1", "degree"] == 2  # in-chain network: p1 → f1, p2 → f1 (x1 excluded)
    # PageRank equals networkx's on the in-chain network (supplier → buyer, weighted)
    nx = pytest.importorskip("networkx")
    chain_firms = set(args[0]["uscc"])
    lk = toy_links[toy_links["supplier"].isin(chain_firms) & toy_links["buyer"].isin(chain_firms)]
    g = nx.DiGraph()
    g.add_weighted_edges_from(lk.itertuples(index=False, name=None))
    pr = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-12)
    for u in ("f1", "p1", "f2"):
        assert c.loc[u, "pagerank"] == pytest.approx(pr[u], rel=1e-5)
    assert c.loc["f1", "pagerank"] == max(c["pagerank"])
    # without links the network components drop out and the weights renormalise
    n = chain_leader_candidates(*args, "R1").set_index("uscc")
    assert n["local_linkage"].isna().all()
    assert n.loc["f1", "score"] == pytest.approx((1 + 2 / 3) / 2)
    # the tag set by government is shown, never inferred
    f = args[1].copy()
    f.loc[f["uscc"] == "f2", "tags"] = "chain_leader"
    g2 = chain_leader_candidates(args[0], f, args[2], "R1").set_index("uscc")
    assert g2["government_listed"].to_dict() == {"f1": False, "p1": False, "f2": True}
    with pytest.raises(JiqunError):
        chain_leader_candidates(*args, "R1", weights={"size": 1.0})


def test_analyse_chain_runs_everything(args, toy_links) -> None:  # type: ignore[no-untyped-def]
    a = analyse_chain(*args, ["R1"], toy_links, origin=(116.4, 39.9))
    assert a.completeness.completeness == 0.5
    assert a.lsr.chain == pytest.approx(60 / 180) and a.lsr.chain_basis == "value"
    assert set(a.tables()) >= {"segments", "completeness", "lsr_segments", "weak_links"}
    assert len(a.leaders) == 3
    # county-level firms compare as their prefecture through `unit`
    f = args[1].assign(
        unit=lambda d: d["region_code"], region_code=lambda d: d["region_code"] + "x"
    )
    b = analyse_chain(args[0], f, args[2], ["R1"], toy_links)
    assert b.lsr.chain == pytest.approx(a.lsr.chain)
    assert np.isclose(b.completeness.completeness, 0.5)


def test_input_errors(args) -> None:  # type: ignore[no-untyped-def]
    m, f, t = args
    with pytest.raises(JiqunError, match="region_code"):
        segment_table(m, f.drop(columns="region_code"), t, "R1")
    with pytest.raises(JiqunError, match="measure"):
        segment_table(m, f, t, "R1", measure="profit")
    with pytest.raises(JiqunError, match="basis"):
        local_supporting_rate(m, f, t, "R1", basis="both")
    with pytest.raises(JiqunError, match="empty"):
        chain_completeness(m, f, t, [])
    bad_links = pd.DataFrame({"from": ["a"], "to": ["b"]})
    with pytest.raises(JiqunError, match="supplier"):
        local_supporting_rate(m, f, t, "R1", bad_links)
