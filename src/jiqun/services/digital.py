"""Digital-transformation services: stored self-assessments, gap analysis, cluster index, demo.

The database side of :mod:`jiqun.digital`. Assessments live in ``digital_assessments``
(migration 0003): one row per questionnaire, ``status`` ``draft`` (partial, resumable) or
``submitted`` (complete; no longer editable), the answers as JSON text, and the MIIT total and
level recomputed from the answers on every save (never trusted from the caller).

* :func:`save_assessment`, :func:`update_assessment` (resume a draft), :func:`load_assessment`,
  :func:`list_assessments`;
* :func:`assessment_gap` — next level and the cluster's chain leaders (their mean answers);
* :func:`cluster_index` — levels and scores per cluster, segment, size band, leaders vs SMEs;
* :func:`generate_demo_assessments` — a seeded synthetic set for the demo firms.

Cluster membership is :func:`jiqun.services.predicates.in_cluster` (as for access): a firm
belongs to a cluster when it is an approved member in ``cluster_members``, or when it sits in a
member region (or a county of one) **and** works in one of the cluster's leading industries. Chain leaders: the ``chain_leader`` firm tag (enterprises
``tags``, ``;``-separated) or the ``chain_leader`` member role.

References
----------
METHODS.md §7; ``docs/digital.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, bindparam, delete, select, text

from jiqun.analytics.disclosure import MIN_COUNT
from jiqun.analytics.viewer_disclosure import SUPPRESSED_LABEL, protect_rows
from jiqun.digital.frameworks import (
    Framework,
    Gbt39116Framework,
    MiitFramework,
    framework_id,
    load_framework,
)
from jiqun.digital.gap import NextLevelGap, PeerGap, gap_to_next_level, gap_to_peers
from jiqun.digital.index import DigitalIndex, digital_index
from jiqun.digital.scoring import (
    MaturityResult,
    MiitResult,
    score_answers,
    validate_answers,
)
from jiqun.services import access, predicates
from jiqun.services.accounts import Principal
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.standard.codes import check_uscc
from jiqun.standard.normalize import norm_uscc
from jiqun.standard.problems import JiqunError, Problem
from jiqun.standard.schema import TAGS
from jiqun.standard.writer import write_table
from jiqun.store.db import get_engine
from jiqun.store.models import DigitalAssessment

__all__ = [
    "AssessmentGap",
    "SavedAssessment",
    "assessment_for",
    "assessment_gap",
    "assessments_for",
    "cluster_firms",
    "cluster_index",
    "firm_clusters",
    "gap_for",
    "generate_demo_assessments",
    "list_assessments",
    "load_assessment",
    "save_assessment",
    "update_assessment",
    "write_digital_output",
]

_T = DigitalAssessment.__table__

#: how many top-revenue firms stand for the chain leaders when the tag does not exist
REVENUE_RANK_LEADERS = 3


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# stored assessments
# ---------------------------------------------------------------------------------------------


@dataclass
class SavedAssessment:
    """A stored assessment with its freshly computed result."""

    id: int
    uscc: str
    framework: str
    edition: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    synthetic: bool
    result: MiitResult | MaturityResult
    firm_name: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (result included)."""
        return {
            "id": self.id,
            "uscc": self.uscc,
            "firm_name": self.firm_name,
            "framework": self.framework,
            "edition": self.edition,
            "status": self.status,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "updated_at": self.updated_at.isoformat(timespec="seconds"),
            "synthetic": self.synthetic,
            "result": self.result.as_dict(),
            "notes": self.notes,
        }


def _check_uscc(uscc: str) -> tuple[str, list[str]]:
    r = norm_uscc(uscc)
    if not r.ok or not r.value:
        raise JiqunError(
            f"统一社会信用代码无效：{uscc!r}", f"invalid unified social credit code: {uscc!r}"
        )
    code = str(r.value)
    findings = check_uscc(code)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise JiqunError(
            f"统一社会信用代码 {code} 无效",
            f"the unified social credit code {code} is invalid",
            problems=[f.to_problem(None, "uscc", code) for f in errors],
        )
    return code, [f"{f.message_zh} / {f.message_en}" for f in findings]


def _missing_error(fw: Framework, missing: list[str]) -> JiqunError:
    probs = []
    for k in missing:
        if isinstance(fw, MiitFramework):
            name = fw.item(k).name_zh if k in fw.item_ids else fw.scene(k).name_zh
        else:
            name = fw.subdomain(k).name_zh
        probs.append(
            Problem(
                None,
                k,
                "",
                "digital.answer.missing",
                "error",
                f"「{name}」({k}) 尚未作答，不能提交",
                f"{k} ({name}) is not answered yet: cannot submit",
            )
        )
    return JiqunError(
        f"问卷还有 {len(missing)} 项未答，不能提交（可先保存为草稿）",
        f"{len(missing)} item(s) are unanswered: cannot submit (save as a draft first)",
        problems=probs,
    )


def _status(result: MiitResult | MaturityResult, submit: bool | None, fw: Framework) -> str:
    if submit is True and not result.complete:
        raise _missing_error(fw, result.missing)
    if submit is False:
        return "draft"
    return "submitted" if result.complete else "draft"


def _firm_name(engine: Engine, uscc: str) -> str | None:
    with engine.connect() as c:
        return c.execute(text("SELECT name FROM enterprises WHERE uscc = :u"), {"u": uscc}).scalar()


