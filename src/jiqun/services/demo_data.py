"""Deterministic synthetic demo dataset (模拟数据) on top of the real reference data.

``generate_demo()`` builds a complete, internally consistent data set — enterprises, region
statistics, clusters, cluster members, innovation carriers and supply links — in the canonical
columns of :mod:`jiqun.standard.schema`. **Everything except the cluster identities is synthetic**:
模拟数据，仅供演示 / synthetic demo data, not real statistics. Every frame carries ``synthetic``.

Example
-------
>>> from jiqun.services.demo_data import generate_demo
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
  county × a leading class; cluster share ∝ √(economic weight of its member regions) ×
  (number of leading classes)^0.3 × lognormal(0, 0.3) noise); 4 % in the 2024 national clusters;
  1 % in the SME characteristic clusters; the rest (63 %) *general* manufacturing firms over all
  C13–C43 classes. Every prefecture-level unit first gets ``max(1, general // (342 × 25))``
  general firms (so every one of the 342 units — including the four 省直辖县级行政区划 groupings,
  whose firms sit in their county-level cities — has at least one firm); the rest go by a
  synthetic economic weight: province group (coastal east 2.2, the four big manufacturing
  provinces 3.0, centre 1.3, north-east 0.9, west 0.8, thinly populated provinces 0.15–0.5) ×
  municipality 3 / capital or sub-provincial city 2.5 / known manufacturing hub 2.5 (苏州, 无锡,
  东莞, 佛山, 宁波 a further 1.8) / 45-cluster member city 1.6 / 自治州·地区·盟 0.5 ×
  (counties)^0.5 × lognormal(0, 0.35). At the default size about 21 % of the firms end up inside
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
  × lognormal(0, 0.5), tagged firms × 1.2. **Output** (manufacturing only) = revenue ×
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
Scale ``s = n_enterprises / 200,000``. National figures (PRODUCT.md): the 45 clusters host
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
  chain leaders to lognormal(ln 12,000, 0.6) if that is larger.

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
  in 45-cluster member cities hosted by the cluster's largest member (PRODUCT.md: 18 of 26), 8
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

``meta`` holds the seed, generator version, counts per kind, tag counts and :data:`DEMO_NOTE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from jiqun.standard import codes as _codes
from jiqun.standard.schema import CARRIER_TYPES, FIELDS_OF_CLUSTERS, KINDS

GENERATOR_VERSION = "1.0.0"
DEMO_NOTE = "模拟数据，仅供演示 / synthetic demo data, not real statistics"
DEMO_SOURCE = "Jiqun demo generator (synthetic)"
DEFAULT_N = 200_000

#: Tag targets at the default size (see the module docstring for the reasoning).
LITTLE_GIANTS_IN_45 = 2_200
CHAMPIONS_IN_45 = 170
LITTLE_GIANTS_NATIONAL = 12_000
CHAMPIONS_NATIONAL = 1_500
OUTSIDE_SAMPLING = 0.35
SRDI_PER_LITTLE_GIANT = 6
HIGH_TECH_MFG_SHARE = 0.17
NATIONAL_MIC_TOTAL = 26
NATIONAL_MIC_IN_45 = 18

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)

ProgressFn = Callable[[str, float], None]

# --------------------------------------------------------------------------------------------
# modelling tables
# --------------------------------------------------------------------------------------------

#: Share (%) of general manufacturing firms per division (rough shape of the national count of
#: above-scale manufacturing enterprises).
MFG_DIVISION_SHARE: dict[str, float] = {
    "13": 5.5, "14": 2.3, "15": 1.4, "16": 0.05, "17": 4.5, "18": 3.4, "19": 1.8, "20": 2.0,
    "21": 1.7, "22": 1.6, "23": 1.4, "24": 2.2, "25": 0.5, "26": 6.0, "27": 2.0, "28": 0.5,
    "29": 5.5, "30": 8.5, "31": 1.0, "32": 1.9, "33": 6.8, "34": 9.0, "35": 5.9, "36": 4.0,
    "37": 1.3, "38": 7.0, "39": 5.2, "40": 1.5, "41": 0.4, "42": 0.7, "43": 0.3,
}  # fmt: skip

#: Share (%) of the non-manufacturing firms per division.
SERVICE_DIVISION_SHARE: dict[str, float] = {
    "51": 24, "65": 18, "64": 5, "72": 9, "73": 5, "74": 8, "75": 9, "54": 5, "59": 4, "58": 2,
    "44": 2, "01": 1.5, "03": 1.5, "02": 0.5, "05": 0.5, "06": 1, "07": 0.3, "08": 0.5,
    "09": 0.7, "10": 1.0,
}  # fmt: skip

#: log-offset of median employees per division (0 = median 20 before calibration).
SIZE_OFFSET: dict[str, float] = {
    "16": 1.5, "25": 0.4, "31": 0.6, "32": 0.3, "36": 0.5, "37": 0.4, "39": 0.3, "27": 0.2,
    "44": 0.3, "06": 0.7, "07": 0.5, "18": 0.2, "65": -0.2, "64": -0.2, "51": -0.4, "72": -0.5,
    "73": -0.3, "74": -0.3, "75": -0.4, "54": -0.2, "59": -0.2, "58": -0.3, "01": -0.3,
    "02": -0.3, "03": -0.3, "05": -0.5,
}  # fmt: skip

#: revenue per employee (万元) per division; default 130 for manufacturing, 60 otherwise.
PRODUCTIVITY: dict[str, float] = {
    "13": 260, "14": 150, "15": 170, "16": 1000, "17": 100, "18": 60, "19": 70, "20": 130,
    "21": 90, "22": 170, "23": 90, "24": 80, "25": 900, "26": 300, "27": 140, "28": 350,
    "29": 110, "30": 140, "31": 600, "32": 450, "33": 110, "34": 120, "35": 120, "36": 230,
    "37": 140, "38": 170, "39": 170, "40": 90, "41": 100, "42": 350, "43": 90, "51": 500,
    "65": 50, "64": 80, "72": 60, "73": 40, "74": 50, "75": 40, "54": 60, "58": 150, "59": 80,
    "44": 400, "06": 150, "07": 300, "08": 150, "09": 150, "10": 120,
}  # fmt: skip

#: nominal growth of revenue to the last year per division (log points), roughly 2023's pattern.
DIVISION_GROWTH: dict[str, float] = {
    "13": -0.01, "14": 0.02, "15": 0.04, "17": -0.02, "18": -0.05, "19": -0.03, "20": -0.02,
    "21": -0.03, "22": -0.03, "24": -0.01, "25": -0.02, "26": -0.04, "27": -0.04, "28": -0.02,
    "29": 0.01, "30": -0.06, "31": -0.03, "32": 0.04, "33": -0.01, "34": 0.03, "35": 0.04,
    "36": 0.09, "37": 0.10, "38": 0.08, "39": 0.01, "40": 0.04, "65": 0.13, "64": 0.05,
    "51": 0.02, "44": 0.05,
}  # fmt: skip
CLASS_GROWTH: dict[str, float] = {"3612": 0.25, "3841": 0.10, "3825": 0.15, "3973": -0.05}

#: Input–output rule table (division level): buyer division → [(supplier division, weight)].
#: Written for the demo from the usual structure of China's input–output tables: processing
#: industries buy their raw materials (agriculture → food; mining → fuels, metals, building
#: materials; chemicals → plastics, fibres, pharma), assemblers buy parts from their own
#: division and from metal products, electrical, electronics and plastics; services buy
#: equipment and software. Divisions not listed use ``DEFAULT_INPUTS``.
INPUT_RULES: dict[str, list[tuple[str, float]]] = {
    "13": [("01", 5), ("03", 4), ("05", 1), ("13", 2), ("22", 1), ("29", 1), ("26", 1)],
    "14": [("13", 5), ("01", 2), ("03", 2), ("14", 2), ("22", 1), ("29", 1), ("26", 1)],
    "15": [("01", 3), ("13", 3), ("15", 1), ("22", 1), ("30", 2), ("29", 1), ("17", 0.5)],
    "16": [("01", 4), ("22", 2), ("23", 1)],
    "17": [("28", 5), ("01", 2), ("17", 4), ("26", 2), ("03", 1), ("05", 0.5)],
    "18": [("17", 6), ("18", 2), ("28", 1), ("29", 1), ("19", 1), ("22", 0.5)],
    "19": [("03", 2), ("19", 3), ("17", 2), ("26", 1), ("29", 2), ("05", 0.5)],
    "20": [("02", 5), ("20", 2), ("26", 1)],
    "21": [("20", 5), ("33", 2), ("17", 1), ("29", 2), ("30", 1), ("26", 1)],
    "22": [("02", 3), ("20", 2), ("22", 3), ("26", 2), ("42", 2)],
    "23": [("22", 5), ("26", 2), ("23", 1)],
    "24": [("29", 3), ("17", 2), ("22", 2), ("33", 2), ("39", 2), ("24", 2)],
    "25": [("06", 4), ("07", 5), ("25", 2), ("26", 1)],
    "26": [("07", 2), ("25", 4), ("26", 6), ("10", 2), ("09", 1), ("44", 1)],
    "27": [("26", 5), ("27", 5), ("29", 2), ("35", 1), ("01", 1), ("73", 1)],
    "28": [("25", 4), ("26", 5), ("28", 2)],
    "29": [("26", 6), ("28", 1), ("29", 3), ("25", 1)],
    "30": [("10", 5), ("06", 2), ("30", 3), ("26", 1), ("44", 1)],
    "31": [("08", 5), ("06", 3), ("31", 3), ("44", 1)],
    "32": [("09", 5), ("32", 4), ("26", 1), ("44", 1), ("42", 2)],
    "33": [("31", 6), ("32", 3), ("33", 2), ("26", 1)],
    "34": [("31", 3), ("32", 2), ("33", 4), ("34", 5), ("38", 3), ("39", 2), ("40", 1)],
    "35": [("33", 4), ("31", 2), ("32", 1), ("34", 5), ("35", 3), ("38", 3), ("39", 2), ("40", 1)],
    "36": [("36", 8), ("38", 4), ("29", 3), ("33", 3), ("34", 3), ("39", 3), ("26", 1),
           ("32", 2), ("31", 2), ("30", 1)],
    "37": [("31", 3), ("32", 3), ("33", 3), ("34", 4), ("38", 3), ("39", 3), ("37", 4),
           ("40", 1)],
    "38": [("32", 5), ("31", 2), ("38", 5), ("29", 2), ("39", 2), ("26", 2), ("33", 2),
           ("30", 1)],
    "39": [("39", 8), ("38", 3), ("26", 2), ("30", 2), ("32", 2), ("33", 1), ("35", 1),
           ("29", 2)],
    "40": [("39", 4), ("40", 3), ("33", 2), ("32", 1), ("29", 1), ("38", 2)],
    "41": [("29", 2), ("33", 2), ("17", 1), ("26", 1)],
    "42": [("42", 2), ("59", 1), ("33", 1)],
    "43": [("34", 3), ("38", 2), ("39", 1), ("33", 1)],
    "01": [("26", 5), ("35", 2), ("13", 2), ("29", 1)],
    "02": [("26", 2), ("35", 2)],
    "03": [("13", 5), ("01", 3), ("27", 1), ("35", 1)],
    "05": [("26", 2), ("35", 3), ("01", 1)],
    "06": [("35", 4), ("34", 2), ("25", 2), ("44", 2), ("26", 1)],
    "07": [("35", 4), ("34", 2), ("33", 2), ("44", 1)],
    "08": [("35", 4), ("34", 2), ("44", 2), ("26", 1)],
    "09": [("35", 4), ("34", 2), ("44", 2), ("26", 2)],
    "10": [("35", 4), ("34", 2), ("44", 2)],
    "44": [("06", 5), ("38", 3), ("34", 2), ("25", 1), ("35", 1)],
    "51": [("13", 2), ("14", 2), ("15", 1), ("17", 1), ("18", 2), ("26", 2), ("33", 1),
           ("34", 1), ("38", 2), ("39", 2), ("27", 1)],
    "54": [("36", 4), ("25", 4), ("37", 1), ("43", 1)],
    "58": [("54", 3), ("59", 2)],
    "59": [("34", 3), ("33", 2), ("29", 1), ("54", 1)],
    "64": [("65", 3), ("39", 3), ("64", 1)],
    "65": [("39", 5), ("65", 4), ("64", 2)],
    "72": [("65", 2), ("39", 1), ("23", 1), ("72", 1)],
    "73": [("40", 3), ("26", 2), ("39", 2), ("27", 1), ("73", 1)],
    "74": [("40", 3), ("39", 2), ("65", 2)],
    "75": [("65", 2), ("39", 1), ("40", 1), ("75", 1)],
}  # fmt: skip
DEFAULT_INPUTS: list[tuple[str, float]] = [("39", 2), ("65", 2), ("38", 1), ("29", 1)]

#: Division → field of clusters (for innovation carriers outside clusters).
DIVISION_FIELD: dict[str, str] = {
    **dict.fromkeys(["39", "63", "64", "65"], "new_generation_it"),
    **dict.fromkeys(["34", "35", "37", "38", "40", "43"], "high_end_equipment"),
    **dict.fromkeys(["25", "26", "28", "29", "30", "31", "32", "42"], "new_materials"),
    **dict.fromkeys(["27", "73"], "biomedicine"),
    **dict.fromkeys(["13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24",
                     "41"], "consumer_goods"),
    "36": "nev_icv",
}  # fmt: skip

#: Extra product words per class for ``business_scope`` (searchable by the keyword mapper).
KEY_PRODUCTS: dict[str, list[str]] = {
    "3453": ["减速器", "精密减速器", "齿轮箱"],
    "3491": ["工业机器人", "机器人本体", "机械臂"],
    "3492": ["特种机器人", "巡检机器人"],
    "3841": ["锂离子电池", "动力电池", "储能电池"],
    "3849": ["电池", "燃料电池"],
    "3973": ["集成电路", "芯片", "晶圆"],
    "3972": ["功率器件", "分立器件"],
    "3562": ["半导体设备", "刻蚀机"],
    "3985": ["电子专用材料", "硅片", "光刻胶", "正极材料", "负极材料", "电解液"],
    "3612": ["新能源汽车", "电动汽车"],
    "3611": ["汽车整车", "乘用车"],
    "3670": ["汽车零部件", "汽车电子"],
    "3825": ["光伏组件", "太阳能电池片"],
    "3821": ["逆变器", "变压器"],
    "3812": ["电机", "驱动电机"],
    "3813": ["伺服电机", "微特电机"],
    "4011": ["控制器", "PLC", "工业自动控制系统"],
    "3983": ["传感器", "敏感元件"],
    "6520": ["集成电路设计", "芯片设计"],
    "6513": ["应用软件", "人工智能软件"],
    "2710": ["原料药", "医药中间体"],
    "2720": ["化学药品制剂", "片剂"],
    "2761": ["生物药品", "疫苗"],
    "3581": ["医疗诊断设备", "医学影像设备"],
    "3514": ["工程机械", "挖掘机", "起重机"],
    "3711": ["高铁列车", "动车组"],
    "3741": ["飞机", "航空器"],
    "3731": ["船舶", "海洋工程装备"],
    "3851": ["家用电器", "冰箱", "空调"],
    "3921": ["通信设备", "基站"],
    "3922": ["手机", "智能终端"],
    "3911": ["计算机整机", "服务器"],
}

#: First and second characters of the 2-character "字号" in firm names (≈ 2,000 combinations).
_NAME_FIRST = "华恒瑞鼎宏新中天博金海正德长东联汇盛永诚精佳协嘉亚凯明宇信泰晨拓同卓星远利振伟科昊立腾万安国锦元英昌盈聚广高康鸿浩丰茂宝鑫晶蓝众"
_NAME_SECOND = "达通盛远航科成信泰华创丰源兴茂润瑞德力新安昌发光宇鼎业海邦威捷隆腾美嘉"
_NAME_WORDS = tuple(a + b for a in _NAME_FIRST for b in _NAME_SECOND if a != b)
_ROADS = [
    "人民路",
    "建设路",
    "解放路",
    "中山路",
    "工业大道",
    "科技路",
    "高新大道",
    "创业路",
    "长江路",
    "黄河路",
    "新华路",
    "和平路",
    "东风路",
    "朝阳路",
    "兴业路",
    "开发区大道",
    "纬一路",
    "经二路",
    "园区路",
    "发展大道",
    "振兴路",
    "光明路",
    "复兴路",
    "滨江路",
    "湖滨路",
    "学府路",
    "环城路",
    "金桥路",
    "创新大道",
    "迎宾大道",
]
_SCOPE_TAILS = (
    "货物进出口；技术进出口",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "机械设备销售；普通货物仓储服务",
    "软件开发；信息系统集成服务",
    "销售代理；国内贸易代理",
    "新材料技术研发；工程和技术研究和试验发展",
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
)
_SECTION_WORDS: dict[str, list[str]] = {
    "A": ["农业", "农牧", "生态农业"],
    "B": ["矿业", "矿产"],
    "D": ["能源", "电力"],
    "F": ["商贸", "贸易", "供应链"],
    "G": ["物流", "运输"],
    "L": ["企业管理", "咨询"],
    "M": ["科技", "技术"],
}
_CARRIER_WORD = {k: v[0] for k, v in CARRIER_TYPES.items()}

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
# reference data
# --------------------------------------------------------------------------------------------


def _data_file(name: str) -> Any:
    return resources.files("jiqun.reference").joinpath("data", name)


def _load_reference() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(regions, industries, clusters) from :mod:`jiqun.reference`, else its CSV files."""
    try:
        from jiqun import reference as ref  # type: ignore[attr-defined]

        regions = ref.regions()
        industries = ref.industries()
        clusters = ref.clusters()
    except (ImportError, AttributeError):
        with _data_file("admin_divisions_cn_2023.csv").open("rb") as f:
            regions = pd.read_csv(f, dtype=str)
        with _data_file("gbt4754_2017_codes.csv").open("rb") as f:
            industries = pd.read_csv(f, dtype=str)
        with _data_file("clusters.csv").open("rb") as f:
            clusters = pd.read_csv(f, dtype=str, keep_default_na=False)
    regions = regions.copy()
    for c in ("code", "parent_code", "province_code", "level", "name"):
        regions[c] = regions[c].astype(object).where(regions[c].notna(), None)
    for c in ("lon", "lat"):
        regions[c] = pd.to_numeric(regions[c], errors="coerce")
    industries = industries.copy()
    industries["code"] = industries["code"].astype(str)
    industries["level"] = pd.to_numeric(industries["level"]).astype(int)
    return regions, industries, clusters.copy()


