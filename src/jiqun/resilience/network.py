"""The firm supply network as CSR sparse arrays, and the graph measures built on it.

A supply network has one node per firm (or stage) and one directed link per supplier → buyer
relation, weighted by the value bought ``W_ji`` (firm ``i`` buys ``W_ji`` from firm ``j``; value
in the data's unit, 万元 in the Jiqun store). :func:`build_network` turns a link table into
:class:`SupplyNetwork`, which keeps the matrix twice, in supplier-major order (row ``j`` lists
``j``'s buyers: CSR of ``W``) and in buyer-major order (row ``i`` lists ``i``'s suppliers: CSR of
``Wᵀ``), so propagation in either direction is a gather over contiguous slices or a sparse
matrix–vector product (``benchmarks/README.md``: up to ~10⁸ links fit one machine).

Functions here (``docs/METHODS.md`` §6):

- :func:`reachable` — firms downstream (or upstream) of a set of seeds (multi-source BFS);
- :func:`downstream_exposure` — share of final demand reachable downstream of each node;
- :func:`single_points_of_failure` — dominator trees with a virtual source (supply side) or a
  virtual market (demand side);
- :func:`threshold_cascade` — firms fail when the share of input (or sales) value lost to failed
  partners reaches a threshold.

Duplicate supplier → buyer rows (several input categories or years) are summed into one link;
self-links (a firm buying from itself) are dropped with a :class:`~jiqun.analytics.rca.JiqunWarning`.
Without a value column every link weighs 1 (``basis = "count"``), which every output states.

References
----------
- Cooper, K. D., Harvey, T. J. & Kennedy, K. (2006). A simple, fast dominance algorithm. Rice
  University TR-06-33870 (the algorithm behind ``rustworkx.immediate_dominators``).
- Lengauer, T. & Tarjan, R. E. (1979). A fast algorithm for finding dominators in a flowgraph.
  *ACM TOPLAS* 1(1), 121–141.
- Watts, D. J. (2002). A simple model of global cascades on random networks. *PNAS* 99(9),
  5766–5771 (threshold cascades).
- Willems, S. P. (2008). Real-world multiechelon supply chains used for inventory optimization.
  *M&SOM* 10(1), 19–23 (test topologies).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import rustworkx as rx
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from jiqun.analytics.rca import JiqunWarning, fmt_labels
from jiqun.standard.problems import JiqunError

__all__ = [
    "SupplyNetwork",
    "ThresholdResult",
    "build_network",
    "dominator_chain",
    "downstream_exposure",
    "reachable",
    "single_points_of_failure",
    "threshold_cascade",
]

Direction = Literal["down", "up"]


# --------------------------------------------------------------------------------------------
# helpers shared by the resilience modules
# --------------------------------------------------------------------------------------------


#: labels for a message (the resilience modules' name for :func:`jiqun.analytics.rca.fmt_labels`)
fmt_number = fmt_labels


def require_columns(df: Any, table: str, columns: Iterable[str]) -> None:
    """Raise a bilingual error when ``df`` is not a DataFrame holding ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise JiqunError(
            f"{table} 必须是 pandas.DataFrame（得到 {type(df).__name__}）",
            f"{table} must be a pandas.DataFrame (got {type(df).__name__})",
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise JiqunError(
            f"{table} 缺少列：{fmt_number(missing)}（现有列：{fmt_number(df.columns)}）",
            f"{table} lacks column(s) {fmt_number(missing)} (has {fmt_number(df.columns)})",
        )


def numeric_column(
    df: pd.DataFrame, table: str, col: str, *, allow_nan: bool = False
) -> np.ndarray:
    """``df[col]`` as float64, rejecting text, negatives and (unless allowed) missing values."""
    try:
        v = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, TypeError) as e:
        raise JiqunError(
            f"{table} 的 {col} 列含非数值：{e}", f"column {col} of {table} is not numeric: {e}"
        ) from None
    bad = np.isnan(v) if not allow_nan else np.zeros(len(v), dtype=bool)
    if bad.any():
        rows = list(df.index[bad])
        raise JiqunError(
            f"{table} 的 {col} 列有 {bad.sum()} 个空值（行 {fmt_number(rows)}）",
            f"column {col} of {table} has {bad.sum()} missing value(s) (rows {fmt_number(rows)})",
        )
    neg = v < 0
    if neg.any():
        rows = list(df.index[neg])
        raise JiqunError(
            f"{table} 的 {col} 列有 {neg.sum()} 个负值（行 {fmt_number(rows)}）",
            f"column {col} of {table} has {neg.sum()} negative value(s) (rows {fmt_number(rows)})",
        )
    return v


