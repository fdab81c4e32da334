"""Background jobs and materialised results (jiqun.services.jobs / results / refresh / cache)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from jiqun.errors import JiqunError, NotFound
from jiqun.services import cache, jobs, results
from jiqun.store.models import Job, StoredResult, table_of

pytestmark = pytest.mark.db
J = table_of(Job)
R = table_of(StoredResult)


@jobs.register("test-ok")
def _ok(engine: Engine, params: dict, progress: jobs.Progress) -> dict:
    progress("half", 0.5)
    return {"echo": params.get("x")}


@jobs.register("test-boom")
def _boom(engine: Engine, params: dict, progress: jobs.Progress) -> dict:
    raise RuntimeError("kaputt")


@jobs.register("test-partial")
def _partial(engine: Engine, params: dict, progress: jobs.Progress) -> dict:
    return {"failed": {"NC-1 diagnosis": "ValueError: bad"}, "done": 3}


def test_enqueue_once_claim_once_and_run(engine: Engine) -> None:
    a = jobs.enqueue("test-ok", {"x": 1}, engine=engine, created_by="t")
    assert jobs.enqueue("test-ok", {"x": 1}, engine=engine) == a  # the same queued job
    b = jobs.enqueue("test-ok", {"x": 2}, engine=engine)
    assert b != a
    first = jobs.claim(engine, "w1")
    second = jobs.claim(engine, "w2")
    third = jobs.claim(engine, "w3")
    assert first is not None and second is not None and third is None
    assert {first["id"], second["id"]} == {a, b}
    assert first["status"] == "running" and first["attempts"] == 1
    done = jobs.run_job(first, engine)
    assert done["status"] == "succeeded" and done["progress"] == 1.0
    assert done["summary"]["echo"] == first["params"]["x"]


def test_a_failure_is_stored_not_raised(engine: Engine) -> None:
    jobs.enqueue("test-boom", engine=engine)
    [job] = jobs.run_pending(engine)
    assert job["status"] == "failed"
    assert "RuntimeError: kaputt" in job["error"]
    jobs.enqueue("test-partial", engine=engine)
    [job] = jobs.run_pending(engine)
    assert job["status"] == "failed" and "NC-1 diagnosis" in job["error"]
    assert job["summary"]["done"] == 3  # the summary of a partly failed job is kept


def test_unknown_kind_refused(engine: Engine) -> None:
    with pytest.raises(JiqunError):
        jobs.enqueue("no-such-kind", engine=engine)


def test_stale_running_job_recovered_and_retried(engine: Engine) -> None:
    a = jobs.enqueue("test-ok", engine=engine)
    assert jobs.claim(engine) is not None
    with pytest.raises(JiqunError):  # still running
        jobs.retry(a, engine)
    assert jobs.recover(engine) == 0  # its heartbeat is fresh
    with engine.begin() as c:
        c.execute(update(J).values(heartbeat_at=dt.datetime(2000, 1, 1)))
    assert jobs.recover(engine) == 1
    assert jobs.get_job(a, engine)["status"] == "failed"
    again = jobs.retry(a, engine)
    assert again != a and jobs.get_job(again, engine)["status"] == "queued"
    with pytest.raises(NotFound):
        jobs.get_job(10_000, engine)


def _stored(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(R)).scalar() or 0)


def test_cached_results_are_stored_and_read_back_by_another_process(engine: Engine) -> None:
    calls: list[int] = []

    def compute() -> dict:
        calls.append(1)
        return {"v": 42}

    assert cache.cached(engine, ("test-family", "a"), compute) == {"v": 42}
    assert _stored(engine) == 1
    cache.clear(engine)  # a new process: nothing in memory

    def fail() -> dict:
        raise AssertionError("must not recompute")

    assert cache.cached(engine, ("test-family", "a"), fail) == {"v": 42}
    assert calls == [1]


def test_refusal_is_an_answer_stored_and_raised_again(engine: Engine) -> None:
    def refuse() -> None:
        raise NotFound("没有这个集群", "no such cluster")

    with pytest.raises(NotFound):
        cache.cached(engine, ("test-refusal", "x"), refuse)
    cache.clear(engine)
    with pytest.raises(NotFound) as err:
        cache.cached(engine, ("test-refusal", "x"), lambda: {"never": True})
    assert err.value.message_en == "no such cluster" and err.value.status == 404


def test_previous_version_served_while_refresh_pending(engine: Engine) -> None:
    v1 = cache.version_text(engine)
    results.begin_version(engine, v1, None)
    cache.cached(engine, ("test-stale", 1), lambda: "old answer")
    results.end_version(engine, v1, ok=True)
    cache.bump(engine)  # the data changed ...
    jobs.enqueue("refresh", engine=engine)  # ... and its refresh is queued
    cache.clear(engine)

    def fresh() -> str:
        return "new answer"

    assert cache.cached(engine, ("test-stale", 1), fresh) == "old answer"
    served = cache.last_served()
    assert served is not None and served[0] == v1
    st = results.status(engine)
    assert st["refreshing"] and not st["current"] and st["served"] == v1
    with cache.fresh_only():  # the refresh itself computes
        assert cache.cached(engine, ("test-stale", 1), fresh) == "new answer"
    # once stored for the present version, everyone gets the new answer
    assert cache.cached(engine, ("test-stale", 1), lambda: "x") == "new answer"


def test_failed_refresh_keeps_previous_version(engine: Engine) -> None:
    v1 = cache.version_text(engine)
    results.begin_version(engine, v1, None)
    cache.cached(engine, ("test-fail", 1), lambda: "v1")
    results.end_version(engine, v1, ok=True)
    cache.bump(engine)
    v2 = cache.version_text(engine)
    results.begin_version(engine, v2, None)
    results.end_version(engine, v2, ok=False, error="boom")
    cache.clear(engine)
    assert cache.cached(engine, ("test-fail", 1), lambda: "v2") == "v1"
    st = results.status(engine)
    assert st["failed"] and st["error"] == "boom" and st["served"] == v1


def test_domain_bump_invalidates_only_dependants(engine: Engine) -> None:
    n: list[str] = []

    @cache.materialised("test-domain", depends=("digital",))
    def index(cluster: str, engine: Engine | None = None) -> int:
        n.append(cluster)
        return len(n)

    @cache.materialised("test-plain")
    def plain(cluster: str, engine: Engine | None = None) -> int:
        n.append("plain")
        return 0

    assert index("A", engine) == 1 and index("A", engine=engine) == 1
    plain("A", engine)
    version = cache.data_version(engine)
    cache.bump(engine, "digital")
    assert cache.data_version(engine) == version  # the data version itself is unchanged
    assert index("A", engine) == 3  # recomputed
    plain("A", engine)
    assert n.count("plain") == 1  # not recomputed


def test_refresh_subset_stores_what_pages_read(demo_engine: Engine) -> None:
    from jiqun.services.diagnosis import diagnose_cluster
    from jiqun.services.overview import national_overview
    from jiqun.services.refresh import plan, refresh

    labels = [label for label, _ in plan(demo_engine)]
    assert labels[0].startswith("公开数据版本") and any("NC2021-01 诊断" in x for x in labels)
    summary = refresh(
        demo_engine, {"only": ["概览 overview national", "NC2021-01"]}, lambda *_: None
    )
    assert summary["failed"] == {} and summary["tasks"] >= 5
    with demo_engine.connect() as c:
        fams = {r[0] for r in c.execute(select(R.c.family).distinct())}
    assert {"overview", "diagnosis", "chain_report", "hot-spots", "carriers"} <= fams
    cache.clear(demo_engine)
    # the page's call reads the stored object: the same numbers, no recomputation
    stored = diagnose_cluster("NC2021-01", engine=demo_engine)
    fresh = diagnose_cluster.compute("NC2021-01", demo_engine)  # type: ignore[attr-defined]
    assert stored is not fresh and stored.basis == fresh.basis
    for name, table in fresh.tables.items():
        pd.testing.assert_frame_equal(stored.tables[name], table)
    over = national_overview.compute(demo_engine)  # type: ignore[attr-defined]
    assert national_overview(demo_engine).totals == over.totals


def test_refresh_whole_version_marks_it_complete(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.services import refresh as refresh_mod

    real = refresh_mod.plan
    monkeypatch.setattr(
        refresh_mod, "plan", lambda e: [t for t in real(e) if t[0].startswith("概览")]
    )
    # the invariant checks would compute every cluster's chain analyses here (the slowest part
    # of this file); tests/services/test_invariants.py runs them on the same demo. What this
    # test needs of them is that their count is stored with the version.
    monkeypatch.setattr(refresh_mod, "_violations", lambda e: 3)
    jobs.enqueue("refresh", engine=demo_engine)
    [job] = jobs.run_pending(demo_engine)
    assert job["status"] == "succeeded", job["error"]
    assert job["summary"]["violations"] == 3
    st = results.status(demo_engine)
    assert st["current"] and not st["refreshing"] and st["served_at"]
    assert st["violations"] == 3


def test_cli_jobs(engine: Engine) -> None:
    from jiqun.cli.app import app

    runner = CliRunner()
    a = jobs.enqueue("test-boom", engine=engine)
    out = runner.invoke(app, ["jobs", "run"])
    assert out.exit_code == 1
    out = runner.invoke(app, ["jobs", "list"])
    assert out.exit_code == 0 and "test-boom" in out.output and "失败" in out.output
    out = runner.invoke(app, ["jobs", "status", str(a)])
    assert out.exit_code == 0 and "kaputt" in out.output
    out = runner.invoke(app, ["jobs", "retry", str(a)])
    assert out.exit_code == 0
    assert jobs.list_jobs(engine, status="queued")["kind"].tolist() == ["test-boom"]
    out = runner.invoke(app, ["jobs", "status", "999"])
    assert out.exit_code != 0


def test_worker_runs_a_job_in_a_child_process(engine: Engine) -> None:
    job_id = jobs.enqueue("refresh", {"only": ["概览 overview national"]}, engine=engine)
    job = jobs.claim(engine, "test")
    assert job is not None and job["id"] == job_id
    done = jobs.run_isolated(job, engine)
    assert done["status"] == "succeeded", done["error"]
    assert done["worker"] == "test" and done["summary"]["tasks"] == 1


def test_worker_thread_picks_up_queued_jobs(engine: Engine) -> None:
    jobs.enqueue("test-ok", {"x": 5}, engine=engine)
    jobs.start_worker(engine, poll=0.1, isolate=False)
    try:
        for _ in range(100):
            j = jobs.list_jobs(engine)
            if j["status"].iloc[0] == "succeeded":
                break
            time.sleep(0.1)
        assert j["status"].iloc[0] == "succeeded"
    finally:
        jobs.stop_worker()


def test_server_start_queues_a_refresh_only_when_needed(
    engine: Engine, demo_engine: Engine
) -> None:
    from jiqun.services.refresh import ensure_current

    assert ensure_current(engine) is None  # no data: nothing to compute
    with demo_engine.begin() as c:
        c.execute(J.delete())  # a database written by an older release: no job, no results
    job = ensure_current(demo_engine)
    assert job is not None and jobs.get_job(job, demo_engine)["created_by"] == "server-start"
    assert ensure_current(demo_engine) is None  # already queued


def test_new_reference_rows_change_the_data_version(demo_engine: Engine) -> None:
    from jiqun.store.db import seed_reference
    from jiqun.store.models import Cluster, ClusterRegion

    before = cache.data_version(demo_engine)
    with demo_engine.begin() as c:
        c.execute(
            table_of(ClusterRegion)
            .delete()
            .where(table_of(ClusterRegion).c.cluster_id == "NC2021-01")
        )
        c.execute(table_of(Cluster).delete().where(table_of(Cluster).c.cluster_id == "NC2021-01"))
    seed_reference(demo_engine, force=True)
    assert cache.data_version(demo_engine) != before


def test_an_import_commits_its_refresh_job_with_its_data(
    engine: Engine, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No reader may see the new data version without a refresh queued: it would compute the
    national results in its request instead of serving the previous version (a page took 105 s
    under load when a request arrived between the import's commit and a later enqueue)."""
    from pathlib import Path

    from jiqun.services import imports

    files = Path(__file__).resolve().parents[1] / "data" / "files"
    seen: list[tuple[bool, int]] = []

    def report_writer(result: Any, path: Any) -> None:  # runs right after the commit
        v = cache.version_text(engine)
        with engine.connect() as c:
            queued = c.execute(
                select(func.count()).select_from(J).where(J.c.kind == "refresh")
            ).scalar()
        seen.append((results.refreshing(engine, v), int(queued or 0)))

    monkeypatch.setattr(imports, "write_report", report_writer)
    res = imports.import_file(
        files / "enterprises_clean.csv", "enterprises", engine=engine, report=tmp_path / "r.csv"
    )
    assert res.status == "committed"
    assert seen == [(True, 1)]
    # the job is the one the admin sees, for the new data version
    with engine.connect() as c:
        job = c.execute(select(J.c.data_version, J.c.created_by).where(J.c.kind == "refresh")).one()
    assert job[0] == cache.version_text(engine) and str(job[1]).startswith("import:")


