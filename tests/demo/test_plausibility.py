"""The demo data set is plausible to someone who knows China (geography, sizes, specialisations).

The demo at its default size and seed (what ``jiqun demo`` builds) is generated once for the
module. The census check reads the 2020 census populations of prefecture-level units from
``../shared/datasets/real_cn/census_city`` (tests only; skipped when the file is absent).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiqun.demo import DEFAULT_N, generate_demo
from jiqun.demo.generator import DemoData
from jiqun.demo.inputs import load_reference

CENSUS = Path("real_cn") / "census_city" / "census_city_2010-2020_v1_nocoord.csv"

#: the large manufacturing cities an official expects near the top (GB/T 2260 codes)
BIG = {
    "440300": "深圳",
    "320500": "苏州",
    "310100": "上海",
    "441900": "东莞",
    "500100": "重庆",
    "440100": "广州",
    "330200": "宁波",
    "120100": "天津",
    "320200": "无锡",
    "440600": "佛山",
}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(seed=2026, n_enterprises=DEFAULT_N)


@pytest.fixture(scope="module")
def employment(demo: DemoData) -> pd.DataFrame:
    """Last year's employment by prefecture × class (every industry)."""
    rs = demo.region_stats
    e = rs[(rs["year"] == rs["year"].max()) & (rs["measure"] == "employment")]
    return e[["region_code", "industry_code", "value"]]


def mfg_employment(employment: pd.DataFrame) -> pd.Series:
    e = employment[employment["industry_code"].str[:2].between("13", "43")]
    return e.groupby("region_code")["value"].sum()


def test_prefecture_manufacturing_employment_follows_population(
    employment: pd.DataFrame, shared_datasets_dir: Path
) -> None:
    path = shared_datasets_dir / CENSUS
    if not path.exists():
        pytest.skip(f"2020 census file not found at {path} (../shared/datasets is absent)")
    census = pd.read_csv(path, dtype={"city_code": str}).set_index("city_code")["popu_2020"]
    regions = load_reference()[0]
    prefs = set(regions.loc[regions["level"] == "prefecture", "code"])
    pop = census[census.index.isin(prefs)]
    emp = mfg_employment(employment).reindex(pop.index).fillna(0.0)
    assert len(pop) > 300
    rho = pop.rank().corr(emp.rank())
    assert rho >= 0.8, rho


def test_large_manufacturing_cities_lead(employment: pd.DataFrame) -> None:
    emp = mfg_employment(employment).sort_values(ascending=False)
    top20 = list(emp.index[:20])
    missing = [name for code, name in BIG.items() if code not in top20]
    assert not missing, (missing, top20)
    assert emp["320500"] > emp["320200"]  # 苏州 above 无锡


def _lq(employment: pd.DataFrame, region: str, codes: list[str]) -> float:
    """Employment LQ of the classes ``codes`` in a prefecture (or a province: ``xx0000``)."""
    lead = employment["industry_code"].map(lambda c: any(c.startswith(x) for x in codes))
    if region.endswith("0000"):
        city = employment["region_code"].str[:2] == region[:2]
    else:
        city = employment["region_code"] == region
    share_city = employment.loc[city & lead, "value"].sum() / employment.loc[city, "value"].sum()
    share_nat = employment.loc[lead, "value"].sum() / employment["value"].sum()
    return float(share_city / share_nat)


def test_national_clusters_are_specialised_in_every_member_city(
    demo: DemoData, employment: pd.DataFrame
) -> None:
    prefs = set(employment["region_code"])
    low = []
    checked = 0
    for _, r in demo.clusters[demo.clusters["tier"] == "national"].iterrows():
        cities = [m for m in r["member_regions"] if m in prefs]
        # a cluster whose name gives no city is recorded by its province (浙东工业母机)
        members = cities or [m for m in r["member_regions"] if m.endswith("0000")]
        assert members, f"{r['cluster_id']} {r['name']} has no member region"
        for m in members:
            checked += 1
            lq = _lq(employment, m, list(r["leading_industries"]))
            if not lq > 1.5:
                low.append((r["cluster_id"], r["name"], m, round(lq, 2)))
    assert checked > 90
    assert not low, low


def test_shanghai_wafer_fabs_are_strong(demo: DemoData, employment: pd.DataFrame) -> None:
    assert _lq(employment, "310100", ["3973"]) > 2.0
    rs = demo.region_stats
    out = rs[
        (rs["year"] == rs["year"].max())
        & (rs["measure"] == "output")
        & (rs["industry_code"] == "3973")
    ].set_index("region_code")["value"]
    # Shanghai is among the three largest 集成电路制造 producers and makes hundreds of 亿元
    assert "310100" in out.nlargest(3).index
    assert out["310100"] > 100 * 1e4


def test_firm_sizes_are_plausible(demo: DemoData) -> None:
    e = demo.enterprises
    # no firm with thousands of 亿元 (万元 → 亿元: / 1e4)
    assert e["revenue"].max() < 3_000 * 1e4
    smelters = e[e["industry_code"].str[:2] == "32"]  # non-ferrous (稀土 3232)
    assert smelters["revenue"].max() < 500 * 1e4
    assert e["employees"].max() <= 200_000
    # still heavy-tailed: the largest firms are far above the median
    assert e["revenue"].max() / e["revenue"].median() > 1_000


def test_every_cluster_has_member_regions(demo: DemoData) -> None:
    empty = demo.clusters[demo.clusters["member_regions"].map(len) == 0]
    assert empty.empty, empty[["cluster_id", "name"]]
    members = demo.cluster_members.groupby("cluster_id").size()
    national = demo.clusters.loc[demo.clusters["tier"] == "national", "cluster_id"]
    assert np.all(members.reindex(national).fillna(0) > 0)


def test_similar_regions_of_cluster_cities_share_their_specialisation(
    demo: DemoData, employment: pd.DataFrame
) -> None:
    from jiqun.analytics.similarity import homogeneous_competition_table

    traded = employment[employment["industry_code"].str[:2].between("13", "43")]
    X = traded.pivot_table(
        index="region_code", columns="industry_code", values="value", aggfunc="sum", fill_value=0
    )
    nat = demo.clusters[demo.clusters["tier"] == "national"]
    cities = ["320200", "110100", "310100", "320500", "440300"]  # 无锡 北京 上海 苏州 深圳
    t = homogeneous_competition_table(X, cities, top=1)
    for _, r in t.iterrows():
        leading = {
            c
            for regs, inds in zip(nat["member_regions"], nat["leading_industries"], strict=True)
            if r["region_a"] in regs
            for c in inds
        }
        shared = {str(c) for c in r["shared_specialised"]}
        # the most similar region is specialised in one of the city's clusters' industries
        assert any(s.startswith(tuple(leading)) for s in shared), (r["region_a"], r["region_b"])
