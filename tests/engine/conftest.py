"""The analytical engine under test: every test that takes ``analytical`` (or ``engine_kind``) runs
on DuckDB and again on Spark local (one SparkSession for the session; skipped with the reason when
Java is absent, and in the PostgreSQL pass of scripts/test, whose store-side differences DuckDB
already covers).

``JIQUN_TEST_ENGINES`` narrows the engine kinds (comma-separated; default both): scripts/test runs
its SQLite and PostgreSQL passes with ``duckdb`` and the Spark variants as a timed pass of their own
with ``spark-local``, which also deselects every test that does not run on an engine kind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

ENGINES = ("duckdb", "spark-local")


def _engines() -> tuple[str, ...]:
    """:data:`ENGINES`, or those ``JIQUN_TEST_ENGINES`` names."""
    wanted = [k.strip() for k in os.environ.get("JIQUN_TEST_ENGINES", "").split(",") if k.strip()]
    unknown = sorted(set(wanted) - set(ENGINES))
    if unknown:
        raise pytest.UsageError(f"JIQUN_TEST_ENGINES: unknown engine kind(s) {unknown}")
    return tuple(k for k in ENGINES if k in wanted) if wanted else ENGINES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With only Spark asked for, keep only the tests that run on an engine kind (the rest ran in
    the SQLite pass already)."""
    if _engines() != ("spark-local",):
        return
    keep = [i for i in items if "engine_kind" in getattr(i, "fixturenames", ())]
    if len(keep) < len(items):
        kept = {id(i) for i in keep}
        config.hook.pytest_deselected(items=[i for i in items if id(i) not in kept])
        items[:] = keep


def _java_problem() -> str | None:
    java = shutil.which("java")
    if java is None:
        return "java is not installed (scripts/test installs openjdk-17-jre-headless)"
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    text = out.stderr + out.stdout
    if '"1.8' in text or 'version "11' in text:
        return f"Spark 4 needs Java 17 or later: {text.splitlines()[0]}"
    return None


#: JVM options of the test session's Spark: the C1 compiler only. The tests run hundreds of small
#: queries on tiny data, so the JIT's own work dominates; the optimising C2 compiler competes for
#: the 2 cores and pays off only on long runs (the threshold cascade of test_cascade.py: 27 s with
#: C2, 17 s without). The product keeps the JVM's default (long jobs on big data).
SPARK_TEST_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def _start_spark(tmp: Path) -> None:
    """Start the session's one Spark JVM (with :data:`SPARK_TEST_JAVA_OPTIONS`) before any test
    connects: every later ``connect("spark-local")`` gets the same SparkSession."""
    # spark-submit's arguments reach the JVM only at its start; a caller's own setting wins
    os.environ.setdefault(
        "PYSPARK_SUBMIT_ARGS", f'--driver-java-options "{SPARK_TEST_JAVA_OPTIONS}" pyspark-shell'
    )
    from jiqun.engine import connect

    with pytest.MonkeyPatch.context() as mp:
        # the warehouse (a static setting of the JVM) goes to the session's folder, not the user's
        mp.setenv("JIQUN_DATA_DIR", str(tmp / "data"))
        connect("spark-local", lake=tmp / "lake").close()


@pytest.fixture(scope="session", params=_engines())
def engine_kind(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """``duckdb`` or ``spark-local`` (the JVM started once, here)."""
    kind: str = request.param
    if kind == "spark-local":
        problem = _java_problem()
        if problem:
            pytest.skip(problem)
        if os.environ.get("JIQUN_TEST_DATABASE_URL"):
            # the PostgreSQL pass checks the store's SQL against the lake on DuckDB; what Spark
            # computes does not depend on the store's dialect, and the SQLite pass runs it once
            pytest.skip("Spark local runs in the SQLite pass only")
        _start_spark(tmp_path_factory.mktemp("spark"))
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
def buyer_in(demo_engine: Engine) -> Callable[[str], str]:
    """A function giving the first firm (lowest credit code) of a region code prefix of the demo
    database: the buyer of the tests' needs."""

    def first(region: str) -> str:
        with demo_engine.connect() as c:
            return str(
                c.execute(
                    text("SELECT MIN(uscc) FROM enterprises WHERE region_code LIKE :r"),
                    {"r": region + "%"},
                ).scalar()
            )

    return first


@pytest.fixture
def sync_lake(lake_env: str) -> Callable[[Engine], None]:
    """A function that brings the lake of ``lake_env`` up to the store and drops the cached
    results, so that the next service call answers from the lake (as after ``jiqun lake sync``)."""
    from jiqun.services import cache, lake

    def sync(engine: Engine) -> None:
        lake.sync(engine, refresh=False)
        cache.clear(engine)

    return sync
