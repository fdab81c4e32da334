"""Published region statistics and the location quotient, as tables for the REST API.

Region statistics (``region_stats``: region × industry × year × measure, as published in
statistical yearbooks or imported by an administrator) are published aggregates: anyone may read
them, so nothing here consults :mod:`jiqun.services.access`. Enterprise-level records never enter
these tables.

:func:`location_quotients` follows the convention of :mod:`jiqun.services.diagnosis`: the
reference universe is every prefecture-level unit of the country (county rows are added to their
prefecture, province rows are ignored so nothing is counted twice); at ``region_level="province"``
the prefecture units are summed to their province. LQ formula and peers: docs/METHODS.md §1,
:func:`jiqun.analytics.rca.location_quotient`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from jiqun import reference
from jiqun.analytics.rca import location_quotient
from jiqun.services import registry
from jiqun.services.choices import require_choice
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH, prefecture_of
from jiqun.services.predicates import INDUSTRY_ROWS
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import MEASURES
from jiqun.store.db import get_engine

REGION_STATS_SORT = ("region_code", "industry_code", "year", "measure", "value")
REGION_LEVELS = ("province", "prefecture", "county")


@dataclass
class StatsTable:
    """A table with its total row count (before paging), basis and notes."""

    table: pd.DataFrame
    total: int
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _check_measure(measure: str | None) -> None:
    if measure is not None:
        require_choice(measure, MEASURES, "未知口径", "unknown measure")


def _names(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``region_name`` and ``industry_name`` after the code columns."""
    rname = reference.region_display_names(reference.regions()["code"])
    inds = reference.industries().drop_duplicates("code").set_index("code")["name"]
    out = df.copy()
    out.insert(
        out.columns.get_loc("region_code") + 1,
        "region_name",
        out["region_code"].map(rname),
    )
    out.insert(
        out.columns.get_loc("industry_code") + 1,
        "industry_name",
        out["industry_code"].map(inds),
    )
    return out


def region_stats(
    engine: Engine | None = None,
    *,
    year: int | None = None,
    measure: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    level: str | None = None,
    sort: str = "region_code",
    limit: int | None = 100,
    offset: int = 0,
) -> StatsTable:
    """Stored region statistics, filtered, sorted and paged in the database.

    Parameters
    ----------
    engine: database (default: the configured one).
    year: keep one year.
    measure: keep one measure (:data:`jiqun.standard.schema.MEASURES`).
    region: a GB/T 2260 code; keeps the unit and every unit below it (320000 → 32xxxx).
    industry: a GB/T 4754 code prefix (``39`` keeps the division and its classes).
    level: keep only ``province``, ``prefecture`` or ``county`` rows.
    sort: a column of :data:`REGION_STATS_SORT`, ``-`` prefix for descending.
    limit, offset: page (``limit=None``: every row).

    Returns
    -------
    StatsTable
        Columns region_code, region_name, industry_code, industry_name, year, measure, value,
        unit, source, synthetic.

    Example
    -------
    >>> region_stats(region="320200", measure="output", limit=5).table  # doctest: +SKIP
    """
    _check_measure(measure)
    if level is not None and level not in REGION_LEVELS:
        raise JiqunError(
            f"未知地区层级 {level!r}，可选：province, prefecture, county",
            f"unknown region level {level!r}; choose province, prefecture or county",
        )
    key = sort.lstrip("-")
    require_choice(key, REGION_STATS_SORT, "无法用作排序的列", "cannot sort by")
    engine = engine or get_engine()
    where = ["1=1"]
    params: dict[str, Any] = {}
    if year is not None:
        where.append("s.year = :y")
        params["y"] = year
    if measure:
        where.append("s.measure = :m")
        params["m"] = measure
    if region:
        where.append("s.region_code LIKE :rp")
        params["rp"] = reference.region_prefix(region) + "%"
    if industry:
        where.append("s.industry_code LIKE :ip")
        params["ip"] = industry.strip() + "%"
    if level:
        where.append("s.region_code IN (SELECT r.code FROM regions r WHERE r.level = :lv)")
        params["lv"] = level
    w = " AND ".join(where)
    direction = "DESC" if sort.startswith("-") else "ASC"
    order = (
        f"s.{key} {direction}, s.region_code, s.industry_code, s.year, s.measure"
        if key != "region_code"
        else f"s.region_code {direction}, s.industry_code, s.year, s.measure"
    )
    page = ""
    if limit is not None:
        page = " LIMIT :lim OFFSET :off"
        params.update(lim=limit, off=offset)
    with engine.connect() as c:
        total = int(
            c.execute(text(f"SELECT COUNT(*) FROM region_stats s WHERE {w}"), params).scalar() or 0
        )
        df = pd.read_sql(
            text(
                "SELECT s.region_code, s.industry_code, s.year, s.measure, s.value, s.unit, "
                f"s.source, s.synthetic FROM region_stats s WHERE {w} ORDER BY {order}{page}"
            ),
            c,
            params=params,
        )
    df["synthetic"] = df["synthetic"].astype(bool)
    df["year"] = df["year"].astype("Int64")
    df["value"] = df["value"].astype(float)
    synthetic = bool(df["synthetic"].any())
    basis = {
        "source": "region_stats (published statistics / 公开统计数据)",
        "year": year,
        "measure": measure,
        "unit": MEASURES[measure][2] if measure else "see column unit",
        "value_or_count": "as stored per measure",
        "synthetic": synthetic,
    }
    notes = [f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}"] if synthetic else []
    return StatsTable(_names(df), total, basis, notes)


