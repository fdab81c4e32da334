"""Word (.docx) reports of a cluster or a region dashboard, in Chinese, to hand up the line.

A report is a rendering of what the dashboard shows to the same reader: the same stored results
(the materialised service functions the pages call, computed once per data version, never a new
national computation), the same access decisions (the public gets the public version: no
diagnosis, no hot spots, no "what next", suppressed published cells), the same numbers. It
holds a title, the date and the data version, the dashboard's charts as images (drawn with
matplotlib, Agg, with a CJK font from Debian's ``fonts-droid-fallback`` or ``fonts-noto-cjk``),
its tables as Word tables with Chinese headers, under every figure its basis and sources (year,
unit, measure, region level, industry-code level, value vs count) and the synthetic-data marker
where demo rows are involved.

The wording of codes (column names, vocabularies, bases) is the dashboard's: the interfaces pass
their ``lab``/``loc`` functions (:func:`jiqun.web.i18n.labeller`, :func:`jiqun.web.i18n.localizer`)
as a :class:`Wording`; without one the labels of :mod:`jiqun.services.reports` are used.

References
----------
docs/reports.md; :mod:`jiqun.services.reports` (the diagnosis as JSON/XLSX/HTML).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd
from sqlalchemy import Engine

from jiqun import __version__
from jiqun.formatting import fmt_cell, fmt_flag, fmt_num, fmt_pct, fmt_stars, fmt_year, missing
from jiqun.services.overview import SYNTHETIC_NOTE_ZH
from jiqun.services.reports import BASIS_LABELS, COLUMN_LABELS, TABLE_TITLES
from jiqun.standard.problems import JiqunError

#: Fonts searched for the charts, in order: Apache-2.0 and SIL OFL fonts of Debian packages only
#: (a GPL font is not embedded into a document handed on). ``JIQUN_CJK_FONT`` overrides.
FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
)
#: file-name stems accepted when the font is found elsewhere (by matplotlib's font search)
FONT_STEMS: tuple[str, ...] = ("DroidSansFallback", "NotoSansCJK", "NotoSansSC", "NotoSerifCJK")

#: rows of a table written out; longer tables are cut with a note saying so
MAX_ROWS = 200

#: what the public sees in place of a section for logged-in readers
LOGIN_NOTE = "登录后可见：本节仅向登录用户提供（公开版本不含此节）。"

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

Lab = Callable[[str, object], str]
Loc = Callable[[object], str]


def _default_lab(vocab: str, key: object) -> str:
    if missing(key) or key == "":
        return "—"
    if vocab == "col" and str(key) in COLUMN_LABELS:
        return COLUMN_LABELS[str(key)][0]
    if vocab == "basis" and str(key) in BASIS_LABELS:
        return BASIS_LABELS[str(key)].split(" ")[0]
    if vocab == "table" and str(key) in TABLE_TITLES:
        return TABLE_TITLES[str(key)][0]
    return str(key)


def _default_loc(v: object) -> str:
    if missing(v) or v == "":
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dict):
        return "；".join(f"{_default_lab('basis', k)}：{_default_loc(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return "；".join(_default_loc(x) for x in v)
    text = str(v)
    if " / " in text:  # "中文 / English": the Chinese half
        return text.split(" / ")[0]
    return text


@dataclass(frozen=True)
class Wording:
    """How codes read in the report: ``lab(vocabulary, code)`` and ``loc(value)`` in Chinese.

    Example
    -------
    >>> Wording().lab("col", "lq")
    '区位商'
    """

    lab: Lab = _default_lab
    loc: Loc = _default_loc


def _pct0(v: Any) -> str:
    return fmt_pct(v, 0)


def _int(v: Any) -> str:
    return fmt_num(v, 0)


# ----------------------------------------------------------------------------------------------
# the document model: sections of paragraphs, tables and figures, rendered by render_docx
# ----------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A Word table: Chinese headers, formatted cells, its basis and notes."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    total: int
    basis: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Figure:
    """A chart as a PNG image, with its caption, basis and notes."""

    title: str
    png: bytes
    basis: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A heading and its content (paragraphs, tables, figures in order)."""

    heading: str
    items: list[str | Table | Figure] = field(default_factory=list)
    synthetic: bool = False


@dataclass
class Report:
    """Everything a report shows, before it is written as .docx (see :func:`render_docx`)."""

    title: str
    subject: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    synthetic: bool
    data_version: str
    generated_at: str
    reader: str
    stale: str | None = None


def _table(
    title: str,
    df: pd.DataFrame | None,
    cols: Sequence[str],
    w: Wording,
    fmt: dict[str, Callable[[Any], str]] | None = None,
    basis: dict[str, Any] | None = None,
    notes: Sequence[str] = (),
    headers: dict[str, str] | None = None,
) -> Table:
    """A frame's columns ``cols`` (those present) as a :class:`Table` of formatted strings."""
    fmt = fmt or {}
    headers = headers or {}
    df = df if df is not None else pd.DataFrame()
    cols = [c for c in cols if c in df.columns]
    rows = []
    for rec in df.head(MAX_ROWS).to_dict("records"):
        row = []
        for c in cols:
            v = rec.get(c)
            if c in fmt:
                row.append(fmt[c](v))
            elif isinstance(v, str):
                row.append(w.loc(v))
            else:
                row.append(fmt_cell(v))
        rows.append(row)
    return Table(
        title,
        [headers.get(c) or w.lab("col", c) for c in cols],
        rows,
        len(df),
        basis,
        list(notes),
    )


# ----------------------------------------------------------------------------------------------
# charts (matplotlib, Agg, one lock: matplotlib's rc settings are global)
# ----------------------------------------------------------------------------------------------

_MPL_LOCK = threading.Lock()
_FONT: dict[str, str] = {}

#: PNGs already drawn, by chart and data (drawing dominates a report built from stored results)
_PNG_CACHE: OrderedDict[str, bytes | None] = OrderedDict()
_PNG_CACHE_SIZE = 256
_PNG_CACHE_LOCK = threading.Lock()

F = TypeVar("F", bound=Callable[..., Any])


