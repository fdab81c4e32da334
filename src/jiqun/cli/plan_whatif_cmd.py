"""``jiqun plan whatif``: what-if for 补链/招商 on a cluster's stored chain analysis.

A thin layer over :func:`jiqun.services.planning_whatif.whatif_candidates`. Candidates: each
``--firm USCC`` (an existing firm of another region) and each profile, the i-th ``--industry``
with the i-th ``--size`` and ``--segment`` (a profile may give a segment only). Exit status
follows ``jiqun`` (0 success, 1 user-facing error in Chinese and English, 2 usage error).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

import typer

from jiqun.cli.plan_cmd import plan_app
from jiqun.cli.render import table, terminal_console
from jiqun.standard.problems import JiqunError

console = terminal_console()


def _pct(v: Any, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v):+.1%}" if signed else f"{float(v):.1%}"


def profiles(industry: list[str], size: list[float], segment: list[str]) -> list[dict[str, Any]]:
    """The profile candidates of the options: the i-th industry with the i-th size and segment.

    Example
    -------
    >>> profiles(["3973", "3976"], [5000.0], [])
    [{'industry': '3973', 'size': 5000.0, 'segment': None}, {'industry': '3976', 'size': None, 'segment': None}]
    """
    n = max(len(industry), len(segment))
    if len(size) > n or (industry and segment and len(industry) != len(segment)):
        raise JiqunError(
            "--size/--segment 须与 --industry 一一对应（按出现顺序）",
            "--size/--segment pair with --industry in the order given",
        )
    return [
        {
            "industry": industry[i] if i < len(industry) else None,
            "size": size[i] if i < len(size) else None,
            "segment": segment[i] if i < len(segment) else None,
        }
        for i in range(n)
    ]


@plan_app.command("whatif")
def whatif(
    cluster: Annotated[str, typer.Option("--cluster", help="集群编号 / cluster id")],
    chain: Annotated[str, typer.Option("--chain", help="产业链编号 / chain id")],
    firm: Annotated[
        list[str] | None,
        typer.Option("--firm", help="其他地区现有企业的统一社会信用代码（可重复） / USCC (repeat)"),
    ] = None,
    industry: Annotated[
        list[str] | None,
        typer.Option(
            "--industry", help="画像：国民经济行业小类（可重复） / profile class (repeat)"
        ),
    ] = None,
    size: Annotated[
        list[float] | None,
        typer.Option("--size", help="画像：产值（万元），与 --industry 对应 / profile output"),
    ] = None,
    segment: Annotated[
        list[str] | None,
        typer.Option("--segment", help="画像：环节，与 --industry 对应 / profile segment"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """补链/招商情景：候选对完整度、配套率、补链、单一企业环节的影响，并排排序 / what-if for candidates."""
    from jiqun.services.planning_whatif import whatif_candidates
    from jiqun.store.db import prepare

    cands: list[dict[str, Any]] = [{"firm": f} for f in firm or []]
    cands += profiles(industry or [], size or [], segment or [])
    prepare()
    rep = whatif_candidates(None, cluster, chain, cands)
    if as_json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=1))
        return
    console.print(
        f"[bold]{rep.basis['cluster']}[/] × {rep.chain} — "
        f"{'合成数据 synthetic' if rep.basis.get('synthetic') else ''}"
    )
    console.print(
        table(
            [
                "#",
                "候选 candidate",
                "环节 segments",
                "完整度 completeness",
                "Δ",
                "配套率 LSR",
                "Δ",
                "补链 closed",
                "单一企业环节 single-firm −/+",
                "关联密度 density",
            ],
            [
                [
                    str(r["rank"]),
                    str(r["candidate"]),
                    str(r["segments"]),
                    f"{_pct(r['completeness_before'])}→{_pct(r['completeness_after'])}",
                    _pct(r["completeness_change"], signed=True),
                    f"{_pct(r['lsr_before'])}→{_pct(r['lsr_after'])} ({r['lsr_basis']})",
                    _pct(r["lsr_change"], signed=True),
                    str(r["weak_closed"] or "—"),
                    f"{r['spof_removed'] or '—'} / {r['spof_added'] or '—'}",
                    "—" if r["density"] is None else f"{r['density']:.3f}",
                ]
                for r in rep.to_dict()["candidates"]
            ],
            "补链/招商情景 What-if (best first)",
        )
    )
    for n in rep.notes:
        console.print(f"[dim]• {n}[/]")
