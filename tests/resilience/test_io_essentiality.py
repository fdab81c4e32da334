"""io_essentiality: the input–output alternative to the rule-built essentiality matrix."""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.errors import JiqunError
from jiqun.resilience import check_essentiality, default_essentiality, io_essentiality

IX = [f"{i:02d}" for i in range(1, 43)]


def _a() -> pd.DataFrame:
    a = pd.DataFrame(0.0, index=IX, columns=IX)
    a.loc["14", "18"] = 0.09  # metals → transport equipment
    a.loc["24", "18"] = 0.01  # power → transport equipment
    a.loc["19", "20"] = 0.05  # exactly the threshold → essential
    return a


def test_thresholds_and_sectors() -> None:
    E = io_essentiality(_a(), ["3670", "3110", "3210", "4411", "8310", "3841", "3971", "9700"])
    # 31 and 32 are both sector 14, 36 is 18
    assert int(E.loc["3110", "3670"]) == 2 and int(E.loc["3210", "3670"]) == 2
    assert int(E.loc["4411", "3670"]) == 1
    assert int(E.loc["8310", "3670"]) == 0
    assert int(E.loc["3841", "3971"]) == 2  # a = 0.05 ≥ 0.05
    assert (E.loc["9700"] == 0).all() and (E["9700"] == 0).all()  # 97 has no IO sector
    assert "IO-based essentiality" in E.attrs["basis"]
    assert "非调查" in E.attrs["basis"]
    # a valid essentiality matrix for the cascade
    check_essentiality(E)


def test_full_division_matrix_and_difference_from_rules() -> None:
    E = io_essentiality(_a(), source="test")
    D = default_essentiality()
    assert E.shape == D.shape == (97, 97)
    assert list(E.index) == list(D.index)
    assert "(test)" in E.attrs["basis"]
    # the rule table calls power essential for vehicles; by coefficient size it is 1
    assert int(D.loc["44", "36"]) == 2 and int(E.loc["44", "36"]) == 1


def test_refusals() -> None:
    with pytest.raises(JiqunError):
        io_essentiality(_a().iloc[:41, :41])
    with pytest.raises(JiqunError):
        io_essentiality(_a(), essential=0.01, relevant=0.02)
    with pytest.raises(JiqunError):
        io_essentiality(_a(), ["9900"])
