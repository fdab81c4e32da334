"""Shared fixtures.

Database tests use the ``engine`` fixture and are marked ``db`` automatically. By default each
gets a fresh SQLite file; with ``JIQUN_TEST_DATABASE_URL`` set (scripts/test does this for its
PostgreSQL pass) each gets a fresh database on that server. Either is a copy of one database
migrated and loaded with the reference data once per session (migrating takes seconds, copying
milliseconds).

Tests on the small demo database use ``demo_engine`` (function scope) or ``demo_copy`` (any
scope) instead of calling ``build_demo`` themselves: each distinct demo (seed, size) is built once
per session into a template, and every test gets its own copy of it. On SQLite the template is a
file copied with :func:`shutil.copyfile`; on PostgreSQL it is a database cloned with
``CREATE DATABASE ... TEMPLATE``. Building the demo takes far longer than copying it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def shared_datasets_dir() -> Path:
    """:func:`shared_datasets` as a fixture (``from tests.conftest import …`` is not safe: a
    dependency, pymrio, installs a top-level ``tests`` package of its own)."""
    return shared_datasets()


_DB_FIXTURES = ("engine", "db_url", "demo_engine", "demo_copy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(f in getattr(item, "fixturenames", ()) for f in _DB_FIXTURES):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def db_url(demo_templates: DemoTemplates) -> Iterator[str]:
    """URL of a database of its own for one test, migrated and with the reference data loaded: a
    copy of the session's prepared template (a SQLite file, or on PostgreSQL a database cloned
    from a template database on the server of ``JIQUN_TEST_DATABASE_URL``)."""
    url = demo_templates.prepared_copy()
    yield url
    from jiqun.store.db import engine_for

    engine_for.cache_clear()  # a process-default engine on the copy would keep it open
    demo_templates.drop(url)


@pytest.fixture
def engine(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated database with the reference data loaded; also the process default."""
    from jiqun.store.db import engine_for, make_engine

    monkeypatch.setenv("JIQUN_DATABASE_URL", db_url)
    engine_for.cache_clear()
    # the copy is of a database :func:`jiqun.store.db.prepare` already ran on (migrations and
    # reference data take seconds; a copy milliseconds)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()
    engine_for.cache_clear()


class DemoTemplates:
    """Databases built once per session, handed out as copies.

    ``copy(seed, n, name)`` is the URL of a fresh copy of a demo (a file under the session's
    temporary folder, or on PostgreSQL a database cloned from a template database on the server
    of ``JIQUN_TEST_DATABASE_URL``); ``prepared_copy()`` of an empty migrated database (the
    ``engine`` fixture); ``copy_of(key, build)`` of any other template (the web tests' seeded
    world); ``sqlite(seed, n)`` is the path of a demo's SQLite template file.
    """

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._copies = 0
        self._files: dict[str, Path] = {}
        self._databases: dict[str, str] = {}

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

    @staticmethod
    def _prepare(url: str) -> None:
        from jiqun.store.db import make_engine, prepare

        eng = make_engine(url)
        try:
            prepare(eng)
        finally:
            eng.dispose()

    def copy_of(self, key: str, build: Callable[[str], None], name: str | None = None) -> str:
        """URL of a fresh, writable copy of the template ``key``, which ``build(url)`` makes on
        first use (a SQLite file, or a template database on the PostgreSQL test server).

        ``build`` must dispose of its engines: on SQLite that checkpoints the WAL into the file
        that is copied, on PostgreSQL a template with open connections cannot be cloned. Give
        the copy back with :meth:`drop`.
        """
        self._copies += 1
        if not os.environ.get("JIQUN_TEST_DATABASE_URL"):
            if key not in self._files:
                path = self._factory.mktemp(f"template-{key}") / "template.sqlite3"
                build(f"sqlite:///{path}")
                self._files[key] = path
            target = self._factory.mktemp(name or key) / "jiqun.sqlite3"
            shutil.copyfile(self._files[key], target)
            return f"sqlite:///{target}"
        if key not in self._databases:
            tpl = f"jiqun_tpl_{key}"
            build(self._recreate(tpl))
            self._databases[key] = tpl
        return self._recreate(f"jiqun_{name or key}_{self._copies}", self._databases[key])

    def prepared_copy(self, name: str = "test") -> str:
        """URL of a fresh database :func:`jiqun.store.db.prepare` ran on (no demo data)."""
        return self.copy_of("prepared", self._prepare, name)

    def sqlite(self, seed: int = DEMO_SEED, n: int = DEMO_N) -> Path:
        """The SQLite template of demo ``(seed, n)``, built on first use (not to be written)."""
        key = f"demo_{seed}_{n}"
        if key not in self._files:
            self._files[key] = self._factory.mktemp(f"template-{key}") / "template.sqlite3"
            self._build(f"sqlite:///{self._files[key]}", seed, n)
        return self._files[key]

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
        if not os.environ.get("JIQUN_TEST_DATABASE_URL"):
            self.sqlite(seed, n)
        return self.copy_of(f"demo_{seed}_{n}", lambda url: self._build(url, seed, n), name)

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


