"""The protected release (jiqun.analytics.release): cube, primary rule, LP audit, protection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiqun.analytics.release import (
    audit_release,
    build_cube,
    industry_parent,
    primary_mask,
    protect,
    region_parent,
)


def _firms(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "industry_code", "revenue"])


def _revenue(cube: pd.DataFrame) -> pd.DataFrame:
    return cube[cube["measure"] == "revenue"].reset_index(drop=True)


def _cell(cells: pd.DataFrame, r: str, i: str) -> pd.Series:
    m = (cells["region_code"] == r) & (cells["industry_code"] == i)
    assert m.sum() == 1, (r, i)
    return cells[m].iloc[0]


def test_cube_sums_every_parent_over_its_children() -> None:
    f = _firms(
        [
            ("320211", "2611", 1.0),
            ("320211", "2612", 2.0),
            ("320213", "2611", 4.0),
            ("320200", "3561", 8.0),  # registered at prefecture level: pseudo-county 320200*
            ("330106", "3562", 16.0),
        ]
    )
    cube = build_cube(f, ["revenue"])
    c = _revenue(cube)
    val = {
        (r, i): v for r, i, v in zip(c["region_code"], c["industry_code"], c["value"], strict=True)
    }
    assert val[("000000", "*")] == 31.0
    assert val[("320200*", "*")] == 8.0 and val[("320200", "C")] == 15.0
    assert val[("320000", "261")] == 7.0 and val[("330000", "35")] == 16.0
    # both hierarchies: every parent = Σ children
    for r, i in val:
        for dim, parent in ((0, region_parent(r)), (1, industry_parent(i))):
            if parent is None:
                continue
            key = (parent, i) if dim == 0 else (r, parent)
            kids = [
                x
                for (rr, ii), x in val.items()
                if (dim == 0 and ii == i and region_parent(rr) == parent)
                or (dim == 1 and rr == r and industry_parent(ii) == parent)
            ]
            assert val[key] == pytest.approx(sum(kids)), (r, i, dim)
    firms_n = cube[cube["measure"] == "firms"]
    assert _cell(firms_n, "000000", "*")["value"] == 5.0


def test_primary_rule() -> None:
    cells = pd.DataFrame(
        {
            "measure": ["revenue"] * 4 + ["firms"] * 2,
            "value": [10.0, 10.0, 10.0, 0.0, 2.0, 1.0],
            "n": [2, 5, 5, 1, 2, 1],
            "top1": [6.0, 9.0, 8.0, 0.0, 1.0, 1.0],
        }
    )
    # two firms; one above 85%; ordinary; zero value (published); counts: threshold only
    assert primary_mask(cells).tolist() == [True, True, False, False, True, True]


def _rectangle() -> pd.DataFrame:
    """Two counties × two classes of one prefecture and one group; (320211, 2611) is one firm."""
    rows = [("320211", "2611", 7.0)]
    rows += [("320211", "2612", v) for v in (10.0, 11.0, 12.0)]
    rows += [("320213", "2611", v) for v in (5.0, 6.0, 8.0)]
    rows += [("320213", "2612", v) for v in (20.0, 21.0, 22.0)]
    return _revenue(build_cube(_firms(rows), ["revenue"]))


def test_lp_bounds_of_a_suppressed_rectangle() -> None:
    """The attacker's LP interval of a 2×2 rectangle is [max(0, C1 − R2), min(R1, C1)]."""
    c = _rectangle()
    interior = c["region_code"].isin(["320211", "320213"]) & c["industry_code"].isin(
        ["2611", "2612"]
    )
    pat = c.assign(suppressed=interior.to_numpy())
    a = audit_release(pat).set_index(["region_code", "industry_code"])
    r1, r2 = 7.0 + 33.0, 19.0 + 63.0  # county totals
    c1 = 7.0 + 19.0  # class 2611
    assert a.loc[("320211", "2611"), "lo"] == pytest.approx(max(0.0, c1 - r2))  # non-negativity
    assert a.loc[("320211", "2611"), "hi"] == pytest.approx(min(r1, c1))
    assert a.loc[("320211", "2611"), "safe"]
    # the large diagonal cell: d ∈ [R2 − C1, …] = [56, …], above 0.85 × 63: not protected
    assert a.loc[("320213", "2612"), "lo"] == pytest.approx(r2 - c1)
    assert not a.loc[("320213", "2612"), "safe"]
    # a cell alone in its equations is disclosed exactly
    one = c.assign(
        suppressed=((c["region_code"] == "320211") & (c["industry_code"] == "2611")).to_numpy()
    )
    b = audit_release(one).iloc[0]
    assert b["lo"] == pytest.approx(7.0) and b["hi"] == pytest.approx(7.0) and not b["safe"]


