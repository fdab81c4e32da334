"""Demo enterprises: placement over regions and classes, tags, names and business scopes."""

from __future__ import annotations

import numpy as np

from jiqun.demo.inputs import chain_segment_words, optional_csv, products_from_sei
from jiqun.demo.sampling import GroupedSampler, concat, weighted_pick
from jiqun.demo.structure import Classes, ClusterRef, Geo
from jiqun.demo.tables import (
    CHAMPIONS_IN_45,
    CHAMPIONS_NATIONAL,
    HIGH_TECH_MFG_SHARE,
    KEY_PRODUCTS,
    LITTLE_GIANTS_IN_45,
    LITTLE_GIANTS_NATIONAL,
    MFG_DIVISION_SHARE,
    NAME_WORDS,
    OUTSIDE_SAMPLING,
    SCOPE_TAILS,
    SECTION_WORDS,
    SERVICE_DIVISION_SHARE,
    SIZES,
    SRDI_PER_LITTLE_GIANT,
)


def class_weights(rng: np.random.Generator, cls: Classes, shares: dict[str, float]) -> np.ndarray:
    """National class weights: division share × lognormal(0, 0.9) within the division."""
    raw = rng.lognormal(0.0, 0.9, len(cls.code))
    w = np.zeros(len(cls.code))
    for d, s in shares.items():
        m = cls.div == d
        if m.any():
            w[m] = s * raw[m] / raw[m].sum()
    return w


