"""Gap analysis and roadmap (差距分析与提升路线): what to do next, ranked by points gained.

Two comparisons for one assessment:

* **against the next level** — the points missing to the next level's threshold and every
  improvement the questionnaire itself names (an option not yet chosen, a higher option or
  percentage band), ranked by the points it adds; a greedy roadmap picks the largest gains
  until the threshold is reached (actions before outcomes). GB/T 39116: the sub-domains that
  still miss a requirement of the next level, fewest missing levels first.
* **against peers** (the cluster's chain leaders) — the peers' mean answers item by item: mean
  points, adoption share of each option, mean percentage, mean scenario level; the firm's gap
  to that mean and the actions that close it, ranked by points gained.

Action texts are built only from the indicators' own words (option names, the question's
subject, band limits, scenario names) through the templates in the framework data; nothing
else is invented. Pure functions on scored results (:mod:`jiqun.digital.scoring`); the
database side (which firms are leaders) is :mod:`jiqun.services.digital`.

References
----------
docs/METHODS.md §7; ``jiqun/digital/data/*.yaml`` (action templates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from jiqun.digital.frameworks import (
    Framework,
    Gbt39116Framework,
    MiitFramework,
    MiitItem,
    as_framework,
)
from jiqun.digital.scoring import MaturityResult, MiitResult, item_points, score_answers

__all__ = [
    "ACTION_COLUMNS",
    "NextLevelGap",
    "PeerGap",
    "candidate_actions",
    "gap_to_next_level",
    "gap_to_peers",
]

#: columns of the action tables, in order
ACTION_COLUMNS = [
    "item_id",
    "item_zh",
    "item_en",
    "dimension_zh",
    "kind",
    "target",
    "current_points",
    "new_points",
    "gain",
    "action_zh",
    "action_en",
]


class _Fmt(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(template: str, **kw: str) -> str:
    return template.format_map(_Fmt(**kw))


def _f(x: Decimal) -> float:
    return float(x)


def _current_label(item: MiitItem, ans: Any) -> tuple[str, str]:
    if item.type == "single":
        o = item.option(ans)
        return o.zh, o.en
    if item.type == "band":
        return f"{ans}%", f"{ans} %"
    return "", ""


def _row(
    item: MiitItem, target: str, cur: Decimal, new: Decimal, zh: str, en: str
) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "item_zh": item.name_zh,
        "item_en": item.name_en,
        "dimension_zh": item.dimension_zh,
        "kind": item.kind,
        "target": target,
        "current_points": _f(cur),
        "new_points": _f(new),
        "gain": _f(new - cur),
        "action_zh": zh,
        "action_en": en,
    }


def _item_actions(item: MiitItem, ans: Any) -> list[dict[str, Any]]:
    cur = item_points(item, ans)
    cz, ce = _current_label(item, ans)
    rows: list[dict[str, Any]] = []
    if item.type == "multi":
        for o in item.options:
            if o.id in ans or o.id == item.exclusive or o.points <= 0:
                continue
            zh = o.action_zh or _fmt(item.action_zh, option=o.zh, option_en=o.en)
            en = o.action_en or _fmt(item.action_en, option=o.zh, option_en=o.en)
            rows.append(_row(item, f"{o.id} {o.zh}", cur, cur + o.points, zh, en))
    elif item.type == "single":
        for o in item.options:
            if o.points > cur:
                zh = _fmt(item.action_zh, option=o.zh, option_en=o.en, current=cz, current_en=ce)
                en = _fmt(item.action_en, option=o.zh, option_en=o.en, current=cz, current_en=ce)
                rows.append(_row(item, f"{o.id} {o.zh}", cur, o.points, zh, en))
    else:
        for b in item.bands:
            if b.points > cur:
                low = f"{b.lower:g}"
                zh = _fmt(item.action_zh, lower=low, current=cz)
                en = _fmt(item.action_en, lower=low, current=ce)
                rows.append(_row(item, b.label, cur, b.points, zh, en))
    return rows


def _rank(df: pd.DataFrame, fw: MiitFramework) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    order = {i: k for k, i in enumerate(fw.item_ids)}
    df = df.assign(
        _k=(df["kind"] != "action").astype(int), _o=df["item_id"].map(order), _g=-df["gain"]
    )
    return (
        df.sort_values(["_g", "_k", "_o"], kind="stable")
        .drop(columns=["_k", "_o", "_g"])
        .reset_index(drop=True)
    )


def candidate_actions(framework: MiitFramework | str, result: MiitResult) -> pd.DataFrame:
    """Every improvement the questionnaire names for the answered items, ranked by points.

    Rule: multi-select — each option not chosen (the exclusive "无" excluded) adds its points;
    single choice — each option worth more than the current one; percentage items — each
    higher band (the action names the band's lower limit). Gain = new item points − current
    item points. Ranked by gain (largest first), then actions before outcomes (成效 items are
    results of digitalisation, not direct actions), then questionnaire order. Alternatives of
    the same single/band item are separate rows (only one of them can be taken).

    Parameters
    ----------
    framework:
        The MIIT framework (or its name).
    result:
        A :class:`~jiqun.digital.scoring.MiitResult`; unanswered items are skipped.

    Returns
    -------
    pandas.DataFrame
        :data:`ACTION_COLUMNS`.

    References
    ----------
    ``miit_sme_digital_2024_mfg_scored_items.csv`` (options and points); docs/METHODS.md §7.

    Example
    -------
    >>> from jiqun.digital.scoring import score_miit
    >>> r = score_miit("miit2024", {"network": ["A", "B", "C"], "market": "持平"})
    >>> candidate_actions("miit2024", r)[["item_id", "gain"]].values.tolist()
    [['network', 2.0], ['market', 1.5]]
    """
    fw = as_framework(framework)
    assert isinstance(fw, MiitFramework)
    rows: list[dict[str, Any]] = []
    for it in fw.items:
        if it.id in result.answers:
            rows += _item_actions(it, result.answers[it.id])
    return _rank(pd.DataFrame(rows, columns=ACTION_COLUMNS), fw)


@dataclass
class NextLevelGap:
    """What stands between an assessment and the next level (see :func:`gap_to_next_level`)."""

    framework: str
    current_level: int
    current_name_zh: str
    next_level: int | None
    next_name_zh: str | None
    total: float | None
    threshold: float | None
    deficit: float | None
    reachable: bool
    actions: pd.DataFrame
    roadmap: pd.DataFrame
    scenes: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _roadmap(actions: pd.DataFrame, deficit: Decimal, single: set[str]) -> pd.DataFrame:
    """Greedy: largest gains first, actions before outcomes, one alternative per single item."""
    if actions.empty or deficit <= 0:
        return actions.iloc[0:0]
    picked: list[int] = []
    used: set[str] = set()
    acc = Decimal(0)
    for phase in ("action", "outcome"):
        for idx, r in actions[actions["kind"] == phase].iterrows():
            if acc >= deficit:
                break
            if r["item_id"] in single and r["item_id"] in used:
                continue
            picked.append(int(idx))
            used.add(r["item_id"])
            acc += Decimal(str(r["gain"]))
    out = actions.loc[picked].reset_index(drop=True)
    out["cumulative_gain"] = out["gain"].cumsum().round(4)
    return out


def _gbt_next(fw: Gbt39116Framework, r: MaturityResult) -> NextLevelGap:
    cur = r.level if r.level is not None else r.provisional_level
    nxt = cur + 1 if cur < fw.max_level else None
    rows: list[dict[str, Any]] = []
    if nxt is not None:
        lv = fw.level(nxt)
        for s in r.subdomains:
            if not s["applicable"] or s["highest_met"] >= nxt:
                continue
            need = list(range(s["highest_met"] + 1, nxt + 1))
            rows.append(
                {
                    "subdomain_id": s["id"],
                    "subdomain_zh": s["name_zh"],
                    "element_zh": s["element_zh"],
                    "domain_zh": s["domain_zh"],
                    "highest_met": s["highest_met"],
                    "levels_needed": len(need),
                    "action_zh": f"使「{s['name_zh']}」满足第 {need[0]}"
                    + (f"–{need[-1]}" if len(need) > 1 else "")
                    + f" 级要求（{lv.name_zh}：{lv.summary_zh}）",
                    "action_en": f"make {s['name_en']} meet the level {need[0]}"
                    + (f"–{need[-1]}" if len(need) > 1 else "")
                    + f" requirements ({lv.name_en})",
                }
            )
    df = pd.DataFrame(rows)
    if len(df):
        df = df.sort_values(["levels_needed"], kind="stable").reset_index(drop=True)
    notes = [
        "各子域各级的具体要求条款见 GB/T 39116-2020 原文（不在本项目来源中） / the requirement "
        "clauses per sub-domain and level are in the standard itself (not in Jiqun's sources)"
    ]
    if not r.complete:
        notes.append(
            f"问卷未完成（{len(r.missing)} 个子域未答完），按未答=未满足计算 / incomplete "
            f"({len(r.missing)} sub-domains undecided): unanswered counted as not met"
        )
    return _next_level_gap(
        fw,
        cur,
        nxt,
        total=None,
        threshold=None,
        deficit=float(len(df)) if nxt else None,
        reachable=nxt is not None,
        actions=df,
        roadmap=df,
        scenes=pd.DataFrame(),
        notes=notes,
    )


def _next_level_gap(fw: Framework, cur: int, nxt: int | None, **rest: Any) -> NextLevelGap:
    """A :class:`NextLevelGap` from level ``cur`` to ``nxt``, named as the framework names them."""
    return NextLevelGap(
        framework=fw.id,
        current_level=cur,
        current_name_zh=fw.level_name(cur)[0],
        next_level=nxt,
        next_name_zh=fw.level_name(nxt)[0] if nxt else None,
        **rest,
    )


def gap_to_next_level(
    framework: Framework | str, result: MiitResult | MaturityResult
) -> NextLevelGap:
    """The gap to the next level and a roadmap of the actions that close it.

    Rule (MIIT): current level L (or the provisional level of a draft), next level L+1 with
    threshold T (20/40/60/80 on the stated basis); deficit = T − S. Actions: see
    :func:`candidate_actions`, ranked by points gained. Roadmap: greedy, largest gains first,
    direct actions before outcome items (成效), at most one alternative per single/band item,
    until the cumulative gain ≥ deficit (``reachable`` = False when all of them together fall
    short). Greedy is not guaranteed to be the fewest steps. Scenarios below level L+1 are
    listed too (not scored: the published points do not include them; they may matter for
    the official 2024 rule). At level 4 there is no next level; the actions to 100 remain.
    Rule (GB/T 39116): every applicable sub-domain whose highest met level is below L+1, with
    the levels it still needs, fewest first; all of them must be met to reach L+1.

    Parameters
    ----------
    framework:
        The framework (or its name).
    result:
        A scored assessment (:func:`~jiqun.digital.scoring.score_answers`).

    Returns
    -------
    NextLevelGap

    References
    ----------
    docs/METHODS.md §7; MIIT 工信厅企业〔2022〕32号 (thresholds); GB/T 39116-2020.

    Example
    -------
    >>> from jiqun.digital.frameworks import load_framework
    >>> from jiqun.digital.scoring import score_miit
    >>> fw = load_framework("miit2024")
    >>> ans = {i: "A" for i in ("information_systems", "planning")}   # 2.5 + 1.5 = 4 points
    >>> g = gap_to_next_level(fw, score_miit(fw, ans))
    >>> g.next_level, g.deficit, g.roadmap["item_id"].tolist()
    (1, 16.0, ['information_systems', 'planning'])
    """
    fw = as_framework(framework)
    if isinstance(fw, Gbt39116Framework):
        assert isinstance(result, MaturityResult)
        return _gbt_next(fw, result)
    assert isinstance(result, MiitResult)
    cur = result.level if result.level is not None else result.provisional_level
    top = max(lv.level for lv in fw.levels)
    nxt = cur + 1 if cur < top else None
    total = Decimal(str(result.total))
    actions = candidate_actions(fw, result)
    single = {i.id for i in fw.items if i.type != "multi"}
    if nxt is not None:
        thr = fw.threshold(nxt)
        assert thr is not None
        deficit = thr - total
        roadmap = _roadmap(actions, deficit, single)
        reachable = bool(len(roadmap)) and Decimal(str(roadmap["gain"].sum())) >= deficit
    else:
        thr, deficit, roadmap, reachable = None, None, actions.iloc[0:0], False
    target = nxt or top
    srows = [
        {
            "scene_id": s["id"],
            "scene_zh": s["name_zh"],
            "group_zh": s["group_zh"],
            "level": s["level"],
            "target": target,
            "action_zh": f"将「{s['name_zh']}」场景的数字化水平提升到{target}级",
            "action_en": f"raise the {s['name_en']} scenario to level {target}",
        }
        for s in result.scenes
        if s["level"] is not None and s["level"] < target
    ]
    scenes = pd.DataFrame(srows)
    if len(scenes):
        scenes = scenes.sort_values("level", kind="stable").reset_index(drop=True)
    notes = list(result.notes)
    unanswered = [i for i in result.missing if i in fw.item_ids]
    if unanswered:
        notes.append(
            "未答题目不在建议中：" + "、".join(unanswered) + " / unanswered items are not in the "
            "actions: " + ", ".join(unanswered)
        )
    return _next_level_gap(
        fw,
        cur,
        nxt,
        total=result.total,
        threshold=_f(thr) if thr is not None else None,
        deficit=_f(deficit) if deficit is not None else None,
        reachable=reachable,
        actions=actions,
        roadmap=roadmap,
        scenes=scenes,
        notes=notes,
    )


@dataclass
class PeerGap:
    """The firm against its peers' mean answers (see :func:`gap_to_peers`)."""

    framework: str
    n_peers: int
    peer_label_zh: str
    peer_label_en: str
    items: pd.DataFrame
    actions: pd.DataFrame
    scenes: pd.DataFrame
    peer_mean_total: float | None
    total: float | None
    notes: list[str] = field(default_factory=list)


def _peer_summary(item: MiitItem, answers: list[Any]) -> tuple[str, dict[str, float], float]:
    """(text, option adoption shares, mean value) of the peers' answers to one item."""
    n = len(answers)
    if item.type == "multi":
        share = {o.id: sum(o.id in a for a in answers) / n for o in item.options}
        txt = "、".join(f"{item.option(k).zh} {v:.0%}" for k, v in share.items() if v > 0)
        return txt or "（均未选）", share, float("nan")
    if item.type == "single":
        share = {o.id: sum(a == o.id for a in answers) / n for o in item.options}
        txt = "、".join(f"{item.option(k).zh} {v:.0%}" for k, v in share.items() if v > 0)
        return txt, share, float("nan")
    vals = [float(a) for a in answers]
    mean = sum(vals) / n
    return f"均值 mean {mean:.1f}%", {}, mean


def gap_to_peers(
    framework: Framework | str,
    result: MiitResult | MaturityResult,
    peer_answers: Sequence[dict[str, Any]],
    *,
    peer_label_zh: str = "链主企业",
    peer_label_en: str = "chain leaders",
    adoption_threshold: float = 0.5,
) -> PeerGap:
    """Compare an assessment with its peers' mean answers (e.g. the cluster's chain leaders).

    Rule (MIIT): for each item, the peers' mean points (peers who answered it) minus the firm's
    points is the gap. Actions that close it: multi-select — every option chosen by at least
    ``adoption_threshold`` (default half) of the peers and not by the firm, gain = its points;
    single choice — the option with the smallest points ≥ the peers' mean points, if above the
    firm's; percentage — the band holding the peers' mean percentage, if above the firm's band.
    Ranked by points gained. Scenarios: the peers' mean level vs the firm's. Rule (GB/T 39116):
    per sub-domain the peers' mean highest met level vs the firm's, ranked by the gap.
    With no peers the tables are empty and ``notes`` says so.

    Parameters
    ----------
    framework:
        The framework (or its name).
    result:
        The firm's scored assessment.
    peer_answers:
        Normalised (or raw) answers of each peer assessment of the same framework.
    peer_label_zh, peer_label_en:
        Who the peers are, for the output.
    adoption_threshold:
        Share of peers that makes an option "what the peers do" (0–1).

    Returns
    -------
    PeerGap

    References
    ----------
    docs/METHODS.md §7; ``docs/digital.md`` (chain leaders lead, SMEs follow).

    Example
    -------
    >>> from jiqun.digital.frameworks import load_framework
    >>> from jiqun.digital.scoring import score_miit
    >>> fw = load_framework("miit2024")
    >>> me = score_miit(fw, {"network": ["A"]})
    >>> g = gap_to_peers(fw, me, [{"network": ["A", "C"]}, {"network": ["A", "B", "C"]}])
    >>> g.actions[["target", "gain", "peer_share"]].values.tolist()
    [['B 应用系统网络', 2.0, 0.5], ['C 5G工业网络', 2.0, 1.0]]
    """
    fw = as_framework(framework)
    n = len(peer_answers)
    notes: list[str] = []
    if n == 0:
        notes.append(
            f"没有可比较的{peer_label_zh}评测（尚无已提交的评测） / no {peer_label_en} "
            "assessments to compare with (none submitted yet)"
        )
    peers = [score_answers(fw, a) for a in peer_answers]
    if isinstance(fw, Gbt39116Framework):
        assert isinstance(result, MaturityResult)
        # a GB/T 39116 framework scores every peer to a MaturityResult
        peer_subs = [x for p in peers if isinstance(p, MaturityResult) for x in p.subdomains]
        rows = []
        for s in result.subdomains:
            if not s["applicable"]:
                continue
            hs = [x["highest_met"] for x in peer_subs if x["id"] == s["id"] and x["applicable"]]
            if not hs:
                continue
            mean = sum(hs) / len(hs)
            rows.append(
                {
                    "subdomain_id": s["id"],
                    "subdomain_zh": s["name_zh"],
                    "firm_level": s["highest_met"],
                    "peer_mean_level": round(mean, 2),
                    "peers": len(hs),
                    "gap": round(mean - s["highest_met"], 2),
                }
            )
        df = pd.DataFrame(rows)
        if len(df):
            df = df.sort_values("gap", ascending=False, kind="stable").reset_index(drop=True)
        return PeerGap(
            fw.id,
            n,
            peer_label_zh,
            peer_label_en,
            df,
            df[df["gap"] > 0] if len(df) else df,
            pd.DataFrame(),
            None,
            None,
            notes,
        )
    assert isinstance(result, MiitResult)
    item_rows: list[dict[str, Any]] = []
    act_rows: list[dict[str, Any]] = []
    for it in fw.items:
        pa = [p.answers[it.id] for p in peers if it.id in p.answers]
        # an answer's shape depends on the item type (option ids, one id, a number)
        mine: Any = result.answers.get(it.id)
        cur = item_points(it, mine) if it.id in result.answers else None
        if not pa:
            continue
        pmean = sum((item_points(it, a) for a in pa), Decimal(0)) / len(pa)
        txt, share, vmean = _peer_summary(it, pa)
        item_rows.append(
            {
                "item_id": it.id,
                "item_zh": it.name_zh,
                "dimension_zh": it.dimension_zh,
                "firm_points": _f(cur) if cur is not None else None,
                "peer_mean_points": round(_f(pmean), 4),
                "gap": round(_f(pmean - cur), 4) if cur is not None else None,
                "peers": len(pa),
                "peer_answers": txt,
            }
        )
        if cur is None:
            continue
        if it.type == "multi":
            for o in it.options:
                if (
                    o.id not in mine
                    and o.id != it.exclusive
                    and o.points > 0
                    and share.get(o.id, 0) >= adoption_threshold
                ):
                    zh = o.action_zh or _fmt(it.action_zh, option=o.zh, option_en=o.en)
                    en = o.action_en or _fmt(it.action_en, option=o.zh, option_en=o.en)
                    row = _row(it, f"{o.id} {o.zh}", cur, cur + o.points, zh, en)
                    row["peer_share"] = round(share[o.id], 4)
                    act_rows.append(row)
        elif it.type == "single" and pmean > cur:
            o = min((o for o in it.options if o.points >= pmean), key=lambda o: o.points)
            cz, ce = _current_label(it, mine)
            zh = _fmt(it.action_zh, option=o.zh, option_en=o.en, current=cz, current_en=ce)
            en = _fmt(it.action_en, option=o.zh, option_en=o.en, current=cz, current_en=ce)
            row = _row(it, f"{o.id} {o.zh}", cur, o.points, zh, en)
            row["peer_share"] = round(share.get(o.id, 0.0), 4)
            act_rows.append(row)
        elif it.type == "band":
            b = next(b for b in it.bands if b.contains(Decimal(str(round(vmean, 6)))))
            if b.points > cur:
                cz, ce = _current_label(it, mine)
                zh = _fmt(it.action_zh, lower=f"{b.lower:g}", current=cz)
                en = _fmt(it.action_en, lower=f"{b.lower:g}", current=ce)
                row = _row(it, b.label, cur, b.points, zh, en)
                row["peer_share"] = None
                act_rows.append(row)
    items = pd.DataFrame(item_rows)
    if len(items):
        items = items.sort_values("gap", ascending=False, kind="stable", na_position="last")
        items = items.reset_index(drop=True)
    actions = _rank(pd.DataFrame(act_rows, columns=[*ACTION_COLUMNS, "peer_share"]), fw)
    srows = []
    for s in result.scenes:
        lv = [p.answers[s["id"]] for p in peers if s["id"] in p.answers]
        if not lv or s["level"] is None:
            continue
        mean = sum(lv) / len(lv)
        if mean > s["level"]:
            srows.append(
                {
                    "scene_id": s["id"],
                    "scene_zh": s["name_zh"],
                    "level": s["level"],
                    "peer_mean_level": round(mean, 2),
                    "gap": round(mean - s["level"], 2),
                    "action_zh": f"将「{s['name_zh']}」场景提升到{peer_label_zh}的平均水平"
                    f"（{mean:.1f} 级）",
                    "action_en": f"raise the {s['name_en']} scenario to the {peer_label_en}' "
                    f"mean (level {mean:.1f})",
                }
            )
    scenes = pd.DataFrame(srows)
    if len(scenes):
        scenes = scenes.sort_values("gap", ascending=False, kind="stable").reset_index(drop=True)
    complete = [p for p in peers if isinstance(p, MiitResult) and p.complete]
    return PeerGap(
        framework=fw.id,
        n_peers=n,
        peer_label_zh=peer_label_zh,
        peer_label_en=peer_label_en,
        items=items,
        actions=actions,
        scenes=scenes,
        peer_mean_total=(sum(p.total for p in complete) / len(complete)) if complete else None,
        total=result.total,
        notes=notes,
    )
