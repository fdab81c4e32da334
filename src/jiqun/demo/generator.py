"""Deterministic synthetic demo dataset (模拟数据) on top of the real reference data.

``generate_demo()`` builds a complete, internally consistent data set — enterprises, region
statistics, clusters, cluster members, innovation carriers and supply links — in the canonical
columns of :mod:`jiqun.standard.schema`. **Everything except the cluster identities is synthetic**:
模拟数据，仅供演示 / synthetic demo data, not real statistics. Every frame carries ``synthetic``.

Example
-------
>>> from jiqun.demo import generate_demo
>>> demo = generate_demo(seed=1, n_enterprises=5_000)        # doctest: +SKIP
>>> demo.enterprises.columns[:4].tolist()                      # doctest: +SKIP
['uscc', 'name', 'region_code', 'industry_code']

Determinism
-----------
One ``numpy.random.Generator(PCG64(seed))`` drives every draw, in a fixed order; no wall clock, no
hash ordering, no Python ``random``. The same ``seed``, ``n_enterprises`` and ``years`` give
identical frames (``DataFrame.equals``) on the same numpy version.

Real inputs (shipped reference data, :mod:`jiqun.reference`)
-------------------------------------------------------------
* GB/T 2260 (2023) regions: 342 prefecture-level units and their 2,978 county-level units.
* GB/T 4754-2017 classes (4 digits).
* The cluster table (``reference/data/clusters.csv``): the 45 national advanced manufacturing
  clusters (2021 batch 25 + 2022 batch 20), the 2024 national clusters known so far and some SME
  characteristic clusters, with member regions and leading industries (the leading-industry codes
  are Jiqun's own assignment from the cluster names; see that file's ``leading_industries_basis``).
* 高技术产业(制造业)分类(2017) classes (used to weight ``high_tech``), the key products of
  战略性新兴产业分类(2018) and the draft chain templates (business scope words, class-level supply
  rules).

"The 45 clusters" below means ``tier == national`` and ``batch_year in (2021, 2022)``; a firm is
*inside* a cluster when its county, prefecture or province is one of the cluster's member regions
(member regions missing → the cluster's provinces) **and** its class is one of the cluster's leading
industries (2- or 3-digit codes match by prefix).

Enterprises (``n_enterprises``, default 200,000)
------------------------------------------------
* **Placement.** 12 % non-manufacturing firms (wholesale, software, research and technical
  services, logistics, power, plus a few agriculture and mining firms so that consumer-goods and
  materials chains have suppliers); 20 % *directed* firms placed in the 45 clusters (a member
  county × a leading class; see below); 4 % in the 2024 national clusters;
  1 % in the SME characteristic clusters; the rest (63 %) *general* manufacturing firms over all
  C13–C43 classes. Every prefecture-level unit first gets ``max(1, general // (342 × 25))``
  general firms (so every one of the 342 units — including the four 省直辖县级行政区划 groupings,
  whose firms sit in their county-level cities — has at least one firm); the rest go by a
  synthetic manufacturing weight (``data/geography.yaml``): a population prior (the province's
  2020 census population shared among its units by county-level units, districts and cities, capitals
  × 1.5, 自治州·地区·盟 × 0.6; :func:`jiqun.demo.structure.population_prior`) × a mild
  manufacturing intensity per province (coast 1.2–1.34, west 0.7–0.8, 西藏 0.45) × a factor for
  well-known manufacturing centres (苏州 3.0, 深圳 and 东莞 2.6, 佛山 2.2, 宁波 and 无锡 2.0, …)
  × lognormal(0, 0.08). Non-manufacturing firms follow (population × 2 for capitals)^1.3. A
  cluster's directed firms are shared among clusters ∝ (weight of its member regions)^0.8 ×
  (number of leading classes)^0.3 × lognormal(0, 0.3), and within a cluster favour the leading
  industry named first (weight 1 / (1 + 0.5 × position)). Then every prefecture-level member
  city of a national cluster is **specialised**: general firms of the city are moved into the
  cluster's leading classes until their firm-count location quotient reaches 3
  (:func:`jiqun.demo.firms.specialise`), so that employment LQs stay above 1.5 in every member
  city (``tests/demo/test_plausibility.py`` also checks Spearman ≥ 0.8 between prefecture
  manufacturing employment and the 2020 census population). At the default size about 21 % of the firms end up inside
  the 45 clusters (the 45 clusters' leading industries made about 15 % of national industrial
  revenue in 2023: > ¥20 trillion of ≈ ¥133 trillion; the demo makes them a little denser).
  Division shares of general firms follow the rough shape of the national count of
  above-scale manufacturing firms (通用设备 9 %, 非金属矿物 8.5 %, 电气 7 %, 金属制品 6.8 %, …);
  classes within a division get a lognormal(0, 0.9) weight, and every province × division and
  prefecture × division a lognormal specialisation factor (σ 0.6 and 0.5) so that location
  quotients vary. The county inside a prefecture is drawn with weight 2 (区) / 1.5 (市) / 1 (县),
  × lognormal(0, 0.5); a prefecture without counties would use its own code.
* **Employees** lognormal, median 20 (σ = 1.45, division offsets: autos +0.5, steel +0.6,
  petroleum +0.4, tobacco +1.5, services −0.2 … −0.5; directed cluster firms +0.25), so that a few
  firms exceed 10,000 and max/median ≫ 100. Tagged firms are enlarged (below).
* **Revenue (万元)** = employees × division productivity (万元 per person: petroleum 900, steel 600,
  chemicals 300, electronics 170, garments 60, wholesale 500, software 50, …) × (employees/100)^0.08
  × lognormal(0, 0.5), tagged firms × 1.2, then softly capped per division (``sizes.yaml``
  ``revenue_cap``: 300 亿元 by default, 500 for non-ferrous smelting, 2,000–2,500 for autos,
  electronics and refining). **Output** (manufacturing only) = revenue ×
  U(0.92, 1.04). **R&D** = revenue × share: untagged firms 0 with probability 0.4, else
  Beta(1.2, 60) (mean 2 %); tagged firms 1 % + Beta(2.5, 50) (mean ≈ 5.7 %); capped at 10 %
  (rounded down to the fen so the cap holds exactly).
* **Founded** 1985–(last year), density ∝ e^(0.07·(year−1985)), larger firms older
  (−3 years per decade of employees above 20, ± 2 years noise).
* **USCC** (GB 32100-2015): ``9`` (registration authority: market regulation) ``1`` (enterprise),
  positions 3–8 = the firm's region code, positions 9–17 = an organisation code (8 random
  characters from the code's charset, 85 % digits, plus its GB 11714 check character, weights
  3 7 9 10 5 8 4 2, check = 11 − (Σ mod 11), 10 → ``X``, 11 → ``0``), position 18 = the GB 32100
  check character (weights 3^(i−1) mod 31). All unique (re-drawn on collision).
* **Names** city + 2-character 字号 (≈ 2,000 combinations of common firm-name characters) +
  industry word (from the class name, :data:`CLASS_WORDS` where the name reads badly; a section
  word such as 商贸, 物流, 矿业 for non-manufacturing) + 有限公司 / 股份有限公司 (firms over 500
  employees mostly 股份) / 有限责任公司; 12 % of manufacturers use 科技, 4 % 实业. About 98 % of
  names are unique; uniqueness is not enforced.
* **Business scope** class keywords (class name, the 2018 SEI key products, chain-template segment
  words, a short curated list such as 减速器, 工业机器人, 锂离子电池, 集成电路) + stock phrases.
* **Coordinates** county seat (else prefecture, else province) + N(0, 0.03°) jitter.

Tags (``;``-separated tag ids in ``tags``; ``None`` when untagged)
------------------------------------------------------------------
Scale ``s = n_enterprises / 200,000``. National figures (as in ``docs/innovation.md``): the 45 clusters host
2,200+ little giants and 170+ single-item champions; nationally about 12,000 little giants (5
batches) and about 1,500 champions (8 batches).

* Inside the 45 clusters: **2,200·s little giants** and **170·s champions** (the real figures,
  1:1 at the default size).
* Outside: the remaining national numbers at a sampling fraction of 0.35:
  (12,000 − 2,200) × 0.35 = **3,430·s little giants** and (1,500 − 170) × 0.35 ≈ **465·s
  champions**. The demo keeps the 45 clusters at full scale (so a cluster profile shows
  real-looking totals) and samples the rest of the country: ≈ 158,000 demo firms stand for the
  ≈ 410,000 above-scale industrial firms outside the 45 clusters (0.39; rounded down to 0.35).
  With all 12,000 little giants in 200,000 firms, 6 % of the firms would be little giants and
  srdi firms (× 6) over 30 %. Totals at the default size: 5,630 little giants (2.8 % of firms),
  635 champions; little giants are ≈ 5 % of the firms inside the 45 clusters and ≈ 2 % outside.
* **srdi** (专精特新, includes every little giant) = 6 × all little giants (national ratio ≈ 8; brief
  5–10), ≈ 34,000 at the default size.
* **high_tech**: 17 % of manufacturing firms and 30 % of software/internet/R&D/tech-service firms;
  85 % of little giants and champions and half of srdi firms are high-tech; high-tech classes
  (NBS 2017) are 3 × as likely.
* **chain_leader**: 1–3 per national 2021/2022 cluster, 1 per 2024 national cluster, none for SME
  clusters, among each cluster's ten largest members. *In the demo these are synthetic labels.*
  In real data the tag is only set as listed by government; Jiqun never infers it.
* Selection is weighted by size (little giants and srdi among firms with 10–900 employees,
  champions among ≥ 100); after selection little giants grow × U(1.3, 2.2) (capped at 999
  employees), srdi × U(1.1, 1.6) (capped at 999), champions × U(1.5, 3), high-tech × U(1.0, 1.4),
  chain leaders to lognormal(ln 8,000, 0.5) (at most 60,000) if that is larger.

Region statistics
-----------------
Prefecture × 4-digit class × year × measure (``employment`` 人, ``revenue`` 万元, ``output`` 万元,
``firms`` 家), only non-zero cells, aggregated from the enterprises. The last year equals the firms'
current values exactly. Earlier years are back-cast: firms founded after the year are absent, and
each firm's value is divided by a growth factor exp(g_division + g_class + g_prefecture +
g_province + firm noise) — division trends roughly like 2023 (汽车 +9 %, 电气 +8 %, 运输设备 +10 %,
化学 −4 %, 非金属矿物 −6 %, 软件 +13 % …), class σ 0.06, prefecture σ 0.05, province σ 0.03, firm
σ 0.10; employment moves with 0.4 × that growth. Exits between years are not modelled. Province rows
are not written (they are sums of prefectures).

Clusters, members, carriers, supply links
-----------------------------------------
* **clusters**: the real cluster rows (identity fields are real, ``synthetic`` = False); the
  ``promotion_organisation`` "<集群名>发展促进中心（模拟）" is synthetic, as ``source`` says.
* **cluster_members**: every firm inside a cluster (any tier); role ``chain_leader`` for the demo
  chain leaders of that cluster, ``core`` for the largest 5 % by revenue (at least 1), else
  ``member``; ``joined`` = the later of founding and 1 January of the batch year, + 0–364 days.
* **innovation_carriers** (names end in （模拟）): 26 national manufacturing innovation centres, 18
  in 45-cluster member cities hosted by the cluster's largest member (18 of 26 nationally), 8
  elsewhere; 150·s provincial manufacturing innovation centres; 1,700·s national technology
  innovation carriers inside the 45 clusters (enterprise technology centres 50 %, key laboratories
  16 %, engineering research centres 14 %, industrial design centres 10 %, public service
  platforms 6 %, technology innovation centres 4 %), 1,500·s national ones outside the 45 clusters
  (national totals ≈ 3,000–3,500 across these types), 3,000·s provincial ones. Firm-hosted types
  (enterprise technology and industrial design centres always, key laboratories and engineering
  research centres half the time, technology innovation centres 30 %) get ``host_uscc`` = a
  firm of the same cluster or city drawn ∝ revenue without replacement (a firm hosts at most one
  technology carrier; a manufacturing innovation centre's lead firm may host one as well).
  Provincial carriers hosted by a cluster member carry that cluster's id. Names are
  "<firm>技术中心", "<city><industry>国家工程研究中心", "<province><industry>重点实验室", …, made
  unique per carrier type by the marker （模拟）, （模拟-2）, ….
* **supply_links** (year = last year): every firm buys from 2 + Poisson(0.1·employees^0.45)
  suppliers (max 15; ≈ 2.5 on average, ≈ 500,000 links at the default size). Each purchase's input
  class follows :data:`INPUT_RULES` (division → supplier divisions, weights; see there) and, for
  buyers in a chain-template class, with probability 0.5 the template (upstream segments supply
  midstream, midstream supply downstream). The supplier class within a division is weighted by
  the class's supplier mass. 30 % of further purchases repeat the previous input class (multi-
  sourcing, the repeat buys the class the previous purchase actually got), so most but not all
  (buyer, input) pairs are single-sourced (≈ 81 %). The supplier is drawn from the same
  prefecture with probability 0.40, the same province 0.25, anywhere 0.35, weighted by
  revenue^0.7; rule-table purchases choose locally among all suppliers of the input *division*
  (a local firm of a neighbouring class is bought rather than a distant one of the drawn class),
  template and repeated purchases stay in their class; an empty area falls back to the next
  wider one. Result: ≈ 42 % of links within the prefecture, ≈ 64 % within the province at the
  default size (≈ 33 % / 57 % at 20,000 firms). Value = buyer revenue × U(0.25, 0.55) × a
  Gamma(0.8) share of that buyer's purchases, at most 0.8 × the supplier's revenue per link, and
  each supplier's links scaled down where they would exceed 0.9 × its revenue; at least 0.01 万元.
  Self-links and duplicate (supplier, buyer) pairs are dropped; buyers left with fewer than two
  suppliers get extra national, unweighted draws (up to six rounds; in practice every buyer ends
  with 2–15 suppliers).

Foreign suppliers (境外供应商)
----------------------------
After everything else, 0.5 per 1,000 of the ``n_enterprises`` firms (at least 15) are foreign
suppliers of inputs China imports much of (集成电路 3973, 半导体设备 3562, 电子专用材料 3985, 仪器 4014, 机床 3421, 原料药
2710, 医疗设备 3584), region code = ISO 3166-1 alpha-2 country (JP, KR, US, DE, NL; see
:func:`jiqun.resilience.is_foreign`), credit-code positions 3–8 ``000000``, each selling to
about 25 demo firms of the buying classes (2–10 % of the buyer's revenue). They are in
``enterprises`` and ``supply_links`` only (not in region statistics, clusters or carriers);
:mod:`jiqun.demo.foreign`.

``meta`` holds the seed, generator version, counts per kind, tag counts and :data:`DEMO_NOTE`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jiqun.demo.clusters import clusters_frame, make_carriers, make_cluster_members
from jiqun.demo.firms import assign_tags, business_scope, firm_names, place_firms, tag_strings
from jiqun.demo.foreign import foreign_count, make_foreign_suppliers
from jiqun.demo.inputs import load_reference
from jiqun.demo.links import make_supply_links
from jiqun.demo.sampling import concat, make_uscc
from jiqun.demo.statistics import make_region_stats
from jiqun.demo.structure import build_classes, build_clusters, build_geo, split_codes
from jiqun.demo.tables import (
    DEFAULT_N,
    DEMO_NOTE,
    DEMO_SOURCE,
    GENERATOR_VERSION,
    PRODUCTIVITY,
    ROADS,
    SIZE_OFFSET,
    SIZES,
)
from jiqun.standard.schema import KINDS

ProgressFn = Callable[[str, float], None]

#: Enterprise fields only a registry export (企查查, 天眼查) carries; empty in the demo.
REGISTRY_ONLY = (
    "status",
    "registered_capital",
    "registered_capital_currency",
    "operating_term_start",
    "operating_term_end",
    "employees_year",
)

# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------


@dataclass
class DemoData:
    """The demo data set: one frame per kind (canonical columns + ``synthetic``), plus ``meta``.

    ``enterprises.tags`` is a ``;``-separated string of tag ids (``None`` when untagged);
    ``clusters.member_regions`` and ``clusters.leading_industries`` are lists of codes;
    dates are ``datetime64`` columns.
    """

    enterprises: pd.DataFrame
    region_stats: pd.DataFrame
    clusters: pd.DataFrame
    cluster_members: pd.DataFrame
    innovation_carriers: pd.DataFrame
    supply_links: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Frames keyed by kind name (``enterprises``, ``region-stats``, …), in load order."""
        return {
            "clusters": self.clusters,
            "enterprises": self.enterprises,
            "region-stats": self.region_stats,
            "cluster-members": self.cluster_members,
            "innovation-carriers": self.innovation_carriers,
            "supply-links": self.supply_links,
        }


