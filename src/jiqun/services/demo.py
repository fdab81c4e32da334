"""Build the demo database: real reference data plus a seeded synthetic dataset, clearly marked.

``jiqun demo`` calls :func:`build_demo`. The real national clusters, regions and industries come
from the shipped reference data; enterprises, statistics, members, carriers and supply links are
synthetic (see :mod:`jiqun.demo`) and carry ``synthetic = True``, which every output
shows. Rebuilding replaces earlier synthetic rows and never touches user-imported records.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, insert, text, update

from jiqun.store import bulk
from jiqun.store.db import get_engine, prepare
from jiqun.store.models import (
    Base,
    ClusterMember,
    Enterprise,
    ImportRun,
    InnovationCarrier,
    MatchCapability,
    MatchNeed,
    Meta,
    RegionStat,
    SupplyLink,
    table_of,
)

Progress = Callable[[str, float], None]

#: demo DataFrame attribute -> ORM table, in the order they are written
_TABLES = (
    ("enterprises", Enterprise),
    ("region_stats", RegionStat),
    ("cluster_members", ClusterMember),
    ("innovation_carriers", InnovationCarrier),
    ("supply_links", SupplyLink),
)


@dataclass
class DemoSummary:
    seed: int
    counts: dict[str, int]
    seconds: float
    database: str


def _as_text_list(v: object) -> object:
    if isinstance(v, list | tuple):
        return ";".join(map(str, v)) if v else None
    return v


def _frame_for(table: type[Base], df: pd.DataFrame, import_id: int) -> pd.DataFrame:
    cols = [c.name for c in table_of(table).columns if c.name != "id" or "id" in df.columns]
    out = pd.DataFrame(index=df.index)
    for c in cols:
        if c == "import_id":
            out[c] = import_id
        elif c == "synthetic":
            out[c] = True
        elif c in df.columns:
            out[c] = df[c]
    if "tags" in out:
        out["tags"] = out["tags"].map(_as_text_list)
    return out.reset_index(drop=True)


def build_demo(
    engine: Engine | None = None,
    seed: int = 2026,
    n_enterprises: int = 200_000,
    progress: Progress | None = None,
    release: bool = False,
) -> DemoSummary:
    """Create or refresh the demo database.

    Parameters
    ----------
    engine: target database (default: the configured one).
    seed: random seed; the same seed gives the same database.
    n_enterprises: number of synthetic enterprises (default 200,000).
    progress: optional callback ``(stage, fraction 0..1)``.
    release: also build the protected publication release
        (:func:`jiqun.services.release.build_release`); ``jiqun demo`` does. Off by default
        because protecting the whole cube is the expensive part (see benchmarks/README.md).

    Returns
    -------
    :class:`DemoSummary` with the row counts written.
    """
    from jiqun.demo import generate_demo

    t0 = dt.datetime.now()
    report = progress or (lambda _s, _f: None)
    engine = engine or get_engine()
    report("准备数据库 preparing database", 0.0)
    prepare(engine)

    def gen_progress(stage: str, frac: float) -> None:
        report(stage, 0.05 + 0.45 * frac)

    data = generate_demo(seed=seed, n_enterprises=n_enterprises, progress=gen_progress)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for _name, table in _TABLES:
            conn.execute(delete(table).where(table.synthetic.is_(True)))
        run = conn.execute(
            insert(ImportRun).returning(ImportRun.id),
            {
                "kind": "demo",
                "source_file": f"jiqun demo --seed {seed}",
                "mode": "demo",
                "status": "committed",
                "synthetic": True,
                "started_at": t0,
                "rows_read": 0,
                "rows_written": 0,
                "rows_rejected": 0,
            },
        )
        import_id = int(run.scalar_one())
        total = sum(len(getattr(data, n)) for n, _ in _TABLES) or 1
        done = 0
        for name, table in _TABLES:
            df = _frame_for(table, getattr(data, name), import_id)
            report(f"写入 writing {name}", 0.5 + 0.5 * done / total)
            counts[name] = bulk.insert(conn, table_of(table), df)
            done += len(df)
        # the matching board: open needs and capabilities of demo firms (synthetic postings)
        import numpy as np

        from jiqun.demo.board import make_board

        for posting in (MatchNeed, MatchCapability):
            conn.execute(delete(posting).where(posting.synthetic.is_(True)))
        needs, caps = make_board(
            np.random.Generator(np.random.PCG64(seed)),
            data.enterprises,
            data.supply_links,
            int(data.meta["years"][1]),
        )
        counts["match_needs"] = bulk.insert(conn, table_of(MatchNeed), needs)
        counts["match_capabilities"] = bulk.insert(conn, table_of(MatchCapability), caps)
        meta = {
            "demo.seed": str(seed),
            "demo.built_at": dt.datetime.now().isoformat(timespec="seconds"),
            "demo.counts": json.dumps(counts),
            "demo.note": "模拟数据，仅供演示 / synthetic demo data, not real statistics",
        }
        conn.execute(delete(Meta).where(Meta.key.like("demo.%")))
        conn.execute(insert(Meta), [{"key": k, "value": v} for k, v in meta.items()])
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == import_id)
            .values(
                rows_read=sum(counts[n] for n, _ in _TABLES),
                rows_written=sum(counts[n] for n, _ in _TABLES),
                finished_at=dt.datetime.now(),
            )
        )
    from jiqun.services.digital import generate_demo_assessments
    from jiqun.services.policy import load_demo_policies

    report("数字化评测与政策 assessments and policies", 0.97)
    counts["digital_assessments"] = generate_demo_assessments(engine, seed)
    counts["policies"] = len(load_demo_policies(engine))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    if release:
        from jiqun.services.release import build_release

        report("公开数据版本 protected release", 0.98)
        counts["release_cells"] = int(
            sum(m["cells"] for m in build_release(engine)["stats"]["measures"].values())
        )
    from jiqun.services.lake import queue_sync
    from jiqun.services.refresh import queue_refresh

    # a lake built from earlier data follows (before the refresh, which then reads it);
    # dashboards, evaluation and the release's readers are computed once, in the background
    queue_sync(engine, created_by="demo")
    counts["refresh_job"] = queue_refresh(engine, created_by="demo")
    report("完成 done", 1.0)
    seconds = (dt.datetime.now() - t0).total_seconds()
    return DemoSummary(
        seed=seed,
        counts=counts,
        seconds=seconds,
        database=engine.url.render_as_string(hide_password=True),
    )
