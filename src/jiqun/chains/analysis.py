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
``docs/METHODS.md`` §5 (Industrial chains): completeness, local supporting rate (value and
count basis), weak/missing links (补链), 强链, 延链 and chain-leader candidates; ``docs/chains.md``
for the terms. PageRank: Page, Brin, Motwani & Winograd (1999), computed with rustworkx.

Modules
-------
This module runs everything at once (:func:`analyse_chain`) and re-exports the parts:
:mod:`jiqun.chains.inputs` (prepared firms, regions, links, basis labels),
:mod:`jiqun.chains.segments` (segment table, completeness), :mod:`jiqun.chains.supply` (local
supporting rate), :mod:`jiqun.chains.links` (weak, strong and extension links) and
:mod:`jiqun.chains.leaders` (chain-leader candidates).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import pandas as pd

from jiqun.chains.inputs import BASIS_LABELS, prep_firms, region_set
from jiqun.chains.leaders import DEFAULT_LEADER_WEIGHTS, chain_leader_candidates
from jiqun.chains.links import WeakLinks, extend_links, strong_links, weak_links
from jiqun.chains.segments import Completeness, chain_completeness, segment_table
from jiqun.chains.supply import LocalSupportingRate, local_supporting_rate
from jiqun.chains.templates import ChainTemplate

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
    io_coefficients: pd.DataFrame | None = None,
) -> ChainAnalysis:
    """Run every chain metric for one region (see the individual functions for formulas).

    Parameters
    ----------
    mapping, firms, template, region, links:
        See the module docstring.
    measure:
        Value column for segment values, weights, LQ (default ``output``).
    basis, inputs:
        As in :func:`local_supporting_rate`.
    min_confidence:
        Mapping confidence a firm needs to count as a firm of a segment (a qualified firm), for
        every table alike: the segment table, completeness, local supporting rate, weak,
        missing, strong and extension links and leaders. Firms mapped below it are reported
        only as ``firms_low_confidence`` in the segment table.
    related:
        Related area for :func:`extend_links`.
    origin:
        ``(lon, lat)`` of the region for candidate distances.
    top_n:
        Candidates per weak segment and leader candidates (× 2).
    io_coefficients:
        Optional technical coefficients of a user-supplied NBS 42-sector input–output table:
        weights the 补链 candidates by real inter-sector dependence (:func:`weak_links`).

    Returns
    -------
    ChainAnalysis

    References
    ----------
    docs/METHODS.md §5.

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
    reg = region_set(region)
    f = prep_firms(firms)
    # ONE population of chain firms for every part: the qualified firms (confidence ≥
    # min_confidence). The segment table, completeness, the local supporting rate, weak/missing,
    # strong and extension links and the leaders thus agree on which segments are present; a
    # segment with local firms in the table is never listed as missing.
    st = segment_table(mapping, f, template, reg, measure=measure, min_confidence=min_confidence)
    comp = chain_completeness(
        mapping,
        f,
        template,
        reg or [],
        weights="value",
        measure=measure,
        min_confidence=min_confidence,
    )
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
        io_coefficients=io_coefficients,
    )
    strong = strong_links(
        mapping, f, template, reg or [], measure=measure, min_confidence=min_confidence
    )
    ext = extend_links(
        mapping,
        f,
        template,
        reg or [],
        related=related,
        measure=measure,
        min_confidence=min_confidence,
    )
    leaders = chain_leader_candidates(
        mapping, f, template, reg or [], links, min_confidence=min_confidence, top_n=2 * top_n
    )
    # a missing segment whose only local firms are code-mapped below the threshold says so: the
    # official should verify them rather than read "no local firm"
    low = st.set_index("segment")["firms_low_confidence"]
    wt = weak.table
    if len(wt):
        n_low = wt["segment"].map(low).fillna(0).astype("int64")
        hit = (wt["reason"] == "missing") & (n_low > 0)
        if hit.any():
            wt = wt.copy()
            wt.loc[hit, "reason_zh"] = [
                f"缺链：本地无合格企业（另有 {n} 家仅按行业代码低置信度映射，待核实）"
                for n in n_low[hit]
            ]
            weak.table = wt
    notes = [*comp.notes, *lsr.notes, *weak.notes]
    return ChainAnalysis(st, comp, lsr, weak, strong, ext, leaders, list(dict.fromkeys(notes)))
