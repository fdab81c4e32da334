"""Accounts, grants and the append-only audit log at the service level (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from jiqun.services import access, accounts
from jiqun.services.imports import import_file
from jiqun.standard.problems import JiqunError

FILES = Path(__file__).resolve().parents[1] / "data" / "files"


@pytest.fixture
def firms(engine: Engine) -> list[str]:
    """The five clean enterprises of the test corpus."""
    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    with engine.connect() as c:
        return list(
            c.execute(text("SELECT uscc FROM enterprises ORDER BY region_code, uscc")).scalars()
        )


def test_add_user_validates_role_scope_and_password(engine: Engine) -> None:
    with pytest.raises(JiqunError, match="unknown role"):
        accounts.add_user("someone", "king", "long-enough-pw")
    with pytest.raises(JiqunError, match="needs --scope"):
        accounts.add_user("someone", "government", "long-enough-pw")
    with pytest.raises(JiqunError, match="GB/T 2260"):
        accounts.add_user("someone", "government", "long-enough-pw", scope="999999")
    with pytest.raises(JiqunError, match="no cluster"):
        accounts.add_user("someone", "cluster", "long-enough-pw", scope="NOPE")
    with pytest.raises(JiqunError, match="credit code"):
        accounts.add_user("someone", "enterprise", "long-enough-pw", scope="123")
    with pytest.raises(JiqunError, match="10 characters"):
        accounts.add_user("someone", "admin", "short")
    p = accounts.add_user("wuxi", "government", "long-enough-pw", scope="320200")
    assert p.role == "government" and p.scope == "320200" and p.organisation_id
    # a second user of the same organisation shares it; the username is unique
    q = accounts.add_user("wuxi2", "government", "long-enough-pw", scope="320200")
    assert q.organisation_id == p.organisation_id
    with pytest.raises(JiqunError, match="already exists"):
        accounts.add_user("wuxi", "admin", "long-enough-pw")


def test_authenticate_rate_limit_and_no_enumeration(engine: Engine) -> None:
    accounts.add_user("alice", "admin", "correct-horse-battery")
    assert accounts.authenticate("alice", "correct-horse-battery", "1.2.3.4").role == "admin"
    msgs = set()
    for user in ("alice", "ghost"):
        with pytest.raises(accounts.AuthError) as e:
            accounts.authenticate(user, "wrong-password", "5.6.7.8")
        msgs.add((e.value.message_zh, e.value.message_en, e.value.status))
    assert len(msgs) == 1  # unknown user and wrong password look the same
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.AuthError):
            accounts.authenticate("alice", "wrong-password", "9.9.9.9")
    with pytest.raises(accounts.AuthError) as e:
        accounts.authenticate("alice", "correct-horse-battery", "9.9.9.9")
    assert e.value.status == 429  # even the right password waits out the window


def test_tokens_revoked_when_account_disabled(engine: Engine) -> None:
    p = accounts.add_user("bob", "admin", "correct-horse-battery")
    tok = accounts.issue_token(p)
    assert accounts.principal_from_token(tok).username == "bob"
    with pytest.raises(accounts.AuthError):
        accounts.principal_from_token(tok + "x")
    accounts.set_active("bob", False)
    with pytest.raises(accounts.AuthError):
        accounts.principal_from_token(tok)


def test_scopes_grants_and_audit(engine: Engine, firms: list[str]) -> None:
    with engine.connect() as c:
        rows = c.execute(text("SELECT uscc, region_code FROM enterprises")).all()
    region_of = dict(rows)
    a, b = firms[0], firms[-1]
    assert access.region_prefix(region_of[a]) != access.region_prefix(region_of[b])
    gov = accounts.add_user("gov", "government", "long-enough-pw", scope=region_of[a][:4] + "00")
    firm_b = accounts.add_user("firm_b", "enterprise", "long-enough-pw", scope=b)
    firm_a = accounts.add_user("firm_a", "enterprise", "long-enough-pw", scope=a)
    assert access.can_see_enterprise(gov, a)
    assert not access.can_see_enterprise(gov, b)
    assert not access.can_see_enterprise(accounts.PUBLIC, a)
    assert access.can_see_enterprise(firm_b, b) and not access.can_see_enterprise(firm_b, a)

    with pytest.raises(access.AccessDenied):  # firm A cannot share firm B's records
        access.create_grant(firm_a, b, gov.organisation_id)
    g = access.create_grant(firm_b, b, gov.organisation_id, purpose="供应链对接")
    assert g["active"]
    assert access.can_see_enterprise(gov, b)  # through the grant, audited
    with engine.connect() as c:
        n = c.execute(
            text(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted' AND username = 'gov'"
            )
        ).scalar()
    assert n == 1
    cond, params = access.enterprise_scope_sql(gov)
    with engine.connect() as c:
        seen = set(
            c.execute(text(f"SELECT e.uscc FROM enterprises e WHERE {cond}"), params).scalars()
        )
    assert a in seen and b in seen
    assert [x["id"] for x in access.list_grants(gov)] == [g["id"]]
    access.revoke_grant(firm_b, g["id"])
    assert not access.can_see_enterprise(gov, b)
    with pytest.raises(access.NotFound):  # someone else's grant: not even its existence
        access.revoke_grant(firm_a, g["id"])
    expired = access.create_grant(
        firm_b, b, gov.organisation_id, expires_at=dt.datetime(2000, 1, 1)
    )
    assert not expired["active"] and not access.can_see_enterprise(gov, b)
    actions = [e["action"] for e in access.read_audit(firm_b, limit=50)]
    assert {"grant_create", "grant_revoke"} <= set(actions)


def test_audit_log_is_append_only(engine: Engine) -> None:
    access.audit(None, "test", "x")
    for stmt in ("UPDATE audit_log SET action = 'y'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), engine.begin() as c:
            c.execute(text(stmt))
    with engine.connect() as c:
        assert c.execute(text("SELECT action FROM audit_log")).scalars().all() == ["test"]
