"""``jiqun resilience ...``: supply-network metrics, disruption scenarios and Willems chains.

A thin layer over :mod:`jiqun.services.resilience` and :mod:`jiqun.resilience`. Exit status
follows ``jiqun`` (0 success, 1 user-facing error in Chinese and English, 2 usage or internal
error). Every table is printed with its basis (year, unit 万元, value or count, scope,
essentiality) and the synthetic marker when demo rows are involved.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.panel import Panel

from jiqun.cli.render import command_group, fmt_value, table, terminal_console

resilience_app = command_group(
    "供应链韧性 / supply-chain resilience: concentration, single points of failure, ESRI, "
    "disruption scenarios (firm, regional lockdown, import stop), Willems chains."
)

console = terminal_console()

ScopeRegionOpt = Annotated[
    str | None,
    typer.Option("--scope-region", help="分析范围：行政区划代码（含下辖） / analyse this region"),
]
ClusterOpt = Annotated[
    str | None, typer.Option("--cluster", help="分析范围：集群编号 / analyse this cluster")
]
YearOpt = Annotated[int | None, typer.Option("--year", help="供应关系年份 / supply-link year")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="输出文件 .xlsx / .json / .csv / output file")
]
EssOpt = Annotated[
    str | None,
    typer.Option(
        "--essentiality",
        help="投入必要性矩阵文件，或 io（按投入产出表生成；默认：按规则生成的 GB/T 4754 矩阵） / "
        "essentiality matrix file, or io (from the input-output table; default: rule-built)",
    ),
]
IoTableOpt = Annotated[
    Path | None,
    typer.Option(
        "--io-table",
        help="投入产出表文件，供 --essentiality io 使用（默认 JIQUN_IO_TABLE） / input-output "
        "table for --essentiality io (default JIQUN_IO_TABLE)",
    ),
]


_THREE = {"hhi", "mean_hhi", "mean_effective_suppliers", "score"}


def _fmt(v: Any, pct: bool = False, digits: int = 1) -> str:
    """:func:`~jiqun.cli.render.fmt_value`, with yes/no for flags and separators for counts."""
    if isinstance(v, bool):
        return "是 yes" if v else "否 no"
    if isinstance(v, int) and not pct:
        return f"{v:,}"
    return fmt_value(v, pct, digits)


def _syn(flag: bool) -> str:
    return " [bold yellow]【模拟数据 SYNTHETIC】[/]" if flag else ""


def _finish(rep: Any, out: Path | None) -> None:
    """Print the report's basis and notes; write the report to ``out`` when given."""
    from jiqun.services.resilience import write_output

    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in rep.basis.items()) + "[/]")
    for n in rep.notes:
        console.print(f"[yellow]注 note:[/] {n}")
    if out is not None:
        console.print(f"[green]已写入 written[/] → {write_output(rep, out)}")


def _table(
    title: str, df: pd.DataFrame, cols: dict[str, str], pct: frozenset[str] | set[str] = frozenset()
) -> None:
    records = df.to_dict("records")

    def cell(r: dict[str, Any], c: str) -> str:
        mark = r.get("disclosure")  # a row suppressed by disclosure control says so
        if isinstance(mark, str) and pd.isna(r.get(c)):
            return str(mark)
        return _fmt(r.get(c), c in pct, 3 if c in _THREE else 1)

    rows = ((cell(r, c) for c in cols) for r in records)
    console.print(table(cols.values(), rows, title))


