"""Known issues from the helpdesk, shown first so the user need not file a duplicate (SPEC §5)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from intake_app.core.policy import Announcement
from intake_app.ui.report.theme import is_dark


class AnnouncementBanner(QFrame):
    """Hidden when there is nothing to announce."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("announcements")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Known issues"))
        self._layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self._layout.addWidget(self.heading)
        self.items: list[QLabel] = []
        self.hide()

    def set_announcements(self, announcements: list[Announcement], now: datetime | None = None) -> None:
        for label in self.items:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.items = []
        active = [a for a in announcements if a.active(now)]
        if not active:
            self.hide()
            return
        self.heading.setText("<b>" + self.tr("Known issues right now: if yours is one of these, "
                                             "the helpdesk is already on it.") + "</b>")
        for item in active:
            label = QLabel(self)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            prefix = {"outage": self.tr("Outage"), "warning": self.tr("Known issue")}.get(item.severity,
                                                                                        self.tr("Notice"))
            label.setText(f"{prefix}: {item.title}" + (f"\n{item.body}" if item.body else ""))
            label.setAccessibleName(f"{prefix}: {item.title}")
            self._layout.addWidget(label)
            label.show()
            self.items.append(label)
        self._apply_colours(any(a.severity == "outage" for a in active))
        self.show()

    def _apply_colours(self, outage: bool) -> None:
        dark = is_dark(self)
        background = ("#4a1f1f" if outage else "#4a3d12") if dark else ("#fde7e7" if outage else "#fff4cc")
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#ffffff" if dark else "#1a1a1a"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        for label in [self.heading, *self.items]:
            label.setPalette(palette)
