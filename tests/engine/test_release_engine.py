"""The protected release through the engine: with the lake current, the release's finest cells
(county × class) are aggregated on the engine (DuckDB, Spark local) and the cube is built from
them; the release equals the one built from the store's firm rows cell by cell (value to 1e-9,
contributors, firms, suppression). A lake behind the store is not read (one test: the lake's
sync is the slow part on Spark local)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import Engine, select

from jiqun.analytics.release import SUM_SCALE, firm_cells
from jiqun.engine.aggregates import cell_aggregates
from jiqun.services import cache
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


def test_release_on_the_engine_equals_the_store_release_and_a_stale_lake_is_not_read(
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
        np.testing.assert_array_equal(lake_cells[f"{m}_n"], store_cells[f"{m}_n"])
        # exact sums (whole units of SUM_SCALE), the largest and smallest values: the same bits
        for s in ("sum", "max", "min"):
            np.testing.assert_array_equal(lake_cells[f"{m}_{s}"], store_cells[f"{m}_{s}"])
    np.testing.assert_array_equal(lake_cells["n_firms"], store_cells["n_firms"])

    new_rel = build_release(demo_engine)
    assert new_rel["stats"]["computed_in"] == lake_env
    assert new_rel["status"] == store["status"] == "complete"
    assert new_rel["stats"]["firms"] == store["stats"]["firms"] > 0
    new = _cells(demo_engine, new_rel["id"])
    assert new[KEY].equals(old[KEY])
    np.testing.assert_array_equal(new["value"], old["value"])
    for col in ("region_level", "industry_level", "n", "n_firms", "suppressed", "synthetic"):
        assert new[col].tolist() == old[col].tolist(), col
    assert new["suppression"].fillna("").tolist() == old["suppression"].fillna("").tolist()
    for m, st in store["stats"]["measures"].items():
        got = new_rel["stats"]["measures"][m]
        for k in ("cells", "primary", "secondary", "suppressed", "unsafe"):
            assert got[k] == st[k], (m, k)

    # a lake behind the store (a write outside the lake) is not read until the next sync
    cache.bump(demo_engine)
    assert finest_cells(demo_engine)[2] == demo_engine.dialect.name


def test_exact_sums_on_the_engine_equal_the_firm_rows(analytical: object) -> None:
    from jiqun.engine import Engine

    assert isinstance(analytical, Engine)
    rng = np.random.default_rng(11)
    n = 20_000
    firms = pd.DataFrame(
        {
            "region_code": rng.choice(["320211", "320213", "330106", "32"], n),
            "industry_code": rng.choice(["2611", "2612", "391"], n),
            # many decimals, values exactly half a unit, huge and tiny values
            "revenue": np.r_[rng.lognormal(3.0, 3.0, n - 4), 0.00005, 1.00015, 3e9, 1e-9],
        }
    )
    firms.loc[rng.random(n) < 0.1, "revenue"] = np.nan
    want = firm_cells(firms, ["revenue"])
    t = analytical.from_arrow(pa.Table.from_pandas(firms, preserve_index=False))
    got = cell_aggregates(
        analytical,
        t,
        ["region_code", "industry_code"],
        sums=["revenue"],
        counts=["revenue"],
        maxes=["revenue"],
        mins=["revenue"],
        count="n_firms",
        scale=SUM_SCALE,
    )
    assert got[["region_code", "industry_code"]].equals(want[["region_code", "industry_code"]])
    for col in ("revenue_sum", "revenue_max", "revenue_min", "revenue_n", "n_firms"):
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)
    # without the scale: floating-point sums of the unrounded values (within half a unit a firm)
    plain = cell_aggregates(analytical, t, ["region_code", "industry_code"], sums=["revenue"])
    gap = np.abs(plain["revenue_sum"] - want["revenue_sum"]).to_numpy()
    assert (gap <= want["revenue_n"].to_numpy() * 0.5 / SUM_SCALE + 1e-6).all()
    assert (gap > 0).any()
