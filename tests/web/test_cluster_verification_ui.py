"""The cluster pages name the verification flag in the page's language (not the internal code)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.db


def _cells(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_cluster_list_shows_verification_labels_in_chinese(world: Any) -> None:
    c = world.client()
    r = c.get("/clusters?tier=sme_characteristic")
    assert r.status_code == 200
    flags = re.findall(r"<td>([^<]*)</td></tr>", r.text)  # the last column: 核实
    assert len(flags) == 20
    assert set(flags) == {"已核实", "部分核实", "存疑"}
    en = re.findall(
        r"<td>([^<]*)</td></tr>", c.get("/clusters?tier=sme_characteristic&lang=en").text
    )
    assert set(en) == {"verified", "partially verified", "doubtful"}


def test_cluster_page_says_why_a_row_is_doubtful(world: Any) -> None:
    r = world.client().get("/clusters/SME2024-14?lang=zh")
    assert r.status_code == 200
    text = _cells(r.text)
    assert "存疑" in text and "年份存疑" in text
    assert "株洲市先进轨道交通装备集群" in _cells(world.client().get("/clusters/NC2021-15").text)
