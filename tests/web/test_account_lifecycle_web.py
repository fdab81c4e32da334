"""Account lifecycle through the web: server-side sessions, logout, disable/enable, passwords,
revocable tokens, forwarded headers, cache and HTTPS headers, and the serialisation fixes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from jiqun.services import accounts

STRONG = "another-strong-passphrase"
FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def run_fresh_loop(coro: Any) -> Any:
    """Run ``coro`` on a new event loop in its own thread: a session-wide Playwright (browser
    tests) may keep an event loop running in the main thread, where ``asyncio.run`` refuses."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _login(world: Any, username: str, host: str, password: str | None = None) -> Any:
    c = world.client(host)
    r = c.post("/login", data={"username": username, "password": password or world.password})
    assert r.status_code in (200, 303), r.text[:300]
    assert c.get("/api/v1/me").json()["username"] == username
    return c


def _csrf(c: Any) -> str:
    return str(c.get("/api/v1/auth/csrf").json()["csrf_token"])


def test_cookie_is_a_random_id_and_logout_ends_the_session(world: Any) -> None:
    world.add_account("sess_user", "government", "320200")
    c = _login(world, "sess_user", "10.1.0.1")
    cookie = c.cookies.get("jiqun_session")
    assert cookie and "sess_user" not in cookie and "." not in cookie  # not a signed payload
    assert (
        world.count(
            "SELECT COUNT(*) FROM auth_sessions WHERE username = 'sess_user' AND kind = 'web'"
        )
        == 1
    )
    assert c.post("/logout", data={"csrf": _csrf(c)}).status_code in (200, 303)
    replay = world.client("10.1.0.2")
    replay.cookies.set("jiqun_session", cookie)
    assert replay.get("/api/v1/me").json()["role"] == "public"
    assert (
        world.count(
            "SELECT COUNT(*) FROM auth_sessions WHERE username = 'sess_user' AND kind = 'web'"
        )
        == 0
    )


def test_login_rotates_the_session_id(world: Any) -> None:
    world.add_account("rotate_user", "government", "320200")
    c = world.client("10.1.0.3")
    c.get("/api/v1/auth/csrf")  # an anonymous session first
    before = c.cookies.get("jiqun_session")
    c.post("/login", data={"username": "rotate_user", "password": world.password})
    after = c.cookies.get("jiqun_session")
    assert before and after and before != after
    fixated = world.client("10.1.0.4")
    fixated.cookies.set("jiqun_session", before)
    assert fixated.get("/api/v1/me").json()["role"] == "public"


def test_admin_disables_and_enables_through_the_api(world: Any, error_body: Any) -> None:
    tok = world.add_account("api_victim", "government", "320200")
    browser = _login(world, "api_victim", "10.1.0.5")
    c = world.client("10.1.0.6")
    h = {"Authorization": f"Bearer {tok}"}
    error_body(c.post("/api/v1/users/api_victim/disable", headers=world.auth("gov")), 403)
    r = c.post("/api/v1/users/api_victim/disable", headers=world.auth("admin"))
    assert r.status_code == 200 and r.json()["active"] is False
    assert r.json()["sessions_ended"] >= 2
    error_body(c.get("/api/v1/me", headers=h), 401)
    assert browser.get("/api/v1/me").json()["role"] == "public"  # the session ended at once
    users = c.get("/api/v1/users", headers=world.auth("admin"), params={"active": False}).json()
    assert "api_victim" in [u["username"] for u in users["items"]]
    r = c.post("/api/v1/users/api_victim/enable", headers=world.auth("admin"))
    assert r.status_code == 200 and r.json()["active"] is True
    error_body(c.get("/api/v1/me", headers=h), 401)
    error_body(c.post("/api/v1/users/nobody-here/disable", headers=world.auth("admin")), 404)
    acts = world.count(
        "SELECT COUNT(*) FROM audit_log WHERE resource = 'user:api_victim' "
        "AND action IN ('user_disable', 'user_enable') AND username = 'admin'"
    )
    assert acts == 2


