"""The refresh job (结果刷新): every national derived result of one data version, stored.

After each import commit and each demo build a ``refresh`` job is queued
(:func:`queue_refresh`); the worker (:mod:`jiqun.services.jobs`) runs :func:`refresh`, which
computes, through the very service functions the pages, the API and the CLI call (so under the
same keys of :func:`jiqun.services.cache.cached`), and stores:

1. the protected publication release (:func:`jiqun.services.release.build_release`), unless the
   present one is already of this data version;
2. the national results: overview and map points per tier, the cluster evaluation and its
   indicators, innovation resources, the matching index (kept on disk per data state);
3. for every cluster (national ones first): carriers, the diagnosis (default measure and level),
   the chain analysis of every chain template of the cluster's field, supply-chain hot spots, the
   digital index;
4. for every province and prefecture: profile, portfolio and positioning;
5. the invariant checks over what was stored (:mod:`jiqun.services.invariants`, when present).

A task that fails is reported (cluster, section, error) and the others go on; the version is
then marked ``failed`` — pages keep serving the previous complete version where this one has no
result, and the admin sees the job's error. Results of versions older than the two newest
complete ones are deleted at the end.

The tasks are plain calls of service functions with ``(engine, …)``: nothing here depends on
running in this process, so another engine (a later analytical back end) can run the same list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from jiqun.errors import JiqunError
from jiqun.services import jobs, results
from jiqun.services.cache import fresh_only, version_text, version_text_on

__all__ = [
    "ensure_current",
    "job_for",
    "jobs_for",
    "plan",
    "queue_refresh",
    "queue_refresh_for",
    "refresh",
    "results_state",
    "retry_for",
]

Task = tuple[str, Callable[[], Any]]


def _clusters(engine: Engine) -> list[dict[str, Any]]:
    from jiqun.services.directory import cluster_list

    cl = cluster_list(engine=engine)
    order = {"national": 0}
    rows = cl[["cluster_id", "tier", "field"]].to_dict("records")
    return sorted(rows, key=lambda r: (order.get(str(r["tier"]), 1), str(r["cluster_id"])))


def _templates_for(field: Any) -> list[str]:
    try:
        from jiqun.chains.templates import load_templates
    except ImportError:  # pragma: no cover - the chains package is optional
        return []
    ts = load_templates()
    fits = sorted(t.id for t in ts.values() if t.field == field)
    # pages open a cluster's chain section on the first template of its field, or the first
    # template of all when none fits (web/ui_clusters._chain_choices): store that one too
    return fits or sorted(ts)[:1]


def _regions(engine: Engine) -> list[str]:
    from jiqun.services.regions import region_index

    idx = region_index(engine)
    col = "code" if "code" in idx.columns else idx.columns[0]
    return [str(c) for c in idx[col]]


def _matching_shards(engine: Engine) -> int | None:
    """Build the matching shards of the current lake version when a lake is read (else nothing).

    Returns the number of firms filed, or ``None`` without a current lake.

    Example
    -------
    >>> _matching_shards(engine)  # doctest: +SKIP
    200000
    """
    from jiqun.services import lake
    from jiqun.services.matching.index_cache import firm_shards

    with lake.reading(engine) as eng:
        if eng is None:
            return None
        return sum(firm_shards(eng).rows.values())


def plan(engine: Engine) -> list[Task]:
    """The tasks of one refresh, in order (label, zero-argument call).

    Example
    -------
    >>> [label for label, _ in plan(engine)][:2]  # doctest: +SKIP
    ['公开数据版本 release', '全国概览 overview national']
    """
    from jiqun.services import policy
    from jiqun.services.chains import chain_analysis
    from jiqun.services.diagnosis import diagnose_cluster
    from jiqun.services.digital.index import cluster_index
    from jiqun.services.directory import cluster_carriers
    from jiqun.services.innovation import innovation_resources
    from jiqun.services.matching.index_cache import load_index
    from jiqun.services.overview import national_overview
    from jiqun.services.regions import (
        region_portfolio,
        region_positioning,
        region_profile,
    )
    from jiqun.services.release import build_release, current_release
    from jiqun.services.resilience import cluster_hot_spots

    def release() -> Any:
        rel = current_release(engine)
        return rel if rel is not None and rel["current"] else build_release(engine)

    tasks: list[Task] = [("公开数据版本 release", release)]
    for tier in ("national", "sme_characteristic"):
        tasks.append((f"概览 overview {tier}", partial(national_overview, engine, tier=tier)))
    tasks.append(("集群评估 evaluation", partial(policy.evaluate_stored_clusters, engine)))
    # the supplier/partner search index (kept on disk beside the database, per data state)
    tasks.append(("匹配索引 matching index", partial(load_index, engine=engine)))
    # with a lake in use, the searches read the matching shards of its version: build them here
    # so that no search after an import pays for them
    tasks.append(("匹配分片 matching shards", partial(_matching_shards, engine)))
    tasks.append(("创新资源 innovation", partial(innovation_resources, engine)))
    tasks.append(
        (
            "创新资源 innovation 2021–2022",
            partial(innovation_resources, engine, batches=(2021, 2022)),
        )
    )
    for c in _clusters(engine):
        cid = str(c["cluster_id"])
        tasks.append((f"{cid} 载体 carriers", partial(cluster_carriers, cid, engine)))
        tasks.append((f"{cid} 诊断 diagnosis", partial(diagnose_cluster, cid, engine)))
        for ch in _templates_for(c["field"]):
            chain = partial(chain_analysis, None, ch, cluster=cid, engine=engine, cache=True)
            tasks.append((f"{cid} 产业链 chain {ch}", chain))
        tasks.append((f"{cid} 热点 hot spots", partial(cluster_hot_spots, cid, engine)))
        tasks.append(
            (f"{cid} 数字化指数 digital index", partial(cluster_index, cid, engine=engine))
        )
    for code in _regions(engine):
        tasks.append((f"{code} 地区 region", partial(region_profile, code, engine)))
        tasks.append((f"{code} 产业 portfolio", partial(region_portfolio, code, engine)))
        tasks.append((f"{code} 定位 positioning", partial(region_positioning, code, engine)))
    return tasks


def _violations(engine: Engine) -> int | None:
    try:
        from jiqun.services import invariants
    except ImportError:
        return None
    # every cluster × fitting template, over the stored results; the regions' chain checks
    # (≈100 more chain analyses on a national registry) run in benchmarks/check_invariants.py
    found = invariants.check_all(engine, regions=())
    return int((found["severity"] == "violation").sum()) if len(found) else 0


@jobs.register("refresh")
def refresh(engine: Engine, params: dict[str, Any], progress: jobs.Progress) -> dict[str, Any]:
    """Compute and store every national derived result of the present data version.

    Parameters
    ----------
    engine:
        Database.
    params:
        ``{"only": [label prefixes]}`` to run a subset (tests, a quick look); default all.
    progress:
        ``(step, fraction)`` callback (the job's progress).

    Returns
    -------
    dict: ``data_version``, ``tasks``, ``failed`` (label → error), ``results`` stored,
    ``violations`` (invariant violations, ``None`` when the checks are not installed),
    ``seconds_by_kind``.

    A task that raised an unexpected error is in ``failed`` (the job then ends ``failed``
    and the version is marked failed); a :class:`~jiqun.errors.JiqunError` (a cluster without
    member regions, a cluster without supply links …) is the stored answer itself
    (:func:`jiqun.services.cache.cached` keeps refusals), not a failure.

    Example
    -------
    >>> refresh(engine, {}, lambda s, f: None)["failed"]  # doctest: +SKIP
    {}
    """
    version = version_text(engine)
    job = jobs.pending(engine, kind="refresh")
    only = tuple(params.get("only") or ())
    if not only:  # a partial run stores results but does not vouch for the whole version
        results.begin_version(engine, version, None if job is None else int(job["id"]))
    failed: dict[str, str] = {}
    timing: dict[str, float] = {}
    with fresh_only():
        tasks = [t for t in plan(engine) if not only or t[0].startswith(only)]
        for i, (label, call) in enumerate(tasks):
            progress(label, i / max(1, len(tasks)))
            t0 = time.perf_counter()
            try:
                call()
            except JiqunError:
                pass  # the answer for this cluster/region is that refusal; it is stored
            except Exception as exc:
                failed[label] = f"{type(exc).__name__}: {exc}"[:500]
            kind = label.split(" ", 1)[-1].split(" ")[0]
            timing[kind] = timing.get(kind, 0.0) + time.perf_counter() - t0
        progress("检查一致性 checking invariants", 0.99)
        violations = _violations(engine) if not only else None
    if version_text(engine) != version:
        # data changed under us: these results are of the old version; the next refresh runs
        failed["data"] = "数据在刷新期间发生变化 / the data changed during the refresh"
    if not only:
        results.end_version(
            engine,
            version,
            ok=not failed,
            error="\n".join(f"{k}: {v}" for k, v in list(failed.items())[:20]) or None,
            violations=violations,
        )
        results.prune(engine)
    summary = {
        "data_version": version,
        "tasks": len(tasks),
        "failed": failed,
        "violations": violations,
        "seconds_by_kind": {k: round(v, 1) for k, v in sorted(timing.items())},
    }
    return summary


def ensure_current(engine: Engine) -> int | None:
    """Queue a refresh when the present data version has no complete results, none is queued
    or running, and the database holds data (a server started on a database written by an older
    release, or after a reference update): the job id, or ``None`` when nothing was needed.

    Example
    -------
    >>> ensure_current(engine)  # doctest: +SKIP
    """
    from sqlalchemy import func, select

    from jiqun.store.models import ImportRun, table_of

    st = results.status(engine)
    if st["current"] or st["refreshing"] or st["failed"]:
        return None
    with engine.connect() as c:
        if not c.execute(select(func.count()).select_from(table_of(ImportRun))).scalar():
            return None
    return queue_refresh(engine, created_by="server-start")


def queue_refresh(
    engine: Engine, created_by: str | None = None, conn: Connection | None = None
) -> int:
    """Queue the refresh of the present data version (once), and mark that version as being
    refreshed so readers get the previous version meanwhile.

    Parameters
    ----------
    engine:
        Database.
    created_by:
        Who asked (``import:<id>`` …).
    conn:
        The open transaction that writes the new data (an import): the job is then committed
        with the data, so no reader ever sees the new data version without a refresh queued
        (it would compute the results in its request instead of serving the previous version).

    Returns
    -------
    int, the job id.

    Example
    -------
    >>> queue_refresh(engine, "import:12")  # doctest: +SKIP
    4
    """
    version = version_text(engine) if conn is None else version_text_on(conn)
    return jobs.enqueue(
        "refresh", {}, engine=engine, created_by=created_by, data_version=version, conn=conn
    )


# --- what the interfaces call (admin page, REST API): decide, audit, return ---------------------


def results_state(principal: Any, engine: Engine) -> dict[str, Any]:
    """The state of the materialised results for a page banner or the API.

    Everyone learns whether the figures are of the present data and, if not, of which date and
    whether a refresh runs; only an admin also gets the error and the invariant count.

    Example
    -------
    >>> results_state(PUBLIC, engine)["current"]  # doctest: +SKIP
    True
    """
    st = results.status(engine)
    out = {k: st[k] for k in ("current", "served_at", "refreshing", "progress")}
    out["served"] = st["served"] is not None
    if getattr(principal, "role", None) == "admin":
        out |= {k: st[k] for k in ("version", "failed", "error", "violations", "step")}
    return out


def jobs_for(
    principal: Any, engine: Engine, status: str | None = None, limit: int = 50
) -> pd.DataFrame:
    """The job list for the admin (403 for anyone else)."""
    from jiqun.services import access

    access.require_role(principal, "admin")
    jobs.recover(engine)
    return jobs.list_jobs(engine, status=status, limit=limit)


def job_for(principal: Any, job_id: int, engine: Engine) -> dict[str, Any]:
    """One job for the admin (403 for anyone else; 404 for an unknown id)."""
    from jiqun.services import access

    access.require_role(principal, "admin")
    return jobs.get_job(job_id, engine)


def retry_for(principal: Any, job_id: int, engine: Engine, client: str | None = None) -> int:
    """Queue a finished job again, for the admin; audited (``retry_job``)."""
    from jiqun.services import access

    access.require_role(principal, "admin")
    new = jobs.retry(job_id, engine, created_by=f"user:{principal.username}")
    access.audit(
        principal,
        "retry_job",
        f"job:{job_id}",
        detail={"new_job": new},
        client=client,
        engine=engine,
    )
    return new


def queue_refresh_for(principal: Any, engine: Engine, client: str | None = None) -> int:
    """Queue the refresh of the present data version, for the admin; audited."""
    from jiqun.services import access

    access.require_role(principal, "admin")
    new = queue_refresh(engine, created_by=f"user:{principal.username}")
    access.audit(principal, "queue_refresh", f"job:{new}", client=client, engine=engine)
    return new
