"""Region × industry aggregates of the lake's firm rows, computed on the engine.

Only the aggregate (one row per region × industry cell) reaches pandas; the firm rows stay in
the engine. The pure analytics take these sums where they used to take firm rows
(:func:`jiqun.analytics.concentration.ellison_glaeser_sums`).

The protected release's cube is built from its finest cells (:func:`domestic_firm_cells`: per
county × class pair the sums, contributor counts, largest and smallest values and the firm
count, :func:`cell_aggregates`); the higher levels add up in pandas
(:func:`jiqun.analytics.release.cube_from_cells`).

A region × industry *matrix* (:func:`cell_matrix`) is built from the aggregate without a
Python string per cell: the engine returns the cells as Arrow, the text labels are numbered by
:func:`sorted_codes` (Arrow's dictionary encoding, then the small dictionary sorted) and the
matrices are filled from the integer codes with NumPy. Turning the cells' labels into Python
strings and pivoting them (``np.unique`` over ``object`` arrays, ``pandas.pivot``) cost more CPU
than the engine's whole group-by at 10⁶–10⁷ firm-year rows (benchmarks/README.md, "Scale").

Example
-------
>>> cells, info = firm_size_sums(eng, pref, digits=4, codes=["3911"], size="employees")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jiqun.engine import Engine

__all__ = [
    "MAX_CELLS",
    "CellMatrix",
    "cell_aggregates",
    "cell_matrix",
    "domestic_firm_cells",
    "firm_size_sums",
    "matrix_from_cells",
    "sorted_codes",
]

#: a region × industry aggregate larger than this is not an aggregate
MAX_CELLS = 5_000_000
SIZES = ("employees", "revenue", "output", "rd_expense")


def firm_size_sums(
    engine: Engine,
    pref: pd.Series,
    *,
    digits: int,
    codes: Sequence[str],
    size: str,
    version: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Σ size, Σ size² and the firm count per (prefecture, industry) of the lake's enterprises.

    Parameters
    ----------
    engine:
        The analytical engine.
    pref:
        Region code → prefecture code (counties to their prefecture; codes without one absent).
    digits:
        Industry code length the cells are keyed on (4 = class, 2 = division).
    codes:
        The industry codes (of ``digits`` characters) whose firms count.
    size:
        The firm size column: ``employees``, ``revenue``, ``output`` or ``rd_expense``.
    version:
        Lake version (default: the engine's current one).

    Returns
    -------
    (cells, info): ``cells`` has columns ``region``, ``industry``, ``size`` (Σ), ``size_sq``
    (Σ size²), ``n`` (firms), sorted by region and industry, for firms with a region and a size
    > 0; ``info`` has ``firms`` (every firm of those industries), ``left_out`` (without a region
    or a positive size) and ``synthetic`` (any of them synthetic).

    Example
    -------
    >>> firm_size_sums(eng, pref, digits=4, codes=["3911"], size="output")[0].columns.tolist()  # doctest: +SKIP
    ['region', 'industry', 'size', 'size_sq', 'n']
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    e = engine.table("enterprises", version)
    ind = e.industry_code.substr(0, digits)
    e = e.mutate(industry=ind).filter(ind.isin(list(dict.fromkeys(codes))))
    pm = pref.dropna().astype(str)
    mapping = engine.from_arrow(
        pd.DataFrame({"code": pm.index.astype(str), "region": pm.to_numpy(dtype=object)})
    )
    j = e.left_join(mapping, e.region_code == mapping.code)
    value = j[size].cast("float64")
    good = j.region.notnull() & value.notnull() & (value > 0)
    j = j.mutate(value=value, good=good)
    head = engine.to_pandas(
        j.aggregate(
            firms=j.count(),
            good=j.good.cast("int64").sum(),
            synthetic=j.synthetic.any(),
        ),
        max_rows=1,
    )
    kept = j.filter(j.good)
    cells = engine.to_pandas(
        kept.group_by(["region", "industry"])
        .aggregate(size=kept.value.sum(), size_sq=(kept.value * kept.value).sum(), n=kept.count())
        .order_by(["region", "industry"]),
        max_rows=MAX_CELLS,
    )
    firms = int(head["firms"].iloc[0]) if len(head) else 0
    good_n = head["good"].iloc[0] if len(head) else 0
    good_n = 0 if pd.isna(good_n) else int(good_n)
    synthetic = bool(head["synthetic"].iloc[0]) if firms else False
    cells["n"] = cells["n"].astype("int64")
    return cells.reset_index(drop=True), {
        "firms": firms,
        "left_out": firms - good_n,
        "synthetic": synthetic,
    }


@dataclass(frozen=True)
class CellMatrix:
    """Dense row × column matrices (region × industry) of summed measures.

    Attributes
    ----------
    rows, cols:
        The row and column labels, sorted (text order, as ``numpy.unique``).
    values:
        Measure name → ``float64`` matrix of shape ``(len(rows), len(cols))``; 0 where no cell.
    cells:
        The number of cells the aggregate had (non-empty row × column pairs).
    """

    rows: list[str]
    cols: list[str]
    values: dict[str, np.ndarray]
    cells: int

    def frame(self, name: str) -> pd.DataFrame:
        """Measure ``name`` as a labelled DataFrame (rows × columns)."""
        return pd.DataFrame(self.values[name], index=self.rows, columns=self.cols)


def sorted_codes(labels: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Integer codes of text labels, numbered in the labels' sorted order.

    The labels are dictionary-encoded by Arrow (C++, no Python object per row) and only the
    dictionary — the distinct labels, a few thousand regions or industries — is sorted, so the
    cost is one hash pass over the rows instead of a sort of Python strings.

    Parameters
    ----------
    labels:
        An Arrow array of text (or any sortable type) without nulls.

    Returns
    -------
    (codes, distinct): ``codes`` (``int64``, one per row) index ``distinct``, the sorted
    distinct labels — the same as ``numpy.unique(labels, return_inverse=True)``.

    Raises
    ------
    ValueError
        When a label is null (a cell without a region or an industry has no place in a matrix).

    References
    ----------
    Apache Arrow compute functions ``dictionary_encode`` and ``array_sort_indices``.

    Example
    -------
    >>> codes, distinct = sorted_codes(pa.array(["b", "a", "b", "c"]))
    >>> codes.tolist(), distinct
    ([1, 0, 1, 2], ['a', 'b', 'c'])
    """
    if isinstance(labels, pa.ChunkedArray):
        labels = labels.combine_chunks()
    if labels.null_count:
        raise ValueError("labels must not be null")
    enc = pc.dictionary_encode(labels)
    order = pc.array_sort_indices(enc.dictionary).to_numpy()
    # the dictionary is numbered in order of first appearance; rank[k] = sorted position of k
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = rank[enc.indices.to_numpy(zero_copy_only=False)]
    distinct = enc.dictionary.take(pa.array(order)).to_pylist()
    return codes, distinct


