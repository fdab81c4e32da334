"""A division of labour for a group of cities, from the stored data (区域分工方案服务).

:func:`division_plan` builds the region × segment advantage table of one chain for the cities of
a cluster (its member regions) or of a given list of regions, runs
:func:`jiqun.planning.division_of_labour` and says what the plan changes.

**Advantage** (every component is kept and shown, ``docs/planning.md``)::

    advantage[c, s] = LQ[c, s] + 0.5·density[c, s] + 0.5·[a listed chain leader in c, s]

- ``LQ[c, s]``: location quotient of the output of the segment's industries (the GB/T 4754
  classes of the chain template) in city c, against the country;
- ``density[c, s]``: mean relatedness density (:func:`jiqun.analytics.complexity.density`, on the
  prefecture × industry-class output matrix of the country) of the segment's industries in c,
  in [0, 1]: how close the segment is to what the city already does;
- chain leader: a firm of the city, in one of the segment's industries, tagged ``chain_leader``
  (the government's list).

Output and firm counts are shown beside them (they enter through the LQ). The extra terms only
add, so a segment with ``LQ ≥ 2`` always has ``advantage ≥ 2 = keep``: no plan takes away a real
strength.

**Boundary.** An admin, the government of every city of the group, the cluster's own
organisation and the local operator (CLI) get the plan built from the enterprise registry
(audited, ``division_plan``); every other caller — the public included — gets the plan built
from the published release only (:func:`jiqun.services.published.published_table`: suppressed
cells count as unknown, no chain-leader term).

**What the plan changes** (before → after, each with its basis): structure similarity and
bilateral Krugman between the cities (on the region × segment output of the chain; after = each
segment's group output divided among its leading cities in proportion to their current output,
equally when they have none), cities specialising per segment (LQ ≥ 1 → leaders), completeness
of the chain within the group, and the cross-border flows the plan relies on (supply links
between the leading cities, else input–output dependence, else the template's edge).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from jiqun import reference
from jiqun.analytics.complexity import density
from jiqun.analytics.similarity import structure_similarity
from jiqun.analytics.specialisation import krugman_bilateral
from jiqun.chains.templates import ChainTemplate, get_template, load_templates
from jiqun.errors import JiqunError, JiqunWarning, NotFound
from jiqun.planning import DEFAULT_OVERLAP_PENALTY, DivisionPlan, division_of_labour
from jiqun.reference import region_prefix
from jiqun.services import access, registry
from jiqun.services.accounts import Principal
from jiqun.services.jsonready import json_value
from jiqun.services.overview import prefecture_of
from jiqun.store.db import get_engine

__all__ = [
    "DENSITY_WEIGHT",
    "LEADER_WEIGHT",
    "PlanView",
    "division_plan",
    "fitting_chains",
    "group_clusters",
]

#: weight of the relatedness density in the advantage (density ∈ [0, 1])
DENSITY_WEIGHT = 0.5
#: bonus of a listed chain leader in the segment
LEADER_WEIGHT = 0.5

ADVANTAGE_RULE = (
    "优势 = 区位商 LQ + 0.5 × 关联密度 + 0.5 ×（有链主企业）；LQ ≥ 2 的环节必然保留 / advantage = "
    "LQ + 0.5 × relatedness density + 0.5 × (listed chain leader present); a segment with "
    "LQ ≥ 2 is always kept"
)


@dataclass
class PlanView:
    """A division-of-labour plan for a group of cities, as one caller may see it.

    Attributes
    ----------
    plan:
        The :class:`jiqun.planning.DivisionPlan` (``plan.assignment``: city × segment booleans).
    template:
        The chain.
    group:
        ``{"kind": "cluster" | "regions", "id", "name"}``.
    cities:
        City code → display name, in the order of the plan's rows.
    segments:
        Segment id → ``(name_zh, name_en, position)``.
    components:
        Name → city × segment table: ``lq``, ``density``, ``chain_leaders``, ``output``,
        ``firms``.
    source:
        ``"registry"`` (enterprise data, permitted callers) or ``"published"`` (the release).
    changes:
        What the plan changes: ``pairs`` (city pair: similarity and Krugman before/after),
        ``summary`` (group figures before/after), ``segments`` (cities specialising per
        segment, before/after), ``flows`` (cross-border flows the plan relies on).
    basis:
        What every figure is and where it comes from.
    notes:
        Sentences (zh / en).
    """

    plan: DivisionPlan
    template: ChainTemplate
    group: dict[str, str]
    cities: dict[str, str]
    segments: dict[str, tuple[str, str, str]]
    components: dict[str, pd.DataFrame]
    source: str
    changes: dict[str, Any]
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """The plan as one long table (one row per city × segment, names added)."""
        ex = self.plan.explanation.copy()
        ex.insert(1, "city_name", ex["region"].map(self.cities))
        ex.insert(3, "segment_zh", ex["segment"].map(lambda s: self.segments[s][0]))
        ex.insert(4, "segment_en", ex["segment"].map(lambda s: self.segments[s][1]))
        return ex

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: group, chain, cities, segments, the plan's tables, changes, basis, notes."""
        p = self.plan
        return json_value(
            {
                "group": self.group,
                "chain": {
                    "id": self.template.id,
                    "name_zh": self.template.name_zh,
                    "name_en": self.template.name_en,
                },
                "source": self.source,
                "cities": [{"code": c, "name": n} for c, n in self.cities.items()],
                "segments": [
                    {"id": k, "name_zh": v[0], "name_en": v[1], "position": v[2]}
                    for k, v in self.segments.items()
                ],
                "assignment": {
                    c: [s for s in p.assignment.columns if bool(p.assignment.loc[c, s])]
                    for c in p.assignment.index
                },
                "objective": p.objective,
                "lp_bound": p.lp_bound,
                "parameters": p.parameters,
                "explanation": p.explanation.to_dict(orient="records"),
                "regions": p.regions.to_dict(orient="records"),
                "segment_table": p.segments.to_dict(orient="records"),
                "changes": {
                    "summary": self.changes["summary"],
                    "pairs": self.changes["pairs"].to_dict(orient="records"),
                    "segments": self.changes["segments"].to_dict(orient="records"),
                    "flows": self.changes["flows"].to_dict(orient="records"),
                    "basis": self.changes["basis"],
                },
                "basis": self.basis,
                "notes": self.notes,
            }
        )

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Every table of the plan for a file (lists joined with ``、``)."""

        def flat(df: pd.DataFrame) -> pd.DataFrame:
            out = df.copy()
            for c in out.columns:
                if out[c].map(lambda v: isinstance(v, list)).any():
                    out[c] = out[c].map(
                        lambda v: "、".join(map(str, v)) if isinstance(v, list) else v
                    )
            return out

        summary = pd.DataFrame(
            [
                {"measure": k, "value": "、".join(v) if isinstance(v, list) else v}
                for k, v in self.changes["summary"].items()
            ]
        )
        basis = pd.DataFrame(
            [
                {"item": k, "basis": str(v)}
                for k, v in {**self.basis, **self.changes["basis"]}.items()
            ]
        )
        return {
            "plan": flat(self.table()),
            "cities": flat(self.plan.regions),
            "segments": flat(self.plan.segments),
            "changes": summary,
            "city_pairs": self.changes["pairs"],
            "segment_changes": flat(self.changes["segments"]),
            "flows": self.changes["flows"],
            "basis": basis,
        }


# --------------------------------------------------------------------------------------------
# the group and the chain
# --------------------------------------------------------------------------------------------


def group_clusters(engine: Engine | None = None) -> list[dict[str, Any]]:
    """Clusters with at least two member regions (a division of labour needs two cities).

    Returns
    -------
    list of dict
        ``id``, ``name``, ``name_en`` (the Chinese name when none), ``n`` (member regions).

    Example
    -------
    >>> group_clusters(engine)[0]["n"] >= 2  # doctest: +SKIP
    True
    """
    with (engine or get_engine()).connect() as c:
        rows = c.execute(
            text(
                "SELECT c.cluster_id, c.name, c.name_en, COUNT(r.region_code) AS n "
                "FROM clusters c JOIN cluster_regions r ON r.cluster_id = c.cluster_id "
                "GROUP BY c.cluster_id, c.name, c.name_en HAVING COUNT(r.region_code) >= 2 "
                "ORDER BY c.cluster_id"
            )
        ).all()
    return [{"id": r[0], "name": r[1], "name_en": r[2] or r[1], "n": int(r[3])} for r in rows]


def fitting_chains(field_: str | None, templates: str | Path | None = None) -> list[str]:
    """Chain ids whose field is ``field_`` (a cluster's field), in template order.

    Example
    -------
    >>> "integrated_circuits" in fitting_chains("new_generation_it")
    True
    """
    return [t.id for t in load_templates(templates).values() if field_ and t.field == field_]


def _group(
    engine: Engine, cluster_id: str | None, regions: list[str] | None
) -> tuple[dict[str, str], list[str], str | None]:
    if (cluster_id is None) == (not regions):
        raise JiqunError(
            "请给出集群编号或地区代码列表（二选一）",
            "give a cluster id or a list of region codes (one of them)",
        )
    if cluster_id is not None:
        with engine.connect() as c:
            cl = c.execute(
                text("SELECT name, field FROM clusters WHERE cluster_id = :c"), {"c": cluster_id}
            ).first()
            members = list(
                c.execute(
                    text(
                        "SELECT region_code FROM cluster_regions WHERE cluster_id = :c "
                        "ORDER BY region_code"
                    ),
                    {"c": cluster_id},
                ).scalars()
            )
        if cl is None:
            raise NotFound(f"未知的集群编号：{cluster_id}", f"unknown cluster id: {cluster_id}")
        group = {"kind": "cluster", "id": cluster_id, "name": str(cl[0])}
        codes, field_ = members, (str(cl[1]) if cl[1] else None)
    else:
        assert regions is not None
        codes = list(dict.fromkeys(r.strip() for r in regions if r.strip()))
        for code in codes:
            if reference.region_level(code) is None:
                raise JiqunError(
                    f"{code!r} 不是 GB/T 2260 行政区划代码",
                    f"{code!r} is not a GB/T 2260 region code",
                )
        group = {"kind": "regions", "id": ",".join(codes), "name": "、".join(codes)}
        field_ = None
    if len(codes) < 2:
        raise JiqunError(
            f"分工至少需要 2 个城市，{group['id']} 只有 {len(codes)} 个",
            f"a division of labour needs at least 2 cities; {group['id']} has {len(codes)}",
        )
    return group, codes, field_


def _permitted(
    principal: Principal | None, engine: Engine, cluster_id: str | None, codes: list[str]
) -> bool:
    if principal is None:
        return True
    try:
        if cluster_id is not None:
            access.require_area_analysis(principal, cluster=cluster_id, engine=engine)
        else:
            for code in codes:
                access.require_area_analysis(principal, region=code, engine=engine)
    except access.AccessDenied:
        return False
    return True


# --------------------------------------------------------------------------------------------
# the matrices: prefecture × industry class
# --------------------------------------------------------------------------------------------


@dataclass
class _Matrices:
    output: pd.DataFrame  # unit × class (NaN = suppressed)
    firms: pd.DataFrame  # unit × class (NaN = suppressed)
    unit_total: pd.Series  # output of all industries per unit
    class_total: pd.Series  # national output per class
    total: float
    leaders: pd.DataFrame | None  # unit × class count of chain leaders (registry only)
    synthetic: bool
    level: int = 4  # digits of the industry codes (4 = class, 2 = division)


def _read_firms(engine: Engine) -> pd.DataFrame:
    """The registry's firms (the columns a plan needs), read once per data version."""
    cols = ("uscc", "region_code", "industry_code", "output", "tags", "synthetic")
    return registry.enterprise_frame(engine, "plan-firms", {c: c for c in cols})


def _read_regions(engine: Engine) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.read_sql(text("SELECT code, level, parent_code FROM regions"), c)


def _read_links(engine: Engine) -> tuple[pd.DataFrame, int | None]:
    """The supply links of the latest year, or none."""
    with engine.connect() as c:
        year = c.execute(text("SELECT MAX(year) FROM supply_links")).scalar()
        if year is None:
            return pd.DataFrame(columns=["supplier", "buyer", "value"]), None
        lk = pd.read_sql(
            text(
                "SELECT supplier_uscc AS supplier, buyer_uscc AS buyer, value "
                "FROM supply_links WHERE year = :y"
            ),
            c,
            params={"y": int(year)},
        )
    return lk, int(year)


def _registry_matrices(engine: Engine) -> _Matrices:
    firms = _read_firms(engine)
    regs = _read_regions(engine)
    pref = prefecture_of(regs.drop_duplicates("code"))
    firms["unit"] = firms["region_code"].map(pref).fillna(firms["region_code"]).astype(str)
    firms["output"] = pd.to_numeric(firms["output"], errors="coerce").fillna(0.0)
    firms["industry_code"] = firms["industry_code"].astype(str)
    g = firms.groupby(["unit", "industry_code"])
    out = g["output"].sum().unstack(fill_value=0.0)
    n = g["uscc"].nunique().unstack(fill_value=0).astype("float64")
    tags = firms["tags"].fillna("").astype(str)
    lead = firms[tags.str.contains("chain_leader", regex=False)]
    leaders = (
        lead.groupby(["unit", "industry_code"])["uscc"]
        .nunique()
        .unstack(fill_value=0)
        .reindex(index=out.index, columns=out.columns, fill_value=0)
        .astype("float64")
    )
    return _Matrices(
        out,
        n,
        firms.groupby("unit")["output"].sum(),
        firms.groupby("industry_code")["output"].sum(),
        float(firms["output"].sum()),
        leaders,
        bool(firms["synthetic"].fillna(False).astype(bool).any()),
    )


def _published_matrices(principal: Principal, engine: Engine) -> _Matrices:
    from jiqun.services.published import published_table
    from jiqun.services.release import current_release

    rel = current_release(engine)
    if rel is None:
        raise JiqunError(
            "尚未生成公开数据，无法按公开汇总数据编制分工方案（管理员可运行 jiqun release build）",
            "no published release yet: a plan from published aggregates cannot be built (an "
            "admin runs jiqun release build)",
        )
    # the deepest industry level the release publishes (never a finer, unpublished table)
    levels = set((rel.get("stats") or {}).get("industry_levels", (0, 1, 2, 3, 4)))
    level = max(lv for lv in (2, 3, 4) if lv in levels) if levels & {2, 3, 4} else 2
    t = published_table(
        principal, engine, measure="output", by="region_industry", industry_level=level
    )
    f = published_table(
        principal, engine, measure="firms", by="region_industry", industry_level=level
    )

    def grid(tab: pd.DataFrame) -> pd.DataFrame:
        v = pd.to_numeric(tab["value"], errors="coerce")
        return (
            pd.DataFrame({"r": tab["region_code"], "i": tab["industry_code"], "v": v})
            .pivot_table(index="r", columns="i", values="v", aggfunc="first", dropna=False)
            .astype("float64")
        )

    out = grid(t.table)
    n = grid(f.table).reindex(index=out.index, columns=out.columns)
    tot = t.totals
    rows = tot[tot["kind"] == "row_total"]
    cols = tot[tot["kind"] == "column_total"]
    grand = tot[tot["kind"] == "grand_total"]
    return _Matrices(
        out,
        n,
        pd.Series(
            pd.to_numeric(rows["value"], errors="coerce").to_numpy(), index=rows["region_code"]
        ),
        pd.Series(
            pd.to_numeric(cols["value"], errors="coerce").to_numpy(), index=cols["industry_code"]
        ),
        float(pd.to_numeric(grand["value"], errors="coerce").sum()) if len(grand) else np.nan,
        None,
        bool(t.basis.get("synthetic")),
        level,
    )


def _city_rows(M: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Rows of the group's cities: the units under each code, summed (NaN if all unknown)."""
    idx = M.index.astype(str)
    rows = {}
    for code in codes:
        sub = M[idx.str.startswith(region_prefix(code))]
        rows[code] = sub.sum(axis=0, min_count=1) if len(sub) else pd.Series(np.nan, M.columns)
    return pd.DataFrame(rows).T.reindex(columns=M.columns)


def _segment_sum(city: pd.DataFrame, seg_codes: dict[str, list[str]]) -> pd.DataFrame:
    """City × segment: the sum over each segment's classes (unknown cells skipped)."""
    out = {}
    for s, cl in seg_codes.items():
        cols = [c for c in cl if c in city.columns]
        # a class with no cell anywhere has no firm anywhere: 0, not unknown
        out[s] = city[cols].sum(axis=1, min_count=1) if cols else pd.Series(0.0, city.index)
    return pd.DataFrame(out, index=city.index)


# --------------------------------------------------------------------------------------------
# the service
# --------------------------------------------------------------------------------------------


def division_plan(
    principal: Principal | None,
    cluster_id: str | None = None,
    chain: str | ChainTemplate | None = None,
    regions: list[str] | None = None,
    *,
    engine: Engine | None = None,
    client: str | None = None,
    min_regions: int = 1,
    max_segments: int | None = None,
    keep: float | None = 2.0,
    overlap_penalty: float = DEFAULT_OVERLAP_PENALTY,
    templates: str | Path | None = None,
    io_table: str | Path | None = None,
) -> PlanView:
    """Divide a chain's segments among the cities of a cluster or of a list of regions.

    Parameters
    ----------
    principal:
        The caller; ``None`` is the local operator (CLI), who sees everything.
    cluster_id:
        A cluster: its member regions are the cities.
    chain:
        Chain id or template; default the first chain of the cluster's field.
    regions:
        GB/T 2260 codes of the cities (instead of a cluster); at least two.
    engine, client:
        Database and the caller's address (audit).
    min_regions, max_segments, keep, overlap_penalty:
        As in :func:`jiqun.planning.division_of_labour`.
    templates:
        User template file or folder.
    io_table:
        An NBS 42-sector table for the input–output dependence of flows without supply links
        (default: the configured ``JIQUN_IO_TABLE``, if any).

    Returns
    -------
    PlanView

    Raises
    ------
    jiqun.planning.PlanInfeasible
        The request cannot be satisfied (names the segment or the limit).
    JiqunError
        Unknown cluster, fewer than two cities, no chain of the cluster's field, no release.

    References
    ----------
    ``docs/planning.md``; ``docs/METHODS.md`` §2, §3, §5, §11.

    Example
    -------
    >>> v = division_plan(None, "NC2022-06", "biomedicine")  # doctest: +SKIP
    >>> v.plan.assignment.any(axis=0).all()  # doctest: +SKIP
    True
    """
    engine = engine or get_engine()
    group, codes, field_ = _group(engine, cluster_id, regions)
    if chain is None:
        fits = fitting_chains(field_, templates)
        if not fits:
            raise JiqunError(
                f"集群 {group['id']} 的领域没有对应的产业链模板，请指定产业链",
                f"no chain template fits the field of {group['id']}; name a chain",
            )
        chain = fits[0]
    template = get_template(chain, templates)
    permitted = _permitted(principal, engine, cluster_id, codes)
    mats = (
        _registry_matrices(engine) if permitted else _published_matrices(principal, engine)  # type: ignore[arg-type]
    )
    source = "registry" if permitted else "published"
    # the segment's industries at the level the data has (classes; the release may stop at
    # divisions: then the divisions holding the segment's classes)
    digits = mats.level
    seg_codes: dict[str, list[str]] = {
        s.id: list(dict.fromkeys(c[:digits] for c in s.codes)) for s in template.segments
    }
    segments = {s.id: (s.name_zh, s.name_en, s.position) for s in template.segments}
    names = {c: reference.region_display_name(c) for c in codes}
    city_out = _city_rows(mats.output, codes)
    seg_out = _segment_sum(city_out, seg_codes)
    seg_firms = _segment_sum(_city_rows(mats.firms, codes), seg_codes)
    city_total = pd.Series(
        {
            c: mats.unit_total[
                mats.unit_total.index.astype(str).str.startswith(region_prefix(c))
            ].sum(min_count=1)
            for c in codes
        }
    )
    nat_seg = pd.Series(
        {s: mats.class_total.reindex(cl).sum(min_count=1) for s, cl in seg_codes.items()}
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = seg_out.div(city_total, axis=0).div(nat_seg / mats.total, axis=1)
    lq = lq.where(np.isfinite(lq))
    # a segment absent from the whole country has LQ 0/0: no revealed advantage anywhere
    lq.loc[:, (nat_seg.fillna(0) == 0).to_numpy()] = 0.0
    X = mats.output.fillna(0.0)
    X = X.loc[X.sum(axis=1) > 0, X.sum(axis=0) > 0]
    no_output = X.shape[0] < 2 or X.shape[1] < 2
    if no_output:
        # no output recorded (or one region / industry only): relatedness is undefined, 0 here
        D = pd.DataFrame(0.0, index=X.index, columns=X.columns)
    else:
        with warnings.catch_warnings():
            # regions or industries without any specialisation are expected, not news here
            warnings.simplefilter("ignore", JiqunWarning)
            D = density(X)
    city_density = _city_rows(D, codes).div(
        pd.Series(
            {
                c: max(1, int(D.index.astype(str).str.startswith(region_prefix(c)).sum()))
                for c in codes
            }
        ),
        axis=0,
    )
    dens = pd.DataFrame(
        {
            s: city_density[[c for c in cl if c in city_density.columns]].mean(axis=1)
            if any(c in city_density.columns for c in cl)
            else pd.Series(0.0, index=codes)
            for s, cl in seg_codes.items()
        }
    ).fillna(0.0)
    if mats.leaders is not None:
        leaders = _segment_sum(_city_rows(mats.leaders, codes), seg_codes).fillna(0.0)
    else:
        leaders = pd.DataFrame(0.0, index=codes, columns=list(seg_codes))
    # a suppressed (published) LQ is unknown: the advantage counts it 0 (a lower bound) and the
    # plan says so; the component stays empty
    unknown = int(lq.isna().to_numpy().sum())
    advantage = (
        lq.fillna(0.0) + DENSITY_WEIGHT * dens + LEADER_WEIGHT * (leaders > 0).astype("float64")
    )
    components = {
        "lq": lq,
        "density": dens,
        "chain_leaders": leaders,
        "output": seg_out,
        "firms": seg_firms,
    }
    plan = division_of_labour(
        advantage,
        min_regions=min_regions,
        max_segments=max_segments,
        keep=keep,
        overlap_penalty=overlap_penalty,
        components=components,
    )
    changes = _changes(plan, template, seg_out, seg_firms, lq, codes, engine, permitted, io_table)
    notes = list(plan.notes)
    if mats.synthetic:
        notes.append("含模拟数据，仅供演示 / contains synthetic demo data, for demonstration only")
    if unknown:
        notes.append(
            f"{unknown} 个城市 × 环节的区位商因保密或缺少数据而未知，优势按 0 计（下限） / {unknown} "
            "city × segment LQs are unknown (suppressed or missing): counted 0 in the advantage "
            "(a lower bound)"
        )
    if no_output:
        notes.append(
            "产值数据不足，关联密度无法计算，按 0 计 / too little output data: relatedness density "
            "is undefined and counted 0"
        )
    if source == "published":
        notes.append(
            "按公开汇总数据编制：保密单元格视为未知，不含链主信息 / built from the published "
            "aggregates only: suppressed cells are unknown, no chain-leader term"
        )
    basis = {
        "chain": template.id,
        "group": group,
        "source": "企业名录（有权限）/ enterprise registry (permitted)"
        if permitted
        else "公开汇总数据 / published release (disclosure-controlled)",
        "advantage": ADVANTAGE_RULE,
        "lq": "区位商：城市该环节行业（模板中的 GB/T 4754 小类）产值占比 ÷ 全国占比 / LQ: the city's "
        "share of output in the segment's industries (GB/T 4754 classes of the template) over "
        "the national share",
        "density": "关联密度：全国地级单位 × 行业小类产值矩阵上的密度（Hidalgo et al. 2007），取环节"
        "各小类的平均 / relatedness density on the country's prefecture × class output matrix "
        "(Hidalgo et al. 2007), mean over the segment's classes",
        "chain_leaders": "标注为链主企业（政府名单）的企业数 / firms tagged chain_leader (the "
        "government's list)",
        "unit": "万元（产值）；家（企业数） / 10k yuan (output); firms",
        "formulation": "max Σ a·x − λ·Σ_s C(n_s,2); Σ_r x ≥ min_regions; Σ_s x ≤ max_segments; "
        "x = 1 where a ≥ keep (docs/planning.md)",
        "industry_level": {
            4: "GB/T 4754-2017 小类（4 位） / class (4 digits)",
            3: "GB/T 4754-2017 中类（3 位） / group (3 digits)",
            2: "GB/T 4754-2017 大类（2 位）：公开数据只到大类，环节按其小类所属大类计 / "
            "division (2 digits): the release stops at divisions, a segment "
            "counts the divisions of its classes",
        }[mats.level],
        "parameters": plan.parameters,
        "synthetic": mats.synthetic,
    }
    if permitted and principal is not None:
        access.audit(
            principal,
            "division_plan",
            f"chain:{template.id}",
            detail={"group": group, "parameters": plan.parameters, "source": source},
            client=client,
            engine=engine,
        )
    return PlanView(
        plan, template, group, names, segments, components, source, changes, basis, notes
    )


# --------------------------------------------------------------------------------------------
# what the plan changes
# --------------------------------------------------------------------------------------------


def _after_structure(plan: DivisionPlan, seg_out: pd.DataFrame) -> pd.DataFrame:
    """Each segment's group output divided among its leaders (∝ their output, else equally)."""
    x = plan.assignment.reindex(index=seg_out.index, columns=seg_out.columns).fillna(False)
    before = seg_out.fillna(0.0)
    after = pd.DataFrame(0.0, index=before.index, columns=before.columns)
    for s in before.columns:
        lead = x.index[x[s].to_numpy(dtype=bool)]
        total = float(before[s].sum())
        if not len(lead) or total <= 0:
            continue
        w = before.loc[lead, s]
        w = w / w.sum() if w.sum() > 0 else pd.Series(1.0 / len(lead), index=lead)
        after.loc[lead, s] = total * w
    return after


def _pairs(M: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep = M.index[M.sum(axis=1) > 0]
    Mk = M.loc[keep]
    if len(keep) < 1 or Mk.to_numpy().sum() <= 0:
        empty = pd.DataFrame(np.nan, index=M.index, columns=M.index)
        return empty, empty
    S = structure_similarity(Mk).reindex(index=M.index, columns=M.index)
    K = krugman_bilateral(Mk).reindex(index=M.index, columns=M.index)
    return S, K


def _changes(
    plan: DivisionPlan,
    template: ChainTemplate,
    seg_out: pd.DataFrame,
    seg_firms: pd.DataFrame,
    lq: pd.DataFrame,
    codes: list[str],
    engine: Engine,
    permitted: bool,
    io_table: str | Path | None,
) -> dict[str, Any]:
    before = seg_out.fillna(0.0)
    after = _after_structure(plan, seg_out)
    S0, K0 = _pairs(before)
    S1, K1 = _pairs(after)
    pairs = pd.DataFrame(
        [
            {
                "city_a": a,
                "city_b": b,
                "similarity_before": S0.loc[a, b],
                "similarity_after": S1.loc[a, b],
                "krugman_before": K0.loc[a, b],
                "krugman_after": K1.loc[a, b],
            }
            for a, b in combinations(codes, 2)
        ]
    )
    x = plan.assignment
    present = (seg_firms.fillna(0.0) > 0).any(axis=0) | seg_firms.isna().any(axis=0)
    led_without_firms = [
        s
        for s in x.columns
        for c in x.index[x[s].to_numpy(dtype=bool)]
        if not (seg_firms.loc[c, s] > 0 or pd.isna(seg_firms.loc[c, s]))
    ]
    segs = pd.DataFrame(
        {
            "segment": list(x.columns),
            "specialised_before": [int((lq[s] >= 1).sum()) for s in x.columns],
            "leaders_after": [int(x[s].sum()) for s in x.columns],
            "present_before": [bool(present[s]) for s in x.columns],
            "leaders_without_firms": [
                [
                    c
                    for c in x.index[x[s].to_numpy(dtype=bool)]
                    if not (seg_firms.loc[c, s] > 0 or pd.isna(seg_firms.loc[c, s]))
                ]
                for s in x.columns
            ],
        }
    )
    n_seg = len(x.columns)
    summary = {
        # mean over the city pairs where both cities have output of the chain (else undefined)
        "similarity_before": _mean(pairs, "similarity_before"),
        "similarity_after": _mean(pairs, "similarity_after"),
        "krugman_before": _mean(pairs, "krugman_before"),
        "krugman_after": _mean(pairs, "krugman_after"),
        "completeness_before": float(present.sum()) / n_seg,
        "completeness_after": float(x.any(axis=0).sum()) / n_seg,
        "segments_to_build": sorted(set(led_without_firms)),
        "overlap_pairs_before": int(
            sum(k * (k - 1) // 2 for k in segs["specialised_before"].to_numpy())
        ),
        "overlap_pairs_after": plan.overlap_pairs,
    }
    flows = _flows(plan, template, engine, permitted, io_table)
    return {
        "pairs": pairs,
        "summary": summary,
        "segments": segs,
        "flows": flows,
        "after_output": after,
        "basis": {
            "structure": "链内结构：城市 × 环节产值；方案后 = 各环节组内产值按牵头城市现有产值比例分配（均无产值时"
            "平均分配） / chain structure: city × segment output; after = each segment's group "
            "output divided among its leading cities in proportion to their current output "
            "(equally when none has any)",
            "similarity": "产业结构相似系数（UNIDO 1979），0–1，越低越不同构 / structure similarity "
            "coefficient (UNIDO 1979), 0–1, lower = less alike",
            "krugman": "双边克鲁格曼指数，0 = 相同，2 = 完全不同 / bilateral Krugman index, 0 = "
            "identical, 2 = disjoint",
            "specialised": "方案前：LQ ≥ 1 的城市数；方案后：牵头城市数 / before: cities with LQ ≥ 1; "
            "after: leading cities",
            "completeness": "组内完整度：方案前 = 组内至少 1 家企业的环节占比；方案后 = 有牵头城市的环节占比（"
            "牵头城市尚无企业的环节列为待补链） / completeness within the group: before = share "
            "of segments with ≥ 1 firm in the group; after = share of segments with a leading "
            "city (segments whose leader has no firm yet are listed to be built)",
        },
    }


def _mean(pairs: pd.DataFrame, col: str) -> float | None:
    v = pd.to_numeric(pairs[col], errors="coerce").dropna() if len(pairs) else pd.Series([])
    return float(v.mean()) if len(v) else None


def _flows(
    plan: DivisionPlan,
    template: ChainTemplate,
    engine: Engine,
    permitted: bool,
    io_table: str | Path | None,
) -> pd.DataFrame:
    """Cross-border flows the plan relies on: template edges between different leading cities.

    Each flow is valued by the supply links between the two cities' firms in the two segments
    (registry callers, where any is recorded), else by the input–output dependence of the two
    segments (when a table is configured), else it is the template's edge without a value; the
    ``basis`` column says which.
    """
    x = plan.assignment
    rows = []
    for s in template.segments:
        for buyer in s.supplies:
            rows += _edge_rows(x, s.id, buyer)
    df = pd.DataFrame(
        rows, columns=["from_segment", "to_segment", "from_city", "to_city"]
    ).drop_duplicates(ignore_index=True)
    df["value"] = np.nan
    df["basis"] = "产业链模板的上下游关系（无金额） / the chain template's supply edge (no value)"
    if not len(df):
        return df
    if permitted:
        _link_values(df, template, engine)
    _io_values(df, template, io_table)
    return df


def _edge_rows(x: pd.DataFrame, u: str, v: str) -> list[tuple[str, str, str, str]]:
    if u not in x.columns or v not in x.columns:
        return []
    fu = x.index[x[u].to_numpy(dtype=bool)]
    tv = x.index[x[v].to_numpy(dtype=bool)]
    return [(u, v, a, b) for a in fu for b in tv if a != b]


def _link_values(df: pd.DataFrame, template: ChainTemplate, engine: Engine) -> None:
    """Value the flows with recorded supply links (those with none keep their basis)."""
    links, year = _read_links(engine)
    if year is None or not len(links):
        return
    firms = _read_firms(engine)[["uscc", "region_code", "industry_code"]]
    seg_of: dict[str, set[str]] = {}
    for s in template.segments:
        for code in s.codes:
            seg_of.setdefault(code, set()).add(s.id)
    fi = firms.set_index("uscc")
    lk = links.join(fi.add_prefix("s_"), on="supplier").join(fi.add_prefix("b_"), on="buyer")
    lk["value"] = pd.to_numeric(lk["value"], errors="coerce").fillna(0.0)
    for k, r in df.iterrows():
        ps, pb = region_prefix(r["from_city"]), region_prefix(r["to_city"])
        m = (
            lk["s_region_code"].astype(str).str.startswith(ps)
            & lk["b_region_code"].astype(str).str.startswith(pb)
            & lk["s_industry_code"].map(lambda c, u=r["from_segment"]: u in seg_of.get(c, ()))
            & lk["b_industry_code"].map(lambda c, v=r["to_segment"]: v in seg_of.get(c, ()))
        )
        if not m.any():
            continue
        df.loc[k, "value"] = float(lk.loc[m, "value"].sum())
        df.loc[k, "basis"] = (
            f"{year} 年供应关系金额（万元），供方城市该环节 → 需方城市该环节 / supply links {year} "
            "(10k yuan), supplier city's segment → buyer city's segment"
        )


def _io_values(df: pd.DataFrame, template: ChainTemplate, io_table: str | Path | None) -> None:
    from jiqun.config import io_table_path

    path = io_table or io_table_path()
    if not path:
        return
    from jiqun.chains.io_weight import segment_sector_shares
    from jiqun.inputoutput import coefficients
    from jiqun.services.inputoutput import load_io_table

    # a configured table that cannot be read is an error the caller must see (never skipped)
    t = load_io_table(path)
    Z, _fd = t.domestic_flows()
    flows = (
        "domestic flows (Domestic rows) / 国内产品流量（非竞争型进口表）"
        if t.Z_domestic is not None
        else "total flows, final demand net of imports / 总流量，最终需求扣除进口（竞争型进口表）"
    )
    A = coefficients(Z, t.x)
    u = segment_sector_shares(template)
    A = A.reindex(index=u.columns, columns=u.columns).fillna(0.0)
    for k, r in df.iterrows():
        if pd.notna(r["value"]):
            continue  # valued by supply links
        if r["from_segment"] in u.index and r["to_segment"] in u.index:
            dep = float(u.loc[r["from_segment"]] @ A @ u.loc[r["to_segment"]])
            df.loc[k, "value"] = dep
            df.loc[k, "basis"] = (
                "投入产出依赖：每元下游环节产出所需上游环节投入（元/元，直接消耗系数；"
                f"{flows.split(' / ')[-1]}） / input–output dependence: yuan of the upstream "
                f"segment per yuan of the downstream one (A; {flows.split(' / ')[0]})"
            )
