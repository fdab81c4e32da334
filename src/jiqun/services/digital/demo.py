"""A seeded synthetic set of assessments for the demo firms (marked synthetic).

References
----------
``docs/digital.md`` (demo); :mod:`jiqun.demo` (the demo firms).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, text

from jiqun.digital.frameworks import Gbt39116Framework, MiitFramework, load_framework
from jiqun.digital.scoring import score_answers
from jiqun.services.digital.clusters import has_tag
from jiqun.standard.schema import TAGS
from jiqun.store.db import get_engine
from jiqun.store.models import DigitalAssessment, table_of

_T = table_of(DigitalAssessment)


def _sig(x: np.ndarray | float) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


def _demo_miit(fw: MiitFramework, z: float, rng: np.random.Generator) -> dict[str, Any]:
    ans: dict[str, Any] = {}
    for it in fw.items:
        if it.type == "multi":
            opts = [o for o in it.options if o.id != it.exclusive]
            diff = np.linspace(-0.6, 1.0, len(opts))
            pick = rng.random(len(opts)) < _sig(z - diff)
            chosen = [o.id for o, p in zip(opts, pick, strict=True) if p]
            ans[it.id] = chosen or ([it.exclusive] if it.exclusive else [])
        elif it.type == "single":
            opts = sorted(it.options, key=lambda o: o.points)
            k = int(
                np.clip(round((len(opts) - 1) * _sig(z + rng.normal(0, 0.9))), 0, len(opts) - 1)
            )
            ans[it.id] = opts[k].id
        else:
            scale = 0.35 if it.id == "funding" else 1.0  # investment shares are small
            v = 100 * scale * _sig(1.2 * z + rng.normal(0, 0.6) - 0.3)
            ans[it.id] = int(np.clip(round(v), 0, 100))
    for sc in fw.scenes:
        ans[sc.id] = int(np.clip(round(4 * _sig(z + rng.normal(0, 0.8))), 0, 4))
    return ans


def generate_demo_assessments(
    engine: Engine | None = None,
    seed: int = 2026,
    n: int = 3000,
    *,
    gbt_share: float = 0.1,
    draft_share: float = 0.05,
) -> int:
    """Create a seeded synthetic set of assessments for the demo firms (marked synthetic).

    Rule: earlier synthetic assessments are deleted (user rows are never touched). From the
    synthetic enterprises, every cluster chain leader plus firms drawn at random (80 % among
    cluster members, 20 % outside; ``n`` in all) answer the MIIT questionnaire; a latent
    digital propensity z = −0.9 + 0.45·log10(employees + 1) + 0.5·high_tech + 0.5·srdi
    + 0.5·little_giant + 0.4·single_champion + 1.2·chain_leader + N(0, 0.7) drives every answer
    (options chosen with probability σ(z − difficulty), single choices and percentages rising
    with σ(z), scenario levels round(4σ(z + noise))). ``draft_share`` of them are left as drafts
    with about a third of the answers removed. A ``gbt_share`` of the answering firms (leaders
    first) also get a GB/T 39116 assessment (highest level met per sub-domain
    round(1 + 3σ(z + noise))). Scores and levels come from the real scoring functions. The same
    seed and the same enterprises give the same rows.

    Parameters
    ----------
    engine:
        Database (default: the configured one); the demo enterprises must be there.
    seed:
        Random seed.
    n:
        Number of firms answering the MIIT questionnaire (fewer if there are fewer firms).
    gbt_share:
        Share of them that also answer GB/T 39116.
    draft_share:
        Share of MIIT assessments left as drafts.

    Returns
    -------
    int
        Rows written to ``digital_assessments``.

    References
    ----------
    ``docs/digital.md`` (demo); :mod:`jiqun.demo` (the demo firms).

    Example
    -------
    >>> generate_demo_assessments(seed=2026)  # doctest: +SKIP
    3300
    """
    engine = engine or get_engine()
    rng = np.random.default_rng(seed)
    with engine.begin() as c:
        c.execute(delete(DigitalAssessment).where(DigitalAssessment.synthetic.is_(True)))
    with engine.connect() as c:
        f = pd.read_sql(
            text(
                "SELECT e.uscc, e.employees, e.tags, "
                "EXISTS (SELECT 1 FROM cluster_members m WHERE m.uscc = e.uscc) AS member, "
                "EXISTS (SELECT 1 FROM cluster_members m WHERE m.uscc = e.uscc AND "
                "m.role = 'chain_leader') AS leader_role "
                "FROM enterprises e WHERE e.synthetic = :t ORDER BY e.uscc"
            ),
            c,
            params={"t": True},
        )
    if not len(f):
        return 0
    tags = f["tags"].fillna("")
    has = {t: tags.map(lambda s, t=t: has_tag(s, t)).to_numpy() for t in TAGS}
    leader = (
        has.get("chain_leader", np.zeros(len(f), bool)) | f["leader_role"].astype(bool).to_numpy()
    )
    member = f["member"].astype(bool).to_numpy()
    n = min(n, len(f))
    chosen = set(np.flatnonzero(leader).tolist()[:n])
    rest = n - len(chosen)
    pool_in = np.setdiff1d(np.flatnonzero(member), list(chosen))
    pool_out = np.setdiff1d(np.flatnonzero(~member), list(chosen))
    k_in = min(len(pool_in), round(rest * 0.8))
    k_out = min(len(pool_out), rest - k_in)
    chosen |= set(rng.choice(pool_in, k_in, replace=False).tolist()) if k_in else set()
    chosen |= set(rng.choice(pool_out, k_out, replace=False).tolist()) if k_out else set()
    idx = np.array(sorted(chosen), dtype=int)
    emp = pd.to_numeric(f["employees"], errors="coerce").fillna(10).clip(lower=0).to_numpy()
    z = (
        -0.9
        + 0.45 * np.log10(emp[idx] + 1)
        + 0.5 * has["high_tech"][idx]
        + 0.5 * has["srdi"][idx]
        + 0.5 * has["little_giant"][idx]
        + 0.4 * has["single_champion"][idx]
        + 1.2 * leader[idx]
        + rng.normal(0, 0.7, len(idx))
    )
    miit = load_framework("miit2024")
    gbt = load_framework("gbt39116")
    assert isinstance(miit, MiitFramework) and isinstance(gbt, Gbt39116Framework)
    base = dt.datetime(2025, 1, 6, 9, 0, 0)
    rows: list[dict[str, Any]] = []
    drafts = rng.random(len(idx)) < draft_share
    n_gbt = math.ceil(len(idx) * gbt_share)
    order_gbt = sorted(range(len(idx)), key=lambda i: (not leader[idx[i]], i))[:n_gbt]
    gbt_set = set(order_gbt)
    for j, i in enumerate(idx):
        ans = _demo_miit(miit, float(z[j]), rng)
        if drafts[j]:
            keys = list(ans)
            drop = rng.choice(len(keys), max(1, len(keys) // 3), replace=False)
            for d in drop:
                ans.pop(keys[d])
        res = score_answers(miit, ans)
        when = base + dt.timedelta(
            days=int(rng.integers(0, 540)), minutes=int(rng.integers(0, 600))
        )
        rows.append(
            {
                "uscc": f["uscc"].iloc[i],
                "framework": miit.id,
                "edition": miit.edition,
                "answers": json.dumps(res.answers, ensure_ascii=False),
                "status": "submitted" if res.complete else "draft",
                "score": res.score,
                "level": res.level,
                "created_at": when,
                "updated_at": when,
                "synthetic": True,
            }
        )
        if j in gbt_set:
            gans = {
                s: int(np.clip(round(1 + 3 * _sig(z[j] + rng.normal(0, 0.8))), 0, 5))
                for s in gbt.subdomain_ids
            }
            g = score_answers(gbt, gans)
            rows.append(
                {
                    "uscc": f["uscc"].iloc[i],
                    "framework": gbt.id,
                    "edition": gbt.edition,
                    "answers": json.dumps(g.answers, ensure_ascii=False),
                    "status": "submitted",
                    "score": None,
                    "level": g.level,
                    "created_at": when,
                    "updated_at": when,
                    "synthetic": True,
                }
            )
    with engine.begin() as c:
        c.execute(_T.insert(), rows)
    return len(rows)
