"""Enterprise-registry exports (企查查, 天眼查) read as ``enterprises``, and the stock exchanges'
lists of listed firms read as ``listed-companies``.

Officials rarely type a firm list: they paste names into a commercial registry service and
download what it matched. Those exports have their own headers and conventions; this module
recognises the layout by its headers and rewrites each row into the canonical fields, so that the
rest of the import pipeline (validation, writing) is unchanged. Every decision is reported.

Registry exports (``enterprises``):

* 企查查 batch-match export (``原文件导入名称``, ``系统匹配企业名称``, ``登记状态``, ``国标行业门类`` …)
  and 天眼查-style export (``企业名称``, ``经营状态``, ``所属行业``, ``一级行业分类`` …);
* ``-`` is an empty cell; a row of a name the service could not match (``未匹配到相关企业``) is
  skipped and reported with its row number;
* 注册资本 ``50万元`` / ``100万美元`` → ``registered_capital`` (in 万 of its own currency, never
  converted at an exchange rate) + ``registered_capital_currency`` (ISO 4217);
* 营业期限 ``2020-01-02 至 无固定期限`` → ``operating_term_start`` / ``operating_term_end``;
* 国标行业 names (门类/大类/中类/小类) → the GB/T 4754-2017 code of the deepest level given, each
  name matched *exactly* (width and spaces aside) against the shipped code list at its level and
  checked against the level above; an unknown name is a per-row error, never a guess;
* 所属省份/城市/区县 names → a GB/T 2260 code, each level looked up inside the one above with
  :func:`~jiqun.standard.reader.wide.match_region` (so 鼓楼区 in 南京市 is 320106);
* 登记状态/经营状态 → ``status``; 参保人数 → ``employees`` with 参保人数所属年报 →
  ``employees_year``; honour columns (``专精特新“小巨人”企业``, ``专精特新中小企业``) → ``tags``.

Exchange lists (``listed-companies``): the SSE list (``sse_GPLIST.xls``, legacy ``.xls`` read with
python-calamine) and the SZSE A-share list (``A股列表.xlsx``): header names padded with spaces
(``地      区``), codes stored as numbers (``1`` → ``000001``), ``-`` for empty, share counts with
thousands separators. These lists carry no credit code, which is the key of ``enterprises``, so
they are a kind of their own keyed by stock code.

References
----------
Column layouts: ``docs/data-standard.md`` (section "Registry exports and exchange lists");
GB/T 4754-2017 (``src/jiqun/reference/data/gbt4754_2017_codes.csv``); GB/T 2260
(``src/jiqun/reference/data/admin_divisions_cn_2023.csv``); ISO 4217 currency codes.

Example
-------
>>> from jiqun.standard.reader.registry import parse_capital, parse_term
>>> parse_capital("100万美元"), parse_capital("50万元"), parse_capital("1.2亿元人民币")
((100.0, 'USD'), (50.0, 'CNY'), (12000.0, 'CNY'))
>>> parse_term("2020-01-02 至 无固定期限")
('2020-01-02', None, True)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from jiqun import reference
from jiqun.standard.problems import Problem
from jiqun.standard.reader.result import RawTable, fatal, p
from jiqun.standard.reader.wide import RegionMatch, grid_of, match_region
from jiqun.standard.schema import TAG_ALIASES, TAGS, Kind, get_kind, header_unit

#: The text 企查查 writes in a row whose name it could not match.
UNMATCHED = "未匹配到相关企业"

#: Cells that mean "no value" in registry exports and exchange lists.
EMPTY = frozenset({"-", "--", "—", "－", "/", "暂无", "无"})

#: Spellings of an open-ended operating term.
OPEN_TERM = ("无固定期限", "长期", "永久", "不约定期限")

_CURRENCY_WORDS: dict[str, str] = {
    "元": "CNY",
    "人民币": "CNY",
    "元人民币": "CNY",
    "人民币元": "CNY",
    "美元": "USD",
    "美金": "USD",
    "港元": "HKD",
    "港币": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "新台币": "TWD",
    "新加坡元": "SGD",
    "韩元": "KRW",
    "瑞士法郎": "CHF",
    "澳元": "AUD",
    "加元": "CAD",
}
_CAPITAL_RE = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)(万|亿)?(.*)$")

_TRUE = frozenset({"是", "y", "yes", "true", "1", "✓", "√", "有"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×"})

#: GB/T 4754 level of each industry-name column of the registry exports.
INDUSTRY_COLUMNS: dict[str, int] = {
    "国标行业门类": 1,
    "国标行业大类": 2,
    "国标行业中类": 3,
    "国标行业小类": 4,
    # 天眼查: 一级/二级/三级 are the GB/T 4754 门类/大类/中类; 所属行业 is the 大类.
    "一级行业分类": 1,
    "二级行业分类": 2,
    "三级行业分类": 3,
    "所属行业": 2,
}
_LEVEL_ZH = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}
_LEVEL_EN = {1: "section", 2: "division", 3: "group", 4: "class"}

#: Registry columns copied to a field as they are (after ``-`` → empty).
_PLAIN: dict[str, str] = {
    "统一社会信用代码": "uscc",
    "系统匹配企业名称": "name",
    "企业名称": "name",
    "成立日期": "founded",
    "企业地址": "address",
    "注册地址": "address",
    "经营范围": "business_scope",
    "参保人数": "employees",
    "参保人数所属年报": "employees_year",
}

#: Exchange-list columns copied to a ``listed-companies`` field.
_LISTED: dict[str, str] = {
    "A股代码": "stock_code",
    "B股代码": "b_stock_code",
    "证券简称": "short_name",
    "A股简称": "short_name",
    "公司全称": "name",
    "公司英文全称": "name_en",
    "英文名称": "name_en",
    "上市日期": "listed",
    "A股上市日期": "listed",
    "A股总股本": "total_shares",
    "A股流通股本": "float_shares",
    "注册地址": "address",
    "所属行业": "csrc_industry",
    "公司网址": "website",
    "板块": "board",
}


@dataclass(frozen=True)
class Layout:
    """One known export layout: its id, its name and the headers that identify it."""

    id: str
    zh: str
    en: str
    kind: str
    signature: tuple[str, ...]


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "qichacha",
        "企查查批量匹配导出",
        "企查查 batch-match export",
        "enterprises",
        ("系统匹配企业名称", "统一社会信用代码", "登记状态"),
    ),
    Layout(
        "tianyancha",
        "天眼查企业导出",
        "天眼查 enterprise export",
        "enterprises",
        ("企业名称", "统一社会信用代码", "经营状态", "营业期限"),
    ),
    Layout(
        "szse",
        "深圳证券交易所A股列表",
        "Shenzhen Stock Exchange A-share list",
        "listed-companies",
        ("板块", "公司全称", "A股代码", "A股简称"),
    ),
    Layout(
        "sse",
        "上海证券交易所股票列表",
        "Shanghai Stock Exchange share list",
        "listed-companies",
        ("A股代码", "证券简称", "公司英文全称"),
    ),
)

_SCAN = 10  # rows searched for the header


@dataclass
class _Understood:
    """What the reader made of the columns and names (for the layout report)."""

    mapped: list[tuple[str, str]]  # (header as written, field)
    ignored: list[str]  # headers not imported
    headers: dict[str, str]  # field -> header as written
    skipped: int = 0
    bad_industries: set[str] = field(default_factory=set)
    bad_regions: set[str] = field(default_factory=set)
    units: dict[str, str] = field(default_factory=dict)  # field -> unit in its header


def _key(s: object) -> str:
    """A header or cell as compared: NFKC, no spaces of any width (``地      区`` → ``地区``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if s is None else str(s)))


