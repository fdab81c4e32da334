"""The ``/planning`` page on the small demo (src/jiqun/web/ui_planning.py)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jiqun.services import accounts


def _visible(html: str) -> str:
    body = html.split("<main", 1)[-1]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_planning_page_zh_and_en(demo_engine: Engine) -> None:
    from jiqun.web.app import create_app

    c = TestClient(create_app(demo_engine))
    p = accounts.add_user("js_gov", "government", "correct-horse-battery", "320000", demo_engine)
    tok = accounts.issue_token(p, demo_engine)
    h = {"Authorization": f"Bearer {tok}"}
    r = c.get("/planning")
    assert r.status_code == 200
    assert "NC2022-06" in r.text  # a multi-city cluster offered
    r = c.get("/planning?cluster=NC2022-06&chain=biomedicine", headers=h)
    assert r.status_code == 200, r.text
    assert 'id="planning-heatmap"' in r.text and "●" in r.text
    text = _visible(r.text)
    for word in ("城市定位", "每项分工的依据", "方案带来的变化", "无锡"):
        assert word in text
    # no English sentences or internal keys on the zh page
    for bad in ("best_advantage", "limit_binding", "registry", "None", "nan", " / "):
        assert bad not in text, bad
    assert not re.search(r"\b(the|and|of)\b", text), re.findall(
        r".{30}\b(?:the|and|of)\b.{30}", text
    )
    r = c.get("/planning?cluster=NC2022-06&chain=biomedicine&lang=en", headers=h)
    assert r.status_code == 200
    assert "Why each city leads what" in r.text
    en = re.sub(r'<([a-z]+)[^>]*lang="zh[^"]*"[^>]*>.*?</\1>', " ", r.text, flags=re.S)
    han = re.findall(r".{20}[\u4e00-\u9fff]+.{20}", _visible(en))
    assert not han, han[:5]
    # an infeasible request: the page says which limit cannot hold
    r = c.get("/planning?cluster=NC2022-06&chain=biomedicine&max_segments=1", headers=h)
    assert r.status_code == 422
    assert "max_segments=1" in r.text
