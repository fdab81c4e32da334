"""``jiqun chain ...``: industrial-chain templates, firm mapping and chain analytics.

A thin layer over :mod:`jiqun.chains` and :mod:`jiqun.services.chains`. Exit status follows
``jiqun`` (0 success, 1 user-facing error in Chinese and English, 2 usage or internal error);
a :class:`~jiqun.standard.problems.JiqunError` raised here is turned into the bilingual message
by :func:`jiqun.cli.app.main`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

chain_app = typer.Typer(
    help="产业链图谱 / industrial chains: templates, firm mapping, completeness, local "
    "supporting rate, weak links (补链/强链/延链), chain-leader candidates.",
    no_args_is_help=True,
)

# Piped output (CI logs, files) would otherwise wrap the wide tables at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)

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


def _fmt(v: Any, pct: bool = False, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if pct:
        return f"{float(v):.1%}"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _yi(wan: Any) -> str:
    """万元 → 亿元 with two decimals."""
    if wan is None or (isinstance(wan, float) and math.isnan(wan)):
        return "—"
    return f"{float(wan) / 1e4:,.2f}"


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

    t = Table(title="产业链模板 chain templates")
    for col in ("编号 id", "名称 name", "领域 field", "版本 ver.", "环节 segments", "来源 origin"):
        t.add_column(col, overflow="fold")
    for tm in load_templates(templates).values():
        zh, en = FIELDS_OF_CLUSTERS[tm.field]
        t.add_row(
            tm.id,
            f"{tm.name_zh} / {tm.name_en}",
            f"{zh} / {en}",
            str(tm.version),
            str(len(tm.segments)),
            "内置 shipped" if tm.shipped else tm.origin,
        )
    console.print(t)


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
    t = Table(show_lines=True)
    for col in (
        "环节 segment",
        "位置",
        "GB/T 4754 (置信度 conf.)",
        "关键词 keywords",
        "HS",
        "供应 supplies",
    ):
        t.add_column(col, overflow="fold")
    for sid in tm.topological_order():
        s = tm.segment(sid)
        t.add_row(
            f"{s.name_zh}\n{s.name_en}\n[dim]{s.id}[/]",
            POSITIONS[s.position][0],
            "\n".join(f"{m.code} {industry_name(m.code)} ({m.confidence})" for m in s.gbt4754),
            "、".join(s.keywords),
            " ".join(s.hs),
            ", ".join(s.supplies),
        )
    console.print(t)


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
    t = Table(
        title=f"{res.template.name_zh} / {res.template.name_en} — {where}{_syn(res.synthetic)}"
    )
    for col in (
        "环节 segment",
        "位置",
        "企业 firms",
        "按代码 code",
        "按关键词 keyword",
        "人工 manual",
        "产值 output (亿元)",
    ):
        t.add_column(col, justify="left" if col.startswith("环节") else "right")
    for r in res.summary.itertuples(index=False):
        t.add_row(
            f"{r.name_zh} / {r.name_en}",
            r.position,
            str(r.firms),
            str(r.by_code),
            str(r.by_keyword),
            str(r.manual),
            _yi(r.output),
        )
    console.print(t)
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
            f"产业链完整度 completeness: {_fmt(s['completeness'], pct=True)} "
            f"({s['segments_present']}/{s['segments']} 个环节 segments, 计数口径 count basis)"
            f"；按价值加权 value-weighted: {_fmt(weighted, pct=True)}\n"
            f"本地配套率 local supporting rate: {_fmt(s['lsr'], pct=True)} "
            f"（{'价值口径 value basis' if s['lsr_basis'] == 'value' else '计数口径 count basis'}）\n"
            f"本地产业链企业 local chain firms: {s['local_chain_firms']}",
            expand=False,
        )
    )
    t = Table(title="环节 segments")
    for col in (
        "环节 segment",
        "位置",
        "企业",
        "产值(亿元)",
        "小巨人",
        "冠军",
        "区位熵 LQ",
        "配套率 LSR",
        "口径 basis",
    ):
        t.add_column(col, justify="left" if col.startswith("环节") else "right")
    lsr = a.lsr.segments.set_index("segment")
    for r in a.segments.itertuples(index=False):
        t.add_row(
            f"{r.name_zh}",
            r.position,
            str(r.firms),
            _yi(r.output),
            str(r.little_giant),
            str(r.single_champion),
            _fmt(r.lq, digits=2),
            _fmt(lsr.at[r.segment, "lsr"], pct=True),
            str(lsr.at[r.segment, "basis"]),
        )
    console.print(t)

    w = Table(title="补链 weak and missing links")
    for col in (
        "环节 segment",
        "原因 reason",
        "本地企业",
        "配套率 LSR",
        "同类中位数 peer median",
        "候选企业 candidates",
    ):
        w.add_column(col, overflow="fold")
    cands = a.weak.candidates
    for r in a.weak.table.itertuples(index=False):
        c = cands[cands["segment"] == r.segment]
        w.add_row(
            r.name_zh,
            r.reason_zh,
            str(r.local_firms),
            f"{_fmt(r.lsr, pct=True)} ({r.basis})",
            _fmt(r.peer_median, pct=True),
            "；".join(
                f"{x.name}（{x.region_code}"
                + (f", {x.distance_km:,.0f} km" if not math.isnan(x.distance_km) else "")
                + "）"
                for x in c.itertuples(index=False)
            ),
        )
    console.print(w)

    if len(a.strong):
        st = Table(title="强链 strong segments carried by few firms")
        for col in (
            "环节 segment",
            "企业",
            "区位熵 LQ",
            "占全国 share",
            "最大企业占比 CR1",
            "最大企业",
        ):
            st.add_column(col, overflow="fold")
        for r in a.strong.itertuples(index=False):
            st.add_row(
                r.name_zh,
                str(r.firms),
                _fmt(r.lq, digits=2),
                _fmt(r.share_of_national, pct=True),
                _fmt(r.cr1, pct=True),
                str(r.top_firm_name),
            )
        console.print(st)
    if len(a.extend):
        ex = Table(title="延链 extension segments dense in related regions")
        for col in (
            "环节 segment",
            "方向 direction",
            "相邻本地环节",
            "范围 area",
            "企业",
            "区位熵 LQ",
            "主要地区 units",
        ):
            ex.add_column(col, overflow="fold")
        for r in a.extend.itertuples(index=False):
            ex.add_row(
                r.name_zh,
                r.direction,
                r.adjacent_local,
                r.related_basis,
                str(r.related_firms),
                _fmt(r.related_lq, digits=2),
                r.top_related_units,
            )
        console.print(ex)
    if len(a.leaders):
        lt = Table(
            title="链主候选（待确认，非认定） chain-leader candidates — for confirmation only"
        )
        for col in (
            "#",
            "企业 firm",
            "营收占比",
            "本地上下游",
            "PageRank",
            "研发(万元)",
            "得分 score",
            "已列入 listed",
        ):
            lt.add_column(col, overflow="fold")
        for r in a.leaders.head(top).itertuples(index=False):
            lt.add_row(
                str(r.rank),
                r.name,
                _fmt(r.revenue_share, pct=True),
                _fmt(r.local_linkage, digits=0),
                _fmt(r.pagerank, digits=5),
                _fmt(r.rd_expense, digits=0),
                _fmt(r.score, digits=3),
                "是 yes" if r.government_listed else "",
            )
        console.print(lt)
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
