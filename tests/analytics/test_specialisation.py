"""Specialisation indices: hand-computed cases (arithmetic in comments) and peer conventions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning, location_quotient
from jiqun.analytics.specialisation import (
    entropy,
    hachman,
    herfindahl,
    hoover_specialization,
    krugman_bilateral,
    krugman_index,
)
from jiqun.standard.problems import JiqunError

# r1 = (6, 2, 2), E_r1 = 10, s_r1 = (.6, .2, .2)
# r2 = (0, 4, 16), E_r2 = 20, s_r2 = (0, .2, .8)
# column sums (6, 6, 18), E = 30, s_i = (.2, .2, .6)
X = pd.DataFrame({"a": [6.0, 0.0], "b": [2.0, 4.0], "c": [2.0, 16.0]}, index=["r1", "r2"])


def _rand(seed: int = 0, n: int = 7, m: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 50, size=(n, m)).astype(float)
    arr[:, 0] += 1  # no zero rows
    return pd.DataFrame(arr, index=[f"r{k}" for k in range(n)], columns=[f"i{k}" for k in range(m)])


def test_krugman_index_hand() -> None:
    K = krugman_index(X)
    # r1: |.6−.2| + |.2−.2| + |.2−.6| = .8 ; r2: |0−.2| + |.2−.2| + |.8−.6| = .4
    assert K.name == "krugman_index"
    assert K["r1"] == pytest.approx(0.8, abs=1e-15)
    assert K["r2"] == pytest.approx(0.4, abs=1e-15)


def test_krugman_index_reference() -> None:
    ref = pd.Series({"c": 20.0, "a": 10.0, "b": 10.0})  # any order; s_i = (.25, .25, .5)
    K = krugman_index(X, reference=ref)
    # r1: .35 + .05 + .3 = .7 ; r2: .25 + .05 + .3 = .6
    assert K.to_dict() == pytest.approx({"r1": 0.7, "r2": 0.6})
    with pytest.raises(JiqunError):
        krugman_index(X, reference=pd.Series({"a": 1.0, "b": 1.0}))


def test_krugman_index_matches_econgeo_formula_random() -> None:
    Y = _rand()
    share_city = Y.div(Y.sum(axis=1), axis=0)
    share_total = Y.sum(axis=0) / Y.to_numpy().sum()
    expected = (share_city - share_total).abs().sum(axis=1)  # EconGeo krugman_index
    pd.testing.assert_series_equal(krugman_index(Y), expected.rename("krugman_index"))


def test_krugman_zero_row_warns_and_drops() -> None:
    Y = pd.concat([X, pd.DataFrame({"a": [0.0], "b": [0.0], "c": [0.0]}, index=["r0"])])
    with pytest.warns(JiqunWarning, match="r0"):
        K = krugman_index(Y)
    assert list(K.index) == ["r1", "r2"]
    # the zero row adds nothing to the column sums, so the values are unchanged
    assert K["r1"] == pytest.approx(0.8)


def test_krugman_bilateral_hand() -> None:
    K = krugman_bilateral(X)
    # |.6 − 0| + |.2 − .2| + |.2 − .8| = 1.2
    assert K.loc["r1", "r2"] == pytest.approx(1.2)
    assert K.loc["r2", "r1"] == pytest.approx(1.2)
    assert np.all(np.diag(K.to_numpy()) == 0)
    disjoint = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 5.0]}, index=["p", "q"])
    assert krugman_bilateral(disjoint).loc["p", "q"] == pytest.approx(2.0)  # maximum


def test_hoover_specialization_is_half_krugman() -> None:
    H = hoover_specialization(X)
    assert H.name == "hoover_specialization"
    assert H.to_dict() == pytest.approx({"r1": 0.4, "r2": 0.2})
    Y = _rand(3)
    np.testing.assert_allclose(hoover_specialization(Y), krugman_index(Y) / 2)


def test_herfindahl_hand() -> None:
    H = herfindahl(X)
    # r1: .36 + .04 + .04 = .44 ; r2: 0 + .04 + .64 = .68
    assert H.to_dict() == pytest.approx({"r1": 0.44, "r2": 0.68})
    Hn = herfindahl(X, normalized=True)
    # n = 3: (.44 − 1/3)/(2/3) = .16 ; (.68 − 1/3)/(2/3) = .52
    assert Hn.to_dict() == pytest.approx({"r1": 0.16, "r2": 0.52})
    Hi = herfindahl(X, axis="industry")
    # a: (6, 0)/6 → 1 ; b: (2, 4)/6 → 1/9 + 4/9 = 5/9 ; c: (2, 16)/18 → 1/81 + 64/81 = 65/81
    assert Hi.to_dict() == pytest.approx({"a": 1.0, "b": 5 / 9, "c": 65 / 81})
    # normalized over regions (n = 2): (H − .5)/.5
    assert herfindahl(X, axis="industry", normalized=True)["b"] == pytest.approx(
        (5 / 9 - 0.5) / 0.5
    )


def test_herfindahl_errors_and_zero_lines() -> None:
    with pytest.raises(JiqunError):
        herfindahl(X, axis="sector")  # type: ignore[arg-type]
    with pytest.raises(JiqunError):
        herfindahl(X.loc[["r1"], ["a"]], normalized=True)  # n = 1
    Y = X.assign(z=0.0)
    with pytest.warns(JiqunWarning, match="'z'"):
        Hi = herfindahl(Y, axis="industry")
    assert "z" not in Hi.index
    # a zero column is a category with share 0: it counts in n for the normalised index (REAT)
    assert herfindahl(Y, normalized=True)["r1"] == pytest.approx((0.44 - 0.25) / 0.75)


def test_entropy_hand() -> None:
    e = entropy(X)
    # r1: −(.6 log2 .6 + 2 · .2 log2 .2) ; r2: −(.2 log2 .2 + .8 log2 .8), 0·log 0 = 0
    r1 = -(0.6 * math.log2(0.6) + 2 * 0.2 * math.log2(0.2))
    r2 = -(0.2 * math.log2(0.2) + 0.8 * math.log2(0.8))
    assert e["r1"] == pytest.approx(r1, abs=1e-15)
    assert e["r2"] == pytest.approx(r2, abs=1e-15)
    assert e["r1"] == pytest.approx(1.3709505944546687)
    # EconGeo adds 1e-9 inside log2 and rounds to 3 decimals: same to 3 decimals
    freqs = X.div(X.sum(axis=1), axis=0)
    econgeo = (-(freqs * np.log2(freqs + 1e-9)).sum(axis=1)).round(3)
    np.testing.assert_allclose(e.round(3), econgeo)
    even = pd.DataFrame({"a": [1.0], "b": [1.0], "c": [1.0], "d": [1.0]}, index=["r"])
    assert entropy(even)["r"] == pytest.approx(2.0)  # log2(4)
    single = pd.DataFrame({"a": [5.0], "b": [0.0]}, index=["r"])
    assert entropy(single)["r"] == 0.0 and not np.signbit(entropy(single)["r"])


def test_hachman_hand() -> None:
    h = hachman(X)
    # r1: 1 / (.36/.2 + .04/.2 + .04/.6) = 1 / (1.8 + .2 + 1/15) = 1 / (31/15) = 15/31
    # r2: 1 / (0 + .04/.2 + .64/.6) = 1 / (.2 + 16/15) = 1 / (19/15) = 15/19
    assert h["r1"] == pytest.approx(15 / 31)
    assert h["r2"] == pytest.approx(15 / 19)
    # EconGeo: 1 / rowSums(LQ · share)
    lq = location_quotient(X)
    share = X.div(X.sum(axis=1), axis=0)
    np.testing.assert_allclose(h, 1 / (lq * share).sum(axis=1))


def test_hachman_identical_structure_is_one_and_reference() -> None:
    Y = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 6.0]}, index=["p", "q"])
    assert hachman(Y).to_numpy() == pytest.approx([1.0, 1.0])
    assert krugman_index(Y).to_numpy() == pytest.approx([0.0, 0.0])
    ref = pd.Series({"a": 3.0, "b": 1.0})  # s = (.75, .25); p: s_p = (.25, .75)
    # 1 / (.0625/.75 + .5625/.25) = 1 / (1/12 + 9/4) = 1 / (28/12) = 3/7
    assert hachman(Y, reference=ref)["p"] == pytest.approx(3 / 7)


def test_zero_column_with_reference_is_harmless() -> None:
    Y = X.assign(z=0.0)
    ref = pd.Series({"a": 6.0, "b": 6.0, "c": 18.0, "z": 0.0})
    assert hachman(Y, reference=ref).to_dict() == pytest.approx(hachman(X).to_dict())
    assert krugman_index(Y).to_dict() == pytest.approx(krugman_index(X).to_dict())


def test_validation_errors() -> None:
    with pytest.raises(JiqunError):
        krugman_index(pd.DataFrame({"a": [1.0, -1.0]}))
    with pytest.raises(JiqunError):
        entropy(pd.DataFrame({"a": [1.0, np.nan]}))
    with pytest.raises(JiqunError):
        krugman_bilateral(pd.DataFrame())


def test_metrics_public_api() -> None:
    import jiqun.metrics as metrics

    required = {
        "matrix", "location_quotient", "presence", "diversity", "ubiquity", "krugman_index",
        "krugman_bilateral", "hoover_specialization", "herfindahl", "entropy", "hachman", "gini",
        "locational_gini", "hoover_concentration", "spatial_gini", "structure_similarity",
        "proximity", "relatedness", "density", "complexity", "method_of_reflections",
        "ellison_glaeser", "coagglomeration", "shift_share", "cluster_strength", "cluster_stars",
        "morans_i", "local_moran", "getis_ord", "spatial_weights",
    }  # fmt: skip
    assert required <= set(metrics.__all__)
    assert len(metrics.__all__) == len(set(metrics.__all__))
    for name in metrics.__all__:
        assert getattr(metrics, name) is not None
    assert metrics.krugman_index is krugman_index
