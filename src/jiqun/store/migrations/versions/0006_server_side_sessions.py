"""server-side sessions and tokens, atomic login throttle

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:00:00

Written by hand to match ``AuthSession`` and ``LoginThrottle`` in :mod:`jiqun.store.models`.
``login_attempts`` (one row per failure, counted after the fact) is replaced by
``login_throttle`` (one counter row per key, checked and counted in one statement).
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import string

revision = "0006"
down_revision = "0005"


SESSION_INDEXES = ("username", "last_seen_at")


def upgrade() -> None:
    shapes.create_table(
        "auth_sessions",
        shapes.id_key(),
        string("sid_hash", 64, nullable=False),
        string("kind", 8, nullable=False),
        shapes.principal(),
        sa.Column("data", sa.Text(), nullable=False),
        shapes.timestamp(),
        shapes.timestamp("last_seen_at"),
        string("client", 64),
        unique=("sid_hash",),
        indexes=SESSION_INDEXES,
    )
    shapes.create_table(
        "login_throttle",
        string("key", 200, nullable=False),
        shapes.timestamp("window_start"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        shapes.timestamp("not_before", nullable=True),
        primary_key=("key",),
    )
    shapes.drop_table("login_attempts", ("key",))


def downgrade() -> None:
    # login_attempts as 0002 created it
    shapes.create_table(
        "login_attempts",
        shapes.id_key(),
        string("key", 160, nullable=False),
        shapes.timestamp("at"),
        indexes=("key",),
    )
    shapes.drop_table("login_throttle")
    shapes.drop_table("auth_sessions", SESSION_INDEXES)
