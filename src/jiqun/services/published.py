"""Published aggregate tables with statistical disclosure control (公开汇总表 / 数据脱敏).

:func:`published_table` answers every public table — region, industry or region × industry, any
level, region filter, totals, downloads — by selecting cells of the current protected release
(:mod:`jiqun.services.release`, :mod:`jiqun.analytics.release`): one linked region × industry cube
per data version, protected as a whole (fewer than 3 firms or one firm above 85% → primary;
secondary suppression verified by an exact LP audit at a 15% protection level). No table is
summed afresh, so tables cannot be differenced against each other. Who sees what:

- **public**, **cluster** and **enterprise** principals: the release; suppressed cells are
  ``None``.
- **government**: cells lying inside its region scope unsuppressed (it may read those firms);
  elsewhere exactly the public release (residual insider risk: docs/disclosure.md).
- **admin**: everything; ``confidential`` marks the cells the public does not see.

A question the release cannot answer (a cluster's total over its member regions) gets release
cells and no new sum; with no release built yet the table is empty with the note
"尚未生成公开数据 / no release built yet". The enterprise registry is a snapshot: it has no
statistics year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from jiqun import reference
from jiqun.analytics.disclosure import DOMINANCE, MIN_COUNT, apply
from jiqun.analytics.release import INDUSTRY_ROOT, PROTECTION, REGION_ROOT
from jiqun.services.access import NotFound, cluster_codes, region_prefix
from jiqun.services.accounts import Principal
from jiqun.services.choices import require_choice
from jiqun.services.directory import require_cluster
from jiqun.services.jsonready import json_records
from jiqun.services.release import current_release, release_cells
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
NO_RELEASE = "尚未生成公开数据 / no release built yet (jiqun release build)"
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
        return json_records(g)[0] if len(g) else {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"items", "totals", "basis", "notes"}`` (suppressed values are null)."""
        return {
            "items": json_records(self.table),
            "totals": json_records(self.totals),
            "basis": self.basis,
            "notes": list(self.notes),
        }


# ----------------------------------------------------------------------------------------------
# the table as the dashboards and the Word reports show it
# ----------------------------------------------------------------------------------------------

#: the columns naming a row (a total row's label goes in the first of them it leaves empty)
LABEL_COLUMNS = ("region_code", "region_name", "industry_code", "industry_name")

#: the columns of a published table as it is shown: its labels, then the cell
VIEW_COLUMNS = (*LABEL_COLUMNS, "kind", "value", "n_enterprises", "suppression")


@dataclass
class PublishedView:
    """A published table as the dashboards and the reports show it (see :func:`published_view`).

    Attributes
    ----------
    columns:
        The shown columns present in the table, in :data:`VIEW_COLUMNS` order
        (``confidential`` last for an admin).
    table, totals:
        Copies of the table and its totals (index reset; empty when there are none), money in
        亿元 where the basis said 万元.
    basis:
        The table's basis with its ``disclosure`` dictionary flattened into
        ``disclosure_rule``, ``viewer`` and ``suppressed_for_viewer``.
    notes:
        The table's notes.
    n_suppressed:
        Cells of the table hidden from this viewer.
    """

    columns: list[str]
    table: pd.DataFrame
    totals: pd.DataFrame
    basis: dict[str, Any]
    notes: list[str]
    n_suppressed: int


