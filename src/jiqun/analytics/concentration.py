"""Spatial concentration of industries: Gini, locational Gini, Hoover, spatial Gini, Theil,
Ellison–Glaeser agglomeration and co-agglomeration.

Matrix functions take a **region × industry** matrix ``X`` (:class:`pandas.DataFrame`, regions as
rows, industries as columns, values ``≥ 0``). Concentration measures compare an industry's
distribution over regions with the distribution of region sizes ``x_r = E_r / E``; by default
``E_r`` are the row sums of ``X``; ``region_totals=`` (a Series indexed by exactly the rows of
``X``) supplies external region sizes (e.g. total employment including industries not in ``X``).

The Ellison–Glaeser functions take **firm-level** data (one row per firm / plant with its region,
industry and size), because the plant Herfindahl ``H_i`` needs firm sizes.

Conventions follow ``docs/METHODS.md`` §1. Every undefined case (an all-zero industry, a region of
size 0, a single-plant industry) is dropped or set to NaN **with a**
:class:`~jiqun.analytics.rca.JiqunWarning`, never silently.

References
----------
- Gini, C. (1912). *Variabilità e mutabilità*; Gini, C. (1921). Measurement of inequality of
  incomes. *The Economic Journal* 31, 124–126.
- Krugman, P. (1991). *Geography and Trade*. MIT Press, ch. 2 (locational Gini, p. 56).
- Hoover, E. M. (1936). The measurement of industrial localization. *Review of Economics and
  Statistics* 18(4), 162–171.
- Theil, H. (1967). *Economics and Information Theory*. North-Holland.
- Ellison, G. & Glaeser, E. L. (1997). Geographic concentration in U.S. manufacturing industries:
  a dartboard approach. *Journal of Political Economy* 105(5), 889–927.
- Farhauer, O. & Kröll, A. (2014). *Standorttheorien*. Springer Gabler (textbook example data).
- Peers: EconGeo 2.0 ``gini``, ``locational_gini``; REAT 3.0.3 ``gini``, ``hoover``, ``theil``,
  ``ellison.a2``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from jiqun.analytics.rca import (
    check_columns,
    check_matrix,
    fmt_labels,
    warn_dropped,
    warn_labels,
)
from jiqun.analytics.specialisation import (
    check_axis,
    drop_zero_lines,
    row_shares,
    totals_by_region,
)
from jiqun.standard.problems import JiqunError

__all__ = [
    "CoagglomerationResult",
    "coagglomeration",
    "ellison_glaeser",
    "ellison_glaeser_sums",
    "gini",
    "hoover_concentration",
    "locational_gini",
    "spatial_gini",
    "theil",
]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _industry_vs_regions(
    X: pd.DataFrame, region_totals: pd.Series | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Validated ``X`` without all-zero industries and region shares ``x_r`` (with warnings).

    Regions of size 0 (``x_r = 0``) are dropped with a warning only when they also hold no
    activity of the industries of ``X`` (otherwise the input is contradictory and raises).
    """
    X = check_matrix(X)
    tot = totals_by_region(X, region_totals)
    arr = X.to_numpy()
    contradictory = (tot == 0) & (arr.sum(axis=1) > 0)
    if contradictory.any():
        names = list(X.index[contradictory])
        raise JiqunError(
            f"region_totals 为 0 但 X 中有正值的地区：{fmt_labels(names)}",
            f"regions with region_totals 0 but positive values in X: {fmt_labels(names)}",
        )
    if (tot == 0).any():
        warn_dropped(list(X.index[tot == 0]), [], "规模为 0", "of size 0", stacklevel=4)
        X = X.loc[tot > 0]
        tot = tot[tot > 0]
    X = drop_zero_lines(X, rows=False, cols=True)
    if tot.sum() <= 0:
        raise JiqunError("所有地区规模均为 0", "every region has size 0")
    return X, tot / tot.sum()


def _gini_sorted_columns(v: np.ndarray) -> np.ndarray:
    """Unweighted Gini of each column of ``v`` (each column has a positive total)."""
    n = v.shape[0]
    srt = np.sort(v, axis=0)
    Y = np.cumsum(srt, axis=0) / srt.sum(axis=0)
    # G = 1 − (1/n) Σ_k (Y_{k−1} + Y_k), Y_0 = 0, Y_n = 1  ⇔  1 − (2 Σ_k Y_k − 1)/n
    return 1.0 - (2.0 * Y.sum(axis=0) - 1.0) / n


