"""REST API of the matchmaking service (供需对接): the supply–demand board and matching.

``/matching/needs`` and ``/matching/capabilities`` (list, post, close), ``/matching/supplier-lists``
(chain leaders' supplier lists), ``/matching/needs/{id}/suppliers`` and ``/matching/suppliers``
(ranked suppliers with every score component), ``/matching/partners`` (partner search).

Access (decided in :mod:`jiqun.services.access`): any logged-in role reads the board and
searches; an enterprise posts for itself and closes its own entries, an admin for any firm;
a supplier list is published by a chain leader for itself (the service checks the status) or
by an admin. Results show registry facts and score components; a firm's ``revenue`` and
``posted_capacity`` only when the caller may read that firm's records (else ``null``); components
derived from confidential records of such a firm are withheld or banded, and an ad-hoc search
starts only from a buyer the caller may read (decided in :mod:`jiqun.services.matching`).
Searches are audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from jiqun.matching.score import QUANTITY_MAX, MatchResult, Need
from jiqun.services import access, board
from jiqun.services import matching as svc
from jiqun.services.accounts import Principal
from jiqun.web import deps
from jiqun.web.api_common import TABLE, DbId, E, Fmt, P, TablePage, TableParams
from jiqun.web.inputs import Body
from jiqun.web.responses import table_response

router = APIRouter(prefix="/matching", tags=["matching"])

LOGGED_IN = ("admin", "government", "cluster", "enterprise")
Status = Annotated[Literal["open", "closed", "all"], Query(description="open, closed or all")]
Top = Annotated[int, Query(ge=1, le=100, description="number of candidates returned")]
Code = Annotated[str | None, Query(max_length=18)]


class NeedIn(Body):
    """A need (采购需求). ``uscc`` defaults to the caller's own firm (enterprise accounts)."""

    multiline_fields = frozenset({"text"})

    uscc: str | None = Field(default=None, max_length=18)
    text: str = Field(max_length=500, description="what is bought (Chinese free text)")
    industry_code: str | None = Field(default=None, max_length=8)
    quantity: float | None = None
    unit: str | None = Field(default=None, max_length=20)
    certifications: list[str] | str | None = None
    region_preference: list[str] | str | None = None
    deadline: dt.date | None = None


class CapabilityIn(Body):
    """A capability (供给能力). ``uscc`` defaults to the caller's own firm."""

    multiline_fields = frozenset({"products"})

    uscc: str | None = Field(default=None, max_length=18)
    products: str = Field(max_length=500)
    industry_code: str | None = Field(default=None, max_length=8)
    capacity: float | None = None
    unit: str | None = Field(default=None, max_length=20)
    certifications: list[str] | str | None = None
    region_code: str | None = Field(default=None, max_length=6)


class CloseIn(Body):
    multiline_fields = frozenset({"reason"})

    reason: str | None = Field(default=None, max_length=300)


class SupplierListIn(Body):
    """A chain leader's supplier list. ``leader_uscc`` defaults to the caller's own firm."""

    leader_uscc: str | None = Field(default=None, max_length=18)
    name: str = Field(max_length=200)
    suppliers: list[str] = Field(max_length=5000, description="supplier credit codes")
    chain: str | None = Field(default=None, max_length=80)
    segment: str | None = Field(default=None, max_length=80)
    cluster_id: str | None = Field(default=None, max_length=40)


class SupplierSearchIn(Body):
    """An ad-hoc need to rank suppliers for (nothing is stored)."""

    multiline_fields = frozenset({"text"})

    text: str = Field(default="", max_length=500)
    industry_code: str | None = Field(default=None, max_length=8)
    region: str | None = Field(
        default=None,
        pattern=r"^\d{6}$",
        description="the buyer's GB/T 2260 region (distance, region and cross-region rules)",
    )
    uscc: str | None = Field(
        default=None, max_length=18, description="the buyer (default: the caller's own firm)"
    )
    quantity: float | None = Field(default=None, gt=0, le=QUANTITY_MAX)
    unit: str | None = Field(default=None, max_length=20)
    certifications: list[str] = Field(default_factory=list, max_length=20)
    region_preference: list[str] = Field(default_factory=list, max_length=50)
    cross_region: bool = Field(
        default=False,
        description="prefer partners in other member regions of the same cluster",
    )
    top: int = Field(default=10, ge=1, le=100)


class CreatedOut(BaseModel):
    id: int


# --------------------------------------------------------------------------------------------
# helpers (shared with the pages in jiqun.web.ui_matching)
# --------------------------------------------------------------------------------------------


def own_firm(principal: Principal, uscc: str | None) -> str:
    """The firm a posting is for: the given code, or an enterprise account's own firm."""
    code = (uscc or "").strip().upper()
    if not code and principal.role == "enterprise" and principal.scope:
        code = principal.scope
    return code


def result_meta(res: MatchResult) -> dict[str, Any]:
    return {
        "total": len(res.table),
        "weights": res.weights,
        "components": list(res.components),
        "labels": {k: list(v) for k, v in res.labels().items()},
        "candidates": res.candidates,
        "synthetic": res.synthetic,
        "notes": res.notes,
        "basis": {k: v for k, v in res.basis.items() if isinstance(v, str | int | float | bool)},
    }


