"""The matching candidate pre-filter on the engine: only the firms a search can rank reach pandas.

A supplier or partner search ranks few firms out of the registry. The hard filters of
:func:`jiqun.matching.rank_suppliers` (relevance: the need's industry division, the classes of
its segments, a query term or segment keyword in the business scope) and of
:func:`jiqun.matching.search_partners` (field, tags, region, a query term) are compiled here to
one engine filter (:class:`Criteria`); it is a *superset* of the rows the scorer keeps (a term
must occur as a substring of the lower-cased scope to occur as a jieba token of it), so the
scorer, run on the pulled rows with the corpus statistics of the whole registry
(:func:`scope_batches` → :func:`jiqun.matching.index.corpus_stats`), keeps the same rows with
the same scores.

Rows come ordered by credit code (``uscc``), the order of the store path too, so that ties
are broken alike.

References
----------
docs/matching.md (the pre-filter); docs/scale.md (the engine).

Example
-------
>>> crit = Criteria(any_of=[Group(prefixes=("34",), words=("减速器",))])  # doctest: +SKIP
>>> candidate_firms(engine, crit).shape  # doctest: +SKIP
(412, 11)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce

import ibis
import ibis.expr.types as ir
import pandas as pd

from jiqun.engine import Engine, TooManyRows

__all__ = [
    "FIRM_COLUMNS",
    "MAX_CANDIDATES",
    "Criteria",
    "Group",
    "candidate_firms",
    "document_batches",
    "scope_batches",
]

#: the enterprise columns the matching index reads (as :func:`jiqun.matching.build_index`)
FIRM_COLUMNS = (
    "uscc",
    "name",
    "region_code",
    "industry_code",
    "revenue",
    "rd_expense",
    "tags",
    "business_scope",
    "lon",
    "lat",
    "synthetic",
)
#: the most candidate firms pulled into pandas for one search
MAX_CANDIDATES = 300_000


@dataclass(frozen=True)
class Group:
    """Firms matching ANY of: industry code starting with a prefix, a code in ``codes``, a word
    (lower case) in the business scope."""

    prefixes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def empty(self) -> bool:
        """No criterion at all (matches nothing)."""
        return not (self.prefixes or self.codes or self.words)


@dataclass(frozen=True)
class Criteria:
    """Firms matching every group of ``all_of``, inside ``region_prefix`` (a GB/T 2260 code
    prefix), carrying every tag of ``tags``; plus the firms of ``also`` whatever they are."""

    all_of: tuple[Group, ...] = ()
    region_prefix: str | None = None
    tags: tuple[str, ...] = ()
    also: tuple[str, ...] = field(default=())


_REGEX_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


def _literal(word: str) -> str:
    """``word`` as a regular expression matching it literally (RE2 and Java syntax alike).

    Example
    -------
    >>> print(_literal("c++ (rv)"))
    c\\+\\+ \\(rv\\)
    """
    return _REGEX_SPECIAL.sub(r"\\\1", word)


def _group(t: ir.Table, g: Group) -> ir.BooleanValue:
    code = t.industry_code.fill_null("").strip()
    scope = t.business_scope.fill_null("").lower()
    conds: list[ir.BooleanValue] = [code.startswith(p) for p in g.prefixes]
    if g.codes:
        conds.append(code.isin(list(g.codes)))
    if g.words:
        # one regular-expression pass over the scope, not one substring search per word (with
        # the lower-casing redone for each): 13x faster on DuckDB for a need's ~10 words
        conds.append(scope.re_search("|".join(_literal(w) for w in g.words)))
    if not conds:
        return ibis.literal(False)
    return reduce(lambda a, b: a | b, conds)


def _where(t: ir.Table, crit: Criteria) -> ir.BooleanValue:
    conds: list[ir.BooleanValue] = [_group(t, g) for g in crit.all_of]
    if crit.region_prefix:
        conds.append(t.region_code.fill_null("").strip().startswith(crit.region_prefix))
    conds += [t.tags.fill_null("").contains(tag) for tag in crit.tags]
    cond = reduce(lambda a, b: a & b, conds) if conds else ibis.literal(True)
    if crit.also:
        cond = cond | t.uscc.isin(list(crit.also))
    return cond


def candidate_firms(
    engine: Engine,
    crit: Criteria,
    *,
    max_rows: int = MAX_CANDIDATES,
    columns: Sequence[str] = FIRM_COLUMNS,
) -> pd.DataFrame | None:
    """The registry rows meeting ``crit`` (``columns``, ordered by ``uscc``).

    Parameters
    ----------
    engine:
        The engine on the current lake version.
    crit:
        The pre-filter.
    max_rows:
        More candidates than this are not pulled: ``None`` is returned and the caller ranks
        from its full index instead.
    columns:
        The columns pulled (default :data:`FIRM_COLUMNS`; without ``business_scope`` when the
        candidates' documents come from the matching shards).

    Returns
    -------
    pandas.DataFrame or None

    Example
    -------
    >>> candidate_firms(engine, Criteria(region_prefix="3205"))  # doctest: +SKIP
    """
    t = engine.table("enterprises")
    expr = t.filter(_where(t, crit)).select(*columns)
    # wide rows: count first rather than pull up to max_rows scopes only to refuse them
    if "business_scope" in columns and int(engine.scalar(expr.count())) > max_rows:
        return None
    try:
        # narrow rows: one scan of the lake (the filter, not the transfer, is the cost)
        df = engine.to_pandas(expr.order_by("uscc"), max_rows=max_rows)
    except TooManyRows:
        return None
    return df.sort_values("uscc", kind="stable").reset_index(drop=True)


def scope_batches(engine: Engine, chunk_size: int = 100_000) -> Iterator[Sequence[str | None]]:
    """Every firm's business scope, batch by batch (for the corpus statistics).

    Example
    -------
    >>> sum(len(b) for b in scope_batches(engine))  # doctest: +SKIP
    5000
    """
    t = engine.table("enterprises").select("business_scope")
    for batch in engine.batches(t, chunk_size=chunk_size):
        yield batch.column(0).to_pylist()


def document_batches(engine: Engine, chunk_size: int = 50_000) -> Iterator[pd.DataFrame]:
    """Every firm's ``uscc``, ``industry_code`` and ``business_scope``, batch by batch (for the
    matching shards: each batch is segmented and mapped, then filed under its firms' shards).

    Parameters
    ----------
    engine:
        The engine on the current lake version.
    chunk_size:
        Rows per batch (bounds the memory of one batch's segmentation).

    Returns
    -------
    Iterator of pandas.DataFrame

    Example
    -------
    >>> sum(len(b) for b in document_batches(engine))  # doctest: +SKIP
    5000
    """
    t = engine.table("enterprises").select("uscc", "industry_code", "business_scope")
    for batch in engine.batches(t, chunk_size=chunk_size):
        yield batch.to_pandas()
