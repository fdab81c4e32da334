"""Derived results per data version: computed once, stored, shared by every interface.

Published aggregates, dashboards and reports are recomputed from many rows; they change only when
data are written. :func:`cached` (and the decorator :func:`materialised`) returns ``compute()``'s
result for ``key`` and the present :func:`data_version`, looking in turn:

1. the process's LRU (:data:`MAX_ENTRIES` entries per engine; a per-key lock makes concurrent
   first requests compute once);
2. the **store** (``stored_results``, :mod:`jiqun.services.results`): what the background refresh
   (:mod:`jiqun.services.refresh`) or any earlier call computed for this data version — so a new
   server process, the CLI and the API read the same object the refresh stored;
3. while a refresh of the present version is queued or running (or failed), the newest
   **previous** version's stored result, marked stale (:func:`last_served`), so pages keep
   answering from the previous version instead of starting the computation themselves; it is
   kept in the process under the version it belongs to, so the imports that follow one another
   during a long refresh do not read and unpickle it again for every new data version;
4. otherwise ``compute()`` runs here and its result is stored for everyone (a parameter variant no
   refresh covers, or a database no refresh ran on yet).

A value kept in the process only (``persist=False``) that a page derives for display (a map
block, a published table) may be marked ``stale_ok``: while a refresh runs, the value this
process last computed for the same key under an earlier data version is served instead of
computing it again for every new data version (what the pages show then is the previous version
anyway, as the banner says). Raw reads that feed a computation are never marked so: a result
computed and stored for the present version must not be built from an earlier version's rows.

Data version rule: ``(MAX(imports.id), COUNT(imports), meta['data.version'])``, plus the current
lake version once a lake exists (a sync changes what the engine reads). Every import and
every demo build writes an ``imports`` row, so they invalidate by themselves; code that writes
data tables in another way calls :func:`bump`. The version query costs well under a millisecond.

The LRU lives in a :class:`weakref.WeakKeyDictionary` keyed on the engine object, so a new engine
(a test, another database) starts empty. Cached values are shared: callers must treat them as
read-only.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import inspect
import json
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, insert, select, text, update

from jiqun.errors import JiqunError
from jiqun.store.models import Meta, table_of

__all__ = [
    "MAX_ENTRIES",
    "bump",
    "cached",
    "clear",
    "data_version",
    "data_version_on",
    "derived",
    "domain_version",
    "fresh_only",
    "last_served",
    "materialised",
    "store_version",
    "version_text",
    "version_text_on",
]

T = TypeVar("T")
P = ParamSpec("P")
#: values kept per engine: every dashboard section of every cluster and region, with the page
#: values of each disclosure scope, is a few thousand (a stored result is 10–300 kB unpickled);
#: with 128 the load test's random dashboards evicted each other and were unpickled again
MAX_ENTRIES = 4096
VERSION_KEY = "data.version"

_LOCK = threading.Lock()
_CACHES: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Hashable, ...], Any]] = (
    weakref.WeakKeyDictionary()
)
_KEY_LOCKS: weakref.WeakKeyDictionary[Engine, dict[tuple[Hashable, ...], threading.Lock]] = (
    weakref.WeakKeyDictionary()
)
#: (id of the source object, key) → (the source object, the value derived from it)
_DERIVED: OrderedDict[tuple[Hashable, ...], tuple[Any, Any]] = OrderedDict()
#: per engine, key (without the data version) → the full key of the value last computed for
#: it in this process (what a ``stale_ok`` key serves while a refresh runs)
_LATEST: weakref.WeakKeyDictionary[Engine, dict[tuple[Hashable, ...], tuple[Hashable, ...]]] = (
    weakref.WeakKeyDictionary()
)


def data_version(engine: Engine) -> tuple[Any, ...]:
    """The database state token: ``(MAX(imports.id), COUNT(imports), meta data.version)``, and
    the current lake version (:mod:`jiqun.services.lake`) once a lake exists.

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
        return data_version_on(c)


