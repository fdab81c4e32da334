"""The protected release through the engine: with the lake current, the release's finest cells
(county × class) are aggregated on the engine (DuckDB, Spark local) and the cube is built from
them; the release equals the one built from the store's firm rows cell by cell (value to 1e-9,
contributors, firms, suppression). A lake behind the store is not read."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from jiqun.services import cache, lake
from jiqun.services.release import MEASURE_COLUMNS, build_release, finest_cells
from jiqun.store.models import ReleaseCell, table_of

pytestmark = pytest.mark.engine

KEY = ["measure", "region_code", "industry_code"]


def _cells(engine: Engine, release_id: int) -> pd.DataFrame:
    ct = table_of(ReleaseCell).c
    q = select(
        ct.measure,
        ct.region_code,
        ct.industry_code,
        ct.region_level,
        ct.industry_level,
        ct.value,
        ct.n,
        ct.n_firms,
        ct.suppressed,
        ct.suppression,
        ct.synthetic,
    ).where(ct.release_id == release_id)
    with engine.connect() as c:
        df = pd.read_sql(q, c)
    df["suppressed"] = df["suppressed"].astype(bool)
    df["synthetic"] = df["synthetic"].astype(bool)
    return df.sort_values(KEY).reset_index(drop=True)


def test_release_on_the_engine_equals_the_store_release(
    demo_engine: Engine, lake_env: str, sync_lake: Callable[[Engine], None]
) -> None:
    store_cells, synthetic, where = finest_cells(demo_engine)
    assert where == demo_engine.dialect.name and synthetic
    store = build_release(demo_engine)
    assert store["stats"]["computed_in"] == demo_engine.dialect.name
    old = _cells(demo_engine, store["id"])
    # not vacuous: every measure, primary and secondary cells, and cells of every level
    assert set(old["measure"]) == {"firms", *MEASURE_COLUMNS}
    assert {"primary", "secondary"} <= set(old["suppression"].dropna())
    assert set(old["region_level"]) == {0, 1, 2} and set(old["industry_level"]) == {0, 1, 2}

    sync_lake(demo_engine)
    lake_cells, lake_synthetic, lake_where = finest_cells(demo_engine)
    assert lake_where == lake_env and lake_synthetic == synthetic
    # the finest cells themselves: the same pairs, counts, sums, largest and smallest values
    assert lake_cells[["region_code", "industry_code"]].equals(
        store_cells[["region_code", "industry_code"]]
    )
    for m in MEASURE_COLUMNS:
        for s in ("n",):
            np.testing.assert_array_equal(lake_cells[f"{m}_{s}"], store_cells[f"{m}_{s}"])
        for s in ("sum", "max", "min"):
            np.testing.assert_allclose(
                lake_cells[f"{m}_{s}"], store_cells[f"{m}_{s}"], rtol=1e-12, atol=1e-9
            )
    np.testing.assert_array_equal(lake_cells["n_firms"], store_cells["n_firms"])

    new_rel = build_release(demo_engine)
    assert new_rel["stats"]["computed_in"] == lake_env
    assert new_rel["status"] == store["status"] == "complete"
    assert new_rel["stats"]["firms"] == store["stats"]["firms"] > 0
    new = _cells(demo_engine, new_rel["id"])
    assert new[KEY].equals(old[KEY])
    np.testing.assert_allclose(new["value"], old["value"], rtol=1e-12, atol=1e-9)
    for col in ("region_level", "industry_level", "n", "n_firms", "suppressed", "synthetic"):
        assert new[col].tolist() == old[col].tolist(), col
    assert new["suppression"].fillna("").tolist() == old["suppression"].fillna("").tolist()
    for m, st in store["stats"]["measures"].items():
        got = new_rel["stats"]["measures"][m]
        for k in ("cells", "primary", "secondary", "suppressed", "unsafe"):
            assert got[k] == st[k], (m, k)


def test_a_lake_behind_the_store_is_not_read(demo_engine: Engine, lake_env: str) -> None:
    lake.sync(demo_engine, refresh=False)
    assert finest_cells(demo_engine)[2] == lake_env
    cache.bump(demo_engine)  # a write outside the lake: the store answers until the next sync
    assert finest_cells(demo_engine)[2] == demo_engine.dialect.name
