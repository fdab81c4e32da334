"""Machine-readable eligibility rules for policies (惠企政策) and their evaluation.

A rule is a list of **conditions**, all of which must hold (AND); a condition may instead be
``{"any_of": [conditions]}`` (OR). Each condition names a firm ``field``, an ``op`` and a
``value``:

=================  ==========================================================================
field              meaning (enterprises table unless noted)
=================  ==========================================================================
``region``         registered region code; ops ``in`` (list of GB/T 2260 codes; a province or
                   city covers its counties by prefix)
``industry``       GB/T 4754 class; ops ``in`` (codes of any level, prefix match)
``tags``           ops ``has`` (one tag), ``any`` / ``all`` (lists of tags)
``revenue``        营业收入, 万元; numeric ops ``>=``, ``>``, ``<=``, ``<``, ``==``
``employees``      从业人员, 人; numeric ops
``rd_expense``     研发费用, 万元; numeric ops
``rd_intensity``   rd_expense / revenue (0..1); numeric ops
``firm_age``       years since ``founded`` at the evaluation date; numeric ops
``digital_level``  latest submitted digital-assessment level (1–4); numeric ops
``cluster``        member of (or inside) a cluster; op ``in`` (cluster ids)
=================  ==========================================================================

**Missing data never qualifies silently**: a condition on a missing value evaluates to
``None`` ("unknown") and the firm does not qualify; the line says which value was missing. A
*narrow miss* is a firm failing exactly one condition, where that condition is numeric and the
firm is within 10% of the threshold (``NARROW = 0.10``) — the "almost eligible" list that
policy officers and firms ask for.

The same rule compiles to SQL (:func:`to_sql`) so that whole populations are evaluated in the
database engine (SQLite, PostgreSQL or DuckDB) instead of row by row in Python.

Example
-------
>>> rule = [{"field": "tags", "op": "has", "value": "little_giant"},
...         {"field": "revenue", "op": ">=", "value": 5000}]
>>> ok, lines = evaluate({"tags": "little_giant;srdi", "revenue": 4800.0}, rule)
>>> ok, [ln["passed"] for ln in lines]
(False, [True, False])
>>> narrow_miss(lines)
True
"""

from __future__ import annotations

import datetime as dt
import operator as op_
from collections.abc import Mapping, Sequence
from typing import Any

from jiqun.reference import region_prefix
from jiqun.standard.datafiles import section
from jiqun.standard.problems import JiqunError

#: The data file of the tables below (``jiqun/policy/data/labels.yaml``).
_LABELS = "labels.yaml"
#: Numeric firm fields a rule may compare: field -> (中文, English, unit).
NUMERIC_FIELDS: dict[str, tuple[str, str, str]] = section(_LABELS, "numeric_fields", "jiqun.policy")
#: Set-valued firm fields a rule may test for membership: field -> (中文, English).
SET_FIELDS: dict[str, tuple[str, str]] = section(_LABELS, "set_fields", "jiqun.policy")
NUMERIC_OPS = (">=", ">", "<=", "<", "==")
NARROW = 0.10

Condition = Mapping[str, Any]


def _problem(i: int, field: str, value: Any, zh: str, en: str) -> str:
    return f"条件 {i + 1} 字段 {field!r} 值 {value!r}：{zh} / condition {i + 1} field {field!r} value {value!r}: {en}"


def validate_rule(rule: Sequence[Condition]) -> list[Condition]:
    """Check a rule's structure; raise one :class:`JiqunError` listing every problem."""
    if not isinstance(rule, Sequence) or isinstance(rule, str | bytes) or not rule:
        raise JiqunError(
            "规则必须是非空的条件列表", "a rule must be a non-empty list of conditions"
        )
    problems: list[str] = []

    def check(i: int, c: Condition) -> None:
        if not isinstance(c, Mapping):
            problems.append(_problem(i, "?", c, "条件必须是对象", "a condition must be a mapping"))
            return
        if "any_of" in c:
            subs = c["any_of"]
            if not isinstance(subs, Sequence) or not subs:
                problems.append(
                    _problem(i, "any_of", subs, "须为非空列表", "must be a non-empty list")
                )
                return
            for s in subs:
                check(i, s)
            return
        f, op, v = c.get("field"), c.get("op"), c.get("value")
        if f in NUMERIC_FIELDS:
            if op not in NUMERIC_OPS:
                problems.append(
                    _problem(i, f, op, "数值字段的运算符无效", "invalid operator for a number")
                )
            elif isinstance(v, bool) or not isinstance(v, int | float):
                problems.append(
                    _problem(i, f, v, "阈值必须是数字", "the threshold must be a number")
                )
        elif f in SET_FIELDS:
            allowed = ("has", "any", "all") if f == "tags" else ("in",)
            if op not in allowed:
                problems.append(
                    _problem(
                        i,
                        f,
                        op,
                        f"运算符须为 {'/'.join(allowed)}",
                        f"operator must be {'/'.join(allowed)}",
                    )
                )
            elif op == "has" and not isinstance(v, str):
                problems.append(_problem(i, f, v, "须为一个标签", "must be one tag"))
            elif op != "has" and (not isinstance(v, Sequence) or isinstance(v, str) or not v):
                problems.append(_problem(i, f, v, "须为非空列表", "must be a non-empty list"))
        else:
            problems.append(
                _problem(
                    i,
                    str(f),
                    v,
                    f"未知字段，可用：{', '.join([*NUMERIC_FIELDS, *SET_FIELDS])}",
                    f"unknown field; use one of {', '.join([*NUMERIC_FIELDS, *SET_FIELDS])}",
                )
            )

    for i, c in enumerate(rule):
        check(i, c)
    if problems:
        raise JiqunError("规则有误：" + "；".join(problems), "invalid rule: " + "; ".join(problems))
    return list(rule)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v == ""


