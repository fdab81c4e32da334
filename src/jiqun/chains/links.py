"""Weak or missing links with candidate firms elsewhere (补链), strong links (强链) and
extension links (延链). Methods: ``docs/METHODS.md`` §5."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jiqun.analytics.rca import lq_from_totals
from jiqun.chains.inputs import (
    chain_rows,
    chain_scope,
    local_mask,
    norm_links,
    pct_rank,
    prep_firms,
    region_set,
    seg_meta,
)
from jiqun.chains.io_weight import IO_WEIGHT_BASIS, segment_io_dependence
from jiqun.chains.segments import segment_table
from jiqun.chains.supply import LocalSupportingRate, local_supporting_rate, peer_lsr
from jiqun.chains.templates import ChainTemplate
from jiqun.reference.geo import haversine_km


@dataclass
class WeakLinks:
    """Weak and missing links (补链) with ranked candidate firms in other regions.

    Attributes
    ----------
    table:
        One row per weak or missing segment: ``segment``, names, ``position``, ``reason``
        (``missing`` 缺链 | ``below_peer_median`` 弱链), ``reason_zh``, ``local_firms``,
        ``lsr``, ``basis``, ``peer_median``, ``peers``.
    candidates:
        ``segment``, ``rank``, ``uscc``, ``name``, ``region_code``, ``revenue``, ``output``,
        ``employees``, ``tags``, ``distance_km``, ``size_pct``, ``proximity_pct``, ``score``,
        ``confidence``, ``qualified``.
    basis:
        The basis of the LSR comparison (``value``/``count``/``mixed``).
    """

    table: pd.DataFrame
    candidates: pd.DataFrame
    basis: str
    notes: list[str] = field(default_factory=list)


def origin_point(f: pd.DataFrame, local: pd.Series, origin: tuple[float, float] | None):  # type: ignore[no-untyped-def]
    if origin is not None:
        return float(origin[0]), float(origin[1])
    pts = f.loc[local, ["lon", "lat"]].dropna()
    if not len(pts):
        return None
    return float(pts["lon"].mean()), float(pts["lat"].mean())


def weak_links(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    links: pd.DataFrame | None = None,
    *,
    lsr: LocalSupportingRate | None = None,
    basis: str = "auto",
    inputs: str = "chain",
    min_confidence: float = 0.6,
    min_peers: int = 3,
    top_n: int = 10,
    size: str = "revenue",
    origin: tuple[float, float] | None = None,
    size_weight: float = 0.6,
    io_coefficients: pd.DataFrame | None = None,
) -> WeakLinks:
    """Weak and missing links (补链清单) with candidate firms elsewhere.

    A segment is **missing** (缺链) when no local firm is mapped to it, and **weak** (弱链) when
    its local supporting rate is below the median of the peer units (units outside the region
    with the segment present and a rate on the same basis; at least ``min_peers`` of them).

    Candidates for each listed segment are firms of other regions mapped to it, qualified
    firms (confidence ≥ ``min_confidence``) first, then ranked by
    ``score = size_weight·pct(size) + (1 − size_weight)·(1 − pct(distance))``
    where ``pct`` is the percentile rank among the segment's candidates and the distance is
    the great-circle distance from ``origin`` (default: the mean coordinates of the region's
    firms). Without coordinates the score is ``pct(size)``.

    **Optional input–output weight** (only when ``io_coefficients`` is given, e.g. from a
    user-supplied NBS 42-sector table): the table gains ``io_dependence`` and ``io_weight`` and
    the candidates ``io_weight`` and ``io_score = score · io_weight``, the region's chain's
    direct input requirement from the segment's IO sectors relative to the most-needed listed
    segment (:mod:`jiqun.chains.io_weight`). Ranks within a segment do not change.

    Parameters
    ----------
    mapping, firms, template, region, links:
        See the module docstring.
    lsr:
        A precomputed :func:`local_supporting_rate` result (else computed here).
    basis, inputs, min_confidence:
        As in :func:`local_supporting_rate`.
    min_peers:
        Peers needed before a segment can be called weak.
    top_n:
        Candidates per segment.
    size:
        Size column for ranking (``revenue`` default; ``output`` or ``employees``).
    origin:
        ``(lon, lat)`` of the region (e.g. the seat of government).
    size_weight:
        Weight of size against proximity (0..1).
    io_coefficients:
        Technical coefficients ``A`` of an NBS 42-sector input–output table (labels 01–42);
        ``None`` (default) leaves the result as without it.

    Returns
    -------
    WeakLinks

    References
    ----------
    docs/METHODS.md §5 ("Weak / missing link (补链 list)").

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["c", "x"], "region_code": ["1", "2"],
    ...                       "revenue": [5.0, 9.0]})
    >>> m = pd.DataFrame({"uscc": ["c", "x"], "confidence": 0.9,
    ...                   "segment": ["cells_modules", "polysilicon"]})
    >>> w = weak_links(m, firms, t, "1")
    >>> w.candidates.loc[w.candidates["segment"] == "polysilicon", "uscc"].tolist()
    ['x']
    """
    reg, f, local, q = chain_scope(mapping, firms, template, region, min_confidence)
    if lsr is None:
        lsr = local_supporting_rate(
            mapping,
            f,
            template,
            reg or [],
            links,
            basis=basis,
            inputs=inputs,
            min_confidence=min_confidence,
        )
    notes: list[str] = []
    lk = norm_links(links) if basis != "count" else None
    val_tab, cnt_tab = peer_lsr(q, f, lk, template, inputs)
    focal_units = set(f.loc[local, "unit"]) | (reg or set())
    n_local = q[q["uscc"].map(local).astype(bool)].groupby("segment")["uscc"].nunique()

    rows = []
    for r in lsr.segments.itertuples(index=False):
        nl = int(n_local.get(r.segment, 0))
        tab = val_tab if r.basis == "value" else cnt_tab
        peers = (
            tab[r.segment][~tab.index.isin(focal_units)].dropna()
            if r.segment in tab
            else pd.Series(dtype="float64")
        )
        med = float(peers.median()) if len(peers) >= min_peers else float("nan")
        if nl == 0:
            reason = "missing"
        elif not np.isnan(r.lsr) and not np.isnan(med) and r.lsr < med:
            reason = "below_peer_median"
        else:
            continue
        rows.append(
            {
                "segment": r.segment,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "position": r.position,
                "reason": reason,
                "reason_zh": "缺链：本地无企业"
                if reason == "missing"
                else "弱链：本地配套率低于同类地区中位数",
                "local_firms": nl,
                "lsr": r.lsr,
                "basis": r.basis,
                "peer_median": med,
                "peers": len(peers),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "segment", "name_zh", "name_en", "position", "reason", "reason_zh",
            "local_firms", "lsr", "basis", "peer_median", "peers",
        ],
    )  # fmt: skip

    # candidates
    org = origin_point(f, local, origin)
    if org is None:
        notes.append(
            "本地企业无坐标，候选企业仅按规模排序 / no coordinates for the region: candidates "
            "ranked by size only"
        )
    # Candidates may carry any mapping confidence: a segment whose classes are all
    # low-confidence would otherwise never get one. Qualified firms rank first.
    q_all = chain_rows(mapping, template, 0.0)
    q_all = q_all[q_all["uscc"].isin(f.index)]
    cand_parts = []
    for sid in table["segment"]:
        c = q_all[(q_all["segment"] == sid) & ~q_all["uscc"].map(local).astype(bool)]
        c = c.sort_values("confidence", ascending=False).drop_duplicates("uscc")
        if not len(c):
            continue
        d = f.loc[c["uscc"]].reset_index(drop=True)
        d["segment"] = sid
        d["confidence"] = c["confidence"].to_numpy()
        d["qualified"] = d["confidence"] >= min_confidence
        size_col = d[size] if size in d else pd.Series(np.nan, index=d.index)
        d["size_pct"] = pct_rank(size_col)
        if org is not None:
            d["distance_km"] = haversine_km(
                d["lon"].to_numpy(), d["lat"].to_numpy(), org[0], org[1]
            )
            # nearest = 1, farthest = 1/n, unknown distance = 0
            d["proximity_pct"] = pct_rank(-d["distance_km"])
            d["score"] = size_weight * d["size_pct"] + (1 - size_weight) * d["proximity_pct"]
        else:
            d["distance_km"] = np.nan
            d["proximity_pct"] = np.nan
            d["score"] = d["size_pct"]
        d = d.sort_values(
            ["qualified", "score", size], ascending=[False, False, False], kind="stable"
        ).head(top_n)
        d["rank"] = np.arange(1, len(d) + 1)
        cand_parts.append(d)
    cols = [
        "segment", "rank", "uscc", "name", "region_code", "revenue", "output", "employees",
        "tags", "distance_km", "size_pct", "proximity_pct", "score", "confidence", "qualified",
    ]  # fmt: skip
    cands = (
        pd.concat(cand_parts, ignore_index=True)[cols] if cand_parts else pd.DataFrame(columns=cols)
    )
    if io_coefficients is not None:
        table, cands = _io_weighted(io_coefficients, template, q, f, local, size, table, cands)
        notes.append(IO_WEIGHT_BASIS)
    return WeakLinks(table, cands, lsr.basis, notes)


def _io_weighted(
    A: pd.DataFrame,
    template: ChainTemplate,
    q: pd.DataFrame,
    f: pd.DataFrame,
    local: pd.Series,
    size: str,
    table: pd.DataFrame,
    cands: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    # the region's present chain, by the value of its qualified local firms (count if unknown)
    ql = q[q["uscc"].map(local).astype(bool)]
    val = f.loc[ql["uscc"], size].to_numpy() if size in f else np.full(len(ql), np.nan)
    by_val = pd.Series(val, index=ql["segment"].to_numpy()).groupby(level=0).sum(min_count=1)
    if by_val.isna().all() or not (by_val.fillna(0) > 0).any():
        by_val = ql.groupby("segment")["uscc"].nunique().astype("float64")
    dep = segment_io_dependence(A, template, by_val, table["segment"].tolist())
    table = table.copy()
    table["io_dependence"] = table["segment"].map(dep["io_dependence"]).astype("float64")
    table["io_weight"] = table["segment"].map(dep["io_weight"]).astype("float64")
    cands = cands.copy()
    cands["io_weight"] = cands["segment"].map(dep["io_weight"]).astype("float64")
    cands["io_score"] = pd.to_numeric(cands["score"], errors="coerce") * cands["io_weight"]
    return table, cands


# ---------------------------------------------------------------------------------------------
# Strong links (强链) and extension links (延链)
# ---------------------------------------------------------------------------------------------


def strong_links(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    *,
    measure: str = "output",
    lq_threshold: float = 1.0,
    share_threshold: float = 0.05,
    max_firms: int = 3,
    cr1_threshold: float = 0.5,
    min_confidence: float = 0.0,
) -> pd.DataFrame:
    """强链 list: segments where the region is strong but few firms carry it.

    Strong: ``LQ_s ≥ lq_threshold`` or the region's share of the national segment
    ``≥ share_threshold``. Thin: ``n_rs ≤ max_firms`` local firms, or the largest local firm
    holds ``CR1 ≥ cr1_threshold`` of the segment's local ``measure``. Both must hold.
    ``HHI = Σ_i (x_i / Σ x)²`` over the local firms is reported too.

    Parameters
    ----------
    mapping, firms, template, region:
        See the module docstring.
    measure:
        ``output`` (default), ``revenue`` or ``employees``.
    lq_threshold, share_threshold, max_firms, cr1_threshold:
        The thresholds above.
    min_confidence:
        Ignore mappings below this confidence.

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``name_zh``, ``name_en``, ``position``, ``firms``, ``<measure>``,
        ``lq``, ``share_of_national``, ``cr1``, ``hhi``, ``top_firm``, ``top_firm_name``,
        ``reason_zh``, ``reason_en``; sorted by ``lq`` (highest first).

    References
    ----------
    docs/METHODS.md §5 (强链).

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["a", "b", "z"], "region_code": ["1", "2", "1"],
    ...                       "output": [50.0, 50.0, 50.0]})
    >>> m = pd.DataFrame({"uscc": ["a", "b"], "confidence": 0.9, "segment": "cells_modules"})
    >>> strong_links(m, firms, t, "1")["segment"].tolist()
    ['cells_modules']
    """
    reg = region_set(region)
    st = segment_table(
        mapping, firms, template, reg, measure=measure, min_confidence=min_confidence
    )
    f = prep_firms(firms)
    local = local_mask(f, reg)
    q = chain_rows(mapping, template, min_confidence)
    q = q[q["uscc"].isin(f.index) & q["uscc"].map(local).fillna(False).astype(bool)]
    q = q.drop_duplicates(subset=["uscc", "segment"])
    q = q.assign(x=q["uscc"].map(f[measure]).fillna(0.0), name=q["uscc"].map(f["name"]))
    conc = {}
    for sid, g in q.groupby("segment"):
        tot = g["x"].sum()
        top = g.sort_values("x", ascending=False).iloc[0]
        shares = g["x"] / tot if tot > 0 else pd.Series(np.nan, index=g.index)
        conc[sid] = (
            float(top["x"] / tot) if tot > 0 else np.nan,
            float((shares**2).sum()) if tot > 0 else np.nan,
            top["uscc"],
            top["name"],
        )
    c = pd.DataFrame.from_dict(
        conc, orient="index", columns=["cr1", "hhi", "top_firm", "top_firm_name"]
    )
    t = st.merge(c, left_on="segment", right_index=True, how="left")
    strong = (t["lq"] >= lq_threshold) | (t["share_of_national"] >= share_threshold)
    thin = (t["firms"] <= max_firms) | (t["cr1"] >= cr1_threshold)
    t = t[strong.fillna(False) & thin.fillna(False) & (t["firms"] > 0)].copy()
    t["reason_zh"] = [
        f"区位熵 {lq:.2f}、占全国 {sh:.1%}，但仅 {n} 家企业、最大企业占 {cr:.0%}"
        for lq, sh, n, cr in zip(t["lq"], t["share_of_national"], t["firms"], t["cr1"], strict=True)
    ]
    t["reason_en"] = [
        f"LQ {lq:.2f}, {sh:.1%} of the national segment, but only {n} firm(s); the largest "
        f"holds {cr:.0%}"
        for lq, sh, n, cr in zip(t["lq"], t["share_of_national"], t["firms"], t["cr1"], strict=True)
    ]
    cols = [
        "segment", "name_zh", "name_en", "position", "firms", measure, "lq",
        "share_of_national", "cr1", "hhi", "top_firm", "top_firm_name", "reason_zh", "reason_en",
    ]  # fmt: skip
    return t.sort_values("lq", ascending=False)[cols].reset_index(drop=True)


def extend_links(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    *,
    related: Collection[str] | None = None,
    measure: str = "output",
    min_firms: int = 1,
    min_confidence: float = 0.0,
    top_units: int = 3,
) -> pd.DataFrame:
    """延链 list: up- or downstream segments absent locally but dense in related regions.

    Candidates are segments with no local firm that are one DAG edge away from a segment
    present locally (``direction`` ``upstream`` when the absent segment supplies a local one,
    ``downstream`` when a local one supplies it). Density in the related area ``R``: firms,
    ``measure`` and ``LQ_R = (X_Rs / X_R) / (X_s / X)``.

    Parameters
    ----------
    mapping, firms, template, region:
        See the module docstring.
    related:
        Region codes of the related area (e.g. the other members of a cluster). Default: the
        other units of the region's province(s); a segment absent there too is looked up
        nationally (``related_basis`` says which).
    measure:
        Value column for the LQ.
    min_firms:
        Related firms needed to list a segment.
    min_confidence:
        Ignore mappings below this confidence.
    top_units:
        How many of the densest related units to name.

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``name_zh``, ``name_en``, ``position``, ``direction``,
        ``adjacent_local``, ``related_basis``, ``related_firms``, ``related_<measure>``,
        ``related_lq``, ``top_related_units``; densest first.

    References
    ----------
    docs/METHODS.md §5 (延链).

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["c", "p"], "region_code": ["130600", "130100"]})
    >>> m = pd.DataFrame({"uscc": ["c", "p"], "confidence": 0.9,
    ...                   "segment": ["cells_modules", "power_plants"]})
    >>> extend_links(m, firms, t, "130600")[["segment", "direction"]].values.tolist()
    [['power_plants', 'downstream']]
    """
    reg = region_set(region) or set()
    f = prep_firms(firms)
    local = local_mask(f, reg)
    q = chain_rows(mapping, template, min_confidence)
    q = q[q["uscc"].isin(f.index)].drop_duplicates(subset=["uscc", "segment"])
    present = set(q.loc[q["uscc"].map(local).astype(bool), "segment"])
    out_cols = [
        "segment", "name_zh", "name_en", "position", "direction", "adjacent_local",
        "related_basis", "related_firms", f"related_{measure}", "related_lq", "top_related_units",
    ]  # fmt: skip
    if related is not None:
        rel_set = {str(r) for r in related}
        rel_mask = (f["region_code"].isin(rel_set) | f["unit"].isin(rel_set)) & ~local
        rel_basis = "given"
    else:
        provs = {c[:2] for c in f.loc[local, "region_code"]} | {c[:2] for c in reg}
        rel_mask = f["region_code"].str[:2].isin(provs) & ~local
        rel_basis = "province"
    nat_mask = ~local
    x = float(f[measure].sum())
    seg_nat = q.assign(v=q["uscc"].map(f[measure])).groupby("segment")["v"].sum()
    meta = seg_meta(template).set_index("segment")
    rows = []
    for sid in meta.index:
        if sid in present:
            continue
        ups = [b for b in template.outputs_of(sid) if b in present]  # sid supplies local b
        downs = [a for a in template.inputs_of(sid) if a in present]  # local a supplies sid
        if not ups and not downs:
            continue
        direction = "both" if ups and downs else ("upstream" if ups else "downstream")
        members = q.loc[q["segment"] == sid, "uscc"]
        basis_used = rel_basis
        mask = rel_mask
        in_rel = members[members.map(mask).astype(bool)]
        if not len(in_rel) and related is None:
            basis_used, mask = "national", nat_mask
            in_rel = members[members.map(mask).astype(bool)]
        if len(in_rel) < min_firms:
            continue
        xr = float(f.loc[mask, measure].sum())
        xrs = float(f.loc[in_rel, measure].sum())
        xs = float(seg_nat.get(sid, 0.0))
        lq = lq_from_totals(xrs, xr, xs, x)
        units = f.loc[in_rel, "unit"].value_counts().head(top_units)
        rows.append(
            {
                "segment": sid,
                "name_zh": meta.at[sid, "name_zh"],
                "name_en": meta.at[sid, "name_en"],
                "position": meta.at[sid, "position"],
                "direction": direction,
                "adjacent_local": ";".join(ups + downs),
                "related_basis": basis_used,
                "related_firms": len(in_rel),
                f"related_{measure}": xrs,
                "related_lq": lq,
                "top_related_units": ";".join(f"{u}({n})" for u, n in units.items()),
            }
        )
    out = pd.DataFrame(rows, columns=out_cols)
    return out.sort_values(
        ["related_lq", "related_firms"], ascending=False, na_position="last"
    ).reset_index(drop=True)
