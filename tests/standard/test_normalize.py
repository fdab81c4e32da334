"""Tests for jiqun.standard.normalize: scalar cell normalisers and their vectorised fast paths."""

from __future__ import annotations

import doctest
import importlib
import math
import pkgutil
import re
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.standard import normalize
from jiqun.standard.normalize import (
    IndustryCode,
    NormResult,
    canonical_unit,
    clean_text,
    columns,
    fast_clean_series,
    fast_norm_amount,
    fast_norm_date,
    fast_norm_float,
    fast_norm_industry_code,
    fast_norm_int,
    fast_norm_region_code,
    fast_norm_uscc,
    norm_amount,
    norm_date,
    norm_float,
    norm_industry_code,
    norm_int,
    norm_region_code,
    norm_uscc,
    parse_unit_from_header,
)
from jiqun.standard.problems import JiqunError

TODAY = date(2024, 6, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")


def ok(r: NormResult, value: object, rules: list[str]) -> None:
    assert r.error is None, r.error
    assert r.value == value
    assert type(r.value) is type(value)
    assert r.rules == rules


def err(r: NormResult, rule: str) -> None:
    assert r.value is None
    assert r.error is not None and r.error.rule == rule, r.rules
    assert CJK.search(r.error.message_zh) and r.error.message_en


# ---------------------------------------------------------------------------------------------
# NormResult


def test_norm_result_problems() -> None:
    r = clean_text("\u3000ＡＢＣ")
    problems = r.to_problems(3, "企业名称", "\u3000ＡＢＣ")
    assert [(p.row, p.column, p.severity, p.rule) for p in problems] == [
        (3, "企业名称", "normalised", "text.strip"),
        (3, "企业名称", "normalised", "text.fullwidth"),
    ]
    assert all(CJK.search(p.message_zh) and p.message_en for p in problems)
    e = norm_region_code("32021").to_problems(4, "区划", "32021")
    assert [(p.severity, p.rule, p.value) for p in e] == [("error", "region.format", "32021")]
    assert norm_region_code(None).to_problems(1, "区划", None) == []
    assert norm_region_code(None).ok and not norm_region_code(None).changed


def test_missing_values_are_empty_without_report() -> None:
    for fn in (
        norm_float,
        clean_text,
        norm_uscc,
        norm_region_code,
        norm_industry_code,
        norm_date,
        norm_amount,
        norm_int,
    ):
        for v in (None, float("nan"), np.nan, pd.NA, pd.NaT, np.datetime64("NaT"), ""):
            assert fn(v) == NormResult(None), (fn.__name__, v)


# ---------------------------------------------------------------------------------------------
# clean_text


@pytest.mark.parametrize(
    ("raw", "value", "rules"),
    [
        ("ＡＢＣ１２３", "ABC123", ["text.fullwidth"]),
        ("（有限公司）", "（有限公司）", []),  # CJK punctuation is kept in free text
        ("  甲公司 ", "甲公司", ["text.strip"]),
        ("甲\u3000\u3000公司", "甲 公司", ["text.whitespace"]),
        ("甲\u00a0公司", "甲 公司", ["text.whitespace"]),
        ("甲 \t\n 公司", "甲 公司", ["text.whitespace"]),
        ("甲\u200b公\ufeff司", "甲公司", ["text.invisible"]),
        (
            "\ufeff\u3000ＡＢＣ  有限公司\u00a0",
            "ABC 有限公司",
            ["text.invisible", "text.strip", "text.whitespace", "text.fullwidth"],
        ),
        ("甲公司", "甲公司", []),
        (12, "12", ["text.from_number"]),
        (12.0, "12", ["text.from_number"]),
        (12.5, "12.5", ["text.from_number"]),
    ],
)
def test_clean_text(raw: object, value: str, rules: list[str]) -> None:
    ok(clean_text(raw), value, rules)


def test_clean_text_fullwidth_message_names_characters() -> None:
    change = clean_text("ＡＢ").changes[0]
    assert "「Ａ」→「A」" in change.message_zh and "「Ａ」→「A」" in change.message_en


def test_clean_text_blank_and_errors() -> None:
    r = clean_text(" \u3000 ")
    assert r.value is None and r.rules == ["text.strip"] and r.ok
    err(clean_text(True), "text.type")
    err(clean_text(date(2015, 1, 1)), "text.type")
    err(clean_text(float("inf")), "text.type")


@given(st.text())
def test_clean_text_is_idempotent(s: str) -> None:
    once = clean_text(s)
    if once.value is None:
        return
    twice = clean_text(once.value)
    assert twice.value == once.value and twice.changes == ()


# ---------------------------------------------------------------------------------------------
# norm_uscc


def test_norm_uscc() -> None:
    ok(norm_uscc("91370000728611939A"), "91370000728611939A", [])
    ok(norm_uscc("91370000728611939a"), "91370000728611939A", ["uscc.uppercase"])
    ok(norm_uscc("9137 0000 7286 1193 9A"), "91370000728611939A", ["uscc.separators"])
    ok(norm_uscc("91370000-72861193-9A"), "91370000728611939A", ["uscc.separators"])
    ok(norm_uscc("９１３７００００７２８６１１９３９Ａ"), "91370000728611939A", ["text.fullwidth"])
    ok(norm_uscc(912201011239989159), "912201011239989159", ["uscc.from_number"])
    err(norm_uscc(9.12201011239989e17), "uscc.number")
    err(norm_uscc(True), "uscc.type")


def test_norm_uscc_never_fixes_the_check_character_or_confusable_letters() -> None:
    ok(norm_uscc("91370000728611939B"), "91370000728611939B", [])
    ok(norm_uscc("9137000072861193OA"), "9137000072861193OA", [])


# ---------------------------------------------------------------------------------------------
# norm_region_code


@pytest.mark.parametrize(
    ("raw", "rules"),
    [
        ("320214", []),
        (320214, ["region.from_number"]),
        (320214.0, ["region.from_number"]),
        (np.float64(320214.0), ["region.from_number"]),
        (np.int64(320214), ["region.from_number"]),
        ("320214.0", ["region.from_number"]),
        ("３２０２１４", ["text.fullwidth"]),
        (" 320214 ", ["text.strip"]),
    ],
)
def test_norm_region_code_accepts(raw: object, rules: list[str]) -> None:
    ok(norm_region_code(raw), "320214", rules)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (320214.5, "region.not_integer"),
        ("320214.5", "region.not_integer"),
        (float("inf"), "region.not_integer"),
        ("32021", "region.format"),
        (32021, "region.format"),
        ("3202140", "region.format"),
        ("320 214", "region.format"),
        ("32O214", "region.format"),
        (True, "region.type"),
        (date(2015, 1, 1), "region.type"),
    ],
)
def test_norm_region_code_rejects(raw: object, rule: str) -> None:
    err(norm_region_code(raw), rule)


