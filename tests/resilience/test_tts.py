"""Time-to-survive, performance impact and risk exposure (Simchi-Levi et al. 2015).

Every expected value below is solved by hand in the comment next to it; a seeded random check
compares the HiGHS models with an independent dense ``scipy.optimize.linprog`` formulation.
"""

from __future__ import annotations

import doctest
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import jiqun.resilience.tts as tts_mod
from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience import (
    performance_impact,
    read_willems,
    risk_exposure,
    time_to_survive,
    willems_tts_inputs,
)
from jiqun.standard.problems import JiqunError

WILLEMS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "willems_2008"


def frame(rows: list[tuple], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def chain3() -> tuple[pd.DataFrame, pd.DataFrame]:
    """S (stock 100, 2 per A) → A (stock 30) → M (stock 20, demand 10, margin 3)."""
    nodes = frame(
        [("S", 100, None, 0, None), ("A", 30, None, 0, None), ("M", 20, None, 10, 3.0)],
        "id inventory capacity demand margin",
    )
    bom = frame([("A", "s", "S", 2), ("M", "a", "A", 1)], "buyer material supplier units")
    return nodes, bom


def two_sources(alt_capacity: float | None = 4.0, alt_units: float = 1.0) -> tuple:
    """A (stock 20, demand 10, margin 5) buys material c from S1 (stock 30, cap 10) or S2."""
    nodes = frame(
        [("S1", 30, 10, 0, None), ("S2", 0, alt_capacity, 0, None), ("A", 20, None, 10, 5.0)],
        "id inventory capacity demand margin",
    )
    bom = frame(
        [("A", "c", "S1", 1.0), ("A", "c", "S2", alt_units)], "buyer material supplier units"
    )
    return nodes, bom


# --------------------------------------------------------------------------------------------
# time-to-survive
# --------------------------------------------------------------------------------------------


def test_single_chain_uses_all_downstream_inventory() -> None:
    nodes, bom = chain3()
    # S down: 100/2 = 50 units of A, + 30 at A, + 20 at M = 100 units / 10 per period
    assert time_to_survive(nodes, bom, "S") == pytest.approx(10.0)
    # A down: S's stock is stranded; 30 + 20 = 50 → 5
    assert time_to_survive(nodes, bom, "A") == pytest.approx(5.0)
    # M down: only its own 20 → 2
    assert time_to_survive(nodes, bom, ["M"]) == pytest.approx(2.0)
    # S and A down together: still 30 + 20 (A's stock ships, it just cannot produce)
    assert time_to_survive(nodes, bom, ("S", "A")) == pytest.approx(5.0)


def test_capacity_binds_downstream() -> None:
    nodes, bom = chain3()
    nodes.loc[nodes["id"] == "A", "capacity"] = 4.0
    # S down; A makes ≤ 4t from S's 50 A-equivalents: 20 + 30 + min(4t, 50) ≥ 10t → t = 50/6
    assert time_to_survive(nodes, bom, "S") == pytest.approx(50 / 6)
    # no disruption: A at capacity 4, supplies unlimited by S: 50 + 4t ≥ 10t → 50/6 as well
    assert time_to_survive(nodes, bom, []) == pytest.approx(50 / 6)


def test_alternative_supplier_spare_capacity_extends_tts() -> None:
    nodes, bom = two_sources()
    # S1 down: 20 + 30 + 4t ≥ 10t → t = 50/6 (without the alternative it would be 5)
    assert time_to_survive(nodes, bom, "S1") == pytest.approx(50 / 6)
    assert time_to_survive(nodes, bom.iloc[:1], "S1") == pytest.approx(5.0)
    # S2 needs 2 units per unit of A: 20 + 30 + 4t/2 ≥ 10t → t = 6.25
    nodes2, bom2 = two_sources(alt_units=2.0)
    assert time_to_survive(nodes2, bom2, "S1") == pytest.approx(6.25)
    # S2 down: S1 alone (cap 10) covers demand 10 forever → horizon
    with pytest.warns(JiqunWarning, match="horizon"):
        assert time_to_survive(nodes, bom, "S2", horizon=50) == 50.0


def test_unlimited_alternative_returns_horizon_with_warning() -> None:
    nodes, bom = two_sources(alt_capacity=None)
    with pytest.warns(JiqunWarning, match="horizon 1000"):
        assert time_to_survive(nodes, bom, "S1") == 1000.0
    with pytest.warns(JiqunWarning, match="365"):
        assert time_to_survive(nodes, bom, "S1", horizon=365) == 365.0


def test_shared_component_between_final_products() -> None:
    # C (stock 60) feeds P1 (1 C/unit, stock 10, demand 5) and P2 (2 C/unit, stock 0, demand 5)
    nodes = frame(
        [("C", 60, None, 0, None), ("P1", 10, None, 5, 2.0), ("P2", 0, None, 5, 10.0)],
        "id inventory capacity demand margin",
    )
    bom = frame([("P1", "c", "C", 1), ("P2", "c", "C", 2)], "buyer material supplier units")
    # (5t − 10) + 2·5t ≤ 60 → t = 70/15
    assert time_to_survive(nodes, bom, "C") == pytest.approx(70 / 15)
    # T = 6: P2 earns 10/2 = 5 per unit of C, P1 earns 2 → all 60 C to P2 (30 units, no loss);
    # P1 sells its 10 and loses 20 × 2 = 40
    assert performance_impact(nodes, bom, "C", ttr=6) == pytest.approx(40.0)
    # T = 7: P2 needs 70 C, gets 60 → loses 5 × 10 = 50; P1 loses 25 × 2 = 50 → 100
    assert performance_impact(nodes, bom, "C", ttr=7) == pytest.approx(100.0)


def test_node_that_sells_and_supplies_is_not_double_counted() -> None:
    # A (stock 20) sells 5/period itself and supplies M (demand 5, stock 0); S feeds A
    nodes = frame(
        [("S", 0, None, 0, None), ("A", 20, None, 5, 1.0), ("M", 0, None, 5, 1.0)],
        "id inventory capacity demand margin",
    )
    bom = frame([("A", "s", "S", 1), ("M", "a", "A", 1)], "buyer material supplier units")
    assert time_to_survive(nodes, bom, "S") == pytest.approx(2.0)  # 5t + 5t ≤ 20


def test_multi_material_assembly_limited_by_scarcest_input() -> None:
    # A needs 1 x (from X, stock 12) and 3 z (from Z, stock 90); A stock 0; M demand 2
    nodes = frame(
        [
            ("X", 12, None, 0, None),
            ("Z", 90, None, 0, None),
            ("A", 0, None, 0, None),
            ("M", 4, None, 2, 1.0),
        ],
        "id inventory capacity demand margin",
    )
    bom = frame(
        [("A", "x", "X", 1), ("A", "z", "Z", 3), ("M", "a", "A", 1)],
        "buyer material supplier units",
    )
    assert time_to_survive(nodes, bom, "X") == pytest.approx((12 + 4) / 2)  # 8
    assert time_to_survive(nodes, bom, "Z") == pytest.approx((90 / 3 + 4) / 2)  # 17


# --------------------------------------------------------------------------------------------
# performance impact
# --------------------------------------------------------------------------------------------


def test_pi_zero_when_tts_covers_ttr_else_margin_times_shortfall() -> None:
    nodes, bom = two_sources()
    tts = 50 / 6
    assert performance_impact(nodes, bom, "S1", ttr=8) == 0.0
    assert performance_impact(nodes, bom, "S1", ttr=tts) == 0.0
    assert performance_impact(nodes, bom, "S1", ttr=0) == 0.0
    # T = 12: demand 120, supplied 20 + 30 + 4·12 = 98 → 22 short × margin 5
    assert performance_impact(nodes, bom, "S1", ttr=12) == pytest.approx(110.0)
    nodes3, bom3 = chain3()
    # A down for 8: 50 of 80 delivered → 30 × 3
    assert performance_impact(nodes3, bom3, "A", ttr=8) == pytest.approx(90.0)


# --------------------------------------------------------------------------------------------
# risk exposure
# --------------------------------------------------------------------------------------------


def test_risk_exposure_scalar_ttr() -> None:
    nodes, bom = chain3()
    r = risk_exposure(nodes, bom, 8)
    assert list(r.index) == ["S", "A", "M"] and r.index.name == "id"
    assert list(r.columns) == ["tts", "pi", "rei", "at_risk"]
    np.testing.assert_allclose(r["tts"], [10, 5, 2])
    np.testing.assert_allclose(r["pi"], [0, 90, 180], atol=1e-9)  # 30×3, 60×3
    np.testing.assert_allclose(r["rei"], [0, 0.5, 1], atol=1e-12)
    assert r["at_risk"].tolist() == [False, True, True]
    assert list(r.sort_values("rei", ascending=False).index) == ["M", "A", "S"]


def test_risk_exposure_ttr_per_node_and_missing() -> None:
    nodes, bom = chain3()
    r = risk_exposure(nodes, bom, {"S": 12, "A": 4, "M": 3})
    # S: 100 of 120 → 20×3 = 60; A: 5 ≥ 4 → 0; M: 20 of 30 → 10×3 = 30
    np.testing.assert_allclose(r["pi"], [60, 0, 30], atol=1e-9)
    np.testing.assert_allclose(r["rei"], [1, 0, 0.5], atol=1e-12)
    assert r["at_risk"].tolist() == [True, False, True]
    with pytest.warns(JiqunWarning, match="'M'"):
        r2 = risk_exposure(nodes, bom, pd.Series({"S": 12, "A": 4}))
    assert np.isnan(r2.loc["M", "pi"]) and np.isnan(r2.loc["M", "rei"])
    assert r2["at_risk"].isna().tolist() == [False, False, True]
    assert r2.loc["M", "tts"] == pytest.approx(2.0)
    with pytest.raises(JiqunError, match="'Q'"):
        risk_exposure(nodes, bom, {"S": 1, "Q": 2})


def test_risk_exposure_horizon_raised_to_ttr() -> None:
    nodes, bom = two_sources(alt_capacity=None)
    with pytest.warns(JiqunWarning, match="horizon 2000"):
        r = risk_exposure(nodes, bom, 2000)
    # S1 down: S2 unlimited → survives; S2 down: S1 (cap 10) covers demand; A down: 20/10 = 2
    np.testing.assert_allclose(r["tts"], [2000, 2000, 2])
    assert r["at_risk"].tolist() == [False, False, True]
    assert r.loc["A", "pi"] == pytest.approx((10 * 2000 - 20) * 5)


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def test_unknown_bom_id_names_row_field_value() -> None:
    nodes, bom = chain3()
    bom.loc[1, "supplier"] = "X9"
    with pytest.raises(JiqunError) as e:
        time_to_survive(nodes, bom, "S")
    assert "bom row 2 column 'supplier' value 'X9'" in e.value.message_en
    assert "bom 表第 2 行" in e.value.message_zh and "'X9'" in e.value.message_zh
    assert e.value.problems[0].rule == "tts.unknown_id"


def test_problem_rows_are_python_ints_and_serialise() -> None:
    # The web layer sends Problem.as_dict() as JSON: a NumPy integer row cannot be encoded.
    nodes, bom = chain3()
    nodes.loc[1, "inventory"] = -5
    nodes = nodes.astype({"demand": object})
    nodes.loc[2, "demand"] = "many"
    with pytest.raises(JiqunError) as e:
        time_to_survive(nodes, bom, "S")
    rows = [p.row for p in e.value.problems]
    assert rows == [2, 3] and all(type(r) is int for r in rows)
    sent = json.loads(json.dumps([p.as_dict() for p in e.value.problems]))
    assert [p["row"] for p in sent] == [2, 3]


def test_negative_inventory() -> None:
    nodes, bom = chain3()
    nodes.loc[1, "inventory"] = -5
    with pytest.raises(JiqunError) as e:
        time_to_survive(nodes, bom, "S")
    assert "nodes row 2 column 'inventory' value -5" in e.value.message_en
    assert "不能为负" in e.value.message_zh


def test_missing_columns() -> None:
    nodes, bom = chain3()
    with pytest.raises(JiqunError) as e:
        time_to_survive(nodes.drop(columns="capacity"), bom, "S")
    assert "'capacity'" in e.value.message_en and "缺少该列" in e.value.message_zh
    with pytest.raises(JiqunError, match="'margin'"):
        performance_impact(nodes.drop(columns="margin"), bom, "S", 3)
    with pytest.raises(JiqunError, match="'units'"):
        time_to_survive(nodes, bom.drop(columns="units"), "S")
    # margin is not needed for TTS
    assert time_to_survive(nodes.drop(columns="margin"), bom, "S") == pytest.approx(10)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda n, b: n.loc.__setitem__((2, "id"), "A"), "duplicated id"),
        (lambda n, b: b.loc.__setitem__((0, "units"), 0), "must be > 0"),
        (lambda n, b: n.loc.__setitem__((0, "capacity"), "lots"), "is not a number"),
        (lambda n, b: n.loc.__setitem__((2, "demand"), float("inf")), "must be finite"),
        (lambda n, b: b.loc.__setitem__((0, "supplier"), "A"), "supplier equals buyer"),
    ],
)
def test_other_input_errors(edit, needle: str) -> None:
    nodes, bom = chain3()
    nodes = nodes.astype({"id": object, "capacity": object, "demand": float})
    edit(nodes, bom)
    with pytest.raises(JiqunError, match=needle):
        time_to_survive(nodes, bom, "S")


