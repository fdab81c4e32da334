"""Dynamic cluster evaluation (集群动态评估): indicator system, scores, ranks, tier advice.

Indicators (one row per cluster and year; direction: higher is better):

================  ===========================================================================
``scale``         leading-industry output of the member cities, 万元 (``log`` before scaling)
``growth``        year-on-year growth of that output
``specialisation``LQ of the leading industries in the member cities (employment; ``log``: an
                  LQ is a ratio — 0.5 and 2 lie equally far from parity — and one narrow
                  industry's LQ of 100 would otherwise flatten every other cluster to ~0)
``innovation``    national carriers + single-item champions + little giants inside (``log1p``)
``digital``       share of assessed member firms at MIIT digital level ≥ 3
``chain``         chain completeness (share of template segments present), when computed
``resilience``    1 − share of chain output exposed to single points of failure, when computed
================  ===========================================================================

**Population** (who is ranked against whom): the clusters of one tier in one year — national
clusters among themselves, provincial ones among themselves, SME characteristic clusters
(中小企业特色产业集群) among themselves. A county-level SME cluster and a national cluster of
several cities differ by orders of magnitude in scale; ranking them together ranks their size,
not their performance, and would push national clusters down by clusters that are not their
peers. Ranks, score scaling, quantiles and advice are all taken within that population
(``population``, ``group_size``).

**Scaling**: each indicator is min–max scaled to 0–100 across the clusters of the same population
and year (after the transform named above); a constant indicator scales to 50. **Score** =
Σ_i w_i·s_i / Σ_i w_i over the indicators the cluster has data for (a missing indicator is left out
and its weight redistributed — the ``missing`` column lists them, never a silent zero); the
``<indicator>_contribution`` columns are the terms w_i·s_i / Σ_i w_i and add up to the score.
Default weights :data:`DEFAULT_WEIGHTS` (sum 1), documented and user-changeable.

**Insufficient data** (数据不足): an indicator whose data a cluster lacks is ``NaN`` (never 0). A
cluster without data for any of the core indicators :data:`CORE_INDICATORS` in use (the region
statistics of its area: scale and specialisation) gets no score, no rank, no rank change and the
advice ``insufficient_data`` (:data:`INSUFFICIENT_LABEL`), never a policy advice: a composite of
the snapshot counts alone would rank the register's coverage, not the cluster. ``coverage`` is the
share of the weight in use carried by the indicators with data.

**Rank change** (one convention): ``rank_change = previous rank − current rank`` within the
population, against the cluster's previous year; **positive = moved up**, negative = moved down,
empty when either year has no rank. ``score_change = score − previous score``.

**Tier advice** (Jiqun's stated rule, for discussion, not an official decision):
``world_class_candidate`` — a national cluster in the top 10% of the national scores with
specialisation LQ ≥ 2; ``national_candidate`` — a provincial or SME cluster in the top 25% of its
population; ``decline_warning`` — the score fell by ≥ 10 points, or the cluster moved down by ≥ 20%
of its population's size (``rank_change ≤ −0.2·group_size``), since the previous year;
``insufficient_data`` — see above; otherwise ``maintain``.

Example
-------
>>> import pandas as pd
>>> ind = pd.DataFrame({"cluster_id": ["A", "B"], "year": [2023, 2023], "tier": ["national"] * 2,
...                     "scale": [100.0, 1000.0], "specialisation": [3.0, 1.0]})
>>> r = evaluate_clusters(ind, weights={"scale": 0.5, "specialisation": 0.5})
>>> r.set_index("cluster_id")["score"].round(1).to_dict()
{'A': 50.0, 'B': 50.0}
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from jiqun.standard.datafiles import section
from jiqun.standard.problems import JiqunError

#: The data file of the tables below (``jiqun/policy/data/labels.yaml``).
_LABELS = "labels.yaml"
#: Indicators: name -> (中文, English, transform before scoring).
INDICATORS: dict[str, tuple[str, str, str]] = section(_LABELS, "indicators", "jiqun.policy")
#: Default weights of the indicators (they sum to 1).
DEFAULT_WEIGHTS: dict[str, float] = section(_LABELS, "default_weights", "jiqun.policy")
#: Advice: id -> (中文, English).
ADVICE: dict[str, tuple[str, str]] = section(_LABELS, "advice", "jiqun.policy")
#: A cluster is scored only with data for at least one of these (when any is in use).
CORE_INDICATORS = ("scale", "specialisation")
#: The label of an indicator, score or advice without the data it needs.
INSUFFICIENT_LABEL = "数据不足 / insufficient data"
#: The order populations are listed in.
POPULATION_ORDER = {"national": 0, "provincial": 1, "sme_characteristic": 2}


def _scaled(x: pd.Series, transform: str) -> pd.Series:
    v = x.astype(float)
    if transform == "log":
        v = np.log(v.where(v > 0))
    elif transform == "log1p":
        v = np.log1p(v.clip(lower=0))
    lo, hi = v.min(), v.max()
    if not np.isfinite(lo) or not np.isfinite(hi):
        return v * np.nan
    if hi == lo:
        return v.where(v.isna(), 50.0)
    return (v - lo) / (hi - lo) * 100.0


def evaluate_clusters(
    indicators: pd.DataFrame, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Scores, ranks and tier advice for every cluster and year.

    Parameters
    ----------
    indicators:
        One row per (``cluster_id``, ``year``) with ``tier`` and any of :data:`INDICATORS`.
    weights:
        Indicator weights (non-negative; normalised to sum 1 over the indicators used).

    Returns
    -------
    pandas.DataFrame
        Input columns plus ``population`` (the tier the cluster is ranked in),
        ``<indicator>_scaled``, ``<indicator>_contribution`` (they add up to the score),
        ``coverage`` (share of the weight in use with data), ``score`` (0–100, ``NaN`` with
        insufficient data), ``rank`` (1 = best within the population and year; ``<NA>`` without
        a score), ``group_size`` (clusters ranked in that population and year),
        ``score_change``, ``rank_change`` (previous rank − current rank: positive = moved up),
        ``missing`` (indicators without data), ``advice`` and ``advice_label``; sorted by year,
        population, rank (unranked last).

    References
    ----------
    OECD/JRC (2008) Handbook on Constructing Composite Indicators (min–max normalisation,
    weighting); MIIT 先进制造业集群发展专项行动 (tiered cultivation: provincial → national →
    world-class).
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    bad = [k for k in w if k not in INDICATORS]
    if bad:
        raise JiqunError(
            f"未知指标：{', '.join(bad)}；可用：{', '.join(INDICATORS)}",
            f"unknown indicators: {', '.join(bad)}; available: {', '.join(INDICATORS)}",
        )
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise JiqunError("权重必须非负且不全为 0", "weights must be non-negative and not all 0")
    for col in ("cluster_id", "year", "tier"):
        if col not in indicators.columns:
            raise JiqunError(f"缺少列 {col}", f"missing column {col}")
    df = indicators.copy()
    used = [k for k in w if k in df.columns and w[k] > 0]
    w_used = sum(w[k] for k in used)
    df["population"] = df["tier"].astype(object)
    frames = []
    for _key, g in df.groupby(["year", "population"], sort=True, dropna=False):
        g = g.copy()
        num = pd.Series(0.0, index=g.index)
        den = pd.Series(0.0, index=g.index)
        missing: dict[int, list[str]] = {i: [] for i in g.index}
        scaled: dict[str, pd.Series] = {}
        for k in used:
            sc = _scaled(g[k], INDICATORS[k][2])
            scaled[k] = sc
            have = sc.notna()
            num += np.where(have, sc.fillna(0.0) * w[k], 0.0)
            den += np.where(have, w[k], 0.0)
            for i in g.index[~have]:
                missing[i].append(k)
        g["coverage"] = den / w_used if w_used > 0 else 0.0
        core = [k for k in used if k in CORE_INDICATORS] or used
        scored = pd.concat([scaled[k].notna() for k in core], axis=1).any(axis=1) & (den > 0)
        g["score"] = (num / den.where(den > 0)).where(scored).astype(float)
        for k in used:
            g[f"{k}_scaled"] = scaled[k]
            g[f"{k}_contribution"] = (scaled[k] * w[k] / den.where(den > 0)).where(scored)
        g["rank"] = g["score"].rank(ascending=False, method="min").astype("Int64")
        g["group_size"] = int(g["score"].notna().sum())
        g["missing"] = [";".join(missing[i]) for i in g.index]
        frames.append(g)
    out = pd.concat(frames).sort_values(["cluster_id", "year"])
    by_cluster = out.groupby("cluster_id")
    out["score_change"] = by_cluster["score"].diff()
    # ONE convention: previous rank − current rank, positive = moved up
    rank = out["rank"].astype("float64")
    out["rank_change"] = rank.groupby(out["cluster_id"]).shift() - rank
    same_pop = out["population"].eq(by_cluster["population"].shift())
    out.loc[~same_pop, "rank_change"] = np.nan
    keys = [out["year"], out["population"]]
    q90 = out.groupby(keys)["score"].transform(lambda x: x.quantile(0.9))
    q75 = out.groupby(keys)["score"].transform(lambda x: x.quantile(0.75))
    spec = out["specialisation"] if "specialisation" in out else pd.Series(np.nan, index=out.index)
    declined = (
        (out["score_change"] <= -10) | (out["rank_change"] <= -0.2 * out["group_size"])
    ).fillna(False)
    top10 = ((out["tier"] == "national") & (out["score"] >= q90) & (spec >= 2)).fillna(False)
    top25 = (out["tier"].isin(["provincial", "sme_characteristic"]) & (out["score"] >= q75)).fillna(
        False
    )
    advice = np.select(
        [
            out["score"].isna().to_numpy(),
            declined.astype(bool),
            top10.astype(bool),
            top25.astype(bool),
        ],
        ["insufficient_data", "decline_warning", "world_class_candidate", "national_candidate"],
        default="maintain",
    )
    out["advice"] = advice
    out["advice_label"] = [f"{ADVICE[a][0]} / {ADVICE[a][1]}" for a in advice]
    out["_pop"] = out["population"].map(POPULATION_ORDER).fillna(9)
    out["_unranked"] = out["rank"].isna()
    out = out.sort_values(["year", "_pop", "_unranked", "rank", "cluster_id"])
    return out.drop(columns=["_pop", "_unranked"]).reset_index(drop=True)