# ---------------------------------------------------------------------------------------------
# norm_industry_code


@pytest.mark.parametrize(
    ("raw", "level", "value", "rules"),
    [
        ("3973", None, IndustryCode("3973", None, 4), []),
        ("397", None, IndustryCode("397", None, 3), []),
        ("39", None, IndustryCode("39", None, 2), []),
        ("C", None, IndustryCode("C", "C", 1), []),
        ("C3973", None, IndustryCode("3973", "C", 4), ["industry.section_prefix"]),
        (
            "c3973",
            None,
            IndustryCode("3973", "C", 4),
            ["industry.uppercase", "industry.section_prefix"],
        ),
        ("C-3973", 4, IndustryCode("3973", "C", 4), ["industry.section_prefix"]),
        ("A0211", 4, IndustryCode("0211", "A", 4), ["industry.section_prefix"]),
        (3973, None, IndustryCode("3973", None, 4), ["industry.from_number"]),
        (211, 4, IndustryCode("0211", None, 4), ["industry.leading_zero"]),
        (211.0, 4, IndustryCode("0211", None, 4), ["industry.leading_zero"]),
        ("211.0", 4, IndustryCode("0211", None, 4), ["industry.leading_zero"]),
        ("211", 4, IndustryCode("0211", None, 4), ["industry.leading_zero"]),
        (11, 3, IndustryCode("011", None, 3), ["industry.leading_zero"]),
        (5, 2, IndustryCode("05", None, 2), ["industry.leading_zero"]),
        (39, 2, IndustryCode("39", None, 2), ["industry.from_number"]),
        ("３９７３", 4, IndustryCode("3973", None, 4), ["text.fullwidth"]),
    ],
)
def test_norm_industry_code_accepts(
    raw: object, level: int | None, value: IndustryCode, rules: list[str]
) -> None:
    ok(norm_industry_code(raw, expected_level=level), value, rules)


