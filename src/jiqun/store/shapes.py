"""The columns and table shapes that the Alembic migrations repeat, written once.

Every migration in ``jiqun/store/migrations/versions`` creates tables the same way: a surrogate
``id`` key or a natural key, constraints named by :data:`jiqun.store.models.NAMING`
(``pk_<table>``, ``uq_<table>_<first column>``, ``fk_<table>_<column>_<referred table>``), one
``ix_<table>_<columns>`` index per looked-up column, and the same recurring columns
(``synthetic``, ``import_id``, a credit code, a principal's name, a timestamp). These helpers
build exactly the DDL the hand-written ``op.create_table`` calls did, so a migration states only
what is particular to its tables.

A migration uses them inside its ``upgrade`` / ``downgrade`` (they call :mod:`alembic.op`, so they
only work while Alembic runs a migration).

Example
-------
>>> from jiqun.store import shapes
>>> shapes.uscc().name, shapes.string("unit", 20).type.length, shapes.synthetic().nullable
('uscc', 20, False)
>>> shapes.index_name("region_stats", ("year", "measure"))
'ix_region_stats_year_measure'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op

__all__ = [
    "ForeignKey",
    "IndexSpec",
    "create_indexes",
    "create_table",
    "drop_append_only",
    "drop_indexes",
    "drop_table",
    "id_key",
    "import_id",
    "index_name",
    "make_append_only",
    "principal",
    "provenance",
    "string",
    "synthetic",
    "timestamp",
    "uscc",
]

#: An index: one column, or several in order (named after all of them).
IndexSpec = str | tuple[str, ...]


class ForeignKey(NamedTuple):
    """A single-column foreign key, named ``fk_<table>_<column>_<referred table>``.

    ``target`` is ``"table.column"``; no ``ON DELETE`` clause when ``ondelete`` is ``None``.
    """

    column: str
    target: str
    ondelete: str | None = None


def id_key() -> sa.Column[Any]:
    """The surrogate key ``id``: an auto-incremented integer (the primary key by default)."""
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def string(name: str, length: int, *, nullable: bool = True) -> sa.Column[Any]:
    """A ``VARCHAR(length)`` column."""
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def uscc(name: str = "uscc", *, nullable: bool = False) -> sa.Column[Any]:
    """A unified social credit code (18 characters), required unless ``nullable``."""
    return string(name, 18, nullable=nullable)


def principal(name: str = "username", *, nullable: bool = True) -> sa.Column[Any]:
    """The name of the account that did something (80 characters, as ``users.username``)."""
    return string(name, 80, nullable=nullable)


def timestamp(name: str = "created_at", *, nullable: bool = False) -> sa.Column[Any]:
    """A ``DATETIME`` column, required unless ``nullable``."""
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def synthetic() -> sa.Column[Any]:
    """``synthetic``: True for demo records (every data table carries it)."""
    return sa.Column("synthetic", sa.Boolean(), nullable=False)


def import_id() -> sa.Column[Any]:
    """``import_id``: which import wrote the row last (a plain integer, not a foreign key)."""
    return sa.Column("import_id", sa.Integer(), nullable=True)


def provenance() -> tuple[sa.Column[Any], sa.Column[Any]]:
    """:func:`synthetic` and :func:`import_id`: every imported data table ends on these two."""
    return synthetic(), import_id()


def index_name(table: str, columns: Sequence[str]) -> str:
    """The name of the index on ``columns`` of ``table``: ``ix_<table>_<columns joined by _>``."""
    return f"ix_{table}_{'_'.join(columns)}"


def _columns(index: IndexSpec) -> tuple[str, ...]:
    return (index,) if isinstance(index, str) else index


def create_table(
    name: str,
    *columns: sa.Column[Any],
    primary_key: Sequence[str] = ("id",),
    foreign_keys: Sequence[ForeignKey] = (),
    unique: Sequence[str] = (),
    indexes: Sequence[IndexSpec] = (),
) -> None:
    """Create ``name`` with its named constraints, then its non-unique indexes in order.

    Parameters
    ----------
    name:
        The table.
    columns:
        Its columns, in order.
    primary_key:
        The key's columns (``pk_<name>``).
    foreign_keys:
        Single-column foreign keys (``fk_<name>_<column>_<referred table>``).
    unique:
        The columns of the one unique constraint, if any (``uq_<name>_<first column>``).
    indexes:
        Columns (or tuples of columns) to index, in the order the indexes are created.
    """
    constraints: list[sa.Constraint] = [
        sa.ForeignKeyConstraint(
            [fk.column],
            [fk.target],
            name=op.f(f"fk_{name}_{fk.column}_{fk.target.split('.')[0]}"),
            ondelete=fk.ondelete,
        )
        for fk in foreign_keys
    ]
    constraints.append(sa.PrimaryKeyConstraint(*primary_key, name=op.f(f"pk_{name}")))
    if unique:
        constraints.append(sa.UniqueConstraint(*unique, name=op.f(f"uq_{name}_{unique[0]}")))
    op.create_table(name, *columns, *constraints)
    create_indexes(name, *indexes)


def create_indexes(table: str, *indexes: IndexSpec) -> None:
    """Create one non-unique index per entry of ``indexes``, in order."""
    for index in indexes:
        columns = _columns(index)
        op.create_index(op.f(index_name(table, columns)), table, list(columns), unique=False)


def drop_indexes(table: str, *indexes: IndexSpec) -> None:
    """Drop the indexes :func:`create_indexes` made, last created first."""
    for index in reversed(indexes):
        op.drop_index(op.f(index_name(table, _columns(index))), table_name=table)


def drop_table(name: str, indexes: Sequence[IndexSpec] = ()) -> None:
    """Drop ``name`` and the indexes :func:`create_table` made on it (last created first)."""
    drop_indexes(name, *indexes)
    op.drop_table(name)


def make_append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` in the database itself, not only in the code.

    SQLite gets ``<table>_no_update`` / ``<table>_no_delete`` triggers, PostgreSQL a
    ``<table>_append_only()`` function and trigger; both abort with ``<table> is append-only``.
    """
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )


def drop_append_only(table: str) -> None:
    """Undo :func:`make_append_only` (the table may be written again)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
