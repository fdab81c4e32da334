"""matchmaking board: needs, capabilities, supplier lists

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:00:00

Written by hand to match ``MatchNeed``, ``MatchCapability``, ``SupplierList`` and
``SupplierListEntry`` in :mod:`jiqun.store.models` (the supply–demand board of
:mod:`jiqun.matching`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import ForeignKey, string

revision = "0004"
down_revision = "0003"


TABLES = ("match_needs", "match_capabilities", "supplier_lists", "supplier_list_entries")
#: The indexes of each table, created in this order and dropped in the reverse one.
INDEXES: dict[str, tuple[shapes.IndexSpec, ...]] = {
    "match_needs": ("uscc", "industry_code", "status"),
    "match_capabilities": ("uscc", "industry_code", "status"),
    "supplier_lists": ("leader_uscc", "status"),
    "supplier_list_entries": ("supplier_uscc",),
}


def _closing() -> tuple[sa.Column[Any], ...]:
    """How a board entry ends: its status, when it was posted and closed, and why."""
    return (
        string("status", 12, nullable=False),
        shapes.timestamp(),
        shapes.timestamp("closed_at", nullable=True),
        string("close_reason", 300),
        shapes.synthetic(),
    )


def _board_entry(table: str, description: str, amount: str, *where: sa.Column[Any]) -> None:
    """A need or a capability: who, what (free text and industry), how much, where, and its end."""
    shapes.create_table(
        table,
        shapes.id_key(),
        shapes.uscc(),
        sa.Column(description, sa.Text(), nullable=False),
        string("industry_code", 4),
        sa.Column(amount, sa.Float()),
        string("unit", 20),
        string("certifications", 300),
        *where,
        *_closing(),
        indexes=INDEXES[table],
    )


def upgrade() -> None:
    _board_entry(
        "match_needs",
        "text",
        "quantity",
        string("region_preference", 300),
        sa.Column("deadline", sa.Date()),
    )
    _board_entry("match_capabilities", "products", "capacity", string("region_code", 6))
    shapes.create_table(
        "supplier_lists",
        shapes.id_key(),
        shapes.uscc("leader_uscc"),
        string("name", 200, nullable=False),
        string("chain", 40),
        string("segment", 40),
        string("cluster_id", 40),
        string("status", 12, nullable=False),
        shapes.timestamp("published_at"),
        shapes.timestamp("closed_at", nullable=True),
        shapes.synthetic(),
        indexes=INDEXES["supplier_lists"],
    )
    shapes.create_table(
        "supplier_list_entries",
        sa.Column("list_id", sa.Integer(), nullable=False),
        shapes.uscc("supplier_uscc"),
        string("note", 300),
        primary_key=("list_id", "supplier_uscc"),
        foreign_keys=(ForeignKey("list_id", "supplier_lists.id", "CASCADE"),),
        indexes=INDEXES["supplier_list_entries"],
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        shapes.drop_table(table, INDEXES[table])
