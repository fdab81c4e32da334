"""UI language: zh-CN by default, English alongside; one dictionary of UI strings.

Templates call ``t(key)`` for a string of :data:`STRINGS` or ``t(zh, en)`` for a literal pair;
``lab(kind, code)`` names a code of a controlled vocabulary (tier, field, tag, carrier type,
role, position, report column) in the chosen language. The strings and vocabularies are
the data file ``i18n.json`` beside this module.
"""

from __future__ import annotations

import json
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
        if key is None or key == "":
            return "—"
        pair = VOCAB.get(vocab, {}).get(str(key))
        if pair is None:
            return str(key)
        return pair[0] if code == "zh" else pair[1]

    return lab
