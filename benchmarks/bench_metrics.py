"""Benchmark: every ``jiqun.metrics`` function on a 3,000 region × 600 industry matrix.

Usage::

    uv run python benchmarks/bench_metrics.py [--regions 3000 --industries 600 --clusters 51
                                               --roi 10 --repeat 5 --peer-repeat 5]

Builds the seeded heavy-tailed region × industry matrix of ``bench_complexity.py`` (log-normal
cells × Pareto region and industry sizes, 30% exact zeros, same seed), and times, each on the same
input in the same process as its peer:

(a) all-pairs measures (region × region):

- ``structure_similarity(X)`` against ``1 − scipy.spatial.distance.cdist(s, s, "cosine")`` on the
  row shares ``s``, and against two plain (sklearn-free) versions: NumPy ``v @ vᵀ`` of the
  unit-length rows and pandas ``DataFrame.dot``;
- ``krugman_bilateral(X)`` against ``cdist(s, s, "cityblock")`` and ``squareform(pdist(…))``;

(b) every other metric on the full matrix, against a PyPI peer where one is installed
(``scipy.stats.entropy``) and otherwise against a plain pandas reference written below from the
formula in the docstring (ecomplexity for RCA / proximity / density is timed in
``bench_complexity.py``): LQ, presence, diversity, ubiquity, Krugman, Hoover, Herfindahl (both
axes), entropy, Hachman, Gini (both axes), locational Gini, Hoover concentration, spatial Gini,
Theil, proximity, relatedness (4 methods), density, method of reflections, shift-share (Dunn,
Esteban-Marquillas, against a second perturbed matrix), cluster strength and stars (on a region
× 51 cluster employment matrix with establishments and wages), priority overlap and the
homogeneous-competition table for ``--roi`` regions of interest.

Every time is the median of ``--repeat`` runs after one warm-up run (whose result is compared);
``JiqunWarning`` is suppressed. Ratio = peer s / Jiqun s (> 1: Jiqun faster). Max diff = max
|Jiqun − peer| over all cells (booleans and counts as 0/1 numbers; NaN = NaN counts as equal).
Prints a Markdown table; exits non-zero if a difference exceeds 1e-9.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy
import scipy.stats
from scipy.spatial.distance import cdist, pdist, squareform

from jiqun import metrics as jm
from jiqun.analytics.rca import JiqunWarning

SLOW_S = 2.0
TOL = 1e-9


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------


def synthetic(regions: int, industries: int, seed: int = 20090630) -> pd.DataFrame:
    """The generator of ``bench_complexity.py`` (same default seed, so the same matrix)."""
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.0, 2.0, (regions, industries))
    a *= rng.pareto(1.5, (regions, 1)) + 0.01
    a *= rng.pareto(1.5, (1, industries)) + 0.01
    a[rng.random((regions, industries)) < 0.3] = 0.0
    return pd.DataFrame(
        a,
        index=[f"r{j:05d}" for j in range(regions)],
        columns=[f"p{j:04d}" for j in range(industries)],
    )


def perturbed(X: pd.DataFrame, seed: int = 20260101) -> pd.DataFrame:
    """End-of-period matrix: cell growth ~ log-normal, 2% of the zero cells become positive."""
    rng = np.random.default_rng(seed)
    a = X.to_numpy() * rng.lognormal(0.02, 0.3, X.shape)
    new = (a == 0) & (rng.random(X.shape) < 0.02)
    a[new] = rng.lognormal(0.0, 1.0, int(new.sum()))
    return pd.DataFrame(a, index=X.index, columns=X.columns)


def clusters(regions: int, n: int, seed: int = 51) -> tuple[pd.DataFrame, ...]:
    """Region × cluster employment (integers), establishments and total wages."""
    rng = np.random.default_rng(seed)
    emp = synthetic(regions, n, seed=seed)
    emp = (emp * 100).round()
    emp.columns = [f"c{j:02d}" for j in range(n)]
    e = emp.to_numpy()
    est = np.where(e > 0, np.maximum(1.0, np.round(e / rng.lognormal(2.5, 1.0, e.shape))), 0.0)
    wages = e * rng.lognormal(np.log(60_000), 0.3, e.shape)
    return (
        emp,
        pd.DataFrame(est, index=emp.index, columns=emp.columns),
        pd.DataFrame(wages, index=emp.index, columns=emp.columns),
    )


# --------------------------------------------------------------------------------------------
# plain pandas references (written from the docstring formulas, no Jiqun code)
# --------------------------------------------------------------------------------------------


def shares(X: pd.DataFrame) -> pd.DataFrame:
    return X.div(X.sum(axis=1), axis=0)


def ref_lq(X: pd.DataFrame) -> pd.DataFrame:
    return shares(X).div(X.sum(axis=0) / X.to_numpy().sum(), axis=1)


def ref_presence(X: pd.DataFrame) -> pd.DataFrame:
    return (ref_lq(X) >= 1.0).astype(np.int64)


def ref_krugman(X: pd.DataFrame) -> pd.Series:
    si = X.sum(axis=0) / X.to_numpy().sum()
    return shares(X).sub(si, axis=1).abs().sum(axis=1)


def ref_herfindahl(X: pd.DataFrame, axis: str) -> pd.Series:
    if axis == "region":
        return (shares(X) ** 2).sum(axis=1)
    return (X.div(X.sum(axis=0), axis=1) ** 2).sum(axis=0)


def ref_hachman(X: pd.DataFrame) -> pd.Series:
    si = X.sum(axis=0) / X.to_numpy().sum()
    return 1.0 / (shares(X) ** 2).div(si, axis=1).sum(axis=1)


def ref_gini(df: pd.DataFrame) -> pd.Series:
    """One Gini per column: ``2 Σ_k k·x_(k) / (n Σ x) − (n + 1)/n`` (EconGeo / REAT form)."""
    srt = pd.DataFrame(np.sort(df.to_numpy(), axis=0), columns=df.columns)
    n = len(srt)
    return srt.mul(np.arange(1, n + 1), axis=0).sum() * 2.0 / (n * srt.sum()) - (n + 1) / n


def ref_locational_gini(X: pd.DataFrame) -> pd.Series:
    """Half the Gini of the locational Lorenz curve (regions sorted by LQ), trapezoid rule."""
    x = X.sum(axis=1) / X.to_numpy().sum()
    out = {}
    for c in X.columns:
        col = X[c]
        order = (col / x).sort_values(kind="stable").index
        cum_c = np.r_[0.0, (col[order].cumsum() / col.sum()).to_numpy()]
        cum_p = np.r_[0.0, (x[order].cumsum() / x.sum()).to_numpy()]
        out[c] = (1.0 - (np.diff(cum_p) * (cum_c[1:] + cum_c[:-1])).sum()) / 2.0
    return pd.Series(out)


def _industry_dev(X: pd.DataFrame) -> pd.DataFrame:
    x = X.sum(axis=1) / X.to_numpy().sum()
    return X.div(X.sum(axis=0), axis=1).sub(x, axis=0)


def ref_theil(X: pd.DataFrame) -> pd.Series:
    r = X / X.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (r * np.log(r)).fillna(0.0).mean(axis=0)


def with_diagonal(df: pd.DataFrame, value: float) -> pd.DataFrame:
    a = df.to_numpy(copy=True)
    np.fill_diagonal(a, value)
    return pd.DataFrame(a, index=df.index, columns=df.columns)


def ref_proximity(X: pd.DataFrame) -> pd.DataFrame:
    M = ref_presence(X).astype(np.float64)
    C = M.T.dot(M)
    u = M.sum(axis=0).to_numpy()
    return with_diagonal((C / np.maximum.outer(u, u)).fillna(0.0), 1.0)


def ref_relatedness(X: pd.DataFrame, method: str) -> pd.DataFrame:
    """EconGeo ``relatedness`` on ``co_occurrence(t(M))`` with its diagonal set to 0."""
    M = ref_presence(X).astype(np.float64)
    C = with_diagonal(M.T.dot(M), 0.0)
    S = C.sum(axis=0).to_numpy()
    T = S.sum()
    Si, Sj = S[:, None], S[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "prob":
            R = C / (((Si / T) * (Sj / (T - Si)) + (Sj / T) * (Si / (T - Sj))) * T / 2)
        elif method == "association":
            R = (C / T) / ((Si / T) * (Sj / T))
        elif method == "cosine":
            R = C / np.sqrt(Si * Sj)
        else:
            R = C / (Si + Sj - C)
    return with_diagonal(R.replace([np.inf, -np.inf], np.nan).fillna(0.0), 0.0)


def ref_density(X: pd.DataFrame) -> pd.DataFrame:
    M = ref_presence(X).astype(np.float64)
    phi = ref_proximity(X)
    return M.dot(phi.T).div(phi.sum(axis=1), axis=1)


def ref_reflections(X: pd.DataFrame, steps: int = 20) -> tuple[pd.Series, pd.Series]:
    """EconGeo ``morc``/``mort``: steps ≥ 3 rescaled to 0–100 before the next step."""
    M = ref_presence(X).astype(np.float64)
    M = M.loc[M.sum(axis=1) > 0, M.sum(axis=0) > 0]
    kc0, kp0 = M.sum(axis=1), M.sum(axis=0)
    kc, kp = kc0, kp0
    for n in range(1, steps + 1):
        kc_new, kp_new = M.dot(kp) / kc0, M.T.dot(kc) / kp0
        if n >= 3:
            kc_new = (kc_new - kc_new.min()) / (kc_new.max() - kc_new.min()) * 100
            kp_new = (kp_new - kp_new.min()) / (kp_new.max() - kp_new.min()) * 100
        kc, kp = kc_new, kp_new
    return kc.reindex(X.index), kp.reindex(X.columns)


def ref_shift_share(A: pd.DataFrame, B: pd.DataFrame, method: str) -> pd.DataFrame:
    Ei1, Ei2 = A.sum(axis=0), B.sum(axis=0)
    E1, E2 = Ei1.sum(), Ei2.sum()
    er1, er2 = A.sum(axis=1), B.sum(axis=1)
    ratio = Ei2 / Ei1
    expected = A.mul(ratio, axis=1)
    out = pd.DataFrame(
        {
            "start": er1,
            "end": er2,
            "growth": er2 - er1,
            "national_share": er1 * (E2 / E1) - er1,
            "industry_mix": expected.sum(axis=1) - er1 * (E2 / E1),
            "regional_shift": (B - expected).sum(axis=1),
        }
    )
    out["net_total_shift"] = out["industry_mix"] + out["regional_shift"]
    if method == "esteban":
        hom = pd.DataFrame(np.outer(er1, Ei1 / E1), index=A.index, columns=A.columns)
        with np.errstate(divide="ignore", invalid="ignore"):
            diff = (B / A).sub(ratio, axis=1).where(A > 0, 0.0)
        out["competitive"] = (hom * diff).sum(axis=1)
        out["allocation"] = ((A - hom) * diff).sum(axis=1)
        out["new_activity"] = B.where((A == 0) & (B > 0), 0.0).sum(axis=1)
    return out


def ref_cluster_strength(emp: pd.DataFrame, est: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """US Cluster Mapping rules with pandas ``Series.quantile`` (linear) per cluster."""
    Ec = emp.sum(axis=0)
    lq = emp.div(emp.sum(axis=1), axis=0).div(Ec / Ec.sum(), axis=1)
    flags = {k: pd.DataFrame(False, index=emp.index, columns=emp.columns) for k in range(4)}
    for c in emp.columns:
        pos = emp[c] > 0
        base = (emp[c] > emp.loc[pos, c].quantile(0.25)) & (est[c] > est.loc[pos, c].quantile(0.25))
        p25, p50, p75, p90 = lq.loc[pos, c].quantile([0.25, 0.5, 0.75, 0.9])
        flags[0][c] = (lq[c] > p25) & base
        flags[1][c] = (lq[c] > p50) & base
        flags[2][c] = (lq[c] >= p75) & (lq[c] >= 1.0) & base
        flags[3][c] = (lq[c] >= p90) & (lq[c] >= 1.0) & base
    return {
        "lq": lq,
        "qualifying": flags[0],
        "significant": flags[1],
        "strong": flags[2],
        "strong10": flags[3],
    }


def ref_cluster_stars(emp: pd.DataFrame, wages: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """European Cluster Observatory stars: top 10% = ≥ the linear 90th percentile, LQ ≥ 2."""
    Er, Ec = emp.sum(axis=1), emp.sum(axis=0)
    lq = emp.div(Er, axis=0).div(Ec / Ec.sum(), axis=1)
    focus_share = emp.div(Er, axis=0)
    size = emp.ge(emp.quantile(0.9), axis=1) & (emp > 0)
    focus = focus_share.ge(focus_share.quantile(0.9), axis=1) & (focus_share > 0)
    spec = lq >= 2.0
    wpe = (wages / emp).where(emp > 0)
    prod = wpe.ge(wpe.quantile(0.9), axis=1) & (wpe > 0)  # quantile skips NaN (e = 0)
    stars = size.astype(int) + spec + focus + prod
    return {"lq": lq, "size": size, "specialisation": spec, "focus": focus, "stars": stars}


def ref_priority_overlap(M: pd.DataFrame) -> pd.DataFrame:
    Mf = M.astype(np.float64)
    inter = Mf.dot(Mf.T)
    size = Mf.sum(axis=1).to_numpy()
    union = np.add.outer(size, size) - inter
    return (inter / union).where(union > 0)


def ref_homogeneous(X: pd.DataFrame, roi: list[str]) -> pd.DataFrame:
    """Rows of the regions of interest only, from the formulas, then the documented ranking."""
    sh = shares(X)
    norm = np.sqrt((sh**2).sum(axis=1))
    M = ref_presence(X)
    size = M.sum(axis=1)
    sets = {
        r: set(X.columns[row.astype(bool)]) for r, row in zip(X.index, M.to_numpy(), strict=True)
    }
    frames = []
    for a in roi:
        S = (sh.dot(sh.loc[a]) / (norm * norm[a])).clip(0.0, 1.0)
        K = sh.sub(sh.loc[a], axis=1).abs().sum(axis=1)
        inter = M.dot(M.loc[a])
        J = inter / (size + size[a] - inter)
        df = pd.DataFrame(
            {
                "region_a": a,
                "region_b": X.index,
                "structure_similarity": S.to_numpy(),
                "krugman_bilateral": K.to_numpy(),
                "overlap_jaccard": J.to_numpy(),
                "n_shared_specialised": inter.to_numpy(),
                "shared_specialised": [sorted(sets[a] & sets[b], key=str) for b in X.index],
            }
        )
        df = df[df.region_b != a].sort_values(
            ["structure_similarity", "krugman_bilateral", "overlap_jaccard"],
            ascending=[False, True, False],
            kind="stable",
        )
        df.insert(2, "rank", np.arange(1, len(df) + 1))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# comparison and timing
# --------------------------------------------------------------------------------------------


def _values(obj: Any, like: Any = None) -> np.ndarray:
    if isinstance(obj, pd.DataFrame | pd.Series) and isinstance(like, pd.DataFrame | pd.Series):
        obj = obj.reindex(like.index) if isinstance(obj, pd.Series) else obj.reindex_like(like)
    if isinstance(obj, pd.DataFrame | pd.Series):
        obj = obj.to_numpy()
    return np.asarray(obj, dtype=np.float64)


def max_diff(jiqun: Any, peer: Any) -> float:
    """max |a − b| over all cells (labels aligned; NaN against NaN counts as equal)."""
    if isinstance(jiqun, tuple):
        return max(max_diff(a, b) for a, b in zip(jiqun, peer, strict=True))
    a, b = _values(jiqun), _values(peer, jiqun)
    if a.shape != b.shape:
        return float("inf")
    both_nan = np.isnan(a) & np.isnan(b)
    d = np.abs(a - b)
    d[both_nan] = 0.0
    return float(np.nanmax(np.where(np.isnan(d), np.inf, d))) if d.size else 0.0


def scale(obj: Any) -> float:
    """Largest finite |value| of a result (for the relative tolerance)."""
    if isinstance(obj, tuple):
        return max(scale(o) for o in obj)
    if isinstance(obj, dict):
        return max(scale(o) for o in obj.values())
    if isinstance(obj, pd.DataFrame):
        obj = obj.select_dtypes("number")
    try:
        a = _values(obj)
    except (TypeError, ValueError):
        return 1.0
    a = np.abs(a[np.isfinite(a)])
    return float(a.max()) if a.size else 1.0


def diff_long(res: pd.DataFrame, ref: dict[str, pd.DataFrame]) -> float:
    """Jiqun's (region, cluster) long table against wide reference frames, column by column."""
    shape = (len(res.index.levels[0]), len(res.index.levels[1]))
    return max(max_diff(res[k].to_numpy().reshape(shape), v.to_numpy()) for k, v in ref.items())


