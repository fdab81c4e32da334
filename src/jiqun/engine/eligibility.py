"""Policy eligibility over whole populations, compiled to Ibis and run on the engine.

The eligibility rules of :mod:`jiqun.policy.rules` (a list of conditions, all of which must hold;
``{"any_of": [...]}`` for OR) compile to SQL for the store (:func:`jiqun.policy.rules.to_sql`).
:func:`rule_filter` compiles the same rules to one Ibis boolean expression over the lake's
``enterprises`` table, so that a province's or the nation's registry is filtered where it lives
(DuckDB or Spark) and only the qualifying firms reach Python.

Each condition means exactly what its SQL means (the golden test in
tests/engine/test_eligibility.py holds both to the same firm sets):

``revenue``, ``employees``, ``rd_expense``
    the column compared with the threshold as a float; NULL never qualifies.
``rd_intensity``
    ``rd_expense / revenue`` when ``revenue > 0``, else NULL.
``firm_age``
    ``founded`` compared with the cut-off date ``on − value × 365.25 days`` (whole days, as
    Python's date arithmetic gives), the operator flipped (age ≥ t ⇔ founded ≤ cut-off).
``digital_level``
    the firm's latest submitted assessment level, a small table of the store passed in
    :class:`RuleContext` and joined on ``uscc`` (platform state, not lake data).
``tags``
    ``;tag;`` is a substring of ``;`` + tags + ``;`` (whole tags), ``any`` = OR, ``all`` = AND.
``region``
    the GB/T 2260 prefix rule as a half-open text range on ``region_code``
    (:func:`jiqun.reference.region_prefix`).
``industry``
    ``industry_code`` starts with one of the codes.
``cluster``
    an approved member of the cluster, or registered in a member region (a county counts for its
    prefecture) and classed in a leading industry; the cluster's regions, industries and members
    come from the store in :class:`RuleContext`.

NULL propagates as in SQL: a condition on a missing value is unknown, and the filter keeps only
rows whose whole rule is true, so missing data never qualifies.

References
----------
:func:`jiqun.policy.rules.to_sql` and :mod:`jiqun.services.predicates` (the SQL meanings).

Example
-------
>>> import datetime as dt, pandas as pd
>>> from jiqun.engine import connect
>>> eng = connect("duckdb", database=":memory:", lake="/nonexistent")
>>> t = eng.from_arrow(pd.DataFrame({"uscc": ["A", "B"], "revenue": [5000.0, None],
...     "tags": ["little_giant", None]}))
>>> ctx = RuleContext(on=dt.date(2025, 1, 1))
>>> rule = [{"field": "revenue", "op": ">=", "value": 2000},
...         {"field": "tags", "op": "has", "value": "little_giant"}]
>>> eng.to_pandas(t.filter(rule_filter(t, rule, ctx)))["uscc"].tolist()
['A']
"""

from __future__ import annotations

import datetime as dt
import operator as op_
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from jiqun.engine import Engine
from jiqun.reference import region_prefix

__all__ = [
    "FIRM_COLUMNS",
    "MAX_FIRMS",
    "ClusterArea",
    "RuleContext",
    "eligible",
    "rule_filter",
    "unknown_count",
]

#: the columns of a qualifying list (as the store path returns them)
FIRM_COLUMNS = (
    "uscc",
    "name",
    "region_code",
    "industry_code",
    "revenue",
    "employees",
    "tags",
    "synthetic",
)
#: a qualifying list longer than this is refused (write it to the lake instead)
MAX_FIRMS = 5_000_000

_COMPARE = {">=": op_.ge, ">": op_.gt, "<=": op_.le, "<": op_.lt, "==": op_.eq}
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "=="}


@dataclass(frozen=True)
class ClusterArea:
    """What ``cluster in [...]`` needs of one cluster: its member regions, its leading
    industries (GB/T 4754 classes) and its approved members (credit codes)."""

    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleContext:
    """Platform state a rule may refer to, read from the store by the caller.

    Attributes
    ----------
    on:
        The evaluation date (``firm_age``).
    clusters:
        cluster id → :class:`ClusterArea`, for every cluster the rule names (an absent one has
        no firms).
    digital:
        ``uscc``, ``level``: the latest submitted digital assessment per firm (the rows the
        store's join yields), or ``None`` when the rule does not use ``digital_level``.
    """

    on: dt.date
    clusters: Mapping[str, ClusterArea] = field(default_factory=dict)
    digital: pd.DataFrame | None = None


def _false() -> ir.BooleanValue:
    return ibis.literal(False)


def _isin(col: ir.Value, values: Sequence[str]) -> ir.BooleanValue:
    # an empty IN list is not valid SQL everywhere; it is false
    vals = list(dict.fromkeys(str(v) for v in values))
    return col.isin(vals) if vals else _false()


def _any(conds: Sequence[ir.BooleanValue]) -> ir.BooleanValue:
    out = conds[0]
    for c in conds[1:]:
        out = out | c
    return out


def _all(conds: Sequence[ir.BooleanValue]) -> ir.BooleanValue:
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out


def _in_region(t: ir.Table, code: str) -> ir.BooleanValue:
    pfx = region_prefix(code)
    if not pfx.isdigit() or len(pfx) > 6:
        return _false()
    lo = pfx.ljust(6, "0")
    if set(pfx) == {"9"}:
        return t.region_code >= lo
    hi = str(int(pfx) + 1).zfill(len(pfx)).ljust(6, "0")
    return (t.region_code >= lo) & (t.region_code < hi)