def place_firms(
    rng: np.random.Generator, n: int, geo: Geo, cls: Classes, cref: ClusterRef
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """County index, class index and 'directed into a cluster' flag of every firm."""
    n_pref = len(geo.pref_code)
    w_mfg = class_weights(rng, cls, MFG_DIVISION_SHARE)
    w_srv = class_weights(rng, cls, SERVICE_DIVISION_SHARE)
    n_srv = round(SIZES["placement"]["services"] * n)
    groups_share = tuple(SIZES["placement"]["directed"])
    n_dir = [round(s * n) for s in groups_share]
    n_gen = n - n_srv - sum(n_dir)
    cty_sampler = GroupedSampler(geo.cty_pref, geo.cty_weight)
    ctys: list[np.ndarray] = []
    clss: list[np.ndarray] = []
    directed: list[np.ndarray] = []

    # directed cluster firms
    pref_w_of_cty = geo.pref_weight[geo.cty_pref]
    cty_share = geo.cty_weight / np.bincount(geo.cty_pref, geo.cty_weight)[geo.cty_pref]
    for g in range(3):
        ks = [
            k
            for k in range(len(cref.ids))
            if cref.group[k] == g and cref.cty_in[k].any() and cref.class_in[k].any()
        ]
        if not ks or n_dir[g] == 0:
            continue
        cw = []
        for k in ks:
            mass = (pref_w_of_cty * cty_share)[cref.cty_in[k]].sum()
            cw.append(mass**0.8 * cref.class_in[k].sum() ** 0.3)
        cw_arr = np.array(cw) * rng.lognormal(0.0, 0.3, len(ks))
        counts = rng.multinomial(n_dir[g], cw_arr / cw_arr.sum())
        for k, m in zip(ks, counts, strict=True):
            if m == 0:
                continue
            cand = np.flatnonzero(cref.cty_in[k])
            pw = (pref_w_of_cty * cty_share)[cand]
            ctys.append(cand[rng.choice(len(cand), size=m, p=pw / pw.sum())])
            cc = np.flatnonzero(cref.class_in[k])
            base = np.maximum(w_mfg[cc] + w_srv[cc], 1e-3) ** 0.5 * rng.lognormal(0.0, 0.5, len(cc))
            base *= cref.lead_weight[k][cc]
            clss.append(cc[rng.choice(len(cc), size=m, p=base / base.sum())])
            directed.append(np.ones(m, dtype=bool))

    # general manufacturing: minimum per prefecture, then by weight with specialisation
    per = max(1, n_gen // (n_pref * 25))
    base_prefs = np.repeat(np.arange(n_pref), per)
    rest = n_gen - len(base_prefs)
    pref_counts = np.bincount(base_prefs, minlength=n_pref) + rng.multinomial(
        rest, geo.pref_weight / geo.pref_weight.sum()
    )
    divs = np.array(sorted(MFG_DIVISION_SHARE))
    div_idx = np.searchsorted(divs, cls.div)
    div_ok = (div_idx < len(divs)) & (divs[np.minimum(div_idx, len(divs) - 1)] == cls.div)
    spec_prov = rng.lognormal(0.0, 0.6, (len(geo.prov_code), len(divs)))
    spec_pref = rng.lognormal(0.0, 0.5, (n_pref, len(divs)))
    mfg_cls = np.flatnonzero(div_ok & (w_mfg > 0))
    gen_cls = np.empty(n_gen, dtype=np.int64)
    gen_pref = np.repeat(np.arange(n_pref), pref_counts)
    pos = 0
    for p_i in range(n_pref):
        m = pref_counts[p_i]
        if m == 0:
            continue
        d = div_idx[mfg_cls]
        pw = w_mfg[mfg_cls] * spec_prov[geo.pref_prov[p_i], d] * spec_pref[p_i, d]
        gen_cls[pos : pos + m] = mfg_cls[rng.choice(len(mfg_cls), size=m, p=pw / pw.sum())]
        pos += m
    ctys.append(cty_sampler.sample(rng, gen_pref))
    clss.append(gen_cls)
    directed.append(np.zeros(n_gen, dtype=bool))

    # services and other non-manufacturing, concentrated in populous cities and capitals
    capital = np.array([c.endswith("0100") for c in geo.pref_code])
    sw = (geo.pref_population * np.where(capital, 2.0, 1.0)) ** 1.3
    srv_pref = rng.choice(n_pref, size=n_srv, p=sw / sw.sum())
    srv_cls_all = np.flatnonzero(w_srv > 0)
    srv_cls = srv_cls_all[
        rng.choice(len(srv_cls_all), size=n_srv, p=w_srv[srv_cls_all] / w_srv[srv_cls_all].sum())
    ]
    ctys.append(cty_sampler.sample(rng, srv_pref))
    clss.append(srv_cls)
    directed.append(np.zeros(n_srv, dtype=bool))

    cty = np.concatenate(ctys)
    cl = np.concatenate(clss)
    dr = np.concatenate(directed)
    specialise(rng, cty, cl, dr, geo, cls, cref, np.maximum(w_mfg + w_srv, 1e-3) ** 0.5)
    # shuffle so that row order carries no information
    perm = rng.permutation(len(cty))
    return cty[perm], cl[perm], dr[perm]


#: Firm-count location quotient of a national cluster's leading industries that every member
#: city reaches at least (employment LQs then stay well above 1.5).
SPECIALISATION_TARGET = 3.0


def specialise(
    rng: np.random.Generator,
    cty: np.ndarray,
    cl: np.ndarray,
    directed: np.ndarray,
    geo: Geo,
    cls: Classes,
    cref: ClusterRef,
    class_weight: np.ndarray,
    target: float = SPECIALISATION_TARGET,
) -> None:
    """Give every member city of a national cluster a clear specialisation in its leading classes.

    For each national cluster and each prefecture-level member region, general (not directed)
    firms of the city outside the leading classes are moved into the leading classes until the
    firm-count location quotient of those classes reaches ``target``; moved firms count as
    directed. A firm moved for one cluster is not moved again for a later one. Counties of
    a member prefecture count for it; clusters recorded only by province are left alone. Works in
    place on ``cl`` and ``directed``.

    Parameters
    ----------
    rng: the generator's random source.
    cty, cl, directed: county index, class index and directed flag per firm (modified in place).
    geo, cls, cref: the demo's regions, classes and clusters.
    class_weight: weight of each class when a firm is moved into a cluster's leading classes.
    target: firm-count location quotient to reach.

    Returns
    -------
    None

    References
    ----------
    ``src/jiqun/demo/generator.py`` (module docstring, "Placement").

    Example
    -------
    >>> # called by place_firms; see tests/demo/test_plausibility.py for its effect
    """
    pref = geo.cty_pref[cty]
    n_pref = len(geo.pref_code)
    pref_index = {str(c): i for i, c in enumerate(geo.pref_code)}
    total = np.bincount(pref, minlength=n_pref)
    taken = np.zeros(len(cl), dtype=bool)
    for k in range(len(cref.ids)):
        if cref.group[k] == 2:
            continue
        members = [pref_index[c] for c in cref.member_codes[k] if c in pref_index]
        cc = np.flatnonzero(cref.class_in[k])
        if not members or not len(cc):
            continue
        lead = cref.class_in[k][cl]
        share = lead.mean()
        p_cls = class_weight[cc] * cref.lead_weight[k][cc]
        p_cls /= p_cls.sum()
        for p in members:
            in_p = pref == p
            need = int(np.ceil(target * share * total[p] - (lead & in_p).sum()))
            if need > 0:
                cand = np.flatnonzero(in_p & ~lead & ~directed & ~taken)
                moved = rng.choice(cand, size=min(need, len(cand)), replace=False)
                cl[moved] = cc[rng.choice(len(cc), size=len(moved), p=p_cls)]
                directed[moved] = True
            taken |= in_p & cref.class_in[k][cl]


def assign_tags(
    rng: np.random.Generator,
    emp: np.ndarray,
    f_cls: np.ndarray,
    cls: Classes,
    in45: np.ndarray,
    is_mfg: np.ndarray,
    member_idx: list[np.ndarray],
    cref: ClusterRef,
    scale: float,
) -> tuple[dict[str, np.ndarray], dict[int, int]]:
    n = len(emp)
    ht_cls = cls.hightech[f_cls]
    div = cls.div[f_cls]
    tech_srv = np.isin(div, ["64", "65", "73", "75"])
    eligible = is_mfg | tech_srv
    sme = (emp >= 10) & (emp <= 900)
    lg = np.zeros(n, dtype=bool)
    champ = np.zeros(n, dtype=bool)

    def pick(mask: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
        return weighted_pick(rng, np.where(mask, weight, 0.0), k)

    lg_w = emp**0.6 * np.where(ht_cls, 2.0, 1.0)
    lg[pick(in45 & eligible & sme, lg_w, round(LITTLE_GIANTS_IN_45 * scale))] = True
    n_lg_out = round((LITTLE_GIANTS_NATIONAL - LITTLE_GIANTS_IN_45) * OUTSIDE_SAMPLING * scale)
    lg[pick(~in45 & eligible & sme, lg_w, n_lg_out)] = True
    big = (emp >= 100) & is_mfg & ~lg
    champ[pick(in45 & big, emp, round(CHAMPIONS_IN_45 * scale))] = True
    n_ch_out = round((CHAMPIONS_NATIONAL - CHAMPIONS_IN_45) * OUTSIDE_SAMPLING * scale)
    champ[pick(~in45 & big, emp, n_ch_out)] = True

    srdi = lg.copy()
    n_srdi = SRDI_PER_LITTLE_GIANT * int(lg.sum()) - int(lg.sum())
    sw = emp**0.4 * np.where(in45, 1.6, 1.0) * np.where(ht_cls, 1.5, 1.0)
    srdi[pick(eligible & sme & ~lg & ~champ, sw, n_srdi)] = True

    ht = ((lg | champ) & (rng.random(n) < 0.85)) | (srdi & ~lg & (rng.random(n) < 0.5))
    target = round(HIGH_TECH_MFG_SHARE * is_mfg.sum() + 0.30 * tech_srv.sum())
    more = max(0, target - int(ht.sum()))
    hw = emp**0.3 * np.where(ht_cls, 3.0, 1.0) * np.where(in45, 1.5, 1.0)
    ht[pick(eligible & ~ht, hw, more)] = True

    # chain leaders (synthetic demo labels): 1–3 per 45 cluster, 1 per later national cluster
    leader = np.zeros(n, dtype=bool)
    leader_of: dict[int, int] = {}
    for k in range(len(cref.ids)):
        idx = member_idx[k]
        if cref.group[k] == 2 or len(idx) == 0:
            continue
        want = int(rng.integers(1, 4)) if cref.group[k] == 0 else 1
        top = idx[np.argsort(-emp[idx], kind="stable")[:10]]
        top = top[~leader[top]]
        chosen = top[weighted_pick(rng, emp[top], want)]
        leader[chosen] = True
        for i in chosen:
            leader_of[int(i)] = k
    tags = {
        "srdi": srdi,
        "little_giant": lg,
        "single_champion": champ,
        "high_tech": ht,
        "chain_leader": leader,
    }
    return tags, leader_of


def tag_strings(tags: dict[str, np.ndarray], n: int) -> np.ndarray:
    """``;``-separated tag ids per firm (``None`` when untagged)."""
    out = np.full(n, "", dtype=object)
    for k in ("srdi", "little_giant", "single_champion", "high_tech", "chain_leader"):
        m = tags[k]
        out[m] = np.where(out[m] == "", k, out[m] + ";" + k)
    out[out == ""] = None
    return out


def firm_names(
    rng: np.random.Generator,
    f_cty: np.ndarray,
    f_cls: np.ndarray,
    employees: np.ndarray,
    geo: Geo,
    cls: Classes,
) -> np.ndarray:
    n = len(f_cty)
    words = np.array(NAME_WORDS, dtype=object)
    ind = cls.word[f_cls].copy()
    sec = cls.section[f_cls]
    u = rng.random(n)
    for s, lst in SECTION_WORDS.items():
        m = sec == s
        if m.any():
            ind[m] = np.array(lst, dtype=object)[rng.integers(0, len(lst), int(m.sum()))]
    mfg = sec == "C"
    ind = np.where(mfg & (u < 0.12), "科技", np.where(mfg & (u >= 0.12) & (u < 0.16), "实业", ind))
    v = rng.random(n)
    suffix = np.where(
        (employees > 500) & (v < 0.6),
        "股份有限公司",
        np.where(v > 0.95, "有限责任公司", "有限公司"),
    ).astype(object)
    return concat(geo.cty_city[f_cty], words[rng.integers(0, len(words), n)], ind, suffix)


def business_scope(rng: np.random.Generator, f_cls: np.ndarray, cls: Classes) -> np.ndarray:
    sei = products_from_sei(optional_csv("sei2018_to_gbt4754.csv"))
    seg = chain_segment_words()
    variants = 4
    table = np.empty(len(cls.code) * variants, dtype=object)
    vr = np.random.Generator(np.random.PCG64(int(rng.integers(0, 2**63))))
    for i, (code, word, name, sec) in enumerate(
        zip(cls.code, cls.word, cls.name, cls.section, strict=True)
    ):
        prods: list[str] = []
        for p in [*KEY_PRODUCTS.get(code, []), *seg.get(code, []), word, *sei.get(code, [])]:
            if p and p not in prods:
                prods.append(p)
        for j in range(variants):
            k = min(len(prods), 1 + int(vr.integers(1, 4)))
            head = prods[: max(1, min(2, k))]
            extra = [
                prods[int(x)] for x in vr.choice(len(prods), size=min(len(prods), k), replace=False)
            ]
            chosen = list(dict.fromkeys(head + extra))[:4]
            items = "、".join(chosen)
            if sec == "C":
                table[i * variants + j] = f"{name}；{items}的研发、生产和销售；"
            else:
                rest = "、".join(x for x in chosen if x != name)
                table[i * variants + j] = f"{name}；{rest}；" if rest else f"{name}；"
    tails = np.array(SCOPE_TAILS, dtype=object)
    n = len(f_cls)
    return concat(
        table[f_cls * variants + rng.integers(0, variants, n)],
        tails[rng.integers(0, len(tails), n)],
    )
