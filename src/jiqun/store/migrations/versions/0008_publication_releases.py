"""protected publication releases

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-07 08:00:00

Written by hand to match ``Release`` and ``ReleaseCell`` in :mod:`jiqun.store.models`.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import ForeignKey, string

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    shapes.create_table(
        "releases",
        shapes.id_key(),
        string("data_version", 200, nullable=False),
        shapes.timestamp("built_at"),
        string("status", 20, nullable=False),
        sa.Column("stats", sa.Text()),
    )
    shapes.create_table(
        "release_cells",
        sa.Column("release_id", sa.Integer(), nullable=False),
        string("measure", 20, nullable=False),
        string("region_code", 12, nullable=False),
        string("industry_code", 8, nullable=False),
        sa.Column("region_level", sa.Integer(), nullable=False),
        sa.Column("industry_level", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_firms", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        string("suppression", 12),
        shapes.synthetic(),
        primary_key=("release_id", "measure", "region_code", "industry_code"),
        foreign_keys=(ForeignKey("release_id", "releases.id", "CASCADE"),),
    )


def downgrade() -> None:
    shapes.drop_table("release_cells")
    shapes.drop_table("releases")
