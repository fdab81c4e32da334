"""The one refusal of a value outside the allowed ones (:mod:`jiqun.services.choices`)."""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.errors import AccessDenied, UploadRefused
from jiqun.services.choices import require_choice
from jiqun.services.paging import sort_frame
from jiqun.standard.problems import JiqunError


def test_an_allowed_value_passes_from_any_collection() -> None:
    require_choice("output", ("output", "employment"), "未知口径", "unknown measure")
    require_choice("b", {"a": 1, "b": 2}, "未知口径", "unknown measure")
    require_choice("v", pd.Index(["u", "v"]), "无法用作排序的列", "cannot sort by")


def test_a_refusal_names_the_value_and_every_choice_in_both_languages() -> None:
    with pytest.raises(JiqunError) as e:
        require_choice("x", {"a": 1, "b": 2}, "未知分组", "unknown grouping")
    assert e.value.message_zh == "未知分组 'x'，可选：a, b"
    assert e.value.message_en == "unknown grouping 'x'; choose one of a, b"
    assert e.value.status == 400


def test_the_caller_chooses_the_exception() -> None:
    with pytest.raises(UploadRefused):
        require_choice("x", ("a",), "未知数据类别", "unknown kind", error=UploadRefused)
    with pytest.raises(AccessDenied) as e:
        require_choice(
            "x",
            ("a",),
            "不能补全",
            "no suggestions for",
            error=lambda zh, en: AccessDenied(zh, en, status=400),
        )
    assert e.value.status == 400


def test_sorting_by_an_unknown_column_lists_the_columns() -> None:
    df = pd.DataFrame({"code": ["1"], "value": [1.0]})
    with pytest.raises(JiqunError, match="cannot sort by 'size'; choose one of code, value"):
        sort_frame(df, "-size", None)
