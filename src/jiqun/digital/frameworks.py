"""Digital-transformation frameworks as data: the MIIT SME digital level and GB/T 39116.

A framework definition is **data**, never code: the shipped reference files in
``jiqun/reference/data/`` (hierarchy, points, question text, business scenarios, levels,
sub-domains) plus a machine-readable companion YAML in ``jiqun/digital/data/`` (item ids, option
ids and points, level thresholds, the level rule and its basis, action templates). A new edition
is a new YAML (and its CSVs); :func:`load_framework` reads it and checks it against itself, so a
transcription error fails loudly instead of mis-scoring.

Frameworks
----------
``miit2024``
    中小企业数字化水平评测指标（2024年版）, manufacturing: 15 scored items in three dimensions
    (数字化基础 50, 数字化管理 30, 数字化成效 20 points; total 100) and 16 business scenarios
    (数字化经营) rated at level 1–4.
``gbt39116``
    GB/T 39116-2020 智能制造能力成熟度模型: levels 1 规划级 … 5 引领级; 4 capability elements,
    12 domains, 20 sub-domains.

References
----------
docs/METHODS.md §7 (Digital transformation); ``jiqun/reference/data/SOURCES.md``; MIIT notices
工信厅企业〔2022〕32号 (2022 edition and its level thresholds) and 工信厅企业〔2024〕56号
(2024 edition); GB/T 39116-2020.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import yaml

from jiqun.standard.problems import JiqunError, Problem

__all__ = [
    "FRAMEWORKS",
    "Band",
    "Dimension",
    "Gbt39116Framework",
    "Gbt39116Level",
    "Gbt39116Subdomain",
    "MiitFramework",
    "MiitItem",
    "MiitLevel",
    "MiitScene",
    "Option",
    "as_framework",
    "framework_id",
    "load_framework",
    "own_wording_note",
]

#: framework id -> companion YAML shipped in ``jiqun/digital/data``
FRAMEWORKS: dict[str, str] = {
    "miit2024": "miit_sme_digital_2024_mfg.yaml",
    "gbt39116": "gbt39116_2020.yaml",
}

_ALIASES = {
    "miit": "miit2024",
    "miit2024": "miit2024",
    "miit_2024": "miit2024",
    "sme": "miit2024",
    "gbt": "gbt39116",
    "gbt39116": "gbt39116",
    "gb/t39116": "gbt39116",
    "gbt39116-2020": "gbt39116",
    "gb/t39116-2020": "gbt39116",
}


def framework_id(name: str) -> str:
    """Canonical framework id for a user-typed name.

    Parameters
    ----------
    name:
        ``miit2024`` (also ``miit``), ``gbt39116`` (also ``gbt``, ``GB/T 39116-2020``).

    Returns
    -------
    str
        ``"miit2024"`` or ``"gbt39116"``.

    Raises
    ------
    JiqunError
        For an unknown name.

    Example
    -------
    >>> framework_id("GB/T 39116-2020"), framework_id("MIIT")
    ('gbt39116', 'miit2024')
    """
    key = str(name).strip().lower().replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    raise JiqunError(
        f"未知的评测框架 framework：{name!r}；可选：miit2024、gbt39116",
        f"unknown framework {name!r}; choose miit2024 or gbt39116",
    )


# ---------------------------------------------------------------------------------------------
# data classes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One answer option of a MIIT item (``id`` is the questionnaire letter)."""

    id: str
    zh: str
    en: str
    points: Decimal
    action_zh: str | None = None
    action_en: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """One percentage band of a ``band`` item: ``lower < value ≤ upper`` (first band: ``0 ≤``)."""

    lower: Decimal
    upper: Decimal
    points: Decimal
    lower_inclusive: bool

    def contains(self, value: Decimal) -> bool:
        """True when ``value`` falls in this band."""
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        return above and value <= self.upper

    @property
    def label(self) -> str:
        """The band as the questionnaire writes it, e.g. ``(10,20]%``."""
        left = "[" if self.lower_inclusive else "("
        return f"{left}{self.lower:g},{self.upper:g}]%"


