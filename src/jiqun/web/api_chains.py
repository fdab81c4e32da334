"""REST API: industrial chains (产业链图谱) and supply-chain disruption scenarios (供应链韧性).

Thin wrappers over :mod:`jiqun.chains.templates`, :mod:`jiqun.services.chains` and
:mod:`jiqun.services.resilience`. Templates are reference data (public). Analyses list
enterprises: :func:`jiqun.services.chains.chain_analysis` decides what a caller may see of a
chain analysis (the same decision as the web pages); :func:`jiqun.services.access.require_scenario` /
:func:`jiqun.services.access.require_scenario` decide who may run them and
:func:`jiqun.services.access.visible_rows` removes rows about enterprises the caller may not
read (reads through a grant are audited).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jiqun.services import access
from jiqun.services.jsonready import json_records, json_value
from jiqun.web import deps
from jiqun.web.api_common import DOWNLOADS, TABLE, XLSX, E, Fmt, Limit, Offset, P, TablePage
from jiqun.web.inputs import Body
from jiqun.web.responses import report_xlsx, table_response

router = APIRouter()

ChainId = Annotated[str, Query(max_length=60)]


class ChainTemplateOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    name_zh: str
    name_en: str
    field: str | None = None
    version: Any = None
    segments: list[dict[str, Any]]


class ChainTableOut(BaseModel):
    title: str
    rows: list[dict[str, Any]]
    hidden_rows: int


class ReportOut(BaseModel):
    """A report of several tables: its summary, basis and notes (the tables: subclasses)."""

    summary: dict[str, Any]
    basis: dict[str, Any]
    notes: list[str]


class ChainAnalysisOut(ReportOut):
    tables: dict[str, ChainTableOut]


def _templates() -> dict[str, Any]:
    from jiqun.chains.templates import load_templates

    return load_templates()


def _template(chain_id: str) -> Any:
    tpl = _templates().get(chain_id)
    if tpl is None:
        raise access.NotFound(f"找不到产业链模板 {chain_id}", f"no chain template {chain_id}")
    return tpl


@router.get("/chains", tags=["chains"], response_model=None, responses=TABLE)
def chains(
    table: TablePage,
    field: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
) -> Response:
    """产业链模板 / chain templates (public): segments upstream → downstream with GB/T 4754
    codes, products and HS codes."""
    rows = [
        {
            "id": t.id,
            "name_zh": t.name_zh,
            "name_en": t.name_en,
            "field": t.field,
            "version": str(t.version),
            "segments": len(t.segments),
            "shipped": bool(getattr(t, "shipped", True)),
        }
        for t in _templates().values()
    ]
    df = pd.DataFrame(
        rows, columns=["id", "name_zh", "name_en", "field", "version", "segments", "shipped"]
    )
    if field:
        df = df[df["field"] == field]
    if q:
        hit = df["name_zh"].str.contains(q, regex=False) | df["name_en"].str.contains(
            q, case=False, regex=False
        )
        df = df[hit.astype(bool)]
    return table.page(df, "chains", "id")


@router.get("/chains/{chain_id}", tags=["chains"], response_model=ChainTemplateOut)
def chain(chain_id: str) -> dict[str, Any]:
    """一个产业链模板 / one chain template with its segments (public)."""
    return json_value(_template(chain_id).to_dict())


@router.get(
    "/chains/{chain_id}/analysis",
    tags=["chains"],
    response_model=ChainAnalysisOut,
    responses={
        200: {
            "description": "JSON (every table), XLSX (one sheet per table) or one table as CSV",
            "content": DOWNLOADS,
        }
    },
)
def chain_analysis(
    chain_id: str,
    principal: P,
    engine: E,
    request: Request,
    cluster: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    basis: Annotated[Literal["auto", "value", "count"], Query()] = "auto",
    min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.6,
    top_n: Annotated[int, Query(ge=1, le=100)] = 10,
    format: Fmt = "json",
    table: Annotated[str, Query(max_length=40, description="the table for format=csv")] = (
        "segments"
    ),
) -> Any:
    """产业链图谱分析 / chain map of a region or a cluster (exactly one of ``cluster`` and
    ``region``): completeness, local supporting rate, weak/strong/extend links with candidates,
    chain-leader candidates. An admin, the area's government or the cluster's organisation;
    rows about enterprises the caller may not read are left out (``hidden_rows``)."""
    from jiqun.services.chains import chain_analysis

    tpl = _template(chain_id)
    if (cluster is None) == (region is None):
        raise access.JiqunError(
            "请给出 cluster 集群编号 或 region 地区代码（二选一）",
            "give either cluster or region (exactly one)",
        )
    view = chain_analysis(
        principal,
        tpl,
        region=region,
        cluster=cluster,
        engine=engine,
        client=deps.client(request),
        require=True,  # this endpoint returns the firm-level tables: 403 without the right
        year=year,
        basis=basis,
        min_confidence=min_confidence,
        top_n=top_n,
    )
    rep = view.report
    tables = {
        name: (df, view.hidden.get(name, 0)) for name, df in view.tables.items() if df is not None
    }
    notes = view.notes
    basis_out = json_value(rep.basis)
    if format == "csv":
        if table not in tables:
            raise access.JiqunError(
                f"没有表 {table!r}，可选：{', '.join(tables)}",
                f"no table {table!r}; choose one of {', '.join(tables)}",
            )
        return table_response(tables[table][0], "csv", f"{chain_id}_{table}")
    if format == "xlsx":
        sheets = {name: df for name, (df, _h) in tables.items()}
        return report_xlsx({**view.summary, **basis_out}, notes, sheets, f"{chain_id}_analysis")
    return JSONResponse(
        {
            "summary": json_value(view.summary),
            "basis": basis_out,
            "notes": notes,
            "tables": {
                name: {"title": name, "rows": json_records(df), "hidden_rows": hidden}
                for name, (df, hidden) in tables.items()
            },
        }
    )


# --------------------------------------------------------------------------------------------
# resilience scenarios
# --------------------------------------------------------------------------------------------


class ScenarioIn(Body):
    """A disruption scenario on the stored supply network."""

    kind: Literal["firm", "region", "import_stop"] = Field(
        description="firm: a firm fails; region: every firm of a region stops (lockdown); "
        "import_stop: supply of an industry from outside the country (or ``outside``) stops"
    )
    target: str = Field(
        min_length=2,
        max_length=18,
        description="credit code (firm), GB/T 2260 code (region) or GB/T 4754 code (import_stop)",
    )
    outside: str | None = Field(
        default=None, pattern=r"^[0-9]{6}$", description="import_stop: supply from outside it"
    )
    scope_region: str | None = Field(
        default=None, pattern=r"^[0-9]{6}$", description="network of this region (and partners)"
    )
    scope_cluster: str | None = Field(default=None, max_length=40)
    year: int | None = Field(default=None, ge=1949, le=2100)
    model: Literal["gl", "threshold"] = "gl"
    theta: float = Field(default=0.5, gt=0, le=1)
    alternatives: int = Field(default=5, ge=0, le=20)
    essentiality: Literal["rules", "io"] = Field(
        default="rules",
        description="必要性矩阵 essentiality matrix (GL model): rules = the rule-built one; io = "
        "from the configured input-output table (JIQUN_IO_TABLE; 400 when none is configured)",
    )

    @model_validator(mode="after")
    def _target_shape(self) -> ScenarioIn:
        import re

        pattern = {
            "firm": r"^[0-9A-Z]{18}$",
            "region": r"^[0-9]{6}$",
            "import_stop": r"^[0-9]{2,4}$",
        }[self.kind]
        if not re.match(pattern, self.target):
            raise ValueError(f"target does not fit kind {self.kind}: {pattern}")
        if self.scope_region and self.scope_cluster:
            raise ValueError("give scope_region or scope_cluster, not both")
        return self


class ScenarioTableOut(BaseModel):
    rows: list[dict[str, Any]]
    total: int
    hidden_rows: int


class ScenarioOut(ReportOut):
    tables: dict[str, ScenarioTableOut]


@router.get(
    "/clusters/{cluster_id}/hot-spots", tags=["resilience"], response_model=None, responses=TABLE
)
def cluster_hot_spots(
    cluster_id: Annotated[str, Path(max_length=40)],
    principal: P,
    engine: E,
    request: Request,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    format: Fmt = "json",
) -> Response:
    """供应链热点 / a cluster's supply-chain hot spots: its most systemic suppliers (ESRI) and
    chokepoints (logged in; firm sales for an admin only). One audit entry per call naming the
    firms of the table."""
    from jiqun.services.resilience import hot_spots_for

    res = hot_spots_for(principal, cluster_id, engine, top=top, client=deps.client(request))
    meta = {"total": len(res.table), "basis": res.basis, "notes": res.notes}
    return table_response(res.table, format, f"hot-spots-{cluster_id}", meta)


@router.post(
    "/resilience/scenarios",
    tags=["resilience"],
    response_model=ScenarioOut,
    responses={
        200: {
            "description": "JSON, or every table as XLSX",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def resilience_scenario(
    body: ScenarioIn,
    principal: P,
    engine: E,
    request: Request,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Annotated[Literal["json", "xlsx"], Query()] = "json",
) -> Any:
    """断供情景 / run a disruption scenario — a firm fails, a region locks down or an import
    stops — propagated through the supply network (generalized-Leontief cascade, Diem et al.
    2022, or a threshold cascade), with alternative suppliers. Logged-in users; a firm scenario
    only for a firm the caller may read; firm rows only for firms the caller may read. The
    ``firms`` table (largest loss first) is paged with ``limit``/``offset``."""
    from jiqun.services.resilience import essentiality_option, scenario_page

    # the service decides (the firm scenario only for a readable firm, rows of readable firms,
    # aggregates under disclosure control), pages the firms and audits the firms returned once
    rep = scenario_page(
        principal,
        body.kind,
        body.target,
        engine,
        deps.client(request),
        limit=limit,
        offset=offset,
        fmt=format,
        outside=body.outside,
        region=body.scope_region,
        cluster=body.scope_cluster,
        year=body.year,
        model=body.model,
        theta=body.theta,
        alternatives=body.alternatives,
        essentiality=essentiality_option(body.essentiality),
    )
    tables = rep.tables
    if format == "xlsx":
        sheets = {name: df for name, (df, _t, _h) in tables.items()}
        return report_xlsx({**rep.summary, **rep.basis}, rep.notes, sheets, "scenario")
    return JSONResponse(
        {
            "summary": json_value(rep.summary),
            "basis": json_value(rep.basis),
            "notes": rep.notes,
            "tables": {
                name: {"rows": json_records(df), "total": total, "hidden_rows": hidden}
                for name, (df, total, hidden) in tables.items()
            },
        }
    )
