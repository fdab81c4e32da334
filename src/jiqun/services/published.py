"""Published aggregate tables with statistical disclosure control (公开汇总表 / 数据脱敏).

:func:`published_table` sums enterprise records (一企一档) into a region, industry or
region × industry table and applies the suppression rules of :mod:`jiqun.analytics.disclosure`
for viewers without rights to the underlying records. Who sees what (PRODUCT.md capability J,
issue 5):

- **public**, **cluster** and **enterprise** principals: the public table — cells with fewer than
  3 enterprises, or where one enterprise has more than 85% of the value, are suppressed, plus
  complementary cells so that published totals cannot reveal them.
- **government**: the same table, except that cells (and totals) lying wholly inside its region
  scope are shown — it may read those enterprise records anyway. Outside its scope it sees exactly
  the public pattern. (Never a pattern of its own: two different patterns of one table, put side
  by side, could reveal what each hides.)
- **admin**: everything; ``confidential`` marks the cells the public does not see.

Suppressed values are ``None`` in the result: they never leave the service. The public pattern is
made robust against insiders as well (an enterprise alone in its cell, a provincial or city
government that knows every cell of its region: ``blocks``), see :mod:`jiqun.analytics.disclosure`.

Regions are aggregated to prefectures (地级; a county code counts for its prefecture: first four
digits + ``00``) or provinces; industries to GB/T 4754-2017 divisions (2-digit), groups (3) or
classes (4). The enterprise registry is a snapshot: it has no statistics year.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from jiqun import reference
from jiqun.analytics.disclosure import DOMINANCE, MIN_COUNT, apply, suppress_table
from jiqun.services import predicates
from jiqun.services.access import NotFound, region_prefix
from jiqun.services.accounts import Principal
from jiqun.services.cache import cached
from jiqun.standard.problems import JiqunError
from jiqun.store.db import get_engine

__all__ = ["MEASURES", "PublishedTable", "published_table"]

#: measure -> (column, Chinese name, English name, unit, value or count)
MEASURES: dict[str, tuple[str | None, str, str, str, str]] = {
    "revenue": ("revenue", "营业收入", "operating revenue", "万元", "value"),
    "output": ("output", "工业总产值", "gross industrial output", "万元", "value"),
    "employees": ("employees", "从业人员", "persons employed", "人", "value"),
    "firms": (None, "企业数", "number of enterprises", "家", "count"),
}
BY = ("region", "industry", "region_industry")
INDUSTRY_LEVELS = {
    2: "GB/T 4754-2017 division 大类 (2-digit)",
    3: "GB/T 4754-2017 group 中类 (3-digit)",
    4: "GB/T 4754-2017 class 小类 (4-digit)",
}
SYNTHETIC_NOTE = (
    "含模拟数据，仅供演示，不是真实统计 / contains synthetic demo data, not real statistics"
)


@dataclass
class PublishedTable:
    """A published table for one viewer.

    Attributes
    ----------
    table:
        One row per cell: the grouping keys with names (``region_code``, ``region_name``,
        ``industry_code``, ``industry_name`` as applicable), ``value``, ``n_enterprises``
        (``None`` where suppressed), ``suppressed`` (hidden from this viewer), ``suppression``
        (``primary`` / ``complementary`` / ``None`` for this viewer) and ``confidential``
        (hidden from the public).
    totals:
        The published totals (``kind``: ``grand_total``, ``row_total``, ``column_total``), with
        the same columns.
    basis:
        Measure, unit, region level, industry-code level, value or count, year note, disclosure
        rule, viewer, synthetic marker.
    notes:
        Sentences to show under the table (zh / en).
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def grand_total(self) -> dict[str, Any]:
        g = self.totals[self.totals["kind"] == "grand_total"]
        return _records(g)[0] if len(g) else {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"items", "totals", "basis", "notes"}`` (suppressed values are null)."""
        return {
            "items": _records(self.table),
            "totals": _records(self.totals),
            "basis": self.basis,
            "notes": list(self.notes),
        }


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


def _check(measure: str, by: str, industry_level: int, region_level: str) -> None:
    if measure not in MEASURES:
        raise JiqunError(
            f"未知指标 {measure!r}，可选：{', '.join(MEASURES)}",
            f"unknown measure {measure!r}; choose {', '.join(MEASURES)}",
        )
    if by not in BY:
        raise JiqunError(
            f"未知分组 {by!r}，可选：{', '.join(BY)}", f"unknown grouping {by!r}; choose {BY}"
        )
    if industry_level not in INDUSTRY_LEVELS:
        raise JiqunError(
            "行业代码层级须为 2、3 或 4", "industry_level must be 2, 3 or 4 (GB/T 4754 digits)"
        )
    if region_level not in ("prefecture", "province"):
        raise JiqunError(
            "地区层级须为 prefecture 或 province", "region_level must be prefecture or province"
        )


def _fine_table(
    engine: Engine,
    measure: str,
    industry_level: int,
    region: str | None,
    cluster_id: str | None,
) -> tuple[pd.DataFrame, bool]:
    """Enterprise sums per prefecture × industry code at ``industry_level`` (SQL GROUP BY)."""
    col = MEASURES[measure][0]
    where, params = ["1=1"], {}
    if region:
        cond, p = predicates.as_sql(predicates.in_region(region), "_rg")
        where.append(cond)
        params.update(p)
    if cluster_id:
        # the statistical cluster (member region × leading industry), not the member list
        cond, p = predicates.as_sql(predicates.in_cluster_area(cluster_id), "_cl")
        where.append(cond)
        params.update(p)
    x = f"e.{col}" if col else "1"
    sql = (
        f"SELECT substr(e.region_code, 1, 4) AS r4, substr(e.industry_code, 1, {industry_level}) "
        f"AS ind, COUNT(*) AS n_all, COUNT({x}) AS n_rep, SUM({x}) AS v, MAX({x}) AS top, "
        "MAX(CASE WHEN e.synthetic THEN 1 ELSE 0 END) AS syn "
        f"FROM enterprises e WHERE {' AND '.join(where)} GROUP BY 1, 2"
    )
    with engine.connect() as c:
        if cluster_id:
            hit = c.execute(
                text("SELECT 1 FROM clusters WHERE cluster_id = :c"), {"c": cluster_id}
            ).first()
            if hit is None:
                raise NotFound(f"找不到集群 {cluster_id}", f"no cluster {cluster_id}")
        fine = pd.read_sql(text(sql), c, params=params)
    synthetic = bool(len(fine)) and bool(fine["syn"].astype(int).max())
    for k in ("n_all", "n_rep"):
        fine[k] = fine[k].astype("int64")
    for k in ("v", "top"):
        fine[k] = pd.to_numeric(fine[k], errors="coerce").astype(float)
    return fine, synthetic


def published_table(
    principal: Principal,
    engine: Engine | None = None,
    year: int | None = None,
    measure: Literal["revenue", "output", "employees", "firms"] | str = "revenue",
    by: Literal["region", "industry", "region_industry"] | str = "region",
    region: str | None = None,
    industry_level: int = 2,
    cluster_id: str | None = None,
    region_level: Literal["prefecture", "province"] | str = "prefecture",
) -> PublishedTable:
    """Aggregate enterprises into a published table and apply disclosure control for ``principal``.

    Rule: per cell, ``value = Σ x_f`` over its enterprises ``f`` (missing values count as
    absent), ``n_enterprises`` = number of enterprises, and the largest enterprise's share
    ``max x_f / Σ x_f``; a cell with fewer than 3 enterprises reporting the measure or a share
    above 85% is suppressed (primary), then complementary cells so that no published total
    reveals a suppressed cell, to a fixed point (:func:`jiqun.analytics.disclosure.suppress_table`
    with ``blocks`` = province and prefecture for tables by region and ``singletons``).

    Source: the ``enterprises`` table (一企一档), optionally restricted to a region
    (``region_prefix``) or to a cluster (enterprises registered in a member region — a county
    counts for its prefecture — and classed in a leading industry; ``cluster_regions`` and
    ``cluster_industries``).

    Parameters
    ----------
    principal:
        The viewer (public, enterprise, cluster: suppressed view; government: its own region
        unsuppressed; admin: everything).
    engine:
        Database (default: the configured one).
    year:
        Accepted for symmetry with the statistics tables; the registry is a snapshot, so the
        figures are not for that year (stated in ``basis`` and ``notes``).
    measure:
        ``revenue`` or ``output`` (万元), ``employees`` (人) or ``firms`` (家, a count).
    by:
        ``region``, ``industry`` or ``region_industry`` (a 2-D table with row and column totals).
    region:
        Restrict to a GB/T 2260 region (a province, city or county code).
    industry_level:
        2 (division), 3 (group) or 4 (class).
    cluster_id:
        Restrict to a cluster's member regions and leading industries.
    region_level:
        ``prefecture`` (default) or ``province``.

    Returns
    -------
    :class:`PublishedTable`.

    References
    ----------
    Hundepool et al. (2012) *Statistical Disclosure Control*, ch. 4; issue 5 (the platform).

    Example
    -------
    >>> from jiqun.services.accounts import PUBLIC
    >>> t = published_table(PUBLIC, by="region", measure="revenue")  # doctest: +SKIP
    >>> t.table.loc[t.table["suppressed"], "value"].isna().all()  # doctest: +SKIP
    True
    """
    engine = engine or get_engine()
    _check(measure, by, industry_level, region_level)
    if region is not None and reference.region_level(region) is None:
        raise JiqunError(
            f"{region!r} 不是 GB/T 2260 行政区划代码", f"{region!r} is not a GB/T 2260 region code"
        )
    # Cells are the same for every viewer of a class: public (also cluster and enterprise
    # principals), admin, or one government scope. The finished view is cached per class.
    viewer = principal.role if principal.role in ("admin", "government") else "public"
    scope = principal.scope if viewer == "government" else None
    key = (measure, by, region, industry_level, cluster_id, region_level, year, viewer, scope)
    pt = cached(
        engine,
        ("published-view", *key),
        lambda: _view(
            engine,
            Principal(None, viewer, scope),
            year,
            measure,
            by,
            region,
            industry_level,
            cluster_id,
            region_level,
        ),
    )
    basis = copy.deepcopy(pt.basis)
    if "disclosure" in basis:
        basis["disclosure"]["viewer"] = principal.role
    return PublishedTable(pt.table.copy(), pt.totals.copy(), basis, list(pt.notes))


def _view(
    engine: Engine,
    principal: Principal,
    year: int | None,
    measure: str,
    by: str,
    region: str | None,
    industry_level: int,
    cluster_id: str | None,
    region_level: str,
) -> PublishedTable:
    """The table as one class of viewer sees it (from the cached public pattern)."""
    keys = (["region_code"] if by in ("region", "region_industry") else []) + (
        ["industry_code"] if by in ("industry", "region_industry") else []
    )
    pat = cached(
        engine,
        ("published", measure, by, region, industry_level, cluster_id, region_level),
        lambda: _public_pattern(
            engine, measure, keys, region, industry_level, cluster_id, region_level
        ),
    )
    if pat is None:
        return _empty(keys, by, measure, region, cluster_id, region_level, industry_level, year)
    synthetic, blocks, residual = pat.synthetic, pat.blocks, pat.residual

    # own cells and totals (government): every contributing prefecture lies in its scope
    gp = (
        region_prefix(principal.scope)
        if principal.role == "government" and principal.scope
        else None
    )
    cells = pat.cells.copy()
    if gp and len(gp) <= 4:
        cells["own"] = cells["r4_common"].str.startswith(gp).to_numpy(dtype=bool)
    else:
        cells["own"] = False
    totals = pat.totals.copy()
    totals["own"] = _total_own(cells, totals, keys)

    role = principal.role
    n_confidential = int(cells["suppressed"].sum()) + int(totals["suppressed"].sum())
    out = []
    for frame in (cells, totals):
        f = frame.copy()
        f["confidential"] = f["suppressed"].astype(bool)
        if role == "admin":
            hide = np.zeros(len(f), dtype=bool)
        elif role == "government":
            hide = f["confidential"].to_numpy(dtype=bool) & ~f["own"].to_numpy(dtype=bool)
        else:
            hide = f["confidential"].to_numpy(dtype=bool)
        f["suppressed"] = hide
        f["suppression"] = pd.Series(
            np.where(hide, f["suppression"].to_numpy(dtype=object), None), index=f.index
        ).astype(object)
        f = apply(f, columns=("value", "n_enterprises"))
        out.append(f)
    cells_v, totals_v = out

    for f in (cells_v, totals_v):
        if "region_code" in keys:
            f["region_name"] = f["region_code"].map(
                lambda c: reference.region_display_name(c) if isinstance(c, str) else None
            )
        if "industry_code" in keys:
            f["industry_name"] = f["industry_code"].map(
                lambda c: reference.industry_name(c) if isinstance(c, str) else None
            )
    ordered = []
    for k in keys:
        ordered += [k, k.replace("_code", "_name")]
    base = [*ordered, "value", "n_enterprises", "suppressed", "suppression", "confidential"]
    table = cells_v[base].reset_index(drop=True)
    totals_out = totals_v[["kind", *base]].reset_index(drop=True)

    n_hidden = int(table["suppressed"].sum()) + int(totals_out["suppressed"].sum())
    n_primary = int((table["suppression"] == "primary").sum()) + int(
        (totals_out["suppression"] == "primary").sum()
    )
    basis = _basis(measure, by, keys, region, cluster_id, region_level, industry_level, synthetic)
    basis["disclosure"].update(
        {
            "viewer": role,
            "suppressed_for_viewer": n_hidden,
            "primary_for_viewer": n_primary,
            "confidential_for_public": n_confidential,
            "robust_against": ["single-contributor enterprises", *_blocks_label(blocks)],
        }
    )
    notes: list[str] = []
    if synthetic:
        notes.append(SYNTHETIC_NOTE)
    if year is not None:
        notes.append(
            f"请求年份 {year}：企业名录为快照，数值不是该年的统计 / year {year} requested: the "
            "enterprise registry is a snapshot, the figures are not for that year"
        )
    if n_hidden:
        notes.append(
            f"{n_hidden} 个单元格已抑制（保密），其中 {n_primary} 个为原发抑制 / {n_hidden} cells "
            f"suppressed (confidential), {n_primary} of them primary"
        )
    if role == "admin" and n_confidential:
        notes.append(
            f"管理员可见全部数值；其中 {n_confidential} 个单元格对公众保密 / you see every value; "
            f"{n_confidential} cells are confidential for the public (see confidential)"
        )
    if role == "government" and gp:
        notes.append(
            f"本辖区（{principal.scope}）内的单元格不抑制，辖区外与公开表相同 / cells inside your "
            f"region ({principal.scope}) are shown; outside it the public table applies"
        )
    if len(residual):
        notes.append(
            f"警告：{len(residual)} 个单元格的保护未能完全满足 / warning: {len(residual)} "
            "cells could not be fully protected by the heuristic"
        )
    return PublishedTable(table=table, totals=totals_out, basis=basis, notes=notes)


@dataclass
class _Pattern:
    """The public suppression pattern of one table (cached per data version)."""

    cells: pd.DataFrame
    totals: pd.DataFrame
    residual: pd.DataFrame
    blocks: list[str]
    synthetic: bool


def _common_prefix(codes: pd.Series) -> str:
    lo, hi = min(codes), max(codes)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[:n]


def _public_pattern(
    engine: Engine,
    measure: str,
    keys: list[str],
    region: str | None,
    industry_level: int,
    cluster_id: str | None,
    region_level: str,
) -> _Pattern | None:
    """Aggregate the enterprises and suppress for the public (the expensive, shared part)."""
    fine, synthetic = _fine_table(engine, measure, industry_level, region, cluster_id)
    if fine.empty:
        return None
    fine["r4"] = fine["r4"].astype(str)
    fine["ind"] = fine["ind"].astype(str)
    fine["region_code"] = (
        fine["r4"] + "00" if region_level == "prefecture" else fine["r4"].str[:2] + "0000"
    )
    fine["industry_code"] = fine["ind"]
    agg = (
        fine.groupby(keys, sort=True)
        .agg(
            n_all=("n_all", "sum"),
            n_rep=("n_rep", "sum"),
            v=("v", "sum"),
            top=("top", "max"),
            r4_common=("r4", _common_prefix),
        )
        .reset_index()
    )
    t = agg[keys].copy()
    if MEASURES[measure][0] is None:  # a count: each enterprise contributes 1
        t["value"] = agg["n_all"].astype(float)
        t["n_rule"] = agg["n_all"]
        t["top_share"] = np.where(agg["n_all"] > 0, 1.0 / agg["n_all"].clip(lower=1), np.nan)
    else:
        t["value"] = agg["v"].fillna(0.0)
        t["n_rule"] = agg["n_rep"]
        with np.errstate(divide="ignore", invalid="ignore"):
            t["top_share"] = np.where(t["value"] > 0, agg["top"] / t["value"], np.nan)
    t["n_enterprises"] = agg["n_all"]
    blocks: list[str] = []
    if "region_code" in keys:
        t["province"] = t["region_code"].str[:2]
        blocks.append("province")
        if region_level == "prefecture":
            blocks.append("region_code")
    res = suppress_table(
        t,
        value="value",
        count="n_rule",
        top_share="top_share",
        row=keys[0],
        col=keys[1] if len(keys) > 1 else None,
        blocks=tuple(blocks),
        singletons=True,
    )
    cells = res.cells[[*keys, "value", "n_enterprises", "suppressed", "suppression"]].copy()
    cells["r4_common"] = agg["r4_common"].to_numpy()
    totals = res.totals[["kind", *keys, "value", "suppressed", "suppression"]].copy()
    totals["n_enterprises"] = _total_counts(cells, totals, keys)
    return _Pattern(cells, totals, res.residual, blocks, synthetic)


def _basis(
    measure: str,
    by: str,
    keys: list[str],
    region: str | None,
    cluster_id: str | None,
    region_level: str,
    industry_level: int,
    synthetic: bool,
) -> dict[str, Any]:
    _col, zh, en, unit, kind = MEASURES[measure]
    return {
        "measure": measure,
        "measure_name": f"{zh} / {en}",
        "unit": unit,
        "value_or_count": kind,
        "grouping": by,
        "region_level": (
            "prefecture (地级; county records counted for their prefecture)"
            if region_level == "prefecture"
            else "province (省级)"
        )
        if "region_code" in keys
        else None,
        "industry_code_level": INDUSTRY_LEVELS[industry_level] if "industry_code" in keys else None,
        "region": region,
        "cluster_id": cluster_id,
        "year": None,
        "year_note": "企业名录为当前快照，不分年份 / the enterprise registry is a snapshot, "
        "not a statistics year",
        "source": "enterprises (一企一档), summed per cell",
        "n_enterprises_note": "all enterprises in the cell; the 3-enterprise threshold counts "
        "those reporting the measure",
        "disclosure": {
            "min_count": MIN_COUNT,
            "dominance": DOMINANCE,
            "rule": "suppress a cell with fewer than 3 enterprises or one enterprise above 85% "
            "of its value; complementary suppression so that totals cannot reveal it "
            "(heuristic, not optimal)",
        },
        "synthetic": synthetic,
    }


def _empty(
    keys: list[str],
    by: str,
    measure: str,
    region: str | None,
    cluster_id: str | None,
    region_level: str,
    industry_level: int,
    year: int | None,
) -> PublishedTable:
    cols = []
    for k in keys:
        cols += [k, k.replace("_code", "_name")]
    cols += ["value", "n_enterprises", "suppressed", "suppression", "confidential"]
    basis = _basis(measure, by, keys, region, cluster_id, region_level, industry_level, False)
    notes = ["没有符合条件的企业 / no enterprises match"]
    if year is not None:
        notes.append(f"year {year}: the enterprise registry is a snapshot")
    return PublishedTable(
        table=pd.DataFrame(columns=cols),
        totals=pd.DataFrame(columns=["kind", *cols]),
        basis=basis,
        notes=notes,
    )


def _blocks_label(blocks: list[str]) -> list[str]:
    labels = {"province": "provincial governments", "region_code": "city governments"}
    return [labels.get(b, b) for b in blocks]


def _total_counts(cells: pd.DataFrame, totals: pd.DataFrame, keys: list[str]) -> list[int]:
    """Enterprises in each total: the sum over its interior cells."""
    n = cells["n_enterprises"].astype("int64")
    out = []
    by_key = {k: n.groupby(cells[k]).sum().to_dict() for k in keys}
    for _, tr in totals.iterrows():
        named = [k for k in keys if isinstance(tr[k], str)]
        out.append(int(by_key[named[0]].get(tr[named[0]], 0)) if named else int(n.sum()))
    return out


def _total_own(cells: pd.DataFrame, totals: pd.DataFrame, keys: list[str]) -> list[bool]:
    """A total is the viewer's own when all its interior cells are."""
    own = cells["own"].astype(bool)
    by_key = {k: own.groupby(cells[k]).all().to_dict() for k in keys}
    out = []
    for _, tr in totals.iterrows():
        named = [k for k in keys if isinstance(tr[k], str)]
        out.append(bool(by_key[named[0]].get(tr[named[0]], False)) if named else bool(own.all()))
    return out
