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
import functools
import getpass
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from jiqun.errors import AccessDenied, JiqunError, NotFound  # noqa: F401 (re-exported)
from jiqun.reference import region_prefix
from jiqun.services import personal, predicates
from jiqun.services.accounts import Principal
from jiqun.standard.text import check_text, escape_controls
from jiqun.store.db import get_engine, session_scope
from jiqun.store.models import AuditEntry, AuditSubject, Grant, Organisation, User

#: The longest purpose of a grant, in characters.
PURPOSE_MAX = 300


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# the command line as a principal
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalPrincipal(Principal):
    """The operator of the command line: decides as ``admin`` (whoever can run ``jiqun`` on the
    server can open the database file anyway) but is audited as the OS user with the role
    ``admin-local``, so that a CLI read is told apart from a web administrator's."""

    audit_role: str = "admin-local"


def local_principal() -> Principal:
    """The principal every CLI command acts as: the OS user (:func:`getpass.getuser`), deciding
    as an administrator, audited with the role ``admin-local``.

    Returns
    -------
    LocalPrincipal

    Example
    -------
    >>> p = local_principal()
    >>> p.role, p.audit_role
    ('admin', 'admin-local')
    """
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a container without /etc/passwd entry)
        user = "unknown"
    return LocalPrincipal(f"os:{user}", "admin", None, None)


# --------------------------------------------------------------------------------------------
# audit
# --------------------------------------------------------------------------------------------

#: Reads naming at most this many firms carry the credit codes in the entry's ``detail`` too;
#: every read keeps the full list in ``audit_subjects`` (one row per firm).
AUDIT_INLINE_MAX = 20


def _audit_role(p: Principal | None) -> str | None:
    if p is None:
        return None
    return p.audit_role if isinstance(p, LocalPrincipal) else p.role


def audit(
    principal: Principal | None,
    action: str,
    resource: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | str | None = None,
    client: str | None = None,
    engine: Engine | None = None,
    subjects: Iterable[str] | None = None,
) -> int:
    """Append one entry to the audit log (its own transaction: it survives a later failure).

    Parameters
    ----------
    principal: who acted (``None`` for an anonymous event).
    action, resource, outcome: what was done, to what, and how it ended.
    detail: a JSON-serialisable dict (or a string) with the parameters of the action.
    client: the client address (web) or ``None``.
    engine: the database (default: the configured one).
    subjects: the credit codes of the firms whose records were read; stored one row each in
        ``audit_subjects`` (what the firm's own "who read my records" view is built on); the
        count goes into ``detail["n_firms"]`` and, up to :data:`AUDIT_INLINE_MAX`, the codes
        into ``detail["firms"]``.

    Returns
    -------
    The id of the new entry.

    References
    ----------
    src/jiqun/store/migrations/versions/0007_membership_approval_and_audit_subjects.py

    Example
    -------
    >>> audit(local_principal(), "list_enterprises", subjects=["91370000728611939A"])  # doctest: +SKIP
    42
    """
    personal.mark("audit")
    p = principal
    codes: list[str] = []
    if subjects is not None:
        codes = sorted({str(u) for u in subjects if u is not None and str(u)})
        d: dict[str, Any] = dict(detail) if isinstance(detail, Mapping) else {}
        if isinstance(detail, str):
            d["note"] = detail
        d["n_firms"] = len(codes)
        if len(codes) <= AUDIT_INLINE_MAX:
            d["firms"] = codes
        else:
            d["firms_ref"] = "audit_subjects"
        detail = d
    # Control characters are written as visible \\xNN escapes: the log records what was sent
    # (a refused request included) and must stay storable and exportable.
    if isinstance(detail, str):
        detail = escape_controls(detail)
    elif detail is not None:  # JSON escapes C0 itself (\\u0000) but not DEL
        detail = json.dumps(detail, ensure_ascii=False, default=str).replace("\x7f", "\\u007f")
    resource = escape_controls(resource) if resource else resource
    client = escape_controls(client) if client else client
    with session_scope(engine or get_engine()) as s:
        entry = AuditEntry(
            at=_now(),
            username=p.username if p else None,
            role=_audit_role(p),
            action=action,
            resource=resource,
            outcome=outcome,
            detail=detail,
            client=client,
        )
        s.add(entry)
        s.flush()
        entry_id = int(entry.id)
        for start in range(0, len(codes), 5_000):
            s.execute(
                insert(AuditSubject),
                [{"audit_id": entry_id, "uscc": u} for u in codes[start : start + 5_000]],
            )
    return entry_id


