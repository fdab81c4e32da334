"""The analytical engine under test: every test that takes ``analytical`` runs on DuckDB and again
on Spark local (one SparkSession for the session; skipped with the reason when Java is absent,
and in the PostgreSQL pass of scripts/test, whose store-side differences DuckDB already covers)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

ENGINES = ("duckdb", "spark-local")


def _java_problem() -> str | None:
    java = shutil.which("java")
    if java is None:
        return "java is not installed (scripts/test installs openjdk-17-jre-headless)"
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    text = out.stderr + out.stdout
    if '"1.8' in text or 'version "11' in text:
        return f"Spark 4 needs Java 17 or later: {text.splitlines()[0]}"
    return None


@pytest.fixture(scope="session", params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    """``duckdb`` or ``spark-local``."""
    kind: str = request.param
    if kind == "spark-local":
        problem = _java_problem()
        if problem:
            pytest.skip(problem)
        if os.environ.get("JIQUN_TEST_DATABASE_URL"):
            # the PostgreSQL pass checks the store's SQL against the lake on DuckDB; what Spark
            # computes does not depend on the store's dialect, and the SQLite pass runs it once
            pytest.skip("Spark local runs in the SQLite pass only")
    return kind


@pytest.fixture
def analytical(engine_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """An analytical engine of ``engine_kind`` on an empty lake in ``tmp_path``."""
    from jiqun.engine import connect

    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path / "data"))
    kw = {"database": ":memory:"} if engine_kind == "duckdb" else {}
    eng = connect(engine_kind, lake=tmp_path / "lake", **kw)
    yield eng
    eng.close()


@pytest.fixture
def lake_env(engine_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The services use a lake on ``engine_kind`` in ``tmp_path`` (none until synced).

    The lake's place follows the data dir (``JIQUN_LAKE_DIR`` unset), so every test has its own.
    Returns ``engine_kind``.
    """
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIQUN_ENGINE", engine_kind)
    monkeypatch.delenv("JIQUN_LAKE_DIR", raising=False)
    return engine_kind


@pytest.fixture
def sync_lake(lake_env: str) -> Callable[[Engine], None]:
    """A function that brings the lake of ``lake_env`` up to the store and drops the cached
    results, so that the next service call answers from the lake (as after ``jiqun lake sync``)."""
    from jiqun.services import cache, lake

    def sync(engine: Engine) -> None:
        lake.sync(engine, refresh=False)
        cache.clear(engine)

    return sync
