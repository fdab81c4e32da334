"""Industrial-chain templates (产业链模板): data model, validation and loader.

A chain template is a directed acyclic graph (DAG) of *segments* (产业链环节). Each segment has a
position (上游 upstream / 中游 midstream / 下游 downstream), the GB/T 4754-2017 classes where its
firms are usually registered (each with a confidence and a source), Chinese product keywords used
to recognise firms from their business scope (经营范围), HS headings, and the segments it
``supplies``. Templates are YAML files, one chain per file:

* shipped templates live in ``jiqun/reference/data/chains/*.yaml`` (verified: every code is a
  4-digit class of the shipped classification, every DAG is acyclic; see ``SOURCES.md``);
* user templates (a file or a folder of ``*.yaml``/``*.yml``) are read on top of them — pass
  ``path`` or set ``JIQUN_CHAIN_TEMPLATES``. A user template with the id of a shipped chain and a
  **higher** ``version`` replaces it; a user template with a new id adds a chain.

Every problem in a template is reported separately, in Chinese and English, naming the file, the
chain, the segment, the field and the offending value (:class:`jiqun.standard.problems.Problem`).

References
----------
docs/METHODS.md §5 (Industrial chains); ``docs/chains.md`` (chain, segment, positions); the YAML format is
documented in ``docs/chains.md``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from jiqun.analytics.rca import JiqunWarning
from jiqun.reference import industry_2011_change, industry_codes, industry_name
from jiqun.standard.datafiles import section
from jiqun.standard.problems import JiqunError, Problem, Severity
from jiqun.standard.schema import FIELDS_OF_CLUSTERS

__all__ = [
    "CONFIDENCE_LEVELS",
    "POSITIONS",
    "USER_TEMPLATES_ENV",
    "ChainTemplate",
    "CodeMapping",
    "Segment",
    "get_template",
    "load_templates",
    "read_template_file",
    "shipped_template_dir",
    "template_from_dict",
]

#: segment position id → (中文, English); the order is the chain order.
POSITIONS: dict[str, tuple[str, str]] = section("labels.yaml", "positions", "jiqun.chains")

#: confidence word of a code mapping → the number the mapper records (0..1).
CONFIDENCE_LEVELS: dict[str, float] = {"high": 0.9, "med": 0.7, "low": 0.4}

#: environment variable naming a user template file or folder.
USER_TEMPLATES_ENV = "JIQUN_CHAIN_TEMPLATES"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_HS_RE = re.compile(r"^\d{4}(\.\d{2}(\d{2})?)?$")
# the keys a template may have are the required ones and the optional ones named here
_REQUIRED_CHAIN_KEYS = ("id", "name_zh", "name_en", "field", "version", "sources", "segments")
_CHAIN_KEYS = {*_REQUIRED_CHAIN_KEYS, "description_zh", "description_en"}
_REQUIRED_SEGMENT_KEYS = ("id", "name_zh", "name_en", "position", "gbt4754")
_SEGMENT_KEYS = {*_REQUIRED_SEGMENT_KEYS, "keywords", "hs", "supplies"}
_MAPPING_KEYS = {"code", "confidence", "source"}


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeMapping:
    """One GB/T 4754-2017 class of a segment, with how sure the template author is.

    Parameters
    ----------
    code:
        4-digit class without the section letter (``"3973"``).
    confidence:
        ``high`` (the class is about this product), ``med`` (usual home, shared with other
        products) or ``low`` (varies by firm).
    source:
        Where the judgement comes from (standard, concordance, or "Jiqun judgement: …").
    """

    code: str
    confidence: str
    source: str

    @property
    def score(self) -> float:
        """The confidence as a number (:data:`CONFIDENCE_LEVELS`)."""
        return CONFIDENCE_LEVELS[self.confidence]


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment (产业链环节) of a chain template."""

    id: str
    name_zh: str
    name_en: str
    position: str
    gbt4754: tuple[CodeMapping, ...]
    keywords: tuple[str, ...] = ()
    hs: tuple[str, ...] = ()
    supplies: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The segment's GB/T 4754 classes in template order."""
        return tuple(m.code for m in self.gbt4754)


