"""Peak memory of one supplier search: the full index (store path) vs the engine pre-filter.

Usage::

    uv run python benchmarks/bench_prefilter.py prep DIR [--enterprises 200000]
    uv run python benchmarks/bench_prefilter.py store DIR
    uv run python benchmarks/bench_prefilter.py engine DIR

``prep`` generates the demo registry in memory (:func:`jiqun.demo.generate_demo`, seed 7) and
writes its enterprises to ``DIR/enterprises.parquet``; ``store`` and ``engine`` each run in a
fresh process and print the peak RSS and the wall time of one search (need 减速器, class 3453):
``store`` reads every firm and builds the full index (what ``load_index`` does),
``engine`` counts the corpus statistics by streaming the scopes (once per lake version), pulls
the candidates through DuckDB (:func:`jiqun.engine.matching.candidate_firms`) and indexes
only them.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pandas as pd

NEED = ("减速器", "3453")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prep(d: Path, n: int) -> None:
    from jiqun.demo import generate_demo
    from jiqun.engine.matching import FIRM_COLUMNS

    demo = generate_demo(seed=7, n_enterprises=n)
    e = demo.enterprises
    cols = [c for c in FIRM_COLUMNS if c in e.columns]
    d.mkdir(parents=True, exist_ok=True)
    e[cols].to_parquet(d / "enterprises.parquet", index=False)
    print(f"{len(e):,} firms → {d / 'enterprises.parquet'}")


def store(d: Path) -> None:
    from jiqun.matching import Need, rank_suppliers
    from jiqun.matching.index import build_index

    t0 = time.perf_counter()
    firms = pd.read_parquet(d / "enterprises.parquet")
    ix = build_index(firms.sort_values("uscc").reset_index(drop=True))
    res = rank_suppliers(ix, Need(*NEED))
    print(
        f"store: {ix.n:,} rows indexed, top {res.table['uscc'].iloc[0]}, "
        f"{time.perf_counter() - t0:.1f} s, peak RSS {_rss_mb():,.0f} MB"
    )


def engine(d: Path) -> None:
    from jiqun.engine import connect
    from jiqun.engine.matching import Criteria, Group, candidate_firms
    from jiqun.matching import Need, rank_suppliers
    from jiqun.matching.index import build_index, corpus_stats
    from jiqun.matching.score import need_segments, query_terms

    eng = connect("duckdb", database=":memory:", lake=d / "lake")
    tbl = eng.read_parquet(d / "enterprises.parquet")
    eng.table = lambda name, version=None: tbl  # type: ignore[method-assign]
    t0 = time.perf_counter()
    from jiqun.engine.matching import scope_batches

    st = corpus_stats(scope_batches(eng))
    t1 = time.perf_counter()
    rss_stats = _rss_mb()
    meta = build_index(pd.DataFrame({"uscc": [], "industry_code": [], "business_scope": []}))
    need = Need(*NEED)
    segs = need_segments(meta, need)
    terms = query_terms(meta, need, segs)
    words = set(terms)
    codes: set[str] = set()
    for col in segs:
        chain, sid, _ = meta.segment_labels[col]
        seg = meta.templates[chain].segment(sid)
        codes |= {str(m.code) for m in seg.gbt4754}
        words |= {k.lower() for k in seg.keywords}
    crit = Criteria(all_of=(Group((NEED[1][:2],), tuple(sorted(codes)), tuple(sorted(words))),))
    firms = candidate_firms(eng, crit)
    assert firms is not None
    ix = build_index(firms, corpus=st)
    res = rank_suppliers(ix, need)
    print(
        f"engine: corpus statistics {st.n_docs:,} docs in {t1 - t0:.1f} s (peak RSS "
        f"{rss_stats:,.0f} MB); {len(firms):,} candidates, top {res.table['uscc'].iloc[0]}, "
        f"search {time.perf_counter() - t1:.1f} s, peak RSS {_rss_mb():,.0f} MB"
    )


if __name__ == "__main__":
    mode, where = sys.argv[1], Path(sys.argv[2])
    if mode == "prep":
        n = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
        prep(where, n)
    elif mode == "store":
        store(where)
    else:
        engine(where)
