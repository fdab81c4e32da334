"""Tests for jiqun.standard.codes: GB 32100 credit codes, GB/T 4754 and GB/T 2260 syntax."""

from __future__ import annotations

import doctest
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.standard import codes
from jiqun.standard.codes import (
    GBT4754_SECTION_DIVISIONS,
    USCC_AUTHORITIES,
    USCC_CATEGORIES,
    USCC_CHARSET,
    USCC_WEIGHTS,
    CodeFinding,
    check_uscc,
    industry_code_level,
    industry_section_for_division,
    organisation_code_check_char,
    region_code_level,
    uscc_check_char,
    uscc_checksum_ok,
    uscc_format_ok,
)

VALID = ["91370000728611939A", "91110108551385082Q", "912201011239989159"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def make_code(
    authority: str = "9", category: str = "1", region: str = "320214", body: str = "MA1X2Y3T"
) -> str:
    """A code whose only defects are the ones passed in (org and GB 32100 check chars computed)."""
    org = (
        organisation_code_check_char(body)
        if all(c.isalnum() and c.isascii() for c in body)
        else "0"
    )
    first17 = authority + category + region + body + org
    check = uscc_check_char(first17) if all(c in USCC_CHARSET for c in first17) else "0"
    return first17 + check


def rules(code: str) -> list[str]:
    return [f.rule for f in check_uscc(code)]


# ---------------------------------------------------------------------------------------------
# constants and check characters


def test_weights_match_gb32100_table() -> None:
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert USCC_CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert not set("IOZSV") & set(USCC_CHARSET)


@pytest.mark.parametrize("code", VALID)
def test_check_char_of_published_examples(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("bad", ["9137000072861193", "913700007286119390", "9137000072861193I"])
def test_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("72861193", "9"),
        ("55138508", "2"),
        ("12399891", "5"),
        ("MB2C0754", "9"),  # letters count A=10 … Z=35
        ("00000006", "X"),  # 2·6 = 12 ≡ 1 (mod 11) → 10 → X
        ("00000000", "0"),  # 0 → 11 → 0
    ],
)
def test_organisation_code_check_char(body: str, expected: str) -> None:
    assert organisation_code_check_char(body) == expected


def test_organisation_code_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        organisation_code_check_char("7286119")
    with pytest.raises(ValueError):
        organisation_code_check_char("7286119a")


# ---------------------------------------------------------------------------------------------
# check_uscc: one test per rule


@pytest.mark.parametrize("code", [*VALID, "12440600MB2C07549J"])
def test_valid_codes_have_no_findings(code: str) -> None:
    assert check_uscc(code) == []


@pytest.mark.parametrize("code", ["9137000072861193A", "91370000728611939AA", ""])
def test_length(code: str) -> None:
    found = check_uscc(code)
    assert found[0].rule == "uscc.length"
    assert found[0].severity == "error"
    assert str(len(code)) in found[0].message_zh and str(len(code)) in found[0].message_en
    # positional rules need 18 characters, so nothing else may be reported
    assert {f.rule for f in found} <= {"uscc.length", "uscc.charset"}


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_charset_names_bad_character_and_position(letter: str) -> None:
    code = VALID[0][:12] + letter + VALID[0][13:]
    found = [f for f in check_uscc(code) if f.rule == "uscc.charset"]
    assert len(found) == 1 and found[0].severity == "error"
    assert f"第13位「{letter}」" in found[0].message_zh
    assert f"'{letter}' at position 13" in found[0].message_en
    # no check-character verdicts on a code that has no defined check value
    assert "uscc.checksum" not in rules(code)


def test_charset_rejects_lower_case_and_non_ascii() -> None:
    assert "uscc.charset" in rules(VALID[0].lower())
    assert "uscc.charset" in rules("９" + VALID[0][1:])


def test_charset_message_is_bounded() -> None:
    found = check_uscc("i" * 40)[1]
    assert found.message_en.count("position") == 10 and "…" in found.message_en
    assert found.message_zh.count("位「i」") == 10 and "等" in found.message_zh


@pytest.mark.parametrize("authority", [c for c in USCC_CHARSET if c not in USCC_AUTHORITIES])
def test_registration_authority(authority: str) -> None:
    code = make_code(authority=authority)
    assert rules(code) == ["uscc.registration_authority"]
    assert check_uscc(code)[0].severity == "error"


