"""Benchmark: the protected release of a demo database beside the per-table approach it replaces.

    uv run python benchmarks/bench_release.py /tmp/jiqun.sqlite3 [--measures firms,revenue]
        [--out results.json]

Reads the enterprises of an existing SQLite database (read-only; copy the file first if in
doubt), builds the linked cube (:func:`jiqun.analytics.release.build_cube`) and protects each
measure (:func:`jiqun.analytics.release.protect`), printing and writing one JSON line per
measure as soon as it is done: cells, primary, secondary, suppressed cell and value shares, LP
solves, unsafe cells left, seconds and peak RSS. The per-table baseline is today's
:func:`jiqun.analytics.disclosure.suppress_table` on the tables the platform used to publish
(prefecture × division, region lists, and one industry list per level), whose cells and value
suppressed are reported the same way (it protects each table alone: its suppressed cells can
be recovered by differencing, see tests/services/test_release_attack.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import time

import numpy as np
import pandas as pd

from jiqun.analytics.disclosure import suppress_table
from jiqun.analytics.release import build_cube, protect


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _per_table(firms: pd.DataFrame, measure: str) -> dict[str, float]:
    """suppress_table on each table separately (prefecture × division; prefecture list;
    divisions, groups, classes nationally)."""
    f = firms.assign(
        pref=firms["region_code"].str[:4] + "00",
        ind2=firms["industry_code"].str[:2],
        ind3=firms["industry_code"].str[:3],
        ind4=firms["industry_code"].str[:4],
    )
    x = f[measure] if measure != "firms" else pd.Series(1.0, index=f.index)
    f = f.assign(x=x)
    cells = supp = 0
    value = supp_value = 0.0
    t0 = time.perf_counter()
    for keys in (["pref", "ind2"], ["pref"], ["ind2"], ["ind3"], ["ind4"]):
        g = f.groupby(keys)["x"]
        t = pd.DataFrame({"value": g.sum(), "n_enterprises": g.count(), "top": g.max()})
        t = t.reset_index()
        t["top_share"] = np.where(t["value"] > 0, t["top"] / t["value"], np.nan)
        r = suppress_table(
            t,
            row=keys[0],
            col=keys[1] if len(keys) > 1 else None,
            top_share=None if measure == "firms" else "top_share",
        )
        cells += len(r.cells) + len(r.totals)
        supp += int(r.cells["suppressed"].sum()) + int(r.totals["suppressed"].sum())
        value += float(r.cells["value"].sum())
        supp_value += float(r.cells.loc[r.cells["suppressed"], "value"].sum())
    return {
        "cells": cells,
        "suppressed": supp,
        "suppressed_share_cells": supp / cells if cells else 0.0,
        "suppressed_share_value_interior": supp_value / value if value else 0.0,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("database")
    ap.add_argument("--measures", default="firms,employees,revenue,output")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    con = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    firms = pd.read_sql(
        "SELECT region_code, industry_code, revenue, output, employees FROM enterprises", con
    )
    read_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    cube = build_cube(firms, ["revenue", "output", "employees"])
    cube_s = time.perf_counter() - t1
    head = {
        "firms": len(firms),
        "cube_cells": len(cube),
        "read_s": round(read_s, 2),
        "cube_s": round(cube_s, 2),
        "rss_mb": round(_rss_mb()),
    }
    out = open(args.out, "a", encoding="utf-8") if args.out else None  # noqa: SIM115
    print(json.dumps(head), flush=True)
    if out:
        out.write(json.dumps(head) + "\n")
        out.flush()
    for m in args.measures.split(","):
        base = _per_table(firms, m)
        t2 = time.perf_counter()
        r = protect(cube[cube["measure"] == m])
        rec = {
            "measure": m,
            **{k: v for k, v in r.stats.items()},
            "wall_s": round(time.perf_counter() - t2, 1),
            "rss_mb": round(_rss_mb()),
            "per_table": base,
        }
        print(json.dumps(rec), flush=True)
        if out:
            out.write(json.dumps(rec) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
