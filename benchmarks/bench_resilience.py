"""Benchmark: Jiqun's supply-network resilience analytics at 10⁶ firms / 10⁷ links, and networkx.

Usage::

    uv run python benchmarks/bench_resilience.py [--firms 1000000 --links 10000000 --esri 1000]
        [--peer-firms 100000 --peer-links 1000000 --peer-esri 1] [--no-peer] [--seed 20220507]

Builds a seeded synthetic firm network (see :func:`synthetic`) and times, with Jiqun:

- **build**: ``build_network`` (CSR in both directions) from the link DataFrame;
- **lockdown cascade**: ``threshold_cascade`` (θ = 0.5, lost inputs) seeded by every firm of the
  prefecture with most firms (a regional lockdown);
- **reachability**: firms downstream of 100 random seed firms (``reachable``);
- **ESRI**: ``gl_model`` (default GB/T 4754 essentiality, division level) + ``esri`` of the
  ``--esri`` largest suppliers by sales, batched, single precision.

Peak memory is the process high-water mark (``resource.getrusage``) after the Jiqun runs.
Then the same tasks at the peer size with networkx 3 (``DiGraph`` from the edge list; the
cascade, BFS and the ESRI iteration written over its adjacency dicts, the way a networkx user
would) and with Jiqun on the same data; results are compared (failed sets, reach sets, ESRI
values) and the speed-ups printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import warnings
from collections import deque

import numpy as np
import pandas as pd

from jiqun import reference
from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience import (
    build_network,
    default_essentiality,
    esri,
    gl_model,
    reachable,
    threshold_cascade,
)
from jiqun.resilience.essentiality import CORE_INPUTS


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


class _Grouped:
    """Draw members of a group with probability ∝ weight (cumulative sums + searchsorted)."""

    def __init__(self, groups: np.ndarray, weights: np.ndarray, n_groups: int) -> None:
        self.order = np.argsort(groups, kind="stable")
        self.cum = np.cumsum(weights[self.order])
        g = groups[self.order]
        self.start = np.searchsorted(g, np.arange(n_groups))
        self.end = np.searchsorted(g, np.arange(n_groups), side="right")

    def sample(self, rng: np.random.Generator, q: np.ndarray) -> np.ndarray:
        s, e = self.start[q], self.end[q]
        ok = e > s
        lo = np.where(s > 0, self.cum[np.maximum(s - 1, 0)], 0.0)
        hi = self.cum[np.maximum(e - 1, 0)]
        u = lo + rng.random(q.size) * (hi - lo)
        pos = np.minimum(np.searchsorted(self.cum, u, side="right"), np.maximum(e - 1, 0))
        idx = np.minimum(np.maximum(pos, s), self.order.size - 1)  # empty groups give −1 below
        return np.where(ok, self.order[idx], -1)


def synthetic(n: int, m: int, seed: int = 20220507) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded firm network with industries, regions, sizes and realistic sourcing.

    Firms: GB/T 4754 manufacturing classes (Zipf weights) plus 10 % wholesale/logistics/software
    firms; prefectures with Zipf weights; revenue Pareto(α = 1.2). Each link's buyer is drawn ∝
    revenue^0.5; its input division is one of the buyer division's core inputs
    (:data:`jiqun.resilience.essentiality.CORE_INPUTS`) with probability 0.4, else a division drawn
    ∝ its revenue;
    the supplier is a firm of that division drawn ∝ revenue, in the buyer's province with
    probability 0.5. Values: lognormal × buyer revenue^0.5. Duplicate pairs are summed by
    ``build_network``.
    """
    rng = np.random.default_rng(seed)
    ind = reference.industries()
    classes = ind.loc[ind["level"] == 4, "code"].to_numpy()
    mfg = classes[(classes >= "1300") & (classes < "4400")]
    svc = classes[np.isin(np.array([c[:2] for c in classes]), ["51", "54", "59", "65"])]
    cw = 1.0 / np.arange(1, mfg.size + 1) ** 0.8
    rng.shuffle(cw)
    f_cls = np.where(
        rng.random(n) < 0.9,
        mfg[rng.choice(mfg.size, n, p=cw / cw.sum())],
        svc[rng.integers(0, svc.size, n)],
    )
    prefs = np.array(sorted(reference.region_codes("prefecture")))
    rw = 1.0 / np.arange(1, prefs.size + 1)
    rng.shuffle(rw)
    f_reg = prefs[rng.choice(prefs.size, n, p=rw / rw.sum())]
    revenue = np.round((rng.pareto(1.2, n) + 1.0) * 500.0, 1)  # 万元
    firms = pd.DataFrame({"id": np.arange(n), "industry": f_cls, "region": f_reg})
    firms["revenue"] = revenue

    divs = np.array(sorted({c[:2] for c in f_cls}))
    div_id = {d: k for k, d in enumerate(divs)}
    f_div = np.array([div_id[c[:2]] for c in f_cls])
    provs = np.array(sorted({r[:2] for r in f_reg}))
    prov_id = {p: k for k, p in enumerate(provs)}
    f_prov = np.array([prov_id[r[:2]] for r in f_reg])
    by_div = _Grouped(f_div, revenue, divs.size)
    by_div_prov = _Grouped(f_div * provs.size + f_prov, revenue, divs.size * provs.size)

    bw = np.sqrt(revenue)
    buy = rng.choice(n, m, p=bw / bw.sum())
    # input division: a core input of the buyer's division (p = 0.6) or any division
    core = [np.array([div_id[c] for c in CORE_INPUTS.get(d, ()) if c in div_id]) for d in divs]
    ncore = np.array([c.size for c in core])
    offs = np.r_[0, np.cumsum(ncore)]
    flat = np.concatenate([c for c in core if c.size] or [np.zeros(0, dtype=int)])
    bd = f_div[buy]
    use_core = (rng.random(m) < 0.4) & (ncore[bd] > 0)
    pick = offs[bd] + (rng.random(m) * np.maximum(ncore[bd], 1)).astype(np.int64)
    dmass = np.bincount(f_div, revenue, minlength=divs.size)
    anydiv = rng.choice(divs.size, m, p=dmass / dmass.sum())
    sdiv = np.where(use_core, flat[np.minimum(pick, max(flat.size - 1, 0))], anydiv)
    local = rng.random(m) < 0.5
    sup = np.full(m, -1, dtype=np.int64)
    sup[local] = by_div_prov.sample(rng, sdiv[local] * provs.size + f_prov[buy[local]])
    rest = sup < 0
    sup[rest] = by_div.sample(rng, sdiv[rest])
    ok = (sup >= 0) & (sup != buy)
    value = np.round(rng.lognormal(0.0, 1.0, m) * bw[buy] * 0.5, 2)
    links = pd.DataFrame({"supplier": sup[ok], "buyer": buy[ok], "value": value[ok]})
    return firms, links


