"""Supplier and geographic concentration of supply (``docs/METHODS.md`` §6).

- :func:`supplier_concentration` — per buyer and input category: Herfindahl–Hirschman index over
  suppliers ``HHI = Σ_j s_j²`` (``s_j`` = supplier ``j``'s share of what the buyer buys in that
  category) and the effective number of suppliers ``1 / HHI``;
- :func:`single_sourced_share` — share of (buyer, input) pairs with one supplier, by count and by
  value;
- :func:`geographic_concentration` — per segment (input category or any grouping of links):
  HHI of the supply value over supplier regions, the top region, the share supplied from outside
  the country and the EU strategic-dependency screen (HHI of the foreign sources > 0.4 **and**
  foreign share > 0.5 of the segment's supply).

Value basis by default; without a value column every link weighs 1 (count basis), stated in the
``basis`` column. Rows with the same supplier, buyer and category are summed first.

References
----------
- Herfindahl, O. C. (1950). *Concentration in the Steel Industry*. PhD thesis, Columbia; Hirschman,
  A. O. (1945). *National Power and the Structure of Foreign Trade*. UC Press.
- Adelman, M. A. (1969). Comment on the "H" concentration measure as a numbers-equivalent.
  *Review of Economics and Statistics* 51(1), 99–101 (``1/HHI`` as effective number).
- European Commission (2021). *Strategic dependencies and capacities*. Commission Staff Working
  Document SWD(2021) 352 (HHI > 0.4 and import share > 50 % screen).
"""

from __future__ import annotations

import re
import warnings
from typing import Literal

import numpy as np
import pandas as pd

from jiqun.analytics.rca import JiqunWarning
from jiqun.resilience.network import fmt_number, numeric_column, require_columns
from jiqun.standard.problems import JiqunError

__all__ = [
    "DEPENDENCY_HHI",
    "DEPENDENCY_IMPORT_SHARE",
    "geographic_concentration",
    "is_foreign",
    "region_at_level",
    "single_sourced_share",
    "supplier_concentration",
]

#: EU screen thresholds (European Commission 2021)
DEPENDENCY_HHI = 0.4
DEPENDENCY_IMPORT_SHARE = 0.5

RegionLevel = Literal["province", "prefecture", "county"]
_CN_CODE = re.compile(r"^\d{6}$")
# GB/T 2260 province-level prefixes (mainland 11–65; 71 台湾, 81 香港, 82 澳门 are GB/T 2260 codes)
_CN_PREFIX = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82"}
)


def _weights(links: pd.DataFrame, value: str | None) -> tuple[np.ndarray, str]:
    if value is not None and value in links.columns:
        return numeric_column(links, "links", value), "value"
    return np.ones(len(links)), "count"


def _pairs(
    links: pd.DataFrame, category: str | None, supplier: str, buyer: str, value: str | None
) -> tuple[pd.DataFrame, str]:
    need = [supplier, buyer] + ([category] if category else [])
    require_columns(links, "links", need)
    w, basis = _weights(links, value)
    df = pd.DataFrame(
        {
            "buyer": links[buyer].to_numpy(),
            "category": links[category].to_numpy() if category else "",
            "supplier": links[supplier].to_numpy(),
            "w": w,
        }
    )
    if category:
        miss = pd.isna(df["category"])
        if miss.any():
            raise JiqunError(
                f"links 的 {category} 列有 {int(miss.sum())} 个空值",
                f"column {category} of links has {int(miss.sum())} missing value(s)",
            )
    df = df.groupby(["buyer", "category", "supplier"], sort=False, as_index=False)["w"].sum()
    return df, basis


