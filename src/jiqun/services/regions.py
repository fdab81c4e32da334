"""Region dashboards (地区看板): profile, cluster portfolio, "what to develop next", comparison.

The analytics follow the cluster diagnosis (:mod:`jiqun.services.diagnosis`): one year, one
measure, the matrix of **all prefecture-level units** × GB/T 4754-2017 classes (county records
added to their prefecture, province rows ignored), restricted to the traded economy
(manufacturing divisions 13–43). A province is the sum of its prefectures; a county is
analysed through its prefecture (stated in the notes).

- :func:`region_positioning` — density × PCI of every industry for one region, with the
  Metroverse-style classes of :data:`jiqun.analytics.diagnosis.POSITION_CLASSES`
  (Hidalgo & Hausmann 2009; docs/METHODS.md §3).
- :func:`compare_regions` — up to :data:`MAX_COMPARE` regions side by side: size, diversity,
  ECI, most specialised industries, clusters, and the pairwise structure similarity
  coefficient (UNIDO 1979; 产业结构相似系数).

Every result carries ``basis`` (year, measure, unit, region level, industry-code level, value
vs count, synthetic) and ``notes``. Heavy matrices are cached per database state (the latest
import id), so a dashboard is computed once per import.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from jiqun import reference
from jiqun.analytics.complexity import ComplexityResult, complexity
from jiqun.analytics.diagnosis import POSITION_CLASSES, positioning_of
from jiqun.analytics.rca import lq_from_totals
from jiqun.analytics.similarity import structure_similarity
from jiqun.basis import WithBasis
from jiqun.services.access import NotFound, region_prefix
from jiqun.services.choices import require_choice
from jiqun.services.diagnosis import prefecture_map, stats_matrix
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.services.predicates import INDUSTRY_ROWS
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import MEASURES
from jiqun.store.db import get_engine

MAX_COMPARE = 10
TRADED_DIVISIONS = tuple(f"{d:02d}" for d in range(13, 44))
REGION_MEASURES = ("employment", "output", "revenue", "firms")

T = TypeVar("T")

# Derived tables are cached per engine and data version (one cache for the whole platform).
from jiqun.services.cache import cached, data_version, materialised  # noqa: E402, F401

# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------


@dataclass
class _Base:
    """The national prefecture × class matrix of one year and measure, with its complexity."""

    year: int
    measure: str
    unit: str
    X: pd.DataFrame
    cx: ComplexityResult | None
    synthetic: bool
    notes: list[str]


def _regions(engine: Engine) -> pd.DataFrame:
    def read() -> pd.DataFrame:
        with engine.connect() as c:
            return pd.read_sql(
                text("SELECT code, name, level, parent_code, lon, lat FROM regions"), c
            ).drop_duplicates("code")

    # read by every region page and dashboard; the table changes only with an import
    return cached(engine, ("regions-table",), read, persist=False).copy()


def _years(engine: Engine, measure: str) -> list[int]:
    with engine.connect() as c:
        return [
            int(y)
            for y in c.execute(
                text("SELECT DISTINCT year FROM region_stats WHERE measure = :m ORDER BY year"),
                {"m": measure},
            ).scalars()
        ]


def _check_measure(measure: str) -> None:
    require_choice(measure, REGION_MEASURES, "不支持的口径", "unsupported measure")


def _base(engine: Engine, year: int | None, measure: str) -> _Base:
    _check_measure(measure)
    years = _years(engine, measure)
    if not years:
        raise JiqunError(
            f"数据库中没有口径为 {measure!r} 的地区统计（先运行 jiqun demo 或导入 region-stats）",
            f"no region statistics with measure {measure!r} are stored (run jiqun demo or import "
            "region-stats first)",
        )
    y = years[-1] if year is None else int(year)
    if y not in years:
        raise JiqunError(
            f"{y} 年没有口径为 {measure!r} 的数据；已有年份：{', '.join(map(str, years))}",
            f"no {measure!r} data for {y}; stored years: {', '.join(map(str, years))}",
        )

    def compute() -> _Base:
        regions = _regions(engine)
        pref, _ = prefecture_map(regions)
        with engine.connect() as c:
            stats = pd.read_sql(
                text(
                    "SELECT region_code, industry_code, value, unit, synthetic FROM region_stats "
                    f"WHERE year = :y AND measure = :m AND {INDUSTRY_ROWS}"
                ),
                c,
                params={"y": y, "m": measure},
            )
        X = stats_matrix(stats, pref, 4)
        X = X.loc[:, [c for c in X.columns if str(c)[:2] in TRADED_DIVISIONS]]
        X = X.loc[X.sum(axis=1) > 0]
        notes: list[str] = []
        cx = None
        if X.shape[0] >= 2 and X.shape[1] >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cx = complexity(X)
            notes.extend(n for n in cx.notes if "dropped all-zero" not in n)
        units = stats["unit"].dropna().unique().tolist()
        return _Base(
            year=y,
            measure=measure,
            unit=", ".join(units) or MEASURES[measure][2],
            X=X,
            cx=cx,
            synthetic=bool(stats["synthetic"].astype(bool).any()),
            notes=notes,
        )

    return cached(engine, ("region-base", y, measure), compute)


def _basis(b: _Base, region_level: str) -> dict[str, Any]:
    mzh, men, _ = MEASURES[b.measure]
    return {
        "year": b.year,
        "measure": b.measure,
        "measure_label": f"{mzh} / {men}",
        "unit": b.unit,
        "value_or_count": "count" if b.measure in ("employment", "firms") else "value",
        "region_level": region_level,
        "industry_code_level": "GB/T 4754-2017 class (4-digit) / 小类（4位）; manufacturing "
        "divisions 13–43",
        "synthetic": b.synthetic,
        "data_source": "region_stats (Jiqun store)",
    }


def _notes(b: _Base, extra: list[str] | None = None) -> list[str]:
    out = [f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}"] if b.synthetic else []
    return out + list(extra or []) + b.notes


# --------------------------------------------------------------------------------------------
# profile and portfolio
# --------------------------------------------------------------------------------------------


def _display(regions: pd.DataFrame) -> pd.Series:
    return reference.region_display_names(regions["code"])


@materialised("region-profile")
def region_profile(code: str, engine: Engine | None = None) -> dict[str, Any]:
    """Name, level, parents, coordinates, children and the prefecture-level unit analysed.

    Raises
    ------
    jiqun.services.access.NotFound
        For an unknown code.
    """
    engine = engine or get_engine()
    regions = _regions(engine)
    r = regions.set_index("code")
    code = (code or "").strip()
    if code not in r.index:
        raise NotFound(f"找不到行政区划代码 {code}", f"no region with code {code}")
    names = _display(regions)
    row = r.loc[code]
    path = []
    cur: str | None = code
    while cur and cur in r.index:
        path.append({"code": cur, "name": str(names.get(cur, cur))})
        p = r.loc[cur, "parent_code"]
        cur = p if isinstance(p, str) and p else None
    path.reverse()
    level = str(row["level"])
    units = _units_of(code, regions)
    children = regions[regions["parent_code"] == code].sort_values("code")
    lon, lat = row["lon"], row["lat"]
    return {
        "code": code,
        "name": str(names.get(code, row["name"])),
        "level": level,
        "path": path,
        "lon": None if pd.isna(lon) else float(lon),
        "lat": None if pd.isna(lat) else float(lat),
        "children": [
            {"code": str(c.code), "name": str(names.get(c.code, c.name)), "level": str(c.level)}
            for c in children.itertuples(index=False)
        ],
        "units": units,
    }


def _units_of(code: str, regions: pd.DataFrame) -> list[str]:
    """The prefecture-level units that represent ``code`` in the prefecture matrix."""
    r = regions.set_index("code")
    if code not in r.index:
        return []
    level = r.loc[code, "level"]
    if level == "province":
        return sorted(
            regions.loc[
                (regions["level"] == "prefecture") & (regions["parent_code"] == code), "code"
            ]
        )
    if level == "county":
        p = r.loc[code, "parent_code"]
        return [str(p)] if isinstance(p, str) else []
    return [code]


@materialised("region-portfolio")
def region_portfolio(code: str, engine: Engine | None = None) -> pd.DataFrame:
    """Clusters with a member region inside ``code``, or containing it (cluster portfolio).

    Columns: ``cluster_id, name, name_en, tier, field, batch_year, member_regions, relation``
    (``inside``: a member region lies in the region; ``contains``: the region lies in a member).
    """
    engine = engine or get_engine()
    regions = _regions(engine)
    names = _display(regions)
    r = regions.set_index("code")
    with engine.connect() as c:
        cl = pd.read_sql(
            text("SELECT cluster_id, name, name_en, tier, field, batch_year FROM clusters"), c
        )
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), c)
    pfx = region_prefix(code)
    ancestors = set()
    cur: str | None = code
    while cur and cur in r.index:
        ancestors.add(cur)
        p = r.loc[cur, "parent_code"]
        cur = p if isinstance(p, str) and p else None
    inside = cr[cr["region_code"].str.startswith(pfx)]
    contains = cr[cr["region_code"].isin(ancestors - {code})]
    rel = pd.concat(
        [inside.assign(relation="inside"), contains.assign(relation="contains")]
    ).drop_duplicates("cluster_id")
    out = cl.merge(rel[["cluster_id", "relation"]], on="cluster_id")
    members = cr.groupby("cluster_id")["region_code"].agg(list)
    out["member_regions"] = out["cluster_id"].map(
        lambda i: "、".join(str(names.get(m, m)) for m in members.get(i, []))
    )
    out["batch_year"] = out["batch_year"].astype("Int64")
    tier_order = {"world_class": 0, "national": 1, "provincial": 2, "sme_characteristic": 3}
    return (
        out.assign(_o=out["tier"].map(tier_order).fillna(9))
        .sort_values(["_o", "cluster_id"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


# --------------------------------------------------------------------------------------------
# what to develop next
# --------------------------------------------------------------------------------------------


@dataclass
class Positioning(WithBasis):
    """Density × PCI of every traded industry for one prefecture-level unit."""

    region: dict[str, Any]
    unit: str | None
    table: pd.DataFrame
    eci: float | None
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@materialised("region-positioning")
def region_positioning(
    code: str,
    engine: Engine | None = None,
    year: int | None = None,
    measure: str = "employment",
) -> Positioning:
    """ "What to develop next" (下一步发展产业) for a region: density × complexity of industries.

    Parameters
    ----------
    code:
        A GB/T 2260 code. A county is analysed through its prefecture; a province has no single
        position (the table is empty and a note lists its prefectures).
    engine:
        Database (default: the configured one).
    year, measure:
        Statistics year (default the latest) and measure (``employment`` default, ``output``,
        ``revenue``, ``firms``).

    Returns
    -------
    Positioning
        ``table``: ``industry_code, industry_name, rca, present, density, pci, cog, position,
        position_label`` sorted by density; ``eci`` of the unit.

    References
    ----------
    Hidalgo & Hausmann (2009); Metroverse / Atlas of Economic Complexity strategy chart;
    docs/METHODS.md §3.

    Example
    -------
    >>> p = region_positioning("320200")  # doctest: +SKIP
    >>> p.table.query("position == 'opportunity'").head()  # doctest: +SKIP
    """
    engine = engine or get_engine()
    prof = region_profile(code, engine)
    b = _base(engine, year, measure)
    extra: list[str] = []
    unit: str | None = None
    if prof["level"] == "province":
        extra.append(
            "省级单位没有单一的产业定位：请选择其下的地级市 / a province has no single position: "
            "choose one of its prefecture-level cities"
        )
    else:
        unit = prof["units"][0] if prof["units"] else None
        if prof["level"] == "county" and unit:
            extra.append(
                f"县级单位按所属地级单位 {unit} 分析 / a county is analysed through its "
                f"prefecture {unit}"
            )
    table = pd.DataFrame(
        columns=[
            "industry_code",
            "industry_name",
            "rca",
            "present",
            "density",
            "pci",
            "cog",
            "position",
            "position_label",
        ]
    )
    eci = None
    if unit is not None and b.cx is not None and unit in b.X.index:
        pos, _ = positioning_of(b.cx, [unit])
        if len(pos):
            pos = pos.copy()
            pos["industry_name"] = pos["industry_code"].map(
                lambda c: reference.industry_name(str(c)) or ""
            )
            pos["position_label"] = pos["position"].map(
                lambda p: (
                    f"{POSITION_CLASSES[p][0]} / {POSITION_CLASSES[p][1]}"
                    if p in POSITION_CLASSES
                    else p
                )
            )
            table = pos[list(table.columns)].sort_values(
                ["present", "density"], ascending=[True, False]
            )
            table = table.reset_index(drop=True)
            e = pos["city_eci"].iloc[0]
            eci = None if pd.isna(e) else float(e)
    elif unit is not None:
        extra.append(
            f"{unit} 在 {b.year} 年没有 {measure} 数据 / no {measure} data for {unit} in {b.year}"
        )
    basis = _basis(b, "prefecture (地级); reference: all prefecture-level units with data")
    basis["position_rule"] = "; ".join(
        f"{k}: {v[0]} / {v[1]} ({v[2]})" for k, v in POSITION_CLASSES.items()
    )
    return Positioning(prof, unit, table, eci, basis, _notes(b, extra))


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------


@dataclass
class Comparison(WithBasis):
    """Up to :data:`MAX_COMPARE` regions side by side."""

    table: pd.DataFrame
    similarity: pd.DataFrame
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def compare_regions(
    codes: list[str],
    engine: Engine | None = None,
    year: int | None = None,
    measure: str = "employment",
    top: int = 3,
) -> Comparison:
    """Compare up to 10 regions (地区对比) on the same year and measure.

    Parameters
    ----------
    codes:
        GB/T 2260 codes (provinces, prefectures; counties count for their prefecture).
    engine, year, measure:
        As in :func:`region_positioning`.
    top:
        Most specialised industries listed per region.

    Returns
    -------
    Comparison
        ``table``: ``region_code, region_name, level, total, share_of_nation, diversity, eci,
        top_industries, clusters``; ``similarity``: region × region structure similarity.

    Example
    -------
    >>> compare_regions(["320200", "320500", "310100"]).similarity.round(2)  # doctest: +SKIP
    """
    engine = engine or get_engine()
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not codes:
        raise JiqunError("请至少选择一个地区", "choose at least one region")
    if len(codes) > MAX_COMPARE:
        raise JiqunError(f"最多对比 {MAX_COMPARE} 个地区", f"compare at most {MAX_COMPARE} regions")
    regions = _regions(engine)
    r = regions.set_index("code")
    unknown = [c for c in codes if c not in r.index]
    if unknown:
        raise JiqunError(
            f"未知的行政区划代码：{', '.join(unknown)}",
            f"unknown region codes: {', '.join(unknown)}",
        )
    names = _display(regions)
    b = _base(engine, year, measure)
    notes: list[str] = []
    rows: dict[str, pd.Series] = {}
    for c in codes:
        units = [u for u in _units_of(c, regions) if u in b.X.index]
        if r.loc[c, "level"] == "county":
            notes.append(f"{c} 按所属地级单位分析 / {c} is analysed through its prefecture")
        rows[c] = b.X.loc[units].sum(axis=0) if units else pd.Series(0.0, index=b.X.columns)
    M = pd.DataFrame(rows).T.astype(np.float64)
    nation = b.X.sum(axis=0)
    total_nation = float(nation.sum()) or 1.0
    with engine.connect() as conn:
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), conn)
    out = []
    for c in codes:
        v = M.loc[c]
        tot = float(v.sum())
        lq = lq_from_totals(v, tot, nation, total_nation)
        top_ind = lq[(v > 0)].sort_values(ascending=False).head(top)
        units = [u for u in _units_of(c, regions) if u in b.X.index]
        eci = None
        if b.cx is not None and len(units) == 1:
            e = b.cx.eci.get(units[0], np.nan)
            eci = None if pd.isna(e) else float(e)
        pfx = region_prefix(c)
        n_cl = int(
            cr.loc[
                cr["region_code"].str.startswith(pfx) | cr["region_code"].isin(units),
                "cluster_id",
            ].nunique()
        )
        out.append(
            {
                "region_code": c,
                "region_name": str(names.get(c, c)),
                "level": str(r.loc[c, "level"]),
                "total": tot,
                "share_of_nation": tot / total_nation,
                "diversity": int((lq >= 1.0).sum()) if tot > 0 else 0,
                "eci": eci,
                "top_industries": "；".join(
                    f"{reference.industry_name(str(i)) or i}（{i}，LQ {x:.1f}）"
                    for i, x in top_ind.items()
                ),
                "clusters": n_cl,
            }
        )
    table = pd.DataFrame(out)
    nz = M[M.sum(axis=1) > 0]
    if len(nz):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim = structure_similarity(nz)
        sim.index = [str(names.get(i, i)) for i in sim.index]
        sim.columns = [str(names.get(i, i)) for i in sim.columns]
    else:
        sim = pd.DataFrame()
    basis = _basis(
        b,
        "as chosen: a province is the sum of its prefectures; a county counts for its "
        "prefecture; diversity = industries with LQ ≥ 1; ECI for prefecture-level units only",
    )
    basis["similarity"] = "UNIDO structure similarity coefficient (cosine of industry shares)"
    return Comparison(table, sim, basis, _notes(b, notes))


def region_index(engine: Engine | None = None, q: str | None = None) -> pd.DataFrame:
    """Provinces and prefecture-level units (searchable by name or code prefix)."""
    engine = engine or get_engine()
    regions = _regions(engine)
    names = _display(regions)
    df = regions[regions["level"].isin(["province", "prefecture"])].copy()
    df["display_name"] = df["code"].map(names)
    if q:
        q = q.strip()
        df = df[
            df["display_name"].str.contains(q, regex=False, na=False)
            | df["name"].str.contains(q, regex=False, na=False)
            | df["code"].str.startswith(q)
        ]
    return df.sort_values("code").reset_index(drop=True)
