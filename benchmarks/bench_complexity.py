"""Benchmark: Jiqun's complexity pipeline against ecomplexity 0.5.3 on the same synthetic data.

Usage::

    uv run python benchmarks/bench_complexity.py [--regions 3000 --industries 600 --repeat 3]

Builds a seeded heavy-tailed region × industry matrix (log-normal cells × Pareto region and
industry sizes, 30% exact zeros), times

- ``jiqun.analytics.complexity.complexity`` on the wide matrix: RCA → presence →
  diversity/ubiquity → proximity → density → ECI/PCI → COI/COG (best and median of ``--repeat``);
- the same preceded by ``jiqun.analytics.rca.matrix`` (pivot from the long table the peer reads);
- ``ecomplexity.ecomplexity`` on the long table (once by default: it is slow),

checks that the outputs agree (max abs difference of ECI, PCI, COI, COG, density) and prints a
Markdown table. Peak RSS is the process high-water mark (``resource.getrusage``), read after the
Jiqun runs and again after the peer run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import resource
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd

from jiqun.analytics.complexity import complexity
from jiqun.analytics.rca import JiqunWarning, matrix


def synthetic(regions: int, industries: int, seed: int = 20090630) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.0, 2.0, (regions, industries))
    a *= rng.pareto(1.5, (regions, 1)) + 0.01
    a *= rng.pareto(1.5, (1, industries)) + 0.01
    a[rng.random((regions, industries)) < 0.3] = 0.0
    return pd.DataFrame(
        a,
        index=[f"r{j:05d}" for j in range(regions)],
        columns=[f"p{j:04d}" for j in range(industries)],
    )


def to_long(X: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": 2020,
            "loc": np.repeat(X.index.to_numpy(), X.shape[1]),
            "prod": np.tile(X.columns.to_numpy(), X.shape[0]),
            "val": X.to_numpy().ravel(),
        }
    )


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--regions", type=int, default=3000)
    p.add_argument("--industries", type=int, default=600)
    p.add_argument("--repeat", type=int, default=3, help="Jiqun repetitions (best is reported)")
    p.add_argument("--peer-repeat", type=int, default=1, help="ecomplexity repetitions")
    p.add_argument("--no-peer", action="store_true", help="skip ecomplexity")
    args = p.parse_args(argv)

    X = synthetic(args.regions, args.industries)
    long = to_long(X)
    warnings.simplefilter("ignore", JiqunWarning)

    complexity(X)  # warm-up (imports, BLAS threads)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = complexity(X)
        times.append(time.perf_counter() - t0)
    times_long = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        complexity(matrix(long, region="loc", industry="prod", value="val"))
        times_long.append(time.perf_counter() - t0)
    rss_jiqun = peak_rss_mb()

    peer_t = float("nan")
    diffs: dict[str, float] = {}
    rss_peer = float("nan")
    if not args.no_peer:
        import ecomplexity

        peer_times = []
        for _ in range(args.peer_repeat):
            t0 = time.perf_counter()
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                out = ecomplexity.ecomplexity(
                    long, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"}
                )
            peer_times.append(time.perf_counter() - t0)
        peer_t = min(peer_times)
        rss_peer = peak_rss_mb()
        out = out.set_index(["loc", "prod"]).sort_index()
        wide = {
            c: out[c].unstack().reindex(index=X.index, columns=X.columns)
            for c in ("density", "cog")
        }
        diffs["ECI"] = float(np.nanmax(np.abs(res.eci - out["eci"].groupby(level=0).first())))
        diffs["PCI"] = float(np.nanmax(np.abs(res.pci - out["pci"].groupby(level=1).first())))
        diffs["COI"] = float(np.nanmax(np.abs(res.coi - out["coi"].groupby(level=0).first())))
        diffs["COG"] = float(np.nanmax(np.abs(res.cog.to_numpy() - wide["cog"].to_numpy())))
        diffs["density"] = float(
            np.nanmax(np.abs(res.density.to_numpy() - wide["density"].to_numpy()))
        )
        m_diff = int((res.M.to_numpy() != out["mcp"].unstack().to_numpy()).sum())

    best, med = min(times), statistics.median(times)
    best_l = min(times_long)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, OPENBLAS_NUM_THREADS={threads}"
    )
    print(
        f"data: {args.regions} regions × {args.industries} industries, "
        f"{(X.to_numpy() > 0).mean():.0%} non-zero, presence density {res.M.to_numpy().mean():.1%}, "
        f"λ2 = {res.eigenvalue:.6f}, components = {res.n_components}"
    )
    print()
    print(
        "| size | jiqun s (best / median of "
        f"{args.repeat}) | jiqun incl. pivot from long s | ecomplexity s | speed-up | "
        "speed-up incl. pivot | max abs diff (ECI, PCI, COI, COG, density) | peak RSS MB "
        "(after jiqun / after peer) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    diff_s = ", ".join(f"{v:.1e}" for v in diffs.values()) if diffs else "n/a"
    print(
        f"| {args.regions} × {args.industries} | {best:.3f} / {med:.3f} | {best_l:.3f} | "
        f"{peer_t:.2f} | {peer_t / best:.0f}× | {peer_t / best_l:.0f}× | {diff_s} | "
        f"{rss_jiqun:.0f} / {rss_peer:.0f} |"
    )
    if diffs:
        print(f"\npresence cells that differ from the peer: {m_diff}")
        worst = max(diffs.values())
        if not worst < 1e-9:
            raise SystemExit(f"outputs differ from ecomplexity by {worst:.3g} > 1e-9")


if __name__ == "__main__":
    main()
