"""Web page of the planning tools: ``/planning`` (区域分工规划).

Thin like :mod:`jiqun.web.ui`: :func:`jiqun.services.planning.division_plan` computes and decides
what the viewer gets (the registry plan for an admin, the group's government or the cluster's
organisation; the plan from the published release for everyone else). The page shows the plan
as a city × segment heat-map table, each city's positioning, why each city leads what, what the
plan changes and the basis. Further planning sections (what-if analyses) are added as their own
``<section>`` of ``planning.html`` and their own routes here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from jiqun.errors import JiqunError
from jiqun.web import deps
from jiqun.web.inputs import reject_controls
from jiqun.web.ui import P, UIRoute, render

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(reject_controls), Depends(deps.check_csrf)],
    route_class=UIRoute,
)


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def _heat(a: float | None, top: float) -> float:
    """Opacity of a heat-map cell: advantage over the table's largest, in [0.05, 0.85]."""
    if a is None or top <= 0:
        return 0.0
    return round(0.05 + 0.8 * min(1.0, max(0.0, a) / top), 3)


@router.get("/planning", response_class=HTMLResponse)
def planning_page(
    request: Request,
    principal: P,
    cluster: Annotated[str | None, Query(max_length=40)] = None,
    chain: Annotated[str | None, Query(max_length=60)] = None,
    regions: Annotated[str | None, Query(max_length=200)] = None,
    min_regions: Annotated[int, Query(ge=1, le=20)] = 1,
    max_segments: Annotated[str | None, Query(max_length=3)] = None,
    keep: Annotated[float, Query(ge=0, le=1000)] = 2.0,
    overlap_penalty: Annotated[float, Query(ge=0, le=100)] = 1.0,
) -> HTMLResponse:
    from jiqun.chains.templates import load_templates
    from jiqun.services.planning import division_plan, group_clusters

    eng = _engine(request)
    cluster = (cluster or "").strip() or None
    chain = (chain or "").strip() or None
    region_list = [r.strip() for r in (regions or "").split(",") if r.strip()] or None
    limit = int(max_segments) if max_segments and max_segments.strip().isdigit() else None
    form = {
        "cluster": cluster or "",
        "chain": chain or "",
        "regions": regions or "",
        "min_regions": min_regions,
        "max_segments": limit or "",
        "keep": keep,
        "overlap_penalty": overlap_penalty,
    }
    plan: dict[str, Any] | None = None
    error: JiqunError | None = None
    status = 200
    if cluster or region_list:
        try:
            view = division_plan(
                principal,
                None if region_list else cluster,
                chain,
                region_list,
                engine=eng,
                client=deps.client(request),
                min_regions=min_regions,
                max_segments=limit,
                keep=keep,
                overlap_penalty=overlap_penalty,
            )
            plan = _page_plan(view)
        except JiqunError as exc:
            error, status = exc, exc.status
    chains = [
        {"id": t.id, "name_zh": t.name_zh, "name_en": t.name_en} for t in load_templates().values()
    ]
    return render(
        request,
        "planning.html",
        principal,
        status_code=status,
        form=form,
        clusters=group_clusters(eng),
        chains=chains,
        plan=plan,
        error=error,
    )


def _page_plan(view: Any) -> dict[str, Any]:
    """What the page shows of a :class:`jiqun.services.planning.PlanView`."""
    d = view.to_dict()
    seg = {s["id"]: s for s in d["segments"]}
    ex = d["explanation"]
    top = max((r["advantage"] or 0.0 for r in ex), default=0.0)
    grid: dict[str, dict[str, Any]] = {}
    for r in ex:
        grid.setdefault(r["region"], {})[r["segment"]] = {
            **r,
            "alpha": _heat(r["advantage"], top) if r["assigned"] else 0.0,
        }
    names = {c["code"]: c["name"] for c in d["cities"]}
    return {
        **d,
        "seg": seg,
        "grid": grid,
        "names": names,
        "assigned": [r for r in ex if r["assigned"]],
        "not_assigned": [r for r in ex if not r["assigned"]],
    }
