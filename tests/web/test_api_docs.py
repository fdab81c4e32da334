"""/api/v1/docs works offline and under the CSP: vendored Swagger UI, no inline script."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.db


def test_docs_page_uses_vendored_swagger_ui_under_the_csp(client: Any) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    page = r.text
    # nothing from another origin (FastAPI's default page loads from cdn.jsdelivr.net)
    assert not re.search(r"(src|href)=\"(https?:)?//", page), page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 500, url
    js = client.get("/static/vendor/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in js
    start = client.get("/static/api-docs.js").text
    assert "validatorUrl: null" in start and "data-openapi-url" in start
    lic = client.get("/static/vendor/LICENSE.swagger-ui").text
    assert "Apache License" in lic
    assert client.get("/api/v1/openapi.json").status_code == 200
