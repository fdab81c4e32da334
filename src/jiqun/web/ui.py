"""Web UI pages (Jinja2 + HTMX + ECharts, all served locally). Thin: services do the work.

Pages: ``/`` national overview, ``/clusters`` list and ``/clusters/{id}`` dashboard (the
diagnosis, chain map and resilience sections load through HTMX with a progress indicator),
``/regions`` and ``/regions/{code}`` dashboards with ``/regions/compare``, ``/statistics``
(published aggregates after disclosure control), ``/enterprises`` and ``/enterprises/{uscc}``
(一企一档, within the viewer's rights), ``/scenarios``, ``/imports`` (validate, error report,
commit) and ``/admin``.

Charts are drawn by ``static/app.js`` from JSON in ``data-chart``/``data-chart-data``
attributes (the Content-Security-Policy allows no inline script). Errors become HTML pages: a
public visitor is sent to the login page (401), records outside the viewer's rights answer the
404 page, other refusals a 403 page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from jiqun.services import access, accounts
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.standard.problems import JiqunError
from jiqun.web import deps
from jiqun.web.api_common import DbId
from jiqun.web.i18n import labeller, lang, switch_url, translator
from jiqun.web.inputs import reject_controls

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

LOGGED_IN = ("admin", "government", "cluster", "enterprise")


# --------------------------------------------------------------------------------------------
# formatting filters
# --------------------------------------------------------------------------------------------


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def fmt_num(v: Any, digits: int = 0) -> str:
    """Thousands separators; ``—`` for missing values."""
    if _missing(v):
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "·"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isinf(x):
        return "∞"
    return f"{x:,.{digits}f}"


def fmt_pct(v: Any, digits: int = 1) -> str:
    if _missing(v):
        return "—"
    return f"{float(v) * 100:.{digits}f}%"


def fmt_stars(v: Any) -> str:
    if _missing(v):
        return "—"
    n = int(v)
    return "★" * n + "☆" * max(0, 3 - n)


def fmt_flag(v: Any) -> str:
    if _missing(v):
        return "—"
    return "✓" if bool(v) else "·"


def fmt_cell(v: Any) -> str:
    """Generic table cell: numbers rounded to what a reader needs, booleans as marks."""
    if _missing(v):
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "·"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v.is_integer():
            return f"{v:,.0f}"
        return f"{v:,.3f}" if abs(v) < 1000 else f"{v:,.1f}"
    return str(v)


def fmt_year(v: Any) -> str:
    """A year or an id without thousands separators."""
    if _missing(v):
        return "—"
    try:
        return str(int(v))
    except (TypeError, ValueError):
        return str(v)


templates.env.filters.update(
    num=fmt_num, pct=fmt_pct, stars=fmt_stars, flag=fmt_flag, cell=fmt_cell, yr=fmt_year
)
templates.env.tests["missing"] = _missing


# --------------------------------------------------------------------------------------------
# errors as pages
# --------------------------------------------------------------------------------------------


def _viewer(request: Request) -> Principal:
    try:
        return deps.principal(request)
    except JiqunError:
        return PUBLIC


def _safe_next(target: str | None) -> str:
    """Only local paths (``/…`` but not ``//…``) are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


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


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(reject_controls), Depends(deps.check_csrf)],
    route_class=UIRoute,
)
P = Annotated[Principal, Depends(deps.principal)]


def _context(request: Request, principal: Principal, code: str) -> dict[str, Any]:
    return {
        "lang": code,
        "t": translator(code),
        "lab": labeller(code),
        "principal": principal,
        "csrf": deps.csrf_token(request),
        "switch_url": switch_url(request, code),
        "path": request.url.path,
        "flash": request.session.pop("flash", None) if "session" in request.scope else None,
    }


