"""Server-side browser sessions: the cookie carries only a random session id.

The session data (logged-in user, CSRF token, language, flash message) lives in the
``auth_sessions`` table (:mod:`jiqun.services.accounts`); the ``jiqun_session`` cookie holds a
random identifier of which the database keeps only the SHA-256. Handlers use ``request.session``
as with Starlette's signed-cookie sessions. What this middleware adds:

- **logout works**: ending the session deletes the row, so a replayed cookie is worthless;
- **the id changes whenever the logged-in user changes** (login, logout): a session id planted
  before login is never promoted (session fixation);
- idle and absolute expiry are checked on the server (:func:`jiqun.services.accounts.load_session`);
- the cookie is ``HttpOnly``, ``SameSite=Lax`` and, over HTTPS, ``Secure``; it has no
  ``Max-Age`` (it ends with the browser; the server ends it earlier).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jiqun.services import accounts
from jiqun.web.deps import is_https

COOKIE = "jiqun_session"


class ServerSessionMiddleware:
    """ASGI middleware giving ``request.session`` a server-side store (see module docstring).

    Parameters
    ----------
    app:
        The wrapped application.
    engine:
        Database holding ``auth_sessions``.
    secure:
        Always mark the cookie ``Secure`` (``jiqun serve --secure-cookies``); otherwise only
        over HTTPS.

    Example
    -------
    >>> app.add_middleware(ServerSessionMiddleware, engine=engine)  # doctest: +SKIP
    """

    def __init__(self, app: ASGIApp, engine: Engine, secure: bool = False) -> None:
        self.app = app
        self.engine = engine
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sid = HTTPConnection(scope).cookies.get(COOKIE)
        stored = await run_in_threadpool(accounts.load_session, sid, self.engine) if sid else None
        initial: dict[str, Any] = stored or {}
        scope["session"] = copy.deepcopy(initial)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(
                    self._store, sid if stored is not None else None, initial, scope
                )
                if cookie is not None:
                    MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _cookie(self, value: str, scope: Scope, clear: bool = False) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=lax"]
        if clear:
            parts.append("Max-Age=0")
        if self.secure or is_https(Request(scope)):
            parts.append("Secure")
        return "; ".join(parts)

    def _store(self, sid: str | None, initial: dict[str, Any], scope: Scope) -> str | None:
        """Write the session back; the Set-Cookie value when the cookie must change."""
        data: dict[str, Any] = scope.get("session") or {}
        if data == initial:
            return None
        client = (scope.get("client") or ("-",))[0]
        if not data:
            if sid:
                accounts.delete_session(sid, self.engine)
                return self._cookie("", scope, clear=True)
            return None
        if sid and data.get("user") == initial.get("user"):
            if accounts.save_session(sid, data, self.engine):
                return None
            # ended meanwhile (logout elsewhere, password change, disabled): never resurrect it
            return self._cookie("", scope, clear=True)
        # new session, or the user changed (login, logout): a fresh id, the old row gone
        accounts.delete_session(sid, self.engine)
        new = accounts.create_session(data, client=str(client), engine=self.engine)
        return self._cookie(new, scope)
