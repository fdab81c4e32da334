"""Time-to-survive, performance impact and risk exposure as linear programs (HiGHS).

A chain is described by two tables (``docs/resilience.md``, section "Time-to-survive"):

``nodes``
    ``id``; ``inventory`` (units of the node's own output on hand; empty = 0); ``capacity``
    (units per period; empty or ``inf`` = unlimited); ``demand`` (external demand per period,
    final products only; empty = 0); ``margin`` (profit per unit of external demand lost, final
    products; needed by :func:`performance_impact` and :func:`risk_exposure` only).
``bom``
    ``buyer``, ``material``, ``supplier``, ``units`` (units of the supplier's output per unit of
    the buyer's output). Rows sharing ``buyer`` and ``material`` list alternative suppliers
    ``P_jk`` of material ``k`` for buyer ``j``; different materials of one buyer are all needed.

Notation (``docs/METHODS.md`` §6): node ``i`` has inventory ``s_i``, capacity ``c_i``, demand ``d_i``,
margin ``f_i``; a bom row ``e = (j, k, i)`` has ``r_e = units``. Every quantity is *cumulative
over a window of length t*: production ``u_i``, shipments ``y_e`` along bom row ``e`` and, in
the PI model, lost sales ``l_j``. Because the constraints are homogeneous in ``(u, y, t)`` apart
from the inventories, the time-to-survive problem is linear in ``t`` (Simchi-Levi et al. 2015).

Constraints shared by both models (``D`` = disrupted nodes)::

    bill of materials   Σ_{e ∈ P_jk} y_e / r_e − u_j ≥ 0          every buyer j, material k
    balance             Σ_{e: supplier(e) = i} y_e + x_i − u_i ≤ s_i  every node i
    capacity            u_i ≤ c_i · t                              finite c_i
    disruption          u_n = 0                                    n ∈ D
    all variables ≥ 0

where ``x_i`` is the external sales of node ``i``: ``x_i = d_i·t`` in the TTS model (no lost
sales) and ``x_j = d_j·t − l_j`` in the PI model. This separates the sales of a node from its
shipments to other nodes; with final products that supply nobody it is exactly the model of
Simchi-Levi et al. (2015): ``l_j + u_j + s_j ≥ d_j·t``.

- **TTS(D)** = max ``t`` subject to the above with ``0 ≤ t ≤ horizon``.
- **PI(D, T)** = min ``Σ_j f_j·l_j`` subject to the above with ``t = T`` (the time to recover)
  and ``0 ≤ l_j ≤ d_j·T``.

Assumptions: no lead times inside the window (the classical single-period TTS relaxation);
inventory is held as each node's own finished output and the disrupted node keeps its stock
(set its ``inventory`` to 0 to model a fire that destroys it); materials of a buyer are perfect
complements and alternative suppliers of one material are perfect substitutes. Feasibility is
monotone in ``t`` (scale a feasible solution down), so ``PI(D, T) = 0`` exactly when
``TTS(D) ≥ T`` for positive margins; :func:`risk_exposure` uses this to skip PI solves.

Two exact reductions keep sweeps fast: a single-sourced material needs no ``y`` (``y_e =
r_e·u_j`` is substituted), and *free* nodes (unlimited capacity, not disrupted, every material
with a free supplier) leave the LP together with every material they can supply (see
:class:`_Solver`).

References
----------
- Simchi-Levi, D., Schmidt, W. & Wei, Y. (2014). From superstorms to factory fires: managing
  unpredictable supply-chain disruptions. *Harvard Business Review* 92(1–2), 96–101.
- Simchi-Levi, D., Schmidt, W., Wei, Y., Zhang, P. Y., Combs, K., Ge, Y., Gusikhin, O.,
  Sanders, M. & Zhang, D. (2015). Identifying risks and mitigating disruptions in the automotive
  supply chain. *Interfaces* 45(5), 375–390.
- Huangfu, Q. & Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
  *Mathematical Programming Computation* 10(1), 119–142 (HiGHS).
- Willems, S. P. (2008). Real-world multiechelon supply chains used for inventory optimization.
  *M&SOM* 10(1), 19–23 (for :func:`willems_tts_inputs`).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from jiqun.analytics.rca import JiqunWarning, fmt_labels
from jiqun.standard.problems import JiqunError, Problem

__all__ = [
    "performance_impact",
    "risk_exposure",
    "time_to_survive",
    "willems_tts_inputs",
]

_INF = float(highspy.kHighsInf)
#: relative tolerance for "t reached the horizon" and "TTS ≥ TTR"
_RTOL = 1e-9

# ``highspy.Highs`` prints a banner to stdout when it is constructed (it installs callbacks
# before any option can be set); the plain core class does not, and has the same methods.
_HighsClass: Any = getattr(highspy, "_Highs", highspy.Highs)


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chain:
    """Validated chain in positional form (node ``i`` = row ``i`` of ``nodes``)."""

    ids: pd.Index
    inventory: np.ndarray
    capacity: np.ndarray  # inf = unlimited
    demand: np.ndarray
    margin: np.ndarray | None  # NaN where demand is 0 and no margin was given
    supplier: np.ndarray  # per bom row, node position
    buyer: np.ndarray
    units: np.ndarray
    group: np.ndarray  # per bom row, index of its (buyer, material) pair
    group_buyer: np.ndarray  # per group, buyer position

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return len(self.supplier)


def _py(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _raise(problems: list[Problem]) -> None:
    if not problems:
        return
    p = problems[0]
    if len(problems) == 1:
        raise JiqunError(p.message_zh, p.message_en, problems)
    raise JiqunError(
        f"共 {len(problems)} 个问题，第一个：{p.message_zh}",
        f"{len(problems)} problems, the first: {p.message_en}",
        problems,
    )


def _problem(
    table: str,
    row: int | np.integer | None,
    column: str | None,
    value: Any,
    rule: str,
    zh: str,
    en: str,
) -> Problem:
    # Row positions come from np.flatnonzero; a NumPy integer in Problem.row breaks JSON output.
    row = None if row is None else int(row)
    where_zh = f"{table} 表" + (f"第 {row} 行" if row is not None else "")
    where_en = f"{table}" + (f" row {row}" if row is not None else "")
    col_zh = f"列「{column}」" if column else ""
    col_en = f" column {column!r}" if column else ""
    val = "" if value is None else repr(_py(value))
    return Problem(
        row=row,
        column=column,
        value="" if value is None else str(_py(value)),
        rule=f"tts.{rule}",
        severity="error",
        message_zh=f"{where_zh}{col_zh}的值 {val}：{zh}" if val else f"{where_zh}{col_zh}：{zh}",
        message_en=f"{where_en}{col_en} value {val}: {en}" if val else f"{where_en}{col_en}: {en}",
    )


def _arc_ends(
    arcs: pd.DataFrame, table: str, ids: pd.Index, id_table: str, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``ids`` of each arc's supplier and buyer (−1 and a problem where unknown)."""
    sup = ids.get_indexer(pd.Index(arcs["supplier"]))
    buy = ids.get_indexer(pd.Index(arcs["buyer"]))
    for col, idx in (("supplier", sup), ("buyer", buy)):
        for pos in np.flatnonzero(idx < 0):
            problems.append(
                _problem(
                    table,
                    pos + 1,
                    col,
                    arcs[col].iloc[pos],
                    "unknown_id",
                    f"不是 {id_table} 中的 id",
                    f"is not an id of {id_table}",
                )
            )
    return sup, buy


