"""A branch's logo: the checks an upload must pass, the PNG stored in its place, and the
forms screens and printers get.

Nothing the sender wrote is kept: the image is decoded (PNG, JPEG, GIF or WebP only, by
Pillow's decoders for those four alone), checked, and stored re-encoded as a PNG at most
``STORED_MAX_WIDTH`` wide, which drops metadata (EXIF, comments, colour profiles) and anything
appended to the file. ``branch.logo`` holds the stored PNG's sha256, so the address screens
load it from (``logo_url``) changes with the image and may be cached for good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import get_branch
from server.branches.schemas import LogoPublic
from server.branches.snapshot import branch_changed, logo_url
from server.domain.errors import DomainError, Invalid, NotFound
from server.models import Branch, BranchLogo
from server.models.types import row_id

#: The largest upload; the edge allows this route this much (server/edge.py, server/main.py).
MAX_BYTES = 1024 * 1024
MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
MIN_WIDTH = 64
MAX_SIDE = 4000
STORED_MAX_WIDTH = 1024
#: The printed form: the widest printable line (80 mm paper, 203 dpi) and the tallest logo a
#: ticket gives room to; the printer fits it to its own width (drivers/escpos/ticket.py).
PRINT_MAX_WIDTH = 576
PRINT_MAX_HEIGHT = 120

NOT_AN_IMAGE = "That file is not a PNG, JPEG, GIF or WebP image"
WRONG_TYPE = (
    "Send the image itself as the request body with Content-Type image/png, image/jpeg, "
    "image/gif or image/webp (not a form upload)"
)
TOO_LARGE = "That file is larger than 1 MB: a logo may be at most 1 MB (1048576 bytes)"


class NotAnImage(Invalid):
    code = "not_an_image"


class DamagedImage(Invalid):
    code = "damaged_image"


class LogoTooNarrow(Invalid):
    code = "logo_too_narrow"


class LogoTooBig(Invalid):
    code = "logo_too_big"


class LogoTooTall(Invalid):
    code = "logo_too_tall"


class LogoTooLarge(DomainError):
    """The upload is over MAX_BYTES (the edge usually answers this before the route runs)."""

    status_code = 413
    code = "too_large"


@dataclass(frozen=True)
class CheckedLogo:
    """An upload that passed every check, as it will be stored."""

    png: bytes
    width: int
    height: int
    sha256: str


# --- checking ----------------------------------------------------------------------------


def check_logo(data: bytes, *, content_type: str | None) -> CheckedLogo:
    """The upload ``data`` checked and re-encoded; raises (a 413 or a 422 a person can act
    on) when it is not a usable logo. CPU-bound: call it off the event loop."""
    if len(data) > MAX_BYTES:
        raise LogoTooLarge(TOO_LARGE)
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise NotAnImage(WRONG_TYPE)
    if not data:
        raise NotAnImage(NOT_AN_IMAGE)
    try:
        # Past Image.MAX_IMAGE_PIXELS Pillow warns (the size check below refuses that image
        # anyway: a side is over MAX_SIDE) and past twice that it refuses to open it.
        image = Image.open(io.BytesIO(data), formats=_FORMATS)
    except Image.DecompressionBombError as exc:
        raise LogoTooBig(
            f"A logo may be at most {MAX_SIDE} × {MAX_SIDE} px; this image is far larger"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise NotAnImage(NOT_AN_IMAGE) from exc
    with image:
        # From the header alone: nothing is decoded before the size is known to be sane.
        width, height = _upright_size(image)
        _check_size(width, height)
        try:
            decoded = _decode(image)
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            raise DamagedImage(f"{NOT_AN_IMAGE} (it could not be read: is it damaged?)") from exc
    return _stored_form(decoded)


_DECODING = threading.Lock()


def check_logo_alone(data: bytes, *, content_type: str | None) -> CheckedLogo:
    """:func:`check_logo`, one at a time in this process: a decode may take a few hundred
    MB, and uploads arriving together must not add up."""
    with _DECODING:
        return check_logo(data, content_type=content_type)


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size as the image is shown: EXIF orientations 5 to 8 turn it a quarter."""
    try:
        orientation = image.getexif().get(0x0112)
    except (OSError, SyntaxError, ValueError):
        orientation = None
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _check_size(width: int, height: int) -> None:
    size = f"{width} × {height} px"
    if width > MAX_SIDE or height > MAX_SIDE:
        raise LogoTooBig(f"A logo may be at most {MAX_SIDE} × {MAX_SIDE} px; this one is {size}")
    if width < MIN_WIDTH:
        raise LogoTooNarrow(f"A logo must be at least {MIN_WIDTH} px wide; this one is {size}")
    if height > width:
        raise LogoTooTall(f"A logo may be at most as tall as it is wide; this one is {size}")


def _decode(image: Image.Image) -> Image.Image:
    """The first frame, upright, in sRGB, as RGBA when it has transparency, else RGB."""
    image.seek(0)
    if image.format == "JPEG":
        # Decode a big JPEG at a reduced scale straight away (never below the stored width).
        turned = image.getexif().get(0x0112) in (5, 6, 7, 8)
        image.draft(None, (1, STORED_MAX_WIDTH) if turned else (STORED_MAX_WIDTH, 1))
    image.load()
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("I", "I;16", "I;16B", "I;16L"):
        upright = upright.convert("I").point(lambda v: v / 256).convert("L")  # 16-bit grey
    alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if alpha else "RGB"
    profile = upright.info.get("icc_profile")
    if profile and upright.mode in ("RGB", "RGBA", "CMYK") and "transparency" not in upright.info:
        try:  # the colours as they were meant, before the profile is dropped
            converted = ImageCms.profileToProfile(
                upright,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode=mode,
            )
            if converted is not None:
                upright = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the colours as they are
    return upright.convert(mode)