@pytest.mark.parametrize(
    ("raw", "level", "rule"),
    [
        (211, None, "industry.ambiguous"),  # group 211 or class 0211?
        (211.0, None, "industry.ambiguous"),
        ("211.0", None, "industry.ambiguous"),
        (13, None, "industry.ambiguous"),  # division 13 or group 013?
        ("5", None, "industry.ambiguous"),
        (21, 4, "industry.format"),  # 0021: no division 00
        (211.5, 4, "industry.format"),
        (-211, 4, "industry.format"),
        ("39731", None, "industry.format"),
        ("C3", None, "industry.format"),
        ("3973A", None, "industry.format"),
        ("U", None, "industry.section"),
        ("A3973", None, "industry.section_mismatch"),  # 39 belongs to C
        ("C9973", None, "industry.section_mismatch"),  # no division 99
        ("3973", 3, "industry.level"),
        ("C", 4, "industry.level"),
        (3973, 1, "industry.level"),
        (39731, 4, "industry.format"),
        (True, None, "industry.type"),
    ],
)
def test_norm_industry_code_rejects(raw: object, level: int | None, rule: str) -> None:
    err(norm_industry_code(raw, expected_level=level), rule)


def test_industry_code_unpacks_as_code_section_level() -> None:
    code, section, level = norm_industry_code("C3973").value
    assert (code, section, level) == ("3973", "C", 4)


def test_norm_industry_code_bad_level_argument() -> None:
    with pytest.raises(ValueError):
        norm_industry_code("3973", expected_level=5)


# ---------------------------------------------------------------------------------------------
# norm_date


@pytest.mark.parametrize(
    ("raw", "value", "rules"),
    [
        ("2015-06-08", date(2015, 6, 8), []),
        (date(2015, 6, 8), date(2015, 6, 8), []),
        (datetime(2015, 6, 8), date(2015, 6, 8), []),
        (pd.Timestamp("2015-06-08"), date(2015, 6, 8), []),
        (np.datetime64("2015-06-08"), date(2015, 6, 8), []),
        (datetime(2015, 6, 8, 10, 30), date(2015, 6, 8), ["date.time_dropped"]),
        ("2015-06-08 00:00:00", date(2015, 6, 8), ["date.format"]),
        ("2015-06-08T14:05:00", date(2015, 6, 8), ["date.time_dropped"]),
        ("2015/6/8", date(2015, 6, 8), ["date.format"]),
        ("2015.6.8", date(2015, 6, 8), ["date.format"]),
        ("2015-6-8", date(2015, 6, 8), ["date.format"]),
        ("2015年6月8日", date(2015, 6, 8), ["date.format"]),
        ("２０１５年６月８日", date(2015, 6, 8), ["text.fullwidth", "date.format"]),
        ("20150608", date(2015, 6, 8), ["date.format"]),
        (20150608, date(2015, 6, 8), ["date.from_number"]),
        ("2015年6月", date(2015, 6, 1), ["date.month_precision"]),
        ("2015.06", date(2015, 6, 1), ["date.month_precision"]),
        ("2015-06", date(2015, 6, 1), ["date.month_precision"]),
        ("2015.10", date(2015, 10, 1), ["date.month_precision"]),
        (42163, date(2015, 6, 8), ["date.excel_serial"]),
        (42163.0, date(2015, 6, 8), ["date.excel_serial"]),
        ("42163", date(2015, 6, 8), ["date.excel_serial"]),
        (42163.75, date(2015, 6, 8), ["date.excel_serial", "date.time_dropped"]),
        (1, date(1900, 1, 1), ["date.excel_serial"]),
        (59, date(1900, 2, 28), ["date.excel_serial"]),
        (61, date(1900, 3, 1), ["date.excel_serial"]),
    ],
)
def test_norm_date_accepts(raw: object, value: date, rules: list[str]) -> None:
    ok(norm_date(raw, today=TODAY), value, rules)


