"""Segment location quotients follow the one convention for undefined LQs (NaN; see the
``jiqun.analytics.rca`` module docstring). Toy chain: tests/chains/conftest.py."""

from __future__ import annotations

import math
import warnings

from jiqun.analytics.rca import JiqunWarning
from jiqun.chains import segment_table


def test_segment_lq_undefined_is_nan(toy_mapping, toy_firms, toy) -> None:  # type: ignore[no-untyped-def]
    # no output anywhere in the "raw" segment (x/0 for the region: the segment's national
    # total is 0) and a region without firms (0/0)
    firms = toy_firms.copy()
    firms.loc[firms["uscc"].isin(["r2", "r3"]), "output"] = 0.0
    st = segment_table(toy_mapping, firms, toy, {"R1"}).set_index("segment")
    assert math.isnan(st.loc["raw", "lq"]) and not math.isnan(st.loc["final", "lq"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        empty = segment_table(toy_mapping, firms, toy, {"R9"}).set_index("segment")
    assert empty["lq"].isna().all()
