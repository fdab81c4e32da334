"""Output files of the digital services: a cluster index or a gap analysis as JSON or XLSX.

References
----------
``docs/digital.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from jiqun.digital.index import DigitalIndex
from jiqun.digital.scoring import MiitResult
from jiqun.services.digital.gap import AssessmentGap
from jiqun.services.jsonready import json_records, json_value
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import write_table


def _parts(obj: DigitalIndex | AssessmentGap) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    head: dict[str, Any]
    if isinstance(obj, DigitalIndex):
        head = {"summary": obj.summary, "basis": obj.basis, "notes": obj.notes}
        return head, obj.tables()
    a = obj.assessment
    head = {
        "assessment": {k: v for k, v in a.as_dict().items() if k != "result"},
        "total": a.result.total if isinstance(a.result, MiitResult) else None,
        "level": a.result.level,
        "level_rule_zh": a.result.rule_zh,
        "level_basis_zh": a.result.basis_zh,
        "level_basis_en": a.result.basis_en,
        "next_level": obj.next_level.next_level,
        "threshold": obj.next_level.threshold,
        "deficit": obj.next_level.deficit,
        "reachable": obj.next_level.reachable,
        "clusters": obj.clusters,
        "leaders": len(obj.leader_usccs),
        "leaders_assessed": obj.leaders.n_peers if obj.leaders else 0,
        "leader_basis_zh": obj.leader_basis_zh,
        "leader_basis_en": obj.leader_basis_en,
        "synthetic": obj.synthetic,
        "notes": obj.notes + obj.next_level.notes + (obj.leaders.notes if obj.leaders else []),
    }
    tables = {
        "roadmap": obj.next_level.roadmap,
        "actions": obj.next_level.actions,
        "scenes": obj.next_level.scenes,
    }
    if obj.leaders is not None:
        tables |= {
            "leaders_items": obj.leaders.items,
            "leaders_actions": obj.leaders.actions,
            "leaders_scenes": obj.leaders.scenes,
        }
    return head, tables


def write_digital_output(obj: DigitalIndex | AssessmentGap, path: str | Path) -> Path:
    """Write a cluster index or a gap analysis as JSON or XLSX (README sheet with the basis).

    Parameters
    ----------
    obj:
        :class:`~jiqun.digital.index.DigitalIndex` or :class:`AssessmentGap`.
    path:
        ``.json`` or ``.xlsx``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    JiqunError
        Another extension.

    References
    ----------
    ``docs/digital.md``.

    Example
    -------
    >>> write_digital_output(cluster_index("NC2021-01"), "index.xlsx")  # doctest: +SKIP
    """
    p = Path(path)
    head, tables = _parts(obj)
    head = json.loads(json.dumps(head, ensure_ascii=False, default=json_value))
    suffix = p.suffix.lower()
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        doc = {**head, "tables": {k: json_records(v) for k, v in tables.items()}}
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=json_value), "utf-8")
    elif suffix == ".xlsx":
        readme = [{"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in head.items()]
        sheets = {"README": pd.DataFrame(readme)}
        for k, v in tables.items():
            df = v.copy()
            for c in df.columns:
                if df[c].map(lambda x: isinstance(x, list)).any():
                    df[c] = df[c].map(lambda x: ";".join(map(str, x)) if isinstance(x, list) else x)
            sheets[k] = df
        write_table(p, sheets)
    else:
        raise JiqunError(
            f"输出文件须为 .json 或 .xlsx：{p}", f"the output file must be .json or .xlsx: {p}"
        )
    return p
