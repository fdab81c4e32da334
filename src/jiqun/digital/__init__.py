"""Digital transformation (数字化转型): self-assessment, maturity, gap analysis, cluster index.

* :mod:`jiqun.digital.frameworks` — framework definitions as data: the MIIT SME digital-level
  evaluation (中小企业数字化水平评测指标, 2024 edition, manufacturing) and GB/T 39116-2020
  smart-manufacturing capability maturity; :func:`load_framework`.
* :mod:`jiqun.digital.scoring` — answer validation (one bilingual problem per bad answer) and
  scoring: item points → dimension scores → total → level, with the level rule and its basis.
* :mod:`jiqun.digital.gap` — gap to the next level and to peers (the cluster's chain leaders),
  with the actions the indicators name, ranked by points gained; a greedy roadmap.
* :mod:`jiqun.digital.index` — cluster digital index by segment, size band, leaders vs SMEs.
* :mod:`jiqun.digital.questionnaire` — questionnaire templates and answer files (XLSX/JSON/CSV).

Stored assessments, cluster membership and the demo set: :mod:`jiqun.services.digital`; CLI:
``jiqun assess``. Methods: docs/METHODS.md §7; user guide: ``docs/digital.md``.
"""

from __future__ import annotations

from jiqun.digital.frameworks import (
    FRAMEWORKS,
    Gbt39116Framework,
    MiitFramework,
    framework_id,
    load_framework,
)
from jiqun.digital.gap import (
    NextLevelGap,
    PeerGap,
    candidate_actions,
    gap_to_next_level,
    gap_to_peers,
)
from jiqun.digital.index import DigitalIndex, digital_index, size_band
from jiqun.digital.questionnaire import (
    AnswerFile,
    detect_framework,
    questionnaire_rows,
    read_answers,
    write_questionnaire,
)
from jiqun.digital.scoring import (
    MaturityResult,
    MiitResult,
    missing_answers,
    score_answers,
    score_gbt39116,
    score_miit,
    validate_answers,
)

__all__ = [
    "FRAMEWORKS",
    "AnswerFile",
    "DigitalIndex",
    "Gbt39116Framework",
    "MaturityResult",
    "MiitFramework",
    "MiitResult",
    "NextLevelGap",
    "PeerGap",
    "candidate_actions",
    "detect_framework",
    "digital_index",
    "framework_id",
    "gap_to_next_level",
    "gap_to_peers",
    "load_framework",
    "missing_answers",
    "questionnaire_rows",
    "read_answers",
    "score_answers",
    "score_gbt39116",
    "score_miit",
    "size_band",
    "validate_answers",
    "write_questionnaire",
]
