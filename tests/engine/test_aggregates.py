"""Region × industry matrices from the engine's aggregate by integer label codes
(:mod:`jiqun.engine.aggregates`): the same matrices, labels and cell counts as the pandas path
(``groupby`` over the firm rows, labels as strings, ``numpy.unique`` order), on DuckDB and Spark
local."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jiqun.engine.aggregates import CellMatrix, cell_matrix, matrix_from_cells, sorted_codes

pytestmark = pytest.mark.engine


def _labels(rng: np.random.Generator, n: int) -> list[str]:
    # region-like codes, a few non-ASCII labels, prefixes of one another ("32" < "3205" < "4")
    pool = ["320505", "3205", "32", "4", "440300", "110101", "江苏", "江", "Z9", "a"]
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def test_sorted_codes_equals_numpy_unique() -> None:
    rng = np.random.default_rng(13)
    labels = _labels(rng, 5000)
    chunked = pa.chunked_array([pa.array(labels[:1700]), pa.array(labels[1700:])])
    codes, distinct = sorted_codes(chunked)
    want_distinct, want_codes = np.unique(np.asarray(labels), return_inverse=True)
    assert distinct == want_distinct.tolist()
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, want_codes)


def test_sorted_codes_refuses_null_labels() -> None:
    with pytest.raises(ValueError, match="null"):
        sorted_codes(pa.array(["a", None, "b"]))


def test_matrix_from_cells_adds_duplicates_and_reads_null_values_as_zero() -> None:
    cells = pa.table(
        {
            "r": ["b", "a", "b", "a"],
            "c": ["y", "x", "y", "z"],
            "v": [1.5, 2.0, 3.0, None],
            "n": pa.array([1, 2, 3, 4], pa.int64()),
        }
    )
    m = matrix_from_cells(cells, row="r", col="c", values=["v", "n"])
    assert (m.rows, m.cols, m.cells) == (["a", "b"], ["x", "y", "z"], 4)
    np.testing.assert_array_equal(m.values["v"], [[2.0, 0.0, 0.0], [0.0, 4.5, 0.0]])
    np.testing.assert_array_equal(m.values["n"], [[2.0, 0.0, 4.0], [0.0, 4.0, 0.0]])
    assert m.frame("v").loc["b", "y"] == 4.5


def _firms(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "region_code": _labels(rng, n),
            "industry_code": [f"{i:04d}" for i in rng.integers(3900, 3960, n)],
            "revenue": rng.lognormal(3.0, 2.0, n),
            "employees": rng.integers(1, 5000, n).astype("int64"),
        }
    )
    # firms without a region or an industry have no cell
    df.loc[rng.random(n) < 0.03, "region_code"] = None
    df.loc[rng.random(n) < 0.03, "industry_code"] = None
    return df


def test_cell_matrix_equals_the_pandas_path(analytical: object) -> None:
    from jiqun.engine import Engine

    assert isinstance(analytical, Engine)
    df = _firms(7, 4000)
    t = analytical.from_arrow(pa.Table.from_pandas(df, preserve_index=False))
    t = t.mutate(revenue2=t.revenue * t.revenue)
    m = cell_matrix(
        analytical,
        t,
        row="region_code",
        col="industry_code",
        sums=["revenue", "revenue2", "employees"],
    )
    assert isinstance(m, CellMatrix)

    # the pandas path the engine replaces: group the firm rows, pivot the labels as strings
    kept = df.dropna(subset=["region_code", "industry_code"]).assign(
        revenue2=lambda f: f.revenue * f.revenue
    )
    g = kept.groupby(["region_code", "industry_code"]).agg(
        revenue=("revenue", "sum"),
        revenue2=("revenue2", "sum"),
        employees=("employees", "sum"),
        n=("revenue", "size"),
    )
    assert m.cells == len(g)
    assert m.rows == sorted(kept.region_code.unique())
    assert m.cols == sorted(kept.industry_code.unique())
    for name in ("revenue", "revenue2", "employees", "n"):
        want = g[name].unstack(fill_value=0).reindex(index=m.rows, columns=m.cols, fill_value=0)
        np.testing.assert_allclose(m.values[name], want.to_numpy(dtype=float), rtol=1e-12)
    assert m.values["n"].sum() == len(kept)


def test_cell_matrix_refuses_more_cells_than_allowed(analytical: object) -> None:
    from jiqun.engine import Engine, TooManyRows

    assert isinstance(analytical, Engine)
    t = analytical.from_arrow(pa.Table.from_pandas(_firms(8, 500), preserve_index=False))
    with pytest.raises(TooManyRows):
        cell_matrix(
            analytical, t, row="region_code", col="industry_code", sums=["revenue"], max_cells=5
        )


def test_matrix_from_no_cells_is_empty() -> None:
    cells = pa.table(
        {"r": pa.array([], pa.string()), "c": pa.array([], pa.string()), "v": pa.array([], "f8")}
    )
    m = matrix_from_cells(cells, row="r", col="c", values=["v"])
    assert (m.rows, m.cols, m.cells, m.values["v"].shape) == ([], [], 0, (0, 0))
