"""A commit that died mid-way (kill -9) leaves its lock behind: the next commit takes it over.

Before, the lock file had no owner and the upload stayed locked ("being imported", 409) until
the staged upload was deleted 24 hours later.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jiqun.services import accounts, uploads
from jiqun.services.uploads import Conflict, commit_upload, stage_upload, validate_upload

CSV = (
    "统一社会信用代码,企业名称,所在地区代码,行业代码\n"
    "91370000728611939A,山东示例集成电路有限公司,320214,3973\n"
).encode()


@pytest.fixture
def staged(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> uploads.Staged:
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path / "data"))
    admin = accounts.add_user("lockadmin", "admin", "a-long-password-1", None, engine)
    import io

    s = stage_upload(io.BytesIO(CSV), "firms.csv", "enterprises", admin)
    validate_upload(s, admin, engine)
    return s


def _admin(engine: Engine) -> accounts.Principal:
    return accounts.principal_for_username("lockadmin", None, engine)


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _write_lock(s: uploads.Staged, owner: dict[str, object] | None, age: float = 0) -> Path:
    lock = s.folder / "commit.lock"
    lock.write_text("" if owner is None else json.dumps(owner), encoding="utf-8")
    if age:
        t = time.time() - age
        os.utime(lock, (t, t))
    return lock


def test_lock_of_a_dead_process_is_taken_over(staged: uploads.Staged, engine: Engine) -> None:
    lock = _write_lock(
        staged, {"host": socket.gethostname(), "pid": _dead_pid(), "started": "2026-01-01"}
    )
    out = commit_upload(staged, _admin(engine), engine=engine)
    assert out["status"] == "committed" and out["inserted"] == 1
    assert not lock.exists()


def test_lock_of_a_live_process_is_respected(staged: uploads.Staged, engine: Engine) -> None:
    lock = _write_lock(staged, {"host": socket.gethostname(), "pid": os.getppid()})
    with pytest.raises(Conflict):
        commit_upload(staged, _admin(engine), engine=engine)
    assert lock.exists()  # the holder's lock is left alone


def test_lock_without_heartbeat_is_stale_after_the_ttl(
    staged: uploads.Staged, engine: Engine
) -> None:
    # another host's lock (its pid cannot be checked) and a lock in the old format (no owner)
    for owner in ({"host": "elsewhere", "pid": 1}, None):
        _write_lock(staged, owner, age=uploads.LOCK_TTL.total_seconds() / 2)
        with pytest.raises(Conflict):
            commit_upload(staged, _admin(engine), engine=engine)
    _write_lock(staged, {"host": "elsewhere", "pid": 1}, age=uploads.LOCK_TTL.total_seconds() + 5)
    assert commit_upload(staged, _admin(engine), engine=engine)["status"] == "committed"


def test_the_lock_names_its_owner_and_beats(
    staged: uploads.Staged, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jiqun.services.imports as imports

    seen: dict[str, object] = {}
    real = imports.import_file
    monkeypatch.setattr(uploads, "LOCK_HEARTBEAT", 0.05)

    def spy(*a: object, **k: object) -> object:
        lock = staged.folder / "commit.lock"
        seen["owner"] = json.loads(lock.read_text(encoding="utf-8"))
        t = time.time() - 3600
        os.utime(lock, (t, t))
        time.sleep(0.3)
        seen["age"] = time.time() - lock.stat().st_mtime
        return real(*a, **k)

    monkeypatch.setattr(imports, "import_file", spy)
    commit_upload(staged, _admin(engine), engine=engine)
    assert seen["owner"]["pid"] == os.getpid()  # type: ignore[index]
    assert seen["owner"]["host"] == socket.gethostname()  # type: ignore[index]
    assert float(seen["age"]) < 60  # type: ignore[arg-type]
    assert not (staged.folder / "commit.lock").exists()
