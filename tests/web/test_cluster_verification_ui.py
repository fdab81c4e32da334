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


def test_innovation_headline_says_which_year_each_figure_describes(world: Any) -> None:
    page = world.client().get("/innovation").text
    table = page.split('id="innovation-headline"')[1].split("</table>")[0]
    assert "公开数字所属年份" in table
    years = [y.split("，")[0] for y in re.findall(r'<td title="[^"]*">([^<]*)</td>', table)]
    # centres, their share, carriers, champions, little giants: 2021; only the output is 2023
    assert years.count("2021 年数据") == 5 and years.count("2023 年数据") == 1
    en = world.client().get("/innovation?lang=en").text.split('id="innovation-headline"')[1]
    assert "2021 figure, stated by MIIT in November 2022" in en.split("</table>")[0]
