"""Pairing a kiosk and a display by code, in real Chromium: a page without a token shows a
short code, its QR and the server's address; once staff enter the code the page receives its
token and starts working, keeps it across a reload, and returns to pairing when the device
is revoked."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.ui.conftest import TIMEOUT_S, Site, axe_violations

CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")


def admin_headers(site: Site) -> dict[str, str]:
    r = httpx.post(
        f"{site.url}/api/v1/auth/login",
        json={"username": "admin", "password": site.users["admin"]},
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def shown_code(page: Any) -> str:
    expect(page.get_by_test_id("pair-code")).to_have_text(CODE)
    return str(page.get_by_test_id("pair-code").inner_text())


def claim(site: Site, headers: dict[str, str], code: str, kind: str, name: str) -> int:
    r = httpx.post(
        f"{site.url}/api/v1/admin/pairing",
        json={"code": code, "branch": site.branch, "kind": kind, "name": name},
        headers=headers,
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_kiosk_pairs_by_code_and_returns_to_pairing_when_revoked(
    site: Site, context: Any
) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/kiosk/#poll=1")
    code = shown_code(page)
    expect(page.get_by_test_id("pair-qr")).to_be_visible()
    assert page.get_by_test_id("pair-qr").evaluate("img => img.naturalWidth") > 0
    expect(page.locator("#pair-server")).to_have_text(site.url)
    assert axe_violations(page) == []
    headers = admin_headers(site)
    device = claim(site, headers, code, "kiosk", "Door kiosk")
    # Within a few seconds the kiosk offers its services.
    expect(page.locator("#view-home")).to_be_visible(timeout=30_000)
    stored = page.evaluate("localStorage.getItem('sira.kiosk.token')")
    assert stored
    assert stored.startswith("sdt_")
    assert stored not in page.url  # never in a URL
    page.reload()
    expect(page.locator("#view-home")).to_be_visible()
    # Revoked: its next request is refused and it shows a new code to pair again.
    r = httpx.delete(
        f"{site.url}/api/v1/admin/devices/{device}", headers=headers, timeout=TIMEOUT_S
    )
    assert r.status_code == 204
    expect(page.get_by_test_id("pair-error")).to_contain_text("disconnected by an administrator")
    assert shown_code(page) != code
    assert page.evaluate("localStorage.getItem('sira.kiosk.token')") is None


def test_a_display_pairs_by_code_and_its_socket_closing_brings_back_pairing(
    site: Site, context: Any
) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/display/")
    code = shown_code(page)
    headers = admin_headers(site)
    device = claim(site, headers, code, "display", "Hall TV")
    expect(page.locator("#board")).to_be_visible(timeout=30_000)
    r = httpx.delete(
        f"{site.url}/api/v1/admin/devices/{device}", headers=headers, timeout=TIMEOUT_S
    )
    assert r.status_code == 204
    expect(page.locator("#view-pair")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("pair-error")).to_contain_text("disconnected by an administrator")
    shown_code(page)


def test_the_old_token_links_still_work(site: Site, context: Any) -> None:
    page = context.new_page()
    page.goto(site.page_url("kiosk"))
    expect(page.locator("#view-home")).to_be_visible()
