"""What-if for 补链/招商 from the stored chain analysis of a cluster (规划：补链招商情景).

:func:`whatif_candidates` places each candidate — an existing firm of another region, or a
profile (industry class, size, segment) — in a cluster's chain and ranks them
(:func:`jiqun.planning.whatif.whatif`, :func:`jiqun.planning.whatif.rank_candidates`). The
chain analysis is the stored one (:func:`jiqun.services.chains.chain_analysis` with
``cache=True``, the result the refresh job materialises): nothing is rebuilt.

Access: a named firm may be used only by a caller who may read it
(:func:`jiqun.services.access.read_basis`: its own scope or an active grant; 404 otherwise, as
for any firm the caller may not read, so that credit codes do not leak); the read is audited
once (``plan_whatif``). The public may use profiles only, and is not shown the value-basis local
supporting rate (it comes from firms' supply links, not from published aggregates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from jiqun.chains.mapping import map_firms
from jiqun.chains.templates import ChainTemplate
from jiqun.planning.whatif import Candidate, WhatIf, rank_candidates, whatif
from jiqun.services import access
from jiqun.services.accounts import Principal
from jiqun.services.directory import require_cluster
from jiqun.services.jsonready import json_records, json_value
from jiqun.standard.problems import JiqunError
from jiqun.store.db import get_engine

__all__ = ["CandidateSpec", "WhatIfReport", "whatif_candidates"]


@dataclass(frozen=True)
class CandidateSpec:
    """A candidate as a caller names it: ``firm`` (a credit code), or a profile.

    Attributes
    ----------
    firm:
        Credit code (统一社会信用代码) of an existing firm of another region.
    industry:
        GB/T 4754-2017 class of a profile (its segments follow the template's code table).
    size:
        Output of a profile (万元), shown beside the result.
    segment:
        The profile's segment (overrides the industry's mapping).
    """

    firm: str | None = None
    industry: str | None = None
    size: float | None = None
    segment: str | None = None

    @classmethod
    def of(cls, spec: CandidateSpec | Mapping[str, Any]) -> CandidateSpec:
        """From a mapping (API body, JSON) or a spec."""
        if isinstance(spec, CandidateSpec):
            return spec
        return cls(
            firm=spec.get("firm") or None,
            industry=spec.get("industry") or None,
            size=spec.get("size"),
            segment=spec.get("segment") or None,
        )


@dataclass
class WhatIfReport:
    """Candidates of one cluster × chain side by side.

    Attributes
    ----------
    cluster, chain:
        The area and the chain id.
    table:
        :func:`jiqun.planning.whatif.rank_candidates` (best first).
    results:
        Each candidate's :class:`jiqun.planning.whatif.WhatIf`, in the order given.
    basis, notes:
        What the figures are and what they leave out.
    """

    cluster: str
    chain: str
    table: pd.DataFrame
    results: list[WhatIf]
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``cluster``, ``chain``, ``candidates`` (the ranked rows, each with its
        ``segments_table``), ``basis`` and ``notes`` — what the CLI's ``--json`` prints and the
        API returns, so both give the same numbers."""
        per = {r.candidate.label: r.segments for r in self.results}
        rows = []
        for rec in json_records(self.table):
            seg = per.get(str(rec["candidate"]))
            rec["segments_table"] = [] if seg is None else json_records(seg)
            rows.append(rec)
        return {
            "cluster": self.cluster,
            "chain": self.chain,
            "candidates": rows,
            "basis": json_value(self.basis),
            "notes": list(self.notes),
        }


def _firm_row(engine: Engine, uscc: str) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.read_sql(
            text(
                "SELECT uscc, name, region_code, industry_code, output, business_scope "
                "FROM enterprises WHERE uscc = :u"
            ),
            c,
            params={"u": uscc},
        )


def _segments(
    firms: pd.DataFrame, template: ChainTemplate, min_confidence: float
) -> tuple[str, ...]:
    m = map_firms(firms, template)
    m = m[m["confidence"].astype("float64") >= min_confidence]
    order = {s: i for i, s in enumerate(template.segment_ids)}
    return tuple(sorted(set(m["segment"].astype(str)), key=lambda s: order.get(s, 99)))


