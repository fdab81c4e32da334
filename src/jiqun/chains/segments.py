"""Per-segment figures of a region (segment table with location quotients) and chain
completeness (产业链完整度). Methods: ``docs/METHODS.md`` §5."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jiqun.analytics.rca import lq_from_totals
from jiqun.chains.inputs import (
    NUMERIC,
    chain_rows,
    has_tag,
    local_mask,
    prep_firms,
    region_set,
    seg_meta,
)
from jiqun.chains.templates import ChainTemplate
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import TAGS


def segment_table(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str] | None = None,
    *,
    measure: str = "output",
    min_confidence: float = 0.0,
) -> pd.DataFrame:
    """Per segment: local firms, output, revenue, employees, R&D and tagged firms.

    A firm mapped to several segments counts fully in each (segment rows do not add up to the
    chain). ``lq`` is the segment's location quotient on ``measure``:
    ``LQ = (X_rs / X_r) / (X_s / X)`` with ``X_r`` the region's total over **all** its firms
    and ``X_s`` the segment's national total.

    Parameters
    ----------
    mapping, firms, template, region:
        See the module docstring; ``region=None`` means the whole country.
    measure:
        Value column for ``share_of_national`` and ``lq`` (``output`` default, or
        ``revenue``/``employees``).
    min_confidence:
        Ignore mappings below this confidence.

    Returns
    -------
    pandas.DataFrame
        One row per segment in chain order: ``segment``, ``name_zh``, ``name_en``,
        ``position``, ``firms``, ``output``, ``revenue``, ``employees``, ``rd_expense``,
        ``firms_low_confidence`` (local firms mapped to the segment only below
        ``min_confidence``: counted in no other column), ``tagged_firms`` (firms with any
        tag), one count per tag id of
        :data:`~jiqun.standard.schema.TAGS`, ``firms_national``, ``<measure>_national``,
        ``share_of_national`` and ``lq``.

    References
    ----------
    ``docs/METHODS.md`` §5; location quotient as in :mod:`jiqun.analytics.rca`.

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["a", "b"], "region_code": ["130600", "320500"],
    ...                       "output": [10.0, 30.0]})
    >>> m = pd.DataFrame({"uscc": ["a", "b"], "chain": "photovoltaics",
    ...                   "segment": "cells_modules", "confidence": 0.9})
    >>> segment_table(m, firms, t, {"130600"}).set_index("segment").loc["cells_modules", "firms"]
    np.int64(1)
    """
    if measure not in NUMERIC[:4]:
        raise JiqunError(
            f"指标必须是 output、revenue、employees 或 rd_expense，而不是 {measure!r}",
            f"measure must be output, revenue, employees or rd_expense, not {measure!r}",
        )
    reg = region_set(region)
    f = prep_firms(firms)
    local = local_mask(f, reg)
    m = chain_rows(mapping, template, min_confidence)
    m = m[m["uscc"].isin(f.index)]
    # local firms mapped below the threshold are counted nowhere, but shown: an official should
    # see that a segment called missing has firms that are only code-mapped, to be verified
    low = chain_rows(mapping, template, 0.0)
    low = low[
        low["uscc"].isin(f.index)
        & (low["confidence"].astype("float64") < min_confidence)
        & low["uscc"].map(local).fillna(False).astype(bool)
    ]
    j = m.merge(f.drop(columns="uscc"), left_on="uscc", right_index=True, how="left")
    j["local"] = j["uscc"].map(local).astype(bool)
    loc = j[j["local"]]
    g = loc.groupby("segment")
    out = seg_meta(template).set_index("segment")
    out["firms"] = g["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
    counted = set(zip(loc["uscc"], loc["segment"], strict=True))
    keep = np.array(
        [p not in counted for p in zip(low["uscc"], low["segment"], strict=True)], dtype=bool
    )
    below = low[keep]
    out["firms_low_confidence"] = (
        below.groupby("segment")["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
    )
    for c in ("output", "revenue", "employees", "rd_expense"):
        out[c] = g[c].sum(min_count=1).reindex(out.index).fillna(0.0)
    any_tag = loc["tags"].str.strip() != ""
    out["tagged_firms"] = (
        loc[any_tag]
        .groupby("segment")["uscc"]
        .nunique()
        .reindex(out.index)
        .fillna(0)
        .astype("int64")
    )
    for tag in TAGS:
        hit = loc[has_tag(loc["tags"], tag)]
        out[tag] = (
            hit.groupby("segment")["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
        )
    gn = j.groupby("segment")
    out["firms_national"] = gn["uscc"].nunique().reindex(out.index).fillna(0).astype("int64")
    nat_col = f"{measure}_national"
    out[nat_col] = gn[measure].sum(min_count=1).reindex(out.index).fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_of_national"] = np.where(out[nat_col] > 0, out[measure] / out[nat_col], np.nan)
        x_r = float(f.loc[local, measure].sum())
        x = float(f[measure].sum())
        out["lq"] = lq_from_totals(out[measure], x_r, out[nat_col], x)
    return out.reset_index()


@dataclass
class Completeness:
    """Chain completeness (产业链完整度) of a region.

    Attributes
    ----------
    table:
        Per segment: ``segment``, ``name_zh``, ``name_en``, ``position``, ``local_firms``,
        ``present`` (≥ ``min_firms`` local firms) and ``weight`` (value share, NaN when
        unweighted).
    completeness:
        Share of segments present (count basis).
    weighted_completeness:
        Σ weight·present / Σ weight, or ``None`` when unweighted.
    basis:
        ``"count"``; ``weights_basis`` says what the weights are.
    """

    table: pd.DataFrame
    completeness: float
    weighted_completeness: float | None
    basis: str = "count"
    weights_basis: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Segments without a local firm."""
        return self.table.loc[~self.table["present"], "segment"].tolist()


