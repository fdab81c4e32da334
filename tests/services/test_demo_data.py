"""Tests of the synthetic demo data generator (``jiqun.demo``).

Most tests use a 20,000-firm data set (built once per module); one test builds the default
200,000-firm set and checks the counts and tag targets:

* little giants inside the 45 national clusters: 2,200 ± 5 %,
* single-item champions inside the 45 national clusters: 170 ± 10 %,
* national manufacturing innovation centres inside the 45 clusters: exactly 18 (of 26),
* supply links: 300,000–600,000.

"Every prefecture-level unit has a firm" is checked for all 342 prefecture-level units of the
shipped GB/T 2260 table: each of them, including the four 省直辖县级行政区划 groupings, has
county-level units, and firms in a grouping sit in its county-level cities (济源, 仙桃, …).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import jiqun.reference as ref
from jiqun.demo import DEMO_NOTE, DEMO_SOURCE, DemoData, generate_demo
from jiqun.resilience import is_foreign
from jiqun.standard.codes import organisation_code_check_char as org_check_char
from jiqun.standard.codes import uscc_check_char
from jiqun.standard.schema import (
    CARRIER_LEVELS,
    CARRIER_TYPES,
    FIELDS_OF_CLUSTERS,
    KINDS,
    MEMBER_ROLES,
    TAGS,
)

N_SMALL = 20_000
SEED = 7

# independent implementation of GB 32100 / GB 11714 for the checks
_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_W18 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_W9 = [3, 7, 9, 10, 5, 8, 4, 2]
_USCC_RE = re.compile(r"^91[0-9]{6}[0-9A-HJ-NPQRTUWXY]{8}[0-9X][0-9A-HJ-NPQRTUWXY]$")


def _check18(code: str) -> str:
    s = sum(_CHARSET.index(c) * w for c, w in zip(code[:17], _W18, strict=True))
    return _CHARSET[(31 - s % 31) % 31]


def _check9(body: str) -> str:
    vals = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body]
    c = 11 - sum(v * w for v, w in zip(vals, _W9, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(seed=SEED, n_enterprises=N_SMALL)


@pytest.fixture(scope="module")
def pref_of() -> pd.Series:
    """county-level code → prefecture code (prefecture codes map to themselves)."""
    r = ref.regions()
    cty = r[r["level"] == "county"].drop_duplicates("code").set_index("code")["parent_code"]
    prefs = r.loc[r["level"] == "prefecture", "code"]
    return (
        pd.concat([cty, pd.Series(prefs.to_numpy(), index=prefs.to_numpy())])
        .groupby(level=0)
        .first()
    )


def _clusters45(demo: DemoData) -> pd.DataFrame:
    c = demo.clusters
    return c[(c["tier"] == "national") & c["batch_year"].isin([2021, 2022])]


def _in_clusters(demo: DemoData, clusters: pd.DataFrame, pref_of: pd.Series) -> pd.Series:
    """Independent membership test: member region (county, prefecture or province) × class."""
    e = demo.enterprises
    county = e["region_code"]
    pref = county.map(pref_of)
    prov = pref.str[:2] + "0000"
    mask = pd.Series(False, index=e.index)
    for regs, inds in zip(clusters["member_regions"], clusters["leading_industries"], strict=True):
        regs = set(regs)
        in_reg = county.isin(regs) | pref.isin(regs) | prov.isin(regs)
        in_ind = e["industry_code"].str.startswith(tuple(inds))
        mask |= in_reg & in_ind
    return mask


def _has_tag(e: pd.DataFrame, tag: str) -> pd.Series:
    return e["tags"].fillna("").str.split(";").map(lambda t: tag in t)


# ---------------------------------------------------------------------------------------------
# helpers and determinism
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91370000728611939A", "91110108551385082Q", "912201011239989159"])
def test_check_characters_on_real_codes(code: str) -> None:
    assert _check18(code) == code[17] == uscc_check_char(code[:17])
    assert _check9(code[8:16]) == code[16] == org_check_char(code[8:16])


def test_same_seed_same_frames(demo: DemoData) -> None:
    again = generate_demo(seed=SEED, n_enterprises=N_SMALL)
    for kind, frame in demo.frames().items():
        pd.testing.assert_frame_equal(frame, again.frames()[kind], obj=kind)
    assert demo.meta == again.meta


def test_different_seed_different_frames(demo: DemoData) -> None:
    other = generate_demo(seed=SEED + 1, n_enterprises=N_SMALL)
    assert not demo.enterprises.equals(other.enterprises)
    assert not demo.supply_links.equals(other.supply_links)
    assert not demo.region_stats.equals(other.region_stats)
    assert demo.clusters.equals(other.clusters)  # the real clusters do not vary


def test_rejects_tiny_sizes() -> None:
    with pytest.raises(ValueError):
        generate_demo(n_enterprises=10)


def test_progress_is_reported() -> None:
    calls: list[tuple[str, float]] = []
    generate_demo(seed=1, n_enterprises=2_000, progress=lambda s, f: calls.append((s, f)))
    fracs = [f for _, f in calls]
    assert fracs == sorted(fracs) and fracs[0] == 0.0 and fracs[-1] == 1.0
    assert all(" / " in s for s, _ in calls)  # 中文 / English


# ---------------------------------------------------------------------------------------------
# columns, flags, meta
# ---------------------------------------------------------------------------------------------


def test_columns_are_canonical(demo: DemoData) -> None:
    for kind, frame in demo.frames().items():
        assert list(frame.columns) == [*KINDS[kind].field_names, "synthetic"], kind


def test_synthetic_flags(demo: DemoData) -> None:
    for kind, frame in demo.frames().items():
        if kind == "clusters":
            assert not frame["synthetic"].any()  # real cluster identities …
            assert (
                frame["promotion_organisation"].str.endswith("（模拟）").all()
            )  # … synthetic body
            assert frame["source"].str.contains("synthetic").all()
        else:
            assert frame["synthetic"].dtype == bool and frame["synthetic"].all(), kind
    assert demo.meta["note"] == DEMO_NOTE
    assert demo.meta["seed"] == SEED
    assert demo.meta["counts"]["enterprises"] == N_SMALL
    assert demo.meta["counts"]["supply-links"] == len(demo.supply_links)


# ---------------------------------------------------------------------------------------------
# enterprises
# ---------------------------------------------------------------------------------------------


def test_uscc_unique_and_valid(demo: DemoData) -> None:
    e = demo.enterprises
    assert len(e) == N_SMALL
    assert e["uscc"].is_unique
    assert e["uscc"].str.match(_USCC_RE).all()
    # foreign suppliers (region = ISO country code) carry 000000 where domestic firms their region
    foreign = is_foreign(e["region_code"])
    assert 0 < foreign.sum() < 0.01 * len(e)
    assert (e["uscc"].str[2:8] == e["region_code"])[~foreign].all()
    assert (e["uscc"].str[2:8] == "000000")[foreign].all()
    for code in e["uscc"]:
        assert _check18(code) == code[17], code
        assert _check9(code[8:16]) == code[16], code


def test_region_and_industry_codes_exist(demo: DemoData, pref_of: pd.Series) -> None:
    e = demo.enterprises
    valid = ref.region_codes("county") | ref.region_codes("prefecture")
    foreign = is_foreign(e["region_code"])
    assert e.loc[~foreign, "region_code"].isin(valid).all()
    assert e.loc[foreign, "region_code"].isin(["JP", "KR", "US", "DE", "NL"]).all()
    assert e["industry_code"].isin(ref.industry_codes(4)).all()
    prefs = set(e["region_code"].map(pref_of))
    missing = ref.region_codes("prefecture") - prefs
    assert not missing, f"prefecture-level units without firms: {sorted(missing)}"


def test_sizes_are_heavy_tailed_and_consistent(demo: DemoData) -> None:
    e = demo.enterprises
    med = e["employees"].median()
    assert 10 <= med <= 40
    assert e["employees"].max() > 100 * med
    assert (e["employees"] >= 1).all() and (e["revenue"] > 0).all()
    mfg = e["industry_code"].str[:2].between("13", "43")
    assert 0.7 < mfg.mean() < 0.95  # plus some services and primary firms
    assert e.loc[mfg, "output"].notna().all() and e.loc[~mfg, "output"].isna().all()
    share = e["rd_expense"] / e["revenue"]
    assert share.between(0, 0.10 + 1e-6).all()
    corr = np.corrcoef(np.log(e["employees"]), np.log(e["revenue"]))[0, 1]
    assert corr > 0.7
    assert e["founded"].dt.year.between(1985, 2023).all()
    assert e["name"].nunique() > 0.9 * len(e)
    d = e[~is_foreign(e["region_code"])]  # foreign suppliers: 株式会社, no coordinates
    assert d["name"].str.endswith("公司").all()
    assert d["lon"].between(73, 136).all() and d["lat"].between(3, 54).all()
    assert e["name"].str.endswith(("公司", "株式会社")).all()


def test_business_scope_has_product_words(demo: DemoData) -> None:
    e = demo.enterprises
    for cls, word in [
        ("3841", "锂离子电池"),
        ("3973", "集成电路"),
        ("3491", "工业机器人"),
        ("3453", "减速器"),
    ]:
        scopes = e.loc[e["industry_code"] == cls, "business_scope"]
        if len(scopes):
            assert scopes.str.contains(word).all(), cls


def test_tags(demo: DemoData) -> None:
    e = demo.enterprises
    tags = e["tags"].dropna().str.split(";").explode()
    assert set(tags) <= set(TAGS)
    lg, srdi, champ, ht = (
        _has_tag(e, t) for t in ("little_giant", "srdi", "single_champion", "high_tech")
    )
    assert not (lg & ~srdi).any()  # every little giant is an SRDI firm
    assert 5 <= srdi.sum() / lg.sum() <= 10
    mfg = e["industry_code"].str[:2].between("13", "43")
    assert 0.14 <= (ht & mfg).sum() / mfg.sum() <= 0.22
    untagged = e["tags"].isna()
    for m in (lg, champ, srdi):
        assert e.loc[m, "employees"].median() > 2 * e.loc[untagged, "employees"].median()
    leader = _has_tag(e, "chain_leader")
    assert 0 < leader.sum() <= 3 * 45 + 40  # a few per cluster
    assert e.loc[leader, "employees"].median() > 1_000


def test_tags_inside_clusters_scaled(demo: DemoData, pref_of: pd.Series) -> None:
    inside = _in_clusters(demo, _clusters45(demo), pref_of)
    e = demo.enterprises
    s = N_SMALL / 200_000
    assert _has_tag(e[inside], "little_giant").sum() == pytest.approx(2_200 * s, rel=0.05)
    assert _has_tag(e[inside], "single_champion").sum() == pytest.approx(170 * s, rel=0.10)
    assert (
        demo.meta["tags_in_45_clusters"]["little_giant"]
        == _has_tag(e[inside], "little_giant").sum()
    )
    # clusters are denser: a larger share of firms than their leading classes would get by chance
    assert 0.10 < inside.mean() < 0.40


# ---------------------------------------------------------------------------------------------
# region statistics
# ---------------------------------------------------------------------------------------------


def test_region_stats_match_enterprises(demo: DemoData, pref_of: pd.Series) -> None:
    rs, e = demo.region_stats, demo.enterprises
    assert set(rs["year"]) == {2022, 2023}
    assert rs["region_code"].isin(ref.region_codes("prefecture")).all()
    assert rs["industry_code"].isin(ref.industry_codes(4)).all()
    assert (rs["value"] > 0).all()
    assert not rs.duplicated(["region_code", "industry_code", "year", "measure"]).any()
    assert set(rs["measure"]) == {"employment", "revenue", "output", "firms"}
    assert (rs["source"] == DEMO_SOURCE).all()
    units = rs.groupby("measure")["unit"].unique().map(list).to_dict()
    assert units == {"employment": ["人"], "revenue": ["万元"], "output": ["万元"], "firms": ["家"]}

    e = e[~is_foreign(e["region_code"])]  # foreign suppliers are not in domestic statistics
    agg = (
        e.assign(region_code=e["region_code"].map(pref_of), firms=1)
        .groupby(["region_code", "industry_code"])[["employees", "revenue", "output", "firms"]]
        .sum()
        .rename(columns={"employees": "employment"})
    )
    wide = rs[rs["year"] == 2023].pivot_table(
        index=["region_code", "industry_code"], columns="measure", values="value", aggfunc="sum"
    )
    wide = wide.reindex(agg.index).fillna(0.0)
    for m in ("employment", "revenue", "output", "firms"):
        np.testing.assert_allclose(wide[m].to_numpy(), agg[m].to_numpy(), rtol=1e-9, atol=0.011)
    firms22 = rs[(rs["year"] == 2022) & (rs["measure"] == "firms")]["value"].sum()
    assert firms22 == (e["founded"].dt.year <= 2022).sum()


def test_region_stats_growth_varies(demo: DemoData) -> None:
    rs = demo.region_stats
    rev = (
        rs[rs["measure"] == "revenue"]
        .pivot_table(index=["region_code", "industry_code"], columns="year", values="value")
        .dropna()
    )
    growth = rev[2023] / rev[2022]
    assert growth.std() > 0.03  # shift-share has something to explain
    assert 0.9 < rev[2023].sum() / rev[2022].sum() < 1.15


# ---------------------------------------------------------------------------------------------
# clusters, members, carriers
# ---------------------------------------------------------------------------------------------


def test_clusters_are_the_real_ones(demo: DemoData) -> None:
    c = demo.clusters
    r = ref.clusters()
    assert list(c["cluster_id"]) == list(r["cluster_id"])
    assert len(_clusters45(demo)) == 45
    assert c["field"].dropna().isin(list(FIELDS_OF_CLUSTERS)).all()
    assert c["member_regions"].map(lambda x: isinstance(x, list) and len(x) > 0).all()
    assert c["leading_industries"].map(lambda x: isinstance(x, list) and len(x) > 0).all()


def test_cluster_members(demo: DemoData, pref_of: pd.Series) -> None:
    m, e = demo.cluster_members, demo.enterprises
    assert m["uscc"].isin(e["uscc"]).all()
    assert m["cluster_id"].isin(demo.clusters["cluster_id"]).all()
    assert not m.duplicated(["cluster_id", "uscc"]).any()
    assert m["role"].isin(list(MEMBER_ROLES)).all()
    assert {"member", "core", "chain_leader"} <= set(m["role"])
    leaders = e.loc[_has_tag(e, "chain_leader"), "uscc"]
    assert set(m.loc[m["role"] == "chain_leader", "uscc"]) == set(leaders)
    # members of the 45 clusters are exactly the firms inside them
    c45 = _clusters45(demo)
    inside = _in_clusters(demo, c45, pref_of)
    assert set(m.loc[m["cluster_id"].isin(c45["cluster_id"]), "uscc"]) == set(e.loc[inside, "uscc"])


def test_innovation_carriers(demo: DemoData) -> None:
    c, e = demo.innovation_carriers, demo.enterprises
    ids45 = set(_clusters45(demo)["cluster_id"])
    mic = c[(c["carrier_type"] == "manufacturing_innovation_centre") & (c["level"] == "national")]
    assert len(mic) == 26
    assert mic["cluster_id"].isin(ids45).sum() == 18
    assert not c.duplicated(["carrier_type", "name"]).any()
    assert c["name"].str.contains("模拟").all()
    assert c["carrier_type"].isin(list(CARRIER_TYPES)).all()
    assert c["level"].isin(list(CARRIER_LEVELS)).all()
    assert c["host_uscc"].dropna().isin(e["uscc"]).all()
    valid = ref.region_codes("county") | ref.region_codes("prefecture")
    assert c["region_code"].isin(valid).all()
    national_in = c[(c["level"] == "national") & c["cluster_id"].isin(ids45)]
    assert len(national_in) == pytest.approx(18 + 1_700 * N_SMALL / 200_000, abs=2)


# ---------------------------------------------------------------------------------------------
# supply links
# ---------------------------------------------------------------------------------------------


def test_supply_links(demo: DemoData, pref_of: pd.Series) -> None:
    sl, e = demo.supply_links, demo.enterprises
    firms = e.set_index("uscc")
    assert sl["supplier_uscc"].isin(firms.index).all() and sl["buyer_uscc"].isin(firms.index).all()
    assert (sl["supplier_uscc"] != sl["buyer_uscc"]).all()
    assert (sl["input_category"] == sl["supplier_uscc"].map(firms["industry_code"])).all()
    assert (sl["value"] > 0).all()
    assert (sl["year"] == 2023).all()
    assert not sl.duplicated(["supplier_uscc", "buyer_uscc", "year", "input_category"]).any()
    per_buyer = sl.groupby("buyer_uscc")["supplier_uscc"].nunique()
    assert per_buyer.min() >= 2 and per_buyer.max() <= 15
    assert 2.0 <= len(sl) / len(e) <= 3.5
    pairs = sl.groupby(["buyer_uscc", "input_category"]).size()
    assert (pairs == 1).sum() > 100  # single-sourced inputs exist …
    assert (pairs > 1).sum() > 100  # … and multi-sourced ones
    region = sl["supplier_uscc"].map(firms["region_code"]).map(pref_of)
    same_city = region == sl["buyer_uscc"].map(firms["region_code"]).map(pref_of)
    assert 0.25 < same_city.mean() < 0.55
    # input–output logic: car makers buy from autos, electrical, electronics, plastics, metal
    # products, equipment, chemicals, metals, glass (rule table) and, through the NEV chain
    # template, lithium/cobalt/nickel ores (09)
    buyer_div = sl["buyer_uscc"].map(firms["industry_code"]).str[:2]
    auto_inputs = sl.loc[buyer_div == "36", "input_category"].str[:2]
    rule = ["36", "38", "29", "33", "34", "39", "26", "32", "31", "30"]
    assert auto_inputs.isin([*rule, "09"]).all()
    assert auto_inputs.isin(rule).mean() > 0.95


# ---------------------------------------------------------------------------------------------
# the default size
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_size_counts_and_targets(pref_of: pd.Series) -> None:
    # how long this takes is measured by benchmarks/bench_demo.py, never asserted here
    demo = generate_demo()
    e = demo.enterprises
    assert len(e) == 200_000 and e["uscc"].is_unique
    assert (e["employees"] > 10_000).sum() >= 3
    inside = _in_clusters(demo, _clusters45(demo), pref_of)
    assert _has_tag(e[inside], "little_giant").sum() == pytest.approx(2_200, rel=0.05)
    assert _has_tag(e[inside], "single_champion").sum() == pytest.approx(170, rel=0.10)
    c = demo.innovation_carriers
    ids45 = set(_clusters45(demo)["cluster_id"])
    mic = c[(c["carrier_type"] == "manufacturing_innovation_centre") & (c["level"] == "national")]
    assert mic["cluster_id"].isin(ids45).sum() == 18 and len(mic) == 26
    national_in = c[(c["level"] == "national") & c["cluster_id"].isin(ids45)]
    assert len(national_in) >= 1_700
    assert 300_000 <= len(demo.supply_links) <= 600_000
    domestic = e["region_code"].str[:1].str.isdigit()  # foreign suppliers carry ISO codes
    assert (~domestic).sum() > 0
    assert set(e.loc[domestic, "region_code"].map(pref_of)) == set(ref.region_codes("prefecture"))
    assert demo.meta["counts"] == {k: len(v) for k, v in demo.frames().items()}
