"""Fixtures for the web tests: an app on a small database with one account of every role.

``world`` (one per test module) builds a database with five enterprises (three in 无锡 320200,
one in 深圳 440300, one in 上海 310115), one cluster membership, a few region statistics and these
accounts, each with a bearer token:

========== ============ ================================================ =====================
key        role         scope                                            sees (own scope)
========== ============ ================================================ =====================
admin      admin        —                                                everything
gov        government   320200 无锡市                                    A, D, E
gov_other  government   440300 深圳市                                    B
cluster    cluster      NC2021-02 无锡市物联网集群 (leading 3973 ...)    A (in cluster), D (member)
firm       enterprise   A                                                A
firm_other enterprise   B                                                B
observer   government   110000 北京市 (a grantee only)                   nothing
========== ============ ================================================ =====================

Tests that change shared state (grants, imports, disabled accounts) use their own firms or
accounts, or the function-scoped ``engine`` fixture of tests/conftest.py through ``app``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from jiqun.services import accounts

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
PASSWORD = "correct-horse-battery"

A = "91370000728611939A"  # 320214 无锡新吴区, 3973 integrated circuits
B = "91110108551385082Q"  # 440300 深圳, 3841
C = "912201011239989159"  # 310115 上海浦东, 3491
D = "91320214MA1NA0012A"  # 320200 无锡, 2720; member of NC2021-02
E = "91320214MA1NB0026F"  # 320214 无锡新吴区, 0211
CLUSTER = "NC2021-02"
OTHER_CLUSTER = "NC2021-03"

ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "gov": ("government", "320200"),
    "gov_other": ("government", "440300"),
    "cluster": ("cluster", CLUSTER),
    "firm": ("enterprise", A),
    "firm_other": ("enterprise", B),
    "observer": ("government", "110000"),
}

REGION_STATS = [
    # region, industry, year, measure, value, unit
    ("320200", "3973", 2022, "employment", 1000.0, "人"),
    ("320214", "3973", 2022, "employment", 200.0, "人"),
    ("320200", "2720", 2022, "employment", 500.0, "人"),
    ("440300", "3841", 2022, "employment", 2000.0, "人"),
    ("440300", "3973", 2022, "employment", 300.0, "人"),
    ("310100", "3491", 2022, "employment", 800.0, "人"),
    ("320200", "3973", 2023, "revenue", 52000.0, "万元"),
    ("440300", "3841", 2023, "revenue", 81000.0, "万元"),
    ("320000", "3973", 2022, "employment", 5000.0, "人"),  # province row: not in LQ
]


@dataclass
class World:
    """The app, its database, the accounts (username = key), tokens and organisation ids."""

    engine: Engine
    app: FastAPI
    tokens: dict[str, str] = field(default_factory=dict)
    orgs: dict[str, int] = field(default_factory=dict)
    firms: dict[str, str] = field(default_factory=lambda: {"A": A, "B": B, "C": C, "D": D, "E": E})
    cluster: str = CLUSTER
    other_cluster: str = OTHER_CLUSTER
    password: str = PASSWORD

    def client(self, host: str = "testclient") -> TestClient:
        return TestClient(self.app, client=(host, 50000))

    def auth(self, who: str | None) -> dict[str, str]:
        """Headers for ``who`` (``None`` or ``"public"``: no credentials)."""
        if who in (None, "public"):
            return {}
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def add_account(self, username: str, role: str, scope: str | None) -> str:
        p = accounts.add_user(username, role, PASSWORD, scope, self.engine)
        self.tokens[username] = accounts.issue_token(p, self.engine)
        self.orgs[username] = p.organisation_id or 0
        return self.tokens[username]

    def count(self, sql: str, **params: Any) -> int:
        with self.engine.connect() as c:
            return int(c.execute(text(sql), params).scalar() or 0)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests on ``world`` touch the database: mark them ``db`` (run again on PostgreSQL)."""
    for item in items:
        if "world" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session", autouse=True)
def _web_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Data directory (staged uploads, secret key) and signing key kept out of the home folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("JIQUN_DATA_DIR", str(tmp_path_factory.mktemp("jiqun-data")))
    mp.setenv("JIQUN_SECRET_KEY", "test-secret-key-for-the-web-tests")
    yield
    mp.undo()


def seed(engine: Engine) -> None:
    """The five enterprises, one cluster membership, two supply links (A → B, D → A) and the
    region statistics."""
    from jiqun.services.imports import import_file

    res = import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    assert res.status == "committed", res.validation.problems
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO cluster_members (cluster_id, uscc, role, synthetic) "
                "VALUES (:c, :u, 'member', :s)"
            ),
            {"c": CLUSTER, "u": D, "s": False},
        )
        for r, i, y, m, v, u in REGION_STATS:
            c.execute(
                text(
                    "INSERT INTO region_stats (region_code, industry_code, year, measure, value, "
                    "unit, source, synthetic) VALUES (:r, :i, :y, :m, :v, :u, 'test', :s)"
                ),
                {"r": r, "i": i, "y": y, "m": m, "v": v, "u": u, "s": True},
            )
        for sup, buy, cat, value in ((A, B, "3973", 1200.0), (D, A, "2720", 300.0)):
            c.execute(
                text(
                    "INSERT INTO supply_links (supplier_uscc, buyer_uscc, year, input_category, "
                    "value, synthetic) VALUES (:a, :b, 2023, :cat, :v, :s)"
                ),
                {"a": sup, "b": buy, "cat": cat, "v": value, "s": False},
            )


def build_world(engine: Engine) -> World:
    """Seed ``engine`` and create the accounts of :data:`ACCOUNTS`."""
    from jiqun.web.app import create_app

    seed(engine)
    w = World(engine, create_app(engine))
    for name, (role, scope) in ACCOUNTS.items():
        w.add_account(name, role, scope)
    return w


@pytest.fixture(scope="session")
def _world_ids(_web_environment: None) -> dict[str, dict[str, Any]]:
    """Tokens and organisation ids of the seeded template (filled when it is built)."""
    return {}


@pytest.fixture(scope="module")
def world(demo_templates: Any, _world_ids: dict[str, dict[str, Any]]) -> Iterator[World]:
    """A seeded database and app shared by the tests of one module: a fresh copy per module of
    one database seeded once per session (a SQLite file, or on PostgreSQL with
    ``JIQUN_TEST_DATABASE_URL`` a database cloned from a template database)."""
    from jiqun.store.db import engine_for, make_engine, prepare
    from jiqun.web.app import create_app

    def build(url: str) -> None:
        eng = make_engine(url)
        try:
            prepare(eng)
            w = build_world(eng)
            _world_ids.update(tokens=dict(w.tokens), orgs=dict(w.orgs))
        finally:
            eng.dispose()

    url = demo_templates.copy_of("web_world", build, name="web")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIQUN_DATABASE_URL", url)
    engine_for.cache_clear()
    eng = make_engine(url)
    try:
        yield World(eng, create_app(eng), dict(_world_ids["tokens"]), dict(_world_ids["orgs"]))
    finally:
        eng.dispose()
        engine_for.cache_clear()
        mp.undo()
        demo_templates.drop(url)


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    """A fresh app on the function-scoped ``engine`` (tests/conftest.py), not seeded."""
    from jiqun.web.app import create_app

    return create_app(engine)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="session")
def error_body() -> Any:
    """``error_body(resp, status, code=None)``: assert the bilingual error body, return it."""
    return assert_error


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the bilingual error body (and ``code`` if given)."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["message_zh"] and err["message_en"] and err["code"], err
    if code is not None:
        assert err["code"] == code, err
    return err
