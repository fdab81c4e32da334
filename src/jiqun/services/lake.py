"""The lake service (数据湖): copy the store's firm-level tables into a new lake version, record
it, and say which version is current.

:func:`sync` reads ``enterprises``, ``supply_links`` and ``region_stats`` from the store in chunks
inside one read transaction (one snapshot, with the store data version it reflects), stages them
as Parquet, builds the lake tables on the analytical engine (:func:`jiqun.engine.lake.build`),
publishes the version folder atomically (rename) and only then records it in ``lake_versions`` as
``current`` — so a sync killed at any point leaves the previous version readable and current.
Versions older than the previous one are deleted from disk.

Store and lake cannot drift silently: once a lake exists, every import commit and demo build
queues a ``lake-sync`` job (:func:`queue_sync`) ahead of the results refresh, a sync that
published queues the refresh itself, and :func:`is_fresh` tells a reader whether the current
version copies the present store data (a ported path reads the store while it does not). The
cache's data version (:func:`jiqun.services.cache.data_version`) includes the lake version.

The lake is opt-in: it exists from the first ``jiqun lake sync`` on. Without it nothing changes.

Example
-------
>>> sync(engine)["version"]  # doctest: +SKIP
1
>>> status(engine)["current"]["version"]  # doctest: +SKIP
1
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, text, update

import jiqun.engine as analytical
from jiqun.engine import lake as lakefiles
from jiqun.services import jobs
from jiqun.services.cache import store_version
from jiqun.store.db import get_engine
from jiqun.store.models import LakeVersion, table_of

__all__ = [
    "CHUNK",
    "current",
    "engine_for",
    "firm_sums",
    "in_use",
    "is_fresh",
    "queue_sync",
    "reading",
    "status",
    "sync",
]

#: store rows read per chunk while staging
CHUNK = 100_000
#: published versions kept on disk: the current one and the one before (a reader that started on
#: it finishes)
KEEP = 2
_L = table_of(LakeVersion)

_COLUMNS = {name: ", ".join(f.name for f in schema) for name, schema in lakefiles.STAGED.items()}
_ORDER = {
    "enterprises": "uscc",
    "supply_links": "supplier_uscc, buyer_uscc, year, input_category",
    "region_stats": "region_code, industry_code, year, measure",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def current(engine: Engine | None = None) -> dict[str, Any] | None:
    """The current lake version's row (``tables`` decoded), or ``None`` before the first sync."""
    engine = engine or get_engine()
    with engine.connect() as c:
        row = c.execute(select(_L).where(_L.c.status == "current")).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["tables"] = json.loads(out["tables"] or "{}")
    return out


def in_use(engine: Engine | None = None) -> bool:
    """Whether a lake was ever synced for this store (then imports keep it in step)."""
    engine = engine or get_engine()
    with engine.connect() as c:
        return bool(c.execute(select(func.count()).select_from(_L)).scalar())


def is_fresh(engine: Engine | None = None) -> bool:
    """Whether the current lake version copies the store's present data (``False`` without a
    lake, and between an import's commit and the sync it queued)."""
    engine = engine or get_engine()
    cur = current(engine)
    if cur is None:
        return False
    with engine.connect() as c:
        return bool(cur["source_version"] == store_version(c))


def engine_for(engine: Engine | None = None, url: str | None = None) -> analytical.Engine:
    """The analytical engine (``JIQUN_ENGINE``), reading the store's current lake version.

    Example
    -------
    >>> engine_for(engine).table("enterprises").count()  # doctest: +SKIP
    """
    cur = current(engine)
    return analytical.connect(url, version=None if cur is None else int(cur["version"]))


def _chunks(c: Connection, name: str) -> Iterator[pd.DataFrame]:
    sql = text(f"SELECT {_COLUMNS[name]} FROM {name} ORDER BY {_ORDER[name]}")
    yield from pd.read_sql(sql, c, chunksize=CHUNK)


def _data_year(c: Connection) -> int:
    year = c.execute(text("SELECT MAX(year) FROM region_stats")).scalar()
    if year is None:
        year = c.execute(text("SELECT MAX(year) FROM supply_links")).scalar()
    return int(year) if year is not None else _now().year


