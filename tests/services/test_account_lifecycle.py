"""Account lifecycle at the service level: disable/enable, passwords, server-side sessions,
revocable tokens, atomic login throttling and the password rule (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jiqun.services import access, accounts
from jiqun.standard.problems import JiqunError

PW = "correct-horse-battery"
ADMIN = accounts.Principal("root", "admin")


def _actions(engine: Engine, resource: str) -> list[str]:
    with engine.connect() as c:
        return list(
            c.execute(
                text("SELECT action FROM audit_log WHERE resource = :r ORDER BY id"),
                {"r": resource},
            ).scalars()
        )


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaa", "1234567890", "0987654321", "abcdefghijkl", "password123", "qwertyuiop"]
)
def test_weak_passwords_refused(engine: Engine, weak: str) -> None:
    with pytest.raises(JiqunError) as e:
        accounts.add_user("weakling", "admin", weak)
    assert "密码" in e.value.message_zh and "password" in e.value.message_en
    accounts.add_user("strong", "admin", PW)
    with pytest.raises(JiqunError):
        accounts.reset_password(ADMIN, "strong", weak, engine=engine)


def test_disable_kills_tokens_and_sessions_and_is_audited(engine: Engine) -> None:
    p = accounts.add_user("bob", "government", PW, scope="320200")
    tok = accounts.issue_token(p, engine)
    sid = accounts.create_session({"user": "bob", "csrf": "x"}, engine=engine)
    assert accounts.principal_from_token(tok, engine).username == "bob"
    assert accounts.load_session(sid, engine)["user"] == "bob"
    accounts.disable_user(ADMIN, "bob", engine=engine)
    with pytest.raises(accounts.AuthError):
        accounts.principal_from_token(tok, engine)
    assert accounts.load_session(sid, engine) is None
    with pytest.raises(accounts.AuthError):
        accounts.authenticate("bob", PW, "1.1.1.1", engine)
    accounts.enable_user(ADMIN, "bob", engine=engine)
    with pytest.raises(accounts.AuthError):  # re-enabling revives nothing old
        accounts.principal_from_token(tok, engine)
    assert accounts.authenticate("bob", PW, "1.1.1.1", engine).username == "bob"
    assert _actions(engine, "user:bob")[-2:] == ["user_disable", "user_enable"]
    # only an admin may disable
    with pytest.raises(access.AccessDenied):
        accounts.disable_user(p, "bob", engine=engine)


def test_change_own_password_ends_other_sessions(engine: Engine) -> None:
    p = accounts.add_user("carol", "admin", PW)
    mine = accounts.create_session({"user": "carol"}, engine=engine)
    other = accounts.create_session({"user": "carol"}, engine=engine)
    tok = accounts.issue_token(p, engine)
    with pytest.raises(accounts.AuthError):
        accounts.change_password(p, "not-the-old-one", "new-strong-passphrase", engine=engine)
    accounts.change_password(p, PW, "new-strong-passphrase", keep_session=mine, engine=engine)
    assert accounts.load_session(mine, engine) is not None
    assert accounts.load_session(other, engine) is None
    with pytest.raises(accounts.AuthError):
        accounts.principal_from_token(tok, engine)
    assert accounts.authenticate("carol", "new-strong-passphrase", "2.2.2.2", engine)
    assert "password_change" in _actions(engine, "user:carol")


def test_token_lifetime_configurable_and_logout_revokes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = accounts.add_user("dave", "admin", PW)
    assert accounts.token_ttl() == dt.timedelta(hours=8)
    monkeypatch.setenv("JIQUN_TOKEN_TTL_HOURS", "1")
    assert accounts.token_ttl() == dt.timedelta(hours=1)
    tok = accounts.issue_token(p, engine)
    with engine.begin() as c:  # an hour and a minute later
        c.execute(
            text("UPDATE auth_sessions SET created_at = :t"),
            {"t": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=61)},
        )
    with pytest.raises(accounts.AuthError, match="expired"):
        accounts.principal_from_token(tok, engine)
    tok2 = accounts.issue_token(p, engine)
    assert accounts.principal_from_token(tok2, engine).username == "dave"
    accounts.revoke_token(tok2, engine=engine)
    with pytest.raises(accounts.AuthError):
        accounts.principal_from_token(tok2, engine)
    with engine.connect() as c:  # nothing but a hash is stored
        stored = c.execute(text("SELECT sid_hash FROM auth_sessions")).scalars().all()
    assert tok2 not in stored and all(len(s) == 64 for s in stored)


def test_session_idle_and_absolute_expiry(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.add_user("erin", "admin", PW)
    sid = accounts.create_session({"user": "erin"}, engine=engine)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    idle = accounts.session_idle()
    with engine.begin() as c:
        c.execute(text("UPDATE auth_sessions SET last_seen_at = :t"), {"t": now - idle * 2})
    assert accounts.load_session(sid, engine) is None
    sid = accounts.create_session({"user": "erin"}, engine=engine)
    with engine.begin() as c:  # active all along, but older than the absolute limit
        c.execute(
            text("UPDATE auth_sessions SET created_at = :t WHERE kind = 'web'"),
            {"t": now - accounts.session_max_age() - dt.timedelta(minutes=1)},
        )
    assert accounts.load_session(sid, engine) is None


def test_concurrent_wrong_passwords_checked_at_most_limit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.add_user("frank", "admin", PW)
    checked = 0
    lock = threading.Lock()
    real = accounts._hasher

    class CountingHasher:
        def verify(self, h: str, pw: str) -> bool:
            nonlocal checked
            with lock:
                checked += 1
            return real.verify(h, pw)

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    statuses: list[int] = []
    barrier = threading.Barrier(40)

    def attempt() -> None:
        barrier.wait()
        try:
            accounts.authenticate("frank", "wrong-password!", "6.6.6.6", engine)
        except accounts.AuthError as e:
            with lock:
                statuses.append(e.status)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 40
    assert checked <= accounts.MAX_FAILURES
    assert statuses.count(401) == checked and statuses.count(429) == 40 - checked


def test_stranger_cannot_lock_out_account_or_shared_client(engine: Engine) -> None:
    accounts.add_user("grace", "admin", PW)
    accounts.add_user("heidi", "admin", PW)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.AuthError):
            accounts.authenticate("grace", "wrong-password!", "7.7.7.7", engine)
    with pytest.raises(accounts.AuthError) as e:
        accounts.authenticate("grace", PW, "7.7.7.7", engine)
    assert e.value.status == 429
    # the owner, from elsewhere, is not locked out; nor is a colleague behind the same address
    assert accounts.authenticate("grace", PW, "8.8.8.8", engine).username == "grace"
    assert accounts.authenticate("heidi", PW, "7.7.7.7", engine).username == "heidi"


def test_sqlite_file_created_private(tmp_path: Path) -> None:
    """The database holds password hashes and firm records: owner-only from the start."""
    from jiqun.store.db import make_engine

    path = tmp_path / "sub" / "jiqun.sqlite3"
    eng = make_engine(f"sqlite:///{path}")
    try:
        with eng.begin() as c:
            c.execute(text("CREATE TABLE t (x INTEGER)"))
            c.execute(text("INSERT INTO t VALUES (1)"))
        for p in path.parent.iterdir():  # the database and its -wal / -shm files
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, (p.name, oct(p.stat().st_mode))
    finally:
        eng.dispose()
