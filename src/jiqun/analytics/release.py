"""One protected publication release: the linked hierarchical cube and its disclosure control.

A release is the whole set of numbers the platform publishes from the enterprise registry: every
non-empty cell of the cube *region node × industry node × measure*, where the region hierarchy is
全国 ``000000`` → province ``XX0000`` → prefecture ``XXXX00`` → county ``XXXXXX`` (GB/T 2260) and
the industry hierarchy is total ``*`` → section (letter) → division (2 digits) → group (3) →
class (4) (GB/T 4754-2017). Every parent cell equals the sum of its children in both dimensions
(firms registered at prefecture level go to the pseudo-county ``XXXX00*`` 市本级/未细分区县; in
general the pseudo-child of a node is its code followed by ``*``), so the published cube is a
*linked hierarchical table* and every published table of the platform is a slice of it. The cube
is added up from its finest cells (:func:`firm_cells`, or the analytical engine's group-by, then
:func:`cube_from_cells`); sums are exact in whole units of 1/:data:`SUM_SCALE`, so they do not
depend on the order in which the firms are added.

Protection model (the attacker's view). For one measure, the attacker knows every published cell,
every equation *parent = Σ children* (both hierarchies) and non-negativity. For a suppressed cell
with true value ``v`` the attacker's tightest interval is ``[lo, hi]`` with
``lo = min x_c`` and ``hi = max x_c`` over the polytope of all non-negative ``x`` that agree with
the published cells and satisfy every equation (Fischetti & Salazar-González 2001). The cell is
*safe* when ``lo ≤ (1 − p)·v`` and ``hi ≥ (1 + p)·v`` with protection level ``p = 0.15``
(:data:`PROTECTION`: 15% lower and upper protection). Zero-value and empty cells are published.

Method (:func:`protect`):

1. **Primary** cells: ``0 < n < 3`` contributors, or ``top1 / value > 0.85`` (``value > 0``)
   (:data:`jiqun.analytics.disclosure.MIN_COUNT`, :data:`jiqun.analytics.disclosure.DOMINANCE`).
   The ``firms`` measure (each firm counts 1) has the primary rule ``0 < n < 3``.
2. **Equation conditions** to a fixed point (the 1-D part of HiTaS, de Wolf 2002): in every
   equation, a suppressed child needs the parent suppressed or suppressed siblings whose values sum
   to at least ``p·v`` (and, against a single-contributor insider, not exactly one sibling that is a
   single firm); a suppressed parent needs suppressed children summing to at least ``p·v``. A
   failing condition suppresses the cheapest published member that satisfies it — cost
   ``value + K`` (``K`` = the mean positive cell value: a per-cell constant, so that many small
   cells are not cheaper than one), halved for a cell already hidden in another measure
   (``prefer``) — or the largest one if none does alone.
3. **Exact LP audit** of the linked table (HiGHS via ``highspy``): variables are the suppressed
   cells only (published cells are constants), split into connected components; for each component
   a few aggregate objectives (``max/min Σ x_c / v_c`` over cells not yet shown safe) give feasible
   points that already show most cells safe (a feasible point with ``x_c ≥ 1.15 v_c`` proves the
   upper condition), then one warm-started re-solve per remaining cell and direction (changed
   objective only) gives the exact bound.
4. **Repair**: for every cell that fails, the equations with non-zero dual values in its bounding
   LP are the ones that bind; the cheapest published member of those equations whose value covers
   the deficit (else the largest) is suppressed, the conditions of step 2 re-run, and the
   components that changed are audited again, until no cell fails. Intervals only widen when a
   cell is added (the old feasible set embeds in the new one), so the loop terminates.

The result is a heuristic (not the minimum-loss pattern, which is NP-hard: Kelly 1990) whose
safety is *verified exactly* by the audit; :func:`audit_release` recomputes the attacker's
intervals of any pattern, independently of how it was built.

References
----------
Hundepool, A. et al. (2012) *Statistical Disclosure Control*, Wiley, ch. 4 (tabular data,
sensitivity rules, protection levels, linked tables). de Wolf, P.-P. (2002) HiTaS: a heuristic
approach to cell suppression in hierarchical tables, in *Inference Control in Statistical
Databases*, LNCS 2316. Fischetti, M. and Salazar-González, J.-J. (2001) Solving the cell suppression
problem on tabular data with linear constraints, *Management Science* 47(7). τ-ARGUS user's manual
(Statistics Netherlands), modular and optimal methods. Meindl, B. R package ``sdcTable``
(``protectTable``, ``attack``).

Example
-------
>>> firms = pd.DataFrame({"region_code": ["320211", "320211", "320213", "320213"] * 2,
...                       "industry_code": ["2611"] * 4 + ["2612"] * 4,
...                       "revenue": [10.0, 11.0, 12.0, 13.0, 5.0, 6.0, 7.0, 40.0]})
>>> cube = build_cube(firms, ["revenue"])
>>> rel = protect(cube[cube["measure"] == "revenue"])
>>> int(rel.cells["suppressed"].sum()) > 0, rel.stats["unsafe"]
(True, 0)
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from jiqun import reference
from jiqun.analytics.disclosure import DOMINANCE, MIN_COUNT
from jiqun.standard.problems import JiqunError

__all__ = [
    "INDUSTRY_ROOT",
    "PROTECTION",
    "REGION_ROOT",
    "SUM_SCALE",
    "Protection",
    "audit_release",
    "build_cube",
    "cube_from_cells",
    "firm_cells",
    "industry_parent",
    "protect",
    "protect_release",
    "region_parent",
]

#: relative protection level: the attacker's interval must reach 15% below and above the value
PROTECTION = 0.15
REGION_ROOT = "000000"
INDUSTRY_ROOT = "*"
#: measure name of the firm count (each firm contributes 1)
FIRMS = "firms"
#: sums are exact: each contribution is rounded to 1/SUM_SCALE of its unit (one yuan for 万元)
#: and the cube adds whole units, so no sum depends on the order its terms are added in — the
#: store's firm rows and the analytical engine's parallel GROUP BY give the same bits, hence the
#: same suppression pattern (the LP audit and the heuristic react to the last bit of a value)
SUM_SCALE = 10_000
_INF = float(highspy.kHighsInf)
_HighsClass: Any = getattr(highspy, "_Highs", highspy.Highs)  # no banner on stdout
#: one LP per cell in the per-province stage too (else only the aggregate objectives there)
INDIVIDUAL_IN_BLOCKS = True
_TOL = 1e-7  # relative: LP results are exact up to the solver's feasibility tolerance


# --------------------------------------------------------------------------------------------
# hierarchies (by code syntax)
# --------------------------------------------------------------------------------------------


def region_parent(code: str) -> str | None:
    """Parent of a region node: county → prefecture → province → ``000000``; ``X*`` → ``X``.

    Example
    -------
    >>> region_parent("320214"), region_parent("320200"), region_parent("320200*")
    ('320200', '320000', '320200')
    """
    if code == REGION_ROOT:
        return None
    if code.endswith("*"):
        return code[:-1]
    if code[2:] == "0000":
        return REGION_ROOT
    if code[4:] == "00":
        return code[:2] + "0000"
    return code[:4] + "00"


def industry_parent(code: str) -> str | None:
    """Parent of an industry node: class → group → division → section letter → ``*``.

    Example
    -------
    >>> industry_parent("2611"), industry_parent("26"), industry_parent("C")
    ('261', 'C', '*')
    """
    if code == INDUSTRY_ROOT:
        return None
    if code.endswith("*"):
        return code[:-1]
    if not code[:1].isdigit():
        return INDUSTRY_ROOT
    if len(code) == 2:
        return _section(code)
    return code[:-1]


@functools.lru_cache(maxsize=1)
def _sections() -> dict[str, str]:
    df = reference.industries()
    div = df[df["level"] == 2]
    return dict(zip(div["code"], div["section"], strict=True))


def _section(division: str) -> str:
    sec = _sections().get(division)
    return sec if isinstance(sec, str) and sec else "?"


def _region_path(code: str) -> list[str]:
    """Nodes of levels 0–3 (national, province, prefecture, county) of a firm's region code."""
    prov = code[:2] + "0000"
    pref = code[:4] + "00" if code[2:4] != "00" else prov + "*"
    county = code if code[4:6] != "00" else pref + "*"
    return [REGION_ROOT, prov, pref, county]


