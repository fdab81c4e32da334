"""Answer validation and scoring for the digital-transformation frameworks.

MIIT SME digital level (``miit2024``)
    item answer → item points (the option's points; multi-select: the sum of the chosen
    options; percentage items: the points of the band the value falls in) → level-2 and
    dimension scores (sums) → total S (0–100) → level by the framework's thresholds. The 16
    business scenarios are answered with a level (1–4; 0 = not done, a Jiqun convention) and
    reported beside the total, never added to it. Where the official level rule of the edition
    is not in Jiqun's sources the result says so (``official_rule_in_sources``, ``basis_*``).

GB/T 39116-2020 maturity (``gbt39116``)
    for each sub-domain and level 1–5: requirements met or not; a sub-domain's level is the
    highest k with levels 1..k all met; the firm's level is the **minimum** over the applicable
    sub-domains ("all requirements of a level met"); elements and domains get the minimum of
    their sub-domains in the same way.

Answers are validated before anything is scored: an unknown item, an option the item does not
have, a value out of range or of the wrong type each give **one bilingual problem naming the
item, the field and the value** (:class:`~jiqun.standard.problems.Problem`), all raised together
in one :class:`~jiqun.standard.problems.JiqunError`. Nothing is corrected silently. Unanswered
items are allowed (a draft); the result is then ``complete = False`` with no level, and lists
what is missing.

References
----------
docs/METHODS.md §7; ``jiqun/reference/data/miit_sme_digital_2024_mfg_*.csv``;
``jiqun/reference/data/gbt39116_*.csv``; MIIT 工信厅企业〔2022〕32号 (2022 thresholds);
GB/T 39116-2020.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jiqun.digital.frameworks import (
    Framework,
    Gbt39116Framework,
    MiitFramework,
    MiitItem,
    as_framework,
)
from jiqun.standard.problems import JiqunError, Problem

__all__ = [
    "MaturityResult",
    "MiitResult",
    "item_points",
    "missing_answers",
    "score_answers",
    "score_gbt39116",
    "score_miit",
    "validate_answers",
]

_SPLIT = re.compile(r"[;；,，、|/\n]+")
_NONE_WORDS = {"", "无", "none", "-", "—", "没有", "否", "[]"}
_NA_WORDS = {"na", "n/a", "不适用", "不适用 na", "not applicable"}
_TRUE = {"1", "true", "yes", "y", "是", "满足", "√", "✓", "t"}
_FALSE = {"0", "false", "no", "n", "否", "不满足", "×", "✗", "f"}
_CN_LEVEL = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5}


def _d(x: Decimal) -> float:
    """Decimal → float for output (exact decimals such as 9.1 stay 9.1)."""
    return float(x)


def _show(v: object) -> str:
    s = repr(v) if not isinstance(v, str) else v
    return s if len(s) <= 60 else s[:57] + "…"


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, item: str, value: object, rule: str, zh: str, en: str) -> None:
        self.items.append(Problem(None, item, _show(value), f"digital.{rule}", "error", zh, en))

    def raise_if_any(self, fw: Framework) -> None:
        if self.items:
            n = len(self.items)
            raise JiqunError(
                f"{fw.name_zh} 的答案有 {n} 个问题（见下）",
                f"the answers to {fw.name_en} have {n} problem(s) (listed below)",
                problems=self.items,
            )


def _label(fw: Framework, key: str) -> tuple[str, str]:
    """(「中文名」(id), id (中文名)) for messages."""
    if isinstance(fw, MiitFramework):
        try:
            name = fw.item(key).name_zh
        except KeyError:
            name = fw.scene(key).name_zh
    else:
        name = fw.subdomain(key).name_zh
    return f"「{name}」({key})", f"{key} ({name})"


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


def _flatten(answers: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in answers.items():
        if str(k).strip().lower() in ("scenes", "场景", "数字化经营") and isinstance(v, Mapping):
            out += [(str(kk), vv) for kk, vv in v.items()]
        else:
            out.append((str(k), v))
    return out


def _is_blank(v: object) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and v.strip() == "")
    )


def _resolve_option(item: MiitItem, token: str) -> str | None:
    t = token.strip()
    for o in item.options:
        if t.upper() == o.id.upper() or t == o.zh or t.lower() == o.en.lower():
            return o.id
    return None


def _multi(item: MiitItem, v: object, p: _Problems, lab: tuple[str, str]) -> list[str] | None:
    if isinstance(v, str):
        s = v.strip()
        if s.lower() in _NONE_WORDS and _resolve_option(item, s) is None:
            return []
        tokens = [t for t in _SPLIT.split(s) if t.strip()]
    elif isinstance(v, list | tuple):
        tokens = list(v)
    else:
        p.add(
            item.id,
            v,
            "answer.type",
            f'题目{lab[0]}为多选题，答案须为选项列表（如 ["A", "C"] 或 "A;C"），实际为 {_show(v)}',
            f"item {lab[1]} is multiple choice: the answer must be a list of options "
            f'(e.g. ["A", "C"] or "A;C"), got {_show(v)}',
        )
        return None
    chosen: list[str] = []
    ok = True
    for t in tokens:
        if not isinstance(t, str):
            p.add(
                item.id,
                t,
                "answer.type",
                f"题目{lab[0]}的选项须为文字（选项编号或名称），实际为 {_show(t)}",
                f"item {lab[1]}: an option must be text (its letter or name), got {_show(t)}",
            )
            ok = False
            continue
        oid = _resolve_option(item, t)
        if oid is None:
            known = "、".join(f"{o.id}={o.zh}" for o in item.options)
            p.add(
                item.id,
                t,
                "answer.option",
                f"题目{lab[0]}没有选项 {t!r}；可选：{known}",
                f"item {lab[1]} has no option {t!r}; options: "
                + ", ".join(f"{o.id}={o.en}" for o in item.options),
            )
            ok = False
            continue
        if oid not in chosen:
            chosen.append(oid)
    if item.exclusive and item.exclusive in chosen and len(chosen) > 1:
        ex = item.option(item.exclusive)
        p.add(
            item.id,
            v,
            "answer.exclusive",
            f"题目{lab[0]}的选项「{ex.zh}」不能与其他选项同时选择",
            f"item {lab[1]}: option '{ex.en}' cannot be combined with other options",
        )
        ok = False
    if not ok:
        return None
    order = [o.id for o in item.options]
    return sorted(chosen, key=order.index)


def _single(item: MiitItem, v: object, p: _Problems, lab: tuple[str, str]) -> str | None:
    if not isinstance(v, str):
        p.add(
            item.id,
            v,
            "answer.type",
            f"题目{lab[0]}为单选题，答案须为一个选项（编号或名称），实际为 {_show(v)}",
            f"item {lab[1]} is single choice: the answer must be one option (letter or name), "
            f"got {_show(v)}",
        )
        return None
    oid = _resolve_option(item, v)
    if oid is None:
        p.add(
            item.id,
            v,
            "answer.option",
            f"题目{lab[0]}没有选项 {v!r}；可选："
            + "、".join(f"{o.id}={o.zh}" for o in item.options),
            f"item {lab[1]} has no option {v!r}; options: "
            + ", ".join(f"{o.id}={o.en}" for o in item.options),
        )
    return oid


def _number(v: object) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return Decimal(str(v))
    if isinstance(v, str):
        s = v.strip().rstrip("%％").strip()
        try:
            d = Decimal(s)
        except (InvalidOperation, ValueError):
            return None
        return d if d.is_finite() else None
    return None


def _band(item: MiitItem, v: object, p: _Problems, lab: tuple[str, str]) -> float | None:
    d = _number(v)
    if d is None:
        p.add(
            item.id,
            v,
            "answer.type",
            f"题目{lab[0]}的答案须为 0–100 的百分数（数值），实际为 {_show(v)}",
            f"item {lab[1]}: the answer must be a percentage 0–100 (a number), got {_show(v)}",
        )
        return None
    if d < 0 or d > 100:
        p.add(
            item.id,
            v,
            "answer.range",
            f"题目{lab[0]}的答案 {_show(v)} 超出 0–100% 的范围",
            f"item {lab[1]}: the answer {_show(v)} is outside 0–100 %",
        )
        return None
    f = float(d)
    return int(f) if f.is_integer() else f


def _scene(
    fw: MiitFramework, sid: str, v: object, p: _Problems, lab: tuple[str, str]
) -> int | None:
    lo = 0 if fw.scene_allow_zero else fw.scene_min
    level: int | None = None
    if isinstance(v, bool):
        level = None
    elif isinstance(v, int):
        level = v
    elif isinstance(v, float) and math.isfinite(v) and v.is_integer():
        level = int(v)
    elif isinstance(v, str):
        s = v.strip()
        if s in _CN_LEVEL:
            level = _CN_LEVEL[s]
        elif s in ("未开展", "未达一级"):
            level = 0
        elif s.isdigit():
            level = int(s)
    if level is None:
        p.add(
            sid,
            v,
            "answer.type",
            f"场景{lab[0]}的答案须为整数等级 {lo}–{fw.scene_max}，实际为 {_show(v)}",
            f"scenario {lab[1]}: the answer must be a whole level {lo}–{fw.scene_max}, "
            f"got {_show(v)}",
        )
        return None
    if not lo <= level <= fw.scene_max:
        p.add(
            sid,
            v,
            "answer.range",
            f"场景{lab[0]}的等级 {_show(v)} 超出 {lo}–{fw.scene_max} 的范围",
            f"scenario {lab[1]}: level {_show(v)} is outside {lo}–{fw.scene_max}",
        )
        return None
    return level


def _bool(v: object) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    return None


def _gbt_value(
    fw: Gbt39116Framework, sid: str, v: object, p: _Problems, lab: tuple[str, str]
) -> str | dict[str, bool] | None:
    top = fw.max_level
    if isinstance(v, str) and v.strip().lower() in _NA_WORDS:
        return "na"
    n: int | None = None
    if isinstance(v, int) and not isinstance(v, bool):
        n = v
    elif isinstance(v, float) and math.isfinite(v) and v.is_integer():
        n = int(v)
    elif isinstance(v, str) and v.strip().isdigit():
        n = int(v.strip())
    if n is not None:
        if not 0 <= n <= top:
            p.add(
                sid,
                v,
                "answer.range",
                f"子域{lab[0]}的答案 {_show(v)} 超出 0–{top}（已满足要求的最高等级）",
                f"sub-domain {lab[1]}: {_show(v)} is outside 0–{top} (highest level whose "
                "requirements are all met)",
            )
            return None
        out = {str(k): True for k in range(1, n + 1)}
        if n < top:
            out[str(n + 1)] = False
        return out
    if isinstance(v, Mapping):
        out2: dict[str, bool] = {}
        ok = True
        for k, b in v.items():
            ks = str(k).strip().upper().removeprefix("L").removesuffix("级")
            if not ks.isdigit() or not 1 <= int(ks) <= top:
                p.add(
                    sid,
                    k,
                    "answer.level",
                    f"子域{lab[0]}：等级 {k!r} 不存在（应为 1–{top}）",
                    f"sub-domain {lab[1]}: there is no level {k!r} (levels are 1–{top})",
                )
                ok = False
                continue
            if _is_blank(b):
                continue
            bb = _bool(b)
            if bb is None:
                p.add(
                    sid,
                    b,
                    "answer.type",
                    f"子域{lab[0]}第{int(ks)}级：答案须为 是/否（true/false），实际为 {_show(b)}",
                    f"sub-domain {lab[1]} level {int(ks)}: the answer must be yes/no "
                    f"(true/false), got {_show(b)}",
                )
                ok = False
                continue
            out2[str(int(ks))] = bb
        return dict(sorted(out2.items(), key=lambda kv: int(kv[0]))) if ok else None
    p.add(
        sid,
        v,
        "answer.type",
        f'子域{lab[0]}的答案须为 各级是否满足（如 {{"1": true, "2": false}}）、'
        f'已满足的最高等级 0–{top}，或 "na"（不适用），实际为 {_show(v)}',
        f"sub-domain {lab[1]}: the answer must be met/not met per level "
        f'(e.g. {{"1": true, "2": false}}), the highest level met 0–{top}, or "na", '
        f"got {_show(v)}",
    )
    return None


def validate_answers(framework: Framework | str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise a (possibly partial) set of answers.

    Rule: keys are item / scenario / sub-domain ids or their Chinese names (a nested
    ``"scenes": {...}`` block is accepted); blank values (``None``, ``""``, NaN) mean
    "not answered yet". MIIT multi-select: a list of option letters or names, or one string
    separated by ``;`` ``,`` ``、`` (``"无"`` = none chosen); single choice: one option; percentage
    items: a number 0–100 (``"35%"`` accepted); scenarios: a whole level 1–4 (0 = not done).
    GB/T 39116: per sub-domain a mapping level → met (``true``/``false``, 是/否), or the highest
    level whose requirements are all met (0–5, shorthand for 1..n met and n+1 not met), or
    ``"na"`` (not applicable).

    Parameters
    ----------
    framework:
        A loaded framework or its name.
    answers:
        The raw answers.

    Returns
    -------
    dict
        The normalised answers, only those given, in questionnaire order: option ids (multi:
        a list in option order), numbers, levels; GB/T: ``"na"`` or ``{"1": True, ...}``.

    Raises
    ------
    JiqunError
        With one :class:`~jiqun.standard.problems.Problem` per unknown key, duplicate key,
        wrong type, unknown option or out-of-range value (``column`` = the item id).

    References
    ----------
    docs/METHODS.md §7; ``docs/digital.md`` (answer formats).

    Example
    -------
    >>> validate_answers("miit2024", {"网络建设": "工控网络;C", "设备联网": "35%"})
    {'network': ['A', 'C'], 'equipment_networking': 35}
    >>> try:
    ...     validate_answers("miit2024", {"设备联网": 120, "foo": 1})
    ... except JiqunError as e:
    ...     print([p.rule for p in e.problems])
    ['digital.answer.range', 'digital.answer.unknown_item']
    """
    fw = as_framework(framework)
    if not isinstance(answers, Mapping):
        raise JiqunError(
            f"答案须为「题目编号 → 答案」的映射，实际为 {type(answers).__name__}",
            f"the answers must be a mapping item id → answer, got {type(answers).__name__}",
        )
    p = _Problems()
    out: dict[str, Any] = {}
    seen_from: dict[str, str] = {}
    for key, v in _flatten(answers):
        rid = fw.resolve_key(key)
        if rid is None:
            what = "子域" if isinstance(fw, Gbt39116Framework) else "题目或场景"
            what_en = "sub-domain" if isinstance(fw, Gbt39116Framework) else "item or scenario"
            p.add(
                key,
                v,
                "answer.unknown_item",
                f"{fw.name_zh} 中没有{what} {key!r}",
                f"{fw.name_en} has no {what_en} {key!r}",
            )
            continue
        if rid in seen_from:
            lab = _label(fw, rid)
            p.add(
                rid,
                v,
                "answer.duplicate",
                f"{lab[0]} 被回答了两次（{seen_from[rid]!r} 和 {key!r}）",
                f"{lab[1]} is answered twice ({seen_from[rid]!r} and {key!r})",
            )
            continue
        seen_from[rid] = key
        if _is_blank(v):
            continue
        lab = _label(fw, rid)
        val: Any
        if isinstance(fw, Gbt39116Framework):
            val = _gbt_value(fw, rid, v, p, lab)
        elif rid in fw.scene_ids:
            val = _scene(fw, rid, v, p, lab)
        else:
            item = fw.item(rid)
            if item.type == "multi":
                val = _multi(item, v, p, lab)
            elif item.type == "single":
                val = _single(item, v, p, lab)
            else:
                val = _band(item, v, p, lab)
        if val is not None:
            out[rid] = val
    p.raise_if_any(fw)
    order = fw.subdomain_ids if isinstance(fw, Gbt39116Framework) else fw.item_ids + fw.scene_ids
    return {k: out[k] for k in order if k in out}


