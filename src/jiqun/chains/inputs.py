"""The inputs every chain analysis shares, prepared once: the firms table with its numeric
columns and units, the analysed region, supply links, the template's segments and input pairs,
and the basis labels of the local supporting rate. Inputs are described in
:mod:`jiqun.chains.analysis`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from jiqun.chains.templates import ChainTemplate
from jiqun.standard.datafiles import section
from jiqun.standard.problems import JiqunError

#: basis id → (中文, English) label shown with every local supporting rate
BASIS_LABELS: dict[str, tuple[str, str]] = section("labels.yaml", "basis_labels", "jiqun.chains")

NUMERIC = ("output", "revenue", "employees", "rd_expense", "lon", "lat")
PREPARED = {"uscc", "region_code", "unit", "name", "tags", *NUMERIC}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def region_set(region: str | Iterable[str] | None) -> set[str] | None:
    if region is None:
        return None
    if isinstance(region, str):
        return {region}
    out = {str(r) for r in region}
    if not out:
        raise JiqunError("地区为空", "the region is empty")
    return out


def prep_firms(firms: pd.DataFrame) -> pd.DataFrame:
    if firms.attrs.get("_jiqun_chain_firms") and set(firms.columns) >= PREPARED:
        return firms  # already prepared by analyse_chain (never modified afterwards)
    missing = {"uscc", "region_code"} - set(firms.columns)
    if missing:
        raise JiqunError(
            f"企业表缺少列：{', '.join(sorted(missing))}",
            f"the firm table lacks column(s): {', '.join(sorted(missing))}",
        )
    f = firms.drop_duplicates(subset="uscc").copy()
    # Plain Python strings (object dtype): ``isin`` against large sets of codes is hash-based
    # there, while Arrow-backed strings convert the whole set on every call.
    f["uscc"] = f["uscc"].astype("str").astype(object)
    f["region_code"] = f["region_code"].astype("str").astype(object)
    f["unit"] = f["unit"].astype("str").astype(object) if "unit" in f else f["region_code"]
    for c in NUMERIC:
        f[c] = pd.to_numeric(f[c], errors="coerce").astype("float64") if c in f else np.nan
    f["name"] = f["name"].astype("str") if "name" in f else f["uscc"]
    f["tags"] = f["tags"].fillna("").astype("str") if "tags" in f else ""
    f = f.set_index("uscc", drop=False)
    # an unnamed index keeps "uscc" unambiguous for groupby/merge on the column
    f.index.name = None
    f.attrs["_jiqun_chain_firms"] = True
    return f


def local_mask(f: pd.DataFrame, region: set[str] | None) -> pd.Series:
    if region is None:
        return pd.Series(True, index=f.index)
    return f["region_code"].isin(region) | f["unit"].isin(region)


def chain_rows(
    mapping: pd.DataFrame, template: ChainTemplate, min_confidence: float
) -> pd.DataFrame:
    need = {"uscc", "segment", "confidence"}
    if not need <= set(mapping.columns):
        raise JiqunError(
            "映射表须有 uscc, segment, confidence 列（见 map_firms）",
            "the mapping needs uscc, segment and confidence columns (see map_firms)",
        )
    m = mapping
    if "chain" in m:
        m = m[m["chain"].astype("str") == template.id]
    m = m[
        (m["confidence"].astype("float64") >= min_confidence)
        & m["segment"].isin(template.segment_ids)
    ]
    return m[["uscc", "segment", "confidence"]].assign(
        uscc=lambda d: d["uscc"].astype("str").astype(object),
        segment=lambda d: d["segment"].astype("str").astype(object),
    )


class ChainScope(NamedTuple):
    """What an analysis of one chain in one region starts from (see :func:`chain_scope`)."""

    region: set[str] | None
    firms: pd.DataFrame
    local: pd.Series
    rows: pd.DataFrame


def chain_scope(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str] | None,
    min_confidence: float,
) -> ChainScope:
    """The region, the prepared firms, which of them are local, and their chain rows.

    ``rows`` are the mapping's rows on ``template`` at ``min_confidence`` or more, of firms in
    the firm table, one per (firm, segment).
    """
    reg = region_set(region)
    f = prep_firms(firms)
    q = chain_rows(mapping, template, min_confidence)
    q = q[q["uscc"].isin(f.index)].drop_duplicates(subset=["uscc", "segment"])
    return ChainScope(reg, f, local_mask(f, reg), q)


def norm_links(links: pd.DataFrame | None) -> pd.DataFrame | None:
    if links is None or not len(links):
        return None
    ren = {"supplier_uscc": "supplier", "buyer_uscc": "buyer"}
    lk = links.rename(columns={k: v for k, v in ren.items() if k in links and v not in links})
    if not {"supplier", "buyer"} <= set(lk.columns):
        raise JiqunError(
            "供应关系须有 supplier, buyer（或 supplier_uscc, buyer_uscc）列",
            "supply links need supplier and buyer (or supplier_uscc, buyer_uscc) columns",
        )
    value = pd.to_numeric(lk["value"], errors="coerce") if "value" in lk else np.nan
    out = pd.DataFrame(
        {
            "supplier": lk["supplier"].astype("str").astype(object).to_numpy(),
            "buyer": lk["buyer"].astype("str").astype(object).to_numpy(),
            "value": np.asarray(value, dtype="float64")
            if not np.isscalar(value)
            else np.full(len(lk), np.nan),
        }
    )
    out["link"] = np.arange(len(out))
    # object dtype (see prep_firms): the DataFrame constructor infers Arrow strings
    return out.astype({"supplier": object, "buyer": object})


def seg_meta(template: ChainTemplate) -> pd.DataFrame:
    order = template.topological_order()
    by = {s.id: s for s in template.segments}
    return pd.DataFrame(
        {
            "segment": list(order),
            "name_zh": [by[s].name_zh for s in order],
            "name_en": [by[s].name_en for s in order],
            "position": [by[s].position for s in order],
        }
    )


def has_tag(tags: pd.Series, tag: str) -> pd.Series:
    return tags.str.split(";").map(lambda ts: tag in ts).astype(bool)


def pct_rank(s: pd.Series) -> pd.Series:
    """Percentile rank in (0, 1]; missing values score 0 (no evidence)."""
    return s.rank(pct=True, method="average").fillna(0.0)


def input_pairs(template: ChainTemplate) -> pd.DataFrame:
    """(buyer segment, input segment) pairs of the DAG."""
    e = template.edges()
    return pd.DataFrame({"segment": e["buyer"], "input": e["supplier"]})
