"""What a cell normaliser returns, and the helpers every normaliser module shares.

:class:`Change` is one reported rewrite (or the reason a cell was refused) and :class:`NormResult`
the outcome of normalising one cell; the package docstring of :mod:`jiqun.standard.normalize`
describes the contract.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

import numpy as np
import pandas as pd

from jiqun.standard.problems import Problem
from jiqun.standard.text import escape_controls

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One reported rewrite (or, as :attr:`NormResult.error`, the reason a cell was refused).

    Parameters
    ----------
    rule:
        Stable rule identifier, e.g. ``text.fullwidth`` or ``date.ambiguous``.
    message_zh, message_en:
        What was done (or what is wrong), in Chinese and in English.
    """

    rule: str
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class NormResult(Generic[T]):
    """Outcome of normalising one cell.

    Parameters
    ----------
    value:
        The normalised value; ``None`` for an empty cell and whenever ``error`` is set.
    changes:
        Every kind of rewrite applied, in the order applied.
    error:
        Why the cell cannot be used, or ``None``.
    """

    value: T | None
    changes: tuple[Change, ...] = ()
    error: Change | None = None

    @property
    def ok(self) -> bool:
        """``True`` when there is no error (an empty cell is ok)."""
        return self.error is None

    @property
    def changed(self) -> bool:
        """``True`` when at least one rewrite was reported."""
        return bool(self.changes)

    @property
    def rules(self) -> list[str]:
        """Rule identifiers of the changes, then of the error (handy in tests and logs)."""
        return [c.rule for c in self.changes] + ([self.error.rule] if self.error else [])

    def to_problems(self, row: int | None, column: str | None, raw: object) -> list[Problem]:
        """Turn the result into :class:`~jiqun.standard.problems.Problem` records.

        A cell with an error yields only the error (the row is refused, so the rewrites that led
        there are noise); otherwise one ``normalised`` problem per change.

        Parameters
        ----------
        row, column:
            As in :class:`~jiqun.standard.problems.Problem`.
        raw:
            The raw cell value, shown to the user.

        Returns
        -------
        list[Problem]

        Example
        -------
        >>> from jiqun.standard.normalize import clean_text
        >>> [p.severity for p in clean_text("ＡＢＣ").to_problems(2, "名称", "ＡＢＣ")]
        ['normalised']
        """
        text = _cell_text(raw)
        if self.error is not None:
            e = self.error
            return [Problem(row, column, text, e.rule, "error", e.message_zh, e.message_en)]
        return [
            Problem(row, column, text, c.rule, "normalised", c.message_zh, c.message_en)
            for c in self.changes
        ]


EMPTY: Final[NormResult[Any]] = NormResult(None)


def fail(rule: str, zh: str, en: str, changes: Sequence[Change] = ()) -> NormResult[Any]:
    return NormResult(None, tuple(changes), Change(rule, zh, en))


def _cell_text(v: object) -> str:
    return "" if is_missing(py(v)) else escape_controls(str(v))


def py(v: object) -> object:
    """numpy/pandas scalars → plain Python objects, so one code path handles every reader."""
    if isinstance(v, np.datetime64):
        return pd.NaT if np.isnat(v) else pd.Timestamp(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    return isinstance(v, Decimal) and v.is_nan()


def type_name(v: object) -> str:
    return type(v).__name__


def num_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)
