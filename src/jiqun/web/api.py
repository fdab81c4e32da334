"""REST API ``/api/v1``: thin handlers over the services (access decisions live in services).

Lists take ``limit`` (≤ 1000), ``offset``, ``sort`` (a column, ``-`` prefix for descending) and
``format=json|csv|xlsx``; JSON lists answer ``{"items": [...], "meta": {"total", "limit",
"offset", "basis"...}}``. Errors answer ``{"error": {"code", "message_zh", "message_en"}}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, text

from jiqun import reference
from jiqun.services import access, accounts
from jiqun.services.accounts import Principal
from jiqun.web import deps
from jiqun.web.responses import records, table_response

router = APIRouter(dependencies=[Depends(deps.check_csrf)])

Fmt = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, csv or xlsx")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
P = Annotated[Principal, Depends(deps.principal)]
E = Annotated[Engine, Depends(deps.engine)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class GrantIn(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    grantee_organisation_id: int
    purpose: str | None = Field(default=None, max_length=300)
    expires_at: dt.datetime | None = None


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=80)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "government", "cluster", "enterprise"]
    scope: str | None = Field(default=None, max_length=40)


def _sorted(df: pd.DataFrame, sort: str | None, default: str) -> pd.DataFrame:
    key = (sort or default).strip()
    desc = key.startswith("-")
    col = key.lstrip("-")
    if col not in df.columns:
        raise access.JiqunError(f"不能按 {col!r} 排序", f"cannot sort by {col!r}")
    return df.sort_values(col, ascending=not desc, kind="stable", na_position="last")


def _page(
    df: pd.DataFrame,
    fmt: str,
    name: str,
    limit: int,
    offset: int,
    sort: str | None,
    default_sort: str,
    meta: dict[str, Any] | None = None,
) -> Response:
    df = _sorted(df, sort, default_sort)
    total = len(df)
    page = df if fmt != "json" else df.iloc[offset : offset + limit]
    return table_response(
        page, fmt, name, {"total": total, "limit": limit, "offset": offset, **(meta or {})}
    )


# --------------------------------------------------------------------------------------------
# auth
# --------------------------------------------------------------------------------------------


@router.post("/auth/token", response_model=TokenOut, tags=["auth"])
def token(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    engine: E,
) -> TokenOut:
    """登录获取令牌 / exchange a username and password for a bearer token."""
    who = accounts.authenticate(username, password, deps.client(request), engine)
    access.audit(who, "login", "api", client=deps.client(request), engine=engine)
    return TokenOut(access_token=accounts.issue_token(who, engine))


@router.get("/me", tags=["auth"])
def me(principal: P) -> dict[str, Any]:
    """当前身份 / who am I."""
    zh, en = accounts.ROLES[principal.role]
    return {
        "username": principal.username,
        "role": principal.role,
        "role_label": f"{zh} / {en}",
        "scope": principal.scope,
        "organisation_id": principal.organisation_id,
    }


# --------------------------------------------------------------------------------------------
# reference and clusters (public)
# --------------------------------------------------------------------------------------------


@router.get("/regions", tags=["reference"])
def regions(
    level: Annotated[Literal["province", "prefecture", "county"] | None, Query()] = None,
    parent: Annotated[str | None, Query(max_length=6)] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    format: Fmt = "json",
) -> Response:
    """行政区划 / GB/T 2260 regions."""
    df = reference.regions()
    if level:
        df = df[df["level"] == level]
    if parent:
        df = df[df["parent_code"] == parent]
    if q:
        df = df[df["name"].str.contains(q, regex=False, na=False) | df["code"].str.startswith(q)]
    return _page(df, format, "regions", limit, offset, sort, "code", {"source": "GB/T 2260"})


@router.get("/industries", tags=["reference"])
def industries(
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    format: Fmt = "json",
) -> Response:
    """国民经济行业分类 / GB/T 4754-2017 industries."""
    df = reference.industries()
    if level:
        df = df[df["level"] == level] if "level" in df else df
    if q:
        df = df[df["name"].str.contains(q, regex=False, na=False) | df["code"].str.startswith(q)]
    return _page(
        df, format, "industries", limit, offset, sort, "code", {"source": "GB/T 4754-2017"}
    )


def _clusters_frame(engine: Engine) -> pd.DataFrame:
    with engine.connect() as c:
        cl = pd.read_sql(
            text(
                "SELECT cluster_id, name, name_en, tier, batch_year, field, verification, "
                "synthetic FROM clusters"
            ),
            c,
        )
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), c)
        ci = pd.read_sql(text("SELECT cluster_id, industry_code FROM cluster_industries"), c)
    cl["member_regions"] = cl["cluster_id"].map(cr.groupby("cluster_id")["region_code"].agg(list))
    cl["leading_industries"] = cl["cluster_id"].map(
        ci.groupby("cluster_id")["industry_code"].agg(list)
    )
    for col in ("member_regions", "leading_industries"):
        cl[col] = cl[col].map(lambda v: v if isinstance(v, list) else [])
    cl["batch_year"] = cl["batch_year"].astype("Int64")
    cl["synthetic"] = cl["synthetic"].astype(bool)
    return cl


@router.get("/clusters", tags=["clusters"])
def clusters(
    engine: E,
    tier: Annotated[str | None, Query(max_length=24)] = None,
    field: Annotated[str | None, Query(max_length=32)] = None,
    region: Annotated[str | None, Query(max_length=6)] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    format: Fmt = "json",
) -> Response:
    """集群名录 / clusters (public)."""
    df = _clusters_frame(engine)
    if tier:
        df = df[df["tier"] == tier]
    if field:
        df = df[df["field"] == field]
    if region:
        pfx = access.region_prefix(region)
        df = df[df["member_regions"].map(lambda rs: any(r.startswith(pfx) for r in rs))]
    if q:
        df = df[df["name"].str.contains(q, regex=False, na=False)]
    if format != "json":
        df = df.assign(
            member_regions=df["member_regions"].map(";".join),
            leading_industries=df["leading_industries"].map(";".join),
        )
    return _page(df, format, "clusters", limit, offset, sort, "cluster_id")


@router.get("/clusters/{cluster_id}", tags=["clusters"])
def cluster(cluster_id: str, engine: E) -> dict[str, Any]:
    """一个集群 / one cluster with its member regions and leading industries."""
    df = _clusters_frame(engine)
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


@router.get("/clusters/{cluster_id}/diagnosis", tags=["clusters", "metrics"])
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
    return to_dict(
        diagnose_cluster(
            cluster_id, engine=engine, year=year, measure=measure, industry_level=level, top=top
        )
    )


@router.get("/overview", tags=["clusters"])
def overview(
    engine: E,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    tier: Annotated[str, Query(max_length=24)] = "national",
) -> dict[str, Any]:
    """全国概览 / the national overview (published aggregates)."""
    from jiqun.services.overview import national_overview

    ov = national_overview(engine, year=year, tier=tier)
    return {
        "totals": ov.totals,
        "by_field": records(ov.by_field),
        "clusters": records(ov.clusters),
        "basis": ov.basis,
        "notes": ov.notes,
    }


# --------------------------------------------------------------------------------------------
# enterprises (scoped)
# --------------------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    "uscc, name, region_code, industry_code, founded, employees, revenue, output, rd_expense, "
    "tags, business_scope, address, lon, lat, synthetic"
)


@router.get("/enterprises", tags=["enterprises"])
def enterprises(
    principal: P,
    engine: E,
    request: Request,
    region: Annotated[str | None, Query(max_length=6)] = None,
    industry: Annotated[str | None, Query(max_length=4)] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: Annotated[
        Literal["uscc", "-uscc", "name", "-name", "revenue", "-revenue", "employees", "-employees"]
        | None,
        Query(),
    ] = None,
    format: Fmt = "json",
) -> Response:
    """企业名录（一企一档）/ enterprises within the caller's scope or granted to it."""
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    cond, params = access.enterprise_scope_sql(principal)
    where = [cond]
    if region:
        where.append("e.region_code LIKE :rp")
        params["rp"] = access.region_prefix(region) + "%"
    if industry:
        where.append("e.industry_code LIKE :ip")
        params["ip"] = industry + "%"
    if tag:
        where.append("(';' || COALESCE(e.tags, '') || ';') LIKE :tg")
        params["tg"] = f"%;{tag};%"
    if q:
        where.append("e.name LIKE :q")
        params["q"] = f"%{q}%"
    w = " AND ".join(where)
    key = (sort or "uscc").lstrip("-")
    order = f"e.{key} {'DESC' if (sort or '').startswith('-') else 'ASC'}, e.uscc"
    page = "" if format != "json" else " LIMIT :lim OFFSET :off"
    with engine.connect() as c:
        total = c.execute(text(f"SELECT COUNT(*) FROM enterprises e WHERE {w}"), params).scalar()
        df = pd.read_sql(
            text(
                f"SELECT {ENTERPRISE_COLUMNS} FROM enterprises e WHERE {w} ORDER BY {order}{page}"
            ),
            c,
            params={**params, "lim": limit, "off": offset},
        )
    df["synthetic"] = df["synthetic"].astype(bool)
    access.audit(
        principal,
        "list_enterprises",
        "enterprises",
        detail={"n": len(df), "filters": {"region": region, "industry": industry, "tag": tag}},
        client=deps.client(request),
        engine=engine,
    )
    return table_response(
        df,
        format,
        "enterprises",
        {"total": int(total or 0), "limit": limit, "offset": offset, "unit": "万元 (money)"},
    )