@dataclass(frozen=True)
class ChainTemplate:
    """A validated chain template: a DAG of :class:`Segment` objects.

    Build one with :func:`template_from_dict`, :func:`read_template_file` or
    :func:`load_templates`; the constructor does not validate.
    """

    id: str
    name_zh: str
    name_en: str
    field: str
    version: int
    sources: tuple[str, ...]
    segments: tuple[Segment, ...]
    description_zh: str = ""
    description_en: str = ""
    origin: str = "<memory>"
    shipped: bool = False
    # dataclasses.field, spelled out: the attribute ``field`` above shadows the bare name
    _index: dict[str, int] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # frozen dataclass: fill the lookup index once, through object.__setattr__.
        object.__setattr__(self, "_index", {s.id: i for i, s in enumerate(self.segments)})

    # -- look-ups ---------------------------------------------------------------------------

    @property
    def segment_ids(self) -> tuple[str, ...]:
        """Segment ids in template order."""
        return tuple(s.id for s in self.segments)

    def segment(self, segment_id: str) -> Segment:
        """The segment with this id.

        Raises
        ------
        JiqunError
            For an unknown id (the message lists the known ones).
        """
        try:
            return self.segments[self._index[segment_id]]
        except KeyError:
            known = ", ".join(self.segment_ids)
            raise JiqunError(
                f"产业链 {self.id} 中没有环节 {segment_id!r}；已有环节：{known}",
                f"chain {self.id} has no segment {segment_id!r}; segments: {known}",
            ) from None

    def inputs_of(self, segment_id: str) -> tuple[str, ...]:
        """Segments that supply ``segment_id`` (its required inputs by the DAG)."""
        return tuple(s.id for s in self.segments if segment_id in s.supplies)

    def outputs_of(self, segment_id: str) -> tuple[str, ...]:
        """Segments that ``segment_id`` supplies."""
        return self.segment(segment_id).supplies

    def edges(self) -> pd.DataFrame:
        """The DAG as an edge list.

        Returns
        -------
        pandas.DataFrame
            ``supplier`` and ``buyer`` segment ids, one row per ``supplies`` entry.
        """
        rows = [(s.id, b) for s in self.segments for b in s.supplies]
        return pd.DataFrame(rows, columns=["supplier", "buyer"], dtype="str")

    def topological_order(self) -> tuple[str, ...]:
        """Segment ids so that every supplier comes before its buyers (Kahn's algorithm).

        Ties keep the position order (upstream first) and then the template order, so the
        result is stable and reads like the chain.
        """
        order = _topological(self.segments)
        if order is None:  # pragma: no cover - validated templates are acyclic
            raise JiqunError("产业链模板含有环", f"chain {self.id} has a cycle")
        return tuple(order)

    def code_table(self) -> pd.DataFrame:
        """One row per (segment, class) mapping.

        Returns
        -------
        pandas.DataFrame
            ``segment``, ``position``, ``code``, ``code_name`` (GB/T 4754-2017 name),
            ``confidence`` (word), ``score`` (0..1) and ``source``.
        """
        rows = [
            (s.id, s.position, m.code, industry_name(m.code), m.confidence, m.score, m.source)
            for s in self.segments
            for m in s.gbt4754
        ]
        return pd.DataFrame(
            rows,
            columns=["segment", "position", "code", "code_name", "confidence", "score", "source"],
        )

    def segments_frame(self) -> pd.DataFrame:
        """The segments as a table (lists joined with ``;``).

        Returns
        -------
        pandas.DataFrame
            ``segment``, ``name_zh``, ``name_en``, ``position``, ``position_zh``, ``codes``,
            ``keywords``, ``hs``, ``supplies`` and ``inputs``.
        """
        rows = [
            {
                "segment": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "position": s.position,
                "position_zh": POSITIONS[s.position][0],
                "codes": ";".join(f"{m.code}({m.confidence})" for m in s.gbt4754),
                "keywords": ";".join(s.keywords),
                "hs": ";".join(s.hs),
                "supplies": ";".join(s.supplies),
                "inputs": ";".join(self.inputs_of(s.id)),
            }
            for s in self.segments
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The template as plain data (the YAML format), e.g. to start a user copy."""
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "field": self.field,
            "version": self.version,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "sources": list(self.sources),
            "segments": [
                {
                    "id": s.id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "position": s.position,
                    "gbt4754": [
                        {"code": m.code, "confidence": m.confidence, "source": m.source}
                        for m in s.gbt4754
                    ],
                    "keywords": list(s.keywords),
                    "hs": list(s.hs),
                    "supplies": list(s.supplies),
                }
                for s in self.segments
            ],
        }


def _topological(segments: Iterable[Segment]) -> list[str] | None:
    """Kahn's algorithm; ``None`` when the graph has a cycle."""
    segs = list(segments)
    rank = {p: i for i, p in enumerate(POSITIONS)}
    key = {s.id: (rank.get(s.position, 9), i) for i, s in enumerate(segs)}
    indeg = dict.fromkeys(key, 0)
    for s in segs:
        for b in s.supplies:
            if b in indeg:
                indeg[b] += 1
    ready = sorted((k for k, d in indeg.items() if d == 0), key=key.__getitem__)
    by_id = {s.id: s for s in segs}
    out: list[str] = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for b in by_id[n].supplies:
            if b in indeg:
                indeg[b] -= 1
                if indeg[b] == 0:
                    ready.append(b)
                    ready.sort(key=key.__getitem__)
    return out if len(out) == len(segs) else None


def _find_cycle(segments: list[Segment]) -> list[str]:
    """One cycle of the supplies graph as a list of ids (first id repeated at the end)."""
    graph = {s.id: [b for b in s.supplies] for s in segments}
    colour: dict[str, int] = dict.fromkeys(graph, 0)  # 0 new, 1 on stack, 2 done
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        colour[n] = 1
        stack.append(n)
        for m in graph.get(n, []):
            if m not in colour:
                continue
            if colour[m] == 1:
                return [*stack[stack.index(m) :], m]
            if colour[m] == 0:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        colour[n] = 2
        return None

    for n in graph:
        if colour[n] == 0:
            found = visit(n)
            if found:
                return found
    return []  # pragma: no cover - only called when a cycle exists


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


class _Collector:
    """Collects one bilingual :class:`Problem` per defect, naming file/chain/segment/field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.chain = "?"
        self.problems: list[Problem] = []

    def add(
        self,
        rule: str,
        zh: str,
        en: str,
        *,
        segment: str | None = None,
        fld: str | None = None,
        value: object = "",
        severity: Severity = "error",
    ) -> None:
        where_zh = f"文件 {self.file}，产业链 {self.chain}"
        where_en = f"file {self.file}, chain {self.chain}"
        if segment is not None:
            where_zh += f"，环节 {segment}"
            where_en += f", segment {segment}"
        if fld is not None:
            where_zh += f"，字段 {fld}"
            where_en += f", field {fld}"
        shown = "" if value is None else str(value)
        self.problems.append(
            Problem(
                row=None,
                column=fld,
                value=shown,
                rule=rule,
                severity=severity,
                message_zh=f"{where_zh}：{zh}（值 {shown!r}）",
                message_en=f"{where_en}: {en} (value {shown!r})",
                extra={
                    "file": self.file,
                    "chain": self.chain,
                    "segment": segment or "",
                    "field": fld or "",
                },
            )
        )

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def keys(
        self,
        d: Mapping[Any, Any],
        allowed: set[str],
        required: Iterable[str],
        segment: str | None = None,
    ) -> None:
        """One problem per key of ``d`` not ``allowed`` and per ``required`` key missing."""
        names = ", ".join(sorted(allowed))
        for k in d:
            if k not in allowed:
                self.add(
                    "chain.unknown_key",
                    f"未知字段（可用：{names}）",
                    f"unknown field (allowed: {names})",
                    segment=segment,
                    fld=str(k),
                    value=k,
                )
        for k in required:
            if k not in d:
                self.add("chain.missing", "缺少必填字段", "missing field", segment=segment, fld=k)


def _text(c: _Collector, d: Mapping[str, Any], key: str, seg: str | None, fld: str) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        c.add(
            "chain.text", "必须是非空文本", "must be non-empty text", segment=seg, fld=fld, value=v
        )
        return ""
    return v.strip()


def _str_list(c: _Collector, v: object, seg: str | None, fld: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        c.add("chain.list", "必须是列表", "must be a list", segment=seg, fld=fld, value=v)
        return []
    return v


def _check_code(c: _Collector, seg: str, fld: str, code: object) -> str | None:
    if isinstance(code, int) and not isinstance(code, bool):
        c.add(
            "chain.code_quoted",
            '行业代码须加引号写成文本（如 "0939"），否则 YAML 会按数字读取并丢失前导零',
            'write industry codes as quoted text (e.g. "0939"); YAML reads bare numbers as '
            "integers and drops leading zeros",
            segment=seg,
            fld=fld,
            value=code,
        )
        return None
    if not isinstance(code, str) or not code.strip():
        c.add(
            "chain.code_text", "行业代码必须是文本", "the code must be text", segment=seg, fld=fld
        )
        return None
    code = code.strip()
    if len(code) == 5 and code[0].isalpha() and code[1:].isdigit():
        c.add(
            "chain.code_section_letter",
            f"不要写门类字母，请写 {code[1:]}",
            f"drop the section letter: write {code[1:]}",
            segment=seg,
            fld=fld,
            value=code,
        )
        return None
    if code in industry_codes(4):
        return code
    change = industry_2011_change(code)
    if change is not None and not change["code_reused_in_2017"]:
        c.add(
            "chain.code_2011",
            change["message_zh"],
            change["message_en"],
            segment=seg,
            fld=fld,
            value=code,
        )
    elif code in industry_codes():
        c.add(
            "chain.code_level",
            "必须是 4 位小类代码，不能是门类、大类或中类",
            "must be a 4-digit class, not a section, division or group",
            segment=seg,
            fld=fld,
            value=code,
        )
    else:
        c.add(
            "chain.code_unknown",
            "不是 GB/T 4754-2017 行业小类代码",
            "is not a GB/T 4754-2017 class",
            segment=seg,
            fld=fld,
            value=code,
        )
    return None


def _parse_segment(c: _Collector, i: int, d: object) -> Segment | None:
    if not isinstance(d, Mapping):
        c.add(
            "chain.segment", "环节必须是映射", "a segment must be a mapping", fld=f"segments[{i}]"
        )
        return None
    sid_raw = d.get("id")
    sid = sid_raw if isinstance(sid_raw, str) and _ID_RE.match(sid_raw) else None
    label = sid or f"#{i + 1}"
    if sid is None and "id" in d:
        c.add(
            "chain.segment_id",
            "环节 id 必须是小写字母开头的字母、数字、下划线",
            "the segment id must be lower-case letters, digits and underscores",
            segment=label,
            fld="id",
            value=sid_raw,
        )
    c.keys(d, _SEGMENT_KEYS, _REQUIRED_SEGMENT_KEYS, segment=label)
    name_zh = _text(c, d, "name_zh", label, "name_zh") if "name_zh" in d else ""
    name_en = _text(c, d, "name_en", label, "name_en") if "name_en" in d else ""
    position = d.get("position")
    if "position" in d and position not in POSITIONS:
        c.add(
            "chain.position",
            "位置必须是 upstream（上游）、midstream（中游）或 downstream（下游）",
            "position must be upstream, midstream or downstream",
            segment=label,
            fld="position",
            value=position,
        )
    maps: list[CodeMapping] = []
    raw_maps = _str_list(c, d.get("gbt4754"), label, "gbt4754")
    if "gbt4754" in d and not raw_maps:
        c.add(
            "chain.no_codes",
            "至少需要一个行业代码",
            "needs at least one industry class",
            segment=label,
            fld="gbt4754",
        )
    seen: set[str] = set()
    for j, m in enumerate(raw_maps):
        fld = f"gbt4754[{j}]"
        if not isinstance(m, Mapping):
            c.add(
                "chain.mapping",
                "必须写成 {code, confidence, source}",
                "must be {code, confidence, source}",
                segment=label,
                fld=fld,
                value=m,
            )
            continue
        for k in m:
            if k not in _MAPPING_KEYS:
                c.add(
                    "chain.unknown_key",
                    "未知字段（可用：code, confidence, source）",
                    "unknown field (allowed: code, confidence, source)",
                    segment=label,
                    fld=f"{fld}.{k}",
                    value=k,
                )
        code = _check_code(c, label, f"{fld}.code", m.get("code"))
        conf = m.get("confidence")
        if conf not in CONFIDENCE_LEVELS:
            c.add(
                "chain.confidence",
                "置信度必须是 high、med 或 low",
                "confidence must be high, med or low",
                segment=label,
                fld=f"{fld}.confidence",
                value=conf,
            )
        source = m.get("source")
        if not isinstance(source, str) or not source.strip():
            c.add(
                "chain.source",
                "每个代码对应都要写明来源",
                "every code mapping needs a source",
                segment=label,
                fld=f"{fld}.source",
                value=source,
            )
        if code is not None and code in seen:
            c.add(
                "chain.code_duplicate",
                "同一环节中代码重复",
                "code listed twice in the segment",
                segment=label,
                fld=f"{fld}.code",
                value=code,
            )
        if code is not None and conf in CONFIDENCE_LEVELS and isinstance(source, str):
            seen.add(code)
            maps.append(CodeMapping(code, str(conf), source.strip()))
    keywords: list[str] = []
    for j, k in enumerate(_str_list(c, d.get("keywords"), label, "keywords")):
        if not isinstance(k, str) or len(k.strip()) < 2:
            c.add(
                "chain.keyword",
                "关键词必须是至少两个字符的文本（单字会匹配过多企业）",
                "a keyword must be text of at least two characters (one character matches "
                "too many firms)",
                segment=label,
                fld=f"keywords[{j}]",
                value=k,
            )
        elif k.strip() not in keywords:
            keywords.append(k.strip())
    hs: list[str] = []
    for j, h in enumerate(_str_list(c, d.get("hs"), label, "hs")):
        if not isinstance(h, str) or not _HS_RE.match(h.strip()):
            c.add(
                "chain.hs",
                'HS 编码须加引号，写成 4 位品目或带小数点的子目（如 "8507.60"）',
                'HS codes must be quoted 4-digit headings or dotted subheadings (e.g. "8507.60")',
                segment=label,
                fld=f"hs[{j}]",
                value=h,
            )
        else:
            hs.append(h.strip())
    supplies: list[str] = []
    for j, s in enumerate(_str_list(c, d.get("supplies"), label, "supplies")):
        if not isinstance(s, str):
            c.add(
                "chain.supplies",
                "必须是环节 id",
                "must be a segment id",
                segment=label,
                fld=f"supplies[{j}]",
                value=s,
            )
        elif s not in supplies:
            supplies.append(s)
    if sid is None or not maps or position not in POSITIONS:
        return None
    return Segment(
        id=sid,
        name_zh=name_zh,
        name_en=name_en,
        position=str(position),
        gbt4754=tuple(maps),
        keywords=tuple(keywords),
        hs=tuple(hs),
        supplies=tuple(supplies),
    )


def _validate(doc: object, file: str) -> tuple[ChainTemplate | None, list[Problem]]:
    c = _Collector(file)
    if not isinstance(doc, Mapping):
        c.add("chain.document", "模板必须是 YAML 映射", "a template must be a YAML mapping")
        return None, c.problems
    cid = doc.get("id")
    if isinstance(cid, str) and _ID_RE.match(cid):
        c.chain = cid
    elif "id" in doc:  # a missing id is reported once, with the other missing fields
        c.add(
            "chain.id",
            "产业链 id 必须是小写字母开头的字母、数字、下划线",
            "the chain id must be lower-case letters, digits and underscores",
            fld="id",
            value=cid,
        )
    c.keys(doc, _CHAIN_KEYS, _REQUIRED_CHAIN_KEYS)
    name_zh = _text(c, doc, "name_zh", None, "name_zh") if "name_zh" in doc else ""
    name_en = _text(c, doc, "name_en", None, "name_en") if "name_en" in doc else ""
    fld_v = doc.get("field")
    if "field" in doc and fld_v not in FIELDS_OF_CLUSTERS:
        c.add(
            "chain.field",
            f"领域必须是 {', '.join(FIELDS_OF_CLUSTERS)} 之一",
            f"field must be one of {', '.join(FIELDS_OF_CLUSTERS)}",
            fld="field",
            value=fld_v,
        )
    version = doc.get("version")
    if "version" in doc and (
        not isinstance(version, int) or isinstance(version, bool) or version < 1
    ):
        c.add(
            "chain.version",
            "版本号必须是正整数",
            "version must be a positive integer",
            fld="version",
            value=version,
        )
    sources = [s for s in _str_list(c, doc.get("sources"), None, "sources")]
    if "sources" in doc and (not sources or not all(isinstance(s, str) and s for s in sources)):
        c.add(
            "chain.sources",
            "至少写明一个来源（文本）",
            "list at least one source (text)",
            fld="sources",
            value=doc.get("sources"),
        )
    for k in ("description_zh", "description_en"):
        if k in doc and not isinstance(doc[k], str):
            c.add("chain.text", "必须是文本", "must be text", fld=k, value=doc[k])
    raw_segs = _str_list(c, doc.get("segments"), None, "segments")
    if "segments" in doc and not raw_segs:
        c.add("chain.no_segments", "至少需要一个环节", "needs at least one segment", fld="segments")
    segs: list[Segment] = []
    ids: set[str] = set()
    for i, d in enumerate(raw_segs):
        s = _parse_segment(c, i, d)
        if s is None:
            continue
        if s.id in ids:
            c.add(
                "chain.segment_duplicate",
                "环节 id 重复",
                "duplicate segment id",
                segment=s.id,
                fld="id",
                value=s.id,
            )
            continue
        ids.add(s.id)
        segs.append(s)
    # References and acyclicity only make sense once every segment parsed.
    declared = {d.get("id") for d in raw_segs if isinstance(d, Mapping)}
    rank = {p: i for i, p in enumerate(POSITIONS)}
    pos = {s.id: s.position for s in segs}
    for i, d in enumerate(raw_segs):
        # checked on the raw documents so that a segment with other defects is covered too
        if not isinstance(d, Mapping) or not isinstance(d.get("supplies"), list):
            continue
        label = d.get("id") if isinstance(d.get("id"), str) else f"#{i + 1}"
        for b in d["supplies"]:
            if not isinstance(b, str):
                continue
            if b == d.get("id"):
                c.add(
                    "chain.self_loop",
                    "环节不能供应自身",
                    "a segment cannot supply itself",
                    segment=label,
                    fld="supplies",
                    value=b,
                )
            elif b not in declared:
                c.add(
                    "chain.supplies_unknown",
                    "供应的环节不存在",
                    "supplies a segment that does not exist",
                    segment=label,
                    fld="supplies",
                    value=b,
                )
    for s in segs:
        for b in s.supplies:
            if b in pos and b != s.id and rank[pos[b]] < rank[s.position]:
                c.add(
                    "chain.position_order",
                    f"{POSITIONS[s.position][0]}环节供应{POSITIONS[pos[b]][0]}环节 {b}，请检查位置",
                    f"this {s.position} segment supplies the {pos[b]} segment {b}; check the "
                    "positions",
                    segment=s.id,
                    fld="supplies",
                    value=b,
                    severity="warning",
                )
    clean = [
        Segment(
            s.id,
            s.name_zh,
            s.name_en,
            s.position,
            s.gbt4754,
            s.keywords,
            s.hs,
            tuple(b for b in s.supplies if b in ids and b != s.id),
        )
        for s in segs
    ]
    if clean and _topological(clean) is None:
        cycle = _find_cycle(clean)
        c.add(
            "chain.cycle",
            "供应关系含有环，产业链模板必须是有向无环图",
            "the supplies relation has a cycle; a chain template must be a DAG",
            segment=cycle[0] if cycle else None,
            fld="supplies",
            value=" → ".join(cycle),
        )
    if c.errors:
        return None, c.problems
    tmpl = ChainTemplate(
        id=str(cid),
        name_zh=name_zh,
        name_en=name_en,
        field=str(fld_v),
        version=int(doc["version"]),  # present and validated above
        sources=tuple(s.strip() for s in sources),
        segments=tuple(clean),
        description_zh=str(doc.get("description_zh") or ""),
        description_en=str(doc.get("description_en") or ""),
        origin=file,
    )
    return tmpl, c.problems


def _raise(problems: list[Problem], what_zh: str, what_en: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        if p.severity == "warning":
            warnings.warn(f"{p.message_zh} / {p.message_en}", JiqunWarning, stacklevel=3)
    if errors:
        raise JiqunError(
            f"{what_zh}有 {len(errors)} 个问题（见下）",
            f"{what_en} has {len(errors)} problem(s) (listed below)",
            problems=errors,
        )


def template_from_dict(doc: Mapping[str, Any], origin: str = "<dict>") -> ChainTemplate:
    """Validate one template given as plain data (the YAML structure).

    Parameters
    ----------
    doc:
        ``{"id", "name_zh", "name_en", "field", "version", "sources", "segments": [...]}``; see
        ``docs/chains.md``.
    origin:
        A label for messages (a file name).

    Returns
    -------
    ChainTemplate

    Raises
    ------
    JiqunError
        With one :class:`~jiqun.standard.problems.Problem` per defect (``problems``).

    References
    ----------
    docs/METHODS.md §5.

    Example
    -------
    >>> t = template_from_dict({
    ...     "id": "toy", "name_zh": "示例", "name_en": "toy", "field": "new_materials",
    ...     "version": 1, "sources": ["example"],
    ...     "segments": [
    ...         {"id": "a", "name_zh": "甲", "name_en": "A", "position": "upstream",
    ...          "gbt4754": [{"code": "3091", "confidence": "high", "source": "x"}],
    ...          "supplies": ["b"]},
    ...         {"id": "b", "name_zh": "乙", "name_en": "B", "position": "downstream",
    ...          "gbt4754": [{"code": "3062", "confidence": "med", "source": "x"}]}]})
    >>> t.inputs_of("b")
    ('a',)
    """
    tmpl, problems = _validate(doc, origin)
    _raise(problems, f"产业链模板 {origin} ", f"chain template {origin}")
    assert tmpl is not None
    return tmpl


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def shipped_template_dir() -> Path:
    """The folder of the shipped templates (``jiqun/reference/data/chains``)."""
    return Path(str(resources.files("jiqun.reference").joinpath("data", "chains")))


def _yaml_docs(path: Path) -> tuple[list[object], list[Problem]]:
    """The chain documents of one YAML file: a mapping, a list, or ``{chains: [...]}``."""
    c = _Collector(str(path))
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        c.add("chain.file", f"无法读取文件：{e}", f"cannot read the file: {e}")
        return [], c.problems
    except yaml.YAMLError as e:
        c.add("chain.yaml", f"YAML 语法错误：{e}", f"YAML syntax error: {e}")
        return [], c.problems
    if isinstance(doc, Mapping) and set(doc) == {"chains"}:
        doc = doc["chains"]
    if isinstance(doc, list):
        return list(doc), []
    return [doc], []


def read_template_file(path: str | Path) -> list[ChainTemplate]:
    """Read and validate the chain template(s) in one YAML file.

    Parameters
    ----------
    path:
        A ``.yaml``/``.yml`` file holding one chain (a mapping), a list of chains, or
        ``{chains: [...]}``.

    Returns
    -------
    list[ChainTemplate]

    Raises
    ------
    JiqunError
        Listing every problem (file, chain, segment, field, value), in Chinese and English.

    References
    ----------
    ``docs/chains.md`` (format).

    Example
    -------
    >>> [t.id for t in read_template_file(shipped_template_dir() / "photovoltaics.yaml")]
    ['photovoltaics']
    """
    path = Path(path)
    docs, problems = _yaml_docs(path)
    out: list[ChainTemplate] = []
    for i, d in enumerate(docs):
        name = str(path) if len(docs) == 1 else f"{path}#{i + 1}"
        tmpl, probs = _validate(d, name)
        problems += probs
        if tmpl is not None:
            out.append(tmpl)
    _raise(problems, f"产业链模板文件 {path} ", f"chain template file {path}")
    return out


def _files_of(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if path.is_file():
        return [path]
    raise JiqunError(
        f"找不到产业链模板文件或目录：{path}",
        f"chain template file or folder not found: {path}",
    )


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[ChainTemplate, ...]:
    out: list[ChainTemplate] = []
    base = resources.files("jiqun.reference").joinpath("data", "chains")
    names = sorted(p.name for p in base.iterdir() if p.name.endswith((".yaml", ".yml")))
    problems: list[Problem] = []
    for name in names:
        doc = yaml.safe_load(base.joinpath(name).read_text(encoding="utf-8"))
        tmpl, probs = _validate(doc, f"jiqun/reference/data/chains/{name}")
        problems += probs
        if tmpl is not None:
            out.append(dataclasses.replace(tmpl, shipped=True))
    _raise(problems, "内置产业链模板", "the shipped chain templates")
    return tuple(out)


def load_templates(
    path: str | Path | None = None, *, include_shipped: bool = True
) -> dict[str, ChainTemplate]:
    """Load the shipped chain templates plus optional user templates.

    Parameters
    ----------
    path:
        A user template file or a folder of ``*.yaml``/``*.yml`` files. ``None`` reads the
        folder or file named by ``$JIQUN_CHAIN_TEMPLATES`` when set, else only the shipped
        templates.
    include_shipped:
        ``False`` loads the user templates alone.

    Returns
    -------
    dict[str, ChainTemplate]
        By chain id, shipped chains first (file-name order), then new user chains. A user
        template whose id is already loaded replaces it only with a **higher** ``version``;
        otherwise it is ignored with a :class:`~jiqun.analytics.rca.JiqunWarning`.

    Raises
    ------
    JiqunError
        Listing every problem of every file (file, chain, segment, field, value), or when two
        user files define the same chain with the same version.

    References
    ----------
    docs/METHODS.md §5; ``docs/chains.md``.

    Example
    -------
    >>> ts = load_templates()
    >>> len(ts) >= 8, ts["integrated_circuits"].field
    (True, 'new_generation_it')
    """
    out: dict[str, ChainTemplate] = {}
    if include_shipped:
        out.update({t.id: t for t in _shipped()})
    if path is None:
        env = os.environ.get(USER_TEMPLATES_ENV, "").strip()
        path = Path(env).expanduser() if env else None
    if path is None:
        return out
    user: list[ChainTemplate] = []
    problems: list[Problem] = []
    for f in _files_of(Path(path)):
        try:
            user += read_template_file(f)
        except JiqunError as e:
            problems += e.problems
    if problems:
        raise JiqunError(
            f"用户产业链模板有 {len(problems)} 个问题（见下）",
            f"the user chain templates have {len(problems)} problem(s) (listed below)",
            problems=problems,
        )
    seen: dict[str, ChainTemplate] = {}
    for t in user:
        prev = seen.get(t.id)
        if prev is not None and prev.version == t.version:
            raise JiqunError(
                f"产业链 {t.id} 的版本 {t.version} 在 {prev.origin} 和 {t.origin} 中重复定义",
                f"chain {t.id} version {t.version} is defined twice: {prev.origin} and {t.origin}",
            )
        if prev is None or t.version > prev.version:
            seen[t.id] = t
    for t in seen.values():
        base = out.get(t.id)
        if base is not None and t.version <= base.version:
            warnings.warn(
                f"{t.origin}：产业链 {t.id} 版本 {t.version} 不高于已载入的版本 {base.version}"
                f"（{base.origin}），已忽略 / {t.origin}: chain {t.id} version {t.version} is "
                f"not higher than the loaded version {base.version} ({base.origin}); ignored",
                JiqunWarning,
                stacklevel=2,
            )
            continue
        out[t.id] = t
    return out


def get_template(chain: str | ChainTemplate, path: str | Path | None = None) -> ChainTemplate:
    """One template by id (or pass a template through).

    Parameters
    ----------
    chain:
        Chain id such as ``"integrated_circuits"``, or a :class:`ChainTemplate`.
    path:
        User templates, as in :func:`load_templates`.

    Returns
    -------
    ChainTemplate

    Raises
    ------
    JiqunError
        For an unknown id (the message lists the known ones).

    Example
    -------
    >>> get_template("photovoltaics").segment("cells_modules").codes
    ('3825',)
    """
    if isinstance(chain, ChainTemplate):
        return chain
    ts = load_templates(path)
    if chain not in ts:
        known = ", ".join(ts)
        raise JiqunError(
            f"没有产业链模板 {chain!r}；可用：{known}",
            f"no chain template {chain!r}; available: {known}",
        )
    return ts[chain]