def sync(
    engine: Engine | None = None,
    *,
    force: bool = False,
    progress: jobs.Progress | None = None,
    url: str | None = None,
    created_by: str | None = None,
    job_id: int | None = None,
    refresh: bool = True,
) -> dict[str, Any]:
    """Copy the store's firm-level tables into a new lake version and make it current.

    Parameters
    ----------
    engine:
        The store (default: the configured one).
    force:
        Build a new version even when the current one copies the present data.
    progress:
        ``(step, fraction)`` callback (the job's progress, the CLI's bar).
    url:
        The analytical engine (default ``JIQUN_ENGINE``).
    created_by:
        Who asked (``os:<user>``, ``job``), recorded with the version.
    job_id:
        The ``lake-sync`` job running it, recorded with the version.
    refresh:
        Queue the results refresh when a version was published (the data version changed).

    Returns
    -------
    dict: ``version`` (the current version afterwards), ``published`` (whether this call made
    it), ``tables`` (rows per table), ``seconds``, ``removed`` (folders deleted).

    Raises
    ------
    JiqunError
        When another sync holds the lake's lock, or the engine cannot start.

    Example
    -------
    >>> sync(engine, progress=lambda s, f: None)["published"]  # doctest: +SKIP
    True
    """
    engine = engine or get_engine()
    say = progress or (lambda step, fraction: None)
    t0 = time.perf_counter()
    eng = engine_for(engine, url)
    root = eng.lake
    try:
        with lakefiles.lock(root):
            cur = current(engine)
            keep = [int(cur["version"])] if cur is not None else []
            with engine.connect() as c:
                prev_rows = c.execute(
                    select(_L.c.version)
                    .where(_L.c.status == "superseded")
                    .order_by(_L.c.version.desc())
                    .limit(KEEP - 1)
                ).scalars()
                keep.extend(int(v) for v in prev_rows)
            removed = lakefiles.remove_unpublished(root, keep)
            say("读取存储 reading the store", 0.02)
            building = lakefiles.begin(root)
            staged: dict[str, int] = {}
            with engine.connect() as c:
                if c.dialect.name == "postgresql":
                    # every table and the version from one snapshot
                    c = c.execution_options(isolation_level="REPEATABLE READ")
                with c.begin():
                    source = store_version(c)
                    if not force and cur is not None and cur["source_version"] == source:
                        lakefiles.remove_unpublished(root, keep)
                        return {
                            "version": int(cur["version"]),
                            "published": False,
                            "tables": cur["tables"],
                            "seconds": round(time.perf_counter() - t0, 3),
                            "removed": removed,
                        }
                    year = _data_year(c)
                    for i, name in enumerate(lakefiles.STAGED):
                        say(f"暂存 staging {name}", 0.05 + 0.1 * i)
                        staged[name] = lakefiles.stage(name, _chunks(c, name), building)[1]
            tables = lakefiles.build(
                eng,
                building,
                staged,
                previous=None if cur is None else int(cur["version"]),
                data_year=year,
                progress=lambda s, f: say(s, 0.35 + 0.55 * f),
            )
            with engine.connect() as c:
                recorded = c.execute(select(func.max(_L.c.version))).scalar()
            on_disk = lakefiles.versions_on_disk(root)
            version = max([int(recorded or 0), *[v for v in on_disk if v not in keep]]) + 1
            say("发布 publishing", 0.92)
            path = lakefiles.publish(
                root,
                building,
                version,
                tables,
                {"source_version": source, "data_year": year, "engine": eng.kind},
            )
            counts = {k: int(v["rows"]) for k, v in tables.items()}
            seconds = round(time.perf_counter() - t0, 3)
            with engine.begin() as c:
                c.execute(update(_L).where(_L.c.status == "current").values(status="superseded"))
                c.execute(
                    insert(_L).values(
                        version=version,
                        status="current",
                        path=str(path),
                        source_version=source,
                        engine=eng.kind,
                        tables=json.dumps(counts),
                        data_year=year,
                        created_at=_now(),
                        created_by=created_by,
                        job_id=job_id,
                        seconds=seconds,
                    )
                )
            keep = [version, *keep[: KEEP - 1]]
            with engine.begin() as c:
                c.execute(
                    update(_L)
                    .where(_L.c.status == "superseded", _L.c.version.not_in(keep))
                    .values(status="pruned")
                )
            removed += lakefiles.remove_unpublished(root, keep)
    finally:
        eng.close()
    if refresh:
        from jiqun.services.refresh import queue_refresh

        queue_refresh(engine, created_by=f"lake:{version}")
    say("完成 done", 1.0)
    return {
        "version": version,
        "published": True,
        "tables": counts,
        "seconds": seconds,
        "removed": removed,
    }