def matrix_from_cells(cells: pa.Table, *, row: str, col: str, values: Sequence[str]) -> CellMatrix:
    """Dense matrices from an aggregate's cells (one row per row × column label pair).

    Parameters
    ----------
    cells:
        The aggregate as Arrow (what :meth:`jiqun.engine.Engine.to_arrow` returns).
    row, col:
        The label columns (e.g. ``region_code``, ``industry_code``); no nulls.
    values:
        The numeric columns to place in matrices. Rows with the same labels are added up.

    Returns
    -------
    CellMatrix

    Example
    -------
    >>> t = pa.table({"r": ["b", "a"], "c": ["x", "y"], "v": [1.0, 2.0]})
    >>> matrix_from_cells(t, row="r", col="c", values=["v"]).values["v"].tolist()
    [[0.0, 2.0], [1.0, 0.0]]
    """
    r, rows = sorted_codes(cells[row])
    c, cols = sorted_codes(cells[col])
    flat = r * len(cols) + c
    size = len(rows) * len(cols)
    out: dict[str, np.ndarray] = {}
    for name in values:
        # the cells' values: float64, nulls (an empty sum) as 0
        v = pc.fill_null(cells[name].cast(pa.float64()), 0.0).to_numpy()
        out[name] = np.bincount(flat, weights=v, minlength=size).reshape(len(rows), len(cols))
    return CellMatrix(rows=rows, cols=cols, values=out, cells=cells.num_rows)


