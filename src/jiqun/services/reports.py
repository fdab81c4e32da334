"""Write a cluster diagnosis as JSON, XLSX or HTML (one function, chosen by the file suffix).

Every format carries the basis of the figures (year, measure, unit, region level, industry-code
level, value vs count) and the synthetic-data marker, and labels every table and column in
Chinese and English. JSON keeps canonical snake_case column names (for programs); XLSX has a
``说明 README`` sheet and one sheet per table with bilingual headers; HTML is one self-contained
page (no external scripts or styles) that a browser opens offline.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font

from jiqun import __version__
from jiqun.analytics.diagnosis import POSITION_CLASSES
from jiqun.services.diagnosis import Diagnosis
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import neutralise_formulas

#: table key -> (中文标题, English title, what it answers)
TABLE_TITLES: dict[str, tuple[str, str, str]] = {
    "members": ("成员城市", "Member cities", "size, leading-industry share and LQ, ECI, COI"),
    "leading_industries": (
        "主导产业专业化与趋势",
        "Leading industries: specialisation and trend",
        "LQ now and a year earlier, growth, national share",
    ),
    "cluster_industries": (
        "集群整体主导产业",
        "Cluster as a whole",
        "the member cities summed: national share, LQ, growth vs the nation",
    ),
    "shift_share": (
        "偏离-份额分解",
        "Shift-share decomposition",
        "Dunn and Esteban-Marquillas, over all and over the leading industries",
    ),
    "strength": (
        "集群强度与星级",
        "Cluster strength and stars",
        "US Cluster Mapping flags and European Cluster Observatory stars vs all prefectures",
    ),
    "concentration": (
        "主导产业空间集中度",
        "Concentration of the leading industries",
        "locational Gini, Hoover, Herfindahl, spatial Gini, Ellison–Glaeser γ",
    ),
    "competition_regions": (
        "同质化竞争（地区）",
        "Homogeneous competition: regions",
        "regions with the closest industrial structure to each member city",
    ),
    "competition_clusters": (
        "同质化竞争（集群）",
        "Homogeneous competition: clusters",
        "clusters of the same field with the closest structure",
    ),
    "next_industries": (
        "下一步发展产业",
        "What to develop next",
        "absent industries ranked by density (feasibility), with PCI and COG (value)",
    ),
    "positioning": (
        "产业定位分类",
        "Industry positioning",
        "Metroverse-style classes of every industry in each member city",
    ),
}

#: column -> (中文, English)
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "region_code": ("地区代码", "region code"),
    "region_name": ("地区", "region"),
    "region_a": ("地区代码", "region code"),
    "region_a_name": ("地区", "region"),
    "region_b": ("对比地区代码", "other region code"),
    "region_b_name": ("对比地区", "other region"),
    "cluster_a": ("集群编号", "cluster id"),
    "cluster_a_name": ("集群", "cluster"),
    "cluster_b": ("对比集群编号", "other cluster id"),
    "cluster_b_name": ("对比集群", "other cluster"),
    "industry_code": ("行业代码", "industry code"),
    "industry_name": ("行业", "industry"),
    "total_value": ("全部产业合计", "all industries"),
    "national_share": ("占全国比重", "share of the nation"),
    "leading_value": ("主导产业合计", "leading industries"),
    "leading_share_of_region": ("主导产业占本地比重", "leading share of the region"),
    "leading_lq": ("主导产业区位商", "LQ of the leading industries"),
    "leading_national_share": ("主导产业占全国比重", "leading share of the nation"),
    "diversity": ("多样性", "diversity"),
    "eci": ("经济复杂度 ECI", "ECI"),
    "coi": ("复杂度前景 COI", "COI"),
    "value": ("数值", "value"),
    "value_prev": ("上年数值", "value a year earlier"),
    "growth_rate": ("增长率", "growth rate"),
    "lq": ("区位商", "LQ"),
    "lq_prev": ("上年区位商", "LQ a year earlier"),
    "lq_change": ("区位商变化", "LQ change"),
    "trend": ("趋势", "trend"),
    "specialised": ("专业化（LQ≥1）", "specialised (LQ ≥ 1)"),
    "cluster_value": ("集群数值", "cluster value"),
    "national_value": ("全国数值", "national value"),
    "cluster_lq": ("集群区位商", "cluster LQ"),
    "cluster_growth": ("集群增长率", "cluster growth"),
    "national_growth": ("全国增长率", "national growth"),
    "growth_gap": ("增速差", "growth gap"),
    "scope": ("范围", "scope"),
    "start": ("期初", "start"),
    "end": ("期末", "end"),
    "growth": ("增量", "growth"),
    "industry_mix": ("结构分量", "industry mix"),
    "regional_shift": ("竞争力分量", "regional shift"),
    "net_total_shift": ("总偏离", "net total shift"),
    "competitive": ("纯竞争效应", "competitive effect"),
    "allocation": ("配置效应", "allocation effect"),
    "new_activity": ("新增产业", "new activity"),
    "employment": ("就业人数", "employment"),
    "establishments": ("企业数", "establishments"),
    "lq_rank": ("区位商排名", "LQ rank"),
    "regions_with_activity": ("有该集群活动的地区数", "regions with activity"),
    "qualifying": ("合格", "qualifying"),
    "significant": ("显著", "significant"),
    "strong": ("强集群", "strong"),
    "strong10": ("强集群（前10%）", "strong (top 10%)"),
    "eco_lq": ("区位商（ECO）", "LQ (ECO)"),
    "focus_share": ("集中度份额", "focus share"),
    "star_size": ("规模星", "size star"),
    "star_specialisation": ("专业化星", "specialisation star"),
    "star_focus": ("集中星", "focus star"),
    "stars": ("星级", "stars"),
    "locational_gini": ("区位基尼系数", "locational Gini"),
    "hoover_concentration": ("胡佛集中系数", "Hoover concentration"),
    "herfindahl_regions": ("地区赫芬达尔指数", "Herfindahl over regions"),
    "spatial_gini": ("空间基尼系数", "spatial Gini"),
    "regions_specialised": ("专业化地区数", "regions with LQ ≥ 1"),
    "top5_share": ("前5地区份额", "top-5 regions' share"),
    "members_share": ("成员城市份额", "member cities' share"),
    "eg_gamma": ("EG 集聚指数 γ", "Ellison–Glaeser γ"),
    "eg_G": ("EG 原始集中度 G", "EG raw concentration G"),
    "eg_H": ("企业赫芬达尔 H", "firm Herfindahl H"),
    "rank": ("排名", "rank"),
    "structure_similarity": ("结构相似系数", "structure similarity"),
    "krugman_bilateral": ("克鲁格曼差异指数", "bilateral Krugman"),
    "overlap_jaccard": ("专业化产业重合度", "overlap of specialised industries"),
    "n_shared_specialised": ("共同专业化产业数", "shared specialised industries"),
    "shared_specialised": ("共同专业化产业", "shared specialised industry codes"),
    "leading_overlap_jaccard": ("主导产业重合度", "overlap of leading industries"),
    "shared_leading": ("共同主导产业", "shared leading industries"),
    "rca": ("显示性比较优势 RCA", "RCA"),
    "present": ("已具优势（M=1）", "present (M = 1)"),
    "density": ("关联密度", "density"),
    "pci": ("产业复杂度 PCI", "PCI"),
    "cog": ("复杂度增益 COG", "COG"),
    "position": ("定位代码", "position code"),
    "position_label": ("定位", "position"),
    "city_eci": ("城市 ECI", "city ECI"),
    "density_median_absent": ("未具优势产业密度中位数", "median density of absent industries"),
}

BASIS_LABELS: dict[str, str] = {
    "year": "年份 year",
    "previous_year": "对比年份 earlier year",
    "measure": "口径 measure",
    "measure_label": "口径名称 measure name",
    "unit": "单位 unit",
    "value_or_count": "数值或计数 value or count",
    "region_level": "地区层级 region level",
    "industry_code_level": "行业代码层级 industry code level",
    "industry_scope": "行业范围 industry scope",
    "strength_basis": "强度口径 strength basis",
    "eg_size": "EG 企业规模 firm size for EG",
    "synthetic": "模拟数据 synthetic",
    "data_source": "数据来源 data source",
}


def column_label(col: str) -> str:
    """``中文 / English`` label of a report column (the code itself when unknown)."""
    zh, en = COLUMN_LABELS.get(col, (col, col))
    return f"{zh} / {en}"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", force_ascii=False, double_precision=15))


def to_dict(d: Diagnosis) -> dict[str, Any]:
    """The whole diagnosis as plain JSON-able data (NaN → null)."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, np.generic):
            return v.item()
        return v

    return {
        "report": "jiqun cluster diagnosis / 集群诊断",
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "jiqun_version": __version__,
        "cluster": d.cluster,
        "basis": {k: clean(v) for k, v in d.basis.items()},
        "notes": d.notes,
        "position_classes": {
            k: {"zh": zh, "en": en, "rule": rule} for k, (zh, en, rule) in POSITION_CLASSES.items()
        },
        "tables": {
            key: {
                "title_zh": TABLE_TITLES.get(key, (key, key, ""))[0],
                "title_en": TABLE_TITLES.get(key, (key, key, ""))[1],
                "columns": {c: column_label(c) for c in t.columns},
                "rows": _records(t),
            }
            for key, t in d.tables.items()
        },
    }


