"""Strip thumbnails made ahead, on the worker that took (or read) the picture.

The worker's thumbnail must be the one the GUI thread would have made (same size, same pixels), the
strip must show it for an untouched shot, and ignore it as soon as the shot has black-out boxes (the
boxes must show). Pictures come as the app gets them: raw BGRX ``Screenshot`` objects labelled on a
real worker of the real task runner.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from intake_app.core.ticket import AttachmentKind
from intake_app.diagnostics.capture import Screenshot
from intake_app.diagnostics.geometry import Rect
from intake_app.ui.report import images
from intake_app.ui.report.capture_widgets import THUMB
from intake_app.ui.report.grabber import label_screenshots
from intake_app.ui.report.shots import ShotItem, item_from_stored
from intake_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

RED, BLUE, WHITE, BLACK, GREEN = (255, 0, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0), (0, 200, 0)


def screenshot(width: int, height: int, index: int = 1) -> Screenshot:
    """A raw grab as diagnostics delivers it (BGRX): left half red, right half blue."""
    left, right = bytes((0, 0, 255, 0)), bytes((255, 0, 0, 0))  # B, G, R, X
    row = left * (width // 2) + right * (width - width // 2)
    return Screenshot(pixels=row * height, width=width, height=height, geometry=Rect(0, 0, width, height),
                      monitor_index=index)


def on_worker(qtbot: Any, runner: TaskRunner, job: Any) -> tuple[Any, int]:
    """Run ``job`` on the runner's pool; its result and the thread it ran on."""
    answers: list[tuple[Any, BaseException | None]] = []

    def work() -> tuple[Any, int]:
        return job(), threading.get_ident()

    runner.run_task(work, lambda result, error: answers.append((result, error)), name="test.thumbnails")
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    result, error = answers[0]
    assert error is None, error
    return result


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    color = image.pixelColor(x, y)
    return color.red(), color.green(), color.blue()


def icon_image(strip: Any, row: int = 0) -> QImage:
    return strip.list.item(row).icon().pixmap(THUMB * 2).toImage()


def test_the_strip_box_is_what_workers_make() -> None:
    assert images.THUMB_BOX == ((THUMB * 2).width(), (THUMB * 2).height())


