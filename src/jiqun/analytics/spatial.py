"""Spatial weights and spatial autocorrelation — thin wrappers around PySAL (libpysal, esda).

Nothing here re-implements a statistic: weights come from :mod:`libpysal.weights`, Moran's I from
:class:`esda.Moran`, local Moran (LISA) from :class:`esda.Moran_Local` and Getis–Ord from
:class:`esda.G_Local`. The wrappers add what Jiqun needs around them: region labels in and out,
validation with bilingual errors, great-circle distances for longitude/latitude, reproducible
permutations (``seed``) without disturbing the caller's global NumPy random state, and never
mutating the caller's weights object (esda sets ``w.transform`` in place; we pass a copy).

References
----------
- Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17–23.
- Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical Analysis*
  27(2), 93–115.
- Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
  statistics. *Geographical Analysis* 24(3), 189–206; Ord, J. K. & Getis, A. (1995). Local
  spatial autocorrelation statistics. *Geographical Analysis* 27(4), 286–306.
- Rey, S. J. & Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
  *Review of Regional Studies* 37(1), 5–27 (libpysal 4.14, esda 2.9).
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from jiqun.analytics.rca import fmt_labels, warn_labels
from jiqun.standard.problems import JiqunError

__all__ = [
    "MoranResult",
    "getis_ord",
    "local_moran",
    "morans_i",
    "spatial_weights",
]

#: Earth radius (km) used for great-circle distances (libpysal's ``RADIUS_EARTH_KM``).
EARTH_RADIUS_KM: float = 6371.0

_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@contextmanager
def _quiet_crand() -> Iterator[None]:
    """Silence esda 2.9's notice that its conditional-permutation default will change.

    Jiqun reports esda's current default (``alternative="directed"``: the folded one-sided
    pseudo p-value) and says so in the docstrings; the notice is not actionable for users.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="The alternative hypothesis for conditional randomization",
            category=DeprecationWarning,
        )
        yield


@contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """Seed NumPy's global RNG (which esda uses) and restore the caller's state afterwards."""
    if seed is None:
        yield
        return
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        yield
    finally:
        np.random.set_state(state)