def save_assessment(
    uscc: str,
    answers: dict[str, Any],
    framework: str = "miit2024",
    *,
    submit: bool | None = None,
    synthetic: bool = False,
    engine: Engine | None = None,
) -> SavedAssessment:
    """Validate, score and store a new assessment (complete or a draft).

    Rule: the answers are validated (one problem per bad item) and scored by
    :func:`jiqun.digital.scoring.score_answers`; the status is ``submitted`` when the
    questionnaire is complete and ``draft`` otherwise (``submit=True`` refuses an incomplete
    one, listing every unanswered item; ``submit=False`` keeps a complete one as a draft). The
    stored ``score``/``level`` are recomputed here, never taken from the caller.

    Parameters
    ----------
    uscc:
        The firm's unified social credit code (format checked; a checksum warning is noted).
    answers:
        Raw answers (see :func:`jiqun.digital.scoring.validate_answers`).
    framework:
        ``miit2024`` or ``gbt39116``.
    submit:
        ``None`` = automatic, ``True`` = must be complete, ``False`` = keep as draft.
    synthetic:
        Mark the row as demo data.
    engine:
        Database (default: the configured one).

    Returns
    -------
    SavedAssessment

    Raises
    ------
    JiqunError
        Invalid USCC or answers, or ``submit=True`` with unanswered items.

    References
    ----------
    METHODS.md §7; ``docs/digital.md``.

    Example
    -------
    >>> s = save_assessment("91370000728611939A", {"network": ["A"]})  # doctest: +SKIP
    >>> s.status, s.result.total  # doctest: +SKIP
    ('draft', 2.0)
    """
    engine = engine or get_engine()
    fw = load_framework(framework)
    code, notes = _check_uscc(uscc)
    result = score_answers(fw, answers)
    status = _status(result, submit, fw)
    now = _now()
    with engine.begin() as c:
        new_id = c.execute(
            _T.insert().returning(_T.c.id),
            {
                "uscc": code,
                "framework": fw.id,
                "edition": fw.edition,
                "answers": json.dumps(result.answers, ensure_ascii=False),
                "status": status,
                "score": result.score,
                "level": result.level,
                "created_at": now,
                "updated_at": now,
                "synthetic": synthetic,
            },
        ).scalar_one()
    name = _firm_name(engine, code)
    if name is None:
        notes.append(
            f"企业库中没有 {code}（评测已保存） / {code} is not in the enterprise registry "
            "(the assessment is saved)"
        )
    return SavedAssessment(
        int(new_id), code, fw.id, fw.edition, status, now, now, synthetic, result, name, notes
    )


def _row(engine: Engine, assessment_id: int) -> dict[str, Any]:
    with engine.connect() as c:
        r = c.execute(select(_T).where(_T.c.id == int(assessment_id))).mappings().first()
    if r is None:
        raise JiqunError(
            f"没有编号为 {assessment_id} 的评测", f"there is no assessment with id {assessment_id}"
        )
    return dict(r)


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
    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    if not 1 <= int(assessment_id) < 2**31:
        raise access.NotFound("找不到该评测", "no such assessment")
    engine = engine or get_engine()
    with engine.connect() as c:
        uscc = c.execute(select(_T.c.uscc).where(_T.c.id == int(assessment_id))).scalar()
    if uscc is None:
        raise access.NotFound("找不到该评测", "no such assessment")
    access.require_assessment(principal, str(uscc), write=write, engine=engine, client=client)
    return str(uscc)


def load_assessment(assessment_id: int, engine: Engine | None = None) -> SavedAssessment:
    """Load a stored assessment and rescore it from its answers.

    Parameters
    ----------
    assessment_id:
        The id shown when it was saved.
    engine:
        Database (default: the configured one).

    Returns
    -------
    SavedAssessment
        ``result.missing`` lists what a draft still needs.

    Raises
    ------
    JiqunError
        Unknown id.

    References
    ----------
    :func:`save_assessment`.

    Example
    -------
    >>> load_assessment(1).status  # doctest: +SKIP
    'draft'
    """
    engine = engine or get_engine()
    r = _row(engine, assessment_id)
    fw = load_framework(r["framework"])
    if r["edition"] != fw.edition:
        raise JiqunError(
            f"评测 {assessment_id} 使用 {r['framework']} {r['edition']} 版，当前载入的是 "
            f"{fw.edition} 版",
            f"assessment {assessment_id} uses edition {r['edition']} of {r['framework']}; "
            f"the loaded edition is {fw.edition}",
        )
    result = score_answers(fw, json.loads(r["answers"]))
    notes = [f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}"] if r["synthetic"] else []
    return SavedAssessment(
        int(r["id"]),
        r["uscc"],
        r["framework"],
        r["edition"],
        r["status"],
        r["created_at"],
        r["updated_at"],
        bool(r["synthetic"]),
        result,
        _firm_name(engine, r["uscc"]),
        notes,
    )


def update_assessment(
    assessment_id: int,
    answers: dict[str, Any] | None = None,
    *,
    submit: bool | None = None,
    clear: list[str] | None = None,
    engine: Engine | None = None,
) -> SavedAssessment:
    """Resume a draft: merge new answers into it, rescore and save.

    Rule: the stored answers are updated key by key with the new non-blank answers (a key may
    be an id or a Chinese name); ``clear`` removes answers; the merged set is validated and
    scored again. A submitted assessment cannot be changed (start a new one), so the stored
    result of a submission is what was submitted.

    Parameters
    ----------
    assessment_id:
        The draft's id.
    answers:
        New answers (raw).
    submit:
        As in :func:`save_assessment`.
    clear:
        Ids whose answers are removed.
    engine:
        Database (default: the configured one).

    Returns
    -------
    SavedAssessment

    Raises
    ------
    JiqunError
        Unknown id, a submitted assessment, invalid answers, or ``submit=True`` while items are
        unanswered.

    References
    ----------
    :func:`save_assessment`.

    Example
    -------
    >>> update_assessment(1, {"设备联网": 45}, submit=False).status  # doctest: +SKIP
    'draft'
    """
    engine = engine or get_engine()
    r = _row(engine, assessment_id)
    if r["status"] == "submitted":
        raise JiqunError(
            f"评测 {assessment_id} 已提交，不能修改；请新建一份评测",
            f"assessment {assessment_id} is submitted and cannot be changed; start a new one",
        )
    fw = load_framework(r["framework"])
    merged: dict[str, Any] = dict(json.loads(r["answers"]))
    new = validate_answers(fw, answers or {})
    merged.update(new)
    for k in clear or []:
        rid = fw.resolve_key(k)
        if rid is None:
            raise JiqunError(f"没有题目 {k!r}", f"there is no item {k!r}")
        merged.pop(rid, None)
    result = score_answers(fw, merged)
    status = _status(result, submit, fw)
    now = _now()
    with engine.begin() as c:
        c.execute(
            _T.update()
            .where(_T.c.id == int(assessment_id))
            .values(
                answers=json.dumps(result.answers, ensure_ascii=False),
                status=status,
                score=result.score,
                level=result.level,
                updated_at=now,
            )
        )
    return load_assessment(assessment_id, engine)


