"""Cluster diagnosis service (集群诊断): stored data → :func:`jiqun.analytics.diagnosis.diagnose`.

Loads, for one year and one measure, the region × industry matrix of **all prefecture-level
units** (county records are added to their prefecture; province-level rows are ignored so that
nothing is counted twice), the year before (trend and shift-share), employment and firm counts
(strength flags and stars), the firms of the leading industries (Ellison–Glaeser γ), and the
other clusters of the same field (homogeneous-competition table between clusters). Returns a
:class:`Diagnosis` whose ``basis`` states year, measure, unit, region level, industry-code level,
value vs count and whether the data are synthetic. :mod:`jiqun.services.reports` writes it as
JSON, XLSX or HTML; the CLI (``jiqun diagnose``) and the web UI call this function.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, bindparam, text

from jiqun import reference
from jiqun.analytics.diagnosis import POSITION_CLASSES, diagnose
from jiqun.services import registry
from jiqun.services.cache import materialised
from jiqun.services.choices import require_choice
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.services.predicates import INDUSTRY_ROWS
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import FIELDS_OF_CLUSTERS, MEASURES, TIERS
from jiqun.store.db import get_engine

DIAGNOSE_MEASURES = ("employment", "output", "revenue", "firms")
INDUSTRY_LEVELS = {
    "class": ("小类（4位）", "class (4-digit)", 4),
    "division": ("大类（2位）", "division (2-digit)", 2),
}


@dataclass
class Diagnosis:
    """One cluster's diagnosis: profile, tables, basis of every figure, notes."""

    cluster: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return bool(self.basis.get("synthetic"))


