"""The QR code a kiosk shows for a ticket: the customer page's address, as SVG."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def status_url(public_url: str, token: str) -> str:
    """The customer's page for a ticket (what the QR code holds)."""
    return f"{public_url.rstrip('/')}/t/{token}"


def qr_svg(text: str) -> bytes:
    """``text`` as a scalable SVG QR code on a white background (medium error correction)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return buf.getvalue()
