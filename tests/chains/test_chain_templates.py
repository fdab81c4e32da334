"""Chain templates: the shipped ones are valid; user templates are validated and versioned."""

from __future__ import annotations

import copy
import doctest
import warnings
from pathlib import Path

import pytest
import yaml

import jiqun.chains.analysis
import jiqun.chains.mapping
import jiqun.chains.templates
from jiqun.analytics.rca import JiqunWarning
from jiqun.chains import (
    CONFIDENCE_LEVELS,
    POSITIONS,
    get_template,
    load_templates,
    read_template_file,
    shipped_template_dir,
    template_from_dict,
)
from jiqun.reference import industry_codes, industry_name
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import FIELDS_OF_CLUSTERS

SHIPPED = load_templates(include_shipped=True)


def test_at_least_eight_chains_cover_all_six_fields() -> None:
    assert len(SHIPPED) >= 8
    assert {t.field for t in SHIPPED.values()} == set(FIELDS_OF_CLUSTERS)
    for must in (
        "integrated_circuits",
        "nev_power_batteries",
        "industrial_robots",
        "biomedicine",
        "photovoltaics",
        "rare_earth_magnets",
        "smart_home_appliances",
        "cnc_machine_tools",
    ):
        assert must in SHIPPED
    # one file per chain, named after it
    files = sorted(p.stem for p in shipped_template_dir().glob("*.yaml"))
    assert files == sorted(SHIPPED)


@pytest.mark.parametrize("chain", sorted(SHIPPED))
def test_every_code_exists_and_every_dag_is_valid(chain: str) -> None:
    t = SHIPPED[chain]
    classes = industry_codes(4)
    assert t.shipped and t.version >= 1 and t.sources
    assert {s.position for s in t.segments} == set(POSITIONS)  # up, mid and downstream
    for s in t.segments:
        assert s.gbt4754, s.id
        assert s.keywords, s.id  # every segment can be found by keyword too
        for m in s.gbt4754:
            assert m.code in classes, (chain, s.id, m.code)
            assert industry_name(m.code)
            assert m.confidence in CONFIDENCE_LEVELS
            assert m.source.strip()
        for b in s.supplies:
            assert b in t.segment_ids
    order = t.topological_order()
    assert sorted(order) == sorted(t.segment_ids)
    pos = {s: i for i, s in enumerate(order)}
    for r in t.edges().itertuples(index=False):
        assert pos[r.supplier] < pos[r.buyer]  # acyclic: every edge goes forward
    # the raw YAML is validated the same way (round trip through to_dict)
    again = template_from_dict(t.to_dict(), "roundtrip")
    assert again.segments == t.segments


def test_shipped_codes_carry_sei_evidence_where_they_say_so() -> None:
    """Mappings whose source cites SEI-2018 point at a class that the concordance lists."""
    from jiqun.reference import concordance

    sei = set(concordance("sei2018")["gbt4754_code"])
    for t in SHIPPED.values():
        for s in t.segments:
            for m in s.gbt4754:
                if m.source.startswith("SEI-2018"):
                    assert m.code in sei, (t.id, s.id, m.code)


def test_template_helpers(toy) -> None:  # type: ignore[no-untyped-def]
    assert toy.inputs_of("final") == ("part", "tool")
    assert toy.outputs_of("raw") == ("part",)
    assert toy.topological_order() == ("raw", "tool", "part", "final")
    assert list(toy.code_table()["score"]) == [0.9, 0.7, 0.9, 0.9]
    with pytest.raises(JiqunError, match="nope"):
        toy.segment("nope")
    with pytest.raises(JiqunError, match="no chain template"):
        get_template("no_such_chain")


def _problems(doc: dict) -> list:
    with warnings.catch_warnings(), pytest.raises(JiqunError) as e:
        warnings.simplefilter("ignore", JiqunWarning)  # position-order warnings
        template_from_dict(doc, "bad.yaml")
    return e.value.problems


def test_one_bilingual_message_per_problem_naming_file_chain_segment_field_value(
    toy_doc: dict,
) -> None:
    doc = toy_doc
    segs = doc["segments"]
    segs[0]["gbt4754"][0]["code"] = "9999"  # unknown class
    segs[1]["gbt4754"][0]["code"] = "C3062"  # section letter
    segs[2]["gbt4754"][0]["confidence"] = "sure"  # bad confidence
    segs[3]["position"] = "sideways"  # bad position
    segs[0]["supplies"] = ["part", "ghost"]  # unknown segment
    doc["field"] = "space"
    problems = _problems(doc)
    rules = sorted(p.rule for p in problems)
    assert rules == sorted(
        [
            "chain.code_unknown",
            "chain.code_section_letter",
            "chain.confidence",
            "chain.position",
            "chain.supplies_unknown",
            "chain.field",
        ]
    )
    unknown = next(p for p in problems if p.rule == "chain.code_unknown")
    assert unknown.extra == {
        "file": "bad.yaml",
        "chain": "toy",
        "segment": "raw",
        "field": "gbt4754[0].code",
    }
    assert unknown.value == "9999"
    for text in (unknown.message_zh, unknown.message_en):
        for part in ("bad.yaml", "toy", "raw", "gbt4754[0].code", "9999"):
            assert part in text
    assert "文件" in unknown.message_zh and "file" in unknown.message_en