def test_more_errors() -> None:
    nodes, bom = chain3()
    with pytest.raises(JiqunError, match="'Z'") as e:
        time_to_survive(nodes, bom, ["S", "Z"])
    assert "disrupted" in e.value.message_zh
    with pytest.raises(JiqunError, match="horizon"):
        time_to_survive(nodes, bom, "S", horizon=0)
    with pytest.raises(JiqunError, match="ttr"):
        performance_impact(nodes, bom, "S", ttr=-1)
    no_margin = nodes.assign(margin=None)
    with pytest.raises(JiqunError, match="has demand but no margin"):
        performance_impact(no_margin, bom, "S", 3)
    with pytest.raises(JiqunError, match="no node has external demand"):
        time_to_survive(nodes.assign(demand=0), bom, "S")
    cyc = pd.concat([bom, frame([("S", "m", "M", 1)], "buyer material supplier units")])
    with pytest.raises(JiqunError, match="cycle"):
        time_to_survive(nodes, cyc.reset_index(drop=True), "S")
    dup = pd.concat([bom, bom.iloc[:1]], ignore_index=True)
    with pytest.raises(JiqunError) as e:
        time_to_survive(nodes, dup, "S")
    assert "bom row 3" in e.value.message_en and "duplicated" in e.value.message_en
    two = nodes.copy()
    two.loc[0, "inventory"] = -1
    two.loc[1, "inventory"] = -2
    with pytest.raises(JiqunError) as e:
        time_to_survive(two, bom, "S")
    assert len(e.value.problems) == 2 and e.value.message_en.startswith("2 problems")


