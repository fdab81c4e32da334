"""Browser tests: Playwright (driver only) drives Debian's ``chromium`` against a live server.

The ``browser`` marker is registered here (pyproject.toml stays untouched). Every test is
skipped with a clear message when ``chromium`` is not installed (``.ci/run`` installs it with
apt; Playwright's own browser download is not used). The server is Uvicorn in a subprocess on a
free local port, on a temporary SQLite database with the demo data (seed 7, 5,000 firms) and one
account of each role.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "browser-test-password"
CLUSTER = "NC2022-04"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium with Playwright (skipped without chromium)"
    )


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path() is not None:
        return
    skip = pytest.mark.skip(
        reason="chromium is not installed (apt-get install chromium; .ci/run does this): "
        "browser tests skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    db_url: str
    firm: str
    screenshots: Path
    password: str = PASSWORD
    cluster: str = CLUSTER


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, demo_templates: Any) -> Iterator[Server]:
    """A live Uvicorn server on a copy of the session's SQLite demo database (subprocess, free
    port; ``demo_templates``: tests/conftest.py)."""
    from sqlalchemy import text

    from jiqun.services import accounts
    from jiqun.store.db import make_engine

    root = tmp_path_factory.mktemp("browser")
    shutil.copyfile(demo_templates.sqlite(), root / "jiqun.sqlite3")
    db_url = f"sqlite:///{root / 'jiqun.sqlite3'}"
    env = {
        **os.environ,
        "JIQUN_DATABASE_URL": db_url,
        "JIQUN_SECRET_KEY": "browser-test-secret-key",
        "JIQUN_DATA_DIR": str(root / "data"),
    }
    env.pop("JIQUN_TEST_DATABASE_URL", None)
    eng = make_engine(db_url)
    with eng.connect() as c:
        firm = c.execute(
            text(
                "SELECT m.uscc FROM cluster_members m JOIN enterprises e ON e.uscc = m.uscc "
                "WHERE m.cluster_id = :c ORDER BY m.uscc LIMIT 1"
            ),
            {"c": CLUSTER},
        ).scalar_one()
    for name, role, scope in (
        ("b_admin", "admin", None),
        ("b_gov", "government", "110000"),
        ("b_firm", "enterprise", firm),
    ):
        accounts.add_user(name, role, PASSWORD, scope, eng)
    from jiqun.services.release import build_release

    build_release(eng)  # the published statistics read the protected release, as after jiqun demo
    eng.dispose()
    port = _free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "jiqun.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError((root / "server.log").read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 90 s")
            time.sleep(0.3)
        shots = Path(os.environ.get("JIQUN_SCREENSHOTS") or root / "screenshots")
        shots.mkdir(parents=True, exist_ok=True)
        yield Server(url, db_url, firm, shots)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.skip("chromium is not installed: browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def desktop(browser: Any, page_errors: list[str]) -> Iterator[Any]:
    """A 1366×768 page that records console errors (CSP violations show up there)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = ctx.new_page()
    page.on("console", lambda m: page_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.set_default_timeout(30_000)
    yield page
    ctx.close()


@pytest.fixture
def phone(browser: Any, page_errors: list[str]) -> Iterator[Any]:
    """A 375-px-wide phone page."""
    ctx = browser.new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = ctx.new_page()
    page.on("console", lambda m: page_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.set_default_timeout(30_000)
    yield page
    ctx.close()