@resilience_app.command("metrics")
def metrics_cmd(
    scope_region: ScopeRegionOpt = None,
    cluster: ClusterOpt = None,
    year: YearOpt = None,
    top: Annotated[int, typer.Option("--top", help="每表行数 / rows per table")] = 15,
    esri_candidates: Annotated[
        int, typer.Option("--esri-candidates", help="计算 ESRI 的最大供应商数 / ESRI candidates")
    ] = 100,
    essentiality: EssOpt = None,
    no_replace: Annotated[
        bool, typer.Option("--no-replace", help="不考虑同行业替代供应 / no replaceability")
    ] = False,
    out: OutOpt = None,
    io_table: IoTableOpt = None,
) -> None:
    """供应集中度、单一来源、单点故障与 ESRI / supply concentration, single sourcing, SPOF, ESRI."""
    from jiqun.services.access import local_principal
    from jiqun.services.resilience import metrics_for
    from jiqun.store.db import prepare

    prepare()
    rep = metrics_for(
        local_principal(),
        region=scope_region,
        cluster=cluster,
        year=year,
        top=top,
        esri_candidates=esri_candidates,
        essentiality=essentiality,
        replaceability=not no_replace,
        io_table=io_table,
    )
    s = rep.summary
    console.print(
        Panel(
            f"[bold]供应链韧性指标 Supply-chain resilience metrics[/]{_syn(rep.basis['synthetic'])}\n"
            f"范围 scope: {rep.basis['region']}; {rep.basis['year']} 年; 企业 firms "
            f"{s['firms']:,}（范围内 in scope {s['firms_in_scope']:,}）; 供应关系 links {s['links']:,}\n"
            f"单一来源（采购方×投入）single-sourced pairs: {_fmt(s['single_sourced_count_share'], True)}"
            f"（按数量 count）/ {_fmt(s['single_sourced_value_share'], True)}（按金额 value）; "
            f"平均供应商 HHI mean supplier HHI {_fmt(s['mean_supplier_hhi'], digits=3)}\n"
            f"单点故障 single points of failure: {s['single_points_of_failure']:,}; "
            f"依赖性投入 inputs flagged dependent (EU screen): {s['inputs_flagged_dependent']}; "
            f"最大 ESRI max: {_fmt(s['esri_max'], True)}",
            expand=False,
        )
    )
    _table(
        "系统性风险最高的供应商 Most systemic suppliers (ESRI, Diem et al. 2022)",
        rep.esri,
        {
            "id": "信用代码 uscc",
            "name": "企业 firm",
            "region": "地区",
            "industry": "行业",
            "esri": "ESRI",
            "esri_down": "下游 down",
            "esri_up": "上游 up",
            "sales": "销售 万元",
        },
        {"esri", "esri_down", "esri_up"},
    )
    _table(
        "单点故障 Single points of failure (dominator tree)",
        rep.spof,
        {
            "id": "信用代码 uscc",
            "name": "企业 firm",
            "industry": "行业",
            "dominated": "支配企业数",
            "in_scope": "范围内",
        },
    )
    _table(
        "投入集中度 Supplier concentration by input (buyers in scope)",
        rep.inputs.head(top),
        {
            "input_category": "投入 input",
            "buyers": "采购方",
            "value": "金额 万元",
            "single_sourced_share": "单一来源",
            "mean_hhi": "平均 HHI",
            "mean_effective_suppliers": "有效供应商数",
        },
        {"single_sourced_share"},
    )
    _table(
        "供应地理集中度 Geographic concentration of supply (province level)",
        rep.geographic.head(top),
        {
            "input_category": "投入 input",
            "value": "金额 万元",
            "n_regions": "地区数",
            "hhi": "HHI",
            "top_region": "最大来源",
            "top_share": "占比",
            "foreign_share": "境外占比",
            "dependency": "依赖 flag",
        },
        {"top_share", "foreign_share"},
    )
    _finish(rep, out)


@resilience_app.command("hot-spots")
def hot_spots_cmd(
    cluster_id: Annotated[str, typer.Argument(help="集群编号 cluster id")],
    top: Annotated[int, typer.Option("--top", help="行数 / rows")] = 10,
) -> None:
    """集群供应链热点（写入审计日志）/ a cluster's hot spots: most systemic suppliers (audited)."""
    from jiqun.services.access import local_principal
    from jiqun.services.resilience import hot_spots_for
    from jiqun.store.db import prepare

    prepare()
    res = hot_spots_for(local_principal(), cluster_id, top=top)
    _table(
        f"供应链热点 Hot spots: {cluster_id}",
        res.table,
        {
            "id": "信用代码 uscc",
            "name": "企业 firm",
            "region": "地区",
            "industry": "行业",
            "esri": "ESRI",
            "sales": "销售 万元",
            "dominated": "支配企业数",
        },
        {"esri"},
    )
    _finish(res, None)


