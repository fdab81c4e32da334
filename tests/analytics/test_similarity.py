"""Homogeneous competition: structure similarity (UNIDO cosine), Jaccard overlap, the table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning, presence
from jiqun.analytics.similarity import (
    homogeneous_competition_table,
    priority_overlap,
    structure_similarity,
)
from jiqun.analytics.specialisation import krugman_bilateral
from jiqun.standard.problems import JiqunError

# columns a, b, c ; column sums (10, 10, 20), E = 40
X = pd.DataFrame(
    {"a": [4.0, 2.0, 4.0, 0.0], "b": [4.0, 2.0, 0.0, 4.0], "c": [2.0, 1.0, 6.0, 11.0]},
    index=["p", "q", "r", "s"],
)


def test_structure_similarity_hand() -> None:
    S = structure_similarity(X)
    # p = (4, 4, 2) and q = (2, 2, 1) have the same structure → 1
    assert S.loc["p", "q"] == pytest.approx(1.0)
    # p·r = 16 + 0 + 12 = 28 ; |p| = √36 = 6 ; |r| = √52 → 28 / (6√52)
    assert S.loc["p", "r"] == pytest.approx(28 / (6 * math.sqrt(52)))
    # r·s = 0 + 0 + 66 = 66 ; |s| = √137 → 66/(√52 √137)
    assert S.loc["r", "s"] == pytest.approx(66 / (math.sqrt(52) * math.sqrt(137)))
    assert np.allclose(S.to_numpy(), S.to_numpy().T)
    assert (np.diag(S.to_numpy()) == 1.0).all()
    disjoint = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 3.0]}, index=["u", "v"])
    assert structure_similarity(disjoint).loc["u", "v"] == 0.0


def test_structure_similarity_levels_equal_shares_and_zero_rows() -> None:
    shares = X.div(X.sum(axis=1), axis=0)
    pd.testing.assert_frame_equal(structure_similarity(X), structure_similarity(shares))
    Y = pd.concat([X, pd.DataFrame({"a": [0.0], "b": [0.0], "c": [0.0]}, index=["z"])])
    with pytest.warns(JiqunWarning, match="'z'"):
        S = structure_similarity(Y)
    assert "z" not in S.index


def test_priority_overlap_sets() -> None:
    J = priority_overlap(
        {"A": {"EV", "battery", "AI"}, "B": {"EV", "battery", "biotech"}, "C": {"shipbuilding"}}
    )
    # A∩B = {EV, battery}, A∪B = 4 industries → .5 ; A–C disjoint → 0
    assert J.loc["A", "B"] == pytest.approx(0.5)
    assert J.loc["A", "C"] == 0.0
    assert J.loc["B", "B"] == 1.0
    with pytest.warns(JiqunWarning, match="'D'"):
        J2 = priority_overlap({"A": ["x"], "D": [], "E": []})
    assert np.isnan(J2.loc["D", "E"]) and np.isnan(J2.loc["D", "D"])
    assert J2.loc["A", "D"] == 0.0  # |∅| / |{x}|


def test_priority_overlap_from_presence() -> None:
    M = presence(X)
    # LQ_p = (.4/.25, .4/.25, .2/.5) = (1.6, 1.6, .4) → {a, b}; q same; r = (.4/.25, 0, .6/.5)
    # = (1.6, 0, 1.2) → {a, c}; s = (0, .2667/.25, .7333/.5) → {b, c}
    J = priority_overlap(M)
    assert J.loc["p", "q"] == 1.0
    assert J.loc["p", "r"] == pytest.approx(1 / 3)  # {a} / {a, b, c}
    assert J.loc["r", "s"] == pytest.approx(1 / 3)  # {c} / {a, b, c}
    with pytest.raises(JiqunError):
        priority_overlap(X)  # not 0/1
    with pytest.raises(JiqunError):
        priority_overlap([1, 2])  # type: ignore[arg-type]


def test_homogeneous_competition_table() -> None:
    t = homogeneous_competition_table(X, ["p", "r"], level="GB/T 4754 division", year=2023)
    assert list(t.columns[:8]) == [
        "region_a",
        "region_b",
        "rank",
        "structure_similarity",
        "krugman_bilateral",
        "overlap_jaccard",
        "n_shared_specialised",
        "shared_specialised",
    ]
    assert (t["level"] == "GB/T 4754 division").all() and (t["year"] == 2023).all()
    tp = t[t.region_a == "p"]
    assert tp["region_b"].tolist()[0] == "q"  # identical structure first
    assert tp["rank"].tolist() == [1, 2, 3]
    assert tp["structure_similarity"].is_monotonic_decreasing
    S, K = structure_similarity(X), krugman_bilateral(X)
    for row in t.itertuples():
        assert row.structure_similarity == pytest.approx(S.loc[row.region_a, row.region_b])
        assert row.krugman_bilateral == pytest.approx(K.loc[row.region_a, row.region_b])
    rs = t[(t.region_a == "r") & (t.region_b == "s")].iloc[0]
    assert rs["shared_specialised"] == ["c"] and rs["n_shared_specialised"] == 1
    assert rs["overlap_jaccard"] == pytest.approx(1 / 3)
    top1 = homogeneous_competition_table(X, ["p"], top=1)
    assert len(top1) == 1 and top1.loc[0, "region_b"] == "q"
    with pytest.raises(JiqunError):
        homogeneous_competition_table(X, ["nowhere"])


def test_homogeneous_competition_table_reference() -> None:
    ref = pd.Series({"a": 100.0, "b": 10.0, "c": 10.0})  # a is huge nationally
    t = homogeneous_competition_table(X, ["p"], reference=ref)
    # with this reference nobody is specialised in a (LQ_pa = .4/(100/120) < 1)
    assert all("a" not in s for s in t["shared_specialised"])
