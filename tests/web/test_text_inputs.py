"""Control characters entering through the API, the web forms and imports are refused.

A CSV with a NUL used to validate with 0 errors, be stored on SQLite, fail with a 500 on
PostgreSQL and then break the .xlsx exports; a NUL in a grant request reached the audit log and
broke the audit export.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl

from jiqun.services import access

HEADER = "统一社会信用代码,企业名称,所在地区代码,行业代码"


def _details(resp: Any, error_body: Any) -> list[dict[str, str]]:
    err = error_body(resp, 422, "invalid_request")
    return err["details"]


def test_grant_with_a_nul_is_422_naming_field_value_and_reason(world: Any, error_body: Any) -> None:
    c = world.client("10.8.0.1")
    body = {
        "uscc": world.firms["A"],
        "grantee_organisation_id": world.orgs["observer"],
        "purpose": "审计\x00用途",
    }
    n0 = world.count("SELECT COUNT(*) FROM grants")
    details = _details(c.post("/api/v1/grants", json=body, headers=world.auth("firm")), error_body)
    assert [d["field"] for d in details] == ["body.purpose"]
    reason = details[0]["reason"]
    assert "U+0000" in reason and "审计\\x00用途" in reason and "控制字符" in reason
    for ch in ("\x01", "\x1b", "\x7f"):  # not only NUL
        body["purpose"] = f"用途{ch}"
        r = c.post("/api/v1/grants", json=body, headers=world.auth("firm"))
        assert _details(r, error_body)[0]["field"] == "body.purpose"
    assert world.count("SELECT COUNT(*) FROM grants") == n0
    bad_code = {**body, "purpose": None, "uscc": world.firms["A"][:17] + "\x00"}
    r = c.post("/api/v1/grants", json=bad_code, headers=world.auth("firm"))
    assert _details(r, error_body)[0]["field"] == "body.uscc"


def test_multi_line_fields_keep_line_breaks_single_line_fields_refuse_them(
    world: Any, error_body: Any
) -> None:
    c = world.client("10.8.0.2")
    body = {
        "uscc": world.firms["A"],
        "grantee_organisation_id": world.orgs["observer"],
        "purpose": "第一行\n第二行\t备注",
    }
    ok = c.post("/api/v1/grants", json=body, headers=world.auth("firm"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["purpose"] == "第一行\n第二行\t备注"
    c.delete(f"/api/v1/grants/{ok.json()['id']}", headers=world.auth("firm"))
    user = {"username": "tab\tname", "password": "a-long-password", "role": "government"}
    r = c.post("/api/v1/users", json=user, headers=world.auth("admin"))
    assert _details(r, error_body)[0]["field"] == "body.username"


def test_every_request_body_is_checked_nested_values_included(world: Any, error_body: Any) -> None:
    c = world.client("10.8.0.3")
    need = {"uscc": world.firms["A"], "text": "芯片\x1b封装", "industry_code": "3973"}
    r = c.post("/api/v1/matching/needs", json=need, headers=world.auth("firm"))
    assert _details(r, error_body)[0]["field"] == "body.text"
    need = {"uscc": world.firms["A"], "text": "芯片", "certifications": ["ISO\x009001"]}
    r = c.post("/api/v1/matching/needs", json=need, headers=world.auth("firm"))
    assert _details(r, error_body)[0]["field"] == "body.certifications"
    a = {"uscc": world.firms["A"], "answers": {"network": ["A\x00"]}}
    r = c.post("/api/v1/digital/assessments", json=a, headers=world.auth("firm"))
    assert _details(r, error_body)[0]["field"] == "body.answers"


def test_form_fields_path_and_query_are_checked(world: Any, error_body: Any) -> None:
    c = world.client("10.8.0.4")
    err = error_body(c.get("/api/v1/published", params={"cluster": "a\x01b"}), 400)
    assert "U+0001" in err["message_en"] and "query.cluster" in err["message_en"]
    err = error_body(
        c.post("/api/v1/auth/token", data={"username": "gov\x00", "password": "x" * 10}), 400
    )
    assert "NUL" in err["message_en"] and "form.username" in err["message_en"]


def test_ui_grant_form_with_a_control_character_stores_nothing(world: Any) -> None:
    c = world.client("10.8.0.5")
    page = c.post("/login", data={"username": "firm", "password": world.password})
    assert page.status_code in (200, 303)
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get(f"/enterprises/{world.firms['A']}").text)
    assert tok
    n0 = world.count("SELECT COUNT(*) FROM grants")
    r = c.post(
        f"/enterprises/{world.firms['A']}/grants",
        data={"csrf": tok.group(1), "organisation_id": world.orgs["observer"], "purpose": "x\x01"},
        follow_redirects=False,
    )
    assert r.status_code == 400
    assert world.count("SELECT COUNT(*) FROM grants") == n0


def test_control_characters_reaching_the_audit_log_keep_it_exportable(world: Any) -> None:
    access.audit(
        None,
        "grant_create",
        f"enterprise:{world.firms['A'][:17]}\x00",
        "denied",
        detail="purpose x\x00y\x7f",
        client="10.8.0.6\x01",
        engine=world.engine,
    )
    r = world.client().get(
        "/api/v1/audit", params={"format": "xlsx", "limit": 5}, headers=world.auth("admin")
    )
    assert r.status_code == 200, r.text[:300]
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0].values)
    assert any(f"enterprise:{world.firms['A'][:17]}\\x00" in map(str, row) for row in rows)


def test_csv_with_a_nul_is_refused_and_the_xlsx_exports_keep_working(
    world: Any, error_body: Any, tmp_path: Path
) -> None:
    from jiqun.services.exporting import export_kind

    uscc = "91320200MA1T09018H"  # valid check characters, not in the seed data
    csv = f"{HEADER}\n{uscc},无锡空字符\x00有限公司,320211,3973\n".encode()
    c = world.client("10.8.0.7")
    rep = c.post(
        "/api/v1/imports",
        files={"file": ("nul.csv", csv, "text/csv")},
        data={"kind": "enterprises"},
        headers=world.auth("admin"),
    )
    assert rep.status_code == 201, rep.text
    out = rep.json()
    assert out["error_rows"] == 1
    (p,) = [p for p in out["problems"] if p["severity"] == "error"]
    assert (p["row"], p["rule"], p["value"]) == (2, "text.control", "无锡空字符\\x00有限公司")
    err = error_body(
        c.post(f"/api/v1/imports/{out['id']}/commit", headers=world.auth("admin")), 422
    )
    assert err["problems"][0]["rule"] == "text.control"
    assert world.count("SELECT COUNT(*) FROM enterprises WHERE uscc = :u", u=uscc) == 0
    x = c.get("/api/v1/enterprises", params={"format": "xlsx"}, headers=world.auth("admin"))
    assert x.status_code == 200
    assert export_kind("enterprises", tmp_path / "e.xlsx", world.engine) >= 5


def test_strings_nested_in_a_body_have_a_length_limit(world: Any, error_body: Any) -> None:
    c = world.client("10.8.0.8")
    a = {"uscc": world.firms["A"], "answers": {"network": ["甲" * 2001]}}
    r = c.post("/api/v1/digital/assessments", json=a, headers=world.auth("firm"))
    details = _details(r, error_body)
    assert details[0]["field"] == "body.answers" and "at most 2000" in details[0]["reason"]


def test_a_control_character_stored_before_the_rule_does_not_break_the_exports(
    world: Any, tmp_path: Path
) -> None:
    """Records stored by an earlier version may hold one (SQLite accepted NUL)."""
    import pytest
    from sqlalchemy import text

    from jiqun.services.exporting import export_kind

    if world.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL never stored a NUL")
    uscc = world.firms["E"]
    with world.engine.begin() as c:
        old = c.execute(text("SELECT address FROM enterprises WHERE uscc = :u"), {"u": uscc})
        before = old.scalar()
        c.execute(
            text("UPDATE enterprises SET address = :a WHERE uscc = :u"),
            {"a": "无锡\x00新吴\x1b区", "u": uscc},
        )
    try:
        export_kind("enterprises", tmp_path / "e.xlsx", world.engine)
        rows = list(openpyxl.load_workbook(tmp_path / "e.xlsx").worksheets[0].values)
        assert any("无锡\\x00新吴\\x1b区" in map(str, r) for r in rows)
        x = world.client().get(
            "/api/v1/enterprises", params={"format": "xlsx"}, headers=world.auth("admin")
        )
        assert x.status_code == 200
    finally:
        with world.engine.begin() as c:
            c.execute(
                text("UPDATE enterprises SET address = :a WHERE uscc = :u"),
                {"a": before, "u": uscc},
            )
