"""The cluster digital index from the database, with disclosure control per viewer.

Loads the cluster's firms and their latest submitted assessments, groups them by chain segment
(or industry division), size band and chain leaders vs SMEs (:func:`jiqun.digital.index
.digital_index`), and protects the groups a viewer may not read in full.

References
----------
METHODS.md §7; ``docs/digital.md``.
"""

from __future__ import annotations

import copy

import pandas as pd
from sqlalchemy import Engine, text

from jiqun.analytics.viewer_disclosure import SUPPRESSED_LABEL, protect_rows
from jiqun.digital.frameworks import framework_id, load_framework
from jiqun.digital.index import DigitalIndex, digital_index
from jiqun.services import access
from jiqun.services.accounts import Principal
from jiqun.services.cache import materialised
from jiqun.services.digital.clusters import cluster_firms, latest_submitted, leader_basis_text
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.standard.problems import JiqunError
from jiqun.store.db import get_engine


def _segments(
    engine: Engine, cluster_id: str, firms: pd.DataFrame, chain: str | None
) -> tuple[pd.Series, dict[str, str], str, str, list[str]]:
    """Segment(s) per firm: chain template mapping if available, else industry division."""
    notes: list[str] = []
    try:
        from jiqun.chains import get_template, load_templates, map_firms
    except ImportError:  # pragma: no cover - depends on the chains package being installed
        get_template = load_templates = map_firms = None  # type: ignore[assignment]
    template = None
    if load_templates is not None:
        if chain:
            template = get_template(chain)
        else:
            with engine.connect() as c:
                lead = {
                    r[0]
                    for r in c.execute(
                        text("SELECT industry_code FROM cluster_industries WHERE cluster_id = :c"),
                        {"c": cluster_id},
                    )
                }
            best, best_n = None, 0
            for t in load_templates().values():
                n = len(lead & {code for s in t.segments for code in s.codes})
                if n > best_n:
                    best, best_n = t, n
            template = best
    if template is not None and map_firms is not None:
        m = map_firms(firms[["uscc", "industry_code", "business_scope"]], template)
        seg = m.groupby("uscc")["segment"].agg(list)
        labels = {s.id: f"{s.name_zh} {s.name_en}" for s in template.segments}
        return (
            firms["uscc"].map(seg),
            labels,
            f"产业链环节：模板 {template.id}（{template.name_zh}），按 jiqun.chains.map_firms "
            "（行业代码、经营范围关键词）映射；一家企业可属多个环节，未映射的企业单列",
            f"chain segments of template {template.id} ({template.name_en}) by "
            "jiqun.chains.map_firms (industry code, business-scope keywords); a firm may be in "
            "several segments; unmapped firms are listed apart",
            notes,
        )
    with engine.connect() as c:
        names: dict[str, str] = {
            str(k): str(v)
            for k, v in c.execute(text("SELECT code, name FROM industries WHERE level = 2"))
        }
    div = firms["industry_code"].astype(str).str[:2]
    why_zh = (
        "未找到与该集群主导产业相符的产业链模板"
        if load_templates is not None
        else "产业链模块 jiqun.chains 不可用"
    )
    why_en = (
        "no chain template matches the cluster's leading industries"
        if load_templates is not None
        else "the chains package jiqun.chains is not available"
    )
    return (
        div,
        {d: f"{d} {names.get(d, '')}".strip() for d in div.dropna().unique()},
        f"{why_zh}：按 GB/T 4754-2017 行业大类（2位）分组代替产业链环节",
        f"{why_en}: grouped by GB/T 4754-2017 industry division (2-digit) instead of segments",
        notes,
    )


#: columns of a digital-index row that describe its assessments (withheld when suppressed)
_INDEX_KEEP = ("label", "firms")


def _protect_index(
    ix: DigitalIndex, principal: Principal, engine: Engine, client: str | None
) -> DigitalIndex:
    """The index as a viewer without rights to every firm may see it.

    A group row (segment, size band, chain leaders vs SMEs) whose assessed firms the viewer may
    all read (own scope or grant: the readers of those assessments) is shown raw. Otherwise the
    row passes the threshold rule of disclosure control on its assessed firms (fewer than 3 →
    suppressed) with complementary suppression against the cluster total
    (:func:`jiqun.analytics.viewer_disclosure.protect_rows`); a suppressed row keeps its key,
    label and number of firms, and its scores, levels and counts of assessed firms are null.
    When the cluster total itself must be withheld, so are the summary's score figures and the
    level distribution.
    """
    f = ix.firms
    if f is None or not len(f):
        return ix
    seen, _n = access.visible_rows(principal, f[["uscc"]], "uscc", engine, client)
    known = set(seen["uscc"].astype(str))
    assessed = f[f["score"].notna()]
    seg = assessed
    if seg["segment"].map(lambda v: isinstance(v, list)).any():
        seg = seg.explode("segment")
    seg = seg.assign(segment=seg["segment"].fillna("(unmapped)").astype(str))
    total_hidden = False
    n_suppressed = 0
    for name, key, members in (
        ("by_group", "group", assessed),
        ("by_size", "size", assessed),
        ("by_segment", "segment", seg),
    ):
        t = getattr(ix, name)
        if not len(t):
            continue
        shown = [c for c in t.columns if c not in (key, *_INDEX_KEEP)]
        p = protect_rows(t, members[["uscc", key]], key=key, shown=shown, known=known)
        setattr(ix, name, p.table)
        total_hidden = total_hidden or p.total_suppressed
        n_suppressed += p.n_suppressed
    if total_hidden:
        for k in list(ix.summary):
            if k in ("mean_score", "median_score", "share_level3_plus", "coverage", "assessed") or (
                k.startswith("L") and k[1:2].isdigit()
            ):
                ix.summary[k] = None
        lv = ix.by_level.copy()
        for c in ("firms", "share"):
            lv[c] = pd.Series([None] * len(lv), index=lv.index, dtype=object)
        lv["disclosure"] = SUPPRESSED_LABEL
        ix.by_level = lv
    if n_suppressed or total_hidden:
        ix.notes.append(
            f"{n_suppressed} 个分组按披露控制规则保密（已评测企业少于 3 家且您无权查看其评测，或为防止"
            f"由合计反推）/ {n_suppressed} group(s) suppressed by disclosure control (fewer than 3 "
            "assessed firms whose assessments you may not read, or to protect those against the "
            "totals)"
        )
    ix.firms = None  # who is in which group is not for the viewer
    return ix