# --------------------------------------------------------------------------------------------
# Gini family
# --------------------------------------------------------------------------------------------


def gini(
    X: pd.DataFrame,
    axis: Literal["industry", "region"] = "industry",
    normalized: bool = False,
) -> pd.Series:
    """Unweighted Gini coefficient of inequality.

    ``axis="industry"`` (default): **one Gini per industry** (column of ``X``), measuring how
    unequally that industry is spread **across the regions** (the ``n`` values are the column's
    cells, one per region). This is what EconGeo ``gini(mat)`` returns for a matrix.
    ``axis="region"``: one Gini per region (row), measuring how unequal the sizes of its industries
    are (``n`` = number of industries).

    With the ``n`` values sorted ascending and ``Y_k`` the cumulative share of the ``k`` smallest
    (``Y_0 = 0``): ``G = 1 − (1/n) Σ_k (Y_{k−1} + Y_k)``. Zeros count as observations. The maximum
    is ``(n−1)/n`` (one unit holds everything); ``normalized=True`` multiplies by ``n/(n−1)`` so the
    maximum is 1 (REAT ``coefnorm = TRUE``).

    Source: Gini (1912, 1921). Peer convention: EconGeo 2.0 ``gini`` = REAT 3.0.3 ``gini``
    (unweighted; ``G = 2Σ k·x_(k) / (nΣx) − (n+1)/n`` is the same number).

    Zero lines: an industry (``axis="industry"``) or region (``axis="region"``) whose values are
    all 0 has an undefined Gini (``0/0``) and is dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    axis:
        ``"industry"`` (Gini of each industry across regions) or ``"region"``.
    normalized:
        Multiply by ``n/(n−1)``; needs ``n ≥ 2``.

    Returns
    -------
    pandas.Series
        One Gini per industry (or region), named ``"gini"``.

    References
    ----------
    Gini (1921); EconGeo 2.0 ``gini``; REAT 3.0.3 ``gini``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"ind": [0, 10, 10, 30, 50]}, index=list("abcde"))
    >>> float(round(gini(X)["ind"], 10))  # EconGeo's documented vector c(0, 10, 10, 30, 50)
    0.48
    >>> float(round(gini(X, normalized=True)["ind"], 10))  # 0.48 · 5/4
    0.6
    """
    check_axis(axis, ("industry", "region"))
    X = check_matrix(X)
    if axis == "industry":
        X = drop_zero_lines(X, rows=False, cols=True)
        v, labels = X.to_numpy(), X.columns
    else:
        X = drop_zero_lines(X, rows=True, cols=False)
        v, labels = X.to_numpy().T, X.index
    n = v.shape[0]
    G = _gini_sorted_columns(v)
    if normalized:
        if n < 2:
            raise JiqunError(
                "归一化 Gini 需要至少 2 个观测（n ≥ 2）",
                "the normalised Gini needs at least 2 observations (n ≥ 2)",
            )
        G = G * n / (n - 1)
    return pd.Series(G, index=labels, name="gini")


