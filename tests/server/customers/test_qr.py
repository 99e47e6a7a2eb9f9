"""The ticket's QR code: an SVG of the customer page's address, for the kiosk to show."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import qrcode
from fastapi.testclient import TestClient

from tests.support import BranchKit, make_branch

CODE = "qr"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


def dark_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark squares the SVG draws (each path segment is ``Mx,yHx+1Vy+1Hxz``)."""
    root = ET.fromstring(svg)
    paths = [p for p in root.iter(f"{SVG}path") if "M" in p.get("d", "")]
    found: set[tuple[int, int]] = set()
    for path in paths:
        for x, y in re.findall(r"M(\d+),(\d+)H", path.get("d", "")):
            found.add((int(x), int(y)))
    return found


def expected_modules(text: str, border: int = 2) -> set[tuple[int, int]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return {
        (x + border, y + border)
        for y, row in enumerate(qr.get_matrix())
        for x, dark in enumerate(row)
        if dark
    }


def test_qr_svg_encodes_the_status_url(client: TestClient, kit: BranchKit) -> None:
    r = client.post(
        f"/api/v1/branches/{CODE}/tickets", json={"service": "A"}, headers=kit.auth("kiosk")
    )
    assert r.status_code == 201, r.text
    ticket = r.json()
    qr = client.get(f"/api/v1/tickets/by-token/{ticket['token']}/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(qr.content)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    # The drawn squares are exactly the QR matrix of the ticket's status_url.
    assert ticket["status_url"] == f"http://sira.test/t/{ticket['token']}"
    assert dark_modules(qr.content) == expected_modules(ticket["status_url"])
    assert dark_modules(qr.content) != expected_modules(ticket["status_url"] + "x")


def test_qr_for_an_unknown_token_is_404(client: TestClient, kit: BranchKit) -> None:
    r = client.get("/api/v1/tickets/by-token/nosuchtoken123/qr.svg")
    assert r.status_code == 404
    assert r.json()["detail"]


def test_the_phone_learns_the_service_name_in_its_language_and_priority(client, kit) -> None:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": "A", "lang": "tr", "priority": True, "priority_reason": "pregnant"},
        headers=kit.auth("kiosk"),
    )
    body = client.get(f"/api/v1/tickets/by-token/{r.json()['token']}").json()
    assert (body["service_name"], body["priority"]) == ("Nakit", True)
    assert "pregnant" not in str(body)  # the reason stays with the staff
