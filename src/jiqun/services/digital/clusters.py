"""The firms of a cluster and its chain leaders, as the digital services count them.

Cluster membership is :func:`jiqun.services.predicates.in_cluster` (as for access): a firm
belongs to a cluster when it is an approved member in ``cluster_members``, or when it sits in a
member region (or a county of one) **and** works in one of the cluster's leading industries.
Chain leaders: the ``chain_leader`` firm tag (enterprises ``tags``, ``;``-separated) or the
``chain_leader`` member role.

References
----------
``docs/digital.md``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from jiqun.services import predicates
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import TAGS
from jiqun.store.db import get_engine

#: how many top-revenue firms stand for the chain leaders when the tag does not exist
REVENUE_RANK_LEADERS = 3


def has_tag(tags: object, tag: str) -> bool:
    """Whether a firm's ``tags`` text (``;``-separated) lists ``tag``.

    Parameters
    ----------
    tags:
        The ``enterprises.tags`` value (anything but a string has no tags).
    tag:
        One tag of :data:`jiqun.standard.schema.TAGS`.

    Returns
    -------
    bool

    References
    ----------
    :func:`cluster_firms`.

    Example
    -------
    >>> has_tag("srdi; chain_leader", "chain_leader"), has_tag(None, "srdi")
    (True, False)
    """
    return isinstance(tags, str) and tag in {t.strip() for t in tags.split(";")}


def cluster_firms(cluster_id: str, engine: Engine | None = None) -> pd.DataFrame:
    """The firms of a cluster, with the chain-leader flag.

    Rule: member of ``cluster_members``, or in a member region (or one of its counties) and in
    a leading industry (the rule of :mod:`jiqun.services.access`). ``is_leader``: tag
    ``chain_leader`` in ``tags`` or member role ``chain_leader`` (when the tag exists in
    :data:`jiqun.standard.schema.TAGS`); otherwise the :data:`REVENUE_RANK_LEADERS` largest
    firms by revenue.

    Parameters
    ----------
    cluster_id:
        The cluster.
    engine:
        Database (default: the configured one).

    Returns
    -------
    pandas.DataFrame
        ``uscc``, ``name``, ``region_code``, ``industry_code``, ``employees``, ``revenue``,
        ``tags``, ``business_scope``, ``synthetic``, ``is_leader``; ``attrs["leader_basis"]``
        = ``"tag"`` or ``"revenue_rank"``.

    Raises
    ------
    JiqunError
        Unknown cluster.

    References
    ----------
    GLOSSARY.md (``chain_leader`` only as listed by government).

    Example
    -------
    >>> cluster_firms("NC2021-01")["is_leader"].sum()  # doctest: +SKIP
    2
    """
    engine = engine or get_engine()
    inside, inside_params = predicates.as_sql(predicates.in_cluster(cluster_id), "_in")
    with engine.connect() as c:
        known = c.execute(
            text("SELECT name FROM clusters WHERE cluster_id = :cid"), {"cid": cluster_id}
        ).scalar()
        if known is None:
            raise JiqunError(f"未知的集群编号：{cluster_id}", f"unknown cluster id: {cluster_id}")
        f = pd.read_sql(
            text(
                "SELECT e.uscc, e.name, e.region_code, e.industry_code, e.employees, e.revenue, "
                "e.tags, e.business_scope, e.synthetic, "
                "(SELECT MAX(m.role) FROM cluster_members m WHERE m.uscc = e.uscc AND "
                "m.cluster_id = :cid AND m.role = 'chain_leader') AS member_role "
                f"FROM enterprises e WHERE {inside}"
            ),
            c,
            params={"cid": cluster_id, **inside_params},
        )
    if "chain_leader" in TAGS:
        f["is_leader"] = [
            has_tag(t, "chain_leader") or r == "chain_leader"
            for t, r in zip(f["tags"], f["member_role"], strict=True)
        ]
        f.attrs["leader_basis"] = "tag"
    else:  # pragma: no cover - the tag exists in the current standard
        top = f["revenue"].rank(ascending=False, method="first") <= REVENUE_RANK_LEADERS
        f["is_leader"] = top.fillna(False).to_numpy()
        f.attrs["leader_basis"] = "revenue_rank"
    f["synthetic"] = f["synthetic"].astype(bool)
    f.attrs["cluster_name"] = known
    return f.drop(columns=["member_role"])


def leader_basis_text(basis: str) -> tuple[str, str]:
    """How the chain leaders were chosen, in Chinese and English, for a result's basis.

    Parameters
    ----------
    basis:
        ``"tag"`` (the ``chain_leader`` tag or member role) or ``"revenue_rank"``, as in
        ``attrs["leader_basis"]`` of :func:`cluster_firms`.

    Returns
    -------
    (str, str)
        The Chinese and the English sentence.

    References
    ----------
    :func:`cluster_firms`.

    Example
    -------
    >>> leader_basis_text("tag")[1][:30]
    'chain leaders = firms tagged c'
    """
    if basis == "tag":
        return (
            "链主企业 = 企业标签 chain_leader（政府公布名单）或集群成员角色 chain_leader",
            "chain leaders = firms tagged chain_leader (as listed by government) or with the "
            "cluster member role chain_leader",
        )
    return (
        f"标准中没有 chain_leader 标签：以集群内营业收入前 {REVENUE_RANK_LEADERS} 名代替",
        f"the standard has no chain_leader tag: the {REVENUE_RANK_LEADERS} largest firms by "
        "revenue stand in",
    )


def firm_clusters(uscc: str, engine: Engine | None = None) -> list[str]:
    """Clusters a firm belongs to (same rule as :func:`cluster_firms`), sorted.

    Parameters
    ----------
    uscc:
        The firm.
    engine:
        Database (default: the configured one).

    Returns
    -------
    list[str]
        Cluster ids.

    References
    ----------
    :func:`cluster_firms`.

    Example
    -------
    >>> firm_clusters("91370000728611939A")  # doctest: +SKIP
    ['NC2021-05']
    """
    engine = engine or get_engine()
    q = predicates.clusters_of(uscc)
    with engine.connect() as c:
        return [r[0] for r in c.execute(q)]


def latest_submitted(engine: Engine, usccs: list[str], framework: str) -> pd.DataFrame:
    """Latest submitted assessment per firm (by updated_at, then id).

    Parameters
    ----------
    engine:
        Database.
    usccs:
        The firms.
    framework:
        A framework id (``miit2024``, ``gbt39116``).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``uscc``, ``answers``, ``score``, ``level``, ``synthetic``, ``updated_at``; one
        row per firm that has a submitted assessment.

    References
    ----------
    :func:`jiqun.services.digital.gap.assessment_gap`,
    :func:`jiqun.services.digital.index.cluster_index`.

    Example
    -------
    >>> latest_submitted(get_engine(), ["91370000728611939A"], "miit2024")  # doctest: +SKIP
    """
    if not usccs:
        return pd.DataFrame(columns=["id", "uscc", "answers", "score", "level", "synthetic"])
    out = []
    with engine.connect() as c:
        for k in range(0, len(usccs), 900):
            q = text(
                "SELECT id, uscc, answers, score, level, synthetic, updated_at "
                "FROM digital_assessments WHERE framework = :fw AND status = 'submitted' "
                "AND uscc IN :us"
            ).bindparams(bindparam("us", expanding=True))
            out.append(pd.read_sql(q, c, params={"fw": framework, "us": usccs[k : k + 900]}))
    df = pd.concat(out, ignore_index=True)
    df = df.sort_values(["uscc", "updated_at", "id"]).drop_duplicates("uscc", keep="last")
    df["synthetic"] = df["synthetic"].astype(bool)
    return df.reset_index(drop=True)
