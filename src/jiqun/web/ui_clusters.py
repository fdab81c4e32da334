"""Web UI: ``/clusters`` list and ``/clusters/{id}`` dashboard.

The diagnosis, chain map, resilience and published sections load through HTMX with a progress
indicator (``/clusters/{id}/diagnosis``, ``/chain``, ``/resilience``, ``/published``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from jiqun.services.cache import derived
from jiqun.web import deps
from jiqun.web.i18n import labeller, lang, localizer, translator
from jiqun.web.page_cache import shared
from jiqun.web.responses import docx_response
from jiqun.web.ui import (
    P,
    clean,
    engine_of,
    given,
    industry_label,
    need_login,
    page_router,
    published_module,
    ranked_bars,
    records_or_empty,
    region_label,
    render,
    resilience_function,
    resilience_module,
)
from jiqun.web.ui_statistics import published_part

router = page_router()


@router.get("/clusters", response_class=HTMLResponse)
@shared
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

    eng = engine_of(request)
    df = cluster_list(
        eng,
        tier=tier or None,
        field=field or None,
        region=given(region),
        q=given(q),
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
@shared
def cluster_page(request: Request, principal: P, cluster_id: str) -> HTMLResponse:
    from jiqun.services.directory import cluster_carriers, cluster_profile
    from jiqun.web.ui_overview import map_block

    eng = engine_of(request)
    prof = cluster_profile(cluster_id, eng)
    car = cluster_carriers(cluster_id, eng)
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
        published=published_module() is not None,
        resilience=resilience_module() is not None,
        map=map_block(request, principal, cluster=prof["cluster_id"]),
    )


def _chain_choices(field: str | None) -> list[dict[str, str | bool]]:
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
            {"name": str(city), "data": [clean(v.get(i)) for i in inds]},
        )
    return {
        "categories": [f"{i} {names.get(i) or ''}".strip() for i in inds],
        "series": series,
        "yName": name,
        "markLine": 1.0 if col == "lq" else 0.0,
    }


@router.get("/clusters/{cluster_id}/diagnosis", response_class=HTMLResponse)
@shared
def cluster_diagnosis_part(
    request: Request,
    principal: P,
    cluster_id: str,
    measure: str = "employment",
    level: str = "class",
) -> HTMLResponse:
    from jiqun.services.diagnosis import diagnose_cluster

    need_login(principal)
    eng = engine_of(request)
    d = diagnose_cluster(cluster_id, engine=eng, measure=measure, industry_level=level)
    code = lang(request)
    # the section's rows and charts depend on the stored diagnosis and the language only (the
    # same for every signed-in viewer): derived once per diagnosis object, not per request
    view = derived(d, ("page-diagnosis", code), lambda: _diagnosis_view(d, translator(code)))
    return render(
        request,
        "_diagnosis.html",
        principal,
        d=d,
        cluster_id=cluster_id,
        measure=measure,
        level=level,
        **view,
    )


def _diagnosis_view(d: Any, t: Callable[..., str]) -> dict[str, Any]:
    """The template values of the diagnosis section (shared between requests: read-only)."""
    lead = d.tables["leading_industries"]
    nxt = d.tables["next_industries"]
    return {
        "members": records_or_empty(d.tables["members"]),
        "leading": records_or_empty(lead),
        "strength": records_or_empty(d.tables["strength"]),
        "comp_regions": records_or_empty(d.tables["competition_regions"]),
        "comp_clusters": records_or_empty(d.tables["competition_clusters"]),
        "next_rows": records_or_empty(nxt[nxt["rank"] <= 5]) if len(nxt) else [],
        "lq_chart": _lq_chart(lead, t, "lq", t("区位商 LQ", "LQ")),
        "trend_chart": _lq_chart(lead, t, "lq_change", t("区位商变化", "LQ change")),
    }


@router.get("/clusters/{cluster_id}/chain", response_class=HTMLResponse)
@shared
def cluster_chain_part(
    request: Request, principal: P, cluster_id: str, chain: str | None = None
) -> HTMLResponse:
    from jiqun.services.directory import cluster_profile

    need_login(principal)
    eng = engine_of(request)
    prof = cluster_profile(cluster_id, eng)
    choices = _chain_choices(prof.get("field"))
    try:
        from jiqun.services.chains import chain_analysis
    except ImportError:
        return render(request, "_unavailable.html", principal, what="chains")
    if not choices:
        return render(request, "_unavailable.html", principal, what="chains")
    ids = [str(c["id"]) for c in choices]
    chain = chain if chain in ids else ids[0]
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
    firms_of = segs.set_index("segment")["firms"] if len(segs) else None
    for s in rep.template.segments:
        x = order.get(s.position, 1)
        y = col_y.get(s.position, 0)
        col_y[s.position] = y + 1
        present = bool(comp["present"].get(s.id, False)) if s.id in comp.index else False
        firms = int(firms_of.get(s.id, 0)) if firms_of is not None else 0
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
    hot = resilience_function("hot_spots_for")
    if hot is None:
        return render(request, "_unavailable.html", principal, what="resilience")
    eng = engine_of(request)
    res = hot(principal, cluster_id, engine=eng, client=deps.client(request))
    t = translator(lang(request))
    tab = res.table.copy()
    if "region" in tab.columns:
        tab.insert(
            tab.columns.get_loc("region") + 1, "region_name", tab["region"].map(region_label)
        )
    if "industry" in tab.columns:
        tab.insert(
            tab.columns.get_loc("industry") + 1,
            "industry_name",
            tab["industry"].map(industry_label),
        )
    top = tab.head(10)
    chart = ranked_bars(
        top.get("name", []),
        top.get("esri", []),
        t("经济系统性风险指数 ESRI", "economic systemic risk index (ESRI)"),
        t("ESRI（0–1）", "ESRI (0–1)"),
    )
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


@router.get("/clusters/{cluster_id}/io", response_class=HTMLResponse)
@shared
def cluster_io_part(request: Request, principal: P, cluster_id: str) -> HTMLResponse:
    """The input–output linkages of the leading industries (public; needs ``JIQUN_IO_TABLE``)."""
    from jiqun.services.inputoutput import cluster_io_linkages

    res = cluster_io_linkages(cluster_id, engine_of(request))
    return render(request, "_io_linkages.html", principal, res=res)


@router.get("/clusters/{cluster_id}/published", response_class=HTMLResponse)
@shared
def cluster_published_part(request: Request, principal: P, cluster_id: str) -> HTMLResponse:
    return published_part(request, principal, cluster_id=cluster_id, by="region")


@router.get("/clusters/{cluster_id}/report.docx", response_class=Response)
def cluster_report_download(
    request: Request,
    principal: P,
    cluster_id: str,
    measure: str = "employment",
    level: str = "class",
) -> Response:
    """The dashboard as a Word report for this reader (the public gets the public version)."""
    from jiqun.services.report_docx import Wording, cluster_report

    rep = cluster_report(
        principal,
        cluster_id,
        engine_of(request),
        wording=Wording(labeller("zh"), localizer("zh")),
        measure=measure,
        level=level,
        client=deps.client(request),
    )
    return docx_response(rep, f"集群报告-{cluster_id}")