def _stored_form(image: Image.Image) -> CheckedLogo:
    if image.width > STORED_MAX_WIDTH:
        size = (STORED_MAX_WIDTH, max(1, round(image.height * STORED_MAX_WIDTH / image.width)))
        image = _resized(image, size)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=9)
    png = out.getvalue()
    return CheckedLogo(png, image.width, image.height, hashlib.sha256(png).hexdigest())


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.mode == "RGBA":
        # Premultiplied while resampling: transparent pixels' colour must not bleed in.
        return image.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA")
    return image.resize(size, Image.Resampling.LANCZOS)


# --- storing -----------------------------------------------------------------------------


def logo_public(branch: Branch, stored: BranchLogo) -> LogoPublic:
    url = logo_url(branch)
    assert url is not None
    return LogoPublic(url=url, width=stored.width, height=stored.height, sha256=stored.sha256)


def store_logo(
    session: Session,
    branch: Branch,
    logo: CheckedLogo,
    *,
    principal: Principal,
    now: dt.datetime,
) -> LogoPublic:
    """Make ``logo`` the branch's logo (replacing any); screens hear of it at once."""
    stored = session.get(BranchLogo, row_id(branch))
    if stored is None:
        stored = BranchLogo(
            branch_id=row_id(branch),
            data=logo.png,
            width=logo.width,
            height=logo.height,
            sha256=logo.sha256,
            updated_at=now,
        )
    else:
        stored.data, stored.width, stored.height = logo.png, logo.width, logo.height
        stored.sha256, stored.updated_at = logo.sha256, now
    session.add(stored)
    _set_logo(session, branch, logo.sha256, principal=principal, now=now)
    return logo_public(branch, stored)


def remove_logo(
    session: Session, branch: Branch, *, principal: Principal, now: dt.datetime
) -> None:
    """The branch has no logo any more (nothing to do when it had none)."""
    stored = session.get(BranchLogo, row_id(branch))
    if stored is not None:
        session.delete(stored)
    if branch.logo is not None:
        _set_logo(session, branch, None, principal=principal, now=now)


def _set_logo(
    session: Session,
    branch: Branch,
    sha256: str | None,
    *,
    principal: Principal,
    now: dt.datetime,
) -> None:
    if branch.logo == sha256:
        return
    # The audit hook records the change of branch.logo (server/audit WATCHED); the event
    # tells the screens that follow the branch (the display shows the new logo at once).
    branch.logo = sha256
    session.add(branch)
    branch_changed(session, branch, user_id=principal.user_id, now=now)


# --- serving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedLogo:
    sha256: str
    png: bytes | None  # None: the caller has this version already (If-None-Match)


def etag(sha256: str) -> str:
    return f'"{sha256}"'


def matches(if_none_match: str | None, sha256: str) -> bool:
    """Whether an If-None-Match header names this version (weak or strong, or ``*``)."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag(sha256) in tags


def served_logo(session: Session, code: str, *, if_none_match: str | None) -> ServedLogo:
    """The branch's logo for a screen; a branch without one and a branch that does not exist
    are answered alike."""
    missing = f"there is no logo for branch '{code}'"
    try:
        branch = get_branch(session, code)
    except NotFound:
        raise NotFound(missing) from None
    if branch.logo is None:
        raise NotFound(missing)
    if matches(if_none_match, branch.logo):
        return ServedLogo(branch.logo, None)
    stored = session.get(BranchLogo, row_id(branch))
    if stored is None:
        raise NotFound(missing)
    return ServedLogo(stored.sha256, stored.data)


# --- printing ----------------------------------------------------------------------------

_printed: dict[str, bytes] = {}
_PRINTED_KEPT = 32


def print_logo(session: Session, branch: Branch) -> bytes | None:
    """The branch's logo as tickets carry it (``print_form``), or None without one. Made once
    per logo version and kept: a ticket is printed for every customer."""
    if branch.logo is None:
        return None
    found = _printed.get(branch.logo)
    if found is None:
        stored = session.get(BranchLogo, row_id(branch))
        if stored is None:
            return None
        found = print_form(stored.data)
        if len(_printed) >= _PRINTED_KEPT:
            _printed.pop(next(iter(_printed)), None)
        _printed[branch.logo] = found
    return found


def print_form(png: bytes) -> bytes:
    """A stored logo flattened onto white paper, in grey, fitted into PRINT_MAX_WIDTH ×
    PRINT_MAX_HEIGHT (a small one enlarged): a few KiB a print job carries. The printer
    fits it to its own width and dithers it to black dots."""
    with Image.open(io.BytesIO(png), formats=("PNG",)) as src:
        rgba = src.convert("RGBA")
    paper = Image.new("RGB", rgba.size, (255, 255, 255))
    paper.paste(rgba, mask=rgba.getchannel("A"))
    scale = min(PRINT_MAX_WIDTH / paper.width, PRINT_MAX_HEIGHT / paper.height)
    size = (max(1, round(paper.width * scale)), max(1, round(paper.height * scale)))
    grey = paper.convert("L").resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    grey.save(out, "PNG", optimize=True)
    return out.getvalue()
