"""digital assessments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:16:22.536528
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import string

revision = "0003"
down_revision = "0002"


INDEXES = ("framework", "status", "uscc")


def upgrade() -> None:
    shapes.create_table(
        "digital_assessments",
        shapes.id_key(),
        shapes.uscc(),
        string("framework", 16, nullable=False),
        string("edition", 16, nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        string("status", 12, nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("level", sa.Integer()),
        shapes.timestamp(),
        shapes.timestamp("updated_at"),
        shapes.synthetic(),
        indexes=INDEXES,
    )


def downgrade() -> None:
    shapes.drop_table("digital_assessments", INDEXES)
