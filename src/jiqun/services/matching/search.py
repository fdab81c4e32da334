"""Supplier and partner matching over the cached index, with disclosure decided per caller.

:func:`match_need` ranks suppliers for a posted or ad-hoc need over every registered firm plus the
open capabilities (:func:`jiqun.matching.rank_suppliers`), and marks firms that a chain leader has
put on a supplier list; :func:`find_partners` is the partner search. Given the caller
(``principal``), both decide here what the caller may see (:mod:`jiqun.services.access`): an ad-hoc
search may start only from a buyer the caller may read (404 otherwise), and the score components
derived from confidential records of firms the caller may not read are withheld or banded
(:func:`jiqun.matching.score.disclose`). ``principal=None`` is the local operator of the database
(the CLI), who reads everything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, text

from jiqun.matching.index import MatchIndex
from jiqun.matching.score import (
    MatchResult,
    Need,
    check_quantity,
    disclose,
    need_segments,
    query_terms,
    rank_suppliers,
    search_partners,
)
from jiqun.services import access, lake
from jiqun.services.accounts import Principal
from jiqun.services.matching.board import get_need
from jiqun.services.matching.index_cache import candidate_index, load_index, meta_index
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import write_table
from jiqun.store.db import get_engine

if TYPE_CHECKING:
    from jiqun.engine.matching import Criteria


def _listed_by(engine: Engine, usccs: Sequence[str]) -> dict[str, str]:
    if not len(usccs):
        return {}
    with engine.connect() as c:
        df = pd.read_sql(
            text(
                "SELECT s.supplier_uscc, l.id, l.name, e.name AS leader FROM supplier_list_entries s "
                "JOIN supplier_lists l ON l.id = s.list_id LEFT JOIN enterprises e "
                "ON e.uscc = l.leader_uscc WHERE l.status = 'open'"
            ),
            c,
        )
    df = df[df["supplier_uscc"].isin(set(usccs))]
    out: dict[str, list[str]] = {}
    for r in df.itertuples(index=False):
        out.setdefault(r.supplier_uscc, []).append(f"{r.leader or ''}《{r.name}》#{r.id}")
    return {k: "；".join(v) for k, v in out.items()}


def _finish(engine: Engine, res: MatchResult) -> MatchResult:
    listed = _listed_by(engine, res.table["uscc"].tolist())
    res.table["listed_by"] = [listed.get(u, "") for u in res.table["uscc"]]
    if res.synthetic:
        res.notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    res.basis["synthetic"] = res.synthetic
    return res


def _disclosed(
    engine: Engine,
    res: MatchResult,
    principal: Principal | None,
    client: str | None,
    origin_readable: bool = True,
) -> MatchResult:
    """The result as ``principal`` may see it (:func:`jiqun.matching.score.disclose`)."""
    if principal is None or principal.role == "admin":
        ok = [True] * len(res.table)
    else:
        kept, _ = access.visible_rows(principal, res.table[["uscc"]], engine=engine, client=client)
        seen = set(kept["uscc"].astype(str))
        ok = [str(u) in seen for u in res.table["uscc"]]
    return disclose(res, ok, origin_readable=origin_readable)


def _supplier_criteria(engine: Engine, need: Need) -> Criteria:
    """The engine pre-filter of :func:`jiqun.matching.rank_suppliers`: a superset of the
    relevant candidates (same industry division, a class or keyword of the need's segments,
    a query term in the business scope), plus the buyer (the origin of distances)."""
    from jiqun.engine.matching import Criteria, Group

    meta = meta_index(engine)
    text_ = (need.text or "").strip()
    code = (need.industry_code or "").strip() or None
    need = replace(need, text=text_, industry_code=code)
    segs = need_segments(meta, need)
    terms = query_terms(meta, need, segs)
    codes: set[str] = set()
    words: set[str] = set(terms)
    for col in segs:
        chain, sid, _name = meta.segment_labels[col]
        seg = meta.templates[chain].segment(sid)
        codes |= {str(m.code) for m in seg.gbt4754}
        words |= {k.lower() for k in seg.keywords}
    prefixes = (code[:2],) if code and code.isdigit() and len(code) == 4 else ()
    group = Group(prefixes=prefixes, codes=tuple(sorted(codes)), words=tuple(sorted(words)))
    return Criteria(all_of=(group,), also=(need.uscc,) if need.uscc else ())


def _partner_criteria(
    engine: Engine, keywords: str, field: str | None, tags: Sequence[str], region: str | None
) -> Criteria:
    """The engine pre-filter of :func:`jiqun.matching.search_partners` (field, tags, region
    and a query term: a superset of the firms it keeps)."""
    from jiqun.engine.matching import Criteria, Group

    meta = meta_index(engine)
    groups: list[Group] = []
    if field:
        classes = {f"{c:04d}" for c in meta.field_classes.get(field, frozenset())}
        words: set[str] = set()
        for tm in meta.templates.values():
            if tm.field == field:
                for seg in tm.segments:
                    classes |= {str(m.code) for m in seg.gbt4754}
                    words |= {k.lower() for k in seg.keywords}
        groups.append(Group(codes=tuple(sorted(classes)), words=tuple(sorted(words))))
    keywords = (keywords or "").strip()
    if keywords:
        need = Need(text=keywords)
        terms = query_terms(meta, need, need_segments(meta, need))
        if terms:  # without a known term the scorer does not filter by text either
            groups.append(Group(words=tuple(sorted(terms))))
    prefix = None
    if region and region.isdigit() and len(region) == 6:
        c = int(region)
        prefix = region[:2] if c % 10000 == 0 else region[:4] if c % 100 == 0 else region
    return Criteria(all_of=tuple(groups), region_prefix=prefix, tags=tuple(tags))


def _index_for(engine: Engine, crit: Criteria) -> MatchIndex:
    """The candidates' index from the engine when the lake is current, else the full index.

    A search without any filter would pull the whole registry: the (cached) full index serves
    it, as it does the errors the scorer raises for such a search."""
    if not (crit.all_of or crit.region_prefix or crit.tags):
        return load_index(engine=engine)
    with lake.reading(engine) as eng:
        if eng is not None:
            ix = candidate_index(engine, eng, crit)
            if ix is not None:
                return ix
    return load_index(engine=engine)


def match_need(
    need_id: int | None = None,
    *,
    need: Need | None = None,
    engine: Engine | None = None,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    prefer_cross_region: bool = False,
    cluster: str | None = None,
    require_certifications: bool = True,
    principal: Principal | None = None,
    client: str | None = None,
    audit: Mapping[str, object] | None = None,
) -> MatchResult:
    """Rank suppliers for a posted need (by id) or an ad-hoc :class:`~jiqun.matching.Need`.

    Parameters are those of :func:`jiqun.matching.rank_suppliers`, plus:

    principal:
        The caller. An ad-hoc need's buyer (``need.uscc``, the origin of distances) must be a
        firm the caller may read, else :class:`~jiqun.services.access.NotFound` (as for any
        record out of scope). The rows are then disclosed as the caller may see them
        (:func:`jiqun.matching.score.disclose`; for a posted need whose buyer the caller may
        not read, no distance is shown). ``None``: the local operator, who sees everything.
    client:
        The caller's address, for the audit entries of reads through a grant.
    audit:
        The query as the caller gave it (text, industry, region …): with a principal, ONE
        ``match_suppliers`` entry is written naming the ranked firms and this query.

    The result gains a ``listed_by`` column (open supplier lists of chain leaders that name
    the firm) and, with a principal, the columns of :func:`jiqun.matching.score.disclose`.

    Returns
    -------
    MatchResult

    Raises
    ------
    JiqunError
        Neither or both of ``need_id`` and ``need``, an unknown or closed need, a quantity
        outside (0, 1e9], or the errors of :func:`jiqun.matching.rank_suppliers`.
    jiqun.services.access.NotFound
        An ad-hoc need from a buyer the caller may not read.

    Example
    -------
    >>> match_need(1, prefer_cross_region=True).table  # doctest: +SKIP
    """
    engine = engine or get_engine()
    if (need_id is None) == (need is None):
        raise JiqunError(
            "请给出需求编号或需求内容（二选一）", "give a need id or a need (one of them)"
        )
    if need_id is not None:
        need = get_need(need_id, engine=engine)
        with engine.connect() as c:
            status = c.execute(
                text("SELECT status FROM match_needs WHERE id = :i"), {"i": need_id}
            ).scalar()
        if status != "open":
            raise JiqunError(f"需求 {need_id} 已关闭", f"need {need_id} is closed")
    assert need is not None
    if need.uscc:
        need = replace(need, uscc=need.uscc.strip().upper())
    check_quantity(need.quantity)
    origin_readable = True
    if principal is not None and principal.role != "admin" and need.uscc:
        origin_readable = access.can_see_enterprise(principal, need.uscc, engine, client=client)
        if not origin_readable and need_id is None:
            # the caller chose this origin: refuse it as any record out of scope (no leak of
            # whether the code exists)
            raise access.NotFound(f"找不到企业 {need.uscc}", f"no enterprise {need.uscc}")
    ix = _index_for(engine, _supplier_criteria(engine, need))
    res = rank_suppliers(
        ix,
        need,
        top=top,
        weights=weights,
        prefer_cross_region=prefer_cross_region,
        cluster=cluster,
        require_certifications=require_certifications,
    )
    if need.uscc and need.uscc not in ix.row_of_uscc and need.region_code is None:
        res.notes.append(
            f"采购方 {need.uscc} 不在企业库中：距离与区域得分为 0 / buyer {need.uscc} is not in "
            "the registry: distance and region components are 0"
        )
    if principal is not None:
        res = _disclosed(engine, res, principal, client, origin_readable)
        if not origin_readable:
            res.notes.append(
                "您无权查看采购方的企业档案：距离只按区间显示 / you may not read the buyer's "
                "records: distances are shown as bands only"
            )
    out = _finish(engine, res)
    if principal is not None and audit is not None:
        access.audit(
            principal,
            "match_suppliers",
            "matching:suppliers",
            detail={**audit, "results": len(out.table)},
            client=client,
            engine=engine,
            subjects=out.table.get("uscc", ()),  # the ranked firms: one entry names them
        )
    return out


def find_partners(
    keywords: str = "",
    *,
    field: str | None = None,
    tags: Sequence[str] = (),
    region: str | None = None,
    home_region: str | None = None,
    exclude: Sequence[str] = (),
    top: int = 10,
    engine: Engine | None = None,
    principal: Principal | None = None,
    client: str | None = None,
) -> MatchResult:
    """Partner search across regions (see :func:`jiqun.matching.search_partners`).

    With ``principal``, the rows are disclosed as the caller may see them: the ``innovation``
    component (R&D expense / revenue) of a firm the caller may not read is shown as a band
    (:func:`jiqun.matching.score.disclose`). ``None``: the local operator (sees everything).

    Returns
    -------
    MatchResult

    Example
    -------
    >>> find_partners("碳纤维 复合材料", field="new_materials", home_region="320500")  # doctest: +SKIP
    """
    engine = engine or get_engine()
    res = search_partners(
        _index_for(engine, _partner_criteria(engine, keywords, field, tags, region)),
        keywords,
        field=field,
        tags=tags,
        region=region,
        home_region=home_region,
        top=top,
        exclude=exclude,
    )
    if principal is not None:
        res = _disclosed(engine, res, principal, client)
    return _finish(engine, res)


def write_match_output(result: MatchResult, path: str | Path) -> Path:
    """Write a match result to ``.csv`` (UTF-8 with BOM, opens in Excel), ``.xlsx`` or ``.json``.

    The file carries the weights, basis and notes (JSON: keys; XLSX: a second sheet; CSV: a
    ``.basis.json`` file next to it).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    JiqunError
        For another extension.

    Example
    -------
    >>> write_match_output(match_need(1), "suppliers.xlsx")  # doctest: +SKIP
    """
    p = Path(path)
    meta = {
        "weights": result.weights,
        "basis": result.basis,
        "notes": result.notes,
        "synthetic": result.synthetic,
        "relevant_candidates": result.candidates,
    }
    ext = p.suffix.lower()
    if ext == ".csv":
        write_table(p, result.table)
        p.with_suffix(".basis.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    elif ext == ".xlsx":
        basis = [(k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in meta.items()]
        write_table(
            p, {"matches": result.table, "basis": pd.DataFrame(basis, columns=["key", "value"])}
        )
    elif ext == ".json":
        p.write_text(
            json.dumps(
                {
                    **meta,
                    "rows": json.loads(result.table.to_json(orient="records", force_ascii=False)),
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
    else:
        raise JiqunError(
            f"输出文件须为 .csv、.xlsx 或 .json：{p}",
            f"the output must be .csv, .xlsx or .json: {p}",
        )
    return p
