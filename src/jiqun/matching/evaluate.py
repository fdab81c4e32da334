"""Quality check of the matcher on held-out supply links (labelled evaluation set).

Each query is built from one held-out supply link (supplier → buyer, input category):

* the **need** is what the buyer would post: the link's input category (4-digit GB/T 4754
  class) and its product words (``supply_links.product``), with the buyer as the poster (its
  location, and it is excluded from the results). The supplier's id, name, region and
  business scope are **not** used;
* the **relevant** firms are every supplier from which that buyer buys that input category
  (multi-sourcing: any of them is a right answer).

Metrics over *Q* queries, with :math:`R_q` the relevant set and :math:`r_q` the rank of the
first relevant firm in the ranking:

.. math::

    \\mathrm{recall@}k = \\frac1Q \\sum_q \\frac{|R_q \\cap \\mathrm{top}_k(q)|}{|R_q|},
    \\qquad
    \\mathrm{MRR@}m = \\frac1Q \\sum_q \\frac{[r_q \\le m]}{r_q}

(MRR is cut at *m* = 100: a first hit further down counts 0.)

Baselines on the same queries: ``code_only`` (rank by the GB/T 4754 code level alone — same
class 1, group 0.6, division 0.3 — ties broken at random) and ``random`` (a random ranking of
all firms). Ablations re-weight the matcher (e.g. without distance).

References
----------
Manning, Raghavan & Schütze (2008), Introduction to Information Retrieval, ch. 8 (recall,
mean reciprocal rank); Voorhees (1999), TREC-8 QA track (MRR).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jiqun.matching.index import MatchIndex
from jiqun.matching.score import (
    COMPONENTS,
    Need,
    code_scores,
    rank_suppliers,
)

__all__ = ["EvalResult", "evaluate", "holdout_queries"]


def holdout_queries(
    links: pd.DataFrame, n: int = 1000, seed: int = 0, firms: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Draw held-out links and turn each into a query with its relevant suppliers.

    Parameters
    ----------
    links:
        ``supplier_uscc``, ``buyer_uscc``, ``input_category``, ``product``.
    n:
        Number of queries (links drawn without replacement; at most one per
        (buyer, input category) pair).
    seed:
        Random seed.
    firms:
        If given, only links whose buyer and supplier are in ``firms.uscc`` are used.

    Returns
    -------
    pandas.DataFrame
        ``buyer_uscc``, ``input_category``, ``product`` and ``relevant`` (a frozenset of the
        buyer's suppliers of that category).

    Example
    -------
    >>> lk = pd.DataFrame({"supplier_uscc": ["S1", "S2"], "buyer_uscc": ["B", "B"],
    ...     "input_category": ["3453", "3453"], "product": ["减速器", "减速器"]})
    >>> q = holdout_queries(lk, n=5)
    >>> len(q), sorted(q["relevant"].iloc[0])
    (1, ['S1', 'S2'])
    """
    lk = links[["supplier_uscc", "buyer_uscc", "input_category", "product"]].copy()
    if firms is not None:
        known = set(firms["uscc"].astype(str))
        lk = lk[lk["supplier_uscc"].isin(known) & lk["buyer_uscc"].isin(known)]
    rel = lk.groupby(["buyer_uscc", "input_category"])["supplier_uscc"].agg(frozenset)
    pairs = lk.drop_duplicates(["buyer_uscc", "input_category"])
    rng = np.random.default_rng(seed)
    take = rng.choice(len(pairs), size=min(n, len(pairs)), replace=False)
    q = pairs.iloc[np.sort(take)].reset_index(drop=True)
    q["relevant"] = [rel[(b, c)] for b, c in zip(q["buyer_uscc"], q["input_category"], strict=True)]
    return q[["buyer_uscc", "input_category", "product", "relevant"]]


def _metrics(
    ranked: Sequence[str], relevant: frozenset[str], k: int, m: int
) -> tuple[float, float]:
    rec = len(relevant.intersection(ranked[:k])) / len(relevant)
    rr = 0.0
    for i, u in enumerate(ranked[:m]):
        if u in relevant:
            rr = 1.0 / (i + 1)
            break
    return rec, rr


