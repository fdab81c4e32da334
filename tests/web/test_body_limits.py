"""Request bodies are bounded while they stream; anonymous writes are refused before any read.

The bodies are sent chunked (an async generator, no ``Content-Length``) through httpx's ASGI
transport, which pulls a chunk only when the application calls ``receive``: the bytes the
generator yielded are the bytes the application read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from jiqun.web.limits import MAX_BODY_BYTES, MAX_UPLOAD_BODY_BYTES

CHUNK = 64 << 10


class Body:
    """A chunked body of ``total`` bytes (``head`` first) that counts what was consumed."""

    def __init__(self, total: int, head: bytes = b"", fill: bytes = b"a") -> None:
        self.total = total
        self.head = head
        self.fill = fill * CHUNK
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        if self.head:
            self.consumed += len(self.head)
            sent += len(self.head)
            yield self.head
        while sent < self.total:
            piece = self.fill[: min(CHUNK, self.total - sent)]
            sent += len(piece)
            self.consumed += len(piece)
            yield piece


def run_fresh_loop(coro: Any) -> Any:
    """Run ``coro`` on a new event loop in its own thread: a session-wide Playwright (browser
    tests) may keep an event loop running in the main thread, where ``asyncio.run`` refuses."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def send(world: Any, method: str, url: str, body: Body, headers: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=world.app, client=("10.9.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, url, content=body, headers=headers)

    return run_fresh_loop(go())


def multipart(total: int) -> tuple[Body, str]:
    """A multipart upload of one CSV file part padded to ``total`` bytes (never closed)."""
    boundary = "jiqunboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nenterprises\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return Body(total, head), f"multipart/form-data; boundary={boundary}"


def test_anonymous_chunked_upload_is_refused_before_the_body_is_read(
    world: Any, error_body: Any
) -> None:
    body, ctype = multipart(3 << 20)
    r = send(world, "POST", "/api/v1/imports", body, {"content-type": ctype})
    error_body(r, 401, "unauthorised")
    assert body.consumed == 0


def test_anonymous_chunked_json_write_is_refused_before_the_body_is_read(
    world: Any, error_body: Any
) -> None:
    body = Body(3 << 20, b'{"uscc": "', b"9")
    r = send(world, "POST", "/api/v1/grants", body, {"content-type": "application/json"})
    error_body(r, 401, "unauthorised")
    assert body.consumed == 0
    bad = Body(1000, b'{"uscc": "', b"9")  # a wrong token counts as no token
    r = send(world, "POST", "/api/v1/grants", bad, {"authorization": "Bearer nope"})
    error_body(r, 401)
    assert bad.consumed == 0


def test_anonymous_ui_write_goes_to_the_login_page_unread(world: Any) -> None:
    body = Body(2 << 20, b"purpose=")
    url = f"/enterprises/{world.firms['A']}/grants"
    r = send(world, "POST", url, body, {"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert body.consumed == 0
    htmx = Body(2 << 20, b"purpose=")
    r = send(world, "POST", url, htmx, {"hx-request": "true"})
    assert r.status_code == 200 and r.headers["hx-redirect"] == "/login"
    assert htmx.consumed == 0


def test_chunked_json_body_stops_at_one_megabyte(world: Any, error_body: Any) -> None:
    body = Body(150 << 20, b'{"uscc": "', b"9")
    headers = {"content-type": "application/json", **world.auth("firm")}
    r = send(world, "POST", "/api/v1/grants", body, headers)
    err = error_body(r, 413, "too_large")
    assert "1 MB" in err["message_en"]
    assert MAX_BODY_BYTES < body.consumed <= MAX_BODY_BYTES + CHUNK


def test_chunked_upload_stops_at_the_upload_limit(world: Any, error_body: Any) -> None:
    body, ctype = multipart(MAX_UPLOAD_BODY_BYTES + (20 << 20))
    r = send(world, "POST", "/api/v1/imports", body, {"content-type": ctype, **world.auth("gov")})
    error_body(r, 413, "too_large")
    assert MAX_UPLOAD_BODY_BYTES < body.consumed <= MAX_UPLOAD_BODY_BYTES + CHUNK


def test_multipart_elsewhere_gets_the_small_limit(world: Any, error_body: Any) -> None:
    body, ctype = multipart(4 << 20)
    headers = {"content-type": ctype, **world.auth("firm")}
    r = send(world, "POST", "/api/v1/grants", body, headers)
    error_body(r, 413, "too_large")
    assert body.consumed <= MAX_BODY_BYTES + CHUNK


def test_declared_length_over_the_limit_is_refused_unread(world: Any, error_body: Any) -> None:
    c = world.client()
    r = c.post(
        "/api/v1/grants",
        content=b"{" + b" " * (2 << 20) + b"}",
        headers={"content-type": "application/json", **world.auth("firm")},
    )
    error_body(r, 413, "too_large")


def test_small_writes_and_login_still_work(world: Any) -> None:
    c = world.client("10.9.0.2")
    tok = c.post(
        "/api/v1/auth/token", data={"username": "firm", "password": world.password}
    ).json()["access_token"]
    body = {"uscc": world.firms["A"], "grantee_organisation_id": world.orgs["observer"]}
    r = c.post("/api/v1/grants", json=body, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201, r.text
    c.delete(f"/api/v1/grants/{r.json()['id']}", headers={"Authorization": f"Bearer {tok}"})
