"""REST API of the matchmaking service: board, supplier lists, supplier and partner search."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

URL = "/api/v1/matching"


@pytest.fixture(scope="module")
def leader(world: Any) -> str:
    """Firm A is a chain leader on record (tag), for the supplier-list tests."""
    with world.engine.begin() as c:
        c.execute(
            text("UPDATE enterprises SET tags = 'chain_leader' WHERE uscc = :u"),
            {"u": world.firms["A"]},
        )
    return str(world.firms["A"])


def _post_need(world: Any, who: str = "firm", **kw: Any) -> Any:
    body = {"text": "集成电路 芯片", "industry_code": "3973", **kw}
    return world.client().post(f"{URL}/needs", json=body, headers=world.auth(who))


def test_post_list_and_close_a_need(world: Any) -> None:
    c = world.client()
    r = _post_need(world, quantity=100, unit="件")
    assert r.status_code == 201, r.text
    need_id = r.json()["id"]
    items = c.get(f"{URL}/needs", headers=world.auth("gov_other")).json()["items"]
    mine = next(i for i in items if i["id"] == need_id)
    assert mine["uscc"] == world.firms["A"] and mine["status"] == "open" and mine["name"]
    csv = c.get(f"{URL}/needs?format=csv", headers=world.auth("gov")).content
    assert csv.startswith(b"\xef\xbb\xbf") and "集成电路".encode() in csv
    xlsx = c.get(f"{URL}/needs?format=xlsx&q=芯片", headers=world.auth("gov")).content
    assert len(pd.read_excel(io.BytesIO(xlsx), engine="openpyxl")) >= 1
    r = c.post(
        f"{URL}/needs/{need_id}/close", json={"reason": "已找到"}, headers=world.auth("firm")
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    closed = c.get(f"{URL}/needs?status=closed", headers=world.auth("firm")).json()["items"]
    assert any(i["id"] == need_id and i["close_reason"] == "已找到" for i in closed)
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'match_need_post'") >= 1


def test_need_validation_errors_are_bilingual(world: Any, error_body: Any) -> None:
    err = error_body(_post_need(world, text="", quantity=-5), 400, "invalid")
    assert {p["column"] for p in err["problems"]} >= {"text", "quantity"}
    error_body(_post_need(world, "admin", uscc="91110108551385082X"), 400)  # bad check digit
    r = world.client().post(f"{URL}/needs", json={"uscc": 5}, headers=world.auth("firm"))
    error_body(r, 422, "invalid_request")
    r = world.client().get(f"{URL}/needs?status=maybe", headers=world.auth("firm"))
    error_body(r, 422, "invalid_request")


def test_need_access(world: Any, error_body: Any) -> None:
    error_body(_post_need(world, "public"), 401)
    error_body(_post_need(world, "firm", uscc=world.firms["B"]), 403, "forbidden")
    error_body(_post_need(world, "gov", uscc=world.firms["A"]), 403)
    assert _post_need(world, "admin", uscc=world.firms["B"]).status_code == 201
    need_id = _post_need(world, "firm").json()["id"]
    c = world.client()
    error_body(c.post(f"{URL}/needs/{need_id}/close", headers=world.auth("firm_other")), 403)
    error_body(c.post(f"{URL}/needs/{need_id}/close", headers=world.auth("cluster")), 403)
    error_body(c.post(f"{URL}/needs/999999/close", headers=world.auth("admin")), 404)
    assert c.post(f"{URL}/needs/{need_id}/close", headers=world.auth("admin")).status_code == 200
    error_body(c.post(f"{URL}/needs/{need_id}/close", headers=world.auth("admin")), 400)
    error_body(c.get(f"{URL}/needs"), 401)


def test_capabilities(world: Any, error_body: Any) -> None:
    c = world.client()
    body = {"products": "集成电路 晶圆 芯片封装", "industry_code": "3973", "capacity": 5000}
    body["unit"] = "件"
    r = c.post(f"{URL}/capabilities", json=body, headers=world.auth("firm_other"))
    assert r.status_code == 201, r.text
    cap_id = r.json()["id"]
    items = c.get(f"{URL}/capabilities?industry_code=39", headers=world.auth("cluster")).json()
    assert any(i["id"] == cap_id for i in items["items"])
    error_body(c.post(f"{URL}/capabilities", json=body, headers=world.auth("gov")), 403)
    bad = {**body, "products": "", "capacity": -1}
    error_body(c.post(f"{URL}/capabilities", json=bad, headers=world.auth("firm")), 400)
    error_body(c.post(f"{URL}/capabilities/{cap_id}/close", headers=world.auth("firm")), 403)
    error_body(c.post(f"{URL}/capabilities/999999/close", headers=world.auth("firm")), 404)


def test_supplier_lists(world: Any, leader: str, error_body: Any) -> None:
    c = world.client()
    body = {"name": "2026 核心供应商", "suppliers": [world.firms["D"], world.firms["E"]]}
    r = c.post(f"{URL}/supplier-lists", json=body, headers=world.auth("firm"))
    assert r.status_code == 201, r.text
    rows = c.get(f"{URL}/supplier-lists", headers=world.auth("gov_other")).json()["items"]
    assert any(i["id"] == r.json()["id"] and i["suppliers"] == 2 for i in rows)
    # firm B is not a chain leader: the service refuses (400, with the rule)
    err = error_body(
        c.post(f"{URL}/supplier-lists", json=body, headers=world.auth("firm_other")), 400
    )
    assert "chain" in err["message_en"] or "链主" in err["message_zh"]
    other = {**body, "leader_uscc": world.firms["B"]}
    error_body(c.post(f"{URL}/supplier-lists", json=other, headers=world.auth("firm")), 403)
    error_body(c.post(f"{URL}/supplier-lists", json=body, headers=world.auth("gov")), 403)
    admin = {**body, "leader_uscc": leader, "suppliers": ["123"]}
    err = error_body(c.post(f"{URL}/supplier-lists", json=admin, headers=world.auth("admin")), 400)
    assert err["problems"][0]["column"] == "supplier_uscc"
    error_body(c.get(f"{URL}/supplier-lists"), 401)


def test_suppliers_for_a_need_with_components_and_financials(world: Any, leader: str) -> None:
    c = world.client()
    need_id = _post_need(world, "admin", uscc=world.firms["B"]).json()["id"]
    r = c.get(f"{URL}/needs/{need_id}/suppliers?top=5", headers=world.auth("firm"))
    assert r.status_code == 200, r.text
    body = r.json()
    meta, items = body["meta"], body["items"]
    assert set(meta["components"]) >= {"code", "text", "region"} and meta["weights"]
    assert items and items[0]["rank"] == 1
    for comp in meta["components"]:
        assert comp in items[0] and f"{comp}_pts" in items[0]
    # total = Σ of the points shown (firm A may not read buyer B: distances are withheld)
    shown = sum(items[0][f"{k}_pts"] or 0.0 for k in meta["components"])
    assert abs(items[0]["total"] - shown) < 1e-9
    assert items[0]["distance_pts"] is None and "distance" in items[0]["withheld"]
    for it in items:  # firm A sees its own revenue only
        assert (it["revenue"] is not None) == (it["uscc"] == world.firms["A"]), it
    admin = c.get(f"{URL}/needs/{need_id}/suppliers", headers=world.auth("admin")).json()
    assert all(it["financials_visible"] for it in admin["items"])
    top = admin["items"][0]
    assert abs(top["total"] - sum(top[f"{k}_pts"] for k in meta["components"])) < 1e-9
    r = c.get(
        f"{URL}/needs/{need_id}/suppliers?cross_region=true&format=csv", headers=world.auth("gov")
    )
    assert r.status_code == 200 and b"total" in r.content
    q = "SELECT COUNT(*) FROM audit_log WHERE action = 'match_suppliers' AND resource = :r"
    assert world.count(q, r=f"need:{need_id}") == 3


def test_suppliers_errors(world: Any, error_body: Any) -> None:
    c = world.client()
    error_body(c.get(f"{URL}/needs/999999/suppliers", headers=world.auth("gov")), 404)
    error_body(c.get(f"{URL}/needs/1/suppliers?top=0", headers=world.auth("gov")), 422)
    error_body(c.get(f"{URL}/needs/1/suppliers"), 401)
    r = c.post(f"{URL}/suppliers", json={"text": ""}, headers=world.auth("gov"))
    error_body(r, 400)  # nothing to search by
    r = c.post(
        f"{URL}/suppliers", json={"text": "芯片", "region": "abc"}, headers=world.auth("gov")
    )
    error_body(r, 422, "invalid_request")
    error_body(c.post(f"{URL}/suppliers", json={"text": "芯片"}), 401)


def test_adhoc_supplier_search(world: Any) -> None:
    body = {"text": "集成电路", "industry_code": "3973", "region": "440300", "cross_region": True}
    r = world.client().post(f"{URL}/suppliers", json=body, headers=world.auth("gov_other"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    by = {i["uscc"]: i for i in items}
    assert by[world.firms["A"]]["revenue"] is None  # 深圳 government may not read 无锡's A
    assert by[world.firms["B"]]["revenue"] is not None  # B (深圳) is in its scope
    assert "cross_region" in items[0] and "distance" in items[0]


def test_partner_search(world: Any, error_body: Any) -> None:
    c = world.client()
    r = c.get(
        f"{URL}/partners?keywords=集成电路&home_region=440300", headers=world.auth("firm_other")
    )
    assert r.status_code == 200, r.text
    meta = r.json()["meta"]
    assert meta["components"] == ["text", "innovation", "region"]
    assert all(i["uscc"] != world.firms["B"] for i in r.json()["items"])
    error_body(c.get(f"{URL}/partners?keywords=x"), 401)
    error_body(c.get(f"{URL}/partners?home_region=44", headers=world.auth("gov")), 422)
    error_body(c.get(f"{URL}/partners", headers=world.auth("gov")), 400)
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'match_partners'") >= 1
