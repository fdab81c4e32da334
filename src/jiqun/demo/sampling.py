"""Vectorised sampling helpers of the demo generator and the synthetic credit codes."""

from __future__ import annotations

from typing import Any

import numpy as np

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


class GroupedSampler:
    """Weighted sampling of items within integer groups, vectorised over many queries."""

    def __init__(self, groups: np.ndarray, weights: np.ndarray) -> None:
        order = np.argsort(groups, kind="stable")
        g = groups[order]
        w = np.asarray(weights, dtype=float)[order]
        self.items = order
        self.keys, start = np.unique(g, return_index=True)
        end = np.r_[start[1:], len(g)]
        self.cw = np.cumsum(w)
        before = np.r_[0.0, self.cw][start]
        self.start, self.end, self.base = start, end, before
        self.total = self.cw[end - 1] - before if len(g) else np.zeros(0)

    def sample(self, rng: np.random.Generator, query: np.ndarray) -> np.ndarray:
        """Item index per query group, or -1 where the group is empty or absent."""
        u = rng.random(len(query))
        if len(self.keys) == 0:
            return np.full(len(query), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        found = (self.keys[pos] == query) & (self.total[pos] > 0)
        target = self.base[pos] + u * self.total[pos]
        idx = np.searchsorted(self.cw, target, side="right")
        idx = np.clip(idx, self.start[pos], self.end[pos] - 1)
        return np.where(found, self.items[idx], -1)


def weighted_pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement ∝ weights (Efraimidis–Spirakis)."""
    w = np.asarray(weights, dtype=float)
    u = rng.random(len(w))
    with np.errstate(divide="ignore"):
        key = np.where(w > 0, -np.log(u) / np.where(w > 0, w, 1.0), np.inf)
    k = int(min(k, np.isfinite(key).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(key, k - 1)[:k]
    return np.sort(idx)


def _org_values() -> np.ndarray:
    """GB 11714 value of each USCC charset character (A=10 … Z=35)."""
    return np.array([int(c) if c.isdigit() else ord(c) - 55 for c in USCC_CHARSET], dtype=np.int64)


def make_uscc(rng: np.random.Generator, region_codes: np.ndarray) -> np.ndarray:
    """Unique valid GB 32100 codes, positions 3–8 = ``region_codes`` (vectorised)."""
    n = len(region_codes)
    org_val = _org_values()
    idx = np.empty((n, 18), dtype=np.int64)
    idx[:, 0] = 9
    idx[:, 1] = 1
    reg = np.frombuffer("".join(region_codes).encode("ascii"), dtype=np.uint8).reshape(n, 6)
    idx[:, 2:8] = reg.astype(np.int64) - 48
    todo = np.arange(n)
    charset = np.frombuffer(USCC_CHARSET.encode("ascii"), dtype=np.uint8)
    x_index = USCC_CHARSET.index("X")
    out: np.ndarray = np.empty(n, dtype=object)
    for _ in range(20):
        m = len(todo)
        digit = rng.random((m, 8)) < 0.85
        body = np.where(digit, rng.integers(0, 10, (m, 8)), rng.integers(10, 31, (m, 8)))
        idx[todo, 8:16] = body
        c = 11 - (org_val[body] @ ORG_WEIGHTS) % 11
        idx[todo, 16] = np.where(c == 10, x_index, np.where(c == 11, 0, c))
        s = idx[todo, :17] @ USCC_WEIGHTS
        idx[todo, 17] = (31 - s % 31) % 31
        codes = charset[idx].view("S18").ravel()
        _, first, _counts = np.unique(codes, return_index=True, return_counts=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False  # the first of each code is kept
        if not dup.any():
            out[:] = codes.astype(str).astype(object)
            return out
        todo = np.flatnonzero(dup)
    raise RuntimeError("could not draw unique credit codes")  # pragma: no cover


def concat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of object arrays / scalars."""
    out: Any = ""
    for p in parts:
        out = out + (p if isinstance(p, str) else np.asarray(p, dtype=object))
    return np.asarray(out, dtype=object)