@dataclass(frozen=True, slots=True)
class MiitItem:
    """A scored item (三级指标) of the MIIT evaluation."""

    id: str
    name_zh: str
    name_en: str
    dimension_id: str
    dimension_zh: str
    level2_zh: str
    level2_en: str
    points: Decimal
    question_zh: str
    scoring_zh: str
    type: str  # multi | single | band
    kind: str  # action | outcome
    options: tuple[Option, ...] = ()
    bands: tuple[Band, ...] = ()
    exclusive: str | None = None
    unit: str = ""
    action_zh: str = ""
    action_en: str = ""
    options_note_zh: str = ""
    options_note_en: str = ""
    #: ``source`` (options as the indicators word them) or ``jiqun`` (Jiqun's own wording of
    #: options the sources give only as counts and points; see :func:`own_wording_note`)
    options_wording: str = "source"
    #: Jiqun's English of the question (not official; data/*_en.yaml), "" if none
    question_en: str = ""

    @property
    def max_points(self) -> Decimal:
        """The most points the item can give (multi: all options; single/band: the best one)."""
        if self.type == "multi":
            return sum((o.points for o in self.options), Decimal(0))
        if self.type == "single":
            return max(o.points for o in self.options)
        return max(b.points for b in self.bands)

    @property
    def min_points(self) -> Decimal:
        """The fewest points a complete answer gives (single items may have no zero option)."""
        if self.type == "single":
            return min(o.points for o in self.options)
        if self.type == "band":
            return min(b.points for b in self.bands)
        return Decimal(0)

    def option(self, option_id: str) -> Option:
        """The option with this id (KeyError when absent)."""
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)


@dataclass(frozen=True, slots=True)
class MiitScene:
    """A business scenario (数字化经营场景), rated at level 1–4."""

    id: str
    name_zh: str
    name_en: str
    group_zh: str
    group_en: str
    type_flag: str


@dataclass(frozen=True, slots=True)
class MiitLevel:
    """A digital level (一级…四级) with its lower score threshold."""

    level: int
    min: Decimal
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str


@dataclass(frozen=True, slots=True)
class Dimension:
    """A dimension (一级指标) with its points."""

    id: str
    name_zh: str
    name_en: str
    points: Decimal


@dataclass(frozen=True, kw_only=True)
class _Framework:
    """What both framework kinds have: names, sources and level-rule texts; look-ups by key."""

    id: str
    edition: str
    name_zh: str
    name_en: str
    source_zh: str
    source_en: str
    verification: str
    below_zh: str
    below_en: str
    rule_zh: str
    rule_en: str
    basis_zh: str
    basis_en: str
    origin: str = "<memory>"
    _keys: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    if TYPE_CHECKING:  # each kind declares its own levels (not a field of this base)
        levels: tuple[MiitLevel, ...] | tuple[Gbt39116Level, ...]
    #: how a level is named, formatted with ``n`` (its number) and ``name`` (its zh or en name)
    _level_zh: ClassVar[str] = "{name}"
    _level_en: ClassVar[str] = "{name}"

    def _index_keys(self, *groups: tuple[_Keyed, ...]) -> None:
        keys: dict[str, str] = {}
        for group in groups:
            for e in group:
                keys[e.id] = keys[e.id.lower()] = keys[e.name_zh] = e.id
        object.__setattr__(self, "_keys", keys)

    def resolve_key(self, key: str) -> str | None:
        """Item, scenario or sub-domain id for an id or a Chinese name.

        Example
        -------
        >>> load_framework("miit2024").resolve_key("设备联网")
        'equipment_networking'
        >>> load_framework("gbt39116").resolve_key("计划与调度")
        'planning_scheduling'
        """
        k = str(key).strip()
        return self._keys.get(k) or self._keys.get(k.lower())

    def level_name(self, level: int | None) -> tuple[str, str]:
        """(Chinese, English) name of a level; ``0`` is "below level 1", ``None`` is incomplete."""
        if level is None:
            return "未完成（无等级）", "incomplete (no level)"
        if level == 0:
            return self.below_zh, self.below_en
        for lv in self.levels:
            if lv.level == level:
                return (
                    self._level_zh.format(n=lv.level, name=lv.name_zh),
                    self._level_en.format(n=lv.level, name=lv.name_en),
                )
        raise KeyError(level)


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name_zh(self) -> str: ...


_E = TypeVar("_E", bound=_Keyed)


def _by_id(group: tuple[_E, ...], key: str) -> _E:
    """The entry of ``group`` with this id (KeyError when absent)."""
    for e in group:
        if e.id == key:
            return e
    raise KeyError(key)