def _memo_png(fn: F) -> F:
    """Keep the last :data:`_PNG_CACHE_SIZE` images a chart function drew, by its arguments
    (the same data draw the same image; the font is part of the key)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = repr((fn.__name__, os.environ.get("JIQUN_CJK_FONT"), args, sorted(kwargs.items())))
        with _PNG_CACHE_LOCK:
            if key in _PNG_CACHE:
                _PNG_CACHE.move_to_end(key)
                return _PNG_CACHE[key]
        png = fn(*args, **kwargs)
        with _PNG_CACHE_LOCK:
            _PNG_CACHE[key] = png
            while len(_PNG_CACHE) > _PNG_CACHE_SIZE:
                _PNG_CACHE.popitem(last=False)
        return png

    return cast(F, wrapper)


def cjk_font() -> Path:
    """The CJK font file the charts are drawn with.

    Looks at ``JIQUN_CJK_FONT``, then :data:`FONT_PATHS`, then matplotlib's system font list for
    a file named like :data:`FONT_STEMS`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    JiqunError
        When no such font is installed (with the Debian package to install).

    Example
    -------
    >>> cjk_font().suffix in (".ttf", ".ttc", ".otf")  # doctest: +SKIP
    True
    """
    env = os.environ.get("JIQUN_CJK_FONT")
    if env:
        if Path(env).is_file():
            return Path(env)
        raise JiqunError(
            f"JIQUN_CJK_FONT 指向的字体文件不存在：{env}",
            f"JIQUN_CJK_FONT names a font file that does not exist: {env}",
        )
    for p in FONT_PATHS:
        if Path(p).is_file():
            return Path(p)
    from matplotlib import font_manager

    for f in sorted(font_manager.findSystemFonts()):
        if any(Path(f).name.startswith(s) for s in FONT_STEMS):
            return Path(f)
    raise JiqunError(
        "找不到中文字体，无法绘制报告图表：请安装 Debian 软件包 fonts-droid-fallback 或 "
        "fonts-noto-cjk（scripts/demo 与 scripts/test 会自动安装），或用 JIQUN_CJK_FONT 指定字体文件",
        "no CJK font to draw the report's charts: install the Debian package "
        "fonts-droid-fallback or fonts-noto-cjk (scripts/demo and scripts/test do), or name a "
        "font file in JIQUN_CJK_FONT",
    )


def _font_family() -> str:
    from matplotlib import font_manager

    path = str(cjk_font())
    if _FONT.get("path") != path:
        font_manager.fontManager.addfont(path)
        _FONT["path"] = path
        _FONT["name"] = font_manager.FontProperties(fname=path).get_name()
    return _FONT["name"]


def _png(draw: Callable[..., None], height: float = 3.6, panels: int = 1) -> bytes:
    """Draw on a new Agg figure (6.4 × ``height`` inches, ``panels`` axes side by side) and
    return it as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    with _MPL_LOCK:
        family = _font_family()
        with matplotlib.rc_context(
            {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}
        ):
            fig = MplFigure(figsize=(6.4, height), dpi=150)
            FigureCanvasAgg(fig)
            axes = [fig.add_subplot(1, panels, i + 1) for i in range(panels)]
            draw(*axes)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
    return buf.getvalue()


@_memo_png
def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    value_label: str,
    mark: float | None = None,
    horizontal: bool = False,
) -> bytes:
    """Grouped bars (one group per category, one bar per series) as PNG bytes.

    Parameters
    ----------
    categories: the groups (industries, firms).
    series: ``(name, values)`` per series, values aligned with ``categories`` (``None``: no bar).
    value_label: the value axis title, with its unit.
    mark: a reference line (LQ = 1).
    horizontal: bars along the x axis (long names).

    Returns
    -------
    bytes

    Example
    -------
    >>> bar_chart(["集成电路"], [("无锡市", [1.4])], "区位商", mark=1.0)[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """
    n = max(1, len(series))
    width = 0.8 / n
    labels = [c if len(c) <= 14 else c[:13] + "…" for c in categories]

    def draw(ax: Any) -> None:
        for k, (name, vals) in enumerate(series):
            pos = [i - 0.4 + width * (k + 0.5) for i in range(len(categories))]
            ys = [0.0 if missing(v) else float(v) for v in vals]  # type: ignore[arg-type]
            if horizontal:
                ax.barh(pos, ys, height=width, label=name)
            else:
                ax.bar(pos, ys, width=width, label=name)
        ticks = list(range(len(categories)))
        if horizontal:
            ax.set_yticks(ticks, labels, fontsize=7)
            ax.set_xlabel(value_label)
            if mark is not None:
                ax.axvline(mark, color="#c0392b", linewidth=0.8, linestyle="--")
        else:
            ax.set_xticks(ticks, labels, rotation=30, ha="right", fontsize=7)
            ax.set_ylabel(value_label)
            if mark is not None:
                ax.axhline(mark, color="#c0392b", linewidth=0.8, linestyle="--")
        if len(series) > 1:
            ax.legend(fontsize=7)
        ax.grid(axis="x" if horizontal else "y", linewidth=0.3)

    return _png(draw, height=3.2 + 0.12 * len(categories) if horizontal else 3.6)


@_memo_png
def scatter_chart(
    series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    x_label: str,
    y_label: str,
) -> bytes:
    """Points of several named series (``(name, xs, ys)``) as PNG bytes.

    Example
    -------
    >>> scatter_chart([("机会产业", [0.1], [0.5])], "关联密度", "PCI")[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """

    def draw(ax: Any) -> None:
        for name, xs, ys in series:
            ax.scatter(xs, ys, s=10, label=name, alpha=0.75)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        if series:
            ax.legend(fontsize=7)
        ax.grid(linewidth=0.3)

    return _png(draw)


