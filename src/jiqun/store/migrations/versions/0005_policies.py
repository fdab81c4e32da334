"""policy registry

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:30:00

Written by hand to match ``Policy`` in :mod:`jiqun.store.models`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("policy_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("region_scope", sa.String(length=200), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("benefits", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("source_document", sa.String(length=500), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_policies")),
    )


def downgrade() -> None:
    op.drop_table("policies")