def _board_filter(df: pd.DataFrame, industry_code: str | None, q: str | None, col: str) -> Any:
    if industry_code and "industry_code" in df.columns:
        df = df[df["industry_code"].astype(str).str.startswith(industry_code.strip())]
    if q and col in df.columns:
        q = q.strip()
        hit = df[col].fillna("").astype(str).str.contains(q, regex=False)
        if "name" in df.columns:
            hit = hit | df["name"].fillna("").astype(str).str.contains(q, regex=False)
        df = df[hit]
    return df


# --------------------------------------------------------------------------------------------
# needs and capabilities
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardQuery:
    """The filters of a board list (needs, capabilities)."""

    status: str = "open"
    uscc: str | None = None
    industry_code: str | None = None
    q: str | None = None


def _board_query(
    status: Status = "open",
    uscc: Code = None,
    industry_code: Annotated[str | None, Query(max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> BoardQuery:
    return BoardQuery(status, uscc, industry_code, q)


Board = Annotated[BoardQuery, Depends(_board_query)]


def _board_page(
    kind: Literal["need", "capability"],
    principal: Principal,
    engine: Engine,
    table: TableParams,
    query: BoardQuery,
) -> Response:
    """The board lists' shared body: logged in, the service's list, then ``industry_code``
    and ``q`` (on the need's text or the capability's products, and the firm's name)."""
    access.require_role(principal, *LOGGED_IN)
    if kind == "need":
        df = svc.list_needs(engine=engine, status=query.status, uscc=query.uscc)
        col, name = "text", "needs"
    else:
        df = svc.list_capabilities(engine=engine, status=query.status, uscc=query.uscc)
        col, name = "products", "capabilities"
    df = _board_filter(df, query.industry_code, query.q, col)
    return table.page(df, name, "id", {"synthetic": _syn(df)})


@router.get("/needs", response_model=None, responses=TABLE)
def needs(principal: P, engine: E, table: TablePage, query: Board) -> Response:
    """采购需求 / needs on the board (any logged-in role)."""
    return _board_page("need", principal, engine, table, query)


@router.post("/needs", status_code=201, response_model=CreatedOut)
def need_post(body: NeedIn, principal: P, engine: E, request: Request) -> JSONResponse:
    """发布需求 / post a need (an enterprise for itself; admin for any firm)."""
    rec = body.model_dump()
    if rec["deadline"] is not None:
        rec["deadline"] = rec["deadline"].isoformat()
    return _post("need", rec, principal, engine, request)


@router.post("/needs/{need_id}/close", response_model=None)
def need_close(
    need_id: DbId, principal: P, engine: E, request: Request, body: CloseIn | None = None
) -> JSONResponse:
    """关闭需求 / close a need (the posting firm or admin)."""
    return _close("need", need_id, principal, engine, request, body)


@router.get("/capabilities", response_model=None, responses=TABLE)
def capabilities(principal: P, engine: E, table: TablePage, query: Board) -> Response:
    """供给能力 / capabilities on the board (any logged-in role)."""
    return _board_page("capability", principal, engine, table, query)


@router.post("/capabilities", status_code=201, response_model=CreatedOut)
def capability_post(body: CapabilityIn, principal: P, engine: E, request: Request) -> JSONResponse:
    """发布供给能力 / post a capability (an enterprise for itself; admin for any firm)."""
    return _post("capability", body.model_dump(), principal, engine, request)


@router.post("/capabilities/{capability_id}/close", response_model=None)
def capability_close(
    capability_id: DbId, principal: P, engine: E, request: Request, body: CloseIn | None = None
) -> JSONResponse:
    """关闭供给能力 / close a capability (the posting firm or admin)."""
    return _close("capability", capability_id, principal, engine, request, body)


def _post(
    kind: Literal["need", "capability"],
    rec: dict[str, Any],
    principal: Principal,
    engine: Engine,
    request: Request,
) -> JSONResponse:
    """The post handlers' shared body: for the caller's own firm (admin: any), then
    :func:`jiqun.services.board.post_posting`; answers the new id."""
    rec["uscc"] = own_firm(principal, rec["uscc"])
    item_id = board.post_posting(kind, rec, principal, client=deps.client(request), engine=engine)
    return JSONResponse({"id": item_id}, status_code=201)


def _close(
    kind: Literal["need", "capability"],
    item_id: int,
    principal: Principal,
    engine: Engine,
    request: Request,
    body: CloseIn | None,
) -> JSONResponse:
    """The close handlers' shared body: logged in, then :func:`jiqun.services.board.close_posting`."""
    access.require_role(principal, *LOGGED_IN)
    board.close_posting(
        kind, item_id, principal, reason=body.reason if body else None,
        client=deps.client(request), engine=engine,
    )  # fmt: skip
    return JSONResponse({"id": item_id, "status": "closed"})


def _syn(df: pd.DataFrame) -> bool:
    return bool(len(df) and "synthetic" in df.columns and df["synthetic"].fillna(False).any())


# --------------------------------------------------------------------------------------------
# supplier lists
# --------------------------------------------------------------------------------------------


@router.get("/supplier-lists", response_model=None, responses=TABLE)
def supplier_lists(
    principal: P,
    engine: E,
    table: TablePage,
    status: Status = "open",
    leader_uscc: Code = None,
) -> Response:
    """链主供应商名录 / chain leaders' supplier lists (any logged-in role)."""
    access.require_role(principal, *LOGGED_IN)
    df = svc.list_supplier_lists(engine=engine, status=status, leader_uscc=leader_uscc)
    return table.page(df, "supplier_lists", "id", {"synthetic": _syn(df)})


@router.post("/supplier-lists", status_code=201, response_model=CreatedOut)
def supplier_list_publish(
    body: SupplierListIn, principal: P, engine: E, request: Request
) -> JSONResponse:
    """发布供应商名录 / publish a supplier list (a chain leader for itself; admin)."""
    leader = own_firm(principal, body.leader_uscc)
    access.require_post_for(principal, leader)
    list_id = svc.publish_supplier_list(
        leader,
        body.name,
        body.suppliers,
        chain=body.chain,
        segment=body.segment,
        cluster_id=body.cluster_id,
        engine=engine,
    )
    access.audit(
        principal, "supplier_list_publish", f"supplier_list:{list_id}",
        detail={"leader": leader, "suppliers": len(body.suppliers)},
        client=deps.client(request), engine=engine,
    )  # fmt: skip
    return JSONResponse({"id": list_id}, status_code=201)


# --------------------------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------------------------


def _result(
    res: MatchResult, principal: P, engine: Engine, request: Request, fmt: str, name: str
) -> Response:
    df = board.with_financials(res, principal, engine, deps.client(request))
    return table_response(df, fmt, name, result_meta(res))


@router.get("/needs/{need_id}/suppliers", response_model=None, responses=TABLE)
def need_suppliers(
    need_id: DbId,
    principal: P,
    engine: E,
    request: Request,
    top: Top = 10,
    cross_region: Annotated[
        bool, Query(description="prefer partners in other member regions of the same cluster")
    ] = False,
    format: Fmt = "json",
) -> Response:
    """候选供应商 / ranked suppliers for a posted need (any logged-in role; audited)."""
    access.require_role(principal, *LOGGED_IN)
    res = board.suppliers_for_need(
        need_id, principal, top=top, cross_region=cross_region,
        client=deps.client(request), engine=engine,
    )  # fmt: skip
    return _result(res, principal, engine, request, format, f"suppliers_need_{need_id}")


def adhoc_need(body: SupplierSearchIn, principal: Principal) -> Need:
    """The :class:`Need` of an ad-hoc search (the buyer: given, or the caller's own firm)."""
    buyer = (body.uscc or "").strip().upper() or None
    if buyer is None and principal.role == "enterprise" and principal.scope and not body.region:
        buyer = principal.scope
    return Need(
        text=body.text.strip(),
        industry_code=(body.industry_code or "").strip() or None,
        quantity=body.quantity,
        unit=body.unit,
        certifications=tuple(c.strip() for c in body.certifications if c.strip()),
        region_preference=tuple(r.strip() for r in body.region_preference if r.strip()),
        uscc=buyer,
        region_code=body.region,
    )


@router.post("/suppliers", response_model=None, responses=TABLE)
def suppliers_search(
    body: SupplierSearchIn, principal: P, engine: E, request: Request, format: Fmt = "json"
) -> Response:
    """供应商检索 / rank suppliers for an ad-hoc need (any logged-in role; nothing stored;
    audited)."""
    access.require_role(principal, *LOGGED_IN)
    res = svc.match_need(
        need=adhoc_need(body, principal),
        engine=engine,
        top=body.top,
        prefer_cross_region=body.cross_region,
        principal=principal,
        client=deps.client(request),
        audit={"text": body.text[:100], "industry_code": body.industry_code,
               "region": body.region, "cross_region": body.cross_region},
    )  # fmt: skip
    return _result(res, principal, engine, request, format, "suppliers")


@router.get("/partners", response_model=None, responses=TABLE)
def partners(
    principal: P,
    engine: E,
    request: Request,
    keywords: Annotated[str, Query(max_length=200)] = "",
    field: Annotated[str | None, Query(max_length=40, description="cluster field id")] = None,
    region: Annotated[
        str | None, Query(pattern=r"^\d{2,6}$", description="keep firms in this region")
    ] = None,
    home_region: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="the searcher's region")
    ] = None,
    top: Top = 10,
    format: Fmt = "json",
) -> Response:
    """合作伙伴检索 / partner search across regions (any logged-in role; audited)."""
    access.require_role(principal, *LOGGED_IN)
    res = board.partners_for(
        principal, keywords, field=field or None, region=region or None,
        home_region=home_region or None, top=top, client=deps.client(request), engine=engine,
        detail={"keywords": keywords[:100], "field": field, "region": region},
    )  # fmt: skip
    return _result(res, principal, engine, request, format, "partners")
