"""Pages kept per viewer and data state: a page that depends only on stored results is
rendered once, then served as it was until the data, the results, the release or the viewer
change.

Most pages of the platform are built from results computed once per data version (the refresh
job), the protected release and the viewer's role and scope; rendering one still costs 10–60 ms of
Python (template, tables, maps), which under 50 concurrent users was most of the server's CPU.
:func:`shared` wraps such a page handler: the rendered body is kept in the process under

* the handler and the request: path, query string, language, whether HTMX asked for a fragment;
* the configuration: every ``JIQUN_*`` environment variable and the map's boundary file;
* the viewer: username, role, scope and organisation (two accounts never share a page: the
  header names the user);
* the data state, :func:`jiqun.services.results.page_state`: the data version (with the lake
  version), every domain version (cluster memberships, digital assessments) and the current
  release.

A page is **not** kept (and a kept one never served) when

* the present data version's results are not complete or a refresh is queued or running
  (``page_state`` is ``None``: the page says which version it shows, and that moves on);
* building it wrote an audit entry or read firm-level rights (:func:`jiqun.services.personal.mark`:
  grants expire without a write, and every read of firm records is logged every time);
* its status is not 200, it sets a cookie, it is not a plain body, or the session carries a
  one-time message (``flash``).

The session's CSRF token is the one per-session part of a kept page: it is stored as a marker
and the requesting session's own token is put back when the page is served.

Kept per process (each server worker has its own), least recently used first out beyond
:data:`MAX_BYTES`.

Example
-------
>>> @router.get("/clusters")  # doctest: +SKIP
... @shared
... def clusters_page(request: Request, principal: P) -> HTMLResponse: ...
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from fastapi import Request, Response
from sqlalchemy import Engine

from jiqun.services import personal
from jiqun.services.accounts import Principal
from jiqun.services.results import page_state
from jiqun.web import deps
from jiqun.web.i18n import lang

__all__ = ["MAX_BYTES", "clear", "shared", "stats"]

F = TypeVar("F", bound=Callable[..., Any])

#: bytes of page bodies kept per database in one process (a dashboard is 20–200 kB)
MAX_BYTES = 96 * 1024 * 1024
_CSRF_MARK = b"\x1ejiqun-csrf\x1e"
_LOCK = threading.Lock()
_PAGES: weakref.WeakKeyDictionary[Engine, OrderedDict[Hashable, _Kept]] = (
    weakref.WeakKeyDictionary()
)
_SIZE: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_COUNTS = {"hits": 0, "misses": 0, "personal": 0, "bypass": 0}


class _Kept:
    """One kept page: body (CSRF token replaced by the marker), status, media type, headers."""

    __slots__ = ("body", "headers", "media_type", "status_code")

    def __init__(
        self, body: bytes, status_code: int, media_type: str | None, headers: dict[str, str]
    ) -> None:
        self.body = body
        self.status_code = status_code
        self.media_type = media_type
        self.headers = headers


def _viewer(principal: Principal) -> tuple[Any, ...]:
    return (principal.username, principal.role, principal.scope, principal.organisation_id)


def _settings() -> tuple[Any, ...]:
    """The configuration a page may read: every ``JIQUN_*`` variable of the environment (the
    input–output table, the boundary file, …) and the boundary file's identity (a file replaced
    in place is seen at once, as the map promises)."""
    from jiqun.web.ui_overview import boundary_token

    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("JIQUN_")))
    return (env, boundary_token())


def _key(handler: Callable[..., Any], request: Request, principal: Principal) -> Hashable:
    query = tuple(sorted((k, v) for k, v in request.query_params.multi_items() if k != "lang"))
    return (
        _settings(),
        handler.__module__,
        handler.__qualname__,
        request.url.path,
        query,
        lang(request),
        bool(request.headers.get("hx-request")),
        _viewer(principal),
    )


def _get(engine: Engine, key: Hashable) -> _Kept | None:
    with _LOCK:
        pages = _PAGES.get(engine)
        kept = None if pages is None else pages.get(key)
        if kept is not None:
            pages.move_to_end(key)  # type: ignore[union-attr]
        return kept


def _put(engine: Engine, key: Hashable, kept: _Kept) -> None:
    with _LOCK:
        pages = _PAGES.setdefault(engine, OrderedDict())
        old = pages.pop(key, None)
        size = _SIZE.get(engine, 0) - (len(old.body) if old else 0) + len(kept.body)
        pages[key] = kept
        while size > MAX_BYTES and len(pages) > 1:
            _k, gone = pages.popitem(last=False)
            size -= len(gone.body)
        _SIZE[engine] = size


def _keep(response: Any, request: Request) -> _Kept | None:
    """The response as a kept page, or ``None`` when it may not be kept."""
    if not isinstance(response, Response) or response.status_code != 200:
        return None
    body = getattr(response, "body", None)
    if not isinstance(body, bytes | bytearray) or "set-cookie" in response.headers:
        return None
    body = bytes(body)
    token = request.session.get("csrf") if "session" in request.scope else None
    if token:
        body = body.replace(token.encode(), _CSRF_MARK)
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)}
    return _Kept(body, response.status_code, response.media_type, headers)


def _serve(kept: _Kept, request: Request) -> Response:
    body = kept.body
    if _CSRF_MARK in body:
        body = body.replace(_CSRF_MARK, deps.csrf_token(request).encode())
    return Response(
        content=body,
        status_code=kept.status_code,
        headers=kept.headers,
        media_type=kept.media_type,
    )


def shared(handler: F) -> F:
    """Keep the pages ``handler`` renders per viewer and data state (see the module text).

    The handler must take ``request`` and ``principal`` as keyword parameters (as FastAPI
    passes them) and must build its page only from the request, the viewer and stored state
    covered by :func:`jiqun.services.results.page_state`; anything personal beyond that must go
    through a service that calls :func:`jiqun.services.personal.mark`.

    Parameters
    ----------
    handler:
        A synchronous page handler.

    Returns
    -------
    The wrapped handler (same signature, so FastAPI's dependencies are unchanged).

    References
    ----------
    src/jiqun/services/results.py (``page_state``), src/jiqun/services/personal.py.

    Example
    -------
    >>> @shared  # doctest: +SKIP
    ... def regions_page(request: Request, principal: P) -> HTMLResponse: ...
    """

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request = kwargs.get("request")
        principal = kwargs.get("principal")
        engine = deps.engine(request) if isinstance(request, Request) else None
        if (
            not isinstance(request, Request)
            or not isinstance(principal, Principal)
            or not isinstance(engine, Engine)
            or request.method != "GET"
            or ("session" in request.scope and request.session.get("flash"))
        ):
            return handler(*args, **kwargs)
        state = page_state(engine)
        if state is None:
            _COUNTS["bypass"] += 1
            return handler(*args, **kwargs)
        key = (_key(handler, request, principal), state)
        kept = _get(engine, key)
        if kept is not None:
            _COUNTS["hits"] += 1
            return _serve(kept, request)
        with personal.watch() as why:
            response = handler(*args, **kwargs)
        if why:
            _COUNTS["personal"] += 1
            return response
        _COUNTS["misses"] += 1
        kept = _keep(response, request)
        if kept is not None:
            _put(engine, key, kept)
        return response

    return wrapper  # type: ignore[return-value]


def clear() -> None:
    """Forget every kept page of this process (tests; a configuration change).

    Example
    -------
    >>> clear()
    """
    with _LOCK:
        _PAGES.clear()
        _SIZE.clear()
        for k in _COUNTS:
            _COUNTS[k] = 0


def stats() -> dict[str, int]:
    """Hits, misses (kept after), personal (not kept) and bypassed requests of this process,
    and the pages and bytes kept.

    Example
    -------
    >>> sorted(stats())
    ['bypass', 'bytes', 'hits', 'misses', 'pages', 'personal']
    """
    with _LOCK:
        return {
            **_COUNTS,
            "pages": sum(len(p) for p in _PAGES.values()),
            "bytes": sum(_SIZE.values()),
        }
