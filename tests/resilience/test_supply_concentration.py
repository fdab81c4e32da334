"""Supplier HHI, single sourcing, geographic concentration and the foreign-region rules,
hand-solved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience import (
    geographic_concentration,
    is_foreign,
    region_at_level,
    single_sourced_share,
    supplier_concentration,
)
from jiqun.standard.problems import JiqunError

LINKS = pd.DataFrame(
    {
        "supplier": ["A", "B", "C", "A", "D", "E", "E"],
        "buyer": ["X", "X", "X", "Y", "Y", "Z", "Z"],
        "input_category": ["3973", "3973", "3973", "3973", "2651", "3841", "3841"],
        "value": [50.0, 30.0, 20.0, 10.0, 40.0, 5.0, 15.0],
    }
)


def test_supplier_hhi_and_effective_number() -> None:
    t = supplier_concentration(LINKS).set_index(["buyer", "category"])
    x = t.loc[("X", "3973")]
    # shares 0.5, 0.3, 0.2 → HHI 0.25 + 0.09 + 0.04 = 0.38
    assert x.hhi == pytest.approx(0.38) and x.effective_suppliers == pytest.approx(1 / 0.38)
    assert x.n_suppliers == 3 and x.top_supplier == "A" and x.top_share == pytest.approx(0.5)
    # the two E rows are one supplier: single-sourced, HHI 1
    z = t.loc[("Z", "3841")]
    assert z.n_suppliers == 1 and z.hhi == 1.0 and z.value == 20.0 and bool(z.single_sourced)
    assert (t["basis"] == "value").all()


def test_supplier_hhi_count_basis_and_pooled() -> None:
    t = supplier_concentration(LINKS.drop(columns="value")).set_index(["buyer", "category"])
    assert t.at[("X", "3973"), "hhi"] == pytest.approx(1 / 3)
    assert (t["basis"] == "count").all()
    pooled = supplier_concentration(LINKS, category=None).set_index("buyer")
    assert pooled.at["Y", "hhi"] == pytest.approx(0.2**2 + 0.8**2)
    assert "category" not in pooled.columns


def test_supplier_hhi_zero_total_warns() -> None:
    lk = LINKS.assign(value=np.where(LINKS["buyer"] == "Z", 0.0, LINKS["value"]))
    with pytest.warns(JiqunWarning, match="total value 0"):
        t = supplier_concentration(lk)
    assert "Z" not in set(t["buyer"])
    with pytest.raises(JiqunError, match="lacks column"):
        supplier_concentration(LINKS.drop(columns="input_category"))


def test_single_sourced_share_count_and_value() -> None:
    s = single_sourced_share(LINKS)
    # pairs: (X,3973) 3 suppliers, (Y,3973) 1, (Y,2651) 1, (Z,3841) 1 → 3 of 4 single-sourced
    assert s["pairs"] == 4 and s["single_sourced_pairs"] == 3
    assert s["count_share"] == pytest.approx(0.75)
    assert s["value"] == pytest.approx(170.0)
    assert s["value_share"] == pytest.approx((10 + 40 + 20) / 170)
    c = single_sourced_share(LINKS.drop(columns="value"))
    assert c["count_share"] == pytest.approx(0.75) and np.isnan(c["value_share"])


def test_is_foreign_and_levels() -> None:
    r = pd.Series(["440305", "US", None, "999999", "810000", "JPN", "11000"])
    assert is_foreign(r).tolist() == [False, True, False, True, False, True, True]
    flag = pd.Series([True, None, None, None, None, False, None])
    assert is_foreign(r, flag).tolist() == [True, True, False, True, False, False, True]
    assert region_at_level(pd.Series(["440305", "JP", None]), "prefecture").tolist()[:2] == [
        "440300",
        "JP",
    ]
    with pytest.raises(JiqunError, match="level"):
        region_at_level(r, "district")  # type: ignore[arg-type]


def test_geographic_concentration_and_dependency_screen() -> None:
    firms = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E"],
            "region": ["440300", "440106", "JP", "KR", "310115"],
        }
    )
    lk = pd.DataFrame(
        {
            "supplier": ["A", "B", "C", "D", "E", "A"],
            "buyer": ["X"] * 5 + ["Y"],
            "input_category": ["3973", "3973", "3973", "3973", "2651", "2651"],
            "value": [10.0, 10.0, 60.0, 20.0, 30.0, 10.0],
        }
    )
    g = geographic_concentration(lk, firms).set_index("segment")
    ic = g.loc["3973"]
    # province level: 440000 → 20, JP 60, KR 20 of 100
    assert ic.n_regions == 3 and ic.hhi == pytest.approx(0.2**2 + 0.6**2 + 0.2**2)
    assert ic.top_region == "JP" and ic.top_share == pytest.approx(0.6)
    assert ic.foreign_share == pytest.approx(0.8)
    assert ic.import_hhi == pytest.approx(0.75**2 + 0.25**2)  # over foreign sources only
    assert bool(ic.dependency)  # import HHI 0.625 > 0.4 and foreign share 0.8 > 0.5
    pcb = g.loc["2651"]
    assert pcb.foreign_share == 0.0 and np.isnan(pcb.import_hhi) and not pcb.dependency
    # county level separates the two Guangdong suppliers
    g2 = geographic_concentration(lk, firms, level="county").set_index("segment")
    assert g2.at["3973", "n_regions"] == 4
    # a foreign flag overrides the code; an unknown supplier region warns
    f2 = firms.assign(foreign=[False, True, None, None, None])
    assert geographic_concentration(lk, f2).set_index("segment").at[
        "3973", "foreign_share"
    ] == pytest.approx(0.9)
    with pytest.warns(JiqunWarning, match="unknown"):
        geographic_concentration(lk, firms[firms["id"] != "E"])