def _in_yi(v: Any) -> Any:
    """A 万元 amount in 亿元 with 2 decimals; anything not a number (NaN, ``None``) as it is."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v):
        return round(v / 1e4, 2)
    return v


def published_view(res: PublishedTable, role: str) -> PublishedView:
    """What a dashboard section or a report shows of a published table, in one place.

    Money is stored in 万元 and a region's revenue runs to eight digits, so the view shows 亿元
    (2 decimals) and its basis says 亿元, as the dashboards' tiles and charts do.

    Parameters
    ----------
    res:
        A :class:`PublishedTable` (anything with ``table``, ``totals``, ``basis`` and ``notes``;
        ``totals`` may be ``None``).
    role:
        The viewer's role; an ``admin`` also sees the ``confidential`` column.

    Returns
    -------
    PublishedView
        The result's frames are copies: ``res`` (which may be cached) is left as it was.

    References
    ----------
    src/jiqun/web/ui_statistics.py (the page), src/jiqun/services/report_docx.py (the report).

    Example
    -------
    >>> t = pd.DataFrame({"region_code": ["320200"], "value": [45_425_460.4]})
    >>> v = published_view(PublishedTable(t, t.iloc[:0], {"unit": "万元"}), "public")
    >>> v.table["value"].tolist(), v.basis["unit"], v.columns
    ([4542.55], '亿元', ['region_code', 'value'])
    """
    df = res.table.copy()
    totals = getattr(res, "totals", None)
    tot = totals.reset_index(drop=True) if totals is not None else pd.DataFrame()
    extra = ("confidential",) if role == "admin" else ()
    cols = [c for c in (*VIEW_COLUMNS, *extra) if c in df.columns]
    basis = dict(getattr(res, "basis", {}) or {})
    if basis.get("unit") == "万元":
        basis["unit"] = "亿元"
        for frame in (df, tot):
            if "value" in frame:
                frame["value"] = frame["value"].map(_in_yi)
    disc = basis.pop("disclosure", None)
    if isinstance(disc, dict):
        basis["disclosure_rule"] = disc.get("rule")
        basis["viewer"] = disc.get("viewer")
        basis["suppressed_for_viewer"] = disc.get("suppressed_for_viewer")
    n_sup = int(df["suppressed"].astype(bool).sum()) if "suppressed" in df else 0
    return PublishedView(cols, df, tot, basis, list(getattr(res, "notes", []) or []), n_sup)


@dataclass(frozen=True)
class Ask:
    """What a caller asked of :func:`published_table` (and the grouping keys it implies)."""

    keys: list[str]
    by: str
    measure: str
    region: str | None
    cluster_id: str | None
    region_level: str
    industry_level: int
    year: int | None

    def columns(self) -> list[str]:
        """The columns of a table for this ask: each key with its name, then the cell's."""
        cols = [c for k in self.keys for c in (k, k.replace("_code", "_name"))]
        return [*cols, "value", "n_enterprises", "suppressed", "suppression", "confidential"]


