"""Numbers with units: unit spellings and header units, amounts in yuan, floats and integers.

:func:`canonical_unit` and :func:`parse_unit_from_header` read units; :func:`norm_amount`,
:func:`norm_float` and :func:`norm_int` normalise one cell, converting units when the cell or its
column header names one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from jiqun.standard.normalize.result import (
    EMPTY,
    Change,
    NormResult,
    fail,
    is_missing,
    num_text,
    py,
)
from jiqun.standard.normalize.text import clean_str, text_cell
from jiqun.standard.problems import JiqunError

# ---------------------------------------------------------------------------------------------
# Units and amounts

_UNITS: Final[dict[str, tuple[str, int]]] = {
    "元": ("CNY", 1),
    "千元": ("CNY", 10**3),
    "万元": ("CNY", 10**4),
    "十万元": ("CNY", 10**5),
    "百万元": ("CNY", 10**6),
    "千万元": ("CNY", 10**7),
    "亿元": ("CNY", 10**8),
    "人": ("persons", 1),
    "万人": ("persons", 10**4),
    "%": ("%", 1),
    "‰": ("‰", 1),
    "个": ("个", 1),
    "家": ("家", 1),
    "项": ("项", 1),
    "件": ("件", 1),
    "台": ("台", 1),
    "套": ("套", 1),
    "次": ("次", 1),
    "户": ("户", 1),
}
"""Canonical units: (dimension, factor to the dimension's base unit). Only same-dimension
conversions exist; factors are integers so conversion ratios are exact."""

# Spellings that are a unit on their own. English multipliers ("10k", "million") are units only
# next to a currency word: "(m)" could be metres.
_UNIT_ALIASES: Final[dict[str, str]] = {
    **{u: u for u in _UNITS},
    "千": "千元",
    "万": "万元",
    "十万": "十万元",
    "百万": "百万元",
    "千万": "千万元",
    "亿": "亿元",
    "块": "元",
    "yuan": "元",
    "10kyuan": "万元",
    "10000yuan": "万元",
    "10thousandyuan": "万元",
    "tenthousandyuan": "万元",
    "thousandyuan": "千元",
    "kyuan": "千元",
    "millionyuan": "百万元",
    "mnyuan": "百万元",
    "10millionyuan": "千万元",
    "100millionyuan": "亿元",
    "100myuan": "亿元",
    "percent": "%",
    "pct": "%",
    "person": "人",
    "persons": "人",
    "people": "人",
    "10kpersons": "万人",
    "10kpeople": "万人",
}
_CURRENCY_MULTIPLIERS: Final[dict[str, str]] = {
    "": "元",
    "元": "元",
    "k": "千元",
    "000": "千元",
    "'000": "千元",
    "thousand": "千元",
    "10k": "万元",
    "10000": "万元",
    "10thousand": "万元",
    "tenthousand": "万元",
    "m": "百万元",
    "mn": "百万元",
    "million": "百万元",
    "10million": "千万元",
    "100m": "亿元",
    "100million": "亿元",
}
_CURRENCY_WORD_RE: Final = re.compile(r"^(?:人民币|rmb|cny)|(?:人民币|rmb|cny)$")
_UNIT_LABEL_RE: Final = re.compile(r"^(?:单位|unit)[:]?")


def canonical_unit(text: str) -> str | None:
    """The canonical unit a unit spelling stands for.

    Parameters
    ----------
    text:
        A unit as written: ``万元``, ``万``, ``万元人民币``, ``单位：万元``, ``10k CNY``,
        ``100 million yuan``, ``%``, ``persons`` …

    Returns
    -------
    str | None
        One of ``元 千元 万元 十万元 百万元 千万元 亿元 人 万人 % ‰ 个 家 项 件 台 套 次 户``, or
        ``None`` when the text is not a known unit (e.g. ``美元``: foreign currencies are not
        converted).

    Example
    -------
    >>> canonical_unit("单位：万元"), canonical_unit("10k CNY"), canonical_unit("美元")
    ('万元', '万元', None)
    """
    t, _ = clean_str(text)
    t = t.casefold().replace(" ", "").replace(",", "")
    t = _UNIT_LABEL_RE.sub("", t)
    if t in _UNIT_ALIASES:
        return _UNIT_ALIASES[t]
    stripped = _CURRENCY_WORD_RE.sub("", t)
    if stripped != t:
        stripped = _CURRENCY_WORD_RE.sub("", stripped)  # "rmb … 人民币" on both ends
        if stripped in _CURRENCY_MULTIPLIERS:
            return _CURRENCY_MULTIPLIERS[stripped]
        unit = _UNIT_ALIASES.get(stripped)
        if unit is not None and _UNITS[unit][0] == "CNY":
            return unit
    return None


_HEADER_BRACKET_RE: Final = re.compile(
    r"(.*?)\s*[(\[【〔{<《]\s*([^()\[\]【】〔〕{}<>《》]+?)\s*[)\]】〕}>》]"
)
_HEADER_SUFFIXES: Final = ("百万元", "千万元", "十万元", "万元", "亿元", "千元", "万人", "%", "‰")
_HEADER_SEPARATORS: Final = " :_-/|·"


def parse_unit_from_header(header: str) -> tuple[str, str | None]:
    """Split a column header into its bare name and the unit it declares.

    Recognises a trailing bracketed unit — ``（万元）``, ``(万元)``, ``【万元】``, ``[万元]``,
    ``(单位：万元)``, ``(10k CNY)``, ``(人)``, ``(%)`` … — and an unbracketed multi-character suffix
    (``营业收入万元``, ``营业收入/万元``, ``增长率%``). A single ``元``/``人`` suffix is not taken
    (``单元``, ``法人``). The header is cleaned with :func:`clean_text` first.

    Parameters
    ----------
    header:
        The header as written in the file.

    Returns
    -------
    tuple[str, str | None]
        ``(bare_header, canonical_unit)``; the unit is ``None`` when none is declared, and then the
        header is returned whole (cleaned).

    Example
    -------
    >>> parse_unit_from_header("营业收入（万元）")
    ('营业收入', '万元')
    >>> parse_unit_from_header("revenue (10k CNY)")
    ('revenue', '万元')
    >>> parse_unit_from_header("企业名称（中文）")
    ('企业名称(中文)', None)
    """
    h, _ = clean_str(header)
    m = _HEADER_BRACKET_RE.fullmatch(h)
    if m:
        unit = canonical_unit(m.group(2))
        if unit is not None:
            return m.group(1).strip(), unit
        return h, None
    for suffix in _HEADER_SUFFIXES:
        if h.endswith(suffix) and len(h) > len(suffix):
            return h[: -len(suffix)].rstrip(_HEADER_SEPARATORS), _UNIT_ALIASES[suffix]
    return h, None


def unit_ratio(src: str, dst: str) -> tuple[int, bool]:
    """(integer ratio, multiply?) so that conversion is a single exact operation."""
    fs, fd = _UNITS[src][1], _UNITS[dst][1]
    return (fs // fd, True) if fs >= fd else (fd // fs, False)


def _convert(x: float, src: str, dst: str) -> float:
    ratio, multiply = unit_ratio(src, dst)
    if ratio == 1:
        return x
    # dividing by 10 000 is exact-er than multiplying by 0.0001
    return x * ratio if multiply else x / ratio


_PLACEHOLDERS: Final = frozenset(
    {"-", "--", "---", "—", "——", "–", "/", "\\", "无", "暂无", "空", "n/a", "na", "null", "none"}
)
_APPROX_RE: Final = re.compile(
    r"约|大约|将近|近|超过|逾|多|余|左右|以上|以下|以内|不足|不到|至少|[~≈<>≤≥]|\+$"
)
_SIGN_RE: Final = re.compile("([-+\u2212])\\s*")
_CURRENCY_PREFIX_RE: Final = re.compile(r"(¥|rmb|cny|人民币)\s*", re.IGNORECASE)
_FOREIGN_RE: Final = re.compile(
    r"(us\$|hk\$|\$|€|£|usd|eur|gbp|hkd|美元|欧元|港元|港币|日元)", re.I
)
_NUMBER_RE: Final = re.compile(
    r"(?P<num>[0-9][0-9., ]*[0-9]|[0-9]|\.[0-9]+)(?P<exp>[eE][-+]?[0-9]+)?(?P<rest>.*)"
)
_PLAIN_RE: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_THOUSANDS_COMMA_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_THOUSANDS_SPACE_RE: Final = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]+)?")
_DECIMAL_COMMA_RE: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+|[0-9]+,[0-9]+")


@dataclass(slots=True)
class _ParsedNumber:
    negative: bool
    mantissa: str
    exponent: str
    rest: str
    currency: bool
    changes: list[Change] = field(default_factory=list)

    def as_float(self) -> float:
        x = float(self.mantissa + self.exponent)
        return -x if self.negative else x


def _parse_number(text: str, rule: str) -> _ParsedNumber | Change:
    """Split ``text`` into sign, number and trailing text; a Change when it is not a number."""
    s = text
    changes: list[Change] = []
    negative = paren = signed = currency = False
    if s.startswith("(") and s.endswith(")"):
        s, negative, paren = s[1:-1].strip(), True, True
        changes.append(
            Change(
                f"{rule}.parentheses",
                f"会计记法括号「{text}」按负数处理",
                f"accounting parentheses {text!r} read as a negative number",
            )
        )
    for _ in range(2):  # sign and currency symbol come in either order: -¥12, ¥-12
        if (m := _SIGN_RE.match(s)) and not signed:
            if paren:
                return Change(
                    f"{rule}.format", f"无法识别的数值「{text}」", f"not a number: {text!r}"
                )
            signed, negative = True, m.group(1) != "+"
            s = s[m.end() :]
        elif (m := _CURRENCY_PREFIX_RE.match(s)) and not currency:
            currency = True
            changes.append(
                Change(
                    f"{rule}.currency_symbol",
                    f"已去除货币符号「{m.group(1)}」",
                    f"removed the currency sign {m.group(1)!r}",
                )
            )
            s = s[m.end() :]
    if _FOREIGN_RE.match(s):
        return Change(
            f"{rule}.currency",
            f"「{text}」不是人民币金额，不做汇率换算",
            f"{text!r} is not in CNY; no exchange-rate conversion is made",
        )
    m = _NUMBER_RE.fullmatch(s)
    if not m:
        if _APPROX_RE.search(text):
            return _approx_change(text, rule)
        return Change(f"{rule}.format", f"无法识别的数值「{text}」", f"not a number: {text!r}")
    num = m["num"]
    if _PLAIN_RE.fullmatch(num):
        mantissa = num
    elif _THOUSANDS_COMMA_RE.fullmatch(num) or _THOUSANDS_SPACE_RE.fullmatch(num):
        mantissa = num.replace(",", "").replace(" ", "")
        changes.append(
            Change(
                f"{rule}.separators",
                f"已去除千位分隔符：{num} → {mantissa}",
                f"removed thousands separators: {num} → {mantissa}",
            )
        )
    elif _DECIMAL_COMMA_RE.fullmatch(num):
        return Change(
            f"{rule}.ambiguous",
            f"「{num}」中的逗号可能是小数点（欧洲写法），也可能是千位分隔符，无法确定",
            f"in {num!r} the comma could be a decimal comma (European style) or a thousands "
            "separator",
        )
    else:
        return Change(f"{rule}.format", f"无法识别的数值「{text}」", f"not a number: {text!r}")
    return _ParsedNumber(negative, mantissa, m["exp"] or "", m["rest"].strip(), currency, changes)


def _approx_change(text: str, rule: str) -> Change:
    return Change(
        f"{rule}.approximate",
        f"「{text}」是约数或范围，不是确切数值",
        f"{text!r} is an approximation or a range, not an exact number",
    )


def check_units(unit_from_header: str | None, target_unit: str) -> tuple[str | None, str]:
    target = canonical_unit(target_unit)
    if target is None:
        raise ValueError(f"unknown target unit {target_unit!r}")
    if unit_from_header is None:
        return None, target
    header = canonical_unit(unit_from_header)
    if header is None or _UNITS[header][0] != _UNITS[target][0]:
        raise JiqunError(
            f"列标题中的单位「{unit_from_header}」无法换算为「{target}」",
            f"the unit {unit_from_header!r} in the column header cannot be converted to {target!r}",
        )
    return header, target


def _overflow(shown: object) -> NormResult[Any]:
    return fail(
        "amount.invalid",
        f"数值超出浮点数范围：{shown}",
        f"number out of the floating-point range: {shown}",
    )


def _conversion_change(x: float, src: str, y: float, dst: str, rule: str = "amount") -> Change:
    return Change(
        f"{rule}.unit_conversion",
        f"单位换算：{num_text(x)} {src} → {num_text(y)} {dst}",
        f"unit conversion: {num_text(x)} {src} → {num_text(y)} {dst}",
    )


def _plain_number(
    v: object, rule: str, bool_zh: str, bool_en: str
) -> NormResult[Any] | float | None:
    """The cases of :func:`norm_amount` and :func:`norm_float` that need no parsing.

    A missing cell gives :data:`EMPTY`; a boolean (``bool_zh`` / ``bool_en``) or a number that is
    not finite gives the error ``<rule>.type`` or ``<rule>.invalid``; another number gives its
    ``float``; text gives ``None`` (it is parsed by the caller).
    """
    if is_missing(v):
        return EMPTY
    if isinstance(v, bool):
        return fail(f"{rule}.type", bool_zh, bool_en)
    if not isinstance(v, int | float | Decimal):
        return None
    x = float(v)
    if not math.isfinite(x):
        return fail(f"{rule}.invalid", f"不是有效数值：{v}", f"not a finite number: {v}")
    return x


def norm_amount(
    v: object, unit_from_header: str | None = None, target_unit: str = "万元"
) -> NormResult[float]:
    """Normalise a monetary amount (or another quantity with a unit) to ``target_unit``.

    Understands thousands separators (``1,234.5``, ``1 234``, full-width ``１，２３４``), a leading
    ``¥``/``￥``/``RMB``/``人民币``, a sign before or after it, accounting parentheses ``(12.5)``
    (negative, reported), scientific notation, and a unit in the cell (``12.5万元``, ``3亿``,
    ``500元``) or in the header (``unit_from_header``). 元/千元/万元/百万元/亿元 conversions are
    exact (integer ratios) and reported. Placeholders ``—``, ``-``, ``/``, ``无``, ``N/A`` … become
    ``None`` (reported); an empty cell is ``None`` without a report. Negative values are returned as
    they are: range checks belong to the caller.

    Errors: European ``1.234,5`` or ``1,5`` (ambiguous comma), a cell unit that differs from the
    header unit, a unit that cannot be converted to ``target_unit``, foreign currencies,
    approximations (``约100万``), anything else that is not a number. When neither the cell nor the
    header gives a unit the number is taken to be in ``target_unit``: deciding whether a unitless
    column is acceptable is the importer's (column-level) job.

    Parameters
    ----------
    v:
        The raw cell.
    unit_from_header:
        The unit the column header declares (see :func:`parse_unit_from_header`), or ``None``.
    target_unit:
        The unit to return, default ``万元``.

    Returns
    -------
    NormResult[float]

    Raises
    ------
    ValueError
        If ``target_unit`` is not a known unit.
    JiqunError
        If ``unit_from_header`` is unknown or cannot be converted to ``target_unit`` (a column-level
        problem, reported once rather than per cell).

    Example
    -------
    >>> norm_amount("3亿元").value, norm_amount("3亿元").rules
    (30000.0, ['amount.unit_conversion'])
    >>> norm_amount("１，２３４.５", unit_from_header="元").value
    0.12345
    >>> norm_amount("1.234,5").rules
    ['amount.ambiguous']
    """
    header, target = check_units(unit_from_header, target_unit)
    v = py(v)
    x = _plain_number(v, "amount", "金额不能是布尔值", "an amount cannot be a boolean")
    if isinstance(x, NormResult):
        return x
    if x is not None:
        src = header or target
        y = _convert(x, src, target)
        if not math.isfinite(y):
            return _overflow(v)
        return NormResult(y, (_conversion_change(x, src, y, target),) if src != target else ())
    got = _parse_cell_number(
        v,
        "amount",
        "金额应为数值或文本，实际为 {type}",
        "an amount must be a number or text, got {type}",
    )
    if isinstance(got, NormResult):
        return got
    parsed, changes, text = got
    cell_unit: str | None = None
    if parsed.rest:
        cell_unit = canonical_unit(parsed.rest)
        if cell_unit is None:
            if _APPROX_RE.search(parsed.rest):
                return NormResult(None, tuple(changes), _approx_change(text, "amount"))
            return fail(
                "amount.unit",
                f"无法识别的单位「{parsed.rest}」",
                f"unrecognised unit {parsed.rest!r}",
                changes,
            )
        if header is not None and cell_unit != header:
            return fail(
                "amount.unit_conflict",
                f"单元格中的单位「{parsed.rest}」与列标题中的单位「{header}」不一致",
                f"the unit in the cell ({parsed.rest!r}) differs from the header's unit "
                f"({header!r})",
                changes,
            )
        if _UNITS[cell_unit][0] != _UNITS[target][0]:
            return fail(
                "amount.unit",
                f"单位「{parsed.rest}」无法换算为「{target}」",
                f"the unit {parsed.rest!r} cannot be converted to {target!r}",
                changes,
            )
    x = parsed.as_float()
    src = cell_unit or header or target
    y = _convert(x, src, target)
    if not math.isfinite(y):
        return NormResult(None, tuple(changes), _overflow(text).error)
    if src != target:
        changes.append(_conversion_change(x, src, y, target))
    elif cell_unit is not None:
        changes.append(
            Change(
                "amount.unit_suffix",
                f"已去除单元格中的单位「{parsed.rest}」",
                f"removed the unit {parsed.rest!r} written in the cell",
            )
        )
    return NormResult(y, tuple(changes))


def _column_unit(unit: str | None) -> str | None:
    """The canonical form of a column's unit (``None`` stays ``None``); unknown units raise."""
    if unit is None:
        return None
    unit_c = canonical_unit(unit)
    if unit_c is None:
        raise ValueError(f"unknown unit {unit!r}")
    return unit_c


def _parse_cell_number(
    v: object,
    rule: str,
    type_zh: str,
    type_en: str,
    currency_zh: str | None = None,
    currency_en: str = "",
) -> NormResult[Any] | tuple[_ParsedNumber, list[Change], str]:
    """The text path shared by :func:`norm_amount`, :func:`norm_float` and :func:`norm_int`: refuse
    a cell that is not text (``type_zh`` / ``type_en`` as in :func:`text_cell`), clean the text,
    map placeholders to ``None``, parse the number and, given ``currency_zh``, refuse currency.
    Returns either the final :class:`NormResult` (empty, placeholder or error) or
    ``(parsed, changes, text)``; ``currency_zh`` / ``currency_en`` are formatted with ``text``."""
    got = text_cell(v, f"{rule}.type", type_zh, type_en)
    if isinstance(got, NormResult):
        return got
    text, changes = got
    if text.casefold() in _PLACEHOLDERS:
        changes.append(
            Change(
                f"{rule}.placeholder",
                f"占位符「{text}」按空值处理",
                f"placeholder {text!r} taken as empty",
            )
        )
        return NormResult(None, tuple(changes))
    parsed = _parse_number(text, rule)
    if isinstance(parsed, Change):
        return NormResult(None, tuple(changes), parsed)
    if currency_zh is not None and parsed.currency:
        return fail(
            f"{rule}.format",
            currency_zh.format(text=text),
            currency_en.format(text=text),
            changes,
        )
    changes.extend(parsed.changes)
    return parsed, changes, text


def norm_float(v: object, unit: str | None = None) -> NormResult[float]:
    """Normalise a plain decimal number (a ratio, a score, an area) — :func:`norm_amount` without
    money.

    Same parsing as :func:`norm_amount` (thousands separators, full-width digits, accounting
    parentheses, placeholders → ``None``; European commas and approximations are errors), with rule
    identifiers ``float.*``. Currency signs are errors (use :func:`norm_amount`). With ``unit`` a
    trailing unit of the same dimension is accepted and converted (``3万人`` → 30000 for
    ``unit="人"``), reported; without it any trailing text is an error.

    Parameters
    ----------
    v:
        The raw cell.
    unit:
        The column's unit (e.g. ``%`` or ``人``), or ``None``.

    Returns
    -------
    NormResult[float]

    Raises
    ------
    ValueError
        If ``unit`` is not a known unit.

    Example
    -------
    >>> norm_float("1,234.5").value, norm_float("12.5%", unit="%").value
    (1234.5, 12.5)
    >>> norm_float("12.5%").rules
    ['float.unit']
    """
    unit_c = _column_unit(unit)
    v = py(v)
    plain = _plain_number(v, "float", "数值不能是布尔值", "a number cannot be a boolean")
    if isinstance(plain, NormResult):
        return plain
    if plain is not None:
        return NormResult(plain)
    got = _parse_cell_number(
        v,
        "float",
        "应为数值或文本，实际为 {type}",
        "expected a number or text, got {type}",
        "「{text}」是金额，此列应为普通数值",
        "{text!r} is a sum of money; this column holds plain numbers",
    )
    if isinstance(got, NormResult):
        return got
    parsed, changes, text = got
    x = parsed.as_float()
    y = x
    if parsed.rest:
        cell_unit = canonical_unit(parsed.rest)
        if cell_unit is None or unit_c is None or _UNITS[cell_unit][0] != _UNITS[unit_c][0]:
            if _APPROX_RE.search(parsed.rest):
                return NormResult(None, tuple(changes), _approx_change(text, "float"))
            return fail(
                "float.unit",
                f"多余的文字或单位「{parsed.rest}」"
                + (f"（此列单位为{unit_c}）" if unit_c else ""),
                f"unexpected text or unit {parsed.rest!r}"
                + (f" (this column's unit is {unit_c!r})" if unit_c else ""),
                changes,
            )
        assert unit_c is not None
        y = _convert(x, cell_unit, unit_c)
        if cell_unit != unit_c:
            changes.append(_conversion_change(x, cell_unit, y, unit_c, "float"))
        else:
            changes.append(
                Change(
                    "float.unit_suffix",
                    f"已去除单元格中的单位「{parsed.rest}」",
                    f"removed the unit {parsed.rest!r} written in the cell",
                )
            )
    if not math.isfinite(y):
        return NormResult(
            None,
            tuple(changes),
            Change("float.invalid", f"数值超出浮点数范围：{text}", f"number out of range: {text}"),
        )
    return NormResult(y, tuple(changes))


# ---------------------------------------------------------------------------------------------
# Integers

_INT64_LIMIT: Final = 2**63
FLOAT_EXACT_LIMIT: Final = 2**53


def norm_int(v: object, unit: str | None = None) -> NormResult[int]:
    """Normalise an integer count (employees, patents, …).

    ``"1,200"`` → 1200 (separators reported), ``12.0`` → 12, ``"12.0"`` → 12. Errors: fractions
    (``12.5``), approximations and ranges (``约100``, ``100+``, ``50~60``), other text, values beyond
    int64 or beyond the exact range of a float. Placeholders (``—``, ``无`` …) become ``None``,
    reported. With ``unit`` a trailing unit that means the same (``350人`` with ``unit="人"``) is
    removed, reported; scaled units (``1.2万人``) are errors.

    Parameters
    ----------
    v:
        The raw cell.
    unit:
        The column's unit (e.g. from :func:`parse_unit_from_header`), or ``None``.

    Returns
    -------
    NormResult[int]

    Raises
    ------
    ValueError
        If ``unit`` is not a known unit.

    Example
    -------
    >>> norm_int("1,200").value, norm_int(12.0).value
    (1200, 12)
    >>> norm_int(12.5).rules, norm_int("约100").rules
    (['int.not_integer'], ['int.approximate'])
    """
    unit_c = _column_unit(unit)
    v = py(v)
    if is_missing(v):
        return EMPTY
    if isinstance(v, bool):
        return fail("int.type", "整数不能是布尔值", "an integer cannot be a boolean")
    if isinstance(v, int):
        return _int_in_range(v, str(v), [])
    if isinstance(v, float | Decimal):
        x = float(v)
        if not math.isfinite(x) or not x.is_integer():
            return fail("int.not_integer", f"应为整数，实际为 {v}", f"expected an integer, got {v}")
        if abs(x) > FLOAT_EXACT_LIMIT:
            return fail(
                "int.precision",
                f"数值 {v} 超出浮点数可精确表示的范围，个位可能已失真",
                f"{v} is beyond the exact range of a float; its last digits may be wrong",
            )
        return _int_in_range(int(x), str(v), [])
    got = _parse_cell_number(
        v,
        "int",
        "应为整数，实际为 {type}",
        "expected an integer, got {type}",
        "应为整数，实际为「{text}」",
        "expected an integer, got {text!r}",
    )
    if isinstance(got, NormResult):
        return got
    parsed, changes, text = got
    if parsed.rest:
        if unit_c is not None and canonical_unit(parsed.rest) == unit_c:
            changes.append(
                Change(
                    "int.unit_suffix",
                    f"已去除单元格中的单位「{parsed.rest}」",
                    f"removed the unit {parsed.rest!r} written in the cell",
                )
            )
        elif _APPROX_RE.search(parsed.rest):
            return NormResult(None, tuple(changes), _approx_change(text, "int"))
        else:
            return fail(
                "int.format",
                f"应为整数，实际为「{text}」（多余的文字或单位「{parsed.rest}」）",
                f"expected an integer, got {text!r} (unexpected text or unit {parsed.rest!r})",
                changes,
            )
    try:
        d = Decimal(parsed.mantissa + parsed.exponent)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return fail(
            "int.format",
            f"应为整数，实际为「{text}」",
            f"expected an integer, got {text!r}",
            changes,
        )
    if d != d.to_integral_value():
        return fail(
            "int.not_integer",
            f"应为整数，实际为「{text}」",
            f"expected an integer, got {text!r}",
            changes,
        )
    n = int(d)
    return _int_in_range(-n if parsed.negative else n, text, changes)


def _int_in_range(n: int, shown: str, changes: list[Change]) -> NormResult[int]:
    if not -_INT64_LIMIT <= n < _INT64_LIMIT:
        return fail(
            "int.range",
            f"整数 {shown} 超出 64 位整数范围",
            f"the integer {shown} does not fit in 64 bits",
            changes,
        )
    return NormResult(n, tuple(changes))