def supplier_concentration(
    links: pd.DataFrame,
    category: str | None = "input_category",
    *,
    supplier: str = "supplier",
    buyer: str = "buyer",
    value: str | None = "value",
) -> pd.DataFrame:
    """Supplier HHI and effective number of suppliers per buyer and input category.

    ``HHI_bc = Σ_j (v_jbc / V_bc)²`` over the suppliers ``j`` of buyer ``b`` in category ``c``
    (``V_bc = Σ_j v_jbc``); ``effective_suppliers = 1 / HHI`` (equal to the number of suppliers
    when they share equally). Count basis: ``HHI = 1 / n``.

    Source: ``docs/METHODS.md`` §6 (supplier concentration); Hirschman (1945), Herfindahl (1950);
    Adelman (1969) for the numbers-equivalent.

    Parameters
    ----------
    links:
        ``supplier``, ``buyer``, ``value`` and the category column.
    category:
        Input category column (``input_category`` in the Jiqun store); ``None`` pools all inputs
        of a buyer.
    supplier, buyer, value:
        Column names; ``value=None`` or a missing column gives the count basis.

    Returns
    -------
    pandas.DataFrame
        One row per (buyer, category): ``buyer``, ``category``, ``n_suppliers``, ``value``,
        ``hhi``, ``effective_suppliers``, ``top_supplier``, ``top_share``, ``single_sourced``,
        ``basis``. Pairs whose total value is 0 are dropped with a warning.

    References
    ----------
    Hirschman (1945); Herfindahl (1950); Adelman (1969).

    Example
    -------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"supplier": ["A", "B", "C"], "buyer": ["X", "X", "X"],
    ...                       "input_category": ["3973"] * 3, "value": [50.0, 30.0, 20.0]})
    >>> r = supplier_concentration(links).iloc[0]
    >>> round(float(r.hhi), 4), round(float(r.effective_suppliers), 4), r.top_supplier
    (0.38, 2.6316, 'A')
    """
    df, basis = _pairs(links, category, supplier, buyer, value)
    g = df.groupby(["buyer", "category"], sort=True)
    V = g["w"].transform("sum")
    zero = V <= 0
    if zero.any():
        z = df.loc[zero, ["buyer", "category"]].drop_duplicates()
        warnings.warn(
            f"已忽略 {len(z)} 个采购总额为 0 的（采购方, 类别）/ dropped {len(z)} (buyer, category) "
            f"pair(s) with total value 0: {fmt_number(list(z.itertuples(index=False, name=None)), 5)}",
            JiqunWarning,
            stacklevel=2,
        )
        df, V = df.loc[~zero], V[~zero]
    df = df.assign(share=df["w"] / V, sq=(df["w"] / V) ** 2)
    g = df.groupby(["buyer", "category"], sort=True)
    top = df.loc[g["w"].idxmax(), ["buyer", "category", "supplier", "share"]]
    out = g.agg(n_suppliers=("supplier", "size"), value=("w", "sum"), hhi=("sq", "sum"))
    out = out.reset_index()
    out["effective_suppliers"] = 1.0 / out["hhi"]
    top = top.rename(columns={"supplier": "top_supplier", "share": "top_share"})
    out = out.merge(top, on=["buyer", "category"], how="left")
    out["single_sourced"] = out["n_suppliers"] == 1
    out["basis"] = basis
    if category is None:
        out = out.drop(columns="category")
    return out


def single_sourced_share(
    links: pd.DataFrame,
    category: str | None = "input_category",
    *,
    supplier: str = "supplier",
    buyer: str = "buyer",
    value: str | None = "value",
) -> pd.Series:
    """Share of (buyer, input category) pairs that have a single supplier, by count and value.

    ``count_share = #{(b, c): n_bc = 1} / #{(b, c)}``;
    ``value_share = Σ_{(b,c): n_bc = 1} V_bc / Σ V_bc`` (NaN on the count basis).

    Source: ``docs/METHODS.md`` §6 (single-sourced share).

    Parameters
    ----------
    links:
        ``supplier``, ``buyer``, ``value``, category column.
    category:
        Input category column, or ``None`` (a buyer with one supplier overall).
    supplier, buyer, value:
        Column names.

    Returns
    -------
    pandas.Series
        ``pairs``, ``single_sourced_pairs``, ``count_share``, ``value``,
        ``single_sourced_value``, ``value_share``.

    References
    ----------
    ``docs/METHODS.md`` §6.

    Example
    -------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"supplier": ["A", "B", "C"], "buyer": ["X", "X", "Y"],
    ...                       "input_category": ["c1", "c1", "c1"], "value": [1.0, 1.0, 6.0]})
    >>> single_sourced_share(links)[["count_share", "value_share"]].tolist()
    [0.5, 0.75]
    """
    df, basis = _pairs(links, category, supplier, buyer, value)
    g = df.groupby(["buyer", "category"], sort=False).agg(n=("supplier", "size"), v=("w", "sum"))
    single = g["n"] == 1
    pairs = len(g)
    out = {
        "pairs": float(pairs),
        "single_sourced_pairs": float(single.sum()),
        "count_share": float(single.sum() / pairs) if pairs else float("nan"),
        "value": float(g["v"].sum()) if basis == "value" else float("nan"),
        "single_sourced_value": float(g.loc[single, "v"].sum())
        if basis == "value"
        else float("nan"),
    }
    out["value_share"] = (
        out["single_sourced_value"] / out["value"]
        if basis == "value" and out["value"] > 0
        else float("nan")
    )
    return pd.Series(out, name="single_sourced")


