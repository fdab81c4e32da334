"""``jiqun report cluster ID --out 报告.docx`` and ``jiqun report region CODE --out 报告.docx``.

A thin layer over :mod:`jiqun.services.report_docx`: the Word report of a cluster or a region
dashboard, in Chinese, with the dashboard's charts, tables, bases and sources and the
synthetic-data marker. The CLI acts as the local administrator
(:func:`jiqun.services.access.local_principal`); ``--public`` writes the public version (what an
anonymous reader of the web pages sees), for handing outside the administration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from jiqun.cli.render import command_group, terminal_console

report_app = command_group(
    "Word 报告 / Word (.docx) reports of a cluster or a region dashboard, in Chinese."
)

console = terminal_console()

OutOpt = Annotated[Path, typer.Option("--out", help="输出文件 .docx / output file (.docx)")]
PublicOpt = Annotated[
    bool,
    typer.Option(
        "--public", help="公开版本（未登录读者所见） / the public version (anonymous readers)"
    ),
]
MeasureOpt = Annotated[
    str, typer.Option(help="口径 measure: employment | output | revenue | firms")
]


def _reader(public: bool) -> Any:
    from jiqun.services.access import local_principal
    from jiqun.services.accounts import PUBLIC

    return PUBLIC if public else local_principal()


def _wording() -> Any:
    from jiqun.services.report_docx import Wording
    from jiqun.web.i18n import labeller, localizer

    return Wording(labeller("zh"), localizer("zh"))


def _write(rep: Any, out: Path) -> None:
    from jiqun.services.report_docx import write_docx

    path = write_docx(rep, out, _wording())
    mark = "（含模拟数据 / synthetic data）" if rep.synthetic else ""
    console.print(f"报告已写入 report written: {path}{mark}")


@report_app.command("cluster")
def cluster_cmd(
    cluster_id: Annotated[str, typer.Argument(help="集群编号 cluster id, e.g. NC2021-01")],
    out: OutOpt,
    measure: MeasureOpt = "employment",
    level: Annotated[
        str, typer.Option("--level", help="行业代码层级 industry code level: class | division")
    ] = "class",
    public: PublicOpt = False,
) -> None:
    """集群报告 / the cluster dashboard as a Word report."""
    from jiqun.services.report_docx import cluster_report
    from jiqun.store.db import prepare

    prepare()
    with console.status("生成报告 writing the report"):
        rep = cluster_report(
            _reader(public),
            cluster_id,
            wording=_wording(),
            measure=measure,
            level=level,
            client="cli",
        )
    _write(rep, out)


@report_app.command("region")
def region_cmd(
    code: Annotated[str, typer.Argument(help="行政区划代码 GB/T 2260 code, e.g. 320200")],
    out: OutOpt,
    measure: MeasureOpt = "employment",
    public: PublicOpt = False,
) -> None:
    """地区报告 / the region dashboard as a Word report."""
    from jiqun.services.report_docx import region_report
    from jiqun.store.db import prepare

    prepare()
    with console.status("生成报告 writing the report"):
        rep = region_report(_reader(public), code, wording=_wording(), measure=measure)
    _write(rep, out)
