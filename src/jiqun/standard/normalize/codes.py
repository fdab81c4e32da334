"""Code cells: unified social credit codes (GB 32100), region codes (GB/T 2260) and industry
codes (GB/T 4754-2017).

Only the shape of a code is normalised here; whether it exists is checked against reference data
(:mod:`jiqun.standard.codes`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final, NamedTuple

from jiqun.standard.codes import GBT4754_SECTION_DIVISIONS, industry_section_for_division
from jiqun.standard.normalize.result import (
    EMPTY,
    Change,
    NormResult,
    fail,
    is_missing,
    py,
    type_name,
)
from jiqun.standard.normalize.text import clean_str, text_cell, upper_ascii


class IndustryCode(NamedTuple):
    """A normalised GB/T 4754-2017 code.

    Attributes
    ----------
    code:
        The code as stored: the section letter for level 1, otherwise 2–4 digits.
    section:
        The section letter written in the cell (``"C"`` for ``C3973``; the code itself at level 1),
        ``None`` when the cell had no letter. The caller checks it against reference data.
    level:
        1 section, 2 division, 3 group, 4 class.
    """

    code: str
    section: str | None
    level: int


# ---------------------------------------------------------------------------------------------
# Unified social credit code

_USCC_SEPARATORS_RE: Final = re.compile("[ \\-\u2010-\u2015\u2212]")


def norm_uscc(v: object) -> NormResult[str]:
    """Normalise a unified social credit code cell (shape only; validate with
    :func:`jiqun.standard.codes.check_uscc`).

    Applies :func:`clean_text`, upper-cases ASCII letters and removes internal spaces and hyphens,
    reporting each. The check character is never "fixed". A Python ``int`` (e.g. read from CSV) is
    taken as text, reported; a ``float`` is refused, because a spreadsheet keeps only 15 significant
    digits of an 18-digit number.

    Parameters
    ----------
    v:
        The raw cell.

    Returns
    -------
    NormResult[str]

    Example
    -------
    >>> r = norm_uscc(" 9137-0000-7286 11939a ")
    >>> r.value, r.rules
    ('91370000728611939A', ['text.strip', 'uscc.uppercase', 'uscc.separators'])
    >>> norm_uscc(9.12201011239989e17).rules
    ['uscc.number']
    """
    v = py(v)
    if is_missing(v):
        return EMPTY
    changes: list[Change] = []
    if isinstance(v, bool):
        return fail(
            "uscc.type", "应为文本代码，实际为布尔值", "expected a text code, got a boolean"
        )
    if isinstance(v, int):
        text = str(v)
        changes.append(
            Change(
                "uscc.from_number",
                f"数值 {text} 已按代码文本处理",
                f"the number {text} was taken as the code text",
            )
        )
    elif isinstance(v, float | Decimal):
        return fail(
            "uscc.number",
            "统一社会信用代码被存成了数值，18位数字超出表格的15位有效数字，末位可能已丢失；"
            "请将该列设为文本后重新录入",
            "the code was stored as a number: spreadsheets keep only 15 significant digits, so "
            "its last digits may be lost; format the column as text and enter it again",
        )
    elif isinstance(v, str):
        text = v
    else:
        return fail(
            "uscc.type",
            f"应为文本代码，实际为 {type_name(v)}",
            f"expected a text code, got {type_name(v)}",
        )
    text, more = clean_str(text)
    changes.extend(more)
    if not text:
        return NormResult(None, tuple(changes))
    upper = upper_ascii(text)
    if upper != text:
        changes.append(
            Change(
                "uscc.uppercase", "小写字母已转为大写", "lower-case letters converted to upper case"
            )
        )
    bare = _USCC_SEPARATORS_RE.sub("", upper)
    if bare != upper:
        changes.append(
            Change(
                "uscc.separators",
                "已删除代码中的空格或连字符",
                "removed spaces or hyphens inside the code",
            )
        )
    return NormResult(bare, tuple(changes))


# ---------------------------------------------------------------------------------------------
# GB/T 2260 region codes

_DIGITS6_RE: Final = re.compile(r"[0-9]{6}")
_DECIMAL_TEXT_RE: Final = re.compile(r"([0-9]+)\.([0-9]+)")


def _region_from_int(n: int, shown: str, changes: list[Change]) -> NormResult[str]:
    if not 100000 <= n <= 999999:
        return fail(
            "region.format",
            f"行政区划代码应为6位数字，实际为 {shown}",
            f"a region code has 6 digits, got {shown}",
            changes,
        )
    code = str(n)
    changes.append(
        Change(
            "region.from_number",
            f"数值 {shown} 已转换为行政区划代码 {code}",
            f"the number {shown} was converted to the region code {code}",
        )
    )
    return NormResult(code, tuple(changes))


def norm_region_code(v: object) -> NormResult[str]:
    """Normalise a GB/T 2260 administrative division code cell (shape only).

    Accepts ``"320214"``, ``320214``, ``320214.0``, ``"320214.0"`` and full-width ``"３２０２１４"``;
    number → code conversions are reported. Non-integral numbers (``320214.5``) and anything that is
    not six digits after cleaning are errors. Codes never start with 0, so no leading zero is ever
    restored.

    Parameters
    ----------
    v:
        The raw cell.

    Returns
    -------
    NormResult[str]

    Example
    -------
    >>> norm_region_code(320214.0).value, norm_region_code(320214.0).rules
    ('320214', ['region.from_number'])
    >>> norm_region_code("３２０２１４").value
    '320214'
    >>> norm_region_code(320214.5).rules
    ['region.not_integer']
    """
    v = py(v)
    if is_missing(v):
        return EMPTY
    if isinstance(v, bool):
        return fail("region.type", "行政区划代码不能是布尔值", "a region code cannot be a boolean")
    if isinstance(v, int):
        return _region_from_int(v, str(v), [])
    if isinstance(v, float | Decimal):
        x = float(v)
        if not math.isfinite(x) or not x.is_integer():
            return fail(
                "region.not_integer",
                f"行政区划代码不能带小数：{v}",
                f"a region code cannot have decimals: {v}",
            )
        return _region_from_int(int(x), str(v), [])
    got = text_cell(
        v,
        "region.type",
        "行政区划代码应为文本或整数，实际为 {type}",
        "a region code must be text or an integer, got {type}",
    )
    if isinstance(got, NormResult):
        return got
    text, changes = got
    if _DIGITS6_RE.fullmatch(text):
        return NormResult(text, tuple(changes))
    m = _DECIMAL_TEXT_RE.fullmatch(text)
    if m and set(m.group(2)) == {"0"}:
        return _region_from_int(int(m.group(1)), text, changes)
    if m:
        return fail(
            "region.not_integer",
            f"行政区划代码不能带小数：{text}",
            f"a region code cannot have decimals: {text}",
            changes,
        )
    return fail(
        "region.format",
        f"行政区划代码应为6位数字，实际为「{text}」",
        f"a region code has 6 digits, got {text!r}",
        changes,
    )


# ---------------------------------------------------------------------------------------------
# GB/T 4754-2017 industry codes

_LETTER_DIGITS_RE: Final = re.compile(r"([A-Z])[ \-.]?([0-9]+)")
_ALL_DIGITS_RE: Final = re.compile(r"[0-9]+")
_NUMBER_TEXT_RE: Final = re.compile(r"([0-9]+)\.0+")
_LEVEL_ZH: Final = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}
_LEVEL_EN: Final = {1: "section", 2: "division", 3: "group", 4: "class"}


def _industry_level_error(
    code: str, level: int, expected: int, changes: Sequence[Change]
) -> NormResult[Any]:
    return fail(
        "industry.level",
        f"行业代码「{code}」是{_LEVEL_ZH[level]}（{level}级），该列应为{_LEVEL_ZH[expected]}"
        f"（{expected}级）",
        f"industry code {code!r} is a {_LEVEL_EN[level]} (level {level}); this column holds "
        f"{_LEVEL_EN[expected]} codes (level {expected})",
        changes,
    )


def _industry_from_number(
    digits: str, shown: str, expected: int | None, changes: list[Change]
) -> NormResult[IndustryCode]:
    """A code that a spreadsheet stored as a number: its leading zeros may be gone."""
    n = len(digits)
    if expected is None:
        if n == 4:
            changes.append(
                Change(
                    "industry.from_number",
                    f"数值 {shown} 已转换为行业代码 {digits}",
                    f"the number {shown} was converted to the industry code {digits}",
                )
            )
            return NormResult(IndustryCode(digits, None, 4), tuple(changes))
        return fail(
            "industry.ambiguous",
            f"行业代码被存成了数值 {shown}，可能丢失了前导零（如 211 既可能是中类 211，也可能是"
            "小类 0211）；请指定该列的代码级别或将该列设为文本",
            f"the industry code was stored as the number {shown} and may have lost leading zeros "
            "(211 could be group 211 or class 0211); give the column's code level or store it as "
            "text",
            changes,
        )
    if expected == 1:
        return fail(
            "industry.level",
            f"门类代码应为字母 A–T，实际为数值 {shown}",
            f"a section code is a letter A–T, got the number {shown}",
            changes,
        )
    if n > 4:
        return fail(
            "industry.format",
            f"行业代码应为2–4位数字，实际为 {shown}",
            f"an industry code has 2–4 digits, got {shown}",
            changes,
        )
    if n > expected:
        return _industry_level_error(digits, n, expected, changes)
    code = digits.zfill(expected)
    if code.startswith("00"):
        return fail(
            "industry.format",
            f"数值 {shown} 补足前导零后为「{code}」，GB/T 4754 没有 00 大类",
            f"the number {shown} padded with leading zeros gives {code!r}; GB/T 4754 has no "
            "division 00",
            changes,
        )
    if code == digits:
        changes.append(
            Change(
                "industry.from_number",
                f"数值 {shown} 已转换为行业代码 {code}",
                f"the number {shown} was converted to the industry code {code}",
            )
        )
    else:
        changes.append(
            Change(
                "industry.leading_zero",
                f"已恢复前导零：{shown} → {code}（该列为{_LEVEL_ZH[expected]}代码）",
                f"leading zero restored: {shown} → {code} (the column holds "
                f"{_LEVEL_EN[expected]} codes)",
            )
        )
    return NormResult(IndustryCode(code, None, expected), tuple(changes))


def norm_industry_code(v: object, expected_level: int | None = None) -> NormResult[IndustryCode]:
    """Normalise a GB/T 4754-2017 industry code cell (shape only).

    * ``"3973"``, ``"397"``, ``"39"``, ``"C"`` are kept as written.
    * ``"C3973"`` (also ``"c3973"``, ``"C-3973"``): the section letter is split off, reported, and
      must agree with the division (C = divisions 13–43); it is returned in
      :attr:`IndustryCode.section` for the caller to check against reference data.
    * Numbers (``211``, ``211.0``, ``"211.0"``) may have lost leading zeros. With
      ``expected_level`` the zeros are restored and reported (``211`` → ``0211`` for level 4);
      without it only a 4-digit number is unambiguous, anything shorter is an error. A digit
      string shorter than ``expected_level`` is treated the same way (a CSV written from such a
      number), but padding that yields division ``00`` is an error.
    * The result's level must equal ``expected_level`` when given.

    Parameters
    ----------
    v:
        The raw cell.
    expected_level:
        1–4 when the column is known to hold codes of one level, else ``None``.

    Returns
    -------
    NormResult[IndustryCode]

    Raises
    ------
    ValueError
        If ``expected_level`` is not ``None`` or 1–4.

    Example
    -------
    >>> norm_industry_code("C3973").value
    IndustryCode(code='3973', section='C', level=4)
    >>> norm_industry_code(211, expected_level=4).value.code
    '0211'
    >>> norm_industry_code(211).rules
    ['industry.ambiguous']
    """
    if expected_level not in (None, 1, 2, 3, 4):
        raise ValueError(f"expected_level must be None or 1–4, got {expected_level!r}")
    v = py(v)
    if is_missing(v):
        return EMPTY
    if isinstance(v, bool):
        return fail("industry.type", "行业代码不能是布尔值", "an industry code cannot be a boolean")
    if isinstance(v, int | float | Decimal):
        x = float(v) if not isinstance(v, int) else v
        if isinstance(x, float) and (not math.isfinite(x) or not x.is_integer()):
            return fail(
                "industry.format",
                f"行业代码不能带小数：{v}",
                f"an industry code cannot have decimals: {v}",
            )
        n = int(x)
        if n < 0:
            return fail(
                "industry.format",
                f"行业代码不能为负数：{v}",
                f"an industry code cannot be negative: {v}",
            )
        return _industry_from_number(str(n), str(v), expected_level, [])
    got = text_cell(
        v,
        "industry.type",
        "行业代码应为文本或整数，实际为 {type}",
        "an industry code must be text or an integer, got {type}",
    )
    if isinstance(got, NormResult):
        return got
    text, changes = got
    upper = upper_ascii(text)
    if upper != text:
        changes.append(
            Change(
                "industry.uppercase",
                "门类字母已转为大写",
                "section letter converted to upper case",
            )
        )
    m = _NUMBER_TEXT_RE.fullmatch(upper)
    if m:
        return _industry_from_number(str(int(m.group(1))), upper, expected_level, changes)

    section: str | None = None
    if len(upper) == 1 and upper.isalpha() and upper.isascii():
        if upper not in GBT4754_SECTION_DIVISIONS:
            return fail(
                "industry.section",
                f"门类代码应为字母 A–T，实际为「{upper}」",
                f"a section code is a letter A–T, got {upper!r}",
                changes,
            )
        result = IndustryCode(upper, upper, 1)
    elif (m := _LETTER_DIGITS_RE.fullmatch(upper)) is not None:
        section, digits = m.group(1), m.group(2)
        if not 2 <= len(digits) <= 4:
            return fail(
                "industry.format",
                f"门类字母后应为2–4位数字，实际为「{upper}」",
                f"the section letter must be followed by 2–4 digits, got {upper!r}",
                changes,
            )
        actual = industry_section_for_division(digits[:2])
        if actual != section:
            where = f"属于门类 {actual}" if actual else "不属于任何门类"
            where_en = f"belongs to section {actual}" if actual else "belongs to no section"
            return fail(
                "industry.section_mismatch",
                f"门类字母「{section}」与代码「{digits}」不符：大类 {digits[:2]} {where}",
                f"section letter {section!r} does not match code {digits!r}: division "
                f"{digits[:2]} {where_en}",
                changes,
            )
        changes.append(
            Change(
                "industry.section_prefix",
                f"已将门类字母「{section}」与代码「{digits}」分开",
                f"section letter {section!r} split from the code {digits!r}",
            )
        )
        result = IndustryCode(digits, section, len(digits))
    elif _ALL_DIGITS_RE.fullmatch(upper):
        if len(upper) > 4:
            return fail(
                "industry.format",
                f"行业代码应为2–4位数字，实际为「{upper}」",
                f"an industry code has 2–4 digits, got {upper!r}",
                changes,
            )
        if expected_level is not None and expected_level > 1 and len(upper) < expected_level:
            return _industry_from_number(upper, upper, expected_level, changes)
        if len(upper) == 1:
            return fail(
                "industry.ambiguous",
                f"1位数字「{upper}」不是行业代码，可能丢失了前导零；请指定该列的代码级别",
                f"the single digit {upper!r} is not an industry code and may have lost a leading "
                "zero; give the column's code level",
                changes,
            )
        result = IndustryCode(upper, None, len(upper))
    else:
        return fail(
            "industry.format",
            f"无法识别的行业代码「{upper}」（应为门类字母 A–T 或2–4位数字）",
            f"unrecognised industry code {upper!r} (expected a section letter A–T or 2–4 digits)",
            changes,
        )
    if expected_level is not None and result.level != expected_level:
        return _industry_level_error(result.code, result.level, expected_level, changes)
    return NormResult(result, tuple(changes))
