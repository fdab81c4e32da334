"""Delimited text files (``.csv``, ``.tsv``, ``.txt``): the header searched in the decoded head
under each delimiter, then the body read by pyarrow, pandas or the exact csv-module reader, with
the physical line number of each record.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from jiqun.standard.problems import Problem
from jiqun.standard.reader.body import finish
from jiqun.standard.reader.cells import col_letter
from jiqun.standard.reader.columns import map_columns
from jiqun.standard.reader.encoding import Encoding, detect_encoding, encoding_note
from jiqun.standard.reader.headers import (
    HEADER_SCAN_ROWS,
    Header,
    find_header,
    header_notes,
    no_header,
)
from jiqun.standard.reader.result import (
    RawTable,
    check_signature,
    fail,
    fatal,
    p,
    sheet_ignored,
)
from jiqun.standard.schema import Kind

_DELIMITERS = (",", "\t", ";", "|")  # the full-width comma "，" is never a delimiter
_DELIM_NAMES = {",": "逗号 comma", "\t": "制表符 tab", ";": "分号 semicolon", "|": "竖线 pipe"}
_HEAD_BYTES = 1 << 20  # bytes decoded for header detection (grown if the lines are very long)

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass
class _Head:
    lines: list[str]  # physical lines (with their line endings) of the decoded head
    complete: bool  # whether the head is the whole file


def _read_head(path: Path, enc: Encoding, size: int, want_lines: int) -> _Head:
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


# Workbooks renamed to .csv/.txt: refused with the fix (see check_signature)
_NOT_TEXT: Final = (
    (
        b"PK\x03\x04",
        True,
        "「{source}」实际上是 Excel 工作簿（.xlsx），请把扩展名改为 .xlsx",
        "'{source}' is actually an Excel workbook (.xlsx); rename it to .xlsx",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        True,
        "「{source}」实际上是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx",
        "'{source}' is actually an old Excel (.xls) file; save it as .xlsx in Excel/WPS",
    ),
)


def read_text(path: Path, kind: Kind, allow_unknown: bool, sheet: str | None) -> RawTable:
    source = path.name
    size = path.stat().st_size
    check_signature(path, _NOT_TEXT)
    with open(path, "rb") as f:
        head_bytes = f.read(_HEAD_BYTES)
    enc = detect_encoding(path, head_bytes, size, source)
    problems: list[Problem] = [encoding_note(enc)]
    if sheet is not None:
        problems.append(sheet_ignored(sheet))
    want = HEADER_SCAN_ROWS + 4
    head = _read_head(path, enc, size, want * 2)
    if head.complete and not re.sub(r'[\s,;|"\u00a0\u3000\u200b\ufeff]+', "", "".join(head.lines)):
        fatal(
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
    best: tuple[int, str, list[list[str | None]], list[int], list[int], Header | None] | None = None
    for d in order:
        recs, starts, ends = _parse_head(head.lines, d, want)
        hdr = find_header(kind, recs)
        s = hdr.score if hdr else 0
        if best is None or s > best[0]:
            best = (s, d, recs, starts, ends, hdr)
    assert best is not None
    _, delim, recs, starts, ends, hdr = best
    if hdr is None:
        # headers seen: use the delimiter that splits the lines into the most cells
        d = max(order, key=lambda d: sum(len(r) for r in _parse_head(head.lines, d, want)[0]))
        fail([*problems, no_header(kind, _parse_head(head.lines, d, want)[0])])

    def col_name(j: int) -> str:
        return col_letter(j)

    problems.append(
        p(
            "file.delimiter",
            "normalised",
            f"分隔符：{_DELIM_NAMES[delim]}",
            f"delimiter: {_DELIM_NAMES[delim].split()[1]}",
            value=delim,
        )
    )
    problems += header_notes(hdr, lambda i: starts[i], recs, col_name)
    mapping = map_columns(kind, hdr, allow_unknown, col_name)
    problems += mapping.problems
    header_row = ends[hdr.last]
    if any(p.is_error for p in problems):
        fail(problems)

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
    return finish(
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
    enc: Encoding,
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
    path: Path, enc: Encoding, offset: int, delim: str, width: int
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
    path: Path, enc: Encoding, offset: int, delim: str, width: int
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
    path: Path, enc: Encoding, offset: int, delim: str, width: int, first_line: int
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
