"""Free text: whitespace, invisible and full-width characters, control characters.

:func:`clean_text` normalises one free-text cell; :func:`clean_str` is the cleaning step the code,
date and number normalisers of :mod:`jiqun.standard.normalize` start from.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, Final

from jiqun.standard.normalize.result import (
    EMPTY,
    Change,
    NormResult,
    fail,
    is_missing,
    num_text,
    py,
    type_name,
)
from jiqun.standard.text import control_reason, shown

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
CANONICAL_TEXT_RE: Final = re.compile(
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
FW_ALNUM_RE: Final = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _to_standard(s: str, full: bool) -> str:
    return unicodedata.normalize("NFKC", s) if full else s.translate(_FW_ALNUM)


def clean_str(s: str, full: bool = True) -> tuple[str, list[Change]]:
    """Clean one string; ``full`` applies NFKC (codes, numbers), else only full-width A–Z/0–9."""
    # most cells are already clean: one regex and one normalisation test instead of the full loop
    if CANONICAL_TEXT_RE.fullmatch(s) and (
        unicodedata.is_normalized("NFKC", s) if full else not FW_ALNUM_RE.search(s)
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


def text_cell(v: object, rule: str, zh: str, en: str) -> NormResult[Any] | tuple[str, list[Change]]:
    """The text path the code, date and number normalisers share: refuse a cell that is not text,
    clean it with :func:`clean_str` and take blank text as empty.

    Parameters
    ----------
    v:
        The cell, after the normaliser has handled its own non-text types.
    rule:
        The rule reported for a cell of another type.
    zh, en:
        The message for that rule; ``{type}`` is replaced by the cell's type name.

    Returns
    -------
    NormResult or tuple
        The final result (a type error, or empty with the cleaning changes), or
        ``(text, changes)`` to go on with.

    Example
    -------
    >>> text_cell(" 12 ", "x.type", "应为文本，实际为 {type}", "expected text, got {type}")[0]
    '12'
    >>> text_cell(1j, "x.type", "应为文本，实际为 {type}", "expected text, got {type}").rules
    ['x.type']
    """
    if not isinstance(v, str):
        return fail(rule, zh.format(type=type_name(v)), en.format(type=type_name(v)))
    text, changes = clean_str(v)
    if not text:
        return NormResult(None, tuple(changes))
    return text, changes


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
    v = py(v)
    if is_missing(v):
        return EMPTY
    changes: list[Change] = []
    if isinstance(v, str):
        text = v
    elif isinstance(v, bool):
        return fail("text.type", "应为文本，实际为布尔值", "expected text, got a boolean")
    elif isinstance(v, int | float | Decimal):
        if isinstance(v, float) and not math.isfinite(v):
            return fail("text.type", f"应为文本，实际为数值 {v}", f"expected text, got {v}")
        text = num_text(float(v)) if isinstance(v, float) else str(v)
        changes.append(
            Change(
                "text.from_number",
                f"数值 {text} 已按文本处理",
                f"the number {text} was taken as text",
            )
        )
    else:
        return fail(
            "text.type",
            f"应为文本，实际为 {type_name(v)}",
            f"expected text, got {type_name(v)}",
        )
    if text == "":
        return EMPTY
    # tab and line breaks are whitespace (collapsed below); any other control character refuses
    # the cell: PostgreSQL cannot store NUL, no .xlsx can hold most of the others
    why = control_reason(text, multiline=True)
    if why is not None:
        return fail(
            "text.control",
            f"值「{shown(text)}」{why[0]}",
            f"the value '{shown(text)}' {why[1]}",
        )
    text, more = clean_str(text, full=False)
    changes.extend(more)
    return NormResult(text or None, tuple(changes))


_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def upper_ascii(s: str) -> str:
    # str.upper() would also rewrite non-ASCII letters (ß → SS) and change the length
    return s.translate(_ASCII_UPPER)
