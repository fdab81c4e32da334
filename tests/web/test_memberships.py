"""A cluster membership that widens the cluster organisation's view counts only once approved
(by the administrator or by the firm itself); every decision is audited."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner


def _import_member(world: Any, uscc: str) -> dict[str, Any]:
    rows = f"集群编号,统一社会信用代码,角色\n{world.cluster},{uscc},chain_leader\n".encode()
    c = world.client()
    rep = c.post(
        "/api/v1/imports",
        files={"file": ("members.csv", rows, "application/octet-stream")},
        data={"kind": "cluster-members"},
        headers=world.auth("cluster"),
    ).json()
    assert rep["error_rows"] == 0, rep
    ok = c.post(f"/api/v1/imports/{rep['id']}/commit", headers=world.auth("cluster"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["inserted"] == 1
    return dict(ok.json())


def test_cluster_import_waits_for_admin_approval(world: Any) -> None:
    e = world.firms["E"]  # 无锡 320214, industry 0211: not a leading industry of the cluster
    c = world.client()
    assert c.get(f"/api/v1/enterprises/{e}", headers=world.auth("cluster")).status_code == 404
    committed = _import_member(world, e)
    # the organisation's own listing does not widen its view
    assert c.get(f"/api/v1/enterprises/{e}", headers=world.auth("cluster")).status_code == 404
    assert committed.get("notes"), committed  # the importer is told the membership waits
    listed = c.get("/api/v1/enterprises", headers=world.auth("cluster")).json()["items"]
    assert e not in {r["uscc"] for r in listed}
    pending = c.get("/api/v1/memberships", headers=world.auth("admin")).json()["items"]
    assert [(r["cluster_id"], r["uscc"], r["status"]) for r in pending] == [
        (world.cluster, e, "pending")
    ]
    assert pending[0]["requested_by"] == "cluster"
    # the organisation cannot approve its own request
    r = c.post(f"/api/v1/memberships/{world.cluster}/{e}/approve", headers=world.auth("cluster"))
    assert r.status_code == 403
    r = c.post(f"/api/v1/memberships/{world.cluster}/{e}/approve", headers=world.auth("admin"))
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert c.get(f"/api/v1/enterprises/{e}", headers=world.auth("cluster")).status_code == 200
    n = world.count(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'membership_approve' AND username = 'admin'"
        " AND resource = :r",
        r=f"enterprise:{e}",
    )
    assert n == 1


def test_the_firm_itself_decides(world: Any) -> None:
    a = world.firms["A"]  # the enterprise account "firm"; A is inside the cluster anyway
    b = world.firms["B"]
    world.add_account("firm_b_owner", "enterprise", b)
    with world.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text(
                "INSERT INTO cluster_members (cluster_id, uscc, role, synthetic, status, "
                "requested_by) VALUES (:c, :u, 'member', :s, 'pending', 'cluster')"
            ),
            {"c": world.cluster, "u": b, "s": False},
        )
    c = world.client()
    assert c.get(f"/api/v1/enterprises/{b}", headers=world.auth("cluster")).status_code == 404
    mine = c.get("/api/v1/memberships", headers=world.auth("firm_b_owner")).json()["items"]
    assert [r["uscc"] for r in mine] == [b]
    # another firm cannot decide it (and does not learn it exists)
    r = c.post(f"/api/v1/memberships/{world.cluster}/{b}/approve", headers=world.auth("firm"))
    assert r.status_code == 404
    assert a != b
    r = c.post(
        f"/api/v1/memberships/{world.cluster}/{b}/reject", headers=world.auth("firm_b_owner")
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert c.get(f"/api/v1/enterprises/{b}", headers=world.auth("cluster")).status_code == 404
    r = c.post(
        f"/api/v1/memberships/{world.cluster}/{b}/approve", headers=world.auth("firm_b_owner")
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert c.get(f"/api/v1/enterprises/{b}", headers=world.auth("cluster")).status_code == 200


def test_admin_page_lists_pending_and_cli_decides(world: Any, monkeypatch: Any) -> None:
    from sqlalchemy import text

    from jiqun.cli.app import app as cli

    c_code = world.firms["C"]
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cluster_members (cluster_id, uscc, role, synthetic, status, "
                "requested_by) VALUES (:c, :u, 'member', :s, 'pending', 'cluster')"
            ),
            {"c": world.other_cluster, "u": c_code, "s": False},
        )
    c = world.client()
    page = c.get("/memberships", headers=world.auth("admin"))
    assert page.status_code == 200 and c_code in page.text
    admin = c.get("/admin", headers=world.auth("admin"))
    assert admin.status_code == 200 and c_code in admin.text  # the admin page lists it too
    assert c.get("/memberships", headers=world.auth("gov")).status_code == 403
    runner = CliRunner()
    out = runner.invoke(cli, ["member", "list"])
    assert out.exit_code == 0, out.output
    assert c_code in out.output
    out = runner.invoke(cli, ["member", "approve", world.other_cluster, c_code])
    assert out.exit_code == 0, out.output
    status = world.count(
        "SELECT COUNT(*) FROM cluster_members WHERE uscc = :u AND status = 'approved'", u=c_code
    )
    assert status == 1
    n = world.count(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'membership_approve' "
        "AND role = 'admin-local' AND resource = :r",
        r=f"enterprise:{c_code}",
    )
    assert n == 1
    # the page's form (a browser session would carry the CSRF token; a bearer token needs none)
    r = world.client().post(
        f"/memberships/{world.other_cluster}/{c_code}/reject",
        headers=world.auth("admin"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (
        world.count(
            "SELECT COUNT(*) FROM cluster_members WHERE uscc = :u AND status = 'rejected'", u=c_code
        )
        == 1
    )
