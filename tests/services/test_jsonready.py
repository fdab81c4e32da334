"""The one JSON-ready conversion (jiqun.services.jsonready) that the services' JSON files and the
API's JSON answers share."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd

from jiqun.services.jsonready import json_records, json_value


def test_missing_and_non_finite_values_become_null() -> None:
    for v in (None, pd.NA, pd.NaT, float("nan"), math.inf, -math.inf, np.float64("nan")):
        assert json_value(v) is None, v


def test_numpy_scalars_dates_lists_and_dicts_become_json() -> None:
    assert json_value(np.int64(7)) == 7 and type(json_value(np.int64(7))) is int
    assert json_value(np.float32(0.5)) == 0.5 and type(json_value(np.float32(0.5))) is float
    assert json_value(np.bool_(True)) is True
    assert json_value(dt.date(2024, 5, 1)) == "2024-05-01"
    assert json_value(pd.Timestamp("2024-05-01 08:30")) == "2024-05-01T08:30:00"
    assert json_value([np.int64(1), float("nan")]) == [1, None]
    assert json_value({"a": np.float64("inf"), "b": {"c": np.int8(2)}}) == {
        "a": None,
        "b": {"c": 2},
    }
    assert json_value("x") == "x"
    assert json_value((np.int64(1), {2})) == [1, [2]]
    assert json_value(np.array([1.5, np.nan])) == [1.5, None]
    assert json_value(pd.Series([np.int64(4)])) == [4]
    assert json_value({2024: 1.0}) == {"2024": 1.0}


def test_records_keep_every_float_exact_and_dump_as_strict_json() -> None:
    df = pd.DataFrame(
        {
            "value": [0.1 + 0.2, np.nan],
            "n": pd.array([3, None], dtype="Int64"),
            "day": pd.to_datetime(["2024-01-02", None]),
            2024: ["a", "b"],
        }
    )
    rows = json_records(df)
    assert rows[0] == {"value": 0.1 + 0.2, "n": 3, "day": "2024-01-02T00:00:00", "2024": "a"}
    assert rows[1] == {"value": None, "n": None, "day": None, "2024": "b"}
    # strict JSON (no NaN): what Starlette's JSONResponse and the files need
    assert json.loads(json.dumps(rows, allow_nan=False)) == rows
