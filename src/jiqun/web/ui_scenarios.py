"""Web UI: ``/scenarios``, disruption scenarios (firm, region or input industry) and their losses."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from jiqun.web import deps
from jiqun.web.i18n import lang, translator
from jiqun.web.ui import (
    P,
    engine_of,
    need_login,
    page_router,
    ranked_bars,
    records_or_empty,
    region_label,
    render,
    resilience_function,
)

router = page_router()


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(
    request: Request, principal: P, kind: str = "firm", target: str = ""
) -> HTMLResponse:
    need_login(principal)
    configured = resilience_function("io_table_configured")
    return render(
        request,
        "scenarios.html",
        principal,
        available=resilience_function("scenario_loss") is not None,
        # the input–output essentiality is offered only when a table is configured
        io_available=bool(configured and configured()),
        kind=kind if kind in ("firm", "region", "import") else "firm",
        target=target[:40],
    )


@router.post("/scenarios/run", response_class=HTMLResponse)
def scenarios_run(
    request: Request,
    principal: P,
    kind: Annotated[str, Form(max_length=10)],
    target: Annotated[str, Form(max_length=40)],
    essentiality: Annotated[str, Form(max_length=10)] = "rules",
) -> HTMLResponse:
    """Propagate a disruption (firm, region or input industry); losses by province."""
    need_login(principal)
    run = resilience_function("scenario_loss")
    if run is None:
        return render(request, "_unavailable.html", principal, what="resilience")
    eng = engine_of(request)
    target = target.strip()
    # the service checks the choice (rules | io) and refuses io without a configured table
    res = run(
        principal,
        kind,
        target,
        engine=eng,
        client=deps.client(request),
        essentiality=essentiality,
    )
    t = translator(lang(request))
    # suppressed rows keep their key and say so in ``disclosure`` (保密 / suppressed)
    tab = res.table.drop(columns=["suppressed"], errors="ignore")
    if "province" in tab.columns:
        tab.insert(1, "province_name", tab["province"].map(region_label))
    # a province's loss runs to millions of 万元: shown in 亿元 (2 decimals) in the table, the
    # chart and its axis alike, so the figures a reader compares share one unit
    for col in ("sales", "output_loss"):
        if col in tab.columns:
            yi = (pd.to_numeric(tab[col], errors="coerce") / 1e4).round(2)
            tab.insert(tab.columns.get_loc(col), f"{col}_yi", yi)
            tab = tab.drop(columns=[col])
    top = tab.head(15)
    chart = ranked_bars(
        top.get("province_name", top.iloc[:, 0]),
        top.get("output_loss_yi", []),
        t("产出损失（亿元）", "output loss (100m yuan)"),
        t("亿元", "100m yuan"),
    )
    return render(
        request,
        "_resilience.html",
        principal,
        res=res,
        rows=records_or_empty(tab),
        cols=list(tab.columns),
        chart_data=chart,
        chart_id="chart-scenario",
        title=t("传导损失（按省份）", "Propagated loss by province"),
    )
