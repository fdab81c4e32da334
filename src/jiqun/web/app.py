"""The FastAPI application: REST API under ``/api/v1``, web UI at ``/``, static files.

``create_app(engine)`` builds an app bound to one database; ``jiqun serve`` runs it with Uvicorn.
Cross-cutting rules live here and nowhere else: the error body, security headers, the upload size
limit and the server-side session (:mod:`jiqun.web.sessions`: the cookie is a random id, HttpOnly,
SameSite=Lax, Secure over HTTPS). Every response but static files says ``Cache-Control:
no-store`` (pages and API answers may hold firm records); over HTTPS, HSTS.
"""

from __future__ import annotations

import html
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from jiqun import __version__
from jiqun.standard.problems import JiqunError
from jiqun.web.limits import install_body_limits
from jiqun.web.responses import error_response

API_PREFIX = "/api/v1"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def _api_docs_page(title: str, openapi_url: str) -> str:
    """The API documentation page: the vendored Swagger UI, started by ``static/api-docs.js``.

    No inline script (the page runs under the site's CSP, ``script-src 'self'``) and nothing from
    another origin, so it works offline; the OpenAPI address travels in a ``data-`` attribute.

    Parameters
    ----------
    title:
        The page title.
    openapi_url:
        Where the OpenAPI document is served.

    Returns
    -------
    str
        The HTML page.

    Example
    -------
    >>> "swagger-ui-bundle.js" in _api_docs_page("API", "/api/v1/openapi.json")
    True
    """
    t, url = html.escape(title), html.escape(openapi_url, quote=True)
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{t}</title>"
        '<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>\n'
        f'<body><div id="swagger-ui" data-openapi-url="{url}">'
        "<noscript>需要启用 JavaScript / JavaScript is required</noscript></div>\n"
        '<script src="/static/vendor/swagger-ui-bundle.js"></script>\n'
        '<script src="/static/api-docs.js"></script>\n</body></html>\n'
    )


def create_app(engine: Engine | None = None, secure_cookies: bool = False) -> FastAPI:
    """Build the platform application.

    Parameters
    ----------
    engine:
        Database (default: the configured one, migrated and seeded on first use).
    secure_cookies:
        Send the session cookie only over HTTPS (set behind a TLS-terminating proxy).

    Returns
    -------
    fastapi.FastAPI

    Example
    -------
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> TestClient(create_app()).get("/api/v1/clusters").json()["meta"]["total"]  # doctest: +SKIP
    92
    """
    from jiqun.store.db import get_engine, prepare

    engine = engine or get_engine()
    prepare(engine)
    app = FastAPI(
        title="Jiqun 集群 API",
        version=__version__,
        description="先进制造业集群信息共享平台 / advanced manufacturing cluster platform. "
        "Errors: {'error': {'code', 'message_zh', 'message_en'}}.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        # FastAPI's own docs page loads Swagger UI from a CDN and inlines its start-up script:
        # blank offline and against the CSP. _api_docs_page serves the vendored copy instead.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.engine = engine
    # Before the session middleware is added, so that it runs inside it: it reads the session.
    install_body_limits(app)
    from jiqun.web.deps import is_https
    from jiqun.web.sessions import ServerSessionMiddleware

    app.add_middleware(ServerSessionMiddleware, engine=engine, secure=secure_cookies)

    @app.middleware("http")
    async def _limits_and_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
            return error_response(
                413,
                "too_large",
                f"上传内容超过 {MAX_UPLOAD_BYTES // 2**20} MB",
                f"the upload exceeds {MAX_UPLOAD_BYTES // 2**20} MB",
            )
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if not request.url.path.startswith("/static/"):
            # pages and API answers may hold firm records: no browser or proxy may keep them
            response.headers["Cache-Control"] = "no-store"
        if is_https(request):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    @app.exception_handler(JiqunError)
    async def _jiqun_error(request: Request, exc: JiqunError):  # type: ignore[no-untyped-def]
        status = getattr(exc, "status", 400)
        code = {
            401: "unauthorised",
            403: "forbidden",
            404: "not_found",
            429: "rate_limited",
        }.get(status, "invalid")
        extra = {}
        if exc.problems:
            extra["problems"] = [
                p.as_dict() if hasattr(p, "as_dict") else str(p) for p in exc.problems[:200]
            ]
        resp = error_response(status, code, exc.message_zh, exc.message_en, **extra)
        if status == 401:
            resp.headers["WWW-Authenticate"] = "Bearer"
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):  # type: ignore[no-untyped-def]
        details = [
            {"field": ".".join(str(x) for x in e.get("loc", ())), "reason": e.get("msg", "")}
            for e in exc.errors()
        ]
        return error_response(
            422, "invalid_request", "请求参数无效", "invalid request parameters", details=details
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):  # type: ignore[no-untyped-def]
        zh = {404: "找不到该地址", 405: "不支持该请求方法"}.get(exc.status_code, "请求失败")
        return error_response(
            exc.status_code, f"http_{exc.status_code}", zh, str(exc.detail or "request failed")
        )

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    async def _api_docs() -> HTMLResponse:
        return HTMLResponse(_api_docs_page(app.title, app.openapi_url or ""))

    from jiqun.web.api import router as api_router

    app.include_router(api_router, prefix=API_PREFIX)
    from jiqun.web import (
        ui_account,
        ui_admin,
        ui_clusters,
        ui_enterprises,
        ui_imports,
        ui_matching,
        ui_overview,
        ui_planning,
        ui_regions,
        ui_scenarios,
        ui_services,
        ui_statistics,
    )

    # Routes are tried in the order they are added: this is the order the pages had in one
    # router, and a fixed path (/regions/compare) precedes /regions/{code} inside its module.
    for pages in (
        ui_overview,
        ui_account,
        ui_clusters,
        ui_statistics,
        ui_regions,
        ui_enterprises,
        ui_scenarios,
        ui_imports,
        ui_admin,
        ui_matching,
        ui_services,
        ui_planning,
    ):
        app.include_router(pages.router)
    static = resources.files("jiqun.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
