"""Digital-transformation services: stored self-assessments, gap analysis, cluster index, demo.

The database side of :mod:`jiqun.digital`. Assessments live in ``digital_assessments``
(migration 0003): one row per questionnaire, ``status`` ``draft`` (partial, resumable) or
``submitted`` (complete; no longer editable), the answers as JSON text, and the MIIT total and
level recomputed from the answers on every save (never trusted from the caller).

* :func:`save_assessment`, :func:`update_assessment` (resume a draft), :func:`load_assessment`,
  :func:`list_assessments`;
* :func:`assessment_gap` — next level and the cluster's chain leaders (their mean answers);
* :func:`cluster_index` — levels and scores per cluster, segment, size band, leaders vs SMEs;
* :func:`generate_demo_assessments` — a seeded synthetic set for the demo firms.

Cluster membership is :func:`jiqun.services.predicates.in_cluster` (as for access): a firm
belongs to a cluster when it is an approved member in ``cluster_members``, or when it sits in a
member region (or a county of one) **and** works in one of the cluster's leading industries. Chain leaders: the ``chain_leader`` firm tag (enterprises
``tags``, ``;``-separated) or the ``chain_leader`` member role.

The package is split along its seams: :mod:`~jiqun.services.digital.assessments` (validate,
score, store, load and list assessments), :mod:`~jiqun.services.digital.reads` (the reads of a
principal, decided and audited: :func:`assessments_for`, :func:`assessment_for`,
:func:`gap_for`, :func:`assessment_owner`), :mod:`~jiqun.services.digital.clusters` (cluster
firms and chain leaders), :mod:`~jiqun.services.digital.gap` (gap analysis),
:mod:`~jiqun.services.digital.index` (cluster digital index with disclosure control),
:mod:`~jiqun.services.digital.demo` (the synthetic demo set) and
:mod:`~jiqun.services.digital.outputs` (JSON/XLSX files). Import the public API from here.

References
----------
METHODS.md §7; ``docs/digital.md``.
"""

from __future__ import annotations

from jiqun.services.digital.assessments import (
    SavedAssessment,
    list_assessments,
    load_assessment,
    save_assessment,
    update_assessment,
)
from jiqun.services.digital.clusters import REVENUE_RANK_LEADERS, cluster_firms, firm_clusters
from jiqun.services.digital.demo import generate_demo_assessments
from jiqun.services.digital.gap import AssessmentGap, assessment_gap
from jiqun.services.digital.index import cluster_index
from jiqun.services.digital.outputs import write_digital_output
from jiqun.services.digital.reads import (
    assessment_for,
    assessment_owner,
    assessments_for,
    audit_write,
    gap_for,
    require_assessor,
)

__all__ = [
    "REVENUE_RANK_LEADERS",
    "AssessmentGap",
    "SavedAssessment",
    "assessment_for",
    "assessment_gap",
    "assessment_owner",
    "assessments_for",
    "audit_write",
    "cluster_firms",
    "cluster_index",
    "firm_clusters",
    "gap_for",
    "generate_demo_assessments",
    "list_assessments",
    "load_assessment",
    "require_assessor",
    "save_assessment",
    "update_assessment",
    "write_digital_output",
]