def _industry_path(code: str) -> list[str]:
    """Nodes of levels 0–4 (total, section, division, group, class) of a firm's class code."""
    div = code[:2]
    grp = code[:3] if len(code) >= 3 else div + "*"
    cls = code[:4] if len(code) >= 4 else grp + "*"
    return [INDUSTRY_ROOT, _section(div), div, grp, cls]


# --------------------------------------------------------------------------------------------
# the cube
# --------------------------------------------------------------------------------------------


def _top_two(inv: np.ndarray, k: int, val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest and second largest ``val`` per group ``inv`` (``k`` groups; 0 where none).

    ``NaN`` or ``-inf`` values never count; ties keep both (a tie gives ``top2 == top1``).
    """
    v = np.where(np.isnan(val), -np.inf, val)
    o = np.lexsort((-v, inv))
    inv_s, v_s = inv[o], v[o]
    first = np.r_[True, inv_s[1:] != inv_s[:-1]] if len(inv_s) else np.zeros(0, dtype=bool)
    top1 = np.zeros(k)
    top1[inv_s[first]] = v_s[first]
    second = np.r_[False, first[:-1]] & ~first if len(inv_s) else first
    top2 = np.zeros(k)
    top2[inv_s[second]] = v_s[second]
    top1[~np.isfinite(top1)] = 0.0
    top2[~np.isfinite(top2)] = 0.0
    return top1, top2


def _path_ids(paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct rows of a (codes × levels) array of node names.

    Returns the path id of each row and, per path id, the first row having it.
    """
    if not len(paths):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    joined = np.array(["\x1f".join(map(str, row)) for row in paths], dtype=object)
    _u, first, ids = np.unique(joined, return_index=True, return_inverse=True)
    return ids.astype(np.int64), first


def firm_cells(
    firms: pd.DataFrame, measure_cols: Sequence[str] = ("revenue", "output", "employees")
) -> pd.DataFrame:
    """The finest cells of a firm frame: one row per (``region_code``, ``industry_code``) pair.

    Formula: per pair, ``n_firms`` = firm rows and, per measure ``m`` over the firms reporting
    it, ``m_sum`` = Σ x_f (each ``x_f`` rounded to 1/:data:`SUM_SCALE`: ``⌊x_f·S + ½⌋ / S``,
    added exactly), ``m_n`` = number reporting, ``m_max ≥ m_top2`` the two largest
    contributions (0 where none) and ``m_min`` the smallest (``NaN`` where none). These are the
    cells :func:`cube_from_cells` builds the cube from; the analytical engine computes the same
    cells without ``m_top2`` (:func:`jiqun.engine.aggregates.cell_aggregates`).

    Parameters
    ----------
    firms:
        Columns ``region_code``, ``industry_code`` and the measure columns (missing = not
        reported).
    measure_cols:
        The measures.

    Returns
    -------
    pandas.DataFrame with ``region_code``, ``industry_code``, ``n_firms`` and per measure
    ``m_sum``, ``m_n``, ``m_max``, ``m_top2``, ``m_min`` (sorted by the codes).

    References
    ----------
    Hundepool et al. (2012) ch. 4.2 (magnitude tables: cell totals, contributors, largest
    contributions).

    Example
    -------
    >>> f = pd.DataFrame({"region_code": ["320211"] * 3, "industry_code": ["2611"] * 3,
    ...                   "revenue": [1.0, 5.0, None]})
    >>> firm_cells(f, ["revenue"])[["n_firms", "revenue_sum", "revenue_n",
    ...     "revenue_max", "revenue_top2"]].to_numpy().tolist()
    [[3.0, 6.0, 2.0, 5.0, 1.0]]
    """
    for col in ("region_code", "industry_code", *measure_cols):
        if col not in firms.columns:
            raise JiqunError(f"企业表缺少列 {col!r}", f"the firm frame has no column {col!r}")
    rc = firms["region_code"].astype(str).to_numpy()
    ic = firms["industry_code"].astype(str).to_numpy()
    ur, rinv = np.unique(rc, return_inverse=True)
    ui, iinv = np.unique(ic, return_inverse=True)
    uk, inv = np.unique(rinv.astype(np.int64) * max(len(ui), 1) + iinv, return_inverse=True)
    k = len(uk)
    out = pd.DataFrame(
        {
            "region_code": ur[uk // max(len(ui), 1)].astype(object),
            "industry_code": ui[uk % max(len(ui), 1)].astype(object),
            "n_firms": np.bincount(inv, minlength=k).astype(np.int64),
        }
    )
    for m in measure_cols:
        val = pd.to_numeric(firms[m], errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(val)
        t1, t2 = _top_two(inv, k, val)
        low = np.full(k, np.inf)
        np.minimum.at(low, inv[ok], val[ok])
        # whole units: float64 adds integers below 2⁵³ exactly, in any order
        units = np.where(ok, np.floor(val * SUM_SCALE + 0.5), 0.0)
        out[f"{m}_sum"] = np.bincount(inv, weights=units, minlength=k) / SUM_SCALE
        out[f"{m}_n"] = np.bincount(inv, weights=ok, minlength=k).astype(np.int64)
        n = out[f"{m}_n"].to_numpy()
        # as SQL's MAX and MIN: no value where no firm reports the measure
        out[f"{m}_max"] = np.where(n > 0, t1, np.nan)
        out[f"{m}_top2"] = np.where(n > 1, t2, np.nan)
        out[f"{m}_min"] = np.where(np.isfinite(low), low, np.nan)
    return out


def cube_from_cells(
    cells: pd.DataFrame,
    measure_cols: Sequence[str] = ("revenue", "output", "employees"),
    region_levels: Sequence[int] = (0, 1, 2, 3),
    industry_levels: Sequence[int] = (0, 1, 2, 3, 4),
) -> pd.DataFrame:
    """The linked hierarchical cube from the finest cells (sums add, counts add, maxima max).

    Formula: a cube cell is the union of the finest cells under it, so ``value = Σ m_sum``
    (added in whole units of 1/:data:`SUM_SCALE`: exact, in any order),
    ``n = Σ m_n``, ``n_firms = Σ n_firms``, ``top1 = max m_max`` and ``top2`` = the second
    largest of the children's ``m_max`` and ``m_top2`` together (the two largest firms of a
    union are among the two largest of each part). The ``firms`` measure counts firms:
    ``value = n = n_firms``, ``top1 = 1`` (``top2 = 1`` from two firms on). A level left out of
    ``region_levels`` or ``industry_levels`` is skipped (its children hang on the next level up).

    Parameters
    ----------
    cells:
        Finest cells as :func:`firm_cells` returns them (or the engine's
        :func:`jiqun.engine.aggregates.cell_aggregates` with ``count="n_firms"``): ``region_code``,
        ``industry_code``, ``n_firms`` and per measure ``m_sum``, ``m_n``, ``m_max``; optional
        ``m_top2`` (else the cube's ``top2`` is ``NaN``: no rule of :func:`protect` uses it) and
        ``m_min`` (checked non-negative). A pair may occur in several rows (they are added up).
    measure_cols, region_levels, industry_levels:
        As :func:`build_cube`.

    Returns
    -------
    The cube of :func:`build_cube`.

    References
    ----------
    Hundepool et al. (2012) ch. 4.2 (linked and hierarchical tables); de Wolf (2002).

    Example
    -------
    >>> cells = pd.DataFrame({"region_code": ["320211", "320213"],
    ...     "industry_code": ["2611", "2611"], "n_firms": [2, 1], "revenue_sum": [3.0, 4.0],
    ...     "revenue_n": [2, 1], "revenue_max": [2.0, 4.0]})
    >>> c = cube_from_cells(cells, ["revenue"])
    >>> c[(c.measure == "revenue") & (c.region_code == "000000")
    ...   & (c.industry_code == "*")][["value", "n", "n_firms", "top1"]].values.tolist()
    [[7.0, 3.0, 3.0, 4.0]]
    """
    if 0 not in region_levels or 0 not in industry_levels:
        raise JiqunError("层级须包含总计（0）", "the levels must include the total (0)")
    need = ["region_code", "industry_code", "n_firms"]
    need += [f"{m}_{s}" for m in measure_cols for s in ("sum", "n", "max")]
    for col in need:
        if col not in cells.columns:
            raise JiqunError(f"单元格表缺少列 {col!r}", f"the cells have no column {col!r}")
    for m in measure_cols:
        low = f"{m}_min" if f"{m}_min" in cells.columns else f"{m}_max"
        if np.nanmin(pd.to_numeric(cells[low]).to_numpy(dtype=float), initial=0.0) < 0:
            raise JiqunError(
                f"指标 {m} 含负值，无法按非负模型保护", f"measure {m} has negative values"
            )
    rc = cells["region_code"].astype(str).to_numpy()
    ic = cells["industry_code"].astype(str).to_numpy()
    # paths of the distinct codes only (few thousand), then integer node ids per cell and level
    ur, rinv = np.unique(rc, return_inverse=True)
    ui, iinv = np.unique(ic, return_inverse=True)
    rpaths = np.array([_region_path(c) for c in ur], dtype=object).reshape(len(ur), 4)
    ipaths = np.array([_industry_path(c) for c in ui], dtype=object).reshape(len(ui), 5)
    rlev = sorted(set(region_levels))
    ilev = sorted(set(industry_levels))
    rnodes = pd.Index(pd.unique(rpaths[:, rlev].ravel()))
    inodes = pd.Index(pd.unique(ipaths[:, ilev].ravel()))
    nj = len(inodes)
    # the distinct paths (published levels only) of the distinct codes, then one key per cell:
    # every cube cell is a union of the cells' (region path, industry path) groups
    rp_code, rp_first = _path_ids(rpaths[:, rlev])
    ip_code, ip_first = _path_ids(ipaths[:, ilev])
    nip = len(ip_first)
    g_key, g_inv = np.unique(rp_code[rinv] * nip + ip_code[iinv], return_inverse=True)
    k0 = len(g_key)
    g_rp, g_ip = g_key // nip, g_key % nip
    rid = {lv: rnodes.get_indexer(rpaths[rp_first, lv])[g_rp] for lv in rlev}
    iid = {lv: inodes.get_indexer(ipaths[ip_first, lv])[g_ip] for lv in ilev}

    def num(col: str) -> np.ndarray:
        return pd.to_numeric(cells[col]).fillna(0).to_numpy(dtype=float)

    def add(v: np.ndarray) -> np.ndarray:
        return np.bincount(g_inv, weights=v, minlength=k0)

    order = np.argsort(g_inv, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(g_inv[order]) != 0]) if k0 else order[:0]

    def largest(v: np.ndarray, second: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        if second is None:
            return np.maximum.reduceat(v[order], starts) if k0 else v[:0], None
        # the two largest of a union are among every part's two largest
        return _top_two(np.r_[g_inv, g_inv], k0, np.r_[v, second])

    # one pass over the (possibly millions of) cells: reduced to their path groups
    n_firms = add(num("n_firms"))
    cols: dict[str, dict[str, np.ndarray]] = {}
    for m in measure_cols:
        top2 = num(f"{m}_top2") if f"{m}_top2" in cells else None
        t1, t2 = largest(num(f"{m}_max"), top2)
        # whole units (the cells' sums are multiples of 1/SUM_SCALE): exact in any order
        cols[m] = {
            "sum": add(np.rint(num(f"{m}_sum") * SUM_SCALE)),
            "n": add(num(f"{m}_n")),
            "max": t1,
        }
        if t2 is not None:
            cols[m]["top2"] = t2
    # the firms measure: each firm contributes 1
    cols[FIRMS] = {
        "sum": n_firms * SUM_SCALE,
        "n": n_firms,
        "max": (n_firms > 0).astype(float),
        "top2": (n_firms > 1).astype(float),
    }
    frames = []
    for a, lr in enumerate(rlev):
        for b, li in enumerate(ilev):
            uk, inv = np.unique(rid[lr].astype(np.int64) * nj + iid[li], return_inverse=True)
            k = len(uk)
            nf = np.bincount(inv, weights=n_firms, minlength=k)
            for m in (*measure_cols, FIRMS):
                c = cols[m]
                if "top2" in c:
                    # the two largest of the union are among every part's two largest
                    t1, t2 = _top_two(np.r_[inv, inv], k, np.r_[c["max"], c["top2"]])
                else:
                    t1, t2 = _top_two(inv, k, c["max"])
                    t2 = np.full(k, np.nan)
                frames.append(
                    pd.DataFrame(
                        {
                            "measure": m,
                            "r": uk // nj,
                            "j": uk % nj,
                            "region_level": a if len(rlev) < 4 else lr,
                            "industry_level": b if len(ilev) < 5 else li,
                            "value": np.bincount(inv, weights=c["sum"], minlength=k) / SUM_SCALE,
                            "n": np.rint(np.bincount(inv, weights=c["n"], minlength=k)).astype(
                                np.int64
                            ),
                            "n_firms": np.rint(nf).astype(np.int64),
                            "top1": t1,
                            "top2": t2,
                        }
                    )
                )
    cols_out = [
        "measure",
        "region_code",
        "industry_code",
        "region_level",
        "industry_level",
        "value",
        "n",
        "n_firms",
        "top1",
        "top2",
    ]
    if not frames or not len(cells):
        return pd.DataFrame(columns=cols_out)
    cube = pd.concat(frames, ignore_index=True)
    cube.insert(1, "region_code", rnodes.to_numpy()[cube.pop("r").to_numpy()])
    cube.insert(2, "industry_code", inodes.to_numpy()[cube.pop("j").to_numpy()])
    cube["region_level"] = cube["region_level"].astype(np.int8)
    cube["industry_level"] = cube["industry_level"].astype(np.int8)
    cube = cube.sort_values(
        ["measure", "region_level", "region_code", "industry_level", "industry_code"],
        kind="stable",
    ).reset_index(drop=True)
    return cube[cols_out]


def build_cube(
    firms: pd.DataFrame,
    measure_cols: Sequence[str] = ("revenue", "output", "employees"),
    region_levels: Sequence[int] = (0, 1, 2, 3),
    industry_levels: Sequence[int] = (0, 1, 2, 3, 4),
) -> pd.DataFrame:
    """The full linked hierarchical cube of a firm frame (one row per non-empty cell and measure).

    Formula: for region node ``r``, industry node ``j`` and measure ``m``,
    ``value = Σ x_f`` over firms ``f`` in ``r × j`` reporting ``m``, ``n`` = number reporting,
    ``top1 ≥ top2`` the two largest contributions; ``n_firms`` = all firms in the cell. The
    ``firms`` measure counts firms (each contributes 1). A level left out of ``region_levels`` or
    ``industry_levels`` is skipped (its children hang on the next level up). Computed as
    :func:`cube_from_cells` of :func:`firm_cells` (the one implementation the analytical
    engine's cells go through too).

    Parameters
    ----------
    firms:
        Columns ``region_code`` (6-digit GB/T 2260 code of a county, or of a prefecture or
        province for firms not registered in a county), ``industry_code`` (GB/T 4754 class,
        digits only) and the measure columns (non-negative; missing = not reported).
    measure_cols:
        Measures to aggregate; the ``firms`` count is always added.
    region_levels:
        Subset of 0 (全国), 1 (province), 2 (prefecture), 3 (county); must contain 0.
    industry_levels:
        Subset of 0 (total), 1 (section), 2 (division), 3 (group), 4 (class); must contain 0.

    Returns
    -------
    pandas.DataFrame with ``measure``, ``region_code``, ``industry_code``, ``region_level``,
    ``industry_level``, ``value``, ``n``, ``n_firms``, ``top1``, ``top2`` (sorted).

    References
    ----------
    Hundepool et al. (2012) ch. 4.2 (linked and hierarchical tables); de Wolf (2002).

    Example
    -------
    >>> f = pd.DataFrame({"region_code": ["320211", "320200"], "industry_code": ["2611", "2612"],
    ...                   "revenue": [1.0, 2.0]})
    >>> c = build_cube(f, ["revenue"])
    >>> c[(c.measure == "revenue") & (c.region_code == "000000")
    ...   & (c.industry_code == "*")]["value"].tolist()
    [3.0]
    >>> sorted(c.loc[c.region_level == 3, "region_code"].unique())
    ['320200*', '320211']
    """
    if 0 not in region_levels or 0 not in industry_levels:
        raise JiqunError("层级须包含总计（0）", "the levels must include the total (0)")
    return cube_from_cells(
        firm_cells(firms, measure_cols), measure_cols, region_levels, industry_levels
    )


def primary_mask(
    cells: pd.DataFrame,
    min_count: int = MIN_COUNT,
    dominance: float = DOMINANCE,
) -> np.ndarray:
    """Primary (sensitive) cells: ``value > 0`` and (``0 < n < min_count`` or
    ``top1 / value > dominance``); for the ``firms`` count only the threshold applies.

    Example
    -------
    >>> primary_mask(pd.DataFrame({"measure": ["revenue"] * 3, "value": [5.0, 10.0, 0.0],
    ...     "n": [2, 4, 1], "top1": [3.0, 9.0, 0.0]})).tolist()
    [True, True, False]
    """
    v = cells["value"].to_numpy(dtype=float)
    n = cells["n"].to_numpy(dtype=np.int64)
    t1 = cells["top1"].to_numpy(dtype=float)
    count = cells["measure"].to_numpy(dtype=object) == FIRMS
    with np.errstate(divide="ignore", invalid="ignore"):
        dom = np.where(v > 0, t1 / np.where(v > 0, v, 1.0), 0.0) > dominance
    return (v > 0) & (((n > 0) & (n < min_count)) | (dom & ~count))


# --------------------------------------------------------------------------------------------
# the linked table of one measure: cells and equations
# --------------------------------------------------------------------------------------------


class _Linked:
    """Cells of one measure with the equations *parent = Σ children* of both hierarchies."""

    def __init__(self, region: np.ndarray, industry: np.ndarray, value: np.ndarray) -> None:
        self.N = len(value)
        self.value = value.astype(float)
        self.region = region
        rn = pd.Index(pd.unique(region))
        jn = pd.Index(pd.unique(industry))
        r = rn.get_indexer(region).astype(np.int64)
        j = jn.get_indexer(industry).astype(np.int64)
        nj = len(jn)
        rpar = rn.get_indexer([region_parent(c) or "\x00" for c in rn])
        jpar = jn.get_indexer([industry_parent(c) or "\x00" for c in jn])
        if (rpar < 0).sum() > 1 or (jpar < 0).sum() > 1:
            raise JiqunError(
                "单元格不完整：缺少上级节点", "incomplete cube: a parent node has no cell"
            )
        key = r * nj + j
        order = np.argsort(key)
        skey = key[order]
        parent_of: list[np.ndarray] = []
        for dim in (0, 1):
            if dim == 0:
                has, pr, pj = rpar[r] >= 0, rpar[r], j
            else:
                has, pr, pj = jpar[j] >= 0, r, jpar[j]
            pk = pr * nj + pj
            pos = np.clip(np.searchsorted(skey, pk), 0, len(skey) - 1)
            found = has & (skey[pos] == pk)
            if (has & ~found).any():
                raise JiqunError(
                    "单元格不完整：缺少上级单元格", "incomplete cube: a parent cell is missing"
                )
            parent_of.append(np.where(has, order[pos], -1))
        # equation ids: dimension d, parent cell p -> one equation
        eq_parent: list[int] = []
        eq_children: list[list[int]] = []
        self.cell_eqs: list[list[int]] = [[] for _ in range(self.N)]
        for dim in (0, 1):
            par = parent_of[dim]
            kids = np.flatnonzero(par >= 0)
            o = kids[np.argsort(par[kids], kind="stable")]
            ps = par[o]
            starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]]) if len(ps) else np.array([])
            ends = np.r_[starts[1:], len(ps)] if len(ps) else np.array([])
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                eid = len(eq_parent)
                p = int(ps[s])
                ch = o[s:e].tolist()
                eq_parent.append(p)
                eq_children.append(ch)
                self.cell_eqs[p].append(eid)
                for c in ch:
                    self.cell_eqs[c].append(eid)
        self.eq_parent = eq_parent
        self.eq_children = eq_children
        self.E = len(eq_parent)

    def matrix(self) -> sparse.csr_matrix:
        """Equation rows ``x_parent − Σ x_children = 0`` over all cells (E × N)."""
        rows, cols, vals = [], [], []
        for e in range(self.E):
            rows.append(e)
            cols.append(self.eq_parent[e])
            vals.append(1.0)
            ch = self.eq_children[e]
            rows += [e] * len(ch)
            cols += ch
            vals += [-1.0] * len(ch)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(self.E, self.N))


