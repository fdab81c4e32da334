"""Benchmark: the release's finest cells and cube, on the engine beside the firm rows in pandas.

    uv run python benchmarks/bench_release_cells.py db
    uv run python benchmarks/bench_release_cells.py gen --firms 10000000 DIR
    uv run python benchmarks/bench_release_cells.py engine DIR
    uv run python benchmarks/bench_release_cells.py pandas DIR

``db``: the configured database (``JIQUN_DATABASE_URL``): the finest cells as the release
builds them (:func:`jiqun.services.release.finest_cells`: on the engine when the lake is
current, else from the store's firm rows), then the cube at the published depth
(:func:`jiqun.analytics.release.cube_from_cells`). ``gen`` writes N synthetic domestic firms
(heavy-tailed over ~3,100 counties and the GB/T 4754 classes; 10% without revenue, 30% without
output) as Parquet into DIR; ``engine`` groups them on DuckDB
(:func:`jiqun.engine.aggregates.cell_aggregates`, as ``domestic_firm_cells``) and ``pandas``
reads every firm row into pandas and groups there (:func:`jiqun.analytics.release.firm_cells`,
the store path without its SQL read). Each prints one JSON line: firms, finest cells, cube rows,
seconds and CPU seconds of the cells and of the cube, the national revenue total (the same in
both) and the peak RSS. Run each in its own process (peak RSS is per process).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MEASURES = ["revenue", "output", "employees"]


def generate(n: int, d: Path, seed: int = 13) -> None:
    """Write ``n`` synthetic domestic firms as Parquet files of at most 2,000,000 rows."""
    from jiqun import reference

    rng = np.random.default_rng(seed)
    inds = reference.industries()
    classes = inds.loc[inds["level"] == 4, "code"].astype(str).to_numpy()
    prov = rng.choice(np.arange(11, 66), 31, replace=False)
    counties = np.array(
        [f"{p:02d}{q:02d}{c:02d}" for p in prov for q in range(1, 11) for c in range(10)]
    )
    rw = rng.pareto(1.2, len(counties)) + 1
    cw = rng.pareto(1.2, len(classes)) + 1
    rw, cw = rw / rw.sum(), cw / cw.sum()
    d.mkdir(parents=True, exist_ok=True)
    step = 2_000_000
    for k, a in enumerate(range(0, n, step)):
        m = min(step, n - a)
        rev = rng.lognormal(6, 2, m)
        rev[rng.random(m) < 0.1] = np.nan
        out = rng.lognormal(6, 2, m)
        out[rng.random(m) < 0.3] = np.nan
        t = pa.table(
            {
                "region_code": pa.array(counties[rng.choice(len(counties), m, p=rw)]),
                "industry_code": pa.array(classes[rng.choice(len(classes), m, p=cw)]),
                "revenue": pa.array(rev, mask=np.isnan(rev)),
                "output": pa.array(out, mask=np.isnan(out)),
                "employees": pa.array(rng.lognormal(3, 1.5, m).astype("int64")),
                "synthetic": pa.array(np.ones(m, dtype=bool)),
            }
        )
        pq.write_table(t, d / f"part-{k}.parquet")


def cells_of(mode: str, d: Path | None) -> tuple[pd.DataFrame, str]:
    """The finest cells by ``mode`` (``db``, ``engine`` or ``pandas``) and where computed."""
    from jiqun.analytics.release import SUM_SCALE, firm_cells

    if mode == "db":
        from jiqun.services.release import finest_cells
        from jiqun.store.db import get_engine

        cells, _synthetic, where = finest_cells(get_engine())
        return cells, where
    assert d is not None
    if mode == "engine":
        from jiqun.engine import connect
        from jiqun.engine.aggregates import cell_aggregates

        eng = connect("duckdb", database=":memory:", lake=d / "_lake")
        e = eng.read_parquet(d)
        e = e.filter(e.region_code.between("100000", "999999"))
        e = e.mutate(synthetic=e.synthetic.cast("int64"))
        cells = cell_aggregates(
            eng,
            e,
            ["region_code", "industry_code"],
            sums=MEASURES,
            counts=MEASURES,
            maxes=[*MEASURES, "synthetic"],
            mins=MEASURES,
            count="n_firms",
            scale=SUM_SCALE,
        )
        return cells, "duckdb"
    parts = [pq.read_table(p).to_pandas() for p in sorted(d.glob("*.parquet"))]
    firms = pd.concat(parts, ignore_index=True)
    del parts
    return firm_cells(firms, MEASURES), "pandas"


def main(argv: list[str] | None = None) -> int:
    """Run one mode; print its JSON line."""
    ap = argparse.ArgumentParser(
        description="the release's finest cells and cube: engine vs pandas"
    )
    ap.add_argument("mode", choices=["db", "gen", "engine", "pandas"])
    ap.add_argument("dir", nargs="?", type=Path)
    ap.add_argument("--firms", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    if args.mode == "gen":
        generate(args.firms, args.dir)
        return 0
    from jiqun.analytics.release import cube_from_cells
    from jiqun.services.release import INDUSTRY_LEVELS, REGION_LEVELS

    t0, c0 = time.perf_counter(), time.process_time()
    cells, where = cells_of(args.mode, args.dir)
    t1, c1 = time.perf_counter(), time.process_time()
    cube = cube_from_cells(cells, MEASURES, REGION_LEVELS, INDUSTRY_LEVELS)
    t2, c2 = time.perf_counter(), time.process_time()
    top = cube[
        (cube["measure"] == "revenue")
        & (cube["region_code"] == "000000")
        & (cube["industry_code"] == "*")
    ]
    line: dict[str, Any] = {
        "mode": args.mode,
        "computed_in": where,
        "firms": int(cells["n_firms"].sum()),
        "finest_cells": len(cells),
        "cube_rows": len(cube),
        "cells_s": round(t1 - t0, 2),
        "cells_cpu_s": round(c1 - c0, 2),
        "cube_s": round(t2 - t1, 2),
        "cube_cpu_s": round(c2 - c1, 2),
        "revenue_total": float(top["value"].iloc[0]) if len(top) else None,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
