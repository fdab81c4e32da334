"""Industrial-chain maps for a region or a cluster from the stored data (产业链图谱服务).

Reads enterprises, supply links, regions and clusters from the system of record, maps every
firm onto a chain template (:func:`jiqun.chains.map_firms`) and runs the chain analytics of
:mod:`jiqun.chains.analysis` for a region (a GB/T 2260 code with all units below it) or a
cluster (its member regions with theirs). Every result carries a ``basis`` dict — year, measure,
unit 万元, region level, code level, value vs count basis, ``synthetic`` — and notes.

The firms of **all** regions are mapped, because suppliers, peers and candidate firms lie
outside the analysed region.

:func:`chain_analysis` is what an interface shows to a caller: it decides, once for the web
pages, the REST API and the CLI, whether the caller may see the firm-level tables
(:func:`jiqun.services.access.require_area_analysis`), keeps only the firms the caller may read
(:func:`jiqun.services.access.visible_rows`) and puts the segment aggregates of firms the
caller may not read under disclosure control (:func:`jiqun.analytics.disclosure.suppress_table`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from jiqun import reference
from jiqun.analytics.disclosure import suppress_table
from jiqun.chains.analysis import BASIS_LABELS, ChainAnalysis, analyse_chain
from jiqun.chains.mapping import map_firms
from jiqun.chains.templates import ChainTemplate, get_template
from jiqun.services import access, registry
from jiqun.services.accounts import Principal
from jiqun.services.cache import cached, derived
from jiqun.services.directory import ENTERPRISE_FIELDS
from jiqun.services.jsonready import json_records, json_value
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH, prefecture_of
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import write_table
from jiqun.store.db import get_engine

__all__ = [
    "FIRM_TABLES",
    "SUPPRESSED",
    "ChainMap",
    "ChainReport",
    "ChainView",
    "RegionSpec",
    "chain_analysis",
    "chain_map",
    "chain_report",
    "io_table_coefficients",
    "io_table_identity",
    "read_overrides",
    "resolve_region",
    "write_chain_output",
]

_LEVEL_ZH = {"province": "省级", "prefecture": "地级", "county": "县级"}


@dataclass
class RegionSpec:
    """The analysed area: a region with the units below it, or a cluster's member regions."""

    kind: str  # "region" | "cluster"
    id: str
    name: str
    codes: set[str]
    level: str
    origin: tuple[float, float] | None
    cluster_field: str | None = None
    members: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})"


@dataclass
class ChainMap:
    """Firms of a chain (optionally only those of a region) with their segments."""

    template: ChainTemplate
    mapping: pd.DataFrame
    summary: pd.DataFrame
    region: RegionSpec | None
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return bool(self.basis.get("synthetic"))


