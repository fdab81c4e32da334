"""Regional specialisation: Krugman, Hoover, Herfindahl, entropy and Hachman indices.

All functions take a **region × industry** matrix ``X`` (:class:`pandas.DataFrame`, regions as
rows, industries as columns, values ``≥ 0`` such as employment or output) and return pandas
objects carrying the same labels. Conventions follow ``docs/METHODS.md`` §1 and §2.

Notation: ``E_r = Σ_i X_ri`` (region total), ``E_i = Σ_r X_ri`` (industry total), ``E = ΣΣ X``,
``s_ri = X_ri / E_r`` (industry share inside region r) and ``s_i = E_i / E`` (industry share of
the reference economy). Where a formula uses national totals, ``reference=`` takes the national
total per industry (a :class:`pandas.Series` indexed by exactly the columns of ``X``); by default
the column sums of ``X`` are used.

Regions whose row is all zero have no industry shares (``0/0``): every function here that needs
``s_ri`` drops them **with a** :class:`~jiqun.analytics.rca.JiqunWarning` naming them. Nothing is
dropped silently.

References
----------
- Krugman, P. (1991). *Geography and Trade*. MIT Press.
- Hoover, E. M. (1936). The measurement of industrial localization. *Review of Economics and
  Statistics* 18(4), 162–171.
- Herfindahl, O. C. (1950). *Concentration in the U.S. Steel Industry*. PhD thesis, Columbia;
  Hirschman, A. O. (1945). *National Power and the Structure of Foreign Trade*.
- Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical Journal*
  27, 379–423; Frenken, K., Van Oort, F. & Verburg, T. (2007). Related variety, unrelated variety
  and regional economic growth. *Regional Studies* 41(5), 685–697.
- Hachman, F. (1995). *Economic Report to the Governor*, State of Utah; Isserman, A. M. (1980).
- Peers: EconGeo 2.0 (Balland): ``krugman_index``, ``spec_coeff``, ``herfindahl``, ``entropy``,
  ``hachman``; REAT 3.0.3 (Wieland): ``krugman.spec``, ``hoover``, ``herf``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from jiqun.analytics.rca import (
    aligned_totals,
    check_matrix,
    fmt_labels,
    reference_totals,
    warn_dropped,
)
from jiqun.standard.problems import JiqunError

__all__ = [
    "entropy",
    "hachman",
    "herfindahl",
    "hoover_specialization",
    "krugman_bilateral",
    "krugman_index",
]

Axis = Literal["region", "industry"]


# --------------------------------------------------------------------------------------------
# shared helpers (also used by concentration, similarity, dynamics and strength)
# --------------------------------------------------------------------------------------------


def drop_zero_lines(
    X: pd.DataFrame,
    *,
    rows: bool,
    cols: bool,
    why_zh: str = "X 全为 0",
    why_en: str = "all-zero in X",
    stacklevel: int = 4,
) -> pd.DataFrame:
    """Drop all-zero rows and/or columns of a validated ``X``, warning with ``JiqunWarning``.

    ``stacklevel`` 4 points the warning at the caller of the public function that calls this.
    """
    arr = X.to_numpy()
    row_keep = arr.sum(axis=1) > 0 if rows else np.ones(arr.shape[0], dtype=bool)
    col_keep = arr.sum(axis=0) > 0 if cols else np.ones(arr.shape[1], dtype=bool)
    if row_keep.all() and col_keep.all():
        return X
    warn_dropped(
        list(X.index[~row_keep]), list(X.columns[~col_keep]), why_zh, why_en, stacklevel=stacklevel
    )
    out = X.loc[row_keep, col_keep]
    if out.shape[0] == 0 or out.shape[1] == 0:
        raise JiqunError(
            "删除全为 0 的行/列后矩阵为空，无法计算",
            "nothing is left after dropping all-zero rows/columns; cannot compute",
        )
    return out


def _industry_shares(X: pd.DataFrame, reference: pd.Series | None) -> np.ndarray:
    """``s_i = E_i / E`` from the column sums of ``X`` or from a national ``reference``."""
    col_total, total = reference_totals(X, reference)
    if total <= 0:
        raise JiqunError(
            "参照经济体（reference 或 X 的列合计）总量为 0",
            "the reference economy (reference or the column sums of X) has total 0",
        )
    return col_total / total


def row_shares(arr: np.ndarray) -> np.ndarray:
    """``s_ri = X_ri / E_r`` for an array whose rows all have a positive total."""
    return arr / arr.sum(axis=1, keepdims=True)


def check_axis(axis: str, allowed: Sequence[str] = ("region", "industry")) -> None:
    if axis not in allowed:
        raise JiqunError(
            f"axis 必须是 {fmt_labels(list(allowed))} 之一，收到 {axis!r}",
            f"axis must be one of {fmt_labels(list(allowed))}, got {axis!r}",
        )


def totals_by_region(X: pd.DataFrame, region_totals: pd.Series | None) -> np.ndarray:
    """Region sizes ``E_r``: row sums of ``X`` or a Series indexed by exactly the rows of ``X``."""
    if region_totals is None:
        return X.to_numpy().sum(axis=1)
    return aligned_totals(
        region_totals,
        X.index,
        (
            "region_totals 必须是以地区为索引的 pandas.Series",
            "region_totals must be a pandas.Series indexed by region",
            "region_totals 的地区必须与 X 的行完全一致（顺序可不同）：缺少 {missing}；多出 {extra}",
            "region_totals must be indexed by exactly the regions of X (any order): "
            "missing {missing}; extra {extra}",
            "region_totals 含有缺失、非数值、无穷或负值：{names}",
            "region_totals has missing, non-numeric, infinite or negative values: {names}",
        ),
    )


# --------------------------------------------------------------------------------------------
# Krugman / Hoover
# --------------------------------------------------------------------------------------------


def krugman_index(X: pd.DataFrame, reference: pd.Series | None = None) -> pd.Series:
    """Krugman specialisation index of each region against the whole economy.

    ``K_r = Σ_i |s_ri − s_i|`` with ``s_ri = X_ri / E_r`` and ``s_i = E_i / E``. The reference
    economy is the whole of ``X`` **including region r itself** (column sums), or the national
    totals given in ``reference``. ``0`` = the region has the reference structure; the maximum
    is ``2`` (disjoint structures).

    Source: Krugman (1991), *Geography and Trade*, ch. 3 (index of regional divergence).
    Peer convention: EconGeo 2.0 ``krugman_index(mat)`` = REAT 3.0.3
    ``krugman.spec(e_ij, e_i = colSums)`` (same formula, same reference).

    Zero rows: a region with ``E_r = 0`` has no shares; it is dropped with a ``JiqunWarning``.
    Zero columns are harmless (they contribute ``|0 − 0| = 0``) and are kept.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    reference:
        Optional national totals per industry (Series indexed by exactly the columns of ``X``).

    Returns
    -------
    pandas.Series
        ``K_r`` per region, named ``"krugman_index"``.

    References
    ----------
    Krugman (1991); EconGeo 2.0 ``krugman_index``; REAT 3.0.3 ``krugman.spec``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 3.0]}, index=["r1", "r2"])
    >>> krugman_index(X).to_dict()  # s_r1 = (.75, .25), s = (.5, .5): |.25| + |.25|
    {'r1': 0.5, 'r2': 0.5}
    """
    X = check_matrix(X)
    si = _industry_shares(X, reference)
    X = drop_zero_lines(X, rows=True, cols=False)
    s = row_shares(X.to_numpy())
    return pd.Series(np.abs(s - si).sum(axis=1), index=X.index, name="krugman_index")


def krugman_bilateral(X: pd.DataFrame) -> pd.DataFrame:
    """Bilateral Krugman dissimilarity between every pair of regions (region × region).

    ``K_ab = Σ_i |s_ai − s_bi|``. ``0`` = identical industry structure, ``2`` = no industry in
    common. This is the form the Chinese 产业同构 (homogeneous structure) literature uses.

    Source: Krugman (1991), *Geography and Trade*, ch. 3. Peer convention: REAT 3.0.3
    ``krugman.spec(e_ij = region a, e_i = region b)``.

    Zero rows are dropped with a ``JiqunWarning`` (no shares); zero columns are harmless.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.

    Returns
    -------
    pandas.DataFrame
        Symmetric region × region matrix with a zero diagonal.

    References
    ----------
    Krugman (1991); REAT 3.0.3 ``krugman.spec``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 3.0]}, index=["r1", "r2"])
    >>> krugman_bilateral(X).loc["r1", "r2"]  # |.75 − .25| + |.25 − .75|
    np.float64(1.0)
    """
    X = check_matrix(X)
    X = drop_zero_lines(X, rows=True, cols=False)
    s = row_shares(X.to_numpy())
    K = _cityblock_all_pairs(s)
    np.fill_diagonal(K, 0.0)
    return pd.DataFrame(K, index=X.index.copy(), columns=X.index.copy())


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: Row-block size of :func:`_cityblock_all_pairs` (two 256 × n_industries blocks stay in cache).
_PAIR_BLOCK = 256


def _cityblock_all_pairs(s: np.ndarray, block: int = _PAIR_BLOCK) -> np.ndarray:
    """``cdist(s, s, "cityblock")`` computed on the upper-triangular blocks only and mirrored.

    Each block is one SciPy ``cdist`` call (same kernel, so the same floats as one full call, and
    ``|a − b| = |b − a|`` makes the mirror exact); blocks that fit in cache and half the pairs make
    it ~3× faster than one call, and the calls release the GIL, so they run on a small thread pool.
    """
    n = s.shape[0]
    if n <= 2 * block:
        return cdist(s, s, metric="cityblock")
    K = np.empty((n, n))
    starts = range(0, n, block)
    tasks = [(a, b) for a in starts for b in starts if b >= a]

    def run(task: tuple[int, int]) -> None:
        a, b = task
        ea, eb = min(a + block, n), min(b + block, n)
        part = cdist(s[a:ea], s[b:eb], metric="cityblock")
        K[a:ea, b:eb] = part
        if b != a:
            K[b:eb, a:ea] = part.T

    workers = min(_usable_cpus(), 8)
    if workers <= 1:
        for task in tasks:
            run(task)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, tasks))
    return K


def hoover_specialization(X: pd.DataFrame, reference: pd.Series | None = None) -> pd.Series:
    """Hoover coefficient of specialisation, ``K_r / 2 = ½ Σ_i |s_ri − s_i|`` (0..1 scale).

    Half the Krugman index (:func:`krugman_index`): the share of the region's activity that would
    have to move between industries for the region to have the reference structure.

    Source: Hoover (1936). Peer convention: EconGeo 2.0 ``spec_coeff`` and REAT 3.0.3
    ``hoover(e_ij, e_i)`` (both on the 0..1 scale, reference = the whole including r).

    Zero rows are dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    reference:
        Optional national totals per industry.

    Returns
    -------
    pandas.Series
        Per region, named ``"hoover_specialization"``.

    References
    ----------
    Hoover (1936); EconGeo 2.0 ``spec_coeff``; REAT 3.0.3 ``hoover``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 3.0]}, index=["r1", "r2"])
    >>> hoover_specialization(X).to_dict()
    {'r1': 0.25, 'r2': 0.25}
    """
    return (krugman_index(X, reference=reference) / 2.0).rename("hoover_specialization")


# --------------------------------------------------------------------------------------------
# Herfindahl / entropy / Hachman
# --------------------------------------------------------------------------------------------


def _oriented_shares(X: pd.DataFrame, axis: str) -> tuple[np.ndarray, pd.Index]:
    """Shares along the requested axis, dropping (with a warning) units with a zero total."""
    if axis == "region":
        X = drop_zero_lines(X, rows=True, cols=False, stacklevel=5)
        return row_shares(X.to_numpy()), X.index
    X = drop_zero_lines(X, rows=False, cols=True, stacklevel=5)
    return row_shares(X.to_numpy().T), X.columns


def herfindahl(X: pd.DataFrame, axis: Axis = "region", normalized: bool = False) -> pd.Series:
    """Herfindahl(–Hirschman) index of concentration.

    ``axis="region"`` (default): one value per region over its industries,
    ``H_r = Σ_i s_ri²`` — the industrial concentration (specialisation) of the region.
    ``axis="industry"``: one value per industry over regions, ``H_i = Σ_r (X_ri / E_i)²`` — the
    spatial concentration of the industry.

    ``normalized=True`` rescales to 0..1: ``H* = (H − 1/n) / (1 − 1/n)``, where ``n`` is the number
    of categories summed over (columns of ``X`` for ``axis="region"``, rows for
    ``axis="industry"``), **including categories with a zero value** — as REAT counts the length
    of the vector it is given.

    Source: Herfindahl (1950), Hirschman (1945). Peer convention: REAT 3.0.3
    ``herf(x, coefnorm = TRUE/FALSE)`` applied to each region's (or industry's) vector; EconGeo 2.0
    ``herfindahl(mat)`` is the un-normalised ``axis="region"`` case.

    Zero lines: a region (``axis="region"``) or industry (``axis="industry"``) with total 0 has no
    shares and is dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    axis:
        ``"region"`` or ``"industry"`` (see above).
    normalized:
        Return the normalised index; needs ``n ≥ 2``.

    Returns
    -------
    pandas.Series
        One value per region (or industry), named ``"herfindahl"``.

    References
    ----------
    Herfindahl (1950); Hirschman (1945); REAT 3.0.3 ``herf``; EconGeo 2.0 ``herfindahl``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 3.0]}, index=["r1", "r2"])
    >>> herfindahl(X).to_dict()  # .75² + .25² = .625
    {'r1': 0.625, 'r2': 0.625}
    >>> herfindahl(X, normalized=True).to_dict()  # (.625 − .5) / (1 − .5)
    {'r1': 0.25, 'r2': 0.25}
    """
    check_axis(axis)
    X = check_matrix(X)
    s, labels = _oriented_shares(X, axis)
    H = (s * s).sum(axis=1)
    if normalized:
        n = s.shape[1]
        if n < 2:
            raise JiqunError(
                "归一化 Herfindahl 需要至少 2 个类别（n ≥ 2）",
                "the normalised Herfindahl needs at least 2 categories (n ≥ 2)",
            )
        H = (H - 1.0 / n) / (1.0 - 1.0 / n)
    return pd.Series(H, index=labels, name="herfindahl")


def entropy(X: pd.DataFrame, axis: Axis = "region") -> pd.Series:
    """Shannon entropy (base 2) of industry shares: a measure of diversification.

    ``axis="region"`` (default): ``Ent_r = −Σ_i s_ri · log2(s_ri)`` with ``0·log2(0) = 0``.
    ``axis="industry"``: the same over each industry's regional shares ``X_ri / E_i``.
    ``0`` = everything in one category; maximum ``log2(n)`` for an even split.

    Source: Shannon (1948); Frenken, Van Oort & Verburg (2007). Peer convention: EconGeo 2.0
    ``entropy(mat)`` — **except** that EconGeo adds ``1e-9`` inside the logarithm and rounds to 3
    decimals; Jiqun uses the exact ``0·log 0 = 0`` limit and does not round.

    Zero lines are dropped with a ``JiqunWarning`` (no shares).

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    axis:
        ``"region"`` or ``"industry"``.

    Returns
    -------
    pandas.Series
        Entropy in bits, named ``"entropy"``.

    References
    ----------
    Shannon (1948); Frenken et al. (2007); EconGeo 2.0 ``entropy``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 1.0], "b": [1.0, 0.0]}, index=["r1", "r2"])
    >>> entropy(X).to_dict()  # r1: −2·(.5·log2 .5) = 1; r2: −1·log2 1 = 0
    {'r1': 1.0, 'r2': 0.0}
    """
    check_axis(axis)
    X = check_matrix(X)
    s, labels = _oriented_shares(X, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log2(np.where(s > 0, s, 1.0)), 0.0)
    ent = -terms.sum(axis=1)
    ent = np.where(ent == 0.0, 0.0, ent)  # no "-0.0"
    return pd.Series(ent, index=labels, name="entropy")


def hachman(X: pd.DataFrame, reference: pd.Series | None = None) -> pd.Series:
    """Hachman index: how closely a region's structure resembles the reference economy.

    ``HI_r = 1 / Σ_i LQ_ri · s_ri = 1 / Σ_i s_ri² / s_i``, with ``LQ_ri = s_ri / s_i``. ``1`` =
    identical structure; it tends to ``0`` as the region concentrates in industries that are small
    in the reference economy.

    Source: Hachman (1995); see Isserman (1980) for the location-quotient weighting. Peer
    convention: EconGeo 2.0 ``hachman(mat)`` (reference = column sums of ``X``).

    Zero rows are dropped with a ``JiqunWarning``. An industry with ``s_i = 0`` necessarily has
    ``s_ri = 0`` everywhere (``reference`` is checked for that) and contributes ``0`` — EconGeo
    sets its undefined LQ to 0 with the same effect.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    reference:
        Optional national totals per industry.

    Returns
    -------
    pandas.Series
        Per region, named ``"hachman"``.

    References
    ----------
    Hachman (1995); Isserman (1980); EconGeo 2.0 ``hachman``.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 3.0]}, index=["r1", "r2"])
    >>> hachman(X).to_dict()  # 1 / (.75²/.5 + .25²/.5) = 1 / 1.25
    {'r1': 0.8, 'r2': 0.8}
    """
    X = check_matrix(X)
    si = _industry_shares(X, reference)
    X = drop_zero_lines(X, rows=True, cols=False)
    s = row_shares(X.to_numpy())
    keep = si > 0
    denom = (s[:, keep] ** 2 / si[keep]).sum(axis=1)
    return pd.Series(1.0 / denom, index=X.index, name="hachman")
