"""Import through an upload: stage the file, check it is safe, validate it, report, commit.

The web UI and the REST API call these functions (upload → validation report → commit):

1. :func:`stage_upload` copies the upload into ``data_dir()/uploads/<random id>/`` (streamed,
   size-capped) and refuses anything but ``.csv`` and ``.xlsx``. An ``.xlsx`` is opened as a zip
   and refused when it carries macros (``vbaProject.bin``, Excel 4.0 macro sheets, a
   macro-enabled content type), is encrypted, declares a DTD or entities in any XML part
   (:func:`jiqun.standard.reader.xlsx_dtd_part`), or is a zip bomb (more than
   :data:`MAX_UNCOMPRESSED` bytes unpacked, a compression ratio over :data:`MAX_RATIO`, more than
   :data:`MAX_MEMBERS` parts, or a sheet spanning more than :data:`MAX_CELLS` cells). Nothing in
   an upload is ever executed: workbooks are read as data (python-calamine / openpyxl without
   VBA), CSV as text.
2. :func:`validate_upload` validates with :func:`jiqun.services.imports.validate_file`, adds one
   ``access.scope`` error for each row the uploader may not write
   (:func:`jiqun.services.access.import_rows_outside_scope`), writes the error report (.csv and
   .xlsx) next to the file and returns a summary with every problem.
3. :func:`commit_upload` imports all-or-nothing (or ``skip_invalid``) with
   :func:`jiqun.services.imports.import_file` once and audits the outcome. One commit at a time
   (:class:`CommitLock`); a lock left by a commit that crashed is taken over by the next one. A row outside the
   uploader's scope is never written: all-or-nothing refuses the file, ``skip_invalid`` leaves
   the row out with the rows in error.

A staged upload belongs to its uploader (an admin may use any); it is deleted after
:data:`MAX_AGE`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from jiqun import config
from jiqun.errors import Conflict, ImportRejected, JiqunError, UploadRefused
from jiqun.services import access
from jiqun.services.accounts import Principal
from jiqun.services.choices import require_choice
from jiqun.standard.reader import xlsx_dtd_part
from jiqun.standard.schema import KIND_NAMES
from jiqun.store.db import get_engine

ALLOWED_EXTENSIONS = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100.0
MAX_MEMBERS = 10_000
MAX_CELLS = 40_000_000
MAX_AGE = dt.timedelta(hours=24)
#: A commit lock whose heartbeat is older than this is stale (see :class:`CommitLock`).
LOCK_TTL = dt.timedelta(minutes=2)
#: Seconds between two heartbeats of a held commit lock.
LOCK_HEARTBEAT = 15.0
MAX_PROBLEMS_SHOWN = 1000
_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|^xl/macrosheets/|^xl/activeX/", re.IGNORECASE)
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")
_CHUNK = 1 << 20


@dataclass
class Staged:
    """One staged upload: its folder and its metadata (``meta.json``)."""

    id: str
    folder: Path
    meta: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.folder / self.meta["stored_name"]

    def report_path(self, fmt: str) -> Path:
        return self.folder / f"report.{fmt}"

    def save(self) -> None:
        tmp = self.folder / "meta.json.tmp"
        tmp.write_text(json.dumps(self.meta, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, self.folder / "meta.json")


def staging_root() -> Path:
    """``data_dir()/uploads`` (created on demand, mode 700)."""
    root = config.data_dir() / "uploads"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def safe_filename(name: str | None) -> str:
    """The file's base name with path parts, control and shell characters removed (≤ 100)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*;$`&]", "_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[:90] or "upload"
    return f"{stem}.{ext.lower()}" if ext else stem


