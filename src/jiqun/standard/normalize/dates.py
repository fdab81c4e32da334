"""Date cells: ISO and Chinese notations, Excel serial numbers, ``datetime`` values.

Ambiguous notations (a two-digit year, day-month order) are errors, never guesses.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import pandas as pd

from jiqun.standard.normalize.result import (
    EMPTY,
    Change,
    NormResult,
    fail,
    is_missing,
    py,
)
from jiqun.standard.normalize.text import text_cell

_EXCEL_MAX_SERIAL: Final = 2958465  # 9999-12-31
_EXCEL_EPOCH_BEFORE_60: Final = date(1899, 12, 31)
_EXCEL_EPOCH_AFTER_60: Final = date(1899, 12, 30)

_D_ISO: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_D_DATETIME: Final = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
)
_D_YMD_SEP: Final = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_D_YMD_CN: Final = re.compile(r"([0-9]{4}) ?年 ?([0-9]{1,2}) ?月 ?([0-9]{1,2}) ?[日号]?")
_D_YM_CN: Final = re.compile(r"([0-9]{4}) ?年 ?([0-9]{1,2}) ?月份?")
_D_YM_SEP: Final = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})")
_D_COMPACT: Final = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_D_NUMBER: Final = re.compile(r"[0-9]{1,7}(?:\.[0-9]+)?")
_D_TWO_DIGIT_YEAR: Final = re.compile(
    r"[0-9]{2}([-/.])[0-9]{1,2}\1[0-9]{1,2}|[0-9]{1,2}([-/.])[0-9]{1,2}\2[0-9]{2}|[0-9]{2} ?年.*"
)
_D_DAY_MONTH_ORDER: Final = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{4}")
_D_YEAR_ONLY: Final = re.compile(r"[0-9]{4} ?年度?")


def _make_date(y: int, m: int, d: int, shown: str, changes: list[Change]) -> date | NormResult[Any]:
    try:
        return date(y, m, d)
    except ValueError:
        return fail(
            "date.invalid",
            f"日期不存在：{shown}",
            f"no such date: {shown}",
            changes,
        )


def _finish_date(d: date, today: date, changes: list[Change]) -> NormResult[date]:
    if d > today:
        return fail(
            "date.future",
            f"日期 {d.isoformat()} 晚于今天（{today.isoformat()}）",
            f"the date {d.isoformat()} is after today ({today.isoformat()})",
            changes,
        )
    return NormResult(d, tuple(changes))


def _format_change(shown: str, d: date) -> Change:
    return Change(
        "date.format",
        f"日期「{shown}」已转换为 {d.isoformat()}",
        f"date {shown!r} converted to {d.isoformat()}",
    )


def _date_from_number(x: float, shown: str, today: date, changes: list[Change]) -> NormResult[date]:
    if not math.isfinite(x):
        return fail("date.invalid", f"不是日期：{shown}", f"not a date: {shown}", changes)
    if x.is_integer() and 10_000_000 <= x <= 99_991_231:
        # 8 digits lie beyond the largest Excel serial, so YYYYMMDD is the only reading
        n = int(x)
        made = _make_date(n // 10000, n // 100 % 100, n % 100, shown, changes)
        if isinstance(made, NormResult):
            return made
        changes.append(
            Change(
                "date.from_number",
                f"数值 {shown} 按 YYYYMMDD 转换为 {made.isoformat()}",
                f"the number {shown} read as YYYYMMDD: {made.isoformat()}",
            )
        )
        return _finish_date(made, today, changes)
    if 1900 <= x < 2101:
        return fail(
            "date.ambiguous",
            f"「{shown}」既可能是年份，也可能是 Excel 日期序列号，无法确定",
            f"{shown!r} could be a year or an Excel date serial number",
            changes,
        )
    if not 1 <= x < _EXCEL_MAX_SERIAL + 1:
        return fail(
            "date.out_of_range",
            f"数值 {shown} 不在 Excel 日期序列号范围（1–{_EXCEL_MAX_SERIAL}）内",
            f"the number {shown} is outside the Excel date serial range (1–{_EXCEL_MAX_SERIAL})",
            changes,
        )
    serial = math.floor(x)
    if serial == 60:
        return fail(
            "date.ambiguous",
            "Excel 序列号 60 对应不存在的 1900-02-29（Lotus 闰年错误），无法确定日期",
            "Excel serial 60 is the non-existent 1900-02-29 (the Lotus leap-year bug)",
            changes,
        )
    # the 1900 system counts the phantom 1900-02-29, so serials after 60 are one day too high
    epoch = _EXCEL_EPOCH_BEFORE_60 if serial < 60 else _EXCEL_EPOCH_AFTER_60
    d = epoch + timedelta(days=serial)
    changes.append(
        Change(
            "date.excel_serial",
            f"Excel 日期序列号 {shown} 已转换为 {d.isoformat()}",
            f"Excel date serial {shown} converted to {d.isoformat()}",
        )
    )
    if x != serial:
        changes.append(_time_dropped(shown))
    return _finish_date(d, today, changes)


def _time_dropped(shown: str) -> Change:
    return Change(
        "date.time_dropped",
        f"「{shown}」中的时间部分已舍去，只保留日期",
        f"the time of day in {shown!r} was dropped; only the date is kept",
    )


def _month_change(shown: str, d: date) -> Change:
    return Change(
        "date.month_precision",
        f"「{shown}」只有年月，按当月1日（{d.isoformat()}）记录，精度为月",
        f"{shown!r} has year and month only: stored as the first of the month "
        f"({d.isoformat()}), month precision",
    )


def _date_from_text(text: str, today: date, changes: list[Change]) -> NormResult[date]:
    if m := _D_ISO.fullmatch(text):
        made = _make_date(int(m[1]), int(m[2]), int(m[3]), text, changes)
        return made if isinstance(made, NormResult) else _finish_date(made, today, changes)
    if m := _D_DATETIME.fullmatch(text):
        made = _make_date(int(m[1]), int(m[2]), int(m[3]), text, changes)
        if isinstance(made, NormResult):
            return made
        h, mi, s, frac = int(m[4]), int(m[5]), int(m[6] or 0), m[7] or ""
        if h > 23 or mi > 59 or s > 59:
            return fail("date.invalid", f"时间不存在：{text}", f"no such time: {text}", changes)
        midnight = h == mi == s == 0 and not frac.strip("0")
        changes.append(_format_change(text, made) if midnight else _time_dropped(text))
        return _finish_date(made, today, changes)
    for pattern in (_D_YMD_SEP, _D_YMD_CN, _D_COMPACT):
        if m := pattern.fullmatch(text):
            groups = [g for g in m.groups() if g and g.isdigit()]
            made = _make_date(int(groups[0]), int(groups[1]), int(groups[2]), text, changes)
            if isinstance(made, NormResult):
                return made
            changes.append(_format_change(text, made))
            return _finish_date(made, today, changes)
    for pattern in (_D_YM_CN, _D_YM_SEP):
        if m := pattern.fullmatch(text):
            groups = [g for g in m.groups() if g and g.isdigit()]
            if pattern is _D_YM_SEP and m[2] == "." and groups[1] == "1":
                return fail(
                    "date.ambiguous",
                    f"「{text}」可能是1月，也可能是被存成数值后丢了末尾0的10月（{groups[0]}.10）",
                    f"{text!r} could be January or October ({groups[0]}.10 stored as a number "
                    "loses its trailing zero)",
                    changes,
                )
            made = _make_date(int(groups[0]), int(groups[1]), 1, text, changes)
            if isinstance(made, NormResult):
                return made
            changes.append(_month_change(text, made))
            return _finish_date(made, today, changes)
    if _D_NUMBER.fullmatch(text):
        return _date_from_number(float(text), text, today, changes)
    if _D_TWO_DIGIT_YEAR.fullmatch(text):
        return fail(
            "date.ambiguous",
            f"「{text}」使用两位数年份，无法确定世纪（或年月日顺序）",
            f"{text!r} uses a two-digit year: the century (or the field order) is ambiguous",
            changes,
        )
    if _D_DAY_MONTH_ORDER.fullmatch(text):
        return fail(
            "date.ambiguous",
            f"「{text}」无法确定是日/月/年还是月/日/年",
            f"{text!r}: day/month/year or month/day/year cannot be told apart",
            changes,
        )
    if _D_YEAR_ONLY.fullmatch(text):
        return fail(
            "date.precision",
            f"「{text}」只有年份，至少需要年和月",
            f"{text!r} gives only a year; at least year and month are needed",
            changes,
        )
    return fail(
        "date.unrecognised",
        f"无法识别的日期「{text}」（可用 2015-06-08、2015/6/8、2015年6月8日、2015.06 等）",
        f"unrecognised date {text!r} (use e.g. 2015-06-08, 2015/6/8, 2015年6月8日, 2015.06)",
        changes,
    )


def norm_date(v: object, today: date | None = None) -> NormResult[date]:
    """Normalise a date cell to :class:`datetime.date`.

    Accepted: ``date``/``datetime``/``Timestamp`` (a time of day other than midnight is dropped,
    reported), ISO ``2015-06-08`` (also with a time), ``2015/6/8``, ``2015.6.8``, ``2015-6-8``,
    ``2015年6月8日``, ``20150608``; month precision ``2015年6月``, ``2015.06``, ``2015-06``,
    ``2015/6`` (first day of the month, reported); Excel serial numbers 1–2958465 of the 1900 date
    system (reported). Errors: impossible dates (2015-02-30), two-digit years, d/m/y vs m/d/y order,
    serial 60 (the phantom 1900-02-29 of the Lotus leap-year bug), numbers 1900–2100 (year or
    serial?), ``2015.1`` (January, or October that lost its trailing zero?), year-only values and
    dates after ``today``.

    Parameters
    ----------
    v:
        The raw cell.
    today:
        Reference date for the future-date check; defaults to :meth:`datetime.date.today`.

    Returns
    -------
    NormResult[datetime.date]

    Example
    -------
    >>> norm_date("2015年6月8日").value
    datetime.date(2015, 6, 8)
    >>> norm_date(42163).value, norm_date(42163).rules
    (datetime.date(2015, 6, 8), ['date.excel_serial'])
    >>> norm_date("15/6/8").rules
    ['date.ambiguous']
    """
    today = today or date.today()
    v = py(v)
    if is_missing(v):
        return EMPTY
    if isinstance(v, datetime):
        changes: list[Change] = []
        nanos = v.nanosecond if isinstance(v, pd.Timestamp) else 0
        if v.hour or v.minute or v.second or v.microsecond or nanos:
            changes.append(_time_dropped(str(v)))
        return _finish_date(v.date(), today, changes)
    if isinstance(v, date):
        return _finish_date(v, today, [])
    if isinstance(v, bool):
        return fail("date.type", "日期不能是布尔值", "a date cannot be a boolean")
    if isinstance(v, int | float | Decimal):
        return _date_from_number(float(v), str(v), today, [])
    got = text_cell(
        v,
        "date.type",
        "日期应为日期、文本或数值，实际为 {type}",
        "a date must be a date, text or a number, got {type}",
    )
    if isinstance(got, NormResult):
        return got
    text, changes = got
    return _date_from_text(text, today, changes)
