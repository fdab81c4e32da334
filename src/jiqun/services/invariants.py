"""Invariant checks: the rules every answer of Jiqun must obey, as code.

Each check reads the SAME service results the pages, the REST API and the CLI show
(:func:`jiqun.services.chains.report_for`, :func:`jiqun.services.policy.evaluate_stored_clusters`,
:func:`jiqun.services.diagnosis.diagnose_cluster`) and returns the violations it finds, one row
each. The invariants (:data:`INVARIANTS`):

``chain.missing_with_firms``
    A segment with local firms in the segment table is never listed as missing (缺链).
``chain.present``
    A segment is present exactly when the segment table counts ≥ 1 local firm; the local
    supporting rate judges presence on the same firms.
``chain.completeness``
    Completeness = share of the template's segments present (count basis); the summary's
    ``segments_present``/``completeness`` and the value-weighted completeness agree with the
    table; the basis states both bases.
``chain.totals``
    The segment table adds up to its parts: Σ segment firms = the (firm, segment) pairs of the
    local qualified mapping, Σ segment output = their output, and the summary's local chain
    firms = the distinct firms of that mapping.
``evaluation.score_parts``
    A score is the sum of its indicator contributions.
``evaluation.insufficient_data``
    An indicator without data is empty (never 0) and listed as missing; a cluster without a
    score has no rank, no rank change and the advice 数据不足 / insufficient data, never a policy
    advice; a scored cluster has a rank.
``evaluation.rank_change``
    ``rank_change`` = previous rank − current rank in the cluster's population; ranks run from
    1 within each tier and year.
``diagnosis.totals``
    The diagnosis adds up: each member's leading-industry value = the sum of its rows in the
    leading-industry table; the cluster's value per leading industry = the sum over members.
``cluster.regions``
    Every national cluster has member regions, and its diagnosis runs.
``cluster.figures``
    Every national cluster has figures (scale or specialisation in the latest year). A cluster
    whose area holds no statistics at all is reported with severity ``data_gap`` (the store
    lacks the data; the pages show 数据不足), not as a violation.

References
----------
``docs/invariants.md`` (how to run the checks, what each one means); ``docs/METHODS.md``
("Cluster evaluation", §5 chain completeness).

Example
-------
>>> from jiqun.store.db import get_engine
>>> v = check_all(get_engine())  # doctest: +SKIP
>>> v[v["severity"] == "violation"].empty  # doctest: +SKIP
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from jiqun.chains.templates import ChainTemplate, load_templates
from jiqun.services.cache import cached
from jiqun.services.chains import (
    ChainInputs,
    ChainReport,
    RegionSpec,
    load_chain_inputs,
    report_for,
    resolve_region,
)
from jiqun.store.db import get_engine

#: invariant id → (中文, English) statement
INVARIANTS: dict[str, tuple[str, str]] = {
    "chain.missing_with_firms": (
        "有本地企业的环节不得列为缺链",
        "a segment with local firms is never reported missing",
    ),
    "chain.present": (
        "环节“已有”当且仅当环节表中本地企业 ≥ 1，配套率判断同一批企业",
        "a segment is present exactly when the segment table counts ≥ 1 local firm",
    ),
    "chain.completeness": (
        "完整度 = 已有环节数 / 环节总数，汇总与加权口径一致并在口径中说明",
        "completeness = share of segments present; summary and weighted figure agree, bases stated",
    ),
    "chain.totals": ("环节表合计等于各部分之和", "the segment table equals the sum of its parts"),
    "evaluation.score_parts": ("得分等于各指标贡献之和", "a score is the sum of its contributions"),
    "evaluation.insufficient_data": (
        "无数据的指标显示数据不足（不为 0、不给建议、不排名）",
        "an indicator without data shows insufficient data (never 0, no advice, no rank)",
    ),
    "evaluation.rank_change": (
        "排名变化 = 上年名次 − 本年名次，层级内排名",
        "rank change = previous − current rank, within the tier",
    ),
    "diagnosis.totals": (
        "诊断各表合计等于各部分之和",
        "the diagnosis tables equal the sum of their parts",
    ),
    "cluster.regions": (
        "每个国家级集群都有成员地区且可诊断",
        "every national cluster has member regions and a diagnosis",
    ),
    "cluster.figures": ("每个国家级集群都有数据", "every national cluster has figures"),
}

#: columns of the violations table
COLUMNS = ["kind", "id", "template", "invariant", "severity", "message_zh", "message_en"]

_REL = 1e-6


def _close(a: float, b: float, rel: float = _REL, abs_: float = 1e-6) -> bool:
    if (a is None or (isinstance(a, float) and math.isnan(a))) and (
        b is None or (isinstance(b, float) and math.isnan(b))
    ):
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)
    except (TypeError, ValueError):
        return False


def _row(
    kind: str,
    ident: str,
    template: str | None,
    invariant: str,
    zh: str,
    en: str,
    severity: str = "violation",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": ident,
        "template": template,
        "invariant": invariant,
        "severity": severity,
        "message_zh": zh,
        "message_en": en,
    }


# ---------------------------------------------------------------------------------------------
# chains
# ---------------------------------------------------------------------------------------------


def check_chain_report(rep: ChainReport, kind: str, ident: str) -> list[dict[str, Any]]:
    """The chain invariants on one report (one area × one template).

    Parameters
    ----------
    rep: the report (:func:`jiqun.services.chains.report_for` or ``chain_report``).
    kind, ident: what the area is (``cluster``/``region``) and its id, for the rows.

    Returns
    -------
    list[dict]
        One row per violation (columns :data:`COLUMNS`).

    Example
    -------
    >>> check_chain_report(chain_report("integrated_circuits", cluster="NC2021-02"),
    ...                    "cluster", "NC2021-02")  # doctest: +SKIP
    []
    """
    out: list[dict[str, Any]] = []
    tid = rep.template.id
    a = rep.analysis
    seg = a.segments.set_index("segment")
    comp = a.completeness.table.set_index("segment")
    weak = a.weak.table

    def bad(inv: str, zh: str, en: str) -> None:
        out.append(_row(kind, ident, tid, inv, zh, en))

    missing = set(weak.loc[weak["reason"] == "missing", "segment"]) if len(weak) else set()
    for s, n in seg["firms"].items():
        if int(n) > 0 and s in missing:
            bad(
                "chain.missing_with_firms",
                f"环节 {seg.loc[s, 'name_zh']} 有 {int(n)} 家本地企业，却被列为缺链",
                f"segment {s} has {int(n)} local firms but is listed as missing",
            )
    for s in seg.index:
        has = int(seg.loc[s, "firms"]) >= 1
        if s not in comp.index or bool(comp.loc[s, "present"]) != has:
            bad(
                "chain.present",
                f"环节 {s}：完整度表的“已有”与环节表企业数不一致",
                f"segment {s}: 'present' in completeness disagrees with the segment table",
            )
    lsr_present = a.lsr.segments.set_index("segment")["present"]
    for s, p in lsr_present.items():
        if s in comp.index and bool(p) != bool(comp.loc[s, "present"]):
            bad(
                "chain.present",
                f"环节 {s}：配套率与完整度对“已有”的判断不一致",
                f"segment {s}: the local supporting rate and completeness disagree on presence",
            )
    n_seg = len(rep.template.segments)
    n_present = int(comp["present"].sum())
    share = n_present / n_seg if n_seg else float("nan")
    summ = rep.summary()
    if not _close(a.completeness.completeness, share):
        bad(
            "chain.completeness",
            f"完整度 {a.completeness.completeness} ≠ 已有环节占比 {n_present}/{n_seg}",
            f"completeness {a.completeness.completeness} ≠ share present {n_present}/{n_seg}",
        )
    if summ["segments_present"] != n_present or summ["segments"] != n_seg:
        bad(
            "chain.completeness",
            f"汇总 {summ['segments_present']}/{summ['segments']} 与环节表 {n_present}/{n_seg} 不符",
            f"summary {summ['segments_present']}/{summ['segments']} ≠ table {n_present}/{n_seg}",
        )
    if not _close(summ["completeness"], share):
        bad(
            "chain.completeness",
            "汇总完整度与环节表不符",
            "the summary's completeness differs from the table",
        )
    w = comp["weight"].astype("float64")
    if a.completeness.weighted_completeness is not None and np.nansum(w) > 0:
        want = float((w * comp["present"]).sum() / w.sum())
        if not _close(a.completeness.weighted_completeness, want):
            bad(
                "chain.completeness",
                "加权完整度 ≠ Σ 权重·已有 / Σ 权重",
                "weighted completeness ≠ Σ weight·present / Σ weight",
            )
    for key in ("completeness", "weighted_completeness", "value_or_count", "firms_counted"):
        if key not in rep.basis:
            bad(
                "chain.completeness",
                f"口径未说明 {key}",
                f"the basis does not state {key}",
            )
    # totals: the segment table against the local qualified mapping it counts
    q = rep.qualified_mapping()
    pairs = q.drop_duplicates(["uscc", "segment"]) if len(q) else q
    n_pairs = len(pairs)
    if int(seg["firms"].sum()) != n_pairs:
        bad(
            "chain.totals",
            f"各环节企业数之和 {int(seg['firms'].sum())} ≠ 本地合格映射 {n_pairs} 对",
            f"Σ segment firms {int(seg['firms'].sum())} ≠ {n_pairs} local qualified pairs",
        )
    if len(pairs):
        out_sum = float(pd.to_numeric(pairs["output"], errors="coerce").fillna(0.0).sum())
        if not _close(float(seg["output"].sum()), out_sum, rel=1e-9, abs_=1e-3):
            bad(
                "chain.totals",
                f"各环节产值之和 {float(seg['output'].sum()):,.2f} ≠ 企业合计 {out_sum:,.2f} 万元",
                f"Σ segment output {float(seg['output'].sum()):,.2f} ≠ firms' {out_sum:,.2f}",
            )
    n_firms = int(q["uscc"].nunique()) if len(q) else 0
    if summ["local_chain_firms"] != n_firms or (
        n_firms and not (int(seg["firms"].max()) <= n_firms <= int(seg["firms"].sum()))
    ):
        bad(
            "chain.totals",
            f"汇总本地链上企业 {summ['local_chain_firms']} 与环节表不符",
            f"summary local chain firms {summ['local_chain_firms']} disagree with the table",
        )
    return out


# ---------------------------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------------------------


def check_evaluation(
    scores: pd.DataFrame, *, rows: bool = True, groups: bool = True
) -> list[dict[str, Any]]:
    """The evaluation invariants on the table of
    :func:`jiqun.services.policy.evaluate_stored_clusters` (every year).

    Parameters
    ----------
    scores: the evaluation table (or the rows of some clusters, with ``groups=False``).
    rows: check each row (score parts, insufficient data, rank change).
    groups: check that the ranks of each tier and year run from 1 (needs the whole table).

    Returns
    -------
    list[dict]
        One row per violation.

    Example
    -------
    >>> check_evaluation(evaluate_stored_clusters()[0])  # doctest: +SKIP
    []
    """
    from jiqun.policy.evaluation import INDICATORS

    out: list[dict[str, Any]] = []
    if scores.empty:
        return out
    inds = [k for k in INDICATORS if f"{k}_contribution" in scores.columns]
    prev = (
        scores.sort_values(["cluster_id", "year"])
        .assign(_prev=lambda d: d.groupby("cluster_id")["rank"].shift())
        .set_index(["cluster_id", "year"])["_prev"]
    )
    for r in scores.to_dict(orient="records") if rows else []:
        cid, y = str(r["cluster_id"]), int(r["year"])

        def bad(inv: str, zh: str, en: str, cid: str = cid, y: int = y) -> None:
            out.append(_row("cluster", cid, None, inv, f"{y} 年：{zh}", f"{y}: {en}"))

        score = r["score"]
        scored = score is not None and not pd.isna(score)
        missing = set(filter(None, str(r.get("missing") or "").split(";")))
        for k in inds:
            v = r.get(k)
            empty = v is None or pd.isna(v) or pd.isna(r.get(f"{k}_scaled"))
            if empty and k not in missing:
                bad(
                    "evaluation.insufficient_data",
                    f"指标 {k} 无数据却未标为缺项",
                    f"indicator {k} has no data but is not listed as missing",
                )
            if k in missing and v is not None and not pd.isna(v) and float(v) == 0.0:
                bad(
                    "evaluation.insufficient_data",
                    f"缺数据的指标 {k} 显示为 0",
                    f"indicator {k} without data shows 0",
                )
        if scored:
            parts = [r.get(f"{k}_contribution") for k in inds]
            total = float(np.nansum([np.nan if p is None else p for p in parts]))
            if not _close(total, float(score), rel=1e-9, abs_=1e-9):
                bad(
                    "evaluation.score_parts",
                    f"得分 {score:.6f} ≠ 贡献之和 {total:.6f}",
                    f"score {score:.6f} ≠ sum of contributions {total:.6f}",
                )
            if pd.isna(r["rank"]) or r["advice"] == "insufficient_data":
                bad(
                    "evaluation.insufficient_data",
                    "有得分却无排名或标为数据不足",
                    "scored but unranked or marked insufficient",
                )
        else:
            if not pd.isna(r["rank"]) or not pd.isna(r["rank_change"]):
                bad(
                    "evaluation.insufficient_data",
                    "数据不足却有排名或排名变化",
                    "insufficient data but ranked",
                )
            if r["advice"] != "insufficient_data":
                bad(
                    "evaluation.insufficient_data",
                    f"数据不足却给出建议 {r['advice']}",
                    f"insufficient data but advised {r['advice']}",
                )
        p = prev.get((cid, y))
        want = (
            float(p) - float(r["rank"])
            if p is not None and not pd.isna(p) and not pd.isna(r["rank"])
            else float("nan")
        )
        got = float("nan") if pd.isna(r["rank_change"]) else float(r["rank_change"])
        if not _close(got, want):
            bad(
                "evaluation.rank_change",
                f"排名变化 {got} ≠ 上年名次 − 本年名次 {want}",
                f"rank change {got} ≠ previous − current rank {want}",
            )
    for (y, pop), g in scores.groupby(["year", "population"]) if groups else []:
        ranks = g["rank"].dropna().astype(int)
        n = int(g["score"].notna().sum())
        if len(ranks) != n or (n and (ranks.min() != 1 or ranks.max() > n)):
            out.append(
                _row(
                    "cluster",
                    str(pop),
                    None,
                    "evaluation.rank_change",
                    f"{y} 年 {pop} 层级的排名不是 1..{n}",
                    f"{y}: ranks of tier {pop} do not run 1..{n}",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# diagnosis
# ---------------------------------------------------------------------------------------------


def _sum_mismatches(
    table: pd.DataFrame,
    sums: pd.Series,
    key: str,
    column: str,
    cluster_id: str,
    zh: str,
    en: str,
) -> list[dict[str, Any]]:
    """Rows of ``table`` whose ``column`` is not the sum ``sums`` holds for their ``key``.

    Parameters
    ----------
    table: the diagnosis table whose totals are checked (members or cluster industries).
    sums: the sums of the detail rows, indexed by the key as text.
    key: the column of ``table`` that names the row (region or industry code).
    column: the column of ``table`` holding the total.
    cluster_id: the cluster, for the rows.
    zh, en: message templates with ``{key}``, ``{total}`` and ``{want}``.

    Returns
    -------
    list[dict]
        One ``diagnosis.totals`` row per total that differs from its sum.

    Example
    -------
    >>> t = pd.DataFrame({"region_code": ["1"], "leading_value": [2.0]})
    >>> _sum_mismatches(t, pd.Series({"1": 2.0}), "region_code", "leading_value", "C", "", "")
    []
    """
    out: list[dict[str, Any]] = []
    for r in table.to_dict(orient="records"):
        code = str(r[key])
        want = float(sums.get(code, 0.0))
        total = r[column]
        if not _close(float(total), want, rel=1e-9, abs_=1e-6):
            words = {"key": code, "total": total, "want": want}
            out.append(
                _row(
                    "cluster",
                    cluster_id,
                    None,
                    "diagnosis.totals",
                    zh.format(**words),
                    en.format(**words),
                )
            )
    return out


def check_diagnosis(d: Any, cluster_id: str) -> list[dict[str, Any]]:
    """The diagnosis invariants (members vs leading industries vs the cluster totals).

    Parameters
    ----------
    d: a :class:`jiqun.services.diagnosis.Diagnosis`.
    cluster_id: its cluster, for the rows.

    Returns
    -------
    list[dict]
        One row per violation.

    Example
    -------
    >>> check_diagnosis(diagnose_cluster("NC2021-02"), "NC2021-02")  # doctest: +SKIP
    []
    """
    out: list[dict[str, Any]] = []
    mem = d.tables.get("members")
    lead = d.tables.get("leading_industries")
    cli = d.tables.get("cluster_industries")
    if mem is None or lead is None or not len(lead):
        return out
    out += _sum_mismatches(
        mem,
        lead.groupby(lead["region_code"].astype(str))["value"].sum(),
        "region_code",
        "leading_value",
        cluster_id,
        "成员 {key} 主导产业合计 {total:,.2f} ≠ 分行业之和 {want:,.2f}",
        "member {key}: leading value {total:,.2f} ≠ rows {want:,.2f}",
    )
    if cli is not None and len(cli):
        out += _sum_mismatches(
            cli,
            lead.groupby(lead["industry_code"].astype(str))["value"].sum(),
            "industry_code",
            "cluster_value",
            cluster_id,
            "行业 {key} 集群合计 {total:,.2f} ≠ 成员之和 {want:,.2f}",
            "industry {key}: cluster value {total:,.2f} ≠ members' {want:,.2f}",
        )
    return out


# ---------------------------------------------------------------------------------------------
# one cluster, one region, everything
# ---------------------------------------------------------------------------------------------


class _Chains:
    """Chain inputs loaded once per template, reports once per (template, area)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.templates: dict[str, ChainTemplate] = load_templates()
        self._inputs: dict[str, ChainInputs] = {}
        self._reports: dict[tuple[str, frozenset[str]], ChainReport] = {}

    def fitting(self, fields: Iterable[str | None]) -> list[str]:
        want = {f for f in fields if f}
        return sorted(t.id for t in self.templates.values() if t.field in want)

    def report(self, tid: str, spec: RegionSpec) -> ChainReport:
        key = (tid, frozenset(spec.codes))
        if key not in self._reports:

            def compute() -> ChainReport:
                if tid not in self._inputs:
                    self._inputs[tid] = load_chain_inputs(self.engine, self.templates[tid])
                return report_for(self._inputs[tid], spec)

            # the very report the pages read: the stored result of the data version (the key of
            # services.chains.chain_analysis), computed and stored here when none is stored
            region, cluster = (None, spec.id) if spec.kind == "cluster" else (spec.id, None)
            self._reports[key] = cached(
                self.engine, ("chain_report", tid, region, cluster, ()), compute
            )
        return self._reports[key]


