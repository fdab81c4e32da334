"""Import use case: read → validate → (all-or-nothing | skip-invalid) upsert, with a report.

Semantics (nothing lost, nothing half-done):

* **All-or-nothing** (default): if any row has an error, nothing is written and the report lists
  every failing row. No import log row is written either: a rejected import changes no stored
  data at all.
* ``skip_invalid``: valid rows are written; every rejected row goes into the report with its
  reasons.
* Rows are upserted by the kind's natural key (credit code; region + industry + year + measure;
  ...). Rows whose stored values are already identical are not written again, so importing the
  same file twice changes nothing.
* The whole write is one database transaction: a process killed in the middle leaves the
  database exactly as before (SQLite WAL / PostgreSQL MVCC).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Row, Table, delete, insert, select, text, update

from jiqun.standard.problems import JiqunError, Problem
from jiqun.standard.reader import read_table
from jiqun.standard.schema import Kind, get_kind
from jiqun.standard.validate import ValidationResult, validate_table
from jiqun.store import bulk
from jiqun.store.db import get_engine, prepare
from jiqun.store.models import (
    Cluster,
    ClusterIndustry,
    ClusterRegion,
    Enterprise,
    ImportRun,
    table_of,
)

Progress = Callable[[str, float], None]


@dataclass
class ImportResult:
    """What an import did."""

    validation: ValidationResult
    status: str  # committed | rejected
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    import_id: int | None = None
    notes: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# cross-table checks against the database
# ---------------------------------------------------------------------------------------------


def _db_checks(result: ValidationResult, conn: Connection) -> None:
    """Problems that need the database: references to clusters and enterprises."""
    kind = result.kind
    rec = result.records
    if kind.name in ("cluster-members", "innovation-carriers") and "cluster_id" in rec:
        ids = set(conn.execute(select(Cluster.cluster_id)).scalars())
        col = rec["cluster_id"]
        bad = col.notna() & ~col.isin(ids)
        for i in np.flatnonzero(bad.to_numpy()):
            result.add(
                i,
                "cluster_id",
                str(col.iloc[i]),
                "ref.cluster_exists",
                "error",
                "数据库中没有此集群编号，请先导入集群名录（jiqun import clusters）",
                "no such cluster id in the database; import the cluster list first",
            )
    uscc_refs = {
        "cluster-members": ["uscc"],
        "supply-links": ["supplier_uscc", "buyer_uscc"],
        "innovation-carriers": ["host_uscc"],
    }.get(kind.name, [])
    for colname in uscc_refs:
        if colname not in rec:
            continue
        col = rec[colname]
        vals = list({v for v in col.dropna().unique()})
        known = bulk.existing_keys(conn, table_of(Enterprise), ["uscc"], [(v,) for v in vals])
        known_set = {k[0] for k in known}
        missing = col.notna() & ~col.isin(known_set)
        for i in np.flatnonzero(missing.to_numpy())[:10_000]:
            result.add(
                i,
                colname,
                str(col.iloc[i]),
                "ref.enterprise_registered",
                "warning",
                "企业库中没有此统一社会信用代码（仍可导入）",
                "this credit code is not in the enterprise registry (the row can still be imported)",
            )


def validate_file(
    path: str | Path,
    kind: Kind | str,
    *,
    engine: Engine | None = None,
    sheet: str | None = None,
    allow_unknown_columns: bool = False,
    report: str | Path | None = None,
    measure: str | None = None,
    unit: str | None = None,
    year: int | None = None,
) -> ValidationResult:
    """Validate ``path`` as ``kind`` against the standard and the database; write nothing.

    Parameters
    ----------
    path: CSV/TSV/TXT, XLSX or Parquet file.
    kind: kind of the unified data standard.
    engine: database for duplicate and reference checks (default: the configured one).
    sheet: the sheet to read from an .xlsx file (default: the first that fits the kind).
    allow_unknown_columns: ignore unknown columns with a warning instead of an error.
    report: optional path of an error report (.csv or .xlsx).
    measure, unit, year: for a wide ``region-stats`` table that does not state them
        (:mod:`jiqun.standard.reader.wide`).

    Returns
    -------
    :class:`~jiqun.standard.validate.ValidationResult`.
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    raw = read_table(
        path,
        kind,
        sheet=sheet,
        allow_unknown_columns=allow_unknown_columns,
        measure=measure,
        unit=unit,
        year=year,
    )
    result = validate_table(raw)
    engine = engine or get_engine()
    prepare(engine)
    with engine.connect() as conn:
        _db_checks(result, conn)
    if report:
        write_report(result, report)
    return result


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


