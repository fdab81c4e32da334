"""Word reports of the cluster and region dashboards (:mod:`jiqun.services.report_docx`), opened
with python-docx: headings, Word tables with Chinese headers, chart images, basis lines, the
synthetic-data marker, and what the public version leaves out."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import Engine

from jiqun.services import report_docx as rd
from jiqun.services.access import local_principal
from jiqun.services.accounts import PUBLIC
from jiqun.services.diagnosis import diagnose_cluster
from jiqun.services.overview import SYNTHETIC_NOTE_ZH
from jiqun.standard.problems import JiqunError
from jiqun.web.i18n import labeller, localizer

CLUSTER = "NC2022-04"  # 京津冀生命健康集群: 北京 + 天津
REGION = "320200"  # 无锡市
ZH = rd.Wording(labeller("zh"), localizer("zh"))


def _open(r: rd.Report) -> Any:
    return docx.Document(io.BytesIO(rd.render_docx(r, ZH)))


def _texts(d: Any) -> list[str]:
    return [p.text for p in d.paragraphs]


def _headings(d: Any) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]


def _table_after(d: Any, caption: str) -> Any:
    """The Word table whose caption paragraph contains ``caption``."""
    body = d.element.body
    tables = {t._tbl: t for t in d.tables}
    seen = False
    for el in body.iterchildren():
        if el.tag.endswith("}p") and f"　{caption}" in "".join(el.itertext()):  # "表 3　…"
            seen = True
        elif seen and el in tables:
            return tables[el]
    raise AssertionError(f"no table after {caption!r}")


@pytest.mark.db
def test_cluster_report_has_the_dashboards_sections_tables_charts_basis(
    demo_engine: Engine,
) -> None:
    r = rd.cluster_report(local_principal(), CLUSTER, demo_engine, wording=ZH)
    d = _open(r)
    assert d.paragraphs[0].text == "京津冀生命健康集群 集群报告"
    head = "\n".join(_texts(d)[:3])
    assert "生成日期" in head and "数据版本：导入批次 #" in head
    assert _headings(d) == [
        "概况",
        "一、地图：集群成员城市（红圈标出）",
        "二、集群诊断：主导产业专业化、趋势、强度与星级",
        "三、产业链图谱：上中下游、完整度、薄弱环节与本地配套率",
        "四、供应链韧性热点",
        "五、创新资源",
        "六、区域分工方案：按比较优势划分城市间产业链环节",
        "七、公开统计（小样本单元已抑制）",
        "说明",
    ]
    # tile map, LQ chart, LQ change chart, chain map, hot spots, carriers by type
    assert len(d.inline_shapes) == 6
    i = _texts(d).index("图 1　地图：集群成员城市（红圈标出）")
    assert _texts(d)[i + 1].startswith("口径与来源：指标：国家级集群数；单位：个；数值或计数：计数")
    lead = _table_after(d, "主导产业专业化与趋势")
    assert [c.text for c in lead.rows[0].cells] == [
        "地区",
        "行业",
        "行业代码",
        "数值",
        "区位商",
        "上年区位商",
        "增长率",
        "趋势",
        "专业化（LQ≥1）",
    ]
    # the same stored diagnosis as the dashboard: every LQ of the table, formatted as on the page
    diag = diagnose_cluster(CLUSTER, engine=demo_engine)
    want = [rd.fmt_cell(float(v)) for v in diag.tables["leading_industries"]["lq"]]
    assert [row.cells[4].text for row in lead.rows[1:]] == want
    texts = _texts(d)
    basis = [t for t in texts if t.startswith("口径与来源：")]
    year, unit = diag.basis["year"], "人"
    assert any(f"年份：{year}" in b and f"单位：{unit}" in b and "地区层级：" in b for b in basis)
    assert any("行业代码层级：GB/T 4754-2017 小类（4 位）" in b for b in basis)
    assert any("数值或计数：计数" in b for b in basis)
    # every table and figure is followed by its basis line
    captions = [t for t in texts if t.startswith(("表 ", "图 "))]
    assert len(captions) >= 10
    assert len(basis) >= len(captions) - 1  # only the KPI table of counts shares its basis
    # the synthetic marker: in the head and once per section built from demo rows
    marks = [t for t in texts if SYNTHETIC_NOTE_ZH in t]
    assert marks and marks[0].startswith("⚠ 模拟数据") and len(marks) >= 4
    assert "english" not in " ".join(basis).lower()


@pytest.mark.db
def test_cluster_report_division_of_labour_section(demo_engine: Engine) -> None:
    from jiqun.services.planning import division_plan

    d = _open(rd.cluster_report(local_principal(), CLUSTER, demo_engine, wording=ZH))
    grid = _table_after(d, "分工方案（● 牵头；数字为比较优势）")
    v = division_plan(None, CLUSTER, "biomedicine", engine=demo_engine)
    assert [c.text for c in grid.rows[0].cells] == ["城市"] + [
        v.segments[s][0] for s in v.plan.assignment.columns
    ]
    # the same plan as the service: ● exactly where a city leads
    for row, code in zip(grid.rows[1:], v.plan.assignment.index, strict=True):
        marks = [c.text.startswith("●") for c in row.cells[1:]]
        assert marks == v.plan.assignment.loc[code].tolist()
    change = _table_after(d, "方案带来的变化")
    assert [c.text for c in change.rows[0].cells] == ["指标", "方案前", "方案后"]
    assert change.rows[1].cells[0].text == "产业结构相似系数（城市对均值）"


@pytest.mark.db
def test_public_cluster_report_is_the_public_page(demo_engine: Engine) -> None:
    admin = _open(rd.cluster_report(local_principal(), CLUSTER, demo_engine, wording=ZH))
    pub = _open(rd.cluster_report(PUBLIC, CLUSTER, demo_engine, wording=ZH))
    texts = _texts(pub)
    assert "公开版本" in "\n".join(texts[:3])
    # diagnosis, chain map and hot spots: for logged-in readers
    assert texts.count(rd.LOGIN_NOTE) == 3
    # the map and the carriers chart: no LQ chart, no hot-spot chart (firm names)
    assert len(pub.inline_shapes) == 2
    firms = [c.text for c in _table_after(admin, "热点企业").columns[0].cells[1:]]
    assert firms
    body = "\n".join(texts + [c.text for t in pub.tables for r in t.rows for c in r.cells])
    assert not any(f in body for f in firms)
    assert "主导产业专业化与趋势" not in body


@pytest.mark.db
def test_region_report(demo_engine: Engine, tmp_path: Path) -> None:
    r = rd.region_report(local_principal(), REGION, demo_engine, wording=ZH)
    out = rd.write_docx(r, tmp_path / "无锡.docx", ZH)
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "无锡市 产业集群报告"
    assert _headings(d)[1:5] == [
        "一、集群组合",
        "二、地图：本市在全省中的位置",
        "三、下一步发展什么：关联密度 × 产业复杂度",
        "四、公开统计（小样本单元已抑制）",
    ]
    assert len(d.inline_shapes) == 2  # the tile map; density × PCI
    port = _table_after(d, "本地区的集群")
    assert [c.text for c in port.rows[0].cells][:3] == ["集群", "编号", "层级"]
    assert "NC2021-02" in [row.cells[1].text for row in port.rows[1:]]
    top = _table_after(d, "优先发展产业")
    assert [c.text for c in top.rows[0].cells][:2] == ["行业", "行业代码"]
    assert len(top.rows) > 1
    pub = _open(rd.region_report(PUBLIC, REGION, demo_engine, wording=ZH))
    assert len(pub.inline_shapes) == 1 and rd.LOGIN_NOTE in _texts(pub)  # the map


def _report(synthetic: bool) -> rd.Report:
    sec = rd.Section("测试", ["一段文字"], synthetic=synthetic)
    return rd.Report("标题", "s", [("编号", "X")], [sec], synthetic, "v", "2026-12-07", "r")


def test_synthetic_marker_only_where_it_applies() -> None:
    assert not any(SYNTHETIC_NOTE_ZH in t for t in _texts(_open(_report(False))))
    marked = [t for t in _texts(_open(_report(True))) if SYNTHETIC_NOTE_ZH in t]
    assert len(marked) == 2  # the head and the section


def test_basis_line_names_every_key_in_chinese() -> None:
    line = rd.basis_line(
        {"year": 2023, "unit": "万元", "value_or_count": "value", "region_level": "prefecture"}, ZH
    )
    assert line == "口径与来源：年份：2023；单位：万元；数值或计数：金额；地区层级：地级"


def test_no_cjk_font_is_a_bilingual_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import OrderedDict

    from matplotlib import font_manager

    monkeypatch.delenv("JIQUN_CJK_FONT", raising=False)
    monkeypatch.setattr(rd, "_PNG_CACHE", OrderedDict())  # draw, do not reuse an image
    monkeypatch.setattr(rd, "FONT_PATHS", ("/nonexistent/font.ttf",))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: ["/x/wqy-microhei.ttc"])
    with pytest.raises(JiqunError) as e:
        rd.bar_chart(["a"], [("s", [1.0])], "v")
    assert "fonts-droid-fallback" in e.value.message_zh
    assert "fonts-droid-fallback" in e.value.message_en


def test_a_chart_is_a_png_drawn_with_the_cjk_font() -> None:
    png = rd.bar_chart(["集成电路"], [("无锡市", [1.4])], "区位商", mark=1.0)
    assert png[:4] == b"\x89PNG"
    assert rd.cjk_font().name.startswith(rd.FONT_STEMS)


def test_write_docx_wants_a_docx_path(tmp_path: Path) -> None:
    with pytest.raises(JiqunError):
        rd.write_docx(_report(False), tmp_path / "r.pdf")
    with pytest.raises(JiqunError):
        rd.write_docx(_report(False), tmp_path / "missing" / "r.docx")


@pytest.mark.db
def test_chain_leaders_only_for_readers_the_page_shows_them_to(demo_engine: Engine) -> None:
    from jiqun.services.accounts import Principal

    admin = _open(rd.cluster_report(local_principal(), CLUSTER, demo_engine, wording=ZH))
    seg = _table_after(admin, "环节")
    assert [c.text for c in seg.rows[0].cells][:3] == ["环节", "位置", "本地企业"]
    leaders = _table_after(admin, "链主候选")
    assert len(leaders.rows) > 1
    other = Principal("g_other", "government", "440000")  # 广东: not this cluster's area
    d = _open(rd.cluster_report(other, CLUSTER, demo_engine, wording=ZH))
    texts = _texts(d)
    assert any(t.startswith("链主候选（需政府确认）：无权查看") for t in texts)
    # no candidates table (firm names may still appear where the page shows them: hot spots)
    assert not any("　链主候选" in t for t in texts)
    with pytest.raises(AssertionError):
        _table_after(d, "链主候选")


def test_tile_map_draws_tiles_or_steps_aside() -> None:
    tiles = [
        {"code": "320000", "short": "苏", "name": "江苏省", "row": 0, "col": 0,
         "no_data": False, "values": {"clusters": 3}},
        {"code": "710000", "short": "台", "name": "台湾省", "row": 0, "col": 1,
         "no_data": True, "values": {"clusters": None}},
    ]  # fmt: skip
    points = [
        {"code": "320200", "name": "无锡市", "province": "320000", "lon": 120.3, "lat": 31.5,
         "values": {"clusters": 2}, "detail": False},
    ]  # fmt: skip
    m = {
        "mode": "tiles",
        "tiles": tiles,
        "points": points,
        "measures": [{"key": "clusters", "label": "国家级集群数", "unit": "个"}],
        "selected": "320000",
        "highlight": ["320200"],
    }
    png = rd.tile_map(m)
    assert png is not None and png[:4] == b"\x89PNG"
    assert rd.tile_map({**m, "mode": "geojson"}) is None  # an approved boundary map: not copied


@pytest.mark.db
def test_a_second_report_reads_the_stored_results(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _open(rd.cluster_report(local_principal(), CLUSTER, demo_engine, wording=ZH))

    def no_computation(*a: Any, **k: Any) -> Any:
        raise AssertionError("the report started a computation")

    # the diagnosis and the hot spots are computed once per data version, then read
    monkeypatch.setattr("jiqun.services.diagnosis.diagnose", no_computation)
    monkeypatch.setattr("jiqun.services.resilience.resilience_metrics", no_computation)
    again = _open(rd.cluster_report(local_principal(), CLUSTER, demo_engine, wording=ZH))
    lq = _table_after(first, "主导产业专业化与趋势")
    assert [c.text for c in _table_after(again, "主导产业专业化与趋势").columns[4].cells] == [
        c.text for c in lq.columns[4].cells
    ]