def _local_sales(
    engine: Engine, uscc: str, segments: tuple[str, ...], rep: Any, inputs: str
) -> tuple[dict[str, float], float]:
    """The firm's recorded sales (link year of the analysis) to local qualified chain firms,
    counted as the stored rate counts purchases: with ``inputs="chain"`` only for buying
    segments the firm's segments are inputs of."""
    year = rep.basis.get("year")
    if year is None:  # no supply links stored: the analysis is on the count basis
        return {}, 0.0
    with engine.connect() as c:
        lk = pd.read_sql(
            text(
                "SELECT supplier_uscc AS supplier, buyer_uscc AS buyer, value FROM supply_links "
                "WHERE supplier_uscc = :u AND year = :y"
            ),
            c,
            params={"u": uscc, "y": int(year)},
        )
    lk["value"] = pd.to_numeric(lk["value"], errors="coerce")
    lk = lk[lk["value"].notna() & (lk["value"] >= 0)]
    q = rep.qualified_mapping()
    if not len(lk) or not len(q):
        return {}, 0.0
    t = rep.template
    buy = lk.reset_index(names="link").merge(
        q[["uscc", "segment"]].drop_duplicates(), left_on="buyer", right_on="uscc"
    )
    if inputs == "chain":
        ok = [any(s in t.inputs_of(b) for s in segments) for b in buy["segment"]]
        buy = buy[np.asarray(ok, dtype=bool)]
    by_seg = buy.groupby("segment")["value"].sum().astype(float).to_dict()
    chain = float(buy.drop_duplicates("link")["value"].sum())
    return {str(k): float(v) for k, v in by_seg.items()}, chain


def _purchases(
    engine: Engine, uscc: str, segments: tuple[str, ...], rep: Any, inputs: str
) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """The firm's own recorded purchases (link year of the analysis) that would count for its
    segments as a local chain buyer — with ``inputs="chain"`` from suppliers qualified in an
    input segment — as ``(from suppliers in the cluster, total)`` by segment and over the chain."""
    year = rep.basis.get("year")
    if year is None:
        return {}, (0.0, 0.0)
    with engine.connect() as c:
        lk = pd.read_sql(
            text(
                "SELECT l.supplier_uscc AS supplier, l.value, e.region_code, e.industry_code, "
                "e.business_scope FROM supply_links l JOIN enterprises e "
                "ON e.uscc = l.supplier_uscc WHERE l.buyer_uscc = :u AND l.year = :y"
            ),
            c,
            params={"u": uscc, "y": int(year)},
        )
    lk["value"] = pd.to_numeric(lk["value"], errors="coerce")
    lk = lk[lk["value"].notna() & (lk["value"] >= 0)].reset_index(drop=True)
    if not len(lk):
        return {}, (0.0, 0.0)
    lk["local"] = lk["region_code"].astype(str).isin(rep.region.codes)
    t = rep.template
    sup = lk.drop_duplicates("supplier").rename(columns={"supplier": "uscc"})
    m = map_firms(sup[["uscc", "industry_code", "business_scope"]], t)
    m = m[m["confidence"].astype("float64") >= float(rep.basis["min_confidence"])]
    seg_of = m.groupby("uscc")["segment"].agg(set).to_dict()
    by_seg: dict[str, tuple[float, float]] = {}
    counted = np.zeros(len(lk), dtype=bool)
    for b in segments:
        if inputs == "chain":
            ins = set(t.inputs_of(b))
            ok = np.array([bool(seg_of.get(x, set()) & ins) for x in lk["supplier"]], dtype=bool)
        else:
            ok = np.ones(len(lk), dtype=bool)
        if ok.any():
            g = lk[ok]
            by_seg[b] = (float(g.loc[g["local"], "value"].sum()), float(g["value"].sum()))
        counted |= ok
    g = lk[counted]
    return by_seg, (float(g.loc[g["local"], "value"].sum()), float(g["value"].sum()))


