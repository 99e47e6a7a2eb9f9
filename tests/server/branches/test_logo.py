"""A branch's logo: uploaded as the raw image, checked (kind, size, dimensions, decompression
bombs) with a reason a person can act on, stored re-encoded as PNG, and served to the screens
with an ETag and a cache-forever address that changes with the image."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from server.branches import logo
from server.config import Settings
from server.db import Database
from server.edge import BodyAllowance
from server.models import Event
from tests.support import BranchKit, admin_token, logo_image, make_branch

CODE = "central"
UPLOAD = f"/api/v1/admin/branches/{CODE}/logo"
PUBLIC = f"/api/v1/branches/{CODE}/logo"
NOT_AN_IMAGE = "That file is not a PNG, JPEG, GIF or WebP image"


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


@pytest.fixture
def admin(make: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {make(admin_token)}"}


def put(client: TestClient, data: bytes, headers: dict[str, str], media: str = "image/png") -> Any:
    return client.put(UPLOAD, content=data, headers={**headers, "Content-Type": media})


def stored(client: TestClient, url: str) -> Image.Image:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "PNG"
    return image


def branch_row(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"/api/v1/admin/branches/{CODE}", headers=admin)
    assert r.status_code == 200, r.text
    return dict(r.json())


def header_only_png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` and whose pixels are a few bytes: a
    decompression bomb's shape, refused from the header before anything is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# --- accepted ------------------------------------------------------------------------------


def test_a_png_is_stored_reencoded_and_named_everywhere_the_screens_look(
    client: TestClient, kit: BranchKit, admin: dict[str, str], db: Database
) -> None:
    upload = logo_image(400, 100)
    r = put(client, upload, admin)
    assert r.status_code == 200, r.text
    answer = r.json()
    sha = answer["sha256"]
    assert answer == {
        "url": f"/api/v1/branches/{CODE}/logo?v={sha[:12]}",
        "width": 400,
        "height": 100,
        "sha256": sha,
    }
    image = stored(client, answer["url"])
    assert image.size == (400, 100)
    assert hashlib.sha256(client.get(answer["url"]).content).hexdigest() == sha
    # The admin's branch, the screens' snapshot and the event the display hears.
    assert branch_row(client, admin)["logo_url"] == answer["url"]
    for who in ("display", "kiosk"):
        snap = client.get(f"/api/v1/branches/{CODE}/snapshot", headers=kit.auth(who)).json()
        assert snap["data"]["branch"]["logo_url"] == answer["url"]
    with Session(db.engine) as session:
        events = session.exec(
            select(Event).where(Event.type == "branch.changed").order_by(col(Event.seq))
        ).all()
    assert events[-1].data["branch"]["logo_url"] == answer["url"]


@pytest.mark.parametrize(
    ("fmt", "mode", "media"),
    [
        ("JPEG", "RGB", "image/jpeg"),
        ("GIF", "P", "image/gif"),
        ("WEBP", "RGBA", "image/webp"),
    ],
)
def test_jpeg_gif_and_webp_are_accepted_as_png(
    client: TestClient, kit: BranchKit, admin: dict[str, str], fmt: str, mode: str, media: str
) -> None:
    r = put(client, logo_image(300, 120, fmt=fmt, mode=mode), admin, media)
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"]) == (300, 120)
    assert stored(client, r.json()["url"]).size == (300, 120)


def test_a_jpeg_loses_its_exif_and_is_turned_upright(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Industries"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # shown turned a quarter clockwise
    # 100 x 300 as stored in the file, 300 x 100 as shown: accepted (not "too tall").
    upload = logo_image(100, 300, fmt="JPEG", exif=exif.tobytes())
    assert b"SpyCam" in upload
    r = put(client, upload, admin, "image/jpeg")
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"]) == (300, 100)
    body = client.get(r.json()["url"]).content
    assert b"SpyCam" not in body
    assert b"Exif" not in body
    image = Image.open(io.BytesIO(body))
    assert image.size == (300, 100)
    assert not image.getexif()
    assert "exif" not in image.info


def test_transparency_is_kept(client: TestClient, kit: BranchKit, admin: dict[str, str]) -> None:
    r = put(client, logo_image(400, 100, mode="RGBA"), admin)
    assert r.status_code == 200, r.text
    image = stored(client, r.json()["url"]).convert("RGBA")
    assert image.getpixel((399, 0))[3] == 0  # a clear corner stays clear
    assert image.getpixel((50, 50))[3] == 255  # the disc is solid


def test_a_wide_logo_is_stored_at_most_1024_px_wide(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    r = put(client, logo_image(3000, 600, mode="RGBA"), admin)
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"]) == (1024, 205)
    assert stored(client, r.json()["url"]).size == (1024, 205)


def test_bytes_after_the_image_are_not_kept(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    """A polyglot (an image that is also an HTML page or an archive) is stored as the image."""
    payload = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04"
    r = put(client, logo_image() + payload, admin)
    assert r.status_code == 200, r.text
    body = client.get(r.json()["url"]).content
    assert b"<script>" not in body
    assert b"PK\x03\x04" not in body


def test_a_manager_sets_the_logo_of_their_branch(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    r = put(client, logo_image(), kit.auth("manager"))
    assert r.status_code == 200, r.text
    assert branch_row(client, admin)["logo_url"] == r.json()["url"]


# --- refused -------------------------------------------------------------------------------

REFUSALS = [
    pytest.param(
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        "image/svg+xml",
        422,
        "not_an_image",
        logo.WRONG_TYPE,
        id="svg",
    ),
    pytest.param(
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "image/png",
        422,
        "not_an_image",
        NOT_AN_IMAGE,
        id="svg sent as png",
    ),
    pytest.param(logo_image(), "application/pdf", 422, "not_an_image", logo.WRONG_TYPE, id="pdf"),
    pytest.param(logo_image(), "text/plain", 422, "not_an_image", logo.WRONG_TYPE, id="text"),
    pytest.param(
        logo_image(),
        "multipart/form-data; boundary=x",
        422,
        "not_an_image",
        logo.WRONG_TYPE,
        id="a form upload",
    ),
    pytest.param(b"", "image/png", 422, "not_an_image", NOT_AN_IMAGE, id="empty"),
    pytest.param(
        b"GIF89a is what this says", "image/gif", 422, "not_an_image", NOT_AN_IMAGE, id="junk"
    ),
    pytest.param(logo_image(fmt="BMP"), "image/png", 422, "not_an_image", NOT_AN_IMAGE, id="bmp"),
    pytest.param(
        logo_image(800, 200)[:300],
        "image/png",
        422,
        "damaged_image",
        NOT_AN_IMAGE + " (it could not be read: is it damaged?)",
        id="truncated",
    ),
    pytest.param(
        logo_image(40, 30),
        "image/png",
        422,
        "logo_too_narrow",
        "A logo must be at least 64 px wide; this one is 40 × 30 px",
        id="narrow",
    ),
    pytest.param(
        logo_image(300, 600),
        "image/png",
        422,
        "logo_too_tall",
        "A logo may be at most as tall as it is wide; this one is 300 × 600 px",
        id="tall",
    ),
    pytest.param(
        logo_image(4001, 100),
        "image/png",
        422,
        "logo_too_big",
        "A logo may be at most 4000 × 4000 px; this one is 4001 × 100 px",
        id="too wide",
    ),
    pytest.param(
        header_only_png(5000, 5000),
        "image/png",
        422,
        "logo_too_big",
        "A logo may be at most 4000 × 4000 px; this one is 5000 × 5000 px",
        id="bomb header",
    ),
    pytest.param(
        header_only_png(12000, 8000),  # past Image.MAX_IMAGE_PIXELS: Pillow warns
        "image/png",
        422,
        "logo_too_big",
        "A logo may be at most 4000 × 4000 px; this one is 12000 × 8000 px",
        id="bomb past Pillow's warning",
    ),
    pytest.param(
        header_only_png(40000, 40000),  # past twice that: Pillow refuses to open it
        "image/png",
        422,
        "logo_too_big",
        "A logo may be at most 4000 × 4000 px; this image is far larger",
        id="bomb past Pillow's limit",
    ),
    pytest.param(
        b"\x89PNG" + b"\x00" * (1024 * 1024),
        "image/png",
        413,
        "too_large",
        logo.TOO_LARGE,
        id="over 1 MB",
    ),
]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("data", "media", "status", "code", "detail"), REFUSALS)
def test_a_refused_upload_says_why_and_changes_nothing(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    data: bytes,
    media: str,
    status: int,
    code: str,
    detail: str,
) -> None:
    before = put(client, logo_image(), admin).json()
    row = branch_row(client, admin)
    r = put(client, data, admin, media)
    assert r.status_code == status, r.text
    assert (r.json()["code"], r.json()["detail"]) == (code, detail)
    assert branch_row(client, admin) == row  # same logo_url, same version
    assert client.get(PUBLIC).headers["etag"] == f'"{before["sha256"]}"'


def test_an_upload_streamed_past_1_mb_is_cut_off(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    def chunks() -> Any:
        yield logo_image()
        for _ in range(20):
            yield b"\x00" * 64 * 1024

    r = client.put(UPLOAD, content=chunks(), headers={**admin, "Content-Type": "image/png"})
    assert r.status_code == 413
    assert r.json() == {"detail": logo.TOO_LARGE, "code": "too_large"}
    assert branch_row(client, admin)["logo_url"] is None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("teller1", 403),
        ("kiosk", 403),
        ("display", 403),
        ("other manager", 404),  # another branch's rows are answered as missing ones
    ],
)
def test_who_may_not_set_or_remove_the_logo(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    make: Any,
    who: str,
    status: int,
) -> None:
    if who == "anonymous":
        headers: dict[str, str] = {}
    elif who == "other manager":
        headers = make(make_branch, code="elsewhere", tellers=1).auth("manager")
    else:
        headers = kit.auth(who)
    r = put(client, logo_image(), headers)
    assert r.status_code == status, r.text
    assert r.json()["detail"]
    assert branch_row(client, admin)["logo_url"] is None
    set_by_admin = put(client, logo_image(), admin).json()
    r = client.delete(UPLOAD, headers=headers)
    assert r.status_code == status, r.text
    assert branch_row(client, admin)["logo_url"] == set_by_admin["url"]


# --- served --------------------------------------------------------------------------------


def test_served_with_an_etag_and_cached_for_good_only_at_its_versioned_address(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    answer = put(client, logo_image(), admin).json()
    etag = f'"{answer["sha256"]}"'
    r = client.get(answer["url"])  # no token: an <img> sends none
    assert r.status_code == 200
    assert r.headers["etag"] == etag
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    for url in (PUBLIC, f"{PUBLIC}?v=0123456789ab"):  # no version, or an old one
        r = client.get(url)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["etag"] == etag
    for tag in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = client.get(PUBLIC, headers={"If-None-Match": tag})
        assert r.status_code == 304, tag
        assert r.content == b""
        assert r.headers["etag"] == etag
    r = client.get(PUBLIC, headers={"If-None-Match": '"an-older-logo"'})
    assert r.status_code == 200
    assert r.content == client.get(answer["url"]).content


def test_no_logo_and_no_branch_are_answered_alike(client: TestClient, kit: BranchKit) -> None:
    r = client.get(PUBLIC)
    assert r.status_code == 404
    assert r.json()["detail"] == f"there is no logo for branch '{CODE}'"
    r = client.get("/api/v1/branches/nowhere/logo")
    assert r.status_code == 404
    assert r.json()["detail"] == "there is no logo for branch 'nowhere'"


def test_removed_logo(client: TestClient, kit: BranchKit, admin: dict[str, str]) -> None:
    answer = put(client, logo_image(), admin).json()
    assert client.delete(UPLOAD, headers=admin).status_code == 204
    assert client.get(answer["url"]).status_code == 404
    assert branch_row(client, admin)["logo_url"] is None
    snap = client.get(f"/api/v1/branches/{CODE}/snapshot", headers=kit.auth("display")).json()
    assert snap["data"]["branch"]["logo_url"] is None
    assert client.delete(UPLOAD, headers=kit.auth("manager")).status_code == 204  # none: fine


def test_the_audit_trail_records_who_changed_the_logo(
    client: TestClient, kit: BranchKit, admin: dict[str, str]
) -> None:
    def logo_changes() -> list[dict[str, Any]]:
        r = client.get(f"/api/v1/audit?kind=config&branch={CODE}", headers=admin)
        assert r.status_code == 200, r.text
        return [e for e in r.json()["items"] if "logo" in (e["changes"] or {})]

    first = put(client, logo_image(), kit.auth("manager")).json()["sha256"]
    second = put(client, logo_image(500, 100), admin).json()["sha256"]
    put(client, logo_image(500, 100), admin)  # the same image again: no change to record
    assert client.delete(UPLOAD, headers=admin).status_code == 204
    entries = sorted(logo_changes(), key=lambda e: e["id"])
    assert [(e["action"], e["actor"], e["changes"]["logo"]) for e in entries] == [
        ("branch.updated", f"{CODE}-manager", {"before": None, "after": first}),
        ("branch.updated", "root", {"before": first, "after": second}),
        ("branch.updated", "root", {"before": second, "after": None}),
    ]


# --- the body limit ------------------------------------------------------------------------


class TestASmallerDefaultLimit:
    """With the JSON routes' limit set low, the upload keeps its own 1 MB and no other
    route gains anything."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"max_body_bytes": 64 * 1024})

    def test_the_upload_has_its_own_allowance(
        self, client: TestClient, kit: BranchKit, admin: dict[str, str]
    ) -> None:
        big = logo_image(2000, 1000, fmt="BMP")[: 300 * 1024]  # 300 KiB of something
        assert len(big) > 64 * 1024
        r = put(client, big, admin)
        assert r.status_code == 422  # read and checked: not refused at the edge
        assert r.json()["code"] == "not_an_image"
        noisy = Image.effect_noise((700, 400), 80).convert("RGB")
        out = io.BytesIO()
        noisy.save(out, "PNG")
        assert 64 * 1024 < len(out.getvalue()) < logo.MAX_BYTES
        assert put(client, out.getvalue(), admin).status_code == 200

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("PATCH", f"/api/v1/admin/branches/{CODE}"),
            ("PUT", f"/api/v1/branches/{CODE}/service-cycle"),
            ("POST", f"/api/v1/admin/branches/{CODE}/logo"),  # not the upload's method
            ("PUT", f"/api/v1/admin/branches/{CODE}/logo/more"),  # nor its path
        ],
    )
    def test_other_routes_keep_the_default(
        self, client: TestClient, kit: BranchKit, admin: dict[str, str], method: str, path: str
    ) -> None:
        body = b'{"message": "' + b"x" * (100 * 1024) + b'"}'
        r = client.request(
            method, path, content=body, headers={**admin, "Content-Type": "application/json"}
        )
        assert r.status_code == 413
        assert r.json() == {
            "detail": "the request body is larger than 65536 bytes",
            "code": "too_large",
        }


def test_an_allowance_matches_its_route_only() -> None:
    allowance = BodyAllowance("PUT", "/api/v1/admin/branches/{branch}/logo", 10, "no")
    pattern = allowance.pattern()
    assert pattern.fullmatch("/api/v1/admin/branches/central/logo")
    for path in (
        "/api/v1/admin/branches/central/logo/x",
        "/api/v1/admin/branches/a/b/logo",
        "/api/v1/admin/branches//logo",
        "/api/v1/admin/branchesXcentral/logo",
    ):
        assert not pattern.fullmatch(path), path
