"""Chain analytics for a region or cluster (pure functions on pandas DataFrames).

Inputs shared by every function
-------------------------------
``mapping``
    The firm → segment table of :func:`jiqun.chains.map_firms` (``uscc``, ``chain``,
    ``segment``, ``method``, ``confidence``, ``matched``), for firms of **all** regions, so
    that suppliers, peers and candidates elsewhere are known.
``firms``
    One row per firm: ``uscc``, ``region_code`` and, where known, ``name``, ``output``,
    ``revenue``, ``employees``, ``rd_expense`` (万元 / persons), ``tags`` (``;``-separated
    tag ids, see :data:`jiqun.standard.schema.TAGS`), ``lon``/``lat`` and ``unit`` — the
    region unit used to compare peers (e.g. the prefecture of a county-level registration;
    default ``region_code``).
``region``
    The analysed region: a set of GB/T 2260 codes (a prefecture with its counties, or the
    member regions of a cluster). A firm is *local* when its ``region_code`` or its ``unit``
    is in the set.
``links``
    Supply links ``supplier``, ``buyer``, ``value`` (万元); the store's ``supplier_uscc`` and
    ``buyer_uscc`` are accepted too.

Every figure states its basis: the local supporting rate is ``value`` (from supply links) or
``count`` (from the template's required inputs), per row and overall (:data:`BASIS_LABELS`).

References
----------
METHODS.md §5 (Industrial chains): completeness, local supporting rate (value and count basis),
weak/missing links (补链), 强链, 延链 and chain-leader candidates; GLOSSARY.md for the terms.
PageRank: Page, Brin, Motwani & Winograd (1999), computed with rustworkx.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jiqun.analytics.rca import JiqunWarning, lq_from_totals
from jiqun.chains.templates import ChainTemplate
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import TAGS

__all__ = [
    "BASIS_LABELS",
    "DEFAULT_LEADER_WEIGHTS",
    "ChainAnalysis",
    "Completeness",
    "LocalSupportingRate",
    "WeakLinks",
    "analyse_chain",
    "chain_completeness",
    "chain_leader_candidates",
    "extend_links",
    "local_supporting_rate",
    "segment_table",
    "strong_links",
    "weak_links",
]

#: basis id → (中文, English) label shown with every local supporting rate
BASIS_LABELS: dict[str, tuple[str, str]] = {
    "value": (
        "价值口径：本地供应商采购额 / 全部采购额（万元，来自供应关系）",
        "value basis: purchases from local suppliers / all purchases (万元, from supply links)",
    ),
    "count": (
        "计数口径：有本地合格企业的上游投入环节数 / 所需投入环节数（按模板）",
        "count basis: required input segments with >= 1 local qualified firm / required "
        "input segments (by the template)",
    ),
    "mixed": (
        "混合口径：有供应关系的环节按价值口径，其余按计数口径（见各行 basis）",
        "mixed: value basis where supply links exist, count basis elsewhere (see each row)",
    ),
}

#: default weights of the chain-leader score components (equal: no component is privileged)
DEFAULT_LEADER_WEIGHTS: dict[str, float] = {
    "revenue_share": 0.25,
    "local_linkage": 0.25,
    "centrality": 0.25,
    "rd": 0.25,
}

_NUMERIC = ("output", "revenue", "employees", "rd_expense", "lon", "lat")
_EARTH_KM = 6371.0088
_PREPARED = {"uscc", "region_code", "unit", "name", "tags", *_NUMERIC}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _region_set(region: str | Iterable[str] | None) -> set[str] | None:
    if region is None:
        return None
    if isinstance(region, str):
        return {region}
    out = {str(r) for r in region}
    if not out:
        raise JiqunError("地区为空", "the region is empty")
    return out


def _prep_firms(firms: pd.DataFrame) -> pd.DataFrame:
    if firms.attrs.get("_jiqun_chain_firms") and set(firms.columns) >= _PREPARED:
        return firms  # already prepared by analyse_chain (never modified afterwards)
    missing = {"uscc", "region_code"} - set(firms.columns)
    if missing:
        raise JiqunError(
            f"企业表缺少列：{', '.join(sorted(missing))}",
            f"the firm table lacks column(s): {', '.join(sorted(missing))}",
        )
    f = firms.drop_duplicates(subset="uscc").copy()
    # Plain Python strings (object dtype): ``isin`` against large sets of codes is hash-based
    # there, while Arrow-backed strings convert the whole set on every call.
    f["uscc"] = f["uscc"].astype("str").astype(object)
    f["region_code"] = f["region_code"].astype("str").astype(object)
    f["unit"] = f["unit"].astype("str").astype(object) if "unit" in f else f["region_code"]
    for c in _NUMERIC:
        f[c] = pd.to_numeric(f[c], errors="coerce").astype("float64") if c in f else np.nan
    f["name"] = f["name"].astype("str") if "name" in f else f["uscc"]
    f["tags"] = f["tags"].fillna("").astype("str") if "tags" in f else ""
    f = f.set_index("uscc", drop=False)
    # an unnamed index keeps "uscc" unambiguous for groupby/merge on the column
    f.index.name = None
    f.attrs["_jiqun_chain_firms"] = True
    return f


def _local_mask(f: pd.DataFrame, region: set[str] | None) -> pd.Series:
    if region is None:
        return pd.Series(True, index=f.index)
    return f["region_code"].isin(region) | f["unit"].isin(region)


def _chain_rows(
    mapping: pd.DataFrame, template: ChainTemplate, min_confidence: float
) -> pd.DataFrame:
    need = {"uscc", "segment", "confidence"}
    if not need <= set(mapping.columns):
        raise JiqunError(
            "映射表须有 uscc, segment, confidence 列（见 map_firms）",
            "the mapping needs uscc, segment and confidence columns (see map_firms)",
        )
    m = mapping
    if "chain" in m:
        m = m[m["chain"].astype("str") == template.id]
    m = m[
        (m["confidence"].astype("float64") >= min_confidence)
        & m["segment"].isin(template.segment_ids)
    ]
    return m[["uscc", "segment", "confidence"]].assign(
        uscc=lambda d: d["uscc"].astype("str").astype(object),
        segment=lambda d: d["segment"].astype("str").astype(object),
    )


def _norm_links(links: pd.DataFrame | None) -> pd.DataFrame | None:
    if links is None or not len(links):
        return None
    ren = {"supplier_uscc": "supplier", "buyer_uscc": "buyer"}
    lk = links.rename(columns={k: v for k, v in ren.items() if k in links and v not in links})
    if not {"supplier", "buyer"} <= set(lk.columns):
        raise JiqunError(
            "供应关系须有 supplier, buyer（或 supplier_uscc, buyer_uscc）列",
            "supply links need supplier and buyer (or supplier_uscc, buyer_uscc) columns",
        )
    value = pd.to_numeric(lk["value"], errors="coerce") if "value" in lk else np.nan
    out = pd.DataFrame(
        {
            "supplier": lk["supplier"].astype("str").astype(object).to_numpy(),
            "buyer": lk["buyer"].astype("str").astype(object).to_numpy(),
            "value": np.asarray(value, dtype="float64")
            if not np.isscalar(value)
            else np.full(len(lk), np.nan),
        }
    )
    out["link"] = np.arange(len(out))
    # object dtype (see _prep_firms): the DataFrame constructor infers Arrow strings
    return out.astype({"supplier": object, "buyer": object})


def _seg_meta(template: ChainTemplate) -> pd.DataFrame:
    order = template.topological_order()
    by = {s.id: s for s in template.segments}
    return pd.DataFrame(
        {
            "segment": list(order),
            "name_zh": [by[s].name_zh for s in order],
            "name_en": [by[s].name_en for s in order],
            "position": [by[s].position for s in order],
        }
    )


def _has_tag(tags: pd.Series, tag: str) -> pd.Series:
    return tags.str.split(";").map(lambda ts: tag in ts).astype(bool)


def _pct(s: pd.Series) -> pd.Series:
    """Percentile rank in (0, 1]; missing values score 0 (no evidence)."""
    return s.rank(pct=True, method="average").fillna(0.0)


def _haversine_km(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    la1, la2 = np.radians(lat), np.radians(lat0)
    dlat = la2 - la1
    dlon = np.radians(lon0 - lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlon / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _input_pairs(template: ChainTemplate) -> pd.DataFrame:
    """(buyer segment, input segment) pairs of the DAG."""
    e = template.edges()
    return pd.DataFrame({"segment": e["buyer"], "input": e["supplier"]})


# ---------------------------------------------------------------------------------------------
# Segment table and completeness
# ---------------------------------------------------------------------------------------------


def segment_table(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str] | None = None,
    *,
    measure: str = "output",
    min_confidence: float = 0.0,
) -> pd.DataFrame:
    """Per segment: local firms, output, revenue, employees, R&D and tagged firms.

    A firm mapped to several segments counts fully in each (segment rows do not add up to the
    chain). ``lq`` is the segment's location quotient on ``measure``:
    ``LQ = (X_rs / X_r) / (X_s / X)`` with ``X_r`` the region's total over **all** its firms
    and ``X_s`` the segment's national total.

    Parameters
    ----------
    mapping, firms, template, region:
        See the module docstring; ``region=None`` means the whole country.
    measure:
        Value column for ``share_of_national`` and ``lq`` (``output`` default, or
        ``revenue``/``employees``).
    min_confidence:
        Ignore mappings below this confidence.

    Returns
    -------
    pandas.DataFrame
        One row per segment in chain order: ``segment``, ``name_zh``, ``name_en``,
        ``position``, ``firms``, ``output``, ``revenue``, ``employees``, ``rd_expense``,
        ``tagged_firms`` (firms with any tag), one count per tag id of
        :data:`~jiqun.standard.schema.TAGS`, ``firms_national``, ``<measure>_national``,
        ``share_of_national`` and ``lq``.

    References
    ----------
    METHODS.md §5; location quotient as in GLOSSARY.md.

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["a", "b"], "region_code": ["130600", "320500"],
    ...                       "output": [10.0, 30.0]})
    >>> m = pd.DataFrame({"uscc": ["a", "b"], "chain": "photovoltaics",
    ...                   "segment": "cells_modules", "confidence": 0.9})
    >>> segment_table(m, firms, t, {"130600"}).set_index("segment").loc["cells_modules", "firms"]
    np.int64(1)
    """
    if measure not in _NUMERIC[:4]:
        raise JiqunError(
            f"指标必须是 output、revenue、employees 或 rd_expense，而不是 {measure!r}",
            f"measure must be output, revenue, employees or rd_expense, not {measure!r}",
        )
    reg = _region_set(region)
    f = _prep_firms(firms)
    local = _local_mask(f, reg)
    m = _chain_rows(mapping, template, min_confidence)
    m = m[m["uscc"].isin(f.index)]
    j = m.merge(f.drop(columns="uscc"), left_on="uscc", right_index=True, how="left")
    j["local"] = j["uscc"].map(local).astype(bool)
    loc = j[j["local"]]
    g = loc.groupby("segment")
    out = _seg_meta(template).set_index("segment")
    out["firms"] = g["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
    for c in ("output", "revenue", "employees", "rd_expense"):
        out[c] = g[c].sum(min_count=1).reindex(out.index).fillna(0.0)
    any_tag = loc["tags"].str.strip() != ""
    out["tagged_firms"] = (
        loc[any_tag]
        .groupby("segment")["uscc"]
        .nunique()
        .reindex(out.index)
        .fillna(0)
        .astype("int64")
    )
    for tag in TAGS:
        hit = loc[_has_tag(loc["tags"], tag)]
        out[tag] = (
            hit.groupby("segment")["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
        )
    gn = j.groupby("segment")
    out["firms_national"] = gn["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
    nat_col = f"{measure}_national"
    out[nat_col] = gn[measure].sum(min_count=1).reindex(out.index).fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_of_national"] = np.where(out[nat_col] > 0, out[measure] / out[nat_col], np.nan)
        x_r = float(f.loc[local, measure].sum())
        x = float(f[measure].sum())
        out["lq"] = lq_from_totals(out[measure], x_r, out[nat_col], x)
    return out.reset_index()


@dataclass
class Completeness:
    """Chain completeness (产业链完整度) of a region.

    Attributes
    ----------
    table:
        Per segment: ``segment``, ``name_zh``, ``name_en``, ``position``, ``local_firms``,
        ``present`` (≥ ``min_firms`` local firms) and ``weight`` (value share, NaN when
        unweighted).
    completeness:
        Share of segments present (count basis).
    weighted_completeness:
        Σ weight·present / Σ weight, or ``None`` when unweighted.
    basis:
        ``"count"``; ``weights_basis`` says what the weights are.
    """

    table: pd.DataFrame
    completeness: float
    weighted_completeness: float | None
    basis: str = "count"
    weights_basis: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Segments without a local firm."""
        return self.table.loc[~self.table["present"], "segment"].tolist()