@_memo_png
def tile_map(m: dict[str, Any]) -> bytes | None:
    """The dashboard's tile-grid map (one square per provincial unit, coloured by its first
    measure; 台湾、香港、澳门 and units without data grey) with the cities of the selected
    province beside it (bubbles by the same measure, the highlighted ones circled in red).

    Parameters
    ----------
    m:
        :meth:`jiqun.services.maps.MapData.to_dict` of the page.

    Returns
    -------
    bytes or None
        PNG bytes; ``None`` when the map is not a tile grid (a configured boundary map).

    Example
    -------
    >>> tile_map(map_data(PUBLIC, focus="320200").to_dict())[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """
    tiles = m.get("tiles") or []
    if m.get("mode") != "tiles" or not tiles:
        return None
    measure = (m.get("measures") or [{"key": "clusters", "label": "", "unit": ""}])[0]
    key = measure["key"]
    vals = [t["values"].get(key) for t in tiles if not t.get("no_data")]
    top = max([float(v) for v in vals if not missing(v)] or [1.0]) or 1.0
    selected = m.get("selected")
    highlight = set(m.get("highlight") or [])
    # the prefecture-level cities (a city page's districts would crowd the small image)
    cities = [
        p for p in m.get("points") or [] if p.get("province") == selected and not p.get("detail")
    ]

    def draw(ax: Any, bx: Any) -> None:
        from matplotlib import colormaps
        from matplotlib.patches import Rectangle

        cmap = colormaps["Blues"]
        n_rows = max(t["row"] for t in tiles) + 1
        for t in tiles:
            v = t["values"].get(key)
            empty = t.get("no_data") or missing(v)
            face = "#e5e7eb" if empty else cmap(0.15 + 0.85 * float(v) / top)
            # the selected province and those holding a highlighted region (a cluster's members)
            marked = t["code"] == selected or any(h[:2] == t["code"][:2] for h in highlight)
            edge = "#c0392b" if marked else "white"
            ax.add_patch(
                Rectangle(
                    (t["col"], n_rows - 1 - t["row"]), 0.95, 0.95, facecolor=face,
                    edgecolor=edge, linewidth=1.6 if marked else 0.5,
                )
            )  # fmt: skip
            dark = not empty and float(v) / top > 0.55
            ax.text(
                t["col"] + 0.475, n_rows - 1 - t["row"] + 0.475, t["short"], ha="center",
                va="center", fontsize=6, color="white" if dark else "#1f2937",
            )  # fmt: skip
        ax.set_xlim(0, max(t["col"] for t in tiles) + 1)
        ax.set_ylim(0, n_rows)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"{measure['label']}（{measure['unit']}，灰色为无数据）", fontsize=8)
        if cities:
            xs = [p["lon"] for p in cities]
            ys = [p["lat"] for p in cities]
            cv = [p["values"].get(key) for p in cities]
            size = [20 + 180 * (0 if missing(v) else float(v)) / top for v in cv]
            bx.scatter(xs, ys, s=size, color="#2c7fb8", alpha=0.6)
            for p, x, y in zip(cities, xs, ys, strict=True):
                hit = p["code"] in highlight
                if hit:
                    bx.scatter([x], [y], s=160, facecolors="none", edgecolors="#c0392b")
                bx.annotate(
                    p["name"], (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points",
                    color="#c0392b" if hit else "#1f2937",
                )  # fmt: skip
            name = next((t["name"] for t in tiles if t["code"] == selected), "")
            bx.set_title(f"{name}的城市（经纬度示意，非地图）", fontsize=8)
            bx.tick_params(labelsize=6)
            bx.grid(linewidth=0.3)
        else:
            bx.axis("off")

    return _png(draw, height=3.4, panels=2)


# ----------------------------------------------------------------------------------------------
# the header: date, data version, reader
# ----------------------------------------------------------------------------------------------


def _version_line(engine: Engine) -> str:
    from jiqun.services.cache import data_version

    v = data_version(engine)
    last, count, meta = [*list(v), None, None, None][:3]
    text = f"导入批次 #{last if last is not None else '—'}（累计 {count or 0} 次导入）"
    return text + (f"，版本标记 {meta}" if meta else "")


def _reader(principal: Any, w: Wording) -> str:
    if principal.is_public:
        return "公开版本（未登录读者可见的内容）"
    role = w.lab("role", principal.role)
    scope = f"，范围 {principal.scope}" if getattr(principal, "scope", None) else ""
    who = principal.username or "—"
    return f"{who}（{role}{scope}）所见内容"


def _stale() -> str | None:
    from jiqun.services.cache import last_served

    s = last_served()
    if s is None:
        return None
    return f"数据正在更新：部分结果为上一数据版本的存储结果（计算于 {s[1]}）"


def _header(
    principal: Any, engine: Engine, w: Wording
) -> tuple[str, str, str]:  # data version, date, reader
    now = dt.datetime.now().replace(microsecond=0)
    return _version_line(engine), now.strftime("%Y-%m-%d %H:%M"), _reader(principal, w)


# ----------------------------------------------------------------------------------------------
# published statistics (the dashboards' last section), as the page shows them
# ----------------------------------------------------------------------------------------------


def _published(principal: Any, engine: Engine, w: Wording, **kw: Any) -> Section:
    from jiqun.services.access import NotFound

    sec = Section("公开统计（小样本单元已抑制）")
    try:
        from jiqun.services import published
    except ImportError:  # pragma: no cover - an installation without the module
        sec.items.append("本部署未提供公开统计。")
        return sec
    try:
        res = published.published_table(principal, engine=engine, **kw)
    except NotFound as exc:
        sec.items.append(f"本单元没有公开统计：{exc.message_zh}")
        return sec
    view = published.published_view(res, principal.role)
    df, basis, cols = view.table, view.basis, view.columns
    sup = df["suppressed"].astype(bool) if "suppressed" in df else pd.Series(False, index=df.index)
    for c in ("value", "n_enterprises"):
        if c in df:
            df[c] = df[c].astype(object).where(~(sup & df[c].isna()), "已抑制")
    fmt = {
        "suppression": lambda v: "—" if missing(v) else w.lab("suppression", v),
        "kind": lambda v: w.lab("total_kind", v),
        "confidential": fmt_flag,
        "region_code": lambda v: "—" if missing(v) else str(v),
        "industry_code": lambda v: "—" if missing(v) else str(v),
    }
    n_sup = view.n_suppressed
    sec.synthetic = bool(basis.get("synthetic"))
    sec.items.append(
        f"{n_sup} 个单元已抑制：企业数少于 3 家、或单一企业占比超过 85%，并对整个公开数据版本作次级"
        "抑制：任何公开数字（单独或组合）都不能把隐藏值推算到 15% 以内。"
        if n_sup
        else "本表没有对您抑制的单元。"
    )
    tab = _table("公开统计表", df, cols, w, fmt, basis, view.notes)
    tot = view.totals
    if len(tot):
        # the totals under the table's own columns (a region's table by industry has no region
        # column, its totals do): one width for every row
        t2 = _table("", tot.reindex(columns=list(dict.fromkeys([*cols, "kind"]))), cols, w, fmt)
        for r, rec in zip(t2.rows, tot.to_dict("records"), strict=False):
            # a total row's label takes the first empty label cell (as on the page)
            label = w.lab("total_kind", rec.get("kind"))
            for i, c in enumerate(cols):
                if c in published.LABEL_COLUMNS and r[i] == "—":
                    r[i] = label
                    break
        tab.rows.extend(t2.rows)
    sec.items.append(tab)
    return sec


# ----------------------------------------------------------------------------------------------
# the cluster report
# ----------------------------------------------------------------------------------------------


def _lq_series(tab: pd.DataFrame, col: str) -> tuple[list[str], list[tuple[str, list[Any]]]]:
    """Categories = leading industries, one series per member city (as the dashboard's chart)."""
    inds = list(dict.fromkeys(tab["industry_code"]))
    names = dict(zip(tab["industry_code"], tab["industry_name"], strict=False))
    series = []
    for (_code, city), g in tab.groupby(["region_code", "region_name"], sort=False):
        v = g.set_index("industry_code")[col]
        series.append((str(city), [v.get(i) for i in inds]))
    return [f"{i} {names.get(i) or ''}".strip() for i in inds], series


def _diagnosis_section(
    cluster_id: str, engine: Engine, w: Wording, measure: str, level: str
) -> Section:
    from jiqun.services.diagnosis import diagnose_cluster

    # the same call as the dashboard's diagnosis section: its stored result for this data version
    d = diagnose_cluster(cluster_id, engine=engine, measure=measure, industry_level=level)
    sec = Section("集群诊断：主导产业专业化、趋势、强度与星级", synthetic=d.synthetic)
    b = d.basis
    sec.items.append(
        _table(
            w.lab("table", "members"),
            d.tables["members"],
            [
                "region_name",
                "region_code",
                "total_value",
                "national_share",
                "leading_value",
                "leading_share_of_region",
                "leading_lq",
                "diversity",
            ],
            w,
            {"national_share": fmt_pct, "leading_share_of_region": fmt_pct},
            b,
            d.notes,
        )
    )
    lead = d.tables["leading_industries"]
    if len(lead) and "lq" in lead:
        cats, series = _lq_series(lead, "lq")
        sec.items.append(
            Figure(
                "主导产业区位商（城市 × 产业，LQ ≥ 1 为专业化）",
                bar_chart(cats, series, "区位商 LQ", mark=1.0),
                b,
            )
        )
    if len(lead) and "lq_change" in lead:  # a single year of statistics has no change
        cats, series = _lq_series(lead, "lq_change")
        sec.items.append(
            Figure(
                f"区位商变化（{b.get('previous_year')} → {b.get('year')}）",
                bar_chart(cats, series, "区位商变化", mark=0.0),
                b,
            )
        )
    sec.items.append(
        _table(
            w.lab("table", "leading_industries"),
            lead,
            [
                "region_name",
                "industry_name",
                "industry_code",
                "value",
                "lq",
                "lq_prev",
                "growth_rate",
                "trend",
                "specialised",
            ],
            w,
            {"growth_rate": fmt_pct, "trend": lambda v: w.lab("trend", v), "specialised": fmt_flag},
            b,
        )
    )
    sec.items.append(
        _table(
            w.lab("table", "strength"),
            d.tables["strength"],
            [
                "region_name",
                "employment",
                "establishments",
                "lq",
                "lq_rank",
                "qualifying",
                "significant",
                "strong",
                "strong10",
                "stars",
            ],
            w,
            {
                "qualifying": fmt_flag,
                "significant": fmt_flag,
                "strong": fmt_flag,
                "strong10": fmt_flag,
                "stars": fmt_stars,
                "employment": _int,
                "establishments": _int,
            },
            {
                "strength_basis": b.get("strength_basis"),
                "year": b.get("year"),
                "synthetic": b.get("synthetic"),
            },
        )
    )
    sec.items.append(
        _table(
            w.lab("table", "competition_regions"),
            d.tables["competition_regions"],
            [
                "region_a_name",
                "region_b_name",
                "rank",
                "structure_similarity",
                "krugman_bilateral",
                "overlap_jaccard",
                "n_shared_specialised",
                "shared_specialised",
            ],
            w,
            {"overlap_jaccard": fmt_pct},
            b,
        )
    )
    sec.items.append(
        _table(
            w.lab("table", "competition_clusters"),
            d.tables["competition_clusters"],
            [
                "cluster_b",
                "cluster_b_name",
                "rank",
                "structure_similarity",
                "overlap_jaccard",
                "leading_overlap_jaccard",
                "shared_leading",
            ],
            w,
            {"overlap_jaccard": fmt_pct, "leading_overlap_jaccard": fmt_pct},
            b,
        )
    )
    sec.items.append(
        "结构相似系数越接近 1、主导产业重合度越高，同质化竞争越明显；宜按比较优势进行功能定位与分工。"
    )
    nxt = d.tables["next_industries"]
    nxt = nxt[nxt["rank"] <= 5] if len(nxt) else nxt
    sec.items.append(
        _table(
            f"{w.lab('table', 'next_industries')}（每城前 5 位）",
            nxt,
            [
                "region_name",
                "rank",
                "industry_name",
                "industry_code",
                "density",
                "pci",
                "cog",
                "position_label",
            ],
            w,
            basis=b,
        )
    )
    return sec


@_memo_png
def chain_chart(labels: Sequence[str], firms: Sequence[float], gap: Sequence[bool]) -> bytes:
    """Local firms per chain segment (upstream first) as horizontal bars, gaps in red.

    Example
    -------
    >>> chain_chart(["上游·原料药"], [2], [False])[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """

    def draw(ax: Any) -> None:
        ys = list(range(len(labels)))[::-1]
        colours = ["#c0392b" if g else "#2c7fb8" for g in gap]
        xs = [0.0 if missing(f) else float(f) for f in firms]
        ax.barh(ys, xs, color=colours)
        for y, x, g in zip(ys, xs, gap, strict=True):
            if g and x == 0:  # a missing segment has no bar: say so where it would be
                ax.text(0, y, " 缺链：本地无企业", color="#c0392b", va="center", fontsize=7)
        ax.set_yticks(ys, list(labels), fontsize=7)
        ax.set_xlabel("本地合格企业数（家）")
        ax.grid(axis="x", linewidth=0.3)
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(color="#2c7fb8", label="本地已有"),
                Patch(color="#c0392b", label="薄弱/缺失（补链）"),
            ],
            fontsize=7,
        )

    return _png(draw, height=2.6 + 0.22 * len(labels))


