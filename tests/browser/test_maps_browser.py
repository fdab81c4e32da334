"""Maps in Debian's chromium: the tile grid and the cities beside it are drawn with data on the
overview, a region and a cluster page, at 1440 and 375 px wide, with no script error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Server = Any

DRAWN = """(id) => {
  const el = document.getElementById(id);
  if (!el || typeof echarts === 'undefined' || el.getAttribute('data-map-ready') !== '1') return -1;
  const c = echarts.getInstanceByDom(el);
  if (!c) return -1;
  const o = c.getOption();
  return {series: o.series.map((s) => ({name: s.name, n: s.data.length,
            values: s.data.map((d) => d.value ? d.value[2] : null)})),
          title: o.title && o.title.length ? o.title[0].text : ''};
}"""


def poll(page: Any, fn: str, arg: Any = None, timeout: float = 60.0) -> Any:
    """Evaluate ``fn(arg)`` until it is truthy (the page's CSP forbids wait_for_function's
    string evaluation)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(fn, arg)
        if value and value != -1:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {fn[:80]}({arg!r}): {value!r}")
        page.wait_for_timeout(200)


def no_horizontal_overflow(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        )
    )


@pytest.fixture(params=[1440, 375], ids=["1440px", "375px"])
def page(request: pytest.FixtureRequest, browser: Any, page_errors: list[str]) -> Iterator[Any]:
    width = int(request.param)
    ctx = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500, has_touch=width < 500
    )
    p = ctx.new_page()
    p.on("console", lambda m: page_errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: page_errors.append(str(e)))
    p.set_default_timeout(30_000)
    yield p
    ctx.close()


def drawn(page: Any, chart_id: str) -> dict[str, Any]:
    return dict(poll(page, DRAWN, chart_id))


def check_map(page: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    tiles = drawn(page, "map-tiles")
    assert sum(s["n"] for s in tiles["series"]) == 34  # every provincial-level unit
    assert tiles["series"][0]["n"] > 0 and max(tiles["series"][0]["values"]) > 0  # with data
    cities = drawn(page, "map-cities")
    assert cities["series"][0]["n"] > 0
    box = page.locator("#map-tiles").bounding_box()
    assert box and box["width"] <= page.viewport_size["width"] and box["height"] > 250
    assert no_horizontal_overflow(page)
    return tiles, cities


def test_overview_map(server: Server, page: Any, page_errors: list[str]) -> None:
    page.goto(server.url + "/")
    tiles, cities = check_map(page)
    assert tiles["series"][0]["name"] == "国家级集群数"
    assert "省" in cities["title"] or "市" in cities["title"]
    # another measure redraws the tiles with the published cells
    page.select_option("select.tm-measure", "employees")
    tiles = poll(page, DRAWN, "map-tiles")
    assert tiles["series"][0]["name"] == "制造业从业人员"
    assert sum(s["n"] for s in tiles["series"]) == 34
    assert "制造业" in page.locator(".tm-basis-text").inner_text()
    # choosing a province shows its cities beside the grid
    page.select_option("select.tm-measure", "clusters")
    xy = page.evaluate(
        """() => {
      const c = echarts.getInstanceByDom(document.getElementById('map-tiles'));
      const t = c.getOption().series[0].data.find((d) => d.code === '440000');
      return c.convertToPixel({seriesIndex: 0}, [t.value[0], t.value[1]]);
    }"""
    )
    page.locator("#map-tiles").click(position={"x": xy[0], "y": xy[1]})
    page.wait_for_timeout(300)
    assert drawn(page, "map-cities")["title"].startswith("广东")
    page.locator("#map").screenshot(
        path=str(server.screenshots / f"map-overview-{page.viewport_size['width']}.png")
    )
    assert not page_errors, page_errors


def test_region_and_cluster_maps(server: Server, page: Any, page_errors: list[str]) -> None:
    page.goto(server.url + "/regions/320200")
    _tiles, cities = check_map(page)
    assert cities["title"].startswith("江苏")
    page.locator("#map").screenshot(
        path=str(server.screenshots / f"map-region-{page.viewport_size['width']}.png")
    )
    page.goto(f"{server.url}/clusters/{server.cluster}")
    _tiles, cities = check_map(page)
    assert cities["title"].startswith(("北京", "天津"))
    page.goto(server.url + "/?lang=en")
    tiles, _cities = check_map(page)
    assert tiles["series"][0]["name"] == "national clusters"
    page.goto(server.url + "/?lang=zh")
    assert not page_errors, page_errors
