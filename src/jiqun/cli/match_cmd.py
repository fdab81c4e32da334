"""``jiqun match ...``: the supply–demand board, supplier matching and partner search.

A thin layer over :mod:`jiqun.services.matching`. Exit status follows ``jiqun`` (0 success, 1
user-facing error in Chinese and English with one line per problem, 2 usage or internal error).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from jiqun.cli.render import command_group, terminal_console

match_app = command_group(
    "供需对接 / matchmaking: post needs and capabilities, supplier lists of chain "
    "leaders, rank suppliers for a need, partner search across regions."
)
need_app = command_group("采购需求 / needs: add, list, close, import.")
cap_app = command_group("供给能力 / capabilities: add, list, close, import.")
list_app = command_group(
    "链主供应商名录 / chain leaders' supplier lists: publish, list, show, close."
)
match_app.add_typer(need_app, name="need")
match_app.add_typer(cap_app, name="capability")
match_app.add_typer(list_app, name="supplier-list")

console = terminal_console()

UsccOpt = Annotated[str, typer.Option("--uscc", help="统一社会信用代码 / credit code")]
IndustryOpt = Annotated[
    str | None, typer.Option("--industry", help="GB/T 4754-2017 行业小类（4 位） / class")
]
CertOpt = Annotated[
    list[str] | None,
    typer.Option("--cert", help="资质认证，可重复 / certification (repeatable)"),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="输出 .csv/.xlsx/.json / output file")]
StatusOpt = Annotated[str, typer.Option("--status", help="open | closed | all")]
OwnerOpt = Annotated[str | None, typer.Option()]
ReasonOpt = Annotated[str | None, typer.Option(help="关闭原因 / reason")]
BoardFileArg = Annotated[Path, typer.Argument(help=".csv/.xlsx/.parquet")]
SkipInvalidOpt = Annotated[
    bool, typer.Option("--skip-invalid", help="跳过错误行 / store the valid rows only")
]


def _syn(flag: bool) -> str:
    return " [bold yellow]【模拟数据 SYNTHETIC】[/]" if flag else ""


def _f(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _prepare() -> None:
    from jiqun.store.db import prepare

    prepare()


def _print_frame(df: Any, title: str, cols: list[str]) -> None:
    t = Table(title=title)
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in df.itertuples(index=False):
        t.add_row(*(_f(getattr(r, c)) for c in cols))
    console.print(t)
    console.print(f"[dim]{len(df)} 条 rows[/]")


def _print_problems(problems: list[Any]) -> None:
    for p in problems:
        colour = "red" if p.is_error else "yellow"
        console.print(f"[{colour}]•[/] {p.message_zh} / {p.message_en}")


# ---------------------------------------------------------------------------------------------
# needs
# ---------------------------------------------------------------------------------------------


@need_app.command("add")
def need_add(
    uscc: UsccOpt,
    text: Annotated[str, typer.Option("--text", help="需求产品描述 / what is bought")],
    industry: IndustryOpt = None,
    quantity: Annotated[float | None, typer.Option(help="数量 / quantity")] = None,
    unit: Annotated[str | None, typer.Option(help="单位 / unit (件, 吨, 万元 …)")] = None,
    cert: CertOpt = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="优先地区代码，可重复 / preferred region (repeatable)"),
    ] = None,
    deadline: Annotated[str | None, typer.Option(help="截止日期 / deadline YYYY-MM-DD")] = None,
) -> None:
    """发布采购需求 / post a need."""
    from jiqun.services.matching import post_need

    _prepare()
    nid = post_need(
        {
            "uscc": uscc,
            "text": text,
            "industry_code": industry,
            "quantity": quantity,
            "unit": unit,
            "certifications": cert or [],
            "region_preference": region or [],
            "deadline": deadline,
        }
    )
    console.print(f"[green]已发布需求 need posted[/]: #{nid}")


@need_app.command("list")
def need_list(status: StatusOpt = "open", uscc: OwnerOpt = None) -> None:
    """列出采购需求 / list needs."""
    _board_list("needs", status, uscc)


@need_app.command("close")
def need_close(
    need_id: Annotated[int, typer.Argument(help="需求编号 / need id")],
    reason: ReasonOpt = None,
) -> None:
    """关闭采购需求 / close a need."""
    _board_close("need", need_id, reason)


#: the columns ``need list`` and ``capability list`` print, and their titles
_BOARD_COLUMNS = {
    "needs": (
        "采购需求 needs",
        ["id", "name", "text", "industry_code", "quantity", "unit", "certifications", "deadline",
         "status"],
    ),
    "capabilities": (
        "供给能力 capabilities",
        ["id", "name", "products", "industry_code", "capacity", "unit", "certifications",
         "status"],
    ),
}  # fmt: skip


def _board_list(what: Literal["needs", "capabilities"], status: str, uscc: str | None) -> None:
    from jiqun.services.matching import list_capabilities, list_needs

    _prepare()
    lister = list_needs if what == "needs" else list_capabilities
    df = lister(status=status, uscc=uscc)
    title, cols = _BOARD_COLUMNS[what]
    syn = bool(len(df) and df["synthetic"].any())
    _print_frame(
        df, f"{title} ({status}){_syn(syn)}", [c for c in cols if c in df] if len(df) else cols[:1]
    )


def _board_close(kind: Literal["need", "capability"], item_id: int, reason: str | None) -> None:
    from jiqun.services.matching import close_capability, close_need

    _prepare()
    (close_need if kind == "need" else close_capability)(item_id, reason=reason)
    console.print(f"[green]已关闭 closed[/]: {kind} #{item_id}")


def _import(what: str, file: Path, skip_invalid: bool) -> None:
    from jiqun.services.matching import import_board

    _prepare()
    res = import_board(file, what, mode="skip_invalid" if skip_invalid else "all_or_nothing")
    _print_problems(res["problems"])
    console.print(
        f"[green]导入完成 imported[/]: 读取 read {res['rows_read']}, 写入 written "
        f"{res['rows_written']}, 拒绝 rejected {res['rows_rejected']}"
    )


@need_app.command("import")
def need_import(file: BoardFileArg, skip_invalid: SkipInvalidOpt = False) -> None:
    """从文件导入采购需求（默认全有或全无） / import needs from a file (all or nothing)."""
    _import("needs", file, skip_invalid)


# ---------------------------------------------------------------------------------------------
# capabilities
# ---------------------------------------------------------------------------------------------


@cap_app.command("add")
def cap_add(
    uscc: UsccOpt,
    products: Annotated[str, typer.Option("--products", help="供给产品 / products offered")],
    industry: IndustryOpt = None,
    capacity: Annotated[float | None, typer.Option(help="产能 / capacity")] = None,
    unit: Annotated[str | None, typer.Option(help="单位 / unit")] = None,
    cert: CertOpt = None,
    region: Annotated[
        str | None, typer.Option("--region", help="供货地区代码 / supply region code")
    ] = None,
) -> None:
    """发布供给能力 / post a capability."""
    from jiqun.services.matching import post_capability

    _prepare()
    cid = post_capability(
        {
            "uscc": uscc,
            "products": products,
            "industry_code": industry,
            "capacity": capacity,
            "unit": unit,
            "certifications": cert or [],
            "region_code": region,
        }
    )
    console.print(f"[green]已发布供给能力 capability posted[/]: #{cid}")


@cap_app.command("list")
def cap_list(status: StatusOpt = "open", uscc: OwnerOpt = None) -> None:
    """列出供给能力 / list capabilities."""
    _board_list("capabilities", status, uscc)


@cap_app.command("close")
def cap_close(
    capability_id: Annotated[int, typer.Argument(help="能力编号 / capability id")],
    reason: ReasonOpt = None,
) -> None:
    """关闭供给能力 / close a capability."""
    _board_close("capability", capability_id, reason)


@cap_app.command("import")
def cap_import(file: BoardFileArg, skip_invalid: SkipInvalidOpt = False) -> None:
    """从文件导入供给能力 / import capabilities from a file."""
    _import("capabilities", file, skip_invalid)


# ---------------------------------------------------------------------------------------------
# supplier lists
# ---------------------------------------------------------------------------------------------


@list_app.command("publish")
def list_publish(
    leader: Annotated[str, typer.Option("--leader", help="链主企业信用代码 / chain leader")],
    name: Annotated[str, typer.Option("--name", help="名录名称 / list title")],
    supplier: Annotated[
        list[str], typer.Option("--supplier", help="供应商信用代码，可重复 / supplier (repeatable)")
    ],
    chain: Annotated[str | None, typer.Option(help="产业链编号 / chain id")] = None,
    segment: Annotated[str | None, typer.Option(help="环节编号 / segment id")] = None,
    cluster: Annotated[str | None, typer.Option(help="集群编号 / cluster id")] = None,
) -> None:
    """链主发布供应商名录 / a chain leader publishes a supplier list."""
    from jiqun.services.matching import publish_supplier_list

    _prepare()
    lid = publish_supplier_list(
        leader, name, supplier, chain=chain, segment=segment, cluster_id=cluster
    )
    console.print(f"[green]已发布供应商名录 supplier list published[/]: #{lid}")


@list_app.command("list")
def list_list(status: StatusOpt = "open") -> None:
    """列出供应商名录 / list the supplier lists."""
    from jiqun.services.matching import list_supplier_lists

    _prepare()
    df = list_supplier_lists(status=status)
    cols = ["id", "leader_name", "name", "chain", "segment", "cluster_id", "suppliers", "status"]
    syn = bool(len(df) and df["synthetic"].any())
    _print_frame(
        df,
        f"供应商名录 supplier lists{_syn(syn)}",
        [c for c in cols if c in df] if len(df) else cols[:1],
    )


@list_app.command("show")
def list_show(list_id: Annotated[int, typer.Argument(help="名录编号 / list id")]) -> None:
    """显示名录中的供应商 / show the suppliers of a list."""
    from jiqun.services.matching import supplier_list_entries

    _prepare()
    df = supplier_list_entries(list_id)
    syn = bool(len(df) and df["synthetic"].fillna(False).astype(bool).any())
    _print_frame(
        df,
        f"供应商名录 #{list_id}{_syn(syn)}",
        ["uscc", "name", "region_code", "industry_code", "note"],
    )


@list_app.command("close")
def list_close(list_id: Annotated[int, typer.Argument(help="名录编号 / list id")]) -> None:
    """撤回供应商名录 / withdraw a supplier list."""
    from jiqun.services.matching import close_supplier_list

    _prepare()
    close_supplier_list(list_id)
    console.print(f"[green]已撤回 withdrawn[/]: supplier list #{list_id}")


# ---------------------------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------------------------


def _parse_weights(spec: str | None) -> dict[str, float] | None:
    from jiqun.standard.problems import JiqunError

    if not spec:
        return None
    out: dict[str, float] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise JiqunError(
                f"权重格式应为 名称=数值，如 code=0.4：{part!r}",
                f"weights are name=value pairs, e.g. code=0.4: {part!r}",
            )
        k, v = part.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise JiqunError(
                f"权重 {k.strip()} 不是数字：{v!r}", f"weight {k.strip()} is not a number: {v!r}"
            ) from None
    return out


_SHORT = {
    "segment": "seg.",
    "capacity": "cap.",
    "certification": "cert.",
    "distance": "dist.",
    "innovation": "innov.",
}


def _audit_result(res: Any, action: str, params: dict[str, Any]) -> None:
    """One audit entry for a ranked list read on the command line (the OS user, admin-local),
    naming the firms ranked."""
    from jiqun.services.access import audit_read, local_principal

    firms = res.table["uscc"].tolist() if "uscc" in res.table else []
    audit_read(local_principal(), action, firms, resource=f"matching:{action}", params=params)


def _print_result(res: Any, title: str, extra_cols: list[tuple[str, str]]) -> None:
    labels = res.labels()
    t = Table(title=f"{title}{_syn(res.synthetic)}", show_lines=False)
    t.add_column("#", justify="right")
    t.add_column("企业 firm", overflow="fold", min_width=16)
    t.add_column("信用代码 uscc", no_wrap=True)
    t.add_column("地区/行业\nregion/class", overflow="fold")
    for _col, head in extra_cols:
        t.add_column(head, overflow="fold")
    for k in res.components:
        t.add_column(f"{labels[k][0]}\n{_SHORT.get(k, k)}\n×{res.weights[k]:.2f}", justify="right")
    t.add_column("总分\ntotal", justify="right", style="bold")
    for r in res.table.itertuples(index=False):
        name = str(r.name)
        if r.synthetic:
            name += " [yellow]（模拟 synthetic）[/]"
        if getattr(r, "source", "") == "capability":
            name += f"\n[cyan]已发布能力 capability #{r.capability_id}[/]"
        if getattr(r, "listed_by", ""):
            name += f"\n[magenta]链主名录 listed: {r.listed_by}[/]"
        row = [str(r.rank), name, str(r.uscc), f"{r.region_code}\n{r.industry_code}"]
        for col, _head in extra_cols:
            v = getattr(r, col)
            row.append("是 yes" if v is True else "" if v is False else _f(v, 1))
        row += [_f(float(getattr(r, k)), 2) for k in res.components]
        row.append(_f(float(r.total), 3))
        t.add_row(*row)
    console.print(t)
    console.print(
        "[dim]总分 = Σ 权重 × 得分项（每项 0–1） / total = Σ weight × component (each 0–1; "
        + ", ".join(f"{_SHORT[k]} = {k}" for k in res.components if k in _SHORT)
        + "); "
        f"相关候选 relevant candidates: {res.candidates:,}[/]"
    )
    q = res.basis.get("query_terms")
    if q:
        console.print(
            "[dim]检索词 query terms (同义词权重 synonym weight 0.5): "
            + "、".join(f"{k}" + ("" if v == 1.0 else f"({v:g})") for k, v in q.items())
            + "[/]"
        )
    if res.basis.get("need_segments"):
        console.print(
            "[dim]需求所属环节 need segments: " + "；".join(res.basis["need_segments"]) + "[/]"
        )
    if res.basis.get("region_rule"):
        console.print(f"[dim]区域规则 region rule: {res.basis['region_rule']}[/]")
    for n in res.notes:
        console.print(f"[yellow]注 note:[/] {n}")


@match_app.command("suppliers")
def suppliers_cmd(
    need_id: Annotated[int | None, typer.Argument(help="需求编号 / posted need id")] = None,
    text: Annotated[str | None, typer.Option("--text", help="需求产品 / product words")] = None,
    industry: IndustryOpt = None,
    buyer: Annotated[
        str | None, typer.Option("--buyer", help="采购方信用代码（定位、排除自身） / buyer")
    ] = None,
    quantity: Annotated[float | None, typer.Option(help="数量 / quantity")] = None,
    unit: Annotated[str | None, typer.Option(help="单位 / unit")] = None,
    cert: CertOpt = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="优先地区，可重复 / preferred region")
    ] = None,
    cross_region: Annotated[
        bool,
        typer.Option(
            "--cross-region",
            help="优先同一集群内其他地区的伙伴 / prefer other regions of the cluster",
        ),
    ] = False,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="按此集群的成员地区判断跨区域 / cluster")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="返回企业数 / firms returned")] = 10,
    weights: Annotated[
        str | None,
        typer.Option("--weights", help="权重 weights, e.g. code=0.4,text=0.3,distance=0.1"),
    ] = None,
    out: OutOpt = None,
) -> None:
    """为需求推荐供应商（逐项得分） / rank suppliers for a need, with every score component."""
    from jiqun.matching import Need
    from jiqun.services.matching import match_need, write_match_output
    from jiqun.standard.problems import JiqunError

    _prepare()
    if need_id is None and not text and not industry:
        raise JiqunError(
            "请给出需求编号，或 --text / --industry", "give a need id, or --text / --industry"
        )
    if need_id is not None:
        res = match_need(
            need_id,
            top=top,
            weights=_parse_weights(weights),
            prefer_cross_region=cross_region,
            cluster=cluster,
        )
        title = f"需求 #{need_id} 的候选供应商 suppliers for need #{need_id}"
    else:
        need = Need(
            text=text or "",
            industry_code=industry,
            quantity=quantity,
            unit=unit,
            certifications=tuple(cert or ()),
            region_preference=tuple(region or ()),
            uscc=buyer,
        )
        res = match_need(
            need=need,
            top=top,
            weights=_parse_weights(weights),
            prefer_cross_region=cross_region,
            cluster=cluster,
        )
        title = f"候选供应商 suppliers: {text or ''} {industry or ''}".strip()
    _audit_result(res, "match_suppliers", {"text": text, "industry": industry, "top": top})
    _print_result(res, title, [("distance_km", "距离\nkm"), ("cross_region", "跨区\ncross")])
    if out:
        write_match_output(res, out)
        console.print(f"[green]已写入 written[/] → {out}")


@match_app.command("partners")
def partners_cmd(
    keywords: Annotated[str, typer.Option("--keywords", help="关键词 / keywords")] = "",
    field: Annotated[
        str | None, typer.Option("--field", help="领域 field, e.g. high_end_equipment")
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="企业标签，可重复 / tag (srdi, little_giant …)"),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="只看此地区 / only this region")
    ] = None,
    home: Annotated[
        str | None, typer.Option("--home", help="本方地区（跨区域加分） / your region")
    ] = None,
    top: Annotated[int, typer.Option("--top")] = 10,
    out: OutOpt = None,
) -> None:
    """跨区域合作伙伴检索（研发、合作） / partner search across regions (R&D, cooperation)."""
    from jiqun.services.matching import find_partners, write_match_output

    _prepare()
    res = find_partners(
        keywords, field=field, tags=tuple(tag or ()), region=region, home_region=home, top=top
    )
    _audit_result(
        res, "match_partners", {"keywords": keywords, "field": field, "region": region, "top": top}
    )
    _print_result(
        res,
        f"合作伙伴 partners: {keywords}",
        [("cross_region", "跨区\ncross"), ("tags", "标签 tags")],
    )
    if out:
        write_match_output(res, out)
        console.print(f"[green]已写入 written[/] → {out}")
