"""background jobs and materialised results

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:40:00

Written by hand to match ``Job``, ``ResultVersion`` and ``StoredResult`` in
:mod:`jiqun.store.models`.
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import string

revision = "0009"
down_revision = "0008"


def _stamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(), nullable=True)


def upgrade() -> None:
    shapes.create_table(
        "jobs",
        shapes.id_key(),
        string("kind", 50, nullable=False),
        sa.Column("params", sa.Text()),
        string("status", 20, nullable=False),
        string("data_version", 200),
        shapes.timestamp(),
        string("created_by", 200),
        *(_stamp(n) for n in ("started_at", "heartbeat_at", "finished_at")),
        sa.Column("progress", sa.Float(), nullable=False),
        string("step", 500),
        sa.Column("error", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        string("worker", 200),
        indexes=(("status", "id"),),
    )
    shapes.create_table(
        "result_versions",
        string("data_version", 200, nullable=False),
        string("status", 20, nullable=False),
        sa.Column("job_id", sa.Integer()),
        shapes.timestamp("started_at"),
        _stamp("finished_at"),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("violations", sa.Integer()),
        sa.Column("error", sa.Text()),
        primary_key=("data_version",),
    )
    shapes.create_table(
        "stored_results",
        shapes.id_key(),
        string("data_version", 200, nullable=False),
        string("family", 50, nullable=False),
        string("key", 500, nullable=False),
        string("fmt", 50, nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        shapes.timestamp("computed_at"),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("job_id", sa.Integer()),
        unique=("data_version", "family", "key"),
    )


def downgrade() -> None:
    shapes.drop_table("stored_results")
    shapes.drop_table("result_versions")
    shapes.drop_table("jobs", indexes=(("status", "id"),))
