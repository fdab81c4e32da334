"""English names of GB/T 4754-2017 industries (``jiqun.reference.industry_name_en``)."""

from __future__ import annotations

import pandas as pd

from jiqun import reference

DATA = "src/jiqun/reference/data/gbt4754_2017_divisions_en.csv"


def test_every_section_and_division_has_one_english_name() -> None:
    en = pd.read_csv(DATA, dtype=str)
    codes = reference.industries()
    top = codes[codes["level"].astype(int) <= 2]
    assert sorted(en["code"]) == sorted(top["code"])  # 20 sections + 97 divisions
    assert len(en) == 117
    # the Chinese names beside the English ones are the standard's own
    zh = dict(zip(top["code"], top["name"], strict=True))
    assert all(zh[c] == n for c, n in zip(en["code"], en["name_zh"], strict=True))
    assert en["name_en"].str.contains(r"[\u3400-\u9fff]").sum() == 0
    assert set(en["verification"]) <= {"verified", "partial", "recalled"}


def test_hand_cases() -> None:
    assert reference.industry_name_en("C") == "Manufacturing"
    assert reference.industry_name_en("27") == "Manufacture of Medicines"
    assert reference.industry_name_en("39") == (
        "Manufacture of Computers, Communication and Other Electronic Equipment"
    )
    # a class shows its division and its own code
    assert reference.industry_name_en("3973") == (
        "Manufacture of Computers, Communication and Other Electronic Equipment — 3973"
    )
    assert reference.industry_name_en("651") == "Software and Information Technology Services — 651"
    assert reference.industry_name_en("9999") is None
