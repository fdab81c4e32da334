"""Statistical disclosure control of published magnitude tables: primary and complementary cell
suppression (数据脱敏 / 小样本抑制).

A published aggregate (revenue of the enterprises of one city in one industry) must not reveal
the figures of a single enterprise. This module decides which cells of a table are withheld.

**Primary rule** (issue 5; the threshold rule and the (1, k) dominance rule of Statistics
Netherlands' τ-ARGUS, Hundepool et al. 2012 §4.2). A cell is *sensitive* when

- it has ``0 < n < min_count`` contributors (default: fewer than 3 enterprises), or
- its largest contributor accounts for more than ``dominance`` of the cell value,
  ``x_max / X > 0.85`` (an unknown share of a non-zero cell counts as dominant).

Empty cells (``n = 0``) reveal nothing about any enterprise and are not sensitive (as in
``sdcTable``'s default ``allowZeros = FALSE``). Published totals (row, column and grand totals)
are cells too: their ``n`` is the sum of their members' and their largest contributor the
largest of their members' (every enterprise lies in exactly one interior cell), and the same
rule applies to them.

**Complementary (secondary) suppression** so that published totals cannot reveal a suppressed
cell. Every published total gives one linear equation, its *line*: the 1-D list with its grand
total (``col=None``), or, for a 2-D ``row × col`` table, every row and every column with their
marginal totals (a total is itself a member of its line, with sign −1). The heuristic works in
the spirit of τ-ARGUS's *hypercube* method (GHMITER, Repsilber 1994; de Wolf 2002):

1. *Line rule.* No line may have exactly one suppressed cell (it would equal the total minus the
   published cells). For such a line, also suppress its smallest unsuppressed cell — interior
   cells before totals, then the smallest value, then the fewest enterprises, ties by label. A new
   suppression can leave a single suppressed cell in the crossing line, so the rule is applied
   until a fixed point.
2. *Cycle rule* (2-D). Write the table with its margins as a bipartite graph (one node per row
   and per column line, one edge per suppressed cell). The published equations determine a
   suppressed cell exactly if and only if its edge is a *bridge* of that graph (the null space of
   the incidence matrix of a bipartite graph is its cycle space; Gusfield 1988). Each bridge is
   closed into a cycle by suppressing the smallest unsuppressed cell joining its two sides; then
   rule 1 again, to a fixed point.
3. *Insiders.* Some viewers know some cells exactly: an enterprise that is the single contributor
   of a cell knows it (τ-ARGUS's "singleton" option, ``singletons=True``), and a viewer with
   rights to a whole block of cells (a provincial government knows every cell of its province:
   ``blocks=("province",)``) knows all of them. For every such knower the line rule is applied to
   the cells it does not know (and, for ``blocks``, also the cycle rule), so that it cannot
   isolate another cell either.

**What this is not.** The heuristic is *not* an optimal (minimum information loss) solution —
τ-ARGUS's ``OPT`` and ``MOD`` methods solve mixed-integer programmes for that — and it guarantees
only that no suppressed cell is *exactly* determined by the published linear equations. It does
not enforce protection intervals (the p% requirement that the feasible range of a suppressed cell
be wide enough; a complement that is tiny next to a large primary cell narrows it), it does not
look at non-negativity bounds, and for single-contributor knowers it checks the line rule only.
Empty cells (``n = 0``) and cells absent from the long table are published as empty and are
never used as complements (a zero complement would reveal the primary cell's exact upper bound). Whatever cannot be protected is listed in :attr:`Suppression.residual` (empty in all
tests and in the demo database).

References
----------
- Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E., Spicer, K.
  & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley, ch. 4 (magnitude tables:
  threshold, dominance and p% rules; secondary cell suppression).
- de Wolf, P.-P., Hundepool, A. et al. *τ-ARGUS user's manual* (Statistics Netherlands),
  sensitivity rules and the hypercube / modular / optimal suppression methods.
- Repsilber, D. (1994). Preservation of confidentiality in aggregated data. *Second International
  Seminar on Statistical Confidentiality*, Luxembourg (the GHMITER hypercube method).
- de Wolf, P.-P. (2002). HiTaS: a heuristic approach to cell suppression in hierarchical tables.
  In *Inference Control in Statistical Databases*, LNCS 2316, 74–82.
- Cox, L. H. (1980). Suppression methodology and statistical disclosure control. *Journal of the
  American Statistical Association* 75(370), 377–385.
- Gusfield, D. (1988). A graph theoretic approach to statistical data security. *SIAM Journal on
  Computing* 17(3), 552–571.
- Pritchard, D. & Thurimella, R. (2011). Fast computation of small cuts via cycle space
  sampling. *ACM Transactions on Algorithms* 7(4), 46 (random XOR labels for cut pairs).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd
import rustworkx as rx

from jiqun.standard.problems import JiqunError

__all__ = [
    "COMPLEMENTARY",
    "DOMINANCE",
    "MIN_COUNT",
    "PRIMARY",
    "Suppression",
    "apply",
    "is_sensitive",
    "suppress",
    "suppress_table",
]

MIN_COUNT = 3
DOMINANCE = 0.85
PRIMARY = "primary"
COMPLEMENTARY = "complementary"


@dataclass
class Suppression:
    """Result of :func:`suppress_table`.

    Attributes
    ----------
    cells:
        Copy of the input long table with ``suppressed`` (bool) and ``suppression``
        (``"primary"``, ``"complementary"`` or ``None``).
    totals:
        The published totals (empty when ``totals=False``): ``kind`` (``row_total``,
        ``column_total``, ``grand_total``), the row / column label (``None`` for "all"), value,
        count, top share, ``suppressed`` and ``suppression``.
    residual:
        Cells that are still exactly derivable (``cell_kind``, row, column, ``knower``); empty
        when the heuristic protected everything.
    rule:
        The parameters used (for the ``basis`` of a published table).
    """

    cells: pd.DataFrame
    totals: pd.DataFrame
    residual: pd.DataFrame
    rule: dict[str, Any] = field(default_factory=dict)

    @property
    def n_primary(self) -> int:
        return int((self.cells["suppression"] == PRIMARY).sum()) + int(
            (self.totals["suppression"] == PRIMARY).sum() if len(self.totals) else 0
        )

    @property
    def n_complementary(self) -> int:
        return int((self.cells["suppression"] == COMPLEMENTARY).sum()) + int(
            (self.totals["suppression"] == COMPLEMENTARY).sum() if len(self.totals) else 0
        )


def is_sensitive(
    value: np.ndarray | pd.Series | float,
    count: np.ndarray | pd.Series | float,
    top_share: np.ndarray | pd.Series | float | None = None,
    min_count: int = MIN_COUNT,
    dominance: float = DOMINANCE,
) -> np.ndarray:
    """The primary rule: threshold ``0 < n < min_count`` or dominance ``x_max / X > dominance``.

    Parameters
    ----------
    value:
        Cell values ``X`` (≥ 0).
    count:
        Number of contributors ``n`` per cell.
    top_share:
        Share of the largest contributor ``x_max / X`` (``None``: no dominance test, e.g. for a
        count table). A missing share of a non-zero cell counts as dominant.
    min_count, dominance:
        Rule parameters (issue 5: 3 and 0.85).

    Returns
    -------
    numpy.ndarray of bool, True where the cell must be suppressed.

    References
    ----------
    Hundepool et al. (2012), §4.2.2 (threshold rule) and §4.2.3 ((n, k) dominance rule).

    Example
    -------
    >>> is_sensitive([10.0, 10.0, 10.0, 0.0], [2, 5, 5, 0], [0.6, 0.9, 0.5, float("nan")]).tolist()
    [True, True, False, False]
    """
    x = np.asarray(value, dtype=float)
    n = np.asarray(count, dtype=float)
    out = (n > 0) & (n < min_count)
    if top_share is not None:
        s = np.asarray(top_share, dtype=float)
        unknown = np.isnan(s) & (np.nan_to_num(x) > 0)
        out = out | (np.nan_to_num(s, nan=0.0) > dominance) | unknown
    return np.asarray(out, dtype=bool)


class _Problem:
    """The table as cells (interior + margins), lines (equations) and knowers."""

    def __init__(
        self,
        table: pd.DataFrame,
        value: str,
        count: str,
        top_share: str | None,
        row: str,
        col: str | None,
        min_count: int,
        dominance: float,
        totals: bool,
        blocks: Sequence[str],
        singletons: bool,
    ) -> None:
        for c in [value, count, row, *([col] if col else []), *([top_share] if top_share else [])]:
            if c not in table.columns:
                raise JiqunError(f"表中缺少列 {c!r}", f"the table has no column {c!r}")
        for blk in blocks:
            if blk not in table.columns:
                raise JiqunError(
                    f"表中缺少分块列 {blk!r}", f"the table has no block column {blk!r}"
                )
        keys = [row] + ([col] if col else [])
        if table[keys].isna().any().any():
            raise JiqunError("分组列不能为空", f"the key columns {keys} must not be empty")
        if table.duplicated(keys).any():
            raise JiqunError(
                f"分组 {keys} 有重复行，每个单元格只能出现一次",
                f"duplicate rows for {keys}: each cell must appear once",
            )
        x = pd.to_numeric(table[value], errors="coerce").to_numpy(dtype=float)
        n = pd.to_numeric(table[count], errors="coerce").fillna(0).to_numpy(dtype=float)
        if (np.nan_to_num(x) < 0).any() or (n < 0).any():
            raise JiqunError(
                "数值和企业数必须非负（抑制规则假定各企业贡献非负）",
                "values and counts must be non-negative (the rules assume non-negative "
                "contributions)",
            )
        x = np.nan_to_num(x)
        if top_share is not None:
            s = pd.to_numeric(table[top_share], errors="coerce").to_numpy(dtype=float)
            top = np.where(np.isnan(s), np.where(x > 0, x, 0.0), s * x)  # unknown → dominant
        else:
            top = np.zeros_like(x)
        self.two_d = col is not None
        self.totals = totals
        N = len(table)
        self.N = N
        if self.two_d:
            r_codes, r_labels = pd.factorize(table[row], sort=True)
            c_codes, c_labels = pd.factorize(table[col], sort=True)
            R, C = len(r_labels), len(c_labels)
        else:
            r_codes, r_labels = pd.factorize(table[row], sort=True)
            c_codes, c_labels = np.zeros(N, dtype=np.int64), pd.Index([None])
            R, C = len(r_labels), 1
        self.r_labels, self.c_labels, self.R, self.C = r_labels, c_labels, R, C
        kinds = ["cell"] * N
        a = list(r_codes)  # row index of each cell (R = the total row)
        b = list(c_codes)  # column index of each cell (C = the total column)
        vals, cnts, tops = list(x), list(n), list(top)

        def add_total(kind: str, ri: int, ci: int, m: np.ndarray | slice) -> None:
            """Append the total of the cells ``m`` as a cell of kind ``kind`` at (ri, ci)."""
            kinds.append(kind)
            a.append(ri)
            b.append(ci)
            vals.append(x[m].sum())
            cnts.append(n[m].sum())
            tops.append(top[m].max(initial=0.0))

        if totals:
            if self.two_d:
                for ri in range(R):
                    add_total("row_total", ri, C, r_codes == ri)
                for ci in range(C):
                    add_total("column_total", R, ci, c_codes == ci)
            add_total("grand_total", R, C, slice(None))
        self.kind = np.array(kinds, dtype=object)
        self.is_total = self.kind != "cell"
        self.ri = np.asarray(a, dtype=np.int64)
        self.ci = np.asarray(b, dtype=np.int64)
        self.value = np.asarray(vals, dtype=float)
        self.count = np.asarray(cnts, dtype=float)
        self.top = np.asarray(tops, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.top_share = np.where(self.value > 0, self.top / self.value, np.nan)
        if top_share is not None:  # interior cells keep their given share (no rounding drift)
            self.top_share[:N] = np.where(x > 0, np.where(np.isnan(s), 1.0, s), np.nan)
        M = len(self.kind)
        self.M = M
        # lines: 2-D → row lines 0..R and column lines R+1..R+C+1 (the bipartite graph's nodes);
        # 1-D → a single line 0; no lines without published totals.
        if not totals:
            self.line_a = np.full(M, -1)
            self.line_b = np.full(M, -1)
            self.n_lines = 0
        elif self.two_d:
            self.line_a = self.ri.copy()
            self.line_b = R + 1 + self.ci
            self.n_lines = R + C + 2
        else:
            self.line_a = np.zeros(M, dtype=np.int64)
            self.line_b = np.full(M, -1)
            self.n_lines = 1
        self.members = [
            np.flatnonzero((self.line_a == ln) | (self.line_b == ln)) for ln in range(self.n_lines)
        ]
        # deterministic preference among complement candidates
        order = np.lexsort((self.ci, self.ri, self.count, self.value, self.is_total))
        self.prio = np.empty(M, dtype=np.int64)
        self.prio[order] = np.arange(M)
        # primary suppression
        shares = np.where(self.value > 0, self.top_share, 0.0)
        self.S = is_sensitive(
            self.value, self.count, shares if top_share is not None else None, min_count, dominance
        )
        self.reason = np.full(M, None, dtype=object)
        self.reason[self.S] = PRIMARY
        # empty cells are published as empty (known to all) and never used as complements: a
        # zero complement would give the primary cell's exact upper bound
        self.free = self.count > 0
        # knowers: (label, block codes per cell, check cycles too?)
        self.knowers: list[tuple[str, np.ndarray, list[str], bool]] = []
        for bname in blocks:
            codes, labels = pd.factorize(table[bname], sort=True)
            self.knowers.append(
                (bname, self._extend_blocks(codes), [f"{bname}={v}" for v in labels], True)
            )
        if singletons:
            single = n == 1
            codes = np.where(single, np.cumsum(single) - 1, -1)
            ext = self._extend_blocks(codes)
            keys = table.loc[single, [row, *([col] if col else [])]].astype(str)
            names = ["single contributor of " + "/".join(k) for k in keys.itertuples(index=False)]
            self.knowers.append(("single contributor", ext, names, True))
        self.stuck: set[tuple[int, str]] = set()
        self.cell_of = {
            (int(p), int(q)): i
            for i, (p, q) in enumerate(zip(self.line_a, self.line_b, strict=True))
        }

    def _extend_blocks(self, codes: np.ndarray) -> np.ndarray:
        """Block of every cell incl. margins: a total belongs to a block when all its interior
        members do (for single contributors: when its only contributor does)."""
        out = np.full(self.M, -1, dtype=np.int64)
        out[: self.N] = codes
        interior_ri, interior_ci = self.ri[: self.N], self.ci[: self.N]
        cnt = self.count[: self.N]
        for i in range(self.N, self.M):
            if self.kind[i] == "row_total":
                m = interior_ri == self.ri[i]
            elif self.kind[i] == "column_total":
                m = interior_ci == self.ci[i]
            else:
                m = np.ones(self.N, dtype=bool)
            m = m & (cnt > 0)  # empty members are known to be empty anyway
            bl = codes[m]
            if len(bl) and (bl >= 0).all() and (bl == bl[0]).all():
                out[i] = bl[0]
        return out

    # ---------------------------------------------------------------------------------------

    def _add(self, cells: np.ndarray) -> None:
        best = cells[np.argmin(self.prio[cells])]
        self.S[best] = True
        self.reason[best] = COMPLEMENTARY

    def _line_counts(self, mask: np.ndarray) -> np.ndarray:
        cnt = np.zeros(self.n_lines, dtype=np.int64)
        for lines in (self.line_a, self.line_b):
            sel = mask & (lines >= 0)
            cnt += np.bincount(lines[sel], minlength=self.n_lines)
        return cnt

    def line_rule(self, fix: bool = True) -> list[tuple[int, str]]:
        """No line with exactly one suppressed cell (public view). Returns unfixable cells."""
        left: list[tuple[int, str]] = []
        while self.n_lines:
            cnt = self._line_counts(self.S)
            changed = False
            for ln in np.flatnonzero(cnt == 1):
                m = self.members[ln]
                sup = m[self.S[m]]
                if len(sup) != 1:
                    continue
                cand = m[~self.S[m] & self.free[m]]
                if fix and len(cand):
                    self._add(cand)
                    changed = True
                else:
                    left.append((int(sup[0]), "public"))
            if not changed:
                break
        return left

    def knower_line_rule(self, k: int, fix: bool = True) -> list[tuple[int, str]]:
        """The line rule for every knower of knower-level ``k`` (vectorised over blocks)."""
        name, blk, labels, _ = self.knowers[k]
        nb = int(blk.max()) + 1
        left: list[tuple[int, str]] = []
        if nb <= 0 or not self.n_lines:
            return left
        while True:
            cnt = self._line_counts(self.S)
            keys = []  # (line, block) of every suppressed cell a knower knows, sparse
            for lines in (self.line_a, self.line_b):
                sel = self.S & (lines >= 0) & (blk >= 0)
                keys.append(lines[sel] * nb + blk[sel])
            pair, cnt_in = np.unique(np.concatenate(keys), return_counts=True)
            ln_of, bl_of = pair // nb, pair % nb
            hit = (cnt[ln_of] - cnt_in) == 1
            viol = list(zip(ln_of[hit].tolist(), bl_of[hit].tolist(), strict=True))
            changed = False
            for ln, bl in viol:
                m = self.members[ln]
                unknown = blk[m] != bl
                sup = m[self.S[m] & unknown]
                if len(sup) != 1:
                    continue
                cand = m[~self.S[m] & unknown & self.free[m]]
                if fix and len(cand):
                    self._add(cand)
                    changed = True
                else:
                    left.append((int(sup[0]), labels[bl] if labels else name))
            if not changed:
                return left

    def _graph(self, known: np.ndarray | None) -> tuple[rx.PyGraph, np.ndarray]:
        edges = self.S.copy()
        if known is not None:
            edges &= ~known
        idx = np.flatnonzero(edges)
        g = rx.PyGraph(multigraph=False)
        g.add_nodes_from(range(self.n_lines))
        g.add_edges_from_no_data(
            list(zip(self.line_a[idx].tolist(), self.line_b[idx].tolist(), strict=True))
        )
        return g, idx

    def cycle_rule(
        self, known: np.ndarray | None, who: str, fix: bool = True
    ) -> list[tuple[int, str]]:
        """2-D: no suppressed cell on a bridge of the suppression graph (cells ``known`` to the
        viewer removed). Returns unfixable cells."""
        left: list[tuple[int, str]] = []
        if not (self.two_d and self.totals):
            return left
        free_base = self.free if known is None else (self.free & ~known)
        while True:
            g, _ = self._graph(known)
            bridges = rx.bridges(g)
            if not bridges:
                return left
            # rustworkx's stub types the bridge edges as 1-tuples; they are (u, v) pairs
            pairs: list[tuple[int, int]] = [tuple(e) for e in bridges]  # type: ignore[misc]
            cells = sorted(
                (self.cell_of[(min(u, v), max(u, v))] for u, v in pairs),
                key=lambda i: self.prio[i],
            )
            changed = False
            for e in cells:
                if (e, who) in self.stuck:
                    left.append((e, who))
                    continue
                u, v = int(self.line_a[e]), int(self.line_b[e])
                g.remove_edge(u, v)
                in_u = np.zeros(self.n_lines, dtype=bool)
                in_v = np.zeros(self.n_lines, dtype=bool)
                in_u[list(rx.node_connected_component(g, u))] = True
                in_v[list(rx.node_connected_component(g, v))] = True
                g.add_edge(u, v, None)
                free = free_base & ~self.S
                a, b = self.line_a, self.line_b
                direct = free & ((in_u[a] & in_v[b]) | (in_v[a] & in_u[b]))
                near = in_u | in_v
                extend = free & (near[a] != near[b])
                if fix and direct.any():
                    self._add(np.flatnonzero(direct))
                elif fix and extend.any():
                    self._add(np.flatnonzero(extend))
                else:
                    self.stuck.add((e, who))
                    left.append((e, who))
                    continue
                changed = True
                break  # the graph changed: recompute its bridges
            if not changed:
                return left

    def _cut_labels(self, idx: np.ndarray) -> np.ndarray:
        """Random XOR labels of the suppression graph's edges (cells ``idx``), such that a set of
        edges is an edge cut exactly when the XOR of its labels is 0 (with probability
        1 − m²/2⁶⁴; a false alarm only costs an exact check). Bridges get label 0; after
        removing the edges ``K`` a viewer knows, edge ``f`` is a bridge iff its label lies in the
        GF(2) span of the labels of ``K``. (Spanning tree + random labels on non-tree edges; a
        tree edge carries the XOR over the non-tree edges covering it — the randomised cut-pair
        test of Pritchard & Thurimella 2011.)"""
        ua = self.line_a[idx].tolist()
        ub = self.line_b[idx].tolist()
        m, n = len(idx), self.n_lines
        adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for k in range(m):
            adj[ua[k]].append((ub[k], k))
            adj[ub[k]].append((ua[k], k))
        parent, parent_edge = [-1] * n, [-1] * n
        seen = [False] * n
        order: list[int] = []
        tree = [False] * m
        for root in range(n):
            if seen[root] or not adj[root]:
                continue
            seen[root] = True
            stack = [root]
            while stack:
                x = stack.pop()
                order.append(x)
                for y, k in adj[x]:
                    if not seen[y]:
                        seen[y] = True
                        parent[y], parent_edge[y], tree[k] = x, k, True
                        stack.append(y)
        rnd = np.random.default_rng(20260101)
        lab = [0] * m
        acc = [0] * n
        for k in range(m):
            if not tree[k]:
                lab[k] = int(rnd.integers(1, 2**63)) << 1 | int(rnd.integers(0, 2))
                acc[ua[k]] ^= lab[k]
                acc[ub[k]] ^= lab[k]
        for x in reversed(order):
            k = parent_edge[x]
            if k >= 0:
                lab[k] = acc[x]
                acc[parent[x]] ^= acc[x]
        return np.array(lab, dtype=np.uint64)

    def knower_cycles(self, fix: bool = True) -> list[tuple[int, str]]:
        """The cycle rule for every knower with ``cycles`` enabled. Fast path: cut labels of the
        graph of all suppressed cells; only a knower whose known edges would leave a bridge gets
        the exact (rustworkx) check."""
        left: list[tuple[int, str]] = []
        if not (self.two_d and self.totals):
            return left
        for _name, blk, labels, cycles in self.knowers:
            if not cycles:
                continue
            stale = True
            for bl in np.unique(blk[self.S & (blk >= 0)]).tolist():
                if stale:
                    idx = np.flatnonzero(self.S)
                    g_all, _ = self._graph(None)
                    lab = self._cut_labels(idx)
                    nonzero = lab[lab != 0]
                    freq: dict[int, int] = {}
                    for v in nonzero.tolist():
                        freq[v] = freq.get(v, 0) + 1
                    # suppressed cells of each block, as positions in ``idx``
                    kb = blk[idx]
                    order = np.argsort(kb, kind="stable")
                    starts = np.searchsorted(kb[order], np.arange(int(blk.max()) + 2))
                    stale = False
                kpos = order[starts[bl] : starts[bl + 1]]
                klab = [v for v in lab[kpos].tolist() if v]
                basis: list[int] = []
                for v in klab:
                    for b in basis:
                        v = min(v, v ^ b)
                    if v:
                        basis.append(v)
                        basis.sort(reverse=True)
                    if len(basis) > 40:  # near the 64-bit label space: labels cannot decide
                        break
                if not basis:
                    continue
                if len(basis) > 40:  # decide exactly: take the known edges out, look for bridges
                    pairs = list(
                        zip(
                            self.line_a[idx[kpos]].tolist(),
                            self.line_b[idx[kpos]].tolist(),
                            strict=True,
                        )
                    )
                    for u, v in pairs:
                        g_all.remove_edge(u, v)
                    exposed = bool(rx.bridges(g_all))
                    g_all.add_edges_from_no_data(pairs)
                elif len(basis) <= 4:  # few span elements: count lookups
                    span = {0}
                    for b in basis:
                        span |= {x ^ b for x in span}
                    span.discard(0)
                    own: dict[int, int] = {}
                    for v in klab:
                        own[v] = own.get(v, 0) + 1
                    exposed = any(freq.get(x, 0) > own.get(x, 0) for x in span)
                else:
                    red = nonzero.copy()
                    for b in basis:
                        red = np.minimum(red, red ^ np.uint64(b))
                    exposed = int((red == 0).sum()) > len(klab)
                if not exposed:
                    continue
                before = int(self.S.sum())
                left += self.cycle_rule(blk == bl, labels[bl], fix=fix)
                if int(self.S.sum()) != before:
                    stale = True
        return left

    def solve(self) -> list[tuple[int, str]]:
        """Apply the rules to a fixed point; return what is left exposed."""
        while True:
            before = int(self.S.sum())
            self.line_rule()
            for k in range(len(self.knowers)):
                self.knower_line_rule(k)
            if int(self.S.sum()) != before:
                continue
            self.cycle_rule(None, "public")
            if int(self.S.sum()) != before:
                continue
            self.knower_cycles()
            if int(self.S.sum()) == before:
                break
        left = self.line_rule(fix=False)
        for k in range(len(self.knowers)):
            left += self.knower_line_rule(k, fix=False)
        left += self.cycle_rule(None, "public", fix=False)
        left += self.knower_cycles(fix=False)
        return sorted(set(left))


class SuppressOptions(TypedDict, total=False):
    """The options of :func:`suppress_table` after the table, for :func:`suppress` to pass on."""

    value: str
    count: str
    top_share: str | None
    row: str
    col: str | None
    min_count: int
    dominance: float
    totals: bool
    blocks: Sequence[str]
    singletons: bool


def suppress_table(
    table: pd.DataFrame,
    value: str = "value",
    count: str = "n_enterprises",
    top_share: str | None = "top_share",
    row: str = "region",
    col: str | None = None,
    min_count: int = MIN_COUNT,
    dominance: float = DOMINANCE,
    totals: bool = True,
    blocks: Sequence[str] = (),
    singletons: bool = True,
) -> Suppression:
    """Primary and complementary suppression of a long table, with its published totals.

    Rule: see the module docstring — threshold ``0 < n < min_count`` or dominance
    ``x_max / X > dominance`` (primary), then the line rule, the cycle rule (2-D) and the insider
    checks to a fixed point (complementary).

    Parameters
    ----------
    table:
        Long table, one row per cell: the key column(s) ``row`` (and ``col``), the cell value,
        the number of contributing enterprises and the largest contributor's share. Other
        columns are carried along.
    value, count, top_share:
        Column names (``top_share=None`` skips the dominance rule, e.g. for a count table).
    row, col:
        Key columns; ``col=None`` for a 1-D list (one line: the list and its grand total).
    min_count, dominance:
        Primary rule parameters (issue 5: fewer than 3 enterprises; more than 85%).
    totals:
        Whether totals are published (row, column and grand totals). Without published totals
        there are no equations and only primary suppression applies.
    blocks:
        Columns naming a block of cells that one viewer may know entirely (``"province"``:
        a provincial government knows all cells of its province). The pattern is made safe
        against each such viewer too.
    singletons:
        Protect against a single-contributor enterprise that knows its own cell (τ-ARGUS's
        singleton option).

    Returns
    -------
    :class:`Suppression` (cells, totals, residual, rule).

    References
    ----------
    Hundepool et al. (2012) ch. 4; τ-ARGUS manual (hypercube method); Gusfield (1988).

    Example
    -------
    >>> t = pd.DataFrame({"region": ["A", "B", "C", "D"], "value": [5.0, 40.0, 30.0, 20.0],
    ...                   "n_enterprises": [2, 9, 7, 6], "top_share": [0.6, 0.2, 0.3, 0.25]})
    >>> r = suppress_table(t)
    >>> r.cells[["region", "suppression"]].values.tolist()
    [['A', 'primary'], ['B', None], ['C', None], ['D', 'complementary']]
    >>> r.totals[["kind", "value", "suppressed"]].values.tolist()
    [['grand_total', 95.0, False]]
    """
    if not 0 < dominance <= 1:
        raise JiqunError("dominance 须在 (0, 1] 内", "dominance must lie in (0, 1]")
    if min_count < 1:
        raise JiqunError("min_count 至少为 1", "min_count must be at least 1")
    p = _Problem(
        table,
        value,
        count,
        top_share,
        row,
        col,
        min_count,
        dominance,
        totals,
        tuple(blocks),
        singletons,
    )
    left = p.solve()
    cells = table.copy()
    cells["suppressed"] = p.S[: p.N]
    cells["suppression"] = pd.Series(p.reason[: p.N], index=cells.index, dtype=object)
    share_col = top_share or "top_share"
    rows = []
    for i in range(p.N, p.M):
        rows.append(
            {
                "kind": p.kind[i],
                row: p.r_labels[p.ri[i]] if p.ri[i] < p.R else None,
                **({col: p.c_labels[p.ci[i]] if p.ci[i] < p.C else None} if col else {}),
                value: float(p.value[i]),
                count: float(p.count[i]),
                share_col: float(p.top_share[i]),
                "suppressed": bool(p.S[i]),
                "suppression": p.reason[i],
            }
        )
    tot_cols = ["kind", row, *([col] if col else []), value, count, share_col]
    tot = pd.DataFrame(rows, columns=[*tot_cols, "suppressed", "suppression"])
    tot["suppression"] = tot["suppression"].astype(object).where(tot["suppression"].notna(), None)
    if len(tot) and pd.api.types.is_integer_dtype(table[count]):
        tot[count] = tot[count].astype("int64")
    res = pd.DataFrame(
        [
            {
                "cell_kind": p.kind[i],
                row: p.r_labels[p.ri[i]] if p.ri[i] < p.R else None,
                **({col: p.c_labels[p.ci[i]] if p.ci[i] < p.C else None} if col else {}),
                "knower": who,
            }
            for i, who in left
        ],
        columns=["cell_kind", row, *([col] if col else []), "knower"],
    )
    rule = {
        "min_count": min_count,
        "dominance": dominance,
        "totals_published": totals,
        "blocks": list(blocks),
        "singletons": singletons,
        "method": "threshold + (1,k) dominance; line and cycle rules to a fixed point "
        "(hypercube-like heuristic, not optimal)",
    }
    return Suppression(cells=cells, totals=tot, residual=res, rule=rule)


def suppress(table: pd.DataFrame, **options: Unpack[SuppressOptions]) -> pd.DataFrame:
    """Cells of :func:`suppress_table`: a copy of ``table`` with ``suppressed`` and ``suppression``.

    Rule: a cell with fewer than ``min_count`` enterprises or one whose largest enterprise has
    more than ``dominance`` of the value is suppressed (``"primary"``); then, for every group
    whose total is published, no group keeps exactly one suppressed cell (and, in 2-D, no
    suppressed cell stays derivable through a chain of rows and columns): the smallest
    unsuppressed cell of such a group is suppressed too (``"complementary"``), to a fixed point.
    Use :func:`suppress_table` when the totals are published as well (they may be sensitive).

    Parameters
    ----------
    table, options:
        As in :func:`suppress_table` (the options by keyword only: ``value``, ``count``,
        ``top_share``, ``row``, ``col``, ``min_count``, ``dominance``, ``totals``, ``blocks``,
        ``singletons``).

    Returns
    -------
    pandas.DataFrame: the input columns plus ``suppressed`` (bool) and ``suppression``.

    References
    ----------
    Hundepool et al. (2012) ch. 4; τ-ARGUS manual (hypercube method).

    Example
    -------
    >>> t = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": ["26", "27", "26", "27"],
    ...                   "value": [1.0, 9.0, 8.0, 7.0], "n_enterprises": [2, 5, 6, 5],
    ...                   "top_share": [0.6, 0.3, 0.4, 0.3]})
    >>> suppress(t, col="industry")["suppression"].tolist()
    ['primary', 'complementary', 'complementary', 'complementary']
    """
    return suppress_table(table, **options).cells


def apply(
    table: pd.DataFrame,
    columns: Sequence[Hashable] = ("value", "n_enterprises", "top_share"),
    flag: str = "suppressed",
) -> pd.DataFrame:
    """Blank (``None``) the value columns of suppressed cells, so that they are never sent.

    Parameters
    ----------
    table:
        Output of :func:`suppress` (or any table with a boolean ``flag`` column).
    columns:
        Columns to blank; names absent from the table are ignored.
    flag:
        The boolean column marking suppressed rows.

    Returns
    -------
    pandas.DataFrame: a copy; blanked columns have object dtype with ``None``.

    Example
    -------
    >>> t = pd.DataFrame({"value": [1.5, 2.0], "n_enterprises": [1, 8], "suppressed": [True, False]})
    >>> apply(t).values.tolist()
    [[None, None, True], [2.0, 8, False]]
    """
    if flag not in table.columns:
        raise JiqunError(f"表中缺少列 {flag!r}", f"the table has no column {flag!r}")
    out = table.copy()
    hide = out[flag].fillna(True).astype(bool).to_numpy()
    for c in columns:
        if c in out.columns:
            s = out[c].astype(object)
            s[hide] = None
            out[c] = s
    return out
