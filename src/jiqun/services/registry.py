"""The cluster registry's link tables, the region table and the enterprise register as frames,
read the one way the services read them (one query each, on a connection the caller holds, or
once per data version for the register).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Connection, Engine, column, select, table, text

from jiqun.services.cache import cached

__all__ = ["cluster_links", "enterprise_frame", "region_rows"]


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


def enterprise_frame(engine: Engine, key: str, columns: Mapping[str, str]) -> pd.DataFrame:
    """Some columns of every enterprise, read once per data version in this process.

    The chain, plan and network analyses each start from the whole register; reading it once
    per data version (the refresh analyses every cluster) is what keeps them fast. Each caller
    keeps its own cache entry, so that one that needs few columns does not hold the text of
    another's.

    Parameters
    ----------
    engine:
        The database.
    key:
        The cache entry's name (one per column set).
    columns:
        Stored column → name in the frame, in the frame's order.

    Returns
    -------
    pd.DataFrame
        One row per enterprise; a copy, so callers may add columns.

    References
    ----------
    ``src/jiqun/store/models.py`` (``enterprises``); ``src/jiqun/services/cache.py``.

    Example
    -------
    >>> enterprise_frame(get_engine(), "ids", {"uscc": "id"}).columns.tolist()  # doctest: +SKIP
    ['id']
    """
    firms = table("enterprises", *(column(c) for c in columns))
    query = select(*(firms.c[c].label(name) for c, name in columns.items()))

    def read() -> pd.DataFrame:
        with engine.connect() as c:
            return pd.read_sql(query, c)

    return cached(engine, (key,), read, persist=False).copy()
