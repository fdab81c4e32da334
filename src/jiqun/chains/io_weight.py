"""Input–output weights for 补链 (weak/missing-link) candidates: real inter-sector dependence.

Optional. Without a table nothing changes. With the technical coefficients ``A`` of an NBS
42-, 149- or 153-sector input–output table (``jiqun.inputoutput.coefficients``; the table is supplied by the
user, Jiqun ships none), each weak or missing segment ``g`` gets

``io_dependence(g) = Σ_s Σ_t u_g[s] · a_st · w_t``

where ``u_g`` spreads the segment over the IO sectors of its GB/T 4754 classes (equal weight per
class, through the shipped mapping ``reference/data/nbs_io42_to_gbt4754.csv``, or
``nbs_io_detailed_to_gbt4754.csv`` for a 149/153-sector table:
:func:`jiqun.inputoutput.sectors.io_sector_weights`), and ``w`` is the
region's present chain spread the same way, each present segment weighted by its share of the
local chain's value (``measure``; by local firm count when no value is known). It reads: yuan of
inputs from the segment's sectors per yuan of output of the region's chain industries, national
technology. ``io_weight = io_dependence / max`` over the listed segments (0..1); candidates get
``io_score = score · io_weight``, which ranks candidates **across** segments by how much the
region's chain depends on what they make. The order within a segment does not change.

Limits: the 42 sectors are coarse (e.g. 电池 and 电机 are both 19 电气机械和器材; the 149/153-sector
tables separate them), the coefficients are national not regional, and which industries a sector
covers rests on the sector names (see ``reference/data/SOURCES.md``).

References
----------
Miller, R. E. & Blair, P. D. (2009). *Input–Output Analysis*, 2nd ed., §2.2 (technical
coefficients). ``docs/inputoutput.md``; ``docs/METHODS.md`` (input–output weight of 补链).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jiqun.chains.templates import ChainTemplate
from jiqun.inputoutput.sectors import (
    IO42_VERIFICATION,
    IO_CLASSIFICATIONS,
    io_coefficients,
    io_sector_weights,
)

__all__ = ["IO_WEIGHT_BASIS", "segment_io_dependence", "segment_sector_shares"]

#: Basis string attached to results that used an input–output weight.
IO_WEIGHT_BASIS = (
    "补链候选的投入产出权重：区域产业链各环节对该环节所属投入产出部门的直接消耗系数（全国表，42 或 149/153 部门）/ "
    "IO weight of 补链 candidates: direct input coefficients (national 42- or 149/153-sector "
    "table) from the "
    "segment's IO sectors into the region's present chain. " + IO42_VERIFICATION
)


def _check_a(A: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    return io_coefficients(A, ("投入产出权重", "the IO weight"))


def segment_sector_shares(template: ChainTemplate, classification: str = "nbs42") -> pd.DataFrame:
    """Segments × IO sectors: each segment's classes spread equally over their sectors.

    Parameters
    ----------
    template:
        A chain template.
    classification:
        ``"nbs42"`` (default), ``"2017_149"`` or ``"2018_153"``
        (:data:`jiqun.inputoutput.sectors.IO_CLASSIFICATIONS`).

    Returns
    -------
    pandas.DataFrame
        Rows = segment ids, columns the classification's sector codes (``"01"``–``"42"``, or
        ``"001"``…), rows summing to 1 (0 when no class of the segment maps to a sector).

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> u = segment_sector_shares(get_template("photovoltaics"))
    >>> round(float(u.sum(axis=1).max()), 6)
    1.0
    """
    u = pd.DataFrame(
        0.0, index=list(template.segment_ids), columns=IO_CLASSIFICATIONS[classification]
    )
    for seg in template.segments:
        ws = [w for w in (io_sector_weights(c, classification) for c in seg.codes) if w]
        for w in ws:
            for s, v in w.items():
                u.loc[seg.id, s] += v / len(ws)
    return u


def segment_io_dependence(
    A: pd.DataFrame,
    template: ChainTemplate,
    local_value: pd.Series,
    segments: Iterable[str] | None = None,
) -> pd.DataFrame:
    """IO dependence of a region's present chain on each segment (see the module docstring).

    Parameters
    ----------
    A:
        Technical coefficients of an NBS 42-sector table (labels ``"01"``–``"42"``) or of a
        149/153-sector table (labels ``"001"``…).
    template:
        The chain template.
    local_value:
        Value (or firm count) of the region's chain by present segment id.
    segments:
        Segments to score (default: all of the template's).

    Returns
    -------
    pandas.DataFrame
        Indexed by segment: ``io_dependence`` (yuan per yuan) and ``io_weight`` (0..1, share of
        the largest; NaN when the region has no present segment or nothing depends).

    Raises
    ------
    JiqunError
        When ``A`` is not a 42-, 149- or 153-sector coefficient matrix.

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> t = get_template("photovoltaics")
    >>> A = pd.DataFrame(0.01, index=[f"{i:02d}" for i in range(1, 43)],
    ...                  columns=[f"{i:02d}" for i in range(1, 43)])
    >>> d = segment_io_dependence(A, t, pd.Series({"cells_modules": 1.0}))
    >>> float(d["io_weight"].max())
    1.0
    """
    A, classification = _check_a(A)
    u = segment_sector_shares(template, classification)
    segs = list(segments) if segments is not None else list(u.index)
    lv = pd.to_numeric(local_value, errors="coerce").fillna(0.0)
    lv = lv[lv.index.isin(u.index) & (lv > 0)]
    out = pd.DataFrame(index=pd.Index(segs, name="segment"))
    if not len(lv) or not segs:
        out["io_dependence"] = np.nan
        out["io_weight"] = np.nan
        return out
    w = (u.loc[lv.index].T @ (lv / lv.sum())).reindex(list(A.columns)).to_numpy()
    dep = u.loc[segs].to_numpy() @ A.to_numpy() @ w
    out["io_dependence"] = dep
    top = float(np.nanmax(dep)) if len(dep) else 0.0
    out["io_weight"] = dep / top if top > 0 else np.nan
    return out
