"""The fixed structure the demo firms are placed into: prefecture- and county-level units with
their economic weights (:class:`Geo`), the GB/T 4754 classes (:class:`Classes`) and the clusters
with their member regions and leading industries (:class:`ClusterRef`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jiqun.demo.inputs import class_word, optional_csv, short_place
from jiqun.demo.tables import MANUFACTURING_CENTRES, PROVINCE_MFG_INTENSITY, PROVINCE_POPULATION


@dataclass
class Geo:
    pref_code: np.ndarray  # (P,) str
    pref_prov: np.ndarray  # (P,) province index
    pref_weight: np.ndarray  # manufacturing weight (population prior x intensity x centre x noise)
    pref_population: np.ndarray  # population prior (millions)
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


def population_prior(pref: pd.DataFrame, cty: pd.DataFrame) -> np.ndarray:
    """Population prior (millions) of prefecture-level units from shipped data only.

    A province's 2020 census population (:data:`~jiqun.demo.tables.PROVINCE_POPULATION`) is shared
    among its prefecture-level units in proportion to (county-level units + 0.5 × districts +
    0.5 × county-level cities),
    × 1.5 for the capital (code ending ``0100``), × 0.6 for 自治州, 地区 and 盟: more counties and
    more urban districts mean more people. Units without county-level units count as the province's average unit.

    Parameters
    ----------
    pref: prefecture-level rows of the region table (``code``, ``name``).
    cty: county-level rows (``parent_code``, ``name``).

    Returns
    -------
    Population prior per row of ``pref`` (millions; the units of a province sum to its population).

    References
    ----------
    ``src/jiqun/demo/data/geography.yaml`` (sources of the province figures).

    Example
    -------
    >>> import pandas as pd
    >>> pref = pd.DataFrame({"code": ["320100", "320200"], "name": ["南京市", "无锡市"]})
    >>> cty = pd.DataFrame({"parent_code": ["320100", "320200", "320200"],
    ...                     "name": ["玄武区", "江阴市", "宜兴市"]})
    >>> population_prior(pref, cty).round(2).tolist()
    [36.32, 48.43]
    """
    # a city without counties (东莞, 中山, …) is listed as its own county-level unit
    cty = cty[cty["code"] != cty["parent_code"]] if "code" in cty else cty
    n_cty = cty.groupby("parent_code").size()
    n_dist = cty.assign(d=cty["name"].str.endswith("区")).groupby("parent_code")["d"].sum()
    codes = pref["code"].astype(str)
    raw = codes.map(n_cty).to_numpy(dtype=float, copy=True)
    n_city = cty.assign(d=cty["name"].str.endswith("市")).groupby("parent_code")["d"].sum()
    raw += 0.5 * codes.map(n_dist).fillna(0.0).to_numpy(dtype=float)
    raw += 0.5 * codes.map(n_city).fillna(0.0).to_numpy(dtype=float)
    prov = codes.str[:2].to_numpy()
    # cities without county-level units (东莞, 中山, 嘉峪关, 儋州) count as an average unit
    mean = pd.Series(raw).groupby(prov).transform("mean").fillna(1.0).to_numpy()
    raw = np.where(np.isnan(raw), mean, raw)
    raw *= np.where(codes.str.endswith("0100"), 1.5, 1.0)
    raw *= np.where(pref["name"].astype(str).str.contains(r"(?:自治州|地区|盟)$"), 0.6, 1.0)
    total = pd.Series(raw).groupby(prov).transform("sum").to_numpy()
    return np.array([PROVINCE_POPULATION.get(p, 1.0) for p in prov]) * raw / total


def build_geo(regions: pd.DataFrame, cluster_prefs: set[str], rng: np.random.Generator) -> Geo:
    prov = regions[regions["level"] == "province"].sort_values("code").reset_index(drop=True)
    pref = regions[regions["level"] == "prefecture"].sort_values("code").reset_index(drop=True)
    cty = regions[regions["level"] == "county"].sort_values("code").reset_index(drop=True)
    prov_index = {c: i for i, c in enumerate(prov["code"])}
    pref_index = {c: i for i, c in enumerate(pref["code"])}
    cty = cty[cty["parent_code"].isin(pref_index)].reset_index(drop=True)
    pop = population_prior(pref, cty)
    # prefectures without county-level units get their own code as the firm region code
    lonely = pref[~pref["code"].isin(set(cty["parent_code"]))]
    if len(lonely):
        extra = lonely.assign(parent_code=lonely["code"], level="county")
        cty = pd.concat([cty, extra], ignore_index=True).sort_values("code").reset_index(drop=True)
    pref_prov = np.array([prov_index[p] for p in pref["province_code"]], dtype=np.int64)
    prov_short = np.array([short_place(n) for n in prov["name"]], dtype=object)
    pseudo = pref["name"].str.contains("直辖", regex=False).to_numpy()
    bare = pref["name"].isin(["市辖区", "县"]).to_numpy()
    pref_short = np.array(
        [
            prov_short[pi] if b else ("" if ps else short_place(n))
            for n, pi, b, ps in zip(pref["name"], pref_prov, bare, pseudo, strict=True)
        ],
        dtype=object,
    )
    pref_full = np.array(
        ["" if (b or ps) else n for n, b, ps in zip(pref["name"], bare, pseudo, strict=True)],
        dtype=object,
    )
    codes = pref["code"].to_numpy()
    w = pop * np.array([PROVINCE_MFG_INTENSITY.get(c[:2], 1.0) for c in codes])
    w *= np.array([MANUFACTURING_CENTRES.get(c, 1.0) for c in codes])
    # cluster cities get their leading industries from the directed firms, not a general bonus
    del cluster_prefs
    w *= rng.lognormal(0.0, 0.08, len(codes))
    cty_pref = np.array([pref_index[p] for p in cty["parent_code"]], dtype=np.int64)
    cw = np.array(
        [2.0 if n.endswith("区") else (1.5 if n.endswith("市") else 1.0) for n in cty["name"]]
    ) * rng.lognormal(0.0, 0.5, len(cty))
    cty_city = np.array(
        [
            short_place(n) if pseudo[p] else pref_short[p]
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
    return Geo(
        pref_code=codes.astype(object),
        pref_prov=pref_prov,
        pref_weight=w,
        pref_population=pop,
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
class Classes:
    code: np.ndarray  # (C,) 4-digit codes
    name: np.ndarray
    section: np.ndarray
    div: np.ndarray  # 2-digit division code
    word: np.ndarray  # industry word for names
    hightech: np.ndarray  # bool
    is_mfg: np.ndarray  # bool


def build_classes(industries: pd.DataFrame) -> Classes:
    cl = industries[industries["level"] == 4].sort_values("code").reset_index(drop=True)
    ht = optional_csv("hightech_mfg2017_to_gbt4754.csv")
    ht_codes = set(ht["gbt4754_code"].astype(str)) if ht is not None else set()
    code = cl["code"].to_numpy().astype(object)
    div = np.array([c[:2] for c in code], dtype=object)
    if not ht_codes:  # fallback: high-tech divisions
        ht_codes = {c for c in code if c[:2] in ("27", "39", "40") or c[:3] in ("374", "358")}
    return Classes(
        code=code,
        name=cl["name"].to_numpy().astype(object),
        section=cl["section"].to_numpy().astype(object),
        div=div,
        word=np.array(
            [class_word(n, c) for n, c in zip(cl["name"], cl["code"], strict=True)], dtype=object
        ),
        hightech=np.array([c in ht_codes for c in code]),
        is_mfg=(cl["section"] == "C").to_numpy(),
    )


@dataclass
class ClusterRef:
    frame: pd.DataFrame  # reference rows
    ids: list[str]
    is45: np.ndarray  # (L,) bool
    group: np.ndarray  # (L,) 0 = 45 national, 1 = later national, 2 = other tiers
    cty_in: list[np.ndarray]  # per cluster: bool over county-level units
    class_in: list[np.ndarray]  # per cluster: bool over classes
    member_codes: list[list[str]]
    leading: list[list[str]]
    #: per cluster: weight of each class, 1 / (1 + 0.5 × position of its leading code), 0 outside
    lead_weight: list[np.ndarray]


def split_codes(v: Any) -> list[str]:
    if isinstance(v, list | tuple | np.ndarray):
        return [str(x).strip() for x in v if str(x).strip()]
    if v is None or pd.isna(v):
        return []
    return [x.strip() for x in str(v).replace("；", ";").split(";") if x.strip()]


def build_clusters(clusters: pd.DataFrame, geo: Geo, cls: Classes) -> ClusterRef:
    df = clusters.reset_index(drop=True)
    prov_of_cty = geo.prov_code[geo.pref_prov[geo.cty_pref]]
    pref_of_cty = geo.pref_code[geo.cty_pref]
    cty_in: list[np.ndarray] = []
    class_in: list[np.ndarray] = []
    members: list[list[str]] = []
    leading: list[list[str]] = []
    lead_weight: list[np.ndarray] = []
    for _, row in df.iterrows():
        regs = split_codes(row.get("member_regions")) or split_codes(row.get("provinces"))
        inds = split_codes(row.get("leading_industries"))
        s = set(regs)
        cty_in.append(
            np.isin(geo.cty_code, list(s))
            | np.isin(pref_of_cty, list(s))
            | np.isin(prov_of_cty, list(s))
        )
        m = np.zeros(len(cls.code), dtype=bool)
        lw = np.zeros(len(cls.code))
        # the first leading industry is the one the cluster is named for (集成电路 → 3973)
        for pos, code in enumerate(inds):
            hit = np.char.startswith(cls.code.astype(str), code)
            m |= hit
            lw = np.where(hit & (lw == 0), 1.0 / (1.0 + 0.5 * pos), lw)
        class_in.append(m)
        lead_weight.append(lw)
        members.append(regs)
        leading.append(inds)
    batch = pd.to_numeric(df.get("batch_year"), errors="coerce")
    tier = df.get("tier").astype(str)
    is45 = ((tier == "national") & batch.isin([2021, 2022])).to_numpy()
    group = np.where(is45, 0, np.where(tier == "national", 1, 2))
    return ClusterRef(
        frame=df,
        ids=df["cluster_id"].astype(str).tolist(),
        is45=is45,
        group=group,
        cty_in=cty_in,
        class_in=class_in,
        member_codes=members,
        leading=leading,
        lead_weight=lead_weight,
    )