# --------------------------------------------------------------------------------------------
# the attacker: exact LP intervals
# --------------------------------------------------------------------------------------------


@dataclass
class _Audit:
    lo: np.ndarray
    hi: np.ndarray
    safe: np.ndarray
    #: cell -> list of (direction, deficit, binding equation ids) for failing cells
    fails: dict[int, list[tuple[str, float, list[int]]]] = field(default_factory=dict)
    solves: int = 0
    audited: np.ndarray | None = None


def _components(lk: _Linked, S: np.ndarray, A: sparse.csr_matrix) -> tuple[int, np.ndarray]:
    """Connected components of suppressed cells (two are linked when they share an equation)."""
    sup = np.flatnonzero(S)
    As = A[:, sup]
    As.data[:] = 1.0
    G = (As.T @ As).tocsr()
    return connected_components(G, directed=False)


def _block_keys(lk: _Linked) -> list[np.ndarray]:
    """Block labels per cell for the staged audit (−1: not checked at that stage): the cells of
    prefecture and county level of one province. (A prefecture block would fix a prefecture
    cell's sibling prefectures and so its value: too small to show anything.)"""
    rc = pd.Series(lk.region, dtype=object)
    root = (rc == REGION_ROOT).to_numpy()
    prov = ((rc.str.len() == 6) & (rc.str[2:6] == "0000")).to_numpy()
    pro = pd.factorize(rc.str[:2].where(~root & ~prov))[0]
    return [pro]


