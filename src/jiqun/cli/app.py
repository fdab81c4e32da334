"""The ``jiqun`` command line (Typer + Rich). A thin layer: every command calls a service.

Exit status 0 on success, 1 on a user-facing error (printed in Chinese and English), 2 on
invalid usage or an internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress

from jiqun import __version__
from jiqun.cli.render import command_group, terminal_console
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import write_table

if TYPE_CHECKING:
    from jiqun.services.accounts import Principal

app = typer.Typer(
    name="jiqun",
    help="Jiqun 集群 — 先进制造业集群信息共享与分析平台 / advanced manufacturing cluster platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = command_group("数据库 / database: migrations and location.")
app.add_typer(db_app, name="db")
from jiqun.cli.assess_cmd import assess_app  # noqa: E402

app.add_typer(assess_app, name="assess")
from jiqun.cli.chain_cmd import chain_app  # noqa: E402

app.add_typer(chain_app, name="chain")
from jiqun.cli.match_cmd import match_app  # noqa: E402

app.add_typer(match_app, name="match")
from jiqun.cli.policy_cmd import evaluate_app, policy_app  # noqa: E402

app.add_typer(policy_app, name="policy")
app.add_typer(evaluate_app, name="evaluate")
from jiqun.cli.resilience_cmd import resilience_app  # noqa: E402

app.add_typer(resilience_app, name="resilience")
from jiqun.cli.member_cmd import member_app  # noqa: E402

app.add_typer(member_app, name="member")
from jiqun.cli.firm_cmd import firm_app  # noqa: E402

app.add_typer(firm_app, name="firm")
from jiqun.cli.release_cmd import release_app  # noqa: E402

app.add_typer(release_app, name="release")
from jiqun.cli.jobs_cmd import jobs_app  # noqa: E402

app.add_typer(jobs_app, name="jobs")
from jiqun.cli.report_cmd import report_app  # noqa: E402

app.add_typer(report_app, name="report")
from jiqun.cli.lake_cmd import lake_app  # noqa: E402

app.add_typer(lake_app, name="lake")
from jiqun.cli.io_cmd import io_app  # noqa: E402

app.add_typer(io_app, name="io")
import jiqun.cli.plan_whatif_cmd  # noqa: E402,F401  (adds `plan whatif`)
from jiqun.cli.plan_cmd import plan_app  # noqa: E402

app.add_typer(plan_app, name="plan")

# Piped output (CI logs, files) would otherwise wrap the wide tables at 80 columns.
console = terminal_console()
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

KindArg = Annotated[
    str,
    typer.Argument(
        help="数据类别 kind: regions, industries, enterprises, region-stats, clusters, "
        "cluster-members, innovation-carriers, supply-links, listed-companies"
    ),
]


def _progress() -> Progress:
    from jiqun.cli.render import progress_bar

    return progress_bar(err)


@app.command()
def version() -> None:
    """版本 / show the version."""
    console.print(f"jiqun {__version__}")


@app.command()
def demo(
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh/--no-refresh",
            help="与 --no-serve 同用：在本进程计算全部看板结果 / with --no-serve: compute every "
            "stored dashboard result here before returning",
        ),
    ] = True,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="只生成数据并显示概览 / build and show, do not serve")
    ] = False,
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 2026,
    enterprises: Annotated[int, typer.Option(help="模拟企业数 / synthetic enterprises")] = 200_000,
    host: Annotated[str, typer.Option(help="监听地址 / host to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port to serve on")] = 8000,
) -> None:
    """生成演示数据库并显示全国集群概览 / build the demo database and show the national overview."""
    from jiqun.cli.render import print_overview
    from jiqun.services.demo import build_demo
    from jiqun.services.overview import national_overview

    if not no_serve:
        # The build takes minutes: a taken port must stop it before, not after.
        check_port_free(host, port)

    with _progress() as prog:
        task = prog.add_task("生成演示数据 building demo data", total=1.0)

        def report(stage: str, frac: float) -> None:
            prog.update(task, completed=frac, description=stage)

        summary = build_demo(seed=seed, n_enterprises=enterprises, progress=report, release=True)
    err.print(
        f"[green]演示数据库已生成 demo database built[/] in {summary.seconds:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in summary.counts.items())
        + f"\n数据库 database: {summary.database}"
    )
    print_overview(console, national_overview())
    from jiqun.config import data_dir
    from jiqun.services.accounts import ensure_demo_accounts

    accounts = ensure_demo_accounts()
    note = data_dir() / "demo-accounts.txt"
    note.touch(mode=0o600)
    note.write_text(
        "".join(f"{a['username']}\t{a['role']}\t{a['scope']}\t{a['password']}\n" for a in accounts),
        encoding="utf-8",
    )
    err.print(
        "[bold]演示账户 demo accounts[/]（模拟数据，勿用于生产 / synthetic, not for production）:"
    )
    for a in accounts:
        err.print(
            f"  {a['username']:<14} {a['role']:<11} {a['scope']:<20} 密码 password: {a['password']}"
        )
    err.print(f"[dim]已保存到 saved to {note}[/]")
    if not no_serve:
        err.print(
            "[dim]各集群与地区的看板结果正在后台计算（管理 → 后台任务 查看进度）/ dashboards are "
            "being computed in the background (admin → jobs shows the progress)[/]"
        )
        serve(host=host, port=port)
    elif refresh:
        from jiqun.cli.jobs_cmd import run_with_progress

        run_with_progress()


def check_port_free(host: str, port: int) -> None:
    """Fail at once when ``host:port`` cannot be listened on (taken, or not a valid port).

    Parameters
    ----------
    host, port:
        Where the server would listen.

    Raises
    ------
    JiqunError
        With a bilingual message naming the port and the ``--port`` option.

    Example
    -------
    >>> check_port_free("127.0.0.1", 0)  # port 0: any free port, always possible
    """
    import socket

    if not 0 <= port <= 65535:
        raise JiqunError(f"端口 {port} 无效（0–65535）", f"port {port} is not valid (0–65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise JiqunError(f"无法解析地址 {host}：{e}", f"cannot resolve host {host}: {e}") from e
    family, _type, _proto, _name, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # as Uvicorn binds: SO_REUSEADDR, so a port in TIME_WAIT is not reported as taken
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as e:
            raise JiqunError(
                f"端口 {host}:{port} 已被占用或不可用（{e.strerror}）；请用 --port 换一个端口",
                f"port {host}:{port} is taken or unavailable ({e.strerror}); choose another "
                "with --port",
            ) from e


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址 / host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    workers: Annotated[
        int, typer.Option(help="进程数（双核建议 2）/ worker processes (2 on a 2-core machine)")
    ] = 1,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="仅 HTTPS 发送会话 Cookie / HTTPS-only cookies")
    ] = False,
) -> None:
    """启动网页界面与 REST API / start the web UI and the REST API (Uvicorn)."""
    import os

    import uvicorn

    from jiqun.store.db import prepare

    check_port_free(host, port)
    prepare()
    if secure_cookies:
        os.environ["JIQUN_SECURE_COOKIES"] = "1"
    err.print(
        f"[green]Jiqun 平台 platform[/]: http://{host}:{port}/  ·  API http://{host}:{port}/api/v1/docs"
    )
    from jiqun.web.main import uvicorn_options

    uvicorn.run("jiqun.web.main:app", host=host, port=port, workers=workers, **uvicorn_options())


@app.command()
def overview(
    year: Annotated[int | None, typer.Option(help="统计年份 / statistics year")] = None,
    tier: Annotated[str, typer.Option(help="集群层级 / tier")] = "national",
) -> None:
    """全国集群概览 / national cluster overview from the stored data."""
    from jiqun.cli.render import print_overview
    from jiqun.services.overview import national_overview
    from jiqun.store.db import prepare

    prepare()
    print_overview(console, national_overview(year=year, tier=tier))


user_app = command_group("用户 / user accounts.")
app.add_typer(user_app, name="user")


UsernameArg = Annotated[str, typer.Argument(help="用户名 username")]


@user_app.command("add")
def user_add(
    username: UsernameArg,
    role: Annotated[str, typer.Option(help="角色 role: admin | government | cluster | enterprise")],
    scope: Annotated[
        str | None,
        typer.Option(help="范围 scope: 地区代码 region code | 集群编号 cluster id | 信用代码 USCC"),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="从标准输入读密码 / read the password from stdin"),
    ] = False,
) -> None:
    """新建用户 / add a user account (the organisation is created when new)."""
    from jiqun.services.access import audit
    from jiqun.services.accounts import add_user
    from jiqun.store.db import prepare

    password = _password_from_stdin(password_stdin, "密码", "password")
    prepare()
    p = add_user(username, role, password, scope)
    audit(
        None,
        "user_create",
        f"user:{p.username}",
        detail={"role": p.role, "scope": p.scope, "via": "cli"},
    )
    console.print(
        f"已创建用户 created user {p.username} ({p.role}{': ' + p.scope if p.scope else ''})"
    )


def _local_admin() -> Principal:
    """The CLI acts for whoever can open the database (:func:`jiqun.services.access.local_principal`)."""
    from jiqun.services.access import local_principal

    return local_principal()


T = TypeVar("T")


def _as_local_admin(action: Callable[..., T], *args: Any) -> T:
    """An account service called by the local principal on the prepared database (audited
    with client ``cli``)."""
    from jiqun.store.db import prepare

    prepare()
    return action(_local_admin(), *args, client="cli")


def _password_from_stdin(given: bool, zh: str, en: str) -> str:
    """The first line of stdin: a password never stands on the command line (``--password-stdin``
    must be given; ``zh``/``en`` name the password in the message)."""
    if not given:
        raise JiqunError(
            f"请用 --password-stdin 从标准输入提供{zh}（不在命令行上出现）",
            f"give the {en} on stdin with --password-stdin (never on the command line)",
        )
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("list")
def user_list() -> None:
    """用户列表 / list user accounts (username, role, scope, active, created)."""
    from jiqun.services.accounts import list_users
    from jiqun.store.db import prepare

    prepare()
    for u in list_users():
        state = "active" if u["active"] else "DISABLED 已停用"
        console.print(
            f"{u['username']:<20} {u['role']:<11} {u['scope'] or '':<20} {state:<16} "
            f"{u['created_at']:%Y-%m-%d %H:%M}",
            markup=False,
        )


def _sessions_ended(zh: str, en: str, ended: int) -> None:
    # user names are printed as given, never read as Rich markup
    console.print(
        f"{zh}，结束 {ended} 个会话/令牌 / {en}, {ended} sessions and tokens ended", markup=False
    )


@user_app.command("disable")
def user_disable(username: UsernameArg) -> None:
    """停用账户 / disable an account: all its sessions and API tokens end at once (audited)."""
    from jiqun.services.accounts import disable_user

    ended = _as_local_admin(disable_user, username)
    _sessions_ended(f"已停用 {username}", f"disabled {username}", ended)


@user_app.command("enable")
def user_enable(username: UsernameArg) -> None:
    """启用账户 / enable a disabled account (audited); old sessions and tokens stay ended."""
    from jiqun.services.accounts import enable_user

    _as_local_admin(enable_user, username)
    console.print(f"已启用 {username} / enabled {username}", markup=False)


@user_app.command("passwd")
def user_passwd(
    username: UsernameArg,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="从标准输入读新密码 / read the new password from stdin"
        ),
    ] = False,
) -> None:
    """设置新密码 / set a new password (audited); every session and token of the account ends."""
    from jiqun.services.accounts import reset_password

    password = _password_from_stdin(password_stdin, "新密码", "new password")
    ended = _as_local_admin(reset_password, username, password)
    _sessions_ended(f"已设置 {username} 的新密码", f"new password set for {username}", ended)


@app.command("innovation")
def innovation_cmd(
    tier: Annotated[str, typer.Option(help="集群层级 / tier")] = "national",
    batches: Annotated[
        str | None, typer.Option(help="批次年份，逗号分隔 / batch years, e.g. 2021,2022")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="导出 .xlsx / export to .xlsx")] = None,
) -> None:
    """集群创新资源 / innovation resources inside clusters: counts, concentration, gaps."""
    import pandas as pd
    from rich.table import Table

    from jiqun.services.innovation import innovation_resources
    from jiqun.store.db import prepare

    prepare()
    b = tuple(int(x) for x in batches.split(",")) if batches else None
    r = innovation_resources(tier=tier, batches=b)
    t = Table(title="头条数字 headline figures")
    for col in ("指标 figure", "公开 published", "年份 year", "数据 data", "一致 consistent"):
        t.add_column(col)
    for row in r.headline.itertuples(index=False):
        t.add_row(
            row.label,
            f"{row.wording}{row.published:g}",
            str(row.as_of),
            (f"{row.from_data:,.0f}" if abs(row.from_data) >= 100 else f"{row.from_data:.3g}"),
            str(row.consistent),
        )
    console.print(t)
    c = Table(title="集中度 concentration")
    for col in (
        "资源 resource",
        "全国 national",
        "集群内 inside",
        "占比 share",
        "HHI",
        "有效集群数",
    ):
        c.add_column(col)
    for row in r.concentration.itertuples(index=False):
        c.add_row(
            row.resource,
            str(row.national),
            str(row.inside),
            f"{row.share_inside:.1%}",
            f"{row.hhi:.3f}",
            f"{row.effective_clusters:.1f}",
        )
    console.print(c)
    console.print("[dim]口径 basis: " + "; ".join(f"{k}={v}" for k, v in r.basis.items()) + "[/]")
    for n in r.notes:
        console.print(f"[yellow]注 note:[/] {n}")
    if out is not None:
        notes = pd.DataFrame(list(r.basis.items()) + [("note", n) for n in r.notes])
        sheets = {"headline": r.headline, "concentration": r.concentration}
        sheets |= {"per_cluster": r.per_cluster, "gaps": r.gaps, "说明 notes": notes}
        write_table(out, sheets, "xlsx", headerless={"说明 notes"})
        console.print(f"已写入 written: {out}")


@app.command("diagnose")
def diagnose_cmd(
    cluster_id: Annotated[str, typer.Argument(help="集群编号 cluster id, e.g. NC2021-01")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="报告文件 report file (.json, .xlsx or .html)"),
    ] = None,
    year: Annotated[int | None, typer.Option(help="统计年份 / year (default: latest)")] = None,
    measure: Annotated[
        str, typer.Option(help="口径 measure: employment | output | revenue | firms")
    ] = "employment",
    level: Annotated[
        str, typer.Option("--level", help="行业代码层级 industry code level: class | division")
    ] = "class",
    top: Annotated[int, typer.Option(help="每个城市保留的行数 / rows kept per city")] = 10,
) -> None:
    """集群诊断 / diagnose a cluster: specialisation, trend, strength, competition, what next."""
    from jiqun.cli.render import print_diagnosis
    from jiqun.services.diagnosis import diagnose_cluster
    from jiqun.services.reports import write_report
    from jiqun.store.db import prepare

    prepare()
    with _progress() as prog:
        task = prog.add_task("集群诊断 diagnosing", total=1.0)

        def report(stage: str, frac: float) -> None:
            prog.update(task, completed=frac, description=stage)

        d = diagnose_cluster(
            cluster_id, year=year, measure=measure, industry_level=level, top=top, progress=report
        )
    print_diagnosis(console, d)
    if out is not None:
        path = write_report(d, out)
        console.print(f"报告已写入 report written: {path}")


DataFileArg = Annotated[Path, typer.Argument(help="CSV / XLSX / Parquet 文件 file")]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="错误报告 error report (.csv or .xlsx)")
]
SheetOpt = Annotated[str | None, typer.Option(help="工作表 sheet name (xlsx)")]
AllowUnknownOpt = Annotated[
    bool, typer.Option("--allow-unknown-columns", help="忽略未知列 / ignore unknown columns")
]
MeasureOpt = Annotated[
    str | None,
    typer.Option(help="宽表的指标（文件未写明时）/ measure of a wide table that does not state it"),
]
UnitOpt = Annotated[
    str | None, typer.Option(help="宽表的单位 / unit of a wide table that does not state it")
]
YearOpt = Annotated[
    int | None, typer.Option(help="宽表的年份 / year of a wide table that does not state it")
]


@app.command("validate")
def validate_cmd(
    kind: KindArg,
    file: DataFileArg,
    report: ReportOpt = None,
    sheet: SheetOpt = None,
    allow_unknown_columns: AllowUnknownOpt = False,
    measure: MeasureOpt = None,
    unit: UnitOpt = None,
    year: YearOpt = None,
) -> None:
    """校验文件但不写入 / validate a file without writing anything."""
    from jiqun.cli.render import print_validation
    from jiqun.services.imports import validate_file

    result = validate_file(
        file,
        kind,
        sheet=sheet,
        allow_unknown_columns=allow_unknown_columns,
        report=report,
        measure=measure,
        unit=unit,
        year=year,
    )
    print_validation(console, result, report)
    if result.n_error_rows:
        raise typer.Exit(1)


@app.command("import")
def import_cmd(
    kind: KindArg,
    file: DataFileArg,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="写入有效行，无效行写入报告 / write valid rows, report the rest"
        ),
    ] = False,
    report: ReportOpt = None,
    sheet: SheetOpt = None,
    allow_unknown_columns: AllowUnknownOpt = False,
    measure: MeasureOpt = None,
    unit: UnitOpt = None,
    year: YearOpt = None,
) -> None:
    """导入文件（默认全部成功才写入） / import a file (all-or-nothing by default)."""
    from jiqun.cli.render import print_import
    from jiqun.services.imports import import_file

    with _progress() as prog:
        task = prog.add_task("导入 importing", total=1.0)

        def cb(stage: str, frac: float) -> None:
            prog.update(task, completed=frac, description=stage)

        result = import_file(
            file,
            kind,
            skip_invalid=skip_invalid,
            report=report,
            sheet=sheet,
            allow_unknown_columns=allow_unknown_columns,
            progress=cb,
            measure=measure,
            unit=unit,
            year=year,
        )
    print_import(console, result, report)
    if result.status != "committed":
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    kind: KindArg,
    out: Annotated[Path, typer.Option("--out", help="输出文件 .csv/.xlsx/.parquet")],
) -> None:
    """导出已存数据 / export stored records (format from the extension)."""
    from jiqun.services.exporting import export_kind
    from jiqun.store.db import prepare

    prepare()
    n = export_kind(kind, out)
    console.print(f"[green]已导出 exported[/] {n:,} 条 records → {out}")


@app.command()
def template(
    kind: KindArg,
    out: Annotated[Path, typer.Option("--out", help="模板文件 template .xlsx")],
) -> None:
    """生成空白导入模板（中英文表头与说明页） / write an empty import template."""
    from jiqun.services.exporting import write_template

    write_template(kind, out)
    console.print(f"[green]模板已生成 template written[/] → {out}")


@app.command()
def schema(
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")] = Path(
        "docs/schemas"
    ),
) -> None:
    """导出 JSON Schema / write the JSON Schemas of every kind."""
    from jiqun.standard.docs import write_json_schemas

    paths = write_json_schemas(out)
    console.print(f"[green]已写入 wrote[/] {len(paths)} JSON Schemas → {out}")


@app.command()
def code(
    industry_code: Annotated[str, typer.Argument(help="GB/T 4754 行业代码 industry code")],
) -> None:
    """查询行业代码 / look up a GB/T 4754-2017 industry code."""
    from jiqun.cli.render import print_industry
    from jiqun.services.lookup import lookup_industry

    print_industry(console, lookup_industry(industry_code))


@app.command()
def region(
    adcode: Annotated[str, typer.Argument(help="GB/T 2260 行政区划代码 region code")],
) -> None:
    """查询行政区划代码 / look up a GB/T 2260 region code."""
    from jiqun.cli.render import print_region
    from jiqun.services.lookup import lookup_region

    print_region(console, lookup_region(adcode))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """迁移到最新结构并载入参考数据 / migrate to the latest schema and load reference data."""
    from jiqun.store.db import get_engine, seed_reference, upgrade

    engine = get_engine()
    rev = upgrade(engine)
    seeded = seed_reference(engine)
    console.print(
        f"[green]数据库已是最新 database at revision[/] {rev} "
        f"({engine.url.render_as_string(hide_password=True)}); "
        + ", ".join(f"{k} +{v}" for k, v in seeded.items())
    )


@db_app.command("current")
def db_current() -> None:
    """当前数据库版本 / show the current revision and URL."""
    from jiqun.store.db import current_revision, get_engine

    engine = get_engine()
    console.print(
        f"{engine.url.render_as_string(hide_password=True)}: revision {current_revision(engine)}"
    )


def main() -> None:
    """Entry point: run the app, turning errors into bilingual messages and exit codes.

    Typer's standalone mode handles ``--help``, usage errors (exit 2) and ``typer.Exit``;
    a :class:`JiqunError` exits 1 with its Chinese and English message; anything else is an
    internal error (exit 2) reported without a traceback unless ``JIQUN_DEBUG`` is set.
    """
    import os

    try:
        app()
    except JiqunError as e:
        err.print(f"[bold red]错误[/]：{e.message_zh}")
        err.print(f"[bold red]Error[/]: {e.message_en}")
        for p in e.problems[:50]:
            err.print(f"  • {p}")
        if len(e.problems) > 50:
            err.print(f"  … 另有 {len(e.problems) - 50} 条 / {len(e.problems) - 50} more")
        sys.exit(1)
    except Exception as e:
        if os.environ.get("JIQUN_DEBUG"):
            raise
        err.print(f"[bold red]内部错误 internal error[/]: {type(e).__name__}: {e}")
        err.print("设置 JIQUN_DEBUG=1 可查看详细信息 / set JIQUN_DEBUG=1 for the traceback")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
