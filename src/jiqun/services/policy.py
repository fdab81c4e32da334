"""Policy registry, policy–enterprise matching (惠企政策精准推送, 免申即享), cluster evaluation and
support allocation on the stored data.

- :func:`add_policy` / :func:`load_policy_file` store policies whose eligibility rules are checked
  by :func:`jiqun.policy.rules.validate_rule`;
- :func:`policies_for_firm`: for one firm, every policy with the rule lines that made it qualify,
  the narrow misses and why, and the policies it does not qualify for;
- :func:`firms_for_policy`: the whole qualifying population, evaluated **in the database** by
  the SQL compiled from the rule (or on the analytical engine over the lake, the rule compiled to
  Ibis, when the lake is current: :func:`rule_firms`), plus the number of firms left out for
  missing data;
- :func:`cluster_indicators` / :func:`evaluate_stored_clusters`: the indicator system of
  :mod:`jiqun.policy.evaluation` computed from the store for every year available;
- :func:`allocate_support`: :func:`jiqun.policy.allocation.allocate` on the latest scores.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import Engine, delete, func, or_, select, text
from sqlalchemy.orm import Session

from jiqun.analytics.rca import lq_from_totals
from jiqun.policy import allocate, evaluate, evaluate_clusters, narrow_miss, to_sql, validate_rule
from jiqun.policy.allocation import AllocationResult
from jiqun.policy.evaluation import CORE_INDICATORS
from jiqun.policy.rules import uses_digital
from jiqun.services import access, predicates
from jiqun.services.accounts import Principal
from jiqun.services.cache import materialised
from jiqun.services.diagnosis import member_prefectures, prefecture_map
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH, prefecture_of
from jiqun.services.paging import page_frame
from jiqun.services.predicates import INDUSTRY_ROWS
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import ADDRESS_MAX, NAME_MAX, TEXT_MAX, TIERS
from jiqun.standard.text import check_text
from jiqun.store.db import get_engine, session_scope
from jiqun.store.models import DigitalAssessment, Policy

_DATE_FIELDS = ("start_date", "end_date")
_DIGITAL_JOIN = (
    "LEFT JOIN (SELECT a.uscc, a.level FROM digital_assessments a WHERE a.framework = 'miit2024' "
    "AND a.status = 'submitted' AND a.updated_at = (SELECT MAX(b.updated_at) FROM "
    "digital_assessments b WHERE b.uscc = a.uscc AND b.framework = 'miit2024' AND "
    "b.status = 'submitted')) d ON d.uscc = e.uscc"
)


def _date(v: Any, field: str, pid: str) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError as e:
        raise JiqunError(
            f"政策 {pid} 字段 {field} 值 {v!r} 不是日期（YYYY-MM-DD）",
            f"policy {pid} field {field} value {v!r} is not a date (YYYY-MM-DD)",
        ) from e


#: The text fields of a policy: (single-line or not, longest length).
_TEXT_FIELDS: dict[str, tuple[bool, int]] = {
    "policy_id": (False, 80),
    "title": (False, NAME_MAX),
    "title_en": (False, NAME_MAX),
    "issuer": (False, NAME_MAX),
    "benefits": (True, TEXT_MAX),
    "source_document": (False, ADDRESS_MAX),
}


def _check_text_fields(spec: Mapping[str, Any]) -> None:
    """No control characters and no over-long text in a policy (``TextRejected`` otherwise)."""
    pid = str(spec.get("policy_id") or "?")
    for name, (multiline, limit) in _TEXT_FIELDS.items():
        v = spec.get(name)
        if isinstance(v, str):
            check_text(v, f"{pid}.{name}", multiline=multiline, max_length=limit)


def add_policy(
    spec: Mapping[str, Any], engine: Engine | None = None, synthetic: bool = False
) -> str:
    """Store (or replace) one policy. ``spec`` keys: ``policy_id``, ``title``, ``issuer``,
    ``rules`` (required), ``title_en``, ``region_scope`` (list), ``target`` (mapping),
    ``benefits``, ``start_date``, ``end_date``, ``source_document``."""
    pid = str(spec.get("policy_id") or "").strip()
    missing = [k for k in ("policy_id", "title", "issuer", "rules") if not spec.get(k)]
    if missing:
        raise JiqunError(
            f"政策 {pid or '?'} 缺少字段：{', '.join(missing)}",
            f"policy {pid or '?'} lacks fields: {', '.join(missing)}",
        )
    _check_text_fields(spec)
    rules = validate_rule(spec["rules"])
    start, end = (_date(spec.get(f), f, pid) for f in _DATE_FIELDS)
    if start and end and end < start:
        raise JiqunError(
            f"政策 {pid} 的结束日期早于开始日期", f"policy {pid} ends before it starts"
        )
    scope = spec.get("region_scope")
    row = Policy(
        policy_id=pid,
        title=str(spec["title"]),
        title_en=spec.get("title_en"),
        issuer=str(spec["issuer"]),
        region_scope=";".join(scope) if isinstance(scope, list | tuple) else scope,
        target=json.dumps(spec.get("target") or {}, ensure_ascii=False),
        rules=json.dumps(rules, ensure_ascii=False),
        benefits=spec.get("benefits"),
        start_date=start,
        end_date=end,
        source_document=spec.get("source_document"),
        synthetic=bool(spec.get("synthetic", synthetic)),
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    with session_scope(engine or get_engine()) as s:
        s.execute(delete(Policy).where(Policy.policy_id == pid))
        s.add(row)
    return pid


def load_policy_file(
    path: str | Path, engine: Engine | None = None, synthetic: bool = False
) -> list[str]:
    """Store every policy of a YAML or JSON file (a list of specs); all or nothing."""
    p = Path(path)
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise JiqunError(f"{p.name} 必须是政策列表", f"{p.name} must be a list of policies")
    for spec in data:  # validate every policy before writing any
        _check_text_fields(spec)
        validate_rule(spec.get("rules") or [])
    return [add_policy(spec, engine, synthetic) for spec in data]


def load_demo_policies(engine: Engine | None = None) -> list[str]:
    """The illustrative demo policies shipped in ``reference/data/policies_demo.yaml`` (synthetic)."""
    path = resources.files("jiqun.reference") / "data" / "policies_demo.yaml"
    with resources.as_file(path) as f:
        return load_policy_file(f, engine, synthetic=True)


def list_policies(engine: Engine | None = None, on: dt.date | None = None) -> pd.DataFrame:
    """All stored policies (``active`` = in force on ``on``, default today)."""
    on = on or dt.date.today()
    with Session(engine or get_engine()) as s:
        rows = s.execute(select(Policy).order_by(Policy.policy_id)).scalars().all()
    out = pd.DataFrame(
        [
            {
                "policy_id": r.policy_id,
                "title": r.title,
                "title_en": r.title_en,
                "issuer": r.issuer,
                "region_scope": r.region_scope,
                "benefits": r.benefits,
                "start_date": r.start_date,
                "end_date": r.end_date,
                "active": (r.start_date is None or r.start_date <= on)
                and (r.end_date is None or r.end_date >= on),
                "rules": json.loads(r.rules),
                "target": json.loads(r.target or "{}"),
                "source_document": r.source_document,
                "synthetic": bool(r.synthetic),
            }
            for r in rows
        ]
    )
    return out


def _firm_record(uscc: str, engine: Engine) -> dict[str, Any]:
    with engine.connect() as c:
        row = c.execute(
            text(
                "SELECT e.uscc, e.name, e.region_code, e.industry_code, e.founded, e.employees, "
                "e.revenue, e.rd_expense, e.tags, e.synthetic, d.level AS digital_level "
                f"FROM enterprises e {_DIGITAL_JOIN} WHERE e.uscc = :u"
            ),
            {"u": uscc},
        ).first()
        if row is None:
            raise JiqunError(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        firm = dict(row._mapping)
        clusters = c.execute(predicates.clusters_of(uscc)).scalars()
        firm["clusters"] = sorted(clusters)
    return firm


def policies_for_firm(
    uscc: str, engine: Engine | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """Every active policy for one firm: ``qualified``, ``narrow_misses``, ``not_qualified``,
    each with the rule lines (condition, firm value, passed, reason in Chinese and English)."""
    engine = engine or get_engine()
    on = on or dt.date.today()
    firm = _firm_record(uscc, engine)
    pols = list_policies(engine, on)
    out: dict[str, Any] = {"firm": firm, "qualified": [], "narrow_misses": [], "not_qualified": []}
    if pols.empty:
        return out
    for p in pols[pols["active"]].itertuples(index=False):
        ok, lines = evaluate(firm, p.rules, on)
        item = {"policy_id": p.policy_id, "title": p.title, "benefits": p.benefits, "lines": lines}
        if ok:
            out["qualified"].append(item)
        elif narrow_miss(lines):
            out["narrow_misses"].append(item)
        else:
            out["not_qualified"].append(item)
    out["basis"] = {
        "on": on.isoformat(),
        "money_unit": "万元",
        "digital_level": "latest submitted MIIT 2024 assessment (none → missing)",
        "synthetic": bool(firm.get("synthetic")),
    }
    return out


def policies_for_reader(
    principal: Principal,
    uscc: str,
    engine: Engine | None = None,
    on: dt.date | None = None,
    client: str | None = None,
) -> dict[str, Any]:
    """:func:`policies_for_firm` for one reader (anyone who may read the firm: its own
    account, an admin, its government or cluster organisation, a grantee); ONE audit entry
    (``read_firm_policies``) naming the firm and the basis of the read.

    Parameters
    ----------
    principal: the reader (the CLI passes :func:`jiqun.services.access.local_principal`).
    uscc: the firm.
    engine: the database.
    on: the evaluation date (default: today).
    client: the client address for the audit entry.

    Returns
    -------
    As :func:`policies_for_firm`.

    Raises
    ------
    jiqun.services.access.NotFound
        The firm is not registered, or the reader may not read it (existence does not leak).

    Example
    -------
    >>> policies_for_reader(access.local_principal(), "91370000728611939A")  # doctest: +SKIP
    """
    if principal.is_public:
        raise access.AccessDenied("请先登录", "log in first", status=401)
    engine = engine or get_engine()
    uscc = (uscc or "").strip().upper()
    basis = access.read_basis(principal, uscc, engine) if len(uscc) == 18 else None
    e = predicates.FIRMS
    with engine.connect() as c:
        exists = c.execute(select(e.c.uscc).where(e.c.uscc == uscc)).first()
    if basis is None or exists is None:
        raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
    out = policies_for_firm(uscc, engine, on)
    access.audit_read(
        principal,
        "read_firm_policies",
        [uscc],
        resource=f"enterprise:{uscc}",
        params={"uscc": uscc, "on": (on or dt.date.today()).isoformat()},
        detail=basis,
        client=client,
        engine=engine,
    )
    return out


#: rule field → the store column whose NULL leaves a firm's eligibility unknown
_NEEDS = (
    ("revenue", "revenue"),
    ("employees", "employees"),
    ("rd_expense", "rd_expense"),
    ("rd_intensity", "rd_expense"),
    ("firm_age", "founded"),
    ("digital_level", "level"),
)


def _needed(rule: Any) -> list[str]:
    """The columns whose NULL makes a firm unknown under ``rule`` (``level``: the digital level)."""
    text_ = json.dumps(rule)
    return list(dict.fromkeys(col for f, col in _NEEDS if text_.find(f'"{f}"') >= 0))


def _rule_context(rule: Any, engine: Engine, on: dt.date, digital: bool) -> Any:
    """The store state a rule refers to, for the engine (:class:`jiqun.engine.eligibility.
    RuleContext`): the named clusters' regions, leading industries and approved members, and the
    latest submitted digital levels when ``digital``."""
    from jiqun.engine.eligibility import ClusterArea, RuleContext

    def cluster_ids(c: Any) -> list[str]:
        if "any_of" in c:
            return [x for s in c["any_of"] for x in cluster_ids(s)]
        return [str(x) for x in c["value"]] if c.get("field") == "cluster" else []

    ids = list(dict.fromkeys(x for c in rule for x in cluster_ids(c)))
    areas: dict[str, ClusterArea] = {}
    with engine.connect() as c:
        for cid in ids:
            q = {"c": cid}
            areas[cid] = ClusterArea(
                regions=tuple(
                    c.execute(
                        text("SELECT region_code FROM cluster_regions WHERE cluster_id = :c"), q
                    ).scalars()
                ),
                industries=tuple(
                    c.execute(
                        text("SELECT industry_code FROM cluster_industries WHERE cluster_id = :c"),
                        q,
                    ).scalars()
                ),
                members=tuple(
                    c.execute(
                        text(
                            "SELECT uscc FROM cluster_members WHERE cluster_id = :c "
                            "AND status = 'approved'"
                        ),
                        q,
                    ).scalars()
                ),
            )
        levels = None
        if digital:
            # the rows the store's join yields (a tie of latest assessments included, as there)
            sub = _DIGITAL_JOIN[len("LEFT JOIN (") : _DIGITAL_JOIN.rindex(") d ON")]
            levels = pd.read_sql(text(sub), c)
    return RuleContext(on=on, clusters=areas, digital=levels)


def rule_firms(
    rule: Any, engine: Engine | None = None, on: dt.date | None = None
) -> tuple[pd.DataFrame, int, str]:
    """The firms that qualify under a rule, with the number left out for missing data.

    On the analytical engine over the lake when the lake copies the present store data
    (:func:`jiqun.services.lake.reading`; the rule compiled to Ibis by
    :func:`jiqun.engine.eligibility.rule_filter`), else in the store by the SQL of
    :func:`jiqun.policy.rules.to_sql`: the same firm set either way.

    Parameters
    ----------
    rule:
        The conditions (validated here).
    engine:
        The store.
    on:
        Evaluation date (default: today).

    Returns
    -------
    (firms, unknown, where)
        ``firms``: uscc, name, region_code, industry_code, revenue, employees, tags, synthetic,
        ordered by uscc; ``unknown``: firms lacking a value the rule needs; ``where``: what
        evaluated it (``sqlite``, ``postgresql``, ``duckdb``, ``spark-local`` …).

    Example
    -------
    >>> rule_firms([{"field": "revenue", "op": ">=", "value": 2000}])[0].columns[0]  # doctest: +SKIP
    'uscc'
    """
    from jiqun.services import lake

    engine = engine or get_engine()
    on = on or dt.date.today()
    validate_rule(rule)
    needed = _needed(rule)
    with lake.reading(engine) as eng:
        if eng is not None:
            from jiqun.engine.eligibility import MAX_FIRMS, eligible, unknown_count

            digital = uses_digital(rule)
            ctx = _rule_context(rule, engine, on, digital or bool(needed))
            firms = eng.to_pandas(eligible(eng, rule, ctx, digital=digital), max_rows=MAX_FIRMS)
            unknown = unknown_count(eng, needed, ctx)
            firms["synthetic"] = firms["synthetic"].astype(bool)
            for col in ("name", "region_code", "industry_code", "tags"):
                if len(firms) and firms[col].isna().all():
                    # as the store's reader gives a text column without a value: None, not NaN
                    firms[col] = pd.Series([None] * len(firms), dtype=object)
            return firms, unknown, eng.kind
    cond, params = to_sql(rule, on)
    join = _DIGITAL_JOIN if uses_digital(rule) else ""
    with engine.connect() as c:
        firms = pd.read_sql(
            text(
                "SELECT e.uscc, e.name, e.region_code, e.industry_code, e.revenue, e.employees, "
                f"e.tags, e.synthetic FROM enterprises e {join} WHERE {cond} ORDER BY e.uscc"
            ),
            c,
            params=params,
        )
        unknown = 0
        if needed:
            cols = [("d." if x == "level" else "e.") + x for x in needed]
            unknown = int(
                c.execute(
                    text(
                        f"SELECT COUNT(*) FROM enterprises e {_DIGITAL_JOIN} WHERE "
                        + " OR ".join(f"{x} IS NULL" for x in cols)
                    )
                ).scalar()
                or 0
            )
    firms["synthetic"] = firms["synthetic"].astype(bool)
    return firms, unknown, engine.dialect.name


def firms_for_policy(
    policy_id: str, engine: Engine | None = None, on: dt.date | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The qualifying firms of a policy (免申即享 list), evaluated over the whole registry in the
    database, or on the analytical engine over the lake when the lake is current
    (:func:`rule_firms`; the same firms either way).

    Returns
    -------
    (firms, info)
        ``firms``: uscc, name, region_code, industry_code, revenue, employees, tags;
        ``info``: counts of qualifying firms and of firms left out because a value the rule
        needs is missing (never silently counted as qualifying or not), ``evaluated_in`` (the
        database dialect or the engine).
    """
    engine = engine or get_engine()
    on = on or dt.date.today()
    pols = list_policies(engine, on)
    hit = pols[pols["policy_id"] == policy_id] if len(pols) else pols
    if hit.empty:
        raise JiqunError(f"找不到政策 {policy_id}", f"no policy {policy_id}")
    rule = hit.iloc[0]["rules"]
    firms, unknown, where = rule_firms(rule, engine, on)
    firms["synthetic"] = firms["synthetic"].astype(bool)
    info = {
        "policy_id": policy_id,
        "qualifying": len(firms),
        "unknown_missing_data": unknown,
        "note_zh": f"{unknown} 家企业缺少规则所需数据，未列入（缺失不视为符合）",
        "note_en": f"{unknown} firms lack data the rule needs and are not listed (missing never qualifies)",
        "evaluated_in": where,
        "on": on.isoformat(),
        "synthetic": bool(firms["synthetic"].any()),
    }
    return firms, info


