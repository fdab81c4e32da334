"""Look-ups of the shipped code systems: GB/T 4754-2017 industries and GB/T 2260 regions.

Each look-up returns a plain dict the CLI, the API and the web UI can all show: the code, its
name, its level and parents, the concordances it appears in, and (for regions) the clusters whose
member regions include it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jiqun import reference
from jiqun.standard.problems import JiqunError

_CONCORDANCES: dict[reference.ConcordanceName, tuple[str, str, str, str]] = {
    "sei2018": (
        "战略性新兴产业分类(2018)",
        "Strategic emerging industries (2018)",
        "sei_l1",
        "sei_l3",
    ),
    "hightech_mfg2017": (
        "高技术产业(制造业)分类(2017)",
        "High-tech manufacturing (2017)",
        "ht_l1",
        "ht_l3",
    ),
    "digital_economy_core2021": (
        "数字经济及其核心产业统计分类(2021)",
        "Digital economy and its core industries (2021)",
        "de_l1",
        "de_l3",
    ),
}


def _clean(code: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", str(code)).strip().upper()


def _path(table: pd.DataFrame, code: str, parent: str) -> list[tuple[str, str]]:
    """``(code, name)`` from the top of a code hierarchy down to ``code`` (``table`` is indexed
    by code; ``parent`` names the column with each code's parent, empty at the top)."""
    path = []
    cur: str | None = code
    while cur:
        path.append((cur, str(table.loc[cur, "name"])))
        p = table.loc[cur, parent]
        cur = p if isinstance(p, str) and p else None
    path.reverse()
    return path


def lookup_industry(code: str) -> dict[str, Any]:
    """Describe a GB/T 4754-2017 code (``C3973`` and ``3973`` both work).

    Returns
    -------
    dict with ``code``, ``name``, ``level``, ``level_name``, ``section``, ``path`` (list of
    (code, name) from the section down), ``children`` count, ``concordances`` and ``vintage``.
    A GB/T 4754-2011 code that changed in 2017 is reported as such.

    Example
    -------
    >>> lookup_industry("3973")["name"]
    '集成电路制造'
    """
    raw = _clean(code)
    ind = reference.industries().set_index("code")
    c = raw
    if len(raw) in (3, 4, 5) and raw[0].isalpha() and raw[1:].isdigit():
        c = raw[1:]
    if c not in ind.index:
        info = reference.industry_2011_change(c)
        if info is not None:
            raise JiqunError(info["message_zh"], info["message_en"])
        raise JiqunError(
            f"GB/T 4754-2017 中没有行业代码「{raw}」", f"'{raw}' is not a GB/T 4754-2017 code"
        )
    row = ind.loc[c]
    if len(raw) != len(c) and raw[0] != row["section"]:
        raise JiqunError(
            f"行业代码「{raw}」的门类字母应为 {row['section']}",
            f"industry code '{raw}': the section letter should be {row['section']}",
        )
    path = _path(ind, c, "parent")
    conc = []
    for key, (zh, en, l1, l3) in _CONCORDANCES.items():
        t = reference.concordance(key)
        hit = t[t["gbt4754_code"] == c]
        for r in hit.itertuples(index=False):
            conc.append(
                {
                    "classification": key,
                    "name_zh": zh,
                    "name_en": en,
                    "category": f"{getattr(r, l1)} › {getattr(r, l3)}",
                    "partial": str(getattr(r, "partial_star", "0")) in ("1", "True", "true"),
                }
            )
    return {
        "code": c,
        "name": str(row["name"]),
        "level": int(row["level"]),
        "level_name": str(row["level_name"]),
        "section": str(row["section"]),
        "path": path,
        "children": int((ind["parent"] == c).sum()),
        "concordances": conc,
        "vintage": "GB/T 4754-2017 (2019 amendment)",
    }


def lookup_region(code: str) -> dict[str, Any]:
    """Describe a GB/T 2260 region code: name, level, parents, coordinates, clusters.

    Example
    -------
    >>> lookup_region("320200")["name"]
    '无锡市'
    """
    c = _clean(code)
    if c.endswith(".0"):
        c = c[:-2]
    reg = reference.regions().set_index("code")
    if c not in reg.index:
        raise JiqunError(
            f"GB/T 2260（2023）中没有行政区划代码「{c}」",
            f"'{c}' is not a GB/T 2260 (2023) region code",
        )
    row = reg.loc[c]
    path = _path(reg, c, "parent_code")
    pref = c if row["level"] != "county" else row["parent_code"]
    cl = reference.clusters()
    hits = cl[cl["member_regions"].fillna("").str.split(";").map(lambda xs: c in xs or pref in xs)]
    lon, lat = row.get("lon"), row.get("lat")
    return {
        "code": c,
        "name": str(row["name"]),
        "level": str(row["level"]),
        "path": path,
        "lon": None if lon is None or lon != lon or lon == "" else float(lon),
        "lat": None if lat is None or lat != lat or lat == "" else float(lat),
        "children": int((reg["parent_code"] == c).sum()),
        "clusters": [
            {"cluster_id": r.cluster_id, "name": r.name_zh, "tier": r.tier}
            for r in hits.itertuples(index=False)
        ],
        "vintage": "GB/T 2260 (2023)",
    }