def _audit(
    lk: _Linked,
    S: np.ndarray,
    A: sparse.csr_matrix,
    protection: float,
    cells: np.ndarray | None = None,
    exact: bool = False,
    duals: bool = True,
) -> _Audit:
    """LP intervals of the suppressed cells.

    Staged (``exact=False``): a cell is first checked in a small LP where only the suppressed
    cells of its prefecture (then province, then the national and provincial rows) are unknown
    and every other suppressed cell is fixed at its true value. Fixing variables only shrinks the
    attacker's feasible set, so a cell safe there is safe against the full LP (the feasible point
    found extends with the true values); only the cells not shown safe go on to the exact LP of
    their whole connected component.

    With ``cells``, only ``cells`` are checked: when a published cell becomes suppressed the
    feasible set only grows (the old points extend with the new variable at its value), so a
    cell shown safe before stays safe."""
    N = lk.N
    res = _Audit(
        np.full(N, np.nan),
        np.full(N, np.nan),
        np.ones(N, dtype=bool),
        audited=np.zeros(N, dtype=bool),
    )
    sup = np.flatnonzero(S)
    if not len(sup):
        return res
    todo = np.zeros(N, dtype=bool)
    todo[sup if cells is None else cells] = True
    todo &= S & (lk.value > 0)
    assert res.audited is not None  # set just above
    res.audited[todo] = True
    Ac = A.tocsc()
    isvar = np.zeros(N, dtype=bool)
    stages: list[np.ndarray] = [] if exact else _block_keys(lk)
    for key in stages:
        cand = np.flatnonzero(todo & (key >= 0))
        if not len(cand):
            continue
        for blk in np.unique(key[cand]).tolist():
            cols = sup[key[sup] == blk] if len(stages) else sup
            chk = todo[cols]
            if not chk.any():
                continue
            isvar[cols] = True
            ok, lo, hi, _fails, n = _audit_component(
                lk, Ac, isvar, cols, chk, protection, False, False, individual=INDIVIDUAL_IN_BLOCKS
            )
            isvar[cols] = False
            res.solves += n
            done = cols[ok & chk]
            todo[done] = False
            res.lo[done] = lo[ok & chk]
            res.hi[done] = hi[ok & chk]
    left = np.flatnonzero(todo)
    if not len(left):
        return res
    ncomp, lab = _components(lk, S, A)
    order = np.argsort(lab, kind="stable")
    bounds = np.searchsorted(lab[order], np.arange(ncomp + 1))
    pos = np.searchsorted(sup, left)
    for k in np.unique(lab[pos]).tolist():
        cols = sup[order[bounds[k] : bounds[k + 1]]]
        chk = todo[cols]
        isvar[cols] = True
        ok, lo, hi, fails, n = _audit_component(lk, Ac, isvar, cols, chk, protection, exact, duals)
        isvar[cols] = False
        res.solves += n
        res.lo[cols[chk]] = lo[chk]
        res.hi[cols[chk]] = hi[chk]
        res.safe[cols[chk]] = ok[chk]
        res.fails.update(fails)
    return res


