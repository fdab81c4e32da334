"""Chinese product text: jieba segmentation and a BM25 index in sparse matrices.

The matcher compares a need's product words with firms' business scopes (经营范围) and posted
capability texts. Texts are split into clauses at Chinese and ASCII punctuation, each distinct
clause is segmented once with jieba's search mode (which also yields the shorter dictionary
words inside a long product word: "谐波减速器" → 谐波, 减速, 减速器, 谐波减速器), product
keywords of the chain templates are loaded as user words so that they stay whole, and generic
business-scope words (生产, 销售, 技术服务, 依法须经批准 …) are dropped.

BM25 (Robertson & Zaragoza 2009, eq. 3.15 with the non-negative IDF used by Lucene):

.. math::

    \\mathrm{BM25}(q, d) = \\sum_{t \\in q} w_{q,t}\\,\\mathrm{IDF}(t)\\,
        \\frac{f_{t,d}\\,(k_1 + 1)}{f_{t,d} + k_1\\,(1 - b + b\\,|d| / \\overline{|d|})},
    \\qquad \\mathrm{IDF}(t) = \\ln\\Bigl(1 + \\frac{N - n_t + 0.5}{n_t + 0.5}\\Bigr)

with :math:`k_1 = 1.2`, :math:`b = 0.75`, :math:`f_{t,d}` the count of term *t* in document
*d*, :math:`|d|` its length in terms, :math:`n_t` the number of documents containing *t*,
*N* the number of documents and :math:`w_{q,t}` the query weight of the term (1 for the need's
own words, less for synonyms). The document side of the formula does not depend on the query,
so it is computed once into a sparse CSC matrix *W* (documents × terms); a query is then
one sparse column selection and sum, ``W[:, terms] @ w_q`` — a few milliseconds for 200,000
firms.

References
----------
S. Robertson and H. Zaragoza (2009), "The Probabilistic Relevance Framework: BM25 and Beyond",
Foundations and Trends in Information Retrieval 3(4): 333–389.
jieba (MIT), https://github.com/fxsjy/jieba.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from jiqun.standard.tokenizer import JiebaTokenizer

__all__ = [
    "BM25_B",
    "BM25_K1",
    "STOPWORDS",
    "BM25Index",
    "CorpusStats",
    "add_user_words",
    "term_counts",
    "tokenize",
]

BM25_K1 = 1.2
BM25_B = 0.75

#: Generic words of Chinese business scopes and firm names that say nothing about a product.
STOPWORDS: frozenset[str] = frozenset(
    """
    的 和 及 与 等 或 其 类 用 中 为 以 在 上 下 除 外 凭 经 须 可 后 方
    由 各 非 含 对 生产 销售 研发 研制 制造 加工 开发 设计 服务 技术 咨询 交流
    转让 推广 相关 其他 其它 一般 项目 许可 依法 须经 批准 经批准 批准后 部门
    相关部门 开展 经营 经营活动 活动 方可 营业 执照 营业执照 自主 自主开展 法律
    法规 禁止 限制 货物 进出口 技术进出口 货物进出口 代理 贸易 国内 国内贸易
    销售代理 贸易代理 仓储 普通 普通货物 仓储服务 不含 有限 公司
    有限公司 股份 股份有限公司 有限责任 责任 责任公司 集团 实业 科技 科技股份 产品
    系列 零售 批发 安装 维修 维护 租赁 进口 出口 业务 工程 试验 发展 研究
    试验发展
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# clause separators (Chinese and ASCII punctuation, whitespace)
_CLAUSE = re.compile(r"[；;、，,。：:（）()【】\[\]《》<>“”\"'/\\|\s]+")
# a kept term: ≥ 2 characters of CJK, letters and digits (减速器, PLC, RV减速器, 5G, IGBT)
_TERM = re.compile(r"^[0-9a-z\u3400-\u9fff][0-9a-z.+\-\u3400-\u9fff]+$")

