"""Table responses in JSON, CSV or XLSX, and the stable error body of the API."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import Response
from fastapi.responses import JSONResponse

from jiqun.services.jsonready import json_records, json_value
from jiqun.standard.writer import table_bytes

FORMATS = ("json", "csv", "xlsx")


def error_body(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    """``{"error": {"code", "message_zh", "message_en", ...}}`` — the one error shape."""
    return {"error": {"code": code, "message_zh": zh, "message_en": en, **extra}}


def error_response(status: int, code: str, zh: str, en: str, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, zh, en, **extra), status_code=status)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as the JSON answers hold them (:func:`jiqun.services.jsonready.json_records`:
    NaN, NA and NaT as null, dates as ISO text)."""
    return json_records(df)


def table_response(
    rows: pd.DataFrame | list[dict[str, Any]],
    fmt: str = "json",
    name: str = "table",
    meta: dict[str, Any] | None = None,
) -> Response:
    """A table as JSON (``{"items", "meta"}``), CSV (UTF-8 with BOM, for Excel) or XLSX."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    meta = dict(meta or {})
    if fmt == "csv":
        body = table_bytes(df, "csv")
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        notes = pd.DataFrame(
            [(k, str(v)) for k, v in meta.items()], columns=["口径 basis", "值 value"]
        )
        return Response(
            table_bytes({"data": df, "说明 notes": notes}, "xlsx"),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return JSONResponse({"items": records(df), "meta": {k: json_value(v) for k, v in meta.items()}})


def report_xlsx(
    head: dict[str, Any], notes: list[str], tables: dict[str, pd.DataFrame], name: str
) -> Response:
    """A report of several tables as one XLSX download: a 说明 notes sheet first (``head`` —
    summary and basis — then every note), then one sheet per table.

    Parameters
    ----------
    head : the items of the notes sheet (each value written as text)
    notes : the report's notes, one row each after ``head``
    tables : sheet name → table
    name : the file name (without ``.xlsx``)

    Returns
    -------
    The ``attachment`` response.

    Example
    -------
    >>> report_xlsx({"year": 2023}, [], {"firms": pd.DataFrame()}, "scenario").media_type
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    """
    rows = [(k, str(v)) for k, v in head.items()] + [("说明 note", n) for n in notes]
    sheets = {"说明 notes": pd.DataFrame(rows, columns=["项目 item", "值 value"])}
    return Response(
        table_bytes(sheets | tables, "xlsx"),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def window(fmt: str, limit: int, offset: int) -> dict[str, Any]:
    """The ``limit``/``offset`` to ask a service for: the page for JSON, every row for a
    CSV/XLSX download (a download is the whole filtered table)."""
    one_page = fmt == "json"
    return {"limit": limit if one_page else None, "offset": offset if one_page else 0}


def paged(
    rows: pd.DataFrame | list[dict[str, Any]],
    fmt: str,
    name: str,
    total: int,
    limit: int,
    offset: int,
    meta: dict[str, Any] | None = None,
) -> Response:
    """Rows already paged (or whole, for a download) as JSON/CSV/XLSX; the metadata start with
    ``total`` (before paging), ``limit`` and ``offset``, then ``meta`` (basis, notes …)."""
    return table_response(
        rows, fmt, name, {"total": total, "limit": limit, "offset": offset, **(meta or {})}
    )


def docx_response(report: Any, name: str) -> Response:
    """A Word report (:class:`jiqun.services.report_docx.Report`) as an ``attachment`` download,
    written with the dashboard's Chinese labels.

    Parameters
    ----------
    report:
        What :func:`~jiqun.services.report_docx.cluster_report` or
        :func:`~jiqun.services.report_docx.region_report` returned.
    name:
        The file name without ``.docx`` (Chinese allowed: sent as RFC 6266 ``filename*``).

    Returns
    -------
    The ``attachment`` response.

    Example
    -------
    >>> docx_response(cluster_report(PUBLIC, "NC2021-01"), "集群报告-NC2021-01")  # doctest: +SKIP
    """
    from urllib.parse import quote

    from jiqun.services.report_docx import DOCX_MEDIA_TYPE, Wording, render_docx
    from jiqun.web.i18n import labeller, localizer

    body = render_docx(report, Wording(labeller("zh"), localizer("zh")))
    ascii_name = name.encode("ascii", "ignore").decode() or "report"
    return Response(
        body,
        media_type=DOCX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}.docx"; '
            f"filename*=UTF-8''{quote(name + '.docx')}"
        },
    )
