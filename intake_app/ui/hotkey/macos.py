"""Global hotkey on macOS: Carbon ``RegisterEventHotKey`` through ctypes.

Still the supported way to register a system-wide shortcut without the
Accessibility permission a keyboard event tap would need. Carbon delivers
``kEventHotKeyPressed`` on the main run loop, which Qt's Cocoa event dispatcher
runs, so the handler is called on the GUI thread. A combination another app
registered gives ``eventHotKeyExistsErr``: reported as "taken".
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

log = logging.getLogger(__name__)

CARBON = "/System/Library/Frameworks/Carbon.framework/Carbon"
EVENT_HOTKEY_EXISTS = -9878
SIGNATURE = int.from_bytes(b"INTK", "big")
HOTKEY_ID = 1


def _fourcc(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


K_EVENT_CLASS_KEYBOARD = _fourcc("keyb")
K_EVENT_HOTKEY_PRESSED = 5


class _EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class _EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


class MacBackend:
    def __init__(self, on_press: Callable[[], None]) -> None:
        self._on_press = on_press
        self._carbon: ctypes.CDLL | None = None
        self._hotkey_ref = ctypes.c_void_p()
        self._handler_ref = ctypes.c_void_p()
        self._callback = _HANDLER(self._on_event)  # kept alive as long as the backend

    def _on_event(self, _call_ref: int | None, _event: int | None, _user: int | None) -> int:
        self._on_press()
        return 0  # noErr

    def _load(self) -> ctypes.CDLL:
        carbon = ctypes.CDLL(CARBON)
        carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
        carbon.InstallEventHandler.argtypes = [ctypes.c_void_p, _HANDLER, ctypes.c_uint32,
                                               ctypes.POINTER(_EventTypeSpec), ctypes.c_void_p,
                                               ctypes.POINTER(ctypes.c_void_p)]
        carbon.InstallEventHandler.restype = ctypes.c_int32
        carbon.RegisterEventHotKey.argtypes = [ctypes.c_uint32, ctypes.c_uint32, _EventHotKeyID, ctypes.c_void_p,
                                               ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p)]
        carbon.RegisterEventHotKey.restype = ctypes.c_int32
        carbon.UnregisterEventHotKey.argtypes = [ctypes.c_void_p]
        carbon.RemoveEventHandler.argtypes = [ctypes.c_void_p]
        return carbon

    def register(self, mods: int, keycode: int, text: str) -> str | None:
        try:
            carbon = self._carbon = self._load()
        except OSError as exc:
            return QCoreApplication.translate("hotkey", "the Carbon framework is not available ({0})").format(exc)
        target = carbon.GetApplicationEventTarget()
        spec = _EventTypeSpec(K_EVENT_CLASS_KEYBOARD, K_EVENT_HOTKEY_PRESSED)
        status = carbon.InstallEventHandler(target, self._callback, 1, ctypes.byref(spec), None,
                                            ctypes.byref(self._handler_ref))
        if status != 0:
            return QCoreApplication.translate("hotkey", "macOS refused the event handler (error {0})").format(status)
        status = carbon.RegisterEventHotKey(keycode, mods, _EventHotKeyID(SIGNATURE, HOTKEY_ID), target, 0,
                                            ctypes.byref(self._hotkey_ref))
        if status != 0:
            carbon.RemoveEventHandler(self._handler_ref)
            self._handler_ref = ctypes.c_void_p()
            if status == EVENT_HOTKEY_EXISTS:
                return QCoreApplication.translate("hotkey", "{0} is already taken by another program").format(text)
            return QCoreApplication.translate("hotkey", "macOS refused it (error {0})").format(status)
        log.info("global hotkey %s registered (keycode 0x%x, modifiers 0x%x)", text, keycode, mods)
        return None

    def unregister(self) -> None:
        if self._carbon is None:
            return
        if self._hotkey_ref:
            self._carbon.UnregisterEventHotKey(self._hotkey_ref)
            self._hotkey_ref = ctypes.c_void_p()
        if self._handler_ref:
            self._carbon.RemoveEventHandler(self._handler_ref)
            self._handler_ref = ctypes.c_void_p()
