"""Chain-leader candidates (链主候选): a transparent score of revenue share, local linkage,
centrality (PageRank) and R&D. Methods: ``docs/METHODS.md`` §5; PageRank: Page, Brin, Motwani &
Winograd (1999), computed with rustworkx."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from jiqun.chains.inputs import (
    chain_scope,
    has_tag,
    norm_links,
    pct_rank,
)
from jiqun.chains.templates import ChainTemplate
from jiqun.standard.problems import JiqunError

#: default weights of the chain-leader score components (equal: no component is privileged)
DEFAULT_LEADER_WEIGHTS: dict[str, float] = {
    "revenue_share": 0.25,
    "local_linkage": 0.25,
    "centrality": 0.25,
    "rd": 0.25,
}


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
    docs/METHODS.md §5 ("Chain-leader candidates"); PageRank: Page et al. (1999).

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
    _, f, local, q = chain_scope(mapping, firms, template, region, min_confidence)
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
    lk = norm_links(links)
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
    d["c_revenue_share"] = pct_rank(d["revenue_share"])
    d["c_local_linkage"] = pct_rank(d["local_linkage"])
    d["c_centrality"] = pct_rank(d["pagerank"])
    d["c_rd"] = pct_rank(d["rd_expense"])
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
    d["government_listed"] = has_tag(d["tags"], "chain_leader")
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