def render(
    request: Request, name: str, principal: Principal, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    """Render a page with the common context (language, translator, principal, CSRF token)."""
    code = lang(request)
    return templates.TemplateResponse(
        request, name, {**_context(request, principal, code), **ctx}, status_code=status_code
    )


def need_login(principal: Principal) -> None:
    access.require_role(principal, *LOGGED_IN)


def _engine(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.engine


def records_or_empty(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [] if df is None or df.empty else df.to_dict("records")


def _clean(v: Any) -> Any:
    """JSON-safe scalar (NaN/inf → None, numpy → Python)."""
    if _missing(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isinf(v):
        return None
    return v


def _published_module():  # type: ignore[no-untyped-def]
    """``jiqun.services.published`` when installed (disclosure-controlled aggregates)."""
    try:
        from jiqun.services import published
    except ImportError:
        return None
    return published


def _resilience_module():  # type: ignore[no-untyped-def]
    try:
        from jiqun.services import resilience
    except ImportError:
        return None
    return resilience


# --------------------------------------------------------------------------------------------
# overview, login
# --------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services.overview import national_overview
    from jiqun.services.regions import cached, map_points

    eng = _engine(request)
    ov = cached(eng, ("overview", "national"), lambda: national_overview(eng))
    pts = cached(eng, ("map-points", "national"), lambda: map_points(eng))
    from jiqun.services.directory import cluster_list

    tiers = cluster_list(eng)["tier"].value_counts()
    lab = labeller(lang(request))
    t = translator(lang(request))
    by_field = ov.by_field
    field_chart = {
        "categories": [lab("field", f) for f in by_field["field"]],
        "series": [
            {"name": t("集群数", "clusters"), "data": [int(x) for x in by_field["clusters"]]},
        ],
        "yName": t("个", "clusters"),
        "horizontal": True,
    }
    by_tier_df = ov.clusters.groupby("batch_year").size()
    top = ov.clusters.sort_values("output_wan_yuan", ascending=False).head(15)
    output_chart = {
        "categories": [
            str(n if lang(request) == "zh" or _missing(en) else en)
            for n, en in zip(top["name"], top["name_en"], strict=False)
        ][::-1],
        "series": [
            {
                "name": t("主导产业产值（亿元）", "leading-industry output (100m yuan)"),
                "data": [round(float(v) / 1e4, 1) for v in top["output_wan_yuan"]][::-1],
            }
        ],
        "yName": t("亿元", "100m yuan"),
        "horizontal": True,
    }
    innov_chart = {
        "categories": [lab("field", f) for f in by_field["field"]],
        "series": [
            {
                "name": t("国家制造业创新中心", "manufacturing innovation centres"),
                "data": [int(x) for x in by_field["innovation_centres"]],
            },
            {
                "name": t("单项冠军", "single-item champions"),
                "data": [int(x) for x in by_field["single_champions"]],
            },
            {
                "name": t("专精特新“小巨人”", "little giants"),
                "data": [int(x) for x in by_field["little_giants"]],
            },
        ],
        "horizontal": True,
    }
    map_chart = {
        "points": [
            [
                round(float(r.lon), 4),
                round(float(r.lat), 4),
                int(r.clusters),
                str(r.region_name),
                str(r.cluster_names),
            ]
            for r in pts.itertuples(index=False)
        ],
        "xName": t("经度", "longitude"),
        "yName": t("纬度", "latitude"),
        "sizeName": t("集群数", "clusters"),
    }
    return render(
        request,
        "overview.html",
        principal,
        ov=ov,
        field_chart=field_chart,
        output_chart=output_chart,
        innov_chart=innov_chart,
        map_chart=map_chart,
        batches={int(k): int(v) for k, v in by_tier_df.items() if not _missing(k)},
        tiers={str(k): int(v) for k, v in tiers.items()},
        clusters=records_or_empty(ov.clusters),
    )


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
    eng = _engine(request)
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
            principal, "logout", "web", client=deps.client(request), engine=_engine(request)
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
            engine=_engine(request),
        )
    except JiqunError as e:
        msg = e.message_zh if lang(request) == "zh" else e.message_en
        return render(
            request, "account.html", principal, status_code=getattr(e, "status", 400), error=msg
        )
    request.session["flash"] = ["密码已修改 / password changed"]
    return RedirectResponse("/account", status_code=303)


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------


@router.get("/clusters", response_class=HTMLResponse)
def clusters_page(
    request: Request,
    principal: P,
    tier: str | None = None,
    field: str | None = None,
    region: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    from jiqun.services.directory import cluster_list
    from jiqun.standard.schema import FIELDS_OF_CLUSTERS, TIERS

    eng = _engine(request)
    df = cluster_list(
        eng,
        tier=tier or None,
        field=field or None,
        region=(region or "").strip() or None,
        q=(q or "").strip() or None,
    )
    return render(
        request,
        "clusters.html",
        principal,
        rows=records_or_empty(df),
        total=len(df),
        tiers=list(TIERS),
        fields=list(FIELDS_OF_CLUSTERS),
        f={"tier": tier or "", "field": field or "", "region": region or "", "q": q or ""},
    )


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
def cluster_page(request: Request, principal: P, cluster_id: str) -> HTMLResponse:
    from jiqun.services.directory import cluster_carriers, cluster_profile
    from jiqun.services.regions import cached

    eng = _engine(request)
    prof = cluster_profile(cluster_id, eng)
    car = cached(eng, ("carriers", cluster_id), lambda: cluster_carriers(cluster_id, eng))
    chains = _chain_choices(prof.get("field"))
    return render(
        request,
        "cluster.html",
        principal,
        c=prof,
        carriers=records_or_empty(car.table),
        carrier_counts=records_or_empty(car.counts),
        tagged=car.tagged,
        carrier_basis=car.basis,
        carrier_notes=car.notes,
        chains=chains,
        published=_published_module() is not None,
        resilience=_resilience_module() is not None,
    )


def _chain_choices(field: str | None) -> list[dict[str, str]]:
    """Chain templates, those of the cluster's field first."""
    try:
        from jiqun.chains.templates import load_templates

        ts = list(load_templates().values())
    except Exception:
        return []
    ts.sort(key=lambda t: (t.field != field, t.id))
    return [
        {"id": t.id, "zh": t.name_zh, "en": t.name_en, "field": t.field, "match": t.field == field}
        for t in ts
    ]


def _lq_chart(tab: pd.DataFrame, t: Callable[..., str], col: str, name: str) -> dict[str, Any]:
    """Bar chart data: categories = leading industries, one series per member city."""
    inds = list(dict.fromkeys(tab["industry_code"]))
    names = dict(zip(tab["industry_code"], tab["industry_name"], strict=False))
    series = []
    for (_code, city), g in tab.groupby(["region_code", "region_name"], sort=False):
        v = g.set_index("industry_code")[col]
        series.append(
            {"name": str(city), "data": [_clean(v.get(i)) for i in inds]},
        )
    return {
        "categories": [f"{i} {names.get(i) or ''}".strip() for i in inds],
        "series": series,
        "yName": name,
        "markLine": 1.0 if col == "lq" else 0.0,
    }


@router.get("/clusters/{cluster_id}/diagnosis", response_class=HTMLResponse)
def cluster_diagnosis_part(
    request: Request,
    principal: P,
    cluster_id: str,
    measure: str = "employment",
    level: str = "class",
) -> HTMLResponse:
    from jiqun.services.diagnosis import diagnose_cluster
    from jiqun.services.regions import cached

    need_login(principal)
    eng = _engine(request)
    d = cached(
        eng,
        ("diagnosis", cluster_id, measure, level),
        lambda: diagnose_cluster(cluster_id, engine=eng, measure=measure, industry_level=level),
    )
    t = translator(lang(request))
    lead = d.tables["leading_industries"]
    lq_chart = _lq_chart(lead, t, "lq", t("区位商 LQ", "LQ"))
    trend_chart = _lq_chart(lead, t, "lq_change", t("区位商变化", "LQ change"))
    nxt = d.tables["next_industries"]
    return render(
        request,
        "_diagnosis.html",
        principal,
        d=d,
        cluster_id=cluster_id,
        measure=measure,
        level=level,
        members=records_or_empty(d.tables["members"]),
        leading=records_or_empty(lead),
        strength=records_or_empty(d.tables["strength"]),
        comp_regions=records_or_empty(d.tables["competition_regions"]),
        comp_clusters=records_or_empty(d.tables["competition_clusters"]),
        next_rows=records_or_empty(nxt[nxt["rank"] <= 5]) if len(nxt) else [],
        lq_chart=lq_chart,
        trend_chart=trend_chart,
    )


@router.get("/clusters/{cluster_id}/chain", response_class=HTMLResponse)
def cluster_chain_part(
    request: Request, principal: P, cluster_id: str, chain: str | None = None
) -> HTMLResponse:
    from jiqun.services.directory import cluster_profile

    need_login(principal)
    eng = _engine(request)
    prof = cluster_profile(cluster_id, eng)
    choices = _chain_choices(prof.get("field"))
    try:
        from jiqun.services.chains import chain_analysis
    except ImportError:
        return render(request, "_unavailable.html", principal, what="chains")
    if not choices:
        return render(request, "_unavailable.html", principal, what="chains")
    chain = chain if chain in {c["id"] for c in choices} else choices[0]["id"]
    # the service decides what this caller may see, as for the API (403 there: a note here)
    view = chain_analysis(
        principal, chain, cluster=cluster_id, engine=eng, client=deps.client(request), cache=True
    )
    rep = view.report
    tabs = view.tables
    t = translator(lang(request))
    lab = labeller(lang(request))
    segs = tabs["segments"]
    assert segs is not None
    comp = rep.analysis.completeness.table.set_index("segment")
    weak = set(rep.analysis.weak.table["segment"]) if len(rep.analysis.weak.table) else set()
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    col_y: dict[str, int] = {}
    nodes = []
    cats = [
        {"name": t("本地已有", "present locally")},
        {"name": t("薄弱/缺失（补链）", "weak or missing (fill gap)")},
    ]
    for s in rep.template.segments:
        x = order.get(s.position, 1)
        y = col_y.get(s.position, 0)
        col_y[s.position] = y + 1
        present = bool(comp["present"].get(s.id, False)) if s.id in comp.index else False
        firms = int(segs.set_index("segment")["firms"].get(s.id, 0)) if len(segs) else 0
        nodes.append(
            {
                "id": s.id,
                "name": s.name_zh if lang(request) == "zh" else s.name_en,
                "x": x * 300,
                "y": y * 90,
                "category": 0 if present and s.id not in weak else 1,
                "value": firms,
                "position": lab("chain_position", s.position),
            }
        )
    links = [
        {"source": s.id, "target": tgt}
        for s in rep.template.segments
        for tgt in s.supplies
        if tgt in {n["id"] for n in nodes}
    ]
    graph = {"nodes": nodes, "links": links, "categories": cats}
    return render(
        request,
        "_chain.html",
        principal,
        rep=rep,
        summary=view.summary,
        notes=view.notes,
        chain=chain,
        choices=choices,
        cluster_id=cluster_id,
        graph=graph,
        segments=records_or_empty(segs),
        weak=records_or_empty(tabs["weak_links"]),
        strong=records_or_empty(tabs["strong_links"]),
        extend=records_or_empty(tabs["extend_links"]),
        leaders=None
        if tabs["leader_candidates"] is None
        else records_or_empty(tabs["leader_candidates"].head(10)),
        lsr_by={r["segment"]: r for r in records_or_empty(tabs["lsr_segments"])},
    )


@router.get("/clusters/{cluster_id}/resilience", response_class=HTMLResponse)
def cluster_resilience_part(request: Request, principal: P, cluster_id: str) -> HTMLResponse:
    need_login(principal)
    mod = _resilience_module()
    hot = getattr(mod, "hot_spots_for", None) if mod else None
    if hot is None:
        return render(request, "_unavailable.html", principal, what="resilience")
    eng = _engine(request)
    res = hot(principal, cluster_id, engine=eng, client=deps.client(request))
    t = translator(lang(request))
    tab = res.table.copy()
    if "region" in tab.columns:
        tab.insert(
            tab.columns.get_loc("region") + 1, "region_name", tab["region"].map(_region_label)
        )
    if "industry" in tab.columns:
        tab.insert(
            tab.columns.get_loc("industry") + 1,
            "industry_name",
            tab["industry"].map(_industry_label),
        )
    top = tab.head(10)
    chart = {
        "categories": [str(n) for n in top["name"]][::-1] if "name" in top else [],
        "series": [
            {
                "name": t("经济系统性风险指数 ESRI", "economic systemic risk index (ESRI)"),
                "data": [_clean(v) for v in top["esri"]][::-1] if "esri" in top else [],
            }
        ],
        "horizontal": True,
    }
    return render(
        request,
        "_resilience.html",
        principal,
        res=res,
        rows=records_or_empty(tab),
        cols=[c for c in tab.columns if c not in ("id", "region", "industry")],
        chart_data=chart,
        chart_id="chart-hotspots",
        title=t(
            "供应链热点：系统性风险最高的供应商（ESRI）与单点故障",
            "Hot spots: the most systemic suppliers (ESRI) and chokepoints",
        ),
    )


def _region_label(code: Any) -> str:
    from jiqun import reference

    if _missing(code):
        return "—"
    return reference.region_name(str(code)) or str(code)


def _industry_label(code: Any) -> str:
    from jiqun import reference

    if _missing(code):
        return "—"
    return reference.industry_name(str(code)) or str(code)


@router.get("/clusters/{cluster_id}/published", response_class=HTMLResponse)
def cluster_published_part(request: Request, principal: P, cluster_id: str) -> HTMLResponse:
    return _published_part(request, principal, cluster_id=cluster_id, by="region")


# --------------------------------------------------------------------------------------------
# published statistics (disclosure control)
# --------------------------------------------------------------------------------------------


def _published_part(request: Request, principal: P, **kw: Any) -> HTMLResponse:
    mod = _published_module()
    if mod is None:
        return render(request, "_unavailable.html", principal, what="published")
    res = mod.published_table(principal, engine=_engine(request), **kw)
    return render(request, "_published.html", principal, pub=_pub_view(res, principal), kw=kw)


PUB_COLUMNS = (
    "region_code",
    "region_name",
    "industry_code",
    "industry_name",
    "kind",
    "value",
    "n_enterprises",
    "suppression",
)


def _pub_view(res: Any, principal: Principal) -> dict[str, Any]:
    """Columns and rows of a published table; suppressed cells flagged for the template."""
    df: pd.DataFrame = res.table
    totals: pd.DataFrame | None = getattr(res, "totals", None)
    extra = ("confidential",) if principal.role == "admin" else ()
    cols = [c for c in (*PUB_COLUMNS, *extra) if c in df.columns]

    def rows_of(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
        out = []
        for rec in frame.to_dict("records"):
            sup = bool(rec.get("suppressed")) if not _missing(rec.get("suppressed")) else False
            out.append({"cells": [(c, _clean(rec.get(c))) for c in columns], "suppressed": sup})
        return out

    tot_cols = [c for c in ("kind", *PUB_COLUMNS, *extra) if totals is not None and c in totals]
    tot_cols = list(dict.fromkeys(tot_cols))
    basis = dict(getattr(res, "basis", {}) or {})
    disc = basis.pop("disclosure", None)
    if isinstance(disc, dict):
        basis["disclosure_rule"] = disc.get("rule")
        basis["viewer"] = disc.get("viewer")
        basis["suppressed_for_viewer"] = disc.get("suppressed_for_viewer")
    n_sup = int(df["suppressed"].astype(bool).sum()) if "suppressed" in df else 0
    return {
        "columns": cols,
        "rows": rows_of(df, cols),
        "total_columns": tot_cols,
        "totals": rows_of(totals, tot_cols) if totals is not None and len(totals) else [],
        "basis": basis,
        "notes": getattr(res, "notes", []),
        "n_suppressed": n_sup,
    }


@router.get("/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request,
    principal: P,
    year: int | None = None,
    measure: str = "revenue",
    by: str = "region",
    region: str | None = None,
    industry_level: int = 2,
    cluster_id: str | None = None,
    region_level: str = "prefecture",
) -> HTMLResponse:
    mod = _published_module()
    pub = None
    if mod is not None:
        res = mod.published_table(
            principal,
            engine=_engine(request),
            year=year,
            measure=measure,
            by=by,
            region=(region or "").strip() or None,
            industry_level=industry_level,
            cluster_id=(cluster_id or "").strip() or None,
            region_level=region_level,
        )
        pub = _pub_view(res, principal)
    return render(
        request,
        "statistics.html",
        principal,
        pub=pub,
        f={
            "year": year or "",
            "measure": measure,
            "by": by,
            "region": region or "",
            "industry_level": industry_level,
            "cluster_id": cluster_id or "",
            "region_level": region_level,
        },
    )


# --------------------------------------------------------------------------------------------
# regions
# --------------------------------------------------------------------------------------------


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request, principal: P, q: str | None = None) -> HTMLResponse:
    from jiqun.services.regions import region_index

    df = region_index(_engine(request), q=(q or "").strip() or None)
    provinces = df[df["level"] == "province"]
    prefectures = df[df["level"] == "prefecture"]
    groups = []
    for p in provinces.itertuples(index=False):
        kids = prefectures[prefectures["parent_code"] == p.code]
        groups.append({"code": p.code, "name": p.display_name, "children": records_or_empty(kids)})
    if q:  # prefectures matching whose province does not
        shown = set(provinces["code"])
        orphans = prefectures[~prefectures["parent_code"].isin(shown)]
        if len(orphans):
            groups.append({"code": "", "name": "", "children": records_or_empty(orphans)})
    return render(request, "regions.html", principal, groups=groups, q=q or "")


@router.get("/regions/compare", response_class=HTMLResponse)
def regions_compare_page(
    request: Request, principal: P, codes: str = "", measure: str = "employment"
) -> HTMLResponse:
    from jiqun.services.regions import MAX_COMPARE, compare_regions

    need_login(principal)
    raw = [c for c in codes.replace("，", ",").replace(" ", ",").split(",") if c.strip()]
    cmp = None
    sim_chart = bar_chart = None
    if raw:
        cmp = compare_regions(raw, _engine(request), measure=measure)
        t = translator(lang(request))
        s = cmp.similarity
        if len(s):
            labels = [str(x) for x in s.index]
            sim_chart = {
                "x": labels,
                "y": labels,
                "data": [
                    [i, j, round(float(s.iloc[j, i]), 3)]
                    for i in range(len(labels))
                    for j in range(len(labels))
                ],
                "name": t("结构相似系数", "structure similarity"),
                "min": 0,
                "max": 1,
            }
        tab = cmp.table
        bar_chart = {
            "categories": [str(n) for n in tab["region_name"]],
            "series": [
                {
                    "name": t("占全国比重 %", "share of the nation %"),
                    "data": [round(float(x) * 100, 2) for x in tab["share_of_nation"]],
                },
            ],
            "yName": "%",
        }
    return render(
        request,
        "compare.html",
        principal,
        cmp=cmp,
        rows=records_or_empty(cmp.table) if cmp else [],
        codes=codes,
        measure=measure,
        max_compare=MAX_COMPARE,
        sim_chart=sim_chart,
        bar_chart=bar_chart,
    )


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(request: Request, principal: P, code: str) -> HTMLResponse:
    from jiqun.services.regions import region_portfolio, region_profile

    eng = _engine(request)
    prof = region_profile(code, eng)
    port = region_portfolio(code, eng)
    return render(
        request,
        "region.html",
        principal,
        r=prof,
        portfolio=records_or_empty(port),
        published=_published_module() is not None,
    )


@router.get("/regions/{code}/next", response_class=HTMLResponse)
def region_next_part(
    request: Request, principal: P, code: str, measure: str = "employment"
) -> HTMLResponse:
    from jiqun.services.regions import region_positioning

    need_login(principal)
    pos = region_positioning(code, _engine(request), measure=measure)
    lab = labeller(lang(request))
    t = translator(lang(request))
    tab = pos.table
    series = []
    for key in ("opportunity", "low_hanging", "long_jump", "distant"):  # absent industries
        g = tab[tab["position"] == key]
        if g.empty:
            continue
        series.append(
            {
                "name": lab("position", key),
                "data": [
                    [
                        round(float(r.density), 4),
                        round(float(r.pci), 4),
                        round(float(r.cog), 4) if not _missing(r.cog) else 0.0,
                        f"{r.industry_name}（{r.industry_code}）",
                    ]
                    for r in g.itertuples(index=False)
                    if not _missing(r.density) and not _missing(r.pci)
                ],
            }
        )
    next_chart = {
        "series": series,
        "xName": t("关联密度（可行性）", "density (feasibility)"),
        "yName": t("产业复杂度 PCI", "PCI (complexity)"),
        "eci": pos.eci,
    }
    absent = tab[~tab["present"].astype(bool)] if len(tab) else tab
    top = absent[absent["position"].isin(["opportunity", "low_hanging"])].head(15)
    return render(
        request,
        "_region_next.html",
        principal,
        pos=pos,
        next_chart=next_chart,
        top=records_or_empty(top),
        code=code,
        measure=measure,
    )


@router.get("/regions/{code}/published", response_class=HTMLResponse)
def region_published_part(request: Request, principal: P, code: str) -> HTMLResponse:
    return _published_part(request, principal, region=code, by="industry")


# --------------------------------------------------------------------------------------------
# enterprises
# --------------------------------------------------------------------------------------------


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request,
    principal: P,
    region: str | None = None,
    industry: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    page: int = 1,
) -> HTMLResponse:
    from jiqun.services.directory import enterprise_list
    from jiqun.standard.schema import TAGS

    need_login(principal)
    size = 50
    page = max(1, page)
    df, total = enterprise_list(
        principal,
        _engine(request),
        region=(region or "").strip() or None,
        industry=(industry or "").strip() or None,
        tag=tag or None,
        q=(q or "").strip() or None,
        limit=size,
        offset=(page - 1) * size,
        client=deps.client(request),
    )
    return render(
        request,
        "enterprises.html",
        principal,
        rows=records_or_empty(df),
        total=total,
        page=page,
        pages=max(1, math.ceil(total / size)),
        tags=list(TAGS),
        f={"region": region or "", "industry": industry or "", "tag": tag or "", "q": q or ""},
    )


@router.get("/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_page(request: Request, principal: P, uscc: str) -> HTMLResponse:
    from jiqun.services.directory import enterprise_profile

    need_login(principal)
    eng = _engine(request)
    e = enterprise_profile(principal, uscc, eng, client=deps.client(request))
    owner = principal.role == "admin" or (
        principal.role == "enterprise" and principal.scope == e["uscc"]
    )
    grants: list[dict[str, Any]] = []
    orgs: list[dict[str, Any]] = []
    if owner:
        grants = [g for g in access.list_grants(principal, eng) if g["uscc"] == e["uscc"]]
        orgs = [o for o in accounts.list_organisations(eng, principal) if o["kind"] != "admin"]
    return render(request, "enterprise.html", principal, e=e, owner=owner, grants=grants, orgs=orgs)


@router.post("/enterprises/{uscc}/grants", response_model=None)
def enterprise_grant(
    request: Request,
    principal: P,
    uscc: str,
    organisation_id: Annotated[int, Form()],
    purpose: Annotated[str | None, Form(max_length=300)] = None,
) -> RedirectResponse:
    access.create_grant(
        principal,
        uscc,
        organisation_id,
        purpose=purpose or None,
        engine=_engine(request),
        client=deps.client(request),
    )
    request.session["flash"] = ["已授权 / access granted"]
    return RedirectResponse(f"/enterprises/{quote(uscc)}", status_code=303)


@router.post("/grants/{grant_id}/revoke", response_model=None)
def grant_revoke(request: Request, principal: P, grant_id: DbId) -> RedirectResponse:
    g = access.revoke_grant(
        principal, grant_id, engine=_engine(request), client=deps.client(request)
    )
    request.session["flash"] = ["已撤销授权 / grant revoked"]
    return RedirectResponse(f"/enterprises/{quote(g['uscc'])}", status_code=303)


@router.get("/memberships", response_class=HTMLResponse)
def memberships_page(request: Request, principal: P, status: str = "pending") -> HTMLResponse:
    """Cluster memberships awaiting approval (admin: all; a firm: its own; a cluster
    organisation: its own requests, read only)."""
    from jiqun.services import memberships

    need_login(principal)
    status = status if status in (*memberships.STATUSES, "all") else "pending"
    rows = memberships.list_memberships(
        principal, None if status == "all" else status, _engine(request)
    )
    return render(
        request,
        "memberships.html",
        principal,
        rows=rows,
        status=status,
        can_decide=principal.role in ("admin", "enterprise"),
    )


@router.post("/memberships/{cluster_id}/{uscc}/{decision}", response_model=None)
def membership_decide(
    request: Request, principal: P, cluster_id: str, uscc: str, decision: str
) -> RedirectResponse:
    from jiqun.services import memberships

    if decision not in ("approve", "reject"):
        raise access.NotFound("找不到该操作", "no such action")
    memberships.decide_membership(
        principal,
        cluster_id,
        uscc,
        decision == "approve",
        engine=_engine(request),
        client=deps.client(request),
    )
    request.session["flash"] = (
        ["已批准 / approved"] if decision == "approve" else ["已拒绝 / rejected"]
    )
    return RedirectResponse("/memberships", status_code=303)


@router.get("/my-readers", response_class=HTMLResponse)
def readers_page(
    request: Request, principal: P, uscc: str | None = None, page: int = 1
) -> HTMLResponse:
    """谁查看了我的数据 / who read my records (an enterprise account; an admin passes uscc)."""
    need_login(principal)
    size = 100
    page = max(1, page)
    rows, total = access.readers_of(
        principal, uscc, limit=size, offset=(page - 1) * size, engine=_engine(request)
    )
    return render(
        request,
        "readers.html",
        principal,
        rows=rows,
        total=total,
        uscc=uscc if principal.role == "admin" else principal.scope,
    )


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(
    request: Request, principal: P, kind: str = "firm", target: str = ""
) -> HTMLResponse:
    need_login(principal)
    return render(
        request,
        "scenarios.html",
        principal,
        available=getattr(_resilience_module(), "scenario_loss", None) is not None,
        kind=kind if kind in ("firm", "region", "import") else "firm",
        target=target[:40],
    )


@router.post("/scenarios/run", response_class=HTMLResponse)
def scenarios_run(
    request: Request,
    principal: P,
    kind: Annotated[str, Form(max_length=10)],
    target: Annotated[str, Form(max_length=40)],
) -> HTMLResponse:
    """Propagate a disruption (firm, region or input industry); losses by province."""
    need_login(principal)
    mod = _resilience_module()
    run = getattr(mod, "scenario_loss", None) if mod else None
    if run is None:
        return render(request, "_unavailable.html", principal, what="resilience")
    eng = _engine(request)
    target = target.strip()
    res = run(principal, kind, target, engine=eng, client=deps.client(request))
    access.audit(
        principal,
        "scenario_run",
        f"scenario:{kind}",
        detail={"target": target},
        client=deps.client(request),
        engine=eng,
    )
    t = translator(lang(request))
    # suppressed rows keep their key and say so in ``disclosure`` (保密 / suppressed)
    tab = res.table.drop(columns=["suppressed"], errors="ignore")
    if "province" in tab.columns:
        tab.insert(1, "province_name", tab["province"].map(_region_label))
    top = tab.head(15)
    chart = {
        "categories": [str(n) for n in top.get("province_name", top.iloc[:, 0])][::-1],
        "series": [
            {
                "name": t("产出损失（万元）", "output loss (10k yuan)"),
                "data": [_clean(v) for v in top["output_loss"]][::-1]
                if "output_loss" in top
                else [],
            }
        ],
        "horizontal": True,
    }
    return render(
        request,
        "_resilience.html",
        principal,
        res=res,
        rows=records_or_empty(tab),
        cols=list(tab.columns),
        chart_data=chart,
        chart_id="chart-scenario",
        title=t("传导损失（按省份）", "Propagated loss by province"),
    )


# --------------------------------------------------------------------------------------------
# imports
# --------------------------------------------------------------------------------------------


def _import_kinds(principal: Principal) -> list[tuple[str, str, str]]:
    from jiqun.standard.schema import KINDS

    allowed = access.importable_kinds(principal)
    return [(k, KINDS[k].zh, KINDS[k].en) for k in allowed if k in KINDS]


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services import uploads

    need_login(principal)
    return render(
        request,
        "imports.html",
        principal,
        kinds=_import_kinds(principal),
        staged=uploads.list_staged(principal)[:10],
    )


@router.post("/imports", response_class=HTMLResponse)
def imports_validate(
    request: Request,
    principal: P,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=40)],
) -> HTMLResponse:
    """Stage the upload (safety checks), validate it and show every problem in the page."""
    from jiqun.services import uploads

    need_login(principal)
    eng = _engine(request)
    staged = uploads.stage_upload(file.file, file.filename, kind, principal)
    summary = uploads.validate_upload(staged, principal, eng)
    access.audit(
        principal,
        "import_validate",
        f"upload:{staged.id}",
        detail={"kind": kind, "rows": summary["rows"], "error_rows": summary["error_rows"]},
        client=deps.client(request),
        engine=eng,
    )
    return render(request, "_import_result.html", principal, s=summary)


@router.get("/imports/{staged_id}/report.{ext}")
def imports_report(request: Request, principal: P, staged_id: str, ext: str) -> FileResponse:
    """The error report (.csv or .xlsx) of one's own staged upload."""
    from jiqun.services import uploads

    need_login(principal)
    if ext not in ("csv", "xlsx"):
        raise access.NotFound("找不到该报告格式", "no such report format")
    staged = uploads.load_staged(staged_id, principal)
    path = staged.report_path(ext)
    if not path.is_file():
        raise access.NotFound("该上传尚未校验", "this upload has not been validated")
    media = (
        "text/csv; charset=utf-8"
        if ext == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stem = Path(str(staged.meta.get("filename") or "upload")).stem
    return FileResponse(path, media_type=media, filename=f"{stem}-errors.{ext}")


@router.post("/imports/{staged_id}/commit", response_class=HTMLResponse)
def imports_commit(
    request: Request,
    principal: P,
    staged_id: str,
    mode: Annotated[str, Form(max_length=20)] = "all_or_nothing",
) -> HTMLResponse:
    from jiqun.services import uploads

    need_login(principal)
    staged = uploads.load_staged(staged_id, principal)
    out = uploads.commit_upload(
        staged,
        principal,
        skip_invalid=mode == "skip_invalid",
        engine=_engine(request),
        client=deps.client(request),
    )
    return render(
        request, "_import_commit.html", principal, r=out, original=staged.meta.get("filename")
    )


# --------------------------------------------------------------------------------------------
# admin
# --------------------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services import memberships

    access.require_role(principal, "admin")
    eng = _engine(request)
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
        error=None,
    )


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
    eng = _engine(request)
    try:
        p = accounts.add_user(username, role, password, (scope or "").strip() or None, eng)
    except JiqunError as e:
        code = lang(request)
        request.session["flash"] = [e.message_zh if code == "zh" else e.message_en, "error"]
        return RedirectResponse("/admin#users", status_code=303)
    access.audit(
        principal,
        "user_create",
        f"user:{p.username}",
        detail={"role": p.role, "scope": p.scope},
        client=deps.client(request),
        engine=eng,
    )
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
        lambda: accounts.disable_user(principal, username, deps.client(request), _engine(request)),
        f"已停用 {username}，其会话和令牌已结束 / {username} disabled, sessions and tokens ended",
    )


@router.post("/admin/users/{username}/enable", response_model=None)
def admin_enable_user(request: Request, principal: P, username: str) -> Response:
    access.require_role(principal, "admin")
    return _admin_user_action(
        request,
        lambda: accounts.enable_user(principal, username, deps.client(request), _engine(request)),
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
            principal, username, password, deps.client(request), _engine(request)
        ),
        f"已重置 {username} 的密码 / password of {username} reset",
    )
