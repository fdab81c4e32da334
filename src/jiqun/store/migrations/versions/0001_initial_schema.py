"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 04:06:02.854802
"""

from __future__ import annotations

import sqlalchemy as sa

from jiqun.store import shapes
from jiqun.store.shapes import ForeignKey, provenance, string, synthetic, uscc

revision = "0001"
down_revision = None

#: The indexes of each table, created in this order and dropped in the reverse one.
INDEXES: dict[str, tuple[shapes.IndexSpec, ...]] = {
    "cluster_members": ("uscc",),
    "clusters": ("field", "tier"),
    "enterprises": ("industry_code", "region_code"),
    "innovation_carriers": ("cluster_id", "region_code"),
    "region_stats": (("year", "measure"),),
    "regions": ("level", "parent_code"),
    "supply_links": ("buyer_uscc", "supplier_uscc"),
    "cluster_industries": ("industry_code",),
    "cluster_regions": ("region_code",),
}
TABLES = (
    "cluster_members",
    "clusters",
    "enterprises",
    "imports",
    "industries",
    "innovation_carriers",
    "meta",
    "region_stats",
    "regions",
    "supply_links",
    "cluster_industries",
    "cluster_regions",
)


def _cluster_link(table: str, column: str, length: int) -> None:
    """A cluster's industries or regions: (cluster, code) pairs, deleted with the cluster."""
    shapes.create_table(
        table,
        string("cluster_id", 40, nullable=False),
        string(column, length, nullable=False),
        primary_key=("cluster_id", column),
        foreign_keys=(ForeignKey("cluster_id", "clusters.cluster_id", "CASCADE"),),
        indexes=INDEXES[table],
    )


def upgrade() -> None:
    shapes.create_table(
        "cluster_members",
        string("cluster_id", 40, nullable=False),
        uscc(),
        string("role", 20),
        sa.Column("joined", sa.Date()),
        *provenance(),
        primary_key=("cluster_id", "uscc"),
        indexes=INDEXES["cluster_members"],
    )
    shapes.create_table(
        "clusters",
        string("cluster_id", 40, nullable=False),
        string("name", 200, nullable=False),
        string("name_en", 300),
        string("tier", 24, nullable=False),
        sa.Column("batch_year", sa.Integer()),
        string("field", 32),
        string("promotion_organisation", 300),
        string("verification", 16),
        sa.Column("source", sa.Text()),
        *provenance(),
        primary_key=("cluster_id",),
        indexes=INDEXES["clusters"],
    )
    shapes.create_table(
        "enterprises",
        uscc(),
        string("name", 200, nullable=False),
        string("region_code", 6, nullable=False),
        string("industry_code", 4, nullable=False),
        sa.Column("founded", sa.Date()),
        sa.Column("employees", sa.Integer()),
        sa.Column("revenue", sa.Float()),
        sa.Column("output", sa.Float()),
        sa.Column("rd_expense", sa.Float()),
        string("tags", 200),
        sa.Column("business_scope", sa.Text()),
        string("address", 300),
        sa.Column("lon", sa.Float()),
        sa.Column("lat", sa.Float()),
        *provenance(),
        primary_key=("uscc",),
        indexes=INDEXES["enterprises"],
    )
    shapes.create_table(
        "imports",
        shapes.id_key(),
        string("kind", 40, nullable=False),
        string("source_file", 500, nullable=False),
        string("sha256", 64),
        string("mode", 20, nullable=False),
        string("status", 20, nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        synthetic(),
        shapes.timestamp("started_at"),
        shapes.timestamp("finished_at", nullable=True),
    )
    shapes.create_table(
        "industries",
        string("code", 4, nullable=False),
        string("name", 200, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        string("parent", 4),
        string("section", 1),
        string("vintage", 8, nullable=False),
        synthetic(),
        primary_key=("code",),
    )
    shapes.create_table(
        "innovation_carriers",
        shapes.id_key(),
        string("carrier_type", 40, nullable=False),
        string("name", 300, nullable=False),
        string("level", 16, nullable=False),
        string("region_code", 6, nullable=False),
        uscc("host_uscc", nullable=True),
        string("industry_code", 4),
        string("field", 32),
        string("cluster_id", 40),
        sa.Column("recognised_year", sa.Integer()),
        string("source", 300),
        *provenance(),
        unique=("carrier_type", "name"),
        indexes=INDEXES["innovation_carriers"],
    )
    shapes.create_table(
        "meta",
        string("key", 100, nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        primary_key=("key",),
    )
    shapes.create_table(
        "region_stats",
        string("region_code", 6, nullable=False),
        string("industry_code", 4, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        string("measure", 32, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        string("unit", 16, nullable=False),
        string("source", 300),
        *provenance(),
        primary_key=("region_code", "industry_code", "year", "measure"),
        indexes=INDEXES["region_stats"],
    )
    shapes.create_table(
        "regions",
        string("code", 6, nullable=False),
        string("name", 100, nullable=False),
        string("level", 12, nullable=False),
        string("parent_code", 6),
        string("province_code", 6),
        sa.Column("lon", sa.Float()),
        sa.Column("lat", sa.Float()),
        string("source", 200),
        synthetic(),
        primary_key=("code",),
        indexes=INDEXES["regions"],
    )
    shapes.create_table(
        "supply_links",
        shapes.id_key(),
        uscc("supplier_uscc"),
        uscc("buyer_uscc"),
        sa.Column("year", sa.Integer(), nullable=False),
        string("input_category", 4, nullable=False),
        sa.Column("value", sa.Float()),
        string("product", 300),
        string("source", 300),
        *provenance(),
        unique=("supplier_uscc", "buyer_uscc", "year", "input_category"),
        indexes=INDEXES["supply_links"],
    )
    _cluster_link("cluster_industries", "industry_code", 4)
    _cluster_link("cluster_regions", "region_code", 6)


def downgrade() -> None:
    for table in reversed(TABLES):
        shapes.drop_table(table, INDEXES.get(table, ()))
