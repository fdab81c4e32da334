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
