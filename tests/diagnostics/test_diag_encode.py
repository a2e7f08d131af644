"""Encoding (PNG exact, lossy readable, within a size), thumbnails and redaction, on known pixels."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image, ImageChops, ImageDraw

from intake_app.diagnostics.capture import Screenshot
from intake_app.diagnostics.encode import encode_lossy, encode_png, encode_within, thumbnail, thumbnail_image
from intake_app.diagnostics.geometry import Rect
from intake_app.diagnostics.images_in import screenshot_attachment
from intake_app.diagnostics.redact import redact

from intake_app.core.ticket import AttachmentKind


def ui_image(width: int = 800, height: int = 500) -> Image.Image:
    """Screen-like content: flat panels, text, a coloured block."""
    image = Image.new("RGB", (width, height), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    for y in range(10, height, 16):
        draw.text((10, y), "Error 0x80070005: Access is denied. The printer on floor 2 is offline.", fill=(20, 20, 20))
    draw.rectangle((500, 50, 700, 250), fill=(30, 80, 160))
    return image


def noise_image(width: int, height: int) -> Image.Image:
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def as_screenshot(image: Image.Image, left: int = 0, top: int = 0) -> Screenshot:
    """BGRX bytes, as mss delivers them."""
    r, g, b = image.split()
    pixels = Image.merge("RGBA", (b, g, r, Image.new("L", image.size, 255))).tobytes()
    return Screenshot(pixels, image.width, image.height, Rect(left, top, image.width, image.height), 1)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_png_is_lossless_and_carries_no_metadata() -> None:
    original = ui_image()
    encoded = encode_png(as_screenshot(original, left=-1920))
    assert (encoded.format, encoded.media_type, encoded.extension) == ("png", "image/png", ".png")
    decoded = decode(encoded.data)
    assert decoded.mode == "RGB" and decoded.size == original.size
    assert ImageChops.difference(decoded, original).getbbox() is None
    assert not decoded.info and not decoded.getexif()
    rgba = Image.new("RGBA", (3, 2), (10, 20, 30, 40))
    assert decode(encode_png(rgba).data).getpixel((1, 1)) == (10, 20, 30, 40)
    assert decode(encode_png(Image.new("L", (4, 4), 128)).data).getpixel((0, 0)) == (128, 128, 128)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_lossy_formats_stay_close_to_the_original(fmt: str) -> None:
    original = ui_image()
    encoded = encode_lossy(as_screenshot(original), fmt, 85)
    decoded = decode(encoded.data).convert("RGB")
    assert decoded.size == original.size and encoded.quality == 85
    assert decoded.getpixel((600, 150)) == pytest.approx(original.getpixel((600, 150)), abs=12)
    with pytest.raises(ValueError, match="unknown lossy format"):
        encode_lossy(original, "gif")


def test_encode_within_steps_down_only_as_far_as_needed() -> None:
    image = noise_image(600, 400)  # noise: PNG ~720 KB
    png = encode_within(image, None)
    assert png.format == "png"
    assert encode_within(image, png.size).format == "png"
    q90 = encode_lossy(image, "jpeg", 90)
    assert encode_within(image, q90.size) == q90
    q80 = encode_lossy(image, "jpeg", 80)
    fitted = encode_within(image, q80.size)
    assert (fitted.format, fitted.quality, fitted.width) == ("jpeg", 80, 600)
    smaller = encode_within(image, q80.size - 1)
    assert smaller.width == 450 and smaller.size < q80.size  # downscaled only as the last resort
    hopeless = encode_within(image, 100)
    assert hopeless.width == 300 and hopeless.size > 100  # smallest tried; the caller reports it


def test_thumbnails_keep_the_aspect_ratio() -> None:
    shot = as_screenshot(ui_image(3840, 2160))
    small = thumbnail_image(shot, (320, 320))
    assert small.size == (320, 180)
    encoded = thumbnail(shot)
    assert decode(encoded.data).size == (320, 180)
    source = ui_image()
    thumbnail_image(source)
    assert source.size == (800, 500)  # the caller's image is not shrunk in place


def test_redaction_burns_black_boxes_and_keeps_the_rest() -> None:
    original = ui_image()
    shot = as_screenshot(original)
    boxes = [Rect(10, 10, 300, 40), Rect(750, 450, 200, 200), Rect(-50, 480, 60, 60), Rect(5000, 5000, 1, 1)]
    redacted = redact(shot, boxes)
    decoded = decode(encode_png(redacted).data)
    for box in (Rect(10, 10, 300, 40), Rect(750, 450, 50, 50), Rect(0, 480, 10, 20)):
        region = decoded.crop((box.left, box.top, box.right, box.bottom))
        assert region.getextrema() == ((0, 0), (0, 0), (0, 0)), f"{box} is not solid black"
    mask = Image.new("L", original.size, 255)
    for box in (Rect(10, 10, 300, 40), Rect(750, 450, 50, 50), Rect(0, 480, 10, 20)):
        mask.paste(0, (box.left, box.top, box.right, box.bottom))
    untouched = ImageChops.multiply(ImageChops.difference(decoded, original).convert("L"), mask)
    assert untouched.getbbox() is None, "pixels outside the boxes changed"
    assert ImageChops.difference(shot.image(), original).getbbox() is None  # the original is unchanged
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    assert redact(rgba, [Rect(0, 0, 5, 5)]).getpixel((1, 1)) == (0, 0, 0)  # no alpha to hide pixels behind


def test_encoded_screenshot_becomes_an_attachment() -> None:
    encoded = encode_png(ui_image(50, 40))
    attachment = screenshot_attachment(encoded, "monitor-1")
    assert attachment.kind == AttachmentKind.SCREENSHOT and attachment.filename == "monitor-1.png"
    assert attachment.media_type == "image/png" and attachment.size == encoded.size
    assert screenshot_attachment(encode_lossy(ui_image(50, 40))).filename.endswith(".jpg")
