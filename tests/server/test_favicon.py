"""Every page names its icon and the server sends it: a kiosk browser's console showed a
404 for /favicon.ico on every load."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

PAGES = ["/kiosk/", "/display/", "/teller/", "/manager/", "/t/some-ticket-token"]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_links_an_icon_the_server_sends(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    (href,) = re.findall(r'<link rel="icon"[^>]*href="([^"]+)"', html.text)
    icon = client.get(href)
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in icon.content


def test_the_default_favicon_path_answers(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert b"<svg" in r.content
