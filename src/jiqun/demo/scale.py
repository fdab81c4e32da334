"""National-scale synthetic firms and supply links, generated block by block (模拟数据).

:func:`generate_demo` builds a complete, rich data set (names, credit codes, clusters, carriers)
and holds it in pandas; that is right up to a few hundred thousand firms. This module makes the
*bulk* shape of the same data — the firm-level table, the firm-year facts and the supply links —
for 10⁷ firms and 10⁸ links or more, in fixed-size blocks of firms, each with its own random
stream, so that any range of firms or buyers is generated alone and a chunked run equals the
one-shot run exactly. Firms are int32 ids ``0 … n−1``; codes stay as small integer indices into
the shipped reference tables until a caller asks for strings.

Model (every choice is a simplification of the demo generator, ``src/jiqun/demo/generator.py``)
---------------------------------------------------------------------------------------------
* **Places**: the 342 prefecture-level and 2,978 county-level units of GB/T 2260 (2023,
  ``reference/data/admin_divisions_cn_2023.csv``) with the demo's synthetic economic weights
  (:func:`jiqun.demo.structure.build_geo`: province group, municipality, capital, manufacturing hub,
  45-cluster member city, counties^0.5, lognormal noise). A manufacturing firm's prefecture is
  drawn ∝ weight, a service firm's ∝ weight^1.3 (services concentrate in big cities); the county
  inside the prefecture ∝ the demo's county weight.
* **Industries**: the 1,382 four-digit GB/T 4754-2017 classes (``reference/data/gbt4754_2017_codes
  .csv``); 12 % service firms (the demo's share), the rest manufacturing. Class weights are the
  demo's division shares × lognormal(0, 0.9) within the division; manufacturing classes carry a
  province × division (σ 0.6) and prefecture × division (σ 0.5) specialisation factor so that
  location quotients vary.
* **Sizes** (heavy-tailed): employees = lognormal body (σ 1.2, the demo's division offsets) ×
  a Pareto(α = 1.3) factor — the product has a power-law upper tail of index α (Reed & Jorgensen
  2004, double Pareto-lognormal) — scaled to a median of about 20–25 (the demo: 20) and capped
  at 500,000; the top 1 % of firms hold about half of all revenue. Revenue
  (万元) = employees × division productivity × (employees/100)^0.08 × lognormal(0, 0.5);
  R&D = revenue × (0 w.p. 0.4, else Beta(1.2, 60)); founded 1985–2023 with entries growing 7 % a
  year; a firm growth rate N(0.06, 0.10) back-casts earlier years (firms founded later are absent).
* **Links** (input–output logic): buyer ``i`` has 1 + Poisson(λᵢ) purchases, λᵢ ∝ employees^0.45,
  scaled so that the expected number of purchases is ``n_links``. Each purchase draws the supplier
  *division* from the demo's rule table (:data:`jiqun.demo.tables.INPUT_RULES`, buyer division →
  supplier divisions with weights), then the supplier *prefecture* by gravity: ∝ (Σ revenue^0.7 of
  that division's firms there) × (1 + d / 10 km)^−1.5, d the great-circle distance of the
  prefecture centres (8 km inside one prefecture; a power law keeps long-distance trade, an
  exponential decay made links either too local or too spread out), then the supplier firm in that (division, prefecture) ∝
  revenue^0.7. Self-links and duplicate (supplier, buyer) pairs are redrawn (up to three more
  rounds), so a run has about as many links as asked for (a little fewer in small populations,
  where a buyer's market may lack enough distinct suppliers). Value (万元, float32) = buyer revenue × U(0.25, 0.55) ×
  a Gamma(0.8) share of the buyer's purchases, at most 0.8 × the supplier's revenue.

Determinism
-----------
Block ``b`` of firms uses ``PCG64(SeedSequence(seed, spawn_key=(1, b)))`` and its buyers' links
``(2, b)``; the fixed structure (weights, specialisation) uses ``(0,)``. Outputs depend on
``seed``, ``n_firms``, ``n_links`` and ``block`` — never on how a caller chunks them.

References
----------
``src/jiqun/demo/generator.py`` (the demo model this simplifies); ``src/jiqun/demo/sampling.py``
(:class:`GroupedSampler`); W. J. Reed and M. Jorgensen (2004), "The double Pareto-lognormal
distribution", *Communications in Statistics — Theory and Methods* 33(8); R. L. Axtell (2001),
"Zipf distribution of U.S. firm sizes", *Science* 293.

Example
-------
>>> from jiqun.demo.scale import ScaleModel
>>> m = ScaleModel(seed=7, n_firms=3_000, n_links=12_000, block=1_000)
>>> f = m.firms(0, 3_000)
>>> links = m.links(0, 3_000)
>>> int(f.employees.min()) >= 1, bool((links.supplier != links.buyer).all())
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from jiqun.demo.firms import class_weights
from jiqun.demo.inputs import load_reference
from jiqun.demo.sampling import GroupedSampler
from jiqun.demo.structure import build_classes, build_geo, split_codes
from jiqun.demo.tables import (
    DEFAULT_INPUTS,
    INPUT_RULES,
    MFG_DIVISION_SHARE,
    PRODUCTIVITY,
    SERVICE_DIVISION_SHARE,
    SIZE_OFFSET,
    SIZES,
)

#: Firms per random block: the unit of determinism (a chunk may cut a block; it is regenerated).
DEFAULT_BLOCK = 1 << 16
#: Upper-tail index of the Pareto factor of employees.
PARETO_ALPHA = 1.3
#: Largest employee count (the biggest Chinese employers are of this order).
MAX_EMPLOYEES = 500_000
#: Distance scale d₀ (km) and power γ of the gravity decay (1 + d/d₀)^−γ of supplier prefectures;
#: with these about 46 % of links stay in the buyer's prefecture and 62 % in its province (the demo
#: generator: 42 % and 64 %).
DISTANCE_KM = 10.0
DECAY_POWER = 1.5
#: Distance assumed between two firms of one prefecture (km).
LOCAL_KM = 8.0
#: Last year of the firm values; firm-year facts back-cast from it.
LAST_YEAR = 2023


@dataclass
class FirmChunk:
    """Firms ``firm_id[0] …`` of a :class:`ScaleModel` as NumPy arrays (one row per firm).

    ``county``, ``prefecture``, ``province`` and ``industry`` are indices into
    :attr:`ScaleModel.county_code`, :attr:`ScaleModel.prefecture_code`,
    :attr:`ScaleModel.province_code` and :attr:`ScaleModel.industry_code`.
    """

    firm_id: np.ndarray  # int32
    county: np.ndarray  # int16
    prefecture: np.ndarray  # int16
    province: np.ndarray  # int8
    industry: np.ndarray  # int16
    employees: np.ndarray  # int32
    revenue: np.ndarray  # float64, 万元
    rd_expense: np.ndarray  # float64, 万元
    founded: np.ndarray  # int16, year
    growth: np.ndarray  # float32, yearly log growth used to back-cast

    def __len__(self) -> int:
        return len(self.firm_id)

    def take(self, sl: slice | np.ndarray) -> FirmChunk:
        """The rows ``sl`` of every column."""
        return FirmChunk(**{f.name: getattr(self, f.name)[sl] for f in fields(self)})

    @staticmethod
    def concat(parts: list[FirmChunk]) -> FirmChunk:
        """Chunks joined in order."""
        return FirmChunk(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(FirmChunk)
            }
        )


@dataclass
class LinkChunk:
    """Supply links of the buyers of one range, sorted by (buyer, supplier); int32 ids."""

    supplier: np.ndarray  # int32
    buyer: np.ndarray  # int32
    value: np.ndarray  # float32, 万元

    def __len__(self) -> int:
        return len(self.buyer)

    @staticmethod
    def concat(parts: list[LinkChunk]) -> LinkChunk:
        """Chunks joined in order."""
        return LinkChunk(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(LinkChunk)
            }
        )


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` of numpy 2.4 hashes int64 and is ~10× slower)."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


class _FastSampler(GroupedSampler):
    """:class:`GroupedSampler` with the same draws, bit for bit, faster on many queries.

    The weight search alone is 5–8× faster for 650,000 targets in 4–10 M weights; the generator's
    links (three samplers per purchase) take half the CPU time at 10⁷ links.

    Two exact replacements of the base class' two binary searches: the group of each query is
    looked up in a table indexed by the (small, non-negative) group key, and the cumulative
    weights are searched for the targets in ascending order, then scattered back. A search of
    random targets in a cumulative array of millions of weights (the supplier firms, the
    gravity table) misses the cache at nearly every step; sorted targets walk it in order, and
    ``numpy.searchsorted`` starts each search where the previous one ended. Same ``u``, same
    target, same ``side="right"`` search: the same item for every query.

    Parameters
    ----------
    groups: integer group of each item.
    weights: non-negative weight of each item.

    Returns
    -------
    A sampler; :meth:`sample` gives an item index per query group, or −1.

    References
    ----------
    ``src/jiqun/demo/sampling.py`` (:class:`GroupedSampler`, whose results this reproduces).

    Example
    -------
    >>> g, w = np.array([0, 0, 2, 2, 2]), np.array([1.0, 3.0, 1.0, 0.0, 2.0])
    >>> q = np.array([2, 0, 1, 2, -1])
    >>> a = GroupedSampler(g, w).sample(np.random.default_rng(3), q)
    >>> b = _FastSampler(g, w).sample(np.random.default_rng(3), q)
    >>> bool((a == b).all()), int(b[2]), int(b[4])
    (True, -1, -1)
    """

    #: Largest group key served by the look-up table (beyond it, the base class' search).
    MAX_TABLE = 1 << 24

    def __init__(self, groups: np.ndarray, weights: np.ndarray) -> None:
        super().__init__(groups, weights)
        k = self.keys
        self._table: np.ndarray | None = None
        if len(k) and k[0] >= 0 and k[-1] < self.MAX_TABLE:
            # position np.searchsorted(keys, q) for every q in −1 … max + 1
            self._table = np.searchsorted(k, np.arange(-1, int(k[-1]) + 2))

    def sample(self, rng: np.random.Generator, query: np.ndarray) -> np.ndarray:
        """Item index per query group, or -1 where the group is empty or absent."""
        u = rng.random(len(query))
        if len(self.keys) == 0:
            return np.full(len(query), -1, dtype=np.int64)
        if self._table is not None:
            pos = self._table[np.clip(query, -1, int(self.keys[-1]) + 1) + 1]
        else:
            pos = np.searchsorted(self.keys, query)
        pos = np.minimum(pos, len(self.keys) - 1)
        found = (self.keys[pos] == query) & (self.total[pos] > 0)
        target = self.base[pos] + u * self.total[pos]
        order = np.argsort(target)
        pos = pos[order]
        idx = np.searchsorted(self.cw, target[order], side="right")
        idx = np.clip(idx, self.start[pos], self.end[pos] - 1)
        out = np.empty(len(query), dtype=np.int64)
        out[order] = np.where(found[order], self.items[idx], -1)
        return out


def _haversine_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between all pairs of points."""
    lo, la = np.radians(lon), np.radians(lat)
    dlo = lo[:, None] - lo[None, :]
    dla = la[:, None] - la[None, :]
    a = np.sin(dla / 2) ** 2 + np.cos(la)[:, None] * np.cos(la)[None, :] * np.sin(dlo / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class ScaleModel:
    """Seeded national-scale generator of firms, firm-year facts and supply links.

    Parameters
    ----------
    seed: seed of every random stream.
    n_firms: number of firms (ids ``0 … n_firms − 1``; at most 2³¹ − 1).
    n_links: expected number of purchases (links before dropping self and duplicate pairs).
    block: firms per random block (part of the output's identity, like ``seed``).

    Returns
    -------
    A model whose :meth:`firms`, :meth:`links` and :meth:`firm_years` give any range on demand.

    References
    ----------
    Module docstring of ``src/jiqun/demo/scale.py``.

    Example
    -------
    >>> m = ScaleModel(seed=1, n_firms=2_000, n_links=8_000, block=500)
    >>> sum(len(c) for c in m.iter_firms(chunk=700)) == 2_000
    True
    """

    def __init__(self, seed: int, n_firms: int, n_links: int, block: int = DEFAULT_BLOCK) -> None:
        if not 1 <= n_firms < 2**31:
            raise ValueError("n_firms must be in 1 … 2³¹−1 / 企业数须在 1 至 2³¹−1 之间")
        if n_links < 0 or block < 1:
            raise ValueError("n_links ≥ 0 and block ≥ 1 / 关系数须非负，块大小须为正")
        self.seed, self.n_firms, self.n_links, self.block = (
            int(seed),
            int(n_firms),
            int(n_links),
            int(block),
        )
        rng = _rng(self.seed, 0)
        regions, industries, clusters = load_reference()
        cls = build_classes(industries)
        prefs: set[str] = set()
        for _, row in clusters.iterrows():
            if str(row.get("tier")) == "national" and str(row.get("batch_year", "")) in (
                "2021",
                "2022",
            ):
                prefs.update(split_codes(row.get("member_regions")))
        geo = build_geo(regions, prefs, rng)
        self.county_code: np.ndarray = geo.cty_code
        self.prefecture_code: np.ndarray = geo.pref_code
        self.province_code: np.ndarray = geo.prov_code
        self.industry_code: np.ndarray = cls.code
        self.industry_hightech: np.ndarray = cls.hightech
        self.county_prefecture = geo.cty_pref.astype(np.int16)
        self.prefecture_province = geo.pref_prov.astype(np.int8)
        n_pref = len(geo.pref_code)
        # prefecture centre = mean of its county seats
        cnt = np.bincount(geo.cty_pref, minlength=n_pref)
        self._pref_lon = np.bincount(geo.cty_pref, geo.cty_lon, minlength=n_pref) / cnt
        self._pref_lat = np.bincount(geo.cty_pref, geo.cty_lat, minlength=n_pref) / cnt
        self.divisions = np.array(sorted(set(cls.div.tolist())), dtype=object)
        self.industry_division = np.searchsorted(self.divisions, cls.div).astype(np.int16)
        n_div = len(self.divisions)
        w_mfg = class_weights(rng, cls, MFG_DIVISION_SHARE)
        w_srv = class_weights(rng, cls, SERVICE_DIVISION_SHARE)
        spec_prov = rng.lognormal(0.0, 0.6, (len(geo.prov_code), n_div))
        spec_pref = rng.lognormal(0.0, 0.5, (n_pref, n_div))
        # sector 0 = manufacturing, 1 = services: prefecture, then class given prefecture
        pw = np.r_[geo.pref_weight, geo.pref_weight**1.3]
        self._pref_sampler = _FastSampler(np.repeat([0, 1], n_pref), pw)
        mfg_c = np.flatnonzero(w_mfg > 0)
        srv_c = np.flatnonzero(w_srv > 0)
        d_m = self.industry_division[mfg_c]
        wm = w_mfg[mfg_c][None, :] * spec_prov[geo.pref_prov][:, d_m] * spec_pref[:, d_m]
        keys = np.r_[
            np.repeat(np.arange(n_pref), len(mfg_c)),
            n_pref + np.repeat(np.arange(n_pref), len(srv_c)),
        ]
        items = np.r_[np.tile(mfg_c, n_pref), np.tile(srv_c, n_pref)]
        self._cls_items = items
        self._cls_sampler = _FastSampler(keys, np.r_[wm.ravel(), np.tile(w_srv[srv_c], n_pref)])
        self._cty_sampler = _FastSampler(geo.cty_pref, geo.cty_weight)
        self._offset = np.array([SIZE_OFFSET.get(d, 0.0) for d in cls.div])
        self._productivity = np.array(
            [
                PRODUCTIVITY.get(d, 130.0 if m else 60.0)
                for d, m in zip(cls.div, cls.is_mfg, strict=True)
            ]
        )

    # ---------------------------------------------------------------- firms

    def _firm_block(self, b: int) -> FirmChunk:
        lo = b * self.block
        hi = min(self.n_firms, lo + self.block)
        m = hi - lo
        rng = _rng(self.seed, 1, b)
        sector = (rng.random(m) < SIZES["placement"]["services"]).astype(np.int64)
        pref = self._pref_sampler.sample(rng, sector)  # items are 0 … 2P−1
        pref = pref % len(self.prefecture_code)
        ind = self._cls_items[
            self._cls_sampler.sample(rng, sector * len(self.prefecture_code) + pref)
        ]
        cty = self._cty_sampler.sample(rng, pref)
        # double Pareto-lognormal employees; the constant puts the median near 20
        body = rng.normal(0.0, 1.2, m) + self._offset[ind]
        pareto = rng.random(m) ** (-1.0 / PARETO_ALPHA)
        emp = np.exp(body) * pareto * (SIZES["employees"]["median"] / 2 ** (1.0 / PARETO_ALPHA))
        employees = np.clip(np.round(emp), 1, MAX_EMPLOYEES).astype(np.int32)
        e = employees.astype(np.float64)
        revenue = e * self._productivity[ind] * (e / 100.0) ** 0.08 * rng.lognormal(0.0, 0.5, m)
        revenue = np.round(np.maximum(revenue, 1.0), 2)
        share = np.where(rng.random(m) < 0.4, 0.0, rng.beta(1.2, 60.0, m))
        rd = np.floor(revenue * share * 100.0) / 100.0
        # entries grow 7 % a year: inverse CDF of a truncated exponential on 1985 … LAST_YEAR + 1
        span = LAST_YEAR + 1 - 1985
        u = rng.random(m)
        founded = 1985 + np.floor(np.log1p(u * np.expm1(0.07 * span)) / 0.07)
        growth = rng.normal(0.06, 0.10, m).astype(np.float32)
        return FirmChunk(
            firm_id=np.arange(lo, hi, dtype=np.int32),
            county=cty.astype(np.int16),
            prefecture=pref.astype(np.int16),
            province=self.prefecture_province[pref],
            industry=ind.astype(np.int16),
            employees=employees,
            revenue=revenue,
            rd_expense=rd,
            founded=np.minimum(founded, LAST_YEAR).astype(np.int16),
            growth=growth,
        )

    def firms(self, start: int = 0, stop: int | None = None) -> FirmChunk:
        """Firms ``start … stop − 1`` (default: all)."""
        stop = self.n_firms if stop is None else min(stop, self.n_firms)
        if start >= stop:
            return self._firm_block(0).take(slice(0, 0))
        b0, b1 = start // self.block, (stop - 1) // self.block
        parts = [self._firm_block(b) for b in range(b0, b1 + 1)]
        whole = parts[0] if len(parts) == 1 else FirmChunk.concat(parts)
        off = b0 * self.block
        return whole.take(slice(start - off, stop - off))

    def iter_firms(self, chunk: int = DEFAULT_BLOCK * 16) -> Iterator[FirmChunk]:
        """All firms in chunks of ``chunk`` rows."""
        for lo in range(0, self.n_firms, chunk):
            yield self.firms(lo, lo + chunk)

    def firm_years(
        self, f: FirmChunk, years: tuple[int, int] = (LAST_YEAR, LAST_YEAR)
    ) -> dict[str, np.ndarray]:
        """Firm-year facts of the firms ``f``: one row per firm and year it existed.

        Earlier years divide the last year's values by exp(growth × years back) (employment by
        exp(0.4 × growth × years back)); firms founded after a year are absent from it.

        Parameters
        ----------
        f: firms (from :meth:`firms`).
        years: first and last year, inclusive (the last year is :data:`LAST_YEAR` at most).

        Returns
        -------
        Columns ``firm_id``, ``year``, ``county``, ``industry``, ``employees``, ``revenue``.
        """
        out: dict[str, list[np.ndarray]] = {
            k: [] for k in ("firm_id", "year", "county", "industry", "employees", "revenue")
        }
        for y in range(years[0], years[1] + 1):
            alive = np.flatnonzero(f.founded <= y)
            back = float(LAST_YEAR - y)
            g = f.growth[alive].astype(np.float64)
            out["firm_id"].append(f.firm_id[alive])
            out["year"].append(np.full(len(alive), y, dtype=np.int16))
            out["county"].append(f.county[alive])
            out["industry"].append(f.industry[alive])
            emp = np.round(f.employees[alive] * np.exp(-0.4 * g * back))
            out["employees"].append(np.maximum(emp, 1).astype(np.int32))
            out["revenue"].append(np.round(f.revenue[alive] * np.exp(-g * back), 2))
        return {k: np.concatenate(v) for k, v in out.items()}

    # ---------------------------------------------------------------- links

    @cached_property
    def _link_parts(self) -> dict[str, Any]:
        """Samplers over the whole population (built once; needs every firm's attributes)."""
        parts = list(self.iter_firms())
        pref = np.concatenate([p.prefecture for p in parts]).astype(np.int64)
        ind = np.concatenate([p.industry for p in parts])
        rev = np.concatenate([p.revenue for p in parts])
        emp = np.concatenate([p.employees for p in parts])
        del parts
        n_pref = len(self.prefecture_code)
        n_div = len(self.divisions)
        div = self.industry_division[ind].astype(np.int64)
        sw = rev**0.7
        mass = np.bincount(div * n_pref + pref, sw, minlength=n_div * n_pref).reshape(n_div, n_pref)
        # rule table: buyer division → supplier divisions that have firms
        has = mass.sum(axis=1) > 0
        rb, rs, rw = [], [], []
        for bi, bd in enumerate(self.divisions):
            for sd, w in INPUT_RULES.get(bd, DEFAULT_INPUTS):
                si = int(np.searchsorted(self.divisions, sd))
                if si < n_div and self.divisions[si] == sd and has[si]:
                    rb.append(bi)
                    rs.append(si)
                    rw.append(w)
        # gravity over prefectures for each (buyer prefecture, supplier division) with firms
        dist = _haversine_km(self._pref_lon, self._pref_lat)
        np.fill_diagonal(dist, LOCAL_KM)
        decay = (1.0 + dist / DISTANCE_KM) ** -DECAY_POWER
        sd_list = np.flatnonzero(has)
        g_keys, g_items, g_w = [], [], []
        for d in sd_list:
            ps = np.flatnonzero(mass[d] > 0)
            wg = decay[:, ps] * mass[d, ps][None, :]  # (P, |ps|)
            g_keys.append(np.repeat(np.arange(n_pref, dtype=np.int64) * n_div + d, len(ps)))
            g_items.append(np.tile(ps, n_pref))
            g_w.append(wg.ravel())
        lam_w = emp.astype(np.float64) ** 0.45
        return {
            "buyer_div": div.astype(np.int16),
            "buyer_pref": pref.astype(np.int16),
            "revenue": rev,
            "lam": lam_w / lam_w.mean(),
            "rule": _FastSampler(np.array(rb, dtype=np.int64), np.array(rw, dtype=float)),
            "rule_supp": np.array(rs, dtype=np.int64),
            "gravity": _FastSampler(np.concatenate(g_keys), np.concatenate(g_w)),
            "gravity_items": np.concatenate(g_items),
            "firm": _FastSampler(div * n_pref + pref, sw),
        }

    def _link_block(self, b: int) -> LinkChunk:
        lp = self._link_parts
        n, n_pref, n_div = self.n_firms, len(self.prefecture_code), len(self.divisions)
        lo = b * self.block
        hi = min(n, lo + self.block)
        rng = _rng(self.seed, 2, b)
        extra = max(self.n_links / n - 1.0, 0.0)
        k = 1 + rng.poisson(extra * lp["lam"][lo:hi])
        k = np.minimum(k, max(n - 1, 0)) if self.n_links else np.zeros(hi - lo, dtype=np.int64)

        def draw(buyer: np.ndarray) -> np.ndarray:
            """Supplier of one purchase of each buyer (−1 where no supplier exists)."""
            rule = lp["rule"].sample(rng, lp["buyer_div"][buyer].astype(np.int64))
            sdiv = np.where(rule >= 0, lp["rule_supp"][np.maximum(rule, 0)], -1)
            ok = sdiv >= 0
            gkey = lp["buyer_pref"][buyer].astype(np.int64) * n_div + sdiv
            g = lp["gravity"].sample(rng, np.where(ok, gkey, -1))
            spref = np.where(ok & (g >= 0), lp["gravity_items"][np.maximum(g, 0)], -1)
            return lp["firm"].sample(rng, np.where(spref >= 0, sdiv * n_pref + spref, -1))

        key = np.zeros(0, dtype=np.int64)
        todo = np.repeat(np.arange(lo, hi, dtype=np.int64), k)  # one row per purchase
        # self-links and repeated pairs are dropped and redrawn (a few rounds: a small or
        # remote market may not have enough distinct suppliers)
        for _ in range(4):
            sup = draw(todo)
            keep = (sup >= 0) & (sup != todo)
            key = _sorted_unique(np.r_[key, todo[keep] * n + sup[keep]])  # buyer, supplier
            short = k - np.bincount(key // n - lo, minlength=hi - lo)
            if not (short > 0).any():
                break
            todo = np.repeat(np.arange(lo, hi, dtype=np.int64), np.maximum(short, 0))
        buyer, sup = key // n, key % n
        # values: buyer revenue × purchase share × Gamma share, at most 0.8 × supplier revenue
        m = hi - lo
        share = rng.uniform(0.25, 0.55, m)
        gam = rng.gamma(0.8, 1.0, len(buyer)) + 1e-6
        gsum = np.bincount(buyer - lo, gam, minlength=m)
        rev = lp["revenue"]
        value = rev[buyer] * share[buyer - lo] * gam / gsum[buyer - lo]
        value = np.maximum(np.minimum(value, 0.8 * rev[sup]), 0.01)
        return LinkChunk(
            supplier=sup.astype(np.int32),
            buyer=buyer.astype(np.int32),
            value=value.astype(np.float32),
        )

    def links(self, start: int = 0, stop: int | None = None) -> LinkChunk:
        """Links whose buyer is in ``start … stop − 1`` (default: all), sorted by (buyer, supplier).

        Suppliers come from the whole population: the first call builds the samplers over every
        firm, once per model (about 40 bytes a firm).
        """
        stop = self.n_firms if stop is None else min(stop, self.n_firms)
        if start >= stop:
            e = np.zeros(0, dtype=np.int32)
            return LinkChunk(e, e.copy(), np.zeros(0, dtype=np.float32))
        b0, b1 = start // self.block, (stop - 1) // self.block
        parts = [self._link_block(b) for b in range(b0, b1 + 1)]
        whole = parts[0] if len(parts) == 1 else LinkChunk.concat(parts)
        i0, i1 = np.searchsorted(whole.buyer, [start, stop])
        return LinkChunk(whole.supplier[i0:i1], whole.buyer[i0:i1], whole.value[i0:i1])

    def iter_links(self, chunk: int = DEFAULT_BLOCK * 16) -> Iterator[LinkChunk]:
        """All links in chunks of the buyers of ``chunk`` consecutive firms."""
        for lo in range(0, self.n_firms, chunk):
            yield self.links(lo, lo + chunk)


def csr_by_supplier(
    chunks: Iterable[LinkChunk], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of a link list sorted by supplier, built without a coordinate-form copy.

    Two passes over the chunks (so pass a list, or anything iterable twice): the first counts the
    links of each supplier, the second scatters each chunk's buyers and values into their rows
    (a counting sort; only one chunk's sort order is ever held). A chunk holds fewer than 2³²
    links. Within a row, links keep their
    input order. Peak memory ≈ the result (8 bytes a link + 8 bytes a firm) + one chunk.

    Parameters
    ----------
    chunks: link chunks, iterated twice (a list, or an object whose ``__iter__`` starts afresh;
        not a one-shot generator).
    n: number of firms (ids ``0 … n − 1``).

    Returns
    -------
    ``(indptr int64 (n + 1,), indices int32 (m,), data float32 (m,))``: row ``i`` holds the
    buyers of supplier ``i`` (``scipy.sparse.csr_matrix((data, indices, indptr), (n, n))``).

    References
    ----------
    D. E. Knuth, *The Art of Computer Programming* vol. 3, §5.2 (distribution counting).

    Example
    -------
    >>> c = LinkChunk(np.array([2, 0, 2], np.int32), np.array([0, 1, 1], np.int32),
    ...               np.array([1.0, 2.0, 3.0], np.float32))
    >>> indptr, idx, val = csr_by_supplier([c], 3)
    >>> indptr.tolist(), idx.tolist(), val.tolist()
    ([0, 1, 1, 3], [1, 0, 1], [2.0, 1.0, 3.0])
    """
    counts = np.zeros(n, dtype=np.int64)
    for c in chunks:
        counts += np.bincount(c.supplier, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    del counts
    m = int(indptr[-1])
    indices = np.empty(m, dtype=np.int32)
    data = np.empty(m, dtype=np.float32)
    cursor = indptr[:-1].copy()
    for c in chunks:
        # a stable order by supplier: sort (supplier, position) packed in one int64 (numpy's
        # unstable sort of int64 is ~3× faster than a stable argsort of int32)
        key = (c.supplier.astype(np.int64) << 32) | np.arange(len(c), dtype=np.int64)
        key.sort()
        order = key & 0xFFFFFFFF
        s = (key >> 32).astype(np.int32)
        del key
        # rank of each link among the chunk's links of the same supplier
        first = np.r_[0, np.flatnonzero(s[1:] != s[:-1]) + 1]
        run = np.diff(np.r_[first, len(s)])
        rank = np.arange(len(s)) - np.repeat(first, run)
        dest = cursor[s] + rank
        indices[dest] = c.buyer[order]
        data[dest] = c.value[order]
        cursor[s[first]] += run
    if not np.array_equal(cursor, indptr[1:]):
        raise ValueError(
            "链接分块须可迭代两次且内容相同 / the link chunks must be iterable twice with the "
            "same content (pass a list, not a generator)"
        )
    return indptr, indices, data


def write_parquet(
    model: ScaleModel,
    directory: str | Path,
    years: tuple[int, int] = (LAST_YEAR, LAST_YEAR),
    chunk: int = 1 << 20,
) -> dict[str, Path]:
    """Write ``firms.parquet``, ``firm_years.parquet`` and ``links.parquet`` chunk by chunk.

    Region and industry codes are written as strings (the lake's form); one Parquet row group per
    chunk, so memory stays at one chunk plus the link samplers.

    Parameters
    ----------
    model: the generator.
    directory: output directory (created).
    years: firm-year range (inclusive).
    chunk: firms per chunk (and per row group).

    Returns
    -------
    Paths by table name (``firms``, ``firm_years``, ``links``).

    Example
    -------
    >>> import tempfile
    >>> paths = write_parquet(ScaleModel(1, 2_000, 6_000), tempfile.mkdtemp())  # doctest: +SKIP
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    cty = pa.array(model.county_code.astype(str))
    ind = pa.array(model.industry_code.astype(str))
    prov = pa.array(model.province_code.astype(str))

    def code(dictionary: pa.Array, idx: np.ndarray) -> pa.Array:
        return dictionary.take(pa.array(idx.astype(np.int32)))

    paths = {k: out / f"{k}.parquet" for k in ("firms", "firm_years", "links")}
    writers: dict[str, Any] = {}
    try:
        for f in model.iter_firms(chunk):
            ft = pa.table(
                {
                    "firm_id": f.firm_id,
                    "region_code": code(cty, f.county),
                    "province_code": code(prov, f.province),
                    "industry_code": code(ind, f.industry),
                    "employees": f.employees,
                    "revenue": f.revenue,
                    "rd_expense": f.rd_expense,
                    "founded": f.founded,
                }
            )
            fy = model.firm_years(f, years)
            yt = pa.table(
                {
                    "firm_id": fy["firm_id"],
                    "year": fy["year"],
                    "region_code": code(cty, fy["county"]),
                    "industry_code": code(ind, fy["industry"]),
                    "employees": fy["employees"],
                    "revenue": fy["revenue"],
                }
            )
            lk = model.links(int(f.firm_id[0]), int(f.firm_id[-1]) + 1)
            lt = pa.table({"supplier": lk.supplier, "buyer": lk.buyer, "value": lk.value})
            for name, table in (("firms", ft), ("firm_years", yt), ("links", lt)):
                if name not in writers:
                    writers[name] = pq.ParquetWriter(paths[name], table.schema)
                writers[name].write_table(table)
    finally:
        for w in writers.values():
            w.close()
    return paths
