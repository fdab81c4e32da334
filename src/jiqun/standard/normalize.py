"""Explicit, reported normalisation of spreadsheet cells.

Government spreadsheets arrive with full-width digits, stray no-break spaces, codes that Excel turned
into numbers, dates in half a dozen notations and amounts with units in the cell. Each normaliser
here takes one raw cell (``str``, ``int``, ``float``, ``datetime``/``date``, ``None``/NaN, or the
numpy/pandas equivalents) and returns a :class:`NormResult`:

* ``value`` — the normalised value, ``None`` for an empty cell or an error;
* ``changes`` — one :class:`Change` per *kind* of rewrite applied (never silent);
* ``error`` — set when the cell is invalid or **ambiguous**. Nothing is guessed: a two-digit year, a
  European ``1.234,5`` or a 3-digit number in an industry-code column of unknown level is an error,
  not a best effort.

Normalisers never validate codes beyond their shape (see :mod:`jiqun.standard.codes` and the
reference data for that) and never apply range checks to numbers (the caller's schema does).

For bulk import, :func:`fast_clean_series` and the ``fast_*`` functions process a whole column: cells
already in canonical form are recognised with vectorised regular expressions (Arrow) or numeric
tests, and only the remaining cells go through the scalar normaliser — once per distinct value. The
result is identical to calling the scalar normaliser on every cell.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Generic, NamedTuple, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jiqun.standard.codes import GBT4754_SECTION_DIVISIONS, industry_section_for_division
from jiqun.standard.problems import JiqunError, Problem
from jiqun.standard.text import control_reason, escape_controls, shown

__all__ = [
    "Change",
    "IndustryCode",
    "NormResult",
    "SeriesResult",
    "canonical_unit",
    "clean_text",
    "fast_clean_series",
    "fast_clean_text",
    "fast_norm_amount",
    "fast_norm_date",
    "fast_norm_float",
    "fast_norm_industry_code",
    "fast_norm_int",
    "fast_norm_region_code",
    "fast_norm_uscc",
    "norm_amount",
    "norm_date",
    "norm_float",
    "norm_industry_code",
    "norm_int",
    "norm_region_code",
    "norm_uscc",
    "parse_unit_from_header",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One reported rewrite (or, as :attr:`NormResult.error`, the reason a cell was refused).

    Parameters
    ----------
    rule:
        Stable rule identifier, e.g. ``text.fullwidth`` or ``date.ambiguous``.
    message_zh, message_en:
        What was done (or what is wrong), in Chinese and in English.
    """

    rule: str
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class NormResult(Generic[T]):
    """Outcome of normalising one cell.

    Parameters
    ----------
    value:
        The normalised value; ``None`` for an empty cell and whenever ``error`` is set.
    changes:
        Every kind of rewrite applied, in the order applied.
    error:
        Why the cell cannot be used, or ``None``.
    """

    value: T | None
    changes: tuple[Change, ...] = ()
    error: Change | None = None

    @property
    def ok(self) -> bool:
        """``True`` when there is no error (an empty cell is ok)."""
        return self.error is None

    @property
    def changed(self) -> bool:
        """``True`` when at least one rewrite was reported."""
        return bool(self.changes)

    @property
    def rules(self) -> list[str]:
        """Rule identifiers of the changes, then of the error (handy in tests and logs)."""
        return [c.rule for c in self.changes] + ([self.error.rule] if self.error else [])

    def to_problems(self, row: int | None, column: str | None, raw: object) -> list[Problem]:
        """Turn the result into :class:`~jiqun.standard.problems.Problem` records.

        A cell with an error yields only the error (the row is refused, so the rewrites that led
        there are noise); otherwise one ``normalised`` problem per change.

        Parameters
        ----------
        row, column:
            As in :class:`~jiqun.standard.problems.Problem`.
        raw:
            The raw cell value, shown to the user.

        Returns
        -------
        list[Problem]

        Example
        -------
        >>> [p.severity for p in clean_text("ＡＢＣ").to_problems(2, "名称", "ＡＢＣ")]
        ['normalised']
        """
        text = _cell_text(raw)
        if self.error is not None:
            e = self.error
            return [Problem(row, column, text, e.rule, "error", e.message_zh, e.message_en)]
        return [
            Problem(row, column, text, c.rule, "normalised", c.message_zh, c.message_en)
            for c in self.changes
        ]


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


_EMPTY: Final[NormResult[Any]] = NormResult(None)


def _fail(rule: str, zh: str, en: str, changes: Sequence[Change] = ()) -> NormResult[Any]:
    return NormResult(None, tuple(changes), Change(rule, zh, en))


def _cell_text(v: object) -> str:
    return "" if _is_missing(_py(v)) else escape_controls(str(v))


