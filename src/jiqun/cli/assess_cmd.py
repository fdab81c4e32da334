"""``jiqun assess``: digital-transformation self-assessment (MIIT SME digital level, GB/T 39116).

A thin layer over :mod:`jiqun.digital` and :mod:`jiqun.services.digital`; every result is
printed with its level rule, the rule's basis and the synthetic marker where demo data are
involved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.panel import Panel
from rich.table import Table

from jiqun.cli.render import command_group, table, terminal_console
from jiqun.standard.problems import JiqunError

assess_app = command_group(
    "数字化转型评测 / digital-transformation self-assessment (MIIT 2024, GB/T 39116)."
)

console = terminal_console()

SYN = " [bold yellow]【模拟数据 SYNTHETIC】[/]"

FrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "--framework", "-f", help="评测框架 framework: miit2024 | gbt39116 (默认 default miit2024)"
    ),
]
AssessmentArg = Annotated[int, typer.Argument(help="评测编号 assessment id")]
#: where a gap analysis or cluster index is written (see :func:`_write`)
DigitalOutOpt = Annotated[Path | None, typer.Option("--out", help="输出 .json / .xlsx")]


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, float):
        return f"{v:.{nd}f}".rstrip("0").rstrip(".") if nd else f"{v:.0f}"
    return str(v)


def _pct(v: Any) -> str:
    return "—" if v is None or (isinstance(v, float) and v != v) else f"{v:.0%}"


def _table(df: pd.DataFrame, title: str, cols: dict[str, str], limit: int | None = None) -> Table:
    records = (df if limit is None else df.head(limit)).to_dict(orient="records")

    def cell(r: dict[str, Any], c: str) -> str:
        mark = r.get("disclosure")  # a row suppressed by disclosure control says so
        if isinstance(mark, str) and pd.isna(r.get(c)):
            return str(mark)
        return _pct(r.get(c)) if "share" in c or c == "coverage" else _fmt(r.get(c), 2)

    rows = ([cell(r, c) for c in cols] for r in records)
    return table(cols.values(), rows, title, show_lines=False)


# ---------------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------------


def print_result(result: Any, header: str = "", synthetic: bool = False) -> None:
    """Print a scored assessment (MIIT or GB/T 39116) with the rule and its basis."""
    from jiqun.digital.scoring import MiitResult

    syn = SYN if synthetic else ""
    state = "完整 complete" if result.complete else f"草稿 draft：{len(result.missing)} 项未答"
    if isinstance(result, MiitResult):
        lvl = (
            f"[bold]{result.level_name_zh} {result.level_name_en}[/]"
            if result.level is not None
            else f"暂无 none（当前得分下限对应 lower bound: 等级 {result.provisional_level}）"
        )
        head = (
            f"[bold]{result.name_zh}[/]{syn}\n{header}"
            f"总分 total: [bold]{_fmt(result.total, 3)}[/] / {_fmt(result.max_total)}   "
            f"等级 level: {lvl}   状态 status: {state}"
        )
        console.print(Panel(head, expand=False))
        dim_rows: list[tuple[str, ...]] = []
        for d in result.dimensions:
            name = f"[bold]{d['name_zh']} {d['name_en']}[/]"
            dim_rows.append((name, "", _fmt(d["points"], 3), _fmt(d["max_points"])))
            dim_rows += [
                (
                    "",
                    f"{l2['level2_zh']} {l2['level2_en']}",
                    _fmt(l2["points"], 3),
                    _fmt(l2["max_points"], 3),
                )
                for l2 in result.level2
                if l2["dimension_zh"] == d["name_zh"]
            ]
        dim_cols = ("维度 dimension", "二级指标 level 2", "得分 points", "满分 max")
        console.print(table(dim_cols, dim_rows, "维度得分 dimension scores"))
        item_rows = (
            (
                r["id"],
                r["name_zh"],
                r["answer_zh"] if r["answered"] else "[dim]未答 unanswered[/]",
                _fmt(r["points"], 3),
                _fmt(r["max_points"], 3),
            )
            for r in result.items
        )
        item_cols = ("编号 id", "题目 item", "答案 answer", "得分 points", "满分 max")
        console.print(table(item_cols, item_rows, "题目得分 item points"))
        scene_rows = (
            (s["group_zh"], f"{s['name_zh']} {s['name_en']}", _fmt(s["level"]))
            for s in result.scenes
        )
        title = "数字化经营场景等级 business scenarios (不计入总分 / not in the total)"
        console.print(table(("场景组 group", "场景 scenario", "等级 level"), scene_rows, title))
    else:
        lvl = (
            f"[bold]{result.level_name_zh} / {result.level_name_en}[/]"
            if result.level is not None
            else f"暂无 none（下限 lower bound: {result.provisional_level}）"
        )
        console.print(
            Panel(
                f"[bold]{result.name_zh}[/]{syn}\n{header}成熟度等级 maturity level: {lvl}   "
                f"状态 status: {state}",
                expand=False,
            )
        )
        mark = {True: "✓", False: "✗", None: "·"}
        sub_rows = (
            (
                s["element_zh"],
                s["domain_zh"],
                s["name_zh"],
                *[mark[s["met"][str(k)]] for k in range(1, 6)],
                str(s["highest_met"]),
            )
            if s["applicable"]
            else (s["element_zh"], s["domain_zh"], s["name_zh"], *["—"] * 5, "不适用 n/a")
            for s in result.subdomains
        )
        sub_cols = ("要素 element", "域 domain", "子域 sub-domain", *"12345", "达到 met")
        console.print(table(sub_cols, sub_rows, "能力子域 capability sub-domains"))
        share_rows = (
            (f"{s['level']} {s['name_zh']}", str(s["met"]), str(s["applicable"]), _pct(s["share"]))
            for s in result.level_shares
        )
        share_cols = ("等级 level", "满足 met", "适用 applicable", "比例 share")
        title = "各级满足比例 share of sub-domains meeting each level (progress view)"
        console.print(table(share_cols, share_rows, title))
    console.print(f"[bold]等级规则 rule[/]：{result.rule_zh}\n[dim]{result.rule_en}[/]")
    console.print(f"[bold]依据 basis[/]：{result.basis_zh}\n[dim]{result.basis_en}[/]")
    if not result.complete:
        console.print("[yellow]未答 unanswered[/]: " + ", ".join(result.missing))


def _print_gap(g: Any, top: int) -> None:
    nl = g.next_level
    a = g.assessment
    syn = SYN if g.synthetic else ""
    head = (
        f"[bold]差距分析与提升路线 gap analysis and roadmap[/]{syn}\n"
        f"评测 assessment #{a.id}  {a.uscc} {a.firm_name or ''}  ({a.framework} {a.edition}, {a.status})\n"
        f"当前 current: {nl.current_name_zh}"
    )
    if nl.next_level is not None:
        if nl.total is not None:
            head += (
                f"   下一级 next: {nl.next_name_zh}（≥ {_fmt(nl.threshold)} 分）   "
                f"总分 total {_fmt(nl.total, 3)}，差 deficit [bold]{_fmt(nl.deficit, 3)}[/] 分"
            )
        else:
            head += f"   下一级 next: {nl.next_name_zh}，待满足子域 sub-domains to fix: {len(nl.actions)}"
    else:
        head += "   已是最高等级 top level"
    console.print(Panel(head, expand=False))
    if nl.total is not None:
        if len(nl.roadmap):
            console.print(
                _table(
                    nl.roadmap,
                    "提升路线 roadmap to the next level (greedy, largest gains first"
                    + ("" if nl.reachable else "; 不足以达到 NOT enough to reach it")
                    + ")",
                    {
                        "item_zh": "题目 item",
                        "action_zh": "行动 action",
                        "gain": "+分 points",
                        "cumulative_gain": "累计 cum.",
                    },
                )
            )
        console.print(
            _table(
                nl.actions,
                f"全部可得分项（按得分排序，前 {top}）all actions ranked by points gained (top {top})",
                {
                    "item_zh": "题目 item",
                    "kind": "类型 kind",
                    "action_zh": "行动 action",
                    "gain": "+分 points",
                },
                top,
            )
        )
        if len(nl.scenes):
            console.print(
                _table(
                    nl.scenes,
                    "低于目标等级的经营场景 scenarios below the target level (不计分 unscored)",
                    {
                        "scene_zh": "场景 scenario",
                        "level": "等级 level",
                        "target": "目标 target",
                        "action_zh": "行动 action",
                    },
                    top,
                )
            )
    elif len(nl.actions):
        console.print(
            _table(
                nl.actions,
                "待满足的子域要求 sub-domain requirements to meet (fewest levels first)",
                {
                    "subdomain_zh": "子域 sub-domain",
                    "highest_met": "已达 met",
                    "levels_needed": "差几级 levels",
                    "action_zh": "行动 action",
                },
            )
        )
    lp = g.leaders
    console.print(
        f"[bold]对标链主 vs chain leaders[/]：集群 clusters {', '.join(g.clusters) or '—'}；"
        f"链主 leaders {len(g.leader_usccs)}，其中有评测 with a submitted assessment "
        f"{lp.n_peers if lp else 0}\n[dim]{g.leader_basis_zh} / {g.leader_basis_en}[/]"
    )
    if lp is not None and lp.n_peers:
        if lp.peer_mean_total is not None and lp.total is not None:
            console.print(
                f"链主平均总分 leaders' mean total {_fmt(lp.peer_mean_total, 2)} vs 本企业 firm {_fmt(lp.total, 3)}"
            )
        if "item_zh" in lp.items:
            console.print(
                _table(
                    lp.items,
                    "逐项对比 item by item (gap = 链主均分 − 本企业)",
                    {
                        "item_zh": "题目 item",
                        "firm_points": "本企业 firm",
                        "peer_mean_points": "链主均分 leaders",
                        "gap": "差距 gap",
                        "peer_answers": "链主答案分布 leaders' answers",
                    },
                    top,
                )
            )
            console.print(
                _table(
                    lp.actions,
                    "向链主看齐的行动（按得分排序）actions to match the leaders, ranked by points",
                    {
                        "item_zh": "题目 item",
                        "action_zh": "行动 action",
                        "gain": "+分 points",
                        "peer_share": "链主采用率 leaders",
                    },
                    top,
                )
            )
            if len(lp.scenes):
                console.print(
                    _table(
                        lp.scenes,
                        "场景对比 scenarios vs leaders",
                        {
                            "scene_zh": "场景 scenario",
                            "level": "本企业 firm",
                            "peer_mean_level": "链主均值 leaders",
                            "gap": "差距 gap",
                        },
                        top,
                    )
                )
        else:
            console.print(
                _table(
                    lp.items,
                    "子域对比 sub-domains vs leaders",
                    {
                        "subdomain_zh": "子域 sub-domain",
                        "firm_level": "本企业 firm",
                        "peer_mean_level": "链主均值 leaders",
                        "gap": "差距 gap",
                    },
                    top,
                )
            )
    for n in g.notes + nl.notes + (lp.notes if lp else []):
        console.print(f"[dim]• {n}[/]")


def _print_index(ix: Any) -> None:
    s = ix.summary
    syn = SYN if ix.synthetic else ""
    console.print(
        Panel(
            f"[bold]集群数字化指数 cluster digital index[/]{syn}\n"
            f"{s.get('cluster_id')} {s.get('cluster_name') or ''}\n"
            f"企业 firms {s['firms']:,}，已评测 assessed {s['assessed']:,}（覆盖率 coverage {_pct(s['coverage'])}）；"
            f"平均分 mean {_fmt(s['mean_score'], 2)}，中位数 median {_fmt(s['median_score'], 2)}；"
            f"[bold]三级及以上 level 3+: {_pct(s['share_level3_plus'])}[/]",
            expand=False,
        )
    )
    console.print(
        _table(
            ix.by_level,
            "等级分布 level distribution (assessed firms)",
            {"name_zh": "等级 level", "name_en": "", "firms": "企业 firms", "share": "share 占比"},
        )
    )
    cols = {
        "label": "组 group",
        "firms": "企业 firms",
        "assessed": "已评 assessed",
        "mean_score": "均分 mean",
        "median_score": "中位 median",
        "share_level3_plus": "share 3级+",
    }
    console.print(_table(ix.by_group, "链主 vs 中小企业 chain leaders vs SMEs", cols))
    console.print(_table(ix.by_size, "按规模 by size band", cols))
    console.print(
        _table(ix.by_segment.sort_values("firms", ascending=False), "按环节 by segment", cols, 30)
    )
    b = ix.basis
    console.print(
        f"[bold]环节 segments[/]：{b['segment_basis_zh']}\n[dim]{b['segment_basis_en']}[/]"
    )
    console.print(f"[bold]规模 size[/]：{b['size_rule_zh']}\n[dim]{b['size_rule_en']}[/]")
    console.print(f"[bold]链主 leaders[/]：{b['leader_basis_zh']}\n[dim]{b['leader_basis_en']}[/]")
    console.print(
        f"[bold]等级依据 level basis[/]：{b.get('level_basis_zh', '')}\n[dim]{b.get('level_basis_en', '')}[/]"
    )
    for n in ix.notes:
        console.print(f"[dim]• {n}[/]")


# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------


@assess_app.command("questionnaire")
def questionnaire_cmd(
    framework: FrameworkOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="问卷模板 template file (.xlsx, .json or .csv)")
    ] = None,
) -> None:
    """问卷与模板 / show the questionnaire or write a template to fill in."""
    from jiqun.digital.frameworks import load_framework
    from jiqun.digital.questionnaire import questionnaire_rows, write_questionnaire

    fw = load_framework(framework or "miit2024")
    if out is not None:
        p = write_questionnaire(fw, out)
        console.print(f"[green]问卷模板已写入 template written[/] → {p}  ({fw.name_zh})")
        return
    rows = pd.DataFrame(questionnaire_rows(fw))
    console.print(
        Panel(f"[bold]{fw.name_zh}[/]\n{fw.name_en}\n[dim]{fw.source_zh}[/]", expand=False)
    )
    cols = (
        {
            "编号 id": "编号 id",
            "维度 dimension": "维度",
            "三级指标 item": "指标 item",
            "题型 type": "题型 type",
            "选项 options": "选项 options",
            "满分 max": "满分 max",
        }
        if "三级指标 item" in rows
        else {
            "编号 id": "编号 id",
            "能力要素 element": "要素 element",
            "能力域 domain": "域 domain",
            "能力子域 sub-domain": "子域 sub-domain",
        }
    )
    cells = ([_fmt(r[c]) for c in cols] for r in rows.to_dict(orient="records"))
    console.print(table(cols.values(), cells, overflow="fold", show_lines=False))
    console.print(f"[bold]等级规则 rule[/]：{fw.rule_zh}\n[bold]依据 basis[/]：{fw.basis_zh}")


@assess_app.command("score")
def score_cmd(
    answers: Annotated[Path, typer.Argument(help="答卷 answers (.json, .xlsx or .csv)")],
    uscc: Annotated[str | None, typer.Option("--uscc", help="统一社会信用代码 firm USCC")] = None,
    save: Annotated[
        bool, typer.Option("--save", help="保存（未完成则存为草稿）/ store it")
    ] = False,
    submit: Annotated[
        bool, typer.Option("--submit", help="必须完整并提交 / must be complete, submit")
    ] = False,
    framework: FrameworkOpt = None,
) -> None:
    """评分 / score a filled questionnaire (and store it with --save)."""
    from jiqun.digital.questionnaire import detect_framework, read_answers
    from jiqun.digital.scoring import score_answers

    f = read_answers(answers)
    fid = framework or f.framework or detect_framework(f.answers)
    if save or submit:
        from jiqun.services.digital import save_assessment
        from jiqun.store.db import prepare

        code = uscc or f.uscc
        if not code:
            raise JiqunError(
                "保存评测需要企业的统一社会信用代码（--uscc 或答卷中的 uscc）",
                "saving needs the firm's unified social credit code (--uscc or 'uscc' in the file)",
            )
        prepare()
        s = save_assessment(code, f.answers, fid, submit=True if submit else None)
        print_result(
            s.result,
            f"评测编号 assessment id: [bold]{s.id}[/]  企业 firm: {s.uscc} {s.firm_name or ''}\n",
        )
        console.print(
            f"[green]已保存 saved[/] #{s.id}（{s.status}）"
            + ("；继续作答 resume: jiqun assess resume " + str(s.id) if s.status == "draft" else "")
        )
        for n in s.notes:
            console.print(f"[dim]• {n}[/]")
        return
    print_result(score_answers(fid, f.answers))


@assess_app.command("resume")
def resume_cmd(
    assessment_id: AssessmentArg,
    answers: Annotated[
        Path | None, typer.Option("--answers", help="补充答卷 more answers (.json/.xlsx/.csv)")
    ] = None,
    submit: Annotated[
        bool, typer.Option("--submit", help="提交 / submit (must be complete)")
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option("--template", help="导出已填内容的问卷 / write the pre-filled questionnaire"),
    ] = None,
) -> None:
    """继续作答 / resume a saved draft: show progress, add answers, submit."""
    from jiqun.digital.questionnaire import read_answers, write_questionnaire
    from jiqun.services.digital import load_assessment, update_assessment
    from jiqun.store.db import prepare

    prepare()
    if answers is not None or submit:
        new = read_answers(answers).answers if answers is not None else {}
        s = update_assessment(assessment_id, new, submit=True if submit else None)
    else:
        s = load_assessment(assessment_id)
    head = (
        f"评测编号 assessment id: [bold]{s.id}[/]  企业 firm: {s.uscc} {s.firm_name or ''}  "
        f"更新 updated: {s.updated_at:%Y-%m-%d %H:%M}\n"
    )
    print_result(s.result, head, s.synthetic)
    if template is not None:
        p = write_questionnaire(s.framework, template, s.result.answers)
        console.print(f"[green]已导出问卷（含已答内容）written[/] → {p}")
    console.print(f"状态 status: [bold]{s.status}[/]")


def _write(result: Any, out: Path | None) -> None:
    """Write a gap analysis or cluster index to ``out`` (.json/.xlsx) when given; say where."""
    from jiqun.services.digital import write_digital_output

    if out is not None:
        console.print(f"[green]已写入 written[/] → {write_digital_output(result, out)}")


@assess_app.command("gap")
def gap_cmd(
    assessment_id: AssessmentArg,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="对标该集群的链主 / compare with this cluster")
    ] = None,
    top: Annotated[int, typer.Option(help="每表行数 / rows per table")] = 15,
    out: DigitalOutOpt = None,
) -> None:
    """差距分析与路线 / gap to the next level and to the cluster's chain leaders."""
    from jiqun.services.access import local_principal
    from jiqun.services.digital import gap_for
    from jiqun.store.db import prepare

    prepare()
    g = gap_for(local_principal(), assessment_id, cluster)
    _print_gap(g, top)
    _write(g, out)