def audit_read(
    principal: Principal,
    action: str,
    usccs: Iterable[str],
    *,
    resource: str | None = None,
    params: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    client: str | None = None,
    engine: Engine | None = None,
) -> int:
    """Audit one read of firm-level records: ONE entry naming every firm read and the query.

    Every service function that returns firm-level rows (lists, profiles, exports, qualifying
    lists, score and hot-spot tables) calls this once per read, whatever the interface (web
    page, REST API, CLI), so the interfaces never audit reads themselves.

    Parameters
    ----------
    principal: the reader (the CLI passes :func:`local_principal`).
    action: ``list_enterprises``, ``read_enterprise``, ``export_enterprises``, ...; a
        read whose ``detail`` says ``via: grant`` is logged as ``read_granted``.
    usccs: the credit codes of the firms whose records the caller receives.
    resource: what was read (default: ``action``).
    params: the query parameters (``q``, filters, paging, format); ``None`` values dropped.
    detail: anything else worth keeping (e.g. the grant a read went through).
    client, engine: as for :func:`audit`.

    Returns
    -------
    The id of the new entry.

    Example
    -------
    >>> audit_read(local_principal(), "list_enterprises", ["91370000728611939A"],
    ...            params={"q": "无锡"})  # doctest: +SKIP
    43
    """
    # A read of one firm through a grant is logged as ``read_granted`` (the grantor's view
    # and the grant reviews look for it), with the kind of read kept in ``detail["read"]``.
    if detail is not None and detail.get("via") == "grant" and action != "read_granted":
        detail = {**detail, "read": action}
        action = "read_granted"
    d: dict[str, Any] = dict(detail or {})
    d["params"] = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
    return audit(
        principal,
        action,
        resource or action,
        detail=d,
        client=client,
        engine=engine,
        subjects=list(usccs),
    )