def cell_matrix(
    engine: Engine,
    expr: ir.Table,
    *,
    row: str,
    col: str,
    sums: Sequence[str],
    count: str | None = "n",
    max_cells: int = MAX_CELLS,
) -> CellMatrix:
    """Sum columns of firm rows per row × column label pair on the engine, as dense matrices.

    One ``GROUP BY`` runs in the engine; only its cells cross into Python (as Arrow, at most
    ``max_cells``) and become matrices through integer codes (:func:`matrix_from_cells`).
    Firm rows whose row or column label is null are left out.

    Parameters
    ----------
    engine:
        The analytical engine.
    expr:
        The firm rows (e.g. ``engine.table("firm_years")`` filtered to a year).
    row, col:
        The label columns (e.g. ``region_code`` and ``industry_code``).
    sums:
        The numeric columns to sum per cell (mutate ``expr`` first for derived ones, e.g.
        ``revenue * revenue``).
    count:
        Name of the firm-row count matrix, or ``None`` for none.
    max_cells:
        The most cells to bring into Python (:class:`jiqun.engine.TooManyRows` beyond).

    Returns
    -------
    CellMatrix

    Example
    -------
    >>> m = cell_matrix(eng, eng.table("firm_years"), row="region_code",
    ...                 col="industry_code", sums=["revenue"])  # doctest: +SKIP
    >>> m.frame("revenue").loc["320505", "3911"]  # doctest: +SKIP
    """
    t = expr.filter(expr[row].notnull() & expr[col].notnull())
    aggs: dict[str, Any] = {s: t[s].sum() for s in sums}
    if count is not None:
        aggs[count] = t.count()
    cells = engine.to_arrow(t.group_by([row, col]).aggregate(**aggs), max_rows=max_cells)
    return matrix_from_cells(cells, row=row, col=col, values=list(aggs))


