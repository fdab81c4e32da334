"""UI language: zh-CN by default, English alongside; one dictionary of UI strings.

Templates call ``t(key)`` for a string of :data:`STRINGS` or ``t(zh, en)`` for a literal pair;
``lab(kind, code)`` names a code of a controlled vocabulary (tier, field, tag, carrier type,
role, position, report column) in the chosen language; ``loc(value)`` shows a value a service
wrote into a basis, a note or a table cell in the chosen language (the half of a bilingual
``"中文 / English"`` text, the ``texts``/``patterns`` translations of English-only texts, the label
of a bare code, never raw JSON, ``nan`` or ``None``). The strings, vocabularies and translations
are the data file ``i18n.json`` beside this module.

In English, :func:`english_name` gives the English of a Chinese name the pages show as data: a
region (:func:`jiqun.reference.romanise.region_name_en`), an industry
(:func:`jiqun.reference.industry_name_en`), a cluster with a ``name_en``, a label of a
vocabulary, a unit, or a list of these joined by ``、``. Every ``{{ expression }}`` of a template
passes through it (the Jinja ``finalize`` hook of ``ui.py``), so a region or industry name is
English wherever it is printed. A proper name with no English (a firm, a policy's title, a
cluster without ``name_en``) stays Chinese inside ``<span lang="zh-CN">`` (:func:`zh_span`, the
``zh`` filter and ``loc``).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from importlib import resources
from urllib.parse import urlencode

from fastapi import Request
from markupsafe import Markup

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

#: a run of Chinese inside an English text (with its full-width punctuation)
_HAN_RUN = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff\u3000-\u303f\uff01-\uff5e·…]*")
#: a parenthesised gloss that holds Chinese and no Latin letter: " (地级)", "（个 / 家）"
_GLOSS = re.compile(r"\s*[(（][^()（）A-Za-z]*[\u3400-\u9fff][^()（）A-Za-z]*[)）]")
#: full-width punctuation -> its English form (an English text never shows the full-width form)
_NAME_CODE = re.compile(r"(.+?)\s*[(（]([A-Za-z0-9-]+)[)）]")
#: an internal key (snake_case) inside an English text; not part of a file name or path
#: (``china_2020_42.csv`` stays as it is)
_SNAKE = re.compile(r"(?<![/\\.\-])\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?![.\-/\\][A-Za-z0-9])")
#: an inline "中文 / English" word pair inside an English text (" 或 / or ")
_INLINE_PAIR = re.compile(r"\s[\u3400-\u9fff]+ / ([A-Za-z][A-Za-z ]*?)(?=\s)")
#: [regular expression, English] fixes of English texts the services write (i18n.json)
PATTERNS_EN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rx), en) for rx, en in _DATA.get("patterns_en", [])
]
_FULL_WIDTH_CHARS = re.compile("[（），：；、]")
_FULL_WIDTH = str.maketrans({"（": " (", "）": ")", "，": ", ", "：": ": ", "；": "; ", "、": ", "})


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


@functools.lru_cache(maxsize=1)
def _english_names() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(Chinese name -> English, industry names (shown with their Chinese as a ``title``), the
    names that are data: regions, industries, clusters and units, not labels)."""
    from jiqun import reference
    from jiqun.reference.romanise import region_name_en

    if "tier" not in VOCAB:
        _load_vocab()
    names: dict[str, str] = {}
    # labels of the vocabularies and UI strings first: the data names below win over them
    for table in (STRINGS, *VOCAB.values(), EXTRA_COLUMNS):
        for zh, en in table.values():
            if _CJK.search(zh) and en and not _CJK.search(en):
                names.setdefault(zh, en)
    units = _DATA.get("units", {})
    names.update(units)
    names.update(_DATA.get("names", {}))
    industries: dict[str, str] = {}
    ind = reference.industries()
    # a name used at several levels (房地产业 K and 70) takes the division's, then the class's
    rank = {2: 0, 1: 1, 4: 2, 3: 3}
    for code, name, _level in sorted(
        zip(ind["code"], ind["name"], ind["level"].astype(int), strict=True),
        key=lambda r: rank[r[2]],
        reverse=True,
    ):
        name_en = reference.industry_name_en(code)
        if name_en:
            names[name] = name_en
            industries[name] = name
    for row in reference.clusters().itertuples():
        if isinstance(row.name_en, str) and row.name_en:
            names[row.name_zh] = row.name_en
            industries.pop(row.name_zh, None)
    reg = reference.regions()
    for code, name, level in zip(reg["code"], reg["name"], reg["level"], strict=True):
        names[name] = region_name_en(name, level)
        industries.pop(name, None)
        shown = reference.region_display_name(code)
        names.setdefault(shown, region_name_en(shown, None if shown != name else level))
    by_code = dict(zip(reg["code"], reg["name"], strict=True))
    for code in reg["code"]:
        # the full name (江苏省无锡市新吴区): the unit, then its prefecture and its province
        full = reference.region_name(code, full=True) or ""
        chain = dict.fromkeys(c for c in (code, code[:4] + "00", code[:2] + "0000") if c in by_code)
        parts = [names[by_code[c]] for c in chain if by_code[c] not in ("市辖区", "县")]
        names.setdefault(full, ", ".join(parts))
    data = frozenset(industries) | frozenset(units) | frozenset(by_code.values())
    data |= frozenset(reference.clusters()["name_zh"])
    return names, industries, data