def firm_value(firm: Mapping[str, Any], field: str, on: dt.date | None = None) -> Any:
    """The value of ``field`` for a firm record (derived fields computed; missing → None)."""
    if field == "rd_intensity":
        rd, rev = firm.get("rd_expense"), firm.get("revenue")
        if rd is None or rev is None or _missing(rd) or _missing(rev) or not rev:
            return None
        return float(rd) / float(rev)
    if field == "firm_age":
        f = firm.get("founded")
        if f is None or _missing(f):
            return None
        if isinstance(f, str):
            f = dt.date.fromisoformat(f[:10])
        elif isinstance(f, dt.datetime):
            # date - datetime raises: records read through pandas carry Timestamps
            f = f.date()
        on = on or dt.date.today()
        return (on - f).days / 365.25
    if field == "tags":
        t = firm.get("tags")
        return set() if _missing(t) else {x for x in str(t).split(";") if x}
    if field == "cluster":
        cs = firm.get("clusters")
        return None if cs is None else set(cs)
    if field == "region":
        return firm.get("region_code")
    if field == "industry":
        return firm.get("industry_code")
    v = firm.get(field)
    return None if _missing(v) else v


def _cmp(v: float, op: str, t: float) -> bool:
    return {
        ">=": v >= t,
        ">": v > t,
        "<=": v <= t,
        "<": v < t,
        "==": v == t,
    }[op]


def _check_one(firm: Mapping[str, Any], c: Condition, on: dt.date | None) -> dict[str, Any]:
    if "any_of" in c:
        subs = [_check_one(firm, s, on) for s in c["any_of"]]
        passed: bool | None
        if any(s["passed"] is True for s in subs):
            passed = True
        elif all(s["passed"] is False for s in subs):
            passed = False
        else:
            passed = None
        return {
            "field": "any_of",
            "op": "any_of",
            "value": [s["condition"] for s in subs],
            "firm_value": [s["firm_value"] for s in subs],
            "passed": passed,
            "condition": " 或 / or ".join(s["condition"] for s in subs),
            "shortfall": None,
        }
    f, op, t = c["field"], c["op"], c["value"]
    v = firm_value(firm, f, on)
    cond = f"{f} {op} {t}"
    shortfall = None
    if v is None:
        passed = None
    elif f in NUMERIC_FIELDS:
        passed = _cmp(float(v), op, float(t))
        if not passed and op in (">=", ">") and t:
            shortfall = (float(t) - float(v)) / abs(float(t))
        elif not passed and op in ("<=", "<") and t:
            shortfall = (float(v) - float(t)) / abs(float(t))
    elif f == "tags":
        need = {t} if op == "has" else set(t)
        passed = bool(v & need) if op in ("has", "any") else need <= v
    elif f == "cluster":
        passed = bool(v & set(t))
    elif f == "region":
        passed = any(str(v).startswith(region_prefix(x)) for x in t)
    else:  # industry
        passed = any(str(v).startswith(str(x)) for x in t)
    return {
        "field": f,
        "op": op,
        "value": t,
        "firm_value": sorted(v) if isinstance(v, set) else v,
        "passed": passed,
        "condition": cond,
        "shortfall": shortfall,
    }


def _show(v: Any, lang: str = "zh") -> str:
    """A firm value as people read it: numbers to 4 significant digits, tags by their names
    (never the internal keys), lists joined (``、`` in Chinese)."""
    from jiqun.standard.schema import TAGS

    if v is None or v == []:
        return "无" if lang == "zh" else "none"
    if isinstance(v, float):
        return f"{float(f'{v:.4g}'):g}"
    if isinstance(v, list | tuple | set):
        return ("、" if lang == "zh" else ", ").join(_show(x, lang) for x in v)
    if isinstance(v, str) and v in TAGS:
        return TAGS[v][0 if lang == "zh" else 1]
    return str(v)


