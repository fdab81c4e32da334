"""One question, one answer: the evaluation table, the chain table and the diagnosis numbers of
several clusters are identical in the CLI's JSON, the REST API's JSON and the web page.

One copy of the session's small demo (tests/conftest.py), an admin account (who may see every
figure, so no disclosure control makes the interfaces differ by design), the CLI through
Typer's CliRunner on the same database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jiqun.cli.app import app as cli
from jiqun.web.ui import fmt_cell, fmt_num, fmt_pct

pytestmark = pytest.mark.db

PASSWORD = "one-answer-password-1"
#: cluster → a chain template of its field
CLUSTERS = {
    "NC2021-03": "integrated_circuits",  # 上海市集成电路集群
    "NC2021-13": "carbon_fibre",  # 常州市新型碳材料集群
    "NC2022-12": "rare_earth_magnets",  # 赣州市稀土新材料及应用集群
}


World = Any  # tests/conftest.py AdminWorld: engine, client, headers


@pytest.fixture(scope="module")
def world(admin_world: Any) -> Iterator[World]:
    with admin_world("one-answer", "oa_admin", PASSWORD) as w:
        yield w


class _Tables(HTMLParser):
    """The cell texts of every ``<table id=...>`` of a page: id → rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._id: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._id = a["id"]
            self.tables[self._id] = []
        elif tag == "tbody" and self._id:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._id:
            self.tables[self._id].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _page_tables(html: str) -> dict[str, list[list[str]]]:
    p = _Tables()
    p.feed(html)
    return p.tables


def _cli_json(args: list[str]) -> dict[str, Any]:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output[-2000:]
    return json.loads(r.stdout)


def _cli_file(args: list[str], path: Path) -> dict[str, Any]:
    r = CliRunner().invoke(cli, [*args, "--out", str(path)])
    assert r.exit_code == 0, r.output[-2000:]
    return json.loads(path.read_text(encoding="utf-8"))


def test_evaluation_is_one_answer(world: World) -> None:
    cli_doc = _cli_json(["evaluate", "clusters", "--json"])
    api = world.client.get("/api/v1/evaluation/clusters?limit=1000", headers=world.headers).json()
    assert api["meta"]["total"] == len(cli_doc["items"])
    key = ("cluster_id", "year")
    by_cli = {tuple(r[k] for k in key): r for r in cli_doc["items"]}
    by_api = {tuple(r[k] for k in key): r for r in api["items"]}
    assert by_cli == by_api  # every row, every column, every year
    assert cli_doc["basis"] == api["meta"]["basis"] and cli_doc["notes"] == api["meta"]["notes"]
    # the web page: the latest year, the same rank, score, rank change and advice
    latest = max(y for _c, y in by_api)
    rows = _page_tables(world.client.get("/evaluation").text)["evaluation-table"]
    page = {r[1]: r for r in rows}
    shown = [r for (c, y), r in by_api.items() if y == latest]
    assert len(rows) == len(shown)
    insufficient = 0
    for r in shown:
        cells = page[r["name"]]
        assert cells[0] == ("—" if r["rank"] is None else str(r["rank"]))
        if r["score"] is None:
            insufficient += 1
            assert cells[3] == "数据不足" and r["advice_label"] == "数据不足 / insufficient data"
        else:
            assert cells[3] == fmt_num(r["score"], 1)
        rc = r["rank_change"]
        assert cells[4] == ("—" if rc is None else f"{int(rc):+d}")
        # the page shows the Chinese half of the service's bilingual label (web/i18n.py loc)
        assert cells[5] == str(r["advice_label"]).split(" / ")[0]
    for cid in CLUSTERS:
        assert by_api[(cid, latest)]["rank"] is not None  # the clusters below are ranked


@pytest.mark.parametrize("cluster", list(CLUSTERS))
def test_chain_table_is_one_answer(world: World, cluster: str, tmp_path: Path) -> None:
    chain = CLUSTERS[cluster]
    cli_doc = _cli_file(
        ["chain", "analyse", chain, "--cluster", cluster, "--top", "10"],
        tmp_path / "chain.json",
    )
    api = world.client.get(
        f"/api/v1/chains/{chain}/analysis?cluster={cluster}", headers=world.headers
    ).json()
    cli_segs = cli_doc["tables"]["segments"]
    api_segs = api["tables"]["segments"]["rows"]
    assert [s["segment"] for s in cli_segs] == [s["segment"] for s in api_segs]
    for a, b in zip(cli_segs, api_segs, strict=True):
        assert {k: b[k] for k in a} == a  # the API adds only its `suppressed` flag
    for k in ("segments", "segments_present", "completeness", "weighted_completeness"):
        assert cli_doc["summary"][k] == api["summary"][k], k
    assert cli_doc["tables"]["weak_links"] == api["tables"]["weak_links"]["rows"]
    # the web page shows the same table
    html = world.client.get(f"/clusters/{cluster}/chain?chain={chain}").text
    rows = _page_tables(html)["segments-table"]
    assert len(rows) == len(api_segs)
    for cells, s in zip(rows, api_segs, strict=True):
        assert cells[0] == s["name_zh"]
        assert cells[2] == fmt_num(s["firms"]) and cells[3] == fmt_num(s["output"])
    present = api["summary"]["segments_present"]
    assert f"{present}/{api['summary']['segments']}" in html


@pytest.mark.parametrize("cluster", list(CLUSTERS))
def test_diagnosis_is_one_answer(world: World, cluster: str, tmp_path: Path) -> None:
    cli_doc = _cli_file(["diagnose", cluster], tmp_path / "d.json")
    api = world.client.get(f"/api/v1/clusters/{cluster}/diagnosis", headers=world.headers).json()
    for name in ("members", "leading_industries", "cluster_industries", "strength"):
        assert cli_doc["tables"][name]["rows"] == api["tables"][name]["rows"], name
    assert cli_doc["basis"] == api["basis"]
    rows = _page_tables(world.client.get(f"/clusters/{cluster}/diagnosis").text)["members-table"]
    members = api["tables"]["members"]["rows"]
    assert len(rows) == len(members)
    for cells, m in zip(rows, members, strict=True):
        assert cells[1] == m["region_code"]
        assert cells[2] == fmt_cell(m["total_value"])
        assert cells[3] == fmt_pct(m["national_share"])
        assert cells[4] == fmt_cell(m["leading_value"])