def ranges_of(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions of all CSR entries of ``rows`` (concatenated slices, vectorised)."""
    starts = indptr[rows].astype(np.int64)
    lens = indptr[rows + 1].astype(np.int64) - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    before = np.cumsum(lens) - lens
    return np.arange(total, dtype=np.int64) + np.repeat(starts - before, lens)


# --------------------------------------------------------------------------------------------
# the network
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SupplyNetwork:
    """A supply network stored as two CSR arrays (supplier-major and buyer-major).

    Attributes
    ----------
    index:
        Node ids; node ``k`` of every array is ``index[k]``.
    indptr, indices, data:
        Supplier-major CSR of ``W``: the buyers of node ``j`` are
        ``indices[indptr[j]:indptr[j+1]]`` with values ``data[...]``.
    t_indptr, t_indices, t_data:
        Buyer-major CSR (``Wᵀ``): the suppliers of node ``i``.
    basis:
        ``"value"`` (link weights are values) or ``"count"`` (every link weighs 1).
    dropped_self_links:
        Number of supplier = buyer rows left out.
    """

    index: pd.Index
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    t_indptr: np.ndarray
    t_indices: np.ndarray
    t_data: np.ndarray
    basis: str = "value"
    dropped_self_links: int = 0

    @classmethod
    def from_csr(
        cls, W: sparse.csr_array, index: pd.Index, basis: str, dropped_self_links: int = 0
    ) -> SupplyNetwork:
        """The network whose weight matrix is ``W`` (suppliers in rows, sums already taken).

        Parameters
        ----------
        W : the n × n CSR weight matrix; its CSC arrays give the buyer-side (Wᵀ) arrays
            without a coordinate-form copy.
        index : the n node labels.
        basis : ``value`` or ``count``.
        dropped_self_links : self-links left out while building ``W``.

        Returns
        -------
        SupplyNetwork

        Example
        -------
        >>> W = sparse.csr_array(np.array([[0.0, 2.0], [0.0, 0.0]]))
        >>> SupplyNetwork.from_csr(W, pd.Index(["a", "b"]), "value").n_links
        1
        """
        WT = W.tocsc()  # the CSC arrays of W are the CSR arrays of Wᵀ
        return cls(
            index=index,
            indptr=W.indptr,
            indices=W.indices,
            data=W.data,
            t_indptr=WT.indptr,
            t_indices=WT.indices,
            t_data=WT.data,
            basis=basis,
            dropped_self_links=dropped_self_links,
        )

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.index)

    @property
    def n_links(self) -> int:
        """Number of distinct supplier → buyer links."""
        return int(self.indices.size)

    @cached_property
    def s_out(self) -> np.ndarray:
        """Out-strength ``s_j^out = Σ_i W_ji`` (sales to other firms in the network)."""
        return _row_sums(self.indptr, self.data)

    @cached_property
    def s_in(self) -> np.ndarray:
        """In-strength ``s_i^in = Σ_j W_ji`` (purchases from other firms in the network)."""
        return _row_sums(self.t_indptr, self.t_data)

    def matrix(self) -> sparse.csr_array:
        """``W`` as a ``scipy.sparse.csr_array`` (rows suppliers, columns buyers); no copy."""
        return sparse.csr_array((self.data, self.indices, self.indptr), shape=(self.n, self.n))

    def links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(supplier position, buyer position, value)`` of every link, supplier-major."""
        sup = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr))
        return sup, self.indices.astype(np.int64), self.data

    def positions(self, ids: Any, what: str = "ids") -> np.ndarray:
        """Node positions of ``ids`` (a scalar or list-like); unknown ids raise :class:`JiqunError`."""
        if isinstance(ids, np.ndarray) and ids.dtype == bool:
            if ids.shape != (self.n,):
                raise JiqunError(
                    f"布尔掩码长度应为 {self.n}", f"a boolean mask must have length {self.n}"
                )
            return np.flatnonzero(ids)
        if isinstance(ids, pd.Series) and ids.dtype == bool:
            return self.positions(ids.reindex(self.index, fill_value=False).to_numpy(), what)
        if np.ndim(ids) == 0:
            ids = [ids]
        arr = pd.Index(list(ids) if not isinstance(ids, np.ndarray | pd.Index) else ids)
        pos = self.index.get_indexer(arr)
        if (pos < 0).any():
            bad = list(arr[pos < 0])
            raise JiqunError(
                f"{what} 中有 {len(bad)} 个不在网络中的节点：{fmt_number(bad)}",
                f"{len(bad)} of the {what} are not nodes of the network: {fmt_number(bad)}",
            )
        return pos.astype(np.int64)