@dataclass(frozen=True, kw_only=True)
class MiitFramework(_Framework):
    """The MIIT SME digital-level framework of one edition (see :func:`load_framework`)."""

    sector: str
    total_points: Decimal
    dimensions: tuple[Dimension, ...]
    items: tuple[MiitItem, ...]
    scenes: tuple[MiitScene, ...]
    levels: tuple[MiitLevel, ...]
    official_rule_in_sources: bool
    scene_min: int
    scene_max: int
    scene_allow_zero: bool
    scene_zero_zh: str
    scene_zero_en: str
    scene_flag_note_zh: str
    scene_flag_note_en: str

    kind = "miit"

    def __post_init__(self) -> None:
        self._index_keys(self.items, self.scenes)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Scored item ids in questionnaire order."""
        return tuple(i.id for i in self.items)

    @property
    def scene_ids(self) -> tuple[str, ...]:
        """Business-scenario ids in questionnaire order."""
        return tuple(s.id for s in self.scenes)

    def item(self, item_id: str) -> MiitItem:
        """The scored item with this id (KeyError when absent)."""
        return _by_id(self.items, item_id)

    def scene(self, scene_id: str) -> MiitScene:
        """The business scenario with this id (KeyError when absent)."""
        return _by_id(self.scenes, scene_id)

    def level_of(self, total: Decimal | float) -> int:
        """The level (0 = below level 1) of a total score by :attr:`levels` (lower bound inclusive).

        Example
        -------
        >>> fw = load_framework("miit2024")
        >>> [fw.level_of(x) for x in (19.99, 20, 39.99, 40, 60, 79.99, 80, 100)]
        [0, 1, 1, 2, 3, 3, 4, 4]
        """
        t = total if isinstance(total, Decimal) else Decimal(str(total))
        level = 0
        for lv in self.levels:
            if t >= lv.min:
                level = lv.level
        return level

    def threshold(self, level: int) -> Decimal | None:
        """Lower score threshold of ``level`` (``None`` beyond the top level)."""
        for lv in self.levels:
            if lv.level == level:
                return lv.min
        return None


@dataclass(frozen=True, slots=True)
class Gbt39116Level:
    """A GB/T 39116 maturity level."""

    level: int
    name_zh: str
    name_en: str
    summary_zh: str
    verification: str


@dataclass(frozen=True, slots=True)
class Gbt39116Subdomain:
    """A GB/T 39116 capability sub-domain with its domain and element."""

    id: str
    name_zh: str
    name_en: str
    domain_zh: str
    domain_en: str
    element_zh: str
    element_en: str
    verification: str


@dataclass(frozen=True, kw_only=True)
class Gbt39116Framework(_Framework):
    """The GB/T 39116 maturity model (see :func:`load_framework`)."""

    levels: tuple[Gbt39116Level, ...]
    subdomains: tuple[Gbt39116Subdomain, ...]

    kind = "gbt"
    _level_zh: ClassVar[str] = "{n}级 {name}"
    _level_en: ClassVar[str] = "level {n} {name}"

    def __post_init__(self) -> None:
        self._index_keys(self.subdomains)

    @property
    def subdomain_ids(self) -> tuple[str, ...]:
        """Sub-domain ids in the order of the standard."""
        return tuple(s.id for s in self.subdomains)

    @property
    def max_level(self) -> int:
        """The top level (5)."""
        return max(lv.level for lv in self.levels)

    def subdomain(self, subdomain_id: str) -> Gbt39116Subdomain:
        """The sub-domain with this id (KeyError when absent)."""
        return _by_id(self.subdomains, subdomain_id)

    def level(self, level: int) -> Gbt39116Level:
        """The level definition (KeyError when absent)."""
        for lv in self.levels:
            if lv.level == level:
                return lv
        raise KeyError(level)


Framework = MiitFramework | Gbt39116Framework


# ---------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[Problem] = []

    def add(self, where: str, value: object, rule: str, zh: str, en: str) -> None:
        self.problems.append(
            Problem(
                None,
                where,
                str(value),
                f"digital.framework.{rule}",
                "error",
                f"{self.origin}：{where}：{zh}",
                f"{self.origin}: {where}: {en}",
            )
        )

    def raise_if_any(self) -> None:
        if self.problems:
            raise JiqunError(
                f"评测框架定义 {self.origin} 有 {len(self.problems)} 个问题（见下）",
                f"the framework definition {self.origin} has {len(self.problems)} problem(s) "
                "(listed below)",
                problems=self.problems,
            )


def _dec(c: _Collector, where: str, v: object) -> Decimal:
    try:
        d = Decimal(str(v).strip())
    except (InvalidOperation, ValueError):
        c.add(where, v, "number", "不是数值", "is not a number")
        return Decimal(0)
    if not d.is_finite():
        c.add(where, v, "number", "不是有限数值", "is not a finite number")
        return Decimal(0)
    return d


def _read_text(name: str, base: Path | None) -> str:
    """A data file next to a user YAML, else the shipped reference or digital data file."""
    if base is not None and (base / name).is_file():
        return (base / name).read_text(encoding="utf-8-sig")
    ref = resources.files("jiqun.reference").joinpath("data", name)
    if ref.is_file():
        return ref.read_text(encoding="utf-8-sig")
    own = resources.files("jiqun.digital").joinpath("data", name)
    if own.is_file():
        return own.read_text(encoding="utf-8-sig")
    raise JiqunError(f"找不到评测框架数据文件：{name}", f"framework data file not found: {name}")


def _csv_rows(name: str, base: Path | None) -> list[dict[str, str]]:
    return [
        {k.strip(): (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(_read_text(name, base)))
    ]


_OPTION_KEYS = frozenset({"id", "zh", "en", "points", "action_zh", "action_en"})


def _options(c: _Collector, where: str, raw: object) -> tuple[Option, ...]:
    out: list[Option] = []
    if not isinstance(raw, list) or not raw:
        c.add(where, raw, "options", "缺少选项列表", "lacks a list of options")
        return ()
    seen: set[str] = set()
    for k, o in enumerate(raw):
        w = f"{where}.options[{k}]"
        if not isinstance(o, dict) or not {"id", "zh", "points"} <= set(o):
            c.add(w, o, "option", "选项须有 id、zh、points", "an option needs id, zh and points")
            continue
        extra = set(o) - _OPTION_KEYS
        if extra:
            # an unquoted comma in a YAML flow mapping cuts a label short and makes the rest a
            # key of its own: refuse it rather than show half a sentence
            c.add(
                w,
                sorted(map(str, extra)),
                "option_keys",
                "选项含未知字段（标签中的逗号须加引号）",
                "the option has unknown keys (quote a label that holds a comma)",
            )
        oid = str(o["id"])
        if oid in seen:
            c.add(w, oid, "option_id", "选项编号重复", "duplicate option id")
        seen.add(oid)
        out.append(
            Option(
                oid,
                str(o["zh"]),
                str(o.get("en", o["zh"])),
                _dec(c, w + ".points", o["points"]),
                o.get("action_zh"),
                o.get("action_en"),
            )
        )
    return tuple(out)


def _pts(d: Decimal) -> str:
    """Points as the questionnaire writes them: ``1.25``, ``5``, ``10`` (no exponent)."""
    return format(d.normalize(), "f")


def own_wording_note(item_type: str, options: tuple[Option, ...]) -> tuple[str, str]:
    """The note shown with an item whose options are worded by Jiqun (zh, en).

    The indicators' sources give some items only as counts and points ("4 measures x 1.25");
    Jiqun then asks concrete measures in its own words, scored as the item is scored. The note
    says both, with the points taken from the options themselves, so it cannot drift from them.

    Parameters
    ----------
    item_type:
        ``multi`` (each chosen option adds its points) or ``single`` (one option).
    options:
        The item's options, in questionnaire order.

    Returns
    -------
    tuple[str, str]
        Chinese and English note.

    References
    ----------
    ``jiqun/digital/data/miit_sme_digital_2024_mfg.yaml`` (``options_wording: jiqun``);
    ``docs/digital.md``.

    Example
    -------
    >>> o = tuple(Option(k, k, k, Decimal("1.25")) for k in "ABCD")
    >>> own_wording_note("multi", o)[0]
    '选项为本平台表述，非评测指标原文；计分与原指标相同：每项 1.25 分，满分 5 分'
    """
    head_zh = "选项为本平台表述，非评测指标原文；计分与原指标相同："
    head_en = "options in Jiqun's own words, not the indicators' original text; scored as the "
    points = [o.points for o in options]
    if item_type == "multi" and len(set(points)) == 1:
        each, top = _pts(points[0]), _pts(sum(points, Decimal(0)))
        return (
            f"{head_zh}每项 {each} 分，满分 {top} 分",
            f"{head_en}official item: {each} points each, {top} points at most",
        )
    if item_type == "multi":
        listed, top = "/".join(_pts(p) for p in points), _pts(sum(points, Decimal(0)))
        return (
            f"{head_zh}各项依次 {listed} 分，满分 {top} 分",
            f"{head_en}official item: {listed} points in order, {top} points at most",
        )
    listed, top = "/".join(_pts(p) for p in points), _pts(max(points))
    return (
        f"{head_zh}单选已达到的最高一档，依次 {listed} 分，满分 {top} 分",
        f"{head_en}official item: choose the highest stage reached; "
        f"{listed} points in order, {top} points at most",
    )


def _bands(c: _Collector, where: str, raw: object) -> tuple[Band, ...]:
    out: list[Band] = []
    if not isinstance(raw, list) or not raw:
        c.add(where, raw, "bands", "缺少分段列表", "lacks a list of bands")
        return ()
    lower = Decimal(0)
    for k, b in enumerate(raw):
        w = f"{where}.bands[{k}]"
        if not isinstance(b, dict) or not {"upper", "points"} <= set(b):
            c.add(w, b, "band", "分段须有 upper、points", "a band needs upper and points")
            continue
        upper = _dec(c, w + ".upper", b["upper"])
        if upper <= lower:
            c.add(w, upper, "band_order", "分段上限须递增", "band upper ends must increase")
        out.append(Band(lower, upper, _dec(c, w + ".points", b["points"]), k == 0))
        lower = upper
    if out and out[-1].upper != 100:
        c.add(
            where, out[-1].upper, "band_end", "最后一段须止于 100", "the last band must end at 100"
        )
    return tuple(out)


def _matched(
    c: _Collector,
    doc: dict[str, Any],
    key: str,
    by_key: dict[str, dict[str, str]],
    zh: str,
    en: str,
) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """(YAML entry, CSV row) of each entry of ``doc[key + "s"]`` whose ``key`` names a CSV row.

    An entry that names no row is a problem (``zh``/``en``) and is passed over.
    """
    for k, entry in enumerate(doc.get(key + "s", [])):
        row = by_key.get(str(entry.get(key, "")))
        if row is None:
            c.add(f"{key}s[{k}]", entry.get(key), key, zh, en)
            continue
        yield entry, row


def _common(doc: dict[str, Any], below_zh: str, origin: str) -> dict[str, Any]:
    """The fields every framework kind reads alike from its YAML and its ``level_rule``."""
    lr = doc.get("level_rule", {})
    texts = {k: str(doc.get(k, "")) for k in ("source_zh", "source_en", "verification")}
    rule = {k: str(lr.get(k, "")) for k in ("rule_zh", "rule_en", "basis_zh", "basis_en")}
    return {
        "id": str(doc["framework"]),
        "edition": str(doc["edition"]),
        "name_zh": str(doc["name_zh"]),
        "name_en": str(doc["name_en"]),
        **texts,
        "below_zh": str(lr.get("below_zh", below_zh)),
        "below_en": str(lr.get("below_en", "below level 1")),
        **rule,
        "origin": origin,
    }


@functools.lru_cache(maxsize=8)
def _questions_en(framework: str, sector: str) -> dict[str, str]:
    """Jiqun's English question texts of a framework (``data/*_en.yaml``, marked "Jiqun
    translation (not official)"), by level-3 name; empty when no file translates it."""
    for f in resources.files("jiqun.digital").joinpath("data").iterdir():
        if f.name.endswith("_en.yaml"):
            doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
            if doc.get("framework") == framework and doc.get("sector") == sector:
                return {str(k): str(v) for k, v in (doc.get("questions") or {}).items()}
    return {}