def locational_gini(X: pd.DataFrame, region_totals: pd.Series | None = None) -> pd.Series:
    """Locational Gini coefficient of each industry (Krugman 1991), maximum 0.5.

    For industry ``i``: sort the regions by ``LQ_ri`` ascending (equivalently by
    ``X_ri / x_r``, ``x_r = E_r / E``); let ``c_k`` be the cumulative share of the industry and
    ``p_k`` the cumulative share of region size over the first ``k`` regions. Then
    ``G_i = (Σ_{k=2..n} c_k p_{k−1} − Σ_{k=2..n} c_{k−1} p_k) / 2``, i.e. half the Gini area between
    the locational Lorenz curve and the diagonal. ``0`` = the industry is spread exactly like
    overall activity; the theoretical limit is ``0.5``. Ties in LQ do not matter (tied regions lie
    on one straight segment of the curve).

    Source: Krugman (1991), *Geography and Trade*, ch. 2, p. 56. Peer convention: **EconGeo 2.0
    ``locational_gini(mat)``** (region sizes = row sums of ``mat``). REAT ``gini.conc`` is a
    different quantity (an unweighted Gini of the LQs) and is not what this function computes.

    Zero lines: industries with total 0 are dropped with a ``JiqunWarning``; regions of size 0
    (their LQ is ``0/0``) are dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    region_totals:
        Optional region sizes ``E_r`` (Series indexed by the rows of ``X``); default row sums.

    Returns
    -------
    pandas.Series
        One value per industry, named ``"locational_gini"``.

    References
    ----------
    Krugman (1991); EconGeo 2.0 ``locational_gini``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"i": [1.0, 0.0], "j": [0.0, 1.0]}, index=["r1", "r2"])
    >>> locational_gini(X).to_dict()  # sorted (r2, r1): c = (0, 1), p = (.5, 1) → (1·.5 − 0)/2
    {'i': 0.25, 'j': 0.25}
    """
    X, x = _industry_vs_regions(X, region_totals)
    arr = X.to_numpy()
    out = np.empty(arr.shape[1])
    for j in range(arr.shape[1]):
        ind = arr[:, j]
        order = np.argsort(ind / x, kind="stable")
        c = np.cumsum(ind[order]) / ind.sum()
        p = np.cumsum(x[order]) / x.sum()
        out[j] = (np.sum(c[1:] * p[:-1]) - np.sum(c[:-1] * p[1:])) / 2.0
    return pd.Series(out, index=X.columns, name="locational_gini")


def hoover_concentration(X: pd.DataFrame, region_totals: pd.Series | None = None) -> pd.Series:
    """Hoover coefficient of localisation of each industry (0..1).

    ``HC_i = ½ Σ_r |X_ri / E_i − x_r|`` with ``x_r = E_r / E``: the share of the industry that would
    have to move between regions for it to be distributed like overall activity.

    Source: Hoover (1936). Peer convention: REAT 3.0.3 ``hoover(x = e_ij, ref = e_j)`` (0..1).

    Zero lines: industries with total 0 and regions of size 0 are dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    region_totals:
        Optional region sizes ``E_r``; default row sums of ``X``.

    Returns
    -------
    pandas.Series
        One value per industry, named ``"hoover_concentration"``.

    References
    ----------
    Hoover (1936); REAT 3.0.3 ``hoover``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"i": [3.0, 1.0], "j": [1.0, 3.0]}, index=["r1", "r2"])
    >>> hoover_concentration(X).to_dict()  # ½(|.75 − .5| + |.25 − .5|)
    {'i': 0.25, 'j': 0.25}
    """
    X, x = _industry_vs_regions(X, region_totals)
    s = row_shares(X.to_numpy().T)  # industries × regions
    return pd.Series(0.5 * np.abs(s - x).sum(axis=1), index=X.columns, name="hoover_concentration")


def spatial_gini(X: pd.DataFrame, region_totals: pd.Series | None = None) -> pd.Series:
    """Spatial Gini coefficient (空间基尼系数) — the raw ``G`` of Ellison & Glaeser.

    ``G_i = Σ_r (X_ri / E_i − x_r)²`` with ``x_r = E_r / E``. ``0`` = the industry is spread like
    overall activity. Unlike :func:`ellison_glaeser`'s ``γ``, it does not control for plant size,
    so it is comparable across industries only with care.

    Source: Krugman (1991); Ellison & Glaeser (1997), eq. (1)/(2) (their ``G``). Peer convention:
    the ``G_i`` column of REAT 3.0.3 ``ellison.a2``; no separate EconGeo function.

    Zero lines are dropped with a ``JiqunWarning`` as in :func:`hoover_concentration`.

    Parameters
    ----------
    X, region_totals:
        As in :func:`hoover_concentration`.

    Returns
    -------
    pandas.Series
        One value per industry, named ``"spatial_gini"``.

    References
    ----------
    Krugman (1991); Ellison & Glaeser (1997).

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"i": [3.0, 1.0], "j": [1.0, 3.0]}, index=["r1", "r2"])
    >>> spatial_gini(X).to_dict()  # (.75 − .5)² + (.25 − .5)²
    {'i': 0.125, 'j': 0.125}
    """
    X, x = _industry_vs_regions(X, region_totals)
    s = row_shares(X.to_numpy().T)
    return pd.Series(((s - x) ** 2).sum(axis=1), index=X.columns, name="spatial_gini")


