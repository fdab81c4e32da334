"""The cluster registry's link tables and the region table as frames, read the one way the
services read them (one query each, on a connection the caller holds).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, text

__all__ = ["cluster_links", "region_rows"]


def cluster_links(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every cluster's member regions and leading industries.

    Parameters
    ----------
    conn:
        An open connection (the caller's, so that the reads share its snapshot).

    Returns
    -------
    tuple[pd.DataFrame, pd.DataFrame]
        ``cluster_id, region_code`` (``cluster_regions``) and ``cluster_id, industry_code``
        (``cluster_industries``), in the database's order.

    References
    ----------
    ``src/jiqun/store/models.py`` (the two tables).

    Example
    -------
    >>> with get_engine().connect() as c:  # doctest: +SKIP
    ...     cr, ci = cluster_links(c)
    """
    cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), conn)
    ci = pd.read_sql(text("SELECT cluster_id, industry_code FROM cluster_industries"), conn)
    return cr, ci


def region_rows(conn: Connection) -> pd.DataFrame:
    """The region table's codes, names, levels and parents.

    Parameters
    ----------
    conn:
        An open connection.

    Returns
    -------
    pd.DataFrame
        ``code, name, level, parent_code`` (one row per stored row: callers that need one per
        code drop duplicates).

    References
    ----------
    ``src/jiqun/store/models.py`` (``regions``).

    Example
    -------
    >>> with get_engine().connect() as c:  # doctest: +SKIP
    ...     "320000" in set(region_rows(c)["code"])
    True
    """
    return pd.read_sql(text("SELECT code, name, level, parent_code FROM regions"), conn)