def _optional_csv(name: str) -> pd.DataFrame | None:
    try:
        with _data_file(name).open("rb") as f:
            return pd.read_csv(f, dtype=str)
    except (FileNotFoundError, OSError):
        return None


def _chain_templates() -> list[dict[str, list[str]]]:
    """Chain templates as {position: [4-digit classes]} (only files shipped with the package)."""
    import yaml

    base = resources.files("jiqun.reference").joinpath("data")
    names = sorted(p.name for p in base.iterdir() if re.match(r"chain_templates.*\.ya?ml$", p.name))
    chains: list[dict[str, list[str]]] = []
    if not names:
        return chains
    doc = yaml.safe_load(base.joinpath(names[0]).read_text(encoding="utf-8")) or {}
    for chain in doc.values():
        if not isinstance(chain, dict):
            continue
        out: dict[str, list[str]] = {}
        for pos in ("upstream", "midstream", "downstream"):
            codes: list[str] = []
            for seg in chain.get(pos) or []:
                for code in seg.get("gbt4754") or []:
                    c = re.sub(r"^[A-Z]", "", str(code))
                    if len(c) == 4 and c not in codes:
                        codes.append(c)
            out[pos] = codes
        chains.append(out)
    return chains


def _chain_segment_words() -> dict[str, list[str]]:
    """Product words per class from the chain-template segment names."""
    import yaml

    base = resources.files("jiqun.reference").joinpath("data")
    names = sorted(p.name for p in base.iterdir() if re.match(r"chain_templates.*\.ya?ml$", p.name))
    words: dict[str, list[str]] = {}
    if not names:
        return words
    doc = yaml.safe_load(base.joinpath(names[0]).read_text(encoding="utf-8")) or {}
    for chain in doc.values():
        if not isinstance(chain, dict):
            continue
        for pos in ("upstream", "midstream", "downstream"):
            for seg in chain.get(pos) or []:
                name = re.sub(r"[（(].*?[）)]", "", str(seg.get("segment", "")))
                parts = [p.strip() for p in re.split(r"[/、]", name) if 2 <= len(p.strip()) <= 8]
                for code in seg.get("gbt4754") or []:
                    c = re.sub(r"^[A-Z]", "", str(code))
                    words.setdefault(c, [])
                    words[c] += [p for p in parts if p not in words[c]]
    return words


