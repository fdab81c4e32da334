"""One population for a chain's segments: a segment with local firms is never called missing.

The failure this guards: a segment whose only local firms were mapped from their industry code
alone (confidence 0.4) counted as present in the segment table and completeness (any
confidence) but as missing in the weak-link list and the local supporting rate (qualified firms,
confidence ≥ 0.6). Every part of :func:`jiqun.chains.analyse_chain` now judges presence on the
same qualified firms.
"""

from __future__ import annotations

import pandas as pd

from jiqun.chains import get_template
from jiqun.chains.analysis import analyse_chain


def _low_confidence_segment() -> tuple[pd.DataFrame, pd.DataFrame]:
    firms = pd.DataFrame(
        {
            "uscc": ["c", "lowA", "lowB", "x", "y"],
            "region_code": ["1", "1", "1", "2", "3"],
            "output": [100.0, 40.0, 60.0, 10.0, 20.0],
        }
    )
    mapping = pd.DataFrame(
        {
            "uscc": ["c", "lowA", "lowB", "x", "y"],
            "segment": ["cells_modules", "polysilicon", "polysilicon", "polysilicon", "wafers"],
            "confidence": [0.9, 0.4, 0.4, 0.9, 0.9],
        }
    )
    return firms, mapping


def test_segment_with_local_firms_is_never_missing() -> None:
    firms, mapping = _low_confidence_segment()
    a = analyse_chain(mapping, firms, get_template("photovoltaics"), "1")
    seg = a.segments.set_index("segment")
    present = a.completeness.table.set_index("segment")["present"]
    missing = set(a.weak.table.loc[a.weak.table["reason"] == "missing", "segment"])
    for s, n in seg["firms"].items():
        assert (n > 0) == bool(present[s]), s
        if n > 0:
            assert s not in missing, s
    # the low-confidence firms are counted nowhere as present, but shown as such
    assert seg.loc["polysilicon", "firms"] == 0
    assert seg.loc["polysilicon", "output"] == 0
    assert seg.loc["polysilicon", "firms_low_confidence"] == 2
    assert "polysilicon" in missing
    reason = a.weak.table.set_index("segment").loc["polysilicon", "reason_zh"]
    assert "2 家仅按行业代码低置信度映射" in reason
    lsr_present = a.lsr.segments.set_index("segment")["present"]
    assert (lsr_present == present.reindex(lsr_present.index)).all()
    assert a.completeness.completeness == present.mean()
