"""``jiqun io ...``: input–output analysis of a user-supplied national table (NBS layouts).

A thin layer over :mod:`jiqun.services.inputoutput`. Exit status follows ``jiqun`` (0 success,
1 user-facing error in Chinese and English, 2 usage or internal error). Every table is printed
with its basis (table, layout, year, unit, flows, forward-linkage convention).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from jiqun.cli.render import command_group, fmt_value, table, terminal_console

io_app = command_group(
    "投入产出分析 / input-output analysis: linkages, key sectors, multipliers, hypothetical "
    "extraction (NBS 42-sector non-competitive or 149/153-sector competitive tables)."
)

console = terminal_console()

TableArg = Annotated[
    Path, typer.Argument(help="投入产出表文件 CSV/XLSX / input-output table file", exists=False)
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="输出文件 .csv / .xlsx / .parquet / output file")
]


def _fmt(v: Any, digits: int = 3) -> str:
    # coefficients and multipliers: three decimals unless the column says otherwise
    return fmt_value(v, digits=digits)


def _print(rep: Any, cols: dict[str, tuple[str, int]], title: str, out: Path | None) -> None:
    from jiqun.standard.writer import write_table

    rows = (
        [_fmt(r.get(c), d) if d >= 0 else str(r.get(c, "")) for c, (_h, d) in cols.items()]
        for r in rep.table.to_dict("records")
    )
    console.print(table([h for h, _d in cols.values()], rows, title))
    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in rep.basis.items()) + "[/]")
    for n in rep.notes:
        console.print(f"[yellow]注 note:[/] {n}")
    if out is not None:
        write_table(out, rep.table)
        console.print(f"[green]已写入 written[/] → {out}")


@io_app.command("linkages")
def linkages_cmd(
    table_file: TableArg,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="只显示后向关联最强的 N 个部门 / top N")
    ] = None,
    out: OutOpt = None,
) -> None:
    """影响力系数、感应度系数与关键部门 / backward and forward linkages and key sectors."""
    from jiqun.services.inputoutput import linkage_report

    rep = linkage_report(table_file, top=top)
    cols = {
        "sector": ("部门 sector", -1),
        "name_zh": ("名称 name", -1),
        "backward": ("后向（影响力）BL", 3),
        "forward": ("前向（感应度）FL", 3),
        "output_multiplier": ("产出乘数 multiplier", 3),
        "class_zh": ("类型 class", -1),
    }
    _print(rep, cols, "拉斯穆森–赫希曼关联系数 Rasmussen–Hirschman linkages", out)


@io_app.command("multipliers")
def multipliers_cmd(table_file: TableArg, out: OutOpt = None) -> None:
    """产出乘数（列昂惕夫逆矩阵列和）/ output multipliers (column sums of the Leontief inverse)."""
    from jiqun.services.inputoutput import multiplier_report

    rep = multiplier_report(table_file)
    cols = {
        "sector": ("部门 sector", -1),
        "name_zh": ("名称 name", -1),
        "output_multiplier": ("产出乘数 multiplier", 3),
        "output": ("总产出 output (万元)", 0),
    }
    _print(rep, cols, "产出乘数 Output multipliers", out)


@io_app.command("extract")
def extract_cmd(
    table_file: TableArg,
    sectors: Annotated[
        str,
        typer.Option(
            "--sectors",
            help="抽取的部门代码或中文名，逗号分隔 / sector codes or names, comma-separated",
        ),
    ],
    mode: Annotated[
        str,
        typer.Option("--mode", help="full（整体抽取）| backward | forward / extraction mode"),
    ] = "full",
    top: Annotated[int, typer.Option("--top", min=1, help="显示损失最大的 N 个部门 / rows")] = 15,
    out: OutOpt = None,
) -> None:
    """假设抽取法：去掉这些部门后各部门产出的损失 / hypothetical extraction of sectors."""
    from jiqun.services.inputoutput import extraction_report

    rep = extraction_report(table_file, [s for s in sectors.split(",") if s.strip()], mode=mode)
    shown = type(rep)(rep.table.head(top), rep.basis, rep.notes)
    cols = {
        "sector": ("部门 sector", -1),
        "name_zh": ("名称 name", -1),
        "output": ("产出 output (万元)", 0),
        "output_after": ("抽取后 after", 0),
        "loss": ("损失 loss", 0),
        "loss_share": ("损失比例 share", 3),
    }
    _print(shown, cols, "假设抽取 Hypothetical extraction", None)
    if out is not None:
        from jiqun.standard.writer import write_table

        write_table(out, rep.table)
        console.print(f"[green]已写入 written[/] → {out}")
