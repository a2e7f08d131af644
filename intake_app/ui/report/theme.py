"""Colours and small widgets shared by the report window's sections.

Everything derives from the palette so dark mode works; only the admin's
accent colour is fixed, and text on it picks black or white for contrast.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

DEFAULT_ACCENT = "#2f6fb3"


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def error_color(widget: QWidget) -> QColor:
    """A red readable on the current background (light red on dark, dark red on light)."""
    return QColor("#ff8a80") if is_dark(widget) else QColor("#b00020")


def ok_color(widget: QWidget) -> QColor:
    return QColor("#8fdc97") if is_dark(widget) else QColor("#1b6e2a")


def accent_color(accent: str | None) -> QColor:
    color = QColor(accent or DEFAULT_ACCENT)
    return color if color.isValid() else QColor(DEFAULT_ACCENT)


def text_on(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.2126 * color.redF() + 0.7152 * color.greenF() + 0.0722 * color.blueF()
    return QColor("black") if luminance > 0.55 else QColor("white")


class FieldError(QLabel):
    """The domain's message for one field, shown right under it.

    The message is also set as the field's accessible description, so a screen
    reader announces it with the field. Empty means hidden.
    """

    def __init__(self, field: QWidget | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field = field
        self.setWordWrap(True)
        self.setObjectName("fieldError")
        self.setAccessibleName(self.tr("Problem"))
        self.hide()

    def set_message(self, text: str | None) -> None:
        text = text or ""
        if text == self.text() and self.isHidden() == (not text):
            return
        self.setText(text)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, error_color(self))
        self.setPalette(palette)
        self.setVisible(bool(text))
        if self._field is not None:
            self._field.setAccessibleDescription(text)
