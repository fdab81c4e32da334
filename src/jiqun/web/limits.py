"""Request bodies bounded while they stream, and anonymous writes refused before any byte is read.

:class:`BodyLimitMiddleware` is a pure ASGI middleware (it wraps ``receive``, so chunked bodies
without ``Content-Length`` are counted as they arrive):

* every request body is limited to :data:`MAX_BODY_BYTES` (1 MiB: JSON and form fields), a
  ``multipart/form-data`` upload to one of :data:`UPLOAD_PATHS` to
  :data:`MAX_UPLOAD_BODY_BYTES` (the 50 MB file cap of :mod:`jiqun.services.uploads` plus the
  multipart framing). A declared ``Content-Length`` over the limit is answered 413 at once; a
  streamed body is answered 413 as soon as the bytes received pass the limit, and nothing more
  is read;
* a state-changing request (POST, PUT, PATCH, DELETE) to anything but the login and logout
  endpoints of :data:`OPEN_WRITES` is answered 401 (the web UI: a redirect to the login page)
  before its body is read when it carries neither a valid bearer token nor a logged-in session
  (a method or path no route takes is left to the application: 405 or 404, body unread).
  The principal is resolved by :func:`jiqun.web.deps.principal`, the same function the handlers
  use, so the middleware and the handlers cannot disagree about who is logged in.

It must run inside the session middleware (``scope["session"]`` is read).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jiqun.services.uploads import MAX_UPLOAD_BYTES
from jiqun.standard.problems import JiqunError
from jiqun.web.responses import error_response

API_PREFIX = "/api/v1"
#: Any request body but an upload: JSON documents and form fields are small.
MAX_BODY_BYTES = 1 << 20
#: A multipart upload: the file cap plus room for the multipart boundaries and other fields.
MAX_UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + (64 << 10)
#: The endpoints that take a file upload (multipart/form-data).
UPLOAD_PATHS = frozenset({"/imports", f"{API_PREFIX}/imports", "/maps/boundary"})
#: State-changing endpoints open to anonymous callers: logging in and out.
OPEN_WRITES = frozenset({"/login", "/logout", f"{API_PREFIX}/auth/token"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes its limit. FastAPI passes an
    ``HTTPException`` raised while it reads the body through unchanged (anything else becomes
    a 400), so the application's error handler answers it with status 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"the request body exceeds {_size(limit)}")
        self.limit = limit


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 2**10} KB"


def body_limit(scope: Scope) -> int:
    """The byte limit of the request body of ``scope``.

    Parameters
    ----------
    scope:
        The ASGI HTTP scope.

    Returns
    -------
    int
        :data:`MAX_UPLOAD_BODY_BYTES` for a multipart upload to :data:`UPLOAD_PATHS`,
        :data:`MAX_BODY_BYTES` for anything else.

    Example
    -------
    >>> body_limit({"path": "/api/v1/grants", "headers": []}) == MAX_BODY_BYTES
    True
    """
    ctype = b""
    for k, v in scope.get("headers") or ():
        if k.lower() == b"content-type":
            ctype = v.lower()
    if scope.get("path") in UPLOAD_PATHS and ctype.startswith(b"multipart/form-data"):
        return MAX_UPLOAD_BODY_BYTES
    return MAX_BODY_BYTES


def too_large(limit: int) -> Response:
    """The 413 answer (the one error body of the API)."""
    return error_response(
        413,
        "too_large",
        f"请求内容超过 {_size(limit)}",
        f"the request body exceeds {_size(limit)}",
    )


def _unauthenticated(scope: Scope) -> Response:
    path = str(scope.get("path", ""))
    if path.startswith(API_PREFIX + "/") or path == API_PREFIX:
        resp = error_response(
            401,
            "unauthorised",
            "请先登录（提供有效的令牌或会话）后再提交",
            "log in first (a valid bearer token or session) to send this request",
        )
        resp.headers["WWW-Authenticate"] = "Bearer"
        return resp
    headers = {k.lower(): v for k, v in scope.get("headers") or ()}
    if headers.get(b"hx-request"):  # HTMX follows HX-Redirect, not a 303
        return Response(status_code=200, headers={"HX-Redirect": "/login"})
    return Response(status_code=303, headers={"Location": f"/login?next={quote(path, safe='')}"})


def _has_route(scope: Scope) -> bool:
    """Whether a route of the application takes this method on this path (otherwise the
    application answers 404 or 405 itself, without reading the body)."""
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return True
    return False


def _is_logged_in(scope: Scope) -> bool:
    """Whether the request carries a valid token or session (database lookup: a thread)."""
    from jiqun.web import deps

    try:
        who = deps.principal(Request(scope))
    except JiqunError:  # a bad, expired or revoked token
        return False
    return who.role != "public"


class BodyLimitMiddleware:
    """Bound request bodies while they stream; refuse anonymous writes before reading them.

    Parameters
    ----------
    app:
        The ASGI application to wrap.

    Example
    -------
    >>> from starlette.applications import Starlette
    >>> app = BodyLimitMiddleware(Starlette())
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        for k, v in scope.get("headers") or ():
            if k.lower() == b"content-length" and v.strip().isdigit() and int(v) > limit:
                await too_large(limit)(scope, receive, send)
                return
        if (
            scope.get("method") in WRITE_METHODS
            and scope.get("path") not in OPEN_WRITES
            and _has_route(scope)
            and not await run_in_threadpool(_is_logged_in, scope)
        ):
            await _unauthenticated(scope)(scope, receive, send)
            return

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # stop here: the rest of the body is never read
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:
            # Raised where no exception handler runs (a handler reading the stream itself).
            if started:
                raise
            await too_large(exc.limit)(scope, receive, send)


async def _too_large_handler(_request: Request, exc: Exception) -> Response:
    return too_large(exc.limit if isinstance(exc, BodyTooLarge) else MAX_BODY_BYTES)


def install_body_limits(app: Starlette) -> None:
    """Add :class:`BodyLimitMiddleware` to ``app`` and answer :class:`BodyTooLarge` with 413.

    Call it before the session middleware is added (a middleware added later runs outside
    it), so that the session is available.

    Parameters
    ----------
    app:
        The application.

    Example
    -------
    >>> from starlette.applications import Starlette
    >>> install_body_limits(Starlette())
    """
    app.add_middleware(BodyLimitMiddleware)
    app.add_exception_handler(BodyTooLarge, _too_large_handler)