def data_version_on(c: Connection) -> tuple[Any, ...]:
    """:func:`data_version` read on an open connection (inside a transaction: what it will be
    once that transaction commits).

    Example
    -------
    >>> with engine.begin() as c:  # doctest: +SKIP
    ...     data_version_on(c)
    (1, 1, None)
    """
    row = c.execute(
        text(
            "SELECT (SELECT MAX(id) FROM imports), (SELECT COUNT(*) FROM imports), "
            "(SELECT value FROM meta WHERE key = :k), "
            "(SELECT MAX(version) FROM lake_versions WHERE status = 'current')"
        ),
        {"k": VERSION_KEY},
    ).first()
    if not row:
        return ()
    # the lake version joins the token only once a lake exists, so a deployment without one
    # keeps the tokens (and stored results) it had
    return tuple(row) if row[3] is not None else tuple(row[:3])


def store_version(c: Connection) -> str:
    """The store's own data version (:func:`data_version` without the lake), as text: what a
    lake version copies, read on the connection that reads the rows (one snapshot).

    Example
    -------
    >>> with engine.connect() as c:  # doctest: +SKIP
    ...     store_version(c)
    '["1", "1", "None"]'
    """
    row = c.execute(
        text(
            "SELECT (SELECT MAX(id) FROM imports), (SELECT COUNT(*) FROM imports), "
            "(SELECT value FROM meta WHERE key = :k)"
        ),
        {"k": VERSION_KEY},
    ).first()
    return json.dumps([str(x) for x in (row or ())])


def bump(engine: Engine | Connection, domain: str = "data") -> None:
    """Announce a write outside an import: increments ``meta['<domain>.version']``.

    ``data`` (the default) changes the data version itself — every derived result is then
    recomputed. A narrower domain invalidates only the results that declare it
    (:func:`materialised` ``depends``): ``digital`` after a digital assessment is saved,
    ``members`` after a cluster membership is decided. Pass the writer's open connection to
    make the bump part of its transaction.

    Example
    -------
    >>> bump(engine, "digital")  # doctest: +SKIP
    """
    if isinstance(engine, Engine):
        with engine.begin() as c:
            bump(c, domain)
        return
    key = VERSION_KEY if domain == "data" else f"{domain}.version"
    meta = table_of(Meta)
    old = engine.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    if old is None:
        engine.execute(insert(meta).values(key=key, value="1"))
    else:
        engine.execute(update(meta).where(meta.c.key == key).values(value=str(int(old or 0) + 1)))


def domain_version(engine: Engine, domain: str) -> str:
    """``meta['<domain>.version']`` (``"0"`` before the first :func:`bump` of that domain)."""
    with engine.connect() as c:
        v = c.execute(
            text("SELECT value FROM meta WHERE key = :k"), {"k": f"{domain}.version"}
        ).scalar()
    return str(v or "0")


def clear(engine: Engine | None = None) -> None:
    """Forget cached values (of one engine, or all)."""
    with _LOCK:
        if engine is None:
            _CACHES.clear()
            _LATEST.clear()
            _DERIVED.clear()
        else:
            _CACHES.pop(engine, None)
            _LATEST.pop(engine, None)


