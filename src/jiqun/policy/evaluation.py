"""Dynamic cluster evaluation (集群动态评估): indicator system, scores, ranks, tier advice.

Indicators (one row per cluster and year; direction: higher is better):

================  ===========================================================================
``scale``         leading-industry output of the member cities, 万元 (``log`` before scaling)
``growth``        year-on-year growth of that output
``specialisation``LQ of the leading industries in the member cities (employment)
``innovation``    national carriers + single-item champions + little giants inside (``log1p``)
``digital``       share of assessed member firms at MIIT digital level ≥ 3
``chain``         chain completeness (share of template segments present), when computed
``resilience``    1 − share of chain output exposed to single points of failure, when computed
================  ===========================================================================

**Scaling**: each indicator is min–max scaled to 0–100 across the clusters of the same year
(after the transform named above); a constant indicator scales to 50. **Score** = Σ_i w_i·s_i /
Σ_i w_i over the indicators the cluster has (a missing indicator is left out and its weight
redistributed — the ``missing`` column lists them, never a silent zero). Default weights
:data:`DEFAULT_WEIGHTS` (sum 1), documented and user-changeable.

**Tier advice** (Jiqun's stated rule, for discussion, not an official decision):
``world_class_candidate`` — a national cluster in the top 10% of scores with specialisation
LQ ≥ 2; ``national_candidate`` — a provincial or SME cluster in the top 25%; ``decline_warning``
— the score fell by ≥ 10 points, or the rank fell by ≥ 20% of the number of clusters, since the
previous year; otherwise ``maintain``.

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

from jiqun.standard.problems import JiqunError

INDICATORS: dict[str, tuple[str, str, str]] = {
    # name: (中文, English, transform)
    "scale": ("规模", "scale", "log"),
    "growth": ("增长", "growth", "none"),
    "specialisation": ("专业化", "specialisation", "none"),
    "innovation": ("创新资源", "innovation resources", "log1p"),
    "digital": ("数字化水平", "digital level", "none"),
    "chain": ("产业链完整度", "chain completeness", "none"),
    "resilience": ("供应链韧性", "resilience", "none"),
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "scale": 0.20,
    "growth": 0.15,
    "specialisation": 0.20,
    "innovation": 0.20,
    "digital": 0.10,
    "chain": 0.10,
    "resilience": 0.05,
}
ADVICE: dict[str, tuple[str, str]] = {
    "world_class_candidate": ("世界级集群培育候选", "world-class candidate"),
    "national_candidate": ("国家级集群候选", "national candidate"),
    "decline_warning": ("下滑预警", "decline warning"),
    "maintain": ("保持", "maintain"),
}


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
        Input columns plus ``<indicator>_scaled``, ``score`` (0–100), ``rank`` (1 = best within
        the year), ``score_change``, ``rank_change`` (vs the previous year of that cluster),
        ``missing`` (indicators left out), ``advice`` and ``advice_label``.

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
    frames = []
    for _y, g in df.groupby("year", sort=True):
        g = g.copy()
        num = pd.Series(0.0, index=g.index)
        den = pd.Series(0.0, index=g.index)
        missing: dict[int, list[str]] = {i: [] for i in g.index}
        for k in used:
            s = _scaled(g[k], INDICATORS[k][2])
            g[f"{k}_scaled"] = s
            have = s.notna()
            num += np.where(have, s.fillna(0.0) * w[k], 0.0)
            den += np.where(have, w[k], 0.0)
            for i in g.index[~have]:
                missing[i].append(k)
        g["score"] = (num / den.where(den > 0)).astype(float)
        g["rank"] = g["score"].rank(ascending=False, method="min").astype("Int64")
        g["missing"] = [";".join(missing[i]) for i in g.index]
        frames.append(g)
    out = pd.concat(frames).sort_values(["cluster_id", "year"])
    out["score_change"] = out.groupby("cluster_id")["score"].diff()
    out["rank_change"] = out["rank"].astype(float).groupby(out["cluster_id"]).diff()
    n_by_year = out.groupby("year")["cluster_id"].transform("size")
    q90 = out.groupby("year")["score"].transform(lambda s: s.quantile(0.9))
    q75 = out.groupby("year")["score"].transform(lambda s: s.quantile(0.75))
    spec = out["specialisation"] if "specialisation" in out else pd.Series(np.nan, index=out.index)
    declined = ((out["score_change"] <= -10) | (out["rank_change"] >= 0.2 * n_by_year)).fillna(
        False
    )
    top10 = ((out["tier"] == "national") & (out["score"] >= q90) & (spec >= 2)).fillna(False)
    top25 = (out["tier"].isin(["provincial", "sme_characteristic"]) & (out["score"] >= q75)).fillna(
        False
    )
    advice = np.where(
        declined.astype(bool),
        "decline_warning",
        np.where(
            top10.astype(bool),
            "world_class_candidate",
            np.where(
                top25.astype(bool),
                "national_candidate",
                "maintain",
            ),
        ),
    )
    out["advice"] = advice
    out["advice_label"] = [f"{ADVICE[a][0]} / {ADVICE[a][1]}" for a in advice]
    return out.sort_values(["year", "rank", "cluster_id"]).reset_index(drop=True)
