"""Migration 0007: memberships stored before approval existed stay in force (``approved``);
audit subjects are append-only like the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

pytestmark = pytest.mark.db


def test_existing_memberships_become_approved_and_subjects_are_append_only(
    engine: Engine,
) -> None:
    from alembic import command

    from jiqun.services import access
    from jiqun.store.db import alembic_config, current_revision, is_current

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert current_revision(engine) == "0005"
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO cluster_members (cluster_id, uscc, role, synthetic) "
                "VALUES ('NC2021-02', '91370000728611939A', 'chain_leader', :s)"
            ),
            {"s": False},
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert is_current(engine)
    with engine.connect() as c:
        status = c.execute(text("SELECT status FROM cluster_members")).scalar_one()
    assert status == "approved"
    entry = access.audit(
        access.local_principal(), "list_enterprises", subjects=["91370000728611939A"], engine=engine
    )
    for sql in (
        "UPDATE audit_subjects SET uscc = 'x' WHERE audit_id = :i",
        "DELETE FROM audit_subjects WHERE audit_id = :i",
    ):
        with pytest.raises(Exception, match="append-only"), engine.begin() as c:
            c.execute(text(sql), {"i": entry})
