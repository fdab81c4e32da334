"""Web UI: ``/admin``, organisations, users (add, disable, enable, reset password), grants,
pending memberships and the audit log. Admin only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jiqun.services import access, accounts
from jiqun.standard.problems import JiqunError
from jiqun.web import deps
from jiqun.web.i18n import lang
from jiqun.web.ui import (
    P,
    engine_of,
    given,
    page_router,
    render,
)

router = page_router()


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services import memberships, refresh

    access.require_role(principal, "admin")
    eng = engine_of(request)
    job_rows = refresh.jobs_for(principal, eng, limit=20).to_dict("records")
    orgs = accounts.list_organisations(eng)
    return render(
        request,
        "admin.html",
        principal,
        orgs=orgs,
        org_names={o["id"]: o["name"] for o in orgs},
        users=accounts.list_users(eng),
        grants=access.list_grants(principal, eng),
        audit=access.read_audit(principal, limit=100, engine=eng),
        pending_memberships=memberships.list_memberships(principal, "pending", eng),
        roles=[r for r in accounts.ROLES if r != "public"],
        jobs=job_rows,
        results_admin=refresh.results_state(principal, eng),
        error=None,
    )


@router.post("/admin/jobs/refresh", response_model=None)
def admin_queue_refresh(request: Request, principal: P) -> Response:
    from jiqun.services import refresh

    refresh.queue_refresh_for(principal, engine_of(request), client=deps.client(request))
    return RedirectResponse("/admin#jobs", status_code=303)


@router.post("/admin/jobs/{job_id}/retry", response_model=None)
def admin_retry_job(request: Request, principal: P, job_id: int) -> Response:
    from jiqun.services import refresh

    refresh.retry_for(principal, job_id, engine_of(request), client=deps.client(request))
    return RedirectResponse("/admin#jobs", status_code=303)


@router.post("/admin/users", response_model=None)
def admin_add_user(
    request: Request,
    principal: P,
    username: Annotated[str, Form(max_length=80)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=200)],
    scope: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    access.require_role(principal, "admin")
    eng = engine_of(request)
    try:
        p = accounts.create_user(
            principal, username, role, password, given(scope),
            client=deps.client(request), engine=eng,
        )  # fmt: skip
    except JiqunError as e:
        code = lang(request)
        request.session["flash"] = [e.message_zh if code == "zh" else e.message_en, "error"]
        return RedirectResponse("/admin#users", status_code=303)
    request.session["flash"] = [f"已创建用户 {p.username} / user {p.username} created"]
    return RedirectResponse("/admin#users", status_code=303)


def _admin_user_action(request: Request, action: Callable[[], object], done: str) -> Response:
    """Run an account change for the admin page; errors come back as a flash message."""
    try:
        action()
    except JiqunError as e:
        code = lang(request)
        request.session["flash"] = [e.message_zh if code == "zh" else e.message_en, "error"]
        return RedirectResponse("/admin#users", status_code=303)
    request.session["flash"] = [done]
    return RedirectResponse("/admin#users", status_code=303)


@router.post("/admin/users/{username}/disable", response_model=None)
def admin_disable_user(request: Request, principal: P, username: str) -> Response:
    access.require_role(principal, "admin")
    return _admin_user_action(
        request,
        lambda: accounts.disable_user(
            principal, username, deps.client(request), engine_of(request)
        ),
        f"已停用 {username}，其会话和令牌已结束 / {username} disabled, sessions and tokens ended",
    )


@router.post("/admin/users/{username}/enable", response_model=None)
def admin_enable_user(request: Request, principal: P, username: str) -> Response:
    access.require_role(principal, "admin")
    return _admin_user_action(
        request,
        lambda: accounts.enable_user(principal, username, deps.client(request), engine_of(request)),
        f"已启用 {username} / {username} enabled",
    )


@router.post("/admin/users/{username}/password", response_model=None)
def admin_reset_password(
    request: Request,
    principal: P,
    username: str,
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    access.require_role(principal, "admin")
    return _admin_user_action(
        request,
        lambda: accounts.reset_password(
            principal, username, password, deps.client(request), engine_of(request)
        ),
        f"已重置 {username} 的密码 / password of {username} reset",
    )
