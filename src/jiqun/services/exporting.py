"""Export stored records and write empty import templates.

Exports go through the one table writer (:mod:`jiqun.standard.writer`) to CSV (UTF-8 with BOM),
XLSX or Parquet, chosen by the file extension. Text cells that a spreadsheet would run as a formula (starting with
``= + - @`` or a tab/carriage return) are neutralised with a leading apostrophe in CSV and XLSX
(OWASP "CSV injection"); Parquet keeps values as they are, since no spreadsheet evaluates it.
Every export carries the ``synthetic`` column, and XLSX exports a 说明 notes sheet with the basis.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine, text

from jiqun.services.accounts import Principal
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import Field, Kind, get_kind
from jiqun.standard.writer import TABLE_FORMATS, neutralise_formulas, write_table
from jiqun.store.db import get_engine

EXPORT_FORMATS = TABLE_FORMATS

TYPE_ZH: dict[str, str] = {
    "text": "文本",
    "uscc": "统一社会信用代码（18位）",
    "region_code": "行政区划代码（6位）",
    "industry_code": "行业代码",
    "date": "日期",
    "int": "整数",
    "amount": "金额",
    "float": "数值",
    "year": "年份（4位）",
    "enum": "枚举",
    "tags": "标签（分号分隔）",
    "region_codes": "行政区划代码列表（分号分隔）",
    "industry_codes": "行业代码列表（分号分隔）",
    "cluster_id": "集群编号",
}


def read_kind(kind: Kind | str, engine: Engine | None = None) -> pd.DataFrame:
    """All stored records of ``kind`` in the canonical columns, plus ``synthetic``."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    engine = engine or get_engine()
    cols = [f.name for f in kind.fields]
    with engine.connect() as conn:
        if kind.name == "clusters":
            base = pd.read_sql(text("SELECT * FROM clusters ORDER BY cluster_id"), conn)
            regs = pd.read_sql(
                text("SELECT cluster_id, region_code FROM cluster_regions ORDER BY 1, 2"), conn
            )
            inds = pd.read_sql(
                text("SELECT cluster_id, industry_code FROM cluster_industries ORDER BY 1, 2"), conn
            )
            base["member_regions"] = base["cluster_id"].map(
                regs.groupby("cluster_id")["region_code"].agg(";".join)
            )
            base["leading_industries"] = base["cluster_id"].map(
                inds.groupby("cluster_id")["industry_code"].agg(";".join)
            )
        else:
            order = ", ".join(kind.key)
            base = pd.read_sql(text(f"SELECT * FROM {kind.table} ORDER BY {order}"), conn)
    keep = [c for c in cols if c in base.columns]
    out = base[keep].copy()
    out["synthetic"] = base["synthetic"].astype(bool) if "synthetic" in base else False
    return out


#: Columns that carry a firm's credit code, per kind: an export of these is a read of those
#: firms' records and names them in the audit entry.
FIRM_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ("uscc",),
    "cluster-members": ("uscc",),
    "supply-links": ("supplier_uscc", "buyer_uscc"),
    "innovation-carriers": ("host_uscc",),
}


def export_kind(
    kind: Kind | str,
    out: str | Path,
    engine: Engine | None = None,
    principal: Principal | None = None,
    client: str | None = None,
) -> int:
    """Write every stored record of ``kind`` to ``out`` (.csv, .xlsx or .parquet); audited.

    A whole-table export is an administrator's (the CLI's local principal); it is ONE audit
    entry (``export_kind``) naming the firms whose records it holds (:data:`FIRM_COLUMNS`).

    Parameters
    ----------
    kind: a kind of the unified data standard, e.g. ``"enterprises"``.
    out: target path; its extension chooses the format.
    engine: database engine (default: the configured one).
    principal: who exports (default: :func:`jiqun.services.access.local_principal`, the OS
        user running the CLI); must be an admin.
    client: the client address for the audit entry.

    Returns
    -------
    The number of records written.

    Example
    -------
    >>> export_kind("enterprises", "firms.xlsx")  # doctest: +SKIP
    1200
    """
    from jiqun.services import access

    principal = principal or access.local_principal()
    access.require_role(principal, "admin")
    kind = get_kind(kind) if isinstance(kind, str) else kind
    out = Path(out)
    ext = out.suffix.lower()
    if ext not in EXPORT_FORMATS:
        raise JiqunError(
            f"不支持的导出格式「{ext or out.name}」，请使用 .csv、.xlsx 或 .parquet",
            f"unsupported export format '{ext or out.name}': use .csv, .xlsx or .parquet",
        )
    df = read_kind(kind, engine)
    out.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".xlsx":
        _write_xlsx(kind, neutralise_formulas(df), out)
    else:
        write_table(out, df)
    firms = [u for col in FIRM_COLUMNS.get(kind.name, ()) if col in df for u in df[col].dropna()]
    access.audit_read(
        principal,
        "export_kind",
        firms,
        resource=f"kind:{kind.name}",
        params={"kind": kind.name, "format": ext.lstrip("."), "file": out.name},
        detail={"rows": len(df)},
        client=client,
        engine=engine,
    )
    return len(df)


