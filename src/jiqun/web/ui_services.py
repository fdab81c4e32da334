"""Web pages of the services: ``/digital`` (数字化评测), ``/policies`` (惠企政策, 免申即享),
``/evaluation`` (集群评估与资金分配) and ``/innovation`` (创新资源).

Thin like :mod:`jiqun.web.ui`: the services compute, :mod:`jiqun.services.access` decides who may
see what, and the pages show the basis and the synthetic flag the services return. Plain tables
only (no inline script under the Content-Security-Policy).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jiqun.services import access, directory
from jiqun.standard.problems import JiqunError
from jiqun.web import deps
from jiqun.web.api_services import gap_dict, index_dict, innovation_dict
from jiqun.web.page_cache import shared
from jiqun.web.responses import records
from jiqun.web.ui import LOGGED_IN, P, engine_of, page_router, render

router = page_router()


# --------------------------------------------------------------------------------------------
# digital assessments
# --------------------------------------------------------------------------------------------


def _form_answers(fw: Any, form: Any) -> dict[str, Any]:
    """Answers from the questionnaire form (blank fields are left out)."""
    out: dict[str, Any] = {}
    for item in fw.items:
        if item.type == "multi":
            vals = [str(v) for v in form.getlist(item.id) if str(v).strip()]
            if vals:
                out[item.id] = vals
        else:
            v = str(form.get(item.id) or "").strip()
            if v:
                out[item.id] = v
    for scene in fw.scenes:
        v = str(form.get(scene.id) or "").strip()
        if v:
            out[scene.id] = v
    return out


def _digital_page(
    request: Request,
    principal: Any,
    assessment_id: int | None = None,
    cluster: str | None = None,
    error: JiqunError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    from jiqun.digital.frameworks import load_framework
    from jiqun.services import digital

    eng = engine_of(request)
    fw = load_framework("miit2024")
    can_fill = principal.role in ("enterprise", "admin")
    mine: list[dict[str, Any]] = []
    if principal.role in ("enterprise", "admin") and (principal.scope or principal.role == "admin"):
        mine = records(
            digital.assessments_for(
                principal,
                limit=1000 if principal.role == "enterprise" else 50,
                engine=eng,
                client=deps.client(request),
            )[0]
        )
    current = gap = None
    if assessment_id is not None:
        a = digital.assessment_for(principal, assessment_id, eng, client=deps.client(request))
        current = a.as_dict()
        current["can_edit"] = a.status == "draft" and access.can_assess(principal, a.uscc)
        if a.framework == "miit2024":
            gap = gap_dict(
                digital.gap_for(principal, assessment_id, engine=eng, client=deps.client(request))
            )
    index = None
    cluster = cluster or directory.default_cluster(principal, eng)
    if principal.role in ("government", "cluster", "admin") and cluster:
        try:
            index = index_dict(
                digital.cluster_index(
                    cluster, engine=eng, principal=principal, client=deps.client(request)
                )
            )
        except JiqunError:
            index = None
    problems = getattr(error, "problems", None) or []
    return render(
        request,
        "services_digital.html",
        principal,
        status_code=status_code,
        fw=fw,
        can_fill=can_fill,
        mine=mine,
        current=current,
        answers=(current or {}).get("result", {}).get("answers", {}) if current else {},
        gap=gap,
        index=index,
        cluster=cluster,
        clusters=directory.cluster_choices(eng) if principal.role != "enterprise" else [],
        error=error,
        problems=[p if isinstance(p, dict) else getattr(p, "__dict__", {}) for p in problems],
    )


@router.get("/digital", response_class=HTMLResponse)
@shared
def digital_page(
    request: Request, principal: P, id: int | None = None, cluster: str | None = None
) -> HTMLResponse:
    access.require_role(principal, *LOGGED_IN)
    if id is not None and not 1 <= id < 2**31:
        raise access.NotFound("找不到该评测", "no such assessment")
    return _digital_page(request, principal, id, cluster)


@router.post("/digital", response_class=HTMLResponse, response_model=None)
async def digital_save(request: Request, principal: P) -> Response:
    from jiqun.digital.frameworks import load_framework
    from jiqun.services import digital

    access.require_role(principal, *LOGGED_IN)
    form = await request.form()
    eng = engine_of(request)
    fw = load_framework("miit2024")
    answers = _form_answers(fw, form)
    submit = str(form.get("action") or "save") == "submit"
    raw_id = str(form.get("id") or "").strip()
    uscc = str(form.get("uscc") or principal.scope or "").strip().upper()
    try:
        if raw_id:
            aid = int(raw_id) if raw_id.isdigit() and len(raw_id) < 11 else 0
            digital.assessment_owner(principal, aid, write=True, engine=eng)
            a = digital.update_assessment(aid, answers, submit=submit, engine=eng)
        else:
            digital.require_assessor(principal, uscc)
            a = digital.save_assessment(uscc, answers, "miit2024", submit=submit, engine=eng)
    except (access.AccessDenied, access.NotFound):
        raise
    except JiqunError as exc:
        return _digital_page(request, principal, error=exc, status_code=400)
    action = "assessment_submit" if submit else "assessment_save"
    digital.audit_write(principal, action, a, deps.client(request), eng)
    return RedirectResponse(f"/digital?id={a.id}", status_code=303)


# --------------------------------------------------------------------------------------------
# policies
# --------------------------------------------------------------------------------------------


@router.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request, principal: P, uscc: str | None = None) -> HTMLResponse:
    from jiqun.services import policy

    eng = engine_of(request)
    pols = policy.list_policies(eng)
    mine = None
    firm = (uscc or "").strip().upper() or None
    if firm and not principal.is_public and principal.role != "enterprise":
        # the service decides whether this reader may read the firm (404 otherwise), and audits
        mine = policy.policies_for_reader(principal, firm, eng, client=deps.client(request))
    elif principal.role == "enterprise" and principal.scope:
        try:
            mine = policy.policies_for_reader(
                principal, principal.scope, eng, client=deps.client(request)
            )
        except access.NotFound:  # an account whose firm is not registered (yet)
            mine = None
    rows = [] if pols.empty else records(pols.drop(columns=["rules", "target"]))
    return render(
        request,
        "services_policies.html",
        principal,
        policies=rows,
        mine=mine,
        firm=firm if mine is not None and principal.role != "enterprise" else None,
        can_list=principal.role in ("admin", "government", "cluster"),
        synthetic=bool(pols["synthetic"].any()) if len(pols) else False,
    )


@router.get("/policies/{policy_id}", response_class=HTMLResponse)
def policy_firms_page(request: Request, principal: P, policy_id: str) -> HTMLResponse:
    from jiqun.services import policy

    eng = engine_of(request)
    firms, info = policy.qualifying_firms(principal, policy_id, eng, client=deps.client(request))
    pols = policy.list_policies(eng)
    title = pols.loc[pols["policy_id"] == policy_id, "title"].iloc[0]
    return render(
        request,
        "services_policy_firms.html",
        principal,
        policy_id=policy_id,
        title=title,
        firms=records(firms),
        info=info,
    )


# --------------------------------------------------------------------------------------------
# evaluation and allocation
# --------------------------------------------------------------------------------------------


def _evaluation_page(
    request: Request, principal: Any, allocation: dict[str, Any] | None = None
) -> HTMLResponse:
    from jiqun.services import policy

    eng = engine_of(request)
    scores: list[dict[str, Any]] = []
    basis: dict[str, Any] = {}
    notes: list[str] = []
    try:
        res, basis, notes = policy.evaluate_stored_clusters(eng)
        # the service's order: by tier (each ranked among itself), then rank
        latest = res[res["year"] == res["year"].max()]
        scores = records(latest)
    except JiqunError as exc:
        notes = [f"{exc.message_zh} / {exc.message_en}"]
    return render(
        request,
        "services_evaluation.html",
        principal,
        scores=scores,
        eval_basis=basis,
        notes=notes,
        can_allocate=principal.role in ("admin", "government"),
        allocation=allocation,
    )


@router.get("/evaluation", response_class=HTMLResponse)
@shared
def evaluation_page(request: Request, principal: P) -> HTMLResponse:
    access.require_role(principal, *LOGGED_IN)
    return _evaluation_page(request, principal)


@router.post("/evaluation", response_class=HTMLResponse)
def evaluation_allocate(
    request: Request,
    principal: P,
    budget: Annotated[float, Form(gt=0, le=1e12)],
    min_amount: Annotated[float, Form(ge=0, le=1e12)] = 0.0,
    max_amount: Annotated[float | None, Form(gt=0, le=1e12)] = None,
    tier: Annotated[str, Form(max_length=24)] = "national",
    tier_shares: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    from jiqun.services import policy

    doc = policy.support_allocation(
        principal,
        budget,
        engine_of(request),
        client=deps.client(request),
        tier=tier,
        min_amount=min_amount,
        max_amount=max_amount,
        tier_shares=policy.parse_shares(tier_shares) if tier == "all" else None,
    )
    alloc = {
        **doc,
        "rows": doc["allocation"],
        "budget": budget,
        "min_amount": min_amount,
        "max_amount": max_amount,
        "tier": tier,
        "tier_shares": tier_shares,
    }
    return _evaluation_page(request, principal, alloc)


# --------------------------------------------------------------------------------------------
# innovation
# --------------------------------------------------------------------------------------------


@router.get("/innovation", response_class=HTMLResponse)
@shared
def innovation_page(request: Request, principal: P, batches: str | None = None) -> HTMLResponse:
    from jiqun.services.innovation import innovation_resources

    eng = engine_of(request)
    b = (2021, 2022) if batches in (None, "2021,2022") else None
    rep = innovation_dict(innovation_resources(eng, batches=b))
    return render(request, "services_innovation.html", principal, r=rep, first45=b is not None)
