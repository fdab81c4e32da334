"""The protected publication release (公开数据版本): built once per data version, read by every
public number.

:func:`build_release` aggregates the enterprise registry once into its finest cells (county ×
class: sums, contributor counts, largest values; :func:`finest_cells`, on the analytical engine
when the lake is current, else from the store's firm rows), builds the linked hierarchical cube
from them (region × industry × measure, :func:`jiqun.analytics.release.cube_from_cells`), protects it as a
whole (:func:`jiqun.analytics.release.protect_release`: primary rule, secondary suppression,
exact LP audit at the 15% protection level) and stores every cell with its suppression flag in
``release_cells`` under one ``releases`` row, in one transaction: a failed build leaves the
previous release in place. :func:`current_release` is the newest complete release and
:func:`release_cells` its cells; :mod:`jiqun.services.published` answers every public table
from them, so tables can no longer be differenced against each other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from jiqun.analytics.release import (
    PROTECTION,
    SUM_SCALE,
    cube_from_cells,
    firm_cells,
    protect_release,
)
from jiqun.services import predicates
from jiqun.services.cache import cached, data_version
from jiqun.store import bulk
from jiqun.store.db import get_engine
from jiqun.store.models import Enterprise, Release, ReleaseCell, table_of

__all__ = [
    "FULL_INDUSTRY_LEVELS",
    "FULL_REGION_LEVELS",
    "INDUSTRY_LEVELS",
    "MEASURE_COLUMNS",
    "REGION_LEVELS",
    "build_release",
    "current_release",
    "finest_cells",
    "release_cells",
]

#: measures of the release besides the firm count (万元, 万元, 人)
MEASURE_COLUMNS = ("revenue", "output", "employees")
#: the published depth (statistical agencies publish less industry detail for smaller areas):
#: 全国, provinces and prefectures × all industries, sections (门类) and divisions (大类). Deeper
#: cells (counties, groups, classes) are mostly one or two firms — 61–77% of them primary on the
#: demo — and protecting them as one linked table costs hours, for almost nothing publishable.
REGION_LEVELS = (0, 1, 2)
INDUSTRY_LEVELS = (0, 1, 2)
#: every level of both hierarchies (small registries; tests)
FULL_REGION_LEVELS = (0, 1, 2, 3)
FULL_INDUSTRY_LEVELS = (0, 1, 2, 3, 4)
Progress = Callable[[str, float], None]


def _version_text(engine: Engine) -> str:
    return json.dumps([str(x) for x in data_version(engine)])


def finest_cells(engine: Engine) -> tuple[pd.DataFrame, bool, str]:
    """The release's finest cells: the domestic enterprises per (region code, industry code).

    On the analytical engine when the lake copies the present store data
    (:func:`jiqun.services.lake.reading`; one ``GROUP BY`` there,
    :func:`jiqun.engine.aggregates.domestic_firm_cells`: only the cells reach Python), else from
    the store's firm rows (:func:`jiqun.analytics.release.firm_cells`). Either way the cube is
    built from these cells by :func:`jiqun.analytics.release.cube_from_cells`.

    Parameters
    ----------
    engine:
        The store.

    Returns
    -------
    (cells, synthetic, computed_in): the cells (``region_code``, ``industry_code``, ``n_firms``
    and per measure of :data:`MEASURE_COLUMNS` ``m_sum``, ``m_n``, ``m_max``, ``m_min``),
    whether any of the firms is synthetic, and where the cells were computed (the engine's kind,
    e.g. ``duckdb``, or the store's dialect, e.g. ``sqlite``).

    Example
    -------
    >>> finest_cells(engine)[2]  # doctest: +SKIP
    'sqlite'
    """
    from jiqun.services import lake

    with lake.reading(engine) as eng:
        if eng is not None:
            from jiqun.engine.aggregates import domestic_firm_cells

            cells = domestic_firm_cells(eng, MEASURE_COLUMNS, scale=SUM_SCALE)
            synthetic = bool(len(cells)) and bool(cells["synthetic_max"].fillna(0).max() > 0)
            return cells, synthetic, eng.kind
    e = table_of(Enterprise).c
    with engine.connect() as c:
        firms = pd.read_sql(
            select(
                e.region_code, e.industry_code, e.revenue, e.output, e.employees, e.synthetic
            ).where(predicates.domestic(firms=table_of(Enterprise))),
            c,
        )
    synthetic = bool(len(firms)) and bool(firms["synthetic"].astype(bool).any())
    return firm_cells(firms, MEASURE_COLUMNS), synthetic, engine.dialect.name


def build_release(
    engine: Engine | None = None,
    progress: Progress | None = None,
    region_levels: tuple[int, ...] = REGION_LEVELS,
    industry_levels: tuple[int, ...] = INDUSTRY_LEVELS,
) -> dict[str, Any]:
    """Build, protect and store the release of the current data version.

    Rule: cells, primary rule, protection level and method of :mod:`jiqun.analytics.release`
    (fewer than 3 firms or one firm above 85% → primary; secondary suppression until every
    suppressed cell's attacker interval from all published cells reaches 15% below and above).

    Parameters
    ----------
    engine:
        Database (default: the configured one).
    progress:
        Optional callback ``(stage, fraction 0..1)``.
    region_levels, industry_levels:
        The published depth: levels of the region hierarchy (0 全国, 1 province, 2 prefecture,
        3 county) and of the industry hierarchy (0 all, 1 section, 2 division, 3 group, 4 class)
        in the cube (default :data:`REGION_LEVELS` × :data:`INDUSTRY_LEVELS`). Tables at other
        levels are "not published" (:func:`jiqun.services.published.published_table`).

    Returns
    -------
    dict: ``id``, ``data_version``, ``built_at``, ``status`` and ``stats`` (per measure:
    cells, primary, secondary, suppressed value share, LP solves, unsafe cells, seconds).

    References
    ----------
    Hundepool et al. (2012) *Statistical Disclosure Control*, ch. 4; de Wolf (2002) HiTaS.

    Example
    -------
    >>> build_release(engine)["status"]  # doctest: +SKIP
    'complete'
    """
    engine = engine or get_engine()
    report = progress or (lambda _s, _f: None)
    version = _version_text(engine)
    report("读取企业 reading enterprises", 0.0)
    cells, synthetic, computed_in = finest_cells(engine)
    n_firms = int(cells["n_firms"].sum()) if len(cells) else 0
    report("汇总 building the cube", 0.1)
    if n_firms:
        cube = cube_from_cells(cells, MEASURE_COLUMNS, region_levels, industry_levels)
        report("保护 protecting (primary, secondary, LP audit)", 0.2)
        prot = protect_release(cube)
        cells, stats = prot.cells, prot.stats
    else:
        cells, stats = pd.DataFrame(), {"measures": {}, "seconds": 0.0}
    stats["protection"] = PROTECTION
    stats["region_levels"] = sorted(region_levels)
    stats["industry_levels"] = sorted(industry_levels)
    stats["firms"] = n_firms
    stats["computed_in"] = computed_in
    unsafe = sum(int(s.get("unsafe", 0)) for s in stats["measures"].values())
    stats["unsafe"] = unsafe
    report("写入 writing cells", 0.9)
    built = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rt, ct = table_of(Release), table_of(ReleaseCell)
    with engine.begin() as conn:
        rid = int(
            conn.execute(
                insert(rt).returning(rt.c.id),
                {
                    "data_version": version,
                    "built_at": built,
                    "status": "building",
                    "stats": json.dumps(stats),
                },
            ).scalar_one()
        )
        if len(cells):
            out = pd.DataFrame(
                {
                    "release_id": rid,
                    "measure": cells["measure"].astype(str),
                    "region_code": cells["region_code"].astype(str),
                    "industry_code": cells["industry_code"].astype(str),
                    "region_level": cells["region_level"].astype(int),
                    "industry_level": cells["industry_level"].astype(int),
                    "value": cells["value"].astype(float),
                    "n": cells["n"].astype(int),
                    "n_firms": cells["n_firms"].astype(int),
                    "suppressed": cells["suppressed"].astype(bool),
                    "suppression": cells["suppression"].astype(object),
                    "synthetic": synthetic,
                }
            )
            bulk.insert(conn, ct, out)
        # a release with unsafe cells is never served: it stays "unsafe" and the previous
        # complete release remains current
        status = "complete" if unsafe == 0 else "unsafe"
        conn.execute(update(rt).where(rt.c.id == rid).values(status=status))
        if status == "complete":
            old = select(rt.c.id).where(rt.c.id != rid).scalar_subquery()
            conn.execute(delete(ct).where(ct.c.release_id.in_(old)))
            conn.execute(delete(rt).where(rt.c.id != rid))
    report("完成 done", 1.0)
    return {
        "id": rid,
        "data_version": version,
        "built_at": built.isoformat(timespec="seconds"),
        "status": status,
        "stats": stats,
    }


def current_release(engine: Engine | None = None) -> dict[str, Any] | None:
    """The newest complete release (``None`` when none was built yet).

    Returns
    -------
    dict with ``id``, ``data_version``, ``built_at``, ``status``, ``stats`` and ``current``
    (whether it was built from the database's present data version).

    Example
    -------
    >>> current_release(engine)  # doctest: +SKIP
    {'id': 1, 'status': 'complete', 'current': True, ...}
    """
    engine = engine or get_engine()
    rt = table_of(Release)
    with engine.connect() as c:
        newest = select(func.max(rt.c.id)).where(rt.c.status == "complete").scalar_subquery()
        row = c.execute(select(rt).where(rt.c.id == newest)).mappings().first()
    if row is None:
        return None
    return {
        "id": int(row["id"]),
        "data_version": row["data_version"],
        "built_at": row["built_at"].isoformat(timespec="seconds")
        if isinstance(row["built_at"], dt.datetime)
        else str(row["built_at"]),
        "status": row["status"],
        "stats": json.loads(row["stats"]) if row["stats"] else {},
        "current": row["data_version"] == _version_text(engine),
    }


def release_cells(engine: Engine, release_id: int, measure: str) -> pd.DataFrame:
    """All cells of one measure of a release (cached per release; callers must not mutate).

    Returns
    -------
    pandas.DataFrame with ``region_code``, ``industry_code``, ``region_level``,
    ``industry_level``, ``value``, ``n``, ``n_firms``, ``suppressed``, ``suppression``,
    ``synthetic``, indexed by (``region_code``, ``industry_code``).
    """

    def load() -> pd.DataFrame:
        ct = table_of(ReleaseCell).c
        q = select(
            ct.region_code,
            ct.industry_code,
            ct.region_level,
            ct.industry_level,
            ct.value,
            ct.n,
            ct.n_firms,
            ct.suppressed,
            ct.suppression,
            ct.synthetic,
        ).where(ct.release_id == release_id, ct.measure == measure)
        with engine.connect() as c:
            df = pd.read_sql(q, c)
        df["suppressed"] = df["suppressed"].astype(bool)
        df["synthetic"] = df["synthetic"].astype(bool)
        df["value"] = df["value"].astype(float)
        return df.set_index(["region_code", "industry_code"], drop=False).sort_index()

    return cached(engine, ("release-cells", release_id, measure), load)
