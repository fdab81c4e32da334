"""Benchmark: build the demo database (``jiqun demo``) into a fresh SQLite file.

Usage::

    uv run python benchmarks/bench_demo.py [--enterprises 200000] [--seed 2026]

Prints the wall time, the row counts and the peak RSS.
The issue's target is under 60 s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--enterprises", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    from jiqun.services.demo import build_demo
    from jiqun.store.db import make_engine

    with tempfile.TemporaryDirectory() as d:
        engine = make_engine(f"sqlite:///{Path(d) / 'demo.sqlite3'}")
        t0 = time.perf_counter()
        summary = build_demo(engine, seed=args.seed, n_enterprises=args.enterprises)
        total = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| enterprises | total s | peak RSS MB | rows written |")
    print("|---|---|---|---|")
    print(
        f"| {args.enterprises:,} | {total:.1f} | {rss_mb:,.0f} | "
        + ", ".join(f"{k} {v:,}" for k, v in summary.counts.items())
        + " |"
    )


if __name__ == "__main__":
    main()
