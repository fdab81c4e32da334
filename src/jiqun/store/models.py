"""SQLAlchemy 2 models of the system of record (SQLite by default, PostgreSQL in production).

One table per kind of the unified data standard (:mod:`jiqun.standard.schema`), plus the import
log. Every data table carries ``synthetic`` (True for demo records, shown by every output) and
``import_id`` (which import wrote the row last). Natural keys are primary keys or unique
constraints, so re-importing the same file updates rows instead of duplicating them.

Schema changes go through Alembic migrations in ``jiqun/store/migrations`` (``jiqun db upgrade``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """The Core :class:`~sqlalchemy.Table` a model class is mapped to.

    ``Model.__table__`` is typed as a ``FromClause`` (a mapped class may map any selectable), which
    has no ``insert()`` and cannot go where a ``Table`` is expected. Every model here maps a plain
    table, so this narrows it once instead of casting at each use.

    Parameters
    ----------
    model
        A mapped class of this module (``AuthSession``, ``ImportRun`` ...).

    Returns
    -------
    Table
        The same object as ``model.__table__``.

    References
    ----------
    SQLAlchemy 2.0 documentation, "ORM Mapped Class Configuration" (``__table__``).

    Example
    -------
    >>> table_of(Region).name
    'regions'
    """
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover - only a mapping onto a select gets here
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class Region(Base):
    """GB/T 2260 administrative division (shipped reference data, extensible by import)."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(6), index=True)
    province_code: Mapped[str | None] = mapped_column(String(6))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(200))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Industry(Base):
    """GB/T 4754 industry code (section, division, group or class) with its vintage."""

    __tablename__ = "industries"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    parent: Mapped[str | None] = mapped_column(String(4))
    section: Mapped[str | None] = mapped_column(String(1))
    vintage: Mapped[str] = mapped_column(String(8), default="2017")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportRun(Base):
    """One import (or demo build): what was read, what was written, how it ended."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    source_file: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(20))  # all_or_nothing | skip_invalid | demo
    status: Mapped[str] = mapped_column(String(20))  # committed | rejected
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Enterprise(Base):
    """一企一档: one enterprise, keyed by its unified social credit code."""

    __tablename__ = "enterprises"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str] = mapped_column(String(4), index=True)
    founded: Mapped[dt.date | None] = mapped_column(Date)
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue: Mapped[float | None] = mapped_column(Float)  # 万元
    output: Mapped[float | None] = mapped_column(Float)  # 万元
    rd_expense: Mapped[float | None] = mapped_column(Float)  # 万元
    tags: Mapped[str | None] = mapped_column(String(200))  # ;-separated tag ids
    business_scope: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)
    # registry exports (企查查/天眼查): migration 0011
    status: Mapped[str | None] = mapped_column(String(16))
    registered_capital: Mapped[float | None] = mapped_column(Float)  # 万, in its own currency
    registered_capital_currency: Mapped[str | None] = mapped_column(String(3))
    operating_term_start: Mapped[dt.date | None] = mapped_column(Date)
    operating_term_end: Mapped[dt.date | None] = mapped_column(Date)
    employees_year: Mapped[int | None] = mapped_column(Integer)


class ListedCompany(Base):
    """A firm on an exchange's official list of listed companies, keyed by its stock code."""

    __tablename__ = "listed_companies"
    stock_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    exchange: Mapped[str] = mapped_column(String(8), index=True)
    board: Mapped[str | None] = mapped_column(String(16))
    short_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    listed: Mapped[dt.date | None] = mapped_column(Date)
    b_stock_code: Mapped[str | None] = mapped_column(String(6))
    total_shares: Mapped[int | None] = mapped_column(BigInteger)
    float_shares: Mapped[int | None] = mapped_column(BigInteger)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    csrc_industry: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    website: Mapped[str | None] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)


class RegionStat(Base):
    """Long-format statistic: region × industry × year × measure → value (unit explicit)."""

    __tablename__ = "region_stats"
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(300))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_region_stats_year_measure", "year", "measure"),)


class Cluster(Base):
    """A cluster of any tier (national, provincial, SME characteristic, world-class candidate)."""

    __tablename__ = "clusters"
    cluster_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    tier: Mapped[str] = mapped_column(String(24), index=True)
    batch_year: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(32), index=True)
    promotion_organisation: Mapped[str | None] = mapped_column(String(300))
    verification: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)


class ClusterRegion(Base):
    __tablename__ = "cluster_regions"
    cluster_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("clusters.cluster_id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True, index=True)


class ClusterIndustry(Base):
    __tablename__ = "cluster_industries"
    cluster_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("clusters.cluster_id", ondelete="CASCADE"), primary_key=True
    )
    industry_code: Mapped[str] = mapped_column(String(4), primary_key=True, index=True)


