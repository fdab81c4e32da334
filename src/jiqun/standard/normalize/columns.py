"""Column-level drivers: normalise a whole :class:`pandas.Series` at once.

Cells already in canonical form are recognised with vectorised regular expressions (Arrow) or
numeric tests, and only the remaining cells go through the scalar normaliser of
:mod:`jiqun.standard.normalize` — once per distinct value. The result is identical to calling the
scalar normaliser on every cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jiqun.standard.normalize.codes import (
    norm_industry_code,
    norm_region_code,
    norm_uscc,
)
from jiqun.standard.normalize.dates import norm_date
from jiqun.standard.normalize.numbers import (
    FLOAT_EXACT_LIMIT,
    canonical_unit,
    check_units,
    norm_amount,
    norm_float,
    norm_int,
    unit_ratio,
)
from jiqun.standard.normalize.result import NormResult
from jiqun.standard.normalize.text import CANONICAL_TEXT_RE, FW_ALNUM_RE, clean_text
from jiqun.standard.problems import Problem


@dataclass(eq=False)
class SeriesResult:
    """A normalised column.

    Attributes
    ----------
    raw:
        The input column.
    values:
        Normalised values, same index; missing for empty cells and errors. dtype: ``str`` for text
        and codes, ``float64`` for amounts, ``Int64`` for integers, Arrow ``date32`` for dates
        (elements are :class:`datetime.date`).
    changed:
        Boolean array: the cell was rewritten (it has at least one reported change).
    error:
        Boolean array: the cell was refused.
    aux:
        Extra output columns, e.g. ``{"section": ...}`` for industry codes.
    """

    raw: pd.Series
    values: pd.Series
    changed: np.ndarray
    error: np.ndarray
    aux: dict[str, pd.Series]
    _normaliser: Callable[[object], NormResult[Any]] = field(repr=False)
    _slow_index: np.ndarray = field(repr=False)
    _slow_results: list[NormResult[Any]] = field(repr=False)

    def result_at(self, position: int) -> NormResult[Any]:
        """The full :class:`NormResult` of the cell at ``position`` (0-based, not the index label).

        Parameters
        ----------
        position:
            Position in the column.

        Returns
        -------
        NormResult
            Exactly what the scalar normaliser returns for that cell.

        Example
        -------
        >>> fast_clean_series(pd.Series(["a", "ａ"]), "text").result_at(1).rules
        ['text.fullwidth']
        """
        k = int(self._slow_index[position])
        if k >= 0:
            return self._slow_results[k]
        return self._normaliser(self.raw.iloc[position])

    def iter_problems(
        self,
        column: str | None,
        row_numbers: Sequence[int] | np.ndarray | None = None,
        first_row: int = 2,
    ) -> Iterator[Problem]:
        """Problems of every changed or refused cell, in column order.

        Parameters
        ----------
        column:
            Column header for the problems.
        row_numbers:
            Spreadsheet row number of each cell; by default ``position + first_row``.
        first_row:
            Row number of the first cell when ``row_numbers`` is not given (2 = below one header
            row).

        Returns
        -------
        Iterator[Problem]

        Example
        -------
        >>> r = fast_clean_series(pd.Series(["320214", "32O214"]), "region")
        >>> [(p.row, p.rule) for p in r.iter_problems("区划代码")]
        [(3, 'region.format')]
        """
        for pos in np.flatnonzero(self.changed | self.error).tolist():
            row = int(row_numbers[pos]) if row_numbers is not None else pos + first_row
            yield from self.result_at(pos).to_problems(row, column, self.raw.iloc[pos])


@dataclass(slots=True)
class _Fast:
    """Vectorised part of a column: which cells it handled and their values."""

    mask: np.ndarray
    values: np.ndarray | None = None  # sink-typed, full length, meaningful under mask
    changed: np.ndarray | None = None
    aux: dict[str, np.ndarray] = field(default_factory=dict)


def _str_view(s: pd.Series, null: np.ndarray) -> tuple[pd.Series | None, np.ndarray]:
    """The column as ``str`` dtype (non-string cells missing) and the mask of ``str`` cells."""
    n = len(s)
    if isinstance(s.dtype, pd.StringDtype):
        return s, ~null
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_string(s.dtype.pyarrow_dtype):
        return s.astype("str"), ~null
    if s.dtype != object:
        return None, np.zeros(n, dtype=bool)
    values = s.to_numpy(dtype=object)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return s.astype("str"), ~null
    if kind == "empty":
        return None, np.zeros(n, dtype=bool)
    is_str = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=n)
    if not is_str.any():
        return None, is_str
    return pd.Series(np.where(is_str, values, None), index=s.index, dtype="str"), is_str


def _arrow(view: pd.Series) -> pa.Array:
    arr = pa.array(view.array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _fullmatch(view: pd.Series, is_str: np.ndarray, pattern: str) -> np.ndarray:
    # RE2 directly, so the semantics never depend on which engine pandas picks ($ in Python's re
    # also matches before a final newline)
    hit = pc.match_substring_regex(_arrow(view), f"^(?:{pattern})$")
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool) & is_str


def _regex_fast(pattern: str) -> Callable[[pd.Series, np.ndarray], _Fast]:
    """Fast path for str kinds whose canonical cells are returned unchanged."""

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        view, is_str = _str_view(s, null)
        if view is None:
            return _Fast(np.zeros(len(s), dtype=bool))
        return _Fast(_fullmatch(view, is_str, pattern))

    return fast


def _text_fast(s: pd.Series, null: np.ndarray) -> _Fast:
    view, is_str = _str_view(s, null)
    if view is None:
        return _Fast(np.zeros(len(s), dtype=bool))
    # literal characters in the class: RE2 (Arrow) reads the pattern as Python's re does
    mask = _fullmatch(view, is_str, CANONICAL_TEXT_RE.pattern)
    if mask.any():
        arr = _arrow(view)
        has_fw = pc.match_substring_regex(arr, FW_ALNUM_RE.pattern)
        mask &= ~pc.fill_null(has_fw, True).to_numpy(zero_copy_only=False).astype(bool)
    return _Fast(mask)


def _numeric_kind(s: pd.Series) -> str | None:
    """'int' / 'float' for numeric columns (not bool), else None."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return None
    if pd.api.types.is_signed_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    return None


