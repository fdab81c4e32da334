"""End-to-end checks in Debian's chromium (Playwright sync API): log in, cluster dashboard charts
drawn with data, language switch, a bad spreadsheet's row errors in the page, suppressed cells
for a public visitor, layout at 1366×768 and at 375 px."""

from __future__ import annotations

import io
import time
from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

CLUSTER = "NC2022-04"  # 京津冀生命健康集群 (the conftest's demo accounts belong to it)
Server = Any  # tests/browser/conftest.py: url, firm, screenshots, password, cluster


def log_in(page: Any, server: Server, username: str, target: str = "/") -> None:
    page.goto(f"{server.url}/login?next={quote(target, safe='')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.password)
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}{target}")


SERIES_LEN = """(id) => {
  const el = document.getElementById(id);
  if (!el || typeof echarts === 'undefined') return -1;
  const c = echarts.getInstanceByDom(el);
  if (!c) return -1;
  const s = c.getOption().series;
  return s && s.length ? s[0].data.length : 0;
}"""


def poll(page: Any, fn: str, arg: Any = None, timeout: float = 60.0) -> Any:
    """Evaluate ``fn(arg)`` until it is truthy (``page.wait_for_function`` evaluates strings,
    which the page's Content-Security-Policy forbids; ``evaluate`` calls a function)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(fn, arg)
        if value and value != -1:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {fn[:80]}({arg!r}): {value!r}")
        page.wait_for_timeout(200)


def chart_points(page: Any, chart_id: str, timeout: float = 60.0) -> int:
    """Wait until the chart is drawn with data; return the length of its first series."""
    return int(poll(page, SERIES_LEN, chart_id, timeout))


def no_horizontal_overflow(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        )
    )


def test_login_and_cluster_dashboard_charts(
    server: Server, desktop: Any, page_errors: list[str]
) -> None:
    log_in(desktop, server, "b_gov", f"/clusters/{CLUSTER}")
    assert desktop.locator("#cluster-name").inner_text().startswith("京津冀")
    assert desktop.locator(".who .role").inner_text().startswith("b_gov")
    # the diagnosis section loads through HTMX and its charts are drawn with data
    assert chart_points(desktop, "chart-lq") == 8  # eight leading industries
    assert chart_points(desktop, "chart-trend") == 8
    n_series = desktop.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-lq'))"
        ".getOption().series.length"
    )
    assert n_series == 2  # Beijing and Tianjin
    assert desktop.locator("#strength-table tbody tr").count() == 2
    assert "★" in desktop.locator("#strength-table").inner_text()
    assert desktop.locator("#competition-regions tbody tr").count() > 0
    # the chain map (graph) is drawn too
    assert chart_points(desktop, "chart-chain") >= 3
    assert desktop.locator(".synthetic").first.is_visible()
    assert desktop.locator(".basis").first.is_visible()
    assert no_horizontal_overflow(desktop)
    desktop.screenshot(path=str(server.screenshots / "cluster-1366x768.png"))
    desktop.screenshot(path=str(server.screenshots / "cluster-1366-full.png"), full_page=True)
    # changing the measure redraws the charts through HTMX
    desktop.select_option("#diagnosis select[name=measure]", "output")
    poll(
        desktop,
        "() => { const b = document.querySelector('#diagnosis-body .basis');"
        " return !!b && b.textContent.includes('工业总产值'); }",
    )
    assert chart_points(desktop, "chart-lq") == 8
    assert not page_errors, page_errors


def test_cluster_dashboard_on_a_phone(server: Server, phone: Any, page_errors: list[str]) -> None:
    log_in(phone, server, "b_gov", f"/clusters/{CLUSTER}")
    assert chart_points(phone, "chart-lq") == 8
    assert chart_points(phone, "chart-chain") >= 3
    width = phone.evaluate(
        "() => document.getElementById('chart-lq').getBoundingClientRect().width"
    )
    assert 300 <= width <= 375
    assert no_horizontal_overflow(phone)
    # the menu folds away behind a button on a phone
    assert not phone.locator("#main-nav").is_visible()
    phone.click(".nav-toggle")
    assert phone.locator("#main-nav").is_visible()
    phone.screenshot(path=str(server.screenshots / "cluster-375.png"))
    phone.screenshot(path=str(server.screenshots / "cluster-375-full.png"), full_page=True)
    assert not page_errors, page_errors


def test_overview_map_for_the_public(server: Server, desktop: Any, page_errors: list[str]) -> None:
    desktop.goto(server.url + "/")
    assert chart_points(desktop, "map-tiles") > 20  # the tile-grid map: provinces with data
    assert chart_points(desktop, "chart-fields") == 6  # six fields
    assert desktop.locator(".synthetic").first.is_visible()
    # the dashboard hides the diagnosis from the public and offers the login
    desktop.goto(f"{server.url}/clusters/{CLUSTER}")
    assert desktop.locator("#diagnosis .login-needed").is_visible()
    assert desktop.locator("#chart-lq").count() == 0
    assert not page_errors, page_errors


def test_language_switch(server: Server, desktop: Any) -> None:
    desktop.goto(f"{server.url}/clusters?tier=national")
    assert desktop.get_attribute("html", "lang") == "zh-CN"
    assert desktop.locator("#main-nav").inner_text().find("全国概览") >= 0
    desktop.click("#lang-switch")
    poll(desktop, "() => document.documentElement.lang === 'en'")
    assert "National overview" in desktop.locator("#main-nav").inner_text()
    assert "tier=national" in desktop.url  # the filter is kept
    # remembered for the next page, and across logging in
    desktop.goto(f"{server.url}/regions")
    assert desktop.get_attribute("html", "lang") == "en"
    log_in(desktop, server, "b_gov", f"/clusters/{CLUSTER}")
    assert desktop.get_attribute("html", "lang") == "en"
    desktop.wait_for_selector("#diagnosis-body .basis")
    assert "Member cities" in desktop.locator("#diagnosis-body").inner_text()
    desktop.click("#lang-switch")
    poll(desktop, "() => document.documentElement.lang === 'zh-CN'")


def _bad_workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "营业收入（万元）"])
    ws.append(["91110108551385082Q", "北京好企业有限公司", "110108", "3841", 100])
    ws.append(["123", "", "999999", "ABCD", "abc"])
    ws.append(["91110108551385082X", "地区代码错误有限公司", "1101", "3841", 5])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bad_spreadsheet_shows_row_errors(
    server: Server, desktop: Any, page_errors: list[str]
) -> None:
    log_in(desktop, server, "b_admin", "/imports")
    desktop.select_option("#import-kind", "enterprises")
    desktop.set_input_files(
        "#import-file",
        files=[
            {
                "name": "bad-firms.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _bad_workbook(),
            }
        ],
    )
    desktop.click("#import-submit")
    desktop.wait_for_selector("#problems-table")
    assert int(desktop.locator("#error-row-count").inner_text()) == 2
    rows = desktop.locator("#problems-table tbody tr")
    assert rows.count() >= 3
    text = desktop.locator("#problems-table").inner_text()
    assert "统一社会信用代码" in text or "uscc" in text
    row_numbers = {
        desktop.locator("#problems-table tbody tr td:first-child").nth(i).inner_text()
        for i in range(rows.count())
    }
    assert {"3", "4"} <= row_numbers  # spreadsheet rows 3 and 4 (row 1 is the header)
    with desktop.expect_download() as dl:
        desktop.click("#report-xlsx")
    assert dl.value.suggested_filename.endswith("-errors.xlsx")
    desktop.screenshot(path=str(server.screenshots / "import-errors-1366.png"), full_page=True)
    # all-or-nothing commit refuses and says nothing was written
    desktop.select_option("#import-result select[name=mode]", "all_or_nothing")
    desktop.click("#commit-button")
    desktop.wait_for_selector("#commit-result .error-page")
    assert "未导入任何数据" in desktop.locator("#commit-result").inner_text()
    assert not page_errors, page_errors


def test_public_visitor_sees_suppressed_cells(server: Server, desktop: Any) -> None:
    try:
        import jiqun.services.published  # noqa: F401
    except ImportError:
        pytest.skip("jiqun.services.published (disclosure control) is not installed yet")
    desktop.goto(f"{server.url}/statistics?by=region_industry&measure=revenue&industry_level=2")
    cells = desktop.locator("td.suppressed")
    cells.first.wait_for()
    assert cells.count() > 0
    assert cells.first.inner_text() == "已抑制"
    desktop.screenshot(path=str(server.screenshots / "statistics-public-1366.png"))
    # an administrator sees the same table without suppression
    log_in(
        desktop,
        server,
        "b_admin",
        "/statistics?by=region_industry&measure=revenue&industry_level=2",
    )
    assert desktop.locator("td.suppressed").count() == 0
