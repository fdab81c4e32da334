"""Authorisation, consent-based sharing and audit: the one place that decides who sees what.

Rules (PRODUCT.md capability J):

- **admin** sees and manages everything.
- **government** (scope: a region code) sees enterprise records registered in its region (a
  province covers its cities and counties, a city its counties).
- **cluster** (scope: a cluster id) sees the records of its member enterprises and of enterprises
  inside the cluster (registered in a member city and classed in a leading industry).
- **enterprise** (scope: its credit code) sees its own records.
- **public** sees published aggregates only, after disclosure control
  (:mod:`jiqun.services.disclosure`).
- Outside its scope an organisation sees an enterprise's records only through an active
  (unrevoked, unexpired) **grant** from that enterprise or from an admin acting as data owner.
  Every grant, revocation and read of granted records is written to the append-only audit log.

Interfaces (REST API, web UI, CLI) call these functions and never decide access themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from jiqun.services.accounts import Principal
from jiqun.standard.problems import JiqunError
from jiqun.store.db import get_engine, session_scope
from jiqun.store.models import AuditEntry, Grant, Organisation


class AccessDenied(JiqunError):
    """The principal may not do this (HTTP 403; 404 where existence must not leak)."""

    def __init__(self, zh: str, en: str, status: int = 403) -> None:
        super().__init__(zh, en)
        self.status = status


class NotFound(JiqunError):
    """No such record, or none the principal may see (HTTP 404)."""

    status = 404


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def region_prefix(code: str) -> str:
    """The GB/T 2260 prefix a region code covers: 320000 → 32, 320200 → 3202, 320214 → 320214."""
    code = code.strip()
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


# --------------------------------------------------------------------------------------------
# audit
# --------------------------------------------------------------------------------------------


def audit(
    principal: Principal | None,
    action: str,
    resource: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | str | None = None,
    client: str | None = None,
    engine: Engine | None = None,
) -> None:
    """Append one entry to the audit log (its own transaction: it survives a later failure)."""
    p = principal
    with session_scope(engine or get_engine()) as s:
        s.add(
            AuditEntry(
                at=_now(),
                username=p.username if p else None,
                role=p.role if p else None,
                action=action,
                resource=resource,
                outcome=outcome,
                detail=detail
                if isinstance(detail, str) or detail is None
                else json.dumps(detail, ensure_ascii=False, default=str),
                client=client,
            )
        )


def read_audit(
    principal: Principal,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    engine: Engine | None = None,
) -> list[dict[str, Any]]:
    """Audit entries: all for an admin; for others, their own entries and the reads of records
    they own (an enterprise sees who read its granted records)."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
    if principal.role != "admin":
        cond = AuditEntry.username == principal.username
        if principal.role == "enterprise" and principal.scope:
            cond = cond | AuditEntry.resource.like(f"%{principal.scope}%")
        q = q.where(cond)
    if action:
        q = q.where(AuditEntry.action == action)
    with Session(engine or get_engine()) as s:
        rows = s.execute(q.limit(limit).offset(offset)).scalars().all()
    return [
        {
            "id": r.id,
            "at": r.at,
            "username": r.username,
            "role": r.role,
            "action": r.action,
            "resource": r.resource,
            "outcome": r.outcome,
            "detail": r.detail,
        }
        for r in rows
    ]


# --------------------------------------------------------------------------------------------
# enterprise visibility
# --------------------------------------------------------------------------------------------

_GRANTED = (
    "e.uscc IN (SELECT g.uscc FROM grants g WHERE g.grantee_organisation_id = :_org "
    "AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > :_now))"
)
# A county's prefecture is its first four digits + 00 (also for 省直辖县 4190xx → 419000).
_IN_CLUSTER = (
    "(e.uscc IN (SELECT m.uscc FROM cluster_members m WHERE m.cluster_id = :_cid) OR "
    "((e.region_code IN (SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid) "
    "OR substr(e.region_code, 1, 4) || '00' IN "
    "(SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid)) AND "
    "e.industry_code IN (SELECT i.industry_code FROM cluster_industries i "
    "WHERE i.cluster_id = :_cid)))"
)


def _own_sql(principal: Principal) -> tuple[str, dict[str, Any]]:
    """SQL condition on enterprises ``e`` for the principal's own scope (grants excluded)."""
    if principal.role == "admin":
        return "1=1", {}
    if principal.role == "government" and principal.scope:
        return "e.region_code LIKE :_pfx", {"_pfx": region_prefix(principal.scope) + "%"}
    if principal.role == "cluster" and principal.scope:
        return _IN_CLUSTER, {"_cid": principal.scope}
    if principal.role == "enterprise" and principal.scope:
        return "e.uscc = :_uscc", {"_uscc": principal.scope}
    return "1=0", {}


def enterprise_scope_sql(principal: Principal) -> tuple[str, dict[str, Any]]:
    """SQL condition on enterprises aliased ``e`` (own scope, or granted), with its parameters.

    Example
    -------
    >>> enterprise_scope_sql(Principal("a", "government", "320200", 1))[0][:40]
    '(e.region_code LIKE :_pfx OR e.uscc IN ('
    """
    own, params = _own_sql(principal)
    if principal.role == "admin" or principal.is_public or principal.organisation_id is None:
        return own, params
    params = {**params, "_org": principal.organisation_id, "_now": _now()}
    return f"({own} OR {_GRANTED})", params


