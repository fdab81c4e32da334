"""The demo generator's modelling tables, read from the data files in ``jiqun/demo/data/``.

The hand-set proportions, size and productivity offsets, growth rates, input–output rules, place
weights, tag targets and name words live in YAML files, each with a header saying where its
numbers come from and what they mean: ``divisions.yaml`` (per GB/T 4754 division),
``inputs.yaml`` (the supply-link rule table), ``sizes.yaml`` (placement shares and size
distributions), ``geography.yaml`` (weights of prefecture-level
units), ``tags.yaml`` (tag targets at the default size) and ``names.yaml`` (words of firm names,
addresses and business scopes). The names below are the tables as the generator uses them; the
values are exactly those of the files, in file order (the generator's draws depend on it).

References
----------
``src/jiqun/demo/generator.py`` (module docstring: every modelling choice and its reasoning).

Example
-------
>>> from jiqun.demo.tables import INPUT_RULES, PRODUCTIVITY
>>> PRODUCTIVITY["26"], INPUT_RULES["28"][0]
(300, ('25', 4))
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

GENERATOR_VERSION = "1.1.0"
DEMO_NOTE = "模拟数据，仅供演示 / synthetic demo data, not real statistics"
DEMO_SOURCE = "Jiqun demo generator (synthetic)"
DEFAULT_N = 200_000


@cache
def load_table(name: str) -> dict[str, Any]:
    """One data file of ``jiqun/demo/data/`` as loaded by PyYAML (mapping order kept).

    Parameters
    ----------
    name: file name, e.g. ``"divisions.yaml"``.

    Returns
    -------
    The file's top-level mapping (cached: do not modify it).
    """
    text = resources.files("jiqun.demo").joinpath("data", name).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ValueError(f"jiqun/demo/data/{name}: expected a mapping")
    return doc


def _pairs(rows: list[list[Any]]) -> list[tuple[str, float]]:
    return [(str(a), b) for a, b in rows]


_DIV = load_table("divisions.yaml")
_TAGS = load_table("tags.yaml")
_GEO = load_table("geography.yaml")
_NAMES = load_table("names.yaml")
_INPUTS = load_table("inputs.yaml")

#: Placement shares and size distributions (``sizes.yaml``), as nested mappings.
SIZES: dict[str, dict[str, Any]] = load_table("sizes.yaml")

#: Share (%) of general manufacturing firms per division.
MFG_DIVISION_SHARE: dict[str, float] = dict(_DIV["mfg_division_share"])
#: Share (%) of the non-manufacturing firms per division.
SERVICE_DIVISION_SHARE: dict[str, float] = dict(_DIV["service_division_share"])
#: log-offset of median employees per division (0 = median 20 before calibration).
SIZE_OFFSET: dict[str, float] = dict(_DIV["size_offset"])
#: revenue per employee (万元) per division; default 130 for manufacturing, 60 otherwise.
PRODUCTIVITY: dict[str, float] = dict(_DIV["productivity"])
#: nominal growth of revenue to the last year per division (log points).
DIVISION_GROWTH: dict[str, float] = dict(_DIV["division_growth"])
#: extra growth of a few 4-digit classes (log points).
CLASS_GROWTH: dict[str, float] = dict(_DIV["class_growth"])
#: Division → field of clusters (for innovation carriers outside clusters).
DIVISION_FIELD: dict[str, str] = dict(_DIV["division_field"])

#: Input–output rule table: buyer division → [(supplier division, weight)].
INPUT_RULES: dict[str, list[tuple[str, float]]] = {
    str(k): _pairs(v) for k, v in _INPUTS["input_rules"].items()
}
#: Inputs of divisions missing from :data:`INPUT_RULES`.
DEFAULT_INPUTS: list[tuple[str, float]] = _pairs(_INPUTS["default_inputs"])

#: Tag targets at the default size.
LITTLE_GIANTS_IN_45: int = _TAGS["little_giants_in_45"]
CHAMPIONS_IN_45: int = _TAGS["champions_in_45"]
LITTLE_GIANTS_NATIONAL: int = _TAGS["little_giants_national"]
CHAMPIONS_NATIONAL: int = _TAGS["champions_national"]
OUTSIDE_SAMPLING: float = _TAGS["outside_sampling"]
SRDI_PER_LITTLE_GIANT: int = _TAGS["srdi_per_little_giant"]
HIGH_TECH_MFG_SHARE: float = _TAGS["high_tech_mfg_share"]
NATIONAL_MIC_TOTAL: int = _TAGS["national_mic_total"]
NATIONAL_MIC_IN_45: int = _TAGS["national_mic_in_45"]

#: Resident population (millions) per province, 2020 census (first two digits of the code).
PROVINCE_POPULATION: dict[str, float] = dict(_GEO["province_population_2020"])
#: Manufacturing jobs per resident relative to the national average, per province.
PROVINCE_MFG_INTENSITY: dict[str, float] = dict(_GEO["province_mfg_intensity"])
#: Extra weight of well-known manufacturing centres (prefecture codes).
MANUFACTURING_CENTRES: dict[str, float] = dict(_GEO["manufacturing_centres"])

#: The 2-character "字号" of firm names: first × second character, pairs of equal ones left out.
NAME_WORDS: tuple[str, ...] = tuple(
    a + b for a in _NAMES["name_first"] for b in _NAMES["name_second"] if a != b
)
#: Industry words for firm names where the class name reads badly.
CLASS_WORDS: dict[str, str] = dict(_NAMES["class_words"])
#: Industry words of non-manufacturing sections.
SECTION_WORDS: dict[str, list[str]] = dict(_NAMES["section_words"])
#: Extra product words per class for ``business_scope``.
KEY_PRODUCTS: dict[str, list[str]] = dict(_NAMES["key_products"])
ROADS: list[str] = list(_NAMES["roads"])
SCOPE_TAILS: tuple[str, ...] = tuple(_NAMES["scope_tails"])
