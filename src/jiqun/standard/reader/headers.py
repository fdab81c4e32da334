"""The header row: title rows above it, two-row (group label + field name) and vertically merged
headers, a units row or a repeated header row below it, and the notes reporting each decision.

:func:`find_header` searches the first :data:`HEADER_SCAN_ROWS` rows, :func:`no_header` explains
a failed search and :func:`header_notes` reports where the header was found and what was skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jiqun.standard.problems import Problem
from jiqun.standard.reader.cells import clean_header, is_blank, text
from jiqun.standard.reader.result import p, short
from jiqun.standard.schema import Kind

#: How many rows from the top are searched for the header row.
HEADER_SCAN_ROWS = 30

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


@dataclass
class Header:
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


def resolve(kind: Kind, text: str | None) -> str | None:
    if text is None:
        return None
    return kind.resolve_header(clean_header(text))


def _score(fields: Iterable[str | None]) -> int:
    return len({f for f in fields if f})


def _single(kind: Kind, row: Sequence[Any]) -> tuple[list[str | None], list[str | None]]:
    written = [text(v) for v in row]
    return written, [resolve(kind, w) for w in written]


def _pair(
    kind: Kind, upper: Sequence[Any], lower: Sequence[Any]
) -> tuple[list[str | None], list[str | None], list[int]]:
    """Resolve a two-row header column by column: lower, else upper+lower, else upper."""
    n = max(len(upper), len(lower))
    written: list[str | None] = []
    fields: list[str | None] = []
    joined: list[int] = []
    for j in range(n):
        u = text(upper[j]) if j < len(upper) else None
        lo = text(lower[j]) if j < len(lower) else None
        f = resolve(kind, lo)
        w = lo
        if f is None and u is not None and lo is not None and u != lo:
            cand = clean_header(u) + clean_header(lo)
            f = kind.resolve_header(cand)
            if f is not None:
                w = f"{u}{lo}"
                joined.append(j)
        if f is None and u is not None and (lo is None or lo == u or _is_unit_token(lo)):
            f = resolve(kind, u)
            if f is None or lo is None or lo == u:
                w = u if f is not None or lo is None else lo
            else:  # a unit below the name: keep it with the header so that it is read as the unit
                w = f"{u}（{clean_header(lo).strip('（）()[]【】')}）"
        written.append(w)
        fields.append(f)
    return written, fields, joined


def _vertical_merge(kind: Kind, upper: Sequence[Any], lower: Sequence[Any]) -> bool:
    """Whether some column holds the same field name in both rows (a filled vertical merge)."""
    for u, lo in zip(upper, lower, strict=False):
        t = text(u)
        if t is not None and t == text(lo) and resolve(kind, t) is not None:
            return True
    return False


def _is_unit_token(s: str | None) -> bool:
    if s is None:
        return False
    s = clean_header(s).strip("（）()[]【】")
    return s in _UNIT_TOKENS


def _threshold(kind: Kind) -> int:
    return min(2, len(kind.fields))


def find_header(kind: Kind, head: Sequence[Sequence[Any]]) -> Header | None:
    """Best header among the first :data:`HEADER_SCAN_ROWS` rows (ties: the first).

    A two-row header (group labels above field names) is taken when the pair resolves more
    fields than either row alone, or when the upper row repeats field names of the lower row
    (a vertically merged header cell, already filled in).
    """
    best: Header | None = None
    singles: list[int] = []
    limit = min(len(head), HEADER_SCAN_ROWS)
    for i in range(limit):
        written, fields = _single(kind, head[i])
        s = _score(fields)
        singles.append(s)
        cands = [Header(i, i, written, fields, s)]
        if i >= 1 and any(text(v) for v in head[i - 1]):
            pw, pf, joined = _pair(kind, head[i - 1], head[i])
            ps = _score(pf)
            if ps > max(singles[i - 1], s) or (
                ps >= s and _vertical_merge(kind, head[i - 1], head[i])
            ):
                cands.insert(0, Header(i - 1, i, pw, pf, ps, two_rows=True, joined=joined))
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
        cells = [(j, t) for j, v in enumerate(nxt) if (t := text(v)) is not None]
        if not cells:
            break
        if all(_is_unit_token(t) for _, t in cells):
            for j, t in cells:
                best.row_units[j] = clean_header(t).strip("（）()[]【】")
            best.extra_rows.append((best.last + 1, "units"))
        elif all(
            j < len(best.fields) and best.fields[j] and resolve(kind, t) == best.fields[j]
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
        cells = [t for t in (text(v) for v in row) if t is not None and not _is_number_like(t)]
        if len(cells) > len(best):
            best = cells
    return best


def _is_number_like(s: str) -> bool:
    return bool(re.fullmatch(r"[\d.,\s-]+", s))


def no_header(
    kind: Kind, head: Sequence[Sequence[Any]], where_zh: str = "", where_en: str = ""
) -> Problem:
    seen = _seen_headers(head)
    seen_s = "、".join(f"「{short(s, 30)}」" for s in seen[:20]) or "（无 none）"
    req_zh = "、".join(f"{f.zh}（{f.name}）" for f in kind.fields if f.required)
    req_en = ", ".join(f"{f.name} ({f.zh}, {f.en})" for f in kind.fields if f.required)
    return p(
        "header.not_found",
        "error",
        f"{where_zh}前{HEADER_SCAN_ROWS}行中未找到「{kind.zh}」的表头行。看到的表头：{seen_s}；"
        f"必填列应为：{req_zh}",
        f"{where_en}no header row for kind '{kind.name}' ({kind.en}) in the first "
        f"{HEADER_SCAN_ROWS} rows. Headers seen: {', '.join(seen[:20]) or '(none)'}; "
        f"required columns: {req_en}",
        value=", ".join(seen[:20]),
    )


def header_notes(
    hdr: Header,
    line_of: Callable[[int], int],
    head: Sequence[Sequence[Any]],
    col_name: Callable[[int], str],
) -> list[Problem]:
    probs: list[Problem] = []
    hrow = line_of(hdr.last if not hdr.extra_rows else hdr.extra_rows[0][0] - 1)
    first = line_of(hdr.first)
    titles = [text(next((v for v in head[i] if not is_blank(v)), None)) for i in range(hdr.first)]
    titles_s = "、".join(f"「{short(t, 40)}」" for t in titles if t)
    if first > 1:
        skipped = f"1–{first - 1}" if first > 2 else "1"
        probs.append(
            p(
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
            p(
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
            p(
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
                p(
                    "header.units_row",
                    "normalised",
                    f"第{r}行是表头下方的单位行，已读取单位并跳过",
                    f"row {r} is a units row below the header; units read, row skipped",
                    row=r,
                )
            )
        else:
            probs.append(
                p(
                    "header.extra_row",
                    "normalised",
                    f"第{r}行重复表头（如英文表头），已跳过",
                    f"row {r} repeats the header (e.g. English names); skipped",
                    row=r,
                )
            )
    return probs
