"""Directories behind the web UI: cluster list and profile, innovation resources of a cluster,
enterprise list and enterprise profile (一企一档) within the viewer's rights.

Access decisions are :mod:`jiqun.services.access`'s: enterprise rows come only through
:func:`~jiqun.services.access.enterprise_scope_sql` and one profile only after
:func:`~jiqun.services.access.can_see_enterprise` (which audits reads through a grant); every
list and profile read is written to the audit log, as the REST API does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, or_, select, text

from jiqun import reference
from jiqun.services import access, predicates, registry
from jiqun.services.accounts import Principal
from jiqun.services.cache import cached, materialised
from jiqun.services.choices import require_choice
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH, prefecture_of
from jiqun.standard.schema import CARRIER_TYPES, FIELDS_OF_CLUSTERS, TAGS, TIERS
from jiqun.store.db import get_engine

ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "region_code",
    "industry_code",
    "founded",
    "employees",
    "revenue",
    "output",
    "rd_expense",
    "tags",
    "business_scope",
    "address",
    "lon",
    "lat",
    "synthetic",
)
ENTERPRISE_COLUMNS = ", ".join(f"e.{c}" for c in ENTERPRISE_FIELDS)
#: the largest page of one list request (the REST API's ``limit``)
PAGE_MAX = 1000


def _bad_request(zh: str, en: str) -> Exception:
    # A bad sort key or suggestion kind is the caller's mistake: 400, not the 403 of a refusal.
    return access.AccessDenied(zh, en, status=400)


def _regions(engine: Engine) -> pd.DataFrame:
    with engine.connect() as c:
        return registry.region_rows(c).drop_duplicates("code")


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------


def cluster_list(
    engine: Engine | None = None,
    tier: str | None = None,
    field: str | None = None,
    region: str | None = None,
    q: str | None = None,
) -> pd.DataFrame:
    """Clusters filtered by tier, field, region (a member region inside it) and name text
    (part of the name, English name, id or a member region's name; the pinyin or initials of the
    name, as :func:`search`).

    Columns: ``cluster_id, name, name_en, tier, field, batch_year, verification, synthetic,
    member_regions`` (display names joined with 、), ``member_codes`` (list),
    ``leading_industries`` (codes joined with ;).
    """
    engine = engine or get_engine()
    cl = cluster_frame(engine).sort_values("cluster_id").reset_index(drop=True)  # a copy
    names = reference.region_display_names(_regions(engine)["code"])
    cl["member_codes"] = cl["member_regions"].map(list)
    cl["member_regions"] = cl["member_codes"].map(
        lambda rs: "、".join(str(names.get(r, r)) for r in rs)
    )
    cl["leading_industries"] = cl["leading_industries"].map(";".join)
    cl = cl[
        [
            "cluster_id",
            "name",
            "name_en",
            "tier",
            "field",
            "batch_year",
            "verification",
            "synthetic",
            "member_codes",
            "member_regions",
            "leading_industries",
        ]
    ]
    cl = filter_clusters(cl, tier, field, region, codes="member_codes")
    if q:
        qq = q.strip()
        qn = _norm(qq)
        # pinyin and initials too (wuxi, wx), by the rules of search()
        spoken = cl["name"].map(
            lambda n: bool(qn) and _text_rank(qn, str(n), "", contains_pinyin=True) is not None
        )
        cl = cl[
            cl["name"].str.contains(qq, regex=False, na=False)
            | cl["name_en"].fillna("").str.contains(qq, case=False, regex=False)
            | cl["cluster_id"].str.contains(qq, case=False, regex=False)
            | cl["member_regions"].str.contains(qq, regex=False)
            | spoken.astype(bool)
        ]
    return cl.reset_index(drop=True)


def filter_clusters(
    df: pd.DataFrame,
    tier: str | None = None,
    field: str | None = None,
    region: str | None = None,
    *,
    codes: str = "member_regions",
) -> pd.DataFrame:
    """Clusters of one tier and field with a member region inside ``region`` (a county counts
    for its prefecture: :func:`jiqun.services.access.region_prefix`); empty filters keep all.

    ``codes`` names the column holding each cluster's member region codes as a list.

    Example: ``filter_clusters(cluster_frame(), tier="national", region="320000")``.
    """
    if tier:
        df = df[df["tier"] == tier]
    if field:
        df = df[df["field"] == field]
    if region:
        pfx = access.region_prefix(region)
        hit = df[codes].map(lambda rs: any(str(r).startswith(pfx) for r in rs))
        df = df.loc[hit.astype(bool)]
    return df


def cluster_frame(engine: Engine | None = None) -> pd.DataFrame:
    """Every cluster with its member regions and leading industries as lists of codes (the
    REST API's cluster list; cached per data version, callers must not change it).

    Parameters
    ----------
    engine:
        Database (default: the configured one).

    Returns
    -------
    pd.DataFrame
        ``cluster_id, name, name_en, tier, batch_year, field, verification, synthetic,
        member_regions`` (list of codes), ``leading_industries`` (list of codes).

    References
    ----------
    :mod:`jiqun.services.cache` (derived tables per data version).

    Example
    -------
    >>> cluster_frame().columns[-2:].tolist()  # doctest: +SKIP
    ['member_regions', 'leading_industries']
    """
    from jiqun.services.cache import cached

    engine = engine or get_engine()
    return cached(engine, ("clusters-frame",), lambda: _read_cluster_frame(engine))


def _read_cluster_frame(engine: Engine) -> pd.DataFrame:
    with engine.connect() as c:
        cl = pd.read_sql(
            text(
                "SELECT cluster_id, name, name_en, tier, batch_year, field, verification, "
                "synthetic FROM clusters"
            ),
            c,
        )
        cr, ci = registry.cluster_links(c)
    cl["member_regions"] = cl["cluster_id"].map(cr.groupby("cluster_id")["region_code"].agg(list))
    cl["leading_industries"] = cl["cluster_id"].map(
        ci.groupby("cluster_id")["industry_code"].agg(list)
    )
    for col in ("member_regions", "leading_industries"):
        cl[col] = cl[col].map(lambda v: v if isinstance(v, list) else [])
    cl["batch_year"] = cl["batch_year"].astype("Int64")
    cl["synthetic"] = cl["synthetic"].astype(bool)
    return cl


def require_cluster(cluster_id: str, engine: Engine | None = None) -> None:
    """Raise 404 unless the cluster exists.

    Parameters
    ----------
    cluster_id:
        A cluster id.
    engine:
        Database (default: the configured one).

    Returns
    -------
    None

    References
    ----------
    :class:`jiqun.services.access.NotFound`.

    Example
    -------
    >>> require_cluster("NC2021-02")  # doctest: +SKIP
    """
    engine = engine or get_engine()
    with engine.connect() as c:
        hit = c.execute(
            text("SELECT 1 FROM clusters WHERE cluster_id = :i"), {"i": cluster_id}
        ).first()
    if hit is None:
        raise access.NotFound(f"找不到集群 {cluster_id}", f"no cluster {cluster_id}")


def cluster_choices(engine: Engine | None = None) -> list[dict[str, Any]]:
    """Every cluster's id and name, sorted by id (for a choice list; public facts).

    Parameters
    ----------
    engine:
        Database (default: the configured one).

    Returns
    -------
    list[dict[str, Any]]
        ``{"cluster_id", "name"}`` per cluster.

    References
    ----------
    The ``clusters`` registry table.

    Example
    -------
    >>> cluster_choices()[0]["cluster_id"]  # doctest: +SKIP
    'NC2019-01'
    """
    engine = engine or get_engine()
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT cluster_id, name FROM clusters ORDER BY cluster_id")
        ).mappings()
        return [dict(r) for r in rows]


def default_cluster(principal: Principal, engine: Engine | None = None) -> str | None:
    """The cluster a viewer most likely wants: its own (cluster organisation) or the first whose
    member regions all lie in the government's region; ``None`` otherwise.

    Parameters
    ----------
    principal:
        The viewer.
    engine:
        Database (default: the configured one).

    Returns
    -------
    str | None
        A cluster id (a suggestion only: access is still checked where it is used).

    References
    ----------
    :func:`jiqun.reference.region_prefix`.

    Example
    -------
    >>> default_cluster(access.local_principal())  # doctest: +SKIP
    """
    if principal.role == "cluster":
        return principal.scope
    if principal.role == "government" and principal.scope:
        pfx = access.region_prefix(principal.scope)
        engine = engine or get_engine()
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT cluster_id, region_code FROM cluster_regions ORDER BY cluster_id")
            ).all()
        by: dict[str, list[str]] = {}
        for cid, reg in rows:
            by.setdefault(cid, []).append(reg)
        for cid, regs in by.items():
            if all(r.startswith(pfx) for r in regs):
                return cid
    return None


def cluster_profile(cluster_id: str, engine: Engine | None = None) -> dict[str, Any]:
    """One cluster's registry entry: names, tier, field, organisation, members, industries.

    Raises
    ------
    jiqun.services.access.NotFound
        For an unknown id.
    """
    engine = engine or get_engine()
    with engine.connect() as c:
        row = c.execute(
            text("SELECT * FROM clusters WHERE cluster_id = :i"), {"i": cluster_id}
        ).first()
        if row is None:
            raise access.NotFound(f"找不到集群 {cluster_id}", f"no cluster {cluster_id}")
        members, inds = access.cluster_codes(c, cluster_id)
        n_members = c.execute(
            # a membership counts once approved (jiqun.services.memberships)
            text(
                "SELECT COUNT(*) FROM cluster_members WHERE cluster_id = :i AND status = 'approved'"
            ),
            {"i": cluster_id},
        ).scalar()
    prof = dict(row._mapping)
    # the member regions' names only (reading the whole regions table cost ~100 ms a page)
    names = reference.region_display_names(members)
    tzh, ten = TIERS.get(prof.get("tier") or "", (prof.get("tier") or "", prof.get("tier") or ""))
    fzh, fen = FIELDS_OF_CLUSTERS.get(prof.get("field") or "", ("", ""))
    return {
        **prof,
        "tier_zh": tzh,
        "tier_en": ten,
        "field_zh": fzh,
        "field_en": fen,
        "member_regions": [{"code": m, "name": str(names.get(m, m))} for m in members],
        "leading_industries": [{"code": i, "name": reference.industry_name(i) or ""} for i in inds],
        "registered_members": int(n_members or 0),
    }


@dataclass
class Carriers:
    """Innovation carriers inside a cluster, with counts by type and level."""

    table: pd.DataFrame
    counts: pd.DataFrame
    tagged: dict[str, int]
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@materialised("carriers", depends=("members",))
def cluster_carriers(cluster_id: str, engine: Engine | None = None) -> Carriers:
    """Innovation resources (创新资源) of one cluster.

    A carrier is inside when it names the cluster, or when it sits in a member region (a county
    counts for its prefecture) **and** works in the cluster's industries: its class is one of the
    leading industries (a prefix match) or its field of clusters is the cluster's field. A
    member city hosts carriers of other industries too (a fruit laboratory in an IoT city), and
    those are not the cluster's. Carriers with neither class nor field count by region. Tagged firms (单项冠军,
    小巨人, 专精特新, 高新技术企业, 链主) are counted when registered in a member region and classed
    in a leading industry (:func:`jiqun.services.predicates.in_cluster_area`). Only counts of
    firms are given (no firm-level data).
    """
    engine = engine or get_engine()
    prof = cluster_profile(cluster_id, engine)
    members = [m["code"] for m in prof["member_regions"]]
    regions = _regions(engine)
    pref = prefecture_of(regions)
    with engine.connect() as c:
        car = pd.read_sql(
            text(
                "SELECT id, carrier_type, name, level, region_code, cluster_id, recognised_year, "
                "industry_code, field, synthetic FROM innovation_carriers"
            ),
            c,
        )
        f = predicates.FIRMS
        e = pd.read_sql(
            select(f.c.uscc, f.c.tags, f.c.synthetic).where(
                f.c.tags.is_not(None), f.c.tags != "", predicates.in_cluster_area(cluster_id)
            ),
            c,
        )
    car["pref"] = car["region_code"].map(pref)
    leading = tuple(str(i["code"]) for i in prof["leading_industries"])
    ind = car["industry_code"].fillna("").astype(str)
    fld = car["field"].fillna("").astype(str)
    unknown = (ind == "") & (fld == "")
    in_leading = ind.str.startswith(leading) if leading else pd.Series(False, index=car.index)
    related = in_leading | ((fld != "") & (fld == str(prof.get("field") or ""))) | unknown
    inside = (car["cluster_id"] == cluster_id) | (
        car["cluster_id"].isna()
        & (car["pref"].isin(members) | car["region_code"].isin(members))
        & related
    )
    t = car[inside].drop(columns=["industry_code", "field"]).copy()
    names = reference.region_display_names(regions["code"])
    t["region_name"] = t["region_code"].map(names)
    t["type_zh"] = t["carrier_type"].map(lambda k: CARRIER_TYPES.get(k, (k, k))[0])
    t["type_en"] = t["carrier_type"].map(lambda k: CARRIER_TYPES.get(k, (k, k))[1])
    t["recognised_year"] = t["recognised_year"].astype("Int64")
    t = t.sort_values(["level", "carrier_type", "name"]).reset_index(drop=True)
    counts = (
        t.groupby(["carrier_type", "type_zh", "type_en", "level"]).size().rename("n").reset_index()
    )
    tagsets = e["tags"].fillna("").str.split(";")
    tagged = {k: int(tagsets.map(lambda ts, k=k: k in ts).sum()) for k in TAGS}
    synthetic = bool(t["synthetic"].astype(bool).any()) or bool(e["synthetic"].astype(bool).any())
    notes = [f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}"] if synthetic else []
    basis = {
        "rule": "carriers naming the cluster, or located in a member region (county → its "
        "prefecture) in a leading industry or the cluster's field; tagged firms in a member "
        "region and a leading industry",
        "value_or_count": "count (个 / 家)",
        "region_level": "prefecture (地级) member regions",
        "synthetic": synthetic,
    }
    return Carriers(t, counts, tagged, basis, notes)


# --------------------------------------------------------------------------------------------
# enterprises
# --------------------------------------------------------------------------------------------


#: Columns an enterprise list may be sorted by (``-`` prefix: descending).
SORTABLE = ("uscc", "name", "region_code", "industry_code", "founded", "revenue", "employees")


def enterprise_list(
    principal: Principal,
    engine: Engine | None = None,
    *,
    region: str | None = None,
    industry: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
    sort: str | None = None,
    purpose: str = "list",
    client: str | None = None,
) -> tuple[pd.DataFrame, int]:
    """Enterprises the principal may see (own scope or granted), filtered, sorted; audited.

    The one enterprise list behind the web page, the REST API (JSON, CSV, XLSX) and the CLI:
    rows are :func:`jiqun.services.predicates.visible_to` the principal, filtered by
    :func:`~jiqun.services.predicates.in_region`, an industry code prefix,
    :func:`~jiqun.services.predicates.has_tag` and ``q`` (part of the name or of the credit code).

    Parameters
    ----------
    principal: the reader (401 for the public; the CLI passes
        :func:`jiqun.services.access.local_principal`).
    engine: the database.
    region, industry, tag: a GB/T 2260 code or prefix (a province covers its prefectures and
        counties), a GB/T 4754 code prefix, one tag id.
    q: part of the name or of the credit code.
    limit, offset: paging (``limit`` 1 to :data:`PAGE_MAX`); ``limit=None`` returns every
        matching row (an export).
    sort: a column of :data:`SORTABLE`, ``-`` prefix for descending (default: revenue
        descending); ties are ordered by credit code.
    purpose: ``list`` or ``export``; the audit entry is ``list_enterprises`` or
        ``export_enterprises``.
    client: the client address for the audit entry.

    Returns
    -------
    (page, total)
        ``page`` with the enterprise columns plus ``region_name``, ``region_path`` (province,
        prefecture and county: :func:`region_path`) and ``industry_name``;
        ``total`` the number of matching rows.

    The read is written to the audit log as ONE entry naming every firm returned (their credit
    codes, :func:`jiqun.services.access.audit_read`) and the query (``q``, filters, paging,
    sort).

    References
    ----------
    docs/api.md (``GET /enterprises``); :mod:`jiqun.services.predicates`.

    Example
    -------
    >>> page, total = enterprise_list(access.local_principal(), q="无锡")  # doctest: +SKIP
    """
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    engine = engine or get_engine()
    e = predicates.FIRMS
    offset = max(0, int(offset))
    if limit is not None:
        limit = max(1, min(int(limit), PAGE_MAX))
    where = [predicates.visible_to(principal)]
    region = (region or "").strip() or None
    industry = (industry or "").strip() or None
    q = (q or "").strip() or None
    if region:
        where.append(predicates.in_region(region))
    if industry:
        where.append(e.c.industry_code.like(industry + "%"))
    if tag:
        where.append(predicates.has_tag(tag))
    if q:
        pattern = f"%{q}%"
        where.append(or_(e.c.name.like(pattern), e.c.uscc.like(pattern)))
    key = (sort or "").lstrip("-")
    if key:
        require_choice(key, SORTABLE, "无法用作排序的列", "cannot sort by", error=_bad_request)
    if key:
        order = e.c[key].desc() if (sort or "").startswith("-") else e.c[key].asc()
    else:
        order = e.c.revenue.desc()
    query = select(*(e.c[c] for c in ENTERPRISE_FIELDS)).where(*where).order_by(order, e.c.uscc)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(e).where(*where)).scalar()
        df = pd.read_sql(query, c)
    df["synthetic"] = df["synthetic"].astype(bool)
    df["tags"] = df["tags"].fillna("").astype(str)
    df["region_name"] = df["region_code"].map(lambda r: reference.region_name(r) or r)
    # a district's name alone (新吴区) does not say where it is: the list shows the whole path
    df["region_path"] = df["region_code"].map(region_path)
    df["industry_name"] = df["industry_code"].map(lambda i: reference.industry_name(i) or "")
    access.audit_read(
        principal,
        "export_enterprises" if purpose == "export" else "list_enterprises",
        df["uscc"].tolist(),
        resource="enterprises",
        params={
            "q": q,
            "region": region,
            "industry": industry,
            "tag": tag,
            "limit": limit,
            "offset": offset,
            "sort": sort,
        },
        detail={"total": int(total or 0)},
        client=client,
        engine=engine,
    )
    return df.reset_index(drop=True), int(total or 0)


def enterprise_profile(
    principal: Principal, uscc: str, engine: Engine | None = None, client: str | None = None
) -> dict[str, Any]:
    """一企一档: one enterprise with tags, clusters, chain segments, suppliers and customers.

    The one profile behind the web page, the REST API and the CLI. The read is ONE audit entry
    (``read_enterprise``, or ``read_granted`` when it went through a grant, with the grant id)
    naming the firm.

    Raises
    ------
    jiqun.services.access.AccessDenied
        (401) for the public.
    jiqun.services.access.NotFound
        When the enterprise is absent **or** not visible to the principal (existence does not
        leak).
    """
    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    engine = engine or get_engine()
    uscc = (uscc or "").strip().upper()
    basis = access.read_basis(principal, uscc, engine) if len(uscc) == 18 else None
    if basis is None:
        raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
    with engine.connect() as c:
        df = pd.read_sql(
            text(f"SELECT {ENTERPRISE_COLUMNS} FROM enterprises e WHERE e.uscc = :u"),
            c,
            params={"u": uscc},
        )
        if df.empty:
            raise access.NotFound(f"找不到企业 {uscc}", f"no enterprise {uscc}")
        links = pd.read_sql(
            text(
                "SELECT l.supplier_uscc, l.buyer_uscc, l.year, l.input_category, l.value, "
                "l.product, l.synthetic, s.name AS supplier_name, b.name AS buyer_name, "
                "s.region_code AS supplier_region, b.region_code AS buyer_region "
                "FROM supply_links l "
                "LEFT JOIN enterprises s ON s.uscc = l.supplier_uscc "
                "LEFT JOIN enterprises b ON b.uscc = l.buyer_uscc "
                "WHERE l.supplier_uscc = :u OR l.buyer_uscc = :u "
                "ORDER BY l.year DESC, l.value DESC LIMIT 400"
            ),
            c,
            params={"u": uscc},
        )
        clusters = pd.read_sql(
            text(
                "SELECT m.cluster_id, m.role, m.status, c.name, c.tier FROM cluster_members m "
                "LEFT JOIN clusters c ON c.cluster_id = m.cluster_id WHERE m.uscc = :u"
            ),
            c,
            params={"u": uscc},
        )
    links["synthetic"] = links["synthetic"].astype(bool)
    rec = df.iloc[0].to_dict()
    rec = {k: (None if not isinstance(v, str | list) and pd.isna(v) else v) for k, v in rec.items()}
    rec["synthetic"] = bool(rec.get("synthetic"))
    rec["tags"] = [t for t in (rec.get("tags") or "").split(";") if t]
    rec["tag_labels"] = [(t, *TAGS.get(t, (t, t))) for t in rec["tags"]]
    rec["region_name"] = reference.region_name(rec["region_code"], full=True) or rec["region_code"]
    rec["industry_name"] = reference.industry_name(rec["industry_code"]) or ""
    rec["clusters"] = clusters.to_dict("records")
    links["input_name"] = links["input_category"].map(lambda i: reference.industry_name(i) or "")
    rec["suppliers"] = links[links["buyer_uscc"] == uscc].to_dict("records")
    rec["customers"] = links[links["supplier_uscc"] == uscc].to_dict("records")
    # mapping one firm onto every chain template costs ~0.1 s of pandas; its inputs are the
    # firm's own codes and scope, so it is kept per data version (the read is audited below)
    row = df.iloc[0]
    rec["segments"] = cached(
        engine,
        ("firm-segments", uscc, str(row["industry_code"]), str(row["business_scope"])),
        lambda: _segments_of(df),
        persist=False,
    )
    rec["basis"] = {
        "unit": "万元 (revenue, output, rd_expense, link value); employees 人",
        "supply_links": "latest 400 links by year and value",
        "segments": "chain templates: GB/T 4754 class + business-scope keywords (jiqun.chains)",
        "synthetic": rec["synthetic"],
    }
    # ONE entry per profile read, naming the firm and the basis of the read (own scope, or the
    # grant it went through). The counterparts of its supply links are counted, not named as
    # subjects: the profile shows their names only, and their own records are not read.
    counterparts = set(links["supplier_uscc"].dropna()) | set(links["buyer_uscc"].dropna())
    access.audit_read(
        principal,
        "read_enterprise",
        [uscc],
        resource=f"enterprise:{uscc}",
        params={"uscc": uscc},
        detail={**basis, "counterparts": len(counterparts - {uscc})},
        client=client,
        engine=engine,
    )
    return rec


def _segments_of(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The chain segments one firm maps onto (every shipped template)."""
    try:
        from jiqun.chains.mapping import map_firms
        from jiqun.chains.templates import load_templates

        templates = load_templates()
    except Exception:  # chain templates are optional for a profile
        return []
    out: list[dict[str, Any]] = []
    firm = df[["uscc", "industry_code", "business_scope"]]
    for t in templates.values():
        try:
            m = map_firms(firm, t)
        except Exception:
            continue
        seg = {s.id: s for s in t.segments}
        for r in m.itertuples(index=False):
            s = seg.get(r.segment)
            out.append(
                {
                    "chain": t.id,
                    "chain_zh": t.name_zh,
                    "chain_en": t.name_en,
                    "segment": r.segment,
                    "segment_zh": s.name_zh if s else r.segment,
                    "segment_en": s.name_en if s else r.segment,
                    "position": s.position if s else "",
                    "method": r.method,
                    "confidence": float(r.confidence),
                }
            )
    return out