def test_excel_serial_upper_bound() -> None:
    ok(norm_date(2958465, today=date.max), date(9999, 12, 31), ["date.excel_serial"])
    err(norm_date(2958466, today=date.max), "date.out_of_range")


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("2015-02-30", "date.invalid"),
        ("2015/13/1", "date.invalid"),
        ("2015年2月29日", "date.invalid"),
        (20150230, "date.invalid"),
        ("2015-06-08 25:00", "date.invalid"),
        ("15-6-8", "date.ambiguous"),
        ("15/06/08", "date.ambiguous"),
        ("6/8/15", "date.ambiguous"),
        ("15年6月8日", "date.ambiguous"),
        ("08/06/2015", "date.ambiguous"),
        (60, "date.ambiguous"),  # the phantom 1900-02-29
        (2015, "date.ambiguous"),  # a year, or serial 2015 = 1905-07-07?
        ("2015", "date.ambiguous"),
        ("2015.1", "date.ambiguous"),  # January, or October after a trip through a number?
        ("2015年", "date.precision"),
        ("2025-01-01", "date.future"),
        ("2024年7月", "date.future"),
        (datetime(2030, 1, 1), "date.future"),
        (0, "date.out_of_range"),
        (-5, "date.out_of_range"),
        (float("inf"), "date.invalid"),
        ("next Tuesday", "date.unrecognised"),
        ("二〇一五年六月", "date.unrecognised"),
        (True, "date.type"),
    ],
)
def test_norm_date_rejects(raw: object, rule: str) -> None:
    err(norm_date(raw, today=TODAY), rule)


def test_norm_date_today_defaults_to_now() -> None:
    assert norm_date("2999-01-01").rules == ["date.future"]
    assert norm_date(date.today()).ok


# ---------------------------------------------------------------------------------------------
# units and amounts


@pytest.mark.parametrize(
    ("header", "bare", "unit"),
    [
        ("营业收入（万元）", "营业收入", "万元"),
        ("营业收入(万元)", "营业收入", "万元"),
        ("营业收入【万元】", "营业收入", "万元"),
        ("营业收入[亿元]", "营业收入", "亿元"),
        ("营业收入万元", "营业收入", "万元"),
        ("营业收入/万元", "营业收入", "万元"),
        ("营业收入（单位：万元）", "营业收入", "万元"),
        ("注册资本(万元人民币)", "注册资本", "万元"),
        ("金额(元)", "金额", "元"),
        ("利润(千元)", "利润", "千元"),
        ("从业人员(人)", "从业人员", "人"),
        ("企业数(个)", "企业数", "个"),
        ("研发投入占比(%)", "研发投入占比", "%"),
        ("增长率%", "增长率", "%"),
        ("revenue (10k CNY)", "revenue", "万元"),
        ("revenue (CNY 10,000)", "revenue", "万元"),
        ("revenue (100 million yuan)", "revenue", "亿元"),
        ("revenue (RMB million)", "revenue", "百万元"),
        ("employees (persons)", "employees", "人"),
        ("企业名称（中文）", "企业名称(中文)", None),
        ("长度(m)", "长度(m)", None),
        ("单元", "单元", None),
        ("法人", "法人", None),
        ("营业收入", "营业收入", None),
    ],
)
def test_parse_unit_from_header(header: str, bare: str, unit: str | None) -> None:
    assert parse_unit_from_header(header) == (bare, unit)


def test_canonical_unit() -> None:
    assert canonical_unit("万") == "万元"
    assert canonical_unit("亿") == "亿元"
    assert canonical_unit("CNY") == "元"
    assert canonical_unit("人民币") == "元"
    assert canonical_unit("美元") is None
    assert canonical_unit("m") is None  # metres? only a multiplier next to a currency word


@pytest.mark.parametrize(
    ("raw", "header", "value", "rules"),
    [
        ("1,234.5", None, 1234.5, ["amount.separators"]),
        ("1,234,567", None, 1234567.0, ["amount.separators"]),
        ("１，２３４", None, 1234.0, ["text.fullwidth", "amount.separators"]),
        ("1 234.5", None, 1234.5, ["amount.separators"]),
        ("12.5", None, 12.5, []),
        (" 12.5 ", None, 12.5, ["text.strip"]),
        (12.5, None, 12.5, []),
        (12, None, 12.0, []),
        (Decimal("12.5"), None, 12.5, []),
        ("1.2E+03", None, 1200.0, []),
        ("¥12.5", None, 12.5, ["amount.currency_symbol"]),
        ("￥12.5", None, 12.5, ["text.fullwidth", "amount.currency_symbol"]),
        ("人民币12.5万元", None, 12.5, ["amount.currency_symbol", "amount.unit_suffix"]),
        ("12.5万元", None, 12.5, ["amount.unit_suffix"]),
        ("12.5万", None, 12.5, ["amount.unit_suffix"]),
        ("12.5万元人民币", None, 12.5, ["amount.unit_suffix"]),
        ("3亿元", None, 30000.0, ["amount.unit_conversion"]),
        ("3亿", None, 30000.0, ["amount.unit_conversion"]),
        ("500元", None, 0.05, ["amount.unit_conversion"]),
        ("5千元", None, 0.5, ["amount.unit_conversion"]),
        ("12.5", "亿元", 125000.0, ["amount.unit_conversion"]),
        (12.5, "亿元", 125000.0, ["amount.unit_conversion"]),
        ("12.5亿元", "亿元", 125000.0, ["amount.unit_conversion"]),
        ("1234", "元", 0.1234, ["amount.unit_conversion"]),
        ("-12.5", None, -12.5, []),
        ("\u221212.5", None, -12.5, []),
        ("-¥12.5", None, -12.5, ["amount.currency_symbol"]),
        ("¥-12.5", None, -12.5, ["amount.currency_symbol"]),
        ("(1,234)", None, -1234.0, ["amount.parentheses", "amount.separators"]),
        ("（1,234）", None, -1234.0, ["text.fullwidth", "amount.parentheses", "amount.separators"]),
    ],
)
def test_norm_amount_accepts(
    raw: object, header: str | None, value: float, rules: list[str]
) -> None:
    ok(norm_amount(raw, unit_from_header=header), value, rules)


