"""Supply-network cascades on the engine: bulk-synchronous rounds of join + group-by.

The in-memory CSR kernels (:func:`jiqun.resilience.network.threshold_cascade`,
:func:`jiqun.resilience.esri.cascade`) stay the default up to the size one machine holds (10⁸
links fit in ~1 GB of int32 CSR arrays, docs/scale.md). Beyond that, or where the network only
lives in a cluster, the same rounds run here as relational operations over two tables:

``links`` (``supplier``, ``buyer``, ``value``; integer firm ids, as the lake's ``supply_links``)
    summed per (supplier, buyer) pair, self-links dropped (as :func:`~jiqun.resilience.network.
    build_network` does);
a **state** table, one row per firm
    the threshold cascade's failed firms with their round, or the GL cascade's production
    levels ``h_down``, ``h_up`` with the capacity ``1 − ψ``.

One round is one join of the links with the state on the supplier (or buyer), one group-by on
the other end, and a join back to the state: every firm updates from the previous round's
state at once (bulk-synchronous, like the in-memory kernels), so the two give the same rounds
and the same values up to the order of floating-point sums (tests/engine/test_cascade.py: 1e-6
on a 10⁴-firm network, on DuckDB and Spark local). The rounds stay lazy expressions and are
**materialised every ``every`` rounds** (:meth:`jiqun.engine.Engine.create_table`), which cuts the
query lineage and is where convergence is checked: rounds after the fixed point change nothing
(the threshold cascade adds no firm; the GL state carries a ``done`` flag that freezes it), so
checking every few rounds gives exactly the in-memory result.

References
----------
- Watts, D. J. (2002). A simple model of global cascades on random networks. *PNAS* 99(9),
  5766–5771 (threshold cascade).
- Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022). Quantifying firm-level
  economic systemic risk from nation-wide supply networks. *Scientific Reports* 12, 7719
  (generalized-Leontief propagation, ESRI; ``docs/METHODS.md`` §6).
- Malewicz, G. et al. (2010). Pregel: a system for large-scale graph processing. *SIGMOD*
  (bulk-synchronous rounds).

Example
-------
>>> import pyarrow as pa
>>> from jiqun.engine import connect
>>> eng = connect("duckdb", database=":memory:", lake="/nonexistent")
>>> links = eng.from_arrow(pa.table({"supplier": [0, 1, 2, 4], "buyer": [2, 2, 3, 3],
...                                  "value": [60.0, 40.0, 10.0, 10.0]}))
>>> run = threshold_cascade(eng, links, [0], theta=0.5)
>>> run.rounds, run.n_failed
(2, 3)
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from jiqun.engine import Engine
from jiqun.errors import JiqunError

__all__ = [
    "GLRun",
    "ThresholdRun",
    "gl_cascade",
    "prepare_links",
    "threshold_cascade",
]

#: rounds between two materialisations (and convergence checks), per backend: DuckDB keeps a
#: common subexpression once (a materialised CTE), Spark inlines it into every reference, so a
#: lazy round referencing the previous state twice doubles the plan — Spark materialises sooner
EVERY = {"duckdb": 4, "spark-local": 2, "spark-connect": 2}
#: the in-memory GL kernel's hard stop (jiqun.resilience.esri.MAX_ITER)
MAX_ITER = 1000
#: relative slack so that a share equal to θ in exact arithmetic counts (as in memory)
SLACK = 1e-12

_counter = itertools.count()


def _name(prefix: str) -> str:
    """A table name no other run of this process uses (runs may share one engine)."""
    return f"_jq_{prefix}_{uuid.uuid4().hex[:8]}_{next(_counter)}"


def _drop(engine: Engine, name: str | None) -> None:
    if name is None:
        return
    # a leftover scratch table is harmless; a failed drop must never mask a result
    with contextlib.suppress(Exception):
        engine.con.drop_table(name, force=True)


def prepare_links(
    links: ir.Table, *, supplier: str = "supplier", buyer: str = "buyer", value: str = "value"
) -> ir.Table:
    """The link table the cascades read: ``supplier``, ``buyer`` (int64), ``value`` (float64),
    one row per pair (values summed), self-links dropped.

    Parameters
    ----------
    links:
        A table of the engine with integer firm ids (the lake's ``supply_links`` ids).
    supplier, buyer, value:
        Its column names.

    Returns
    -------
    ibis Table (lazy).

    Example
    -------
    >>> prepare_links(eng.table("supply_links"), supplier="supplier_id",
    ...               buyer="buyer_id")  # doctest: +SKIP
    """
    t = _typed(links, supplier=supplier, buyer=buyer, value=value)
    t = t.filter(t.supplier != t.buyer)
    return t.group_by(["supplier", "buyer"]).aggregate(value=t.value.sum())


def _typed(
    links: ir.Table, *, supplier: str = "supplier", buyer: str = "buyer", value: str = "value"
) -> ir.Table:
    """The three link columns in the types every round's set operations expect."""
    return links.select(
        supplier=links[supplier].cast("int64"),
        buyer=links[buyer].cast("int64"),
        value=links[value].cast("float64"),
    )


def _firm_table(engine: Engine, ids: Any, column: str, values: str | None = None) -> ir.Table:
    """Firm ids (and per-firm values) as a table: an Ibis table passes through; a list, a
    Series or a mapping becomes an in-memory table."""
    if isinstance(ids, ir.Table):
        cols = {"firm": ids[column].cast("int64")}
        if values is not None:
            cols[values] = ids[values].cast("float64")
        return ids.select(**cols)
    if isinstance(ids, Mapping | pd.Series):
        s = pd.Series(ids, dtype=float)
        frame = pd.DataFrame({"firm": s.index.astype("int64"), values or "v": s.to_numpy()})
    else:
        lst = [ids] if np.ndim(ids) == 0 else list(ids)
        frame = pd.DataFrame({"firm": pd.Series(lst, dtype="int64")})
        if values is not None:
            frame[values] = 1.0
    if frame.empty:
        raise JiqunError("没有受冲击的企业", "the shock hits no firm")
    return engine.from_arrow(frame)


def _nodes(links: ir.Table, extra: ir.Table, firms: ir.Table | None) -> ir.Table:
    """Every firm of the network: the given firm table, else the ends of the links and the
    shocked firms."""
    if firms is not None:
        return firms.select(firm=firms.columns[0]).distinct()
    return (
        links.select(firm=links.supplier)
        .union(links.select(firm=links.buyer))
        .union(extra.select("firm"))
        .distinct()
    )


# --------------------------------------------------------------------------------------------
# threshold cascade
# --------------------------------------------------------------------------------------------


@dataclass
class ThresholdRun:
    """Outcome of :func:`threshold_cascade`.

    Attributes
    ----------
    firms:
        The materialised state table of the engine, one row per firm: ``firm``, ``failed``,
        ``round`` (0 seed, ``t`` failed in round ``t``, −1 survivor), ``input_lost_share``. Read
        it with :meth:`jiqun.engine.Engine.to_pandas` (bounded) or write it to the lake.
    rounds:
        Rounds until no new firm failed (as :class:`jiqun.resilience.network.ThresholdResult`).
    n_failed:
        Failed firms, seeds included.
    failed_value_share:
        ``Σ_{failed} s^out / Σ s^out``.
    materialised:
        How many times the state was materialised.
    """

    firms: ir.Table
    rounds: int
    n_failed: int
    failed_value_share: float
    materialised: int


def threshold_cascade(
    engine: Engine,
    links: ir.Table,
    seeds: Any,
    theta: float = 0.5,
    *,
    firms: ir.Table | None = None,
    every: int | None = None,
    max_rounds: int | None = None,
    prepared: bool = False,
    seed_column: str = "firm",
) -> ThresholdRun:
    """Threshold cascade (downstream) on the engine: a firm fails when the share of its input
    value bought from failed firms reaches ``θ``.

    Round ``t``: ``lost_i = Σ_{j failed} W_ji`` (links ⋈ failed on the supplier, summed per
    buyer), and ``i`` fails when ``lost_i ≥ θ s_i^in`` — the rule of
    :func:`jiqun.resilience.network.threshold_cascade` with ``direction="down"``, whose rounds and
    failed firms it reproduces.

    Parameters
    ----------
    engine:
        The analytical engine.
    links:
        Links with integer ids (``supplier``, ``buyer``, ``value``); passed through
        :func:`prepare_links` unless ``prepared``.
    seeds:
        The firms failing at round 0: a list of ids, or a table of the engine with the column
        ``seed_column`` (a regional lockdown: every firm of a province).
    theta:
        Threshold in ``(0, 1]``.
    firms:
        Optional table whose first column lists every firm (isolated firms included); default
        the ends of the links and the seeds.
    every:
        Rounds between two materialisations (and convergence checks); default
        :data:`EVERY` of the backend.
    max_rounds:
        Stop after this many rounds (default: the fixed point).
    prepared:
        ``links`` has one row per (supplier, buyer) pair and no self-link (the lake's links,
        the generator's): the aggregation of :func:`prepare_links` is skipped.
    seed_column:
        The id column of a seed table.

    Returns
    -------
    ThresholdRun

    References
    ----------
    Watts (2002); ``docs/METHODS.md`` §6.

    Example
    -------
    >>> run = threshold_cascade(eng, eng.table("supply_links"), lockdown,
    ...                         seed_column="firm_id")  # doctest: +SKIP
    """
    th = float(theta)
    if not 0 < th <= 1:
        raise JiqunError("theta 必须在 (0, 1] 之间", "theta must lie in (0, 1]")
    every = EVERY.get(engine.kind, 2) if every is None else int(every)
    if every < 1:
        raise ValueError("every must be at least 1")
    lk = _typed(links) if prepared else prepare_links(links)
    lk_name = _name("links")
    lk = engine.create_table(lk_name, lk)
    seed_t = _firm_table(engine, seeds, seed_column).distinct()
    s_in = lk.group_by(lk.buyer).aggregate(s_in=lk.value.sum())
    s_in_name = _name("s_in")
    s_in = engine.create_table(s_in_name, s_in)
    limit = th - SLACK

    failed = seed_t.mutate(round=ibis.literal(0, "int64"))
    current: str | None = None
    done_rounds, times = 0, 0
    while True:
        for _ in range(every):
            if max_rounds is not None and done_rounds >= max_rounds:
                break
            done_rounds += 1
            # one bulk-synchronous round: input value lost by every buyer of a failed firm
            hit = lk.inner_join(failed, lk.supplier == failed.firm)
            lost = hit.group_by(hit.buyer).aggregate(lost=hit.value.sum())
            cand = lost.inner_join(s_in, "buyer")
            cand = cand.filter((cand.s_in > 0) & (cand.lost >= limit * cand.s_in))
            new = cand.select(firm=cand.buyer).anti_join(failed, "firm")
            failed = failed.union(new.mutate(round=ibis.literal(done_rounds, "int64")))
        name = _name("failed")
        failed = engine.create_table(name, failed)
        # a backend may read a materialised literal back narrower (Spark: int32): the unions of
        # the next rounds need one type
        failed = failed.select(firm=failed.firm.cast("int64"), round=failed["round"].cast("int64"))
        times += 1
        _drop(engine, current)
        current = name
        last = engine.scalar(failed["round"].max())
        # a round that added nobody is a fixed point: the rounds after it add nobody either
        if last < done_rounds or (max_rounds is not None and done_rounds >= max_rounds):
            break
    rounds = int(last)

    nodes = _nodes(lk, seed_t, firms)
    hit = lk.inner_join(failed, lk.supplier == failed.firm)
    lost = hit.group_by(hit.buyer).aggregate(lost=hit.value.sum())
    s_out = lk.group_by(lk.supplier).aggregate(s_out=lk.value.sum())
    fl = failed.select(f_firm="firm", f_round="round")
    st = nodes.left_join(fl, nodes.firm == fl.f_firm)
    lost = lost.select(l_firm="buyer", lost="lost")
    st = st.left_join(lost, st.firm == lost.l_firm)
    si = s_in.select(i_firm="buyer", s_in="s_in")
    st = st.left_join(si, st.firm == si.i_firm)
    so = s_out.select(o_firm="supplier", s_out="s_out")
    st = st.left_join(so, st.firm == so.o_firm)
    share = ibis.ifelse(
        st.s_in.fill_null(0) > 0, st.lost.fill_null(0.0) / st.s_in.fill_null(1.0), 0.0
    )
    st = st.select(
        firm=st.firm,
        failed=st.f_round.notnull(),
        round=st.f_round.fill_null(-1).cast("int32"),
        input_lost_share=share.cast("float64"),
        s_out=st.s_out.fill_null(0.0),
    )
    out_name = _name("threshold")
    out = engine.create_table(out_name, st)
    head = engine.to_pandas(
        out.aggregate(
            n_failed=out.failed.cast("int64").sum(),
            lost_out=out.s_out.sum(where=out.failed),
            total_out=out.s_out.sum(),
        ),
        max_rows=1,
    ).iloc[0]
    _drop(engine, current)
    for n in (lk_name, s_in_name):
        _drop(engine, n)
    total = float(head["total_out"] or 0.0)
    lost_out = 0.0 if pd.isna(head["lost_out"]) else float(head["lost_out"])
    return ThresholdRun(
        firms=out.drop("s_out"),
        rounds=rounds,
        n_failed=int(head["n_failed"] or 0),
        failed_value_share=lost_out / total if total > 0 else float("nan"),
        materialised=times,
    )


# --------------------------------------------------------------------------------------------
# generalized-Leontief (ESRI) propagation
# --------------------------------------------------------------------------------------------


@dataclass
class GLRun:
    """Outcome of :func:`gl_cascade`.

    Attributes
    ----------
    firms:
        Materialised state table, one row per firm: ``firm``, ``h_down``, ``h_up``, ``h``.
    iterations:
        Synchronous updates until the largest change was ``≤ eps`` (as the in-memory kernel's
        ``attrs["iterations"]``).
    esri, esri_down, esri_up:
        Share of the network's output lost (out-strength weights), both channels, downstream,
        upstream.
    materialised:
        How many times the state was materialised.
    """

    firms: ir.Table
    iterations: int
    esri: float
    esri_down: float
    esri_up: float
    materialised: int


def _industry_rows(
    engine: Engine, firms: ir.Table, essentiality: pd.DataFrame
) -> tuple[ir.Table, ir.Table]:
    """Per firm its essentiality row and column (as the in-memory model resolves them: exact
    label, else longest prefix), and the matrix as a long table of its non-zero cells."""
    from jiqun.resilience.essentiality import check_essentiality, resolve_industries

    E = check_essentiality(essentiality)
    # the distinct labels are few (≤ 1,382 classes); firms stay in the engine
    labels = engine.to_pandas(firms.select("industry").distinct(), max_rows=1_000_000)
    raw = labels["industry"].astype(str).tolist()
    clean = [x.strip() for x in raw]
    rows = resolve_industries(clean, E.index, "行 rows (supplying)")
    cols = resolve_industries(clean, E.columns, "列 columns (using)")
    lab = engine.from_arrow(
        pd.DataFrame({"industry": raw, "erow": rows.astype("int64"), "ecol": cols.astype("int64")})
    )
    fr = firms.inner_join(lab, "industry").select(firm="firm", erow="erow", ecol="ecol")
    ev = E.to_numpy()
    r, c = np.nonzero(ev)
    cells = engine.from_arrow(
        pd.DataFrame(
            {"erow": r.astype("int64"), "ecol": c.astype("int64"), "e": ev[r, c].astype("int64")}
        )
    )
    return fr, cells


def _gl_operators(
    engine: Engine, lk: ir.Table, firms: ir.Table, essentiality: pd.DataFrame
) -> tuple[ir.Table, ir.Table, ir.Table]:
    """The operators of :func:`jiqun.resilience.esri.gl_model` as link tables:

    ``down`` (``supplier``, ``buyer``, ``slot``, ``lam``): ``Λ^d_ji`` — slot = the supplier's
    input industry (row) for an essential input (``W_ji / Π_{i,p_j}``), −1 for a non-essential
    one (``W_ji / s_i^in``); irrelevant and zero-value links are left out.
    ``up`` (``supplier``, ``buyer``, ``lam``): ``Λ^u_ji = W_ji / s_j^out``.
    ``strength`` (``firm``, ``s_out``).
    """
    fr, cells = _industry_rows(engine, firms, essentiality)
    s_in = lk.group_by(lk.buyer).aggregate(s_in=lk.value.sum())
    s_out = lk.group_by(lk.supplier).aggregate(s_out=lk.value.sum())
    sup = fr.select(supplier="firm", erow="erow")
    buy = fr.select(buyer="firm", ecol="ecol")
    j = lk.inner_join(sup, "supplier").inner_join(buy, "buyer")
    j = j.left_join(cells, [j.erow == cells.erow, j.ecol == cells.ecol])
    j = j.select(
        supplier=j.supplier,
        buyer=j.buyer,
        value=j.value,
        slot=j.erow,
        e=ibis.ifelse(j.value > 0, j.e.fill_null(0), 0),
    )
    ess = j.filter(j.e == 2)
    pi = ess.group_by(["buyer", "slot"]).aggregate(pi=ess.value.sum())
    ess = ess.inner_join(pi, ["buyer", "slot"])
    ess = ess.select("supplier", "buyer", "slot", lam=ess.value / ess.pi)
    ne = j.filter(j.e == 1).inner_join(s_in, "buyer")
    ne = ne.select("supplier", "buyer", slot=ibis.literal(-1, "int64"), lam=ne.value / ne.s_in)
    down = ess.union(ne)
    up = lk.inner_join(s_out, "supplier")
    up = up.filter(up.s_out > 0).select("supplier", "buyer", lam=up.value / up.s_out)
    return down, up, s_out.select(firm="supplier", s_out="s_out")


def gl_cascade(
    engine: Engine,
    firms: ir.Table,
    links: ir.Table,
    essentiality: pd.DataFrame,
    psi: Mapping[Hashable, float] | pd.Series | ir.Table,
    eps: float = 1e-2,
    *,
    every: int | None = None,
    max_iter: int = MAX_ITER,
    prepared: bool = False,
    psi_column: str = "psi",
    id_column: str = "firm",
) -> GLRun:
    """Propagate one shock ``ψ`` with the generalized-Leontief rules (Diem et al. 2022) on the
    engine, in bulk-synchronous rounds, to the same fixed point as
    :func:`jiqun.resilience.esri.cascade` (without a replaceability market).

    One round, for every firm at once (``L_j = 1 − h^d_j``)::

        down:  links ⋈ state on supplier → Σ Λ^d L per (buyer, input industry) → per buyer
               the non-essential loss (sum) and the worst essential input (max)
               h^d_i ← max(0, min(1 − loss_i, 1 − worst_i, 1 − ψ_i))
        up:    links ⋈ state on buyer → Σ Λ^u h^u per supplier
               h^u_j ← min(Σ_i Λ^u_ji h^u_i, 1 − ψ_j)    (1 − ψ_j without buyers)

    until the largest change of either channel is ``≤ eps`` (the state then freezes: later
    rounds of the same materialisation change nothing).

    Parameters
    ----------
    engine:
        The analytical engine.
    firms:
        Table with ``id_column`` (integer ids) and ``industry`` (labels matched to the
        essentiality matrix exactly or by longest prefix): every firm of the network.
    links:
        ``supplier``, ``buyer``, ``value`` (integer ids); summed per pair by
        :func:`prepare_links` unless ``prepared`` (pairs already unique, no self-link).
    essentiality:
        Supplying × using industry matrix of 0/1/2
        (:func:`jiqun.resilience.default_essentiality`).
    psi:
        Firm id → fraction of production lost (a mapping, or a table of the engine with
        ``id_column`` and ``psi_column``).
    eps:
        Convergence tolerance (default 1e-2, as in memory).
    every:
        Rounds between two materialisations (and convergence checks); default
        :data:`EVERY` of the backend.
    max_iter:
        Hard stop (a warning says so).
    prepared, psi_column, id_column:
        See above.

    Returns
    -------
    GLRun

    References
    ----------
    Diem et al. (2022), *Sci. Rep.* 12, 7719; ``docs/METHODS.md`` §6.

    Example
    -------
    >>> run = gl_cascade(eng, firms, links, default_essentiality(codes), {17: 1.0})  # doctest: +SKIP
    >>> run.esri  # doctest: +SKIP
    0.0123
    """
    eps = float(eps)
    if not eps > 0:
        raise JiqunError("eps 必须大于 0", "eps must be positive")
    every = EVERY.get(engine.kind, 2) if every is None else int(every)
    if every < 1:
        raise ValueError("every must be at least 1")
    lk = _typed(links) if prepared else prepare_links(links)
    scratch: list[str] = []

    def keep(prefix: str, expr: ir.Table) -> ir.Table:
        name = _name(prefix)
        scratch.append(name)
        return engine.create_table(name, expr)

    lk = keep("links", lk)
    fm = firms.select(firm=firms[id_column].cast("int64"), industry=firms.industry.cast("string"))
    fm = keep("firms", fm)
    down, up, s_out = _gl_operators(engine, lk, fm, essentiality)
    down, up, s_out = keep("down", down), keep("up", up), keep("s_out", s_out)

    shock = _firm_table(engine, psi, id_column, psi_column) if isinstance(psi, ir.Table) else None
    if shock is None:
        s = pd.Series(psi, dtype=float)
        if s.empty:
            raise JiqunError("冲击没有受冲击的企业", "the shock hits no firm")
        if s.isna().any() or ((s < 0) | (s > 1)).any():
            raise JiqunError("ψ 必须在 [0, 1] 之间", "psi must lie in [0, 1]")
        shock = engine.from_arrow(
            pd.DataFrame({"firm": s.index.astype("int64"), psi_column: s.to_numpy()})
        )
    shock = shock.select(s_firm="firm", psi=shock[psi_column])
    st = fm.left_join(shock, fm.firm == shock.s_firm)
    cap = (1.0 - st.psi.fill_null(0.0)).cast("float64")
    state = st.select(
        firm=st.firm,
        cap=cap,
        hd=cap,
        hu=cap,
        iters=ibis.literal(0, "int64"),
        done=ibis.literal(False),
    )
    state = keep("state", state)

    times = 0
    while True:
        for _ in range(every):
            state = _gl_round(state, down, up, eps, max_iter)
        name = _name("state")
        state = engine.create_table(name, state)
        times += 1
        # the previous state is no longer referenced by the materialised one
        _drop(engine, scratch.pop())
        scratch.append(name)
        head = engine.to_pandas(
            state.aggregate(done=state.done.min(), iters=state.iters.max()), max_rows=1
        ).iloc[0]
        if bool(head["done"]):
            break
    iterations = int(head["iters"])
    if iterations >= max_iter:
        warnings.warn(
            f"冲击在 {max_iter} 次迭代后未收敛 / the shock did not converge within {max_iter} "
            "iterations",
            stacklevel=2,
        )

    res = state.left_join(s_out, state.firm == s_out.firm)
    w = res.s_out.fill_null(0.0)
    h = ibis.least(res.hd, res.hu)
    tot = engine.to_pandas(
        res.aggregate(
            total=w.sum(),
            lost=(w * (1.0 - h)).sum(),
            lost_d=(w * (1.0 - res.hd)).sum(),
            lost_u=(w * (1.0 - res.hu)).sum(),
        ),
        max_rows=1,
    ).iloc[0]
    out = keep(
        "gl",
        state.select(
            firm=state.firm, h_down=state.hd, h_up=state.hu, h=ibis.least(state.hd, state.hu)
        ),
    )
    total = float(tot["total"] or 0.0)

    def share(x: Any) -> float:
        return float(x) / total if total > 0 else float("nan")

    for n in scratch[:-1]:
        _drop(engine, n)
    return GLRun(
        firms=out,
        iterations=iterations,
        esri=share(tot["lost"]),
        esri_down=share(tot["lost_d"]),
        esri_up=share(tot["lost_u"]),
        materialised=times,
    )


def _gl_round(state: ir.Table, down: ir.Table, up: ir.Table, eps: float, max_iter: int) -> ir.Table:
    """One synchronous update of every firm's ``h^d``, ``h^u`` (lazy)."""
    sd = state.select(d_firm="firm", short=1.0 - state.hd)
    j = down.inner_join(sd, down.supplier == sd.d_firm)
    per_slot = j.group_by(["buyer", "slot"]).aggregate(x=(j.lam * j.short).sum())
    per_buyer = per_slot.group_by(per_slot.buyer).aggregate(
        loss=per_slot.x.sum(where=per_slot.slot < 0),
        worst=per_slot.x.max(where=per_slot.slot >= 0),
    )
    su = state.select(u_firm="firm", hu_b=state.hu)
    ju = up.inner_join(su, up.buyer == su.u_firm)
    sales = ju.group_by(ju.supplier).aggregate(kept=(ju.lam * ju.hu_b).sum())

    c = state.left_join(per_buyer, state.firm == per_buyer.buyer)
    c = c.left_join(sales, c.firm == sales.supplier)
    nd = ibis.greatest(
        ibis.least(1.0 - c.loss.fill_null(0.0), 1.0 - c.worst.fill_null(0.0), c.cap), 0.0
    )
    nu = ibis.least(c.kept.fill_null(1.0), c.cap)
    c = c.select("firm", "cap", "hd", "hu", "iters", "done", nd=nd, nu=nu)
    c = c.mutate(chg=ibis.greatest((c.nd - c.hd).abs(), (c.nu - c.hu).abs()))
    g = c.aggregate(delta=c.chg.max())
    c = c.cross_join(g)
    live = ~c.done
    it = c.iters + 1
    return c.select(
        firm=c.firm,
        cap=c.cap,
        hd=ibis.ifelse(live, c.nd, c.hd),
        hu=ibis.ifelse(live, c.nu, c.hu),
        iters=ibis.ifelse(live, it, c.iters),
        done=c.done | (c.delta <= eps) | (it >= max_iter),
    )
