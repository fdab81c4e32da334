"""Web UI: ``/`` national overview (cluster counts and output by field, innovation carriers,
the cluster map). Public.
"""

from __future__ import annotations

import dataclasses

from fastapi import Request
from fastapi.responses import HTMLResponse

from jiqun.web.i18n import labeller, lang, translator
from jiqun.web.ui import (
    P,
    engine_of,
    missing,
    page_router,
    records_or_empty,
    render,
)

router = page_router()


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services.overview import national_overview
    from jiqun.services.regions import map_points

    eng = engine_of(request)
    ov = national_overview(eng)
    # the page shows output in 亿元 (the store keeps 万元): its basis line says what it shows
    ov = dataclasses.replace(
        ov,
        basis={
            **ov.basis,
            "unit": "产值：亿元；从业人员：人；企业数：家 / output: 100m yuan; employment: persons; "
            "firms: count",
        },
    )
    pts = map_points(eng)
    from jiqun.services.directory import cluster_list

    tiers = cluster_list(eng)["tier"].value_counts()
    lab = labeller(lang(request))
    t = translator(lang(request))
    by_field = ov.by_field
    field_chart = {
        "categories": [lab("field", f) for f in by_field["field"]],
        "series": [
            {"name": t("集群数", "clusters"), "data": [int(x) for x in by_field["clusters"]]},
        ],
        "yName": t("个", "clusters"),
        "horizontal": True,
    }
    by_tier_df = ov.clusters.groupby("batch_year").size()
    top = ov.clusters.sort_values("output_wan_yuan", ascending=False).head(15)
    output_chart = {
        "categories": [
            str(n if lang(request) == "zh" or missing(en) else en)
            for n, en in zip(top["name"], top["name_en"], strict=False)
        ][::-1],
        "series": [
            {
                "name": t("主导产业产值（亿元）", "leading-industry output (100m yuan)"),
                "data": [round(float(v) / 1e4, 1) for v in top["output_wan_yuan"]][::-1],
            }
        ],
        "yName": t("亿元", "100m yuan"),
        "horizontal": True,
    }
    innov_chart = {
        "categories": [lab("field", f) for f in by_field["field"]],
        "series": [
            {
                "name": t("国家制造业创新中心", "manufacturing innovation centres"),
                "data": [int(x) for x in by_field["innovation_centres"]],
            },
            {
                "name": t("单项冠军", "single-item champions"),
                "data": [int(x) for x in by_field["single_champions"]],
            },
            {
                "name": t("专精特新“小巨人”", "little giants"),
                "data": [int(x) for x in by_field["little_giants"]],
            },
        ],
        "yName": t("个 / 家", "count"),
        "horizontal": True,
    }
    map_chart = {
        "points": [
            [
                round(float(r.lon), 4),
                round(float(r.lat), 4),
                int(r.clusters),
                str(r.region_name),
                str(r.cluster_names),
            ]
            for r in pts.itertuples(index=False)
        ],
        "xName": t("经度", "longitude"),
        "yName": t("纬度", "latitude"),
        "sizeName": t("集群数", "clusters"),
    }
    return render(
        request,
        "overview.html",
        principal,
        ov=ov,
        field_chart=field_chart,
        output_chart=output_chart,
        innov_chart=innov_chart,
        map_chart=map_chart,
        batches={int(k): int(v) for k, v in by_tier_df.items() if not missing(k)},
        tiers={str(k): int(v) for k, v in tiers.items()},
        clusters=records_or_empty(ov.clusters),
    )
