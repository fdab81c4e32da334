"""The body below the header: blank, footer (注/数据来源/填表人), total (合计/小计) and
repeated-header rows are dropped and reported; :func:`finish` builds the :class:`RawTable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jiqun.standard.problems import Problem, Severity
from jiqun.standard.reader.cells import BLANK_CHARS, is_blank, text
from jiqun.standard.reader.columns import Mapping
from jiqun.standard.reader.headers import resolve
from jiqun.standard.reader.result import RawTable, fail, p, short
from jiqun.standard.schema import Kind

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


def _blank_values(s: pd.Series) -> np.ndarray:
    if s.dtype == object:
        return np.fromiter((is_blank(v) for v in s), dtype=bool, count=len(s))
    if isinstance(s.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(s.dtype):
        na = s.isna().to_numpy()
        stripped = s.str.strip(BLANK_CHARS)
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
        if not is_blank(v):
            return text(v)
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


def _repeat_candidates(body: pd.DataFrame, mapping: Mapping) -> np.ndarray:
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
    mapping: Mapping,
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
        row_probs.append((r, p(rule, severity, zh, en, row=r, value=value)))

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
                f"第{r}行是表尾说明，已删除：「{short(first)}」",
                f"row {r} is a footer note, dropped: '{short(first)}'",
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
        hits = sum(1 for j, f in mapping.columns.items() if resolve(kind, text(vals[j])) == f)
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
                p(
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
                p(
                    "column.unnamed",
                    "warning",
                    f"第{col_name(j)}列没有表头但有数据（首个在第{r}行：「{short(v)}」），该列已忽略",
                    f"column {col_name(j)} has no header but holds data (first at row {r}: '{short(v)}'); ignored",
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


def finish(
    kind: Kind,
    body: pd.DataFrame,
    rows: np.ndarray,
    mapping: Mapping,
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
            p(
                "file.no_data",
                "error",
                f"文件只有表头（第{header_row}行），没有数据行",
                f"the file has a header (row {header_row}) but no data rows",
                row=header_row,
            )
        )
    if any(p.is_error for p in problems):
        fail(problems)
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