class ClusterMember(Base):
    __tablename__ = "cluster_members"
    cluster_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    joined: Mapped[dt.date | None] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)
    # A membership widens the cluster organisation's view only once approved (by an admin or by
    # the firm itself); one the organisation lists itself starts ``pending``.
    status: Mapped[str] = mapped_column(
        String(12), default="approved", server_default="approved", index=True
    )
    requested_by: Mapped[str | None] = mapped_column(String(80))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class InnovationCarrier(Base):
    __tablename__ = "innovation_carriers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    carrier_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    host_uscc: Mapped[str | None] = mapped_column(String(18))
    industry_code: Mapped[str | None] = mapped_column(String(4))
    field: Mapped[str | None] = mapped_column(String(32))
    cluster_id: Mapped[str | None] = mapped_column(String(40), index=True)
    recognised_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(300))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("carrier_type", "name"),)


class SupplyLink(Base):
    """A supplier → buyer relation for one year and one input category (value in 万元)."""

    __tablename__ = "supply_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_uscc: Mapped[str] = mapped_column(String(18), index=True)
    buyer_uscc: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    input_category: Mapped[str] = mapped_column(String(4))
    value: Mapped[float | None] = mapped_column(Float)
    product: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str | None] = mapped_column(String(300))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("supplier_uscc", "buyer_uscc", "year", "input_category"),)


class Organisation(Base):
    """An organisation using the platform: its ``kind`` is its role, ``scope`` what it covers.

    ``government``: a GB/T 2260 region code (a province or a city); ``cluster``: a cluster id;
    ``enterprise``: a unified social credit code; ``admin``: the platform operator (no scope).
    """

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("kind", "scope"),)


class User(Base):
    """A person with an account; role and scope come from the organisation."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    token_version: Mapped[int] = mapped_column(Integer, default=0)


class Grant(Base):
    """Consent: an enterprise (or the data owner) lets an organisation see its records.

    Revocable (``revoked_at``); never deleted, so the history of consent stays auditable.
    """

    __tablename__ = "grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    grantee_organisation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    purpose: Mapped[str | None] = mapped_column(String(300))
    granted_by: Mapped[str] = mapped_column(String(80))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(80))


class AuditEntry(Base):
    """Append-only audit log (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(80), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40), index=True)
    resource: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(64))


class AuditSubject(Base):
    """The firms (credit codes) one audit entry read; append-only like the log itself."""

    __tablename__ = "audit_subjects"
    audit_id: Mapped[int] = mapped_column(Integer, ForeignKey("audit_log.id"), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)


class LoginThrottle(Base):
    """Login attempts counted per key (``pair:``, ``user:``, ``client:``) over a window.

    One row per key, updated with a single ``UPDATE ... RETURNING`` so that checking and counting
    an attempt is atomic (:func:`jiqun.services.accounts.authenticate`); ``not_before`` carries
    the progressive delay.
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuthSession(Base):
    """A server-side login: a browser session (``web``) or a bearer token (``api``).

    Only the SHA-256 of the random identifier is stored; the cookie or the token carries the
    identifier itself. Deleting the row ends the session (logout, revocation, disabled account).
    """

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    username: Mapped[str | None] = mapped_column(String(80), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    client: Mapped[str | None] = mapped_column(String(64))


class Meta(Base):
    """Key–value facts about the database (e.g. which demo seed built it)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DigitalAssessment(Base):
    """One digital-transformation self-assessment of one firm (:mod:`jiqun.digital`).

    ``framework`` is ``miit2024`` (MIIT SME digital level) or ``gbt39116`` (GB/T 39116 maturity);
    ``answers`` is the JSON text of the answers given so far; ``status`` is ``draft`` (may be
    incomplete, resumable) or ``submitted`` (complete). ``score`` is the MIIT total (0–100,
    ``None`` for GB/T 39116 and for incomplete drafts); ``level`` the resulting level (MIIT 0–4,
    0 = below level 1; GB/T 39116 0–5), ``None`` while incomplete.
    """

    __tablename__ = "digital_assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    framework: Mapped[str] = mapped_column(String(16), index=True)
    edition: Mapped[str] = mapped_column(String(16))
    answers: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class MatchNeed(Base):
    """A need posted on the supply–demand board (供需对接·采购需求, :mod:`jiqun.matching`).

    What a firm buys: ``text`` (product description), optional GB/T 4754-2017 class,
    ``quantity`` in ``unit``, required ``certifications`` (``;``-separated), preferred regions
    (``;``-separated GB/T 2260 codes) and a ``deadline``. ``status`` is ``open`` or ``closed``.
    """

    __tablename__ = "match_needs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    text: Mapped[str] = mapped_column(Text)
    industry_code: Mapped[str | None] = mapped_column(String(4), index=True)
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(20))
    certifications: Mapped[str | None] = mapped_column(String(300))
    region_preference: Mapped[str | None] = mapped_column(String(300))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True, default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    close_reason: Mapped[str | None] = mapped_column(String(300))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class MatchCapability(Base):
    """A capability posted on the supply–demand board (供需对接·供给能力).

    What a firm offers: ``products`` text, optional GB/T 4754-2017 class, ``capacity`` in
    ``unit`` (per year unless the unit says otherwise), ``certifications`` (``;``-separated) and
    an optional ``region_code`` where it is supplied from (default: the firm's registered region).
    """

    __tablename__ = "match_capabilities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    products: Mapped[str] = mapped_column(Text)
    industry_code: Mapped[str | None] = mapped_column(String(4), index=True)
    capacity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(20))
    certifications: Mapped[str | None] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(12), index=True, default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    close_reason: Mapped[str | None] = mapped_column(String(300))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class SupplierList(Base):
    """A supplier list published by a chain leader (链主企业发布的供应商名录)."""

    __tablename__ = "supplier_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    leader_uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    chain: Mapped[str | None] = mapped_column(String(40))
    segment: Mapped[str | None] = mapped_column(String(40))
    cluster_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), index=True, default="open")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class SupplierListEntry(Base):
    """One supplier on a published supplier list."""

    __tablename__ = "supplier_list_entries"
    list_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("supplier_lists.id", ondelete="CASCADE"), primary_key=True
    )
    supplier_uscc: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)
    note: Mapped[str | None] = mapped_column(String(300))


