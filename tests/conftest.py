"""Shared fixtures.

Database tests use the ``engine`` fixture and are marked ``db`` automatically. By default each
gets a fresh SQLite file; with ``JIQUN_TEST_DATABASE_URL`` set (scripts/test does this for its
PostgreSQL pass) they run against that server, on a schema wiped before each test.

Tests on the small demo database use ``demo_engine`` (function scope) or ``demo_copy`` (any
scope) instead of calling ``build_demo`` themselves: each distinct demo (seed, size) is built once
per session into a template, and every test gets its own copy of it. On SQLite the template is a
file copied with :func:`shutil.copyfile`; on PostgreSQL it is a database cloned with
``CREATE DATABASE ... TEMPLATE``. Building the demo takes far longer than copying it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

# servers started by tests (browser tests) must not run result refreshes in the background
os.environ.setdefault("JIQUN_WORKER", "0")

#: the small demo most database tests run on (5,000 synthetic firms, seed 7)
DEMO_SEED = 7
DEMO_N = 5000

ROOT = Path(__file__).resolve().parents[1]


def shared_datasets() -> Path:
    """../shared/datasets relative to the project root (or $JIQUN_SHARED_DATASETS)."""
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    return Path(env) if env else ROOT.parent / "shared" / "datasets"


_DB_FIXTURES = ("engine", "db_url", "demo_engine", "demo_copy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(f in getattr(item, "fixturenames", ()) for f in _DB_FIXTURES):
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


class DemoTemplates:
    """Demo databases built once per session, handed out as copies.

    ``sqlite(seed, n)`` is the path of a SQLite template file; ``copy(seed, n, name)`` is the URL
    of a fresh copy (a file under the session's temporary folder, or on PostgreSQL a database
    cloned from a template database on the server of ``JIQUN_TEST_DATABASE_URL``).
    """

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._sqlite: dict[tuple[int, int], Path] = {}
        self._postgres: dict[tuple[int, int], str] = {}
        self._copies = 0

    @staticmethod
    def _build(url: str, seed: int, n: int) -> None:
        from jiqun.services.demo import build_demo
        from jiqun.store.db import make_engine, prepare

        eng = make_engine(url)
        try:
            prepare(eng)
            build_demo(eng, seed=seed, n_enterprises=n)
        finally:
            eng.dispose()

    def sqlite(self, seed: int = DEMO_SEED, n: int = DEMO_N) -> Path:
        """The SQLite template of demo ``(seed, n)``, built on first use."""
        if (seed, n) not in self._sqlite:
            path = self._factory.mktemp(f"demo-{seed}-{n}") / "template.sqlite3"
            self._build(f"sqlite:///{path}", seed, n)
            self._sqlite[seed, n] = path
        return self._sqlite[seed, n]

    def _admin(self) -> Engine:
        """An autocommit connection pool to the server's maintenance database."""
        from sqlalchemy import create_engine

        url = make_url(os.environ["JIQUN_TEST_DATABASE_URL"]).set(database="postgres")
        return create_engine(url, isolation_level="AUTOCOMMIT")

    def _recreate(self, name: str, template: str | None = None) -> str:
        base = make_url(os.environ["JIQUN_TEST_DATABASE_URL"])
        admin = self._admin()
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                tmpl = f' TEMPLATE "{template}"' if template else ""
                c.execute(text(f'CREATE DATABASE "{name}"{tmpl}'))
        finally:
            admin.dispose()
        return base.set(database=name).render_as_string(hide_password=False)

    def copy(self, seed: int = DEMO_SEED, n: int = DEMO_N, name: str = "demo") -> str:
        """URL of a fresh, writable copy of demo ``(seed, n)`` (give it back with :meth:`drop`)."""
        self._copies += 1
        if not os.environ.get("JIQUN_TEST_DATABASE_URL"):
            path = self._factory.mktemp(name) / "jiqun.sqlite3"
            shutil.copyfile(self.sqlite(seed, n), path)
            return f"sqlite:///{path}"
        if (seed, n) not in self._postgres:
            tpl = f"jiqun_demo_{seed}_{n}"
            self._build(self._recreate(tpl), seed, n)
            self._postgres[seed, n] = tpl
        return self._recreate(f"jiqun_demo_copy_{self._copies}", self._postgres[seed, n])

    def drop(self, url: str) -> None:
        """Remove a copy made by :meth:`copy` (its engines must be disposed)."""
        u = make_url(url)
        if u.get_backend_name() == "sqlite":
            Path(u.database or "").unlink(missing_ok=True)
            return
        admin = self._admin()
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplates:
    """The session's :class:`DemoTemplates`."""
    return DemoTemplates(tmp_path_factory)


@pytest.fixture(scope="session")
def demo_copy(demo_templates: DemoTemplates) -> DemoTemplates:
    """``demo_copy.copy(seed, n)``: URL of a fresh copy of a demo database (for module fixtures)."""
    return demo_templates


@pytest.fixture
def demo_engine(demo_templates: DemoTemplates, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A copy of the small demo database (seed 7, 5,000 firms) for one test; also the process
    default (``JIQUN_DATABASE_URL``), so CLI commands in the test read it."""
    from jiqun.store.db import engine_for, make_engine

    url = demo_templates.copy()
    monkeypatch.setenv("JIQUN_DATABASE_URL", url)
    engine_for.cache_clear()
    eng = make_engine(url)
    yield eng
    eng.dispose()
    engine_for.cache_clear()
    demo_templates.drop(url)


# Property tests must not make CI flaky: fixed example generation, no wall-clock deadlines on
# shared 2-core machines.
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("jiqun", derandomize=True, deadline=None, print_blob=True)
_hyp_settings.load_profile("jiqun")