def test_a_rejected_import_queues_nothing(engine: Engine, tmp_path: Any) -> None:
    from pathlib import Path

    from jiqun.services import imports

    src = Path(__file__).resolve().parents[1] / "data" / "files" / "enterprises_clean.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    # one row with a broken credit code: the whole file is refused (all or nothing)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], "X" + lines[1][1:], *lines[2:]]) + "\n", encoding="utf-8")
    res = imports.import_file(bad, "enterprises", engine=engine)
    assert res.status == "rejected"
    with engine.connect() as c:
        assert not c.execute(select(func.count()).select_from(J)).scalar()


def test_a_job_process_ends_when_its_server_is_gone() -> None:
    """The refresh child of a stopped server must not go on computing for half an hour."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    job = (
        "from jiqun.services import jobs; jobs._end_with_parent(every=0.1); "
        "import time; time.sleep(60)"
    )
    server = (
        "import os, subprocess, sys, time; "
        "env = {**os.environ, 'JIQUN_JOB_PARENT': str(os.getpid())}; "
        f"p = subprocess.Popen([sys.executable, '-c', {job!r}], env=env); "
        "print(p.pid, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", server], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())

    def alive(pid: int) -> bool:
        status = Path(f"/proc/{pid}/status")
        try:
            return "\nState:\tZ" not in status.read_text()
        except FileNotFoundError:
            return False

    try:
        time.sleep(0.5)
        assert alive(child)  # running while its server runs
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 30  # the child may still be importing
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(child)
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)