def _audit_component(
    lk: _Linked,
    Ac: sparse.csc_matrix,
    isvar: np.ndarray,
    cols: np.ndarray,
    check: np.ndarray,
    protection: float,
    exact: bool,
    duals: bool,
    individual: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, list[tuple[str, float, list[int]]]], int]:
    """One LP: unknowns ``cols``; every other cell is a constant at its value. Returns per column
    whether it is safe (columns not in ``check`` count as safe), lo, hi, the failing cells'
    binding equations and the number of solves."""
    v = lk.value[cols]
    scale = float(v.max()) if len(v) and v.max() > 0 else 1.0
    sub = Ac[:, cols]
    rows = np.unique(sub.indices)
    sub = sub[rows, :].tocsc()
    # published members of each row move to the right-hand side: A_S x_S = −A_P v_P
    rhs = np.zeros(len(rows))
    for t, e in enumerate(rows.tolist()):
        p = lk.eq_parent[e]
        s = 0.0 if isvar[p] else lk.value[p]
        for c in lk.eq_children[e]:
            if not isvar[c]:
                s -= lk.value[c]
        rhs[t] = -s  # row: x_p − Σ x_c = 0  →  (S part) = −(published part)
    rhs /= scale
    vv = v / scale
    h = _HighsClass()
    h.setOptionValue("output_flag", False)
    # after a change of objective the basis stays primal feasible: primal simplex warm-starts
    h.setOptionValue("simplex_strategy", 4)
    lp = highspy.HighsLp()
    lp.num_col_ = len(cols)
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.zeros(len(cols))
    lp.col_lower_ = np.zeros(len(cols))
    lp.col_upper_ = np.full(len(cols), _INF)
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
    lp.a_matrix_.index_ = sub.indices.astype(np.int32)
    lp.a_matrix_.value_ = sub.data.astype(np.float64)
    h.passModel(lp)
    m = len(cols)
    up_need = (1 + protection) * vv
    dn_need = (1 - protection) * vv
    up_ok = (vv <= 0) | ~check
    dn_ok = up_ok.copy()
    fails: dict[int, list[tuple[str, float, list[int]]]] = {}
    nsolves = 0
    lo = np.full(m, np.nan)
    hi = np.full(m, np.nan)
    tol = _TOL * max(1.0, float(vv.max(initial=0.0)))
    costed: np.ndarray = np.array([], dtype=np.int32)

    def solve(
        idx: np.ndarray, w: np.ndarray, maximize: bool
    ) -> tuple[str, float, np.ndarray | None]:
        nonlocal costed, nsolves
        if len(costed):
            h.changeColsCost(len(costed), costed, np.zeros(len(costed)))
        h.changeColsCost(len(idx), idx.astype(np.int32), w)
        costed = idx.astype(np.int32)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        )
        h.run()
        nsolves += 1
        st = h.getModelStatus()
        if st == highspy.HighsModelStatus.kOptimal:
            return (
                "ok",
                float(h.getInfo().objective_function_value),
                np.asarray(h.getSolution().col_value),
            )
        if st == highspy.HighsModelStatus.kUnbounded:
            return "unbounded", math.inf, None
        raise JiqunError(
            f"线性规划求解失败：{h.modelStatusToString(st)}",
            f"LP audit failed: {h.modelStatusToString(st)}",
        )

    def witness(x: np.ndarray | None) -> None:
        if x is None:
            return
        up_ok[x >= up_need - tol] = True
        dn_ok[x <= dn_need + tol] = True

    if not exact:
        for _round in range(6):
            before = int((~up_ok).sum() + (~dn_ok).sum())
            if not before:
                break
            for maximize in (True, False):
                todo = np.flatnonzero(~(up_ok if maximize else dn_ok))
                if not len(todo):
                    continue
                _st, _obj, x = solve(todo, 1.0 / vv[todo], maximize)
                witness(x)
            if int((~up_ok).sum() + (~dn_ok).sum()) > 0.7 * before:
                break  # the aggregate objectives stopped paying: one cell at a time
    for maximize in (True, False) if individual else ():
        ok_arr = up_ok if maximize else dn_ok
        for i in range(m):
            if ok_arr[i] and not exact:
                continue
            _st, obj, x = solve(np.array([i]), np.array([1.0]), maximize)
            if maximize:
                hi[i] = obj
                up_ok[i] |= obj >= up_need[i] - tol
            else:
                lo[i] = obj
                dn_ok[i] |= obj <= dn_need[i] + tol
            witness(x)
            if not ok_arr[i] and duals:
                deficit = (up_need[i] - obj) if maximize else (obj - dn_need[i])
                rd = np.asarray(h.getSolution().row_dual)
                binding = rows[np.abs(rd) > 1e-9].tolist()
                fails.setdefault(int(cols[i]), []).append(
                    ("up" if maximize else "down", float(deficit * scale), binding)
                )
    return up_ok & dn_ok, lo * scale, hi * scale, fails, nsolves


