"""Innovation resources of clusters (docs/innovation.md): counts, concentration, gaps (pure functions).

Resources are innovation carriers (制造业创新中心, 技术创新中心, 重点实验室, ...) and tagged
enterprises (单项冠军, 专精特新"小巨人", 专精特新, 高新技术企业, 链主). A resource is *inside* a cluster
when it is assigned to it (see :mod:`jiqun.services.innovation` for the rule). Formulas:

- share inside clusters ``s = n_inside / n_national`` with distinct resources (a resource inside
  two clusters counts once);
- Herfindahl–Hirschman index across clusters ``HHI = Σ_c (n_c / Σ_c n_c)²`` and the effective
  number of clusters ``1 / HHI`` (how evenly the resources spread over the clusters holding
  them);
- gaps: a cluster's leading industry (or chain segment) with no national carrier inside the
  cluster.

Example
-------
>>> import pandas as pd
>>> a = pd.DataFrame({"cluster_id": ["A", "A", "B"], "resource": ["mic", "mic", "mic"],
...                   "item": [1, 2, 3]})
>>> r = concentration(a, {"mic": 4}).loc["mic"]
>>> int(r["inside"]), float(r["share_inside"]), round(float(r["hhi"]), 4)  # (2/3)² + (1/3)²
(3, 0.75, 0.5556)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from jiqun.standard.problems import JiqunError

#: the headline figures of the 45 national clusters; the year each describes is in
#: :data:`HEADLINE_AS_OF` (most describe 2021, as MIIT stated them in November 2022)
HEADLINE: dict[str, tuple[str, str, float, str]] = {
    # key: (中文, English, published value, comparison)
    "clusters_2021_2022": (
        "国家先进制造业集群（2021–2022 两批）",
        "national clusters (2021–2022)",
        45,
        "=",
    ),
    "output_trillion_yuan": (
        "主导产业产值（万亿元，2023）",
        "leading-industry output (trillion yuan, 2023)",
        20,
        ">",
    ),
    "mic_in_45": (
        "集群内国家制造业创新中心",
        "national manufacturing innovation centres inside",
        18,
        "=",
    ),
    "mic_share": ("占全部国家制造业创新中心比重", "share of all national MICs", 0.70, "≈"),
    "tech_carriers_in_45": (
        "国家级技术创新载体",
        "national technology innovation carriers",
        1700,
        ">",
    ),
    "champions_in_45": ("国家级单项冠军企业", "national single-item champions", 170, ">"),
    "little_giants_in_45": ('专精特新"小巨人"企业', "little giants", 2200, ">"),
}

_AS_OF_2021 = (
    "2021",
    "2021 年数据，工业和信息化部 2022 年 11 月发布",
    "2021 figure, stated by MIIT in November 2022",
)
#: figure -> (year described, 中文 note, English note). The counts of centres, carriers,
#: champions and little giants describe 2021 (MIIT's statement of November 2022, when the second
#: batch was announced); only the output of more than ¥20 trillion is a 2023 figure.
HEADLINE_AS_OF: dict[str, tuple[str, str, str]] = {
    "clusters_2021_2022": (
        "2022",
        "2021、2022 两批名单，工业和信息化部 2022 年 11 月公布第二批",
        "2021 and 2022 batches; the second announced by MIIT in November 2022",
    ),
    "output_trillion_yuan": ("2023", "2023 年数据", "2023 figure"),
    "mic_in_45": _AS_OF_2021,
    "mic_share": _AS_OF_2021,
    "tech_carriers_in_45": _AS_OF_2021,
    "champions_in_45": _AS_OF_2021,
    "little_giants_in_45": _AS_OF_2021,
}


def _check(assigned: pd.DataFrame) -> None:
    missing = {"cluster_id", "resource", "item"} - set(assigned.columns)
    if missing:
        raise JiqunError(
            f"缺少列：{', '.join(sorted(missing))}",
            f"missing columns: {', '.join(sorted(missing))}",
        )


def counts(assigned: pd.DataFrame) -> pd.DataFrame:
    """Resources per cluster: a cluster × resource table of distinct items.

    Parameters
    ----------
    assigned:
        One row per (cluster_id, resource kind, item id) assignment.

    Returns
    -------
    pandas.DataFrame
        Indexed by cluster_id, one integer column per resource kind.

    Example
    -------
    >>> a = pd.DataFrame({"cluster_id": ["A", "A", "B"], "resource": ["mic", "lg", "lg"],
    ...                   "item": [1, 2, 3]})
    >>> counts(a).to_dict()
    {'lg': {'A': 1, 'B': 1}, 'mic': {'A': 1, 'B': 0}}
    """
    _check(assigned)
    if assigned.empty:
        return pd.DataFrame()
    return (
        assigned.drop_duplicates(["cluster_id", "resource", "item"])
        .pivot_table(index="cluster_id", columns="resource", values="item", aggfunc="count")
        .fillna(0)
        .astype(np.int64)
        .rename_axis(columns=None)
    )


def concentration(assigned: pd.DataFrame, national: Mapping[str, int]) -> pd.DataFrame:
    """Share of each resource inside clusters, HHI across clusters and effective number.

    Parameters
    ----------
    assigned:
        One row per (cluster_id, resource, item) assignment.
    national:
        National total of each resource (distinct items, inside or outside clusters).

    Returns
    -------
    pandas.DataFrame
        Indexed by resource: ``national``, ``inside`` (distinct items), ``outside``,
        ``share_inside``, ``clusters_with`` (clusters holding ≥ 1), ``hhi``,
        ``effective_clusters`` (``1 / hhi``).

    References
    ----------
    Hirschman (1964); Herfindahl (1950).
    """
    _check(assigned)
    rows = []
    c = counts(assigned)
    for res, total in national.items():
        inside = int(assigned.loc[assigned["resource"] == res, "item"].nunique())
        if total < inside:
            raise JiqunError(
                f"{res}: 全国总数 {total} 小于集群内数 {inside}",
                f"{res}: national total {total} is below the number inside clusters {inside}",
            )
        col = c[res] if res in c.columns else pd.Series(dtype=float)
        s = col[col > 0].astype(float)
        hhi = float(((s / s.sum()) ** 2).sum()) if s.sum() > 0 else np.nan
        rows.append(
            {
                "resource": res,
                "national": int(total),
                "inside": inside,
                "outside": int(total) - inside,
                "share_inside": inside / total if total else np.nan,
                "clusters_with": int((col > 0).sum()),
                "hhi": hhi,
                "effective_clusters": 1.0 / hhi if hhi and hhi > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("resource")


def gaps(
    leading: Mapping[str, list[str]], carriers_inside: pd.DataFrame, level: str = "national"
) -> pd.DataFrame:
    """Leading industries (or segments) of each cluster with no carrier of ``level`` inside.

    Parameters
    ----------
    leading:
        ``cluster_id → [industry codes or segment ids]``.
    carriers_inside:
        Carriers inside clusters with ``cluster_id``, ``industry_code`` (or segment) and ``level``.
    level:
        Carrier level that counts (default ``national``).

    Returns
    -------
    pandas.DataFrame
        ``cluster_id``, ``industry_code``, ``carriers`` (count at that level), ``gap`` (bool).

    Example
    -------
    >>> car = pd.DataFrame({"cluster_id": ["A"], "industry_code": ["3973"], "level": ["national"]})
    >>> gaps({"A": ["3973", "3976"]}, car)["gap"].tolist()
    [False, True]
    """
    have = (
        carriers_inside[carriers_inside["level"] == level]
        .groupby(["cluster_id", "industry_code"])
        .size()
    )
    rows = [
        {"cluster_id": cid, "industry_code": ind, "carriers": int(have.get((cid, ind), 0))}
        for cid, inds in leading.items()
        for ind in inds
    ]
    out = pd.DataFrame(rows, columns=["cluster_id", "industry_code", "carriers"])
    out["gap"] = out["carriers"] == 0
    return out


def headline_table(data: Mapping[str, float]) -> pd.DataFrame:
    """Published headline figures beside the same figures computed from the data.

    ``comparison`` says how the published figure is worded (``>`` = "more than", ``≈``,
    ``=``); ``consistent`` checks the data figure against that wording (``≈`` within 10%).

    Parameters
    ----------
    data:
        The figures computed from the data, keyed as :data:`HEADLINE` (missing keys → NaN).

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``figure``, ``label``, ``published``, ``wording``, ``from_data``,
        ``consistent`` and ``as_of`` / ``as_of_note`` — the year the published figure describes
        (:data:`HEADLINE_AS_OF`: 2021 for the counts, 2023 for the output) and a bilingual note.

    Example
    -------
    >>> h = headline_table({"mic_in_45": 18}).set_index("figure")
    >>> h.loc["mic_in_45", "as_of"], h.loc["output_trillion_yuan", "as_of"]
    ('2021', '2023')
    """
    rows = []
    for key, (zh, en, pub, cmp) in HEADLINE.items():
        v = data.get(key, np.nan)
        if v is None or (isinstance(v, float) and np.isnan(v)):
            ok = None
        elif cmp == ">":
            ok = bool(v >= pub)
        elif cmp == "=":
            ok = bool(v == pub)
        else:
            ok = bool(abs(v - pub) <= 0.1 * abs(pub))
        rows.append(
            {
                "figure": key,
                "label": f"{zh} / {en}",
                "published": pub,
                "wording": cmp,
                "from_data": v,
                "consistent": ok,
                "as_of": HEADLINE_AS_OF[key][0],
                "as_of_note": f"{HEADLINE_AS_OF[key][1]} / {HEADLINE_AS_OF[key][2]}",
            }
        )
    return pd.DataFrame(rows)
