"""Web UI: ``/`` national overview (cluster counts and output by field, innovation carriers,
the cluster map) and ``/search`` (clusters and regions by name, pinyin, initials or code).
Public.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from jiqun.services.accounts import Principal
from jiqun.standard.problems import JiqunError
from jiqun.web.i18n import labeller, lang, translator
from jiqun.web.page_cache import shared
from jiqun.web.ui import (
    P,
    engine_of,
    missing,
    page_router,
    ranked_bars,
    records_or_empty,
    render,
    viewer_block,
)

router = page_router()


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, principal: P, q: str = "") -> HTMLResponse:
    """The top navigation's search box: :func:`jiqun.services.directory.search`."""
    from jiqun.services.directory import search

    res = search(q[:50], engine_of(request), limit=50)
    return render(request, "search.html", principal, q=q[:50], res=res)


def boundary_token() -> tuple[Any, ...]:
    """What the map's boundary configuration is now: its file, approval number, levels and
    modification time, or the reason it is refused (so a new file or setting is seen at once)."""
    from jiqun.services.maps import configured_boundary, file_mtime

    try:
        b = configured_boundary()
    except JiqunError as e:
        return ("refused", e.message_en)
    if b is None:
        return ("tiles",)
    return (b.path, b.approval, tuple(b.levels()), file_mtime(b.path))


def map_block(
    request: Request, principal: Principal, *, focus: str | None = None, cluster: str | None = None
) -> dict[str, Any]:
    """The map block of the overview, a region's and a cluster's page
    (:func:`jiqun.services.maps.map_data` as JSON-ready dict), kept per data version.

    Building it reads and suppresses release cells for ~400 places (most of a warm page's time);
    the result depends only on the data version, the release, the boundary configuration, the
    page's place and language, and the viewer's :func:`jiqun.services.access.disclosure_scope`
    — so it is computed once per such key and shared read-only (never across disclosure scopes).

    Parameters
    ----------
    request:
        The page request (engine, language).
    principal:
        The viewer.
    focus, cluster:
        As ``focus`` and ``cluster_id`` of :func:`jiqun.services.maps.map_data`.

    Returns
    -------
    dict: :meth:`jiqun.services.maps.MapData.to_dict` (must not be mutated).

    References
    ----------
    docs/maps.md.

    Example
    -------
    >>> map_block(request, principal, focus="320200")["selected"]  # doctest: +SKIP
    '320000'
    """
    from jiqun.services.maps import map_data

    eng = engine_of(request)
    code = lang(request)
    return viewer_block(
        request,
        principal,
        "page-map",
        (boundary_token(), focus, cluster, code),
        lambda: map_data(principal, eng, focus=focus, cluster_id=cluster, lang=code).to_dict(),
    )


@router.get("/", response_class=HTMLResponse)
@shared
def index(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services.overview import national_overview

    eng = engine_of(request)
    ov = national_overview(eng)
    # the page shows output in 亿元 (the store keeps 万元): its basis line says what it shows
    ov = dataclasses.replace(
        ov,
        basis={
            **ov.basis,
            "unit": "产值：亿元；从业人员：人；企业数：家 / output: 100m yuan; employment: persons; "
            "firms: count",
        },
    )
    from jiqun.services.cache import cached
    from jiqun.services.directory import cluster_list

    # the registry's clusters per tier: a fact of the data version, not of the request (the
    # whole list with its region names took ~40% of a warm overview)
    tiers = cached(
        eng,
        ("page-cluster-tiers",),
        lambda: {str(k): int(v) for k, v in cluster_list(eng)["tier"].value_counts().items()},
        persist=False,
        stale_ok=True,
    )
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
    output_chart = ranked_bars(
        [
            n if lang(request) == "zh" or missing(en) else en
            for n, en in zip(top["name"], top["name_en"], strict=False)
        ],
        [round(float(v) / 1e4, 1) for v in top["output_wan_yuan"]],
        t("主导产业产值（亿元）", "leading-industry output (100m yuan)"),
        t("亿元", "100m yuan"),
    )
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
        "yName": t("个 / 家", "count"),
        "horizontal": True,
    }
    return render(
        request,
        "overview.html",
        principal,
        ov=ov,
        field_chart=field_chart,
        output_chart=output_chart,
        innov_chart=innov_chart,
        map=map_block(request, principal),
        batches={int(k): int(v) for k, v in by_tier_df.items() if not missing(k)},
        tiers=tiers,
        clusters=records_or_empty(ov.clusters),
    )


@router.get("/maps/boundary/{level}.geojson")
def boundary_geojson(level: str, within: str | None = None) -> JSONResponse:
    """The configured boundary file's features of one level (404 when none is configured)."""
    from jiqun.services.access import NotFound
    from jiqun.services.maps import boundary_features, configured_boundary

    b = configured_boundary()
    if b is None:
        raise NotFound("未配置边界文件", "no boundary file is configured")
    return JSONResponse(boundary_features(b, level, within), media_type="application/geo+json")


@router.post("/maps/boundary", response_model=None)
def boundary_upload(
    request: Request,
    principal: P,
    file: Annotated[UploadFile, File()],
    approval: Annotated[str, Form(max_length=80)],
) -> Response:
    """An admin's approved boundary file with its 审图号 (checked before it replaces the maps')."""
    from jiqun.errors import AccessDenied
    from jiqun.services.maps import save_boundary
    from jiqun.standard.problems import JiqunError
    from jiqun.web import deps

    code = lang(request)
    try:
        b = save_boundary(
            principal, file.file.read(), approval, engine_of(request), deps.client(request)
        )
    except AccessDenied:
        raise
    except JiqunError as e:
        request.session["flash"] = [e.message_zh if code == "zh" else e.message_en, "error"]
        return RedirectResponse("/#map", status_code=303)
    done = "已启用边界文件，审图号" if code == "zh" else "boundary file in use, approval No."
    request.session["flash"] = [f"{done} {b.approval}"]
    return RedirectResponse("/#map", status_code=303)
