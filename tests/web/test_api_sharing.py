"""Enterprises within scope, consent-based grants, the audit log, organisations and users."""

from __future__ import annotations

import io
from typing import Any

import openpyxl


def usccs(resp: Any) -> set[str]:
    assert resp.status_code == 200, resp.text[:300]
    return {i["uscc"] for i in resp.json()["items"]}


def test_enterprise_lists_are_scoped(world: Any, error_body: Any) -> None:
    c, f = world.client(), world.firms
    get = lambda who, **p: c.get("/api/v1/enterprises", params=p, headers=world.auth(who))  # noqa: E731
    assert usccs(get("admin")) == set(f.values())
    assert usccs(get("gov")) == {f["A"], f["D"], f["E"]}
    assert usccs(get("gov_other")) == {f["B"]}
    assert usccs(get("cluster")) == {f["A"], f["D"]}  # A in the cluster, D a member
    assert usccs(get("firm")) == {f["A"]}
    assert usccs(get("observer")) == set()
    error_body(get("public"), 401)
    # filters, sort, paging
    assert usccs(get("admin", region="320214")) == {f["A"], f["E"]}
    assert usccs(get("admin", industry="39")) == {f["A"]}
    assert usccs(get("admin", q="锂电")) == {f["B"]}
    assert usccs(get("admin", tag="high_tech")) <= set(f.values())
    body = get("admin", sort="-revenue", limit=2).json()
    assert body["meta"]["total"] == 5 and len(body["items"]) == 2
    assert body["items"][0]["revenue"] >= body["items"][1]["revenue"]
    error_body(get("admin", sort="password"), 422)
    # a region filter never widens the scope
    assert usccs(get("gov", region="440300")) == set()
    xlsx = get("gov", format="xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["data"].values)
    assert len(rows) == 4 and rows[0][0] == "uscc"


def test_enterprise_detail_in_and_out_of_scope(world: Any, error_body: Any) -> None:
    c, f = world.client(), world.firms
    one = c.get(f"/api/v1/enterprises/{f['A']}", headers=world.auth("gov"))
    assert one.status_code == 200
    body = one.json()
    assert body["name"] == "山东示例集成电路有限公司" and body["region_code"] == "320214"
    assert body["customers"][0]["buyer_uscc"] == f["B"] and body["basis"]["unit"].startswith("万元")
    # out of scope and absent look the same: 404 with the same shape
    out = error_body(c.get(f"/api/v1/enterprises/{f['B']}", headers=world.auth("gov")), 404)
    absent = error_body(
        c.get("/api/v1/enterprises/91320200000000000X", headers=world.auth("gov")), 404
    )
    assert out["code"] == absent["code"] == "not_found"
    error_body(c.get(f"/api/v1/enterprises/{f['A']}"), 401)
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'read_enterprise' AND username = 'gov' "
            "AND resource = :r",
            r=f"enterprise:{f['A']}",
        )
        == 1
    )


def test_grant_lifecycle_read_audited_and_revoked(world: Any, error_body: Any) -> None:
    c, f = world.client(), world.firms
    obs = world.orgs["observer"]
    url = f"/api/v1/enterprises/{f['A']}"
    error_body(c.get(url, headers=world.auth("observer")), 404)
    # another enterprise cannot grant access to A's records
    body = {"uscc": f["A"], "grantee_organisation_id": obs, "purpose": "供应链对接"}
    err = error_body(c.post("/api/v1/grants", json=body, headers=world.auth("firm_other")), 403)
    assert "only the enterprise itself" in err["message_en"]
    error_body(c.post("/api/v1/grants", json=body, headers=world.auth("gov")), 403)
    error_body(c.post("/api/v1/grants", json=body), 401)
    r = c.post("/api/v1/grants", json=body, headers=world.auth("firm"))
    assert r.status_code == 201
    g = r.json()
    assert g["active"] and g["uscc"] == f["A"] and g["granted_by"] == "firm"
    # the grantee reads A; the read is audited as read_granted
    before = world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted'")
    assert c.get(url, headers=world.auth("observer")).status_code == 200
    assert usccs(c.get("/api/v1/enterprises", headers=world.auth("observer"))) == {f["A"]}
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted'") == before + 1
    # the enterprise sees who read its records
    log = c.get("/api/v1/audit", params={"action": "read_granted"}, headers=world.auth("firm"))
    assert [e["username"] for e in log.json()["items"]] == ["observer"]
    # grants visible to grantor, grantee and admin, not to others
    for who in ("firm", "observer", "admin"):
        ids = [x["id"] for x in c.get("/api/v1/grants", headers=world.auth(who)).json()["items"]]
        assert g["id"] in ids, who
    ids = [x["id"] for x in c.get("/api/v1/grants", headers=world.auth("gov")).json()["items"]]
    assert g["id"] not in ids
    act = c.get("/api/v1/grants", params={"active": True}, headers=world.auth("firm")).json()
    assert g["id"] in [x["id"] for x in act["items"]]
    # only the grantor (or an admin) may revoke; others do not learn that it exists
    error_body(c.delete(f"/api/v1/grants/{g['id']}", headers=world.auth("firm_other")), 404)
    error_body(c.delete(f"/api/v1/grants/{g['id']}", headers=world.auth("observer")), 403)
    rv = c.delete(f"/api/v1/grants/{g['id']}", headers=world.auth("firm"))
    assert rv.status_code == 200 and rv.json()["active"] is False and rv.json()["revoked_at"]
    error_body(c.get(url, headers=world.auth("observer")), 404)
    assert usccs(c.get("/api/v1/enterprises", headers=world.auth("observer"))) == set()
    error_body(c.delete("/api/v1/grants/999999", headers=world.auth("admin")), 404)
    # bad bodies
    error_body(c.post("/api/v1/grants", json={"uscc": "short"}, headers=world.auth("firm")), 422)
    missing_org = {**body, "grantee_organisation_id": 99999}
    error_body(c.post("/api/v1/grants", json=missing_org, headers=world.auth("firm")), 404)


