"""The branch's logo in the header of the kiosk (portrait touch screen) and the call display
(1920 x 1080 TV), in real Chromium: loaded (not a broken image), named by its alt text, the
header unbroken by a wide one, and replaced when it changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.support import logo_image
from tests.ui.conftest import TIMEOUT_S, Site, wait_until
from tests.ui.test_display import TV
from tests.ui.test_kiosk import PORTRAIT, open_kiosk

LOADED = """() => {
  const img = document.getElementById("branch-logo");
  return !img.hidden && img.complete && img.naturalWidth > 0 ? img.naturalWidth : 0;
}"""


class Admin:
    def __init__(self, site: Site) -> None:
        self.site = site
        r = httpx.post(
            f"{site.url}/api/v1/auth/login",
            json={"username": "admin", "password": site.users["admin"]},
            timeout=TIMEOUT_S,
        )
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        self.path = f"{site.url}/api/v1/admin/branches/{site.branch}/logo"

    def upload(self, data: bytes) -> dict[str, Any]:
        r = httpx.put(
            self.path,
            content=data,
            headers={**self.headers, "Content-Type": "image/png"},
            timeout=TIMEOUT_S,
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def remove(self) -> None:
        r = httpx.delete(self.path, headers=self.headers, timeout=TIMEOUT_S)
        assert r.status_code == 204, r.text

    def branch_name(self) -> str:
        r = httpx.get(
            f"{self.site.url}/api/v1/admin/branches/{self.site.branch}",
            headers=self.headers,
            timeout=TIMEOUT_S,
        )
        return str(r.json()["name"])


def csp_watch(ctx: Any) -> list[str]:
    refused: list[str] = []
    ctx.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


@pytest.fixture
def touch(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=True)
    refused = csp_watch(ctx)
    yield ctx
    ctx.close()
    assert refused == []


@pytest.fixture
def tv(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=TV)
    refused = csp_watch(ctx)
    yield ctx
    ctx.close()
    assert refused == []


def header(page: Any) -> dict[str, float]:
    """The header's height and the logo's, after checking that nothing in it overflows the
    screen (the clock at the far end still in view)."""
    sizes: dict[str, float] = page.evaluate(
        """() => {
          const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
          const top = document.querySelector("header.top").getBoundingClientRect();
          const clock = document.querySelector(".clock").getBoundingClientRect();
          const logo = document.getElementById("branch-logo").getBoundingClientRect();
          return {
            scroll: document.documentElement.scrollWidth, width: window.innerWidth, rem,
            top: top.height, clockRight: clock.right, logo: logo.height,
          };
        }"""
    )
    assert sizes["scroll"] <= sizes["width"], sizes
    assert 0 < sizes["clockRight"] <= sizes["width"], sizes
    assert sizes["logo"] < sizes["top"], sizes
    return sizes


def test_the_kiosk_shows_the_logo_and_picks_up_a_new_one(site: Site, touch: Any) -> None:
    admin = Admin(site)
    page = open_kiosk(touch, site, branch=1)  # the branch read again every second
    expect(page.get_by_test_id("logo")).to_be_visible()  # Sira's mark: no logo yet
    expect(page.get_by_test_id("branch-logo")).to_be_hidden()
    bare = header(page)

    admin.upload(logo_image(1600, 100))  # a very wide one
    wait_until(page, f"({LOADED})() === 1024")  # stored at most 1024 px wide
    logo = page.get_by_test_id("branch-logo")
    expect(logo).to_be_visible()
    expect(logo).to_have_attribute("alt", admin.branch_name())
    expect(page.get_by_test_id("logo")).to_be_hidden()
    # The portrait kiosk gives the logo a little more height than its mark: at most 1rem.
    assert header(page)["top"] <= bare["top"] + bare["rem"], bare
    page.get_by_test_id("service-A").tap()  # the kiosk still works around it
    expect(page.get_by_test_id("ticket-code")).to_be_visible()

    admin.remove()
    wait_until(page, "document.getElementById('branch-logo').hidden")
    expect(page.get_by_test_id("logo")).to_be_visible()


def test_the_display_shows_the_logo_and_follows_a_change_at_once(site: Site, tv: Any) -> None:
    admin = Admin(site)
    page = tv.new_page()
    page.goto(f"{site.url}/display/#token={site.devices['display']}")
    expect(page.get_by_test_id("clock")).not_to_be_empty()
    bare = header(page)

    # Live: the display follows the branch's events (no reload, no polling).
    admin.upload(logo_image(400, 100, mode="RGBA"))
    wait_until(page, f"({LOADED})() === 400", timeout_ms=10_000)
    expect(page.get_by_test_id("branch-logo")).to_have_attribute("alt", admin.branch_name())
    expect(page.locator("#logo-mark")).to_be_hidden()
    # The header keeps its height: the rows of calls below it keep theirs.
    assert abs(header(page)["top"] - bare["top"]) <= 2

    admin.upload(logo_image(1024, 64))  # a very wide one: letterboxed, nothing pushed out
    wait_until(page, f"({LOADED})() === 1024", timeout_ms=10_000)
    assert abs(header(page)["top"] - bare["top"]) <= 2

    admin.remove()
    wait_until(page, "document.getElementById('branch-logo').hidden", timeout_ms=10_000)
    expect(page.locator("#logo-mark")).to_be_visible()
    header(page)

    # A display started while the branch has a logo shows it from its first snapshot.
    admin.upload(logo_image(600, 150))
    fresh = tv.new_page()
    fresh.goto(f"{site.url}/display/#token={site.devices['display']}")
    wait_until(fresh, f"({LOADED})() === 600")
