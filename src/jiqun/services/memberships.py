"""Cluster memberships that widen an organisation's view wait for approval.

A cluster organisation sees the firms of its cluster (:func:`jiqun.services.access.enterprise_scope_sql`):
those registered in a member region and classed in a leading industry, and its **listed
members**. Listing a firm as a member (the ``cluster-members`` import) would therefore widen the
organisation's own view; so a membership the organisation lists itself is stored ``pending`` and
counts only once the platform administrator or the firm itself (its enterprise account) approves
it. Memberships an administrator imports (and those stored before approval existed) are
``approved``. Every decision is audited (``membership_approve`` / ``membership_reject``).

The interfaces (REST API ``/api/v1/memberships``, the page ``/memberships``, ``jiqun member``)
call these functions and decide nothing themselves.

References
----------
src/jiqun/store/migrations/versions/0007_membership_approval_and_audit_subjects.py
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select, update

from jiqun.services import access
from jiqun.services.accounts import Principal
from jiqun.services.cache import bump
from jiqun.store.db import get_engine
from jiqun.store.models import Cluster, ClusterMember, Enterprise

STATUSES = ("pending", "approved", "rejected")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def list_memberships(
    principal: Principal,
    status: str | None = "pending",
    engine: Engine | None = None,
    limit: int = 1000,
    cluster_id: str | None = None,
    uscc: str | None = None,
) -> list[dict[str, Any]]:
    """Memberships the principal may see or decide, newest requests first.

    Parameters
    ----------
    principal: an admin (every membership), an enterprise (its own firm's), a cluster
        organisation (its own cluster's, to follow its requests); others are refused (403).
    status: ``pending`` (default), ``approved``, ``rejected`` or ``None`` for all.
    engine: the database.
    limit: at most this many rows.
    cluster_id, uscc: only this cluster / this firm.

    Returns
    -------
    Rows with ``cluster_id, cluster_name, uscc, firm_name, role, status, requested_by,
    decided_by, decided_at``.

    Example
    -------
    >>> list_memberships(access.local_principal(), "pending")  # doctest: +SKIP
    [{'cluster_id': 'NC2021-02', 'uscc': '91320214MA1NB0026F', 'status': 'pending', ...}]
    """
    access.require_role(principal, "admin", "enterprise", "cluster")
    if status is not None and status not in STATUSES:
        raise access.AccessDenied(
            f"未知状态 {status!r}，可选 pending / approved / rejected",
            f"unknown status {status!r}; choose pending, approved or rejected",
            status=400,
        )
    m = ClusterMember
    q = (
        select(
            m.cluster_id,
            Cluster.name.label("cluster_name"),
            m.uscc,
            Enterprise.name.label("firm_name"),
            m.role,
            m.status,
            m.requested_by,
            m.decided_by,
            m.decided_at,
        )
        .outerjoin(Cluster, Cluster.cluster_id == m.cluster_id)
        .outerjoin(Enterprise, Enterprise.uscc == m.uscc)
        .order_by(m.cluster_id, m.uscc)
        .limit(max(1, min(int(limit), 10_000)))
    )
    if status is not None:
        q = q.where(m.status == status)
    if cluster_id:
        q = q.where(m.cluster_id == cluster_id)
    if uscc:
        q = q.where(m.uscc == uscc)
    if principal.role == "enterprise":
        q = q.where(m.uscc == (principal.scope or ""))
    elif principal.role == "cluster":
        q = q.where(m.cluster_id == (principal.scope or ""))
    with (engine or get_engine()).connect() as c:
        return [dict(r._mapping) for r in c.execute(q)]


def decide_membership(
    principal: Principal,
    cluster_id: str,
    uscc: str,
    approve: bool,
    engine: Engine | None = None,
    client: str | None = None,
) -> dict[str, Any]:
    """Approve or reject one membership (an admin, or the firm itself); audited.

    A firm may also reject (withdraw from) a membership approved before; an administrator may
    change any decision. The cluster organisation cannot decide its own requests (403).

    Parameters
    ----------
    principal: the decider.
    cluster_id, uscc: the membership.
    approve: ``True`` to approve, ``False`` to reject.
    engine, client: the database and the client address for the audit entry.

    Returns
    -------
    The membership after the decision (as :func:`list_memberships` rows).

    Raises
    ------
    jiqun.services.access.AccessDenied
        401 for the public, 403 for a role that may not decide.
    jiqun.services.access.NotFound
        No such membership, or one of another firm (for an enterprise account).

    Example
    -------
    >>> decide_membership(access.local_principal(), "NC2021-02", "91320214MA1NB0026F", True)  # doctest: +SKIP
    {'cluster_id': 'NC2021-02', 'uscc': '91320214MA1NB0026F', 'status': 'approved', ...}
    """
    access.require_role(principal, "admin", "enterprise")
    engine = engine or get_engine()
    cluster_id = (cluster_id or "").strip()
    uscc = (uscc or "").strip().upper()
    action = "membership_approve" if approve else "membership_reject"
    resource = f"enterprise:{uscc}"
    missing = access.NotFound(
        f"找不到成员关系 {cluster_id} / {uscc}", f"no membership {cluster_id} / {uscc}"
    )
    if principal.role == "enterprise" and principal.scope != uscc:
        access.audit(
            principal,
            action,
            resource,
            "denied",
            detail={"cluster_id": cluster_id},
            client=client,
            engine=engine,
        )
        raise missing
    new = "approved" if approve else "rejected"
    with engine.begin() as c:
        row = c.execute(
            select(ClusterMember.status).where(
                ClusterMember.cluster_id == cluster_id, ClusterMember.uscc == uscc
            )
        ).first()
        if row is None:
            raise missing
        before = row[0]
        c.execute(
            update(ClusterMember)
            .where(ClusterMember.cluster_id == cluster_id, ClusterMember.uscc == uscc)
            .values(status=new, decided_by=principal.username, decided_at=_now())
        )
        bump(c, "members")  # carriers, digital index and evaluation read approved members
    access.audit(
        principal,
        action,
        resource,
        detail={"cluster_id": cluster_id, "before": before, "after": new},
        client=client,
        engine=engine,
    )
    return list_memberships(principal, None, engine, cluster_id=cluster_id, uscc=uscc)[0]
