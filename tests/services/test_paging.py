"""Paging of result tables in the services (:mod:`jiqun.services.paging`)."""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.services.paging import page_frame
from jiqun.standard.problems import JiqunError


def test_without_a_default_the_given_order_is_kept() -> None:
    # the assessment list is newest first from its query: paging must not re-sort it
    df = pd.DataFrame({"id": [3, 1, 2]}, index=[7, 8, 9])
    page, total = page_frame(df, None, None, 2, 1)
    assert total == 3
    assert page["id"].tolist() == [1, 2]
    assert page.index.tolist() == [0, 1]


def test_a_sort_still_wins_over_the_given_order() -> None:
    df = pd.DataFrame({"id": [3, 1, 2]})
    assert page_frame(df, "-id", None, None)[0]["id"].tolist() == [3, 2, 1]
    assert page_frame(df, None, "id", None)[0]["id"].tolist() == [1, 2, 3]
    with pytest.raises(JiqunError):
        page_frame(df, "nope", None, None)
