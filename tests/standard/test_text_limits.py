"""Control characters and over-long cells in an import are errors naming row, field and value.

A NUL in a CSV used to validate with 0 errors, then fail on PostgreSQL and break every .xlsx
export; a 20 MB company name was accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jiqun.standard.normalize import clean_text, fast_clean_text
from jiqun.standard.reader import read_table
from jiqun.standard.schema import KINDS
from jiqun.standard.validate import validate_table

GOOD = "91370000728611939A"
GOOD2 = "91110108551385082Q"
HEADER = "uscc,name,region_code,industry_code,address,tags\n"


def _validate(tmp_path: Path, body: str) -> object:
    p = tmp_path / "firms.csv"
    p.write_bytes((HEADER + body).encode("utf-8"))
    return validate_table(read_table(p, "enterprises"))


@pytest.mark.parametrize("ch", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_control_character_in_a_csv_cell_is_an_error(tmp_path: Path, ch: str) -> None:
    res = _validate(
        tmp_path, f"{GOOD},示例{ch}科技有限公司,320214,3973,,\n{GOOD2},乙公司,440300,3841,,\n"
    )
    errors = [p for p in res.problems if p.severity == "error"]
    assert [(p.row, p.rule) for p in errors] == [(2, "text.control")]
    p = errors[0]
    assert p.column == "name"
    code = f"\\x{ord(ch):02x}"
    assert p.value == f"示例{code}科技有限公司"  # escaped, never the raw character
    assert code in p.message_en and f"U+{ord(ch):04X}" in p.message_en
    assert f"U+{ord(ch):04X}" in p.message_zh
    assert res.n_error_rows == 1 and res.records["name"][0] is None


def test_control_characters_in_code_and_list_cells_are_errors(tmp_path: Path) -> None:
    res = _validate(tmp_path, f"{GOOD},甲公司,320214,3973,,高新技术企业\x00\n")
    assert [(p.row, p.column, p.rule) for p in res.problems if p.is_error] == [
        (2, "tags", "text.control")
    ]


def test_tab_and_line_breaks_stay_a_reported_normalisation(tmp_path: Path) -> None:
    res = _validate(tmp_path, f'{GOOD},"甲\t公司\n二部",320214,3973,,\n')
    assert res.n_error_rows == 0
    assert res.records["name"][0] == "甲 公司 二部"
    assert "text.whitespace" in [p.rule for p in res.problems]


def test_the_error_report_of_a_control_character_can_be_written(tmp_path: Path) -> None:
    import openpyxl

    from jiqun.services.imports import write_report

    res = _validate(tmp_path, f"{GOOD},甲\x00公司,320214,3973,,\n")
    out = write_report(res, tmp_path / "report.xlsx")  # no IllegalCharacterError
    wb = openpyxl.load_workbook(out, read_only=True)
    rejected = [list(r) for r in wb["被拒行 rejected rows"].iter_rows(values_only=True)]
    assert len(rejected) == 2 and "甲\\x00公司" in rejected[1]
    problems = [list(r) for r in wb["问题 problems"].iter_rows(values_only=True)]
    assert any("甲\\x00公司" in map(str, r) for r in problems[1:])


def test_clean_text_refuses_control_characters_on_both_paths() -> None:
    r = clean_text("甲\x00乙")
    assert r.error is not None and r.error.rule == "text.control"
    assert "\\x00" in r.error.message_en
    fast = fast_clean_text(__import__("pandas").Series(["甲\x00乙", "丙", "丁\x7f"]))
    assert fast.error.tolist() == [True, False, True]


def test_field_length_limits(tmp_path: Path) -> None:
    name = "无锡" + "很" * 5_000_000 + "长有限公司"  # a 10 MB company name
    addr = "路" * 501
    res = _validate(tmp_path, f"{GOOD},{name},320214,3973,,\n{GOOD2},乙公司,440300,3841,{addr},\n")
    errors = [(p.row, p.column, p.rule) for p in res.problems if p.is_error]
    assert errors == [(2, "name", "text.length"), (3, "address", "text.length")]
    p = next(p for p in res.problems if p.is_error)
    assert "at most 200" in p.message_en and "最多允许 200" in p.message_zh
    assert len(p.value) < 200 and len(p.message_en) < 400  # the value is shortened in messages
    ok = _validate(tmp_path, f"{GOOD},{'甲' * 200},320214,3973,{'路' * 500},\n")
    assert ok.n_error_rows == 0


def test_every_text_field_has_a_documented_limit() -> None:
    limits = {(k.name, f.name): f.length_limit for k in KINDS.values() for f in k.fields}
    assert limits[("enterprises", "name")] == 200
    assert limits[("enterprises", "address")] == 500
    assert limits[("enterprises", "business_scope")] == 2000
    schema = KINDS["enterprises"].json_schema()["properties"]["name"]
    assert '"maxLength": 200' in __import__("json").dumps(schema)
