"""The label tables read from data files (``jiqun/*/data/*.yaml``) have the shapes their
modules promise: id -> tuple of non-empty strings, aliases that name known ids."""

from __future__ import annotations

import math

import pytest

from jiqun import reference
from jiqun.analytics import diagnosis
from jiqun.chains import inputs, templates
from jiqun.digital import index
from jiqun.inputoutput import analysis
from jiqun.policy import evaluation, rules
from jiqun.standard import schema
from jiqun.standard.datafiles import load_yaml, section
from jiqun.standard.reader import wide


def _labels(table: object, width: int) -> None:
    assert isinstance(table, dict) and table
    for k, v in table.items():
        assert isinstance(k, str) and k
        assert isinstance(v, tuple) and len(v) == width, (k, v)
        assert all(isinstance(x, str) and x for x in v), (k, v)


@pytest.mark.parametrize(
    ("table", "width"),
    [
        (schema.TAGS, 2),
        (schema.TIERS, 2),
        (schema.FIELDS_OF_CLUSTERS, 2),
        (schema.CARRIER_TYPES, 2),
        (schema.CARRIER_LEVELS, 2),
        (schema.MEASURES, 3),
        (schema.MEMBER_ROLES, 2),
        (schema.REGION_LEVELS, 2),
        (schema.VERIFICATION_STATES, 2),
        (wide.RENAMED, 2),
        (evaluation.INDICATORS, 3),
        (evaluation.ADVICE, 2),
        (rules.NUMERIC_FIELDS, 3),
        (rules.SET_FIELDS, 2),
        (diagnosis.POSITION_CLASSES, 3),
        (templates.POSITIONS, 2),
        (inputs.BASIS_LABELS, 2),
        (analysis.KEY_SECTOR_CLASSES, 2),
        (index.GROUP_LABELS, 2),
    ],
)
def test_label_tables_are_tuples_of_names(table: dict[str, tuple[str, ...]], width: int) -> None:
    _labels(table, width)


def test_level_labels_are_keyed_by_int() -> None:
    assert list(index.LEVEL_LABELS) == [0, 1, 2, 3, 4]
    _labels({str(k): v for k, v in index.LEVEL_LABELS.items()}, 2)


def test_aliases_name_known_ids() -> None:
    assert set(schema.TAG_ALIASES.values()) <= set(schema.TAGS)
    assert set(schema.MEASURE_ALIASES.values()) <= set(schema.MEASURES)
    assert all(isinstance(k, str) for k in (*schema.TAG_ALIASES, *schema.MEASURE_ALIASES))


def test_renamed_regions_point_at_existing_divisions() -> None:
    for old, (code, source) in wide.RENAMED.items():
        assert reference.region_exists(code), (old, code)
        assert old in source


def test_word_lists_are_tuples_of_strings() -> None:
    for words in (wide.REGION_HEADERS, wide.NATION_NAMES, wide._PROVINCE_SUFFIXES):
        assert isinstance(words, tuple) and words
        assert all(isinstance(w, str) and w for w in words)


def test_default_weights_cover_the_indicators_and_sum_to_one() -> None:
    assert list(evaluation.DEFAULT_WEIGHTS) == list(evaluation.INDICATORS)
    assert math.isclose(sum(evaluation.DEFAULT_WEIGHTS.values()), 1.0)


def test_each_call_returns_a_new_object() -> None:
    a = section("labels.yaml", "tiers")
    a["x"] = ("甲", "x")
    assert "x" not in section("labels.yaml", "tiers")
    assert "x" not in load_yaml("labels.yaml")["tiers"]


def test_a_file_that_is_not_a_mapping_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import jiqun.standard.datafiles as df

    monkeypatch.setattr(df.yaml, "safe_load", lambda _text: ["not", "a", "mapping"])
    df.load_yaml.cache_clear()
    try:
        with pytest.raises(ValueError, match="expected a mapping"):
            df.load_yaml("labels.yaml")
    finally:
        df.load_yaml.cache_clear()
