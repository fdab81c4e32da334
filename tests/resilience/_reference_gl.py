"""A deliberately plain dense implementation of the Diem et al. (2022) cascade, for cross-checks.

One shock at a time, full synchronous updates with NumPy on dense matrices, written straight
from the formulas in ``jiqun.resilience.esri`` (and ``METHODS.md`` §6) without any of the
production code's row tracking, batching or sparse storage.
"""

from __future__ import annotations

import numpy as np


def reference_cascade(
    W: np.ndarray,
    p: np.ndarray,
    E: np.ndarray,
    psi: np.ndarray,
    market: np.ndarray | None = None,
    eps: float = 1e-2,
) -> tuple[np.ndarray, np.ndarray, int]:
    """``(h_down, h_up, iterations)``; ``W[j, i]`` = value i buys from j, ``p`` industry ints."""
    n = W.shape[0]
    s_in, s_out = W.sum(axis=0), W.sum(axis=1)
    e = E[p[:, None], p[None, :]]  # e[j, i] = E[p_j, p_i]
    K = E.shape[0]
    Pi = np.zeros((n, K))  # Π_ik over essential links
    for k in range(K):
        Pi[:, k] = (W * ((p == k)[:, None] & (e == 2))).sum(axis=0)
    cap = 1.0 - psi
    hd, hu = cap.copy(), cap.copy()
    t = 0
    while True:
        t += 1
        sigma = np.ones(n)
        if market is not None:
            for mk in np.unique(market[market >= 0]):
                members = market == mk
                vol = (s_out[members] * hd[members]).sum()
                sigma[members] = np.minimum(1.0, s_out[members] / vol) if vol > 0 else 1.0
        lost = sigma * (1.0 - hd)
        new_d = cap.copy()
        noness_loss = 0.0 * new_d
        for i in range(n):
            ess_min = 1.0
            for k in range(K):
                sel = (p == k) & (e[:, i] == 2) & (W[:, i] > 0)
                if sel.any():
                    ess_min = min(ess_min, 1.0 - (W[sel, i] / Pi[i, k] * lost[sel]).sum())
            sel = (e[:, i] == 1) & (W[:, i] > 0)
            if sel.any():
                noness_loss[i] = (W[sel, i] / s_in[i] * lost[sel]).sum()
            new_d[i] = max(0.0, min(ess_min, 1.0 - noness_loss[i], cap[i]))
        new_u = cap.copy()
        for i in range(n):
            if s_out[i] > 0:
                new_u[i] = max(0.0, min((W[i, :] / s_out[i] * hu).sum(), cap[i]))
        delta = max(np.abs(new_d - hd).max(), np.abs(new_u - hu).max())
        hd, hu = new_d, new_u
        if delta <= eps or t >= 1000:
            return hd, hu, t
