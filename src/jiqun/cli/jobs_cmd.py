"""``jiqun jobs list|status|retry|run|refresh``: background jobs (后台任务) and the materialised
results they keep current."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jiqun.cli.render import command_group, progress_bar

jobs_app = command_group("后台任务与物化结果 / background jobs and the materialised results.")
err = Console(stderr=True)
console = Console()


def _label(status: str) -> str:
    from jiqun.services.jobs import STATUS

    zh, en = STATUS.get(status, (status, status))
    colour = {"failed": "red", "succeeded": "green", "running": "yellow"}.get(status, "white")
    return f"[{colour}]{zh} {en}[/]"


def _when(v: Any) -> str:
    return "" if v is None or v != v else str(v)[:19]


def _results_line() -> str:
    from jiqun.services import results
    from jiqun.store.db import prepare

    st = results.status(prepare())
    if st["current"]:
        head = f"[green]结果为最新数据版本 results are current[/] ({st['served_at']})"
    elif st["served"]:
        head = f"[yellow]显示上一版本的结果 serving the previous version[/] ({st['served_at']})"
    else:
        head = "[yellow]尚无物化结果 no materialised results yet[/]"
    if st["refreshing"]:
        head += f" · 刷新中 refreshing {100 * (st['progress'] or 0):.0f}% {st['step'] or ''}"
    if st["failed"]:
        head += " · [red]本版本刷新失败 this version's refresh failed[/]"
    if st["violations"]:
        head += f" · [red]{st['violations']} 项一致性问题 invariant violations[/]"
    return head


@jobs_app.command("list")
def list_cmd(
    status: Annotated[
        str | None, typer.Option(help="queued / running / succeeded / failed")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="行数 / rows")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """任务列表（最新在前）/ the newest jobs first, and the state of the results."""
    from jiqun.services import jobs
    from jiqun.store.db import prepare

    engine = prepare()
    jobs.recover(engine)
    df = jobs.list_jobs(engine, status=status, limit=limit)
    if as_json:
        console.print_json(json.dumps(df.to_dict("records"), default=str, ensure_ascii=False))
        return
    t = Table("id", "任务 kind", "状态 status", "进度 progress", "步骤 step", "创建 created", "by")
    for r in df.to_dict("records"):
        t.add_row(
            str(r["id"]),
            str(r["kind"]),
            _label(str(r["status"])),
            f"{100 * float(r['progress'] or 0):.0f}%",
            str(r["step"] or "")[:60],
            _when(r["created_at"]),
            str(r["created_by"] or ""),
        )
    console.print(t)
    err.print(_results_line())


@jobs_app.command("status")
def status_cmd(
    job_id: Annotated[int, typer.Argument(help="任务编号 / job id")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """一个任务的详情（含错误）/ one job in full, with its error or summary."""
    from jiqun.services import jobs
    from jiqun.store.db import prepare

    job = jobs.get_job(job_id, prepare())
    if as_json:
        console.print_json(json.dumps(job, default=str, ensure_ascii=False))
        return
    for k in ("id", "kind", "status", "data_version", "created_at", "created_by", "started_at"):
        console.print(f"{k}: {_label(job[k]) if k == 'status' else _when(job[k]) or job[k]}")
    console.print(f"finished_at: {_when(job['finished_at'])}")
    console.print(f"progress: {100 * job['progress']:.0f}% {job['step'] or ''}")
    if job["summary"]:
        console.print_json(json.dumps(job["summary"], default=str, ensure_ascii=False))
    if job["error"]:
        err.print(f"[red]{job['error']}[/]", markup=False)


@jobs_app.command("retry")
def retry_cmd(job_id: Annotated[int, typer.Argument(help="任务编号 / job id")]) -> None:
    """重新排队一个已结束的任务 / queue a finished (e.g. failed) job again."""
    from jiqun.services import access, jobs
    from jiqun.store.db import prepare

    new = jobs.retry(job_id, prepare(), created_by=access.local_principal().username)
    err.print(f"[green]已排队 queued[/] job {new} (retry of {job_id}); run: jiqun jobs run")


def run_with_progress(max_jobs: int | None = None) -> list[dict[str, Any]]:
    """Run queued jobs in this process with a Rich progress bar per job (used by ``jobs run``,
    ``jobs refresh`` and ``jiqun demo --no-serve``)."""
    from jiqun.services import jobs
    from jiqun.store.db import prepare

    engine = prepare()
    jobs.recover(engine)
    done: list[dict[str, Any]] = []
    with progress_bar(err) as prog:
        while max_jobs is None or len(done) < max_jobs:
            job = jobs.claim(engine)
            if job is None:
                break
            bar = prog.add_task(f"任务 job {job['id']} {job['kind']}", total=1.0)

            def show(step: str, frac: float, bar: Any = bar) -> None:
                prog.update(bar, completed=frac, description=str(step)[:70])

            done.append(jobs.run_job(job, engine, also=show))
            prog.update(bar, completed=1.0)
    for j in done:
        err.print(f"job {j['id']} {j['kind']}: {_label(str(j['status']))}")
        if j["error"]:
            err.print(str(j["error"]).splitlines()[0], markup=False)
    return done


@jobs_app.command("run")
def run_cmd(
    max_jobs: Annotated[int | None, typer.Option("--max", help="最多运行几个 / at most")] = None,
) -> None:
    """在本进程运行排队中的任务 / run the queued jobs here (no web server needed)."""
    done = run_with_progress(max_jobs)
    if not done:
        err.print("没有排队的任务 / nothing queued")
    err.print(_results_line())
    if any(j["status"] == "failed" for j in done):
        raise typer.Exit(1)


@jobs_app.command("refresh")
def refresh_cmd(
    wait: Annotated[
        bool, typer.Option("--wait/--queue", help="在本进程完成 / run it here and wait")
    ] = True,
) -> None:
    """刷新当前数据版本的全部物化结果 / recompute every stored result of the present data."""
    from jiqun.services import access
    from jiqun.services.refresh import queue_refresh
    from jiqun.store.db import prepare

    job = queue_refresh(prepare(), created_by=access.local_principal().username)
    err.print(f"已排队 queued job {job}")
    if wait:
        run_cmd(None)
