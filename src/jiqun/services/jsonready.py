"""Values and tables as JSON holds them: the one conversion behind every JSON file and answer
the services and the API write from pandas and NumPy results.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["json_records", "json_value"]


def json_value(v: Any) -> Any:
    """A value as JSON holds it.

    Missing values (``None``, ``pd.NA``, ``pd.NaT``) and non-finite floats become ``None``,
    NumPy scalars their Python values, dates and times ISO text; lists, tuples, sets, NumPy
    arrays and pandas series become lists and dicts dicts with text keys (JSON's), converted
    item by item.
    Anything else is returned as it is (so this also serves as ``json.dumps``'s ``default``).

    Parameters
    ----------
    v:
        A cell of a table, or a value of a basis or summary.

    Returns
    -------
    Any
        ``None``, a Python scalar, an ISO date or time, a list, a dict, or ``v`` itself.

    References
    ----------
    RFC 8259 (JSON has no NaN, no infinity and no date type).

    Example
    -------
    >>> json_value(np.float64("nan")), json_value(np.int64(3)), json_value(pd.Timestamp("2024-05-01"))
    (None, 3, '2024-05-01T00:00:00')
    """
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic | np.ndarray | pd.Series | pd.Index):
        return json_value(v.tolist())
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple | set):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def json_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts (:func:`json_value` of every cell).

    Every float stays exact (``DataFrame.to_json`` rounds to 10 significant digits, so a file
    would differ from the API's answer).

    Parameters
    ----------
    df:
        The table.

    Returns
    -------
    list[dict[str, Any]]
        One dict per row, column name (as text, as JSON's keys are) → value.

    References
    ----------
    :func:`json_value`.

    Example
    -------
    >>> json_records(pd.DataFrame({"a": [1.5, None]}))
    [{'a': 1.5}, {'a': None}]
    """
    return [json_value(r) for r in df.to_dict(orient="records")]
