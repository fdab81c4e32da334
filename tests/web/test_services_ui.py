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


#: the placeholder options the questionnaire used to show instead of questions a firm can answer
PLACEHOLDER = re.compile(r"举措[A-Z]|制度[A-Z]|第\d档|measure [A-Z]|rule [A-Z]|grade \d")


def test_questionnaire_asks_answerable_options_and_says_they_are_jiqun_wording(w: Any) -> None:
    c = client(w, "firm")
    zh = c.get("/digital").text
    assert not PLACEHOLDER.search(zh)
    assert "完成网络安全等级保护备案或测评" in zh
    note = re.search(r'<p class="muted options-note" id="note-network_security">([^<]*)</p>', zh)
    assert note, "no note under 网络安全"
    assert note.group(1) == (
        "选项为本平台表述，非评测指标原文；计分与原指标相同：每项 1.25 分，满分 5 分"
    )
    assert "计分与原指标相同：每项 1.875 分，满分 7.5 分" in zh  # 管理机制
    assert "计分与原指标相同：每项 1.5 分，满分 7.5 分" in zh  # 人才建设
    assert "依次 1.5/3/4.5/6/7.5 分，满分 7.5 分" in zh  # 规划实施
    assert zh.count('class="muted options-note"') == 5  # only the items Jiqun words
    en = c.get("/digital?lang=en").text
    assert not PLACEHOLDER.search(en)
    assert "filed for or passed a classified-protection (MLPS) cybersecurity assessment" in en
    assert (
        "options in Jiqun&#39;s own words, not the indicators&#39; original text; scored as the "
        "official item: 1.25 points each, 5 points at most"
    ) in en


def test_my_assessments_show_times_to_the_second(w: Any) -> None:
    c = client(w, "firm")
    tok = csrf_of(c.get("/digital").text)
    c.post("/digital", data={"csrf": tok, "network": "A", "action": "save"})
    page = c.get("/digital").text
    mine = page[page.index('id="digital-mine"') :]
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", mine)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", page)


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
