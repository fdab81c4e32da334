"""The supply–demand board (供需对接): needs, capabilities and supplier lists in the database.

Post, list and close **needs** and **capabilities**; chain leaders publish **supplier lists**;
needs and capabilities can be imported from CSV/XLSX (all-or-nothing by default: a file with an
error changes nothing, and every error names row, field and value).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Table, func, insert, select, text, update

from jiqun.matching.board import read_board_file, validate_capability, validate_need
from jiqun.matching.index import split_list
from jiqun.matching.score import (
    Need,
)
from jiqun.services.cache import bump
from jiqun.standard.codes import check_uscc
from jiqun.standard.problems import JiqunError, Problem
from jiqun.store.db import get_engine
from jiqun.store.models import (
    Base,
    Enterprise,
    MatchCapability,
    MatchNeed,
    SupplierList,
    SupplierListEntry,
    table_of,
)

STATUSES = ("open", "closed", "all")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _fail(what_zh: str, what_en: str, problems: list[Problem]) -> None:
    errors = [p for p in problems if p.is_error]
    if not errors:
        return
    first = errors[0]
    raise JiqunError(
        f"{what_zh}有 {len(errors)} 个错误，未保存：{first.message_zh}",
        f"{what_en} has {len(errors)} error(s), nothing saved: {first.message_en}",
        problems=errors,
    )


def _registered(engine: Engine, usccs: Sequence[str]) -> set[str]:
    usccs = [u for u in usccs if u]
    if not usccs:
        return set()
    out: set[str] = set()
    with engine.connect() as c:
        for i in range(0, len(usccs), 500):
            chunk = list(usccs[i : i + 500])
            q = text(
                "SELECT uscc FROM enterprises WHERE uscc IN ("
                + ",".join(f":u{j}" for j in range(len(chunk)))
                + ")"
            )
            out |= {r[0] for r in c.execute(q, {f"u{j}": u for j, u in enumerate(chunk)})}
    return out


def _not_registered(uscc: str, row: int | None = None, fld: str = "uscc") -> Problem:
    where_zh = (f"第 {row} 行，" if row is not None else "") + f"字段 {fld}"
    where_en = (f"row {row}, " if row is not None else "") + f"field {fld}"
    return Problem(
        row,
        fld,
        uscc,
        "board.not_registered",
        "error",
        f"{where_zh}，值 {uscc!r}：企业不在企业库（一企一档）中，请先导入该企业",
        f"{where_en}, value {uscc!r}: the firm is not in the enterprise registry; import it first",
    )


def _status_filter(status: str) -> str:
    if status not in STATUSES:
        raise JiqunError(
            f"未知的状态「{status}」，可选：{', '.join(STATUSES)}",
            f"unknown status '{status}'; valid: {', '.join(STATUSES)}",
        )
    return status


# ---------------------------------------------------------------------------------------------
# needs and capabilities
# ---------------------------------------------------------------------------------------------


def _store(
    engine: Engine,
    model: type[MatchNeed] | type[MatchCapability],
    clean: dict[str, Any],
    problems: list[Problem],
    what: tuple[str, str],
    synthetic: bool,
) -> int:
    """Store a validated posting as open (after the poster's registry check); its id.

    Nothing is stored when ``problems`` (or the check) has an error: :func:`_fail` raises."""
    uscc_ok = clean["uscc"] and not any(p.is_error and p.column == "uscc" for p in problems)
    if uscc_ok and not _registered(engine, [clean["uscc"]]):
        problems.append(_not_registered(clean["uscc"]))
    _fail(*what, problems)
    with engine.begin() as c:
        bump(c, "board")  # the board page is kept per board version (web.page_cache)
        res = c.execute(
            insert(model).returning(model.id),
            {**clean, "status": "open", "created_at": _now(), "synthetic": synthetic},
        )
        return int(res.scalar_one())


def post_need(
    record: Mapping[str, Any],
    *,
    engine: Engine | None = None,
    today: dt.date | None = None,
    synthetic: bool = False,
) -> int:
    """Validate and store one need; return its id.

    Parameters
    ----------
    record:
        Fields of :func:`jiqun.matching.validate_need` (``uscc``, ``text``, ``industry_code``,
        ``quantity``, ``unit``, ``certifications``, ``region_preference``, ``deadline``).
    engine:
        Database (default: the configured one).
    today:
        Reference date of the deadline rule.
    synthetic:
        Mark the need as demo data.

    Returns
    -------
    int
        The need id.

    Raises
    ------
    JiqunError
        With one problem per invalid field (row, field, value), or when the buyer is not in
        the enterprise registry. Nothing is stored then.

    Example
    -------
    >>> post_need({"uscc": "91320505MA1XXXXX0X", "text": "谐波减速器"})  # doctest: +SKIP
    1
    """
    engine = engine or get_engine()
    clean, problems = validate_need(record, today=today)
    return _store(engine, MatchNeed, clean, problems, ("需求", "the need"), synthetic)


def post_capability(
    record: Mapping[str, Any], *, engine: Engine | None = None, synthetic: bool = False
) -> int:
    """Validate and store one capability; return its id.

    Parameters
    ----------
    record:
        Fields of :func:`jiqun.matching.validate_capability` (``uscc``, ``products``,
        ``industry_code``, ``capacity``, ``unit``, ``certifications``, ``region_code``).
    engine:
        Database.
    synthetic:
        Mark as demo data.

    Returns
    -------
    int
        The capability id.

    Raises
    ------
    JiqunError
        One problem per invalid field, or the firm is not registered; nothing stored.

    Example
    -------
    >>> post_capability({"uscc": "…", "products": "谐波减速器", "capacity": 5000,
    ...                  "unit": "台"})  # doctest: +SKIP
    """
    engine = engine or get_engine()
    clean, problems = validate_capability(record)
    return _store(
        engine, MatchCapability, clean, problems, ("供给能力", "the capability"), synthetic
    )


def _list(
    engine: Engine, table: Table, status: str, uscc: str | None, order: str = "id"
) -> pd.DataFrame:
    _status_filter(status)
    # the firm's name comes with the posting in one join (reading every enterprise's name to
    # label a few hundred postings took seconds on a national registry)
    ent = table_of(Enterprise)
    q = select(table, ent.c.name).select_from(table.outerjoin(ent, ent.c.uscc == table.c.uscc))
    if status != "all":
        q = q.where(table.c.status == status)
    if uscc:
        q = q.where(table.c.uscc == uscc)
    q = q.order_by(table.c[order])
    with engine.connect() as c:
        df = pd.read_sql(q, c)
    cols = list(df.columns)
    cols.insert(2, cols.pop(cols.index("name")))
    return df[cols]


def list_needs(
    *, engine: Engine | None = None, status: str = "open", uscc: str | None = None
) -> pd.DataFrame:
    """Needs on the board (``status`` ``open`` | ``closed`` | ``all``; optionally of one firm).

    Returns
    -------
    pandas.DataFrame
        The ``match_needs`` columns plus the buyer's ``name``, ordered by id.

    Example
    -------
    >>> list_needs(status="all")  # doctest: +SKIP
    """
    return _list(engine or get_engine(), table_of(MatchNeed), status, uscc)


def list_capabilities(
    *, engine: Engine | None = None, status: str = "open", uscc: str | None = None
) -> pd.DataFrame:
    """Capabilities on the board (``status`` ``open`` | ``closed`` | ``all``).

    Returns
    -------
    pandas.DataFrame
        The ``match_capabilities`` columns plus the firm's ``name``, ordered by id.

    Example
    -------
    >>> list_capabilities()  # doctest: +SKIP
    """
    return _list(engine or get_engine(), table_of(MatchCapability), status, uscc)


def _close(
    engine: Engine,
    model: type[Base],
    item_id: int,
    reason: str | None,
    what: tuple[str, str],
) -> None:
    t = table_of(model)
    with engine.begin() as c:
        bump(c, "board")  # the board page is kept per board version (web.page_cache)
        row = c.execute(select(t.c.status).where(t.c.id == item_id)).first()
        if row is None:
            raise JiqunError(f"没有编号为 {item_id} 的{what[0]}", f"no {what[1]} with id {item_id}")
        if row[0] == "closed":
            raise JiqunError(
                f"{what[0]} {item_id} 已关闭", f"{what[1]} {item_id} is already closed"
            )
        values: dict[str, Any] = {"status": "closed", "closed_at": _now()}
        if "close_reason" in t.c:
            values["close_reason"] = (reason or "").strip() or None
        c.execute(update(t).where(t.c.id == item_id).values(**values))


def close_need(need_id: int, *, reason: str | None = None, engine: Engine | None = None) -> None:
    """Close a need (fulfilled, withdrawn …); it stays on record.

    Raises
    ------
    JiqunError
        Unknown id, or already closed.

    Example
    -------
    >>> close_need(1, reason="已找到供应商")  # doctest: +SKIP
    """
    _close(engine or get_engine(), MatchNeed, need_id, reason, ("需求", "need"))


def close_capability(
    capability_id: int, *, reason: str | None = None, engine: Engine | None = None
) -> None:
    """Close a capability (no longer offered); it leaves the matching index.

    Raises
    ------
    JiqunError
        Unknown id, or already closed.

    Example
    -------
    >>> close_capability(3)  # doctest: +SKIP
    """
    _close(
        engine or get_engine(), MatchCapability, capability_id, reason, ("供给能力", "capability")
    )


def get_need(need_id: int, *, engine: Engine | None = None) -> Need:
    """A posted need as a :class:`jiqun.matching.Need`.

    Raises
    ------
    JiqunError
        Unknown id.

    Example
    -------
    >>> get_need(1).text  # doctest: +SKIP
    '谐波减速器'
    """
    engine = engine or get_engine()
    t = table_of(MatchNeed)
    with engine.connect() as c:
        r = c.execute(select(t).where(t.c.id == need_id)).mappings().first()
    if r is None:
        raise JiqunError(f"没有编号为 {need_id} 的需求", f"no need with id {need_id}")
    return Need(
        text=r["text"] or "",
        industry_code=r["industry_code"],
        quantity=r["quantity"],
        unit=r["unit"],
        certifications=tuple(split_list(r["certifications"])),
        region_preference=tuple(split_list(r["region_preference"])),
        uscc=r["uscc"],
        id=int(r["id"]),
    )


def import_board(
    path: str | Path,
    what: str,
    *,
    engine: Engine | None = None,
    mode: str = "all_or_nothing",
    today: dt.date | None = None,
    synthetic: bool = False,
) -> dict[str, Any]:
    """Import needs or capabilities from a CSV/XLSX/Parquet file.

    Parameters
    ----------
    path:
        The file (headers in Chinese or English, see :mod:`jiqun.matching.board`).
    what:
        ``needs`` or ``capabilities``.
    engine:
        Database.
    mode:
        ``all_or_nothing`` (default: any error → nothing stored) or ``skip_invalid`` (store
        the valid rows, report the rest).
    today:
        Reference date of the deadline rule.
    synthetic:
        Mark the rows as demo data.

    Returns
    -------
    dict
        ``rows_read``, ``rows_written``, ``rows_rejected``, ``ids`` and ``problems``
        (:class:`~jiqun.standard.problems.Problem` list, errors and warnings).

    Raises
    ------
    JiqunError
        In ``all_or_nothing`` mode when any row has an error (every problem attached), or for
        an unreadable file.

    Example
    -------
    >>> import_board("needs.xlsx", "needs")["rows_written"]  # doctest: +SKIP
    12
    """
    if mode not in ("all_or_nothing", "skip_invalid"):
        raise JiqunError(
            f"未知的导入模式「{mode}」，可选：all_or_nothing, skip_invalid",
            f"unknown import mode '{mode}'; valid: all_or_nothing, skip_invalid",
        )
    engine = engine or get_engine()
    records, problems, n_read = read_board_file(path, what, today=today)
    known = _registered(engine, sorted({r["uscc"] for r in records if r["uscc"]}))
    good: list[dict[str, Any]] = []
    for r in records:
        if r["uscc"] not in known:
            problems.append(_not_registered(r["uscc"], r["_row"]))
        else:
            good.append(r)
    error_rows = {p.row for p in problems if p.is_error}
    if mode == "all_or_nothing" and error_rows:
        _fail(
            f"文件 {Path(path).name} ",
            f"file {Path(path).name}",
            problems,
        )
    model = MatchNeed if what == "needs" else MatchCapability
    ids: list[int] = []
    now = _now()
    if good:
        with engine.begin() as c:
            bump(c, "board")  # the board page is kept per board version (web.page_cache)
            for r in good:
                rec = {k: v for k, v in r.items() if k != "_row"}
                res = c.execute(
                    insert(model).returning(model.id),
                    {**rec, "status": "open", "created_at": now, "synthetic": synthetic},
                )
                ids.append(int(res.scalar_one()))
    return {
        "rows_read": n_read,
        "rows_written": len(ids),
        "rows_rejected": n_read - len(ids),
        "ids": ids,
        "problems": problems,
    }


# ---------------------------------------------------------------------------------------------
# supplier lists
# ---------------------------------------------------------------------------------------------


def _is_chain_leader(engine: Engine, uscc: str) -> bool:
    with engine.connect() as c:
        tags = c.execute(text("SELECT tags FROM enterprises WHERE uscc = :u"), {"u": uscc}).scalar()
        if tags and "chain_leader" in str(tags).split(";"):
            return True
        role = c.execute(
            text("SELECT COUNT(*) FROM cluster_members WHERE uscc = :u AND role = 'chain_leader'"),
            {"u": uscc},
        ).scalar()
    return bool(role)


def publish_supplier_list(
    leader_uscc: str,
    name: str,
    suppliers: Sequence[str] | Mapping[str, str | None],
    *,
    chain: str | None = None,
    segment: str | None = None,
    cluster_id: str | None = None,
    engine: Engine | None = None,
    synthetic: bool = False,
) -> int:
    """Publish a chain leader's supplier list (链主供应商名录); return its id.

    Parameters
    ----------
    leader_uscc:
        The publishing firm: it must be a chain leader on record (tag ``chain_leader`` or
        role ``chain_leader`` in a cluster — only as listed by government; Jiqun never infers
        it).
    name:
        Title of the list.
    suppliers:
        Supplier credit codes, or code → note.
    chain, segment:
        Optional chain template and segment the list is for.
    cluster_id:
        Optional cluster.
    engine:
        Database.
    synthetic:
        Mark as demo data.

    Returns
    -------
    int
        The list id.

    Raises
    ------
    JiqunError
        One problem per invalid or unregistered supplier code (naming its position and value),
        a publisher that is not a chain leader, an unknown chain/segment/cluster, an empty
        list or a missing name. Nothing is stored then.

    Example
    -------
    >>> publish_supplier_list(leader, "2026 年核心供应商", [s1, s2])  # doctest: +SKIP
    """
    engine = engine or get_engine()
    problems: list[Problem] = []

    def bad(fld: str, value: object, rule: str, zh: str, en: str, row: int | None = None) -> None:
        where_zh = (f"第 {row} 项，" if row is not None else "") + f"字段 {fld}"
        where_en = (f"item {row}, " if row is not None else "") + f"field {fld}"
        problems.append(
            Problem(
                row,
                fld,
                str(value),
                rule,
                "error",
                f"{where_zh}，值 {value!r}：{zh}",
                f"{where_en}, value {value!r}: {en}",
            )
        )

    leader = (leader_uscc or "").strip().upper()
    if not name or not str(name).strip():
        bad("name", name, "board.required", "名录名称必填", "the list needs a name")
    items = dict(suppliers) if isinstance(suppliers, Mapping) else dict.fromkeys(suppliers)
    if not items:
        bad(
            "suppliers",
            "",
            "board.required",
            "名录中至少要有一家供应商",
            "the list needs at least one supplier",
        )
    leader_ok = not [f for f in check_uscc(leader) if f.severity == "error"]
    if not leader_ok:
        bad(
            "leader_uscc",
            leader_uscc,
            "uscc.invalid",
            "不是有效的统一社会信用代码",
            "is not a valid unified social credit code",
        )
    codes: dict[str, str | None] = {}
    for i, (u, note) in enumerate(items.items(), start=1):
        code = str(u).strip().upper()
        errs = [f for f in check_uscc(code) if f.severity == "error"]
        if errs:
            bad("supplier_uscc", u, errs[0].rule, errs[0].message_zh, errs[0].message_en, i)
        elif code == leader:
            bad(
                "supplier_uscc",
                u,
                "board.self",
                "链主不能把自己列为供应商",
                "the leader cannot list itself",
                i,
            )
        else:
            codes[code] = note
    known = _registered(engine, [leader, *codes])
    if leader_ok and leader not in known:
        problems.append(_not_registered(leader, fld="leader_uscc"))
    elif leader_ok and not _is_chain_leader(engine, leader):
        bad(
            "leader_uscc",
            leader,
            "board.not_chain_leader",
            "该企业未被列为链主（链主企业须以政府公布名单为准），不能发布供应商名录",
            "this firm is not on record as a chain leader (only as listed by government) and "
            "cannot publish a supplier list",
        )
    for i, code in enumerate(codes, start=1):
        if code not in known:
            problems.append(_not_registered(code, i, "supplier_uscc"))
    if chain:
        from jiqun.chains.templates import get_template

        try:
            tm = get_template(chain)
            if segment:
                tm.segment(segment)
        except JiqunError as e:
            bad(
                "chain" if not segment else "segment",
                segment or chain,
                "board.chain",
                e.message_zh,
                e.message_en,
            )
    elif segment:
        bad(
            "segment",
            segment,
            "board.segment_without_chain",
            "给出环节时须同时给出产业链",
            "a segment needs its chain",
        )
    if cluster_id:
        with engine.connect() as c:
            n = c.execute(
                text("SELECT COUNT(*) FROM clusters WHERE cluster_id = :c"), {"c": cluster_id}
            ).scalar()
        if not n:
            bad(
                "cluster_id",
                cluster_id,
                "board.cluster_unknown",
                "未知的集群编号",
                "unknown cluster id",
            )
    _fail("供应商名录", "the supplier list", problems)
    with engine.begin() as c:
        bump(c, "board")  # the board page is kept per board version (web.page_cache)
        res = c.execute(
            insert(SupplierList).returning(SupplierList.id),
            {
                "leader_uscc": leader,
                "name": str(name).strip(),
                "chain": chain,
                "segment": segment,
                "cluster_id": cluster_id,
                "status": "open",
                "published_at": _now(),
                "synthetic": synthetic,
            },
        )
        list_id = int(res.scalar_one())
        c.execute(
            insert(SupplierListEntry),
            [{"list_id": list_id, "supplier_uscc": u, "note": n} for u, n in codes.items()],
        )
    return list_id


def list_supplier_lists(
    *, engine: Engine | None = None, status: str = "open", leader_uscc: str | None = None
) -> pd.DataFrame:
    """Published supplier lists with their number of suppliers.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``leader_uscc``, ``leader_name``, ``name``, ``chain``, ``segment``,
        ``cluster_id``, ``status``, ``published_at``, ``suppliers``, ``synthetic``.

    Example
    -------
    >>> list_supplier_lists()  # doctest: +SKIP
    """
    engine = engine or get_engine()
    _status_filter(status)
    t, e = table_of(SupplierList), table_of(SupplierListEntry)
    q = (
        select(t, func.count(e.c.supplier_uscc).label("suppliers"))
        .select_from(t.outerjoin(e, e.c.list_id == t.c.id))
        .group_by(*t.c)
        .order_by(t.c.id)
    )
    if status != "all":
        q = q.where(t.c.status == status)
    if leader_uscc:
        q = q.where(t.c.leader_uscc == leader_uscc)
    with engine.connect() as c:
        df = pd.read_sql(q, c)
        names = (
            pd.read_sql(text("SELECT uscc AS leader_uscc, name AS leader_name FROM enterprises"), c)
            if len(df)
            else None
        )
    if names is not None:
        df = df.merge(names, on="leader_uscc", how="left")
    return df


def supplier_list_entries(list_id: int, *, engine: Engine | None = None) -> pd.DataFrame:
    """The suppliers of one list with their name, region and class.

    Raises
    ------
    JiqunError
        Unknown list id.

    Example
    -------
    >>> supplier_list_entries(1)  # doctest: +SKIP
    """
    engine = engine or get_engine()
    with engine.connect() as c:
        n = c.execute(
            text("SELECT COUNT(*) FROM supplier_lists WHERE id = :i"), {"i": list_id}
        ).scalar()
        if not n:
            raise JiqunError(
                f"没有编号为 {list_id} 的供应商名录", f"no supplier list with id {list_id}"
            )
        return pd.read_sql(
            text(
                "SELECT s.supplier_uscc AS uscc, e.name, e.region_code, e.industry_code, s.note, "
                "e.synthetic FROM supplier_list_entries s LEFT JOIN enterprises e "
                "ON e.uscc = s.supplier_uscc WHERE s.list_id = :i ORDER BY s.supplier_uscc"
            ),
            c,
            params={"i": list_id},
        )


def close_supplier_list(list_id: int, *, engine: Engine | None = None) -> None:
    """Withdraw a supplier list (kept on record).

    Raises
    ------
    JiqunError
        Unknown id, or already closed.

    Example
    -------
    >>> close_supplier_list(1)  # doctest: +SKIP
    """
    _close(engine or get_engine(), SupplierList, list_id, None, ("供应商名录", "supplier list"))
