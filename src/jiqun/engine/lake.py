"""The lake (数据湖): versioned, Hive-partitioned Parquet datasets of the firm-level tables.

Layout under the lake directory (:func:`jiqun.engine.lake_dir`)::

    v000007/                         one published version (a full snapshot)
      _manifest.json                 tables, rows, partition columns, column types
      firm_ids/part-0.parquet        uscc → firm_id (int32, stable across versions)
      enterprises/province=320000/…  the registry, one row per firm
      firm_years/year=2023/province=320000/…
      supply_links/year=2023/province=320000/…   (province of the supplier)
      region_stats/year=2023/province=320000/…
    .building-<uuid>/                a version being written (never read)
    .sync.lock                       held by the one sync that runs

**Publication is atomic.** A version is written into a ``.building-*`` folder, its manifest
last, then renamed to ``v<n>`` in one :func:`os.rename` (atomic within a file system); only then
does the caller record it as current in the store (:mod:`jiqun.services.lake`). A sync killed at
any point leaves the previous version on disk and current in the store; its ``.building-*``
folder (or an unrecorded ``v<n>``) is removed by the next sync.

**Integer ids.** Each credit code gets a ``firm_id`` (int32): the previous version's ids are kept,
codes seen for the first time are numbered after the largest id in code order, so an id never
changes or is reused while the lake lives (link arrays built from one version stay valid).

**Firm-years.** The registry holds one value of each firm's employees, revenue, output and R&D:
the figures of the data year (the newest year of the region statistics, else of the supply
links). ``firm_years`` files them under that year, so later years add partitions.

Everything here runs on the engine (DuckDB or Spark); nothing reads the store.

Example
-------
>>> sorted(TABLES)
['enterprises', 'firm_ids', 'firm_years', 'region_stats', 'supply_links']
>>> TABLES["supply_links"]
('year', 'province')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jiqun.engine import Engine
from jiqun.errors import JiqunError

__all__ = [
    "STAGED",
    "TABLES",
    "begin",
    "build",
    "lock",
    "publish",
    "remove_unpublished",
    "stage",
    "versions_on_disk",
]

#: lake table → its Hive partition columns (outermost first)
TABLES: dict[str, tuple[str, ...]] = {
    "firm_ids": (),
    "enterprises": ("province",),
    "firm_years": ("year", "province"),
    "supply_links": ("year", "province"),
    "region_stats": ("year", "province"),
}

#: the store tables a sync stages, with the Arrow types of their columns (store → Parquet)
STAGED: dict[str, pa.Schema] = {
    "enterprises": pa.schema(
        [
            ("uscc", pa.string()),
            ("name", pa.string()),
            ("region_code", pa.string()),
            ("industry_code", pa.string()),
            ("founded", pa.date32()),
            ("employees", pa.int64()),
            ("revenue", pa.float64()),
            ("output", pa.float64()),
            ("rd_expense", pa.float64()),
            ("tags", pa.string()),
            ("business_scope", pa.string()),
            ("address", pa.string()),
            ("lon", pa.float64()),
            ("lat", pa.float64()),
            ("synthetic", pa.bool_()),
            ("import_id", pa.int64()),
        ]
    ),
    "supply_links": pa.schema(
        [
            ("supplier_uscc", pa.string()),
            ("buyer_uscc", pa.string()),
            ("year", pa.int64()),
            ("input_category", pa.string()),
            ("value", pa.float64()),
            ("product", pa.string()),
            ("source", pa.string()),
            ("synthetic", pa.bool_()),
            ("import_id", pa.int64()),
        ]
    ),
    "region_stats": pa.schema(
        [
            ("region_code", pa.string()),
            ("industry_code", pa.string()),
            ("year", pa.int64()),
            ("measure", pa.string()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("source", pa.string()),
            ("synthetic", pa.bool_()),
            ("import_id", pa.int64()),
        ]
    ),
}

#: the province placeholder of a supply link whose supplier is not in the registry
NO_PROVINCE = "000000"

Progress = Callable[[str, float], None]


def _quiet(step: str, fraction: float) -> None:
    return None


def versions_on_disk(root: Path) -> list[int]:
    """The published version numbers found in the lake directory, ascending."""
    out = []
    for p in Path(root).glob("v*"):
        if p.is_dir() and p.name[1:].isdigit():
            out.append(int(p.name[1:]))
    return sorted(out)


@contextlib.contextmanager
def lock(root: Path) -> Iterator[None]:
    """Hold the lake's sync lock (one sync at a time; released when the process dies).

    Raises
    ------
    JiqunError
        When another sync holds it.
    """
    Path(root).mkdir(parents=True, exist_ok=True)
    path = Path(root) / ".sync.lock"
    with open(path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock, one sync assumed
            yield
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise JiqunError("另一个数据湖同步正在运行", "another lake sync is running") from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def remove_unpublished(root: Path, keep: Iterable[int]) -> list[str]:
    """Delete ``.building-*`` folders and version folders not in ``keep`` (call under
    :func:`lock`): what a killed sync or a pruned version left.

    Returns
    -------
    list of the removed folder names.
    """
    keep = set(keep)
    removed = []
    for p in sorted(Path(root).iterdir()) if Path(root).exists() else []:
        stale = p.name.startswith(".building-") or (
            p.name[:1] == "v" and p.name[1:].isdigit() and int(p.name[1:]) not in keep
        )
        if stale and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed


def begin(root: Path) -> Path:
    """A new, empty ``.building-<uuid>`` folder for a version being written."""
    path = Path(root) / f".building-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    return path


def _coerce(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """A store frame as an Arrow table of ``schema`` (SQLite returns 0/1 for booleans, text for
    dates, floats for integer columns with nulls)."""
    cols = {}
    for f in schema:
        s = df[f.name] if f.name in df.columns else pd.Series([None] * len(df), dtype=object)
        if pa.types.is_boolean(f.type):
            s = s.fillna(False).astype(bool)
        elif pa.types.is_integer(f.type):
            s = pd.to_numeric(s, errors="coerce").astype("Int64")
        elif pa.types.is_floating(f.type):
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        elif pa.types.is_date(f.type):
            s = pd.to_datetime(s, errors="coerce").dt.date
        else:
            s = s.astype(object).where(s.notna(), None)
        cols[f.name] = pa.array(s, type=f.type, from_pandas=True)
    return pa.table(cols, schema=schema)


def stage(name: str, frames: Iterable[pd.DataFrame], building: Path) -> tuple[Path, int]:
    """Write store rows, chunk by chunk, to one flat Parquet file ``_staging/<name>.parquet``.

    Parameters
    ----------
    name:
        A key of :data:`STAGED`.
    frames:
        The store table's rows in chunks (bounded memory: one chunk at a time).
    building:
        The version folder being written (:func:`begin`).

    Returns
    -------
    (path of the file, rows written)
    """
    schema = STAGED[name]
    path = Path(building) / "_staging" / f"{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with pq.ParquetWriter(path, schema) as w:
        for df in frames:
            if len(df):
                w.write_table(_coerce(df, schema))
                rows += len(df)
        if rows == 0:
            w.write_table(schema.empty_table())
    return path, rows


def _province(code: ir.StringValue) -> ir.StringValue:
    # GB/T 2260: the first two digits name the province
    return code.substr(0, 2).concat("0000")


def _schema_of(expr: ir.Table, partition_by: tuple[str, ...]) -> dict[str, str]:
    schema = expr.schema()
    data = [c for c in schema.names if c not in partition_by]
    return {c: str(schema[c].copy(nullable=True)) for c in [*data, *partition_by]}


def _ordered(expr: ir.Table, partition_by: tuple[str, ...]) -> ir.Table:
    # partition columns last: both engines put them there when reading the directory back
    return expr.select(*[c for c in expr.columns if c not in partition_by], *partition_by)


def build(
    engine: Engine,
    building: Path,
    staged: dict[str, int],
    *,
    previous: int | None,
    data_year: int,
    progress: Progress = _quiet,
) -> dict[str, dict[str, Any]]:
    """Build every lake table of a new version from the staged store rows, on the engine.

    Parameters
    ----------
    engine:
        The analytical engine (its lake directory holds ``previous``).
    building:
        The version folder being written; ``_staging/<table>.parquet`` are in it.
    staged:
        Rows staged per store table (``enterprises``, ``supply_links``, ``region_stats``).
    previous:
        The current version (its ``firm_ids`` are kept), or ``None``.
    data_year:
        The year ``firm_years`` files the registry's figures under.
    progress:
        ``(step, fraction)`` callback.

    Returns
    -------
    dict: table → ``{"rows", "partition_by", "schema"}`` (the manifest's ``tables``).
    """
    stg = Path(building) / "_staging"
    tables: dict[str, dict[str, Any]] = {}

    def read(name: str) -> ir.Table:
        return engine.read_parquet(stg / f"{name}.parquet")

    def put(name: str, expr: ir.Table, rows_hint: int) -> ir.Table | None:
        parts = TABLES[name]
        expr = _ordered(expr, parts)
        schema = _schema_of(expr, parts)
        rows = 0
        if rows_hint > 0:
            path = engine.write(expr, name, parts, into=building)
            rows = int(engine.scalar(engine.read_parquet(path, None, parts).count()))
        tables[name] = {"rows": rows, "partition_by": list(parts), "schema": schema}
        if rows == 0:
            return None
        return engine.read_parquet(Path(building) / name, ibis.schema(schema), parts)

    ent = read("enterprises")
    links = read("supply_links")
    stats = read("region_stats")
    n_firms, n_links = staged.get("enterprises", 0), staged.get("supply_links", 0)

    progress("编号 firm ids", 0.05)
    codes = ent.select(uscc=ent.uscc)
    if n_links:
        codes = codes.union(links.select(uscc=links.supplier_uscc)).union(
            links.select(uscc=links.buyer_uscc)
        )
    codes = codes.distinct()
    prev_ids = None
    if previous is not None and engine.manifest(previous)["tables"]["firm_ids"]["rows"]:
        prev_ids = engine.table("firm_ids", previous).select("uscc", "firm_id")
    if prev_ids is not None:
        base = int(engine.scalar(prev_ids.firm_id.max()))
        new = codes.anti_join(prev_ids, "uscc")
    else:
        base = -1
        new = codes
    # ibis.row_number() counts from 0
    new = new.mutate(firm_id=(ibis.row_number().over(order_by=new.uscc) + (base + 1)).cast("int32"))
    ids_expr = new.select("uscc", "firm_id")
    if prev_ids is not None:
        ids_expr = prev_ids.select("uscc", prev_ids.firm_id.cast("int32").name("firm_id")).union(
            ids_expr
        )
    ids = put("firm_ids", ids_expr, n_firms + n_links + (1 if prev_ids is not None else 0))

    progress("企业 enterprises", 0.25)
    if ids is not None and n_firms:
        e = ent.inner_join(ids, "uscc")
        e = e.select("firm_id", *ent.columns, province=_province(e.region_code))
    else:
        e = ent.mutate(firm_id=ibis.literal(0, "int32"), province=_province(ent.region_code))
        e = e.select("firm_id", *ent.columns, "province")
    firms = put("enterprises", e, n_firms)

    progress("企业年度 firm-years", 0.45)
    src = firms if firms is not None else e
    fy = src.select(
        "firm_id",
        "uscc",
        year=ibis.literal(int(data_year), "int64"),
        region_code=src.region_code,
        industry_code=src.industry_code,
        employees=src.employees,
        revenue=src.revenue,
        output=src.output,
        rd_expense=src.rd_expense,
        synthetic=src.synthetic,
        province=src.province,
    )
    put("firm_years", fy, n_firms)

    progress("供应关系 supply links", 0.6)
    if ids is not None and n_links:
        sup = ids.select(s_code=ids.uscc, supplier_id=ids.firm_id)
        buy = ids.select(b_code=ids.uscc, buyer_id=ids.firm_id)
        j = links.inner_join(sup, links.supplier_uscc == sup.s_code)
        j = j.inner_join(buy, j.buyer_uscc == buy.b_code)
        if firms is not None:
            where = firms.select(w_code=firms.uscc, w_prov=firms.province)
            j = j.left_join(where, j.supplier_uscc == where.w_code)
            prov = j.w_prov.fill_null(NO_PROVINCE)
        else:
            prov = ibis.literal(NO_PROVINCE)
        sl = j.select("supplier_id", "buyer_id", *links.columns, province=prov)
    else:
        sl = links.mutate(
            supplier_id=ibis.literal(0, "int32"),
            buyer_id=ibis.literal(0, "int32"),
            province=ibis.literal(NO_PROVINCE),
        ).select("supplier_id", "buyer_id", *links.columns, "province")
    put("supply_links", sl, n_links)

    progress("地区统计 region statistics", 0.8)
    rs = stats.mutate(province=_province(stats.region_code))
    put("region_stats", rs, staged.get("region_stats", 0))
    return tables


def publish(
    root: Path,
    building: Path,
    version: int,
    tables: dict[str, dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write the manifest, drop the staging files and rename ``building`` to ``v<version>``.

    The rename is the moment of publication (atomic within one file system); the caller then
    records the version in the store. A folder of that name left by a killed sync (renamed,
    never recorded) is replaced.

    Returns
    -------
    Path of the published version.
    """
    shutil.rmtree(Path(building) / "_staging", ignore_errors=True)
    manifest = {
        "version": int(version),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": tables,
        **(extra or {}),
    }
    path = Path(building) / "_manifest.json"
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    target = Path(root) / f"v{int(version):06d}"
    if target.exists():
        shutil.rmtree(target)
    os.rename(building, target)
    return target
