"""Supplier ranking for a need and partner search, with every score component shown.

Supplier score (供需匹配得分) of candidate *j* for need *q*:

.. math::

    S_{qj} = \\sum_k w_k\\, s_{k}(q, j), \\qquad \\sum_k w_k = 1,\\; s_k \\in [0, 1]

with the components (default weights in :data:`DEFAULT_WEIGHTS`):

``code`` (0.30)
    GB/T 4754-2017 match of the candidate's class with the need's class: same class 1.0, same
    group (3 digits) 0.6, same division (2 digits) 0.3, else 0.
``segment`` (0.10)
    Chain-template segment match: the need is mapped to segments by its class (the template's
    confidence, high 0.9 / med 0.7 / low 0.4) and by segment keywords in its text (0.6) — the
    rule of :func:`jiqun.chains.map_firms`; the component is the highest confidence with which
    the candidate is mapped to one of those segments.
``text`` (0.25)
    BM25 of the need's words (weight 1) plus synonyms — the keywords and the name of every
    segment the need maps to (weight 0.5) — against the candidate's business scope or posted
    product text, divided by the best BM25 among all candidates (so the best text match is 1).
``capacity`` (0.05)
    ``min(1, capacity / quantity)`` when the candidate posted a capacity in the need's unit;
    ``min(1, revenue / quantity)`` for needs stated in 万元 (annual revenue as a proxy of what
    a firm can deliver); 0.5 (unknown) otherwise.
``certification`` (0.05)
    Share of the required certificates the candidate offers (posted certifications plus its
    firm tags such as 高新技术企业); 1 when none is required. With ``require_certifications``
    (default) candidates that lack one are dropped: required ⊆ offered.
``distance`` (0.15)
    :math:`e^{-d/\\lambda}` with *d* the great-circle (haversine) distance in km between buyer
    and candidate and λ = 200 km (0.61 at 100 km, 0.37 at 200 km, 0.08 at 500 km); 0 when a
    location is unknown.
``region`` (0.10)
    Default (local sourcing, 本地配套): 1 in the buyer's prefecture, 0.5 elsewhere in its
    province, 0 otherwise. With ``prefer_cross_region=True`` (跨区域协作): 1 in **another**
    member region of a cluster the buyer belongs to, 0.5 in the buyer's own member region,
    0 outside the clusters' member regions (a buyer in no cluster: 1 in another prefecture of
    its province, 0.5 in its own prefecture). A need's region preference (a list of GB/T 2260
    codes) multiplies the component by 1 inside a preferred region and 0 outside.

Only candidates with ``code + segment + text > 0`` are ranked (a firm that neither makes the
class nor mentions the product is not a supplier, however near); the buyer itself is excluded;
one row per firm (its best row when it also posted capabilities).

Partner search (合作伙伴检索, in the spirit of the ECCP partner search): candidates filtered by
field, tags and region, scored by ``text`` (0.7, BM25 as above), ``innovation`` (0.2:
½·min(1, R&D/revenue ÷ 5 %) + ½·[high-tech, SRDI, little-giant or single-champion tag]) and
``region`` (0.1: with a home region, 1 in another member region of the home's clusters, 0.5 in
another region outside them, 0 in the home prefecture).

References
----------
Robertson & Zaragoza (2009) for BM25; haversine: R. W. Sinnott (1984), "Virtues of the
haversine", Sky and Telescope 68(2): 159; mean Earth radius 6,371.0088 km (IUGG). Industry
code levels: GB/T 4754-2017. ECCP partner search: European Cluster Collaboration Platform,
clustercollaboration.eu.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jiqun.chains.mapping import KEYWORD_CONFIDENCE
from jiqun.matching.board import MAX_AMOUNT
from jiqun.matching.index import MatchIndex, normalise_cert
from jiqun.matching.text import tokenize
from jiqun.reference import industry_name
from jiqun.reference.geo import EARTH_RADIUS_KM, haversine_km
from jiqun.standard.problems import JiqunError

__all__ = [
    "COMPONENTS",
    "CONFIDENTIAL_COMPONENTS",
    "DEFAULT_WEIGHTS",
    "DISTANCE_SCALE_KM",
    "EARTH_RADIUS_KM",
    "PARTNER_COMPONENTS",
    "PARTNER_WEIGHTS",
    "QUANTITY_MAX",
    "SYNONYM_WEIGHT",
    "MatchResult",
    "Need",
    "check_quantity",
    "component_band",
    "disclose",
    "distance_band",
    "haversine_km",
    "normalise_weights",
    "rank_suppliers",
    "search_partners",
]

#: supplier score components, in display order
COMPONENTS: tuple[str, ...] = (
    "code",
    "segment",
    "text",
    "capacity",
    "certification",
    "distance",
    "region",
)
#: default supplier weights (sum 1)
DEFAULT_WEIGHTS: dict[str, float] = {
    "code": 0.30,
    "segment": 0.10,
    "text": 0.25,
    "capacity": 0.05,
    "certification": 0.05,
    "distance": 0.15,
    "region": 0.10,
}
#: partner-search components and default weights
PARTNER_COMPONENTS: tuple[str, ...] = ("text", "innovation", "region")
PARTNER_WEIGHTS: dict[str, float] = {"text": 0.7, "innovation": 0.2, "region": 0.1}
#: λ of the distance decay e^(−d/λ), km
DISTANCE_SCALE_KM = 200.0
#: query weight of synonyms (segment keywords) relative to the need's own words
SYNONYM_WEIGHT = 0.5
#: code-level scores: same class, same group, same division
CODE_LEVEL_SCORES = (1.0, 0.6, 0.3)
#: capacity score when nothing is known
UNKNOWN_CAPACITY = 0.5
#: tags that mark an innovative firm (partner search)
INNOVATION_TAGS = frozenset({"high_tech", "srdi", "little_giant", "single_champion"})
#: R&D intensity that earns the full R&D half of ``innovation``
RD_INTENSITY_FULL = 0.05
#: largest accepted need quantity (any unit; the board's bound): larger values only scale a ratio
QUANTITY_MAX = MAX_AMOUNT
#: band edges (component value) of :func:`component_band`: low < 1/3 ≤ medium < 2/3 ≤ high
BAND_EDGES = (1 / 3, 2 / 3)
#: distance bands (km) of :func:`distance_band`
DISTANCE_BANDS_KM = (50.0, 200.0, 500.0)
#: components that read a candidate's confidential records (``enterprises`` columns that only
#: readers of the firm see): capacity from revenue, distance from the address coordinates,
#: innovation from R&D expense / revenue
CONFIDENTIAL_COMPONENTS: tuple[str, ...] = ("capacity", "distance", "innovation")

_LABELS = {
    "code": ("行业代码", "industry code"),
    "segment": ("产业链环节", "chain segment"),
    "text": ("产品文本", "product text"),
    "capacity": ("产能", "capacity"),
    "certification": ("资质认证", "certification"),
    "distance": ("距离", "distance"),
    "region": ("区域", "region"),
    "innovation": ("创新能力", "innovation"),
}


def _number(v: Any, zh: str, en: str) -> float:
    """``float(v)``; a value that is no number is refused with the messages ``zh`` / ``en``."""
    try:
        return float(v)
    except (TypeError, ValueError):
        raise JiqunError(zh, en) from None


def normalise_weights(
    weights: Mapping[str, float] | None, components: Sequence[str] = COMPONENTS
) -> dict[str, float]:
    """Check user weights and scale them to sum 1.

    Parameters
    ----------
    weights:
        Component → weight; missing components keep their default (then all are rescaled).
        ``None`` gives the defaults.
    components:
        :data:`COMPONENTS` (suppliers) or :data:`PARTNER_COMPONENTS`.

    Returns
    -------
    dict[str, float]
        Every component, weights ≥ 0 summing to 1.

    Raises
    ------
    JiqunError
        For an unknown component, a negative or non-numeric weight, or all weights 0.

    Example
    -------
    >>> normalise_weights({"code": 1.0, "text": 1.0, "segment": 0, "capacity": 0,
    ...     "certification": 0, "distance": 0, "region": 0})["code"]
    0.5
    """
    base = DEFAULT_WEIGHTS if tuple(components) == COMPONENTS else PARTNER_WEIGHTS
    out = {k: float(base.get(k, 0.0)) for k in components}
    for k, v in (weights or {}).items():
        if k not in out:
            raise JiqunError(
                f"未知的得分项「{k}」，可选：{', '.join(components)}",
                f"unknown score component '{k}'; valid: {', '.join(components)}",
            )
        x = _number(
            v, f"得分项 {k} 的权重必须是数字：{v!r}", f"the weight of {k} must be a number: {v!r}"
        )
        if not math.isfinite(x) or x < 0:
            raise JiqunError(
                f"得分项 {k} 的权重必须是非负数：{v!r}",
                f"the weight of {k} must be a non-negative number: {v!r}",
            )
        out[k] = x
    total = sum(out.values())
    if total <= 0:
        raise JiqunError("权重不能全为 0", "the weights cannot all be 0")
    return {k: v / total for k, v in out.items()}


@dataclass
class Need:
    """What a buyer looks for (a posted need, or an ad-hoc query).

    Parameters
    ----------
    text:
        Product words (what is bought), Chinese free text.
    industry_code:
        4-digit GB/T 4754-2017 class of the product, if known.
    quantity, unit:
        How much (e.g. ``5000``, ``件``; or a value in ``万元``).
    certifications:
        Required certificates (ISO 9001, IATF 16949, 高新技术企业 …).
    region_preference:
        GB/T 2260 codes the supplier should be in (any level).
    uscc:
        The buyer (excluded from the results; its registry row gives the location).
    region_code, lon, lat:
        The buyer's location when it is not in the registry.
    id:
        Board id of a posted need.
    """

    text: str = ""
    industry_code: str | None = None
    quantity: float | None = None
    unit: str | None = None
    certifications: tuple[str, ...] = ()
    region_preference: tuple[str, ...] = ()
    uscc: str | None = None
    region_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    id: int | None = None


@dataclass
class MatchResult:
    """A ranked list with one column per score component.

    Attributes
    ----------
    table:
        ``rank``, firm columns, one column per component (0..1), ``<component>_pts``
        (= weight × component) and ``total`` (= Σ ``_pts``), plus explanations
        (``matched_terms``, ``segments``, ``distance_km``, ``cross_region``).
    weights:
        The weights used (sum 1).
    components:
        Component names in display order.
    basis:
        What the numbers mean (formula, λ, query terms, the need's segments …).
    notes:
        Warnings in Chinese / English.
    candidates:
        How many candidates were relevant (before the cut to ``top``).
    """

    table: pd.DataFrame
    weights: dict[str, float]
    components: tuple[str, ...]
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    candidates: int = 0

    @property
    def synthetic(self) -> bool:
        """True when any listed firm is synthetic (demo) data."""
        return bool(len(self.table) and self.table["synthetic"].any())

    def labels(self) -> dict[str, tuple[str, str]]:
        """Component → (中文, English) label."""
        return {k: _LABELS[k] for k in self.components}


# ---------------------------------------------------------------------------------------------
# components
# ---------------------------------------------------------------------------------------------


@dataclass
class _View:
    """The arrays of some candidates of an index (what the location components read)."""

    n: int
    county: np.ndarray
    pref: np.ndarray
    prov: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    capacity: np.ndarray
    unit: np.ndarray
    revenue: np.ndarray
    cluster_members: dict[str, frozenset[int]]
    parent: MatchIndex

    def clusters_of(self, county: int) -> list[str]:
        return self.parent.clusters_of(county)


def _subset(ix: MatchIndex, idx: np.ndarray) -> _View:
    return _View(
        len(idx),
        ix.county[idx],
        ix.pref[idx],
        ix.prov[idx],
        ix.lon[idx],
        ix.lat[idx],
        ix.capacity[idx],
        ix.unit[idx],
        ix.revenue[idx],
        ix.cluster_members,
        ix,
    )


def _scatter(n: int, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=np.float64)
    out[idx] = values
    return out


def _rows_of(ix: MatchIndex, uscc: str) -> np.ndarray:
    """Every row of a firm: its registry row and its capability rows."""
    rows = [ix.row_of_uscc[uscc]] if uscc in ix.row_of_uscc else []
    k = ix.n_capabilities
    if k:
        rows += (ix.n - k + np.flatnonzero(ix.uscc[ix.n - k :] == uscc)).tolist()
    return np.asarray(rows, dtype=np.int64)


def code_scores(ix: MatchIndex, code: str | None) -> np.ndarray:
    if not code or not code.isdigit() or len(code) != 4:
        return np.zeros(ix.n)
    c = int(code)
    cls = ix.cls
    full, group, division = CODE_LEVEL_SCORES
    out = np.where(
        cls == c,
        full,
        np.where(cls // 10 == c // 10, group, np.where(cls // 100 == c // 100, division, 0.0)),
    )
    return np.where(cls >= 0, out, 0.0)


def need_segments(ix: MatchIndex, need: Need) -> dict[int, float]:
    """Segments (columns of ``ix.segments``) the need maps to, with the mapping confidence.

    Same rule as :func:`jiqun.chains.map_firms`: class in the segment's classes → the
    template's confidence; a segment keyword in the text → 0.6; both → 1 − (1 − c)(1 − 0.6).
    """
    code_conf: dict[int, float] = {}
    if need.industry_code and need.industry_code.isdigit():
        for col, conf in ix.code_segments.get(int(need.industry_code), []):
            code_conf[col] = max(code_conf.get(col, 0.0), conf)
    low = (need.text or "").lower()
    kw_cols = {col for k, cols in ix.keyword_segments.items() if k in low for col in cols}
    out: dict[int, float] = {}
    for col in set(code_conf) | kw_cols:
        c = code_conf.get(col, 0.0)
        k = KEYWORD_CONFIDENCE if col in kw_cols else 0.0
        out[col] = round(1.0 - (1.0 - c) * (1.0 - k), 4)
    return out


def query_terms(ix: MatchIndex, need: Need, segs: Mapping[int, float]) -> dict[str, float]:
    """The weighted BM25 query: the need's words (1.0) plus synonyms (:data:`SYNONYM_WEIGHT`).

    Synonyms are the keywords and names of the segments the need maps to (chain templates).
    A need without text uses the name of its GB/T 4754 class as synonyms.
    """
    terms: dict[str, float] = dict.fromkeys(tokenize(need.text), 1.0)
    syn: list[str] = []
    for col in segs:
        chain, sid, name_zh = ix.segment_labels[col]
        seg = ix.templates[chain].segment(sid)
        syn += [name_zh, *seg.keywords]
    if not need.text and need.industry_code:
        syn.append(industry_name(need.industry_code) or "")
    for t in tokenize("；".join(syn)):
        terms.setdefault(t, SYNONYM_WEIGHT)
    return terms


def _capacity_scores(ix: MatchIndex | _View, need: Need) -> tuple[np.ndarray, np.ndarray]:
    """(capacity component, basis) per candidate; basis ``capability`` (a posted capacity in
    the need's unit), ``revenue`` (annual revenue, needs in 万元) or ``unknown``."""
    out = np.full(ix.n, UNKNOWN_CAPACITY)
    basis = np.full(ix.n, "unknown", dtype=object)
    q = need.quantity
    if q is None or not q > 0:
        return out, basis
    unit = (need.unit or "").strip().lower()
    same = (ix.unit == unit) & np.isfinite(ix.capacity) if unit else np.zeros(ix.n, bool)
    out = np.where(same, np.minimum(1.0, np.nan_to_num(ix.capacity) / q), out)
    basis[same] = "capability"
    if unit == "万元":
        rev = np.isfinite(ix.revenue) & ~same
        out = np.where(rev, np.minimum(1.0, np.nan_to_num(ix.revenue) / q), out)
        basis[rev] = "revenue"
    return out, basis


def check_quantity(quantity: float | None) -> float | None:
    """A need's quantity, checked: ``None``, or a finite number in (0, :data:`QUANTITY_MAX`].

    A quantity far above any firm's size only turns ``capacity = revenue / quantity`` into a
    scaled copy of the revenue; it is refused rather than clipped, so that the caller sees why.

    Parameters
    ----------
    quantity:
        The need's quantity (any unit).

    Returns
    -------
    float or None
        The quantity as a float.

    Raises
    ------
    JiqunError
        Not a number, not finite, ≤ 0 or above :data:`QUANTITY_MAX`.

    Example
    -------
    >>> check_quantity(500)
    500.0
    >>> check_quantity(1e12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jiqun.errors.JiqunError: 数量须大于 0 且不超过 1e+09：1e+12 / ...
    """
    if quantity is None:
        return None
    q = _number(
        quantity, f"数量须为数字：{quantity!r}", f"the quantity must be a number: {quantity!r}"
    )
    if not math.isfinite(q) or q <= 0 or q > QUANTITY_MAX:
        raise JiqunError(
            f"数量须大于 0 且不超过 {QUANTITY_MAX:g}：{q:g}",
            f"the quantity must be greater than 0 and at most {QUANTITY_MAX:g}: {q:g}",
        )
    return q


def _cert_scores(ix: MatchIndex, required: Sequence[str]) -> np.ndarray:
    req = sorted({normalise_cert(c) for c in required if str(c).strip()})
    if not req:
        return np.ones(ix.n)
    cols = [ix.cert_vocab[c] for c in req if c in ix.cert_vocab]
    if not cols:
        return np.zeros(ix.n)
    have = np.asarray(ix.certs[:, cols].sum(axis=1)).ravel()
    return have / len(req)


def _buyer_location(ix: MatchIndex, need: Need) -> tuple[int, float, float]:
    """(county code or −1, lon, lat) of the buyer."""
    county, lon, lat = -1, math.nan, math.nan
    row = ix.row_of_uscc.get(need.uscc) if need.uscc else None
    if row is not None:
        county, lon, lat = int(ix.county[row]), float(ix.lon[row]), float(ix.lat[row])
    if need.region_code and need.region_code.isdigit():
        county = int(need.region_code)
    if need.lon is not None and need.lat is not None:
        lon, lat = float(need.lon), float(need.lat)
    return county, lon, lat


def _in_codes(ix: MatchIndex | _View, codes: frozenset[int] | set[int]) -> np.ndarray:
    arr = np.fromiter(codes, dtype=np.int64, count=len(codes))
    return np.isin(ix.county, arr) | np.isin(ix.pref, arr) | np.isin(ix.prov, arr)


def _member_unit(ix: MatchIndex | _View, members: set[int]) -> np.ndarray:
    """For each candidate, the most specific member region containing it (−1 outside)."""
    arr = np.fromiter(members, dtype=np.int64, count=len(members))
    return np.where(
        np.isin(ix.county, arr),
        ix.county,
        np.where(np.isin(ix.pref, arr), ix.pref, np.where(np.isin(ix.prov, arr), ix.prov, -1)),
    )


def _unit_of(county: int, members: set[int]) -> int:
    for c in (county, county // 100 * 100, county // 10000 * 10000):
        if c in members:
            return c
    return -1


def _region_scores(
    ix: MatchIndex | _View,
    county: int,
    prefer_cross_region: bool,
    cluster: str | None,
    notes: list[str],
    basis: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """(region component, cross-region flag) for every candidate."""
    cross = np.zeros(ix.n, dtype=bool)
    if county < 0:
        notes.append(
            "买方地区未知：区域得分为 0 / buyer region unknown: region component 0 for all"
        )
        return np.zeros(ix.n), cross
    pref, prov = county // 100 * 100, county // 10000 * 10000
    if not prefer_cross_region:
        basis["region_rule"] = "local: same prefecture 1, same province 0.5, else 0"
        return np.where(ix.pref == pref, 1.0, np.where(ix.prov == prov, 0.5, 0.0)), cross
    if cluster is not None:
        if cluster not in ix.cluster_members:
            raise JiqunError(
                f"未知的集群编号或集群没有成员地区：{cluster}",
                f"unknown cluster id, or the cluster has no member regions: {cluster}",
            )
        clusters = [cluster]
    else:
        clusters = ix.clusters_of(county)
    members: set[int] = set()
    for c in clusters:
        members |= ix.cluster_members[c]
    if not members:
        notes.append(
            "买方不在任何集群的成员地区内：跨区域 = 本省其他地市 / the buyer is in no cluster's "
            "member regions: cross-region = other prefectures of its province"
        )
        basis["region_rule"] = (
            "cross-region (no cluster): other prefecture of the province 1, own prefecture 0.5"
        )
        cross = (ix.prov == prov) & (ix.pref != pref)
        return np.where(cross, 1.0, np.where(ix.pref == pref, 0.5, 0.0)), cross
    unit = _member_unit(ix, members)
    own = _unit_of(county, members)
    inside = unit >= 0
    cross = inside & (unit != own)
    basis["region_rule"] = (
        "cross-region: other member region of the buyer's clusters 1, own member region 0.5, "
        "outside 0"
    )
    basis["clusters"] = clusters
    return np.where(cross, 1.0, np.where(inside, 0.5, 0.0)), cross


def _preference_mask(ix: MatchIndex | _View, prefs: Sequence[str]) -> np.ndarray | None:
    codes = {int(p) for p in prefs if str(p).strip().isdigit()}
    return _in_codes(ix, codes) if codes else None


def _top(ix: MatchIndex, total: np.ndarray, mask: np.ndarray, top: int) -> tuple[np.ndarray, int]:
    """Indices of the best ``top`` rows, one per firm (uscc), ties by registry order.

    Also returns the number of relevant firms (a firm with a registry and capability rows
    counts once).
    """
    idx = np.flatnonzero(mask)
    n_caps = ix.n_capabilities
    n_rel = len(idx)
    if n_caps and len(idx):
        cap = idx[idx >= ix.n - n_caps]
        reg = ix.registry_row[cap]
        n_rel -= int(np.sum((reg >= 0) & mask[np.maximum(reg, 0)]))
        n_rel -= len(cap) - len(np.unique(ix.uscc[cap]))
    if not len(idx) or top <= 0:
        return idx[:0], n_rel
    m = min(len(idx), top + n_caps)
    if m < len(idx):
        part = np.argpartition(-total[idx], m - 1)[:m]
        # keep every row tied with the m-th best so that tie order is stable
        thr = total[idx][part].min()
        idx = idx[total[idx] >= thr]
    order = idx[np.lexsort((idx, -total[idx]))]
    seen: set[str] = set()
    out: list[int] = []
    for i in order:
        u = ix.uscc[i]
        if u in seen:
            continue
        seen.add(u)
        out.append(int(i))
        if len(out) >= top:
            break
    return np.asarray(out, dtype=np.int64), n_rel


def _segment_names(ix: MatchIndex, row: int, cols: Sequence[int]) -> str:
    if not cols:
        return ""
    vals = ix.segments[row, list(cols)].toarray().ravel()
    got = [(ix.segment_labels[c], v) for c, v in zip(cols, vals, strict=True) if v > 0]
    return "；".join(f"{lab[2]}({lab[0]}.{lab[1]}) {v:.2f}" for lab, v in got)


def _frame(
    ix: MatchIndex,
    rows: np.ndarray,
    comps: dict[str, np.ndarray],
    weights: dict[str, float],
    extra: dict[str, Any],
) -> pd.DataFrame:
    data: dict[str, Any] = {
        "rank": np.arange(1, len(rows) + 1),
        "uscc": ix.uscc[rows],
        "name": ix.name[rows],
        "source": ix.source[rows],
        "capability_id": np.where(ix.capability_id[rows] >= 0, ix.capability_id[rows], 0),
        "region_code": ix.region_code[rows],
        "industry_code": ix.industry_code[rows],
    }
    data.update({k: v for k, v in extra.items()})
    for k, v in comps.items():
        data[k] = np.round(v[rows], 4)
    total = np.zeros(len(rows))
    for k, v in comps.items():
        pts = weights[k] * v[rows]
        data[f"{k}_pts"] = pts
        total += pts
    data["total"] = total
    data["synthetic"] = ix.synthetic[rows]
    df = pd.DataFrame(data)
    df["capability_id"] = df["capability_id"].astype("Int64").where(df["source"] == "capability")
    return df


# ---------------------------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------------------------


def rank_suppliers(
    ix: MatchIndex,
    need: Need,
    *,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    prefer_cross_region: bool = False,
    cluster: str | None = None,
    require_certifications: bool = True,
    distance_scale_km: float = DISTANCE_SCALE_KM,
    exclude: Sequence[str] = (),
) -> MatchResult:
    """Rank candidate suppliers for one need by the weighted score of the module docstring.

    Formula: :math:`S_{qj} = \\sum_k w_k s_k(q, j)` over the components ``code``,
    ``segment``, ``text``, ``capacity``, ``certification``, ``distance`` and ``region``.

    Parameters
    ----------
    ix:
        The index (:func:`jiqun.matching.build_index`).
    need:
        The need.
    top:
        How many firms to return (one row per firm).
    weights:
        Component weights (rescaled to sum 1; default :data:`DEFAULT_WEIGHTS`).
    prefer_cross_region:
        Favour partners in *other* member regions of the buyer's clusters (跨区域协作).
    cluster:
        Use this cluster's member regions instead of the buyer's clusters.
    require_certifications:
        Drop candidates that lack a required certificate (else they only score lower).
    distance_scale_km:
        λ of the distance decay :math:`e^{-d/λ}`.
    exclude:
        Further firms (uscc) to leave out.

    Returns
    -------
    MatchResult
        ``table`` with ``rank``, ``uscc``, ``name``, ``source`` (registry | capability),
        ``capability_id``, ``region_code``, ``industry_code``, ``distance_km``,
        ``capacity_basis`` (capability | revenue | unknown), ``cross_region``, ``segments``, ``matched_terms``, the seven components,
        ``<component>_pts`` and ``total``, ``synthetic``.

    Raises
    ------
    JiqunError
        For a need with neither text nor class, a quantity outside (0, :data:`QUANTITY_MAX`],
        bad weights or an unknown cluster.

    References
    ----------
    Robertson & Zaragoza (2009); Sinnott (1984); GB/T 4754-2017.

    Example
    -------
    >>> firms = pd.DataFrame({"uscc": ["A", "B"], "name": ["甲", "乙"],
    ...     "region_code": ["320505", "440305"], "industry_code": ["3453", "3453"],
    ...     "business_scope": ["精密减速器的生产", "齿轮箱"], "lon": [120.6, 113.9],
    ...     "lat": [31.3, 22.5]})
    >>> from jiqun.matching.index import build_index
    >>> ix = build_index(firms)
    >>> r = rank_suppliers(ix, Need("减速器", "3453", region_code="320506", lon=120.6, lat=31.3))
    >>> r.table["uscc"].tolist()
    ['A', 'B']
    """
    w = normalise_weights(weights)
    check_quantity(need.quantity)
    text = (need.text or "").strip()
    code = (need.industry_code or "").strip() or None
    if not text and not code:
        raise JiqunError(
            "需求须有产品描述或行业代码", "a need needs a product text or an industry code"
        )
    notes: list[str] = []
    basis: dict[str, Any] = {
        "formula": "total = Σ_k w_k·s_k",
        "code_levels": "same class 1.0, same group 0.6, same division 0.3 (GB/T 4754-2017)",
        "text": "BM25 (k1=1.2, b=0.75) / best BM25 among candidates",
        "distance": f"exp(-d/{distance_scale_km:g} km), haversine",
        "capacity": "min(1, capacity/quantity) same unit; revenue/quantity for 万元; 0.5 unknown",
    }
    need = Need(**{**need.__dict__, "text": text, "industry_code": code})
    segs = need_segments(ix, need)
    terms = query_terms(ix, need, segs)
    basis["query_terms"] = {k: v for k, v in terms.items()}
    basis["need_segments"] = [
        f"{ix.segment_labels[c][0]}.{ix.segment_labels[c][1]} ({v:.2f})" for c, v in segs.items()
    ]
    comps: dict[str, np.ndarray] = {}
    comps["code"] = code_scores(ix, code)
    if segs:
        cols = list(segs)
        comps["segment"] = ix.segments[:, cols].max(axis=1).toarray().ravel()
    else:
        comps["segment"] = np.zeros(ix.n)
    bm = ix.text.scores(terms)
    best = float(bm.max()) if len(bm) else 0.0
    comps["text"] = bm / best if best > 0 else np.zeros(ix.n)
    comps["certification"] = _cert_scores(ix, need.certifications)
    mask = (comps["code"] + comps["segment"] + comps["text"]) > 0
    if require_certifications and need.certifications:
        lacking = mask & (comps["certification"] < 1.0 - 1e-9)
        if lacking.any():
            notes.append(
                f"{int(lacking.sum()):,} 个相关候选缺少所需资质认证而被排除（企业库不含认证信息，"
                "只有发布了供给能力或带相应标签的企业才能满足）/ "
                f"{int(lacking.sum()):,} relevant candidate(s) lack a required certification and "
                "were left out (the registry holds no certificates: only posted capabilities and "
                "firm tags can meet them)"
            )
        mask &= ~lacking
    for u in {u for u in (need.uscc, *exclude) if u}:
        mask[_rows_of(ix, u)] = False

    # the remaining components only for the relevant candidates (the rest stay 0)
    idx = np.flatnonzero(mask)
    view = _subset(ix, idx)
    county, blon, blat = _buyer_location(ix, need)
    dist = np.full(ix.n, np.nan)
    cap, cap_basis = _capacity_scores(view, need)
    comps["capacity"] = _scatter(ix.n, idx, cap)
    capacity_basis = np.full(ix.n, "unknown", dtype=object)
    capacity_basis[idx] = cap_basis
    if math.isnan(blon) or math.isnan(blat):
        notes.append("买方位置未知：距离得分为 0 / buyer location unknown: distance component 0")
    else:
        dist[idx] = haversine_km(blon, blat, view.lon, view.lat)
    comps["distance"] = np.where(
        np.isfinite(dist), np.exp(-np.nan_to_num(dist) / distance_scale_km), 0.0
    )
    region, cross = _region_scores(view, county, prefer_cross_region, cluster, notes, basis)
    pref = _preference_mask(view, need.region_preference)
    if pref is not None:
        region = region * pref if prefer_cross_region else np.where(pref, 1.0, 0.0)
        basis["region_preference"] = list(need.region_preference)
    comps["region"] = _scatter(ix.n, idx, region)
    cross = _scatter(ix.n, idx, cross).astype(bool)
    comps = {k: comps[k] for k in COMPONENTS}
    total = np.zeros(ix.n)
    for k in COMPONENTS:
        total += w[k] * comps[k]
    rows, n_rel = _top(ix, total, mask, top)
    if not len(rows):
        notes.append(
            "没有相关的候选企业（行业代码、环节和产品文本均不匹配）/ no relevant candidate "
            "(no class, segment or product-text match)"
        )
    seg_cols = list(segs)
    qterms = list(terms)
    extra = {
        "distance_km": np.round(dist[rows], 1),
        "capacity_basis": capacity_basis[rows],
        "cross_region": cross[rows],
        "segments": [_segment_names(ix, int(r), seg_cols) for r in rows],
        "matched_terms": ["、".join(ix.text.matched_terms(int(r), qterms)) for r in rows],
    }
    table = _frame(ix, rows, comps, w, extra)
    return MatchResult(table, w, COMPONENTS, basis, notes, n_rel)


def search_partners(
    ix: MatchIndex,
    keywords: str = "",
    *,
    field: str | None = None,
    tags: Sequence[str] = (),
    region: str | None = None,
    home_region: str | None = None,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    exclude: Sequence[str] = (),
) -> MatchResult:
    """Find partners for R&D or cooperation across regions (ECCP partner-search style).

    Formula: :math:`S_j = w_t\\,\\mathrm{text}_j + w_i\\,\\mathrm{innovation}_j +
    w_r\\,\\mathrm{region}_j` with text = BM25 / best BM25, innovation = ½·min(1, R&D/revenue
    ÷ 5 %) + ½·[innovation tag], region as in the module docstring.

    Parameters
    ----------
    ix:
        The index.
    keywords:
        Free text (technologies, products). Segment keywords of matching templates are added
        as synonyms.
    field:
        A cluster field id (a cluster field id of ``jiqun/reference/data/clusters.csv``: ``high_end_equipment`` …): keep firms in the
        field's classes (clusters' leading industries and chain-template classes of the field).
    tags:
        Keep firms that carry all these tags (``srdi``, ``little_giant`` …).
    region:
        Keep firms inside this GB/T 2260 region (any level).
    home_region:
        The searcher's region: partners in other regions score higher (cross-region).
    top:
        Number of firms returned.
    weights:
        ``text``, ``innovation``, ``region`` weights (default :data:`PARTNER_WEIGHTS`).
    exclude:
        Firms (uscc) to leave out (e.g. the searcher).

    Returns
    -------
    MatchResult
        As :func:`rank_suppliers`, with components ``text``, ``innovation``, ``region``.

    Raises
    ------
    JiqunError
        When nothing to search by is given, or for an unknown field or tag.

    References
    ----------
    European Cluster Collaboration Platform partner search; Robertson & Zaragoza (2009).

    Example
    -------
    >>> firms = pd.DataFrame({"uscc": ["A", "B"], "name": ["甲", "乙"],
    ...     "region_code": ["320505", "440305"], "industry_code": ["3453", "3813"],
    ...     "business_scope": ["精密减速器", "伺服电机"], "tags": ["high_tech", None]})
    >>> from jiqun.matching.index import build_index
    >>> search_partners(build_index(firms), "伺服电机").table["uscc"].tolist()
    ['B']
    """
    from jiqun.standard.schema import FIELDS_OF_CLUSTERS, TAGS

    w = normalise_weights(weights, PARTNER_COMPONENTS)
    keywords = (keywords or "").strip()
    if not keywords and not field and not tags and not region:
        raise JiqunError(
            "请给出关键词、领域、标签或地区中的至少一项",
            "give at least one of keywords, field, tags or region",
        )
    notes: list[str] = []
    basis: dict[str, Any] = {
        "formula": "total = w_text·text + w_innovation·innovation + w_region·region",
        "innovation": "½·min(1, R&D/revenue ÷ 5%) + ½·[high_tech|srdi|little_giant|single_champion]",
    }
    mask = np.ones(ix.n, dtype=bool)
    if field:
        if field not in FIELDS_OF_CLUSTERS:
            raise JiqunError(
                f"未知的领域「{field}」，可选：{', '.join(FIELDS_OF_CLUSTERS)}",
                f"unknown field '{field}'; valid: {', '.join(FIELDS_OF_CLUSTERS)}",
            )
        classes = ix.field_classes.get(field, frozenset())
        in_field = np.isin(ix.cls, np.fromiter(classes, dtype=np.int64, count=len(classes)))
        seg_cols = [
            i for i, (c, _s, _n) in enumerate(ix.segment_labels) if ix.templates[c].field == field
        ]
        if seg_cols:
            in_field |= np.asarray(ix.segments[:, seg_cols].sum(axis=1)).ravel() > 0
        mask &= in_field
        basis["field"] = field
    for t in tags:
        if t not in TAGS:
            raise JiqunError(
                f"未知的企业标签「{t}」，可选：{', '.join(TAGS)}",
                f"unknown tag '{t}'; valid: {', '.join(TAGS)}",
            )
        mask &= ix.has_tag(t)
    if region:
        if not region.isdigit() or len(region) != 6:
            raise JiqunError(
                f"地区代码须为 6 位 GB/T 2260 代码：{region!r}",
                f"the region must be a 6-digit GB/T 2260 code: {region!r}",
            )
        mask &= _in_codes(ix, {int(region)})
    need = Need(text=keywords)
    segs = need_segments(ix, need) if keywords else {}
    terms = query_terms(ix, need, segs) if keywords else {}
    basis["query_terms"] = dict(terms)
    comps: dict[str, np.ndarray] = {}
    if terms:
        bm = ix.text.scores(terms)
        best = float(bm[mask].max()) if mask.any() else 0.0
        comps["text"] = np.where(mask, bm / best, 0.0) if best > 0 else np.zeros(ix.n)
        mask &= comps["text"] > 0
    else:
        comps["text"] = np.zeros(ix.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        inten = np.where(ix.revenue > 0, np.nan_to_num(ix.rd_expense) / ix.revenue, 0.0)
    tagged = np.zeros(ix.n, dtype=bool)
    for t in sorted(INNOVATION_TAGS):
        tagged |= ix.has_tag(t)
    comps["innovation"] = 0.5 * np.minimum(1.0, np.nan_to_num(inten) / RD_INTENSITY_FULL) + (
        0.5 * tagged
    )
    cross = np.zeros(ix.n, dtype=bool)
    if home_region:
        if not home_region.isdigit() or len(home_region) != 6:
            raise JiqunError(
                f"本方地区代码须为 6 位 GB/T 2260 代码：{home_region!r}",
                f"the home region must be a 6-digit GB/T 2260 code: {home_region!r}",
            )
        home = int(home_region)
        if home % 10000 == 0:  # a province as home: other provinces are other regions
            other = (ix.prov != home) & (ix.county >= 0)
        else:  # a prefecture or county as home: other prefectures
            other = (ix.pref != home // 100 * 100) & (ix.county >= 0)
        members: set[int] = set()
        for c in ix.clusters_of(home):
            members |= ix.cluster_members[c]
        inside = _in_codes(ix, members) if members else np.zeros(ix.n, dtype=bool)
        comps["region"] = np.where(other & inside, 1.0, np.where(other, 0.5, 0.0))
        cross = other
        basis["region_rule"] = (
            "other member region of the home's clusters 1, other region 0.5, home prefecture 0"
        )
    else:
        comps["region"] = np.zeros(ix.n)
        notes.append(
            "未给出本方地区：区域得分为 0 / no home region given: region component 0 for all"
        )
    if exclude:
        mask &= ~np.isin(ix.uscc, np.array(list(exclude), dtype=object))
    total = np.zeros(ix.n)
    for k in PARTNER_COMPONENTS:
        total += w[k] * comps[k]
    rows, n_rel = _top(ix, total, mask, top)
    if not len(rows):
        notes.append("没有符合条件的企业 / no firm meets the criteria")
    qterms = list(terms)
    extra = {
        "cross_region": cross[rows],
        "tags": ix.tags[rows],
        "matched_terms": ["、".join(ix.text.matched_terms(int(r), qterms)) for r in rows],
    }
    table = _frame(ix, rows, comps, w, extra)
    return MatchResult(table, w, PARTNER_COMPONENTS, basis, notes, n_rel)


# ---------------------------------------------------------------------------------------------
# disclosure of the components
# ---------------------------------------------------------------------------------------------

_BAND_LABELS = ("低 / low", "中 / medium", "高 / high")


def component_band(value: float) -> str | None:
    """The coarse band of a component value: 低 / low (< 1/3), 中 / medium, 高 / high (≥ 2/3).

    Parameters
    ----------
    value:
        A component value in [0, 1] (NaN gives ``None``).

    Returns
    -------
    str or None
        The bilingual band label.

    Example
    -------
    >>> component_band(0.7), component_band(0.2)
    ('高 / high', '低 / low')
    """
    if value is None or not math.isfinite(float(value)):
        return None
    lo, hi = BAND_EDGES
    return _BAND_LABELS[0 if value < lo else 1 if value < hi else 2]


def distance_band(km: float) -> str:
    """The coarse band of a distance: < 50 km, 50–200 km, 200–500 km, ≥ 500 km.

    Parameters
    ----------
    km:
        Distance in km (NaN: unknown location).

    Returns
    -------
    str
        The band label (``未知 / unknown`` for NaN).

    Example
    -------
    >>> distance_band(12.0), distance_band(1200.0)
    ('< 50 km', '≥ 500 km')
    """
    if km is None or not math.isfinite(float(km)):
        return "未知 / unknown"
    edges = DISTANCE_BANDS_KM
    if km < edges[0]:
        return f"< {edges[0]:g} km"
    for a, b in itertools.pairwise(edges):
        if km < b:
            return f"{a:g}–{b:g} km"
    return f"≥ {edges[-1]:g} km"


def disclose(
    result: MatchResult, readable: Sequence[bool] | np.ndarray, *, origin_readable: bool = True
) -> MatchResult:
    """The result as shown to a caller who may read only some of the listed firms.

    The ranking is unchanged (it used every value); what is *shown* of a row whose firm the
    caller may not read (``readable`` False) contains no number derived from that firm's
    confidential records (:data:`CONFIDENTIAL_COMPONENTS`):

    - ``capacity`` computed from revenue (``capacity_basis == "revenue"``): the component and
      its points are withheld (null). A capacity the firm posted on the board, or the neutral
      0.5, stays (no confidential value behind it). No band either: the caller chooses the
      quantity, so a band of ``revenue / quantity`` would give the revenue by bisection.
    - ``distance``: component, points and ``distance_km`` withheld; ``distance_band``
      (:func:`distance_band`) instead. Also for every row when the caller may not read the
      origin (the buyer of a posted need): otherwise distances to firms it reads would locate
      the buyer.
    - ``innovation`` (R&D / revenue): component and points withheld; ``innovation_band``
      (:func:`component_band`) instead (there is no caller-chosen scale to bisect).

    ``total`` becomes the sum of the points shown, so that it holds nothing that is not shown,
    and ``withheld`` names the components left out (``;``-separated, empty when none).
    ``records_visible`` says which rows the caller may read.

    Parameters
    ----------
    result:
        A result of :func:`rank_suppliers` or :func:`search_partners`.
    readable:
        One flag per row of ``result.table``: may the caller read that firm's records?
    origin_readable:
        May the caller read the origin firm (the buyer whose location gave the distances)?

    Returns
    -------
    MatchResult
        A copy with the table changed as above (same rows, same order).

    References
    ----------
    The disclosure rules of ``docs/matching.md`` (section "Confidential components").

    Example
    -------
    >>> firms = pd.DataFrame({"uscc": ["A", "B"], "name": ["甲", "乙"],
    ...     "region_code": ["320505", "320506"], "industry_code": ["3453", "3453"],
    ...     "business_scope": ["减速器", "减速器"], "revenue": [800.0, 90.0]})
    >>> from jiqun.matching.index import build_index
    >>> r = rank_suppliers(build_index(firms), Need("减速器", "3453", 1000, "万元"))
    >>> shown = disclose(r, [True, False]).table
    >>> shown["capacity"].tolist(), shown["withheld"].tolist()
    ([0.8, nan], ['', 'capacity;distance'])
    """
    df = result.table.copy()
    ok = np.asarray(readable, dtype=bool).reshape(-1)
    if len(ok) != len(df):
        raise ValueError("readable needs one flag per row")
    comps = list(result.components)
    withheld: list[list[str]] = [[] for _ in range(len(df))]

    def hide(k: str, mask: np.ndarray) -> None:
        if k not in comps:
            return
        for col in (k, f"{k}_pts"):
            df[col] = df[col].astype("float64").where(~mask)
        for i in np.flatnonzero(mask):
            withheld[i].append(k)

    if "capacity" in comps:
        basis = df.get("capacity_basis", pd.Series(["unknown"] * len(df), index=df.index))
        hide("capacity", ~ok & (basis.to_numpy() == "revenue"))
    if "distance" in comps:
        far = ~ok if origin_readable else np.ones(len(df), dtype=bool)
        df["distance_band"] = [
            distance_band(d) if f else None
            for d, f in zip(df["distance_km"].astype("float64"), far, strict=True)
        ]
        hide("distance", far)
        df["distance_km"] = df["distance_km"].astype("float64").where(~far)
    if "innovation" in comps:
        df["innovation_band"] = [
            component_band(v) if not f else None
            for v, f in zip(df["innovation"].astype("float64"), ok, strict=True)
        ]
        hide("innovation", ~ok)
    if len(df):
        df["total"] = df[[f"{k}_pts" for k in comps]].sum(axis=1, skipna=True)
    df["withheld"] = [";".join(w) for w in withheld]
    df["records_visible"] = ok
    return MatchResult(
        df,
        dict(result.weights),
        result.components,
        dict(result.basis),
        list(result.notes),
        result.candidates,
    )
