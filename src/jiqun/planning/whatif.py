"""What-if for 补链/招商: the effect of placing one candidate firm in a cluster's chain.

A candidate is an existing firm of another region (its segments, size and recorded supply
links) or a profile (industry class, size, segment). :func:`whatif` reads the **stored** chain
analysis of the area (:class:`jiqun.chains.ChainAnalysis`: completeness table, local
supporting rate, weak links) and returns, before and after the candidate is placed:

* chain completeness (count basis and, where the analysis has weights, weighted) — from the
  presence of each segment, through :func:`jiqun.chains.chain_completeness`;
* the local supporting rate — count basis through :func:`jiqun.chains.local_supporting_rate`
  on the new presence; value basis from the stored numerator and denominator plus the
  candidate's recorded sales to local chain firms (purchases already counted, now local);
* weak links closed: a missing segment the candidate serves (缺链), or a weak segment (弱链)
  whose rate after reaches the stored peer median;
* single points of failure removed or added: segments resting on exactly one local firm
  (a segment with one firm loses its whole local capacity when that firm stops);
* the relatedness density of the candidate's industry class in the region (given by the
  service from the stored region positioning; :func:`jiqun.analytics.complexity.density`).

Nothing is rebuilt: the firm table and the supply network are not read again. The formulas are
the chain package's own functions, run on a proxy of the stored presence (one stand-in firm per
segment present), so the numbers agree with a full recomputation (tested).

:func:`rank_candidates` puts several results side by side.

References
----------
``docs/METHODS.md`` §5 (completeness, local supporting rate, weak links); ``docs/planning.md``
("What-if 补链/招商").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jiqun.chains.analysis import ChainAnalysis
from jiqun.chains.segments import chain_completeness
from jiqun.chains.supply import local_supporting_rate
from jiqun.chains.templates import ChainTemplate
from jiqun.standard.problems import JiqunError

__all__ = ["RANK_ORDER", "Candidate", "WhatIf", "rank_candidates", "whatif"]

#: local firms a segment needs to count as present (as in :func:`jiqun.chains.analyse_chain`)
MIN_FIRMS = 1
#: the stand-in region of the proxy tables
_PROXY = "__whatif__"


@dataclass(frozen=True)
class Candidate:
    """One candidate placed in the region.

    Attributes
    ----------
    label:
        How the candidate is shown (the firm's credit code and name, or the profile).
    segments:
        Chain segments the candidate would serve (its qualified mapping).
    kind:
        ``"firm"`` (an existing firm of another region) or ``"profile"``.
    industry_code:
        GB/T 4754-2017 class, where known.
    size:
        Output (万元), where known.
    uscc:
        The firm's credit code (``kind="firm"``).
    local_sales:
        Value (万元) of its recorded sales to local chain firms that count as chain inputs, by
        buying segment (value basis of the local supporting rate).
    local_sales_chain:
        The same over the chain, each supply link once.
    purchases:
        Its own recorded purchases that count as chain inputs of its segments, by its segment:
        ``(local value, total value)`` (万元), local meaning from a supplier in the region.
        Placed in the region, it becomes a local chain buyer and these join the rate.
    purchases_chain:
        The same over the chain, each link once.
    """

    label: str
    segments: tuple[str, ...]
    kind: str = "profile"
    industry_code: str | None = None
    size: float | None = None
    uscc: str | None = None
    local_sales: Mapping[str, float] = field(default_factory=dict)
    local_sales_chain: float = 0.0
    purchases: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    purchases_chain: tuple[float, float] = (0.0, 0.0)


@dataclass
class WhatIf:
    """The effect of one candidate (:func:`whatif`).

    Attributes
    ----------
    candidate:
        The candidate.
    completeness, weighted_completeness, lsr:
        ``(before, after)`` each; ``weighted_completeness`` is ``None`` when the analysis has no
        weights; a rate may be NaN where undefined.
    lsr_basis:
        ``"value"`` or ``"count"`` (the chain-level basis of the stored analysis).
    weak_closed:
        Segments of the stored weak-link table the candidate closes.
    spof_removed, spof_added:
        Segments that stop or start resting on a single local firm.
    density:
        Relatedness density of the candidate's industry in the region (0..1) or ``None``.
    segments:
        Per segment: ``segment``, ``name_zh``, ``name_en``, ``local_firms_before``,
        ``local_firms_after``, ``present_before``, ``present_after``, ``lsr_before``,
        ``lsr_after``, ``lsr_basis``, ``weak_reason``, ``weak_closed``.
    notes:
        What the figures leave out.
    """

    candidate: Candidate
    completeness: tuple[float, float]
    weighted_completeness: tuple[float, float] | None
    lsr: tuple[float, float]
    lsr_basis: str
    weak_closed: list[str]
    spof_removed: list[str]
    spof_added: list[str]
    density: float | None
    segments: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def _delta(pair: tuple[float, float] | None) -> float | None:
        if pair is None or any(_nan(x) for x in pair):
            return None
        return pair[1] - pair[0]

    def row(self) -> dict[str, Any]:
        """One flat row (for :func:`rank_candidates`, the CLI and the API)."""
        c = self.candidate
        wc = self.weighted_completeness
        return {
            "candidate": c.label,
            "kind": c.kind,
            "uscc": c.uscc,
            "industry_code": c.industry_code,
            "size": c.size,
            "segments": ";".join(c.segments),
            "completeness_before": self.completeness[0],
            "completeness_after": self.completeness[1],
            "completeness_change": self._delta(self.completeness),
            "weighted_completeness_before": None if wc is None else wc[0],
            "weighted_completeness_after": None if wc is None else wc[1],
            "weighted_completeness_change": self._delta(wc),
            "lsr_before": self.lsr[0],
            "lsr_after": self.lsr[1],
            "lsr_change": self._delta(self.lsr),
            "lsr_basis": self.lsr_basis,
            "weak_links_closed": len(self.weak_closed),
            "weak_closed": ";".join(self.weak_closed),
            "spof_removed": ";".join(self.spof_removed),
            "spof_added": ";".join(self.spof_added),
            "spof_change": len(self.spof_added) - len(self.spof_removed),
            "density": self.density,
        }


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _proxy(template: ChainTemplate, present: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One stand-in firm per present segment, all in the proxy region: the chain functions
    read presence from the mapping, so the proxy reproduces every count-basis figure."""
    segs = [s for s in template.segment_ids if s in set(present)]
    ids = [f"__{s}" for s in segs]
    mapping = pd.DataFrame({"uscc": ids, "segment": segs, "confidence": 1.0}, dtype=object)
    mapping["confidence"] = mapping["confidence"].astype("float64")
    firms = pd.DataFrame({"uscc": ids, "region_code": _PROXY}, dtype=object)
    return mapping, firms


def _count_figures(
    template: ChainTemplate, present: Iterable[str], weights: pd.Series | None
) -> tuple[float, float | None, float, pd.Series]:
    """Completeness, weighted completeness, count-basis chain LSR and segment LSR of a
    presence set, through the chain package's functions."""
    mapping, firms = _proxy(template, present)
    comp = chain_completeness(
        mapping,
        firms,
        template,
        _PROXY,
        weights=None if weights is None else weights.to_dict(),
        min_firms=MIN_FIRMS,
    )
    lsr = local_supporting_rate(mapping, firms, template, _PROXY, None, basis="count")
    seg = lsr.segments.set_index("segment")["lsr_count"]
    return comp.completeness, comp.weighted_completeness, lsr.chain, seg


def _moved(rate: float, total: float, add_local: float, add_total: float) -> float:
    """``(L + a) / (T + b)`` from the stored ``rate = L / T``; the stored rate itself when
    nothing is added (so that a candidate without links changes nothing, exactly)."""
    if add_local == 0 and add_total == 0:
        return rate
    den = total + add_total
    if den <= 0:
        return float("nan")
    local = rate * total if total > 0 and not math.isnan(rate) else 0.0
    return (local + add_local) / den


def whatif(
    analysis: ChainAnalysis,
    template: ChainTemplate,
    candidate: Candidate,
    *,
    density: float | None = None,
) -> WhatIf:
    """The change one candidate makes to a stored chain analysis (no recomputation).

    ``present_after(s) = present_before(s) or s ∈ segments(candidate)``; completeness and the
    count-basis local supporting rate are those of :func:`jiqun.chains.chain_completeness` and
    :func:`jiqun.chains.local_supporting_rate` on the new presence. On the value basis,
    ``LSR_after = (L + v + p_local) / (T + p)`` with ``L``, ``T`` the stored local and total
    purchase values of local chain firms, ``v`` the candidate's recorded sales to them (already in
    ``T``, now local) and ``p``, ``p_local`` its own chain-input purchases (it becomes a local
    buyer), all of them from its recorded supply links; per segment likewise. A weak link is closed when its segment was missing and the
    candidate serves it, or when its rate after reaches the stored peer median. A segment rests
    on a single point of failure when exactly one local firm serves it.

    Parameters
    ----------
    analysis:
        The stored analysis of the area (:attr:`jiqun.services.chains.ChainReport.analysis`).
    template:
        Its chain template.
    candidate:
        The candidate (:class:`Candidate`).
    density:
        Relatedness density of the candidate's industry in the region, carried into the result.

    Returns
    -------
    WhatIf

    Raises
    ------
    JiqunError
        A candidate segment that is not in the template, or a candidate with no segment.

    References
    ----------
    ``docs/METHODS.md`` §5; ``docs/planning.md`` ("What-if 补链/招商").

    Example
    -------
    >>> import pandas as pd
    >>> from jiqun.chains import analyse_chain, get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["c"], "region_code": ["1"]})
    >>> m = pd.DataFrame({"uscc": ["c"], "segment": ["cells_modules"], "confidence": [0.9]})
    >>> a = analyse_chain(m, firms, t, "1")
    >>> r = whatif(a, t, Candidate("polysilicon firm", ("polysilicon",)))
    >>> round(r.completeness[1] - r.completeness[0], 4), r.weak_closed
    (0.1667, ['polysilicon'])
    """
    segs = tuple(dict.fromkeys(candidate.segments))
    if not segs:
        raise JiqunError(
            f"候选 {candidate.label} 不对应产业链 {template.id} 的任何环节",
            f"candidate {candidate.label} maps to no segment of chain {template.id}",
        )
    unknown = [s for s in segs if s not in template.segment_ids]
    if unknown:
        raise JiqunError(
            f"产业链 {template.id} 没有环节：{', '.join(unknown)}",
            f"chain {template.id} has no segment {', '.join(unknown)}",
        )
    ct = analysis.completeness.table.set_index("segment").reindex(list(template.segment_ids))
    firms_before = ct["local_firms"].fillna(0).astype("int64")
    firms_after = firms_before + pd.Series(
        [int(s in segs) for s in firms_before.index], index=firms_before.index
    )
    present_before = set(firms_before.index[ct["present"].fillna(False).astype(bool)])
    present_after = present_before | set(segs)
    w = ct["weight"] if "weight" in ct and ct["weight"].notna().any() else None
    has_weights = analysis.completeness.weighted_completeness is not None and w is not None
    # "before" is the stored figure; the proxy of the stored presence gives the same (tested),
    # so before and after differ only by the candidate
    _c0, wc0, _l0, _s0 = _count_figures(template, present_before, w if has_weights else None)
    c1, wc1, lc1, seg_c1 = _count_figures(template, present_after, w if has_weights else None)
    notes: list[str] = []

    lsr = analysis.lsr
    seg = lsr.segments.set_index("segment").reindex(list(template.segment_ids))
    lsr_after = pd.Series(np.nan, index=seg.index)
    for s in seg.index:
        if seg.at[s, "basis"] == "value":
            tot = float(seg.at[s, "total_value"])
            pl, pt = candidate.purchases.get(s, (0.0, 0.0))
            v = float(candidate.local_sales.get(s, 0.0))
            lsr_after[s] = _moved(float(seg.at[s, "lsr"]), tot, v + pl, pt)
        else:
            lsr_after[s] = seg_c1.get(s, np.nan)
    if lsr.chain_basis == "value":
        # T: each purchase link of a local chain firm once (the firm rows add up to the chain)
        big_t = float(pd.to_numeric(lsr.firms["total_value"], errors="coerce").sum())
        pl, pt = candidate.purchases_chain
        v = float(candidate.local_sales_chain)
        lsr_pair = (float(lsr.chain), _moved(float(lsr.chain), big_t, v + pl, pt))
        if v == 0 and pt == 0:
            notes.append(
                "价值口径：候选没有与本地产业链相关的已登记供应关系，配套率不变（新签供货未计）/ value "
                "basis: the candidate has no recorded chain supply links here, so the rate is "
                "unchanged (new contracts are not counted)"
            )
    else:
        lsr_pair = (float(lsr.chain), float(lc1))

    weak = analysis.weak.table
    closed: list[str] = []
    reason: dict[str, str] = {}
    for r in weak.itertuples(index=False):
        reason[str(r.segment)] = str(r.reason)
        if r.reason == "missing":
            if r.segment in segs:
                closed.append(str(r.segment))
        else:
            after, med = lsr_after.get(r.segment, np.nan), r.peer_median
            if not _nan(float(after)) and not _nan(float(med)) and after >= med:
                closed.append(str(r.segment))
    if set(segs) - present_before:
        notes.append(
            "新出现的环节本身的配套率与同类地区比较需重新分析 / whether a newly present segment "
            "is itself a weak link needs a new analysis"
        )

    single_before = set(firms_before.index[firms_before == 1])
    single_after = set(firms_after.index[firms_after == 1])
    order = list(template.segment_ids)
    table = pd.DataFrame(
        {
            "segment": order,
            "name_zh": ct["name_zh"].to_numpy(),
            "name_en": ct["name_en"].to_numpy(),
            "local_firms_before": firms_before.to_numpy(),
            "local_firms_after": firms_after.to_numpy(),
            "present_before": [s in present_before for s in order],
            "present_after": [s in present_after for s in order],
            "lsr_before": pd.to_numeric(seg["lsr"], errors="coerce").to_numpy(),
            "lsr_after": lsr_after.to_numpy(),
            "lsr_basis": seg["basis"].to_numpy(),
            "weak_reason": [reason.get(s) for s in order],
            "weak_closed": [s in closed for s in order],
        }
    )
    return WhatIf(
        candidate,
        (float(analysis.completeness.completeness), float(c1)),
        None if wc0 is None or wc1 is None else (float(wc0), float(wc1)),
        lsr_pair,
        lsr.chain_basis,
        [s for s in order if s in closed],
        [s for s in order if s in single_before - single_after],
        [s for s in order if s in single_after - single_before],
        density,
        table,
        notes,
    )


#: the ranking keys of :func:`rank_candidates`, most important first (all descending)
RANK_ORDER = (
    "weak_links_closed",
    "completeness_change",
    "weighted_completeness_change",
    "lsr_change",
    "spof_net_removed",
    "density",
)


def rank_candidates(results: Sequence[WhatIf]) -> pd.DataFrame:
    """Several candidates side by side, best first.

    Order: weak links closed, then the change in completeness, weighted completeness, local
    supporting rate, single points of failure removed net of those added, and the relatedness
    density (each descending; a missing figure ranks last), then the candidate's label.

    Parameters
    ----------
    results:
        :func:`whatif` of each candidate (same area and chain).

    Returns
    -------
    pandas.DataFrame
        One :meth:`WhatIf.row` per candidate with ``rank`` (1 = best) first.

    References
    ----------
    ``docs/planning.md`` ("What-if 补链/招商").

    Example
    -------
    >>> rank_candidates([]).columns[0]
    'rank'
    """
    df = pd.DataFrame([r.row() for r in results])
    if not len(df):
        return pd.DataFrame(columns=["rank", "candidate"])
    df["spof_net_removed"] = -df["spof_change"]
    keys = [pd.to_numeric(df[k], errors="coerce").fillna(-np.inf) for k in RANK_ORDER]
    sort = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    sort["label"] = df["candidate"]
    order = sort.sort_values(
        [*sort.columns[:-1], "label"],
        ascending=[False] * len(keys) + [True],
        kind="mergesort",
    ).index
    out = df.loc[order].drop(columns="spof_net_removed").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out