_ETHNIC = (
    "朝鲜|土家|苗|侗|布依|藏|羌|彝|傣|景颇|白|哈尼|壮|傈僳|回|蒙古|哈萨克|柯尔克孜|黎|瑶|"
    "水|仫佬|毛南|仡佬|纳西|普米|怒|独龙|阿昌|德昂|拉祜|佤|基诺|布朗|裕固|撒拉|土|东乡|保安"
)
_AUTONOMOUS_RE = re.compile(rf"(?:(?:{_ETHNIC})族?)+自治州$")


def _short_place(name: str) -> str:
    """城市简称: 无锡市 → 无锡, 延边朝鲜族自治州 → 延边, 阿里地区 → 阿里, 锡林郭勒盟 → 锡林郭勒."""
    s = _AUTONOMOUS_RE.sub("", name)
    if s != name and len(s) >= 2:
        return s
    for suf in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "地区", "林区"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    if name[-1:] in ("省", "市", "盟", "县", "区", "旗") and len(name) >= 3:
        return name[:-1]
    return name


#: Industry words for firm names where the class name reads badly.
CLASS_WORDS: dict[str, str] = {
    "3611": "汽车", "3612": "新能源汽车", "3841": "锂电", "2710": "药业", "2720": "制药",
    "2730": "中药", "2740": "中药", "2761": "生物制药", "2762": "生物科技", "3973": "集成电路",
    "3972": "半导体", "6520": "微电子", "3491": "机器人", "3492": "机器人", "3453": "传动",
    "3514": "重工", "3741": "航空", "3731": "船舶", "3825": "光伏", "3921": "通信",
}  # fmt: skip


def _class_word(name: str, code: str = "") -> str:
    """Industry word of a class name for firm names: 集成电路制造 → 集成电路."""
    if code in CLASS_WORDS:
        return CLASS_WORDS[code]
    w = name
    if w.startswith("其他"):
        w = w[2:]
    w = re.split(r"[及和、，,（(]", w)[0]
    for suf in (
        "专用设备制造",
        "制造",
        "加工",
        "生产和供应",
        "生产",
        "服务",
        "活动",
        "批发",
        "零售",
    ):
        if w.endswith(suf) and len(w) - len(suf) >= 2:
            w = w[: -len(suf)]
            break
    if len(w) == 1:
        w += "业"
    if len(w) < 2:
        w = name[:4]
    return w[:8]


