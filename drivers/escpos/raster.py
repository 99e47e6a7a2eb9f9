"""Text drawn as a bitmap, for printers whose ROM has no code page for the language.

The fonts ship inside the package (DejaVu Sans, see fonts/LICENSE) so a kiosk PC without
system fonts renders the same pixels as the test machine.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

#: Font A on Epson-compatibles is 12x24 dots; raster lines keep that rhythm per size step.
LINE_HEIGHT = 30
FONT_PX = 22


@cache
def font(*, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    ref = resources.files("drivers.escpos") / "fonts" / name
    with resources.as_file(ref) as path:
        return ImageFont.truetype(str(path), px)


def _fitting_font(texts: list[str], *, bold: bool, px: int, width: int) -> ImageFont.FreeTypeFont:
    # Shrink until the text fits: a long Greek service name must not be clipped.
    while px > 10:
        face = font(bold=bold, px=px)
        if sum(face.getlength(t) for t in texts) + 12 * (len(texts) - 1) <= width:
            return face
        px -= 1
    return font(bold=bold, px=px)


def render_line(
    left: str,
    right: str = "",
    *,
    width_px: int,
    scale: int = 1,
    bold: bool = False,
    align: str = "left",
) -> Image.Image:
    """One printed line as a black-on-white 1-bit image ``width_px`` wide.

    With ``right`` the line is a label/value pair: ``left`` flush left, ``right`` flush
    right. Otherwise ``left`` is placed by ``align`` ("left", "center", "right").
    """
    height = LINE_HEIGHT * scale
    texts = [t for t in (left, right) if t]
    face = _fitting_font(texts or [""], bold=bold, px=FONT_PX * scale, width=width_px)
    image = Image.new("L", (width_px, height), 255)
    draw = ImageDraw.Draw(image)
    # Baseline-anchored drawing keeps accents (Ö, Ά) and descenders (ş, ą) inside the box.
    baseline = round(height * 0.78)
    if right:
        draw.text((0, baseline), left, font=face, fill=0, anchor="ls")
        draw.text((width_px, baseline), right, font=face, fill=0, anchor="rs")
    else:
        x, anchor = {
            "center": (width_px // 2, "ms"),
            "right": (width_px, "rs"),
        }.get(align, (0, "ls"))
        draw.text((x, baseline), left, font=face, fill=0, anchor=anchor)
    return image.point(lambda v: 0 if v < 128 else 255).convert("1")


def is_blank(image: Image.Image) -> bool:
    """True when a black-on-white image has no ink."""
    return image.convert("L").getextrema()[0] == 255
