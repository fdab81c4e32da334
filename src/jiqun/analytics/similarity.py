"""Homogeneous competition (同质化竞争 / 产业同构): how alike are two regions' industry structures?

Three measures (``docs/METHODS.md`` §2), all region × region:

- **structure similarity coefficient** (产业结构相似系数, UNIDO): the cosine of the two industry
  share vectors — 1 = identical structure;
- **bilateral Krugman index** (:func:`jiqun.analytics.specialisation.krugman_bilateral`):
  0 = identical, 2 = disjoint;
- **overlap of priority / specialised industries**: Jaccard index of the sets of industries each
  region lists as a priority (from plans) or holds with ``LQ ≥ 1``.

Report all three with the region pair, the level of the industry codes used and the year.

References
----------
- UNIDO (1979). *World Industry since 1960: Progress and Prospects*. United Nations, New York
  (the structure similarity coefficient).
- Krugman, P. (1991). *Geography and Trade*. MIT Press.
- Jaccard, P. (1901). Étude comparative de la distribution florale dans une portion des Alpes et
  du Jura. *Bulletin de la Société Vaudoise des Sciences Naturelles* 37, 547–579.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from jiqun.analytics.rca import check_matrix, fmt_labels, presence, warn_labels
from jiqun.analytics.specialisation import drop_zero_lines, row_shares
from jiqun.standard.problems import JiqunError

__all__ = [
    "homogeneous_competition_table",
    "priority_overlap",
    "structure_similarity",
]


def structure_similarity(X: pd.DataFrame) -> pd.DataFrame:
    """Structure similarity coefficient (产业结构相似系数) between every pair of regions.

    ``S_ab = Σ_i x_ai x_bi / √(Σ_i x_ai² · Σ_i x_bi²)`` where ``x_ai`` is industry i's share in
    region a. It is the cosine of the two vectors, so levels give the same value as shares.
    ``1`` = identical structure, ``0`` = no industry in common (values are ``≥ 0`` because
    ``X ≥ 0``). Rounding noise is clipped to ``[0, 1]`` and the diagonal is exactly 1.

    Source: UNIDO (1979), the coefficient used throughout the Chinese 产业同构 literature.
    Peer convention: no EconGeo/REAT function; the formula of docs/METHODS.md §2.

    Zero rows (a region with no activity has no structure) are dropped with a ``JiqunWarning``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.

    Returns
    -------
    pandas.DataFrame
        Symmetric region × region matrix.

    References
    ----------
    UNIDO (1979).

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 0.0], "b": [1.0, 2.0, 1.0]}, index=["r1", "r2", "r3"])
    >>> S = structure_similarity(X)
    >>> round(float(S.loc["r1", "r2"]), 6), round(float(S.loc["r1", "r3"]), 6)  # r1–r3: 1/√2
    (1.0, 0.707107)
    """
    X = check_matrix(X)
    X = drop_zero_lines(X, rows=True, cols=False)
    v = _unit_rows(row_shares(X.to_numpy()))
    S = np.clip(v @ v.T, 0.0, 1.0)
    np.fill_diagonal(S, 1.0)
    return pd.DataFrame(S, index=X.index.copy(), columns=X.index.copy())


def _unit_rows(s: np.ndarray) -> np.ndarray:
    """Rows of ``s`` scaled to unit Euclidean length (the cosine of two rows is then a dot)."""
    return s / np.sqrt((s * s).sum(axis=1, keepdims=True))


def _sets_to_presence(
    sets_or_M: Mapping[Hashable, Iterable[Hashable]] | pd.DataFrame,
) -> pd.DataFrame:
    if isinstance(sets_or_M, pd.DataFrame):
        M = check_matrix(sets_or_M, name="M")
        arr = M.to_numpy()
        if not np.all((arr == 0) | (arr == 1)):
            raise JiqunError(
                "priority_overlap 需要 0/1 的存在矩阵 M（可用 presence(X) 得到），或产业集合的字典",
                "priority_overlap needs a 0/1 presence matrix M (e.g. presence(X)) or a mapping "
                "region → set of industries",
            )
        return M.astype(np.int64)
    if isinstance(sets_or_M, Mapping):
        if len(sets_or_M) == 0:
            raise JiqunError("地区集合为空", "the mapping of regions is empty")
        sets = {r: set(v) for r, v in sets_or_M.items()}
        universe = sorted({i for s in sets.values() for i in s}, key=str)
        M = pd.DataFrame(0, index=pd.Index(list(sets)), columns=pd.Index(universe), dtype=np.int64)
        for r, s in sets.items():
            if s:
                M.loc[r, list(s)] = 1
        return M
    raise JiqunError(
        f"priority_overlap 需要字典（地区 → 产业集合）或 0/1 矩阵，收到 {type(sets_or_M).__name__}",
        f"priority_overlap needs a mapping region → industries or a 0/1 DataFrame, got "
        f"{type(sets_or_M).__name__}",
    )


def _jaccard(M: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Jaccard matrix and intersection counts of the rows of a 0/1 matrix.

    With ``rows`` (positions), only those rows of the matrices (``len(rows) × n``); the counts are
    exact integers, so they equal the same rows of the full result.
    """
    Mf = M.astype(np.float64)
    size = Mf.sum(axis=1)
    if rows is None:
        inter = Mf @ Mf.T
        union = size[:, None] + size[None, :] - inter
    else:
        inter = Mf[rows] @ Mf.T
        union = size[rows][:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        J = np.where(union > 0, inter / np.where(union > 0, union, 1.0), np.nan)
    return J, inter


def priority_overlap(
    sets_or_M: Mapping[Hashable, Iterable[Hashable]] | pd.DataFrame,
) -> pd.DataFrame:
    """Overlap of priority (or specialised) industries between every pair of regions (Jaccard).

    ``J_ab = |A ∩ B| / |A ∪ B|`` where ``A`` and ``B`` are the two regions' industry sets: the
    industries each region lists as a priority in its plans, or those it holds with ``LQ ≥ 1``
    (rows of the presence matrix ``M = presence(X)``). ``0`` = no overlap, ``1`` = the same set.
    Two regions that both have an **empty** set have an undefined overlap: NaN, with a
    ``JiqunWarning`` (a region with an empty set has NaN on the diagonal too).

    Source: Jaccard (1901); docs/METHODS.md §2. Peer convention: none (EconGeo ``relatedness(method =
    "Jaccard")`` is the same index between industries, not regions).

    Parameters
    ----------
    sets_or_M:
        A mapping ``region → iterable of industries`` or a 0/1 region × industry DataFrame.

    Returns
    -------
    pandas.DataFrame
        Symmetric region × region Jaccard matrix.

    References
    ----------
    Jaccard (1901).

    Example
    -------
    >>> J = priority_overlap({"A": {"EV", "battery", "AI"}, "B": {"EV", "battery", "biotech"}})
    >>> float(J.loc["A", "B"])  # |{EV, battery}| / |{EV, battery, AI, biotech}|
    0.5
    """
    M = _sets_to_presence(sets_or_M)
    J, _ = _jaccard(M.to_numpy())
    empty = M.to_numpy().sum(axis=1) == 0
    if empty.any():
        warn_labels(
            "这些地区的产业集合为空，与其他空集合的重合度无定义（NaN）",
            "these regions have an empty industry set; overlap with another empty set is "
            "undefined (NaN)",
            list(M.index[empty]),
        )
    return pd.DataFrame(J, index=M.index.copy(), columns=M.index.copy())


def homogeneous_competition_table(
    X: pd.DataFrame,
    regions_of_interest: Iterable[Hashable],
    reference: pd.Series | None = None,
    top: int | None = None,
    threshold: float = 1.0,
    level: str | None = None,
    year: int | str | None = None,
) -> pd.DataFrame:
    """Rank the regions whose industry structure is closest to each region of interest.

    For each region ``a`` in ``regions_of_interest`` and every other region ``b`` of ``X``, one
    row with ``structure_similarity`` (:func:`structure_similarity`), ``krugman_bilateral``
    (:func:`~jiqun.analytics.specialisation.krugman_bilateral`), ``overlap_jaccard`` (Jaccard of
    the specialised sets ``{i : LQ_ri ≥ threshold}``, :func:`priority_overlap`),
    ``n_shared_specialised`` and ``shared_specialised`` (the sorted list of shared specialised
    industries). Rows are ranked within each ``region_a`` by ``structure_similarity`` descending
    (ties: lower ``krugman_bilateral`` first, then higher overlap), ``rank`` starts at 1, and
    ``top`` keeps the first ``top`` rows per ``region_a``. ``level`` and ``year``, when given, are
    added as columns so that the table says which industry code level and year it describes.

    LQs use ``reference`` (national totals per industry) when given, else the column sums of ``X``.
    Regions with an all-zero row are dropped with a ``JiqunWarning``.

    Source: docs/METHODS.md §2 (UNIDO 1979; Krugman 1991; Jaccard 1901).

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    regions_of_interest:
        Regions (row labels of ``X``) to build the table for.
    reference:
        Optional national totals per industry for the LQ.
    top:
        Keep at most this many partner regions per region of interest.
    threshold:
        LQ cut-off for "specialised" (default 1).
    level, year:
        Optional labels copied into the table.

    Returns
    -------
    pandas.DataFrame
        Long table, columns ``region_a``, ``region_b``, ``rank``, ``structure_similarity``,
        ``krugman_bilateral``, ``overlap_jaccard``, ``n_shared_specialised``,
        ``shared_specialised`` (+ ``level``, ``year``).

    References
    ----------
    UNIDO (1979); Krugman (1991); Jaccard (1901).

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [5.0, 4.0, 0.0], "b": [1.0, 1.0, 5.0]}, index=["r1", "r2", "r3"])
    >>> t = homogeneous_competition_table(X, ["r1"])
    >>> t[["region_b", "rank"]].values.tolist()
    [['r2', 1], ['r3', 2]]
    """
    X = check_matrix(X)
    X = drop_zero_lines(X, rows=True, cols=False)
    roi = list(dict.fromkeys(regions_of_interest))
    if not roi:
        raise JiqunError("regions_of_interest 为空", "regions_of_interest is empty")
    unknown = [r for r in roi if r not in X.index]
    if unknown:
        raise JiqunError(
            f"这些地区不在 X 中（或全为 0 已删除）：{fmt_labels(unknown)}",
            f"regions not in X (or all-zero and dropped): {fmt_labels(unknown)}",
        )
    if top is not None and top < 1:
        raise JiqunError("top 必须 ≥ 1", "top must be ≥ 1")
    # Only the rows of the regions of interest are computed (the same values as those rows of
    # structure_similarity(X), krugman_bilateral(X) and priority_overlap(presence(X))).
    pos = {r: k for k, r in enumerate(X.index)}
    idx = np.array([pos[a] for a in roi], dtype=np.int64)
    s = row_shares(X.to_numpy())
    v = _unit_rows(s)
    S = np.clip(v[idx] @ v.T, 0.0, 1.0)
    S[np.arange(len(idx)), idx] = 1.0
    K = cdist(s[idx], s, metric="cityblock")
    K[np.arange(len(idx)), idx] = 0.0
    M = presence(X, threshold=threshold, reference=reference)
    Marr = M.to_numpy()
    J, inter = _jaccard(Marr, idx)
    # shared industries sorted by str(label): filtering the columns in that (stable) order gives
    # the same list as sorting each region pair's shared industries
    cols = X.columns
    order = np.array(sorted(range(len(cols)), key=lambda j: str(cols[j])), dtype=np.int64)
    sorted_labels = [cols[j] for j in order]
    Msorted = Marr[:, order] != 0
    frames = []
    for k, a in enumerate(roi):
        ia = int(idx[k])
        others = np.delete(np.arange(len(X.index), dtype=np.int64), ia)
        both = Msorted[others] & Msorted[ia]
        hit_row, hit_col = np.nonzero(both)
        bounds = [0, *np.searchsorted(hit_row, np.arange(1, len(others) + 1)).tolist()]
        hits = hit_col.tolist()
        shared = [[sorted_labels[c] for c in hits[lo:hi]] for lo, hi in pairwise(bounds)]
        df = pd.DataFrame(
            {
                "region_a": [a] * len(others),
                "region_b": X.index[others],
                "structure_similarity": S[k, others],
                "krugman_bilateral": K[k, others],
                "overlap_jaccard": J[k, others],
                "n_shared_specialised": inter[k, others].astype(np.int64),
                "shared_specialised": shared,
            }
        )
        df = df.sort_values(
            ["structure_similarity", "krugman_bilateral", "overlap_jaccard"],
            ascending=[False, True, False],
            kind="stable",
            na_position="last",
        )
        if top is not None:
            df = df.head(top)
        df.insert(2, "rank", np.arange(1, len(df) + 1, dtype=np.int64))
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    if level is not None:
        out["level"] = level
    if year is not None:
        out["year"] = year
    return out
