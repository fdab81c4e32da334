"""Division of labour by comparative advantage: hand-solved cases, infeasible requests named,
and property tests against brute force and the greedy rule (src/jiqun/planning/division.py)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiqun.errors import JiqunError
from jiqun.planning import (
    PlanInfeasible,
    division_of_labour,
    greedy_division,
    plan_objective,
)


def _brute(
    a: pd.DataFrame, min_regions: int, max_segments: int | None, keep: float | None, lam: float
) -> list[tuple[float, np.ndarray]]:
    """Every feasible assignment with its objective (small tables only)."""
    R, S = a.shape
    arr = a.to_numpy()
    out = []
    for bits in itertools.product([False, True], repeat=R * S):
        x = np.array(bits).reshape(R, S)
        if np.isnan(arr[x]).any():
            continue
        if (x.sum(axis=0) < min_regions).any():
            continue
        if max_segments is not None and (x.sum(axis=1) > max_segments).any():
            continue
        if keep is not None and not x[~np.isnan(arr) & (arr >= keep)].all():
            continue
        n = x.sum(axis=0)
        obj = float(np.where(x, np.nan_to_num(arr), 0.0).sum() - lam * (n * (n - 1) / 2).sum())
        out.append((obj, x))
    return out


# --------------------------------------------------------------------------------------------
# hand-solved cases
# --------------------------------------------------------------------------------------------

#: three cities, four segments; λ = 1, keep = 2 (nothing kept), no limit
A34 = pd.DataFrame(
    {
        "s1": [1.8, 0.3, 0.2],
        "s2": [0.2, 1.5, 0.3],
        "s3": [0.5, 0.4, 0.9],
        "s4": [0.1, 0.2, 0.6],
    },
    index=["A", "B", "C"],
)


def test_hand_solved_unique_optimum_three_by_four() -> None:
    # By hand: a second leader of any segment adds a − λ·1 < 0 (every advantage below the best
    # is < 1), so each segment gets exactly its best city: s1 A, s2 B, s3 C, s4 C;
    # objective 1.8 + 1.5 + 0.9 + 0.6 = 4.8.
    p = division_of_labour(A34)
    expected = pd.DataFrame(
        {
            "s1": [True, False, False],
            "s2": [False, True, False],
            "s3": [False, False, True],
            "s4": [False, False, True],
        },
        index=["A", "B", "C"],
    )
    pd.testing.assert_frame_equal(p.assignment, expected)
    assert p.objective == pytest.approx(4.8)
    assert p.overlap_pairs == 0
    # the optimum is unique: brute force over all 2^12 assignments
    sols = _brute(A34, 1, None, 2.0, 1.0)
    best = max(o for o, _ in sols)
    argbest = [x for o, x in sols if o > best - 1e-9]
    assert best == pytest.approx(4.8)
    assert len(argbest) == 1 and (argbest[0] == expected.to_numpy()).all()
    # every lead is a positive net advantage; the labels follow the stated rules
    ex = p.explanation.set_index(["region", "segment"])
    assert ex.loc[("A", "s1"), "decision"] == "best_advantage"
    assert ex.loc[("B", "s1"), "decision"] == "overlap"
    assert ex.loc[("B", "s1"), "net_advantage"] == pytest.approx(0.3 - 1.0)
    labels = p.regions.set_index("region")["label"].to_dict()
    assert labels == {"A": "leader", "B": "leader", "C": "emerging"}
    assert p.regions.set_index("region").loc["C", "segments_led"] == ["s3", "s4"]
    assert p.lp_bound == pytest.approx(4.8)


def test_overlap_penalty_decides_a_second_leader() -> None:
    # B's 1.5 in s1 beats λ = 1 (one other leader): B leads s1 too; with λ = 2 it does not
    a = A34.copy()
    a.loc["B", "s1"] = 1.5
    assert division_of_labour(a, overlap_penalty=1.0).leaders("s1") == ["A", "B"]
    assert division_of_labour(a, overlap_penalty=2.0).leaders("s1") == ["A"]


#: A is strong in s2 (2.2 ≥ keep) but even stronger value comes from A leading s1 when a region
#: may lead one segment only and each overlap costs 2
AKEEP = pd.DataFrame({"s1": [1.0, 0.1, 0.5], "s2": [2.2, 3.0, 0.0]}, index=["A", "B", "C"])


def test_keep_binds() -> None:
    # without keep: A s1 + B s2 = 4.0 (A s2 + B s2 + C s1 = 2.2 + 3.0 − 2 + 0.5 = 3.7)
    free = division_of_labour(AKEEP, max_segments=1, keep=None, overlap_penalty=2.0)
    assert free.leaders("s1") == ["A"] and free.leaders("s2") == ["B"]
    assert free.objective == pytest.approx(4.0)
    ex = free.explanation.set_index(["region", "segment"])
    # A would gain 2.2 − 2 = 0.2 from s2 but is at its limit of one segment
    assert ex.loc[("A", "s2"), "decision"] == "limit_binding"
    # with keep = 2 A keeps s2 (and B keeps s2); s1 falls to C: 3.7
    kept = division_of_labour(AKEEP, max_segments=1, keep=2.0, overlap_penalty=2.0)
    assert kept.leaders("s1") == ["C"] and kept.leaders("s2") == ["A", "B"]
    assert kept.objective == pytest.approx(3.7)
    ex = kept.explanation.set_index(["region", "segment"])
    assert ex.loc[("A", "s2"), "decision"] == "kept"
    assert ex.loc[("B", "s2"), "decision"] == "kept"
    assert ex.loc[("C", "s1"), "decision"] == "best_advantage"
    # both equal the brute-force optimum of their own constraints
    assert max(o for o, _ in _brute(AKEEP, 1, 1, 2.0, 2.0)) == pytest.approx(3.7)
    assert max(o for o, _ in _brute(AKEEP, 1, 1, None, 2.0)) == pytest.approx(4.0)
    # the limit binds for A and B: the LP relaxation values one more allowed segment
    reg = kept.regions.set_index("region")
    assert bool(reg.loc["A", "limit_binding"]) and reg.loc["A", "limit_shadow_value"] > 0


def test_covered_when_min_regions_forces_a_weak_leader() -> None:
    a = pd.DataFrame({"s": [0.5, 0.3]}, index=["A", "B"])
    p = division_of_labour(a, min_regions=2)
    assert p.leaders("s") == ["A", "B"]
    assert set(p.explanation["decision"]) == {"covered"}
    seg = p.segments.set_index("segment")
    # requiring the second leader costs B's 0.3 − the pair's 1 → 0.7 per extra leader
    assert seg.loc["s", "cover_shadow_cost"] == pytest.approx(0.7)
    assert bool(seg.loc["s", "cover_binding"])


def test_components_shown_beside_each_assignment() -> None:
    lq = A34 * 2
    p = division_of_labour(A34, components={"lq": lq})
    ex = p.explanation.set_index(["region", "segment"])
    assert ex.loc[("C", "s4"), "lq"] == pytest.approx(1.2)


# --------------------------------------------------------------------------------------------
# infeasible requests are named
# --------------------------------------------------------------------------------------------


def test_infeasible_names_the_segment_no_region_can_lead() -> None:
    a = A34.copy()
    a["s3"] = np.nan
    with pytest.raises(PlanInfeasible) as e:
        division_of_labour(a)
    assert e.value.segments == ["s3"]
    assert "s3" in e.value.message_zh and "s3" in e.value.message_en
    assert "没有地区能牵头" in e.value.message_zh
    assert "no region can lead" in e.value.message_en
    assert e.value.status == 422 and isinstance(e.value, JiqunError)


def test_infeasible_names_the_limit_that_cannot_hold() -> None:
    a = A34.copy()
    a.loc["A", ["s1", "s2"]] = [2.5, 2.1]  # A keeps two segments
    with pytest.raises(PlanInfeasible) as e:
        division_of_labour(a, max_segments=1)
    assert e.value.regions == ["A"]
    assert "max_segments=1" in e.value.message_zh and "max_segments=1" in e.value.message_en
    # four segments, one leader each, three cities with one segment each: 4 > 3 places
    with pytest.raises(PlanInfeasible) as e:
        division_of_labour(A34, max_segments=1)
    assert "4" in e.value.message_en and "3" in e.value.message_en


def test_infeasible_min_regions_above_the_regions_able() -> None:
    a = A34.copy()
    a.loc[["A", "B"], "s2"] = np.nan
    with pytest.raises(PlanInfeasible) as e:
        division_of_labour(a, min_regions=2)
    assert e.value.segments == ["s2"]


def test_segment_filled_by_kept_segments_is_named() -> None:
    a = pd.DataFrame({"s1": [2.5, 3.0], "s2": [0.1, 0.2]}, index=["A", "B"])
    with pytest.raises(PlanInfeasible) as e:
        division_of_labour(a, max_segments=1)
    assert e.value.segments == ["s2"]


def test_bad_input_refused() -> None:
    with pytest.raises(JiqunError):
        division_of_labour(A34, min_regions=0)
    with pytest.raises(JiqunError):
        division_of_labour(A34, overlap_penalty=-1.0)
    with pytest.raises(JiqunError):
        division_of_labour(A34.replace(0.9, math.inf))


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------


@st.composite
def _cases(draw: st.DrawFn) -> tuple[pd.DataFrame, int, int | None, float | None, float]:
    R = draw(st.integers(2, 4))
    S = draw(st.integers(1, 4))
    vals = draw(
        st.lists(
            st.one_of(st.floats(0.0, 3.0, allow_nan=False), st.just(float("nan"))),
            min_size=R * S,
            max_size=R * S,
        )
    )
    a = pd.DataFrame(
        np.array(vals).reshape(R, S),
        index=[f"r{i}" for i in range(R)],
        columns=[f"s{j}" for j in range(S)],
    )
    m = draw(st.integers(1, 2))
    k = draw(st.one_of(st.none(), st.integers(1, S)))
    keep = draw(st.one_of(st.none(), st.sampled_from([1.5, 2.0, 2.5])))
    lam = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    return a, m, k, keep, lam


@given(_cases())
def test_properties_covered_limits_kept_and_not_worse_than_greedy(case) -> None:
    a, m, k, keep, lam = case
    try:
        p = division_of_labour(a, min_regions=m, max_segments=k, keep=keep, overlap_penalty=lam)
    except PlanInfeasible:
        # infeasible means infeasible: no assignment satisfies the constraints
        if a.size <= 10:
            assert _brute(a, m, k, keep, lam) == []
        assert greedy_division(a, min_regions=m, max_segments=k, keep=keep,
                               overlap_penalty=lam) is None  # fmt: skip
        return
    x = p.assignment.to_numpy()
    arr = a.to_numpy()
    assert (x.sum(axis=0) >= m).all()  # every segment covered
    if k is not None:
        assert (x.sum(axis=1) <= k).all()  # limits respected
    if keep is not None:
        assert x[~np.isnan(arr) & (arr >= keep)].all()  # strengths kept
    assert not x[np.isnan(arr)].any()  # nothing without a basis
    assert p.objective == pytest.approx(plan_objective(p.assignment, a, lam))
    assert p.lp_bound >= p.objective - 1e-6
    g = greedy_division(a, min_regions=m, max_segments=k, keep=keep, overlap_penalty=lam)
    if g is not None:
        assert p.objective >= plan_objective(g, a, lam) - 1e-6  # HiGHS optimality tolerance
    if a.size <= 10:
        best = max(o for o, _ in _brute(a, m, k, keep, lam))
        assert p.objective == pytest.approx(best, abs=1e-6)