def _basis_rows(kind: Kind, df: pd.DataFrame) -> list[tuple[str, str]]:
    n_syn = int(df["synthetic"].sum()) if "synthetic" in df else 0
    rows = [
        ("数据类别 kind", f"{kind.zh} / {kind.en} ({kind.name})"),
        ("导出时间 exported at", dt.datetime.now().isoformat(timespec="seconds")),
        ("记录数 records", str(len(df))),
        (
            "模拟数据 synthetic",
            f"{n_syn} 条为模拟数据（仅供演示，不是真实统计） / {n_syn} synthetic demo records, not real statistics"
            if n_syn
            else "无 / none",
        ),
    ]
    for f in kind.fields:
        if f.unit:
            rows.append((f"{f.zh} {f.name}", f"单位 unit: {f.unit}"))
    return rows


def _write_xlsx(kind: Kind, df: pd.DataFrame, out: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind.zh[:31])
    fields = {f.name: f for f in kind.fields}
    ws.append([fields[c].template_header if c in fields else f"模拟数据 / {c}" for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and v != v) else v for v in row])
    notes = wb.create_sheet("说明 notes")
    for r in _basis_rows(kind, df):
        notes.append(list(r))
    wb.save(out)


def write_template(kind: Kind | str, out: str | Path) -> Path:
    """Write an empty import template for ``kind``: bilingual headers and a 说明 notes sheet.

    The data sheet has one header row (``中文（单位） / english_name``), which the importer
    recognises. The notes sheet explains each column: type, whether required, unit, code
    system and allowed values.
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise JiqunError(
            "模板只能保存为 .xlsx 文件",
            f"templates are .xlsx files, got '{out.suffix or out.name}'",
        )
    wb = Workbook()
    ws = wb.active
    ws.title = kind.zh[:31]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, f in enumerate(kind.fields, start=1):
        c = ws.cell(row=1, column=j, value=f.template_header)
        c.font = bold
        c.alignment = Alignment(wrap_text=True)
        if f.required:
            c.fill = required_fill
        ws.column_dimensions[get_column_letter(j)].width = max(14, len(f.template_header) * 1.6)
        # Codes must stay text, or Excel strips leading zeros (0211 → 211).
        if f.type in ("uscc", "region_code", "industry_code", "region_codes", "industry_codes"):
            for r in range(2, 1002):
                ws.cell(row=r, column=j).number_format = "@"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明 notes")
    notes.append(
        [
            "列名（英文） column",
            "中文表头 Chinese header",
            "English label",
            "类型 type",
            "必填 required",
            "单位 unit",
            "编码标准 code system",
            "说明 description",
            "可选值 allowed values",
        ]
    )
    for cell in notes[1]:
        cell.font = bold
    for f in kind.fields:
        notes.append(_note_row(f))
    notes.append([])
    notes.append(
        [
            "唯一键 natural key",
            " + ".join(kind.key),
            "重复导入同一文件不会产生重复记录（按唯一键更新） / re-importing updates by this key",
        ]
    )
    notes.append(
        [
            "金额 money",
            "表头可注明单位：营业收入（元）/（万元）/（亿元），导入时统一换算为万元",
            "a unit in the header (元/万元/亿元) is converted to 万元 on import",
        ]
    )
    for col, w in zip("ABCDEFGHI", (18, 22, 26, 20, 10, 10, 16, 60, 60), strict=True):
        notes.column_dimensions[col].width = w
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _note_row(f: Field) -> list[str]:
    allowed = ""
    if f.choices:
        allowed = "；".join(f"{k}={zh}/{en}" for k, (zh, en) in f.choices.items())
    if f.levels:
        allowed = (
            (allowed + " " if allowed else "") + "级别 levels: " + ",".join(map(str, f.levels))
        )
    return [
        f.name,
        f.header,
        f.en,
        f"{TYPE_ZH.get(f.type, f.type)} ({f.type})",
        "是 yes" if f.required else "否 no",
        f.unit or "",
        f.code_system or "",
        " ".join(x for x in (f.description_zh, f.description_en) if x),
        allowed,
    ]