def _map_section(principal: Any, engine: Engine, title: str, **where: Any) -> Section:
    from jiqun.services.maps import map_data

    # the page's map (the same call as the dashboards), drawn as an image
    m = map_data(principal, engine, lang="zh", **where).to_dict()
    sec = Section(title, synthetic=bool(m.get("synthetic")))
    png = tile_map(m)
    if png is None:
        sec.items.append(
            "本部署使用经审核的行政区划底图（须标注审图号），报告不复制底图：地图请在网页上查看。"
        )
        return sec
    measure = (m.get("measures") or [{}])[0]
    basis = {
        "measure": measure.get("label"),
        "unit": measure.get("unit"),
        "value_or_count": "count" if measure.get("key") == "clusters" else "value",
        "region_level": "省级（方块，含台湾省、香港、澳门，显示为无数据）；地级（右侧城市）",
        "source": (m.get("basis") or {}).get(measure.get("key")),
        "synthetic": m.get("synthetic"),
    }
    sec.items.append(Figure(title, png, basis, list(m.get("notes") or [])))
    return sec


_CHAIN_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}


def _chain_section(
    principal: Any, prof: dict[str, Any], engine: Engine, w: Wording, client: str | None
) -> Section:
    sec = Section("产业链图谱：上中下游、完整度、薄弱环节与本地配套率")
    try:
        from jiqun.chains.templates import load_templates
        from jiqun.services.chains import chain_analysis

        templates = list(load_templates().values())
    except ImportError:  # pragma: no cover - an installation without the chains package
        templates = []
    if not templates:
        sec.items.append("本部署未提供产业链分析。")
        return sec
    # the dashboard's default chain: the first template of the cluster's field
    templates.sort(key=lambda t: (t.field != prof.get("field"), t.id))
    view = chain_analysis(
        principal,
        templates[0].id,
        cluster=prof["cluster_id"],
        engine=engine,
        client=client,
        cache=True,
    )
    rep, tabs, summ = view.report, view.tables, view.summary
    sec.synthetic = bool(rep.synthetic)
    sec.items.append(f"产业链：{w.loc(summ.get('chain_name'))}；范围：{summ.get('region')}")
    kpi = pd.DataFrame(
        [
            ("本地已有环节", f"{summ.get('segments_present')}/{summ.get('segments')}"),
            ("产业链完整度", _pct0(summ.get("completeness"))),
            ("加权完整度", _pct0(summ.get("weighted_completeness"))),
            ("本地配套率", _pct0(summ.get("lsr"))),
            ("补链环节", fmt_cell(summ.get("weak_or_missing"))),
            ("本地链上企业", fmt_cell(summ.get("local_chain_firms"))),
        ],
        columns=["what", "n"],
    )
    sec.items.append(
        _table(
            "产业链概况",
            kpi,
            ["what", "n"],
            w,
            basis=rep.basis,
            notes=view.notes,
            headers={"what": "指标", "n": "数值"},
        )
    )
    segs = tabs["segments"]
    assert segs is not None
    segs = segs.assign(_o=segs["position"].map(_CHAIN_ORDER).fillna(1)).sort_values(
        "_o", kind="stable"
    )
    comp = rep.analysis.completeness.table.set_index("segment")["present"]
    weak = set(tabs["weak_links"]["segment"]) if tabs["weak_links"] is not None else set()
    if len(segs):
        sec.items.append(
            Figure(
                "产业链图谱（上游 → 下游；红色为薄弱或缺失环节，长度为本地企业数）",
                chain_chart(
                    [
                        f"{w.lab('chain_position', p)}·{n}"
                        for p, n in zip(segs["position"], segs["name_zh"], strict=True)
                    ],
                    list(segs["firms"]),
                    [s in weak or not bool(comp.get(s, False)) for s in segs["segment"]],
                ),
                rep.basis,
                view.notes,
            )
        )
    lsr = tabs["lsr_segments"]
    lsr_by = lsr.set_index("segment") if lsr is not None and len(lsr) else pd.DataFrame()
    seg = segs.copy()
    hidden = (
        seg["suppressed"].astype(bool) if "suppressed" in seg else pd.Series(False, index=seg.index)
    )
    seg["lsr"] = seg["segment"].map(lambda s: lsr_by["lsr"].get(s) if "lsr" in lsr_by else None)
    seg["lsr_basis"] = seg["segment"].map(
        lambda s: lsr_by["basis"].get(s) if "basis" in lsr_by else None
    )
    for c in ("output", "lq", "share_of_national", "lsr"):
        seg[c] = seg[c].astype(object).where(~hidden, "保密")
    sec.items.append(
        _table(
            "环节",
            seg,
            [
                "name_zh",
                "position",
                "firms",
                "output",
                "lq",
                "share_of_national",
                "lsr",
                "lsr_basis",
            ],
            w,
            {
                "position": lambda v: w.lab("chain_position", v),
                "firms": _int,
                "output": lambda v: v if isinstance(v, str) else _int(v),
                "lq": lambda v: (
                    v if isinstance(v, str) else ("—" if missing(v) else f"{float(v):,.2f}")
                ),
                "share_of_national": lambda v: v if isinstance(v, str) else fmt_pct(v),
                "lsr": lambda v: v if isinstance(v, str) else _pct0(v),
            },
            rep.basis,
            headers={
                "name_zh": "环节",
                "position": "位置",
                "firms": "本地企业",
                "output": "产值（万元）",
                "lq": "区位商",
                "share_of_national": "占全国",
                "lsr": "本地配套率",
                "lsr_basis": "配套率口径",
            },
        )
    )
    for title, key, reason in (
        ("补链：薄弱或缺失环节", "weak_links", "reason_zh"),
        ("强链", "strong_links", "reason_zh"),
        ("延链", "extend_links", None),
    ):
        t = tabs.get(key)
        if t is None or not len(t):
            sec.items.append(f"{title}：无")
            continue
        items = [
            f"{r['name_zh']}（{w.lab('chain_position', r['position'])}）"
            + (f" — {r[reason]}" if reason and not missing(r.get(reason)) else "")
            for r in t.to_dict("records")
        ]
        sec.items.append(f"{title}：" + "；".join(items))
    leaders = tabs.get("leader_candidates")
    if leaders is None:
        sec.items.append(
            "链主候选（需政府确认）：无权查看 — 链主候选列出企业明细，只有平台管理员、所辖地区的政府用户"
            "或本集群的促进机构可以查看。"
        )
    else:
        sec.items.append(
            _table(
                "链主候选（需政府确认）",
                leaders.head(10),
                ["rank", "name", "segments", "local_linkage", "score", "government_listed"],
                w,
                {
                    "segments": lambda v: w.loc(v),
                    "local_linkage": _int,
                    "score": lambda v: "—" if missing(v) else f"{float(v):,.2f}",
                    "government_listed": fmt_flag,
                },
                rep.basis,
                headers={
                    "rank": "#",
                    "name": "企业",
                    "segments": "环节",
                    "local_linkage": "本地联系",
                    "score": "得分",
                    "government_listed": "已列入",
                },
            )
        )
    return sec