def location_quotients(
    engine: Engine | None = None,
    *,
    year: int | None = None,
    measure: str = "employment",
    industry_level: int = 4,
    region_level: str = "prefecture",
    region: str | None = None,
    industry: str | None = None,
    min_lq: float | None = None,
) -> StatsTable:
    """Location quotients of every region × industry cell of one year and measure.

    Parameters
    ----------
    engine: database (default: the configured one).
    year: statistics year (default: the latest with data for ``measure``).
    measure: the measure (default ``employment``).
    industry_level: 2 (division, 大类) or 4 (class, 小类) digits of GB/T 4754-2017.
    region_level: ``prefecture`` (default) or ``province``.
    region, industry: filter the *output* by region code (with the units below it) and industry
        code prefix; the reference universe is always the whole country.
    min_lq: keep cells with LQ ≥ this value.

    Returns
    -------
    StatsTable
        Columns region_code, region_name, industry_code, industry_name, value, lq (non-zero cells
        only), ``basis`` with year, measure, unit, region level, code level and ``synthetic``.

    References
    ----------
    Balassa (1965); docs/METHODS.md §1; :func:`jiqun.analytics.rca.location_quotient`.
    """
    _check_measure(measure)
    if industry_level not in (2, 4):
        raise JiqunError("行业层级只能是 2 或 4", "industry_level must be 2 or 4")
    if region_level not in ("prefecture", "province"):
        raise JiqunError(
            "地区层级只能是 prefecture 或 province",
            "region_level must be prefecture or province",
        )
    engine = engine or get_engine()
    with engine.connect() as c:
        years = [
            int(y)
            for y in c.execute(
                text("SELECT DISTINCT year FROM region_stats WHERE measure = :m ORDER BY year"),
                {"m": measure},
            ).scalars()
        ]
        if not years:
            raise JiqunError(
                f"没有口径为 {measure!r} 的地区统计",
                f"no region statistics with measure {measure!r} are stored",
            )
        if year is None:
            year = years[-1]
        if year not in years:
            raise JiqunError(
                f"{year} 年没有口径为 {measure!r} 的数据；已有年份：{', '.join(map(str, years))}",
                f"no {measure!r} data for {year}; stored years: {', '.join(map(str, years))}",
            )
        stats = pd.read_sql(
            text(
                "SELECT region_code, industry_code, value, synthetic FROM region_stats "
                f"WHERE year = :y AND measure = :m AND {INDUSTRY_ROWS}"
            ),
            c,
            params={"y": year, "m": measure},
        )
        regions = registry.region_rows(c)
    regions = regions.drop_duplicates("code")
    lvl = regions.set_index("code")["level"]
    pref = prefecture_of(regions)
    stats = stats[stats["region_code"].map(lvl) != "province"]
    stats = stats.assign(
        unit_code=stats["region_code"].map(pref),
        industry=stats["industry_code"].astype(str).str[:industry_level],
    ).dropna(subset=["unit_code"])
    if region_level == "province":
        stats["unit_code"] = stats["unit_code"].str[:2] + "0000"
    synthetic = bool(stats["synthetic"].astype(bool).any()) if len(stats) else False
    notes: list[str] = []
    if stats.empty:
        table = pd.DataFrame(
            columns=["region_code", "industry_code", "value", "lq"],
        ).astype({"value": float, "lq": float})
    else:
        X = stats.pivot_table(
            index="unit_code", columns="industry", values="value", aggfunc="sum", fill_value=0.0
        ).astype(float)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lq = location_quotient(X)
        notes += [str(w.message) for w in caught]
        table = (
            pd.DataFrame(
                {"value": X.stack(), "lq": lq.stack()},
            )
            .reset_index()
            .rename(columns={"unit_code": "region_code", "industry": "industry_code"})
        )
        table.columns = ["region_code", "industry_code", "value", "lq"]
        table = table[table["value"] != 0]
    if region:
        table = table[table["region_code"].str.startswith(reference.region_prefix(region))]
    if industry:
        table = table[table["industry_code"].str.startswith(industry.strip())]
    if min_lq is not None:
        table = table[table["lq"] >= min_lq]
    table = _names(table.reset_index(drop=True))
    if synthetic:
        notes.insert(0, f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    zh, en, unit = MEASURES[measure]
    basis = {
        "metric": "location quotient 区位商 LQ = (x_ri / x_r) / (x_i / x)",
        "year": year,
        "measure": f"{measure} ({zh} / {en})",
        "unit": unit,
        "region_level": region_level,
        "reference": "all prefecture-level units of the country (全国地级单位)",
        "industry_level": "division (2-digit)" if industry_level == 2 else "class (4-digit)",
        "value_or_count": "count"
        if measure in ("employment", "firms", "establishments")
        else "value",
        "synthetic": synthetic,
    }
    return StatsTable(table, len(table), basis, notes)
