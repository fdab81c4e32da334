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
    """Post a need or a capability for ``rec["uscc"]`` after the access check, audited.

    Parameters
    ----------
    kind:
        ``"need"`` or ``"capability"``.
    rec:
        The posting (as :func:`jiqun.services.matching.post_need` /
        :func:`~jiqun.services.matching.post_capability` take it); ``rec["uscc"]`` is the poster.
    principal:
        Who posts (must be allowed to post for the firm).
    client:
        The caller's address, for the audit log.
    engine:
        Database (default: the configured one).

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
    """Close a need or a capability for its poster (or an admin), audited.

    Parameters
    ----------
    kind:
        ``"need"`` or ``"capability"``.
    item_id:
        The posting's id (404 when there is none).
    principal:
        Who closes (must be allowed to post for the posting's firm).
    reason:
        Why it is closed (optional).
    client:
        The caller's address, for the audit log.
    engine:
        Database (default: the configured one).

    Returns
    -------
    None

    References
    ----------
    :func:`posting_owner`, :func:`jiqun.services.access.require_post_for`.

    Example
    -------
    >>> close_posting("need", 12, p, reason="filled")  # doctest: +SKIP
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
    """Rank suppliers for a posted need, as ``principal`` may see them, audited (one entry
    naming the ranked firms).

    Parameters
    ----------
    need_id:
        The posted need (404 when there is none).
    principal:
        Who asks.
    top:
        How many suppliers.
    cross_region:
        Prefer partners in other member regions of the same cluster.
    client:
        The caller's address, for the audit log.
    engine:
        Database (default: the configured one).

    Returns
    -------
    MatchResult
        The ranked suppliers (:func:`jiqun.services.matching.match_need`).

    References
    ----------
    :func:`jiqun.services.matching.match_need`.

    Example
    -------
    >>> suppliers_for_need(12, p, top=10, cross_region=False).table  # doctest: +SKIP
    """
    posting_owner("need", need_id, engine)
    res = svc.match_need(
        need_id,
        engine=engine,
        top=top,
        prefer_cross_region=cross_region,
        principal=principal,
        client=client,
    )
    access.audit(
        principal, "match_suppliers", f"need:{need_id}",
        detail={"top": top, "cross_region": cross_region, "results": len(res.table)},
        client=client, engine=engine,
        subjects=res.table.get("uscc", ()),  # the ranked firms: one entry names them
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
