"""Web pages of the matchmaking service (供需对接): ``/matching``.

The board (open needs and capabilities, with filters), forms to post a need or a capability
(an enterprise for itself, an admin for any firm), a supplier search that shows every score
component and the total, and a partner search. The searches load through HTMX into the page
(``/matching/suppliers``, ``/matching/needs/{id}/suppliers``, ``/matching/partners``). Access
decisions are those of the API (:mod:`jiqun.services.access`); errors become HTML pages.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, ValidationError

from jiqun.matching.score import MatchResult
from jiqun.services import access, board
from jiqun.services import matching as svc
from jiqun.services.accounts import Principal
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import FIELDS_OF_CLUSTERS
from jiqun.web import deps
from jiqun.web.api_common import DbId
from jiqun.web.api_matching import (
    SupplierSearchIn,
    adhoc_need,
    own_firm,
)
from jiqun.web.i18n import lang
from jiqun.web.page_cache import shared
from jiqun.web.ui import P, engine_of, need_login, page_router, records_or_empty, render

router = page_router()

#: firm columns shown before the score components, and after them
LEAD = ["rank", "name", "uscc", "source", "region_code", "industry_code"]
TAIL = ["total", "distance_km", "cross_region", "listed_by", "revenue", "posted_capacity"]


def _filter(df: Any, q: str, industry: str, col: str) -> Any:
    if industry:
        df = df[df["industry_code"].fillna("").astype(str).str.startswith(industry)]
    if q:
        hit = df[col].fillna("").astype(str).str.contains(q, regex=False)
        df = df[hit | df["name"].fillna("").astype(str).str.contains(q, regex=False)]
    return df


@router.get("/matching", response_class=HTMLResponse)
@shared
def matching_page(request: Request, principal: P, q: str = "", industry: str = "") -> HTMLResponse:
    """The board, the posting forms and the two searches (any logged-in role)."""
    need_login(principal)
    eng = engine_of(request)
    q, industry = q.strip()[:50], industry.strip()[:4]
    needs = svc.list_needs(engine=eng)
    caps = svc.list_capabilities(engine=eng)
    if len(needs):
        needs = _filter(needs, q, industry, "text")
    if len(caps):
        caps = _filter(caps, q, industry, "products")
    can_post = principal.role == "admin" or (
        principal.role == "enterprise" and access.can_post_for(principal, principal.scope)
    )
    return render(
        request,
        "matching.html",
        principal,
        needs=records_or_empty(needs.head(200)),
        caps=records_or_empty(caps.head(200)),
        n_needs=len(needs),
        n_caps=len(caps),
        f={"q": q, "industry": industry},
        can_post=can_post,
        own=principal.scope if principal.role == "enterprise" else "",
        is_admin=principal.role == "admin",
        fields=list(FIELDS_OF_CLUSTERS),
        synthetic=bool(
            (len(needs) and needs["synthetic"].fillna(False).any())
            or (len(caps) and caps["synthetic"].fillna(False).any())
        ),
    )


def _flash(request: Request, zh: str, en: str) -> None:
    request.session["flash"] = [zh if lang(request) == "zh" else en]


class _PostingForm(BaseModel):
    """The fields the need and the capability forms share (empty optional fields: ``""``)."""

    uscc: str = Field("", max_length=18)
    industry_code: str = Field("", max_length=8)
    unit: str = Field("", max_length=20)
    certifications: str = Field("", max_length=300)


class NeedForm(_PostingForm):
    """The form that posts a need (``POST /matching/needs``)."""

    text: str = Field(max_length=500)
    quantity: str = Field("", max_length=20)
    region_preference: str = Field("", max_length=300)
    deadline: str = Field("", max_length=10)


class CapabilityForm(_PostingForm):
    """The form that posts a capability (``POST /matching/capabilities``)."""

    products: str = Field(max_length=500)
    capacity: str = Field("", max_length=20)
    region_code: str = Field("", max_length=6)


def _post(
    request: Request,
    principal: Principal,
    kind: Literal["need", "capability"],
    form: _PostingForm,
    required: str,
) -> RedirectResponse:
    """The posting forms' shared body: for the caller's own firm (admin: any), the ``required``
    field as given and empty optional fields as ``None``, then
    :func:`jiqun.services.board.post_posting` and back to the board."""
    fields = form.model_dump()
    rec = {
        "uscc": own_firm(principal, fields.pop("uscc")),
        required: fields.pop(required),
        **{k: v or None for k, v in fields.items()},
    }
    item_id = board.post_posting(
        kind, rec, principal, client=deps.client(request), engine=engine_of(request)
    )
    zh, en = _KIND[kind]
    _flash(request, f"已发布{zh} #{item_id}", f"{en} #{item_id} posted")
    return RedirectResponse("/matching", status_code=303)


def _close(
    request: Request, principal: Principal, kind: Literal["need", "capability"], item_id: int
) -> RedirectResponse:
    """The close buttons' shared body: logged in, then the service decides (owner or admin)."""
    need_login(principal)
    board.close_posting(kind, item_id, principal, engine=engine_of(request))
    zh, en = _KIND[kind]
    _flash(request, f"{zh} #{item_id} 已关闭", f"{en} #{item_id} closed")
    return RedirectResponse("/matching", status_code=303)


