"""Tests of :mod:`jiqun.standard.reader` on the corpus in ``tests/data/files`` (see make_corpus.py)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiqun.standard.problems import JiqunError, Problem
from jiqun.standard.reader import SUPPORTED_EXTENSIONS, RawTable, delimited, read_table, xlsx
from jiqun.standard.schema import KINDS

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
ENT = ["uscc", "name", "region_code", "industry_code", "founded", "employees", "revenue", "tags"]
USCC = [
    "91370000728611939A",
    "91110108551385082Q",
    "912201011239989159",
    "91320214MA1NA0012A",
    "91320214MA1NB0026F",
]
ZH_HEADER = "统一社会信用代码,企业名称,所在地区代码,行业代码,营业收入（万元）"
ROW = "91370000728611939A,山东示例集成电路有限公司,320214,3973,100"


def probs(ps: list[Problem]) -> list[tuple[str, str, int | None, str | None]]:
    return [(p.rule, p.severity, p.row, p.column) for p in ps]


def rules(ps: list[Problem]) -> list[str]:
    return [p.rule for p in ps]


def fail(path: Path | str, kind: str = "enterprises", **kw) -> JiqunError:
    with pytest.raises(JiqunError) as ei:
        read_table(path, kind, **kw)
    return ei.value


def errors(e: JiqunError) -> list[tuple[str, str, int | None, str | None]]:
    return [t for t in probs(e.problems) if t[1] == "error"]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def cell(t: RawTable, col: str, i: int):
    return t.data[col].iloc[i]


# ------------------------------------------------------------------------------------------
# corpus: text files


def test_clean_utf8_canonical_headers():
    t = read_table(FILES / "enterprises_clean.csv", "enterprises")
    assert isinstance(t, RawTable)
    assert list(t.data.columns) == ENT
    assert t.rows.tolist() == [2, 3, 4, 5, 6]
    assert t.rows.dtype == np.int64
    assert t.encoding == "utf-8"
    assert t.sheet is None
    assert t.source == "enterprises_clean.csv"
    assert t.headers == {f: f for f in ENT}
    assert t.units == {}
    assert probs(t.problems) == [
        ("file.encoding", "normalised", None, None),
        ("file.delimiter", "normalised", None, None),
        ("header.found", "normalised", 1, None),
    ]
    assert t.data["uscc"].tolist() == USCC
    # raw strings, never parsed: the leading zero of 0211 stays, numbers stay text
    assert cell(t, "industry_code", 4) == "0211"
    assert cell(t, "employees", 0) == "860"
    assert cell(t, "revenue", 3) == "6800.25"
    assert cell(t, "founded", 0) == "2001-05-18"
    # an empty cell is missing
    assert pd.isna(cell(t, "tags", 4))
    assert all(pd.api.types.is_string_dtype(t.data[c].dtype) for c in t.data.columns)


def test_kind_object_accepted():
    t = read_table(str(FILES / "enterprises_clean.csv"), KINDS["enterprises"])
    assert t.kind is KINDS["enterprises"]
    assert len(t) == 5


def test_utf8_bom_chinese_headers_crlf():
    t = read_table(FILES / "enterprises_bom_zh.csv", "enterprises")
    assert t.encoding == "utf-8-sig"
    assert list(t.data.columns) == ENT
    assert t.rows.tolist() == [2, 3, 4, 5, 6]
    assert t.headers["uscc"] == "统一社会信用代码"
    assert t.headers["revenue"] == "营业收入（万元）"
    assert t.units == {"revenue": "万元"}
    assert cell(t, "uscc", 0) == "91370000728611939A"  # no BOM glued to the first cell
    assert cell(t, "tags", 2) == "专精特新“小巨人”"
    assert not cell(t, "tags", 0).endswith("\r")


def test_gbk_reads_cleanly_as_gb18030():
    t = read_table(FILES / "enterprises_gbk.csv", "enterprises")
    assert t.encoding == "gb18030"
    assert t.problems[0].rule == "file.encoding"
    assert t.problems[0].value == "gb18030"
    assert list(t.data.columns) == ENT
    assert t.rows.tolist() == [3, 4, 5, 6, 7]
    assert t.data["name"].tolist()[:2] == ["山东示例集成电路有限公司", "北京示例锂电科技有限公司"]
    hf = [p for p in t.problems if p.rule == "header.found"]
    assert [(p.row, p.value) for p in hf] == [(2, "2023年规上工业企业名录")]
    assert "第1行" in hf[0].message_zh and "row 1 " in hf[0].message_en


def test_gb18030_rare_characters():
    raw = (FILES / "enterprises_gb18030_rare.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gbk")  # really outside GBK
    t = read_table(FILES / "enterprises_gb18030_rare.csv", "enterprises")
    assert t.encoding == "gb18030"
    assert cell(t, "name", 1) == "无锡𠀀䶮示例生物科技有限公司"
    assert t.rows.tolist() == [2, 3]


def test_utf16_tab_text_export():
    t = read_table(FILES / "enterprises_utf16.txt", "enterprises")
    assert t.encoding == "utf-16"
    assert t.rows.tolist() == [2, 3]
    assert t.data["uscc"].tolist() == USCC[:2]
    assert ("file.delimiter", "\t") in [(p.rule, p.value) for p in t.problems]


def test_fullwidth_and_nbsp_headers_and_cells_kept_raw():
    t = read_table(FILES / "enterprises_fullwidth.csv", "enterprises")
    assert list(t.data.columns) == ["uscc", "name", "region_code", "industry_code", "revenue"]
    assert t.headers["uscc"] == "ＵＳＣＣ"
    assert t.headers["name"] == "企业\u00a0名称"
    assert t.headers["region_code"] == " 所在地区代码\u3000"
    assert t.headers["industry_code"] == "行业代码＊"
    # cells are not normalised by the reader
    assert cell(t, "uscc", 0) == "９１３７００００７２８６１１９３９Ａ"
    assert cell(t, "name", 0).endswith("\u00a0")
    assert cell(t, "region_code", 0) == "\u00a0320214"
    assert cell(t, "industry_code", 0) == "３９７３"


def test_thousands_separators_and_units():
    t = read_table(FILES / "enterprises_thousands_wanyuan.csv", "enterprises")
    assert t.units == {"revenue": "万元", "employees": "人"}
    assert t.headers["employees"] == "从业人员（人）"
    assert t.data["revenue"].tolist() == ["125,000.50", "38,000", "210,000", "6,800.25", "350"]


def test_unit_yiyuan_ascii_brackets():
    t = read_table(FILES / "enterprises_yiyuan.csv", "enterprises")
    assert t.units == {"revenue": "亿元"}
    assert t.headers["revenue"] == "营业收入(亿元)"
    assert cell(t, "revenue", 4) == "0.035"


def test_tsv():
    t = read_table(FILES / "enterprises.tsv", "enterprises")
    assert list(t.data.columns) == ENT
    assert t.rows.tolist() == [2, 3, 4, 5, 6]
    assert [p.value for p in t.problems if p.rule == "file.delimiter"] == ["\t"]
    assert cell(t, "tags", 1) == "专精特新;高新技术企业"


def test_semicolon_delimiter_fullwidth_comma_is_not_a_delimiter():
    t = read_table(FILES / "semicolon.csv", "enterprises")
    assert [p.value for p in t.problems if p.rule == "file.delimiter"] == [";"]
    assert cell(t, "business_scope", 0) == "集成电路设计，制造，销售"


def test_quoted_newlines_give_physical_line_numbers():
    t = read_table(FILES / "quoted_newlines.csv", "enterprises")
    # line 1 header; record 1 on lines 2-3; line 4 blank; lines 5, 6-8, 9; lines 10-11 blank
    assert t.rows.tolist() == [2, 5, 6, 9]
    assert cell(t, "address", 2) == "上海市浦东新区\n张江路2号\n3幢"
    empty = [(p.row, p.extra.get("last_row")) for p in t.problems if p.rule == "row.empty"]
    assert empty == [(4, "4"), (10, "11")]


def test_total_row_dropped_with_warning_and_na_literals_kept():
    t = read_table(FILES / "total_row.csv", "enterprises")
    assert t.rows.tolist() == [2, 3, 4]
    assert probs(t.problems)[3:] == [
        ("column.ignored", "normalised", None, "序号"),
        ("column.ignored", "normalised", None, "备注"),
        ("row.total", "warning", 5, None),
    ]
    assert "合计" in t.problems[-1].message_zh
    assert t.data["tags"].tolist()[0] == "NA"  # keep_default_na=False
    assert t.data["tags"].tolist()[2] == "N/A"
    assert pd.isna(t.data["tags"].tolist()[1])
    assert "序号" not in t.data.columns and "备注" not in t.headers.values()


def test_region_stats_long_format():
    t = read_table(FILES / "region_stats_long.csv", "region-stats")
    assert list(t.data.columns) == [
        "region_code",
        "industry_code",
        "year",
        "measure",
        "value",
        "unit",
        "source",
    ]
    assert t.rows.tolist() == [3, 4, 5, 6]
    assert probs(t.problems)[2:] == [
        ("header.found", "normalised", 2, None),
        ("row.footer", "normalised", 7, None),
    ]
    assert t.data["unit"].tolist() == ["亿元", "人", "亿元", "家"]
    assert t.data["industry_code"].tolist()[-1] == "C"


def test_supply_links():
    t = read_table(FILES / "supply_links.csv", "supply-links")
    assert list(t.data.columns) == [
        "supplier_uscc",
        "buyer_uscc",
        "year",
        "value",
        "input_category",
        "product",
    ]
    assert t.units == {"value": "万元"}
    assert t.rows.tolist() == [2, 3, 4]
    assert cell(t, "value", 0) == "1,200"


# ------------------------------------------------------------------------------------------
# corpus: Excel and Parquet


def test_messy_xlsx_title_rows_merged_two_row_header_and_footers():
    t = read_table(FILES / "enterprises_messy.xlsx", "enterprises")
    assert t.sheet == "Sheet1"
    assert t.encoding is None
    assert list(t.data.columns) == [
        "uscc",
        "name",
        "region_code",
        "industry_code",
        "revenue",
        "employees",
        "rd_expense",
    ]
    assert t.rows.tolist() == [6, 7, 8, 9]
    assert t.headers["uscc"] == "统一社会信用代码*"
    assert t.headers["name"] == "企业\n名称"
    assert t.headers["revenue"] == "营业收入（万元）"
    assert t.units == {"revenue": "万元", "rd_expense": "万元"}
    assert probs(t.problems) == [
        ("header.found", "normalised", 5, None),
        ("header.two_rows", "normalised", 4, None),
        ("header.merged", "normalised", 4, None),
        ("column.ignored", "normalised", None, "序号"),
        ("column.ignored", "normalised", None, "备注"),
        ("row.empty", "normalised", 10, None),
        ("row.footer", "normalised", 11, None),
        ("row.footer", "normalised", 12, None),
    ]
    found = t.problems[0]
    assert "第1–3行" in found.message_zh and "rows 1–3 skipped" in found.message_en
    assert "填报单位：无锡市新吴区工业和信息化局" in found.value
    assert "F4:H4「经营指标」" in t.problems[2].message_zh
    # Excel values keep their Python type
    assert cell(t, "revenue", 0) == 125000.5
    assert type(cell(t, "employees", 0)) is int and cell(t, "employees", 0) == 860
    assert cell(t, "rd_expense", 3) is None
    assert cell(t, "region_code", 0) == "320214"
    assert t.data["uscc"].tolist() == USCC[:4]


def test_xlsx_second_sheet_found_and_named():
    t = read_table(FILES / "enterprises_two_sheets.xlsx", "enterprises")
    assert t.sheet == "企业名录"
    assert t.rows.tolist() == [2, 3, 4]
    sel = [p for p in t.problems if p.rule == "sheet.selected"]
    assert len(sel) == 1 and "填报说明" in sel[0].message_zh
    t2 = read_table(FILES / "enterprises_two_sheets.xlsx", "enterprises", sheet="企业名录")
    assert t2.sheet == "企业名录" and "sheet.selected" not in rules(t2.problems)
    pd.testing.assert_frame_equal(t.data, t2.data)


def test_xlsx_wrong_sheet_lists_sheets():
    e = fail(FILES / "enterprises_two_sheets.xlsx", sheet="Sheet9")
    assert errors(e) == [("sheet.not_found", "error", None, None)]
    assert "填报说明" in e.message_zh and "企业名录" in e.message_en
    e = fail(FILES / "enterprises_two_sheets.xlsx", sheet="填报说明")
    assert rules(e.problems) == ["header.not_found"]
    assert "填报说明" in e.message_zh


def test_xlsx_no_sheet_with_header_lists_checked_sheets():
    e = fail(FILES / "enterprises_two_sheets.xlsx", "supply-links")
    assert rules(e.problems)[-1] == "sheet.no_header"
    assert "填报说明" in e.problems[-1].message_zh and "企业名录" in e.problems[-1].message_en
    assert "supplier_uscc" in e.problems[0].message_en


def test_xlsx_numeric_codes_and_dates_kept_raw():
    t = read_table(FILES / "enterprises_numeric_codes.xlsx", "enterprises")
    assert t.sheet == "企业"
    assert list(t.data.columns) == [
        "uscc",
        "name",
        "region_code",
        "industry_code",
        "founded",
        "revenue",
        "output",
    ]
    assert t.rows.tolist() == [2, 3, 4]
    ind = t.data["industry_code"].tolist()
    assert ind == [211, 3973, "3841"]
    assert type(ind[0]) is int  # 211 stays 211 (the normaliser pads it to 0211)
    reg = t.data["region_code"].tolist()
    assert reg[0] == 320214 and isinstance(reg[0], int | float) and not isinstance(reg[0], bool)
    assert reg[2] == "440300"
    founded = t.data["founded"].tolist()
    assert founded[0] == dt.datetime(2018, 1, 15)  # an Excel date cell
    assert founded[1] == 37029  # an Excel serial number (2001-05-18), left to the normaliser
    assert founded[2] == "2010-03-02"
    assert t.data["revenue"].tolist() == [350, 125000.5, "38,000"]
    assert t.data["output"].tolist() == [700, "#DIV/0!", None]  # cached values, never evaluated
    assert probs(t.problems) == [
        ("header.found", "normalised", 1, None),
        ("cell.excel_error", "warning", 3, "工业总产值"),
    ]
    assert "#DIV/0!" in t.problems[1].message_en


def test_parquet():
    t = read_table(FILES / "enterprises.parquet", "enterprises")
    assert list(t.data.columns) == ENT
    assert t.rows.tolist() == [2, 3, 4, 5, 6]
    assert t.data["employees"].dtype == np.int64
    assert cell(t, "industry_code", 4) == "0211"
    assert t.units == {"revenue": "万元"}
    assert rules(t.problems) == ["header.found"]


# ------------------------------------------------------------------------------------------
# fatal file-level errors


def test_missing_file():
    e = fail(FILES / "no_such_file.csv")
    assert errors(e) == [("file.missing", "error", None, None)]
    assert "文件不存在" in e.message_zh and "not found" in e.message_en


def test_empty_file():
    e = fail(FILES / "empty.csv")
    assert errors(e) == [("file.empty", "error", None, None)]
    assert "为空" in e.message_zh and "empty" in e.message_en


def test_blank_lines_only_is_empty(tmp_path):
    e = fail(write(tmp_path, "blank.csv", "\n \n,,\n"))
    assert errors(e) == [("file.empty", "error", None, None)]


def test_empty_xlsx(tmp_path):
    p = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(p)
    e = fail(p)
    assert errors(e) == [("file.empty", "error", None, None)]


def test_header_only():
    e = fail(FILES / "header_only.csv")
    assert errors(e) == [("file.no_data", "error", 1, None)]
    assert "没有数据行" in e.message_zh and "no data rows" in e.message_en


def test_header_then_only_footer_is_header_only(tmp_path):
    e = fail(write(tmp_path, "f.csv", f"{ZH_HEADER}\n\n注：本表无数据\n"))
    assert errors(e) == [("file.no_data", "error", 1, None)]


def test_no_header_row_names_headers_seen_and_required(tmp_path):
    p = write(tmp_path, "x.csv", "名单\n姓名,电话,邮箱\n张三,123,a@b.c\n")
    e = fail(p)
    assert errors(e) == [("header.not_found", "error", None, None)]
    assert "姓名" in e.message_zh and "电话" in e.message_en
    for f in KINDS["enterprises"].fields:
        if f.required:
            assert f.zh in e.message_zh and f.name in e.message_en and f.zh in e.message_en


def test_missing_required_column():
    e = fail(FILES / "missing_uscc.csv")
    assert errors(e) == [("column.missing", "error", None, "统一社会信用代码")]
    assert "统一社会信用代码" in e.message_zh and "uscc" in e.message_en


def test_unknown_column_error_then_warning():
    e = fail(FILES / "unknown_column.csv")
    assert errors(e) == [("column.unknown", "error", None, "联系人电话")]
    assert "联系人电话" in e.message_zh and "allow_unknown_columns" in e.message_en
    t = read_table(FILES / "unknown_column.csv", "enterprises", allow_unknown_columns=True)
    assert ("column.unknown", "warning", None, "联系人电话") in probs(t.problems)
    assert list(t.data.columns) == ["uscc", "name", "region_code", "industry_code"]
    assert t.rows.tolist() == [2, 3, 4]


def test_unknown_column_did_you_mean(tmp_path):
    p = write(
        tmp_path,
        "t.csv",
        "统一社会信用代码,企业名称,所在地区编码,行业代码\n" + ROW.rsplit(",", 1)[0] + "\n",
    )
    e = fail(p)
    [u] = [q for q in e.problems if q.rule == "column.unknown"]
    assert (
        "所在地区代码" in u.message_zh
        and "region_code" in u.message_en
        and "did you mean" in u.message_en
    )
    # the required column it was meant to be is reported missing too
    assert ("column.missing", "error", None, "所在地区代码") in errors(e)


def test_duplicate_headers():
    e = fail(FILES / "duplicate_header.csv")
    assert errors(e) == [("header.duplicate", "error", None, "信用代码")]
    assert "统一社会信用代码" in e.message_zh and "uscc" in e.message_en


@pytest.mark.parametrize("name", ["old.xls", "data.json", "noext"])
def test_unsupported_extension(tmp_path, name):
    p = write(tmp_path, name, "x")
    e = fail(p)
    assert errors(e) == [("file.extension", "error", None, None)]
    assert ".xlsx" in e.message_zh and ".xlsx" in e.message_en
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in e.message_en
    if name.endswith(".xls"):
        assert "另存为 .xlsx" in e.message_zh and "save" in e.message_en


def test_workbook_with_csv_extension(tmp_path):
    p = tmp_path / "book.csv"
    p.write_bytes((FILES / "enterprises_two_sheets.xlsx").read_bytes())
    e = fail(p)
    assert errors(e) == [("file.format", "error", None, None)]
    assert ".xlsx" in e.message_en


def test_csv_with_xlsx_extension(tmp_path):
    p = tmp_path / "book.xlsx"
    p.write_text(f"{ZH_HEADER}\n{ROW}\n", encoding="utf-8")
    assert errors(fail(p)) == [("file.format", "error", None, None)]


# ------------------------------------------------------------------------------------------
# messy layouts (synthetic, in tmp_path)


def test_middle_blank_rows_subtotals_and_repeated_header(tmp_path):
    text = "\n".join(
        [
            "2023年企业名录,,,,",
            ZH_HEADER,
            ROW,
            ",,,,",
            "91110108551385082Q,北京示例锂电科技有限公司,440300,3841,200",
            "小计,,,,300",
            ZH_HEADER,
            "912201011239989159,长春示例机器人股份有限公司,310115,3491,50",
            "全市合计,,,,350",
            "",
            "填表人：张三,,审核人：李四,,",
            "",
        ]
    )
    t = read_table(write(tmp_path, "m.csv", text), "enterprises")
    assert t.rows.tolist() == [3, 5, 8]
    assert probs(t.problems)[2:] == [
        ("header.found", "normalised", 2, None),
        ("row.empty", "normalised", 4, None),
        ("row.total", "warning", 6, None),
        ("row.repeated_header", "normalised", 7, None),
        ("row.total", "warning", 9, None),
        ("row.empty", "normalised", 10, None),
        ("row.footer", "normalised", 11, None),
    ]


def test_footer_needs_a_colon_so_firm_names_are_kept(tmp_path):
    text = (
        f"企业名称,统一社会信用代码,所在地区代码,行业代码\n注塑科技有限公司,{USCC[0]},320214,2927\n"
    )
    t = read_table(write(tmp_path, "n.csv", text), "enterprises")
    assert t.rows.tolist() == [2]
    assert cell(t, "name", 0) == "注塑科技有限公司"


def test_units_row_and_english_header_row_below_header(tmp_path):
    text = "\n".join(
        [
            "统一社会信用代码,企业名称,所在地区代码,行业代码,营业收入,从业人员",
            "uscc,name,region_code,industry_code,revenue,employees",
            ",,,,亿元,人",
            ROW + ",12",
        ]
    )
    t = read_table(write(tmp_path, "u.csv", text + "\n"), "enterprises")
    assert t.rows.tolist() == [4]
    assert t.units == {"revenue": "亿元", "employees": "人"}
    assert rules(t.problems)[2:] == ["header.found", "header.extra_row", "header.units_row"]


def test_two_row_header_in_csv_with_group_label(tmp_path):
    text = "\n".join(
        [
            "统一社会信用代码,企业名称,所在地区代码,行业代码,经营指标,",
            ",,,,营业收入（万元）,从业人员",
            ROW + ",12",
        ]
    )
    t = read_table(write(tmp_path, "g.csv", text), "enterprises")
    assert t.rows.tolist() == [3]
    assert list(t.data.columns) == [
        "uscc",
        "name",
        "region_code",
        "industry_code",
        "revenue",
        "employees",
    ]
    assert rules(t.problems)[2:4] == ["header.found", "header.two_rows"]


def test_two_row_header_joined_upper_and_lower(tmp_path):
    text = "\n".join(
        [
            "统一社会信用代码,企业名称,所在地区代码,行业代码,成立,研发",
            ",,,,日期,费用（万元）",
            ROW.rsplit(",", 1)[0] + ",2001-05-18,100",
        ]
    )
    t = read_table(write(tmp_path, "j.csv", text), "enterprises")
    assert t.headers["founded"] == "成立日期" and t.headers["rd_expense"] == "研发费用（万元）"
    assert t.units == {"rd_expense": "万元"}
    assert list(t.data.columns) == [
        "uscc",
        "name",
        "region_code",
        "industry_code",
        "founded",
        "rd_expense",
    ]
    assert t.rows.tolist() == [3]
    [two] = [p for p in t.problems if p.rule == "header.two_rows"]
    assert "成立日期" in two.message_zh and "joined" in two.message_en


def test_unnamed_column_with_data_warns(tmp_path):
    text = f"{ZH_HEADER}\n{ROW}\n{ROW},多出来的\n"
    t = read_table(write(tmp_path, "x.csv", text), "enterprises")
    assert ("column.unnamed", "warning", 3, "F") in probs(t.problems)
    assert t.rows.tolist() == [2, 3]


def test_ragged_rows_and_short_rows(tmp_path):
    text = f"{ZH_HEADER}\n{ROW}\n91110108551385082Q,北京示例\n{ROW}\n"
    t = read_table(write(tmp_path, "r.csv", text), "enterprises")
    assert t.rows.tolist() == [2, 3, 4]
    assert pd.isna(cell(t, "region_code", 1))


def test_cr_only_line_endings_use_exact_reader(tmp_path):
    text = (
        f'2023年名录\r{ZH_HEADER}\r{ROW}\r"91110108551385082Q",北京示例,440300,3841,"1\r2"\r{ROW}\r'
    )
    t = read_table(write(tmp_path, "cr.csv", text), "enterprises")
    assert t.rows.tolist() == [3, 4, 6]


def test_required_mark_line_break_and_nbsp_in_header(tmp_path):
    text = (
        "*统一社会\n信用代码*,企业\u00a0名称 ,所在地区代码＊,行业代码\n"
        + ROW.rsplit(",", 1)[0]
        + "\n"
    )
    text = text.replace("*统一社会\n信用代码*", '"*统一社会\n信用代码*"')
    t = read_table(write(tmp_path, "h.csv", text), "enterprises")
    assert list(t.data.columns) == ["uscc", "name", "region_code", "industry_code"]
    assert t.headers["uscc"] == "*统一社会\n信用代码*"
    assert t.rows.tolist() == [3]  # the header spans physical lines 1-2


def test_na_strings_stay_literal(tmp_path):
    text = f"{ZH_HEADER},企业标签\n{ROW},NA\n{ROW},NULL\n{ROW},\n"
    t = read_table(write(tmp_path, "na.csv", text), "enterprises")
    tags = t.data["tags"].tolist()
    assert tags[:2] == ["NA", "NULL"] and pd.isna(tags[2])


def test_xlsx_vertical_merge_in_data_is_filled_and_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "所在地区代码", "行业代码"])
    ws.append([USCC[0], "甲", "320214", "3973"])
    ws.append([USCC[1], "乙", None, "3841"])
    ws.append([USCC[2], "丙", "310115", "3491"])
    ws.merge_cells("C2:C3")
    p = tmp_path / "v.xlsx"
    wb.save(p)
    t = read_table(p, "enterprises")
    assert t.data["region_code"].tolist() == ["320214", "320214", "310115"]
    assert ("row.merged_cell", "normalised", 2, "所在地区代码") in probs(t.problems)


def test_xlsx_title_rows_and_leading_empty_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C2"] = "2023年规上工业企业名录"
    ws["C4"], ws["D4"], ws["E4"], ws["F4"] = (
        "统一社会信用代码",
        "企业名称",
        "所在地区代码",
        "行业代码",
    )
    ws["C5"], ws["D5"], ws["E5"], ws["F5"] = USCC[0], "甲", 320214, 3973
    p = tmp_path / "o.xlsx"
    wb.save(p)
    t = read_table(p, "enterprises")
    assert t.rows.tolist() == [5]
    assert cell(t, "region_code", 0) == 320214
    assert [p.row for p in t.problems if p.rule == "header.found"] == [4]


def test_openpyxl_fallback_gives_the_same_table(monkeypatch):
    a = read_table(FILES / "enterprises_messy.xlsx", "enterprises")
    monkeypatch.setattr(xlsx, "_open_workbook", xlsx._open_workbook_openpyxl)
    b = read_table(FILES / "enterprises_messy.xlsx", "enterprises")
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.rows.tolist() == b.rows.tolist()
    assert probs(a.problems) == probs(b.problems)
    c = read_table(FILES / "enterprises_numeric_codes.xlsx", "enterprises")
    assert c.data["industry_code"].tolist() == [211, 3973, "3841"]
    assert c.data["region_code"].tolist()[0] == 320214
    assert c.data["founded"].tolist()[:2] == [dt.datetime(2018, 1, 15), 37029]
    assert c.data["output"].tolist() == [700, "#DIV/0!", None]
    assert "cell.excel_error" in rules(c.problems)


@pytest.mark.parametrize(
    "name", ["quoted_newlines.csv", "enterprises_gbk.csv", "total_row.csv", "enterprises_clean.csv"]
)
def test_fast_and_exact_csv_readers_agree(monkeypatch, name):
    kind = "enterprises"
    fast = read_table(FILES / name, kind)
    monkeypatch.setattr(delimited, "_read_body_arrow", lambda *a: None)
    mid = read_table(FILES / name, kind)
    monkeypatch.setattr(delimited, "_read_body_pandas", lambda *a: None)
    slow = read_table(FILES / name, kind)
    for other in (mid, slow):
        assert other.rows.tolist() == fast.rows.tolist()
        assert probs(other.problems) == probs(fast.problems)
        pd.testing.assert_frame_equal(other.data, fast.data)


def test_every_problem_is_bilingual():
    for p in sorted(FILES.iterdir()):
        kind = {"region_stats_long.csv": "region-stats", "supply_links.csv": "supply-links"}.get(
            p.name, "enterprises"
        )
        try:
            ps = read_table(p, kind).problems
        except JiqunError as e:
            ps = e.problems
            assert re.search(r"[\u4e00-\u9fff]", e.message_zh)
            assert re.search(r"[a-z]", e.message_en)
        assert ps, p.name
        for q in ps:
            assert re.search(r"[\u4e00-\u9fff]", q.message_zh), q
            assert re.search(r"[a-z]", q.message_en), q
            assert re.fullmatch(r"[a-z_]+\.[a-z_]+", q.rule), q


# ------------------------------------------------------------------------------------------
# property: any number of title rows and footers

TITLES = [
    "2023年规上工业企业名录",
    "填报单位：无锡市新吴区工业和信息化局",
    "",
    "单位：万元",
    "填报日期：2024年3月1日",
]
FOOTERS = [
    "注：本表为模拟数据",
    "数据来源：无锡市统计局",
    "",
    "填表人：张三",
    "说明: 金额单位为万元",
    "Note: illustrative",
    "制表：工信局",
]
FIRMS = [
    [USCC[0], "山东示例集成电路有限公司", "320214", "3973", "125000.5"],
    [USCC[1], "北京示例锂电科技有限公司", "440300", "3841", "38000"],
    [USCC[2], "长春示例机器人股份有限公司", "310115", "3491", "210000"],
    [USCC[3], "无锡示例药业有限公司", "320200", "2720", "6800.25"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.sampled_from(TITLES), max_size=10),
    footers=st.lists(st.sampled_from(FOOTERS), max_size=3),
    n=st.integers(min_value=1, max_value=4),
    fmt=st.sampled_from(["csv", "xlsx", "gbk.csv"]),
)
def test_title_and_footer_rows_never_shift_row_numbers(titles, footers, n, fmt):
    header = ZH_HEADER.split(",")
    rows = (
        [[t] if t else [] for t in titles]
        + [header]
        + FIRMS[:n]
        + [[f] if f else [] for f in footers]
    )
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"t.{fmt}"
        if fmt == "xlsx":
            wb = openpyxl.Workbook()
            ws = wb.active
            for i, r in enumerate(rows, start=1):
                for j, v in enumerate(r, start=1):
                    ws.cell(i, j, v)
            wb.save(p)
        else:
            p.write_bytes(
                "".join(",".join(r) + "\r\n" for r in rows).encode(
                    "gbk" if fmt == "gbk.csv" else "utf-8"
                )
            )
        t = read_table(p, "enterprises")
    hrow = len(titles) + 1
    assert t.rows.tolist() == list(range(hrow + 1, hrow + 1 + n))
    assert t.data["uscc"].tolist() == USCC[:n]
    assert [p.row for p in t.problems if p.rule == "header.found"] == [hrow]
    dropped: set[int] = set()
    for q in t.problems:
        if q.rule == "row.footer":
            dropped.add(q.row)
        elif q.rule == "row.empty":
            dropped.update(range(q.row, int(q.extra["last_row"]) + 1))
    first_footer = hrow + n + 1
    expected = set(range(first_footer, first_footer + len(footers)))
    if fmt == "xlsx":  # a workbook has no trailing blank rows: the sheet ends at the last cell
        while footers and not footers[-1]:
            expected.discard(first_footer + len(footers) - 1)
            footers = footers[:-1]
    assert dropped == expected
    assert not any(q.is_error for q in t.problems)


# ------------------------------------------------------------------------------------------
# more layouts


def test_other_sheets_with_data_are_named(tmp_path):
    wb = openpyxl.Workbook()
    for name, rows in (("2022年", FIRMS[:1]), ("2023年", FIRMS[:2])):
        ws = wb.create_sheet(name)
        ws.append(ZH_HEADER.split(","))
        for r in rows:
            ws.append(r)
    del wb["Sheet"]
    p = tmp_path / "years.xlsm"  # read like .xlsx; macros are never run
    wb.save(p)
    t = read_table(p, "enterprises")
    assert t.sheet == "2022年" and t.rows.tolist() == [2]
    assert ("sheet.others", "warning", None, None) in probs(t.problems)
    assert "2023年" in next(q for q in t.problems if q.rule == "sheet.others").message_zh
    t = read_table(p, "enterprises", sheet="2023年")
    assert t.rows.tolist() == [2, 3] and "sheet.others" not in rules(t.problems)


def test_sheet_option_on_a_text_file_warns(tmp_path):
    p = write(tmp_path, "a.txt", f"{ZH_HEADER}\n{ROW}\n")
    t = read_table(p, "enterprises", sheet="企业名录")
    assert ("sheet.ignored", "warning", None, None) in probs(t.problems)
    assert t.rows.tolist() == [2]


def test_unit_in_the_row_below_a_name_in_a_two_row_header(tmp_path):
    text = "\n".join(
        [
            "统一社会信用代码,企业名称,所在地区代码,行业代码,营业收入,从业人员",
            ",,,,亿元,",
            ROW + ",12",
        ]
    )
    t = read_table(write(tmp_path, "u2.csv", text), "enterprises")
    assert t.units == {"revenue": "亿元"}
    assert t.rows.tolist() == [3]


def test_other_encodings_fall_back_to_charset_normalizer_with_a_warning(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes(
        b"uscc,name,region_code,industry_code\n"
        b"91370000728611939A,Caf\xe9 M\xfcller \x80 GmbH\xff,320214,3973\n"
    )
    t = read_table(p, "enterprises")
    assert t.encoding not in ("utf-8", "utf-8-sig", "gb18030")
    assert probs(t.problems)[0] == ("file.encoding", "warning", None, None)
    assert cell(t, "name", 0).startswith("Caf")
    assert t.rows.tolist() == [2]