def _resilience_section(
    principal: Any, cluster_id: str, engine: Engine, w: Wording, client: str | None
) -> Section:
    from jiqun import reference

    sec = Section("供应链韧性热点")
    try:
        from jiqun.services.resilience import hot_spots_for
    except ImportError:  # pragma: no cover
        sec.items.append("本部署未提供供应链韧性分析。")
        return sec
    # the reader's table, audited as on the page (firm-level sales for an administrator only)
    res = hot_spots_for(principal, cluster_id, engine=engine, client=client)
    tab = res.table.copy()
    sec.synthetic = bool(res.basis.get("synthetic"))
    if "region" in tab.columns:
        tab.insert(
            tab.columns.get_loc("region") + 1,
            "region_name",
            tab["region"].map(lambda c: "—" if missing(c) else reference.region_name(str(c)) or c),
        )
    if "industry" in tab.columns:
        tab.insert(
            tab.columns.get_loc("industry") + 1,
            "industry_name",
            tab["industry"].map(
                lambda c: "—" if missing(c) else reference.industry_name(str(c)) or c
            ),
        )
    top = tab.head(10)
    if "name" in top and "esri" in top and len(top):
        sec.items.append(
            Figure(
                "供应链热点：系统性风险最高的供应商（ESRI）与单点故障",
                bar_chart(
                    [str(n) for n in top["name"]][::-1],
                    [("经济系统性风险指数 ESRI", list(top["esri"])[::-1])],
                    "ESRI（0–1）",
                    horizontal=True,
                ),
                res.basis,
                res.notes,
            )
        )
    cols = [c for c in tab.columns if c not in ("id", "region", "industry")]
    sec.items.append(
        _table(
            "热点企业",
            tab,
            cols,
            w,
            {"loss_share": fmt_pct, "firms": _int, "affected": _int, "dominated": _int},
            res.basis,
            res.notes,
        )
    )
    return sec


