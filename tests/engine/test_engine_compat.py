"""The Ibis operations Jiqun uses, on each engine, with the pinned versions (ibis 12, duckdb 1.5,
sqlglot 28, pyspark 4.0): group_by/aggregate, joins (inner, left, anti), filter, a window
(row_number), union, create_table(overwrite=True), to_pyarrow_batches, a partitioned write read
back — and the same answers on DuckDB and Spark."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from jiqun.engine import TooManyRows, connect
from jiqun.errors import JiqunError

pytestmark = pytest.mark.engine

FIRMS = pa.table(
    {
        "uscc": ["A", "B", "C", "D", "E"],
        "region": ["320200", "320200", "320500", "110100", "110100"],
        "industry": ["3911", "3911", "2611", "3911", "2611"],
        "size": [10.0, 30.0, 5.0, 7.5, 2.5],
    }
)
LINKS = pa.table({"s": ["A", "B", "C", "E", "X"], "b": ["B", "C", "D", "A", "A"]})


def test_pinned_versions_work_together() -> None:
    # duckdb 2 breaks con.sql() and to_pyarrow_batches(); sqlglot 30 breaks create_table(overwrite)
    assert version("ibis-framework").split(".")[0] == "12"
    assert version("duckdb").startswith("1.5.")
    assert version("sqlglot").split(".")[0] == "28"
    assert version("pyspark").startswith("4.0.")


def test_operations_give_the_same_answers(analytical, tmp_path: Path) -> None:
    eng = analytical
    f = eng.from_arrow(FIRMS)
    links = eng.from_arrow(LINKS)

    agg = eng.to_pandas(
        f.group_by(["region", "industry"])
        .aggregate(n=f.uscc.count(), total=f.size.sum(), sq=(f.size * f.size).sum())
        .order_by(["region", "industry"])
    )
    assert agg.to_dict("list") == {
        "region": ["110100", "110100", "320200", "320500"],
        "industry": ["2611", "3911", "3911", "2611"],
        "n": [1, 1, 2, 1],
        "total": [2.5, 7.5, 40.0, 5.0],
        "sq": [6.25, 56.25, 1000.0, 25.0],
    }

    sup = f.select(s_code=f.uscc, s_region=f.region)
    j = links.inner_join(sup, links.s == sup.s_code)
    joined = eng.to_pandas(j.select("s", "b", "s_region").order_by("s"))
    assert joined["s"].tolist() == ["A", "B", "C", "E"]  # X is not a firm
    left = links.left_join(sup, links.s == sup.s_code)
    filled = eng.to_pandas(left.select("s", r=left.s_region.fill_null("000000")).order_by("s"))
    assert filled["r"].tolist() == ["320200", "320200", "320500", "110100", "000000"]
    unknown = links.select(uscc=links.s).anti_join(f, "uscc")
    assert eng.to_pandas(unknown)["uscc"].tolist() == ["X"]

    big = f.filter(f.size > 5)
    numbered = big.mutate(rank=ibis.row_number().over(order_by=big.uscc))
    assert eng.to_pandas(numbered.order_by("uscc"))["rank"].tolist() == [0, 1, 2]
    union = f.select("uscc").union(links.select(uscc=links.s)).distinct()
    assert eng.scalar(union.count()) == 6

    made = eng.create_table("compat_t", big)
    made = eng.create_table("compat_t", f)  # overwrite: sqlglot 30 broke this
    assert eng.scalar(made.count()) == 5

    batches = list(eng.batches(f.order_by("uscc"), chunk_size=2))
    assert sum(b.num_rows for b in batches) == 5

    out = eng.write(f, "firms", ("region",), into=tmp_path / "w")
    schema = ibis.schema(
        {"uscc": "string", "industry": "string", "size": "float64", "region": "string"}
    )
    back = eng.read_parquet(out, schema, ("region",))
    got = eng.to_pandas(back.order_by("uscc"))
    assert got["region"].tolist() == FIRMS.column("region").to_pylist()  # "110100" stays text
    pd.testing.assert_series_equal(
        got["size"], pd.Series(FIRMS.column("size").to_pylist(), name="size")
    )


def test_to_arrow_refuses_more_than_the_limit(analytical) -> None:
    f = analytical.from_arrow(FIRMS)
    assert analytical.to_arrow(f, max_rows=5).num_rows == 5
    with pytest.raises(TooManyRows) as e:
        analytical.to_arrow(f, max_rows=4)
    assert "4" in e.value.message_zh and "more than 4 rows" in e.value.message_en


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JiqunError, match="unknown analytical engine"):
        connect("oracle", lake=tmp_path)
    with pytest.raises(JiqunError, match="PostgreSQL"):
        connect("postgresql://u@h/db", lake=tmp_path)


def test_default_engine_is_a_duckdb_file_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JIQUN_ENGINE", raising=False)
    monkeypatch.delenv("JIQUN_LAKE_DIR", raising=False)
    eng = connect()
    try:
        assert eng.kind == "duckdb"
        assert eng.lake == tmp_path / "lake"
        assert (tmp_path / "engine" / "jiqun.duckdb").exists()
    finally:
        eng.close()


@pytest.mark.parametrize("name", ["jiqun.engine", "jiqun.engine.lake"])
def test_docstring_examples(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest
    import importlib

    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path))
    module = importlib.import_module(name)
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples failed in {name}"