def _cell(s: str) -> str | None:
    """A cell's text, ``None`` when empty or one of the :data:`EMPTY` marks."""
    t = s.strip() if s else ""
    return None if not t or t in EMPTY else t


def find_layout(grid: list[list[str]]) -> tuple[Layout, int] | None:
    """The layout of a grid and its header row (0-based), or ``None``.

    Parameters
    ----------
    grid:
        Cell texts, row by row; the header is looked for in the first ten rows.

    Returns
    -------
    tuple[Layout, int] or None
        The first layout of :data:`LAYOUTS` whose signature headers all appear in one row
        (compared without spaces of any width), and that row.

    Example
    -------
    >>> find_layout([["A股代码", "B股代码", "证券简称", "扩位证券简称", "公司英文全称"]])[0].id
    'sse'
    """
    for i, row in enumerate(grid[:_SCAN]):
        keys = {_key(c) for c in row}
        for lay in LAYOUTS:
            if all(_key(h) in keys for h in lay.signature):
                return lay, i
    return None


def detect_registry(path: str | Path, sheet: str | None = None) -> Layout | None:
    """The registry or exchange layout of ``path``, or ``None`` (cheap: the first rows only).

    Parameters
    ----------
    path: a text file or a workbook; sheet: the worksheet (default the first non-empty one).

    Returns
    -------
    Layout or None
        ``None`` as well when the file cannot be read (the ordinary reader then says why).

    Example
    -------
    >>> detect_registry("企查查_批量匹配.xlsx").id  # doctest: +SKIP
    'qichacha'
    """
    try:
        grid, _pr, _s = grid_of(path, sheet, limit=_SCAN)
    except Exception:
        return None
    found = find_layout(grid)
    return found[0] if found else None


# ------------------------------------------------------------------------------------------------
# cells
# ------------------------------------------------------------------------------------------------