# --------------------------------------------------------------------------------------------
# independent cross-check and Willems
# --------------------------------------------------------------------------------------------


def _dense_lp(nodes: pd.DataFrame, bom: pd.DataFrame, down: str, ttr: float | None) -> float:
    """The METHODS.md §6 model with explicit sales x and lost sales l, via scipy's linprog.

    Variables [u (n), y (m), x (n), l (n), t]; TTS when ttr is None, else PI with t = ttr.
    """
    ids = list(nodes["id"])
    n, m = len(ids), len(bom)
    pos = {k: i for i, k in enumerate(ids)}
    nv = 3 * n + m + 1
    U, Y, X, L, T = 0, n, n + m, 2 * n + m, 3 * n + m
    A, b = [], []
    for (j, _k), g in bom.groupby(["buyer", "material"]):
        row = np.zeros(nv)
        row[U + pos[j]] = 1
        for e in g.index:
            row[Y + e] = -1 / g.loc[e, "units"]
        A.append(row)
        b.append(0)
    cap = pd.to_numeric(nodes["capacity"]).to_numpy(float)
    inv = nodes["inventory"].to_numpy(float)
    dem = nodes["demand"].to_numpy(float)
    for i in range(n):
        row = np.zeros(nv)
        for e in np.flatnonzero(bom["supplier"].to_numpy() == ids[i]):
            row[Y + e] = 1
        row[X + i] = 1
        row[U + i] = -1
        A.append(row)
        b.append(inv[i])
        if np.isfinite(cap[i]):
            row = np.zeros(nv)
            row[U + i] = 1
            row[T] = -cap[i]
            A.append(row)
            b.append(0)
    Aeq, beq = [], []
    for i in range(n):  # x_i + l_i = d_i t
        row = np.zeros(nv)
        row[X + i] = 1
        row[L + i] = 1
        row[T] = -dem[i]
        Aeq.append(row)
        beq.append(0)
    bounds = [(0, None)] * nv
    bounds[U + pos[down]] = (0, 0)
    c = np.zeros(nv)
    if ttr is None:
        for i in range(n):
            bounds[L + i] = (0, 0)
        bounds[T] = (0, 1e4)
        c[T] = -1
    else:
        bounds[T] = (ttr, ttr)
        c[L : L + n] = pd.to_numeric(nodes["margin"]).fillna(0).to_numpy(float)
    res = linprog(c, A_ub=np.array(A), b_ub=b, A_eq=np.array(Aeq), b_eq=beq, bounds=bounds)
    assert res.status == 0
    return -res.fun if ttr is None else res.fun