@pytest.mark.parametrize("raw", ["—", "-", "--", "/", "无", "暂无", "N/A", "－"])
def test_norm_amount_placeholders_are_reported_empty(raw: str) -> None:
    r = norm_amount(raw)
    assert r.value is None and r.ok and "amount.placeholder" in r.rules


@pytest.mark.parametrize(
    ("raw", "header", "rule"),
    [
        ("1.234,5", None, "amount.ambiguous"),
        ("1,5", None, "amount.ambiguous"),
        ("12,34", None, "amount.ambiguous"),
        ("1,234,5", None, "amount.format"),
        ("1.2.3", None, "amount.format"),
        ("abc", None, "amount.format"),
        ("约100万", None, "amount.approximate"),
        ("100万左右", None, "amount.approximate"),
        ("100万元以上", None, "amount.approximate"),
        ("$100", None, "amount.currency"),
        ("100万美元", None, "amount.unit"),
        ("12.5%", None, "amount.unit"),
        ("12.5 apples", None, "amount.unit"),
        ("500元", "万元", "amount.unit_conflict"),
        ("3亿元", "万元", "amount.unit_conflict"),
        ("(-5)", None, "amount.format"),
        (float("inf"), None, "amount.invalid"),
        (True, None, "amount.type"),
        (date(2015, 1, 1), None, "amount.type"),
    ],
)
def test_norm_amount_rejects(raw: object, header: str | None, rule: str) -> None:
    err(norm_amount(raw, unit_from_header=header), rule)


def test_norm_amount_unit_arguments() -> None:
    with pytest.raises(ValueError):
        norm_amount("1", target_unit="furlongs")
    with pytest.raises(JiqunError):
        norm_amount("1", unit_from_header="人")  # persons cannot become 万元
    with pytest.raises(JiqunError):
        norm_amount("1", unit_from_header="美元")
    ok(norm_amount("12.5%", target_unit="%"), 12.5, ["amount.unit_suffix"])
    ok(norm_amount("3万人", target_unit="人"), 30000.0, ["amount.unit_conversion"])
    ok(norm_amount("12345", unit_from_header="元", target_unit="元"), 12345.0, [])


decimal_text = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False).map(
    lambda d: format(d, "f")
)


@given(decimal_text)
def test_amount_unit_conversions_are_consistent(x: str) -> None:
    in_wan = norm_amount(f"{x}万元").value
    assert norm_amount(f"{x}亿元").value == in_wan * 10000 == float(x) * 10000
    assert norm_amount(x, unit_from_header="亿元").value == in_wan * 10000
    assert norm_amount(f"{x}亿元", target_unit="亿元").value == float(x)
    assert norm_amount(f"{x}元").value == pytest.approx(float(x) / 10000)
    assert norm_amount(f"{x}元", target_unit="元").value == float(x)
    assert norm_amount(f"{x}万元", target_unit="元").value == float(x) * 10000


# ---------------------------------------------------------------------------------------------
# norm_int