def _py(v: object) -> object:
    """numpy/pandas scalars → plain Python objects, so one code path handles every reader."""
    if isinstance(v, np.datetime64):
        return pd.NaT if np.isnat(v) else pd.Timestamp(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    return isinstance(v, Decimal) and v.is_nan()


def _type_name(v: object) -> str:
    return type(v).__name__


def _num_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


# ---------------------------------------------------------------------------------------------
# Text

# Python's str.isspace() set; re's \s and str.strip() use the same definition.
_WHITESPACE: Final = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
_INVISIBLE: Final = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE: Final = re.compile(f"[{_INVISIBLE}]")
_WS_RUN_RE: Final = re.compile(r"\s+")
_WS_NAMES: Final = {"\u3000": "U+3000", "\u00a0": "U+00A0", "\t": "TAB", "\n": "LF", "\r": "CR"}


def _fullwidth_change(before: str, full: bool = True) -> Change:
    examples: list[str] = []
    for ch in dict.fromkeys(before):
        after = _to_standard(ch, full)
        if after != ch:
            examples.append(f"「{ch}」→「{after}」")
        if len(examples) == 5:
            break
    shown = "、".join(examples) or "（组合字符）"
    return Change(
        "text.fullwidth",
        f"全角或兼容字符已转换为标准形式（NFKC）：{shown}",
        f"full-width or compatibility characters converted to standard forms (NFKC): {shown}",
    )


# Control characters are outside the class (escaped: RE2 reads \\xNN as Python's re does), so a
# cell holding one never takes a fast path that returns it unchanged.
_CANONICAL_TEXT_RE: Final = re.compile(
    f"[^{_WHITESPACE}{_INVISIBLE}\\x00-\\x1f\\x7f]+(?: [^{_WHITESPACE}{_INVISIBLE}\\x00-\\x1f\\x7f]+)*"
)


#: Full-width ASCII letters and digits (ＡＢＣ１２３ → ABC123): the only compatibility characters
#: free text is rewritten for. Full-width CJK punctuation（，；：）is correct Chinese typography
#: and stays as written.
_FW_ALNUM: Final = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
_FW_ALNUM_RE: Final = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _to_standard(s: str, full: bool) -> str:
    return unicodedata.normalize("NFKC", s) if full else s.translate(_FW_ALNUM)


def _clean_str(s: str, full: bool = True) -> tuple[str, list[Change]]:
    """Clean one string; ``full`` applies NFKC (codes, numbers), else only full-width A–Z/0–9."""
    # most cells are already clean: one regex and one normalisation test instead of the full loop
    if _CANONICAL_TEXT_RE.fullmatch(s) and (
        unicodedata.is_normalized("NFKC", s) if full else not _FW_ALNUM_RE.search(s)
    ):
        return s, []
    found: dict[str, Change] = {}
    # NFKC can expose new whitespace (e.g. U+00A8 → " ̈"), so repeat to a fixed point; two rounds
    # suffice in practice, the bound only guards against surprises.
    for _ in range(10):
        before = s
        t = _INVISIBLE_RE.sub("", s)
        if t != s:
            names = ", ".join(sorted({f"U+{ord(c):04X}" for c in s if c in _INVISIBLE}))
            found.setdefault(
                "text.invisible",
                Change(
                    "text.invisible",
                    f"已删除不可见字符（{names}）",
                    f"removed invisible characters ({names})",
                ),
            )
            s = t
        t = s.strip()
        if t != s:
            found.setdefault(
                "text.strip",
                Change("text.strip", "已去除首尾空白", "removed leading/trailing whitespace"),
            )
            s = t
        t = _WS_RUN_RE.sub(" ", s)
        if t != s:
            kinds = sorted({_WS_NAMES.get(c, f"U+{ord(c):04X}") for c in s if c.isspace()})
            found.setdefault(
                "text.whitespace",
                Change(
                    "text.whitespace",
                    f"连续或特殊空白字符（{', '.join(kinds)}）已合并为一个普通空格",
                    f"runs of whitespace or special spaces ({', '.join(kinds)}) replaced by one "
                    "ordinary space",
                ),
            )
            s = t
        t = _to_standard(s, full)
        if t != s:
            found.setdefault("text.fullwidth", _fullwidth_change(s, full))
            s = t
        if s == before:
            break
    return s, list(found.values())


def clean_text(v: object) -> NormResult[str]:
    """Normalise a free-text cell.

    Removes zero-width characters (U+200B/C/D, U+2060, U+FEFF, soft hyphen), strips the ends,
    collapses every run of whitespace — including no-break space U+00A0, ideographic space U+3000,
    tabs and line breaks — into one ordinary space, and turns full-width letters and digits into
    ASCII (``ＡＢＣ１２３`` → ``ABC123``). Full-width CJK punctuation (``（有限公司）``, ``；``) is
    correct Chinese typography and is kept as written; code cells use the code normalisers, which
    apply full NFKC. Each kind of change is reported once. Idempotent. Numbers are turned into
    text (reported); dates and other types are errors.

    Parameters
    ----------
    v:
        The raw cell.

    Returns
    -------
    NormResult[str]
        ``value`` is ``None`` for an empty or whitespace-only cell.

    Example
    -------
    >>> r = clean_text("\\u3000ＡＢＣ１２３\\u00a0 有限公司 ")
    >>> r.value, r.rules
    ('ABC123 有限公司', ['text.strip', 'text.whitespace', 'text.fullwidth'])
    """
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    changes: list[Change] = []
    if isinstance(v, str):
        text = v
    elif isinstance(v, bool):
        return _fail("text.type", "应为文本，实际为布尔值", "expected text, got a boolean")
    elif isinstance(v, int | float | Decimal):
        if isinstance(v, float) and not math.isfinite(v):
            return _fail("text.type", f"应为文本，实际为数值 {v}", f"expected text, got {v}")
        text = _num_text(float(v)) if isinstance(v, float) else str(v)
        changes.append(
            Change(
                "text.from_number",
                f"数值 {text} 已按文本处理",
                f"the number {text} was taken as text",
            )
        )
    else:
        return _fail(
            "text.type",
            f"应为文本，实际为 {_type_name(v)}",
            f"expected text, got {_type_name(v)}",
        )
    if text == "":
        return _EMPTY
    # tab and line breaks are whitespace (collapsed below); any other control character refuses
    # the cell: PostgreSQL cannot store NUL, no .xlsx can hold most of the others
    why = control_reason(text, multiline=True)
    if why is not None:
        return _fail(
            "text.control",
            f"值「{shown(text)}」{why[0]}",
            f"the value '{shown(text)}' {why[1]}",
        )
    text, more = _clean_str(text, full=False)
    changes.extend(more)
    return NormResult(text or None, tuple(changes))


_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _upper_ascii(s: str) -> str:
    # str.upper() would also rewrite non-ASCII letters (ß → SS) and change the length
    return s.translate(_ASCII_UPPER)


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
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    changes: list[Change] = []
    if isinstance(v, bool):
        return _fail(
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
        return _fail(
            "uscc.number",
            "统一社会信用代码被存成了数值，18位数字超出表格的15位有效数字，末位可能已丢失；"
            "请将该列设为文本后重新录入",
            "the code was stored as a number: spreadsheets keep only 15 significant digits, so "
            "its last digits may be lost; format the column as text and enter it again",
        )
    elif isinstance(v, str):
        text = v
    else:
        return _fail(
            "uscc.type",
            f"应为文本代码，实际为 {_type_name(v)}",
            f"expected a text code, got {_type_name(v)}",
        )
    text, more = _clean_str(text)
    changes.extend(more)
    if not text:
        return NormResult(None, tuple(changes))
    upper = _upper_ascii(text)
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
        return _fail(
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
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    if isinstance(v, bool):
        return _fail("region.type", "行政区划代码不能是布尔值", "a region code cannot be a boolean")
    if isinstance(v, int):
        return _region_from_int(v, str(v), [])
    if isinstance(v, float | Decimal):
        x = float(v)
        if not math.isfinite(x) or not x.is_integer():
            return _fail(
                "region.not_integer",
                f"行政区划代码不能带小数：{v}",
                f"a region code cannot have decimals: {v}",
            )
        return _region_from_int(int(x), str(v), [])
    if not isinstance(v, str):
        return _fail(
            "region.type",
            f"行政区划代码应为文本或整数，实际为 {_type_name(v)}",
            f"a region code must be text or an integer, got {_type_name(v)}",
        )
    text, changes = _clean_str(v)
    if not text:
        return NormResult(None, tuple(changes))
    if _DIGITS6_RE.fullmatch(text):
        return NormResult(text, tuple(changes))
    m = _DECIMAL_TEXT_RE.fullmatch(text)
    if m and set(m.group(2)) == {"0"}:
        return _region_from_int(int(m.group(1)), text, changes)
    if m:
        return _fail(
            "region.not_integer",
            f"行政区划代码不能带小数：{text}",
            f"a region code cannot have decimals: {text}",
            changes,
        )
    return _fail(
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
    return _fail(
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
        return _fail(
            "industry.ambiguous",
            f"行业代码被存成了数值 {shown}，可能丢失了前导零（如 211 既可能是中类 211，也可能是"
            "小类 0211）；请指定该列的代码级别或将该列设为文本",
            f"the industry code was stored as the number {shown} and may have lost leading zeros "
            "(211 could be group 211 or class 0211); give the column's code level or store it as "
            "text",
            changes,
        )
    if expected == 1:
        return _fail(
            "industry.level",
            f"门类代码应为字母 A–T，实际为数值 {shown}",
            f"a section code is a letter A–T, got the number {shown}",
            changes,
        )
    if n > 4:
        return _fail(
            "industry.format",
            f"行业代码应为2–4位数字，实际为 {shown}",
            f"an industry code has 2–4 digits, got {shown}",
            changes,
        )
    if n > expected:
        return _industry_level_error(digits, n, expected, changes)
    code = digits.zfill(expected)
    if code.startswith("00"):
        return _fail(
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
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    if isinstance(v, bool):
        return _fail(
            "industry.type", "行业代码不能是布尔值", "an industry code cannot be a boolean"
        )
    if isinstance(v, int | float | Decimal):
        x = float(v) if not isinstance(v, int) else v
        if isinstance(x, float) and (not math.isfinite(x) or not x.is_integer()):
            return _fail(
                "industry.format",
                f"行业代码不能带小数：{v}",
                f"an industry code cannot have decimals: {v}",
            )
        n = int(x)
        if n < 0:
            return _fail(
                "industry.format",
                f"行业代码不能为负数：{v}",
                f"an industry code cannot be negative: {v}",
            )
        return _industry_from_number(str(n), str(v), expected_level, [])
    if not isinstance(v, str):
        return _fail(
            "industry.type",
            f"行业代码应为文本或整数，实际为 {_type_name(v)}",
            f"an industry code must be text or an integer, got {_type_name(v)}",
        )

    text, changes = _clean_str(v)
    if not text:
        return NormResult(None, tuple(changes))
    upper = _upper_ascii(text)
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
            return _fail(
                "industry.section",
                f"门类代码应为字母 A–T，实际为「{upper}」",
                f"a section code is a letter A–T, got {upper!r}",
                changes,
            )
        result = IndustryCode(upper, upper, 1)
    elif (m := _LETTER_DIGITS_RE.fullmatch(upper)) is not None:
        section, digits = m.group(1), m.group(2)
        if not 2 <= len(digits) <= 4:
            return _fail(
                "industry.format",
                f"门类字母后应为2–4位数字，实际为「{upper}」",
                f"the section letter must be followed by 2–4 digits, got {upper!r}",
                changes,
            )
        actual = industry_section_for_division(digits[:2])
        if actual != section:
            where = f"属于门类 {actual}" if actual else "不属于任何门类"
            where_en = f"belongs to section {actual}" if actual else "belongs to no section"
            return _fail(
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
            return _fail(
                "industry.format",
                f"行业代码应为2–4位数字，实际为「{upper}」",
                f"an industry code has 2–4 digits, got {upper!r}",
                changes,
            )
        if expected_level is not None and expected_level > 1 and len(upper) < expected_level:
            return _industry_from_number(upper, upper, expected_level, changes)
        if len(upper) == 1:
            return _fail(
                "industry.ambiguous",
                f"1位数字「{upper}」不是行业代码，可能丢失了前导零；请指定该列的代码级别",
                f"the single digit {upper!r} is not an industry code and may have lost a leading "
                "zero; give the column's code level",
                changes,
            )
        result = IndustryCode(upper, None, len(upper))
    else:
        return _fail(
            "industry.format",
            f"无法识别的行业代码「{upper}」（应为门类字母 A–T 或2–4位数字）",
            f"unrecognised industry code {upper!r} (expected a section letter A–T or 2–4 digits)",
            changes,
        )
    if expected_level is not None and result.level != expected_level:
        return _industry_level_error(result.code, result.level, expected_level, changes)
    return NormResult(result, tuple(changes))


# ---------------------------------------------------------------------------------------------
# Dates

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
        return _fail(
            "date.invalid",
            f"日期不存在：{shown}",
            f"no such date: {shown}",
            changes,
        )


def _finish_date(d: date, today: date, changes: list[Change]) -> NormResult[date]:
    if d > today:
        return _fail(
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
        return _fail("date.invalid", f"不是日期：{shown}", f"not a date: {shown}", changes)
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
        return _fail(
            "date.ambiguous",
            f"「{shown}」既可能是年份，也可能是 Excel 日期序列号，无法确定",
            f"{shown!r} could be a year or an Excel date serial number",
            changes,
        )
    if not 1 <= x < _EXCEL_MAX_SERIAL + 1:
        return _fail(
            "date.out_of_range",
            f"数值 {shown} 不在 Excel 日期序列号范围（1–{_EXCEL_MAX_SERIAL}）内",
            f"the number {shown} is outside the Excel date serial range (1–{_EXCEL_MAX_SERIAL})",
            changes,
        )
    serial = math.floor(x)
    if serial == 60:
        return _fail(
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
            return _fail("date.invalid", f"时间不存在：{text}", f"no such time: {text}", changes)
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
                return _fail(
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
        return _fail(
            "date.ambiguous",
            f"「{text}」使用两位数年份，无法确定世纪（或年月日顺序）",
            f"{text!r} uses a two-digit year: the century (or the field order) is ambiguous",
            changes,
        )
    if _D_DAY_MONTH_ORDER.fullmatch(text):
        return _fail(
            "date.ambiguous",
            f"「{text}」无法确定是日/月/年还是月/日/年",
            f"{text!r}: day/month/year or month/day/year cannot be told apart",
            changes,
        )
    if _D_YEAR_ONLY.fullmatch(text):
        return _fail(
            "date.precision",
            f"「{text}」只有年份，至少需要年和月",
            f"{text!r} gives only a year; at least year and month are needed",
            changes,
        )
    return _fail(
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
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    if isinstance(v, datetime):
        changes: list[Change] = []
        nanos = v.nanosecond if isinstance(v, pd.Timestamp) else 0
        if v.hour or v.minute or v.second or v.microsecond or nanos:
            changes.append(_time_dropped(str(v)))
        return _finish_date(v.date(), today, changes)
    if isinstance(v, date):
        return _finish_date(v, today, [])
    if isinstance(v, bool):
        return _fail("date.type", "日期不能是布尔值", "a date cannot be a boolean")
    if isinstance(v, int | float | Decimal):
        return _date_from_number(float(v), str(v), today, [])
    if not isinstance(v, str):
        return _fail(
            "date.type",
            f"日期应为日期、文本或数值，实际为 {_type_name(v)}",
            f"a date must be a date, text or a number, got {_type_name(v)}",
        )
    text, changes = _clean_str(v)
    if not text:
        return NormResult(None, tuple(changes))
    return _date_from_text(text, today, changes)


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
    t, _ = _clean_str(text)
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
    h, _ = _clean_str(header)
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


def _unit_ratio(src: str, dst: str) -> tuple[int, bool]:
    """(integer ratio, multiply?) so that conversion is a single exact operation."""
    fs, fd = _UNITS[src][1], _UNITS[dst][1]
    return (fs // fd, True) if fs >= fd else (fd // fs, False)


def _convert(x: float, src: str, dst: str) -> float:
    ratio, multiply = _unit_ratio(src, dst)
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


def _check_units(unit_from_header: str | None, target_unit: str) -> tuple[str | None, str]:
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
    return _fail(
        "amount.invalid",
        f"数值超出浮点数范围：{shown}",
        f"number out of the floating-point range: {shown}",
    )


def _conversion_change(x: float, src: str, y: float, dst: str, rule: str = "amount") -> Change:
    return Change(
        f"{rule}.unit_conversion",
        f"单位换算：{_num_text(x)} {src} → {_num_text(y)} {dst}",
        f"unit conversion: {_num_text(x)} {src} → {_num_text(y)} {dst}",
    )


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
    header, target = _check_units(unit_from_header, target_unit)
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    if isinstance(v, bool):
        return _fail("amount.type", "金额不能是布尔值", "an amount cannot be a boolean")
    if isinstance(v, int | float | Decimal):
        x = float(v)
        if not math.isfinite(x):
            return _fail("amount.invalid", f"不是有效数值：{v}", f"not a finite number: {v}")
        src = header or target
        y = _convert(x, src, target)
        if not math.isfinite(y):
            return _overflow(v)
        return NormResult(y, (_conversion_change(x, src, y, target),) if src != target else ())
    if not isinstance(v, str):
        return _fail(
            "amount.type",
            f"金额应为数值或文本，实际为 {_type_name(v)}",
            f"an amount must be a number or text, got {_type_name(v)}",
        )
    text, changes = _clean_str(v)
    if not text:
        return NormResult(None, tuple(changes))
    if text.casefold() in _PLACEHOLDERS:
        changes.append(
            Change(
                "amount.placeholder",
                f"占位符「{text}」按空值处理",
                f"placeholder {text!r} taken as empty",
            )
        )
        return NormResult(None, tuple(changes))
    parsed = _parse_number(text, "amount")
    if isinstance(parsed, Change):
        return NormResult(None, tuple(changes), parsed)
    changes.extend(parsed.changes)
    cell_unit: str | None = None
    if parsed.rest:
        cell_unit = canonical_unit(parsed.rest)
        if cell_unit is None:
            if _APPROX_RE.search(parsed.rest):
                return NormResult(None, tuple(changes), _approx_change(text, "amount"))
            return _fail(
                "amount.unit",
                f"无法识别的单位「{parsed.rest}」",
                f"unrecognised unit {parsed.rest!r}",
                changes,
            )
        if header is not None and cell_unit != header:
            return _fail(
                "amount.unit_conflict",
                f"单元格中的单位「{parsed.rest}」与列标题中的单位「{header}」不一致",
                f"the unit in the cell ({parsed.rest!r}) differs from the header's unit "
                f"({header!r})",
                changes,
            )
        if _UNITS[cell_unit][0] != _UNITS[target][0]:
            return _fail(
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
    v: str, rule: str, currency_zh: str, currency_en: str
) -> NormResult[Any] | tuple[_ParsedNumber, list[Change], str]:
    """The text path shared by :func:`norm_float` and :func:`norm_int`: clean the text, map
    placeholders to ``None``, parse the number and refuse currency. Returns either the final
    :class:`NormResult` (empty, placeholder or error) or ``(parsed, changes, text)``;
    ``currency_zh`` / ``currency_en`` are formatted with ``text``."""
    text, changes = _clean_str(v)
    if not text:
        return NormResult(None, tuple(changes))
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
    if parsed.currency:
        return _fail(
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
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    if isinstance(v, bool):
        return _fail("float.type", "数值不能是布尔值", "a number cannot be a boolean")
    if isinstance(v, int | float | Decimal):
        x = float(v)
        if not math.isfinite(x):
            return _fail("float.invalid", f"不是有效数值：{v}", f"not a finite number: {v}")
        return NormResult(x)
    if not isinstance(v, str):
        return _fail(
            "float.type",
            f"应为数值或文本，实际为 {_type_name(v)}",
            f"expected a number or text, got {_type_name(v)}",
        )
    got = _parse_cell_number(
        v,
        "float",
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
            return _fail(
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
_FLOAT_EXACT_LIMIT: Final = 2**53


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
    v = _py(v)
    if _is_missing(v):
        return _EMPTY
    if isinstance(v, bool):
        return _fail("int.type", "整数不能是布尔值", "an integer cannot be a boolean")
    if isinstance(v, int):
        return _int_in_range(v, str(v), [])
    if isinstance(v, float | Decimal):
        x = float(v)
        if not math.isfinite(x) or not x.is_integer():
            return _fail(
                "int.not_integer", f"应为整数，实际为 {v}", f"expected an integer, got {v}"
            )
        if abs(x) > _FLOAT_EXACT_LIMIT:
            return _fail(
                "int.precision",
                f"数值 {v} 超出浮点数可精确表示的范围，个位可能已失真",
                f"{v} is beyond the exact range of a float; its last digits may be wrong",
            )
        return _int_in_range(int(x), str(v), [])
    if not isinstance(v, str):
        return _fail(
            "int.type",
            f"应为整数，实际为 {_type_name(v)}",
            f"expected an integer, got {_type_name(v)}",
        )
    got = _parse_cell_number(
        v, "int", "应为整数，实际为「{text}」", "expected an integer, got {text!r}"
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
            return _fail(
                "int.format",
                f"应为整数，实际为「{text}」（多余的文字或单位「{parsed.rest}」）",
                f"expected an integer, got {text!r} (unexpected text or unit {parsed.rest!r})",
                changes,
            )
    try:
        d = Decimal(parsed.mantissa + parsed.exponent)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return _fail(
            "int.format",
            f"应为整数，实际为「{text}」",
            f"expected an integer, got {text!r}",
            changes,
        )
    if d != d.to_integral_value():
        return _fail(
            "int.not_integer",
            f"应为整数，实际为「{text}」",
            f"expected an integer, got {text!r}",
            changes,
        )
    n = int(d)
    return _int_in_range(-n if parsed.negative else n, text, changes)


def _int_in_range(n: int, shown: str, changes: list[Change]) -> NormResult[int]:
    if not -_INT64_LIMIT <= n < _INT64_LIMIT:
        return _fail(
            "int.range",
            f"整数 {shown} 超出 64 位整数范围",
            f"the integer {shown} does not fit in 64 bits",
            changes,
        )
    return NormResult(n, tuple(changes))


# ---------------------------------------------------------------------------------------------
# Vectorised fast paths


@dataclass(eq=False)
class SeriesResult:
    """A normalised column.

    Attributes
    ----------
    raw:
        The input column.
    values:
        Normalised values, same index; missing for empty cells and errors. dtype: ``str`` for text
        and codes, ``float64`` for amounts, ``Int64`` for integers, Arrow ``date32`` for dates
        (elements are :class:`datetime.date`).
    changed:
        Boolean array: the cell was rewritten (it has at least one reported change).
    error:
        Boolean array: the cell was refused.
    aux:
        Extra output columns, e.g. ``{"section": ...}`` for industry codes.
    """

    raw: pd.Series
    values: pd.Series
    changed: np.ndarray
    error: np.ndarray
    aux: dict[str, pd.Series]
    _normaliser: Callable[[object], NormResult[Any]] = field(repr=False)
    _slow_index: np.ndarray = field(repr=False)
    _slow_results: list[NormResult[Any]] = field(repr=False)

    def result_at(self, position: int) -> NormResult[Any]:
        """The full :class:`NormResult` of the cell at ``position`` (0-based, not the index label).

        Parameters
        ----------
        position:
            Position in the column.

        Returns
        -------
        NormResult
            Exactly what the scalar normaliser returns for that cell.

        Example
        -------
        >>> fast_clean_series(pd.Series(["a", "ａ"]), "text").result_at(1).rules
        ['text.fullwidth']
        """
        k = int(self._slow_index[position])
        if k >= 0:
            return self._slow_results[k]
        return self._normaliser(self.raw.iloc[position])

    def iter_problems(
        self,
        column: str | None,
        row_numbers: Sequence[int] | np.ndarray | None = None,
        first_row: int = 2,
    ) -> Iterator[Problem]:
        """Problems of every changed or refused cell, in column order.

        Parameters
        ----------
        column:
            Column header for the problems.
        row_numbers:
            Spreadsheet row number of each cell; by default ``position + first_row``.
        first_row:
            Row number of the first cell when ``row_numbers`` is not given (2 = below one header
            row).

        Returns
        -------
        Iterator[Problem]

        Example
        -------
        >>> r = fast_clean_series(pd.Series(["320214", "32O214"]), "region")
        >>> [(p.row, p.rule) for p in r.iter_problems("区划代码")]
        [(3, 'region.format')]
        """
        for pos in np.flatnonzero(self.changed | self.error):
            row = int(row_numbers[pos]) if row_numbers is not None else int(pos) + first_row
            yield from self.result_at(int(pos)).to_problems(row, column, self.raw.iloc[pos])


@dataclass(slots=True)
class _Fast:
    """Vectorised part of a column: which cells it handled and their values."""

    mask: np.ndarray
    values: np.ndarray | None = None  # sink-typed, full length, meaningful under mask
    changed: np.ndarray | None = None
    aux: dict[str, np.ndarray] = field(default_factory=dict)


def _str_view(s: pd.Series, null: np.ndarray) -> tuple[pd.Series | None, np.ndarray]:
    """The column as ``str`` dtype (non-string cells missing) and the mask of ``str`` cells."""
    n = len(s)
    if isinstance(s.dtype, pd.StringDtype):
        return s, ~null
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_string(s.dtype.pyarrow_dtype):
        return s.astype("str"), ~null
    if s.dtype != object:
        return None, np.zeros(n, dtype=bool)
    values = s.to_numpy(dtype=object)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return s.astype("str"), ~null
    if kind == "empty":
        return None, np.zeros(n, dtype=bool)
    is_str = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=n)
    if not is_str.any():
        return None, is_str
    return pd.Series(np.where(is_str, values, None), index=s.index, dtype="str"), is_str


def _arrow(view: pd.Series) -> pa.Array:
    arr = pa.array(view.array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _fullmatch(view: pd.Series, is_str: np.ndarray, pattern: str) -> np.ndarray:
    # RE2 directly, so the semantics never depend on which engine pandas picks ($ in Python's re
    # also matches before a final newline)
    hit = pc.match_substring_regex(_arrow(view), f"^(?:{pattern})$")
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool) & is_str


def _regex_fast(pattern: str) -> Callable[[pd.Series, np.ndarray], _Fast]:
    """Fast path for str kinds whose canonical cells are returned unchanged."""

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        view, is_str = _str_view(s, null)
        if view is None:
            return _Fast(np.zeros(len(s), dtype=bool))
        return _Fast(_fullmatch(view, is_str, pattern))

    return fast


def _text_fast(s: pd.Series, null: np.ndarray) -> _Fast:
    view, is_str = _str_view(s, null)
    if view is None:
        return _Fast(np.zeros(len(s), dtype=bool))
    # literal characters in the class: RE2 (Arrow) reads the pattern as Python's re does
    mask = _fullmatch(view, is_str, _CANONICAL_TEXT_RE.pattern)
    if mask.any():
        arr = _arrow(view)
        has_fw = pc.match_substring_regex(arr, _FW_ALNUM_RE.pattern)
        mask &= ~pc.fill_null(has_fw, True).to_numpy(zero_copy_only=False).astype(bool)
    return _Fast(mask)


def _numeric_kind(s: pd.Series) -> str | None:
    """'int' / 'float' for numeric columns (not bool), else None."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return None
    if pd.api.types.is_signed_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    return None


def _float_values(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _decimal_fast(
    ratio: int = 1, multiply: bool = True
) -> Callable[[pd.Series, np.ndarray], _Fast]:
    """Numbers and plain/comma-grouped decimal text, times an exact unit ratio."""
    converts = ratio != 1

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        n = len(s)
        if _numeric_kind(s) is not None:
            x = _float_values(s)
            mask = np.isfinite(x) & ~null
            changed = np.full(n, converts)
        else:
            view, is_str = _str_view(s, null)
            if view is None:
                return _Fast(np.zeros(n, dtype=bool))
            plain = _fullmatch(view, is_str, r"-?[0-9]+(?:\.[0-9]+)?")
            commas = _fullmatch(view, is_str, r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
            mask = plain | commas
            x = np.full(n, np.nan)
            # Arrow's string→double is correctly rounded, like Python's float()
            if plain.any():
                x[plain] = pc.cast(_arrow(view[plain]), pa.float64()).to_numpy(zero_copy_only=False)
            if commas.any():
                bare = pc.replace_substring(_arrow(view[commas]), ",", "")
                x[commas] = pc.cast(bare, pa.float64()).to_numpy(zero_copy_only=False)
            changed = commas | converts
        if converts:
            with np.errstate(over="ignore"):
                x = x * ratio if multiply else x / ratio
        # overflow to inf (a conversion, or a 400-digit string): the scalar path reports that cell
        return _Fast(mask & np.isfinite(x), x, changed)

    return fast


def _amount_fast(header: str | None, target: str) -> Callable[[pd.Series, np.ndarray], _Fast]:
    return _decimal_fast(*_unit_ratio(header or target, target))


def _int_fast(s: pd.Series, null: np.ndarray) -> _Fast:
    n = len(s)
    kind = _numeric_kind(s)
    if kind == "int":
        return _Fast(~null, s.to_numpy(dtype=np.int64, na_value=0))
    if kind == "float":
        x = _float_values(s)
        with np.errstate(invalid="ignore"):
            mask = np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) <= _FLOAT_EXACT_LIMIT)
        return _Fast(mask, np.where(mask, x, 0).astype(np.int64))
    view, is_str = _str_view(s, null)
    if view is None:
        return _Fast(np.zeros(n, dtype=bool))
    plain = _fullmatch(view, is_str, r"-?[0-9]{1,18}")
    commas = _fullmatch(view, is_str, r"-?[0-9]{1,3}(?:,[0-9]{3}){1,5}")
    out = np.zeros(n, dtype=np.int64)
    if plain.any():
        out[plain] = pc.cast(_arrow(view[plain]), pa.int64()).to_numpy(zero_copy_only=False)
    if commas.any():
        bare = pc.replace_substring(_arrow(view[commas]), ",", "")
        out[commas] = pc.cast(bare, pa.int64()).to_numpy(zero_copy_only=False)
    return _Fast(plain | commas, out, commas)


def _uscc_fast(s: pd.Series, null: np.ndarray) -> _Fast:
    view, is_str = _str_view(s, null)
    n = len(s)
    if view is None:
        return _Fast(np.zeros(n, dtype=bool))
    mask = _fullmatch(view, is_str, "[0-9A-Za-z]+")
    if not mask.any():
        return _Fast(mask)
    # lower-case letters are the one common rewrite worth vectorising (ASCII only here)
    lower = mask & ~_fullmatch(view, is_str, "[0-9A-Z]+")
    values = view.to_numpy(dtype=object, na_value=None)
    if lower.any():
        values[lower] = pc.ascii_upper(_arrow(view[lower])).to_numpy(zero_copy_only=False)
    return _Fast(mask, values, lower)


_EPOCH: Final = date(1970, 1, 1)
_FIRST_DAY: Final = np.datetime64("0001-01-01", "D")


def _date_fast(today: date) -> Callable[[pd.Series, np.ndarray], _Fast]:
    today_day = np.datetime64(today, "D")

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        n = len(s)
        if pd.api.types.is_datetime64_dtype(s.dtype):  # naive only; tz-aware goes the slow way
            ts = s.to_numpy()  # keep the column's own unit: ns would overflow after 2262
            day = ts.astype("datetime64[D]")
            with np.errstate(invalid="ignore"):
                mask = ~null & (day == ts) & (day >= _FIRST_DAY) & (day <= today_day)
            return _Fast(mask, day.astype(np.int64))
        view, is_str = _str_view(s, null)
        if view is None:
            return _Fast(np.zeros(n, dtype=bool))
        mask = _fullmatch(view, is_str, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        days = np.zeros(n, dtype=np.int64)
        if mask.any():
            parsed = pd.to_datetime(view[mask], format="%Y-%m-%d", errors="coerce")
            d = parsed.to_numpy(dtype="datetime64[D]")
            # numpy knows year 0 and negative years, datetime.date does not
            ok = ~np.isnat(d) & (d >= _FIRST_DAY) & (d <= today_day)
            sub = np.flatnonzero(mask)
            mask[sub[~ok]] = False
            days[sub[ok]] = d[ok].astype(np.int64)
        return _Fast(mask, days)

    return fast


def _industry_fast(expected_level: int | None) -> Callable[[pd.Series, np.ndarray], _Fast]:
    digits = "[0-9]{2,4}" if expected_level is None else f"[0-9]{{{expected_level}}}"
    letters = "[A-T]"
    pattern = (
        letters
        if expected_level == 1
        else digits
        if expected_level is not None
        else f"{digits}|{letters}"
    )

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        view, is_str = _str_view(s, null)
        if view is None:
            return _Fast(np.zeros(len(s), dtype=bool))
        mask = _fullmatch(view, is_str, pattern)
        # a one-letter canonical cell is a section: its section is itself
        is_letter = mask & (view.str.len().fillna(0).to_numpy(dtype=np.int64) == 1)
        section = np.where(is_letter, view.to_numpy(dtype=object, na_value=None), None)
        return _Fast(mask, aux={"section": section})

    return fast


def _factorize_by_type(values: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Group cells by Python type, then by value: (cell positions, codes, uniques) per type.

    Types are separated first because 1 == 1.0 == True would otherwise share a result.
    """
    # -0.0 == 0.0 too, yet a message quotes the cell as written: keep the signed zero apart.
    types = np.array(
        [
            type(v).__name__
            + ("-0" if isinstance(v, float) and v == 0.0 and math.copysign(1.0, v) < 0 else "")
            for v in values
        ],
        dtype=object,
    )
    groups = []
    for t in pd.unique(types):
        pos = np.flatnonzero(types == t)
        try:
            codes, uniques = pd.factorize(values[pos], use_na_sentinel=False)
        except TypeError:  # unhashable cells: one group each
            codes, uniques = np.arange(len(pos)), values[pos]
        groups.append((pos, np.asarray(codes), np.asarray(uniques, dtype=object)))
    return groups


def _normalise_series(
    s: pd.Series,
    normaliser: Callable[[object], NormResult[Any]],
    fast_fn: Callable[[pd.Series, np.ndarray], _Fast],
    sink: str,
) -> SeriesResult:
    n = len(s)
    null = np.asarray(s.isna(), dtype=bool)
    fast = fast_fn(s, null)
    fast.mask &= ~null
    slow_pos = np.flatnonzero(~null & ~fast.mask)
    slow_index = np.full(n, -1, dtype=np.int64)
    results: list[NormResult[Any]] = []
    if len(slow_pos):
        slow_values = s.iloc[slow_pos].to_numpy(dtype=object)
        for pos, codes, uniques in _factorize_by_type(slow_values):
            slow_index[slow_pos[pos]] = codes + len(results)
            results.extend(normaliser(u) for u in uniques)

    changed = np.zeros(n, dtype=bool)
    error = np.zeros(n, dtype=bool)
    if fast.changed is not None:
        changed[fast.mask] = fast.changed[fast.mask]
    slow_cells = slow_index >= 0
    if results:
        idx = slow_index[slow_cells]
        changed[slow_cells] = np.array([r.changed for r in results], dtype=bool)[idx]
        error[slow_cells] = np.array([not r.ok for r in results], dtype=bool)[idx]

    values, aux = _assemble(s, sink, fast, slow_cells, slow_index, results)
    return SeriesResult(s, values, changed, error, aux, normaliser, slow_index, results)


def _assemble(
    s: pd.Series,
    sink: str,
    fast: _Fast,
    slow_cells: np.ndarray,
    slow_index: np.ndarray,
    results: list[NormResult[Any]],
) -> tuple[pd.Series, dict[str, pd.Series]]:
    n = len(s)
    idx = slow_index[slow_cells]
    aux: dict[str, pd.Series] = {}
    if sink in ("str", "industry"):
        if not slow_cells.any() and fast.values is None and isinstance(s.dtype, pd.StringDtype):
            values = s.where(fast.mask).astype("str")  # canonical cells are returned unchanged
        else:
            out = np.full(n, None, dtype=object)
            if fast.mask.any():
                src = fast.values if fast.values is not None else s.to_numpy(dtype=object)
                out[fast.mask] = src[fast.mask]
            if results:
                vals = [r.value for r in results]
                if sink == "industry":
                    vals = [v.code if v is not None else None for v in vals]
                out[slow_cells] = np.array(vals, dtype=object)[idx]
            values = pd.Series(out, index=s.index, dtype="str")
        if sink == "industry":
            sec = np.full(n, None, dtype=object)
            if "section" in fast.aux:
                sec[fast.mask] = fast.aux["section"][fast.mask]
            if results:
                secs = [r.value.section if r.value is not None else None for r in results]
                sec[slow_cells] = np.array(secs, dtype=object)[idx]
            aux["section"] = pd.Series(sec, index=s.index, dtype="str")
        return values, aux
    if sink == "float":
        out_f = np.full(n, np.nan)
        if fast.values is not None:
            out_f[fast.mask] = fast.values[fast.mask]
        if results:
            uf = np.array([np.nan if r.value is None else r.value for r in results], dtype=float)
            out_f[slow_cells] = uf[idx]
        return pd.Series(out_f, index=s.index, dtype="float64"), aux
    if sink in ("int", "date"):
        data = np.zeros(n, dtype=np.int64)
        missing = np.ones(n, dtype=bool)
        if fast.values is not None:
            data[fast.mask] = fast.values[fast.mask]
            missing[fast.mask] = False
        if results:
            conv = (lambda d: (d - _EPOCH).days) if sink == "date" else (lambda i: i)
            ui = np.array(
                [0 if r.value is None else conv(r.value) for r in results], dtype=np.int64
            )
            um = np.array([r.value is None for r in results], dtype=bool)
            data[slow_cells] = ui[idx]
            missing[slow_cells] = um[idx]
        if sink == "int":
            return pd.Series(pd.arrays.IntegerArray(data, missing), index=s.index), aux
        arr = pa.array(data.astype(np.int32), mask=missing).cast(pa.date32())
        return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=s.index), aux
    raise AssertionError(sink)  # pragma: no cover


def fast_clean_text(s: pd.Series) -> SeriesResult:
    """:func:`clean_text` over a column; canonical cells are recognised without Python loops.

    Parameters
    ----------
    s:
        The raw column (any dtype).

    Returns
    -------
    SeriesResult
        ``values`` has ``str`` dtype.

    Example
    -------
    >>> fast_clean_text(pd.Series(["甲公司", "乙\\u3000公司"])).values.tolist()
    ['甲公司', '乙 公司']
    """
    return _normalise_series(s, clean_text, _text_fast, "str")


def fast_norm_uscc(s: pd.Series) -> SeriesResult:
    """:func:`norm_uscc` over a column (canonical: upper-case ASCII letters and digits only).

    Parameters
    ----------
    s:
        The raw column.

    Returns
    -------
    SeriesResult
        ``values`` has ``str`` dtype; validate them with
        :func:`jiqun.standard.codes.uscc_format_ok` and :func:`~jiqun.standard.codes.uscc_checksum_ok`.

    Example
    -------
    >>> r = fast_norm_uscc(pd.Series(["91370000728611939A", "91370000728611939a"]))
    >>> r.values.tolist(), r.changed.tolist()
    (['91370000728611939A', '91370000728611939A'], [False, True])
    """
    return _normalise_series(s, norm_uscc, _uscc_fast, "str")


def fast_norm_region_code(s: pd.Series) -> SeriesResult:
    """:func:`norm_region_code` over a column (canonical: six ASCII digits as text).

    Parameters
    ----------
    s:
        The raw column.

    Returns
    -------
    SeriesResult
        ``values`` has ``str`` dtype.

    Example
    -------
    >>> fast_norm_region_code(pd.Series([320214.0, None])).values.tolist()
    ['320214', nan]
    """
    return _normalise_series(s, norm_region_code, _regex_fast("[0-9]{6}"), "str")


def fast_norm_industry_code(s: pd.Series, expected_level: int | None = None) -> SeriesResult:
    """:func:`norm_industry_code` over a column.

    Parameters
    ----------
    s:
        The raw column.
    expected_level:
        As in :func:`norm_industry_code`.

    Returns
    -------
    SeriesResult
        ``values`` holds the codes (``str``); ``aux["section"]`` the section letters written in the
        cells.

    Example
    -------
    >>> r = fast_norm_industry_code(pd.Series(["3973", "C3973", 211]), expected_level=4)
    >>> r.values.tolist(), r.aux["section"].tolist()
    (['3973', '3973', '0211'], [nan, 'C', nan])
    """
    if expected_level not in (None, 1, 2, 3, 4):
        raise ValueError(f"expected_level must be None or 1–4, got {expected_level!r}")

    def normaliser(v: object) -> NormResult[IndustryCode]:
        return norm_industry_code(v, expected_level)

    return _normalise_series(s, normaliser, _industry_fast(expected_level), "industry")


def fast_norm_amount(
    s: pd.Series, unit_from_header: str | None = None, target_unit: str = "万元"
) -> SeriesResult:
    """:func:`norm_amount` over a column (canonical: numbers, or plain decimal text).

    Parameters
    ----------
    s:
        The raw column.
    unit_from_header, target_unit:
        As in :func:`norm_amount`.

    Returns
    -------
    SeriesResult
        ``values`` has ``float64`` dtype.

    Example
    -------
    >>> fast_norm_amount(pd.Series(["12.5", "3亿元", "—"])).values.tolist()
    [12.5, 30000.0, nan]
    """
    header, target = _check_units(unit_from_header, target_unit)

    def normaliser(v: object) -> NormResult[float]:
        return norm_amount(v, header, target)

    return _normalise_series(s, normaliser, _amount_fast(header, target), "float")


def fast_norm_float(s: pd.Series, unit: str | None = None) -> SeriesResult:
    """:func:`norm_float` over a column (canonical: numbers, or plain decimal text).

    Parameters
    ----------
    s:
        The raw column.
    unit:
        As in :func:`norm_float`.

    Returns
    -------
    SeriesResult
        ``values`` has ``float64`` dtype.

    Example
    -------
    >>> fast_norm_float(pd.Series(["1.5", "2,000", "—"])).values.tolist()
    [1.5, 2000.0, nan]
    """
    if unit is not None and canonical_unit(unit) is None:
        raise ValueError(f"unknown unit {unit!r}")

    def normaliser(v: object) -> NormResult[float]:
        return norm_float(v, unit)

    return _normalise_series(s, normaliser, _decimal_fast(), "float")


def fast_norm_int(s: pd.Series, unit: str | None = None) -> SeriesResult:
    """:func:`norm_int` over a column (canonical: integer or integral float dtype, digit text).

    Parameters
    ----------
    s:
        The raw column.
    unit:
        As in :func:`norm_int`.

    Returns
    -------
    SeriesResult
        ``values`` has nullable ``Int64`` dtype.

    Example
    -------
    >>> fast_norm_int(pd.Series(["1,200", "35", None])).values.tolist()
    [1200, 35, <NA>]
    """
    if unit is not None and canonical_unit(unit) is None:
        raise ValueError(f"unknown unit {unit!r}")

    def normaliser(v: object) -> NormResult[int]:
        return norm_int(v, unit)

    return _normalise_series(s, normaliser, _int_fast, "int")


def fast_norm_date(s: pd.Series, today: date | None = None) -> SeriesResult:
    """:func:`norm_date` over a column; ISO ``YYYY-MM-DD`` text and naive ``datetime64`` columns are
    parsed by pandas in one pass, other notations once per distinct value.

    Parameters
    ----------
    s:
        The raw column.
    today:
        As in :func:`norm_date` (fixed once for the whole column).

    Returns
    -------
    SeriesResult
        ``values`` has Arrow ``date32`` dtype (elements are :class:`datetime.date`).

    Example
    -------
    >>> fast_norm_date(pd.Series(["2015-06-08", "2015年6月"])).values.tolist()
    [datetime.date(2015, 6, 8), datetime.date(2015, 6, 1)]
    """
    today = today or date.today()

    def normaliser(v: object) -> NormResult[date]:
        return norm_date(v, today)

    return _normalise_series(s, normaliser, _date_fast(today), "date")


_FAST: Final[dict[str, Callable[..., SeriesResult]]] = {
    "text": fast_clean_text,
    "uscc": fast_norm_uscc,
    "region": fast_norm_region_code,
    "industry": fast_norm_industry_code,
    "amount": fast_norm_amount,
    "float": fast_norm_float,
    "int": fast_norm_int,
    "date": fast_norm_date,
}


def fast_clean_series(s: pd.Series, kind: str = "text", **options: Any) -> SeriesResult:
    """Normalise a whole column with the fast path for its kind.

    Parameters
    ----------
    s:
        The raw column.
    kind:
        ``text``, ``uscc``, ``region``, ``industry``, ``amount``, ``float``, ``int`` or ``date``.
    **options:
        Passed on: ``expected_level`` (industry), ``unit_from_header``/``target_unit`` (amount),
        ``unit`` (float, int), ``today`` (date).

    Returns
    -------
    SeriesResult
        ``values``, ``changed`` and ``error`` are the same as applying the scalar normaliser to
        every cell.

    Raises
    ------
    ValueError
        For an unknown ``kind``.

    Example
    -------
    >>> r = fast_clean_series(pd.Series(["320214", "３２０２１４", "3202"]), "region")
    >>> r.values.tolist(), r.changed.tolist(), r.error.tolist()
    (['320214', '320214', nan], [False, True, False], [False, False, True])
    """
    try:
        fn = _FAST[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(_FAST)}") from None
    return fn(s, **options)
