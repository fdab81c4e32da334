"""lake versions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 14:20:00

Written by hand to match ``LakeVersion`` in :mod:`jiqun.store.models`.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import string

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    shapes.create_table(
        "lake_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        string("status", 20, nullable=False),
        string("path", 1000, nullable=False),
        string("source_version", 200, nullable=False),
        string("engine", 50, nullable=False),
        sa.Column("tables", sa.Text()),
        sa.Column("data_year", sa.Integer()),
        shapes.timestamp(),
        string("created_by", 200),
        sa.Column("job_id", sa.Integer()),
        sa.Column("seconds", sa.Float(), nullable=False),
        primary_key=("version",),
        indexes=("status",),
    )


def downgrade() -> None:
    shapes.drop_table("lake_versions", indexes=("status",))
