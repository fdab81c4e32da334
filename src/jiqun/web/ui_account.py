"""Web UI: ``/login``, ``/logout`` and ``/account`` (change one's own password)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jiqun.services import access, accounts
from jiqun.services.accounts import PUBLIC
from jiqun.standard.problems import JiqunError
from jiqun.web import deps
from jiqun.web.i18n import lang
from jiqun.web.ui import (
    P,
    engine_of,
    need_login,
    page_router,
    render,
)

router = page_router()


def _safe_next(target: str | None) -> str:
    """Only local paths (``/…`` but not ``//…``) are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: P, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", principal, error=None, next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> HTMLResponse | RedirectResponse:
    eng = engine_of(request)
    try:
        who = accounts.authenticate(username, password, deps.client(request), eng)
    except accounts.AuthError as e:
        return render(
            request,
            "login.html",
            PUBLIC,
            status_code=e.status,
            error=e,
            next=_safe_next(next),
        )
    keep_lang = request.session.get("lang")
    request.session.clear()  # a new user: the session middleware issues a fresh session id
    if keep_lang:
        request.session["lang"] = keep_lang
    request.session["user"] = who.username
    access.audit(who, "login", "web", client=deps.client(request), engine=eng)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, principal: P) -> RedirectResponse:
    """End the session: its stored row is deleted, so a replayed cookie is worthless."""
    if not principal.is_public:
        access.audit(
            principal, "logout", "web", client=deps.client(request), engine=engine_of(request)
        )
    keep_lang = request.session.get("lang")
    request.session.clear()
    if keep_lang:
        request.session["lang"] = keep_lang
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, principal: P) -> HTMLResponse:
    need_login(principal)
    return render(request, "account.html", principal, error=None)


@router.post("/account/password", response_class=HTMLResponse, response_model=None)
def account_password(
    request: Request,
    principal: P,
    old_password: Annotated[str, Form(max_length=200)],
    new_password: Annotated[str, Form(max_length=200)],
) -> HTMLResponse | RedirectResponse:
    """Change one's own password; the other sessions and tokens of the account end."""
    need_login(principal)
    try:
        accounts.change_password(
            principal,
            old_password,
            new_password,
            keep_session=deps.session_id(request),
            client=deps.client(request),
            engine=engine_of(request),
        )
    except JiqunError as e:
        msg = e.message_zh if lang(request) == "zh" else e.message_en
        return render(
            request, "account.html", principal, status_code=getattr(e, "status", 400), error=msg
        )
    request.session["flash"] = ["密码已修改 / password changed"]
    return RedirectResponse("/account", status_code=303)