def is_foreign(
    region: pd.Series | np.ndarray, flag: pd.Series | np.ndarray | None = None
) -> np.ndarray:
    """True where a firm is outside the country: a ``foreign`` flag, or a non-GB/T 2260 code.

    A region code counts as domestic when it has six digits and a GB/T 2260 province prefix
    (11–65, 71, 81, 82); anything else that is present (ISO country codes such as ``"US"``,
    ``"JP"``, ``"DEU"``) is foreign. Missing codes are **not** foreign (unknown location). A
    ``flag`` (bool, e.g. a ``foreign`` column) overrides the code where it is set.

    Source: GB/T 2260 code structure; Jiqun convention for suppliers outside the country.

    Parameters
    ----------
    region:
        Region codes.
    flag:
        Optional boolean override (missing = use the code).

    Returns
    -------
    numpy.ndarray
        Boolean.

    References
    ----------
    GB/T 2260《中华人民共和国行政区划代码》.

    Example
    -------
    >>> is_foreign(pd.Series(["440300", "US", None, "999999"])).tolist()
    [False, True, False, True]
    """
    r = pd.Series(np.asarray(region, dtype=object))
    present = r.notna().to_numpy()
    txt = r.astype(str).str.strip()
    domestic = txt.str.match(_CN_CODE).fillna(False).to_numpy(dtype=bool) & txt.str[:2].isin(
        _CN_PREFIX
    ).to_numpy(dtype=bool)
    out = present & ~domestic
    if flag is not None:
        f = pd.Series(np.asarray(flag, dtype=object))
        known = f.notna().to_numpy()
        out = np.where(known, f.fillna(False).astype(bool).to_numpy(), out)
    return out


def region_at_level(region: pd.Series, level: RegionLevel | None) -> pd.Series:
    """Domestic 6-digit codes cut to their province (``xx0000``) or prefecture (``xxxx00``).

    Foreign and missing codes are returned unchanged.

    Source: GB/T 2260 code structure (2 + 2 + 2 digits).

    Parameters
    ----------
    region:
        Region codes.
    level:
        ``"province"``, ``"prefecture"``, ``"county"`` or ``None`` (unchanged).

    Returns
    -------
    pandas.Series

    References
    ----------
    GB/T 2260.

    Example
    -------
    >>> region_at_level(pd.Series(["440305", "JP"]), "province").tolist()
    ['440000', 'JP']
    """
    if level in (None, "county"):
        return region
    if level not in ("province", "prefecture"):
        raise JiqunError(
            f"level 应为 province、prefecture 或 county（得到 {level!r}）",
            f"level must be province, prefecture or county (got {level!r})",
        )
    keep = 2 if level == "province" else 4
    dom = ~is_foreign(region) & region.notna().to_numpy()
    txt = region.astype(object).where(~dom, region.astype(str).str[:keep].str.ljust(6, "0"))
    return txt


