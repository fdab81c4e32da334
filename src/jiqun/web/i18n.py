"""UI language: zh-CN by default, English alongside; one dictionary of UI strings.

Templates call ``t(key)`` for a string of :data:`STRINGS` or ``t(zh, en)`` for a literal pair;
``lab(kind, code)`` names a code of a controlled vocabulary (tier, field, tag, carrier type,
role, position, report column) in the chosen language; ``loc(value)`` shows a value a service
wrote into a basis, a note or a table cell in the chosen language (the half of a bilingual
``"中文 / English"`` text, the ``texts``/``patterns`` translations of English-only texts, the label
of a bare code, never raw JSON, ``nan`` or ``None``). The strings, vocabularies and translations
are the data file ``i18n.json`` beside this module.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from importlib import resources
from urllib.parse import urlencode

from fastapi import Request

LANGS = ("zh", "en")

Pair = tuple[str, str]


def _pairs(table: dict[str, list[str]]) -> dict[str, Pair]:
    return {k: (zh, en) for k, (zh, en) in table.items()}


# The tables are data (i18n.json beside this module), so translators edit them without code.
_DATA = json.loads(resources.files(__package__).joinpath("i18n.json").read_text("utf-8"))

#: key -> (中文, English)
STRINGS: dict[str, Pair] = _pairs(_DATA["strings"])

#: vocabulary -> code -> (中文, English)
VOCAB: dict[str, dict[str, Pair]] = {name: _pairs(t) for name, t in _DATA["vocab"].items()}

#: column labels the diagnosis report does not define
EXTRA_COLUMNS: dict[str, Pair] = _pairs(_DATA["extra_columns"])

#: English-only texts the services write into bases and notes -> 中文 (exact text)
TEXTS: dict[str, str] = dict(_DATA.get("texts", {}))

#: [regular expression over an English text, 中文 template with \\1 … groups]
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rx), zh) for rx, zh in _DATA.get("patterns", [])
]

#: vocabularies whose codes a cell or basis value may hold bare (searched in this order)
CODE_VOCABS = (
    "verification", "region_level", "field", "carrier", "tag", "measure", "tier",
    "chain_position", "value_or_count", "role", "chain", "segment", "policy_field", "col",
    "import_mode", "import_status",
)  # fmt: skip

CODE_LIST = re.compile(r"'?[a-z][a-z0-9_]*'?(?:[;,]\s*'?[a-z][a-z0-9_]*'?)+")

LEAD = re.compile(r"([\u3400-\u9fff]+：)(.+)")

_CJK = re.compile(r"[\u3400-\u9fff]")


def _load_vocab() -> None:
    """Fill the vocabularies kept elsewhere (schema, diagnosis report) once."""
    from jiqun.analytics.diagnosis import POSITION_CLASSES
    from jiqun.services.reports import COLUMN_LABELS, TABLE_TITLES
    from jiqun.standard.schema import CARRIER_TYPES, FIELDS_OF_CLUSTERS, MEASURES, TAGS, TIERS

    VOCAB.setdefault("tier", dict(TIERS))
    VOCAB.setdefault("field", dict(FIELDS_OF_CLUSTERS))
    VOCAB.setdefault("tag", dict(TAGS))
    VOCAB.setdefault("carrier", dict(CARRIER_TYPES))
    VOCAB.setdefault("col", {**COLUMN_LABELS, **EXTRA_COLUMNS})
    VOCAB.setdefault("table", {k: (v[0], v[1]) for k, v in TABLE_TITLES.items()})
    VOCAB.setdefault("position", {k: (v[0], v[1]) for k, v in POSITION_CLASSES.items()})
    for k, (zh, en, _unit) in MEASURES.items():
        VOCAB["measure"].setdefault(k, (zh, en))
    # the positioning rule of a region's basis (services/regions.py writes it from the classes)
    rules = VOCAB.get("position_rule", {})
    en_rule = "; ".join(f"{k}: {v[0]} / {v[1]} ({v[2]})" for k, v in POSITION_CLASSES.items())
    TEXTS.setdefault(
        en_rule,
        "；".join(
            f"{v[0]}：{rules.get(k, ('', v[2]))[0] or v[2]}" for k, v in POSITION_CLASSES.items()
        ),
    )
    # the shipped chain templates name their chains and segments (a cell may hold their ids)
    from jiqun.chains.templates import load_templates

    chains, segments = VOCAB.setdefault("chain", {}), VOCAB.setdefault("segment", {})
    for tpl in load_templates().values():
        chains.setdefault(tpl.id, (tpl.name_zh, tpl.name_en))
        for seg in tpl.segments:
            segments.setdefault(seg.id, (seg.name_zh, seg.name_en))


def lang(request: Request) -> str:
    """``?lang=`` wins and is remembered in the session; default zh."""
    q = request.query_params.get("lang")
    if q in LANGS:
        if "session" in request.scope:
            request.session["lang"] = q
        return q
    if "session" in request.scope and request.session.get("lang") in LANGS:
        return str(request.session["lang"])
    return "zh"


def switch_url(request: Request, code: str) -> str:
    """The current page in the other language (other query parameters kept)."""
    other = "en" if code == "zh" else "zh"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", other))
    return f"{request.url.path}?{urlencode(params)}"


def translator(code: str) -> Callable[..., str]:
    """``t(key)`` in the chosen language; ``t(zh, en)`` picks one of two literal strings."""

    def t(key: str, en: str | None = None) -> str:
        if en is not None:
            return key if code == "zh" else en
        zh_s, en_s = STRINGS.get(key, (key, key))
        return zh_s if code == "zh" else en_s

    return t


def labeller(code: str) -> Callable[[str, object], str]:
    """``lab(vocabulary, code)``: the name of a code in the chosen language (the code if unknown)."""
    if "tier" not in VOCAB:
        _load_vocab()

    def lab(vocab: str, key: object) -> str:
        if key is None or key == "" or (isinstance(key, float) and math.isnan(key)):
            return "—"
        pair = VOCAB.get(vocab, {}).get(str(key))
        if pair is None and vocab == "col":
            # a column named by a code of a vocabulary (a carrier type, a tag) takes its name
            pair = next(
                (VOCAB[v][str(key)] for v in CODE_VOCABS if str(key) in VOCAB.get(v, {})), None
            )
        if pair is None:
            return str(key)
        return pair[0] if code == "zh" else pair[1]

    return lab


def split_pair(text: str) -> Pair | None:
    """A service's bilingual text ``"中文 / English"`` as ``(中文, English)``; ``None`` if it is not one.

    The split is the last `` / `` whose left side has Chinese and whose right side has none, so a
    ``/`` inside either half (``GB/T``, ``万元/人``) stays where it is.

    Example
    -------
    >>> split_pair("保密 / suppressed")
    ('保密', 'suppressed')
    >>> split_pair("GB/T 4754") is None
    True
    """
    parts = re.split(r" ?/ ", text)  # "中文 / English", also "…）/ English"
    for i in range(len(parts) - 1, 0, -1):
        left, right = " / ".join(parts[:i]), " / ".join(parts[i:])
        if _CJK.search(left) and not _CJK.search(right):
            return left.strip(), right.strip()
    if len(parts) == 2 and _CJK.search(parts[1]) and not _CJK.search(parts[0]):
        return parts[1].strip(), parts[0].strip()  # "English / 中文" (a few bases are so)
    return None


def localizer(code: str) -> Callable[[object], str]:
    """``loc(value)``: a value a service wrote into a basis or a note, in the chosen language.

    Bilingual texts (``"中文 / English"``) show their half; English-only texts are looked up in
    the ``texts`` and ``patterns`` tables of ``i18n.json``; dicts and lists are written out
    item by item (never as raw JSON); missing values (``None``, NaN) show as ``—``.

    Parameters
    ----------
    code : ``"zh"`` or ``"en"``.

    Returns
    -------
    Callable[[object], str]

    Example
    -------
    >>> localizer("zh")("保密 / suppressed"), localizer("en")("保密 / suppressed")
    ('保密', 'suppressed')
    >>> localizer("zh")(float("nan"))
    '—'
    """
    lab = labeller(code)

    def loc(v: object) -> str:
        if v is None or v == "":
            return "—"
        if isinstance(v, bool):
            return ("是" if v else "否") if code == "zh" else ("yes" if v else "no")
        if isinstance(v, float):
            if math.isnan(v):
                return "—"
            return f"{v:,.0f}" if v.is_integer() else f"{v:,.4g}"
        if isinstance(v, dict):
            sep, join = ("：", "；") if code == "zh" else (": ", "; ")

            def item(x: object) -> str:
                return f"（{loc(x)}）" if isinstance(x, dict) else loc(x)

            return join.join(f"{lab('basis', k)}{sep}{item(x)}" for k, x in v.items())
        if isinstance(v, list | tuple):
            return ("；" if code == "zh" else "; ").join(loc(x) for x in v)
        text = str(v)
        if text in ("nan", "NaN", "None"):
            return "—"
        if code == "zh" and text in TEXTS:
            return TEXTS[text]
        pair = split_pair(text)
        if pair is not None:
            if code == "en":
                return pair[1]
            text = pair[0]  # the Chinese half may still name a column by its key
        if code == "en":
            return text
        if text in TEXTS:
            return TEXTS[text]
        if CODE_LIST.fullmatch(text):  # "packaging_testing;wafer_fab": a list of codes
            return "、".join(loc(x.strip("'")) for x in re.split(r"[;,]\s*", text))
        for vocab in CODE_VOCABS:
            pair = VOCAB.get(vocab, {}).get(text)
            if pair is not None:
                return pair[0]
        for rx, zh in PATTERNS:
            m = rx.fullmatch(text)
            if m:
                # the groups are codes or texts too (``chain:biomedicine``)
                parts = re.split(r"\\(\d)", zh)  # text, group number, text, …
                return "".join(loc(m.group(int(p))) if i % 2 else p for i, p in enumerate(parts))
        head = LEAD.fullmatch(text)  # "不符合：revenue < 40000": a Chinese lead, then a code text
        if head and loc(head.group(2)) != head.group(2):
            return head.group(1) + loc(head.group(2))
        return text

    return loc
