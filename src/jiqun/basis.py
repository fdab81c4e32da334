"""What every result with a basis shares: the synthetic flag and its tables by name.

A service or analytics result states the basis of its figures (year, measure, unit, scope,
``synthetic`` …) in a ``basis`` dict beside them (see ``docs/architecture.md``, "Every number says
its basis"). :class:`WithBasis` gives such a result its :attr:`~WithBasis.synthetic` flag and a
:meth:`~WithBasis.tables` dict for export, so that each result only names its tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # annotations only: importing this module must not import pandas
    import pandas as pd

__all__ = ["WithBasis"]


class WithBasis:
    """Mixin for a (data)class with a ``basis`` dict; not a dataclass, so it adds no fields.

    Example
    -------
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Result(WithBasis):
    ...     TABLES = ("rows",)
    ...     rows: list[int]
    ...     basis: dict
    >>> r = Result([1], {"synthetic": True})
    >>> r.synthetic, r.tables()
    (True, {'rows': [1]})
    """

    basis: dict[str, Any]
    #: the attributes :meth:`tables` returns, in this order
    TABLES: ClassVar[tuple[str, ...]] = ()

    @property
    def synthetic(self) -> bool:
        """True when any row behind the result is synthetic demo data (``basis["synthetic"]``)."""
        return bool(self.basis.get("synthetic"))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name (for export), in the order of :attr:`TABLES`."""
        return {name: getattr(self, name) for name in self.TABLES}
