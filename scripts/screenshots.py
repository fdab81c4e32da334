"""Take the documentation screenshots (overview, a cluster page, a region page) of a running server.

Usage::

    uv run --frozen python scripts/screenshots.py http://127.0.0.1:8000 docs/img --prefix after

Drives Debian's ``chromium`` through Playwright (its own browser download is not used). Each shot
is the first screen (1280×800) of the page in Chinese, saved as ``{prefix}-{name}.png``.
截取文档截图（概览、集群页、地区页）；使用 Debian 的 chromium。
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

PAGES = {
    "overview": "/",
    "cluster": "/clusters/NC2021-02",
    "region": "/regions/320200",
}


def main() -> None:
    """Parse the arguments and write one PNG per page."""
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("out", type=Path)
    ap.add_argument("--prefix", default="after")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        for name, path in PAGES.items():
            page.goto(args.url.rstrip("/") + path, wait_until="networkidle")
            page.wait_for_timeout(1500)  # charts animate in
            page.screenshot(path=str(args.out / f"{args.prefix}-{name}.png"))
            print(args.out / f"{args.prefix}-{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
