"""The import page: template downloads, all-or-nothing stays the default after errors, errors in
row order, upload times to the second."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.db

# errors on rows 4 and 2 (row 4's problems come first in column order: the code column)
BAD_CSV = (
    "统一社会信用代码,企业名称,所在地区代码,行业代码,营业收入（万元）\n"
    "91110108551385082Q,北京好企业有限公司,110108,3841,abc\n"
    "91370000728611939A,山东好企业有限公司,370102,3841,100\n"
    "123,第四行企业,110108,3841,100\n"
).encode()


def _login(world: Any) -> tuple[TestClient, str]:
    c = TestClient(world.app, follow_redirects=False)
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post(
        "/login", data={"username": "admin", "password": world.password, "csrf": tok, "next": "/"}
    )
    assert r.status_code == 303
    page = c.get("/imports").text
    return c, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_import_page_links_the_templates(world: Any) -> None:
    c, _tok = _login(world)
    page = c.get("/imports").text
    links = re.findall(r'href="(/api/v1/imports/templates/[a-z_]+)"', page)
    assert "/api/v1/imports/templates/enterprises" in links
    kinds = re.findall(r'<option value="([a-z_]+)">', page.split('id="import-kind"')[1])
    assert {link.rsplit("/", 1)[1] for link in links} == set(kinds)
    for link in links:
        x = c.get(link)
        assert x.status_code == 200 and x.content[:2] == b"PK", link


def test_after_errors_all_or_nothing_stays_selected_and_errors_follow_rows(world: Any) -> None:
    c, tok = _login(world)
    r = c.post(
        "/imports",
        files={"file": ("bad.csv", BAD_CSV, "text/csv")},
        data={"kind": "enterprises", "csrf": tok},
    )
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert int(re.search(r'data-error-rows="(\d+)"', html).group(1)) == 2
    select = re.search(r'<select name="mode">(.*?)</select>', html, flags=re.S).group(1)
    assert re.findall(r'<option value="(\w+)"[^>]*selected', select) == ["all_or_nothing"]
    table = html.split('id="problems-table"')[1].split("</table>")[0]
    rows = [int(x) for x in re.findall(r'<tr class="sev-\w+"><td class="n">(\d+)</td>', table)]
    assert rows and rows == sorted(rows) and {2, 4} <= set(rows)
    # the recent uploads list shows the time to the second, without microseconds
    page = c.get("/imports").text
    staged = page.split('id="staged-table"')[1]
    times = re.findall(r"<td>(\d{4}-\d{2}-\d{2}[ T][^<]*)</td>", staged)
    assert times and all(
        re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( UTC)?", t) for t in times
    )
