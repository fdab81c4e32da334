"""REST API of the services: digital assessments, policies, evaluation and innovation.

Happy paths and errors on the small ``world`` of tests/web/conftest.py (five firms, one account
per role). Who may call what is covered row by row in test_authz_matrix.py; here the contents:
scores computed by the service, basis and synthetic flags, scoping of the 免申即享 list, audit.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from jiqun.services import policy

A = "91370000728611939A"
B = "91110108551385082Q"


@pytest.fixture(scope="module")
def w(world: Any) -> Any:
    policy.load_demo_policies(world.engine)
    return world


def test_questionnaire_is_public(w: Any) -> None:
    r = w.client().get("/api/v1/digital/frameworks/miit2024")
    assert r.status_code == 200
    body = r.json()
    assert body["framework"] == "miit2024" and len(body["questions"]) > 20
    assert body["basis"]["rule_zh"] and body["basis"]["synthetic"] is False


def test_unknown_framework_is_422(w: Any, error_body: Any) -> None:
    error_body(w.client().get("/api/v1/digital/frameworks/nope"), 422)


def test_assessment_draft_resume_submit_and_gap(w: Any, error_body: Any) -> None:
    c, h = w.client(), w.auth("firm")
    r = c.post(
        "/api/v1/digital/assessments",
        json={"uscc": A, "answers": {"network": ["A", "B"]}, "score": 99},
        headers=h,
    )
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["status"] == "draft" and a["result"]["total"] == 4.0
    assert a["basis"]["framework"] == "miit2024" and a["basis"]["synthetic"] is False
    # submitting an incomplete questionnaire lists every unanswered item
    r = c.put(f"/api/v1/digital/assessments/{a['id']}", json={"submit": True}, headers=h)
    err = error_body(r, 400)
    assert len(err["problems"]) == len(a["result"]["missing"])
    # an invalid answer is refused, with the item named
    r = c.put(
        f"/api/v1/digital/assessments/{a['id']}",
        json={"answers": {"network": ["Z"]}},
        headers=h,
    )
    assert error_body(r, 400)["problems"][0]["column"] == "network"
    r = c.put(
        f"/api/v1/digital/assessments/{a['id']}",
        json={"answers": {"network": ["A"]}, "submit": False},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["result"]["total"] == 2.0
    g = c.get(f"/api/v1/digital/assessments/{a['id']}/gap", headers=h).json()
    assert g["next_level"]["roadmap"] and g["next_level"]["next_level"] == 1
    assert "leader_basis_zh" in g["basis"] and g["notes"]


def test_assessment_writes_are_audited_on_the_firm(w: Any) -> None:
    c, h = w.client(), w.auth("firm")
    a = c.post("/api/v1/digital/assessments", json={"uscc": A, "answers": {}}, headers=h).json()
    r = c.put(f"/api/v1/digital/assessments/{a['id']}", json={"answers": {}}, headers=h)
    assert r.status_code == 200, r.text
    with w.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT action, resource, detail FROM audit_log WHERE action IN "
                "('assessment_create', 'assessment_update') ORDER BY id"
            )
        ).all()
    mine = [
        (x[0], x[1], json.loads(x[2])["status"])
        for x in rows
        if json.loads(x[2])["assessment_id"] == a["id"]
    ]
    assert mine == [
        ("assessment_create", f"enterprise:{A}", "draft"),
        ("assessment_update", f"enterprise:{A}", "draft"),
    ]


def test_government_reads_but_cannot_write_and_others_see_404(w: Any, error_body: Any) -> None:
    c = w.client()
    a = c.post(
        "/api/v1/digital/assessments", json={"uscc": A, "answers": {}}, headers=w.auth("firm")
    ).json()
    url = f"/api/v1/digital/assessments/{a['id']}"
    assert c.get(url, headers=w.auth("gov")).status_code == 200
    error_body(c.put(url, json={}, headers=w.auth("gov")), 403)
    error_body(c.get(url, headers=w.auth("gov_other")), 404)
    error_body(c.get(url, headers=w.auth("firm_other")), 404)
    error_body(c.get(url), 401)
    error_body(c.get("/api/v1/digital/assessments/999999", headers=w.auth("admin")), 404)


def test_reading_an_assessment_through_a_grant_is_audited(w: Any) -> None:
    c = w.client()
    a = c.post(
        "/api/v1/digital/assessments", json={"uscc": A, "answers": {}}, headers=w.auth("firm")
    ).json()
    url = f"/api/v1/digital/assessments/{a['id']}"
    g = c.post(
        "/api/v1/grants",
        json={"uscc": A, "grantee_organisation_id": w.orgs["gov_other"]},
        headers=w.auth("firm"),
    ).json()
    q = "SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted' AND username = 'gov_other'"
    before = w.count(q)
    assert c.get(url, headers=w.auth("gov_other")).status_code == 200
    assert w.count(q) == before + 1
    c.delete(f"/api/v1/grants/{g['id']}", headers=w.auth("firm"))
    assert c.get(url, headers=w.auth("gov_other")).status_code == 404


def test_cluster_index(w: Any, error_body: Any) -> None:
    c = w.client()
    r = c.get(f"/api/v1/digital/clusters/{w.cluster}/index", headers=w.auth("cluster"))
    assert r.status_code == 200
    body = r.json()
    assert body["summary"]["cluster_id"] == w.cluster and "by_level" in body["tables"]
    assert body["basis"]["framework"] == "miit2024"
    error_body(c.get("/api/v1/digital/clusters/NOPE/index", headers=w.auth("gov")), 404)


def test_policies_list_and_csv(w: Any) -> None:
    c = w.client()
    body = c.get("/api/v1/policies").json()
    assert body["meta"]["total"] >= 4 and body["meta"]["basis"]["synthetic"] is True
    assert all("rules" in p for p in body["items"])
    r = c.get("/api/v1/policies?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")


def test_policy_firms_are_scoped(w: Any, error_body: Any) -> None:
    c = w.client()
    url = "/api/v1/policies/DEMO-P04/firms"
    admin = c.get(url, headers=w.auth("admin")).json()
    assert A in {f["uscc"] for f in admin["items"]}
    assert c.get(url, headers=w.auth("gov")).json()["meta"]["total"] >= 1
    other = c.get(url, headers=w.auth("gov_other")).json()
    assert A not in {f["uscc"] for f in other["items"]}
    assert other["meta"]["basis"]["scope"] == "440300"
    error_body(c.get(url, headers=w.auth("firm")), 403)
    error_body(c.get("/api/v1/policies/NOPE/firms", headers=w.auth("admin")), 404)


def test_policy_firm_lists_are_audited_with_the_firms(w: Any) -> None:
    # the qualifying list is a read of firm-level records: one audit entry naming the firms
    c = w.client()
    before = w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'policy_firms'")
    body = c.get("/api/v1/policies/DEMO-P04/firms", headers=w.auth("gov")).json()
    listed = {f["uscc"] for f in body["items"]}
    assert listed
    assert w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'policy_firms'") == before + 1
    with w.engine.connect() as conn:
        aid = conn.execute(
            text("SELECT MAX(id) FROM audit_log WHERE action = 'policy_firms'")
        ).scalar()
        named = set(
            conn.execute(
                text("SELECT uscc FROM audit_subjects WHERE audit_id = :a"), {"a": aid}
            ).scalars()
        )
    assert named == listed


def test_policies_of_a_firm(w: Any, error_body: Any) -> None:
    c = w.client()
    body = c.get(f"/api/v1/enterprises/{A}/policies", headers=w.auth("firm")).json()
    assert {"qualified", "narrow_misses", "not_qualified", "basis", "synthetic"} <= set(body)
    lines = [ln for p in body["qualified"] + body["not_qualified"] for ln in p["lines"]]
    assert lines and all({"passed", "reason_zh", "reason_en"} <= set(ln) for ln in lines)
    error_body(c.get(f"/api/v1/enterprises/{B}/policies", headers=w.auth("firm")), 404)
    error_body(c.get("/api/v1/enterprises/000/policies", headers=w.auth("admin")), 404)


def test_evaluation_and_allocation(w: Any, error_body: Any) -> None:
    c = w.client()
    ev = c.get("/api/v1/evaluation/clusters?sort=rank", headers=w.auth("firm")).json()
    assert ev["items"] and {"score", "rank", "advice"} <= set(ev["items"][0])
    assert ev["meta"]["basis"]["synthetic"] is True and ev["meta"]["notes"]
    r = c.get("/api/v1/evaluation/clusters?format=xlsx", headers=w.auth("gov"))
    assert r.status_code == 200
    body = {"budget": 1000, "min": 10, "max": 300, "field_priority": {"biomedicine": 2}}
    r = c.post("/api/v1/evaluation/allocation", json=body, headers=w.auth("gov"))
    assert r.status_code == 200, r.text
    out = r.json()
    total = sum(a["amount"] for a in out["allocation"])
    assert total == pytest.approx(1000, rel=1e-6)
    assert all(a["explanation_zh"] and a["explanation_en"] for a in out["allocation"])
    assert out["basis"]["unit"] == "万元" and "synthetic" in out
    error_body(c.post("/api/v1/evaluation/allocation", json=body, headers=w.auth("cluster")), 403)
    bad = c.post("/api/v1/evaluation/allocation", json={"budget": -1}, headers=w.auth("admin"))
    error_body(bad, 422)
    q = "SELECT COUNT(*) FROM audit_log WHERE action = 'allocation' AND username = 'gov'"
    assert w.count(q) >= 1


def test_innovation_is_public(w: Any, error_body: Any) -> None:
    c = w.client()
    body = c.get("/api/v1/innovation?batches=2021,2022").json()
    assert body["headline"] and body["concentration"] and body["per_cluster"]
    assert body["basis"]["batches"] == [2021, 2022] and "synthetic" in body
    error_body(c.get("/api/v1/innovation?batches=21;x"), 422)
