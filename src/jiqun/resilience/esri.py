"""Shock propagation with generalized Leontief production functions and the ESRI.

Follows Diem, Borsos, Reisch, Kertész & Thurner (2022), *Sci. Rep.* 12:7719 (``docs/METHODS.md`` §6).
Notation: ``W_ji`` = value firm ``i`` buys from ``j``; ``s_i^in = Σ_j W_ji`` (all inputs),
``s_j^out = Σ_i W_ji``; ``p_i`` = industry of ``i``; ``E_kl ∈ {0, 1, 2}`` = essentiality of inputs
from industry ``k`` for industry ``l``; ``Π_ik = Σ_{j: p_j = k} W_ji``.

Downstream (supply) channel, production level ``h^d``::

    Λ^d_ji = W_ji / Π_{i,p_j}   if E_{p_j p_i} = 2   (essential: Leontief per input industry)
           = W_ji / s_i^in      if E_{p_j p_i} = 1   (non-essential: linear in lost inputs)
           = 0                  if E_{p_j p_i} = 0   (irrelevant)
    π_ik(t)    = 1 − Σ_{j: p_j = k} Λ^d_ji σ_j(t) (1 − h^d_j(t))
    h^d_i(t+1) = max(0, min( min_{k: E=2} π_ik,  1 − Σ_{k: E=1} (1 − π_ik),  1 − ψ_i ))

Upstream (demand) channel, linear in lost sales::

    Λ^u_ij = W_ij / s_i^out
    h^u_i(t+1) = max(0, min( Σ_j Λ^u_ij h^u_j(t),  1 − ψ_i ))     (= 1 − ψ_i when s_i^out = 0)

Replaceability (option ``market``): the shortage a supplier ``j`` causes is scaled by
``σ_j(t) = min(1, s_j^out / Σ_{l ∈ M(j)} s_l^out h^d_l(t))`` — ``j``'s output relative to what
the firms of its market ``M(j)`` still produce, so customers of a small supplier in a large,
healthy market find replacements; a monopolist (or a market that has collapsed) keeps
``σ = 1``. Without a market label ``σ_j = 1``. Customers are not replaced (upstream channel).

Start ``h(0) = 1 − ψ``; iterate both channels until the largest change of either is ``≤ ε``
(default ``1e-2``, the authors' setting). The firm's production level is
``h_i = min(h^d_i, h^u_i)`` and the systemic risk of a shock is the share of the network's
output lost, weighted by out-strength::

    ESRI = Σ_j s_j^out (1 − min(h^d_j, h^u_j)) / Σ_j s_j^out
    ESRI_down = Σ_j s_j^out (1 − h^d_j) / Σ s^out,   ESRI_up = Σ_j s_j^out (1 − h^u_j) / Σ s^out

For a single-firm shock (``ψ_i = 1``) the failing firm itself is counted (``h_i = 0``), so
``ESRI_i ≥ s_i^out / Σ s^out``. These definitions were checked against the authors' tutorial
(ch-diem/esri_tutorial, GPL-3; read only) and the CSH Julia implementation
(vitelot/Economic-Systemic-Risk); Jiqun's code is its own.

Batching: shocks are propagated together as columns of dense ``n × S`` arrays (sparse matrix ×
dense block products); a column leaves the batch as soon as its shock has converged and the next
queued shock takes its place, so 1,000 candidate firms cost about 1,000 / S batched runs.

References
----------
- Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022). Quantifying firm-level
  economic systemic risk from nation-wide supply networks. *Scientific Reports* 12, 7719.
  doi:10.1038/s41598-022-11522-z
- Diem, C. et al. (2024). Estimating the loss of economic predictability from aggregating
  firm-level production networks. *PNAS Nexus* 3(3), pgae064.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse

from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience.essentiality import check_essentiality, resolve_industries
from jiqun.resilience.network import (
    SupplyNetwork,
    build_network,
    fmt_number,
    ranges_of,
    require_columns,
)
from jiqun.standard.problems import JiqunError

__all__ = ["GLModel", "cascade", "esri", "gl_model"]

Precision = Literal["double", "single"]
#: hard stop for a shock that does not reach the tolerance (a warning names it)
MAX_ITER = 1000


@dataclass(eq=False)
class GLModel:
    """The operators of the generalized-Leontief cascade for one network (reusable across runs).

    Build with :func:`gl_model`; pass to :func:`cascade` / :func:`esri` as ``model=`` to skip
    rebuilding when many scenarios run on the same network.
    """

    net: SupplyNetwork
    industry: np.ndarray  # industry label per node
    M_ess: sparse.csr_array  # (slots × n): slot (i, k) ← supplier j, value Λ^d_ji
    slot_ptr: np.ndarray  # (n + 1): essential slots of buyer i are slot_ptr[i]:slot_ptr[i+1]
    M_ne: sparse.csr_array  # (n × n): buyer i ← supplier j, W_ji / s_i^in for E = 1
    M_up: sparse.csr_array  # (n × n): supplier j ← buyer i, W_ji / s_j^out
    s_out: np.ndarray
    no_out: np.ndarray  # positions of firms without buyers (h^u stays 1 − ψ)
    market: np.ndarray | None  # market code per node (−1 none)
    A_market: sparse.csr_array | None  # (markets × n) indicator
    basis: str
    essentiality_basis: str

    @property
    def n(self) -> int:
        return self.net.n

    def cast(self, dtype: np.dtype) -> GLModel:
        """The same operators with values in ``dtype`` (float32 halves memory traffic)."""
        if self.M_up.dtype == dtype:
            return self
        c = {
            k: getattr(self, k).astype(dtype)
            for k in ("M_ess", "M_ne", "M_up")
            if getattr(self, k) is not None
        }
        out = GLModel(**{**self.__dict__, **c})
        if self.A_market is not None:
            out.A_market = self.A_market.astype(dtype)
        return out


def _int32(M: sparse.csr_array) -> sparse.csr_array:
    if max(M.shape) < 2**31 - 1 and M.nnz < 2**31 - 1:
        return sparse.csr_array(
            (M.data, M.indices.astype(np.int32), M.indptr.astype(np.int32)), shape=M.shape
        )
    return M


def _market_codes(net: SupplyNetwork, market: Any) -> np.ndarray | None:
    if market is None:
        return None
    m = pd.Series(market) if not isinstance(market, pd.Series) else market
    unknown = m.index.difference(net.index)
    if len(unknown):
        raise JiqunError(
            f"market 中有不在网络中的企业：{fmt_number(unknown)}",
            f"market names firms outside the network: {fmt_number(unknown)}",
        )
    lab = m.reindex(net.index)
    codes, _ = pd.factorize(lab.to_numpy(), use_na_sentinel=True)
    return codes.astype(np.int64)


def gl_model(
    firms: pd.DataFrame,
    links: pd.DataFrame,
    essentiality: pd.DataFrame,
    market: Mapping[Hashable, Hashable] | pd.Series | None = None,
    *,
    id: str = "id",
    industry: str = "industry",
    supplier: str = "supplier",
    buyer: str = "buyer",
    value: str | None = "value",
) -> GLModel:
    """Build the cascade operators ``Λ^d`` (essential and non-essential parts) and ``Λ^u``.

    See the module docstring for the formulas. Links of value 0 carry no weight; links whose
    supplying industry is irrelevant for the buyer (``E = 0``) count in ``s_i^in`` (the
    denominator of the non-essential share) but transmit nothing downstream; every link
    transmits upstream.

    Source: Diem et al. (2022), Methods (``Λ^d``, ``Λ^u``).

    Parameters
    ----------
    firms:
        ``id`` and ``industry`` (labels matched to the essentiality matrix exactly or by their
        longest prefix).
    links:
        ``supplier``, ``buyer``, ``value`` (without ``value`` every link weighs 1).
    essentiality:
        Matrix indexed by supplying industry, columns using industry, values 0/1/2.
    market:
        Optional firm id → market label (replaceability); firms without a label have ``σ = 1``.
    id, industry, supplier, buyer, value:
        Column names.

    Returns
    -------
    GLModel

    References
    ----------
    Diem et al. (2022).

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["A", "B"], "industry": ["x", "y"]})
    >>> links = pd.DataFrame({"supplier": ["A"], "buyer": ["B"], "value": [1.0]})
    >>> E = pd.DataFrame([[1, 2], [1, 1]], index=["x", "y"], columns=["x", "y"])
    >>> gl_model(firms, links, E).M_ess.shape
    (1, 2)
    """
    require_columns(firms, "firms", [id, industry])
    E = check_essentiality(essentiality)
    net = build_network(links, firms, supplier=supplier, buyer=buyer, value=value, id=id)
    ind = firms[industry]
    if ind.isna().any():
        bad = list(firms.loc[ind.isna(), id])
        raise JiqunError(
            f"firms 的 {industry} 列有空值（企业 {fmt_number(bad)}）",
            f"firms.{industry} has missing values (firms {fmt_number(bad)})",
        )
    p, uniq_raw = pd.factorize(ind.to_numpy())
    labels = np.array([str(x).strip() for x in uniq_raw], dtype=object)
    # An "input industry" is a row of the matrix: firms whose codes map to the same row (exactly
    # or by prefix, e.g. 4-digit classes under a division-level matrix) are one input.
    rows = resolve_industries(labels, E.index, "行 rows (supplying)")[p]
    cols = resolve_industries(labels, E.columns, "列 columns (using)")[p]
    Ev = E.to_numpy()
    K = Ev.shape[0]
    n = net.n
    s_in, s_out = net.s_in, net.s_out

    # Buyer-major entries (row = buyer i, column = supplier j), already sorted by buyer.
    b_all = np.repeat(np.arange(n, dtype=np.int64), np.diff(net.t_indptr))
    j_all, w_all = net.t_indices.astype(np.int64), net.t_data
    e = Ev[rows[j_all], cols[b_all]]
    e[w_all <= 0] = 0  # a zero-value link transmits nothing (and would make Π_ik = 0)

    ess = np.flatnonzero(e == 2)
    key = b_all[ess] * K + rows[j_all[ess]]
    order = np.argsort(key, kind="stable")
    ess, key = ess[order], key[order]
    new_slot = np.r_[True, key[1:] != key[:-1]] if key.size else np.zeros(0, dtype=bool)
    slot = np.cumsum(new_slot) - 1
    n_slots = int(new_slot.sum())
    Pi = np.bincount(slot, weights=w_all[ess], minlength=n_slots)
    M_ess = sparse.csr_array(
        (w_all[ess] / Pi[slot], j_all[ess], np.searchsorted(slot, np.arange(n_slots + 1))),
        shape=(n_slots, n),
    )
    slot_buyer = key[new_slot] // K

    ne = np.flatnonzero(e == 1)
    M_ne = sparse.csr_array(
        (w_all[ne] / s_in[b_all[ne]], j_all[ne], np.searchsorted(b_all[ne], np.arange(n + 1))),
        shape=(n, n),
    )
    # Λ^u from the supplier-major arrays: row j scaled by 1 / s_j^out.
    row_j = np.repeat(np.arange(n, dtype=np.int64), np.diff(net.indptr))
    with np.errstate(divide="ignore", invalid="ignore"):
        up_vals = np.where(s_out[row_j] > 0, net.data / s_out[row_j], 0.0)
    M_up = sparse.csr_array((up_vals, net.indices, net.indptr), shape=(n, n))

    # int32 indices where they fit: a third less memory traffic in every product
    M_ess, M_ne, M_up = (_int32(M) for M in (M_ess, M_ne, M_up))

    mk = _market_codes(net, market)
    A = None
    if mk is not None:
        has = mk >= 0
        A = sparse.csr_array(
            (np.ones(int(has.sum())), (mk[has], np.flatnonzero(has))), shape=(int(mk.max()) + 1, n)
        )
    return GLModel(
        net=net,
        industry=labels[p],
        M_ess=M_ess,
        slot_ptr=np.searchsorted(slot_buyer, np.arange(n + 1)),
        M_ne=M_ne,
        M_up=M_up,
        s_out=s_out,
        no_out=np.flatnonzero(s_out <= 0),
        market=mk,
        A_market=A,
        basis=net.basis,
        essentiality_basis=str(E.attrs.get("basis", "user essentiality matrix")),
    )


# --------------------------------------------------------------------------------------------
# the iteration, vectorised over a block of shocks
# --------------------------------------------------------------------------------------------


def _rows_of(ptr: np.ndarray, idx: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Sorted unique neighbours (CSR ``ptr``/``idx``) of ``rows``."""
    mask = np.zeros(n, dtype=bool)
    mask[idx[ranges_of(ptr, rows)]] = True
    return np.flatnonzero(mask)