def _row_sums(indptr: np.ndarray, data: np.ndarray) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(data, dtype=np.float64)])
    return c[indptr[1:]] - c[indptr[:-1]]


def build_network(
    links: pd.DataFrame,
    nodes: pd.DataFrame | None = None,
    *,
    supplier: str = "supplier",
    buyer: str = "buyer",
    value: str | None = "value",
    id: str = "id",
) -> SupplyNetwork:
    """Build the CSR supply network from a link table.

    ``W_ji = Σ value`` over the rows with supplier ``j`` and buyer ``i`` (rows of several input
    categories are summed into one link). Self-links are dropped with a warning.

    Source: ``docs/METHODS.md`` §6 notation; storage as CSR arrays (``docs/resilience.md``).

    Parameters
    ----------
    links:
        One row per supplier → buyer relation with columns ``supplier``, ``buyer`` and
        (optionally) ``value``.
    nodes:
        Optional node table with an ``id`` column: fixes the node order and includes isolated
        nodes; a link naming an id outside it raises :class:`JiqunError`. Without it the nodes are
        the ids seen in ``links`` (suppliers first, in order of appearance).
    supplier, buyer, value, id:
        Column names. ``value=None`` or a missing value column gives ``basis = "count"``
        (each link weighs 1); values must be non-negative and present.

    Returns
    -------
    SupplyNetwork

    References
    ----------
    ``docs/METHODS.md`` §6; ``docs/resilience.md``.

    Example
    -------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"supplier": ["A", "A", "B"], "buyer": ["B", "C", "C"],
    ...                       "value": [10.0, 5.0, 2.0]})
    >>> net = build_network(links)
    >>> list(net.index), net.s_out.tolist(), net.s_in.tolist()
    (['A', 'B', 'C'], [15.0, 2.0, 0.0], [0.0, 10.0, 7.0])
    """
    require_columns(links, "links", [supplier, buyer])
    sup_ids = links[supplier].to_numpy()
    buy_ids = links[buyer].to_numpy()
    for col, arr in ((supplier, sup_ids), (buyer, buy_ids)):
        miss = pd.isna(arr)
        if miss.any():
            raise JiqunError(
                f"links 的 {col} 列有 {int(miss.sum())} 个空值",
                f"column {col} of links has {int(miss.sum())} missing value(s)",
            )
    if value is not None and value in links.columns:
        w = numeric_column(links, "links", value)
        basis = "value"
    else:
        w = np.ones(len(links), dtype=np.float64)
        basis = "count"

    if nodes is not None:
        require_columns(nodes, "nodes", [id])
        index = pd.Index(nodes[id].to_numpy())
        if index.has_duplicates:
            dup = index[index.duplicated()].unique()
            raise JiqunError(
                f"nodes 的 {id} 列有重复：{fmt_number(dup)}",
                f"duplicate ids in nodes.{id}: {fmt_number(dup)}",
            )
        if index.hasnans:
            raise JiqunError(f"nodes 的 {id} 列有空值", f"nodes.{id} has missing ids")
        s = index.get_indexer(sup_ids)
        b = index.get_indexer(buy_ids)
        unknown = (s < 0) | (b < 0)
        if unknown.any():
            bad = pd.unique(np.concatenate([sup_ids[s < 0], buy_ids[b < 0]]))
            raise JiqunError(
                f"links 中有 {len(bad)} 个企业不在 nodes 中：{fmt_number(bad)}",
                f"{len(bad)} id(s) in links are not in nodes: {fmt_number(bad)}",
            )
    else:
        codes, uniques = pd.factorize(np.concatenate([sup_ids, buy_ids]))
        index = pd.Index(uniques)
        s, b = codes[: len(sup_ids)], codes[len(sup_ids) :]
    n = len(index)

    self_link = s == b
    n_self = int(self_link.sum())
    if n_self:
        warnings.warn(
            f"已忽略 {n_self} 条供需双方相同的关系 / dropped {n_self} self-link(s) "
            f"(supplier = buyer), e.g. {fmt_number(pd.unique(sup_ids[self_link]), 5)}",
            JiqunWarning,
            stacklevel=2,
        )
        keep = ~self_link
        s, b, w = s[keep], b[keep], w[keep]

    # COO → CSR sums duplicate (supplier, buyer) rows; scipy keeps int32 indices where they fit.
    W = sparse.csr_array((w, (s, b)), shape=(n, n))
    W.sum_duplicates()
    return SupplyNetwork.from_csr(W, index, basis, n_self)


