"""REST API: published region statistics and metrics (public aggregates).

``GET /region-stats`` lists stored region statistics (published figures, so open to everyone);
``GET /metrics/location-quotient`` computes location quotients over all prefecture-level units
(both thin wrappers over :mod:`jiqun.services.stats`); ``GET /published`` sums the enterprise
registry into published tables with disclosure control (:mod:`jiqun.services.published`);
``/regions/{code}``, ``/regions/{code}/portfolio``, ``/regions/{code}/positioning`` and
``/regions/compare`` serve the region dashboards (:mod:`jiqun.services.regions`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from jiqun.services import access, stats
from jiqun.standard.schema import MEASURES
from jiqun.web.api_common import TABLE, E, P, Paging, Sort, TablePage, sort_frame
from jiqun.web.responses import records, table_response

router = APIRouter()

Measure = Literal[tuple(MEASURES)]  # type: ignore[valid-type]
Year = Annotated[int | None, Query(ge=1949, le=2100)]
RegionCode = Annotated[
    str | None,
    Query(
        max_length=6, pattern=r"^[0-9]{2,6}$", description="GB/T 2260 code; units below included"
    ),
]
IndustryPrefix = Annotated[
    str | None,
    Query(max_length=4, pattern=r"^[0-9]{1,4}$", description="GB/T 4754 code prefix"),
]


@router.get("/region-stats", tags=["statistics"], response_model=None, responses=TABLE)
def region_stats(
    engine: E,
    table: Paging,
    year: Year = None,
    measure: Annotated[Measure | None, Query()] = None,  # type: ignore[valid-type]
    region: RegionCode = None,
    industry: IndustryPrefix = None,
    level: Annotated[Literal["province", "prefecture", "county"] | None, Query()] = None,
    sort: Annotated[
        Literal[
            "region_code",
            "-region_code",
            "industry_code",
            "-industry_code",
            "year",
            "-year",
            "measure",
            "-measure",
            "value",
            "-value",
        ],
        Query(),
    ] = "region_code",
) -> Response:
    """地区统计 / region statistics: region × industry × year × measure (public; published).

    ``region`` keeps the unit and every unit below it; ``industry`` is a code prefix; ``level``
    keeps only province, prefecture or county rows (mixing levels double-counts)."""
    res = stats.region_stats(
        engine,
        year=year,
        measure=measure,
        region=region,
        industry=industry,
        level=level,
        sort=sort,
        **table.window(),
    )
    meta = {"basis": res.basis, "notes": res.notes}
    return table.paged(res.table, "region_stats", res.total, meta)


@router.get("/metrics/location-quotient", tags=["metrics"], response_model=None, responses=TABLE)
def location_quotient(
    engine: E,
    table: Paging,
    year: Year = None,
    measure: Annotated[Measure, Query()] = "employment",  # type: ignore[valid-type]
    industry_level: Annotated[
        int, Query(ge=2, le=4, multiple_of=2, description="2 (division) or 4 (class) digits")
    ] = 4,
    region_level: Annotated[Literal["prefecture", "province"], Query()] = "prefecture",
    region: RegionCode = None,
    industry: IndustryPrefix = None,
    min_lq: Annotated[float | None, Query(ge=0, le=1e9)] = None,
    sort: Sort = "-lq",
) -> Response:
    """区位商 / location quotients LQ = (x_ri/x_r)/(x_i/x) of every region × industry cell
    (public; the reference is the whole country; ``region``/``industry`` filter the output)."""
    res = stats.location_quotients(
        engine,
        year=year,
        measure=measure,
        industry_level=industry_level,
        region_level=region_level,
        region=region,
        industry=industry,
        min_lq=min_lq,
    )
    meta = {"basis": res.basis, "notes": res.notes}
    return table.sorted_by(sort).page(res.table, "location_quotient", "-lq", meta)


class PublishedOut(BaseModel):
    items: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    meta: dict[str, Any]


@router.get(
    "/published",
    tags=["statistics"],
    response_model=None,
    responses={
        200: {
            "model": PublishedOut,
            "description": "JSON page of cells with all totals, or cells and totals as CSV/XLSX",
            "content": TABLE[200]["content"],
        }
    },
)
def published(
    principal: P,
    engine: E,
    table: TablePage,
    measure: Annotated[Literal["revenue", "output", "employees", "firms"], Query()] = "revenue",
    by: Annotated[Literal["region", "industry", "region_industry"], Query()] = "region",
    region: RegionCode = None,
    cluster: Annotated[str | None, Query(max_length=40)] = None,
    industry_level: Annotated[int, Query(ge=2, le=4)] = 2,
    region_level: Annotated[Literal["prefecture", "province"], Query()] = "prefecture",
    year: Year = None,
) -> Response:
    """公开汇总表 / published aggregates of the enterprise registry with statistical disclosure
    control (public). A cell with fewer than 3 enterprises, or where one enterprise has more than
    85% of the value, is suppressed (``value`` null, ``suppressed`` true) for viewers without
    rights to the records. Every row and total is a cell of the current protected release, with
    secondary suppression so that no combination of published numbers narrows a hidden value to
    within 15%."""
    from jiqun.services.published import published_table

    if region is not None and len(region) != 6:
        raise access.JiqunError(
            f"{region!r} 不是 6 位行政区划代码", f"{region!r} is not a 6-digit region code"
        )
    t = published_table(
        principal,
        engine=engine,
        year=year,
        measure=measure,
        by=by,
        region=region,
        industry_level=industry_level,
        cluster_id=cluster,
        region_level=region_level,
    )
    default = "region_code" if by != "industry" else "industry_code"
    cells = sort_frame(t.table, table.sort, default)
    meta = {
        "total": len(cells),
        "limit": table.limit,
        "offset": table.offset,
        "basis": t.basis,
        "notes": t.notes,
    }
    if table.format != "json":
        both = pd.concat(
            [cells.assign(row_kind="cell"), t.totals.rename(columns={"kind": "row_kind"})],
            ignore_index=True,
        )
        return table_response(both, table.format, "published", meta)
    return JSONResponse(
        {
            "items": records(cells.iloc[table.offset : table.offset + table.limit]),
            "totals": records(t.totals),
            "meta": {k: _clean_meta(v) for k, v in meta.items()},
        }
    )


def _clean_meta(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean_meta(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean_meta(x) for x in v]
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v


# --------------------------------------------------------------------------------------------
# region dashboards (public: computed from published statistics and the cluster lists)
# --------------------------------------------------------------------------------------------

RegionPath = Annotated[str, PathParam(pattern=r"^[0-9]{6}$", description="GB/T 2260 code")]
DashMeasure = Annotated[Literal["employment", "output", "revenue", "firms"], Query()]


class RegionProfileOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    name: str
    level: str
    path: list[dict[str, Any]]
    lon: float | None
    lat: float | None
    children: list[dict[str, Any]]
    units: list[str]


@router.get("/regions/compare", tags=["regions"], response_model=None, responses=TABLE)
def regions_compare(
    engine: E,
    codes: Annotated[
        str,
        Query(
            pattern=r"^[0-9]{6}(,[0-9]{6}){0,9}$",
            description="2–10 region codes, comma-separated",
        ),
    ],
    table: TablePage,
    year: Year = None,
    measure: DashMeasure = "employment",
    top: Annotated[int, Query(ge=1, le=10)] = 3,
) -> Response:
    """地区对比 / compare up to 10 regions: size, share of the nation, diversity, ECI, most
    specialised industries, clusters; ``meta.similarity`` is the structure similarity matrix."""
    from jiqun.services.regions import compare_regions

    cmp = compare_regions(codes.split(","), engine=engine, year=year, measure=measure, top=top)
    sim = {
        str(r): {str(c): _clean_meta(v) for c, v in row.items()}
        for r, row in cmp.similarity.to_dict(orient="index").items()
    }
    rows = cmp.table.copy()
    for col in rows.columns:  # list cells (top industries, clusters) as text
        if rows[col].map(lambda v: isinstance(v, list | tuple | dict)).any():
            rows[col] = rows[col].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
            )
    return table.page(
        rows,
        "region_comparison",
        "region_code",
        {"basis": _clean_meta(cmp.basis), "notes": cmp.notes, "similarity": sim},
    )


@router.get("/regions/{code}", tags=["regions"], response_model=RegionProfileOut)
def region_profile(code: RegionPath, engine: E) -> dict[str, Any]:
    """地区概况 / a region: name, level, parents, coordinates, children, analysed units."""
    from jiqun.services.regions import region_profile as profile

    return _clean_meta(profile(code, engine=engine))


@router.get("/regions/{code}/portfolio", tags=["regions"], response_model=None, responses=TABLE)
def region_portfolio(
    code: RegionPath,
    engine: E,
    table: TablePage,
) -> Response:
    """集群组合 / the clusters with a member region inside the region, or containing it."""
    from jiqun.services.regions import region_portfolio as portfolio
    from jiqun.services.regions import region_profile as profile

    profile(code, engine=engine)  # 404 for an unknown code
    df = portfolio(code, engine=engine)
    return table.page(df, "region_portfolio", "tier")


@router.get("/regions/{code}/positioning", tags=["regions"], response_model=None, responses=TABLE)
def region_positioning(
    code: RegionPath,
    engine: E,
    table: Paging,
    year: Year = None,
    measure: DashMeasure = "employment",
    sort: Sort = "-density",
) -> Response:
    """下一步发展产业 / "what to develop next": density × complexity (PCI) of every traded
    industry for the region's prefecture-level unit, with RCA and the position class."""
    from jiqun.services.regions import region_positioning as positioning

    pos = positioning(code, engine=engine, year=year, measure=measure)
    return table.sorted_by(sort).page(
        pos.table,
        "region_positioning",
        "-density",
        {
            "region": _clean_meta(pos.region),
            "unit": pos.unit,
            "eci": _clean_meta(pos.eci),
            "basis": _clean_meta(pos.basis),
            "notes": pos.notes,
        },
    )