def _cluster_rows(engine: Engine) -> pd.DataFrame:
    with engine.connect() as c:
        cl = pd.read_sql(text("SELECT cluster_id, tier, field FROM clusters"), c)
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), c)
    n = cr.groupby("cluster_id").size()
    return cl.assign(n_regions=cl["cluster_id"].map(n).fillna(0).astype(int))


def check_cluster(
    engine: Engine,
    cluster_id: str,
    *,
    evaluation: pd.DataFrame | None = None,
    diagnosis: bool = True,
    chains: _Chains | None = None,
) -> list[dict[str, Any]]:
    """Every invariant of one cluster: its chain sections (every template of its field), its
    evaluation rows, its diagnosis, its member regions and figures.

    Parameters
    ----------
    engine: the database.
    cluster_id: the cluster.
    evaluation: the evaluation table (default: computed here).
    diagnosis: also run and check the diagnosis (the slowest part).
    chains: shared chain inputs (:func:`check_all` passes one for all areas).

    Returns
    -------
    list[dict]
        One row per violation or data gap (columns :data:`COLUMNS`).

    Example
    -------
    >>> check_cluster(get_engine(), "NC2021-02")  # doctest: +SKIP
    []
    """
    from jiqun.services.diagnosis import diagnose_cluster
    from jiqun.services.policy import evaluate_stored_clusters
    from jiqun.standard.problems import JiqunError

    chains = chains or _Chains(engine)
    cl = _cluster_rows(engine)
    row = cl[cl["cluster_id"] == cluster_id]
    if row.empty:
        raise JiqunError(f"找不到集群 {cluster_id}", f"no cluster {cluster_id}")
    info = row.iloc[0]
    national = info["tier"] == "national"
    out: list[dict[str, Any]] = []

    def flag(invariant: str, zh: str, en: str, severity: str = "violation") -> None:
        out.append(_row("cluster", cluster_id, None, invariant, zh, en, severity))

    if evaluation is None:
        evaluation = evaluate_stored_clusters(engine)[0]
    ev = evaluation[evaluation["cluster_id"] == cluster_id]
    out += check_evaluation(ev, groups=False)
    if int(info["n_regions"]) == 0:
        if national:
            flag(
                "cluster.regions",
                "国家级集群没有登记成员地区",
                "national cluster without member regions",
            )
        return out
    if national and len(ev):
        latest = ev[ev["year"] == ev["year"].max()].iloc[0]
        if pd.isna(latest.get("scale")) and pd.isna(latest.get("specialisation")):
            flag(
                "cluster.figures",
                "成员地区没有主导产业统计（规模、专业化均为数据不足）",
                "no statistics of the leading industries in the member regions (scale "
                "and specialisation: insufficient data)",
                severity="data_gap",
            )
    if diagnosis:
        try:
            d = diagnose_cluster(cluster_id, engine=engine)
        except JiqunError as exc:
            if national:
                flag(
                    "cluster.regions",
                    f"诊断失败：{exc.message_zh}",
                    f"the diagnosis fails: {exc.message_en}",
                )
        else:
            out += check_diagnosis(d, cluster_id)
    spec = resolve_region(engine, cluster=cluster_id)
    for tid in chains.fitting([info["field"]]):
        out += check_chain_report(chains.report(tid, spec), "cluster", cluster_id)
    return out