def _check(measure: str, by: str, industry_level: int, region_level: str) -> None:
    require_choice(measure, MEASURES, "未知指标", "unknown measure")
    require_choice(by, BY, "未知分组", "unknown grouping")
    if industry_level not in INDUSTRY_LEVELS:
        raise JiqunError(
            "行业代码层级须为 2、3 或 4", "industry_level must be 2, 3 or 4 (GB/T 4754 digits)"
        )
    if region_level not in ("prefecture", "province"):
        raise JiqunError(
            "地区层级须为 prefecture 或 province", "region_level must be prefecture or province"
        )


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

    Rule: every row and total is a cell of the current release (``value = Σ x_f`` over the
    cell's firms reporting the measure, protected as a whole: see
    :mod:`jiqun.analytics.release`); rows are the region nodes at ``region_level`` (or the
    filter region itself when it is deeper) and/or the industry nodes at ``industry_level``
    inside the filter region; totals are the filter region's cells. A cluster query returns the
    cells of its member regions × leading industries (at ``industry_level``) and no totals: the
    cluster's sum is not a cell of the release.

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
    Hundepool et al. (2012) *Statistical Disclosure Control*, ch. 4; docs/disclosure.md.

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
    members: tuple[list[str], list[str]] | None = None
    if cluster_id:
        members = _cluster_members(engine, cluster_id)
    rel = current_release(engine)
    keys = (["region_code"] if by in ("region", "region_industry") or cluster_id else []) + (
        ["industry_code"] if by in ("industry", "region_industry") or cluster_id else []
    )
    ask = Ask(keys, by, measure, region, cluster_id, region_level, industry_level, year)
    if rel is None:
        return _empty(ask, note=NO_RELEASE)
    _require_published(rel, industry_level, region, region_level)
    cells = release_cells(engine, rel["id"], measure)
    counts = cells if measure == "firms" else release_cells(engine, rel["id"], "firms")
    rlev = 2 if region_level == "prefecture" else 1
    top = region or REGION_ROOT
    top_level = _node_level(top)
    if members is not None:
        regions_, inds = members
        rows = cells[
            cells["region_code"].isin(regions_)
            & cells["industry_code"].isin({c[:industry_level] for c in inds})
        ]
        if region:
            rows = rows[rows["region_code"].str.startswith(region_prefix(region))]
        totals = rows.iloc[0:0]
        kinds: list[str] = []
    else:
        in_top = (
            cells["region_code"].str.startswith(region_prefix(top))
            if top != REGION_ROOT
            else pd.Series(True, index=cells.index)
        )
        # a region filter deeper than the requested level answers with its own cell: no new sum
        row_level = max(rlev, top_level)
        reg_rows = in_top & (
            (cells["region_level"] == row_level)
            if row_level > top_level
            else (cells["region_code"] == top)
        )
        is_top = cells["region_code"] == top
        ind_rows = cells["industry_level"] == industry_level
        ind_tot = cells["industry_code"] == INDUSTRY_ROOT
        if by == "region":
            rows = cells[reg_rows & ind_tot]
            tot = [("grand_total", cells[is_top & ind_tot])]
        elif by == "industry":
            rows = cells[is_top & ind_rows]
            tot = [("grand_total", cells[is_top & ind_tot])]
        else:
            rows = cells[reg_rows & ind_rows]
            tot = [
                ("grand_total", cells[is_top & ind_tot]),
                ("row_total", cells[reg_rows & ind_tot]),
                ("column_total", cells[is_top & ind_rows]),
            ]
        kinds = [k for k, f in tot for _ in range(len(f))]
        totals = pd.concat([f for _, f in tot]) if tot else rows.iloc[0:0]
    return release_view(principal, rel, rows, totals, kinds, counts, ask)


#: GB/T 4754 digits of an industry level of the cube (section = letter, 1)
_INDUSTRY_LEVEL_OF_DIGITS = {2: 2, 3: 3, 4: 4}
_REGION_DEPTH = {0: ("全国", "national"), 1: ("省级", "province"), 2: ("地级市", "prefecture"),
                 3: ("区县", "county")}  # fmt: skip
_INDUSTRY_DEPTH = {0: ("全部行业", "all industries"), 1: ("行业门类", "industry sections"),
                   2: ("行业大类（2 位代码）", "industry divisions (2 digits)"),
                   3: ("行业中类（3 位代码）", "industry groups (3 digits)"),
                   4: ("行业小类（4 位代码）", "industry classes (4 digits)")}  # fmt: skip


def _require_published(
    rel: dict[str, Any], industry_level: int, region: str | None, region_level: str
) -> None:
    """Refuse a table deeper than the release: it is not published (never a fresh sum).

    The release's depth is in its stats (``region_levels``, ``industry_levels``; a release
    without them holds every level)."""
    stats = rel.get("stats") or {}
    rl = set(stats.get("region_levels", (0, 1, 2, 3)))
    il = set(stats.get("industry_levels", (0, 1, 2, 3, 4)))
    wanted_r = max(_node_level(region) if region else 0, 2 if region_level == "prefecture" else 1)
    deepest_r = max(rl)
    if _INDUSTRY_LEVEL_OF_DIGITS[industry_level] not in il or wanted_r > deepest_r:
        r_zh, r_en = _REGION_DEPTH[deepest_r]
        i_zh, i_en = _INDUSTRY_DEPTH[max(il)]
        raise NotFound(
            f"未公开：公开数据只发布到{r_zh} × {i_zh}；更细的表格多为一两家企业，按保密规则不公开",
            f"not published: the release goes down to {r_en} × {i_en}; finer tables are mostly "
            "one or two firms and are not published under the disclosure rule",
        )