def _products_from_sei(sei: pd.DataFrame | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if sei is None or "key_products" not in sei:
        return out
    for code, txt in zip(sei["gbt4754_code"], sei["key_products"], strict=True):
        if not isinstance(txt, str):
            continue
        txt = re.sub(r"[（(][^）)]*[）)]", "", txt)
        items = [t.strip() for t in re.split(r"[；;、，,]", txt)]
        lst = out.setdefault(str(code), [])
        for t in items:
            if 2 <= len(t) <= 10 and "等" not in t and t not in lst and len(lst) < 8:
                lst.append(t)
    return out


@dataclass
class _Geo:
    pref_code: np.ndarray  # (P,) str
    pref_prov: np.ndarray  # (P,) province index
    pref_weight: np.ndarray
    pref_short: np.ndarray
    pref_full: np.ndarray  # name used in addresses ('' for pseudo units)
    prov_code: np.ndarray  # (V,)
    prov_name: np.ndarray
    prov_short: np.ndarray
    cty_code: np.ndarray  # (K,) county-level unit codes (firm region codes)
    cty_name: np.ndarray
    cty_pref: np.ndarray  # (K,) prefecture index
    cty_weight: np.ndarray
    cty_city: np.ndarray  # city short name used in firm names
    cty_lon: np.ndarray
    cty_lat: np.ndarray


_MUNICIPAL = {"110100", "120100", "310100", "500100"}
_HUBS = set(
    [
        "320500",
        "320200",
        "320400",
        "320600",
        "330200",
        "330300",
        "330400",
        "330600",
        "330700",
        "331000",
        "440300",
        "440600",
        "441900",
        "442000",
        "441300",
        "440100",
        "350500",
        "350200",
        "370200",
        "370600",
        "370700",
        "320300",
        "320100",
        "330100",
        "420100",
        "510100",
        "340100",
        "430100",
        "410100",
        "610100",
        "370100",
        "210200",
        "210100",
        "220100",
    ]
)
_TOP_HUBS = {"320500", "441900", "440600", "320200", "330200"}
_SUBPROVINCIAL = {"440300", "330200", "350200", "370200", "210200"}
_PROVINCE_FACTOR = {
    **dict.fromkeys(["11", "12", "13", "31", "35"], 2.2),
    **dict.fromkeys(["32", "33", "37", "44"], 3.0),
    **dict.fromkeys(["14", "34", "36", "41", "42", "43"], 1.3),
    **dict.fromkeys(["21", "22", "23"], 0.9),
    **dict.fromkeys(["45", "50", "51", "52", "53", "61"], 0.8),
    "15": 0.7, "46": 0.5, "62": 0.5, "64": 0.5, "65": 0.5, "63": 0.3, "54": 0.15,
}  # fmt: skip


def _build_geo(regions: pd.DataFrame, cluster_prefs: set[str], rng: np.random.Generator) -> _Geo:
    prov = regions[regions["level"] == "province"].sort_values("code").reset_index(drop=True)
    pref = regions[regions["level"] == "prefecture"].sort_values("code").reset_index(drop=True)
    cty = regions[regions["level"] == "county"].sort_values("code").reset_index(drop=True)
    prov_index = {c: i for i, c in enumerate(prov["code"])}
    pref_index = {c: i for i, c in enumerate(pref["code"])}
    cty = cty[cty["parent_code"].isin(pref_index)].reset_index(drop=True)
    # prefectures without county-level units get their own code as the firm region code
    lonely = pref[~pref["code"].isin(set(cty["parent_code"]))]
    if len(lonely):
        extra = lonely.assign(parent_code=lonely["code"], level="county")
        cty = pd.concat([cty, extra], ignore_index=True).sort_values("code").reset_index(drop=True)
    pref_prov = np.array([prov_index[p] for p in pref["province_code"]], dtype=np.int64)
    prov_short = np.array([_short_place(n) for n in prov["name"]], dtype=object)
    pseudo = pref["name"].str.contains("直辖", regex=False).to_numpy()
    bare = pref["name"].isin(["市辖区", "县"]).to_numpy()
    pref_short = np.array(
        [
            prov_short[pi] if b else ("" if ps else _short_place(n))
            for n, pi, b, ps in zip(pref["name"], pref_prov, bare, pseudo, strict=True)
        ],
        dtype=object,
    )
    pref_full = np.array(
        ["" if (b or ps) else n for n, b, ps in zip(pref["name"], bare, pseudo, strict=True)],
        dtype=object,
    )
    n_cty = cty.groupby("parent_code").size()
    codes = pref["code"].to_numpy()
    w = np.array([_PROVINCE_FACTOR.get(c[:2], 1.0) for c in codes])
    w *= np.array(
        [
            3.0 if c in _MUNICIPAL else (2.5 if (c.endswith("0100") or c in _SUBPROVINCIAL) else 1)
            for c in codes
        ]
    )
    w *= np.array([2.5 if c in _HUBS else 1.0 for c in codes])
    w *= np.array([1.8 if c in _TOP_HUBS else 1.0 for c in codes])
    w *= np.array([1.6 if c in cluster_prefs else 1.0 for c in codes])
    w *= np.array([0.5 if re.search(r"(自治州|地区|盟)$", n) else 1.0 for n in pref["name"]])
    w *= np.sqrt(pref["code"].map(n_cty).fillna(1).to_numpy(dtype=float))
    w *= rng.lognormal(0.0, 0.35, len(codes))
    cty_pref = np.array([pref_index[p] for p in cty["parent_code"]], dtype=np.int64)
    cw = np.array(
        [2.0 if n.endswith("区") else (1.5 if n.endswith("市") else 1.0) for n in cty["name"]]
    ) * rng.lognormal(0.0, 0.5, len(cty))
    cty_city = np.array(
        [
            _short_place(n) if pseudo[p] else pref_short[p]
            for n, p in zip(cty["name"], cty_pref, strict=True)
        ],
        dtype=object,
    )
    # coordinates: county seat, else prefecture, else province
    pref_lon = pref["lon"].to_numpy(dtype=float)
    pref_lat = pref["lat"].to_numpy(dtype=float)
    prov_lon = prov["lon"].to_numpy(dtype=float)[pref_prov]
    prov_lat = prov["lat"].to_numpy(dtype=float)[pref_prov]
    pref_lon = np.where(np.isnan(pref_lon), prov_lon, pref_lon)
    pref_lat = np.where(np.isnan(pref_lat), prov_lat, pref_lat)
    lon = cty["lon"].to_numpy(dtype=float)
    lat = cty["lat"].to_numpy(dtype=float)
    lon = np.where(np.isnan(lon), pref_lon[cty_pref], lon)
    lat = np.where(np.isnan(lat), pref_lat[cty_pref], lat)
    return _Geo(
        pref_code=codes.astype(object),
        pref_prov=pref_prov,
        pref_weight=w,
        pref_short=pref_short,
        pref_full=pref_full,
        prov_code=prov["code"].to_numpy().astype(object),
        prov_name=prov["name"].to_numpy().astype(object),
        prov_short=prov_short,
        cty_code=cty["code"].to_numpy().astype(object),
        cty_name=cty["name"].to_numpy().astype(object),
        cty_pref=cty_pref,
        cty_weight=cw,
        cty_city=cty_city,
        cty_lon=lon,
        cty_lat=lat,
    )


@dataclass
class _Classes:
    code: np.ndarray  # (C,) 4-digit codes
    name: np.ndarray
    section: np.ndarray
    div: np.ndarray  # 2-digit division code
    word: np.ndarray  # industry word for names
    hightech: np.ndarray  # bool
    is_mfg: np.ndarray  # bool


def _build_classes(industries: pd.DataFrame) -> _Classes:
    cl = industries[industries["level"] == 4].sort_values("code").reset_index(drop=True)
    ht = _optional_csv("hightech_mfg2017_to_gbt4754.csv")
    ht_codes = set(ht["gbt4754_code"].astype(str)) if ht is not None else set()
    code = cl["code"].to_numpy().astype(object)
    div = np.array([c[:2] for c in code], dtype=object)
    if not ht_codes:  # fallback: high-tech divisions
        ht_codes = {c for c in code if c[:2] in ("27", "39", "40") or c[:3] in ("374", "358")}
    return _Classes(
        code=code,
        name=cl["name"].to_numpy().astype(object),
        section=cl["section"].to_numpy().astype(object),
        div=div,
        word=np.array(
            [_class_word(n, c) for n, c in zip(cl["name"], cl["code"], strict=True)], dtype=object
        ),
        hightech=np.array([c in ht_codes for c in code]),
        is_mfg=(cl["section"] == "C").to_numpy(),
    )


@dataclass
class _ClusterRef:
    frame: pd.DataFrame  # reference rows
    ids: list[str]
    is45: np.ndarray  # (L,) bool
    group: np.ndarray  # (L,) 0 = 45 national, 1 = later national, 2 = other tiers
    cty_in: list[np.ndarray]  # per cluster: bool over county-level units
    class_in: list[np.ndarray]  # per cluster: bool over classes
    member_codes: list[list[str]]
    leading: list[list[str]]


def _split(v: Any) -> list[str]:
    if isinstance(v, list | tuple | np.ndarray):
        return [str(x).strip() for x in v if str(x).strip()]
    if v is None or pd.isna(v):
        return []
    return [x.strip() for x in str(v).replace("；", ";").split(";") if x.strip()]


def _build_clusters(clusters: pd.DataFrame, geo: _Geo, cls: _Classes) -> _ClusterRef:
    df = clusters.reset_index(drop=True)
    prov_of_cty = geo.prov_code[geo.pref_prov[geo.cty_pref]]
    pref_of_cty = geo.pref_code[geo.cty_pref]
    cty_in: list[np.ndarray] = []
    class_in: list[np.ndarray] = []
    members: list[list[str]] = []
    leading: list[list[str]] = []
    for _, row in df.iterrows():
        regs = _split(row.get("member_regions")) or _split(row.get("provinces"))
        inds = _split(row.get("leading_industries"))
        s = set(regs)
        cty_in.append(
            np.isin(geo.cty_code, list(s))
            | np.isin(pref_of_cty, list(s))
            | np.isin(prov_of_cty, list(s))
        )
        m = np.zeros(len(cls.code), dtype=bool)
        for code in inds:
            m |= np.char.startswith(cls.code.astype(str), code)
        class_in.append(m)
        members.append(regs)
        leading.append(inds)
    batch = pd.to_numeric(df.get("batch_year"), errors="coerce")
    tier = df.get("tier").astype(str)
    is45 = ((tier == "national") & batch.isin([2021, 2022])).to_numpy()
    group = np.where(is45, 0, np.where(tier == "national", 1, 2))
    return _ClusterRef(
        frame=df,
        ids=df["cluster_id"].astype(str).tolist(),
        is45=is45,
        group=group,
        cty_in=cty_in,
        class_in=class_in,
        member_codes=members,
        leading=leading,
    )


# --------------------------------------------------------------------------------------------
# vectorised helpers
# --------------------------------------------------------------------------------------------


class _GroupedSampler:
    """Weighted sampling of items within integer groups, vectorised over many queries."""

    def __init__(self, groups: np.ndarray, weights: np.ndarray) -> None:
        order = np.argsort(groups, kind="stable")
        g = groups[order]
        w = np.asarray(weights, dtype=float)[order]
        self.items = order
        self.keys, start = np.unique(g, return_index=True)
        end = np.r_[start[1:], len(g)]
        self.cw = np.cumsum(w)
        before = np.r_[0.0, self.cw][start]
        self.start, self.end, self.base = start, end, before
        self.total = self.cw[end - 1] - before if len(g) else np.zeros(0)

    def sample(self, rng: np.random.Generator, query: np.ndarray) -> np.ndarray:
        """Item index per query group, or -1 where the group is empty or absent."""
        u = rng.random(len(query))
        if len(self.keys) == 0:
            return np.full(len(query), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        found = (self.keys[pos] == query) & (self.total[pos] > 0)
        target = self.base[pos] + u * self.total[pos]
        idx = np.searchsorted(self.cw, target, side="right")
        idx = np.clip(idx, self.start[pos], self.end[pos] - 1)
        return np.where(found, self.items[idx], -1)


def _weighted_pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement ∝ weights (Efraimidis–Spirakis)."""
    w = np.asarray(weights, dtype=float)
    u = rng.random(len(w))
    with np.errstate(divide="ignore"):
        key = np.where(w > 0, -np.log(u) / np.where(w > 0, w, 1.0), np.inf)
    k = int(min(k, np.isfinite(key).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(key, k - 1)[:k]
    return np.sort(idx)


def _org_values() -> np.ndarray:
    """GB 11714 value of each USCC charset character (A=10 … Z=35)."""
    return np.array([int(c) if c.isdigit() else ord(c) - 55 for c in USCC_CHARSET], dtype=np.int64)


# Scalar check characters: the standard's own implementation (kept under these names for callers).
uscc_check_char = _codes.uscc_check_char
org_check_char = _codes.organisation_code_check_char


def _make_uscc(rng: np.random.Generator, region_codes: np.ndarray) -> np.ndarray:
    """Unique valid GB 32100 codes, positions 3–8 = ``region_codes`` (vectorised)."""
    n = len(region_codes)
    org_val = _org_values()
    idx = np.empty((n, 18), dtype=np.int64)
    idx[:, 0] = 9
    idx[:, 1] = 1
    reg = np.frombuffer("".join(region_codes).encode("ascii"), dtype=np.uint8).reshape(n, 6)
    idx[:, 2:8] = reg.astype(np.int64) - 48
    todo = np.arange(n)
    charset = np.frombuffer(USCC_CHARSET.encode("ascii"), dtype=np.uint8)
    x_index = USCC_CHARSET.index("X")
    out: np.ndarray = np.empty(n, dtype=object)
    for _ in range(20):
        m = len(todo)
        digit = rng.random((m, 8)) < 0.85
        body = np.where(digit, rng.integers(0, 10, (m, 8)), rng.integers(10, 31, (m, 8)))
        idx[todo, 8:16] = body
        c = 11 - (org_val[body] @ ORG_WEIGHTS) % 11
        idx[todo, 16] = np.where(c == 10, x_index, np.where(c == 11, 0, c))
        s = idx[todo, :17] @ USCC_WEIGHTS
        idx[todo, 17] = (31 - s % 31) % 31
        codes = charset[idx].view("S18").ravel()
        _, first, _counts = np.unique(codes, return_index=True, return_counts=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False  # the first of each code is kept
        if not dup.any():
            out[:] = codes.astype(str).astype(object)
            return out
        todo = np.flatnonzero(dup)
    raise RuntimeError("could not draw unique credit codes")  # pragma: no cover


def _concat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of object arrays / scalars."""
    out: Any = ""
    for p in parts:
        out = out + (p if isinstance(p, str) else np.asarray(p, dtype=object))
    return np.asarray(out, dtype=object)


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
    n_enterprises: number of firms (≥ 1,000, so that every prefecture-level unit gets one).
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
    regions, industries, clusters_ref = _load_reference()
    cls = _build_classes(industries)
    geo_probe_prefs: set[str] = set()
    for _, row in clusters_ref.iterrows():
        batch = str(row.get("batch_year", ""))
        if str(row.get("tier")) == "national" and batch in ("2021", "2022"):
            geo_probe_prefs.update(_split(row.get("member_regions")))
    geo = _build_geo(regions, geo_probe_prefs, rng)
    cref = _build_clusters(clusters_ref, geo, cls)
    scale = n_enterprises / DEFAULT_N

    report("生成企业 / placing enterprises", 0.05)
    f_cty, f_cls, f_directed = _place_firms(rng, n_enterprises, geo, cls, cref)
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
    logemp = rng.normal(0.0, 1.45, n) + offset + 0.25 * f_directed
    logemp += np.log(20.0) - np.median(logemp)
    emp = np.maximum(1.0, np.exp(logemp))

    tags, chain_leader_of = _assign_tags(
        rng, emp, f_cls, cls, in45, is_mfg, member_idx, cref, scale
    )
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
    emp = np.where(leader, np.maximum(emp, rng.lognormal(np.log(12_000), 0.6, n)), emp)
    employees = np.maximum(1, np.round(emp)).astype(np.int64)

    prod = np.array(
        [
            PRODUCTIVITY.get(d, 130.0 if m else 60.0)
            for d, m in zip(cls.div, cls.is_mfg, strict=True)
        ]
    )[f_cls]
    tagged = lg | champ | srdi | ht | leader
    revenue = employees * prod * (employees / 100.0) ** 0.08 * rng.lognormal(0.0, 0.5, n)
    revenue = np.where(tagged, revenue * 1.2, revenue)
    revenue = np.round(np.maximum(revenue, 1.0), 2)
    output = np.where(is_mfg, np.round(revenue * rng.uniform(0.92, 1.04, n), 2), np.nan)
    share_plain = np.where(rng.random(n) < 0.4, 0.0, rng.beta(1.2, 60.0, n))
    share_tag = 0.01 + rng.beta(2.5, 50.0, n)
    rd_share = np.minimum(np.where(tagged, share_tag, share_plain), 0.10)
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
    uscc = _make_uscc(rng, region_code)
    names = _firm_names(rng, f_cty, f_cls, employees, geo, cls)
    scope = _business_scope(rng, f_cls, cls)
    address = _concat(
        geo.prov_name[f_prov],
        geo.pref_full[f_pref],
        np.where(geo.cty_name[f_cty] == geo.pref_full[f_pref], "", geo.cty_name[f_cty]),
        np.array(_ROADS, dtype=object)[rng.integers(0, len(_ROADS), n)],
        rng.integers(1, 999, n).astype(str).astype(object),
        "号",
    )
    lon = np.round(geo.cty_lon[f_cty] + rng.normal(0.0, 0.03, n), 6)
    lat = np.round(geo.cty_lat[f_cty] + rng.normal(0.0, 0.03, n), 6)
    tag_str = _tag_strings(tags, n)

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
    enterprises["synthetic"] = True
    assert list(enterprises.columns[:-1]) == KINDS["enterprises"].field_names

    report("地区统计 / region statistics", 0.5)
    region_stats = _region_stats(rng, enterprises, f_pref, f_prov, f_cls, year, geo, cls, y0, y1)

    report("集群 / clusters and members", 0.6)
    clusters = _clusters_frame(cref)
    members = _cluster_members(rng, cref, member_idx, uscc, revenue, founded, chain_leader_of)

    report("创新载体 / innovation carriers", 0.68)
    carriers = _carriers(
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
    links = _supply_links(rng, f_cls, f_pref, f_prov, f_div, employees, revenue, uscc, cls, y1)

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
        "generator": "jiqun.services.demo_data",
        "generator_version": GENERATOR_VERSION,
        "n_enterprises": n,
        "years": [y0, y1],
        "counts": counts,
        "tags_total": {k: int(v.sum()) for k, v in tags.items()},
        "tags_in_45_clusters": {k: int((v & in45).sum()) for k, v in tags.items()},
        "firms_in_45_clusters": int(in45.sum()),
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


# --------------------------------------------------------------------------------------------
# stages
# --------------------------------------------------------------------------------------------


def _class_weights(rng: np.random.Generator, cls: _Classes, shares: dict[str, float]) -> np.ndarray:
    """National class weights: division share × lognormal(0, 0.9) within the division."""
    raw = rng.lognormal(0.0, 0.9, len(cls.code))
    w = np.zeros(len(cls.code))
    for d, s in shares.items():
        m = cls.div == d
        if m.any():
            w[m] = s * raw[m] / raw[m].sum()
    return w


def _place_firms(
    rng: np.random.Generator, n: int, geo: _Geo, cls: _Classes, cref: _ClusterRef
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """County index, class index and 'directed into a cluster' flag of every firm."""
    n_pref = len(geo.pref_code)
    w_mfg = _class_weights(rng, cls, MFG_DIVISION_SHARE)
    w_srv = _class_weights(rng, cls, SERVICE_DIVISION_SHARE)
    n_srv = round(0.12 * n)
    groups_share = (0.20, 0.04, 0.01)
    n_dir = [round(s * n) for s in groups_share]
    n_gen = n - n_srv - sum(n_dir)
    cty_sampler = _GroupedSampler(geo.cty_pref, geo.cty_weight)
    ctys: list[np.ndarray] = []
    clss: list[np.ndarray] = []
    directed: list[np.ndarray] = []

    # directed cluster firms
    pref_w_of_cty = geo.pref_weight[geo.cty_pref]
    cty_share = geo.cty_weight / np.bincount(geo.cty_pref, geo.cty_weight)[geo.cty_pref]
    for g in range(3):
        ks = [
            k
            for k in range(len(cref.ids))
            if cref.group[k] == g and cref.cty_in[k].any() and cref.class_in[k].any()
        ]
        if not ks or n_dir[g] == 0:
            continue
        cw = []
        for k in ks:
            mass = (pref_w_of_cty * cty_share)[cref.cty_in[k]].sum()
            cw.append(np.sqrt(mass) * cref.class_in[k].sum() ** 0.3)
        cw_arr = np.array(cw) * rng.lognormal(0.0, 0.3, len(ks))
        counts = rng.multinomial(n_dir[g], cw_arr / cw_arr.sum())
        for k, m in zip(ks, counts, strict=True):
            if m == 0:
                continue
            cand = np.flatnonzero(cref.cty_in[k])
            pw = (pref_w_of_cty * cty_share)[cand]
            ctys.append(cand[rng.choice(len(cand), size=m, p=pw / pw.sum())])
            cc = np.flatnonzero(cref.class_in[k])
            base = np.maximum(w_mfg[cc] + w_srv[cc], 1e-3) ** 0.5 * rng.lognormal(0.0, 0.5, len(cc))
            clss.append(cc[rng.choice(len(cc), size=m, p=base / base.sum())])
            directed.append(np.ones(m, dtype=bool))

    # general manufacturing: minimum per prefecture, then by weight with specialisation
    per = max(1, n_gen // (n_pref * 25))
    base_prefs = np.repeat(np.arange(n_pref), per)
    rest = n_gen - len(base_prefs)
    pref_counts = np.bincount(base_prefs, minlength=n_pref) + rng.multinomial(
        rest, geo.pref_weight / geo.pref_weight.sum()
    )
    divs = np.array(sorted(MFG_DIVISION_SHARE))
    div_idx = np.searchsorted(divs, cls.div)
    div_ok = (div_idx < len(divs)) & (divs[np.minimum(div_idx, len(divs) - 1)] == cls.div)
    spec_prov = rng.lognormal(0.0, 0.6, (len(geo.prov_code), len(divs)))
    spec_pref = rng.lognormal(0.0, 0.5, (n_pref, len(divs)))
    mfg_cls = np.flatnonzero(div_ok & (w_mfg > 0))
    gen_cls = np.empty(n_gen, dtype=np.int64)
    gen_pref = np.repeat(np.arange(n_pref), pref_counts)
    pos = 0
    for p_i in range(n_pref):
        m = pref_counts[p_i]
        if m == 0:
            continue
        d = div_idx[mfg_cls]
        pw = w_mfg[mfg_cls] * spec_prov[geo.pref_prov[p_i], d] * spec_pref[p_i, d]
        gen_cls[pos : pos + m] = mfg_cls[rng.choice(len(mfg_cls), size=m, p=pw / pw.sum())]
        pos += m
    ctys.append(cty_sampler.sample(rng, gen_pref))
    clss.append(gen_cls)
    directed.append(np.zeros(n_gen, dtype=bool))

    # services and other non-manufacturing, concentrated in big cities
    sw = geo.pref_weight**1.3
    srv_pref = rng.choice(n_pref, size=n_srv, p=sw / sw.sum())
    srv_cls_all = np.flatnonzero(w_srv > 0)
    srv_cls = srv_cls_all[
        rng.choice(len(srv_cls_all), size=n_srv, p=w_srv[srv_cls_all] / w_srv[srv_cls_all].sum())
    ]
    ctys.append(cty_sampler.sample(rng, srv_pref))
    clss.append(srv_cls)
    directed.append(np.zeros(n_srv, dtype=bool))

    cty = np.concatenate(ctys)
    cl = np.concatenate(clss)
    dr = np.concatenate(directed)
    # shuffle so that row order carries no information
    perm = rng.permutation(len(cty))
    return cty[perm], cl[perm], dr[perm]


def _assign_tags(
    rng: np.random.Generator,
    emp: np.ndarray,
    f_cls: np.ndarray,
    cls: _Classes,
    in45: np.ndarray,
    is_mfg: np.ndarray,
    member_idx: list[np.ndarray],
    cref: _ClusterRef,
    scale: float,
) -> tuple[dict[str, np.ndarray], dict[int, int]]:
    n = len(emp)
    ht_cls = cls.hightech[f_cls]
    div = cls.div[f_cls]
    tech_srv = np.isin(div, ["64", "65", "73", "75"])
    eligible = is_mfg | tech_srv
    sme = (emp >= 10) & (emp <= 900)
    lg = np.zeros(n, dtype=bool)
    champ = np.zeros(n, dtype=bool)

    def pick(mask: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
        return _weighted_pick(rng, np.where(mask, weight, 0.0), k)

    lg_w = emp**0.6 * np.where(ht_cls, 2.0, 1.0)
    lg[pick(in45 & eligible & sme, lg_w, round(LITTLE_GIANTS_IN_45 * scale))] = True
    n_lg_out = round((LITTLE_GIANTS_NATIONAL - LITTLE_GIANTS_IN_45) * OUTSIDE_SAMPLING * scale)
    lg[pick(~in45 & eligible & sme, lg_w, n_lg_out)] = True
    big = (emp >= 100) & is_mfg & ~lg
    champ[pick(in45 & big, emp, round(CHAMPIONS_IN_45 * scale))] = True
    n_ch_out = round((CHAMPIONS_NATIONAL - CHAMPIONS_IN_45) * OUTSIDE_SAMPLING * scale)
    champ[pick(~in45 & big, emp, n_ch_out)] = True

    srdi = lg.copy()
    n_srdi = SRDI_PER_LITTLE_GIANT * int(lg.sum()) - int(lg.sum())
    sw = emp**0.4 * np.where(in45, 1.6, 1.0) * np.where(ht_cls, 1.5, 1.0)
    srdi[pick(eligible & sme & ~lg & ~champ, sw, n_srdi)] = True

    ht = ((lg | champ) & (rng.random(n) < 0.85)) | (srdi & ~lg & (rng.random(n) < 0.5))
    target = round(HIGH_TECH_MFG_SHARE * is_mfg.sum() + 0.30 * tech_srv.sum())
    more = max(0, target - int(ht.sum()))
    hw = emp**0.3 * np.where(ht_cls, 3.0, 1.0) * np.where(in45, 1.5, 1.0)
    ht[pick(eligible & ~ht, hw, more)] = True

    # chain leaders (synthetic demo labels): 1–3 per 45 cluster, 1 per later national cluster
    leader = np.zeros(n, dtype=bool)
    leader_of: dict[int, int] = {}
    for k in range(len(cref.ids)):
        idx = member_idx[k]
        if cref.group[k] == 2 or len(idx) == 0:
            continue
        want = int(rng.integers(1, 4)) if cref.group[k] == 0 else 1
        top = idx[np.argsort(-emp[idx], kind="stable")[:10]]
        top = top[~leader[top]]
        chosen = top[_weighted_pick(rng, emp[top], want)]
        leader[chosen] = True
        for i in chosen:
            leader_of[int(i)] = k
    tags = {
        "srdi": srdi,
        "little_giant": lg,
        "single_champion": champ,
        "high_tech": ht,
        "chain_leader": leader,
    }
    return tags, leader_of


def _tag_strings(tags: dict[str, np.ndarray], n: int) -> np.ndarray:
    """``;``-separated tag ids per firm (``None`` when untagged)."""
    out = np.full(n, "", dtype=object)
    for k in ("srdi", "little_giant", "single_champion", "high_tech", "chain_leader"):
        m = tags[k]
        out[m] = np.where(out[m] == "", k, out[m] + ";" + k)
    out[out == ""] = None
    return out


def _firm_names(
    rng: np.random.Generator,
    f_cty: np.ndarray,
    f_cls: np.ndarray,
    employees: np.ndarray,
    geo: _Geo,
    cls: _Classes,
) -> np.ndarray:
    n = len(f_cty)
    words = np.array(_NAME_WORDS, dtype=object)
    ind = cls.word[f_cls].copy()
    sec = cls.section[f_cls]
    u = rng.random(n)
    for s, lst in _SECTION_WORDS.items():
        m = sec == s
        if m.any():
            ind[m] = np.array(lst, dtype=object)[rng.integers(0, len(lst), int(m.sum()))]
    mfg = sec == "C"
    ind = np.where(mfg & (u < 0.12), "科技", np.where(mfg & (u >= 0.12) & (u < 0.16), "实业", ind))
    v = rng.random(n)
    suffix = np.where(
        (employees > 500) & (v < 0.6),
        "股份有限公司",
        np.where(v > 0.95, "有限责任公司", "有限公司"),
    ).astype(object)
    return _concat(geo.cty_city[f_cty], words[rng.integers(0, len(words), n)], ind, suffix)


def _business_scope(rng: np.random.Generator, f_cls: np.ndarray, cls: _Classes) -> np.ndarray:
    sei = _products_from_sei(_optional_csv("sei2018_to_gbt4754.csv"))
    seg = _chain_segment_words()
    variants = 4
    table = np.empty(len(cls.code) * variants, dtype=object)
    vr = np.random.Generator(np.random.PCG64(int(rng.integers(0, 2**63))))
    for i, (code, word, name, sec) in enumerate(
        zip(cls.code, cls.word, cls.name, cls.section, strict=True)
    ):
        prods: list[str] = []
        for p in [*KEY_PRODUCTS.get(code, []), *seg.get(code, []), word, *sei.get(code, [])]:
            if p and p not in prods:
                prods.append(p)
        for j in range(variants):
            k = min(len(prods), 1 + int(vr.integers(1, 4)))
            head = prods[: max(1, min(2, k))]
            extra = [
                prods[int(x)] for x in vr.choice(len(prods), size=min(len(prods), k), replace=False)
            ]
            chosen = list(dict.fromkeys(head + extra))[:4]
            items = "、".join(chosen)
            if sec == "C":
                table[i * variants + j] = f"{name}；{items}的研发、生产和销售；"
            else:
                rest = "、".join(x for x in chosen if x != name)
                table[i * variants + j] = f"{name}；{rest}；" if rest else f"{name}；"
    tails = np.array(_SCOPE_TAILS, dtype=object)
    n = len(f_cls)
    return _concat(
        table[f_cls * variants + rng.integers(0, variants, n)],
        tails[rng.integers(0, len(tails), n)],
    )


def _region_stats(
    rng: np.random.Generator,
    ent: pd.DataFrame,
    f_pref: np.ndarray,
    f_prov: np.ndarray,
    f_cls: np.ndarray,
    year: np.ndarray,
    geo: _Geo,
    cls: _Classes,
    y0: int,
    y1: int,
) -> pd.DataFrame:
    n = len(ent)
    n_cls = len(cls.code)
    emp = ent["employees"].to_numpy(dtype=float)
    rev = ent["revenue"].to_numpy(dtype=float)
    out = ent["output"].to_numpy(dtype=float)
    base_div = np.array([DIVISION_GROWTH.get(d, 0.02) for d in cls.div])
    base_cls = np.array([CLASS_GROWTH.get(c, 0.0) for c in cls.code])
    persistent_cls = rng.normal(0.0, 0.06, n_cls)
    persistent_pref = rng.normal(0.0, 0.05, len(geo.pref_code))
    persistent_prov = rng.normal(0.0, 0.03, len(geo.prov_code))
    key = f_pref.astype(np.int64) * n_cls + f_cls
    frames = []
    cur_emp, cur_rev, cur_out = emp, rev, out
    for y in range(y1, y0 - 1, -1):
        if y < y1:  # back-cast one year
            g = (
                base_div[f_cls]
                + base_cls[f_cls]
                + persistent_cls[f_cls]
                + rng.normal(0.0, 0.02, n_cls)[f_cls]
                + persistent_pref[f_pref]
                + persistent_prov[f_prov]
                + rng.normal(0.0, 0.10, n)
            )
            cur_rev = cur_rev / np.exp(g)
            cur_out = cur_out / np.exp(g + rng.normal(0.0, 0.01, n))
            cur_emp = np.maximum(1.0, cur_emp / np.exp(0.4 * g + rng.normal(0.0, 0.03, n)))
        alive = year <= y
        emp_y = np.round(cur_emp) if y < y1 else cur_emp
        k = key[alive]
        df = pd.DataFrame(
            {
                "k": k,
                "employment": emp_y[alive],
                "revenue": cur_rev[alive],
                "output": np.nan_to_num(cur_out[alive]),
                "firms": 1.0,
            }
        )
        agg = df.groupby("k", sort=True).sum()
        agg["revenue"] = agg["revenue"].round(2)
        agg["output"] = agg["output"].round(2)
        long = agg.reset_index().melt(id_vars="k", var_name="measure", value_name="value")
        long = long[long["value"] > 0]
        long["year"] = y
        frames.append(long)
    rs = pd.concat(frames, ignore_index=True)
    kk = rs["k"].to_numpy()
    units = {"employment": "人", "revenue": "万元", "output": "万元", "firms": "家"}
    res = pd.DataFrame(
        {
            "region_code": geo.pref_code[kk // n_cls],
            "industry_code": cls.code[kk % n_cls],
            "year": rs["year"].to_numpy(dtype=np.int64),
            "measure": rs["measure"].to_numpy(),
            "value": rs["value"].to_numpy(dtype=float),
            "unit": rs["measure"].map(units).to_numpy(),
            "source": DEMO_SOURCE,
        }
    )
    res = res.sort_values(
        ["year", "region_code", "industry_code", "measure"], kind="stable"
    ).reset_index(drop=True)
    res["synthetic"] = True
    return res


def _text_or_none(df: pd.DataFrame, col: str) -> list[Any]:
    if col not in df:
        return [None] * len(df)
    return [None if (v is None or pd.isna(v) or str(v).strip() == "") else str(v) for v in df[col]]


def _clusters_frame(cref: _ClusterRef) -> pd.DataFrame:
    df = cref.frame
    fields_zh = {v[0]: k for k, v in FIELDS_OF_CLUSTERS.items()}

    def field_id(v: Any) -> Any:
        s = str(v).strip() if v is not None else ""
        if s in FIELDS_OF_CLUSTERS:
            return s
        return fields_zh.get(s)

    names = df["name_zh"].astype(str) if "name_zh" in df else df["name"].astype(str)
    src_col = "source_note" if "source_note" in df else "source"
    org = [f"{nm}发展促进中心（模拟）" for nm in names]
    source = [
        f"{s}；集群促进机构名称为模拟数据 / promotion organisation is synthetic"
        if s
        else "集群促进机构名称为模拟数据 / promotion organisation is synthetic"
        for s in (x or "" for x in _text_or_none(df, src_col))
    ]
    out = pd.DataFrame(
        {
            "cluster_id": cref.ids,
            "name": names.tolist(),
            "name_en": _text_or_none(df, "name_en"),
            "tier": df["tier"].astype(str).tolist(),
            "batch_year": pd.to_numeric(df["batch_year"], errors="coerce").astype("Int64"),
            "field": [field_id(v) for v in _text_or_none(df, "field")],
            "member_regions": cref.member_codes,
            "leading_industries": cref.leading,
            "promotion_organisation": org,
            "verification": _text_or_none(df, "verification"),
            "source": source,
        }
    )
    assert list(out.columns) == KINDS["clusters"].field_names
    out["synthetic"] = False
    return out


def _cluster_members(
    rng: np.random.Generator,
    cref: _ClusterRef,
    member_idx: list[np.ndarray],
    uscc: np.ndarray,
    revenue: np.ndarray,
    founded: np.ndarray,
    leader_of: dict[int, int],
) -> pd.DataFrame:
    rows_c, rows_f, roles = [], [], []
    batch = pd.to_numeric(cref.frame["batch_year"], errors="coerce").fillna(2021).astype(int)
    joined_parts = []
    for k, idx in enumerate(member_idx):
        if len(idx) == 0:
            continue
        role = np.full(len(idx), "member", dtype=object)
        n_core = max(1, round(0.05 * len(idx)))
        top = np.argsort(-revenue[idx], kind="stable")[:n_core]
        role[top] = "core"
        lead = (
            np.array([leader_of.get(int(i)) == k for i in idx])
            if leader_of
            else np.zeros(len(idx), bool)
        )
        role[lead] = "chain_leader"
        start = np.datetime64(f"{int(batch.iloc[k])}-01-01", "D")
        j = np.maximum(founded[idx], start) + rng.integers(0, 365, len(idx)).astype(
            "timedelta64[D]"
        )
        rows_c.append(np.full(len(idx), cref.ids[k], dtype=object))
        rows_f.append(uscc[idx])
        roles.append(role)
        joined_parts.append(j)
    if not rows_c:
        return pd.DataFrame(columns=[*KINDS["cluster-members"].field_names, "synthetic"])
    out = pd.DataFrame(
        {
            "cluster_id": np.concatenate(rows_c),
            "uscc": np.concatenate(rows_f),
            "role": np.concatenate(roles),
            "joined": np.concatenate(joined_parts).astype("datetime64[s]"),
        }
    )
    out["synthetic"] = True
    return out


def _dedupe_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for nm in names:
        c = seen.get(nm, 0) + 1
        seen[nm] = c
        out.append(f"{nm}（模拟）" if c == 1 else f"{nm}（模拟-{c}）")
    return out


def _carriers(
    rng: np.random.Generator,
    cref: _ClusterRef,
    member_idx: list[np.ndarray],
    in45: np.ndarray,
    ent: pd.DataFrame,
    f_pref: np.ndarray,
    f_cls: np.ndarray,
    f_div: np.ndarray,
    is_mfg: np.ndarray,
    revenue: np.ndarray,
    geo: _Geo,
    cls: _Classes,
    scale: float,
    y1: int,
) -> pd.DataFrame:
    uscc = ent["uscc"].to_numpy()
    names = ent["name"].to_numpy()
    region = ent["region_code"].to_numpy()
    recs: dict[str, list[Any]] = {
        k: []
        for k in (
            "name",
            "carrier_type",
            "level",
            "region_code",
            "host_uscc",
            "industry_code",
            "field",
            "cluster_id",
            "recognised_year",
        )
    }

    def add(
        name: str,
        ctype: str,
        level: str,
        reg: str,
        host: int | None,
        ind: str | None,
        fld: str | None,
        cid: str | None,
        yr: int,
    ) -> None:
        recs["name"].append(name)
        recs["carrier_type"].append(ctype)
        recs["level"].append(level)
        recs["region_code"].append(reg)
        recs["host_uscc"].append(uscc[host] if host is not None else None)
        recs["industry_code"].append(ind)
        recs["field"].append(fld)
        recs["cluster_id"].append(cid)
        recs["recognised_year"].append(int(yr))

    fields = cref.frame["field"].astype(str).tolist()
    fields = [f if f in FIELDS_OF_CLUSTERS else None for f in fields]
    ks45 = [k for k in np.flatnonzero(cref.is45) if len(member_idx[k])]
    yr_hi = max(2016, y1)

    def firm_field(i: int) -> str | None:
        return DIVISION_FIELD.get(str(f_div[i]))

    # 1. national manufacturing innovation centres: 18 inside the 45 clusters, 8 outside
    mass = np.array([revenue[member_idx[k]].sum() for k in ks45])
    chosen = [ks45[i] for i in _weighted_pick(rng, mass, NATIONAL_MIC_IN_45)]
    for k in chosen:
        idx = member_idx[k]
        mfg_idx = idx[is_mfg[idx]] if is_mfg[idx].any() else idx
        host = int(mfg_idx[np.argmax(revenue[mfg_idx])])
        theme = cls.word[f_cls[host]]
        add(
            f"国家{theme}制造业创新中心",
            "manufacturing_innovation_centre",
            "national",
            region[host],
            host,
            cls.code[f_cls[host]],
            fields[k] or firm_field(host),
            cref.ids[k],
            rng.integers(2016, yr_hi + 1),
        )
    out_mask = is_mfg & ~in45
    pref_rev = np.bincount(f_pref[out_mask], revenue[out_mask], minlength=len(geo.pref_code))
    in45_prefs = np.zeros(len(geo.pref_code), dtype=bool)
    in45_prefs[f_pref[in45]] = True
    n_out = NATIONAL_MIC_TOTAL - len(chosen)
    prefs = _weighted_pick(rng, np.where(in45_prefs, 0.0, pref_rev), n_out)
    if len(prefs) < n_out:
        prefs = np.concatenate(
            [
                prefs,
                _weighted_pick(
                    rng,
                    np.where(np.isin(np.arange(len(pref_rev)), prefs), 0.0, pref_rev),
                    n_out - len(prefs),
                ),
            ]
        )
    for p in prefs:
        cand = np.flatnonzero(out_mask & (f_pref == p))
        host = int(cand[np.argmax(revenue[cand])])
        add(
            f"国家{cls.word[f_cls[host]]}制造业创新中心",
            "manufacturing_innovation_centre",
            "national",
            region[host],
            host,
            cls.code[f_cls[host]],
            firm_field(host),
            None,
            rng.integers(2016, yr_hi + 1),
        )

    # technology innovation carriers
    types = np.array(
        [
            "enterprise_technology_centre",
            "key_laboratory",
            "engineering_research_centre",
            "industrial_design_centre",
            "public_service_platform",
            "technology_innovation_centre",
        ]
    )
    tprob = np.array([0.50, 0.16, 0.14, 0.10, 0.06, 0.04])
    firm_hosted = {
        "enterprise_technology_centre": 1.0,
        "industrial_design_centre": 1.0,
        "key_laboratory": 0.5,
        "engineering_research_centre": 0.5,
        "technology_innovation_centre": 0.3,
        "public_service_platform": 0.0,
    }
    year_p = np.exp(0.08 * (np.arange(2000, yr_hi + 1) - 2000))
    year_p /= year_p.sum()
    used = np.zeros(len(ent), dtype=bool)  # a firm hosts at most one technology carrier

    def pick_hosts(cands: np.ndarray, hosted: np.ndarray) -> np.ndarray:
        """Host firm per carrier (-1 where not firm-hosted), without replacement, ∝ revenue."""
        out = np.full(len(hosted), -1, dtype=np.int64)
        cands = cands[~used[cands]]
        sel = cands[_weighted_pick(rng, revenue[cands], int(hosted.sum()))]
        sel = sel[rng.permutation(len(sel))]
        slots = np.flatnonzero(hosted)[: len(sel)]
        out[slots] = sel
        used[sel] = True
        return out

    def carrier_name(ctype: str, level: str, host: int | None, place: str, word: str) -> str:
        tw = _CARRIER_WORD[ctype]
        if (
            ctype in ("enterprise_technology_centre", "industrial_design_centre")
            and host is not None
        ):
            base = re.sub(r"(股份)?有限(责任)?公司$", "", str(names[host]))
            return (
                f"{base}{'技术中心' if ctype == 'enterprise_technology_centre' else '工业设计中心'}"
            )
        if level == "national":
            if ctype == "key_laboratory":
                return f"{place}{word}全国重点实验室"
            return f"{place}{word}国家{tw}"
        return f"{place}{word}{tw}"

    def emit(
        level: str,
        k: int | None,
        hosts: np.ndarray,
        ctypes: np.ndarray,
        places: list[str],
        years: np.ndarray,
        preg: list[str],
        pind: list[str],
    ) -> None:
        for j, ct in enumerate(ctypes):
            h = int(hosts[j]) if hosts[j] >= 0 else None
            ind = cls.code[f_cls[h]] if h is not None else pind[j]
            word = (
                cls.word[f_cls[h]]
                if h is not None
                else str(cls.word[np.searchsorted(cls.code, pind[j])])
            )
            reg = region[h] if h is not None else preg[j]
            cid = cref.ids[k] if k is not None else None
            fld = (fields[k] if k is not None else None) or (DIVISION_FIELD.get(str(ind)[:2]))
            add(
                carrier_name(str(ct), level, h, places[j], word),
                str(ct),
                level,
                reg,
                h,
                ind,
                fld,
                cid,
                years[j],
            )

    # 2. national carriers inside the 45 clusters
    n_in = round(1_700 * scale)
    w = np.array([len(member_idx[k]) ** 0.8 for k in ks45], dtype=float)
    per = rng.multinomial(n_in, w / w.sum())
    for k, m in zip(ks45, per, strict=True):
        if m == 0:
            continue
        idx = member_idx[k]
        ct = types[rng.choice(len(types), size=m, p=tprob)]
        hosted = rng.random(m) < np.array([firm_hosted[t] for t in ct])
        hosts = pick_hosts(idx, hosted)
        anchor = idx[rng.choice(len(idx), size=m, p=revenue[idx] / revenue[idx].sum())]
        places = [str(geo.pref_short[f_pref[a]]) or "" for a in anchor]
        preg = [str(geo.pref_code[f_pref[a]]) for a in anchor]
        pind = [str(cls.code[f_cls[a]]) for a in anchor]
        emit(
            "national",
            k,
            hosts,
            ct,
            places,
            2000 + rng.choice(len(year_p), size=m, p=year_p),
            preg,
            pind,
        )

    # 3. national carriers outside the 45 clusters and 4. provincial carriers
    for level, total, pool in (
        (
            "national",
            round(1_500 * scale),
            ~in45 & (is_mfg | np.isin(f_div, ["65", "73", "74", "75"])),
        ),
        ("provincial", round(3_000 * scale), is_mfg | np.isin(f_div, ["65", "73", "74", "75"])),
    ):
        pw = np.bincount(f_pref[pool], revenue[pool], minlength=len(geo.pref_code)) ** 0.8
        if total == 0 or pw.sum() == 0:
            continue
        prefs = rng.choice(len(pw), size=total, p=pw / pw.sum())
        sampler = _GroupedSampler(np.where(pool, f_pref, -1), np.where(pool, revenue, 0.0))
        anchor = sampler.sample(rng, prefs)
        ct = types[rng.choice(len(types), size=total, p=tprob)]
        hosted = rng.random(total) < np.array([firm_hosted[t] for t in ct])
        hosts = np.full(total, -1, dtype=np.int64)
        pool_idx = np.flatnonzero(pool)
        pool_idx = pool_idx[np.argsort(f_pref[pool_idx], kind="stable")]
        bounds = np.searchsorted(f_pref[pool_idx], np.arange(len(geo.pref_code) + 1))
        for p in np.unique(prefs[hosted]):
            rows = np.flatnonzero(prefs == p)
            hosts[rows] = pick_hosts(pool_idx[bounds[p] : bounds[p + 1]], hosted[rows])
        ok = anchor >= 0
        prefs, anchor, ct, hosts = prefs[ok], anchor[ok], ct[ok], hosts[ok]
        if level == "national":
            places = [str(geo.pref_short[p]) for p in prefs]
        else:
            places = [str(geo.prov_name[geo.pref_prov[p]]) for p in prefs]  # 江苏省, 北京市
        preg = [str(geo.pref_code[p]) for p in prefs]
        pind = [str(cls.code[f_cls[a]]) for a in anchor]
        yrs = 2000 + rng.choice(len(year_p), size=len(prefs), p=year_p)
        start = len(recs["name"])
        emit(level, None, hosts, ct, places, yrs, preg, pind)
        # provincial carriers hosted by a cluster member carry that cluster's id
        if level == "provincial":
            first_cluster = np.full(len(ent), -1, dtype=np.int64)
            for k in range(len(member_idx) - 1, -1, -1):
                first_cluster[member_idx[k]] = k
            for j, h in enumerate(hosts):
                if h >= 0 and first_cluster[h] >= 0:
                    recs["cluster_id"][start + j] = cref.ids[int(first_cluster[h])]

    # 5. provincial manufacturing innovation centres
    n_pmic = round(150 * scale)
    pool = is_mfg
    pw = np.bincount(f_pref[pool], revenue[pool], minlength=len(geo.pref_code)) ** 0.8
    if n_pmic:
        prefs = rng.choice(len(pw), size=n_pmic, p=pw / pw.sum())
        sampler = _GroupedSampler(np.where(pool, f_pref, -1), np.where(pool, revenue, 0.0))
        hosts = sampler.sample(rng, prefs)
        for p, h in zip(prefs, hosts, strict=True):
            if h < 0:
                continue
            h = int(h)
            prov = str(geo.prov_name[geo.pref_prov[p]])
            add(
                f"{prov}{cls.word[f_cls[h]]}制造业创新中心",
                "manufacturing_innovation_centre",
                "provincial",
                region[h],
                h,
                cls.code[f_cls[h]],
                firm_field(h),
                None,
                rng.integers(2017, yr_hi + 1),
            )

    df = pd.DataFrame(recs)
    # unique names within each carrier type, every name marked （模拟）
    df["name"] = df.groupby("carrier_type", sort=False)["name"].transform(
        lambda s: _dedupe_names(list(s))
    )
    df = df[KINDS["innovation-carriers"].field_names[:-1]].assign(source=DEMO_SOURCE)
    df["recognised_year"] = df["recognised_year"].astype("Int64")
    df["synthetic"] = True
    return df.reset_index(drop=True)


def _supply_links(
    rng: np.random.Generator,
    f_cls: np.ndarray,
    f_pref: np.ndarray,
    f_prov: np.ndarray,
    f_div: np.ndarray,
    employees: np.ndarray,
    revenue: np.ndarray,
    uscc: np.ndarray,
    cls: _Classes,
    y1: int,
) -> pd.DataFrame:
    n = len(f_cls)
    n_cls = len(cls.code)
    sw = revenue**0.7  # supplier weight
    # supplier mass per class (for choosing the input class inside a division)
    class_mass = np.bincount(f_cls, sw, minlength=n_cls)
    divs = sorted(set(cls.div.tolist()))
    div_id = {d: i for i, d in enumerate(divs)}
    cls_div_id = np.array([div_id[d] for d in cls.div])
    class_in_div = _GroupedSampler(cls_div_id, class_mass)
    # rule table as items grouped by buyer division
    r_buyer, r_supp, r_w = [], [], []
    div_mass = np.bincount(cls_div_id, class_mass, minlength=len(divs))
    for d in divs:
        rules = INPUT_RULES.get(d, DEFAULT_INPUTS)
        for s, w in rules:
            if s in div_id and div_mass[div_id[s]] > 0:
                r_buyer.append(div_id[d])
                r_supp.append(div_id[s])
                r_w.append(w)
    rule_sampler = _GroupedSampler(np.array(r_buyer), np.array(r_w, dtype=float))
    r_supp_arr = np.array(r_supp)
    # chain templates: buyer class → supplier classes (up → mid, mid → down)
    code_idx = {c: i for i, c in enumerate(cls.code)}
    t_buyer, t_supp = [], []
    for chain in _chain_templates():
        order = [chain.get("upstream", []), chain.get("midstream", []), chain.get("downstream", [])]
        for a, b in ((0, 1), (1, 2)):
            for s in order[a]:
                for bcode in order[b]:
                    if s in code_idx and bcode in code_idx and class_mass[code_idx[s]] > 0:
                        t_buyer.append(code_idx[bcode])
                        t_supp.append(code_idx[s])
    tmpl_sampler = _GroupedSampler(np.array(t_buyer, dtype=np.int64), np.ones(len(t_buyer)))
    t_supp_arr = np.array(t_supp, dtype=np.int64)
    # supplier samplers by (class, prefecture), (class, province), class
    n_pref = int(f_pref.max()) + 1
    n_prov = int(f_prov.max()) + 1
    by_pref = _GroupedSampler(f_cls.astype(np.int64) * n_pref + f_pref, sw)
    by_prov = _GroupedSampler(f_cls.astype(np.int64) * n_prov + f_prov, sw)
    by_nat = _GroupedSampler(f_cls.astype(np.int64), sw)
    by_nat_flat = _GroupedSampler(f_cls.astype(np.int64), np.ones(n))  # for repair draws
    buyer_div = cls_div_id[f_cls]

    by_pref_div = _GroupedSampler(cls_div_id[f_cls].astype(np.int64) * n_pref + f_pref, sw)
    by_prov_div = _GroupedSampler(cls_div_id[f_cls].astype(np.int64) * n_prov + f_prov, sw)

    def draw(buyers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(input class, input division, from-template flag) of one purchase of each buyer."""
        m = len(buyers)
        rule = rule_sampler.sample(rng, buyer_div[buyers])
        sdiv = np.where(rule >= 0, r_supp_arr[np.maximum(rule, 0)], -1)
        c_rule = class_in_div.sample(rng, np.where(sdiv >= 0, sdiv, -1))
        t = tmpl_sampler.sample(rng, f_cls[buyers])
        use_t = (t >= 0) & (rng.random(m) < 0.5)
        if len(t_supp_arr):
            c = np.where(use_t, t_supp_arr[np.maximum(t, 0)], c_rule)
            sdiv = np.where(use_t, cls_div_id[np.maximum(c, 0)], sdiv)
            return c, sdiv, use_t
        return c_rule, sdiv, use_t

    def suppliers(
        buyers: np.ndarray, c: np.ndarray, sdiv: np.ndarray, by_div: np.ndarray, local: bool
    ) -> np.ndarray:
        """Supplier of each purchase: same prefecture 0.40 / province 0.25 / anywhere 0.35.

        Where ``by_div`` is set the local tiers pick any supplier of the input division (the
        class is then the supplier's), otherwise one of the input class ``c``.
        """
        m = len(buyers)
        u = rng.random(m)
        tier = np.where(u < 0.40, 0, np.where(u < 0.65, 1, 2)) if local else np.full(m, 2)
        s = np.full(m, -1, dtype=np.int64)
        ok = c >= 0
        bp, bv = f_pref[buyers], f_prov[buyers]
        q = ok & (tier == 0) & by_div
        s[q] = by_pref_div.sample(rng, sdiv[q].astype(np.int64) * n_pref + bp[q])
        q = ok & (tier == 0) & ~by_div
        s[q] = by_pref.sample(rng, c[q].astype(np.int64) * n_pref + bp[q])
        q = ok & (s < 0) & (tier <= 1) & by_div
        s[q] = by_prov_div.sample(rng, sdiv[q].astype(np.int64) * n_prov + bv[q])
        q = ok & (s < 0) & (tier <= 1) & ~by_div
        s[q] = by_prov.sample(rng, c[q].astype(np.int64) * n_prov + bv[q])
        q = ok & (s < 0)
        s[q] = (by_nat if local else by_nat_flat).sample(rng, c[q].astype(np.int64))
        return s

    lam = 0.1 * employees.astype(float) ** 0.45
    k = np.clip(2 + rng.poisson(lam), 2, 15)
    buyers = np.repeat(np.arange(n), k)
    starts = np.r_[0, np.cumsum(k)[:-1]]
    pos = np.arange(len(buyers)) - np.repeat(starts, k)
    c, sdiv, use_t = draw(buyers)
    repeat = (pos > 0) & (rng.random(len(buyers)) < 0.30)
    primary = ~repeat
    s = np.full(len(buyers), -1, dtype=np.int64)
    s[primary] = suppliers(buyers[primary], c[primary], sdiv[primary], ~use_t[primary], True)
    # a repeated purchase buys the class the buyer's previous primary purchase actually got
    c = np.where(primary & (s >= 0), f_cls[np.maximum(s, 0)], c)
    src = np.maximum.accumulate(np.where(repeat, -1, np.arange(len(buyers))))
    c = c[src]
    no_div = np.zeros(int(repeat.sum()), dtype=bool)
    s[repeat] = suppliers(buyers[repeat], c[repeat], sdiv[repeat], no_div, True)
    sup, buy = s, buyers
    for _ in range(6):
        ok = (sup >= 0) & (sup != buy)
        key = np.unique(sup[ok].astype(np.int64) * n + buy[ok])
        sup, buy = key // n, key % n
        cnt = np.bincount(buy, minlength=n)
        short = np.flatnonzero(cnt < 2)
        if len(short) == 0:
            break
        extra_b = np.repeat(short, 2 * (2 - cnt[short]))
        ce, de, _ = draw(extra_b)
        se = suppliers(extra_b, ce, de, np.zeros(len(extra_b), dtype=bool), False)
        sup = np.concatenate([sup, se])
        buy = np.concatenate([buy, extra_b])
    ok = (sup >= 0) & (sup != buy)
    key = np.unique(sup[ok].astype(np.int64) * n + buy[ok])
    sup, buy = key // n, key % n
    # values: buyer revenue × purchase share × Gamma share, capped by supplier revenue
    order = np.lexsort((sup, buy))
    sup, buy = sup[order], buy[order]
    share = rng.uniform(0.25, 0.55, n)
    g = rng.gamma(0.8, 1.0, len(buy)) + 1e-6
    gsum = np.bincount(buy, g, minlength=n)
    value = revenue[buy] * share[buy] * g / gsum[buy]
    value = np.minimum(value, 0.8 * revenue[sup])
    sales = np.bincount(sup, value, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(sales > 0, np.minimum(1.0, 0.9 * revenue / sales), 1.0)
    value = np.maximum(np.round(value * cap[sup], 2), 0.01)
    in_cls = f_cls[sup]
    prod = cls.word[in_cls]
    out = pd.DataFrame(
        {
            "supplier_uscc": uscc[sup],
            "buyer_uscc": uscc[buy],
            "year": np.full(len(sup), y1, dtype=np.int64),
            "value": value,
            "input_category": cls.code[in_cls],
            "product": prod,
            "source": DEMO_SOURCE,
        }
    )
    assert list(out.columns) == KINDS["supply-links"].field_names
    out["synthetic"] = True
    return out
