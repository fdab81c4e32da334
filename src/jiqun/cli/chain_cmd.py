"""``jiqun chain ...``: industrial-chain templates, firm mapping and chain analytics.

A thin layer over :mod:`jiqun.chains` and :mod:`jiqun.services.chains`. Exit status follows
``jiqun`` (0 success, 1 user-facing error in Chinese and English, 2 usage or internal error);
a :class:`~jiqun.standard.problems.JiqunError` raised here is turned into the bilingual message
by :func:`jiqun.cli.app.main`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import JustifyMethod
from rich.panel import Panel

from jiqun.cli.render import Column, command_group, fmt_value, frame_table, table, terminal_console

chain_app = command_group(
    "产业链图谱 / industrial chains: templates, firm mapping, completeness, local "
    "supporting rate, weak links (补链/强链/延链), chain-leader candidates."
)

console = terminal_console()

TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="用户产业链模板文件或目录（YAML） / user template file or folder "
        "(default $JIQUN_CHAIN_TEMPLATES)",
    ),
]
ChainArg = Annotated[str, typer.Argument(help="产业链编号 chain id, e.g. integrated_circuits")]
RegionOpt = Annotated[
    str | None, typer.Option("--region", help="行政区划代码（含下辖地区） / region code")
]
ClusterOpt = Annotated[str | None, typer.Option("--cluster", help="集群编号 / cluster id")]
OverridesOpt = Annotated[
    Path | None,
    typer.Option(
        "--overrides", help="人工指定企业环节 .csv/.xlsx (uscc, segment[, chain]) / manual mapping"
    ),
]


def _yi(wan: Any) -> str:
    """万元 → 亿元 with two decimals."""
    if wan is None or (isinstance(wan, float) and math.isnan(wan)):
        return "—"
    return f"{float(wan) / 1e4:,.2f}"


def _segment_left(col: str) -> JustifyMethod:
    """Segment names left, figures right."""
    return "left" if col.startswith("环节") else "right"


def _syn(flag: bool) -> str:
    return " [bold yellow]【模拟数据 SYNTHETIC】[/]" if flag else ""


def _basis_line(basis: dict[str, Any], notes: list[str]) -> None:
    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in basis.items()) + "[/]")
    for n in notes:
        console.print(f"[yellow]注 note:[/] {n}")


@chain_app.command("list")
def list_cmd(templates: TemplatesOpt = None) -> None:
    """列出产业链模板 / list the chain templates."""
    from jiqun.chains import load_templates
    from jiqun.standard.schema import FIELDS_OF_CLUSTERS

    rows = (
        (
            tm.id,
            f"{tm.name_zh} / {tm.name_en}",
            " / ".join(FIELDS_OF_CLUSTERS[tm.field]),
            str(tm.version),
            str(len(tm.segments)),
            "内置 shipped" if tm.shipped else tm.origin,
        )
        for tm in load_templates(templates).values()
    )
    columns = ("编号 id", "名称 name", "领域 field", "版本 ver.", "环节 segments", "来源 origin")
    console.print(table(columns, rows, "产业链模板 chain templates", overflow="fold"))


@chain_app.command("show")
def show_cmd(chain: ChainArg, templates: TemplatesOpt = None) -> None:
    """显示模板的环节、行业代码、关键词与供应关系 / show a template's segments."""
    from jiqun.chains import POSITIONS, get_template
    from jiqun.reference import industry_name

    tm = get_template(chain, templates)
    head = (
        f"[bold]{tm.name_zh} / {tm.name_en}[/] ({tm.id}, v{tm.version}, {tm.field})\n"
        f"{tm.description_zh}\n{tm.description_en}\n来源 sources: " + "；".join(tm.sources)
    )
    console.print(Panel(head, expand=False))
    columns = (
        "环节 segment",
        "位置",
        "GB/T 4754 (置信度 conf.)",
        "关键词 keywords",
        "HS",
        "供应 supplies",
    )
    rows = (
        (
            f"{s.name_zh}\n{s.name_en}\n[dim]{s.id}[/]",
            POSITIONS[s.position][0],
            "\n".join(f"{m.code} {industry_name(m.code)} ({m.confidence})" for m in s.gbt4754),
            "、".join(s.keywords),
            " ".join(s.hs),
            ", ".join(s.supplies),
        )
        for s in map(tm.segment, tm.topological_order())
    )
    console.print(table(columns, rows, overflow="fold", show_lines=True))