@pytest.mark.parametrize("size", [(1920, 1080), (2560, 1440), (3840, 1080), (1080, 1920), (1366, 768), (320, 200),
                                  (120, 80), (1, 1)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_thumbnails_made_on_the_worker_match_the_gui_thread_ones(qtbot: Any, runner: TaskRunner,
                                                                 size: tuple[int, int]) -> None:
    labelled, worker = on_worker(qtbot, runner, lambda: label_screenshots([screenshot(*size)]))
    assert worker != threading.get_ident()
    ((label, picture),) = labelled  # still unpacks as a (label, picture) pair
    assert label == "Screen 1" and picture.size == size
    ahead = images.thumbnail_of(labelled[0])
    assert ahead is not None and ahead.box == images.THUMB_BOX

    on_gui = ShotItem(label=label, filename="screenshot-1.png", picture=picture).rendered(THUMB * 2)
    assert (ahead.image.width(), ahead.image.height()) == (on_gui.width(), on_gui.height())
    assert ahead.image.convertToFormat(on_gui.format()) == on_gui  # the same pixels, too
    assert rgb(ahead.image, ahead.image.width() - 1, 0) == BLUE
    assert rgb(ahead.image, 0, 0) == (RED if size[0] > 1 else BLUE)  # one pixel wide: only the right "half"


def test_an_untouched_shot_uses_the_thumbnail_made_ahead(qapp: Any) -> None:
    picture = Image.new("RGB", (1920, 1080), WHITE)
    marker = images.Thumbnail(images.THUMB_BOX, images.to_qimage(Image.new("RGB", (320, 180), GREEN)))
    item = ShotItem(label="Screen 1", filename="screenshot-1.png", picture=picture, thumbnail=marker)
    shown = item.rendered(THUMB * 2)
    assert rgb(shown, 100, 100) == GREEN  # the one made ahead, not a new one
    assert shown == marker.image and item._qimage is None
    other = item.rendered(QSize(80, 50))  # another box: made for it, from the picture
    assert (other.width(), other.height()) == (80, 45) and rgb(other, 40, 20) == WHITE
    assert rgb(item.rendered(), 10, 10) == WHITE  # the full-size preview is always the picture


def test_the_thumbnail_made_ahead_is_ignored_once_the_shot_has_boxes(qapp: Any) -> None:
    picture = Image.new("RGB", (1920, 1080), WHITE)
    ahead = images.make_thumbnail(picture)
    item = ShotItem(label="Screen 1", filename="screenshot-1.png", picture=picture, thumbnail=ahead)
    item.boxes = [(0, 0, 960, 540)]
    thumb = item.rendered(THUMB * 2)
    assert (thumb.width(), thumb.height()) == (320, 180)
    assert rgb(thumb, 40, 40) == BLACK and rgb(thumb, 240, 140) == WHITE
    item.boxes = []  # all boxes removed again: the untouched picture's thumbnail is right again
    assert item.rendered(THUMB * 2) == ahead.image


def test_the_strip_shows_the_worker_thumbnail_until_parts_are_blacked_out(qtbot: Any, make_window: Any) -> None:
    picture = Image.new("RGB", (1920, 1080), WHITE)
    marker = images.Thumbnail(images.THUMB_BOX, images.to_qimage(Image.new("RGB", (320, 180), GREEN)))
    window = make_window([images.Labelled("Screen 1", picture, marker)])
    strip = window.form.strip
    (item,) = strip.items
    assert isinstance(item, ShotItem) and item.thumbnail is marker and item.picture is picture
    before = icon_image(strip)
    assert rgb(before, before.width() // 2, before.height() // 2) == GREEN

    item.boxes = [(0, 0, 960, 540)]
    strip.refresh_item(item)
    after = icon_image(strip)
    assert rgb(after, after.width() // 4, after.height() // 4) == BLACK
    assert rgb(after, 3 * after.width() // 4, 3 * after.height() // 4) == WHITE  # the picture, not the marker


def test_shots_labelled_on_the_worker_open_with_their_thumbnails(qtbot: Any, runner: TaskRunner,
                                                                 make_window: Any) -> None:
    labelled, _worker = on_worker(qtbot, runner, lambda: label_screenshots([screenshot(1920, 1080, 1),
                                                                            screenshot(1280, 1024, 2)]))
    window = make_window(labelled)
    strip = window.form.strip
    assert [i.label for i in strip.items] == ["Screen 1", "Screen 2"]
    for row, (pair, item) in enumerate(zip(labelled, strip.items, strict=True)):
        assert isinstance(item, ShotItem) and item.thumbnail is images.thumbnail_of(pair)
        icon = icon_image(strip, row)
        assert (icon.width(), icon.height()) == (item.thumbnail.image.width(), item.thumbnail.image.height())
        assert rgb(icon, 2, 2) == RED and rgb(icon, icon.width() - 3, icon.height() - 3) == BLUE


def test_plain_pairs_still_get_their_thumbnail_on_the_gui_thread(qtbot: Any, make_window: Any) -> None:
    window = make_window([("Screen 1", Image.new("RGB", (1920, 1080), WHITE))])
    (item,) = window.form.strip.items
    assert isinstance(item, ShotItem) and item.thumbnail is None
    icon = icon_image(window.form.strip)
    assert (icon.width(), icon.height()) == (320, 180) and rgb(icon, 100, 100) == WHITE


def test_attached_and_restored_pictures_come_with_thumbnails(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    photo = Image.new("RGB", (1000, 600), WHITE)
    ImageDraw.Draw(photo).rectangle((0, 0, 499, 599), fill=RED)
    path = tmp_path / "photo.png"
    photo.save(path)
    window = make_window()
    strip = window.form.strip
    window.attachments.attach_paths([str(path)])
    qtbot.waitUntil(lambda: len(strip.items) == 1, timeout=10_000)
    (item,) = strip.items
    assert isinstance(item, ShotItem) and item.thumbnail is not None
    assert item.thumbnail.image == images.thumbnail_qimage(item.picture, *images.THUMB_BOX)

    stored = item_from_stored("k1", "screenshot-1.png", AttachmentKind.SCREENSHOT, path.read_bytes(), {})
    assert isinstance(stored, ShotItem) and stored.thumbnail is not None
    assert (stored.thumbnail.image.width(), stored.thumbnail.image.height()) == (320, 192)
