"""REST API ``/api/v1``: thin handlers over the services (access decisions live in services).

Lists take ``limit`` (≤ 1000), ``offset``, ``sort`` (a column, ``-`` prefix for descending),
filters, and ``format=json|csv|xlsx``; JSON lists answer ``{"items": [...], "meta": {"total",
"limit", "offset", "basis"...}}``. Errors answer ``{"error": {"code", "message_zh",
"message_en"}}``. Resources are split by area: this module (auth, reference, clusters,
enterprises, sharing, administration), :mod:`jiqun.web.api_data` (region statistics, metrics,
published tables), :mod:`jiqun.web.api_imports` (upload → report → commit) and
:mod:`jiqun.web.api_chains` (chains, resilience scenarios). docs/api.md documents them all.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from jiqun import reference
from jiqun.services import access, accounts, directory
from jiqun.web import deps
from jiqun.web.api_common import (
    ERRORS,
    TABLE,
    E,
    ErrorOut,
    P,
    Paging,
    TablePage,
    filter_eq,
)
from jiqun.web.inputs import Body, reject_controls
from jiqun.web.responses import records, table_response

router = APIRouter(
    dependencies=[Depends(reject_controls), Depends(deps.check_csrf)], responses=ERRORS
)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the token expires (JIQUN_TOKEN_TTL_HOURS)")


class PasswordChangeIn(BaseModel):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class PasswordResetIn(BaseModel):
    password: str = Field(min_length=10, max_length=200)


class UserStateOut(BaseModel):
    username: str
    active: bool
    sessions_ended: int = Field(description="sessions and tokens ended by this change")


class MeOut(BaseModel):
    username: str | None
    role: str
    role_label: str
    scope: str | None
    organisation_id: int | None
    can_import: list[str] = Field(description="kinds this account may import")


class CodeName(BaseModel):
    code: str
    name: str


class ClusterOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    cluster_id: str
    name: str
    name_en: str | None = None
    tier: str
    batch_year: int | None = None
    field: str | None = None
    verification: str | None = None
    synthetic: bool
    member_regions: list[CodeName]
    leading_industries: list[CodeName]


class OverviewOut(BaseModel):
    totals: dict[str, Any]
    by_field: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    basis: dict[str, Any]
    notes: list[str]


class DiagnosisOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    cluster: dict[str, Any]
    basis: dict[str, Any]
    notes: list[str]
    tables: dict[str, Any]


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    uscc: str
    name: str
    region_code: str
    industry_code: str
    tags: list[str]
    synthetic: bool
    clusters: list[dict[str, Any]]
    suppliers: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    basis: dict[str, Any]


class GrantIn(Body):
    multiline_fields = frozenset({"purpose"})

    uscc: str = Field(min_length=18, max_length=18)
    grantee_organisation_id: int = Field(ge=1, le=2**31 - 1)
    purpose: str | None = Field(default=None, max_length=access.PURPOSE_MAX)
    expires_at: dt.datetime | None = None


class GrantOut(BaseModel):
    id: int
    uscc: str
    grantee_organisation_id: int
    purpose: str | None
    granted_by: str
    granted_at: str
    expires_at: str | None
    revoked_at: str | None
    active: bool


class UserIn(Body):
    username: str = Field(min_length=3, max_length=80)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "government", "cluster", "enterprise"]
    scope: str | None = Field(default=None, max_length=40)


class UserOut(BaseModel):
    username: str
    role: str
    scope: str | None
    organisation_id: int | None


# --------------------------------------------------------------------------------------------
# auth
# --------------------------------------------------------------------------------------------


@router.post(
    "/auth/token",
    response_model=TokenOut,
    tags=["auth"],
    responses={429: {"model": ErrorOut, "description": "too many failed logins / 登录尝试过多"}},
)
def token(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    engine: E,
) -> TokenOut:
    """登录获取令牌 / exchange a username and password for a bearer token.

    The same 401 answer for an unknown user and a wrong password; after 5 failures in 15 minutes
    (per username and per client) 429 for everyone, the right password included.
    """
    who = accounts.authenticate(username, password, deps.client(request), engine)
    access.audit(who, "login", "api", client=deps.client(request), engine=engine)
    return TokenOut(
        access_token=accounts.issue_token(who, engine, client=deps.client(request)),
        expires_in=int(accounts.token_ttl().total_seconds()),
    )


@router.post("/auth/logout", status_code=204, tags=["auth"], response_class=Response)
def logout(request: Request, principal: P, engine: E) -> Response:
    """注销 / log out: revoke the bearer token sent (or end the browser session); audited."""
    token = deps.bearer_token(request)
    if token:
        accounts.revoke_token(token, principal, deps.client(request), engine)
    elif "session" in request.scope and request.session.get("user"):
        access.audit(principal, "logout", "web", client=deps.client(request), engine=engine)
        request.session.clear()  # the session middleware deletes the stored session
    return Response(status_code=204)


@router.post("/auth/password", response_model=UserStateOut, tags=["auth"])
def password_change(
    body: PasswordChangeIn, request: Request, principal: P, engine: E
) -> UserStateOut:
    """修改本人密码 / change one's own password (the old one is required; throttled like a
    login). Every other session and token of the account ends; audited."""
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    ended = accounts.change_password(
        principal,
        body.old_password,
        body.new_password,
        keep_session=None if deps.bearer_token(request) else deps.session_id(request),
        client=deps.client(request),
        engine=engine,
    )
    return UserStateOut(username=principal.username or "", active=True, sessions_ended=ended)


class CsrfOut(BaseModel):
    csrf_token: str = Field(description="send as X-CSRF-Token with session-cookie POST/DELETE")


@router.get("/auth/csrf", response_model=CsrfOut, tags=["auth"])
def csrf(request: Request) -> CsrfOut:
    """CSRF 令牌 / the CSRF token of the browser session.

    State-changing calls authenticated by the session cookie must send it as ``X-CSRF-Token``
    (or form field ``csrf``); calls with a bearer token need none."""
    return CsrfOut(csrf_token=deps.csrf_token(request))


@router.get("/me", response_model=MeOut, tags=["auth"])
def me(principal: P) -> MeOut:
    """当前身份 / who am I (``role`` is ``public`` without a token)."""
    zh, en = accounts.ROLES[principal.role]
    return MeOut(
        username=principal.username,
        role=principal.role,
        role_label=f"{zh} / {en}",
        scope=principal.scope,
        organisation_id=principal.organisation_id,
        can_import=list(access.importable_kinds(principal)),
    )


# --------------------------------------------------------------------------------------------
# reference and clusters (public)
# --------------------------------------------------------------------------------------------


def _text_filter(df: pd.DataFrame, q: str | None, *cols: str) -> pd.DataFrame:
    if not q:
        return df
    hit = pd.Series(False, index=df.index)
    for c in cols:
        hit |= df[c].astype("string").str.contains(q, regex=False, na=False).astype(bool)
    return df[hit]


def _name_or_code(df: pd.DataFrame, q: str | None) -> pd.DataFrame:
    """Rows whose name contains ``q`` or whose code starts with it (a reference table search)."""
    if not q:
        return df
    return df[
        df["name"].str.contains(q, regex=False, na=False).astype(bool)
        | df["code"].str.startswith(q).astype(bool)
    ]


@router.get("/regions", tags=["reference"], response_model=None, responses=TABLE)
def regions(
    table: TablePage,
    level: Annotated[Literal["province", "prefecture", "county"] | None, Query()] = None,
    parent: Annotated[str | None, Query(max_length=6)] = None,
    q: Annotated[str | None, Query(max_length=50, description="name or code")] = None,
) -> Response:
    """行政区划 / GB/T 2260 regions (public)."""
    df = reference.regions()
    if level:
        df = df[df["level"] == level]
    if parent:
        df = df[df["parent_code"] == parent]
    df = _name_or_code(df, q)
    return table.page(df, "regions", "code", {"source": "GB/T 2260"})


@router.get("/industries", tags=["reference"], response_model=None, responses=TABLE)
def industries(
    table: TablePage,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    q: Annotated[str | None, Query(max_length=50, description="name or code prefix")] = None,
) -> Response:
    """国民经济行业分类 / GB/T 4754-2017 industries (public; level 1 = section ... 4 = class)."""
    df = reference.industries()
    if level and "level" in df:
        df = df[df["level"] == level]
    df = _name_or_code(df, q)
    return table.page(df, "industries", "code", {"source": "GB/T 4754-2017"})


class SearchRegionOut(BaseModel):
    code: str
    name: str
    full_name: str = Field(description="province, prefecture and county names (江苏省 无锡市)")
    level: str


class SearchClusterOut(BaseModel):
    cluster_id: str
    name: str
    name_en: str | None = None
    tier: str | None = None
    field: str | None = None
    member_regions: str
    via: str = Field(description="``name`` (the cluster matched) or the region code that did")


class SearchOut(BaseModel):
    q: str
    regions: list[SearchRegionOut]
    clusters: list[SearchClusterOut]


class SuggestItem(BaseModel):
    value: str = Field(description="the code to put in the form field")
    label: str


class SuggestOut(BaseModel):
    items: list[SuggestItem]


@router.get("/search", tags=["reference"], response_model=SearchOut)
def search(
    engine: E,
    q: Annotated[str, Query(max_length=50, description="Chinese name, pinyin, initials or code")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """搜索集群与地区 / clusters and regions by Chinese name, pinyin, initials or code (public).

    ``江苏`` finds Jiangsu and the clusters with a member region in it; ``wuxi``, ``wx`` and
    ``320200`` find 无锡市."""
    return directory.search(q, engine, limit)


@router.get("/suggest", tags=["reference"], response_model=SuggestOut)
def suggest(
    principal: P,
    engine: E,
    request: Request,
    kind: Annotated[Literal["region", "industry", "firm", "cluster"], Query()],
    q: Annotated[str, Query(max_length=50, description="what has been typed so far")] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """补全 / completions for a code field: region, industry, cluster (public) or firm.

    Firm suggestions are the firms the caller may see (own scope or granted), audited as a list
    of firms (``list_enterprises``); the public gets none."""
    items = directory.suggest(principal, kind, q, engine, limit=limit, client=deps.client(request))
    return {"items": items}


@router.get("/clusters", tags=["clusters"], response_model=None, responses=TABLE)
def clusters(
    engine: E,
    table: TablePage,
    tier: Annotated[str | None, Query(max_length=24)] = None,
    field: Annotated[str | None, Query(max_length=32)] = None,
    region: Annotated[str | None, Query(max_length=6, description="member region (prefix)")] = None,
    industry: Annotated[str | None, Query(max_length=4, description="leading industry")] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
) -> Response:
    """集群名录 / clusters (public)."""
    df = directory.filter_clusters(directory.cluster_frame(engine), tier, field, region)
    if industry:
        hit = df["leading_industries"].map(lambda xs: any(x.startswith(industry) for x in xs))
        df = df.loc[hit.astype(bool)]
    df = _text_filter(df, q, "name", "name_en", "cluster_id")
    if table.format != "json":
        df = df.assign(
            member_regions=df["member_regions"].map(";".join),
            leading_industries=df["leading_industries"].map(";".join),
        )
    return table.page(df, "clusters", "cluster_id")


@router.get("/clusters/{cluster_id}", tags=["clusters"], response_model=ClusterOut)
def cluster(cluster_id: str, engine: E) -> dict[str, Any]:
    """一个集群 / one cluster with its member regions and leading industries (public)."""
    df = directory.cluster_frame(engine)
    hit = df[df["cluster_id"] == cluster_id]
    if hit.empty:
        raise access.NotFound(f"找不到集群 {cluster_id}", f"no cluster {cluster_id}")
    out = records(hit)[0]
    out["member_regions"] = [
        {"code": r, "name": reference.region_name(r) or r} for r in out["member_regions"]
    ]
    out["leading_industries"] = [
        {"code": i, "name": reference.industry_name(i) or ""} for i in out["leading_industries"]
    ]
    return out


@router.get(
    "/clusters/{cluster_id}/diagnosis", tags=["clusters", "metrics"], response_model=DiagnosisOut
)
def cluster_diagnosis(
    cluster_id: str,
    principal: P,
    engine: E,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    measure: Annotated[Literal["employment", "output", "revenue", "firms"], Query()] = "employment",
    level: Annotated[Literal["class", "division"], Query()] = "class",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """集群诊断 / the cluster diagnosis (logged-in users; computed from aggregate statistics)."""
    from jiqun.services.diagnosis import diagnose_cluster
    from jiqun.services.reports import to_dict

    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    directory.require_cluster(cluster_id, engine)
    return to_dict(
        diagnose_cluster(
            cluster_id, engine=engine, year=year, measure=measure, industry_level=level, top=top
        )
    )


DOCX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Word 报告 / a Word report (.docx)",
        "content": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string", "format": "binary"}
            }
        },
    }
}


@router.get(
    "/clusters/{cluster_id}/report.docx",
    tags=["clusters", "reports"],
    response_class=Response,
    responses=DOCX_RESPONSE,
)
def cluster_report_docx(
    cluster_id: str,
    principal: P,
    engine: E,
    request: Request,
    measure: Annotated[Literal["employment", "output", "revenue", "firms"], Query()] = "employment",
    level: Annotated[Literal["class", "division"], Query()] = "class",
) -> Response:
    """集群报告 Word 版 / the cluster dashboard as a Word report, as this reader sees it (the
    public gets the public version: no diagnosis or hot spots, suppressed published cells)."""
    from jiqun.services.report_docx import cluster_report
    from jiqun.web.responses import docx_response

    directory.require_cluster(cluster_id, engine)
    rep = cluster_report(
        principal,
        cluster_id,
        engine,
        measure=measure,
        level=level,
        client=deps.client(request),
    )
    return docx_response(rep, f"集群报告-{cluster_id}")


@router.get(
    "/regions/{code}/report.docx",
    tags=["regions", "reports"],
    response_class=Response,
    responses=DOCX_RESPONSE,
)
def region_report_docx(
    code: Annotated[str, PathParam(pattern=r"^[0-9]{6}$", description="GB/T 2260 code")],
    principal: P,
    engine: E,
    measure: Annotated[Literal["employment", "output", "revenue", "firms"], Query()] = "employment",
) -> Response:
    """地区报告 Word 版 / the region dashboard as a Word report, as this reader sees it (the
    public gets the public version: no "what next" section, suppressed published cells)."""
    from jiqun.services.report_docx import region_report
    from jiqun.web.responses import docx_response

    rep = region_report(principal, code, engine, measure=measure)
    return docx_response(rep, f"地区报告-{code}")


@router.get("/overview", tags=["clusters"], response_model=OverviewOut)
def overview(
    engine: E,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    tier: Annotated[str, Query(max_length=24)] = "national",
) -> dict[str, Any]:
    """全国概览 / the national overview (published aggregates, public)."""
    from jiqun.services.overview import national_overview

    ov = national_overview(engine, year=year, tier=tier)
    return {
        "totals": {k: (None if v != v else v) for k, v in ov.totals.items()},
        "by_field": records(ov.by_field),
        "clusters": records(ov.clusters),
        "basis": ov.basis,
        "notes": ov.notes,
    }


# --------------------------------------------------------------------------------------------
# enterprises (scoped)
# --------------------------------------------------------------------------------------------

EnterpriseSort = Literal[
    "uscc",
    "-uscc",
    "name",
    "-name",
    "region_code",
    "-region_code",
    "industry_code",
    "-industry_code",
    "revenue",
    "-revenue",
    "employees",
    "-employees",
]


@router.get("/enterprises", tags=["enterprises"], response_model=None, responses=TABLE)
def enterprises(
    principal: P,
    engine: E,
    request: Request,
    table: Paging,
    region: Annotated[str | None, Query(max_length=6, description="region code (prefix)")] = None,
    industry: Annotated[str | None, Query(max_length=4, description="industry code prefix")] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[
        str | None, Query(max_length=50, description="part of the name or of the credit code")
    ] = None,
    sort: Annotated[EnterpriseSort | None, Query()] = None,
) -> Response:
    """企业名录（一企一档）/ enterprises within the caller's scope or granted to it (logged in).

    Every call is one audit entry naming the firms returned and the query
    (``list_enterprises``; ``export_enterprises`` for CSV and XLSX)."""
    df, total = directory.enterprise_list(
        principal,
        engine,
        region=region,
        industry=industry,
        tag=tag,
        q=q,
        **table.window(),
        sort=sort or "uscc",
        purpose="list" if table.format == "json" else "export",
        client=deps.client(request),
    )
    return table.paged(df, "enterprises", total, {"unit": "万元 (money)"})


@router.get("/enterprises/{uscc}", tags=["enterprises"], response_model=EnterpriseOut)
def enterprise(uscc: str, principal: P, engine: E, request: Request) -> dict[str, Any]:
    """一企一档 / one enterprise (404 when absent or not visible: existence does not leak).

    Every read is one audit entry (``read_enterprise``; ``read_granted`` through a grant)."""
    rec = directory.enterprise_profile(principal, uscc, engine, client=deps.client(request))
    out = {k: v for k, v in rec.items() if k not in ("clusters", "suppliers", "customers")}
    # rows of tables as JSON records (NaN → null), like every other table of the API
    for k in ("clusters", "suppliers", "customers"):
        out[k] = records(pd.DataFrame(rec[k]))
    return out


# --------------------------------------------------------------------------------------------
# grants, organisations, users, audit
# --------------------------------------------------------------------------------------------

GRANT_COLUMNS = list(GrantOut.model_fields)


@router.get("/grants", tags=["sharing"], response_model=None, responses=TABLE)
def grants(
    principal: P,
    engine: E,
    table: TablePage,
    uscc: Annotated[str | None, Query(max_length=18)] = None,
    active: bool | None = None,
) -> Response:
    """授权列表 / grants the caller may see (admin: all; enterprise: its own and those it
    received; other organisations: those they received)."""
    df = pd.DataFrame(access.list_grants(principal, engine), columns=GRANT_COLUMNS)
    df = filter_eq(df, uscc=uscc, active=active)
    return table.page(df, "grants", "id")


@router.post("/grants", status_code=201, tags=["sharing"], response_model=GrantOut)
def grant_create(body: GrantIn, principal: P, engine: E, request: Request) -> JSONResponse:
    """企业授权某机构查看其数据 / an enterprise lets an organisation see its records
    (the enterprise itself, or an admin as data owner; audited)."""
    access.require_role(principal, "admin", "enterprise")
    g = access.create_grant(
        principal,
        body.uscc,
        body.grantee_organisation_id,
        body.purpose,
        body.expires_at,
        engine=engine,
        client=deps.client(request),
    )
    return JSONResponse(records(pd.DataFrame([g]))[0], status_code=201)


@router.delete("/grants/{grant_id}", tags=["sharing"], response_model=GrantOut)
def grant_revoke(grant_id: int, principal: P, engine: E, request: Request) -> dict[str, Any]:
    """撤销授权 / revoke a grant (its grantor enterprise or an admin; audited)."""
    access.require_role(principal, "admin", "enterprise")
    if not 1 <= grant_id < 2**31:
        raise access.NotFound(f"找不到授权 {grant_id}", f"no grant {grant_id}")
    g = access.revoke_grant(principal, grant_id, engine=engine, client=deps.client(request))
    return records(pd.DataFrame([g]))[0]


MEMBERSHIP_COLUMNS = [
    "cluster_id",
    "cluster_name",
    "uscc",
    "firm_name",
    "role",
    "status",
    "requested_by",
    "decided_by",
    "decided_at",
]


@router.get("/memberships", tags=["sharing"], response_model=None, responses=TABLE)
def memberships(
    principal: P,
    engine: E,
    table: TablePage,
    status: Annotated[Literal["pending", "approved", "rejected", "all"], Query()] = "pending",
) -> Response:
    """集群成员关系 / cluster memberships awaiting (or past) approval: admin all, an enterprise
    its own, a cluster organisation its own cluster's requests."""
    from jiqun.services import memberships as ms

    rows = ms.list_memberships(principal, None if status == "all" else status, engine)
    df = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    return table.page(df, "memberships", "cluster_id")


