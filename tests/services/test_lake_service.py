"""The lake service on the small demo: sync, record, no-op when current, the data version, a
sync that fails or is killed half-way (the previous version stays readable and current), and
imports queueing the sync ahead of the refresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update

from jiqun.engine import lake as lakefiles
from jiqun.services import cache, jobs, lake
from jiqun.services.imports import import_file
from jiqun.store.models import Job, table_of

pytestmark = pytest.mark.engine
FILES = Path(__file__).resolve().parents[1] / "data" / "files"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory (DuckDB engine, lake inside it) for one test."""
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIQUN_ENGINE", "duckdb")
    monkeypatch.delenv("JIQUN_LAKE_DIR", raising=False)
    return tmp_path / "data" / "lake"


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() or 0)


def _kinds(engine: Engine) -> list[str]:
    j = table_of(Job)
    with engine.connect() as c:
        return [
            str(k)
            for k in c.execute(
                select(j.c.kind).where(j.c.status == "queued").order_by(j.c.id)
            ).scalars()
        ]


def test_sync_publishes_a_version_equal_to_the_store(demo_engine: Engine, lake_env: Path) -> None:
    assert lake.current(demo_engine) is None and not lake.in_use(demo_engine)
    before = cache.data_version(demo_engine)
    out = lake.sync(demo_engine)
    assert out["published"] and out["version"] == 1
    assert (lake_env / "v000001" / "_manifest.json").exists()
    cur = lake.current(demo_engine)
    assert cur is not None and cur["status"] == "current" and lake.is_fresh(demo_engine)
    # the cache keys on the lake version, and the refresh is queued for the new data version
    assert cache.data_version(demo_engine) == (*before, 1)
    assert "refresh" in _kinds(demo_engine)

    eng = lake.engine_for(demo_engine)
    try:
        for table in ("enterprises", "supply_links", "region_stats"):
            assert eng.scalar(eng.table(table).count()) == _count(demo_engine, table), table
        assert out["tables"]["firm_years"] == _count(demo_engine, "enterprises")
        ent = eng.table("enterprises")
        # every firm has a distinct integer id
        assert eng.scalar(ent.firm_id.nunique()) == _count(demo_engine, "enterprises")
        with demo_engine.connect() as c:
            revenue = c.execute(text("SELECT SUM(revenue) FROM enterprises")).scalar()
        assert eng.scalar(ent.revenue.sum()) == pytest.approx(revenue, rel=1e-12)
    finally:
        eng.close()

    again = lake.sync(demo_engine)
    assert not again["published"] and again["version"] == 1  # nothing changed in the store
    st = lake.status(demo_engine)
    assert st["fresh"] and st["on_disk"] == [1] and st["current"]["version"] == 1


def test_a_failed_sync_leaves_the_previous_version_current(
    demo_engine: Engine, lake_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake.sync(demo_engine)
    real = lakefiles.build

    def half(engine, building, staged, **kw):  # type: ignore[no-untyped-def]
        real(engine, building, staged, **kw)  # every table written, then the failure
        raise RuntimeError("disk full")

    monkeypatch.setattr(lakefiles, "build", half)
    with pytest.raises(RuntimeError, match="disk full"):
        lake.sync(demo_engine, force=True)
    assert lake.current(demo_engine)["version"] == 1
    assert [p.name for p in lake_env.glob(".building-*")]  # the half-written folder, unread
    eng = lake.engine_for(demo_engine)
    try:
        assert eng.version == 1
        assert eng.scalar(eng.table("enterprises").count()) == _count(demo_engine, "enterprises")
    finally:
        eng.close()

    monkeypatch.setattr(lakefiles, "build", real)
    out = lake.sync(demo_engine, force=True)
    assert out["version"] == 2 and not list(lake_env.glob(".building-*"))
    assert lakefiles.versions_on_disk(lake_env) == [1, 2]


CHILD = """
import os, signal, sys
from jiqun.engine import lake as lakefiles
from jiqun.services import lake
from jiqun.store.db import make_engine

real_write = lakefiles.Engine.write
def write(self, expr, name, partition_by=(), *, into):
    out = real_write(self, expr, name, partition_by, into=into)
    if name == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)  # killed half-way through the version
    return out
lakefiles.Engine.write = write
if sys.argv[2] == "publish":
    real_publish = lakefiles.publish
    def publish(*a, **k):
        out = real_publish(*a, **k)
        os.kill(os.getpid(), signal.SIGKILL)  # renamed, never recorded
    lakefiles.publish = publish
lake.sync(make_engine(sys.argv[1]), force=True)
"""


@pytest.mark.parametrize("where", ["enterprises", "publish"])
def test_a_killed_sync_leaves_the_previous_version_readable_and_current(
    demo_engine: Engine, lake_env: Path, where: str
) -> None:
    lake.sync(demo_engine)
    url = demo_engine.url.render_as_string(hide_password=False)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, url, where], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert lake.current(demo_engine)["version"] == 1
    eng = lake.engine_for(demo_engine)
    try:
        assert eng.scalar(eng.table("supply_links").count()) == _count(demo_engine, "supply_links")
    finally:
        eng.close()
    # the next sync clears what the killed one left and publishes after it
    out = lake.sync(demo_engine, force=True)
    assert out["published"] and lake.current(demo_engine)["version"] == out["version"]
    assert not list(lake_env.glob(".building-*"))
    assert lakefiles.versions_on_disk(lake_env) == [1, out["version"]]


def test_imports_queue_the_sync_before_the_refresh(engine: Engine, lake_env: Path) -> None:
    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    assert "lake-sync" not in _kinds(engine)  # no lake yet: nothing to keep in step
    lake.sync(engine, refresh=False)
    with engine.begin() as c:  # the worker ran the first import's refresh
        c.execute(update(table_of(Job)).values(status="succeeded"))
    import_file(FILES / "region_stats_long.csv", "region-stats", engine=engine)
    assert not lake.is_fresh(engine)  # committed, not yet synced
    kinds = _kinds(engine)
    assert kinds.index("lake-sync") < kinds.index("refresh")
    done = jobs.run_pending(engine, max_jobs=1)
    assert done[0]["kind"] == "lake-sync" and done[0]["status"] == "succeeded", done[0]["error"]
    assert lake.is_fresh(engine) and lake.current(engine)["version"] == 2
    assert _kinds(engine) == ["refresh"]  # and the refresh, queued after it, reads version 2