def theil(
    X: pd.DataFrame,
    kind: Literal["T", "L"] = "T",
    axis: Literal["industry", "region"] = "industry",
) -> pd.Series:
    """Theil index of inequality (unweighted), Theil T or Theil L.

    For the ``n`` values ``v`` of a line with mean ``μ``:
    ``kind="T"``: ``T = (1/n) Σ (v/μ)·ln(v/μ)`` with ``0·ln 0 = 0`` (maximum ``ln n``);
    ``kind="L"`` (mean log deviation): ``L = (1/n) Σ ln(μ/v)``, which is ``+∞`` when any value is
    0 — returned as ``inf`` with a ``JiqunWarning``.
    ``axis="industry"`` (default) gives one value per industry across regions; ``axis="region"``
    one per region across industries.

    Source: Theil (1967). Peer convention: REAT 3.0.3 ``theil(x)`` computes **Theil L**
    (``kind="L"``); ``kind="T"`` is the Theil T of most textbooks.

    Zero lines (all values 0, ``μ = 0``) are dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    kind:
        ``"T"`` or ``"L"``.
    axis:
        ``"industry"`` or ``"region"``.

    Returns
    -------
    pandas.Series
        Named ``"theil_T"`` or ``"theil_L"``.

    References
    ----------
    Theil (1967); REAT 3.0.3 ``theil``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"i": [1.0, 3.0]}, index=["r1", "r2"])
    >>> float(round(theil(X)["i"], 6))  # μ = 2: ½(.5 ln .5 + 1.5 ln 1.5)
    0.130812
    >>> float(round(theil(X, kind="L")["i"], 6))  # ½(ln 2 + ln(2/3))
    0.143841
    """
    if kind not in ("T", "L"):
        raise JiqunError(
            f"kind 必须是 'T' 或 'L'，收到 {kind!r}", f"kind must be 'T' or 'L', got {kind!r}"
        )
    check_axis(axis, ("industry", "region"))
    X = check_matrix(X)
    if axis == "industry":
        X = drop_zero_lines(X, rows=False, cols=True)
        v, labels = X.to_numpy().T, X.columns
    else:
        X = drop_zero_lines(X, rows=True, cols=False)
        v, labels = X.to_numpy(), X.index
    mu = v.mean(axis=1, keepdims=True)
    r = v / mu
    if kind == "T":
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
        out = terms.mean(axis=1)
    else:
        has_zero = (v == 0).any(axis=1)
        with np.errstate(divide="ignore"):
            out = np.log(1.0 / np.where(r > 0, r, 0.0)).mean(axis=1)
        if has_zero.any():
            warn_labels(
                "Theil L 在有 0 值时为 +∞",
                "Theil L is +inf where a value is 0",
                list(labels[has_zero]),
            )
    return pd.Series(out, index=labels, name=f"theil_{kind}")


# --------------------------------------------------------------------------------------------
# Ellison–Glaeser (firm data)
# --------------------------------------------------------------------------------------------


