"""The recurring predicates of :mod:`jiqun.services.predicates` on a small hand-built database.

Every predicate is checked twice: in a Core query and as the condition string services embed in
text (:func:`jiqun.services.predicates.as_sql`); both must give the same, hand-counted firms.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import ColumnElement, Engine, insert, select, text, true

from jiqun.services import predicates as pr
from jiqun.services.accounts import Principal
from jiqun.store.models import (
    Cluster,
    ClusterIndustry,
    ClusterMember,
    ClusterRegion,
    Enterprise,
    Grant,
    Organisation,
)

# (uscc, region, industry, tags)
FIRMS = {
    "F1": ("320214", "3973", "little_giant;srdi"),  # county of 无锡, leading industry
    "F2": ("320200", "3973", None),  # 无锡 itself, leading industry
    "F3": ("320214", "2720", ""),  # wrong industry, approved member of T1
    "F4": ("440300", "3973", "srdi"),  # elsewhere, pending member of T1
    "F5": ("320500", "3973", "xlittle_giant;little_giantx"),  # 苏州: not a whole tag
    "F6": ("320100", "3973", "little_giant"),  # 南京
    "F7": ("310115", "3491", "single_champion;little_giant"),  # 上海浦东
}
NOW = dt.datetime(2026, 1, 1)


def code(k: str) -> str:
    return f"9132000000000000{k}"


@pytest.fixture
def small(engine: Engine) -> dict[str, int]:
    """Seven firms, two clusters (T1: 无锡 × 3973; T2: 江苏 province), three grants."""
    with engine.begin() as c:
        c.execute(
            insert(Enterprise),
            [
                {"uscc": code(k), "name": k, "region_code": r, "industry_code": i, "tags": t}
                for k, (r, i, t) in FIRMS.items()
            ],
        )
        c.execute(
            insert(Cluster),
            [
                {"cluster_id": "T1", "name": "测试集群一", "tier": "national"},
                {"cluster_id": "T2", "name": "测试集群二", "tier": "provincial"},
            ],
        )
        c.execute(
            insert(ClusterRegion),
            [
                {"cluster_id": "T1", "region_code": "320200"},
                {"cluster_id": "T2", "region_code": "320000"},
            ],
        )
        c.execute(insert(ClusterIndustry), [{"cluster_id": "T1", "industry_code": "3973"}])
        c.execute(
            insert(ClusterMember),
            [
                {"cluster_id": "T1", "uscc": code("F3"), "status": "approved"},
                {"cluster_id": "T1", "uscc": code("F4"), "status": "pending"},
            ],
        )
        org = c.execute(
            insert(Organisation).returning(Organisation.id),
            {"name": "测试政府", "kind": "government", "scope": "320200", "created_at": NOW},
        ).scalar_one()
        later, earlier = NOW + dt.timedelta(days=30), NOW - dt.timedelta(days=1)
        grant = {
            "grantee_organisation_id": org,
            "granted_by": "t",
            "granted_at": earlier,
            "expires_at": None,
            "revoked_at": None,
        }
        c.execute(
            insert(Grant),
            [
                {**grant, "uscc": code("F7"), "expires_at": later},  # active
                {**grant, "uscc": code("F4"), "revoked_at": earlier},  # revoked
                {**grant, "uscc": code("F5"), "expires_at": earlier},  # expired
            ],
        )
    return {"org": int(org)}


def firms(engine: Engine, cond: ColumnElement[bool]) -> set[str]:
    """The firm keys (F1 ...) selected by ``cond``, the same through Core and through text."""
    with engine.connect() as c:
        core = set(c.execute(select(pr.FIRMS.c.uscc).where(cond)).scalars())
        sql, params = pr.as_sql(cond, "_t")
        raw = set(
            c.execute(text(f"SELECT e.uscc FROM enterprises e WHERE {sql}"), params).scalars()
        )
    assert core == raw, (sql, params)
    return {u[-2:] for u in core}


def test_in_region(small: dict[str, int], engine: Engine) -> None:
    assert firms(engine, pr.in_region("320200")) == {"F1", "F2", "F3"}
    assert firms(engine, pr.in_region("3202")) == {"F1", "F2", "F3"}
    assert firms(engine, pr.in_region("320214")) == {"F1", "F3"}
    assert firms(engine, pr.in_region("320000")) == {"F1", "F2", "F3", "F5", "F6"}
    assert firms(engine, pr.in_region("310000")) == {"F7"}
    assert firms(engine, pr.in_region("abc")) == set()
    assert firms(engine, pr.in_region("999999")) == set()


def test_has_tag_is_whole_tags(small: dict[str, int], engine: Engine) -> None:
    assert firms(engine, pr.has_tag("little_giant")) == {"F1", "F6", "F7"}
    assert firms(engine, pr.has_tag("srdi")) == {"F1", "F4"}
    assert firms(engine, pr.has_tag("single_champion")) == {"F7"}
    assert firms(engine, pr.has_tag("little%")) == set()  # a wildcard is a character
    assert firms(engine, pr.has_tag("little_gian_")) == set()


def test_cluster_predicates(small: dict[str, int], engine: Engine) -> None:
    assert firms(engine, pr.in_cluster_area("T1")) == {"F1", "F2"}
    assert firms(engine, pr.cluster_member("T1")) == {"F3"}
    assert firms(engine, pr.cluster_member("T1", approved_only=False)) == {"F3", "F4"}
    assert firms(engine, pr.in_cluster("T1")) == {"F1", "F2", "F3"}
    assert firms(engine, pr.in_cluster("T1", approved_only=False)) == {"F1", "F2", "F3", "F4"}
    # T2 has a province as member region and no leading industry
    assert firms(engine, pr.in_cluster("T2")) == set()
    assert firms(engine, pr.in_cluster_regions("T2")) == {"F1", "F2", "F3", "F5", "F6"}
    assert firms(engine, pr.in_cluster_regions("T1")) == {"F1", "F2", "F3"}
    assert firms(engine, pr.in_cluster("NOPE")) == set()


def test_cluster_area_pairs(small: dict[str, int], engine: Engine) -> None:
    with engine.connect() as c:
        mine = pr.FIRMS.c.name.like("F_")  # the hand-built firms (reference clusters exist too)
        every = {(k, u[-2:]) for k, u in c.execute(pr.cluster_area_pairs(mine))}
        srdi = pr.cluster_area_pairs(mine, pr.has_tag("srdi"))
        tagged = {(k, u[-2:]) for k, u in c.execute(srdi)}
    assert {p for p in every if p[0].startswith("T")} == {("T1", "F1"), ("T1", "F2")}
    assert {p for p in tagged if p[0].startswith("T")} == {("T1", "F1")}


def test_in_cluster_correlated_with_clusters(small: dict[str, int], engine: Engine) -> None:
    cl = Cluster.__table__
    q = (
        select(cl.c.cluster_id, pr.FIRMS.c.uscc)
        .select_from(cl.join(pr.FIRMS, true()))
        .where(pr.in_cluster(cl.c.cluster_id))
    )
    with engine.connect() as c:
        pairs = {(cid, u[-2:]) for cid, u in c.execute(q)}
    assert {p for p in pairs if p[0] in ("T1", "T2")} == {("T1", "F1"), ("T1", "F2"), ("T1", "F3")}


def test_own_scope_and_visible_to(small: dict[str, int], engine: Engine) -> None:
    org = small["org"]
    gov = Principal("g", "government", "320200", org)
    assert firms(engine, pr.own_scope(gov)) == {"F1", "F2", "F3"}
    # F7 granted and active; F4 revoked; F5 expired
    assert firms(engine, pr.visible_to(gov, now=NOW)) == {"F1", "F2", "F3", "F7"}
    # after F7's grant expired
    later = NOW + dt.timedelta(days=31)
    assert firms(engine, pr.visible_to(gov, now=later)) == {"F1", "F2", "F3"}
    clu = Principal("c", "cluster", "T1", None)
    assert firms(engine, pr.visible_to(clu)) == {"F1", "F2", "F3"}
    ent = Principal("f", "enterprise", code("F5"), None)
    assert firms(engine, pr.visible_to(ent)) == {"F5"}
    assert firms(engine, pr.visible_to(Principal("a", "admin"))) == set(FIRMS)
    assert firms(engine, pr.visible_to(Principal(None, "public"))) == set()
    assert firms(engine, pr.own_scope(Principal("x", "government", None, org))) == set()


def test_as_sql_prefixes_keep_conditions_apart(small: dict[str, int], engine: Engine) -> None:
    a, pa = pr.as_sql(pr.in_region("320200"), "_a")
    b, pb = pr.as_sql(pr.has_tag("srdi"), "_b")
    assert not set(pa) & set(pb)
    with engine.connect() as c:
        got = set(
            c.execute(
                text(f"SELECT e.uscc FROM enterprises e WHERE ({a}) OR ({b})"), {**pa, **pb}
            ).scalars()
        )
    assert {u[-2:] for u in got} == {"F1", "F2", "F3", "F4"}