class Policy(Base):
    """A support policy (惠企政策) with machine-readable eligibility rules (:mod:`jiqun.policy`).

    ``rules`` is the JSON text of the rule (see :mod:`jiqun.policy.rules`); ``target`` the JSON of
    what the policy aims at (clusters, segments, tags, sizes) for display and filtering.
    """

    __tablename__ = "policies"
    policy_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200))
    region_scope: Mapped[str | None] = mapped_column(String(200))
    target: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)
    benefits: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    source_document: Mapped[str | None] = mapped_column(String(500))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


#: kind name (schema.KINDS) -> ORM class
TABLE_OF_KIND: dict[str, type[Base]] = {
    "regions": Region,
    "industries": Industry,
    "enterprises": Enterprise,
    "listed-companies": ListedCompany,
    "region-stats": RegionStat,
    "clusters": Cluster,
    "cluster-members": ClusterMember,
    "innovation-carriers": InnovationCarrier,
    "supply-links": SupplyLink,
}


class Release(Base):
    """One protected publication release (公开数据版本) of the enterprise registry.

    Built once per data version by :func:`jiqun.services.release.build_release`; ``status`` is
    ``complete`` once every cell is written (a failed build leaves no complete row behind).
    ``stats`` is the JSON of what the protection did (counts, value shares, LP solves, seconds).
    """

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    data_version: Mapped[str] = mapped_column(String(200))
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))
    stats: Mapped[str | None] = mapped_column(Text)


class ReleaseCell(Base):
    """One cell of a release: region node × industry node × measure (true value kept for the
    admin; ``suppressed`` cells are never shown to the public)."""

    __tablename__ = "release_cells"
    release_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    region_level: Mapped[int] = mapped_column(Integer)
    industry_level: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[int] = mapped_column(Integer)
    n_firms: Mapped[int] = mapped_column(Integer)
    suppressed: Mapped[bool] = mapped_column(Boolean)
    suppression: Mapped[str | None] = mapped_column(String(12))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Job(Base):
    """One background job (后台任务) of the in-process worker (:mod:`jiqun.services.jobs`).

    ``status`` goes ``queued`` → ``running`` → ``succeeded`` or ``failed``; a worker claims a job
    with one conditional ``UPDATE`` (so two workers never run the same job) and writes
    ``progress``/``step``/``heartbeat_at`` as it goes; a running job whose heartbeat stops is
    marked failed by the next worker (:func:`jiqun.services.jobs.recover`).
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_id", "status", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    data_version: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))


class ResultVersion(Base):
    """The materialised results of one data version (物化结果版本): ``building`` while the refresh
    job writes them, ``complete`` when every result is stored, ``failed`` when the refresh failed
    (pages keep reading the newest complete version)."""

    __tablename__ = "result_versions"
    data_version: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    job_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    results: Mapped[int] = mapped_column(Integer, default=0)
    violations: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class StoredResult(Base):
    """One materialised result (物化结果): what a service computed for ``(family, key)`` from one
    data version, serialised by :mod:`jiqun.services.results` (compressed pickle of the
    service's own result object; ``fmt`` names the code's result format, so results written
    by an older release of Jiqun are recomputed, never misread)."""

    __tablename__ = "stored_results"
    __table_args__ = (UniqueConstraint("data_version", "family", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    data_version: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(500))
    fmt: Mapped[str] = mapped_column(String(50))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    job_id: Mapped[int | None] = mapped_column(Integer)


class LakeVersion(Base):
    """One published version of the lake (数据湖版本, :mod:`jiqun.services.lake`): the folder
    ``v<version>`` of Hive-partitioned Parquet it was renamed to, the store data version it
    copies (``source_version``), its tables' row counts (JSON). Exactly one row is ``current``
    once the lake exists; earlier ones are ``superseded`` (still on disk, the newest of them
    kept) or ``pruned`` (deleted from disk)."""

    __tablename__ = "lake_versions"
    __table_args__ = (Index("ix_lake_versions_status", "status"),)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(1000))
    source_version: Mapped[str] = mapped_column(String(200))
    engine: Mapped[str] = mapped_column(String(50))
    tables: Mapped[str | None] = mapped_column(Text)
    data_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(200))
    job_id: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
