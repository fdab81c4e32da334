"""Uploading an .xlsx with a DTD is refused at the upload with a bilingual 400 (it was a 500)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "standard"))
from test_xlsx_dtd import BILLION_LAUGHS, crafted_xlsx


def test_upload_with_a_dtd_is_refused(world: Any, error_body: Any) -> None:
    data = crafted_xlsx("xl/worksheets/sheet1.xml", BILLION_LAUGHS, b"&c;")
    r = world.client().post(
        "/api/v1/imports",
        files={"file": ("firms.xlsx", data, "application/octet-stream")},
        data={"kind": "enterprises"},
        headers=world.auth("admin"),
    )
    err = error_body(r, 400, "invalid")
    assert "xl/worksheets/sheet1.xml" in err["message_en"] and "DTD" in err["message_en"]
    assert "DTD" in err["message_zh"]