def qualifying_firms(
    principal: Principal,
    policy_id: str,
    engine: Engine | None = None,
    on: dt.date | None = None,
    client: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """免申即享名单 for one reader: the qualifying firms of a policy within the principal's own
    scope (admin: all; government: its region; cluster organisation: its cluster's firms);
    audited.

    The one qualifying list behind the web page, the REST API (JSON, CSV, XLSX) and the CLI.
    The read is ONE audit entry (``policy_firms``) naming exactly the firms returned (the page,
    or every row for a download) and the query.

    Parameters
    ----------
    principal: the reader (admin, government or cluster organisation; 401/403 otherwise).
    policy_id: the policy.
    engine: the database.
    on: the evaluation date (default: today).
    client: the client address for the audit entry.
    limit, offset, sort: one page, sorted (``limit=None``: every row; default order uscc).

    Returns
    -------
    (firms, info) as :func:`firms_for_policy`; ``info`` adds ``total`` (rows before paging)
    and, for a non-admin, ``scope`` and ``qualifying_in_scope``.

    Raises
    ------
    jiqun.services.access.NotFound
        No such policy (or none active on ``on``).

    Example
    -------
    >>> firms, info = qualifying_firms(access.local_principal(), "DEMO-P01")  # doctest: +SKIP
    """
    access.require_policy_list(principal)
    engine = engine or get_engine()
    known = list_policies(engine, on)
    if known.empty or policy_id not in set(known["policy_id"]):
        raise access.NotFound(f"找不到政策 {policy_id}", f"no policy {policy_id}")
    firms, info = firms_for_policy(policy_id, engine, on)
    if principal.role != "admin":
        ft = predicates.FIRMS
        with engine.connect() as c:
            mine = set(
                c.execute(select(ft.c.uscc).where(predicates.own_scope(principal))).scalars()
            )
        firms = firms[firms["uscc"].isin(mine)].reset_index(drop=True)
        info = {**info, "scope": principal.scope, "qualifying_in_scope": len(firms)}
    firms, total = page_frame(firms, sort, "uscc", limit, offset)
    info = {**info, "total": total}
    access.audit_read(
        principal,
        "policy_firms",
        firms["uscc"].tolist(),
        resource=f"policy:{policy_id}",
        params={
            "policy_id": policy_id,
            "on": info.get("on"),
            "limit": limit,
            "offset": offset,
            "sort": sort,
        },
        client=client,
        engine=engine,
    )
    return firms, info


# --------------------------------------------------------------------------------------------
# evaluation and allocation
# --------------------------------------------------------------------------------------------


def cluster_indicators(engine: Engine | None = None, tier: str | None = None) -> pd.DataFrame:
    """Indicator table (cluster × year) for :func:`jiqun.policy.evaluation.evaluate_clusters`.

    ``scale`` = leading-industry output of the member cities (万元); ``growth`` its change on the
    previous stored year; ``specialisation`` = employment LQ of the leading industries in the
    member cities against all prefectures; ``innovation`` = national carriers + single-item
    champions + little giants inside (a snapshot: the same in every year; NaN — insufficient
    data — for a cluster with no firm registered in its area and no national carrier);
    ``digital`` = share of assessed member firms (inside the cluster) at MIIT level ≥ 3 (NaN
    without assessments). Every indicator is NaN, never 0, where its data are missing (e.g. a
    cluster without member regions, or county-level members without county statistics).
    ``chain`` and ``resilience`` are left for the chain and resilience services to add.
    """
    engine = engine or get_engine()
    champions, champion_params = predicates.as_sql(
        or_(predicates.has_tag("little_giant"), predicates.has_tag("single_champion")), "_tg"
    )
    with engine.connect() as c:
        cl = pd.read_sql(text("SELECT cluster_id, name, tier, field FROM clusters"), c)
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), c)
        ci = pd.read_sql(text("SELECT cluster_id, industry_code FROM cluster_industries"), c)
        regions = pd.read_sql(text("SELECT code, name, level, parent_code FROM regions"), c)
        stats = pd.read_sql(
            text(
                "SELECT region_code, industry_code, year, measure, value, synthetic FROM "
                f"region_stats WHERE measure IN ('output', 'employment') AND {INDUSTRY_ROWS}"
            ),
            c,
        )
        car = pd.read_sql(
            text(
                "SELECT cluster_id, region_code FROM innovation_carriers WHERE level = 'national'"
            ),
            c,
        )
        tagged = pd.read_sql(
            text(
                "SELECT e.uscc, e.region_code, e.industry_code, e.tags "
                f"FROM enterprises e WHERE {champions}"
            ),
            c,
            params=champion_params,
        )
        ft = predicates.FIRMS
        tag_pairs = pd.read_sql(
            predicates.cluster_area_pairs(
                or_(predicates.has_tag("little_giant"), predicates.has_tag("single_champion"))
            ),
            c,
        )
        # firms registered in each cluster's area: without any, a count of zero carriers and
        # champions would be a count of nothing (insufficient data), not a measured zero
        area = predicates.cluster_area_pairs().subquery()
        area_firms = pd.read_sql(
            select(area.c.cluster_id, func.count().label("n")).group_by(area.c.cluster_id), c
        )
        assessed = select(DigitalAssessment.uscc).where(DigitalAssessment.status == "submitted")
        dig_pairs = pd.read_sql(predicates.cluster_area_pairs(ft.c.uscc.in_(assessed)), c)
        dig = pd.read_sql(
            text(
                "SELECT e.uscc, e.region_code, e.industry_code, d.level FROM enterprises e "
                f"{_DIGITAL_JOIN} WHERE d.level IS NOT NULL"
            ),
            c,
        )
    if tier:
        cl = cl[cl["tier"] == tier]
    pref = prefecture_of(regions)
    # member regions at prefecture level by the diagnosis's rule (a county counts as its
    # prefecture, a province as all its prefectures): one area per cluster everywhere
    pm, _prov = prefecture_map(regions)
    level = regions.drop_duplicates("code").set_index("code")["level"]
    by_province = sorted(
        set(cr.loc[cr["region_code"].map(level) == "province", "cluster_id"])
        & set(cl["cluster_id"])
    )
    cr = pd.DataFrame(
        [
            {"cluster_id": cid, "region_code": code}
            for cid, g in cr.groupby("cluster_id", sort=False)
            for code in member_prefectures(g["region_code"].astype(str).tolist(), regions, pm)
        ],
        columns=["cluster_id", "region_code"],
    )
    cells = cr.merge(ci, on="cluster_id")
    cells = cells[cells["cluster_id"].isin(cl["cluster_id"])]
    stats["pref"] = stats["region_code"].map(pref)
    rows = []
    years = sorted(stats["year"].unique())
    emp = stats[stats["measure"] == "employment"]
    for y in years:
        s = stats[(stats["year"] == y) & (stats["measure"] == "output")]
        hit = s.merge(
            cells, left_on=["pref", "industry_code"], right_on=["region_code", "industry_code"]
        )
        scale = hit.groupby("cluster_id")["value"].sum()
        e = emp[emp["year"] == y]
        nat_total = float(e["value"].sum())
        by_pref = e.groupby("pref")["value"].sum()
        ehit = e.merge(
            cells, left_on=["pref", "industry_code"], right_on=["region_code", "industry_code"]
        )
        lead_emp = ehit.groupby("cluster_id")["value"].sum()
        nat_lead = e.merge(ci, on="industry_code").groupby("cluster_id")["value"].sum()
        member_total = cr.assign(t=cr["region_code"].map(by_pref)).groupby("cluster_id")["t"].sum()
        spec = lq_from_totals(lead_emp, member_total, nat_lead, nat_total)
        for cid in cl["cluster_id"]:
            rows.append(
                {
                    "cluster_id": cid,
                    "year": int(y),
                    "scale": float(scale.get(cid, np.nan)),
                    "specialisation": float(spec.get(cid, np.nan)),
                }
            )
    ind = pd.DataFrame(rows, columns=["cluster_id", "year", "scale", "specialisation"])
    if ind.empty:
        return ind.assign(tier=pd.Series(dtype=object))
    ind = ind.sort_values(["cluster_id", "year"])
    ind["growth"] = ind.groupby("cluster_id")["scale"].pct_change(fill_method=None)

    car["pref"] = car["region_code"].map(pref)
    by_id = car.dropna(subset=["cluster_id"]).groupby("cluster_id").size()
    by_reg = (
        car[car["cluster_id"].isna()]
        .drop(columns=["cluster_id"])
        .merge(cr.rename(columns={"region_code": "pref"}), on="pref")
        .groupby("cluster_id")
        .size()
    )
    n_car = by_id.add(by_reg, fill_value=0)
    in_tier = set(cells["cluster_id"])
    t_in = tagged.merge(tag_pairs[tag_pairs["cluster_id"].isin(in_tier)], on="uscc")
    n_tag = t_in.groupby("cluster_id")["uscc"].nunique()
    innovation = n_car.add(n_tag, fill_value=0)
    covered = set(area_firms.loc[area_firms["n"] > 0, "cluster_id"]) | set(n_car.index)
    ind["innovation"] = ind["cluster_id"].map(innovation).fillna(0.0)
    ind.loc[~ind["cluster_id"].isin(covered), "innovation"] = np.nan
    if len(dig):
        d_in = dig.merge(dig_pairs[dig_pairs["cluster_id"].isin(in_tier)], on="uscc")
        share = d_in.groupby("cluster_id")["level"].apply(lambda s: float((s >= 3).mean()))
        ind["digital"] = ind["cluster_id"].map(share)
    else:
        ind["digital"] = np.nan
    meta = cl.set_index("cluster_id")
    ind["tier"] = ind["cluster_id"].map(meta["tier"])
    ind["field"] = ind["cluster_id"].map(meta["field"])
    ind["name"] = ind["cluster_id"].map(meta["name"])
    ind = ind.reset_index(drop=True)
    ind.attrs["synthetic"] = bool(stats["synthetic"].astype(bool).any())
    ind.attrs["by_province"] = by_province
    return ind