class _Groups:
    """Row-wise maximum over consecutive groups of rows (``np.maximum.reduceat`` on axis 0).

    Most buyers have one or two essential input industries, so taking the maximum slot by slot
    position (first slots of every group, then second slots of groups that have one, …) is much
    faster than ``reduceat`` along axis 0.
    """

    def __init__(self, starts: np.ndarray, counts: np.ndarray) -> None:
        self.starts = starts
        self.more = []  # (groups having a k-th slot, position of that slot) for k = 1, 2, …
        for k in range(1, int(counts.max(initial=1))):
            g = np.flatnonzero(counts > k)
            self.more.append((g, starts[g] + k))

    def max(self, X: np.ndarray) -> np.ndarray:
        out = X[self.starts]
        for g, pos in self.more:
            out[g] = np.maximum(out[g], X[pos])
        return out


@dataclass
class _Shock:
    seq: int  # position in the caller's list (results are returned in this order)
    label: Hashable
    pos: np.ndarray  # shocked node positions
    psi: np.ndarray  # fraction of production lost at those positions


class _Block:
    """State of a block of shocks propagated together (one column per shock).

    ``Hd``, ``Hu``: production levels of both channels; ``cap = 1 − ψ``; ``L = σ ⊙ (1 − Hd)``:
    the shortage each firm passes to its buyers; ``V``: output still produced per market.
    Only rows whose inputs changed in the previous step are recomputed (a synchronous update
    leaves every other row as it was), so a local shock costs what its neighbourhood costs.
    """

    #: above this share of rows, whole-matrix products are cheaper than gathering rows
    DENSE_SHARE = 0.25

    def __init__(self, m: GLModel, dtype: np.dtype) -> None:
        self.m = m
        self.dtype = dtype
        n = m.n
        self.n = n
        self.s_out = m.s_out.astype(dtype)
        self.Hd = np.empty((n, 0), dtype=dtype)
        self.Hu = np.empty((n, 0), dtype=dtype)
        self.cap = np.empty((n, 0), dtype=dtype)
        self.L = np.empty((n, 0), dtype=dtype)
        self.market = m.market if m.A_market is not None else None
        if self.market is not None:
            self.has_mk = self.market >= 0
            self.V0 = (m.A_market @ m.s_out).astype(np.float64)
            self.V = np.empty((self.V0.size, 0))  # float64: updated incrementally
        self.shocks: list[_Shock] = []
        self.iters = np.zeros(0, dtype=np.int64)
        self.live = np.zeros(0, dtype=bool)
        self.chg_L = np.zeros(n, dtype=bool)  # rows whose L changed in the last step
        self.chg_u = np.zeros(n, dtype=bool)  # rows whose Hu changed in the last step
        self.affected = np.zeros(n, dtype=bool)  # rows with Hd < 1 in some column
        ptr = m.slot_ptr
        self.slot_rows = np.flatnonzero(np.diff(ptr) > 0)
        self.slot_groups = _Groups(ptr[self.slot_rows], np.diff(ptr)[self.slot_rows])

    @property
    def width(self) -> int:
        return len(self.shocks)

    # -- columns ---------------------------------------------------------------------------
    def add(self, new: list[_Shock]) -> None:
        n, k0, dt = self.n, self.width, self.dtype
        c = np.ones((n, len(new)), dtype=dt)
        for k, sh in enumerate(new):
            c[sh.pos, k] = 1.0 - sh.psi
        Lnew = np.zeros((n, len(new)), dtype=dt)
        if self.market is not None:
            Vnew = np.repeat(self.V0[:, None], len(new), axis=1)
            for k, sh in enumerate(new):
                mk = self.market[sh.pos]
                ok = mk >= 0
                np.subtract.at(Vnew[:, k], mk[ok], self.m.s_out[sh.pos[ok]] * sh.psi[ok])
            self.V = np.concatenate([self.V, Vnew], axis=1)
        self.cap = np.concatenate([self.cap, c], axis=1)
        self.Hd = np.concatenate([self.Hd, c], axis=1)
        self.Hu = np.concatenate([self.Hu, c], axis=1)
        self.L = np.concatenate([self.L, Lnew], axis=1)
        self.shocks.extend(new)
        self.iters = np.concatenate([self.iters, np.zeros(len(new), dtype=np.int64)])
        self.live = np.concatenate([self.live, np.ones(len(new), dtype=bool)])
        rows = np.unique(np.concatenate([sh.pos for sh in new]))
        self.affected[rows] = True
        self.chg_u[rows] = True
        self._refresh_L(rows, cols=slice(k0, None))

    def drop(self, keep: np.ndarray) -> None:
        self.Hd, self.Hu = self.Hd[:, keep], self.Hu[:, keep]
        self.cap, self.L = self.cap[:, keep], self.L[:, keep]
        if self.market is not None:
            self.V = self.V[:, keep]
        self.shocks = [s for s, k in zip(self.shocks, keep, strict=True) if k]
        self.iters, self.live = self.iters[keep], self.live[keep]

    # -- the update ------------------------------------------------------------------------
    def _sigma(self, rows: np.ndarray, cols: slice) -> np.ndarray:
        """``σ`` of ``rows`` (all 1 without markets)."""
        sig = np.ones((rows.size, self.Hd[:, cols].shape[1]), dtype=self.dtype)
        if self.market is None:
            return sig
        has = self.has_mk[rows]
        r = rows[has]
        v = self.V[self.market[r]][:, cols]
        num = np.broadcast_to(self.s_out[r, None], v.shape)
        sig[has] = np.minimum(1.0, np.divide(num, v, out=np.ones_like(v), where=v > 0))
        return sig

    def _refresh_L(self, rows: np.ndarray, cols: slice = slice(None)) -> None:
        if rows.size == 0:
            return
        newL = self._sigma(rows, cols) * (1.0 - self.Hd[rows][:, cols])
        old = self.L[rows][:, cols]
        self.chg_L[rows[(newL != old).any(axis=1)]] = True
        L = self.L[:, cols]
        L[rows] = newL

    def _down(self, rows: np.ndarray | None) -> np.ndarray:
        """New ``h^d`` of ``rows`` (``None`` = every row) from ``L``."""
        m, L = self.m, self.L
        if rows is None:
            nd = m.M_ne @ L if m.M_ne.nnz else np.zeros_like(L)
            np.subtract(1.0, nd, out=nd)
            np.minimum(nd, self.cap, out=nd)
            if self.slot_rows.size:
                worst = self.slot_groups.max(m.M_ess @ L)
                np.subtract(1.0, worst, out=worst)
                sr = self.slot_rows
                nd[sr] = np.minimum(nd[sr], worst)
        else:
            nd = m.M_ne[rows] @ L if m.M_ne.nnz else np.zeros((rows.size, L.shape[1]), L.dtype)
            np.subtract(1.0, nd, out=nd)
            np.minimum(nd, self.cap[rows], out=nd)
            cnt = m.slot_ptr[rows + 1] - m.slot_ptr[rows]
            has = np.flatnonzero(cnt > 0)
            if has.size:
                slots = ranges_of(m.slot_ptr, rows[has])
                c = cnt[has]
                worst = _Groups(np.cumsum(c) - c, c).max(m.M_ess[slots] @ L)
                np.subtract(1.0, worst, out=worst)
                nd[has] = np.minimum(nd[has], worst)
        np.maximum(nd, 0.0, out=nd)  # rounding only: the shares lost sum to at most 1
        return nd

    def _up(self, rows: np.ndarray | None) -> np.ndarray:
        m = self.m
        if rows is None:
            nu = m.M_up @ self.Hu
            nu[m.no_out] = 1.0
            np.minimum(nu, self.cap, out=nu)
        else:
            # rows are suppliers of changed firms, so every one of them has buyers
            nu = m.M_up[rows] @ self.Hu
            np.minimum(nu, self.cap[rows], out=nu)
        return nu

    def _dense(
        self, changed: np.ndarray, ptr: tuple[np.ndarray, np.ndarray]
    ) -> tuple[bool, np.ndarray | None]:
        """Whole-matrix update (``True, None``) or the rows to recompute (``False, rows``)."""
        rows = np.flatnonzero(changed)
        n = self.n
        # Their neighbourhood would be larger still: skip the gather.
        if rows.size > self.DENSE_SHARE * n:
            return True, None
        nb = _rows_of(ptr[0], ptr[1], rows, n)
        if nb.size > self.DENSE_SHARE * n:
            return True, None
        return False, nb

    def step(self) -> np.ndarray:
        """One synchronous update of the live columns; returns each column's largest change."""
        net = self.m.net
        dead = ~self.live
        delta = np.zeros(self.width)

        # downstream
        all_d, rows_d = self._dense(self.chg_L, (net.indptr, net.indices))
        nd = self._down(rows_d)
        old_d = self.Hd if rows_d is None else self.Hd[rows_d]
        if dead.any():  # converged shocks stay exactly where they stopped
            nd[:, dead] = old_d[:, dead]
        dd = np.subtract(old_d, nd)
        changed_d = (dd != 0).any(axis=1)
        if dd.size:
            delta = np.maximum(delta, np.maximum(dd.max(axis=0), -dd.min(axis=0)))
        if rows_d is None:
            self.Hd = nd
            ch_d = np.flatnonzero(changed_d)
        else:
            self.Hd[rows_d] = nd
            ch_d = rows_d[changed_d]
        dd = dd[changed_d]

        # upstream
        _, rows_u = self._dense(self.chg_u, (net.t_indptr, net.t_indices))
        nu = self._up(rows_u)
        old_u = self.Hu if rows_u is None else self.Hu[rows_u]
        if dead.any():
            nu[:, dead] = old_u[:, dead]
        du = np.subtract(old_u, nu)
        changed_u = (du != 0).any(axis=1)
        if du.size:
            delta = np.maximum(delta, np.maximum(du.max(axis=0), -du.min(axis=0)))
        self.chg_u[:] = False
        if rows_u is None:
            self.Hu = nu
            self.chg_u[changed_u] = True
        else:
            self.Hu[rows_u] = nu
            self.chg_u[rows_u[changed_u]] = True

        # shortages passed on: L = σ ⊙ (1 − Hd) where Hd or the market volume changed
        self.chg_L[:] = False
        self.affected[ch_d] = True
        refresh = ch_d
        if self.market is not None and ch_d.size:
            sel = self.has_mk[ch_d]
            r = ch_d[sel]
            np.subtract.at(self.V, self.market[r], dd[sel] * self.s_out[r, None])
            touched = np.zeros(self.V.shape[0], dtype=bool)
            touched[self.market[r]] = True
            peers = np.flatnonzero(self.affected & self.has_mk)
            peers = peers[touched[self.market[peers]]]
            refresh = np.union1d(ch_d, peers)
        if self.market is None and all_d:
            # without markets L changes exactly where Hd changed
            np.subtract(1.0, self.Hd, out=self.L)
            self.chg_L[ch_d] = True
        else:
            self._refresh_L(refresh)
        self.iters[self.live] += 1
        return delta