@dataclass
class EvalResult:
    """Metrics per method, and the per-query table."""

    summary: pd.DataFrame
    per_query: pd.DataFrame
    k: int
    mrr_cutoff: int
    notes: list[str] = field(default_factory=list)


def evaluate(
    ix: MatchIndex,
    queries: pd.DataFrame,
    *,
    k: int = 10,
    mrr_cutoff: int = 100,
    seed: int = 0,
    variants: Mapping[str, Mapping[str, Any] | None] | None = None,
    baselines: bool = True,
) -> EvalResult:
    """recall@k and MRR of the matcher, its variants and the baselines on the same queries.

    Formula: see the module docstring.

    Parameters
    ----------
    ix:
        Index over the firms (built without the links: the matcher never sees them).
    queries:
        From :func:`holdout_queries`.
    k:
        Cut-off of recall.
    mrr_cutoff:
        Ranks beyond this count 0 in MRR.
    seed:
        Seed of the random tie-breaks and of the random baseline.
    variants:
        Method name → keyword arguments of :func:`jiqun.matching.rank_suppliers` (e.g.
        ``{"weights": {"distance": 0}}`` or ``{"prefer_cross_region": True}``; ``None`` = the
        defaults). Default: ``{"matcher": None}``.
    baselines:
        Add ``code_only`` and ``random``.

    Returns
    -------
    EvalResult
        ``summary``: ``method``, ``queries``, ``recall@k``, ``mrr``, ``hit@k`` (share of
        queries with ≥ 1 relevant firm in the top k), ``ms_per_query``.

    References
    ----------
    Manning, Raghavan & Schütze (2008), ch. 8.

    Example
    -------
    >>> # see benchmarks/bench_matching.py for a full run on the demo data
    """
    variants = dict(variants or {"matcher": None})
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    timing: dict[str, float] = {}
    for name, kw in variants.items():
        t0 = time.perf_counter()
        for q in queries.itertuples(index=False):
            need = Need(
                text=str(q.product or ""), industry_code=str(q.input_category), uscc=q.buyer_uscc
            )
            res = rank_suppliers(ix, need, top=mrr_cutoff, **dict(kw or {}))
            rec, rr = _metrics(res.table["uscc"].tolist(), q.relevant, k, mrr_cutoff)
            rows.append({"method": name, "buyer_uscc": q.buyer_uscc, "recall": rec, "rr": rr})
        timing[name] = (time.perf_counter() - t0) / max(len(queries), 1) * 1000
    if baselines:
        t0 = time.perf_counter()
        usccs = ix.uscc
        registry = ix.source == "registry"
        for q in queries.itertuples(index=False):
            code = code_scores(ix, str(q.input_category))
            noise = rng.random(ix.n)
            ok = registry & (usccs != q.buyer_uscc)
            idx = np.flatnonzero(ok)
            order = idx[np.lexsort((noise[idx], -code[idx]))][:mrr_cutoff]
            rec, rr = _metrics(usccs[order].tolist(), q.relevant, k, mrr_cutoff)
            rows.append(
                {"method": "code_only", "buyer_uscc": q.buyer_uscc, "recall": rec, "rr": rr}
            )
        timing["code_only"] = (time.perf_counter() - t0) / max(len(queries), 1) * 1000
        t0 = time.perf_counter()
        for q in queries.itertuples(index=False):
            ok = np.flatnonzero(registry & (usccs != q.buyer_uscc))
            order = rng.choice(ok, size=min(mrr_cutoff, len(ok)), replace=False)
            rec, rr = _metrics(usccs[order].tolist(), q.relevant, k, mrr_cutoff)
            rows.append({"method": "random", "buyer_uscc": q.buyer_uscc, "recall": rec, "rr": rr})
        timing["random"] = (time.perf_counter() - t0) / max(len(queries), 1) * 1000
    per = pd.DataFrame(rows)
    g = per.groupby("method", sort=False)
    summary = pd.DataFrame(
        {
            "queries": g.size(),
            f"recall@{k}": g["recall"].mean(),
            "mrr": g["rr"].mean(),
            f"hit@{k}": g["recall"].apply(lambda s: float((s > 0).mean())),
            "ms_per_query": pd.Series(timing),
        }
    ).reset_index(names="method")
    notes = [f"components: {', '.join(COMPONENTS)}"]
    return EvalResult(summary, per, k, mrr_cutoff, notes)
