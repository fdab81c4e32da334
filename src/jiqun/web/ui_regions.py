"""Web UI: ``/regions`` index, ``/regions/compare`` and the ``/regions/{code}`` dashboard with its
``/next`` (industries to develop) and ``/published`` sections.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from jiqun.web.i18n import labeller, lang, localizer, translator
from jiqun.web.page_cache import shared
from jiqun.web.responses import docx_response
from jiqun.web.ui import (
    P,
    engine_of,
    given,
    missing,
    need_login,
    page_router,
    published_module,
    records_or_empty,
    render,
)
from jiqun.web.ui_statistics import published_part

router = page_router()


@router.get("/regions", response_class=HTMLResponse)
@shared
def regions_page(request: Request, principal: P, q: str | None = None) -> HTMLResponse:
    from jiqun.services.directory import search
    from jiqun.services.regions import region_index

    eng = engine_of(request)
    df = region_index(eng, q=given(q))
    if given(q):  # pinyin, initials and full-width input too (the rules of the search box)
        found = {r["code"] for r in search(q, eng, limit=100)["regions"]}
        every = region_index(eng)
        df = every[every["code"].isin(found) | every["code"].isin(df["code"])]
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
        cmp = compare_regions(raw, engine_of(request), measure=measure)
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
@shared
def region_page(request: Request, principal: P, code: str) -> HTMLResponse:
    from jiqun.services.regions import region_portfolio, region_profile
    from jiqun.web.ui_overview import map_block

    eng = engine_of(request)
    prof = region_profile(code, eng)
    port = region_portfolio(code, eng)
    return render(
        request,
        "region.html",
        principal,
        r=prof,
        portfolio=records_or_empty(port),
        published=published_module() is not None,
        map=map_block(request, principal, focus=prof["code"]),
    )


@router.get("/regions/{code}/next", response_class=HTMLResponse)
@shared
def region_next_part(
    request: Request, principal: P, code: str, measure: str = "employment"
) -> HTMLResponse:
    from jiqun.services.regions import region_positioning

    need_login(principal)
    pos = region_positioning(code, engine_of(request), measure=measure)
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
                        round(float(r.cog), 4) if not missing(r.cog) else 0.0,
                        f"{r.industry_name}（{r.industry_code}）",
                    ]
                    for r in g.itertuples(index=False)
                    if not missing(r.density) and not missing(r.pci)
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
@shared
def region_published_part(request: Request, principal: P, code: str) -> HTMLResponse:
    return published_part(request, principal, region=code, by="industry")


@router.get("/regions/{code}/report.docx", response_class=Response)
def region_report_download(
    request: Request, principal: P, code: str, measure: str = "employment"
) -> Response:
    """The dashboard as a Word report for this reader (the public gets the public version)."""
    from jiqun.services.report_docx import Wording, region_report

    rep = region_report(
        principal,
        code,
        engine_of(request),
        wording=Wording(labeller("zh"), localizer("zh")),
        measure=measure,
    )
    return docx_response(rep, f"地区报告-{rep.subject.split()[-1]}")
