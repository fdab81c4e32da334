"""Demo postings of the supply–demand board (供需对接): purchase needs and supply capabilities.

Needs come from demo buyers and ask for an input they already buy (a class of their supply
links), so that the matching board finds domestic suppliers; capabilities come from suppliers of
those classes and from other manufacturers. Every posting is synthetic and open; dates are
derived from the demo's last year (no wall clock, so the same seed gives the same postings).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from jiqun.demo.sampling import weighted_pick
from jiqun.demo.tables import DEFAULT_N

#: postings at the default size (scaled with the number of firms, with a floor)
NEEDS_AT_DEFAULT, CAPABILITIES_AT_DEFAULT = 400, 800
#: (unit, low, high) of quantities by division prefix; others: 件
UNITS: dict[str, tuple[str, int, int]] = {
    "25": ("吨", 500, 20_000),
    "26": ("吨", 50, 5_000),
    "31": ("吨", 200, 10_000),
    "32": ("吨", 50, 5_000),
    "34": ("台", 5, 200),
    "35": ("台", 5, 200),
    "36": ("套", 1_000, 50_000),
    "39": ("件", 10_000, 1_000_000),
}
#: certifications buyers ask for by division prefix
CERTS: dict[str, str] = {
    "36": "IATF 16949",
    "35": "ISO 13485",
    "27": "GMP",
    "37": "AS9100",
    "39": "ISO 9001",
}


def _unit(code: str, rng: np.random.Generator) -> tuple[str, float]:
    unit, lo, hi = UNITS.get(code[:2], ("件", 100, 10_000))
    return unit, float(round(np.exp(rng.uniform(np.log(lo), np.log(hi)))))


def make_board(
    rng: np.random.Generator,
    enterprises: pd.DataFrame,
    links: pd.DataFrame,
    year: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open needs and capabilities for the matching board (columns of ``match_needs`` /
    ``match_capabilities`` without ids).

    Needs: buyers drawn ∝ revenue^0.5 among domestic buyers of domestic supply links; each asks
    for the input class of one of its links ("采购<product>"), a quantity, its province as the
    preferred region, a certification for autos, medical devices, drugs, aircraft and
    electronics, and a deadline in the next year. Capabilities: two thirds from domestic
    suppliers of the needed classes, one third from other manufacturers (∝ revenue^0.5), each
    offering its class's product word with a yearly capacity.

    Parameters
    ----------
    rng: the generator's random source.
    enterprises: the demo firms (``uscc``, ``region_code``, ``industry_code``, ``revenue``,
        ``business_scope``).
    links: the demo supply links.
    year: the demo's last year (postings are dated in the following year).

    Returns
    -------
    (needs, capabilities) DataFrames, ``synthetic`` = True, ``status`` = ``open``.

    References
    ----------
    ``src/jiqun/store/models.py`` (``MatchNeed``, ``MatchCapability``).

    Example
    -------
    >>> # build_demo writes them; tests/demo/test_demo_services.py checks the board
    """
    scale = len(enterprises) / DEFAULT_N
    n_need = max(30, round(NEEDS_AT_DEFAULT * scale))
    n_cap = max(60, round(CAPABILITIES_AT_DEFAULT * scale))
    e = enterprises.set_index("uscc")
    domestic = e["region_code"].astype(str).str.fullmatch(r"[1-8][0-9]{5}")
    lk = links[
        links["supplier_uscc"].map(domestic).fillna(False).astype(bool)
        & links["buyer_uscc"].map(domestic).fillna(False).astype(bool)
    ].reset_index(drop=True)
    rev = lk["buyer_uscc"].map(e["revenue"]).to_numpy(dtype=float)
    # one posting per buyer at most: keep the first link of each buyer among the picks
    picks = weighted_pick(rng, rev**0.5, 3 * n_need)
    chosen = lk.iloc[picks].drop_duplicates("buyer_uscc").head(n_need)
    created = dt.datetime(year + 1, 1, 5, 9, 0, 0)
    need_rows = []
    for j, r in enumerate(chosen.itertuples(index=False)):
        code = str(r.input_category)
        unit, qty = _unit(code, rng)
        need_rows.append(
            {
                "uscc": r.buyer_uscc,
                "text": f"采购{r.product}（模拟）",
                "industry_code": code,
                "quantity": qty,
                "unit": unit,
                "certifications": CERTS.get(str(e.at[r.buyer_uscc, "industry_code"])[:2]),
                "region_preference": str(e.at[r.buyer_uscc, "region_code"])[:2] + "0000",
                "deadline": dt.date(year + 1, 3, 31) + dt.timedelta(days=int(rng.integers(0, 270))),
                "status": "open",
                "created_at": created + dt.timedelta(hours=int(j)),
                "synthetic": True,
            }
        )
    needs = pd.DataFrame(need_rows)

    wanted = set(needs["industry_code"]) if len(needs) else set()
    sup = lk[lk["input_category"].isin(wanted)].drop_duplicates("supplier_uscc")
    n_sup = min(len(sup), round(2 * n_cap / 3))
    sup = sup.iloc[np.sort(rng.choice(len(sup), size=n_sup, replace=False))] if n_sup else sup
    mfg = e[domestic & e["industry_code"].astype(str).str[:2].between("13", "43")]
    others = mfg.index[
        weighted_pick(rng, mfg["revenue"].to_numpy(dtype=float) ** 0.5, n_cap - len(sup))
    ]
    cap_firms = list(dict.fromkeys([*sup["supplier_uscc"], *others]))
    product_of = dict(zip(lk["supplier_uscc"], lk["product"], strict=False))
    cap_rows = []
    for j, u in enumerate(cap_firms):
        code = str(e.at[u, "industry_code"])
        scope = str(e.at[u, "business_scope"] or "")
        word = product_of.get(u) or scope.split("；")[0]
        unit, qty = _unit(code, rng)
        cap_rows.append(
            {
                "uscc": u,
                "products": f"{word}（模拟）",
                "industry_code": code,
                "capacity": qty * float(rng.integers(2, 20)),
                "unit": f"{unit}/年",
                "certifications": CERTS.get(code[:2]),
                "region_code": str(e.at[u, "region_code"]),
                "status": "open",
                "created_at": created + dt.timedelta(hours=int(j)),
                "synthetic": True,
            }
        )
    return needs, pd.DataFrame(cap_rows)
