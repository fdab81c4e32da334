"""The cluster chain page shows the input–output weight of 补链 segments only when an IO table is
configured (``JIQUN_IO_TABLE``); the real NBS 42-sector table is read from the shared datasets
(skipped when absent)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jiqun.services.chains import chain_analysis


def _login(world: Any, who: str) -> TestClient:
    c = world.client()
    m = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert m
    r = c.post(
        "/login",
        data={"username": who, "password": world.password, "csrf": m.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return c


def test_page_shows_io_weight_only_with_a_table(
    world: Any, shared_datasets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = shared_datasets_dir / "real_cn" / "io_tables_nbs" / "china_2020_42.csv"
    if not table.is_file():
        pytest.skip(f"no NBS 42-sector table at {table}")
    url = f"/clusters/{world.cluster}/chain?chain=integrated_circuits"
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    plain = _login(world, "cluster").get(url)
    assert plain.status_code == 200 and 'class="io-weight"' not in plain.text

    monkeypatch.setenv("JIQUN_IO_TABLE", str(table))
    v = chain_analysis(None, "integrated_circuits", cluster=world.cluster, engine=world.engine)
    w = v.tables["weak_links"]
    weighted = w[w["io_weight"].notna()]
    assert len(weighted), "the world needs a weak or missing segment with an IO weight"
    page = _login(world, "cluster").get(url)
    assert page.status_code == 200
    assert page.text.count('class="io-weight"') == len(weighted)
    assert "投入产出权重" in page.text
    en = _login(world, "cluster").get(url + "&lang=en")
    assert "IO weight" in en.text
