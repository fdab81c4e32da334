"""Whether an answer depends on more than the viewer's role and scope.

A page built only from the data version, the stored results, the protected release and the
viewer's role and scope is the same for every request with those inputs, so the web layer may
keep it (:mod:`jiqun.web.page_cache`). An answer that reads firm-level rights — a grant to the
viewer's organisation, which can expire without any write — or that writes an audit entry (a
read of firm records, which must be logged every time) must be computed afresh each time.
The services that do either call :func:`mark`; a caller that wants to know wraps its work in
:func:`watch`.

Example
-------
>>> with watch() as why:
...     mark("grants")
>>> why
['grants']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["mark", "watch"]

_REASONS: ContextVar[list[str] | None] = ContextVar("jiqun_personal_reasons", default=None)


def mark(reason: str) -> None:
    """Record that the answer being built depends on ``reason`` (``"audit"``, ``"grants"``).

    Parameters
    ----------
    reason:
        A short word saying why the answer is personal.

    Returns
    -------
    None
        Outside :func:`watch` nothing is recorded.

    Example
    -------
    >>> mark("audit")  # outside watch(): no effect
    """
    reasons = _REASONS.get()
    if reasons is not None and reason not in reasons:
        reasons.append(reason)


@contextlib.contextmanager
def watch() -> Iterator[list[str]]:
    """Collect the :func:`mark` reasons of the work done inside the block.

    Returns
    -------
    Iterator[list[str]]
        The list the reasons are appended to (empty: the answer is not personal).

    References
    ----------
    src/jiqun/web/page_cache.py (its only reader).

    Example
    -------
    >>> with watch() as why:
    ...     pass
    >>> why
    []
    """
    reasons: list[str] = []
    token = _REASONS.set(reasons)
    try:
        yield reasons
    finally:
        _REASONS.reset(token)
