"""``jiqun lake sync|status``: the lake (数据湖) of firm-level Parquet the analytical engine reads."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from jiqun.cli.render import command_group, progress_bar, table

lake_app = command_group(
    "数据湖 / the lake: versioned Parquet of the firm-level tables for the analytical engine."
)
err = Console(stderr=True)
console = Console()


@lake_app.command("sync")
def sync_cmd(
    force: Annotated[
        bool, typer.Option("--force", help="即使已是最新也重建 / build even when up to date")
    ] = False,
) -> None:
    """把存储中的企业、企业年度、供应关系、地区统计写入新的数据湖版本 / copy the store's
    firm-level tables into a new lake version and make it current."""
    from jiqun.services import access, lake
    from jiqun.store.db import prepare

    engine = prepare()
    with progress_bar(err) as prog:
        bar = prog.add_task("数据湖同步 lake sync", total=1.0)

        def show(step: str, frac: float) -> None:
            prog.update(bar, completed=frac, description=str(step)[:70])

        out = lake.sync(
            engine, force=force, progress=show, created_by=access.local_principal().username
        )
        prog.update(bar, completed=1.0)
    if out["published"]:
        err.print(f"[green]已发布 published[/] lake version {out['version']} ({out['seconds']} s)")
    else:
        err.print(f"数据湖已是最新 the lake is up to date (version {out['version']})")
    console.print(
        table(["表 table", "行 rows"], [[k, f"{int(v):,}"] for k, v in out["tables"].items()])
    )


@lake_app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """数据湖的当前版本、是否最新、各表行数 / the current lake version, whether it copies the
    present data, and its tables."""
    from jiqun.services import lake
    from jiqun.store.db import prepare

    st = lake.status(prepare())
    if as_json:
        console.print_json(json.dumps(st, default=str, ensure_ascii=False))
        return
    cur: dict[str, Any] | None = st["current"]
    err.print(f"引擎 engine: {st['engine']} · 目录 lake: {st['lake']}")
    if cur is None:
        err.print("[yellow]尚无数据湖 no lake yet[/]: jiqun lake sync")
        return
    fresh = (
        "[green]与存储一致 matches the store[/]"
        if st["fresh"]
        else "[yellow]落后于存储 behind the store[/]"
    )
    syncing = " · 同步排队中 sync queued" if st["syncing"] else ""
    err.print(
        f"当前版本 current version {cur['version']} ({str(cur['created_at'])[:19]}, "
        f"{cur['engine']}, {cur['seconds']:.1f} s) · {fresh}{syncing}"
    )
    console.print(
        table(["表 table", "行 rows"], [[k, f"{int(v):,}"] for k, v in cur["tables"].items()])
    )
    console.print(
        table(
            ["版本 version", "状态 status", "时间 created", "by"],
            [
                [
                    str(r["version"]),
                    str(r["status"]),
                    str(r["created_at"])[:19],
                    r["created_by"] or "",
                ]
                for r in st["versions"][:10]
            ],
        )
    )
