"""Innovation resources of the stored clusters (docs/innovation.md): assignment, counts, concentration.

Assignment rule (the same as the national overview): an innovation carrier is inside a cluster
when it names the cluster (``cluster_id``) or sits in one of its member regions (a county counts
for its prefecture); a tagged enterprise (单项冠军, 小巨人, 专精特新, 高新技术企业, 链主) is inside when
it is registered in a member region **and** classed in one of the cluster's leading industries.
National totals are all distinct carriers of national level and all tagged enterprises stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, text

from jiqun.innovation import concentration, counts, gaps, headline_table
from jiqun.services import predicates, registry
from jiqun.services.cache import materialised
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH, prefecture_of
from jiqun.standard.schema import CARRIER_TYPES, TAGS
from jiqun.store.db import get_engine

#: the year the published headline figures describe (shown with every headline table)
HEADLINE_YEAR_NOTE = (
    "公开数字中，国家制造业创新中心（18 家）、国家级技术创新载体（1700 余家）、单项冠军（170 余家）和"
    "专精特新“小巨人”（2200 余家）为 2021 年数据（工业和信息化部 2022 年 11 月发布），只有主导产业产值"
    "“超过 20 万亿元”为 2023 年数据 / of the published figures, the 18 innovation centres, 1,700+ "
    "technology carriers, 170+ single-item champions and 2,200+ little giants describe 2021 (MIIT, "
    "November 2022); only the leading-industry output of more than ¥20 trillion is a 2023 figure"
)


@dataclass
class InnovationReport:
    """Per-cluster resources, concentration, gaps and headline figures, with their basis."""

    per_cluster: pd.DataFrame
    concentration: pd.DataFrame
    gaps: pd.DataFrame
    headline: pd.DataFrame
    basis: dict[str, object]
    notes: list[str] = field(default_factory=list)


@materialised("innovation")
def innovation_resources(
    engine: Engine | None = None, tier: str = "national", batches: tuple[int, ...] | None = None
) -> InnovationReport:
    """Innovation resources inside the clusters of ``tier`` (optionally of some batch years).

    Parameters
    ----------
    engine:
        Database (default: the configured one).
    tier:
        Cluster tier (default ``national``).
    batches:
        Batch years to keep (e.g. ``(2021, 2022)`` for the 45); default all.

    Returns
    -------
    InnovationReport

    Example
    -------
    >>> r = innovation_resources(batches=(2021, 2022))  # doctest: +SKIP
    >>> r.headline[["figure", "published", "from_data"]]  # doctest: +SKIP
    """
    engine = engine or get_engine()
    with engine.connect() as c:
        cl = pd.read_sql(
            text("SELECT cluster_id, name, field, batch_year FROM clusters WHERE tier = :t"),
            c,
            params={"t": tier},
        )
        cr, ci = registry.cluster_links(c)
        regions = registry.region_rows(c)
        car = pd.read_sql(
            text(
                "SELECT id, carrier_type, level, region_code, industry_code, cluster_id, "
                "synthetic FROM innovation_carriers"
            ),
            c,
        )
        ent = pd.read_sql(
            text(
                "SELECT uscc, region_code, industry_code, tags, synthetic FROM enterprises "
                "WHERE tags IS NOT NULL AND tags <> ''"
            ),
            c,
        )
        ft = predicates.FIRMS
        in_area = pd.read_sql(
            predicates.cluster_area_pairs(ft.c.tags.is_not(None), ft.c.tags != ""), c
        )
        year = c.execute(
            text("SELECT MAX(year) FROM region_stats WHERE measure = 'output'")
        ).scalar()
        stats = pd.read_sql(
            text(
                "SELECT region_code, industry_code, value FROM region_stats "
                "WHERE measure = 'output' AND year = :y"
            ),
            c,
            params={"y": year or 0},
        )
    if batches:
        cl = cl[cl["batch_year"].isin(batches)]
    ids = set(cl["cluster_id"])
    cr, ci = cr[cr["cluster_id"].isin(ids)], ci[ci["cluster_id"].isin(ids)]
    pref = prefecture_of(regions)

    car["pref"] = car["region_code"].map(pref)
    by_id = car.dropna(subset=["cluster_id"])
    by_id = by_id[by_id["cluster_id"].isin(ids)]
    by_region = (
        car[car["cluster_id"].isna()]
        .drop(columns=["cluster_id"])
        .merge(cr.rename(columns={"region_code": "pref"}), on="pref")
    )
    car_in = pd.concat([by_id, by_region], ignore_index=True)
    nat_car = car[car["level"] == "national"]
    car_in_nat = car_in[car_in["level"] == "national"]

    cells = cr.merge(ci, on="cluster_id")
    e_in = ent.merge(in_area, on="uscc")  # one row per tagged firm and cluster it is in
    e_in = e_in[e_in["cluster_id"].isin(ids)]
    tag_lists = e_in["tags"].str.split(";")
    all_tags = ent["tags"].str.split(";")

    parts = [
        pd.DataFrame(
            {
                "cluster_id": car_in_nat["cluster_id"],
                "resource": car_in_nat["carrier_type"],
                "item": "c" + car_in_nat["id"].astype(str),
            }
        )
    ]
    national: dict[str, int] = {
        t: int((nat_car["carrier_type"] == t).sum())
        for t in CARRIER_TYPES
        if (nat_car["carrier_type"] == t).any()
    }
    for tag in TAGS:
        hit = tag_lists.map(lambda ts, t=tag: t in ts).astype(bool)
        parts.append(
            pd.DataFrame(
                {
                    "cluster_id": e_in.loc[hit, "cluster_id"],
                    "resource": tag,
                    "item": e_in.loc[hit, "uscc"],
                }
            )
        )
        n = int(all_tags.map(lambda ts, t=tag: t in ts).astype(bool).sum())
        if n:
            national[tag] = n
    assigned = pd.concat(parts, ignore_index=True)
    per = counts(assigned).reindex(cl["cluster_id"]).fillna(0).astype(int)
    per = cl.set_index("cluster_id")[["name", "field"]].join(per).reset_index()
    conc = concentration(assigned, national)
    leading = ci.groupby("cluster_id")["industry_code"].agg(list).to_dict()
    gap = gaps(
        leading, car_in[["cluster_id", "industry_code", "level"]].dropna(subset=["industry_code"])
    )

    # Distinct member-region × leading-industry cells: overlapping clusters count a cell once.
    stats["pref"] = stats["region_code"].map(pref)
    in_cells = stats.merge(
        cells[["region_code", "industry_code"]]
        .drop_duplicates()
        .rename(columns={"region_code": "pref"}),
        on=["pref", "industry_code"],
    )
    output_wan = float(in_cells["value"].sum()) if len(in_cells) else float("nan")
    tech = [t for t in national if t in CARRIER_TYPES and t != "manufacturing_innovation_centre"]
    mic_in = int(
        assigned.loc[assigned["resource"] == "manufacturing_innovation_centre", "item"].nunique()
    )
    data = {
        "clusters_2021_2022": int(cl["batch_year"].isin([2021, 2022]).sum()),
        "output_trillion_yuan": output_wan / 1e8,  # 万元 → 万亿元
        "mic_in_45": mic_in,
        "mic_share": mic_in / national.get("manufacturing_innovation_centre", 0)
        if national.get("manufacturing_innovation_centre")
        else float("nan"),
        "tech_carriers_in_45": int(assigned.loc[assigned["resource"].isin(tech), "item"].nunique()),
        "champions_in_45": int(
            assigned.loc[assigned["resource"] == "single_champion", "item"].nunique()
        ),
        "little_giants_in_45": int(
            assigned.loc[assigned["resource"] == "little_giant", "item"].nunique()
        ),
    }
    synthetic = bool(car["synthetic"].astype(bool).any() or ent["synthetic"].astype(bool).any())
    notes = [f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}"] if synthetic else []
    if synthetic:
        notes.append(
            "演示数据的企业是抽样生成的（默认 20 万家），产值总量随样本规模变化，不能与公开的"
            "“超过 20 万亿元”比较；数量类指标（集群、创新中心、冠军、小巨人）按全国公开数字生成 / "
            "the demo's firms are a generated sample (200,000 by default): output totals scale "
            "with the sample and cannot be compared with the published ¥20 trillion; the counts "
            "(clusters, centres, champions, little giants) follow the published figures"
        )
    if not batches or set(batches) != {2021, 2022}:
        notes.append(
            "头条数字按所选集群计算；与公开数字对比时请选 2021–2022 两批（batches=(2021, 2022)） / "
            "headline figures are computed for the selected clusters; compare with the published "
            "figures using the 2021–2022 batches"
        )
    # The published counts are often quoted as current; they describe 2021 (see HEADLINE_AS_OF).
    notes.append(HEADLINE_YEAR_NOTE)
    notes.append(
        "暂按主导产业识别创新载体缺口；产业链环节层面的缺口需要产业链映射 / gaps are shown per "
        "leading industry; per chain segment they need the chain mapping"
    )
    basis: dict[str, object] = {
        "tier": tier,
        "batches": list(batches) if batches else "all",
        "carriers": "national-level carriers; inside = names the cluster or sits in a member region",
        "enterprises": "tagged enterprises in a member region and a leading industry",
        "value_or_count": "counts of distinct carriers and enterprises; output in trillion yuan",
        "output_year": int(year) if year else None,
        "synthetic": synthetic,
    }
    return InnovationReport(
        per_cluster=per,
        concentration=conc.reset_index(),
        gaps=gap,
        headline=headline_table(data),
        basis=basis,
        notes=notes,
    )