# ---------------------------------------------------------------------------------------------
# MIIT scoring
# ---------------------------------------------------------------------------------------------


def _result_fields(
    fw: Framework,
    complete: bool,
    missing: list[str],
    level: int | None,
    provisional: int,
    answers: dict[str, Any],
    notes: list[str],
) -> dict[str, Any]:
    """The fields both result kinds fill alike: framework, completeness, level, rule and notes."""
    name_zh, name_en = fw.level_name(level)
    return {
        "framework": fw.id,
        "edition": fw.edition,
        "name_zh": fw.name_zh,
        "name_en": fw.name_en,
        "complete": complete,
        "missing": missing,
        "level": level,
        "provisional_level": provisional,
        "level_name_zh": name_zh,
        "level_name_en": name_en,
        "rule_zh": fw.rule_zh,
        "rule_en": fw.rule_en,
        "basis_zh": fw.basis_zh,
        "basis_en": fw.basis_en,
        "answers": answers,
        "notes": notes,
    }


@dataclass
class _Assessed:
    """What every scored framework reports first: which framework, whether all is answered, and
    the level reached under which rule (the fields :func:`_result_fields` fills alike).

    ``missing`` lists the ids still to answer (see :func:`missing_answers`).
    """

    framework: str
    edition: str
    name_zh: str
    name_en: str
    complete: bool
    missing: list[str]
    level: int | None
    provisional_level: int
    level_name_zh: str
    level_name_en: str
    rule_zh: str
    rule_en: str
    basis_zh: str
    basis_en: str


