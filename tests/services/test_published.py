"""Published tables with disclosure control (jiqun.services.published): who sees what."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.services.access import NotFound
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.services.published import PublishedTable, published_table, published_view
from jiqun.services.release import build_release
from jiqun.standard.problems import JiqunError
from jiqun.store.db import session_scope
from jiqun.store.models import Cluster, ClusterIndustry, ClusterRegion, Enterprise

ADMIN = Principal("root", "admin", None, 1)
JIANGSU = Principal("js", "government", "320000", 2)
HANGZHOU = Principal("hz", "government", "330100", 3)
COUNTY = Principal("bh", "government", "320214", 4)
CLUSTER = Principal("cl", "cluster", "TEST-1", 5)
FIRM = Principal("f", "enterprise", "000000000000000001", 6)

REGIONS = ["320200", "320500", "330100", "330200", "340100", "340200"]
CLASSES = {"26": ["2611", "2612"], "27": ["2710", "2720"], "39": ["3911", "3921"]}
SPECIAL = {
    ("320200", "27"): [("2710", 517.375)],  # alone in its cell
    ("330100", "26"): [("2611", 61.875), ("2611", 57.3125)],  # two enterprises
    ("330100", "27"): [("2710", 1013.0), ("2710", 11.5), ("2720", 12.5)],  # one has > 85%
}

#: every level of both hierarchies: these small registries are protected to full depth
FULL = {"region_levels": (0, 1, 2, 3), "industry_levels": (0, 1, 2, 3, 4)}


def _firms() -> list[tuple[str, str, float]]:
    """(region, industry class, revenue): four enterprises per prefecture × division with
    distinctive revenues (a leak would be visible), three sensitive cells, one county firm."""
    out = []
    for ri, region in enumerate(REGIONS):
        for di, div in enumerate(CLASSES):
            special = SPECIAL.get((region, div))
            if special:
                out += [(region, cls, rev) for cls, rev in special]
                continue
            for k in range(4):
                out.append(
                    (region, CLASSES[div][k % 2], 100 + 37 * ri + 11 * di + 7.25 * k + 0.125)
                )
    out.append(("320214", "2614", 74.0625))  # a county of 无锡: counted for 320200
    return out


FIRMS = _firms()


@pytest.fixture
def firms(engine: Engine) -> pd.DataFrame:
    rows = []
    with session_scope(engine) as s:
        for i, (region, industry, revenue) in enumerate(FIRMS, start=1):
            uscc = f"{i:018d}"
            s.add(
                Enterprise(
                    uscc=uscc,
                    name=f"测试企业{i}",
                    region_code=region,
                    industry_code=industry,
                    employees=10 * i,
                    revenue=revenue,
                    output=revenue * 1.1,
                    synthetic=False,
                )
            )
            rows.append((uscc, region, industry, revenue))
        s.add(Cluster(cluster_id="TEST-1", name="测试集群", tier="provincial", synthetic=False))
        s.flush()
        s.add(ClusterRegion(cluster_id="TEST-1", region_code="320200"))
        s.add(ClusterRegion(cluster_id="TEST-1", region_code="320500"))
        s.add(ClusterIndustry(cluster_id="TEST-1", industry_code="2611"))
        s.add(ClusterIndustry(cluster_id="TEST-1", industry_code="2710"))
    build_release(engine, **FULL)
    df = pd.DataFrame(rows, columns=["uscc", "region", "industry", "revenue"])
    df["pref"] = df["region"].str[:4] + "00"
    df["div"] = df["industry"].str[:2]
    return df


def _cell(t, region: str, industry: str | None = None) -> pd.Series:
    m = t.table["region_code"] == region
    if industry is not None:
        m &= t.table["industry_code"] == industry
    rows = t.table[m]
    assert len(rows) == 1
    return rows.iloc[0]


def _no_single_suppressed_line(t) -> None:
    """Every published row and column (with its total) has 0 or ≥ 2 hidden cells."""
    cells, tot = t.table, t.totals
    for r in cells["region_code"].unique():
        n = cells.loc[cells["region_code"] == r, "suppressed"].sum()
        n += tot.loc[(tot["kind"] == "row_total") & (tot["region_code"] == r), "suppressed"].sum()
        assert n != 1, r
    for i in cells["industry_code"].unique():
        n = cells.loc[cells["industry_code"] == i, "suppressed"].sum()
        n += tot.loc[
            (tot["kind"] == "column_total") & (tot["industry_code"] == i), "suppressed"
        ].sum()
        assert n != 1, i


def _numbers(obj: object) -> set[float]:
    if isinstance(obj, dict):
        return set().union(*(_numbers(v) for v in obj.values())) if obj else set()
    if isinstance(obj, list):
        return set().union(*(_numbers(v) for v in obj)) if obj else set()
    if isinstance(obj, int | float) and not isinstance(obj, bool):
        return {round(float(obj), 6)}
    return set()


def _hidden_never_sent(t, truth: pd.DataFrame) -> None:
    """No suppressed value (nor its count) is in the JSON the viewer receives."""
    payload = json.loads(json.dumps(t.to_dict(), ensure_ascii=False))
    sent = _numbers(payload)
    shown = {round(float(v), 6) for v in t.table["value"].dropna()}
    shown |= {round(float(v), 6) for v in t.totals["value"].dropna()}
    hidden = t.table[t.table["suppressed"]]
    assert hidden["value"].isna().all() and hidden["n_enterprises"].isna().all()
    for _, c in hidden.iterrows():
        m = truth["pref"] == c["region_code"]
        if "industry_code" in c:
            m &= truth["div"] == c["industry_code"]
        true_sum = round(float(truth.loc[m, "revenue"].sum()), 6)
        # (unless another, published cell happens to have the very same value)
        assert true_sum not in sent or true_sum in shown, (c.to_dict(), true_sum)


def test_public_region_by_industry(engine: Engine, firms: pd.DataFrame) -> None:
    t = published_table(PUBLIC, engine, by="region_industry")
    assert list(t.table.columns) == [
        "region_code",
        "region_name",
        "industry_code",
        "industry_name",
        "value",
        "n_enterprises",
        "suppressed",
        "suppression",
        "confidential",
    ]
    assert _cell(t, "320200", "26")["region_name"] == "无锡市"
    assert _cell(t, "320200", "26")["industry_name"].startswith("化学原料")
    # primary: one enterprise; two enterprises; one enterprise with > 85%
    for region, ind in (("320200", "27"), ("330100", "26"), ("330100", "27")):
        c = _cell(t, region, ind)
        assert c["suppressed"] and c["suppression"] == "primary", (region, ind)
        assert c["value"] is None and c["n_enterprises"] is None
    assert (t.table["suppression"] == "secondary").any()
    # the release is protected as a whole: Anhui has no sensitive cell and stays published
    assert not t.table.loc[t.table["region_code"].str.startswith("34"), "suppressed"].any()
    truth = firms.groupby(["pref", "div"])["revenue"]
    for _, c in t.table[~t.table["suppressed"]].iterrows():
        key = (c["region_code"], c["industry_code"])
        assert c["value"] == pytest.approx(truth.sum()[key])
        assert c["n_enterprises"] == truth.count()[key]
    assert (t.table["suppressed"] == t.table["confidential"]).all()
    _no_single_suppressed_line(t)
    _hidden_never_sent(t, firms)
    assert t.basis["unit"] == "万元" and t.basis["value_or_count"] == "value"
    assert t.basis["region_level"].startswith("prefecture")
    assert t.basis["industry_code_level"].startswith("GB/T 4754-2017 division")
    assert t.basis["synthetic"] is False
    assert t.basis["disclosure"]["min_count"] == 3
    assert t.basis["disclosure"]["dominance"] == 0.85
    grand = t.grand_total
    assert grand["value"] == pytest.approx(sum(r for *_, r in FIRMS))


def test_admin_sees_everything(engine: Engine, firms: pd.DataFrame) -> None:
    pub = published_table(PUBLIC, engine, by="region_industry")
    adm = published_table(ADMIN, engine, by="region_industry")
    assert not adm.table["suppressed"].any()
    assert adm.table["suppression"].isna().all()
    # the county firm counts for 无锡
    assert _cell(adm, "320200", "26")["n_enterprises"] == 5
    assert adm.table["confidential"].tolist() == pub.table["suppressed"].tolist()
    truth = firms.groupby(["pref", "div"])["revenue"].sum()
    for _, c in adm.table.iterrows():
        assert c["value"] == pytest.approx(truth[(c["region_code"], c["industry_code"])])
    assert any("confidential" in n for n in adm.notes)


def test_government_sees_its_province_and_the_public_pattern_elsewhere(
    engine: Engine, firms: pd.DataFrame
) -> None:
    pub = published_table(PUBLIC, engine, by="region_industry")
    gov = published_table(JIANGSU, engine, by="region_industry")
    inside = gov.table["region_code"].str.startswith("32")
    assert not gov.table.loc[inside, "suppressed"].any()
    assert _cell(gov, "320200", "27")["value"] == pytest.approx(517.375)
    assert _cell(gov, "320200", "27")["confidential"]
    outside = ~inside
    for col in ("suppressed", "suppression", "value"):
        assert gov.table.loc[outside, col].tolist() == pub.table.loc[outside, col].tolist()
    # row totals of its own cities are shown; column totals mix provinces: as for the public
    rt = gov.totals[gov.totals["kind"] == "row_total"]
    assert not rt.loc[rt["region_code"].str.startswith("32"), "suppressed"].any()
    ct_g = gov.totals[gov.totals["kind"] != "row_total"].reset_index(drop=True)
    ct_p = pub.totals[pub.totals["kind"] != "row_total"].reset_index(drop=True)
    assert ct_g["suppressed"].tolist() == ct_p["suppressed"].tolist()


def test_city_and_county_governments(engine: Engine, firms: pd.DataFrame) -> None:
    pub = published_table(PUBLIC, engine, by="region_industry")
    hz = published_table(HANGZHOU, engine, by="region_industry")
    mine = hz.table["region_code"] == "330100"
    assert not hz.table.loc[mine, "suppressed"].any()
    assert _cell(hz, "330100", "27")["value"] == pytest.approx(1013.0 + 11.5 + 12.5)
    assert hz.table.loc[~mine, "suppressed"].tolist() == pub.table.loc[~mine, "suppressed"].tolist()
    # a county government has no whole prefecture cell: it gets the public table
    county = published_table(COUNTY, engine, by="region_industry")
    assert county.table["suppressed"].tolist() == pub.table["suppressed"].tolist()
    _hidden_never_sent(county, firms)


@pytest.mark.parametrize("who", [CLUSTER, FIRM, PUBLIC])
def test_cluster_and_enterprise_get_the_public_view(
    engine: Engine, firms: pd.DataFrame, who: Principal
) -> None:
    pub = published_table(PUBLIC, engine, by="region")
    t = published_table(who, engine, by="region")
    assert t.table["suppressed"].tolist() == pub.table["suppressed"].tolist()
    assert t.table["value"].tolist() == pub.table["value"].tolist()
    _hidden_never_sent(t, firms)


def test_one_dimensional_lists_and_measures(engine: Engine, firms: pd.DataFrame) -> None:
    by_region = published_table(PUBLIC, engine, by="region")
    assert by_region.table["region_code"].tolist() == REGIONS
    assert len(by_region.totals) == 1 and by_region.totals["kind"].iloc[0] == "grand_total"
    # every city has at least 5 enterprises and no dominant one: not primary (a city may still
    # be a secondary cell of the whole release)
    assert not (by_region.table["suppression"] == "primary").any()
    _hidden_never_sent(by_region, firms)
    assert by_region.grand_total["value"] == pytest.approx(firms["revenue"].sum())
    firms_count = published_table(PUBLIC, engine, by="region", measure="firms")
    assert firms_count.basis["unit"] == "家"
    assert firms_count.basis["value_or_count"] == "count"
    shown = firms_count.table[~firms_count.table["suppressed"]]
    truth_n = firms.groupby("pref").size().astype(float)
    assert shown["value"].tolist() == truth_n[shown["region_code"]].tolist()
    emp = published_table(ADMIN, engine, by="region", measure="employees")
    assert emp.basis["unit"] == "人"
    prov = published_table(ADMIN, engine, by="region", region_level="province")
    assert prov.table["region_code"].tolist() == ["320000", "330000", "340000"]
    assert prov.table["region_name"].tolist() == ["江苏省", "浙江省", "安徽省"]
    by_ind = published_table(PUBLIC, engine, by="industry", industry_level=4)
    assert "2611" in by_ind.table["industry_code"].tolist()
    assert by_ind.basis["industry_code_level"].startswith("GB/T 4754-2017 class")


def test_region_filter_and_government_rights_on_an_industry_list(
    engine: Engine, firms: pd.DataFrame
) -> None:
    pub = published_table(PUBLIC, engine, by="industry", region="320000", industry_level=4)
    assert pub.table["suppressed"].any()
    gov = published_table(JIANGSU, engine, by="industry", region="320000", industry_level=4)
    assert not gov.table["suppressed"].any()  # every cell lies inside Jiangsu
    other = published_table(HANGZHOU, engine, by="industry", region="320000", industry_level=4)
    assert other.table["suppressed"].tolist() == pub.table["suppressed"].tolist()


def test_cluster_restriction(engine: Engine, firms: pd.DataFrame) -> None:
    t = published_table(ADMIN, engine, by="region_industry", cluster_id="TEST-1", industry_level=4)
    got = {(r, i) for r, i in zip(t.table["region_code"], t.table["industry_code"], strict=True)}
    assert got == {("320200", "2611"), ("320200", "2710"), ("320500", "2611"), ("320500", "2710")}
    assert t.basis["cluster_id"] == "TEST-1"
    with pytest.raises(NotFound):
        published_table(PUBLIC, engine, cluster_id="NOPE")


def test_bad_arguments_and_empty_results(engine: Engine, firms: pd.DataFrame) -> None:
    with pytest.raises(JiqunError, match="unknown measure"):
        published_table(PUBLIC, engine, measure="profit")
    with pytest.raises(JiqunError, match="unknown grouping"):
        published_table(PUBLIC, engine, by="city")
    with pytest.raises(JiqunError, match="industry_level"):
        published_table(PUBLIC, engine, industry_level=1)
    with pytest.raises(JiqunError, match="GB/T 2260"):
        published_table(PUBLIC, engine, region="999999")
    empty = published_table(PUBLIC, engine, region="110000")
    assert empty.table.empty and "no enterprises" in empty.notes[0]
    t = published_table(PUBLIC, engine, year=2023)
    assert any("snapshot" in n for n in t.notes)
    assert t.basis["year"] is None


def test_a_bad_grouping_lists_the_groupings_as_words(engine: Engine) -> None:
    # The English message once printed the Python tuple ("choose ('region', ...)").
    with pytest.raises(JiqunError) as e:
        published_table(PUBLIC, engine, by="city")
    assert "choose one of region, industry, region_industry" in e.value.message_en
    assert "可选：region, industry, region_industry" in e.value.message_zh


def test_demo_database(demo_engine: Engine) -> None:
    from jiqun.services.release import build_release

    engine = demo_engine
    build_release(engine)  # the default published depth: prefecture × division
    with engine.connect() as c:
        # the published population: domestic firms (foreign suppliers are never published)
        ent = pd.read_sql(
            text(
                "SELECT region_code, industry_code, revenue FROM enterprises "
                "WHERE region_code BETWEEN '100000' AND '999999'"
            ),
            c,
        )
    ent["pref"] = ent["region_code"].str[:4] + "00"
    ent["div"] = ent["industry_code"].str[:2]
    pub = published_table(PUBLIC, engine, by="region_industry")
    adm = published_table(ADMIN, engine, by="region_industry")
    assert pub.basis["synthetic"] is True and any("synthetic" in n for n in pub.notes)
    # the primary rule, recomputed from the enterprise records
    g = ent.groupby(["pref", "div"])["revenue"]
    stats = pd.DataFrame({"n": g.count(), "sum": g.sum(), "max": g.max()})
    stats["share"] = stats["max"] / stats["sum"]
    primary = (stats["n"] < 3) | (stats["share"] > 0.85)
    hidden = pub.table.set_index(["region_code", "industry_code"])["suppressed"]
    assert hidden[primary[primary].index].all()
    _hidden_never_sent(pub, ent)
    assert not adm.table["suppressed"].any()
    assert adm.table["confidential"].tolist() == pub.table["suppressed"].tolist()
    assert adm.grand_total["value"] == pytest.approx(ent["revenue"].sum())
    # the published list by region: same guarantees
    lst = published_table(PUBLIC, engine, by="region")
    assert lst.table["suppressed"].sum() != 1 or lst.totals["suppressed"].any()
    _hidden_never_sent(lst, ent)
    # a JSON round trip has only plain values
    payload = json.loads(json.dumps(pub.to_dict()))
    assert set(payload) == {"items", "totals", "basis", "notes"}
    assert all(isinstance(r["value"], float | type(None)) for r in payload["items"]), (
        "values are floats or null"
    )
    assert np.isfinite([r["value"] for r in payload["items"] if r["value"] is not None]).all()
    # deeper than the release: "not published", for every viewer, never a fresh sum
    for q in ({"industry_level": 3}, {"industry_level": 4}, {"region": "320205"}):
        with pytest.raises(NotFound, match="未公开"):
            published_table(PUBLIC, engine, by="industry", **q)  # type: ignore[arg-type]
        with pytest.raises(NotFound, match="not published"):
            published_table(ADMIN, engine, by="industry", **q)  # type: ignore[arg-type]


def test_cached_tables_follow_the_data_version(engine: Engine, firms: pd.DataFrame) -> None:
    from jiqun.services import cache

    a = published_table(ADMIN, engine, by="region")
    a.table.loc[0, "value"] = -1.0  # callers get copies: the cache is not touched
    b = published_table(ADMIN, engine, by="region")
    assert b.table.loc[0, "value"] != -1.0
    with session_scope(engine) as s:
        s.add(
            Enterprise(
                uscc="9" * 18,
                name="新企业",
                region_code="340100",
                industry_code="2611",
                revenue=1000.0,
                synthetic=False,
            )
        )
    cache.bump(engine)  # a write outside an import announces itself
    stale = published_table(ADMIN, engine, by="region")
    assert stale.grand_total["value"] == pytest.approx(b.grand_total["value"])
    assert stale.basis["disclosure"]["release_current"] is False
    assert any("earlier data version" in n for n in stale.notes)
    build_release(engine, **FULL)
    c = published_table(ADMIN, engine, by="region")
    assert c.grand_total["value"] == pytest.approx(b.grand_total["value"] + 1000.0)
    assert c.basis["disclosure"]["release_current"] is True
    v1 = cache.data_version(engine)
    cache.bump(engine)
    assert cache.data_version(engine) != v1


def test_published_view_shows_yi_yuan_and_leaves_the_table_as_it_was() -> None:
    """The page and the report read one view; the (cached) table it is made of is not changed."""
    table = pd.DataFrame(
        {
            "region_code": ["320200", "320500"],
            "value": [45_425_460.4, np.nan],
            "n_enterprises": [9, np.nan],
            "suppressed": [False, True],
            "suppression": [None, "primary"],
            "confidential": [False, True],
        }
    )
    totals = pd.DataFrame({"kind": ["grand_total"], "value": [50_000_000.0]}, index=[7])
    basis = {"unit": "万元", "disclosure": {"rule": "r", "viewer": "public"}}
    res = PublishedTable(table.copy(), totals.copy(), dict(basis), ["n"])
    view = published_view(res, "public")
    assert view.columns == ["region_code", "value", "n_enterprises", "suppression"]
    assert view.table["value"].iloc[0] == 4542.55 and np.isnan(view.table["value"].iloc[1])
    assert view.totals.index.tolist() == [0] and view.totals["value"].tolist() == [5000.0]
    assert view.basis["unit"] == "亿元" and "disclosure" not in view.basis
    assert view.basis["disclosure_rule"] == "r" and view.basis["viewer"] == "public"
    assert view.n_suppressed == 1 and view.notes == ["n"]
    assert published_view(res, "admin").columns[-1] == "confidential"
    pd.testing.assert_frame_equal(res.table, table)
    pd.testing.assert_frame_equal(res.totals, totals)
    assert res.basis == basis
