"""The matching index: every candidate supplier in flat arrays and sparse matrices, built once.

Candidates are the registry's enterprises (一企一档) plus the capabilities posted on the
supply–demand board (one row each; a firm that posted a capability appears twice and the
ranking keeps its better row). Everything a query needs is precomputed:

* industry class as an integer (group = class // 10, division = class // 100);
* county, prefecture and province codes as integers (GB/T 2260 prefixes);
* longitude and latitude (degrees, NaN when unknown);
* a BM25 index of the product text — business scope (经营范围) for registry rows, the posted
  product text for capability rows (:class:`jiqun.matching.text.BM25Index`);
* a sparse candidate × segment matrix of firm → segment mapping confidences over every chain
  template (:func:`jiqun.chains.map_firms`: by class, by keyword, combined);
* a sparse candidate × certificate matrix (posted certifications plus the firm's tags, e.g.
  ``high_tech`` 高新技术企业);
* cluster member regions, for the cross-region switch, and the classes of each field.

Building the index for 200,000 firms takes seconds (dominated by jieba and the chain mapping);
a query then costs a few vectorised passes over the arrays (see ``benchmarks/README.md``).

References
----------
docs/METHODS.md §5 (firm → segment mapping); Robertson & Zaragoza (2009) for BM25.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from jiqun.chains.mapping import map_firms
from jiqun.chains.templates import ChainTemplate, load_templates
from jiqun.matching.text import BM25Index, CorpusStats, add_user_words, term_counts
from jiqun.standard.schema import TAG_ALIASES, TAGS

__all__ = [
    "FirmDocuments",
    "MatchIndex",
    "build_index",
    "corpus_stats",
    "firm_documents",
    "normalise_cert",
    "split_list",
]

#: order of the columns of :attr:`MatchIndex.tag_flags`
TAG_IDS: tuple[str, ...] = tuple(TAGS)

_SPLIT = re.compile(r"[;；,，、|]+")
_CERT_DROP = re.compile(r"[\s\-_:：.·/（）()]+")


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated cell (also ``；``, ``,``, ``、``) into stripped, non-empty items.

    Example
    -------
    >>> split_list("ISO 9001；IATF16949, ")
    ['ISO 9001', 'IATF16949']
    >>> split_list(["ISO 9001", "IATF16949"])
    ['ISO 9001', 'IATF16949']
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in _SPLIT.split(str(value)) if v.strip()]


def normalise_cert(name: str) -> str:
    """Canonical form of a certificate or tag name, so that spellings compare equal.

    Upper case, spaces, dashes, colons and dots removed; a firm-tag spelling (``高新技术企业``,
    ``小巨人``) becomes its tag id (``HIGH_TECH``, ``LITTLE_GIANT``).

    Example
    -------
    >>> normalise_cert("ISO 9001:2015"), normalise_cert("iso9001-2015")
    ('ISO90012015', 'ISO90012015')
    >>> normalise_cert("高新技术企业")
    'HIGH_TECH'
    """
    s = str(name).strip()
    if s in TAG_ALIASES:
        s = TAG_ALIASES[s]
    for tid, (zh, _en) in TAGS.items():
        if s == zh:
            s = tid
    if s in TAGS:
        return s.upper()
    return _CERT_DROP.sub("", s).upper()


def _int_codes(codes: pd.Series) -> np.ndarray:
    s = codes.astype("string").str.strip()
    ok = s.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
    out = np.full(len(s), -1, dtype=np.int64)
    out[ok] = s[ok].astype("int64").to_numpy()
    return out


def _float(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series([""] * len(df), index=df.index, dtype="object")
    return df[col].astype("object").where(df[col].notna(), "").astype(str)


@dataclass
class MatchIndex:
    """Candidates of the matcher, as arrays aligned by candidate row (see module docstring).

    Build with :func:`build_index`. ``n`` rows; ``source`` is ``registry`` or ``capability``.
    """

    uscc: np.ndarray
    name: np.ndarray
    source: np.ndarray
    capability_id: np.ndarray
    region_code: np.ndarray
    industry_code: np.ndarray
    cls: np.ndarray
    county: np.ndarray
    pref: np.ndarray
    prov: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    revenue: np.ndarray
    rd_expense: np.ndarray
    capacity: np.ndarray
    unit: np.ndarray
    tags: np.ndarray
    synthetic: np.ndarray
    text: BM25Index
    segments: sp.csc_matrix
    segment_labels: list[tuple[str, str, str]]
    certs: sp.csc_matrix
    cert_vocab: dict[str, int]
    templates: dict[str, ChainTemplate]
    cluster_members: dict[str, frozenset[int]]
    cluster_field: dict[str, str]
    field_classes: dict[str, frozenset[int]]
    row_of_uscc: dict[str, int] = field(default_factory=dict)
    n_registry: int = 0
    registry_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tag_flags: np.ndarray = field(default_factory=lambda: np.zeros((0, len(TAGS)), dtype=bool))
    keyword_segments: dict[str, list[int]] = field(default_factory=dict)
    code_segments: dict[int, list[tuple[int, float]]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of candidate rows."""
        return len(self.uscc)

    @property
    def n_capabilities(self) -> int:
        """Number of posted-capability rows (they follow the registry rows)."""
        return self.n - self.n_registry

    def has_tag(self, tag: str) -> np.ndarray:
        """Boolean per candidate: the firm carries this tag id (:data:`TAGS`)."""
        return self.tag_flags[:, TAG_IDS.index(tag)]

    def clusters_of(self, county: int) -> list[str]:
        """Clusters whose member regions contain this county (by county, prefecture or province)."""
        keys = {county, county // 100 * 100, county // 10000 * 10000}
        return sorted(c for c, m in self.cluster_members.items() if keys & m)

    def segment_columns(self, chain: str | None = None) -> list[int]:
        """Columns of :attr:`segments` (all, or of one chain)."""
        return [i for i, (c, _s, _n) in enumerate(self.segment_labels) if chain in (None, c)]


def _segment_matrix(
    frame: pd.DataFrame, templates: Mapping[str, ChainTemplate]
) -> tuple[sp.csr_matrix, list[tuple[str, str, str]]]:
    labels: list[tuple[str, str, str]] = []
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    key = pd.Series(np.arange(len(frame)), index=frame["uscc"].to_numpy())
    for tm in templates.values():
        col0 = len(labels)
        labels += [(tm.id, s.id, s.name_zh) for s in tm.segments]
        if not len(frame):
            continue
        m = map_firms(frame, tm)
        if not len(m):
            continue
        seg_col = {s.id: col0 + i for i, s in enumerate(tm.segments)}
        rows.append(key.loc[m["uscc"].to_numpy()].to_numpy())
        cols.append(m["segment"].map(seg_col).to_numpy(dtype=np.int64))
        vals.append(m["confidence"].to_numpy(dtype=np.float64))
    shape = (len(frame), max(len(labels), 1))
    if rows:
        mat = sp.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape
        )
        # duplicates cannot occur (one row per firm and segment); max() guards anyway
        mat = sp.csr_matrix(mat)
        mat.sum_duplicates()
    else:
        mat = sp.csr_matrix(shape)
    return mat, labels