def _has_tag(t: ir.Table, tag: str) -> ir.BooleanValue:
    whole = ibis.literal(";").concat(t.tags.fill_null(""), ibis.literal(";"))
    return whole.contains(f";{tag.strip()};")


def _in_cluster(t: ir.Table, area: ClusterArea | None) -> ir.BooleanValue:
    if area is None:
        return _false()
    pref = t.region_code.substr(0, 4).concat("00")
    where = _isin(t.region_code, area.regions) | _isin(pref, area.regions)
    return _isin(t.uscc, area.members) | (where & _isin(t.industry_code, area.industries))


def rule_filter(
    t: ir.Table, rule: Sequence[Mapping[str, Any]], ctx: RuleContext
) -> ir.BooleanValue:
    """Compile a (validated) rule to a boolean expression over an enterprises table.

    Parameters
    ----------
    t:
        The lake's ``enterprises`` (or any table with its columns); with ``digital_level`` in the
        rule it must also have a ``level`` column (:func:`eligible` joins it).
    rule:
        The conditions, validated by :func:`jiqun.policy.rules.validate_rule`.
    ctx:
        The evaluation date and the store state the rule refers to.

    Returns
    -------
    ibis boolean expression: true exactly for the firms the SQL of
    :func:`jiqun.policy.rules.to_sql` selects.

    References
    ----------
    :func:`jiqun.policy.rules.to_sql`.

    Example
    -------
    >>> rule_filter(t, [{"field": "employees", "op": "<", "value": 1000}], ctx)  # doctest: +SKIP
    """
    numeric: dict[str, Any] = {
        "revenue": lambda: t.revenue.cast("float64"),
        "employees": lambda: t.employees.cast("float64"),
        "rd_expense": lambda: t.rd_expense.cast("float64"),
        "rd_intensity": lambda: ibis.cases(
            (t.revenue > 0, t.rd_expense.cast("float64") / t.revenue.cast("float64"))
        ),
        "digital_level": lambda: t.level.cast("float64"),
    }

    def one(c: Mapping[str, Any]) -> ir.BooleanValue:
        if "any_of" in c:
            return _any([one(s) for s in c["any_of"]])
        f, op, v = c["field"], c["op"], c["value"]
        if f == "firm_age":
            cutoff = ctx.on - dt.timedelta(days=float(v) * 365.25)
            return _COMPARE[_FLIP[op]](t.founded, ibis.literal(cutoff, "date"))
        if f in numeric:
            return _COMPARE[op](numeric[f](), float(v))
        if f == "tags":
            tags = [_has_tag(t, x) for x in ([v] if op == "has" else list(v))]
            return _all(tags) if op == "all" else _any(tags)
        if f == "region":
            return _any([_in_region(t, str(x)) for x in v])
        if f == "industry":
            return _any([t.industry_code.startswith(str(x)) for x in v])
        return _any([_in_cluster(t, ctx.clusters.get(str(x))) for x in v])

    return _all([one(c) for c in rule])


def _with_level(engine: Engine, e: ir.Table, ctx: RuleContext) -> ir.Table:
    d = ctx.digital
    if d is None or not len(d):
        return e.mutate(level=ibis.null("float64"))
    levels = engine.from_arrow(
        pd.DataFrame(
            {
                "d_uscc": d["uscc"].astype(str).to_numpy(dtype=object),
                "level": pd.to_numeric(d["level"], errors="coerce").astype("float64"),
            }
        )
    )
    j = e.left_join(levels, e.uscc == levels.d_uscc)
    return j.select(*e.columns, "level")


def eligible(
    engine: Engine,
    rule: Sequence[Mapping[str, Any]],
    ctx: RuleContext,
    *,
    digital: bool = False,
    version: int | None = None,
) -> ir.Table:
    """The lake's firms that qualify under ``rule``, as an (unexecuted) table of
    :data:`FIRM_COLUMNS` ordered by ``uscc``.

    Parameters
    ----------
    engine:
        The analytical engine.
    rule:
        A validated rule.
    ctx:
        Evaluation date and store state.
    digital:
        The rule uses ``digital_level`` (join the levels of ``ctx.digital``).
    version:
        Lake version (default: the engine's current one).

    Returns
    -------
    ibis Table (pull it with ``engine.to_pandas(..., max_rows=MAX_FIRMS)`` or write it).

    Example
    -------
    >>> engine.to_pandas(eligible(engine, rule, ctx), max_rows=MAX_FIRMS)  # doctest: +SKIP
    """
    e = engine.table("enterprises", version)
    if digital:
        e = _with_level(engine, e, ctx)
    return e.filter(rule_filter(e, rule, ctx)).select(*FIRM_COLUMNS).order_by("uscc")


def unknown_count(
    engine: Engine, columns: Sequence[str], ctx: RuleContext, *, version: int | None = None
) -> int:
    """The firms (rows of the registry joined to the digital levels) with any of ``columns``
    missing: those whose eligibility is unknown for lack of data.

    Parameters
    ----------
    engine:
        The analytical engine.
    columns:
        Enterprise columns, or ``level`` for the digital level.
    ctx:
        Store state (``digital``).
    version:
        Lake version.

    Returns
    -------
    int

    Example
    -------
    >>> unknown_count(engine, ["revenue", "rd_expense"], ctx)  # doctest: +SKIP
    412
    """
    if not columns:
        return 0
    e = _with_level(engine, engine.table("enterprises", version), ctx)
    missing = _any([e[c].isnull() for c in dict.fromkeys(columns)])
    return int(engine.scalar(e.filter(missing).count()) or 0)
