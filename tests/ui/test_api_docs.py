"""The API reference at /docs works on a branch network with no internet: Swagger UI comes
from the server itself (docs_ui/vendor), under a CSP with no CDN and no inline script."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.ui.conftest import wait_until


def test_the_reference_renders_with_the_internet_cut_off(site: Any, context: Any) -> None:
    local = urlsplit(site.url).netloc
    outside: list[str] = []

    def only_this_server(route: Any) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:  # what a branch network without internet does to it
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.goto(f"{site.url}/docs")
    # Every operation of the API is listed, with its summary, from /openapi.json.
    wait_until(page, "document.querySelectorAll('.opblock').length > 40")
    assert page.locator(".opblock-summary-path", has_text="/api/v1/counters/{counter_id}/call-next")
    assert outside == []


def test_the_reference_page_keeps_a_strict_script_policy(client: Any) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    csp = dict(
        part.strip().split(" ", 1) for part in r.headers["content-security-policy"].split(";")
    )
    assert csp["script-src"] == "'self'"
    assert "http" not in r.headers["content-security-policy"]  # no CDN anywhere
    assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/api-docs/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404