def test_all_gb32100_authorities_are_accepted() -> None:
    assert set(USCC_AUTHORITIES) == set("123456789ANY")
    for authority, categories in USCC_CATEGORIES.items():
        for category in categories:
            assert check_uscc(make_code(authority, category)) == [], (authority, category)


@pytest.mark.parametrize(
    ("authority", "category"),
    [
        ("9", "4"),
        ("9", "9"),
        ("9", "A"),
        ("1", "4"),
        ("5", "4"),
        ("Y", "2"),
        ("Y", "9"),
        ("3", "6"),
        ("N", "4"),
    ],
)
def test_category_must_fit_authority(authority: str, category: str) -> None:
    code = make_code(authority, category)
    assert rules(code) == ["uscc.category"]
    msg = check_uscc(code)[0]
    assert msg.severity == "error" and category in msg.message_zh and category in msg.message_en


@pytest.mark.parametrize(
    ("authority", "allowed"),
    [("9", "123"), ("1", "1239"), ("5", "1239"), ("Y", "1"), ("3", "123459"), ("N", "1239")],
)
def test_category_table(authority: str, allowed: str) -> None:
    assert "".join(sorted(USCC_CATEGORIES[authority])) == allowed


@pytest.mark.parametrize("region", ["32021A", "ABCDEF", "3202 4"])
def test_region_prefix_must_be_six_digits(region: str) -> None:
    code = make_code(region=region)
    assert "uscc.region_prefix" in rules(code)


def test_region_prefix_existence_is_not_checked_here() -> None:
    assert check_uscc(make_code(region="999999")) == []
    assert check_uscc(make_code(region="100000")) == []  # national-level registrations


def test_organisation_code_check() -> None:
    code = VALID[0][:16] + "8"
    code = code + uscc_check_char(code)
    found = check_uscc(code)
    assert [f.rule for f in found] == ["uscc.organisation_code"]
    assert found[0].severity == "error"
    assert "「9」" in found[0].message_zh and "'8'" in found[0].message_en


def test_checksum_mismatch_is_only_a_warning_naming_both_characters() -> None:
    code = VALID[0][:17] + "B"
    found = check_uscc(code)
    assert [(f.rule, f.severity) for f in found] == [("uscc.checksum", "warning")]
    assert "「A」" in found[0].message_zh and "「B」" in found[0].message_zh
    assert "'A'" in found[0].message_en and "'B'" in found[0].message_en


def test_checksum_passing_string_still_fails_on_format() -> None:
    code = "123456789012345678"
    assert uscc_check_char(code[:17]) == code[17]
    found = check_uscc(code)
    assert "uscc.checksum" not in [f.rule for f in found]
    assert any(f.severity == "error" for f in found)
    assert not uscc_format_ok(pd.Series([code]))[0]
    assert uscc_checksum_ok(pd.Series([code]))[0]


def test_findings_are_bilingual_and_become_problems() -> None:
    for code in ["x", "B1320214MA1X2Y3T00", VALID[0][:17] + "B", "9132021AMA1X2Y3T00"]:
        for f in check_uscc(code):
            assert isinstance(f, CodeFinding)
            assert CJK.search(f.message_zh) and f.message_en and not CJK.search(f.message_en)
    code = VALID[0][:17] + "B"
    p = check_uscc(code)[0].to_problem(7, "统一社会信用代码", code)
    assert (p.row, p.column, p.value) == (7, "统一社会信用代码", code)
    assert (p.rule, p.severity) == ("uscc.checksum", "warning")


# ---------------------------------------------------------------------------------------------
# property tests


@st.composite
def valid_uscc(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(USCC_CATEGORIES)))
    category = draw(st.sampled_from(sorted(USCC_CATEGORIES[authority])))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(USCC_CHARSET, min_size=8, max_size=8))
    return make_code(authority, category, region, body)


@given(valid_uscc())
def test_generated_valid_codes_pass(code: str) -> None:
    assert check_uscc(code) == []


@given(valid_uscc(), st.integers(0, 16), st.sampled_from(USCC_CHARSET))
def test_any_single_substitution_is_detected_by_checksum(code: str, pos: int, char: str) -> None:
    if code[pos] == char:
        char = USCC_CHARSET[(USCC_CHARSET.index(char) + 1) % 31]
    mutated = code[:pos] + char + code[pos + 1 :]
    # every weight is non-zero mod the prime 31, so one changed value always changes the sum
    assert uscc_check_char(mutated[:17]) != mutated[17]
    assert "uscc.checksum" in rules(mutated)


