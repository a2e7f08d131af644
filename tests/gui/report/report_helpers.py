"""Helpers for the report window tests: fill the form like a user, read pixels, wait for results."""

from __future__ import annotations

from typing import Any

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QRadioButton, QWidget

from intake_app.ui.report.submit_flow import SubmitResult
from intake_app.ui.report.window import ReportWindow


def click(qtbot: Any, widget: QWidget) -> None:
    """A real mouse click; on a check box or radio button, on its label (their centre may be empty space)."""
    assert widget.isVisible() and widget.isEnabled(), f"{widget.objectName() or widget} is not clickable"
    if isinstance(widget, (QCheckBox, QRadioButton)):
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot: Any, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def has_color(picture: Image.Image, rgb: tuple[int, int, int]) -> bool:
    colors = picture.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return any(color == rgb for _count, color in colors)


def solid(size: tuple[int, int], rgb: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", size, rgb)


def submit_and_wait(qtbot: Any, window: ReportWindow, timeout: int = 30_000) -> SubmitResult:
    if window.stack.currentIndex() != 1:
        click(qtbot, window.next_button)
    qtbot.waitUntil(window.submit_button.isEnabled, timeout=timeout)
    with qtbot.waitSignal(window.submitted, timeout=timeout) as blocker:
        click(qtbot, window.submit_button)
    return blocker.args[0]
