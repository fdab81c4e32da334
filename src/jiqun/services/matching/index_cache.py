"""The matching index of a database, built once per database state and cached.

The index is kept in the process and, for large databases, on disk between CLI calls; it is
rebuilt when enterprises, capabilities or cluster regions change.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Engine, text

from jiqun.matching.index import MatchIndex, build_index, corpus_stats
from jiqun.matching.text import CorpusStats
from jiqun.store.db import get_engine

if TYPE_CHECKING:
    from jiqun import engine as analytical
    from jiqun.engine.matching import Criteria

_CACHE: dict[str, tuple[tuple[Any, ...], MatchIndex]] = {}
_CACHE_LOCK = threading.Lock()


_FINGERPRINT_SQL = (
    "SELECT COUNT(*), MAX(import_id), SUM(CASE WHEN synthetic THEN 1 ELSE 0 END) FROM enterprises",
    "SELECT COUNT(*), MAX(id) FROM match_capabilities WHERE status = 'open'",
    "SELECT COUNT(*) FROM cluster_regions",
)


def _fingerprint(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as c:
        return tuple(tuple(c.execute(text(q)).one()) for q in _FINGERPRINT_SQL)


def _disk_cache(engine: Engine, fp: tuple[Any, ...]) -> Path:
    """Where the index of this database state is kept between processes (CLI calls).

    ``match-index-<database hash>-<state hash>.pkl``: one file per database, replaced when the
    data, the templates or Jiqun's version change.
    """
    import hashlib

    from jiqun import __version__
    from jiqun.chains.templates import load_templates
    from jiqun.config import data_dir

    url = engine.url.render_as_string(hide_password=True)
    tms = sorted((t.id, t.version, t.origin) for t in load_templates().values())
    state = json.dumps([fp, tms, __version__, _INDEX_FORMAT], default=str)
    db = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    st = hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]
    return data_dir() / "cache" / f"match-index-{db}-{st}.pkl"


def _write_pickle(path: Path, obj: Any, stale: str) -> None:
    """Replace the cache files matching ``stale`` (a glob beside ``path``) by ``obj`` at ``path``.

    Written to a ``.tmp`` file first and renamed, so that a reader never sees half a file. A
    read-only or full data dir is not an error: it only costs the computation next time.

    Parameters
    ----------
    path:
        The file to write, in the user's own data dir.
    obj:
        What to pickle.
    stale:
        Glob pattern of the older versions to remove first.

    Returns
    -------
    None

    Example
    -------
    >>> _write_pickle(data_dir() / "cache" / "x-1.pkl", {"a": 1}, "x-*.pkl")  # doctest: +SKIP
    """
    import pickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(stale):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass


#: indexes with fewer candidates are rebuilt rather than cached on disk (a few seconds at most)
DISK_CACHE_MIN_CANDIDATES = 20_000
#: bump when :class:`jiqun.matching.MatchIndex` changes shape
_INDEX_FORMAT = 2


def _platform(
    engine: Engine,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The store's open capabilities, cluster regions, clusters and cluster industries."""
    with engine.connect() as c:
        caps = pd.read_sql(
            text(
                "SELECT m.id, m.uscc, m.products, m.industry_code, m.capacity, m.unit, "
                "m.certifications, m.region_code, r.lon, r.lat, m.synthetic "
                "FROM match_capabilities m LEFT JOIN regions r ON r.code = m.region_code "
                "WHERE m.status = 'open' ORDER BY m.id"
            ),
            c,
        )
        cr = pd.read_sql(text("SELECT cluster_id, region_code FROM cluster_regions"), c)
        cl = pd.read_sql(text("SELECT cluster_id, field FROM clusters"), c)
        ci = pd.read_sql(text("SELECT cluster_id, industry_code FROM cluster_industries"), c)
    return caps, cr, cl, ci


_STATS: dict[tuple[str, int, str], CorpusStats] = {}
_STATS_LOCK = threading.Lock()


def lake_corpus_stats(eng: analytical.Engine) -> CorpusStats:
    """BM25 statistics of the registry's business scopes on the engine's lake version.

    Counted once per lake version (a version is immutable once published) by streaming the
    scopes in batches, and kept in the process and as a pickle in ``<data dir>/cache/``
    (``match-corpus-<lake hash>-v<version>-<manifest hash>.pkl``, the older version's file removed), so that
    the next CLI call does not count again: a search then needs only its candidates.

    Parameters
    ----------
    eng:
        The analytical engine on the current lake version.

    Returns
    -------
    jiqun.matching.text.CorpusStats

    Example
    -------
    >>> with lake.reading(engine) as eng:  # doctest: +SKIP
    ...     lake_corpus_stats(eng).n_docs
    5000
    """
    import hashlib
    import pickle

    from jiqun import __version__
    from jiqun.config import data_dir
    from jiqun.engine.matching import scope_batches

    version = int(eng.version or 0)
    # the manifest too: a lake removed and synced again restarts its version numbers
    manifest = json.dumps(eng.manifest(version), sort_keys=True, default=str)
    key = (str(eng.lake), version, manifest)
    with _STATS_LOCK:
        hit = _STATS.get(key)
    if hit is not None:
        return hit
    lake_hash = hashlib.sha256(f"{key[0]}|{__version__}".encode()).hexdigest()[:12]
    state = hashlib.sha256(manifest.encode()).hexdigest()[:8]
    path = data_dir() / "cache" / f"match-corpus-{lake_hash}-v{version:06d}-{state}.pkl"
    st: CorpusStats | None = None
    if path.is_file():
        try:
            with path.open("rb") as fh:
                st = pickle.load(fh)  # written below, in the user's own data dir
        except Exception:  # a truncated file: count again
            st = None
    if not isinstance(st, CorpusStats):
        st = corpus_stats(scope_batches(eng))
        _write_pickle(path, st, f"match-corpus-{lake_hash}-v*.pkl")
    with _STATS_LOCK:
        _STATS.clear()  # one version is current at a time
        _STATS[key] = st
    return st