def parse_capital(text: str) -> tuple[float, str] | None:
    """Registered capital as an amount in 万 of its currency and the ISO 4217 code.

    Parameters
    ----------
    text:
        注册资本 as the registry writes it: ``50万元``, ``100万美元``, ``1000万元人民币``,
        ``100万(美元)``, ``1.2亿元``, ``500000元``.

    Returns
    -------
    tuple[float, str] or None
        (amount in 万 of the currency, ISO 4217 code); ``None`` when the text is not an amount
        or its currency is not one of :data:`_CURRENCY_WORDS` (nothing is converted or guessed).

    Example
    -------
    >>> parse_capital("50万元"), parse_capital("500000元"), parse_capital("100万卢布")
    ((50.0, 'CNY'), (50.0, 'CNY'), None)
    """
    t = _key(text).replace("（", "(").replace("）", ")")
    t = re.sub(r"[()]", "", t)
    m = _CAPITAL_RE.match(t)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    mult, cur = m.group(2), m.group(3) or "元"
    if cur.startswith("元") and cur != "元":  # 万元人民币
        cur = cur[1:] or "元"
    code = _CURRENCY_WORDS.get(cur)
    if code is None:
        return None
    if mult == "亿":
        value *= 1e4
    elif mult is None:
        value /= 1e4
    return value, code


