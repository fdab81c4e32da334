"""What a demo user meets first: the input-stop example answers, the matching board has
postings, and government accounts exist for 北京 and for 江苏 (a province with many clusters)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from jiqun.resilience import is_foreign


def test_demo_has_foreign_suppliers_and_the_import_stop_example_answers(
    demo_engine: Engine,
) -> None:
    from jiqun.services.resilience import scenario_for

    with demo_engine.connect() as c:
        regions = [r[0] for r in c.execute(text("SELECT region_code FROM enterprises"))]
        n_foreign = int(is_foreign(regions).sum())
        n_links = c.execute(
            text(
                "SELECT COUNT(*) FROM supply_links l JOIN enterprises e "
                "ON e.uscc = l.supplier_uscc WHERE l.input_category = '3973' "
                "AND e.region_code IN ('JP', 'KR', 'US')"
            )
        ).scalar()
    assert n_foreign >= 15
    assert n_links and n_links > 0
    # the scenarios page's own example (industry 3973) answered 400 before
    rep = scenario_for(None, "import", "3973", engine=demo_engine)
    assert rep.summary["stopped_value"] > 0
    assert rep.summary["loss_share"] > 0


def test_demo_matching_board_has_needs_and_capabilities(demo_engine: Engine) -> None:
    from jiqun.services.matching.board import list_capabilities, list_needs
    from jiqun.services.matching.search import match_need

    needs = list_needs(engine=demo_engine)
    caps = list_capabilities(engine=demo_engine)
    assert len(needs) >= 30 and len(caps) >= 50
    assert needs["name"].notna().all() and caps["name"].notna().all()
    assert needs["synthetic"].astype(bool).all()
    # a posted need finds suppliers
    res = match_need(int(needs["id"].iloc[0]), engine=demo_engine, require_certifications=False)
    assert len(res.table) > 0


def test_demo_accounts_cover_beijing_and_jiangsu(demo_engine: Engine) -> None:
    from jiqun.services.accounts import ensure_demo_accounts

    accounts = {a["username"]: a for a in ensure_demo_accounts(demo_engine)}
    assert accounts["demo_gov"]["scope"] == "110000"
    assert accounts["demo_gov_js"]["role"] == "government"
    assert accounts["demo_gov_js"]["scope"] == "320000"
    assert {"demo_admin", "demo_cluster", "demo_firm"} <= set(accounts)


def test_cluster_carriers_belong_to_its_industries(demo_engine: Engine) -> None:
    from jiqun.services.directory import cluster_carriers, cluster_profile

    with demo_engine.connect() as c:
        car = {
            r[0]: (r[1] or "", r[2] or "", r[3], r[4])
            for r in c.execute(
                text(
                    "SELECT id, industry_code, field, cluster_id, region_code "
                    "FROM innovation_carriers"
                )
            )
        }
        ids = [
            r[0] for r in c.execute(text("SELECT cluster_id FROM clusters WHERE tier = 'national'"))
        ]
    unrelated_in_members = 0
    for cid in ids:
        prof = cluster_profile(cid, demo_engine)
        leading = tuple(i["code"] for i in prof["leading_industries"])
        prefs = tuple(
            m["code"][:4] for m in prof["member_regions"] if not m["code"].endswith("0000")
        )
        for ind, fld, owner, reg in car.values():
            if owner is None and prefs and reg.startswith(prefs):
                unrelated_in_members += not (ind.startswith(leading) or fld == prof["field"])
        for row in cluster_carriers(cid, demo_engine).table["id"]:
            ind, fld, owner, _ = car[row]
            # a member city's fruit laboratory is not the IoT cluster's carrier
            assert owner == cid or ind.startswith(leading) or fld == prof["field"], (cid, ind, fld)
    assert unrelated_in_members > 0  # member cities do host carriers of other industries


def test_cluster_hot_spots_are_the_clusters_firms(demo_engine: Engine) -> None:
    from jiqun.services.directory import cluster_profile
    from jiqun.services.resilience import cluster_hot_spots

    cid = "NC2021-02"  # 无锡市物联网集群: no coking or stage-lighting firms among its hot spots
    leading = tuple(i["code"] for i in cluster_profile(cid, demo_engine)["leading_industries"])
    t = cluster_hot_spots(cid, engine=demo_engine).table
    assert len(t) > 0
    assert t["industry"].astype(str).str.startswith(leading).all(), t[["name", "industry"]]
    assert t["region"].astype(str).str.startswith("3202").all()