def meta_index(engine: Engine) -> MatchIndex:
    """An index without candidates: the segment maps and field classes a query is built from.

    Example
    -------
    >>> meta_index(engine).n  # doctest: +SKIP
    0
    """
    _caps, cr, cl, ci = _platform(engine)
    return build_index(
        pd.DataFrame({"uscc": [], "industry_code": [], "business_scope": []}),
        cluster_regions=cr,
        clusters=cl,
        cluster_industries=ci,
    )


def candidate_index(engine: Engine, eng: analytical.Engine, crit: Criteria) -> MatchIndex | None:
    """The matching index of the firms the engine pre-filter keeps, plus every open capability.

    The BM25 weights are those of the full index (:func:`lake_corpus_stats` with the
    capabilities' texts), so a search over this index ranks and scores its candidates as
    :func:`load_index` would.

    Parameters
    ----------
    engine:
        The store (capabilities and clusters: platform state).
    eng:
        The analytical engine on the current lake version.
    crit:
        The pre-filter (:class:`jiqun.engine.matching.Criteria`); the firms of the open
        capabilities are always kept (their rows borrow the firm's data).

    Returns
    -------
    MatchIndex or None
        ``None`` when more than :data:`jiqun.engine.matching.MAX_CANDIDATES` firms pass (the
        caller then uses :func:`load_index`).

    Example
    -------
    >>> candidate_index(engine, eng, Criteria(region_prefix="3205"))  # doctest: +SKIP
    """
    from jiqun.engine.matching import candidate_firms

    caps, cr, cl, ci = _platform(engine)
    also = tuple(sorted({*crit.also, *caps["uscc"].astype(str)}))
    firms = candidate_firms(eng, replace(crit, also=also))
    if firms is None:
        return None
    st = lake_corpus_stats(eng).merged(corpus_stats([], caps))
    return build_index(
        firms, caps, cluster_regions=cr, clusters=cl, cluster_industries=ci, corpus=st
    )


def load_index(
    *, engine: Engine | None = None, refresh: bool = False, disk_cache: bool = True
) -> MatchIndex:
    """The matching index of this database (built once, cached while the data are unchanged).

    The cache key is the database URL and a fingerprint of the data (count, last import and
    synthetic count of enterprises; count and last id of open capabilities; count of cluster
    regions). The index is kept in the process and, with ``disk_cache`` and at least
    :data:`DISK_CACHE_MIN_CANDIDATES` candidates, as a pickle in ``<data dir>/cache/`` so that
    the next CLI call loads it in a second or two instead of rebuilding it (≈ 15 s for 200,000
    firms). The database's older cache file is removed.

    Parameters
    ----------
    engine:
        Database.
    refresh:
        Rebuild even if a cached index matches.
    disk_cache:
        Read and write the on-disk cache.

    Returns
    -------
    MatchIndex

    Example
    -------
    >>> ix = load_index()  # doctest: +SKIP
    """
    import pickle

    from jiqun.matching.text import add_user_words

    engine = engine or get_engine()
    key = engine.url.render_as_string(hide_password=True)
    fp = _fingerprint(engine)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == fp and not refresh:
            return hit[1]
    path = _disk_cache(engine, fp) if disk_cache else None
    if path is not None and path.is_file() and not refresh:
        try:
            with path.open("rb") as fh:
                ix = pickle.load(fh)  # written by this function, in the user's own data dir
            add_user_words(
                k for tm in ix.templates.values() for s in tm.segments for k in s.keywords
            )
            with _CACHE_LOCK:
                _CACHE[key] = (fp, ix)
            return ix
        except Exception:  # a stale or truncated file: rebuild below
            path.unlink(missing_ok=True)
    with engine.connect() as c:
        firms = pd.read_sql(
            text(
                "SELECT uscc, name, region_code, industry_code, revenue, rd_expense, tags, "
                "business_scope, lon, lat, synthetic FROM enterprises"
            ),
            c,
        )
    # candidates in credit-code order, as the engine pre-filter returns them: ties rank alike
    # on both paths (and on PostgreSQL, whose row order without ORDER BY is arbitrary)
    firms = firms.sort_values("uscc", kind="stable").reset_index(drop=True)
    caps, cr, cl, ci = _platform(engine)
    ix = build_index(firms, caps, cluster_regions=cr, clusters=cl, cluster_industries=ci)
    with _CACHE_LOCK:
        _CACHE[key] = (fp, ix)
    if path is not None and ix.n >= DISK_CACHE_MIN_CANDIDATES:
        db_prefix = path.name.rsplit("-", 1)[0]
        _write_pickle(path, ix, f"{db_prefix}-*.pkl")
    return ix
