"""The Word report downloads: ``/clusters/{id}/report.docx``, ``/regions/{code}/report.docx`` and
their REST twins: status, content type, file name, access, and the same numbers as the page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from jiqun.services.report_docx import DOCX_MEDIA_TYPE, LOGIN_NOTE

CLUSTER = "NC2022-04"
PASSWORD = "report-test-password-1"


@pytest.fixture(scope="module")
def site(demo_copy: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from jiqun.services import accounts
    from jiqun.store.db import engine_for, make_engine
    from jiqun.web.app import create_app

    url = demo_copy.copy(name="report-db")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIQUN_DATABASE_URL", url)
    mp.setenv("JIQUN_DATA_DIR", str(tmp_path_factory.mktemp("report-data")))
    engine_for.cache_clear()
    eng = make_engine(url)
    accounts.add_user("rep_admin", "admin", PASSWORD, None, eng)
    try:
        yield eng, create_app(eng)
    finally:
        eng.dispose()
        engine_for.cache_clear()
        mp.undo()
        demo_copy.drop(url)


def _client(site: Any) -> TestClient:
    return TestClient(site[1], follow_redirects=False)


def _token(c: TestClient) -> dict[str, str]:
    r = c.post("/api/v1/auth/token", data={"username": "rep_admin", "password": PASSWORD})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _doc(body: bytes) -> Any:
    return docx.Document(io.BytesIO(body))


def _all_text(d: Any) -> str:
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _row(d: Any, first: str) -> list[str]:
    for t in d.tables:
        for row in t.rows:
            if row.cells[0].text == first:
                return [c.text for c in row.cells]
    raise AssertionError(f"no table row {first!r}")


@pytest.mark.db
def test_anonymous_download_is_the_public_version(site: Any) -> None:
    c = _client(site)
    page = c.get(f"/clusters/{CLUSTER}").text
    assert f'href="/clusters/{CLUSTER}/report.docx"' in page and 'id="report-download"' in page
    r = c.get(f"/clusters/{CLUSTER}/report.docx")
    assert r.status_code == 200
    assert r.headers["content-type"] == DOCX_MEDIA_TYPE
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment;") and f"{CLUSTER}.docx" in cd and "filename*=UTF-8''" in cd
    d = _doc(r.content)
    body = _all_text(d)
    assert LOGIN_NOTE in body and "公开版本" in body
    assert "主导产业专业化与趋势" not in body
    # the headline figure of the public page: its count of innovation carriers
    kpi = re.search(r"<b>(\d+)</b><span>创新载体</span>", page)
    assert kpi, "no carrier KPI on the page"
    assert _row(d, "创新载体") == ["创新载体", kpi.group(1)]
    api = c.get(f"/api/v1/clusters/{CLUSTER}/report.docx")
    assert api.status_code == 200 and api.headers["content-type"] == DOCX_MEDIA_TYPE
    assert LOGIN_NOTE in _all_text(_doc(api.content))


@pytest.mark.db
def test_logged_in_report_has_the_apis_numbers_and_audits_the_hot_spots(site: Any) -> None:
    eng = site[0]
    c = _client(site)
    auth = _token(c)
    diag = c.get(f"/api/v1/clusters/{CLUSTER}/diagnosis", headers=auth).json()
    before = _count(eng, "SELECT COUNT(*) FROM audit_log WHERE action = 'read_hot_spots'")
    r = c.get(f"/api/v1/clusters/{CLUSTER}/report.docx", headers=auth)
    assert r.status_code == 200
    d = _doc(r.content)
    body = _all_text(d)
    assert LOGIN_NOTE not in body and "主导产业专业化与趋势" in body
    assert len(d.inline_shapes) >= 3
    # a headline figure: each member city's LQ of the leading industries, page/API vs report
    for m in diag["tables"]["members"]["rows"]:
        row = _row(d, m["region_name"])
        assert float(row[6].replace(",", "")) == pytest.approx(m["leading_lq"], abs=5e-4)
    after = _count(eng, "SELECT COUNT(*) FROM audit_log WHERE action = 'read_hot_spots'")
    assert after == before + 1


def _count(eng: Any, sql: str) -> int:
    with eng.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


@pytest.mark.db
def test_region_download_and_errors(site: Any) -> None:
    c = _client(site)
    page = c.get("/regions/320200").text
    assert 'href="/regions/320200/report.docx"' in page
    r = c.get("/regions/320200/report.docx")
    assert r.status_code == 200 and r.headers["content-type"] == DOCX_MEDIA_TYPE
    d = _doc(r.content)
    assert d.paragraphs[0].text == "无锡市 产业集群报告"
    r = c.get("/api/v1/regions/320200/report.docx", headers=_token(c))
    assert r.status_code == 200 and len(_doc(r.content).inline_shapes) == 2
    assert c.get("/api/v1/regions/999999/report.docx").status_code == 404
    assert c.get("/api/v1/regions/abc/report.docx").status_code == 422
    assert c.get("/api/v1/clusters/NOPE/report.docx").status_code == 404
    assert c.get("/clusters/NOPE/report.docx").status_code == 404
