"""Cluster digital index (集群数字化指数): levels and scores of a cluster's firms, by group.

Pure functions on a firm table; :func:`jiqun.services.digital.cluster_index` loads the table
from the database (cluster membership, latest submitted assessment per firm, segments, size,
chain leaders) and calls :func:`digital_index`.

References
----------
docs/METHODS.md §7; 工业和信息化部 等《中小企业划型标准规定》（工信部联企业〔2011〕300号） for the
size bands (industry: employee thresholds 20 / 300 / 1,000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jiqun.basis import WithBasis
from jiqun.standard.datafiles import section

__all__ = [
    "GROUP_LABELS",
    "LEVEL_LABELS",
    "SIZE_BANDS",
    "SIZE_RULE_EN",
    "SIZE_RULE_ZH",
    "DigitalIndex",
    "digital_index",
    "size_band",
]

#: size bands in order: (id, 中文, English, lower bound of employees inclusive)
SIZE_BANDS: tuple[tuple[str, str, str, int], ...] = (
    ("micro", "微型", "micro", 0),
    ("small", "小型", "small", 20),
    ("medium", "中型", "medium", 300),
    ("large", "大型", "large", 1000),
)
SIZE_RULE_ZH = (
    "按从业人员划分（工业，工信部联企业〔2011〕300号的人数门槛）：< 20 人微型，20–299 人小型，"
    "300–999 人中型，≥ 1000 人大型；原规定同时考虑营业收入，此处只用人数；人数缺失为「未知」"
)
SIZE_RULE_EN = (
    "by employees (industry thresholds of MIIT et al. 2011 No. 300): < 20 micro, 20–299 small, "
    "300–999 medium, ≥ 1,000 large; the official rule also uses revenue, this index uses "
    "employees only; missing employees = unknown"
)

#: MIIT levels 0–4 for the tables
LEVEL_LABELS: dict[int, tuple[str, str]] = section("labels.yaml", "level_labels", "jiqun.digital")

#: leader / SME groups: id -> (中文, English)
GROUP_LABELS: dict[str, tuple[str, str]] = section("labels.yaml", "group_labels", "jiqun.digital")


def size_band(employees: float | None) -> str:
    """Size band of a firm from its employees.

    Rule: < 20 micro 微型, 20–299 small 小型, 300–999 medium 中型, ≥ 1,000 large 大型 — the
    employee thresholds for industry of the SME classification rule (the rule also uses
    revenue; this uses employees only). Missing or negative → ``"unknown"``.

    Parameters
    ----------
    employees:
        Number of employees (从业人员).

    Returns
    -------
    str
        ``micro``, ``small``, ``medium``, ``large`` or ``unknown``.

    References
    ----------
    《中小企业划型标准规定》（工信部联企业〔2011〕300号）, 工业.

    Example
    -------
    >>> [size_band(x) for x in (None, 0, 19, 20, 299, 300, 999, 1000)]
    ['unknown', 'micro', 'micro', 'small', 'small', 'medium', 'medium', 'large']
    """
    if employees is None or (isinstance(employees, float) and np.isnan(employees)):
        return "unknown"
    if employees < 0:
        return "unknown"
    out = "unknown"
    for sid, _zh, _en, lo in SIZE_BANDS:
        if employees >= lo:
            out = sid
    return out


@dataclass
class DigitalIndex(WithBasis):
    """A cluster's digital index (see :func:`digital_index`); ``synthetic`` when any firm or
    assessment counted is synthetic demo data."""

    TABLES = ("by_level", "by_segment", "by_size", "by_group")

    summary: dict[str, Any]
    by_level: pd.DataFrame
    by_segment: pd.DataFrame
    by_size: pd.DataFrame
    by_group: pd.DataFrame
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: the firms counted (``uscc``, ``score``, ``level``, ``size``, ``group``, ``segment``): which
    #: firms make each row, for disclosure control by the caller; not a table to publish
    firms: pd.DataFrame | None = field(default=None, repr=False)


def _stats(g: pd.DataFrame) -> dict[str, Any]:
    sc = g["score"].dropna()
    lv = g["level"].dropna().astype(int)
    out: dict[str, Any] = {
        "firms": int(g["uscc"].nunique()),
        "assessed": len(sc),
        "coverage": round(len(sc) / g["uscc"].nunique(), 4) if len(g) else None,
        "mean_score": round(float(sc.mean()), 2) if len(sc) else None,
        "median_score": round(float(sc.median()), 2) if len(sc) else None,
        "share_level3_plus": round(float((lv >= 3).mean()), 4) if len(lv) else None,
    }
    for k, (zh, _en) in LEVEL_LABELS.items():
        out[f"L{k} {zh}"] = int((lv == k).sum())
    return out


def _table(
    df: pd.DataFrame, key: str, order: list[str] | None, labels: dict[str, str]
) -> pd.DataFrame:
    rows = []
    keys = order if order is not None else sorted(df[key].dropna().unique().tolist())
    for k in keys:
        g = df[df[key] == k]
        if not len(g):
            continue
        rows.append({key: k, "label": labels.get(k, k), **_stats(g)})
    return pd.DataFrame(rows)


def digital_index(
    firms: pd.DataFrame,
    *,
    segment_basis_zh: str = "",
    segment_basis_en: str = "",
    leader_basis_zh: str = "",
    leader_basis_en: str = "",
    segment_labels: dict[str, str] | None = None,
) -> DigitalIndex:
    """Distribution of digital levels and scores in a population of firms, by group.

    Rule: the unit is the firm; each firm counts with its **latest submitted** MIIT assessment
    (the caller chooses it) or as not assessed. Shares and means are over assessed firms;
    ``coverage`` = assessed / firms. "Level 3+" = MIIT level ≥ 3 (三级及以上). Groups: segment
    (a firm mapped to several segments counts in each; ``segment`` may hold a list), size band
    (:func:`size_band`), and leaders vs SMEs: chain leaders; SMEs = micro/small/medium firms that
    are not chain leaders; other large firms; size unknown.

    Parameters
    ----------
    firms:
        One row per firm: ``uscc``, ``score`` (MIIT total or NaN), ``level`` (0–4 or NaN),
        ``employees``, ``segment`` (text, list of texts or NaN), ``is_leader`` (bool),
        ``synthetic`` (bool; firm or assessment synthetic).
    segment_basis_zh, segment_basis_en, leader_basis_zh, leader_basis_en:
        How segments and leaders were determined (shown in ``basis``).
    segment_labels:
        Display names of segment ids.

    Returns
    -------
    DigitalIndex

    References
    ----------
    docs/METHODS.md §7; size bands: 工信部联企业〔2011〕300号.

    Example
    -------
    >>> f = pd.DataFrame({"uscc": ["a", "b", "c", "d"], "score": [85.0, 45.0, 62.0, None],
    ...                   "level": [4, 2, 3, None], "employees": [2000, 50, 400, 5],
    ...                   "segment": ["x", "x", "y", "y"], "is_leader": [True, False, False, False],
    ...                   "synthetic": False})
    >>> ix = digital_index(f)
    >>> ix.summary["assessed"], ix.summary["share_level3_plus"], ix.summary["mean_score"]
    (3, 0.6667, 64.0)
    >>> ix.by_group[["group", "firms", "assessed"]].values.tolist()
    [['chain_leader', 1, 1], ['sme', 3, 2]]
    """
    df = firms.copy()
    for c, default in (("segment", None), ("employees", np.nan), ("is_leader", False)):
        if c not in df:
            df[c] = default
    if "synthetic" not in df:
        df["synthetic"] = False
    df["score"] = pd.to_numeric(df["score"], errors="coerce")
    df["level"] = pd.to_numeric(df["level"], errors="coerce")
    df["size"] = [size_band(e) for e in pd.to_numeric(df["employees"], errors="coerce")]
    lead = df["is_leader"].fillna(False).astype(bool)
    df["group"] = np.where(
        lead,
        "chain_leader",
        np.where(
            df["size"].isin(["micro", "small", "medium"]),
            "sme",
            np.where(df["size"] == "large", "large_other", "unknown_size"),
        ),
    )
    summary = _stats(df)
    summary["synthetic"] = bool(df["synthetic"].fillna(False).astype(bool).any())
    lv = df["level"].dropna().astype(int)
    by_level = pd.DataFrame(
        [
            {
                "level": k,
                "name_zh": zh,
                "name_en": en,
                "firms": int((lv == k).sum()),
                "share": round(float((lv == k).mean()), 4) if len(lv) else None,
            }
            for k, (zh, en) in LEVEL_LABELS.items()
        ]
    )
    seg = df.explode("segment") if df["segment"].map(lambda v: isinstance(v, list)).any() else df
    seg = seg.assign(segment=seg["segment"].fillna("(unmapped)"))
    by_segment = _table(
        seg, "segment", None, {"(unmapped)": "未映射 unmapped", **(segment_labels or {})}
    )
    size_order = [s[0] for s in SIZE_BANDS] + ["unknown"]
    size_lbl = {s[0]: f"{s[1]} {s[2]}" for s in SIZE_BANDS} | {"unknown": "未知 unknown"}
    by_size = _table(df, "size", size_order, size_lbl)
    grp_lbl = {k: f"{zh} {en}" for k, (zh, en) in GROUP_LABELS.items()}
    by_group = _table(df, "group", list(GROUP_LABELS), grp_lbl)
    basis = {
        "unit": "firm (latest submitted MIIT assessment per firm)",
        "level_3_plus": "MIIT level ≥ 3 (三级及以上) among assessed firms",
        "size_rule_zh": SIZE_RULE_ZH,
        "size_rule_en": SIZE_RULE_EN,
        "segment_basis_zh": segment_basis_zh,
        "segment_basis_en": segment_basis_en,
        "leader_basis_zh": leader_basis_zh,
        "leader_basis_en": leader_basis_en,
        "synthetic": summary["synthetic"],
    }
    notes: list[str] = []
    if summary["assessed"] == 0:
        notes.append("集群内尚无已提交的评测 / no submitted assessments in this population")
    elif summary["coverage"] is not None and summary["coverage"] < 0.3:
        notes.append(
            f"覆盖率仅 {summary['coverage']:.0%}，结果只代表参加评测的企业 / coverage is only "
            f"{summary['coverage']:.0%}: the figures describe the firms that took part"
        )
    members = df[["uscc", "score", "level", "size", "group", "segment"]].copy()
    return DigitalIndex(summary, by_level, by_segment, by_size, by_group, basis, notes, members)