def cell_aggregates(
    engine: Engine,
    expr: ir.Table,
    keys: Sequence[str],
    *,
    sums: Sequence[str] = (),
    counts: Sequence[str] = (),
    maxes: Sequence[str] = (),
    mins: Sequence[str] = (),
    count: str | None = "n",
    scale: int | None = None,
    max_cells: int = MAX_CELLS,
) -> pd.DataFrame:
    """Per-cell sums, non-null counts, maxima and minima of firm rows, grouped on the engine.

    One ``GROUP BY keys`` runs in the engine; only its cells cross into Python (at most
    ``max_cells``). Unlike :func:`cell_matrix`, rows with a null key form a cell of their own
    (the caller filters first when they must not count).

    Parameters
    ----------
    engine:
        The analytical engine.
    expr:
        The firm rows.
    keys:
        The columns the cells are keyed on.
    sums, counts, maxes, mins:
        Columns to aggregate: ``c_sum`` (Σ over non-null values, 0 where none), ``c_n`` (rows with
        a value), ``c_max`` and ``c_min`` (``NaN`` where none).
    count:
        Name of the row count per cell, or ``None`` for none.
    scale:
        Exact sums: each value is rounded to ``1/scale`` (``⌊x·scale + ½⌋``, the same bits on
        every engine) and the whole units are added as ``int64``, so a sum does not depend on
        the order the engine adds in (``c_sum`` = units / ``scale``). ``None``: plain
        floating-point sums.
    max_cells:
        The most cells to bring into Python (:class:`jiqun.engine.TooManyRows` beyond).

    Returns
    -------
    pandas.DataFrame: the key columns then the aggregates (numbers as ``float64``, counts as
    ``int64``), sorted by the keys.

    Example
    -------
    >>> cell_aggregates(eng, eng.table("enterprises"), ["region_code", "industry_code"],
    ...                 sums=["revenue"], maxes=["revenue"])  # doctest: +SKIP
    """
    aggs: dict[str, Any] = {}
    for c in sums:
        x = expr[c].cast("float64")
        if scale is None:
            aggs[f"{c}_sum"] = x.sum()
        else:
            aggs[f"{c}_sum"] = (x * float(scale) + 0.5).floor().cast("int64").sum()
    for c in counts:
        aggs[f"{c}_n"] = expr[c].count()
    for c in maxes:
        aggs[f"{c}_max"] = expr[c].cast("float64").max()
    for c in mins:
        aggs[f"{c}_min"] = expr[c].cast("float64").min()
    if count is not None:
        aggs[count] = expr.count()
    out = engine.to_pandas(expr.group_by(list(keys)).aggregate(**aggs), max_rows=max_cells)
    for c in sums:
        # the sum of no values is NULL in SQL; no contribution is 0 here
        out[f"{c}_sum"] = out[f"{c}_sum"].astype("float64").fillna(0.0)
        if scale is not None:
            out[f"{c}_sum"] = out[f"{c}_sum"] / scale
    for name in [f"{c}_n" for c in counts] + ([count] if count is not None else []):
        out[name] = out[name].fillna(0).astype("int64")
    for name in [f"{c}_max" for c in maxes] + [f"{c}_min" for c in mins]:
        out[name] = out[name].astype("float64")
    return out.sort_values(list(keys), kind="stable").reset_index(drop=True)


def domestic_firm_cells(
    engine: Engine,
    measures: Sequence[str],
    *,
    scale: int,
    version: int | None = None,
    max_cells: int = MAX_CELLS,
) -> pd.DataFrame:
    """The finest cells of the release: the lake's domestic enterprises per (``region_code``,
    ``industry_code``), as :func:`jiqun.analytics.release.firm_cells` computes them from firm rows.

    Domestic (as ``jiqun.services.predicates.domestic`` in the store): ``region_code`` between
    ``"100000"`` and ``"999999"`` (a GB/T 2260 code, not a foreign supplier's country code).

    Parameters
    ----------
    engine:
        The analytical engine.
    measures:
        Measure columns of ``enterprises`` (``revenue``, ``output``, ``employees`` …).
    scale:
        Sums in whole units of ``1/scale`` (:func:`cell_aggregates`;
        :data:`jiqun.analytics.release.SUM_SCALE`).
    version:
        Lake version (default: the engine's current one).
    max_cells:
        The most cells to bring into Python.

    Returns
    -------
    pandas.DataFrame with ``region_code``, ``industry_code``, ``n_firms``, ``synthetic_max``
    (1.0 when a firm of the cell is synthetic) and per measure ``m_sum``, ``m_n``, ``m_max``,
    ``m_min``.

    Example
    -------
    >>> domestic_firm_cells(eng, ["revenue"], scale=10_000).columns.tolist()  # doctest: +SKIP
    ['region_code', 'industry_code', 'revenue_sum', 'revenue_n', 'revenue_max', 'synthetic_max', 'revenue_min', 'n_firms']
    """
    e = engine.table("enterprises", version)
    e = e.filter(e.region_code.between("100000", "999999"))
    e = e.mutate(synthetic=e.synthetic.cast("int64"))
    ms = list(measures)
    return cell_aggregates(
        engine,
        e,
        ["region_code", "industry_code"],
        sums=ms,
        counts=ms,
        maxes=[*ms, "synthetic"],
        mins=ms,
        count="n_firms",
        scale=scale,
        max_cells=max_cells,
    )