def _density(engine: Engine, members: Sequence[str], industry: str | None) -> float | None:
    """Mean relatedness density of ``industry`` over the cluster's member units (the stored
    region positioning); ``None`` where no member has it."""
    if not industry:
        return None
    from jiqun.services.regions import region_positioning

    vals: list[float] = []
    for code in members:
        try:
            tab = region_positioning(code, engine).table
        except JiqunError:
            continue
        hit = tab.loc[tab["industry_code"].astype(str) == str(industry), "density"]
        vals += [float(v) for v in hit if v is not None and not pd.isna(v)]
    return float(np.mean(vals)) if vals else None


def _segment_label(template: Any, segment: str) -> str:
    """``[中文名 English name]`` of a template segment (the id only if the template lacks it)."""
    seg = next((g for g in template.segments if g.id == segment), None)
    return f"[{segment}]" if seg is None else f"[{seg.name_zh} {seg.name_en}]"


def whatif_candidates(
    principal: Principal | None,
    cluster_id: str,
    chain: str,
    candidates: Sequence[CandidateSpec | Mapping[str, Any]],
    *,
    engine: Engine | None = None,
    client: str | None = None,
) -> WhatIfReport:
    """Place each candidate in the cluster's chain and rank them (补链/招商 what-if).

    Parameters
    ----------
    principal:
        The caller; ``None`` is the local operator of the database (CLI).
    cluster_id:
        The cluster.
    chain:
        Chain id (a shipped or configured template).
    candidates:
        :class:`CandidateSpec` or mappings with ``firm`` or ``industry``/``size``/``segment``.
    engine:
        Database (default: the configured one).
    client:
        The caller's address for the audit log.

    Returns
    -------
    WhatIfReport

    Raises
    ------
    jiqun.services.access.AccessDenied
        401 when the public names a firm.
    jiqun.services.access.NotFound
        404 for an unknown cluster, or a firm that does not exist or the caller may not read.
    JiqunError
        No candidate, a candidate with neither firm nor profile, a firm already in the
        cluster, or a candidate that maps to no segment of the chain.

    References
    ----------
    ``docs/planning.md`` ("What-if 补链/招商"); ``docs/METHODS.md`` §5.

    Example
    -------
    >>> rep = whatif_candidates(None, "NC2021-03", "integrated_circuits",
    ...                         [{"industry": "3973"}])  # doctest: +SKIP
    >>> rep.table[["rank", "candidate", "completeness_change"]]  # doctest: +SKIP
    """
    from jiqun.services.chains import chain_analysis

    engine = engine or get_engine()
    specs = [CandidateSpec.of(c) for c in candidates]
    if not specs:
        raise JiqunError("请至少给出一个候选", "give at least one candidate")
    for s in specs:
        if (s.firm is None) == (s.industry is None and s.segment is None):
            raise JiqunError(
                "每个候选须为企业（--firm）或画像（--industry/--segment）之一",
                "each candidate is either a firm (--firm) or a profile (--industry/--segment)",
            )
    public = principal is not None and principal.is_public
    if public and any(s.firm for s in specs):
        raise access.AccessDenied(
            "公众只能使用画像候选，请登录后指定企业",
            "the public may use profiles only; log in to name a firm",
            status=401,
        )
    # every named firm is checked before anything is computed: a refusal reveals nothing
    rows: dict[str, pd.DataFrame] = {}
    for s in specs:
        if s.firm is None:
            continue
        uscc = s.firm.strip()
        row = _firm_row(engine, uscc)
        readable = principal is None or access.read_basis(principal, uscc, engine) is not None
        if not len(row) or not readable:
            raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        rows[uscc] = row
    require_cluster(cluster_id, engine)
    # the stored analysis (the one the refresh materialises): the operator's view of it, since
    # only aggregates of it leave this function
    rep = chain_analysis(None, chain, cluster=cluster_id, engine=engine, cache=True).report
    template = rep.template
    min_conf = float(rep.basis["min_confidence"])
    inputs = rep.analysis.lsr.inputs
    notes: list[str] = []
    results: list[WhatIf] = []
    for s in specs:
        if s.firm is not None:
            uscc = s.firm.strip()
            row = rows[uscc]
            if str(row["region_code"].iloc[0]) in rep.region.codes:
                raise JiqunError(
                    f"企业 {uscc} 已在集群 {cluster_id} 内，已计入现状",
                    f"firm {uscc} is already in cluster {cluster_id} and counted as it is",
                )
            segs = _segments(row, template, min_conf)
            sales, sales_chain = _local_sales(engine, uscc, segs, rep, inputs)
            bought, bought_chain = _purchases(engine, uscc, segs, rep, inputs)
            ind = row["industry_code"].iloc[0]
            out = pd.to_numeric(row["output"], errors="coerce").iloc[0]
            cand = Candidate(
                f"{uscc} {row['name'].iloc[0]}",
                segs,
                "firm",
                None if pd.isna(ind) else str(ind),
                None if pd.isna(out) else float(out),
                uscc,
                sales,
                sales_chain,
                bought,
                bought_chain,
            )
        else:
            if s.segment is not None:
                segs = (s.segment,)
            else:
                pseudo = pd.DataFrame({"uscc": ["profile"], "industry_code": [s.industry]})
                segs = _segments(pseudo, template, min_conf)
            label = " ".join(
                x
                for x in (
                    s.industry and f"{s.industry}",
                    # the segment by its names, never its internal id (the label is shown)
                    s.segment and _segment_label(template, s.segment),
                    s.size is not None and f"{s.size:g} 万元",
                )
                if x
            )
            cand = Candidate(label, segs, "profile", s.industry, s.size)
        results.append(
            whatif(
                rep.analysis,
                template,
                cand,
                density=_density(engine, rep.region.members, cand.industry_code),
            )
        )
    table = rank_candidates(results)
    if public and rep.analysis.lsr.chain_basis == "value":
        for c in ("lsr_before", "lsr_after", "lsr_change"):
            table[c] = None
        notes.append(
            "价值口径本地配套率来自企业供应关系，不向公众显示 / the value-basis local supporting "
            "rate comes from firms' supply links and is not shown to the public"
        )
    for r in results:
        notes += r.notes
    named = sorted(rows)
    if named:
        access.audit_read(
            principal or access.local_principal(),
            "plan_whatif",
            named,
            resource=f"chain:{template.id}",
            params={"cluster": cluster_id, "chain": template.id, "candidates": len(specs)},
            client=client,
            engine=engine,
        )
    basis = {
        "cluster": rep.region.label,
        "chain": template.id,
        "stored_analysis": "集群产业链分析的存储结果（未重算） / the stored chain analysis of the "
        "cluster (not rebuilt)",
        "year": rep.basis.get("year"),
        "min_confidence": min_conf,
        "lsr_basis": rep.basis.get("lsr_basis"),
        "completeness": rep.basis.get("completeness"),
        # named apart from the resilience package's single points of failure (dominators of
        # the firm-level supply network): this is a count of firms per segment, nothing more
        "single_firm_segment": "单一企业环节：本地仅 1 家合格企业的环节（按环节计企业数，不是韧性分析中"
        "供应网络的支配点）/ single-firm segment: a segment with exactly one local qualified "
        "firm (a count of firms per segment, not the supply-network dominator of the resilience "
        "analysis)",
        "density": "候选行业在集群成员地级单位的关联密度均值 / mean relatedness density of the "
        "candidate's industry over the cluster's member units",
        "ranking": "补链数、完整度变化、加权完整度变化、配套率变化、单一企业环节净减少、关联密度 / "
        "weak links closed, completeness, weighted completeness, LSR change, net single-firm "
        "segments removed, density",
        "synthetic": rep.synthetic,
    }
    notes = list(dict.fromkeys([*rep.notes, *notes]))
    return WhatIfReport(cluster_id, template.id, table, results, basis, notes)