def test_diagonal_bound_binds_and_protection_repairs_it() -> None:
    """A rectangle whose other diagonal is small: the hidden cell's interval is too narrow."""
    rows = [("320211", "2611", 100.0)]
    rows += [("320211", "2612", v) for v in (0.5, 0.5, 0.5)]
    rows += [("320213", "2611", v) for v in (0.4, 0.5, 0.6)]
    rows += [("320213", "2612", v) for v in (50.0, 51.0, 52.0)]
    c = _revenue(build_cube(_firms(rows), ["revenue"]))
    interior = c["region_code"].isin(["320211", "320213"]) & c["industry_code"].isin(
        ["2611", "2612"]
    )
    a = audit_release(c.assign(suppressed=interior.to_numpy())).set_index(
        ["region_code", "industry_code"]
    )
    # x ≤ row total 101.5 < 115: the rectangle alone does not protect 100 by 15%
    assert a.loc[("320211", "2611"), "hi"] == pytest.approx(101.5)
    assert not a.loc[("320211", "2611"), "safe"]
    r = protect(c)
    assert r.stats["unsafe"] == 0
    audit = audit_release(r.cells)
    assert audit["safe"].all() and len(audit) >= 4


def test_issue_example_group_minus_classes() -> None:
    """Group 356 with classes 3561, 3563, 3569 (3 firms each) and 3562 (one firm): the class
    cell is primary and the group cannot stay published with all other classes."""
    rows = [("320211", "3562", 77.0)]
    for cls, base in (("3561", 10.0), ("3563", 20.0), ("3569", 30.0)):
        rows += [("320211", cls, base + k) for k in range(3)]
    rows += [("320213", cls, 40.0 + k) for cls in ("3561", "3563") for k in range(3)]
    r = protect(_revenue(build_cube(_firms(rows), ["revenue"])))
    cells = r.cells
    fam = cells[(cells["region_code"] == "320211") & cells["industry_code"].str.startswith("356")]
    hidden = fam.set_index("industry_code")["suppressed"]
    assert hidden["3562"]
    # never exactly one hidden member in the equation 356 = Σ classes
    assert int(hidden[["356", "3561", "3562", "3563", "3569"]].sum()) >= 2
    assert r.stats["unsafe"] == 0
    assert audit_release(cells)["safe"].all()


regions = st.sampled_from(["320211", "320213", "320282", "320500", "330106", "330110"])
classes = st.sampled_from(["2611", "2612", "2619", "2710", "3561", "3562"])
revenues = st.floats(min_value=0.5, max_value=1000.0, allow_nan=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(regions, classes, revenues), min_size=3, max_size=40))
def test_property_protected_cubes_are_safe(rows: list[tuple[str, str, float]]) -> None:
    cube = build_cube(_firms(rows), ["revenue"])
    for m in ("revenue", "firms"):
        c = cube[cube["measure"] == m]
        r = protect(c)
        assert r.stats["unsafe"] == 0
        prim = primary_mask(r.cells)
        assert r.cells.loc[prim, "suppressed"].all()
        audit = audit_release(r.cells)
        assert audit["safe"].all(), audit[~audit["safe"]]
        # the LP bounds contain the true values
        assert (audit["lo"] <= audit["value"] * (1 + 1e-9) + 1e-9).all()
        assert (audit["hi"] >= audit["value"] * (1 - 1e-9) - 1e-9).all()
        assert np.isfinite(audit["lo"]).all()
