"""Screenshots: the window is never in them, a clear confirmation, region, paste, files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication

from intake_app.diagnostics.capture import capture_now
from intake_app.ui.report.region_selector import RegionSelector
from intake_app.ui.report.shots import FileItem, ShotItem

from report_helpers import click, has_color

pytestmark = pytest.mark.gui

MAGENTA = (255, 0, 255)


def _paint_magenta(window: Any) -> None:
    palette = window.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(*MAGENTA))
    window.setPalette(palette)
    window.setAutoFillBackground(True)
    window.move(0, 0)
    window.repaint()


def test_capture_all_screens_hides_the_window_first(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _paint_magenta(window)
    # control: with the window on screen, a grab does contain its colour
    qtbot.waitUntil(lambda: has_color(capture_now()[0].image(), MAGENTA), timeout=5000)
    before = len(window.form.strip.items)
    click(qtbot, window.form.strip.all_button)
    qtbot.waitUntil(lambda: len(window.form.strip.items) > before, timeout=10_000)
    new = [i for i in window.form.strip.items[before:] if isinstance(i, ShotItem)]
    assert new and all(not has_color(item.picture, MAGENTA) for item in new)
    assert window.isVisible()  # restored after the grab
    assert window.form.strip.confirmation.text().startswith("✔ Screenshot taken")
    assert window.form.strip.current() is new[-1]


def test_capture_one_screen_from_the_menu(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _paint_magenta(window)
    strip = window.form.strip
    qtbot.waitUntil(lambda: strip.screen_menu.actions() != [], timeout=5000)
    assert strip.screen_menu.actions()[0].text().startswith("Screen 1 (1920×1080)")
    before = len(strip.items)
    strip.screen_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: len(strip.items) == before + 1, timeout=10_000)
    assert not has_color(strip.items[-1].picture, MAGENTA)
    assert "Screen 1" in strip.confirmation.text()


def test_capture_a_region_over_a_frozen_grab(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _paint_magenta(window)
    strip = window.form.strip
    before = len(strip.items)
    click(qtbot, strip.region_button)
    qtbot.waitUntil(lambda: window.attachments.capture.selector is not None, timeout=10_000)
    selector: RegionSelector = window.attachments.capture.selector
    qtbot.waitExposed(selector)
    assert not window.isVisible()
    qtbot.mousePress(selector, Qt.MouseButton.LeftButton, pos=QPoint(100, 50))
    qtbot.mouseMove(selector, QPoint(300, 250))
    qtbot.mouseRelease(selector, Qt.MouseButton.LeftButton, pos=QPoint(300, 250))
    qtbot.waitUntil(lambda: len(strip.items) == before + 1, timeout=5000)
    shot = strip.items[-1]
    assert isinstance(shot, ShotItem) and (shot.picture.width, shot.picture.height) == (200, 200)
    assert not has_color(shot.picture, MAGENTA)
    assert window.isVisible()


def test_region_escape_cancels_and_restores(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    before = len(window.form.strip.items)
    click(qtbot, window.form.strip.region_button)
    qtbot.waitUntil(lambda: window.attachments.capture.selector is not None, timeout=10_000)
    qtbot.keyClick(window.attachments.capture.selector, Qt.Key.Key_Escape)
    qtbot.waitUntil(window.isVisible, timeout=5000)
    assert len(window.form.strip.items) == before
    assert window.form.strip.all_button.isEnabled()


def test_shots_taken_when_asked_are_shown(qtbot: Any, make_window: Any) -> None:
    shots = capture_now()
    window = make_window(shots)
    items = window.form.strip.items
    assert [i.label for i in items] == ["Screen 1"] and items[0].origin == "asked"
    assert window.form.strip.list.item(0).icon().isNull() is False


def test_paste_image_and_empty_clipboard(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    strip = window.form.strip
    QGuiApplication.clipboard().setText("only text")
    click(qtbot, strip.paste_button)
    assert "The clipboard has no image" in strip.error.text()
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 200, 30))
    QGuiApplication.clipboard().setImage(image)
    qtbot.waitUntil(lambda: not QGuiApplication.clipboard().image().isNull(), timeout=3000)
    click(qtbot, strip.paste_button)
    qtbot.waitUntil(lambda: len(strip.items) == 1, timeout=5000)
    pasted = strip.items[-1]
    assert isinstance(pasted, ShotItem) and pasted.origin == "paste"
    assert pasted.picture.convert("RGB").getpixel((5, 5)) == (10, 200, 30)
    assert strip.error.isHidden() and "pasted" in strip.confirmation.text()


def test_damaged_clipboard_image_is_refused_with_a_reason(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    strip = window.form.strip
    mime = QMimeData()
    mime.setData("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    QGuiApplication.clipboard().setMimeData(mime)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().mimeData().hasFormat("image/png"), timeout=3000)
    click(qtbot, strip.paste_button)
    qtbot.waitUntil(lambda: not strip.error.isHidden(), timeout=5000)
    assert "damaged or incomplete" in strip.error.text()
    assert strip.items == []


def test_attach_files_good_and_bad(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window()
    strip = window.form.strip
    log = tmp_path / "app.log"
    log.write_text("line 1\n\tline 2 ✓\n", encoding="utf-8")
    picture = tmp_path / "photo.png"
    Image.new("RGB", (30, 20), (1, 2, 3)).save(picture)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really")
    window.attachments.attach_paths([str(log), str(picture), str(tmp_path), str(empty), str(broken)])
    qtbot.waitUntil(lambda: len(strip.items) == 2, timeout=5000)
    file_item, image_item = strip.items
    assert isinstance(file_item, FileItem) and file_item.data == log.read_bytes()
    assert isinstance(image_item, ShotItem) and image_item.original == picture.read_bytes()
    message = strip.error.text()
    assert "is a folder" in message and "is empty" in message and "“broken.png” is damaged" in message


def test_remove_with_button_and_delete_key(qtbot: Any, make_window: Any) -> None:
    pictures = [("A", Image.new("RGB", (20, 20))), ("B", Image.new("RGB", (20, 20)))]
    window = make_window(pictures)
    strip = window.form.strip
    strip.list.setCurrentRow(0)
    click(qtbot, strip.remove_button)
    assert [i.label for i in strip.items] == ["B"]
    strip.list.setFocus()
    strip.list.setCurrentRow(0)
    qtbot.keyClick(strip.list, Qt.Key.Key_Delete)
    assert strip.items == [] and not strip.remove_button.isEnabled()
    assert "Removed: B" in strip.confirmation.text()


def test_preview_shows_the_shot_as_it_will_be_sent(qtbot: Any, make_window: Any) -> None:
    window = make_window([("A", Image.new("RGB", (40, 30), (255, 255, 255)))])
    strip = window.form.strip
    strip.items[0].boxes.append((0, 0, 10, 10))
    strip.list.setCurrentRow(0)
    click(qtbot, strip.preview_button)
    dialog = next(w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Preview: A" and w.isVisible())
    from PySide6.QtWidgets import QLabel
    label = next(l for l in dialog.findChildren(QLabel) if l.pixmap() is not None and not l.pixmap().isNull())
    image = label.pixmap().toImage()
    assert image.pixelColor(2, 2) == QColor("black") and image.pixelColor(30, 20) == QColor("white")
    dialog.close()


class BrokenScreen:
    """A display that refuses to be captured (cannot be produced on the test Xvfb)."""

    def monitors(self) -> list[tuple[int, str]]:
        return []

    def grab_all(self) -> list[Any]:
        from intake_app.diagnostics.errors import CaptureError

        raise CaptureError("The screen cannot be captured: no display is available.")

    grab_desktop = grab_all

    def grab_monitor(self, number: int) -> Any:
        return self.grab_all()


def test_a_failed_capture_says_why_and_gives_the_window_back(qtbot: Any, make_window: Any) -> None:
    window = make_window(grabber=BrokenScreen())
    strip = window.form.strip
    assert not strip.screen_button.isEnabled()  # no monitors to offer
    click(qtbot, strip.all_button)
    qtbot.waitUntil(lambda: not strip.error.isHidden(), timeout=10_000)
    assert strip.error.text() == ("The screenshot could not be taken: The screen cannot be captured: "
                                  "no display is available.")
    assert window.isVisible() and strip.all_button.isEnabled() and strip.items == []