def _carriers_section(cluster_id: str, engine: Engine, w: Wording) -> Section:
    from jiqun.services.directory import cluster_carriers

    car = cluster_carriers(cluster_id, engine)
    sec = Section("创新资源", synthetic=bool(car.basis.get("synthetic")))
    kpi = pd.DataFrame(
        [
            {"what": w.lab("tag", k), "n": car.tagged.get(k, 0)}
            for k in ("single_champion", "little_giant", "srdi", "high_tech", "chain_leader")
        ]
        + [{"what": "创新载体", "n": len(car.table)}]
    )
    sec.items.append(
        _table(
            "创新资源概况（企业与载体数）",
            kpi,
            ["what", "n"],
            w,
            {"n": _int},
            car.basis,
            headers={"what": "类别", "n": "数量"},
        )
    )
    if len(car.counts):
        cats = [f"{r.type_zh}·{w.lab('carrier_level', r.level)}" for r in car.counts.itertuples()]
        sec.items.append(
            Figure(
                "创新载体：类型与级别",
                bar_chart(cats, [("载体数", list(car.counts["n"]))], "个", horizontal=True),
                car.basis,
            )
        )
    sec.items.append(
        _table(
            "创新载体名录",
            car.table,
            ["name", "type_zh", "level", "region_name", "recognised_year"],
            w,
            {"level": lambda v: w.lab("carrier_level", v), "recognised_year": fmt_year},
            car.basis,
            car.notes,
            headers={
                "name": "名称",
                "type_zh": "类型",
                "level": "级别",
                "region_name": "地区",
                "recognised_year": "认定年份",
            },
        )
    )
    return sec


def _plan_section(
    principal: Any, prof: dict[str, Any], engine: Engine, w: Wording, client: str | None
) -> Section:
    """区域分工方案 for the cluster's first chain of its field (:mod:`jiqun.services.planning`)."""
    from jiqun.planning import PlanInfeasible
    from jiqun.services.planning import division_plan, fitting_chains

    sec = Section("区域分工方案：按比较优势划分城市间产业链环节")
    if len(prof.get("member_regions") or []) < 2:
        sec.items.append("集群只有一个成员城市，不编制城市间分工方案。")
        return sec
    chains = fitting_chains(prof.get("field"))
    if not chains:
        sec.items.append("没有与集群领域对应的产业链模板，未编制分工方案。")
        return sec
    try:
        v = division_plan(principal, prof["cluster_id"], chains[0], engine=engine, client=client)
    except (PlanInfeasible, JiqunError) as exc:
        sec.items.append(f"未能编制分工方案：{exc.message_zh}")
        return sec
    p = v.plan
    sec.synthetic = bool(v.basis.get("synthetic"))
    source = "企业名录" if v.source == "registry" else "公开汇总数据（经披露控制）"
    sec.items.append(
        f"产业链：{v.template.name_zh}；数据来源：{source}。方案由混合整数规划求得：每个环节至少 "
        f"{p.parameters['min_regions']} 个牵头城市，优势不低于 {p.parameters['keep']} 的环节保留，"
        f"同一环节每对牵头城市惩罚 λ = {p.parameters['overlap_penalty']}。"
    )
    basis = {
        "比较优势": v.basis["advantage"].split(" / ")[0],
        "方案后结构": v.changes["basis"]["structure"].split(" / ")[0],
        "相似系数": v.changes["basis"]["similarity"].split(" / ")[0],
        "克鲁格曼指数": v.changes["basis"]["krugman"].split(" / ")[0],
        "完整度": v.changes["basis"]["completeness"].split(" / ")[0],
        "synthetic": v.basis.get("synthetic"),
    }
    seg_ids = list(p.assignment.columns)
    grid = pd.DataFrame(
        [
            {
                "city": v.cities.get(c, c),
                **{
                    s: ("● " if p.assignment.loc[c, s] else "") + fmt_cell(p.advantage.loc[c, s])
                    for s in seg_ids
                },
            }
            for c in p.assignment.index
        ]
    )
    sec.items.append(
        _table(
            "分工方案（● 牵头；数字为比较优势）",
            grid,
            ["city", *seg_ids],
            w,
            {s: str for s in seg_ids},
            basis,
            headers={"city": "城市", **{s: v.segments[s][0] for s in seg_ids}},
        )
    )
    pos = p.regions.assign(city=p.regions["region"].map(v.cities))
    pos["led"] = p.regions["segments_led"].map(lambda x: "、".join(v.segments[s][0] for s in x))
    pos["rule"] = p.regions["label_rule"].map(lambda r: r.split(" / ")[0])
    sec.items.append(
        _table(
            "城市定位",
            pos,
            ["city", "label_zh", "led", "rule"],
            w,
            {"led": str, "rule": str, "label_zh": str},
            basis,
            headers={"city": "城市", "label_zh": "定位", "led": "牵头环节", "rule": "规则"},
        )
    )
    s = v.changes["summary"]

    def num3(x: Any) -> str:
        return "—" if x is None else f"{x:.3f}"

    change = pd.DataFrame(
        [
            ("产业结构相似系数（城市对均值）", num3(s["similarity_before"]),
             num3(s["similarity_after"])),
            ("双边克鲁格曼指数（城市对均值）", num3(s["krugman_before"]), num3(s["krugman_after"])),
            ("组内产业链完整度", _pct0(s["completeness_before"]), _pct0(s["completeness_after"])),
            ("同一环节重叠的城市对", str(s["overlap_pairs_before"]), str(s["overlap_pairs_after"])),
        ],
        columns=["what", "before", "after"],
    )  # fmt: skip
    sec.items.append(
        _table(
            "方案带来的变化",
            change,
            ["what", "before", "after"],
            w,
            {"before": str, "after": str},
            basis,
            [n.split(" / ")[0] for n in v.notes],
            headers={"what": "指标", "before": "方案前", "after": "方案后"},
        )
    )
    if s["segments_to_build"]:
        sec.items.append(
            "待补链（牵头城市尚无企业）："
            + "、".join(v.segments[x][0] for x in s["segments_to_build"])
            + "。"
        )
    return sec