def readers_of(
    principal: Principal,
    uscc: str | None = None,
    limit: int = 100,
    offset: int = 0,
    engine: Engine | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """谁查看了我的数据 / who read my records: the audit entries that name one firm.

    An enterprise account sees the reads of its own firm (``uscc`` defaults to its scope; any
    other value is refused); an admin may ask for any firm. Reads by the firm's own accounts are
    listed too (so the view is complete); the reader's organisation is named when known.

    Parameters
    ----------
    principal: the firm's account (or an admin).
    uscc: the firm (default: the enterprise account's own).
    limit, offset: paging (newest first).
    engine: the database.

    Returns
    -------
    (rows, total): rows with ``id, at, username, role, organisation, action, resource,
    outcome, params, n_firms``.

    Example
    -------
    >>> rows, n = readers_of(Principal("firm", "enterprise", "91370000728611939A", 5))  # doctest: +SKIP
    """
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    if principal.role == "enterprise":
        if uscc not in (None, "", principal.scope):
            raise NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        uscc = principal.scope
    elif principal.role != "admin":
        raise AccessDenied(
            "只有企业本身或平台管理员可以查看企业数据的查阅记录",
            "only the enterprise itself or an admin may see who read a firm's records",
        )
    if not uscc:
        raise NotFound("请指定企业", "no enterprise given")
    limit = max(1, min(int(limit), 1000))
    offset = max(0, int(offset))
    ids = select(AuditSubject.audit_id).where(AuditSubject.uscc == uscc)
    base = select(AuditEntry).where(AuditEntry.id.in_(ids))
    org = (
        select(Organisation.name)
        .join(User, User.organisation_id == Organisation.id)
        .where(User.username == AuditEntry.username)
        .limit(1)
        .scalar_subquery()
    )
    with Session(engine or get_engine()) as s:
        total = s.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        rows = s.execute(
            select(AuditEntry, org.label("organisation"))
            .where(AuditEntry.id.in_(ids))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    out: list[dict[str, Any]] = []
    for entry, org_name in rows:
        try:
            d = json.loads(entry.detail) if entry.detail else {}
        except ValueError:
            d = {}
        d = d if isinstance(d, dict) else {}
        out.append(
            {
                "id": entry.id,
                "at": entry.at,
                "username": entry.username,
                "role": entry.role,
                "organisation": org_name,
                "action": entry.action,
                "resource": entry.resource,
                "outcome": entry.outcome,
                "params": json.dumps(d.get("params", {}), ensure_ascii=False, default=str),
                "n_firms": d.get("n_firms"),
            }
        )
    return out, int(total)


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
            cond = (
                cond
                | AuditEntry.resource.like(f"%{principal.scope}%")
                | AuditEntry.id.in_(
                    select(AuditSubject.audit_id).where(AuditSubject.uscc == principal.scope)
                )
            )
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


def _own_sql(principal: Principal) -> tuple[str, dict[str, Any]]:
    """SQL condition on enterprises ``e`` for the principal's own scope (grants excluded):
    :func:`jiqun.services.predicates.own_scope` as text."""
    sql, params = _own_sql_of(principal.role, principal.scope)
    return sql, dict(params)


@functools.lru_cache(maxsize=1024)
def _own_sql_of(role: str, scope: str | None) -> tuple[str, tuple[tuple[str, Any], ...]]:
    # The condition is a function of the role and scope alone (no data, no clock), but compiling
    # it costs ~10 ms; a page filtering several tables compiled it once per table per request.
    sql, params = predicates.as_sql(predicates.own_scope(Principal(None, role, scope)), "_own")
    return sql, tuple(params.items())


def enterprise_scope_sql(principal: Principal) -> tuple[str, dict[str, Any]]:
    """SQL condition on enterprises aliased ``e`` (own scope, or granted), with its parameters:
    :func:`jiqun.services.predicates.visible_to` as text (services writing Core use that).

    Example
    -------
    >>> enterprise_scope_sql(Principal("a", "government", "320200", 1))[0][:48]
    '(e.region_code >= :_visregion_code_1 AND e.regio'
    """
    return predicates.as_sql(predicates.visible_to(principal), "_vis")


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


def read_basis(
    principal: Principal, uscc: str, engine: Engine | None = None
) -> dict[str, Any] | None:
    """Why ``principal`` may read ``uscc``: ``{"via": "own"}`` (its own scope),
    ``{"via": "grant", "grant_id": n}`` (an active grant), or ``None`` (it may not). Not
    audited: the caller audits the read it makes, naming the basis.

    Example
    -------
    >>> read_basis(local_principal(), "91370000728611939A")  # doctest: +SKIP
    {'via': 'own'}
    """
    if principal.is_public:
        return None
    if principal.role == "admin":
        return {"via": "own"}
    engine = engine or get_engine()
    if _own_scope(principal, uscc, engine):
        return {"via": "own"}
    if principal.organisation_id is None:
        return None
    personal.mark("grants")
    with engine.connect() as c:
        granted = c.execute(
            text(
                "SELECT MIN(id) FROM grants WHERE uscc = :u AND grantee_organisation_id = :o AND "
                "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :n)"
            ),
            {"u": uscc, "o": principal.organisation_id, "n": _now()},
        ).scalar()
    return None if granted is None else {"via": "grant", "grant_id": int(granted)}


def can_see_enterprise(
    principal: Principal, uscc: str, engine: Engine | None = None, client: str | None = None
) -> bool:
    """True when ``principal`` may read the records of ``uscc``; audits reads through a grant
    (a service that then reads the firm's records audits that read itself, with
    :func:`read_basis` and :func:`audit_read`, in one entry)."""
    engine = engine or get_engine()
    basis = read_basis(principal, uscc, engine)
    if basis is None:
        return False
    if basis["via"] == "grant":
        audit(
            principal,
            "read_granted",
            f"enterprise:{uscc}",
            detail={"grant_id": basis["grant_id"]},
            client=client,
            engine=engine,
            subjects=[uscc],
        )
    return True


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
    """An enterprise (for itself) or an admin (as data owner) lets an organisation see ``uscc``.

    ``expires_at`` with a UTC offset is converted to UTC (the database stores naive UTC); a naive
    value is taken as UTC. ``purpose`` is free text (several lines allowed, at most
    :data:`PURPOSE_MAX` characters, no other control characters:
    :class:`jiqun.standard.text.TextRejected` otherwise).
    """
    engine = engine or get_engine()
    check_text(purpose, "purpose", multiline=True, max_length=PURPOSE_MAX)
    if expires_at is not None and expires_at.tzinfo is not None:
        expires_at = expires_at.astimezone(dt.UTC).replace(tzinfo=None)
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


# --------------------------------------------------------------------------------------------
# supply–demand board (matching)
# --------------------------------------------------------------------------------------------


def can_post_for(principal: Principal, uscc: str | None) -> bool:
    """True when ``principal`` may act on the board for ``uscc``: post or close its needs and
    capabilities, publish its supplier lists (an enterprise for itself; an admin for any)."""
    if principal.role == "admin":
        return True
    code = (uscc or "").strip().upper()
    return bool(
        principal.role == "enterprise" and principal.scope and principal.scope.upper() == code
    )


def require_post_for(principal: Principal, uscc: str | None) -> None:
    """Raise 401 for the public and 403 unless :func:`can_post_for` allows."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    if not can_post_for(principal, uscc):
        raise AccessDenied(
            f"只有企业本身或管理员可以代表 {uscc} 发布或关闭供需信息",
            f"only the enterprise itself or an admin may post or close board entries for {uscc}",
        )


# --------------------------------------------------------------------------------------------
# services: digital assessments, policy lists
# --------------------------------------------------------------------------------------------


def can_assess(principal: Principal, uscc: str | None) -> bool:
    """True when ``principal`` may create, resume or submit digital assessments of ``uscc``:
    the enterprise itself, or an admin."""
    if principal.role == "admin":
        return True
    code = (uscc or "").strip().upper()
    return bool(
        principal.role == "enterprise" and principal.scope and principal.scope.upper() == code
    )


def require_assessment(
    principal: Principal,
    uscc: str,
    write: bool = False,
    engine: Engine | None = None,
    client: str | None = None,
) -> None:
    """Who may read (``write=False``) or change a stored assessment of ``uscc``: the owner
    enterprise and an admin may do both; a government or cluster organisation that may see the
    firm (own scope or grant, audited by :func:`can_see_enterprise`) may read. 401 for the
    public; 404 when the caller may not see the firm (existence must not leak); 403 otherwise."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    if can_assess(principal, uscc):
        return
    if principal.role in ("government", "cluster") and can_see_enterprise(
        principal, uscc, engine, client=client
    ):
        if not write:
            return
        raise AccessDenied(
            "只有企业本身或管理员可以填写、提交数字化评测",
            "only the enterprise itself or an admin may fill in or submit an assessment",
        )
    raise NotFound("找不到该评测", "no such assessment")


def require_policy_list(principal: Principal) -> None:
    """Who may read the qualifying-firm list of a policy (免申即享): admin, government,
    cluster organisation; rows are then limited by :func:`own_scope_sql`."""
    require_role(principal, "admin", "government", "cluster")


def own_scope_sql(principal: Principal) -> tuple[str, dict[str, Any]]:
    """SQL condition on enterprises ``e`` for the principal's own scope, grants excluded (a
    government: its region; a cluster organisation: its cluster's firms; admin: all)."""
    return _own_sql(principal)


# --------------------------------------------------------------------------------------------
# imports
# --------------------------------------------------------------------------------------------

#: Kinds each role may import. Reference lists (regions, industries, clusters) are the
#: administrator's; a government imports records of its region; a cluster organisation keeps
#: its member registry; an enterprise imports nothing (it edits its own record elsewhere).
IMPORT_KINDS: dict[str, tuple[str, ...]] = {
    "government": ("enterprises", "region-stats", "innovation-carriers", "supply-links"),
    "cluster": ("cluster-members",),
}


def importable_kinds(principal: Principal) -> tuple[str, ...]:
    """The kinds of the unified data standard ``principal`` may import."""
    from jiqun.standard.schema import KIND_NAMES

    if principal.role == "admin":
        return tuple(KIND_NAMES)
    return IMPORT_KINDS.get(principal.role, ())


def require_import(principal: Principal, kind: str) -> None:
    """Raise 401 for the public and 403 when the role may not import ``kind`` at all."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    if kind not in importable_kinds(principal):
        raise AccessDenied(
            f"角色 {principal.role} 不能导入「{kind}」数据",
            f"role {principal.role} may not import {kind!r} data",
        )


def _in_region_scope(codes: Any, scope: str) -> Any:
    import pandas as pd

    s = pd.Series(codes, dtype=object)
    pfx = region_prefix(scope)
    return s.map(lambda v: isinstance(v, str) and v.startswith(pfx)).to_numpy(dtype=bool)


def import_rows_outside_scope(
    principal: Principal, kind: str, records: Any, engine: Engine | None = None
) -> list[tuple[int, str, str]]:
    """Rows of a validated import that ``principal`` may not write, as (index, column, value).

    ``records`` are the normalised records of :class:`~jiqun.standard.validate.ValidationResult`
    (one row per data row; invalid cells ``None``). Rules:

    - admin: every row.
    - government: enterprises, region statistics and innovation carriers registered in its
      region; an enterprise already stored elsewhere cannot be moved in; supply links whose
      supplier and buyer are both registered in its region.
    - cluster organisation: members of its own cluster, registered in one of the cluster's
      member regions (a firm elsewhere joins through the administrator). The memberships it
      writes are stored ``pending`` and widen its view only once the administrator or the firm
      approves them (:mod:`jiqun.services.memberships`).
    """
    import numpy as np

    engine = engine or get_engine()
    require_import(principal, kind)
    if principal.role == "admin" or len(records) == 0:
        return []
    out: list[tuple[int, str, str]] = []

    def col(name: str) -> Any:
        if name in records:
            return records[name].to_numpy(dtype=object)
        return np.full(len(records), None, dtype=object)

    def flag(mask: Any, column: str) -> None:
        vals = col(column)
        for i in np.flatnonzero(mask):
            out.append((int(i), column, "" if vals[i] is None else str(vals[i])))

    def registered(usccs: list[str], cond: str, params: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        uniq = sorted({u for u in usccs if isinstance(u, str)})
        with engine.connect() as c:
            for start in range(0, len(uniq), 500):
                part = uniq[start : start + 500]
                names = {f"_u{j}": u for j, u in enumerate(part)}
                sql = (
                    f"SELECT e.uscc FROM enterprises e WHERE e.uscc IN "
                    f"({', '.join(':' + n for n in names)}) AND {cond}"
                )
                found.update(c.execute(text(sql), {**params, **names}).scalars())
        return found

    scope = principal.scope or ""
    if principal.role == "government":
        if kind in ("enterprises", "region-stats", "innovation-carriers"):
            codes = col("region_code")
            inside = _in_region_scope(codes, scope)
            flag(~inside, "region_code")
            if kind == "enterprises":
                usccs = col("uscc").tolist()
                pfx = region_prefix(scope) + "%"
                elsewhere = registered(usccs, "e.region_code NOT LIKE :_p", {"_p": pfx})
                moved = np.array([u in elsewhere for u in usccs], dtype=bool)
                flag(moved & inside, "uscc")
        elif kind == "supply-links":
            own, params = _own_sql(principal)
            for column in ("supplier_uscc", "buyer_uscc"):
                usccs = col(column).tolist()
                ok = registered(usccs, own, params)
                bad = np.array([u not in ok for u in usccs], dtype=bool)
                flag(bad, column)
    elif principal.role == "cluster":
        other = np.array([v != scope for v in col("cluster_id")], dtype=bool)
        flag(other, "cluster_id")
        usccs = col("uscc").tolist()
        ok = registered(
            usccs,
            *predicates.as_sql(predicates.in_cluster_regions(scope), "_cr"),
        )
        outside = np.array([u not in ok for u in usccs], dtype=bool)
        flag(outside & ~other, "uscc")
    return sorted(out)


def can_use_staged_import(principal: Principal, owner: str | None) -> bool:
    """A staged upload (report, commit) belongs to its uploader; an admin may use any."""
    if principal.is_public:
        return False
    return principal.role == "admin" or (owner is not None and principal.username == owner)


def cluster_codes(conn: Connection, cluster_id: str) -> tuple[list[str], list[str]]:
    """A cluster's member regions and leading industries, as registered (one query each).

    Parameters
    ----------
    conn:
        An open connection.
    cluster_id:
        The cluster (not checked: an unknown id has neither).

    Returns
    -------
    (regions, industries)
        GB/T 2260 codes of the member regions; GB/T 4754 codes of the leading industries.

    Example
    -------
    >>> with get_engine().connect() as c:  # doctest: +SKIP
    ...     regions, industries = cluster_codes(c, "NC2021-03")
    """
    regions, industries = (
        [str(v) for v in conn.execute(text(sql), {"c": cluster_id}).scalars()]
        for sql in (
            "SELECT region_code FROM cluster_regions WHERE cluster_id = :c",
            "SELECT industry_code FROM cluster_industries WHERE cluster_id = :c",
        )
    )
    return regions, industries


def disclosure_scope(principal: Principal) -> tuple[str, str | None]:
    """What a viewer's view of the protected release depends on, and nothing more: the role and,
    for a government user, the region prefix of its scope (its own cells are shown unsuppressed).

    A result derived only from release cells through
    :func:`jiqun.services.published.release_view` is the same for every viewer with the same
    disclosure scope, so it may be kept once per scope (the map block of the pages,
    :func:`jiqun.web.ui_overview.map_block`) and never served across scopes.

    Parameters
    ----------
    principal:
        The viewer.

    Returns
    -------
    (role, region prefix or ``None``)

    References
    ----------
    docs/architecture.md (services decide).

    Example
    -------
    >>> from jiqun.services.accounts import PUBLIC
    >>> disclosure_scope(Principal("g", "government", "320200", 1)), disclosure_scope(PUBLIC)
    (('government', '3202'), ('public', None))
    """
    role = principal.role
    return role, region_prefix(
        principal.scope
    ) if role == "government" and principal.scope else None


# --------------------------------------------------------------------------------------------
# analyses that carry enterprise-level rows (chain maps)
# --------------------------------------------------------------------------------------------


def require_area_analysis(
    principal: Principal,
    region: str | None = None,
    cluster: str | None = None,
    engine: Engine | None = None,
) -> None:
    """Who may run an analysis of an area that lists enterprises (a chain map of a region or a
    cluster): an admin, a government for an area inside its region, a cluster organisation for
    its own cluster. 401 for the public, 403 otherwise. Enterprise rows in the result must still
    pass :func:`visible_rows`."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    if principal.role == "admin":
        return
    denied = AccessDenied(
        "此分析含企业明细，只能由平台管理员、所辖地区的政府用户或本集群的促进机构查看",
        "this analysis lists enterprises: only an admin, the government of the area or the "
        "cluster's own organisation may run it",
    )
    if principal.role == "cluster":
        if cluster is not None and region is None and cluster == principal.scope:
            return
        raise denied
    if principal.role == "government" and principal.scope:
        pfx = region_prefix(principal.scope)
        if region is not None and region.strip().startswith(pfx):
            return
        if cluster is not None:
            with (engine or get_engine()).connect() as c:
                members = list(
                    c.execute(
                        text("SELECT region_code FROM cluster_regions WHERE cluster_id = :c"),
                        {"c": cluster},
                    ).scalars()
                )
            if members and all(m.startswith(pfx) for m in members):
                return
    raise denied


def visible_rows(
    principal: Principal,
    df: Any,
    column: str = "uscc",
    engine: Engine | None = None,
    client: str | None = None,
    audit_grants: bool = True,
    known: tuple[set[str], dict[str, int]] | None = None,
) -> tuple[Any, int]:
    """Keep the rows of ``df`` about enterprises ``principal`` may read (own scope or grant);
    return (kept rows, number of rows left out). Reads through a grant are audited
    (``read_granted``, one entry per enterprise) unless ``audit_grants`` is false: a service
    that audits the whole read itself in one entry (:func:`audit_read`) passes false.
    ``known``: :func:`readable_sets` of (at least) the firms of ``df``, read once by a caller
    that filters several tables about the same firms."""
    if column not in df.columns or len(df) == 0:
        return df, 0
    if principal.role == "admin":
        return df, 0
    engine = engine or get_engine()
    if known is None:
        known = readable_sets(principal, df[column], engine)
    own, granted = known
    keep = df[column].astype(str).isin(own | set(granted))
    for u in sorted(set(df.loc[keep, column].astype(str)) - own) if audit_grants else []:
        audit(
            principal,
            "read_granted",
            f"enterprise:{u}",
            detail={"grant_id": granted[u], "via": "analysis"},
            client=client,
            engine=engine,
        )
    return df[keep.to_numpy()], int((~keep).sum())


def readable_sets(
    principal: Principal, usccs: Any, engine: Engine | None = None
) -> tuple[set[str], dict[str, int]]:
    """Which of ``usccs`` ``principal`` may read: (those of its own scope, those granted to its
    organisation → the grant's id). Not audited: :func:`visible_rows` audits the rows it keeps.

    A caller filtering several tables about the same firms (a chain analysis) reads these once
    and passes them to each :func:`visible_rows` call (``known``).

    Parameters
    ----------
    principal:
        The reader (not an admin: an admin reads every firm).
    usccs:
        Credit codes: a pandas column (missing values skipped) or an iterable of codes.
    engine:
        The database.

    Returns
    -------
    (set of str, dict of str → int)

    Example
    -------
    >>> own, granted = readable_sets(gov, ["91320200MA1X0000AA"])  # doctest: +SKIP
    """
    personal.mark("grants")
    engine = engine or get_engine()
    # a column (missing values dropped, as pandas does) or plain codes
    vals = (
        usccs.dropna().astype(str)
        if hasattr(usccs, "dropna")
        else (str(u) for u in usccs if u is not None)
    )
    usccs = sorted(set(vals))
    own_cond, own_params = _own_sql(principal)
    own: set[str] = set()
    granted: dict[str, int] = {}
    grants_sql = (
        "SELECT uscc, MIN(id) FROM grants WHERE grantee_organisation_id = :_o AND "
        "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :_n)"
    )
    gparams: dict[str, Any] = {"_o": principal.organisation_id, "_n": _now()}
    with engine.connect() as c:
        if len(usccs) > 2000:  # a large table: read the whole visible set once
            own.update(
                c.execute(text(f"SELECT e.uscc FROM enterprises e WHERE {own_cond}"), own_params)
                .scalars()
                .all()
            )
            if principal.organisation_id is not None:
                granted.update(c.execute(text(grants_sql + " GROUP BY uscc"), gparams).all())
        else:
            for start in range(0, len(usccs), 500):
                part = usccs[start : start + 500]
                names = {f"_u{j}": u for j, u in enumerate(part)}
                inlist = ", ".join(":" + n for n in names)
                own.update(
                    c.execute(
                        text(
                            f"SELECT e.uscc FROM enterprises e WHERE e.uscc IN ({inlist}) "
                            f"AND {own_cond}"
                        ),
                        {**own_params, **names},
                    ).scalars()
                )
                if principal.organisation_id is not None:
                    granted.update(
                        c.execute(
                            text(grants_sql + f" AND uscc IN ({inlist}) GROUP BY uscc"),
                            {**names, **gparams},
                        ).all()
                    )
    return own, granted


def require_scenario(
    principal: Principal,
    kind: str,
    target: str,
    engine: Engine | None = None,
    client: str | None = None,
) -> None:
    """Who may run a disruption scenario: any logged-in user for a region lockdown or an import
    stop; for a firm failure only a user who may read that firm (404 otherwise, so that the
    scenario does not reveal which credit codes exist). Results list only the firms the user
    may read (:func:`visible_rows`)."""
    if principal.is_public:
        raise AccessDenied("请先登录", "log in first", status=401)
    if kind == "firm" and not can_see_enterprise(principal, target, engine, client=client):
        raise NotFound(f"找不到企业 {target}", f"no enterprise {target}")
