"""Wide statistical tables (regions down, years or measures or industries across) read as
``region-stats``.

Officials download provincial figures from the NBS data portal (data.stats.gov.cn, 国家数据) and
copy tables out of statistical yearbooks. Both are *wide*: one row per region, one column per year
(or per measure, or per industry), the measure and its unit written once in a title line
(``指标：地区生产总值(亿元)``) or in the header. This module recognises that layout and melts it to
the canonical long rows of ``region-stats`` (region × industry × year × measure → value, unit),
so that the rest of the import pipeline (validation, unit conversion, writing) is unchanged.

What it understands:

* NBS portal exports: title lines ``数据库：…``, ``指标：…``, ``时间：…``; header
  ``地区,2024年,2023年,…``; empty cells for missing years; a ``注：`` footer whose continuation lines
  are indented with full-width spaces (U+3000); a last line ``数据来源：国家统计局``.
* Yearbook tables: a title with the year or the unit (``单位：亿元``, ``（亿元）``), one- or two-row
  headers (a merged top cell over years or over measures), columns that are years, measures
  (``地区生产总值``, ``第一产业``, …) or GB/T 4754 industries written by name.
* Stacked blocks as assembled in WPS (a measure written only in the first row of its block, a
  trailing ``i`` after the unit, years as floats ``2005.0``), in ``.xls``/``.xlsx`` read with
  python-calamine.

Region names become GB/T 2260 codes: official names (``新疆维吾尔自治区``), short names (``新疆``,
``内蒙古``, ``苏州``), ``全国`` (:data:`~jiqun.standard.schema.NATION_CODE`) and names that changed
(:data:`RENAMED`). A name that fits several divisions is refused with one error naming the row, the
value and the candidates. Columns without an industry are region totals
(:data:`~jiqun.standard.schema.TOTAL_INDUSTRY`). Every dropped line (title, header, footer) and
every name that was not written officially is reported.

References
----------
National Bureau of Statistics, 国家数据 data portal export format (data.stats.gov.cn);
GB/T 2260 administrative division codes (``src/jiqun/reference/data/admin_divisions_cn_2023.csv``);
SDMX Content-Oriented Guidelines, code ``_T`` for totals.

Example
-------
>>> from jiqun.standard.reader.wide import read_wide
>>> t = read_wide("分省年度数据_地区生产总值.csv")  # doctest: +SKIP
>>> t.layout["measure"], t.layout["unit"], t.layout["regions"]  # doctest: +SKIP
('gdp', '亿元', '31')
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from jiqun import reference
from jiqun.standard.datafiles import section
from jiqun.standard.problems import Problem, Severity
from jiqun.standard.reader.encoding import detect_encoding, encoding_note
from jiqun.standard.reader.result import RawTable, fail, fatal, p
from jiqun.standard.schema import (
    MEASURE_ALIASES,
    MEASURES,
    NATION_CODE,
    TOTAL_INDUSTRY,
    get_kind,
)

#: The data file of the tables below (``jiqun/standard/data/wide.yaml``).
_DATA = "wide.yaml"

#: Headers of the region column.
REGION_HEADERS: tuple[str, ...] = section(_DATA, "region_headers")

#: Names that changed (old name -> new code), each with its source. Only one-to-one changes: a
#: division that was merged or split (e.g. 巢湖市 2011, 莱芜市 2019) cannot be mapped and is refused.
RENAMED: dict[str, tuple[str, str]] = section(_DATA, "renamed")

#: Spellings of the whole country.
NATION_NAMES: tuple[str, ...] = section(_DATA, "nation_names")

#: Endings of province names, longest first; a province is also found by its name without one.
_PROVINCE_SUFFIXES: tuple[str, ...] = section(_DATA, "province_suffixes")

_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\.0+)?\s*(?:年|年度)?(?!\d)")
_UNIT_RE = re.compile(r"[（(]\s*(?:单位[:：])?\s*([^（()）]{1,8})\s*[)）]")
_UNIT_WORD = re.compile(
    r"%|‰|[千万亿百]*元|[千万百]*人|个|家|户|[万]*吨|[万亿]*千瓦时|公顷|平方米|元/人|[万亿]*美元"
)
_RATE_RE = re.compile(r"增长|增速|比上年|同比|环比|%")
_UNIT_LINE_RE = re.compile(r"单位\s*[:：]\s*([^\s,，;；)）]{1,8})")
_FOOTER_RE = re.compile(r"^\s*(注[:：]|注\d|数据来源|资料来源|来源[:：]|说明[:：]|备注)")
_SOURCE_RE = re.compile(r"^\s*(数据来源|资料来源|来源)[:：](.*)$")
_SCAN = 20
_DETECT_ROWS = 120  # rows read to decide whether a file is a wide table


@dataclass
class WideLayout:
    """What :func:`read_wide` understood of the file (shown by ``jiqun validate``)."""

    header_rows: list[int] = field(default_factory=list)  # 1-based
    measure: str | None = None  # from the 指标 line, the title or the flag
    unit: str | None = None
    years: list[int] = field(default_factory=list)
    regions: int = 0
    source: str | None = None

    def as_dict(self) -> dict[str, str]:
        ys = sorted(set(self.years))
        return {
            "layout": "wide",
            "measure": self.measure or "",
            "unit": self.unit or "",
            "years": f"{ys[0]}–{ys[-1]} ({len(ys)})" if ys else "",
            "regions": str(self.regions),
        }


def _norm(s: object) -> str:
    """Cell text: NFKC (full-width to half-width), no spaces of any width."""
    if s is None:
        return ""
    if isinstance(s, float):
        if s != s:
            return ""
        if s.is_integer():
            return str(int(s))
    t = unicodedata.normalize("NFKC", str(s))
    return re.sub(r"\s+", "", t)


# ------------------------------------------------------------------------------------------------
# regions
# ------------------------------------------------------------------------------------------------


@cache
def _region_index() -> dict[str, frozenset[str]]:
    """Name -> GB/T 2260 codes: official names, full names with parents, short names."""
    idx: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        idx.setdefault(_norm(name), set()).add(code)

    df = reference.regions()
    for code, name, level, full in zip(
        df["code"], df["name"], df["level"], df["full_name"], strict=True
    ):
        add(name, code)
        add(full, code)
        if level == "province":
            for suf in _PROVINCE_SUFFIXES:
                if name.endswith(suf) and len(name) > len(suf) + 1:
                    add(name[: -len(suf)], code)
                    break
        elif level == "prefecture":
            for suf in ("市", "地区", "盟"):
                if name.endswith(suf) and len(name) - len(suf) >= 2:
                    add(name[: -len(suf)], code)
                    break
    for n in NATION_NAMES:
        add(n, NATION_CODE)
    return {k: frozenset(v) for k, v in idx.items()}


@dataclass
class RegionMatch:
    """One region name resolved: the code, or why not."""

    code: str | None
    how: str  # "official", "short", "renamed", "context", "ambiguous", "unknown"
    candidates: tuple[str, ...] = ()
    note: str = ""


def match_region(
    name: str, *, prefer_level: str | None = None, within: str | None = None
) -> RegionMatch:
    """GB/T 2260 code of a region name as statistical tables write it.

    Parameters
    ----------
    name:
        ``新疆维吾尔自治区``, ``新疆``, ``全国``, ``江苏省苏州市``, ``襄樊市`` …
    prefer_level:
        When the name fits several divisions and exactly one is of this level (``"province"``
        in a table of provinces), that one is taken.
    within:
        Only divisions whose code starts with this prefix (``"3205"``: inside 苏州市), as when
        a registry export names the province, the city and the district in three columns.

    Returns
    -------
    RegionMatch
        ``code`` is ``None`` when the name is unknown or ambiguous (``candidates`` lists the
        codes it fits).

    Example
    -------
    >>> match_region("新疆").code, match_region("全国").code
    ('650000', '100000')
    >>> match_region("吉林").how, match_region("吉林", prefer_level="province").code
    ('ambiguous', '220000')
    >>> match_region("鼓楼区").how, match_region("鼓楼区", within="3201").code
    ('ambiguous', '320106')
    """
    key = _norm(name)
    if key in RENAMED or key + "市" in RENAMED:
        code, src = RENAMED.get(key) or RENAMED[key + "市"]
        if not within or code.startswith(within):
            return RegionMatch(code, "renamed", (code,), src)
    codes = _region_index().get(key, frozenset())
    if within:
        codes = frozenset(c for c in codes if c.startswith(within))
    if len(codes) == 1:
        code = next(iter(codes))
        official = code == NATION_CODE or key == _norm(reference.region_name(code) or "")
        return RegionMatch(code, "official" if official else "short", (code,))
    if len(codes) > 1:
        cands = tuple(sorted(codes))
        if prefer_level:
            fit = [c for c in cands if reference.region_level(c) == prefer_level]
            if len(fit) == 1:
                return RegionMatch(fit[0], "context", cands)
        return RegionMatch(None, "ambiguous", cands)
    return RegionMatch(None, "unknown")


# ------------------------------------------------------------------------------------------------
# measures, industries, years
# ------------------------------------------------------------------------------------------------


@cache
def _measure_index() -> dict[str, str]:
    idx = {_norm(zh): m for m, (zh, _en, _u) in MEASURES.items()}
    idx.update({_norm(m): m for m in MEASURES})
    idx.update({_norm(k): v for k, v in MEASURE_ALIASES.items()})
    return idx


@cache
def _industry_index() -> dict[str, str]:
    ind = reference.industries()
    idx: dict[str, set[str]] = {}
    for code, name, level in zip(ind["code"], ind["name"], ind["level"], strict=True):
        if int(level) <= 2:
            idx.setdefault(_norm(name), set()).add(code)
    return {k: next(iter(v)) for k, v in idx.items() if len(v) == 1}


def _region_problem(mt: RegionMatch, name: object, rown: int) -> Problem | None:
    """What the region cell of row ``rown`` reports: a name that was not written officially
    (normalised), an ambiguous or an unknown name (errors); ``None`` for an official name."""
    severity: Severity = "error"
    if mt.how in ("short", "renamed", "context"):
        why = {
            "short": ("简称", "short name"),
            "renamed": (f"旧名（{mt.note}）", f"former name ({mt.note})"),
            "context": (
                "按本表为省级表取省级",
                "taken at province level as the table is of provinces",
            ),
        }[mt.how]
        full = reference.region_name(mt.code or "") or ""
        rule, severity = "region.name", "normalised"
        zh = f"第{rown}行地区「{name}」（{why[0]}）记为 {mt.code} {full}"
        en = f"row {rown}: region '{name}' ({why[1]}) recorded as {mt.code} {full}"
    elif mt.how == "ambiguous":
        cands = "、".join(f"{c} {reference.region_name(c, full=True) or ''}" for c in mt.candidates)
        rule = "region.ambiguous"
        zh = f"第{rown}行地区「{name}」有歧义，可能是：{cands}；请写全称或代码"
        en = f"row {rown}: region '{name}' is ambiguous, it may be: {cands}; write the full name or the code"
    elif mt.how == "unknown":
        rule = "region.unknown"
        zh = f"第{rown}行地区「{name}」不是 GB/T 2260 中的地区名称"
        en = f"row {rown}: region '{name}' is not a GB/T 2260 division name"
    else:
        return None
    return p(rule, severity, zh, en, row=rown, column="region_code", value=name)


def split_label(text: str) -> tuple[str, str | None, bool]:
    """Label without its unit: ``一般公共预算支出（亿元）i`` -> (``一般公共预算支出``, ``亿元``, True).

    The third value says whether a trailing ``i`` artefact (WPS) was removed.
    """
    t = unicodedata.normalize("NFKC", str(text)).strip()
    artefact = False
    m = re.search(r"\)\s*i$", t)
    if m:
        t = t[: m.start() + 1]
        artefact = True
    unit = None
    # The last bracket that holds a unit: "固定资产投资(不含农户)(亿元)" -> 亿元, not 不含农户.
    for um in reversed(list(_UNIT_RE.finditer(t))):
        if _UNIT_WORD.fullmatch(um.group(1).strip()):
            unit = um.group(1).strip()
            t = t[: um.start()] + t[um.end() :]
            break
    return _norm(t), unit, artefact


def match_measure(label: str) -> str | None:
    """Measure id of a label (unit removed), or ``None``.

    Example
    -------
    >>> match_measure("地区生产总值(亿元)"), match_measure("第一产业"), match_measure("人口")
    ('gdp', 'va_primary', None)
    """
    name, _unit, _a = split_label(label)
    name = re.sub(r"^(各地区|分地区|地区)(?=.)", "", name) if name != "地区生产总值" else name
    idx = _measure_index()
    if name in idx:
        return idx[name]
    if "地区" + name in idx:
        return idx["地区" + name]
    return None


def _year_of(text: str) -> int | None:
    m = _YEAR_RE.search(unicodedata.normalize("NFKC", text))
    return int(m.group(1)) if m else None


def _is_year_cell(text: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d{2}(\.0+)?(年|年度)?", _norm(text)))


def _is_number(text: str) -> bool:
    t = _norm(text).replace(",", "")
    try:
        float(t)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# reading the grid
# ------------------------------------------------------------------------------------------------


def _decode_head(head: bytes) -> str | None:
    """The first bytes decoded strictly as UTF-8 or GB18030 (a character cut at the end dropped)."""
    for codec in ("utf-8-sig", "gb18030"):
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(codec)
            except UnicodeDecodeError:
                continue
    return None


def _grid_text(path: Path, limit: int | None = None) -> tuple[list[list[str]], Problem | None]:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if limit is not None:
        # Detection only: the first lines are enough, whatever the size of the file; the
        # encoding is settled properly by the reader that then reads the whole file.
        text = _decode_head(head)
        if text is None:
            return [], None
        lines = text.splitlines()[:limit]
        rows = list(
            csv.reader(lines, delimiter="\t" if text.count("\t") > text.count(",") else ",")
        )
        return rows, None
    size = path.stat().st_size
    enc = detect_encoding(path, head, size, path.name)
    text = path.read_bytes()[enc.bom :].decode(enc.codec)
    sample = text[:4096]
    delim = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)]
    return rows, encoding_note(enc)


def _grid_excel(
    path: Path, sheet: str | None, limit: int | None = None
) -> tuple[list[list[object]], str]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    names = [sheet] if sheet else list(wb.sheet_names)
    for n in names:
        if n not in wb.sheet_names:
            fatal(
                "sheet.missing",
                f"工作表「{n}」不存在",
                f"sheet '{n}' does not exist",
                value=n,
            )
        ws = wb.get_sheet_by_name(n)
        rows = list(itertools.islice(ws.iter_rows(), limit)) if limit else ws.to_python()
        if rows:
            return [list(r) for r in rows], n
    return [], names[0] if names else ""


def grid_of(
    path: str | Path, sheet: str | None = None, limit: int | None = None
) -> tuple[list[list[str]], list[Problem], str | None]:
    """The cells of a CSV/TXT/TSV or a workbook as text (whole floats as integers).

    Parameters
    ----------
    path: the file; sheet: the worksheet (workbooks); limit: read only the first rows.

    Returns
    -------
    (rows of cell text, the encoding note, the sheet read).
    """
    p_ = Path(path)
    problems: list[Problem] = []
    used: str | None = None
    raw: list[list[object]]
    if p_.suffix.lower() in (".csv", ".txt", ".tsv"):
        txt, note = _grid_text(p_, limit)
        raw = [[*row] for row in txt]
        if note is not None:
            problems.append(note)
    else:
        raw, used = _grid_excel(p_, sheet, limit)
    grid: list[list[str]] = []
    for r in raw:
        row = []
        for c in r:
            if c is None:
                row.append("")
            elif isinstance(c, float) and c.is_integer():
                row.append(str(int(c)))
            else:
                row.append(str(c).strip("\r\n"))
        grid.append(row)
    return grid, problems, used


def _region_column(grid: list[list[str]], start: int) -> int | None:
    """The column (0–3) where most cells below ``start`` are region names."""
    best, best_n = None, 0
    for j in range(4):
        n = sum(
            1
            for r in grid[start : start + 60]
            if len(r) > j and _region_index().get(_norm(r[j])) is not None
        )
        if n > best_n:
            best, best_n = j, n
    return best


def _header_row(grid: list[list[str]], rcol: int) -> int | None:
    """First row (0-based) that heads the value columns: years, measures or industries."""
    for i, r in enumerate(grid[:_SCAN]):
        cells = [c for j, c in enumerate(r) if j != rcol and _norm(c)]
        if not cells:
            continue
        hits = sum(
            1
            for c in cells
            if _is_year_cell(c) or match_measure(c) or split_label(c)[0] in _industry_index()
        )
        is_region = _region_index().get(_norm(r[rcol] if rcol < len(r) else "")) is not None
        has_values = any(_is_number(c) and not _is_year_cell(c) for c in cells[1:])
        if hits >= 1 and not is_region and not has_values:
            return i
    return None


def detect_wide(path: str | Path, sheet: str | None = None) -> bool:
    """Whether ``path`` is a wide table of regions (cheap: reads the grid, no validation).

    Example
    -------
    >>> detect_wide("分省年度数据_地区生产总值.csv")  # doctest: +SKIP
    True
    """
    try:
        grid, _pr, _s = grid_of(path, sheet, limit=_DETECT_ROWS)
    except Exception:
        return False
    rcol = _region_column(grid, 0)
    if rcol is None:
        return False
    h = _header_row(grid, rcol)
    if h is None:
        return False
    # A long table names its columns (地区代码, 年份, 指标, 数值); a wide one has years/measures.
    kind = get_kind("region-stats")
    named = sum(1 for c in grid[h] if kind.resolve_header(c) is not None)
    return named < 3


def read_wide(
    path: str | Path,
    *,
    sheet: str | None = None,
    measure: str | None = None,
    unit: str | None = None,
    year: int | None = None,
) -> RawTable:
    """Read a wide table of regions as ``region-stats`` long rows.

    Parameters
    ----------
    path:
        ``.csv``/``.txt``/``.tsv`` (any encoding the reader detects, GB18030 included),
        ``.xlsx``/``.xlsm``/``.xls``.
    sheet:
        Worksheet (workbooks only); default the first non-empty one.
    measure, unit, year:
        Used when the file does not say (no ``指标：`` line, no year in the header or title).

    Returns
    -------
    RawTable
        Columns ``region_code``, ``industry_code``, ``year``, ``measure``, ``value``, ``unit``,
        ``source`` as text, one row per non-empty value cell; ``rows`` the source row of each;
        ``layout`` what was understood (measure, unit, years, regions).

    Raises
    ------
    JiqunError
        When no region column or no header can be found, or no measure is known.

    Example
    -------
    >>> t = read_wide("分省年度数据_地区生产总值.csv")  # doctest: +SKIP
    >>> t.data.iloc[0].to_dict()  # doctest: +SKIP
    {'region_code': '110000', 'industry_code': '_T', 'year': '2024', 'measure': 'gdp', ...}
    """
    path = Path(path)
    kind = get_kind("region-stats")
    grid, problems, used_sheet = grid_of(path, sheet)
    source = path.name
    rcol = _region_column(grid, 0)
    if rcol is None:
        fatal(
            "wide.regions",
            f"「{source}」中找不到地区名称列（如 北京市、新疆）",
            f"no column of region names (北京市, 新疆, …) found in '{source}'",
            problems,
            value=source,
        )
    h = _header_row(grid, rcol)
    if h is None:
        fatal(
            "wide.header",
            f"「{source}」中找不到年份或指标表头（如 地区,2024年,2023年）",
            f"no header of years or measures (地区,2024年,2023年) found in '{source}'",
            problems,
            value=source,
        )
    layout = WideLayout()
    # --- title lines above the header
    title_measure: str | None = None
    title_unit: str | None = None
    title_year: int | None = None
    for i in range(h):
        line = "".join(c for c in grid[i] if c).strip()
        if not line:
            continue
        k = _norm(line)
        m = re.match(r"^(数据库|指标|时间|地区|单位)[:：](.*)$", k)
        if m and m.group(1) == "指标":
            name, u, _a = split_label(m.group(2))
            title_measure = match_measure(m.group(2)) or name
            title_unit = u or title_unit
        elif m and m.group(1) == "单位":
            title_unit = m.group(2) or title_unit
        else:
            if title_measure is None and match_measure(line):
                title_measure = match_measure(line)
            um = _UNIT_LINE_RE.search(unicodedata.normalize("NFKC", line))
            if um:
                title_unit = um.group(1)
            elif not m:
                _n, u, _a = split_label(line)
                title_unit = u or title_unit
            y = _year_of(line) if not (m and m.group(1) == "时间") else None
            title_year = y or title_year
        problems.append(
            p(
                "wide.title",
                "normalised",
                f"第{i + 1}行是标题行，已读取后跳过：「{line}」",
                f"row {i + 1} is a title line, read and skipped: '{line}'",
                row=i + 1,
                value=line,
            )
        )
    layout.measure = (match_measure(measure) or measure) if measure else title_measure
    if layout.measure and layout.measure not in MEASURES and _RATE_RE.search(layout.measure):
        fatal(
            "wide.rate",
            f"「{source}」的指标「{layout.measure}」是增长率，地区统计只保存总量；请导出总量指标"
            f"（如 固定资产投资额），增长率由 Jiqun 计算",
            f"the measure of '{source}' ('{layout.measure}') is a growth rate; region statistics "
            "store levels only: export the level (e.g. fixed-asset investment) and let Jiqun "
            "compute growth",
            problems,
            column="measure",
            value=layout.measure,
        )
    layout.unit = unit or title_unit
    # --- header: one row, or two when the next row labels the value columns
    width = max(len(r) for r in grid)
    top = [*(grid[h]), *([""] * (width - len(grid[h])))]
    header_rows = [h]
    nxt = grid[h + 1] if h + 1 < len(grid) else []
    nxt = [*nxt, *([""] * (width - len(nxt)))]
    if (
        not _norm(nxt[rcol])
        and any(_norm(c) for j, c in enumerate(nxt) if j != rcol)
        and not any(_is_number(c) and not _is_year_cell(c) for j, c in enumerate(nxt) if j != rcol)
    ):
        header_rows.append(h + 1)
    labels: list[str] = []
    last = ""
    for j in range(width):
        t = top[j] if _norm(top[j]) else (last if j > rcol else "")
        if j > rcol and _norm(top[j]):
            last = top[j]
        lab = t
        if len(header_rows) == 2 and _norm(nxt[j]):
            lab = f"{t} {nxt[j]}".strip()
        labels.append(lab)
    layout.header_rows = [r + 1 for r in header_rows]
    # --- the value columns: year, measure, unit, industry of each
    cols: list[tuple[int, int | None, str | None, str | None, str | None]] = []
    for j in range(rcol + 1, width):
        lab = labels[j]
        if not _norm(lab):
            continue
        parts = lab.split(" ") if len(header_rows) == 2 else [lab]
        y = None
        m_id: str | None = None
        u = None
        ind: str | None = None
        for part in parts:
            if _is_year_cell(part):
                y = int(_norm(part)[:4])
                continue
            nm, uu, _a = split_label(part)
            u = uu or u
            m_id = match_measure(part) or m_id
            if m_id is None and nm in _industry_index():
                ind = _industry_index()[nm]
            if y is None:
                y = _year_of(part) if nm not in _measure_index() else None
        if y is None and m_id is None and ind is None:
            continue
        cols.append((j, y, m_id, u, ind))
    if not cols:
        fatal(
            "wide.header",
            f"「{source}」的表头中没有年份、指标或行业列",
            f"no year, measure or industry columns in the header of '{source}'",
            problems,
            value=source,
        )
    for hr in header_rows:
        problems.append(
            p(
                "wide.header",
                "normalised",
                f"第{hr + 1}行是宽表表头（地区向下，年份/指标向右），已转为长表",
                f"row {hr + 1} is the header of a wide table (regions down, years/measures across); melted to long rows",
                row=hr + 1,
                value="，".join(c for c in grid[hr] if c)[:60],
            )
        )
    # --- body rows
    # Measure written in its own column (stacked blocks): text cells left of the values.
    first_val = min(j for j, *_ in cols)
    side_cols = [j for j in range(first_val) if j != rcol]
    out: dict[str, list[object]] = {f.name: [] for f in kind.fields}
    out_rows: list[int] = []
    prov = 0
    nonprov = 0
    for r in grid[h + 1 : h + 80]:
        if len(r) > rcol:
            mt = match_region(r[rcol])
            if mt.code and mt.code != NATION_CODE:
                if reference.region_level(mt.code) == "province":
                    prov += 1
                else:
                    nonprov += 1
    prefer = "province" if prov and not nonprov else None
    in_footer = False
    block_measure: str | None = None
    block_unit: str | None = None
    side_label = ""
    regions: set[str] = set()
    # The source line comes last, after the values it applies to: read it first.
    src: str | None = None
    for r in grid[h:]:
        sm = _SOURCE_RE.match(unicodedata.normalize("NFKC", "".join(c for c in r if c)))
        if sm and sm.group(2).strip():
            src = sm.group(2).strip()[:300]
    for i in range(header_rows[-1] + 1, len(grid)):
        r = [*grid[i], *([""] * (width - len(grid[i])))]
        rown = i + 1
        first = next((c for c in r if _norm(c)), "")
        line = "".join(c for c in r if c).strip()
        if not line:
            continue
        if (
            in_footer
            or _FOOTER_RE.match(unicodedata.normalize("NFKC", first))
            or first.startswith("\u3000")
        ):
            in_footer = True
            problems.append(
                p(
                    "wide.footer",
                    "normalised",
                    f"第{rown}行是表注或来源，已跳过：「{line}」",
                    f"row {rown} is a note or source line, skipped: '{line}'",
                    row=rown,
                    value=line,
                )
            )
            continue
        for j in side_cols:
            if _norm(r[j]) and not _is_number(r[j]) and r[j] != side_label:
                side_label = r[j]
                nm, uu, art = split_label(r[j])
                block_measure = match_measure(r[j]) or nm
                block_unit = uu
                if art:
                    problems.append(
                        p(
                            "wide.artefact",
                            "normalised",
                            f"第{rown}行指标名称末尾的「i」已去掉：「{r[j]}」",
                            f"row {rown}: trailing 'i' removed from the measure name '{r[j]}'",
                            row=rown,
                            value=r[j],
                        )
                    )
        name = r[rcol]
        if not _norm(name):
            if any(_norm(r[j]) for j, *_ in cols):
                problems.append(
                    p(
                        "wide.region",
                        "error",
                        f"第{rown}行没有地区名称，该行的数值未导入",
                        f"row {rown} has no region name; its values were not imported",
                        row=rown,
                        column="region_code",
                    )
                )
            continue
        mt = match_region(name, prefer_level=prefer)
        code = mt.code
        note = _region_problem(mt, name, rown)
        if note is not None:
            problems.append(note)
        if code:
            regions.add(code)
        for j, y, m_id, u, ind in cols:
            v = _norm(r[j]).replace(",", "")
            if not v or v in ("-", "—", "…", "...", "/"):
                continue  # the portal leaves a cell empty for a year not (yet) published
            yy = y or year or title_year
            mm = m_id or block_measure or layout.measure
            uu = u or block_unit or layout.unit
            out["region_code"].append(code)
            out["industry_code"].append(ind or TOTAL_INDUSTRY)
            out["year"].append(None if yy is None else str(yy))
            out["measure"].append(mm)
            out["value"].append(v)
            out["unit"].append(uu)
            out["source"].append(src)
            out_rows.append(rown)
            if yy is not None:
                layout.years.append(yy)
            if mm and layout.measure is None:
                layout.measure = mm
            if uu and layout.unit is None:
                layout.unit = uu
    layout.regions = len(regions)
    layout.source = src
    if not out_rows and any(x.is_error for x in problems):
        fail(problems)
    data = pd.DataFrame({k: pd.array(v, dtype="str") for k, v in out.items()})
    problems.append(
        p(
            "wide.layout",
            "normalised",
            f"宽表：指标 {layout.measure or '？'}，单位 {layout.unit or '？'}，年份 "
            f"{layout.as_dict()['years'] or '？'}，地区 {layout.regions} 个，共 {len(out_rows)} 个数值",
            f"wide table: measure {layout.measure or '?'}, unit {layout.unit or '?'}, years "
            f"{layout.as_dict()['years'] or '?'}, {layout.regions} regions, {len(out_rows)} values",
            value=source,
        )
    )
    raw = RawTable(
        kind=kind,
        data=data,
        rows=np.asarray(out_rows, dtype=np.int64),
        headers={f.name: f.zh for f in kind.fields},
        units={},
        problems=problems,
        source=source,
        encoding=next((x.value for x in problems if x.rule == "file.encoding"), None),
        sheet=used_sheet,
    )
    raw.layout = layout.as_dict()
    return raw
