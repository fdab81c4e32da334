"""Benchmark: importing a large enterprises CSV with full validation, against a plain pandas load.

Usage::

    uv run python benchmarks/bench_import.py [--rows 10000 100000 1000000] [--keep]

For each row count it

1. generates (seeded) an enterprises CSV with the canonical Chinese headers into
   ``benchmarks/_work/`` (git-ignored): firms from ``jiqun.demo.generate_demo``
   (valid GB 32100 credit codes, real GB/T 2260 / GB/T 4754 codes), with realistic messiness in
   a small share of rows — 1% dates written ``2015年6月8日``, 1% full-width digits in
   从业人员, 1% amounts with thousands separators, 0.5% cells with stray spaces;
2. runs ``jiqun.services.imports.import_file(path, "enterprises", engine=...)`` into a fresh
   SQLite file **in a child process** (so the generator's memory does not count) and reports the
   wall time per stage — read (``read_table``), validate (``validate_table``), db checks
   (schema check + ``_db_checks``), write (everything after validation: split, inserts, commit)
   — and the child's peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``);
3. runs the peer side by side, also in a child: ``pandas.read_csv`` + ``DataFrame.to_sql`` of the
   same file into a fresh SQLite file, with no validation at all.

Prints a Markdown table. Targets (issue): 1,000,000 rows in at most 60 s and 2 GB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "_work"
HEADERS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "region_code": "所在地区代码",
    "industry_code": "行业代码",
    "founded": "成立日期",
    "employees": "从业人员",
    "revenue": "营业收入（万元）",
    "output": "工业总产值",
    "rd_expense": "研发费用",
    "tags": "企业标签",
    "business_scope": "经营范围",
}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


def generate_csv(rows: int, path: Path, seed: int = 20260101) -> dict[str, int]:
    """Write a ``rows``-row enterprises CSV to ``path``; return how many cells were made messy."""
    import numpy as np
    import pandas as pd

    from jiqun.demo import generate_demo

    ent = generate_demo(seed=seed, n_enterprises=max(rows, 1_000)).enterprises.iloc[:rows]
    df = pd.DataFrame({c: ent[c] for c in HEADERS})
    rng = np.random.default_rng(seed)
    n = len(df)
    founded = pd.to_datetime(df["founded"])
    df["founded"] = founded.dt.strftime("%Y-%m-%d").astype(object)
    df["employees"] = df["employees"].astype("int64").astype(str).astype(object)
    for c in ("revenue", "output", "rd_expense"):
        df[c] = df[c].map(lambda v: "" if v != v else f"{v:.2f}").astype(object)
    for c in ("uscc", "name", "region_code", "industry_code", "tags", "business_scope"):
        df[c] = df[c].astype(object).where(df[c].notna(), "")
    messy: dict[str, int] = {}

    def pick(share: float) -> np.ndarray:
        return np.flatnonzero(rng.random(n) < share)

    i = pick(0.01)  # 2015年6月8日
    df.loc[i, "founded"] = [
        f"{d.year}年{d.month}月{d.day}日" for d in founded.iloc[i].dt.date.tolist()
    ]
    messy["chinese_dates"] = len(i)
    i = pick(0.01)  # full-width digits
    df.loc[i, "employees"] = [s.translate(_FULLWIDTH) for s in df.loc[i, "employees"]]
    messy["fullwidth_digits"] = len(i)
    i = pick(0.01)  # thousands separators (only where they show: ≥ 1,000)
    rev = pd.to_numeric(df.loc[i, "revenue"], errors="coerce")
    i = i[(rev >= 1000).to_numpy()]
    df.loc[i, "revenue"] = [f"{float(v):,.2f}" for v in df.loc[i, "revenue"]]
    messy["thousands_separators"] = len(i)
    i = pick(0.005)  # stray spaces around a name
    df.loc[i, "name"] = [f" {s}\u3000" for s in df.loc[i, "name"]]
    messy["stray_spaces"] = len(i)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.rename(columns=HEADERS).to_csv(path, index=False, encoding="utf-8")
    return messy


# ---------------------------------------------------------------------------------------------
# children (one process per measurement, so that ru_maxrss is that measurement's peak)
# ---------------------------------------------------------------------------------------------


def _peak_mb() -> float:
    """Peak RSS of this process in MiB: ``ru_maxrss`` (KiB on Linux).

    ``ru_maxrss`` survives fork + exec, so a child starts with its parent's high-water mark: the
    parent therefore generates data in a child of its own and never imports pandas. ``VmHWM``
    (the high-water mark of this address space only) is read as a cross-check.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hwm_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child_jiqun(csv: Path, db: Path) -> dict:
    from jiqun.services import imports
    from jiqun.store.db import make_engine, prepare

    engine = make_engine(f"sqlite:///{db}")
    t = time.perf_counter()
    prepare(engine)  # a fresh database: migrations and reference data (not part of the import)
    setup = time.perf_counter() - t
    stages = {"read": 0.0, "validate": 0.0, "db_checks": 0.0}

    def timed(stage: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                stages[stage] += time.perf_counter() - t0

        return wrapper

    imports.read_table = timed("read", imports.read_table)
    imports.validate_table = timed("validate", imports.validate_table)
    imports.prepare = timed("db_checks", imports.prepare)
    imports._db_checks = timed("db_checks", imports._db_checks)
    rss0 = _peak_mb()
    t = time.perf_counter()
    res = imports.import_file(csv, "enterprises", engine=engine)
    total = time.perf_counter() - t
    sev: dict[str, int] = {}
    for p in res.validation.problems:
        sev[p.severity] = sev.get(p.severity, 0) + 1
    return {
        "setup": setup,
        **stages,
        "write": total - sum(stages.values()),
        "total": total,
        "peak_mb": _peak_mb(),
        "vm_hwm_mb": _hwm_mb(),
        "peak_mb_before_import": rss0,
        "status": res.status,
        "inserted": res.inserted,
        "problems": sev,
    }


def child_pandas(csv: Path, db: Path) -> dict:
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db}")
    t = time.perf_counter()
    df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
    t_read = time.perf_counter() - t
    t1 = time.perf_counter()
    df.to_sql("enterprises", engine, index=False, chunksize=20_000)
    t_write = time.perf_counter() - t1
    return {
        "read": t_read,
        "write": t_write,
        "total": time.perf_counter() - t,
        "peak_mb": _peak_mb(),
        "vm_hwm_mb": _hwm_mb(),
        "rows": len(df),
    }


