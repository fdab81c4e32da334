"""matchmaking board: needs, capabilities, supplier lists

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:00:00

Written by hand to match ``MatchNeed``, ``MatchCapability``, ``SupplierList`` and
``SupplierListEntry`` in :mod:`jiqun.store.models` (the supply–demand board of
:mod:`jiqun.matching`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_needs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("industry_code", sa.String(length=4), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("certifications", sa.String(length=300), nullable=True),
        sa.Column("region_preference", sa.String(length=300), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("close_reason", sa.String(length=300), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_needs")),
    )
    with op.batch_alter_table("match_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_needs_uscc"), ["uscc"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_match_needs_industry_code"), ["industry_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_match_needs_status"), ["status"], unique=False)

    op.create_table(
        "match_capabilities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("products", sa.Text(), nullable=False),
        sa.Column("industry_code", sa.String(length=4), nullable=True),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("certifications", sa.String(length=300), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("close_reason", sa.String(length=300), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_capabilities")),
    )
    with op.batch_alter_table("match_capabilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_capabilities_uscc"), ["uscc"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_match_capabilities_industry_code"), ["industry_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_match_capabilities_status"), ["status"], unique=False)

    op.create_table(
        "supplier_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("leader_uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("chain", sa.String(length=40), nullable=True),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("cluster_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_lists")),
    )
    with op.batch_alter_table("supplier_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_lists_leader_uscc"), ["leader_uscc"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supplier_lists_status"), ["status"], unique=False)

    op.create_table(
        "supplier_list_entries",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("supplier_uscc", sa.String(length=18), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["supplier_lists.id"],
            name=op.f("fk_supplier_list_entries_list_id_supplier_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "supplier_uscc", name=op.f("pk_supplier_list_entries")),
    )
    with op.batch_alter_table("supplier_list_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_list_entries_supplier_uscc"), ["supplier_uscc"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supplier_list_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_list_entries_supplier_uscc"))
    op.drop_table("supplier_list_entries")
    with op.batch_alter_table("supplier_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_lists_status"))
        batch_op.drop_index(batch_op.f("ix_supplier_lists_leader_uscc"))
    op.drop_table("supplier_lists")
    with op.batch_alter_table("match_capabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_capabilities_status"))
        batch_op.drop_index(batch_op.f("ix_match_capabilities_industry_code"))
        batch_op.drop_index(batch_op.f("ix_match_capabilities_uscc"))
    op.drop_table("match_capabilities")
    with op.batch_alter_table("match_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_needs_status"))
        batch_op.drop_index(batch_op.f("ix_match_needs_industry_code"))
        batch_op.drop_index(batch_op.f("ix_match_needs_uscc"))
    op.drop_table("match_needs")
