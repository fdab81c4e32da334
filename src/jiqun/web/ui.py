"""Web UI pages (Jinja2 + HTMX + ECharts, all served locally). Thin: services do the work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from jiqun.services import access, accounts
from jiqun.services.accounts import Principal
from jiqun.web import deps
from jiqun.web.i18n import lang, translator

templates = Jinja2Templates(
    directory=str(__import__("pathlib").Path(__file__).parent / "templates")
)
router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.check_csrf)])
P = Annotated[Principal, Depends(deps.principal)]


def render(request: Request, name: str, principal: Principal, **ctx: Any) -> HTMLResponse:
    """Render a page with the common context (language, translator, principal, CSRF token)."""
    code = lang(request)
    return templates.TemplateResponse(
        request,
        name,
        {
            "lang": code,
            "t": translator(code),
            "principal": principal,
            "csrf": deps.csrf_token(request),
            **ctx,
        },
    )


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services.overview import national_overview

    ov = national_overview(request.app.state.engine)
    return render(request, "overview.html", principal, ov=ov)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: P) -> HTMLResponse:
    return render(request, "login.html", principal, error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
) -> HTMLResponse | RedirectResponse:
    eng = request.app.state.engine
    try:
        who = accounts.authenticate(username, password, deps.client(request), eng)
    except accounts.AuthError as e:
        return render(request, "login.html", accounts.PUBLIC, error=e)
    request.session.clear()
    request.session["user"] = who.username
    with eng.connect() as c:
        from sqlalchemy import select

        from jiqun.store.models import User

        request.session["v"] = c.execute(
            select(User.token_version).where(User.username == who.username)
        ).scalar()
    access.audit(who, "login", "web", client=deps.client(request), engine=eng)
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
