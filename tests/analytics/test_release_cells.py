"""The release cube from its finest cells (jiqun.analytics.release.firm_cells, cube_from_cells):
sums and counts add, the largest contributions are the largest of the parts; the cells the
analytical engine returns (no second largest, split rows) give the firm-row cube."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.release import (
    SUM_SCALE,
    build_cube,
    cube_from_cells,
    firm_cells,
    protect_release,
)
from jiqun.standard.problems import JiqunError

COLS = ["value", "n", "n_firms", "top1", "top2"]


def _frame(rows: list[tuple[str, str, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "industry_code", "revenue", "employees"])


#: two counties and a prefecture-level firm of one prefecture, one county of another province;
#: the prefecture's second largest revenue is a county's second (20 in 320211), its second largest
#: employment another county's largest (7 in 320213); missing values are not contributors
HAND = _frame(
    [
        ("320211", "2611", 30.0, 5.0),
        ("320211", "2611", 20.0, None),
        ("320211", "2612", None, 2.0),
        ("320213", "2611", 4.0, 7.0),
        ("320213", "2611", 1.0, 1.0),
        ("320200", "3561", 8.0, 9.0),
        ("330106", "3562", 16.0, 0.0),
    ]
)


def _cell(cube: pd.DataFrame, m: str, r: str, i: str) -> list[float]:
    hit = cube[(cube["measure"] == m) & (cube["region_code"] == r) & (cube["industry_code"] == i)]
    assert len(hit) == 1, (m, r, i)
    return [float(x) for x in hit[COLS].iloc[0]]


def test_firm_cells_by_hand() -> None:
    c = firm_cells(HAND, ["revenue", "employees"]).set_index(["region_code", "industry_code"])
    a = c.loc[("320211", "2611")]
    assert (a["n_firms"], a["revenue_sum"], a["revenue_n"]) == (2, 50.0, 2)
    assert (a["revenue_max"], a["revenue_top2"], a["revenue_min"]) == (30.0, 20.0, 20.0)
    assert (a["employees_sum"], a["employees_n"], a["employees_max"]) == (5.0, 1, 5.0)
    assert np.isnan(a["employees_top2"])
    b = c.loc[("320211", "2612")]
    assert (b["n_firms"], b["revenue_sum"], b["revenue_n"]) == (1, 0.0, 0)
    assert np.isnan(b["revenue_max"]) and np.isnan(b["revenue_min"])
    assert len(c) == 5


def test_cube_from_cells_by_hand() -> None:
    cube = build_cube(HAND, ["revenue", "employees"])
    # prefecture 320200 × class 2611: firms 30, 20 (320211) and 4, 1 (320213)
    assert _cell(cube, "revenue", "320200", "2611") == [55.0, 4, 4, 30.0, 20.0]
    # employment 5 (320211; one firm without a value), 7 and 1 (320213)
    assert _cell(cube, "employees", "320200", "2611") == [13.0, 3, 4, 7.0, 5.0]
    # the prefecture-level firm sits in the pseudo-county 320200*
    assert _cell(cube, "revenue", "320200*", "3561") == [8.0, 1, 1, 8.0, 0.0]
    assert _cell(cube, "revenue", "000000", "*") == [79.0, 6, 7, 30.0, 20.0]
    assert _cell(cube, "employees", "000000", "*") == [24.0, 6, 7, 9.0, 7.0]
    assert _cell(cube, "firms", "320000", "C") == [6.0, 6, 6, 1.0, 1.0]
    assert _cell(cube, "firms", "330106", "3562") == [1.0, 1, 1, 1.0, 0.0]
    # a cell whose only firm does not report the measure: no contributor, but a firm
    assert _cell(cube, "revenue", "320211", "2612") == [0.0, 0, 1, 0.0, 0.0]


def _engine_like(cells: pd.DataFrame, measures: list[str], seed: int) -> pd.DataFrame:
    """As the engine returns them: no second largest, in the engine's own row order."""
    cells = cells.drop(columns=[f"{m}_top2" for m in measures])
    rng = np.random.default_rng(seed)
    return cells.sample(frac=1.0, random_state=int(rng.integers(1 << 30))).reset_index(drop=True)