@chain_app.command("validate")
def validate_cmd(
    file: Annotated[Path, typer.Argument(help="YAML 模板文件 template file")],
) -> None:
    """校验用户产业链模板 / validate a user template file (exit 1 with every problem)."""
    from jiqun.chains import read_template_file

    for tm in read_template_file(file):
        console.print(
            f"[green]有效 valid[/]: {tm.id} v{tm.version} — {tm.name_zh} / {tm.name_en}, "
            f"{len(tm.segments)} 个环节 segments"
        )


@chain_app.command("map")
def map_cmd(
    chain: ChainArg,
    region: RegionOpt = None,
    cluster: ClusterOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="输出 .csv/.xlsx/.json / output file")
    ] = None,
    overrides: OverridesOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """把企业映射到产业链环节 / map stored firms onto the chain's segments."""
    from jiqun.services.chains import chain_map, write_chain_output
    from jiqun.store.db import prepare

    prepare()
    res = chain_map(chain, region, cluster, templates=templates, overrides=overrides)
    from jiqun.services.access import audit_read, local_principal

    # The mapping is a table of named firms: one audit entry for the read.
    audit_read(
        local_principal(),
        "chain_map",
        res.mapping["uscc"].dropna().astype(str).tolist() if "uscc" in res.mapping else [],
        resource=f"chain:{chain}",
        params={"chain": chain, "region": region, "cluster": cluster},
    )
    where = res.region.label if res.region else "全国 country"
    columns: list[Column] = [
        ("环节 segment", lambda r: f"{r.name_zh} / {r.name_en}"),
        ("位置", lambda r: r.position),
        ("企业 firms", lambda r: str(r.firms)),
        ("按代码 code", lambda r: str(r.by_code)),
        ("按关键词 keyword", lambda r: str(r.by_keyword)),
        ("人工 manual", lambda r: str(r.manual)),
        ("产值 output (亿元)", lambda r: _yi(r.output)),
    ]
    title = f"{res.template.name_zh} / {res.template.name_en} — {where}{_syn(res.synthetic)}"
    console.print(frame_table(res.summary, columns, title, justify=_segment_left))
    console.print(
        f"映射记录 mapping rows: {len(res.mapping):,}; 企业 firms: {res.mapping['uscc'].nunique():,}"
    )
    _basis_line(res.basis, res.notes)
    if out:
        write_chain_output(res, out)
        console.print(f"[green]已写入 written[/] → {out}")