#: matching's own segmenter (jiqun.standard.tokenizer): its user words are all template keywords
_SEGMENTER = JiebaTokenizer()
_LOCK = threading.Lock()


def add_user_words(words: Iterable[str]) -> None:
    """Teach the segmenter product words that must stay whole (e.g. chain-template keywords).

    Parameters
    ----------
    words:
        Words to add; already known ones are skipped. The tokenizer only grows.

    Example
    -------
    >>> add_user_words(["谐波减速器"])
    >>> "谐波减速器" in tokenize("谐波减速器的生产")
    True
    """
    with _LOCK:
        new = _SEGMENTER.add_words({w.strip() for w in words if w and w.strip()})
        if new:
            _CLAUSE_CACHE.clear()  # segmentations made before may now differ


def _keep(tok: str) -> bool:
    return tok not in STOPWORDS and bool(_TERM.match(tok))


_CLAUSE_CACHE: dict[str, tuple[str, ...]] = {}
_CACHE_MAX = 500_000


def _clause_tokens(clause: str) -> tuple[str, ...]:
    got = _CLAUSE_CACHE.get(clause)
    if got is not None:
        return got
    toks = tuple(
        t for t in (x.strip().lower() for x in _SEGMENTER.cut_for_search(clause)) if _keep(t)
    )
    if len(_CLAUSE_CACHE) < _CACHE_MAX:
        _CLAUSE_CACHE[clause] = toks
    return toks


def tokenize(text: str | None) -> list[str]:
    """Segment a Chinese product text into index terms (with repeats).

    Formula / source: clause split at punctuation, jieba search-mode segmentation without HMM
    (deterministic: only dictionary and user words), lower-cased, :data:`STOPWORDS` and single
    characters dropped.

    Parameters
    ----------
    text:
        Any text; ``None`` or blank gives ``[]``.

    Returns
    -------
    list[str]
        Terms in text order; a term appears as often as it occurs.

    References
    ----------
    jieba ``Tokenizer.cut_for_search``.

    Example
    -------
    >>> tokenize("齿轮减速器的研发、生产和销售")
    ['齿轮', '减速', '减速器']
    """
    if not text:
        return []
    out: list[str] = []
    for clause in _CLAUSE.split(str(text)):
        if clause:
            out.extend(_clause_tokens(clause))
    return out


