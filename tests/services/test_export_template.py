"""Exports (.csv with BOM / .xlsx / .parquet, formula neutralisation) and import templates
(bilingual headers that resolve back, a notes sheet, and the filled-in template round trip)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from jiqun.services.exporting import export_kind, neutralise_formulas, write_template
from jiqun.services.imports import import_file, stored_counts
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import KINDS, get_kind

FILES = Path(__file__).resolve().parents[1] / "data" / "files"

DANGEROUS = ["=1+1", "+SUM(A1)", "@cmd", "-2+3"]
CODES = ["91370000728611939A", "91110108551385082Q", "912201011239989159", "91320214MA1NA0012A"]


@pytest.fixture
def filled(engine: Engine, tmp_path: Path) -> Engine:
    """Enterprises whose names start with formula characters, plus the corpus region stats."""
    p = tmp_path / "danger.csv"
    lines = ["uscc,name,region_code,industry_code,revenue"]
    lines += [f'{c},"{n}公司",320214,3973,100' for c, n in zip(CODES, DANGEROUS, strict=True)]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = import_file(p, "enterprises", engine=engine)
    assert res.status == "committed", [str(x) for x in res.validation.problems if x.is_error]
    assert import_file(FILES / "region_stats_long.csv", "region-stats", engine=engine).inserted
    return engine


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".parquet"])
def test_export_every_kind(filled: Engine, tmp_path: Path, kind: str, ext: str) -> None:
    out = tmp_path / f"{kind}{ext}"
    n = export_kind(kind, out, engine=filled)
    assert n == stored_counts(filled)[kind]
    assert out.exists()
    if ext == ".csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        df = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert len(df) == n
        assert "synthetic" in df.columns
    elif ext == ".parquet":
        assert len(pd.read_parquet(out)) == n
    else:
        wb = openpyxl.load_workbook(out, read_only=True)
        assert wb.sheetnames[-1] == "说明 notes"
        ws = wb[wb.sheetnames[0]]
        assert sum(1 for _ in ws.iter_rows()) == n + 1  # write-only files carry no dimensions


def test_formulas_neutralised_in_csv_and_xlsx_not_parquet(filled: Engine, tmp_path: Path) -> None:
    expected = {f"{d}公司" for d in DANGEROUS}
    export_kind("enterprises", tmp_path / "e.csv", engine=filled)
    export_kind("enterprises", tmp_path / "e.xlsx", engine=filled)
    export_kind("enterprises", tmp_path / "e.parquet", engine=filled)

    csv_names = set(pd.read_csv(tmp_path / "e.csv", encoding="utf-8-sig", dtype=str)["name"])
    assert csv_names == {"'" + x for x in expected}

    ws = openpyxl.load_workbook(tmp_path / "e.xlsx").worksheets[0]
    headers = [c.value for c in ws[1]]
    col = headers.index(get_kind("enterprises").get_field("name").template_header)
    cells = [r[col].value for r in ws.iter_rows(min_row=2)]
    assert set(cells) == {"'" + x for x in expected}
    for r in ws.iter_rows(min_row=2):
        assert r[col].data_type == "s"  # stored as text, not a formula

    assert set(pd.read_parquet(tmp_path / "e.parquet")["name"]) == expected


def test_neutralise_formulas_leaves_safe_text_and_numbers() -> None:
    df = pd.DataFrame({"a": ["=x", "ok", None, "\tx"], "b": [-1, 2, 3, 4]})
    out = neutralise_formulas(df)
    assert out["a"].tolist()[:2] == ["'=x", "ok"]
    assert pd.isna(out["a"].iloc[2])
    assert out["a"].iloc[3] == "'\tx"
    assert out["b"].tolist() == [-1, 2, 3, 4]  # numbers are not text
    assert df["a"].iloc[0] == "=x"  # input untouched


@pytest.mark.parametrize("name", ["x.json", "x.xls", "x"])
def test_export_unsupported_extension(engine: Engine, tmp_path: Path, name: str) -> None:
    with pytest.raises(JiqunError) as ei:
        export_kind("enterprises", tmp_path / name, engine=engine)
    assert ei.value.message_zh and ei.value.message_en
    assert not (tmp_path / name).exists()


def test_template_must_be_xlsx(tmp_path: Path) -> None:
    with pytest.raises(JiqunError):
        write_template("enterprises", tmp_path / "t.csv")


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_every_kind(tmp_path: Path, kind: str) -> None:
    k = get_kind(kind)
    out = write_template(kind, tmp_path / f"{kind}.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [k.zh[:31], "说明 notes"]
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers == [f.template_header for f in k.fields]
    for h, f in zip(headers, k.fields, strict=True):
        zh, en = h.split(" / ")
        assert en == f.name and f.zh in zh  # bilingual
        assert k.resolve_header(h) == f.name
    notes = wb["说明 notes"]
    listed = [r[0].value for r in notes.iter_rows(min_row=2) if r[0].value]
    for f in k.fields:
        assert f.name in listed
    required = {r[0].value for r in notes.iter_rows(min_row=2) if r[4].value == "是 yes"}
    assert required == set(k.required)


def test_filled_template_round_trip(engine: Engine, tmp_path: Path) -> None:
    out = write_template("enterprises", tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    names = [get_kind("enterprises").resolve_header(c.value) for c in ws[1]]
    rows = [
        {
            "uscc": "91370000728611939A",
            "name": "山东示例集成电路有限公司",
            "region_code": "320214",
            "industry_code": "3973",
            "founded": "2001-05-18",
            "employees": 860,
            "revenue": 125000.5,
            "tags": "高新技术企业",
        },
        {
            "uscc": "91320214MA1NB0026F",
            "name": "无锡示例林木种苗有限公司",
            "region_code": "320214",
            "industry_code": "0211",
            "employees": 12,
            "revenue": 350,
        },
    ]
    for i, rec in enumerate(rows, start=2):
        for j, n in enumerate(names, start=1):
            if n in rec:
                ws.cell(row=i, column=j, value=rec[n])
    wb.save(out)
    res = import_file(out, "enterprises", engine=engine)
    assert res.status == "committed"
    assert not [p for p in res.validation.problems if p.severity in ("error", "warning")]
    assert res.inserted == 2
    export_kind("enterprises", tmp_path / "back.csv", engine=engine)
    back = pd.read_csv(tmp_path / "back.csv", encoding="utf-8-sig", dtype=str).set_index("uscc")
    assert back.loc["91320214MA1NB0026F", "industry_code"] == "0211"
    assert back.loc["91370000728611939A", "tags"] == "high_tech"
    assert float(back.loc["91370000728611939A", "revenue"]) == 125000.5
