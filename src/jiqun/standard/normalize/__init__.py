"""Explicit, reported normalisation of spreadsheet cells.

Government spreadsheets arrive with full-width digits, stray no-break spaces, codes that Excel turned
into numbers, dates in half a dozen notations and amounts with units in the cell. Each normaliser
here takes one raw cell (``str``, ``int``, ``float``, ``datetime``/``date``, ``None``/NaN, or the
numpy/pandas equivalents) and returns a :class:`NormResult`:

* ``value`` — the normalised value, ``None`` for an empty cell or an error;
* ``changes`` — one :class:`Change` per *kind* of rewrite applied (never silent);
* ``error`` — set when the cell is invalid or **ambiguous**. Nothing is guessed: a two-digit year, a
  European ``1.234,5`` or a 3-digit number in an industry-code column of unknown level is an error,
  not a best effort.

Normalisers never validate codes beyond their shape (see :mod:`jiqun.standard.codes` and the
reference data for that) and never apply range checks to numbers (the caller's schema does).

For bulk import, :func:`fast_clean_series` and the ``fast_*`` functions process a whole column: cells
already in canonical form are recognised with vectorised regular expressions (Arrow) or numeric
tests, and only the remaining cells go through the scalar normaliser — once per distinct value. The
result is identical to calling the scalar normaliser on every cell.

The package is split along its seams: :mod:`~jiqun.standard.normalize.result` (the result types),
:mod:`~jiqun.standard.normalize.text` (free text), :mod:`~jiqun.standard.normalize.codes` (USCC,
region and industry codes), :mod:`~jiqun.standard.normalize.dates`,
:mod:`~jiqun.standard.normalize.numbers` (units, amounts, floats, integers) and
:mod:`~jiqun.standard.normalize.columns` (the column-level fast paths). Import the public API from
here.
"""

from __future__ import annotations

from jiqun.standard.normalize.codes import (
    IndustryCode,
    norm_industry_code,
    norm_region_code,
    norm_uscc,
)
from jiqun.standard.normalize.columns import (
    SeriesResult,
    fast_clean_series,
    fast_clean_text,
    fast_norm_amount,
    fast_norm_date,
    fast_norm_float,
    fast_norm_industry_code,
    fast_norm_int,
    fast_norm_region_code,
    fast_norm_uscc,
)
from jiqun.standard.normalize.dates import norm_date
from jiqun.standard.normalize.numbers import (
    canonical_unit,
    norm_amount,
    norm_float,
    norm_int,
    parse_unit_from_header,
)
from jiqun.standard.normalize.result import Change, NormResult
from jiqun.standard.normalize.text import clean_text

__all__ = [
    "Change",
    "IndustryCode",
    "NormResult",
    "SeriesResult",
    "canonical_unit",
    "clean_text",
    "fast_clean_series",
    "fast_clean_text",
    "fast_norm_amount",
    "fast_norm_date",
    "fast_norm_float",
    "fast_norm_industry_code",
    "fast_norm_int",
    "fast_norm_region_code",
    "fast_norm_uscc",
    "norm_amount",
    "norm_date",
    "norm_float",
    "norm_industry_code",
    "norm_int",
    "norm_region_code",
    "norm_uscc",
    "parse_unit_from_header",
]
