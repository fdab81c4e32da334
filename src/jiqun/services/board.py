"""The supply–demand board seen by one principal: who owns a posting, and which financial
figures of a match result the principal may see.

Handlers of the REST API (:mod:`jiqun.web.api_matching`) and of the pages
(:mod:`jiqun.web.ui_matching`) call these instead of reading the store themselves; access
decisions are :mod:`jiqun.services.access`'s (reads through a grant are audited there).
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine, select

from jiqun.matching.score import MatchResult
from jiqun.services import access
from jiqun.services import matching as svc
from jiqun.services.accounts import Principal
from jiqun.store.db import get_engine
from jiqun.store.models import Enterprise, MatchCapability, MatchNeed

_KINDS: dict[str, tuple[Any, str, str]] = {
    "need": (MatchNeed.__table__, "需求", "need"),
    "capability": (MatchCapability.__table__, "供给能力", "capability"),
}


def posting_owner(
    kind: Literal["need", "capability"], item_id: int, engine: Engine | None = None
) -> str:
    """The firm that posted a need or a capability.

    Parameters
    ----------
    kind:
        ``"need"`` or ``"capability"``.
    item_id:
        The posting's id.
    engine:
        Database (default: the configured one).

    Returns
    -------
    str
        The poster's credit code.

    Raises
    ------
    jiqun.services.access.NotFound
        When there is no such posting.

    References
    ----------
    :func:`jiqun.services.access.require_post_for` (who may act for the owner).

    Example
    -------
    >>> posting_owner("need", 1)  # doctest: +SKIP
    '91320214MA1NA0012A'
    """
    t, zh, en = _KINDS[kind]
    with (engine or get_engine()).connect() as c:
        uscc = c.execute(select(t.c.uscc).where(t.c.id == item_id)).scalar()
    if uscc is None:
        raise access.NotFound(f"没有编号为 {item_id} 的{zh}", f"no {en} with id {item_id}")
    return str(uscc)


def post_posting(
    kind: Literal["need", "capability"],
    rec: dict[str, Any],
    principal: Principal,
    *,
    client: str | None = None,
    engine: Engine | None = None,
) -> int:
    """Post a need or a capability for the firm ``rec["uscc"]``: access check, post, audit.

    Parameters
    ----------
    kind, rec:
        ``"need"`` or ``"capability"``, and the posting as :func:`jiqun.services.matching.
        post_need` or :func:`~jiqun.services.matching.post_capability` take it.
    principal, client, engine:
        Who posts (allowed to post for the firm), the address for the audit log, the database.

    Returns
    -------
    int
        The new posting's id.

    References
    ----------
    :func:`jiqun.services.access.require_post_for` (who may post for a firm).

    Example
    -------
    >>> post_posting("need", {"uscc": "91320214MA1NA0012A", "text": "PCB"}, p)  # doctest: +SKIP
    12
    """
    access.require_post_for(principal, rec["uscc"])
    post = svc.post_need if kind == "need" else svc.post_capability
    item_id = post(rec, engine=engine)
    access.audit(
        principal, f"match_{kind}_post", f"{kind}:{item_id}", detail={"uscc": rec["uscc"]},
        client=client, engine=engine,
    )  # fmt: skip
    return item_id


def close_posting(
    kind: Literal["need", "capability"],
    item_id: int,
    principal: Principal,
    *,
    reason: str | None = None,
    client: str | None = None,
    engine: Engine | None = None,
) -> None:
    """Close a need or a capability (:func:`post_posting`'s arguments; ``reason`` optional) for
    its poster or an admin, audited; 404 when there is no such posting.

    References: :func:`posting_owner`, :func:`jiqun.services.access.require_post_for`.

    Example: ``close_posting("need", 12, p, reason="filled")``.
    """
    access.require_post_for(principal, posting_owner(kind, item_id, engine))
    close = svc.close_need if kind == "need" else svc.close_capability
    close(item_id, reason=reason, engine=engine)
    access.audit(
        principal, f"match_{kind}_close", f"{kind}:{item_id}", client=client, engine=engine
    )


def suppliers_for_need(
    need_id: int,
    principal: Principal,
    *,
    top: int,
    cross_region: bool,
    client: str | None = None,
    engine: Engine | None = None,
) -> MatchResult:
    """:func:`jiqun.services.matching.match_need` for a posted need (404 when there is none) as
    ``principal`` may see it (``prefer_cross_region=cross_region``); ONE audit entry
    (``match_suppliers``) names the ranked firms.

    Example: ``suppliers_for_need(12, p, top=10, cross_region=False).table``.
    """
    posting_owner("need", need_id, engine)
    res = svc.match_need(
        need_id, engine=engine, top=top, prefer_cross_region=cross_region,
        principal=principal, client=client,
    )  # fmt: skip
    detail = {"top": top, "cross_region": cross_region}
    return _audited(res, principal, "match_suppliers", f"need:{need_id}", detail, client, engine)


def partners_for(
    principal: Principal,
    keywords: str,
    *,
    detail: dict[str, Any],
    client: str | None = None,
    engine: Engine | None = None,
    **search: Any,
) -> MatchResult:
    """:func:`jiqun.services.matching.find_partners` (``search``: field, region, home_region,
    top) as ``principal`` may see it, without the caller's own firm; ONE audit entry
    (``match_partners``, ``detail`` plus the count) names the ranked firms.

    Example: ``partners_for(p, "晶圆", detail={"keywords": "晶圆"}, top=10).table``.
    """
    exclude = [principal.scope] if principal.role == "enterprise" and principal.scope else []
    res = svc.find_partners(
        keywords, exclude=exclude, engine=engine, principal=principal, client=client, **search
    )
    return _audited(res, principal, "match_partners", "matching:partners", detail, client, engine)


def _audited(
    res: MatchResult,
    principal: Principal,
    action: str,
    resource: str,
    detail: dict[str, Any],
    client: str | None,
    engine: Engine | None,
) -> MatchResult:
    """``res`` after one audit entry naming its ranked firms (``detail`` plus the count)."""
    access.audit(
        principal, action, resource, detail={**detail, "results": len(res.table)},
        client=client, engine=engine, subjects=res.table.get("uscc", ()),
    )  # fmt: skip
    return res


def with_financials(
    res: MatchResult, principal: Principal, engine: Engine, client: str | None = None
) -> pd.DataFrame:
    """The result table plus ``revenue`` (万元) and ``posted_capacity``/``capacity_unit``, filled
    only for firms whose records ``principal`` may read.

    Parameters
    ----------
    res:
        A match result (its ``records_visible`` column, when present, says whom the principal
        may read; otherwise :func:`jiqun.services.access.can_see_enterprise` decides, audited).
    principal:
        Who is asking.
    engine:
        Database.
    client:
        The caller's address, for the audit log.

    Returns
    -------
    pd.DataFrame
        The table with ``revenue``, ``posted_capacity``, ``capacity_unit`` and
        ``financials_visible``.

    References
    ----------
    :mod:`jiqun.services.matching` (the match itself).

    Example
    -------
    >>> with_financials(res, principal, engine)  # doctest: +SKIP
    """
    df = res.table.copy()
    usccs = sorted({str(u) for u in df["uscc"]}) if len(df) else []
    if "records_visible" in df.columns:
        seen = {str(u) for u, ok in zip(df["uscc"], df["records_visible"], strict=True) if ok}
    else:
        seen = {u for u in usccs if access.can_see_enterprise(principal, u, engine, client=client)}
    revenue: dict[str, Any] = {}
    caps: dict[int, tuple[Any, Any]] = {}
    if seen:
        e = Enterprise.__table__
        with engine.connect() as c:
            for u in seen:
                revenue[u] = c.execute(select(e.c.revenue).where(e.c.uscc == u)).scalar()
            cap_ids = [
                int(i)
                for i, u in zip(df.get("capability_id", []), df["uscc"], strict=False)
                if not pd.isna(i) and u in seen
            ]
            t = MatchCapability.__table__
            if cap_ids:
                for r in c.execute(
                    select(t.c.id, t.c.capacity, t.c.unit).where(t.c.id.in_(cap_ids))
                ):
                    caps[int(r[0])] = (r[1], r[2])
    df["revenue"] = [revenue.get(str(u)) for u in df["uscc"]]
    cap_col = df["capability_id"] if "capability_id" in df else pd.Series([None] * len(df))
    pairs = [caps.get(int(i), (None, None)) if not pd.isna(i) else (None, None) for i in cap_col]
    # not ``capacity``: that is the score component of the same name
    df["posted_capacity"] = [p[0] for p in pairs]
    df["capacity_unit"] = [p[1] for p in pairs]
    df["financials_visible"] = [str(u) in seen for u in df["uscc"]]
    return df
