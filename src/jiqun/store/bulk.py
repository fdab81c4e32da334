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
from sqlalchemy.sql.schema import ScalarElementColumnDefault

CHUNK = 20_000


def _columns(df: pd.DataFrame) -> list[np.ndarray]:
    """Each column as an object array of plain Python values (NaN/NaT/NA → None)."""
    arrays = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            arr = np.array([None if pd.isna(v) else v.date() for v in s], dtype=object)
        elif (
            pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s)
        ) and not pd.api.types.is_extension_array_dtype(s):
            arr = np.array(s.tolist(), dtype=object)  # Python bools / ints
        elif pd.api.types.is_float_dtype(s) and not pd.api.types.is_extension_array_dtype(s):
            x = s.to_numpy()
            arr = np.array(x.tolist(), dtype=object)  # Python floats
            arr[np.isnan(x)] = None
        elif pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
            # nullable Int64/Float64: plain ints/floats, missing → None
            conv = int if pd.api.types.is_integer_dtype(s) else float
            arr = np.array(
                [None if v is pd.NA or v is None or v != v else conv(v) for v in s.tolist()],
                dtype=object,
            )
        else:
            arr = s.astype(object).where(s.notna(), None).to_numpy()
        arrays.append(arr)
    return arrays


def records(df: pd.DataFrame) -> Iterator[list[dict[str, Any]]]:
    """Yield chunks of plain-Python row dicts (NaN/NaT → None), ``CHUNK`` rows at a time."""
    cols = list(df.columns)
    for chunk in _tuples(df, _columns(df)):
        yield [dict(zip(cols, vals, strict=True)) for vals in chunk]


def _tuples(
    df: pd.DataFrame, arrays: list[np.ndarray], procs: Sequence[Any] | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of row tuples, each value passed through its bind processor (if any)."""
    n = len(df)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        cols = []
        for j, a in enumerate(arrays):
            part = a[start:stop].tolist()
            proc = procs[j] if procs else None
            cols.append([proc(v) for v in part] if proc is not None else part)
        yield list(zip(*cols, strict=True))


def _bind_processors(conn: Connection, table: Table, cols: Sequence[str]) -> list[Any]:
    """The type bind processors SQLAlchemy would apply to each column (dates → ISO on SQLite)."""
    return [table.c[c].type._cached_bind_processor(conn.dialect) for c in cols]


def _raw_executemany(conn: Connection, table: Table, df: pd.DataFrame, suffix: str = "") -> int:
    """``INSERT INTO table (cols) VALUES (…) suffix`` for every row, as one DBAPI executemany
    per chunk of plain tuples, on the caller's connection (so inside its transaction)."""
    # Column defaults SQLAlchemy would fill in for absent columns (``synthetic``, ``vintage``…):
    # scalar ones are added as constant columns; anything else goes the SQLAlchemy way.
    defaults = {
        c.name: c.default
        for c in table.columns
        if c.name not in df.columns and c.default is not None
    }
    scalars = {n: d.arg for n, d in defaults.items() if isinstance(d, ScalarElementColumnDefault)}
    if len(scalars) < len(defaults):
        return _sqlalchemy_executemany(conn, table, df, suffix)
    if scalars:
        df = df.assign(**scalars)
    cols = list(df.columns)
    q = conn.dialect.identifier_preparer
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = (
        f"INSERT INTO {q.format_table(table)} ({', '.join(q.quote(c) for c in cols)}) "
        f"VALUES ({', '.join([mark] * len(cols))}){suffix}"
    )
    procs = _bind_processors(conn, table, cols)
    n = 0
    for chunk in _tuples(df, _columns(df), procs):
        conn.exec_driver_sql(sql, chunk)
        n += len(chunk)
    return n


def _sqlalchemy_executemany(conn: Connection, table: Table, df: pd.DataFrame, suffix: str) -> int:
    """The slow, general path (row dicts through SQLAlchemy): Python-side callable defaults."""
    if not suffix:
        n = 0
        for chunk in records(df):
            conn.execute(table.insert(), chunk)
            n += len(chunk)
        return n
    raise NotImplementedError(  # pragma: no cover - no such table in the schema today
        f"upsert into {table.name}: callable column defaults are not supported"
    )


def insert(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """Plain INSERT of every row of ``df`` (columns = table columns)."""
    if not len(df):
        return 0
    return _raw_executemany(conn, table, df)


def upsert(
    conn: Connection,
    table: Table,
    df: pd.DataFrame,
    key: Sequence[str],
) -> int:
    """INSERT … ON CONFLICT (key) DO UPDATE for every row of ``df``; returns rows written.

    The same SQL on SQLite (≥ 3.24) and PostgreSQL: ``ON CONFLICT (key) DO UPDATE SET c =
    excluded.c`` (or ``DO NOTHING`` when every column is part of the key).
    """
    if conn.dialect.name not in ("postgresql", "sqlite"):  # pragma: no cover
        raise NotImplementedError(conn.dialect.name)
    if not len(df):
        return 0
    q = conn.dialect.identifier_preparer
    update_cols = [c for c in df.columns if c not in key]
    target = ", ".join(q.quote(k) for k in key)
    if update_cols:
        sets = ", ".join(f"{q.quote(c)} = excluded.{q.quote(c)}" for c in update_cols)
        suffix = f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
    else:
        suffix = f" ON CONFLICT ({target}) DO NOTHING"
    return _raw_executemany(conn, table, df, suffix)


def existing_keys(
    conn: Connection, table: Table, key: Sequence[str], values: Iterable[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """The subset of ``values`` (tuples in ``key`` order) already present in ``table``."""
    from sqlalchemy import select, tuple_

    values = list(values)
    found: set[tuple[Any, ...]] = set()
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