def chain_completeness(
    mapping: pd.DataFrame,
    firms: pd.DataFrame,
    template: ChainTemplate,
    region: str | Iterable[str],
    *,
    weights: str | Mapping[str, float] | pd.Series | None = None,
    measure: str = "output",
    min_firms: int = 1,
    min_confidence: float = 0.0,
) -> Completeness:
    """Chain completeness: the share of segments with at least one local firm.

    ``C = |{s : n_rs ≥ min_firms}| / |S|`` (count basis). Weighted:
    ``C_w = Σ_s w_s·1[n_rs ≥ min_firms] / Σ_s w_s`` with ``w_s`` the segment's national value
    share (``weights="value"``: national ``measure`` of the firms mapped to ``s`` over the sum
    across segments) or user weights by segment id.

    Parameters
    ----------
    mapping, firms, template, region:
        See the module docstring.
    weights:
        ``None`` (count only), ``"value"`` or a mapping/Series segment → weight.
    measure:
        Value column of the ``"value"`` weights.
    min_firms:
        Local firms needed for a segment to count as present.
    min_confidence:
        Ignore mappings below this confidence.

    Returns
    -------
    Completeness

    References
    ----------
    docs/METHODS.md §5 ("Chain completeness").

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> firms = pd.DataFrame({"uscc": ["a"], "region_code": ["130600"]})
    >>> m = pd.DataFrame({"uscc": ["a"], "segment": ["cells_modules"], "confidence": [0.9]})
    >>> round(chain_completeness(m, firms, t, "130600").completeness, 4)
    0.1667
    """
    st = segment_table(
        mapping, firms, template, region, measure=measure, min_confidence=min_confidence
    )
    table = st[["segment", "name_zh", "name_en", "position"]].copy()
    table["local_firms"] = st["firms"]
    table["present"] = st["firms"] >= min_firms
    notes: list[str] = []
    wb: str | None = None
    w = pd.Series(np.nan, index=st.index)
    if isinstance(weights, str):
        if weights != "value":
            raise JiqunError(
                f"weights 只能是 'value'、映射或 None，而不是 {weights!r}",
                f"weights must be 'value', a mapping or None, not {weights!r}",
            )
        nat = st[f"{measure}_national"]
        if nat.sum() > 0:
            w = nat / nat.sum()
            wb = f"national {measure} share of each segment (全国各环节{measure}占比)"
        else:
            notes.append(
                f"全国各环节 {measure} 均为 0，无法加权 / national {measure} is 0 in every "
                "segment; no weighting"
            )
    elif weights is not None:
        ws = pd.Series(dict(weights), dtype="float64")
        unknown = sorted(set(ws.index) - set(template.segment_ids))
        if unknown:
            raise JiqunError(
                f"权重中有未知环节：{', '.join(unknown)}",
                f"weights name unknown segments: {', '.join(unknown)}",
            )
        w = st["segment"].map(ws).fillna(0.0)
        wb = "user weights (用户权重)"
    table["weight"] = w.to_numpy()
    comp = float(table["present"].mean()) if len(table) else float("nan")
    weighted = None
    if wb is not None and float(np.nansum(table["weight"])) > 0:
        weighted = float((table["weight"] * table["present"]).sum() / table["weight"].sum())
    return Completeness(table, comp, weighted, "count", wb, notes)
