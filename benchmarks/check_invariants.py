"""Check the invariants (:mod:`jiqun.services.invariants`) over a whole demo database.

Usage::

    uv run python benchmarks/check_invariants.py --data-dir DIR [--enterprises 200000]
        [--seed 2026] [--no-diagnosis] [--out violations.csv] [--shard k/n]

``DIR/jiqun.sqlite3`` is used when it exists (a demo built before, e.g. by ``jiqun demo`` with
``JIQUN_DATA_DIR=DIR``); otherwise the demo is built there first (``--enterprises`` firms,
``--seed``). The database is upgraded and its reference tables refreshed (``prepare``) before
the check, so point it at a copy when the original must stay untouched. Every cluster × chain
template of its field, every prefecture-level unit that is (or lies in) a cluster member region
× the templates that fit it, the evaluation and, unless ``--no-diagnosis``, every diagnosis are
checked. Prints the number of violations and data gaps by invariant and the wall time; writes
every row to ``--out`` (CSV) when given. Exit status 1 when there is a violation. ``--shard k/n``
checks every n-th cluster and region from the k-th, to run n processes side by side (the ranks of
every tier are checked in each).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--enterprises", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-diagnosis", action="store_true")
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--shard",
        default="0/1",
        help="k/n: check only every n-th cluster and region from the k-th (run n processes)",
    )
    args = ap.parse_args()
    k, n = (int(x) for x in args.shard.split("/"))

    from jiqun.services.invariants import (
        _cluster_rows,
        check_all,
        member_prefectures_of_clusters,
    )
    from jiqun.store.db import make_engine, prepare

    args.data_dir.mkdir(parents=True, exist_ok=True)
    db = args.data_dir / "jiqun.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    t0 = time.perf_counter()
    if not db.exists():
        from jiqun.services.demo import build_demo

        prepare(engine)
        build_demo(engine, seed=args.seed, n_enterprises=args.enterprises)
        print(f"demo built in {time.perf_counter() - t0:.0f} s: {db}")
    else:
        prepare(engine)
    t1 = time.perf_counter()
    last = [0.0]

    def progress(stage: str, frac: float) -> None:
        now = time.perf_counter()
        if now - last[0] > 30 or frac >= 1.0:
            last[0] = now
            print(f"  {frac:5.1%} {stage} ({now - t1:.0f} s)", flush=True)

    clusters = _cluster_rows(engine)["cluster_id"].tolist()[k::n]
    regions = member_prefectures_of_clusters(engine)[k::n]
    v = check_all(
        engine,
        progress=progress,
        clusters=clusters,
        regions=regions,
        diagnosis=not args.no_diagnosis,
    )
    wall = time.perf_counter() - t1
    checked = v.attrs.get("checked", {})
    n_bad = int((v["severity"] == "violation").sum())
    n_gap = int((v["severity"] == "data_gap").sum())
    print(
        f"checked {checked.get('clusters')} clusters, {checked.get('regions')} regions, "
        f"{checked.get('chain_reports')} chain reports in {wall:.0f} s"
    )
    print(f"violations: {n_bad}")
    print(f"data gaps: {n_gap}")
    if len(v):
        print(v.groupby(["severity", "invariant"]).size().to_string())
        print(v.head(20)[["kind", "id", "template", "invariant", "message_en"]].to_string())
    if args.out:
        v.to_csv(args.out, index=False, encoding="utf-8-sig")
        print(f"written: {args.out}")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
