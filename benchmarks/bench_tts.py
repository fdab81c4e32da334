"""Benchmark: time-to-survive / performance-impact sweeps over the larger Willems (2008) chains.

Usage::

    uv run python benchmarks/bench_tts.py [--min-stages 700] [--ttr 30] [--sample 20]

For every chain of ``../shared/datasets/willems_2008/invnet_full`` with at least
``--min-stages`` stages: read it (``read_willems``), build the TTS inputs
(``willems_tts_inputs``: pipeline stock = stage time × throughput, unlimited capacity), then time

- the **TTS sweep**: ``risk_exposure(nodes, bom, ttr=0)`` — one TTS LP per node, no PI solve;
- the **full risk exposure**: ``risk_exposure(nodes, bom, ttr=--ttr)`` — TTS for every node and
  PI for every node with TTS < TTR;
- per-LP cost of the full LP re-solved from the previous basis (``_REDUCE_SHARE = 0``, on a
  sample of ``--sample`` nodes) and of the peer: the unreduced LP rebuilt and cold-solved per
  node with ``scipy.optimize.linprog(method="highs")`` (same sample), whose TTS values are
  checked against Jiqun's (max abs difference).

Peak RSS is the process high-water mark after the run. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from scipy import sparse
from scipy.optimize import linprog

import jiqun.resilience.tts as tts_mod
from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience import read_willems, risk_exposure, willems_tts_inputs

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "willems_2008" / "invnet_full"


def linprog_tts(nodes: pd.DataFrame, bom: pd.DataFrame, down: int, horizon: float) -> float:
    """Peer: the METHODS.md §6 TTS LP (u, y per bom row, t) built from scratch, scipy HiGHS."""
    n, m = len(nodes), len(bom)
    pos = pd.Index(nodes["id"])
    sup = pos.get_indexer(bom["supplier"])
    buy = pos.get_indexer(bom["buyer"])
    r = bom["units"].to_numpy(float)
    g, gb = pd.factorize(pd.MultiIndex.from_arrays([buy, bom["material"]]))
    G = len(gb)
    gbuy = np.asarray(gb.get_level_values(0))
    d = nodes["demand"].to_numpy(float)
    s = nodes["inventory"].to_numpy(float)
    # bom:  u_j − Σ y_e / r_e ≤ 0;  balance: Σ y_e + d_i t − u_i ≤ s_i
    rows = np.concatenate([np.arange(G), g, G + sup, G + np.arange(n), G + np.arange(n)])
    cols = np.concatenate(
        [gbuy, n + np.arange(m), n + np.arange(m), np.arange(n), np.full(n, n + m)]
    )
    vals = np.concatenate([np.ones(G), -1 / r, np.ones(m), -np.ones(n), d])
    A = sparse.csr_matrix((vals, (rows, cols)), shape=(G + n, n + m + 1))
    b = np.concatenate([np.zeros(G), s])
    c = np.zeros(n + m + 1)
    c[-1] = -1.0
    lo = np.zeros(n + m + 1)
    hi = np.full(n + m + 1, np.inf)
    hi[down] = 0.0
    hi[-1] = horizon
    res = linprog(c, A_ub=A, b_ub=b, bounds=np.column_stack([lo, hi]), method="highs")
    assert res.status == 0, res.message
    return -res.fun


def bench_chain(path: Path, ttr: float, sample: int, horizon: float) -> dict[str, object]:
    t0 = time.perf_counter()
    stages, arcs = read_willems(path)
    nodes, bom = willems_tts_inputs(stages, arcs)
    t_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    sweep = risk_exposure(nodes, bom, 0.0, horizon=horizon)
    t_tts = time.perf_counter() - t0

    t0 = time.perf_counter()
    full = risk_exposure(nodes, bom, ttr, horizon=horizon)
    t_full = time.perf_counter() - t0

    rng = np.random.default_rng(2008)
    idx = np.sort(rng.choice(len(nodes), size=min(sample, len(nodes)), replace=False))
    chain = tts_mod._prepare(nodes, bom, need_margin=True)
    old = tts_mod._REDUCE_SHARE
    tts_mod._REDUCE_SHARE = 0.0
    try:
        solver = tts_mod._Solver(chain, horizon)
        solver.tts(np.array([idx[0]]))  # build + first (cold) solve outside the timing
        t0 = time.perf_counter()
        warm = [solver.tts(np.array([i])) for i in idx]
        t_warm = (time.perf_counter() - t0) / len(idx)
    finally:
        tts_mod._REDUCE_SHARE = old

    t0 = time.perf_counter()
    peer = [linprog_tts(nodes, bom, int(i), horizon) for i in idx]
    t_peer = (time.perf_counter() - t0) / len(idx)
    ours = sweep["tts"].to_numpy()[idx]
    diff = max(np.max(np.abs(ours - np.array(peer))), np.max(np.abs(ours - np.array(warm))))
    return {
        "chain": path.stem,
        "stages": len(nodes),
        "arcs": len(bom),
        "build s": t_build,
        "TTS sweep s": t_tts,
        "ms/node": 1000 * t_tts / len(nodes),
        f"risk_exposure (TTR {ttr:g}) s": t_full,
        "at risk": int(full["at_risk"].sum()),
        "full LP warm ms/LP": 1000 * t_warm,
        "linprog cold ms/LP": 1000 * t_peer,
        "peer sweep s (est.)": t_peer * len(nodes),
        "max ΔTTS": diff,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-stages", type=int, default=700)
    ap.add_argument("--ttr", type=float, default=30.0)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--horizon", type=float, default=1000.0)
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"Willems data not found at {DATA}")
    warnings.simplefilter("ignore", JiqunWarning)
    print(
        f"# {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, scipy {scipy.__version__}, "
        f"highspy {version('highspy')}"
    )
    rows = []
    for path in sorted(DATA.glob("*.csv")):
        if len(read_willems(path)[0]) < args.min_stages:
            continue
        rows.append(bench_chain(path, args.ttr, args.sample, args.horizon))
        print(f"  chain {path.stem}: {rows[-1]['TTS sweep s']:.2f} s", file=sys.stderr)
    df = pd.DataFrame(rows)
    print("| " + " | ".join(df.columns) + " |")
    print("|" + "---:|" * len(df.columns))
    for row in df.itertuples(index=False):
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
        print("| " + " | ".join(cells) + " |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
