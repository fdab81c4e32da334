"""Web pages of the matchmaking service: /matching (board, posting forms, searches)."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from fastapi.testclient import TestClient

from jiqun.services import matching

HX = {"HX-Request": "true"}


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:300]
    return m.group(1)


def _login(world: Any, who: str) -> tuple[TestClient, str]:
    c = world.client()
    tok = _csrf(c.get("/login").text)
    r = c.post(
        "/login",
        data={"username": who, "password": world.password, "csrf": tok, "next": "/matching"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    page = c.get("/matching")
    assert page.status_code == 200, page.text[:300]
    return c, _csrf(page.text)


def test_public_is_sent_to_login(world: Any) -> None:
    r = world.client().get("/matching", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert 'href="/matching"' not in world.client().get("/").text


def test_board_page_zh_and_en(world: Any) -> None:
    matching.post_capability(
        {"uscc": world.firms["E"], "products": "林木种苗 苗木"}, engine=world.engine, synthetic=True
    )
    c, _ = _login(world, "gov")
    html = c.get("/matching").text
    assert "供需对接" in html and 'href="/matching"' in html
    assert "林木种苗" in html and "模拟数据" in html  # the synthetic marker
    assert "同一集群其他成员地区" in html  # the cross-region switch explained
    assert 'id="need-form"' not in html  # a government account posts nothing
    assert "<script>" not in html and "onclick" not in html
    en = c.get("/matching?lang=en").text
    assert "prefer partners in other member regions of the same cluster" in en
    assert "Supplier search" in en and "Partner search" in en
    filtered = c.get("/matching?q=不存在的产品xyz").text
    assert "林木种苗" not in filtered


def test_enterprise_posts_and_closes_a_need(world: Any) -> None:
    c, tok = _login(world, "firm")
    html = c.get("/matching").text
    assert 'id="need-form"' in html and 'id="capability-form"' in html
    r = c.post(
        "/matching/needs",
        data={"text": "功率半导体 芯片", "industry_code": "3973", "csrf": tok},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    html = c.get("/matching").text
    assert "功率半导体 芯片" in html
    need_id = max(matching.list_needs(engine=world.engine)["id"])
    assert f'action="/matching/needs/{need_id}/close"' in html
    r = c.post(f"/matching/needs/{need_id}/close", data={"csrf": tok}, follow_redirects=False)
    assert r.status_code == 303
    assert "功率半导体 芯片" not in c.get("/matching").text
    # a validation error is a bilingual error page; without the CSRF token, refused
    bad = c.post("/matching/needs", data={"text": "x", "quantity": "-1", "csrf": tok})
    assert bad.status_code == 400 and "quantity" in bad.text
    assert c.post("/matching/needs", data={"text": "芯片"}).status_code == 403


def test_enterprise_posts_a_capability_with_its_optional_fields(world: Any) -> None:
    c, tok = _login(world, "firm")
    r = c.post(
        "/matching/capabilities",
        data={"products": "碳化硅 外延片", "capacity": "1200", "unit": "片", "csrf": tok},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    caps = matching.list_capabilities(engine=world.engine)
    row = caps.loc[caps["products"] == "碳化硅 外延片"].iloc[0]
    assert row["uscc"] == world.firms["A"] and row["unit"] == "片"
    assert float(row["capacity"]) == 1200.0
    assert pd.isna(row["industry_code"])  # an empty optional field is stored as missing
    # every field keeps its length limit: one character over is refused, nothing is posted
    n = len(matching.list_capabilities(engine=world.engine))
    for path, data in (
        ("/matching/capabilities", {"products": "x" * 501}),
        ("/matching/capabilities", {"products": "x", "region_code": "1234567"}),
        ("/matching/needs", {"text": "x", "deadline": "2027-01-011"}),
        ("/matching/needs", {"text": "x", "certifications": "c" * 301}),
    ):
        bad = c.post(path, data={**data, "csrf": tok}, follow_redirects=False)
        assert bad.status_code in (400, 422), (path, bad.status_code)
    assert len(matching.list_capabilities(engine=world.engine)) == n


def test_other_firm_cannot_close(world: Any) -> None:
    need_id = matching.post_need({"uscc": world.firms["A"], "text": "芯片"}, engine=world.engine)
    c, tok = _login(world, "firm_other")
    assert f'action="/matching/needs/{need_id}/close"' not in c.get("/matching").text
    r = c.post(f"/matching/needs/{need_id}/close", data={"csrf": tok})
    assert r.status_code == 403


def test_supplier_search_shows_every_component(world: Any) -> None:
    c, tok = _login(world, "gov_other")
    r = c.post(
        "/matching/suppliers",
        data={"text": "集成电路", "industry_code": "3973", "region": "440300",
              "cross_region": "true", "csrf": tok},
        headers=HX,
    )  # fmt: skip
    assert r.status_code == 200, r.text[:300]
    html = r.text
    assert "山东示例集成电路有限公司" in html and "总分" in html
    for label in ("行业", "文本", "产能", "距离"):
        assert label in html
    assert "🔒" in html  # 深圳 government may not read A's revenue
    assert "×w" in html
    bad = c.post("/matching/suppliers", data={"text": "x", "region": "abc", "csrf": tok})
    assert bad.status_code == 400


def test_need_suppliers_and_partners(world: Any) -> None:
    need_id = matching.post_need(
        {"uscc": world.firms["B"], "text": "集成电路", "industry_code": "3973"},
        engine=world.engine,
    )
    c, _ = _login(world, "admin")
    r = c.get(f"/matching/needs/{need_id}/suppliers?cross_region=true", headers=HX)
    assert r.status_code == 200 and "山东示例集成电路有限公司" in r.text
    assert "🔒" not in r.text  # admin sees all financials
    r = c.get("/matching/partners?keywords=集成电路&home_region=440300", headers=HX)
    assert r.status_code == 200 and "合作伙伴" in r.text
    audit = "SELECT COUNT(*) FROM audit_log WHERE action IN ('match_suppliers', 'match_partners')"
    assert world.count(audit) >= 2