# --------------------------------------------------------------------------------------------
# protection
# --------------------------------------------------------------------------------------------


@dataclass
class Protection:
    """A protected pattern of one measure.

    Attributes
    ----------
    cells:
        The input cells plus ``primary`` (bool), ``suppressed`` (bool) and ``suppression``
        (``"primary"``, ``"secondary"`` or ``None``).
    stats:
        Counts of cells, primary and secondary cells, suppressed value share, LP solves,
        repair rounds, unsafe cells left (0 when the audit passed) and seconds.
    """

    cells: pd.DataFrame
    stats: dict[str, Any]


class _Heuristic:
    """Equation conditions to a fixed point (step 2 of the module docstring)."""

    def __init__(
        self,
        lk: _Linked,
        n: np.ndarray,
        S: np.ndarray,
        cost: np.ndarray,
        protection: float,
    ) -> None:
        self.lk, self.S, self.cost, self.p = lk, S, cost, protection
        self.v = lk.value.tolist()
        self.n = n.tolist()
        self.added: list[int] = []

    def add(self, c: int, queue: set[int]) -> None:
        self.S[c] = True
        self.added.append(c)
        queue.update(self.lk.cell_eqs[c])

    def run(self, eqs: Iterable[int]) -> None:
        lk, S = self.lk, self.S
        queue = set(eqs)
        while queue:
            e = queue.pop()
            par = lk.eq_parent[e]
            kids = lk.eq_children[e]
            while True:
                sup_kids = [c for c in kids if S[c]]
                if not sup_kids and not S[par]:
                    break
                fix = self._check(par, kids, sup_kids)
                if fix is None:
                    break
                self.add(fix, queue)

    def _check(self, par: int, kids: list[int], sup_kids: list[int]) -> int | None:
        """A published member to suppress so that the equation's conditions hold, or None."""
        S, v, p, n = self.S, self.v, self.p, self.n
        total = sum(v[c] for c in sup_kids)
        if S[par] and v[par] > 0 and total < p * v[par] - 1e-12 * v[par]:
            return self._pick([c for c in kids if not S[c] and v[c] > 0], p * v[par] - total)
        if S[par]:
            return None
        for i in sup_kids:
            if v[i] <= 0:
                continue
            others = total - v[i]
            single = len(sup_kids) == 2 and n[sup_kids[0] if sup_kids[1] == i else sup_kids[1]] == 1
            if others < p * v[i] - 1e-12 * v[i] or single:
                need = p * v[i] - others
                cand = [c for c in kids if not S[c] and v[c] > 0]
                if sum(v[c] for c in cand) >= need - 1e-12 * v[i] and cand:
                    return self._pick(cand, need)
                return par
        return None

    def _pick(self, cand: list[int], need: float) -> int:
        """Cheapest candidate covering ``need`` alone, else the largest one."""
        cost, v = self.cost, self.v
        cover = [c for c in cand if v[c] >= need]
        if cover:
            return min(cover, key=lambda c: (cost[c], c))
        return max(cand, key=lambda c: (v[c], -c))


