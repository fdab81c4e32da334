"""Shift-share (Dunn; Esteban-Marquillas): hand-computed cases and accounting identities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.dynamics import shift_share
from jiqun.analytics.rca import JiqunWarning
from jiqun.standard.problems import JiqunError

# start: r1 = (10, 10), r2 = (10, 30): E_a1 = 20, E_b1 = 40, E1 = 60
# end:   r1 = (20, 10), r2 = (10, 30): E_a2 = 30, E_b2 = 40, E2 = 70
X1 = pd.DataFrame({"a": [10.0, 10.0], "b": [10.0, 30.0]}, index=["r1", "r2"])
X2 = pd.DataFrame({"a": [20.0, 10.0], "b": [10.0, 30.0]}, index=["r1", "r2"])


def test_dunn_hand() -> None:
    ss = shift_share(X1, X2)
    r1 = ss.loc["r1"]
    # growth 30 − 20 = 10 ; NS = 20·70/60 − 20 = 10/3
    # IM = 10·(30/20) + 10·(40/40) − 20·70/60 = 25 − 70/3 = 5/3
    # RS = (20 − 10·1.5) + (10 − 10·1) = 5 ; NS + IM + RS = 10
    assert r1["growth"] == 10.0
    assert r1["national_share"] == pytest.approx(10 / 3)
    assert r1["industry_mix"] == pytest.approx(5 / 3)
    assert r1["regional_shift"] == pytest.approx(5.0)
    assert r1["net_total_shift"] == pytest.approx(5 / 3 + 5)
    r2 = ss.loc["r2"]
    # growth 0 ; NS = 40·70/60 − 40 = 20/3 ; IM = 10·1.5 + 30·1 − 140/3 = −5/3 ; RS = −5
    assert r2["national_share"] == pytest.approx(20 / 3)
    assert r2["industry_mix"] == pytest.approx(-5 / 3)
    assert r2["regional_shift"] == pytest.approx(-5.0)
    assert list(ss.columns) == [
        "start",
        "end",
        "growth",
        "national_share",
        "industry_mix",
        "regional_shift",
        "net_total_shift",
    ]


def test_dunn_matches_reat_shift_formulas_with_reference() -> None:
    # REAT shift(e_ij1, e_ij2, e_i1, e_i2) for region r1 with national totals
    e_i1 = pd.Series({"a": 100.0, "b": 300.0})
    e_i2 = pd.Series({"a": 150.0, "b": 270.0})
    ss = shift_share(X1, X2, reference_start=e_i1, reference_end=e_i2)
    e_ij1, e_ij2 = X1.loc["r1"], X2.loc["r1"]
    e_j1, e_j2, e1, e2 = e_ij1.sum(), e_ij2.sum(), e_i1.sum(), e_i2.sum()
    assert ss.loc["r1", "growth"] == pytest.approx(e_j2 - e_j1)
    assert ss.loc["r1", "national_share"] == pytest.approx(e_j1 * e2 / e1 - e_j1)
    assert ss.loc["r1", "industry_mix"] == pytest.approx(
        (e_ij1 * (e_i2 / e_i1)).sum() - e_j1 * (e2 / e1)
    )
    assert ss.loc["r1", "regional_shift"] == pytest.approx(
        (e_ij1 * (e_ij2 / e_ij1 - e_i2 / e_i1)).sum()
    )


def _random_pair(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 500, size=(8, 6)).astype(float)
    b = a * rng.uniform(0.5, 1.8, size=a.shape)
    idx, cols = [f"r{k}" for k in range(8)], [f"i{k}" for k in range(6)]
    return pd.DataFrame(a, idx, cols), pd.DataFrame(b, idx, cols)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_components_sum_to_growth_and_esteban_split(seed: int) -> None:
    A, B = _random_pair(seed)
    ss = shift_share(A, B, method="esteban")
    np.testing.assert_allclose(
        ss["national_share"] + ss["industry_mix"] + ss["regional_shift"],
        ss["growth"],
        rtol=1e-10,
        atol=1e-8,
    )
    np.testing.assert_allclose(
        ss["competitive"] + ss["allocation"], ss["regional_shift"], rtol=1e-10, atol=1e-8
    )
    assert (ss["new_activity"] == 0).all()
    # national sums: with the default reference, Σ_r IM = 0 and Σ_r RS = 0
    assert ss["industry_mix"].sum() == pytest.approx(0.0, abs=1e-8)
    assert ss["regional_shift"].sum() == pytest.approx(0.0, abs=1e-8)
    # Esteban-Marquillas by hand: e*_ri = e_r1·E_i1/E1 ; competitive = Σ e*(g − G)
    Ei1, Ei2 = A.sum(), B.sum()
    star = np.outer(A.sum(axis=1), Ei1 / Ei1.sum())
    diff = (B / A).to_numpy() - (Ei2 / Ei1).to_numpy()
    np.testing.assert_allclose(ss["competitive"], (star * diff).sum(axis=1), rtol=1e-10)
    np.testing.assert_allclose(
        ss["allocation"], ((A.to_numpy() - star) * diff).sum(axis=1), rtol=1e-10, atol=1e-9
    )


def test_esteban_hand() -> None:
    ss = shift_share(X1, X2, method="esteban")
    # e*_r1 = 20·(20/60, 40/60) = (20/3, 40/3) ; g − G: a = 20/10 − 30/20 = .5, b = 1 − 1 = 0
    # competitive = 20/3 · .5 = 10/3 ; allocation = (10 − 20/3)·.5 = 5/3 ; sum = 5 = RS
    assert ss.loc["r1", "competitive"] == pytest.approx(10 / 3)
    assert ss.loc["r1", "allocation"] == pytest.approx(5 / 3)
    # r2: e* = 40·(1/3, 2/3) ; a: 10/10 − 1.5 = −.5 ; b: 0
    # competitive = 40/3·(−.5) = −20/3 ; allocation = (10 − 40/3)(−.5) = 5/3 ; sum −5 = RS
    assert ss.loc["r2", "competitive"] == pytest.approx(-20 / 3)
    assert ss.loc["r2", "allocation"] == pytest.approx(5 / 3)


def test_new_activity_cell_warns_and_balances() -> None:
    A = pd.DataFrame({"a": [10.0, 5.0], "b": [0.0, 5.0]}, index=["r1", "r2"])
    B = pd.DataFrame({"a": [10.0, 5.0], "b": [4.0, 5.0]}, index=["r1", "r2"])
    with pytest.warns(JiqunWarning, match="'r1', 'b'"):
        ss = shift_share(A, B, method="esteban")
    # r1 had no b at the start: its end employment 4 is the new activity
    assert ss.loc["r1", "new_activity"] == 4.0
    np.testing.assert_allclose(
        ss["competitive"] + ss["allocation"] + ss["new_activity"], ss["regional_shift"]
    )
    np.testing.assert_allclose(
        ss["national_share"] + ss["industry_mix"] + ss["regional_shift"], ss["growth"]
    )


def test_industry_absent_nationally_at_start() -> None:
    A = pd.DataFrame({"a": [10.0, 5.0], "new": [0.0, 0.0]}, index=["r1", "r2"])
    B = pd.DataFrame({"a": [10.0, 5.0], "new": [3.0, 0.0]}, index=["r1", "r2"])
    with pytest.warns(JiqunWarning, match="'new'"):
        ss = shift_share(A, B)
    np.testing.assert_allclose(
        ss["national_share"] + ss["industry_mix"] + ss["regional_shift"], ss["growth"]
    )


def test_alignment_and_errors() -> None:
    # same labels in another order give the same result
    X2r = X2.loc[["r2", "r1"], ["b", "a"]]
    pd.testing.assert_frame_equal(shift_share(X1, X2r), shift_share(X1, X2))
    with pytest.raises(JiqunError):
        shift_share(X1, X2.rename(index={"r2": "r3"}))
    with pytest.raises(JiqunError):
        shift_share(X1, X2, method="gerfin")  # type: ignore[arg-type]
