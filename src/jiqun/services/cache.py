"""A small per-process cache of derived tables, keyed on the state of the database.

Published aggregates (the national overview, published tables with disclosure control) are
recomputed from many rows; they change only when data are written. :func:`cached` keeps the
result of ``compute()`` per engine and per ``key`` until the :func:`data_version` changes.

Data version rule: ``(MAX(imports.id), COUNT(imports), meta['data.version'])``. Every import and
every demo build writes an ``imports`` row, so they invalidate the cache by themselves; code that
writes data tables in another way calls :func:`bump`. The version query costs well under a
millisecond (``imports`` is tiny), against 0.1–1 s for the tables cached.

The cache lives in a :class:`weakref.WeakKeyDictionary` keyed on the engine object, so a new
engine (a test, another database) starts empty; it is an LRU of :data:`MAX_ENTRIES` entries per
engine, and a per-key lock makes concurrent first requests compute once. Cached values are shared:
callers must treat them as read-only. With several Uvicorn workers each process has its own cache.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine, text

from jiqun.store.db import session_scope
from jiqun.store.models import Meta

__all__ = ["MAX_ENTRIES", "bump", "cached", "clear", "data_version"]

T = TypeVar("T")
MAX_ENTRIES = 128
VERSION_KEY = "data.version"

_LOCK = threading.Lock()
_CACHES: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Hashable, ...], Any]] = (
    weakref.WeakKeyDictionary()
)
_KEY_LOCKS: weakref.WeakKeyDictionary[Engine, dict[tuple[Hashable, ...], threading.Lock]] = (
    weakref.WeakKeyDictionary()
)


def data_version(engine: Engine) -> tuple[Any, ...]:
    """The database state token: ``(MAX(imports.id), COUNT(imports), meta data.version)``.

    Parameters
    ----------
    engine:
        The database.

    Returns
    -------
    tuple, equal as long as no import, demo build or :func:`bump` has committed.

    Example
    -------
    >>> data_version(engine)  # doctest: +SKIP
    (1, 1, None)
    """
    with engine.connect() as c:
        row = c.execute(
            text(
                "SELECT (SELECT MAX(id) FROM imports), (SELECT COUNT(*) FROM imports), "
                "(SELECT value FROM meta WHERE key = :k)"
            ),
            {"k": VERSION_KEY},
        ).first()
    return tuple(row) if row else ()


def bump(engine: Engine) -> None:
    """Invalidate cached tables after writing data outside an import (increments
    ``meta['data.version']``)."""
    with session_scope(engine) as s:
        m = s.get(Meta, VERSION_KEY)
        if m is None:
            s.add(Meta(key=VERSION_KEY, value="1"))
        else:
            m.value = str(int(m.value or 0) + 1)


def clear(engine: Engine | None = None) -> None:
    """Forget cached values (of one engine, or all)."""
    with _LOCK:
        if engine is None:
            _CACHES.clear()
        else:
            _CACHES.pop(engine, None)


def cached(engine: Engine, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` and data version of ``engine``.

    Parameters
    ----------
    engine:
        The database the value is derived from.
    key:
        What is computed (function name and its arguments, all hashable).
    compute:
        Zero-argument function; its result is shared, so it must not be mutated by callers.

    Returns
    -------
    The cached or freshly computed value.

    Example
    -------
    >>> cached(engine, ("overview", "national"), lambda: national_overview(engine))  # doctest: +SKIP
    """
    full = (*data_version(engine), *key)
    with _LOCK:
        store = _CACHES.setdefault(engine, OrderedDict())
        if full in store:
            store.move_to_end(full)
            return store[full]
        key_lock = _KEY_LOCKS.setdefault(engine, {}).setdefault(full, threading.Lock())
    with key_lock:
        with _LOCK:
            store = _CACHES.setdefault(engine, OrderedDict())
            if full in store:
                return store[full]
        value = compute()
        with _LOCK:
            store = _CACHES.setdefault(engine, OrderedDict())
            store[full] = value
            while len(store) > MAX_ENTRIES:
                store.popitem(last=False)
            _KEY_LOCKS.get(engine, {}).pop(full, None)
    return value