def prefecture_map(regions: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(code -> prefecture code for prefectures and counties, prefecture -> province)."""
    r = regions.set_index("code")
    pref = pd.Series(r.index.to_numpy(), index=r.index)
    county = r["level"] == "county"
    pref[county.to_numpy()] = r.loc[county, "parent_code"].to_numpy()
    pref = pref[(r["level"] != "province").to_numpy()]
    return pref, r.loc[r["level"] == "prefecture", "parent_code"]


def stats_matrix(long: pd.DataFrame, pref: pd.Series, digits: int) -> pd.DataFrame:
    df = long.assign(
        region=long["region_code"].map(pref), industry=long["industry_code"].str[:digits]
    ).dropna(subset=["region"])
    if df.empty:
        return pd.DataFrame(dtype=np.float64)
    return df.pivot_table(
        index="region", columns="industry", values="value", aggfunc="sum", fill_value=0.0
    ).astype(np.float64)


def member_prefectures(codes: list[str], regions: pd.DataFrame, pref: pd.Series) -> list[str]:
    """Member codes → prefecture codes (a county counts for its prefecture, a province for all).

    The one rule by which a cluster's member regions meet prefecture-level statistics: the
    diagnosis and the evaluation (:func:`jiqun.services.policy.cluster_indicators`) both use it.

    Parameters
    ----------
    codes: the member region codes (GB/T 2260).
    regions: the regions table (``code``, ``level``, ``parent_code``).
    pref: code → prefecture code (:func:`prefecture_map`).

    Returns
    -------
    list[str]
        Prefecture codes, in order, without repeats.

    Example
    -------
    >>> r = pd.DataFrame({"code": ["320000", "320200", "320214"],
    ...                   "level": ["province", "prefecture", "county"],
    ...                   "parent_code": [None, "320000", "320200"]})
    >>> member_prefectures(["320214", "320000"], r, prefecture_map(r)[0])
    ['320200']
    """
    lvl = regions.set_index("code")["level"]
    out: list[str] = []
    for c in codes:
        if lvl.get(c) == "province":
            out.extend(
                sorted(
                    regions.loc[
                        (regions["level"] == "prefecture") & (regions["parent_code"] == c), "code"
                    ]
                )
            )
        elif c in pref.index:
            out.append(str(pref[c]))
    return list(dict.fromkeys(out))


@materialised("diagnosis")
def diagnose_cluster(
    cluster_id: str,
    engine: Engine | None = None,
    year: int | None = None,
    measure: str = "employment",
    industry_level: str = "class",
    top: int = 10,
    progress: Callable[[str, float], None] | None = None,
) -> Diagnosis:
    """Diagnose a stored cluster against all prefecture-level regions of the nation.

    Parameters
    ----------
    cluster_id:
        The cluster's id (e.g. ``NC2021-01``).
    engine:
        Database (default: the configured one).
    year:
        Statistics year (default: the latest year with data for ``measure``).
    measure:
        ``employment`` (default), ``output``, ``revenue`` or ``firms``: the measure of the LQs,
        trend, shift-share, concentration, competition and complexity tables. Strength flags and
        stars always use employment and firm counts (US CMP / ECO rules).
    industry_level:
        ``class`` (4-digit, default) or ``division`` (2-digit) GB/T 4754-2017 codes.
    top:
        Partner regions/clusters and "what next" industries kept per member city.
    progress:
        Optional callback ``(stage, fraction)``.

    Returns
    -------
    Diagnosis

    References
    ----------
    docs/METHODS.md §1–§4; :func:`jiqun.analytics.diagnosis.diagnose`.

    Example
    -------
    >>> d = diagnose_cluster("NC2021-01", measure="employment")  # doctest: +SKIP
    >>> d.tables["strength"][["region_code", "strong", "stars"]]  # doctest: +SKIP
    """
    require_choice(measure, DIAGNOSE_MEASURES, "不支持的口径", "unsupported measure")
    if industry_level not in INDUSTRY_LEVELS:
        raise JiqunError(
            f"不支持的行业代码层级 {industry_level!r}，可选：class, division",
            f"unsupported industry level {industry_level!r}; choose class or division",
        )
    if top < 1:
        raise JiqunError("top 必须 ≥ 1", "top must be ≥ 1")
    say = progress or (lambda stage, frac: None)
    engine = engine or get_engine()
    digits = INDUSTRY_LEVELS[industry_level][2]
    say("读取数据 loading", 0.05)
    with engine.connect() as c:
        cl = pd.read_sql(
            text("SELECT * FROM clusters WHERE cluster_id = :i"), c, params={"i": cluster_id}
        )
        if cl.empty:
            raise JiqunError(f"找不到集群 {cluster_id!r}", f"no cluster with id {cluster_id!r}")
        prof = cl.iloc[0].to_dict()
        cr, ci = registry.cluster_links(c)
        peers_cl = pd.read_sql(
            text("SELECT cluster_id, name, tier, field FROM clusters WHERE field = :f"),
            c,
            params={"f": prof.get("field") or ""},
        )
        regions = registry.region_rows(c)
        years = pd.read_sql(
            text("SELECT DISTINCT year FROM region_stats WHERE measure = :m ORDER BY year"),
            c,
            params={"m": measure},
        )["year"].tolist()
        if not years:
            raise JiqunError(
                f"数据库中没有口径为 {measure!r} 的地区统计（先运行 jiqun demo 或导入 region-stats）",
                f"no region statistics with measure {measure!r} are stored (run jiqun demo or "
                f"import region-stats first)",
            )
        if year is None:
            year = int(years[-1])
        if year not in years:
            raise JiqunError(
                f"{year} 年没有口径为 {measure!r} 的数据；已有年份：{', '.join(map(str, years))}",
                f"no {measure!r} data for {year}; stored years: {', '.join(map(str, years))}",
            )
        prev = max((y for y in years if y < year), default=None)
        want = sorted({measure, "employment", "firms"})
        stats = pd.read_sql(
            text(
                "SELECT region_code, industry_code, year, measure, value, unit, synthetic "
                f"FROM region_stats WHERE year IN :ys AND measure IN :ms AND {INDUSTRY_ROWS}"
            ).bindparams(bindparam("ys", expanding=True), bindparam("ms", expanding=True)),
            c,
            params={"ys": [y for y in (year, prev) if y is not None], "ms": want},
        )
    members_raw = cr.loc[cr["cluster_id"] == cluster_id, "region_code"].astype(str).tolist()
    leading_raw = ci.loc[ci["cluster_id"] == cluster_id, "industry_code"].astype(str).tolist()
    if not members_raw:
        raise JiqunError(
            f"集群 {cluster_id} 没有登记成员地区，无法诊断（请在 clusters 中补充 member_regions）",
            f"cluster {cluster_id} has no member regions recorded; cannot diagnose (add "
            f"member_regions to the clusters data)",
        )
    if not leading_raw:
        raise JiqunError(
            f"集群 {cluster_id} 没有登记主导产业，无法诊断（请补充 leading_industries）",
            f"cluster {cluster_id} has no leading industries recorded; cannot diagnose (add "
            f"leading_industries)",
        )
    pref, _ = prefecture_map(regions)
    names = reference.region_display_names(regions["code"])
    members = member_prefectures(members_raw, regions, pref)
    leading = list(dict.fromkeys(code[:digits] for code in leading_raw))

    say("构建矩阵 building matrices", 0.2)
    units = stats.loc[stats["measure"] == measure, "unit"].dropna().unique().tolist()
    cur = stats[stats["year"] == year]
    X = stats_matrix(cur[cur["measure"] == measure], pref, digits)
    X_prev = None
    if prev is not None:
        pv = stats[(stats["year"] == prev) & (stats["measure"] == measure)]
        X_prev = stats_matrix(pv, pref, digits) if len(pv) else None
    emp = stats_matrix(cur[cur["measure"] == "employment"], pref, digits)
    est = stats_matrix(cur[cur["measure"] == "firms"], pref, digits)
    missing = [m for m in members if m not in X.index]
    notes: list[str] = []
    if missing:
        notes.append(
            f"这些成员地区在 {year} 年没有 {measure} 数据，按 0 计：{', '.join(missing)} / "
            f"no {measure} data in {year} for these member regions; counted as 0: "
            f"{', '.join(missing)}"
        )
        X = X.reindex(index=list(X.index) + missing, fill_value=0.0)
    if X.to_numpy().sum() <= 0:
        raise JiqunError(f"{year} 年 {measure} 数据全为 0", f"all {measure} data for {year} are 0")
    if X_prev is not None:
        X_prev = X_prev.reindex(index=X.index, fill_value=0.0)

    firms = None
    codes = [code for code in leading_raw]
    size_col = {"output": "output", "revenue": "revenue"}.get(measure, "employees")
    want_codes = list(dict.fromkeys(x[:digits] for x in codes))
    # imported here: the engine (ibis) loads only when a diagnosis runs, not with the web app
    from jiqun.services import lake

    # a current lake: the engine sums the firm rows per cell, only the cells reach pandas
    sums = lake.firm_sums(engine, pref, digits=digits, codes=want_codes, size=size_col)
    ent = pd.DataFrame()
    if sums is not None:
        cells, info = sums
        ent_synthetic = bool(info["synthetic"])
        if info["firms"]:
            if info["left_out"]:
                notes.append(_left_out_note(int(info["left_out"]), size_col))
            firms = cells[cells["region"].isin(X.index)]
    else:
        with engine.connect() as c:
            ent = pd.read_sql(
                text(
                    f"SELECT region_code, industry_code, {size_col} AS size, synthetic "
                    "FROM enterprises WHERE substr(industry_code, 1, :d) IN :codes"
                ).bindparams(bindparam("codes", expanding=True)),
                c,
                params={"d": digits, "codes": want_codes},
            )
        ent_synthetic = bool(len(ent) and ent["synthetic"].astype(bool).any())
    if len(ent):
        ent = ent.assign(
            region=ent["region_code"].map(pref), industry=ent["industry_code"].str[:digits]
        )
        bad = ent["region"].isna() | ent["size"].isna() | (ent["size"] <= 0)
        if bad.any():
            notes.append(_left_out_note(int(bad.sum()), size_col))
        firms = ent.loc[~bad, ["region", "industry", "size"]]
        # EG's benchmark x_r is every firm's regional share; restrict to the nation's regions.
        firms = firms[firms["region"].isin(X.index)]

    # keyed and typed as diagnose() takes it (a Mapping's key type is invariant)
    peers: dict[Hashable, tuple[Sequence[Hashable], Sequence[Hashable]]] = {}
    for pid in peers_cl["cluster_id"]:
        pm = member_prefectures(
            cr.loc[cr["cluster_id"] == pid, "region_code"].astype(str).tolist(), regions, pref
        )
        pl = list(
            dict.fromkeys(
                s[:digits] for s in ci.loc[ci["cluster_id"] == pid, "industry_code"].astype(str)
            )
        )
        if pm and pl:
            peers[str(pid)] = (pm, pl)

    say("计算指标 computing metrics", 0.4)
    res = diagnose(
        X,
        members=members,
        leading=leading,
        X_prev=X_prev,
        employment=emp if len(emp) else None,
        establishments=est if len(est) else None,
        total_employment=emp.sum(axis=1) if len(emp) else None,
        firms=firms,
        peers=peers,
        cluster_id=cluster_id,
        top=top,
    )
    notes.extend(res.notes)
    say("整理报告 assembling", 0.9)
    tables = _label(res.tables, names, peers_cl, digits)

    synthetic = bool(stats["synthetic"].astype(bool).any()) or ent_synthetic
    if synthetic:
        notes.insert(0, f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    mzh, men, munit = MEASURES[measure]
    lzh, len_, _ = INDUSTRY_LEVELS[industry_level]
    fzh, fen = FIELDS_OF_CLUSTERS.get(prof.get("field") or "", ("", ""))
    tzh, ten = TIERS.get(prof.get("tier") or "", ("", ""))
    cluster = {
        "cluster_id": cluster_id,
        "name": prof.get("name"),
        "name_en": prof.get("name_en"),
        "tier": prof.get("tier"),
        "tier_label": f"{tzh} / {ten}",
        "field": prof.get("field"),
        "field_label": f"{fzh} / {fen}",
        "batch_year": None if pd.isna(prof.get("batch_year")) else int(prof["batch_year"]),
        "verification": prof.get("verification"),
        "member_regions": [{"code": m, "name": names.get(m, m)} for m in members],
        "leading_industries": [
            {"code": i, "name": reference.industry_name(i) or ""} for i in leading
        ],
    }
    basis = {
        "year": year,
        "previous_year": prev,
        "measure": measure,
        "measure_label": f"{mzh} / {men}",
        "unit": ", ".join(units) or munit,
        "value_or_count": "count" if measure in ("firms", "employment") else "value",
        "region_level": "prefecture (地级); county records added to their prefecture; the "
        f"reference (nation) is all {len(X)} prefecture-level units with data",
        "industry_code_level": f"GB/T 4754-2017 {len_} / {lzh}",
        "industry_scope": "manufacturing (GB/T 4754 section C, divisions 13–43) plus the "
        "leading industries; the members table's totals use every industry",
        "strength_basis": "US Cluster Mapping rules and ECO stars on employment (人) and firm "
        "counts (家); category = the leading industries; traded = manufacturing divisions 13–43 "
        "plus the leading industries; percentiles over all prefecture-level units",
        "eg_size": size_col,
        "synthetic": synthetic,
        "data_source": "region_stats, enterprises, clusters (Jiqun store)",
    }
    say("完成 done", 1.0)
    return Diagnosis(cluster=cluster, tables=tables, basis=basis, notes=notes)


#: the firm-size columns in Chinese (the zh half of a note names no column key)
_SIZE_ZH = {"employees": "从业人员", "revenue": "营业收入", "output": "工业总产值"}


def _left_out_note(n: int, size_col: str) -> str:
    return (
        f"{n} 家企业缺少地区或规模（{_SIZE_ZH.get(size_col, size_col)}），未计入地理集中指数 γ / "
        f"{n} firms lack a region or a size ({size_col}) and are left out of "
        f"Ellison–Glaeser γ"
    )


def _label(
    tables: dict[str, pd.DataFrame], names: pd.Series, clusters: pd.DataFrame, digits: int
) -> dict[str, pd.DataFrame]:
    """Add region, industry and cluster names next to their codes (the report is read by people)."""
    cname = clusters.set_index("cluster_id")["name"]

    def iname(code: Any) -> str:
        return reference.industry_name(str(code)) or ""

    out: dict[str, pd.DataFrame] = {}
    for key, t in tables.items():
        t = t.copy()
        for col in ("region_code", "region_a", "region_b"):
            if col in t.columns:
                t.insert(
                    t.columns.get_loc(col) + 1,
                    f"{col}_name".replace("_code_name", "_name"),
                    t[col].map(names),
                )
        if "industry_code" in t.columns:
            t.insert(
                t.columns.get_loc("industry_code") + 1,
                "industry_name",
                t["industry_code"].map(iname),
            )
        for col in ("cluster_a", "cluster_b"):
            if col in t.columns:
                t.insert(t.columns.get_loc(col) + 1, f"{col}_name", t[col].map(cname))
        if "shared_specialised" in t.columns:
            t["shared_specialised"] = t["shared_specialised"].map(lambda xs: ";".join(map(str, xs)))
        if "shared_leading" in t.columns:
            t["shared_leading"] = t["shared_leading"].map(lambda xs: ";".join(map(str, xs)))
        if "position" in t.columns:
            t.insert(
                t.columns.get_loc("position") + 1,
                "position_label",
                t["position"].map(lambda p: f"{POSITION_CLASSES[p][0]} / {POSITION_CLASSES[p][1]}"),
            )
        out[key] = t
    return out
