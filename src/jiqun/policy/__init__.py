"""Policy services (docs/policy.md): eligibility rules, policy–enterprise matching, dynamic cluster
evaluation and differentiated support allocation.

- :mod:`jiqun.policy.rules` — machine-readable eligibility rules, evaluation with reasons,
  narrow misses, compilation to SQL for whole populations;
- :mod:`jiqun.policy.evaluation` — indicator system, scores, ranks and tier advice;
- :mod:`jiqun.policy.allocation` — budget allocation with diminishing returns (a concave
  benefit per cluster as a piecewise-linear program, HiGHS) with explanation and sensitivity.

The stored registry and the population matching are in :mod:`jiqun.services.policy`.
"""

from jiqun.policy.allocation import AllocationResult, allocate
from jiqun.policy.evaluation import ADVICE, DEFAULT_WEIGHTS, INDICATORS, evaluate_clusters
from jiqun.policy.rules import evaluate, narrow_miss, to_sql, validate_rule

__all__ = [
    "ADVICE",
    "DEFAULT_WEIGHTS",
    "INDICATORS",
    "AllocationResult",
    "allocate",
    "evaluate",
    "evaluate_clusters",
    "narrow_miss",
    "to_sql",
    "validate_rule",
]