@chain_app.command("analyse")
def analyse_cmd(
    chain: ChainArg,
    region: RegionOpt = None,
    cluster: ClusterOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="报告 report .json/.xlsx / output file")
    ] = None,
    year: Annotated[int | None, typer.Option(help="供应关系年份 / supply-link year")] = None,
    basis: Annotated[
        str, typer.Option(help="本地配套率口径 LSR basis: auto | value | count")
    ] = "auto",
    top: Annotated[int, typer.Option(help="每个环节的候选企业数 / candidates per segment")] = 5,
    overrides: OverridesOpt = None,
    templates: TemplatesOpt = None,
    io_table: Annotated[
        Path | None,
        typer.Option(
            "--io-table",
            help="投入产出表文件，为补链候选加权（默认 JIQUN_IO_TABLE） / input-output table "
            "weighting the gap candidates (default JIQUN_IO_TABLE)",
        ),
    ] = None,
) -> None:
    """产业链分析：完整度、本地配套率、补链/强链/延链、链主候选 / chain analytics."""
    from jiqun.services.access import local_principal
    from jiqun.services.chains import chain_report, report_tables_for, write_chain_output
    from jiqun.store.db import prepare

    prepare()
    rep = chain_report(
        chain,
        region,
        cluster,
        year=year,
        templates=templates,
        overrides=overrides,
        basis=basis,
        top_n=top,
        io_table=io_table,
    )
    # The firm tables are printed and written below: one audit entry for the read.
    report_tables_for(
        local_principal(),
        rep,
        params={"chain": chain, "region": region, "cluster": cluster, "year": year},
    )
    a = rep.analysis
    s = rep.summary()
    weighted = s["weighted_completeness"]
    console.print(
        Panel(
            f"[bold]{s['chain_name']}[/] — {s['region']}{_syn(rep.synthetic)}\n"
            f"产业链完整度 completeness: {fmt_value(s['completeness'], pct=True)} "
            f"({s['segments_present']}/{s['segments']} 个环节 segments, 计数口径 count basis)"
            f"；按价值加权 value-weighted: {fmt_value(weighted, pct=True)}\n"
            f"本地配套率 local supporting rate: {fmt_value(s['lsr'], pct=True)} "
            f"（{'价值口径 value basis' if s['lsr_basis'] == 'value' else '计数口径 count basis'}）\n"
            f"本地产业链企业 local chain firms: {s['local_chain_firms']}",
            expand=False,
        )
    )
    lsr = a.lsr.segments.set_index("segment")
    segments: list[Column] = [
        ("环节 segment", lambda r: f"{r.name_zh}"),
        ("位置", lambda r: r.position),
        ("企业", lambda r: str(r.firms)),
        ("产值(亿元)", lambda r: _yi(r.output)),
        ("小巨人", lambda r: str(r.little_giant)),
        ("冠军", lambda r: str(r.single_champion)),
        ("区位熵 LQ", lambda r: fmt_value(r.lq, digits=2)),
        ("配套率 LSR", lambda r: fmt_value(lsr.at[r.segment, "lsr"], pct=True)),
        ("口径 basis", lambda r: str(lsr.at[r.segment, "basis"])),
    ]
    console.print(frame_table(a.segments, segments, "环节 segments", justify=_segment_left))

    cands = a.weak.candidates

    io = "io_score" in cands.columns

    def candidates(segment: str) -> str:
        return "；".join(
            f"{x.name}（{x.region_code}"
            + (f", {x.distance_km:,.0f} km" if not math.isnan(x.distance_km) else "")
            + (f", io_score {fmt_value(x.io_score, digits=3)}" if io else "")
            + "）"
            for x in cands[cands["segment"] == segment].itertuples(index=False)
        )

    weak: list[Column] = [
        ("环节 segment", lambda r: r.name_zh),
        ("原因 reason", lambda r: r.reason_zh),
        ("本地企业", lambda r: str(r.local_firms)),
        ("配套率 LSR", lambda r: f"{fmt_value(r.lsr, pct=True)} ({r.basis})"),
        ("同类中位数 peer median", lambda r: fmt_value(r.peer_median, pct=True)),
        ("候选企业 candidates", lambda r: candidates(r.segment)),
    ]
    if "io_weight" in a.weak.table.columns:
        weak.insert(-1, ("投入产出权重 IO weight", lambda r: fmt_value(r.io_weight, digits=3)))
    console.print(frame_table(a.weak.table, weak, "补链 weak and missing links", overflow="fold"))

    strong: list[Column] = [
        ("环节 segment", lambda r: r.name_zh),
        ("企业", lambda r: str(r.firms)),
        ("区位熵 LQ", lambda r: fmt_value(r.lq, digits=2)),
        ("占全国 share", lambda r: fmt_value(r.share_of_national, pct=True)),
        ("最大企业占比 CR1", lambda r: fmt_value(r.cr1, pct=True)),
        ("最大企业", lambda r: str(r.top_firm_name)),
    ]
    extend: list[Column] = [
        ("环节 segment", lambda r: r.name_zh),
        ("方向 direction", lambda r: r.direction),
        ("相邻本地环节", lambda r: r.adjacent_local),
        ("范围 area", lambda r: r.related_basis),
        ("企业", lambda r: str(r.related_firms)),
        ("区位熵 LQ", lambda r: fmt_value(r.related_lq, digits=2)),
        ("主要地区 units", lambda r: r.top_related_units),
    ]
    leaders: list[Column] = [
        ("#", lambda r: str(r.rank)),
        ("企业 firm", lambda r: r.name),
        ("营收占比", lambda r: fmt_value(r.revenue_share, pct=True)),
        ("本地上下游", lambda r: fmt_value(r.local_linkage, digits=0)),
        ("PageRank", lambda r: fmt_value(r.pagerank, digits=5)),
        ("研发(万元)", lambda r: fmt_value(r.rd_expense, digits=0)),
        ("得分 score", lambda r: fmt_value(r.score, digits=3)),
        ("已列入 listed", lambda r: "是 yes" if r.government_listed else ""),
    ]
    optional = [
        (a.strong, strong, "强链 strong segments carried by few firms"),
        (a.extend, extend, "延链 extension segments dense in related regions"),
    ]
    for df, columns, title in optional:
        if len(df):
            console.print(frame_table(df, columns, title, overflow="fold"))
    if len(a.leaders):
        title = "链主候选（待确认，非认定） chain-leader candidates — for confirmation only"
        console.print(frame_table(a.leaders.head(top), leaders, title, overflow="fold"))
        console.print(
            "[dim]得分 = 营收占比、本地上下游数、网络中心度、研发投入的百分位加权；须经政府确认，"
            "系统不认定链主 / score = weighted percentiles of in-chain revenue share, local "
            "suppliers+customers, PageRank and R&D; needs confirmation, never a 链主 label[/]"
        )
    _basis_line(rep.basis, rep.notes)
    if out:
        write_chain_output(rep, out)
        console.print(f"[green]已写入 written[/] → {out}")


# 'analyze' as an alias for American spelling
chain_app.command("analyze", hidden=True)(analyse_cmd)
