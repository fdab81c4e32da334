"""Web UI: ``/statistics``, published aggregates after disclosure control, and the table view
the cluster and region dashboards share for their published sections.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse

from jiqun.errors import NotFound
from jiqun.services.accounts import Principal
from jiqun.web.page_cache import shared
from jiqun.web.ui import (
    P,
    clean,
    engine_of,
    given,
    missing,
    page_router,
    published_module,
    render,
    viewer_block,
)

router = page_router()


def published_part(request: Request, principal: P, **kw: Any) -> HTMLResponse:
    mod = published_module()
    if mod is None:
        return render(request, "_unavailable.html", principal, what="published")
    try:
        pub = published_view(request, principal, **kw)
    except NotFound as exc:
        # a section of a dashboard (a county's page): say what is published, not an error
        return render(request, "_not_published.html", principal, err=exc)
    return render(request, "_published.html", principal, pub=pub, kw=kw)


def published_view(request: Request, principal: Principal, **kw: Any) -> dict[str, Any]:
    """:func:`pub_view` of :func:`jiqun.services.published.published_table` ``(principal,
    **kw)``, kept per data version, release and the viewer's
    :func:`jiqun.services.access.disclosure_scope` (what the release view depends on), so a
    warm page does not select and suppress the release cells again; never shared across
    disclosure scopes.

    Parameters
    ----------
    request:
        The page request (its engine).
    principal:
        The viewer.
    **kw:
        The table's parameters (``year``, ``measure``, ``by``, ``region`` …).

    Returns
    -------
    dict: the template's ``pub`` (must not be mutated).

    Raises
    ------
    jiqun.errors.NotFound
        As :func:`jiqun.services.published.published_table` (a table deeper than the release).

    Example
    -------
    >>> published_view(request, PUBLIC, region="320200", by="industry")["n_suppressed"]  # doctest: +SKIP
    3
    """
    mod = published_module()
    eng = engine_of(request)
    return viewer_block(
        request,
        principal,
        "page-published",
        tuple(sorted((k, repr(v)) for k, v in kw.items())),
        lambda: pub_view(mod.published_table(principal, engine=eng, **kw), principal),
    )


def pub_view(res: Any, principal: Principal) -> dict[str, Any]:
    """Columns and rows of a published table; suppressed cells flagged for the template.

    The shown columns, money in 亿元 and the flattened basis are
    :func:`jiqun.services.published.published_view`'s; this only lays the cells out.
    """
    from jiqun.services.published import LABEL_COLUMNS, published_view

    view = published_view(res, principal.role)
    cols = view.columns

    def rows_of(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
        out = []
        for rec in frame.to_dict("records"):
            sup = bool(rec.get("suppressed")) if not missing(rec.get("suppressed")) else False
            out.append({"cells": [(c, clean(rec.get(c))) for c in columns], "suppressed": sup})
        return out

    def totals_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
        # a total row has the table's columns (so each figure sits under its heading); its
        # label (总计, 行合计 …) takes the first empty label cell, where the row's code is absent
        out: list[dict[str, Any]] = []
        for row in rows_of(frame, cols):
            kind = frame["kind"].iloc[len(out)] if "kind" in frame else None
            cells = row["cells"]
            at = next((i for i, (c, v) in enumerate(cells) if c in LABEL_COLUMNS and v is None), 0)
            cells[at] = ("kind", clean(kind))
            out.append(row)
        return out

    return {
        "columns": cols,
        "rows": rows_of(view.table, cols),
        "totals": totals_of(view.totals),
        "basis": view.basis,
        "notes": view.notes,
        "n_suppressed": view.n_suppressed,
    }


@router.get("/statistics", response_class=HTMLResponse)
@shared
def statistics_page(
    request: Request,
    principal: P,
    year: int | None = None,
    measure: str = "revenue",
    by: str = "region",
    region: str | None = None,
    industry_level: int = 2,
    cluster_id: str | None = None,
    region_level: str = "prefecture",
) -> HTMLResponse:
    pub = None
    if published_module() is not None:
        pub = published_view(
            request,
            principal,
            year=year,
            measure=measure,
            by=by,
            region=given(region),
            industry_level=industry_level,
            cluster_id=given(cluster_id),
            region_level=region_level,
        )
    return render(
        request,
        "statistics.html",
        principal,
        pub=pub,
        f={
            "year": year or "",
            "measure": measure,
            "by": by,
            "region": region or "",
            "industry_level": industry_level,
            "cluster_id": cluster_id or "",
            "region_level": region_level,
        },
    )