def cluster_index(
    cluster_id: str,
    *,
    chain: str | None = None,
    framework: str = "miit2024",
    engine: Engine | None = None,
    principal: Principal | None = None,
    client: str | None = None,
) -> DigitalIndex:
    """The cluster digital index: levels and scores per cluster, segment, size, leaders vs SMEs.

    Rule: the cluster's firms (:func:`cluster_firms`), each with its latest submitted MIIT
    assessment or none; segments by the chain template given (``chain``) or the one whose
    segments share the most GB/T 4754 classes with the cluster's leading industries, mapped by
    :func:`jiqun.chains.map_firms` — or, when no template fits (or the chains package is
    missing), GB/T 4754 industry divisions, as ``basis`` says; then
    :func:`jiqun.digital.index.digital_index`.

    Parameters
    ----------
    cluster_id:
        The cluster.
    chain:
        A chain template id for the segments.
    framework:
        Only ``miit2024`` has scores and levels 1–4 (the index is defined on it).
    engine:
        Database (default: the configured one).
    principal:
        The viewer. Groups whose assessed firms it may not all read pass disclosure control
        (fewer than 3 assessed firms → ``suppressed``, "保密 / suppressed", figures null; plus
        complementary suppression against the cluster total). ``None`` (the local operator,
        CLI) and an admin see every group raw.
    client:
        The viewer's address for the audit log (reads through a grant).

    Returns
    -------
    DigitalIndex
        ``summary`` also has ``cluster_id`` and ``cluster_name``; with a ``principal``, every
        group table has ``suppressed`` and ``disclosure`` columns.

    Raises
    ------
    JiqunError
        Unknown cluster, or another framework.

    References
    ----------
    METHODS.md §7; :mod:`jiqun.digital.index`.

    Example
    -------
    >>> ix = cluster_index("NC2021-01")  # doctest: +SKIP
    >>> ix.summary["share_level3_plus"]  # doctest: +SKIP
    """
    engine = engine or get_engine()
    ix = copy.deepcopy(cluster_index_of(cluster_id, chain, framework, engine))
    if principal is not None and principal.role != "admin":
        ix = _protect_index(ix, principal, engine, client)
    return ix


@materialised("digital-index", depends=("digital", "members"))
def cluster_index_of(
    cluster_id: str, chain: str | None, framework: str, engine: Engine | None = None
) -> DigitalIndex:
    """The cluster digital index as the local operator sees it (every group raw), computed once
    per data version and stored; :func:`cluster_index` applies the viewer's protection to a copy.

    Parameters
    ----------
    cluster_id, chain, framework, engine:
        As in :func:`cluster_index`.

    Returns
    -------
    DigitalIndex

    Example
    -------
    >>> cluster_index_of("NC2021-01", None, "miit2024").summary["cluster_id"]  # doctest: +SKIP
    'NC2021-01'
    """
    engine = engine or get_engine()
    if framework_id(framework) != "miit2024":
        raise JiqunError(
            "集群数字化指数按 MIIT 中小企业数字化水平评测计算（framework=miit2024）",
            "the cluster digital index is defined on the MIIT SME digital level (miit2024)",
        )
    firms = cluster_firms(cluster_id, engine)
    latest = latest_submitted(engine, firms["uscc"].tolist(), "miit2024")
    df = firms.merge(
        latest[["uscc", "score", "level", "synthetic"]].rename(columns={"synthetic": "a_syn"}),
        on="uscc",
        how="left",
    )
    df["synthetic"] = df["synthetic"] | df["a_syn"].fillna(False).astype(bool)
    seg, labels, sz, se, notes = _segments(engine, cluster_id, firms, chain)
    df["segment"] = seg.to_numpy()
    lz, le = leader_basis_text(str(firms.attrs.get("leader_basis", "tag")))
    ix = digital_index(
        df,
        segment_basis_zh=sz,
        segment_basis_en=se,
        leader_basis_zh=lz,
        leader_basis_en=le,
        segment_labels=labels,
    )
    ix.summary["cluster_id"] = cluster_id
    ix.summary["cluster_name"] = firms.attrs.get("cluster_name")
    ix.basis["framework"] = "miit2024"
    fw = load_framework("miit2024")
    ix.basis["level_rule_zh"] = fw.rule_zh
    ix.basis["level_basis_zh"] = fw.basis_zh
    ix.basis["level_basis_en"] = fw.basis_en
    ix.basis["membership"] = (
        "cluster_members, or member region (or its counties) and a leading industry"
    )
    ix.notes += notes
    groups = ix.by_group
    leaders = groups[groups["group"] == "chain_leader"] if "group" in groups.columns else groups
    if not len(leaders) or not leaders["firms"].sum():
        ix.notes.append("集群内没有链主企业 / no chain leaders in this cluster")
    if ix.synthetic:
        ix.notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    return ix