# --------------------------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------------------------


def generate_demo(
    seed: int = 2026,
    n_enterprises: int = DEFAULT_N,
    years: tuple[int, int] = (2022, 2023),
    progress: ProgressFn | None = None,
) -> DemoData:
    """Build the synthetic demo data set (see the module docstring for every modelling choice).

    Parameters
    ----------
    seed: seed of the numpy ``Generator``; the same arguments give identical frames.
    n_enterprises: number of firms (≥ 1,000, so that every prefecture-level unit gets one),
        foreign suppliers included (:func:`jiqun.demo.foreign.foreign_count`).
    years: first and last year of ``region_stats`` (inclusive); firms' values are the last year.
    progress: optional callback ``progress("阶段 / stage", fraction_done)``.
    """
    if n_enterprises < 1_000:
        raise ValueError("n_enterprises must be at least 1,000 / 企业数至少 1,000")
    y0, y1 = int(years[0]), int(years[1])
    if y0 > y1 or y1 < 1990:
        raise ValueError(f"invalid years {years!r}")

    def report(stage: str, frac: float) -> None:
        if progress is not None:
            progress(stage, frac)

    rng = np.random.Generator(np.random.PCG64(seed))
    report("加载参考数据 / loading reference data", 0.0)
    regions, industries, clusters_ref = load_reference()
    cls = build_classes(industries)
    geo_probe_prefs: set[str] = set()
    for _, row in clusters_ref.iterrows():
        batch = str(row.get("batch_year", ""))
        if str(row.get("tier")) == "national" and batch in ("2021", "2022"):
            geo_probe_prefs.update(split_codes(row.get("member_regions")))
    geo = build_geo(regions, geo_probe_prefs, rng)
    cref = build_clusters(clusters_ref, geo, cls)
    scale = n_enterprises / DEFAULT_N

    report("生成企业 / placing enterprises", 0.05)
    n_foreign = foreign_count(n_enterprises)  # part of n_enterprises, added at the end
    f_cty, f_cls, f_directed = place_firms(rng, n_enterprises - n_foreign, geo, cls, cref)
    n = len(f_cty)
    f_pref = geo.cty_pref[f_cty]
    f_prov = geo.pref_prov[f_pref]
    f_div = cls.div[f_cls]
    is_mfg = cls.is_mfg[f_cls]

    # memberships (firm indices per cluster)
    member_idx = [
        np.flatnonzero(cref.cty_in[k][f_cty] & cref.class_in[k][f_cls])
        for k in range(len(cref.ids))
    ]
    in45 = np.zeros(n, dtype=bool)
    for k in np.flatnonzero(cref.is45):
        in45[member_idx[k]] = True

    report("规模与标签 / sizes and tags", 0.15)
    offset = np.array([SIZE_OFFSET.get(d, 0.0) for d in cls.div])[f_cls]
    size = SIZES["employees"]
    logemp = (
        rng.normal(0.0, size["log_sigma"], n) + offset + size["directed_log_offset"] * f_directed
    )
    logemp += np.log(size["median"]) - np.median(logemp)
    emp = np.maximum(1.0, np.exp(logemp))

    tags, chain_leader_of = assign_tags(rng, emp, f_cls, cls, in45, is_mfg, member_idx, cref, scale)
    lg, champ, srdi, ht, leader = (
        tags[k] for k in ("little_giant", "single_champion", "srdi", "high_tech", "chain_leader")
    )
    # enlarge tagged firms
    emp = np.where(lg, np.maximum(emp, np.minimum(emp * rng.uniform(1.3, 2.2, n), 999)), emp)
    emp = np.where(
        srdi & ~lg, np.maximum(emp, np.minimum(emp * rng.uniform(1.1, 1.6, n), 999)), emp
    )
    emp = np.where(champ, emp * rng.uniform(1.5, 3.0, n), emp)
    emp = np.where(ht, emp * rng.uniform(1.0, 1.4, n), emp)
    cl_size = SIZES["chain_leader"]
    leader_emp = np.minimum(
        rng.lognormal(np.log(cl_size["median"]), cl_size["log_sigma"], n), cl_size["cap"]
    )
    emp = np.where(leader, np.maximum(emp, leader_emp), emp)
    employees = np.maximum(1, np.round(emp)).astype(np.int64)

    prod = np.array(
        [
            PRODUCTIVITY.get(d, 130.0 if m else 60.0)
            for d, m in zip(cls.div, cls.is_mfg, strict=True)
        ]
    )[f_cls]
    tagged = lg | champ | srdi | ht | leader
    rv = SIZES["revenue"]
    revenue = (
        employees
        * prod
        * (employees / 100.0) ** rv["size_elasticity"]
        * rng.lognormal(0.0, rv["log_sigma"], n)
    )
    revenue = np.where(tagged, revenue * rv["tagged_factor"], revenue)
    caps = SIZES["revenue_cap"]
    cap = 1e4 * np.array([float(caps.get(d, caps["default"])) for d in cls.div])[f_cls]
    # soft cap (亿元 → 万元): below half the cap almost unchanged, never reached, no pile-up
    revenue = revenue / (1.0 + (revenue / cap) ** 4) ** 0.25
    revenue = np.round(np.maximum(revenue, 1.0), 2)
    out_u = rng.uniform(rv["output_low"], rv["output_high"], n)
    output = np.where(is_mfg, np.round(revenue * out_u, 2), np.nan)
    rdp = SIZES["rd"]
    a_plain, b_plain = rdp["beta_untagged"]
    a_tag, b_tag = rdp["beta_tagged"]
    share_plain = np.where(
        rng.random(n) < rdp["zero_probability"], 0.0, rng.beta(a_plain, b_plain, n)
    )
    share_tag = rdp["base_tagged"] + rng.beta(a_tag, b_tag, n)
    rd_share = np.minimum(np.where(tagged, share_tag, share_plain), rdp["cap"])
    rd = np.floor(revenue * rd_share * 100.0) / 100.0  # never above the 10 % cap

    # founded: exponential growth of entries, larger firms older
    yrs = np.arange(1985, y1 + 1)
    p = np.exp(0.07 * (yrs - 1985))
    year = rng.choice(yrs, size=n, p=p / p.sum())
    shift = 3.0 * np.maximum(0.0, np.log10(employees / 20.0)) + rng.normal(0.0, 2.0, n)
    year = np.clip(np.round(year - np.maximum(shift, 0.0)), 1985, y1).astype(np.int64)
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days = np.where(np.isin(year % 4, 0), 366, 365)
    founded = jan1 + rng.integers(0, 10_000, n) % days

    report("信用代码与名称 / credit codes and names", 0.35)
    region_code = geo.cty_code[f_cty]
    uscc = make_uscc(rng, region_code)
    names = firm_names(rng, f_cty, f_cls, employees, geo, cls)
    scope = business_scope(rng, f_cls, cls)
    address = concat(
        geo.prov_name[f_prov],
        geo.pref_full[f_pref],
        np.where(geo.cty_name[f_cty] == geo.pref_full[f_pref], "", geo.cty_name[f_cty]),
        np.array(ROADS, dtype=object)[rng.integers(0, len(ROADS), n)],
        rng.integers(1, 999, n).astype(str).astype(object),
        "号",
    )
    lon = np.round(geo.cty_lon[f_cty] + rng.normal(0.0, 0.03, n), 6)
    lat = np.round(geo.cty_lat[f_cty] + rng.normal(0.0, 0.03, n), 6)
    tag_str = tag_strings(tags, n)

    enterprises = pd.DataFrame(
        {
            "uscc": uscc,
            "name": names,
            "region_code": region_code,
            "industry_code": cls.code[f_cls],
            "founded": founded.astype("datetime64[s]"),
            "employees": employees,
            "revenue": revenue,
            "output": output,
            "rd_expense": rd,
            "tags": tag_str,
            "business_scope": scope,
            "address": address,
            "lon": lon,
            "lat": lat,
        }
    )
    # What only a registry export carries (status, registered capital, operating term, the
    # year of the employee count) is not simulated: empty, never invented.
    for f in REGISTRY_ONLY:
        enterprises[f] = None
    enterprises["synthetic"] = True
    assert list(enterprises.columns[:-1]) == KINDS["enterprises"].field_names

    report("地区统计 / region statistics", 0.5)
    region_stats = make_region_stats(
        rng, enterprises, f_pref, f_prov, f_cls, year, geo, cls, y0, y1
    )

    report("集群 / clusters and members", 0.6)
    clusters = clusters_frame(cref)
    members = make_cluster_members(rng, cref, member_idx, uscc, revenue, founded, chain_leader_of)

    report("创新载体 / innovation carriers", 0.68)
    carriers = make_carriers(
        rng,
        cref,
        member_idx,
        in45,
        enterprises,
        f_pref,
        f_cls,
        f_div,
        is_mfg,
        revenue,
        geo,
        cls,
        scale,
        y1,
    )

    report("供应关系 / supply links", 0.75)
    links = make_supply_links(rng, f_cls, f_pref, f_prov, f_div, employees, revenue, uscc, cls, y1)
    # foreign suppliers come last: they are outside the domestic statistics and the clusters
    foreign, foreign_links = make_foreign_suppliers(rng, n_foreign, enterprises, f_cls, cls, y1)
    enterprises = pd.concat([enterprises, foreign], ignore_index=True)
    links = pd.concat([links, foreign_links], ignore_index=True)

    counts = {
        "enterprises": len(enterprises),
        "region-stats": len(region_stats),
        "clusters": len(clusters),
        "cluster-members": len(members),
        "innovation-carriers": len(carriers),
        "supply-links": len(links),
    }
    meta: dict[str, Any] = {
        "note": DEMO_NOTE,
        "seed": seed,
        "generator": "jiqun.demo",
        "generator_version": GENERATOR_VERSION,
        "n_enterprises": len(enterprises),
        "years": [y0, y1],
        "counts": counts,
        "tags_total": {k: int(v.sum()) for k, v in tags.items()},
        "tags_in_45_clusters": {k: int((v & in45).sum()) for k, v in tags.items()},
        "firms_in_45_clusters": int(in45.sum()),
        "foreign_suppliers": len(foreign),
        "national_mic_in_45_clusters": int(
            (
                (carriers["carrier_type"] == "manufacturing_innovation_centre")
                & (carriers["level"] == "national")
                & carriers["cluster_id"].isin([cref.ids[k] for k in np.flatnonzero(cref.is45)])
            ).sum()
        ),
        "chain_leader_note": "链主标签为演示用模拟标签 / chain_leader tags are synthetic demo labels",
        "source": DEMO_SOURCE,
    }
    report("完成 / done", 1.0)
    return DemoData(
        enterprises=enterprises,
        region_stats=region_stats,
        clusters=clusters,
        cluster_members=members,
        innovation_carriers=carriers,
        supply_links=links,
        meta=meta,
    )