@pytest.mark.parametrize(
    ("raw", "value", "rules"),
    [
        ("1,200", 1200, ["int.separators"]),
        ("1200", 1200, []),
        (1200, 1200, []),
        (12.0, 12, []),
        (np.float64(12.0), 12, []),
        ("12.0", 12, []),
        ("-5", -5, []),
        ("１２", 12, ["text.fullwidth"]),
        (Decimal("12"), 12, []),
    ],
)
def test_norm_int_accepts(raw: object, value: int, rules: list[str]) -> None:
    ok(norm_int(raw), value, rules)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (12.5, "int.not_integer"),
        ("12.5", "int.not_integer"),
        ("约100", "int.approximate"),
        ("100+", "int.approximate"),
        ("100多", "int.approximate"),
        ("50~60", "int.approximate"),
        ("1.2万", "int.format"),
        ("350人", "int.format"),
        ("¥100", "int.format"),
        ("abc", "int.format"),
        (2**63, "int.range"),
        ("9" * 20, "int.range"),
        (1e17, "int.precision"),
        (float("inf"), "int.not_integer"),
        (True, "int.type"),
    ],
)
def test_norm_int_rejects(raw: object, rule: str) -> None:
    err(norm_int(raw), rule)


def test_norm_int_unit_and_placeholder() -> None:
    ok(norm_int("350人", unit="人"), 350, ["int.unit_suffix"])
    err(norm_int("3万人", unit="人"), "int.format")  # scaled units are not guessed
    r = norm_int("—")
    assert r.value is None and r.ok and r.rules == ["int.placeholder"]
    with pytest.raises(ValueError):
        norm_int("1", unit="furlongs")


# ---------------------------------------------------------------------------------------------
# norm_float


@pytest.mark.parametrize(
    ("raw", "unit", "value", "rules"),
    [
        ("1,234.5", None, 1234.5, ["float.separators"]),
        ("0.35", None, 0.35, []),
        (0.35, None, 0.35, []),
        (3, None, 3.0, []),
        ("(2.5)", None, -2.5, ["float.parentheses"]),
        ("12.5%", "%", 12.5, ["float.unit_suffix"]),
        ("3万人", "人", 30000.0, ["float.unit_conversion"]),
    ],
)
def test_norm_float_accepts(raw: object, unit: str | None, value: float, rules: list[str]) -> None:
    ok(norm_float(raw, unit=unit), value, rules)


@pytest.mark.parametrize(
    ("raw", "unit", "rule"),
    [
        ("12.5%", None, "float.unit"),
        ("12.5万元", "%", "float.unit"),
        ("¥12.5", None, "float.format"),
        ("1.234,5", None, "float.ambiguous"),
        ("约3.5", None, "float.approximate"),
        (float("inf"), None, "float.invalid"),
        (True, None, "float.type"),
    ],
)
def test_norm_float_rejects(raw: object, unit: str | None, rule: str) -> None:
    err(norm_float(raw, unit=unit), rule)


def test_norm_float_placeholder_and_unit_argument() -> None:
    r = norm_float("—")
    assert r.value is None and r.ok and r.rules == ["float.placeholder"]
    with pytest.raises(ValueError):
        norm_float("1", unit="furlongs")
    with pytest.raises(ValueError):
        fast_norm_float(pd.Series(["1"]), unit="furlongs")


# ---------------------------------------------------------------------------------------------
# fast paths: identical to the scalar normalisers


def _same_value(fast_value: object, scalar_value: object, kind: str) -> bool:
    if scalar_value is None:
        return bool(pd.isna(fast_value))
    if kind == "industry":
        scalar_value = scalar_value.code
    if isinstance(scalar_value, float):
        # bit-for-bit: the same operations in numpy and in Python
        return isinstance(fast_value, float) and (
            fast_value == scalar_value
            and math.copysign(1, fast_value) == math.copysign(1, scalar_value)
        )
    return type(fast_value) is not bool and fast_value == scalar_value


SCALAR = {
    "text": lambda v, **kw: normalize.clean_text(v),
    "uscc": lambda v, **kw: normalize.norm_uscc(v),
    "region": lambda v, **kw: normalize.norm_region_code(v),
    "industry": lambda v, **kw: normalize.norm_industry_code(v, kw.get("expected_level")),
    "amount": lambda v, **kw: normalize.norm_amount(
        v, kw.get("unit_from_header"), kw.get("target_unit", "万元")
    ),
    "int": lambda v, **kw: normalize.norm_int(v, kw.get("unit")),
    "float": lambda v, **kw: normalize.norm_float(v, kw.get("unit")),
    "date": lambda v, **kw: normalize.norm_date(v, kw.get("today")),
}