@dataclass
class FirmDocuments:
    """The per-document part of the index, the costly part to compute (jieba and the chain
    mapping): term counts and segment mapping confidences, one row per document.

    Computed by :func:`firm_documents`; stored per lake version in shards and passed to
    :func:`build_index` (``documents``) so that a search does not segment its candidates again.

    Attributes
    ----------
    terms:
        The term of each column of ``tf``.
    tf:
        Documents × terms counts (CSR, float64).
    segments:
        Documents × segment columns mapping confidences (CSR), columns as ``segment_labels``.
    segment_labels:
        ``(chain, segment id, segment name)`` per column, over the templates in their order.
    """

    terms: list[str]
    tf: sp.csr_matrix
    segments: sp.csr_matrix
    segment_labels: list[tuple[str, str, str]]

    @property
    def n(self) -> int:
        """Number of documents."""
        return int(self.tf.shape[0])

    def compact(self) -> FirmDocuments:
        """The same documents with only the terms they contain (columns renumbered in order)."""
        used = np.unique(self.tf.indices)
        tf = sp.csr_matrix(
            (self.tf.data, np.searchsorted(used, self.tf.indices), self.tf.indptr),
            shape=(self.n, max(len(used), 1)),
        )
        return FirmDocuments([self.terms[j] for j in used], tf, self.segments, self.segment_labels)

    def concat(self, other: FirmDocuments) -> FirmDocuments:
        """These documents, then ``other``'s (terms united; same templates required)."""
        if other.segment_labels != self.segment_labels:
            raise ValueError("documents mapped on different chain templates")
        terms = list(self.terms)
        col = {t: j for j, t in enumerate(terms)}
        remap = np.array([col.setdefault(t, len(col)) for t in other.terms], dtype=np.int64)
        terms += [t for t in other.terms if col[t] >= len(self.terms)]
        width = max(len(terms), 1)
        a = sp.csr_matrix((self.tf.data, self.tf.indices, self.tf.indptr), (self.n, width))
        idx = remap[other.tf.indices] if len(other.tf.indices) else other.tf.indices
        b = sp.csr_matrix((other.tf.data, idx, other.tf.indptr), (other.n, width))
        return FirmDocuments(
            terms,
            sp.csr_matrix(sp.vstack([a, b], format="csr")),
            sp.csr_matrix(sp.vstack([self.segments, other.segments], format="csr")),
            self.segment_labels,
        )