@materialised("evaluation", depends=("digital", "members"))
def evaluate_stored_clusters(
    engine: Engine | None = None,
    weights: Mapping[str, float] | None = None,
    tier: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    """Scores, ranks and tier advice of the stored clusters in every year: THE evaluation.

    The one answer behind the web page ``/evaluation``, the REST API
    ``/api/v1/evaluation/clusters`` and ``jiqun evaluate clusters`` (all call it with the same
    defaults). Ranks, advice and rank changes are computed once, by
    :func:`jiqun.policy.evaluation.evaluate_clusters`: each tier is ranked among itself
    (national clusters among national ones, SME characteristic clusters among SME ones), so
    ``tier`` only filters the rows and never changes a rank.

    Parameters
    ----------
    engine:
        Database (default: the configured one).
    weights:
        Indicator weights (default :data:`jiqun.policy.DEFAULT_WEIGHTS`).
    tier:
        Keep only the clusters of this tier (``None``: every tier, the default everywhere).

    Returns
    -------
    (scores, basis, notes)
        ``scores`` as :func:`jiqun.policy.evaluation.evaluate_clusters` plus ``name`` and
        ``field``; ``basis`` states the population, the rank-change convention, the
        insufficient-data rule, units and weights; ``notes`` what is missing and why.

    References
    ----------
    docs/METHODS.md, "Cluster evaluation" (population, rank change, insufficient data).

    Example
    -------
    >>> res, basis, notes = evaluate_stored_clusters()  # doctest: +SKIP
    >>> basis["rank_change"]  # doctest: +SKIP
    'previous rank − current rank: positive = moved up (排名变化 = 上年名次 − 本年名次，正数为上升)'
    """
    ind = cluster_indicators(engine)
    if ind.empty:
        raise JiqunError(
            "没有可用于评估的地区统计（先运行 jiqun demo 或导入 region-stats）",
            "no region statistics to evaluate (run jiqun demo or import region-stats)",
        )
    res = evaluate_clusters(ind, weights)
    if tier:
        res = res[res["tier"] == tier].reset_index(drop=True)
    notes = []
    if ind.attrs.get("synthetic"):
        notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    if ind["digital"].isna().all():
        notes.append(
            "没有数字化评测数据，数字化指标未计入（权重按其余指标重新分配） / no digital assessments: "
            "the digital indicator is left out and its weight redistributed"
        )
    prov = [c for c in ind.attrs.get("by_province", []) if c in set(res["cluster_id"])]
    if prov:
        notes.append(
            f"{'、'.join(prov)} 未列明成员城市，按所在省份的全部地级单位统计（范围偏大） / "
            f"{', '.join(prov)} name no member city: figures cover every prefecture of their "
            "provinces (an area larger than the cluster)"
        )
    latest = res[res["year"] == res["year"].max()] if len(res) else res
    n_short = int(latest["score"].isna().sum()) if len(latest) else 0
    if n_short:
        notes.append(
            f"{n_short} 个集群数据不足（所在地区无规模、专业化统计），不评分、不排名、不给建议 / "
            f"{n_short} clusters have insufficient data (no scale or specialisation statistics "
            "for their area): no score, rank or advice"
        )
    notes.append(
        "产业链完整度与韧性指标需由产业链/韧性分析提供，本表未计入 / chain completeness and "
        "resilience come from the chain and resilience analyses and are not in this table"
    )
    basis = {
        "years": sorted(int(y) for y in ind["year"].unique()),
        "population": "各层级分别排名（国家级与国家级、中小企业特色集群与同类） / each tier "
        "ranked among itself: national clusters among national ones, SME characteristic "
        "clusters among SME ones",
        "rank_change": "排名变化 = 上年名次 − 本年名次，正数为上升 / previous rank − current "
        "rank: positive = moved up",
        "insufficient_data": "缺少数据的指标留空（不记 0）；规模与专业化数据都缺的集群不评分、不排名、"
        "不给建议（数据不足） / an indicator without its data is empty, never 0; a cluster "
        f"without data for any of {', '.join(CORE_INDICATORS)} is not scored, ranked or advised",
        "member_regions": "成员地区按地级统计：区县计入所属地级市，省计为其全部地级市（与诊断一致） / "
        "at prefecture level: a county member counts as its prefecture, a province as all its "
        "prefectures (as the diagnosis)",
        "scale_unit": "万元 (leading-industry output of member cities)",
        "specialisation": "employment LQ vs all prefecture-level units",
        "innovation": "count of national carriers, champions and little giants (snapshot)",
        "weights": dict(weights) if weights else "default (jiqun.policy.DEFAULT_WEIGHTS)",
        "tier": tier or "全部层级 / all",
        "synthetic": bool(ind.attrs.get("synthetic")),
    }
    return res, basis, notes


def evaluation_records(scores: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of :func:`evaluate_stored_clusters` as JSON-ready dicts (NaN, ``<NA>`` → None,
    NumPy scalars → Python): the one serialisation the CLI (``--json``) and the API share.

    Parameters
    ----------
    scores: the first element returned by :func:`evaluate_stored_clusters`.

    Returns
    -------
    list[dict]
        One dict per row, in the frame's order.

    Example
    -------
    >>> evaluation_records(pd.DataFrame({"rank": pd.array([1, None], dtype="Int64")}))
    [{'rank': 1}, {'rank': None}]
    """

    def clean(v: Any) -> Any:
        if v is pd.NA or v is pd.NaT or v is None:
            return None
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and not np.isfinite(v):
            return None
        return v

    return [{k: clean(v) for k, v in r.items()} for r in scores.to_dict(orient="records")]


STAGE_OF_TIER = {
    "sme_characteristic": "cultivation",
    "provincial": "cultivation",
    "national": "improvement",
    "world_class_candidate": "leap",
}


#: how far a cluster's reference amount (need) may move from an equal share of its pool
NEED_BOUNDS = (0.5, 2.0)

TIER_RULE = (
    "分池：每个层级一个资金池，集群只与同层级集群竞争（得分在层级内排名，跨层级不可比）；"
    "多个层级时预算按层级比例分池（默认按各层级参与集群数） / separate pools: one pool per "
    "tier, a cluster competes only with its own tier (scores are ranked within a tier and are "
    "not comparable across tiers); over several tiers the budget is split into pools by tier "
    "shares (default: in proportion to each tier's number of clusters)"
)
NEED_RULE = (
    "参考额 s_c = 所在资金池预算 ÷ 池内集群数 × 规模系数，规模系数 = √(主导产业产值 ÷ 池内中位数)，"
    "限定在 0.5–2 之间（无产值数据取 1） / need s_c = pool budget ÷ clusters in the pool × size "
    "factor, size factor = √(leading-industry output ÷ the pool's median), bounded to 0.5–2 "
    "(1 without output data)"
)


def parse_shares(text: str | None) -> dict[str, float] | None:
    """``"national=0.8,sme_characteristic=0.2"`` → ``{"national": 0.8, ...}`` (``None`` if empty):
    the tier shares as the web form and the CLI write them.

    Parameters
    ----------
    text: ``key=number`` pairs separated by commas.

    Returns
    -------
    dict or None

    Example
    -------
    >>> parse_shares("national=0.8, sme_characteristic=0.2")
    {'national': 0.8, 'sme_characteristic': 0.2}
    """
    return parse_pairs(text, ("层级比例", "tier shares"), ("层级=比例", "tier=share"))


def parse_pairs(
    text: str | None,
    name: tuple[str, str],
    form: tuple[str, str] = ("键=数值", "key=number"),
) -> dict[str, float] | None:
    """``"a=1,b=0.5"`` → ``{"a": 1.0, "b": 0.5}`` (``None`` if empty): weights, priorities and
    shares as a form field or a command-line option writes them.

    Parameters
    ----------
    text: ``key=number`` pairs separated by commas.
    name: what the pairs are, in Chinese and English, for the error message.
    form: how one pair is written, in Chinese and English, for the error message.

    Returns
    -------
    dict or None

    Raises
    ------
    JiqunError
        A part without ``=`` or whose value is not a number (the message quotes it).

    Example
    -------
    >>> parse_pairs("code=0.5, text=0.3", ("--weights ", "--weights"))
    {'code': 0.5, 'text': 0.3}
    """
    if not text or not text.strip():
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        k, sep, v = part.partition("=")
        try:
            if not sep:
                raise ValueError(part)
            out[k.strip()] = float(v)
        except ValueError as e:
            raise JiqunError(
                f"{name[0]}的写法应为 {form[0]},{form[0]}：{part.strip()!r}",
                f"{name[1]} must look like {form[1]},{form[1]}: {part.strip()!r}",
            ) from e
    return out


def _pools(tier: str | None) -> str | None:
    """``None``, ``""`` and ``"all"`` mean every tier (one pool each)."""
    return None if tier in (None, "", "all") else tier


def allocate_support(
    budget: float,
    engine: Engine | None = None,
    tier: str | None = "national",
    min_amount: float = 0.0,
    max_amount: float | None = None,
    field_priority: Mapping[str, float] | None = None,
    stage_priority: Mapping[str, float] | None = None,
    field_shares: Mapping[str, tuple[float | None, float | None]] | None = None,
    weights: Mapping[str, float] | None = None,
    tier_shares: Mapping[str, float] | None = None,
) -> tuple[AllocationResult, dict[str, Any]]:
    """Allocate ``budget`` (万元) over the stored clusters by their latest scores and need.

    Benefit per cluster ``w_c · s_c · ln(1 + x_c / s_c)`` (diminishing returns,
    :func:`jiqun.policy.allocation.allocate`) with

    - ``w_c`` = latest evaluation score / 100 × field priority × stage priority; stage:
      ``cultivation`` (provincial, SME characteristic), ``improvement`` (national), ``leap``
      (national clusters advised as world-class candidates);
    - ``s_c`` (need, 万元) = the pool's budget / its number of clusters × a size factor
      ``√(scale_c / median scale of the pool)`` bounded to [0.5, 2] (:data:`NEED_BOUNDS`;
      1 where the cluster's leading-industry output is missing): an equal share of the pool,
      up to twice as much for a large cluster that can absorb more, down to half for a small
      one;
    - **tier rule** (:data:`TIER_RULE`): separate pools. ``tier`` = one tier (default
      ``national``): the whole budget is that tier's pool. ``tier`` = ``"all"``/``None``: one
      pool per tier, shares ``tier_shares`` (default: each tier's number of scored clusters
      over the total). A cluster only competes with clusters of its own tier, because scores
      are ranked within a tier (:func:`evaluate_stored_clusters`).

    Clusters with insufficient data (no score) get nothing and are named in the notes.

    Parameters
    ----------
    budget: total budget (万元, > 0).
    engine: database (default: the configured one).
    tier: one tier, or ``"all"``/``None`` for every tier in separate pools.
    min_amount, max_amount: floor and cap per cluster (万元).
    field_priority, stage_priority: multipliers of the score (default 1).
    field_shares: ``field → (min share, max share)`` of the budget.
    weights: indicator weights of the evaluation.
    tier_shares: ``tier → share`` of the budget when several tiers are pooled (sums to 1).

    Returns
    -------
    (AllocationResult, basis)
        The allocation (with ``name`` and ``tier`` columns) and its basis (year, budget, unit,
        benefit, need rule, tier rule, pools, solver).

    References
    ----------
    docs/policy.md, "Allocation"; :mod:`jiqun.policy.allocation`.

    Example
    -------
    >>> res, basis = allocate_support(50000)  # doctest: +SKIP
    >>> float(res.allocation["share"].max()) < 0.25  # doctest: +SKIP
    True
    """
    one = _pools(tier)
    res, basis, _notes = evaluate_stored_clusters(engine, weights, None)
    latest = res[res["year"] == res["year"].max()].copy()
    if one is not None:
        latest = latest[latest["tier"] == one]
    short = latest.loc[latest["score"].isna(), "cluster_id"].tolist()
    latest = latest[latest["score"].notna()].reset_index(drop=True)
    if latest.empty:
        raise JiqunError(
            "没有数据充足的集群可供分配（全部为数据不足，或该层级没有集群）",
            "no cluster has enough data to allocate to (all have insufficient data, or the tier "
            "has no cluster)",
        )
    tiers = latest["tier"].fillna("other").astype(str)
    counts = tiers.value_counts()
    if tier_shares:
        shares = {str(k): float(v) for k, v in tier_shares.items() if str(k) in counts.index}
        if set(shares) != set(counts.index) or abs(sum(shares.values()) - 1) > 1e-6:
            raise JiqunError(
                f"层级比例须覆盖 {', '.join(sorted(counts.index))} 且合计为 1",
                f"tier shares must cover {', '.join(sorted(counts.index))} and sum to 1",
            )
    else:
        shares = {k: int(n) / len(latest) for k, n in counts.items()}
    pool_budget = tiers.map(shares) * budget
    median = latest.groupby(tiers)["scale"].transform("median")
    factor = np.sqrt(latest["scale"] / median).clip(*NEED_BOUNDS).fillna(1.0)
    need = pool_budget / tiers.map(counts) * factor
    stage = latest["tier"].map(STAGE_OF_TIER).fillna("improvement")
    stage = stage.where(latest["advice"] != "world_class_candidate", "leap")
    table = pd.DataFrame(
        {
            "cluster_id": latest["cluster_id"],
            "field": latest["field"].fillna("other"),
            "stage": stage,
            "score": latest["score"].clip(0, 100),
            "min": min_amount,
            "max": max_amount if max_amount is not None else np.nan,
            "need": need,
            "pool": tiers,
        }
    )
    out = allocate(table, budget, field_priority, stage_priority, field_shares, pool_shares=shares)
    out.allocation.insert(1, "name", latest["name"].to_numpy())
    out.allocation.insert(2, "tier", tiers.to_numpy())
    out.allocation.insert(
        out.allocation.columns.get_loc("need"), "size_factor", factor.to_numpy(float)
    )
    if short:
        out.notes.append(
            f"{len(short)} 个集群数据不足，未参与分配：{'、'.join(short)} / {len(short)} clusters "
            f"with insufficient data take no part: {', '.join(short)}"
        )

    def tier_name(k: str) -> tuple[str, str]:
        return TIERS.get(k, (k, k))

    pools_zh = "；".join(f"{tier_name(k)[0]} {v * budget:,.1f} 万元" for k, v in shares.items())
    pools_en = "; ".join(f"{tier_name(k)[1]} {v * budget:,.1f}" for k, v in shares.items())
    return out, {
        **basis,
        "tier": (
            " / ".join(tier_name(one)) if one else "全部层级（分池） / all tiers (separate pools)"
        ),
        "year": int(latest["year"].max()),
        "budget": budget,
        "unit": "万元",
        **out.basis,
        "need_rule": NEED_RULE,
        "tier_rule": TIER_RULE,
        "pools": f"{pools_zh} / {pools_en} (10k yuan)",
    }


def allocation_document(res: AllocationResult, basis: Mapping[str, Any]) -> dict[str, Any]:
    """An allocation as one JSON-ready document: THE answer the API returns, the CLI prints
    with ``--json`` and the web page shows.

    Parameters
    ----------
    res, basis: as returned by :func:`allocate_support`.

    Returns
    -------
    dict
        ``allocation``, ``sensitivity`` (rows), ``shadow_price``, ``shadow_prices`` and
        ``pool_budgets`` (per pool),
        ``scenario_shadow_price``, ``objective``, ``status``, ``notes``, ``synthetic``,
        ``basis``.

    Example
    -------
    >>> doc = allocation_document(*allocate_support(50000))  # doctest: +SKIP
    >>> sorted(doc)[:3]  # doctest: +SKIP
    ['allocation', 'basis', 'notes']
    """
    return {
        "allocation": evaluation_records(res.allocation),
        "sensitivity": evaluation_records(res.sensitivity),
        "shadow_price": res.shadow_price,
        "shadow_prices": res.shadow_prices,
        "pool_budgets": res.pool_budgets,
        "scenario_shadow_price": {
            k: (None if not np.isfinite(v) else v) for k, v in res.scenario_shadow_price.items()
        },
        "objective": res.objective,
        "status": res.status,
        "notes": list(res.notes),
        "synthetic": bool(basis.get("synthetic")),
        "basis": dict(basis),
    }


def support_allocation(
    principal: Principal,
    budget: float,
    engine: Engine | None = None,
    *,
    client: str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Decide a support allocation for ``principal``, audit it, and return its document.

    The one boundary the web page, the REST API and the CLI call (the CLI as
    :func:`jiqun.services.access.local_principal`): admin and government only; ONE audit entry
    ``allocation`` with the parameters, the status and the shadow price.

    Parameters
    ----------
    principal: who decides.
    budget: total budget (万元).
    engine: database (default: the configured one).
    client: client address for the audit entry.
    params: the keyword parameters of :func:`allocate_support` (tier, min_amount,
        max_amount, field_priority, stage_priority, field_shares, weights, tier_shares).

    Returns
    -------
    dict
        :func:`allocation_document`.

    Raises
    ------
    jiqun.services.access.AccessDenied
        For any other role.

    Example
    -------
    >>> doc = support_allocation(access.local_principal(), 50000)  # doctest: +SKIP
    """
    access.require_role(principal, "admin", "government")
    res, basis = allocate_support(budget, engine, **params)
    detail = {"budget": budget, **{k: v for k, v in params.items() if v not in (None, {}, 0.0)}}
    access.audit(
        principal,
        "allocation",
        "evaluation",
        detail={**detail, "status": res.status, "shadow_price": round(res.shadow_price, 6)},
        client=client,
        engine=engine,
    )
    return allocation_document(res, basis)
