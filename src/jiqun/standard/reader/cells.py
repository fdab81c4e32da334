"""Cells as the layout detection sees them: blank tests, header text and column letters."""

from __future__ import annotations

import math
import re

import pandas as pd

BLANK_CHARS = " \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff"


def col_letter(j: int) -> str:
    """Spreadsheet column letter of 0-based column ``j`` (0 -> A, 26 -> AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip(BLANK_CHARS)
    if isinstance(v, float):
        return math.isnan(v)
    try:
        return bool(pd.isna(v))  # pd.NA, NaT, numpy NaN
    except (TypeError, ValueError):
        return False


def text(v: object) -> str | None:
    """A cell as header text, or ``None`` if blank."""
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def clean_header(s: str) -> str:
    """Header without line breaks, stray spaces and a leading/trailing required mark ``*``."""
    s = re.sub(r"[\r\n]+", "", s)
    prev = None
    while prev != s:
        prev = s
        s = s.strip(BLANK_CHARS).strip("*＊※")
    return s
