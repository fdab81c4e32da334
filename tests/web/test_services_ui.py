"""Pages of the services: /digital, /policies, /evaluation, /innovation (zh default, English via
?lang=en), for the right roles; forms carry the CSRF token; no inline scripts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from jiqun.services import policy

A = "91370000728611939A"


@pytest.fixture(scope="module")
def w(world: Any) -> Any:
    policy.load_demo_policies(world.engine)
    return world


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no CSRF field in the page"
    return m.group(1)


def client(w: Any, who: str | None = None) -> TestClient:
    c = TestClient(w.app, follow_redirects=False)
    if who:
        tok = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": who, "password": w.password, "csrf": tok})
        assert r.status_code == 303, r.text[:300]
    return c


def test_nav_and_public_pages(w: Any) -> None:
    c = client(w)
    page = c.get("/innovation")
    assert page.status_code == 200
    assert 'href="/policies"' in page.text and 'href="/digital"' not in page.text
    assert "innovation-headline" in page.text and "innovation-concentration" in page.text
    assert "<script>" not in page.text
    assert "Innovation resources" in c.get("/innovation?lang=en&batches=all").text
    pol = c.get("/policies")
    assert (
        pol.status_code == 200 and "DEMO-P01" in pol.text and "/policies/DEMO-P01" not in pol.text
    )
    for path in ("/digital", "/evaluation"):
        assert c.get(path).status_code in (302, 303, 401), path


def test_enterprise_fills_saves_and_submits(w: Any) -> None:
    c = client(w, "firm")
    page = c.get("/digital")
    assert page.status_code == 200 and 'href="/digital"' in page.text
    assert 'name="network"' in page.text and "digital-index" not in page.text
    tok = csrf_of(page.text)
    r = c.post("/digital", data={"csrf": tok, "network": ["A", "B"], "action": "save"})
    assert r.status_code == 303, r.text[:300]
    res = c.get(r.headers["location"])
    assert res.status_code == 200
    assert "digital-result" in res.text and "digital-roadmap" in res.text
    assert "草稿" in res.text and "digital-form" in res.text  # a draft can be resumed
    assert re.search(r'name="network" value="A" checked', res.text)
    # submitting an incomplete questionnaire shows the unanswered items
    aid = re.search(r'name="id" value="(\d+)"', res.text).group(1)  # type: ignore[union-attr]
    r = c.post("/digital", data={"csrf": tok, "id": aid, "action": "submit"})
    assert r.status_code == 400 and "digital-error" in r.text
    # without the CSRF token the form is refused
    assert c.post("/digital", data={"network": "A"}).status_code == 403


def test_saving_from_the_page_is_audited_on_the_firm(w: Any) -> None:
    c = client(w, "firm")
    tok = csrf_of(c.get("/digital").text)
    loc = c.post("/digital", data={"csrf": tok, "network": "A", "action": "save"}).headers[
        "location"
    ]
    aid = int(loc.rsplit("=", 1)[1])
    with w.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT resource, detail FROM audit_log WHERE action = 'assessment_save'")
        ).all()
    mine = [(r[0], json.loads(r[1])) for r in rows if json.loads(r[1])["assessment_id"] == aid]
    assert mine == [(f"enterprise:{A}", {"assessment_id": aid, "status": "draft"})]


def test_other_enterprise_cannot_open_the_assessment(w: Any) -> None:
    c = client(w, "firm")
    tok = csrf_of(c.get("/digital").text)
    loc = c.post("/digital", data={"csrf": tok, "network": "A"}).headers["location"]
    assert client(w, "firm_other").get(loc).status_code == 404
    assert client(w, "gov").get(loc).status_code == 200


def test_cluster_sees_the_digital_index(w: Any) -> None:
    page = client(w, "cluster").get("/digital")
    assert page.status_code == 200 and "digital-index-levels" in page.text
    assert 'name="network"' not in page.text


def test_enterprise_sees_its_policies(w: Any) -> None:
    page = client(w, "firm").get("/policies")
    assert page.status_code == 200 and "my-policies" in page.text
    assert "✓" in page.text and "✗" in page.text


def test_government_opens_a_qualifying_list(w: Any) -> None:
    c = client(w, "gov")
    assert "/policies/DEMO-P04" in c.get("/policies").text
    page = c.get("/policies/DEMO-P04")
    assert page.status_code == 200 and A in page.text
    assert client(w, "firm").get("/policies/DEMO-P04").status_code == 403
    assert c.get("/policies/NOPE").status_code == 404


def test_evaluation_and_allocation_form(w: Any) -> None:
    c = client(w, "gov")
    page = c.get("/evaluation")
    assert page.status_code == 200 and "evaluation-table" in page.text
    r = c.post(
        "/evaluation", data={"csrf": csrf_of(page.text), "budget": "1000", "max_amount": "300"}
    )
    assert r.status_code == 200 and "allocation-table" in r.text
    firm = client(w, "firm").get("/evaluation")
    assert firm.status_code == 200 and 'name="budget"' not in firm.text
    assert (
        client(w, "firm").post("/evaluation", data={"csrf": csrf_of(firm.text), "budget": "5"})
    ).status_code == 403
