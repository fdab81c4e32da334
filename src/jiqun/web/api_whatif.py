"""REST API: what-if for 补链/招商 (``GET`` and ``POST /api/v1/plans/whatif``).

Thin wrappers over :func:`jiqun.services.planning_whatif.whatif_candidates`, which decides
access (a named firm only for a caller who may read it, 404 otherwise; the public uses
profiles only) and audits the read. The answer is the report's
:meth:`~jiqun.services.planning_whatif.WhatIfReport.to_dict`, the same as ``jiqun plan whatif
--json``.

``POST`` takes the candidates as a JSON body, which the web layer accepts only from a caller who
is logged in (:mod:`jiqun.web.limits`). ``GET`` takes them as query parameters, so that the
public can ask about profiles without an account; for the same candidates both call the service
with the same arguments and answer the same document.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from jiqun.standard.problems import JiqunError
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


#: ``candidate=`` of the GET form: ``INDUSTRY[:SIZE[:SEGMENT]]`` (parts may be empty)
CANDIDATE = re.compile(r"([0-9]{4})?(?::([0-9]+(?:\.[0-9]+)?)?(?::([A-Za-z0-9_-]{1,60})?)?)?")
#: candidates per request, as the POST body allows
MAX_CANDIDATES = 20


def parse_candidate(value: str) -> dict[str, Any]:
    """One ``candidate=`` query value as a profile.

    Parameters
    ----------
    value:
        ``INDUSTRY[:SIZE[:SEGMENT]]``: a GB/T 4754-2017 class, its output (万元) and the
        segment it would serve, each part optional (``3973``, ``3973:20000``,
        ``::chip_design``).

    Returns
    -------
    dict
        ``industry``, ``size``, ``segment`` (``None`` where a part is empty).

    Raises
    ------
    JiqunError
        A value of another form (400), in Chinese and English.

    Example
    -------
    >>> parse_candidate("3973:20000:chip_design")
    {'industry': '3973', 'size': 20000.0, 'segment': 'chip_design'}
    >>> parse_candidate("::chip_design")
    {'industry': None, 'size': None, 'segment': 'chip_design'}
    """
    m = CANDIDATE.fullmatch(value.strip())
    if m is None or not (m.group(1) or m.group(3)):
        raise JiqunError(
            f"候选画像 {value!r} 应写作“行业小类[:产值[:环节]]”，如 3973:20000:chip_design",
            f"candidate {value!r} should read INDUSTRY[:SIZE[:SEGMENT]], "
            "e.g. 3973:20000:chip_design",
        )
    return {
        "industry": m.group(1) or None,
        "size": float(m.group(2)) if m.group(2) else None,
        "segment": m.group(3) or None,
    }


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


@router.get("/plans/whatif", tags=["planning"], response_model=WhatIfOut)
def plans_whatif_get(
    principal: P,
    engine: E,
    request: Request,
    cluster: Annotated[str, Query(min_length=1, max_length=40)],
    chain: Annotated[str, Query(min_length=1, max_length=60)],
    industry: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{4}$", description="profile: GB/T 4754-2017 class / 行业小类"),
    ] = None,
    size: Annotated[
        float | None, Query(ge=0, le=1e12, description="profile: output, 万元 / 产值")
    ] = None,
    segment: Annotated[
        str | None,
        Query(max_length=60, description="profile: the segment it would serve / 环节"),
    ] = None,
    candidate: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_CANDIDATES,
            description="more profiles, repeatable: INDUSTRY[:SIZE[:SEGMENT]] "
            "(3973:20000:chip_design, ::chip_design) / 更多画像候选，可重复",
        ),
    ] = None,
    firm: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=18,
            description="credit code of a firm of another region: only for a caller who may "
            "read it (401 for the public, 404 as for an unknown code otherwise) / 其他地区企业",
        ),
    ] = None,
) -> Any:
    """补链/招商情景（查询参数）/ what-if for 补链/招商 by query parameters, open to the
    public: one profile (``industry``, ``size``, ``segment``) and more by repeated
    ``candidate=INDUSTRY[:SIZE[:SEGMENT]]``; the same document as ``POST /plans/whatif`` for
    the same candidates. The public is not shown the value-basis local supporting rate (a note
    says so); ``firm`` as in the POST body (readers only)."""
    from jiqun.services.planning_whatif import whatif_candidates

    specs: list[dict[str, Any]] = []
    if firm is not None:
        specs.append({"firm": firm})
    if industry is not None or segment is not None or size is not None:
        specs.append({"industry": industry, "size": size, "segment": segment})
    specs += [parse_candidate(v) for v in candidate or []]
    if len(specs) > MAX_CANDIDATES:
        raise JiqunError(f"候选最多 {MAX_CANDIDATES} 个", f"at most {MAX_CANDIDATES} candidates")
    rep = whatif_candidates(
        principal, cluster, chain, specs, engine=engine, client=deps.client(request)
    )
    return rep.to_dict()
