"""REST API: planning tools (规划工具) — a regional division of labour by comparative advantage.

A thin wrapper over :func:`jiqun.services.planning.division_plan`, which decides what a caller
gets: an admin, the government of every city of the group or the cluster's own organisation get
the plan built from the enterprise registry (audited); everyone else, the public included, the
plan built from the published release only. ``docs/planning.md`` states the formulation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from jiqun.web import deps
from jiqun.web.api_common import E, P
from jiqun.web.responses import table_response

router = APIRouter()


class DivisionPlanOut(BaseModel):
    """A division-of-labour plan: who leads what, why, and what it changes."""

    model_config = ConfigDict(extra="allow")
    group: dict[str, Any]
    chain: dict[str, Any]
    source: str
    cities: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    assignment: dict[str, list[str]]
    explanation: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    changes: dict[str, Any]
    basis: dict[str, Any]
    notes: list[str]


def split_regions(regions: str | None) -> list[str] | None:
    """``"310000,320500"`` → ``["310000", "320500"]``."""
    if not regions:
        return None
    return [r.strip() for r in regions.split(",") if r.strip()]


@router.get(
    "/plans/division",
    tags=["planning"],
    response_model=DivisionPlanOut,
    responses={200: {"content": {"text/csv": {}}}},
)
def division(
    principal: P,
    engine: E,
    request: Request,
    cluster: Annotated[str | None, Query(max_length=40)] = None,
    chain: Annotated[str | None, Query(max_length=60)] = None,
    regions: Annotated[
        str | None,
        Query(max_length=200, pattern=r"^[0-9]{6}(,[0-9]{6})*$", description="310000,320500,…"),
    ] = None,
    min_regions: Annotated[int, Query(ge=1, le=20)] = 1,
    max_segments: Annotated[int | None, Query(ge=1, le=100)] = None,
    keep: Annotated[float, Query(ge=0, le=1000)] = 2.0,
    overlap_penalty: Annotated[float, Query(ge=0, le=100)] = 1.0,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """区域产业链分工方案 / a division of a chain's segments among the cities of a cluster
    (``cluster``) or of a list of regions (``regions``) by comparative advantage (a
    mixed-integer program): who leads what, why (advantage components, deciding constraint,
    LP shadow cost), each city's positioning (龙头/配套/新兴) and what the plan changes.
    An infeasible request is refused (422) naming the segment or the limit."""
    from jiqun.services.planning import division_plan

    view = division_plan(
        principal,
        cluster,
        chain,
        split_regions(regions),
        engine=engine,
        client=deps.client(request),
        min_regions=min_regions,
        max_segments=max_segments,
        keep=keep,
        overlap_penalty=overlap_penalty,
    )
    if format == "csv":
        resp: Response = table_response(view.sheets()["plan"], "csv", "division_plan")
        return resp
    return JSONResponse(view.to_dict())