def derived(source: Any, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per ``source`` object and ``key``: a value derived from a shared
    result (what one caller may see of a cached report, a page's tables of a stored result).

    Keyed on the source *object*, not on the data version: a result served from the previous
    version while a refresh runs and the present version's result, once stored, are different
    objects, so a value derived from the one is never served with the other. The source is
    held with the value (so its ``id`` cannot be reused by another object meanwhile); at most
    :data:`MAX_ENTRIES` values are kept.

    Parameters
    ----------
    source:
        The object the value is computed from (a value :func:`cached` returned).
    key:
        What else the value depends on (a family name first), hashable.
    compute:
        Zero-argument function; its result is shared, so it must not be mutated by callers.

    Returns
    -------
    The kept or freshly computed value.

    Example
    -------
    >>> rep = cached(engine, key, compute)  # doctest: +SKIP
    >>> derived(rep, ("chain-disclosed", frozenset()), lambda: protect(rep))  # doctest: +SKIP
    """
    k = (id(source), *key)
    with _LOCK:
        kept = _DERIVED.get(k)
        if kept is not None and kept[0] is source:
            _DERIVED.move_to_end(k)
            return kept[1]
    value = compute()
    with _LOCK:
        _DERIVED[k] = (source, value)
        while len(_DERIVED) > MAX_ENTRIES:
            _DERIVED.popitem(last=False)
    return value


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A computation's answer that is a :class:`~jiqun.errors.JiqunError` (e.g. "this cluster
    has no member regions"): stored like a result, raised again on every read."""

    error: JiqunError


def _answer(value: Any) -> Any:
    if isinstance(value, Refusal):
        raise value.error
    return value


def version_text(engine: Engine) -> str:
    """The version stored results are kept under: :func:`data_version` and the result format
    of this code (:data:`jiqun.services.results.FORMAT`), as a JSON list — so results written
    by another release of Jiqun are never taken for the present ones."""
    from jiqun.services.results import FORMAT

    return json.dumps([*(str(x) for x in data_version(engine)), FORMAT])


def version_text_on(c: Connection) -> str:
    """:func:`version_text` read on an open connection (see :func:`data_version_on`)."""
    from jiqun.services.results import FORMAT

    return json.dumps([*(str(x) for x in data_version_on(c)), FORMAT])


#: (data version, computed_at) of the stored results served in this context when one was stale
_SERVED: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "jiqun_stale_served", default=None
)


_FRESH: contextvars.ContextVar[bool] = contextvars.ContextVar("jiqun_fresh_only", default=False)


@contextlib.contextmanager
def fresh_only() -> Iterator[None]:
    """Within this block :func:`cached` never serves a previous version's result: it computes
    (the refresh job, which is what the previous version stands in for)."""
    token = _FRESH.set(True)
    try:
        yield
    finally:
        _FRESH.reset(token)


def last_served() -> tuple[str, str] | None:
    """The (data version, computed at) of the previous-version result served last in this
    context, or ``None`` when every result served was of the present version."""
    return _SERVED.get()


def cached(
    engine: Engine,
    key: tuple[Hashable, ...],
    compute: Callable[[], T],
    *,
    persist: bool = True,
    stale_ok: bool = False,
) -> T:
    """``compute()`` once per ``key`` and data version of ``engine`` (see the module text).

    Parameters
    ----------
    engine:
        The database the value is derived from.
    key:
        What is computed: a family name (``key[0]``, e.g. ``"diagnosis"``) and the arguments,
        all hashable with a stable ``repr``.
    compute:
        Zero-argument function; its result is shared, so it must not be mutated by callers.
    persist:
        Also keep the result in the store for other processes and later server starts (off for
        values that are themselves a cheap read of the store).
    stale_ok:
        With ``persist=False``: a value for display only, which may be served from an earlier
        data version while a refresh runs (see the module text).

    Returns
    -------
    The cached, stored or freshly computed value.

    Example
    -------
    >>> cached(engine, ("overview", "national"), lambda: national_overview(engine))  # doctest: +SKIP
    """
    from jiqun.services import results

    version = data_version(engine)
    full = (*version, *key)
    with _LOCK:
        store = _CACHES.setdefault(engine, OrderedDict())
        if full in store:
            store.move_to_end(full)
            return _answer(store[full])
        key_lock = _KEY_LOCKS.setdefault(engine, {}).setdefault(full, threading.Lock())
    with key_lock:
        with _LOCK:
            store = _CACHES.setdefault(engine, OrderedDict())
            if full in store:
                return _answer(store[full])
        value: Any = results.MISSING
        vtext = json.dumps([*(str(x) for x in version), results.FORMAT])
        if persist:
            value = results.load(engine, vtext, key)
            if value is results.MISSING and not _FRESH.get() and results.refreshing(engine, vtext):
                served = _previous(engine, vtext, key)
                if served is not results.MISSING:
                    return _answer(served)
        elif stale_ok and not _FRESH.get():
            with _LOCK:
                last = _LATEST.get(engine, {}).get(key)
                kept = _CACHES.setdefault(engine, OrderedDict()).get(last) if last else None
            if kept is not None and results.refreshing(engine, vtext):
                return _answer(kept)
        if value is results.MISSING:
            t0 = time.perf_counter()
            try:
                value = compute()
            except JiqunError as exc:  # "not enough data for this cluster" is an answer too
                value = Refusal(exc)
            if persist:
                results.save(engine, vtext, key, value, seconds=time.perf_counter() - t0)
        with _LOCK:
            store = _CACHES.setdefault(engine, OrderedDict())
            store[full] = value
            if stale_ok and not persist:
                _LATEST.setdefault(engine, {})[key] = full
            while len(store) > MAX_ENTRIES:
                store.popitem(last=False)
            _KEY_LOCKS.get(engine, {}).pop(full, None)
    return _answer(value)


def _previous(engine: Engine, vtext: str, key: tuple[Hashable, ...]) -> Any:
    """The newest complete previous version's stored result of ``key`` (marked served, see
    :func:`last_served`), from the process when it was read before, or :data:`MISSING`."""
    from jiqun.services import results

    newest = results.newest_complete(engine, vtext)
    if newest is None:
        return results.MISSING
    # kept under the version it belongs to: found again after the next import, until a newer
    # version's results are complete; the present version's own result is found before this
    stale = ("previous", newest, *key)
    with _LOCK:
        kept = _CACHES.setdefault(engine, OrderedDict()).get(stale)
    if kept is None:
        old = results.load_previous(engine, vtext, key)
        if old is None:
            return results.MISSING
        kept = (old[0], old[1:])
        with _LOCK:
            store = _CACHES.setdefault(engine, OrderedDict())
            store[("previous", old[1], *key)] = kept
            while len(store) > MAX_ENTRIES:
                store.popitem(last=False)
    _SERVED.set(kept[1])
    return kept[0]


def materialised(
    family: str,
    *,
    persist: bool = True,
    skip: tuple[str, ...] = ("engine", "progress"),
    depends: tuple[str, ...] = (),
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Make a service function a materialised result: :func:`cached` under ``(family, args…)``.

    The key is the family and the ``repr`` of every bound argument except ``skip`` (the engine
    and a progress callback), defaults applied, so ``f(x)`` and ``f(x, year=None)`` share one
    result. The function must take ``engine`` (``None`` = the configured database). The plain
    function stays available as ``wrapper.compute``.

    Parameters
    ----------
    family:
        The result family (``"diagnosis"``, ``"overview"`` …): the first element of the key and
        the ``family`` column of ``stored_results``.
    persist:
        As in :func:`cached`.
    skip:
        Arguments that do not change the result.
    depends:
        Narrower write domains the result also depends on (``"digital"``, ``"members"``:
        see :func:`bump`); their versions join the key, so such a write is seen at once.

    Returns
    -------
    The decorator.

    Example
    -------
    >>> @materialised("overview")
    ... def national_overview(engine=None, year=None, tier="national"): ...
    """

    def deco(fn: Callable[P, T]) -> Callable[P, T]:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            from jiqun.store.db import get_engine

            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            engine = bound.arguments.get("engine") or get_engine()
            bound.arguments["engine"] = engine
            key = (family, *(repr(v) for k, v in bound.arguments.items() if k not in skip))
            key += tuple(f"{d}@{domain_version(engine, d)}" for d in depends)
            return cached(engine, key, lambda: fn(*bound.args, **bound.kwargs), persist=persist)

        wrapper.compute = fn  # type: ignore[attr-defined]
        return wrapper

    return deco
