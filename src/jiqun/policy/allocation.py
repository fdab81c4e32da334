"""Differentiated support allocation (差异化支持): a budget split with diminishing returns (HiGHS).

Decision: ``x_c`` = support to cluster c (万元). Each cluster's benefit is concave — every further
万元 does less than the one before — so the optimum spreads the budget instead of giving all of
it to the best-scored cluster (which is what a linear objective always does)::

    maximise    Σ_c f_c(x_c),    f_c(x) = w_c · s_c · ln(1 + x / s_c)
    subject to  Σ_{c ∈ p} x_c ≤ B_p                    (one budget row per pool p; B = Σ_p B_p)
                min_c ≤ x_c ≤ max_c                     (per-cluster floor and cap)
                Σ_{c ∈ f} x_c ≥ share_min_f · B         (optional field floors)
                Σ_{c ∈ f} x_c ≤ share_max_f · B         (optional field caps)

- ``w_c = p_field(c) · p_stage(c) · score_c / 100`` — the evaluation score
  (:mod:`jiqun.policy.evaluation`) times the user's priorities by field and development stage.
  ``w_c = f_c'(0)`` is the value of the cluster's first 万元.
- ``s_c`` (万元, the cluster's **reference amount**, its need) sets how fast returns diminish:
  the marginal value ``f_c'(x) = w_c · s_c / (s_c + x)`` has halved once ``x = s_c``. A cluster
  that can absorb more (a larger one) has a larger ``s_c``. Default: ``B_p / n_p`` (an equal
  share of its pool); :func:`jiqun.services.policy.allocate_support` scales it by size.
- **Pools**: clusters compete only with the clusters of their pool (the service's tier rule:
  one pool per tier, because scores are ranked within a tier and are not comparable across
  tiers). One pool by default.

Where no floor or cap binds, the optimality (KKT) condition ``f_c'(x_c) = λ`` gives the closed
form ``x_c = s_c · (w_c / λ − 1)``: support grows with score (``w_c``) and with need (``s_c``),
and a cluster whose first 万元 is worth less than λ (``w_c ≤ λ``) gets only its floor.

**Solution.** ``f_c`` is approximated on ``[min_c, max_c]`` by chords between breakpoints with
``s_c + t_k`` in geometric progression (ratio ≤ ``1 + rtol``), i.e. K segments with decreasing
slopes ``g_c1 > g_c2 > …``, one LP variable ``0 ≤ y_ck ≤ t_k − t_{k−1}`` per segment
(``x_c = min_c + Σ_k y_ck``). Because the slopes decrease, maximising fills every cluster's
segments in order: a concave maximisation needs no binary variables (Boyd & Vandenberghe 2004,
§4.3, piecewise-linear functions in linear programs). Solved with HiGHS through
:func:`scipy.optimize.linprog` (``method="highs-ipm"``: interior point, then crossover to a
vertex), which also returns the duals. A coarse solve first locates each amount; the fine
segments are placed around it (a window that binds is removed and the program solved again, so
the answer is that of the full fine program). Tolerance:
every cluster's marginal value at the approximate optimum is within a factor ``1 + rtol`` of
the exact ``f_c'(x_c)``, so each amount is within ``2 · rtol · (s_c + x_c)`` of the exact
concave optimum (tests/policy/test_allocation.py compares with :func:`scipy.optimize.minimize`).

**Why each cluster got what it got** — with the pool's budget shadow price λ (value of one
more 万元 of that pool; with field constraints, the cluster's price ``π_c`` = λ + the field
duals):

- *between floor and cap*: it received support until its marginal value fell to π_c (the
  active segment's slope equals the shadow price); ``x_c ≈ s_c · (w_c / π_c − 1)``;
- *at its cap*: its marginal value at the cap is still ≥ π_c; ``reduced_cost`` = how much one
  more 万元 of cap would add;
- *at its floor*: its first 万元 above the floor is worth ≤ π_c; ``reduced_cost`` = how much
  its marginal value would have to rise before it got more.

**Sensitivity**: the allocation re-solved with the budget at −20%, −10%, +10%, +20% (pools
scaled alike, ``s_c`` unchanged), the shadow price in each scenario, and the reduced costs.

No value is written as "-0.0": amounts, duals and their texts are normalised (:func:`nz`,
:func:`fmt`).

Example
-------
>>> import pandas as pd
>>> c = pd.DataFrame({"cluster_id": ["A", "B"], "field": ["it", "it"],
...                   "stage": ["improvement"] * 2, "score": [80.0, 40.0],
...                   "min": [0.0, 0.0], "max": [float("nan")] * 2, "need": [10.0, 10.0]})
>>> r = allocate(c, budget=100.0)
>>> r.allocation.set_index("cluster_id")["amount"].round(0).to_dict()  # x_A + 10 = 2 (x_B + 10)
{'A': 70.0, 'B': 30.0}

References
----------
Boyd, S. & Vandenberghe, L. (2004) Convex Optimization, Cambridge UP, §4.3 (linear programs,
piecewise-linear minimisation) and §5.5 (KKT conditions). Ibaraki, T. & Katoh, N. (1988)
Resource Allocation Problems: Algorithmic Approaches, MIT Press (separable concave resource
allocation). Huangfu, Q. & Hall, J. A. J. (2018) Parallelizing the dual revised simplex method,
Math. Prog. Comp. 10, 119–142 (HiGHS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import OptimizeResult, linprog

from jiqun.standard.problems import JiqunError

TOL = 1e-7
#: default bound on the ratio of consecutive chord slopes minus one (the approximation tolerance)
RTOL = 0.002
#: slopes of the first, coarse solve (within 10%), and the window around its answer (on s + x)
#: in which the fine solve places its segments
_COARSE = 0.1
_WINDOW = 1.25
#: budget scenarios of the sensitivity table
SCENARIOS = (0.8, 0.9, 1.0, 1.1, 1.2)


def nz(v: Any) -> Any:
    """Normalise negative zero (and values within 1e-9 of zero) to ``0.0``.

    Parameters
    ----------
    v: a float, a NumPy array or a pandas Series.

    Returns
    -------
    The same kind of value with ``-0.0`` and tiny residues replaced by ``0.0``.

    Example
    -------
    >>> nz(-0.0), nz(-1e-12), nz(2.5)
    (0.0, 0.0, 2.5)
    """
    if isinstance(v, pd.Series):
        return v.mask(v.abs() <= 1e-9, 0.0) + 0.0
    if isinstance(v, np.ndarray):
        return np.where(np.abs(v) <= 1e-9, 0.0, v) + 0.0
    f = float(v)
    return 0.0 if abs(f) <= 1e-9 else f + 0.0


def fmt(v: float, digits: int = 1, thousands: bool = True) -> str:
    """A number as text with ``digits`` decimals, never ``"-0.0"``.

    Parameters
    ----------
    v: the value; digits: decimals; thousands: group digits with commas.

    Returns
    -------
    str

    Example
    -------
    >>> fmt(-0.00004, 1), fmt(12345.678, 1), fmt(float("nan"))
    ('0.0', '12,345.7', '—')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    x = round(float(v), digits) + 0.0  # round(-0.00004, 1) is -0.0; adding 0.0 drops the sign
    return f"{x:,.{digits}f}" if thousands else f"{x:.{digits}f}"