def _esri_cols(m: GLModel, Hd: np.ndarray, Hu: np.ndarray) -> np.ndarray:
    """``(S × 3)``: ESRI, ESRI_down, ESRI_up of every column (out-strength weights)."""
    tot = float(m.s_out.sum())
    if tot <= 0:
        return np.full((Hd.shape[1], 3), np.nan)
    w = m.s_out
    lost_d = w @ (1.0 - Hd.astype(np.float64))
    lost_u = w @ (1.0 - Hu.astype(np.float64))
    lost = w @ (1.0 - np.minimum(Hd, Hu).astype(np.float64))
    return np.stack([lost, lost_d, lost_u], axis=1) / tot


def _run(
    m: GLModel,
    shocks: Iterable[_Shock],
    eps: float,
    batch: int,
    dtype: np.dtype,
    keep_h: bool = False,
) -> Iterator[tuple[_Shock, np.ndarray | None, np.ndarray | None, int, np.ndarray]]:
    """Yield ``(shock, h_down, h_up, iterations, [esri, esri_down, esri_up])`` per shock.

    Shocks stream through one block: a converged column is frozen and, once a quarter of the
    block has converged, the converged columns are reported and replaced by queued shocks, so
    the block stays full. ``h_down``/``h_up`` are returned only with ``keep_h``.
    """
    it = iter(shocks)
    blk = _Block(m, dtype)
    exhausted = False
    while True:
        dead = ~blk.live
        if dead.any() and (dead.sum() * 4 >= blk.width or (exhausted and not blk.live.any())):
            ks = np.flatnonzero(dead)
            vals = _esri_cols(m, blk.Hd[:, ks], blk.Hu[:, ks])
            for r, k in enumerate(ks):
                hd = blk.Hd[:, k].copy() if keep_h else None
                hu = blk.Hu[:, k].copy() if keep_h else None
                yield blk.shocks[k], hd, hu, int(blk.iters[k]), vals[r]
            blk.drop(~dead)
        if not exhausted and blk.width < batch:
            new: list[_Shock] = []
            while blk.width + len(new) < batch:
                sh = next(it, None)
                if sh is None:
                    exhausted = True
                    break
                new.append(sh)
            if new:
                blk.add(new)
        if blk.width == 0:
            return
        if not blk.live.any():
            continue
        delta = blk.step()
        done = blk.live & ((delta <= eps) | (blk.iters >= MAX_ITER))
        for k in np.flatnonzero(done & (delta > eps)):
            warnings.warn(
                f"冲击 {blk.shocks[k].label!r} 在 {MAX_ITER} 次迭代后未收敛 / shock "
                f"{blk.shocks[k].label!r} did not converge within {MAX_ITER} iterations "
                f"(last change {float(delta[k]):.3g} > eps {eps})",
                JiqunWarning,
                stacklevel=4,
            )
        blk.live[done] = False


