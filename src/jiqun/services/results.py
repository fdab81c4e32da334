"""Materialised results in the store (物化结果): one row per data version, family and key.

:func:`jiqun.services.cache.cached` reads and writes them; the refresh job
(:mod:`jiqun.services.refresh`) fills them for every cluster and region after each import; the
admin page, ``jiqun jobs`` and the banner on every page read :func:`status`.

Serialisation: the service's own result object (dataclasses of DataFrames), pickled and
compressed with zlib. Pickle is safe here because only Jiqun's own code writes these rows, in a
store that already holds every firm record; ``fmt`` (:data:`FORMAT` and the package version)
names the code that wrote a row, and a row of another format is ignored — recomputed, never
misread after an upgrade. A value that cannot be pickled is kept in the process only.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import time
import zlib
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jiqun import __version__
from jiqun.store.models import Job, Meta, Release, ResultVersion, StoredResult, table_of

__all__ = [
    "FORMAT",
    "MISSING",
    "begin_version",
    "end_version",
    "key_text",
    "load",
    "load_previous",
    "newest_complete",
    "page_state",
    "prune",
    "refreshing",
    "save",
    "status",
]

log = logging.getLogger(__name__)
#: bump when a stored result class changes shape (old rows are then recomputed)
FORMAT = f"{__version__}/2"
#: what :func:`load` returns when nothing usable is stored
MISSING: Any = object()
_R = table_of(StoredResult)
_V = table_of(ResultVersion)
_J = table_of(Job)
#: versions whose results are kept (the present one and the one before, for stale reads)
KEEP_VERSIONS = 2


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def key_text(key: tuple[Hashable, ...]) -> tuple[str, str]:
    """``(family, key)`` columns of a cache key: its first element and the ``repr`` of the rest.

    Example
    -------
    >>> key_text(("diagnosis", "NC2021-01", "employment"))
    ('diagnosis', "('NC2021-01', 'employment')")
    """
    return str(key[0]), repr(tuple(key[1:]))[:500]


def _decode(payload: bytes) -> Any:
    return pickle.loads(zlib.decompress(payload))


def load(engine: Engine, version: str, key: tuple[Hashable, ...]) -> Any:
    """The stored result of ``key`` for ``version``, or :data:`MISSING`."""
    family, k = key_text(key)
    with engine.connect() as c:
        payload = c.execute(
            select(_R.c.payload).where(
                _R.c.data_version == version,
                _R.c.family == family,
                _R.c.key == k,
                _R.c.fmt == FORMAT,
            )
        ).scalar()
    if payload is None:
        return MISSING
    try:
        return _decode(payload)
    except Exception:  # a class moved since it was written: recompute
        log.warning("stored result %s %s unreadable; recomputing", family, k)
        return MISSING


def newest_complete(engine: Engine, version: str) -> str | None:
    """The newest data version other than ``version`` whose results are complete (the one
    :func:`load_previous` reads), or ``None``."""
    with engine.connect() as c:
        v = c.execute(
            select(_V.c.data_version)
            .where(_V.c.status == "complete", _V.c.data_version != version)
            .order_by(_V.c.finished_at.desc())
            .limit(1)
        ).scalar()
    return None if v is None else str(v)


def load_previous(
    engine: Engine, version: str, key: tuple[Hashable, ...]
) -> tuple[Any, str, str] | None:
    """The newest stored result of ``key`` from a version other than ``version`` whose results
    are complete: ``(value, its data version, computed at)`` or ``None``."""
    family, k = key_text(key)
    q = (
        select(_R.c.payload, _R.c.data_version, _R.c.computed_at)
        .join(_V, _V.c.data_version == _R.c.data_version)
        .where(
            _R.c.family == family,
            _R.c.key == k,
            _R.c.fmt == FORMAT,
            _R.c.data_version != version,
            _V.c.status == "complete",
        )
        .order_by(_V.c.finished_at.desc())
        .limit(1)
    )
    with engine.connect() as c:
        row = c.execute(q).first()
    if row is None:
        return None
    try:
        return _decode(row[0]), str(row[1]), str(row[2])[:16]
    except Exception:
        return None


def save(
    engine: Engine,
    version: str,
    key: tuple[Hashable, ...],
    value: Any,
    *,
    seconds: float = 0.0,
    job_id: int | None = None,
) -> bool:
    """Store ``value`` for ``key`` and ``version`` (once: a concurrent writer's row wins).

    Returns
    -------
    bool, whether a row was written.
    """
    family, k = key_text(key)
    try:
        payload = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 3)
    except Exception:  # lambdas, open handles …: keep it in the process only
        log.debug("result %s %s not picklable; kept in process only", family, k)
        return False
    try:
        with engine.begin() as c:
            c.execute(
                insert(_R).values(
                    data_version=version,
                    family=family,
                    key=k,
                    fmt=FORMAT,
                    payload=payload,
                    computed_at=_now(),
                    seconds=float(seconds),
                    job_id=job_id,
                )
            )
    except IntegrityError:  # another process stored it first; theirs is the same result
        return False
    return True


def refreshing(engine: Engine, version: str) -> bool:
    """Whether the results of ``version`` are being refreshed (queued, building) or their
    refresh failed: then readers get the previous version instead of computing."""
    with engine.connect() as c:
        st = c.execute(select(_V.c.status).where(_V.c.data_version == version)).scalar()
        if st in ("building", "failed"):
            return True
        queued = c.execute(
            select(func.count())
            .select_from(_J)
            .where(_J.c.kind == "refresh", _J.c.status.in_(("queued", "running")))
        ).scalar()
    return bool(queued)


def begin_version(engine: Engine, version: str, job_id: int | None) -> None:
    """Mark ``version``'s results as being built by ``job_id`` (a retry starts it again)."""
    with engine.begin() as c:
        c.execute(delete(_V).where(_V.c.data_version == version))
        c.execute(
            insert(_V).values(
                data_version=version, status="building", job_id=job_id, started_at=_now(), results=0
            )
        )


def end_version(
    engine: Engine,
    version: str,
    *,
    ok: bool,
    error: str | None = None,
    violations: int | None = None,
) -> None:
    """Mark ``version``'s results complete (or failed, keeping the previous version served)."""
    with engine.begin() as c:
        n = c.execute(
            select(func.count()).select_from(_R).where(_R.c.data_version == version)
        ).scalar()
        c.execute(
            update(_V)
            .where(_V.c.data_version == version)
            .values(
                status="complete" if ok else "failed",
                finished_at=_now(),
                results=int(n or 0),
                error=error,
                violations=violations,
            )
        )


def prune(engine: Engine, keep: int = KEEP_VERSIONS) -> int:
    """Delete the results of all but the newest ``keep`` complete versions and of versions
    neither complete nor building (the present version's rows always stay).

    Returns
    -------
    int, rows deleted.
    """
    with engine.begin() as c:
        newest = [
            r[0]
            for r in c.execute(
                select(_V.c.data_version)
                .where(_V.c.status == "complete")
                .order_by(_V.c.finished_at.desc())
                .limit(keep)
            )
        ]
        building = [
            r[0] for r in c.execute(select(_V.c.data_version).where(_V.c.status == "building"))
        ]
        keep_all = set(newest) | set(building)
        from jiqun.services.cache import version_text

        keep_all.add(version_text(engine))
        gone = c.execute(delete(_R).where(_R.c.data_version.not_in(sorted(keep_all)))).rowcount
        c.execute(
            delete(_V).where(
                and_(_V.c.data_version.not_in(sorted(keep_all)), _V.c.status != "failed")
            )
        )
    return int(gone or 0)


def status(engine: Engine) -> dict[str, Any]:
    """What the pages and the admin say about the materialised results.

    Returns
    -------
    dict: ``version`` (the present data version), ``current`` (its results are complete),
    ``served`` (the version pages read: the present one, or the newest complete one),
    ``served_at`` (when that version's results were finished, ``YYYY-MM-DD HH:MM`` UTC),
    ``refreshing`` (a refresh is queued or running), ``progress`` and ``step`` of the running
    refresh, ``failed`` (the present version's refresh failed) and ``error``,
    ``violations`` (invariant violations found by the served version's refresh).

    Example
    -------
    >>> status(engine)["current"]  # doctest: +SKIP
    True
    """
    from jiqun.services.cache import version_text

    t0 = time.perf_counter()
    version = version_text(engine)
    with engine.connect() as c:
        mine = c.execute(select(_V).where(_V.c.data_version == version)).mappings().first()
        newest = (
            c.execute(
                select(_V)
                .where(_V.c.status == "complete")
                .order_by(_V.c.finished_at.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        job = (
            c.execute(
                select(_J)
                .where(_J.c.kind == "refresh", _J.c.status.in_(("queued", "running")))
                .order_by(_J.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    current = mine is not None and mine["status"] == "complete"
    served = mine if current else newest
    return {
        "version": version,
        "current": current,
        "served": None if served is None else served["data_version"],
        "served_at": None
        if served is None or served["finished_at"] is None
        else served["finished_at"].isoformat(sep=" ", timespec="minutes"),
        "refreshing": job is not None,
        "progress": float(job["progress"] or 0.0) if job is not None else None,
        "step": job["step"] if job is not None else None,
        "failed": mine is not None and mine["status"] == "failed",
        "error": mine["error"] if mine is not None else None,
        "violations": None if served is None else served["violations"],
        "seconds": round(time.perf_counter() - t0, 4),
    }


def page_state(engine: Engine) -> tuple[Any, ...] | None:
    """Everything a page built from stored results may depend on besides its viewer and its
    request, read in one transaction; ``None`` while the present data version's results are not
    complete or a refresh is queued or running (a page then says which version it shows, and
    that changes as the refresh goes on).

    The token: the data version (:func:`jiqun.services.cache.data_version_on`, with the lake
    version), every ``meta['<domain>.version']`` (cluster memberships, digital assessments and
    any later domain of :func:`jiqun.services.cache.bump`) and the id of the current protected
    release.

    Parameters
    ----------
    engine:
        The database.

    Returns
    -------
    tuple or None
        Equal tokens mean the same stored results, release and domain data.

    References
    ----------
    src/jiqun/web/page_cache.py (the pages kept per token).

    Example
    -------
    >>> page_state(engine)  # doctest: +SKIP
    ((12, 12, '3', 4), (('digital.version', '2'),), 7)
    """
    from jiqun.services.cache import data_version_on, version_text_on

    meta, rel = table_of(Meta), table_of(Release)
    with engine.connect() as c:
        version = data_version_on(c)
        vtext = version_text_on(c)
        done = c.execute(select(_V.c.status).where(_V.c.data_version == vtext)).scalar()
        busy = c.execute(
            select(func.count())
            .select_from(_J)
            .where(_J.c.kind == "refresh", _J.c.status.in_(("queued", "running")))
        ).scalar()
        if done != "complete" or busy:
            return None
        domains = tuple(
            (str(k), str(v))
            for k, v in c.execute(
                select(meta.c.key, meta.c.value)
                .where(meta.c.key.like("%.version"))
                .order_by(meta.c.key)
            ).all()
        )
        release = c.execute(select(func.max(rel.c.id)).where(rel.c.status == "complete")).scalar()
    return (version, domains, release)
