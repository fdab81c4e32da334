"""The local supporting rate (本地配套率): value basis from supply links, count basis from the
template's required inputs, always labelled; and peer regions' rates. Methods:
``docs/METHODS.md`` §5."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jiqun.analytics.rca import JiqunWarning
from jiqun.chains.inputs import (
    BASIS_LABELS,
    chain_scope,
    input_pairs,
    norm_links,
    seg_meta,
)
from jiqun.chains.templates import ChainTemplate
from jiqun.standard.problems import JiqunError


@dataclass
class LocalSupportingRate:
    """Local supporting rate (本地配套率) at chain, segment and firm level, with its basis.

    Attributes
    ----------
    chain:
        The chain-level rate (0..1, NaN when undefined).
    chain_basis:
        ``"value"`` or ``"count"``.
    segments:
        Per buying segment: ``lsr``, ``basis``, ``lsr_value``, ``local_value``,
        ``total_value``, ``links``, ``lsr_count``, ``inputs_required``, ``inputs_local``,
        ``present``.
    firms:
        Per local chain firm: ``uscc``, ``segments``, ``lsr``, ``basis``, ``local_value``,
        ``total_value``, ``links``.
    basis:
        ``"value"``, ``"count"`` or ``"mixed"`` over the segment rows (:data:`BASIS_LABELS`).
    inputs:
        ``"chain"`` (purchases of DAG inputs only) or ``"all"`` (all purchases).
    """

    chain: float
    chain_basis: str
    segments: pd.DataFrame
    firms: pd.DataFrame
    basis: str
    inputs: str
    notes: list[str] = field(default_factory=list)

    @property
    def basis_label(self) -> str:
        """The overall basis in Chinese and English."""
        zh, en = BASIS_LABELS[self.basis]
        return f"{zh} / {en}"


def _valued_purchases(
    q: pd.DataFrame,
    f: pd.DataFrame,
    lk: pd.DataFrame,
    template: ChainTemplate,
    inputs: str,
    notes: list[str] | None,
) -> pd.DataFrame:
    """Purchases of chain buyers: link × buyer segment, with supplier unit/region attached.

    With ``inputs="chain"`` a purchase counts for buyer segment ``t`` only when the supplier is
    mapped to an input segment of ``t`` (one row per link and ``t``).
    """
    lk = lk[lk["value"].notna() & (lk["value"] >= 0)]
    known = lk["supplier"].isin(f.index) & lk["buyer"].isin(f.index)
    if notes is not None and (~known).any():
        n = int((~known).sum())
        msg = (
            f"{n} 条供应关系的供应商或采购商不在企业表中，未计入 / {n} supply link(s) with a "
            "supplier or buyer missing from the firm table were left out"
        )
        warnings.warn(msg, JiqunWarning, stacklevel=4)
        notes.append(msg)
    lk = lk[known]
    buy = lk.merge(q[["uscc", "segment"]], left_on="buyer", right_on="uscc").drop(columns="uscc")
    if inputs == "chain":
        pairs = input_pairs(template)
        sup = q[["uscc", "segment"]].rename(columns={"uscc": "supplier", "segment": "input"})
        buy = buy.merge(pairs, on="segment").merge(sup, on=["supplier", "input"])
        buy = buy.drop(columns="input").drop_duplicates(subset=["link", "segment"])
    elif inputs != "all":
        raise JiqunError(
            f"inputs 只能是 'chain' 或 'all'，而不是 {inputs!r}",
            f"inputs must be 'chain' or 'all', not {inputs!r}",
        )
    buy = buy.assign(
        supplier_region=buy["supplier"].map(f["region_code"]),
        supplier_unit=buy["supplier"].map(f["unit"]),
        buyer_unit=buy["buyer"].map(f["unit"]),
    )
    return buy


def _count_lsr(template: ChainTemplate, present: Mapping[str, bool]) -> pd.DataFrame:
    rows = []
    for s in template.segment_ids:
        ins = template.inputs_of(s)
        have = sum(bool(present.get(p, False)) for p in ins)
        rows.append((s, len(ins), have, have / len(ins) if ins else np.nan))
    return pd.DataFrame(rows, columns=["segment", "inputs_required", "inputs_local", "lsr_count"])


def _with_value_totals(
    frame: pd.DataFrame, purchases: pd.DataFrame | None, by: str, on: str
) -> pd.DataFrame:
    """``frame`` plus ``local_value``, ``total_value`` and ``links`` of ``purchases`` grouped by
    ``by`` and joined on ``frame[on]`` (NaN values and 0 links without purchases)."""
    if purchases is None:
        out = frame.assign(local_value=np.nan, total_value=np.nan, links=0)
    else:
        pv = purchases.assign(local_v=purchases["value"] * purchases["is_local"])
        g = pv.groupby(by)
        totals = pd.DataFrame(
            {
                "local_value": g["local_v"].sum(),
                "total_value": g["value"].sum(),
                "links": g["link"].nunique(),
            }
        )
        out = frame.merge(totals, left_on=on, right_index=True, how="left")
    out["links"] = out["links"].fillna(0).astype("int64")
    return out


def local_supporting_rate(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    links: pd.DataFrame | None = None,
    *,
    basis: str = "auto",
    inputs: str = "chain",
    min_confidence: float = 0.6,
) -> LocalSupportingRate:
    """Local supporting rate (本地配套率), value basis where supply links exist, else count basis.

    Value basis (docs/METHODS.md §5):
    ``LSR = Σ v(l)·1[supplier(l) local] / Σ v(l)`` over the purchases ``l`` of local chain
    firms — per firm (its purchases), per segment (purchases of its local firms) and for the
    chain (each link once). With ``inputs="chain"`` only purchases from firms of the buying
    segment's DAG inputs count; ``"all"`` takes every purchase.

    Count basis: ``LSR_s = |{p ∈ inputs(s) : p has ≥ 1 local qualified firm}| / |inputs(s)|``;
    chain level = covered input edges / input edges into segments present locally (all edges
    when none is present). Segments without inputs have no rate (NaN).

    Parameters
    ----------
    mapping, firms, template, region, links:
        See the module docstring.
    basis:
        ``"auto"`` (value where a segment's local firms have valued in-scope purchases, count
        elsewhere), ``"value"`` or ``"count"``.
    inputs:
        ``"chain"`` or ``"all"`` (value basis).
    min_confidence:
        Mapping confidence a firm needs to count as a qualified (合格) firm of a segment.

    Returns
    -------
    LocalSupportingRate
        Always with its basis: ``chain_basis``, ``basis`` and a ``basis`` column per row.

    References
    ----------
    docs/METHODS.md §5 ("Local supporting rate"). With ``region`` = the whole country the same
    formula gives the domestic rate (国产化率).

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["p", "q", "c"], "region_code": ["1", "2", "1"]})
    >>> m = pd.DataFrame({"uscc": ["p", "q", "c"], "confidence": 0.9,
    ...     "segment": ["polysilicon", "polysilicon", "cells_modules"]})
    >>> links = pd.DataFrame({"supplier": ["p", "q"], "buyer": ["c", "c"], "value": [30.0, 70.0]})
    >>> r = local_supporting_rate(m, firms, t, "1", links)
    >>> r.chain, r.chain_basis
    (0.3, 'value')
    """
    if basis not in ("auto", "value", "count"):
        raise JiqunError(
            f"basis 只能是 auto、value 或 count，而不是 {basis!r}",
            f"basis must be auto, value or count, not {basis!r}",
        )
    _, f, local, q = chain_scope(mapping, firms, template, region, min_confidence)
    q_local = q[q["uscc"].map(local).astype(bool)]
    present = {s: bool((q_local["segment"] == s).any()) for s in template.segment_ids}
    notes: list[str] = []

    seg = seg_meta(template)[["segment", "name_zh", "name_en", "position"]]
    seg["present"] = seg["segment"].map(present)
    seg = seg.merge(_count_lsr(template, present), on="segment", how="left")

    lk = norm_links(links) if basis != "count" else None
    purchases = None
    if lk is not None:
        p = _valued_purchases(q, f, lk, template, inputs, notes)
        p = p[p["buyer"].map(local).astype(bool)]
        p = p.assign(is_local=p["supplier"].map(local).astype(bool))
        purchases = p if len(p) else None
    seg = _with_value_totals(seg, purchases, by="segment", on="segment")
    with np.errstate(divide="ignore", invalid="ignore"):
        seg["lsr_value"] = np.where(
            seg["total_value"] > 0, seg["local_value"] / seg["total_value"], np.nan
        )
    has_value = seg["links"] > 0
    if basis == "count":
        use_value = pd.Series(False, index=seg.index)
    elif basis == "value":
        use_value = pd.Series(True, index=seg.index)
    else:
        use_value = has_value
    seg["lsr"] = np.where(use_value, seg["lsr_value"], seg["lsr_count"])
    seg["basis"] = np.where(use_value, "value", "count")
    kinds = set(seg["basis"])
    overall = kinds.pop() if len(kinds) == 1 else "mixed"
    seg = seg[
        [
            "segment",
            "name_zh",
            "name_en",
            "position",
            "present",
            "lsr",
            "basis",
            "lsr_value",
            "local_value",
            "total_value",
            "links",
            "lsr_count",
            "inputs_required",
            "inputs_local",
        ]
    ]

    # chain level
    if basis != "count" and purchases is not None:
        u = purchases.drop_duplicates(subset="link")
        tot = float(u["value"].sum())
        chain_val = float((u["value"] * u["is_local"]).sum() / tot) if tot > 0 else float("nan")
        chain_basis = "value"
    elif basis == "value":
        chain_val, chain_basis = float("nan"), "value"
        notes.append(
            "没有可用的供应关系金额，价值口径无法计算 / no valued supply links: the value "
            "basis is undefined"
        )
    else:
        edges = template.edges()
        into = edges[edges["buyer"].map(present)]
        if not len(into):
            into = edges
        chain_val = float(into["supplier"].map(present).mean()) if len(into) else float("nan")
        chain_basis = "count"

    # firm level
    fr = (
        q_local.groupby("uscc")["segment"]
        .agg(lambda s: ";".join(sorted(s)))
        .rename("segments")
        .reset_index()
    )
    fr = _with_value_totals(
        fr,
        purchases.drop_duplicates(subset="link")
        if purchases is not None and basis != "count"
        else None,
        by="buyer",
        on="uscc",
    )
    cnt = []
    for segs in fr["segments"]:
        ins = {p for s in segs.split(";") for p in template.inputs_of(s)}
        cnt.append(sum(present[p] for p in ins) / len(ins) if ins else np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        fval = np.where(fr["total_value"] > 0, fr["local_value"] / fr["total_value"], np.nan)
    fuse = (fr["links"] > 0) if basis == "auto" else pd.Series(basis == "value", index=fr.index)
    fr["lsr"] = np.where(fuse, fval, np.asarray(cnt, dtype="float64"))
    fr["basis"] = np.where(fuse, "value", "count")
    fr = fr[["uscc", "segments", "lsr", "basis", "local_value", "total_value", "links"]]
    if overall == "mixed":
        notes.append(f"{BASIS_LABELS['mixed'][0]} / {BASIS_LABELS['mixed'][1]}")
    return LocalSupportingRate(chain_val, chain_basis, seg, fr, overall, inputs, notes)


def peer_lsr(
    q: pd.DataFrame,
    f: pd.DataFrame,
    lk: pd.DataFrame | None,
    template: ChainTemplate,
    inputs: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segment LSR of every unit: (value table unit×segment, count table unit×segment)."""
    qf = q.assign(unit=q["uscc"].map(f["unit"]))
    pres = (
        pd.crosstab(qf["unit"], qf["segment"]).reindex(
            columns=list(template.segment_ids), fill_value=0
        )
        > 0
    )
    cnt = {}
    for s in template.segment_ids:
        ins = list(template.inputs_of(s))
        if ins:
            share = pres[ins].mean(axis=1)
            cnt[s] = share.where(pres[s])  # only units with demand (the segment present)
    count_tab = pd.DataFrame(cnt, index=pres.index)
    if lk is None:
        return pd.DataFrame(index=pres.index), count_tab
    p = _valued_purchases(q, f, lk, template, inputs, None)
    if not len(p):
        return pd.DataFrame(index=pres.index), count_tab
    p = p.assign(local_v=p["value"] * (p["supplier_unit"] == p["buyer_unit"]))
    g = p.groupby(["buyer_unit", "segment"])
    tot = g["value"].sum()
    val = (g["local_v"].sum() / tot).where(tot > 0).unstack("segment")
    return val, count_tab
