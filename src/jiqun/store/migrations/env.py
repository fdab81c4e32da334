"""Alembic environment: runs migrations on the connection handed over by jiqun.store.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from jiqun.standard.problems import JiqunError
from jiqun.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run_on(connection: Connection) -> None:
    # SQLite alters tables by copying them, so autogenerate must write batch operations there.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise JiqunError(
            "迁移没有数据库：请通过 jiqun.store.db.upgrade 运行",
            "no database for the migration: run it through jiqun.store.db.upgrade",
        )
    engine = create_engine(url)
    with engine.begin() as conn:
        _run_on(conn)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