@router.get("/enterprises/{uscc}", tags=["enterprises"])
def enterprise(uscc: str, principal: P, engine: E, request: Request) -> dict[str, Any]:
    """一企一档 / one enterprise (404 when absent or not visible: existence does not leak)."""
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    if len(uscc) != 18 or not access.can_see_enterprise(
        principal, uscc, engine, client=deps.client(request)
    ):
        raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
    with engine.connect() as c:
        df = pd.read_sql(
            text(f"SELECT {ENTERPRISE_COLUMNS} FROM enterprises e WHERE e.uscc = :u"),
            c,
            params={"u": uscc},
        )
        if df.empty:
            raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        links = pd.read_sql(
            text(
                "SELECT supplier_uscc, buyer_uscc, year, input_category, value, synthetic "
                "FROM supply_links WHERE supplier_uscc = :u OR buyer_uscc = :u "
                "ORDER BY year DESC, value DESC LIMIT 200"
            ),
            c,
            params={"u": uscc},
        )
        members = pd.read_sql(
            text("SELECT cluster_id, role FROM cluster_members WHERE uscc = :u"),
            c,
            params={"u": uscc},
        )
    out = records(df.assign(synthetic=df["synthetic"].astype(bool)))[0]
    out["tags"] = [t for t in (out.get("tags") or "").split(";") if t]
    out["clusters"] = records(members)
    out["suppliers"] = records(links[links["buyer_uscc"] == uscc])
    out["customers"] = records(links[links["supplier_uscc"] == uscc])
    out["basis"] = {
        "unit": "万元 (revenue, output, rd_expense, link value)",
        "synthetic": out["synthetic"],
    }
    access.audit(
        principal,
        "read_enterprise",
        f"enterprise:{uscc}",
        client=deps.client(request),
        engine=engine,
    )
    return out