@assess_app.command("cluster")
def cluster_cmd(
    cluster_id: Annotated[str, typer.Argument(help="集群编号 cluster id, e.g. NC2021-01")],
    chain: Annotated[
        str | None, typer.Option("--chain", help="产业链模板 chain template for segments")
    ] = None,
    out: DigitalOutOpt = None,
) -> None:
    """集群数字化指数 / cluster digital index by segment, size, leaders vs SMEs."""
    from jiqun.services.digital import cluster_index
    from jiqun.store.db import prepare

    prepare()
    ix = cluster_index(cluster_id, chain=chain)
    _print_index(ix)
    _write(ix, out)


@assess_app.command("list")
def list_cmd(
    uscc: Annotated[str | None, typer.Option("--uscc", help="企业 firm USCC")] = None,
    status: Annotated[str | None, typer.Option(help="draft | submitted")] = None,
    limit: Annotated[int, typer.Option(help="最多行数 / max rows")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """评测列表 / list stored assessments (newest first)."""
    from jiqun.services.access import local_principal
    from jiqun.services.digital import assessments_for
    from jiqun.store.db import prepare

    prepare()
    df, _total = assessments_for(local_principal(), uscc=uscc, status=status, limit=limit)
    if as_json:
        console.print_json(
            json.dumps(df.to_dict(orient="records"), default=str, ensure_ascii=False)
        )
        return
    rows = (
        (
            str(r["id"]),
            r["uscc"],
            r["framework"],
            r["status"],
            _fmt(r["score"], 3),
            _fmt(r["level"]),
            str(r["updated_at"])[:16],
            "模拟 synthetic" if r["synthetic"] else "",
        )
        for r in df.to_dict(orient="records")
    )
    columns = ("id", "uscc", "framework", "status", "score", "level", "updated", "")
    console.print(table(columns, rows, "数字化评测 digital assessments"))
