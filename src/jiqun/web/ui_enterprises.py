"""Web UI: ``/enterprises`` and ``/enterprises/{uscc}`` (一企一档, within the viewer's rights),
the firm's grants, ``/memberships`` awaiting approval and ``/my-readers`` (who read my records).
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jiqun.services import access, accounts
from jiqun.web import deps
from jiqun.web.api_common import DbId
from jiqun.web.ui import (
    P,
    engine_of,
    given,
    need_login,
    page_router,
    records_or_empty,
    render,
)

router = page_router()


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request,
    principal: P,
    region: str | None = None,
    industry: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    page: int = 1,
) -> HTMLResponse:
    from jiqun.services.directory import enterprise_list
    from jiqun.standard.schema import TAGS

    need_login(principal)
    size = 50
    page = max(1, page)
    df, total = enterprise_list(
        principal,
        engine_of(request),
        region=given(region),
        industry=given(industry),
        tag=tag or None,
        q=given(q),
        limit=size,
        offset=(page - 1) * size,
        client=deps.client(request),
    )
    return render(
        request,
        "enterprises.html",
        principal,
        rows=records_or_empty(df),
        total=total,
        page=page,
        pages=max(1, math.ceil(total / size)),
        tags=list(TAGS),
        f={"region": region or "", "industry": industry or "", "tag": tag or "", "q": q or ""},
    )


@router.get("/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_page(request: Request, principal: P, uscc: str) -> HTMLResponse:
    from jiqun.services.directory import enterprise_profile

    need_login(principal)
    eng = engine_of(request)
    e = enterprise_profile(principal, uscc, eng, client=deps.client(request))
    owner = principal.role == "admin" or (
        principal.role == "enterprise" and principal.scope == e["uscc"]
    )
    grants: list[dict[str, Any]] = []
    orgs: list[dict[str, Any]] = []
    if owner:
        grants = [g for g in access.list_grants(principal, eng) if g["uscc"] == e["uscc"]]
        orgs = [o for o in accounts.list_organisations(eng, principal) if o["kind"] != "admin"]
    return render(request, "enterprise.html", principal, e=e, owner=owner, grants=grants, orgs=orgs)


@router.post("/enterprises/{uscc}/grants", response_model=None)
def enterprise_grant(
    request: Request,
    principal: P,
    uscc: str,
    organisation_id: Annotated[int, Form()],
    purpose: Annotated[str | None, Form(max_length=300)] = None,
) -> RedirectResponse:
    access.create_grant(
        principal,
        uscc,
        organisation_id,
        purpose=purpose or None,
        engine=engine_of(request),
        client=deps.client(request),
    )
    request.session["flash"] = ["已授权 / access granted"]
    return RedirectResponse(f"/enterprises/{quote(uscc)}", status_code=303)


@router.post("/grants/{grant_id}/revoke", response_model=None)
def grant_revoke(request: Request, principal: P, grant_id: DbId) -> RedirectResponse:
    g = access.revoke_grant(
        principal, grant_id, engine=engine_of(request), client=deps.client(request)
    )
    request.session["flash"] = ["已撤销授权 / grant revoked"]
    return RedirectResponse(f"/enterprises/{quote(g['uscc'])}", status_code=303)


@router.get("/memberships", response_class=HTMLResponse)
def memberships_page(request: Request, principal: P, status: str = "pending") -> HTMLResponse:
    """Cluster memberships awaiting approval (admin: all; a firm: its own; a cluster
    organisation: its own requests, read only)."""
    from jiqun.services import memberships

    need_login(principal)
    status = status if status in (*memberships.STATUSES, "all") else "pending"
    rows = memberships.list_memberships(
        principal, None if status == "all" else status, engine_of(request)
    )
    return render(
        request,
        "memberships.html",
        principal,
        rows=rows,
        status=status,
        can_decide=principal.role in ("admin", "enterprise"),
    )


@router.post("/memberships/{cluster_id}/{uscc}/{decision}", response_model=None)
def membership_decide(
    request: Request, principal: P, cluster_id: str, uscc: str, decision: str
) -> RedirectResponse:
    from jiqun.services import memberships

    if decision not in ("approve", "reject"):
        raise access.NotFound("找不到该操作", "no such action")
    memberships.decide_membership(
        principal,
        cluster_id,
        uscc,
        decision == "approve",
        engine=engine_of(request),
        client=deps.client(request),
    )
    request.session["flash"] = (
        ["已批准 / approved"] if decision == "approve" else ["已拒绝 / rejected"]
    )
    return RedirectResponse("/memberships", status_code=303)


@router.get("/my-readers", response_class=HTMLResponse)
def readers_page(
    request: Request, principal: P, uscc: str | None = None, page: int = 1
) -> HTMLResponse:
    """谁查看了我的数据 / who read my records (an enterprise account; an admin passes uscc)."""
    need_login(principal)
    size = 100
    page = max(1, page)
    rows, total = access.readers_of(
        principal, uscc, limit=size, offset=(page - 1) * size, engine=engine_of(request)
    )
    return render(
        request,
        "readers.html",
        principal,
        rows=rows,
        total=total,
        uscc=uscc if principal.role == "admin" else principal.scope,
    )