def _node_level(code: str) -> int:
    """Level of a GB/T 2260 code in the release's region hierarchy (0 national … 3 county)."""
    if code == REGION_ROOT:
        return 0
    if code[2:] == "0000":
        return 1
    if code[4:] == "00":
        return 2
    return 3


def _cluster_members(engine: Engine, cluster_id: str) -> tuple[list[str], list[str]]:
    """A cluster's member regions and leading industries; 404 for an unknown cluster."""
    require_cluster(cluster_id, engine)
    with engine.connect() as c:
        return cluster_codes(c, cluster_id)


def release_view(
    principal: Principal,
    rel: dict[str, Any],
    rows: pd.DataFrame,
    totals: pd.DataFrame,
    kinds: list[str],
    counts: pd.DataFrame,
    ask: Ask,
) -> PublishedTable:
    """The release cells as ``principal`` sees them (values of hidden cells never leave).

    The one disclosure view of release cells: :func:`published_table` and the maps
    (:mod:`jiqun.services.maps`) answer through it.
    """
    keys = ask.keys
    role = principal.role
    gp = region_prefix(principal.scope) if role == "government" and principal.scope else None
    out = []
    for frame, kind in ((rows, None), (totals, kinds)):
        f = frame.reset_index(drop=True).copy()
        idx = pd.MultiIndex.from_arrays([f["region_code"], f["industry_code"]])
        cnt = counts.reindex(idx)
        f["n_enterprises"] = cnt["value"].to_numpy()
        f["n_confidential"] = cnt["suppressed"].fillna(True).to_numpy(dtype=bool)
        f["confidential"] = f["suppressed"].astype(bool)
        if gp:
            own = f["region_code"].str.startswith(gp).to_numpy(dtype=bool)
        else:
            own = np.zeros(len(f), dtype=bool)
        if role == "admin":
            hide = np.zeros(len(f), dtype=bool)
            hide_n = hide
        else:
            hide = f["confidential"].to_numpy(dtype=bool) & ~own
            hide_n = hide | (f["n_confidential"].to_numpy(dtype=bool) & ~own)
        f["suppressed"] = hide
        f["suppression"] = pd.Series(
            np.where(hide, f["suppression"].to_numpy(dtype=object), None), index=f.index
        ).astype(object)
        f = apply(f, columns=("value",))
        f = apply(f.assign(_h=hide_n), columns=("n_enterprises",), flag="_h").drop(columns="_h")
        f["n_enterprises"] = pd.Series(
            [
                None if x is None or (isinstance(x, float) and math.isnan(x)) else int(x)
                for x in f["n_enterprises"]
            ],
            index=f.index,
            dtype=object,
        )
        if kind is not None:
            f.insert(0, "kind", kind)
            # the key a total does not vary over is shown empty, as before
            for k in keys:
                blank = (f["kind"] == "grand_total") | (
                    f["kind"] == ("column_total" if k == "region_code" else "row_total")
                )
                f[k] = f[k].astype(object).where(~blank, None)
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
    base = ask.columns()
    table = cells_v[base].reset_index(drop=True)
    totals_out = (
        totals_v[["kind", *base]].reset_index(drop=True)
        if len(totals_v)
        else (pd.DataFrame(columns=["kind", *base]))
    )
    n_confidential = int(cells_v["confidential"].sum()) + int(
        totals_v["confidential"].sum() if len(totals_v) else 0
    )
    n_hidden = int(table["suppressed"].sum()) + int(totals_out["suppressed"].sum())
    n_primary = int((table["suppression"] == "primary").sum()) + int(
        (totals_out["suppression"] == "primary").sum()
    )
    synthetic = bool(len(rows)) and bool(rows["synthetic"].any())
    basis = _basis(ask, synthetic)
    basis["disclosure"].update(
        {
            "viewer": role,
            "suppressed_for_viewer": n_hidden,
            "primary_for_viewer": n_primary,
            "confidential_for_public": n_confidential,
            "release_id": rel["id"],
            "data_version": rel["data_version"],
            "release_built_at": rel["built_at"],
            "release_current": rel["current"],
            "protection_level": PROTECTION,
            "robust_against": [
                "differencing between any published tables (one release, LP-audited)"
            ],
        }
    )
    notes: list[str] = []
    if synthetic:
        notes.append(SYNTHETIC_NOTE)
    if not rel["current"]:
        notes.append(
            "公开数据基于较早的数据版本，新数据尚未发布 / the release was built from an earlier "
            "data version; newer data are not published yet"
        )
    if ask.cluster_id:
        notes.append(
            "集群合计不是公开数据版本中的单元格，未公开；下列为成员地区 × 行业的公开单元格 / "
            "the cluster's total is not a cell of the release and is not published; the rows "
            "are the release cells of its member regions × leading industries"
        )
    if ask.year is not None:
        notes.append(
            f"请求年份 {ask.year}：企业名录为快照，数值不是该年的统计 / year {ask.year} requested: the "
            "enterprise registry is a snapshot, the figures are not for that year"
        )
    if not len(table):
        notes.append("没有符合条件的企业 / no enterprises match")
    if n_hidden:
        notes.append(
            f"{n_hidden} 个单元格未公开（保密），其中 {n_primary} 个为原发抑制 / {n_hidden} cells "
            f"not published (confidential), {n_primary} of them primary"
        )
    if role == "admin" and n_confidential:
        notes.append(
            f"管理员可见全部数值；其中 {n_confidential} 个单元格对公众保密 / you see every value; "
            f"{n_confidential} cells are confidential for the public (see confidential)"
        )
    if role == "government" and gp:
        notes.append(
            f"本辖区（{principal.scope}）内的单元格不抑制，辖区外与公开数据相同 / cells inside your "
            f"region ({principal.scope}) are shown; outside it the public release applies"
        )
    return PublishedTable(table=table, totals=totals_out, basis=basis, notes=notes)


