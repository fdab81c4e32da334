"""Web UI base (Jinja2 + HTMX + ECharts, all served locally). Thin: services do the work.

This module holds what every page module shares: the templates and their formatting filters,
errors as HTML pages (:class:`UIRoute`), :func:`page_router`, :func:`render` and small helpers.
The pages live beside it, one module per area, each with its own router included by
:func:`jiqun.web.app.create_app`: ``ui_overview`` (``/``), ``ui_account`` (``/login``,
``/logout``, ``/account``), ``ui_clusters`` (``/clusters`` and the dashboard sections),
``ui_statistics`` (``/statistics``, published tables), ``ui_regions`` (``/regions``),
``ui_enterprises`` (``/enterprises``, grants, ``/memberships``, ``/my-readers``),
``ui_scenarios``, ``ui_imports``, ``ui_admin``, and ``ui_matching`` and ``ui_services``.

Charts are drawn by ``static/app.js`` from JSON in ``data-chart``/``data-chart-data``
attributes (the Content-Security-Policy allows no inline script). Errors become HTML pages: a
public visitor is sent to the login page (401), records outside the viewer's rights answer the
404 page, other refusals a 403 page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from jiqun.formatting import (
    fmt_cell,
    fmt_flag,
    fmt_num,
    fmt_pct,
    fmt_stars,
    fmt_year,
    missing,
    output_not_applicable,
)
from jiqun.services import access
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.standard.problems import JiqunError
from jiqun.web import deps
from jiqun.web.i18n import (
    english_name,
    industry_names_zh,
    labeller,
    lang,
    localizer,
    switch_url,
    translator,
    zh_span,
)
from jiqun.web.inputs import reject_controls

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

LOGGED_IN = ("admin", "government", "cluster", "enterprise")


# --------------------------------------------------------------------------------------------
# formatting filters
# --------------------------------------------------------------------------------------------


def query_params(v: object) -> dict[str, object]:
    """The query of an audit entry (JSON text or a dict) as a dict, for display (never raw JSON)."""
    if isinstance(v, dict):
        return v
    if isinstance(v, str) and v.strip().startswith("{"):
        import json

        try:
            out = json.loads(v)
        except ValueError:
            return {}
        return out if isinstance(out, dict) else {}
    return {}


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def fmt_time(v: Any) -> Any:
    """A timestamp to the second (``2026-12-07 11:22:33``, `` UTC`` when it is UTC).

    Parameters
    ----------
    v:
        A ``datetime`` (pandas ``Timestamp`` included) or an ISO 8601 date-time string; any other
        value is returned unchanged.

    Returns
    -------
    Any
        The formatted text, or ``v``.

    Example
    -------
    >>> fmt_time("2026-12-07T11:22:33.123456+00:00")
    '2026-12-07 11:22:33 UTC'
    >>> fmt_time(dt.datetime(2026, 12, 7, 11, 22, 33, 999))
    '2026-12-07 11:22:33'
    """
    if isinstance(v, str) and _ISO_TIME.fullmatch(v.strip()):
        try:
            v = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
        except ValueError:
            return v
    if not isinstance(v, dt.datetime) or missing(v):
        return v
    out = f"{v:%Y-%m-%d %H:%M:%S}"
    if v.utcoffset() == dt.timedelta(0):
        out += " UTC"
    return out


@pass_context
def _finalize(ctx: Context, v: Any) -> Any:
    # Every {{ expression }}: a timestamp never reaches a page with its microseconds, and on
    # an English page a region, industry or cluster name, a unit or a Chinese label is English
    # (attribute-safe: a plain text in, a plain text out; markup is left as it is).
    if isinstance(v, Markup):
        return v
    if isinstance(v, dt.datetime | str):
        v = fmt_time(v)
    if isinstance(v, str) and ctx.get("lang") == "en":
        return english_name(v) or v
    return v


@pass_context
def zh_name(ctx: Context, v: Any) -> Any:
    """``{{ name|zh }}`` for a name in page text: on an English page its English if it has one
    (a region, a cluster with ``name_en``; an industry with its Chinese name as a ``title``),
    otherwise the Chinese inside ``<span lang="zh-CN">``; unchanged on a Chinese page."""
    if ctx.get("lang") != "en" or not isinstance(v, str) or isinstance(v, Markup):
        return v
    if v in industry_names_zh():  # an industry: its Chinese name on hover
        return Markup('<span title="{}">{}</span>').format(v, english_name(v))
    en = english_name(v)
    if en is not None:
        return en
    return zh_span(v) if any("\u3400" <= c <= "\u9fff" for c in v) else v


def industry_beside_code(v: Any) -> Any:
    """An industry's English name in a table that shows its code in the next column: the
    division's name without the code again, the Chinese name on hover (English pages)."""
    if not isinstance(v, str) or v not in industry_names_zh():
        return v
    en = (english_name(v) or v).split(" — ")[0]
    return Markup('<span title="{}">{}</span>').format(v, en)


