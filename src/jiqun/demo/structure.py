"""The fixed structure the demo firms are placed into: prefecture- and county-level units with
their economic weights (:class:`Geo`), the GB/T 4754 classes (:class:`Classes`) and the clusters
with their member regions and leading industries (:class:`ClusterRef`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jiqun.demo.inputs import class_word, optional_csv, short_place
from jiqun.demo.tables import HUBS, MUNICIPAL, PROVINCE_FACTOR, SUBPROVINCIAL, TOP_HUBS


@dataclass
class Geo:
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


def build_geo(regions: pd.DataFrame, cluster_prefs: set[str], rng: np.random.Generator) -> Geo:
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
    n_cty = cty.groupby("parent_code").size()
    codes = pref["code"].to_numpy()
    w = np.array([PROVINCE_FACTOR.get(c[:2], 1.0) for c in codes])
    w *= np.array(
        [
            3.0 if c in MUNICIPAL else (2.5 if (c.endswith("0100") or c in SUBPROVINCIAL) else 1)
            for c in codes
        ]
    )
    w *= np.array([2.5 if c in HUBS else 1.0 for c in codes])
    w *= np.array([1.8 if c in TOP_HUBS else 1.0 for c in codes])
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
        for code in inds:
            m |= np.char.startswith(cls.code.astype(str), code)
        class_in.append(m)
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
    )
