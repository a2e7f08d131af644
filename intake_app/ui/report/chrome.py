"""The window's frame: a branded header and the footer with the actions and the reason Submit waits.

The header carries the admin's product name on the admin's accent colour (text
black or white, whichever reads); the primary button uses the same accent.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from intake_app.ui.report.theme import accent_color, text_on


class Header(QLabel):
    def __init__(self, product_name: str, accent: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setMargin(self.fontMetrics().height() // 2)
        self.set_brand(product_name, accent)

    def set_brand(self, product_name: str, accent: str | None) -> None:
        """Also at open time: a window built ahead shows the branding current when it opens."""
        self.setText(f"<b>{escape(product_name)}</b> · " + self.tr("Report a problem"))
        color = accent_color(accent)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, color)
        palette.setColor(QPalette.ColorRole.WindowText, text_on(color))
        self.setPalette(palette)


class Footer(QWidget):
    """Reason + Discard / Close / Back / Review / Submit; which are shown depends on the page."""

    fix_requested = Signal(str)  # the field named in the reason's "Fix it" link

    def __init__(self, accent: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName(self.tr("Why Submit is not available yet"))
        self.reason.setTextFormat(Qt.TextFormat.RichText)
        self.reason.linkActivated.connect(self.fix_requested)
        self.discard_button = QPushButton(self.tr("Discard draft"), self)
        self.close_button = QPushButton(self.tr("Close (draft is kept)"), self)
        self.back_button = QPushButton(self.tr("◂ &Back"), self)
        self.next_button = QPushButton(self.tr("Revie&w ▸"), self)
        self.submit_button = QPushButton(self.tr("&Submit"), self)
        self.set_accent(accent)
        self.next_button.setToolTip(self.tr("Review the ticket before sending it (Ctrl+Enter)"))
        self.close_button.setToolTip(self.tr("Close the window; your report is kept as a draft (Esc)"))
        layout.addWidget(self.reason, 1)
        for button in (self.discard_button, self.close_button, self.back_button, self.next_button,
                       self.submit_button):
            layout.addWidget(button)

    def set_accent(self, accent: str | None) -> None:
        self.submit_button.setStyleSheet(primary_style(accent_color(accent)))

    def update_state(self, *, on_form: bool, on_review: bool, blocker: str, fix_field: str | None) -> None:
        self.setVisible(on_form or on_review)
        self.back_button.setVisible(on_review)
        self.submit_button.setVisible(on_review)
        self.next_button.setVisible(on_form)
        self.discard_button.setVisible(on_form)
        self.submit_button.setEnabled(not blocker)
        self.submit_button.setToolTip(blocker)
        if blocker and fix_field:
            self.reason.setText(self.tr("Before you can submit: %1 <a href=\"%2\">Fix it</a>")
                                .replace("%1", escape(blocker)).replace("%2", escape(fix_field)))
        else:
            self.reason.setText(escape(blocker))


def primary_style(accent: QColor) -> str:
    fg = text_on(accent).name()
    return (f"QPushButton {{ background: {accent.name()}; color: {fg}; padding: 0.3em 1.2em; border-radius: 3px; }}"
            "QPushButton:disabled { background: palette(mid); color: palette(dark); }"
            "QPushButton:focus { border: 2px solid palette(highlight); }")
