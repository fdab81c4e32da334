"""Differentiated support allocation (差异化支持): a budget split by linear programming (HiGHS).

Decision: ``x_c`` = support to cluster c (万元). Linear program::

    maximise    Σ_c v_c · x_c
    subject to  Σ_c x_c ≤ B                           (budget)
                min_c ≤ x_c ≤ max_c                    (per-cluster floor and cap)
                Σ_{c ∈ f} x_c ≥ share_min_f · B         (optional field floors)
                Σ_{c ∈ f} x_c ≤ share_max_f · B         (optional field caps)

with the value per yuan ``v_c = p_field(c) · p_stage(c) · (score_c / 100)``: the evaluation score
(:mod:`jiqun.policy.evaluation`) weighted by the user's priorities by field and by development
stage. Solved with HiGHS through :func:`scipy.optimize.linprog` (``method="highs"``), which
also returns the duals used for the explanation.

**Why each cluster got what it got**: with the budget's shadow price λ (value of one more 万元),
a cluster at its cap has ``v_c ≥ λ`` (it is worth more than the marginal use of money), a cluster
at its floor has ``v_c ≤ λ``, and at most one cluster per binding constraint set lies in between
(it takes what is left). Field constraints add their own shadow prices and are named when they
bind. **Sensitivity**: the allocation re-solved with the budget at −20%, −10%, +10%, +20%, and
each cluster's reduced cost (how much its value per yuan would have to rise to get more).

Example
-------
>>> import pandas as pd
>>> c = pd.DataFrame({"cluster_id": ["A", "B", "C"], "field": ["it", "it", "bio"],
...                   "stage": ["national"] * 3, "score": [90.0, 60.0, 30.0],
...                   "min": [10.0, 10.0, 10.0], "max": [50.0, 50.0, 50.0]})
>>> r = allocate(c, budget=100.0)
>>> r.allocation.set_index("cluster_id")["amount"].round(6).to_dict()
{'A': 50.0, 'B': 40.0, 'C': 10.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeResult, linprog

from jiqun.standard.problems import JiqunError

TOL = 1e-7


@dataclass
class AllocationResult:
    allocation: pd.DataFrame
    sensitivity: pd.DataFrame
    shadow_price: float
    objective: float
    status: str
    notes: list[str] = field(default_factory=list)


def _solve(
    v: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    budget: float,
    groups: list[tuple[np.ndarray, float | None, float | None]],
) -> OptimizeResult:
    A = [np.ones_like(v)]
    b = [budget]
    for mask, smin, smax in groups:
        if smax is not None:
            A.append(mask.astype(float))
            b.append(smax * budget)
        if smin is not None:
            A.append(-mask.astype(float))
            b.append(-smin * budget)
    return linprog(
        -v,
        A_ub=np.vstack(A),
        b_ub=np.array(b),
        bounds=list(zip(lo, hi, strict=True)),
        method="highs",
    )


def allocate(
    clusters: pd.DataFrame,
    budget: float,
    field_priority: Mapping[str, float] | None = None,
    stage_priority: Mapping[str, float] | None = None,
    field_shares: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> AllocationResult:
    """Optimal support allocation with explanation and sensitivity.

    Parameters
    ----------
    clusters:
        One row per cluster: ``cluster_id``, ``field``, ``stage``, ``score`` (0–100), ``min``,
        ``max`` (万元; ``max`` may be NaN = no cap other than the budget).
    budget:
        Total budget B (万元, > 0).
    field_priority, stage_priority:
        Multipliers per field and per stage (default 1).
    field_shares:
        Optional ``field → (min share, max share)`` of the budget.

    Returns
    -------
    AllocationResult
        ``allocation`` (cluster_id, amount, value_per_yuan, at, reduced_cost, explanation_zh,
        explanation_en), ``sensitivity`` (budget scenario × cluster amounts), ``shadow_price``,
        ``objective``, ``status``.

    References
    ----------
    Dantzig (1963) Linear Programming and Extensions; Huangfu & Hall (2018) HiGHS.
    """
    need = {"cluster_id", "field", "stage", "score", "min", "max"}
    missing = need - set(clusters.columns)
    if missing:
        raise JiqunError(
            f"缺少列：{', '.join(sorted(missing))}",
            f"missing columns: {', '.join(sorted(missing))}",
        )
    if not budget or budget <= 0:
        raise JiqunError("预算必须大于 0", "the budget must be > 0")
    df = clusters.reset_index(drop=True).copy()
    problems = []
    for i, r in df.iterrows():
        if pd.isna(r["score"]) or not 0 <= r["score"] <= 100:
            problems.append(f"{r['cluster_id']}: score={r['score']}")
        if pd.isna(r["min"]) or r["min"] < 0:
            problems.append(f"{r['cluster_id']}: min={r['min']}")
        if not pd.isna(r["max"]) and r["max"] < r["min"]:
            problems.append(f"{r['cluster_id']}: max={r['max']} < min={r['min']}")
        del i
    if problems:
        raise JiqunError(
            "数据有误（得分须在 0–100，下限 ≥ 0，上限 ≥ 下限）：" + "；".join(problems),
            "invalid rows (score in 0–100, min ≥ 0, max ≥ min): " + "; ".join(problems),
        )
    lo = df["min"].to_numpy(float)
    hi = df["max"].fillna(budget).clip(upper=budget).to_numpy(float)
    if lo.sum() > budget + TOL:
        raise JiqunError(
            f"各集群下限之和 {lo.sum():,.1f} 超过预算 {budget:,.1f}，无可行方案",
            f"the floors add up to {lo.sum():,.1f}, above the budget {budget:,.1f}: infeasible",
        )
    fp = {k: float(v) for k, v in (field_priority or {}).items()}
    sp = {k: float(v) for k, v in (stage_priority or {}).items()}
    v = (
        df["field"].map(lambda f: fp.get(f, 1.0)).to_numpy(float)
        * df["stage"].map(lambda s: sp.get(s, 1.0)).to_numpy(float)
        * df["score"].to_numpy(float)
        / 100.0
    )
    groups = [
        (df["field"].to_numpy() == f, smin, smax)
        for f, (smin, smax) in (field_shares or {}).items()
    ]
    res = _solve(v, lo, hi, budget, groups)
    if res.status != 0:
        raise JiqunError(
            f"线性规划无解：{res.message}（检查下限、上限与领域比例）",
            f"the linear program has no solution: {res.message} (check floors, caps, field shares)",
        )
    x = res.x
    lam = float(-res.ineqlin.marginals[0])  # dual of the budget row (≥ 0 for a maximisation)
    # reduced cost of x_c at its floor: how much v_c must rise before it gets more
    red = np.where(x <= lo + TOL, np.maximum(lam - v, 0.0), 0.0)
    at = np.where(x >= hi - TOL, "max", np.where(x <= lo + TOL, "min", "between"))
    expl_zh, expl_en = [], []
    for k in range(len(df)):
        if at[k] == "max":
            expl_zh.append(
                f"达到上限：每万元价值 {v[k]:.3f} ≥ 预算影子价格 {lam:.3f}（比边际用途更值得）"
            )
            expl_en.append(
                f"at its cap: value per 万元 {v[k]:.3f} ≥ the budget's shadow price {lam:.3f}"
            )
        elif at[k] == "min":
            expl_zh.append(f"仅得下限：每万元价值 {v[k]:.3f} 需再提高 {red[k]:.3f} 才能多获支持")
            expl_en.append(
                f"at its floor: value per 万元 {v[k]:.3f} would need +{red[k]:.3f} to get more"
            )
        else:
            expl_zh.append(f"边际集群：获得其余预算（每万元价值 {v[k]:.3f} = 影子价格）")
            expl_en.append(
                f"marginal: takes what is left (value per 万元 {v[k]:.3f} = shadow price)"
            )
    alloc = pd.DataFrame(
        {
            "cluster_id": df["cluster_id"],
            "field": df["field"],
            "stage": df["stage"],
            "score": df["score"],
            "min": lo,
            "max": hi,
            "value_per_yuan": v,
            "amount": x,
            "share": x / budget,
            "at": at,
            "reduced_cost": red,
            "explanation_zh": expl_zh,
            "explanation_en": expl_en,
        }
    )
    notes = []
    for (mask, smin, smax), f in zip(groups, (field_shares or {}).keys(), strict=True):
        tot = float(x[mask].sum())
        if smax is not None and tot >= smax * budget - TOL:
            notes.append(f"领域 {f} 达到比例上限 / field {f} is at its share cap ({smax:.0%})")
        if smin is not None and tot <= smin * budget + TOL:
            notes.append(f"领域 {f} 处于比例下限 / field {f} is at its share floor ({smin:.0%})")
    sens = {}
    for scale in (0.8, 0.9, 1.0, 1.1, 1.2):
        b = budget * scale
        if lo.sum() > b + TOL:
            sens[f"{scale:.0%}"] = [np.nan] * len(df)
            continue
        r2 = _solve(v, lo, np.minimum(df["max"].fillna(b).to_numpy(float), b), b, groups)
        sens[f"{scale:.0%}"] = list(r2.x) if r2.status == 0 else [np.nan] * len(df)
    sensitivity = pd.DataFrame(sens, index=df["cluster_id"]).rename_axis("cluster_id").reset_index()
    return AllocationResult(
        allocation=alloc,
        sensitivity=sensitivity,
        shadow_price=lam,
        objective=float(v @ x),
        status="optimal",
        notes=notes,
    )
