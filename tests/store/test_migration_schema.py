"""The migrations build exactly the schema they always built, on SQLite and on PostgreSQL.

``data/schema_0008.sqlite.sql`` and ``data/schema_0008.postgresql.sql`` were written from the
migrations as they stood before :mod:`jiqun.store.shapes` replaced their hand-written DDL; any
change to the DDL of revisions 0001-0008 (a column, a type, a constraint or index name, a
trigger) shows here. Later revisions do not: the comparison stops at 0008.
"""

from __future__ import annotations

import doctest
import io
import re
from pathlib import Path

from sqlalchemy import create_engine, text

DATA = Path(__file__).parent / "data"
FROZEN = "0008"


def sqlite_schema(path: Path, revision: str = FROZEN) -> str:
    """Every table, index and trigger SQLite holds after ``upgrade`` to ``revision``, sorted."""
    from jiqun.store import db

    engine = create_engine(f"sqlite:///{path}")
    db.upgrade(engine, revision)
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            )
        ).all()
    engine.dispose()
    return "".join(f"-- {r.type} {r.name}\n{r.sql};\n" for r in rows)


def postgresql_script(revision: str = FROZEN) -> str:
    """The SQL Alembic would run on PostgreSQL from an empty database to ``revision`` and back."""
    from alembic import command
    from alembic.config import Config

    from jiqun.store import db

    out = io.StringIO()
    cfg = Config(output_buffer=out)
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", "postgresql://offline@localhost/jiqun")
    command.upgrade(cfg, revision, sql=True)
    command.downgrade(cfg, f"{revision}:base", sql=True)
    # the "-- Running upgrade a -> b" lines name the revisions, not the DDL
    return re.sub(r"(?m)^-- Running .*\n", "", out.getvalue())


def test_sqlite_schema_is_unchanged(tmp_path: Path) -> None:
    assert sqlite_schema(tmp_path / "s.db") == (DATA / "schema_0008.sqlite.sql").read_text("utf-8")


def test_postgresql_script_is_unchanged() -> None:
    want = (DATA / "schema_0008.postgresql.sql").read_text("utf-8")
    assert postgresql_script() == want


def test_downgrade_removes_everything(tmp_path: Path) -> None:
    from alembic import command

    from jiqun.store import db

    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    db.upgrade(engine, FROZEN)
    cfg = db.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as c:
        left = c.execute(text("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        assert [r.name for r in left] == ["alembic_version"]
    engine.dispose()


def test_head_matches_the_models(tmp_path: Path) -> None:
    """Autogenerate finds nothing to add, drop or alter between ``upgrade head`` and the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from jiqun.store import db
    from jiqun.store.models import Base

    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    db.upgrade(engine)
    with engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), Base.metadata) == []
    engine.dispose()


def test_shapes_examples() -> None:
    from jiqun.store import shapes

    res = doctest.testmod(shapes, optionflags=doctest.ELLIPSIS)
    assert res.attempted and not res.failed