def parse_term(text: str) -> tuple[str | None, str | None, bool] | None:
    """营业期限 as (start, end, open-ended).

    Parameters
    ----------
    text:
        ``2020-01-02 至 2040-01-01`` or ``2020-01-02至无固定期限`` (also 长期, 永久).

    Returns
    -------
    tuple or None
        (start, end or ``None`` when open-ended, open-ended?) as text (the dates are validated
        downstream); ``None`` when the text is not two parts joined by 至.

    Example
    -------
    >>> parse_term("2015-06-30至2045-06-29")
    ('2015-06-30', '2045-06-29', False)
    """
    parts = re.split(r"\s*(?:至|到|~|～|—)\s*", text.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    start, end = (_cell(x) for x in parts)
    open_ended = end is not None and _key(end) in OPEN_TERM
    return start, None if open_ended else end, open_ended


@cache
def _industry_by_level() -> dict[int, dict[str, tuple[str, ...]]]:
    """GB/T 4754-2017 name (NFKC, no spaces) -> its codes, per level.

    In the 2017 edition every name is unique within its level; a name shared by two codes
    (a future edition, a user's code list) is refused as ambiguous, never resolved."""
    ind = reference.industries()
    out: dict[int, dict[str, tuple[str, ...]]] = {1: {}, 2: {}, 3: {}, 4: {}}
    for code, name, level in zip(ind["code"], ind["name"], ind["level"], strict=True):
        d = out[int(level)]
        d[_key(name)] = (*d.get(_key(name), ()), code)
    return out


@cache
def _single_class() -> dict[str, str]:
    """Group code -> its class code, for the groups of GB/T 4754-2017 that have one class."""
    ind = reference.industries()
    classes = ind[ind["level"] == 4]
    n = classes.groupby("parent")["code"].agg(list)
    return {g: cs[0] for g, cs in n.items() if len(cs) == 1}


@cache
def _sections() -> dict[str, str]:
    ind = reference.industries()
    return dict(zip(ind["code"], ind["section"], strict=True))


def _parent_of(code: str, level: int) -> str:
    """The code of ``code``'s ancestor at ``level`` (1 = the section letter)."""
    if level == 1:
        return _sections()[code]
    return code[:level] if len(code) >= level else code


def _tag_key(s: str) -> str:
    return re.sub(r"[\"“”'‘’]", "", _key(s))


@cache
def _tag_of_header() -> dict[str, str]:
    out = {_tag_key(zh): k for k, (zh, _en) in TAGS.items()}
    out.update({_tag_key(a): k for a, k in TAG_ALIASES.items()})
    return out


def honour_tag(header: str) -> str | None:
    """The tag id an honour column stands for (``专精特新“小巨人”企业`` → ``little_giant``).

    Parameters
    ----------
    header:
        A column header; quotes of any kind are ignored.

    Returns
    -------
    str or None
        A tag id of :data:`~jiqun.standard.schema.TAGS`, or ``None`` when the header names none.

    Example
    -------
    >>> honour_tag("专精特新“小巨人”企业"), honour_tag("专精特新中小企业"), honour_tag("电话")
    ('little_giant', 'srdi', None)
    """
    return _tag_of_header().get(_tag_key(header))


# ------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------


def read_registry(
    path: str | Path, kind: Kind | str, *, sheet: str | None = None
) -> RawTable | None:
    """Read a registry export or an exchange list, or return ``None`` when ``path`` is neither.

    Parameters
    ----------
    path:
        ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm`` or legacy ``.xls``.
    kind:
        ``enterprises`` (registry exports) or ``listed-companies`` (exchange lists).
    sheet:
        Worksheet (workbooks only); default the first non-empty one.

    Returns
    -------
    RawTable or None
        Canonical columns as text (``None`` for empty), ``rows`` the source row of each record,
        ``layout`` what was understood (layout, mapped and ignored columns, skipped rows,
        unmatched names).

    Raises
    ------
    JiqunError
        When the file is an exchange list read as ``enterprises`` or a registry export read as
        ``listed-companies``.

    Example
    -------
    >>> t = read_registry("sse_GPLIST.xls", "listed-companies")  # doctest: +SKIP
    >>> t.layout["layout"], len(t)  # doctest: +SKIP
    ('sse', 1696)
    """
    path = Path(path)
    k = get_kind(kind) if isinstance(kind, str) else kind
    grid, problems, used_sheet = grid_of(path, sheet)
    found = find_layout(grid)
    if found is None:
        return None
    lay, h = found
    if lay.kind != k.name:
        fatal(
            "registry.kind",
            f"「{path.name}」是{lay.zh}，应作为 {lay.kind} 导入，而不是 {k.name}"
            + (
                "（交易所名单没有统一社会信用代码，不能作为企业库记录）"
                if lay.kind != "enterprises"
                else ""
            ),
            f"'{path.name}' is a {lay.en}: import it as {lay.kind}, not {k.name}"
            + (
                " (exchange lists carry no credit code, the key of enterprises)"
                if lay.kind != "enterprises"
                else ""
            ),
            problems,
            value=path.name,
        )
    header = [_key(c) for c in grid[h]]
    for i in range(h):
        line = "".join(c for c in grid[i] if c).strip()
        if line:
            problems.append(
                p(
                    "registry.title",
                    "normalised",
                    f"第{i + 1}行是标题行，已跳过：「{line}」",
                    f"row {i + 1} is a title line, skipped: '{line}'",
                    row=i + 1,
                    value=line,
                )
            )
    if lay.kind == "enterprises":
        out, rows, info = _enterprises(grid, h, header, lay, k, problems)
    else:
        out, rows, info = _listed(grid, h, header, lay, problems)
    fields = [f.name for f in k.fields if f.name in out]
    data = pd.DataFrame({f: pd.array(out[f], dtype="str") for f in fields})
    headers = {f: info.headers.get(f, k.get_field(f).zh) for f in fields}
    layout = {
        "layout": lay.id,
        "name": f"{lay.zh} / {lay.en}",
        "header_row": str(h + 1),
        # one entry per field: 所属省份、所属城市、所属区县→region_code
        "mapped": "；".join(
            f"{'、'.join(dict.fromkeys(src for src, d in info.mapped if d == dst))}→{dst}"
            for dst in dict.fromkeys(d for _s, d in info.mapped)
        ),
        "ignored": "、".join(info.ignored),
        "records": str(len(rows)),
        "skipped": str(info.skipped),
        "unmatched_industries": "、".join(sorted(info.bad_industries)),
        "unmatched_regions": "、".join(sorted(info.bad_regions)),
    }
    # the optional clauses, each once in both languages under one condition
    clauses = [
        (info.ignored, f"；未导入的列 {layout['ignored']}", f"; not imported: {layout['ignored']}"),
        (
            info.skipped,
            f"；跳过未匹配行 {layout['skipped']} 行",
            f"; {layout['skipped']} unmatched rows skipped",
        ),
        (
            layout["unmatched_industries"],
            f"；未匹配的行业名称 {layout['unmatched_industries']}",
            f"; unmatched industry names {layout['unmatched_industries']}",
        ),
        (
            layout["unmatched_regions"],
            f"；未匹配的地区名称 {layout['unmatched_regions']}",
            f"; unmatched region names {layout['unmatched_regions']}",
        ),
    ]
    problems.append(
        p(
            "registry.layout",
            "normalised",
            f"{lay.zh}（表头第{h + 1}行）：{len(rows)} 条记录；列对应 {layout['mapped']}"
            + "".join(zh for on, zh, _en in clauses if on),
            f"{lay.en} (header row {h + 1}): {len(rows)} records; columns {layout['mapped']}"
            + "".join(en for on, _zh, en in clauses if on),
            value=path.name,
        )
    )
    raw = RawTable(
        kind=k,
        data=data,
        rows=np.asarray(rows, dtype=np.int64),
        headers=headers,
        units={f: u for f, u in info.units.items() if f in fields},
        problems=problems,
        source=path.name,
        encoding=next((x.value for x in problems if x.rule == "file.encoding"), None),
        sheet=used_sheet,
    )
    raw.layout = layout
    return raw


def _col(header: list[str], name: str) -> int | None:
    k = _key(name)
    return header.index(k) if k in header else None


def _enterprises(
    grid: list[list[str]],
    h: int,
    header: list[str],
    lay: Layout,
    kind: Kind,
    problems: list[Problem],
) -> tuple[dict[str, list[str | None]], list[int], _Understood]:
    names = [f.name for f in kind.fields]
    out: dict[str, list[str | None]] = {n: [] for n in names}
    rows: list[int] = []
    mapped: list[tuple[str, str]] = []
    used: set[int] = set()
    heads: dict[str, str] = {}

    def take(j: int, field: str) -> None:
        mapped.append((grid[h][j].strip(), field))
        used.add(j)
        heads.setdefault(field, grid[h][j].strip())

    plain: dict[int, str] = {}
    for j, hk in enumerate(header):
        if hk in _PLAIN and _PLAIN[hk] not in plain.values():
            plain[j] = _PLAIN[hk]
            take(j, _PLAIN[hk])
    # A code column the user added (行业代码, 行政区划代码) wins over the names.
    explicit: dict[int, str] = {}
    for j, hk in enumerate(header):
        f = kind.resolve_header(grid[h][j]) if j not in used and hk else None
        if f in ("region_code", "industry_code") and f not in explicit.values():
            explicit[j] = f
            take(j, f)
    ind_cols = {j: INDUSTRY_COLUMNS[hk] for j, hk in enumerate(header) if hk in INDUSTRY_COLUMNS}
    if "industry_code" in explicit.values():
        ind_cols = {}
    for j in ind_cols:
        take(j, "industry_code")
    reg_cols = {
        lvl: _col(header, n)
        for lvl, n in (("province", "所属省份"), ("city", "所属城市"), ("county", "所属区县"))
    }
    if "region_code" in explicit.values():
        reg_cols = {}
    for j in (j for j in reg_cols.values() if j is not None):
        take(j, "region_code")
    status_j = _col(header, "登记状态") if lay.id == "qichacha" else _col(header, "经营状态")
    if status_j is not None:
        take(status_j, "status")
    capital_j = _col(header, "注册资本")
    if capital_j is not None:
        take(capital_j, "registered_capital")
    term_j = _col(header, "营业期限")
    if term_j is not None:
        take(term_j, "operating_term_start")
    honours = {
        j: t for j, hk in enumerate(header) if j not in used and (t := honour_tag(hk)) is not None
    }
    for j in honours:
        take(j, "tags")
    # Any other column named as the standard names it (营业收入（万元）, 企业标签 …) is kept: a
    # firm list of one's own that happens to carry 经营状态 and 营业期限 loses nothing.
    units: dict[str, str] = {}
    taken = {f for _src, f in mapped}
    for j, hk in enumerate(header):
        f = kind.resolve_header(grid[h][j]) if j not in used and hk else None
        if f is None or f in taken:
            continue
        explicit[j] = f
        taken.add(f)
        take(j, f)
        if kind.get_field(f).type in ("int", "float", "amount") and (u := header_unit(grid[h][j])):
            units[f] = u
    ignored = [grid[h][j].strip() for j, hk in enumerate(header) if hk and j not in used]
    bad_ind: set[str] = set()
    bad_reg: set[str] = set()
    skipped = 0
    width = len(grid[h])
    for i in range(h + 1, len(grid)):
        r = [*grid[i], *([""] * (width - len(grid[i])))]
        rown = i + 1
        if not any(_cell(c) for c in r):
            continue
        if any(_key(c) == UNMATCHED for c in r):
            skipped += 1
            given = _cell(r[_col(header, "原文件导入名称") or 0]) or ""
            problems.append(
                p(
                    "registry.unmatched",
                    "warning",
                    f"第{rown}行「{given}」在导出时未匹配到企业（{UNMATCHED}），已跳过",
                    f"row {rown} ('{given}') was not matched to a firm by the registry service "
                    f"({UNMATCHED}); skipped",
                    row=rown,
                    value=given,
                )
            )
            continue
        rec: dict[str, str | None] = dict.fromkeys(names)
        for j, f in plain.items():
            rec[f] = _cell(r[j])
        yr = rec.get("employees_year")
        if yr and not yr.isdigit() and (ym := re.search(r"(?:19|20)\d{2}", yr)):
            # 参保人数所属年报 is written as the annual report: 2023年报 → 2023
            problems.append(
                p(
                    "registry.report_year",
                    "normalised",
                    f"第{rown}行「{yr}」记为年份 {ym.group(0)}",
                    f"row {rown}: '{yr}' recorded as the year {ym.group(0)}",
                    row=rown,
                    column=heads.get("employees_year"),
                    value=yr,
                )
            )
            rec["employees_year"] = ym.group(0)
        for j, f in explicit.items():
            rec[f] = _cell(r[j])
        if ind_cols:
            rec["industry_code"] = _industry(r, ind_cols, header, rown, problems, bad_ind)
        if any(j is not None for j in reg_cols.values()):
            rec["region_code"] = _region(r, reg_cols, rown, problems, bad_reg)
        if status_j is not None and (st := _cell(r[status_j])):
            bare = re.sub(r"[（(].*?[)）]", "", st).strip()
            if bare != st:
                problems.append(
                    p(
                        "registry.status",
                        "normalised",
                        f"第{rown}行登记状态「{st}」记为「{bare}」（括号内为同义说明）",
                        f"row {rown}: status '{st}' recorded as '{bare}' (the brackets list synonyms)",
                        row=rown,
                        column=grid[h][status_j].strip(),
                        value=st,
                    )
                )
            rec["status"] = bare
        if capital_j is not None and (cap := _cell(r[capital_j])):
            parsed = parse_capital(cap)
            if parsed is None:
                problems.append(
                    p(
                        "registry.capital",
                        "error",
                        f"第{rown}行注册资本「{cap}」不是「数额+万+币种」（如 50万元、100万美元）",
                        f"row {rown}: registered capital '{cap}' is not an amount with a currency "
                        "(e.g. 50万元, 100万美元)",
                        row=rown,
                        column=grid[h][capital_j].strip(),
                        value=cap,
                    )
                )
                rec["registered_capital"] = cap  # the validator then names the cell too
            else:
                rec["registered_capital"] = f"{parsed[0]:.10g}"
                rec["registered_capital_currency"] = parsed[1]
        if term_j is not None and (term := _cell(r[term_j])):
            parsed_t = parse_term(term)
            if parsed_t is None:
                rec["operating_term_start"] = term
            else:
                rec["operating_term_start"], rec["operating_term_end"] = parsed_t[:2]
                if parsed_t[2]:
                    problems.append(
                        p(
                            "registry.term_open",
                            "normalised",
                            f"第{rown}行营业期限「{term}」无固定期限：截止日留空",
                            f"row {rown}: operating term '{term}' is open-ended: no end date",
                            row=rown,
                            column=grid[h][term_j].strip(),
                            value=term,
                        )
                    )
        tags: list[str] = []
        for j, tag in honours.items():
            v = _cell(r[j])
            if v is None or _key(v).lower() in _FALSE:
                continue
            if _key(v).lower() in _TRUE or _key(v) == _key(grid[h][j]):
                tags.append(tag)
                continue
            problems.append(
                p(
                    "registry.honour",
                    "error",
                    f"第{rown}行「{grid[h][j].strip()}」的值「{v}」不是 是/否",
                    f"row {rown}: '{grid[h][j].strip()}' is '{v}', not yes/no (是/否)",
                    row=rown,
                    column=grid[h][j].strip(),
                    value=v,
                )
            )
        if tags:
            listed = [t for t in (rec["tags"] or "").split(";") if t]
            rec["tags"] = ";".join(dict.fromkeys([*listed, *tags]))
        for n in names:
            out[n].append(rec[n])
        rows.append(rown)
    if "operating_term_start" in [f for _s, f in mapped]:
        heads["operating_term_end"] = heads["operating_term_start"]
    if "registered_capital" in [f for _s, f in mapped]:
        heads["registered_capital_currency"] = heads["registered_capital"]
    dedup = list(dict.fromkeys(mapped))
    return (
        {
            n: v
            for n, v in out.items()
            if any(x is not None for x in v) or n in dict(dedup).values()
        },
        rows,
        _Understood(dedup, ignored, heads, skipped, bad_ind, bad_reg, units),
    )


def _industry(
    r: list[str],
    cols: dict[int, int],
    header: list[str],
    rown: int,
    problems: list[Problem],
    bad: set[str],
) -> str | None:
    """The GB/T 4754-2017 code of the deepest industry name of the row (exact names only)."""
    idx = _industry_by_level()
    codes: dict[int, str] = {}
    for j, level in sorted(cols.items(), key=lambda kv: kv[1]):
        name = _cell(r[j])
        if name is None:
            continue
        found = idx[level].get(_key(name), ())
        if len(found) > 1:
            bad.add(name)
            problems.append(
                p(
                    "registry.industry_ambiguous",
                    "error",
                    f"第{rown}行「{header[j]}」的「{name}」对应多个{_LEVEL_ZH[level]}："
                    f"{'、'.join(found)}；请加一列行业代码",
                    f"row {rown}: '{name}' in '{header[j]}' names several "
                    f"{_LEVEL_EN[level]}s: {', '.join(found)}; add an industry-code column",
                    row=rown,
                    column=header[j],
                    value=name,
                )
            )
            return None
        code = found[0] if found else None
        if code is None:
            bad.add(name)
            elsewhere = [lv for lv in (1, 2, 3, 4) if _key(name) in idx[lv] and lv != level]
            hint_zh = (
                f"（它是{_LEVEL_ZH[elsewhere[0]]}名称）"
                if elsewhere
                else "（只接受标准名称，不作模糊匹配）"
            )
            hint_en = (
                f" (it is a {_LEVEL_EN[elsewhere[0]]} name)"
                if elsewhere
                else " (standard names only, no fuzzy matching)"
            )
            problems.append(
                p(
                    "registry.industry_name",
                    "error",
                    f"第{rown}行「{header[j]}」的「{name}」不是 GB/T 4754-2017 的{_LEVEL_ZH[level]}名称{hint_zh}",
                    f"row {rown}: '{name}' in '{header[j]}' is not a GB/T 4754-2017 "
                    f"{_LEVEL_EN[level]} name{hint_en}",
                    row=rown,
                    column=header[j],
                    value=name,
                )
            )
            return None
        if level in codes and codes[level] != code:
            problems.append(
                p(
                    "registry.industry_conflict",
                    "error",
                    f"第{rown}行两列{_LEVEL_ZH[level]}不一致：{codes[level]} 与 {code}",
                    f"row {rown}: two {_LEVEL_EN[level]} columns disagree: {codes[level]} and {code}",
                    row=rown,
                    column=header[j],
                    value=name,
                )
            )
            return None
        codes[level] = code
    if not codes:
        return None
    deepest = max(codes)
    code = codes[deepest]
    if deepest < 4 and _single_class().get(code) is None:
        n = sum(1 for c in reference.industry_codes(level=4) if _parent_of(c, deepest) == code)
        problems.append(
            p(
                "registry.industry_level",
                "error",
                f"第{rown}行国标行业只到{_LEVEL_ZH[deepest]} {code}「{reference.industry_name(code)}」"
                f"（其下有 {n} 个小类），企业库需要小类（4位）：请导出国标行业小类，或加一列行业代码",
                f"row {rown}: the industry is given only to the {_LEVEL_EN[deepest]} {code} "
                f"({n} classes below it); enterprises need the 4-digit class: export 国标行业小类 "
                "or add an industry-code column",
                row=rown,
                column="industry_code",
                value=code,
            )
        )
        return None
    if deepest == 3:
        # A group with a single class (367 汽车零部件及配件制造 → 3670) determines the class
        # exactly; a group of several classes does not, and the row is refused downstream.
        kids = _single_class().get(code)
        if kids is not None:
            problems.append(
                p(
                    "registry.industry_class",
                    "normalised",
                    f"第{rown}行行业中类 {code}「{reference.industry_name(code)}」只有一个小类，"
                    f"记为 {kids}",
                    f"row {rown}: industry group {code} has a single class, recorded as {kids}",
                    row=rown,
                    column="industry_code",
                    value=code,
                )
            )
            codes[4] = kids
            return kids
    for level, upper in codes.items():
        if level < deepest and _parent_of(code, level) != upper:
            problems.append(
                p(
                    "registry.industry_conflict",
                    "error",
                    f"第{rown}行行业{_LEVEL_ZH[deepest]}「{reference.industry_name(code)}」（{code}）"
                    f"不属于{_LEVEL_ZH[level]}「{reference.industry_name(upper)}」（{upper}）",
                    f"row {rown}: industry {_LEVEL_EN[deepest]} {code} is not inside "
                    f"{_LEVEL_EN[level]} {upper}",
                    row=rown,
                    column="industry_code",
                    value=code,
                )
            )
            return None
    return code


def _region(
    r: list[str],
    cols: dict[str, int | None],
    rown: int,
    problems: list[Problem],
    bad: set[str],
) -> str | None:
    """The GB/T 2260 code of 所属省份/城市/区县, each level looked up inside the one above."""
    within: str | None = None
    code: str | None = None
    for level in ("province", "city", "county"):
        j = cols.get(level)
        name = _cell(r[j]) if j is not None else None
        if name is None:
            continue
        mt = match_region(
            name, prefer_level="province" if level == "province" else None, within=within
        )
        parent = reference.region_name(code) if code else None
        if mt.code is None and parent and name.startswith(parent) and len(name) > len(parent):
            # 湖北省直辖县级行政区划: the official name (省直辖县级行政区划) after the province's
            rest = name[len(parent) :]
            mt = match_region(rest, within=within)
            if mt.code is None and rest == "直辖县级行政区划":
                # The export writes 湖北省直辖县级行政区划 for 省直辖县级行政区划 (429000) and
                # 新疆维吾尔自治区直辖县级行政区划 for 自治区直辖县级行政区划 (659000): the one
                # division of that name inside the province.
                hit = [
                    c
                    for c in reference.region_codes(level="prefecture")
                    if within
                    and c.startswith(within)
                    and (reference.region_name(c) or "").endswith(rest)
                ]
                if len(hit) == 1:
                    mt = RegionMatch(hit[0], "official", (hit[0],))
        if mt.code is None:
            bad.add(name)
            if mt.how == "ambiguous":
                cands = "、".join(
                    f"{c} {reference.region_name(c, full=True) or ''}" for c in mt.candidates
                )
                zh = f"第{rown}行地区「{name}」有歧义，可能是：{cands}"
                en = f"row {rown}: region '{name}' is ambiguous, it may be: {cands}"
            else:
                where = (
                    f"（在 {reference.region_name(within + '0' * (6 - len(within)))} 内）"
                    if within
                    else ""
                )
                zh = f"第{rown}行地区「{name}」不是 GB/T 2260 中的地区名称{where}"
                en = f"row {rown}: region '{name}' is not a GB/T 2260 division name{where}"
            problems.append(
                p(
                    "region.ambiguous" if mt.how == "ambiguous" else "region.unknown",
                    "error",
                    zh,
                    en,
                    row=rown,
                    column="region_code",
                    value=name,
                )
            )
            return None
        if mt.how in ("short", "renamed"):
            full = reference.region_name(mt.code, full=True) or ""
            problems.append(
                p(
                    "region.name",
                    "normalised",
                    f"第{rown}行地区「{name}」（{'简称' if mt.how == 'short' else '旧名'}）记为 {mt.code} {full}",
                    f"row {rown}: region '{name}' ({'short' if mt.how == 'short' else 'former'} name) "
                    f"recorded as {mt.code} {full}",
                    row=rown,
                    column="region_code",
                    value=name,
                )
            )
        code = mt.code
        lv = reference.region_level(code)
        # 北京市 as a city is the province itself; a county-level city (仙桃市) has no prefecture.
        within = code[:2] if lv == "province" else code[:4] if lv == "prefecture" else code
    return code


def _listed(
    grid: list[list[str]],
    h: int,
    header: list[str],
    lay: Layout,
    problems: list[Problem],
) -> tuple[dict[str, list[str | None]], list[int], _Understood]:
    kind = get_kind("listed-companies")
    names = [f.name for f in kind.fields]
    out: dict[str, list[str | None]] = {n: [] for n in names}
    rows: list[int] = []
    cols: dict[int, str] = {}
    mapped: list[tuple[str, str]] = []
    heads: dict[str, str] = {}
    for j, hk in enumerate(header):
        f = _LISTED.get(hk)
        if f and f not in cols.values():
            cols[j] = f
            mapped.append((grid[h][j].strip(), f))
            heads[f] = grid[h][j].strip()
    prov_j, city_j = _col(header, "省份"), _col(header, "城市")
    place = [j for j in (prov_j, city_j) if j is not None]
    mapped.extend((grid[h][j].strip(), "region_code") for j in place)
    used = set(cols) | set(place)
    ignored = [grid[h][j].strip() for j, hk in enumerate(header) if hk and j not in used]
    bad_reg: set[str] = set()
    width = len(grid[h])
    padded = 0
    for i in range(h + 1, len(grid)):
        r = [*grid[i], *([""] * (width - len(grid[i])))]
        rown = i + 1
        if not any(_cell(c) for c in r):
            continue
        rec: dict[str, str | None] = dict.fromkeys(names)
        for j, f in cols.items():
            rec[f] = _cell(r[j])
        for f in ("stock_code", "b_stock_code"):
            v = rec[f]
            if v is not None and v.isdigit() and len(v) < 6:
                # Spreadsheets store 000001 as the number 1: the code is 6 digits.
                rec[f] = v.zfill(6)
                padded += 1
        if rec["stock_code"] is None and rec["b_stock_code"] is not None:
            rec["stock_code"] = rec["b_stock_code"]
        rec["exchange"] = lay.id
        if lay.id == "sse" and rec["stock_code"]:
            rec["board"] = "star" if rec["stock_code"].startswith("68") else "main"
        if prov_j is not None or city_j is not None:
            rec["region_code"] = _region(
                r, {"province": prov_j, "city": city_j}, rown, problems, bad_reg
            )
        for n in names:
            out[n].append(rec[n])
        rows.append(rown)
    if padded:
        problems.append(
            p(
                "registry.code_padded",
                "normalised",
                f"{padded} 个证券代码被表格存为数字，已补足前导零为6位（如 1 → 000001）",
                f"{padded} stock codes stored as numbers were padded to 6 digits (1 → 000001)",
                column="stock_code",
            )
        )
    heads.setdefault("exchange", "交易所")
    return (
        {n: v for n, v in out.items() if any(x is not None for x in v)},
        rows,
        _Understood(mapped, ignored, heads, bad_regions=bad_reg),
    )