def _load_miit(doc: dict[str, Any], origin: str, base: Path | None) -> MiitFramework:
    c = _Collector(origin)
    rows = _csv_rows(str(doc["items_file"]), base)
    scene_rows = _csv_rows(str(doc["scenes_file"]), base)
    dims_meta = {d["name_zh"]: d for d in doc.get("dimensions", [])}
    l2_en = dict(doc.get("level2_names", {}))
    by_l3 = {r["level3"]: r for r in rows}
    if len(by_l3) != len(rows):
        c.add("items_file", doc["items_file"], "csv_dupe", "三级指标名称重复", "duplicate level3")

    items: list[MiitItem] = []
    seen_ids: set[str] = set()
    for k, it in enumerate(doc.get("items", [])):
        iid = str(it.get("id", ""))
        where = f"items[{k}] {iid}"
        if not iid or iid in seen_ids:
            c.add(where, iid, "item_id", "题目编号缺失或重复", "missing or duplicate item id")
        seen_ids.add(iid)
        l3 = str(it.get("level3", ""))
        row = by_l3.get(l3)
        if row is None:
            c.add(where, l3, "level3", "在计分项 CSV 中找不到", "not found in the scored-items CSV")
            continue
        typ = str(it.get("type", ""))
        if typ not in ("multi", "single", "band"):
            c.add(
                where, typ, "type", "题型须为 multi/single/band", "type must be multi/single/band"
            )
            continue
        dim = row["dimension"]
        if dim not in dims_meta:
            c.add(where, dim, "dimension", "维度未在 dimensions 中定义", "dimension not defined")
            continue
        item = MiitItem(
            id=iid,
            name_zh=l3,
            name_en=str(it.get("name_en", l3)),
            dimension_id=str(dims_meta[dim]["id"]),
            dimension_zh=dim,
            level2_zh=row["level2"],
            level2_en=str(l2_en.get(row["level2"], row["level2"])),
            points=_dec(c, where + ".level3_points", row["level3_points"]),
            question_zh=row["question"],
            scoring_zh=row["scoring"],
            type=typ,
            kind=str(it.get("kind", "action")),
            options=_options(c, where, it.get("options")) if typ != "band" else (),
            bands=_bands(c, where, it.get("bands")) if typ == "band" else (),
            exclusive=it.get("exclusive"),
            unit=str(it.get("unit", "")),
            action_zh=str(it.get("action_zh", "")),
            action_en=str(it.get("action_en", "")),
            options_note_zh=str(it.get("options_note_zh", "")),
            options_note_en=str(it.get("options_note_en", "")),
            options_wording=str(it.get("options_wording", "source")),
            question_en=_questions_en(str(doc["framework"]), str(doc.get("sector", ""))).get(
                l3, ""
            ),
        )
        if item.options_wording not in ("source", "jiqun"):
            c.add(
                where,
                item.options_wording,
                "options_wording",
                "options_wording 须为 source 或 jiqun",
                "options_wording must be source or jiqun",
            )
        elif item.options_wording == "jiqun" and item.options:
            zh, en = own_wording_note(item.type, item.options)
            item = dataclasses.replace(item, options_note_zh=zh, options_note_en=en)
        if item.exclusive and item.exclusive not in {o.id for o in item.options}:
            c.add(where, item.exclusive, "exclusive", "排他选项不存在", "exclusive option missing")
        if (item.options or item.bands) and item.max_points != item.points:
            c.add(
                where,
                item.max_points,
                "points",
                f"选项满分 {item.max_points} ≠ CSV 中的 {item.points} 分",
                f"the options' maximum {item.max_points} ≠ the CSV's {item.points} points",
            )
        items.append(item)
    for l3 in by_l3:
        if l3 not in {i.name_zh for i in items}:
            c.add("items", l3, "missing_item", "CSV 中的计分项未定义题目", "CSV item not defined")

    # level-2 and dimension sums must agree with the CSV
    dims: list[Dimension] = []
    for name, meta in dims_meta.items():
        drows = [r for r in rows if r["dimension"] == name]
        if not drows:
            c.add("dimensions", name, "dimension_rows", "CSV 中没有该维度", "no CSV rows")
            continue
        dpts = _dec(c, f"dimension {name}", drows[0]["dimension_points"])
        l2: dict[str, Decimal] = {}
        for r in drows:
            l2[r["level2"]] = _dec(c, f"level2 {r['level2']}", r["level2_points"])
            if r["dimension_points"] != drows[0]["dimension_points"]:
                c.add(name, r["dimension_points"], "dim_points", "维度分值不一致", "inconsistent")
        for l2name, l2pts in l2.items():
            s = sum(
                (i.points for i in items if i.dimension_zh == name and i.level2_zh == l2name),
                Decimal(0),
            )
            if s != l2pts:
                c.add(
                    f"{name}/{l2name}",
                    s,
                    "level2_sum",
                    f"三级指标合计 {s} ≠ 二级指标分值 {l2pts}",
                    f"the items add up to {s}, not the level-2 points {l2pts}",
                )
        if sum(l2.values(), Decimal(0)) != dpts:
            c.add(name, dpts, "dim_sum", "二级指标合计 ≠ 维度分值", "level-2 sum ≠ dimension")
        dims.append(Dimension(str(meta["id"]), name, str(meta.get("name_en", name)), dpts))
    total = _dec(c, "total_points", doc.get("total_points", 100))
    if sum((d.points for d in dims), Decimal(0)) != total:
        c.add("dimensions", total, "total", "维度分值合计 ≠ 总分", "dimensions ≠ total points")

    # scenes
    groups_en = dict(doc.get("scene_groups", {}))
    srows = {r["scene"]: r for r in scene_rows}
    scenes: list[MiitScene] = []
    for sy, sr in _matched(c, doc, "scene", srows, "场景 CSV 中没有", "not in scenes CSV"):
        scenes.append(
            MiitScene(
                *_entry_names(sy, sr["scene"]),
                *_names(groups_en, sr["scene_group"]),
                sr.get("sceneType_flag_in_system_json", ""),
            )
        )
    if len(scenes) != len(srows):
        c.add("scenes", len(scenes), "scene_count", "场景数与 CSV 不符", "scene count ≠ CSV")
    if len({s.id for s in scenes} | {i.id for i in items}) != len(scenes) + len(items):
        c.add("scenes", "", "ids", "题目与场景编号须唯一", "item and scene ids must be unique")

    lr = doc.get("level_rule", {})
    levels = tuple(
        MiitLevel(
            int(lv["level"]),
            _dec(c, f"level {lv.get('level')}", lv["min"]),
            str(lv["name_zh"]),
            str(lv["name_en"]),
            str(lv.get("summary_zh", "")),
            str(lv.get("summary_en", "")),
        )
        for lv in lr.get("levels", [])
    )
    if [lv.min for lv in levels] != sorted(lv.min for lv in levels) or not levels:
        c.add("level_rule", "", "levels", "等级阈值须递增", "level thresholds must increase")
    sl = doc.get("scene_levels", {})
    c.raise_if_any()
    return MiitFramework(
        **_common(doc, "未达一级", origin),
        sector=str(doc.get("sector", "")),
        total_points=total,
        dimensions=tuple(dims),
        items=tuple(items),
        scenes=tuple(scenes),
        levels=levels,
        official_rule_in_sources=bool(lr.get("official_rule_in_sources", False)),
        scene_min=int(sl.get("min", 1)),
        scene_max=int(sl.get("max", 4)),
        scene_allow_zero=bool(sl.get("allow_zero", False)),
        scene_zero_zh=str(sl.get("zero_zh", "")),
        scene_zero_en=str(sl.get("zero_en", "")),
        scene_flag_note_zh=str(sl.get("flag_note_zh", "")),
        scene_flag_note_en=str(sl.get("flag_note_en", "")),
    )


