"""Black-out boxes: drawn with the mouse or the keyboard, burned into the bytes that leave."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt

from intake_app.ui.report.shots import ShotItem

from report_helpers import click

pytestmark = pytest.mark.gui

WHITE = (255, 255, 255)


def _open_editor(qtbot: Any, window: Any) -> Any:
    strip = window.form.strip
    strip.list.setCurrentRow(0)
    click(qtbot, strip.redact_button)
    editor = window.attachments.editor
    assert editor is not None
    qtbot.waitExposed(editor)
    qtbot.waitUntil(editor.isActiveWindow, timeout=5000)
    return editor


def test_mouse_box_is_burned_into_the_sent_bytes_and_the_original_is_untouched(qtbot: Any,
                                                                               make_window: Any) -> None:
    picture = Image.new("RGB", (400, 300), WHITE)
    window = make_window([("Screen 1", picture)])
    editor = _open_editor(qtbot, window)
    canvas = editor.canvas
    target = canvas._target()
    to_widget = lambda x, y: QPoint(round(target.x() + x * target.width() / 400),  # noqa: E731
                                    round(target.y() + y * target.height() / 300))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=to_widget(100, 100))
    qtbot.mouseMove(canvas, to_widget(200, 150))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=to_widget(200, 150))
    assert len(canvas.boxes) == 1
    x, y, w, h = canvas.boxes[0]
    assert abs(x - 100) <= 2 and abs(y - 100) <= 2 and abs(w - 100) <= 3 and abs(h - 50) <= 3
    click(qtbot, editor.buttons.button(editor.buttons.StandardButton.Ok))
    shot = window.form.strip.items[0]
    assert isinstance(shot, ShotItem) and shot.boxes == [(x, y, w, h)]
    assert "1 area(s) blacked out" in window.form.strip.confirmation.text()
    sent = Image.open(io.BytesIO(shot.producer()()))
    assert sent.getpixel((x + w // 2, y + h // 2))[:3] == (0, 0, 0)
    assert sent.getpixel((x - 5, y - 5))[:3] == WHITE and sent.getpixel((390, 290))[:3] == WHITE
    assert picture.getpixel((x + w // 2, y + h // 2)) == WHITE  # the in-memory original is unchanged


def test_keyboard_only_redaction_and_undo(qtbot: Any, make_window: Any) -> None:
    window = make_window([("Screen 1", Image.new("RGB", (200, 100), WHITE))])
    editor = _open_editor(qtbot, window)
    canvas = editor.canvas
    qtbot.waitUntil(canvas.hasFocus, timeout=3000)
    start = QRect(canvas.marker)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.marker.x() == start.x() + 4 and canvas.marker.height() == start.height() + 2
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    qtbot.keyClick(canvas, Qt.Key.Key_Space)
    assert len(canvas.boxes) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.boxes) == 1
    editor.accept()
    assert window.form.strip.items[0].boxes == [(start.x() + 4, start.y(), start.width(), start.height() + 2)]


def test_cancel_keeps_the_previous_boxes(qtbot: Any, make_window: Any) -> None:
    window = make_window([("Screen 1", Image.new("RGB", (200, 100), WHITE))])
    window.form.strip.items[0].boxes.append((1, 1, 5, 5))
    editor = _open_editor(qtbot, window)
    click(qtbot, editor.clear_button)
    assert editor.canvas.boxes == []
    editor.reject()
    assert window.form.strip.items[0].boxes == [(1, 1, 5, 5)]
