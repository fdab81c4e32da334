"""Benchmark and quality check of supplier matching (``jiqun.matching``) on the demo data.

Usage::

    uv run python benchmarks/bench_matching.py                       # full demo: 200,000 firms
    uv run python benchmarks/bench_matching.py --enterprises 20000 --queries 1000
    uv run python benchmarks/bench_matching.py --timing-only --enterprises 10000 100000 200000

For each size the demo data are generated in memory exactly as ``jiqun demo --seed SEED
--enterprises N`` stores them (:func:`jiqun.demo.generate_demo`), with the
clusters' member regions and leading industries from the shipped cluster list.

1. **Speed**: time to build the index (jieba + BM25 + chain mapping over all firms) and the
   latency of one ``rank_suppliers`` call (top 10) over all firms, median and 95th
   percentile over the queries, and the peak RSS of the process.
2. **Quality** (first size only, unless ``--timing-only``): ``--queries`` supply links are
   held out (at most one per buyer × input category); each becomes a need built from the
   link's input category and product words, posted by the buyer (the supplier's id is not
   used); the relevant answers are all of that buyer's suppliers in that category. recall@10,
   MRR@100 and hit@10 for the matcher, ablations and the baselines ``code_only`` (GB/T 4754
   code level, random ties) and ``random``.

Prints Markdown tables for ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import numpy as np
import pandas as pd

VARIANTS: dict[str, dict[str, Any] | None] = {
    "matcher (default weights)": None,
    "matcher, prefer_cross_region=True": {"prefer_cross_region": True},
    "  without distance and region": {"weights": {"distance": 0.0, "region": 0.0}},
    "  without text and segment": {"weights": {"text": 0.0, "segment": 0.0}},
    "  distance scale λ = 100 km": {"distance_scale_km": 100.0},
    "  distance scale λ = 400 km": {"distance_scale_km": 400.0},
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cluster_tables(clusters: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cr = (
        clusters[["cluster_id", "member_regions"]]
        .explode("member_regions")
        .dropna()
        .rename(columns={"member_regions": "region_code"})
    )
    ci = (
        clusters[["cluster_id", "leading_industries"]]
        .explode("leading_industries")
        .dropna()
        .rename(columns={"leading_industries": "industry_code"})
    )
    return cr, clusters[["cluster_id", "field"]], ci


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--enterprises", type=int, nargs="+", default=[200_000])
    ap.add_argument("--seed", type=int, default=2026, help="demo seed (jiqun demo default 2026)")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--query-seed", type=int, default=1)
    ap.add_argument("--timing-only", action="store_true")
    args = ap.parse_args()

    from jiqun.demo import generate_demo
    from jiqun.matching import Need, build_index, evaluate, holdout_queries, rank_suppliers

    speed_rows = []
    quality: pd.DataFrame | None = None
    for i, n in enumerate(args.enterprises):
        t0 = time.perf_counter()
        d = generate_demo(seed=args.seed, n_enterprises=n)
        t_gen = time.perf_counter() - t0
        cr, cl, ci = _cluster_tables(d.clusters)
        t0 = time.perf_counter()
        ix = build_index(d.enterprises, cluster_regions=cr, clusters=cl, cluster_industries=ci)
        t_index = time.perf_counter() - t0
        q = holdout_queries(d.supply_links, n=args.queries, seed=args.query_seed)
        lat = []
        for r in q.head(min(len(q), 300)).itertuples(index=False):
            need = Need(str(r.product), str(r.input_category), uscc=r.buyer_uscc)
            t0 = time.perf_counter()
            rank_suppliers(ix, need, top=10)
            lat.append((time.perf_counter() - t0) * 1000)
        cross = []
        for r in q.head(min(len(q), 100)).itertuples(index=False):
            need = Need(str(r.product), str(r.input_category), uscc=r.buyer_uscc)
            t0 = time.perf_counter()
            rank_suppliers(ix, need, top=10, prefer_cross_region=True)
            cross.append((time.perf_counter() - t0) * 1000)
        speed_rows.append(
            {
                "firms": n,
                "generate s": t_gen,
                "index s": t_index,
                "vocabulary": len(ix.text.vocab),
                "query ms median": float(np.median(lat)),
                "query ms p95": float(np.percentile(lat, 95)),
                "cross-region ms median": float(np.median(cross)),
                "peak RSS MB": _rss_mb(),
            }
        )
        print(
            f"[{n:,} firms] index {t_index:.1f} s, query median {np.median(lat):.1f} ms", flush=True
        )
        if i == 0 and not args.timing_only:
            t0 = time.perf_counter()
            res = evaluate(ix, q, k=10, mrr_cutoff=100, seed=0, variants=VARIANTS)
            quality = res.summary
            quality.insert(0, "firms", n)
            print(f"[{n:,} firms] evaluation {time.perf_counter() - t0:.0f} s", flush=True)
            n_rel = q["relevant"].map(len)
            print(
                f"queries {len(q):,} from {len(d.supply_links):,} links; relevant suppliers per "
                f"query mean {n_rel.mean():.2f}, max {n_rel.max()}"
            )

    print(
        "\n| firms | generate s | index s | vocabulary | query ms median | query ms p95 | "
        "cross-region ms median | peak RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in speed_rows:
        print(
            f"| {r['firms']:,} | {r['generate s']:.1f} | {r['index s']:.1f} | {r['vocabulary']:,} | "
            f"{r['query ms median']:.1f} | {r['query ms p95']:.1f} | "
            f"{r['cross-region ms median']:.1f} | {r['peak RSS MB']:,.0f} |"
        )
    if quality is not None:
        print("\n| method | queries | recall@10 | MRR@100 | hit@10 | ms/query |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in quality.to_dict("records"):
            print(
                f"| {r['method'].strip()} | {r['queries']:,} | {r['recall@10']:.3f} | "
                f"{r['mrr']:.3f} | {r['hit@10']:.3f} | {r['ms_per_query']:.1f} |"
            )


if __name__ == "__main__":
    main()
