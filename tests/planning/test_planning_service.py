"""The division-of-labour service on the small demo: the 长三角 clusters, the boundary, what the
plan changes (src/jiqun/services/planning.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from jiqun.errors import JiqunError
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.services.planning import division_plan

#: multi-city clusters of the Yangtze River Delta in the demo, with a chain of their field
DELTA = [
    ("NC2022-06", "biomedicine"),  # 泰州、连云港、无锡 生物医药
    ("NC2024-X09", "photovoltaics"),  # 盐城、常州、宿迁、淮安 光伏
]


@pytest.mark.parametrize(("cluster", "chain"), DELTA)
def test_delta_clusters_similarity_lower_after(
    demo_engine: Engine, cluster: str, chain: str
) -> None:
    v = division_plan(None, cluster, chain, engine=demo_engine)
    x = v.plan.assignment
    with demo_engine.connect() as c:
        members = set(
            c.execute(
                text("SELECT region_code FROM cluster_regions WHERE cluster_id = :c"),
                {"c": cluster},
            ).scalars()
        )
    assert set(x.index) == members
    assert list(x.columns) == [s.id for s in v.template.segments]
    assert x.any(axis=0).all()  # every segment led
    s = v.changes["summary"]
    assert s["similarity_after"] < s["similarity_before"]
    assert s["krugman_after"] > s["krugman_before"]
    assert s["completeness_after"] == 1.0
    assert v.source == "registry"
    # every component is shown beside each assignment
    for col in ("lq", "density", "chain_leaders", "output", "firms"):
        assert col in v.plan.explanation.columns
    # the advantage is what the stated rule says
    ex = v.plan.explanation
    expect = ex["lq"] + 0.5 * ex["density"] + 0.5 * (ex["chain_leaders"] > 0)
    np.testing.assert_allclose(ex["advantage"], expect, equal_nan=True)
    # a segment with LQ ≥ 2 is never taken away
    strong = ex[ex["lq"] >= 2]
    assert strong["assigned"].all()
    flows = v.changes["flows"]
    assert set(flows.columns) >= {"from_segment", "to_segment", "from_city", "to_city", "basis"}
    assert (flows["from_city"] != flows["to_city"]).all()


def test_regions_list_and_default_chain(demo_engine: Engine) -> None:
    v = division_plan(
        None, regions=["310000", "320500", "330100"], chain="integrated_circuits",
        engine=demo_engine,
    )  # fmt: skip
    assert list(v.plan.assignment.index) == ["310000", "320500", "330100"]
    assert v.group["kind"] == "regions"
    # a cluster without a chain named gets the first chain of its field
    w = division_plan(None, "NC2022-06", engine=demo_engine)
    assert w.template.field == "biomedicine"


def test_public_gets_the_plan_from_published_aggregates(demo_engine: Engine) -> None:
    from jiqun.services.release import build_release

    build_release(demo_engine)
    v = division_plan(PUBLIC, "NC2022-06", "biomedicine", engine=demo_engine)
    assert v.source == "published"
    assert (v.components["chain_leaders"].to_numpy() == 0).all()
    with demo_engine.connect() as c:
        n = c.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'division_plan'")
        ).scalar()
    assert n == 0


def test_government_of_the_group_gets_the_registry_plan_audited(demo_engine: Engine) -> None:
    gov = Principal("js-gov", "government", "320000")
    v = division_plan(gov, "NC2022-06", "biomedicine", engine=demo_engine, client="t")
    assert v.source == "registry"
    with demo_engine.connect() as c:
        rows = c.execute(
            text("SELECT resource FROM audit_log WHERE action = 'division_plan'")
        ).all()
    assert [r[0] for r in rows] == ["chain:biomedicine"]
    # a government outside the group gets the published plan (no release yet: refused)
    other = Principal("zj-gov", "government", "330000")
    with pytest.raises(JiqunError) as e:
        division_plan(other, "NC2022-06", "biomedicine", engine=demo_engine)
    assert "release" in e.value.message_en


def test_fewer_than_two_cities_refused(demo_engine: Engine) -> None:
    with pytest.raises(JiqunError) as e:
        division_plan(None, "NC2021-03", "integrated_circuits", engine=demo_engine)
    assert "at least 2 cities" in e.value.message_en


def test_flows_without_supply_links_use_io_dependence(
    demo_engine: Engine, tmp_path: Path, write_io42: Callable[..., None]
) -> None:
    from jiqun.chains.io_weight import segment_sector_shares
    from jiqun.services.inputoutput import load_io_table

    path = tmp_path / "io42.csv"
    write_io42(path, seed=3)
    v = division_plan(None, "NC2024-X09", "photovoltaics", engine=demo_engine, io_table=path)
    flows = v.changes["flows"]
    io = flows[flows["basis"].str.startswith("投入产出依赖")]
    linked = flows[flows["basis"].str.contains("supply links")]
    assert len(io) and len(io) + len(linked) == len(flows)
    # the documented formula u_u'·A·u_v with A = Z_domestic / x
    t = load_io_table(path)
    A = t.Z_domestic.div(t.x, axis=1)
    u = segment_sector_shares(v.template)
    A = A.reindex(index=u.columns, columns=u.columns).fillna(0.0)
    for r in io.to_dict("records"):
        want = float(u.loc[r["from_segment"]] @ A @ u.loc[r["to_segment"]])
        assert r["value"] == pytest.approx(want)
    # without a table the unlinked flows are the template's edges, unvalued
    w = division_plan(None, "NC2024-X09", "photovoltaics", engine=demo_engine)
    f = w.changes["flows"]
    assert f.loc[~f["basis"].str.contains("supply links"), "value"].isna().all()