@jobs.register("lake-sync")
def sync_job(engine: Engine, params: dict[str, Any], progress: jobs.Progress) -> dict[str, Any]:
    """The ``lake-sync`` job: :func:`sync` (``params``: ``{"force": bool}``).

    Example
    -------
    >>> sync_job(engine, {}, lambda s, f: None)["published"]  # doctest: +SKIP
    True
    """
    job = jobs.pending(engine, kind="lake-sync")
    return sync(
        engine,
        force=bool(params.get("force")),
        progress=progress,
        created_by="job",
        job_id=None if job is None else int(job["id"]),
    )


def queue_sync(
    engine: Engine, created_by: str | None = None, conn: Connection | None = None
) -> int | None:
    """Queue a ``lake-sync`` job when a lake exists (an import or demo build committed): the job
    id, or ``None`` when there is no lake to keep in step.

    Call it before :func:`jiqun.services.refresh.queue_refresh`: the worker takes jobs in order,
    so the refresh then reads the new lake version.

    Example
    -------
    >>> queue_sync(engine, "import:12")  # doctest: +SKIP
    """
    if conn is None and not in_use(engine):
        return None
    if conn is not None and not conn.execute(select(func.count()).select_from(_L)).scalar():
        return None
    # ``conn``: the import's own transaction (see jiqun.services.refresh.queue_refresh)
    return jobs.enqueue("lake-sync", {}, engine=engine, created_by=created_by, conn=conn)


def status(engine: Engine | None = None) -> dict[str, Any]:
    """The lake's state for ``jiqun lake status`` and the admin.

    Returns
    -------
    dict: ``engine`` (``JIQUN_ENGINE``), ``lake`` (directory), ``current`` (row or ``None``),
    ``fresh`` (it copies the present store data), ``versions`` (every recorded version, newest
    first), ``on_disk`` (version folders present), ``syncing`` (a ``lake-sync`` job is queued or
    running).

    Example
    -------
    >>> status(engine)["fresh"]  # doctest: +SKIP
    True
    """
    engine = engine or get_engine()
    root = analytical.lake_dir()
    with engine.connect() as c:
        rows = [
            dict(r) for r in c.execute(select(_L).order_by(_L.c.version.desc())).mappings().all()
        ]
    for r in rows:
        r["tables"] = json.loads(r["tables"] or "{}")
    syncing = jobs.pending(engine, kind="lake-sync")
    cur = next((r for r in rows if r["status"] == "current"), None)
    return {
        "engine": analytical.engine_url(),
        "lake": str(root),
        "current": cur,
        "fresh": is_fresh(engine),
        "versions": rows,
        "on_disk": lakefiles.versions_on_disk(Path(root)),
        "syncing": syncing is not None,
    }


@contextlib.contextmanager
def reading(engine: Engine | None = None) -> Iterator[analytical.Engine | None]:
    """The analytical engine on the current lake version when that version copies the present
    store data and is on disk; ``None`` otherwise (no lake, a lake behind the store, a version
    folder removed by hand), and the caller then reads the store.

    Example
    -------
    >>> with reading(engine) as eng:  # doctest: +SKIP
    ...     rows = None if eng is None else eng.table("enterprises").count().execute()
    """
    engine = engine or get_engine()
    if not in_use(engine) or not is_fresh(engine):
        yield None
        return
    eng = engine_for(engine)
    try:
        if eng.version is None or not (eng.version_path(eng.version) / "_manifest.json").exists():
            yield None
        else:
            yield eng
    finally:
        eng.close()


def firm_sums(
    engine: Engine, pref: pd.Series, *, digits: int, codes: list[str], size: str
) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """Σ size, Σ size² and firm counts per (prefecture, industry) from the lake, on the engine
    (:func:`jiqun.engine.aggregates.firm_size_sums`), or ``None`` when there is no lake or it
    does not copy the present store data (the caller then reads the store).

    Example
    -------
    >>> firm_sums(engine, pref, digits=4, codes=["3911"], size="output")  # doctest: +SKIP
    """
    from jiqun.engine.aggregates import firm_size_sums

    with reading(engine) as eng:
        if eng is None:
            return None
        return firm_size_sums(eng, pref, digits=digits, codes=codes, size=size)