def diff_homogeneous(res: pd.DataFrame, ref: pd.DataFrame) -> float:
    keys = ["region_a", "region_b"]
    m = res.merge(ref, on=keys, suffixes=("", "_ref"), validate="one_to_one")
    if len(m) != len(res) or len(m) != len(ref):
        return float("inf")
    cols = ["rank", "structure_similarity", "krugman_bilateral", "overlap_jaccard"]
    cols.append("n_shared_specialised")
    d = max(max_diff(m[c], m[c + "_ref"]) for c in cols)
    same = all(a == b for a, b in zip(m.shared_specialised, m.shared_specialised_ref, strict=True))
    return d if same else float("inf")


def timed(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs after one warm-up run, and the warm-up result."""
    out = f()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--regions", type=int, default=3000)
    p.add_argument("--industries", type=int, default=600)
    p.add_argument("--clusters", type=int, default=51)
    p.add_argument("--roi", type=int, default=10, help="regions of interest for the table")
    p.add_argument("--repeat", type=int, default=5, help="timed runs (median reported)")
    p.add_argument("--peer-repeat", type=int, default=None, help="peer runs (default --repeat)")
    args = p.parse_args(argv)
    peer_repeat = args.repeat if args.peer_repeat is None else args.peer_repeat
    warnings.simplefilter("ignore", JiqunWarning)

    X = synthetic(args.regions, args.industries)
    X2 = perturbed(X)
    emp, est, wages = clusters(args.regions, args.clusters)
    M = jm.presence(X)
    roi = list(X.index[:: max(1, args.regions // args.roi)][: args.roi])
    big = f"{args.regions} × {args.industries}"
    pairs = f"{big} → {args.regions} × {args.regions}"
    ind = f"{big} → {args.industries} × {args.industries}"
    cl = f"{args.regions} × {args.clusters}"

    def np_shares() -> np.ndarray:
        a = X.to_numpy()
        return a / a.sum(axis=1, keepdims=True)

    def np_cosine() -> np.ndarray:
        s = np_shares()
        v = s / np.sqrt((s * s).sum(axis=1, keepdims=True))
        return v @ v.T

    def pd_cosine() -> pd.DataFrame:
        v = shares(X)
        v = v.div(np.sqrt((v**2).sum(axis=1)), axis=0)
        return v.dot(v.T)

    # (metric, shape, jiqun, peer name, peer, comparison)
    cases: list[tuple[str, str, Callable[[], Any], str, Callable[[], Any], Callable | None]] = [
        (
            "structure_similarity",
            pairs,
            lambda: jm.structure_similarity(X),
            'SciPy `1 − cdist(s, s, "cosine")`',
            lambda: 1.0 - cdist(np_shares(), np_shares(), "cosine"),
            None,
        ),
        (
            "structure_similarity",
            pairs,
            lambda: jm.structure_similarity(X),
            "plain NumPy `v @ v.T`",
            np_cosine,
            None,
        ),
        (
            "structure_similarity",
            pairs,
            lambda: jm.structure_similarity(X),
            "plain pandas `DataFrame.dot`",
            pd_cosine,
            None,
        ),
        (
            "krugman_bilateral",
            pairs,
            lambda: jm.krugman_bilateral(X),
            'SciPy `cdist(s, s, "cityblock")`',
            lambda: cdist(np_shares(), np_shares(), "cityblock"),
            None,
        ),
        (
            "krugman_bilateral",
            pairs,
            lambda: jm.krugman_bilateral(X),
            'SciPy `squareform(pdist(s, "cityblock"))`',
            lambda: squareform(pdist(np_shares(), "cityblock")),
            None,
        ),
        (
            "location_quotient",
            big,
            lambda: jm.location_quotient(X),
            "pandas",
            lambda: ref_lq(X),
            None,
        ),
        ("presence", big, lambda: jm.presence(X), "pandas", lambda: ref_presence(X), None),
        (
            "diversity",
            big,
            lambda: jm.diversity(X),
            "pandas",
            lambda: ref_presence(X).sum(axis=1),
            None,
        ),
        (
            "ubiquity",
            big,
            lambda: jm.ubiquity(X),
            "pandas",
            lambda: ref_presence(X).sum(axis=0),
            None,
        ),
        ("krugman_index", big, lambda: jm.krugman_index(X), "pandas", lambda: ref_krugman(X), None),
        (
            "hoover_specialization",
            big,
            lambda: jm.hoover_specialization(X),
            "pandas",
            lambda: ref_krugman(X) / 2,
            None,
        ),
        (
            'herfindahl(axis="region")',
            big,
            lambda: jm.herfindahl(X, axis="region"),
            "pandas",
            lambda: ref_herfindahl(X, "region"),
            None,
        ),
        (
            'herfindahl(axis="industry")',
            big,
            lambda: jm.herfindahl(X, axis="industry"),
            "pandas",
            lambda: ref_herfindahl(X, "industry"),
            None,
        ),
        (
            "entropy",
            big,
            lambda: jm.entropy(X),
            "`scipy.stats.entropy(base=2)`",
            lambda: pd.Series(scipy.stats.entropy(X.to_numpy(), base=2, axis=1), index=X.index),
            None,
        ),
        ("hachman", big, lambda: jm.hachman(X), "pandas", lambda: ref_hachman(X), None),
        (
            'gini(axis="industry")',
            big,
            lambda: jm.gini(X, axis="industry"),
            "pandas",
            lambda: ref_gini(X),
            None,
        ),
        (
            'gini(axis="region")',
            big,
            lambda: jm.gini(X, axis="region"),
            "pandas",
            lambda: ref_gini(X.T),
            None,
        ),
        (
            "locational_gini",
            big,
            lambda: jm.locational_gini(X),
            "pandas (loop over industries)",
            lambda: ref_locational_gini(X),
            None,
        ),
        (
            "hoover_concentration",
            big,
            lambda: jm.hoover_concentration(X),
            "pandas",
            lambda: 0.5 * _industry_dev(X).abs().sum(axis=0),
            None,
        ),
        (
            "spatial_gini",
            big,
            lambda: jm.spatial_gini(X),
            "pandas",
            lambda: (_industry_dev(X) ** 2).sum(axis=0),
            None,
        ),
        ("theil (T)", big, lambda: jm.theil(X), "pandas", lambda: ref_theil(X), None),
        ("proximity", ind, lambda: jm.proximity(X), "pandas", lambda: ref_proximity(X), None),
    ]
    for method in ("prob", "association", "cosine", "jaccard"):
        cases.append(
            (
                f'relatedness("{method}")',
                ind,
                lambda method=method: jm.relatedness(X, method=method),
                "pandas",
                lambda method=method: ref_relatedness(X, method),
                None,
            )
        )
    cases += [
        ("density", big, lambda: jm.density(X), "pandas", lambda: ref_density(X), None),
        (
            "method_of_reflections(steps=20)",
            big,
            lambda: jm.method_of_reflections(X, steps=20),
            "pandas",
            lambda: ref_reflections(X, 20),
            None,
        ),
        (
            'shift_share("dunn")',
            f"2 × {big}",
            lambda: jm.shift_share(X, X2, method="dunn"),
            "pandas",
            lambda: ref_shift_share(X, X2, "dunn"),
            None,
        ),
        (
            'shift_share("esteban")',
            f"2 × {big}",
            lambda: jm.shift_share(X, X2, method="esteban"),
            "pandas",
            lambda: ref_shift_share(X, X2, "esteban"),
            None,
        ),
        (
            "cluster_strength",
            f"2 × {cl}",
            lambda: jm.cluster_strength(emp, est),
            "pandas (loop over clusters)",
            lambda: ref_cluster_strength(emp, est),
            diff_long,
        ),
        (
            "cluster_stars (with wages)",
            f"2 × {cl}",
            lambda: jm.cluster_stars(emp, wages),
            "pandas",
            lambda: ref_cluster_stars(emp, wages),
            diff_long,
        ),
        (
            "priority_overlap(presence(X))",
            pairs,
            lambda: jm.priority_overlap(M),
            "pandas",
            lambda: ref_priority_overlap(M),
            None,
        ),
        (
            f"homogeneous_competition_table ({len(roi)} regions)",
            f"{big} → {len(roi) * (args.regions - 1):,} rows",
            lambda: jm.homogeneous_competition_table(X, roi),
            "pandas (rows of interest only)",
            lambda: ref_homogeneous(X, roi),
            diff_homogeneous,
        ),
    ]

    rows = []
    for name, shape, fj, peer_name, fp, compare in cases:
        tj, rj = timed(fj, args.repeat)
        tp, rp = timed(fp, peer_repeat)
        d = (compare or max_diff)(rj, rp)
        rows.append((name, shape, tj, peer_name, tp, d, max(1.0, scale(rp))))
        print(f"  {name:45s} jiqun {tj:8.4f} s   {peer_name:40s} {tp:8.4f} s   diff {d:.1e}")

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pandas {pd.__version__}, OPENBLAS_NUM_THREADS={threads}"
    )
    print(
        f"data: {big}, {(X.to_numpy() > 0).mean():.0%} non-zero cells; clusters {cl}; "
        f"median of {args.repeat} (Jiqun) / {peer_repeat} (peer) runs after a warm-up"
    )
    print()
    print("| metric | shape | Jiqun s | peer | peer s | ratio (peer / Jiqun) | max abs diff |")
    print("|---|---|---:|---|---:|---:|---:|")
    for name, shape, tj, peer_name, tp, d, sc in rows:
        flag = " ⚠" if tj > SLOW_S else ""
        rel = f" (rel. {d / sc:.0e})" if sc > 1.0 and d > 0 else ""
        print(
            f"| `{name}` | {shape} | {tj:.4f}{flag} | {peer_name} | {tp:.4f} | {tp / tj:.1f}× | "
            f"{d:.1e}{rel} |"
        )
    slow = [r[0] for r in rows if r[2] > SLOW_S]
    if slow:
        print(f"\nslower than {SLOW_S} s: {', '.join(slow)}")
    # values above 1 in magnitude (employment sums, 0–100 scores) are compared relatively
    bad = [r[0] for r in rows if not r[5] <= TOL * r[6]]
    if bad:
        raise SystemExit(f"outputs differ from the peer by more than {TOL}: {', '.join(bad)}")


if __name__ == "__main__":
    main()
