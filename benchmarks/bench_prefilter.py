"""Peak memory of one supplier search: the full index (store path) vs the engine pre-filter.

Usage::

    uv run python benchmarks/bench_prefilter.py prep DIR [--enterprises 200000]
    uv run python benchmarks/bench_prefilter.py store DIR
    uv run python benchmarks/bench_prefilter.py engine DIR
    uv run python benchmarks/bench_prefilter.py sharded-build DIR
    uv run python benchmarks/bench_prefilter.py sharded DIR

``prep`` generates the demo registry in memory (:func:`jiqun.demo.generate_demo`, seed 7) and
writes its enterprises to ``DIR/enterprises.parquet``; ``store`` and ``engine`` each run in a
fresh process and print the peak RSS and the wall time of one search (need 减速器, class 3453):
``store`` reads every firm and builds the full index (what ``load_index`` does),
``engine`` counts the corpus statistics by streaming the scopes (once per lake version), pulls
the candidates through DuckDB (:func:`jiqun.engine.matching.candidate_firms`) and indexes
only them; ``sharded-build`` builds the matching shards of the registry once
(:func:`jiqun.services.matching.index_cache.build_shards`: every firm segmented and mapped,
filed by GB/T 4754 division under ``DIR/data/cache``) and ``sharded`` runs two searches in one
fresh process (the need above, then 锂电池 / class 3841) that pull their candidates through
DuckDB and read their documents from the shards of their divisions only.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pandas as pd

NEED = ("减速器", "3453")
NEED2 = ("锂电池", "3841")


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
    del firms
    for i, need_t in enumerate((NEED, NEED2), start=1):
        res = rank_suppliers(ix, Need(*need_t))
        top = res.table[["uscc", "total"]].head(3).to_numpy().tolist()
        print(
            f"store search {i} {need_t}: {ix.n:,} rows indexed, top {top}, "
            f"{time.perf_counter() - t0:.1f} s, peak RSS {_rss_mb():,.0f} MB"
        )
        t0 = time.perf_counter()


def _engine(d: Path):  # type: ignore[no-untyped-def]
    """DuckDB in memory over the one Parquet file, standing for lake version 0."""
    import os

    from jiqun.engine import connect

    os.environ["JIQUN_DATA_DIR"] = str(d / "data")
    eng = connect("duckdb", database=":memory:", lake=d / "lake")
    src = d / "enterprises.parquet"
    tbl = eng.read_parquet(src)
    eng.table = lambda name, version=None: tbl  # type: ignore[method-assign]
    stamp = {"bench": str(src), "mtime": src.stat().st_mtime_ns}
    eng.manifest = lambda version=None: stamp  # type: ignore[method-assign]
    return eng


def _criteria(need_t: tuple[str, str]):  # type: ignore[no-untyped-def]
    """The supplier pre-filter of the need (as jiqun.services.matching.search builds it)."""
    from jiqun.engine.matching import Criteria, Group
    from jiqun.matching import Need
    from jiqun.matching.index import build_index
    from jiqun.matching.score import need_segments, query_terms

    meta = build_index(pd.DataFrame({"uscc": [], "industry_code": [], "business_scope": []}))
    need = Need(*need_t)
    segs = need_segments(meta, need)
    terms = query_terms(meta, need, segs)
    words = set(terms)
    codes: set[str] = set()
    for col in segs:
        chain, sid, _ = meta.segment_labels[col]
        seg = meta.templates[chain].segment(sid)
        codes |= {str(m.code) for m in seg.gbt4754}
        words |= {k.lower() for k in seg.keywords}
    prefixes = (need_t[1][:2],)
    return need, Criteria(all_of=(Group(prefixes, tuple(sorted(codes)), tuple(sorted(words))),))


def engine(d: Path) -> None:
    from jiqun.engine.matching import candidate_firms, scope_batches
    from jiqun.matching import rank_suppliers
    from jiqun.matching.index import build_index, corpus_stats

    eng = _engine(d)
    t0 = time.perf_counter()
    st = corpus_stats(scope_batches(eng))
    t1 = time.perf_counter()
    rss_stats = _rss_mb()
    need, crit = _criteria(NEED)
    firms = candidate_firms(eng, crit)
    assert firms is not None
    ix = build_index(firms, corpus=st)
    res = rank_suppliers(ix, need)
    print(
        f"engine: corpus statistics {st.n_docs:,} docs in {t1 - t0:.1f} s (peak RSS "
        f"{rss_stats:,.0f} MB); {len(firms):,} candidates, top {res.table['uscc'].iloc[0]}, "
        f"search {time.perf_counter() - t1:.1f} s, peak RSS {_rss_mb():,.0f} MB"
    )


def sharded_build(d: Path) -> None:
    import shutil

    from jiqun.services.matching.index_cache import _shards_path, build_shards

    t0 = time.perf_counter()
    eng = _engine(d)
    path = _shards_path(eng)
    shutil.rmtree(path, ignore_errors=True)
    build_shards(eng, path)
    size = sum(f.stat().st_size for f in path.iterdir())
    n = len(list(path.glob("*.parquet"))) - 1
    print(
        f"sharded-build: {n} shards, {size / 2**20:,.1f} MB on disk in {path}, "
        f"{time.perf_counter() - t0:.1f} s, peak RSS {_rss_mb():,.0f} MB"
    )


def sharded(d: Path) -> None:
    from jiqun.engine.matching import FIRM_COLUMNS, candidate_firms
    from jiqun.matching import rank_suppliers
    from jiqun.matching.index import build_index
    from jiqun.services.matching.index_cache import firm_shards

    cols = tuple(c for c in FIRM_COLUMNS if c != "business_scope")
    t0 = time.perf_counter()
    eng = _engine(d)
    for i, need_t in enumerate((NEED, NEED2), start=1):
        need, crit = _criteria(need_t)
        t1 = time.perf_counter()
        firms = candidate_firms(eng, crit, columns=cols)
        assert firms is not None
        t2 = time.perf_counter()
        shards = firm_shards(eng)
        docs = shards.documents(firms["uscc"], firms["industry_code"])
        t3 = time.perf_counter()
        ix = build_index(firms, corpus=shards.stats, documents=docs)
        res = rank_suppliers(ix, need)
        top = res.table[["uscc", "total"]].head(3).to_numpy().tolist()
        read = sum(shards.rows[k] for k in shards.loaded)
        print(
            f"sharded search {i} {need_t}: {len(firms):,} candidates from {len(shards.loaded)} "
            f"of {len(shards.rows)} shards ({read:,} firms read), top {top}, "
            f"{time.perf_counter() - t0:.1f} s (pre-filter {t2 - t1:.1f} s, shards read "
            f"{t3 - t2:.1f} s, index + score {time.perf_counter() - t3:.1f} s), "
            f"peak RSS {_rss_mb():,.0f} MB"
        )
        t0 = time.perf_counter()


if __name__ == "__main__":
    mode, where = sys.argv[1], Path(sys.argv[2])
    if mode == "prep":
        n = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
        prep(where, n)
    elif mode == "store":
        store(where)
    elif mode == "sharded-build":
        sharded_build(where)
    elif mode == "sharded":
        sharded(where)
    else:
        engine(where)