def chain_completeness(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    *,
    weights: str | Mapping[str, float] | pd.Series | None = None,
    measure: str = "output",
    min_firms: int = 1,
    min_confidence: float = 0.0,
) -> Completeness:
    """Chain completeness: the share of segments with at least one local firm.

    ``C = |{s : n_rs ≥ min_firms}| / |S|`` (count basis). Weighted:
    ``C_w = Σ_s w_s·1[n_rs ≥ min_firms] / Σ_s w_s`` with ``w_s`` the segment's national value
    share (``weights="value"``: national ``measure`` of the firms mapped to ``s`` over the sum
    across segments) or user weights by segment id.

    Parameters
    ----------
    mapping, firms, template, region:
        See the module docstring.
    weights:
        ``None`` (count only), ``"value"`` or a mapping/Series segment → weight.
    measure:
        Value column of the ``"value"`` weights.
    min_firms:
        Local firms needed for a segment to count as present.
    min_confidence:
        Ignore mappings below this confidence.

    Returns
    -------
    Completeness

    References
    ----------
    METHODS.md §5 ("Chain completeness").

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["a"], "region_code": ["130600"]})
    >>> m = pd.DataFrame({"uscc": ["a"], "segment": ["cells_modules"], "confidence": [0.9]})
    >>> round(chain_completeness(m, firms, t, "130600").completeness, 4)
    0.1667
    """
    st = segment_table(
        mapping, firms, template, region, measure=measure, min_confidence=min_confidence
    )
    table = st[["segment", "name_zh", "name_en", "position"]].copy()
    table["local_firms"] = st["firms"]
    table["present"] = st["firms"] >= min_firms
    notes: list[str] = []
    wb: str | None = None
    w = pd.Series(np.nan, index=st.index)
    if isinstance(weights, str):
        if weights != "value":
            raise JiqunError(
                f"weights 只能是 'value'、映射或 None，而不是 {weights!r}",
                f"weights must be 'value', a mapping or None, not {weights!r}",
            )
        nat = st[f"{measure}_national"]
        if nat.sum() > 0:
            w = nat / nat.sum()
            wb = f"national {measure} share of each segment (全国各环节{measure}占比)"
        else:
            notes.append(
                f"全国各环节 {measure} 均为 0，无法加权 / national {measure} is 0 in every "
                "segment; no weighting"
            )
    elif weights is not None:
        ws = pd.Series(dict(weights), dtype="float64")
        unknown = sorted(set(ws.index) - set(template.segment_ids))
        if unknown:
            raise JiqunError(
                f"权重中有未知环节：{', '.join(unknown)}",
                f"weights name unknown segments: {', '.join(unknown)}",
            )
        w = st["segment"].map(ws).fillna(0.0)
        wb = "user weights (用户权重)"
    table["weight"] = w.to_numpy()
    comp = float(table["present"].mean()) if len(table) else float("nan")
    weighted = None
    if wb is not None and float(np.nansum(table["weight"])) > 0:
        weighted = float((table["weight"] * table["present"]).sum() / table["weight"].sum())
    return Completeness(table, comp, weighted, "count", wb, notes)