def protect(
    cells: pd.DataFrame,
    protection: float = PROTECTION,
    min_count: int = MIN_COUNT,
    dominance: float = DOMINANCE,
    prefer: np.ndarray | None = None,
    max_rounds: int = 200,
) -> Protection:
    """Primary and secondary suppression of one measure's linked cube, verified by the LP audit.

    Rule: see the module docstring (primary rule, equation conditions, exact LP audit with the
    protection level ``protection``, repair until no suppressed cell is unsafe).

    Parameters
    ----------
    cells:
        One measure's cells of :func:`build_cube` (``region_code``, ``industry_code``, ``value``,
        ``n``, ``top1``, ``measure``); every parent cell of every cell must be present.
    protection:
        Relative protection level ``p``: the attacker's interval must reach ``(1 − p)·v`` and
        ``(1 + p)·v``.
    min_count, dominance:
        Primary rule: fewer than ``min_count`` contributors or the largest above ``dominance``.
    prefer:
        Boolean per cell: already hidden in another measure (secondary cost halved there).
    max_rounds:
        Repair rounds before giving up (the cells left unsafe are reported in ``stats``).

    Returns
    -------
    :class:`Protection`.

    References
    ----------
    Hundepool et al. (2012) ch. 4; de Wolf (2002); Fischetti & Salazar-González (2001);
    τ-ARGUS manual; R ``sdcTable``.

    Example
    -------
    >>> f = pd.DataFrame({"region_code": ["320211"] * 4 + ["320213"] * 4,
    ...                   "industry_code": ["2611", "2611", "2611", "2612"] * 2,
    ...                   "revenue": [10.0, 11.0, 12.0, 50.0, 13.0, 14.0, 15.0, 16.0]})
    >>> c = build_cube(f, ["revenue"])
    >>> r = protect(c[c.measure == "revenue"])
    >>> r.stats["unsafe"], r.stats["primary"] > 0
    (0, True)
    """
    t0 = time.perf_counter()
    cells = cells.reset_index(drop=True).copy()
    value = cells["value"].to_numpy(dtype=float)
    lk = _Linked(
        cells["region_code"].to_numpy(dtype=object),
        cells["industry_code"].to_numpy(dtype=object),
        value,
    )
    prim = primary_mask(cells, min_count, dominance)
    S = prim.copy()
    pos = value[value > 0]
    K = float(pos.mean()) if len(pos) else 1.0
    cost = value + K
    if prefer is not None:
        cost = np.where(np.asarray(prefer, dtype=bool), 0.5 * cost, cost)
    heur = _Heuristic(lk, cells["n"].to_numpy(dtype=np.int64), S, cost.tolist(), protection)
    heur.run(range(lk.E))
    A = lk.matrix()
    rounds, solves = 0, 0
    audit = _audit(lk, S, A, protection)
    solves += audit.solves
    while audit.fails and rounds < max_rounds:
        rounds += 1
        heur.added = []
        queue: set[int] = set()
        for _cell, fails in sorted(audit.fails.items()):
            for _direction, deficit, binding in fails:
                cand = sorted(
                    {
                        c
                        for e in binding
                        for c in (lk.eq_parent[e], *lk.eq_children[e])
                        if not S[c] and value[c] > 0
                    }
                )
                if not cand:
                    continue
                heur.add(heur._pick(cand, deficit), queue)
        if not heur.added:
            break
        heur.run(queue)
        changed = np.array(sorted(set(heur.added) | set(audit.fails)), dtype=np.int64)
        again = _audit(lk, S, A, protection, cells=changed)
        solves += again.solves
        # components not re-audited keep their (safe) results
        redo = again.audited if again.audited is not None else np.ones(lk.N, dtype=bool)
        audit.lo = np.where(redo, again.lo, audit.lo)
        audit.hi = np.where(redo, again.hi, audit.hi)
        audit.safe = np.where(redo, again.safe, audit.safe)
        audit.fails = again.fails
    unsafe = int((S & ~audit.safe).sum()) if audit.fails else 0
    cells["primary"] = prim
    cells["suppressed"] = S
    kind = np.full(len(S), None, dtype=object)
    kind[S] = "secondary"
    kind[prim] = "primary"
    cells["suppression"] = pd.Series(kind, dtype=object).where(S, None)
    tot = float(
        value[cells["industry_code"].eq(INDUSTRY_ROOT) & cells["region_code"].eq(REGION_ROOT)].sum()
    )
    leaf_total = tot if tot > 0 else float(value.sum())
    stats = {
        "cells": int(lk.N),
        "equations": int(lk.E),
        "primary": int(prim.sum()),
        "secondary": int((S & ~prim).sum()),
        "suppressed": int(S.sum()),
        "suppressed_share_cells": float(S.mean()) if lk.N else 0.0,
        # value of suppressed cells relative to the sum over all cells (every level)
        "suppressed_share_value": float(value[S].sum() / value.sum()) if value.sum() > 0 else 0.0,
        "grand_total": leaf_total,
        "lp_solves": int(solves),
        "repair_rounds": rounds,
        "unsafe": unsafe,
        "protection": protection,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return Protection(cells=cells, stats=stats)


def protect_release(
    cube: pd.DataFrame,
    protection: float = PROTECTION,
    order: Sequence[str] = (FIRMS, "employees", "revenue", "output"),
) -> Protection:
    """:func:`protect` every measure of a cube in turn; a cell hidden in an earlier measure is
    preferred as a secondary cell of a later one (so the same cells tend to be hidden).

    Parameters
    ----------
    cube:
        Output of :func:`build_cube`.
    protection:
        Protection level (see :func:`protect`).
    order:
        Measures to do first (others follow in name order).

    Returns
    -------
    :class:`Protection` over all measures; ``stats`` has one entry per measure and ``seconds``.

    Example
    -------
    >>> f = pd.DataFrame({"region_code": ["320211", "320213"] * 3,
    ...                   "industry_code": ["2611"] * 6, "revenue": [1.0, 2, 3, 4, 5, 6]})
    >>> r = protect_release(build_cube(f, ["revenue"]))
    >>> sorted(r.stats["measures"])
    ['firms', 'revenue']
    """
    t0 = time.perf_counter()
    measures = list(pd.unique(cube["measure"]))
    ordered = [m for m in order if m in measures] + sorted(m for m in measures if m not in order)
    hidden: set[tuple[str, str]] = set()
    out, stats = [], {}
    for m in ordered:
        c = cube[cube["measure"] == m]
        keys = list(zip(c["region_code"], c["industry_code"], strict=True))
        prefer = np.fromiter((k in hidden for k in keys), dtype=bool, count=len(keys))
        r = protect(c, protection=protection, prefer=prefer)
        hidden |= {k for k, s in zip(keys, r.cells["suppressed"].tolist(), strict=True) if s}
        out.append(r.cells)
        stats[m] = r.stats
    cells = pd.concat(out, ignore_index=True) if out else cube.assign(suppressed=False)
    return Protection(
        cells=cells,
        stats={"measures": stats, "seconds": round(time.perf_counter() - t0, 3)},
    )


def audit_release(
    cells: pd.DataFrame,
    protection: float = PROTECTION,
    exact: bool = True,
) -> pd.DataFrame:
    """The attacker's intervals of the suppressed cells of a release (per measure).

    Formula: for every suppressed cell ``c`` of a measure, ``lo = min x_c`` and ``hi = max x_c``
    subject to ``x ≥ 0``, ``x_k = v_k`` for every published cell and *parent = Σ children* in
    both hierarchies; ``safe`` iff ``lo ≤ (1 − p)·v_c`` and ``hi ≥ (1 + p)·v_c``.

    Parameters
    ----------
    cells:
        Cells with ``measure`` (optional), ``region_code``, ``industry_code``, ``value`` (true
        values, also of suppressed cells) and ``suppressed``.
    protection:
        Protection level ``p``.
    exact:
        ``True``: ``lo`` and ``hi`` are the exact LP bounds of every suppressed cell. ``False``:
        faster; a cell shown safe by a feasible point may have ``lo``/``hi`` missing (NaN).

    Returns
    -------
    pandas.DataFrame: one row per suppressed cell with ``measure``, ``region_code``,
    ``industry_code``, ``value``, ``lo``, ``hi``, ``safe``.

    References
    ----------
    Fischetti & Salazar-González (2001); Hundepool et al. (2012) ch. 4.3 (attacker's LP).

    Example
    -------
    >>> c = pd.DataFrame({"region_code": ["000000", "110000", "120000"],
    ...                   "industry_code": ["*"] * 3, "value": [10.0, 4.0, 6.0],
    ...                   "suppressed": [False, True, True]})
    >>> audit_release(c)[["lo", "hi", "safe"]].values.tolist()
    [[0.0, 10.0, True], [0.0, 10.0, True]]
    """
    if "measure" not in cells.columns:
        cells = cells.assign(measure="value")
    out = []
    for m, c in cells.groupby("measure", sort=True):
        c = c.reset_index(drop=True)
        v = c["value"].to_numpy(dtype=float)
        lk = _Linked(
            c["region_code"].to_numpy(dtype=object), c["industry_code"].to_numpy(dtype=object), v
        )
        S = c["suppressed"].to_numpy(dtype=bool) & (v > 0)
        a = _audit(lk, S, lk.matrix(), protection, exact=exact, duals=False)
        idx = np.flatnonzero(c["suppressed"].to_numpy(dtype=bool))
        out.append(
            pd.DataFrame(
                {
                    "measure": m,
                    "region_code": c["region_code"].to_numpy()[idx],
                    "industry_code": c["industry_code"].to_numpy()[idx],
                    "value": v[idx],
                    "lo": np.where(v[idx] > 0, a.lo[idx], 0.0),
                    "hi": np.where(v[idx] > 0, a.hi[idx], 0.0),
                    "safe": a.safe[idx],
                }
            )
        )
    cols = ["measure", "region_code", "industry_code", "value", "lo", "hi", "safe"]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)
