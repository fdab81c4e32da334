"""An .xlsx whose XML declares a DTD or entities is refused with a clear bilingual error.

Before, a sheet with ``<!DOCTYPE x [<!ENTITY ...>]>`` crashed the reader (an unhandled
``XmlError``: a 500 through the API) or had its entities silently ignored.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jiqun.standard import reader
from jiqun.standard.problems import JiqunError
from jiqun.standard.reader import read_table

BILLION_LAUGHS = (
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNAL = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def crafted_xlsx(member: str, dtd: bytes, use: bytes | None) -> bytes:
    """A valid enterprises workbook whose part ``member`` gets ``dtd`` before its root element
    (and, if ``use`` is given, the company name replaced by that entity reference)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "所在地区代码", "行业代码"])
    ws.append(["91370000728611939A", "甲公司", "320214", "3973"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            data = src.read(name)
            if name == member:
                # after the XML declaration (openpyxl writes none: then at the very start)
                head = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
                data = data[:head] + dtd + data[head:]
                if use is not None and "甲公司".encode() in data:
                    data = data.replace("甲公司".encode(), use)
                elif use is not None:  # the text is not stored in this part (it depends on
                    # openpyxl's writer and on whether lxml is installed): add a cell using it
                    data = data.replace(
                        b"</sheetData>",
                        b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + use + b"</t></is></c>"
                        b"</row></sheetData>",
                    )
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("member", "dtd", "use"),
    [
        ("xl/worksheets/sheet1.xml", BILLION_LAUGHS, b"&c;"),
        ("xl/worksheets/sheet1.xml", EXTERNAL, b"&xxe;"),
        ("xl/workbook.xml", EXTERNAL, None),
        ("[Content_Types].xml", BILLION_LAUGHS, None),
    ],
)
def test_dtd_in_any_part_is_a_clear_error(
    tmp_path: Path, member: str, dtd: bytes, use: bytes | None
) -> None:
    p = tmp_path / "firms.xlsx"
    p.write_bytes(crafted_xlsx(member, dtd, use))
    with pytest.raises(JiqunError) as e:
        read_table(p, "enterprises")
    assert reader.xlsx_dtd_part(p) == member
    assert [x.rule for x in e.value.problems] == ["file.dtd"]
    assert member in e.value.message_en and "DTD" in e.value.message_en
    assert "DTD" in e.value.message_zh and "另存为" in e.value.message_zh


def test_plain_workbook_passes(tmp_path: Path) -> None:
    p = tmp_path / "firms.xlsx"
    p.write_bytes(crafted_xlsx("xl/worksheets/sheet1.xml", b"", None))
    assert reader.xlsx_dtd_part(p) is None
    assert read_table(p, "enterprises").data["name"].tolist() == ["甲公司"]


def test_damaged_sheet_xml_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    p = tmp_path / "firms.xlsx"
    p.write_bytes(crafted_xlsx("xl/worksheets/sheet1.xml", b"", b"&undefined;"))
    with pytest.raises(JiqunError) as e:
        read_table(p, "enterprises")
    assert [x.rule for x in e.value.problems] == ["file.unreadable"]
