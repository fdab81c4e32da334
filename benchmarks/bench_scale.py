"""Benchmark: the national-scale curve — aggregation, eligibility, link arrays, propagation, cascade.

Usage::

    uv run python benchmarks/bench_scale.py --firms 1000000 --links 10000000 [--engine duckdb]
        [--years 1] [--seed 13] [--out benchmarks/results/issue13-scale-1e6.jsonl] [--keep]
        [--stages propagation_step --impls numpy]      # one implementation only (a repeat)

Generates (seeded, :class:`jiqun.demo.scale.ScaleModel`) ``firms.parquet``, ``firm_years.parquet``
and ``links.parquet`` into ``benchmarks/_work/`` (git-ignored), then runs every stage **in its own
child process** and prints one JSON line per stage::

    {"stage", "engine", "rows", "seconds", "peak_mb", "pandas_seconds", "pandas_peak_mb", ...}

``seconds`` times the work only (imports and, for the network stages, the untimed set-up are
outside it); ``peak_mb`` is the child's peak resident set (``ru_maxrss`` from ``os.wait4`` on that
child — per child, unlike ``RUSAGE_CHILDREN``, which keeps the largest child so far), so it
includes the interpreter and the libraries the stage imports. A child imports only what its stage
needs (imported before the clock starts; ``base_mb`` is the peak right after the imports; the pandas
child never imports DuckDB). Where a peer exists its figures sit in ``pandas_*`` and ``peer`` names it.

Stages
------
``generate`` (numpy) — the generator writing the three Parquet files chunk by chunk.
``aggregate`` — firm-year rows (string region and industry codes, as in the lake) → sums of
  revenue, revenue², employees and counts per (year, county, 4-digit class) → the last year's
  county × class revenue matrix (dense NumPy). Engine: one SQL ``GROUP BY`` over the Parquet file,
  the cells as Arrow, the matrix filled from integer label codes
  (:func:`jiqun.engine.aggregates.matrix_from_cells`); peer: ``pandas.read_parquet`` + ``groupby``
  and a matrix from the labels as strings (the path the engine replaces). Both matrices must
  agree to 1e-9 (relative) or the run fails.
``eligibility`` — a policy-like rule over every firm (high-tech class, 10–999 employees,
  revenue ≥ 2,000 万元, R&D ≥ 3 % of revenue, founded ≤ 2020) → count per province; peer pandas.
``link_build`` (numpy) — CSR arrays sorted by supplier (int32 buyers, float32 values, int64
  row pointers) streamed from the Parquet file one row group (2²⁰ buyers) at a time by
  :func:`jiqun.demo.scale.csr_by_supplier` (no coordinate-form copy); peer: all three columns
  read, then ``scipy.sparse.coo_matrix(...).tocsr()``.
``propagation_step`` — one step of a shock vector to buyers, loss = Aᵀx. numpy: one SpMV on the
  CSR (median and best of 5; ``links_per_s``, ``links_per_s_best``). Engine: one join + group-by (links ⋈ shock, sum per buyer).
``cascade`` — a regional lockdown: every firm of the province with most firms stops; a buyer
  stops when the suppliers that stopped sold it ≥ 50 % of its input value; repeated to the fixed
  point. numpy: one SpMV per round. Engine: :func:`jiqun.engine.cascade.threshold_cascade`
  (bulk-synchronous rounds of join + group-by over the links and the failed firms, materialised
  every 4 rounds on DuckDB, 2 on Spark). ``rounds`` and ``failed`` are reported.

``--engine spark-local`` runs the engine stages with the same SQL on Spark SQL (``local[2]``) and
prints a ``skipped`` line with the reason when pyspark or Java is missing.

References
----------
``src/jiqun/demo/scale.py`` (the generator); ``benchmarks/README.md`` section "Scale".
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / "_work"
THRESHOLD = 0.5

# CAST: DuckDB sums an INTEGER column into a 128-bit integer (DECIMAL(38,0) in Arrow); BIGINT
# is what Spark returns and is cheaper to carry through the hash table and into Arrow
AGG_SQL = """
SELECT year, region_code, industry_code, count(*) AS n, CAST(sum(employees) AS BIGINT) AS employees,
       sum(revenue) AS revenue, sum(revenue * revenue) AS revenue2
