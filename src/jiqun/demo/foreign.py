"""Demo foreign suppliers (境外供应商): firms outside the country that sell key inputs to demo firms.

China imports much of its integrated circuits, chip-making equipment, precision instruments,
machine-tool parts and some pharmaceutical inputs. The demo adds a few foreign suppliers of
such inputs so that geographic dependency screens and the input-stop scenario
(``jiqun resilience scenario --import-stop 3973``, the web page's own example) have something
to find. They follow the convention of :func:`jiqun.resilience.is_foreign`: the region code
is an ISO 3166-1 alpha-2 country code (``JP``, ``US`` …), not a GB/T 2260 code. They are
written after the region statistics (domestic statistics do not include them), belong to no
cluster and host no carrier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiqun.demo.sampling import concat, make_uscc, weighted_pick
from jiqun.demo.structure import Classes
from jiqun.demo.tables import DEMO_SOURCE, NAME_WORDS

#: (ISO 3166-1 alpha-2, Chinese name, name suffix) of the supplier countries
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("JP", "日本", "株式会社"),
    ("KR", "韩国", "株式会社"),
    ("US", "美国", "公司"),
    ("DE", "德国", "有限公司"),
    ("NL", "荷兰", "公司"),
)

#: input class → (share of the foreign suppliers, buyer class prefixes, countries): what China
#: imports a lot of (集成电路, 半导体设备, 电子专用材料, 仪器仪表, 数控系统与机床, 原料药, 医疗设备)
IMPORTED_INPUTS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "3973": (0.30, ("39", "36", "38", "40"), ("KR", "JP", "US")),
    "3562": (0.15, ("3973", "3972", "3974", "3976"), ("NL", "JP", "US")),
    "3985": (0.10, ("3973", "3972", "3974", "3976", "3984"), ("JP", "KR", "DE")),
    "4014": (0.10, ("27", "35", "39", "40"), ("US", "DE", "JP")),
    "3421": (0.10, ("34", "36", "37", "38"), ("DE", "JP")),
    "2710": (0.10, ("2720", "2730", "2740", "2761", "2762"), ("DE", "US")),
    "3584": (0.15, ("3581", "3582", "3583", "3584", "3585", "3586", "3589"), ("US", "DE", "NL")),
}

#: foreign suppliers per 1,000 demo firms (at least 15) and buyers per supplier (mean)
PER_THOUSAND = 0.5
BUYERS_MEAN = 25


def foreign_count(n_enterprises: int) -> int:
    """Number of foreign suppliers among ``n_enterprises`` demo firms.

    Parameters
    ----------
    n_enterprises: all demo firms.

    Returns
    -------
    :data:`PER_THOUSAND` per 1,000 firms, at least 15.

    Example
    -------
    >>> foreign_count(200_000), foreign_count(5_000)
    (100, 15)
    """
    return max(15, round(PER_THOUSAND * n_enterprises / 1_000))


def make_foreign_suppliers(
    rng: np.random.Generator,
    n: int,
    enterprises: pd.DataFrame,
    f_cls: np.ndarray,
    cls: Classes,
    year: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Foreign supplier firms and their supply links to demo firms.

    Each supplier gets one input class of :data:`IMPORTED_INPUTS` (drawn by share), a country
    among that class's main sources, 2,000–50,000 employees (lognormal) and a revenue of
    150–250 万元 per employee, and sells to about :data:`BUYERS_MEAN` demo firms of the buyer
    classes (drawn ∝ revenue^0.7, without repeats); each link is worth 2–10 % of the buyer's
    revenue, the link's input category is the supplier's class.

    Parameters
    ----------
    rng: the generator's random source.
    n: number of foreign suppliers (:func:`foreign_count`).
    enterprises: the demo firms (canonical columns), for buyers.
    f_cls: class index of each demo firm.
    cls: the classes.
    year: year of the links.

    Returns
    -------
    (firms, links): rows in the canonical columns of ``enterprises`` and ``supply_links``
    (+ ``synthetic``).

    References
    ----------
    ``docs/resilience.md`` (foreign suppliers and the input-stop scenario).

    Example
    -------
    >>> # called by generate_demo; tests/demo/test_plausibility.py checks the scenario answers
    """
    inputs = list(IMPORTED_INPUTS)
    share = np.array([IMPORTED_INPUTS[c][0] for c in inputs])
    pick = rng.choice(len(inputs), size=n, p=share / share.sum())
    # every imported input has at least one foreign supplier
    pick[: len(inputs)] = np.arange(len(inputs))
    code = np.array([inputs[i] for i in pick], dtype=object)
    country = np.array(
        [IMPORTED_INPUTS[c][2][int(rng.integers(0, len(IMPORTED_INPUTS[c][2])))] for c in code],
        dtype=object,
    )
    by_iso = {iso: (zh, suffix) for iso, zh, suffix in COUNTRIES}
    cls_index = {str(c): i for i, c in enumerate(cls.code)}
    word = np.array([cls.word[cls_index[c]] for c in code], dtype=object)
    words = np.array(NAME_WORDS, dtype=object)
    names = concat(
        np.array([by_iso[c][0] for c in country], dtype=object),
        words[rng.integers(0, len(words), n)],
        word,
        np.array([by_iso[c][1] for c in country], dtype=object),
    )
    employees = np.clip(np.round(rng.lognormal(np.log(8_000), 0.8, n)), 2_000, 50_000)
    revenue = np.round(employees * rng.uniform(150.0, 250.0, n), 2)
    founded = (
        np.array(rng.integers(1985, 2001, n) - 1970, dtype="datetime64[Y]")
        .astype("datetime64[D]")
        .astype("datetime64[s]")
    )
    uscc = make_uscc(rng, np.full(n, "000000", dtype=object))
    # credit codes must not collide with the domestic ones (their region part differs anyway)
    assert not set(uscc) & set(enterprises["uscc"])
    firms = pd.DataFrame(
        {
            "uscc": uscc,
            "name": names,
            "region_code": country,
            "industry_code": code,
            "founded": founded,
            "employees": employees.astype(np.int64),
            "revenue": revenue,
            "output": np.round(revenue * rng.uniform(0.92, 1.04, n), 2),
            "rd_expense": np.floor(revenue * rng.uniform(0.03, 0.10, n) * 100.0) / 100.0,
            "tags": None,
            "business_scope": concat(word, "的研发、生产和销售；进出口业务；"),
            "address": concat(np.array([by_iso[c][0] for c in country], dtype=object), "（境外）"),
            "lon": np.nan,
            "lat": np.nan,
        }
    )
    firms["synthetic"] = True

    code_str = cls.code.astype(str)
    b_rev = enterprises["revenue"].to_numpy(dtype=float)
    buyer_ok = {}  # input class → buyer mask (per class, then per firm: fast)
    for c, (_, prefixes, _) in IMPORTED_INPUTS.items():
        ok_cls = np.zeros(len(code_str), dtype=bool)
        for prefix in prefixes:
            ok_cls |= np.char.startswith(code_str, prefix)
        buyer_ok[c] = ok_cls[f_cls]
    rows_s, rows_b, rows_v = [], [], []
    for i in range(n):
        ok = buyer_ok[code[i]]
        k = int(rng.poisson(BUYERS_MEAN)) + 3
        buyers = weighted_pick(rng, np.where(ok, b_rev**0.7, 0.0), k)
        rows_s.append(np.full(len(buyers), uscc[i], dtype=object))
        rows_b.append(enterprises["uscc"].to_numpy()[buyers])
        rows_v.append(
            np.maximum(np.round(b_rev[buyers] * rng.uniform(0.02, 0.10, len(buyers)), 2), 0.01)
        )
    links = pd.DataFrame(
        {
            "supplier_uscc": np.concatenate(rows_s),
            "buyer_uscc": np.concatenate(rows_b),
            "year": year,
        }
    )
    links["value"] = np.concatenate(rows_v)
    links["input_category"] = links["supplier_uscc"].map(dict(zip(uscc, code, strict=True)))
    links["product"] = links["supplier_uscc"].map(dict(zip(uscc, word, strict=True)))
    links["source"] = DEMO_SOURCE
    links["year"] = links["year"].astype(np.int64)
    links["synthetic"] = True
    return firms, links
