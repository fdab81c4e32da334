"""Demo clusters (the real cluster rows), their members and the innovation carriers."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from jiqun.demo.sampling import GroupedSampler, weighted_pick
from jiqun.demo.structure import Classes, ClusterRef, Geo
from jiqun.demo.tables import DEMO_SOURCE, DIVISION_FIELD, NATIONAL_MIC_IN_45, NATIONAL_MIC_TOTAL
from jiqun.standard.schema import CARRIER_TYPES, FIELDS_OF_CLUSTERS, KINDS

_CARRIER_WORD = {k: v[0] for k, v in CARRIER_TYPES.items()}


def _text_or_none(df: pd.DataFrame, col: str) -> list[Any]:
    if col not in df:
        return [None] * len(df)
    return [None if (v is None or pd.isna(v) or str(v).strip() == "") else str(v) for v in df[col]]


def clusters_frame(cref: ClusterRef) -> pd.DataFrame:
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


def make_cluster_members(
    rng: np.random.Generator,
    cref: ClusterRef,
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


def make_carriers(
    rng: np.random.Generator,
    cref: ClusterRef,
    member_idx: list[np.ndarray],
    in45: np.ndarray,
    ent: pd.DataFrame,
    f_pref: np.ndarray,
    f_cls: np.ndarray,
    f_div: np.ndarray,
    is_mfg: np.ndarray,
    revenue: np.ndarray,
    geo: Geo,
    cls: Classes,
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
        yr: int | np.integer[Any],
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
    chosen = [ks45[i] for i in weighted_pick(rng, mass, NATIONAL_MIC_IN_45)]
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
    prefs = weighted_pick(rng, np.where(in45_prefs, 0.0, pref_rev), n_out)
    if len(prefs) < n_out:
        prefs = np.concatenate(
            [
                prefs,
                weighted_pick(
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
        sel = cands[weighted_pick(rng, revenue[cands], int(hosted.sum()))]
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
        k: int | np.integer[Any] | None,
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
        sampler = GroupedSampler(np.where(pool, f_pref, -1), np.where(pool, revenue, 0.0))
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
        sampler = GroupedSampler(np.where(pool, f_pref, -1), np.where(pool, revenue, 0.0))
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
