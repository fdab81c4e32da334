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

from jiqun.store import shapes
from jiqun.store.shapes import ForeignKey

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    with op.batch_alter_table("cluster_members") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), server_default="approved", nullable=False)
        )
        batch_op.add_column(shapes.principal("requested_by"))
        batch_op.add_column(shapes.principal("decided_by"))
        batch_op.add_column(shapes.timestamp("decided_at", nullable=True))
        batch_op.create_index(batch_op.f("ix_cluster_members_status"), ["status"])
    shapes.create_table(
        "audit_subjects",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        shapes.uscc(),
        primary_key=("audit_id", "uscc"),
        foreign_keys=(ForeignKey("audit_id", "audit_log.id"),),
        indexes=("uscc",),
    )
    # Append-only in the database, as audit_log is (migration 0002).
    shapes.make_append_only("audit_subjects")


def downgrade() -> None:
    shapes.drop_append_only("audit_subjects")
    shapes.drop_table("audit_subjects", ("uscc",))
    with op.batch_alter_table("cluster_members") as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_members_status"))
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("status")