@resilience_app.command("scenario")
def scenario_cmd(
    firm: Annotated[
        str | None, typer.Option("--firm", help="停产企业信用代码 / failing firm")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="停工地区代码 / locked-down region")
    ] = None,
    import_stop: Annotated[
        str | None,
        typer.Option("--import-stop", help="境外供应中断的行业代码 / industry whose imports stop"),
    ] = None,
    outside: Annotated[
        str | None,
        typer.Option(
            "--outside", help="与 --import-stop 合用：该地区以外的供应中断 / supply from outside it"
        ),
    ] = None,
    scope_region: ScopeRegionOpt = None,
    cluster: ClusterOpt = None,
    year: YearOpt = None,
    model: Annotated[
        str, typer.Option("--model", help="gl（广义里昂惕夫，默认）或 threshold / cascade model")
    ] = "gl",
    theta: Annotated[float, typer.Option("--theta", help="阈值模型的 θ / threshold")] = 0.5,
    essentiality: EssOpt = None,
    no_replace: Annotated[
        bool, typer.Option("--no-replace", help="不考虑同行业替代供应 / no replaceability")
    ] = False,
    top: Annotated[int, typer.Option("--top", help="每表行数 / rows per table")] = 15,
    out: OutOpt = None,
    io_table: IoTableOpt = None,
) -> None:
    """情景模拟：企业停产、地区停工、进口中断 / run a disruption scenario."""
    from jiqun.services.resilience import scenario
    from jiqun.standard.problems import JiqunError
    from jiqun.store.db import prepare

    if model not in ("gl", "threshold"):
        raise JiqunError(
            f"--model 应为 gl 或 threshold（得到 {model}）",
            f"--model must be gl or threshold ({model})",
        )
    prepare()
    rep = scenario(
        firm=firm,
        lockdown=region,
        import_stop_industry=import_stop,
        outside=outside,
        region=scope_region,
        cluster=cluster,
        year=year,
        model=model,  # type: ignore[arg-type]
        theta=theta,
        essentiality=essentiality,
        replaceability=not no_replace,
        io_table=io_table,
    )
    from jiqun.services.resilience import audit_operator_scenario

    audit_operator_scenario(
        rep,
        None if out else top,
        {
            "firm": firm,
            "region": region,
            "import_stop": import_stop,
            "scope_region": scope_region,
            "cluster": cluster,
            "year": year,
            "top": top,
        },
    )
    s = rep.summary
    extra = (
        f"; 中断供应额 stopped supply {_fmt(s['stopped_value'])} 万元"
        if not (isinstance(s.get("stopped_value"), float) and math.isnan(s["stopped_value"]))
        else ""
    )
    steps = (
        f"迭代 iterations {s['iterations']}" if "iterations" in s else f"轮次 rounds {s['rounds']}"
    )
    console.print(
        Panel(
            f"[bold]情景 Scenario[/]{_syn(rep.basis['synthetic'])}: {rep.basis['scenario']}\n"
            f"范围 scope: {rep.basis['region']}; {rep.basis['year']} 年; 模型 model {model}; {steps}\n"
            f"受冲击企业 shocked {s['shocked']:,}; 受影响企业（损失 ≥ 1%）affected {s['affected']:,}"
            f" / {s['firms']:,}; 企业间销售损失占比 loss share {_fmt(s['loss_share'], True)}; "
            f"损失 output loss {_fmt(s['output_loss'])} 万元{extra}",
            expand=False,
        )
    )
    loss_col = "loss" if "h" in rep.firms.columns else "failed"
    _table(
        "受影响最大的范围内企业 Firms in scope with the largest losses",
        rep.firms.head(top),
        {
            "id": "信用代码 uscc",
            "name": "企业 firm",
            "region": "地区",
            "industry": "行业",
            loss_col: "损失 loss",
            "output_loss": "损失额 万元",
        },
        {"loss"},
    )
    _table(
        "按省份 By province",
        rep.by_region.reset_index().head(top),
        {
            "province": "省份",
            "firms": "企业",
            "affected": "受影响",
            "output_loss": "损失额 万元",
            "loss_share": "损失占比",
        },
        {"loss_share"},
    )
    _table(
        "按行业大类 By GB/T 4754 division",
        rep.by_industry.reset_index().head(top),
        {
            "division": "大类",
            "firms": "企业",
            "affected": "受影响",
            "output_loss": "损失额 万元",
            "loss_share": "损失占比",
        },
        {"loss_share"},
    )
    if len(rep.alternatives):
        _table(
            "替代供应商 Alternative suppliers (same class, other prefectures; size and distance)",
            rep.alternatives,
            {
                "failed": "停产企业",
                "rank": "#",
                "candidate": "候选 candidate",
                "name": "企业",
                "match": "匹配",
                "region": "地区",
                "size": "营收 万元",
                "distance_km": "距离 km",
                "score": "得分",
            },
        )
    _finish(rep, out)