def _arrays(net: SupplyNetwork, direction: Direction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if direction == "down":
        return net.indptr, net.indices, net.data
    if direction == "up":
        return net.t_indptr, net.t_indices, net.t_data
    raise JiqunError(
        f"direction 应为 'down' 或 'up'（得到 {direction!r}）",
        f"direction must be 'down' or 'up' (got {direction!r})",
    )


# --------------------------------------------------------------------------------------------
# reachability
# --------------------------------------------------------------------------------------------


def reachable(net: SupplyNetwork, seeds: Any, direction: Direction = "down") -> pd.Series:
    """Nodes reachable from any seed along supply links (the seeds included).

    ``direction="down"`` follows supplier → buyer (who is hit when the seeds stop supplying);
    ``"up"`` follows buyer → supplier (whose sales depend on the seeds). Multi-source BFS: each
    round gathers the CSR slices of the frontier, so the cost is ``O(n + links reached)``.

    Source: breadth-first search on the CSR arrays (``docs/METHODS.md`` §6, downstream exposure).

    Parameters
    ----------
    net:
        :class:`SupplyNetwork`.
    seeds:
        Node ids (scalar, list-like) or a boolean mask over the nodes.
    direction:
        ``"down"`` or ``"up"``.

    Returns
    -------
    pandas.Series
        Boolean, indexed by node id, named ``"reachable"``.

    References
    ----------
    ``docs/METHODS.md`` §6.

    Example
    -------
    >>> import pandas as pd
    >>> net = build_network(pd.DataFrame({"supplier": ["A", "B"], "buyer": ["B", "C"]}))
    >>> reachable(net, ["B"]).tolist()
    [False, True, True]
    """
    indptr, indices, _ = _arrays(net, direction)
    visited = np.zeros(net.n, dtype=bool)
    frontier = np.unique(net.positions(seeds, "seeds"))
    visited[frontier] = True
    while frontier.size:
        nb = indices[ranges_of(indptr, frontier)]
        new = np.zeros(net.n, dtype=bool)
        new[nb] = True
        new &= ~visited
        visited |= new
        frontier = np.flatnonzero(new)
    return pd.Series(visited, index=net.index, name="reachable")


# --------------------------------------------------------------------------------------------
# condensation helpers (strongly connected components → DAG levels)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Condensed:
    comp: np.ndarray  # component of each node
    ncomp: int
    indptr: np.ndarray  # component → child components (CSR, children = downstream)
    indices: np.ndarray
    t_indptr: np.ndarray  # component → parent components
    t_indices: np.ndarray


def _condense(net: SupplyNetwork) -> _Condensed:
    ncomp, comp = connected_components(net.matrix(), directed=True, connection="strong")
    sup, buy, _ = net.links()
    cs, cb = comp[sup], comp[buy]
    keep = cs != cb
    key = np.unique(cs[keep].astype(np.int64) * ncomp + cb[keep])
    ps, pc = key // ncomp, key % ncomp
    ones = np.ones(len(key), dtype=np.int8)
    D = sparse.csr_array((ones, (ps, pc)), shape=(ncomp, ncomp))
    DT = D.tocsc()
    return _Condensed(comp, ncomp, D.indptr, D.indices, DT.indptr, DT.indices)


def _levels_from_sinks(c: _Condensed) -> list[np.ndarray]:
    """Components grouped by height: level 0 = no children; level L only has children < L."""
    outdeg = np.diff(c.indptr).astype(np.int64)
    cur = np.flatnonzero(outdeg == 0)
    levels = []
    while cur.size:
        levels.append(cur)
        parents = c.t_indices[ranges_of(c.t_indptr, cur)]
        dec = np.bincount(parents, minlength=c.ncomp)
        hit = np.flatnonzero(dec)
        outdeg[hit] -= dec[hit]
        cur = hit[outdeg[hit] == 0]
    return levels


# --------------------------------------------------------------------------------------------
# downstream exposure
# --------------------------------------------------------------------------------------------


def downstream_exposure(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    demand: str = "demand",
    *,
    supplier: str = "supplier",
    buyer: str = "buyer",
    id: str = "id",
) -> pd.Series:
    """Share of total final demand located at the nodes reachable downstream of each node.

    ``exposure_v = Σ_{u ∈ R(v)} d_u / Σ_u d_u`` where ``R(v)`` is ``v`` itself plus every node
    reachable from ``v`` along supplier → buyer links and ``d_u`` is the final (external) demand
    at ``u``. It is the share of final demand that a failure of ``v`` could touch (an upper
    bound on the demand at risk: alternative paths are ignored, as in a reachability screen).

    Computed exactly on any graph, cycles included: strongly connected components are condensed
    into a DAG, and reachable-demand sets are propagated from the sinks upwards as bitsets over
    the demand nodes (blocks of up to 4,096 demand nodes, vectorised per DAG level), so shared
    downstream nodes are never double counted.

    Source: ``docs/METHODS.md`` §6 (downstream exposure).

    Parameters
    ----------
    nodes:
        Node table with ``id`` and the demand column (non-negative, no missing values).
    links:
        Link table with ``supplier`` and ``buyer`` (values are not used).
    demand:
        Name of the demand column (mean external demand; 0 where none).
    supplier, buyer, id:
        Column names.

    Returns
    -------
    pandas.Series
        Indexed by node id, values in ``[0, 1]``, named ``"downstream_exposure"``.

    References
    ----------
    ``docs/METHODS.md`` §6; Willems (2008) for the ``demand`` convention of :func:`read_willems`.

    Example
    -------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["A", "B", "C", "D", "E"], "demand": [0, 0, 10, 30, 0]})
    >>> links = pd.DataFrame({"supplier": ["A", "B", "A", "E"], "buyer": ["B", "C", "D", "D"]})
    >>> downstream_exposure(nodes, links).tolist()
    [1.0, 0.25, 0.25, 0.75, 0.75]
    """
    require_columns(nodes, "nodes", [id, demand])
    d = numeric_column(nodes, "nodes", demand)
    total = float(d.sum())
    if total <= 0:
        raise JiqunError(
            f"nodes 的 {demand} 列合计为 0，无法计算最终需求份额",
            f"column {demand} of nodes sums to 0: final-demand shares are undefined",
        )
    net = build_network(links, nodes, supplier=supplier, buyer=buyer, value=None, id=id)
    c = _condense(net)
    levels = _levels_from_sinks(c)
    dem_nodes = np.flatnonzero(d > 0)
    reach_demand = np.zeros(c.ncomp)
    # Block size keeps the bitset at ≤ 64 MB whatever the number of components.
    words = int(np.clip((1 << 23) // max(c.ncomp, 1), 1, 64))
    bits = 64 * words
    for b0 in range(0, dem_nodes.size, bits):
        blk = dem_nodes[b0 : b0 + bits]
        R = np.zeros((c.ncomp, words), dtype=np.uint64)
        j = np.arange(blk.size)
        np.bitwise_or.at(R, (c.comp[blk], j // 64), np.uint64(1) << (j % 64).astype(np.uint64))
        for lev in levels[1:]:
            kids_pos = ranges_of(c.indptr, lev)
            kids = c.indices[kids_pos]
            counts = np.diff(c.indptr)[lev]
            starts = np.cumsum(counts) - counts
            R[lev] |= np.bitwise_or.reduceat(R[kids], starts, axis=0)
        dblk = d[blk]
        for r0 in range(0, c.ncomp, 8192):
            unpacked = np.unpackbits(R[r0 : r0 + 8192].view(np.uint8), axis=1, bitorder="little")
            reach_demand[r0 : r0 + 8192] += unpacked[:, : blk.size] @ dblk
    out = np.minimum(reach_demand[c.comp] / total, 1.0)
    return pd.Series(out, index=net.index, name="downstream_exposure")


# --------------------------------------------------------------------------------------------
# single points of failure (dominators)
# --------------------------------------------------------------------------------------------


def single_points_of_failure(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    demand: str | None = "demand",
    direction: Literal["supply", "market"] = "supply",
    *,
    supplier: str = "supplier",
    buyer: str = "buyer",
    id: str = "id",
) -> pd.DataFrame:
    """Single points of failure (chokepoints) from a dominator tree.

    ``direction="supply"`` (default): a virtual source feeds every raw-material node (a node
    with no supplier outside its own strongly connected component, i.e. the nodes of the
    source components of the condensed graph). Node ``d`` *dominates* ``v`` when every supply
    path from the source to ``v`` passes through ``d``: if ``d`` stops, ``v`` is cut off from
    all raw material whatever alternative suppliers it has. ``idom`` is the immediate dominator.

    ``direction="market"``: the same on the reversed graph with a virtual market fed by every
    final-demand node (``demand > 0``) and every node of a sink component; ``d`` dominates
    ``v`` when every path from ``v`` to any final market passes through ``d`` (``v``'s only
    route to customers; the reversed-graph dominator tree of ``docs/METHODS.md`` §6).

    ``dominated`` counts the nodes a node strictly dominates (its dominator subtree minus
    itself); a node is a single point of failure (``spof``) when it dominates at least one
    other node. ``chokepoints`` is the number of strict dominators of the node (virtual root
    excluded). On the supply side ``dominated_demand_share`` is the share of total final demand
    located at the dominated nodes. Dominators use path ("any supplier will do") semantics;
    that every input is needed (assembly) is the job of :func:`jiqun.resilience.cascade`.

    Source: ``docs/METHODS.md`` §6 (single points of failure); glossary ``single_point_of_failure``
    ("a node every supply path passes through"); Cooper, Harvey & Kennedy (2006) via
    ``rustworkx.immediate_dominators``.

    Parameters
    ----------
    nodes:
        Node table with ``id`` (and ``demand`` where used).
    links:
        ``supplier``, ``buyer``.
    demand:
        Demand column (optional: ``None`` or missing → no demand shares; the market side then
        uses sink components only).
    direction:
        ``"supply"`` or ``"market"``.
    supplier, buyer, id:
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``idom`` (immediate dominator id, ``None`` under the virtual root),
        ``chokepoints``, ``dominated``, ``spof`` and, on the supply side with demand,
        ``dominated_demand_share``.

    References
    ----------
    Lengauer & Tarjan (1979); Cooper, Harvey & Kennedy (2006); ``docs/METHODS.md`` §6.

    Example
    -------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["S1", "S2", "M", "R1", "R2"], "demand": [0, 0, 0, 5, 5]})
    >>> links = pd.DataFrame({"supplier": ["S1", "S2", "M", "M"], "buyer": ["M", "M", "R1", "R2"]})
    >>> spof = single_points_of_failure(nodes, links)
    >>> int(spof.at["M", "dominated"]), float(spof.at["M", "dominated_demand_share"])
    (2, 1.0)
    """
    if direction not in ("supply", "market"):
        raise JiqunError(
            f"direction 应为 'supply' 或 'market'（得到 {direction!r}）",
            f"direction must be 'supply' or 'market' (got {direction!r})",
        )
    require_columns(nodes, "nodes", [id])
    has_demand = demand is not None and demand in nodes.columns
    d = (
        numeric_column(nodes, "nodes", demand)
        if demand is not None and has_demand
        else np.zeros(len(nodes))
    )
    net = build_network(links, nodes, supplier=supplier, buyer=buyer, value=None, id=id)
    n = net.n
    c = _condense(net)
    sup, buy, _ = net.links()
    if direction == "supply":
        source_comp = np.diff(c.t_indptr) == 0  # components without parents
        fed = np.flatnonzero(source_comp[c.comp])
        edges_from, edges_to = sup, buy
    else:
        sink_comp = np.diff(c.indptr) == 0
        fed = np.flatnonzero(sink_comp[c.comp] | (d > 0))
        edges_from, edges_to = buy, sup
    root = n
    g = rx.PyDiGraph(multigraph=False)
    g.add_nodes_from(range(n + 1))
    e = np.concatenate(
        [np.stack([edges_from, edges_to], axis=1), np.stack([np.full(fed.size, root), fed], axis=1)]
    )
    g.add_edges_from_no_data(list(map(tuple, e.tolist())))
    idom_map = rx.immediate_dominators(g, root)
    idom = np.full(n + 1, -1, dtype=np.int64)
    keys = np.fromiter(idom_map.keys(), dtype=np.int64, count=len(idom_map))
    vals = np.fromiter(idom_map.values(), dtype=np.int64, count=len(idom_map))
    idom[keys] = vals
    idom[root] = -1

    # Dominator tree levels from the root, then subtree sums from the deepest level up.
    child_of = idom[:n]
    order = np.argsort(child_of, kind="stable")
    tree_ptr = np.searchsorted(child_of[order], np.arange(n + 2))
    levels = [np.array([root])]
    depth = np.zeros(n + 1, dtype=np.int64)
    while True:
        kids = order[ranges_of(tree_ptr, levels[-1])]
        if kids.size == 0:
            break
        depth[kids] = len(levels)
        levels.append(kids)
    size = np.ones(n + 1)
    dem = np.concatenate([d, [0.0]])
    sub_dem = dem.copy()
    for lev in reversed(levels[1:]):
        np.add.at(size, idom[lev], size[lev])
        np.add.at(sub_dem, idom[lev], sub_dem[lev])
    dominated = (size[:n] - 1).astype(np.int64)
    par = idom[:n]
    idom_ids = np.where(par == root, None, net.index.to_numpy()[np.where(par == root, 0, par)])
    out = pd.DataFrame(
        {
            "idom": pd.Series(idom_ids, index=net.index, dtype=object),
            "chokepoints": depth[:n] - 1,
            "dominated": dominated,
            "spof": dominated > 0,
        },
        index=net.index,
    )
    if direction == "supply" and has_demand and d.sum() > 0:
        out["dominated_demand_share"] = (sub_dem[:n] - d) / d.sum()
    out.index.name = id
    return out


def dominator_chain(spof: pd.DataFrame, node: Hashable) -> list[Hashable]:
    """The strict dominators of ``node``, nearest first, from a :func:`single_points_of_failure` table.

    ``[idom(v), idom(idom(v)), …]`` up to the virtual root (excluded): every node in the list is
    a chokepoint of ``node``.

    Source: definition of the dominator tree (Lengauer & Tarjan 1979).

    Parameters
    ----------
    spof:
        Output of :func:`single_points_of_failure`.
    node:
        A node id.

    Returns
    -------
    list
        Node ids.

    References
    ----------
    Lengauer & Tarjan (1979).

    Example
    -------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"idom": [None, "A", "B"]}, index=["A", "B", "C"])
    >>> dominator_chain(t, "C")
    ['B', 'A']
    """
    if node not in spof.index:
        raise JiqunError(f"节点 {node!r} 不在表中", f"node {node!r} is not in the table")
    chain = []
    cur = spof.at[node, "idom"]
    while cur is not None and not (isinstance(cur, float) and np.isnan(cur)):
        chain.append(cur)
        cur = spof.at[cur, "idom"]
    return chain


# --------------------------------------------------------------------------------------------
# threshold cascade
# --------------------------------------------------------------------------------------------


@dataclass
class ThresholdResult:
    """Outcome of :func:`threshold_cascade`.

    Attributes
    ----------
    firms:
        Indexed by node id: ``failed`` (bool), ``round`` (0 for a seed, ``t`` for a firm that
        failed in round ``t``, −1 for a survivor), ``input_lost_share`` and/or
        ``sales_lost_share`` (share of in- or out-strength bought from / sold to failed firms).
    rounds:
        Rounds until no new firm failed.
    failed_value_share:
        ``Σ_{failed} s^out / Σ s^out`` (share of inter-firm sales lost; NaN without sales).
    basis:
        The network's basis (``"value"`` or ``"count"``).
    """

    firms: pd.DataFrame
    rounds: int
    failed_value_share: float
    basis: str

    @property
    def n_failed(self) -> int:
        return int(self.firms["failed"].sum())


def threshold_cascade(
    net: SupplyNetwork,
    seeds: Any,
    theta: float | Mapping[Hashable, float] | pd.Series = 0.5,
    direction: Literal["down", "up", "both"] = "down",
    max_rounds: int | None = None,
) -> ThresholdResult:
    """Threshold cascade: a firm fails when the share of its input value lost reaches ``θ_i``.

    Round ``t`` (``F_0`` = seeds): firm ``i`` fails when ``Σ_{j∈F} W_ji / s_i^in ≥ θ_i``
    (``direction="down"``, lost supply), when ``Σ_{j∈F} W_ij / s_i^out ≥ θ_i`` (``"up"``, lost
    sales) or either (``"both"``). Each round adds the CSR slices of the firms that failed in the
    previous round (one sparse gather + ``bincount``), so the whole cascade costs ``O(n + links
    of failed firms)``. Firms without inputs (``s_in = 0``) cannot fail downstream.

    Source: ``docs/METHODS.md`` §6 (threshold cascade); Watts (2002).

    Parameters
    ----------
    net:
        :class:`SupplyNetwork` (see :func:`build_network`).
    seeds:
        Initially failed firms: ids or a boolean mask.
    theta:
        Threshold in ``(0, 1]``: a scalar or per-firm values (Series/Mapping by id; firms not
        listed use 0.5).
    direction:
        ``"down"``, ``"up"`` or ``"both"``.
    max_rounds:
        Stop after this many rounds (default: until nothing changes).

    Returns
    -------
    ThresholdResult

    References
    ----------
    Watts (2002); ``docs/METHODS.md`` §6.

    Example
    -------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"supplier": ["A", "B", "C", "E"], "buyer": ["C", "C", "D", "D"],
    ...                       "value": [60.0, 40.0, 10.0, 10.0]})
    >>> r = threshold_cascade(build_network(links), ["A"], theta=0.5)
    >>> r.firms["round"].to_dict()
    {'A': 0, 'B': -1, 'C': 1, 'E': -1, 'D': 2}
    """
    if direction not in ("down", "up", "both"):
        raise JiqunError(
            f"direction 应为 'down'、'up' 或 'both'（得到 {direction!r}）",
            f"direction must be 'down', 'up' or 'both' (got {direction!r})",
        )
    n = net.n
    if isinstance(theta, Mapping | pd.Series):
        th = pd.Series(theta, dtype=float)
        unknown = th.index.difference(net.index)
        if len(unknown):
            raise JiqunError(
                f"theta 中有不在网络中的企业：{fmt_number(unknown)}",
                f"theta names firms outside the network: {fmt_number(unknown)}",
            )
        th_arr = th.reindex(net.index).fillna(0.5).to_numpy()
    else:
        th_arr = np.full(n, float(theta))
    if not np.all((th_arr > 0) & (th_arr <= 1)):
        raise JiqunError("theta 必须在 (0, 1] 之间", "theta must lie in (0, 1]")
    # Compare with a tiny slack so that a share equal to θ in exact arithmetic counts.
    th_arr = th_arr - 1e-12
    failed = np.zeros(n, dtype=bool)
    rnd = np.full(n, -1, dtype=np.int32)
    frontier = np.unique(net.positions(seeds, "seeds"))
    failed[frontier] = True
    rnd[frontier] = 0
    dirs: tuple[Direction, ...] = ("down", "up") if direction == "both" else (direction,)
    lost = {dd: np.zeros(n) for dd in dirs}
    strength = {"down": net.s_in, "up": net.s_out}
    t = 0
    while frontier.size and (max_rounds is None or t < max_rounds):
        t += 1
        new = np.zeros(n, dtype=bool)
        for dd in dirs:
            indptr, indices, data = _arrays(net, dd)
            pos = ranges_of(indptr, frontier)
            if pos.size == 0:
                continue
            tgt = indices[pos]
            lost[dd] += np.bincount(tgt, weights=data[pos], minlength=n)
            cand = np.unique(tgt)
            cand = cand[~failed[cand]]
            st = strength[dd][cand]
            hit = (st > 0) & (lost[dd][cand] >= th_arr[cand] * st)
            new[cand[hit]] = True
        frontier = np.flatnonzero(new)
        failed[frontier] = True
        rnd[frontier] = t
    if frontier.size == 0 and t > 0:
        t -= 1  # the last round found nothing new
    cols: dict[str, Any] = {"failed": failed, "round": rnd}
    with np.errstate(divide="ignore", invalid="ignore"):
        if "down" in dirs:
            cols["input_lost_share"] = np.where(net.s_in > 0, lost["down"] / net.s_in, 0.0)
        if "up" in dirs:
            cols["sales_lost_share"] = np.where(net.s_out > 0, lost["up"] / net.s_out, 0.0)
    total_out = float(net.s_out.sum())
    share = float(net.s_out[failed].sum() / total_out) if total_out > 0 else float("nan")
    return ThresholdResult(pd.DataFrame(cols, index=net.index), t, share, net.basis)
