"""Tests for jiqun.analytics.rca: validation, LQ, presence, diversity, ubiquity, pivoting."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import (
    PRESENCE_RTOL,
    JiqunWarning,
    check_matrix,
    diversity,
    drop_empty,
    location_quotient,
    matrix,
    presence,
    ubiquity,
)
from jiqun.standard.problems import JiqunError


@pytest.fixture
def X() -> pd.DataFrame:
    # E_r = [3, 2, 5], E_i = [4, 3, 3], E = 10
    return pd.DataFrame(
        {"a": [2.0, 0.0, 2.0], "b": [1.0, 2.0, 0.0], "c": [0.0, 0.0, 3.0]},
        index=["r1", "r2", "r3"],
    )


# ----------------------------------------------------------------------------- validation


def test_check_matrix_returns_float_copy(X: pd.DataFrame) -> None:
    Xi = X.astype(int)
    out = check_matrix(Xi)
    assert (out.dtypes == np.float64).all()
    assert out.to_numpy().flags["C_CONTIGUOUS"]
    out.iloc[0, 0] = 99.0
    assert Xi.iloc[0, 0] == 2  # a copy, not a view


def test_check_matrix_coerces_numeric_strings() -> None:
    X = pd.DataFrame({"a": ["1", "2.5"], "b": [3, 4]}, index=["r1", "r2"])
    assert check_matrix(X).loc["r2", "a"] == 2.5


def test_negative_cell_is_named(X: pd.DataFrame) -> None:
    X.loc["r2", "c"] = -7.0
    with pytest.raises(JiqunError) as e:
        check_matrix(X)
    assert "('r2', 'c', -7.0)" in str(e.value)
    assert "负值" in e.value.message_zh and "negative" in e.value.message_en


def test_at_most_ten_negative_cells_are_named() -> None:
    X = pd.DataFrame(-np.ones((4, 5)))
    with pytest.raises(JiqunError) as e:
        check_matrix(X)
    assert "20 negative" in e.value.message_en
    assert e.value.message_en.count("-1.0)") == 10
    assert "(+10)" in e.value.message_en


def test_nan_cell_is_named(X: pd.DataFrame) -> None:
    X.loc["r3", "b"] = np.nan
    with pytest.raises(JiqunError) as e:
        check_matrix(X)
    assert "'r3', 'b'" in e.value.message_en and "NaN" in e.value.message_en


def test_nullable_na_cell_is_named() -> None:
    X = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}, index=["r1", "r2"])
    with pytest.raises(JiqunError, match="'r2', 'a'"):
        check_matrix(X)


def test_infinite_cell_is_named(X: pd.DataFrame) -> None:
    X.loc["r1", "a"] = np.inf
    with pytest.raises(JiqunError, match=r"infinite.*'r1', 'a'"):
        check_matrix(X)


def test_non_numeric_cell_is_named(X: pd.DataFrame) -> None:
    X = X.astype(object)
    X.loc["r1", "c"] = "n/a"
    with pytest.raises(JiqunError) as e:
        check_matrix(X)
    assert "('r1', 'c', 'n/a')" in e.value.message_en
    assert "非数值" in e.value.message_zh


@pytest.mark.parametrize(
    "bad", [pd.DataFrame(), pd.DataFrame(index=["r1"]), pd.DataFrame({"a": []})]
)
def test_empty_matrix(bad: pd.DataFrame) -> None:
    with pytest.raises(JiqunError, match="empty"):
        check_matrix(bad)


def test_not_a_dataframe() -> None:
    with pytest.raises(JiqunError, match="DataFrame"):
        check_matrix(np.ones((2, 2)))  # type: ignore[arg-type]


def test_duplicate_labels() -> None:
    with pytest.raises(JiqunError, match=r"duplicated region.*'r1'"):
        check_matrix(pd.DataFrame({"a": [1, 2]}, index=["r1", "r1"]))
    with pytest.raises(JiqunError, match="duplicated industry"):
        check_matrix(pd.DataFrame([[1, 2]], columns=["a", "a"]))


def test_drop_empty_warns_and_names(X: pd.DataFrame) -> None:
    X["z"] = 0.0
    X.loc["r0"] = 0.0
    with pytest.warns(JiqunWarning) as rec:
        out = drop_empty(X)
    msg = str(rec[0].message)
    assert "1 region(s) (rows): 'r0'" in msg and "'z'" in msg
    assert list(out.index) == ["r1", "r2", "r3"] and list(out.columns) == ["a", "b", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drop_empty(X, warn=False)
        drop_empty(out)  # nothing to drop: no warning


# ----------------------------------------------------------------------------- matrix()


def test_matrix_pivots_and_sums_duplicates() -> None:
    long = pd.DataFrame(
        {
            "city": ["b", "a", "a", "a"],
            "ind": ["x", "y", "x", "x"],
            "emp": [1, 2, 3, 4],
        }
    )
    out = matrix(long, region="city", industry="ind", value="emp")
    assert list(out.index) == ["a", "b"] and list(out.columns) == ["x", "y"]
    assert out.loc["a", "x"] == 7.0 and out.loc["b", "y"] == 0.0
    assert out.to_numpy().dtype == np.float64


def test_matrix_errors() -> None:
    long = pd.DataFrame({"region": ["a", None], "industry": ["x", "y"], "value": [1, 2]})
    with pytest.raises(JiqunError, match="missing label"):
        matrix(long)
    with pytest.raises(JiqunError, match="missing column"):
        matrix(long.drop(columns="value"))
    long = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "y"], "value": ["1", "oops"]})
    with pytest.raises(JiqunError, match="'b', 'y', 'oops'"):
        matrix(long)


# ----------------------------------------------------------------------------- LQ


def test_location_quotient_by_hand(X: pd.DataFrame) -> None:
    # LQ_ri = (X_ri/E_r)/(E_i/E): r1,a = (2/3)/(4/10) = 5/3; r2,b = (2/2)/(3/10) = 10/3;
    # r3,c = (3/5)/(3/10) = 2; r3,a = (2/5)/(4/10) = 1.
    lq = location_quotient(X)
    assert lq.loc["r1", "a"] == pytest.approx(5 / 3, rel=1e-15)
    assert lq.loc["r2", "b"] == pytest.approx(10 / 3, rel=1e-15)
    assert lq.loc["r3", "c"] == pytest.approx(2.0, rel=1e-15)
    assert lq.loc["r3", "a"] == pytest.approx(1.0, rel=1e-15)
    assert lq.loc["r2", "a"] == 0.0
    # the share-weighted mean LQ of every region is 1
    np.testing.assert_allclose((lq * (X.sum() / X.to_numpy().sum())).sum(axis=1), 1.0)


def test_location_quotient_with_reference(X: pd.DataFrame) -> None:
    ref = pd.Series({"c": 10.0, "a": 20.0, "b": 70.0})  # any order
    lq = location_quotient(X, reference=ref)
    # r1,a = (2/3)/(20/100)
    assert lq.loc["r1", "a"] == pytest.approx((2 / 3) / 0.2)
    assert lq.loc["r3", "c"] == pytest.approx((3 / 5) / 0.1)
    with pytest.raises(JiqunError, match="missing 'c'"):
        location_quotient(X, reference=ref.drop("c"))
    with pytest.raises(JiqunError, match="extra 'd'"):
        location_quotient(X, reference=pd.concat([ref, pd.Series({"d": 1.0})]))
    with pytest.raises(JiqunError, match="zero reference total"):
        location_quotient(X, reference=ref.replace(10.0, 0.0))


def test_location_quotient_zero_row_is_nan_with_warning(X: pd.DataFrame) -> None:
    X.loc["r0"] = 0.0
    with pytest.warns(JiqunWarning, match="region\\(s\\) with total 0: 'r0'"):
        lq = location_quotient(X)
    assert lq.loc["r0"].isna().all()
    assert lq.drop("r0").notna().all().all()


def test_location_quotient_does_not_round() -> None:
    X = pd.DataFrame([[1.0, 2.0], [3.0, 7.0]])
    lq = location_quotient(X)
    assert lq.iloc[0, 0] == (1 / 3) / (4 / 13)


# ----------------------------------------------------------------------------- presence


def test_presence_by_hand(X: pd.DataFrame) -> None:
    M = presence(X)
    assert M.dtypes.eq(np.int64).all()
    # r3,a has LQ exactly 1 → present (≥)
    assert M.to_dict("index") == {
        "r1": {"a": 1, "b": 1, "c": 0},
        "r2": {"a": 0, "b": 1, "c": 0},
        "r3": {"a": 1, "b": 0, "c": 1},
    }
    assert presence(X, threshold=2.0).loc["r3", "c"] == 1
    assert presence(X, threshold=2.0).loc["r1", "a"] == 0


def test_presence_relative_tolerance() -> None:
    # LQ values just below the threshold: within 1e-9 relative → present; beyond → absent.
    X = pd.DataFrame(np.eye(2) + 1.0)  # LQ = [[4/3, 2/3], [2/3, 4/3]]
    t = 4 / 3
    assert presence(X, threshold=t * (1 + 0.5 * PRESENCE_RTOL)).iloc[0, 0] == 1
    assert presence(X, threshold=t * (1 + 2 * PRESENCE_RTOL)).iloc[0, 0] == 0


def test_presence_of_zero_row_is_zero(X: pd.DataFrame) -> None:
    X.loc["r0"] = 0.0
    with pytest.warns(JiqunWarning):
        M = presence(X)
    assert (M.loc["r0"] == 0).all()


# ----------------------------------------------------------------------------- diversity/ubiquity


def test_diversity_ubiquity_from_X_and_M(X: pd.DataFrame) -> None:
    M = presence(X)
    for arg in (X, M, M.astype(bool), M.astype(float)):
        assert diversity(arg).to_dict() == {"r1": 2, "r2": 1, "r3": 2}
        assert ubiquity(arg).to_dict() == {"a": 2, "b": 2, "c": 1}
    assert diversity(X).name == "diversity" and ubiquity(X).name == "ubiquity"


def test_binary_raw_matrix_rule() -> None:
    # a raw matrix that only holds 0/1 is taken as M unless is_presence=False
    B = pd.DataFrame([[1, 1], [0, 1]], index=["r1", "r2"], columns=["a", "b"])
    assert diversity(B).to_dict() == {"r1": 2, "r2": 1}
    # as X: LQ r1,a = (1/2)/(1/3) = 1.5, r1,b = (1/2)/(2/3) = .75, r2,b = 1/(2/3) = 1.5
    assert diversity(B, is_presence=False).to_dict() == {"r1": 1, "r2": 1}
    with pytest.raises(JiqunError, match="other than 0 and 1"):
        diversity(B * 2, is_presence=True)