# --------------------------------------------------------------------------------------------
# grants, organisations, users, audit
# --------------------------------------------------------------------------------------------


@router.get("/grants", tags=["sharing"])
def grants(principal: P, engine: E, format: Fmt = "json") -> Response:
    """授权列表 / grants the caller may see."""
    return table_response(access.list_grants(principal, engine), format, "grants")


@router.post("/grants", status_code=201, tags=["sharing"])
def grant_create(body: GrantIn, principal: P, engine: E, request: Request) -> JSONResponse:
    """企业授权某机构查看其数据 / an enterprise lets an organisation see its records."""
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


@router.delete("/grants/{grant_id}", tags=["sharing"])
def grant_revoke(grant_id: int, principal: P, engine: E, request: Request) -> dict[str, Any]:
    """撤销授权 / revoke a grant."""
    access.require_role(principal, "admin", "enterprise")
    g = access.revoke_grant(principal, grant_id, engine=engine, client=deps.client(request))
    return records(pd.DataFrame([g]))[0]


@router.get("/organisations", tags=["admin"])
def organisations(principal: P, engine: E, format: Fmt = "json") -> Response:
    """机构 / organisations (any logged-in user: needed to choose a grantee)."""
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    return table_response(accounts.list_organisations(engine), format, "organisations")


@router.get("/users", tags=["admin"])
def users(principal: P, engine: E, format: Fmt = "json") -> Response:
    """用户 / users (admin)."""
    access.require_role(principal, "admin")
    return table_response(accounts.list_users(engine), format, "users")


@router.post("/users", status_code=201, tags=["admin"])
def user_create(body: UserIn, principal: P, engine: E, request: Request) -> JSONResponse:
    """新建用户 / create an account (admin)."""
    access.require_role(principal, "admin")
    p = accounts.add_user(body.username, body.role, body.password, body.scope, engine)
    access.audit(
        principal,
        "user_create",
        f"user:{p.username}",
        detail={"role": p.role, "scope": p.scope},
        client=deps.client(request),
        engine=engine,
    )
    return JSONResponse(
        {
            "username": p.username,
            "role": p.role,
            "scope": p.scope,
            "organisation_id": p.organisation_id,
        },
        status_code=201,
    )


@router.get("/audit", tags=["admin"])
def audit_log(
    principal: P,
    engine: E,
    action: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Fmt = "json",
) -> Response:
    """审计日志 / audit log (admin: all; others: their own entries)."""
    rows = access.read_audit(principal, limit=limit, offset=offset, action=action, engine=engine)
    return table_response(rows, format, "audit", {"limit": limit, "offset": offset})
