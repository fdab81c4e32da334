"""Shared fixtures.

Database tests use the ``engine`` fixture and are marked ``db`` automatically. By default each
gets a fresh SQLite file; with ``JIQUN_TEST_DATABASE_URL`` set (scripts/test does this for its
PostgreSQL pass) they run against that server, on a schema wiped before each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parents[1]


def shared_datasets() -> Path:
    """../shared/datasets relative to the project root (or $JIQUN_SHARED_DATASETS)."""
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    return Path(env) if env else ROOT.parent / "shared" / "datasets"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()) or "db_url" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty database for one test (SQLite file, or the PostgreSQL test server)."""
    url = os.environ.get("JIQUN_TEST_DATABASE_URL")
    if url:
        from sqlalchemy import create_engine

        eng = create_engine(url)
        with eng.begin() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
        yield url
    else:
        yield f"sqlite:///{tmp_path / 'jiqun-test.sqlite3'}"


@pytest.fixture
def engine(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated database with the reference data loaded; also the process default."""
    from jiqun.store.db import engine_for, make_engine, prepare

    monkeypatch.setenv("JIQUN_DATABASE_URL", db_url)
    engine_for.cache_clear()
    eng = make_engine(db_url)
    prepare(eng)
    yield eng
    eng.dispose()
    engine_for.cache_clear()


# Property tests must not make CI flaky: fixed example generation, no wall-clock deadlines on
# shared 2-core machines.
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("jiqun", derandomize=True, deadline=None, print_blob=True)
_hyp_settings.load_profile("jiqun")