def assert_fast_equals_scalar(s: pd.Series, kind: str, **kw: object) -> None:
    r = fast_clean_series(s, kind, **kw)
    assert len(r.values) == len(s) and r.values.index.equals(s.index)
    for i in range(len(s)):
        expected = SCALAR[kind](s.iloc[i], **kw)
        got = r.values.iloc[i]
        assert _same_value(got, expected.value, kind), (kind, s.iloc[i], got, expected)
        assert bool(r.changed[i]) == expected.changed, (kind, s.iloc[i], expected)
        assert bool(r.error[i]) == (not expected.ok), (kind, s.iloc[i], expected)
        assert r.result_at(i) == expected
        if kind == "industry":
            section = r.aux["section"].iloc[i]
            want = expected.value.section if expected.value is not None else None
            assert (pd.isna(section) and want is None) or section == want


def series_variants(cells: list[object]) -> list[pd.Series]:
    """The same cells as the readers deliver them: object, str, float64 and int64 columns."""
    out = [pd.Series(cells, dtype=object)]
    strings = [c for c in cells if isinstance(c, str) or c is None]
    out.append(pd.Series(strings, dtype="str"))
    floats = [c for c in cells if isinstance(c, float)]
    out.append(pd.Series(floats, dtype="float64"))
    ints = [c for c in cells if isinstance(c, int) and not isinstance(c, bool) and abs(c) < 2**62]
    out.append(pd.Series(ints, dtype="int64"))
    return out


MESSY_CHARS = "0123456789０１２３.,-+ 　\u00a0\u200b/年月日万亿元¥（）()ACcIa%约\t\n\x1c"
# fmt: off
TRICKY = [
    "", " ", "—", "-", "无", "N/A", "1,234.5", "1.234,5", "１，２３４", "12.5万元", "3亿元", "500元",
    "¥12", "(1,234)", "1,200", "12.0", "12.5", "约100", "320214", "320214.0", "３２０２１４", "3202140",
    "C3973", "c3973", "3973", "397", "0211", "211", "211.0", "C", "U", "2015-06-08", "2015-02-30",
    "2015/6/8", "2015年6月8日", "2015年6月", "2015.06", "2015.1", "20150608", "15-6-8", "42163",
    "9999-01-01", "0000-01-01", "91370000728611939A", "91370000728611939a", "9137 0000 7286 11939A",
    "ＡＢＣ", "a  b", "\ufeffx", "\u00a8", "1e5", "-0", "-0.0", "007", "99999999999999999999",
    "-1,234", "1,234,567,890,123,456,789", "9" * 400,
]
# fmt: on
cells_strategy = st.lists(
    st.one_of(
        st.sampled_from(TRICKY),
        st.text(MESSY_CHARS, max_size=10),
        st.integers(-(10**10), 10**10),
        st.sampled_from([320214, 3973, 211, 42163, 60, 2015, 20150608, 0, -1, 2**63]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([320214.0, 211.0, 42163.5, 12.5, -0.0, 1e17]),
        st.none(),
        st.booleans(),
        st.sampled_from([date(2015, 6, 8), datetime(2015, 6, 8, 12), pd.Timestamp("2030-01-01")]),
    ),
    max_size=25,
)

KIND_OPTIONS: list[tuple[str, dict[str, object]]] = [
    ("text", {}),
    ("uscc", {}),
    ("region", {}),
    ("industry", {}),
    ("industry", {"expected_level": 4}),
    ("industry", {"expected_level": 1}),
    ("amount", {}),
    ("amount", {"unit_from_header": "元"}),
    ("amount", {"unit_from_header": "亿元", "target_unit": "万元"}),
    ("int", {}),
    ("float", {}),
    ("float", {"unit": "人"}),
    ("date", {"today": TODAY}),
]


@settings(max_examples=40, deadline=None)
@given(cells_strategy)
def test_fast_paths_equal_scalar_on_messy_columns(cells: list[object]) -> None:
    for s in series_variants(cells):
        for kind, kw in KIND_OPTIONS:
            assert_fast_equals_scalar(s, kind, **kw)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(TRICKY), max_size=30))
def test_fast_paths_equal_scalar_on_mostly_clean_text(cells: list[str]) -> None:
    s = pd.Series(cells, dtype="str")
    for kind, kw in KIND_OPTIONS:
        assert_fast_equals_scalar(s, kind, **kw)


