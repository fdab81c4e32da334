"""policy registry

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:30:00

Written by hand to match ``Policy`` in :mod:`jiqun.store.models`.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import string

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    shapes.create_table(
        "policies",
        string("policy_id", 40, nullable=False),
        string("title", 300, nullable=False),
        string("title_en", 300),
        string("issuer", 200, nullable=False),
        string("region_scope", 200),
        sa.Column("target", sa.Text()),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("benefits", sa.Text()),
        sa.Column("start_date", sa.Date()),
        sa.Column("end_date", sa.Date()),
        string("source_document", 500),
        shapes.synthetic(),
        shapes.timestamp(),
        primary_key=("policy_id",),
    )


def downgrade() -> None:
    shapes.drop_table("policies")
