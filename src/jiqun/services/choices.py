"""The one refusal of a value that is not among the allowed ones (a measure, a level, a sort
key …), so that every service words it alike and lists what may be chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jiqun.standard.problems import JiqunError

__all__ = ["require_choice"]


def require_choice(
    value: object,
    choices: Iterable[object],
    zh: str,
    en: str,
    *,
    error: Callable[[str, str], Exception] = JiqunError,
) -> None:
    """Refuse ``value`` unless it is one of ``choices``, naming them all.

    Parameters
    ----------
    value:
        What the caller asked for.
    choices:
        The allowed values, in the order the message lists them.
    zh, en:
        What the value is, as the message opens (``不支持的口径``, ``unsupported measure``).
    error:
        Builds the exception from the two messages (default :class:`JiqunError`, HTTP 400);
        e.g. ``lambda zh, en: AccessDenied(zh, en, status=400)``.

    Returns
    -------
    None

    Raises
    ------
    JiqunError
        (or what ``error`` builds) ``"{zh} 'x'，可选：a, b"`` / ``"{en} 'x'; choose one of a, b"``.

    References
    ----------
    :class:`jiqun.standard.problems.JiqunError` (messages in Chinese and English).

    Example
    -------
    >>> require_choice("output", ("output", "employment"), "未知口径", "unknown measure")
    >>> require_choice("x", ("a", "b"), "未知口径", "unknown measure")
    Traceback (most recent call last):
    ...
    jiqun.errors.JiqunError: 未知口径 'x'，可选：a, b / unknown measure 'x'; choose one of a, b
    """
    pool = list(choices)
    if value in pool:
        return
    listed = ", ".join(map(str, pool))
    raise error(f"{zh} {value!r}，可选：{listed}", f"{en} {value!r}; choose one of {listed}")