# ---------------------------------------------------------------------------------------------
# Local supporting rate
# ---------------------------------------------------------------------------------------------


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
        pairs = _input_pairs(template)
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

    Value basis (METHODS.md §5):
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
    METHODS.md §5 ("Local supporting rate"). With ``region`` = the whole country the same
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
    reg = _region_set(region)
    f = _prep_firms(firms)
    local = _local_mask(f, reg)
    q = _chain_rows(mapping, template, min_confidence)
    q = q[q["uscc"].isin(f.index)].drop_duplicates(subset=["uscc", "segment"])
    q_local = q[q["uscc"].map(local).astype(bool)]
    present = {s: bool((q_local["segment"] == s).any()) for s in template.segment_ids}
    notes: list[str] = []

    seg = _seg_meta(template)[["segment", "name_zh", "name_en", "position"]]
    seg["present"] = seg["segment"].map(present)
    seg = seg.merge(_count_lsr(template, present), on="segment", how="left")

    lk = _norm_links(links) if basis != "count" else None
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


def _peer_lsr(
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


# ---------------------------------------------------------------------------------------------
# Weak links and candidates (补链)
# ---------------------------------------------------------------------------------------------


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


def _origin(
    f: pd.DataFrame, local: pd.Series, origin: tuple[float, float] | None
) -> tuple[float, float] | None:
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

    Returns
    -------
    WeakLinks

    References
    ----------
    METHODS.md §5 ("Weak / missing link (补链 list)").

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
    reg = _region_set(region)
    f = _prep_firms(firms)
    local = _local_mask(f, reg)
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
    q = _chain_rows(mapping, template, min_confidence)
    q = q[q["uscc"].isin(f.index)].drop_duplicates(subset=["uscc", "segment"])
    notes: list[str] = []
    lk = _norm_links(links) if basis != "count" else None
    val_tab, cnt_tab = _peer_lsr(q, f, lk, template, inputs)
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
    org = _origin(f, local, origin)
    if org is None:
        notes.append(
            "本地企业无坐标，候选企业仅按规模排序 / no coordinates for the region: candidates "
            "ranked by size only"
        )
    # Candidates may carry any mapping confidence: a segment whose classes are all
    # low-confidence would otherwise never get one. Qualified firms rank first.
    q_all = _chain_rows(mapping, template, 0.0)
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
        d["size_pct"] = _pct(size_col)
        if org is not None:
            d["distance_km"] = _haversine_km(
                d["lon"].to_numpy(), d["lat"].to_numpy(), org[0], org[1]
            )
            # nearest = 1, farthest = 1/n, unknown distance = 0
            d["proximity_pct"] = _pct(-d["distance_km"])
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
    return WeakLinks(table, cands, lsr.basis, notes)


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
    METHODS.md §5 (强链).

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
    reg = _region_set(region)
    st = segment_table(
        mapping, firms, template, reg, measure=measure, min_confidence=min_confidence
    )
    f = _prep_firms(firms)
    local = _local_mask(f, reg)
    q = _chain_rows(mapping, template, min_confidence)
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
    METHODS.md §5 (延链).

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
    reg = _region_set(region) or set()
    f = _prep_firms(firms)
    local = _local_mask(f, reg)
    q = _chain_rows(mapping, template, min_confidence)
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
    meta = _seg_meta(template).set_index("segment")
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


# ---------------------------------------------------------------------------------------------
# Chain-leader candidates
# ---------------------------------------------------------------------------------------------


def _pagerank(nodes: list[str], lk: pd.DataFrame) -> tuple[dict[str, float], dict[str, int]]:
    """PageRank (supplier → buyer, weighted by value) and degree on the in-chain network."""
    import rustworkx as rx

    if not len(lk):
        return {}, {}
    idx = {n: i for i, n in enumerate(nodes)}
    g = rx.PyDiGraph()
    g.add_nodes_from(nodes)
    w = lk["value"].fillna(1.0).clip(lower=0.0).to_numpy()
    g.add_edges_from(
        list(zip(lk["supplier"].map(idx), lk["buyer"].map(idx), w.tolist(), strict=True))
    )
    pr = rx.pagerank(g, alpha=0.85, weight_fn=float)
    deg = {n: int(g.in_degree(i) + g.out_degree(i)) for n, i in idx.items()}
    return {nodes[i]: float(v) for i, v in pr.items()}, deg


def chain_leader_candidates(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    links: pd.DataFrame | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    min_confidence: float = 0.6,
    top_n: int = 20,
) -> pd.DataFrame:
    """Chain-leader candidates: a transparent score for confirmation, never a 链主 label.

    For each local firm of the chain (confidence ≥ ``min_confidence``) four components:

    * ``revenue_share`` — firm revenue / revenue of all local chain firms (in-chain share);
    * ``local_linkage`` — distinct local suppliers + distinct local customers (the local firms
      it drives);
    * ``centrality`` — PageRank on the in-chain supply network (all regions; edges supplier →
      buyer weighted by value, so large buyers that many suppliers feed rank high); degree is
      shown too;
    * ``rd`` — R&D expense (万元).

    ``score = Σ_k w_k · pct_k`` where ``pct_k`` is the percentile rank of component ``k`` among
    the local chain firms (missing values score 0) and ``w`` defaults to equal weights
    (:data:`DEFAULT_LEADER_WEIGHTS`); without supply links the two network components are
    dropped and the weights renormalised. ``needs_confirmation`` is always ``True``:
    the official chain-leader list comes from local government (``government_listed`` shows
    the firms already tagged ``chain_leader``).

    Parameters
    ----------
    mapping, firms, template, region, links:
        See the module docstring.
    weights:
        Component weights (keys of :data:`DEFAULT_LEADER_WEIGHTS`).
    min_confidence:
        Mapping confidence needed.
    top_n:
        Rows returned (highest score first).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``uscc``, ``name``, ``region_code``, ``segments``, ``revenue``,
        ``revenue_share``, ``local_suppliers``, ``local_customers``, ``local_linkage``,
        ``degree``, ``pagerank``, ``rd_expense``, the percentile components ``c_revenue_share``,
        ``c_local_linkage``, ``c_centrality``, ``c_rd``, ``score``, ``government_listed`` and
        ``needs_confirmation``.

    References
    ----------
    METHODS.md §5 ("Chain-leader candidates"); PageRank: Page et al. (1999).

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["a", "b"], "region_code": "1",
    ...                       "revenue": [100.0, 10.0], "rd_expense": [5.0, 1.0]})
    >>> m = pd.DataFrame({"uscc": ["a", "b"], "confidence": 0.9, "segment": "cells_modules"})
    >>> chain_leader_candidates(m, firms, t, "1")["uscc"].tolist()
    ['a', 'b']
    """
    w = dict(DEFAULT_LEADER_WEIGHTS if weights is None else weights)
    bad = set(w) - set(DEFAULT_LEADER_WEIGHTS)
    if bad:
        raise JiqunError(
            f"未知的评分分项：{', '.join(sorted(bad))}",
            f"unknown score component(s): {', '.join(sorted(bad))}",
        )
    reg = _region_set(region)
    f = _prep_firms(firms)
    local = _local_mask(f, reg)
    q = _chain_rows(mapping, template, min_confidence)
    q = q[q["uscc"].isin(f.index)].drop_duplicates(subset=["uscc", "segment"])
    ql = q[q["uscc"].map(local).astype(bool)]
    if not len(ql):
        return pd.DataFrame(
            columns=[
                "rank", "uscc", "name", "region_code", "segments", "revenue", "revenue_share",
                "local_suppliers", "local_customers", "local_linkage", "degree", "pagerank",
                "rd_expense", "c_revenue_share", "c_local_linkage", "c_centrality", "c_rd",
                "score", "government_listed", "needs_confirmation",
            ]
        )  # fmt: skip
    segs = ql.groupby("uscc")["segment"].agg(lambda s: ";".join(sorted(s)))
    d = f.loc[segs.index, ["uscc", "name", "region_code", "revenue", "rd_expense", "tags"]].copy()
    d["segments"] = segs
    tot = d["revenue"].sum()
    d["revenue_share"] = d["revenue"] / tot if tot > 0 else np.nan
    lk = _norm_links(links)
    has_links = lk is not None
    if has_links:
        assert lk is not None
        lk = lk[lk["supplier"].isin(f.index) & lk["buyer"].isin(f.index)]
        s_loc = lk["supplier"].map(local).astype(bool)
        b_loc = lk["buyer"].map(local).astype(bool)
        sup = lk[s_loc & lk["buyer"].isin(d.index)].groupby("buyer")["supplier"].nunique()
        cus = lk[b_loc & lk["supplier"].isin(d.index)].groupby("supplier")["buyer"].nunique()
        d["local_suppliers"] = sup.reindex(d.index).fillna(0).astype("int64")
        d["local_customers"] = cus.reindex(d.index).fillna(0).astype("int64")
        chain_firms = set(q["uscc"])
        inc = lk[lk["supplier"].isin(chain_firms) & lk["buyer"].isin(chain_firms)]
        nodes = sorted(set(inc["supplier"]) | set(inc["buyer"]))
        pr, deg = _pagerank(nodes, inc)
        d["pagerank"] = d.index.map(lambda u: pr.get(u, np.nan))
        d["degree"] = d.index.map(lambda u: deg.get(u, 0)).astype("int64")
    else:
        d["local_suppliers"] = np.nan
        d["local_customers"] = np.nan
        d["pagerank"] = np.nan
        d["degree"] = np.nan
    d["local_linkage"] = d["local_suppliers"].astype("float64") + d["local_customers"].astype(
        "float64"
    )
    d["c_revenue_share"] = _pct(d["revenue_share"])
    d["c_local_linkage"] = _pct(d["local_linkage"])
    d["c_centrality"] = _pct(d["pagerank"])
    d["c_rd"] = _pct(d["rd_expense"])
    use = dict(w)
    if not has_links:
        use.pop("local_linkage", None)
        use.pop("centrality", None)
    total_w = sum(use.values())
    if total_w <= 0:
        raise JiqunError("评分权重之和必须为正", "the score weights must sum to a positive number")
    comp = {
        "revenue_share": "c_revenue_share",
        "local_linkage": "c_local_linkage",
        "centrality": "c_centrality",
        "rd": "c_rd",
    }
    d["score"] = sum(d[comp[k]] * (v / total_w) for k, v in use.items())
    d["government_listed"] = _has_tag(d["tags"], "chain_leader")
    d["needs_confirmation"] = True
    d = d.sort_values(["score", "revenue"], ascending=False, kind="stable").head(top_n)
    d["rank"] = np.arange(1, len(d) + 1)
    cols = [
        "rank", "uscc", "name", "region_code", "segments", "revenue", "revenue_share",
        "local_suppliers", "local_customers", "local_linkage", "degree", "pagerank",
        "rd_expense", "c_revenue_share", "c_local_linkage", "c_centrality", "c_rd", "score",
        "government_listed", "needs_confirmation",
    ]  # fmt: skip
    return d[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------------------------


@dataclass
class ChainAnalysis:
    """All chain analytics of one region: the tables of :func:`analyse_chain`."""

    segments: pd.DataFrame
    completeness: Completeness
    lsr: LocalSupportingRate
    weak: WeakLinks
    strong: pd.DataFrame
    extend: pd.DataFrame
    leaders: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by a short name (for export)."""
        return {
            "segments": self.segments,
            "completeness": self.completeness.table,
            "lsr_segments": self.lsr.segments,
            "lsr_firms": self.lsr.firms,
            "weak_links": self.weak.table,
            "candidates": self.weak.candidates,
            "strong_links": self.strong,
            "extend_links": self.extend,
            "leader_candidates": self.leaders,
        }


def analyse_chain(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    links: pd.DataFrame | None = None,
    *,
    measure: str = "output",
    basis: str = "auto",
    inputs: str = "chain",
    min_confidence: float = 0.6,
    related: Collection[str] | None = None,
    origin: tuple[float, float] | None = None,
    top_n: int = 10,
) -> ChainAnalysis:
    """Run every chain metric for one region (see the individual functions for formulas).

    Parameters
    ----------
    mapping, firms, template, region, links:
        See the module docstring.
    measure:
        Value column for segment values, weights, LQ (default ``output``).
    basis, inputs, min_confidence:
        As in :func:`local_supporting_rate`.
    related:
        Related area for :func:`extend_links`.
    origin:
        ``(lon, lat)`` of the region for candidate distances.
    top_n:
        Candidates per weak segment and leader candidates (× 2).

    Returns
    -------
    ChainAnalysis

    References
    ----------
    METHODS.md §5.

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["c"], "region_code": ["1"]})
    >>> m = pd.DataFrame({"uscc": ["c"], "confidence": [0.9], "segment": ["cells_modules"]})
    >>> a = analyse_chain(m, firms, t, "1")
    >>> a.lsr.chain_basis, len(a.weak.table)
    ('count', 5)
    """
    reg = _region_set(region)
    f = _prep_firms(firms)
    st = segment_table(mapping, f, template, reg, measure=measure)
    comp = chain_completeness(mapping, f, template, reg or [], weights="value", measure=measure)
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
    weak = weak_links(
        mapping,
        f,
        template,
        reg or [],
        links,
        lsr=lsr,
        basis=basis,
        inputs=inputs,
        min_confidence=min_confidence,
        top_n=top_n,
        origin=origin,
    )
    strong = strong_links(mapping, f, template, reg or [], measure=measure)
    ext = extend_links(mapping, f, template, reg or [], related=related, measure=measure)
    leaders = chain_leader_candidates(
        mapping, f, template, reg or [], links, min_confidence=min_confidence, top_n=2 * top_n
    )
    notes = [*comp.notes, *lsr.notes, *weak.notes]
    return ChainAnalysis(st, comp, lsr, weak, strong, ext, leaders, list(dict.fromkeys(notes)))
