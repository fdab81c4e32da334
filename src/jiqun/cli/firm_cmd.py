"""``jiqun firm``: the enterprise directory on the command line (list, show, readers).

Every command acts as the local principal (:func:`jiqun.services.access.local_principal`) and
calls the same service functions as the web UI and the REST API, which audit each read (the OS
user, role ``admin-local``, the firms read and the query).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jiqun.cli.render import command_group, terminal_console

firm_app = command_group("企业名录 / the enterprise directory: list, show, readers.")
# piped output (CI logs, files) would otherwise wrap and cut the credit codes
console = terminal_console(piped_width=200)


@firm_app.command("list")
def firm_list(
    q: Annotated[
        str | None, typer.Option("--q", help="名称或信用代码片段 / part of name or code")
    ] = None,
    region: Annotated[str | None, typer.Option(help="地区代码 region code")] = None,
    industry: Annotated[str | None, typer.Option(help="行业代码前缀 industry prefix")] = None,
    tag: Annotated[str | None, typer.Option(help="标签 tag")] = None,
    limit: Annotated[int, typer.Option(help="最多行数 / max rows")] = 50,
    out: Annotated[
        Path | None, typer.Option("--out", help="导出全部匹配行 / export every match (.csv/.xlsx)")
    ] = None,
) -> None:
    """企业列表（写入审计日志）/ list enterprises (audited)."""
    from jiqun.services import access, directory
    from jiqun.store.db import prepare

    prepare()
    df, total = directory.enterprise_list(
        access.local_principal(),
        region=region,
        industry=industry,
        tag=tag,
        q=q,
        limit=None if out else limit,
        purpose="export" if out else "list",
    )
    if out is not None:
        from jiqun.standard.writer import write_table

        write_table(out, df)
        console.print(f"[green]已导出 exported[/] {len(df):,} → {out}")
        return
    t = Table("uscc", "name", "region", "industry", "revenue 万元")
    for r in df.itertuples(index=False):
        t.add_row(r.uscc, r.name, str(r.region_name), r.industry_code, f"{r.revenue or 0:,.0f}")
    console.print(t)
    console.print(f"{len(df):,} / {total:,}")


@firm_app.command("show")
def firm_show(uscc: Annotated[str, typer.Argument(help="统一社会信用代码 credit code")]) -> None:
    """一企一档（写入审计日志）/ one enterprise's profile (audited)."""
    from jiqun.services import access, directory
    from jiqun.store.db import prepare

    prepare()
    e = directory.enterprise_profile(access.local_principal(), uscc)
    console.print(f"[bold]{e['name']}[/] ({e['uscc']})")
    console.print(f"{e['region_name']} · {e['industry_code']} {e['industry_name']}")
    console.print(
        f"营业收入 revenue {e.get('revenue')} 万元 · 从业人员 employees {e.get('employees')}"
    )
    console.print(f"标签 tags: {';'.join(e['tags']) or '—'}")
    console.print(
        f"供应商 suppliers {len(e['suppliers'])} · 客户 customers {len(e['customers'])} · "
        f"集群 clusters {', '.join(c['cluster_id'] for c in e['clusters']) or '—'}"
    )


@firm_app.command("readers")
def firm_readers(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码 credit code")],
    limit: Annotated[int, typer.Option(help="最多行数 / max rows")] = 50,
) -> None:
    """谁查看了该企业的数据 / who read a firm's records (newest first)."""
    from jiqun.services import access
    from jiqun.store.db import prepare

    prepare()
    rows, total = access.readers_of(access.local_principal(), uscc, limit=limit)
    t = Table("at", "username", "role", "organisation", "action", "params", "n_firms")
    for r in rows:
        t.add_row(
            str(r["at"])[:19],
            r["username"] or "",
            r["role"] or "",
            r["organisation"] or "",
            r["action"],
            r["params"],
            str(r["n_firms"] if r["n_firms"] is not None else ""),
        )
    console.print(t)
    console.print(f"{len(rows):,} / {total:,}")