def lockdown_seeds(firms: pd.DataFrame) -> tuple[str, np.ndarray]:
    top = firms["region"].value_counts().index[0]
    return str(top), np.flatnonzero(firms["region"].to_numpy() == top)


def timed(f, *a, **k):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t0


def run_jiqun(
    firms: pd.DataFrame, links: pd.DataFrame, n_esri: int, seed: int
) -> dict[str, object]:
    res: dict[str, object] = {}
    net, res["build"] = timed(build_network, links, firms)
    region, seeds = lockdown_seeds(firms)
    thr, res["cascade"] = timed(threshold_cascade, net, seeds, 0.5)
    res["cascade_info"] = (region, seeds.size, thr.n_failed, thr.rounds)
    rs = np.random.default_rng(seed + 1).choice(net.n, 100, replace=False)
    reach, res["reach"] = timed(reachable, net, rs)
    res["reach_n"] = int(reach.sum())
    E = default_essentiality()
    model, res["gl_model"] = timed(gl_model, firms, links, E)
    cand = np.argsort(-net.s_out, kind="stable")[:n_esri]
    if n_esri:
        e, res["esri"] = timed(esri, None, None, None, shocks=cand, model=model, precision="single")
        res["esri_stats"] = e
    res["objects"] = (net, thr, reach, cand, model)
    return res


# --------------------------------------------------------------------------------------------
# the networkx peer: the same tasks written over networkx's adjacency
# --------------------------------------------------------------------------------------------


def nx_build(links: pd.DataFrame, n: int):  # type: ignore[no-untyped-def]
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    agg = links.groupby(["supplier", "buyer"], sort=False)["value"].sum()
    G.add_weighted_edges_from(
        zip(
            agg.index.get_level_values(0).tolist(),
            agg.index.get_level_values(1).tolist(),
            agg.to_numpy().tolist(),
            strict=True,
        )
    )
    return G


