"""The reader's result and how it reports: :class:`RawTable` and the problems it raises.

:func:`p` builds one :class:`~jiqun.standard.problems.Problem` (cell values quoted through
:func:`short`); :func:`fail` raises :class:`~jiqun.standard.problems.JiqunError` with every error
found so far and :func:`fatal` with one more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from jiqun.standard.problems import JiqunError, Problem, Severity
from jiqun.standard.schema import Kind

_MAX_SAMPLE = 60  # characters of a cell quoted in a message


@dataclass
class RawTable:
    """A file read into raw cells, with the header mapping and everything the reader noticed.

    Attributes
    ----------
    kind: the kind the file was read as.
    data: one column per recognised field, named canonically, in file order. Cells are raw:
        text files give strings (pandas ``str`` dtype; an empty cell is missing, ``pd.isna``),
        Excel gives the cell's Python value (``str``/``int``/``float``/``datetime``/``bool``,
        ``None`` when empty; whole numbers are ``int``), Parquet keeps its column types.
    rows: 1-based source row number of each row of ``data`` (as Excel or an editor shows it).
    headers: canonical name -> header as written in the file.
    units: canonical name -> unit written in the header (``营业收入（万元）`` -> ``万元``) or in a units
        row below it; only for numeric fields.
    problems: file-level notes, warnings and errors (nothing fatal: fatal problems raise).
    source: file name; encoding: the text encoding used; sheet: the worksheet read.
    layout: for a wide table melted by :mod:`~jiqun.standard.reader.wide`, what was understood
        (``measure``, ``unit``, ``years``, ``regions``); ``None`` for a long table.
    """

    kind: Kind
    data: pd.DataFrame
    rows: np.ndarray
    headers: dict[str, str]
    units: dict[str, str]
    problems: list[Problem]
    source: str
    encoding: str | None = None
    sheet: str | None = None
    layout: dict[str, str] | None = None

    def __len__(self) -> int:
        return len(self.data)


def p(
    rule: str,
    severity: Severity,
    zh: str,
    en: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: object = "",
    extra: dict[str, str] | None = None,
) -> Problem:
    return Problem(row, column, short(value), rule, severity, zh, en, extra or {})


def short(value: object, n: int = _MAX_SAMPLE) -> str:
    s = "" if value is None else str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def fail(problems: list[Problem]) -> NoReturn:
    errors = [p for p in problems if p.is_error]
    shown = errors[:8]
    zh = "；".join(p.message_zh for p in shown)
    en = "; ".join(p.message_en for p in shown)
    if len(errors) > len(shown):
        zh += f"；另有{len(errors) - len(shown)}个错误"
        en += f"; and {len(errors) - len(shown)} more errors"
    raise JiqunError(zh, en, problems)


def fatal(
    rule: str, zh: str, en: str, problems: list[Problem] | None = None, **kw: Any
) -> NoReturn:
    fail([*(problems or []), p(rule, "error", zh, en, **kw)])


def check_signature(path: Path, checks: Sequence[tuple[bytes, bool, str, str]]) -> None:
    """Refuse a file whose first bytes show it is not what its extension says.

    Parameters
    ----------
    path:
        The file.
    checks:
        ``(prefix, refuse_when_present, zh, en)`` in order: the file is refused (``file.format``)
        when its first bytes start with ``prefix`` (or, with ``refuse_when_present`` false, do
        not); ``{source}`` in the messages is the file name.

    Raises
    ------
    JiqunError
        At the first check that refuses the file.
    """
    with open(path, "rb") as f:
        sig = f.read(8)
    for prefix, refuse_when_present, zh, en in checks:
        if sig.startswith(prefix) == refuse_when_present:
            source = path.name
            fatal("file.format", zh.format(source=source), en.format(source=source), value=source)


def sheet_ignored(sheet: str) -> Problem:
    return p(
        "sheet.ignored",
        "warning",
        f"该文件没有工作表，参数 sheet=「{sheet}」被忽略",
        f"the file has no worksheets; sheet='{sheet}' ignored",
        value=sheet,
    )
