"""Global hotkey on Windows: RegisterHotKey + a native event filter for WM_HOTKEY.

``RegisterHotKey(NULL, id, ...)`` posts WM_HOTKEY to the GUI thread's message
queue, where Qt's event dispatcher hands it to native event filters as a
``windows_generic_MSG``. The system refuses a combination another program
registered (ERROR_HOTKEY_ALREADY_REGISTERED): reported as "taken". This is the
documented API, not a low-level keyboard hook that security software flags.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication

log = logging.getLogger(__name__)

WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 0x4E54  # any id in 0x0000..0xBFFF, unique within this thread
EVENT_TYPES = (b"windows_generic_MSG", b"windows_dispatcher_MSG")


class _HotkeyFilter(QAbstractNativeEventFilter):
    def __init__(self, on_press: Callable[[], None]) -> None:
        super().__init__()
        self._on_press = on_press

    def nativeEventFilter(self, eventType: QByteArray | bytes, message: object) -> object:  # noqa: N802 (Qt API)
        address = int(message) if message is not None else 0  # a shiboken VoidPtr
        if bytes(eventType) not in EVENT_TYPES or not address:
            return False, 0
        from ctypes import wintypes

        msg = wintypes.MSG.from_address(address)
        if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID:
            self._on_press()
            return True, 0
        return False, 0


class WindowsBackend:
    def __init__(self, on_press: Callable[[], None]) -> None:
        self._on_press = on_press
        self._filter: _HotkeyFilter | None = None
        self._registered = False

    def _user32(self) -> ctypes.WinDLL:  # type: ignore[name-defined]
        from ctypes import wintypes

        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        user32.RegisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int, wintypes.UINT, wintypes.UINT]
        user32.RegisterHotKey.restype = wintypes.BOOL
        user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
        user32.UnregisterHotKey.restype = wintypes.BOOL
        return user32

    def register(self, mods: int, vk: int, text: str) -> str | None:
        user32 = self._user32()
        if not user32.RegisterHotKey(None, HOTKEY_ID, mods, vk):
            error = ctypes.get_last_error()  # type: ignore[attr-defined]
            if error == ERROR_HOTKEY_ALREADY_REGISTERED:
                return QCoreApplication.translate("hotkey", "{0} is already taken by another program").format(text)
            return QCoreApplication.translate("hotkey", "Windows refused it (error {0})").format(error)
        self._registered = True
        self._filter = _HotkeyFilter(self._on_press)
        QCoreApplication.instance().installNativeEventFilter(self._filter)
        log.info("global hotkey %s registered (vk 0x%x, modifiers 0x%x)", text, vk, mods)
        return None

    def unregister(self) -> None:
        app = QCoreApplication.instance()
        if self._filter is not None and app is not None:
            app.removeNativeEventFilter(self._filter)
        if self._registered:
            self._user32().UnregisterHotKey(None, HOTKEY_ID)
        self._filter, self._registered = None, False