def industry_names_zh() -> dict[str, str]:
    """The GB/T 4754-2017 names an English page shows in English (with the Chinese as a title)."""
    return _english_names()[1]


def english_name(text: object) -> str | None:
    """The English of a Chinese name the UI shows as data, or ``None`` if it has none.

    Regions (``无锡市`` → ``Wuxi``), industries (``计算机、通信和其他电子设备制造业``), clusters
    with an English name, the Chinese labels of the vocabularies and units (``亿元``), and lists
    of these joined by ``、`` or ``，`` (``北京市、天津市`` → ``Beijing, Tianjin``).

    Parameters
    ----------
    text : a value about to be shown.

    Returns
    -------
    str | None

    Example
    -------
    >>> english_name("无锡市"), english_name("北京市、天津市"), english_name("某某有限公司")
    ('Wuxi', 'Beijing, Tianjin', None)
    """
    if not isinstance(text, str) or not _CJK.search(text):
        return None
    names = _english_names()[0]
    key = text.strip()
    if key in names:
        return names[key]
    coded = _NAME_CODE.fullmatch(key)  # "京津冀生命健康集群 (NC2022-04)"
    if coded and coded.group(1) in names:
        return f"{names[coded.group(1)]} ({coded.group(2)})"
    parts = re.split(r"[、，]", key)
    if len(parts) > 1:
        out = [names.get(p.strip()) for p in parts]
        if all(out):
            return ", ".join(o for o in out if o)
    return None


def zh_span(text: str) -> Markup:
    """Chinese text an English page keeps (a proper name) as ``<span lang="zh-CN">``.

    A synthetic record's ``（模拟）`` mark is said in English after the name.

    Example
    -------
    >>> zh_span("无锡某某有限公司（模拟）")
    Markup('<span lang="zh-CN">无锡某某有限公司</span> (synthetic)')
    """
    tail = ""
    if text.endswith("（模拟）"):
        text, tail = text[: -len("（模拟）")], " (synthetic)"
    return Markup('<span lang="zh-CN">{}</span>{}').format(text, tail)


def term_en(key: str) -> str:
    """The English of an internal key inside an English text: its label in a vocabulary or
    the ``terms_en`` table of ``i18n.json``, else the key's words (``little_giant`` → ``little
    giant``).

    Example
    -------
    >>> term_en("new_generation_it"), term_en("some_new_key")
    ('new-generation IT', 'some new key')
    """
    if "tier" not in VOCAB:
        _load_vocab()
    terms = _DATA.get("terms_en", {})
    if key in terms:
        return str(terms[key])
    first = (*CODE_VOCABS, "position", "basis", "query_param")
    for table in (*(VOCAB[v] for v in first if v in VOCAB), *VOCAB.values()):
        if key in table:
            return table[key][1]
    return key.replace("_", " ")


