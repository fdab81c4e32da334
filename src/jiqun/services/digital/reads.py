"""Assessment reads for one principal, each decided and audited here.

The one assessment list (:func:`assessments_for`), one assessment (:func:`assessment_for`) and its
gap analysis (:func:`gap_for`) behind the web page, the REST API and the CLI, and
:func:`assessment_owner`, the firm of an assessment once the principal may read or change it
(:mod:`jiqun.services.access`).

References
----------
``docs/digital.md``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from jiqun.services import access, predicates
from jiqun.services.accounts import Principal
from jiqun.services.digital.assessments import SavedAssessment, assessment_query, load_assessment
from jiqun.services.digital.gap import AssessmentGap, assessment_gap
from jiqun.services.paging import page_frame
from jiqun.store.db import get_engine
from jiqun.store.models import DigitalAssessment, table_of

_T = table_of(DigitalAssessment)


def assessment_owner(
    principal: Principal,
    assessment_id: int,
    *,
    write: bool = False,
    engine: Engine | None = None,
    client: str | None = None,
) -> str:
    """The firm a stored assessment is about, once ``principal`` may read (or, with ``write``,
    change) it.

    Parameters
    ----------
    principal:
        Who is asking.
    assessment_id:
        The assessment's id.
    write:
        Ask for the right to change it (owner enterprise, admin) instead of reading it.
    engine:
        Database (default: the configured one).
    client:
        The caller's address, for the audit log (reads through a grant).

    Returns
    -------
    str
        The firm's credit code.

    Raises
    ------
    jiqun.services.access.AccessDenied
        401 for the public; 403 for a reader asking to write.
    jiqun.services.access.NotFound
        For an unknown id, or a firm the principal may not see (existence does not leak).

    References
    ----------
    :func:`jiqun.services.access.require_assessment` (the rule).

    Example
    -------
    >>> assessment_owner(access.local_principal(), 1)  # doctest: +SKIP
    '91370000728611939A'
    """
    engine = engine or get_engine()
    uscc = _firm_of(principal, assessment_id, engine)
    access.require_assessment(principal, uscc, write=write, engine=engine, client=client)
    return uscc


def _firm_of(principal: Principal, assessment_id: int, engine: Engine) -> str:
    """The firm of assessment ``assessment_id``, before any rule about the principal: 401 for
    the public, 404 for an unknown id."""
    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    uscc = None
    if 1 <= int(assessment_id) < 2**31:
        with engine.connect() as c:
            uscc = c.execute(select(_T.c.uscc).where(_T.c.id == int(assessment_id))).scalar()
    if uscc is None:
        raise access.NotFound("找不到该评测", "no such assessment")
    return str(uscc)


def require_assessor(principal: Principal, uscc: str) -> None:
    """403 unless ``principal`` may fill in a new assessment for the firm ``uscc`` (the firm
    itself or an admin: :func:`jiqun.services.access.can_assess`).

    Example: ``require_assessor(access.local_principal(), "91370000728611939A")``.
    """
    if not access.can_assess(principal, uscc):
        raise access.AccessDenied(
            "只有企业本身或管理员可以为该企业填写数字化评测",
            "only the enterprise itself or an admin may assess this firm",
        )


def audit_write(
    principal: Principal,
    action: str,
    a: SavedAssessment,
    client: str | None = None,
    engine: Engine | None = None,
) -> None:
    """One audit entry for an assessment just saved (``action``: create, update, save,
    submit), on the firm, with the assessment's id and status.

    Example: ``audit_write(p, "assessment_create", saved)``.
    """
    access.audit(
        principal,
        action,
        f"enterprise:{a.uscc}",
        detail={"assessment_id": a.id, "status": a.status},
        client=client,
        engine=engine,
    )


def assessments_for(
    principal: Any,
    uscc: str | None = None,
    framework: str | None = None,
    status: str | None = None,
    limit: int | None = 50,
    engine: Engine | None = None,
    client: str | None = None,
    offset: int = 0,
    sort: str | None = None,
) -> tuple[pd.DataFrame, int]:
    """Stored assessments one reader may see (without answers), newest first; audited.

    The one assessment list (scores and levels of named firms) behind the web page, the REST
    API and the CLI: an admin sees all; an enterprise its own firm's; a government or cluster
    organisation those of the firms it may read (own scope or an active grant). The read is
    ONE audit entry (``list_assessments``) naming the firms listed and the filters.

    Parameters
    ----------
    principal: the reader (the CLI passes :func:`jiqun.services.access.local_principal`).
    uscc, framework, status: optional filters.
    limit: rows of the page (``None``: every row, as for a download).
    engine: the database.
    client: the client address for the audit entry.
    offset, sort: the page and its order (a column, ``-`` for descending; default newest
        first).

    Returns
    -------
    (rows, total)
        The columns of :func:`list_assessments`; ``total`` before paging. The audit entry
        names exactly the firms of ``rows``.

    Example
    -------
    >>> assessments_for(access.local_principal(), status="submitted")  # doctest: +SKIP
    """
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    engine = engine or get_engine()
    if principal.role == "enterprise":
        if uscc not in (None, "", principal.scope):
            raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        uscc = principal.scope
    q = assessment_query(uscc, framework, status)
    if principal.role in ("government", "cluster"):
        e = predicates.FIRMS
        q = q.where(_T.c.uscc.in_(select(e.c.uscc).where(predicates.visible_to(principal))))
    with engine.connect() as c:
        df = pd.read_sql(q, c)
    # without ``sort``: newest first, as the query orders them
    df, total = page_frame(df, sort, None, limit, offset)
    access.audit_read(
        principal,
        "list_assessments",
        df["uscc"].tolist(),
        resource="digital_assessments",
        params={
            "uscc": uscc,
            "framework": framework,
            "status": status,
            "limit": limit,
            "offset": offset,
            "sort": sort,
        },
        client=client,
        engine=engine,
    )
    return df, total


def _reader_basis(principal: Any, assessment_id: int, engine: Engine) -> tuple[str, dict[str, Any]]:
    """(the firm, why the principal may read its assessment ``assessment_id``); 401 for the
    public, 404 when absent or not readable (existence does not leak)."""
    uscc = _firm_of(principal, assessment_id, engine)
    if access.can_assess(principal, uscc):
        return uscc, {"via": "own"}
    basis = None
    if principal.role in ("government", "cluster"):
        basis = access.read_basis(principal, uscc, engine)
    if basis is None:
        raise access.NotFound("找不到该评测", "no such assessment")
    return uscc, basis


def _audit_read_of(
    principal: Any,
    action: str,
    assessment_id: int,
    firms: list[str],
    basis: dict[str, Any],
    params: dict[str, Any],
    client: str | None,
    engine: Engine,
) -> None:
    """ONE audit entry ``action`` for a read of assessment ``assessment_id``: the firms it
    names (its own first), the basis of the read (:func:`_reader_basis`) and the query."""
    access.audit_read(
        principal,
        action,
        firms,
        resource=f"assessment:{assessment_id}",
        params={"assessment_id": assessment_id, **params},
        detail=basis,
        client=client,
        engine=engine,
    )


def assessment_for(
    principal: Any,
    assessment_id: int,
    engine: Engine | None = None,
    client: str | None = None,
) -> SavedAssessment:
    """One stored assessment (a firm's score and level) for one reader; audited.

    The owner enterprise and an admin may read it; a government or cluster organisation that
    may read the firm (own scope or an active grant). ONE audit entry (``read_assessment``)
    naming the firm and the basis of the read.

    Parameters
    ----------
    principal: the reader (the CLI passes :func:`jiqun.services.access.local_principal`).
    assessment_id: the assessment.
    engine: the database.
    client: the client address for the audit entry.

    Returns
    -------
    SavedAssessment

    Example
    -------
    >>> assessment_for(access.local_principal(), 1).level  # doctest: +SKIP
    """
    engine = engine or get_engine()
    uscc, basis = _reader_basis(principal, assessment_id, engine)
    a = load_assessment(assessment_id, engine)
    _audit_read_of(principal, "read_assessment", assessment_id, [uscc], basis, {}, client, engine)
    return a


def gap_for(
    principal: Any,
    assessment_id: int,
    cluster: str | None = None,
    engine: Engine | None = None,
    client: str | None = None,
) -> AssessmentGap:
    """:func:`assessment_gap` for one reader (who may read the assessment); ONE audit entry
    (``read_assessment_gap``) naming the firm and the chain leaders it is compared with.

    Parameters
    ----------
    principal: the reader.
    assessment_id, cluster: as for :func:`assessment_gap`.
    engine: the database.
    client: the client address for the audit entry.

    Returns
    -------
    AssessmentGap

    Example
    -------
    >>> gap_for(access.local_principal(), 1).next_level  # doctest: +SKIP
    """
    engine = engine or get_engine()
    uscc, basis = _reader_basis(principal, assessment_id, engine)
    g = assessment_gap(assessment_id, cluster, engine, principal=principal, client=client)
    firms = [uscc, *(g.leader_usccs or [])]
    _audit_read_of(
        principal,
        "read_assessment_gap",
        assessment_id,
        firms,
        basis,
        {"cluster": cluster},
        client,
        engine,
    )
    return g
