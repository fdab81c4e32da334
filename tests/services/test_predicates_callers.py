"""The callers moved onto :mod:`jiqun.services.predicates` select the same firms as before.

Each ``BEFORE_*`` string is the SQL the caller wrote itself before the move (copied verbatim
from the earlier code); on the small demo database the firm sets must be equal, cluster by
cluster.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text

from jiqun.policy import to_sql
from jiqun.reference import region_prefix
from jiqun.services import access, digital, predicates
from jiqun.services.accounts import Principal

# services.access._IN_CLUSTER and services.digital._IN_CLUSTER (same text)
BEFORE_IN_CLUSTER = (
    "(e.uscc IN (SELECT m.uscc FROM cluster_members m WHERE m.cluster_id = :_cid "
    "AND m.status = 'approved') OR "
    "((e.region_code IN (SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid) "
    "OR substr(e.region_code, 1, 4) || '00' IN "
    "(SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid)) AND "
    "e.industry_code IN (SELECT i.industry_code FROM cluster_industries i "
    "WHERE i.cluster_id = :_cid)))"
)
# services.published._fine_table (cluster filter)
BEFORE_AREA = (
    "(e.region_code IN (SELECT r.region_code FROM cluster_regions r "
    "WHERE r.cluster_id = :_cid) OR substr(e.region_code, 1, 4) || '00' IN "
    "(SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid)) AND "
    "e.industry_code IN (SELECT i.industry_code FROM cluster_industries i "
    "WHERE i.cluster_id = :_cid)"
)
# services.access.import_rows_outside_scope (cluster-members import)
BEFORE_REGIONS = (
    "(e.region_code IN (SELECT r.region_code FROM cluster_regions r "
    "WHERE r.cluster_id = :_cid) OR substr(e.region_code, 1, 4) || '00' IN "
    "(SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid) OR "
    "substr(e.region_code, 1, 2) || '0000' IN "
    "(SELECT r.region_code FROM cluster_regions r WHERE r.cluster_id = :_cid))"
)
# policy.rules.to_sql, field "cluster" with one id
BEFORE_RULE_CLUSTER = (
    "(e.uscc IN (SELECT m.uscc FROM cluster_members m WHERE m.cluster_id IN (:_cid) "
    "AND m.status = 'approved') OR "
    "EXISTS (SELECT 1 FROM cluster_regions r JOIN cluster_industries i "
    "ON i.cluster_id = r.cluster_id WHERE r.cluster_id IN (:_cid) "
    "AND i.industry_code = e.industry_code AND (r.region_code = e.region_code OR "
    "r.region_code = substr(e.region_code, 1, 4) || '00')))"
)
# services.policy._firm_record (clusters of one firm)
BEFORE_FIRM_CLUSTERS = (
    "SELECT cluster_id FROM cluster_members WHERE uscc = :u AND status = 'approved' "
    "UNION "
    "SELECT r.cluster_id FROM cluster_regions r JOIN cluster_industries i "
    "ON i.cluster_id = r.cluster_id WHERE i.industry_code = :ind AND "
    "(r.region_code = :reg OR r.region_code = :pref)"
)
TAGS = ["little_giant", "single_champion", "srdi", "high_tech", "chain_leader"]


def _firms(engine: Engine, cond: str, params: dict[str, object]) -> set[str]:
    with engine.connect() as c:
        return set(
            c.execute(text(f"SELECT e.uscc FROM enterprises e WHERE {cond}"), params).scalars()
        )


@pytest.fixture(scope="module")
def demo(demo_copy: object) -> object:
    from jiqun.store.db import make_engine

    url = demo_copy.copy()  # type: ignore[attr-defined]
    eng = make_engine(url)
    with eng.begin() as c:
        # a pending membership must not count; an approved one from outside the area must
        cid = c.execute(text("SELECT MIN(cluster_id) FROM cluster_regions")).scalar()
        outside = c.execute(
            text(
                "SELECT e.uscc FROM enterprises e WHERE e.industry_code NOT IN "
                "(SELECT industry_code FROM cluster_industries WHERE cluster_id = :c) "
                "ORDER BY e.uscc LIMIT 2"
            ),
            {"c": cid},
        ).scalars()
        for u, status in zip(outside, ("approved", "pending"), strict=False):
            c.execute(
                text(
                    "INSERT INTO cluster_members (cluster_id, uscc, role, synthetic, status) "
                    "VALUES (:c, :u, 'member', true, :s)"
                ),
                {"c": cid, "u": u, "s": status},
            )
    yield eng
    eng.dispose()
    demo_copy.drop(url)  # type: ignore[attr-defined]


def _clusters(engine: Engine) -> list[str]:
    with engine.connect() as c:
        return list(
            c.execute(text("SELECT cluster_id FROM clusters ORDER BY cluster_id")).scalars()
        )


def test_cluster_rules_unchanged(demo: Engine) -> None:
    nonempty = 0
    for cid in _clusters(demo):
        p = {"_cid": cid}
        before = _firms(demo, BEFORE_IN_CLUSTER, p)
        nonempty += bool(before)
        # access: a cluster organisation's own scope
        assert _firms(demo, *access.enterprise_scope_sql(Principal("c", "cluster", cid))) == before
        # digital: the firms of a cluster
        assert set(digital.cluster_firms(cid, demo)["uscc"]) == before, cid
        # policy rules: {"field": "cluster", "op": "in", "value": [cid]}
        rule = [{"field": "cluster", "op": "in", "value": [cid]}]
        assert _firms(demo, *to_sql(rule)) == _firms(demo, BEFORE_RULE_CLUSTER, p) == before
        # published tables: the statistical area
        area = _firms(demo, *predicates.as_sql(predicates.in_cluster_area(cid)))
        assert area == _firms(demo, BEFORE_AREA, p), cid
        regions = _firms(demo, *predicates.as_sql(predicates.in_cluster_regions(cid)))
        assert regions == _firms(demo, BEFORE_REGIONS, p), cid
    assert nonempty >= 5  # the comparison is not between empty sets


def test_firm_clusters_unchanged(demo: Engine) -> None:
    with demo.connect() as c:
        firms = c.execute(
            text(
                "SELECT uscc, region_code, industry_code FROM enterprises "
                "WHERE uscc IN (SELECT uscc FROM cluster_members) OR uscc LIKE '%1' "
                "ORDER BY uscc LIMIT 300"
            )
        ).all()
        hits = 0
        for u, reg, ind in firms:
            before = set(
                c.execute(
                    text(BEFORE_FIRM_CLUSTERS),
                    {"u": u, "ind": ind, "reg": reg, "pref": reg[:4] + "00"},
                ).scalars()
            )
            after = set(c.execute(predicates.clusters_of(u)).scalars())
            assert after == before, u
            assert digital.firm_clusters(u, demo) == sorted(before)
            hits += bool(before)
    assert hits >= 10


def test_tag_and_region_rules_unchanged(demo: Engine) -> None:
    for tag in TAGS:
        before = _firms(demo, "(';' || COALESCE(e.tags, '') || ';') LIKE :tg", {"tg": f"%;{tag};%"})
        assert _firms(demo, *predicates.as_sql(predicates.has_tag(tag))) == before
        rule = [{"field": "tags", "op": "has", "value": tag}]
        assert _firms(demo, *to_sql(rule)) == before
    for code in ("32", "320000", "320200", "320214", "440300", "110000"):
        before = _firms(demo, "e.region_code LIKE :rp", {"rp": region_prefix(code) + "%"})
        assert _firms(demo, *predicates.as_sql(predicates.in_region(code))) == before
        gov = Principal("g", "government", code)
        assert _firms(demo, *access.enterprise_scope_sql(gov)) == before


def test_champion_prefilter_keeps_every_champion(demo: Engine) -> None:
    # overview and policy read champions with has_tag instead of a substring LIKE
    loose = _firms(demo, "e.tags LIKE '%little_giant%' OR e.tags LIKE '%single_champion%'", {})
    cond, params = predicates.as_sql(
        predicates.has_tag("little_giant") | predicates.has_tag("single_champion")
    )
    exact = _firms(demo, cond, params)
    assert exact and exact <= loose
    with demo.connect() as c:
        tags = dict(c.execute(text("SELECT uscc, tags FROM enterprises")).all())
    want = {
        u
        for u, t in tags.items()
        if {"little_giant", "single_champion"} & set((t or "").split(";"))
    }
    assert exact == want


def test_grants_in_scope_condition(demo: Engine) -> None:
    # a government sees its region plus firms granted to its organisation, not revoked ones
    with demo.begin() as c:
        org = c.execute(
            text(
                "INSERT INTO organisations (name, kind, scope, created_at) "
                "VALUES ('t', 'government', '110000', :n) RETURNING id"
            ),
            {"n": dt.datetime(2026, 1, 1)},
        ).scalar_one()
        far = c.execute(
            text("SELECT MIN(uscc) FROM enterprises WHERE region_code LIKE '44%'")
        ).scalar()
        c.execute(
            text(
                "INSERT INTO grants (uscc, grantee_organisation_id, granted_by, granted_at) "
                "VALUES (:u, :o, 't', :n)"
            ),
            {"u": far, "o": org, "n": dt.datetime(2026, 1, 1)},
        )
    gov = Principal("g", "government", "110000", org)
    region = _firms(demo, "e.region_code LIKE '11%'", {})
    assert _firms(demo, *access.enterprise_scope_sql(gov)) == region | {far}


def test_cluster_area_pairs_match_the_rules_they_replace(demo: Engine) -> None:
    # overview and innovation assigned tagged firms to clusters in pandas (prefecture from the
    # regions table); they now read predicates.cluster_area_pairs
    import pandas as pd

    from jiqun.services.overview import prefecture_of

    e = predicates.FIRMS
    with demo.connect() as c:
        regions = pd.read_sql(text("SELECT code, name, level, parent_code FROM regions"), c)
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), c)
        ci = pd.read_sql(text("SELECT cluster_id, industry_code FROM cluster_industries"), c)
        ent = pd.read_sql(
            text(
                "SELECT uscc, region_code, industry_code FROM enterprises "
                "WHERE tags IS NOT NULL AND tags <> ''"
            ),
            c,
        )
        pairs = pd.read_sql(predicates.cluster_area_pairs(e.c.tags.is_not(None), e.c.tags != ""), c)
    ent["pref"] = ent["region_code"].map(prefecture_of(regions.drop_duplicates("code")))
    old = ent.merge(
        cr.merge(ci, on="cluster_id"),
        left_on=["pref", "industry_code"],
        right_on=["region_code", "industry_code"],
    )
    before = set(zip(old["cluster_id"], old["uscc"], strict=True))
    after = set(zip(pairs["cluster_id"], pairs["uscc"], strict=True))
    assert len(before) >= 20
    assert before <= after
    # The one difference is intended: the pandas rule mapped a firm's county to its prefecture
    # before comparing, so a cluster whose member region is a county (SME characteristic
    # clusters) never contained the firms registered in that very county. The access rule, and
    # now every caller, counts them.
    members = set(zip(cr["cluster_id"], cr["region_code"], strict=True))
    county_of = dict(zip(ent["uscc"], ent["region_code"], strict=True))
    extra = after - before
    assert extra and all((k, county_of[u]) in members for k, u in extra)
    assert all(not county_of[u].endswith("00") for _, u in extra)
    # and the pairs are in_cluster_area, cluster by cluster
    for cid in sorted({p[0] for p in after})[:10]:
        area = _firms(demo, *predicates.as_sql(predicates.in_cluster_area(cid)))
        tagged = set(ent["uscc"])
        assert {u for k, u in after if k == cid} == area & tagged