@dataclass
class AllocationResult:
    """The allocation, its explanation and its sensitivity.

    ``allocation``: one row per cluster (see :func:`allocate`); ``sensitivity``: amount per
    budget scenario; ``shadow_price``: value of one more 万元 of the total budget (split over the
    pools by their shares); ``shadow_prices``: per pool; ``scenario_shadow_price``: the shadow
    price in each budget scenario; ``pool_budgets``: 万元 per pool; ``objective``: Σ f_c(x_c)
    (exact benefit).
    """

    allocation: pd.DataFrame
    sensitivity: pd.DataFrame
    shadow_price: float
    objective: float
    status: str
    notes: list[str] = field(default_factory=list)
    shadow_prices: dict[str, float] = field(default_factory=dict)
    scenario_shadow_price: dict[str, float] = field(default_factory=dict)
    pool_budgets: dict[str, float] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)


def benefit(x: np.ndarray, w: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The concave benefit ``f(x) = w · s · ln(1 + x / s)`` (element-wise).

    Parameters
    ----------
    x: amounts (万元, ≥ 0); w: value of the first 万元; s: reference amounts (万元, > 0).

    Returns
    -------
    numpy.ndarray

    Example
    -------
    >>> float(benefit(np.array([10.0]), np.array([1.0]), np.array([10.0]))[0].round(4))
    6.9315
    """
    return w * s * np.log1p(x / s)


@dataclass
class _Segments:
    owner: np.ndarray  # cluster index of each segment
    length: np.ndarray
    slope: np.ndarray
    start: np.ndarray  # index of each cluster's first segment
    count: np.ndarray  # segments per cluster


def _segments(
    w: np.ndarray, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, rtol: float
) -> _Segments:
    owner, length, slope, count = [], [], [], []
    for c in range(len(w)):
        span = (s[c] + hi[c]) / (s[c] + lo[c])
        k = 0 if hi[c] - lo[c] <= TOL else max(1, math.ceil(math.log(span) / math.log1p(rtol)))
        if k:
            t = (s[c] + lo[c]) * span ** (np.arange(k + 1) / k) - s[c]
            t[0], t[-1] = lo[c], hi[c]
            f = benefit(t, w[c], s[c])
            d = np.diff(t)
            owner.append(np.full(k, c))
            length.append(d)
            slope.append(np.diff(f) / d)
        count.append(k)
    cnt = np.array(count, dtype=int)

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype)

    return _Segments(
        owner=cat(owner, int),
        length=cat(length, float),
        slope=cat(slope, float),
        start=np.concatenate([[0], np.cumsum(cnt)[:-1]]).astype(int),
        count=cnt,
    )


def _solve(
    seg: _Segments,
    lo: np.ndarray,
    pool_of: np.ndarray,
    pool_budget: np.ndarray,
    groups: list[tuple[np.ndarray, float | None, float | None]],
    budget: float,
) -> tuple[OptimizeResult, sparse.csr_matrix]:
    n_seg = len(seg.owner)
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for p in range(len(pool_budget)):
        in_p = pool_of == p
        rows.append(in_p[seg.owner].astype(float))
        rhs.append(pool_budget[p] - lo[in_p].sum())
    for mask, smin, smax in groups:
        col = mask[seg.owner].astype(float)
        if smax is not None:
            rows.append(col)
            rhs.append(smax * budget - lo[mask].sum())
        if smin is not None:
            rows.append(-col)
            rhs.append(-(smin * budget - lo[mask].sum()))
    a = sparse.csr_matrix(np.vstack(rows)) if n_seg else sparse.csr_matrix((len(rows), 0))
    if n_seg == 0:
        return OptimizeResult(
            status=0 if min(rhs) >= -TOL else 2,
            x=np.zeros(0),
            ineqlin=OptimizeResult(marginals=np.zeros(len(rows))),
            message="nothing to decide (every floor equals its cap)",
        ), a
    res = linprog(
        -seg.slope,
        A_ub=a,
        b_ub=np.array(rhs),
        bounds=np.column_stack([np.zeros(n_seg), seg.length]),
        method="highs-ipm",
        # tens of thousands of bounded segment columns and a few rows: HiGHS's presolve (which
        # finds nothing to remove) and its dual simplex took minutes on 70 clusters; the interior
        # point method with crossover (a vertex, hence clean duals) takes about a second
        options={"presolve": False},
    )
    return res, a


def allocate(
    clusters: pd.DataFrame,
    budget: float,
    field_priority: Mapping[str, float] | None = None,
    stage_priority: Mapping[str, float] | None = None,
    field_shares: Mapping[str, tuple[float | None, float | None]] | None = None,
    pool_shares: Mapping[str, float] | None = None,
    rtol: float = RTOL,
) -> AllocationResult:
    """Support allocation with diminishing returns, its explanation and sensitivity.

    Parameters
    ----------
    clusters:
        One row per cluster: ``cluster_id``, ``field``, ``stage``, ``score`` (0–100), ``min``,
        ``max`` (万元; ``max`` may be NaN = no cap other than the pool's budget). Optional:
        ``need`` (reference amount s_c, 万元 > 0; default: the pool's budget / its number of
        clusters) and ``pool`` (default: one pool for all).
    budget:
        Total budget B (万元, > 0).
    field_priority, stage_priority:
        Multipliers of w_c per field and per stage (default 1).
    field_shares:
        Optional ``field → (min share, max share)`` of the total budget.
    pool_shares:
        ``pool → share of the budget`` (sums to 1); default: in proportion to the number of
        clusters in each pool.
    rtol:
        Approximation tolerance (ratio of consecutive chord slopes − 1; default 0.002).

    Returns
    -------
    AllocationResult
        ``allocation`` columns: cluster_id, field, stage, pool, score, min, max, weight (w_c),
        need (s_c), amount, share, at (``min``/``between``/``max``/``fixed``),
        marginal_value (the active segment's slope: the value of the next 万元, at the cap
        of the last one), marginal_exact (f_c'(x_c)), price (π_c), reduced_cost,
        explanation_zh, explanation_en; ``sensitivity``: cluster_id × "80%" … "120%".

    References
    ----------
    Boyd & Vandenberghe (2004) Convex Optimization §4.3, §5.5; Ibaraki & Katoh (1988) Resource
    Allocation Problems; Huangfu & Hall (2018) HiGHS. See the module docstring.

    Example
    -------
    >>> c = pd.DataFrame({"cluster_id": ["A", "B"], "field": ["it"] * 2, "stage": ["x"] * 2,
    ...                   "score": [50.0, 50.0], "min": [0.0, 0.0], "max": [np.nan, np.nan]})
    >>> allocate(c, 10.0).allocation["amount"].round(1).tolist()  # equal, within rtol
    [5.0, 5.0]
    """
    need_cols = {"cluster_id", "field", "stage", "score", "min", "max"}
    missing = need_cols - set(clusters.columns)
    if missing:
        raise JiqunError(
            f"缺少列：{', '.join(sorted(missing))}",
            f"missing columns: {', '.join(sorted(missing))}",
        )
    if budget is None or not np.isfinite(budget) or budget <= 0:
        raise JiqunError("预算必须大于 0", "the budget must be > 0")
    if not 0 < rtol < 1:
        raise JiqunError("近似精度须在 0 与 1 之间", "rtol must be between 0 and 1")
    df = clusters.reset_index(drop=True).copy()
    if df.empty:
        raise JiqunError("没有可分配的集群", "no cluster to allocate to")
    if "pool" not in df:
        df["pool"] = "all"
    df["pool"] = df["pool"].astype(str)
    problems = []
    for r in df.itertuples(index=False):
        if pd.isna(r.score) or not 0 <= r.score <= 100:
            problems.append(f"{r.cluster_id}: score={r.score}")
        if pd.isna(r.min) or r.min < 0:
            problems.append(f"{r.cluster_id}: min={r.min}")
        if not pd.isna(r.max) and r.max < r.min:
            problems.append(f"{r.cluster_id}: max={r.max} < min={r.min}")
        nd = getattr(r, "need", 1.0)
        if pd.isna(nd) or not np.isfinite(nd) or nd <= 0:
            problems.append(f"{r.cluster_id}: need={nd}")
    if problems:
        raise JiqunError(
            "数据有误（得分须在 0–100，下限 ≥ 0，上限 ≥ 下限，参考额 > 0）：" + "；".join(problems),
            "invalid rows (score in 0–100, min ≥ 0, max ≥ min, need > 0): " + "; ".join(problems),
        )
    pools = sorted(df["pool"].unique())
    counts = df["pool"].value_counts()
    if pool_shares is None:
        shares = {p: counts[p] / len(df) for p in pools}
    else:
        shares = {str(k): float(v) for k, v in pool_shares.items()}
        absent = [p for p in pools if p not in shares]
        if absent or any(v < 0 for v in shares.values()) or abs(sum(shares.values()) - 1) > 1e-6:
            raise JiqunError(
                f"各资金池比例须覆盖全部池（{', '.join(pools)}）、非负且合计为 1",
                f"pool shares must cover every pool ({', '.join(pools)}), be ≥ 0 and sum to 1",
            )
    pool_of = df["pool"].map({p: i for i, p in enumerate(pools)}).to_numpy(int)
    base_pool_budget = np.array([shares[p] * budget for p in pools])
    lo = df["min"].to_numpy(float)
    for i, p in enumerate(pools):
        floors = lo[pool_of == i].sum()
        if floors > base_pool_budget[i] + TOL:
            where_zh = "" if len(pools) == 1 else f"资金池 {p} 的"
            where_en = "" if len(pools) == 1 else f" of pool {p}"
            raise JiqunError(
                f"{where_zh}各集群下限之和 {fmt(floors)} 超过预算 {fmt(base_pool_budget[i])}，"
                "无可行方案（请降低下限或提高预算）",
                f"the floors{where_en} add up to {fmt(floors)}, above the budget "
                f"{fmt(base_pool_budget[i])}: infeasible (lower the floors or raise the budget)",
            )
    fp = {k: float(v) for k, v in (field_priority or {}).items()}
    sp = {k: float(v) for k, v in (stage_priority or {}).items()}
    if any(v < 0 for v in (*fp.values(), *sp.values())):
        raise JiqunError("优先级系数不能为负", "priorities must be ≥ 0")
    w = (
        df["field"].map(lambda f: fp.get(f, 1.0)).to_numpy(float)
        * df["stage"].map(lambda s: sp.get(s, 1.0)).to_numpy(float)
        * df["score"].to_numpy(float)
        / 100.0
    )
    if "need" in df:
        s = df["need"].to_numpy(float)
    else:
        s = (base_pool_budget / counts.reindex(pools).to_numpy(float))[pool_of]
    groups = [
        (df["field"].to_numpy() == f, smin, smax)
        for f, (smin, smax) in (field_shares or {}).items()
    ]
    cap = df["max"].to_numpy(float)

    def run(scale: float) -> tuple[OptimizeResult, _Segments, np.ndarray, Any, np.ndarray]:
        """Solve at ``scale`` × the budget: coarse, then fine around the coarse answer.

        Fine segments over the whole [min, max] of every cluster are tens of thousands of
        columns. A coarse solve (slopes within 10%) locates each amount; the fine one is
        restricted to ``s + x`` within a factor :data:`_WINDOW` of it (the part below is a
        constant). A restriction that binds is removed and the fine LP solved again, so the
        answer is the optimum of the full fine program (a convex program: bounds that do not
        bind can be dropped without changing the optimum).
        """
        pb = base_pool_budget * scale
        hi = np.minimum(np.where(np.isnan(cap), np.inf, cap), pb[pool_of])
        hi = np.maximum(hi, lo)
        seg = _segments(w, s, lo, hi, max(rtol, _COARSE))
        res, a = _solve(seg, lo, pool_of, pb, groups, budget * scale)
        if res.status != 0 or rtol >= _COARSE:
            return res, seg, hi, a, lo
        x1 = lo + np.bincount(seg.owner, weights=res.x, minlength=len(w)) if len(res.x) else lo
        base = np.clip((s + x1) / _WINDOW - s, lo, hi)
        top = np.clip((s + x1) * _WINDOW - s, lo, hi)
        tol = TOL * max(1.0, budget)
        for _ in range(len(w) + 1):
            seg = _segments(w, s, base, top, rtol)
            res, a = _solve(seg, base, pool_of, pb, groups, budget * scale)
            if res.status != 0:
                break
            x = base + np.bincount(seg.owner, weights=res.x, minlength=len(w))
            low = (x <= base + tol) & (base > lo + tol)
            high = (x >= top - tol) & (top < hi - tol)
            if not (low.any() or high.any()):
                break
            base, top = np.where(low, lo, base), np.where(high, hi, top)
        return res, seg, hi, a, base

    res, seg, hi, a, base = run(1.0)
    if res.status != 0:
        raise JiqunError(
            f"线性规划无解：{res.message}（检查下限、上限与领域比例）",
            f"the linear program has no solution: {res.message} (check floors, caps, field shares)",
        )
    y = res.x
    x = base + np.bincount(seg.owner, weights=y, minlength=len(df)) if len(y) else base.copy()
    x = np.clip(x, lo, hi)
    x = np.where(x - lo <= TOL * max(1.0, budget), lo, x)
    x = nz(x)
    marg = np.asarray(res.ineqlin.marginals, float)
    lam = nz(-marg[: len(pools)])
    # a cluster's price: the duals of every row its segments are in (pool + field rows)
    price = np.zeros(len(df))
    if len(y):
        col_price = -(a.T @ marg)
        first = seg.start[seg.count > 0]
        price[seg.count > 0] = col_price[first]
    price = np.where(seg.count > 0, price, lam[pool_of])
    price = nz(price)
    mv = np.zeros(len(df))
    rc = np.zeros(len(df))
    at = []
    tol_y = TOL * max(1.0, budget)
    for c in range(len(df)):
        k0, k = seg.start[c], seg.count[c]
        if k == 0:
            at.append("fixed")
            mv[c] = w[c] * s[c] / (s[c] + x[c])
            continue
        g, yy, ln = seg.slope[k0 : k0 + k], y[k0 : k0 + k], seg.length[k0 : k0 + k]
        open_ = np.nonzero(yy < ln - tol_y)[0]
        if x[c] >= hi[c] - tol_y:
            at.append("max")
            mv[c] = g[-1]
            rc[c] = max(g[-1] - price[c], 0.0)
        elif x[c] <= lo[c] + tol_y:
            at.append("min")
            mv[c] = g[0]
            rc[c] = max(price[c] - g[0], 0.0)
        else:
            at.append("between")
            mv[c] = g[open_[0]] if len(open_) else g[-1]
    mv, rc = nz(mv), nz(rc)
    exact = w * s / (s + x)
    expl_zh, expl_en = [], []
    for c in range(len(df)):
        pz, pe = fmt(price[c], 4), fmt(price[c], 4)
        if at[c] == "fixed":
            expl_zh.append(f"下限等于上限，固定为 {fmt(x[c])} 万元")
            expl_en.append(f"floor equals cap: fixed at {fmt(x[c])} 万元")
        elif at[c] == "max":
            expl_zh.append(
                f"达到上限 {fmt(hi[c])} 万元：上限处每万元边际价值 {fmt(mv[c], 4)} 仍不低于"
                f"影子价格 {pz}（上限每提高 1 万元可多得 {fmt(rc[c], 4)}）"
            )
            expl_en.append(
                f"at its cap {fmt(hi[c])} 万元: its marginal value per 万元 there, "
                f"{fmt(mv[c], 4)}, is still ≥ the shadow price {pe} (one more 万元 of cap "
                f"would add {fmt(rc[c], 4)})"
            )
        elif at[c] == "min":
            expl_zh.append(
                f"仅得下限 {fmt(lo[c])} 万元：下限以上第一笔每万元价值 {fmt(mv[c], 4)} 不高于"
                f"影子价格 {pz}（得分 {fmt(df['score'][c])}，需再提高 {fmt(rc[c], 4)} 才能多获支持）"
            )
            expl_en.append(
                f"floor only ({fmt(lo[c])} 万元): its first 万元 above the floor is worth "
                f"{fmt(mv[c], 4)} ≤ the shadow price {pe} (score {fmt(df['score'][c])}; "
                f"it would need +{fmt(rc[c], 4)} to get more)"
            )
        else:
            expl_zh.append(
                f"按边际价值递减分配至每万元边际价值 {fmt(mv[c], 4)} ≈ 影子价格 {pz}："
                f"金额 ≈ 参考额 × (价值系数 / 影子价格 − 1) = {fmt(s[c])} × ({fmt(w[c], 3)} / "
                f"{pz} − 1)；得分越高、参考额（需求）越大，分得越多"
            )
            expl_en.append(
                f"funded until its marginal value per 万元 fell to {fmt(mv[c], 4)} ≈ the shadow "
                f"price {pe}: amount ≈ need × (weight / shadow price − 1) = {fmt(s[c])} × "
                f"({fmt(w[c], 3)} / {pe} − 1); a higher score or a larger need gets more"
            )
    alloc = pd.DataFrame(
        {
            "cluster_id": df["cluster_id"],
            "field": df["field"],
            "stage": df["stage"],
            "pool": df["pool"],
            "score": df["score"].astype(float),
            "min": nz(lo),
            "max": nz(hi),
            "weight": nz(w),
            "need": s,
            "amount": x,
            "share": nz(x / budget),
            "at": at,
            "marginal_value": mv,
            "marginal_exact": nz(exact),
            "price": price,
            "reduced_cost": rc,
            "explanation_zh": expl_zh,
            "explanation_en": expl_en,
        }
    )
    notes = []
    for (mask, smin, smax), f in zip(groups, (field_shares or {}).keys(), strict=True):
        tot = float(x[mask].sum())
        if smax is not None and tot >= smax * budget - 1e-6 * budget:
            notes.append(f"领域 {f} 达到比例上限 / field {f} is at its share cap ({smax:.0%})")
        if smin is not None and tot <= smin * budget + 1e-6 * budget:
            notes.append(f"领域 {f} 处于比例下限 / field {f} is at its share floor ({smin:.0%})")
    for i, p in enumerate(pools):
        left = base_pool_budget[i] - float(x[pool_of == i].sum())
        if left > 1e-6 * budget:
            where = "" if len(pools) == 1 else f" {p}"
            notes.append(
                f"资金池{where}预算有 {fmt(left)} 万元未分配：各集群均已达到上限 / {fmt(left)} 万元 "
                f"of the{where} budget stay unallocated: every cluster is at its cap"
            )
    pool_share_arr = np.array([shares[p] for p in pools])
    sens: dict[str, list[float]] = {}
    sens_lam: dict[str, float] = {}
    for scale in SCENARIOS:
        key = f"{scale:.0%}"
        if scale == 1.0:
            sens[key], sens_lam[key] = list(x), float(pool_share_arr @ lam)
            continue
        if any(
            lo[pool_of == i].sum() > base_pool_budget[i] * scale + TOL for i in range(len(pools))
        ):
            sens[key], sens_lam[key] = [np.nan] * len(df), np.nan
            continue
        r2, seg2, hi2, _a, base2 = run(scale)
        if r2.status != 0:
            sens[key], sens_lam[key] = [np.nan] * len(df), np.nan
            continue
        x2 = base2 + np.bincount(seg2.owner, weights=r2.x, minlength=len(df))
        sens[key] = list(nz(np.clip(x2, lo, hi2)))
        m2 = np.asarray(r2.ineqlin.marginals, float)
        sens_lam[key] = float(nz(pool_share_arr @ nz(-m2[: len(pools)])))
    sensitivity = pd.DataFrame(sens, index=df["cluster_id"]).rename_axis("cluster_id").reset_index()
    return AllocationResult(
        allocation=alloc,
        sensitivity=sensitivity,
        shadow_price=float(nz(pool_share_arr @ lam)),
        objective=float(benefit(x, w, s).sum()),
        status="optimal",
        notes=notes,
        shadow_prices={p: float(lam[i]) for i, p in enumerate(pools)},
        scenario_shadow_price=sens_lam,
        pool_budgets={p: float(base_pool_budget[i]) for i, p in enumerate(pools)},
        basis={
            "benefit": "边际收益递减：f_c(x) = w_c·s_c·ln(1 + x/s_c) / diminishing returns: "
            "f_c(x) = w_c·s_c·ln(1 + x/s_c)",
            "solver": f"HiGHS 分段线性近似（相邻斜率比 ≤ {1 + rtol:g}）/ HiGHS, piecewise-linear "
            f"approximation (slope ratio ≤ {1 + rtol:g})",
        },
    )