#: how the flash messages name a posting
_KIND = {"need": ("需求", "need"), "capability": ("供给能力", "capability")}


@router.post("/matching/needs", response_model=None)
def need_post(
    request: Request, principal: P, form: Annotated[NeedForm, Form()]
) -> RedirectResponse:
    return _post(request, principal, "need", form, "text")


@router.post("/matching/capabilities", response_model=None)
def capability_post(
    request: Request, principal: P, form: Annotated[CapabilityForm, Form()]
) -> RedirectResponse:
    return _post(request, principal, "capability", form, "products")


@router.post("/matching/needs/{need_id}/close", response_model=None)
def need_close(request: Request, principal: P, need_id: DbId) -> RedirectResponse:
    return _close(request, principal, "need", need_id)


@router.post("/matching/capabilities/{capability_id}/close", response_model=None)
def capability_close(request: Request, principal: P, capability_id: DbId) -> RedirectResponse:
    return _close(request, principal, "capability", capability_id)


def _results(
    request: Request, principal: Principal, res: MatchResult, title: tuple[str, str]
) -> HTMLResponse:
    df = board.with_financials(res, principal, engine_of(request), deps.client(request))
    comps = list(res.components)
    cols = [c for c in LEAD if c in df.columns]
    cols += [c for k in comps for c in (k, f"{k}_pts")]
    cols += [c for c in TAIL if c in df.columns]
    return render(
        request,
        "matching_results.html",
        principal,
        res=res,
        rows=records_or_empty(df),
        cols=cols,
        comps=comps,
        labels=res.labels(),
        title=title,
    )


@router.post("/matching/suppliers", response_class=HTMLResponse)
def suppliers_search(
    request: Request,
    principal: P,
    text: Annotated[str, Form(max_length=500)] = "",
    industry_code: Annotated[str, Form(max_length=8)] = "",
    region: Annotated[str, Form(max_length=6)] = "",
    cross_region: Annotated[bool, Form()] = False,
    top: Annotated[int, Form(ge=1, le=100)] = 10,
) -> HTMLResponse:
    """Ranked suppliers for an ad-hoc need (HTMX partial)."""
    need_login(principal)
    try:
        body = SupplierSearchIn.model_validate(
            {
                "text": text,
                "industry_code": industry_code or None,
                "region": region.strip() or None,
                "cross_region": cross_region,
                "top": top,
            }
        )
    except ValidationError as exc:
        raise JiqunError(
            "地区代码须为 6 位 GB/T 2260 代码", "the region must be a 6-digit GB/T 2260 code"
        ) from exc
    eng = engine_of(request)
    res = svc.match_need(
        need=adhoc_need(body, principal),
        engine=eng,
        top=top,
        prefer_cross_region=cross_region,
        principal=principal,
        client=deps.client(request),
        audit={"text": text[:100], "industry_code": industry_code, "region": region,
               "cross_region": cross_region},
    )  # fmt: skip
    return _results(request, principal, res, ("候选供应商", "Candidate suppliers"))


@router.get("/matching/needs/{need_id}/suppliers", response_class=HTMLResponse)
def need_suppliers(
    request: Request, principal: P, need_id: DbId, cross_region: bool = False, top: int = 10
) -> HTMLResponse:
    """Ranked suppliers for a posted need (HTMX partial)."""
    need_login(principal)
    top = max(1, min(top, 100))
    res = board.suppliers_for_need(
        need_id, principal, top=top, cross_region=cross_region,
        client=deps.client(request), engine=engine_of(request),
    )  # fmt: skip
    title = (f"需求 #{need_id} 的候选供应商", f"Candidate suppliers for need #{need_id}")
    return _results(request, principal, res, title)


@router.get("/matching/partners", response_class=HTMLResponse)
def partners_search(
    request: Request,
    principal: P,
    keywords: str = "",
    field: str = "",
    region: str = "",
    home_region: str = "",
    top: int = 10,
) -> HTMLResponse:
    """Partner search (HTMX partial)."""
    need_login(principal)
    res = board.partners_for(
        principal, keywords[:200], field=field.strip()[:40] or None,
        region=region.strip()[:6] or None, home_region=home_region.strip()[:6] or None,
        top=max(1, min(top, 100)), client=deps.client(request), engine=engine_of(request),
        detail={"keywords": keywords[:100], "field": field, "region": region},
    )  # fmt: skip
    return _results(request, principal, res, ("合作伙伴", "Partners"))
