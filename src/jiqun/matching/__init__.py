"""Matchmaking (供需对接): supply–demand board validation, supplier ranking, partner search.

* :mod:`jiqun.matching.board` — needs, capabilities and supplier lists: fields, validation
  (one bilingual problem per row/field/value) and file import through
  :func:`jiqun.standard.reader.read_table`.
* :mod:`jiqun.matching.text` — jieba segmentation and a BM25 index in sparse matrices.
* :mod:`jiqun.matching.index` — the candidate index (registry firms + posted capabilities),
  built once.
* :mod:`jiqun.matching.score` — the transparent supplier score (code, segment, text, capacity,
  certification, distance, region) and the partner search.
* :mod:`jiqun.matching.evaluate` — recall@10 and MRR on held-out supply links, with baselines.

Database access lives in :mod:`jiqun.services.matching`; the CLI is ``jiqun match ...``; the
user guide is ``docs/matching.md``.
"""

from __future__ import annotations

from jiqun.matching.board import (
    CAPABILITY_FIELDS,
    NEED_FIELDS,
    validate_capability,
    validate_need,
)
from jiqun.matching.evaluate import EvalResult, evaluate, holdout_queries
from jiqun.matching.index import MatchIndex, build_index, normalise_cert, split_list
from jiqun.matching.score import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    DISTANCE_SCALE_KM,
    PARTNER_COMPONENTS,
    PARTNER_WEIGHTS,
    MatchResult,
    Need,
    haversine_km,
    normalise_weights,
    rank_suppliers,
    search_partners,
)
from jiqun.matching.text import BM25Index, tokenize

__all__ = [
    "CAPABILITY_FIELDS",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "DISTANCE_SCALE_KM",
    "NEED_FIELDS",
    "PARTNER_COMPONENTS",
    "PARTNER_WEIGHTS",
    "BM25Index",
    "EvalResult",
    "MatchIndex",
    "MatchResult",
    "Need",
    "build_index",
    "evaluate",
    "haversine_km",
    "holdout_queries",
    "normalise_cert",
    "normalise_weights",
    "rank_suppliers",
    "search_partners",
    "split_list",
    "tokenize",
    "validate_capability",
    "validate_need",
]
