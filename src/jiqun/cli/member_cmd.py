"""``jiqun member``: cluster memberships awaiting approval (list, approve, reject).

The command line acts as the local principal (:func:`jiqun.services.access.local_principal`):
decisions are audited under the OS user with the role ``admin-local``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from jiqun.cli.render import command_group, terminal_console

member_app = command_group("集群成员审批 / cluster memberships: list, approve, reject.")
# piped output (CI logs, files) would otherwise wrap and cut the credit codes
console = terminal_console(piped_width=200)


@member_app.command("list")
def member_list(
    status: Annotated[str, typer.Option(help="pending | approved | rejected | all")] = "pending",
) -> None:
    """列出成员关系（默认待批准）/ list memberships (pending by default)."""
    from jiqun.services import access, memberships
    from jiqun.store.db import prepare

    prepare()
    rows = memberships.list_memberships(
        access.local_principal(), None if status == "all" else status
    )
    t = Table("cluster_id", "uscc", "firm", "role", "status", "requested_by", "decided_by")
    for r in rows:
        t.add_row(
            r["cluster_id"],
            r["uscc"],
            r["firm_name"] or "",
            r["role"] or "",
            r["status"],
            r["requested_by"] or "",
            r["decided_by"] or "",
        )
    console.print(t)
    console.print(f"{len(rows)} 条 membership(s)")


ClusterArg = Annotated[str, typer.Argument(help="集群编号 cluster id")]
UsccArg = Annotated[str, typer.Argument(help="统一社会信用代码 credit code")]


def _decide(cluster_id: str, uscc: str, approve: bool) -> None:
    from jiqun.services import access, memberships
    from jiqun.store.db import prepare

    prepare()
    r = memberships.decide_membership(access.local_principal(), cluster_id, uscc, approve)
    console.print(f"{r['cluster_id']} {r['uscc']}: {r['status']}")


@member_app.command("approve")
def member_approve(
    cluster_id: ClusterArg,
    uscc: UsccArg,
) -> None:
    """批准成员关系（生效）/ approve a membership (it then takes effect)."""
    _decide(cluster_id, uscc, True)


@member_app.command("reject")
def member_reject(
    cluster_id: ClusterArg,
    uscc: UsccArg,
) -> None:
    """拒绝成员关系 / reject a membership."""
    _decide(cluster_id, uscc, False)
