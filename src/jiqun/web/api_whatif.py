"""REST API: what-if for 补链/招商 (``POST /api/v1/plans/whatif``).

A thin wrapper over :func:`jiqun.services.planning_whatif.whatif_candidates`, which decides
access (a named firm only for a caller who may read it, 404 otherwise; the public uses
profiles only) and audits the read. The answer is the report's
:meth:`~jiqun.services.planning_whatif.WhatIfReport.to_dict`, the same as ``jiqun plan whatif
--json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from jiqun.web import deps
from jiqun.web.api_common import E, P
from jiqun.web.inputs import Body

router = APIRouter()


class CandidateIn(Body):
    """A candidate: ``firm`` (credit code of a firm of another region) or a profile."""

    firm: str | None = Field(default=None, min_length=2, max_length=18)
    industry: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    size: float | None = Field(default=None, ge=0, description="output, 万元")
    segment: str | None = Field(default=None, max_length=60)


class WhatIfIn(Body):
    """Cluster, chain and up to 20 candidates."""

    cluster: str = Field(min_length=1, max_length=40)
    chain: str = Field(min_length=1, max_length=60)
    candidates: list[CandidateIn] = Field(min_length=1, max_length=20)


class WhatIfOut(BaseModel):
    cluster: str
    chain: str
    candidates: list[dict[str, Any]]
    basis: dict[str, Any]
    notes: list[str]


@router.post("/plans/whatif", tags=["planning"], response_model=WhatIfOut)
def plans_whatif(body: WhatIfIn, principal: P, engine: E, request: Request) -> Any:
    """补链/招商情景 / what-if for 补链/招商: each candidate's change in the chain's
    completeness, local supporting rate, weak links closed and single points of failure removed
    or added, with the relatedness density of its industry, from the cluster's stored chain
    analysis; candidates ranked best first. A named firm only for a caller who may read it (404
    otherwise); the public may use profiles only."""
    from jiqun.services.planning_whatif import whatif_candidates

    rep = whatif_candidates(
        principal,
        body.cluster,
        body.chain,
        [c.model_dump() for c in body.candidates],
        engine=engine,
        client=deps.client(request),
    )
    return rep.to_dict()
