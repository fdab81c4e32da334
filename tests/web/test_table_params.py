"""The table parameters every list endpoint shares (``TablePage``/``Paging`` in
:mod:`jiqun.web.api_common`) and their one response helper."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from fastapi import FastAPI

from jiqun.web.api_common import TableParams


def _params(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}


def _schema(p: dict[str, Any]) -> dict[str, Any]:
    s = p["schema"]
    return s.get("anyOf", [s])[0] | {k: v for k, v in s.items() if k != "anyOf"}


def test_every_table_endpoint_documents_the_same_paging(app: FastAPI) -> None:
    ops = [
        (path, op)
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
        if method == "get"
        and "limit" in _params(op)
        # completions, not tables: the best ``limit`` matches of a typed text, no pages
        and path not in ("/api/v1/search", "/api/v1/suggest")
    ]
    assert len(ops) >= 20, [p for p, _ in ops]
    for path, op in ops:
        q = _params(op)
        limit, offset, fmt = _schema(q["limit"]), _schema(q["offset"]), _schema(q["format"])
        assert (limit["type"], limit["minimum"], limit["maximum"], limit["default"]) == (
            "integer",
            1,
            1000,
            100,
        ), path
        assert (offset["minimum"], offset["maximum"], offset["default"]) == (0, 10_000_000, 0)
        assert (fmt["enum"], fmt["default"]) == (["json", "csv", "xlsx"], "json"), path
        if "sort" in q and "enum" not in _schema(q["sort"]):
            assert _schema(q["sort"])["maxLength"] == 40, path


def test_a_page_in_json_and_the_whole_table_as_csv() -> None:
    df = pd.DataFrame({"code": ["b", "a", "c"], "v": [2, 1, 3]})
    page = TableParams(limit=2, offset=1, sort="-v").page(df, "t", "code", {"basis": "x"})
    body = json.loads(bytes(page.body))
    assert body["items"] == [{"code": "b", "v": 2}, {"code": "a", "v": 1}]
    assert body["meta"] == {"total": 3, "limit": 2, "offset": 1, "basis": "x"}
    csv = TableParams(limit=1, format="csv").page(df, "t", "code")
    assert bytes(csv.body).decode("utf-8-sig").splitlines() == ["code,v", "a,1", "b,2", "c,3"]
    assert TableParams(limit=1, format="csv").window() == {"limit": None, "offset": 0}
    assert TableParams(limit=5, offset=10).window() == {"limit": 5, "offset": 10}
