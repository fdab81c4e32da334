"""Regional division of labour by comparative advantage (区域产业链分工): a mixed-integer program.

Given a region × segment table of comparative advantage ``a[r, s]`` for the regions of a group
(the cities of a cluster or of 长三角, 成渝, 京津冀, ...) and the segments of one chain,
:func:`division_of_labour` chooses which regions lead which segments.

Formulation (``docs/planning.md``): binary ``x[r, s]`` (region r leads segment s) and, for every
segment and every pair of regions ``r < q`` that may both lead it, ``y[r, q, s] ∈ [0, 1]`` (both
lead it: the overlap, 同质化)::

    maximise   Σ_{r,s} a[r,s]·x[r,s]  −  λ · Σ_{s, r<q} y[r,q,s]
    subject to Σ_r x[r,s] ≥ m                     for every segment s       (cover)
               Σ_s x[r,s] ≤ k                     for every region r        (limit, when k given)
               x[r,s] = 1        where a[r,s] ≥ keep                        (keep)
               y[r,q,s] ≥ x[r,s] + x[q,s] − 1                               (overlap link)
               x binary; x[r,s] = 0 where a[r,s] is missing (no basis)

with ``m = min_regions``, ``k = max_segments``, ``λ = overlap_penalty``. Because ``λ ≥ 0`` and the
objective is maximised, ``y`` takes its lower bound ``max(0, x[r,s] + x[q,s] − 1) = x[r,s]·x[q,s]``
at the optimum: the linearisation is exact, and the penalty is ``λ·C(n_s, 2)`` for a segment led
by ``n_s`` regions. A region therefore joins a segment already led by ``n`` others only when its
advantage exceeds ``λ·n``: with the default ``λ = 1`` and an LQ-based advantage, a second leader
must be specialised above the national average, a third twice over. Solved with HiGHS
(``highspy``) to proven optimality (``mip_rel_gap = 0``); the shadow costs come from the LP
relaxation (same model, ``x ∈ [0, 1]``).

References
----------
- Ricardo, D. (1817). *On the Principles of Political Economy and Taxation*, ch. 7 (comparative
  advantage).
- Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage. *The Manchester
  School* 33(2), 99–123 (the location quotient as revealed advantage).
- Wolsey, L. A. (2020). *Integer Programming*, 2nd ed., Wiley, §1.3 (linearising products of
  binaries).
- Huangfu, Q. & Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
  *Mathematical Programming Computation* 10(1), 119–142 (HiGHS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import highspy
import numpy as np
import pandas as pd

from jiqun.errors import JiqunError

__all__ = [
    "DECISIONS",
    "DEFAULT_OVERLAP_PENALTY",
    "LABELS",
    "SPECIALISED",
    "DivisionPlan",
    "PlanInfeasible",
    "division_of_labour",
    "greedy_division",
    "plan_objective",
]

#: default λ: a region joins a segment led by n others only if its advantage exceeds n
DEFAULT_OVERLAP_PENALTY = 1.0
#: advantage at which a region counts as specialised in a segment (LQ scale: national average)
SPECIALISED = 1.0
_TOL = 1e-7
_INF = float(highspy.kHighsInf)
# ``highspy.Highs`` prints a banner when constructed; the core class does not (same methods)
_HighsClass: Any = getattr(highspy, "_Highs", highspy.Highs)

#: decision code → (Chinese, English) explanation of why a cell is or is not led
DECISIONS: dict[str, tuple[str, str]] = {
    "kept": (
        "保留：优势不低于 keep，任何方案都不取走既有优势",
        "kept: advantage ≥ keep; no plan takes a real strength away",
    ),
    "covered": (
        "补位牵头：扣除重叠惩罚后净优势不为正，仅因每个环节至少需要 min_regions 个牵头地区",
        "covered: its advantage net of the overlap penalty is not positive; it leads only "
        "because every segment needs min_regions leaders",
    ),
    "best_advantage": (
        "优势牵头：扣除与其他牵头地区重叠的惩罚后净优势为正",
        "best advantage: its advantage net of the overlap with the other leaders is positive",
    ),
    "limit_binding": (
        "未牵头：净优势为正，但该地区已达牵头环节上限 max_segments",
        "not led: its net advantage is positive but the region is at its limit max_segments",
    ),
    "overlap": (
        "未牵头：优势不足以抵消与已牵头地区重叠（同质化）的惩罚",
        "not led: its advantage does not outweigh the overlap (homogeneous competition) with "
        "the regions leading it",
    ),
    "no_basis": (
        "未牵头：缺少优势数据，不能安排",
        "not led: no advantage figure, so it cannot be assigned",
    ),
}

#: positioning label → (Chinese, English, rule)
LABELS: dict[str, tuple[str, str, str]] = {
    "leader": (
        "龙头",
        "leader",
        "牵头至少一个环节，且在该环节优势为组内最高并不低于专业化门槛 / leads at least one "
        "segment where its advantage is the group's highest and at least the specialisation "
        "threshold",
    ),
    "supporting": (
        "配套",
        "supporting",
        "不是龙头，但牵头至少一个优势不低于专业化门槛的环节 / not a leader, but leads at least "
        "one segment where its advantage is at least the specialisation threshold",
    ),
    "emerging": (
        "新兴",
        "emerging",
        "牵头的环节优势都低于专业化门槛：需培育 / every segment it leads is below the "
        "specialisation threshold: to be built up",
    ),
    "none": ("未牵头", "no lead role", "不牵头任何环节 / leads no segment"),
}


class PlanInfeasible(JiqunError):
    """No division of labour satisfies the request (HTTP 422); names what cannot hold.

    Attributes
    ----------
    segments:
        The segments that cannot be led as asked.
    regions:
        The regions whose limit cannot hold.
    """

    status = 422

    def __init__(
        self,
        message_zh: str,
        message_en: str,
        segments: list[str] | None = None,
        regions: list[str] | None = None,
    ) -> None:
        super().__init__(message_zh, message_en)
        self.segments = list(segments or [])
        self.regions = list(regions or [])


@dataclass
class DivisionPlan:
    """A division of labour: who leads what, and why.

    Attributes
    ----------
    assignment:
        Region × segment booleans: ``True`` where the region leads the segment.
    advantage:
        The advantage table the plan was built from (region × segment).
    explanation:
        One row per region × segment: ``region``, ``segment``, ``advantage``, the components
        (when given), ``assigned``, ``n_leaders`` (of the segment), ``net_advantage`` (advantage
        minus λ × the other leaders), ``decision`` (a key of :data:`DECISIONS`), ``decision_zh``,
        ``decision_en`` and ``lp_reduced_cost`` (LP relaxation: objective lost per unit of
        moving the cell away from its relaxed value; 0 for a cell the relaxation leaves free).
    segments:
        Per segment: ``leaders`` (list), ``n_leaders``, ``min_regions``, ``cover_binding``,
        ``cover_shadow_cost`` (LP relaxation: objective lost per extra leader required).
    regions:
        Per region: ``segments_led`` (list), ``n_led``, ``max_segments``, ``limit_binding``,
        ``limit_shadow_value`` (LP relaxation: objective gained per extra segment allowed),
        ``label`` (a key of :data:`LABELS`), ``label_zh``, ``label_en``, ``label_rule``.
    objective:
        ``Σ a·x − λ·Σ_s C(n_s, 2)`` of the plan.
    lp_bound:
        Objective of the LP relaxation (an upper bound; equal to ``objective`` when the
        relaxation is integral).
    overlap_pairs:
        ``Σ_s C(n_s, 2)``: pairs of regions leading the same segment.
    parameters:
        ``min_regions``, ``max_segments``, ``keep``, ``overlap_penalty``, ``specialised``.
    notes:
        Sentences (zh / en) to show with the plan.
    """

    assignment: pd.DataFrame
    advantage: pd.DataFrame
    explanation: pd.DataFrame
    segments: pd.DataFrame
    regions: pd.DataFrame
    objective: float
    lp_bound: float
    overlap_pairs: int
    parameters: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def leaders(self, segment: Any) -> list[Any]:
        """The regions leading ``segment``."""
        col = self.assignment[segment]
        return list(col.index[col.to_numpy(dtype=bool)])


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _check_advantage(advantage: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(advantage, pd.DataFrame):
        raise JiqunError(
            "advantage 必须是 pandas.DataFrame（地区 × 环节）",
            "advantage must be a pandas.DataFrame (region × segment)",
        )
    if advantage.shape[0] == 0 or advantage.shape[1] == 0:
        raise JiqunError(
            "优势表为空：没有地区或没有环节", "the advantage table has no region or no segment"
        )
    if advantage.index.has_duplicates or advantage.columns.has_duplicates:
        raise JiqunError(
            "优势表的地区或环节有重复", "the advantage table repeats a region or a segment"
        )
    try:
        a = advantage.astype("float64")
    except (TypeError, ValueError) as exc:
        raise JiqunError("优势表含有非数值", "the advantage table has non-numeric values") from exc
    if np.isinf(a.to_numpy()).any():
        raise JiqunError("优势表含有无穷值", "the advantage table has infinite values")
    return a


def _check_params(
    min_regions: int, max_segments: int | None, keep: float | None, overlap_penalty: float
) -> None:
    if not isinstance(min_regions, int | np.integer) or min_regions < 1:
        raise JiqunError(
            f"min_regions 必须是 ≥ 1 的整数，收到 {min_regions!r}",
            f"min_regions must be an integer ≥ 1, got {min_regions!r}",
        )
    if max_segments is not None and (
        not isinstance(max_segments, int | np.integer) or max_segments < 1
    ):
        raise JiqunError(
            f"max_segments 必须是 ≥ 1 的整数或不限，收到 {max_segments!r}",
            f"max_segments must be an integer ≥ 1 or None, got {max_segments!r}",
        )
    if keep is not None and (not isinstance(keep, int | float) or math.isnan(keep)):
        raise JiqunError(f"keep 必须是数值，收到 {keep!r}", f"keep must be a number, got {keep!r}")
    if (
        not isinstance(overlap_penalty, int | float)
        or not math.isfinite(overlap_penalty)
        or overlap_penalty < 0
    ):
        raise JiqunError(
            f"overlap_penalty 必须是 ≥ 0 的数，收到 {overlap_penalty!r}",
            f"overlap_penalty must be a number ≥ 0, got {overlap_penalty!r}",
        )


def _names(items: list[Any]) -> str:
    return "、".join(str(i) for i in items)


def _names_en(items: list[Any]) -> str:
    return ", ".join(str(i) for i in items)


def _precheck(
    a: np.ndarray,
    regions: list[Any],
    segments: list[Any],
    min_regions: int,
    max_segments: int | None,
    kept: np.ndarray,
) -> None:
    """Name the cause of an infeasible request before solving (the solver only says "no")."""
    able = ~np.isnan(a)
    none = [segments[j] for j in range(len(segments)) if not able[:, j].any()]
    if none:
        raise PlanInfeasible(
            f"没有地区能牵头这些环节（所有地区都缺少优势数据）：{_names(none)}",
            f"no region can lead these segments (no region has an advantage figure): "
            f"{_names_en(none)}",
            segments=none,
        )
    short = [segments[j] for j in range(len(segments)) if able[:, j].sum() < min_regions]
    if short:
        raise PlanInfeasible(
            f"这些环节能牵头的地区少于 min_regions={min_regions}：{_names(short)}",
            f"fewer than min_regions={min_regions} regions can lead these segments: "
            f"{_names_en(short)}",
            segments=short,
        )
    if max_segments is None:
        return
    over = [regions[i] for i in range(len(regions)) if kept[i].sum() > max_segments]
    if over:
        raise PlanInfeasible(
            f"上限 max_segments={max_segments} 无法满足：这些地区必须保留的优势环节（优势 ≥ keep）"
            f"已超过上限：{_names(over)}",
            f"the limit max_segments={max_segments} cannot hold: these regions keep more "
            f"segments (advantage ≥ keep) than the limit: {_names_en(over)}",
            regions=over,
        )
    # a segment whose possible leaders all have their places filled by kept segments
    spare = np.array([max_segments - kept[i].sum() for i in range(len(regions))])
    blocked = []
    for j in range(len(segments)):
        can = [i for i in range(len(regions)) if able[i, j] and (kept[i, j] or spare[i] > 0)]
        if len(can) < min_regions:
            blocked.append(segments[j])
    if blocked:
        raise PlanInfeasible(
            f"这些环节无人可牵头：能牵头的地区都已被必须保留的环节占满上限 "
            f"max_segments={max_segments}：{_names(blocked)}",
            f"no region can lead these segments: every region able to lead them is filled up "
            f"to max_segments={max_segments} by segments it keeps: {_names_en(blocked)}",
            segments=blocked,
        )
    need = len(segments) * min_regions
    room = len(regions) * max_segments
    if need > room:
        raise PlanInfeasible(
            f"上限 max_segments={max_segments} 无法满足：{len(segments)} 个环节 × "
            f"min_regions={min_regions} 需要 {need} 个牵头位置，{len(regions)} 个地区最多提供 {room} 个",
            f"the limit max_segments={max_segments} cannot hold: {len(segments)} segments × "
            f"min_regions={min_regions} need {need} leading places, {len(regions)} regions offer "
            f"at most {room}",
        )


# --------------------------------------------------------------------------------------------
# the program
# --------------------------------------------------------------------------------------------


@dataclass
class _Model:
    cells: list[tuple[int, int]]
    pairs: list[tuple[int, int, int]]
    cost: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    rows: list[tuple[list[int], list[float], float, float]]
    n_cover: int
    n_limit: int


def _build(
    a: np.ndarray, min_regions: int, max_segments: int | None, kept: np.ndarray, lam: float
) -> _Model:
    R, S = a.shape
    cells = [(i, j) for i in range(R) for j in range(S) if not np.isnan(a[i, j])]
    col = {c: k for k, c in enumerate(cells)}
    pairs: list[tuple[int, int, int]] = []
    if lam > 0:
        for j in range(S):
            leaders = [i for i in range(R) if (i, j) in col]
            pairs += [(i, q, j) for i, q in combinations(leaders, 2)]
    n = len(cells) + len(pairs)
    cost = np.concatenate([[a[i, j] for i, j in cells], np.full(len(pairs), -lam)])
    lo = np.concatenate([[1.0 if kept[i, j] else 0.0 for i, j in cells], np.zeros(len(pairs))])
    hi = np.ones(n)
    rows: list[tuple[list[int], list[float], float, float]] = []
    for j in range(S):
        idx = [col[(i, j)] for i in range(R) if (i, j) in col]
        rows.append((idx, [1.0] * len(idx), float(min_regions), _INF))
    n_limit = 0
    if max_segments is not None:
        for i in range(R):
            idx = [col[(i, j)] for j in range(S) if (i, j) in col]
            rows.append((idx, [1.0] * len(idx), -_INF, float(max_segments)))
            n_limit += 1
    base = len(cells)
    for k, (i, q, j) in enumerate(pairs):
        rows.append(([col[(i, j)], col[(q, j)], base + k], [1.0, 1.0, -1.0], -_INF, 1.0))
    return _Model(cells, pairs, cost, lo, hi, rows, S, n_limit)


def _solve(model: _Model, integer: bool) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, float]:
    """Solve the model; (status, column values, column duals, row duals, objective)."""
    h = _HighsClass()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    if integer:
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
    n = len(model.cost)
    starts, index, value = [0], [], []
    # column-wise matrix from the row lists
    by_col: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for r, (idx, val, _lo, _hi) in enumerate(model.rows):
        for c, v in zip(idx, val, strict=True):
            by_col[c].append((r, v))
    for entries in by_col:
        for r, v in entries:
            index.append(r)
            value.append(v)
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(model.rows)
    lp.col_cost_ = model.cost.astype(np.float64)
    lp.col_lower_ = model.lo.astype(np.float64)
    lp.col_upper_ = model.hi.astype(np.float64)
    lp.row_lower_ = np.array([r[2] for r in model.rows], dtype=np.float64)
    lp.row_upper_ = np.array([r[3] for r in model.rows], dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    if integer:
        ncell = len(model.cells)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * ncell + [
            highspy.HighsVarType.kContinuous
        ] * (n - ncell)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return str(h.modelStatusToString(status)), np.array([]), np.array([]), np.array([]), 0.0
    sol = h.getSolution()
    obj = float(h.getInfo().objective_function_value)
    col_dual = np.array(sol.col_dual) if not integer else np.zeros(n)
    row_dual = np.array(sol.row_dual) if not integer else np.zeros(len(model.rows))
    return "optimal", np.array(sol.col_value), col_dual, row_dual, obj


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------


def plan_objective(
    assignment: pd.DataFrame,
    advantage: pd.DataFrame,
    overlap_penalty: float = DEFAULT_OVERLAP_PENALTY,
) -> float:
    """The objective of any assignment: ``Σ a·x − λ·Σ_s C(n_s, 2)``.

    Parameters
    ----------
    assignment:
        Region × segment booleans (same labels as ``advantage``).
    advantage:
        Region × segment advantage; a missing value counts 0 (such a cell is never assigned by
        :func:`division_of_labour`).
    overlap_penalty:
        λ.

    Returns
    -------
    float

    References
    ----------
    ``docs/planning.md``.

    Example
    -------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"s": [2.0, 1.5]}, index=["A", "B"])
    >>> plan_objective(a > 0, a, 1.0)  # 2 + 1.5 − 1 pair
    2.5
    """
    x = assignment.reindex(index=advantage.index, columns=advantage.columns).fillna(False)
    xa = x.to_numpy(dtype=bool)
    a = advantage.astype("float64").fillna(0.0).to_numpy()
    n = xa.sum(axis=0)
    return float((a * xa).sum() - overlap_penalty * (n * (n - 1) / 2).sum())


def greedy_division(
    advantage: pd.DataFrame,
    *,
    min_regions: int = 1,
    max_segments: int | None = None,
    keep: float | None = 2.0,
    overlap_penalty: float = DEFAULT_OVERLAP_PENALTY,
) -> pd.DataFrame | None:
    """The greedy assignment the program is compared with (not optimal in general).

    Rule: keep every cell with advantage ≥ ``keep``; then, segment by segment, add the regions
    with the highest advantage (and room under ``max_segments``) until ``min_regions`` lead it;
    then add cells in descending advantage while ``advantage − λ·(leaders already)`` is positive
    and the region has room.

    Parameters
    ----------
    advantage, min_regions, max_segments, keep, overlap_penalty:
        As in :func:`division_of_labour`.

    Returns
    -------
    pandas.DataFrame or None
        Region × segment booleans, or ``None`` when the greedy rule gets stuck (no room left
        for a segment or a kept cell beyond the limit).

    References
    ----------
    ``docs/planning.md``.

    Example
    -------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"s1": [1.8, 0.3], "s2": [0.2, 1.5]}, index=["A", "B"])
    >>> greedy_division(a).to_numpy().tolist()
    [[True, False], [False, True]]
    """
    adv = _check_advantage(advantage)
    _check_params(min_regions, max_segments, keep, overlap_penalty)
    a = adv.to_numpy()
    R, S = a.shape
    able = ~np.isnan(a)
    x = able & (a >= keep) if keep is not None else np.zeros_like(able)
    cap = max_segments if max_segments is not None else S
    if (x.sum(axis=1) > cap).any():
        return None
    for j in range(S):
        order = sorted((i for i in range(R) if able[i, j]), key=lambda i: -a[i, j])
        for i in order:
            if x[:, j].sum() >= min_regions:
                break
            if not x[i, j] and x[i].sum() < cap:
                x[i, j] = True
        if x[:, j].sum() < min_regions:
            return None
    cand = sorted(
        ((i, j) for i in range(R) for j in range(S) if able[i, j] and not x[i, j]),
        key=lambda c: -a[c],
    )
    for i, j in cand:
        if a[i, j] - overlap_penalty * x[:, j].sum() > _TOL and x[i].sum() < cap:
            x[i, j] = True
    return pd.DataFrame(x, index=adv.index.copy(), columns=adv.columns.copy())


def division_of_labour(
    advantage: pd.DataFrame,
    *,
    min_regions: int = 1,
    max_segments: int | None = None,
    keep: float | None = 2.0,
    overlap_penalty: float = DEFAULT_OVERLAP_PENALTY,
    specialised: float = SPECIALISED,
    components: Mapping[str, pd.DataFrame] | None = None,
) -> DivisionPlan:
    """Choose which regions of a group lead which segments of a chain (a MIP solved by HiGHS).

    Every segment is led by at least ``min_regions`` regions; a region leads at most
    ``max_segments`` segments; a region keeps every segment where its advantage is at least
    ``keep`` (with an LQ-based advantage and the default 2: no plan takes a real strength away);
    each pair of regions leading the same segment costs ``overlap_penalty`` (the homogeneous
    competition the plan avoids). The formulation is in the module docstring and
    ``docs/planning.md``.

    Parameters
    ----------
    advantage:
        Region × segment comparative advantage (rows regions, columns segments). A missing
        value means "no basis": the region cannot be assigned that segment.
    min_regions:
        Leaders each segment needs (≥ 1).
    max_segments:
        Most segments one region leads; ``None`` = no limit.
    keep:
        Advantage at or above which a region keeps the segment; ``None`` = keep nothing.
    overlap_penalty:
        λ ≥ 0, objective cost of each pair of regions leading the same segment.
    specialised:
        Advantage threshold of the positioning labels (:data:`LABELS`).
    components:
        Optional region × segment tables (name → DataFrame) shown beside each assignment in
        ``explanation`` (the parts the advantage was built from).

    Returns
    -------
    DivisionPlan
        ``.assignment`` (region × segment booleans) and the explanation tables.

    Raises
    ------
    PlanInfeasible
        No plan satisfies the request; the message names the segment no region can lead or
        the limit that cannot hold (zh and en).
    JiqunError
        Malformed input.

    References
    ----------
    Ricardo (1817); Balassa (1965); Wolsey (2020) §1.3; ``docs/planning.md``.

    Example
    -------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"s1": [1.8, 0.3, 0.2], "s2": [0.2, 1.5, 0.3]}, index=["A", "B", "C"])
    >>> p = division_of_labour(a)
    >>> p.leaders("s1"), p.leaders("s2")
    (['A'], ['B'])
    """
    adv = _check_advantage(advantage)
    _check_params(min_regions, max_segments, keep, overlap_penalty)
    regions, segments = list(adv.index), list(adv.columns)
    a = adv.to_numpy()
    lam = float(overlap_penalty)
    able = ~np.isnan(a)
    kept = able & (a >= keep) if keep is not None else np.zeros_like(able)
    _precheck(a, regions, segments, min_regions, max_segments, kept)
    model = _build(a, min_regions, max_segments, kept, lam)
    status, xv, _cd, _rd, _obj = _solve(model, integer=True)
    if status != "optimal":
        lim = f"max_segments={max_segments}" if max_segments is not None else "—"
        raise PlanInfeasible(
            f"没有满足要求的分工方案（{status}）：min_regions={min_regions} 与上限 {lim} "
            "不能同时满足",
            f"no division of labour satisfies the request ({status}): min_regions={min_regions} "
            f"and the limit {lim} cannot hold together",
        )
    R, S = a.shape
    x = np.zeros((R, S), dtype=bool)
    for k, (i, j) in enumerate(model.cells):
        x[i, j] = xv[k] > 0.5
    lp_status, lx, lcd, lrd, lp_obj = _solve(model, integer=False)
    assignment = pd.DataFrame(x, index=adv.index.copy(), columns=adv.columns.copy())
    n_lead = x.sum(axis=0)
    load = x.sum(axis=1)
    # reduced costs of the relaxation: HiGHS reports them for a maximisation with the sign of
    # the objective gradient; "objective lost when moved away" is −d at the lower bound and +d
    # at the upper bound
    rc = np.full((R, S), np.nan)
    if lp_status == "optimal":
        for k, (i, j) in enumerate(model.cells):
            d = float(lcd[k])
            at_hi = lx[k] > 1 - 1e-9
            rc[i, j] = max(0.0, d if at_hi else -d) if abs(d) > 1e-9 else 0.0
    rows_out = []
    for i, r in enumerate(regions):
        for j, s in enumerate(segments):
            if not able[i, j]:
                dec = "no_basis"
                net = np.nan
            elif x[i, j]:
                net = a[i, j] - lam * (n_lead[j] - 1)
                if kept[i, j]:
                    dec = "kept"
                elif net <= _TOL:
                    dec = "covered"
                else:
                    dec = "best_advantage"
            else:
                net = a[i, j] - lam * n_lead[j]
                at_limit = max_segments is not None and load[i] >= max_segments
                dec = "limit_binding" if at_limit and net > _TOL else "overlap"
            row: dict[str, Any] = {"region": r, "segment": s, "advantage": a[i, j]}
            for name, comp in (components or {}).items():
                row[name] = _component(comp, r, s)
            row.update(
                assigned=bool(x[i, j]),
                n_leaders=int(n_lead[j]),
                net_advantage=float(net),
                decision=dec,
                decision_zh=DECISIONS[dec][0],
                decision_en=DECISIONS[dec][1],
                lp_reduced_cost=float(rc[i, j]),
            )
            rows_out.append(row)
    explanation = pd.DataFrame(rows_out)
    ncov = model.n_cover
    seg_rows = []
    for j, s in enumerate(segments):
        dual = float(lrd[j]) if lp_status == "optimal" else np.nan
        seg_rows.append(
            {
                "segment": s,
                "leaders": [regions[i] for i in range(R) if x[i, j]],
                "n_leaders": int(n_lead[j]),
                "min_regions": int(min_regions),
                "cover_binding": bool(n_lead[j] == min_regions),
                # maximisation: a ≥ row's dual is ≤ 0; its negation is the cost per extra leader
                "cover_shadow_cost": max(0.0, -dual) if np.isfinite(dual) else np.nan,
            }
        )
    reg_rows = []
    for i, r in enumerate(regions):
        if max_segments is not None and lp_status == "optimal":
            lim_dual = max(0.0, float(lrd[ncov + i]))
        else:
            lim_dual = np.nan if max_segments is not None else 0.0
        lab = _label(a[i], x[i], a, specialised)
        reg_rows.append(
            {
                "region": r,
                "segments_led": [segments[j] for j in range(S) if x[i, j]],
                "n_led": int(load[i]),
                "max_segments": max_segments,
                "limit_binding": bool(max_segments is not None and load[i] >= max_segments),
                "limit_shadow_value": lim_dual,
                "label": lab,
                "label_zh": LABELS[lab][0],
                "label_en": LABELS[lab][1],
                "label_rule": LABELS[lab][2],
            }
        )
    objective = plan_objective(assignment, adv, lam)
    pairs = int((n_lead * (n_lead - 1) // 2).sum())
    notes = []
    if int(kept.sum()):
        notes.append(
            f"{int(kept.sum())} 个地区 × 环节因优势 ≥ {keep} 而保留 / {int(kept.sum())} region × "
            f"segment cells kept because their advantage is ≥ {keep}"
        )
    if (~able).any():
        notes.append(
            f"{int((~able).sum())} 个地区 × 环节缺少优势数据，不参与分工 / {int((~able).sum())} "
            "region × segment cells have no advantage figure and are not assigned"
        )
    return DivisionPlan(
        assignment=assignment,
        advantage=adv,
        explanation=explanation,
        segments=pd.DataFrame(seg_rows),
        regions=pd.DataFrame(reg_rows),
        objective=objective,
        lp_bound=float(lp_obj) if lp_status == "optimal" else np.nan,
        overlap_pairs=pairs,
        parameters={
            "min_regions": int(min_regions),
            "max_segments": max_segments,
            "keep": keep,
            "overlap_penalty": lam,
            "specialised": specialised,
        },
        notes=notes,
    )


def _component(comp: pd.DataFrame, r: Any, s: Any) -> Any:
    try:
        v = comp.loc[r, s]
    except KeyError:
        return None
    return v.item() if isinstance(v, np.generic) else v


def _label(ai: np.ndarray, xi: np.ndarray, a: np.ndarray, specialised: float) -> str:
    """Positioning label of one region (rules in :data:`LABELS`)."""
    led = np.flatnonzero(xi)
    if not len(led):
        return "none"
    best = np.nanmax(np.where(np.isnan(a), -np.inf, a), axis=0)
    if any(ai[j] >= specialised and ai[j] >= best[j] - _TOL for j in led):
        return "leader"
    if any(ai[j] >= specialised for j in led):
        return "supporting"
    return "emerging"