def term_counts(texts: Sequence[str | None]) -> tuple[dict[str, int], sp.csr_matrix]:
    """Segment documents into a term → column map and a documents × terms count matrix.

    Identical texts are segmented once (business scopes repeat stock phrases), and every
    distinct clause is segmented once (:func:`tokenize`).

    Parameters
    ----------
    texts:
        One text per document (``None`` = empty document).

    Returns
    -------
    tuple
        ``vocab`` (term → column, in order of first occurrence over the sorted distinct texts)
        and ``tf`` (CSR, float64 counts; at least one column).

    References
    ----------
    Robertson & Zaragoza (2009), §3 (term frequency and document length).

    Example
    -------
    >>> v, tf = term_counts(["齿轮减速器制造", "齿轮 齿轮", None])
    >>> sorted(v), tf.sum(axis=1).A1.tolist()
    (['减速', '减速器', '齿轮'], [3.0, 2.0, 0.0])
    """
    arr = np.array(["" if t is None else str(t) for t in texts], dtype=object)
    n = len(arr)
    uniq, inverse = np.unique(arr, return_inverse=True) if n else (arr, np.zeros(0, int))
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    for i, t in enumerate(uniq):
        counts: dict[int, int] = {}
        for tok in tokenize(t):
            j = vocab.setdefault(tok, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        rows.extend([i] * len(counts))
        cols.extend(counts.keys())
        vals.extend(counts.values())
    tf_u = sp.csr_matrix(
        (np.asarray(vals, dtype=np.float64), (rows, cols)),
        shape=(len(uniq), max(len(vocab), 1)),
    )
    tf = tf_u[inverse] if n else tf_u
    return vocab, sp.csr_matrix(tf)


@dataclass
class CorpusStats:
    """The corpus side of BM25: document frequency per term, corpus size and total length.

    Counted once over the whole corpus (:meth:`add`, batch by batch), they let an index fitted
    on a few candidate documents (:meth:`BM25Index.fit` with ``stats``) give each of them the
    weights it has in the index of the whole corpus: IDF and the mean document length are the
    corpus's, not the candidates'.

    Attributes
    ----------
    df:
        term → number of documents that contain it.
    n_docs:
        Number of documents (empty ones included).
    total_length:
        Σ document length (terms), an integer so that merging batches is exact.

    Example
    -------
    >>> st = CorpusStats().add(["齿轮减速器制造", "齿轮"]).add([None])
    >>> st.n_docs, st.df["齿轮"], st.avgdl == BM25Index.fit(["齿轮减速器制造", "齿轮", None]).avgdl
    (3, 2, True)
    """

    df: dict[str, int] = field(default_factory=dict)
    n_docs: int = 0
    total_length: int = 0

    def add(self, texts: Iterable[str | None]) -> CorpusStats:
        """Count more documents in (in place); returns ``self``."""
        df = self.df
        for t in texts:
            toks = tokenize("" if t is None else str(t))
            self.n_docs += 1
            self.total_length += len(toks)
            for tok in set(toks):
                df[tok] = df.get(tok, 0) + 1
        return self

    def merged(self, other: CorpusStats) -> CorpusStats:
        """The statistics of both corpora together (a new object)."""
        df = dict(self.df)
        for k, v in other.df.items():
            df[k] = df.get(k, 0) + v
        return CorpusStats(df, self.n_docs + other.n_docs, self.total_length + other.total_length)

    @property
    def avgdl(self) -> float:
        """Mean document length, as :meth:`BM25Index.fit` computes it (1.0 for no terms)."""
        if self.n_docs and self.total_length > 0:
            return float(np.float64(self.total_length) / self.n_docs)
        return 1.0


@dataclass
class BM25Index:
    """Precomputed BM25 document weights of a corpus (documents × terms, CSC).

    Build with :meth:`fit`; score a query with :meth:`scores`.

    Attributes
    ----------
    vocab:
        term → column.
    weights:
        ``scipy.sparse.csc_matrix`` of shape (documents, terms) holding
        :math:`\\mathrm{IDF}(t) f_{t,d}(k_1+1) / (f_{t,d} + k_1(1-b+b|d|/\\overline{|d|}))`.
    idf:
        IDF per column.
    n_docs, avgdl:
        Corpus size and mean document length (terms).
    """

    vocab: dict[str, int]
    weights: sp.csc_matrix
    idf: np.ndarray
    n_docs: int
    avgdl: float
    k1: float = BM25_K1
    b: float = BM25_B
    _csr: sp.csr_matrix | None = field(default=None, repr=False)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str | None],
        *,
        k1: float = BM25_K1,
        b: float = BM25_B,
        stats: CorpusStats | None = None,
    ) -> BM25Index:
        """Segment and index a corpus.

        Identical texts are segmented once (business scopes repeat stock phrases), and every
        distinct clause is segmented once.

        Parameters
        ----------
        texts:
            One text per document (``None`` = empty document).
        k1, b:
            BM25 parameters (Robertson & Zaragoza 2009 defaults 1.2 and 0.75).
        stats:
            The statistics of a larger corpus these texts belong to (:class:`CorpusStats`):
            IDF and the mean document length are taken from it, so that every document gets
            the weights it has in the index of the whole corpus. ``None``: from ``texts``.

        Returns
        -------
        BM25Index

        References
        ----------
        Robertson & Zaragoza (2009), §3.

        Example
        -------
        >>> ix = BM25Index.fit(["齿轮减速器制造", "齿轮", None])
        >>> ix.n_docs, sorted(ix.vocab)
        (3, ['减速', '减速器', '齿轮'])
        """
        vocab, tf = term_counts(texts)
        return cls.from_counts(vocab, tf, k1=k1, b=b, stats=stats)

    @classmethod
    def from_counts(
        cls,
        vocab: dict[str, int],
        tf: sp.csr_matrix,
        *,
        k1: float = BM25_K1,
        b: float = BM25_B,
        stats: CorpusStats | None = None,
    ) -> BM25Index:
        """The index of documents already segmented (:func:`term_counts`): :meth:`fit` without
        jieba, so that stored term counts (the matching shards) need not be segmented again.

        Parameters
        ----------
        vocab, tf:
            term → column and the documents × terms count matrix (CSR, float64).
        k1, b, stats:
            As :meth:`fit`.

        Returns
        -------
        BM25Index
            The same weights as :meth:`fit` on the texts the counts come from.

        Example
        -------
        >>> v, tf = term_counts(["齿轮减速器制造", "齿轮"])
        >>> BM25Index.from_counts(v, tf).idf.tolist() == BM25Index.fit(["齿轮减速器制造", "齿轮"]).idf.tolist()
        True
        """
        tf = sp.csr_matrix(tf)
        n = tf.shape[0]
        dl = np.asarray(tf.sum(axis=1)).ravel()
        if stats is None:
            avgdl = float(dl.mean()) if n and dl.mean() > 0 else 1.0
            df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
            n_corpus = n
        else:
            avgdl = stats.avgdl
            df = np.zeros(tf.shape[1], dtype=np.float64)
            for tok, j in vocab.items():
                df[j] = stats.df.get(tok, 0)
            n_corpus = stats.n_docs
        idf = np.log1p((n_corpus - df + 0.5) / (df + 0.5))
        # document side of BM25, entry by entry (CSR: row of entry k = repeat of row lengths)
        row_of = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))
        f = tf.data
        denom = f + k1 * (1.0 - b + b * dl[row_of] / avgdl)
        w = idf[tf.indices] * f * (k1 + 1.0) / denom
        wm = sp.csr_matrix((w, tf.indices, tf.indptr), shape=tf.shape)
        return cls(vocab, wm.tocsc(), idf, n, avgdl, k1, b, wm)

    def query_vector(self, terms: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and weights of the query terms known to the corpus."""
        cols, ws = [], []
        for t, w in terms.items():
            j = self.vocab.get(t)
            if j is not None and w > 0:
                cols.append(j)
                ws.append(w)
        return np.asarray(cols, dtype=np.int64), np.asarray(ws, dtype=np.float64)

    def scores(self, terms: dict[str, float]) -> np.ndarray:
        """BM25 score of every document for a weighted query.

        Parameters
        ----------
        terms:
            term → query weight :math:`w_{q,t}`.

        Returns
        -------
        numpy.ndarray
            One score per document (0 where no query term occurs).

        Example
        -------
        >>> ix = BM25Index.fit(["精密减速器制造", "光伏组件"])
        >>> s = ix.scores({"减速器": 1.0})
        >>> bool(s[0] > 0), float(s[1])
        (True, 0.0)
        """
        cols, ws = self.query_vector(terms)
        if not len(cols):
            return np.zeros(self.n_docs)
        return np.asarray(self.weights[:, cols] @ ws).ravel()

    def matched_terms(self, doc: int, terms: Iterable[str]) -> list[str]:
        """The query terms that occur in document ``doc`` (for explanations)."""
        if self._csr is None:
            self._csr = self.weights.tocsr()
        row = set(self._csr.indices[self._csr.indptr[doc] : self._csr.indptr[doc + 1]].tolist())
        return [t for t in terms if self.vocab.get(t, -1) in row]