def _write_json(d: Diagnosis, out: Path) -> None:
    out.write_text(json.dumps(to_dict(d), ensure_ascii=False, indent=1), encoding="utf-8")


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, list | tuple | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def _readme_rows(d: Diagnosis) -> list[list[Any]]:
    rows: list[list[Any]] = [["集群诊断 / cluster diagnosis", d.cluster.get("name")]]
    if d.synthetic:
        rows.append(
            ["模拟数据 SYNTHETIC", "含模拟数据，仅供演示，不是真实统计 / synthetic demo data"]
        )
    for k in ("cluster_id", "name_en", "tier_label", "field_label", "batch_year", "verification"):
        rows.append([k, _cell(d.cluster.get(k))])
    rows.append(
        [
            "成员地区 member regions",
            "、".join(f"{m['name']}（{m['code']}）" for m in d.cluster["member_regions"]),
        ]
    )
    rows.append(
        [
            "主导产业 leading industries",
            "；".join(f"{i['code']} {i['name']}" for i in d.cluster["leading_industries"]),
        ]
    )
    rows.append([])
    for k, v in d.basis.items():
        rows.append([BASIS_LABELS.get(k, k), _cell(v)])
    rows.append([])
    for n in d.notes:
        rows.append(["注 note", n])
    rows.append([])
    for key, (zh, en, what) in TABLE_TITLES.items():
        if key in d.tables:
            rows.append([f"{zh} / {en}", what])
    for code, (zh, en, rule) in POSITION_CLASSES.items():
        rows.append([f"{code}: {zh} / {en}", rule])
    return rows


