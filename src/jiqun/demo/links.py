"""Demo supply links: purchases by input class (rule table and chain templates), supplier
choice by distance, values bounded by buyer and supplier revenue."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiqun.demo.inputs import chain_templates
from jiqun.demo.sampling import GroupedSampler
from jiqun.demo.structure import Classes
from jiqun.demo.tables import DEFAULT_INPUTS, DEMO_SOURCE, INPUT_RULES
from jiqun.standard.schema import KINDS


def make_supply_links(
    rng: np.random.Generator,
    f_cls: np.ndarray,
    f_pref: np.ndarray,
    f_prov: np.ndarray,
    f_div: np.ndarray,
    employees: np.ndarray,
    revenue: np.ndarray,
    uscc: np.ndarray,
    cls: Classes,
    y1: int,
) -> pd.DataFrame:
    n = len(f_cls)
    n_cls = len(cls.code)
    sw = revenue**0.7  # supplier weight
    # supplier mass per class (for choosing the input class inside a division)
    class_mass = np.bincount(f_cls, sw, minlength=n_cls)
    divs = sorted(set(cls.div.tolist()))
    div_id = {d: i for i, d in enumerate(divs)}
    cls_div_id = np.array([div_id[d] for d in cls.div])
    class_in_div = GroupedSampler(cls_div_id, class_mass)
    # rule table as items grouped by buyer division
    r_buyer, r_supp, r_w = [], [], []
    div_mass = np.bincount(cls_div_id, class_mass, minlength=len(divs))
    for d in divs:
        rules = INPUT_RULES.get(d, DEFAULT_INPUTS)
        for sdiv_code, w in rules:
            if sdiv_code in div_id and div_mass[div_id[sdiv_code]] > 0:
                r_buyer.append(div_id[d])
                r_supp.append(div_id[sdiv_code])
                r_w.append(w)
    rule_sampler = GroupedSampler(np.array(r_buyer), np.array(r_w, dtype=float))
    r_supp_arr = np.array(r_supp)
    # chain templates: buyer class → supplier classes (up → mid, mid → down)
    code_idx = {c: i for i, c in enumerate(cls.code)}
    t_buyer, t_supp = [], []
    for chain in chain_templates():
        stages = [
            chain.get("upstream", []),
            chain.get("midstream", []),
            chain.get("downstream", []),
        ]
        for a, b in ((0, 1), (1, 2)):
            for scode in stages[a]:
                for bcode in stages[b]:
                    if scode in code_idx and bcode in code_idx and class_mass[code_idx[scode]] > 0:
                        t_buyer.append(code_idx[bcode])
                        t_supp.append(code_idx[scode])
    tmpl_sampler = GroupedSampler(np.array(t_buyer, dtype=np.int64), np.ones(len(t_buyer)))
    t_supp_arr = np.array(t_supp, dtype=np.int64)
    # supplier samplers by (class, prefecture), (class, province), class
    n_pref = int(f_pref.max()) + 1
    n_prov = int(f_prov.max()) + 1
    by_pref = GroupedSampler(f_cls.astype(np.int64) * n_pref + f_pref, sw)
    by_prov = GroupedSampler(f_cls.astype(np.int64) * n_prov + f_prov, sw)
    by_nat = GroupedSampler(f_cls.astype(np.int64), sw)
    by_nat_flat = GroupedSampler(f_cls.astype(np.int64), np.ones(n))  # for repair draws
    buyer_div = cls_div_id[f_cls]

    by_pref_div = GroupedSampler(cls_div_id[f_cls].astype(np.int64) * n_pref + f_pref, sw)
    by_prov_div = GroupedSampler(cls_div_id[f_cls].astype(np.int64) * n_prov + f_prov, sw)

    def draw(buyers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(input class, input division, from-template flag) of one purchase of each buyer."""
        m = len(buyers)
        rule = rule_sampler.sample(rng, buyer_div[buyers])
        sdiv = np.where(rule >= 0, r_supp_arr[np.maximum(rule, 0)], -1)
        c_rule = class_in_div.sample(rng, np.where(sdiv >= 0, sdiv, -1))
        t = tmpl_sampler.sample(rng, f_cls[buyers])
        use_t = (t >= 0) & (rng.random(m) < 0.5)
        if len(t_supp_arr):
            c = np.where(use_t, t_supp_arr[np.maximum(t, 0)], c_rule)
            sdiv = np.where(use_t, cls_div_id[np.maximum(c, 0)], sdiv)
            return c, sdiv, use_t
        return c_rule, sdiv, use_t

    def suppliers(
        buyers: np.ndarray, c: np.ndarray, sdiv: np.ndarray, by_div: np.ndarray, local: bool
    ) -> np.ndarray:
        """Supplier of each purchase: same prefecture 0.40 / province 0.25 / anywhere 0.35.

        Where ``by_div`` is set the local tiers pick any supplier of the input division (the
        class is then the supplier's), otherwise one of the input class ``c``.
        """
        m = len(buyers)
        u = rng.random(m)
        tier = np.where(u < 0.40, 0, np.where(u < 0.65, 1, 2)) if local else np.full(m, 2)
        s = np.full(m, -1, dtype=np.int64)
        ok = c >= 0
        bp, bv = f_pref[buyers], f_prov[buyers]
        q = ok & (tier == 0) & by_div
        s[q] = by_pref_div.sample(rng, sdiv[q].astype(np.int64) * n_pref + bp[q])
        q = ok & (tier == 0) & ~by_div
        s[q] = by_pref.sample(rng, c[q].astype(np.int64) * n_pref + bp[q])
        q = ok & (s < 0) & (tier <= 1) & by_div
        s[q] = by_prov_div.sample(rng, sdiv[q].astype(np.int64) * n_prov + bv[q])
        q = ok & (s < 0) & (tier <= 1) & ~by_div
        s[q] = by_prov.sample(rng, c[q].astype(np.int64) * n_prov + bv[q])
        q = ok & (s < 0)
        s[q] = (by_nat if local else by_nat_flat).sample(rng, c[q].astype(np.int64))
        return s

    lam = 0.1 * employees.astype(float) ** 0.45
    k = np.clip(2 + rng.poisson(lam), 2, 15)
    buyers = np.repeat(np.arange(n), k)
    starts = np.r_[0, np.cumsum(k)[:-1]]
    pos = np.arange(len(buyers)) - np.repeat(starts, k)
    c, sdiv, use_t = draw(buyers)
    repeat = (pos > 0) & (rng.random(len(buyers)) < 0.30)
    primary = ~repeat
    s = np.full(len(buyers), -1, dtype=np.int64)
    s[primary] = suppliers(buyers[primary], c[primary], sdiv[primary], ~use_t[primary], True)
    # a repeated purchase buys the class the buyer's previous primary purchase actually got
    c = np.where(primary & (s >= 0), f_cls[np.maximum(s, 0)], c)
    src = np.maximum.accumulate(np.where(repeat, -1, np.arange(len(buyers))))
    c = c[src]
    no_div = np.zeros(int(repeat.sum()), dtype=bool)
    s[repeat] = suppliers(buyers[repeat], c[repeat], sdiv[repeat], no_div, True)
    sup, buy = s, buyers
    for _ in range(6):
        ok = (sup >= 0) & (sup != buy)
        key = np.unique(sup[ok].astype(np.int64) * n + buy[ok])
        sup, buy = key // n, key % n
        cnt = np.bincount(buy, minlength=n)
        short = np.flatnonzero(cnt < 2)
        if len(short) == 0:
            break
        extra_b = np.repeat(short, 2 * (2 - cnt[short]))
        ce, de, _ = draw(extra_b)
        se = suppliers(extra_b, ce, de, np.zeros(len(extra_b), dtype=bool), False)
        sup = np.concatenate([sup, se])
        buy = np.concatenate([buy, extra_b])
    ok = (sup >= 0) & (sup != buy)
    key = np.unique(sup[ok].astype(np.int64) * n + buy[ok])
    sup, buy = key // n, key % n
    # values: buyer revenue × purchase share × Gamma share, capped by supplier revenue
    order = np.lexsort((sup, buy))
    sup, buy = sup[order], buy[order]
    share = rng.uniform(0.25, 0.55, n)
    g = rng.gamma(0.8, 1.0, len(buy)) + 1e-6
    gsum = np.bincount(buy, g, minlength=n)
    value = revenue[buy] * share[buy] * g / gsum[buy]
    value = np.minimum(value, 0.8 * revenue[sup])
    sales = np.bincount(sup, value, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(sales > 0, np.minimum(1.0, 0.9 * revenue / sales), 1.0)
    value = np.maximum(np.round(value * cap[sup], 2), 0.01)
    in_cls = f_cls[sup]
    prod = cls.word[in_cls]
    out = pd.DataFrame(
        {
            "supplier_uscc": uscc[sup],
            "buyer_uscc": uscc[buy],
            "year": np.full(len(sup), y1, dtype=np.int64),
            "value": value,
            "input_category": cls.code[in_cls],
            "product": prod,
            "source": DEMO_SOURCE,
        }
    )
    assert list(out.columns) == KINDS["supply-links"].field_names
    out["synthetic"] = True
    return out
