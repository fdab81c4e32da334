"""Cascades on the engine (jiqun.engine.cascade) equal the in-memory CSR kernels to 1e-6 on a
10⁴-firm synthetic network (jiqun.demo.scale.ScaleModel), on DuckDB and on Spark local."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jiqun.demo.scale import ScaleModel
from jiqun.engine.cascade import gl_cascade, threshold_cascade
from jiqun.resilience import default_essentiality
from jiqun.resilience.esri import cascade
from jiqun.resilience.network import build_network
from jiqun.resilience.network import threshold_cascade as memory_threshold

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def network() -> tuple[pd.DataFrame, pd.DataFrame]:
    """10⁴ firms, ~10⁵ links, seeded."""
    m = ScaleModel(seed=13, n_firms=10_000, n_links=100_000)
    f, lk = m.firms(), m.links()
    firms = pd.DataFrame(
        {
            "id": f.firm_id.astype("int64"),
            "industry": m.industry_code[f.industry].astype(str),
            "province": m.province_code[f.province].astype(str),
        }
    )
    links = pd.DataFrame(
        {
            "supplier": lk.supplier.astype("int64"),
            "buyer": lk.buyer.astype("int64"),
            "value": lk.value.astype("float64"),
        }
    )
    return firms, links


def _lockdown(firms: pd.DataFrame) -> pd.DataFrame:
    top = firms["province"].value_counts().index[0]
    return firms.loc[firms["province"] == top, ["id"]]


def test_threshold_lockdown_equals_memory(analytical, network) -> None:
    firms, links = network
    locked = _lockdown(firms)
    mem = memory_threshold(build_network(links, firms), locked["id"].tolist(), theta=0.5)
    assert mem.rounds >= 3 and mem.n_failed > len(locked)  # a cascade, not only the seeds

    eng = analytical
    run = threshold_cascade(
        eng,
        eng.from_arrow(links),
        eng.from_arrow(locked),  # the seeds stay a table of the engine
        theta=0.5,
        firms=eng.from_arrow(firms[["id"]]),
        seed_column="id",
    )
    got = eng.to_pandas(run.firms).set_index("firm").sort_index()
    want = mem.firms
    assert got.index.tolist() == want.index.tolist()
    assert run.rounds == mem.rounds
    assert run.n_failed == mem.n_failed
    np.testing.assert_array_equal(got["failed"].to_numpy(), want["failed"].to_numpy())
    np.testing.assert_array_equal(got["round"].to_numpy(), want["round"].to_numpy())
    np.testing.assert_allclose(
        got["input_lost_share"].to_numpy(), want["input_lost_share"].to_numpy(), atol=1e-6
    )
    assert run.failed_value_share == pytest.approx(mem.failed_value_share, abs=1e-6)


def test_gl_propagation_equals_memory(analytical, network) -> None:
    firms, links = network
    rng = np.random.default_rng(7)
    hit = rng.choice(firms["id"].to_numpy(), 40, replace=False)
    psi = pd.Series(rng.uniform(0.3, 1.0, hit.size), index=hit)
    E = default_essentiality(firms["industry"].unique())
    mem = cascade(firms, links, E, psi)
    assert mem.attrs["iterations"] > 3

    eng = analytical
    run = gl_cascade(eng, eng.from_arrow(firms), eng.from_arrow(links), E, psi, id_column="id")
    got = eng.to_pandas(run.firms).set_index("firm").sort_index()
    assert got.index.tolist() == mem.index.tolist()
    assert run.iterations == mem.attrs["iterations"]
    for col in ("h_down", "h_up", "h"):
        np.testing.assert_allclose(got[col].to_numpy(), mem[col].to_numpy(), atol=1e-6)
    assert run.esri == pytest.approx(mem.attrs["esri"], abs=1e-6)
    assert run.esri_down == pytest.approx(mem.attrs["esri_down"], abs=1e-6)
    assert run.esri_up == pytest.approx(mem.attrs["esri_up"], abs=1e-6)


# the small cases run on DuckDB only: they test the rounds, not the backend


def test_rounds_do_not_depend_on_the_materialisation_cadence() -> None:
    from jiqun.engine import connect

    eng = connect("duckdb", database=":memory:", lake="/nonexistent")
    # a chain 0 → 1 → … → 9 (each firm's only supplier) with duplicate rows and a self-link
    links = pa.table(
        {
            "supplier": [*range(9), 0, 5],
            "buyer": [*range(1, 10), 1, 5],
            "value": [1.0] * 9 + [2.0, 7.0],
        }
    )
    runs = [threshold_cascade(eng, eng.from_arrow(links), [0], 0.5, every=k) for k in (1, 3, 20)]
    assert [r.rounds for r in runs] == [9, 9, 9]
    assert [r.materialised for r in runs] == [10, 4, 1]
    frames = [eng.to_pandas(r.firms).sort_values("firm") for r in runs]
    assert frames[0]["round"].tolist() == list(range(10))
    for f in frames[1:]:
        pd.testing.assert_frame_equal(f.reset_index(drop=True), frames[0].reset_index(drop=True))
    capped = threshold_cascade(eng, eng.from_arrow(links), [0], 0.5, every=2, max_rounds=3)
    assert capped.rounds == 3 and capped.n_failed == 4


def test_gl_small_network_by_hand() -> None:
    from jiqun.engine import connect

    eng = connect("duckdb", database=":memory:", lake="/nonexistent")
    firms = pd.DataFrame({"id": [0, 1, 2], "industry": ["x", "x", "y"]})
    links = pd.DataFrame({"supplier": [0, 1], "buyer": [2, 2], "value": [30.0, 70.0]})
    E = pd.DataFrame(1, index=["x", "y"], columns=["x", "y"])
    run = gl_cascade(eng, eng.from_arrow(firms), eng.from_arrow(links), E, {0: 1.0}, id_column="id")
    got = eng.to_pandas(run.firms).sort_values("firm")
    # firm 2 loses the 30 % it bought from 0 (a non-essential input: linear loss)
    assert got["h_down"].tolist() == pytest.approx([0.0, 1.0, 0.7])
    mem = cascade(firms, links, E, {0: 1.0})
    assert got["h_up"].tolist() == pytest.approx(mem["h_up"].tolist())
    assert run.esri == pytest.approx(mem.attrs["esri"])