def test_admin_resets_and_user_changes_password(world: Any, error_body: Any) -> None:
    tok = world.add_account("pw_user", "government", "320200")
    c = world.client("10.1.0.7")
    weak = c.post(
        "/api/v1/users/pw_user/password",
        json={"password": "1234567890"},
        headers=world.auth("admin"),
    )
    error_body(weak, 400)
    r = c.post(
        "/api/v1/users/pw_user/password", json={"password": STRONG}, headers=world.auth("admin")
    )
    assert r.status_code == 200
    error_body(c.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}), 401)
    tok2 = c.post("/api/v1/auth/token", data={"username": "pw_user", "password": STRONG}).json()
    h = {"Authorization": f"Bearer {tok2['access_token']}"}
    bad = c.post(
        "/api/v1/auth/password",
        json={"old_password": "wrong-old-password", "new_password": "third-strong-passphrase"},
        headers=h,
    )
    error_body(bad, 401)
    other = _login(world, "pw_user", "10.1.0.8", STRONG)
    ok = c.post(
        "/api/v1/auth/password",
        json={"old_password": STRONG, "new_password": "third-strong-passphrase"},
        headers=h,
    )
    assert ok.status_code == 200, ok.text
    assert other.get("/api/v1/me").json()["role"] == "public"  # other sessions ended
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE resource = 'user:pw_user' "
            "AND action = 'password_change' AND outcome = 'ok'"
        )
        == 1
    )


def test_token_logout_revokes_the_token(world: Any, error_body: Any) -> None:
    world.add_account("tok_user", "government", "320200")
    c = world.client("10.1.0.9")
    tok = c.post(
        "/api/v1/auth/token", data={"username": "tok_user", "password": world.password}
    ).json()
    h = {"Authorization": f"Bearer {tok['access_token']}"}
    assert tok["expires_in"] == 8 * 3600
    assert c.get("/api/v1/me", headers=h).json()["username"] == "tok_user"
    assert c.post("/api/v1/auth/logout", headers=h).status_code == 204
    error_body(c.get("/api/v1/me", headers=h), 401)


def test_admin_ui_disable_enable_and_reset(world: Any) -> None:
    tok = world.add_account("ui_victim", "government", "320200")
    admin = _login(world, "admin", "10.1.0.10")
    page = admin.get("/admin")
    assert "ui_victim" in page.text and "/admin/users/ui_victim/disable" in page.text
    r = admin.post("/admin/users/ui_victim/disable", data={"csrf": _csrf(admin)})
    assert r.status_code in (200, 303)
    c = world.client("10.1.0.11")
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    admin.post("/admin/users/ui_victim/enable", data={"csrf": _csrf(admin)})
    admin.post("/admin/users/ui_victim/password", data={"csrf": _csrf(admin), "password": STRONG})
    assert _login(world, "ui_victim", "10.1.0.12", STRONG)
    # a logged-in user changes the password on the account page
    user = _login(world, "ui_victim", "10.1.0.13", STRONG)
    assert user.get("/account").status_code == 200
    r = user.post(
        "/account/password",
        data={
            "csrf": _csrf(user),
            "old_password": STRONG,
            "new_password": "fourth-strong-passphrase",
        },
    )
    assert r.status_code in (200, 303)
    assert user.get("/api/v1/me").json()["username"] == "ui_victim"  # this session stays


def test_spoofed_forwarded_for_is_ignored_by_default(world: Any) -> None:
    """Served by Uvicorn as ``jiqun serve`` runs it, a header from 127.0.0.1 changes nothing."""
    import uvicorn

    from jiqun.web.main import uvicorn_options

    world.add_account("xff_user", "government", "320200")
    cfg = uvicorn.Config(world.app, **uvicorn_options())
    cfg.load()

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=cfg.loaded_app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            out = []
            for i in range(accounts.MAX_FAILURES + 1):
                r = await c.post(
                    "/api/v1/auth/token",
                    data={"username": "xff_user", "password": "wrong-password!!"},
                    headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
                )
                out.append(r.status_code)
            r = await c.post(
                "/api/v1/auth/token",
                data={"username": "gov", "password": world.password},
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
            out.append(r.status_code)
            return out

    codes = run_fresh_loop(run())
    assert codes[: accounts.MAX_FAILURES] == [401] * accounts.MAX_FAILURES
    assert codes[accounts.MAX_FAILURES] == 429  # one client key whatever the header says
    assert codes[-1] == 200
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND client = '198.51.100.7'"
        )
        == 0
    )
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND client = '127.0.0.1'"
        )
        >= 1
    )


def test_forwarded_for_believed_from_a_trusted_proxy(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.web import deps

    monkeypatch.setenv("JIQUN_TRUSTED_PROXIES", "127.0.0.1")
    c = world.client("127.0.0.1")
    r = c.post(
        "/api/v1/auth/token",
        data={"username": "gov", "password": world.password},
        headers={"X-Forwarded-For": "192.0.2.9, 127.0.0.1"},
    )
    assert r.status_code == 200
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE client = '192.0.2.9'") == 1
    assert deps.forwarded_client("10.9.9.9", "192.0.2.1") == "10.9.9.9"  # untrusted peer