def _check_eps(eps: float) -> float:
    eps = float(eps)
    if not eps > 0:
        raise JiqunError("eps 必须大于 0", "eps must be positive")
    return eps


def _dtype(precision: Precision) -> np.dtype:
    if precision == "double":
        return np.dtype(np.float64)
    if precision == "single":
        return np.dtype(np.float32)
    raise JiqunError(
        f"precision 应为 'double' 或 'single'（得到 {precision!r}）",
        f"precision must be 'double' or 'single' (got {precision!r})",
    )


def _psi_shock(m: GLModel, seq: int, label: Hashable, psi: Any) -> _Shock:
    s = pd.Series(psi, dtype=float) if not isinstance(psi, pd.Series) else psi.astype(float)
    if s.empty:
        raise JiqunError(f"冲击 {label!r} 没有受冲击的企业", f"shock {label!r} hits no firm")
    if s.isna().any() or ((s < 0) | (s > 1)).any():
        raise JiqunError(
            f"冲击 {label!r} 的 ψ 必须在 [0, 1] 之间", f"psi of shock {label!r} must lie in [0, 1]"
        )
    pos = m.net.positions(s.index, f"psi of shock {label!r}")
    return _Shock(seq, label, pos, s.to_numpy())


def cascade(
    firms: pd.DataFrame,
    links: pd.DataFrame,
    essentiality: pd.DataFrame,
    psi: Mapping[Hashable, float] | pd.Series,
    market: Mapping[Hashable, Hashable] | pd.Series | None = None,
    eps: float = 1e-2,
    *,
    model: GLModel | None = None,
    precision: Precision = "double",
) -> pd.DataFrame:
    """Propagate one shock ``ψ`` through the supply network (Diem et al. 2022).

    Runs the downstream (generalized Leontief) and upstream (linear) channels of the module
    docstring until the largest change is ``≤ eps`` and returns every firm's production level.

    Source: Diem et al. (2022), Methods, eqs. for ``h^d`` and ``h^u``; ``docs/METHODS.md`` §6.

    Parameters
    ----------
    firms:
        ``id``, ``industry``.
    links:
        ``supplier``, ``buyer``, ``value``.
    essentiality:
        Supplying industry × using industry matrix of 0/1/2 (e.g.
        :func:`jiqun.resilience.default_essentiality`).
    psi:
        Firm id → fraction of production lost (``ψ ∈ [0, 1]``; unlisted firms 0).
    market:
        Optional firm id → market label, enabling replaceability of suppliers.
    eps:
        Convergence tolerance on the largest change of ``h^d`` or ``h^u``.
    model:
        A prebuilt :func:`gl_model` (then ``firms``, ``links``, ``essentiality``, ``market`` are
        ignored).
    precision:
        ``"double"`` (default) or ``"single"`` (float32 arithmetic, for very large networks).

    Returns
    -------
    pandas.DataFrame
        Indexed by firm id: ``h_down``, ``h_up``, ``h = min(h_down, h_up)``;
        ``attrs`` hold ``iterations``, ``esri``, ``basis`` and ``essentiality_basis``.

    References
    ----------
    Diem et al. (2022), *Sci. Rep.* 12, 7719.

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["A", "B", "C"], "industry": ["x", "x", "y"]})
    >>> links = pd.DataFrame({"supplier": ["A", "B"], "buyer": ["C", "C"], "value": [30.0, 70.0]})
    >>> E = pd.DataFrame(1, index=["x", "y"], columns=["x", "y"])
    >>> cascade(firms, links, E, {"A": 1.0})["h_down"].tolist()
    [0.0, 1.0, 0.7]
    """
    eps = _check_eps(eps)
    m = model or gl_model(firms, links, essentiality, market)
    m = m.cast(_dtype(precision))
    shock = _psi_shock(m, 0, "psi", psi)
    ((_, hd, hu, k, vals),) = list(_run(m, [shock], eps, 1, _dtype(precision), keep_h=True))
    assert hd is not None and hu is not None  # keep_h=True returns both channels
    hd64, hu64 = hd.astype(np.float64), hu.astype(np.float64)
    out = pd.DataFrame(
        {"h_down": hd64, "h_up": hu64, "h": np.minimum(hd64, hu64)}, index=m.net.index
    )
    out.index.name = "id"
    e, ed, eu = (float(v) for v in vals)
    out.attrs.update(
        iterations=k,
        esri=e,
        esri_down=ed,
        esri_up=eu,
        basis=m.basis,
        essentiality_basis=m.essentiality_basis,
    )
    return out


