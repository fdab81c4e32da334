"""Location quotients (Balassa RCA), presence, diversity and ubiquity.

All functions take a **region × industry** matrix ``X`` (a :class:`pandas.DataFrame` with regions
as rows and industries as columns, non-negative values such as employment, output or exports).

Notation (``docs/METHODS.md`` §1): ``E_r = Σ_i X_ri`` (region total), ``E_i = Σ_r X_ri`` (industry
total), ``E = ΣΣ X``.

Undefined location quotients — the one convention of Jiqun
----------------------------------------------------------
``LQ_ri = (X_ri / E_r) / (E_i / E)`` is *undefined* when ``E_r``, ``E_i`` or ``E`` is 0 (or
missing): the empty cell ``0/0`` of a region or industry without activity, and ``x/0`` — a value
against a zero total, which happens only when the totals come from elsewhere (a national
reference, a wider area). Both are **NaN**: never 0 (that would read as "not specialised") and
never ``inf``. Every LQ in Jiqun is computed by :func:`location_quotient` (matrices) or
:func:`lq_from_totals` (a cell or a vector with totals from elsewhere), so the rule holds everywhere;
the caller says so to the user (a :class:`JiqunWarning` or a note). :func:`presence` counts NaN as
absent, as ecomplexity does. A ``reference`` that is 0 where ``X`` is positive contradicts ``X``
and is refused (:class:`JiqunError`), not turned into undefined cells.

References
----------
- Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage. *The Manchester
  School* 33(2), 99–123.
- Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity. *PNAS*
  106(26), 10570–10575.
- Hausmann, R., Hidalgo, C. A. et al. (2014). *The Atlas of Economic Complexity*. MIT Press.
- ecomplexity 0.5.3 (Harvard Growth Lab, MIT licence), ``ComplexityData.calculate_rca`` /
  ``calculate_mcp``.
- EconGeo 2.0 (Balland), ``location_quotient``, ``RCA``, ``diversity``, ``ubiquity``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jiqun.errors import JiqunError, JiqunWarning

__all__ = [
    "PRESENCE_RTOL",
    "JiqunWarning",
    "check_matrix",
    "diversity",
    "drop_empty",
    "location_quotient",
    "lq_from_totals",
    "matrix",
    "presence",
    "ubiquity",
]

#: Relative tolerance used by :func:`presence`: an LQ within ``PRESENCE_RTOL`` (relative) of the
#: threshold counts as present. Peers (ecomplexity, EconGeo) compare floats exactly.
PRESENCE_RTOL: float = 1e-9

_MAX_NAMED = 10


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _py(x: object) -> object:
    """numpy scalars → Python scalars, so messages read ``3`` rather than ``np.int64(3)``."""
    return x.item() if isinstance(x, np.generic) else x


def fmt_labels(labels: Iterable[Hashable], limit: int = _MAX_NAMED) -> str:
    """Up to ``limit`` labels for a message, as Python literals, and how many more there are."""
    labels = list(labels)
    shown = ", ".join(repr(_py(x)) for x in labels[:limit])
    more = len(labels) - limit
    return shown + (f", … (+{more})" if more > 0 else "")


def fmt_cells(X: pd.DataFrame, mask: np.ndarray, values: np.ndarray | None = None) -> str:
    """Name up to 10 cells of ``mask`` as ``(region, industry, value)``."""
    rows, cols = np.nonzero(mask)
    n = rows.size
    parts = []
    for r, c in zip(rows[:_MAX_NAMED], cols[:_MAX_NAMED], strict=True):
        v = _py(X.iat[r, c]) if values is None else float(values[r, c])
        parts.append(f"({_py(X.index[r])!r}, {_py(X.columns[c])!r}, {v!r})")
    more = n - _MAX_NAMED
    return "; ".join(parts) + (f"; … (+{more})" if more > 0 else "")


def _is_numeric_dtype(dtype: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype)) or pd.api.types.is_bool_dtype(dtype)


def _to_float_array(X: pd.DataFrame, name: str) -> np.ndarray:
    """Float64 values of ``X``; non-numeric cells raise a :class:`JiqunError` naming them."""
    dtypes = list(X.dtypes)
    if all(isinstance(dt, np.dtype) and dt.kind in "biuf" for dt in dtypes):
        return X.to_numpy(dtype=np.float64)
    if all(_is_numeric_dtype(dt) for dt in dtypes):
        return X.to_numpy(dtype=np.float64, na_value=np.nan)
    cols = []
    bad = np.zeros(X.shape, dtype=bool)
    for j in range(X.shape[1]):
        s = X.iloc[:, j]
        if _is_numeric_dtype(s.dtype):
            cols.append(s.to_numpy(dtype=np.float64, na_value=np.nan))
            continue
        coerced = pd.to_numeric(s, errors="coerce")
        was_missing = s.isna().to_numpy()
        now_missing = coerced.isna().to_numpy()
        bad[:, j] = now_missing & ~was_missing
        cols.append(coerced.to_numpy(dtype=np.float64, na_value=np.nan))
    if bad.any():
        cells = fmt_cells(X, bad)
        raise JiqunError(
            f"矩阵 {name} 含有 {int(bad.sum())} 个非数值单元格（地区, 产业, 值）：{cells}",
            f"matrix {name} has {int(bad.sum())} non-numeric cell(s) (region, industry, value): "
            f"{cells}",
        )
    return np.column_stack(cols) if cols else np.empty(X.shape, dtype=np.float64)


def validated_array(X: pd.DataFrame, name: str) -> np.ndarray:
    """C-contiguous float64 copy of ``X`` after all the checks of :func:`check_matrix`."""
    if not isinstance(X, pd.DataFrame):
        raise JiqunError(
            f"{name} 必须是 pandas.DataFrame（行=地区，列=产业），收到 {type(X).__name__}",
            f"{name} must be a pandas.DataFrame (rows = regions, columns = industries), "
            f"got {type(X).__name__}",
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise JiqunError(
            f"矩阵 {name} 为空（{X.shape[0]} 行 × {X.shape[1]} 列）",
            f"matrix {name} is empty ({X.shape[0]} rows × {X.shape[1]} columns)",
        )
    for axis_zh, axis_en, labels in (
        ("地区（行）", "region (row)", X.index),
        ("产业（列）", "industry (column)", X.columns),
    ):
        if not labels.is_unique:
            dup = labels[labels.duplicated()].unique().tolist()
            raise JiqunError(
                f"矩阵 {name} 的{axis_zh}标签重复：{fmt_labels(dup)}",
                f"matrix {name} has duplicated {axis_en} labels: {fmt_labels(dup)}",
            )
    arr = np.array(_to_float_array(X, name), dtype=np.float64, order="C", copy=True)
    # fast path: min ≥ 0 excludes NaN and negatives; a finite sum then excludes +inf
    with np.errstate(over="ignore", invalid="ignore"):
        if arr.min() >= 0 and np.isfinite(arr.sum()):
            return arr
    # checked in this order: a NaN is reported as missing, never as "not ≥ 0"
    defects: list[tuple[Callable[[np.ndarray], np.ndarray], str, str]] = [
        (
            np.isnan,
            "缺失值（NaN），请先填 0 或删除",
            "missing (NaN) cell(s); fill with 0 or drop them first",
        ),
        (np.isinf, "无穷值", "infinite cell(s)"),
        (lambda a: a < 0, "负值（地区, 产业, 值）", "negative cell(s) (region, industry, value)"),
    ]
    for test, zh, en in defects:
        bad = test(arr)
        if bad.any():
            cells = fmt_cells(X, bad, arr)
            n = int(bad.sum())
            raise JiqunError(
                f"矩阵 {name} 含有 {n} 个{zh}：{cells}", f"matrix {name} has {n} {en}: {cells}"
            )
    return arr


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def check_columns(
    df: object,
    columns: Sequence[str],
    type_zh: str,
    type_en: str,
    missing_zh: str,
    missing_en: str,
) -> None:
    """Refuse anything but a DataFrame with all of ``columns``.

    Parameters
    ----------
    df:
        The user's table.
    columns:
        The columns it needs.
    type_zh, type_en:
        Message for a non-DataFrame; ``{type}`` is its type name.
    missing_zh, missing_en:
        Message for missing columns; ``{missing}`` names them, ``{present}`` the columns there.

    Raises
    ------
    JiqunError
        For a non-DataFrame (``type_*``) or missing columns (``missing_*``).

    Example
    -------
    >>> check_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "", "", "缺 {missing}", "no {missing}")
    Traceback (most recent call last):
    ...
    jiqun.errors.JiqunError: 缺 'b' / no 'b'
    """
    if not isinstance(df, pd.DataFrame):
        name = type(df).__name__
        raise JiqunError(type_zh.format(type=name), type_en.format(type=name))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        got = {"missing": fmt_labels(missing), "present": fmt_labels(list(df.columns), 30)}
        raise JiqunError(missing_zh.format(**got), missing_en.format(**got))


def check_matrix(X: pd.DataFrame, name: str = "X") -> pd.DataFrame:
    """Validate a region × industry matrix and return it as a float64 copy.

    Rules: ``X`` must be a :class:`pandas.DataFrame`, non-empty, with unique row (region) and
    column (industry) labels, every cell numeric (numeric strings are coerced), finite (no NaN, no
    ±inf) and ``≥ 0``. Each violation raises :class:`~jiqun.standard.problems.JiqunError` with a
    Chinese and an English message naming up to 10 offending cells as ``(region, industry, value)``.

    The peers are lenient here (ecomplexity 0.5.3 coerces non-numeric values and NaN to 0 with a
    generic warning; EconGeo does not check); Jiqun refuses and names the cells, so that nothing
    is corrected silently. References: Hidalgo & Hausmann (2009) PNAS 106(26); Hausmann et al.,
    *Atlas of Economic Complexity* (2014); ecomplexity 0.5.3 ``ComplexityData.clean_data``;
    EconGeo 2.0.

    Parameters
    ----------
    X:
        Region × industry matrix (rows = regions, columns = industries).
    name:
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        A float64 copy of ``X`` with the same labels.

    Example
    -------
    >>> import pandas as pd
    >>> check_matrix(pd.DataFrame({"a": [1, 2]}, index=["r1", "r2"])).dtypes.iloc[0]
    dtype('float64')
    """
    arr = validated_array(X, name)
    return pd.DataFrame(arr, index=X.index.copy(), columns=X.columns.copy(), copy=False)


def drop_empty(X: pd.DataFrame, warn: bool = True) -> pd.DataFrame:
    """Drop all-zero rows (regions) and all-zero columns (industries).

    Rows are checked first, then columns (dropping rows never creates a new all-zero column of a
    non-negative matrix, and vice versa). The same step happens inside ecomplexity 0.5.3
    (``ComplexityData.create_full_df``), where it is silent; here it warns with
    :class:`JiqunWarning`, naming how many and which (first 10) rows and columns were dropped.
    EconGeo's ``morc``/``mort`` drop them too. References: Hidalgo & Hausmann (2009) PNAS 106(26);
    ecomplexity 0.5.3; EconGeo 2.0.

    Parameters
    ----------
    X:
        Region × industry matrix (validated with :func:`check_matrix`).
    warn:
        Emit a :class:`JiqunWarning` when something is dropped.

    Returns
    -------
    pandas.DataFrame
        ``X`` without all-zero rows and columns (float64).

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1, 0], "b": [0, 0]}, index=["r1", "r2"])
    >>> drop_empty(X, warn=False).shape
    (1, 1)
    """
    X = check_matrix(X)
    arr = X.to_numpy()
    row_keep = arr.sum(axis=1) > 0
    col_keep = arr.sum(axis=0) > 0
    if row_keep.all() and col_keep.all():
        return X
    if warn:
        warn_dropped(X.index[~row_keep], X.columns[~col_keep], "全为 0", "all-zero")
    return X.loc[row_keep, col_keep]


def warn_dropped(
    rows: Sequence[Hashable],
    cols: Sequence[Hashable],
    why_zh: str,
    why_en: str,
    stacklevel: int = 3,
) -> None:
    parts_zh, parts_en = [], []
    if len(rows):
        parts_zh.append(f"{len(rows)} 个地区（行）：{fmt_labels(rows)}")
        parts_en.append(f"{len(rows)} region(s) (rows): {fmt_labels(rows)}")
    if len(cols):
        parts_zh.append(f"{len(cols)} 个产业（列）：{fmt_labels(cols)}")
        parts_en.append(f"{len(cols)} industr(y/ies) (columns): {fmt_labels(cols)}")
    if not parts_en:
        return
    warnings.warn(
        JiqunWarning(
            f"已删除{why_zh}的"
            + "；".join(parts_zh)
            + f" / dropped {why_en}: "
            + "; ".join(parts_en)
        ),
        stacklevel=stacklevel,
    )


def warn_labels(zh: str, en: str, labels: Sequence[Hashable], stacklevel: int = 2) -> None:
    """Warn ``"{zh}：{labels} / {en}: {labels}"`` naming the regions/industries concerned.

    ``stacklevel`` is counted from the caller, as for :func:`warnings.warn` called there.
    """
    shown = fmt_labels(labels)
    warnings.warn(JiqunWarning(f"{zh}：{shown} / {en}: {shown}"), stacklevel=stacklevel + 1)


# --------------------------------------------------------------------------------------------
# long → wide
# --------------------------------------------------------------------------------------------


def matrix(
    df: pd.DataFrame,
    region: str = "region",
    industry: str = "industry",
    value: str = "value",
    aggfunc: str = "sum",
) -> pd.DataFrame:
    """Pivot long data (one row per region–industry record) into a region × industry matrix.

    Duplicated (region, industry) pairs are combined with ``aggfunc`` (default ``"sum"``); absent
    pairs become 0. Rows and columns are sorted by label (the order ecomplexity 0.5.3 uses).
    ``aggfunc="sum"`` takes a fast path (one ``numpy.bincount``; missing values count as 0, as in a
    pandas group-by sum); any other aggregation goes through a pandas group-by.

    Matches EconGeo 2.0 ``get_matrix`` and the rectangularisation of ecomplexity 0.5.3
    (``ComplexityData.create_full_df``, which fills absent pairs with 0). References: Hidalgo &
    Hausmann (2009) PNAS 106(26); ecomplexity 0.5.3; EconGeo 2.0.

    Parameters
    ----------
    df:
        Long table.
    region, industry, value:
        Column names in ``df``.
    aggfunc:
        Any aggregation name accepted by :meth:`pandas.core.groupby.SeriesGroupBy.agg`.

    Returns
    -------
    pandas.DataFrame
        Region × industry matrix (float64), missing pairs filled with 0.

    Example
    -------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"region": ["a", "a", "b"], "industry": ["x", "y", "x"],
    ...                      "value": [1, 2, 3]})
    >>> matrix(long).loc["b", "y"]
    np.float64(0.0)
    """
    check_columns(
        df,
        (region, industry, value),
        "输入必须是 pandas.DataFrame，收到 {type}",
        "input must be a pandas.DataFrame, got {type}",
        "缺少列：{missing}；现有列：{present}",
        "missing column(s): {missing}; present: {present}",
    )
    for col in (region, industry):
        na = df[col].isna().to_numpy()
        if na.any():
            rows = [int(i) for i in np.flatnonzero(na)[:_MAX_NAMED]]
            raise JiqunError(
                f"列「{col}」有 {int(na.sum())} 个缺失标签（行位置 {rows}）",
                f"column {col!r} has {int(na.sum())} missing label(s) (row positions {rows})",
            )
    vals = df[value]
    if not _is_numeric_dtype(vals.dtype):
        coerced = pd.to_numeric(vals, errors="coerce")
        bad = coerced.isna().to_numpy() & ~vals.isna().to_numpy()
        if bad.any():
            pos = np.flatnonzero(bad)[:_MAX_NAMED]
            shown = "; ".join(
                f"({df[region].iat[p]!r}, {df[industry].iat[p]!r}, {vals.iat[p]!r})" for p in pos
            )
            raise JiqunError(
                f"列「{value}」有 {int(bad.sum())} 个非数值（地区, 产业, 值）：{shown}",
                f"column {value!r} has {int(bad.sum())} non-numeric value(s) "
                f"(region, industry, value): {shown}",
            )
        vals = coerced
    v = vals.to_numpy(dtype=np.float64, na_value=np.nan)
    if aggfunc == "sum":
        # fast path: one bincount over the flattened (region, industry) code (NaN counts as 0,
        # as in a pandas groupby sum)
        r_codes, r_uni = pd.factorize(df[region], sort=True)
        i_codes, i_uni = pd.factorize(df[industry], sort=True)
        n_r, n_i = len(r_uni), len(i_uni)
        flat = np.bincount(
            r_codes.astype(np.int64) * n_i + i_codes,
            weights=np.nan_to_num(v, nan=0.0),
            minlength=n_r * n_i,
        )
        out = pd.DataFrame(
            flat.reshape(n_r, n_i), index=pd.Index(r_uni), columns=pd.Index(i_uni), copy=False
        )
    else:
        long = pd.DataFrame({region: df[region].to_numpy(), industry: df[industry].to_numpy()})
        long[value] = v
        out = long.groupby([region, industry], sort=True)[value].agg(aggfunc)
        out = out.unstack(fill_value=0.0).astype(np.float64)
    out.columns.name = industry
    out.index.name = region
    return out


# --------------------------------------------------------------------------------------------
# LQ / presence
# --------------------------------------------------------------------------------------------


def aligned_totals(
    totals: object, labels: pd.Index, messages: tuple[str, str, str, str, str, str]
) -> np.ndarray:
    """Totals given as a Series indexed by exactly ``labels`` (any order), as floats ``≥ 0``.

    Parameters
    ----------
    totals:
        The user's totals.
    labels:
        The labels they must cover: the columns (industries) or rows (regions) of ``X``.
    messages:
        Chinese and English messages for: not a Series; labels that differ (``{missing}``,
        ``{extra}``, ``{unique}``); missing, non-numeric, infinite or negative values
        (``{names}``).

    Returns
    -------
    numpy.ndarray
        The totals in the order of ``labels``.

    Raises
    ------
    JiqunError
        For a non-Series, an index that is not exactly ``labels``, or a bad value; the message
        is the matching pair of ``messages``.

    Example
    -------
    >>> msgs = ("类型", "type", "标签", "labels {missing}", "值", "values {names}")
    >>> aligned_totals(pd.Series({"b": 2, "a": 1}), pd.Index(["a", "b"]), msgs).tolist()
    [1.0, 2.0]
    """
    type_zh, type_en, labels_zh, labels_en, bad_zh, bad_en = messages
    if not isinstance(totals, pd.Series):
        raise JiqunError(type_zh, type_en)
    idx = pd.Index(totals.index)
    missing = labels.difference(idx, sort=False)
    extra = idx.difference(labels, sort=False)
    if len(missing) or len(extra) or not idx.is_unique:
        diff = {
            "missing": fmt_labels(list(missing)),
            "extra": fmt_labels(list(extra)),
            "unique": idx.is_unique,
        }
        raise JiqunError(labels_zh.format(**diff), labels_en.format(**diff))
    out = pd.to_numeric(totals, errors="coerce").reindex(labels).to_numpy(dtype=np.float64)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        names = fmt_labels([labels[j] for j in np.flatnonzero(bad)])
        raise JiqunError(bad_zh.format(names=names), bad_en.format(names=names))
    return out


def reference_totals(X: pd.DataFrame, reference: pd.Series | None) -> tuple[np.ndarray, float]:
    """Industry totals E_i and grand total E: column sums of ``X`` or a national reference."""
    if reference is None:
        col = X.to_numpy().sum(axis=0)
        return col, float(col.sum())
    ref = aligned_totals(
        reference,
        X.columns,
        (
            "reference 必须是以产业为索引的 pandas.Series（全国各产业合计）",
            "reference must be a pandas.Series of industry totals indexed by industry",
            "reference 的产业必须与 X 的列完全一致（顺序可不同）："
            "缺少 {missing}；多出 {extra}；索引唯一={unique}",
            "reference must be indexed by exactly the industries of X (any order): "
            "missing {missing}; extra {extra}; unique index={unique}",
            "reference 含有缺失、非数值、无穷或负值：{names}",
            "reference has missing, non-numeric, infinite or negative totals: {names}",
        ),
    )
    arr = X.to_numpy()
    zero_ref_pos = (ref == 0) & (arr > 0).any(axis=0)
    if zero_ref_pos.any():
        names = [X.columns[j] for j in np.flatnonzero(zero_ref_pos)]
        raise JiqunError(
            f"reference 合计为 0 但 X 中有正值的产业：{fmt_labels(names)}",
            f"industries with a zero reference total but positive values in X: {fmt_labels(names)}",
        )
    return ref, float(ref.sum())


def lq_array(
    arr: np.ndarray,
    col_total: np.ndarray,
    total: float,
    row_total: np.ndarray | None = None,
    inplace: bool = False,
) -> np.ndarray:
    """LQ = (X_ri / E_r) / (E_i / E), the operation order of ecomplexity 0.5.3 (bit-identical).

    ``arr`` should be C-contiguous so that the row sums round exactly as ecomplexity's. With
    ``inplace=True`` ``arr`` is overwritten by the LQ (saves one allocation).
    """
    if row_total is None:
        row_total = arr.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = np.divide(arr, row_total[:, np.newaxis], out=arr if inplace else None)
        den = col_total / total
        np.divide(lq, den[np.newaxis, :], out=lq)
    return lq


def lq_from_totals(x: Any, region_total: Any, industry_total: Any, total: Any) -> Any:
    """Location quotient from a value and its totals, NaN where undefined (module docstring).

    ``LQ = (x / region_total) / (industry_total / total)`` — the operation order of
    :func:`location_quotient`, so the same inputs give the same floats. Arguments broadcast as
    NumPy arrays (pandas objects keep their labels): a scalar gives a float, a Series a Series.

    Parameters
    ----------
    x:
        Value(s) of the region in the industry (``X_ri``).
    region_total:
        The region's total over all industries (``E_r``).
    industry_total:
        The industry's total over all regions, or the reference area's (``E_i``).
    total:
        The grand total (``E``).

    Returns
    -------
    float, numpy.ndarray or pandas object
        The LQ; NaN wherever ``region_total``, ``industry_total`` or ``total`` is 0 or NaN
        (``0/0`` and ``x/0`` alike).

    References
    ----------
    Balassa (1965); ``docs/METHODS.md`` §1.

    Example
    -------
    >>> lq_from_totals(2.0, 3.0, 3.0, 4.0)  # (2/3) / (3/4)
    0.8888888888888888
    >>> lq_from_totals(0.0, 0.0, 3.0, 4.0), lq_from_totals(1.0, 3.0, 0.0, 4.0)
    (nan, nan)
    """
    # NumPy floats, not Python floats: a Python float division by 0 raises instead of giving NaN
    x, region_total, industry_total, total = (
        v if isinstance(v, pd.Series | pd.DataFrame) else np.asarray(v, dtype=np.float64)
        for v in (x, region_total, industry_total, total)
    )

    def positive(v: Any) -> Any:
        # a zero or missing total makes the cell undefined: NaN, so x/0 never becomes ±inf
        if isinstance(v, pd.Series | pd.DataFrame):
            return v.where(v > 0)
        return np.where(v > 0, v, np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (x / positive(region_total)) / (positive(industry_total) / positive(total))
    if not isinstance(lq, pd.Series | pd.DataFrame) and np.ndim(lq) == 0:
        return float(lq)
    return lq


def location_quotient(X: pd.DataFrame, reference: pd.Series | None = None) -> pd.DataFrame:
    """Location quotient / Balassa revealed comparative advantage (RCA).

    ``LQ_ri = (X_ri / E_r) / (E_i / E)`` with ``E_r = Σ_i X_ri``; by default ``E_i = Σ_r X_ri`` and
    ``E = ΣΣ X``. With ``reference`` (national totals per industry), ``E_i = reference_i`` and
    ``E = Σ_i reference_i``. Values are not rounded (EconGeo rounds; Jiqun does not).

    Regions with ``E_r = 0`` (and, without ``reference``, industries with ``E_i = 0``) have an
    undefined LQ: they are set to NaN **with a** :class:`JiqunWarning` naming them.

    Matches ecomplexity 0.5.3 ``ComplexityData.calculate_rca`` (same operation order, so the same
    floats) and EconGeo ``location_quotient`` / ``RCA`` (without rounding).

    References: Balassa (1965); Hidalgo & Hausmann (2009) PNAS 106(26); Hausmann et al., *Atlas of
    Economic Complexity* (2014); ecomplexity 0.5.3; EconGeo 2.0.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    reference:
        Optional :class:`pandas.Series` of national industry totals, indexed by exactly the
        industries (columns) of ``X``.

    Returns
    -------
    pandas.DataFrame
        Region × industry LQ (float64).

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [2.0, 1.0], "b": [0.0, 1.0]}, index=["r1", "r2"])
    >>> location_quotient(X).round(3).to_dict("list")
    {'a': [1.333, 0.667], 'b': [0.0, 2.0]}
    """
    X = check_matrix(X)
    col_total, total = reference_totals(X, reference)
    arr = X.to_numpy()
    lq = lq_array(arr, col_total, total)
    _warn_undefined_lq(X, arr, col_total)
    return pd.DataFrame(lq, index=X.index, columns=X.columns)


def _warn_undefined_lq(X: pd.DataFrame, arr: np.ndarray, col_total: np.ndarray) -> None:
    zero_rows = X.index[arr.sum(axis=1) == 0]
    zero_cols = X.columns[col_total == 0]
    if len(zero_rows) or len(zero_cols):
        parts_zh, parts_en = [], []
        if len(zero_rows):
            parts_zh.append(f"{len(zero_rows)} 个地区合计为 0：{fmt_labels(list(zero_rows))}")
            parts_en.append(
                f"{len(zero_rows)} region(s) with total 0: {fmt_labels(list(zero_rows))}"
            )
        if len(zero_cols):
            parts_zh.append(f"{len(zero_cols)} 个产业合计为 0：{fmt_labels(list(zero_cols))}")
            parts_en.append(
                f"{len(zero_cols)} industr(y/ies) with total 0: {fmt_labels(list(zero_cols))}"
            )
        warnings.warn(
            JiqunWarning(
                "区位商无定义，设为 NaN（" + "；".join(parts_zh) + "） / location quotient "
                "undefined, set to NaN (" + "; ".join(parts_en) + ")"
            ),
            stacklevel=3,
        )


def presence_cut(threshold: float) -> float:
    return threshold - PRESENCE_RTOL * abs(threshold)


def _presence_array(lq: np.ndarray, threshold: float) -> np.ndarray:
    """0/1 (int64) presence with the relative tolerance; NaN LQ → 0 (as ecomplexity)."""
    with np.errstate(invalid="ignore"):
        return (lq >= presence_cut(threshold)).astype(np.int64)


def presence(
    X: pd.DataFrame, threshold: float = 1.0, reference: pd.Series | None = None
) -> pd.DataFrame:
    """Presence (binary specialisation) matrix ``M_ri = 1 if LQ_ri ≥ threshold else 0``.

    **Intentional difference from the peers.** ecomplexity 0.5.3 (``calculate_mcp``) and EconGeo
    compare floats exactly, so an LQ that is mathematically exactly 1 but computed as
    ``0.9999999999999999`` drops out. Jiqun counts every LQ within ``1e-9`` *relative* of the
    threshold as present: ``M_ri = 1 ⇔ LQ_ri ≥ threshold·(1 − 1e-9)`` (for a positive threshold;
    in general ``LQ_ri ≥ threshold − 1e-9·|threshold|``). Undefined LQs (NaN) give ``M = 0``, as in
    ecomplexity (a warning names them).

    References: Hidalgo & Hausmann (2009) PNAS 106(26); Hausmann et al., *Atlas of Economic
    Complexity* (2014); ecomplexity 0.5.3; EconGeo 2.0 ``RCA(binary=TRUE)``.

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0``.
    threshold:
        LQ cut-off (default 1).
    reference:
        Optional national industry totals, see :func:`location_quotient`.

    Returns
    -------
    pandas.DataFrame
        Region × industry matrix of 0/1 (int64).

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [2.0, 1.0], "b": [0.0, 1.0]}, index=["r1", "r2"])
    >>> presence(X).to_dict("list")
    {'a': [1, 0], 'b': [0, 1]}
    """
    lq = location_quotient(X, reference=reference)
    return pd.DataFrame(
        _presence_array(lq.to_numpy(), float(threshold)), index=lq.index, columns=lq.columns
    )


def _is_binary(X: pd.DataFrame) -> bool:
    if all(pd.api.types.is_bool_dtype(dt) for dt in X.dtypes):
        return True
    if not all(_is_numeric_dtype(dt) for dt in X.dtypes):
        return False
    arr = X.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.all((arr == 0) | (arr == 1)))


def as_presence(X_or_M: pd.DataFrame, threshold: float, is_presence: bool | None) -> pd.DataFrame:
    if is_presence is None:
        is_presence = isinstance(X_or_M, pd.DataFrame) and _is_binary(X_or_M)
    if is_presence:
        M = check_matrix(X_or_M, name="M")
        if not np.all((M.to_numpy() == 0) | (M.to_numpy() == 1)):
            raise JiqunError(
                "is_presence=True，但矩阵中有 0/1 以外的值",
                "is_presence=True but the matrix has values other than 0 and 1",
            )
        return M.astype(np.int64)
    return presence(X_or_M, threshold=threshold)


def diversity(
    X_or_M: pd.DataFrame, threshold: float = 1.0, is_presence: bool | None = None
) -> pd.Series:
    """Diversity ``k_r = Σ_i M_ri``: the number of industries in which a region is specialised.

    Accepts either the raw matrix ``X`` or a presence matrix ``M``. Rule: with ``is_presence=None``
    (default) a frame whose every value is 0 or 1 (or of boolean dtype) is taken as ``M`` as is;
    any other frame is taken as ``X`` and ``M = presence(X, threshold)`` is computed first. Pass
    ``is_presence=False`` for a raw matrix that happens to hold only 0s and 1s, or
    ``is_presence=True`` to insist on ``M``.

    Matches ecomplexity 0.5.3 (``diversity``) and EconGeo ``diversity`` (all peers agree).
    References: Hidalgo & Hausmann (2009) PNAS 106(26); Hausmann et al., *Atlas* (2014);
    ecomplexity 0.5.3; EconGeo 2.0.

    Parameters
    ----------
    X_or_M:
        Region × industry matrix ``X`` or presence matrix ``M``.
    threshold:
        LQ cut-off used when ``X`` is given.
    is_presence:
        ``None`` = detect (see above), ``True`` = ``M`` given, ``False`` = ``X`` given.

    Returns
    -------
    pandas.Series
        Diversity per region (int64), named ``"diversity"``.

    Example
    -------
    >>> import pandas as pd
    >>> M = pd.DataFrame({"a": [1, 1], "b": [0, 1]}, index=["r1", "r2"])
    >>> diversity(M).to_dict()
    {'r1': 1, 'r2': 2}
    """
    return _presence_count(X_or_M, threshold, is_presence, 1, "diversity")


def ubiquity(
    X_or_M: pd.DataFrame, threshold: float = 1.0, is_presence: bool | None = None
) -> pd.Series:
    """Ubiquity ``k_i = Σ_r M_ri``: the number of regions specialised in an industry.

    Matches ecomplexity 0.5.3 (``ubiquity``) and EconGeo ``ubiquity`` (all peers agree).
    References: Hidalgo & Hausmann (2009) PNAS 106(26); Hausmann et al., *Atlas* (2014);
    ecomplexity 0.5.3; EconGeo 2.0.

    Parameters
    ----------
    X_or_M, threshold, is_presence:
        ``X`` or ``M``, read with the same rule as :func:`diversity`.

    Returns
    -------
    pandas.Series
        Ubiquity per industry (int64), named ``"ubiquity"``.

    Example
    -------
    With ``M`` of :func:`diversity`'s example, industry ``a`` is present in both regions:

    >>> import pandas as pd
    >>> ubiquity(pd.DataFrame({"a": [1, 1], "b": [0, 1]}, index=["r1", "r2"])).to_dict()
    {'a': 2, 'b': 1}
    """
    return _presence_count(X_or_M, threshold, is_presence, 0, "ubiquity")


def _presence_count(
    X_or_M: pd.DataFrame, threshold: float, is_presence: bool | None, axis: int, name: str
) -> pd.Series:
    """Count of presences along ``axis`` (1: per region, 0: per industry), as int64."""
    M = as_presence(X_or_M, threshold, is_presence)
    return M.sum(axis=axis).astype(np.int64).rename(name)
