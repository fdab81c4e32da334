"""The matching index of a database, built once per database state and cached.

The index is kept in the process and, for large databases, on disk between CLI calls; it is
rebuilt when enterprises, capabilities or cluster regions change.

With the lake current, a search indexes only its candidates (:func:`candidate_index`): their
documents (term counts and segment mappings, the costly part of the index) are read from the
**matching shards** of the lake version (:func:`firm_shards`): one Parquet file per GB/T 4754
division under ``<data dir>/cache/match-shards-…``, built once by the first search after a
sync and reused by every later search and process (docs/scale.md, "Matching shards").
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import scipy.sparse as sp
from sqlalchemy import Engine, text

from jiqun.matching.index import (
    FirmDocuments,
    MatchIndex,
    build_index,
    corpus_stats,
    firm_documents,
)
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


#: bump when the shard files change shape
SHARD_FORMAT = 1
#: the shard of firms without a valid GB/T 4754 division
OTHER_SHARD = "other"

_SHARDS: dict[Path, FirmShards] = {}
_SHARDS_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()

_SHARD_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("terms", pa.list_(pa.int32())),
        ("counts", pa.list_(pa.int32())),
        ("segments", pa.list_(pa.int32())),
        ("confidence", pa.list_(pa.float64())),
    ]
)


def shard_key(industry_code: object) -> str:
    """The shard of a firm: its GB/T 4754-2017 division (the class's first two digits).

    Example
    -------
    >>> shard_key("3453"), shard_key(" 38 "), shard_key(None)
    ('34', '38', 'other')
    """
    s = "" if industry_code is None else str(industry_code).strip()
    return s[:2] if len(s) >= 2 and s[:2].isdigit() else OTHER_SHARD


def _list_column(offsets: np.ndarray, values: np.ndarray, typ: pa.DataType) -> pa.Array:
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32)), pa.array(values, type=typ), type=pa.list_(typ)
    )


def _flat(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (from 0) and values of a list column."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if isinstance(arr, pa.ChunkedArray):  # no chunk at all
        arr = pa.array([], type=arr.type)
    off = np.asarray(arr.offsets, dtype=np.int64)
    vals = arr.values.to_numpy(zero_copy_only=False)[off[0] : off[-1]] if len(off) else []
    return off - (off[0] if len(off) else 0), np.asarray(vals)


@dataclass
class FirmShards:
    """The matching documents of every firm of one lake version, on disk in shards.

    One Parquet file per GB/T 4754 division (``34.parquet``; ``other.parquet`` for firms
    without a class), one row per firm: ``uscc``, its term ids and counts
    (:func:`jiqun.matching.text.term_counts`) and its segment columns and confidences
    (:func:`jiqun.chains.map_firms`); ``_terms.parquet`` holds every term with its document
    frequency (the BM25 corpus statistics) and ``_meta.json`` the rest.

    Attributes
    ----------
    path:
        The shard directory.
    terms:
        Term of each id.
    stats:
        BM25 statistics of the whole registry (document frequencies, size, total length).
    rows:
        Firms per shard.
    segment_labels:
        Segment columns (as :attr:`jiqun.matching.MatchIndex.segment_labels`).
    loaded:
        The shards the last :meth:`documents` call read (for the benchmark and the tests).
    """

    path: Path
    terms: list[str]
    stats: CorpusStats
    rows: dict[str, int]
    segment_labels: list[tuple[str, str, str]]
    loaded: list[str] = field(default_factory=list)

    def documents(self, uscc: Sequence[str], industry_code: Sequence[object]) -> FirmDocuments:
        """The documents of these firms, row for row, read from their divisions' shards only.

        Parameters
        ----------
        uscc, industry_code:
            The firms (credit code and class, as the lake holds them).

        Returns
        -------
        jiqun.matching.index.FirmDocuments

        Raises
        ------
        KeyError
            A firm is in no shard (the shards are not those of the firms' lake version).

        Example
        -------
        >>> shards.documents(["91320500MA1X"], ["3453"]).n  # doctest: +SKIP
        1
        """
        want = [str(u) for u in uscc]
        keys = sorted({shard_key(c) for c in industry_code} & set(self.rows))
        value_set = pa.array(want, type=pa.string())
        parts = []
        for k in keys:
            t = pq.read_table(self.path / f"{k}.parquet", schema=_SHARD_SCHEMA)
            parts.append(t.filter(pc.is_in(t["uscc"], value_set=value_set)))
        self.loaded = keys
        t = pa.concat_tables(parts) if parts else _SHARD_SCHEMA.empty_table()
        pos = pd.Index(t["uscc"].to_numpy(zero_copy_only=False)).get_indexer(want)
        if len(pos) and pos.min() < 0:
            raise KeyError(f"{int((pos < 0).sum())} firms are in no matching shard")
        t = t.take(pa.array(pos, type=pa.int64()))
        n = len(want)
        off, ids = _flat(t["terms"])
        _, counts = _flat(t["counts"])
        tf = sp.csr_matrix(
            (counts.astype(np.float64), ids.astype(np.int32), off),
            shape=(n, max(len(self.terms), 1)),
        )
        soff, cols = _flat(t["segments"])
        _, conf = _flat(t["confidence"])
        seg = sp.csr_matrix(
            (conf.astype(np.float64), cols.astype(np.int32), soff),
            shape=(n, max(len(self.segment_labels), 1)),
        )
        return FirmDocuments(self.terms, tf, seg, self.segment_labels)


def _shards_path(eng: analytical.Engine) -> Path:
    """``<data dir>/cache/match-shards-<lake hash>-v<version>-<state hash>``: the lake version,
    its manifest (a lake removed and synced again restarts its version numbers), the chain
    templates (they decide the segment mapping and the segmenter's user words), Jiqun's version
    and the shard format."""
    import hashlib

    from jiqun import __version__
    from jiqun.chains.templates import load_templates
    from jiqun.config import data_dir

    version = int(eng.version or 0)
    manifest = eng.manifest(version)
    tms = sorted((t.id, t.version, t.origin) for t in load_templates().values())
    state = json.dumps([manifest, tms, SHARD_FORMAT], sort_keys=True, default=str)
    lake_hash = hashlib.sha256(f"{eng.lake}|{__version__}".encode()).hexdigest()[:12]
    st = hashlib.sha256(state.encode()).hexdigest()[:8]
    return data_dir() / "cache" / f"match-shards-{lake_hash}-v{version:06d}-{st}"


def build_shards(eng: analytical.Engine, path: Path) -> None:
    """Segment and map every firm of the engine's lake version once and file the results in
    shards by GB/T 4754 division (:class:`FirmShards`), in bounded memory.

    The firms stream from the engine in batches (:func:`jiqun.engine.matching.document_batches`);
    each batch's documents (:func:`jiqun.matching.index.firm_documents`) are appended to the
    shard files of its firms' divisions. The directory is written under a temporary name and
    renamed into place when complete (a build killed half-way leaves nothing readable); the
    other versions' shard directories of the same lake are then removed.

    Parameters
    ----------
    eng:
        The analytical engine on the lake version to index.
    path:
        The shard directory (:func:`firm_shards` chooses it).

    Example
    -------
    >>> build_shards(eng, tmp / "shards")  # doctest: +SKIP
    """
    import uuid

    from jiqun.chains.templates import load_templates
    from jiqun.engine.matching import document_batches

    tms = load_templates()
    tmp = path.parent / f".{path.name}.building-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    rows: dict[str, int] = {}
    term_id: dict[str, int] = {}
    df = np.zeros(0, dtype=np.int64)
    n_docs = total = 0
    labels: list[tuple[str, str, str]] = []
    try:
        for batch in document_batches(eng):
            docs = firm_documents(batch, tms)
            labels = docs.segment_labels
            remap = np.fromiter(
                (term_id.setdefault(t, len(term_id)) for t in docs.terms),
                dtype=np.int64,
                count=len(docs.terms),
            )
            ids = remap[docs.tf.indices] if len(docs.tf.indices) else docs.tf.indices
            # one entry per (firm, term): the entries of a term are its document frequency
            df = np.concatenate([df, np.zeros(len(term_id) - len(df), dtype=np.int64)])
            df += np.bincount(ids, minlength=len(term_id)).astype(np.int64)
            n_docs += docs.n
            total += int(docs.tf.data.astype(np.int64).sum())
            tf = sp.csr_matrix(
                (docs.tf.data, ids, docs.tf.indptr), shape=(docs.n, max(len(term_id), 1))
            )
            keys = np.array([shard_key(c) for c in batch["industry_code"]], dtype=object)
            uscc = batch["uscc"].astype(str).to_numpy()
            for k in sorted(set(keys)):
                sel = np.flatnonzero(keys == k)
                a, s = tf[sel], docs.segments[sel]
                table = pa.Table.from_arrays(
                    [
                        pa.array(uscc[sel], type=pa.string()),
                        _list_column(a.indptr, a.indices.astype(np.int32), pa.int32()),
                        _list_column(a.indptr, a.data.astype(np.int32), pa.int32()),
                        _list_column(s.indptr, s.indices.astype(np.int32), pa.int32()),
                        _list_column(s.indptr, s.data.astype(np.float64), pa.float64()),
                    ],
                    schema=_SHARD_SCHEMA,
                )
                if k not in writers:
                    writers[k] = pq.ParquetWriter(tmp / f"{k}.parquet", _SHARD_SCHEMA)
                writers[k].write_table(table)
                rows[k] = rows.get(k, 0) + len(sel)
        for w in writers.values():
            w.close()
        writers.clear()
        if not labels:  # an empty registry: the labels of the templates
            labels = firm_documents(
                pd.DataFrame({"industry_code": [], "business_scope": []}), tms
            ).segment_labels
        pq.write_table(
            pa.table({"term": pa.array(list(term_id), pa.string()), "df": pa.array(df)}),
            tmp / "_terms.parquet",
        )
        meta = {
            "format": SHARD_FORMAT,
            "lake_version": eng.version,
            "n_docs": n_docs,
            "total_length": total,
            "rows": rows,
            "segment_labels": labels,
        }
        (tmp / "_meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        try:
            tmp.rename(path)
        except OSError:  # another process published the same version first
            if not (path / "_meta.json").is_file():
                raise
    finally:
        for w in writers.values():
            w.close()
        shutil.rmtree(tmp, ignore_errors=True)
    prefix = path.name.split("-v")[0]
    for old in path.parent.glob(f"{prefix}-v*"):
        if old != path and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _open_shards(path: Path) -> FirmShards:
    meta = json.loads((path / "_meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != SHARD_FORMAT:
        raise ValueError("old shard format")
    terms_t = pq.read_table(path / "_terms.parquet")
    terms = terms_t["term"].to_pylist()
    stats = CorpusStats(
        dict(zip(terms, terms_t["df"].to_pylist(), strict=True)),
        int(meta["n_docs"]),
        int(meta["total_length"]),
    )
    for k in meta["rows"]:
        if not (path / f"{k}.parquet").is_file():
            raise FileNotFoundError(path / f"{k}.parquet")
    return FirmShards(
        path,
        terms,
        stats,
        {str(k): int(v) for k, v in meta["rows"].items()},
        [tuple(x) for x in meta["segment_labels"]],
    )


def firm_shards(eng: analytical.Engine, *, rebuild: bool = False) -> FirmShards:
    """The matching shards of the engine's lake version, built on first use (lazily: the first
    search after a lake sync pays for them) and reused by every later search, in this process
    and the next ones.

    Parameters
    ----------
    eng:
        The analytical engine on the current lake version.
    rebuild:
        Build again even if the shards are on disk (a damaged shard).

    Returns
    -------
    FirmShards

    Example
    -------
    >>> firm_shards(eng).rows["34"]  # doctest: +SKIP
    812
    """
    path = _shards_path(eng)
    with _SHARDS_LOCK:
        hit = _SHARDS.get(path)
    if hit is not None and not rebuild:
        return hit
    with _BUILD_LOCK:  # one build per process; other processes race on the final rename
        shards: FirmShards | None = None
        if not rebuild:
            try:
                shards = _open_shards(path)
            except Exception:  # missing, truncated or of an older format: build below
                shards = None
        if shards is None:
            shutil.rmtree(path, ignore_errors=True)
            build_shards(eng, path)
            shards = _open_shards(path)
    with _SHARDS_LOCK:
        _SHARDS.clear()  # one lake version is current at a time
        _SHARDS[path] = shards
    return shards


def lake_corpus_stats(eng: analytical.Engine) -> CorpusStats:
    """BM25 statistics of the registry's business scopes on the engine's lake version.

    Counted once per lake version, as a by-product of the matching shards
    (:func:`firm_shards`): the document frequency of a term is the number of firms whose shard
    row holds it.

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
    return firm_shards(eng).stats


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
    from jiqun.engine.matching import FIRM_COLUMNS, candidate_firms

    caps, cr, cl, ci = _platform(engine)
    also = tuple(sorted({*crit.also, *caps["uscc"].astype(str)}))
    # the scopes stay in the lake: the candidates' documents come from the shards
    cols = tuple(c for c in FIRM_COLUMNS if c != "business_scope")
    firms = candidate_firms(eng, replace(crit, also=also), columns=cols)
    if firms is None:
        return None
    shards = firm_shards(eng)
    try:
        docs = shards.documents(firms["uscc"], firms["industry_code"])
    except (KeyError, OSError, pa.ArrowException):  # a damaged shard: build them again
        shards = firm_shards(eng, rebuild=True)
        docs = shards.documents(firms["uscc"], firms["industry_code"])
    st = shards.stats.merged(corpus_stats([], caps))
    return build_index(
        firms,
        caps,
        cluster_regions=cr,
        clusters=cl,
        cluster_industries=ci,
        corpus=st,
        documents=docs,
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
