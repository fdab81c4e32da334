"""Gap analysis of a stored assessment: against the next level and the cluster's chain leaders.

References
----------
METHODS.md §7; ``docs/digital.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Engine

from jiqun.analytics.disclosure import MIN_COUNT
from jiqun.digital.frameworks import load_framework
from jiqun.digital.gap import NextLevelGap, PeerGap, gap_to_next_level, gap_to_peers
from jiqun.services import access
from jiqun.services.accounts import Principal
from jiqun.services.digital.assessments import SavedAssessment, load_assessment
from jiqun.services.digital.clusters import (
    cluster_firms,
    firm_clusters,
    latest_submitted,
    leader_basis_text,
)
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.standard.schema import TAGS
from jiqun.store.db import get_engine


@dataclass
class AssessmentGap:
    """Gap analysis of one stored assessment (see :func:`assessment_gap`)."""

    assessment: SavedAssessment
    next_level: NextLevelGap
    leaders: PeerGap | None
    clusters: list[str]
    leader_usccs: list[str]
    leader_basis_zh: str
    leader_basis_en: str
    synthetic: bool
    notes: list[str] = field(default_factory=list)


def assessment_gap(
    assessment_id: int,
    cluster_id: str | None = None,
    engine: Engine | None = None,
    *,
    principal: Principal | None = None,
    client: str | None = None,
) -> AssessmentGap:
    """Gap analysis and roadmap: against the next level and against the cluster's chain leaders.

    Rule: next level — :func:`jiqun.digital.gap.gap_to_next_level`. Leaders — the latest
    submitted assessment (same framework) of every chain leader of the cluster (``cluster_id``,
    or every cluster the firm belongs to), the firm itself excluded;
    :func:`jiqun.digital.gap.gap_to_peers` compares with their mean answers. When the firm is in
    no cluster, or no leader has a submitted assessment, ``leaders`` is ``None`` or empty and
    ``notes`` says why.

    Parameters
    ----------
    assessment_id:
        The assessment.
    cluster_id:
        Compare with this cluster's leaders (default: the firm's clusters).
    engine:
        Database (default: the configured one).
    principal:
        The viewer. The leaders' mean is an aggregate of their assessments: when fewer than 3
        leaders have a submitted assessment and the viewer may not read them all, the
        comparison is withheld (``leaders`` ``None``, a note says why) — the threshold rule of
        disclosure control. ``None`` (the local operator, CLI) and an admin always see it.
    client:
        The viewer's address for the audit log.

    Returns
    -------
    AssessmentGap

    References
    ----------
    METHODS.md §7; PRODUCT.md (chain leaders lead the digital upgrading, SMEs follow).

    Example
    -------
    >>> g = assessment_gap(1)  # doctest: +SKIP
    >>> g.next_level.roadmap[["action_zh", "gain"]]  # doctest: +SKIP
    """
    engine = engine or get_engine()
    a = load_assessment(assessment_id, engine)
    fw = load_framework(a.framework)
    nxt = gap_to_next_level(fw, a.result)
    notes: list[str] = list(a.notes)
    clusters = [cluster_id] if cluster_id else firm_clusters(a.uscc, engine)
    leaders: PeerGap | None = None
    withheld = False
    leader_usccs: list[str] = []
    basis = "tag" if "chain_leader" in TAGS else "revenue_rank"
    synthetic = a.synthetic
    if not clusters:
        notes.append(
            f"企业 {a.uscc} 不属于任何集群（可用 --cluster 指定）：未与链主比较 / firm {a.uscc} "
            "belongs to no cluster (give --cluster): no comparison with chain leaders"
        )
    else:
        for cid in clusters:
            f = cluster_firms(cid, engine)
            basis = str(f.attrs.get("leader_basis", basis))
            leader_usccs += [u for u in f.loc[f["is_leader"], "uscc"] if u != a.uscc]
        leader_usccs = sorted(set(leader_usccs))
        if not leader_usccs:
            notes.append(
                "集群 "
                + "、".join(clusters)
                + " 中没有链主企业 / no chain leaders in cluster(s) "
                + ", ".join(clusters)
            )
        latest = latest_submitted(engine, leader_usccs, fw.id)
        if principal is not None and principal.role != "admin" and 0 < len(latest) < MIN_COUNT:
            seen, _n = access.visible_rows(principal, latest[["uscc"]], "uscc", engine, client)
            if len(seen) < len(latest):
                # the mean of one or two leaders' answers is their answers
                latest = latest.iloc[:0]
                notes.append(
                    f"已提交评测的链主企业少于 {MIN_COUNT} 家，且您无权查看其评测：按披露控制规则"
                    f"不显示与链主的比较 / fewer than {MIN_COUNT} chain leaders have a submitted "
                    "assessment and you may not read them all: the comparison is withheld "
                    "(disclosure control)"
                )
                withheld = True
        peers = [json.loads(s) for s in latest["answers"]]
        synthetic = synthetic or bool(latest["synthetic"].any())
        leaders = None if withheld else gap_to_peers(fw, a.result, peers)
        if leader_usccs and not peers and leaders is not None:
            leaders.notes.append(
                f"集群 {'、'.join(clusters)} 的 {len(leader_usccs)} 家链主企业都还没有已提交的"
                f"{fw.name_zh}评测 / none of the {len(leader_usccs)} chain leaders of "
                f"{', '.join(clusters)} has a submitted {fw.id} assessment"
            )
        if len(clusters) > 1:
            notes.append(
                "企业属于多个集群，链主为各集群链主的并集："
                + "、".join(clusters)
                + " / the firm is in several clusters; the leaders of all are pooled: "
                + ", ".join(clusters)
            )
    lz, le = leader_basis_text(basis)
    if synthetic and not any(SYNTHETIC_NOTE_ZH in n for n in notes):
        notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    return AssessmentGap(a, nxt, leaders, clusters, leader_usccs, lz, le, synthetic, notes)