@resilience_app.command("willems")
def willems_cmd(
    path: Annotated[
        Path, typer.Argument(help="Willems (2008) 供应链文件或目录 / chain file or folder")
    ],
    top: Annotated[int, typer.Option("--top", help="显示的环节数 / stages shown")] = 10,
    out: OutOpt = None,
) -> None:
    """读取 Willems (2008) 供应链并计算下游暴露与单点故障 / read Willems chains: exposure, SPOF."""
    from jiqun.resilience import downstream_exposure, read_willems, single_points_of_failure
    from jiqun.standard.writer import write_table

    stages, arcs = read_willems(path)
    rows = []
    per_stage = []
    for chain, st in stages.groupby("chain", sort=True):
        ar = arcs[arcs["chain"] == chain]
        has_demand = st["demand"].sum() > 0
        ex = downstream_exposure(st, ar) if has_demand else pd.Series(float("nan"), index=st["id"])
        sp = single_points_of_failure(st, ar)
        t = st.set_index("id")[["chain", "stage_class", "demand"]].join(sp).assign(exposure=ex)
        per_stage.append(t)
        rows.append(
            {
                "chain": chain,
                "stages": len(st),
                "arcs": len(ar),
                "demand_stages": int((st["demand"] > 0).sum()),
                "spof": int(sp["spof"].sum()),
                "max_dominated": int(sp["dominated"].max()),
                "max_exposure": float(ex.max()),
            }
        )
    summary = pd.DataFrame(rows)
    detail = pd.concat(per_stage).reset_index().rename(columns={"index": "id"})
    console.print(
        Panel(
            f"[bold]Willems (2008) 供应链 supply chains[/]: {len(summary)} 条 chains, "
            f"{len(stages):,} 环节 stages, {len(arcs):,} 连线 arcs",
            expand=False,
        )
    )
    _table(
        "每条链 Per chain",
        summary,
        {
            "chain": "链",
            "stages": "环节",
            "arcs": "连线",
            "demand_stages": "有需求",
            "spof": "单点故障",
            "max_dominated": "最大支配数",
            "max_exposure": "最大下游暴露",
        },
        {"max_exposure"},
    )
    _table(
        "支配环节最多的单点故障 Chokepoints dominating most stages",
        detail.sort_values("dominated", ascending=False).head(top),
        {
            "id": "环节 stage",
            "stage_class": "类别",
            "dominated": "支配环节数",
            "dominated_demand_share": "支配需求占比",
            "exposure": "下游暴露",
        },
        {"dominated_demand_share", "exposure"},
    )
    console.print(
        "[dim]口径 basis: topology only (count basis); exposure = share of the chain's mean "
        "external demand reachable downstream; dominators with a virtual source feeding every "
        "stage without suppliers. Data: Willems (2008), M&SOM 10(1):19–23.[/]"
    )
    if out is not None:
        xlsx = out.suffix.lower() == ".xlsx"
        write_table(
            out,
            {"chains": summary, "stages": detail} if xlsx else detail,
            "csv" if not xlsx else None,
        )
        console.print(f"[green]已写入 written[/] → {out}")
