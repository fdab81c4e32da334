"""platform accounts, grants and audit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:06:26.997754
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import ForeignKey, principal, string

revision = "0002"
down_revision = "0001"

TABLES = ("audit_log", "login_attempts", "organisations", "grants", "users")
#: The indexes of each table, created in this order and dropped in the reverse one.
INDEXES: dict[str, tuple[shapes.IndexSpec, ...]] = {
    "audit_log": ("action", "at", "username"),
    "login_attempts": ("key",),
    "grants": ("grantee_organisation_id", "uscc"),
    "users": ("organisation_id",),
}


def upgrade() -> None:
    shapes.create_table(
        "audit_log",
        shapes.id_key(),
        shapes.timestamp("at"),
        principal(),
        string("role", 16),
        string("action", 40, nullable=False),
        string("resource", 200),
        string("outcome", 16, nullable=False),
        sa.Column("detail", sa.Text()),
        string("client", 64),
        indexes=INDEXES["audit_log"],
    )
    shapes.create_table(
        "login_attempts",
        shapes.id_key(),
        string("key", 160, nullable=False),
        shapes.timestamp("at"),
        indexes=INDEXES["login_attempts"],
    )
    shapes.create_table(
        "organisations",
        shapes.id_key(),
        string("name", 200, nullable=False),
        string("kind", 16, nullable=False),
        string("scope", 40),
        shapes.timestamp(),
        unique=("kind", "scope"),
    )
    shapes.create_table(
        "grants",
        shapes.id_key(),
        shapes.uscc(),
        sa.Column("grantee_organisation_id", sa.Integer(), nullable=False),
        string("purpose", 300),
        principal("granted_by", nullable=False),
        shapes.timestamp("granted_at"),
        shapes.timestamp("expires_at", nullable=True),
        shapes.timestamp("revoked_at", nullable=True),
        principal("revoked_by"),
        foreign_keys=(ForeignKey("grantee_organisation_id", "organisations.id", "RESTRICT"),),
        indexes=INDEXES["grants"],
    )
    shapes.create_table(
        "users",
        shapes.id_key(),
        principal(nullable=False),
        string("password_hash", 200, nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        string("role", 16, nullable=False),
        string("scope", 40),
        sa.Column("active", sa.Boolean(), nullable=False),
        shapes.timestamp(),
        sa.Column("token_version", sa.Integer(), nullable=False),
        foreign_keys=(ForeignKey("organisation_id", "organisations.id", "RESTRICT"),),
        unique=("username",),
        indexes=INDEXES["users"],
    )
    # The audit log is append-only in the database itself, not only by convention in the code.
    shapes.make_append_only("audit_log")


def downgrade() -> None:
    shapes.drop_append_only("audit_log")
    for table in reversed(TABLES):
        shapes.drop_table(table, INDEXES.get(table, ()))
