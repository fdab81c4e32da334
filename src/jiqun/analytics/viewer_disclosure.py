"""Disclosure control of aggregate rows shown to one viewer (保密 / suppressed).

An analysis table with one row per group of firms (losses by province, digital scores by
chain-leader group …) is shown to users with different rights. A row whose firms the viewer may
all read is shown as it is: nothing in it is new to the viewer. The other rows are *open*: they
go through the rules of :func:`jiqun.analytics.disclosure.suppress_table` — primary suppression
(fewer than ``min_count`` firms, or one firm above ``dominance`` of the row's value) and
complementary suppression against the published total — so that the total minus the rows shown
never gives a suppressed row back.

The line protected is the open rows with their total: the viewer can subtract the rows it reads
in full from the published total, so the total it effectively knows is that of the open rows.
When that total is itself sensitive (or needed as a complement), :attr:`ProtectedRows.total_suppressed`
is True and the caller must not show the table's total (a summary figure) either.

Pure function on pandas tables; the caller (a service) decides who the viewer is and which firms
it may read (:func:`jiqun.services.access.visible_rows`).

References
----------
Hundepool et al. (2012), *Statistical Disclosure Control*, ch. 4; :mod:`jiqun.analytics.disclosure`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiqun.analytics.disclosure import DOMINANCE, MIN_COUNT, suppress_table

__all__ = ["SUPPRESSED_LABEL", "ProtectedRows", "protect_rows"]

#: the mark of a suppressed row (pages, JSON ``disclosure`` column, CLI)
SUPPRESSED_LABEL = "保密 / suppressed"


@dataclass
class ProtectedRows:
    """Result of :func:`protect_rows`.

    Attributes
    ----------
    table:
        The rows, with ``suppressed`` (bool) and ``disclosure`` (:data:`SUPPRESSED_LABEL` or
        ``None``); the ``shown`` columns of suppressed rows are ``None``.
    total_suppressed:
        The total over the open rows must not be shown (summary figures of the table).
    n_suppressed:
        Suppressed rows.
    """

    table: pd.DataFrame
    total_suppressed: bool
    n_suppressed: int


def protect_rows(
    rows: pd.DataFrame,
    members: pd.DataFrame,
    *,
    key: str,
    shown: Sequence[str],
    known: Collection[str] | None,
    firm: str = "uscc",
    values: Sequence[str] = (),
    totals: bool = True,
    min_count: int = MIN_COUNT,
    dominance: float = DOMINANCE,
) -> ProtectedRows:
    """Suppress the rows a viewer may not see of a table of group aggregates.

    Rule: a row is shown raw when the viewer may read every firm of it (``known``; ``None``:
    every firm). The other rows are cells of one line with its total; primary rule — fewer than
    ``min_count`` contributing firms, or the largest firm above ``dominance`` of the row's sum
    of any of ``values`` — and complementary suppression (no line with a single suppressed row;
    singletons), as :func:`jiqun.analytics.disclosure.suppress_table`. Without ``values`` only
    the threshold rule applies (counts, means of bounded scores).

    Parameters
    ----------
    rows:
        One row per group, the group id in column ``key``.
    members:
        The contributing firms: one row per (group, firm) with ``key``, ``firm`` and the firm's
        ``values``. A group absent from ``members`` has no contributor (nothing to protect).
    key:
        Group column (in both tables).
    shown:
        Columns of ``rows`` withheld in a suppressed row (its figures).
    known:
        Firms the viewer may read; ``None`` when it may read all.
    firm:
        Firm id column of ``members``.
    values:
        Firm-level magnitudes of ``members`` behind the row's figures (dominance rule; the first
        also orders the complement choice).
    totals:
        Whether the total of the table is shown (summary figures): the complementary rule
        guards it.
    min_count, dominance:
        Primary rule parameters.

    Returns
    -------
    ProtectedRows

    References
    ----------
    Hundepool et al. (2012) ch. 4; :func:`jiqun.analytics.disclosure.suppress_table`.

    Example
    -------
    >>> rows = pd.DataFrame({"province": ["11", "12", "13", "14"],
    ...                      "loss": [5.0, 40.0, 30.0, 20.0], "firms": [1, 6, 5, 4]})
    >>> members = pd.DataFrame({"province": ["11"] + ["12"] * 6 + ["13"] * 5 + ["14"] * 4,
    ...     "uscc": [f"f{i}" for i in range(16)],
    ...     "loss": [5.0] + [40 / 6] * 6 + [6.0] * 5 + [5.0] * 4})
    >>> p = protect_rows(rows, members, key="province", shown=["loss", "firms"],
    ...                  known=set(), values=["loss"])
    >>> p.table["suppressed"].tolist(), p.table.loc[0, "loss"], p.table.loc[0, "disclosure"]
    ([True, False, True, True], None, '保密 / suppressed')
    >>> protect_rows(rows, members, key="province", shown=["loss"], known=None).n_suppressed
    0
    """
    out = rows.copy()
    out["suppressed"] = False
    out["disclosure"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if known is None or not len(out):
        return ProtectedRows(out, False, 0)
    seen = {str(k) for k in known}
    m = members.copy()
    m[key] = m[key].astype(str)
    m[firm] = m[firm].astype(str)
    firms_of = m.groupby(key)[firm].agg(lambda s: set(s))
    open_keys = [
        str(k) for k in out[key] if str(k) in firms_of.index and not firms_of[str(k)] <= seen
    ]
    if not open_keys:
        return ProtectedRows(out, False, 0)
    mo = m[m[key].isin(open_keys)]
    g = mo.groupby(key)
    n = g[firm].nunique().reindex(open_keys).fillna(0).astype("int64")
    share = pd.Series(0.0, index=open_keys)
    for v in values:
        x = pd.to_numeric(mo[v], errors="coerce").fillna(0.0).clip(lower=0.0)
        per_firm = x.groupby([mo[key], mo[firm]]).sum()
        tot = per_firm.groupby(level=0).sum().reindex(open_keys).fillna(0.0)
        top = per_firm.groupby(level=0).max().reindex(open_keys).fillna(0.0)
        s = (top / tot.where(tot > 0)).fillna(0.0)
        share = np.maximum(share, s)
    if values:
        first = pd.to_numeric(mo[values[0]], errors="coerce").fillna(0.0).clip(lower=0.0)
        val = first.groupby(mo[key]).sum().reindex(open_keys).fillna(0.0)
    else:
        val = n.astype("float64")
    cells = pd.DataFrame(
        {
            key: open_keys,
            "value": val.to_numpy(dtype="float64"),
            "n_enterprises": n.to_numpy(),
            "top_share": np.asarray(share, dtype="float64"),
        }
    )
    res = suppress_table(
        cells,
        row=key,
        top_share="top_share" if values else None,
        totals=totals,
        min_count=min_count,
        dominance=dominance,
    )
    hit = set(res.cells.loc[res.cells["suppressed"].astype(bool), key].astype(str))
    mask = out[key].astype(str).isin(hit).to_numpy()
    out["suppressed"] = mask
    out["disclosure"] = pd.Series(
        [SUPPRESSED_LABEL if h else None for h in mask], index=out.index, dtype=object
    )
    for c in shown:
        if c in out.columns:
            col = out[c].astype(object)
            col[mask] = None
            out[c] = col
    total_hidden = bool(totals and len(res.totals) and res.totals["suppressed"].astype(bool).any())
    return ProtectedRows(out, total_hidden, int(mask.sum()))