def _names(names_en: Mapping[str, Any], zh: str) -> tuple[str, str]:
    """A CSV's Chinese name and the English the YAML gives it (the Chinese when it gives none)."""
    return zh, str(names_en.get(zh, zh))


def _entry_names(entry: Mapping[str, Any], zh: str) -> tuple[str, str, str]:
    """The id of a YAML entry, the Chinese name of its CSV row and the entry's English name."""
    return str(entry["id"]), zh, str(entry.get("name_en", zh))


def _load_gbt(doc: dict[str, Any], origin: str, base: Path | None) -> Gbt39116Framework:
    c = _Collector(origin)
    lrows = _csv_rows(str(doc["levels_file"]), base)
    drows = _csv_rows(str(doc["domains_file"]), base)
    levels = tuple(
        Gbt39116Level(
            int(r["level"]), r["name_zh"], r["name_en"], r["summary_zh"], r.get("verification", "")
        )
        for r in lrows
    )
    if [lv.level for lv in levels] != list(range(1, len(levels) + 1)):
        c.add("levels_file", "", "levels", "等级须为 1..n 连续", "levels must be 1..n")
    el_en = dict(doc.get("elements", {}))
    dom_en = dict(doc.get("domains", {}))
    by_name = {r["subdomain"]: r for r in drows}
    subs: list[Gbt39116Subdomain] = []
    for s, r in _matched(c, doc, "subdomain", by_name, "CSV 中没有", "not in CSV"):
        subs.append(
            Gbt39116Subdomain(
                *_entry_names(s, r["subdomain"]),
                *_names(dom_en, r["domain"]),
                *_names(el_en, r["element"]),
                r.get("verification", ""),
            )
        )
    if len(subs) != len(drows) or len({s.id for s in subs}) != len(subs):
        c.add("subdomains", len(subs), "count", "子域与 CSV 不符或编号重复", "sub-domains ≠ CSV")
    c.raise_if_any()
    return Gbt39116Framework(
        **_common(doc, "未达1级", origin), levels=levels, subdomains=tuple(subs)
    )