def firm_documents(
    frame: pd.DataFrame, templates: Mapping[str, ChainTemplate] | None = None
) -> FirmDocuments:
    """Term counts and segment mappings of documents (business scopes, or capability texts).

    Each row is computed from its own ``industry_code`` and ``business_scope`` only, so the
    documents of a registry can be computed batch by batch, stored, and any subset of rows
    taken later: the rows equal those of the whole registry computed at once.

    Parameters
    ----------
    frame:
        ``industry_code`` (GB/T 4754-2017 class, as given) and ``business_scope`` (经营范围).
    templates:
        Chain templates (default :func:`jiqun.chains.load_templates`); their segment keywords
        are loaded into the segmenter first, as :func:`build_index` does.

    Returns
    -------
    FirmDocuments

    References
    ----------
    docs/METHODS.md §5 (firm → segment mapping); Robertson & Zaragoza (2009), §3.

    Example
    -------
    >>> d = firm_documents(pd.DataFrame({"industry_code": ["3453"],
    ...     "business_scope": ["精密减速器的生产"]}))
    >>> d.n, "减速器" in d.terms
    (1, True)
    """
    tms: dict[str, ChainTemplate] = dict(templates) if templates is not None else load_templates()
    add_user_words({k for tm in tms.values() for s in tm.segments for k in s.keywords})
    f = frame.reset_index(drop=True)
    texts = _text(f, "business_scope")
    vocab, tf = term_counts(texts.tolist())
    seg_frame = pd.DataFrame(
        {
            "uscc": [f"r{i}" for i in range(len(f))],
            "industry_code": _text(f, "industry_code").to_numpy(),
            "business_scope": texts.to_numpy(),
        }
    )
    segments, labels = _segment_matrix(seg_frame, tms)
    return FirmDocuments(list(vocab), tf, segments, labels)


def _cert_matrix(cert_lists: Iterable[list[str]], n: int) -> tuple[sp.csc_matrix, dict[str, int]]:
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, items in enumerate(cert_lists):
        for c in {normalise_cert(x) for x in items}:
            if c:
                rows.append(i)
                cols.append(vocab.setdefault(c, len(vocab)))
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(vocab), 1)))
    m.data[:] = 1.0
    return m.tocsc(), vocab


