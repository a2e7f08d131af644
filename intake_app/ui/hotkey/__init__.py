"""A global "Report a problem" hotkey through each platform's own registration API.

``GlobalHotkey.register("Ctrl+F12")`` picks the backend for this platform
(XGrabKey on X11, RegisterHotKey on Windows, Carbon RegisterEventHotKey on
macOS). It never installs a keyboard hook. When the key cannot be had (taken by
another program, Wayland, no display, a bad hotkey text) the hotkey stays off,
:class:`HotkeyStatus` says why, and the same sentence goes to the message bridge
(``config check`` shows it too).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication

from intake_app.messages import MessageBridge
from intake_app.ui.hotkey.parse import DEFAULT_HOTKEY, Hotkey, HotkeyError, native_code, parse_hotkey

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_HOTKEY", "GlobalHotkey", "Hotkey", "HotkeyError", "HotkeyStatus", "parse_hotkey",
           "unavailable_reason"]


@dataclass(frozen=True)
class HotkeyStatus:
    text: str  # the hotkey as configured (normalised when it parsed)
    active: bool
    reason: str = ""  # why it is off; empty when active or switched off on purpose


class _Backend(Protocol):
    def register(self, mods: int, key: int, text: str) -> str | None: ...
    def unregister(self) -> None: ...


def _tr(text: str) -> str:
    return QCoreApplication.translate("hotkey", text)


def unavailable_reason(qt_platform: str, sys_platform: str) -> str:
    """Why no global hotkey can exist in this session ("" when the platform API can be tried)."""
    if qt_platform.startswith("wayland"):
        return _tr("Wayland does not let programs register global shortcuts")
    if (sys_platform.startswith("linux") or "bsd" in sys_platform) and qt_platform != "xcb":
        return _tr("there is no X11 display (Qt platform “{0}”)").format(qt_platform or "none")
    return ""


class GlobalHotkey(QObject):
    """Emits ``activated`` on the GUI thread each time the registered combination is pressed."""

    activated = Signal()

    def __init__(self, messages: MessageBridge | None = None, parent: QObject | None = None,
                 *, platform: str | None = None) -> None:
        super().__init__(parent)
        self._messages = messages
        self._platform = platform or sys.platform
        self._backend: _Backend | None = None
        self.status = HotkeyStatus("", False)

    def register(self, text: str | None) -> HotkeyStatus:
        """Register ``text`` (None or "" = switched off by the admin); replaces any earlier one."""
        self.unregister()
        try:
            hotkey = parse_hotkey(text or "")
            if hotkey is None:  # "" = the admin switched it off
                self.status = HotkeyStatus("", False)
                return self.status
            mods, key = native_code(hotkey, self._platform)
        except HotkeyError as exc:
            return self._off(str(text), str(exc))
        reason = self._unavailable_reason()
        if reason:
            return self._off(str(hotkey), reason)
        backend = self._make_backend()
        reason = backend.register(mods, key, str(hotkey))
        if reason:
            return self._off(str(hotkey), reason)
        self._backend = backend
        self.status = HotkeyStatus(str(hotkey), True)
        return self.status

    def unregister(self) -> None:
        if self._backend is not None:
            self._backend.unregister()
            self._backend = None
        self.status = HotkeyStatus(self.status.text, False, self.status.reason)

    def _unavailable_reason(self) -> str:
        qt_platform = QGuiApplication.platformName() if QGuiApplication.instance() else ""
        return unavailable_reason(qt_platform, self._platform)

    def _make_backend(self) -> _Backend:
        if self._platform.startswith("win"):
            from intake_app.ui.hotkey.windows import WindowsBackend

            return WindowsBackend(self.activated.emit)
        if self._platform == "darwin":
            from intake_app.ui.hotkey.macos import MacBackend

            return MacBackend(self.activated.emit)
        from intake_app.ui.hotkey.x11 import X11Backend

        return X11Backend(self.activated.emit)

    def _off(self, text: str, reason: str) -> HotkeyStatus:
        self.status = HotkeyStatus(text, False, reason)
        sentence = _tr("The shortcut {0} for Report a problem is off: {1}. Use the tray menu instead.").format(
            text, reason)
        log.warning("global hotkey %s not registered: %s", text, reason)
        if self._messages is not None:
            self._messages.warning(sentence, source="hotkey")
        return self.status
