"""Region × industry aggregates of the lake's firm rows, computed on the engine.

Only the aggregate (one row per region × industry cell) reaches pandas; the firm rows stay in
the engine. The pure analytics take these sums where they used to take firm rows
(:func:`jiqun.analytics.concentration.ellison_glaeser_sums`).

Example
-------
>>> cells, info = firm_size_sums(eng, pref, digits=4, codes=["3911"], size="employees")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from jiqun.engine import Engine

__all__ = ["MAX_CELLS", "firm_size_sums"]

#: a region × industry aggregate larger than this is not an aggregate
MAX_CELLS = 5_000_000
SIZES = ("employees", "revenue", "output", "rd_expense")


def firm_size_sums(
    engine: Engine,
    pref: pd.Series,
    *,
    digits: int,
    codes: Sequence[str],
    size: str,
    version: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Σ size, Σ size² and the firm count per (prefecture, industry) of the lake's enterprises.

    Parameters
    ----------
    engine:
        The analytical engine.
    pref:
        Region code → prefecture code (counties to their prefecture; codes without one absent).
    digits:
        Industry code length the cells are keyed on (4 = class, 2 = division).
    codes:
        The industry codes (of ``digits`` characters) whose firms count.
    size:
        The firm size column: ``employees``, ``revenue``, ``output`` or ``rd_expense``.
    version:
        Lake version (default: the engine's current one).

    Returns
    -------
    (cells, info): ``cells`` has columns ``region``, ``industry``, ``size`` (Σ), ``size_sq``
    (Σ size²), ``n`` (firms), sorted by region and industry, for firms with a region and a size
    > 0; ``info`` has ``firms`` (every firm of those industries), ``left_out`` (without a region
    or a positive size) and ``synthetic`` (any of them synthetic).

    Example
    -------
    >>> firm_size_sums(eng, pref, digits=4, codes=["3911"], size="output")[0].columns.tolist()  # doctest: +SKIP
    ['region', 'industry', 'size', 'size_sq', 'n']
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    e = engine.table("enterprises", version)
    ind = e.industry_code.substr(0, digits)
    e = e.mutate(industry=ind).filter(ind.isin(list(dict.fromkeys(codes))))
    pm = pref.dropna().astype(str)
    mapping = engine.from_arrow(
        pd.DataFrame({"code": pm.index.astype(str), "region": pm.to_numpy(dtype=object)})
    )
    j = e.left_join(mapping, e.region_code == mapping.code)
    value = j[size].cast("float64")
    good = j.region.notnull() & value.notnull() & (value > 0)
    j = j.mutate(value=value, good=good)
    head = engine.to_pandas(
        j.aggregate(
            firms=j.count(),
            good=j.good.cast("int64").sum(),
            synthetic=j.synthetic.any(),
        ),
        max_rows=1,
    )
    kept = j.filter(j.good)
    cells = engine.to_pandas(
        kept.group_by(["region", "industry"])
        .aggregate(size=kept.value.sum(), size_sq=(kept.value * kept.value).sum(), n=kept.count())
        .order_by(["region", "industry"]),
        max_rows=MAX_CELLS,
    )
    firms = int(head["firms"].iloc[0]) if len(head) else 0
    good_n = head["good"].iloc[0] if len(head) else 0
    good_n = 0 if pd.isna(good_n) else int(good_n)
    synthetic = bool(head["synthetic"].iloc[0]) if firms else False
    cells["n"] = cells["n"].astype("int64")
    return cells.reset_index(drop=True), {
        "firms": firms,
        "left_out": firms - good_n,
        "synthetic": synthetic,
    }