def _store_frame(kind: Kind, rec: pd.DataFrame) -> pd.DataFrame:
    """Records in the shape of the kind's table (list fields joined, dates as date)."""
    out = rec.copy()
    for f in kind.fields:
        if f.name not in out:
            continue
        if f.type == "tags":
            out[f.name] = out[f.name].map(
                lambda v: ";".join(v) if isinstance(v, list | tuple) and v else (v or None)
            )
    return out


def _split_changes(
    conn: Connection, kind: Kind, table: Table, df: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Split rows into (new, changed) and count unchanged, by comparing with stored rows."""
    key = list(kind.key)
    if conn.execute(select(text("1")).select_from(table).limit(1)).first() is None:
        return df, df.iloc[0:0], 0  # an empty table: every row is new (no 1,000-key lookups)
    cols = [c for c in df.columns if c in table.c]
    existing: list[Row[Any]] = []
    # Plain Python values: numpy integers (an Int64 year) never match in an IN (...) query.
    keys = [
        tuple(v.item() if isinstance(v, np.generic) else v for v in k)
        for k in df[key].itertuples(index=False, name=None)
    ]
    tcols = [table.c[c] for c in cols]
    from sqlalchemy import tuple_

    for start in range(0, len(keys), 2_000):
        part = keys[start : start + 2_000]
        if len(key) == 1:
            q = select(*tcols).where(table.c[key[0]].in_([k[0] for k in part]))
        else:
            q = select(*tcols).where(tuple_(*[table.c[k] for k in key]).in_(part))
        existing.extend(conn.execute(q).all())
    if not existing:
        return df, df.iloc[0:0], 0
    old = pd.DataFrame(existing, columns=cols)
    merged = df.merge(old, on=key, how="left", suffixes=("", "__old"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    same = np.ones(len(merged), dtype=bool)
    for c in cols:
        if c in key:
            continue
        a, b = merged[c], merged[f"{c}__old"]
        eq = (
            a.astype(object).where(a.notna(), None).astype(str)
            == b.astype(object).where(b.notna(), None).astype(str)
        ).to_numpy()
        eq = eq | (a.isna().to_numpy() & b.isna().to_numpy())  # str dtype keeps NaN after astype
        if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
            af = pd.to_numeric(a, errors="coerce").to_numpy(dtype=float)
            bf = pd.to_numeric(b, errors="coerce").to_numpy(dtype=float)
            eq = eq | np.isclose(af, bf, rtol=1e-12, atol=0) | (np.isnan(af) & np.isnan(bf))
        same &= eq
    changed = ~is_new & ~same
    return df[is_new], df[changed], int((~is_new & same).sum())


def _maybe_die(chunks_done: int) -> None:
    """Test hook: simulate a crash (SIGKILL) after N chunks, to prove atomicity."""
    n = os.environ.get("JIQUN_TEST_KILL_AFTER_CHUNKS")
    if n and chunks_done >= int(n):
        os.kill(os.getpid(), signal.SIGKILL)


def import_file(
    path: str | Path,
    kind: Kind | str,
    *,
    skip_invalid: bool = False,
    report: str | Path | None = None,
    engine: Engine | None = None,
    sheet: str | None = None,
    allow_unknown_columns: bool = False,
    synthetic: bool = False,
    progress: Progress | None = None,
    member_status: str = "approved",
    requested_by: str | None = None,
    measure: str | None = None,
    unit: str | None = None,
    year: int | None = None,
) -> ImportResult:
    """Validate and import ``path`` as ``kind``.

    Parameters
    ----------
    path, kind, sheet, allow_unknown_columns: as for :func:`validate_file`.
    skip_invalid: write the valid rows and report the rejected ones (default: all-or-nothing).
    report: error report path (.csv or .xlsx); written whether or not the import commits.
    engine: target database (default: the configured one).
    synthetic: mark the imported rows as synthetic (used for generated test data).
    progress: callback ``(stage, fraction)``.
    member_status: for ``cluster-members``, the status of memberships this import creates:
        ``approved`` (an administrator's import, the default) or ``pending`` (a cluster
        organisation listing firms itself: a membership widens its view only once an admin or
        the firm approves it, :mod:`jiqun.services.memberships`). Stored memberships keep their
        status when re-imported.
    requested_by: who listed the new memberships (kept with them for the approver).
    measure, unit, year: as for :func:`validate_file`.

    Returns
    -------
    :class:`ImportResult`; ``status`` is ``committed`` or ``rejected``.

    Example
    -------
    >>> res = import_file("firms.xlsx", "enterprises")  # doctest: +SKIP
    >>> res.status, res.inserted  # doctest: +SKIP
    ('committed', 1200)
    """
    report_cb = progress or (lambda _s, _f: None)
    if member_status not in ("approved", "pending"):
        raise ValueError(f"member_status must be approved or pending, not {member_status!r}")
    kind = get_kind(kind) if isinstance(kind, str) else kind
    path = Path(path)
    engine = engine or get_engine()
    started = dt.datetime.now()
    report_cb("读取与校验 reading and validating", 0.05)
    result = validate_file(
        path,
        kind,
        engine=engine,
        sheet=sheet,
        allow_unknown_columns=allow_unknown_columns,
        measure=measure,
        unit=unit,
        year=year,
    )
    n_bad = result.n_error_rows
    if n_bad and not skip_invalid:
        if report:
            write_report(result, report)
        return ImportResult(validation=result, status="rejected", rejected=n_bad)

    good = result.valid_records()
    table = _table_for(kind)
    report_cb("写入 writing", 0.5)
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(ImportRun).returning(ImportRun.id),
            {
                "kind": kind.name,
                "source_file": path.name,
                "sha256": _sha256(path),
                "mode": "skip_invalid" if skip_invalid else "all_or_nothing",
                "status": "committed",
                "rows_read": result.n_rows,
                "synthetic": synthetic,
                "started_at": started,
            },
        ).scalar_one()
        store = _store_frame(kind, good)
        inserted = updated = unchanged = 0
        notes: list[str] = []
        if kind.name == "clusters":
            inserted, updated, unchanged = _write_clusters(conn, store, run_id, synthetic)
        elif len(store):
            store = store.drop_duplicates(subset=list(kind.key), keep="last")
            new, changed, unchanged = _split_changes(conn, kind, table, store)
            total = len(new) + len(changed)
            done = 0
            for part, is_new in ((new, True), (changed, False)):
                for start in range(0, len(part), bulk.CHUNK):
                    chunk = part.iloc[start : start + bulk.CHUNK].copy()
                    chunk["synthetic"] = synthetic
                    chunk["import_id"] = run_id
                    if kind.name == "cluster-members" and is_new:
                        chunk["status"] = member_status
                        chunk["requested_by"] = requested_by
                    if is_new and kind.name not in ("innovation-carriers", "supply-links"):
                        bulk.insert(conn, table, chunk)
                    else:
                        bulk.upsert(conn, table, chunk, kind.key)
                    done += len(chunk)
                    report_cb("写入 writing", 0.5 + 0.5 * done / max(total, 1))
                    _maybe_die(done // bulk.CHUNK)
            inserted, updated = len(new), len(changed)
            if kind.name == "cluster-members" and member_status == "pending" and len(new):
                notes.append(
                    f"{len(new)} 个新成员关系待管理员或企业本身批准后生效 / {len(new)} new "
                    "membership(s) take effect once an admin or the firm approves them"
                )
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(
                rows_written=inserted + updated,
                rows_rejected=n_bad,
                finished_at=dt.datetime.now(),
            )
        )
        # every derived result (the protected release, dashboards, evaluation …) follows the
        # committed data: the background refresh of the new data version recomputes and stores
        # them. Queued in this transaction, so that no reader sees the new data without a
        # refresh queued: it would compute national results in its request (a page took 105 s
        # under load when one arrived between the commit and a later enqueue).
        from jiqun.services.lake import queue_sync
        from jiqun.services.refresh import queue_refresh

        # the lake (when there is one) first: the worker takes jobs in order, so the refresh
        # reads it
        queue_sync(engine, created_by=f"import:{run_id}", conn=conn)
        queue_refresh(engine, created_by=f"import:{run_id}", conn=conn)
    if report:
        write_report(result, report)
    report_cb("完成 done", 1.0)
    return ImportResult(
        validation=result,
        status="committed",
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=n_bad,
        import_id=int(run_id),
        notes=notes,
    )


def _table_for(kind: Kind) -> Table:
    from jiqun.store.models import TABLE_OF_KIND

    return table_of(TABLE_OF_KIND[kind.name])


def _write_clusters(
    conn: Connection, store: pd.DataFrame, run_id: int, synthetic: bool
) -> tuple[int, int, int]:
    """Upsert clusters and replace their member-region and leading-industry lists."""
    if not len(store):
        return 0, 0, 0
    store = store.drop_duplicates(subset=["cluster_id"], keep="last")
    base_cols = [c.name for c in table_of(Cluster).columns if c.name in store.columns]
    base = store[base_cols].copy()
    base["synthetic"] = synthetic
    base["import_id"] = run_id
    existing = {
        r[0]
        for r in conn.execute(
            select(Cluster.cluster_id).where(Cluster.cluster_id.in_(base["cluster_id"].tolist()))
        )
    }
    bulk.upsert(conn, table_of(Cluster), base, ["cluster_id"])
    ids = base["cluster_id"].tolist()
    conn.execute(delete(ClusterRegion).where(ClusterRegion.cluster_id.in_(ids)))
    conn.execute(delete(ClusterIndustry).where(ClusterIndustry.cluster_id.in_(ids)))
    regs = [
        {"cluster_id": r.cluster_id, "region_code": c}
        for r in store.itertuples(index=False)
        for c in dict.fromkeys(r.member_regions or [])
    ]
    inds = [
        {"cluster_id": r.cluster_id, "industry_code": c}
        for r in store.itertuples(index=False)
        for c in dict.fromkeys(getattr(r, "leading_industries", None) or [])
    ]
    if regs:
        conn.execute(insert(ClusterRegion), regs)
    if inds:
        conn.execute(insert(ClusterIndustry), inds)
    n_new = sum(1 for i in ids if i not in existing)
    return n_new, len(ids) - n_new, 0


# ---------------------------------------------------------------------------------------------
# reports
# ---------------------------------------------------------------------------------------------

REPORT_COLUMNS = {
    "row": "行号 row",
    "column": "列 column",
    "value": "值 value",
    "rule": "规则 rule",
    "severity": "级别 severity",
    "message_zh": "说明",
    "message_en": "reason",
}


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as a table with bilingual column names."""
    df = pd.DataFrame([p.as_dict() for p in problems], columns=list(REPORT_COLUMNS))
    df["row"] = df["row"].astype("Int64")  # "3", not "3.0", when some problems have no row
    return df.rename(columns=REPORT_COLUMNS)


def write_report(result: ValidationResult, path: str | Path) -> Path:
    """Write the validation report: every problem, and every rejected row with its reasons.

    ``.xlsx``: sheets 问题 problems, 被拒行 rejected rows, 说明 summary.
    ``.csv``: one line per problem; rejected rows' original values in the ``record`` column (JSON).
    """
    from jiqun.standard.writer import write_table

    path = Path(path)
    probs = problems_frame(result.problems)
    rejected = result.rejected_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        summary = pd.DataFrame(
            {
                "项目 item": [
                    "文件 file",
                    "数据类别 kind",
                    "数据行 rows",
                    "有错误的行 rows with errors",
                    "错误 errors",
                    "警告 warnings",
                    "规范化 normalised cells",
                ],
                "值 value": [
                    result.source,
                    result.kind.name,
                    result.n_rows,
                    result.n_error_rows,
                    int((probs["级别 severity"] == "error").sum()) if len(probs) else 0,
                    int((probs["级别 severity"] == "warning").sum()) if len(probs) else 0,
                    int((probs["级别 severity"] == "normalised").sum()) if len(probs) else 0,
                ],
            }
        )
        sheets = {"问题 problems": probs, "被拒行 rejected rows": rejected, "说明 summary": summary}
        write_table(path, sheets)
    elif path.suffix.lower() == ".csv":
        out = probs.copy()
        if len(rejected):
            rec = {
                int(r["行号 row"]): json.dumps(
                    {
                        k: (None if pd.isna(v) else str(v))
                        for k, v in r.items()
                        if k != "原因 reasons"
                    },
                    ensure_ascii=False,
                )
                for _, r in rejected.iterrows()
            }
            out["record"] = out["行号 row"].map(lambda x: rec.get(int(x)) if pd.notna(x) else None)
        write_table(path, out)
    else:
        raise JiqunError(
            f"报告只能保存为 .csv 或 .xlsx，而不是「{path.suffix}」",
            f"reports are .csv or .xlsx files, not '{path.suffix}'",
        )
    return path


def stored_counts(engine: Engine | None = None) -> dict[str, int]:
    """Row counts of every data table (used by tests to prove a failed import changed nothing)."""
    from jiqun.store.models import TABLE_OF_KIND

    engine = engine or get_engine()
    out = {}
    with engine.connect() as conn:
        for name, model in TABLE_OF_KIND.items():
            out[name] = int(
                conn.execute(text(f"SELECT COUNT(*) FROM {model.__tablename__}")).scalar() or 0
            )
    return out
