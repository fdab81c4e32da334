"""National cluster overview (全国先进制造业集群概览): the figures cluster policy quotes.

For each cluster: member regions, leading industries, the leading-industry output, employment
and firms of its member regions, and the innovation resources inside it (national manufacturing
innovation centres, national technology innovation carriers, single-item champions, little
giants). National totals add them up.

"Inside a cluster" follows the geographic-industrial definition: an enterprise is inside when its
registered region lies in one of the cluster's member regions (a county counts for its
prefecture) **and** its industry class is one of the cluster's leading industries; an innovation
carrier is inside when it names the cluster (``cluster_id``) or sits in a member region. Every
figure carries its basis: year, measure, unit, region level, industry-code level and whether it
comes from synthetic demo data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, or_, text

from jiqun import reference
from jiqun.basis import WithBasis
from jiqun.formatting import output_not_applicable
from jiqun.services import predicates, registry
from jiqun.services.cache import materialised
from jiqun.store.db import get_engine

SYNTHETIC_NOTE_ZH = "含模拟数据，仅供演示，不是真实统计"
SYNTHETIC_NOTE_EN = "contains synthetic demo data, not real statistics"


@dataclass
class Overview(WithBasis):
    """The national overview: one row per cluster plus totals and the basis of every figure."""

    clusters: pd.DataFrame
    by_field: pd.DataFrame
    totals: dict[str, float | int]
    basis: dict[str, str | int | bool | None]
    notes: list[str] = field(default_factory=list)


def _n_tagged(firms: pd.DataFrame, tag: str) -> int:
    """Distinct enterprises carrying ``tag`` (a firm inside two clusters counts once)."""
    hit = firms["tags"].fillna("").str.split(";").map(lambda ts: tag in ts)
    return int(firms.loc[hit.astype(bool), "uscc"].nunique())


def prefecture_of(regions: pd.DataFrame) -> pd.Series:
    """Map every region code to its prefecture-level code (provinces map to themselves)."""
    lvl = regions.set_index("code")["level"]
    parent = regions.set_index("code")["parent_code"]
    pref = pd.Series(regions["code"].to_numpy(), index=regions["code"].to_numpy())
    is_county = lvl == "county"
    pref[is_county.to_numpy()] = parent[is_county].to_numpy()
    return pref


@materialised("overview")
def national_overview(
    engine: Engine | None = None, year: int | None = None, tier: str = "national"
) -> Overview:
    """Compute the overview of all clusters of ``tier`` from the stored data.

    Parameters
    ----------
    engine: database (default: the configured one).
    year: statistics year for output/employment (default: the latest year in region_stats).
    tier: cluster tier to show (default ``national``).

    Returns
    -------
    :class:`Overview`. ``clusters`` has one row per cluster; its ``output_applicable`` is false
    where a cluster reports revenue but no gross industrial output (its leading industries are
    services), whose output every interface shows as 不适用 / n/a.

    Example
    -------
    >>> ov = national_overview()  # doctest: +SKIP
    >>> ov.totals["clusters"]  # doctest: +SKIP
    45
    """
    engine = engine or get_engine()
    champions, champion_params = predicates.as_sql(
        or_(predicates.has_tag("little_giant"), predicates.has_tag("single_champion")), "_tg"
    )
    with engine.connect() as c:
        cl = pd.read_sql(
            text(
                "SELECT cluster_id, name, name_en, tier, batch_year, field, verification "
                "FROM clusters WHERE tier = :t ORDER BY cluster_id"
            ),
            c,
            params={"t": tier},
        )
        cr, ci = registry.cluster_links(c)
        regions = registry.region_rows(c)
        years = pd.read_sql(text("SELECT DISTINCT year FROM region_stats ORDER BY year"), c)
        if year is None and len(years):
            year = int(years["year"].max())
        stats = pd.read_sql(
            text(
                "SELECT region_code, industry_code, measure, value, unit, synthetic "
                "FROM region_stats WHERE year = :y "
                "AND measure IN ('output','revenue','employment','firms')"
            ),
            c,
            params={"y": year or 0},
        )
        ent = pd.read_sql(
            text(
                "SELECT e.uscc, e.region_code, e.industry_code, e.tags, e.synthetic "
                f"FROM enterprises e WHERE {champions}"
            ),
            c,
            params=champion_params,
        )
        in_area = pd.read_sql(
            predicates.cluster_area_pairs(
                or_(predicates.has_tag("little_giant"), predicates.has_tag("single_champion"))
            ),
            c,
        )
        car = pd.read_sql(
            text(
                "SELECT id, carrier_type, level, region_code, cluster_id, synthetic "
                "FROM innovation_carriers WHERE level = 'national'"
            ),
            c,
        )
        n_ent_syn = c.execute(text("SELECT COUNT(*) FROM enterprises WHERE synthetic")).scalar()

    pref = prefecture_of(regions)
    name_of = reference.region_display_names(regions["code"])
    cells = cr.merge(ci, on="cluster_id")  # cluster × member region × leading industry

    stats["pref"] = stats["region_code"].map(pref)
    s = stats.merge(
        cells, left_on=["pref", "industry_code"], right_on=["region_code", "industry_code"]
    )
    agg = s.pivot_table(
        index="cluster_id", columns="measure", values="value", aggfunc="sum", fill_value=0.0
    )

    e = ent.merge(in_area, on="uscc")  # one row per champion and cluster it is in
    tagsets = e["tags"].fillna("").str.split(";")
    lg = e[tagsets.map(lambda ts: "little_giant" in ts).astype(bool)].groupby("cluster_id").size()
    sc = (
        e[tagsets.map(lambda ts: "single_champion" in ts).astype(bool)].groupby("cluster_id").size()
    )

    car["pref"] = car["region_code"].map(pref)
    by_id = car.dropna(subset=["cluster_id"])
    by_region = (
        car[car["cluster_id"].isna()]
        .drop(columns=["cluster_id"])
        .merge(cr.rename(columns={"region_code": "pref"}), on="pref")
    )
    cols = ["id", "cluster_id", "carrier_type"]
    car_in = pd.concat([by_id[cols], by_region[cols]])
    mic = (
        car_in[car_in["carrier_type"] == "manufacturing_innovation_centre"]
        .groupby("cluster_id")
        .size()
    )
    tic = (
        car_in[car_in["carrier_type"] != "manufacturing_innovation_centre"]
        .groupby("cluster_id")
        .size()
    )

    out = cl.copy()
    members = cr.groupby("cluster_id")["region_code"].agg(list)
    out["member_regions"] = out["cluster_id"].map(
        lambda i: "、".join(str(name_of.get(r, r)) for r in members.get(i, []))
    )
    out["leading_industries"] = out["cluster_id"].map(
        ci.groupby("cluster_id")["industry_code"].agg(";".join)
    )
    for m, col in (
        ("output", "output_wan_yuan"),
        ("revenue", "revenue_wan_yuan"),
        ("employment", "employment"),
        ("firms", "firms"),
    ):
        out[col] = out["cluster_id"].map(agg[m] if m in agg else pd.Series(dtype=float)).fillna(0.0)
    # services clusters report revenue and no gross industrial output: every interface says so
    out["output_applicable"] = [
        not output_not_applicable(o, r)
        for o, r in zip(out["output_wan_yuan"], out["revenue_wan_yuan"], strict=True)
    ]
    out["little_giants"] = out["cluster_id"].map(lg).fillna(0).astype(int)
    out["single_champions"] = out["cluster_id"].map(sc).fillna(0).astype(int)
    out["innovation_centres"] = out["cluster_id"].map(mic).fillna(0).astype(int)
    out["tech_carriers"] = out["cluster_id"].map(tic).fillna(0).astype(int)

    by_field = (
        out.groupby("field", dropna=False)
        .agg(
            clusters=("cluster_id", "size"),
            output_wan_yuan=("output_wan_yuan", "sum"),
            revenue_wan_yuan=("revenue_wan_yuan", "sum"),
            little_giants=("little_giants", "sum"),
            single_champions=("single_champions", "sum"),
            innovation_centres=("innovation_centres", "sum"),
        )
        .reset_index()
        .sort_values("clusters", ascending=False)
    )
    # A firm inside two clusters (overlapping member regions and industries) counts once in totals.
    carriers_in = car_in.drop_duplicates(subset=["id"])
    first45 = set(out.loc[out["batch_year"].isin([2021, 2022]), "cluster_id"])
    totals: dict[str, float | int] = {
        "clusters": len(out),
        "clusters_2021_2022": len(first45),
        "output_wan_yuan": float(out["output_wan_yuan"].sum()),
        "revenue_wan_yuan": float(out["revenue_wan_yuan"].sum()),
        "output_wan_yuan_2021_2022": float(
            out.loc[out["cluster_id"].isin(first45), "output_wan_yuan"].sum()
        ),
        "little_giants_in_2021_2022": _n_tagged(e[e["cluster_id"].isin(first45)], "little_giant"),
        "single_champions_in_2021_2022": _n_tagged(
            e[e["cluster_id"].isin(first45)], "single_champion"
        ),
        "little_giants_in_clusters": _n_tagged(e, "little_giant"),
        "single_champions_in_clusters": _n_tagged(e, "single_champion"),
        "innovation_centres_in_2021_2022": int(
            car_in.loc[
                car_in["cluster_id"].isin(first45)
                & (car_in["carrier_type"] == "manufacturing_innovation_centre"),
                "id",
            ].nunique()
        ),
        "innovation_centres_in_clusters": int(
            (carriers_in["carrier_type"] == "manufacturing_innovation_centre").sum()
        ),
        "tech_carriers_in_clusters": int(
            (carriers_in["carrier_type"] != "manufacturing_innovation_centre").sum()
        ),
        "innovation_centres_national": int(
            (car["carrier_type"] == "manufacturing_innovation_centre").sum()
        ),
    }
    synthetic = bool(n_ent_syn) or bool(stats["synthetic"].astype(bool).any())
    basis = {
        "year": year,
        "measure": "output (工业总产值), revenue (营业收入), employment (从业人员), firms (企业数)",
        "unit": "output and revenue 万元; employment 人; firms 家",
        "region_level": "prefecture (地级) member regions; county records counted for their prefecture",
        "industry_code_level": "GB/T 4754-2017 class (4-digit) leading industries",
        "value_or_count": "output is a value; firms, champions, little giants and carriers are counts",
        "tier": tier,
        "synthetic": synthetic,
    }
    notes = []
    if synthetic:
        notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    unverified = int((out["verification"] != "verified").sum())
    if unverified:
        notes.append(
            f"{unverified} 个集群的名单信息为部分核实或待核实（见 verification 列） / "
            f"{unverified} clusters are partially verified or unverified (see verification)"
        )
    return Overview(clusters=out, by_field=by_field, totals=totals, basis=basis, notes=notes)