@dataclass
class MiitResult(_Assessed):
    """The scored MIIT questionnaire (see :func:`score_miit`)."""

    items: list[dict[str, Any]]
    level2: list[dict[str, Any]]
    dimensions: list[dict[str, Any]]
    total: float
    max_total: float
    official_rule_in_sources: bool
    scenes: list[dict[str, Any]]
    scene_levels: dict[int, int]
    answers: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """The total to store: ``None`` while the questionnaire is incomplete."""
        return self.total if self.complete else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        d = asdict(self)
        d["scene_levels"] = {str(k): v for k, v in self.scene_levels.items()}
        return d


def item_points(item: MiitItem, ans: Any) -> Decimal:
    """The points a validated answer earns on one MIIT item.

    Parameters
    ----------
    item:
        The questionnaire item.
    ans:
        A validated answer: a list of option ids (``multi``), one option id (``single``) or a
        number (banded items).

    Returns
    -------
    decimal.Decimal
        The summed option points, the chosen option's points or the points of the band the number
        falls in.

    Raises
    ------
    ValueError
        When a number falls in no band (answers are validated before, so this does not happen).

    Example
    -------
    >>> from jiqun.digital.frameworks import load_framework
    >>> fw = load_framework("miit2024")
    >>> item_points(fw.item("network"), ["A", "B"]), item_points(fw.item("equipment_networking"), 35)
    (Decimal('4'), Decimal('3'))
    """
    if item.type == "multi":
        return sum((item.option(o).points for o in ans), Decimal(0))
    if item.type == "single":
        return item.option(ans).points
    value = Decimal(str(ans))
    for b in item.bands:
        if b.contains(value):
            return b.points
    raise ValueError(f"{item.id}: {ans} in no band")  # validated before: unreachable


