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
from jiqun.services.labels import label_table
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import neutralise_formulas

#: table key -> (中文标题, English title, what it answers), from ``data/labels.yaml``
TABLE_TITLES: dict[str, tuple[str, str, str]] = {
    k: (v["zh"], v["en"], v["about"]) for k, v in label_table("report_tables").items()
}
#: column -> (中文, English), from ``data/labels.yaml``
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    k: (zh, en) for k, (zh, en) in label_table("report_columns").items()
}
#: basis field -> "中文 English", from ``data/labels.yaml``
BASIS_LABELS: dict[str, str] = label_table("report_basis")


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
