"""Authentication: tokens, /me, rate limit, no account enumeration, CSRF, disabled accounts."""

from __future__ import annotations

from typing import Any

from jiqun.services import accounts


def login(client: Any, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_token_and_me(world: Any) -> None:
    c = world.client("10.0.0.1")
    r = login(c, "gov", world.password)
    assert r.status_code == 200
    tok = r.json()
    assert tok["token_type"] == "bearer" and tok["access_token"]
    me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {tok['access_token']}"}).json()
    assert me["username"] == "gov" and me["role"] == "government" and me["scope"] == "320200"
    assert me["role_label"] == "政府分析人员 / government analyst"
    assert "region-stats" in me["can_import"] and "clusters" not in me["can_import"]
    assert c.get("/api/v1/me").json()["role"] == "public"
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login'") >= 1


def test_bad_tokens_are_401(world: Any, error_body: Any) -> None:
    c = world.client()
    err = error_body(c.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}), 401)
    assert err["code"] == "unauthorised"
    r = c.get(
        "/api/v1/enterprises", headers={"Authorization": "Bearer " + world.tokens["gov"] + "x"}
    )
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    error_body(c.get("/api/v1/enterprises"), 401, "unauthorised")


def test_no_account_enumeration(world: Any, error_body: Any) -> None:
    c = world.client("10.0.0.2")
    wrong = login(c, "gov", "not-the-password")
    unknown = login(c, "no-such-user", "not-the-password")
    error_body(wrong, 401)
    assert wrong.json() == unknown.json()
    assert wrong.status_code == unknown.status_code
    error_body(login(c, "", ""), 422)  # missing form fields are a request error


def test_login_rate_limit(world: Any, error_body: Any) -> None:
    world.add_account("ratelimited", "admin", None)
    c = world.client("10.0.0.3")
    for _ in range(accounts.MAX_FAILURES):
        assert login(c, "ratelimited", "wrong-password-1").status_code == 401
    sixth = login(c, "ratelimited", world.password)  # even the right password now waits
    err = error_body(sixth, 429, "rate_limited")
    assert "15" in err["message_zh"] and "15 minutes" in err["message_en"]
    # the limit is per (name, client): the address itself is not shut out for other names
    assert login(c, "ghost-user", world.password).status_code == 401
    assert login(c, "gov", world.password).status_code == 200
    # an unknown name gets the same 429 body after 5 failures (no account enumeration)
    c2 = world.client("10.0.0.4")
    for _ in range(accounts.MAX_FAILURES):
        login(c2, "ghost-user-2", "whatever-password")
    assert login(c2, "ghost-user-2", "whatever-password").json() == sixth.json()
    # other clients and accounts are unaffected
    assert login(world.client("10.0.0.5"), "gov", world.password).status_code == 200


def test_token_invalid_after_account_disabled(world: Any, error_body: Any) -> None:
    tok = world.add_account("soon_disabled", "government", "320200")
    h = {"Authorization": f"Bearer {tok}"}
    c = world.client()
    assert c.get("/api/v1/enterprises", headers=h).status_code == 200
    accounts.set_active("soon_disabled", False, world.engine)
    error_body(c.get("/api/v1/enterprises", headers=h), 401)
    error_body(c.get("/api/v1/me", headers=h), 401)
    # a disabled account cannot log in either, with the usual message
    r = login(world.client("10.0.0.6"), "soon_disabled", world.password)
    assert r.status_code == 401
    accounts.set_active("soon_disabled", True, world.engine)
    error_body(c.get("/api/v1/me", headers=h), 401)  # re-enabling does not revive old tokens


def _session_client(world: Any, username: str, host: str) -> Any:
    c = world.client(host)
    r = c.post("/login", data={"username": username, "password": world.password})
    assert r.status_code in (200, 303), r.text[:300]
    assert c.get("/api/v1/me").json()["username"] == username  # the session cookie works
    return c


def test_csrf_required_for_session_posts_not_for_bearer(world: Any, error_body: Any) -> None:
    org = world.orgs["observer"]
    body = {"uscc": world.firms["A"], "grantee_organisation_id": org, "purpose": "csrf test"}
    c = _session_client(world, "firm", "10.0.0.7")
    err = error_body(c.post("/api/v1/grants", json=body), 403, "forbidden")
    assert "CSRF" in err["message_en"]
    bad = c.post("/api/v1/grants", json=body, headers={"X-CSRF-Token": "forged"})
    error_body(bad, 403)
    token = c.get("/api/v1/auth/csrf").json()["csrf_token"]
    ok = c.post("/api/v1/grants", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201, ok.text
    gid = ok.json()["id"]
    error_body(c.delete(f"/api/v1/grants/{gid}"), 403)  # DELETE needs it too
    assert c.delete(f"/api/v1/grants/{gid}", headers={"X-CSRF-Token": token}).status_code == 200
    # a bearer token needs no CSRF token
    b = world.client("10.0.0.8").post("/api/v1/grants", json=body, headers=world.auth("firm"))
    assert b.status_code == 201
    world.client().delete(f"/api/v1/grants/{b.json()['id']}", headers=world.auth("firm"))


def test_nul_characters_refused(world: Any, error_body: Any) -> None:
    """No text column can hold NUL (PostgreSQL refuses it): 400 before any service runs for the
    path, query and form fields; 422 naming the field for a JSON body (its model refuses it)."""
    c = world.client("10.0.0.9")
    err = error_body(login(c, "gov\x00", "whatever-password"), 400, "invalid")
    assert "NUL" in err["message_en"]
    error_body(c.get("/api/v1/published", params={"cluster": "\x00"}), 400)
    error_body(c.get("/api/v1/clusters/a%00b"), 400)
    body = {"uscc": world.firms["A"], "grantee_organisation_id": 1, "purpose": "x\x00y"}
    err = error_body(c.post("/api/v1/grants", json=body, headers=world.auth("firm")), 422)
    assert err["details"][0]["field"] == "body.purpose" and "NUL" in err["details"][0]["reason"]
