"""Bulk writes: insert or upsert many rows by natural key, on SQLite and PostgreSQL alike.

Callers pass a transaction-bound :class:`~sqlalchemy.engine.Connection`; nothing here commits,
so an import is all-or-nothing by construction (the caller's ``engine.begin()`` decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

CHUNK = 20_000


def records(df: pd.DataFrame) -> Iterator[list[dict[str, Any]]]:
    """Yield chunks of plain-Python row dicts (NaN/NaT → None), ``CHUNK`` rows at a time."""
    cols = list(df.columns)
    arrays = []
    for c in cols:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            arr = np.array([None if pd.isna(v) else v.date() for v in s], dtype=object)
        elif pd.api.types.is_bool_dtype(s) or (
            pd.api.types.is_integer_dtype(s) and not pd.api.types.is_extension_array_dtype(s)
        ):
            arr = s.astype(object).to_numpy()
        else:
            arr = s.astype(object).where(s.notna(), None).to_numpy()
            if pd.api.types.is_float_dtype(s):
                arr = np.array([None if v is None else float(v) for v in arr], dtype=object)
            elif pd.api.types.is_integer_dtype(s):
                arr = np.array([None if v is None else int(v) for v in arr], dtype=object)
        arrays.append(arr)
    n = len(df)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        yield [
            dict(zip(cols, vals, strict=True))
            for vals in zip(*(a[start:stop] for a in arrays), strict=True)
        ]


def insert(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """Plain INSERT of every row of ``df`` (columns = table columns)."""
    n = 0
    for chunk in records(df):
        conn.execute(table.insert(), chunk)
        n += len(chunk)
    return n


def upsert(
    conn: Connection,
    table: Table,
    df: pd.DataFrame,
    key: Sequence[str],
) -> int:
    """INSERT … ON CONFLICT (key) DO UPDATE for every row of ``df``; returns rows written.

    Works on SQLite (≥ 3.24) and PostgreSQL through SQLAlchemy's dialect-specific inserts.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(dialect)
    stmt = dialect_insert(table)
    update_cols = [c for c in df.columns if c not in key]
    if update_cols:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={c: getattr(stmt.excluded, c) for c in update_cols},
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    n = 0
    for chunk in records(df):
        conn.execute(stmt, chunk)
        n += len(chunk)
    return n


def existing_keys(
    conn: Connection, table: Table, key: Sequence[str], values: Iterable[tuple]
) -> set:
    """The subset of ``values`` (tuples in ``key`` order) already present in ``table``."""
    from sqlalchemy import select, tuple_

    values = list(values)
    found: set = set()
    cols = [table.c[k] for k in key]
    for start in range(0, len(values), 5_000):
        part = values[start : start + 5_000]
        if len(cols) == 1:
            q = select(cols[0]).where(cols[0].in_([v[0] for v in part]))
            found.update((r[0],) for r in conn.execute(q))
        else:
            q = select(*cols).where(tuple_(*cols).in_(part))
            found.update(tuple(r) for r in conn.execute(q))
    return found
