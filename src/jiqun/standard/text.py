"""Text that may be stored: no control characters, bounded length.

One rule for every way text enters the platform — imports (:func:`jiqun.standard.normalize
.clean_text`), the REST API and web forms (:mod:`jiqun.web.inputs`) and the services that store
text (:func:`check_text`):

* C0 control characters U+0000–U+001F and DEL U+007F are refused. PostgreSQL cannot store
  U+0000, XML 1.0 (and so every .xlsx writer) cannot hold most of the others, and no legitimate
  value of the data standard contains one. Tab, line feed and carriage return are accepted only
  in fields that allow several lines (free text such as a grant's purpose); in an import they
  are whitespace and are collapsed into one space, as a reported normalisation.
* A text is at most its field's length limit (the limits of the data standard are in
  :mod:`jiqun.standard.schema`, documented in ``docs/data-standard.md``).

Every refusal names the field, the value (control characters escaped as ``\\xNN``, long values
shortened) and the reason, in Chinese and English.

Example
-------
>>> control_reason("甲\\x00乙")[1]
'contains the control character U+0000 (NUL) at position 2'
>>> escape_controls("a\\x00b")
'a\\\\x00b'
"""

from __future__ import annotations

import re
from typing import Final

from jiqun.standard.problems import JiqunError

#: Control characters refused in every field.
CONTROL_RE: Final = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]")
#: Control characters refused in single-line fields (adds tab, line feed, carriage return).
LINE_CONTROL_RE: Final = re.compile("[\\x00-\\x1f\\x7f]")
#: Every C0 control character and DEL (what :func:`escape_controls` makes visible).
ANY_CONTROL_RE: Final = LINE_CONTROL_RE

_NAMES: Final = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "TAB",
    0x0A: "LF",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
}
_SHOWN: Final = 60


def escape_controls(s: str) -> str:
    """``s`` with every C0 control character and DEL written as a visible ``\\xNN`` escape.

    For showing a refused value, and for the audit log, which records what was sent without
    being able to hold it raw.

    Parameters
    ----------
    s:
        Any text.

    Returns
    -------
    str

    Example
    -------
    >>> escape_controls("x\\ty\\x7f")
    'x\\\\x09y\\\\x7f'
    """
    return ANY_CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def shown(value: str, n: int = _SHOWN) -> str:
    """The value as a message shows it: controls escaped, at most ``n`` characters (then …).

    Example
    -------
    >>> shown("a" * 70, 5)
    'aaaaa…（共 70 字符 / 70 characters）'
    """
    head = escape_controls(value[:n])
    return head if len(value) <= n else f"{head}…（共 {len(value)} 字符 / {len(value)} characters）"


def _char_name(c: str) -> str:
    code = ord(c)
    name = _NAMES.get(code)
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def control_reason(value: str, multiline: bool = False) -> tuple[str, str] | None:
    """Why ``value`` may not be stored because of control characters, or ``None``.

    Parameters
    ----------
    value:
        The text.
    multiline:
        Whether the field allows several lines (tab, LF and CR accepted).

    Returns
    -------
    tuple[str, str] | None
        The reason in Chinese and in English, naming the first control character and its
        1-based position (and how many there are).

    Example
    -------
    >>> control_reason("a\\nb") is not None, control_reason("a\\nb", multiline=True)
    (True, None)
    """
    rx = CONTROL_RE if multiline else LINE_CONTROL_RE
    m = rx.search(value)
    if m is None:
        return None
    n = len(rx.findall(value))
    what = _char_name(m.group())
    more_zh = f"（共 {n} 个）" if n > 1 else ""
    more_en = f" ({n} in all)" if n > 1 else ""
    return (
        f"含有控制字符 {what}（第 {m.start() + 1} 个字符）{more_zh}，不能保存",
        f"contains the control character {what} at position {m.start() + 1}{more_en}",
    )


def length_reason(value: str, max_length: int | None) -> tuple[str, str] | None:
    """Why ``value`` is too long for its field, or ``None``.

    Example
    -------
    >>> length_reason("abc", 2)[1]
    'is 3 characters long; at most 2 are allowed'
    """
    if max_length is None or len(value) <= max_length:
        return None
    return (
        f"长度为 {len(value)} 个字符，最多允许 {max_length} 个",
        f"is {len(value)} characters long; at most {max_length} are allowed",
    )


def text_reason(
    value: str, multiline: bool = False, max_length: int | None = None
) -> tuple[str, str] | None:
    """The first reason (control characters, then length) ``value`` may not be stored."""
    return control_reason(value, multiline) or length_reason(value, max_length)


class TextRejected(JiqunError):
    """A text that may not be stored (HTTP 422)."""

    status = 422


def check_text(
    value: str | None,
    field: str,
    *,
    multiline: bool = False,
    max_length: int | None = None,
    row: int | None = None,
) -> str | None:
    """Return ``value`` unchanged, or raise :class:`TextRejected` naming field, value and reason.

    Parameters
    ----------
    value:
        The text (``None`` passes).
    field:
        The field name shown in the message.
    multiline:
        Whether tab, LF and CR are accepted.
    max_length:
        The longest accepted text, in characters.
    row:
        The row the value comes from, when there is one.

    Returns
    -------
    str | None
        ``value``.

    Raises
    ------
    TextRejected
        With the bilingual message.

    Example
    -------
    >>> check_text("第一行\\n第二行", "purpose", multiline=True)
    '第一行\\n第二行'
    >>> check_text("x\\x00", "purpose")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    TextRejected: ...
    """
    if value is None:
        return None
    why = text_reason(value, multiline, max_length)
    if why is None:
        return value
    zh, en = text_message(field, value, why, row)
    raise TextRejected(zh, en)


def text_message(
    field: str, value: str, why: tuple[str, str], row: int | None = None
) -> tuple[str, str]:
    """The one bilingual message of a refused text: row, field, value (escaped), reason.

    Example
    -------
    >>> text_message("name", "a\\x00", ("…", "contains NUL"), 3)[1]
    "row 3, field 'name', value 'a\\\\x00': contains NUL"
    """
    v = shown(value)
    at_zh = f"第 {row} 行，" if row is not None else ""
    at_en = f"row {row}, " if row is not None else ""
    return (
        f"{at_zh}字段「{field}」的值「{v}」{why[0]}",
        f"{at_en}field '{field}', value '{v}': {why[1]}",
    )