def _answer_text(item: MiitItem, ans: Any) -> tuple[str, str]:
    if ans is None:
        return "", ""
    if item.type == "multi":
        if not ans:
            return "（未选）", "(none)"
        return (
            "、".join(item.option(o).zh for o in ans),
            ", ".join(item.option(o).en for o in ans),
        )
    if item.type == "single":
        o = item.option(ans)
        return o.zh, o.en
    band = next(b for b in item.bands if b.contains(Decimal(str(ans))))
    return f"{ans}%（{band.label}）", f"{ans} % ({band.label})"


def score_miit(framework: MiitFramework | str, answers: Mapping[str, Any]) -> MiitResult:
    """Score a MIIT SME digital-level questionnaire (complete or partial).

    Rule: item points = the chosen option's points (multi-select: the sum of the chosen
    options'; percentage items: the points of the band ``lower < value ≤ upper``, the first band
    ``0 ≤ value ≤ upper``); level-2 and dimension scores are sums of their items; total
    S = 数字化基础 + 数字化管理 + 数字化成效 (50 + 30 + 20 = 100). Level: the framework's
    thresholds with the lower bound inclusive — for 2024 the 2022 thresholds 20/40/60/80 as
    the stated basis, because the official 2024 rule is not in Jiqun's sources (the result
    carries ``basis_zh``/``basis_en`` and ``official_rule_in_sources = False``). The business
    scenarios are reported with their levels, not added to S. A partial questionnaire gets
    ``level = None`` and ``provisional_level`` = the level of the points so far (a lower bound:
    unanswered items can only add points).

    Parameters
    ----------
    framework:
        :class:`~jiqun.digital.frameworks.MiitFramework` or its name.
    answers:
        Raw or normalised answers (validated here; see :func:`validate_answers`).

    Returns
    -------
    MiitResult

    Raises
    ------
    JiqunError
        When the answers are invalid (one problem per item).

    References
    ----------
    docs/METHODS.md §7; ``miit_sme_digital_2024_mfg_scored_items.csv`` (points as published);
    MIIT 工信厅企业〔2022〕32号 (thresholds 20/40/60/80).

    Example
    -------
    >>> r = score_miit("miit2024", {"network": ["A", "B"], "equipment_networking": 35})
    >>> r.total, r.complete, r.level, r.provisional_level
    (7.0, False, None, 0)
    """
    fw = as_framework(framework)
    if not isinstance(fw, MiitFramework):
        raise JiqunError(
            f"{fw.name_zh} 不是 MIIT 评测框架", f"{fw.name_en} is not a MIIT framework"
        )
    norm = validate_answers(fw, answers)
    items: list[dict[str, Any]] = []
    pts: dict[str, Decimal] = {}
    for it in fw.items:
        ans = norm.get(it.id)
        got = item_points(it, ans) if it.id in norm else None
        if got is not None:
            pts[it.id] = got
        zh, en = _answer_text(it, ans)
        items.append(
            {
                "id": it.id,
                "name_zh": it.name_zh,
                "name_en": it.name_en,
                "dimension_id": it.dimension_id,
                "dimension_zh": it.dimension_zh,
                "level2_zh": it.level2_zh,
                "type": it.type,
                "kind": it.kind,
                "answered": it.id in norm,
                "answer": ans,
                "answer_zh": zh,
                "answer_en": en,
                "points": _d(got) if got is not None else None,
                "max_points": _d(it.max_points),
            }
        )
    level2: list[dict[str, Any]] = []
    for key in dict.fromkeys((it.dimension_zh, it.level2_zh) for it in fw.items):
        its = [it for it in fw.items if (it.dimension_zh, it.level2_zh) == key]
        level2.append(
            {
                "dimension_zh": key[0],
                "level2_zh": key[1],
                "level2_en": its[0].level2_en,
                "points": _d(sum((pts.get(i.id, Decimal(0)) for i in its), Decimal(0))),
                "max_points": _d(sum((i.points for i in its), Decimal(0))),
            }
        )
    dims: list[dict[str, Any]] = []
    for dm in fw.dimensions:
        its = [it for it in fw.items if it.dimension_id == dm.id]
        dims.append(
            {
                "id": dm.id,
                "name_zh": dm.name_zh,
                "name_en": dm.name_en,
                "points": _d(sum((pts.get(i.id, Decimal(0)) for i in its), Decimal(0))),
                "max_points": _d(dm.points),
            }
        )
    total = sum(pts.values(), Decimal(0))
    scenes = [
        {
            "id": sc.id,
            "name_zh": sc.name_zh,
            "name_en": sc.name_en,
            "group_zh": sc.group_zh,
            "group_en": sc.group_en,
            "type_flag": sc.type_flag,
            "level": norm.get(sc.id),
        }
        for sc in fw.scenes
    ]
    lo = 0 if fw.scene_allow_zero else fw.scene_min
    scene_levels = {
        k: sum(1 for s in scenes if s["level"] == k) for k in range(lo, fw.scene_max + 1)
    }
    missing = [k for k in fw.item_ids + fw.scene_ids if k not in norm]
    complete = not missing
    provisional = fw.level_of(total)
    level = provisional if complete else None
    notes: list[str] = []
    if not complete:
        notes.append(
            f"问卷未完成：还有 {len(missing)} 项未答，暂不判定等级；当前得分对应"
            f"「{fw.level_name(provisional)[0]}」（下限） / incomplete: {len(missing)} "
            f"unanswered, no level yet; the points so far correspond to "
            f"'{fw.level_name(provisional)[1]}' (a lower bound)"
        )
    if not fw.official_rule_in_sources:
        notes.append(f"{fw.basis_zh} / {fw.basis_en}")
    return MiitResult(
        **_result_fields(fw, complete, missing, level, provisional, norm, notes),
        items=items,
        level2=level2,
        dimensions=dims,
        total=_d(total),
        max_total=_d(fw.total_points),
        official_rule_in_sources=fw.official_rule_in_sources,
        scenes=scenes,
        scene_levels=scene_levels,
    )


