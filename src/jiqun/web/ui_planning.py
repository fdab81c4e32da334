"""Web page of the planning tools: ``/planning`` (区域分工规划).

Thin like :mod:`jiqun.web.ui`: :func:`jiqun.services.planning.division_plan` computes and decides
what the viewer gets (the registry plan for an admin, the group's government or the cluster's
organisation; the plan from the published release for everyone else). The page shows the plan
as a city × segment heat-map table, each city's positioning, why each city leads what, what the
plan changes and the basis. ``/planning/whatif`` adds the 补链/招商 what-if
(:func:`jiqun.services.planning_whatif.whatif_candidates`) as its own ``<section>``: a profile
form anyone may use (a GET form, no sign-in needed, as ``GET /api/v1/plans/whatif``); a named
firm of another region only for a signed-in reader of that firm.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from jiqun.errors import JiqunError
from jiqun.services.accounts import Principal
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
    from jiqun.services.planning import division_plan

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
    return _render(request, principal, eng, status, form=form, plan=plan, error=error)


#: the what-if form, empty
_WI_EMPTY: dict[str, Any] = {
    "cluster": "",
    "chain": "",
    "industry": "",
    "size": "",
    "segment": "",
    "firm": "",
}
_DIV_EMPTY: dict[str, Any] = {
    "cluster": "",
    "chain": "",
    "regions": "",
    "min_regions": 1,
    "max_segments": "",
    "keep": 2.0,
    "overlap_penalty": 1.0,
}


def _render(
    request: Request, principal: Principal, eng: Engine, status: int, **parts: Any
) -> HTMLResponse:
    """The planning page: both forms (empty unless given), the choice lists and ``parts`` (the
    section that was asked for: ``form``, ``plan``, ``error`` or ``wi``, ``whatif``,
    ``whatif_error``)."""
    page: dict[str, Any] = {
        "form": _DIV_EMPTY,
        "wi": _WI_EMPTY,
        "plan": None,
        "error": None,
        "whatif": None,
        "whatif_error": None,
    }
    return render(
        request,
        "planning.html",
        principal,
        status_code=status,
        **_choices(eng),
        **(page | parts),
    )


def _choices(eng: Engine) -> dict[str, Any]:
    """The forms' choice lists: multi-city clusters (division), every cluster (what-if), chains."""
    from jiqun.chains.templates import load_templates
    from jiqun.services.directory import cluster_choices
    from jiqun.services.planning import group_clusters

    chains = [
        {
            "id": t.id,
            "name_zh": t.name_zh,
            "name_en": t.name_en,
            # the what-if's segment choice: names shown, the id only as the option's value
            "segments": [
                {"id": g.id, "name_zh": g.name_zh, "name_en": g.name_en} for g in t.segments
            ],
        }
        for t in load_templates().values()
    ]
    return {
        "clusters": group_clusters(eng),
        "all_clusters": cluster_choices(eng),
        "chains": chains,
    }


@router.get("/planning/whatif", response_class=HTMLResponse)
def whatif_page(
    request: Request,
    principal: P,
    cluster: Annotated[str | None, Query(max_length=40)] = None,
    chain: Annotated[str | None, Query(max_length=60)] = None,
    industry: Annotated[str | None, Query(max_length=4)] = None,
    size: Annotated[str | None, Query(max_length=14)] = None,
    segment: Annotated[str | None, Query(max_length=60)] = None,
    firm: Annotated[str | None, Query(max_length=18)] = None,
) -> HTMLResponse:
    from jiqun.services.planning_whatif import whatif_candidates

    eng = _engine(request)
    wi = {
        "cluster": (cluster or "").strip(),
        "chain": (chain or "").strip(),
        "industry": (industry or "").strip(),
        "size": (size or "").strip(),
        "segment": (segment or "").strip(),
        "firm": (firm or "").strip(),
    }
    result: dict[str, Any] | None = None
    error: JiqunError | None = None
    status = 200
    if wi["cluster"]:
        try:
            specs: list[dict[str, Any]] = []
            if wi["firm"]:
                specs.append({"firm": wi["firm"]})
            if wi["industry"] or wi["segment"]:
                specs.append(
                    {
                        "industry": wi["industry"] or None,
                        "size": _size(wi["size"]),
                        "segment": wi["segment"] or None,
                    }
                )
            if not wi["chain"]:
                raise JiqunError("请选择产业链", "choose a chain")
            rep = whatif_candidates(
                principal,
                wi["cluster"],
                wi["chain"],
                specs,
                engine=eng,
                client=deps.client(request),
            )
            result = _page_whatif(rep)
        except JiqunError as exc:
            error, status = exc, exc.status
    return _render(request, principal, eng, status, wi=wi, whatif=result, whatif_error=error)


def _size(v: str) -> float | None:
    """The profile's output (万元) as typed; refused in both languages if not a number ≥ 0."""
    if not v:
        return None
    try:
        x = float(v)
    except ValueError:
        x = -1.0
    if not x >= 0 or x == float("inf"):
        raise JiqunError(f"产值应为非负数：{v!r}", f"the output should be a number ≥ 0: {v!r}")
    return x


def _page_whatif(rep: Any) -> dict[str, Any]:
    """What the page shows of a :class:`jiqun.services.planning_whatif.WhatIfReport`: its
    document (the API's) with the chain's segment names."""
    from jiqun.chains.templates import load_templates

    d = rep.to_dict()
    t = load_templates().get(rep.chain)
    names = {} if t is None else {s.id: (s.name_zh, s.name_en) for s in t.segments}
    return {**d, "segment_names": names}


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