def evaluate(
    firm: Mapping[str, Any], rule: Sequence[Condition], on: dt.date | None = None
) -> tuple[bool, list[dict[str, Any]]]:
    """Evaluate a rule for one firm: (qualifies, one line per condition).

    Each line has ``condition``, ``firm_value``, ``passed`` (True / False / None = value
    missing), ``shortfall`` (relative distance to a numeric threshold when failed) and
    ``reason_zh`` / ``reason_en``.
    """
    validate_rule(rule)
    lines = []
    for c in rule:
        ln = _check_one(firm, c, on)
        shown, shown_en = _show(ln["firm_value"]), _show(ln["firm_value"], "en")
        if ln["passed"] is None:
            ln["reason_zh"] = f"缺少数据，无法判断：{ln['condition']}（缺失不视为符合）"
            ln["reason_en"] = (
                f"missing data, cannot decide: {ln['condition']} (missing never qualifies)"
            )
        elif ln["passed"]:
            ln["reason_zh"] = f"符合：{ln['condition']}（企业值 {shown}）"
            ln["reason_en"] = f"met: {ln['condition']} (firm value {shown_en})"
        else:
            ln["reason_zh"] = f"不符合：{ln['condition']}（企业值 {shown}）"
            ln["reason_en"] = f"not met: {ln['condition']} (firm value {shown_en})"
        lines.append(ln)
    return all(ln["passed"] is True for ln in lines), lines


def narrow_miss(lines: Sequence[Mapping[str, Any]], tolerance: float = NARROW) -> bool:
    """True when exactly one condition failed, it is numeric, and the firm is within
    ``tolerance`` (relative) of its threshold; no condition may be unknown."""
    failed = [ln for ln in lines if ln["passed"] is False]
    unknown = [ln for ln in lines if ln["passed"] is None]
    return (
        len(failed) == 1
        and not unknown
        and failed[0]["shortfall"] is not None
        and failed[0]["shortfall"] <= tolerance
    )


# --------------------------------------------------------------------------------------------
# SQL compilation (whole populations in the database engine)
# --------------------------------------------------------------------------------------------


def to_sql(
    rule: Sequence[Condition], on: dt.date | None = None, dialect: str = "sqlite"
) -> tuple[str, dict[str, Any]]:
    """Compile a rule to a SQL condition over ``enterprises e`` (and ``d``, the firm's latest
    submitted digital assessment, when ``digital_level`` is used). NULL comparisons are never
    true, so a missing value never qualifies — as in :func:`evaluate`.

    ``region``, ``tags`` and ``cluster`` mean what they mean everywhere else: the conditions are
    :func:`~jiqun.services.predicates.in_region`, :func:`~jiqun.services.predicates.has_tag`
    and :func:`~jiqun.services.predicates.in_cluster` (approved members, or registered in a
    member region — a county for its prefecture — and classed in a leading industry).

    Parameters
    ----------
    rule:
        The conditions (validated first).
    on:
        Evaluation date for ``firm_age`` (default: today).
    dialect:
        Kept for callers; the SQL is the same on SQLite and PostgreSQL.

    Returns
    -------
    tuple[str, dict[str, Any]]
        ``(sql, params)``: a parenthesised condition and its named parameters.

    References
    ----------
    :func:`jiqun.services.predicates.as_sql`.

    Example
    -------
    >>> to_sql([{"field": "revenue", "op": ">=", "value": 2000}])
    ('(e.revenue >= :rrevenue_1)', {'rrevenue_1': 2000.0})
    """
    # The meaning of region, tag and cluster is the services' (one definition, also used by
    # access checks); imported here, not at module level, so that evaluate() stays free of the
    # store for the pure uses of this module.
    from sqlalchemy import and_, case, literal_column, or_

    from jiqun.services.predicates import FIRMS, as_sql, has_tag, in_cluster, in_region

    validate_rule(rule)
    e = FIRMS.c
    numeric: dict[str, Any] = {
        "revenue": e.revenue,
        "employees": e.employees,
        "rd_expense": e.rd_expense,
        "rd_intensity": case((e.revenue > 0, e.rd_expense * 1.0 / e.revenue)),
        "digital_level": literal_column("d.level"),
    }
    compare = {">=": op_.ge, ">": op_.gt, "<=": op_.le, "<": op_.lt, "==": op_.eq}

    def one(c: Condition) -> Any:
        if "any_of" in c:
            return or_(*(one(s) for s in c["any_of"]))
        f, op, t = c["field"], c["op"], c["value"]
        if f == "firm_age":
            # founded ≤ on − t years  ⇔  age ≥ t (to the day, 365.25-day years)
            on_ = on or dt.date.today()
            cutoff = on_ - dt.timedelta(days=float(t) * 365.25)
            flip = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "=="}[op]
            return compare[flip](e.founded, cutoff)
        if f in numeric:
            return compare[op](numeric[f], float(t))
        if f == "tags":
            tags = [has_tag(x) for x in ([t] if op == "has" else list(t))]
            return and_(*tags) if op == "all" else or_(*tags)
        if f == "region":
            return or_(*(in_region(str(x)) for x in t))
        if f == "industry":
            return or_(*(e.industry_code.like(str(x) + "%") for x in t))
        return or_(*(in_cluster(str(x)) for x in t))

    return as_sql(and_(*(one(c) for c in rule)), "r")


def uses_digital(rule: Sequence[Condition]) -> bool:
    def has(c: Condition) -> bool:
        if "any_of" in c:
            return any(has(s) for s in c["any_of"])
        return c.get("field") == "digital_level"

    return any(has(c) for c in rule)
