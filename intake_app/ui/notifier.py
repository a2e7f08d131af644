"""Tray notifications with a click action, and the UI end of the message bridge.

``Notifier.notify(title, text, on_click)`` shows a tray balloon
(``QSystemTrayIcon.showMessage``); clicking it runs ``on_click`` (issue 7 uses
this for "your ticket changed"). Without a tray the no-tray window shows the
message instead. ``attach(bridge)`` subscribes to the Qt-free
:class:`~intake_app.messages.MessageBridge`; bridge messages may be posted from
any thread and are re-emitted through a signal to reach the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from intake_app.messages import Level, Message, MessageBridge

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_MS = 10_000
_TRAY_ICON = {
    Level.INFO: QSystemTrayIcon.MessageIcon.Information,
    Level.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Level.ERROR: QSystemTrayIcon.MessageIcon.Critical,
}


class MessageSurface(Protocol):
    """Where messages go when there is no tray (the fallback window implements it)."""

    def show_message(self, title: str, text: str, level: Level, on_click: Callable[[], None] | None) -> None: ...


class Notifier(QObject):
    """Shows (title, text, on_click) notifications on the tray, or on a window without one."""

    shown = Signal(str, str)  # title, text: after each notification (tests, screenshots)
    _posted = Signal(object)

    def __init__(self, default_title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.default_title = default_title
        self._tray: QSystemTrayIcon | None = None
        self._surface: MessageSurface | None = None
        self._on_click: Callable[[], None] | None = None
        self._bridge: MessageBridge | None = None
        self.history: list[tuple[str, str]] = []
        self._posted.connect(self._show_message)  # queued when posted from a worker thread

    def use_tray(self, tray: QSystemTrayIcon) -> None:
        self._tray = tray
        tray.messageClicked.connect(self._clicked)

    def use_surface(self, surface: MessageSurface) -> None:
        self._surface = surface

    def notify(self, title: str, text: str, on_click: Callable[[], None] | None = None,
               *, level: Level = Level.INFO, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        """Show a notification now (GUI thread). ``on_click`` runs if the user clicks it."""
        title = title or self.default_title
        self.history.append((title, text))
        self._on_click = on_click
        if self._tray is not None and self._tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self._tray.showMessage(title, text, _TRAY_ICON[level], timeout_ms)
        elif self._surface is not None:
            self._surface.show_message(title, text, level, on_click)
        else:
            log.info("notification with nowhere to show it: %s: %s", title, text)
        self.shown.emit(title, text)

    def attach(self, bridge: MessageBridge) -> None:
        """Receive the bridge's messages (its backlog first)."""
        self._bridge = bridge
        bridge.subscribe(self._posted.emit)

    def detach(self) -> None:
        if self._bridge is not None:
            self._bridge.unsubscribe(self._posted.emit)
            self._bridge = None

    @Slot(object)
    def _show_message(self, message: Message) -> None:
        self.notify(message.title, message.text, level=message.level)

    def _clicked(self) -> None:
        callback, self._on_click = self._on_click, None
        if callback is not None:
            callback()