def _write_xlsx(d: Diagnosis, out: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "说明 README"
    for r in _readme_rows(d):
        ws.append(r)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 100
    for key, t in d.tables.items():
        title = TABLE_TITLES.get(key, (key, key, ""))[0]
        sh = wb.create_sheet(title[:31])
        sh.append([column_label(c) for c in t.columns])
        for c in sh[1]:
            c.font = Font(bold=True)
        for row in neutralise_formulas(t).itertuples(index=False):
            sh.append([_cell(v) for v in row])
        sh.freeze_panes = "A2"
    wb.save(out)


_env = Environment(
    loader=PackageLoader("jiqun", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, bool | np.bool_):
        return "✓" if v else ""
    if isinstance(v, float | np.floating):
        a = abs(float(v))
        if a >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3f}" if a < 100 else f"{v:.1f}"
    if isinstance(v, list | tuple):
        return ";".join(map(str, v))
    return str(v)


def render_html(d: Diagnosis, max_rows: int = 200) -> str:
    """The report as one self-contained HTML page (tables longer than ``max_rows`` are cut)."""
    tables = []
    for key, t in d.tables.items():
        zh, en, what = TABLE_TITLES.get(key, (key, key, ""))
        shown = t
        if key == "positioning" and len(t):
            shown = (
                t.groupby(["region_code", "region_name", "position", "position_label"])
                .size()
                .rename("industries")
                .reset_index()
            )
            what += "; 此处为各类产业数，完整表见 JSON/XLSX / counts here, full table in JSON/XLSX"
        cut = len(shown) > max_rows
        shown = shown.head(max_rows)
        tables.append(
            {
                "key": key,
                "zh": zh,
                "en": en,
                "what": what,
                "columns": [
                    COLUMN_LABELS.get(c, (c, "industries" if c == "industries" else c))
                    for c in shown.columns
                ],
                "rows": [[_fmt(v) for v in row] for row in shown.itertuples(index=False)],
                "cut": cut,
                "n": len(t),
            }
        )
    return _env.get_template("diagnosis.html.j2").render(
        d=d,
        tables=tables,
        basis=[(BASIS_LABELS.get(k, k), _fmt(v)) for k, v in d.basis.items()],
        generated_at=dt.datetime.now().isoformat(timespec="seconds"),
        version=__version__,
        classes=POSITION_CLASSES,
    )


def write_report(d: Diagnosis, out: str | Path) -> Path:
    """Write ``d`` to ``out``; the suffix chooses the format (.json, .xlsx or .html).

    Parameters
    ----------
    d:
        A :class:`~jiqun.services.diagnosis.Diagnosis`.
    out:
        Target file (its folder must exist).

    Returns
    -------
    pathlib.Path
        The file written.

    Example
    -------
    >>> write_report(diagnose_cluster("NC2021-01"), "report.html")  # doctest: +SKIP
    """
    out = Path(out)
    suffix = out.suffix.lower()
    writers = {".json": _write_json, ".xlsx": _write_xlsx, ".html": None, ".htm": None}
    if suffix not in writers:
        raise JiqunError(
            f"不支持的报告格式 {suffix or '(无后缀)'}：请用 .json、.xlsx 或 .html",
            f"unsupported report format {suffix or '(no suffix)'}: use .json, .xlsx or .html",
        )
    if not out.parent.exists():
        raise JiqunError(f"目录不存在：{out.parent}", f"folder does not exist: {out.parent}")
    if suffix in (".html", ".htm"):
        out.write_text(render_html(d), encoding="utf-8")
    else:
        writer = writers[suffix]
        assert writer is not None
        writer(d, out)
    return out
