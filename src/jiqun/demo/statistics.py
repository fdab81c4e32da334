"""Demo region statistics: prefecture × class × year × measure, aggregated from the firms and
back-cast to earlier years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiqun.demo.structure import Classes, Geo
from jiqun.demo.tables import CLASS_GROWTH, DEMO_SOURCE, DIVISION_GROWTH


def make_region_stats(
    rng: np.random.Generator,
    ent: pd.DataFrame,
    f_pref: np.ndarray,
    f_prov: np.ndarray,
    f_cls: np.ndarray,
    year: np.ndarray,
    geo: Geo,
    cls: Classes,
    y0: int,
    y1: int,
) -> pd.DataFrame:
    n = len(ent)
    n_cls = len(cls.code)
    emp = ent["employees"].to_numpy(dtype=float)
    rev = ent["revenue"].to_numpy(dtype=float)
    out = ent["output"].to_numpy(dtype=float)
    base_div = np.array([DIVISION_GROWTH.get(d, 0.02) for d in cls.div])
    base_cls = np.array([CLASS_GROWTH.get(c, 0.0) for c in cls.code])
    persistent_cls = rng.normal(0.0, 0.06, n_cls)
    persistent_pref = rng.normal(0.0, 0.05, len(geo.pref_code))
    persistent_prov = rng.normal(0.0, 0.03, len(geo.prov_code))
    key = f_pref.astype(np.int64) * n_cls + f_cls
    frames = []
    cur_emp, cur_rev, cur_out = emp, rev, out
    for y in range(y1, y0 - 1, -1):
        if y < y1:  # back-cast one year
            g = (
                base_div[f_cls]
                + base_cls[f_cls]
                + persistent_cls[f_cls]
                + rng.normal(0.0, 0.02, n_cls)[f_cls]
                + persistent_pref[f_pref]
                + persistent_prov[f_prov]
                + rng.normal(0.0, 0.10, n)
            )
            cur_rev = cur_rev / np.exp(g)
            cur_out = cur_out / np.exp(g + rng.normal(0.0, 0.01, n))
            cur_emp = np.maximum(1.0, cur_emp / np.exp(0.4 * g + rng.normal(0.0, 0.03, n)))
        alive = year <= y
        emp_y = np.round(cur_emp) if y < y1 else cur_emp
        k = key[alive]
        df = pd.DataFrame(
            {
                "k": k,
                "employment": emp_y[alive],
                "revenue": cur_rev[alive],
                "output": np.nan_to_num(cur_out[alive]),
                "firms": 1.0,
            }
        )
        agg = df.groupby("k", sort=True).sum()
        agg["revenue"] = agg["revenue"].round(2)
        agg["output"] = agg["output"].round(2)
        long = agg.reset_index().melt(id_vars="k", var_name="measure", value_name="value")
        long = long[long["value"] > 0]
        long["year"] = y
        frames.append(long)
    rs = pd.concat(frames, ignore_index=True)
    kk = rs["k"].to_numpy()
    units = {"employment": "人", "revenue": "万元", "output": "万元", "firms": "家"}
    res = pd.DataFrame(
        {
            "region_code": geo.pref_code[kk // n_cls],
            "industry_code": cls.code[kk % n_cls],
            "year": rs["year"].to_numpy(dtype=np.int64),
            "measure": rs["measure"].to_numpy(),
            "value": rs["value"].to_numpy(dtype=float),
            "unit": rs["measure"].map(units).to_numpy(),
            "source": DEMO_SOURCE,
        }
    )
    res = res.sort_values(
        ["year", "region_code", "industry_code", "measure"], kind="stable"
    ).reset_index(drop=True)
    res["synthetic"] = True
    return res