def cluster_report(
    principal: Any,
    cluster_id: str,
    engine: Engine | None = None,
    *,
    wording: Wording | None = None,
    measure: str = "employment",
    level: str = "class",
    client: str | None = None,
) -> Report:
    """The cluster dashboard as ``principal`` sees it, ready to write as .docx.

    Parameters
    ----------
    principal:
        The reader (:class:`jiqun.services.accounts.Principal`); the public gets the public
        version (profile, innovation resources, suppressed published statistics).
    cluster_id:
        The cluster's id (``NC2021-01``).
    engine:
        Database (default: the configured one).
    wording:
        The dashboard's labels (:class:`Wording`).
    measure, level:
        The diagnosis's measure and industry level (the dashboard's defaults).
    client:
        Client address for the audit entries of firm-level sections.

    Returns
    -------
    Report

    Raises
    ------
    jiqun.services.access.NotFound
        For an unknown cluster.

    References
    ----------
    docs/reports.md.

    Example
    -------
    >>> r = cluster_report(access.local_principal(), "NC2021-01")  # doctest: +SKIP
    >>> write_docx(r, "报告.docx")  # doctest: +SKIP
    """
    from jiqun.services.directory import cluster_profile
    from jiqun.store.db import get_engine

    engine = engine or get_engine()
    w = wording or Wording()
    prof = cluster_profile(cluster_id, engine)
    version, date, reader = _header(principal, engine, w)
    src = str(prof.get("source") or "")
    facts = [
        ("编号", str(prof["cluster_id"])),
        ("层级", w.lab("tier", prof.get("tier"))),
        ("领域", w.lab("field", prof.get("field"))),
        ("批次", fmt_year(prof.get("batch_year"))),
        ("促进机构", str(prof.get("promotion_organisation") or "—")),
        ("核实状态", w.lab("verification", prof.get("verification"))),
        ("来源", "；".join(w.loc(p) for p in src.split("; ")) if src else "—"),
        (
            "成员城市",
            "、".join(f"{m['name']}（{m['code']}）" for m in prof["member_regions"]) or "无",
        ),
        (
            "主导产业",
            "；".join(f"{i['code']} {i['name']}" for i in prof["leading_industries"]) or "无",
        ),
        ("登记成员企业", str(prof.get("registered_members", 0))),
        ("口径", "集群名录（GB/T 2260 地区代码，GB/T 4754-2017 行业代码）"),
    ]
    sections: list[Section] = [
        _map_section(
            principal, engine, "地图：集群成员城市（红圈标出）", cluster_id=prof["cluster_id"]
        )
    ]
    if principal.is_public:
        for h in (
            "集群诊断：主导产业专业化、趋势、强度与星级",
            "产业链图谱：上中下游、完整度、薄弱环节与本地配套率",
            "供应链韧性热点",
        ):
            sections.append(Section(h, [LOGIN_NOTE]))
    else:
        sections.append(_diagnosis_section(cluster_id, engine, w, measure, level))
        sections.append(_chain_section(principal, prof, engine, w, client))
        sections.append(_resilience_section(principal, cluster_id, engine, w, client))
    sections.append(_carriers_section(cluster_id, engine, w))
    sections.append(_plan_section(principal, prof, engine, w, client))
    sections.append(_published(principal, engine, w, cluster_id=cluster_id, by="region"))
    synthetic = bool(prof.get("synthetic")) or any(s.synthetic for s in sections)
    return Report(
        title=f"{prof['name']} 集群报告",
        subject=f"集群 {prof['cluster_id']}",
        facts=facts,
        sections=sections,
        synthetic=synthetic,
        data_version=version,
        generated_at=date,
        reader=reader,
        stale=_stale(),
    )


# ----------------------------------------------------------------------------------------------
# the region report
# ----------------------------------------------------------------------------------------------

_LEVELS = {"province": "省级", "prefecture": "地级", "county": "县级"}


def _next_section(code: str, engine: Engine, w: Wording, measure: str) -> Section:
    from jiqun.services.regions import region_positioning

    pos = region_positioning(code, engine, measure=measure)
    tab = pos.table
    sec = Section(
        "下一步发展什么：关联密度 × 产业复杂度", synthetic=bool(pos.basis.get("synthetic"))
    )
    series = []
    for key in ("opportunity", "low_hanging", "long_jump", "distant"):  # absent industries
        g = tab[(tab["position"] == key) & tab["density"].notna() & tab["pci"].notna()]
        if len(g):
            series.append((w.lab("position", key), list(g["density"]), list(g["pci"])))
    if series:
        sec.items.append(
            Figure(
                "未具优势产业：关联密度（可行性）× 产业复杂度 PCI",
                scatter_chart(series, "关联密度（可行性）", "产业复杂度 PCI"),
                pos.basis,
                pos.notes,
            )
        )
    elif pos.notes:
        sec.items.extend(w.loc(n) for n in pos.notes)
    absent = tab[~tab["present"].astype(bool)] if len(tab) else tab
    top = (
        absent[absent["position"].isin(["opportunity", "low_hanging"])].head(15)
        if len(tab)
        else tab
    )
    sec.items.append(
        _table(
            "优先发展产业（机会产业与易达产业，前 15 位）",
            top,
            ["industry_name", "industry_code", "density", "pci", "cog", "position_label"],
            w,
            basis=pos.basis,
            notes=pos.notes,
        )
    )
    if pos.eci is not None and not missing(pos.eci):
        sec.items.append(f"本地区经济复杂度 ECI：{fmt_cell(float(pos.eci))}")
    return sec


def region_report(
    principal: Any,
    code: str,
    engine: Engine | None = None,
    *,
    wording: Wording | None = None,
    measure: str = "employment",
) -> Report:
    """The region dashboard as ``principal`` sees it, ready to write as .docx.

    Parameters
    ----------
    principal:
        The reader; the public gets the public version (no "what next" section).
    code:
        A GB/T 2260 code (province, prefecture or county).
    engine:
        Database (default: the configured one).
    wording:
        The dashboard's labels (:class:`Wording`).
    measure:
        The "what next" section's measure (the dashboard's default).

    Returns
    -------
    Report

    Raises
    ------
    jiqun.services.access.NotFound
        For an unknown code.

    References
    ----------
    docs/reports.md.

    Example
    -------
    >>> write_docx(region_report(PUBLIC, "320200"), "无锡.docx")  # doctest: +SKIP
    """
    from jiqun.services.regions import region_portfolio, region_profile
    from jiqun.store.db import get_engine

    engine = engine or get_engine()
    w = wording or Wording()
    prof = region_profile(code, engine)
    port = region_portfolio(prof["code"], engine)
    version, date, reader = _header(principal, engine, w)
    facts = [
        ("行政区划代码", prof["code"]),
        ("层级", _LEVELS.get(prof["level"], prof["level"])),
        ("所属", " › ".join(p["name"] for p in prof["path"])),
    ]
    if prof.get("lon") is not None:
        facts.append(("坐标", f"{prof['lon']:.3f}°E, {prof['lat']:.3f}°N"))
    if prof["children"]:
        facts.append(("下级地区", "、".join(c["name"] for c in prof["children"])))
    portfolio = Section("集群组合")
    portfolio.items.append(
        _table(
            "本地区的集群",
            port,
            ["name", "cluster_id", "tier", "field", "batch_year", "member_regions", "relation"],
            w,
            {
                "tier": lambda v: w.lab("tier", v),
                "field": lambda v: w.lab("field", v),
                "batch_year": fmt_year,
                "relation": lambda v: w.lab("relation", v),
                "member_regions": lambda v: (
                    "、".join(map(str, v)) if isinstance(v, list | tuple) else fmt_cell(v)
                ),
            },
            {"source": "集群名录的成员地区（GB/T 2260）", "value_or_count": "计数（个）"},
            headers={
                "name": "集群",
                "cluster_id": "编号",
                "tier": "层级",
                "field": "领域",
                "batch_year": "批次",
                "member_regions": "成员地区",
                "relation": "关系",
            },
        )
    )
    sections = [
        portfolio,
        _map_section(
            principal,
            engine,
            "地图：本省的城市" if prof["level"] == "province" else "地图：本市在全省中的位置",
            focus=prof["code"],
        ),
    ]
    if principal.is_public:
        sections.append(Section("下一步发展什么：关联密度 × 产业复杂度", [LOGIN_NOTE]))
    else:
        sections.append(_next_section(prof["code"], engine, w, measure))
    sections.append(_published(principal, engine, w, region=prof["code"], by="industry"))
    return Report(
        title=f"{prof['name']} 产业集群报告",
        subject=f"地区 {prof['code']}",
        facts=facts,
        sections=sections,
        synthetic=any(s.synthetic for s in sections),
        data_version=version,
        generated_at=date,
        reader=reader,
        stale=_stale(),
    )