def _batch_size(m: GLModel, dtype: np.dtype, memory_mb: float) -> int:
    # ~8 n×S work arrays (h, caps, losses, updates, temporaries) plus the essential slots
    per_col = (8 * m.n + 2 * m.M_ess.shape[0]) * dtype.itemsize
    return int(np.clip(memory_mb * 2**20 // max(per_col, 1), 1, 256))


def esri(
    firms: pd.DataFrame,
    links: pd.DataFrame,
    essentiality: pd.DataFrame,
    shocks: Iterable[Hashable] | Mapping[Hashable, Any] | None = None,
    market: Mapping[Hashable, Hashable] | pd.Series | None = None,
    eps: float = 1e-2,
    *,
    model: GLModel | None = None,
    precision: Precision = "double",
    batch_size: int | None = None,
    memory_mb: float = 1024.0,
) -> pd.DataFrame:
    """Economic systemic risk index of many shocks, batched (Diem et al. 2022).

    ``ESRI = Σ_j s_j^out (1 − min(h^d_j, h^u_j)) / Σ_j s_j^out`` after the cascade of each shock
    (module docstring); ``esri_down`` and ``esri_up`` use one channel only. By default every firm
    is shocked in turn (``ψ = 1`` for that firm, the paper's ESRI of the firm).

    Source: Diem et al. (2022), eq. for ESRI_i; ``docs/METHODS.md`` §6.

    Parameters
    ----------
    firms, links, essentiality, market, eps:
        As :func:`cascade`.
    shocks:
        ``None`` (every firm fails alone), an iterable of firm ids (each fails alone), or a
        mapping ``name → ψ`` where ``ψ`` maps firm ids to fractions lost (scenarios).
    model:
        A prebuilt :func:`gl_model`.
    precision:
        ``"double"`` or ``"single"``.
    batch_size:
        Shocks propagated together (default: as many as fit ``memory_mb``, at most 256).
    memory_mb:
        Working-memory budget for the batch.

    Returns
    -------
    pandas.DataFrame
        Indexed by shocked firm id (or scenario name): ``esri``, ``esri_down``, ``esri_up``,
        ``iterations``; ``attrs`` hold ``basis`` and ``essentiality_basis``.

    References
    ----------
    Diem et al. (2022), *Sci. Rep.* 12, 7719.

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["A", "B", "C"], "industry": ["x", "x", "y"]})
    >>> links = pd.DataFrame({"supplier": ["A", "B"], "buyer": ["C", "C"], "value": [30.0, 70.0]})
    >>> E = pd.DataFrame(1, index=["x", "y"], columns=["x", "y"])
    >>> esri(firms, links, E)["esri"].round(4).tolist()
    [0.3, 0.7, 1.0]
    """
    eps = _check_eps(eps)
    dtype = _dtype(precision)
    m = model or gl_model(firms, links, essentiality, market)
    m = m.cast(dtype)
    if shocks is None:
        items: Iterable[_Shock] = (
            _Shock(k, lab, np.array([k]), np.array([1.0])) for k, lab in enumerate(m.net.index)
        )
    elif isinstance(shocks, Mapping):
        items = [_psi_shock(m, k, lab, psi) for k, (lab, psi) in enumerate(shocks.items())]
    else:
        ids = list(shocks)
        pos = m.net.positions(ids, "shocks")
        items = [
            _Shock(k, lab, np.array([p]), np.array([1.0]))
            for k, (lab, p) in enumerate(zip(ids, pos, strict=True))
        ]
    bs = batch_size or _batch_size(m, dtype, memory_mb)
    # (seq, shock label, esri, esri_down, esri_up, iterations)
    results: list[tuple[int, Hashable, float, float, float, int]] = []
    for sh, _, _, it, vals in _run(m, items, eps, bs, dtype):
        esri, down, up = (float(v) for v in vals)
        results.append((sh.seq, sh.label, esri, down, up, it))
    results.sort(key=lambda r: r[0])
    df = pd.DataFrame(
        [r[1:] for r in results], columns=["shock", "esri", "esri_down", "esri_up", "iterations"]
    ).set_index("shock")
    df.index.name = "shock"
    df.attrs.update(basis=m.basis, essentiality_basis=m.essentiality_basis)
    return df
