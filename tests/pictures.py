"""What a picture the tests are given shows: its drawn share and the colours it holds."""

from __future__ import annotations

import io

from PIL import Image


def picture(data: bytes) -> Image.Image:
    """The image in ``data`` (PNG bytes), read fully."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def drawn(image: Image.Image) -> float:
    """The share of the pixels of ``image`` that are not the colour of its top left corner (the
    background: a colour, or transparent)."""
    background = image.getpixel((0, 0))
    colours = image.getcolors(image.width * image.height) or []
    inked = sum(count for count, colour in colours if colour != background)
    return inked / (image.width * image.height)


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    """The opaque colours of ``image``, as RGB."""
    rgba = image.convert("RGBA")
    found = rgba.getcolors(rgba.width * rgba.height) or []
    return {(r, g, b) for _, (r, g, b, alpha) in found if alpha == 255}