def _basis(ask: Ask, synthetic: bool) -> dict[str, Any]:
    _col, zh, en, unit, kind = MEASURES[ask.measure]
    return {
        "measure": ask.measure,
        "measure_name": f"{zh} / {en}",
        "unit": unit,
        "value_or_count": kind,
        "grouping": ask.by,
        "region_level": (
            "prefecture (地级; county records counted for their prefecture)"
            if ask.region_level == "prefecture"
            else "province (省级)"
        )
        if "region_code" in ask.keys
        else None,
        "industry_code_level": (
            INDUSTRY_LEVELS[ask.industry_level] if "industry_code" in ask.keys else None
        ),
        "region": ask.region,
        "cluster_id": ask.cluster_id,
        "year": None,
        "year_note": "企业名录为当前快照，不分年份 / the enterprise registry is a snapshot, "
        "not a statistics year",
        "source": "the protected release (公开数据版本) of the enterprise registry: every number "
        "is a cell of one linked region × industry cube",
        "n_enterprises_note": "all enterprises in the cell (the firm-count cell of the release; "
        "empty where that cell is not published); the 3-enterprise threshold counts those "
        "reporting the measure",
        "disclosure": {
            "min_count": MIN_COUNT,
            "dominance": DOMINANCE,
            "protection_level": PROTECTION,
            "rule": "suppress a cell with fewer than 3 enterprises or one enterprise above 85% "
            "of its value; secondary suppression over the whole release until the interval an "
            "attacker can derive from all published cells (LP) reaches 15% below and above "
            "every suppressed value",
        },
        "synthetic": synthetic,
    }


def _empty(ask: Ask, note: str | None = None) -> PublishedTable:
    cols = ask.columns()
    basis = _basis(ask, False)
    notes = [note or "没有符合条件的企业 / no enterprises match"]
    if ask.year is not None:
        notes.append(f"year {ask.year}: the enterprise registry is a snapshot")
    return PublishedTable(
        table=pd.DataFrame(columns=cols),
        totals=pd.DataFrame(columns=["kind", *cols]),
        basis=basis,
        notes=notes,
    )
