"""Building a lake version on each engine: ids, partitions, types, stable ids across versions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jiqun.engine import lake

pytestmark = pytest.mark.engine

ENT = pd.DataFrame(
    {
        "uscc": ["B", "A", "C"],
        "name": ["乙", "甲", "丙"],
        "region_code": ["320200", "110100", "320500"],
        "industry_code": ["3911", "3911", "2611"],
        "founded": ["2001-01-02", None, "1999-05-05"],
        "employees": [10, None, 5],
        "revenue": [1.0, 2.0, None],
        "synthetic": [1, 0, 1],
    }
)
LINKS = pd.DataFrame(
    {
        "supplier_uscc": ["A", "B", "Z"],
        "buyer_uscc": ["B", "C", "A"],
        "year": [2023, 2023, 2022],
        "input_category": ["3911", "2611", "3911"],
        "value": [1.0, 2.0, 3.0],
        "synthetic": [1, 1, 1],
    }
)
STATS = pd.DataFrame(
    {
        "region_code": ["320200", "110100"],
        "industry_code": ["3911", "3911"],
        "year": [2023, 2023],
        "measure": ["output", "output"],
        "value": [5.0, 6.0],
        "unit": ["万元", "万元"],
        "synthetic": [1, 1],
    }
)


def _version(eng, frames: dict[str, pd.DataFrame], version: int, previous: int | None) -> None:
    b = lake.begin(eng.lake)
    staged = {n: lake.stage(n, [df], b)[1] for n, df in frames.items()}
    tables = lake.build(eng, b, staged, previous=previous, data_year=2023)
    lake.publish(eng.lake, b, version, tables)
    eng.version = version


def test_a_version_holds_every_table_partitioned_with_ids(analytical) -> None:
    eng = analytical
    _version(eng, {"enterprises": ENT, "supply_links": LINKS, "region_stats": STATS}, 1, None)
    assert sorted(p.name for p in (eng.lake / "v000001").iterdir()) == [
        "_manifest.json",
        "enterprises",
        "firm_ids",
        "firm_years",
        "region_stats",
        "supply_links",
    ]
    assert (eng.lake / "v000001" / "supply_links" / "year=2022" / "province=000000").is_dir()
    assert (eng.lake / "v000001" / "enterprises" / "province=320000").is_dir()

    ids = eng.to_pandas(eng.table("firm_ids").order_by("uscc"))
    # every code of the registry and of the links, numbered in code order from 0
    assert ids.to_dict("list") == {"uscc": ["A", "B", "C", "Z"], "firm_id": [0, 1, 2, 3]}

    ent = eng.to_pandas(eng.table("enterprises").order_by("uscc"))
    assert ent["firm_id"].tolist() == [0, 1, 2]
    assert ent["province"].tolist() == ["110000", "320000", "320000"]
    assert ent["synthetic"].tolist() == [False, True, True]
    assert str(ent["founded"].iloc[1]) == "2001-01-02"

    fy = eng.to_pandas(eng.table("firm_years").order_by("uscc"))
    assert fy["year"].tolist() == [2023, 2023, 2023]
    assert fy["employees"].fillna(-1).tolist() == [-1, 10, 5]

    sl = eng.to_pandas(eng.table("supply_links").order_by(["year", "supplier_uscc"]))
    assert sl[["supplier_id", "buyer_id", "year", "province"]].to_dict("list") == {
        "supplier_id": [3, 0, 1],
        "buyer_id": [0, 1, 2],
        "year": [2022, 2023, 2023],
        "province": ["000000", "110000", "320000"],  # Z is not in the registry
    }
    rs = eng.table("region_stats")
    by_year = eng.to_pandas(rs.filter(rs.year == 2023).aggregate(v=rs.value.sum()))
    assert by_year["v"].iloc[0] == 11.0


def test_ids_stay_stable_across_versions(analytical) -> None:
    eng = analytical
    _version(eng, {"enterprises": ENT, "supply_links": LINKS, "region_stats": STATS}, 1, None)
    # a new firm "AA" sorts before B but gets the next free id; the ones seen keep theirs
    more = pd.concat([ENT, ENT.iloc[[0]].assign(uscc="AA", name="新")], ignore_index=True)
    _version(eng, {"enterprises": more, "supply_links": LINKS, "region_stats": STATS}, 2, 1)
    ids = eng.to_pandas(eng.table("firm_ids").order_by("uscc"))
    assert ids.to_dict("list") == {
        "uscc": ["A", "AA", "B", "C", "Z"],
        "firm_id": [0, 4, 1, 2, 3],
    }
    assert eng.scalar(eng.table("enterprises", version=1).count()) == 3  # v1 still readable


def test_empty_tables_read_as_empty(analytical, tmp_path: Path) -> None:
    eng = analytical
    _version(
        eng, {"enterprises": ENT, "supply_links": LINKS.iloc[:0], "region_stats": STATS}, 1, None
    )
    sl = eng.table("supply_links")
    assert eng.scalar(sl.count()) == 0
    assert "supplier_id" in sl.columns


def test_firm_size_sums_per_prefecture_and_industry(analytical) -> None:
    from jiqun.engine.aggregates import firm_size_sums

    eng = analytical
    _version(eng, {"enterprises": ENT, "supply_links": LINKS, "region_stats": STATS}, 1, None)
    # 320500 has no prefecture in this map: that firm, and A (no employees), are left out
    pref = pd.Series({"320200": "320200", "110100": "110100"})
    cells, info = firm_size_sums(eng, pref, digits=2, codes=["39", "26"], size="employees")
    assert cells.to_dict("list") == {
        "region": ["320200"],
        "industry": ["39"],
        "size": [10.0],
        "size_sq": [100.0],
        "n": [1],
    }
    assert info == {"firms": 3, "left_out": 2, "synthetic": True}
