"""Cluster diagnosis (集群诊断): the tables a provincial analyst reads, from matrices alone.

A pure function of region × industry matrices and the cluster's definition (member regions,
leading industries); :mod:`jiqun.services.diagnosis` loads them from the store and writes the
report. Every table is built from the public :mod:`jiqun.metrics` functions, so each figure
follows the convention documented there (docs/METHODS.md §1–§4):

``members``
    member cities: size, share of the nation, leading-industry share, LQ of the leading-industry
    aggregate, ECI, COI, diversity.
``leading_industries``
    member city × leading industry: value now and a year earlier, growth, national share, LQ
    now and before, LQ change and trend (``rising`` / ``falling`` / ``stable``, ±0.05).
``cluster_industries``
    the cluster as a whole × leading industry: value, national share, LQ, growth vs national.
``shift_share``
    per member city, Dunn and Esteban-Marquillas decompositions of the change, once over all
    industries and once over the leading industries (``scope``).
``strength``
    US Cluster Mapping flags (qualifying / significant / strong / strong10) and European Cluster
    Observatory stars of the cluster's **category** in each member city, against all regions of
    the matrix (the same region level). The category is the set of leading industries; the other
    categories are the remaining industries grouped by GB/T 4754 division, so that the categories
    partition the traded economy and the LQ denominator is the region's traded employment (US
    CMP's rule). Traded = the industries of ``traded`` (default: manufacturing divisions 13–43)
    plus the leading industries.
``concentration``
    per leading industry: locational Gini, Hoover concentration, Herfindahl over regions, spatial
    Gini, Ellison–Glaeser γ (when firm data are given), regions with LQ ≥ 1, top-5 regions' share
    and the member cities' share.
``competition_regions``
    homogeneous-competition table (同质化竞争) of each member city against every other region:
    structure similarity, bilateral Krugman, overlap of specialised industries; ``top`` per city.
``competition_clusters``
    the same table for the cluster (member cities summed) against other clusters of the same field,
    plus the Jaccard overlap of their declared leading industries.
``next_industries``
    for each member city, absent industries (``M = 0``) ranked by density, with PCI and COG: what to
    develop next (Atlas / Metroverse strategy).
``positioning``
    Metroverse-style classification of every industry in each member city (see
    :data:`POSITION_CLASSES`).

Scope: unless ``traded=()``, every table but ``members`` uses only the traded industries (default
manufacturing, GB/T 4754 divisions 13–43) plus the leading industries.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame(rng.gamma(1.0, 100.0, (30, 12)),
...                  index=[f"r{i}" for i in range(30)], columns=[f"13{i:02d}" for i in range(12)])
>>> d = diagnose(X, members=["r0", "r1"], leading=["1300", "1301"], X_prev=X * 0.9)
>>> sorted(d)[:3]
['cluster_industries', 'competition_clusters', 'competition_regions']
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jiqun.analytics.complexity import ComplexityResult, complexity
from jiqun.analytics.concentration import (
    ellison_glaeser,
    ellison_glaeser_sums,
    hoover_concentration,
    locational_gini,
    spatial_gini,
)
from jiqun.analytics.dynamics import shift_share
from jiqun.analytics.rca import JiqunWarning, check_matrix, location_quotient, lq_from_totals
from jiqun.analytics.similarity import homogeneous_competition_table
from jiqun.analytics.specialisation import herfindahl
from jiqun.analytics.strength import cluster_stars, cluster_strength
from jiqun.standard.datafiles import section
from jiqun.standard.problems import JiqunError

#: Metroverse-style position classes: code -> (中文, English, rule).
POSITION_CLASSES: dict[str, tuple[str, str, str]] = section(
    "labels.yaml", "position_classes", "jiqun.analytics"
)

#: LQ change below which a trend is called stable.
TREND_TOLERANCE = 0.05

MANUFACTURING_DIVISIONS = tuple(f"{d:02d}" for d in range(13, 44))


@dataclass
class DiagnosisTables:
    """The tables of one diagnosis plus the notes raised while computing them."""

    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def keys(self) -> Iterable[str]:
        return self.tables.keys()


def _labels(codes: Iterable[Hashable]) -> list[Hashable]:
    return list(dict.fromkeys(codes))


def _trend(delta: pd.Series) -> pd.Series:
    out = pd.Series("stable", index=delta.index, dtype=object)
    out[delta > TREND_TOLERANCE] = "rising"
    out[delta < -TREND_TOLERANCE] = "falling"
    out[delta.isna()] = None
    return out


def _lq_frame(X: pd.DataFrame, reference: pd.Series | None = None) -> pd.DataFrame:
    """LQ with zero rows/columns kept (LQ 0 or NaN) and no warnings: a report needs every cell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        return location_quotient(X, reference=reference).reindex(index=X.index, columns=X.columns)


