"""REST API: background jobs and the state of the stored results (:mod:`jiqun.services.refresh`)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from jiqun.services import refresh
from jiqun.web import deps
from jiqun.web.api_common import TABLE, DbId, E, P, TablePage

router = APIRouter(tags=["jobs"])
Status = Literal["queued", "running", "succeeded", "failed"]


def _plain(job: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v != v else v) for k, v in job.items()}  # NaT/NaN → null


@router.get("/results/status")
def results_status(principal: P, engine: E) -> dict[str, Any]:
    """结果状态 / whether the figures are of the present data (everyone; details for the admin)."""
    return refresh.results_state(principal, engine)


@router.get("/jobs", response_model=None, responses=TABLE)
def list_jobs(
    principal: P,
    engine: E,
    table: TablePage,
    status: Annotated[Status | None, Query()] = None,
) -> Response:
    """后台任务 / background jobs, newest first (admin)."""
    df = refresh.jobs_for(principal, engine, status=status, limit=1000)
    df = df.assign(params=df["params"].map(json.dumps), summary=df["summary"].map(json.dumps))
    return table.page(df, "jobs", "-id")


@router.get("/jobs/{job_id}")
def get_job(principal: P, engine: E, job_id: DbId) -> dict[str, Any]:
    """一个后台任务 / one job (admin)."""
    return _plain(refresh.job_for(principal, job_id, engine))


@router.post("/jobs/{job_id}/retry", status_code=202)
def retry_job(request: Request, principal: P, engine: E, job_id: DbId) -> dict[str, Any]:
    """重试 / queue a finished job again (admin)."""
    new = refresh.retry_for(principal, job_id, engine, client=deps.client(request))
    return {"job": new}


@router.post("/jobs/refresh", status_code=202)
def queue_refresh(request: Request, principal: P, engine: E) -> dict[str, Any]:
    """刷新全部结果 / queue the refresh of every stored result (admin)."""
    return {"job": refresh.queue_refresh_for(principal, engine, client=deps.client(request))}