def _scalar_format_ok(c: object) -> bool:
    return isinstance(c, str) and not any(f.severity == "error" for f in check_uscc(c))


def _scalar_checksum_ok(c: object) -> bool:
    bad = {"uscc.length", "uscc.charset", "uscc.checksum"}
    return isinstance(c, str) and not any(f.rule in bad for f in check_uscc(c))


@st.composite
def mutated_uscc(draw: st.DrawFn) -> str:
    code = draw(valid_uscc())
    pos = draw(st.integers(0, 17))
    char = draw(st.sampled_from(USCC_CHARSET + "IOSVZa9-é "))
    return code[:pos] + char + code[pos + 1 :]


uscc_like = st.one_of(
    valid_uscc(),
    mutated_uscc(),
    st.text(USCC_CHARSET + "IOZSVa- é", min_size=16, max_size=19),
    st.sampled_from(["", "123456789012345678", "９" + VALID[0][1:], *VALID]),
)


@settings(max_examples=150)
@given(st.lists(uscc_like, max_size=30))
def test_vectorised_checks_agree_with_scalar(cells: list[str]) -> None:
    for s in (pd.Series(cells, dtype="str"), pd.Series(cells, dtype=object)):
        assert uscc_format_ok(s).tolist() == [_scalar_format_ok(c) for c in cells]
        assert uscc_checksum_ok(s).tolist() == [_scalar_checksum_ok(c) for c in cells]


def test_vectorised_checks_handle_missing_and_non_strings() -> None:
    cells = [VALID[0], None, np.nan, 912201011239989159, VALID[2], pd.NA]
    s = pd.Series(cells, dtype=object)
    assert uscc_format_ok(s).tolist() == [True, False, False, False, True, False]
    assert uscc_checksum_ok(s).tolist() == [True, False, False, False, True, False]
    assert uscc_format_ok(pd.Series([1.0, 2.0])).tolist() == [False, False]
    arrow = pd.Series(VALID, dtype=pd.ArrowDtype(__import__("pyarrow").string()))
    assert uscc_format_ok(arrow).all() and uscc_checksum_ok(arrow).all()
    assert uscc_format_ok(pd.Series([], dtype="str")).tolist() == []


def test_vectorised_checks_on_sliced_series() -> None:
    s = pd.Series(["x", *VALID, "91370000728611939B"] * 3, dtype="str").iloc[5:]
    assert uscc_checksum_ok(s).tolist() == [_scalar_checksum_ok(c) for c in s]
    assert uscc_format_ok(s).tolist() == [_scalar_format_ok(c) for c in s]


# ---------------------------------------------------------------------------------------------
# GB/T 4754 and GB/T 2260


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("A", 1),
        ("T", 1),
        ("U", None),
        ("c", None),
        ("01", 2),
        ("397", 3),
        ("3973", 4),
        ("0211", 4),
        ("C3973", None),
        ("39731", None),
        ("3", None),
        ("", None),
        ("３９７３", None),
    ],
)
def test_industry_code_level(code: str, level: int | None) -> None:
    assert industry_code_level(code) == level


def test_industry_sections_cover_divisions_01_to_97_without_gaps() -> None:
    assert list(GBT4754_SECTION_DIVISIONS) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    covered = [d for lo, hi in GBT4754_SECTION_DIVISIONS.values() for d in range(lo, hi + 1)]
    assert covered == list(range(1, 98))
    assert industry_section_for_division("13") == "C" and industry_section_for_division("43") == "C"
    assert industry_section_for_division("12") == "B" and industry_section_for_division("44") == "D"
    assert industry_section_for_division("97") == "T"
    assert industry_section_for_division("00") is None
    assert industry_section_for_division("98") is None


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("320000", "province"),
        ("110000", "province"),
        ("320200", "prefecture"),
        ("110100", "prefecture"),
        ("320214", "county"),
        ("32021", None),
        ("3202140", None),
        ("32021A", None),
        ("３２０２１４", None),
    ],
)
def test_region_code_level(code: str, level: str | None) -> None:
    assert region_code_level(code) == level


def test_docstring_examples() -> None:
    result = doctest.testmod(codes, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 5