def _float_values(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _decimal_fast(
    ratio: int = 1, multiply: bool = True
) -> Callable[[pd.Series, np.ndarray], _Fast]:
    """Numbers and plain/comma-grouped decimal text, times an exact unit ratio."""
    converts = ratio != 1

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        n = len(s)
        if _numeric_kind(s) is not None:
            x = _float_values(s)
            mask = np.isfinite(x) & ~null
            changed = np.full(n, converts)
        else:
            view, is_str = _str_view(s, null)
            if view is None:
                return _Fast(np.zeros(n, dtype=bool))
            plain = _fullmatch(view, is_str, r"-?[0-9]+(?:\.[0-9]+)?")
            commas = _fullmatch(view, is_str, r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
            mask = plain | commas
            x = np.full(n, np.nan)
            # Arrow's string→double is correctly rounded, like Python's float()
            if plain.any():
                x[plain] = pc.cast(_arrow(view[plain]), pa.float64()).to_numpy(zero_copy_only=False)
            if commas.any():
                bare = pc.replace_substring(_arrow(view[commas]), ",", "")
                x[commas] = pc.cast(bare, pa.float64()).to_numpy(zero_copy_only=False)
            changed = commas | converts
        if converts:
            with np.errstate(over="ignore"):
                x = x * ratio if multiply else x / ratio
        # overflow to inf (a conversion, or a 400-digit string): the scalar path reports that cell
        return _Fast(mask & np.isfinite(x), x, changed)

    return fast


def _amount_fast(header: str | None, target: str) -> Callable[[pd.Series, np.ndarray], _Fast]:
    return _decimal_fast(*unit_ratio(header or target, target))


def _int_fast(s: pd.Series, null: np.ndarray) -> _Fast:
    n = len(s)
    kind = _numeric_kind(s)
    if kind == "int":
        return _Fast(~null, s.to_numpy(dtype=np.int64, na_value=0))
    if kind == "float":
        x = _float_values(s)
        with np.errstate(invalid="ignore"):
            mask = np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) <= FLOAT_EXACT_LIMIT)
        return _Fast(mask, np.where(mask, x, 0).astype(np.int64))
    view, is_str = _str_view(s, null)
    if view is None:
        return _Fast(np.zeros(n, dtype=bool))
    plain = _fullmatch(view, is_str, r"-?[0-9]{1,18}")
    commas = _fullmatch(view, is_str, r"-?[0-9]{1,3}(?:,[0-9]{3}){1,5}")
    out = np.zeros(n, dtype=np.int64)
    if plain.any():
        out[plain] = pc.cast(_arrow(view[plain]), pa.int64()).to_numpy(zero_copy_only=False)
    if commas.any():
        bare = pc.replace_substring(_arrow(view[commas]), ",", "")
        out[commas] = pc.cast(bare, pa.int64()).to_numpy(zero_copy_only=False)
    return _Fast(plain | commas, out, commas)


