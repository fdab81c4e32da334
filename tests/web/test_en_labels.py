"""The English switch below the browser: names in English, proper names marked zh-CN, glosses."""

from __future__ import annotations

from markupsafe import Markup

from jiqun.web.i18n import english_name, english_text, localizer
from jiqun.web.ui import templates


def render(source: str, lang: str, **values: object) -> str:
    return templates.env.from_string(source).render(lang=lang, **values)


def test_every_expression_shows_region_industry_and_cluster_names_in_english() -> None:
    page = "{{ a }} | {{ b }} | {{ c }} | {{ d }} | {{ e }}"
    values = {
        "a": "无锡市",
        "b": "北京市、天津市",
        "c": "计算机、通信和其他电子设备制造业",
        "d": "京津冀生命健康集群 (NC2022-04)",
        "e": "亿元",
    }
    assert render(page, "en", **values) == (
        "Wuxi | Beijing, Tianjin | Manufacture of Computers, Communication and Other "
        "Electronic Equipment | Beijing–Tianjin–Hebei Life and Health Cluster (NC2022-04) | "
        "100m yuan"
    )
    # the Chinese page is untouched
    assert render(page, "zh", **values) == " | ".join(values.values())
    # inside an attribute the hook gives plain text (no markup)
    assert render('<a title="{{ a }}">', "en", a="新吴区") == '<a title="Xinwu District">'
    # what a person typed into a form stays as typed (escaped markup passes the hook untouched)
    assert render('<input value="{{ q|e }}">', "en", q="无锡市") == '<input value="无锡市">'


def test_proper_names_without_english_are_marked_chinese() -> None:
    firm = "无锡某某传感有限公司"
    assert render("{{ n|zh }}", "en", n=firm) == f'<span lang="zh-CN">{firm}</span>'
    assert render("{{ n|zh }}", "zh", n=firm) == firm
    assert render("{{ n|zh }}", "en", n=firm + "（模拟）") == (
        f'<span lang="zh-CN">{firm}</span> (synthetic)'
    )
    # an industry keeps its Chinese name on hover
    assert render("{{ n|zh }}", "en", n="集成电路设计") == (
        '<span title="集成电路设计">Software and Information Technology Services — 6520</span>'
    )
    # a Chinese value in a table cell (loc) is marked too, and its markup is escaped
    cell = localizer("en")("<b>某某</b>有限公司")
    assert isinstance(cell, Markup)
    assert str(cell) == '<span lang="zh-CN">&lt;b&gt;某某&lt;/b&gt;有限公司</span>'


def test_english_texts_drop_chinese_glosses_and_internal_keys() -> None:
    assert english_text("prefecture (地级) member regions") == "prefecture member regions"
    assert english_text("单一来源占比 single-sourced pairs: 91.3%") == "single-sourced pairs: 91.3%"
    assert english_text("unit: 10k yuan (revenue, rd_expense)") == (
        "unit: 10k yuan (revenue, R&D expense)"
    )
    assert english_text("PCI undefined (industry absent everywhere)") == (
        "PCI not determinable (industry absent everywhere)"
    )
    en = localizer("en")
    assert en("tags any ['srdi'] 或 / or revenue >= 100000") == (
        "tags any ['srdi'] or revenue >= 100000"
    )
    assert en("保密 / suppressed") == "suppressed"
    # a list of bilingual labels keeps every English half (not only the last one)
    rule = "strength: 优势产业 / strength (RCA ≥ 1); distant: 暂不优先 / distant (RCA < 1)"
    assert en(rule) == "strength (RCA ≥ 1); distant (RCA &lt; 1)"
    assert en({"unit": "亿元", "level": "地级"}) == "unit: 100m yuan; level: prefecture-level"
    assert english_name("某某有限公司") is None


def test_a_table_with_the_code_beside_shows_the_division_name_once() -> None:
    page = (
        '{% from "_macros.html" import table with context %}'
        '{{ table(rows, ["industry_name", "industry_code"]) }}'
    )
    rows = [{"industry_name": "化学药品原料药制造", "industry_code": "2710"}]
    out = render(page, "en", rows=rows, t=lambda *a: a[-1], lab=lambda v, k: k, loc=str)
    assert '<td><span title="化学药品原料药制造">Manufacture of Medicines</span></td>' in out
    assert "<td>2710</td>" in out


def test_chart_and_map_data_carry_english_names() -> None:
    data = {"series": [{"name": "无锡市", "value": 1}], "clusters": "无锡市物联网集群"}
    out = render("{{ d|chart_data|tojson }}", "en", d=data)
    assert "Wuxi" in out and "Wuxi Internet of Things Cluster" in out and "\\u" not in out
    assert "\\u65e0\\u9521\\u5e02" in render("{{ d|chart_data|tojson }}", "zh", d=data)  # 无锡市
