"""Gap ranking, roadmap, peer comparison and the cluster index on hand-made populations."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from digital_fixtures import all_max, all_min

from jiqun.digital import (
    digital_index,
    gap_to_next_level,
    gap_to_peers,
    load_framework,
    score_gbt39116,
    score_miit,
    size_band,
)

MIIT = load_framework("miit2024")
GBT = load_framework("gbt39116")


def test_gap_ranking_and_roadmap(answers_mixed: dict[str, Any]) -> None:
    # mixed = 46.625 (二级); next 三级 at 60 → deficit 13.375
    g = gap_to_next_level(MIIT, score_miit(MIIT, answers_mixed))
    assert (g.current_level, g.next_level, g.threshold, g.deficit) == (2, 3, 60.0, 13.375)
    top = list(zip(g.actions["item_id"], g.actions["gain"], strict=True))[:10]
    assert top == [
        ("equipment_networking", 6.0),  # 10 % → (60,100]: 0 → 6
        ("funding", 5.625),  # 15 % → (60,100]: 1.875 → 7.5
        ("information_systems", 5.0),  # 多个 → 全覆盖: 5 → 10
        ("equipment_networking", 4.5),
        ("funding", 3.75),
        ("energy", 3.5),  # outcome: 持平 → 降低
        ("equipment_digitisation", 3.0),  # ties: actions first, then questionnaire order
        ("equipment_networking", 3.0),
        ("planning", 3.0),
        ("market", 3.0),  # outcome after the actions of the same gain
    ]
    assert g.actions["gain"].is_monotonic_decreasing
    # greedy roadmap: one alternative per single/band item; 6 + 5.625 + 5 = 16.625 ≥ 13.375
    assert g.roadmap["item_id"].tolist() == [
        "equipment_networking",
        "funding",
        "information_systems",
    ]
    assert g.roadmap["cumulative_gain"].iloc[-1] == 16.625 and g.reachable
    first = g.roadmap.iloc[0]
    assert "联网率" in first["action_zh"] and "60%" in first["action_zh"]
    assert "全覆盖" in g.roadmap.iloc[2]["action_zh"]
    # scenarios below level 3: the levels 1 and 2 of the mixed set (8 of 16)
    assert len(g.scenes) == 8 and set(g.scenes["level"]) == {1, 2}


def test_gap_at_the_ends(answers_min: dict[str, Any], answers_max: dict[str, Any]) -> None:
    g = gap_to_next_level(MIIT, score_miit(MIIT, answers_min))
    assert (g.next_level, g.deficit) == (1, 16.0) and g.reachable
    mc = gap_to_next_level(MIIT, score_miit(MIIT, answers_max))
    assert mc.next_level is None and mc.actions.empty and mc.roadmap.empty
    # multi-select options are named by the indicator itself
    acts = gap_to_next_level(MIIT, score_miit(MIIT, answers_min)).actions
    assert "建设5G工业网络" in set(acts["action_zh"])
    assert "实现「仓储物流」环节的数据自动采集" in set(acts["action_zh"])


def test_gap_to_peers(answers_mixed: dict[str, Any]) -> None:
    me = score_miit(MIIT, answers_mixed)
    g = gap_to_peers(MIIT, me, [all_max(), all_min()])
    assert g.n_peers == 2 and g.peer_mean_total == 52.0  # (100 + 4) / 2
    top = list(zip(g.actions["item_id"], g.actions["gain"], strict=True))[:4]
    assert top == [
        ("equipment_networking", 3.0),  # peers' mean 33 % → band (20,40] = 3 vs 0
        ("information_systems", 2.5),  # mean points 6.25 → smallest option ≥ it: C 7.5 vs 5
        ("network", 2.0),  # C and D chosen by half the peers
        ("network", 2.0),
    ]
    assert "planning" not in set(g.actions["item_id"])  # mean 4.5 = the firm's C
    items = g.items.set_index("item_id")
    assert items.loc["information_systems", "gap"] == 1.25
    assert items.loc["quality", "gap"] == -3.5  # the firm is ahead
    none = gap_to_peers(MIIT, me, [])
    assert none.n_peers == 0 and none.actions.empty and "no chain leaders" in none.notes[0]


def test_gbt_gap() -> None:
    a = {s: 3 for s in GBT.subdomain_ids} | {"sales": 1, "data": 2}
    g = gap_to_next_level(GBT, score_gbt39116(GBT, a))
    assert (g.current_level, g.next_level) == (1, 2)
    assert g.actions["subdomain_id"].tolist() == ["sales"]
    g3 = gap_to_peers(GBT, score_gbt39116(GBT, a), [{s: 4 for s in GBT.subdomain_ids}])
    assert g3.items.iloc[0]["subdomain_id"] == "sales" and g3.items.iloc[0]["gap"] == 3


def test_size_band_rule() -> None:
    assert [size_band(x) for x in (0, 19, 20, 299, 300, 999, 1000, None)] == [
        "micro",
        "micro",
        "small",
        "small",
        "medium",
        "medium",
        "large",
        "unknown",
    ]


def test_cluster_index_hand_population() -> None:
    f = pd.DataFrame(
        {
            "uscc": list("abcdef"),
            "score": [85.0, 45.0, 62.0, None, 70.0, 15.0],
            "level": [4, 2, 3, None, 3, 0],
            "employees": [2000, 50, 400, 5, 1500, None],
            "segment": ["x", "x", "y", "y", ["x", "y"], None],
            "is_leader": [True, False, False, False, False, False],
            "synthetic": [False] * 6,
        }
    )
    ix = digital_index(f)
    s = ix.summary
    # 5 of 6 assessed; mean (85+45+62+70+15)/5 = 55.4; median 62; level 3+: c, e, a = 3/5
    assert (s["firms"], s["assessed"], s["coverage"]) == (6, 5, 0.8333)
    assert (s["mean_score"], s["median_score"], s["share_level3_plus"]) == (55.4, 62.0, 0.6)
    assert ix.by_level["firms"].tolist() == [1, 0, 1, 2, 1]
    size = ix.by_size.set_index("size")
    assert size.loc["large", "mean_score"] == 77.5 and size.loc["large", "share_level3_plus"] == 1
    assert size.loc["micro", "assessed"] == 0 and pd.isna(size.loc["micro", "mean_score"])
    grp = ix.by_group.set_index("group")
    assert grp.loc["chain_leader", "firms"] == 1 and grp.loc["chain_leader", "mean_score"] == 85
    # SMEs = b, c, d (micro/small/medium, not leaders): 2 assessed, mean 53.5, half at 3+
    assert grp.loc["sme", ["firms", "assessed", "mean_score", "share_level3_plus"]].tolist() == [
        3,
        2,
        53.5,
        0.5,
    ]
    assert grp.loc["large_other", "firms"] == 1 and grp.loc["unknown_size", "firms"] == 1
    seg = ix.by_segment.set_index("segment")
    # e is in both segments: x = a, b, e; y = c, d, e
    assert seg.loc["x", "mean_score"] == pytest.approx(66.67) and seg.loc["x", "firms"] == 3
    assert seg.loc["y", ["firms", "assessed", "mean_score"]].tolist() == [3, 2, 66.0]
    assert seg.loc["(unmapped)", "firms"] == 1
    assert not ix.synthetic
