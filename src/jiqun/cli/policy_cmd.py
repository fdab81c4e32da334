"""``jiqun policy`` (registry and matching) and ``jiqun evaluate`` (cluster evaluation and
support allocation). Thin: every command calls :mod:`jiqun.services.policy`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from jiqun.cli.render import command_group, terminal_console
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import write_table

policy_app = command_group("惠企政策 / policies: registry and matching.")
evaluate_app = command_group("集群评估与支持分配 / cluster evaluation and support allocation.")
console = terminal_console()

OutOpt = Annotated[Path | None, typer.Option("--out", help=".csv or .xlsx")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="JSON 输出（与 API 相同）/ JSON output (as the API)")
]


def _prepare() -> None:
    from jiqun.store.db import prepare

    prepare()


def _pairs(text: str | None, option: str) -> dict[str, float] | None:
    """``a=1,b=0.5`` → {"a": 1.0, "b": 0.5} (``None`` if empty); errors name the option."""
    from jiqun.services.policy import parse_pairs

    return parse_pairs(text, (f"{option} ", option))


def _write(df: pd.DataFrame, out: Path, notes: list[str] | None = None) -> None:
    if out.suffix.lower() in (".csv", ".xlsx"):
        write_table(out, {"data": df, "说明 notes": pd.DataFrame({"注 notes": notes or []})})
    else:
        raise JiqunError("请用 .csv 或 .xlsx", "use .csv or .xlsx")
    console.print(f"已写入 written: {out}")


@policy_app.command("add")
def policy_add(
    file: Annotated[Path, typer.Argument(help="YAML/JSON 政策列表 list of policies")],
) -> None:
    """登记政策（全部通过校验才写入）/ store the policies of a file (all or nothing)."""
    from jiqun.services.policy import load_policy_file

    _prepare()
    ids = load_policy_file(file)
    console.print(f"已登记 stored {len(ids)}: {', '.join(ids)}")


@policy_app.command("list")
def policy_list() -> None:
    """政策列表 / list stored policies."""
    from jiqun.services.policy import list_policies

    _prepare()
    df = list_policies()
    t = Table(title="政策 policies")
    for c in ("编号 id", "名称 title", "发布 issuer", "有效 active", "模拟 synthetic"):
        t.add_column(c, overflow="fold")
    for r in df.itertuples(index=False):
        t.add_row(r.policy_id, r.title, r.issuer, str(r.active), str(r.synthetic))
    console.print(t)


@policy_app.command("firm")
def policy_firm(uscc: Annotated[str, typer.Argument(help="统一社会信用代码 credit code")]) -> None:
    """企业可享政策（含依据与差一点的政策）/ policies a firm qualifies for, with the reasons."""
    from jiqun.services.access import local_principal
    from jiqun.services.policy import policies_for_reader

    _prepare()
    r = policies_for_reader(local_principal(), uscc)
    f = r["firm"]
    syn = " [bold yellow]【模拟数据 SYNTHETIC】[/]" if f.get("synthetic") else ""
    console.print(f"[bold]{f['name']}[/] ({uscc}){syn}")
    for key, title in (
        ("qualified", "符合 qualifies"),
        ("narrow_misses", "差一点 narrowly misses"),
        ("not_qualified", "不符合 does not qualify"),
    ):
        for p in r[key]:
            console.print(f"[bold]{title}[/]: {p['policy_id']} {p['title']}")
            for ln in p["lines"]:
                mark = {True: "✓", False: "✗", None: "?"}[ln["passed"]]
                console.print(f"   {mark} {ln['reason_zh']} / {ln['reason_en']}")


@policy_app.command("qualify")
def policy_qualify(
    policy_id: Annotated[str, typer.Argument(help="政策编号 policy id")],
    out: OutOpt = None,
) -> None:
    """免申即享名单：全部符合条件的企业（在数据库中计算）/ every qualifying firm."""
    from jiqun.services.access import local_principal
    from jiqun.services.policy import qualifying_firms

    _prepare()
    firms, info = qualifying_firms(local_principal(), policy_id)
    syn = " [bold yellow]【模拟数据 SYNTHETIC】[/]" if info["synthetic"] else ""
    console.print(f"{policy_id}: 符合 qualifying {info['qualifying']:,}{syn}")
    console.print(f"[yellow]注 note:[/] {info['note_zh']} / {info['note_en']}")
    console.print(firms.head(20).to_string(index=False))
    if out:
        _write(firms, out, [info["note_zh"], info["note_en"]])


@evaluate_app.command("clusters")
def evaluate_clusters_cmd(
    tier: Annotated[
        str | None, typer.Option(help="只看该层级 only this tier (ranks unchanged)")
    ] = None,
    weights: Annotated[
        str | None, typer.Option(help="权重 weights, e.g. scale=0.3,growth=0.2,specialisation=0.5")
    ] = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """集群动态评估：得分、排名与梯度建议 / scores, ranks and tier advice for every year.

    Each tier is ranked among itself; 排名变化 rank change = previous − current rank (+ = up).
    """
    from jiqun.services.policy import evaluate_stored_clusters, evaluation_records

    _prepare()
    res, basis, notes = evaluate_stored_clusters(weights=_pairs(weights, "--weights"), tier=tier)
    if as_json:
        doc = {"items": evaluation_records(res), "basis": basis, "notes": notes}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    latest = res[res["year"] == res["year"].max()]
    t = Table(title=f"集群评估 cluster evaluation {int(latest['year'].max())}")
    for c in (
        "# 层级内排名 rank in tier",
        "层级 tier",
        "编号 id",
        "集群 cluster",
        "得分 score",
        "排名变化 rank change (+ 上升 up)",
        "建议 advice",
        "缺项 missing",
    ):
        t.add_column(c, overflow="fold")
    for r in latest.itertuples(index=False):
        t.add_row(
            "—" if pd.isna(r.rank) else str(r.rank),
            str(r.tier),
            r.cluster_id,
            str(r.name),
            "数据不足 insufficient data" if pd.isna(r.score) else f"{r.score:.1f}",
            "—" if pd.isna(r.rank_change) else f"{int(r.rank_change):+d}",
            r.advice_label,
            r.missing,
        )
    console.print(t)
    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in basis.items()) + "[/]")
    for n in notes:
        console.print(f"[yellow]注 note:[/] {n}")
    if out:
        _write(res, out, notes)


@evaluate_app.command("allocate")
def allocate_cmd(
    budget: Annotated[float, typer.Option(help="预算（万元）/ budget (万元)")],
    tier: Annotated[
        str | None,
        typer.Option(help="层级 tier（all = 各层级分池 every tier, separate pools）"),
    ] = "national",
    min_amount: Annotated[float, typer.Option("--min", help="每集群下限 floor per cluster")] = 0.0,
    max_amount: Annotated[
        float | None, typer.Option("--max", help="每集群上限 cap per cluster")
    ] = None,
    field_priority: Annotated[
        str | None, typer.Option(help="领域优先级 e.g. new_generation_it=1.5,biomedicine=1.2")
    ] = None,
    stage_priority: Annotated[
        str | None, typer.Option(help="阶段优先级 e.g. cultivation=1.2,improvement=1,leap=1.5")
    ] = None,
    tier_shares: Annotated[
        str | None,
        typer.Option(
            help="--tier all 时各层级资金池比例 pool shares, e.g. national=0.8,sme_characteristic=0.2"
        ),
    ] = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """差异化支持资金分配（边际收益递减，HiGHS）/ support allocation with diminishing returns.

    Benefit per cluster w·s·ln(1 + x/s): w from the score, s (need) from the cluster's size;
    each tier is a separate pool. Same answer as the web page and the API.
    """
    from jiqun.policy.allocation import fmt
    from jiqun.services.access import local_principal
    from jiqun.services.policy import support_allocation

    _prepare()
    doc = support_allocation(
        local_principal(),
        budget,
        tier=tier,
        min_amount=min_amount,
        max_amount=max_amount,
        field_priority=_pairs(field_priority, "--field-priority"),
        stage_priority=_pairs(stage_priority, "--stage-priority"),
        tier_shares=_pairs(tier_shares, "--tier-shares"),
    )
    if as_json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    rows = pd.DataFrame(doc["allocation"])
    t = Table(title=f"支持分配 allocation (预算 budget {fmt(budget, 0)} 万元)")
    for c in (
        "编号 id",
        "集群 cluster",
        "层级 tier",
        "得分 score",
        "参考额 need 万元",
        "金额 amount 万元",
        "占比 share",
        "边际价值 marginal value",
        "说明 why",
    ):
        t.add_column(c, overflow="fold")
    for r in rows.sort_values("amount", ascending=False).head(30).itertuples(index=False):
        t.add_row(
            r.cluster_id,
            str(r.name),
            str(r.tier),
            fmt(r.score),
            fmt(r.need),
            fmt(r.amount),
            f"{fmt(100 * r.share)}%",
            fmt(r.marginal_value, 4),
            r.explanation_zh,
        )
    console.print(t)
    lam = "; ".join(f"{k} {fmt(v, 4)}" for k, v in doc["shadow_prices"].items())
    console.print(f"预算影子价格 budget shadow price λ = {fmt(doc['shadow_price'], 4)} ({lam})")
    sens = "; ".join(
        f"{k}: {fmt(v, 4) if v is not None else '—'}"
        for k, v in doc["scenario_shadow_price"].items()
    )
    console.print(f"敏感性 sensitivity (预算 budget ±10%/20% → λ): {sens}")
    console.print(
        "[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in doc["basis"].items()) + "[/]"
    )
    for n in doc["notes"]:
        console.print(f"[yellow]注 note:[/] {n}")
    if out:
        sens_rows = pd.DataFrame(doc["sensitivity"])
        _write(rows.merge(sens_rows, on="cluster_id"), out, doc["notes"])
