"""The "download the Word report" button of a cluster page, clicked in Debian's chromium: the
file arrives as a .docx that python-docx opens, with the logged-in reader's sections."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import docx
import pytest

pytestmark = pytest.mark.browser

CLUSTER = "NC2022-04"  # 京津冀生命健康集群 (the conftest's government account is Beijing's)
Server = Any  # tests/browser/conftest.py


def test_cluster_report_button_downloads_a_docx(
    server: Server, desktop: Any, page_errors: list[str], tmp_path: Any
) -> None:
    target = f"/clusters/{CLUSTER}"
    desktop.goto(f"{server.url}/login?next={quote(target, safe='')}")
    desktop.fill("input[name=username]", "b_gov")
    desktop.fill("input[name=password]", server.password)
    desktop.click("#login-submit")
    desktop.wait_for_url(f"{server.url}{target}")
    button = desktop.locator("#report-download")
    assert button.is_visible() and "下载报告" in button.inner_text()
    with desktop.expect_download(timeout=120_000) as info:
        button.click()
    dl = info.value
    assert dl.suggested_filename.endswith(f"{CLUSTER}.docx")
    out = tmp_path / dl.suggested_filename
    dl.save_as(str(out))
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "京津冀生命健康集群 集群报告"
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    # a logged-in reader's report: the diagnosis is there, not the public version's note
    assert any(h.endswith("、集群诊断：主导产业专业化、趋势、强度与星级") for h in headings)
    assert not any(p.text.startswith("登录后可见") for p in d.paragraphs)
    assert len(d.inline_shapes) >= 3 and len(d.tables) >= 8
    assert not page_errors, page_errors