def _check_firms(firms: pd.DataFrame, region: str, industry: str, size: str) -> pd.DataFrame:
    """Validate a firm table; return ``[region, industry, size]`` with float sizes."""
    check_columns(
        firms,
        (region, industry, size),
        "firms 必须是 pandas.DataFrame，收到 {type}",
        "firms must be a pandas.DataFrame, got {type}",
        "firms 缺少列：{missing}；现有列：{present}",
        "firms lacks column(s): {missing}; present: {present}",
    )
    if len(firms) == 0:
        raise JiqunError("firms 为空", "firms is empty")
    for col in (region, industry):
        na = firms[col].isna().to_numpy()
        if na.any():
            rows = [int(i) for i in np.flatnonzero(na)[:10]]
            raise JiqunError(
                f"列「{col}」有 {int(na.sum())} 个缺失值（行位置 {rows}）",
                f"column {col!r} has {int(na.sum())} missing value(s) (row positions {rows})",
            )
    vals = pd.to_numeric(firms[size], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(vals) | (vals < 0)
    if bad.any():
        rows = [int(i) for i in np.flatnonzero(bad)[:10]]
        shown = [firms[size].iat[i] for i in rows]
        raise JiqunError(
            f"列「{size}」有 {int(bad.sum())} 个缺失、非数值、无穷或负值（行位置 {rows}，值 {shown}）",
            f"column {size!r} has {int(bad.sum())} missing, non-numeric, infinite or negative "
            f"value(s) (row positions {rows}, values {shown})",
        )
    return pd.DataFrame(
        {"region": firms[region].to_numpy(), "industry": firms[industry].to_numpy(), "size": vals}
    )


def _benchmark_shares(f: pd.DataFrame, region_totals: pd.Series | None) -> pd.Series:
    """Benchmark ``x_r``: all firms' regional shares, or normalised ``region_totals``."""
    if region_totals is None:
        tot = f.groupby("region", sort=True)["size"].sum()
    else:
        if not isinstance(region_totals, pd.Series) or not region_totals.index.is_unique:
            raise JiqunError(
                "region_totals 必须是以地区为索引（唯一）的 pandas.Series",
                "region_totals must be a pandas.Series with a unique region index",
            )
        tot = pd.to_numeric(region_totals, errors="coerce").astype(np.float64)
        if (~np.isfinite(tot.to_numpy()) | (tot.to_numpy() < 0)).any():
            raise JiqunError(
                "region_totals 含有缺失、非数值、无穷或负值",
                "region_totals has missing, non-numeric, infinite or negative values",
            )
        unknown = pd.Index(f["region"].unique()).difference(tot.index)
        if len(unknown):
            raise JiqunError(
                f"firms 中的地区不在 region_totals 中：{fmt_labels(list(unknown))}",
                f"regions in firms missing from region_totals: {fmt_labels(list(unknown))}",
            )
    if tot.sum() <= 0:
        raise JiqunError("基准地区规模合计为 0", "the benchmark region sizes sum to 0")
    return tot / tot.sum()


def _firm_sums(f: pd.DataFrame) -> pd.DataFrame:
    """Σ size, Σ size² and the firm count ``n`` of each region × industry cell of firm rows."""
    g = f.assign(size_sq=f["size"] ** 2).groupby(["region", "industry"], sort=True)
    return pd.DataFrame(
        {"size": g["size"].sum(), "size_sq": g["size_sq"].sum(), "n": g["size"].size()}
    ).reset_index()


def _eg_components(
    cells: pd.DataFrame, x: pd.Series, stacklevel: int = 4
) -> tuple[pd.DataFrame, float]:
    """G_i, H_i, E_i and n_firms per industry (industries with E_i > 0), and Σ x_r².

    ``cells`` holds a row per region × industry cell with ``size`` (Σ size), ``size_sq``
    (Σ size²) and ``n`` (firms): ``H_i = Σ_k z_k² = Σ_r Σ size² / E_i²`` needs no firm rows.
    ``stacklevel`` (of the dropped-industry warning) is 4 when a public function calls this.
    """
    emp = cells.groupby(["industry", "region"], sort=True)["size"].sum().unstack(fill_value=0.0)
    emp = emp.reindex(columns=x.index, fill_value=0.0)
    E_i = emp.sum(axis=1)
    zero = E_i <= 0
    if zero.any():
        warn_dropped(
            [], list(E_i.index[zero]), "规模合计为 0", "with total size 0", stacklevel=stacklevel
        )
        emp, E_i = emp.loc[~zero], E_i.loc[~zero]
    if len(E_i) == 0:
        raise JiqunError("所有产业规模合计均为 0", "every industry has total size 0")
    s = emp.to_numpy() / E_i.to_numpy()[:, None]
    G = ((s - x.to_numpy()[None, :]) ** 2).sum(axis=1)
    sq = cells.groupby("industry")["size_sq"].sum().reindex(E_i.index)
    H = sq.to_numpy() / E_i.to_numpy() ** 2
    n_firms = cells.groupby("industry")["n"].sum().reindex(E_i.index)
    comp = pd.DataFrame(
        {"G": G, "H": H, "employment": E_i.to_numpy(), "n_firms": n_firms.to_numpy()},
        index=E_i.index,
    )
    return comp, float((x.to_numpy() ** 2).sum())


def _gamma(G: np.ndarray, H: np.ndarray, sx2: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (G - (1.0 - sx2) * H) / ((1.0 - sx2) * (1.0 - H))


def ellison_glaeser(
    firms: pd.DataFrame,
    region: str = "region",
    industry: str = "industry",
    size: str = "size",
    region_totals: pd.Series | None = None,
) -> pd.DataFrame:
    """Ellison–Glaeser agglomeration index ``γ_i`` of each industry, from firm (plant) data.

    ``γ_i = [G_i − (1 − Σ_r x_r²) H_i] / [(1 − Σ_r x_r²)(1 − H_i)]`` (EG 1997, eq. 5), with
    ``G_i = Σ_r (s_ir − x_r)²`` (``s_ir`` = region r's share of industry i's employment),
    ``H_i = Σ_k z_k²`` the plant Herfindahl (``z_k`` = firm k's share of its industry), and the
    benchmark ``x_r`` = **all firms' regional shares** (every industry in ``firms`` pooled), unless
    ``region_totals`` gives external region sizes (e.g. total regional employment). ``γ ≈ 0`` is
    the dartboard (random location) benchmark; ``γ > 0`` agglomeration; ``γ < 0`` dispersion.
    EG suggest ``γ > 0.05`` as highly and ``γ < 0.02`` as not very concentrated.

    Source: Ellison & Glaeser (1997), JPE 105(5), eq. (5). Peer convention: REAT 3.0.3
    ``ellison.a2(e_ik, industry, region)`` — same benchmark (regional totals of all firms in the
    data, including regions where an industry is absent); its ``G i`` and ``HHI i`` columns are
    ``G`` and ``H`` here.

    Undefined cases: industries with total size 0 are dropped with a ``JiqunWarning``; a
    single-plant industry (``H_i = 1``) has ``γ_i = NaN`` (``0/0``) with a ``JiqunWarning``.

    Parameters
    ----------
    firms:
        One row per firm/plant.
    region, industry, size:
        Column names in ``firms`` (size = employment, output, …, ``≥ 0``).
    region_totals:
        Optional external region sizes (Series indexed by region) for the benchmark ``x_r``; it
        must cover every region in ``firms``.

    Returns
    -------
    pandas.DataFrame
        Indexed by industry (sorted), columns ``gamma``, ``G``, ``H``, ``employment``,
        ``n_firms``; ``attrs["sum_x2"]`` holds ``Σ x_r²``.

    References
    ----------
    Ellison & Glaeser (1997); Farhauer & Kröll (2014); REAT 3.0.3 ``ellison.a2``.

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": ["i", "i", "j", "j"],
    ...                       "size": [1.0, 1.0, 1.0, 1.0]})
    >>> eg = ellison_glaeser(firms)  # x = (.5, .5); G_i = .5; H_i = .5; γ = (.5 − .25)/.25
    >>> eg.loc["i", ["gamma", "G", "H"]].tolist()
    [1.0, 0.5, 0.5]
    """
    f = _check_firms(firms, region, industry, size)
    x = _benchmark_shares(f, region_totals)
    return _eg_table(_firm_sums(f), x, industry)


def _eg_table(cells: pd.DataFrame, x: pd.Series, name: str) -> pd.DataFrame:
    """:func:`ellison_glaeser`'s table from cell sums (see :func:`_eg_components`) and ``x_r``.

    Called by the public functions only: the warnings' stack level points at their caller.
    """
    comp, sx2 = _eg_components(cells, x, stacklevel=5)
    gamma = _gamma(comp["G"].to_numpy(), comp["H"].to_numpy(), sx2)
    single = comp["H"].to_numpy() >= 1.0
    if single.any():
        gamma[single] = np.nan
        warn_labels(
            "只有一个有规模的企业（H = 1）的产业 γ 无定义，设为 NaN",
            "gamma undefined (H = 1, a single plant), set to NaN",
            list(comp.index[single]),
            stacklevel=3,
        )
    out = comp.copy()
    out.insert(0, "gamma", gamma)
    out.index.name = name
    out.attrs["sum_x2"] = sx2
    return out


def ellison_glaeser_sums(cells: pd.DataFrame) -> pd.DataFrame:
    """:func:`ellison_glaeser` from firm sums per region × industry cell instead of firm rows.

    ``G_i`` needs only each cell's Σ size, ``H_i = Σ_k z_k² = Σ_r Σ size² / E_i²`` only each
    cell's Σ size², and ``n_firms`` the cells' firm counts, so an engine can aggregate the firm
    rows (:func:`jiqun.engine.aggregates.firm_size_sums`) and only the cells reach pandas. The
    benchmark ``x_r`` is, as in :func:`ellison_glaeser`, all firms' regional shares (every
    industry of ``cells`` pooled). Same undefined cases and warnings.

    Parameters
    ----------
    cells:
        Columns ``region``, ``industry``, ``size`` (Σ size ≥ 0), ``size_sq`` (Σ size²) and ``n``
        (firms), one row per cell.

    Returns
    -------
    pandas.DataFrame
        As :func:`ellison_glaeser`: indexed by industry (sorted), columns ``gamma``, ``G``,
        ``H``, ``employment``, ``n_firms``; ``attrs["sum_x2"]``.

    References
    ----------
    Ellison & Glaeser (1997), JPE 105(5), eq. (5).

    Example
    -------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["A", "B"], "industry": ["i", "j"], "size": [2.0, 2.0],
    ...                       "size_sq": [2.0, 2.0], "n": [2, 2]})
    >>> ellison_glaeser_sums(cells).loc["i", ["gamma", "G", "H"]].tolist()  # as the firm rows
    [1.0, 0.5, 0.5]
    """
    if not isinstance(cells, pd.DataFrame):
        raise JiqunError(
            f"cells 必须是 pandas.DataFrame，收到 {type(cells).__name__}",
            f"cells must be a pandas.DataFrame, got {type(cells).__name__}",
        )
    missing = [c for c in ("region", "industry", "size", "size_sq", "n") if c not in cells]
    if missing:
        raise JiqunError(f"cells 缺少列：{missing}", f"cells lacks column(s): {missing}")
    if len(cells) == 0:
        raise JiqunError("cells 为空", "cells is empty")
    size = pd.to_numeric(cells["size"], errors="coerce").to_numpy(dtype=np.float64)
    if (~np.isfinite(size) | (size < 0)).any():
        raise JiqunError(
            "cells 的 size 含有缺失、非数值、无穷或负值",
            "cells' size has missing, non-numeric, infinite or negative values",
        )
    f = pd.DataFrame(
        {
            "region": cells["region"].to_numpy(),
            "industry": cells["industry"].to_numpy(),
            "size": size,
            "size_sq": pd.to_numeric(cells["size_sq"]).to_numpy(dtype=np.float64),
            "n": pd.to_numeric(cells["n"]).to_numpy(dtype=np.int64),
        }
    )
    return _eg_table(f, _benchmark_shares(f, None), "industry")


@dataclass(frozen=True)
class CoagglomerationResult:
    """Ellison–Glaeser co-agglomeration of a group of industries (EG 1997, eq. 7).

    Attributes
    ----------
    gamma_c:
        The co-agglomeration index ``γ^c``.
    G:
        Raw geographic concentration of the pooled group, ``Σ_r (s_r − x_r)²``.
    H:
        Plant Herfindahl of the pooled group, ``Σ_i w_i² H_i``.
    sum_x2:
        ``Σ_r x_r²`` of the benchmark.
    components:
        Per industry: ``w`` (share of the group), ``H``, ``gamma`` (:func:`ellison_glaeser`).
    """

    gamma_c: float
    G: float
    H: float
    sum_x2: float
    components: pd.DataFrame

    def __float__(self) -> float:
        return float(self.gamma_c)


def coagglomeration(
    firms: pd.DataFrame,
    industries: Iterable[Hashable],
    region: str = "region",
    industry: str = "industry",
    size: str = "size",
    region_totals: pd.Series | None = None,
) -> CoagglomerationResult:
    """Ellison–Glaeser co-agglomeration index ``γ^c`` of a group of industries.

    ``γ^c = [G / (1 − Σ_r x_r²) − H − Σ_i γ_i w_i² (1 − H_i)] / (1 − Σ_i w_i²)`` (EG 1997, eq. 7),
    where the group pools industries ``i = 1..U``; ``G = Σ_r (s_r − x_r)²`` is the raw
    concentration of the **pooled** group (``s_r`` = region r's share of the group's employment),
    ``w_i = E_i / E_group``, ``H = Σ_i w_i² H_i`` (the pooled plant Herfindahl) and ``γ_i``, ``H_i``
    come from :func:`ellison_glaeser` with the same benchmark ``x_r`` (all firms in ``firms``, or
    ``region_totals``). ``γ^c > 0``: the industries locate near each other beyond what their own
    agglomeration explains.

    Source: Ellison & Glaeser (1997), JPE 105(5), eq. (7). Peer convention: the paper. **REAT
    3.0.3 ``ellison.c`` is not followed**: it sums shares in a way that departs from eq. (7)
    (``docs/METHODS.md`` §1).

    Parameters
    ----------
    firms:
        One row per firm/plant (all industries; the benchmark uses all of them).
    industries:
        The ``U ≥ 2`` industries of the group (labels in the ``industry`` column).
    region, industry, size:
        Column names in ``firms``.
    region_totals:
        Optional external region sizes for the benchmark, as in :func:`ellison_glaeser`.

    Returns
    -------
    CoagglomerationResult
        ``gamma_c`` and its components; ``float(result)`` gives ``gamma_c``.

    References
    ----------
    Ellison & Glaeser (1997), eq. (7).

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": ["i", "j", "i", "j"],
    ...                       "size": [1.0, 1.0, 1.0, 1.0]})
    >>> res = coagglomeration(firms, ["i", "j"])  # both spread like x: γ_i = γ_j = −1, G = 0
    >>> abs(res.gamma_c) < 1e-12  # (0/(1 − .5) − .25 − 2·(−1·.25·.5)) / (1 − .5) = 0
    True
    """
    group = list(dict.fromkeys(industries))
    if len(group) < 2:
        raise JiqunError(
            "共聚指数需要至少 2 个产业", "co-agglomeration needs at least 2 industries"
        )
    f = _check_firms(firms, region, industry, size)
    unknown = [g for g in group if g not in set(f["industry"])]
    if unknown:
        raise JiqunError(
            f"firms 中没有这些产业：{fmt_labels(unknown)}",
            f"industries not found in firms: {fmt_labels(unknown)}",
        )
    x = _benchmark_shares(f, region_totals)
    comp, sx2 = _eg_components(_firm_sums(f), x)
    dropped = [g for g in group if g not in comp.index]
    if dropped:
        raise JiqunError(
            f"这些产业规模合计为 0，无法计算共聚：{fmt_labels(dropped)}",
            f"these industries have total size 0; cannot compute co-agglomeration: "
            f"{fmt_labels(dropped)}",
        )
    comp = comp.loc[group]
    gamma_i = _gamma(comp["G"].to_numpy(), comp["H"].to_numpy(), sx2)
    Ei = comp["employment"].to_numpy()
    w = Ei / Ei.sum()
    Hi = comp["H"].to_numpy()
    # pooled group: regional shares of the group's employment
    fg = f[f["industry"].isin(group)]
    emp_r = fg.groupby("region")["size"].sum().reindex(x.index, fill_value=0.0).to_numpy()
    s = emp_r / emp_r.sum()
    G = float(((s - x.to_numpy()) ** 2).sum())
    H = float((w**2 * Hi).sum())
    with np.errstate(invalid="ignore"):
        # an H_i = 1 industry has γ_i = NaN but its weight (1 − H_i) = 0: the term is 0
        term = np.where(Hi >= 1.0, 0.0, gamma_i * w**2 * (1.0 - Hi))
    gamma_c = (G / (1.0 - sx2) - H - term.sum()) / (1.0 - (w**2).sum())
    components = pd.DataFrame(
        {"w": w, "H": Hi, "gamma": np.where(Hi >= 1.0, np.nan, gamma_i), "employment": Ei},
        index=pd.Index(group, name=industry),
    )
    return CoagglomerationResult(
        gamma_c=float(gamma_c), G=G, H=H, sum_x2=sx2, components=components
    )
