"""HTTP hygiene: no-store and HTTPS headers, grant expiry in UTC, JSON nulls and integers, and
who may list organisations."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from jiqun.services import accounts, uploads

FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def _login(world: Any, username: str, host: str) -> Any:
    c = world.client(host)
    r = c.post("/login", data={"username": username, "password": world.password})
    assert r.status_code in (200, 303), r.text[:300]
    return c


def test_no_store_and_https_headers(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    c = world.client("10.1.0.14")
    r = c.get("/api/v1/enterprises", headers=world.auth("gov"))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    browser = _login(world, "gov", "10.1.0.15")
    assert browser.get("/enterprises").headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers
    https = world.client("10.1.0.16")
    https.base_url = httpx.URL("https://testserver")
    r = https.post(
        "/login", data={"username": "gov", "password": world.password}, follow_redirects=False
    )
    assert "max-age=" in r.headers["strict-transport-security"]
    assert "secure" in r.headers["set-cookie"].lower()
    monkeypatch.setenv("JIQUN_HTTPS", "1")
    r = world.client("10.1.0.17").post(
        "/login", data={"username": "gov", "password": world.password}, follow_redirects=False
    )
    assert "strict-transport-security" in r.headers and "secure" in r.headers["set-cookie"].lower()


def test_grant_expiry_with_offset_and_null_serialisation(world: Any) -> None:
    c = world.client("10.1.0.18")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    body = {
        "uscc": world.firms["A"],
        "grantee_organisation_id": world.orgs["observer"],
        "purpose": "offset test",
        "expires_at": past.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(),
    }
    g = c.post("/api/v1/grants", json=body, headers=world.auth("firm")).json()
    assert g["active"] is False
    assert g["expires_at"].startswith(past.strftime("%Y-%m-%dT%H:%M"))  # stored in UTC
    body.pop("expires_at")
    c.post("/api/v1/grants", json=body, headers=world.auth("firm"))
    items = c.get("/api/v1/grants", headers=world.auth("firm")).json()["items"]
    assert any(i["expires_at"] is None for i in items)
    assert all(i["expires_at"] != "NaT" and i["revoked_at"] != "NaT" for i in items)


def test_import_rows_are_integers(world: Any) -> None:
    c = world.client("10.1.0.19")
    csv = b"uscc,name\n"
    admin = accounts.principal_for_username("admin", None, world.engine)
    uploads.stage_upload(io.BytesIO(csv), "pending.csv", "enterprises", admin)  # not validated
    files = {"file": ("e.csv", FILES.joinpath("enterprises_clean.csv").read_bytes(), "text/csv")}
    c.post(
        "/api/v1/imports", files=files, data={"kind": "enterprises"}, headers=world.auth("admin")
    )
    items = c.get("/api/v1/imports", headers=world.auth("admin")).json()["items"]
    counted = [i["rows"] for i in items if i["rows"] is not None]
    assert counted and all(type(n) is int for n in counted)


def test_organisations_hide_enterprise_account_holders(world: Any) -> None:
    c = world.client("10.1.0.20")
    seen = c.get("/api/v1/organisations", headers=world.auth("gov"), params={"limit": 1000}).json()[
        "items"
    ]
    ent = [o for o in seen if o["kind"] == "enterprise"]
    assert ent == []
    mine = c.get(
        "/api/v1/organisations", headers=world.auth("firm"), params={"limit": 1000}
    ).json()["items"]
    assert [o["id"] for o in mine if o["kind"] == "enterprise"] == [world.orgs["firm"]]
    assert any(o["kind"] == "government" for o in mine)  # grantees can still be chosen
    every = c.get(
        "/api/v1/organisations", headers=world.auth("admin"), params={"limit": 1000}
    ).json()["items"]
    assert {world.orgs["firm"], world.orgs["firm_other"]} <= {o["id"] for o in every}