def geographic_concentration(
    links: pd.DataFrame,
    firms: pd.DataFrame,
    segment: str = "input_category",
    *,
    region: str = "region",
    level: RegionLevel | None = "province",
    foreign: str | None = "foreign",
    supplier: str = "supplier",
    id: str = "id",
    value: str | None = "value",
) -> pd.DataFrame:
    """Geographic concentration of each segment's supply and the dependency screen.

    For segment ``c`` with supply value ``v_rc`` from supplier region ``r`` (suppliers located by
    ``firms``; ``level`` aggregates domestic codes): ``hhi = Σ_r (v_rc / V_c)²``;
    ``foreign_share = Σ_{r foreign} v_rc / V_c``; ``import_hhi`` = the HHI over foreign source
    regions only; ``dependency = import_hhi > 0.4 and foreign_share > 0.5`` (EU 2021 screen).
    Suppliers with no known region form the region ``"unknown"`` (with a warning).

    Source: ``docs/METHODS.md`` §6 (geographic concentration, EU dependency thresholds); European
    Commission (2021) SWD(2021) 352.

    Parameters
    ----------
    links:
        ``supplier``, ``value`` and the segment column.
    firms:
        ``id``, region column and optionally a boolean ``foreign`` column.
    segment:
        Link column naming the segment (input category, chain segment, …).
    region, foreign, supplier, id, value:
        Column names (``foreign`` may be absent).
    level:
        Aggregate domestic regions to ``"province"`` (default), ``"prefecture"``, ``"county"``.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``segment``, ``value``, ``n_regions``, ``hhi``, ``top_region``,
        ``top_share``, ``foreign_share``, ``import_hhi``, ``dependency``, ``basis``.

    References
    ----------
    Hirschman (1945); European Commission (2021).

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["A", "B", "C"], "region": ["440300", "440100", "JP"]})
    >>> links = pd.DataFrame({"supplier": ["A", "B", "C"], "buyer": ["X"] * 3,
    ...                       "input_category": ["3973"] * 3, "value": [20.0, 20.0, 60.0]})
    >>> r = geographic_concentration(links, firms).iloc[0]
    >>> round(float(r.hhi), 2), float(r.foreign_share), bool(r.dependency)
    (0.52, 0.6, True)
    """
    require_columns(links, "links", [supplier, segment])
    require_columns(firms, "firms", [id, region])
    w, basis = _weights(links, value)
    f = firms.drop_duplicates(subset=[id]).set_index(id)
    reg = f[region].reindex(links[supplier].to_numpy())
    flag = f[foreign].reindex(links[supplier].to_numpy()) if foreign and foreign in f else None
    fr = is_foreign(reg.to_numpy(), None if flag is None else flag.to_numpy())
    lab = region_at_level(reg.reset_index(drop=True), level)
    unknown = lab.isna().to_numpy()
    if unknown.any():
        warnings.warn(
            f"{int(unknown.sum())} 条供应关系的供应方地区未知，计为 unknown / {int(unknown.sum())} "
            f"link(s) have a supplier with no known region; counted as region 'unknown'",
            JiqunWarning,
            stacklevel=2,
        )
    lab = lab.astype(object).where(~unknown, "unknown")
    df = pd.DataFrame({"segment": links[segment].to_numpy(), "r": lab.to_numpy(), "f": fr, "w": w})
    # (region, foreign) is the key: a flagged-foreign supplier never merges with domestic ones
    by = df.groupby(["segment", "r", "f"], sort=True).agg(v=("w", "sum")).reset_index()
    V = by.groupby("segment")["v"].transform("sum")
    by = by.loc[V > 0].assign(sh=by["v"] / V)
    by["sq"] = by["sh"] ** 2
    fv = by["v"].where(by["f"], 0.0)
    by["fv"] = fv
    F = by.groupby("segment")["fv"].transform("sum")
    by["fsq"] = np.where(F > 0, (fv / F.where(F > 0, 1.0)) ** 2, 0.0)
    g = by.groupby("segment", sort=True)
    top = by.loc[g["v"].idxmax(), ["segment", "r", "sh"]].rename(
        columns={"r": "top_region", "sh": "top_share"}
    )
    out = g.agg(
        value=("v", "sum"),
        n_regions=("r", "size"),
        hhi=("sq", "sum"),
        fval=("fv", "sum"),
        import_hhi=("fsq", "sum"),
    ).reset_index()
    out["foreign_share"] = out["fval"] / out["value"]
    out["import_hhi"] = out["import_hhi"].where(out["fval"] > 0, np.nan)
    out = out.drop(columns="fval").merge(top, on="segment", how="left")
    out["dependency"] = (out["import_hhi"].fillna(0.0) > DEPENDENCY_HHI) & (
        out["foreign_share"] > DEPENDENCY_IMPORT_SHARE
    )
    out["basis"] = basis
    cols = ["segment", "value", "n_regions", "hhi", "top_region", "top_share", "foreign_share"]
    return out[[*cols, "import_hhi", "dependency", "basis"]]