def test_cycle_is_reported_with_its_path(toy_doc: dict) -> None:
    doc = toy_doc
    doc["segments"][3]["supplies"] = ["raw"]  # final → raw closes raw → part → final
    (p,) = _problems(doc)
    assert p.rule == "chain.cycle"
    assert "→" in p.value and "raw" in p.value and "final" in p.value


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (lambda d: d["segments"][0]["gbt4754"][0].update(code=3091), "chain.code_quoted"),
        (lambda d: d["segments"][0]["gbt4754"][0].update(code="30"), "chain.code_level"),
        (lambda d: d["segments"][0]["gbt4754"][0].update(code="6510"), "chain.code_2011"),
        (lambda d: d["segments"][0]["gbt4754"][0].pop("source"), "chain.source"),
        (lambda d: d["segments"][0].update(keyword=["x"]), "chain.unknown_key"),
        (lambda d: d["segments"][0].update(keywords=["碳"]), "chain.keyword"),
        (lambda d: d["segments"][0].update(hs=[8507]), "chain.hs"),
        (lambda d: d["segments"][1].update(id="raw"), "chain.segment_duplicate"),
        (lambda d: d["segments"][0].update(supplies=["raw"]), "chain.self_loop"),
        (lambda d: d.update(version=0), "chain.version"),
        (lambda d: d.pop("sources"), "chain.missing"),
        (lambda d: d.update(id="Bad Id"), "chain.id"),
    ],
)
def test_each_defect_is_caught(mutate, rule: str, toy_doc: dict) -> None:  # type: ignore[no-untyped-def]
    doc = toy_doc
    mutate(doc)
    assert rule in {p.rule for p in _problems(doc)}


def test_position_order_is_a_warning_not_an_error(toy_doc: dict) -> None:
    doc = toy_doc
    doc["segments"][3]["supplies"] = []
    doc["segments"].append(
        {
            "id": "recycle",
            "name_zh": "回收",
            "name_en": "recycling",
            "position": "downstream",
            "gbt4754": [{"code": "4210", "confidence": "low", "source": "t"}],
            "supplies": ["tool"],
        }
    )
    with pytest.warns(JiqunWarning, match="check the positions"):
        t = template_from_dict(doc, "w.yaml")
    assert "recycle" in t.segment_ids


def _write(path: Path, doc: dict) -> Path:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_user_templates_override_by_higher_version(
    tmp_path: Path, monkeypatch, toy_doc: dict
) -> None:  # type: ignore[no-untyped-def]
    pv = SHIPPED["photovoltaics"].to_dict()
    newer = copy.deepcopy(pv)
    newer["version"] = pv["version"] + 1
    newer["name_en"] = "Photovoltaics (local edition)"
    users = tmp_path / "chains"
    users.mkdir()
    _write(users / "pv.yaml", newer)
    _write(users / "toy.yml", toy_doc)
    ts = load_templates(users)
    assert ts["photovoltaics"].name_en == "Photovoltaics (local edition)"
    assert not ts["photovoltaics"].shipped
    assert ts["toy"].origin.endswith("toy.yml")
    assert ts["integrated_circuits"].shipped
    # the environment variable names the same folder
    monkeypatch.setenv("JIQUN_CHAIN_TEMPLATES", str(users))
    assert load_templates()["photovoltaics"].version == pv["version"] + 1
    monkeypatch.delenv("JIQUN_CHAIN_TEMPLATES")
    # not higher → ignored with a warning
    _write(users / "pv.yaml", pv)
    with pytest.warns(JiqunWarning, match="not higher"):
        ts = load_templates(users)
    assert ts["photovoltaics"].shipped
    # a list of chains in one file
    both = tmp_path / "both.yaml"
    _write(both, {"chains": [toy_doc, {**toy_doc, "id": "toy2"}]})
    assert [t.id for t in read_template_file(both)] == ["toy", "toy2"]


def test_user_template_errors_name_the_file(tmp_path: Path, toy_doc: dict) -> None:
    bad = copy.deepcopy(toy_doc)
    bad["segments"][0]["gbt4754"][0]["code"] = "0000"
    f = _write(tmp_path / "bad.yaml", bad)
    (tmp_path / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(JiqunError) as e:
        load_templates(tmp_path)
    files = {p.extra["file"] for p in e.value.problems}
    assert files == {str(f), str(tmp_path / "broken.yaml")}
    with pytest.raises(JiqunError, match="not found"):
        load_templates(tmp_path / "missing")
    same = tmp_path / "same"
    same.mkdir()
    _write(same / "a.yaml", toy_doc)
    _write(same / "b.yaml", toy_doc)
    with pytest.raises(JiqunError, match="defined twice"):
        load_templates(same)


@pytest.mark.parametrize(
    "module",
    [
        jiqun.chains.templates,
        jiqun.chains.mapping,
        jiqun.chains.analysis,
        jiqun.chains.segments,
        jiqun.chains.supply,
        jiqun.chains.links,
        jiqun.chains.leaders,
    ],
)
def test_docstring_examples(module) -> None:  # type: ignore[no-untyped-def]
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0