def _require_columns(df: Any, table: str, columns: Iterable[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise JiqunError(
            f"{table} 必须是 pandas.DataFrame，收到 {type(df).__name__}",
            f"{table} must be a pandas.DataFrame, got {type(df).__name__}",
        )
    missing = [c for c in columns if c not in df.columns]
    _raise(
        [
            _problem(table, None, c, None, "missing_column", "缺少该列", "column is missing")
            for c in missing
        ]
    )


def _numeric(
    df: pd.DataFrame,
    table: str,
    column: str,
    problems: list[Problem],
    *,
    empty: float,
    allow_inf: bool = False,
    positive: bool = False,
) -> np.ndarray:
    """Column as float64; empty cells become ``empty``; bad cells are reported in ``problems``."""
    raw = df[column]
    num = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    is_empty = (
        raw.isna().to_numpy() | raw.astype(str).str.strip().isin(["", "nan", "NaN"]).to_numpy()
    )
    for pos in np.flatnonzero(np.isnan(num) & ~is_empty):
        problems.append(
            _problem(
                table, pos + 1, column, raw.iloc[pos], "not_number", "不是数字", "is not a number"
            )
        )
    num = np.where(np.isnan(num), empty, num)
    bad = (num <= 0) if positive else (num < 0)
    for pos in np.flatnonzero(bad):
        zh, en = ("必须 > 0", "must be > 0") if positive else ("不能为负", "must not be negative")
        problems.append(_problem(table, pos + 1, column, raw.iloc[pos], "range", zh, en))
    if not allow_inf:
        for pos in np.flatnonzero(np.isinf(num)):
            problems.append(
                _problem(
                    table, pos + 1, column, raw.iloc[pos], "infinite", "必须有限", "must be finite"
                )
            )
    return num


def _prepare(nodes: Any, bom: Any, *, need_margin: bool) -> _Chain:
    cols = ["id", "inventory", "capacity", "demand"] + (["margin"] if need_margin else [])
    _require_columns(nodes, "nodes", cols)
    _require_columns(bom, "bom", ["buyer", "material", "supplier", "units"])
    problems: list[Problem] = []

    ids = pd.Index(nodes["id"])
    for pos in np.flatnonzero(ids.isna()):
        problems.append(
            _problem("nodes", pos + 1, "id", None, "id_empty", "id 为空", "id is empty")
        )
    for pos in np.flatnonzero(ids.duplicated() & ~ids.isna()):
        problems.append(
            _problem("nodes", pos + 1, "id", ids[pos], "id_duplicate", "id 重复", "duplicated id")
        )
    inventory = _numeric(nodes, "nodes", "inventory", problems, empty=0.0)
    capacity = _numeric(nodes, "nodes", "capacity", problems, empty=np.inf, allow_inf=True)
    demand = _numeric(nodes, "nodes", "demand", problems, empty=0.0)
    margin = None
    if need_margin:
        margin = _numeric(nodes, "nodes", "margin", problems, empty=np.nan)
        for pos in np.flatnonzero(np.isnan(margin) & (demand > 0)):
            problems.append(
                _problem(
                    "nodes",
                    pos + 1,
                    "margin",
                    None,
                    "margin_missing",
                    f"节点 {_py(ids[pos])!r} 有需求但利润为空",
                    f"node {_py(ids[pos])!r} has demand but no margin",
                )
            )
    _raise(problems)

    units = _numeric(bom, "bom", "units", problems, empty=np.nan, positive=True)
    for pos in np.flatnonzero(np.isnan(units)):
        problems.append(_problem("bom", pos + 1, "units", None, "units_empty", "为空", "is empty"))
    sup, buy = _arc_ends(bom, "bom", ids, "nodes", problems)
    mat = bom["material"]
    for pos in np.flatnonzero(mat.isna().to_numpy()):
        problems.append(
            _problem("bom", pos + 1, "material", None, "material_empty", "为空", "is empty")
        )
    for pos in np.flatnonzero((sup == buy) & (sup >= 0)):
        problems.append(
            _problem(
                "bom",
                pos + 1,
                "supplier",
                bom["supplier"].iloc[pos],
                "self_supply",
                "供应商与采购方相同",
                "supplier equals buyer",
            )
        )
    dup = bom.duplicated(subset=["buyer", "material", "supplier"]).to_numpy()
    for pos in np.flatnonzero(dup):
        problems.append(
            _problem(
                "bom",
                pos + 1,
                None,
                None,
                "duplicate",
                f"(buyer, material, supplier) = ({_py(bom['buyer'].iloc[pos])!r}, "
                f"{_py(mat.iloc[pos])!r}, {_py(bom['supplier'].iloc[pos])!r}) 重复",
                f"(buyer, material, supplier) = ({_py(bom['buyer'].iloc[pos])!r}, "
                f"{_py(mat.iloc[pos])!r}, {_py(bom['supplier'].iloc[pos])!r}) is duplicated",
            )
        )
    _raise(problems)

    n = len(ids)
    if len(bom):
        g = sparse.coo_matrix((np.ones(len(sup)), (sup, buy)), shape=(n, n)).tocsr()
        ncomp, label = connected_components(g, directed=True, connection="strong")
        if ncomp < n:
            big = np.flatnonzero(np.bincount(label) > 1)
            cyc = ids[np.isin(label, big)]
            raise JiqunError(
                f"bom 含有循环（互为上下游的节点）：{fmt_labels(cyc)}",
                f"bom contains a cycle (nodes upstream of themselves): {fmt_labels(cyc)}",
            )
    pairs = pd.MultiIndex.from_arrays([buy, pd.Index(mat)])
    group, uniq = pd.factorize(pairs)
    group_buyer = np.asarray(uniq.get_level_values(0), dtype=np.int64)
    return _Chain(
        ids=ids,
        inventory=inventory,
        capacity=capacity,
        demand=demand,
        margin=margin,
        supplier=sup.astype(np.int64),
        buyer=buy.astype(np.int64),
        units=units,
        group=np.asarray(group, dtype=np.int64),
        group_buyer=group_buyer,
    )


def _positions(chain: _Chain, disrupted: Any) -> np.ndarray:
    if isinstance(disrupted, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)):
        wanted = list(disrupted)
    else:
        wanted = [disrupted]
    idx = chain.ids.get_indexer(pd.Index(wanted, dtype=object))
    unknown = [w for w, i in zip(wanted, idx, strict=True) if i < 0]
    if unknown:
        raise JiqunError(
            f"disrupted 中的节点不在 nodes 的 id 中：{fmt_labels(unknown)}",
            f"disrupted names nodes that are not ids of nodes: {fmt_labels(unknown)}",
        )
    return np.unique(idx.astype(np.int64))


def _check_time(value: Any, name: str, *, positive: bool) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not np.isfinite(v) or v < 0 or (positive and v == 0):
        rule_zh = "必须是有限正数" if positive else "必须是有限非负数"
        rule_en = "must be a finite positive number" if positive else "must be finite and ≥ 0"
        raise JiqunError(f"{name} {rule_zh}，收到 {value!r}", f"{name} {rule_en}, got {value!r}")
    return v


# --------------------------------------------------------------------------------------------
# LP construction
# --------------------------------------------------------------------------------------------


def _new_highs() -> Any:
    h = _HighsClass()
    h.setOptionValue("output_flag", False)
    return h


def _pass(
    h: Any,
    A: sparse.csc_matrix,
    cost: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    sense: Any,
) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = col_lo
    lp.col_upper_ = np.where(np.isinf(col_hi), _INF, col_hi)
    lp.row_lower_ = np.where(np.isinf(row_lo), -_INF, row_lo)
    lp.row_upper_ = np.where(np.isinf(row_hi), _INF, row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    lp.sense_ = sense
    h.passModel(lp)


def _shared_rows(chain: _Chain) -> tuple[list[np.ndarray], int, int]:
    """COO triplets (rows, cols, vals) of the bom and balance rows, row count, ``y`` count.

    Columns ``0..n−1`` are ``u``; ``n..n+ny−1`` are the shipments ``y_e`` of bom rows whose
    material has alternative suppliers. Rows ``0..G−1`` are the bom rows of those materials and
    rows ``G..G+n−1`` the balance rows. A single-sourced material needs no ``y``: shipping more
    than ``r_e·u_j`` never helps, so ``y_e = r_e·u_j`` is substituted into the supplier's balance
    row (an exact reduction that shrinks Willems-type chains several-fold).
    """
    n = chain.n
    size = np.bincount(chain.group, minlength=len(chain.group_buyer))
    multi_row = size[chain.group] > 1
    e = np.flatnonzero(multi_row)
    ny = len(e)
    gid, g_of_e = np.unique(chain.group[e], return_inverse=True)
    G = len(gid)
    one = np.flatnonzero(~multi_row)
    nodes = np.arange(n)
    yc = n + np.arange(ny)
    rows = [g_of_e, np.arange(G), G + chain.supplier[e], G + nodes, G + chain.supplier[one]]
    cols = [yc, chain.group_buyer[gid], yc, nodes, chain.buyer[one]]
    vals = [1.0 / chain.units[e], -np.ones(G), np.ones(ny), -np.ones(n), chain.units[one]]
    return [np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)], G + n, ny


class _TtsModel:
    """max t s.t. bom, balance (with d·t), u ≤ c·t, u_D = 0, 0 ≤ t ≤ horizon."""

    def __init__(self, chain: _Chain, horizon: float) -> None:
        n = chain.n
        (r, c, v), nrow, m = _shared_rows(chain)
        tcol = n + m
        G = nrow - n
        # balance rows: + d_i·t
        fin = np.flatnonzero(chain.demand > 0)
        cap = np.flatnonzero(np.isfinite(chain.capacity))
        r = np.concatenate([r, G + fin, nrow + np.arange(len(cap)), nrow + np.arange(len(cap))])
        c = np.concatenate([c, np.full(len(fin), tcol), cap, np.full(len(cap), tcol)])
        v = np.concatenate([v, chain.demand[fin], np.ones(len(cap)), -chain.capacity[cap]])
        nrows = nrow + len(cap)
        A = sparse.csc_matrix((v, (r, c)), shape=(nrows, n + m + 1))
        A.sum_duplicates()
        row_lo = np.concatenate([np.zeros(G), np.full(n, -np.inf), np.full(len(cap), -np.inf)])
        row_hi = np.concatenate([np.full(G, np.inf), chain.inventory, np.zeros(len(cap))])
        cost = np.zeros(n + m + 1)
        cost[tcol] = 1.0
        col_lo = np.zeros(n + m + 1)
        col_hi = np.full(n + m + 1, np.inf)
        col_hi[tcol] = horizon
        self.h = _new_highs()
        _pass(self.h, A, cost, col_lo, col_hi, row_lo, row_hi, highspy.ObjSense.kMaximize)
        self.tcol = tcol

    def solve(self, down: np.ndarray) -> float:
        k = len(down)
        if k:
            self.h.changeColsBounds(k, down.astype(np.int32), np.zeros(k), np.zeros(k))
        try:
            _run(self.h)
            return float(self.h.getSolution().col_value[self.tcol])
        finally:
            if k:
                self.h.changeColsBounds(k, down.astype(np.int32), np.zeros(k), np.full(k, _INF))


class _PiModel:
    """min Σ f·l s.t. bom, balance (with d·T − l), u ≤ c·T, 0 ≤ l ≤ d·T, u_D = 0."""

    def __init__(self, chain: _Chain) -> None:
        assert chain.margin is not None
        n = chain.n
        self.chain = chain
        self.fin = np.flatnonzero(chain.demand > 0)
        nf = len(self.fin)
        (r, c, v), nrow, m = _shared_rows(chain)
        self.m = m
        self.G = nrow - n
        r = np.concatenate([r, self.G + self.fin])
        c = np.concatenate([c, n + m + np.arange(nf)])
        v = np.concatenate([v, -np.ones(nf)])
        A = sparse.csc_matrix((v, (r, c)), shape=(nrow, n + m + nf))
        A.sum_duplicates()
        cost = np.zeros(n + m + nf)
        cost[n + m :] = chain.margin[self.fin]
        self.ncol = n + m + nf
        row_lo = np.concatenate([np.zeros(self.G), np.full(n, -np.inf)])
        row_hi = np.concatenate([np.full(self.G, np.inf), chain.inventory])
        self.h = _new_highs()
        _pass(
            self.h,
            A,
            cost,
            np.zeros(self.ncol),
            np.full(self.ncol, np.inf),
            row_lo,
            row_hi,
            highspy.ObjSense.kMinimize,
        )
        self.ttr: float | None = None

    def _set_ttr(self, ttr: float) -> None:
        if self.ttr == ttr:
            return
        ch, n, m = self.chain, self.chain.n, self.m
        cap = np.flatnonzero(np.isfinite(ch.capacity))
        if len(cap):
            self.h.changeColsBounds(
                len(cap), cap.astype(np.int32), np.zeros(len(cap)), ch.capacity[cap] * ttr
            )
        nf = len(self.fin)
        if nf:
            lcols = (n + m + np.arange(nf)).astype(np.int32)
            self.h.changeColsBounds(nf, lcols, np.zeros(nf), ch.demand[self.fin] * ttr)
            rows = (self.G + self.fin).astype(np.int32)
            hi = ch.inventory[self.fin] - ch.demand[self.fin] * ttr
            self.h.changeRowsBounds(nf, rows, np.full(nf, -_INF), hi)
        self.ttr = ttr

    def solve(self, down: np.ndarray, ttr: float) -> float:
        self._set_ttr(ttr)
        k = len(down)
        if k:
            self.h.changeColsBounds(k, down.astype(np.int32), np.zeros(k), np.zeros(k))
        try:
            _run(self.h)
            pi = float(self.h.getInfo().objective_function_value)
        finally:
            if k:
                cap = self.chain.capacity[down] * ttr
                self.h.changeColsBounds(
                    k, down.astype(np.int32), np.zeros(k), np.where(np.isinf(cap), _INF, cap)
                )
        f = self.chain.margin if self.chain.margin is not None else np.zeros(self.chain.n)
        d = self.chain.demand
        scale = float(np.sum(f[self.fin] * d[self.fin]) * ttr) if len(self.fin) else 0.0
        return 0.0 if pi <= _RTOL * max(scale, 1.0) else pi


#: the reduced model is used when it keeps at most this share of the nodes; otherwise the full
#: model is re-solved from the previous basis (warm start)
_REDUCE_SHARE = 0.5


def _free(chain: _Chain, down: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Nodes that can supply any amount: unlimited capacity, not disrupted, and every material
    with at least one free supplier (the greatest fixpoint; unique on a DAG)."""
    free = np.isinf(chain.capacity) if start is None else start.copy()
    free[down] = False
    G = len(chain.group_buyer)
    while True:
        ok = np.bincount(chain.group, weights=free[chain.supplier], minlength=G) > 0
        bad = np.zeros(chain.n, dtype=bool)
        bad[chain.group_buyer[~ok]] = True
        new = free & ~bad
        if np.array_equal(new, free):
            return free
        free = new


def _restrict(chain: _Chain, free: np.ndarray) -> _Chain:
    """The chain without its free nodes and without materials that have a free supplier."""
    keep = ~free
    ok = np.bincount(chain.group, weights=free[chain.supplier], minlength=len(chain.group_buyer))
    rows = keep[chain.buyer] & ~(ok[chain.group] > 0)
    new = np.cumsum(keep) - 1
    gid, g_inv = np.unique(chain.group[rows], return_inverse=True)
    return _Chain(
        ids=chain.ids[keep],
        inventory=chain.inventory[keep],
        capacity=chain.capacity[keep],
        demand=chain.demand[keep],
        margin=None if chain.margin is None else chain.margin[keep],
        supplier=new[chain.supplier[rows]],
        buyer=new[chain.buyer[rows]],
        units=chain.units[rows],
        group=g_inv.astype(np.int64),
        group_buyer=new[chain.group_buyer[gid]],
    )


class _Solver:
    """TTS and PI of one chain for many disruptions.

    Exact reduction per disruption: a *free* node (see :func:`_free`) can deliver any quantity
    at any ``t``, so its variables and rows are dropped, as are materials with a free supplier
    (their bom row can always be met). What is left is the part of the chain the disruption can
    starve plus everything with finite capacity. When that is small (Willems-type chains with
    unlimited capacity) a small LP is solved; otherwise the full LP is re-solved from the basis
    of the previous disruption.
    """

    def __init__(self, chain: _Chain, horizon: float) -> None:
        self.chain = chain
        self.horizon = horizon
        self.free0 = _free(chain, np.empty(0, dtype=np.int64))
        self._tts: _TtsModel | None = None
        self._pi: _PiModel | None = None

    def _reduced(self, down: np.ndarray) -> tuple[_Chain, np.ndarray] | None:
        free = _free(self.chain, down, self.free0)
        if (~free).sum() > _REDUCE_SHARE * self.chain.n:
            return None
        sub = _restrict(self.chain, free)
        return sub, (np.cumsum(~free) - 1)[down]

    def tts(self, down: np.ndarray) -> float:
        red = self._reduced(down)
        if red is None:
            if self._tts is None:
                self._tts = _TtsModel(self.chain, self.horizon)
            return self._tts.solve(down)
        sub, d = red
        if not (sub.demand > 0).any():
            return self.horizon
        return _TtsModel(sub, self.horizon).solve(d)

    def pi(self, down: np.ndarray, ttr: float) -> float:
        if ttr == 0:
            return 0.0
        red = self._reduced(down)
        if red is None:
            if self._pi is None:
                self._pi = _PiModel(self.chain)
            return self._pi.solve(down, ttr)
        sub, d = red
        if not (sub.demand > 0).any():
            return 0.0
        return _PiModel(sub).solve(d, ttr)


def _run(h: Any) -> None:
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        text = h.modelStatusToString(status)
        raise JiqunError(
            f"HiGHS 未能求得最优解（状态：{text}）",
            f"HiGHS did not reach an optimal solution (status: {text})",
        )


def _no_demand(chain: _Chain) -> None:
    if not (chain.demand > 0).any():
        raise JiqunError(
            "没有任何节点有外部需求（demand > 0），无法计算生存时间/绩效影响",
            "no node has external demand (demand > 0); TTS and PI are undefined",
        )


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def time_to_survive(
    nodes: pd.DataFrame, bom: pd.DataFrame, disrupted: Any, horizon: float = 1000.0
) -> float:
    """Time-to-survive: how long all final demand can still be met while ``disrupted`` is down.

    LP (variables cumulative over ``[0, t]``; ``D`` = disrupted nodes)::

        max  t
        s.t. Σ_{e∈P_jk} y_e / r_e − u_j ≥ 0              every buyer j and material k
             Σ_{e: supplier(e)=i} y_e + d_i·t − u_i ≤ s_i   every node i
             u_i − c_i·t ≤ 0                             every node with finite capacity
             u_n = 0 (n ∈ D);  u, y ≥ 0;  0 ≤ t ≤ horizon

    Source: Simchi-Levi, Schmidt & Wei (2014) HBR; Simchi-Levi et al. (2015) *Interfaces* 45(5),
    the TTS model (there ``l_j + u_j + s_j ≥ d_j·t`` with no lost sales; here external sales
    ``d_i·t`` enter the balance row so a node may both sell and supply). Solved with HiGHS.

    Parameters
    ----------
    nodes:
        Columns ``id``, ``inventory``, ``capacity`` (per period, empty = unlimited), ``demand``
        (per period, final products); see the module docstring.
    bom:
        Columns ``buyer``, ``material``, ``supplier``, ``units``; rows sharing ``buyer`` and
        ``material`` are alternative suppliers.
    disrupted:
        A node id, or a list/tuple/set/array of ids, whose production stops (their inventory
        stays usable). An empty list gives the undisrupted chain's TTS.
    horizon:
        Planning horizon (> 0) capping ``t``.

    Returns
    -------
    float
        TTS in periods. When the chain survives the whole horizon (the LP is unbounded in
        ``t``) ``horizon`` is returned and a :class:`~jiqun.analytics.rca.JiqunWarning` says so.

    References
    ----------
    Simchi-Levi, Schmidt & Wei (2014), *HBR* 92(1–2); Simchi-Levi et al. (2015), *Interfaces*
    45(5), 375–390.

    Example
    -------
    Supplier S (stock 100, 2 per unit of A) → assembler A (stock 30) → market M (stock 20,
    demand 10): S's stock makes 50 units of A, so 100 units reach the market, TTS = 10.

    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["S", "A", "M"], "inventory": [100, 30, 20],
    ...                       "capacity": [None, None, None], "demand": [0, 0, 10]})
    >>> bom = pd.DataFrame({"buyer": ["A", "M"], "material": ["s", "a"],
    ...                     "supplier": ["S", "A"], "units": [2, 1]})
    >>> round(time_to_survive(nodes, bom, "S"), 6)
    10.0
    """
    chain = _prepare(nodes, bom, need_margin=False)
    horizon = _check_time(horizon, "horizon", positive=True)
    down = _positions(chain, disrupted)
    _no_demand(chain)
    t = _Solver(chain, horizon).tts(down)
    if t >= horizon * (1.0 - _RTOL):
        warnings.warn(
            f"生存时间达到规划期上限 {horizon:g}：在该期限内需求始终能被满足 / "
            f"time-to-survive reaches the horizon {horizon:g}: demand is met throughout it",
            JiqunWarning,
            stacklevel=2,
        )
        return horizon
    return 0.0 if t <= _RTOL * horizon else t


def performance_impact(nodes: pd.DataFrame, bom: pd.DataFrame, disrupted: Any, ttr: float) -> float:
    """Performance impact: the least lost profit while ``disrupted`` is down for ``ttr`` periods.

    LP (variables cumulative over ``[0, T]``, ``T = ttr``; ``D`` = disrupted nodes)::

        min  Σ_j f_j·l_j
        s.t. Σ_{e∈P_jk} y_e / r_e − u_j ≥ 0                 every buyer j and material k
             Σ_{e: supplier(e)=i} y_e + d_i·T − l_i − u_i ≤ s_i every node i (l_i only if d_i > 0)
             0 ≤ u_i ≤ c_i·T;  u_n = 0 (n ∈ D);  y ≥ 0;  0 ≤ l_j ≤ d_j·T

    Source: Simchi-Levi et al. (2015) *Interfaces* 45(5), the PI model (lost sales ``l_j`` valued
    at the profit margin ``f_j``). ``PI = 0`` exactly when ``TTS ≥ T`` (for positive margins).

    Parameters
    ----------
    nodes:
        As for :func:`time_to_survive`, plus ``margin`` (profit per unit; required where
        ``demand > 0``).
    bom:
        As for :func:`time_to_survive`.
    disrupted:
        A node id or a list of ids whose production stops for ``ttr`` periods.
    ttr:
        Time to recover (≥ 0, in periods).

    Returns
    -------
    float
        Lost profit ``Σ f_j·l_j`` (0 when nothing is lost).

    References
    ----------
    Simchi-Levi et al. (2015), *Interfaces* 45(5), 375–390; Simchi-Levi, Schmidt & Wei (2014).

    Example
    -------
    The chain of :func:`time_to_survive` survives 10 periods; down for 15, the market loses
    5 × 10 = 50 units at margin 3:

    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["S", "A", "M"], "inventory": [100, 30, 20],
    ...                       "capacity": [None, None, None], "demand": [0, 0, 10],
    ...                       "margin": [None, None, 3.0]})
    >>> bom = pd.DataFrame({"buyer": ["A", "M"], "material": ["s", "a"],
    ...                     "supplier": ["S", "A"], "units": [2, 1]})
    >>> round(performance_impact(nodes, bom, "S", ttr=15), 6)
    150.0
    """
    chain = _prepare(nodes, bom, need_margin=True)
    ttr = _check_time(ttr, "ttr", positive=False)
    down = _positions(chain, disrupted)
    _no_demand(chain)
    return _Solver(chain, 1.0).pi(down, ttr)


def risk_exposure(
    nodes: pd.DataFrame,
    bom: pd.DataFrame,
    ttr: float | pd.Series | Mapping[Hashable, float],
    *,
    horizon: float = 1000.0,
) -> pd.DataFrame:
    """TTS, PI, risk exposure index and at-risk flag of every node disrupted on its own.

    For each node ``n``: ``tts = TTS({n})`` (:func:`time_to_survive`), ``pi = PI({n}, TTR_n)``
    (:func:`performance_impact`), ``rei = pi / max_m pi_m`` (risk exposure index, the worst node
    = 1; all 0 when no disruption loses anything) and ``at_risk = tts < TTR_n``. One HiGHS model
    per kind is built once and re-solved with warm starts; PI is solved only where
    ``tts < TTR_n`` (otherwise it is 0 by monotonicity in ``t``).

    Source: Simchi-Levi et al. (2015) *Interfaces* 45(5) (REI and the TTS < TTR screen).

    Parameters
    ----------
    nodes, bom:
        As for :func:`performance_impact`.
    ttr:
        Time to recover: one number for every node, or a Series/mapping node id → TTR. Nodes
        missing from it (or with an empty TTR) get ``pi``/``rei`` NaN and ``at_risk`` <NA>,
        with a :class:`~jiqun.analytics.rca.JiqunWarning` naming them.
    horizon:
        Cap on TTS; raised to the largest TTR so that a capped TTS never flags a node at risk.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (``nodes`` order), columns ``tts``, ``pi``, ``rei`` (float) and
        ``at_risk`` (nullable boolean). Nodes whose TTS reached the horizon are named in one
        warning.

    References
    ----------
    Simchi-Levi et al. (2015), *Interfaces* 45(5), 375–390.

    Example
    -------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["S", "A", "M"], "inventory": [100, 30, 20],
    ...                       "capacity": [None, None, None], "demand": [0, 0, 10],
    ...                       "margin": [None, None, 3.0]})
    >>> bom = pd.DataFrame({"buyer": ["A", "M"], "material": ["s", "a"],
    ...                     "supplier": ["S", "A"], "units": [2, 1]})
    >>> r = risk_exposure(nodes, bom, ttr=8)
    >>> r["tts"].round(6).tolist(), r["pi"].round(6).tolist(), r["at_risk"].tolist()
    ([10.0, 5.0, 2.0], [0.0, 90.0, 180.0], [False, True, True])
    >>> r["rei"].round(6).tolist()
    [0.0, 0.5, 1.0]
    """
    chain = _prepare(nodes, bom, need_margin=True)
    _no_demand(chain)
    horizon = _check_time(horizon, "horizon", positive=True)
    if isinstance(ttr, (pd.Series, Mapping)):
        ser = pd.Series(ttr, dtype="object") if isinstance(ttr, Mapping) else ttr
        extra = ser.index.difference(chain.ids)
        if len(extra):
            raise JiqunError(
                f"ttr 中的节点不在 nodes 的 id 中：{fmt_labels(extra)}",
                f"ttr names nodes that are not ids of nodes: {fmt_labels(extra)}",
            )
        raw = ser.reindex(chain.ids)
        T = np.full(chain.n, np.nan)
        for pos, val in enumerate(raw.to_numpy()):
            if val is None or (isinstance(val, float) and np.isnan(val)) or val is pd.NA:
                continue
            T[pos] = _check_time(val, f"ttr[{_py(chain.ids[pos])!r}]", positive=False)
    else:
        T = np.full(chain.n, _check_time(ttr, "ttr", positive=False))
    missing = np.isnan(T)
    if missing.any():
        warnings.warn(
            f"以下节点没有恢复时间 TTR，pi/rei 为 NaN、at_risk 为 <NA>：{fmt_labels(chain.ids[missing])} / "
            f"no time-to-recover for these nodes, pi/rei are NaN and at_risk <NA>: "
            f"{fmt_labels(chain.ids[missing])}",
            JiqunWarning,
            stacklevel=2,
        )
    if (~missing).any():
        horizon = max(horizon, float(np.nanmax(T)))

    solver = _Solver(chain, horizon)
    tts = np.array([solver.tts(np.array([i])) for i in range(chain.n)])
    capped = tts >= horizon * (1.0 - _RTOL)
    tts = np.where(capped, horizon, np.where(tts <= _RTOL * horizon, 0.0, tts))
    if capped.any():
        warnings.warn(
            f"{int(capped.sum())} 个节点的生存时间达到规划期上限 {horizon:g}：{fmt_labels(chain.ids[capped])} / "
            f"{int(capped.sum())} nodes reach the horizon {horizon:g}: {fmt_labels(chain.ids[capped])}",
            JiqunWarning,
            stacklevel=2,
        )

    at_risk = ~missing & (tts < T * (1.0 - _RTOL))
    pi = np.where(missing, np.nan, 0.0)
    if at_risk.any():
        for i in np.flatnonzero(at_risk):
            pi[i] = solver.pi(np.array([i]), float(T[i]))
    worst = np.nanmax(pi) if (~missing).any() else np.nan
    rei = pi / worst if worst > 0 else np.where(missing, np.nan, 0.0)
    out = pd.DataFrame(
        {
            "tts": tts,
            "pi": pi,
            "rei": rei,
            "at_risk": pd.array(np.where(missing, None, at_risk), dtype="boolean"),
        },
        index=pd.Index(chain.ids, name="id"),
    )
    return out


def willems_tts_inputs(
    stages: pd.DataFrame, arcs: pd.DataFrame, *, cover: float = 1.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``nodes`` and ``bom`` for the TTS/PI models from a Willems (2008) chain.

    Willems chains carry no inventories, capacities or prices, so this builds them by documented
    assumptions:

    - every arc ``supplier → buyer`` is a distinct required input, single-sourced
      (``material = supplier``; ``units`` from the arcs' ``units`` column where present, as in
      the snc format, else 1);
    - throughput ``q = d + A·q`` (``A_ij = units`` of arc ``i → j``): the units of stage ``i``
      needed per period by the mean external demand downstream (sum over paths);
    - ``inventory = cover × time × q``: each stage holds its own processing time of
      throughput (pipeline stock), scaled by ``cover``;
    - ``capacity`` unlimited; ``margin`` = rolled-up stage cost ``v = cost + Aᵀ·v`` (value of a
      lost unit at cost, a proxy since the data carry no prices).

    Formula: ``q = (I − A)⁻¹ d``, ``v = (I − Aᵀ)⁻¹ cost``, ``inventory_i = cover·time_i·q_i``.

    Parameters
    ----------
    stages:
        Columns ``id``, ``stage_class``, ``cost``, ``time``, ``demand`` (as returned by
        ``jiqun.resilience.read_willems``); empty ``cost``/``time``/``demand`` count as 0.
    arcs:
        Columns ``supplier``, ``buyer`` and optionally ``units`` (empty = 1).
    cover:
        Multiplier (≥ 0) of the pipeline stock.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(nodes, bom)`` with the columns :func:`risk_exposure` expects (``nodes`` also keeps
        ``stage_class`` and ``throughput``).

    References
    ----------
    Willems, S. P. (2008). *M&SOM* 10(1), 19–23; Simchi-Levi et al. (2015).

    Example
    -------
    >>> import pandas as pd
    >>> stages = pd.DataFrame({"id": ["P", "M", "R"], "stage_class": ["Part", "Manuf", "Retail"],
    ...                        "cost": [5.0, 3.0, 0.0], "time": [4.0, 2.0, 0.0],
    ...                        "demand": [0.0, 0.0, 10.0]})
    >>> arcs = pd.DataFrame({"supplier": ["P", "M"], "buyer": ["M", "R"]})
    >>> nodes, bom = willems_tts_inputs(stages, arcs)
    >>> nodes[["id", "inventory", "margin"]].to_numpy().tolist()
    [['P', 40.0, 5.0], ['M', 20.0, 8.0], ['R', 0.0, 8.0]]
    >>> round(time_to_survive(nodes, bom, "P"), 6)
    6.0
    """
    _require_columns(stages, "stages", ["id", "cost", "time", "demand"])
    _require_columns(arcs, "arcs", ["supplier", "buyer"])
    cover = _check_time(cover, "cover", positive=False)
    problems: list[Problem] = []
    cost = _numeric(stages, "stages", "cost", problems, empty=0.0)
    time = _numeric(stages, "stages", "time", problems, empty=0.0)
    demand = _numeric(stages, "stages", "demand", problems, empty=0.0)
    ids = pd.Index(stages["id"])
    for pos in np.flatnonzero(ids.duplicated()):
        problems.append(
            _problem("stages", pos + 1, "id", ids[pos], "id_duplicate", "id 重复", "duplicated id")
        )
    units = (
        _numeric(arcs, "arcs", "units", problems, empty=1.0, positive=True)
        if "units" in arcs.columns
        else np.ones(len(arcs))
    )
    sup, buy = _arc_ends(arcs, "arcs", ids, "stages", problems)
    _raise(problems)
    n = len(ids)
    # a repeated arc is one input (the first row's units count)
    first = ~pd.DataFrame({"s": sup, "b": buy}).duplicated().to_numpy()
    sup, buy, units = sup[first], buy[first], units[first]
    A = sparse.csr_matrix((units, (sup, buy)), shape=(n, n))
    At = sparse.csr_matrix((units, (buy, sup)), shape=(n, n))
    q, v = demand.copy(), cost.copy()
    for _ in range(n + 1):  # a DAG converges after (longest path + 1) sweeps
        q_new, v_new = demand + A @ q, cost + At @ v
        if np.array_equal(q_new, q) and np.array_equal(v_new, v):
            break
        q, v = q_new, v_new
    else:
        raise JiqunError("arcs 含有循环", "arcs contain a cycle")
    nodes = pd.DataFrame(
        {
            "id": ids,
            "stage_class": stages["stage_class"].to_numpy()
            if "stage_class" in stages.columns
            else None,
            "inventory": cover * time * q,
            "capacity": np.nan,
            "demand": demand,
            "margin": v,
            "throughput": q,
        }
    )
    bom = pd.DataFrame(
        {"buyer": ids[buy], "material": ids[sup], "supplier": ids[sup], "units": units}
    )
    return nodes, bom
