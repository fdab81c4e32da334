"""The recurring conditions on enterprises, written once as SQLAlchemy Core expressions.

Every service that selects firms by region, tag, cluster or viewer builds its ``WHERE`` from
these functions, so that "in the cluster" or "visible to this account" means the same thing in a
list, a published table, an access check and a policy rule. Each returns a boolean column
expression over the enterprises table aliased ``e`` (:data:`FIRMS`, or another alias passed as
``firms``); use it in a Core query::

    select(FIRMS.c.uscc).where(in_cluster("NC2021-02"), has_tag("little_giant"))

or, for a service that still writes its statement as text, as a condition string with its
parameters (:func:`as_sql`).

Rules
-----
``in_region(code)``
    registered in the region: the GB/T 2260 prefix rule of :func:`jiqun.reference.region_prefix`
    (a province covers its prefectures and counties, a prefecture its counties), as a half-open
    range on ``region_code`` so that the index is used.
``has_tag(tag)``
    ``tag`` is one of the ``;``-separated tags of the firm (whole tags, not substrings).
``in_cluster_area(cluster_id)``
    registered in a member region of the cluster — a county counts for its prefecture (first
    four digits + ``00``) — **and** classed in one of its leading industries (GB/T 4754 class).
    This is the statistical cluster: published aggregates use it.
``cluster_area_pairs(*where)``
    every (cluster, firm) pair of ``in_cluster_area`` as one join, for tables over all clusters.
``cluster_member(cluster_id, approved_only=True)``
    listed in ``cluster_members`` for the cluster; by default only approved memberships count
    (one a cluster organisation lists itself widens nobody's view before an admin or the firm
    approves it, :mod:`jiqun.services.memberships`).
``in_cluster(cluster_id, approved_only=True)``
    ``in_cluster_area`` **or** ``cluster_member``: the firms of a cluster for access, digital
    indices and policy rules.
``in_cluster_regions(cluster_id)``
    registered in a member region or in a county or prefecture under one (industry ignored): the
    area a cluster organisation may import member records for.
``clusters_of(uscc)``
    the clusters a firm is in by :func:`in_cluster` (a query of cluster ids).
``granted_to(organisation_id)``
    an active grant (not revoked, not expired) lets the organisation read the firm.
``own_scope(principal)``
    admin: every firm; government: :func:`in_region` of its region; cluster organisation:
    :func:`in_cluster` of its cluster; enterprise: itself; anyone else: none.
``visible_to(principal)``
    :func:`own_scope` or :func:`granted_to` the principal's organisation (admin: every firm).

References
----------
GB/T 2260 (administrative division codes), GB/T 4754-2017 (industry classes); the access rules
in :mod:`jiqun.services.access`; docs/architecture.md ("The boundary").

Example
-------
>>> from sqlalchemy import select
>>> str(select(FIRMS.c.uscc).where(has_tag("srdi"))).split("WHERE ")[1]
"(';' || coalesce(e.tags, '') || ';') LIKE :param_1 ESCAPE '\\\\'"
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.sql.expression import FromClause

from jiqun.reference import region_prefix
from jiqun.services import personal
from jiqun.services.accounts import Principal
from jiqun.standard.schema import TOTAL_INDUSTRY
from jiqun.store.models import (
    Cluster,
    ClusterIndustry,
    ClusterMember,
    ClusterRegion,
    Enterprise,
    Grant,
)

#: the enterprises table aliased ``e``, the alias every condition string of the services uses
FIRMS = Enterprise.__table__.alias("e")

_CR = ClusterRegion.__table__
_CI = ClusterIndustry.__table__
_CM = ClusterMember.__table__
_GRANTS = Grant.__table__

ClusterRef = str | ColumnElement[Any]

#: ``region_stats`` rows of one GB/T 4754 industry, i.e. not the region totals (industry
#: ``_T``, all industries, as the NBS portal and yearbooks publish them). A region × industry
#: matrix, a location quotient or a published table sums industry rows: a total among them
#: would count the region twice. Every such read writes ``WHERE … AND {INDUSTRY_ROWS}``.
INDUSTRY_ROWS = f"industry_code <> '{TOTAL_INDUSTRY}'"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def prefecture_of(region_code: ColumnElement[Any]) -> ColumnElement[Any]:
    """The prefecture code of a region code column: its first four digits + ``00``.

    Literals (not parameters) so that the expression is typed the same on SQLite and PostgreSQL.

    Parameters
    ----------
    region_code:
        A six-digit GB/T 2260 code column.

    Returns
    -------
    ColumnElement
        ``substr(region_code, 1, 4) || '00'``.

    References
    ----------
    GB/T 2260 code structure; 省直辖县 (4190xx) map to 419000 the same way.

    Example
    -------
    >>> str(prefecture_of(FIRMS.c.region_code))
    "substr(e.region_code, 1, 4) || '00'"
    """
    return literal_column(
        f"substr({_render(region_code)}, 1, 4) || '00'", type_=Enterprise.region_code.type
    )


def _province_of(region_code: ColumnElement[Any]) -> ColumnElement[Any]:
    return literal_column(
        f"substr({_render(region_code)}, 1, 2) || '0000'", type_=Enterprise.region_code.type
    )


def _render(col: ColumnElement[Any]) -> str:
    return str(col.compile(compile_kwargs={"literal_binds": True}))


def domestic(*, firms: FromClause = FIRMS) -> ColumnElement[bool]:
    """Firms located in China: a GB/T 2260 region code (six digits), not a foreign supplier's
    ISO country code (``JP``, ``DE`` …, which sort after every digit in SQLite and PostgreSQL).

    Published statistics describe China's regions; a foreign supplier is a node of the supply
    network only (one supplier per country would otherwise be published as a region of its own).

    Example
    -------
    >>> from sqlalchemy import select
    >>> print(select(FIRMS.c.uscc).where(domestic()))  # doctest: +NORMALIZE_WHITESPACE
    SELECT e.uscc FROM enterprises AS e WHERE e.region_code BETWEEN :region_code_1 AND :region_code_2
    """
    return firms.c.region_code.between("100000", "999999")


def in_region(code: str, *, firms: FromClause = FIRMS) -> ColumnElement[bool]:
    """Firms registered in region ``code`` (GB/T 2260 prefix rule).

    Parameters
    ----------
    code:
        A six-digit region code, or a two- or four-digit prefix.
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        ``lo <= e.region_code < hi`` for the prefix's range; false for a code that is not digits.

    References
    ----------
    :func:`jiqun.reference.region_prefix`.

    Example
    -------
    >>> str(in_region("320200"))
    'e.region_code >= :region_code_1 AND e.region_code < :region_code_2'
    """
    pfx = region_prefix(code)
    if not pfx.isdigit() or len(pfx) > 6:
        return false()
    col = firms.c.region_code
    lo = pfx.ljust(6, "0")
    if set(pfx) == {"9"}:  # no next prefix of the same length: no upper bound
        return col >= lo
    hi = str(int(pfx) + 1).zfill(len(pfx)).ljust(6, "0")
    return and_(col >= lo, col < hi)


def has_tag(tag: str, *, firms: FromClause = FIRMS) -> ColumnElement[bool]:
    """Firms whose ``;``-separated ``tags`` contain ``tag`` as a whole tag.

    Parameters
    ----------
    tag:
        One tag of the data standard (``little_giant``, ``single_champion`` ...).
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        ``(';' || COALESCE(e.tags, '') || ';') LIKE '%;tag;%'`` with ``%``, ``_`` escaped.

    References
    ----------
    The ``tags`` field of the unified data standard (:mod:`jiqun.standard.schema`).

    Example
    -------
    >>> has_tag("srdi").compile().params["param_1"]
    '%;srdi;%'
    """
    t = tag.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sep = literal_column("';'", type_=String)
    whole = sep + func.coalesce(firms.c.tags, literal_column("''", type_=String)) + sep
    return whole.like(f"%;{t};%", escape="\\")


def _cluster_value(cluster_id: ClusterRef) -> ColumnElement[Any]:
    if isinstance(cluster_id, str):
        return literal(cluster_id, type_=ClusterRegion.cluster_id.type)
    return cluster_id


def cluster_member(
    cluster_id: ClusterRef, *, approved_only: bool = True, firms: FromClause = FIRMS
) -> ColumnElement[bool]:
    """Firms listed as members of the cluster (``cluster_members``).

    Parameters
    ----------
    cluster_id:
        A cluster id, or a column holding one (to correlate with an outer ``clusters`` row).
    approved_only:
        Count only approved memberships (default); ``False`` also counts pending ones.
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        ``e.uscc IN (SELECT uscc FROM cluster_members WHERE cluster_id = ...)``.

    References
    ----------
    :mod:`jiqun.services.memberships` (approval of memberships).

    Example
    -------
    >>> "cluster_members.status" in str(cluster_member("NC2021-02"))
    True
    """
    cond = [_CM.c.cluster_id == _cluster_value(cluster_id)]
    if approved_only:
        cond.append(_CM.c.status == "approved")
    return firms.c.uscc.in_(select(_CM.c.uscc).where(*cond))


def in_cluster_area(cluster_id: ClusterRef, *, firms: FromClause = FIRMS) -> ColumnElement[bool]:
    """Firms registered in a member region of the cluster (a county counts for its prefecture)
    and classed in one of its leading industries.

    Parameters
    ----------
    cluster_id:
        A cluster id, or a column holding one.
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        The condition (listed members are not added: see :func:`in_cluster`).

    References
    ----------
    ``cluster_regions`` and ``cluster_industries`` of the cluster registry.

    Example
    -------
    >>> "cluster_industries" in str(in_cluster_area("NC2021-02"))
    True
    """
    cid = _cluster_value(cluster_id)
    regions = select(_CR.c.region_code).where(_CR.c.cluster_id == cid)
    industries = select(_CI.c.industry_code).where(_CI.c.cluster_id == cid)
    rc = firms.c.region_code
    return and_(
        or_(rc.in_(regions), prefecture_of(rc).in_(regions)),
        firms.c.industry_code.in_(industries),
    )


def cluster_area_pairs(*where: ColumnElement[bool], firms: FromClause = FIRMS) -> Select[Any]:
    """Every (cluster, firm) pair of :func:`in_cluster_area`, as one join (for tables over many
    clusters at once, where a condition per cluster would be evaluated cluster by cluster).

    Parameters
    ----------
    *where:
        Further conditions on the firms (for example :func:`has_tag`).
    firms:
        The enterprises table or alias the pairs are about.

    Returns
    -------
    Select
        ``SELECT DISTINCT cluster_id, e.uscc`` over member regions × leading industries × firms:
        the firm is registered in the member region or in a county of it (first four digits +
        ``00``) and classed in the leading industry.

    References
    ----------
    :func:`in_cluster_area` (the same rule, one cluster at a time).

    Example
    -------
    >>> "JOIN cluster_industries" in str(cluster_area_pairs(has_tag("little_giant")))
    True
    """
    rc = firms.c.region_code
    return (
        select(_CR.c.cluster_id, firms.c.uscc)
        .select_from(
            _CR.join(_CI, _CI.c.cluster_id == _CR.c.cluster_id).join(
                firms,
                and_(
                    firms.c.industry_code == _CI.c.industry_code,
                    or_(rc == _CR.c.region_code, prefecture_of(rc) == _CR.c.region_code),
                ),
            )
        )
        .where(*where)
        .distinct()
    )


def in_cluster(
    cluster_id: ClusterRef, *, approved_only: bool = True, firms: FromClause = FIRMS
) -> ColumnElement[bool]:
    """The firms of a cluster: :func:`cluster_member` or :func:`in_cluster_area`.

    Parameters
    ----------
    cluster_id:
        A cluster id, or a column holding one (``clusters.c.cluster_id`` to list a firm's
        clusters).
    approved_only:
        Count only approved memberships (default).
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        The condition.

    References
    ----------
    The cluster rule of :mod:`jiqun.services.access` (a cluster organisation's own scope).

    Example
    -------
    >>> from sqlalchemy import select
    >>> "cluster_members" in str(select(FIRMS.c.uscc).where(in_cluster("NC2021-02")))
    True
    """
    return or_(
        cluster_member(cluster_id, approved_only=approved_only, firms=firms),
        in_cluster_area(cluster_id, firms=firms),
    )


def in_cluster_regions(cluster_id: ClusterRef, *, firms: FromClause = FIRMS) -> ColumnElement[bool]:
    """Firms registered in a member region of the cluster or in a prefecture or county under
    one, whatever their industry.

    Parameters
    ----------
    cluster_id:
        A cluster id, or a column holding one.
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        The region code, its prefecture or its province is a member region.

    References
    ----------
    GB/T 2260 code structure.

    Example
    -------
    >>> "cluster_regions" in str(in_cluster_regions("NC2021-02"))
    True
    """
    regions = select(_CR.c.region_code).where(_CR.c.cluster_id == _cluster_value(cluster_id))
    rc = firms.c.region_code
    return or_(rc.in_(regions), prefecture_of(rc).in_(regions), _province_of(rc).in_(regions))


def clusters_of(uscc: str, *, approved_only: bool = True) -> Select[Any]:
    """The clusters a firm belongs to by :func:`in_cluster`, as a query of cluster ids (sorted).

    Parameters
    ----------
    uscc:
        The firm's unified social credit code.
    approved_only:
        Count only approved memberships (default).

    Returns
    -------
    Select
        ``SELECT cluster_id FROM clusters, enterprises e WHERE e.uscc = ... AND in_cluster``.

    References
    ----------
    :func:`in_cluster` (correlated with each ``clusters`` row).

    Example
    -------
    >>> "ORDER BY clusters.cluster_id" in str(clusters_of("91370000728611939A"))
    True
    """
    cl = Cluster.__table__
    return (
        select(cl.c.cluster_id)
        # one firm row against every cluster: an explicit cross join (ON true), not an accident
        .select_from(cl.join(FIRMS, true()))
        .where(FIRMS.c.uscc == uscc, in_cluster(cl.c.cluster_id, approved_only=approved_only))
        .order_by(cl.c.cluster_id)
    )


def granted_to(
    organisation_id: int, *, now: dt.datetime | None = None, firms: FromClause = FIRMS
) -> ColumnElement[bool]:
    """Firms that gave the organisation an active grant (not revoked, not expired at ``now``).

    Parameters
    ----------
    organisation_id:
        The grantee organisation.
    now:
        The moment of the check (naive UTC; default: now).
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        ``e.uscc IN (SELECT uscc FROM grants WHERE ...)``.

    References
    ----------
    :func:`jiqun.services.access.create_grant`.

    Example
    -------
    >>> "grants.revoked_at IS NULL" in str(granted_to(1))
    True
    """
    personal.mark("grants")
    at = now or _now()
    g = _GRANTS.c
    active = select(g.uscc).where(
        g.grantee_organisation_id == organisation_id,
        g.revoked_at.is_(None),
        or_(g.expires_at.is_(None), g.expires_at > at),
    )
    return firms.c.uscc.in_(active)


def own_scope(principal: Principal, *, firms: FromClause = FIRMS) -> ColumnElement[bool]:
    """The firms in the principal's own scope, grants left out.

    Parameters
    ----------
    principal:
        Who is asking.
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        admin: true; government: :func:`in_region` of its region; cluster organisation:
        :func:`in_cluster` of its cluster; enterprise: its own credit code; otherwise false.

    References
    ----------
    :mod:`jiqun.services.access` (the rules per role).

    Example
    -------
    >>> str(own_scope(Principal("f", "enterprise", "91370000728611939A", 3)))
    'e.uscc = :uscc_1'
    """
    role, scope = principal.role, principal.scope
    if role == "admin":
        return true()
    if role == "government" and scope:
        return in_region(scope, firms=firms)
    if role == "cluster" and scope:
        return in_cluster(scope, firms=firms)
    if role == "enterprise" and scope:
        return firms.c.uscc == scope
    return false()


def visible_to(
    principal: Principal, *, now: dt.datetime | None = None, firms: FromClause = FIRMS
) -> ColumnElement[bool]:
    """The firms whose records the principal may read: its own scope, or granted to its
    organisation.

    Parameters
    ----------
    principal:
        Who is asking.
    now:
        The moment grants are checked at (default: now).
    firms:
        The enterprises table or alias the condition is about.

    Returns
    -------
    ColumnElement[bool]
        :func:`own_scope` or :func:`granted_to` (admin: true; the public: false).

    References
    ----------
    :func:`jiqun.services.access.can_see_enterprise` (one firm, audited).

    Example
    -------
    >>> str(visible_to(Principal(None, "public")))
    'false'
    """
    own = own_scope(principal, firms=firms)
    if principal.role == "admin" or principal.is_public or principal.organisation_id is None:
        return own
    return or_(own, granted_to(principal.organisation_id, now=now, firms=firms))


_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def as_sql(condition: ColumnElement[bool], prefix: str = "_p") -> tuple[str, dict[str, Any]]:
    """A condition as a SQL string with named parameters, for services that still write text.

    The string uses the aliases of the expression (``e`` for :data:`FIRMS`) and portable SQL
    (the generic compiler: ``||``, ``substr``, ``LIKE``, ``IN (SELECT ...)``), valid on SQLite
    and PostgreSQL. Parameter names get ``prefix`` so that two conditions compiled with
    different prefixes can share one statement; the condition comes in parentheses, so that it
    can be joined with ``AND`` as it is.

    Parameters
    ----------
    condition:
        A boolean expression from this module (or built from its parts).
    prefix:
        Prepended to every parameter name.

    Returns
    -------
    tuple[str, dict[str, Any]]
        ``(sql, params)`` for :func:`sqlalchemy.text`.

    References
    ----------
    SQLAlchemy, "How do I render SQL expressions as strings?" (the generic ``StrSQLCompiler``).

    Example
    -------
    >>> as_sql(in_region("320200"), "_g")
    ('(e.region_code >= :_gregion_code_1 AND e.region_code < :_gregion_code_2)', \
{'_gregion_code_1': '320200', '_gregion_code_2': '320300'})
    >>> as_sql(true())
    ('1=1', {})
    """
    compiled = condition.compile()
    sql = str(compiled)
    if sql == "true":
        return "1=1", {}
    if sql == "false":
        return "1=0", {}
    params = dict(compiled.params)
    sql = _PARAM.sub(
        lambda m: f":{prefix}{m.group(1)}" if m.group(1) in params else m.group(0), sql
    )
    return f"({sql})", {f"{prefix}{k}": v for k, v in params.items()}