@dataclass
class AdminWorld:
    """A copy of the small demo with one admin signed in: ``engine``, a web ``client`` holding the
    session cookie, and bearer-token ``headers`` for the API."""

    engine: Engine
    client: Any
    headers: dict[str, str]


@pytest.fixture(scope="session")
def admin_world(
    demo_copy: DemoTemplates,
) -> Callable[[str, str, str], AbstractContextManager[AdminWorld]]:
    """``with admin_world(name, username, password) as w:`` a fresh copy of the small demo, the
    process default (``JIQUN_DATABASE_URL``) while open, with an admin signed in on the web
    client and a bearer token for the API (tests comparing the CLI, the API and the page)."""

    @contextmanager
    def open_world(name: str, username: str, password: str) -> Iterator[AdminWorld]:
        from fastapi.testclient import TestClient

        from jiqun.services import accounts
        from jiqun.store.db import engine_for, make_engine
        from jiqun.web.app import create_app

        url = demo_copy.copy(name=name)
        mp = pytest.MonkeyPatch()
        mp.setenv("JIQUN_DATABASE_URL", url)
        engine_for.cache_clear()
        eng = make_engine(url)
        try:
            p = accounts.add_user(username, "admin", password, None, eng)
            token = accounts.issue_token(p, eng)
            c = TestClient(create_app(eng), follow_redirects=False)
            tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
            assert tok
            r = c.post(
                "/login",
                data={
                    "username": username,
                    "password": password,
                    "csrf": tok.group(1),
                    "next": "/",
                },
            )
            assert r.status_code == 303, r.text[:300]
            yield AdminWorld(eng, c, {"Authorization": f"Bearer {token}"})
        finally:
            eng.dispose()
            engine_for.cache_clear()
            mp.undo()
            demo_copy.drop(url)

    return open_world


def _write_io42(path: Path, seed: int = 1) -> None:
    """A balanced synthetic table in the NBS 42-sector non-competitive layout."""
    import numpy as np
    import pandas as pd

    ix = [f"{i:02d}" for i in range(1, 43)]
    rng = np.random.default_rng(seed)
    zd = rng.uniform(0, 10, (42, 42))
    zi = rng.uniform(0, 2, (42, 42))
    fd = rng.uniform(500, 1500, (42, 4))
    fi = rng.uniform(0, 50, (42, 4))
    x = zd.sum(axis=1) + fd.sum(axis=1)
    va = x - (zd + zi).sum(axis=0)
    cols = ["Code", "Description", "DescriptionInChinese", "Origin", *ix]
    cols += ["TIU", "TC", "FU201", "FU202", "EX", "TFU", "GO"]
    rows: list[list[Any]] = []
    for origin, z, f in (("Domestic", zd, fd), ("Imports", zi, fi)):
        for i, c in enumerate(ix):
            tiu, tfu = z[i].sum(), f[i].sum()
            rows.append([c, f"s{c}", f"部门{c}", origin, *z[i], tiu, *f[i], tfu, tiu + tfu])
    for c in ("VA001", "VA002", "VA003", "VA004"):
        rows.append([c, c, c, "TOT", *(va / 4), *([None] * 7)])
    rows.append(["TI", "Total inputs", "总投入", "TOT", *x, *([None] * 7)])
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)


@pytest.fixture(scope="session")
def write_io42() -> Callable[..., None]:
    """``write_io42(path, seed=1)``: write a balanced synthetic NBS 42-sector table (tests of
    the input–output wiring that need a configured table without the shared datasets)."""
    return _write_io42


# Property tests must not make CI flaky: fixed example generation, no wall-clock deadlines on
# shared 2-core machines.
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("jiqun", derandomize=True, deadline=None, print_blob=True)
_hyp_settings.load_profile("jiqun")