def corpus_stats(
    firm_scopes: Iterable[Iterable[str | None]], capabilities: pd.DataFrame | None = None
) -> CorpusStats:
    """BM25 statistics of the corpus :func:`build_index` indexes: every firm's business scope
    (in batches, so that the texts need not be in memory at once) and every posted
    capability's product text.

    Parameters
    ----------
    firm_scopes:
        Batches of business scopes (经营范围), one per firm of the registry.
    capabilities:
        The posted capabilities (``products``), or ``None``.

    Returns
    -------
    jiqun.matching.text.CorpusStats

    References
    ----------
    Robertson & Zaragoza (2009), §3 (IDF and mean document length are corpus statistics).

    Example
    -------
    >>> st = corpus_stats([["精密减速器的生产"], ["齿轮箱", None]])
    >>> st.n_docs
    3
    """
    # the segmenter must hold the template keywords, as when build_index tokenises
    add_user_words({k for tm in load_templates().values() for s in tm.segments for k in s.keywords})
    st = CorpusStats()
    for batch in firm_scopes:
        st.add(batch)
    if capabilities is not None and len(capabilities):
        st.add(_text(capabilities, "products").tolist())
    return st


def build_index(
    firms: pd.DataFrame,
    capabilities: pd.DataFrame | None = None,
    *,
    cluster_regions: pd.DataFrame | None = None,
    clusters: pd.DataFrame | None = None,
    cluster_industries: pd.DataFrame | None = None,
    templates: Mapping[str, ChainTemplate] | None = None,
    corpus: CorpusStats | None = None,
    documents: FirmDocuments | None = None,
) -> MatchIndex:
    """Build the matching index over the registry's firms and the posted capabilities.

    Parameters
    ----------
    firms:
        ``uscc``, ``name``, ``region_code`` (6-digit GB/T 2260), ``industry_code`` (4-digit
        GB/T 4754-2017 class), ``business_scope`` (经营范围); optional ``revenue`` and
        ``rd_expense`` (万元), ``tags`` (``;``-separated tag ids), ``lon``/``lat`` (degrees),
        ``synthetic``.
    capabilities:
        Posted capabilities: ``id``, ``uscc``, ``products`` (text); optional
        ``industry_code``, ``capacity``, ``unit``, ``certifications`` (``;``-separated),
        ``region_code``, ``lon``/``lat`` and ``synthetic``. A missing class, region or location
        is taken from the firm's registry row; the firm's tags count as certificates too.
    cluster_regions:
        ``cluster_id``, ``region_code`` (the clusters' member regions, for the cross-region
        switch).
    clusters, cluster_industries:
        ``cluster_id``, ``field`` and ``cluster_id``, ``industry_code``: with the templates'
        fields they give each field's classes (partner search by field).
    templates:
        Chain templates (default :func:`jiqun.chains.load_templates`); their segment keywords
        are loaded into the segmenter and serve as synonyms.
    corpus:
        BM25 statistics of the whole corpus when ``firms`` are only some candidates of it
        (:func:`corpus_stats`); the candidates then get the BM25 weights of the full index.
        ``None``: the corpus is these firms and capabilities.
    documents:
        The :func:`firm_documents` of ``firms``, row for row (e.g. read from the matching
        shards of a lake version): the firms' scopes are then neither read nor segmented, only
        the capabilities' texts are. ``None``: computed here.

    Returns
    -------
    MatchIndex

    References
    ----------
    docs/METHODS.md §5 (firm → segment mapping, :func:`jiqun.chains.map_firms`); Robertson &
    Zaragoza (2009) for BM25.

    Example
    -------
    >>> firms = pd.DataFrame({"uscc": ["A"], "name": ["甲"], "region_code": ["320505"],
    ...     "industry_code": ["3453"], "business_scope": ["精密减速器的生产"]})
    >>> ix = build_index(firms)
    >>> ix.n, int(ix.cls[0]), int(ix.pref[0])
    (1, 3453, 320500)
    """
    tms: dict[str, ChainTemplate] = dict(templates) if templates is not None else load_templates()
    words = {k for tm in tms.values() for s in tm.segments for k in s.keywords}
    add_user_words(words)

    f = firms.reset_index(drop=True)
    reg = pd.DataFrame(
        {
            "uscc": f["uscc"].astype(str).to_numpy(),
            "name": _text(f, "name").to_numpy(),
            "source": "registry",
            "capability_id": -1,
            "region_code": _text(f, "region_code").to_numpy(),
            "industry_code": _text(f, "industry_code").to_numpy(),
            "text": _text(f, "business_scope").to_numpy(),
            "lon": _float(f, "lon"),
            "lat": _float(f, "lat"),
            "revenue": _float(f, "revenue"),
            "rd_expense": _float(f, "rd_expense"),
            "capacity": np.nan,
            "unit": "",
            "tags": _text(f, "tags").to_numpy(),
            "certs": _text(f, "tags").to_numpy(),
            "synthetic": f["synthetic"].fillna(False).astype(bool).to_numpy()
            if "synthetic" in f
            else False,
        }
    )
    parts = [reg]
    if capabilities is not None and len(capabilities):
        c = capabilities.reset_index(drop=True)
        base = reg.drop_duplicates("uscc").set_index("uscc")
        u = c["uscc"].astype(str)
        known = u.isin(base.index).to_numpy()

        def from_firm(col: str, own: np.ndarray, blank: Any) -> np.ndarray:
            firm_vals = base[col].reindex(u).to_numpy()
            missing = pd.isna(own) | (own == blank) if blank is not None else pd.isna(own)
            return np.where(missing & known, firm_vals, own)

        rc = _text(c, "region_code").to_numpy()
        has_region = rc != ""
        lon, lat = _float(c, "lon"), _float(c, "lat")
        # a capability supplied from another region has no firm coordinates to borrow
        lon = np.where(np.isnan(lon) & ~has_region, base["lon"].reindex(u).to_numpy(), lon)
        lat = np.where(np.isnan(lat) & ~has_region, base["lat"].reindex(u).to_numpy(), lat)
        certs = [
            ";".join([*split_list(a), *split_list(b)])
            for a, b in zip(
                _text(c, "certifications"), base["tags"].reindex(u).fillna(""), strict=True
            )
        ]
        cap = pd.DataFrame(
            {
                "uscc": u.to_numpy(),
                "name": base["name"].reindex(u).fillna("").to_numpy(),
                "source": "capability",
                "capability_id": pd.to_numeric(c["id"], errors="coerce")
                .fillna(-1)
                .astype("int64")
                .to_numpy()
                if "id" in c
                else np.arange(len(c)),
                "region_code": from_firm("region_code", rc, ""),
                "industry_code": from_firm(
                    "industry_code", _text(c, "industry_code").to_numpy(), ""
                ),
                "text": _text(c, "products").to_numpy(),
                "lon": lon,
                "lat": lat,
                "revenue": base["revenue"].reindex(u).to_numpy(dtype=np.float64),
                "rd_expense": base["rd_expense"].reindex(u).to_numpy(dtype=np.float64),
                "capacity": _float(c, "capacity"),
                "unit": _text(c, "unit").str.strip().str.lower().to_numpy(),
                "tags": base["tags"].reindex(u).fillna("").to_numpy(),
                "certs": certs,
                # the row shows the firm's registry data too: synthetic if either is
                "synthetic": (
                    c["synthetic"].fillna(False).astype(bool).to_numpy()
                    if "synthetic" in c
                    else np.zeros(len(c), dtype=bool)
                )
                | base["synthetic"].reindex(u).fillna(False).astype(bool).to_numpy(),
            }
        )
        parts.append(cap)
    cand = pd.concat(parts, ignore_index=True)
    n = len(cand)
    cand["region_code"] = cand["region_code"].fillna("").astype(str)
    cand["industry_code"] = cand["industry_code"].fillna("").astype(str)

    county = _int_codes(cand["region_code"])
    valid_region = county >= 100000
    county = np.where(valid_region, county, -1)
    pref = np.where(valid_region, county // 100 * 100, -1)
    prov = np.where(valid_region, county // 10000 * 10000, -1)
    cls = _int_codes(cand["industry_code"])
    cls = np.where(cand["industry_code"].str.len().to_numpy() == 4, cls, -1)

    docs_of = cand[["industry_code", "text"]].rename(columns={"text": "business_scope"})
    if documents is None:
        docs = firm_documents(docs_of, tms)
    else:
        if documents.n != len(reg):
            raise ValueError(f"{documents.n} documents for {len(reg)} firms")
        docs = documents.compact().concat(firm_documents(docs_of.iloc[len(reg) :], tms))
    text_index = BM25Index.from_counts(
        {t: j for j, t in enumerate(docs.terms)}, docs.tf, stats=corpus
    )
    segments, labels = docs.segments.tocsc(), docs.segment_labels
    certs, cert_vocab = _cert_matrix((split_list(x) for x in cand["certs"]), n)

    members: dict[str, set[int]] = {}
    if cluster_regions is not None and len(cluster_regions):
        for cid, code in zip(
            cluster_regions["cluster_id"].astype(str),
            _int_codes(cluster_regions["region_code"]),
            strict=True,
        ):
            if code > 0:
                members.setdefault(cid, set()).add(int(code))
    cfield: dict[str, str] = {}
    fclasses: dict[str, set[int]] = {}
    if clusters is not None and len(clusters) and "field" in clusters:
        for cid, fld in zip(clusters["cluster_id"].astype(str), clusters["field"], strict=True):
            if isinstance(fld, str) and fld:
                cfield[cid] = fld
    if cluster_industries is not None and len(cluster_industries):
        for cid, code in zip(
            cluster_industries["cluster_id"].astype(str),
            cluster_industries["industry_code"].astype(str),
            strict=True,
        ):
            fld = cfield.get(cid)
            if fld and len(code) == 4 and code.isdigit():
                fclasses.setdefault(fld, set()).add(int(code))
    for tm in tms.values():
        for s in tm.segments:
            fclasses.setdefault(tm.field, set()).update(int(x) for x in s.codes)

    kw_segments: dict[str, list[int]] = {}
    code_segments: dict[int, list[tuple[int, float]]] = {}
    col = 0
    for tm in tms.values():
        for s in tm.segments:
            for k in s.keywords:
                kw_segments.setdefault(k.lower(), []).append(col)
            for m in s.gbt4754:
                code_segments.setdefault(int(m.code), []).append((col, m.score))
            col += 1

    uscc = cand["uscc"].to_numpy(dtype=object)
    row_of: dict[str, int] = {}
    for i in np.flatnonzero(cand["source"].to_numpy() == "registry"):
        row_of.setdefault(uscc[i], int(i))
    registry_row = np.fromiter((row_of.get(u, -1) for u in uscc), dtype=np.int64, count=n)
    tag_text = cand["tags"].fillna("").astype(str)
    tag_flags = (
        np.column_stack(
            [
                tag_text.str.contains(rf"(?:^|;)\s*{t}\s*(?:;|$)", regex=True).to_numpy(bool)
                for t in TAG_IDS
            ]
        )
        if n
        else np.zeros((0, len(TAG_IDS)), dtype=bool)
    )
    return MatchIndex(
        uscc=uscc,
        name=cand["name"].to_numpy(dtype=object),
        source=cand["source"].to_numpy(dtype=object),
        capability_id=cand["capability_id"].to_numpy(dtype=np.int64),
        region_code=cand["region_code"].to_numpy(dtype=object),
        industry_code=cand["industry_code"].to_numpy(dtype=object),
        cls=cls,
        county=county,
        pref=pref,
        prov=prov,
        lon=cand["lon"].to_numpy(dtype=np.float64),
        lat=cand["lat"].to_numpy(dtype=np.float64),
        revenue=cand["revenue"].to_numpy(dtype=np.float64),
        rd_expense=cand["rd_expense"].to_numpy(dtype=np.float64),
        capacity=cand["capacity"].to_numpy(dtype=np.float64),
        unit=cand["unit"].fillna("").astype(str).to_numpy(dtype=object),
        tags=cand["tags"].fillna("").astype(str).to_numpy(dtype=object),
        synthetic=cand["synthetic"].astype(bool).to_numpy(),
        text=text_index,
        segments=segments,
        segment_labels=labels,
        certs=certs,
        cert_vocab=cert_vocab,
        templates=tms,
        cluster_members={k: frozenset(v) for k, v in members.items()},
        cluster_field=cfield,
        field_classes={k: frozenset(v) for k, v in fclasses.items()},
        row_of_uscc=row_of,
        n_registry=len(reg),
        registry_row=registry_row,
        tag_flags=tag_flags,
        keyword_segments=kw_segments,
        code_segments=code_segments,
    )