def test_fast_paths_on_typed_columns() -> None:
    dt = pd.Series(
        pd.to_datetime(["2015-06-08", "2015-06-08 12:00", None, "2030-01-01"], format="ISO8601")
    )
    assert_fast_equals_scalar(dt, "date", today=TODAY)
    r = fast_norm_date(dt, today=TODAY)
    assert r.values.dtype == pd.ArrowDtype(pa.date32())
    assert r.values.iloc[0] == date(2015, 6, 8)
    assert r.changed.tolist() == [False, True, False, False]
    assert r.error.tolist() == [False, False, False, True]
    floats = pd.Series([1200.0, np.nan, 12.5, 3.0])
    assert_fast_equals_scalar(floats, "int")
    assert fast_norm_int(floats).values.dtype == "Int64"
    assert_fast_equals_scalar(
        pd.Series([1, None, 3], dtype="Int64"), "amount", unit_from_header="亿元"
    )
    assert_fast_equals_scalar(pd.Series([320214.0, 320214.5, np.nan]), "region")
    assert_fast_equals_scalar(pd.Series([211, 3973]), "industry", expected_level=4)
    assert_fast_equals_scalar(
        pd.Series(["2015-06-08", "x"], dtype=pd.ArrowDtype(pa.string())), "date", today=TODAY
    )
    assert_fast_equals_scalar(pd.Series([True, False]), "int")
    assert_fast_equals_scalar(pd.Series([], dtype=object), "text")
    assert_fast_equals_scalar(pd.Series([None, np.nan], dtype=object), "amount")


def test_fast_path_examples_and_outputs() -> None:
    s = pd.Series(["320214", "３２０２１４", "3202", None], index=[10, 11, 12, 13])
    r = fast_norm_region_code(s)
    assert r.values.iloc[0] == r.values.iloc[1] == "320214"
    assert r.values.isna().tolist() == [False, False, True, True]
    assert r.values.index.tolist() == [10, 11, 12, 13]
    assert r.changed.tolist() == [False, True, False, False]
    assert r.error.tolist() == [False, False, True, False]
    problems = list(r.iter_problems("区划代码"))
    assert [(p.row, p.rule, p.severity) for p in problems] == [
        (3, "text.fullwidth", "normalised"),
        (4, "region.format", "error"),
    ]
    rows = list(r.iter_problems("区划代码", row_numbers=[100, 101, 102, 103]))
    assert [p.row for p in rows] == [101, 102]

    u = fast_norm_uscc(pd.Series(["91370000728611939A", "91370000728611939a", " 9137"]))
    assert u.values.tolist() == ["91370000728611939A", "91370000728611939A", "9137"]
    assert u.result_at(1).rules == ["uscc.uppercase"]

    ind = fast_norm_industry_code(pd.Series(["C3973", "3973", 211]), expected_level=4)
    assert ind.values.tolist() == ["3973", "3973", "0211"]
    assert ind.aux["section"].iloc[0] == "C"
    assert ind.aux["section"].isna().tolist() == [False, True, True]

    a = fast_norm_amount(pd.Series(["1,234.5", "12.5", "3亿元"]), unit_from_header=None)
    assert a.values.tolist() == [1234.5, 12.5, 30000.0]
    assert a.changed.tolist() == [True, False, True]

    d = fast_norm_date(pd.Series(["2015-06-08", "2015年6月", "2099-01-01"]), today=TODAY)
    assert d.values.tolist()[:2] == [date(2015, 6, 8), date(2015, 6, 1)]
    assert d.error.tolist() == [False, False, True]

    with pytest.raises(ValueError):
        fast_clean_series(s, "colour")
    with pytest.raises(ValueError):
        fast_norm_industry_code(s, expected_level=7)
    with pytest.raises(JiqunError):
        fast_norm_amount(s, unit_from_header="人")
    with pytest.raises(ValueError):
        fast_norm_int(s, unit="furlongs")


def test_slow_path_runs_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    original = normalize.norm_region_code

    def counting(v: object) -> NormResult:
        calls.append(v)
        return original(v)

    monkeypatch.setattr(normalize, "norm_region_code", counting)
    s = pd.Series([320214.0] * 1000 + ["３２０２１４"] * 1000 + ["320214"] * 1000, dtype=object)
    r = columns._normalise_series(
        s, normalize.norm_region_code, columns._regex_fast("[0-9]{6}"), "str"
    )
    assert r.changed.sum() == 2000 and not r.error.any()
    assert sorted(map(str, calls)) == ["320214.0", "３２０２１４"]


def test_docstring_examples() -> None:
    modules = [normalize] + [
        importlib.import_module(m.name)
        for m in pkgutil.iter_modules(normalize.__path__, normalize.__name__ + ".")
    ]
    results = [doctest.testmod(m, optionflags=doctest.ELLIPSIS) for m in modules]
    assert sum(r.failed for r in results) == 0 and sum(r.attempted for r in results) > 20