# ---------------------------------------------------------------------------------------------
# GB/T 39116 maturity
# ---------------------------------------------------------------------------------------------


@dataclass
class MaturityResult(_Assessed):
    """The GB/T 39116 maturity assessment (see :func:`score_gbt39116`)."""

    subdomains: list[dict[str, Any]]
    domains: list[dict[str, Any]]
    elements: list[dict[str, Any]]
    level_shares: list[dict[str, Any]]
    answers: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """GB/T 39116 has no points: always ``None`` (the level is the result)."""
        return None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


def _highest_met(levels: dict[str, bool], top: int) -> int:
    k = 0
    while k < top and levels.get(str(k + 1)) is True:
        k += 1
    return k


def _decided(levels: dict[str, bool], top: int) -> bool:
    """Answered far enough: levels 1..k answered and k = top or level k not met."""
    k = _highest_met(levels, top)
    return k == top or levels.get(str(k + 1)) is False


def score_gbt39116(
    framework: Gbt39116Framework | str, answers: Mapping[str, Any]
) -> MaturityResult:
    """Decide the GB/T 39116-2020 maturity level from met / not-met answers.

    Rule: a sub-domain's level h_s is the highest k with the requirements of levels 1..k all
    met (levels are cumulative: a met level 4 above an unmet level 3 does not count). The
    firm's level is ``L = min_s h_s`` over the applicable sub-domains — the standard's
    "all requirements of a level met". Domains and elements get the minimum of their
    sub-domains likewise. ``level_shares`` gives, per level, the share of applicable
    sub-domains that meet it (a progress view, not part of the standard). A sub-domain is
    *decided* when answered up to its first unmet level (or to level 5); while any applicable
    sub-domain is undecided the result is incomplete (``level = None``,
    ``provisional_level`` = L with unanswered requirements counted as not met). The
    GB/T 39117-2020 scoring method is not used (not in Jiqun's sources; ``basis_*`` says so).

    Parameters
    ----------
    framework:
        :class:`~jiqun.digital.frameworks.Gbt39116Framework` or its name.
    answers:
        Raw or normalised answers (see :func:`validate_answers`).

    Returns
    -------
    MaturityResult

    Raises
    ------
    JiqunError
        Invalid answers, or every sub-domain declared not applicable.

    References
    ----------
    GB/T 39116-2020 (levels, elements, sub-domains); docs/METHODS.md §7.

    Example
    -------
    >>> from jiqun.digital.frameworks import load_framework
    >>> g = load_framework("gbt39116")
    >>> ans = {s: 3 for s in g.subdomain_ids}
    >>> ans["sales"] = {"1": True, "2": False, "3": True}
    >>> ans["logistics"] = "na"
    >>> r = score_gbt39116(g, ans)
    >>> r.level, r.level_name_zh, r.complete
    (1, '1级 规划级', True)
    """
    fw = as_framework(framework)
    if not isinstance(fw, Gbt39116Framework):
        raise JiqunError(f"{fw.name_zh} 不是 GB/T 39116", f"{fw.name_en} is not GB/T 39116")
    norm = validate_answers(fw, answers)
    top = fw.max_level
    applicable = [s for s in fw.subdomains if norm.get(s.id) != "na"]
    if not applicable and len(norm) == len(fw.subdomains):
        raise JiqunError(
            "所有能力子域都被声明为不适用，无法判定成熟度等级",
            "every capability sub-domain is declared not applicable: no level can be decided",
            problems=[
                Problem(
                    None,
                    "*",
                    "na",
                    "digital.answer.all_na",
                    "error",
                    "至少一个能力子域须适用",
                    "at least one sub-domain must apply",
                )
            ],
        )
    subs: list[dict[str, Any]] = []
    missing: list[str] = []
    for s in fw.subdomains:
        a = norm.get(s.id)
        na = a == "na"
        lv: dict[str, bool] = {} if (a is None or na) else a
        h = _highest_met(lv, top)
        decided = na or (a is not None and _decided(lv, top))
        if not decided:
            missing.append(s.id)
        subs.append(
            {
                "id": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "domain_zh": s.domain_zh,
                "element_zh": s.element_zh,
                "applicable": not na,
                "met": {str(k): lv.get(str(k)) for k in range(1, top + 1)} if not na else {},
                "highest_met": None if na else h,
                "decided": decided,
            }
        )
    app = [x for x in subs if x["applicable"]]
    provisional = min((x["highest_met"] for x in app), default=0)
    complete = not missing
    level = provisional if complete else None

    def group(key: str, en_of: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for name in dict.fromkeys(x[key] for x in subs):
            xs = [x for x in app if x[key] == name]
            out.append(
                {
                    "name_zh": name,
                    "name_en": en_of.get(name, name),
                    "subdomains": len([x for x in subs if x[key] == name]),
                    "applicable": len(xs),
                    "level": min((x["highest_met"] for x in xs), default=None),
                }
            )
        return out

    dom_en = {s.domain_zh: s.domain_en for s in fw.subdomains}
    el_en = {s.element_zh: s.element_en for s in fw.subdomains}
    shares = []
    for k in range(1, top + 1):
        met = sum(1 for x in app if x["highest_met"] >= k)
        shares.append(
            {
                "level": k,
                "name_zh": fw.level(k).name_zh,
                "met": met,
                "applicable": len(app),
                "share": (met / len(app)) if app else None,
            }
        )
    notes = [f"{fw.basis_zh} / {fw.basis_en}"]
    if not complete:
        notes.insert(
            0,
            f"问卷未完成：{len(missing)} 个子域尚未答到首个未满足的等级，暂不判定等级 / "
            f"incomplete: {len(missing)} sub-domain(s) not answered up to their first unmet "
            "level; no level yet",
        )
    if any("recalled" in s.verification for s in fw.subdomains):
        notes.append(
            "能力子域清单为回忆整理、尚未与标准原文核对 / the sub-domain list is recalled, "
            "not yet checked against the standard"
        )
    return MaturityResult(
        **_result_fields(fw, complete, missing, level, provisional, norm, notes),
        subdomains=subs,
        domains=group("domain_zh", dom_en),
        elements=group("element_zh", el_en),
        level_shares=shares,
    )


def score_answers(
    framework: Framework | str, answers: Mapping[str, Any]
) -> MiitResult | MaturityResult:
    """Score answers with the right rule for the framework (MIIT points or GB/T 39116 levels).

    Parameters
    ----------
    framework:
        A loaded framework or its name (``miit2024``, ``gbt39116``).
    answers:
        Raw or normalised answers.

    Returns
    -------
    MiitResult | MaturityResult

    References
    ----------
    :func:`score_miit`, :func:`score_gbt39116`; docs/METHODS.md §7.

    Example
    -------
    >>> score_answers("gbt39116", {"data": 2}).complete
    False
    """
    fw = as_framework(framework)
    if isinstance(fw, MiitFramework):
        return score_miit(fw, answers)
    return score_gbt39116(fw, answers)


def missing_answers(framework: Framework | str, answers: Mapping[str, Any]) -> list[str]:
    """Ids still to answer before the questionnaire can be submitted.

    Parameters
    ----------
    framework:
        A loaded framework or its name.
    answers:
        Raw or normalised answers.

    Returns
    -------
    list[str]
        Item and scenario ids (MIIT) or undecided sub-domain ids (GB/T 39116), in order.

    References
    ----------
    :func:`score_answers`.

    Example
    -------
    >>> len(missing_answers("miit2024", {"network": []}))
    30
    """
    return score_answers(framework, answers).missing
