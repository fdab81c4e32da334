"""Request-scoped dependencies: the database engine, the principal, the client, CSRF."""

from __future__ import annotations

import secrets

from fastapi import Request
from sqlalchemy import Engine

from jiqun.services.access import AccessDenied
from jiqun.services.accounts import PUBLIC, AuthError, Principal, principal_for_username
from jiqun.services.accounts import principal_from_token as _from_token


def engine(request: Request) -> Engine:
    return request.app.state.engine


def client(request: Request) -> str:
    return request.client.host if request.client else "-"


def principal(request: Request) -> Principal:
    """Bearer token (API) or session cookie (web UI); anonymous callers are ``public``."""
    eng = request.app.state.engine
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return _from_token(auth[7:].strip(), eng)
    user = request.session.get("user") if "session" in request.scope else None
    if user:
        try:
            return principal_for_username(user, request.session.get("v"), eng)
        except AuthError:
            request.session.clear()
    return PUBLIC


def csrf_token(request: Request) -> str:
    tok = request.session.get("csrf")
    if not tok:
        tok = secrets.token_urlsafe(32)
        request.session["csrf"] = tok
    return tok


async def check_csrf(request: Request) -> None:
    """State-changing requests authenticated by the session cookie must carry the CSRF token
    (form field ``csrf`` or header ``X-CSRF-Token``); bearer-token calls need none."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if not request.session.get("user"):
        return
    sent = request.headers.get("x-csrf-token")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = str(form.get("csrf") or "")
    if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
        raise AccessDenied("CSRF 校验失败，请刷新页面后重试", "CSRF check failed; reload and retry")