def english_text(text: str) -> str | Markup:
    """A text for an English page: names in English, Chinese glosses of English terms dropped.

    A text without Latin words (a firm's name, a policy title) that has no English is kept in
    Chinese inside ``<span lang="zh-CN">``. In a text that is English already, a Chinese run is
    the gloss of an English term beside it (``prefecture (地级)``, ``output 工业总产值``): it is
    put into English when it is a known name or unit, and dropped otherwise. Internal keys
    become words (:func:`term_en`) and the ``patterns_en`` fixes of ``i18n.json`` apply.

    Parameters
    ----------
    text : a value a service wrote.

    Returns
    -------
    str | Markup

    Example
    -------
    >>> english_text("prefecture (地级) member regions")
    'prefecture member regions'
    >>> english_text("unit: 亿元")
    'unit: 100m yuan'
    >>> english_text("tags any ['srdi'] 或 / or revenue >= 100000")
    "tags any ['srdi'] or revenue >= 100000"
    >>> english_text("input-output table china_2020_42.csv, new_generation_it")
    'input-output table china_2020_42.csv, new-generation IT'
    """
    out = text
    if _CJK.search(text):
        name = english_name(text)
        if name is not None:
            return name
        if not re.search(r"[A-Za-z]{3,}", text):
            return zh_span(text)
        names, _, data = _english_names()

        def run(m: re.Match[str]) -> str:
            word = m.group(0).rstrip("（(：:，,；;、 ")
            # a name or a unit is data and is put into English; any other run is a gloss
            return (names[word] if word in data else "") + m.group(0)[len(word) :]

        out = _INLINE_PAIR.sub(r" \1", out)
        out = _GLOSS.sub("", out)
        out = _HAN_RUN.sub(run, out)
        out = re.sub(r"\(\s*[;,/]?\s*", "(", out)
        out = re.sub(r"\s*[;,/]?\s*\)", ")", out)
        out = re.sub(r"\(\)", "", out)
    if _FULL_WIDTH_CHARS.search(out):
        out = out.translate(_FULL_WIDTH)
    if "_" in out:
        out = _SNAKE.sub(lambda m: term_en(m.group(0)), out)
    for rx, en in PATTERNS_EN:
        out = rx.sub(en, out)
    if out is not text:
        out = re.sub(r"\s+([,;:.)])", r"\1", out)
        out = re.sub(r"\s{2,}", " ", out).strip(" ;,")
    return out


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


def loc_en(text: str) -> str | Markup:
    """A text value on an English page: a code as its label, a name in English (an industry
    with its Chinese name as a ``title``), a proper name in a ``lang="zh-CN"`` span.

    Example
    -------
    >>> loc_en("new_generation_it"), loc_en("packaging_testing;wafer_fab")
    ('new-generation IT', 'Packaging and testing, Wafer fabrication')
    >>> loc_en("集成电路设计")
    Markup('<span title="集成电路设计">Software and Information Technology Services — 6520</span>')
    """
    if "tier" not in VOCAB:
        _load_vocab()
    if CODE_LIST.fullmatch(text):
        return ", ".join(str(loc_en(x.strip("'"))) for x in re.split(r"[;,]\s*", text))
    for vocab in CODE_VOCABS:
        pair = VOCAB.get(vocab, {}).get(text)
        # a one-word code that is an English word ("revenue") is the service's English already;
        # an internal key (snake_case) or a chain segment's id ("apis") is not
        if pair is not None and ("_" in text or vocab in ("segment", "chain")):
            return pair[1]
    if text in industry_names_zh():
        return Markup('<span title="{}">{}</span>').format(text, _english_names()[0][text])
    return english_text(text)


def localizer(code: str) -> Callable[[object], str | Markup]:
    """``loc(value)``: a value a service wrote into a basis or a note, in the chosen language.

    Bilingual texts (``"中文 / English"``) show their half; English-only texts are looked up in
    the ``texts`` and ``patterns`` tables of ``i18n.json``; dicts and lists are written out
    item by item (never as raw JSON); missing values (``None``, NaN) show as ``—``.

    Parameters
    ----------
    code : ``"zh"`` or ``"en"``.

    Returns
    -------
    Callable[[object], str | Markup]: English pages get names in English and the proper names
    that have none inside ``<span lang="zh-CN">`` (:func:`loc_en`).

    Example
    -------
    >>> localizer("zh")("保密 / suppressed"), localizer("en")("保密 / suppressed")
    ('保密', 'suppressed')
    >>> localizer("zh")(float("nan"))
    '—'
    """
    lab = labeller(code)

    def loc(v: object) -> str | Markup:
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

            nest = Markup("（{}）" if code == "zh" else " ({})")

            def item(x: object) -> str | Markup:
                return nest.format(loc(x)) if isinstance(x, dict) else loc(x)

            # Markup joins: a proper name's lang span stays markup, every other part is escaped
            return Markup(join).join(
                Markup("{}{}{}").format(lab("basis", k), sep, item(x)) for k, x in v.items()
            )
        if isinstance(v, list | tuple):
            return Markup("；" if code == "zh" else "; ").join(loc(x) for x in v)
        text = str(v)
        if text in ("nan", "NaN", "None"):
            return "—"
        if code == "zh" and text in TEXTS:
            return TEXTS[text]
        if code == "en":
            if text.count(" / ") > 1 and "; " in text:  # "a: 甲 / A (…); b: 乙 / B (…)"
                pieces = [re.sub(r"^[a-z_]+:\s*", "", p) for p in text.split("; ")]
                return Markup("; ").join(loc(piece) for piece in pieces)
            text = _INLINE_PAIR.sub(r" \1", text)  # "… 或 / or …" is one English text
        pair = split_pair(text)
        if pair is not None:
            if code == "en":
                return english_text(pair[1])
            text = pair[0]  # the Chinese half may still name a column by its key
        if code == "en":
            return loc_en(text)
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
