"""Stored self-assessments: validate, score and save, resume a draft, load and list.

Assessments live in ``digital_assessments`` (migration 0003): one row per questionnaire,
``status`` ``draft`` (partial, resumable) or ``submitted`` (complete; no longer editable), the
answers as JSON text, and the MIIT total and level recomputed from the answers on every save
(never trusted from the caller). These functions do not take a principal: the reads of a
principal, audited, are in :mod:`jiqun.services.digital.reads`.

References
----------
METHODS.md §7; ``docs/digital.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, select, text

from jiqun.digital.frameworks import Framework, MiitFramework, framework_id, load_framework
from jiqun.digital.scoring import MaturityResult, MiitResult, score_answers, validate_answers
from jiqun.services.cache import bump
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.standard.codes import check_uscc
from jiqun.standard.normalize import norm_uscc
from jiqun.standard.problems import JiqunError, Problem
from jiqun.store.db import get_engine
from jiqun.store.models import DigitalAssessment, table_of

_T = table_of(DigitalAssessment)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
        bump(c, "digital")  # the cluster digital index and evaluation read assessments
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
        bump(c, "digital")
    return load_assessment(assessment_id, engine)


def assessment_query(uscc: str | None, framework: str | None, status: str | None) -> Select[Any]:
    """The query behind :func:`list_assessments`: the summary columns, newest first, filtered.

    Parameters
    ----------
    uscc, framework, status:
        Filters (``None`` or empty: all).

    Returns
    -------
    sqlalchemy.Select
        ``id``, ``uscc``, ``framework``, ``edition``, ``status``, ``score``, ``level``,
        ``created_at``, ``updated_at``, ``synthetic``; callers may narrow it further.

    References
    ----------
    :func:`jiqun.services.digital.reads.assessments_for` (the same list for one reader).

    Example
    -------
    >>> str(assessment_query(None, None, "draft")).startswith("SELECT")
    True
    """
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
    return q


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
    q = assessment_query(uscc, framework, status)
    with engine.connect() as c:
        return pd.read_sql(q, c)
