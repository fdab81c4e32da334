"""``jiqun release build|status``: the protected publication release (公开数据版本)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from jiqun.cli.render import command_group, progress_bar

release_app = command_group(
    "公开数据版本 / the protected publication release (disclosure control)."
)
err = Console(stderr=True)
console = Console()


def _stats_table(stats: dict) -> Table:  # type: ignore[type-arg]
    t = Table("measure", "cells", "primary", "secondary", "value share", "LP solves", "unsafe", "s")
    for m, s in stats.get("measures", {}).items():
        t.add_row(
            m,
            f"{s['cells']:,}",
            f"{s['primary']:,}",
            f"{s['secondary']:,}",
            f"{100 * s['suppressed_share_value']:.1f}%",
            f"{s['lp_solves']:,}",
            str(s["unsafe"]),
            f"{s['seconds']:.1f}",
        )
    return t


@release_app.command("build")
def build() -> None:
    """生成公开数据版本（全表保护）/ build and protect the release of the current data."""
    from jiqun.services.release import build_release
    from jiqun.store.db import prepare

    engine = prepare()
    with progress_bar(err) as prog:
        task = prog.add_task("公开数据版本 release", total=1.0)

        def report(stage: str, frac: float) -> None:
            prog.update(task, completed=frac, description=stage)

        rel = build_release(engine, progress=report)
    console.print(_stats_table(rel["stats"]))
    if rel["status"] != "complete":
        err.print(
            f"[red]版本 {rel['id']} 有未受保护的单元格，未发布 / release {rel['id']} has unsafe "
            "cells and is not served[/]"
        )
        raise typer.Exit(1)
    err.print(f"[green]公开数据版本 release {rel['id']} complete[/] ({rel['data_version']})")


@release_app.command("status")
def status(
    as_json: bool = typer.Option(False, "--json", help="JSON 输出 / JSON output"),
) -> None:
    """当前公开数据版本 / the release the public numbers are read from."""
    from jiqun.services.release import current_release
    from jiqun.store.db import prepare

    rel = current_release(prepare())
    if as_json:
        console.print_json(json.dumps(rel))
        return
    if rel is None:
        err.print("尚未生成公开数据 / no release built yet (jiqun release build)")
        raise typer.Exit(1)
    console.print(
        f"release {rel['id']} · {rel['status']} · built {rel['built_at']} · data version "
        f"{rel['data_version']} · {'current' if rel['current'] else 'STALE: data changed since'}"
    )
    console.print(_stats_table(rel["stats"]))