@router.post("/memberships/{cluster_id}/{uscc}/{decision}", tags=["sharing"], response_model=None)
def membership_decide(
    cluster_id: Annotated[str, Path(max_length=40)],
    uscc: Annotated[str, Path(max_length=18)],
    decision: Literal["approve", "reject"],
    principal: P,
    engine: E,
    request: Request,
) -> dict[str, Any]:
    """批准或拒绝集群成员关系 / approve or reject a membership (admin or the firm itself;
    audited). A membership widens the cluster organisation's view only once approved."""
    from jiqun.services import memberships as ms

    row = ms.decide_membership(
        principal,
        cluster_id,
        uscc,
        decision == "approve",
        engine=engine,
        client=deps.client(request),
    )
    return records(pd.DataFrame([row], columns=MEMBERSHIP_COLUMNS))[0]


@router.get("/organisations", tags=["admin"], response_model=None, responses=TABLE)
def organisations(
    principal: P,
    engine: E,
    table: TablePage,
    kind: Annotated[Literal["admin", "government", "cluster", "enterprise"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
) -> Response:
    """机构 / organisations: all for an admin; for other logged-in users the government and
    cluster organisations (to choose a grantee) and their own — never enterprise account
    holders."""
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    df = pd.DataFrame(
        accounts.list_organisations(engine, principal),
        columns=["id", "name", "kind", "scope", "created_at"],
    )
    if kind:
        df = df[df["kind"] == kind]
    df = _text_filter(df, q, "name", "scope")
    return table.page(df, "organisations", "id")


@router.get("/users", tags=["admin"], response_model=None, responses=TABLE)
def users(
    principal: P,
    engine: E,
    table: TablePage,
    role: Annotated[Literal["admin", "government", "cluster", "enterprise"] | None, Query()] = None,
    active: bool | None = None,
) -> Response:
    """用户 / users (admin)."""
    access.require_role(principal, "admin")
    df = pd.DataFrame(
        accounts.list_users(engine),
        columns=["username", "role", "scope", "active", "organisation_id", "created_at"],
    )
    df = filter_eq(df, role=role, active=active)
    return table.page(df, "users", "username")


@router.post("/users", status_code=201, tags=["admin"], response_model=UserOut)
def user_create(body: UserIn, principal: P, engine: E, request: Request) -> JSONResponse:
    """新建用户 / create an account (admin; audited)."""
    access.require_role(principal, "admin")
    p = accounts.create_user(
        principal, body.username, body.role, body.password, body.scope,
        client=deps.client(request), engine=engine,
    )  # fmt: skip
    return JSONResponse(
        {
            "username": p.username,
            "role": p.role,
            "scope": p.scope,
            "organisation_id": p.organisation_id,
        },
        status_code=201,
    )


def _user_state(username: str, ended: int, engine: Engine) -> UserStateOut:
    active = {u["username"]: bool(u["active"]) for u in accounts.list_users(engine)}
    return UserStateOut(username=username, active=active.get(username, False), sessions_ended=ended)


Username = Annotated[str, PathParam(min_length=3, max_length=80)]


@router.post("/users/{username}/disable", tags=["admin"], response_model=UserStateOut)
def user_disable(username: Username, principal: P, engine: E, request: Request) -> UserStateOut:
    """停用账户 / disable an account: every session and token ends at once (admin; audited)."""
    access.require_role(principal, "admin")
    ended = accounts.disable_user(principal, username, deps.client(request), engine)
    return _user_state(username, ended, engine)


@router.post("/users/{username}/enable", tags=["admin"], response_model=UserStateOut)
def user_enable(username: Username, principal: P, engine: E, request: Request) -> UserStateOut:
    """启用账户 / enable an account (admin; audited); old sessions and tokens stay ended."""
    access.require_role(principal, "admin")
    accounts.enable_user(principal, username, deps.client(request), engine)
    return _user_state(username, 0, engine)


@router.post("/users/{username}/password", tags=["admin"], response_model=UserStateOut)
def user_password_reset(
    username: Username, body: PasswordResetIn, principal: P, engine: E, request: Request
) -> UserStateOut:
    """重置密码 / set a new password for an account (admin; audited); its sessions end."""
    access.require_role(principal, "admin")
    ended = accounts.reset_password(
        principal, username, body.password, deps.client(request), engine
    )
    return _user_state(username, ended, engine)


@router.get("/audit", tags=["admin"], response_model=None, responses=TABLE)
def audit_log(
    principal: P,
    engine: E,
    table: Paging,
    action: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """审计日志 / audit log, newest first (admin: all; others: their own entries, and for an
    enterprise the reads of its records)."""
    rows = access.read_audit(
        principal, limit=table.limit, offset=table.offset, action=action, engine=engine
    )
    df = pd.DataFrame(
        rows, columns=["id", "at", "username", "role", "action", "resource", "outcome", "detail"]
    )
    return table_response(df, table.format, "audit", {"limit": table.limit, "offset": table.offset})


@router.get("/audit/readers", tags=["sharing"], response_model=None, responses=TABLE)
def audit_readers(
    principal: P,
    engine: E,
    table: Paging,
    uscc: Annotated[str | None, Query(max_length=18, description="admin: the firm")] = None,
) -> Response:
    """谁查看了我的数据 / who read my records: every audited read naming the caller's firm
    (an enterprise account; an admin passes ``uscc``), newest first."""
    rows, total = access.readers_of(
        principal, uscc, limit=table.limit, offset=table.offset, engine=engine
    )
    df = pd.DataFrame(rows, columns=READER_COLUMNS)
    return table.paged(df, "readers", total)


READER_COLUMNS = [
    "id",
    "at",
    "username",
    "role",
    "organisation",
    "action",
    "resource",
    "outcome",
    "params",
    "n_firms",
]


from jiqun.web import api_chains, api_data, api_imports, api_services  # noqa: E402

router.include_router(api_data.router)
router.include_router(api_imports.router)
router.include_router(api_chains.router)
router.include_router(api_services.router)
from jiqun.web import api_io  # noqa: E402

router.include_router(api_io.router)
from jiqun.web import api_matching  # noqa: E402

router.include_router(api_matching.router)
from jiqun.web import api_jobs  # noqa: E402

router.include_router(api_jobs.router)
from jiqun.web import api_planning  # noqa: E402

router.include_router(api_planning.router)

from jiqun.web import api_whatif  # noqa: E402

router.include_router(api_whatif.router)
