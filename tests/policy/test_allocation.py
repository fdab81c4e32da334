"""Support allocation with diminishing returns: hand-solved cases, the piecewise-linear
approximation against the exact concave optimum, duals and the explanation.

Benefit ``f_c(x) = w_c·s_c·ln(1 + x/s_c)``, so ``f_c'(x) = w_c·s_c/(s_c + x)`` and, where no floor
or cap binds, ``x_c = s_c·(w_c/λ − 1)`` (src/jiqun/policy/allocation.py). The stated tolerance:
each amount within ``2·rtol·(s_c + x_c)`` of the exact optimum.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from jiqun.policy import allocate
from jiqun.policy.allocation import RTOL, benefit, fmt, nz
from jiqun.standard.problems import JiqunError


def _table(
    score: list[float], need: list[float] | None = None, **cols: list[float]
) -> pd.DataFrame:
    n = len(score)
    df = pd.DataFrame(
        {
            "cluster_id": [chr(ord("A") + i) for i in range(n)],
            "field": cols.pop("field", ["it"] * n),
            "stage": ["improvement"] * n,
            "score": score,
            "min": cols.pop("min", [0.0] * n),
            "max": cols.pop("max", [np.nan] * n),
        }
    )
    if need is not None:
        df["need"] = need
    return df


def _amounts(r: object) -> dict[str, float]:
    return r.allocation.set_index("cluster_id")["amount"].to_dict()  # type: ignore[attr-defined]


def _exact(
    w: np.ndarray, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, budget: float
) -> np.ndarray:
    """The exact concave optimum by SLSQP (the budget binds: every benefit is increasing)."""
    x0 = lo + (budget - lo.sum()) * (hi - lo) / (hi - lo).sum()
    res = minimize(
        lambda x: -benefit(x, w, s).sum(),
        x0,
        jac=lambda x: -w * s / (s + x),
        bounds=list(zip(lo, hi, strict=True)),
        constraints=[
            {"type": "eq", "fun": lambda x: x.sum() - budget, "jac": lambda x: np.ones_like(x)}
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert res.success, res.message
    return np.asarray(res.x)


def test_equal_weights_split_equally() -> None:
    r = allocate(_table([60.0, 60.0], need=[10.0, 10.0]), budget=100.0)
    a = _amounts(r)
    assert a["A"] + a["B"] == pytest.approx(100.0)
    # equal within the stated tolerance (the LP may stop inside one segment of either)
    assert abs(a["A"] - a["B"]) <= 2 * RTOL * (10.0 + 50.0)
    assert a["A"] == pytest.approx(50.0, abs=2 * RTOL * 60.0)


def test_weights_two_to_one_closed_form() -> None:
    # interior: w/(s + x) equal for both → x_1 + s = 2 (x_2 + s); with s = 10, B = 100:
    # x_1 + x_2 = 100 and x_1 + 10 = 2 x_2 + 20 → x_2 = 30, x_1 = 70
    r = allocate(_table([80.0, 40.0], need=[10.0, 10.0]), budget=100.0)
    a = _amounts(r)
    assert a["A"] + 10 == pytest.approx(2 * (a["B"] + 10), rel=2 * RTOL)
    assert a["A"] == pytest.approx(70.0, abs=2 * RTOL * 80.0)
    assert a["B"] == pytest.approx(30.0, abs=2 * RTOL * 40.0)
    # λ = w_2 s / (s + x_2) = 0.4 · 10 / 40 = 0.1
    assert r.shadow_price == pytest.approx(0.1, rel=2 * RTOL)
    assert (r.allocation["at"] == "between").all()


def test_budget_below_floors_is_a_clear_error() -> None:
    with pytest.raises(JiqunError) as e:
        allocate(_table([60.0, 50.0], min=[40.0, 40.0]), budget=70.0)
    assert "下限" in e.value.message_zh and "无可行方案" in e.value.message_zh
    assert "infeasible" in e.value.message_en and "80.0" in e.value.message_en
    with pytest.raises(JiqunError, match="C: score=160"):
        allocate(_table([90.0, 80.0, 160.0]), budget=100.0)
    with pytest.raises(JiqunError, match="need=0"):
        allocate(_table([90.0, 80.0], need=[10.0, 0.0]), budget=100.0)


def test_caps_bind() -> None:
    # A alone would take s·(w_A/λ − 1) far above 20; capped at 20, B and C share the other 80
    # by the closed form: (x_B + 10) / (x_C + 10) = 50 / 25 = 2, x_B + x_C = 80
    # → x_C = 70/3, x_B = 170/3, λ = 0.25 · 10 / (x_C + 10) = 0.075
    t = _table([100.0, 50.0, 25.0], need=[10.0, 10.0, 10.0], max=[20.0, np.nan, np.nan])
    r = allocate(t, budget=100.0)
    a = r.allocation.set_index("cluster_id")
    assert a.loc["A", "amount"] == pytest.approx(20.0) and a.loc["A", "at"] == "max"
    assert a.loc["B", "amount"] == pytest.approx(170 / 3, abs=2 * RTOL * 70)
    assert a.loc["C", "amount"] == pytest.approx(70 / 3, abs=2 * RTOL * 35)
    lam = r.shadow_price
    assert lam == pytest.approx(0.075, rel=2 * RTOL)
    # the cap's value: the marginal value at the cap (≈ 1·10/30) above λ
    assert a.loc["A", "reduced_cost"] == pytest.approx(a.loc["A", "marginal_value"] - lam)
    assert a.loc["A", "reduced_cost"] > 0.2
    assert "上限" in a.loc["A", "explanation_zh"] and "cap" in a.loc["A", "explanation_en"]
    assert not r.notes
    # every cluster capped: what is left is said, never silently dropped
    r = allocate(t.assign(max=[20.0, 30.0, 10.0]), budget=100.0)
    assert r.allocation["amount"].sum() == pytest.approx(60.0)
    assert any("40.0" in n and "unallocated" in n for n in r.notes)


def test_floor_only_cluster_and_reduced_cost() -> None:
    # D's first 万元 is worth w_D = 0.05, below λ: it keeps its floor and says how far it is
    t = _table([90.0, 80.0, 70.0, 5.0], need=[10.0] * 4, min=[5.0] * 4)
    r = allocate(t, budget=60.0)
    d = r.allocation.set_index("cluster_id").loc["D"]
    assert d["amount"] == pytest.approx(5.0) and d["at"] == "min"
    assert d["reduced_cost"] == pytest.approx(r.shadow_price - d["marginal_value"])
    assert d["reduced_cost"] > 0 and "下限" in d["explanation_zh"]


@pytest.mark.parametrize("seed", range(6))
def test_piecewise_optimum_is_within_tolerance_of_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    score = rng.uniform(5, 100, n)
    need = rng.uniform(5, 60, n)
    lo = rng.choice([0.0, 5.0], n)
    hi = np.where(rng.random(n) < 0.3, rng.uniform(20, 60, n), np.nan)
    budget = float(rng.uniform(60, 300))
    t = _table(list(score), list(need), min=list(lo), max=list(hi))
    r = allocate(t, budget=budget)
    x = r.allocation["amount"].to_numpy()
    hi_eff = np.minimum(np.nan_to_num(hi, nan=budget), budget)
    ex = _exact(score / 100, need, lo, hi_eff, budget)
    assert np.all(np.abs(x - ex) <= 2 * RTOL * (need + ex) + 1e-6 * budget), (x, ex)
    gap = benefit(ex, score / 100, need).sum() - r.objective
    assert -1e-9 <= gap <= RTOL * r.objective


def test_shadow_price_equals_the_active_marginal_value() -> None:
    t = _table([90.0, 70.0, 55.0, 40.0, 20.0], need=[30.0, 20.0, 25.0, 40.0, 10.0])
    r = allocate(t, budget=200.0)
    a = r.allocation
    between = a[a["at"] == "between"]
    assert len(between) >= 3
    lam = r.shadow_price
    # the active segment's slope is λ itself where the LP stopped inside a segment, and the
    # next segment's slope is never above λ; the exact derivative is within the tolerance
    assert (between["marginal_value"] <= lam * (1 + 1e-9)).all()
    assert np.isclose(between["marginal_value"], lam, rtol=1e-9).any()
    assert np.allclose(between["marginal_exact"], lam, rtol=2 * RTOL)
    assert np.allclose(between["price"], lam)
    # the closed form stated in the explanation holds
    s, w, x = between["need"], between["weight"], between["amount"]
    assert np.allclose(x, s * (w / lam - 1), atol=0, rtol=0.02)


def test_sensitivity_and_priorities_and_field_caps() -> None:
    t = _table([90.0, 80.0, 60.0, 40.0], need=[20.0] * 4, field=["it", "it", "bio", "bio"])
    r = allocate(t, budget=100.0)
    sens = r.sensitivity.set_index("cluster_id")
    assert sens["110%"].sum() == pytest.approx(110.0) and sens["80%"].sum() == pytest.approx(80.0)
    assert (sens["120%"] >= sens["100%"] - 1e-9).all()
    # more money, lower marginal value: the shadow price falls with the budget
    lams = list(r.scenario_shadow_price.values())
    assert all(a > b for a, b in itertools.pairwise(lams))
    base = _amounts(r)
    pr = _amounts(allocate(t, budget=100.0, field_priority={"bio": 2.0}))
    assert pr["C"] > base["C"] and pr["A"] < base["A"]
    capped = allocate(t, budget=100.0, field_shares={"it": (None, 0.3)})
    a = _amounts(capped)
    assert a["A"] + a["B"] == pytest.approx(30.0) and any("it" in n for n in capped.notes)
    # a binding field cap makes money for it scarcer: the it clusters' price is λ plus the
    # cap's dual, and they are funded until their marginal value falls to that price
    c = capped.allocation.set_index("cluster_id")
    assert c.loc["A", "price"] > capped.shadow_price * 1.5
    assert c.loc["A", "marginal_exact"] == pytest.approx(c.loc["A", "price"], rel=2 * RTOL)
    assert c.loc["C", "price"] == pytest.approx(capped.shadow_price)


def test_pools_are_separate() -> None:
    t = _table([90.0, 30.0, 60.0, 60.0], need=[10.0] * 4)
    t["pool"] = ["national", "national", "sme", "sme"]
    r = allocate(t, budget=100.0, pool_shares={"national": 0.6, "sme": 0.4})
    a = _amounts(r)
    assert a["A"] + a["B"] == pytest.approx(60.0) and a["C"] + a["D"] == pytest.approx(40.0)
    assert set(r.shadow_prices) == {"national", "sme"}
    with pytest.raises(JiqunError, match="pool shares"):
        allocate(t, budget=100.0, pool_shares={"national": 1.0})


def test_no_negative_zero() -> None:
    assert fmt(-0.0) == "0.0" and fmt(-0.00004, 1) == "0.0" and fmt(-1e-9, 4) == "0.0000"
    assert str(nz(-0.0)) == "0.0" and not np.signbit(nz(np.array([-0.0, -1e-12]))).any()
    r = allocate(_table([90.0, 1.0, 0.0], need=[10.0] * 3), budget=50.0)
    for col in ("amount", "share", "marginal_value", "reduced_cost", "price", "min"):
        assert not np.signbit(r.allocation[col].to_numpy()).any(), col
    text = " ".join(r.allocation["explanation_zh"]) + " ".join(r.allocation["explanation_en"])
    assert "-0.0" not in text


def test_a_binding_window_is_widened(monkeypatch: pytest.MonkeyPatch) -> None:
    # fine segments only within a factor 1.0001 of the coarse answer: the window binds for
    # most clusters, is removed, and the answer is still the full program's
    from jiqun.policy import allocation

    monkeypatch.setattr(allocation, "_WINDOW", 1.0001)
    score, need = np.array([90.0, 70.0, 55.0, 40.0]), np.array([30.0, 20.0, 25.0, 40.0])
    r = allocate(_table(list(score), list(need)), budget=200.0)
    x = r.allocation["amount"].to_numpy()
    ex = _exact(score / 100, need, np.zeros(4), np.full(4, 200.0), 200.0)
    assert np.all(np.abs(x - ex) <= 2 * RTOL * (need + ex)), (x, ex)
