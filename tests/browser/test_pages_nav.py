"""Pages a person can read, in Debian's chromium: the section bar of a long page, a long table
paged and sorted in the page, the search box in the top bar, a picker completing a code, and a
section fragment opened on its own inside the layout."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

Server = Any  # tests/browser/conftest.py: url, firm, screenshots, password, cluster


def log_in(page: Any, server: Server, username: str, target: str = "/") -> None:
    page.goto(f"{server.url}/login?next={quote(target, safe='')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.password)
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}{target}")


def poll(page: Any, fn: str, arg: Any = None, timeout: float = 30.0) -> Any:
    """Evaluate ``fn(arg)`` until it is truthy (the CSP forbids ``wait_for_function`` strings)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(fn, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {fn[:80]}({arg!r}): {value!r}")
        page.wait_for_timeout(200)


VISIBLE_ROWS = """(sel) => Array.from(document.querySelectorAll(sel + ' tbody tr'))
  .filter(r => !r.hidden).length"""

ROWS_TEXT = """(sel) => Array.from(document.querySelectorAll(sel + ' tbody tr'))
  .filter(r => !r.hidden).map(r => r.textContent)"""

CODE_COLUMN = """(sel) => {
  const rows = Array.from(document.querySelectorAll(sel + ' tbody tr'));
  for (let i = 0; i < rows[0].cells.length; i++) {
    if (rows.every(r => r.cells[i] && /^\\d+$/.test(r.cells[i].textContent.trim()))) return i;
  }
  return -1;
}"""

COLUMN = """([sel, i]) => Array.from(document.querySelectorAll(sel + ' tbody tr'))
  .filter(r => !r.hidden).map(r => r.cells[i].textContent.trim())"""


def test_section_bar_stays_on_top_and_jumps_to_a_section(
    server: Server, desktop: Any, page_errors: list[str]
) -> None:
    desktop.goto(f"{server.url}/clusters/{server.cluster}")
    bar = desktop.locator("nav.tabs")
    assert bar.locator('a[href="#innovation"]').count() == 1
    bar.locator('a[href="#innovation"]').click()
    assert desktop.evaluate("() => location.hash") == "#innovation"
    assert desktop.evaluate("() => window.scrollY") > 100
    # the bar is sticky: still at the top of the window after the jump
    top = desktop.evaluate("() => document.querySelector('nav.tabs').getBoundingClientRect().top")
    assert -1 <= top <= 5
    # the region page has one too; the sections keep their ids (old links still work)
    desktop.goto(f"{server.url}/regions/110000#published")
    assert desktop.locator('nav.tabs a[href="#next"]').count() == 1
    for part in ("portfolio", "next", "published"):
        assert desktop.locator(f"section#{part}").count() == 1
    assert not page_errors, page_errors


def test_a_long_table_is_paged_and_sorted(
    server: Server, desktop: Any, page_errors: list[str]
) -> None:
    desktop.goto(f"{server.url}/statistics?by=region_industry&region_level=province")
    sel = "#stats-body table"
    total = desktop.evaluate(f"() => document.querySelectorAll('{sel} tbody tr').length")
    assert total > 50, total
    poll(desktop, "() => !!document.querySelector('.table-pager')")
    assert desktop.evaluate(VISIBLE_ROWS, sel) == 50
    info = desktop.locator(".table-pager .pg-info").inner_text()
    assert f"共 {total} 行" in info and "第 1 /" in info
    first_page = desktop.evaluate(ROWS_TEXT, sel)
    desktop.click(".table-pager .pg-next")
    second = desktop.evaluate(ROWS_TEXT, sel)
    assert second and set(second).isdisjoint(first_page)
    # sorting by a column of codes: ascending, then descending on a second click
    col = desktop.evaluate(CODE_COLUMN, sel)
    assert col >= 0
    header = desktop.locator(f"{sel} thead th").nth(col)
    header.locator("button.sort").click()
    up = [int(v) for v in desktop.evaluate(COLUMN, [sel, col])]
    assert len(up) == 50 and up == sorted(up)
    header.locator("button.sort").click()
    down = [int(v) for v in desktop.evaluate(COLUMN, [sel, col])]
    assert down == sorted(down, reverse=True) and down[0] >= up[-1]
    assert header.get_attribute("aria-sort") == "descending"
    desktop.click(".table-pager .pg-all")
    assert desktop.evaluate(VISIBLE_ROWS, sel) == total
    assert not page_errors, page_errors


def test_search_box_in_the_top_bar(server: Server, desktop: Any, page_errors: list[str]) -> None:
    desktop.goto(f"{server.url}/")
    desktop.fill("#nav-search", "江苏")
    desktop.press("#nav-search", "Enter")
    desktop.wait_for_url("**/search?q=*")
    assert desktop.locator('#search-regions a[href="/regions/320000"]').count() == 1
    assert desktop.locator("#search-clusters li").count() > 0
    desktop.fill("#nav-search", "wx")
    desktop.press("#nav-search", "Enter")
    desktop.wait_for_url("**/search?q=wx")
    assert desktop.locator("#search-regions li").first.inner_text().startswith("无锡市")
    assert not page_errors, page_errors


def test_pickers_complete_codes(server: Server, desktop: Any, page_errors: list[str]) -> None:
    log_in(desktop, server, "b_gov", "/scenarios")
    desktop.check("input[name=kind][value=region]")
    desktop.locator("#scenario-target").press_sequentially("wuxi", delay=50)
    values = poll(
        desktop,
        "() => { const i = document.getElementById('scenario-target');"
        " const l = i.list; return l && l.options.length ?"
        " Array.from(l.options).map(o => o.value) : null; }",
    )
    assert values[0] == "320200"
    # the same field completes industries when the scenario is an input stop
    desktop.check("input[name=kind][value=import]")
    desktop.fill("#scenario-target", "")
    desktop.locator("#scenario-target").press_sequentially("3973", delay=50)
    poll(
        desktop,
        "() => Array.from(document.getElementById('scenario-target').list.options)"
        ".some(o => o.value === '3973')",
    )
    # firms: only those the government of Beijing may see
    desktop.goto(f"{server.url}/policies")
    desktop.locator("#policy-firm").press_sequentially("91", delay=50)
    firms = poll(
        desktop,
        "() => { const l = document.getElementById('policy-firm').list;"
        " return l && l.options.length ? Array.from(l.options).map(o => o.label) : null; }",
    )
    assert all("北京市" in f for f in firms), firms
    assert not page_errors, page_errors


def test_a_fragment_opened_on_its_own(server: Server, desktop: Any, page_errors: list[str]) -> None:
    desktop.goto(f"{server.url}/regions/110000/published")
    assert desktop.locator("#main-nav").is_visible()
    desktop.click("#fragment-back")
    desktop.wait_for_url("**/regions/110000#published")
    assert not page_errors, page_errors
