"""Background jobs (后台任务): a jobs table in the store and an in-process worker.

Why this runner (and not Celery, RQ, Dramatiq or Huey): those need a broker (Redis, RabbitMQ) — a
new server that an embedded deployment does not have — or, for Huey's SQLite storage, a second
database next to the store. The work here is a handful of long jobs per data version (refresh
the materialised results, build the publication release), not thousands of small tasks, so a
table in the store we already run on SQLite and PostgreSQL is enough and keeps one source of
truth: the admin page, the API and ``jiqun jobs`` read the same rows.

Life of a job: :func:`enqueue` inserts a ``queued`` row (once: an identical queued job is
reused). A worker — the thread :func:`start_worker` starts inside the web server, or
``jiqun jobs run`` — :func:`claim`\\s the oldest queued job with one conditional ``UPDATE …
WHERE status = 'queued'`` (two workers never both win), runs the function registered for its
``kind`` (:func:`register`) with a progress callback that writes ``progress``, ``step`` and
``heartbeat_at`` (at most once a second), and ends it ``succeeded`` (with a JSON summary) or
``failed`` (with the error). A job whose worker died (no heartbeat for :data:`STALE_AFTER`) is
marked failed by the next worker (:func:`recover`); :func:`retry` queues a failed job again.

Job functions receive ``(engine, params, progress)`` and return a JSON-able summary (a non-empty
``failed`` mapping in it, part → error, ends the job ``failed`` with those errors while keeping
the summary); they hold no state of their own, so the analytical engine of a later release can run the same functions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from jiqun.errors import JiqunError, NotFound
from jiqun.store.db import get_engine
from jiqun.store.models import Job, table_of

__all__ = [
    "JOBS",
    "STALE_AFTER",
    "Progress",
    "claim",
    "enqueue",
    "get_job",
    "list_jobs",
    "pending",
    "recover",
    "register",
    "retry",
    "run_isolated",
    "run_job",
    "run_pending",
    "start_worker",
    "stop_worker",
]

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]
JobFunction = Callable[[Engine, dict[str, Any], Progress], dict[str, Any]]

#: kind → function; filled by :func:`register` (the kinds of this release: ``refresh``)
JOBS: dict[str, JobFunction] = {}
#: a running job without a heartbeat for this long has lost its worker
STALE_AFTER = dt.timedelta(minutes=10)
#: status values and their labels (admin page, CLI)
STATUS = {
    "queued": ("排队中", "queued"),
    "running": ("运行中", "running"),
    "succeeded": ("已完成", "succeeded"),
    "failed": ("失败", "failed"),
}
_J = table_of(Job)
_WAKE = threading.Event()
_WORKERS: dict[int, threading.Thread] = {}
_STOP = threading.Event()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def register(kind: str) -> Callable[[JobFunction], JobFunction]:
    """Register the function that runs jobs of ``kind`` (a decorator).

    Parameters
    ----------
    kind:
        The job kind stored in ``jobs.kind`` (``refresh`` …).

    Returns
    -------
    The decorator; it returns the function unchanged.

    Example
    -------
    >>> @register("noop")
    ... def noop(engine, params, progress):
    ...     return {}
    >>> "noop" in JOBS
    True
    """

    def deco(fn: JobFunction) -> JobFunction:
        JOBS[kind] = fn
        return fn

    return deco


def _known(kind: str) -> None:
    _load_kinds()
    if kind not in JOBS:
        raise JiqunError(f"未知任务类型：{kind}", f"unknown job kind: {kind}")


def _load_kinds() -> None:
    # the refresh job lives in services.refresh, which imports many services, and the lake sync
    # in services.lake, which imports the analytical engine: load them lazily
    if "refresh" not in JOBS:
        import jiqun.services.refresh
    if "lake-sync" not in JOBS:
        import jiqun.services.lake  # noqa: F401


def enqueue(
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    engine: Engine | None = None,
    created_by: str | None = None,
    data_version: str | None = None,
    conn: Connection | None = None,
) -> int:
    """Queue a job (or return the id of the identical job already queued).

    Parameters
    ----------
    kind:
        A registered kind (``refresh``).
    params:
        JSON-able parameters of the job function.
    engine:
        Database (default: the configured one).
    created_by:
        Who asked (``os:<user>``, ``user:<name>``, ``import:<id>``), for the admin page.
    data_version:
        The data version the job works for (shown to the admin).
    conn:
        Queue it inside this open transaction (the import that makes the job necessary), so
        the job is visible from the instant the data are; default: a transaction of its own.

    Returns
    -------
    int, the job id.

    Example
    -------
    >>> enqueue("refresh", engine=engine)  # doctest: +SKIP
    7
    """
    _known(kind)
    engine = engine or get_engine()
    if conn is None:
        with engine.begin() as c:
            return enqueue(
                kind,
                params,
                engine=engine,
                created_by=created_by,
                data_version=data_version,
                conn=c,
            )
    text_params = json.dumps(params or {}, sort_keys=True, ensure_ascii=False)
    same = conn.execute(
        select(_J.c.id).where(
            _J.c.kind == kind, _J.c.status == "queued", _J.c.params == text_params
        )
    ).scalar()
    if same is not None:
        return int(same)
    job_id = conn.execute(
        insert(_J).values(
            kind=kind,
            params=text_params,
            status="queued",
            data_version=data_version,
            created_at=_now(),
            created_by=created_by,
            progress=0.0,
            attempts=0,
        )
    ).inserted_primary_key
    _WAKE.set()
    assert job_id is not None
    return int(job_id[0])


def claim(engine: Engine, worker: str | None = None) -> dict[str, Any] | None:
    """Take the oldest queued job for ``worker`` (``None`` when nothing is queued).

    One conditional ``UPDATE … WHERE id = :id AND status = 'queued'``: when two workers race for
    the same row only one sees a row count of 1, on SQLite and PostgreSQL alike.

    Parameters
    ----------
    engine:
        Database.
    worker:
        A name for the worker (default ``host:pid:thread``).

    Returns
    -------
    The job as a dict (see :func:`get_job`) with status ``running``, or ``None``.

    Example
    -------
    >>> claim(engine)  # doctest: +SKIP
    """
    worker = worker or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    for _ in range(5):
        with engine.begin() as c:
            job_id = c.execute(
                select(_J.c.id).where(_J.c.status == "queued").order_by(_J.c.id).limit(1)
            ).scalar()
            if job_id is None:
                return None
            now = _now()
            won = c.execute(
                update(_J)
                .where(_J.c.id == job_id, _J.c.status == "queued")
                .values(
                    status="running",
                    worker=worker,
                    started_at=now,
                    heartbeat_at=now,
                    attempts=_J.c.attempts + 1,
                    progress=0.0,
                    step=None,
                    error=None,
                )
            ).rowcount
        if won == 1:
            return get_job(int(job_id), engine)
    return None


def _progress_writer(engine: Engine, job_id: int) -> Progress:
    last = [0.0]

    def report(step: str, fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < 1.0 and fraction < 1.0:
            return
        last[0] = now
        with engine.begin() as c:
            c.execute(
                update(_J)
                .where(_J.c.id == job_id)
                .values(
                    step=str(step)[:500],
                    progress=max(0.0, min(1.0, float(fraction))),
                    heartbeat_at=_now(),
                )
            )

    return report


def run_job(
    job: dict[str, Any], engine: Engine | None = None, also: Progress | None = None
) -> dict[str, Any]:
    """Run one claimed job to its end and store the outcome.

    A failure is caught and stored (``failed``, the error's message and the last frames of its
    traceback); it never propagates to the worker loop.

    Parameters
    ----------
    job:
        A job returned by :func:`claim`.
    engine:
        Database.
    also:
        A second progress callback (a terminal progress bar), called with every report.

    Returns
    -------
    The job after it ended (see :func:`get_job`).

    Example
    -------
    >>> run_job(claim(engine), engine)["status"]  # doctest: +SKIP
    'succeeded'
    """
    engine = engine or get_engine()
    _load_kinds()
    job_id = int(job["id"])
    fn = JOBS.get(str(job["kind"]))
    t0 = time.perf_counter()
    try:
        if fn is None:
            raise JiqunError(f"未知任务类型：{job['kind']}", f"unknown job kind: {job['kind']}")
        write = _progress_writer(engine, job_id)

        def report(step: str, fraction: float) -> None:
            write(step, fraction)
            if also is not None:
                also(step, fraction)

        summary = fn(engine, dict(job.get("params") or {}), report)
        summary = {**(summary or {}), "seconds": round(time.perf_counter() - t0, 1)}
        failed = summary.get("failed") or {}
        values: dict[str, Any] = {
            "status": "failed" if failed else "succeeded",
            "progress": 1.0,
            "step": "完成 done",
            "summary": json.dumps(summary, ensure_ascii=False, default=str),
        }
        if failed:  # a job that went on past failed parts says which (first 20)
            values["error"] = "\n".join(f"{k}: {v}" for k, v in list(failed.items())[:20])
    except Exception as exc:  # a job's failure is data for the admin, not a crash
        log.exception("job %s (%s) failed", job_id, job["kind"])
        frames = "".join(traceback.format_exception(exc)[-3:])
        message = exc.args[0] if isinstance(exc, JiqunError) and exc.args else str(exc)
        values = {"status": "failed", "error": f"{type(exc).__name__}: {message}\n{frames}"[:4000]}
    with engine.begin() as c:
        c.execute(
            update(_J)
            .where(_J.c.id == job_id)
            .values(**values, finished_at=_now(), heartbeat_at=_now())
        )
    return get_job(job_id, engine)


def run_pending(
    engine: Engine | None = None, *, max_jobs: int | None = None, worker: str | None = None
) -> list[dict[str, Any]]:
    """Run queued jobs in this thread until none is left (or ``max_jobs`` ran).

    Parameters
    ----------
    engine:
        Database.
    max_jobs:
        Stop after this many jobs.
    worker:
        The worker's name.

    Returns
    -------
    The jobs run, as they ended.

    Example
    -------
    >>> [j["status"] for j in run_pending(engine)]  # doctest: +SKIP
    ['succeeded']
    """
    engine = engine or get_engine()
    recover(engine)
    done: list[dict[str, Any]] = []
    while max_jobs is None or len(done) < max_jobs:
        job = claim(engine, worker)
        if job is None:
            break
        done.append(run_job(job, engine))
    return done


def recover(engine: Engine | None = None, stale_after: dt.timedelta = STALE_AFTER) -> int:
    """Mark running jobs whose worker stopped (no heartbeat for ``stale_after``) as failed.

    Returns
    -------
    int, the number of jobs marked.

    Example
    -------
    >>> recover(engine)  # doctest: +SKIP
    0
    """
    engine = engine or get_engine()
    with engine.begin() as c:
        return int(
            c.execute(
                update(_J)
                .where(_J.c.status == "running", _J.c.heartbeat_at < _now() - stale_after)
                .values(
                    status="failed",
                    finished_at=_now(),
                    error="工作进程已停止（无心跳）/ the worker stopped (no heartbeat)",
                )
            ).rowcount
        )


def retry(job_id: int, engine: Engine | None = None, created_by: str | None = None) -> int:
    """Queue a failed (or finished) job again with the same kind and parameters.

    Returns
    -------
    int, the id of the queued job.

    Raises
    ------
    NotFound
        No job with that id.
    JiqunError
        The job is still queued or running.

    Example
    -------
    >>> retry(3, engine)  # doctest: +SKIP
    8
    """
    engine = engine or get_engine()
    job = get_job(job_id, engine)
    if job["status"] in ("queued", "running"):
        raise JiqunError(
            f"任务 {job_id} 仍在{STATUS[job['status']][0]}，不能重试",
            f"job {job_id} is still {job['status']}; it cannot be retried",
        )
    return enqueue(
        str(job["kind"]),
        job.get("params") or {},
        engine=engine,
        created_by=created_by or f"retry:{job_id}",
        data_version=job.get("data_version"),
    )


def _row(r: Any) -> dict[str, Any]:
    d = dict(r)
    d["params"] = json.loads(d["params"]) if d.get("params") else {}
    d["summary"] = json.loads(d["summary"]) if d.get("summary") else None
    d["progress"] = float(d.get("progress") or 0.0)
    return d


def get_job(job_id: int, engine: Engine | None = None) -> dict[str, Any]:
    """One job as a dict (id, kind, params, status, data_version, created_at, created_by,
    started_at, heartbeat_at, finished_at, progress, step, error, summary, attempts, worker).

    Raises
    ------
    NotFound
        No job with that id.

    Example
    -------
    >>> get_job(1, engine)["status"]  # doctest: +SKIP
    'succeeded'
    """
    engine = engine or get_engine()
    with engine.connect() as c:
        r = c.execute(select(_J).where(_J.c.id == int(job_id))).mappings().first()
    if r is None:
        raise NotFound(f"没有任务 {job_id}", f"no job {job_id}")
    return _row(r)


def list_jobs(
    engine: Engine | None = None, *, status: str | None = None, limit: int = 50
) -> pd.DataFrame:
    """The newest jobs first (admin page, ``jiqun jobs list``, API).

    Parameters
    ----------
    engine:
        Database.
    status:
        Only jobs in this status.
    limit:
        Rows.

    Returns
    -------
    pandas.DataFrame with the columns of :func:`get_job` (params and summary as dicts).

    Example
    -------
    >>> list_jobs(engine, status="failed")  # doctest: +SKIP
    """
    engine = engine or get_engine()
    q = select(_J).order_by(_J.c.id.desc()).limit(max(1, min(int(limit), 1000)))
    if status:
        q = q.where(_J.c.status == status)
    with engine.connect() as c:
        rows = [_row(r) for r in c.execute(q).mappings()]
    return pd.DataFrame(rows, columns=[c.name for c in _J.columns])


def pending(engine: Engine | None = None, kind: str | None = None) -> dict[str, Any] | None:
    """The newest queued or running job (of ``kind``), or ``None``: what pages say is running."""
    engine = engine or get_engine()
    q = select(_J).where(_J.c.status.in_(("queued", "running"))).order_by(_J.c.id.desc()).limit(1)
    if kind:
        q = q.where(_J.c.kind == kind)
    with engine.connect() as c:
        r = c.execute(q).mappings().first()
    return None if r is None else _row(r)


def run_isolated(job: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """Run a claimed job in a child Python process and return it as it ended.

    The web server's worker does this so that a long computation neither holds the server's
    interpreter lock (pages stay fast during a refresh) nor keeps its memory: the child opens
    the same database (``JIQUN_DATABASE_URL``), runs :func:`run_job` and exits. A child that
    dies without ending the job leaves it ``running`` until :func:`recover` marks it failed.

    Example
    -------
    >>> run_isolated(claim(engine), engine)["status"]  # doctest: +SKIP
    'succeeded'
    """
    env = {
        **os.environ,
        "JIQUN_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "JIQUN_JOB_PARENT": str(os.getpid()),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "jiqun.services.jobs", str(int(job["id"]))],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        log.error("job %s child exited %s: %s", job["id"], proc.returncode, proc.stderr[-2000:])
        with engine.begin() as c:
            c.execute(
                update(_J)
                .where(_J.c.id == int(job["id"]), _J.c.status == "running")
                .values(
                    status="failed",
                    finished_at=_now(),
                    error=f"工作进程异常退出 / the job process exited ({proc.returncode}): "
                    f"{proc.stderr[-1500:]}",
                )
            )
    return get_job(int(job["id"]), engine)


def _loop(engine: Engine, poll: float, isolate: bool) -> None:
    name = f"{socket.gethostname()}:{os.getpid()}:worker"
    while not _STOP.is_set():
        try:
            recover(engine)
            while not _STOP.is_set():
                job = claim(engine, name)
                if job is None:
                    break
                (run_isolated if isolate else run_job)(job, engine)
        except Exception:  # the store may be briefly unavailable; never let the thread die
            log.exception("job worker loop")
        _WAKE.wait(poll)
        _WAKE.clear()


def start_worker(
    engine: Engine | None = None, poll: float = 2.0, isolate: bool = True
) -> threading.Thread:
    """Start the in-process worker thread for ``engine`` (once per engine and process).

    The web server calls this at start-up (``JIQUN_WORKER=0`` turns it off, e.g. when a separate
    ``jiqun jobs run`` process is the worker). A daemon thread: it ends with the process, and a
    job it was running is recovered as failed by the next worker.

    Parameters
    ----------
    engine:
        Database.
    poll:
        Seconds between looks at the queue (an :func:`enqueue` in this process wakes it at once).
    isolate:
        Run each job in a child process (:func:`run_isolated`; default), not in this thread.

    Returns
    -------
    threading.Thread

    Example
    -------
    >>> start_worker(engine)  # doctest: +SKIP
    """
    engine = engine or get_engine()
    _STOP.clear()
    t = _WORKERS.get(id(engine))
    if t is not None and t.is_alive():
        return t
    t = threading.Thread(target=_loop, args=(engine, poll, isolate), name="jiqun-jobs", daemon=True)
    _WORKERS[id(engine)] = t
    t.start()
    return t


def stop_worker(timeout: float = 5.0) -> None:
    """Ask every worker thread of this process to stop after its current job."""
    _STOP.set()
    _WAKE.set()
    for t in list(_WORKERS.values()):
        t.join(timeout)
    _WORKERS.clear()


def _end_with_parent(parent: int | None = None, every: float = 2.0) -> None:
    """Exit this job process when the server that started it is gone.

    A refresh of the full demo runs for half an hour; when the server is stopped (or killed)
    meanwhile, the child must not go on computing — and writing results — for a server that
    no longer exists. Its job stays ``running`` until the next worker's :func:`recover` marks it
    failed, as for any job process that dies. ``parent`` is the server's process id
    (:func:`run_isolated` passes it as ``JIQUN_JOB_PARENT``, so a server gone before this
    process got here is noticed too).
    """
    if parent is None:
        parent = int(os.environ.get("JIQUN_JOB_PARENT") or os.getppid())

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(4)
            time.sleep(every)

    threading.Thread(target=watch, name="jiqun-job-parent", daemon=True).start()


def _main(argv: list[str]) -> int:
    """``python -m jiqun.services.jobs JOB_ID``: run one claimed job (see :func:`run_isolated`)."""
    # run through the imported module, not this __main__ copy: the kinds register there
    from jiqun.services import jobs

    if hasattr(os, "nice"):
        os.nice(10)  # the pages the server answers meanwhile come first on a small machine
    _end_with_parent()
    engine = get_engine()
    job = jobs.run_job(jobs.get_job(int(argv[0]), engine), engine)
    return 0 if job["status"] in ("succeeded", "failed") else 3


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