# --------------------------------------------------------------------------------------------
# search and suggestions (clusters, regions, industries, firms)
# --------------------------------------------------------------------------------------------

#: region levels in the order a search lists them
_LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2}
#: what a suggestion list may be asked for
SUGGEST_KINDS = ("region", "industry", "firm", "cluster")
#: GB/T 2260 names of placeholder units, left out of a region's path (北京市 东城区)
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _norm(q: str | None) -> str:
    """The query as compared: NFKC (full-width digits and letters), blanks and case dropped."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", q or "").split()).lower()


def _text_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _is_latin(q: str) -> bool:
    return q.isascii() and q.isalpha()


def _text_rank(q: str, name: str, code: str, *, contains_pinyin: bool = False) -> int | None:
    """How well ``q`` (normalised) matches a name or a code; lower is better, ``None``: no match.

    0 the code or the name exactly, 1 the name or code begins with it, 2 the name contains it,
    3 the pinyin of the name begins with it (or contains it, with ``contains_pinyin``), 4 the
    initials of the name begin with it.
    """
    from jiqun.reference.romanise import initials_key, pinyin_key

    low_code = code.lower()
    if q in (name.lower(), low_code):
        return 0
    if name.lower().startswith(q) or low_code.startswith(q):
        return 1
    if q in name.lower() or (not q.isdigit() and q in low_code):
        return 2
    if _is_latin(q):
        py = pinyin_key(name)
        if py.startswith(q) or (contains_pinyin and len(q) >= 3 and q in py):
            return 3
        if initials_key(name).startswith(q):
            return 4
    return None


@functools.lru_cache(maxsize=1)
def _region_rows() -> tuple[tuple[str, str, str, bool], ...]:
    """``(code, display name, level, placeholder)`` of every GB/T 2260 unit (shipped table);
    ``placeholder``: a unit such as 北京市's 市辖区, shown under its province's name."""
    df = reference.regions()
    names = reference.region_display_names(df["code"])
    return tuple(
        (str(c), str(names.get(c, n)), str(lv), str(n) in _PLACEHOLDERS)
        for c, n, lv in zip(df["code"], df["name"], df["level"], strict=True)
    )


def region_path(code: str) -> str:
    """A region with the units above it, separated by spaces (``江苏省 无锡市 新吴区``).

    Parameters
    ----------
    code:
        A GB/T 2260 code.

    Returns
    -------
    str
        Province, prefecture and county names that apply (placeholders such as 市辖区 left
        out); the code itself when it is unknown.

    References
    ----------
    :func:`jiqun.reference.region_name`.

    Example
    -------
    >>> region_path("320214"), region_path("110101")
    ('江苏省 无锡市 新吴区', '北京市 东城区')
    """
    code = str(code or "")
    if len(code) != 6 or not code.isdigit():
        return code
    parts: list[str] = []
    for c in dict.fromkeys((code[:2] + "0000", code[:4] + "00", code)):
        n = reference.region_name(c)
        if n and n not in _PLACEHOLDERS:
            parts.append(n)
    return " ".join(parts) or code


def search(q: str | None, engine: Engine | None = None, limit: int = 20) -> dict[str, Any]:
    """Clusters and regions matching a Chinese name, its pinyin or initials, or a code.

    A region matches by its name (``江苏``), the toneless pinyin of its name (``wuxi``), the
    initials of its name (``wx``) or its GB/T 2260 code (``320200``, or a prefix); a cluster by
    its name, English name, id, or the pinyin or initials of its name. A province or
    prefecture found by name, code or pinyin also brings the clusters with a member region
    inside it (searching 江苏 lists Jiangsu's clusters).

    Parameters
    ----------
    q:
        What the user typed (blanks and case do not matter; full-width characters are read as
        half-width).
    engine:
        Database (default: the configured one) for the cluster registry.
    limit:
        The most regions and the most clusters returned.

    Returns
    -------
    dict[str, Any]
        ``q`` (as compared), ``regions`` (``code, name, full_name, level``) best match first
        (then province before prefecture before county, then by code), ``clusters``
        (``cluster_id, name, name_en, tier, field, member_regions, via``: ``name`` when the
        cluster itself matched, else the code of the region that brought it).

    References
    ----------
    :func:`jiqun.reference.romanise.pinyin_key`, :func:`jiqun.reference.romanise.initials_key`
    (Hanyu Pinyin, GB/T 16159-2012); GB/T 2260 (region codes).

    Example
    -------
    >>> [r["code"] for r in search("wuxi")["regions"]][:1]  # doctest: +SKIP
    ['320200']
    """
    qn = _norm(q)[:50]
    out: dict[str, Any] = {"q": qn, "regions": [], "clusters": []}
    if not qn:
        return out
    limit = max(1, min(int(limit), 100))
    hits = _region_hits(qn)
    out["regions"] = [
        {"code": c, "name": n, "full_name": region_path(c), "level": lv}
        for _r, _l, c, n, lv in hits[:limit]
    ]
    # regions that bring their clusters: found by name, code or pinyin (initials are too loose)
    areas = [c for r, _l, c, _n, lv in hits if r <= 3 and lv != "county"][:5]
    engine = engine or get_engine()
    cl = cluster_frame(engine)
    names = reference.region_display_names({r for rs in cl["member_regions"] for r in rs})
    found: list[tuple[int, int, str, dict[str, Any]]] = []
    for row in cl.itertuples(index=False):
        rank = _text_rank(qn, str(row.name), str(row.cluster_id), contains_pinyin=True)
        en = str(row.name_en or "").lower()
        if rank is None and _is_latin(qn) and len(qn) >= 3 and qn in en.replace(" ", ""):
            rank = 3
        via = "name"
        if rank is None:
            for code in areas:
                pfx = access.region_prefix(code)
                if any(str(m).startswith(pfx) for m in row.member_regions):
                    rank, via = 5, code
                    break
        if rank is None:
            continue
        found.append(
            (
                rank,
                0 if row.tier == "national" else 1,
                str(row.cluster_id),
                {
                    "cluster_id": str(row.cluster_id),
                    "name": str(row.name),
                    "name_en": _text_or_none(row.name_en),
                    "tier": _text_or_none(row.tier),
                    "field": _text_or_none(row.field),
                    "member_regions": "、".join(str(names.get(m, m)) for m in row.member_regions),
                    "via": via,
                },
            )
        )
    found.sort(key=lambda t: t[:3])
    out["clusters"] = [d for *_k, d in found[:limit]]
    return out


def suggest(
    principal: Principal,
    kind: str,
    q: str | None,
    engine: Engine | None = None,
    *,
    limit: int = 10,
    client: str | None = None,
) -> list[dict[str, str]]:
    """Completions for a form field that asks for a code: region, industry, firm or cluster.

    Regions, industries and clusters are public facts. Firms come only through
    :func:`enterprise_list` — the firms the principal may see (own scope or granted), and the
    read is audited there like any list of firms; the public gets no firm suggestions.

    Parameters
    ----------
    principal:
        Who is typing.
    kind:
        One of :data:`SUGGEST_KINDS`.
    q:
        What has been typed so far (a name, pinyin, initials or the start of a code).
    engine:
        Database (default: the configured one).
    limit:
        The most suggestions (1 to 50).
    client:
        The client address for the audit entry of a firm suggestion.

    Returns
    -------
    list[dict[str, str]]
        ``{"value": code, "label": name}`` best first.

    Raises
    ------
    jiqun.services.access.AccessDenied
        (400) for an unknown ``kind``.

    References
    ----------
    :func:`search` (the matching rules); :func:`jiqun.services.predicates.visible_to`.

    Example
    -------
    >>> suggest(access.local_principal(), "region", "wx")[0]  # doctest: +SKIP
    {'value': '320200', 'label': '江苏省 无锡市'}
    """
    require_choice(kind, SUGGEST_KINDS, "不能补全", "no suggestions for", error=_bad_request)
    limit = max(1, min(int(limit), 50))
    qn = _norm(q)[:50]
    if not qn:
        return []
    if kind == "firm":
        if principal.is_public:
            return []
        df, _total = enterprise_list(
            principal, engine, q=(q or "").strip()[:50], limit=limit, client=client
        )
        return [
            {"value": str(u), "label": f"{n} · {region_path(str(r))}"}
            for u, n, r in zip(df["uscc"], df["name"], df["region_code"], strict=True)
        ]
    if kind == "region":
        return [{"value": c, "label": region_path(c)} for _r, _l, c, _n, _lv in _region_hits(qn)][
            :limit
        ]
    if kind == "cluster":
        engine = engine or get_engine()
        cl = cluster_frame(engine)
        hits = []
        for cid, name in zip(cl["cluster_id"], cl["name"], strict=True):
            r = _text_rank(qn, str(name), str(cid), contains_pinyin=True)
            if r is not None:
                hits.append((r, str(cid), str(name)))
        hits.sort()
        return [{"value": c, "label": n} for _r, c, n in hits[:limit]]
    ind = reference.industries()
    ranked: list[tuple[int, int, str, str]] = []
    for code, name, level in zip(ind["code"], ind["name"], ind["level"], strict=True):
        if int(level) < 2:  # sections (letters) are not codes a form takes
            continue
        r = _text_rank(qn, str(name), str(code))
        if r is not None:
            ranked.append((r, -int(level), str(code), str(name)))
    ranked.sort()
    return [{"value": c, "label": n} for _r, _l, c, n in ranked[:limit]]


def _region_hits(qn: str) -> list[tuple[int, int, str, str, str]]:
    """``(rank, level order, code, name, level)`` of the regions matching ``qn``, best first."""
    hits = []
    for code, name, level, placeholder in _region_rows():
        if placeholder and not code.startswith(qn):
            continue  # 北京市's 市辖区 would repeat 北京市: found by its code only
        r = _text_rank(qn, name, code)
        if r is not None:
            hits.append((r, _LEVEL_ORDER.get(level, 3), code, name, level))
    hits.sort()
    return hits