def _lonlat(coords: pd.DataFrame) -> tuple[np.ndarray, list[Hashable]]:
    if not isinstance(coords, pd.DataFrame):
        raise JiqunError(
            "coords 必须是以地区为索引、含 lon/lat 列的 pandas.DataFrame",
            "coords must be a pandas.DataFrame indexed by region with columns lon and lat",
        )
    lon_col = next((c for c in ("lon", "lng", "longitude") if c in coords.columns), None)
    lat_col = next((c for c in ("lat", "latitude") if c in coords.columns), None)
    if lon_col is None or lat_col is None:
        raise JiqunError(
            f"coords 需要 lon 和 lat 两列（经度、纬度，单位：度）；现有列：{fmt_labels(list(coords.columns))}",
            f"coords needs columns lon and lat (degrees); present: "
            f"{fmt_labels(list(coords.columns))}",
        )
    if not coords.index.is_unique:
        dup = coords.index[coords.index.duplicated()].unique().tolist()
        raise JiqunError(
            f"coords 的地区重复：{fmt_labels(dup)}", f"duplicated regions: {fmt_labels(dup)}"
        )
    lon = pd.to_numeric(coords[lon_col], errors="coerce").to_numpy(np.float64)
    lat = pd.to_numeric(coords[lat_col], errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if bad.any():
        names = list(coords.index[bad])
        raise JiqunError(
            f"经纬度缺失或越界（经度 −180..180，纬度 −90..90）：{fmt_labels(names)}",
            f"missing or out-of-range lon/lat (lon −180..180, lat −90..90): {fmt_labels(names)}",
        )
    return np.column_stack([lon, lat]), list(coords.index)


def _read_geojson(geojson: str | Path | Mapping[str, Any], id_field: str | None) -> Any:
    import geopandas as gpd  # libpysal/esda dependency

    if isinstance(geojson, Mapping):
        feats = geojson.get("features")
        if feats is None:
            raise JiqunError(
                "geojson 必须是 FeatureCollection", "geojson must be a FeatureCollection"
            )
        gdf = gpd.GeoDataFrame.from_features(feats)
        if id_field is None:
            ids = [f.get("id") for f in feats]
            if any(i is None for i in ids):
                raise JiqunError(
                    "geojson 要素缺少 id：请用 id_field 指定地区属性名",
                    "geojson features lack an id: pass id_field naming the region property",
                )
            gdf.index = pd.Index(ids)
    else:
        path = Path(geojson)
        if not path.exists():
            raise JiqunError(f"找不到 geojson 文件：{path}", f"geojson file not found: {path}")
        if id_field is None:
            with path.open(encoding="utf-8") as fh:
                return _read_geojson(json.load(fh), None)
        gdf = gpd.read_file(path)
    if id_field is not None:
        if id_field not in gdf.columns:
            raise JiqunError(
                f"geojson 中没有属性 {id_field!r}", f"geojson has no property {id_field!r}"
            )
        gdf = gdf.set_index(id_field)
    if not gdf.index.is_unique:
        dup = gdf.index[gdf.index.duplicated()].unique().tolist()
        raise JiqunError(
            f"geojson 的地区重复：{fmt_labels(dup)}", f"duplicated regions: {fmt_labels(dup)}"
        )
    return gdf


def _relabel(w: Any, ids: list[Hashable]) -> Any:
    """Rebuild a W built on positions 0..n−1 with the original region labels (kept as given:
    libpysal would turn them into NumPy scalars, and a mix of types into strings)."""
    from libpysal.weights import W

    neighbors = {ids[i]: [ids[j] for j in w.neighbors[i]] for i in range(len(ids))}
    wts = {ids[i]: list(w.weights[i]) for i in range(len(ids))}
    return W(neighbors, wts, id_order=list(ids), silence_warnings=True)


def _warn_islands(w: Any) -> None:
    if w.islands:
        warn_labels(
            f"{len(w.islands)} 个地区没有邻居（孤岛），其空间滞后为 0",
            f"{len(w.islands)} region(s) have no neighbour (islands); their spatial lag is 0",
            w.islands,
            stacklevel=3,
        )


def _aligned_values(values: pd.Series, w: Any, name: str = "values") -> np.ndarray:
    """Values in ``w.id_order``; every region of ``w`` must have exactly one finite value."""
    if not isinstance(values, pd.Series):
        raise JiqunError(
            f"{name} 必须是以地区为索引的 pandas.Series",
            f"{name} must be a pandas.Series indexed by region",
        )
    if not values.index.is_unique:
        dup = values.index[values.index.duplicated()].unique().tolist()
        raise JiqunError(
            f"{name} 的地区重复：{fmt_labels(dup)}",
            f"duplicated regions in {name}: {fmt_labels(dup)}",
        )
    ids = list(w.id_order)
    idx = pd.Index(values.index)
    missing = [i for i in ids if i not in idx]
    extra = [i for i in idx if i not in set(ids)]
    if missing or extra:
        raise JiqunError(
            f"{name} 的地区必须与空间权重一致：缺少 {fmt_labels(missing)}；多出 {fmt_labels(extra)}",
            f"{name} must cover exactly the regions of the weights: missing "
            f"{fmt_labels(missing)}; extra {fmt_labels(extra)}",
        )
    y = pd.to_numeric(values, errors="coerce").reindex(ids).to_numpy(np.float64)
    bad = ~np.isfinite(y)
    if bad.any():
        names = [ids[k] for k in np.flatnonzero(bad)]
        raise JiqunError(
            f"{name} 含有缺失、非数值或无穷值：{fmt_labels(names)}",
            f"{name} has missing, non-numeric or infinite values: {fmt_labels(names)}",
        )
    if np.all(y == y[0]):
        raise JiqunError(
            f"{name} 全部相等，空间自相关无定义",
            f"{name} is constant; spatial autocorrelation is undefined",
        )
    return y


# --------------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------------


def spatial_weights(
    coords: pd.DataFrame | None = None,
    method: Literal["knn", "distance_band", "queen", "rook"] = "knn",
    k: int = 5,
    threshold: float | None = None,
    geojson: str | Path | Mapping[str, Any] | None = None,
    id_field: str | None = None,
) -> Any:
    """Row-standardised spatial weights (a :class:`libpysal.weights.W`) for regions.

    - ``method="knn"``: each region's ``k`` nearest neighbours by **great-circle** distance —
      ``libpysal.weights.KNN(points, k, radius=6371)``: with a ``radius`` libpysal projects the
      (lon, lat) points to 3-D on a sphere and measures arc distance (km), so neighbours are the
      same as with the haversine distance (no planar distortion of degrees).
    - ``method="distance_band"``: every region within ``threshold`` **km** (great circle) is a
      neighbour — ``libpysal.weights.DistanceBand(points, threshold, binary=True, radius=6371)``.
      Regions with no neighbour (islands) get a ``JiqunWarning``.
    - ``method="queen"`` / ``"rook"``: polygon contiguity from ``geojson`` (a FeatureCollection
      mapping or a file path; regions are the feature ``id`` or the property ``id_field``) —
      ``libpysal.weights.Queen/Rook.from_dataframe``.

    The result is row-standardised (``w.transform = "r"``): each region's weights sum to 1, so a
    spatial lag is the neighbours' average. ``w.id_order`` follows the rows of ``coords`` (or the
    features of ``geojson``).

    Parameters
    ----------
    coords:
        DataFrame indexed by region with columns ``lon`` and ``lat`` in degrees (``lng``,
        ``longitude``, ``latitude`` are accepted). Needed for ``knn`` and ``distance_band``.
    method:
        ``"knn"``, ``"distance_band"``, ``"queen"`` or ``"rook"``.
    k:
        Number of neighbours for ``knn`` (``1 ≤ k < number of regions``).
    threshold:
        Distance band in km for ``distance_band``.
    geojson:
        Polygons for ``queen`` / ``rook``.
    id_field:
        Feature property holding the region label (default: the feature ``id``).

    Returns
    -------
    libpysal.weights.W
        Row-standardised weights with region labels as ids.

    References
    ----------
    Rey & Anselin (2007); libpysal 4.14 ``weights.KNN``, ``weights.DistanceBand``,
    ``weights.Queen``, ``weights.Rook``.

    Example
    -------
    >>> import pandas as pd
    >>> coords = pd.DataFrame({"lon": [116.4, 121.5, 113.3], "lat": [39.9, 31.2, 23.1]},
    ...                       index=["Beijing", "Shanghai", "Guangzhou"])
    >>> w = spatial_weights(coords, k=1)
    >>> w.neighbors["Guangzhou"], w.transform  # Shanghai ≈ 1,200 km, Beijing ≈ 1,900 km
    (['Shanghai'], 'R')
    """
    from libpysal import weights as lw

    if method in ("knn", "distance_band"):
        if coords is None:
            raise JiqunError(
                f"method={method!r} 需要 coords（经纬度）",
                f"method={method!r} needs coords (lon/lat)",
            )
        pts, ids = _lonlat(coords)
        n = len(ids)
        if method == "knn":
            if not (isinstance(k, int | np.integer) and 1 <= k < n):
                raise JiqunError(
                    f"k 必须是 1 到 {n - 1} 之间的整数，收到 {k!r}",
                    f"k must be an integer between 1 and {n - 1}, got {k!r}",
                )
            w = _relabel(lw.KNN(pts, k=int(k), radius=EARTH_RADIUS_KM), ids)
        else:
            if threshold is None or not np.isfinite(threshold) or threshold <= 0:
                raise JiqunError(
                    "distance_band 需要正的 threshold（公里）",
                    "distance_band needs a positive threshold (km)",
                )
            if threshold > np.pi * EARTH_RADIUS_KM:
                raise JiqunError(
                    "threshold 不能超过半个地球周长（约 20015 公里）",
                    "threshold cannot exceed half the Earth's circumference (≈ 20,015 km)",
                )
            band = lw.DistanceBand(
                pts,
                threshold=float(threshold),
                binary=True,
                radius=EARTH_RADIUS_KM,
                silence_warnings=True,
            )
            w = _relabel(band, ids)
            _warn_islands(w)
    elif method in ("queen", "rook"):
        if geojson is None:
            raise JiqunError(
                f"method={method!r} 需要 geojson 多边形",
                f"method={method!r} needs geojson polygons",
            )
        gdf = _read_geojson(geojson, id_field)
        cls = lw.Queen if method == "queen" else lw.Rook
        ids = list(gdf.index)
        w = _relabel(
            cls.from_dataframe(gdf.reset_index(drop=True), use_index=True, silence_warnings=True),
            ids,
        )
        _warn_islands(w)
    else:
        raise JiqunError(
            f"method 必须是 knn、distance_band、queen 或 rook，收到 {method!r}",
            f"method must be knn, distance_band, queen or rook, got {method!r}",
        )
    w.transform = "r"
    return w


# --------------------------------------------------------------------------------------------
# global and local statistics
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I (a summary of :class:`esda.Moran`).

    Attributes
    ----------
    I:
        Moran's I.
    EI:
        Its expectation under no autocorrelation, ``−1/(n−1)``.
    z:
        z-score under the normality assumption (esda ``z_norm``).
    p_norm:
        Two-sided p-value under normality (esda ``p_norm``).
    p_sim:
        Pseudo p-value from ``permutations`` random permutations (one-sided, folded: esda
        ``p_sim``); ``None`` without permutations.
    z_sim:
        z-score against the permutation distribution; ``None`` without permutations.
    n:
        Number of regions.
    permutations:
        Number of permutations used.
    """

    I: float  # noqa: E741 - the statistic's name
    EI: float
    z: float
    p_norm: float
    p_sim: float | None
    z_sim: float | None
    n: int
    permutations: int


def morans_i(
    values: pd.Series,
    w: Any,
    permutations: int = 999,
    seed: int | None = 12345,
    transformation: str = "r",
) -> MoranResult:
    """Global Moran's I of a regional variable — :class:`esda.Moran`.

    ``I = (n / S0) · Σ_ij w_ij z_i z_j / Σ_i z_i²`` with ``z = y − ȳ``. ``I > EI = −1/(n−1)``:
    similar values cluster in space; ``I < EI``: neighbours differ (e.g. a checkerboard).

    ``values`` are aligned to ``w.id_order`` by region label; every region of ``w`` needs a
    finite value. ``seed`` makes the permutation p-value reproducible (esda draws from NumPy's
    global RNG; the caller's RNG state is restored afterwards); ``seed=None`` uses the global RNG
    as is. ``w`` is not modified.

    Parameters
    ----------
    values:
        Series indexed by region.
    w:
        :class:`libpysal.weights.W` (e.g. from :func:`spatial_weights`).
    permutations:
        Number of random permutations for ``p_sim`` (0 = none).
    seed:
        Seed for the permutations.
    transformation:
        Weights transformation passed to esda (default ``"r"``, row-standardised).

    Returns
    -------
    MoranResult
        ``I``, ``EI``, ``z``, ``p_norm``, ``p_sim``, ``z_sim``, ``n``, ``permutations``.

    References
    ----------
    Moran (1950); esda 2.9 ``Moran``.

    Example
    -------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(4, 4)  # rook contiguity on a 4 × 4 lattice, ids 0..15
    >>> checker = pd.Series([(r + c) % 2 for r in range(4) for c in range(4)], dtype=float)
    >>> round(morans_i(checker, w, permutations=0).I, 12)  # every neighbour differs
    -1.0
    """
    import esda

    y = _aligned_values(values, w)
    wc = copy.deepcopy(w)
    with _seeded(seed):
        m = esda.Moran(y, wc, transformation=transformation, permutations=int(permutations))
    return MoranResult(
        I=float(m.I),
        EI=float(m.EI),
        z=float(m.z_norm),
        p_norm=float(m.p_norm),
        p_sim=float(m.p_sim) if permutations else None,
        z_sim=float(m.z_sim) if permutations else None,
        n=int(m.n),
        permutations=int(permutations),
    )


def local_moran(
    values: pd.Series,
    w: Any,
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    transformation: str = "r",
) -> pd.DataFrame:
    """Local Moran's I (LISA) of each region — :class:`esda.Moran_Local`.

    ``I_i = (n − 1) · z_i · Σ_j w_ij z_j / Σ_k z_k²`` with ``z`` the standardised values. The
    quadrant ``q`` of the Moran scatterplot: ``HH`` (high value, high neighbours), ``LH``,
    ``LL``, ``HL`` (esda codes 1–4). ``p_sim`` is the conditional-permutation pseudo p-value
    (one-sided, folded). ``cluster`` = ``q`` where ``p_sim ≤ alpha``, else ``"ns"`` (not
    significant) — the usual LISA cluster map. Note that with many regions some will pass
    ``alpha`` by chance (no multiple-testing correction is applied).

    ``values`` are aligned to ``w.id_order``; ``seed`` makes permutations reproducible and the
    caller's global RNG state is restored. ``w`` is not modified.

    Parameters
    ----------
    values:
        Series indexed by region.
    w:
        :class:`libpysal.weights.W`.
    permutations:
        Number of conditional permutations (0 = none; then ``p_sim`` is NaN).
    seed:
        Seed for the permutations.
    alpha:
        Significance level for ``cluster``.
    transformation:
        Weights transformation passed to esda (default ``"r"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by region (``w.id_order``): ``Is``, ``q``, ``p_sim``, ``cluster``, ``z`` (the
        standardised value), ``lag`` (spatial lag of ``z``).

    References
    ----------
    Anselin (1995); esda 2.9 ``Moran_Local``.

    Example
    -------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(3, 3)
    >>> y = pd.Series([9, 9, 1, 9, 9, 1, 1, 1, 1], dtype=float)
    >>> local_moran(y, w, permutations=99)["q"].iloc[[0, 2, 8]].tolist()
    ['HH', 'LH', 'LL']
    """
    import esda

    y = _aligned_values(values, w)
    wc = copy.deepcopy(w)
    with _seeded(seed), _quiet_crand():
        lm = esda.Moran_Local(
            y,
            wc,
            transformation=transformation,
            permutations=int(permutations),
            seed=seed,
            n_jobs=1,
        )
    z = np.asarray(lm.z, dtype=np.float64)
    lag = np.asarray(wc.sparse @ z, dtype=np.float64)
    q = [_QUADRANTS.get(int(v), "") for v in np.asarray(lm.q)]
    p = np.asarray(lm.p_sim, dtype=np.float64) if permutations else np.full(len(y), np.nan)
    cluster = [qq if (pp <= alpha) else "ns" for qq, pp in zip(q, p, strict=True)]
    return pd.DataFrame(
        {
            "Is": np.asarray(lm.Is, dtype=np.float64),
            "q": q,
            "p_sim": p,
            "cluster": cluster,
            "z": z,
            "lag": lag,
        },
        index=pd.Index(list(w.id_order), name="region"),
    )


def getis_ord(
    values: pd.Series,
    w: Any,
    star: bool = True,
    permutations: int = 999,
    seed: int | None = 12345,
    transform: Literal["B", "R"] = "B",
) -> pd.DataFrame:
    """Getis–Ord local ``G_i*`` (``star=True``) or ``G_i`` hot-spot statistic — :class:`esda.G_Local`.

    ``G_i* = Σ_j w_ij y_j / Σ_j y_j`` including region i itself (``w_ii = 1``); ``G_i`` excludes
    it. ``z`` is the standardised statistic under normality (Ord & Getis 1995): large positive =
    hot spot (high values around i), large negative = cold spot. ``y`` should be non-negative
    (the statistic is a ratio of sums).

    Weights: the classic definition uses **binary** neighbour weights (``transform="B"``,
    default). The neighbour structure of ``w`` is taken as binary (a row-standardised ``w`` from
    :func:`spatial_weights` is turned back into 0/1), a self-weight of 1 is added for ``G_i*``
    before the transformation, and ``transform="R"`` row-standardises the result (self weight
    ``1/(k_i + 1)``, as documented in esda). ``w`` is not modified.

    Parameters
    ----------
    values:
        Series indexed by region (values ``≥ 0``).
    w:
        :class:`libpysal.weights.W`.
    star:
        ``True`` for ``G_i*`` (self included), ``False`` for ``G_i``.
    permutations:
        Number of conditional permutations for ``p_sim`` (0 = none).
    seed:
        Seed for the permutations.
    transform:
        ``"B"`` (binary, default) or ``"R"`` (row-standardised).

    Returns
    -------
    pandas.DataFrame
        Indexed by region: ``G`` (``G_i*`` or ``G_i``), ``EG`` (its expectation), ``z``,
        ``p_norm`` (esda's one-tailed ``P(Z > |z|)``; double it for a two-sided test), ``p_sim``
        (NaN without permutations).

    References
    ----------
    Getis & Ord (1992); Ord & Getis (1995); esda 2.9 ``G_Local``.

    Example
    -------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(3, 3)
    >>> y = pd.Series([9, 9, 1, 9, 9, 1, 1, 1, 1], dtype=float)
    >>> bool(getis_ord(y, w, permutations=0)["z"].iloc[0] > 0)
    True
    """
    import esda
    from libpysal.weights import W

    if transform not in ("B", "R"):
        raise JiqunError(
            f"transform 必须是 'B' 或 'R'，收到 {transform!r}",
            f"transform must be 'B' or 'R', got {transform!r}",
        )
    y = _aligned_values(values, w)
    if (y < 0).any():
        raise JiqunError("Getis–Ord 需要非负值", "Getis–Ord needs non-negative values")
    neighbors = {i: [j for j in w.neighbors[i] if j != i] for i in w.id_order}
    wb = W(neighbors, id_order=list(w.id_order), silence_warnings=True)
    with _seeded(seed), _quiet_crand():
        g = esda.G_Local(
            y,
            wb,
            transform=transform,
            permutations=int(permutations),
            star=1.0 if star else False,
            n_jobs=1,
            seed=seed,
        )
    p_sim = np.asarray(g.p_sim, dtype=np.float64) if permutations else np.full(len(y), np.nan)
    return pd.DataFrame(
        {
            "G": np.asarray(g.Gs, dtype=np.float64),
            "EG": np.broadcast_to(np.asarray(g.EGs, dtype=np.float64), (len(y),)).copy(),
            "z": np.asarray(g.Zs, dtype=np.float64),
            "p_norm": np.asarray(g.p_norm, dtype=np.float64),
            "p_sim": p_sim,
        },
        index=pd.Index(list(w.id_order), name="region"),
    )