def english_data(v: Any) -> Any:
    """A chart's data for an English page: every Chinese name in it that has English, in English
    (the chart draws text on a canvas, so the Jinja hook above never sees it)."""
    if isinstance(v, str):
        return english_name(v) or v
    if isinstance(v, dict):
        return {k: english_data(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [english_data(x) for x in v]
    return v


@pass_context
def chart_data(ctx: Context, v: Any) -> Any:
    """``{{ data|chart_data|tojson }}``: :func:`english_data` on an English page."""
    return english_data(v) if ctx.get("lang") == "en" else v


templates.env.finalize = _finalize
templates.env.filters.update(
    when=fmt_time,
    num=fmt_num,
    pct=fmt_pct,
    stars=fmt_stars,
    flag=fmt_flag,
    cell=fmt_cell,
    yr=fmt_year,
    params=query_params,
    zh=zh_name,
    chart_data=chart_data,
    industry_beside_code=industry_beside_code,
)
templates.env.tests["missing"] = missing
templates.env.globals["output_not_applicable"] = output_not_applicable


def zh_only(v: Any) -> bool:
    """``{% if x is zh_only %}``: Chinese text with no English (a proper name an English page
    keeps in Chinese; an element showing it takes ``lang="zh-CN"``)."""
    return (
        isinstance(v, str) and any("\u3400" <= c <= "\u9fff" for c in v) and english_name(v) is None
    )


templates.env.tests["zh_only"] = zh_only


# --------------------------------------------------------------------------------------------
# errors as pages
# --------------------------------------------------------------------------------------------


def _viewer(request: Request) -> Principal:
    try:
        return deps.principal(request)
    except JiqunError:
        return PUBLIC


def error_page(request: Request, exc: JiqunError) -> Response:
    """401 → the login page (HTMX: a client-side redirect); 403/404/400 → an HTML page."""
    status = int(getattr(exc, "status", 400))
    if status == 401:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            here = request.headers.get("hx-current-url", here)
            return Response(status_code=200, headers={"HX-Redirect": "/login"})
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)
    principal = _viewer(request)
    code = lang(request)
    partial = bool(request.headers.get("hx-request"))
    return templates.TemplateResponse(
        request,
        "_error.html" if partial else "error.html",
        {
            **_context(request, principal, code),
            "status": status,
            "message": exc.message_zh if code == "zh" else exc.message_en,
            "problems": exc.problems[:50],
        },
        status_code=200 if partial else status,
    )


class UIRoute(APIRoute):
    """Turns the services' bilingual errors into HTML pages instead of JSON bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except JiqunError as exc:
                return error_page(request, exc)

        return handler


def page_router() -> APIRouter:
    """A router for web pages: HTML error pages, control characters refused, CSRF checked.

    Every page module builds its router here, so that none can miss the CSRF check.

    Returns
    -------
    fastapi.APIRouter
        Routes left out of the OpenAPI schema, with :class:`UIRoute` as the route class.

    References
    ----------
    docs/architecture.md (interfaces are thin).

    Example
    -------
    >>> page_router().route_class is UIRoute
    True
    """
    return APIRouter(
        include_in_schema=False,
        dependencies=[Depends(reject_controls), Depends(deps.check_csrf)],
        route_class=UIRoute,
    )


P = Annotated[Principal, Depends(deps.principal)]


def _context(
    request: Request, principal: Principal, code: str, banner: bool = True
) -> dict[str, Any]:
    # the results banner is drawn by the layout only: a section fragment swapped in by HTMX
    # has none, so it does not read the results' state (three queries) for nothing
    return {
        "lang": code,
        "t": translator(code),
        "lab": labeller(code),
        "loc": localizer(code),
        "principal": principal,
        "csrf": deps.csrf_token(request),
        "switch_url": switch_url(request, code),
        "path": request.url.path,
        "flash": request.session.pop("flash", None) if "session" in request.scope else None,
        "results_state": _results_state(request, principal) if banner else None,
    }


def _results_state(request: Request, principal: Principal) -> dict[str, Any] | None:
    """What the banner says about the stored results (``None``: they are current)."""
    from jiqun.services.refresh import results_state

    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return None
    st = results_state(principal, engine)
    return None if st["current"] or not (st["refreshing"] or st["served"]) else st


def render(
    request: Request, name: str, principal: Principal, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    """Render a page with the common context (language, translator, principal, CSRF token).

    A section fragment (a template whose name starts with ``_``) asked for by HTMX is answered
    as it is; opened on its own (a bookmark, a new tab, a link followed without JavaScript) it
    comes inside the layout, with the navigation and a link back to the section of its page
    (:func:`standalone`).

    Parameters
    ----------
    request:
        The request (its ``HX-Request`` header tells a fragment load from a page load).
    name:
        The template.
    principal:
        The viewer.
    status_code:
        The HTTP status.
    **ctx:
        The template's own values.

    Returns
    -------
    fastapi.responses.HTMLResponse
        The rendered page or fragment.

    References
    ----------
    templates/fragment_page.html (the layout around a fragment).

    Example
    -------
    >>> render(request, "_diagnosis.html", principal, d=d)  # doctest: +SKIP
    """
    code = lang(request)
    fragment = name.startswith("_") and not standalone(request, name)
    context = {**_context(request, principal, code, banner=not fragment), **ctx}
    if standalone(request, name):
        context.update(fragment=name, section_url=section_url(request.url.path))
        name = "fragment_page.html"
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def standalone(request: Request, name: str) -> bool:
    """True when a fragment template is asked for outside HTMX (it then needs the layout).

    Example
    -------
    >>> from starlette.requests import Request as R
    >>> standalone(R({"type": "http", "headers": []}), "_diagnosis.html")
    True
    >>> standalone(R({"type": "http", "headers": [(b"hx-request", b"true")]}), "_chain.html")
    False
    """
    return name.startswith("_") and not request.headers.get("hx-request")


def section_url(path: str) -> str:
    """The page and section a fragment URL belongs to (``/clusters/X/chain`` → ``/clusters/X#chain``).

    Example
    -------
    >>> section_url("/regions/320200/next")
    '/regions/320200#next'
    """
    parent, _, last = path.rstrip("/").rpartition("/")
    return f"{parent or '/'}#{last}" if last else "/"


def given(v: str | None) -> str | None:
    """A text filter as typed into a form: surrounding blanks dropped, empty as ``None``.

    Example
    -------
    >>> given("  无锡 "), given("   "), given(None)
    ('无锡', None, None)
    """
    return (v or "").strip() or None


def need_login(principal: Principal) -> None:
    access.require_role(principal, *LOGGED_IN)


#: The database engine of the app serving a request: the API's dependency, for the pages.
engine_of = deps.engine


def viewer_block(
    request: Request,
    principal: Principal,
    name: str,
    parts: tuple[Any, ...],
    compute: Callable[[], Any],
) -> Any:
    """A page block computed once per viewer's disclosure scope and release, shared read-only.

    The key is ``name``, :func:`jiqun.services.access.disclosure_scope` of the viewer (never shared
    across scopes), the current release (id and data version: a new release is a new block) and
    ``parts``; kept in the process only, and served stale while it is recomputed.

    Parameters
    ----------
    request:
        The page request (its app's engine).
    principal:
        The viewer.
    name:
        The block, e.g. ``"page-map"``.
    parts:
        The rest of what the block depends on (place, language, parameters).
    compute:
        Builds the block; its result must not be mutated by the callers.

    Returns
    -------
    Any
        ``compute()``'s result, or the cached one.

    Example
    -------
    >>> viewer_block(request, PUBLIC, "page-x", ("zh",), lambda: {"a": 1})  # doctest: +SKIP
    {'a': 1}
    """
    from jiqun.services.cache import cached
    from jiqun.services.release import current_release

    eng = engine_of(request)
    rel = current_release(eng)
    key = (
        name,
        access.disclosure_scope(principal),
        None if rel is None else (rel["id"], rel["data_version"]),
        *parts,
    )
    return cached(eng, key, compute, persist=False, stale_ok=True)


def records_or_empty(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts for a template: exactly ``df.to_dict("records")``, faster.

    ``to_dict`` selects every column with ``iloc`` before it iterates, which cost most of the
    time of the warm dashboard sections (a few ms per small table); this reads the column arrays
    once and boxes values as ``to_dict`` does (Python scalars for NumPy columns,
    ``maybe_box_native`` for object and extension columns). A frame with repeated column names
    goes through ``to_dict`` itself (which keeps the last of them).

    Parameters
    ----------
    df:
        The table (``None`` or empty gives ``[]``).

    Returns
    -------
    list of dict, column → value, in column order.

    Example
    -------
    >>> records_or_empty(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}]
    """
    if df is None or df.empty:
        return []
    if not df.columns.is_unique:
        return df.to_dict("records")
    return _records(df)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    import numpy as np
    from pandas.api.extensions import ExtensionDtype
    from pandas.core.dtypes.cast import maybe_box_native

    try:
        arrays = list(df._iter_column_arrays())
    except AttributeError:  # a pandas without the helper: the slow, identical path
        return df.to_dict("records")
    n = len(df)
    cols: list[list[Any]] = []
    for dtype, arr in zip(df.dtypes.values, arrays, strict=True):
        # what iterating the column Series gives (Series.__iter__): .item() for NumPy arrays
        vals = list(map(arr.item, range(n))) if isinstance(arr, np.ndarray) else list(arr)
        if dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype):
            vals = [maybe_box_native(v) for v in vals]
        cols.append(vals)
    names = df.columns.tolist()
    return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]


def clean(v: Any) -> Any:
    """JSON-safe scalar (NaN/inf → None, numpy → Python)."""
    if missing(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isinf(v):
        return None
    return v


def published_module():  # type: ignore[no-untyped-def]
    """``jiqun.services.published`` when installed (disclosure-controlled aggregates)."""
    try:
        from jiqun.services import published
    except ImportError:
        return None
    return published


def resilience_module():  # type: ignore[no-untyped-def]
    try:
        from jiqun.services import resilience
    except ImportError:
        return None
    return resilience


def resilience_function(name: str) -> Callable[..., Any] | None:
    """The function ``name`` of :mod:`jiqun.services.resilience`, or ``None`` when the module
    is not installed or has no such function (the page then says the feature is unavailable).

    Parameters
    ----------
    name:
        E.g. ``"scenario_loss"``.

    Returns
    -------
    Callable or None

    Example
    -------
    >>> resilience_function("no_such_function") is None
    True
    """
    mod = resilience_module()
    return getattr(mod, name, None) if mod else None


def ranked_bars(
    labels: Iterable[Any], values: Iterable[Any], name: str, y_name: str
) -> dict[str, Any]:
    """Chart data of a ranking: one series of horizontal bars, the first row at the top.

    ECharts draws the categories of a horizontal bar chart from the bottom up, so both lists are
    reversed here; ``values`` are passed through :func:`clean` (``None`` for missing).

    Parameters
    ----------
    labels:
        The bars' names, in rank order.
    values:
        Their values, in the same order.
    name:
        The series name (legend, tooltip).
    y_name:
        The value axis name.

    Returns
    -------
    dict
        ``categories``, ``series``, ``yName`` and ``horizontal`` for the chart template.

    Example
    -------
    >>> ranked_bars(["a", "b"], [2.0, 1.0], "x", "y")["categories"]
    ['b', 'a']
    """
    return {
        "categories": [str(x) for x in labels][::-1],
        "series": [{"name": name, "data": [clean(v) for v in values][::-1]}],
        "yName": y_name,
        "horizontal": True,
    }


def region_label(code: Any) -> str:
    from jiqun import reference

    if missing(code):
        return "—"
    return reference.region_name(str(code)) or str(code)


def industry_label(code: Any) -> str:
    from jiqun import reference

    if missing(code):
        return "—"
    return reference.industry_name(str(code)) or str(code)