def test_audit_visibility(world: Any, error_body: Any) -> None:
    c = world.client()
    c.get("/api/v1/enterprises", headers=world.auth("gov_other"))
    admin = c.get("/api/v1/audit", params={"limit": 500}, headers=world.auth("admin")).json()
    users = {e["username"] for e in admin["items"]}
    assert {"gov_other"} <= users
    mine = c.get("/api/v1/audit", params={"limit": 500}, headers=world.auth("gov_other")).json()
    assert mine["items"] and {e["username"] for e in mine["items"]} == {"gov_other"}
    error_body(c.get("/api/v1/audit"), 401)
    csv = c.get("/api/v1/audit", params={"format": "csv"}, headers=world.auth("admin"))
    assert csv.content.decode("utf-8-sig").startswith("id,at,username")


def test_organisations_and_users(world: Any, error_body: Any) -> None:
    c = world.client()
    orgs = c.get("/api/v1/organisations", params={"kind": "government"}, headers=world.auth("firm"))
    assert orgs.status_code == 200
    assert {o["scope"] for o in orgs.json()["items"]} >= {"320200", "440300", "110000"}
    error_body(c.get("/api/v1/organisations"), 401)
    users = c.get("/api/v1/users", params={"role": "enterprise"}, headers=world.auth("admin"))
    names = [u["username"] for u in users.json()["items"]]
    assert names == sorted(names) and "firm" in names and "gov" not in names
    assert "password_hash" not in users.json()["items"][0]
    error_body(c.get("/api/v1/users", headers=world.auth("gov")), 403, "forbidden")
    new = {
        "username": "new_analyst",
        "password": "a-long-password",
        "role": "government",
        "scope": "320200",
    }
    for who in ("gov", "cluster", "firm"):
        error_body(c.post("/api/v1/users", json=new, headers=world.auth(who)), 403)
    error_body(c.post("/api/v1/users", json=new), 401)
    r = c.post("/api/v1/users", json=new, headers=world.auth("admin"))
    assert r.status_code == 201 and r.json()["scope"] == "320200"
    assert r.json()["organisation_id"] == world.orgs["gov"]  # same organisation as gov
    err = error_body(c.post("/api/v1/users", json=new, headers=world.auth("admin")), 400)
    assert "already exists" in err["message_en"]
    bad_scope = {**new, "username": "bad_scope", "scope": "999999"}
    error_body(c.post("/api/v1/users", json=bad_scope, headers=world.auth("admin")), 400)
    short = {**new, "username": "short_pw", "password": "short"}
    error_body(c.post("/api/v1/users", json=short, headers=world.auth("admin")), 422)
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user_create'") == 1
    tok = c.post(
        "/api/v1/auth/token", data={"username": "new_analyst", "password": "a-long-password"}
    )
    assert tok.status_code == 200


def test_diagnosis_needs_login(world: Any, error_body: Any) -> None:
    c = world.client()
    error_body(c.get(f"/api/v1/clusters/{world.cluster}/diagnosis"), 401)
    error_body(c.get("/api/v1/clusters/NOPE/diagnosis", headers=world.auth("gov")), 404)
    r = c.get(
        f"/api/v1/clusters/{world.cluster}/diagnosis",
        params={"year": 2022},
        headers=world.auth("firm"),
    )
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["cluster"]["cluster_id"] == world.cluster and body["basis"]["year"] == 2022
    assert body["basis"]["synthetic"] is True and body["tables"]