def child_generate(rows: str, csv: Path) -> dict:
    t = time.perf_counter()
    messy = generate_csv(int(rows), csv)
    return {"seconds": time.perf_counter() - t, "messy": messy}


def run_child(which: str, a: str | Path, b: str | Path) -> dict:
    if which != "generate":
        for p in (Path(b), Path(f"{b}-wal"), Path(f"{b}-shm")):
            p.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, str(a), str(b)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--keep", action="store_true", help="keep the generated CSV and databases")
    ap.add_argument("--child", nargs=3, metavar=("WHICH", "CSV", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        which, a, b = args.child
        if which == "generate":
            print(json.dumps(child_generate(a, Path(b))))
        else:
            fn = child_jiqun if which == "jiqun" else child_pandas
            print(json.dumps(fn(Path(a), Path(b))))
        return

    print(
        f"# {platform.platform()} · {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}) · "
        f"Python {platform.python_version()}"
    )
    results = []
    for rows in args.rows:
        WORK.mkdir(parents=True, exist_ok=True)
        csv = WORK / f"enterprises_{rows}.csv"
        g = run_child("generate", rows, csv)
        mb = csv.stat().st_size / 1e6
        print(f"generated {rows:,} rows ({mb:.0f} MB) in {g['seconds']:.1f} s; messy: {g['messy']}")
        j = run_child("jiqun", csv, WORK / f"jiqun_{rows}.sqlite")
        print(f"  jiqun : {json.dumps(j)}")
        p = run_child("pandas", csv, WORK / f"pandas_{rows}.sqlite")
        print(f"  pandas: {json.dumps(p)}")
        results.append((rows, mb, j, p))
        if not args.keep:
            for f in WORK.glob(f"*_{rows}.*"):
                f.unlink()
    if not args.keep and WORK.exists() and not any(WORK.iterdir()):
        shutil.rmtree(WORK)

    print()
    print(
        "| rows | CSV MB | read s | validate s | db checks s | write s | **total s** | "
        "peak RSS MB (VmHWM) | problems (normalised / warning / error) | "
        "pandas read_csv + to_sql s | pandas peak RSS MB (VmHWM) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for rows, mb, j, p in results:
        pr = j["problems"]
        print(
            f"| {rows:,} | {mb:.0f} | {j['read']:.1f} | {j['validate']:.1f} | "
            f"{j['db_checks']:.2f} | {j['write']:.1f} | **{j['total']:.1f}** | "
            f"{j['peak_mb']:.0f} ({j['vm_hwm_mb']:.0f}) | {pr.get('normalised', 0):,} / {pr.get('warning', 0):,} / "
            f"{pr.get('error', 0):,} | {p['total']:.1f} | {p['peak_mb']:.0f} ({p['vm_hwm_mb']:.0f}) |"
        )
    rows, _mb, j, _p = results[-1]
    if rows == 1_000_000:
        ok_t, ok_m = j["total"] <= 60, j["peak_mb"] <= 2048
        print(
            f"\n1,000,000 rows: {j['total']:.1f} s ({'≤' if ok_t else '>'} 60 s), "
            f"peak {j['peak_mb']:.0f} MB ({'≤' if ok_m else '>'} 2048 MB): "
            f"{'PASS' if ok_t and ok_m else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
