"""The branch's logo on the printed ticket: across the printable width, at most 120 dots
tall, dithered to black dots, above everything else; a branch without a logo prints none.
Read back from the test printer's TCP socket, as a real printer would receive it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image

from drivers.base import TicketContent, content_from_json, content_to_json
from drivers.escpos.parse import PrintedImage, PrintedLine, Receipt
from tests.server.printing.conftest import PrintingBranch
from tests.support import logo_image


def upload(branch: PrintingBranch, data: bytes) -> dict[str, Any]:
    r = branch.client.put(
        f"/api/v1/admin/branches/{branch.kit.code}/logo",
        content=data,
        headers={**branch.admin, "Content-Type": "image/png"},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def code_index(receipt: Receipt, code: str) -> int:
    return next(
        i
        for i, item in enumerate(receipt.items)
        if isinstance(item, PrintedLine) and item.text.strip() == code
    )


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around the printed dots (black in the parsed image)."""
    return Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()


@pytest.mark.parametrize(
    ("paper_mm", "size", "ink_width"),
    [
        # 400 x 100: as wide as 120 dots of height allow (480), centred on 576 dots
        (80, (576, 120), 480),
        # on 58 mm paper the width binds first: 384 x 96
        (58, (384, 96), 384),
    ],
)
def test_the_logo_is_printed_first_fitted_to_the_paper(
    branch: PrintingBranch, paper_mm: int, size: tuple[int, int], ink_width: int
) -> None:
    branch.configure(paper_mm=paper_mm)
    upload(branch, logo_image(400, 100))
    issued = branch.issue()
    assert issued["print_status"] == "printed"
    [receipt] = branch.printer.wait_for_receipts(1)
    first = receipt.items[0]
    assert isinstance(first, PrintedImage)
    assert receipt.images == [first.image]  # the QR is a native one: the logo is the image
    assert first.image.size == size
    assert code_index(receipt, issued["code"]) > 0  # the number comes after it
    box = ink_box(first.image)
    assert box is not None
    left, _, right, _ = box
    # The drawing leaves a few pixels of margin: its ink spans nearly the fitted width.
    assert 0.95 * ink_width <= right - left <= ink_width
    assert abs(left - (size[0] - right)) <= 6  # centred


def test_the_logo_is_dithered_to_dots(branch: PrintingBranch) -> None:
    grey = Image.new("L", (400, 100), 128)  # mid grey: about every other dot burnt
    out = io.BytesIO()
    grey.save(out, "PNG")
    upload(branch, out.getvalue())
    branch.issue()
    [receipt] = branch.printer.wait_for_receipts(1)
    image = receipt.images[0]
    assert image.mode == "1"
    inside = image.crop((48 + 20, 20, 48 + 460, 100))  # within the 480-dot-wide logo
    share = inside.convert("L").histogram()[0] / (inside.width * inside.height)
    assert 0.35 < share < 0.65, share  # a pattern of dots, neither solid nor blank


def test_no_logo_no_image_and_a_removed_logo_stops_printing(branch: PrintingBranch) -> None:
    plain = branch.issue()
    upload(branch, logo_image())
    with_logo = branch.issue()
    r = branch.client.delete(f"/api/v1/admin/branches/{branch.kit.code}/logo", headers=branch.admin)
    assert r.status_code == 204
    after = branch.issue()
    first, second, third = branch.printer.wait_for_receipts(3)
    assert first.images == []
    assert isinstance(first.items[0], PrintedLine)
    assert plain["code"] in first.text
    assert len(second.images) == 1
    assert with_logo["code"] in second.text
    assert third.images == []
    assert after["code"] in third.text


def test_a_reprint_carries_the_logo(branch: PrintingBranch) -> None:
    upload(branch, logo_image())
    issued = branch.issue()
    r = branch.client.post(
        f"/api/v1/tickets/{issued['id']}/reprint", headers=branch.kit.auth("teller1")
    )
    assert r.status_code == 200, r.text
    first, again = branch.printer.wait_for_receipts(2)
    assert again.images[0].size == first.images[0].size == (576, 120)
    assert again.images[0].tobytes() == first.images[0].tobytes()


def test_a_print_job_carries_the_logo_as_base64_for_the_agent() -> None:
    png = logo_image()
    content = TicketContent(
        code="A001",
        service_name="Cash",
        lang="en",
        issued_at=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        people_ahead=0,
        estimated_wait_s=0,
        qr_url="http://sira.test/t/x",
        bank_name="Bank",
        logo_png=png,
    )
    as_json = content_to_json(content)
    assert isinstance(as_json["logo_png"], str)
    assert content_from_json(as_json).logo_png == png
    assert content_from_json({**as_json, "logo_png": "not base64!"}).logo_png is None
    assert content_from_json({**as_json, "logo_png": None}).logo_png is None