def _random_firms(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    regions = ["320211", "320213", "320200", "320000", "330106", "110101", "440305", "440300"]
    classes = ["2611", "2612", "2613", "3561", "3911", "1311", "391", "26"]
    f = pd.DataFrame(
        {
            "region_code": rng.choice(regions, n),
            "industry_code": rng.choice(classes, n),
            "revenue": rng.lognormal(2.0, 2.0, n),
            "employees": rng.integers(0, 500, n).astype(float),
        }
    )
    f.loc[rng.random(n) < 0.1, "revenue"] = np.nan
    f.loc[rng.random(n) < 0.3, "employees"] = np.nan
    return f


@pytest.mark.parametrize(
    "levels", [((0, 1, 2, 3), (0, 1, 2, 3, 4)), ((0, 1, 2), (0, 1, 2)), ((0, 2), (0, 4))]
)
def test_engine_cells_give_the_firm_row_cube(levels: tuple[tuple[int, ...], ...]) -> None:
    ms = ["revenue", "employees"]
    firms = _random_firms(3, 3000)
    want = build_cube(firms, ms, *levels)
    got = cube_from_cells(_engine_like(firm_cells(firms, ms), ms, 3), ms, *levels)
    assert len(got) == len(want) > 0
    key = ["measure", "region_code", "industry_code", "region_level", "industry_level"]
    assert got[key].equals(want[key])
    # exact sums (whole units of 1/SUM_SCALE): the same bits whatever the cells' order
    np.testing.assert_array_equal(got["value"], want["value"])
    np.testing.assert_array_equal(got["top1"], want["top1"])
    for col in ("n", "n_firms"):
        np.testing.assert_array_equal(got[col], want[col])
    # no second largest from the engine's cells; the firm count's is known (1 from two firms)
    firms_m = got["measure"] == "firms"
    assert got.loc[~firms_m, "top2"].isna().all()
    np.testing.assert_array_equal(got.loc[firms_m, "top2"], want.loc[firms_m, "top2"])
    if levels[0][:2] != (0, 1) or levels[1] != tuple(range(len(levels[1]))):
        return  # skipped levels: a cube protect() does not take (parents must be cells)
    # the protection does not use the second largest: the same pattern
    a = protect_release(want[want["region_level"] < 2]).cells
    b = protect_release(got[got["region_level"] < 2]).cells
    assert a["suppressed"].tolist() == b["suppressed"].tolist()
    assert a["suppression"].tolist() == b["suppression"].tolist()


def test_split_cells_add_up() -> None:
    ms = ["revenue"]
    cells = firm_cells(HAND, ms).drop(columns=["revenue_top2"])
    big = cells[cells["n_firms"] == 2].iloc[0]
    # one pair's firms in two rows (30 | 20): the same cube as one row
    halves = pd.DataFrame([big, big]).reset_index(drop=True)
    halves["n_firms"] = 1
    halves["revenue_n"] = 1
    halves["revenue_sum"] = [30.0, 20.0]
    halves["revenue_max"] = [30.0, 20.0]
    halves["revenue_min"] = [30.0, 20.0]
    split = pd.concat([cells[cells.index != big.name], halves], ignore_index=True)
    a = cube_from_cells(cells, ms)
    b = cube_from_cells(split, ms)
    pd.testing.assert_frame_equal(a, b)


def test_negative_values_are_refused_from_cells_too() -> None:
    cells = firm_cells(HAND, ["revenue"])
    cells.loc[0, "revenue_min"] = -1.0
    with pytest.raises(JiqunError, match="negative"):
        cube_from_cells(cells, ["revenue"])
    with pytest.raises(JiqunError, match="no column"):
        cube_from_cells(cells.drop(columns=["revenue_max"]), ["revenue"])


def test_no_cells_no_cube() -> None:
    cube = cube_from_cells(firm_cells(HAND.iloc[:0], ["revenue"]), ["revenue"])
    assert cube.empty and list(cube.columns[:3]) == ["measure", "region_code", "industry_code"]


def test_sums_do_not_depend_on_the_order_of_the_firms() -> None:
    # an engine adds a cell's firms in any order (threads, partitions); floating-point sums of
    # the same numbers in another order differ in the last bits, and the protection's LPs react
    # to them — so the cube's sums are exact (whole units of 1/SUM_SCALE)
    ms = ["revenue", "employees"]
    firms = _random_firms(5, 4000)
    a = build_cube(firms, ms, (0, 1, 2), (0, 1, 2))
    for seed in range(3):
        shuffled = firms.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        b = build_cube(shuffled, ms, (0, 1, 2), (0, 1, 2))
        np.testing.assert_array_equal(b["value"].to_numpy(), a["value"].to_numpy())


def test_contributions_are_rounded_to_the_sum_scale() -> None:
    f = _frame([("320211", "2611", 1.23456789, None), ("320211", "2611", 0.00004, None)])
    c = firm_cells(f, ["revenue"]).iloc[0]
    assert SUM_SCALE == 10_000
    assert c["revenue_sum"] == 1.2346 and c["revenue_n"] == 2
    # the largest and smallest contributions are the firms' own values (the dominance rule)
    assert c["revenue_max"] == 1.23456789 and c["revenue_min"] == 0.00004