def _members_table(
    X: pd.DataFrame, members: list[Hashable], leading: list[Hashable], cx: ComplexityResult
) -> pd.DataFrame:
    total = X.sum(axis=1)
    lead = X[leading].sum(axis=1)
    nat_total = float(total.sum())
    nat_lead = float(lead.sum())
    rows = []
    for r in members:
        share_lead = lead[r] / total[r] if total[r] > 0 else np.nan
        rows.append(
            {
                "region_code": r,
                "total_value": float(total[r]),
                "national_share": float(total[r] / nat_total) if nat_total > 0 else np.nan,
                "leading_value": float(lead[r]),
                "leading_share_of_region": float(share_lead),
                "leading_lq": float(lq_from_totals(lead[r], total[r], nat_lead, nat_total)),
                "leading_national_share": float(lead[r] / nat_lead) if nat_lead > 0 else np.nan,
                "diversity": float(cx.diversity.get(r, np.nan)),
                "eci": float(cx.eci.get(r, np.nan)),
                "coi": float(cx.coi.get(r, np.nan)),
            }
        )
    return pd.DataFrame(rows)


def _leading_table(
    X: pd.DataFrame,
    X_prev: pd.DataFrame | None,
    members: list[Hashable],
    leading: list[Hashable],
) -> pd.DataFrame:
    lq = _lq_frame(X)
    nat = X.sum(axis=0)
    rows = []
    lq_prev = _lq_frame(X_prev) if X_prev is not None else None
    for r in members:
        for i in leading:
            v = float(X.at[r, i])
            row: dict[str, object] = {
                "region_code": r,
                "industry_code": i,
                "value": v,
                "national_share": v / float(nat[i]) if nat[i] > 0 else np.nan,
                "lq": float(lq.at[r, i]),
                "specialised": bool(lq.at[r, i] >= 1.0 - 1e-9),
            }
            if X_prev is not None and lq_prev is not None:
                vp = float(X_prev.at[r, i])
                row["value_prev"] = vp
                row["growth_rate"] = (v - vp) / vp if vp > 0 else np.nan
                row["lq_prev"] = float(lq_prev.at[r, i])
            rows.append(row)
    out = pd.DataFrame(rows)
    if X_prev is not None:
        out["lq_change"] = out["lq"] - out["lq_prev"]
        out["trend"] = _trend(out["lq_change"])
    return out


