"""Pages kept per viewer and data state (jiqun.web.page_cache): rendered once, served again
until the data, the results or the viewer change; never kept when personal (audited reads,
grants), while a refresh is pending, or across sessions' CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from jiqun.services import accounts, cache, jobs, results
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.web import page_cache, ui_clusters
from jiqun.web.app import create_app

pytestmark = pytest.mark.db

PASSWORD = "Kept-pages-7-seven"


def _anonymous() -> Principal:
    return PUBLIC


Viewer = Annotated[Principal, Depends(_anonymous)]
CLUSTER = "NC2022-04"


def _complete(engine: Engine) -> None:
    """Mark the present data version's results complete and the queued refresh done (what a
    finished refresh does; the tests run without the worker)."""
    with engine.begin() as c:
        c.execute(
            text("UPDATE jobs SET status = 'succeeded' WHERE status IN ('queued', 'running')")
        )
    v = cache.version_text(engine)
    results.begin_version(engine, v, None)
    results.end_version(engine, v, ok=True)


def _login(app: object, user: str) -> TestClient:
    c = TestClient(app)  # type: ignore[arg-type]
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert tok
    r = c.post(
        "/login",
        data={"username": user, "password": PASSWORD, "csrf": tok.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return c


@pytest.fixture
def site(demo_engine: Engine) -> Iterator[tuple[Engine, object]]:
    accounts.add_user("kept_gov", "government", PASSWORD, "110000", demo_engine)
    accounts.add_user("kept_gov2", "government", PASSWORD, "110000", demo_engine)
    _complete(demo_engine)
    page_cache.clear()
    yield demo_engine, create_app(demo_engine)
    page_cache.clear()


@pytest.fixture
def profiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per rendering of a cluster page or section (the template it renders)."""
    calls: list[str] = []
    real = ui_clusters.render

    def counting(request: object, name: str, *a: object, **k: object) -> object:
        calls.append(name)
        return real(request, name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(ui_clusters, "render", counting)
    return calls


def test_a_page_is_rendered_once_per_data_state(
    site: tuple[Engine, object], profiles: list[str]
) -> None:
    engine, app = site
    c = TestClient(app)
    first = c.get(f"/clusters/{CLUSTER}")
    once = len(profiles)
    assert once == 1
    again = c.get(f"/clusters/{CLUSTER}")
    assert first.status_code == again.status_code == 200
    assert again.text == first.text
    assert len(profiles) == once
    assert c.get(f"/clusters/{CLUSTER}?lang=en").status_code == 200  # another language
    assert len(profiles) == 2 * once
    cache.bump(engine)  # an import commits: a new data version ...
    _complete(engine)  # ... whose refresh finished
    assert c.get(f"/clusters/{CLUSTER}").status_code == 200
    assert len(profiles) == 3 * once


def test_viewers_never_share_a_page(site: tuple[Engine, object], profiles: list[str]) -> None:
    _engine, app = site
    anon = TestClient(app).get(f"/clusters/{CLUSTER}").text
    once = len(profiles)
    gov = _login(app, "kept_gov").get(f"/clusters/{CLUSTER}").text
    gov2 = _login(app, "kept_gov2").get(f"/clusters/{CLUSTER}").text
    assert len(profiles) == 3 * once  # same scope, other account: rendered for it
    assert "kept_gov" in gov and "kept_gov" not in anon
    assert "kept_gov2" in gov2 and "kept_gov2" not in gov


def test_each_session_gets_its_own_csrf_token(
    site: tuple[Engine, object], profiles: list[str]
) -> None:
    _engine, app = site
    a, b = _login(app, "kept_gov"), _login(app, "kept_gov")
    pa = a.get(f"/clusters/{CLUSTER}").text
    once = len(profiles)
    pb = b.get(f"/clusters/{CLUSTER}").text
    assert len(profiles) == once  # the same account's second session is served the kept page
    ta = set(re.findall(r'name="csrf" value="([^"]+)"', pa))
    tb = set(re.findall(r'name="csrf" value="([^"]+)"', pb))
    assert len(ta) == len(tb) == 1 and ta != tb
    assert "jiqun-csrf" not in pb
    # the token served in the kept page is the session's own: a form post with it passes
    r = b.post("/logout", data={"csrf": tb.pop()}, follow_redirects=False)
    assert r.status_code == 303


def test_audited_reads_are_never_kept(site: tuple[Engine, object]) -> None:
    from jiqun.services import access

    engine, _app = site
    app = FastAPI()
    app.state.engine = engine
    calls: list[str] = []

    @app.get("/plain")
    @page_cache.shared
    def plain(request: Request, principal: Viewer) -> HTMLResponse:
        calls.append("plain")
        return HTMLResponse("<p>figures</p>")

    @app.get("/audited")
    @page_cache.shared
    def audited(request: Request, principal: Viewer) -> HTMLResponse:
        calls.append("audited")
        access.audit(principal, "read_test", "test", engine=engine)
        return HTMLResponse("<p>firm records</p>")

    c = TestClient(app)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    for _ in range(2):
        assert c.get("/plain").text == "<p>figures</p>"
        assert c.get("/audited").text == "<p>firm records</p>"
    with engine.connect() as conn:
        after = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    assert calls.count("plain") == 1  # kept
    assert calls.count("audited") == 2 and after - before == 2  # each read logged


def test_pages_that_read_grants_are_never_kept(site: tuple[Engine, object]) -> None:
    _engine, app = site
    c = _login(app, "kept_gov")
    before = page_cache.stats()
    for _ in range(2):
        r = c.get(f"/clusters/{CLUSTER}/chain", headers={"HX-Request": "true"})
        assert r.status_code == 200
    after = page_cache.stats()
    assert after["personal"] - before["personal"] == 2
    assert after["hits"] == before["hits"]


def test_nothing_is_kept_while_a_refresh_is_pending(
    site: tuple[Engine, object], profiles: list[str]
) -> None:
    engine, app = site
    jobs.enqueue("refresh", engine=engine)
    c = TestClient(app)
    assert c.get(f"/clusters/{CLUSTER}").status_code == 200
    once = len(profiles)
    assert c.get(f"/clusters/{CLUSTER}").status_code == 200
    assert len(profiles) == 2 * once
    assert page_cache.stats()["pages"] == 0


def test_a_board_change_renders_the_board_again(
    site: tuple[Engine, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.services.matching import board
    from jiqun.web import ui_matching

    engine, app = site
    calls: list[str] = []
    real = ui_matching.render

    def counting(request: object, name: str, *a: object, **k: object) -> object:
        calls.append(name)
        return real(request, name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(ui_matching, "render", counting)
    c = _login(app, "kept_gov")
    first = c.get("/matching").text
    assert c.get("/matching").text == first and len(calls) == 1
    open_needs = board.list_needs(engine=engine)
    assert len(open_needs)
    board.close_need(int(open_needs["id"].iloc[0]), engine=engine)
    assert c.get("/matching").status_code == 200
    assert len(calls) == 2  # the board changed: rendered again, not the kept page