def nx_threshold(G, seeds: np.ndarray, theta: float) -> set[int]:  # type: ignore[no-untyped-def]
    s_in = {v: sum(d["weight"] for _, _, d in G.in_edges(v, data=True)) for v in G}
    lost = dict.fromkeys(G, 0.0)
    failed = set(int(s) for s in seeds)
    frontier = list(failed)
    while frontier:
        new = []
        for j in frontier:
            for i, d in G.succ[j].items():
                if i in failed:
                    continue
                lost[i] += d["weight"]
                if s_in[i] > 0 and lost[i] >= theta * s_in[i] - 1e-12 * s_in[i]:
                    failed.add(i)
                    new.append(i)
        frontier = new
    return failed


def nx_reach(G, seeds: np.ndarray) -> set[int]:  # type: ignore[no-untyped-def]
    seen = set(int(s) for s in seeds)
    q = deque(seen)
    while q:
        v = q.popleft()
        for w in G.succ[v]:
            if w not in seen:
                seen.add(w)
                q.append(w)
    return seen


def nx_esri(G, row: dict[int, int], E: np.ndarray, shock: int, eps: float = 1e-2) -> float:  # type: ignore[no-untyped-def]
    """One firm's ESRI by full synchronous sweeps over the networkx adjacency (no markets)."""
    nodes = list(G)
    s_out = {v: sum(d["weight"] for d in G.succ[v].values()) for v in nodes}
    s_in = {v: sum(d["weight"] for d in G.pred[v].values()) for v in nodes}
    pi: dict[tuple[int, int], float] = {}
    for v in nodes:
        for j, d in G.pred[v].items():
            if E[row[j], row[v]] == 2:
                pi[(v, row[j])] = pi.get((v, row[j]), 0.0) + d["weight"]
    cap = {v: (0.0 if v == shock else 1.0) for v in nodes}
    hd, hu = dict(cap), dict(cap)
    while True:
        nd, nu, delta = {}, {}, 0.0
        for v in nodes:
            ess: dict[int, float] = {}
            ne = 0.0
            for j, d in G.pred[v].items():
                e = E[row[j], row[v]]
                if e == 2:
                    ess[row[j]] = ess.get(row[j], 0.0) + d["weight"] / pi[(v, row[j])] * (1 - hd[j])
                elif e == 1:
                    ne += d["weight"] / s_in[v] * (1 - hd[j])
            nd[v] = max(0.0, min(1.0 - max(ess.values(), default=0.0), 1.0 - ne, cap[v]))
            if s_out[v] > 0:
                up = sum(d["weight"] / s_out[v] * hu[i] for i, d in G.succ[v].items())
                nu[v] = min(up, cap[v])
            else:
                nu[v] = cap[v]
            delta = max(delta, abs(nd[v] - hd[v]), abs(nu[v] - hu[v]))
        hd, hu = nd, nu
        if delta <= eps:
            break
    tot = sum(s_out.values())
    return sum(s_out[v] * (1 - min(hd[v], hu[v])) for v in nodes) / tot


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--firms", type=int, default=1_000_000)
    p.add_argument("--links", type=int, default=10_000_000)
    p.add_argument("--esri", type=int, default=1000, help="ESRI candidates at the main size")
    p.add_argument("--peer-firms", type=int, default=100_000)
    p.add_argument("--peer-links", type=int, default=1_000_000)
    p.add_argument("--peer-esri", type=int, default=1, help="ESRI shocks run in networkx")
    p.add_argument("--no-peer", action="store_true")
    p.add_argument("--seed", type=int, default=20220507)
    args = p.parse_args(argv)
    warnings.simplefilter("ignore", JiqunWarning)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    (firms, links), t_gen = timed(synthetic, args.firms, args.links, args.seed)
    print(f"generated {len(firms):,} firms / {len(links):,} link rows in {t_gen:.1f} s")
    r = run_jiqun(firms, links, args.esri, args.seed)
    rss = peak_rss_mb()
    net, thr, reach, _cand, model = r["objects"]  # type: ignore[misc]
    region, n_seeds, n_failed, rounds = r["cascade_info"]  # type: ignore[misc]
    print(
        f"network: {net.n:,} firms, {net.n_links:,} distinct links; lockdown of {region}: "
        f"{n_seeds:,} seed firms → {n_failed:,} failed in {rounds} rounds; 100 seeds reach "
        f"{r['reach_n']:,} firms"
    )
    print()
    print("| task | firms / links | Jiqun s | target |")
    print("|---|---|---|---|")
    size = f"{net.n:,} / {net.n_links:,}"
    print(f"| build CSR (both directions) | {size} | {r['build']:.2f} | ≤ 5 s |")
    print(f"| regional-lockdown threshold cascade | {size} | {r['cascade']:.2f} | ≤ 2 s |")
    print(f"| reachability from 100 seeds | {size} | {r['reach']:.2f} | ≤ 1 s |")
    print(f"| ESRI operators (gl_model) | {size} | {r['gl_model']:.2f} | — |")
    if args.esri:
        e = r["esri_stats"]
        print(
            f"| ESRI of the {args.esri:,} largest suppliers (batched, float32) | {size} | "
            f"{r['esri']:.1f} | measured |"
        )
    print(f"| peak RSS (MB) | {size} | {rss:,.0f} | ≤ 4,096 |")
    if args.esri:
        print(
            f"\nESRI of the candidates: median {e['esri'].median():.4f}, max "  # type: ignore[index]
            f"{e['esri'].max():.4f}; iterations median {e['iterations'].median():.0f}, max "  # type: ignore[index]
            f"{e['iterations'].max()}"  # type: ignore[index]
        )
    del r, net, thr, reach, model

    if args.no_peer:
        return
    pf, pl = synthetic(args.peer_firms, args.peer_links, args.seed)
    rj = run_jiqun(pf, pl, args.peer_esri, args.seed)
    net_p, thr_p, reach_p, cand_p, model_p = rj["objects"]  # type: ignore[misc]
    G, t_b = timed(nx_build, pl, len(pf))
    _, seeds = lockdown_seeds(pf)
    failed_nx, t_c = timed(nx_threshold, G, seeds, 0.5)
    rs = np.random.default_rng(args.seed + 1).choice(len(pf), 100, replace=False)
    reach_nx, t_r = timed(nx_reach, G, rs)
    E = default_essentiality()
    labels = list(E.index)
    pos = {lab: k for k, lab in enumerate(labels)}
    row = {int(i): pos[c[:2]] for i, c in zip(pf["id"], pf["industry"], strict=True)}
    Ev = E.to_numpy()
    t0 = time.perf_counter()
    nx_vals = [nx_esri(G, row, Ev, int(c)) for c in cand_p]
    t_e = (time.perf_counter() - t0) / max(len(cand_p), 1)
    jq_e = rj["esri_stats"]["esri"].to_numpy()  # type: ignore[index]
    j_per = rj["esri"] / max(len(cand_p), 1)  # type: ignore[operator]
    same_failed = set(np.flatnonzero(thr_p.firms["failed"].to_numpy()).tolist()) == failed_nx
    same_reach = set(np.flatnonzero(reach_p.to_numpy()).tolist()) == reach_nx
    esri_diff = float(np.max(np.abs(np.asarray(nx_vals) - jq_e))) if len(cand_p) else float("nan")
    e_full, t_full = timed(
        esri,
        None,
        None,
        None,
        shocks=np.argsort(-net_p.s_out)[:1000],
        model=model_p,
        precision="single",
    )
    print()
    print(
        f"peer size: {net_p.n:,} firms / {net_p.n_links:,} links; networkx {__import__('networkx').__version__}; "
        f"same failed set: {same_failed}, same reach set: {same_reach}, ESRI max abs diff "
        f"(float32 vs float64): {esri_diff:.1e}"
    )
    print()
    print("| task (peer size) | networkx s | Jiqun s | speed-up |")
    print("|---|---|---|---|")
    for name, tn, tj in (
        ("build", t_b, rj["build"]),
        ("regional-lockdown threshold cascade", t_c, rj["cascade"]),
        ("reachability from 100 seeds", t_r, rj["reach"]),
        (f"ESRI per shock (mean of {len(cand_p)} largest suppliers)", t_e, j_per),
    ):
        print(f"| {name} | {tn:.3f} | {tj:.4f} | {tn / tj:,.0f}× |")  # type: ignore[operator]
    print(
        f"\nJiqun ESRI of the 1,000 largest suppliers at the peer size: {t_full:.1f} s "
        f"({t_full / 1000 * 1e3:.1f} ms per shock; median ESRI {e_full['esri'].median():.4f})"
    )


if __name__ == "__main__":
    main()
