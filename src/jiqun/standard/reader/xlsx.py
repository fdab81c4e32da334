"""Excel workbooks (``.xlsx``/``.xlsm``): parts with a DTD refused (:func:`xlsx_dtd_part`), cells
read by python-calamine (openpyxl as fallback), Excel error values, merged header and data cells,
and the choice of worksheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from jiqun.standard.problems import Problem
from jiqun.standard.reader.body import finish
from jiqun.standard.reader.cells import col_letter, is_blank, text
from jiqun.standard.reader.columns import map_columns
from jiqun.standard.reader.encoding import CHUNK
from jiqun.standard.reader.headers import (
    HEADER_SCAN_ROWS,
    Header,
    find_header,
    header_notes,
    no_header,
)
from jiqun.standard.reader.result import RawTable, check_signature, fail, fatal, p, short
from jiqun.standard.schema import Kind

_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
#: a reference to an entity XML does not predefine (without a DTD none can be defined): a damaged
#: part. lxml, which openpyxl uses when installed, reads it as empty text instead of failing.
_UNDEFINED_ENTITY_RE = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)[A-Za-z_:][\w.:-]*;"
)


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
    return _first_part_matching(path, _DTD_RE)


def _first_part_matching(path: str | Path, pattern: re.Pattern[bytes]) -> str | None:
    """The first XML part of the workbook whose bytes match ``pattern`` (streamed, 1 MiB chunks
    with an overlap), or ``None``; ``None`` too for a file that is not a readable zip (the
    workbook reader reports that)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                tail = b""
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        if pattern.search(tail + chunk):
                            return info.filename
                        tail = chunk[-64:]
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
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
                while chunk := f.read(CHUNK // 2):
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
    return f"{col_letter(c0)}{r0 + 1}:{col_letter(c1)}{r1 + 1}"


# OLE2 (.xls or an encrypted workbook) and anything that is not a zip (see check_signature)
_NOT_XLSX: Final = (
    (
        b"\xd0\xcf\x11\xe0",
        True,
        "「{source}」是旧版 Excel（.xls）或已加密的工作簿，请在 Excel/WPS 中另存为未加密的 .xlsx",
        "'{source}' is an old Excel (.xls) or password-protected workbook; save it as an unencrypted .xlsx",
    ),
    (
        b"PK",
        False,
        "「{source}」不是有效的 .xlsx 工作簿（可能是改了扩展名的 CSV/HTML 文件）",
        "'{source}' is not a valid .xlsx workbook (perhaps a renamed CSV/HTML file)",
    ),
)


def read_excel(path: Path, kind: Kind, allow_unknown: bool, sheet: str | None) -> RawTable:
    source = path.name
    check_signature(path, _NOT_XLSX)
    part = xlsx_dtd_part(path)
    if part is not None:
        fatal(
            "file.dtd",
            f"工作簿「{source}」的部件 {part} 含有文档类型定义（DTD/实体声明），正常的 Excel/WPS "
            "文件不会有；为安全起见已拒绝，请在 Excel/WPS 中重新另存为 .xlsx",
            f"workbook '{source}' has a document type definition (DTD or entity declaration) in "
            f"part {part}, which no Excel/WPS file has; refused for safety: save it again as "
            ".xlsx in Excel/WPS",
            value=part,
        )
    damaged = _first_part_matching(path, _UNDEFINED_ENTITY_RE)
    if damaged is not None:
        fatal(
            "file.unreadable",
            f"无法读取工作簿「{source}」：部件 {damaged} 引用了未定义的 XML 实体（文件已损坏），"
            "请在 Excel/WPS 中重新另存为 .xlsx",
            f"cannot read workbook '{source}': part {damaged} refers to an undefined XML entity "
            "(a damaged file); save it again as .xlsx in Excel/WPS",
            value=damaged,
        )
    try:
        names, load = _open_workbook(path)
    except Exception as e:
        fatal(
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
                fatal(
                    "sheet.not_found",
                    f"工作簿中没有名为「{sheet}」的工作表；现有工作表：{sheets_s}",
                    f"no worksheet named '{sheet}'; worksheets: {', '.join(names)}",
                    value=sheet,
                )
            problems.append(
                p(
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

    chosen: tuple[_Sheet, Header, list[list[Any]]] | None = None
    empty_sheets = 0
    heads: list[tuple[str, list[list[Any]]]] = []  # (sheet, filled head) of each sheet checked
    with_header: list[str] = []  # sheets with a header of this kind
    for name in candidates:
        try:
            sh = load(name)
        except Exception as e:  # a damaged sheet part: the reader's message, never a crash
            fatal(
                "file.unreadable",
                f"无法读取工作簿「{source}」的工作表「{name}」：{e}",
                f"cannot read worksheet '{name}' of workbook '{source}': {e}",
                value=name,
            )
        if not any(not is_blank(v) for row in sh.grid for v in row):
            empty_sheets += 1
            continue
        head = _filled_head(sh, HEADER_SCAN_ROWS + 4)
        heads.append((name, head))
        hdr = find_header(kind, head)
        if hdr is not None:
            with_header.append(name)
        if hdr is not None and (chosen is None or hdr.score > chosen[1].score):
            chosen = (sh, hdr, head)
    if chosen is None:
        if empty_sheets == len(candidates):
            fatal(
                "file.empty",
                f"工作簿「{source}」" + (f"的工作表「{sheet}」" if sheet else "") + "没有任何数据",
                f"workbook '{source}'" + (f" sheet '{sheet}'" if sheet else "") + " has no cells",
                value=source,
            )
        per_sheet = [no_header(kind, h, f"工作表「{n}」", f"worksheet '{n}': ") for n, h in heads]
        if sheet is not None:
            fail(per_sheet)
        fail(
            [
                *per_sheet,
                p(
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
            p(
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
            p(
                "sheet.others",
                "warning",
                f"工作表{others_s}也像是「{kind.zh}」数据，但未读取；如需导入请用 sheet 参数逐个指定",
                f"worksheet(s) {', '.join(others)} also look like '{kind.name}' data but were not read; "
                "import each with the sheet option",
                value=", ".join(others),
            )
        )

    def col_name(j: int) -> str:
        return col_letter(j)

    problems += header_notes(hdr, lambda i: i + 1, head, col_name)
    hdr_rows = range(hdr.first, hdr.last + 1)
    merged_hdr = []
    for r0, c0, r1, c1 in sorted(sh.merged):
        if r0 in hdr_rows or r1 in hdr_rows or (r0 < hdr.first and r1 > hdr.last):
            v = sh.grid[r0][c0] if r0 < len(sh.grid) and c0 < len(sh.grid[r0]) else None
            merged_hdr.append(f"{_range_name(r0, c0, r1, c1)}「{short(text(v), 30)}」")
    if merged_hdr:
        problems.append(
            p(
                "header.merged",
                "normalised",
                f"表头合并单元格：{'、'.join(merged_hdr)}；其值应用于所跨的每一列/行",
                f"merged header cells: {', '.join(merged_hdr)}; each value applied to every spanned column/row",
                row=hdr.first + 1,
                value=", ".join(merged_hdr),
            )
        )
    mapping = map_columns(kind, hdr, allow_unknown, col_name)
    problems += mapping.problems
    if any(p.is_error for p in problems):
        fail(problems)

    for r0, c0, r1, c1 in _fill_data_merges(sh, hdr.last):
        v = sh.grid[r0][c0]
        rng = _range_name(r0, c0, r1, c1)
        problems.append(
            p(
                "row.merged_cell",
                "normalised",
                f"合并单元格 {rng}「{short(v)}」的值已填入第{r0 + 1}–{r1 + 1}行",
                f"merged cell {rng} '{short(v)}': value applied to rows {r0 + 1}–{r1 + 1}",
                row=r0 + 1,
                column=hdr.written[c0]
                if c0 < len(hdr.written) and hdr.written[c0]
                else col_letter(c0),
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
            p(
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
    return finish(
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