# ----------------------------------------------------------------------------------------------
# writing the .docx
# ----------------------------------------------------------------------------------------------

_NUMERALS = "一二三四五六七八九十"
_BASIS_MAIN = (
    "year",
    "previous_year",
    "measure_label",
    "measure",
    "unit",
    "value_or_count",
    "region_level",
    "industry_code_level",
)


def basis_line(basis: dict[str, Any], w: Wording | None = None) -> str:
    """``口径与来源：年份：2022；指标：…`` — every key of a basis, the main ones first.

    Example
    -------
    >>> basis_line({"year": 2022, "unit": "人", "synthetic": True})
    '口径与来源：年份：2022；单位：人'
    """
    w = w or Wording()
    keys = [k for k in _BASIS_MAIN if k in basis] + [k for k in basis if k not in _BASIS_MAIN]
    parts = []
    for k in keys:
        v = basis.get(k)
        if k in ("synthetic", "note_en") or missing(v) or v == "":
            continue
        if k == "measure" and basis.get("measure_label"):
            continue
        parts.append(f"{w.lab('basis', k)}：{w.loc(v)}")
    return "口径与来源：" + "；".join(dict.fromkeys(parts))  # two keys may say the same


def _east_asian(style_or_run: Any, name: str) -> None:
    from docx.oxml.ns import qn

    el = style_or_run.element
    rpr = el.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def render_docx(r: Report, w: Wording | None = None) -> bytes:
    """Write a :class:`Report` as a Word document and return its bytes.

    Example
    -------
    >>> render_docx(cluster_report(PUBLIC, "NC2021-01"))[:2]  # doctest: +SKIP
    b'PK'
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    w = w or Wording()
    doc = Document()
    doc.core_properties.title = r.title
    doc.core_properties.subject = r.subject
    doc.core_properties.author = f"Jiqun {__version__}"
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    _east_asian(normal, "宋体")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        _east_asian(doc.styles[name], "黑体")
    for s in doc.sections:
        s.left_margin = s.right_margin = Cm(2.2)

    def small(text: str, color: RGBColor | None = None, bold: bool = False) -> None:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.font.size = Pt(8.5)
        run.bold = bold
        if color is not None:
            run.font.color.rgb = color
        p.paragraph_format.space_after = Pt(2)

    red = RGBColor(0xC0, 0x39, 0x2B)
    grey = RGBColor(0x55, 0x55, 0x55)

    def synthetic_mark() -> None:
        small(f"⚠ 模拟数据：{SYNTHETIC_NOTE_ZH}", red, bold=True)

    last: list[str] = [""]  # the section's previous basis line and notes

    def basis_of(basis: dict[str, Any] | None, notes: Sequence[str]) -> None:
        said = [w.loc(n) for n in notes if SYNTHETIC_NOTE_ZH not in w.loc(n)]
        if basis:
            line = basis_line(basis, w) + ("；⚠ 含模拟数据" if basis.get("synthetic") else "")
            key = line + "\n".join(said)
            if key == last[0]:  # the same basis as the figure just above: said once
                small("口径与来源：同上", grey)
                return
            last[0] = key
            small(line, grey)
        for n in said:  # the synthetic note is said once per section, above
            small(f"注：{n}", grey)

    doc.add_heading(r.title, level=0)
    meta = doc.add_paragraph()
    meta.add_run(
        f"生成日期：{r.generated_at}　数据版本：{r.data_version}　Jiqun {__version__}\n"
        f"读者：{r.reader}"
    ).font.size = Pt(9)
    if r.synthetic:
        p = doc.add_paragraph()
        run = p.add_run(f"⚠ 模拟数据：{SYNTHETIC_NOTE_ZH}。本报告中的数字不可作为决策依据。")
        run.bold = True
        run.font.color.rgb = red
    if r.stale:
        small(r.stale, red)

    doc.add_heading("概况", level=1)
    facts = doc.add_table(rows=0, cols=2, style="Table Grid")
    for k, v in r.facts:
        cells = facts.add_row().cells
        cells[0].text = k
        cells[1].text = v
        cells[0].paragraphs[0].runs[0].bold = True
        cells[0].width = Cm(3.5)

    fig_no = tab_no = 0
    for i, sec in enumerate(r.sections):
        num = _NUMERALS[i] if i < len(_NUMERALS) else str(i + 1)
        doc.add_heading(f"{num}、{sec.heading}", level=1)
        last[0] = ""
        if sec.synthetic:
            synthetic_mark()
        for item in sec.items:
            if isinstance(item, str):
                doc.add_paragraph(item)
            elif isinstance(item, Figure):
                fig_no += 1
                doc.add_picture(io.BytesIO(item.png), width=Cm(16))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                cap = doc.add_paragraph(f"图 {fig_no}　{item.title}", style="Caption")
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                basis_of(item.basis, item.notes)
            else:
                tab_no += 1
                doc.add_paragraph(f"表 {tab_no}　{item.title}", style="Caption")
                if item.headers:
                    t = doc.add_table(rows=1, cols=len(item.headers), style="Table Grid")
                    for cell, h in zip(t.rows[0].cells, item.headers, strict=True):
                        cell.text = h
                        cell.paragraphs[0].runs[0].bold = True
                    for row in item.rows:
                        cells = t.add_row().cells
                        for cell, v in zip(cells, row, strict=True):
                            cell.text = v
                    for row in t.rows:
                        for cell in row.cells:
                            for run in cell.paragraphs[0].runs:
                                run.font.size = Pt(8)
                if not item.rows:
                    small("（无数据）")
                elif item.total > len(item.rows):
                    small(f"仅列前 {len(item.rows)} 行，共 {item.total} 行；完整数据见网页或 API。")
                basis_of(item.basis, item.notes)
    doc.add_heading("说明", level=1)
    doc.add_paragraph(
        "本报告由 Jiqun 平台按读者权限生成，内容与网页看板相同（同一数据版本的存储结果）。"
        "每个图表与表格下方注明其口径与来源：年份、指标、单位、数值或计数、地区层级与行业代码层级"
        "（GB/T 2260 行政区划代码，GB/T 4754-2017 国民经济行业分类）。"
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(r: Report, out: str | Path, w: Wording | None = None) -> Path:
    """Write the report to ``out`` (a ``.docx`` path whose folder exists).

    Returns
    -------
    pathlib.Path

    Example
    -------
    >>> write_docx(cluster_report(access.local_principal(), "NC2021-01"), "报告.docx")  # doctest: +SKIP
    """
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise JiqunError(
            f"Word 报告须以 .docx 结尾：{out.name}", f"a Word report must end in .docx: {out.name}"
        )
    if not out.parent.exists():
        raise JiqunError(f"目录不存在：{out.parent}", f"folder does not exist: {out.parent}")
    out.write_bytes(render_docx(r, w))
    return out
