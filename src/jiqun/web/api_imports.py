"""REST API: imports — upload → validation report → commit (:mod:`jiqun.services.uploads`).

Who may import what is decided by :func:`jiqun.services.access.importable_kinds` and
:func:`jiqun.services.access.import_rows_outside_scope`; file safety (.csv/.xlsx only, no macros,
zip-bomb limits) by :func:`jiqun.services.uploads.stage_upload`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from jiqun.services import uploads
from jiqun.standard.schema import KIND_NAMES
from jiqun.web import deps
from jiqun.web.api_common import DOWNLOADS, TABLE, XLSX, E, ErrorOut, P, TablePage

router = APIRouter()

KindName = Literal[tuple(KIND_NAMES)]  # type: ignore[valid-type]
StagedId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$", description="staged upload id")]


class ProblemOut(BaseModel):
    row: int | None = Field(description="1-based row number as the spreadsheet shows it")
    column: str | None
    value: str
    rule: str
    severity: Literal["error", "warning", "normalised"]
    message_zh: str
    message_en: str


class Counts(BaseModel):
    error: int
    warning: int
    normalised: int


class ImportReportOut(BaseModel):
    id: str = Field(description="staged upload id: use it to download the report and commit")
    kind: str
    filename: str
    status: str
    rows: int
    error_rows: int
    valid_rows: int
    outside_scope_rows: int
    counts: Counts
    problems_total: int
    problems: list[ProblemOut]
    problems_truncated: bool
    links: dict[str, str]


class ImportStatusOut(BaseModel):
    id: str
    owner: str | None
    kind: str | None
    filename: str | None
    size: int | None
    uploaded_at: str | None
    status: str | None
    rows: int | None
    error_rows: int | None
    committed_at: str | None
    links: dict[str, str]


class CommitOut(BaseModel):
    id: str
    kind: str
    status: str
    mode: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    import_id: int | None
    notes: list[str] = []


def _links(request: Request, sid: str) -> dict[str, str]:
    base = str(request.url_for("import_status", staged_id=sid).path)
    return {
        "self": base,
        "report_csv": f"{base}/report?format=csv",
        "report_xlsx": f"{base}/report?format=xlsx",
        "commit": f"{base}/commit",
    }


@router.get("/imports", tags=["imports"], response_model=None, responses=TABLE)
def import_list(
    principal: P,
    table: TablePage,
    kind: Annotated[KindName | None, Query()] = None,  # type: ignore[valid-type]
    status: Annotated[Literal["uploaded", "validated", "committed"] | None, Query()] = None,
) -> Response:
    """暂存的上传 / staged uploads of the caller (admin: all), newest first; kept 24 hours."""
    df = pd.DataFrame(
        uploads.list_staged(principal),
        columns=[
            "id",
            "owner",
            "kind",
            "filename",
            "size",
            "uploaded_at",
            "status",
            "rows",
            "error_rows",
            "committed_at",
        ],
    )
    # counts stay integers when some uploads are not validated yet (None would make them floats)
    df = df.astype({"size": "Int64", "rows": "Int64", "error_rows": "Int64"})
    if kind:
        df = df[df["kind"] == kind]
    if status:
        df = df[df["status"] == status]
    return table.page(df, "imports", "-uploaded_at")


@router.post(
    "/imports",
    status_code=201,
    tags=["imports"],
    response_model=ImportReportOut,
    responses={413: {"model": ErrorOut, "description": "the upload is too large / 文件过大"}},
)
def import_upload(
    request: Request,
    principal: P,
    engine: E,
    file: Annotated[UploadFile, File(description=".csv or .xlsx (no macros), ≤ 50 MB")],
    kind: Annotated[KindName, Form(description="kind of the unified data standard")],  # type: ignore[valid-type]
) -> dict[str, Any]:
    """上传并校验 / upload a file and validate it: nothing is written yet.

    Answers the validation report (every problem with row, column, value, rule and a Chinese
    and English message; rows outside the caller's scope are ``access.scope`` errors) and the
    id to download the report and to commit."""
    staged, report = uploads.receive_upload(
        file.file, file.filename, kind, principal, engine, client=deps.client(request)
    )
    return {**report, "links": _links(request, staged.id)}


@router.get(
    "/imports/templates/{kind}",
    tags=["imports"],
    response_class=Response,
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)
def import_template(kind: KindName) -> Response:  # type: ignore[valid-type]
    """导入模板 / the empty .xlsx import template of a kind (bilingual headers, notes sheet)."""
    from jiqun.services.exporting import write_template

    with tempfile.TemporaryDirectory() as d:
        out = write_template(kind, Path(d) / f"{kind}.xlsx")
        body = out.read_bytes()
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="template_{kind}.xlsx"'},
    )


@router.get(
    "/imports/{staged_id}", tags=["imports"], response_model=ImportStatusOut, name="import_status"
)
def import_status(staged_id: StagedId, principal: P, request: Request) -> dict[str, Any]:
    """一次上传的状态 / the state of a staged upload (its uploader or an admin)."""
    staged = uploads.load_staged(staged_id, principal)
    row = uploads.summary_row(staged.meta)
    return {**row, "links": _links(request, staged.id)}


@router.get(
    "/imports/{staged_id}/report",
    tags=["imports"],
    response_class=Response,
    responses={
        200: {
            "description": "the validation report",
            "content": DOWNLOADS,
        },
        409: {"model": ErrorOut, "description": "not validated yet"},
    },
)
def import_report(
    staged_id: StagedId,
    principal: P,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx",
) -> Response:
    """错误报告 / download the validation report: .xlsx (problems, rejected rows, summary) or
    .csv (one line per problem, rejected rows' values in ``record``)."""
    staged = uploads.load_staged(staged_id, principal)
    path = staged.report_path(format)
    if not path.exists():
        raise uploads.Conflict("此上传尚未校验", "this upload has not been validated")
    stem = Path(staged.meta["filename"]).stem
    return FileResponse(
        path,
        media_type="text/csv; charset=utf-8" if format == "csv" else XLSX,
        filename=f"{stem}_report.{format}",
    )


@router.post(
    "/imports/{staged_id}/commit",
    tags=["imports"],
    response_model=CommitOut,
    responses={409: {"model": ErrorOut, "description": "already imported / 已导入"}},
)
def import_commit(
    staged_id: StagedId,
    principal: P,
    engine: E,
    request: Request,
    skip_invalid: Annotated[
        bool, Query(description="write the valid rows, skip the rows with errors")
    ] = False,
) -> dict[str, Any]:
    """导入 / commit a validated upload: all-or-nothing (422 and nothing written when any row
    has an error) or ``skip_invalid=true``; once only (409 after); audited (``import_commit``).
    """
    staged = uploads.load_staged(staged_id, principal)
    return uploads.commit_upload(
        staged, principal, skip_invalid, engine=engine, client=deps.client(request)
    )