def _uscc_fast(s: pd.Series, null: np.ndarray) -> _Fast:
    view, is_str = _str_view(s, null)
    n = len(s)
    if view is None:
        return _Fast(np.zeros(n, dtype=bool))
    mask = _fullmatch(view, is_str, "[0-9A-Za-z]+")
    if not mask.any():
        return _Fast(mask)
    # lower-case letters are the one common rewrite worth vectorising (ASCII only here)
    lower = mask & ~_fullmatch(view, is_str, "[0-9A-Z]+")
    values = view.to_numpy(dtype=object, na_value=None)
    if lower.any():
        values[lower] = pc.ascii_upper(_arrow(view[lower])).to_numpy(zero_copy_only=False)
    return _Fast(mask, values, lower)


_EPOCH: Final = date(1970, 1, 1)
_FIRST_DAY: Final = np.datetime64("0001-01-01", "D")


def _date_fast(today: date) -> Callable[[pd.Series, np.ndarray], _Fast]:
    today_day = np.datetime64(today, "D")

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        n = len(s)
        if pd.api.types.is_datetime64_dtype(s.dtype):  # naive only; tz-aware goes the slow way
            ts = s.to_numpy()  # keep the column's own unit: ns would overflow after 2262
            day = ts.astype("datetime64[D]")
            with np.errstate(invalid="ignore"):
                mask = ~null & (day == ts) & (day >= _FIRST_DAY) & (day <= today_day)
            return _Fast(mask, day.astype(np.int64))
        view, is_str = _str_view(s, null)
        if view is None:
            return _Fast(np.zeros(n, dtype=bool))
        mask = _fullmatch(view, is_str, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        days = np.zeros(n, dtype=np.int64)
        if mask.any():
            parsed = pd.to_datetime(view[mask], format="%Y-%m-%d", errors="coerce")
            d = parsed.to_numpy(dtype="datetime64[D]")
            # numpy knows year 0 and negative years, datetime.date does not
            ok = ~np.isnat(d) & (d >= _FIRST_DAY) & (d <= today_day)
            sub = np.flatnonzero(mask)
            mask[sub[~ok]] = False
            days[sub[ok]] = d[ok].astype(np.int64)
        return _Fast(mask, days)

    return fast


def _industry_fast(expected_level: int | None) -> Callable[[pd.Series, np.ndarray], _Fast]:
    digits = "[0-9]{2,4}" if expected_level is None else f"[0-9]{{{expected_level}}}"
    letters = "[A-T]"
    pattern = (
        letters
        if expected_level == 1
        else digits
        if expected_level is not None
        else f"{digits}|{letters}"
    )

    def fast(s: pd.Series, null: np.ndarray) -> _Fast:
        view, is_str = _str_view(s, null)
        if view is None:
            return _Fast(np.zeros(len(s), dtype=bool))
        mask = _fullmatch(view, is_str, pattern)
        # a one-letter canonical cell is a section: its section is itself
        is_letter = mask & (view.str.len().fillna(0).to_numpy(dtype=np.int64) == 1)
        section = np.full(len(s), None, dtype=object)
        section[is_letter] = view.to_numpy(dtype=object, na_value=None)[is_letter]
        return _Fast(mask, aux={"section": section})

    return fast


def _factorize_by_type(values: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Group cells by Python type, then by value: (cell positions, codes, uniques) per type.

    Types are separated first because 1 == 1.0 == True would otherwise share a result.
    """
    # -0.0 == 0.0 too, yet a message quotes the cell as written: keep the signed zero apart.
    types = np.array(
        [
            type(v).__name__
            + ("-0" if isinstance(v, float) and v == 0.0 and math.copysign(1.0, v) < 0 else "")
            for v in values
        ],
        dtype=object,
    )
    groups = []
    for t in pd.unique(types):
        pos = np.flatnonzero(types == t)
        try:
            codes, uniques = pd.factorize(values[pos], use_na_sentinel=False)
        except TypeError:  # unhashable cells: one group each
            codes, uniques = np.arange(len(pos)), values[pos]
        groups.append((pos, np.asarray(codes), np.asarray(uniques, dtype=object)))
    return groups


def _normalise_series(
    s: pd.Series,
    normaliser: Callable[[object], NormResult[Any]],
    fast_fn: Callable[[pd.Series, np.ndarray], _Fast],
    sink: str,
) -> SeriesResult:
    n = len(s)
    null = np.asarray(s.isna(), dtype=bool)
    fast = fast_fn(s, null)
    fast.mask &= ~null
    slow_pos = np.flatnonzero(~null & ~fast.mask)
    slow_index = np.full(n, -1, dtype=np.int64)
    results: list[NormResult[Any]] = []
    if len(slow_pos):
        slow_values = s.iloc[slow_pos].to_numpy(dtype=object)
        for pos, codes, uniques in _factorize_by_type(slow_values):
            slow_index[slow_pos[pos]] = codes + len(results)
            results.extend(normaliser(u) for u in uniques)

    changed = np.zeros(n, dtype=bool)
    error = np.zeros(n, dtype=bool)
    if fast.changed is not None:
        changed[fast.mask] = fast.changed[fast.mask]
    slow_cells = slow_index >= 0
    if results:
        idx = slow_index[slow_cells]
        changed[slow_cells] = np.array([r.changed for r in results], dtype=bool)[idx]
        error[slow_cells] = np.array([not r.ok for r in results], dtype=bool)[idx]

    values, aux = _assemble(s, sink, fast, slow_cells, slow_index, results)
    return SeriesResult(s, values, changed, error, aux, normaliser, slow_index, results)


def _assemble(
    s: pd.Series,
    sink: str,
    fast: _Fast,
    slow_cells: np.ndarray,
    slow_index: np.ndarray,
    results: list[NormResult[Any]],
) -> tuple[pd.Series, dict[str, pd.Series]]:
    n = len(s)
    idx = slow_index[slow_cells]
    aux: dict[str, pd.Series] = {}
    if sink in ("str", "industry"):
        if not slow_cells.any() and fast.values is None and isinstance(s.dtype, pd.StringDtype):
            values = s.where(fast.mask).astype("str")  # canonical cells are returned unchanged
        else:
            out = np.full(n, None, dtype=object)
            if fast.mask.any():
                src = fast.values if fast.values is not None else s.to_numpy(dtype=object)
                out[fast.mask] = src[fast.mask]
            if results:
                vals = [r.value for r in results]
                if sink == "industry":
                    vals = [v.code if v is not None else None for v in vals]
                out[slow_cells] = np.array(vals, dtype=object)[idx]
            values = pd.Series(out, index=s.index, dtype="str")
        if sink == "industry":
            sec = np.full(n, None, dtype=object)
            if "section" in fast.aux:
                sec[fast.mask] = fast.aux["section"][fast.mask]
            if results:
                secs = [r.value.section if r.value is not None else None for r in results]
                sec[slow_cells] = np.array(secs, dtype=object)[idx]
            aux["section"] = pd.Series(sec, index=s.index, dtype="str")
        return values, aux
    if sink == "float":
        out_f = np.full(n, np.nan)
        if fast.values is not None:
            out_f[fast.mask] = fast.values[fast.mask]
        if results:
            uf = np.array([np.nan if r.value is None else r.value for r in results], dtype=float)
            out_f[slow_cells] = uf[idx]
        return pd.Series(out_f, index=s.index, dtype="float64"), aux
    if sink in ("int", "date"):
        data = np.zeros(n, dtype=np.int64)
        missing = np.ones(n, dtype=bool)
        if fast.values is not None:
            data[fast.mask] = fast.values[fast.mask]
            missing[fast.mask] = False
        if results:
            conv = (lambda d: (d - _EPOCH).days) if sink == "date" else (lambda i: i)
            ui = np.array(
                [0 if r.value is None else conv(r.value) for r in results], dtype=np.int64
            )
            um = np.array([r.value is None for r in results], dtype=bool)
            data[slow_cells] = ui[idx]
            missing[slow_cells] = um[idx]
        if sink == "int":
            return pd.Series(pd.arrays.IntegerArray(data, missing), index=s.index), aux
        arr = pa.array(data.astype(np.int32), mask=missing).cast(pa.date32())
        return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=s.index), aux
    raise AssertionError(sink)  # pragma: no cover


def fast_clean_text(s: pd.Series) -> SeriesResult:
    """:func:`clean_text` over a column; canonical cells are recognised without Python loops.

    Parameters
    ----------
    s:
        The raw column (any dtype).

    Returns
    -------
    SeriesResult
        ``values`` has ``str`` dtype.

    Example
    -------
    >>> fast_clean_text(pd.Series(["甲公司", "乙\\u3000公司"])).values.tolist()
    ['甲公司', '乙 公司']
    """
    return _normalise_series(s, clean_text, _text_fast, "str")


def fast_norm_uscc(s: pd.Series) -> SeriesResult:
    """:func:`norm_uscc` over a column (canonical: upper-case ASCII letters and digits only).

    Parameters
    ----------
    s:
        The raw column.

    Returns
    -------
    SeriesResult
        ``values`` has ``str`` dtype; validate them with
        :func:`jiqun.standard.codes.uscc_format_ok` and :func:`~jiqun.standard.codes.uscc_checksum_ok`.

    Example
    -------
    >>> r = fast_norm_uscc(pd.Series(["91370000728611939A", "91370000728611939a"]))
    >>> r.values.tolist(), r.changed.tolist()
    (['91370000728611939A', '91370000728611939A'], [False, True])
    """
    return _normalise_series(s, norm_uscc, _uscc_fast, "str")


def fast_norm_region_code(s: pd.Series) -> SeriesResult:
    """:func:`norm_region_code` over a column (canonical: six ASCII digits as text).

    Parameters
    ----------
    s:
        The raw column.

    Returns
    -------
    SeriesResult
        ``values`` has ``str`` dtype.

    Example
    -------
    >>> fast_norm_region_code(pd.Series([320214.0, None])).values.tolist()
    ['320214', nan]
    """
    return _normalise_series(s, norm_region_code, _regex_fast("[0-9]{6}"), "str")


def fast_norm_industry_code(s: pd.Series, expected_level: int | None = None) -> SeriesResult:
    """:func:`norm_industry_code` over a column.

    Parameters
    ----------
    s:
        The raw column.
    expected_level:
        As in :func:`norm_industry_code`.

    Returns
    -------
    SeriesResult
        ``values`` holds the codes (``str``); ``aux["section"]`` the section letters written in the
        cells.

    Example
    -------
    >>> r = fast_norm_industry_code(pd.Series(["3973", "C3973", 211]), expected_level=4)
    >>> r.values.tolist(), r.aux["section"].tolist()
    (['3973', '3973', '0211'], [nan, 'C', nan])
    """
    if expected_level not in (None, 1, 2, 3, 4):
        raise ValueError(f"expected_level must be None or 1–4, got {expected_level!r}")

    normaliser = partial(norm_industry_code, expected_level=expected_level)
    return _normalise_series(s, normaliser, _industry_fast(expected_level), "industry")


def fast_norm_amount(
    s: pd.Series, unit_from_header: str | None = None, target_unit: str = "万元"
) -> SeriesResult:
    """:func:`norm_amount` over a column (canonical: numbers, or plain decimal text).

    Parameters
    ----------
    s:
        The raw column.
    unit_from_header, target_unit:
        As in :func:`norm_amount`.

    Returns
    -------
    SeriesResult
        ``values`` has ``float64`` dtype.

    Example
    -------
    >>> fast_norm_amount(pd.Series(["12.5", "3亿元", "—"])).values.tolist()
    [12.5, 30000.0, nan]
    """
    header, target = check_units(unit_from_header, target_unit)

    normaliser = partial(norm_amount, unit_from_header=header, target_unit=target)
    return _normalise_series(s, normaliser, _amount_fast(header, target), "float")


def fast_norm_float(s: pd.Series, unit: str | None = None) -> SeriesResult:
    """:func:`norm_float` over a column (canonical: numbers, or plain decimal text).

    Parameters
    ----------
    s:
        The raw column.
    unit:
        As in :func:`norm_float`.

    Returns
    -------
    SeriesResult
        ``values`` has ``float64`` dtype.

    Example
    -------
    >>> fast_norm_float(pd.Series(["1.5", "2,000", "—"])).values.tolist()
    [1.5, 2000.0, nan]
    """
    if unit is not None and canonical_unit(unit) is None:
        raise ValueError(f"unknown unit {unit!r}")

    return _normalise_series(s, partial(norm_float, unit=unit), _decimal_fast(), "float")


def fast_norm_int(s: pd.Series, unit: str | None = None) -> SeriesResult:
    """:func:`norm_int` over a column (canonical: integer or integral float dtype, digit text).

    Parameters
    ----------
    s:
        The raw column.
    unit:
        As in :func:`norm_int`.

    Returns
    -------
    SeriesResult
        ``values`` has nullable ``Int64`` dtype.

    Example
    -------
    >>> fast_norm_int(pd.Series(["1,200", "35", None])).values.tolist()
    [1200, 35, <NA>]
    """
    if unit is not None and canonical_unit(unit) is None:
        raise ValueError(f"unknown unit {unit!r}")

    return _normalise_series(s, partial(norm_int, unit=unit), _int_fast, "int")


def fast_norm_date(s: pd.Series, today: date | None = None) -> SeriesResult:
    """:func:`norm_date` over a column; ISO ``YYYY-MM-DD`` text and naive ``datetime64`` columns are
    parsed by pandas in one pass, other notations once per distinct value.

    Parameters
    ----------
    s:
        The raw column.
    today:
        As in :func:`norm_date` (fixed once for the whole column).

    Returns
    -------
    SeriesResult
        ``values`` has Arrow ``date32`` dtype (elements are :class:`datetime.date`).

    Example
    -------
    >>> fast_norm_date(pd.Series(["2015-06-08", "2015年6月"])).values.tolist()
    [datetime.date(2015, 6, 8), datetime.date(2015, 6, 1)]
    """
    today = today or date.today()

    return _normalise_series(s, partial(norm_date, today=today), _date_fast(today), "date")


_FAST: Final[dict[str, Callable[..., SeriesResult]]] = {
    "text": fast_clean_text,
    "uscc": fast_norm_uscc,
    "region": fast_norm_region_code,
    "industry": fast_norm_industry_code,
    "amount": fast_norm_amount,
    "float": fast_norm_float,
    "int": fast_norm_int,
    "date": fast_norm_date,
}


def fast_clean_series(s: pd.Series, kind: str = "text", **options: Any) -> SeriesResult:
    """Normalise a whole column with the fast path for its kind.

    Parameters
    ----------
    s:
        The raw column.
    kind:
        ``text``, ``uscc``, ``region``, ``industry``, ``amount``, ``float``, ``int`` or ``date``.
    **options:
        Passed on: ``expected_level`` (industry), ``unit_from_header``/``target_unit`` (amount),
        ``unit`` (float, int), ``today`` (date).

    Returns
    -------
    SeriesResult
        ``values``, ``changed`` and ``error`` are the same as applying the scalar normaliser to
        every cell.

    Raises
    ------
    ValueError
        For an unknown ``kind``.

    Example
    -------
    >>> r = fast_clean_series(pd.Series(["320214", "３２０２１４", "3202"]), "region")
    >>> r.values.tolist(), r.changed.tolist(), r.error.tolist()
    (['320214', '320214', nan], [False, True, False], [False, False, True])
    """
    try:
        fn = _FAST[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(_FAST)}") from None
    return fn(s, **options)
