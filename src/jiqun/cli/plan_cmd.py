"""``jiqun plan ...``: planning tools for a group of cities (区域分工规划).

A thin layer over :mod:`jiqun.services.planning`. ``jiqun plan division`` divides a chain's
segments among the cities of a cluster (``--cluster``) or of a list of regions (``--regions``)
by comparative advantage and prints the plan, the explanation of every assignment, each city's
positioning and what the plan changes. Exit status follows ``jiqun`` (0 success, 1 user-facing
error in Chinese and English, 2 usage or internal error). New subcommands (what-if analyses)
are added to :data:`plan_app` beside ``division``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from jiqun.cli.render import command_group, table, terminal_console

plan_app = command_group(
    "规划工具 / planning tools: a regional division of labour by comparative advantage."
)

console = terminal_console()

#: options shared by the plan subcommands (a what-if command reuses them)
ClusterOpt = Annotated[
    str | None, typer.Option("--cluster", help="集群编号：其成员城市 / cluster id: its cities")
]
ChainOpt = Annotated[
    str | None,
    typer.Option("--chain", help="产业链编号（默认：集群领域的第一条） / chain id"),
]
RegionsOpt = Annotated[
    str | None,
    typer.Option(
        "--regions",
        help="城市代码，逗号分隔（代替 --cluster） / region codes, comma-separated, e.g. "
        "310000,320500,330100",
    ),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="输出文件 .xlsx / .csv / .json / output file")
]


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, bool):
        return "是 yes" if v else "否 no"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    if isinstance(v, list):
        return "、".join(str(x) for x in v) or "—"
    return str(v)


def split_regions(regions: str | None) -> list[str] | None:
    """``"310000, 320500"`` → ``["310000", "320500"]`` (``None`` stays ``None``)."""
    if regions is None:
        return None
    return [r.strip() for r in regions.split(",") if r.strip()]


@plan_app.command("division")
def division_cmd(
    cluster: ClusterOpt = None,
    chain: ChainOpt = None,
    regions: RegionsOpt = None,
    min_regions: Annotated[
        int,
        typer.Option("--min-regions", min=1, help="每个环节至少几个牵头城市 / leaders per segment"),
    ] = 1,
    max_segments: Annotated[
        int | None,
        typer.Option(
            "--max-segments", min=1, help="每个城市最多牵头几个环节 / most segments per city"
        ),
    ] = None,
    keep: Annotated[
        float, typer.Option("--keep", help="优势不低于此值的环节必须保留 / keep at this advantage")
    ] = 2.0,
    overlap_penalty: Annotated[
        float,
        typer.Option("--overlap-penalty", min=0.0, help="同一环节每对牵头城市的惩罚 λ / penalty"),
    ] = 1.0,
    out: OutOpt = None,
) -> None:
    """按比较优势划分城市间产业链分工 / divide a chain's segments among cities by advantage."""
    from jiqun.services.planning import division_plan

    v = division_plan(
        None,
        cluster,
        chain,
        split_regions(regions),
        min_regions=min_regions,
        max_segments=max_segments,
        keep=keep,
        overlap_penalty=overlap_penalty,
    )
    print_plan(v)
    if out is not None:
        from jiqun.standard.writer import write_table

        write_table(out, v.sheets())
        console.print(f"[green]已写入 written[/] → {out}")


def print_plan(v: Any) -> None:
    """Print a :class:`jiqun.services.planning.PlanView`: map, positioning, changes, basis."""
    p = v.plan
    seg_ids = list(p.assignment.columns)
    title = (
        f"{v.template.name_zh} / {v.template.name_en} — {v.group['name']}：分工方案 division of "
        "labour (● 牵头 leads; 数字 = 优势 advantage)"
    )
    rows = []
    for c in p.assignment.index:
        cells = [f"{v.cities.get(c, c)} ({c})"]
        for s in seg_ids:
            a = p.advantage.loc[c, s]
            mark = "●" if p.assignment.loc[c, s] else " "
            cells.append(f"{mark} {_fmt(float(a))}")
        rows.append(cells)
    console.print(table(["城市 city", *[v.segments[s][0] for s in seg_ids]], rows, title))
    reg = p.regions
    console.print(
        table(
            ["城市 city", "定位 label", "牵头环节 leads", "规则 rule"],
            (
                [
                    f"{v.cities.get(r['region'], r['region'])}",
                    f"{r['label_zh']} {r['label_en']}",
                    _fmt([v.segments[s][0] for s in r["segments_led"]]),
                    r["label_rule"],
                ]
                for r in reg.to_dict("records")
            ),
            "城市定位 positioning",
            overflow="fold",
        )
    )
    ex = p.explanation[p.explanation["assigned"]]
    console.print(
        table(
            ["城市 city", "环节 segment", "优势", "LQ", "密度 density", "链主", "依据 decision"],
            (
                [
                    v.cities.get(r["region"], r["region"]),
                    v.segments[r["segment"]][0],
                    _fmt(r["advantage"]),
                    _fmt(r.get("lq")),
                    _fmt(r.get("density")),
                    _fmt(r.get("chain_leaders"), 0),
                    r["decision_zh"],
                ]
                for r in ex.to_dict("records")
            ),
            "每项分工的依据 why each city leads",
            overflow="fold",
        )
    )
    s = v.changes["summary"]
    console.print(
        table(
            ["指标 measure", "方案前 before", "方案后 after"],
            [
                [
                    "结构相似系数（均值） structure similarity (mean)",
                    _fmt(s["similarity_before"], 3),
                    _fmt(s["similarity_after"], 3),
                ],
                [
                    "双边克鲁格曼指数（均值） bilateral Krugman (mean)",
                    _fmt(s["krugman_before"], 3),
                    _fmt(s["krugman_after"], 3),
                ],
                [
                    "组内完整度 completeness in the group",
                    f"{s['completeness_before']:.0%}",
                    f"{s['completeness_after']:.0%}",
                ],
                [
                    "同环节重叠城市对 overlapping pairs",
                    str(s["overlap_pairs_before"]),
                    str(s["overlap_pairs_after"]),
                ],
            ],
            "方案带来的变化 what the plan changes",
        )
    )
    if s["segments_to_build"]:
        console.print(
            "[yellow]待补链（牵头城市尚无企业） to build:[/] "
            + "、".join(v.segments[x][0] for x in s["segments_to_build"])
        )
    flows = v.changes["flows"]
    if len(flows):
        console.print(
            table(
                ["上游 from", "下游 to", "供方城市", "需方城市", "金额/系数 value", "依据 basis"],
                (
                    [
                        v.segments[r["from_segment"]][0],
                        v.segments[r["to_segment"]][0],
                        v.cities.get(r["from_city"], r["from_city"]),
                        v.cities.get(r["to_city"], r["to_city"]),
                        _fmt(r["value"], 3),
                        r["basis"],
                    ]
                    for r in flows.to_dict("records")
                ),
                "方案依赖的跨城供应 cross-border flows the plan relies on",
                overflow="fold",
            )
        )
    for k, b in {**v.basis, **v.changes["basis"]}.items():
        console.print(f"[dim]口径 basis {k}: {b}[/]")
    for n in v.notes:
        console.print(f"[yellow]注 note:[/] {n}")
