"""The input–output essentiality (``essentiality=io``) through the REST scenario endpoint and the
web scenario form: the rule-built matrix by default, ``io`` only with a configured table
(``JIQUN_IO_TABLE``; the real NBS 42-sector table from the shared datasets, skipped when absent),
a bilingual refusal without one."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

URL = "/api/v1/resilience/scenarios"
BODY = {"kind": "region", "target": "320200", "alternatives": 0}


@pytest.fixture
def io_table(shared_datasets_dir: Path) -> Path:
    p = shared_datasets_dir / "real_cn" / "io_tables_nbs" / "china_2020_42.csv"
    if not p.is_file():
        pytest.skip(f"no NBS 42-sector table at {p}")
    return p


def _login(world: Any, who: str) -> tuple[TestClient, str]:
    c = world.client()
    m = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert m
    r = c.post(
        "/login",
        data={"username": who, "password": world.password, "csrf": m.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    page = c.get("/scenarios")
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert m
    return c, m.group(1)


def _visible(page: str) -> str:
    """The text a reader sees: no tags, scripts or attribute values."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_rest_scenario_rules_default_io_refused_without_a_table(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    c = world.client()
    plain = c.post(URL, json=BODY, headers=world.auth("gov"))
    assert plain.status_code == 200, plain.text[:300]
    assert "not survey-based" in plain.json()["basis"]["essentiality"]
    named = c.post(URL, json={**BODY, "essentiality": "rules"}, headers=world.auth("gov"))
    assert named.status_code == 200 and named.json()["basis"] == plain.json()["basis"]

    r = c.post(URL, json={**BODY, "essentiality": "io"}, headers=world.auth("gov"))
    assert r.status_code == 400, r.text[:300]
    text = r.text
    assert "JIQUN_IO_TABLE" in text and "投入产出表" in text and "input-output table" in text
    # only the two names: never a file path on the server
    bad = c.post(URL, json={**BODY, "essentiality": "/etc/passwd"}, headers=world.auth("gov"))
    assert bad.status_code == 422


def test_rest_scenario_io_names_the_table(
    world: Any, io_table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIQUN_IO_TABLE", str(io_table))
    r = world.client().post(URL, json={**BODY, "essentiality": "io"}, headers=world.auth("gov"))
    assert r.status_code == 200, r.text[:300]
    basis = r.json()["basis"]["essentiality"]
    assert "IO-based essentiality" in basis and "china_2020_42.csv" in basis
    # the default stays the rule-built matrix with a table configured
    d = world.client().post(URL, json=BODY, headers=world.auth("gov"))
    assert "not survey-based" in d.json()["basis"]["essentiality"]


def test_form_offers_io_only_with_a_table(
    world: Any, io_table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    c, csrf = _login(world, "gov")
    page = c.get("/scenarios")
    assert page.status_code == 200
    assert 'name="essentiality"' in page.text and 'value="io"' not in page.text
    seen = _visible(page.text)
    assert "必要性矩阵" in seen and "规则矩阵" in seen and "投入产出表" not in seen
    assert "essentiality" not in seen.lower() and "rules" not in seen
    # io posted anyway without a table: the bilingual refusal, not a result
    r = c.post(
        "/scenarios/run",
        data={"kind": "region", "target": "320200", "essentiality": "io", "csrf": csrf},
    )
    assert "JIQUN_IO_TABLE" in r.text and "投入产出表" in r.text
    assert 'class="resilience"' not in r.text

    monkeypatch.setenv("JIQUN_IO_TABLE", str(io_table))
    page = c.get("/scenarios")
    assert '<option value="io">' in page.text
    seen = _visible(page.text)
    assert "投入产出表" in seen and "io" not in re.findall(r"[a-z]+", seen)
    en = _visible(c.get("/scenarios?lang=en").text)
    assert "Essentiality matrix" in en and "input-output table" in en
    assert "rule-built matrix" in en
    r = c.post(
        "/scenarios/run",
        data={"kind": "region", "target": "320200", "essentiality": "io", "csrf": csrf},
    )
    assert r.status_code == 200 and 'class="resilience"' in r.text, r.text[:500]
    # the basis names the table (the page's localiser shows ``_`` as a space)
    assert "IO-based essentiality" in r.text and re.search(r"china.2020.42\.csv", r.text)
