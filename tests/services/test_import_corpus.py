"""The corpus of bad files: every kind of error is reported at its exact row and column, and a
rejected import leaves the database exactly as it was (counts and content).

The files are built in ``tmp_path`` (CSV, and a few XLSX via openpyxl). Row numbers are the
1-based row numbers a spreadsheet shows (row 1 = the header of these files).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.services.imports import import_file, stored_counts, validate_file
from jiqun.standard.codes import organisation_code_check_char, uscc_check_char
from jiqun.standard.problems import JiqunError

FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def make_uscc(prefix8: str, org8: str) -> str:
    """A credit code with a valid GB 11714 organisation check (pos. 17) and GB 32100 check."""
    body = prefix8 + org8 + organisation_code_check_char(org8)
    return body + uscc_check_char(body)


A = "91370000728611939A"  # valid, from the reader corpus
B = "91110108551385082Q"  # valid
C = make_uscc("91320214", "MA1NC003")

HEADER = "统一社会信用代码,企业名称,所在地区代码,行业代码,成立日期,从业人员,营业收入（万元）"
GOOD = f"{A},山东示例集成电路有限公司,320214,3973,2001-05-18,860,125000.5"

#: tables whose content must not change when an import is rejected
FINGERPRINT_TABLES = (
    "enterprises",
    "region_stats",
    "clusters",
    "cluster_regions",
    "cluster_industries",
    "cluster_members",
    "innovation_carriers",
    "supply_links",
    "imports",
    "meta",
)


def fingerprint(engine: Engine) -> dict[str, str]:
    """sha256 of the full content of every data table (rows sorted, all columns)."""
    out = {}
    with engine.connect() as conn:
        for t in FINGERPRINT_TABLES:
            df = pd.read_sql(text(f"SELECT * FROM {t}"), conn)
            df = df.reindex(sorted(df.columns), axis=1).astype(str)
            df = df.sort_values(list(df.columns)).reset_index(drop=True)
            out[t] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    return out


def snapshot(engine: Engine) -> tuple[dict[str, int], dict[str, str]]:
    return stored_counts(engine), fingerprint(engine)


def seed_one(engine: Engine, tmp_path: Path) -> None:
    """Put one committed enterprise in the database, so that 'unchanged' means something."""
    p = tmp_path / "seed.csv"
    p.write_text(
        f"{HEADER}\n{B},北京示例锂电科技有限公司,440300,3841,2010-03-02,420,38000\n",
        encoding="utf-8",
    )
    res = import_file(p, "enterprises", engine=engine)
    assert res.status == "committed" and res.inserted == 1


# ---------------------------------------------------------------------------------------------
# row-level problems: the file is read, rows fail validation, import is rejected
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    body: str  # data rows after the header (CSV text)
    expected: list[tuple[int, str, str, str]]  # (row, column as written, rule, severity)
    header: str = HEADER


ROW_CASES = [
    Case(
        "uscc-length",
        f"{GOOD}\n9137000072861193,短代码公司,320214,3973,2001-05-18,1,1",
        [(3, "统一社会信用代码", "uscc.length", "error")],
    ),
    Case(
        "uscc-charset",
        f"{GOOD}\n91370000728611939I,字母I公司,320214,3973,2001-05-18,1,1",
        [(3, "统一社会信用代码", "uscc.charset", "error")],
    ),
    Case(
        "region-not-existing",
        f"{GOOD}\n{B},北京示例公司,999999,3973,2001-05-18,1,1",
        [(3, "所在地区代码", "region.exists", "error")],
    ),
    Case(
        "region-wrong-level",
        f"{GOOD}\n{B},北京示例公司,320000,3973,2001-05-18,1,1",
        [(3, "所在地区代码", "region.level", "error")],
    ),
    Case(
        "industry-not-existing",
        f"{GOOD}\n{B},北京示例公司,320214,9999,2001-05-18,1,1",
        [(3, "行业代码", "industry.exists", "error")],
    ),
    Case(
        "industry-2011-code",
        f"{GOOD}\n{B},北京示例公司,320214,6510,2001-05-18,1,1",
        [(3, "行业代码", "industry.vintage", "error")],
    ),
    Case(
        "negative-employees-and-revenue",
        f"{GOOD}\n{B},北京示例公司,320214,3973,2001-05-18,-5,-3",
        [
            (3, "从业人员", "range.minimum", "error"),
            (3, "营业收入（万元）", "range.minimum", "error"),
        ],
    ),
    Case(
        "date-not-existing",
        f"{GOOD}\n{B},北京示例公司,320214,3973,2015-02-30,1,1",
        [(3, "成立日期", "date.invalid", "error")],
    ),
    Case(
        "date-two-digit-year",
        f"{GOOD}\n{B},北京示例公司,320214,3973,15-02-03,1,1",
        [(3, "成立日期", "date.ambiguous", "error")],
    ),
    Case(
        "date-day-month-ambiguous",
        f"{GOOD}\n{B},北京示例公司,320214,3973,03/04/2015,1,1",
        [(3, "成立日期", "date.ambiguous", "error")],
    ),
    Case(
        "approximate-number",
        f"{GOOD}\n{B},北京示例公司,320214,3973,2001-05-18,约100,1",
        [(3, "从业人员", "int.approximate", "error")],
    ),
    Case(
        "duplicate-in-file",
        f"{GOOD}\n{B},北京示例公司,320214,3973,2001-05-18,1,1\n{GOOD}",
        [(4, "统一社会信用代码", "duplicate.in_file", "error")],
    ),
    Case(
        "required-cell-empty",
        f"{GOOD}\n{B},,320214,3973,2001-05-18,1,1",
        [(3, "企业名称", "required", "error")],
    ),
    Case(
        "english-headers-column-as-written",
        f"{A},山东示例,320214,3973,2001-05-18,-1,5\n{B},北京示例,320214,3973,2001-05-18,1,5",
        [(2, "employees", "range.minimum", "error")],
        header="uscc,name,region_code,industry_code,founded,employees,revenue",
    ),
    Case(
        "several-rows-several-errors",
        f"{GOOD}\n{B},北京示例公司,999999,3973,2001-05-18,1,1\n"
        f"{C},无锡示例公司,320214,6510,2015-02-30,1,1",
        [
            (3, "所在地区代码", "region.exists", "error"),
            (4, "行业代码", "industry.vintage", "error"),
            (4, "成立日期", "date.invalid", "error"),
        ],
    ),
]


def _problems(res, severities=("error", "warning")) -> set[tuple]:  # type: ignore[no-untyped-def]
    return {(p.row, p.column, p.rule, p.severity) for p in res.problems if p.severity in severities}


def _write_xlsx(path: Path, rows: list[list[object]], title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业名录"
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _csv_rows(header: str, body: str) -> list[list[object]]:
    return [line.split(",") for line in [header, *body.splitlines()]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_bad_rows_reported_exactly_and_rejected(
    engine: Engine, tmp_path: Path, case: Case, fmt: str
) -> None:
    seed_one(engine, tmp_path)
    if fmt == "csv":
        path = tmp_path / f"{case.id}.csv"
        path.write_text(f"{case.header}\n{case.body}\n", encoding="utf-8")
        expected = set(case.expected)
    else:
        # A title row above the header: every row number moves down by one.
        path = _write_xlsx(
            tmp_path / f"{case.id}.xlsx",
            _csv_rows(case.header, case.body),
            title="2023年规上工业企业名录（模拟数据）",
        )
        expected = {(r + 1, c, rule, s) for r, c, rule, s in case.expected}
    before = snapshot(engine)

    val = validate_file(path, "enterprises", engine=engine)
    assert _problems(val, ("error",)) == expected
    assert snapshot(engine) == before

    res = import_file(path, "enterprises", engine=engine)
    assert res.status == "rejected"
    assert res.inserted == res.updated == 0
    assert res.rejected == len({r for r, *_ in expected})
    assert _problems(res.validation, ("error",)) == expected
    for p in res.validation.problems:
        if p.severity == "error":
            assert p.message_zh and p.message_en
    assert snapshot(engine) == before


def test_checksum_mismatch_is_a_warning_and_the_row_is_imported(
    engine: Engine, tmp_path: Path
) -> None:
    bad_check = A[:-1] + ("B" if A[-1] != "B" else "C")
    path = tmp_path / "checksum.csv"
    path.write_text(
        f"{HEADER}\n{bad_check},校验位不符公司,320214,3973,2001-05-18,10,100\n", encoding="utf-8"
    )
    counts = stored_counts(engine)
    res = import_file(path, "enterprises", engine=engine)
    assert res.status == "committed"
    assert res.inserted == 1
    assert (2, "统一社会信用代码", "uscc.checksum", "warning") in _problems(res.validation)
    assert not any(p.severity == "error" for p in res.validation.problems)
    after = stored_counts(engine)
    assert after["enterprises"] == counts["enterprises"] + 1
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT uscc FROM enterprises WHERE name = '校验位不符公司'")
        ).scalar_one()
    assert stored == bad_check  # never corrected


# ---------------------------------------------------------------------------------------------
# file-level problems: the reader refuses the file (JiqunError), nothing is written
# ---------------------------------------------------------------------------------------------


def _file_case(name: str, tmp_path: Path) -> tuple[Path, dict, tuple[int | None, str | None]]:
    """(path, import kwargs, expected (row, column) of the fatal problem) for each rule."""
    if name == "file.empty":
        p = tmp_path / "empty.csv"
        p.write_bytes(b"")
        return p, {}, (None, None)
    if name == "file.no_data":
        p = tmp_path / "header_only.csv"
        p.write_text(f"{HEADER}\n", encoding="utf-8")
        return p, {}, (1, None)
    if name == "column.missing":
        p = tmp_path / "missing.csv"
        p.write_text("企业名称,所在地区代码,行业代码\n山东示例,320214,3973\n", encoding="utf-8")
        return p, {}, (None, "统一社会信用代码")
    if name == "column.unknown":
        p = tmp_path / "unknown.csv"
        p.write_text(f"{HEADER},备用列\n{GOOD},x\n", encoding="utf-8")
        return p, {}, (None, "备用列")
    if name == "sheet.not_found":
        p = _write_xlsx(tmp_path / "sheets.xlsx", _csv_rows(HEADER, GOOD))
        return p, {"sheet": "不存在的表"}, (None, None)
    if name == "header.not_found":  # the workbook's only sheet is something else entirely
        p = _write_xlsx(
            tmp_path / "wrong_sheet.xlsx",
            [["地区", "人口（万人）"], ["无锡", 749], ["苏州", 1291]],
        )
        return p, {}, (None, None)
    raise AssertionError(name)


FILE_RULES = [
    "file.empty",
    "file.no_data",
    "column.missing",
    "column.unknown",
    "sheet.not_found",
    "header.not_found",
]


@pytest.mark.parametrize("rule", FILE_RULES)
def test_bad_files_refused_and_database_unchanged(
    engine: Engine, tmp_path: Path, rule: str
) -> None:
    seed_one(engine, tmp_path)
    path, kw, (row, column) = _file_case(rule, tmp_path)
    before = snapshot(engine)
    with pytest.raises(JiqunError) as ei:
        validate_file(path, "enterprises", engine=engine, **kw)
    with pytest.raises(JiqunError) as ei2:
        import_file(path, "enterprises", engine=engine, **kw)
    for e in (ei.value, ei2.value):
        assert e.message_zh and e.message_en
        hits = [p for p in e.problems if p.rule == rule]
        assert hits, [p.rule for p in e.problems]
        assert (hits[0].row, hits[0].column, hits[0].severity) == (row, column, "error")
    assert snapshot(engine) == before


def test_unknown_column_allowed_is_a_warning(engine: Engine, tmp_path: Path) -> None:
    path, _kw, _ = _file_case("column.unknown", tmp_path)
    res = import_file(path, "enterprises", engine=engine, allow_unknown_columns=True)
    assert res.status == "committed" and res.inserted == 1
    assert (None, "备用列", "column.unknown", "warning") in _problems(res.validation)


def test_existing_corpus_bad_files(engine: Engine) -> None:
    before = snapshot(engine)
    for name in ("empty.csv", "header_only.csv", "missing_uscc.csv", "unknown_column.csv"):
        with pytest.raises(JiqunError):
            import_file(FILES / name, "enterprises", engine=engine)
    assert snapshot(engine) == before


# ---------------------------------------------------------------------------------------------
# GBK with Chinese headers imports cleanly
# ---------------------------------------------------------------------------------------------


def test_gbk_chinese_headers_import_cleanly(engine: Engine) -> None:
    res = import_file(FILES / "enterprises_gbk.csv", "enterprises", engine=engine)
    assert res.status == "committed"
    assert not [p for p in res.validation.problems if p.severity == "error"]
    assert res.inserted == 5 and res.rejected == 0
    with engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM enterprises")).scalars())
        code = conn.execute(
            text("SELECT industry_code FROM enterprises WHERE name = '无锡示例林木种苗有限公司'")
        ).scalar_one()
    assert "山东示例集成电路有限公司" in names
    assert code == "0211"  # leading zero kept


# ---------------------------------------------------------------------------------------------
# --skip-invalid: valid rows written, rejected rows in the report
# ---------------------------------------------------------------------------------------------


def _mixed_file(tmp_path: Path) -> Path:
    p = tmp_path / "mixed.csv"
    p.write_text(
        f"{HEADER}\n{GOOD}\n"
        f"{B},北京示例锂电科技有限公司,999999,3841,2010-03-02,420,38000\n"
        f"{C},无锡示例药业有限公司,320200,2720,2015-07-01,-95,6800.25\n"
        f"91320214MA1NB0026F,无锡示例林木种苗有限公司,320214,0211,2018-01-15,12,350\n",
        encoding="utf-8",
    )
    return p


@pytest.mark.parametrize("ext", [".xlsx", ".csv"])
def test_skip_invalid_writes_valid_rows_and_reports_rejected(
    engine: Engine, tmp_path: Path, ext: str
) -> None:
    path = _mixed_file(tmp_path)
    report = tmp_path / f"report{ext}"
    before = stored_counts(engine)

    # all-or-nothing first: nothing written, but the report is there
    res0 = import_file(path, "enterprises", engine=engine, report=report)
    assert res0.status == "rejected" and res0.rejected == 2
    assert stored_counts(engine) == before
    assert report.exists()
    report.unlink()

    res = import_file(path, "enterprises", engine=engine, skip_invalid=True, report=report)
    assert res.status == "committed"
    assert res.inserted == 2 and res.rejected == 2
    assert stored_counts(engine)["enterprises"] == before["enterprises"] + 2
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT uscc FROM enterprises")).scalars())
    assert {A, "91320214MA1NB0026F"} <= stored
    assert not {B, C} & stored

    if ext == ".xlsx":
        wb = openpyxl.load_workbook(report)
        assert wb.sheetnames == ["问题 problems", "被拒行 rejected rows", "说明 summary"]
        probs = pd.read_excel(report, sheet_name="问题 problems", dtype=str, engine="openpyxl")
        rej = pd.read_excel(report, sheet_name="被拒行 rejected rows", dtype=str, engine="openpyxl")
        assert list(probs.columns) == [
            "行号 row",
            "列 column",
            "值 value",
            "规则 rule",
            "级别 severity",
            "说明",
            "reason",
        ]
        errs = probs[probs["级别 severity"] == "error"]
        got = set(
            zip(errs["行号 row"].astype(int), errs["列 column"], errs["规则 rule"], strict=True)
        )
        assert got == {(3, "所在地区代码", "region.exists"), (4, "从业人员", "range.minimum")}
        assert rej["行号 row"].astype(int).tolist() == [3, 4]
        assert rej["统一社会信用代码"].tolist() == [B, C]
        reasons = rej["原因 reasons"].tolist()
        assert "所在地区代码" in reasons[0] and "999999" in reasons[0]
        assert "does not exist" in reasons[0]  # English
        assert "不在" in reasons[0]  # Chinese
        assert "从业人员" in reasons[1] and "at least" in reasons[1] and "不能小于" in reasons[1]
        summary = pd.read_excel(report, sheet_name="说明 summary", dtype=str, engine="openpyxl")
        vals = dict(zip(summary["项目 item"], summary["值 value"], strict=True))
        assert vals["有错误的行 rows with errors"] == "2"
        assert vals["数据行 rows"] == "4"
    else:
        raw = report.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
        df = pd.read_csv(report, encoding="utf-8-sig", dtype=str)
        errs = df[df["级别 severity"] == "error"]
        assert errs["行号 row"].tolist() == ["3", "4"]  # whole numbers, not "3.0"
        got = set(
            zip(errs["行号 row"].astype(int), errs["列 column"], errs["规则 rule"], strict=True)
        )
        assert got == {(3, "所在地区代码", "region.exists"), (4, "从业人员", "range.minimum")}
        for _, r in errs.iterrows():
            assert r["说明"] and r["reason"]
            rec = json.loads(r["record"])
            assert rec["统一社会信用代码"] == {3: B, 4: C}[int(r["行号 row"])]
        assert errs.loc[errs["行号 row"].astype(int) == 3, "reason"].iloc[0].startswith("region")
