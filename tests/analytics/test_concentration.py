"""Concentration indices: hand-computed cases, EconGeo/REAT conventions, Ellison–Glaeser on the
Farhauer & Kröll (2014) firm data (REAT's FK2014_EGC) recomputed independently from eq. 5 / eq. 7."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.concentration import (
    CoagglomerationResult,
    coagglomeration,
    ellison_glaeser,
    gini,
    hoover_concentration,
    locational_gini,
    spatial_gini,
    theil,
)
from jiqun.analytics.rca import JiqunWarning
from jiqun.standard.problems import JiqunError


def _datasets() -> Path:
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


FK2014 = _datasets() / "reat_fk2014" / "FK2014_EGC.csv"

# three regions of equal size (x_r = 1/3); i = (0, 2, 8), j = (10, 8, 2)
X = pd.DataFrame({"i": [0.0, 2.0, 8.0], "j": [10.0, 8.0, 2.0]}, index=["r1", "r2", "r3"])


# ------------------------------------------------------------------------------------------
# Gini family
# ------------------------------------------------------------------------------------------


def test_gini_econgeo_documented_vector() -> None:
    # EconGeo's example vector c(0, 10, 10, 30, 50): Y = (0, .1, .2, .5, 1)
    # G = 1 − (1/5)[(0+0) + (0+.1) + (.1+.2) + (.2+.5) + (.5+1)] = 1 − 2.6/5 = .48
    v = pd.DataFrame({"ind": [0, 10, 10, 30, 50]}, index=list("abcde"))
    assert gini(v)["ind"] == pytest.approx(0.48, abs=1e-15)
    # REAT: 2Σ k·x_(k) / (nΣx) − (n+1)/n = 2·420/500 − 6/5 = .48 ; coefnorm: · n/(n−1) = .6
    assert gini(v, normalized=True)["ind"] == pytest.approx(0.6, abs=1e-15)


def test_gini_matches_reat_formula_random_and_region_axis() -> None:
    rng = np.random.default_rng(1)
    Y = pd.DataFrame(rng.integers(0, 100, size=(9, 4)).astype(float) + 1, columns=list("abcd"))
    G = gini(Y)
    for c in Y.columns:
        x = np.sort(Y[c].to_numpy())
        n = len(x)
        reat = 2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n
        assert G[c] == pytest.approx(reat, abs=1e-12)
    Gr = gini(Y, axis="region")
    assert list(Gr.index) == list(Y.index)
    assert Gr.iloc[0] == pytest.approx(gini(Y.iloc[[0]].T.rename(columns={0: "x"}))["x"])


def test_gini_extremes_and_zero_column() -> None:
    one = pd.DataFrame({"a": [0.0, 0.0, 0.0, 5.0], "b": [1.0, 1.0, 1.0, 1.0]})
    g = gini(one)
    assert g["a"] == pytest.approx(3 / 4)  # (n − 1)/n
    assert g["b"] == pytest.approx(0.0)
    assert gini(one, normalized=True)["a"] == pytest.approx(1.0)
    with pytest.warns(JiqunWarning, match="'z'"):
        g2 = gini(one.assign(z=0.0))
    assert "z" not in g2.index


def test_locational_gini_hand() -> None:
    L = locational_gini(X)
    # i: sorted by LQ (r1, r2, r3): c = (0, .2, 1), p = (1/3, 2/3, 1)
    # (c2 p1 + c3 p2 − c1 p2 − c2 p3)/2 = (.2/3 + 2/3 − 0 − .2)/2 = (8/15)/2 = 4/15
    assert L["i"] == pytest.approx(4 / 15)
    # j = (10, 8, 2): sorted (r3, r2, r1): c = (.1, .5, 1), p = (1/3, 2/3, 1)
    # (.5·1/3 + 1·2/3 − .1·2/3 − .5·1)/2 = (25/30 − 17/30)/2 = 2/15
    assert L["j"] == pytest.approx(2 / 15)


def _loc_gini_trapezoid(ind: np.ndarray, pop: np.ndarray) -> float:
    """Independent form: half the usual Lorenz-curve Gini, 1 − Σ Δp (c_k + c_{k−1})."""
    o = np.argsort(ind / pop, kind="stable")
    c = np.concatenate([[0.0], np.cumsum(ind[o]) / ind.sum()])
    p = np.concatenate([[0.0], np.cumsum(pop[o]) / pop.sum()])
    return (1 - np.sum(np.diff(p) * (c[1:] + c[:-1]))) / 2


def test_locational_gini_econgeo_example_matrix() -> None:
    # EconGeo's documented example matrix for locational_gini
    mat = pd.DataFrame(
        [
            [100, 0, 0, 0, 0],
            [0, 15, 5, 70, 10],
            [0, 20, 10, 20, 50],
            [0, 25, 30, 5, 40],
            [0, 40, 55, 5, 0],
        ],
        index=["R1", "R2", "R3", "R4", "R5"],
        columns=["I1", "I2", "I3", "I4", "I5"],
        dtype=float,
    )
    L = locational_gini(mat)
    pop = mat.sum(axis=1).to_numpy()
    for c in mat.columns:
        assert L[c] == pytest.approx(_loc_gini_trapezoid(mat[c].to_numpy(), pop), abs=1e-12)
    # I1 sits in one region holding 20% of activity: c jumps to 1 at the end,
    # G = (1 − (.8·0 + .2·1))/2 = .4
    assert L["I1"] == pytest.approx(0.4)
    assert (L <= 0.5).all()


def test_locational_gini_region_totals_and_limits() -> None:
    # an industry spread exactly like the region sizes → 0
    Y = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=["p", "q", "r"])
    assert locational_gini(Y, region_totals=pd.Series({"p": 10.0, "q": 20.0, "r": 30.0}))[
        "a"
    ] == pytest.approx(0.0, abs=1e-15)
    # tends to .5 when the industry sits in one tiny region
    n = 200
    tiny = pd.DataFrame({"a": [1.0] + [0.0] * (n - 1)}, index=range(n))
    sizes = pd.Series([1.0] + [1000.0] * (n - 1), index=range(n))
    assert locational_gini(tiny, region_totals=sizes)["a"] == pytest.approx(0.5, abs=1e-5)
    with pytest.raises(JiqunError):
        locational_gini(Y, region_totals=pd.Series({"p": 1.0}))
    with pytest.warns(JiqunWarning, match="'s'"):
        L = locational_gini(pd.concat([X, pd.DataFrame({"i": [0.0], "j": [0.0]}, index=["s"])]))
    assert L["i"] == pytest.approx(4 / 15)


def test_hoover_concentration_and_spatial_gini_hand() -> None:
    # i: shares (0, .2, .8) vs x = (1/3, 1/3, 1/3)
    # Hoover: ½(1/3 + 2/15 + 7/15) = ½ · 14/15 = 7/15
    # spatial Gini: (1/3)² + (2/15)² + (7/15)² = (25 + 4 + 49)/225 = 78/225
    assert hoover_concentration(X)["i"] == pytest.approx(7 / 15)
    assert spatial_gini(X)["i"] == pytest.approx(78 / 225)
    # with external region sizes (50, 30, 20): x = (.5, .3, .2), i shares (0, .2, .8)
    rt = pd.Series({"r1": 50.0, "r2": 30.0, "r3": 20.0})
    # Hoover: ½(.5 + .1 + .6) = .6 ; spatial Gini: .25 + .01 + .36 = .62
    assert hoover_concentration(X, region_totals=rt)["i"] == pytest.approx(0.6)
    assert spatial_gini(X, region_totals=rt)["i"] == pytest.approx(0.62)
    with pytest.raises(JiqunError):  # region of size 0 but positive values
        spatial_gini(X, region_totals=pd.Series({"r1": 0.0, "r2": 1.0, "r3": 1.0}))


def test_theil_hand() -> None:
    Y = pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 2.0], "c": [0.0, 4.0]}, index=["p", "q"])
    T = theil(Y)
    # a: μ = 2, ½(.5 ln .5 + 1.5 ln 1.5) ; b: 0 ; c: ½(0 + 2 ln 2) = ln 2 (= ln n, the maximum)
    assert T["a"] == pytest.approx(0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5)))
    assert T["b"] == pytest.approx(0.0)
    assert T["c"] == pytest.approx(math.log(2))
    with pytest.warns(JiqunWarning, match="'c'"):
        L = theil(Y, kind="L")
    # a: ½(ln 2 + ln(2/3)) ; c: +inf
    assert L["a"] == pytest.approx(0.5 * (math.log(2) + math.log(2 / 3)))
    assert L["c"] == math.inf
    with pytest.raises(JiqunError):
        theil(Y, kind="X")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Ellison–Glaeser
# ------------------------------------------------------------------------------------------


def test_ellison_glaeser_small_hand() -> None:
    firms = pd.DataFrame(
        {
            "r": ["A", "A", "B", "B", "B"],
            "ind": ["i", "i", "j", "j", "i"],
            "emp": [2.0, 2.0, 3.0, 1.0, 0.0],
        }
    )
    eg = ellison_glaeser(firms, region="r", industry="ind", size="emp")
    # x = (4/8, 4/8); Σx² = .5. i: all 4 in A → s = (1, 0): G = .25 + .25 = .5 ;
    # H = (2/4)² + (2/4)² + 0 = .5 ; γ = (.5 − .5·.5)/(.5·.5) = 1
    # j: all in B → G = .5 ; H = (3/4)² + (1/4)² = .625 ; γ = (.5 − .3125)/(.5·.375) = 1
    assert eg.loc["i", ["gamma", "G", "H"]].tolist() == pytest.approx([1.0, 0.5, 0.5])
    assert eg.loc["j", ["gamma", "G", "H"]].tolist() == pytest.approx([1.0, 0.5, 0.625])
    assert eg.loc["i", "n_firms"] == 3
    assert eg.attrs["sum_x2"] == pytest.approx(0.5)


def test_ellison_glaeser_single_plant_and_errors() -> None:
    firms = pd.DataFrame(
        {"region": ["A", "B", "B"], "industry": ["i", "j", "j"], "size": [5.0, 1.0, 1.0]}
    )
    with pytest.warns(JiqunWarning, match="'i'"):
        eg = ellison_glaeser(firms)
    assert np.isnan(eg.loc["i", "gamma"])
    with pytest.raises(JiqunError):
        ellison_glaeser(firms, size="employees")
    bad = firms.assign(size=[1.0, -1.0, 1.0])
    with pytest.raises(JiqunError, match="-1"):
        ellison_glaeser(bad)
    with pytest.raises(JiqunError):
        ellison_glaeser(firms, region_totals=pd.Series({"A": 1.0}))  # B missing


def _fk() -> pd.DataFrame:
    if not FK2014.exists():
        pytest.skip(f"shared dataset absent: {FK2014} (set JIQUN_SHARED_DATASETS)")
    return pd.read_csv(FK2014)


def _eg_by_hand(rows: list[tuple], x: dict) -> dict:
    """EG 1997 eq. 5 with plain Python loops, per industry: (gamma, G, H)."""
    emp_ir: dict = defaultdict(float)
    emp_i: dict = defaultdict(float)
    for r, i, _firm, e in rows:
        emp_ir[(i, r)] += e
        emp_i[i] += e
    sx2 = sum(v * v for v in x.values())
    out = {}
    for i, Ei in emp_i.items():
        G = sum((emp_ir.get((i, r), 0.0) / Ei - xr) ** 2 for r, xr in x.items())
        H = sum((e / Ei) ** 2 for (_r, ii, _f, e) in rows if ii == i)
        out[i] = ((G - (1 - sx2) * H) / ((1 - sx2) * (1 - H)), G, H)
    return out


def test_ellison_glaeser_fk2014_recomputed() -> None:
    fk = _fk()
    eg = ellison_glaeser(fk, region="region", industry="industry", size="emp_firm")
    rows = list(fk[["region", "industry", "firm", "emp_firm"]].itertuples(index=False, name=None))
    tot: dict = defaultdict(float)
    for r, _i, _f, e in rows:
        tot[r] += e
    x = {r: v / sum(tot.values()) for r, v in tot.items()}  # all firms' regional shares
    hand = _eg_by_hand(rows, x)
    assert sorted(eg.index) == sorted(hand)
    assert len(eg) == 4
    for i, (g, G, H) in hand.items():
        assert eg.loc[i, "gamma"] == pytest.approx(g, rel=1e-12, abs=1e-14)
        assert eg.loc[i, "G"] == pytest.approx(G, rel=1e-12, abs=1e-14)
        assert eg.loc[i, "H"] == pytest.approx(H, rel=1e-12, abs=1e-14)
    assert eg["n_firms"].sum() == len(fk)


def test_ellison_glaeser_fk2014_external_region_sizes() -> None:
    fk = _fk()
    sizes = fk.groupby("region")["emp_region"].first()  # 360000, 108000, 132000
    eg = ellison_glaeser(fk, size="emp_firm", region_totals=sizes)
    rows = list(fk[["region", "industry", "firm", "emp_firm"]].itertuples(index=False, name=None))
    x = (sizes / sizes.sum()).to_dict()
    for i, (g, G, H) in _eg_by_hand(rows, x).items():
        assert eg.loc[i, ["gamma", "G", "H"]].tolist() == pytest.approx([g, G, H], rel=1e-12)


def _coagg_by_hand(rows: list[tuple], group: list, x: dict) -> float:
    """EG 1997 eq. 7 from scratch."""
    sx2 = sum(v * v for v in x.values())
    per = _eg_by_hand(rows, x)
    E = {i: sum(e for (_r, ii, _f, e) in rows if ii == i) for i in group}
    Eg = sum(E.values())
    w = {i: E[i] / Eg for i in group}
    grp_r: dict = defaultdict(float)
    for r, i, _f, e in rows:
        if i in group:
            grp_r[r] += e
    G = sum((grp_r.get(r, 0.0) / Eg - xr) ** 2 for r, xr in x.items())
    H = sum(w[i] ** 2 * per[i][2] for i in group)
    s = sum(per[i][0] * w[i] ** 2 * (1 - per[i][2]) for i in group)
    return (G / (1 - sx2) - H - s) / (1 - sum(v * v for v in w.values()))


def test_coagglomeration_fk2014_recomputed() -> None:
    fk = _fk()
    rows = list(fk[["region", "industry", "firm", "emp_firm"]].itertuples(index=False, name=None))
    tot: dict = defaultdict(float)
    for r, _i, _f, e in rows:
        tot[r] += e
    x = {r: v / sum(tot.values()) for r, v in tot.items()}
    inds = sorted(fk["industry"].unique())
    for group in (
        ["Clothing trade", "Textiles trade"],
        ["Textiles dyeing", "Forestry"],
        inds,
    ):
        res = coagglomeration(fk, group, size="emp_firm")
        assert isinstance(res, CoagglomerationResult)
        assert res.gamma_c == pytest.approx(_coagg_by_hand(rows, group, x), rel=1e-12, abs=1e-14)
        assert float(res) == res.gamma_c
        assert res.components["w"].sum() == pytest.approx(1.0)
        # eq. 7 rearranged: G/(1 − Σx²) = H + Σ γ_i w_i²(1 − H_i) + γc (1 − Σ w_i²)
        c = res.components
        rhs = (
            res.H
            + (c["gamma"] * c["w"] ** 2 * (1 - c["H"])).sum()
            + res.gamma_c * (1 - (c["w"] ** 2).sum())
        )
        lhs = res.G / (1 - res.sum_x2)
        assert lhs == pytest.approx(rhs)


def test_coagglomeration_hand_and_errors() -> None:
    # i and j both spread exactly like x = (.5, .5): G = 0 for both and for the group
    firms = pd.DataFrame(
        {
            "region": ["A", "A", "B", "B"],
            "industry": ["i", "j", "i", "j"],
            "size": [1.0, 1.0, 1.0, 1.0],
        }
    )
    res = coagglomeration(firms, ["i", "j"])
    # γ_i = γ_j = (0 − .5·.5)/(.5·.5) = −1 ; w = (.5, .5) ; H = 2·.25·.5 = .25
    # γc = (0 − .25 − 2·(−1·.25·.5)) / (1 − .5) = 0
    assert res.gamma_c == pytest.approx(0.0, abs=1e-15)
    pooled_h = res.H
    assert pooled_h == pytest.approx(0.25)
    assert res.components["gamma"].tolist() == pytest.approx([-1.0, -1.0])
    with pytest.raises(JiqunError):
        coagglomeration(firms, ["i"])
    with pytest.raises(JiqunError):
        coagglomeration(firms, ["i", "nope"])
