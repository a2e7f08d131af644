"""Without a system tray (bare X servers, some Wayland desktops): a small window, same actions.

It shows one button per :class:`~intake_app.ui.actions.AppActions` action (so
labels like "My tickets (1 needs you)" stay in step with the tray menu) and a
message line for the notifications a tray balloon would show. Closing the
window quits the app: without a tray nothing else would be left to reopen it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.messages import Level
from intake_app.ui.actions import AppActions


class FallbackWindow(QMainWindow):
    """The app's main window when ``QSystemTrayIcon.isSystemTrayAvailable()`` is False."""

    close_requested = Signal()

    def __init__(self, actions: AppActions, title: str, icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fallback_window")
        self.actions = actions
        self.setWindowTitle(title)
        self.setWindowIcon(icon)
        self.setAccessibleName(title)
        central = QWidget(self)
        self._layout = QVBoxLayout(central)
        intro = QLabel(self.tr("There is no system tray on this desktop, so the helpdesk app runs in this window."))
        intro.setWordWrap(True)
        self._layout.addWidget(intro)
        self._buttons_box = QVBoxLayout()
        self._layout.addLayout(self._buttons_box)
        self.message = QLabel("")
        self.message.setObjectName("fallback_message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Latest message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.linkActivated.connect(self._message_clicked)
        self._layout.addWidget(self.message)
        self._layout.addStretch(1)
        self.setCentralWidget(central)
        self.buttons: dict[str, QToolButton] = {}
        self._on_click: Callable[[], None] | None = None
        self._rebuild()
        actions.links_changed.connect(self._rebuild)
        self.resize(380, 420)

    def _rebuild(self) -> None:
        for button in self.buttons.values():
            self._buttons_box.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for action in self.actions.all_actions():
            button = QToolButton(self)
            button.setDefaultAction(action)  # text, enabled state and clicks follow the action
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setObjectName(f"button_{action.objectName().removeprefix('action_')}")
            button.setAccessibleName(action.text().replace("&", ""))
            action.changed.connect(lambda b=button, a=action: b.setAccessibleName(a.text().replace("&", "")))
            self._buttons_box.addWidget(button)
            self.buttons[action.objectName()] = button

    def show_message(self, title: str, text: str, level: Level, on_click: Callable[[], None] | None) -> None:
        """Show what a tray balloon would (``MessageSurface`` for the Notifier)."""
        self._on_click = on_click
        prefix = {Level.WARNING: "⚠ ", Level.ERROR: "⛔ "}.get(level, "")
        body = f"<b>{_escape(title)}</b><br>{prefix}{_escape(text)}"
        if on_click is not None:
            body += f" <a href='open'>{_escape(self.tr('Open'))}</a>"
        self.message.setText(body)

    def _message_clicked(self, _link: str) -> None:
        callback, self._on_click = self._on_click, None
        if callback is not None:
            callback()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        # without a tray, closing the only window means quitting; the app decides how
        event.ignore()
        self.close_requested.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