def _cluster_industry_table(
    X: pd.DataFrame, X_prev: pd.DataFrame | None, members: list[Hashable], leading: list[Hashable]
) -> pd.DataFrame:
    agg = X.loc[members, leading].sum(axis=0)
    nat = X[leading].sum(axis=0)
    member_total = float(X.loc[members].sum(axis=1).sum())
    nat_total = float(X.to_numpy().sum())
    out = pd.DataFrame(
        {
            "industry_code": leading,
            "cluster_value": agg.to_numpy(),
            "national_value": nat.to_numpy(),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        out["national_share"] = out["cluster_value"] / out["national_value"]
        out["cluster_lq"] = lq_from_totals(
            out["cluster_value"], member_total, out["national_value"], nat_total
        )
    if X_prev is not None:
        aggp = X_prev.loc[members, leading].sum(axis=0).to_numpy()
        natp = X_prev[leading].sum(axis=0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["cluster_growth"] = np.where(aggp > 0, out["cluster_value"] / aggp - 1.0, np.nan)
            out["national_growth"] = np.where(natp > 0, out["national_value"] / natp - 1.0, np.nan)
        out["growth_gap"] = out["cluster_growth"] - out["national_growth"]
    return out


def _shift_share_table(
    X: pd.DataFrame, X_prev: pd.DataFrame, members: list[Hashable], leading: list[Hashable]
) -> pd.DataFrame:
    frames = []
    cols = X.columns.union(X_prev.columns, sort=False)
    idx = X.index.union(X_prev.index, sort=False)
    A = X_prev.reindex(index=idx, columns=cols, fill_value=0.0)
    B = X.reindex(index=idx, columns=cols, fill_value=0.0)
    for scope, use in (("all_industries", list(cols)), ("leading_industries", leading)):
        a, b = A[use], B[use]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", JiqunWarning)
            dunn = shift_share(
                a.loc[members],
                b.loc[members],
                method="esteban",
                reference_start=a.sum(axis=0),
                reference_end=b.sum(axis=0),
            )
        dunn.insert(0, "scope", scope)
        frames.append(dunn.rename_axis("region_code").reset_index())
    return pd.concat(frames, ignore_index=True)


def _categories(
    columns: pd.Index, leading: list[Hashable], traded: Sequence[str] | None
) -> pd.Series:
    """industry -> category: ``CLUSTER`` for leading industries, else its 2-digit division.

    Industries outside ``traded`` (2-digit prefixes; ``()`` = every industry) get no category.
    """
    prefixes = tuple(traded) if traded is not None else MANUFACTURING_DIVISIONS
    lead = set(leading)
    cat = {}
    for c in columns:
        s = str(c)
        if c in lead:
            cat[c] = "CLUSTER"
        elif not prefixes or s[:2] in prefixes:
            cat[c] = s[:2]
    return pd.Series(cat, dtype=object)


def _strength_table(
    employment: pd.DataFrame,
    establishments: pd.DataFrame,
    members: list[Hashable],
    leading: list[Hashable],
    traded: Sequence[str] | None,
    total_employment: pd.Series | None,
) -> pd.DataFrame:
    cat = _categories(employment.columns, leading, traded)
    emp = employment[cat.index].T.groupby(cat.to_numpy()).sum().T
    est = establishments.reindex(index=employment.index, columns=cat.index, fill_value=0.0)
    est = est.T.groupby(cat.to_numpy()).sum().T.reindex(columns=emp.columns, fill_value=0.0)
    keep = emp.sum(axis=1) > 0
    emp, est = emp.loc[keep], est.loc[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        flags = cluster_strength(emp, est).xs("CLUSTER", level=1)
        stars = cluster_stars(
            emp,
            region_totals=None
            if total_employment is None
            else total_employment.reindex(emp.index).fillna(0.0),
        ).xs("CLUSTER", level=1)
    lq_rank = flags["lq"].rank(ascending=False, method="min")
    n = int((emp["CLUSTER"] > 0).sum())
    rows = []
    for r in members:
        if r not in flags.index:
            rows.append({"region_code": r, "employment": 0.0, "lq": np.nan})
            continue
        f, s = flags.loc[r], stars.loc[r]
        rows.append(
            {
                "region_code": r,
                "employment": float(emp.at[r, "CLUSTER"]),
                "establishments": float(est.at[r, "CLUSTER"]),
                "lq": float(f["lq"]),
                "lq_rank": int(lq_rank[r]),
                "regions_with_activity": n,
                "qualifying": bool(f["qualifying"]),
                "significant": bool(f["significant"]),
                "strong": bool(f["strong"]),
                "strong10": bool(f["strong10"]),
                "eco_lq": float(s["lq"]),
                "focus_share": float(s["focus_share"]),
                "star_size": bool(s["size"]),
                "star_specialisation": bool(s["specialisation"]),
                "star_focus": bool(s["focus"]),
                "stars": int(s["stars"]),
            }
        )
    return pd.DataFrame(rows)


def _concentration_table(
    X: pd.DataFrame,
    members: list[Hashable],
    leading: list[Hashable],
    firms: pd.DataFrame | None,
) -> pd.DataFrame:
    lead_present = [i for i in leading if X[i].sum() > 0]
    sub = X[lead_present]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        lg = locational_gini(X).reindex(lead_present)
        hc = hoover_concentration(X).reindex(lead_present)
        hh = herfindahl(X, axis="industry").reindex(lead_present)
        sg = spatial_gini(X).reindex(lead_present)
        lq = _lq_frame(X)[lead_present]
    shares = sub / sub.sum(axis=0)
    out = pd.DataFrame(
        {
            "industry_code": lead_present,
            "locational_gini": lg.to_numpy(),
            "hoover_concentration": hc.to_numpy(),
            "herfindahl_regions": hh.to_numpy(),
            "spatial_gini": sg.to_numpy(),
            "regions_specialised": (lq >= 1.0 - 1e-9).sum(axis=0).to_numpy(),
            "top5_share": [float(shares[i].nlargest(5).sum()) for i in lead_present],
            "members_share": shares.loc[members].sum(axis=0).to_numpy(),
        }
    )
    if firms is not None and len(firms):
        f = firms[firms["industry"].isin(lead_present)]
        if len(f):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", JiqunWarning)
                eg = (
                    ellison_glaeser_sums(firms)
                    if "size_sq" in firms.columns
                    else ellison_glaeser(firms, region="region", industry="industry", size="size")
                )
            out = out.merge(
                eg[["gamma", "G", "H"]]
                .rename(columns={"gamma": "eg_gamma", "G": "eg_G", "H": "eg_H"})
                .rename_axis("industry_code")
                .reset_index(),
                on="industry_code",
                how="left",
            )
    missing = [i for i in leading if i not in lead_present]
    if missing:
        out = pd.concat(
            [out, pd.DataFrame({"industry_code": missing})], ignore_index=True, sort=False
        )
    return out


def _competition_clusters(
    X: pd.DataFrame,
    cluster_id: Hashable,
    members: list[Hashable],
    leading: list[Hashable],
    peers: Mapping[Hashable, tuple[Sequence[Hashable], Sequence[Hashable]]],
    top: int | None,
) -> pd.DataFrame:
    rows = {cluster_id: X.loc[members].sum(axis=0)}
    lead_sets = {cluster_id: set(leading)}
    for cid, (mem, lead) in peers.items():
        mem = [m for m in mem if m in X.index]
        if cid == cluster_id or not mem:
            continue
        rows[cid] = X.loc[mem].sum(axis=0)
        lead_sets[cid] = set(lead)
    C = pd.DataFrame(rows).T
    C = C.loc[C.sum(axis=1) > 0]
    if len(C) < 2 or cluster_id not in C.index:
        return pd.DataFrame(
            columns=["cluster_a", "cluster_b", "rank", "structure_similarity", "krugman_bilateral"]
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        t = homogeneous_competition_table(C, [cluster_id], reference=X.sum(axis=0), top=top)
    t = t.rename(columns={"region_a": "cluster_a", "region_b": "cluster_b"})
    a = lead_sets[cluster_id]

    def jac(b: Hashable) -> float:
        u = a | lead_sets[b]
        return len(a & lead_sets[b]) / len(u) if u else np.nan

    t["leading_overlap_jaccard"] = t["cluster_b"].map(jac)
    t["shared_leading"] = t["cluster_b"].map(lambda b: sorted(a & lead_sets[b], key=str))
    return t


def positioning_of(
    cx: ComplexityResult, members: list[Hashable]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rca, dens, cog, M, pci, eci = cx.rca, cx.density, cx.cog, cx.M, cx.pci, cx.eci
    frames = []
    for r in members:
        if r not in rca.index:
            continue
        df = pd.DataFrame(
            {
                "region_code": r,
                "industry_code": rca.columns,
                "rca": rca.loc[r].to_numpy(),
                "present": M.loc[r].to_numpy() == 1.0,
                "density": dens.loc[r].to_numpy(),
                "pci": pci.reindex(rca.columns).to_numpy(),
                "cog": cog.loc[r].to_numpy(),
            }
        )
        e = float(eci.get(r, np.nan))
        absent = ~df["present"]
        med = float(df.loc[absent, "density"].median()) if absent.any() else np.nan
        hi_d = df["density"] >= med
        hi_c = df["pci"] >= e
        cls = np.select(
            [
                df["present"],
                df["pci"].isna(),
                hi_d & hi_c,
                hi_d & ~hi_c,
                ~hi_d & hi_c,
            ],
            ["strength", "undefined", "opportunity", "low_hanging", "long_jump"],
            default="distant",
        )
        df["position"] = cls
        df["city_eci"] = e
        df["density_median_absent"] = med
        frames.append(df)
    pos = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if pos.empty:
        return pos, pos
    nxt = (
        pos[~pos["present"] & pos["pci"].notna()]
        .sort_values(["region_code", "density", "cog"], ascending=[True, False, False])
        .groupby("region_code", sort=False)
        .head(10_000)
    )
    nxt = nxt.copy()
    nxt["rank"] = nxt.groupby("region_code").cumcount() + 1
    return pos, nxt


def diagnose(
    X: pd.DataFrame,
    members: Iterable[Hashable],
    leading: Iterable[Hashable],
    X_prev: pd.DataFrame | None = None,
    employment: pd.DataFrame | None = None,
    establishments: pd.DataFrame | None = None,
    total_employment: pd.Series | None = None,
    firms: pd.DataFrame | None = None,
    peers: Mapping[Hashable, tuple[Sequence[Hashable], Sequence[Hashable]]] | None = None,
    cluster_id: Hashable = "cluster",
    top: int = 10,
    traded: Sequence[str] | None = None,
) -> DiagnosisTables:
    """Diagnose one cluster from region × industry matrices (pure; no database).

    Parameters
    ----------
    X:
        Region × industry matrix of the chosen measure for the year diagnosed, covering **all**
        regions of one level of the nation (it is the reference for every LQ and percentile).
    members:
        The cluster's member regions (row labels of ``X``).
    leading:
        The cluster's leading industries (column labels; absent ones are reported as zero).
    X_prev:
        The same matrix for an earlier year (trend and shift-share); optional.
    employment, establishments:
        Region × industry employment and establishment counts for the strength flags and stars
        (US CMP and ECO rules are employment-based); default ``X`` and, for establishments,
        ``(X > 0)`` (one establishment per active cell, stated in the notes).
    total_employment:
        All-industry employment per region for the ECO focus/LQ denominators; default the row
        sums of the traded categories.
    firms:
        Optional firm table with ``region``, ``industry``, ``size`` for Ellison–Glaeser γ, or
        the firms' sums per region × industry cell (columns ``region``, ``industry``, ``size``,
        ``size_sq``, ``n``: :func:`jiqun.analytics.concentration.ellison_glaeser_sums`).
    peers:
        Other clusters of the same field: ``{cluster_id: (member regions, leading industries)}``.
    cluster_id:
        Label of this cluster in the cluster-vs-cluster table.
    top:
        Rows kept per member city in the competition table and in ``next_industries``.
    traded:
        2-digit division prefixes forming the traded economy (default manufacturing 13–43).
        Every table except ``members`` (whose totals use all of ``X``) is computed on the traded
        industries plus the leading industries, so that a manufacturing cluster is compared on
        its manufacturing structure and "what next" lists only traded industries. ``()`` keeps
        every industry of ``X``.

    Returns
    -------
    DiagnosisTables
        ``tables`` as listed in the module docstring, plus ``notes``.

    References
    ----------
    docs/METHODS.md §1–§4; Delgado, Porter & Stern (2016); European Cluster Observatory; Hidalgo &
    Hausmann (2009); Metroverse (Harvard Growth Lab) and the Atlas of Economic Complexity
    strategy chart for the positioning classes.

    Example
    -------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"1311": [9.0, 1, 1, 1], "3911": [1.0, 9, 5, 1], "2710": [1.0, 1, 5, 9]},
    ...                  index=["a", "b", "c", "d"])
    >>> t = diagnose(X, ["a"], ["1311"])
    >>> round(float(t["leading_industries"].loc[0, "lq"]), 6)  # (9/11) / (12/44)
    3.0
    """
    X = check_matrix(X)
    notes: list[str] = []
    members = _labels(members)
    leading = _labels(leading)
    if not members:
        raise JiqunError("集群没有成员地区", "the cluster has no member regions")
    if not leading:
        raise JiqunError("集群没有主导产业", "the cluster has no leading industries")
    unknown = [m for m in members if m not in X.index]
    if unknown:
        raise JiqunError(
            f"成员地区不在数据中：{', '.join(map(str, unknown))}",
            f"member regions not in the data: {', '.join(map(str, unknown))}",
        )
    absent = [i for i in leading if i not in X.columns]
    if absent:
        notes.append(
            f"这些主导产业在该年份和口径下没有数据，按 0 计：{', '.join(map(str, absent))} / "
            f"no data for these leading industries in this year and measure; counted as 0: "
            f"{', '.join(map(str, absent))}"
        )
        X = X.reindex(columns=list(X.columns) + absent, fill_value=0.0)
    if X_prev is not None:
        X_prev = check_matrix(X_prev, name="X_prev").reindex(
            index=X.index, columns=X.columns, fill_value=0.0
        )
    X_all = X
    if traded != ():
        scope = _categories(X.columns, leading, traded).index
        X = X[[c for c in X.columns if c in set(scope)]]
        if X_prev is not None:
            X_prev = X_prev[X.columns]
    tables: dict[str, pd.DataFrame] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", JiqunWarning)
        cx = complexity(X.loc[X.sum(axis=1) > 0, X.sum(axis=0) > 0])
    notes.extend(str(w.message) for w in caught if issubclass(w.category, JiqunWarning))

    tables["members"] = _members_table(X_all, members, leading, cx)
    tables["leading_industries"] = _leading_table(X, X_prev, members, leading)
    tables["cluster_industries"] = _cluster_industry_table(X, X_prev, members, leading)
    if X_prev is not None:
        tables["shift_share"] = _shift_share_table(X, X_prev, members, leading)
    else:
        notes.append(
            "没有上一年数据，未计算趋势和偏离-份额分解 / no earlier year: trend and shift-share "
            "not computed"
        )
    emp = X if employment is None else check_matrix(employment, name="employment")
    if establishments is None:
        est = (emp > 0).astype(np.float64)
        notes.append(
            "未提供企业数，按每个非零单元 1 家计 / no establishment counts: one per active cell"
        )
    else:
        est = check_matrix(establishments, name="establishments")
    emp = emp.reindex(columns=emp.columns.union(pd.Index(leading), sort=False), fill_value=0.0)
    tables["strength"] = _strength_table(emp, est, members, leading, traded, total_employment)
    tables["concentration"] = _concentration_table(X, members, leading, firms)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        comp = homogeneous_competition_table(X, members, top=top)
    tables["competition_regions"] = comp
    tables["competition_clusters"] = _competition_clusters(
        X, cluster_id, members, leading, peers or {}, top
    )
    pos, nxt = positioning_of(cx, members)
    tables["next_industries"] = nxt[nxt["rank"] <= top].reset_index(drop=True)
    tables["positioning"] = pos
    return DiagnosisTables(tables=tables, notes=notes)