FROM firm_years GROUP BY year, region_code, industry_code
"""
ELIG_SQL = """
SELECT province_code, count(*) AS n FROM firms
WHERE industry_code IN ({codes}) AND employees BETWEEN 10 AND 999 AND revenue >= 2000
  AND rd_expense >= 0.03 * revenue AND founded <= 2020
GROUP BY province_code
"""
STEP_SQL = """
SELECT l.buyer, sum(l.value * s.x) AS loss FROM links_t l JOIN shock s ON l.supplier = s.firm
GROUP BY l.buyer
"""


# ---------------------------------------------------------------------------------------------
# children (one stage, one implementation each)
# ---------------------------------------------------------------------------------------------

_CPU0 = [0.0]


def _start() -> float:
    """Start the clock: wall time returned, the process' CPU time kept for ``cpu_seconds``
    (every thread of this process; a Spark JVM's CPU is not in it)."""
    _CPU0[0] = time.process_time()
    return time.perf_counter()


def _matrix(
    region: Any, industry: Any, revenue: Any, cells: int, revenue2: float, n: int
) -> tuple[Any, dict[str, Any]]:
    """The county × class revenue matrix of the last year's cells (labels as Python strings,
    ``np.unique`` and ``np.add.at``: the pandas path), and check sums of the whole."""
    import numpy as np

    r_codes, r = np.unique(np.asarray(region).astype(str), return_inverse=True)
    c_codes, c = np.unique(np.asarray(industry).astype(str), return_inverse=True)
    mat = np.zeros((len(r_codes), len(c_codes)))
    np.add.at(mat, (r, c), np.asarray(revenue, dtype=float))
    return mat, _check(mat, cells, revenue2, n)


def _check(mat: Any, cells: int, revenue2: float, n: int) -> dict[str, Any]:
    """Check sums of a county × class revenue matrix (rows and columns in sorted label order)."""
    import numpy as np

    return {
        "cells": int(cells),
        "matrix_shape": [int(mat.shape[0]), int(mat.shape[1])],
        "revenue": float(mat.sum()),
        "revenue2": float(revenue2),
        "n": int(n),
        "weighted": float((mat * np.arange(1, mat.shape[1] + 1)).sum()),
    }


class _Sql:
    """The same SQL on DuckDB or Spark SQL, over views of the Parquet files."""

    def __init__(self, engine: str, d: Path) -> None:
        self.engine = engine
        if engine == "duckdb":
            import duckdb

            self.con = duckdb.connect()
            for t in ("firms", "firm_years", "links"):
                self.con.execute(
                    f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{d / t}.parquet')"
                )
        else:
            from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

            self.spark = (
                SparkSession.builder.master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8")
                .getOrCreate()
            )
            for t in ("firms", "firm_years", "links"):
                self.spark.read.parquet(str(d / f"{t}.parquet")).createOrReplaceTempView(t)

    def df(self, sql: str) -> Any:
        """Result of a query as pandas (small results only)."""
        if self.engine == "duckdb":
            return self.con.execute(sql).df()
        return self.spark.sql(sql).toPandas()

    def arrow(self, sql: str) -> Any:
        """Result of a query as an Arrow table."""
        if self.engine == "duckdb":
            return self.con.sql(sql).to_arrow_table()
        import pyarrow as pa

        return pa.Table.from_pandas(self.spark.sql(sql).toPandas(), preserve_index=False)

    def run(self, sql: str) -> None:
        """Execute a statement (DDL / DML)."""
        if self.engine == "duckdb":
            self.con.execute(sql)
        else:
            self.spark.sql(sql).collect()

    def scalar(self, sql: str) -> Any:
        if self.engine == "duckdb":
            return self.con.execute(sql).fetchone()[0]  # type: ignore[index]
        return self.spark.sql(sql).collect()[0][0]

    def load_links(self) -> None:
        """Links held by the engine as ``links_t`` (a table, or a cached view on Spark)."""
        if self.engine == "duckdb":
            self.con.execute("CREATE TABLE links_t AS SELECT * FROM links")
        else:
            df = self.spark.table("links").cache()
            df.count()
            df.createOrReplaceTempView("links_t")

    def append(self, name: str, select: str) -> None:
        """Add the rows of ``select`` to table ``name``."""
        if self.engine == "duckdb":
            self.con.execute(f"INSERT INTO {name} {select}")
        else:
            df = self.spark.table(name).unionAll(self.spark.sql(select)).localCheckpoint()
            df.createOrReplaceTempView(name)

    def table(self, name: str, select: str) -> None:
        """Materialise ``select`` as table (DuckDB) or cached view (Spark) ``name``."""
        if self.engine == "duckdb":
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {select}")
        else:
            df = self.spark.sql(select).localCheckpoint()  # cut the lineage
            df.createOrReplaceTempView(name)


def _hightech_codes(d: Path) -> list[str]:
    meta = json.loads((d / "meta.json").read_text())
    return list(meta["hightech_codes"])


def child_aggregate(impl: str, d: Path) -> dict[str, Any]:
    if impl == "pandas":
        import pandas as pd

        t0 = _start()
        df = pd.read_parquet(
            d / "firm_years.parquet",
            columns=["year", "region_code", "industry_code", "employees", "revenue"],
        )
        df["revenue2"] = df["revenue"] * df["revenue"]
        agg = (
            df.groupby(["year", "region_code", "industry_code"], sort=False, observed=True)
            .agg(
                n=("revenue", "size"),
                employees=("employees", "sum"),
                revenue=("revenue", "sum"),
                revenue2=("revenue2", "sum"),
            )
            .reset_index()
        )
        rows = len(df)
        del df
        last = agg[agg["year"] == agg["year"].max()]
        _mat, check = _matrix(
            last["region_code"].to_numpy(),
            last["industry_code"].to_numpy(),
            last["revenue"].to_numpy(),
            len(agg),
            agg["revenue2"].sum(),
            agg["n"].sum(),
        )
    else:
        import pyarrow.compute as pc

        from jiqun.engine.aggregates import matrix_from_cells

        sql = _Sql(impl, d)
        t0 = _start()
        # Arrow, not pandas: the engine's result crosses into Python once, columnar; the matrix
        # is filled from integer codes of the labels (no Python string per cell)
        agg = sql.arrow(AGG_SQL)
        rows = int(pc.sum(agg["n"]).as_py())
        span = pc.min_max(agg["year"])
        # a filter copies every cell (labels too): only when there are earlier years to drop
        last = agg
        if span["min"] != span["max"]:
            last = agg.filter(pc.equal(agg["year"], span["max"]))
        m = matrix_from_cells(last, row="region_code", col="industry_code", values=["revenue"])
        check = _check(m.values["revenue"], agg.num_rows, pc.sum(agg["revenue2"]).as_py(), rows)
    return {"rows": rows, "seconds": time.perf_counter() - t0, "check": check}


def child_eligibility(impl: str, d: Path) -> dict[str, Any]:
    codes = _hightech_codes(d)
    if impl == "pandas":
        import pandas as pd

        t0 = _start()
        df = pd.read_parquet(d / "firms.parquet")
        m = (
            df["industry_code"].isin(codes)
            & df["employees"].between(10, 999)
            & (df["revenue"] >= 2000)
            & (df["rd_expense"] >= 0.03 * df["revenue"])
            & (df["founded"] <= 2020)
        )
        per = df.loc[m].groupby("province_code").size()
        rows, total = len(df), int(per.sum())
    else:
        sql = _Sql(impl, d)
        t0 = _start()
        per = sql.df(ELIG_SQL.format(codes=", ".join(f"'{c}'" for c in codes)))
        rows = int(sql.scalar("SELECT count(*) FROM firms"))
        total = int(per["n"].sum())
    return {"rows": rows, "seconds": time.perf_counter() - t0, "check": {"eligible": total}}


class _ParquetLinks:
    """Re-iterable link chunks, one per Parquet row group (the generator's chunk of firms).

    Row groups, not ``iter_batches``: batches of 2²¹ links peaked higher (539 MB against 370 MB at
    10⁷ links), as Arrow decodes a whole row group anyway and its memory pool keeps the buffers.
    """

    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self.file = pq.ParquetFile(path)

    def __iter__(self) -> Any:
        from jiqun.demo.scale import LinkChunk

        for i in range(self.file.num_row_groups):
            t = self.file.read_row_group(i, columns=["supplier", "buyer", "value"])
            yield LinkChunk(t.column(0).to_numpy(), t.column(1).to_numpy(), t.column(2).to_numpy())


def _n_firms(d: Path) -> int:
    return int(json.loads((d / "meta.json").read_text())["firms"])


def _csr(d: Path) -> Any:
    import scipy.sparse as sp

    from jiqun.demo.scale import csr_by_supplier

    n = _n_firms(d)
    indptr, indices, data = csr_by_supplier(_ParquetLinks(d / "links.parquet"), n)
    return sp.csr_matrix((data, indices, indptr), shape=(n, n))


def child_link_build(impl: str, d: Path) -> dict[str, Any]:
    n = _n_firms(d)
    if impl == "scipy":
        import pyarrow.parquet as pq
        import scipy.sparse as sp

        t0 = _start()
        t = pq.read_table(d / "links.parquet")
        s, b, v = (t[c].to_numpy() for c in ("supplier", "buyer", "value"))
        del t
        a = sp.coo_matrix((v, (s, b)), shape=(n, n)).tocsr()
        del s, b, v
    else:
        t0 = _start()
        a = _csr(d)
    sec = time.perf_counter() - t0
    return {
        "rows": int(a.nnz),
        "seconds": sec,
        "check": {"nnz": int(a.nnz), "value": float(a.data.sum(dtype="float64"))},
        "index_dtype": str(a.indices.dtype),
    }


def _lockdown(d: Path) -> Any:
    """Firms of the province with most firms (bool array)."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    prov = pq.read_table(d / "firms.parquet", columns=["province_code"])["province_code"]
    counts = pc.value_counts(prov).to_pylist()
    top = max(counts, key=lambda x: (x["counts"], x["values"]))["values"]
    return np.asarray(pc.equal(prov, top).to_numpy(zero_copy_only=False)), top


def child_propagation_step(impl: str, d: Path) -> dict[str, Any]:
    import numpy as np

    n = _n_firms(d)
    if impl == "numpy":
        a = _csr(d)
        at = a.T  # CSC view of the same arrays: Aᵀx sums each buyer's shocked purchases
        x = np.random.default_rng(1).random(n, dtype=np.float32)
        times = []
        for _ in range(5):
            t0 = _start()
            y = at @ x
            times.append(time.perf_counter() - t0)
        sec = float(np.median(times))
        # best of 5 as well: on a shared machine the median carries other people's load
        return {
            "rows": int(a.nnz),
            "seconds": sec,
            "links_per_s": a.nnz / sec,
            "best_seconds": min(times),
            "links_per_s_best": a.nnz / min(times),
            "check": {"loss": float(y.sum(dtype=np.float64))},
        }
    sql = _Sql(impl, d)
    x = np.random.default_rng(1).random(n, dtype=np.float32)
    if impl == "duckdb":
        import pyarrow as pa

        shock = pa.table({"firm": np.arange(n, dtype=np.int32), "x": x})
        sql.con.register("shock_arrow", shock)
        sql.run("CREATE TABLE shock AS SELECT * FROM shock_arrow")
    else:
        import pandas as pd

        frame = pd.DataFrame({"firm": np.arange(n, dtype=np.int32), "x": x})
        sql.spark.createDataFrame(frame).createOrReplaceTempView("shock")
    sql.load_links()
    rows = int(sql.scalar("SELECT count(*) FROM links_t"))
    t0 = _start()
    sql.table("step_out", STEP_SQL)
    sec = time.perf_counter() - t0
    loss = float(sql.scalar("SELECT sum(loss) FROM step_out"))
    return {"rows": rows, "seconds": sec, "links_per_s": rows / sec, "check": {"loss": loss}}


def child_cascade(impl: str, d: Path) -> dict[str, Any]:
    import numpy as np

    n = _n_firms(d)
    down, province = _lockdown(d)
    if impl == "numpy":
        a = _csr(d)
        at = a.T
        t0 = _start()
        inval = at @ np.ones(n, dtype=np.float32)
        failed = down.copy()
        rounds = 0
        while True:
            lost = at @ failed.astype(np.float32)
            new = (lost >= THRESHOLD * inval) & (inval > 0) & ~failed
            if not new.any():
                break
            failed |= new
            rounds += 1
        sec = time.perf_counter() - t0
        return {
            "rows": int(a.nnz),
            "seconds": sec,
            "rounds": rounds,
            "province": province,
            "check": {"locked": int(down.sum()), "failed": int(failed.sum())},
        }
    # the engine: jiqun.engine.cascade (Ibis), the code the platform ships
    os.environ.setdefault("JIQUN_DATA_DIR", str(d / "data"))
    from jiqun.engine import connect
    from jiqun.engine.cascade import threshold_cascade

    kind = "duckdb" if impl == "duckdb" else "spark-local"
    eng = connect(kind, lake=d, **({"database": ":memory:"} if kind == "duckdb" else {}))
    links = eng.read_parquet(d / "links.parquet")
    # the generator's pairs are unique and without self-links: no pre-aggregation needed
    links = links.select(
        supplier=links.supplier, buyer=links.buyer, value=links.value.cast("float64")
    )
    firms = eng.read_parquet(d / "firms.parquet")
    seeds = firms.filter(firms.province_code == province).select(firm=firms.firm_id)
    rows = int(eng.scalar(links.count()))
    t0 = _start()
    run = threshold_cascade(
        eng, links, seeds, THRESHOLD, firms=firms.select("firm_id"), prepared=True
    )
    sec = time.perf_counter() - t0
    return {
        "rows": rows,
        "seconds": sec,
        "rounds": run.rounds,
        "materialised": run.materialised,
        "province": province,
        "check": {"locked": int(down.sum()), "failed": run.n_failed},
    }


def child_generate(impl: str, d: Path, args: argparse.Namespace) -> dict[str, Any]:
    from jiqun.demo.scale import ScaleModel, write_parquet

    t0 = _start()
    model = ScaleModel(seed=args.seed, n_firms=args.firms, n_links=args.links)
    years = (2023 - args.years + 1, 2023)
    paths = write_parquet(model, d, years=years)
    sec = time.perf_counter() - t0
    import pyarrow.parquet as pq

    meta = {
        "firms": args.firms,
        "links_asked": args.links,
        "seed": args.seed,
        "years": list(years),
        "rows": {k: pq.ParquetFile(p).metadata.num_rows for k, p in paths.items()},
        "bytes": {k: p.stat().st_size for k, p in paths.items()},
        "hightech_codes": model.industry_code[model.industry_hightech].astype(str).tolist(),
    }
    (d / "meta.json").write_text(json.dumps(meta))
    return {
        "rows": meta["rows"]["links"],
        "seconds": sec,
        "files": meta["rows"],
        "bytes": meta["bytes"],
    }


PRELOAD = {
    "pandas": ["numpy", "pandas", "pyarrow.parquet", "pyarrow.dataset"],
    "duckdb": ["numpy", "duckdb", "pandas", "pyarrow.parquet", "jiqun.engine.aggregates"],
    "spark": ["numpy", "pyspark.sql", "pandas", "pyarrow.parquet", "jiqun.engine.aggregates"],
    "numpy": ["numpy", "scipy.sparse", "pyarrow.parquet", "pyarrow.dataset", "jiqun.demo.scale"],
    "scipy": ["numpy", "scipy.sparse", "pyarrow.parquet", "pyarrow.dataset"],
}

CHILDREN = {
    "aggregate": child_aggregate,
    "eligibility": child_eligibility,
    "link_build": child_link_build,
    "propagation_step": child_propagation_step,
    "cascade": child_cascade,
}


# ---------------------------------------------------------------------------------------------
# parent
# ---------------------------------------------------------------------------------------------


def run_child(stage: str, impl: str, d: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run one stage in a fresh interpreter; its result plus the child's own peak RSS."""
    cmd = [sys.executable, __file__, "--child", stage, "--impl", impl, "--dir", str(d)]
    cmd += ["--firms", str(args.firms), "--links", str(args.links), "--seed", str(args.seed)]
    cmd += ["--years", str(args.years)]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait4 gives this child's rusage (RUSAGE_CHILDREN would keep the largest child so far)
    _pid, status, ru = os.wait4(p.pid, 0)
    out = p.stdout.read() if p.stdout else ""
    err = p.stderr.read() if p.stderr else ""
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{stage}/{impl} failed ({p.returncode}):\n{err[-3000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res["peak_mb"] = round(ru.ru_maxrss / 1024)
    res["wall_seconds"] = round(time.perf_counter() - t0, 2)
    return res


def spark_missing() -> str | None:
    """Why Spark local cannot run here, or None."""
    try:
        import pyspark  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return "pyspark is not installed (it comes with the engine's Spark extra)"
    if shutil.which("java") is None:
        return "java is not on PATH (apt-get install openjdk-17-jre-headless)"
    return None


def _close(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for k, v in a.items():
        w = b.get(k)
        if isinstance(v, float) and isinstance(w, float):
            if abs(v - w) > 1e-9 * max(abs(v), abs(w), 1.0):
                return False
        elif v != w:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, required=True)
    ap.add_argument("--links", type=int, required=True)
    ap.add_argument("--engine", choices=["duckdb", "spark-local"], default="duckdb")
    ap.add_argument("--years", type=int, default=1, help="firm-year years ending 2023")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--stages", default="aggregate,eligibility,link_build,propagation_step,cascade")
    ap.add_argument(
        "--impls",
        help="run only these implementations, comma-separated (numpy, duckdb, spark; default all; "
        "a peer runs with its stage's implementation), e.g. to repeat the SpMV step alone",
    )
    ap.add_argument("--out", type=Path, help="append the JSON lines to this file")
    ap.add_argument("--keep", action="store_true", help="keep the generated Parquet files")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--impl", help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        # imports happen before any timing; base_mb is the peak after them (the floor of peak_mb)
        for mod in PRELOAD.get(args.impl, []):
            importlib.import_module(mod)
        base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.child == "generate":
            res = child_generate(args.impl, args.dir, args)
        else:
            res = CHILDREN[args.child](args.impl, args.dir)
        # CPU seconds of the work (all threads): under a shared machine's load the wall time
        # stretches, the CPU time much less; the per-core throughput comes from it
        res["cpu_seconds"] = round(time.process_time() - _CPU0[0], 3)
        res["base_mb"] = round(base_mb)
        print(json.dumps(res))
        return 0

    engine = "duckdb" if args.engine == "duckdb" else "spark"
    d = WORK / f"scale-{args.firms}-{args.links}-{args.years}-{args.seed}"
    lines: list[dict[str, Any]] = []

    def emit(line: dict[str, Any]) -> None:
        base = {"stage": line.pop("stage"), "engine": line.pop("engine")}
        base.update({"firms": args.firms, "links_asked": args.links, "years": args.years})
        # the machine is shared: the 1-minute load average says how much the figures are worth
        base["load1"] = round(os.getloadavg()[0], 2)
        base.update(line)
        lines.append(base)
        print(json.dumps(base, ensure_ascii=False), flush=True)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            with args.out.open("a", encoding="utf-8") as f:
                f.write(json.dumps(base, ensure_ascii=False) + "\n")

    if not (d / "meta.json").exists():
        d.mkdir(parents=True, exist_ok=True)
        g = run_child("generate", "numpy", d, args)
        emit({"stage": "generate", "engine": "numpy", **_fmt(g)})
    missing = spark_missing() if engine == "spark" else None
    peers = {"aggregate": "pandas", "eligibility": "pandas", "link_build": "scipy"}
    peer_names = {
        "pandas": "pandas.read_parquet + groupby",
        "scipy": "scipy coo_matrix(...).tocsr() from the three columns",
    }
    for stage in args.stages.split(","):
        impls: list[str] = []
        if stage in ("aggregate", "eligibility"):
            impls = [engine]
        elif stage == "link_build":
            impls = ["numpy"]
        elif stage in ("propagation_step", "cascade"):
            impls = ["numpy", engine]
        if args.impls:
            impls = [i for i in impls if i in args.impls.split(",")]
        for impl in impls:
            if impl == "spark" and missing:
                emit({"stage": stage, "engine": "spark-local", "skipped": missing})
                continue
            res = _fmt(run_child(stage, "spark" if impl == "spark" else impl, d, args))
            name = "spark-local" if impl == "spark" else impl
            line: dict[str, Any] = {"stage": stage, "engine": name, **res}
            peer = peers.get(stage)
            if peer and impl in (engine, "numpy"):
                pr = run_child(stage, peer, d, args)
                line["pandas_seconds"] = round(pr["seconds"], 6)
                line["pandas_peak_mb"] = pr["peak_mb"]
                line["pandas_cpu_seconds"] = pr.get("cpu_seconds")
                line["peer"] = peer_names[peer]
                line["same_result"] = _close(res.get("check", {}), pr.get("check", {}))
                if not line["same_result"]:
                    line["peer_check"] = pr.get("check")
            emit(line)
    if not args.keep:
        shutil.rmtree(d, ignore_errors=True)
    return 0 if all(x.get("same_result", True) for x in lines) else 1


def _fmt(res: dict[str, Any]) -> dict[str, Any]:
    out = dict(res)
    out["seconds"] = round(out["seconds"], 6)
    for k in ("links_per_s", "links_per_s_best"):
        if k in out:
            out[k] = round(out[k])
    return out


if __name__ == "__main__":
    sys.exit(main())