def check_region(
    engine: Engine,
    code: str,
    *,
    templates: Iterable[str] | None = None,
    chains: _Chains | None = None,
) -> list[dict[str, Any]]:
    """The chain invariants of one region for every template that fits it.

    A template fits a region when it is of the field of a cluster with a member region in or
    containing the region (the clusters of its portfolio, :func:`jiqun.services.regions
    .region_portfolio`); ``templates`` overrides that choice.

    Parameters
    ----------
    engine: the database.
    code: a GB/T 2260 code (the units below it are included).
    templates: template ids to check (default: those that fit).
    chains: shared chain inputs.

    Returns
    -------
    list[dict]
        One row per violation.

    Example
    -------
    >>> check_region(get_engine(), "320200")  # doctest: +SKIP
    []
    """
    from jiqun.services.regions import region_portfolio

    chains = chains or _Chains(engine)
    if templates is None:
        port = region_portfolio(code, engine)
        tids = chains.fitting(port["field"].tolist() if len(port) else [])
    else:
        tids = list(templates)
    out: list[dict[str, Any]] = []
    if not tids:
        return out
    spec = resolve_region(engine, region=code)
    for tid in tids:
        out += check_chain_report(chains.report(tid, spec), "region", code)
    return out


def member_prefectures_of_clusters(engine: Engine) -> list[str]:
    """Every prefecture-level unit that is (or lies in) a member region of some cluster.

    Parameters
    ----------
    engine: the database.

    Returns
    -------
    list[str]
        Sorted prefecture codes.

    Example
    -------
    >>> "320200" in member_prefectures_of_clusters(get_engine())  # doctest: +SKIP
    True
    """
    from jiqun.services.diagnosis import member_prefectures, prefecture_map

    with engine.connect() as c:
        regions = pd.read_sql(text("SELECT code, name, level, parent_code FROM regions"), c)
        cr = pd.read_sql(text("SELECT DISTINCT region_code FROM cluster_regions"), c)
    pm, _ = prefecture_map(regions)
    return sorted(set(member_prefectures(cr["region_code"].astype(str).tolist(), regions, pm)))


