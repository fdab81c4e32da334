"""membership approval and audit subjects

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07 07:45:00

Written by hand to match ``ClusterMember`` and ``AuditSubject`` in :mod:`jiqun.store.models`.

* ``cluster_members.status`` (``pending`` / ``approved`` / ``rejected``): a membership that widens
  an organisation's view counts only once approved. Existing rows are approved (they were written
  by an administrator or by the demo generator).
* ``audit_subjects``: the credit codes of the firms one audit entry read, append-only like
  ``audit_log`` itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cluster_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), server_default="approved", nullable=False)
        )
        batch_op.add_column(sa.Column("requested_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cluster_members_status"), ["status"], unique=False)
    op.create_table(
        "audit_subjects",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit_log.id"], name=op.f("fk_audit_subjects_audit_id_audit_log")
        ),
        sa.PrimaryKeyConstraint("audit_id", "uscc", name=op.f("pk_audit_subjects")),
    )
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_subjects_uscc"), ["uscc"], unique=False)
    # Append-only in the database, as audit_log is (migration 0002).
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_subjects_no_{verb.lower()} BEFORE {verb} ON audit_subjects "
                "BEGIN SELECT RAISE(ABORT, 'audit_subjects is append-only'); END"
            )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_subjects_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_subjects is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_subjects_append_only BEFORE UPDATE OR DELETE ON audit_subjects "
            "FOR EACH ROW EXECUTE FUNCTION audit_subjects_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_subjects_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_subjects_no_delete")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_subjects_append_only ON audit_subjects")
        op.execute("DROP FUNCTION IF EXISTS audit_subjects_append_only()")
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_subjects_uscc"))
    op.drop_table("audit_subjects")
    with op.batch_alter_table("cluster_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_members_status"))
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("status")