@dataclass
class ChainReport:
    """The chain analytics of one region or cluster, with basis and notes."""

    template: ChainTemplate
    region: RegionSpec
    analysis: ChainAnalysis
    mapping: pd.DataFrame
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return bool(self.basis.get("synthetic"))

    def summary(self) -> dict[str, Any]:
        """Headline figures: completeness, LSR with basis, counts of listed segments."""
        a = self.analysis
        return {
            "chain": self.template.id,
            "chain_name": f"{self.template.name_zh} / {self.template.name_en}",
            "region": self.region.label,
            "segments": len(self.template.segments),
            "segments_present": int(a.completeness.table["present"].sum()),
            "completeness": a.completeness.completeness,
            "weighted_completeness": a.completeness.weighted_completeness,
            "lsr": a.lsr.chain,
            "lsr_basis": a.lsr.chain_basis,
            "weak_or_missing": len(a.weak.table),
            "strong_links": len(a.strong),
            "extend_links": len(a.extend),
            "local_chain_firms": int(self.qualified_mapping()["uscc"].nunique()),
            "local_firms_low_confidence": int(
                self.mapping["uscc"].nunique() - self.qualified_mapping()["uscc"].nunique()
            ),
        }

    def qualified_mapping(self) -> pd.DataFrame:
        """The local mapping rows of qualified firms (confidence ≥ the analysis threshold):
        the one population every table of the analysis counts."""
        m = self.mapping
        if not len(m):
            return m
        return m[m["confidence"].astype("float64") >= float(self.basis["min_confidence"])]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, the local mapping included (for export)."""
        return {**self.analysis.tables(), "mapping": self.mapping}


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _regions(engine: Engine) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.read_sql(text("SELECT code, name, level, parent_code, lon, lat FROM regions"), c)


def resolve_region(
    engine: Engine, region: str | None = None, cluster: str | None = None
) -> RegionSpec:
    """Turn ``--region CODE`` or ``--cluster ID`` into the set of region codes analysed.

    Parameters
    ----------
    engine:
        The database.
    region:
        A GB/T 2260 code (province, prefecture or county); the units below it are included.
    cluster:
        A cluster id; its member regions and the units below them are included.

    Returns
    -------
    RegionSpec

    Raises
    ------
    JiqunError
        Neither or both given, unknown code or cluster, or a cluster without member regions.

    Example
    -------
    >>> spec = resolve_region(engine, cluster="NC2021-03")  # doctest: +SKIP
    >>> "310115" in spec.codes  # doctest: +SKIP
    True
    """
    if (region is None) == (cluster is None):
        raise JiqunError(
            "请给出 --region 地区代码 或 --cluster 集群编号（二选一）",
            "give either --region CODE or --cluster ID (one of them)",
        )
    regs = _regions(engine)
    by_code = regs.drop_duplicates("code").set_index("code")
    children = regs.groupby("parent_code")["code"].agg(list).to_dict()

    def below(code: str) -> set[str]:
        out, todo = {code}, [code]
        while todo:
            for ch in children.get(todo.pop(), []):
                if ch not in out:
                    out.add(ch)
                    todo.append(ch)
        return out

    def origin_of(codes: list[str]) -> tuple[float, float] | None:
        pts = by_code.reindex(codes)[["lon", "lat"]].dropna()
        return (float(pts["lon"].mean()), float(pts["lat"].mean())) if len(pts) else None

    if region is not None:
        code = region.strip()
        if code not in by_code.index:
            raise JiqunError(f"未知的行政区划代码：{code}", f"unknown region code: {code}")
        row = by_code.loc[code]
        name = reference.region_display_name(code)
        return RegionSpec(
            "region", code, name, below(code), str(row["level"]), origin_of([code]), None, [code]
        )
    assert cluster is not None
    with engine.connect() as c:
        cl = pd.read_sql(
            text("SELECT cluster_id, name, field FROM clusters WHERE cluster_id = :c"),
            c,
            params={"c": cluster},
        )
        members = pd.read_sql(
            text("SELECT region_code FROM cluster_regions WHERE cluster_id = :c"),
            c,
            params={"c": cluster},
        )["region_code"].tolist()
    if not len(cl):
        raise JiqunError(f"未知的集群编号：{cluster}", f"unknown cluster id: {cluster}")
    if not members:
        raise JiqunError(
            f"集群 {cluster} 没有登记成员地区，请改用 --region",
            f"cluster {cluster} has no member regions on record; use --region instead",
        )
    codes: set[str] = set()
    for m in members:
        codes |= below(m)
    return RegionSpec(
        "cluster",
        cluster,
        str(cl["name"].iloc[0]),
        codes,
        "cluster member regions (prefecture-level, 集群成员地区)",
        origin_of(members),
        cl["field"].iloc[0] if isinstance(cl["field"].iloc[0], str) else None,
        members,
    )


def _firms(engine: Engine) -> pd.DataFrame:
    # a firm's record as the directory shows it, but its founding date and address
    cols = {c: c for c in ENTERPRISE_FIELDS if c not in ("founded", "address")}
    return registry.enterprise_frame(engine, "chain-firms", cols)


def _links(engine: Engine, year: int | None) -> tuple[pd.DataFrame, int | None]:
    lk, y = cached(engine, ("chain-links", year), lambda: _read_links(engine, year), persist=False)
    return lk.copy(), y


def _lake_links(engine: Engine, year: int | None) -> tuple[pd.DataFrame, int | None] | None:
    """The year's links from the lake (the analytical engine reads only that year's files), or
    ``None`` when the lake is not current."""
    from jiqun.engine.links import year_links, year_or_latest
    from jiqun.services import lake

    with lake.reading(engine) as eng:
        if eng is None:
            return None
        year = year_or_latest(eng, year)
        if year is None:
            return pd.DataFrame(columns=["supplier", "buyer", "value", "synthetic"]), None
        lk = year_links(eng, year)
    return lk[["supplier", "buyer", "value", "synthetic"]], int(year)


def _read_links(engine: Engine, year: int | None) -> tuple[pd.DataFrame, int | None]:
    got = _lake_links(engine, year)
    if got is not None:
        return got
    with engine.connect() as c:
        if year is None:
            year = c.execute(text("SELECT MAX(year) FROM supply_links")).scalar()
        if year is None:
            return pd.DataFrame(columns=["supplier", "buyer", "value", "synthetic"]), None
        lk = pd.read_sql(
            text(
                "SELECT supplier_uscc AS supplier, buyer_uscc AS buyer, value, synthetic "
                "FROM supply_links WHERE year = :y "
                # one order on every database and in the lake
                "ORDER BY supplier_uscc, buyer_uscc, input_category"
            ),
            c,
            params={"y": int(year)},
        )
    return lk, int(year)


def read_overrides(path: str | Path) -> pd.DataFrame:
    """Read a manual override table (``uscc``, ``segment``[, ``chain``, ``confidence``]).

    Parameters
    ----------
    path:
        ``.csv`` (UTF-8) or ``.xlsx``.

    Returns
    -------
    pandas.DataFrame
        All columns as text.

    Example
    -------
    >>> read_overrides("overrides.csv")  # doctest: +SKIP
    """
    p = Path(path)
    if not p.is_file():
        raise JiqunError(f"找不到人工指定文件：{p}", f"override file not found: {p}")
    if p.suffix.lower() == ".xlsx":
        return pd.read_excel(p, dtype=str)
    if p.suffix.lower() == ".csv":
        return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raise JiqunError(
        f"人工指定文件须为 .csv 或 .xlsx：{p}", f"the override file must be .csv or .xlsx: {p}"
    )


def io_table_identity(io_table: str | Path | None) -> tuple[str, float] | None:
    """``(resolved path, mtime)`` of the input–output table in use (explicit, else
    ``JIQUN_IO_TABLE``), or ``None``: part of the cache key, so a changed table is recomputed.

    Parameters
    ----------
    io_table : an explicit table file, or ``None`` for the configured one.

    Returns
    -------
    tuple[str, float] | None: the resolved path and its modification time (``-1.0`` when the
    file is missing), ``None`` when no table is given or configured.

    Example
    -------
    >>> io_table_identity(None)  # doctest: +SKIP
    ('/data/io/china_2020_42.csv', 1765000000.0)
    """
    from jiqun.config import io_table_path

    path = io_table if io_table is not None else io_table_path()
    if path is None:
        return None
    p = Path(path).expanduser()
    return (str(p.resolve()), p.stat().st_mtime if p.is_file() else -1.0)


def io_table_coefficients(
    io_table: str | Path | None = None,
) -> tuple[pd.DataFrame, dict[str, str]] | None:
    """Technical coefficients of the configured (or given) input–output table, with its basis.

    Parameters
    ----------
    io_table:
        Table file (:func:`jiqun.inputoutput.read_io_table`); default
        :func:`jiqun.config.io_table_path` (``JIQUN_IO_TABLE``).

    Returns
    -------
    tuple or None
        ``(A, basis)``: ``A = Z_d / x`` on the domestic flows (non-competitive layout; total
        flows in the competitive one), the same flows as :mod:`jiqun.services.inputoutput`;
        ``basis`` names the table (``io_table``, ``io_table_file``, ``io_table_mtime``).
        ``None`` when no table is given or configured.

    Raises
    ------
    JiqunError
        As :func:`jiqun.services.inputoutput.load_io_table`, which reads the table.

    References
    ----------
    ``docs/inputoutput.md`` ("Where the platform uses it"); Miller & Blair (2009), §2.2.

    Example
    -------
    >>> A, b = io_table_coefficients("china_2020_42.csv")  # doctest: +SKIP
    >>> A.shape  # doctest: +SKIP
    (42, 42)
    """
    from jiqun.inputoutput import coefficients
    from jiqun.services.inputoutput import load_io_table

    ident = io_table_identity(io_table)
    if ident is None:
        return None
    t = load_io_table(ident[0])
    zd, _fd = t.domestic_flows()
    flows = "domestic flows" if t.Z_domestic is not None else "total flows (competitive layout)"
    basis = {
        "io_table": f"{Path(ident[0]).name} ({t.layout}, {t.year or '?'}, {len(t.codes)} "
        f"sectors; {flows})",
        "io_table_file": ident[0],
        "io_table_mtime": f"{ident[1]:.0f}",
    }
    return coefficients(zd, t.x), basis


#: basis line of a chain report weighted by an input–output table
IO_SCORE_BASIS = (
    "补链候选得分 × 投入产出权重：io_score = score × io_weight；io_weight = 本地产业链对该环节所属"
    "投入产出部门的直接消耗系数 ÷ 所列环节中的最大值 / io_score = score × io_weight; io_weight = "
    "the region's chain's direct input requirement from the segment's IO sectors relative to "
    "the most-needed listed segment (ranks within a segment unchanged)"
)


def _map_all(
    firms: pd.DataFrame, template: ChainTemplate, overrides: pd.DataFrame | None
) -> pd.DataFrame:
    return map_firms(firms, template, overrides)


def _basis(
    template: ChainTemplate,
    spec: RegionSpec | None,
    year: int | None,
    synthetic: bool,
    lsr_basis: str | None,
    min_confidence: float,
) -> dict[str, Any]:
    if spec is None:
        level = "country (全国)"
    elif spec.kind == "cluster":
        level = spec.level
    else:
        level = f"{spec.level} ({_LEVEL_ZH.get(spec.level, '')}) with the units below it"
    out: dict[str, Any] = {
        "chain": template.id,
        "template_version": template.version,
        "template": "shipped (内置)" if template.shipped else template.origin,
        "region": spec.label if spec else "全国 country",
        "region_level": level,
        "year": year,
        "measure": "output 工业总产值 (segment values, LQ, weights); revenue 营业收入 "
        "(leader share, candidate size); firm values as stored",
        "unit": "万元",
        "code_level": "GB/T 4754-2017 class (4-digit) + business-scope keywords (jieba) + "
        "manual overrides",
        "min_confidence": min_confidence,
        "firms_counted": f"合格企业：映射置信度不低于 {min_confidence}，各表一致；低于该值的企业只计入"
        f"“低置信度企业” / qualified firms: mapping confidence ≥ {min_confidence}, the same in "
        "every table; firms mapped below it are shown only as low-confidence firms",
        "completeness": "计数口径：本地至少 1 家合格企业的环节数 ÷ 环节总数 / count basis: share "
        "of the template's segments present with ≥ 1 local qualified firm",
        "weighted_completeness": "价值口径：本地已有环节的全国产值占比之和 / value basis: Σ national "
        "output share of the segments present",
        "synthetic": synthetic,
    }
    if lsr_basis is not None:
        zh, en = BASIS_LABELS[lsr_basis]
        out["value_or_count"] = lsr_basis
        out["lsr_basis"] = f"{zh} / {en}"
    return out


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


def chain_map(
    chain: str | ChainTemplate,
    region: str | None = None,
    cluster: str | None = None,
    *,
    engine: Engine | None = None,
    templates: str | Path | None = None,
    overrides: pd.DataFrame | str | Path | None = None,
) -> ChainMap:
    """Map the stored firms onto a chain, optionally keeping one region or cluster.

    Parameters
    ----------
    chain:
        Chain id or template.
    region, cluster:
        Keep only the firms of this region (with the units below it) or cluster; both
        ``None`` keeps the whole country.
    engine:
        Database (default: the configured one).
    templates:
        User template file/folder (see :func:`jiqun.chains.load_templates`).
    overrides:
        Manual mappings (DataFrame or .csv/.xlsx path).

    Returns
    -------
    ChainMap
        ``mapping`` (with firm name, region, industry code, revenue, output), a per-segment
        ``summary``, ``basis`` and notes.

    Example
    -------
    >>> chain_map("photovoltaics", region="130600").summary  # doctest: +SKIP
    """
    engine = engine or get_engine()
    template = get_template(chain, templates)
    spec = (
        resolve_region(engine, region, cluster)
        if region is not None or cluster is not None
        else None
    )
    firms = _firms(engine)
    ov = read_overrides(overrides) if isinstance(overrides, str | Path) else overrides
    m = _map_all(firms, template, ov)
    cols = ["uscc", "name", "region_code", "industry_code", "revenue", "output", "synthetic"]
    m = m.merge(firms[cols], on="uscc", how="left")
    if spec is not None:
        m = m[m["region_code"].isin(spec.codes)].reset_index(drop=True)
    seg = template.segments_frame()[["segment", "name_zh", "name_en", "position"]]
    g = m.groupby("segment")
    summary = seg.assign(
        firms=seg["segment"].map(g["uscc"].nunique()).fillna(0).astype("int64"),
        by_code=seg["segment"]
        .map(m[m["method"] == "code"].groupby("segment").size())
        .fillna(0)
        .astype("int64"),
        by_keyword=seg["segment"]
        .map(m[m["method"] == "keyword"].groupby("segment").size())
        .fillna(0)
        .astype("int64"),
        manual=seg["segment"]
        .map(m[m["method"] == "manual"].groupby("segment").size())
        .fillna(0)
        .astype("int64"),
        output=seg["segment"].map(g["output"].sum()).fillna(0.0),
    )
    synthetic = (
        bool(m["synthetic"].fillna(False).astype(bool).any())
        if len(m)
        else bool(firms["synthetic"].fillna(False).astype(bool).any())
    )
    notes = [f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}"] if synthetic else []
    return ChainMap(
        template, m, summary, spec, _basis(template, spec, None, synthetic, None, 0.0), notes
    )


def chain_report(
    chain: str | ChainTemplate,
    region: str | None = None,
    cluster: str | None = None,
    *,
    engine: Engine | None = None,
    year: int | None = None,
    templates: str | Path | None = None,
    overrides: pd.DataFrame | str | Path | None = None,
    basis: str = "auto",
    inputs: str = "chain",
    min_confidence: float = 0.6,
    top_n: int = 10,
    io_table: str | Path | None = None,
) -> ChainReport:
    """Chain analytics for a region or a cluster from the stored data.

    Parameters
    ----------
    chain:
        Chain id or template.
    region, cluster:
        Exactly one of them (see :func:`resolve_region`).
    engine:
        Database (default: the configured one).
    year:
        Supply-link year (default: the latest).
    templates:
        User template file/folder.
    overrides:
        Manual mappings (DataFrame or .csv/.xlsx path).
    basis, inputs, min_confidence, top_n:
        As in :func:`jiqun.chains.analyse_chain`.
    io_table:
        Input–output table file weighting the 补链 candidates (default ``JIQUN_IO_TABLE``;
        none configured: no weight). The weak-link table gains ``io_dependence``/``io_weight``,
        the candidates ``io_weight``/``io_score``, the basis ``io_table`` and ``io_score``.

    Returns
    -------
    ChainReport
        The analysis, the local mapping, ``basis`` (year, measure, unit 万元, region level,
        code level, value vs count, synthetic) and notes. For a cluster the related area of
        延链 is the cluster's provinces.

    References
    ----------
    docs/METHODS.md §5.

    Example
    -------
    >>> r = chain_report("integrated_circuits", cluster="NC2021-03")  # doctest: +SKIP
    >>> r.analysis.lsr.chain_basis  # doctest: +SKIP
    'value'
    """
    engine = engine or get_engine()
    template = get_template(chain, templates)
    spec = resolve_region(engine, region, cluster)
    io = io_table_coefficients(io_table)
    inputs_ = load_chain_inputs(engine, template, year=year, overrides=overrides)
    return report_for(
        inputs_,
        spec,
        basis=basis,
        inputs=inputs,
        min_confidence=min_confidence,
        top_n=top_n,
        io=io,
    )


@dataclass
class ChainInputs:
    """What a chain analysis reads from the store, loaded once for any number of areas.

    Attributes
    ----------
    template: the chain template.
    firms: every firm (with ``unit``, its prefecture-level unit).
    mapping: every firm's segments (:func:`jiqun.chains.map_firms`).
    links: the supply links of ``link_year`` (empty when none are stored).
    link_year: the supply-link year, or ``None``.
    """

    template: ChainTemplate
    firms: pd.DataFrame
    mapping: pd.DataFrame
    links: pd.DataFrame
    link_year: int | None


def load_chain_inputs(
    engine: Engine,
    template: ChainTemplate,
    *,
    year: int | None = None,
    overrides: pd.DataFrame | str | Path | None = None,
) -> ChainInputs:
    """Load the firms, their mapping to ``template`` and the supply links once.

    Parameters
    ----------
    engine: the database.
    template: the chain template.
    year: supply-link year (default: the latest).
    overrides: manual mappings (DataFrame or .csv/.xlsx path).

    Returns
    -------
    ChainInputs
        For :func:`report_for` (one area) — the same figures as :func:`chain_report`.

    Example
    -------
    >>> ci = load_chain_inputs(engine, get_template("integrated_circuits"))  # doctest: +SKIP
    """
    firms = _firms(engine)
    regs = _regions(engine)
    pref = prefecture_of(regs.drop_duplicates("code"))
    firms["unit"] = firms["region_code"].map(pref).fillna(firms["region_code"])
    links, link_year = _links(engine, year)
    ov = read_overrides(overrides) if isinstance(overrides, str | Path) else overrides
    mapping = _map_all(firms, template, ov)
    return ChainInputs(template, firms, mapping, links, link_year)


def report_for(
    ci: ChainInputs,
    spec: RegionSpec,
    *,
    basis: str = "auto",
    inputs: str = "chain",
    min_confidence: float = 0.6,
    top_n: int = 10,
    io: tuple[pd.DataFrame, dict[str, str]] | None = None,
) -> ChainReport:
    """The chain report of one area from loaded inputs (what :func:`chain_report` returns).

    Parameters
    ----------
    ci: :func:`load_chain_inputs`.
    spec: the area (:func:`resolve_region`).
    basis, inputs, min_confidence, top_n: as in :func:`jiqun.chains.analyse_chain`.
    io: :func:`io_table_coefficients` (the 补链 candidates' input–output weight), or ``None``.

    Returns
    -------
    ChainReport

    Example
    -------
    >>> rep = report_for(ci, resolve_region(engine, cluster="NC2021-02"))  # doctest: +SKIP
    """
    template, firms, mapping, links, link_year = (
        ci.template,
        ci.firms,
        ci.mapping,
        ci.links,
        ci.link_year,
    )
    analysis = analyse_chain(
        mapping,
        firms,
        template,
        spec.codes,
        links if len(links) else None,
        basis=basis,
        inputs=inputs,
        min_confidence=min_confidence,
        origin=spec.origin,
        top_n=top_n,
        io_coefficients=io[0] if io is not None else None,
    )
    local = firms[firms["region_code"].isin(spec.codes)]
    lm = mapping[mapping["uscc"].isin(local["uscc"])].merge(
        local[["uscc", "name", "region_code", "industry_code", "revenue", "output"]],
        on="uscc",
        how="left",
    )
    synthetic = bool(firms["synthetic"].fillna(False).astype(bool).any()) or bool(
        len(links) and links["synthetic"].fillna(False).astype(bool).any()
    )
    notes: list[str] = []
    if synthetic:
        notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    if spec.cluster_field and spec.cluster_field != template.field:
        notes.append(
            f"集群领域（{spec.cluster_field}）与产业链领域（{template.field}）不同 / the cluster's field "
            f"({spec.cluster_field}) differs from the chain's ({template.field})"
        )
    if link_year is None:
        notes.append(
            "数据库中没有供应关系，本地配套率按计数口径 / no supply links stored: the local "
            "supporting rate uses the count basis"
        )
    low = template.code_table()
    n_low = int((low["confidence"] == "low").sum())
    if n_low:
        notes.append(
            f"模板中 {n_low} 个行业代码对应为低置信度（仅按代码映射的企业置信度 0.4，低于 "
            f"{min_confidence} 时不计为合格企业） / {n_low} code mappings of the template are "
            f"low-confidence (code-only firms get 0.4; below {min_confidence} they do not count "
            "as qualified firms)"
        )
    notes += analysis.notes
    b = _basis(template, spec, link_year, synthetic, analysis.lsr.basis, min_confidence)
    if io is not None:
        b |= {**io[1], "io_score": IO_SCORE_BASIS}
    return ChainReport(template, spec, analysis, lm, b, list(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------------------------
# What a caller may see
# ---------------------------------------------------------------------------------------------

#: tables with one row per enterprise (shown only to callers allowed the area analysis, and
#: then only the rows of firms they may read)
FIRM_TABLES = ("lsr_firms", "candidates", "leader_candidates", "mapping")
#: segment-table columns that add up firm figures (disclosure control)
_SEGMENT_MAGNITUDES = ("output", "revenue", "employees", "rd_expense", "share_of_national", "lq")
#: columns of a segment's supply-link figures (the local supporting rate on the value basis)
_LSR_MAGNITUDES = ("lsr", "lsr_value", "local_value", "total_value")
#: label of a cell withheld by disclosure control
SUPPRESSED = "保密 / suppressed"


@dataclass
class ChainView:
    """A chain analysis as one caller may see it (:func:`chain_analysis`).

    Attributes
    ----------
    report:
        The full analysis (not for display: use ``tables`` and ``summary``).
    permitted:
        Whether the caller may see firm-level tables of this area.
    denial:
        The refusal when not permitted (HTTP 401/403), raised by :meth:`require`.
    tables:
        Every table of :meth:`ChainReport.tables` as the caller may see it; the
        :data:`FIRM_TABLES` are ``None`` when not permitted.
    hidden:
        Rows left out of each table (firms the caller may not read).
    summary:
        :meth:`ChainReport.summary`, with the chain-level local supporting rate withheld
        (``None``) when it would come from fewer than three firms the caller may not read.
    suppressed_segments:
        Segments whose magnitudes are withheld (:data:`SUPPRESSED`).
    notes:
        The report's notes plus what was left out.
    """

    report: ChainReport
    permitted: bool
    denial: access.AccessDenied | None
    tables: dict[str, pd.DataFrame | None]
    hidden: dict[str, int]
    summary: dict[str, Any]
    suppressed_segments: list[str]
    notes: list[str]

    def require(self) -> None:
        """Raise the refusal (HTTP 403) when the caller may not see the firm-level tables."""
        if self.denial is not None:
            raise self.denial


def _protect_segments(
    segs: pd.DataFrame, mapping: pd.DataFrame, readable: set[str], everything: bool
) -> tuple[pd.DataFrame, set[str]]:
    """The segment table with the magnitudes of protected segments withheld.

    A segment whose local firms the caller may all read is shown as is; the others go through
    the primary rule of :func:`jiqun.analytics.disclosure.suppress_table` (fewer than 3 firms,
    or the largest over 85 % of the output). No total over segments is published (a firm may
    serve several segments), so there is no equation for complementary suppression to guard.
    """
    out = segs.copy()
    out["suppressed"] = False
    if everything or not len(out):
        return out, set()
    m = mapping[["uscc", "segment", "output"]].copy() if len(mapping) else None
    members: dict[str, set[str]] = {}
    share: dict[str, float] = {}
    if m is not None:
        m = m.drop_duplicates(["uscc", "segment"])
        m["output"] = pd.to_numeric(m["output"], errors="coerce").fillna(0.0).clip(lower=0.0)
        for seg, g in m.groupby("segment"):
            members[str(seg)] = set(g["uscc"].astype(str))
            tot = float(g["output"].sum())
            share[str(seg)] = float(g["output"].max()) / tot if tot > 0 else 0.0
    open_rows = [
        i
        for i, seg, n in zip(out.index, out["segment"], out["firms"], strict=True)
        if n > 0 and not (members.get(str(seg)) and members[str(seg)] <= readable)
    ]
    if not open_rows:
        return out, set()
    cells = pd.DataFrame(
        {
            "segment": out.loc[open_rows, "segment"].astype(str),
            "value": pd.to_numeric(out.loc[open_rows, "output"], errors="coerce").fillna(0.0),
            "n_enterprises": out.loc[open_rows, "firms"].astype("int64"),
            "top_share": [share.get(str(s), 1.0) for s in out.loc[open_rows, "segment"]],
        }
    )
    res = suppress_table(cells, row="segment", totals=False)
    hit = set(res.cells.loc[res.cells["suppressed"].astype(bool), "segment"])
    rows = out["segment"].astype(str).isin(hit)
    out["suppressed"] = rows
    for c in _SEGMENT_MAGNITUDES:
        if c in out.columns:
            out[c] = out[c].astype(object).where(~rows, None)
    return out, hit


def _blank(df: pd.DataFrame, rows: pd.Series, cols: tuple[str, ...]) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        if c in out.columns:
            out[c] = out[c].astype(object).where(~rows, None)
    return out


@dataclass(frozen=True)
class _Disclosed:
    """The aggregate tables of a chain report after disclosure control for one set of readable
    firms (:func:`_disclose`); shared between requests, so never mutated."""

    tables: dict[str, pd.DataFrame]
    hit: frozenset[str]
    strong_hidden: int | None
    summary: dict[str, Any]
    local: frozenset[str]


def _disclose(
    rep: ChainReport,
    tables: dict[str, pd.DataFrame | None],
    readable: set[str],
    everything: bool,
) -> _Disclosed:
    """Disclosure control of the segment, LSR, weak- and strong-link tables of ``rep`` for a
    caller who may read ``readable`` (all firms when ``everything``), with the report's
    summary and its local firms (:func:`chain_analysis` rules 2 and 3)."""
    out: dict[str, pd.DataFrame] = {}
    # disclosure is judged on the firms the segment table counts (the qualified ones)
    segs, hit = _protect_segments(tables["segments"], rep.qualified_mapping(), readable, everything)
    out["segments"] = segs
    for name, cols in (
        ("lsr_segments", _LSR_MAGNITUDES),
        ("weak_links", ("lsr",)),
        ("strong_links", (*_SEGMENT_MAGNITUDES, "cr1", "hhi")),
    ):
        df = tables.get(name)
        if df is not None and len(df) and hit:
            out[name] = _blank(df, df["segment"].astype(str).isin(hit), cols)
    strong = out.get("strong_links", tables.get("strong_links"))
    strong_hidden: int | None = None
    if strong is not None and len(strong) and not everything and "top_firm" in strong.columns:
        unseen = strong["top_firm"].notna() & ~strong["top_firm"].astype(str).isin(readable)
        strong_hidden = int(unseen.sum())
        out["strong_links"] = _blank(strong, unseen, ("top_firm", "top_firm_name", "cr1", "hhi"))
    mapping = rep.mapping
    local = frozenset(mapping["uscc"].astype(str)) if len(mapping) else frozenset()
    return _Disclosed(out, frozenset(hit), strong_hidden, rep.summary(), local)


def chain_analysis(
    principal: Principal | None,
    chain: str | ChainTemplate,
    region: str | None = None,
    cluster: str | None = None,
    *,
    engine: Engine | None = None,
    client: str | None = None,
    cache: bool = False,
    require: bool = False,
    **options: Any,
) -> ChainView:
    """The chain analysis of a region or a cluster as ``principal`` may see it.

    The one access decision for chain analyses (web pages, REST API and CLI use it):

    1. The firm-level tables (:data:`FIRM_TABLES`: chain-leader candidates, gap-filling
       candidates, firm LSR, the mapping) need the area analysis right
       (:func:`jiqun.services.access.require_area_analysis`: admin, the area's government,
       the cluster's own organisation). Without it they are ``None`` and :meth:`ChainView.require`
       raises the 403; with it they keep the firms the caller may read (``hidden`` counts the
       rest; reads through a grant are audited).
    2. Segment aggregates whose firms the caller may not all read pass the primary rule of
       disclosure control; a suppressed segment's output, revenue, employees, R&D, share and LQ,
       its value-basis LSR and its strong-link concentration are withheld (``None``,
       ``suppressed`` True, :data:`SUPPRESSED` on pages). The top firm of a strong link is
       shown only when the caller may read it.
    3. A permitted analysis is audited (``chain_analysis``).

    Parameters
    ----------
    principal:
        The caller; ``None`` is the local operator of the database (CLI), who sees everything.
    chain, region, cluster:
        As in :func:`chain_report`.
    engine:
        Database.
    client:
        The caller's address for the audit log.
    cache:
        Reuse the report computed for this data version (:func:`jiqun.services.cache.cached`).
    require:
        Raise the refusal at once, before any computation, when the caller may not see the
        firm-level tables (an interface that returns only those: the REST API).
    **options:
        Further arguments of :func:`chain_report` (``year``, ``basis``, ``min_confidence``,
        ``top_n``, ``io_table``). The input–output table in use (``io_table`` or
        ``JIQUN_IO_TABLE``) is part of the cache key by path and modification time.

    Returns
    -------
    ChainView

    Raises
    ------
    jiqun.services.access.AccessDenied
        401 for the public (nothing of the analysis is shown to it); 403 with ``require`` when
        the firm-level tables are not permitted.
    JiqunError
        The errors of :func:`chain_report`.

    References
    ----------
    ``docs/chains.md``; ``docs/disclosure.md`` (primary rule).

    Example
    -------
    >>> v = chain_analysis(None, "integrated_circuits", cluster="NC2021-03")  # doctest: +SKIP
    >>> v.permitted  # doctest: +SKIP
    True
    """
    engine = engine or get_engine()
    denial: access.AccessDenied | None = None
    if principal is not None:
        try:
            access.require_area_analysis(principal, region=region, cluster=cluster, engine=engine)
        except access.AccessDenied as exc:
            if exc.status == 401 or require:
                raise
            denial = exc

    def compute() -> ChainReport:
        return chain_report(chain, region, cluster, engine=engine, **options)

    key: tuple[Any, ...] | None = None
    if cache:
        cid = chain.id if isinstance(chain, ChainTemplate) else str(chain)
        # the IO table is read from the file system, not the store: its identity (path and
        # mtime) keys the result so a replaced table is not served from the old one
        io_id = io_table_identity(options.get("io_table"))
        key = ("chain_report", cid, region, cluster, tuple(sorted(options.items())), io_id)
        rep = cached(engine, key, compute)
    else:
        rep = compute()
    # the principal whose reads are filtered: None when every firm may be shown (CLI, admin)
    restricted = principal if principal is not None and principal.role != "admin" else None
    everything = restricted is None
    readable: set[str] = set()
    mapping = rep.mapping
    all_tables = rep.tables()
    known: tuple[set[str], dict[str, int]] | None = None
    if restricted is not None:
        # who may read which firm, read once for every table that is filtered below (each
        # table used to read it again: the whole own scope when a table names 2,000+ firms)
        firm_tables = [mapping] if denial is not None else [all_tables[n] for n in FIRM_TABLES]
        codes = [df["uscc"] for df in firm_tables if df is not None and "uscc" in df.columns]
        if codes and sum(len(c) for c in codes):
            known = access.readable_sets(restricted, pd.concat(codes, ignore_index=True), engine)
    if restricted is not None and len(mapping):
        seen, _n = access.visible_rows(
            restricted, mapping[["uscc"]], "uscc", engine, client, known=known
        )
        readable = set(seen["uscc"].astype(str))
    tables: dict[str, pd.DataFrame | None] = {}
    hidden: dict[str, int] = {}
    for name, df in all_tables.items():
        n_hidden = 0
        if name in FIRM_TABLES:
            if denial is not None:
                tables[name], hidden[name] = None, 0
                continue
            if restricted is not None:
                df, n_hidden = access.visible_rows(
                    restricted, df, "uscc", engine, client, known=known
                )
        tables[name], hidden[name] = df, n_hidden

    def disclose() -> _Disclosed:
        return _disclose(rep, tables, readable, everything)

    if key is not None:
        # what disclosure control leaves of the aggregate tables is a function of the report
        # and of the firms this caller may read among its local ones (nothing else of the
        # caller): kept with the shared report per such set, not redone on every warm request
        d = derived(rep, ("chain-disclosed", everything, frozenset(readable)), disclose)
    else:
        d = disclose()
    tables.update(d.tables)
    hit = set(d.hit)
    if d.strong_hidden is not None:
        hidden["strong_links"] = d.strong_hidden
    summary = dict(d.summary)
    local = d.local
    if not everything and not local <= readable and 0 < len(local) < 3:
        summary["lsr"] = None  # the chain's LSR of one or two firms is theirs
    notes = list(rep.notes)
    if denial is not None:
        notes.append(
            "无权查看企业明细（链主候选、补链候选、企业映射）：仅管理员、所辖地区政府或本集群促进机构可见 / "
            "firm-level tables (chain-leader and gap candidates, firm mapping) not permitted: "
            "only an admin, the area's government or the cluster's organisation may see them"
        )
    n_hidden = sum(hidden.values())
    if n_hidden:
        notes.append(
            f"{n_hidden} 行涉及您无权查看的企业，未显示 / {n_hidden} rows about enterprises you "
            "may not read are not shown"
        )
    if hit:
        notes.append(
            f"{len(hit)} 个环节的产值等数据按披露控制规则保密（少于 3 家企业或一家占比超过 85%）/ "
            f"{len(hit)} segment(s) suppressed by disclosure control (fewer than 3 firms or one "
            "firm above 85 %)"
        )
    if principal is not None and denial is None:
        # ONE entry naming every firm left in the firm-level tables and the query
        named: set[str] = set()
        for name in (*FIRM_TABLES, "strong_links"):
            df = tables.get(name)
            col = "top_firm" if name == "strong_links" else "uscc"
            if df is not None and col in df.columns:
                named.update(df[col].dropna().astype(str))
        access.audit_read(
            principal,
            "chain_analysis",
            sorted(named),
            resource=f"chain:{rep.template.id}",
            params={"cluster": cluster, "region": region, **options},
            detail={"hidden_rows": sum(hidden.values())},
            client=client,
            engine=engine,
        )
    return ChainView(rep, denial is None, denial, tables, hidden, summary, sorted(hit), notes)


# ---------------------------------------------------------------------------------------------
# Output files
# ---------------------------------------------------------------------------------------------


#: Tables of a :class:`ChainReport` with one row per firm (column ``uscc``).
FIRM_TABLES = ("lsr_firms", "candidates", "leader_candidates", "mapping")


def report_tables_for(
    principal: Any,
    rep: ChainReport,
    engine: Engine | None = None,
    client: str | None = None,
    params: dict[str, Any] | None = None,
) -> tuple[dict[str, tuple[pd.DataFrame, int]], int]:
    """The tables of a chain report one reader may see, and ONE audit entry for the read.

    Rows about firms the reader may not read (own scope or an active grant) are left out of the
    firm tables (:data:`FIRM_TABLES`); a segment's ``top_firm`` is blanked likewise. The read is
    written once (``chain_analysis``), naming every firm left in the tables and the query.

    Parameters
    ----------
    principal: the reader (already allowed the area by
        :func:`jiqun.services.access.require_area_analysis`; the CLI passes
        :func:`jiqun.services.access.local_principal`).
    rep: the report of :func:`chain_report`.
    engine: the database.
    client: the client address for the audit entry.
    params: the query (chain, cluster or region, year, ...), kept in the entry.

    Returns
    -------
    (tables, hidden)
        ``tables``: name → (rows shown, rows left out); ``hidden``: rows left out in all.

    Example
    -------
    >>> tables, hidden = report_tables_for(access.local_principal(), rep)  # doctest: +SKIP
    """
    from jiqun.services import access

    engine = engine or get_engine()
    tables: dict[str, tuple[pd.DataFrame, int]] = {}
    named: set[str] = set()
    for name, df in rep.tables().items():
        hidden = 0
        if name in FIRM_TABLES:
            df, hidden = access.visible_rows(
                principal, df, "uscc", engine, client, audit_grants=False
            )
            if "uscc" in df.columns:
                named.update(df["uscc"].dropna().astype(str))
        elif "top_firm" in df.columns and len(df):
            firms = df[["top_firm"]].dropna().rename(columns={"top_firm": "uscc"})
            seen, _n = access.visible_rows(
                principal, firms, "uscc", engine, client, audit_grants=False
            )
            mask = ~df["top_firm"].isin(set(seen["uscc"]))
            hidden = int((mask & df["top_firm"].notna()).sum())
            df = df.astype({"top_firm": object, "top_firm_name": object})
            df.loc[mask, ["top_firm", "top_firm_name"]] = None
            named.update(df["top_firm"].dropna().astype(str))
        tables[name] = (df, hidden)
    n_hidden = sum(h for _df, h in tables.values())
    access.audit_read(
        principal,
        "chain_analysis",
        sorted(named),
        resource=f"chain:{rep.template.id}",
        params=params,
        detail={"hidden_rows": n_hidden},
        client=client,
        engine=engine,
    )
    return tables, n_hidden


def write_chain_output(result: ChainReport | ChainMap, path: str | Path) -> Path:
    """Write a report or map to ``.json``, ``.xlsx`` or (map only, or the mapping) ``.csv``.

    Parameters
    ----------
    result:
        :class:`ChainReport` or :class:`ChainMap`.
    path:
        Output file; the format follows the extension. An ``.xlsx`` has one sheet per table
        plus ``basis`` (口径) and ``notes``; ``.json`` holds ``basis``, ``notes``, ``summary``
        and every table as records; ``.csv`` holds the firm mapping.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    JiqunError
        For another extension.

    Example
    -------
    >>> write_chain_output(report, "ic.xlsx")  # doctest: +SKIP
    """
    p = Path(path)
    ext = p.suffix.lower()
    if isinstance(result, ChainReport):
        tables = result.tables()
        summary = json_value(result.summary())
    else:
        tables = {"mapping": result.mapping, "summary": result.summary}
        summary = None
    basis_df = pd.DataFrame(
        {"key": list(result.basis), "value": [str(v) for v in result.basis.values()]}
    )
    p.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".csv":
        write_table(p, result.mapping)
    elif ext == ".json":
        doc = {
            "basis": json_value(result.basis),
            "notes": result.notes,
            "summary": summary,
            "tables": {k: json_records(v) for k, v in tables.items()},
        }
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    elif ext == ".xlsx":
        head = (
            {}
            if summary is None
            else {"summary": pd.DataFrame({"key": list(summary), "value": list(summary.values())})}
        )
        head |= {"basis": basis_df, "notes": pd.DataFrame({"note": result.notes})}
        write_table(p, head | tables)
    else:
        raise JiqunError(
            f"输出文件须为 .json、.xlsx 或 .csv：{p}",
            f"the output file must be .json, .xlsx or .csv: {p}",
        )
    return p
