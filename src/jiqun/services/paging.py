"""Sorting and paging of result tables, done in the services so that a read is audited for
exactly the rows the caller receives (:func:`jiqun.services.access.audit_read`)."""

from __future__ import annotations

import pandas as pd

from jiqun.services.choices import require_choice


def sort_frame(df: pd.DataFrame, sort: str | None, default: str | None) -> pd.DataFrame:
    """Sort by a column (``-col`` descending); unknown columns are a 400 error.

    Parameters
    ----------
    df: the table.
    sort: a column name, ``-`` prefix for descending (``None``: ``default``).
    default: the column used when ``sort`` is not given (``None``: keep the given order).

    Returns
    -------
    The sorted table (stable; missing values last).

    Example
    -------
    >>> sort_frame(pd.DataFrame({"a": [2, 1]}), "-a", "a")["a"].tolist()
    [2, 1]
    """
    if not (sort or default):
        return df
    key = (sort or default or "").strip()
    desc = key.startswith("-")
    col = key.lstrip("-")
    require_choice(col, df.columns, "无法用作排序的列", "cannot sort by")
    if df.empty:
        return df
    try:
        return df.sort_values(col, ascending=not desc, kind="stable", na_position="last")
    except TypeError:  # mixed types (lists, None): sort by their text
        return df.sort_values(
            col, ascending=not desc, kind="stable", na_position="last", key=lambda s: s.astype(str)
        )


def page_frame(
    df: pd.DataFrame, sort: str | None, default: str | None, limit: int | None, offset: int = 0
) -> tuple[pd.DataFrame, int]:
    """Sort, then cut one page (``limit=None``: every row, as for a CSV/XLSX download).

    Parameters
    ----------
    df, sort, default: as for :func:`sort_frame`.
    limit, offset: the page.

    Returns
    -------
    (rows, total): the page and the number of rows before paging.

    Example
    -------
    >>> page_frame(pd.DataFrame({"a": [3, 1, 2]}), None, "a", 2, 1)[0]["a"].tolist()
    [2, 3]
    """
    df = sort_frame(df, sort, default)
    total = len(df)
    if limit is not None:
        df = df.iloc[max(0, offset) : max(0, offset) + max(0, limit)]
    return df.reset_index(drop=True), total
