"""One convention for undefined location quotients (``jiqun.analytics.rca`` module docstring):
``0/0`` and ``x/0`` are NaN — never 0, never inf — at every place that computes an LQ."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning, location_quotient, lq_from_totals
from jiqun.analytics.strength import cluster_stars


def test_lq_from_totals_cells() -> None:
    assert lq_from_totals(2.0, 3.0, 3.0, 4.0) == pytest.approx((2 / 3) / (3 / 4))
    assert math.isnan(lq_from_totals(0.0, 0.0, 3.0, 4.0))  # empty region: 0/0
    assert math.isnan(lq_from_totals(1.0, 3.0, 0.0, 4.0))  # value against a zero industry total
    assert math.isnan(lq_from_totals(0.0, 3.0, 0.0, 0.0))  # empty reference area
    assert math.isnan(lq_from_totals(1.0, float("nan"), 2.0, 4.0))


def test_lq_from_totals_same_floats_as_location_quotient() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.integers(0, 50, (6, 5)).astype(float))
    arr = X.to_numpy()
    direct = lq_from_totals(arr, arr.sum(1)[:, None], arr.sum(0)[None, :], arr.sum())
    assert np.array_equal(direct, location_quotient(X).to_numpy(), equal_nan=True)


def test_lq_from_totals_keeps_labels() -> None:
    v = pd.Series([1.0, 0.0], index=["a", "b"])
    out = lq_from_totals(v, 1.0, pd.Series([2.0, 0.0], index=["a", "b"]), 4.0)
    assert list(out.index) == ["a", "b"] and out["a"] == 2.0 and math.isnan(out["b"])


def test_location_quotient_empty_region_and_industry_are_nan() -> None:
    X = pd.DataFrame({"a": [2.0, 0.0, 1.0], "b": [0.0, 0.0, 0.0]}, index=["r1", "r2", "r3"])
    with pytest.warns(JiqunWarning):
        lq = location_quotient(X)
    assert lq.loc["r2"].isna().all() and lq["b"].isna().all()
    assert not np.isinf(lq.to_numpy()).any()


def test_cluster_stars_zero_reference_cluster_is_nan_not_zero() -> None:
    # c2 has no employment in the reference area: x/0 for r0, 0/0 for r1
    emp = pd.DataFrame({"c1": [100.0, 50.0], "c2": [10.0, 0.0]}, index=["r0", "r1"])
    europe = pd.DataFrame({"c1": [500.0, 400.0], "c2": [0.0, 0.0]}, index=["e0", "e1"])
    with pytest.warns(JiqunWarning, match="NaN"):
        s = cluster_stars(emp, europe_reference=europe)
    c2 = s.xs("c2", level=1)
    assert c2["lq"].isna().all()
    assert not c2["specialisation"].any()
    assert not np.isnan(s.xs("c1", level=1)["lq"].to_numpy()).any()


def test_lq_from_totals_aligns_labelled_totals() -> None:
    # per-cluster totals from different group-bys: labels align, a missing or zero total is NaN
    lead = pd.Series({"A": 10.0, "C": 3.0})
    member_total = pd.Series({"A": 100.0, "B": 0.0, "C": 0.0})
    nat_lead = pd.Series({"A": 50.0, "B": 5.0, "C": 4.0})
    out = lq_from_totals(lead, member_total, nat_lead, 1000.0)
    assert out["A"] == pytest.approx(2.0)
    assert math.isnan(out["B"]) and math.isnan(out["C"])  # 0/0 and x/0
    assert not np.isinf(out.to_numpy()).any()


def test_cluster_leading_lq_undefined_is_nan() -> None:
    from jiqun.analytics.diagnosis import diagnose

    X = pd.DataFrame(
        {"3973": [10.0, 5.0, 0.0], "2720": [0.0, 5.0, 0.0], "1311": [0.0, 0.0, 0.0]},
        index=["320200", "110100", "440300"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        d = diagnose(X, members=["320200"], leading=["3973", "1311"])
    lead = d.tables["cluster_industries"].set_index("industry_code")
    assert lead.loc["3973", "cluster_lq"] == pytest.approx((10 / 10) / (15 / 20))
    assert math.isnan(lead.loc["1311", "cluster_lq"])  # no activity anywhere: 0/0
