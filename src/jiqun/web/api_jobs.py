"""REST API: background jobs and the state of the stored results (:mod:`jiqun.services.refresh`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from jiqun.services import refresh
from jiqun.web import deps
from jiqun.web.api_common import E, P

router = APIRouter(tags=["jobs"])
Status = Literal["queued", "running", "succeeded", "failed"]


def _plain(job: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v != v else v) for k, v in job.items()}  # NaT/NaN → null


@router.get("/results/status")
def results_status(principal: P, engine: E) -> dict[str, Any]:
    """结果状态 / whether the figures are of the present data (everyone; details for the admin)."""
    return refresh.results_state(principal, engine)


@router.get("/jobs")
def list_jobs(
    principal: P,
    engine: E,
    status: Annotated[Status | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """后台任务 / background jobs, newest first (admin)."""
    df = refresh.jobs_for(principal, engine, status=status, limit=limit)
    return {"rows": [_plain(r) for r in df.to_dict("records")], "total": len(df)}


@router.get("/jobs/{job_id}")
def get_job(principal: P, engine: E, job_id: int) -> dict[str, Any]:
    """一个后台任务 / one job (admin)."""
    return _plain(refresh.job_for(principal, job_id, engine))


@router.post("/jobs/{job_id}/retry", status_code=202)
def retry_job(request: Request, principal: P, engine: E, job_id: int) -> dict[str, Any]:
    """重试 / queue a finished job again (admin)."""
    new = refresh.retry_for(principal, job_id, engine, client=deps.client(request))
    return {"job": new}


@router.post("/jobs/refresh", status_code=202)
def queue_refresh(request: Request, principal: P, engine: E) -> dict[str, Any]:
    """刷新全部结果 / queue the refresh of every stored result (admin)."""
    return {"job": refresh.queue_refresh_for(principal, engine, client=deps.client(request))}
