"""Web UI: ``/imports``, upload, validate, error report and commit, within the role's import
scope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse

from jiqun.services import access
from jiqun.services.accounts import Principal
from jiqun.web import deps
from jiqun.web.ui import (
    P,
    engine_of,
    need_login,
    page_router,
    render,
)

router = page_router()


def _import_kinds(principal: Principal) -> list[tuple[str, str, str]]:
    from jiqun.standard.schema import KINDS

    allowed = access.importable_kinds(principal)
    return [(k, KINDS[k].zh, KINDS[k].en) for k in allowed if k in KINDS]


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, principal: P) -> HTMLResponse:
    from jiqun.services import uploads

    need_login(principal)
    return render(
        request,
        "imports.html",
        principal,
        kinds=_import_kinds(principal),
        staged=uploads.list_staged(principal)[:10],
    )


@router.post("/imports", response_class=HTMLResponse)
def imports_validate(
    request: Request,
    principal: P,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=40)],
) -> HTMLResponse:
    """Stage the upload (safety checks), validate it and show every problem in the page."""
    from jiqun.services import uploads

    need_login(principal)
    eng = engine_of(request)
    _staged, summary = uploads.receive_upload(
        file.file,
        file.filename,
        kind,
        principal,
        eng,
        client=deps.client(request),
        action="import_validate",
    )
    return render(request, "_import_result.html", principal, s=summary)


@router.get("/imports/{staged_id}/report.{ext}")
def imports_report(request: Request, principal: P, staged_id: str, ext: str) -> FileResponse:
    """The error report (.csv or .xlsx) of one's own staged upload."""
    from jiqun.services import uploads

    need_login(principal)
    if ext not in ("csv", "xlsx"):
        raise access.NotFound("找不到该报告格式", "no such report format")
    staged = uploads.load_staged(staged_id, principal)
    path = staged.report_path(ext)
    if not path.is_file():
        raise access.NotFound("该上传尚未校验", "this upload has not been validated")
    media = (
        "text/csv; charset=utf-8"
        if ext == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stem = Path(str(staged.meta.get("filename") or "upload")).stem
    return FileResponse(path, media_type=media, filename=f"{stem}-errors.{ext}")


@router.post("/imports/{staged_id}/commit", response_class=HTMLResponse)
def imports_commit(
    request: Request,
    principal: P,
    staged_id: str,
    mode: Annotated[str, Form(max_length=20)] = "all_or_nothing",
) -> HTMLResponse:
    from jiqun.services import uploads

    need_login(principal)
    staged = uploads.load_staged(staged_id, principal)
    out = uploads.commit_upload(
        staged,
        principal,
        skip_invalid=mode == "skip_invalid",
        engine=engine_of(request),
        client=deps.client(request),
    )
    return render(
        request, "_import_commit.html", principal, r=out, original=staged.meta.get("filename")
    )
