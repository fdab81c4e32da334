"""Read messy government spreadsheets into a :class:`RawTable`, reporting every layout decision.

The reader finds the header row (title and 填报单位 rows above it are skipped), maps each header to
a canonical field of the :class:`~jiqun.standard.schema.Kind`, reads the cells *without parsing
them* and drops only rows that are provably not records (blank rows, 注/说明/数据来源 footers,
合计/小计 total rows, repeated header rows) — each drop is reported as a :class:`Problem` with its row
number. Normalising the cells (codes, dates, amounts) is the job of the normalisers downstream.

Supported formats: ``.csv``, ``.txt``, ``.tsv`` (UTF-8 with or without BOM, GB18030/GBK/GB2312,
UTF-16 with BOM; comma, tab, semicolon or ``|`` delimiter), ``.xlsx``/``.xlsm`` (read with
python-calamine, cached formula values only, nothing is evaluated or executed) and ``.parquet``.

Row numbers (:attr:`RawTable.rows`, :attr:`Problem.row`) are 1-based and are what the user sees
in Excel/WPS or a text editor: title and header rows count, and in text files a quoted value that
spans several lines counts every physical line.

Example
-------
>>> from jiqun.standard.reader import read_table
>>> t = read_table("企业名录.xlsx", "enterprises")  # doctest: +SKIP
>>> t.rows[:2], t.units  # doctest: +SKIP
(array([6, 7]), {'revenue': '万元'})
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from jiqun.standard.problems import JiqunError, Problem, Severity
from jiqun.standard.schema import Kind, get_kind, header_key, header_unit

__all__ = [
    "HEADER_SCAN_ROWS",
    "SUPPORTED_EXTENSIONS",
    "RawTable",
    "read_table",
]

#: Extensions :func:`read_table` accepts.
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")
#: How many rows from the top are searched for the header row.
HEADER_SCAN_ROWS = 30

_TEXT_EXT = (".csv", ".txt", ".tsv")
_EXCEL_EXT = (".xlsx", ".xlsm")
_DELIMITERS = (",", "\t", ";", "|")  # the full-width comma "，" is never a delimiter
_DELIM_NAMES = {",": "逗号 comma", "\t": "制表符 tab", ";": "分号 semicolon", "|": "竖线 pipe"}
_HEAD_BYTES = 1 << 20  # bytes decoded for header detection (grown if the lines are very long)
_CHUNK = 8 << 20  # bytes per chunk when validating an encoding over the whole file
_NUMERIC_TYPES = ("amount", "int", "float")
_MAX_SAMPLE = 60  # characters of a cell quoted in a message

#: Headers of columns that are known not to hold data (compared with :func:`header_key`).
_IGNORED_HEADERS = frozenset(
    header_key(h)
    for h in ("序号", "编号", "行号", "备注", "备注说明", "No.", "No", "Remarks", "Remark", "操作")
)
#: Unit tokens accepted in a units row directly below the header.
_UNIT_TOKENS = frozenset(
    [
        "元",
        "千元",
        "万元",
        "百万元",
        "亿元",
        "人",
        "万人",
        "家",
        "个",
        "户",
        "项",
        "%",
        "吨",
        "万吨",
    ]
)

_FOOTER_RE = re.compile(
    r"^[\s\u3000\u00a0]*(?:注|说明|备注|附注|数据来源|资料来源|来源|填表人|填报人|填表日期|填报日期"
    r"|制表人?|制表日期|制表单位|审核人|负责人|联系人|联系电话|notes?|sources?|data\s+sources?)"
    r"[\s\u3000]*[\d０-９①-⑳一二三四五六七八九十()（）]*[\s\u3000]*[:：]",
    re.IGNORECASE,
)
_TOTAL_RE = re.compile(
    r"^[\s\u3000\u00a0]*[\u4e00-\u9fff]{0,6}?(?:合[\s\u3000]*计|总[\s\u3000]*计|小[\s\u3000]*计|共[\s\u3000]*计"
    r"|grand\s*total|sub-?\s*total|total)[\s\u3000]*[:：]?[\s\u3000]*$",
    re.IGNORECASE,
)
_BLANK_CHARS = " \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


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

    def __len__(self) -> int:
        return len(self.data)


# --------------------------------------------------------------------------------------------
# small helpers


def _p(
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
    return Problem(row, column, _short(value), rule, severity, zh, en, extra or {})


def _short(value: object, n: int = _MAX_SAMPLE) -> str:
    s = "" if value is None else str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _col_letter(j: int) -> str:
    """Spreadsheet column letter of 0-based column ``j`` (0 -> A, 26 -> AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip(_BLANK_CHARS)
    if isinstance(v, float):
        return math.isnan(v)
    try:
        return bool(pd.isna(v))  # pd.NA, NaT, numpy NaN
    except (TypeError, ValueError):
        return False


def _text(v: object) -> str | None:
    """A cell as header text, or ``None`` if blank."""
    if _is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _clean_header(s: str) -> str:
    """Header without line breaks, stray spaces and a leading/trailing required mark ``*``."""
    s = re.sub(r"[\r\n]+", "", s)
    prev = None
    while prev != s:
        prev = s
        s = s.strip(_BLANK_CHARS).strip("*＊※")
    return s


def _fmt_rows(rows: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``1–3, 5``."""
    out: list[str] = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        out.append(str(rows[i]) if i == j else f"{rows[i]}–{rows[j]}")
        i = j + 1
    return ", ".join(out)


def _fail(problems: list[Problem]) -> NoReturn:
    errors = [p for p in problems if p.is_error]
    shown = errors[:8]
    zh = "；".join(p.message_zh for p in shown)
    en = "; ".join(p.message_en for p in shown)
    if len(errors) > len(shown):
        zh += f"；另有{len(errors) - len(shown)}个错误"
        en += f"; and {len(errors) - len(shown)} more errors"
    raise JiqunError(zh, en, problems)


def _fatal(
    rule: str, zh: str, en: str, problems: list[Problem] | None = None, **kw: Any
) -> NoReturn:
    _fail([*(problems or []), _p(rule, "error", zh, en, **kw)])


# --------------------------------------------------------------------------------------------
# header detection


@dataclass
class _Header:
    """The header found in the first rows of a grid."""

    first: int  # index (into the head rows) of the first header row
    last: int  # index of the last header row (inclusive), incl. units row / repeated header rows
    written: list[str | None]  # per column: header as written (None = no header)
    fields: list[str | None]  # per column: canonical field or None
    score: int
    two_rows: bool = False
    joined: list[int] = field(default_factory=list)  # columns resolved by joining upper+lower
    extra_rows: list[tuple[int, str]] = field(default_factory=list)  # (index, "units"|"header")
    row_units: dict[int, str] = field(default_factory=dict)  # column -> unit from a units row


def _resolve(kind: Kind, text: str | None) -> str | None:
    if text is None:
        return None
    return kind.resolve_header(_clean_header(text))


def _score(fields: Iterable[str | None]) -> int:
    return len({f for f in fields if f})


def _single(kind: Kind, row: Sequence[Any]) -> tuple[list[str | None], list[str | None]]:
    written = [_text(v) for v in row]
    return written, [_resolve(kind, w) for w in written]


def _pair(
    kind: Kind, upper: Sequence[Any], lower: Sequence[Any]
) -> tuple[list[str | None], list[str | None], list[int]]:
    """Resolve a two-row header column by column: lower, else upper+lower, else upper."""
    n = max(len(upper), len(lower))
    written: list[str | None] = []
    fields: list[str | None] = []
    joined: list[int] = []
    for j in range(n):
        u = _text(upper[j]) if j < len(upper) else None
        lo = _text(lower[j]) if j < len(lower) else None
        f = _resolve(kind, lo)
        w = lo
        if f is None and u is not None and lo is not None and u != lo:
            cand = _clean_header(u) + _clean_header(lo)
            f = kind.resolve_header(cand)
            if f is not None:
                w = f"{u}{lo}"
                joined.append(j)
        if f is None and u is not None and (lo is None or lo == u or _is_unit_token(lo)):
            f = _resolve(kind, u)
            if f is None or lo is None or lo == u:
                w = u if f is not None or lo is None else lo
            else:  # a unit below the name: keep it with the header so that it is read as the unit
                w = f"{u}（{_clean_header(lo).strip('（）()[]【】')}）"
        written.append(w)
        fields.append(f)
    return written, fields, joined


def _vertical_merge(kind: Kind, upper: Sequence[Any], lower: Sequence[Any]) -> bool:
    """Whether some column holds the same field name in both rows (a filled vertical merge)."""
    for u, lo in zip(upper, lower, strict=False):
        t = _text(u)
        if t is not None and t == _text(lo) and _resolve(kind, t) is not None:
            return True
    return False


def _is_unit_token(s: str | None) -> bool:
    if s is None:
        return False
    s = _clean_header(s).strip("（）()[]【】")
    return s in _UNIT_TOKENS


def _threshold(kind: Kind) -> int:
    return min(2, len(kind.fields))


def _find_header(kind: Kind, head: Sequence[Sequence[Any]]) -> _Header | None:
    """Best header among the first :data:`HEADER_SCAN_ROWS` rows (ties: the first).

    A two-row header (group labels above field names) is taken when the pair resolves more
    fields than either row alone, or when the upper row repeats field names of the lower row
    (a vertically merged header cell, already filled in).
    """
    best: _Header | None = None
    singles: list[int] = []
    limit = min(len(head), HEADER_SCAN_ROWS)
    for i in range(limit):
        written, fields = _single(kind, head[i])
        s = _score(fields)
        singles.append(s)
        cands = [_Header(i, i, written, fields, s)]
        if i >= 1 and any(_text(v) for v in head[i - 1]):
            pw, pf, joined = _pair(kind, head[i - 1], head[i])
            ps = _score(pf)
            if ps > max(singles[i - 1], s) or (
                ps >= s and _vertical_merge(kind, head[i - 1], head[i])
            ):
                cands.insert(0, _Header(i - 1, i, pw, pf, ps, two_rows=True, joined=joined))
        for c in cands:
            if (
                best is None
                or c.score > best.score
                or (c.score == best.score and c.first < best.first)
            ):
                best = c
    if best is None or best.score < _threshold(kind):
        return None
    # rows directly below that belong to the header: a units row, or the same header again
    # (e.g. an English header row below the Chinese one)
    while best.last + 1 < len(head) and len(best.extra_rows) < 2:
        nxt = head[best.last + 1]
        cells = [(j, t) for j, v in enumerate(nxt) if (t := _text(v)) is not None]
        if not cells:
            break
        if all(_is_unit_token(t) for _, t in cells):
            for j, t in cells:
                best.row_units[j] = _clean_header(t).strip("（）()[]【】")
            best.extra_rows.append((best.last + 1, "units"))
        elif all(
            j < len(best.fields) and best.fields[j] and _resolve(kind, t) == best.fields[j]
            for j, t in cells
        ):
            best.extra_rows.append((best.last + 1, "header"))
        else:
            break
        best.last += 1
    return best


def _seen_headers(head: Sequence[Sequence[Any]]) -> list[str]:
    """The most header-like row's cells: the first row with the most non-empty text cells."""
    best: list[str] = []
    for row in head[:HEADER_SCAN_ROWS]:
        cells = [t for t in (_text(v) for v in row) if t is not None and not _is_number_like(t)]
        if len(cells) > len(best):
            best = cells
    return best


def _is_number_like(s: str) -> bool:
    return bool(re.fullmatch(r"[\d.,\s-]+", s))


def _no_header(
    kind: Kind, head: Sequence[Sequence[Any]], where_zh: str = "", where_en: str = ""
) -> Problem:
    seen = _seen_headers(head)
    seen_s = "、".join(f"「{_short(s, 30)}」" for s in seen[:20]) or "（无 none）"
    req_zh = "、".join(f"{f.zh}（{f.name}）" for f in kind.fields if f.required)
    req_en = ", ".join(f"{f.name} ({f.zh}, {f.en})" for f in kind.fields if f.required)
    return _p(
        "header.not_found",
        "error",
        f"{where_zh}前{HEADER_SCAN_ROWS}行中未找到「{kind.zh}」的表头行。看到的表头：{seen_s}；"
        f"必填列应为：{req_zh}",
        f"{where_en}no header row for kind '{kind.name}' ({kind.en}) in the first "
        f"{HEADER_SCAN_ROWS} rows. Headers seen: {', '.join(seen[:20]) or '(none)'}; "
        f"required columns: {req_en}",
        value=", ".join(seen[:20]),
    )


# --------------------------------------------------------------------------------------------
# column mapping


@dataclass
class _Mapping:
    columns: dict[int, str]  # source column -> canonical field
    headers: dict[str, str]
    units: dict[str, str]
    unnamed: list[int]  # columns without a header (checked for data later)
    problems: list[Problem]


def _suggest(kind: Kind, header: str) -> str | None:
    names: dict[str, str] = {}
    for f in kind.fields:
        for a in (f.name, f.zh, f.en, *f.aliases):
            names.setdefault(header_key(a), f.name)
    m = difflib.get_close_matches(header_key(_clean_header(header)), list(names), n=1, cutoff=0.6)
    return names[m[0]] if m else None


def _map_columns(
    kind: Kind, hdr: _Header, allow_unknown: bool, col_name: Callable[[int], str]
) -> _Mapping:
    probs: list[Problem] = []
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    units: dict[str, str] = {}
    unnamed: list[int] = []
    first_col: dict[str, int] = {}
    for j, (w, f) in enumerate(zip(hdr.written, hdr.fields, strict=True)):
        if w is None:
            unnamed.append(j)
            continue
        if f is None:
            if header_key(_clean_header(w)) in _IGNORED_HEADERS:
                probs.append(
                    _p(
                        "column.ignored",
                        "normalised",
                        f"第{col_name(j)}列「{w}」是非数据列（序号/备注等），已忽略",
                        f"column {col_name(j)} '{w}' is a non-data column (row number/remarks); ignored",
                        column=w,
                        value=w,
                    )
                )
                continue
            sug = _suggest(kind, w)
            if sug:
                sf = kind.get_field(sug)
                hint_zh = f"，是否应为「{sf.zh}」（{sf.name}）？"
                hint_en = f"; did you mean '{sf.zh}' ({sf.name})?"
            else:
                hint_zh, hint_en = "", ""
            if allow_unknown:
                probs.append(
                    _p(
                        "column.unknown",
                        "warning",
                        f"第{col_name(j)}列「{w}」不属于「{kind.zh}」数据标准，已忽略{hint_zh}",
                        f"column {col_name(j)} '{w}' is not part of the '{kind.name}' standard; ignored{hint_en}",
                        column=w,
                        value=w,
                    )
                )
            else:
                probs.append(
                    _p(
                        "column.unknown",
                        "error",
                        f"第{col_name(j)}列「{w}」不属于「{kind.zh}」数据标准{hint_zh}"
                        "（如需忽略未知列，请使用 allow_unknown_columns / --allow-unknown-columns）",
                        f"column {col_name(j)} '{w}' is not part of the '{kind.name}' standard{hint_en} "
                        "(use allow_unknown_columns / --allow-unknown-columns to ignore unknown columns)",
                        column=w,
                        value=w,
                    )
                )
            continue
        if f in first_col:
            j0 = first_col[f]
            fd = kind.get_field(f)
            probs.append(
                _p(
                    "header.duplicate",
                    "error",
                    f"第{col_name(j0)}列「{headers[f]}」与第{col_name(j)}列「{w}」都对应字段「{fd.zh}」（{f}），请删除或改名其一",
                    f"columns {col_name(j0)} '{headers[f]}' and {col_name(j)} '{w}' both map to field "
                    f"'{f}' ({fd.zh}); remove or rename one",
                    column=w,
                    value=w,
                )
            )
            continue
        first_col[f] = j
        columns[j] = f
        headers[f] = w
        fd = kind.get_field(f)
        if fd.type in _NUMERIC_TYPES:
            u = header_unit(_clean_header(w))
            ru = hdr.row_units.get(j)
            if u and ru and u != ru:
                probs.append(
                    _p(
                        "header.unit_conflict",
                        "warning",
                        f"第{col_name(j)}列表头单位「{u}」与单位行「{ru}」不一致，采用表头中的「{u}」",
                        f"column {col_name(j)}: header unit '{u}' differs from the units row '{ru}'; using '{u}'",
                        column=w,
                        value=ru,
                    )
                )
            unit = u or ru
            if unit:
                units[f] = unit
    for fld in kind.fields:
        if fld.required and fld.name not in headers:
            probs.append(
                _p(
                    "column.missing",
                    "error",
                    f"缺少必填列「{fld.zh}」（{fld.name}）",
                    f"required column '{fld.name}' ({fld.en}; Chinese header 「{fld.zh}」) is missing",
                    column=fld.zh,
                )
            )
    return _Mapping(columns, headers, units, unnamed, probs)


def _header_notes(
    hdr: _Header,
    line_of: Callable[[int], int],
    head: Sequence[Sequence[Any]],
    col_name: Callable[[int], str],
) -> list[Problem]:
    probs: list[Problem] = []
    hrow = line_of(hdr.last if not hdr.extra_rows else hdr.extra_rows[0][0] - 1)
    first = line_of(hdr.first)
    titles = [_text(next((v for v in head[i] if not _is_blank(v)), None)) for i in range(hdr.first)]
    titles_s = "、".join(f"「{_short(t, 40)}」" for t in titles if t)
    if first > 1:
        skipped = f"1–{first - 1}" if first > 2 else "1"
        probs.append(
            _p(
                "header.found",
                "normalised",
                f"表头位于第{hrow}行；第{skipped}行作为标题/说明跳过"
                + (f"：{titles_s}" if titles_s else ""),
                f"header found at row {hrow}; {'rows' if first > 2 else 'row'} {skipped} skipped as title/notes"
                + (f": {', '.join(t for t in titles if t)}" if titles_s else ""),
                row=hrow,
                value=", ".join(t for t in titles if t),
            )
        )
    else:
        probs.append(
            _p(
                "header.found",
                "normalised",
                f"表头位于第{hrow}行",
                f"header found at row {hrow}",
                row=hrow,
            )
        )
    if hdr.two_rows:
        joined = "、".join(f"{col_name(j)}「{hdr.written[j]}」" for j in hdr.joined)
        probs.append(
            _p(
                "header.two_rows",
                "normalised",
                f"两行表头（第{first}–{first + 1}行）：采用下行字段名，上行为分组标题"
                + (f"；合并上下行得到：{joined}" if joined else ""),
                f"two-row header (rows {first}–{first + 1}): field names taken from the lower row, the "
                "upper row holds group labels"
                + (f"; joined upper+lower: {joined}" if joined else ""),
                row=first,
            )
        )
    for i, what in hdr.extra_rows:
        r = line_of(i)
        if what == "units":
            probs.append(
                _p(
                    "header.units_row",
                    "normalised",
                    f"第{r}行是表头下方的单位行，已读取单位并跳过",
                    f"row {r} is a units row below the header; units read, row skipped",
                    row=r,
                )
            )
        else:
            probs.append(
                _p(
                    "header.extra_row",
                    "normalised",
                    f"第{r}行重复表头（如英文表头），已跳过",
                    f"row {r} repeats the header (e.g. English names); skipped",
                    row=r,
                )
            )
    return probs


# --------------------------------------------------------------------------------------------
# body: blank, footer, total and repeated-header rows


def _blank_values(s: pd.Series) -> np.ndarray:
    if s.dtype == object:
        return np.fromiter((_is_blank(v) for v in s), dtype=bool, count=len(s))
    if isinstance(s.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(s.dtype):
        na = s.isna().to_numpy()
        stripped = s.str.strip(_BLANK_CHARS)
        return na | (stripped == "").fillna(True).to_numpy(dtype=bool)
    return s.isna().to_numpy()


def _blank_mask(body: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or whitespace (checks only remaining candidates per column)."""
    n = len(body)
    idx = np.arange(n)
    for c in body.columns:
        if not len(idx):
            break
        s = body[c] if len(idx) == n else body[c].iloc[idx]
        idx = idx[_blank_values(s)]
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def _first_text(values: Iterable[Any]) -> str | None:
    for v in values:
        if not _is_blank(v):
            return _text(v)
    return None


def _total_candidates(body: pd.DataFrame, blank: np.ndarray) -> np.ndarray:
    """Rows where one of the first three columns mentions 计/total (verified by the caller)."""
    n = len(body)
    cand = np.zeros(n, dtype=bool)
    for c in list(body.columns)[:3]:
        s = body[c]
        if s.dtype == object:
            m = np.fromiter(
                (isinstance(v, str) and ("计" in v or "otal" in v.lower()) for v in s),
                dtype=bool,
                count=n,
            )
        elif pd.api.types.is_string_dtype(s.dtype):
            m = s.str.contains(r"计|[Tt][Oo][Tt][Aa][Ll]", regex=True, na=False).to_numpy(
                dtype=bool
            )
        else:
            continue
        cand |= m
    return cand & ~blank


def _repeat_candidates(body: pd.DataFrame, mapping: _Mapping) -> np.ndarray:
    n = len(body)
    if not mapping.columns:
        return np.zeros(n, dtype=bool)
    j, f = next(iter(mapping.columns.items()))
    s = body[j]
    w = mapping.headers[f]
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        return (s == w).fillna(False).to_numpy(dtype=bool)
    return np.zeros(n, dtype=bool)


def _clean_body(
    kind: Kind,
    body: pd.DataFrame,
    rows: np.ndarray,
    mapping: _Mapping,
    col_name: Callable[[int], str],
) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """Drop (and report) blank, footer, total and repeated-header rows; keep everything else."""
    n = len(body)
    probs: list[Problem] = []
    if n == 0:
        return body, rows, probs
    blank = _blank_mask(body)
    drop = blank.copy()
    row_probs: list[tuple[int, Problem]] = []

    def values(i: int) -> list[Any]:
        return body.iloc[i].tolist()

    def drop_row(i: int, rule: str, severity: Severity, zh: str, en: str, value: object) -> None:
        """Drop body row ``i`` and report it under its sheet row number."""
        drop[i] = True
        r = int(rows[i])
        row_probs.append((r, _p(rule, severity, zh, en, row=r, value=value)))

    # trailing rows: blank, footers (注：, 数据来源：, 填表人：...) and total rows
    trail_blank: list[int] = []
    totals: set[int] = set()
    i = n - 1
    while i >= 0:
        if blank[i]:
            trail_blank.append(int(rows[i]))
            i -= 1
            continue
        first = _first_text(values(i))
        if first is not None and _FOOTER_RE.match(first):
            r = int(rows[i])
            drop_row(
                i,
                "row.footer",
                "normalised",
                f"第{r}行是表尾说明，已删除：「{_short(first)}」",
                f"row {r} is a footer note, dropped: '{_short(first)}'",
                first,
            )
            i -= 1
            continue
        if first is not None and len(first) < 20 and _TOTAL_RE.match(first):
            totals.add(i)
            i -= 1
            continue
        break
    data_end = i  # last index of a data row (before the trailing block)

    # total rows anywhere (合计/总计/小计 as the first non-empty cell)
    for k in np.flatnonzero(_total_candidates(body, blank)).tolist():
        first = _first_text(values(k))
        if first is not None and len(first) < 20 and _TOTAL_RE.match(first):
            totals.add(k)
    for k in sorted(totals):
        first = _first_text(values(k)) or ""
        r = int(rows[k])
        drop_row(
            k,
            "row.total",
            "warning",
            f"第{r}行是合计/小计行「{first.strip()}」，不是企业记录，已删除（请核对是否需要）",
            f"row {r} is a total/subtotal row '{first.strip()}', not a record; dropped",
            first,
        )

    # repeated header rows (e.g. a header repeated on each printed page)
    for i in np.flatnonzero(_repeat_candidates(body, mapping) & ~drop).tolist():
        vals = values(i)
        hits = sum(1 for j, f in mapping.columns.items() if _resolve(kind, _text(vals[j])) == f)
        if hits >= min(2, len(mapping.columns)):
            r = int(rows[i])
            zh, en = f"第{r}行重复了表头，已删除", f"row {r} repeats the header; dropped"
            drop_row(i, "row.repeated_header", "normalised", zh, en, "")

    # blank rows: one note per run
    blank_rows = [int(r) for r in rows[blank]]
    trail = set(trail_blank)
    for run in _runs(blank_rows):
        where = _fmt_rows(run)
        is_trail = run[0] in trail and (data_end < 0 or run[0] > int(rows[data_end]))
        row_probs.append(
            (
                run[0],
                _p(
                    "row.empty",
                    "normalised",
                    f"第{where}行为空行，已删除" + ("（表尾）" if is_trail else ""),
                    f"{'rows' if len(run) > 1 else 'row'} {where} empty, dropped"
                    + (" (end of table)" if is_trail else ""),
                    row=run[0],
                    extra={"last_row": str(run[-1])},
                ),
            )
        )

    # data in columns without a header
    keep = ~drop
    for j in mapping.unnamed:
        nb = ~_blank_values(body[j]) & keep
        if nb.any():
            k = int(np.flatnonzero(nb)[0])
            r = int(rows[k])
            v = body[j].iloc[k]
            probs.append(
                _p(
                    "column.unnamed",
                    "warning",
                    f"第{col_name(j)}列没有表头但有数据（首个在第{r}行：「{_short(v)}」），该列已忽略",
                    f"column {col_name(j)} has no header but holds data (first at row {r}: '{_short(v)}'); ignored",
                    row=r,
                    column=col_name(j),
                    value=v,
                )
            )

    row_probs.sort(key=lambda t: t[0])
    probs.extend(p for _, p in row_probs)
    if drop.any():
        body = body[keep]
        rows = rows[keep]
    return body, rows, probs


def _runs(rows: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for r in rows:
        if out and r == out[-1][-1] + 1:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def _finish(
    kind: Kind,
    body: pd.DataFrame,
    rows: np.ndarray,
    mapping: _Mapping,
    problems: list[Problem],
    *,
    source: str,
    encoding: str | None,
    sheet: str | None,
    header_row: int,
    col_name: Callable[[int], str],
) -> RawTable:
    body, rows, row_probs = _clean_body(kind, body, rows, mapping, col_name)
    problems = problems + row_probs
    if len(body) == 0:
        problems.append(
            _p(
                "file.no_data",
                "error",
                f"文件只有表头（第{header_row}行），没有数据行",
                f"the file has a header (row {header_row}) but no data rows",
                row=header_row,
            )
        )
    if any(p.is_error for p in problems):
        _fail(problems)
    data = body[list(mapping.columns)].copy()
    data.columns = pd.Index(list(mapping.columns.values()))
    data = data.reset_index(drop=True)
    return RawTable(
        kind=kind,
        data=data,
        rows=np.asarray(rows, dtype=np.int64),
        headers=mapping.headers,
        units=mapping.units,
        problems=problems,
        source=source,
        encoding=encoding,
        sheet=sheet,
    )


# --------------------------------------------------------------------------------------------
# text files (CSV, TSV, TXT)


@dataclass
class _Encoding:
    name: str  # reported name: utf-8-sig, utf-8, gb18030, utf-16, ...
    codec: str  # codec for the bytes after the BOM
    bom: int  # BOM length in bytes
    newlines: int  # b"\n" count of the whole file (-1 if not countable for this codec)
    quotes: bool  # whether the file contains a double quote
    ends_with_newline: bool


def _validate(path: Path, codec: str, start: int) -> tuple[bool, int, bool]:
    """Strictly decode the whole file; returns (ok, newline count, has quote)."""
    dec = codecs.getincrementaldecoder(codec)(errors="strict")
    nl = 0
    quote = False
    with open(path, "rb") as f:
        f.seek(start)
        while chunk := f.read(_CHUNK):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                return False, 0, False
            nl += chunk.count(b"\n")
            quote = quote or b'"' in chunk
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, 0, False
    return True, nl, quote


def _detect_encoding(path: Path, head: bytes, size: int, source: str) -> _Encoding:
    with open(path, "rb") as f:
        f.seek(max(0, size - 1))
        ends_nl = f.read(1) in (b"\n", b"\r")
    if head.startswith(codecs.BOM_UTF8):
        ok, nl, q = _validate(path, "utf-8", 3)
        if ok:
            return _Encoding("utf-8-sig", "utf-8", 3, nl, q, ends_nl)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        ok, _, _ = _validate(path, codec, 2)
        if ok:
            return _Encoding("utf-16", codec, 2, -1, True, ends_nl)
    else:
        for codec in ("utf-8", "gb18030"):
            ok, nl, q = _validate(path, codec, 0)
            if ok:
                return _Encoding(codec, codec, 0, nl, q, ends_nl)
    # last resort: charset-normalizer on a sample, then strict validation of the whole file
    tried = "UTF-8 (BOM), UTF-8, GB18030"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(head).best()
    except Exception:  # pragma: no cover - defensive
        best = None
    if best is not None and best.encoding:
        codec = codecs.lookup(best.encoding).name
        ok, _, _ = _validate(path, codec, 0)
        if ok:
            return _Encoding(codec, codec, 0, -1, True, ends_nl)
        tried += f", {codec}"
    _fatal(
        "file.encoding",
        f"无法识别文件编码（已尝试 {tried}），请在 Excel/WPS 中另存为“CSV UTF-8”或 .xlsx",
        f"cannot determine the text encoding (tried {tried}); save the file as 'CSV UTF-8' or .xlsx",
        column=None,
        value=source,
    )


def _encoding_note(enc: _Encoding) -> Problem:
    label = {
        "utf-8-sig": ("UTF-8（带BOM）", "UTF-8 with BOM (utf-8-sig)"),
        "utf-8": ("UTF-8", "UTF-8"),
        "gb18030": ("GB18030（兼容GBK/GB2312）", "GB18030 (superset of GBK/GB2312)"),
        "utf-16": ("UTF-16（带BOM）", "UTF-16 with BOM"),
    }.get(enc.name, (enc.name, f"{enc.name} (detected by charset-normalizer)"))
    return _p(
        "file.encoding",
        "normalised" if enc.name in ("utf-8-sig", "utf-8", "gb18030", "utf-16") else "warning",
        f"按 {label[0]} 编码读取",
        f"read as {label[1]}",
        value=enc.name,
    )


@dataclass
class _Head:
    lines: list[str]  # physical lines (with their line endings) of the decoded head
    complete: bool  # whether the head is the whole file


def _read_head(path: Path, enc: _Encoding, size: int, want_lines: int) -> _Head:
    nbytes = _HEAD_BYTES
    while True:
        with open(path, "rb") as f:
            f.seek(enc.bom)
            raw = f.read(nbytes)
        complete = enc.bom + len(raw) >= size
        text = codecs.getincrementaldecoder(enc.codec)(errors="strict").decode(raw, final=complete)
        lines = _LINE_RE.findall(text)
        if not complete and lines and not lines[-1].endswith(("\n", "\r")):
            lines.pop()  # a partial last line
        if complete or len(lines) > want_lines or nbytes >= 64 * _HEAD_BYTES:
            return _Head(lines, complete)
        nbytes *= 4


def _parse_head(
    lines: list[str], delim: str, limit: int
) -> tuple[list[list[str | None]], list[int], list[int]]:
    """csv-parse the head; returns records and each record's first and last physical line."""
    records: list[list[str | None]] = []
    starts: list[int] = []
    ends: list[int] = []
    reader = csv.reader(iter(lines), delimiter=delim, quotechar='"', doublequote=True, strict=False)
    prev = 0
    try:
        for rec in reader:
            records.append([c if c != "" else None for c in rec])
            starts.append(prev + 1)
            ends.append(reader.line_num)
            prev = reader.line_num
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records, starts, ends


def _sheet_ignored(sheet: str) -> Problem:
    return _p(
        "sheet.ignored",
        "warning",
        f"该文件没有工作表，参数 sheet=「{sheet}」被忽略",
        f"the file has no worksheets; sheet='{sheet}' ignored",
        value=sheet,
    )


def _read_text(path: Path, kind: Kind, allow_unknown: bool, sheet: str | None) -> RawTable:
    source = path.name
    size = path.stat().st_size
    with open(path, "rb") as f:
        sig = f.read(8)
    if sig.startswith(b"PK\x03\x04"):
        _fatal(
            "file.format",
            f"「{source}」实际上是 Excel 工作簿（.xlsx），请把扩展名改为 .xlsx",
            f"'{source}' is actually an Excel workbook (.xlsx); rename it to .xlsx",
            value=source,
        )
    if sig.startswith(b"\xd0\xcf\x11\xe0"):
        _fatal(
            "file.format",
            f"「{source}」实际上是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx",
            f"'{source}' is actually an old Excel (.xls) file; save it as .xlsx in Excel/WPS",
            value=source,
        )
    with open(path, "rb") as f:
        head_bytes = f.read(_HEAD_BYTES)
    enc = _detect_encoding(path, head_bytes, size, source)
    problems: list[Problem] = [_encoding_note(enc)]
    if sheet is not None:
        problems.append(_sheet_ignored(sheet))
    want = HEADER_SCAN_ROWS + 4
    head = _read_head(path, enc, size, want * 2)
    if head.complete and not re.sub(r'[\s,;|"\u00a0\u3000\u200b\ufeff]+', "", "".join(head.lines)):
        _fatal(
            "file.empty",
            f"文件「{source}」为空",
            f"file '{source}' is empty",
            problems,
            value=source,
        )

    # delimiter: the one under which the header resolves best (ties: .tsv prefers tab)
    order = list(_DELIMITERS)
    if path.suffix.lower() == ".tsv":
        order.remove("\t")
        order.insert(0, "\t")
    best: tuple[int, str, list[list[str | None]], list[int], list[int], _Header | None] | None = (
        None
    )
    for d in order:
        recs, starts, ends = _parse_head(head.lines, d, want)
        hdr = _find_header(kind, recs)
        s = hdr.score if hdr else 0
        if best is None or s > best[0]:
            best = (s, d, recs, starts, ends, hdr)
    assert best is not None
    _, delim, recs, starts, ends, hdr = best
    if hdr is None:
        # headers seen: use the delimiter that splits the lines into the most cells
        d = max(order, key=lambda d: sum(len(r) for r in _parse_head(head.lines, d, want)[0]))
        _fail([*problems, _no_header(kind, _parse_head(head.lines, d, want)[0])])

    def col_name(j: int) -> str:
        return _col_letter(j)

    problems.append(
        _p(
            "file.delimiter",
            "normalised",
            f"分隔符：{_DELIM_NAMES[delim]}",
            f"delimiter: {_DELIM_NAMES[delim].split()[1]}",
            value=delim,
        )
    )
    problems += _header_notes(hdr, lambda i: starts[i], recs, col_name)
    mapping = _map_columns(kind, hdr, allow_unknown, col_name)
    problems += mapping.problems
    header_row = ends[hdr.last]
    if any(p.is_error for p in problems):
        _fail(problems)

    # body: from the physical line after the header, read by pyarrow (fast path) or pandas/csv
    end_line = ends[hdr.last]
    prefix = "".join(head.lines[:end_line])
    offset = enc.bom + len(prefix.encode(enc.codec))
    width = max([len(hdr.written)] + [len(r) for r in recs[hdr.last + 1 :]])
    body_lines = -1
    if enc.newlines >= 0:
        body_lines = enc.newlines - prefix.count("\n")
        if size > offset and not enc.ends_with_newline:
            body_lines += 1
    if size <= offset:
        body = pd.DataFrame({j: pd.Series([], dtype="str") for j in range(width)})
        rows = np.zeros(0, dtype=np.int64)
    else:
        body, rows = _read_body(path, enc, offset, delim, width, end_line + 1, body_lines)
    if body.shape[1] > len(hdr.written):
        mapping.unnamed = sorted(set(mapping.unnamed) | set(range(len(hdr.written), body.shape[1])))
    return _finish(
        kind,
        body,
        rows,
        mapping,
        problems,
        source=source,
        encoding=enc.name,
        sheet=None,
        header_row=header_row,
        col_name=col_name,
    )


def _read_body(
    path: Path,
    enc: _Encoding,
    offset: int,
    delim: str,
    width: int,
    first_line: int,
    body_lines: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Body cells as strings and the physical line number of each record."""
    if enc.codec in ("utf-8", "gb18030") and body_lines >= 0:
        got = _read_body_arrow(path, enc, offset, delim, width)
        if got is None:
            got = _read_body_pandas(path, enc, offset, delim, width)
        if got is not None:
            body = got
            n = len(body)
            if n == body_lines:
                return body, first_line + np.arange(n, dtype=np.int64)
            if n and enc.quotes:
                nl = _newlines_per_row(body)
                rows = (
                    first_line
                    + np.arange(n, dtype=np.int64)
                    + np.concatenate(([0], np.cumsum(nl)[:-1]))
                )
                if int(rows[-1] + nl[-1]) == first_line + body_lines - 1:
                    return body, rows
    return _read_body_csv(path, enc, offset, delim, width, first_line)


def _newlines_per_row(body: pd.DataFrame) -> np.ndarray:
    nl = np.zeros(len(body), dtype=np.int64)
    for c in body.columns:
        nl += body[c].str.count("\n").fillna(0).to_numpy(dtype=np.int64)
    return nl


def _read_body_arrow(
    path: Path, enc: _Encoding, offset: int, delim: str, width: int
) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [str(j) for j in range(width)]
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            table = pacsv.read_csv(
                f,
                read_options=pacsv.ReadOptions(column_names=names, encoding=enc.codec),
                parse_options=pacsv.ParseOptions(
                    delimiter=delim,
                    quote_char='"',
                    double_quote=True,
                    newlines_in_values=enc.quotes,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
        return None  # ragged rows and the like: the pandas/csv readers handle them
    str_dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    df = table.to_pandas(types_mapper={pa.string(): str_dtype, pa.large_string(): str_dtype}.get)
    df.columns = pd.RangeIndex(width)
    return df


def _read_body_pandas(
    path: Path, enc: _Encoding, offset: int, delim: str, width: int
) -> pd.DataFrame | None:
    for _ in range(4):
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                df = pd.read_csv(
                    f,
                    sep=delim,
                    header=None,
                    names=list(range(width)),
                    index_col=False,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[""],
                    skip_blank_lines=False,
                    quotechar='"',
                    doublequote=True,
                    encoding=enc.codec,
                    engine="c",
                )
            return df
        except pd.errors.ParserError as e:
            m = re.search(r"saw (\d+)", str(e))
            if not m or int(m.group(1)) <= width:
                return None
            width = int(m.group(1))
    return None


def _read_body_csv(
    path: Path, enc: _Encoding, offset: int, delim: str, width: int, first_line: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Exact, slower reader: the csv module, counting physical lines per record."""
    records: list[list[str]] = []
    rows: list[int] = []
    with open(path, "rb") as raw:
        raw.seek(offset)
        text = io.TextIOWrapper(raw, encoding=enc.codec, newline="")
        reader = csv.reader(text, delimiter=delim, quotechar='"', doublequote=True, strict=False)
        prev = 0
        for rec in reader:
            records.append(rec)
            rows.append(first_line + prev)
            prev = reader.line_num
    width = max([width] + [len(r) for r in records])
    cols: dict[int, Any] = {}
    for j in range(width):
        cols[j] = pd.Series(
            [r[j] if j < len(r) and r[j] != "" else None for r in records], dtype="str"
        )
    return pd.DataFrame(cols), np.asarray(rows, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Excel (xlsx / xlsm)


_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def xlsx_dtd_part(path: str | Path) -> str | None:
    """The first XML part of the workbook ``path`` that declares a DTD or an entity, or ``None``.

    Office Open XML parts never carry a document type definition. One in an upload is an attack
    on the XML parsers (entity expansion, "billion laughs"; external entities reading local
    files) or a damaged file, and readers fail on it in different ways, so it is refused before
    any parser sees the workbook. Parts are scanned as streams; in a well-formed part the
    characters ``<!DOCTYPE`` and ``<!ENTITY`` can only be markup (in text they are escaped).

    Parameters
    ----------
    path:
        An ``.xlsx`` file.

    Returns
    -------
    str | None
        The part's name, e.g. ``xl/worksheets/sheet1.xml``.

    Example
    -------
    >>> xlsx_dtd_part("firms.xlsx") is None  # doctest: +SKIP
    True
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                tail = b""
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        if _DTD_RE.search(tail + chunk):
                            return info.filename
                        tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None  # not a readable zip: the workbook reader reports it
    return None


def _excel_value(v: Any) -> Any:
    t = type(v)
    if t is str:
        return v if v != "" else None
    if t is float:
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if t is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    return v


@dataclass
class _Sheet:
    name: str
    grid: list[list[Any]]  # absolute: grid[0] is row 1, grid[i][0] is column A
    merged: list[tuple[int, int, int, int]]  # 0-based inclusive (r0, c0, r1, c1)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cells with #N/A etc.


def _open_workbook(path: Path) -> tuple[list[str], Callable[[str], _Sheet]]:
    """Sheet names and a loader; python-calamine, or openpyxl if calamine cannot read the file."""
    try:
        import python_calamine

        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        names = [m.name for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")] or list(
            wb.sheet_names
        )

        def load(name: str) -> _Sheet:
            sh = wb.get_sheet_by_name(name)
            grid = [[_excel_value(v) for v in row] for row in sh.to_python(skip_empty_area=False)]
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            # calamine reads error cells (#N/A, #DIV/0!) as empty: put the error text back
            errors = _error_cells(path, name)
            for (r, c), err in errors.items():
                while len(grid) <= r:
                    grid.append([])
                if len(grid[r]) <= c:
                    grid[r].extend([None] * (c + 1 - len(grid[r])))
                grid[r][c] = err
            return _Sheet(name, grid, merged, errors)

        return names, load
    except Exception:
        return _open_workbook_openpyxl(path)


_ERR_CELL_RE = re.compile(rb'<(?:\w+:)?c\s([^>]*\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)


def _cell_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref)
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Cells of ``sheet`` holding a cached Excel error value (``t="e"``), 0-based -> ``#N/A``."""
    import xml.etree.ElementTree as ET
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            ns = {
                "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            }
            wbx = ET.fromstring(z.read("xl/workbook.xml"))
            rid = None
            for el in wbx.iterfind("m:sheets/m:sheet", ns):
                if el.get("name") == sheet:
                    rid = el.get(f"{{{ns['r']}}}id")
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            target = next((el.get("Target") for el in rels if el.get("Id") == rid), None)
            if not target:
                return {}
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            found = False
            with z.open(member) as f:  # stream: most sheets have no error cell
                tail = b""
                while chunk := f.read(_CHUNK // 2):
                    if b't="e"' in tail + chunk[:8] or b't="e"' in chunk:
                        found = True
                        break
                    tail = chunk[-8:]
            if not found:
                return {}
            data = z.read(member)
    except (KeyError, OSError, ET.ParseError, zipfile.BadZipFile):
        return {}
    out: dict[tuple[int, int], str] = {}
    for m in _ERR_CELL_RE.finditer(data):
        ref = re.search(rb'\br="([^"]+)"', m.group(1))
        val = re.search(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", m.group(2))
        if ref and val:
            try:
                out[_cell_ref(ref.group(1).decode())] = val.group(1).decode("utf-8", "replace")
            except ValueError:
                continue
    return out


def _open_workbook_openpyxl(path: Path) -> tuple[list[str], Callable[[str], _Sheet]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, keep_links=False, keep_vba=False)
    names = [ws.title for ws in wb.worksheets]

    def load(name: str) -> _Sheet:
        ws = wb[name]
        grid = [
            [_excel_value(v) for v in row]
            for row in ws.iter_rows(
                min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True
            )
        ]
        merged = [
            (r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
            for r in ws.merged_cells.ranges
        ]
        return _Sheet(name, grid, merged, _error_cells(path, name))

    return names, load


def _filled_head(sheet: _Sheet, nrows: int) -> list[list[Any]]:
    """A copy of the first ``nrows`` rows where each merged cell shows its value in every
    spanned cell (as Excel displays it), for header detection."""
    head = [list(r) for r in sheet.grid[:nrows]]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(head) or c0 >= len(head[r0]):
            continue
        v = head[r0][c0]
        for r in range(r0, min(r1, len(head) - 1) + 1):
            row = head[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = v
    return head


def _fill_data_merges(sheet: _Sheet, last_header: int) -> list[tuple[int, int, int, int]]:
    """Copy the value of each vertically merged cell below the header down its rows (the value
    stays in the merge's first column only); returns the ranges filled."""
    g = sheet.grid
    done = []
    for r0, c0, r1, c1 in sorted(sheet.merged):
        if r0 <= last_header or r1 == r0 or r0 >= len(g) or c0 >= len(g[r0]):
            continue
        v = g[r0][c0]
        for r in range(r0 + 1, min(r1, len(g) - 1) + 1):
            row = g[r]
            if len(row) <= c0:
                row.extend([None] * (c0 + 1 - len(row)))
            row[c0] = v
        done.append((r0, c0, r1, c1))
    return done


def _range_name(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{_col_letter(c0)}{r0 + 1}:{_col_letter(c1)}{r1 + 1}"


def _read_excel(path: Path, kind: Kind, allow_unknown: bool, sheet: str | None) -> RawTable:
    source = path.name
    with open(path, "rb") as f:
        sig = f.read(8)
    if sig.startswith(b"\xd0\xcf\x11\xe0"):
        _fatal(
            "file.format",
            f"「{source}」是旧版 Excel（.xls）或已加密的工作簿，请在 Excel/WPS 中另存为未加密的 .xlsx",
            f"'{source}' is an old Excel (.xls) or password-protected workbook; save it as an unencrypted .xlsx",
            value=source,
        )
    if not sig.startswith(b"PK"):
        _fatal(
            "file.format",
            f"「{source}」不是有效的 .xlsx 工作簿（可能是改了扩展名的 CSV/HTML 文件）",
            f"'{source}' is not a valid .xlsx workbook (perhaps a renamed CSV/HTML file)",
            value=source,
        )
    part = xlsx_dtd_part(path)
    if part is not None:
        _fatal(
            "file.dtd",
            f"工作簿「{source}」的部件 {part} 含有文档类型定义（DTD/实体声明），正常的 Excel/WPS "
            "文件不会有；为安全起见已拒绝，请在 Excel/WPS 中重新另存为 .xlsx",
            f"workbook '{source}' has a document type definition (DTD or entity declaration) in "
            f"part {part}, which no Excel/WPS file has; refused for safety: save it again as "
            ".xlsx in Excel/WPS",
            value=part,
        )
    try:
        names, load = _open_workbook(path)
    except Exception as e:
        _fatal(
            "file.unreadable",
            f"无法读取工作簿「{source}」：{e}",
            f"cannot read workbook '{source}': {e}",
            value=source,
        )
    problems: list[Problem] = []
    sheets_s = "、".join(f"「{n}」" for n in names)
    if sheet is not None:
        if sheet not in names:
            alt = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
            if not alt:
                _fatal(
                    "sheet.not_found",
                    f"工作簿中没有名为「{sheet}」的工作表；现有工作表：{sheets_s}",
                    f"no worksheet named '{sheet}'; worksheets: {', '.join(names)}",
                    value=sheet,
                )
            problems.append(
                _p(
                    "sheet.name",
                    "normalised",
                    f"工作表「{sheet}」按「{alt[0]}」读取（忽略大小写和空格）",
                    f"worksheet '{sheet}' read as '{alt[0]}' (case and spaces ignored)",
                    value=sheet,
                )
            )
            sheet = alt[0]
        candidates = [sheet]
    else:
        candidates = names

    chosen: tuple[_Sheet, _Header, list[list[Any]]] | None = None
    empty_sheets = 0
    heads: list[tuple[str, list[list[Any]]]] = []  # (sheet, filled head) of each sheet checked
    with_header: list[str] = []  # sheets with a header of this kind
    for name in candidates:
        try:
            sh = load(name)
        except Exception as e:  # a damaged sheet part: the reader's message, never a crash
            _fatal(
                "file.unreadable",
                f"无法读取工作簿「{source}」的工作表「{name}」：{e}",
                f"cannot read worksheet '{name}' of workbook '{source}': {e}",
                value=name,
            )
        if not any(not _is_blank(v) for row in sh.grid for v in row):
            empty_sheets += 1
            continue
        head = _filled_head(sh, HEADER_SCAN_ROWS + 4)
        heads.append((name, head))
        hdr = _find_header(kind, head)
        if hdr is not None:
            with_header.append(name)
        if hdr is not None and (chosen is None or hdr.score > chosen[1].score):
            chosen = (sh, hdr, head)
    if chosen is None:
        if empty_sheets == len(candidates):
            _fatal(
                "file.empty",
                f"工作簿「{source}」" + (f"的工作表「{sheet}」" if sheet else "") + "没有任何数据",
                f"workbook '{source}'" + (f" sheet '{sheet}'" if sheet else "") + " has no cells",
                value=source,
            )
        per_sheet = [_no_header(kind, h, f"工作表「{n}」", f"worksheet '{n}': ") for n, h in heads]
        if sheet is not None:
            _fail(per_sheet)
        _fail(
            [
                *per_sheet,
                _p(
                    "sheet.no_header",
                    "error",
                    f"已检查的工作表（{sheets_s}）中都找不到「{kind.zh}」的表头；请用 sheet 参数指定工作表",
                    f"no worksheet has a header for kind '{kind.name}' (checked: {', '.join(names)}); "
                    "name the worksheet with the sheet option",
                    value=", ".join(names),
                ),
            ]
        )
    sh, hdr, head = chosen
    del heads
    if sheet is None and len(names) > 1:
        problems.append(
            _p(
                "sheet.selected",
                "normalised",
                f"读取工作表「{sh.name}」（共{len(names)}个：{sheets_s}）",
                f"read worksheet '{sh.name}' (of {len(names)}: {', '.join(names)})",
                value=sh.name,
            )
        )
    others = [n for n in with_header if n != sh.name]
    if others:
        others_s = "、".join(f"「{n}」" for n in others)
        problems.append(
            _p(
                "sheet.others",
                "warning",
                f"工作表{others_s}也像是「{kind.zh}」数据，但未读取；如需导入请用 sheet 参数逐个指定",
                f"worksheet(s) {', '.join(others)} also look like '{kind.name}' data but were not read; "
                "import each with the sheet option",
                value=", ".join(others),
            )
        )

    def col_name(j: int) -> str:
        return _col_letter(j)

    problems += _header_notes(hdr, lambda i: i + 1, head, col_name)
    hdr_rows = range(hdr.first, hdr.last + 1)
    merged_hdr = []
    for r0, c0, r1, c1 in sorted(sh.merged):
        if r0 in hdr_rows or r1 in hdr_rows or (r0 < hdr.first and r1 > hdr.last):
            v = sh.grid[r0][c0] if r0 < len(sh.grid) and c0 < len(sh.grid[r0]) else None
            merged_hdr.append(f"{_range_name(r0, c0, r1, c1)}「{_short(_text(v), 30)}」")
    if merged_hdr:
        problems.append(
            _p(
                "header.merged",
                "normalised",
                f"表头合并单元格：{'、'.join(merged_hdr)}；其值应用于所跨的每一列/行",
                f"merged header cells: {', '.join(merged_hdr)}; each value applied to every spanned column/row",
                row=hdr.first + 1,
                value=", ".join(merged_hdr),
            )
        )
    mapping = _map_columns(kind, hdr, allow_unknown, col_name)
    problems += mapping.problems
    if any(p.is_error for p in problems):
        _fail(problems)

    for r0, c0, r1, c1 in _fill_data_merges(sh, hdr.last):
        v = sh.grid[r0][c0]
        rng = _range_name(r0, c0, r1, c1)
        problems.append(
            _p(
                "row.merged_cell",
                "normalised",
                f"合并单元格 {rng}「{_short(v)}」的值已填入第{r0 + 1}–{r1 + 1}行",
                f"merged cell {rng} '{_short(v)}': value applied to rows {r0 + 1}–{r1 + 1}",
                row=r0 + 1,
                column=hdr.written[c0]
                if c0 < len(hdr.written) and hdr.written[c0]
                else _col_letter(c0),
                value=v,
            )
        )
    by_col: dict[int, list[tuple[int, str]]] = {}
    for (r, c), err in sorted(sh.errors.items()):
        if r > hdr.last and c in mapping.columns:
            by_col.setdefault(c, []).append((r + 1, err))
    for c, errs in sorted(by_col.items()):
        w = mapping.headers[mapping.columns[c]]
        r, err = errs[0]
        problems.append(
            _p(
                "cell.excel_error",
                "warning",
                f"第{col_name(c)}列「{w}」有{len(errs)}个 Excel 错误值（首个在第{r}行：{err}），请检查公式",
                f"column {col_name(c)} '{w}' holds {len(errs)} Excel error value(s) (first at row {r}: "
                f"{err}); check the formulas",
                row=r,
                column=w,
                value=err,
            )
        )
    start = hdr.last + 1
    body_rows = sh.grid[start:]
    width = max([len(hdr.written)] + [len(r) for r in body_rows])
    if width > len(hdr.written):
        mapping.unnamed += list(range(len(hdr.written), width))
    cols: dict[int, Any] = {}
    for j in range(width):
        arr = np.empty(len(body_rows), dtype=object)
        arr[:] = [r[j] if j < len(r) else None for r in body_rows]
        cols[j] = pd.Series(arr, dtype=object)
    body = pd.DataFrame(cols) if cols else pd.DataFrame(index=range(len(body_rows)))
    rows = np.arange(start + 1, start + 1 + len(body_rows), dtype=np.int64)
    return _finish(
        kind,
        body,
        rows,
        mapping,
        problems,
        source=source,
        encoding=None,
        sheet=sh.name,
        header_row=hdr.last + 1,
        col_name=col_name,
    )


# --------------------------------------------------------------------------------------------
# Parquet


def _read_parquet(path: Path, kind: Kind, allow_unknown: bool, sheet: str | None) -> RawTable:
    source = path.name
    try:
        df = pd.read_parquet(path)
    except Exception as e:
        _fatal(
            "file.unreadable",
            f"无法读取 Parquet 文件「{source}」：{e}",
            f"cannot read Parquet file '{source}': {e}",
            value=source,
        )
    if df.shape[1] == 0:
        _fatal(
            "file.empty",
            f"文件「{source}」没有任何列",
            f"file '{source}' has no columns",
            value=source,
        )
    names = [str(c) for c in df.columns]
    hdr = _find_header(kind, [names])
    if hdr is None:
        _fail([_no_header(kind, [names])])

    def col_name(j: int) -> str:
        return f"{j + 1}"

    problems = [] if sheet is None else [_sheet_ignored(sheet)]
    problems += [
        _p(
            "header.found",
            "normalised",
            "Parquet 列名作为表头（第1行），数据从第2行起编号",
            "Parquet column names used as the header (row 1); data rows are numbered from 2",
            row=1,
        )
    ]
    mapping = _map_columns(kind, hdr, allow_unknown, col_name)
    problems += mapping.problems
    if any(p.is_error for p in problems):
        _fail(problems)
    df = df.copy()
    df.columns = pd.RangeIndex(df.shape[1])
    df = df.reset_index(drop=True)
    rows = np.arange(2, 2 + len(df), dtype=np.int64)
    return _finish(
        kind,
        df,
        rows,
        mapping,
        problems,
        source=source,
        encoding=None,
        sheet=None,
        header_row=1,
        col_name=col_name,
    )


# --------------------------------------------------------------------------------------------
# entry point


def read_table(
    path: str | Path,
    kind: Kind | str,
    *,
    sheet: str | None = None,
    allow_unknown_columns: bool = False,
) -> RawTable:
    """Read ``path`` as records of ``kind``; raise :class:`JiqunError` for fatal file problems.

    Parameters
    ----------
    path: a ``.csv``, ``.txt``, ``.tsv``, ``.xlsx``, ``.xlsm`` or ``.parquet`` file.
    kind: a :class:`Kind` or its name (``"enterprises"``).
    sheet: worksheet to read (Excel only); by default the sheet with the best header.
    allow_unknown_columns: ignore columns that are not part of the standard (a warning each)
        instead of failing with an error each.
    """
    k = get_kind(kind) if isinstance(kind, str) else kind
    p = Path(path)
    source = p.name
    if not p.exists():
        _fatal("file.missing", f"文件不存在：{p}", f"file not found: {p}", value=str(p))
    if not p.is_file():
        _fatal("file.missing", f"不是文件：{p}", f"not a file: {p}", value=str(p))
    ext = p.suffix.lower()
    exts = ", ".join(SUPPORTED_EXTENSIONS)
    if ext == ".xls":
        _fatal(
            "file.extension",
            f"不支持旧版 Excel 97-2003 格式（.xls）：请在 Excel/WPS 中把「{source}」另存为 .xlsx；支持的格式：{exts}",
            f"old Excel 97-2003 files (.xls) are not supported: save '{source}' as .xlsx in "
            f"Excel/WPS; supported: {exts}",
            value=source,
        )
    if ext not in SUPPORTED_EXTENSIONS:
        _fatal(
            "file.extension",
            f"不支持的文件类型「{ext or '（无扩展名）'}」；支持的格式：{exts}（.xls 请另存为 .xlsx）",
            f"unsupported file type '{ext or '(none)'}'; supported: {exts} (save .xls as .xlsx)",
            value=source,
        )
    if p.stat().st_size == 0:
        _fatal(
            "file.empty",
            f"文件「{source}」为空（0字节）",
            f"file '{source}' is empty (0 bytes)",
            value=source,
        )
    if ext in _TEXT_EXT:
        return _read_text(p, k, allow_unknown_columns, sheet)
    if ext in _EXCEL_EXT:
        return _read_excel(p, k, allow_unknown_columns, sheet)
    return _read_parquet(p, k, allow_unknown_columns, sheet)
