"""The analytical engine (分析引擎): one Ibis expression code on DuckDB or Spark.

Firm-level tables (registry, firm-years, supply links, region statistics) are the only big data of
Jiqun. They live in the **lake** (:mod:`jiqun.engine.lake`: Hive-partitioned Parquet, versioned)
and are queried through an :class:`Engine`, which wraps an Ibis backend:

``JIQUN_ENGINE``
    ``duckdb`` (default): embedded DuckDB, its database file ``engine/jiqun.duckdb`` in the data
    directory (:func:`jiqun.config.data_dir`); when another process holds that file, an in-memory
    DuckDB spilling to ``engine/tmp`` (the lake is Parquet, the file holds nothing it needs).
    ``spark-local``: PySpark in local mode (``local[2]``; Java 17 must be installed).
    ``sc://host:port``: Spark Connect, a real cluster (needs ``pyspark[connect]``; the lake
    directory must then be storage the cluster sees, see docs/scale.md).
``JIQUN_LAKE_DIR``
    Overrides the lake directory (default ``lake`` in the data directory).

Rules (docs/architecture.md, "The engine layer"): services call the engine for bulk data and the
store for platform state; only this package imports :mod:`ibis`; the pure analytics
(:mod:`jiqun.analytics`) never import the engine. Only aggregates reach Python: :meth:`Engine.
to_arrow` refuses to pull more than ``max_rows``; big results are written (:meth:`Engine.write`),
never collected.

Versions that work together (pinned in pyproject.toml, checked by tests/engine): ibis-framework
12 with duckdb 1.5 and sqlglot 28; pyspark 4.0 for Ibis' pyspark backend.

Example
-------
>>> import pyarrow as pa
>>> eng = connect("duckdb", database=":memory:", lake="/nonexistent")
>>> t = eng.from_arrow(pa.table({"r": ["a", "a", "b"], "v": [1.0, 2.0, 3.0]}))
>>> eng.to_arrow(t.group_by("r").aggregate(v=t.v.sum()).order_by("r")).to_pydict()
{'r': ['a', 'b'], 'v': [3.0, 3.0]}
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from jiqun.config import data_dir
from jiqun.errors import JiqunError

__all__ = [
    "DEFAULT_MAX_ROWS",
    "KINDS",
    "SPARK_LOCAL_CONF",
    "Engine",
    "TooManyRows",
    "connect",
    "engine_url",
    "lake_dir",
]

#: at most this many rows reach Python from one query unless the caller says otherwise
DEFAULT_MAX_ROWS = 1_000_000
#: the engine kinds :func:`connect` knows
KINDS = ("duckdb", "spark-local", "spark-connect")
#: the type of each partition column (Hive partition values are text in the directory names)
PARTITION_TYPES = {"year": "int64", "province": "string"}

#: task slots of ``spark-local`` (``local[2]``): a check of a Spark run on one machine, not a cluster
SPARK_LOCAL_CORES = 2
#: settings of ``spark-local`` (one JVM, driver and executor in one, data on the local disk). A
#: query's cost on this data is its fixed overhead, so the settings cut tasks and conversions:
SPARK_LOCAL_CONF = {
    # one shuffle partition per task slot: Spark's default of 200 schedules 200 tasks per
    # group-by or join, nearly all empty (adaptive execution merges small ones, the rest remain)
    "spark.sql.shuffle.partitions": str(SPARK_LOCAL_CORES),
    "spark.default.parallelism": str(SPARK_LOCAL_CORES),
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    # Ibis moves in-memory tables in (createDataFrame) and results out (toPandas) through pandas;
    # without Arrow PySpark pickles every row (a 10⁵-row table takes seconds instead of ms)
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "true",
    # the in-memory catalogue: no Hive metastore (no Derby database in the working directory)
    "spark.sql.catalogImplementation": "in-memory",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}

_SPARK_LOCK = threading.Lock()


class TooManyRows(JiqunError):
    """A query would bring more rows into Python than the caller allowed."""


def lake_dir() -> Path:
    """The lake directory: ``JIQUN_LAKE_DIR`` or ``lake`` in the data directory (created)."""
    d = os.environ.get("JIQUN_LAKE_DIR", "").strip()
    path = Path(d).expanduser() if d else data_dir() / "lake"
    path.mkdir(parents=True, exist_ok=True)
    return path


def engine_url() -> str:
    """``JIQUN_ENGINE`` (default ``duckdb``)."""
    return os.environ.get("JIQUN_ENGINE", "").strip() or "duckdb"


def _kind_of(url: str) -> str:
    if url in ("duckdb", "spark-local"):
        return url
    if url.startswith("sc://"):
        return "spark-connect"
    if url.startswith(("postgres://", "postgresql://", "postgresql+")):
        raise JiqunError(
            "此版本的分析引擎尚不支持 PostgreSQL（湖是 Parquet 文件）；请用 duckdb 或 Spark",
            "the analytical engine does not run on PostgreSQL in this release (the lake is "
            "Parquet); use duckdb or Spark",
        )
    raise JiqunError(
        f"未知的分析引擎 JIQUN_ENGINE={url!r}，可选：duckdb、spark-local、sc://主机:端口",
        f"unknown analytical engine JIQUN_ENGINE={url!r}; choose duckdb, spark-local or "
        "sc://host:port",
    )


def _duckdb(database: str | None) -> Any:
    import duckdb

    folder = data_dir() / "engine"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = str(folder / "tmp")
    path = str(folder / "jiqun.duckdb") if database is None else database
    try:
        return ibis.duckdb.connect(path, temp_directory=tmp)
    except duckdb.IOException:
        # another process (the web server, a job) holds the file's write lock; the lake is
        # Parquet and the file keeps no state the queries need, so an in-memory engine is the same
        return ibis.duckdb.connect(":memory:", temp_directory=tmp)


def _spark_session(url: str) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise JiqunError("未安装 pyspark", "pyspark is not installed") from exc
    with _SPARK_LOCK:
        if url == "spark-local":
            builder = SparkSession.builder.master(f"local[{SPARK_LOCAL_CORES}]").appName("jiqun")
            for key, value in SPARK_LOCAL_CONF.items():
                builder = builder.config(key, value)
            builder = (
                builder.config("spark.sql.session.timeZone", "UTC")
                # tables the engine materialises go to the data directory, not the working one
                .config("spark.sql.warehouse.dir", str(data_dir() / "engine" / "spark-warehouse"))
                # partition values are read as text and typed by Engine.table (as on DuckDB)
                .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            )
            try:
                return builder.getOrCreate()
            except Exception as exc:  # Java missing or too old: say so in both languages
                raise JiqunError(
                    "无法启动本地 Spark（需要 Java 17：apt-get install openjdk-17-jre-headless）",
                    "cannot start local Spark (Java 17 is needed: apt-get install "
                    f"openjdk-17-jre-headless): {exc}",
                ) from exc
        try:
            session = SparkSession.builder.remote(url).getOrCreate()
        except Exception as exc:
            raise JiqunError(
                f"无法连接 Spark Connect {url}（需要 pyspark[connect] 与可达的服务器）",
                f"cannot reach Spark Connect at {url} (needs pyspark[connect] and a reachable "
                f"server): {exc}",
            ) from exc
        session.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        return session


class Engine:
    """One connection to an analytical backend and the lake it reads.

    Parameters
    ----------
    con:
        The Ibis backend (DuckDB or PySpark).
    kind:
        ``duckdb``, ``spark-local`` or ``spark-connect``.
    lake:
        The lake directory (:func:`lake_dir`).
    version:
        The lake version :meth:`table` reads when none is given (the store's current one, set by
        :func:`jiqun.services.lake.engine`); ``None`` before the first sync.

    Example
    -------
    >>> eng = connect("duckdb", database=":memory:", lake="/nonexistent")
    >>> eng.kind
    'duckdb'
    """

    def __init__(self, con: Any, kind: str, lake: Path, version: int | None = None) -> None:
        self.con = con
        self.kind = kind
        self.lake = Path(lake)
        self.version = version

    def __repr__(self) -> str:
        return f"Engine({self.kind!r}, lake={str(self.lake)!r}, version={self.version})"

    # --- reading ---------------------------------------------------------------------------

    def version_path(self, version: int) -> Path:
        """The directory of lake ``version`` (``v000007``)."""
        return self.lake / f"v{int(version):06d}"

    def manifest(self, version: int | None = None) -> dict[str, Any]:
        """The manifest (``_manifest.json``) of a published lake version: its tables, their rows,
        partition columns and column types.

        Raises
        ------
        JiqunError
            When no version is given and none is current, or the version is not on disk.
        """
        v = self.version if version is None else version
        if v is None:
            raise JiqunError(
                "数据湖尚未建立：先运行 jiqun lake sync", "the lake is empty: run jiqun lake sync"
            )
        path = self.version_path(v) / "_manifest.json"
        if not path.exists():
            raise JiqunError(
                f"数据湖版本 {v} 不存在（{path.parent}）",
                f"lake version {v} does not exist ({path.parent})",
            )
        out: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return out

    def table(self, name: str, version: int | None = None) -> ir.Table:
        """The lake table ``name`` of ``version`` (default: the engine's current version).

        Parameters
        ----------
        name:
            ``enterprises``, ``firm_years``, ``supply_links``, ``region_stats`` or ``firm_ids``
            (:data:`jiqun.engine.lake.TABLES`).
        version:
            A published lake version; default :attr:`version`.

        Returns
        -------
        ibis Table, with the partition columns typed (``year`` int64, ``province`` string) and
        the columns in the manifest's order on every backend.

        Example
        -------
        >>> eng.table("enterprises").count().execute()  # doctest: +SKIP
        5000
        """
        man = self.manifest(version)
        spec = man["tables"].get(name)
        if spec is None:
            raise JiqunError(f"数据湖中没有表 {name}", f"the lake has no table {name}")
        schema = ibis.schema(spec["schema"])
        if int(spec["rows"]) == 0:
            return self.from_arrow(schema.to_pyarrow().empty_table())
        path = self.version_path(man["version"]) / name
        return self.read_parquet(path, schema, spec.get("partition_by") or ())

    def read_parquet(
        self, path: Path, schema: Any = None, partition_by: Sequence[str] = ()
    ) -> ir.Table:
        """A directory of (Hive-partitioned) Parquet files as a table.

        Parameters
        ----------
        path:
            The dataset directory (or one ``.parquet`` file).
        schema:
            An Ibis schema to cast to and order by (partition columns included).
        partition_by:
            The Hive partition columns of the directory.
        """
        path = Path(path)
        if self.kind == "duckdb":
            src = str(path) if path.suffix == ".parquet" else str(path / "**" / "*.parquet")
            t = self.con.read_parquet(
                src, hive_partitioning=bool(partition_by), hive_types_autocast=False
            )
        else:
            t = self.con.read_parquet(str(path))
        if schema is None:
            return t
        return t.select(*(t[c].cast(typ).name(c) for c, typ in schema.items()))

    def from_arrow(self, data: pa.Table | pd.DataFrame) -> ir.Table:
        """Small in-memory data (a parameter list, a test sample) as a table of this engine."""
        return ibis.memtable(data)

    def to_arrow(self, expr: ir.Table, max_rows: int = DEFAULT_MAX_ROWS) -> pa.Table:
        """Run ``expr`` and return its rows, refusing when there are more than ``max_rows``.

        Parameters
        ----------
        expr:
            An Ibis table expression of this engine.
        max_rows:
            The most rows the caller can hold (an aggregate's size; a firm-level table is
            written with :meth:`write` instead).

        Returns
        -------
        pyarrow.Table

        Raises
        ------
        TooManyRows
            (a :class:`~jiqun.errors.JiqunError`) when the result has more rows.

        Example
        -------
        >>> import pyarrow as pa
        >>> eng = connect("duckdb", database=":memory:", lake="/nonexistent")
        >>> eng.to_arrow(eng.from_arrow(pa.table({"x": [1, 2, 3]})), max_rows=2)
        Traceback (most recent call last):
        ...
        jiqun.engine.TooManyRows: 查询结果超过 2 行，不能读入内存（应先聚合或写入湖） / the query returns more than 2 rows; not pulled into memory (aggregate first, or write it to the lake)
        """
        # one query: ask for one row more than allowed and refuse when it comes
        out = expr.limit(max_rows + 1).to_pyarrow()
        if out.num_rows > max_rows:
            raise TooManyRows(
                f"查询结果超过 {max_rows:,} 行，不能读入内存（应先聚合或写入湖）",
                f"the query returns more than {max_rows:,} rows; not pulled into memory "
                "(aggregate first, or write it to the lake)",
            )
        return out

    def to_pandas(self, expr: ir.Table, max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
        """:meth:`to_arrow` as a pandas DataFrame (text stays ``object``, numbers ``float64`` /
        ``int64`` — the same frame on every backend)."""
        return self.to_arrow(expr, max_rows).to_pandas()

    def scalar(self, expr: Any) -> Any:
        """The value of a scalar expression (a count, a maximum)."""
        value = expr.to_pyarrow()
        return value.as_py() if hasattr(value, "as_py") else value

    def batches(self, expr: ir.Table, chunk_size: int = 100_000) -> Iterator[pa.RecordBatch]:
        """Stream a large result in Arrow record batches (bounded memory on the caller's side)."""
        reader = expr.to_pyarrow_batches(chunk_size=chunk_size)
        yield from reader

    # --- writing ---------------------------------------------------------------------------

    def write(
        self, expr: ir.Table, name: str, partition_by: Sequence[str] = (), *, into: Path
    ) -> Path:
        """Write ``expr`` as the Parquet dataset ``into/name``, Hive-partitioned by
        ``partition_by`` (``year=2023/province=320000/…``).

        Parameters
        ----------
        expr:
            The rows to write (never collected into Python).
        name:
            The dataset's directory name.
        partition_by:
            Partition columns, outermost first (they must not be null).
        into:
            The folder the dataset goes in (a lake version being built).

        Returns
        -------
        Path of the dataset directory.

        Example
        -------
        >>> eng.write(t, "region_stats", ("year", "province"), into=tmp)  # doctest: +SKIP
        """
        Path(into).mkdir(parents=True, exist_ok=True)
        target = Path(into) / name
        cols = list(partition_by)
        if self.kind == "duckdb":
            if cols:
                # Ibis writes the option's repr into DuckDB's COPY: a 1-tuple would end in ",)"
                parts: str | tuple[str, ...] = cols[0] if len(cols) == 1 else tuple(cols)
                self.con.to_parquet(expr, target, partition_by=parts)
            else:
                target.mkdir(parents=True, exist_ok=True)
                self.con.to_parquet(expr, target / "part-0.parquet")
        else:
            if cols:
                self.con.to_parquet(expr, target, partitionBy=cols, mode="overwrite")
            else:
                self.con.to_parquet(expr, target, mode="overwrite")
        return target

    def create_table(self, name: str, expr: ir.Table) -> ir.Table:
        """Materialise ``expr`` in the engine as ``name`` (replacing it): cuts a long lineage
        (Spark) and keeps an intermediate result out of Python."""
        return self.con.create_table(name, expr, overwrite=True)

    def close(self) -> None:
        """Disconnect (a Spark session is kept for the process: starting one takes seconds)."""
        if self.kind == "duckdb":
            with contextlib.suppress(Exception):
                self.con.disconnect()


def connect(
    url: str | None = None,
    *,
    lake: str | Path | None = None,
    version: int | None = None,
    database: str | None = None,
) -> Engine:
    """Connect to the analytical engine named by ``url`` or ``JIQUN_ENGINE``.

    Parameters
    ----------
    url:
        ``duckdb``, ``spark-local`` or ``sc://host:port``; default :func:`engine_url`.
    lake:
        The lake directory; default :func:`lake_dir` (``JIQUN_LAKE_DIR`` or the data directory).
    version:
        The lake version :meth:`Engine.table` reads by default.
    database:
        DuckDB only: the database file (``":memory:"`` for none); default
        ``engine/jiqun.duckdb`` in the data directory.

    Returns
    -------
    Engine

    Raises
    ------
    JiqunError
        For an unknown engine, PostgreSQL (not supported by this release), or a Spark that
        cannot start.

    Example
    -------
    >>> connect("duckdb", database=":memory:", lake="/nonexistent").kind
    'duckdb'
    """
    url = (url or engine_url()).strip()
    kind = _kind_of(url)
    root = Path(lake) if lake is not None else lake_dir()
    con = _duckdb(database) if kind == "duckdb" else ibis.pyspark.connect(_spark_session(url))
    return Engine(con, kind, root, version)
