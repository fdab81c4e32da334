"""Request-scoped dependencies: the database engine, the principal, the client, CSRF."""

from __future__ import annotations

import secrets

from fastapi import Request
from sqlalchemy import Engine

from jiqun import config
from jiqun.services.access import AccessDenied
from jiqun.services.accounts import PUBLIC, AuthError, Principal, principal_for_username
from jiqun.services.accounts import principal_from_token as _from_token


def engine(request: Request) -> Engine:
    return request.app.state.engine


def forwarded_client(peer: str, forwarded_for: str | None) -> str:
    """The client address: the TCP peer, or when the peer is a trusted proxy
    (``JIQUN_TRUSTED_PROXIES``) the nearest address in ``X-Forwarded-For`` that is not itself a
    trusted proxy. Without configured proxies the header is ignored: anyone can send it.

    Parameters
    ----------
    peer:
        The address the connection comes from.
    forwarded_for:
        The ``X-Forwarded-For`` header (``client, proxy1, proxy2``), if any.

    Returns
    -------
    str
        The address used for throttling and in the audit log.

    Example
    -------
    >>> forwarded_client("127.0.0.1", "6.6.6.6")  # no trusted proxies configured
    '127.0.0.1'
    """
    trusted = config.trusted_proxies()
    if not forwarded_for or peer not in trusted:
        return peer
    # walk from the nearest hop back: the first address a trusted proxy did not add is the client
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if hop not in trusted:
            return hop[:64]
    return peer


def client(request: Request) -> str:
    """The client address of a request (see :func:`forwarded_client`)."""
    peer = request.client.host if request.client else "-"
    return forwarded_client(peer, request.headers.get("x-forwarded-for"))


def is_https(request: Request) -> bool:
    """HTTPS: the request scheme, ``X-Forwarded-Proto`` from a trusted proxy, or JIQUN_HTTPS."""
    if request.url.scheme == "https" or config.https():
        return True
    peer = request.client.host if request.client else "-"
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return peer in config.trusted_proxies() and proto == "https"


def principal(request: Request) -> Principal:
    """Bearer token (API) or server-side session (web UI); anonymous callers are ``public``."""
    eng = request.app.state.engine
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return _from_token(auth[7:].strip(), eng)
    user = request.session.get("user") if "session" in request.scope else None
    if user:
        try:
            return principal_for_username(user, None, eng)
        except AuthError:
            request.session.clear()
    return PUBLIC


def bearer_token(request: Request) -> str | None:
    """The bearer token of the request, if it has one."""
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def session_id(request: Request) -> str | None:
    """The id of the browser session making the request (kept when its password changes)."""
    from jiqun.web.sessions import COOKIE

    return request.cookies.get(COOKIE)


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