def list_assessments(
    uscc: str | None = None,
    framework: str | None = None,
    status: str | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Stored assessments (without answers), newest first.

    Parameters
    ----------
    uscc, framework, status:
        Optional filters.
    engine:
        Database (default: the configured one).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``uscc``, ``framework``, ``edition``, ``status``, ``score``, ``level``,
        ``created_at``, ``updated_at``, ``synthetic``.

    References
    ----------
    :func:`save_assessment`.

    Example
    -------
    >>> list_assessments(status="draft")  # doctest: +SKIP
    """
    engine = engine or get_engine()
    q = select(
        _T.c.id,
        _T.c.uscc,
        _T.c.framework,
        _T.c.edition,
        _T.c.status,
        _T.c.score,
        _T.c.level,
        _T.c.created_at,
        _T.c.updated_at,
        _T.c.synthetic,
    ).order_by(_T.c.updated_at.desc(), _T.c.id.desc())
    if uscc:
        q = q.where(_T.c.uscc == uscc)
    if framework:
        q = q.where(_T.c.framework == framework_id(framework))
    if status:
        q = q.where(_T.c.status == status)
    with engine.connect() as c:
        return pd.read_sql(q, c)


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
    from jiqun.services import access
    from jiqun.services.paging import page_frame

    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    engine = engine or get_engine()
    if principal.role == "enterprise":
        if uscc not in (None, "", principal.scope):
            raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        uscc = principal.scope
    q = select(
        _T.c.id,
        _T.c.uscc,
        _T.c.framework,
        _T.c.edition,
        _T.c.status,
        _T.c.score,
        _T.c.level,
        _T.c.created_at,
        _T.c.updated_at,
        _T.c.synthetic,
    ).order_by(_T.c.updated_at.desc(), _T.c.id.desc())
    if uscc:
        q = q.where(_T.c.uscc == uscc)
    if framework:
        q = q.where(_T.c.framework == framework_id(framework))
    if status:
        q = q.where(_T.c.status == status)
    if principal.role in ("government", "cluster"):
        e = predicates.FIRMS
        q = q.where(_T.c.uscc.in_(select(e.c.uscc).where(predicates.visible_to(principal))))
    with engine.connect() as c:
        df = pd.read_sql(q, c)
    if sort:
        df, total = page_frame(df, sort, "id", limit, offset)
    else:  # newest first, as the query orders them
        total = len(df)
        if limit is not None:
            df = df.iloc[max(0, offset) : max(0, offset) + max(0, limit)].reset_index(drop=True)
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
    from jiqun.services import access

    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    with engine.connect() as c:
        uscc = c.execute(select(_T.c.uscc).where(_T.c.id == assessment_id)).scalar()
    missing = access.NotFound("找不到该评测", "no such assessment")
    if uscc is None:
        raise missing
    if access.can_assess(principal, uscc):
        return str(uscc), {"via": "own"}
    basis = None
    if principal.role in ("government", "cluster"):
        basis = access.read_basis(principal, str(uscc), engine)
    if basis is None:
        raise missing
    return str(uscc), basis


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
    from jiqun.services import access

    engine = engine or get_engine()
    uscc, basis = _reader_basis(principal, assessment_id, engine)
    a = load_assessment(assessment_id, engine)
    access.audit_read(
        principal,
        "read_assessment",
        [uscc],
        resource=f"assessment:{assessment_id}",
        params={"assessment_id": assessment_id},
        detail=basis,
        client=client,
        engine=engine,
    )
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
    from jiqun.services import access

    engine = engine or get_engine()
    uscc, basis = _reader_basis(principal, assessment_id, engine)
    g = assessment_gap(assessment_id, cluster, engine, principal=principal, client=client)
    access.audit_read(
        principal,
        "read_assessment_gap",
        [uscc, *(g.leader_usccs or [])],
        resource=f"assessment:{assessment_id}",
        params={"assessment_id": assessment_id, "cluster": cluster},
        detail=basis,
        client=client,
        engine=engine,
    )
    return g


# ---------------------------------------------------------------------------------------------
# clusters, leaders
# ---------------------------------------------------------------------------------------------


def _has_tag(tags: object, tag: str) -> bool:
    return isinstance(tags, str) and tag in {t.strip() for t in tags.split(";")}


def cluster_firms(cluster_id: str, engine: Engine | None = None) -> pd.DataFrame:
    """The firms of a cluster, with the chain-leader flag.

    Rule: member of ``cluster_members``, or in a member region (or one of its counties) and in
    a leading industry (the rule of :mod:`jiqun.services.access`). ``is_leader``: tag
    ``chain_leader`` in ``tags`` or member role ``chain_leader`` (when the tag exists in
    :data:`jiqun.standard.schema.TAGS`); otherwise the :data:`REVENUE_RANK_LEADERS` largest
    firms by revenue.

    Parameters
    ----------
    cluster_id:
        The cluster.
    engine:
        Database (default: the configured one).

    Returns
    -------
    pandas.DataFrame
        ``uscc``, ``name``, ``region_code``, ``industry_code``, ``employees``, ``revenue``,
        ``tags``, ``business_scope``, ``synthetic``, ``is_leader``; ``attrs["leader_basis"]``
        = ``"tag"`` or ``"revenue_rank"``.

    Raises
    ------
    JiqunError
        Unknown cluster.

    References
    ----------
    GLOSSARY.md (``chain_leader`` only as listed by government).

    Example
    -------
    >>> cluster_firms("NC2021-01")["is_leader"].sum()  # doctest: +SKIP
    2
    """
    engine = engine or get_engine()
    inside, inside_params = predicates.as_sql(predicates.in_cluster(cluster_id), "_in")
    with engine.connect() as c:
        known = c.execute(
            text("SELECT name FROM clusters WHERE cluster_id = :cid"), {"cid": cluster_id}
        ).scalar()
        if known is None:
            raise JiqunError(f"未知的集群编号：{cluster_id}", f"unknown cluster id: {cluster_id}")
        f = pd.read_sql(
            text(
                "SELECT e.uscc, e.name, e.region_code, e.industry_code, e.employees, e.revenue, "
                "e.tags, e.business_scope, e.synthetic, "
                "(SELECT MAX(m.role) FROM cluster_members m WHERE m.uscc = e.uscc AND "
                "m.cluster_id = :cid AND m.role = 'chain_leader') AS member_role "
                f"FROM enterprises e WHERE {inside}"
            ),
            c,
            params={"cid": cluster_id, **inside_params},
        )
    if "chain_leader" in TAGS:
        f["is_leader"] = [
            _has_tag(t, "chain_leader") or r == "chain_leader"
            for t, r in zip(f["tags"], f["member_role"], strict=True)
        ]
        f.attrs["leader_basis"] = "tag"
    else:  # pragma: no cover - the tag exists in the current standard
        top = f["revenue"].rank(ascending=False, method="first") <= REVENUE_RANK_LEADERS
        f["is_leader"] = top.fillna(False).to_numpy()
        f.attrs["leader_basis"] = "revenue_rank"
    f["synthetic"] = f["synthetic"].astype(bool)
    f.attrs["cluster_name"] = known
    return f.drop(columns=["member_role"])


def _leader_basis(basis: str) -> tuple[str, str]:
    if basis == "tag":
        return (
            "链主企业 = 企业标签 chain_leader（政府公布名单）或集群成员角色 chain_leader",
            "chain leaders = firms tagged chain_leader (as listed by government) or with the "
            "cluster member role chain_leader",
        )
    return (
        f"标准中没有 chain_leader 标签：以集群内营业收入前 {REVENUE_RANK_LEADERS} 名代替",
        f"the standard has no chain_leader tag: the {REVENUE_RANK_LEADERS} largest firms by "
        "revenue stand in",
    )


def firm_clusters(uscc: str, engine: Engine | None = None) -> list[str]:
    """Clusters a firm belongs to (same rule as :func:`cluster_firms`), sorted.

    Parameters
    ----------
    uscc:
        The firm.
    engine:
        Database (default: the configured one).

    Returns
    -------
    list[str]
        Cluster ids.

    References
    ----------
    :func:`cluster_firms`.

    Example
    -------
    >>> firm_clusters("91370000728611939A")  # doctest: +SKIP
    ['NC2021-05']
    """
    engine = engine or get_engine()
    q = predicates.clusters_of(uscc)
    with engine.connect() as c:
        return [r[0] for r in c.execute(q)]


def _latest_submitted(engine: Engine, usccs: list[str], framework: str) -> pd.DataFrame:
    """Latest submitted assessment per firm (by updated_at, then id)."""
    if not usccs:
        return pd.DataFrame(columns=["id", "uscc", "answers", "score", "level", "synthetic"])
    out = []
    with engine.connect() as c:
        for k in range(0, len(usccs), 900):
            q = text(
                "SELECT id, uscc, answers, score, level, synthetic, updated_at "
                "FROM digital_assessments WHERE framework = :fw AND status = 'submitted' "
                "AND uscc IN :us"
            ).bindparams(bindparam("us", expanding=True))
            out.append(pd.read_sql(q, c, params={"fw": framework, "us": usccs[k : k + 900]}))
    df = pd.concat(out, ignore_index=True)
    df = df.sort_values(["uscc", "updated_at", "id"]).drop_duplicates("uscc", keep="last")
    df["synthetic"] = df["synthetic"].astype(bool)
    return df.reset_index(drop=True)


@dataclass
class AssessmentGap:
    """Gap analysis of one stored assessment (see :func:`assessment_gap`)."""

    assessment: SavedAssessment
    next_level: NextLevelGap
    leaders: PeerGap | None
    clusters: list[str]
    leader_usccs: list[str]
    leader_basis_zh: str
    leader_basis_en: str
    synthetic: bool
    notes: list[str] = field(default_factory=list)


def assessment_gap(
    assessment_id: int,
    cluster_id: str | None = None,
    engine: Engine | None = None,
    *,
    principal: Principal | None = None,
    client: str | None = None,
) -> AssessmentGap:
    """Gap analysis and roadmap: against the next level and against the cluster's chain leaders.

    Rule: next level — :func:`jiqun.digital.gap.gap_to_next_level`. Leaders — the latest
    submitted assessment (same framework) of every chain leader of the cluster (``cluster_id``,
    or every cluster the firm belongs to), the firm itself excluded;
    :func:`jiqun.digital.gap.gap_to_peers` compares with their mean answers. When the firm is in
    no cluster, or no leader has a submitted assessment, ``leaders`` is ``None`` or empty and
    ``notes`` says why.

    Parameters
    ----------
    assessment_id:
        The assessment.
    cluster_id:
        Compare with this cluster's leaders (default: the firm's clusters).
    engine:
        Database (default: the configured one).
    principal:
        The viewer. The leaders' mean is an aggregate of their assessments: when fewer than 3
        leaders have a submitted assessment and the viewer may not read them all, the
        comparison is withheld (``leaders`` ``None``, a note says why) — the threshold rule of
        disclosure control. ``None`` (the local operator, CLI) and an admin always see it.
    client:
        The viewer's address for the audit log.

    Returns
    -------
    AssessmentGap

    References
    ----------
    METHODS.md §7; PRODUCT.md (chain leaders lead the digital upgrading, SMEs follow).

    Example
    -------
    >>> g = assessment_gap(1)  # doctest: +SKIP
    >>> g.next_level.roadmap[["action_zh", "gain"]]  # doctest: +SKIP
    """
    engine = engine or get_engine()
    a = load_assessment(assessment_id, engine)
    fw = load_framework(a.framework)
    nxt = gap_to_next_level(fw, a.result)
    notes: list[str] = list(a.notes)
    clusters = [cluster_id] if cluster_id else firm_clusters(a.uscc, engine)
    leaders: PeerGap | None = None
    withheld = False
    leader_usccs: list[str] = []
    basis = "tag" if "chain_leader" in TAGS else "revenue_rank"
    synthetic = a.synthetic
    if not clusters:
        notes.append(
            f"企业 {a.uscc} 不属于任何集群（可用 --cluster 指定）：未与链主比较 / firm {a.uscc} "
            "belongs to no cluster (give --cluster): no comparison with chain leaders"
        )
    else:
        for cid in clusters:
            f = cluster_firms(cid, engine)
            basis = str(f.attrs.get("leader_basis", basis))
            leader_usccs += [u for u in f.loc[f["is_leader"], "uscc"] if u != a.uscc]
        leader_usccs = sorted(set(leader_usccs))
        if not leader_usccs:
            notes.append(
                "集群 "
                + "、".join(clusters)
                + " 中没有链主企业 / no chain leaders in cluster(s) "
                + ", ".join(clusters)
            )
        latest = _latest_submitted(engine, leader_usccs, fw.id)
        if principal is not None and principal.role != "admin" and 0 < len(latest) < MIN_COUNT:
            seen, _n = access.visible_rows(principal, latest[["uscc"]], "uscc", engine, client)
            if len(seen) < len(latest):
                # the mean of one or two leaders' answers is their answers
                latest = latest.iloc[:0]
                notes.append(
                    f"已提交评测的链主企业少于 {MIN_COUNT} 家，且您无权查看其评测：按披露控制规则"
                    f"不显示与链主的比较 / fewer than {MIN_COUNT} chain leaders have a submitted "
                    "assessment and you may not read them all: the comparison is withheld "
                    "(disclosure control)"
                )
                withheld = True
        peers = [json.loads(s) for s in latest["answers"]]
        synthetic = synthetic or bool(latest["synthetic"].any())
        leaders = None if withheld else gap_to_peers(fw, a.result, peers)
        if leader_usccs and not peers and leaders is not None:
            leaders.notes.append(
                f"集群 {'、'.join(clusters)} 的 {len(leader_usccs)} 家链主企业都还没有已提交的"
                f"{fw.name_zh}评测 / none of the {len(leader_usccs)} chain leaders of "
                f"{', '.join(clusters)} has a submitted {fw.id} assessment"
            )
        if len(clusters) > 1:
            notes.append(
                "企业属于多个集群，链主为各集群链主的并集："
                + "、".join(clusters)
                + " / the firm is in several clusters; the leaders of all are pooled: "
                + ", ".join(clusters)
            )
    lz, le = _leader_basis(basis)
    if synthetic and not any(SYNTHETIC_NOTE_ZH in n for n in notes):
        notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    return AssessmentGap(a, nxt, leaders, clusters, leader_usccs, lz, le, synthetic, notes)


# ---------------------------------------------------------------------------------------------
# cluster digital index
# ---------------------------------------------------------------------------------------------


def _segments(
    engine: Engine, cluster_id: str, firms: pd.DataFrame, chain: str | None
) -> tuple[pd.Series, dict[str, str], str, str, list[str]]:
    """Segment(s) per firm: chain template mapping if available, else industry division."""
    notes: list[str] = []
    try:
        from jiqun.chains import get_template, load_templates, map_firms
    except ImportError:  # pragma: no cover - depends on the chains package being installed
        get_template = load_templates = map_firms = None  # type: ignore[assignment]
    template = None
    if load_templates is not None:
        if chain:
            template = get_template(chain)
        else:
            with engine.connect() as c:
                lead = {
                    r[0]
                    for r in c.execute(
                        text("SELECT industry_code FROM cluster_industries WHERE cluster_id = :c"),
                        {"c": cluster_id},
                    )
                }
            best, best_n = None, 0
            for t in load_templates().values():
                n = len(lead & {code for s in t.segments for code in s.codes})
                if n > best_n:
                    best, best_n = t, n
            template = best
    if template is not None and map_firms is not None:
        m = map_firms(firms[["uscc", "industry_code", "business_scope"]], template)
        seg = m.groupby("uscc")["segment"].agg(list)
        labels = {s.id: f"{s.name_zh} {s.name_en}" for s in template.segments}
        return (
            firms["uscc"].map(seg),
            labels,
            f"产业链环节：模板 {template.id}（{template.name_zh}），按 jiqun.chains.map_firms "
            "（行业代码、经营范围关键词）映射；一家企业可属多个环节，未映射的企业单列",
            f"chain segments of template {template.id} ({template.name_en}) by "
            "jiqun.chains.map_firms (industry code, business-scope keywords); a firm may be in "
            "several segments; unmapped firms are listed apart",
            notes,
        )
    with engine.connect() as c:
        names = dict(
            c.execute(text("SELECT code, name FROM industries WHERE level = 2")).fetchall()
        )
    div = firms["industry_code"].astype(str).str[:2]
    why_zh = (
        "未找到与该集群主导产业相符的产业链模板"
        if load_templates is not None
        else "产业链模块 jiqun.chains 不可用"
    )
    why_en = (
        "no chain template matches the cluster's leading industries"
        if load_templates is not None
        else "the chains package jiqun.chains is not available"
    )
    return (
        div,
        {d: f"{d} {names.get(d, '')}".strip() for d in div.dropna().unique()},
        f"{why_zh}：按 GB/T 4754-2017 行业大类（2位）分组代替产业链环节",
        f"{why_en}: grouped by GB/T 4754-2017 industry division (2-digit) instead of segments",
        notes,
    )


#: columns of a digital-index row that describe its assessments (withheld when suppressed)
_INDEX_KEEP = ("label", "firms")


def _protect_index(
    ix: DigitalIndex, principal: Principal, engine: Engine, client: str | None
) -> DigitalIndex:
    """The index as a viewer without rights to every firm may see it.

    A group row (segment, size band, chain leaders vs SMEs) whose assessed firms the viewer may
    all read (own scope or grant: the readers of those assessments) is shown raw. Otherwise the
    row passes the threshold rule of disclosure control on its assessed firms (fewer than 3 →
    suppressed) with complementary suppression against the cluster total
    (:func:`jiqun.analytics.viewer_disclosure.protect_rows`); a suppressed row keeps its key,
    label and number of firms, and its scores, levels and counts of assessed firms are null.
    When the cluster total itself must be withheld, so are the summary's score figures and the
    level distribution.
    """
    f = ix.firms
    if f is None or not len(f):
        return ix
    seen, _n = access.visible_rows(principal, f[["uscc"]], "uscc", engine, client)
    known = set(seen["uscc"].astype(str))
    assessed = f[f["score"].notna()]
    seg = assessed
    if seg["segment"].map(lambda v: isinstance(v, list)).any():
        seg = seg.explode("segment")
    seg = seg.assign(segment=seg["segment"].fillna("(unmapped)").astype(str))
    total_hidden = False
    n_suppressed = 0
    for name, key, members in (
        ("by_group", "group", assessed),
        ("by_size", "size", assessed),
        ("by_segment", "segment", seg),
    ):
        t = getattr(ix, name)
        if not len(t):
            continue
        shown = [c for c in t.columns if c not in (key, *_INDEX_KEEP)]
        p = protect_rows(t, members[["uscc", key]], key=key, shown=shown, known=known)
        setattr(ix, name, p.table)
        total_hidden = total_hidden or p.total_suppressed
        n_suppressed += p.n_suppressed
    if total_hidden:
        for k in list(ix.summary):
            if k in ("mean_score", "median_score", "share_level3_plus", "coverage", "assessed") or (
                k.startswith("L") and k[1:2].isdigit()
            ):
                ix.summary[k] = None
        lv = ix.by_level.copy()
        for c in ("firms", "share"):
            lv[c] = pd.Series([None] * len(lv), index=lv.index, dtype=object)
        lv["disclosure"] = SUPPRESSED_LABEL
        ix.by_level = lv
    if n_suppressed or total_hidden:
        ix.notes.append(
            f"{n_suppressed} 个分组按披露控制规则保密（已评测企业少于 3 家且您无权查看其评测，或为防止"
            f"由合计反推）/ {n_suppressed} group(s) suppressed by disclosure control (fewer than 3 "
            "assessed firms whose assessments you may not read, or to protect those against the "
            "totals)"
        )
    ix.firms = None  # who is in which group is not for the viewer
    return ix


def cluster_index(
    cluster_id: str,
    *,
    chain: str | None = None,
    framework: str = "miit2024",
    engine: Engine | None = None,
    principal: Principal | None = None,
    client: str | None = None,
) -> DigitalIndex:
    """The cluster digital index: levels and scores per cluster, segment, size, leaders vs SMEs.

    Rule: the cluster's firms (:func:`cluster_firms`), each with its latest submitted MIIT
    assessment or none; segments by the chain template given (``chain``) or the one whose
    segments share the most GB/T 4754 classes with the cluster's leading industries, mapped by
    :func:`jiqun.chains.map_firms` — or, when no template fits (or the chains package is
    missing), GB/T 4754 industry divisions, as ``basis`` says; then
    :func:`jiqun.digital.index.digital_index`.

    Parameters
    ----------
    cluster_id:
        The cluster.
    chain:
        A chain template id for the segments.
    framework:
        Only ``miit2024`` has scores and levels 1–4 (the index is defined on it).
    engine:
        Database (default: the configured one).
    principal:
        The viewer. Groups whose assessed firms it may not all read pass disclosure control
        (fewer than 3 assessed firms → ``suppressed``, "保密 / suppressed", figures null; plus
        complementary suppression against the cluster total). ``None`` (the local operator,
        CLI) and an admin see every group raw.
    client:
        The viewer's address for the audit log (reads through a grant).

    Returns
    -------
    DigitalIndex
        ``summary`` also has ``cluster_id`` and ``cluster_name``; with a ``principal``, every
        group table has ``suppressed`` and ``disclosure`` columns.

    Raises
    ------
    JiqunError
        Unknown cluster, or another framework.

    References
    ----------
    METHODS.md §7; :mod:`jiqun.digital.index`.

    Example
    -------
    >>> ix = cluster_index("NC2021-01")  # doctest: +SKIP
    >>> ix.summary["share_level3_plus"]  # doctest: +SKIP
    """
    engine = engine or get_engine()
    if framework_id(framework) != "miit2024":
        raise JiqunError(
            "集群数字化指数按 MIIT 中小企业数字化水平评测计算（framework=miit2024）",
            "the cluster digital index is defined on the MIIT SME digital level (miit2024)",
        )
    firms = cluster_firms(cluster_id, engine)
    latest = _latest_submitted(engine, firms["uscc"].tolist(), "miit2024")
    df = firms.merge(
        latest[["uscc", "score", "level", "synthetic"]].rename(columns={"synthetic": "a_syn"}),
        on="uscc",
        how="left",
    )
    df["synthetic"] = df["synthetic"] | df["a_syn"].fillna(False).astype(bool)
    seg, labels, sz, se, notes = _segments(engine, cluster_id, firms, chain)
    df["segment"] = seg.to_numpy()
    lz, le = _leader_basis(str(firms.attrs.get("leader_basis", "tag")))
    ix = digital_index(
        df,
        segment_basis_zh=sz,
        segment_basis_en=se,
        leader_basis_zh=lz,
        leader_basis_en=le,
        segment_labels=labels,
    )
    ix.summary["cluster_id"] = cluster_id
    ix.summary["cluster_name"] = firms.attrs.get("cluster_name")
    ix.basis["framework"] = "miit2024"
    fw = load_framework("miit2024")
    ix.basis["level_rule_zh"] = fw.rule_zh
    ix.basis["level_basis_zh"] = fw.basis_zh
    ix.basis["level_basis_en"] = fw.basis_en
    ix.basis["membership"] = (
        "cluster_members, or member region (or its counties) and a leading industry"
    )
    ix.notes += notes
    if not ix.by_group[ix.by_group["group"] == "chain_leader"]["firms"].sum():
        ix.notes.append("集群内没有链主企业 / no chain leaders in this cluster")
    if ix.synthetic:
        ix.notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    if principal is not None and principal.role != "admin":
        ix = _protect_index(ix, principal, engine, client)
    return ix


# ---------------------------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------------------------


def _sig(x: np.ndarray | float) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


def _demo_miit(fw: MiitFramework, z: float, rng: np.random.Generator) -> dict[str, Any]:
    ans: dict[str, Any] = {}
    for it in fw.items:
        if it.type == "multi":
            opts = [o for o in it.options if o.id != it.exclusive]
            diff = np.linspace(-0.6, 1.0, len(opts))
            pick = rng.random(len(opts)) < _sig(z - diff)
            chosen = [o.id for o, p in zip(opts, pick, strict=True) if p]
            ans[it.id] = chosen or ([it.exclusive] if it.exclusive else [])
        elif it.type == "single":
            opts = sorted(it.options, key=lambda o: o.points)
            k = int(
                np.clip(round((len(opts) - 1) * _sig(z + rng.normal(0, 0.9))), 0, len(opts) - 1)
            )
            ans[it.id] = opts[k].id
        else:
            scale = 0.35 if it.id == "funding" else 1.0  # investment shares are small
            v = 100 * scale * _sig(1.2 * z + rng.normal(0, 0.6) - 0.3)
            ans[it.id] = int(np.clip(round(v), 0, 100))
    for sc in fw.scenes:
        ans[sc.id] = int(np.clip(round(4 * _sig(z + rng.normal(0, 0.8))), 0, 4))
    return ans


def generate_demo_assessments(
    engine: Engine | None = None,
    seed: int = 2026,
    n: int = 3000,
    *,
    gbt_share: float = 0.1,
    draft_share: float = 0.05,
) -> int:
    """Create a seeded synthetic set of assessments for the demo firms (marked synthetic).

    Rule: earlier synthetic assessments are deleted (user rows are never touched). From the
    synthetic enterprises, every cluster chain leader plus firms drawn at random (80 % among
    cluster members, 20 % outside; ``n`` in all) answer the MIIT questionnaire; a latent
    digital propensity z = −0.9 + 0.45·log10(employees + 1) + 0.5·high_tech + 0.5·srdi
    + 0.5·little_giant + 0.4·single_champion + 1.2·chain_leader + N(0, 0.7) drives every answer
    (options chosen with probability σ(z − difficulty), single choices and percentages rising
    with σ(z), scenario levels round(4σ(z + noise))). ``draft_share`` of them are left as drafts
    with about a third of the answers removed. A ``gbt_share`` of the answering firms (leaders
    first) also get a GB/T 39116 assessment (highest level met per sub-domain
    round(1 + 3σ(z + noise))). Scores and levels come from the real scoring functions. The same
    seed and the same enterprises give the same rows.

    Parameters
    ----------
    engine:
        Database (default: the configured one); the demo enterprises must be there.
    seed:
        Random seed.
    n:
        Number of firms answering the MIIT questionnaire (fewer if there are fewer firms).
    gbt_share:
        Share of them that also answer GB/T 39116.
    draft_share:
        Share of MIIT assessments left as drafts.

    Returns
    -------
    int
        Rows written to ``digital_assessments``.

    References
    ----------
    ``docs/digital.md`` (demo); :mod:`jiqun.demo` (the demo firms).

    Example
    -------
    >>> generate_demo_assessments(seed=2026)  # doctest: +SKIP
    3300
    """
    engine = engine or get_engine()
    rng = np.random.default_rng(seed)
    with engine.begin() as c:
        c.execute(delete(DigitalAssessment).where(DigitalAssessment.synthetic.is_(True)))
    with engine.connect() as c:
        f = pd.read_sql(
            text(
                "SELECT e.uscc, e.employees, e.tags, "
                "EXISTS (SELECT 1 FROM cluster_members m WHERE m.uscc = e.uscc) AS member, "
                "EXISTS (SELECT 1 FROM cluster_members m WHERE m.uscc = e.uscc AND "
                "m.role = 'chain_leader') AS leader_role "
                "FROM enterprises e WHERE e.synthetic = :t ORDER BY e.uscc"
            ),
            c,
            params={"t": True},
        )
    if not len(f):
        return 0
    tags = f["tags"].fillna("")
    has = {t: tags.map(lambda s, t=t: _has_tag(s, t)).to_numpy() for t in TAGS}
    leader = (
        has.get("chain_leader", np.zeros(len(f), bool)) | f["leader_role"].astype(bool).to_numpy()
    )
    member = f["member"].astype(bool).to_numpy()
    n = min(n, len(f))
    chosen = set(np.flatnonzero(leader).tolist()[:n])
    rest = n - len(chosen)
    pool_in = np.setdiff1d(np.flatnonzero(member), list(chosen))
    pool_out = np.setdiff1d(np.flatnonzero(~member), list(chosen))
    k_in = min(len(pool_in), round(rest * 0.8))
    k_out = min(len(pool_out), rest - k_in)
    chosen |= set(rng.choice(pool_in, k_in, replace=False).tolist()) if k_in else set()
    chosen |= set(rng.choice(pool_out, k_out, replace=False).tolist()) if k_out else set()
    idx = np.array(sorted(chosen), dtype=int)
    emp = pd.to_numeric(f["employees"], errors="coerce").fillna(10).clip(lower=0).to_numpy()
    z = (
        -0.9
        + 0.45 * np.log10(emp[idx] + 1)
        + 0.5 * has["high_tech"][idx]
        + 0.5 * has["srdi"][idx]
        + 0.5 * has["little_giant"][idx]
        + 0.4 * has["single_champion"][idx]
        + 1.2 * leader[idx]
        + rng.normal(0, 0.7, len(idx))
    )
    miit = load_framework("miit2024")
    gbt = load_framework("gbt39116")
    assert isinstance(miit, MiitFramework) and isinstance(gbt, Gbt39116Framework)
    base = dt.datetime(2025, 1, 6, 9, 0, 0)
    rows: list[dict[str, Any]] = []
    drafts = rng.random(len(idx)) < draft_share
    n_gbt = math.ceil(len(idx) * gbt_share)
    order_gbt = sorted(range(len(idx)), key=lambda i: (not leader[idx[i]], i))[:n_gbt]
    gbt_set = set(order_gbt)
    for j, i in enumerate(idx):
        ans = _demo_miit(miit, float(z[j]), rng)
        if drafts[j]:
            keys = list(ans)
            drop = rng.choice(len(keys), max(1, len(keys) // 3), replace=False)
            for d in drop:
                ans.pop(keys[d])
        res = score_answers(miit, ans)
        when = base + dt.timedelta(
            days=int(rng.integers(0, 540)), minutes=int(rng.integers(0, 600))
        )
        rows.append(
            {
                "uscc": f["uscc"].iloc[i],
                "framework": miit.id,
                "edition": miit.edition,
                "answers": json.dumps(res.answers, ensure_ascii=False),
                "status": "submitted" if res.complete else "draft",
                "score": res.score,
                "level": res.level,
                "created_at": when,
                "updated_at": when,
                "synthetic": True,
            }
        )
        if j in gbt_set:
            gans = {
                s: int(np.clip(round(1 + 3 * _sig(z[j] + rng.normal(0, 0.8))), 0, 5))
                for s in gbt.subdomain_ids
            }
            g = score_answers(gbt, gans)
            rows.append(
                {
                    "uscc": f["uscc"].iloc[i],
                    "framework": gbt.id,
                    "edition": gbt.edition,
                    "answers": json.dumps(g.answers, ensure_ascii=False),
                    "status": "submitted",
                    "score": None,
                    "level": g.level,
                    "created_at": when,
                    "updated_at": when,
                    "synthetic": True,
                }
            )
    with engine.begin() as c:
        c.execute(_T.insert(), rows)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# output files
# ---------------------------------------------------------------------------------------------


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return _clean(v.item())
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


def _parts(obj: DigitalIndex | AssessmentGap) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    if isinstance(obj, DigitalIndex):
        head = {"summary": obj.summary, "basis": obj.basis, "notes": obj.notes}
        return head, obj.tables()
    a = obj.assessment
    head = {
        "assessment": {k: v for k, v in a.as_dict().items() if k != "result"},
        "total": a.result.total if isinstance(a.result, MiitResult) else None,
        "level": a.result.level,
        "level_rule_zh": a.result.rule_zh,
        "level_basis_zh": a.result.basis_zh,
        "level_basis_en": a.result.basis_en,
        "next_level": obj.next_level.next_level,
        "threshold": obj.next_level.threshold,
        "deficit": obj.next_level.deficit,
        "reachable": obj.next_level.reachable,
        "clusters": obj.clusters,
        "leaders": len(obj.leader_usccs),
        "leaders_assessed": obj.leaders.n_peers if obj.leaders else 0,
        "leader_basis_zh": obj.leader_basis_zh,
        "leader_basis_en": obj.leader_basis_en,
        "synthetic": obj.synthetic,
        "notes": obj.notes + obj.next_level.notes + (obj.leaders.notes if obj.leaders else []),
    }
    tables = {
        "roadmap": obj.next_level.roadmap,
        "actions": obj.next_level.actions,
        "scenes": obj.next_level.scenes,
    }
    if obj.leaders is not None:
        tables |= {
            "leaders_items": obj.leaders.items,
            "leaders_actions": obj.leaders.actions,
            "leaders_scenes": obj.leaders.scenes,
        }
    return head, tables


def write_digital_output(obj: DigitalIndex | AssessmentGap, path: str | Path) -> Path:
    """Write a cluster index or a gap analysis as JSON or XLSX (README sheet with the basis).

    Parameters
    ----------
    obj:
        :class:`~jiqun.digital.index.DigitalIndex` or :class:`AssessmentGap`.
    path:
        ``.json`` or ``.xlsx``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    JiqunError
        Another extension.

    References
    ----------
    ``docs/digital.md``.

    Example
    -------
    >>> write_digital_output(cluster_index("NC2021-01"), "index.xlsx")  # doctest: +SKIP
    """
    p = Path(path)
    head, tables = _parts(obj)
    head = json.loads(json.dumps(head, ensure_ascii=False, default=_clean))
    suffix = p.suffix.lower()
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        doc = {**head, "tables": {k: _records(v) for k, v in tables.items()}}
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=_clean), "utf-8")
    elif suffix == ".xlsx":
        readme = [{"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in head.items()]
        sheets = {"README": pd.DataFrame(readme)}
        for k, v in tables.items():
            df = v.copy()
            for c in df.columns:
                if df[c].map(lambda x: isinstance(x, list)).any():
                    df[c] = df[c].map(lambda x: ";".join(map(str, x)) if isinstance(x, list) else x)
            sheets[k] = df
        write_table(p, sheets)
    else:
        raise JiqunError(
            f"输出文件须为 .json 或 .xlsx：{p}", f"the output file must be .json or .xlsx: {p}"
        )
    return p