def cleanup(max_age: dt.timedelta = MAX_AGE) -> int:
    """Delete staged uploads older than ``max_age``; return how many were deleted."""
    n = 0
    limit = _now() - max_age
    for d in staging_root().iterdir():
        if not d.is_dir() or not _ID_RE.match(d.name):
            continue
        mtime = dt.datetime.fromtimestamp(d.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        if mtime < limit:
            shutil.rmtree(d, ignore_errors=True)
            n += 1
    return n


# --------------------------------------------------------------------------------------------
# safety checks
# --------------------------------------------------------------------------------------------


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_xlsx(path: Path) -> None:
    """Refuse a workbook that is not a plain .xlsx: macros, encryption, zip bombs, huge sheets,
    DTDs and entity declarations.

    Raises
    ------
    UploadRefused
        With a bilingual reason.
    """
    if not zipfile.is_zipfile(path):
        raise UploadRefused(
            "文件不是有效的 .xlsx 工作簿（可能是旧版 .xls 或其他格式改了扩展名）；请在 Excel/WPS "
            "中另存为 .xlsx",
            "the file is not a valid .xlsx workbook (perhaps an old .xls or another format "
            "renamed); save it as .xlsx in Excel/WPS",
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise UploadRefused(
                    f"工作簿包含的部件过多（{len(infos)} 个）",
                    f"the workbook has too many parts ({len(infos)})",
                )
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise UploadRefused(
                    f"工作簿解压后超过 {MAX_UNCOMPRESSED // 2**20} MB，疑似压缩炸弹，已拒绝",
                    f"the workbook unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB "
                    "(a possible zip bomb); refused",
                )
            for i in infos:
                ratio = i.file_size / max(i.compress_size, 1)
                if i.file_size > 1 << 20 and ratio > MAX_RATIO:
                    raise UploadRefused(
                        f"工作簿部件 {i.filename} 的压缩比异常（{ratio:.0f}:1），疑似压缩炸弹，已拒绝",
                        f"workbook part {i.filename} has an abnormal compression ratio "
                        f"({ratio:.0f}:1), a possible zip bomb; refused",
                    )
                if i.flag_bits & 0x1:
                    raise UploadRefused(
                        "工作簿已加密，请取消密码保护后再上传",
                        "the workbook is encrypted; remove the password and upload again",
                    )
                if _MACRO_PARTS.search(i.filename):
                    raise UploadRefused(
                        "工作簿包含宏或控件（VBA / Excel 4.0 宏表 / ActiveX），为安全起见已拒绝；"
                        "请另存为不含宏的 .xlsx",
                        "the workbook contains macros or controls (VBA, Excel 4.0 macro sheets, "
                        "ActiveX) and is refused for safety; save it as a macro-free .xlsx",
                    )
            if packed and total > 1 << 20 and total / packed > MAX_RATIO:
                raise UploadRefused(
                    f"工作簿整体压缩比异常（{total / packed:.0f}:1），疑似压缩炸弹，已拒绝",
                    f"the workbook has an abnormal overall compression ratio "
                    f"({total / packed:.0f}:1), a possible zip bomb; refused",
                )
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise UploadRefused(
                    "文件不是有效的 .xlsx 工作簿（缺少 [Content_Types].xml）",
                    "the file is not a valid .xlsx workbook (no [Content_Types].xml)",
                )
            ctypes = z.read("[Content_Types].xml")
            if b"macroEnabled" in ctypes or b"vbaProject" in ctypes:
                raise UploadRefused(
                    "工作簿是启用宏的格式（.xlsm），为安全起见已拒绝；请另存为 .xlsx",
                    "the workbook is macro-enabled (.xlsm) and is refused for safety; save it "
                    "as .xlsx",
                )
            for i in infos:
                if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
                    _check_sheet_extent(z, i)
        part = xlsx_dtd_part(path)
        if part is not None:
            raise UploadRefused(
                f"工作簿的部件 {part} 含有文档类型定义（DTD/实体声明），正常的 Excel/WPS 文件不会有；"
                "为安全起见已拒绝，请在 Excel/WPS 中重新另存为 .xlsx",
                f"workbook part {part} has a document type definition (DTD or entity "
                "declaration), which no Excel/WPS file has; refused for safety: save it again "
                "as .xlsx in Excel/WPS",
            )
    except zipfile.BadZipFile as e:
        raise UploadRefused(
            "文件不是有效的 .xlsx 工作簿（压缩包已损坏）",
            "the file is not a valid .xlsx workbook (the zip is damaged)",
        ) from e


def _check_sheet_extent(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a sheet whose used range (last row × last column) exceeds :data:`MAX_CELLS`.

    A reader that materialises the used range would otherwise allocate it, even for a tiny file
    with one cell in A1 and one in XFD1048576.
    """
    max_row = max_col = 0
    tail = b""
    with z.open(info) as f:
        while chunk := f.read(_CHUNK):
            buf = tail + chunk
            for m in _CELL_REF.finditer(buf):
                max_col = max(max_col, _col_number(m.group(1)))
                max_row = max(max_row, int(m.group(2)))
            tail = buf[-200:]
    if max_row * max_col > MAX_CELLS:
        raise UploadRefused(
            f"工作表 {info.filename} 的数据区域过大（{max_row} 行 × {max_col} 列）",
            f"sheet {info.filename} spans too large a range ({max_row} rows × {max_col} columns)",
        )


# --------------------------------------------------------------------------------------------
# the commit lock
# --------------------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (signal 0 checks without signalling)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except OSError:
        return False
    return True


class CommitLock:
    """The lock that lets one process at a time commit a staged upload.

    The lock file (created exclusively) records the owner's host, pid and start time; while the
    commit runs, a daemon thread touches it every :data:`LOCK_HEARTBEAT` seconds. A lock left
    behind by a crash (``kill -9``, a lost container) is **stale** and is taken over by the next
    commit when its owner's pid is not alive on this host, or when its heartbeat is older than
    :data:`LOCK_TTL` (the owner's host cannot be asked: another machine sharing the data folder,
    a hung process, or a lock written before locks recorded their owner). Otherwise a second
    commit gets :class:`Conflict` (HTTP 409). The import itself is one transaction, so a commit
    that died left nothing half-written and can simply run again.

    Parameters
    ----------
    path:
        The lock file.

    Example
    -------
    >>> lock = CommitLock(Path(tmp) / "commit.lock")  # doctest: +SKIP
    >>> lock.acquire(); lock.release()  # doctest: +SKIP
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        owner = {"host": socket.gethostname(), "pid": os.getpid(), "started": _now().isoformat()}
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(owner, f)
        return True

    def stale(self) -> int | None:
        """The inode of the lock file if the lock is stale, else ``None`` (also when absent)."""
        try:
            st = self.path.stat()
            owner = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            owner = {}  # unreadable or half-written: judged by its age alone
        if not isinstance(owner, dict):
            owner = {}
        pid = owner.get("pid")
        same_host = owner.get("host") == socket.gethostname()
        if same_host and isinstance(pid, int) and not _pid_alive(pid):
            return st.st_ino
        if time.time() - st.st_mtime > LOCK_TTL.total_seconds():
            return st.st_ino
        return None

    def _break(self, inode: int) -> None:
        """Remove the stale lock ``inode``; never a lock another process has just taken."""
        aside = self.path.with_name(f"{self.path.name}.stale-{secrets.token_hex(4)}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return  # someone else broke it
        if aside.stat().st_ino != inode:  # a fresh lock was taken in between: put it back
            with contextlib.suppress(FileExistsError):
                os.link(aside, self.path)
        aside.unlink(missing_ok=True)

    def acquire(self) -> None:
        """Take the lock, taking over a stale one; :class:`Conflict` if it is held."""
        if not self._create():
            inode = self.stale()
            if inode is not None:
                self._break(inode)
            if inode is None or not self._create():
                raise Conflict(
                    "此上传正在导入，请稍后再试",
                    "this upload is being imported; try again later",
                )
        self._thread = threading.Thread(target=self._beat, name="upload-lock", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(LOCK_HEARTBEAT):
            try:
                os.utime(self.path)
            except OSError:
                return

    def release(self) -> None:
        """Stop the heartbeat and remove the lock."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.path.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# staging
# --------------------------------------------------------------------------------------------


def stage_upload(
    stream: IO[bytes], filename: str | None, kind: str, principal: Principal
) -> Staged:
    """Copy an uploaded file into a new staging folder after the safety checks.

    Parameters
    ----------
    stream: the upload (read in chunks; at most :data:`MAX_UPLOAD_BYTES`).
    filename: the name the client sent (only its base name is kept, sanitised).
    kind: a kind of the unified data standard.
    principal: the uploader (must be allowed to import ``kind``).

    Returns
    -------
    Staged
    """
    require_choice(kind, KIND_NAMES, "未知数据类别", "unknown kind", error=UploadRefused)
    access.require_import(principal, kind)
    name = safe_filename(filename)
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadRefused(
            f"只接受 .csv 和 .xlsx 文件，而不是「{ext or '（无扩展名）'}」"
            + ("（启用宏的工作簿不接受，请另存为 .xlsx）" if ext == ".xlsm" else ""),
            f"only .csv and .xlsx files are accepted, not '{ext or '(none)'}'"
            + (" (macro-enabled workbooks are refused; save as .xlsx)" if ext == ".xlsm" else ""),
        )
    cleanup()
    sid = secrets.token_hex(16)
    folder = staging_root() / sid
    folder.mkdir(mode=0o700)
    target = folder / name
    h = hashlib.sha256()
    size = 0
    try:
        with open(target, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise UploadRefused(
                        f"上传内容超过 {MAX_UPLOAD_BYTES // 2**20} MB",
                        f"the upload exceeds {MAX_UPLOAD_BYTES // 2**20} MB",
                        status=413,
                    )
                h.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRefused("上传的文件为空", "the uploaded file is empty")
        if ext == ".xlsx":
            check_xlsx(target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    staged = Staged(
        sid,
        folder,
        {
            "id": sid,
            "owner": principal.username,
            "role": principal.role,
            "kind": kind,
            "filename": name,
            "stored_name": name,
            "size": size,
            "sha256": h.hexdigest(),
            "uploaded_at": _now().isoformat(timespec="seconds"),
            "status": "uploaded",
        },
    )
    staged.save()
    return staged


def load_staged(staged_id: str, principal: Principal) -> Staged:
    """The staged upload ``staged_id`` if ``principal`` may use it (404 otherwise)."""
    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    missing = access.NotFound(f"找不到上传 {staged_id}", f"no upload {staged_id}")
    if not _ID_RE.match(staged_id or ""):
        raise missing
    folder = staging_root() / staged_id
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise missing from None
    if not access.can_use_staged_import(principal, meta.get("owner")):
        raise missing
    return Staged(staged_id, folder, meta)


def list_staged(principal: Principal) -> list[dict[str, Any]]:
    """Summaries of the staged uploads ``principal`` may use (admin: all), newest first."""
    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    out = []
    for d in staging_root().iterdir():
        if not _ID_RE.match(d.name):
            continue
        try:
            meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if access.can_use_staged_import(principal, meta.get("owner")):
            out.append(summary_row(meta))
    return sorted(out, key=lambda r: r["uploaded_at"] or "", reverse=True)


def summary_row(meta: dict[str, Any]) -> dict[str, Any]:
    """One line about a staged upload (no problems, no file contents)."""
    v = meta.get("validation") or {}
    return {
        "id": meta["id"],
        "owner": meta.get("owner"),
        "kind": meta.get("kind"),
        "filename": meta.get("filename"),
        "size": meta.get("size"),
        "uploaded_at": meta.get("uploaded_at"),
        "status": meta.get("status"),
        "rows": v.get("rows"),
        "error_rows": v.get("error_rows"),
        "committed_at": (meta.get("commit") or {}).get("finished_at"),
    }


# --------------------------------------------------------------------------------------------
# validate and commit
# --------------------------------------------------------------------------------------------


def _flag_outside(result: Any, outside: list[tuple[int, str, str]]) -> None:
    for i, column, value in outside:
        result.add(
            i,
            column,
            value,
            "access.scope",
            "error",
            "此行超出您的数据范围，不能由您导入（请联系平台管理员）",
            "this row is outside your data scope and cannot be imported by you "
            "(ask the platform administrator)",
        )


def receive_upload(
    fileobj: IO[bytes],
    filename: str | None,
    kind: str,
    principal: Principal,
    engine: Engine | None = None,
    *,
    client: str | None = None,
    action: str = "import_upload",
) -> tuple[Staged, dict[str, Any]]:
    """Stage an upload (:func:`stage_upload`), validate it (:func:`validate_upload`) and audit
    it once (``action``: ``import_upload`` from the API, ``import_validate`` from the web page).

    Returns
    -------
    (Staged, the validation report of :func:`validate_upload`)

    Example
    -------
    >>> staged, report = receive_upload(f, "firms.csv", "enterprises", user)  # doctest: +SKIP
    """
    engine = engine or get_engine()
    staged = stage_upload(fileobj, filename, kind, principal)
    report = validate_upload(staged, principal, engine)
    detail: dict[str, Any] = {"kind": kind, "rows": report["rows"]}
    if action == "import_upload":
        detail["file"] = staged.meta["filename"]
    detail["error_rows"] = report["error_rows"]
    access.audit(
        principal, action, f"upload:{staged.id}", detail=detail, client=client, engine=engine
    )
    return staged, report


def validate_upload(
    staged: Staged, principal: Principal, engine: Engine | None = None
) -> dict[str, Any]:
    """Validate a staged upload, flag rows outside the uploader's scope, write the reports.

    Returns
    -------
    dict
        ``id, kind, filename, status, rows, error_rows, valid_rows, outside_scope_rows, counts
        {error, warning, normalised}, problems (at most MAX_PROBLEMS_SHOWN), problems_total,
        problems_truncated``.

    Raises
    ------
    JiqunError
        For a file that cannot be read at all (missing required columns, bad encoding...),
        with its problems; the staged upload is deleted.
    """
    from jiqun.services.imports import validate_file, write_report

    engine = engine or get_engine()
    kind = staged.meta["kind"]
    try:
        result = validate_file(staged.path, kind, engine=engine)
    except JiqunError:
        shutil.rmtree(staged.folder, ignore_errors=True)
        raise
    outside = [
        (i, c, v)
        for i, c, v in access.import_rows_outside_scope(principal, kind, result.records, engine)
        if v or not result.error_rows[i]  # an empty/invalid cell is reported already
    ]
    _flag_outside(result, outside)
    write_report(result, staged.report_path("csv"))
    write_report(result, staged.report_path("xlsx"))
    counts = {"error": 0, "warning": 0, "normalised": 0}
    for p in result.problems:
        counts[p.severity] = counts.get(p.severity, 0) + 1
    summary = {
        "rows": result.n_rows,
        "error_rows": result.n_error_rows,
        "valid_rows": result.n_rows - result.n_error_rows,
        "outside_scope_rows": len({i for i, _c, _v in outside}),
        "counts": counts,
        "problems_total": len(result.problems),
    }
    staged.meta.update(status="validated", validation=summary)
    staged.save()
    return {
        "id": staged.id,
        "kind": kind,
        "filename": staged.meta["filename"],
        "status": "validated",
        **summary,
        # by row (file-level problems first), so the page and the API read top to bottom
        "problems": [
            p.as_dict()
            for p in sorted(result.problems, key=lambda p: (p.row is not None, p.row or 0))[
                :MAX_PROBLEMS_SHOWN
            ]
        ],
        "problems_truncated": len(result.problems) > MAX_PROBLEMS_SHOWN,
    }


def _permitted_copy(result: Any, keep: Any, out: Path) -> Path:
    """Write the kept normalised records as a CSV in canonical columns (money in 万元, dates
    ISO, lists ``;``-joined), for :func:`import_file` to validate again and write."""
    import pandas as pd

    rec = result.records[keep].reset_index(drop=True)

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            return ""
        if isinstance(v, list | tuple):
            return ";".join(map(str, v))
        if isinstance(v, dt.date | dt.datetime):
            return v.isoformat()
        if isinstance(v, float):
            return repr(v)
        return str(v)

    df = pd.DataFrame({c: [cell(v) for v in rec[c].tolist()] for c in rec.columns})
    out.parent.mkdir(mode=0o700, exist_ok=True)
    df.to_csv(out.with_suffix(".csv"), index=False, encoding="utf-8")
    return out.with_suffix(".csv")


def commit_upload(
    staged: Staged,
    principal: Principal,
    skip_invalid: bool = False,
    engine: Engine | None = None,
    client: str | None = None,
) -> dict[str, Any]:
    """Import a validated staged upload once; audited (``import_commit``).

    All-or-nothing by default: any error row, or any row outside the uploader's scope →
    nothing is written and :class:`ImportRejected` (HTTP 422) lists the problems.
    ``skip_invalid`` writes the valid rows inside the scope (rows outside it are left out of a
    canonical CSV copy of the valid records that goes to the importer) and reports the rest as
    rejected. Re-validated at commit time: the database may have changed since the upload.
    """
    from jiqun.services.imports import import_file, validate_file

    engine = engine or get_engine()
    kind = staged.meta["kind"]
    access.require_import(principal, kind)
    if staged.meta.get("status") == "committed":
        raise Conflict("此上传已经导入", "this upload has already been imported")
    if staged.meta.get("status") != "validated":
        raise Conflict("此上传尚未校验", "this upload has not been validated")
    lock = CommitLock(staged.folder / "commit.lock")
    lock.acquire()
    resource = f"upload:{staged.id}"
    detail: dict[str, Any] = {"kind": kind, "file": staged.meta["filename"]}
    source = staged.path
    n_dropped = 0  # rows left out of the permitted copy (errors and rows outside the scope)
    try:
        if principal.role != "admin":
            result = validate_file(staged.path, kind, engine=engine)
            outside = access.import_rows_outside_scope(principal, kind, result.records, engine)
            rows = sorted({int(result.rows[i]) for i, _c, _v in outside})
            _flag_outside(result, outside)
            if outside and not skip_invalid:
                access.audit(
                    principal,
                    "import_commit",
                    resource,
                    "rejected",
                    detail={**detail, "outside_scope_rows": rows[:50]},
                    client=client,
                    engine=engine,
                )
                shown = ", ".join(map(str, rows[:20])) + (" …" if len(rows) > 20 else "")
                raise ImportRejected(
                    f"{len(rows)} 行超出您的数据范围（第 {shown} 行），未导入任何数据；请删除这些行"
                    "后重新上传，或选择“跳过错误行”",
                    f"{len(rows)} row(s) are outside your data scope (rows {shown}); nothing was "
                    "imported: remove them and upload again, or use skip_invalid",
                    problems=[p for p in result.problems if p.severity == "error"],
                )
            if outside:
                # Only the permitted valid rows go to the importer, as a canonical CSV copy.
                keep = ~result.error_rows  # the scope errors are flagged already
                n_dropped = int(len(keep) - keep.sum())
                source = _permitted_copy(result, keep, staged.folder / "permitted" / source.name)
                detail["outside_scope_rows"] = rows[:50]
        # A cluster organisation's own member list widens its view: it waits for approval.
        res = import_file(
            source,
            kind,
            skip_invalid=skip_invalid,
            engine=engine,
            member_status="approved" if principal.role == "admin" else "pending",
            requested_by=principal.username,
        )
        out = {
            "id": staged.id,
            "kind": kind,
            "status": res.status,
            "mode": "skip_invalid" if skip_invalid else "all_or_nothing",
            "rows": res.validation.n_rows + n_dropped,
            "inserted": res.inserted,
            "updated": res.updated,
            "unchanged": res.unchanged,
            "rejected": res.rejected + n_dropped,
            "import_id": res.import_id,
            "notes": list(res.notes),
        }
        access.audit(
            principal,
            "import_commit",
            resource,
            "ok" if res.status == "committed" else "rejected",
            detail={
                **detail,
                **{
                    k: out[k]
                    for k in (
                        "status",
                        "mode",
                        "inserted",
                        "updated",
                        "unchanged",
                        "rejected",
                        "import_id",
                    )
                },
            },
            client=client,
            engine=engine,
        )
        if res.status != "committed":
            errors = [p for p in res.validation.problems if p.severity == "error"]
            raise ImportRejected(
                f"文件有 {res.rejected} 行错误，未导入任何数据；请修正后重新上传，或选择"
                "“跳过错误行”只导入有效行",
                f"{res.rejected} row(s) have errors; nothing was imported: fix them and upload "
                "again, or use skip_invalid to import the valid rows only",
                problems=errors,
            ) from None
        staged.meta.update(
            status="committed", commit={**out, "finished_at": _now().isoformat(timespec="seconds")}
        )
        staged.save()
        return out
    finally:
        lock.release()
