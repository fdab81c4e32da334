"""The national-scale generator: determinism, shapes, heavy tails, links and chunking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from jiqun.demo.sampling import GroupedSampler
from jiqun.demo.scale import (
    FirmChunk,
    LinkChunk,
    ScaleModel,
    _FastSampler,
    csr_by_supplier,
    write_parquet,
)
from jiqun.demo.tables import DEFAULT_INPUTS, INPUT_RULES

N, M, BLOCK = 6_000, 30_000, 1_000


@pytest.fixture(scope="module")
def model() -> ScaleModel:
    return ScaleModel(seed=11, n_firms=N, n_links=M, block=BLOCK)


@pytest.fixture(scope="module")
def firms(model: ScaleModel) -> FirmChunk:
    return model.firms()


@pytest.fixture(scope="module")
def links(model: ScaleModel) -> LinkChunk:
    return model.links()


def _equal(a: object, b: object) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in vars(a))


def test_same_seed_same_output_other_seed_differs(firms: FirmChunk, links: LinkChunk) -> None:
    again = ScaleModel(seed=11, n_firms=N, n_links=M, block=BLOCK)
    assert _equal(again.firms(), firms)
    assert _equal(again.links(), links)
    other = ScaleModel(seed=12, n_firms=N, n_links=M, block=BLOCK)
    assert not np.array_equal(other.firms().revenue, firms.revenue)


def test_shapes_and_dtypes(model: ScaleModel, firms: FirmChunk, links: LinkChunk) -> None:
    assert len(firms) == N
    assert np.array_equal(firms.firm_id, np.arange(N, dtype=np.int32))
    assert firms.firm_id.dtype == np.int32 and firms.employees.dtype == np.int32
    assert links.supplier.dtype == np.int32 and links.buyer.dtype == np.int32
    assert links.value.dtype == np.float32
    # codes index the reference tables; the county lies in the firm's prefecture and province
    assert firms.county.max() < len(model.county_code) and firms.county.min() >= 0
    assert np.array_equal(model.county_prefecture[firms.county], firms.prefecture)
    assert np.array_equal(model.prefecture_province[firms.prefecture], firms.province)
    assert (firms.employees >= 1).all() and (firms.revenue > 0).all()
    assert (firms.rd_expense <= firms.revenue).all()
    fy = model.firm_years(firms, (2021, 2023))
    alive = sum(int((firms.founded <= y).sum()) for y in (2021, 2022, 2023))
    assert all(len(v) == alive for v in fy.values())
    last = fy["year"] == 2023
    assert np.array_equal(fy["revenue"][last], firms.revenue)


def test_sizes_are_heavy_tailed(firms: FirmChunk) -> None:
    rev = np.sort(firms.revenue)[::-1]
    top1 = rev[: N // 100].sum() / rev.sum()
    # a lognormal with the demo's σ ≈ 1.5 gives ≈ 0.2; the Pareto factor makes it far heavier
    assert top1 > 0.3
    assert firms.employees.max() > 500 * np.median(firms.employees)


def test_firms_concentrate_in_regions(model: ScaleModel, firms: FirmChunk) -> None:
    per_pref = np.sort(np.bincount(firms.prefecture, minlength=len(model.prefecture_code)))[::-1]
    top10 = per_pref[: len(per_pref) // 10].sum() / N
    # an even spread would give 0.1 (0.39 with the demo 1.1 population-based geography)
    assert top10 > 0.3


def test_links_valid_no_self_no_duplicates(firms: FirmChunk, links: LinkChunk) -> None:
    assert (links.supplier != links.buyer).all()
    assert links.supplier.min() >= 0 and links.supplier.max() < N
    assert links.buyer.min() >= 0 and links.buyer.max() < N
    key = links.buyer.astype(np.int64) * N + links.supplier
    assert (np.diff(key) > 0).all()  # sorted by (buyer, supplier), hence unique
    assert 0.9 * M < len(links) <= M * 1.05
    assert (links.value > 0).all()
    assert (links.value <= 0.8 * firms.revenue[links.supplier] * (1 + 1e-6) + 0.01).all()


def test_links_follow_input_rules_and_distance(
    model: ScaleModel, firms: FirmChunk, links: LinkChunk
) -> None:
    div = model.divisions[model.industry_division[firms.industry]]
    for bd, sd in set(zip(div[links.buyer], div[links.supplier], strict=True)):
        allowed = {s for s, _ in INPUT_RULES.get(bd, DEFAULT_INPUTS)}
        assert sd in allowed, (bd, sd)
    same_pref = (firms.prefecture[links.supplier] == firms.prefecture[links.buyer]).mean()
    # distance decay; a draw ignoring distance gives ≈ 0.05 (0.21 with the demo 1.1 geography)
    assert same_pref > 0.15


def test_chunked_equals_one_shot(model: ScaleModel, firms: FirmChunk, links: LinkChunk) -> None:
    chunk = 1_700  # cuts blocks of 1,000 in the middle
    parts = list(model.iter_firms(chunk))
    assert len(parts) == 4
    assert _equal(FirmChunk.concat(parts), firms)
    assert _equal(LinkChunk.concat(list(model.iter_links(chunk))), links)
    fy_parts = [model.firm_years(p, (2022, 2023)) for p in parts]
    fy = model.firm_years(firms, (2022, 2023))
    # chunks order rows by (chunk, year, firm) and the one-shot by (year, firm): same row set
    joined = {k: np.concatenate([p[k] for p in fy_parts]) for k in fy}
    o1 = np.lexsort((joined["firm_id"], joined["year"]))
    o2 = np.lexsort((fy["firm_id"], fy["year"]))
    assert all(np.array_equal(joined[k][o1], fy[k][o2]) for k in fy)


@pytest.mark.parametrize("lowest", [0, -5, 1 << 25])
def test_fast_sampler_draws_what_grouped_sampler_draws(lowest: int) -> None:
    # both paths of the group look-up (table for small non-negative keys, search otherwise),
    # empty groups (all weights 0), absent and out-of-range queries, ties in the targets
    rng = np.random.default_rng(5)
    groups = lowest + rng.integers(0, 300, 20_000) * 3
    weights = rng.pareto(1.2, 20_000) * (rng.random(20_000) < 0.9)
    weights[groups == lowest + 3] = 0.0
    query = lowest + rng.integers(-10, 920, 50_000)
    slow = GroupedSampler(groups, weights)
    fast = _FastSampler(groups, weights)
    assert (fast._table is not None) == (lowest == 0)
    a = slow.sample(np.random.default_rng(9), query)
    b = fast.sample(np.random.default_rng(9), query)
    assert b.dtype == np.int64
    assert np.array_equal(a, b)
    assert (b == -1).any() and (b >= 0).any()
    assert np.array_equal(fast.sample(np.random.default_rng(1), query[:0]), np.zeros(0))


def test_csr_by_supplier_equals_scipy(model: ScaleModel, links: LinkChunk) -> None:
    chunks = list(model.iter_links(1_300))
    indptr, indices, data = csr_by_supplier(chunks, N)
    ref = sp.coo_matrix((links.value, (links.supplier, links.buyer)), shape=(N, N)).tocsr()
    ref.sort_indices()
    assert indices.dtype == np.int32 and data.dtype == np.float32
    assert np.array_equal(indptr, ref.indptr)
    assert np.array_equal(indices, ref.indices)
    assert np.array_equal(data, ref.data)


def test_csr_by_supplier_refuses_a_one_shot_iterator(model: ScaleModel) -> None:
    # a generator is empty on the second pass, which would leave the arrays unfilled
    with pytest.raises(ValueError, match="iterable twice"):
        csr_by_supplier(model.iter_links(2_000), N)


def test_write_parquet_round_trip(
    tmp_path: Path, model: ScaleModel, firms: FirmChunk, links: LinkChunk
) -> None:
    import pyarrow.parquet as pq

    paths = write_parquet(model, tmp_path, years=(2022, 2023), chunk=2_500)
    ft = pq.read_table(paths["firms"])
    assert ft.num_rows == N and pq.ParquetFile(paths["firms"]).num_row_groups == 3
    assert ft["region_code"].to_pylist() == model.county_code[firms.county].tolist()
    assert np.array_equal(ft["revenue"].to_numpy(), firms.revenue)
    lt = pq.read_table(paths["links"])
    assert np.array_equal(lt["supplier"].to_numpy(), links.supplier)
    assert np.array_equal(lt["value"].to_numpy(), links.value)
    yt = pq.read_table(paths["firm_years"])
    assert yt.num_rows == int((firms.founded <= 2022).sum() + N)