def check_all(
    engine: Engine | None = None,
    progress: Callable[[str, float], None] | None = None,
    *,
    clusters: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    diagnosis: bool = True,
) -> pd.DataFrame:
    """Every invariant over every cluster × fitting chain template and every region.

    Parameters
    ----------
    engine: the database (default: the configured one).
    progress: optional callback ``(stage, fraction)``.
    clusters: cluster ids (default: every stored cluster).
    regions: region codes (default: every prefecture-level unit that is a cluster member
        region or lies in one, :func:`member_prefectures_of_clusters` — the regions a template
        fits; the others have no fitting template and nothing to check).
    diagnosis: also check the diagnoses.

    Returns
    -------
    pandas.DataFrame
        The violations and data gaps, columns :data:`COLUMNS` (``kind`` cluster/region, ``id``,
        ``template``, ``invariant``, ``severity`` violation/data_gap, ``message_zh``,
        ``message_en``); empty when everything holds. ``attrs["checked"]`` counts the clusters,
        regions and chain reports checked.

    Example
    -------
    >>> v = check_all(get_engine())  # doctest: +SKIP
    >>> int((v["severity"] == "violation").sum())  # doctest: +SKIP
    0
    """
    from jiqun.services.policy import evaluate_stored_clusters

    engine = engine or get_engine()
    say = progress or (lambda stage, frac: None)
    chains = _Chains(engine)
    say("评估 evaluation", 0.0)
    evaluation = evaluate_stored_clusters(engine)[0]
    rows: list[dict[str, Any]] = check_evaluation(evaluation, rows=False)
    cids = list(clusters) if clusters is not None else _cluster_rows(engine)["cluster_id"].tolist()
    codes = list(regions) if regions is not None else member_prefectures_of_clusters(engine)
    total = max(1, len(cids) + len(codes))
    for i, cid in enumerate(cids):
        say(f"集群 cluster {cid}", i / total)
        rows += check_cluster(
            engine, cid, evaluation=evaluation, diagnosis=diagnosis, chains=chains
        )
    for j, code in enumerate(codes):
        say(f"地区 region {code}", (len(cids) + j) / total)
        rows += check_region(engine, code, chains=chains)
    say("完成 done", 1.0)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out.attrs["checked"] = {
        "clusters": len(cids),
        "regions": len(codes),
        "chain_reports": len(chains._reports),
    }
    return out