def _random_chain(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = 9
    ids = [f"n{i}" for i in range(n)]
    rows = []
    for j in range(3, n):  # buyers only draw from lower-numbered nodes: a DAG
        for k in range(rng.integers(1, 3)):
            for s in rng.choice(j, size=rng.integers(1, 3), replace=False):
                rows.append((ids[j], f"m{j}_{k}", ids[s], float(rng.integers(1, 4))))
    bom = frame(rows, "buyer material supplier units").drop_duplicates(
        ["buyer", "material", "supplier"], ignore_index=True
    )
    cap = rng.choice([np.nan, 3.0, 8.0, 20.0], size=n)
    dem = np.where(np.arange(n) >= n - 3, rng.integers(1, 6, size=n), 0).astype(float)
    nodes = pd.DataFrame(
        {
            "id": ids,
            "inventory": rng.integers(0, 60, size=n).astype(float),
            "capacity": cap,
            "demand": dem,
            "margin": np.where(dem > 0, rng.integers(1, 9, size=n), np.nan),
        }
    )
    return nodes, bom


def test_random_chains_match_independent_linprog() -> None:
    rng = np.random.default_rng(20260101)
    for _ in range(6):
        nodes, bom = _random_chain(rng)
        for down in ("n0", "n2", "n4"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", JiqunWarning)
                got = time_to_survive(nodes, bom, down, horizon=1e4)
            assert got == pytest.approx(_dense_lp(nodes, bom, down, None), rel=1e-6, abs=1e-6)
            ttr = 7.5
            assert performance_impact(nodes, bom, down, ttr) == pytest.approx(
                _dense_lp(nodes, bom, down, ttr), rel=1e-6, abs=1e-6
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", JiqunWarning)
            r = risk_exposure(nodes, bom, 7.5, horizon=1e4)
        pi = [_dense_lp(nodes, bom, i, 7.5) for i in nodes["id"]]
        np.testing.assert_allclose(r["pi"], pi, rtol=1e-6, atol=1e-6)


@pytest.mark.skipif(not (WILLEMS / "invnet_full").exists(), reason="Willems data absent")
def test_willems_chain_01_by_hand() -> None:
    stages, arcs = read_willems(WILLEMS / "invnet_full" / "01.csv")
    nodes, bom = willems_tts_inputs(stages, arcs)
    q = nodes.set_index("id")["throughput"]
    # retail demands 253, 45, 75; Manuf_0001 → Retail 1, 2; Manuf_0002 → Retail 2, 3
    assert q["Manuf_0001"] == 253 + 45 and q["Manuf_0002"] == 45 + 75
    assert q["Part_0001"] == 253 + 45 + 45 + 75
    r = risk_exposure(nodes, bom, 20)
    # retail stages hold no stock (time 0) → TTS 0; Manuf stages hold 10 periods
    assert (r.loc[r.index.str.startswith("Retail"), "tts"] == 0).all()
    # Manuf_0001 down: Retail_0001 relies on it alone → its 10 periods of pipeline stock
    assert r.loc["Manuf_0001", "tts"] == pytest.approx(10.0)
    # Part_0003 (time 10) down: 10 periods of its stock, then 10 of each Manuf's → 20
    assert r.loc["Part_0003", "tts"] == pytest.approx(20.0)
    assert r["at_risk"].tolist() == (r["tts"] < 20).tolist()
    assert r["rei"].max() == pytest.approx(1.0)


def test_docstring_examples() -> None:
    result = doctest.testmod(tts_mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 10


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_full_and_reduced_models_agree(monkeypatch: pytest.MonkeyPatch, share: float) -> None:
    """share 0 forces the warm-started full LP, share 1 the reduced LP of every disruption."""
    rng = np.random.default_rng(7)
    chains = [_random_chain(rng) for _ in range(4)] + [chain3(), two_sources()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        expected = [risk_exposure(n, b, 6.0, horizon=1e4) for n, b in chains]
        monkeypatch.setattr(tts_mod, "_REDUCE_SHARE", share)
        got = [risk_exposure(n, b, 6.0, horizon=1e4) for n, b in chains]
    for e, g in zip(expected, got, strict=True):
        pd.testing.assert_frame_equal(e, g, rtol=1e-7, atol=1e-7)


@pytest.mark.skipif(not (WILLEMS / "snc_simplified").exists(), reason="Willems data absent")
def test_willems_formats_agree_and_units_are_used() -> None:
    a = willems_tts_inputs(*read_willems(WILLEMS / "invnet_full" / "01.csv"))[0]
    b = willems_tts_inputs(*read_willems(WILLEMS / "snc_simplified" / "willems_01.csv"))[0]
    pd.testing.assert_series_equal(
        a.set_index("id")["throughput"], b.set_index("id")["throughput"].loc[a["id"]]
    )
    stages = frame([("P", 0, 1, 0), ("R", 0, 0, 4)], "id cost time demand")
    nodes, bom = willems_tts_inputs(stages, frame([("P", "R", 3)], "supplier buyer units"))
    assert nodes["throughput"].tolist() == [12, 4] and bom["units"].tolist() == [3]
    with pytest.raises(JiqunError, match="arcs row 1 column 'buyer' value 'Q'"):
        willems_tts_inputs(stages, frame([("P", "Q")], "supplier buyer"))
