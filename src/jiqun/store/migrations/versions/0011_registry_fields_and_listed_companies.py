"""registry fields of enterprises and listed companies

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:45:00

Written by hand to match ``Enterprise`` and ``ListedCompany`` in :mod:`jiqun.store.models`.

* ``enterprises``: what enterprise-registry exports (企查查, 天眼查) carry beyond the registry
  basics: registration status, registered capital with its currency (never converted), the
  operating term, and the year of the employee count.
* ``listed_companies``: the exchanges' official lists of listed firms, keyed by stock code (the
  lists carry no credit code, so they cannot be ``enterprises`` rows).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jiqun.store import shapes
from jiqun.store.shapes import string

revision = "0011"
down_revision = "0010"

_ENTERPRISE_COLUMNS = (
    "status",
    "registered_capital",
    "registered_capital_currency",
    "operating_term_start",
    "operating_term_end",
    "employees_year",
)


def upgrade() -> None:
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.add_column(string("status", 16))
        batch_op.add_column(sa.Column("registered_capital", sa.Float()))
        batch_op.add_column(string("registered_capital_currency", 3))
        batch_op.add_column(sa.Column("operating_term_start", sa.Date()))
        batch_op.add_column(sa.Column("operating_term_end", sa.Date()))
        batch_op.add_column(sa.Column("employees_year", sa.Integer()))
    shapes.create_table(
        "listed_companies",
        string("stock_code", 6, nullable=False),
        string("exchange", 8, nullable=False),
        string("board", 16),
        string("short_name", 200, nullable=False),
        string("name", 200),
        string("name_en", 200),
        sa.Column("listed", sa.Date()),
        string("b_stock_code", 6),
        sa.Column("total_shares", sa.BigInteger()),
        sa.Column("float_shares", sa.BigInteger()),
        string("region_code", 6),
        string("csrc_industry", 200),
        string("address", 500),
        string("website", 200),
        shapes.uscc(nullable=True),
        *shapes.provenance(),
        primary_key=("stock_code",),
        indexes=("exchange", "region_code", "uscc"),
    )


def downgrade() -> None:
    shapes.drop_table("listed_companies", ("exchange", "region_code", "uscc"))
    with op.batch_alter_table("enterprises") as batch_op:
        for name in reversed(_ENTERPRISE_COLUMNS):
            batch_op.drop_column(name)
