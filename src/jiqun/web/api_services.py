"""REST API for the services: digital assessments, policies, evaluation and innovation.

Thin handlers over :mod:`jiqun.services.digital`, :mod:`jiqun.services.policy` and
:mod:`jiqun.services.innovation`; who may do what is decided in :mod:`jiqun.services.access`.
Every answer carries the ``basis`` and ``synthetic`` flag the services return.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from jiqun.services import access, directory
from jiqun.web import deps
from jiqun.web.api_common import TABLE, DbId, E, P, TablePage, filter_eq
from jiqun.web.inputs import Body
from jiqun.web.responses import records

router = APIRouter()

LOGGED_IN = ("admin", "government", "cluster", "enterprise")
Framework = Literal["miit2024", "gbt39116"]


class AssessmentIn(Body):
    multiline_fields = frozenset({"answers"})

    framework: Framework = "miit2024"
    uscc: str = Field(min_length=18, max_length=18)
    answers: dict[str, Any] = Field(default_factory=dict)
    submit: bool | None = Field(
        default=None, description="null = automatic, true = must be complete, false = draft"
    )


class AssessmentUpdate(Body):
    multiline_fields = frozenset({"answers"})

    answers: dict[str, Any] = Field(default_factory=dict)
    submit: bool | None = None
    clear: list[str] = Field(default_factory=list, max_length=200)


class AllocationIn(Body):
    budget: float = Field(gt=0, le=1e12, description="万元")
    min: float = Field(default=0.0, ge=0, le=1e12)
    max: float | None = Field(default=None, gt=0, le=1e12)
    tier: str | None = Field(
        default="national", max_length=24, description="one tier; null or 'all': every tier"
    )
    field_priority: dict[str, float] | None = None
    stage_priority: dict[str, float] | None = None
    tier_shares: dict[str, float] | None = Field(
        default=None, description="tier → share of the budget when every tier is pooled"
    )


class ServiceOut(BaseModel):
    """A service result: its own fields plus ``basis`` (and usually ``notes``)."""

    model_config = ConfigDict(extra="allow")
    basis: dict[str, Any]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _frame(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if df is None else records(df)


def _assessment_out(a: Any) -> dict[str, Any]:
    out = a.as_dict()
    r = a.result
    out["basis"] = {
        "framework": a.framework,
        "edition": a.edition,
        "rule_zh": r.rule_zh,
        "rule_en": r.rule_en,
        "basis_zh": r.basis_zh,
        "basis_en": r.basis_en,
        "synthetic": a.synthetic,
    }
    return out


# --------------------------------------------------------------------------------------------
# digital assessments
# --------------------------------------------------------------------------------------------


@router.get("/digital/frameworks/{framework}", tags=["digital"], response_model=ServiceOut)
def digital_framework(framework: Framework) -> dict[str, Any]:
    """数字化评测问卷 / the questionnaire of a framework (public)."""
    from jiqun.digital.frameworks import load_framework
    from jiqun.digital.questionnaire import questionnaire_rows

    fw = load_framework(framework)
    return {
        "framework": fw.id,
        "edition": fw.edition,
        "name_zh": fw.name_zh,
        "name_en": fw.name_en,
        "questions": questionnaire_rows(fw),
        "basis": {
            "source_zh": fw.source_zh,
            "source_en": fw.source_en,
            "verification": fw.verification,
            "rule_zh": fw.rule_zh,
            "rule_en": fw.rule_en,
            "synthetic": False,
        },
    }


@router.post("/digital/assessments", status_code=201, tags=["digital"], response_model=ServiceOut)
def assessment_create(
    body: AssessmentIn, principal: P, engine: E, request: Request
) -> JSONResponse:
    """新建数字化评测 / a new assessment (draft or submitted) for the caller's own firm (an
    enterprise) or any firm (admin); scored by the service, never by the caller."""
    from jiqun.services import digital

    access.require_role(principal, *LOGGED_IN)
    digital.require_assessor(principal, body.uscc)
    a = digital.save_assessment(
        body.uscc, body.answers, body.framework, submit=body.submit, engine=engine
    )
    digital.audit_write(principal, "assessment_create", a, deps.client(request), engine)
    return JSONResponse(_assessment_out(a), status_code=201)


@router.get("/digital/assessments", tags=["digital"], response_model=None, responses=TABLE)
def assessments(
    principal: P,
    engine: E,
    request: Request,
    table: TablePage,
    uscc: Annotated[str | None, Query(max_length=18)] = None,
    status: Annotated[Literal["draft", "submitted"] | None, Query()] = None,
) -> Response:
    """评测列表 / stored assessments (scores, levels) of the firms the caller may read: admin
    all, an enterprise its own, a government or cluster organisation its scope and grants;
    one audit entry per call naming the firms listed."""
    from jiqun.services import digital

    df, total = digital.assessments_for(
        principal,
        uscc=uscc,
        status=status,
        **table.window(),
        sort=table.sort,
        engine=engine,
        client=deps.client(request),
    )
    return table.paged(df, "assessments", total)


@router.get("/digital/assessments/{assessment_id}", tags=["digital"], response_model=ServiceOut)
def assessment_get(
    assessment_id: DbId, principal: P, engine: E, request: Request
) -> dict[str, Any]:
    """一份评测 / one stored assessment with its result (owner enterprise, admin; government
    and cluster organisations that may see the firm may read)."""
    from jiqun.services import digital

    a = digital.assessment_for(principal, assessment_id, engine, client=deps.client(request))
    return _assessment_out(a)


@router.put("/digital/assessments/{assessment_id}", tags=["digital"], response_model=ServiceOut)
def assessment_update(
    assessment_id: DbId, body: AssessmentUpdate, principal: P, engine: E, request: Request
) -> dict[str, Any]:
    """续填或提交 / resume a draft: merge answers, rescore, optionally submit (owner, admin)."""
    from jiqun.services import digital

    digital.assessment_owner(
        principal, assessment_id, write=True, engine=engine, client=deps.client(request)
    )
    a = digital.update_assessment(
        assessment_id, body.answers, submit=body.submit, clear=body.clear, engine=engine
    )
    # the assessment's firm is its owner's: update_assessment never moves it to another firm
    digital.audit_write(principal, "assessment_update", a, deps.client(request), engine)
    return _assessment_out(a)


def gap_dict(g: Any) -> dict[str, Any]:
    """JSON-ready :class:`jiqun.services.digital.AssessmentGap` (also used by the pages)."""
    n = g.next_level
    leaders = None
    if g.leaders is not None:
        p = g.leaders
        leaders = {
            "n_peers": p.n_peers,
            "peer_label_zh": p.peer_label_zh,
            "peer_label_en": p.peer_label_en,
            "peer_mean_total": p.peer_mean_total,
            "total": p.total,
            "items": _frame(p.items),
            "actions": _frame(p.actions),
            "notes": p.notes,
        }
    return {
        "assessment_id": g.assessment.id,
        "uscc": g.assessment.uscc,
        "framework": g.assessment.framework,
        "next_level": {
            "current_level": n.current_level,
            "current_name_zh": n.current_name_zh,
            "next_level": n.next_level,
            "next_name_zh": n.next_name_zh,
            "total": n.total,
            "threshold": n.threshold,
            "deficit": n.deficit,
            "reachable": n.reachable,
            "roadmap": _frame(n.roadmap),
            "actions": _frame(n.actions),
            "notes": n.notes,
        },
        "leaders": leaders,
        "clusters": g.clusters,
        "leader_usccs": g.leader_usccs,
        "synthetic": g.synthetic,
        "notes": g.notes,
        "basis": {
            "leader_basis_zh": g.leader_basis_zh,
            "leader_basis_en": g.leader_basis_en,
            "rule": "jiqun.digital.gap.gap_to_next_level / gap_to_peers",
            "synthetic": g.synthetic,
        },
    }


@router.get("/digital/assessments/{assessment_id}/gap", tags=["digital"], response_model=ServiceOut)
def assessment_gap(
    assessment_id: DbId,
    principal: P,
    engine: E,
    request: Request,
    cluster: Annotated[str | None, Query(max_length=24)] = None,
) -> dict[str, Any]:
    """差距与路线图 / gap to the next level and to the cluster's chain leaders (who may read
    the assessment)."""
    from jiqun.services import digital

    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    if cluster:
        directory.require_cluster(cluster, engine)
    return gap_dict(
        digital.gap_for(principal, assessment_id, cluster, engine, client=deps.client(request))
    )


def index_dict(ix: Any) -> dict[str, Any]:
    """JSON-ready :class:`jiqun.digital.index.DigitalIndex`."""
    return {
        "summary": records(pd.DataFrame([ix.summary]))[0],
        "tables": {k: _frame(v) for k, v in ix.tables().items()},
        "synthetic": ix.synthetic,
        "basis": ix.basis,
        "notes": ix.notes,
    }


@router.get("/digital/clusters/{cluster_id}/index", tags=["digital"], response_model=ServiceOut)
def digital_cluster_index(
    cluster_id: str,
    principal: P,
    engine: E,
    request: Request,
    chain: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """集群数字化指数 / the cluster digital index (logged-in users; aggregates only, groups of
    firms the caller may not read under disclosure control)."""
    from jiqun.services import digital

    access.require_role(principal, *LOGGED_IN)
    directory.require_cluster(cluster_id, engine)
    ix = digital.cluster_index(
        cluster_id, chain=chain, engine=engine, principal=principal, client=deps.client(request)
    )
    return index_dict(ix)


# --------------------------------------------------------------------------------------------
# policies
# --------------------------------------------------------------------------------------------


@router.get("/policies", tags=["policy"], response_model=None, responses=TABLE)
def policies(
    engine: E,
    table: TablePage,
    active: bool | None = None,
) -> Response:
    """惠企政策 / stored policies with their rules (public)."""
    from jiqun.services import policy

    df = policy.list_policies(engine)
    if df.empty:
        df = pd.DataFrame(columns=["policy_id", "title", "active", "rules", "synthetic"])
    df = filter_eq(df, active=active)
    if table.format != "json":
        df = df.assign(
            rules=df["rules"].map(lambda v: json.dumps(v, ensure_ascii=False)),
            target=df["target"].map(lambda v: json.dumps(v, ensure_ascii=False))
            if "target" in df
            else None,
        )
    syn = bool(df["synthetic"].astype(bool).any()) if len(df) else False
    meta = {"basis": {"active": "in force today", "synthetic": syn}}
    return table.page(df, "policies", "policy_id", meta)


@router.get("/policies/{policy_id}/firms", tags=["policy"], response_model=None, responses=TABLE)
def policy_firms(
    policy_id: str,
    principal: P,
    engine: E,
    request: Request,
    table: TablePage,
) -> Response:
    """免申即享名单 / the firms qualifying for a policy, limited to the caller's own scope
    (admin all, government its region, cluster organisation its cluster)."""
    from jiqun.services import policy

    firms, info = policy.qualifying_firms(
        principal,
        policy_id,
        engine,
        client=deps.client(request),
        **table.window(),
        sort=table.sort,
    )
    meta = {"basis": info}
    return table.paged(firms, f"policy-{policy_id}", info["total"], meta)


@router.get("/enterprises/{uscc}/policies", tags=["policy"], response_model=ServiceOut)
def enterprise_policies(uscc: str, principal: P, engine: E, request: Request) -> dict[str, Any]:
    """企业适用政策 / every active policy for one firm with rule lines ✓/✗/? and narrow misses
    (anyone who may see the firm; reads through a grant are audited)."""
    from jiqun.services import policy

    out = policy.policies_for_reader(principal, uscc, engine, client=deps.client(request))
    out["firm"] = records(pd.DataFrame([out["firm"]]))[0]
    out.setdefault("basis", {"synthetic": bool(out["firm"].get("synthetic"))})
    out["synthetic"] = bool(out["basis"].get("synthetic"))
    return out


# --------------------------------------------------------------------------------------------
# evaluation and allocation
# --------------------------------------------------------------------------------------------


@router.get("/evaluation/clusters", tags=["policy"], response_model=None, responses=TABLE)
def evaluation(
    principal: P,
    engine: E,
    table: TablePage,
    tier: Annotated[str | None, Query(max_length=24)] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
) -> Response:
    """集群评估 / cluster scores, ranks and tier advice per year (logged-in users)."""
    from jiqun.services import policy

    access.require_role(principal, *LOGGED_IN)
    res, basis, notes = policy.evaluate_stored_clusters(engine, tier=tier)
    if year is not None:
        res = res[res["year"] == year]
    if "missing" in res and table.format != "json":
        res = res.assign(missing=res["missing"].map(str))
    meta = {"basis": basis, "notes": notes}
    return table.page(res, "evaluation", "rank", meta)


@router.post("/evaluation/allocation", tags=["policy"], response_model=ServiceOut)
def allocation(body: AllocationIn, principal: P, engine: E, request: Request) -> dict[str, Any]:
    """专项资金分配 / allocate a budget (万元) over the clusters with diminishing returns (score
    and need), each tier a separate pool, with the explanation per cluster, shadow prices and
    sensitivity (admin and government; audited). The same document as ``jiqun evaluate
    allocate --json`` and the web page."""
    from jiqun.services import policy

    return policy.support_allocation(
        principal,
        body.budget,
        engine,
        client=deps.client(request),
        tier=body.tier,
        min_amount=body.min,
        max_amount=body.max,
        field_priority=body.field_priority,
        stage_priority=body.stage_priority,
        tier_shares=body.tier_shares,
    )


# --------------------------------------------------------------------------------------------
# innovation
# --------------------------------------------------------------------------------------------


def innovation_dict(r: Any) -> dict[str, Any]:
    """JSON-ready :class:`jiqun.services.innovation.InnovationReport`."""
    return {
        "headline": records(r.headline),
        "concentration": records(r.concentration),
        "per_cluster": records(r.per_cluster),
        "gaps": records(r.gaps),
        "synthetic": bool(r.basis.get("synthetic")),
        "basis": r.basis,
        "notes": r.notes,
    }


@router.get("/innovation", tags=["innovation"], response_model=ServiceOut)
def innovation(
    engine: E,
    tier: Annotated[str, Query(max_length=24)] = "national",
    batches: Annotated[
        str | None, Query(max_length=40, pattern=r"^\d{4}(,\d{4})*$", description="e.g. 2021,2022")
    ] = None,
) -> dict[str, Any]:
    """创新资源 / innovation resources in the clusters: headline figures against the published
    ones, concentration, per-cluster counts (public aggregates)."""
    from jiqun.services.innovation import innovation_resources

    b = tuple(int(x) for x in batches.split(",")) if batches else None
    return innovation_dict(innovation_resources(engine, tier=tier, batches=b))