def _own_scope(principal: Principal, uscc: str, engine: Engine) -> bool:
    if principal.role == "admin":
        return True
    own, params = _own_sql(principal)
    with engine.connect() as c:
        hit = c.execute(
            text(f"SELECT 1 FROM enterprises e WHERE e.uscc = :u AND {own}"),
            {**params, "u": uscc},
        ).first()
    return hit is not None


def can_see_enterprise(
    principal: Principal, uscc: str, engine: Engine | None = None, client: str | None = None
) -> bool:
    """True when ``principal`` may read the records of ``uscc``; audits reads through a grant."""
    engine = engine or get_engine()
    if principal.is_public:
        return False
    if _own_scope(principal, uscc, engine):
        return True
    if principal.organisation_id is None:
        return False
    with engine.connect() as c:
        granted = c.execute(
            text(
                "SELECT id FROM grants WHERE uscc = :u AND grantee_organisation_id = :o AND "
                "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :n)"
            ),
            {"u": uscc, "o": principal.organisation_id, "n": _now()},
        ).first()
    if granted is not None:
        audit(
            principal,
            "read_granted",
            f"enterprise:{uscc}",
            detail={"grant_id": granted[0]},
            client=client,
            engine=engine,
        )
        return True
    return False


# --------------------------------------------------------------------------------------------
# grants
# --------------------------------------------------------------------------------------------


def create_grant(
    principal: Principal,
    uscc: str,
    grantee_organisation_id: int,
    purpose: str | None = None,
    expires_at: dt.datetime | None = None,
    engine: Engine | None = None,
    client: str | None = None,
) -> dict[str, Any]:
    """An enterprise (for itself) or an admin (as data owner) lets an organisation see ``uscc``."""
    engine = engine or get_engine()
    if not (
        principal.role == "admin" or (principal.role == "enterprise" and principal.scope == uscc)
    ):
        audit(
            principal, "grant_create", f"enterprise:{uscc}", "denied", client=client, engine=engine
        )
        raise AccessDenied(
            "只有企业本身（或平台管理员作为数据所有者）可以授权查看其数据",
            "only the enterprise itself (or an admin as data owner) can grant access to its data",
        )
    with session_scope(engine) as s:
        org = s.get(Organisation, grantee_organisation_id)
        if org is None:
            raise NotFound(
                f"找不到机构 {grantee_organisation_id}",
                f"no organisation {grantee_organisation_id}",
            )
        g = Grant(
            uscc=uscc,
            grantee_organisation_id=grantee_organisation_id,
            purpose=purpose,
            granted_by=principal.username or "",
            granted_at=_now(),
            expires_at=expires_at,
        )
        s.add(g)
        s.flush()
        out = _grant_dict(g)
    audit(
        principal,
        "grant_create",
        f"enterprise:{uscc}",
        detail={"grant_id": out["id"], "grantee_organisation_id": grantee_organisation_id},
        client=client,
        engine=engine,
    )
    return out


def revoke_grant(
    principal: Principal, grant_id: int, engine: Engine | None = None, client: str | None = None
) -> dict[str, Any]:
    """Revoke a grant (kept in the table with ``revoked_at``); only its grantor side may."""
    engine = engine or get_engine()
    with session_scope(engine) as s:
        g = s.get(Grant, grant_id)
        if g is None or not (
            principal.role == "admin"
            or (principal.role == "enterprise" and principal.scope == g.uscc)
        ):
            raise NotFound(f"找不到授权 {grant_id}", f"no grant {grant_id}")
        if g.revoked_at is None:
            g.revoked_at = _now()
            g.revoked_by = principal.username
        out = _grant_dict(g)
    audit(
        principal,
        "grant_revoke",
        f"enterprise:{out['uscc']}",
        detail={"grant_id": grant_id},
        client=client,
        engine=engine,
    )
    return out


def list_grants(principal: Principal, engine: Engine | None = None) -> list[dict[str, Any]]:
    """Grants the principal may see: all (admin), its own (enterprise), those it received."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    q = select(Grant).order_by(Grant.id)
    if principal.role == "enterprise":
        q = q.where(
            (Grant.uscc == principal.scope)
            | (Grant.grantee_organisation_id == principal.organisation_id)
        )
    elif principal.role != "admin":
        q = q.where(Grant.grantee_organisation_id == principal.organisation_id)
    with Session(engine or get_engine()) as s:
        return [_grant_dict(g) for g in s.execute(q).scalars().all()]


def _grant_dict(g: Grant) -> dict[str, Any]:
    return {
        "id": g.id,
        "uscc": g.uscc,
        "grantee_organisation_id": g.grantee_organisation_id,
        "purpose": g.purpose,
        "granted_by": g.granted_by,
        "granted_at": g.granted_at,
        "expires_at": g.expires_at,
        "revoked_at": g.revoked_at,
        "active": g.revoked_at is None and (g.expires_at is None or g.expires_at > _now()),
    }


def require_role(principal: Principal, *roles: str) -> None:
    """Raise 401 for the public and 403 for other roles not in ``roles``."""
    if principal.role in roles:
        return
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    raise AccessDenied(
        f"角色 {principal.role} 无权执行此操作", f"role {principal.role} may not do this"
    )
