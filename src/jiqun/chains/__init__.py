"""Industrial chains (产业链): templates, firm → segment mapping and chain analytics.

* :mod:`jiqun.chains.templates` — chain templates (a DAG of segments with GB/T 4754 classes,
  product keywords and HS codes), validation and the loader of shipped and user templates.
* :mod:`jiqun.chains.mapping` — map firms onto segments by industry code, by business-scope
  keywords (jieba) and by manual override.
* :mod:`jiqun.chains.analysis` — pure functions: segment table and chain completeness
  (:mod:`~jiqun.chains.segments`), local supporting rate, value or count basis, always labelled
  (:mod:`~jiqun.chains.supply`), weak links with candidate firms (补链), strong links (强链),
  extension links (延链) (:mod:`~jiqun.chains.links`) and chain-leader candidates
  (:mod:`~jiqun.chains.leaders`), on inputs prepared by :mod:`~jiqun.chains.inputs`.

Database access lives in :mod:`jiqun.services.chains`; the CLI is ``jiqun chain ...``.
Methods: METHODS.md §5; user guide: ``docs/chains.md``.
"""

from __future__ import annotations

from jiqun.chains.analysis import (
    BASIS_LABELS,
    ChainAnalysis,
    Completeness,
    LocalSupportingRate,
    WeakLinks,
    analyse_chain,
    chain_completeness,
    chain_leader_candidates,
    extend_links,
    local_supporting_rate,
    segment_table,
    strong_links,
    weak_links,
)
from jiqun.chains.mapping import KEYWORD_CONFIDENCE, MANUAL_CONFIDENCE, map_firms
from jiqun.chains.templates import (
    CONFIDENCE_LEVELS,
    POSITIONS,
    ChainTemplate,
    CodeMapping,
    Segment,
    get_template,
    load_templates,
    read_template_file,
    shipped_template_dir,
    template_from_dict,
)

__all__ = [
    "BASIS_LABELS",
    "CONFIDENCE_LEVELS",
    "KEYWORD_CONFIDENCE",
    "MANUAL_CONFIDENCE",
    "POSITIONS",
    "ChainAnalysis",
    "ChainTemplate",
    "CodeMapping",
    "Completeness",
    "LocalSupportingRate",
    "Segment",
    "WeakLinks",
    "analyse_chain",
    "chain_completeness",
    "chain_leader_candidates",
    "extend_links",
    "get_template",
    "load_templates",
    "local_supporting_rate",
    "map_firms",
    "read_template_file",
    "segment_table",
    "shipped_template_dir",
    "strong_links",
    "template_from_dict",
    "weak_links",
]