def _from_doc(doc: object, origin: str, base: Path | None) -> Framework:
    if not isinstance(doc, dict) or "framework" not in doc:
        raise JiqunError(
            f"{origin} 不是评测框架定义（缺少 framework 键）",
            f"{origin} is not a framework definition (no 'framework' key)",
        )
    if "items" in doc:
        return _load_miit(doc, origin, base)
    if "subdomains" in doc:
        return _load_gbt(doc, origin, base)
    raise JiqunError(
        f"{origin}：无法识别的框架类型（需要 items 或 subdomains）",
        f"{origin}: unknown kind of framework (needs 'items' or 'subdomains')",
    )


@functools.lru_cache(maxsize=8)
def _shipped(fid: str) -> Framework:
    name = FRAMEWORKS[fid]
    text = resources.files("jiqun.digital").joinpath("data", name).read_text(encoding="utf-8")
    return _from_doc(yaml.safe_load(text), f"jiqun/digital/data/{name}", None)


def load_framework(name: str = "miit2024", path: str | Path | None = None) -> Framework:
    """Load a framework definition: the shipped one by name, or a new edition from a file.

    Rule: the definition is data. The YAML names the reference CSVs (hierarchy, points, question
    and scoring text; scenarios; levels; sub-domains) and adds ids, options, bands, thresholds and
    the level rule. The loader checks that every item's option maximum equals the CSV's points,
    that items add up to their level-2 indicator, level-2 indicators to their dimension and the
    dimensions to the total (MIIT); that sub-domains and levels match the CSVs (GB/T 39116).

    Parameters
    ----------
    name:
        ``miit2024`` or ``gbt39116`` (aliases: see :func:`framework_id`). Ignored with ``path``.
    path:
        A user YAML of a new edition; CSV files it names are looked for next to it first, then
        among the shipped reference data.

    Returns
    -------
    MiitFramework | Gbt39116Framework
        Immutable; the shipped ones are cached.

    Raises
    ------
    JiqunError
        Unknown name, unreadable file, or one problem per inconsistency of the definition.

    References
    ----------
    docs/METHODS.md §7; ``jiqun/reference/data/SOURCES.md``; ``docs/digital.md``.

    Example
    -------
    >>> fw = load_framework("miit2024")
    >>> [(d.name_zh, int(d.points)) for d in fw.dimensions]
    [('数字化基础', 50), ('数字化管理', 30), ('数字化成效', 20)]
    >>> len(fw.items), len(fw.scenes), fw.item("equipment_networking").name_zh
    (15, 16, '设备联网')
    >>> g = load_framework("gbt39116")
    >>> len(g.subdomains), g.level_name(3)
    (20, ('3级 集成级', 'level 3 Integrated'))
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise JiqunError(f"找不到评测框架文件：{p}", f"framework file not found: {p}")
        try:
            doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise JiqunError(f"{p} 不是有效的 YAML：{e}", f"{p} is not valid YAML: {e}") from None
        return _from_doc(doc, str(p), p.parent)
    return _shipped(framework_id(name))


def as_framework(framework: Framework | str) -> Framework:
    """A loaded framework as it is, or the shipped framework of that name.

    Parameters
    ----------
    framework:
        A :class:`MiitFramework` / :class:`Gbt39116Framework`, or a name for :func:`load_framework`.

    Returns
    -------
    MiitFramework | Gbt39116Framework

    References
    ----------
    :func:`load_framework`.

    Example
    -------
    >>> fw = load_framework("gbt")
    >>> as_framework(fw) is fw, as_framework("gbt39116") is fw
    (True, True)
    """
    return load_framework(framework) if isinstance(framework, str) else framework
