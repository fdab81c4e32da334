"""PySAL wrappers: great-circle weights, and Moran / LISA / Getis–Ord against esda called directly."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import esda
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W, lat2W

from jiqun.analytics.rca import JiqunWarning
from jiqun.analytics.spatial import (
    MoranResult,
    getis_ord,
    local_moran,
    morans_i,
    spatial_weights,
)
from jiqun.standard.problems import JiqunError


def _haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _china_points(n: int = 30, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"lon": rng.uniform(75, 135, n), "lat": rng.uniform(18, 53, n)},
        index=[f"city{k:02d}" for k in range(n)],
    )


def _checkerboard(n: int = 6) -> pd.Series:
    return pd.Series([float((r + c) % 2) for r in range(n) for c in range(n)])


# ------------------------------------------------------------------------------------------
# weights
# ------------------------------------------------------------------------------------------


def test_knn_uses_great_circle_distance() -> None:
    pts = _china_points()
    w = spatial_weights(pts, method="knn", k=4)
    assert w.transform == "R"
    assert list(w.id_order) == list(pts.index)
    for i, (lon, lat) in pts.iterrows():
        d = {j: _haversine(lon, lat, lo, la) for j, (lo, la) in pts.iterrows() if j != i}
        expected = set(sorted(d, key=d.get)[:4])
        assert set(w.neighbors[i]) == expected
        assert sum(w.weights[i]) == pytest.approx(1.0)  # row-standardised
    assert all(type(j) is str for j in w.neighbors["city00"])  # labels kept as given


def test_great_circle_differs_from_planar_degrees() -> None:
    # at 60°N one degree of longitude is ≈ 56 km: B is 1.8° east (≈ 100 km),
    # C is 1.5° north (≈ 167 km). Planar degrees would pick C; the great circle picks B.
    pts = pd.DataFrame({"lon": [0.0, 1.8, 0.0], "lat": [60.0, 60.0, 61.5]}, index=["A", "B", "C"])
    assert _haversine(0, 60, 1.8, 60) < _haversine(0, 60, 0, 61.5)
    assert spatial_weights(pts, k=1).neighbors["A"] == ["B"]
    with pytest.warns(JiqunWarning, match="'C'"):  # C has nobody within 150 km
        band = spatial_weights(pts, method="distance_band", threshold=150.0)
    assert band.neighbors["A"] == ["B"]  # C at ≈ 167 km is outside the band
    assert sorted(spatial_weights(pts, method="distance_band", threshold=200.0).neighbors["A"]) == [
        "B",
        "C",
    ]


def test_distance_band_matches_haversine_and_warns_on_islands() -> None:
    pts = _china_points(20, seed=9)
    thr = 900.0
    pts.loc["island"] = [170.0, -40.0]  # New Zealand: nobody within 900 km
    with pytest.warns(JiqunWarning, match="island"):
        w = spatial_weights(pts, method="distance_band", threshold=thr)
    for i, (lon, lat) in pts.iterrows():
        expected = {
            j for j, (lo, la) in pts.iterrows() if j != i and _haversine(lon, lat, lo, la) <= thr
        }
        assert set(w.neighbors[i]) == expected


def test_weights_errors() -> None:
    pts = _china_points(5)
    with pytest.raises(JiqunError):
        spatial_weights(pts, k=5)  # k must be < n
    with pytest.raises(JiqunError):
        spatial_weights(pts, method="distance_band")  # no threshold
    with pytest.raises(JiqunError):
        spatial_weights(pts.rename(columns={"lat": "y"}))
    with pytest.raises(JiqunError):
        spatial_weights(pts.assign(lat=[10.0, 20.0, 95.0, 0.0, 0.0]))
    with pytest.raises(JiqunError):
        spatial_weights(pts, method="voronoi")  # type: ignore[arg-type]


def _squares_geojson() -> dict:
    feats = []
    for k, (x, y) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
        feats.append(
            {
                "type": "Feature",
                "id": f"sq{k}",
                "properties": {"code": 10 + k},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def test_queen_and_rook_from_geojson(tmp_path: Path) -> None:
    gj = _squares_geojson()
    queen = spatial_weights(method="queen", geojson=gj)
    rook = spatial_weights(method="rook", geojson=gj)
    # 2 × 2 squares: each touches the other three at an edge or a corner (queen), two by edges (rook)
    assert sorted(queen.neighbors["sq0"]) == ["sq1", "sq2", "sq3"]
    assert sorted(rook.neighbors["sq0"]) == ["sq1", "sq2"]
    assert queen.transform == "R"
    path = tmp_path / "squares.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    q2 = spatial_weights(method="queen", geojson=path, id_field="code")
    assert sorted(q2.neighbors[10]) == [11, 12, 13]


# ------------------------------------------------------------------------------------------
# statistics vs esda called directly
# ------------------------------------------------------------------------------------------


def test_morans_i_checkerboard_vs_esda() -> None:
    w = lat2W(6, 6)  # rook lattice, ids 0..35
    w.transform = "r"
    y = _checkerboard()
    before = np.random.get_state()[1].copy()
    res = morans_i(y, w, permutations=199, seed=42)
    assert np.array_equal(np.random.get_state()[1], before)  # caller's RNG untouched
    assert isinstance(res, MoranResult)
    # every rook neighbour of a 1 is a 0 and vice versa: I = −1 (perfect negative autocorrelation)
    i_stat, expected_i = res.I, res.EI
    assert i_stat == pytest.approx(-1.0)
    assert expected_i == pytest.approx(-1 / 35)
    np.random.seed(42)
    direct = esda.Moran(y.to_numpy(), copy.deepcopy(w), permutations=199)
    assert res.I == direct.I and res.z == direct.z_norm and res.p_norm == direct.p_norm
    assert res.p_sim == direct.p_sim == pytest.approx(1 / 200)  # no permutation is as extreme
    assert res.z < 0 and res.n == 36
    # reproducible
    assert morans_i(y, w, permutations=199, seed=42) == res


def test_morans_i_clustered_pattern_positive_and_alignment() -> None:
    w = lat2W(6, 6)
    left_half = pd.Series([float(c < 3) for r in range(6) for c in range(6)])
    res = morans_i(left_half, w, permutations=0)
    assert res.I > 0.6 and res.p_sim is None
    # labels, not positions, are matched: shuffled order gives the same I
    shuffled = left_half.sample(frac=1.0, random_state=3)
    i_shuffled = morans_i(shuffled, w, permutations=0).I
    assert i_shuffled == pytest.approx(res.I)
    with pytest.raises(JiqunError):
        morans_i(left_half.drop(0), w)
    with pytest.raises(JiqunError):
        morans_i(pd.Series(1.0, index=range(36)), w)  # constant
    assert w.transform == "O"  # not modified by the wrapper (esda would set "R")


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_local_moran_vs_esda() -> None:
    w = lat2W(5, 5)
    rng = np.random.default_rng(0)
    y = pd.Series(rng.normal(size=25) + np.repeat([0, 0, 0, 3, 3], 5))
    lm = local_moran(y, w, permutations=99, seed=7)
    direct = esda.Moran_Local(y.to_numpy(), copy.deepcopy(w), permutations=99, seed=7)
    np.testing.assert_allclose(lm["Is"], direct.Is)
    np.testing.assert_allclose(lm["p_sim"], direct.p_sim)
    codes = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert lm["q"].tolist() == [codes[int(q)] for q in direct.q]
    sig = lm["p_sim"] <= 0.05
    assert (lm.loc[sig, "cluster"] == lm.loc[sig, "q"]).all()
    assert (lm.loc[~sig, "cluster"] == "ns").all()
    # high block at the bottom rows: HH there, LL at the top
    assert lm.loc[24, "q"] == "HH" and lm.loc[0, "q"] == "LL"


def test_getis_ord_vs_esda_and_formula() -> None:
    w = lat2W(4, 4)
    w.transform = "r"  # as spatial_weights returns it
    y = pd.Series(np.arange(16, dtype=float) ** 1.5)
    g = getis_ord(y, w, star=True, permutations=0)
    wb = W(w.neighbors, id_order=w.id_order)  # binary copy
    direct = esda.G_Local(y.to_numpy(), wb, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(g["G"], direct.Gs)
    np.testing.assert_allclose(g["z"], direct.Zs)
    # G_i* = Σ_{j ∈ N(i) ∪ {i}} y_j / Σ_j y_j
    for i in w.id_order:
        expected = (y[i] + sum(y[j] for j in w.neighbors[i])) / y.sum()
        assert g.loc[i, "G"] == pytest.approx(expected)
    assert g.loc[15, "z"] > 0 > g.loc[0, "z"]  # hot corner / cold corner
    assert w.transform == "R"  # caller's weights untouched
    gi = getis_ord(y, w, star=False, permutations=0)
    # G_i excludes i: Σ_{j ∈ N(i)} y_j / (Σ y − y_i)
    assert gi.loc[5, "G"] == pytest.approx(sum(y[j] for j in w.neighbors[5]) / (y.sum() - y[5]))
    gs = getis_ord(y, w, permutations=49, seed=1)
    assert gs["p_sim"].between(0, 1).all()
    with pytest.raises(JiqunError):
        getis_ord(y - 100, w)
