"""Validation of needs and capabilities: one problem per row, field and value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from match_population import make_uscc

from jiqun.matching import validate_capability, validate_need
from jiqun.matching.board import read_board_file
from jiqun.standard.problems import JiqunError

TODAY = dt.date(2026, 6, 1)
U = make_uscc("320505", "10000001")


def test_valid_need_is_cleaned() -> None:
    rec, probs = validate_need(
        {
            "uscc": U.lower(),
            "text": "  谐波减速器\n 200 台 ",
            "industry_code": "C3453",
            "quantity": "1,200",
            "unit": "台",
            "certifications": "ISO 9001；IATF 16949",
            "region_preference": ["320500", "310100"],
            "deadline": "2026年7月1日",
        },
        today=TODAY,
    )
    assert probs == []
    assert rec == {
        "uscc": U,
        "text": "谐波减速器 200 台",
        "industry_code": "3453",
        "quantity": 1200.0,
        "unit": "台",
        "certifications": "ISO 9001;IATF 16949",
        "region_preference": "320500;310100",
        "deadline": dt.date(2026, 7, 1),
    }


def test_need_errors_name_row_field_and_value() -> None:
    _, probs = validate_need(
        {
            "uscc": "91320505ABC",
            "text": "",
            "industry_code": "34",
            "quantity": "many",
            "region_preference": "999999",
            "deadline": "2026-05-31",
        },
        row=7,
        today=TODAY,
    )
    by_field = {p.column: p for p in probs if p.is_error}
    assert set(by_field) == {
        "uscc",
        "text",
        "industry_code",
        "quantity",
        "region_preference",
        "deadline",
    }
    for p in probs:
        assert p.row == 7
        assert p.message_zh.startswith("第 7 行") and p.message_en.startswith("row 7, field ")
    assert by_field["industry_code"].rule == "board.industry_level"
    assert "'34'" in by_field["industry_code"].message_en
    assert by_field["quantity"].rule == "board.number"
    assert by_field["region_preference"].value == "999999"
    assert by_field["deadline"].rule == "board.deadline_past"
    # one problem per problem: the uscc has exactly one error
    assert sum(1 for p in probs if p.column == "uscc") == 1


def test_problems_come_in_column_order_for_needs_and_capabilities() -> None:
    # needs and capabilities share one sequence of checks: problems follow the columns
    bad = {"uscc": "91320505ABC", "industry_code": "34", "region_preference": "999999"}
    _, probs = validate_need({**bad, "text": "", "quantity": "many"}, today=TODAY)
    assert [p.column for p in probs if p.is_error] == [
        "uscc",
        "text",
        "industry_code",
        "quantity",
        "region_preference",
    ]
    bad_cap = {"uscc": "91320505ABC", "industry_code": "34", "region_code": "999999"}
    rec, probs = validate_capability({**bad_cap, "products": "", "capacity": "many"})
    assert [p.column for p in probs if p.is_error] == [
        "uscc",
        "products",
        "industry_code",
        "capacity",
        "region_code",
    ]
    assert list(rec) == [
        "uscc",
        "products",
        "industry_code",
        "capacity",
        "unit",
        "certifications",
        "region_code",
    ]


def test_need_rules_for_units_codes_and_dates() -> None:
    base = {"uscc": U, "text": "减速器"}
    _, probs = validate_need({**base, "quantity": 5}, today=TODAY)
    assert [p.rule for p in probs] == ["board.unit_required"]
    _, probs = validate_need({**base, "quantity": 0, "unit": "台"}, today=TODAY)
    assert [p.rule for p in probs] == ["board.positive"]
    _, probs = validate_need({**base, "industry_code": "9999"}, today=TODAY)
    assert [p.rule for p in probs] == ["board.industry_unknown"]
    _, probs = validate_need({**base, "industry_code": 511}, today=TODAY)
    assert [p.rule for p in probs] == ["board.industry_leading_zero"]
    _, probs = validate_need({**base, "deadline": "next week"}, today=TODAY)
    assert [p.rule for p in probs] == ["board.date"]
    _, probs = validate_need({**base, "certifications": "x" * 61}, today=TODAY)
    assert [p.rule for p in probs] == ["board.too_long"]
    _, probs = validate_need({**base, "text": "x" * 1001}, today=TODAY)
    assert [p.rule for p in probs] == ["board.too_long"]
    # a wrong final check character is only a warning (GB 32100 practice in Jiqun)
    bad_check = U[:-1] + ("0" if U[-1] != "0" else "1")
    _, probs = validate_need({**base, "uscc": bad_check}, today=TODAY)
    assert [(p.rule, p.severity) for p in probs] == [("uscc.checksum", "warning")]


def test_capability_validation() -> None:
    rec, probs = validate_capability(
        {"uscc": U, "products": "RV减速器", "capacity": 3000, "unit": "台", "region_code": "320205"}
    )
    assert probs == [] and rec["region_code"] == "320205" and rec["capacity"] == 3000.0
    _, probs = validate_capability(
        {"uscc": U, "products": None, "capacity": -5, "region_code": "320205;320506"}
    )
    assert {p.rule for p in probs} == {"board.required", "board.positive", "board.single_region"}


def test_read_board_file_csv_and_xlsx(tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "统一社会信用代码": [U, U, "123"],
            "需求产品": ["谐波减速器", "", "伺服电机"],
            "行业代码": ["3453", "3453", "3813"],
            "数量": ["100", "5", ""],
            "单位": ["台", "", ""],
            "截止日期": ["2026-12-31", "", ""],
        }
    )
    csv = tmp_path / "needs.csv"
    rows.to_csv(csv, index=False, encoding="utf-8-sig")
    recs, probs, n = read_board_file(csv, "needs", today=TODAY)
    assert n == 3 and len(recs) == 1 and recs[0]["_row"] == 2
    errs = [(p.row, p.column) for p in probs if p.is_error]
    assert (3, "text") in errs and (3, "unit") in errs and (4, "uscc") in errs
    xlsx = tmp_path / "caps.xlsx"
    pd.DataFrame(
        {"credit code": [U], "products": ["谐波减速器"], "capacity": [10], "unit": ["台"]}
    ).to_excel(xlsx, index=False)
    recs, probs, n = read_board_file(xlsx, "capabilities")
    assert n == 1 and recs[0]["products"] == "谐波减速器" and not [p for p in probs if p.is_error]
    with pytest.raises(JiqunError, match="unknown kind"):
        read_board_file(csv, "offers")
