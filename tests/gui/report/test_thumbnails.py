"""Thumbnails of screenshots: Pillow's reduce fast path for untouched shots, the painted path for redacted ones.

``images.thumbnail_qimage`` must give what ``QImage.scaled(..., KeepAspectRatio, SmoothTransformation)`` of
the whole picture gave before (size within a pixel of Qt's rounding, colours where they were), never
upscale, and cope with every picture the report can hold (screens, pasted and attached files of any mode).
A shot with black-out boxes must keep going through the painted path, so the boxes show in its thumbnail.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage

from intake_app.core.ticket import AttachmentKind
from intake_app.ui.report import images
from intake_app.ui.report.capture_widgets import THUMB
from intake_app.ui.report.shots import ShotItem, item_from_stored

pytestmark = pytest.mark.gui

RED, BLUE, WHITE, BLACK = (255, 0, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)


def halves(size: tuple[int, int], left: tuple[int, int, int] = RED, right: tuple[int, int, int] = BLUE,
           mode: str = "RGB") -> Image.Image:
    picture = Image.new("RGB", size, right)
    if size[0] > 1:
        ImageDraw.Draw(picture).rectangle((0, 0, size[0] // 2 - 1, size[1] - 1), fill=left)
    return picture.convert(mode) if mode != "RGB" else picture


def qt_scaled(picture: Image.Image, width: int, height: int) -> QImage:
    """What the report showed before the fast path: the whole picture as a QImage, scaled by Qt."""
    full = images.to_qimage(picture)
    if full.width() <= width and full.height() <= height:
        return full
    return full.scaled(QSize(width, height), Qt.AspectRatioMode.KeepAspectRatio,
                       Qt.TransformationMode.SmoothTransformation)


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    color = image.pixelColor(x, y)
    return color.red(), color.green(), color.blue()


def near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 24) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip(a, b, strict=True))


def sample_points(image: QImage, grid: int = 9) -> list[tuple[float, float]]:
    return [((i + 0.5) / grid, (j + 0.5) / grid) for i in range(grid) for j in range(grid)]


def at(image: QImage, fx: float, fy: float) -> tuple[int, int, int]:
    return rgb(image, min(image.width() - 1, int(fx * image.width())), min(image.height() - 1, int(fy * image.height())))


# --- sizes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("picture", "box", "expected"), [
    ((1920, 1080), (320, 200), (320, 180)),  # a 1080p screen into the strip's 2x thumbnail
    ((2560, 1440), (320, 200), (320, 180)),
    ((3840, 1080), (320, 200), (320, 90)),  # two screens side by side
    ((1080, 1920), (320, 200), (112, 200)),  # a portrait screen (112.5 rounds to even)
    ((640, 400), (320, 200), (320, 200)),  # exactly twice: reduce alone
    ((320, 200), (320, 200), (320, 200)),  # exactly the box
    ((100, 50), (320, 200), (100, 50)),  # smaller: never upscaled
    ((1, 1), (320, 200), (1, 1)),
    ((1, 1000), (320, 200), (1, 200)),  # one pixel wide stays one pixel wide
    ((5000, 1), (320, 200), (320, 1)),  # one pixel high stays one pixel high
    ((1920, 1080), (1, 1), (1, 1)),  # a one-pixel box
    ((1921, 1081), (320, 200), (320, 180)),  # odd sizes
    ((333, 777), (320, 200), (86, 200)),
    ((1919, 1079), (319, 199), (319, 179)),
], ids=lambda value: "x".join(map(str, value)))
def test_size_keeps_the_aspect_ratio_and_never_upscales(qapp: Any, picture: tuple[int, int], box: tuple[int, int],
                                                        expected: tuple[int, int]) -> None:
    thumb = images.thumbnail_qimage(halves(picture), *box)
    assert (thumb.width(), thumb.height()) == expected
    assert thumb.width() <= box[0] and thumb.height() <= box[1]
    assert thumb.width() <= picture[0] and thumb.height() <= picture[1]
    before = qt_scaled(halves(picture), *box)
    assert abs(thumb.width() - before.width()) <= 1 and abs(thumb.height() - before.height()) <= 1


def test_aspect_ratio_is_kept_within_rounding(qapp: Any) -> None:
    for width, height in [(1366, 768), (1280, 1024), (2736, 1824), (999, 333), (7, 1999)]:
        thumb = images.thumbnail_qimage(halves((width, height)), 320, 200)
        assert thumb.width() == 320 or thumb.height() == 200  # it fills the box one way
        assert abs(thumb.width() / thumb.height() - width / height) <= width / height / min(thumb.width(),
                                                                                              thumb.height())


# --- pixels -------------------------------------------------------------------------------------------
def test_red_left_half_and_blue_right_half_stay_where_they_were(qapp: Any) -> None:
    picture = halves((1920, 1080))
    thumb = images.thumbnail_qimage(picture, 320, 200)
    before = qt_scaled(picture, 320, 200)
    for y in (0, thumb.height() // 2, thumb.height() - 1):
        assert rgb(thumb, 0, y) == RED and rgb(thumb, thumb.width() // 4, y) == RED
        assert rgb(thumb, thumb.width() - 1, y) == BLUE and rgb(thumb, 3 * thumb.width() // 4, y) == BLUE
        assert rgb(before, 0, y) == RED and rgb(before, before.width() - 1, y) == BLUE
    # the boundary is where Qt put it, give or take the pixel both blend
    assert rgb(thumb, thumb.width() // 2 - 2, 90) == RED and rgb(thumb, thumb.width() // 2 + 1, 90) == BLUE


def test_a_detailed_picture_roughly_matches_qt_scaling(qapp: Any) -> None:
    picture = Image.linear_gradient("L").resize((1920, 1080)).convert("RGB")  # dark top, light bottom
    draw = ImageDraw.Draw(picture)
    draw.rectangle((200, 100, 900, 500), fill=(0, 160, 60))  # a green window
    draw.ellipse((1200, 300, 1700, 900), fill=(250, 200, 0))  # a yellow disc
    thumb = images.thumbnail_qimage(picture, 320, 200)
    before = qt_scaled(picture, 320, 200)
    assert (thumb.width(), thumb.height()) == (before.width(), before.height())
    differences = [max(abs(p - q) for p, q in zip(at(thumb, fx, fy), at(before, fx, fy), strict=True))
                   for fx, fy in sample_points(thumb)]
    assert max(differences) <= 24, differences
    assert near(at(thumb, 550 / 1920, 300 / 1080), (0, 160, 60), 2)
    assert near(at(thumb, 1450 / 1920, 600 / 1080), (250, 200, 0), 2)


def test_transparency_is_kept(qapp: Any) -> None:
    picture = Image.new("RGBA", (1000, 1000), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle((500, 0, 999, 999), fill=(0, 0, 255, 255))
    thumb = images.thumbnail_qimage(picture, 100, 100)
    assert thumb.pixelColor(10, 50).alpha() == 0
    assert thumb.pixelColor(90, 50) == QColor(0, 0, 255, 255)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "PA", "1", "CMYK", "I", "I;16", "F"])
def test_every_picture_mode_makes_a_thumbnail(qapp: Any, mode: str) -> None:
    """Attached and pasted files keep their own mode (a GIF or 8-bit PNG is "P"; a fax TIFF "1")."""
    picture = halves((1000, 600), left=BLACK, right=WHITE, mode=mode)
    thumb = images.thumbnail_qimage(picture, 320, 200)
    assert (thumb.width(), thumb.height()) == (320, 192)
    before = qt_scaled(picture, 320, 200)
    for fx, fy in [(0.1, 0.5), (0.9, 0.5), (0.3, 0.1), (0.7, 0.9)]:
        assert near(at(thumb, fx, fy), at(before, fx, fy)), (mode, fx, fy)


def test_a_gif_file_attached_to_the_report_gets_its_thumbnail(qapp: Any) -> None:
    buffer = io.BytesIO()
    halves((1200, 800)).convert("P").save(buffer, "GIF")
    item = item_from_stored("k1", "diagram.gif", AttachmentKind.SCREENSHOT, buffer.getvalue(), {"origin": "file"})
    assert isinstance(item, ShotItem) and item.picture.mode == "P"
    thumb = item.rendered(THUMB * 2)
    assert (thumb.width(), thumb.height()) == (300, 200)
    assert rgb(thumb, 10, 100) == RED and rgb(thumb, 290, 100) == BLUE


# --- ShotItem.rendered --------------------------------------------------------------------------------
def test_an_untouched_shot_is_scaled_without_converting_the_whole_picture(qapp: Any) -> None:
    picture = halves((1920, 1080))
    item = ShotItem(label="Screen 1", filename="screenshot-1.png", picture=picture)
    thumb = item.rendered(THUMB * 2)
    assert item._qimage is None  # the full-size QImage was never made
    assert thumb == images.thumbnail_qimage(picture, 320, 200)
    full = item.rendered()  # the preview: full size, the full QImage made now
    assert (full.width(), full.height()) == (1920, 1080) and item._qimage is not None
    again = item.rendered(THUMB * 2)  # once the full image exists, Qt scales it (the old path)
    assert (again.width(), again.height()) == (thumb.width(), thumb.height())
    assert rgb(again, 5, 90) == RED and rgb(again, 315, 90) == BLUE


def test_a_small_untouched_shot_is_shown_as_it_is(qapp: Any) -> None:
    picture = halves((120, 80))
    item = ShotItem(label="Pasted image", filename="clip.png", picture=picture)
    thumb = item.rendered(THUMB * 2)
    assert thumb == images.to_qimage(picture)


def test_black_out_boxes_show_in_the_thumbnail(qapp: Any) -> None:
    picture = Image.new("RGB", (1920, 1080), WHITE)
    item = ShotItem(label="Screen 1", filename="screenshot-1.png", picture=picture,
                    boxes=[(0, 0, 960, 540), (1500, 800, 300, 200)])
    thumb = item.rendered(THUMB * 2)
    assert (thumb.width(), thumb.height()) == (320, 180)
    assert rgb(thumb, 40, 40) == BLACK and rgb(thumb, 155, 85) == BLACK  # the top-left quarter
    assert rgb(thumb, 275, 150) == BLACK  # the small box at (1500..1800, 800..1000)
    assert rgb(thumb, 240, 40) == WHITE and rgb(thumb, 40, 140) == WHITE
    assert picture.getpixel((100, 100)) == WHITE  # painted on a copy: the picture itself is untouched


def test_the_strip_thumbnail_shows_the_boxes_after_redaction(qtbot: Any, make_window: Any) -> None:
    window = make_window([("Screen 1", Image.new("RGB", (1920, 1080), WHITE))])
    strip = window.attachments.strip
    qtbot.waitUntil(lambda: len(strip.items) == 1, timeout=10_000)
    item = strip.items[0]
    assert isinstance(item, ShotItem)

    def icon_image() -> QImage:
        return strip.list.item(0).icon().pixmap(THUMB * 2).toImage()

    before = icon_image()
    assert rgb(before, before.width() // 4, before.height() // 4) == WHITE
    item.boxes = [(0, 0, 960, 540)]
    strip.refresh_item(item)
    after = icon_image()
    assert rgb(after, after.width() // 4, after.height() // 4) == BLACK
    assert rgb(after, 3 * after.width() // 4, 3 * after.height() // 4) == WHITE
