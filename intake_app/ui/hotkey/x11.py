"""Global hotkey on X11: XGrabKey (through xcb, on Qt's own connection) + a native event filter.

The grab is made with ``xcb_grab_key_checked`` on every root window, once per
CapsLock/NumLock state, so the key works whatever the lock keys say. The server
answers ``BadAccess`` when another client already grabbed the same combination:
that is reported as "taken" and nothing stays half-grabbed. The key presses
arrive on Qt's connection, so a ``QAbstractNativeEventFilter`` sees them first
and consumes the matching one. No keyboard hook, no polling.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication
from PySide6.QtGui import QGuiApplication

from intake_app.ui.hotkey.parse import X11_LOCK_MASKS

log = logging.getLogger(__name__)

XCB_KEY_PRESS = 2
XCB_GRAB_MODE_ASYNC = 1
BAD_ACCESS = 10
EVENT_TYPE = b"xcb_generic_event_t"


class _VoidCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _GenericError(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("error_code", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
                ("resource_id", ctypes.c_uint32), ("minor_code", ctypes.c_uint16), ("major_code", ctypes.c_uint8)]


class _Screen(ctypes.Structure):
    _fields_ = [("root", ctypes.c_uint32)]  # first field of xcb_screen_t; the rest is not needed


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(_Screen)), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _KeyPress(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("detail", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
                ("time", ctypes.c_uint32), ("root", ctypes.c_uint32), ("event", ctypes.c_uint32),
                ("child", ctypes.c_uint32), ("root_x", ctypes.c_int16), ("root_y", ctypes.c_int16),
                ("event_x", ctypes.c_int16), ("event_y", ctypes.c_int16), ("state", ctypes.c_uint16)]


class XcbLibs:
    """ctypes bindings for the handful of libxcb / libxcb-keysyms / libc calls used here."""

    def __init__(self) -> None:
        self.xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
        self.keysyms = ctypes.CDLL(ctypes.util.find_library("xcb-keysyms") or "libxcb-keysyms.so.1")
        self.libc = ctypes.CDLL(None)
        x, k = self.xcb, self.keysyms
        x.xcb_connect.argtypes, x.xcb_connect.restype = [ctypes.c_char_p, ctypes.c_void_p], ctypes.c_void_p
        x.xcb_connection_has_error.argtypes, x.xcb_connection_has_error.restype = [ctypes.c_void_p], ctypes.c_int
        x.xcb_disconnect.argtypes, x.xcb_disconnect.restype = [ctypes.c_void_p], None
        x.xcb_get_setup.argtypes, x.xcb_get_setup.restype = [ctypes.c_void_p], ctypes.c_void_p
        x.xcb_setup_roots_iterator.argtypes, x.xcb_setup_roots_iterator.restype = [ctypes.c_void_p], _ScreenIterator
        x.xcb_screen_next.argtypes, x.xcb_screen_next.restype = [ctypes.POINTER(_ScreenIterator)], None
        x.xcb_grab_key_checked.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16,
                                           ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8]
        x.xcb_grab_key_checked.restype = _VoidCookie
        x.xcb_ungrab_key_checked.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16]
        x.xcb_ungrab_key_checked.restype = _VoidCookie
        x.xcb_request_check.argtypes = [ctypes.c_void_p, _VoidCookie]
        x.xcb_request_check.restype = ctypes.POINTER(_GenericError)
        x.xcb_flush.argtypes, x.xcb_flush.restype = [ctypes.c_void_p], ctypes.c_int
        k.xcb_key_symbols_alloc.argtypes, k.xcb_key_symbols_alloc.restype = [ctypes.c_void_p], ctypes.c_void_p
        k.xcb_key_symbols_free.argtypes, k.xcb_key_symbols_free.restype = [ctypes.c_void_p], None
        k.xcb_key_symbols_get_keycode.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        k.xcb_key_symbols_get_keycode.restype = ctypes.POINTER(ctypes.c_uint8)
        self.libc.free.argtypes, self.libc.free.restype = [ctypes.c_void_p], None


@cache
def libs() -> XcbLibs:
    return XcbLibs()


def roots(conn: int) -> list[int]:
    lib = libs().xcb
    it = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(conn))
    found = []
    while it.rem > 0:
        found.append(int(it.data.contents.root))
        lib.xcb_screen_next(ctypes.byref(it))
    return found


def keycode_for(conn: int, keysym: int) -> int | None:
    """The first keycode that produces ``keysym`` on this server's keyboard map."""
    lib = libs()
    syms = lib.keysyms.xcb_key_symbols_alloc(conn)
    if not syms:
        return None
    try:
        codes = lib.keysyms.xcb_key_symbols_get_keycode(syms, keysym)
        if not codes:
            return None
        try:
            return int(codes[0]) or None
        finally:
            lib.libc.free(codes)
    finally:
        lib.keysyms.xcb_key_symbols_free(syms)


def _check(conn: int, cookie: _VoidCookie) -> int:
    """0 when the request succeeded, else the X error code."""
    lib = libs()
    err = lib.xcb.xcb_request_check(conn, cookie)
    if not err:
        return 0
    code = int(err.contents.error_code)
    lib.libc.free(err)
    return code


class XcbGrab:
    """One key combination grabbed on one xcb connection (any X client: Qt's, or a test's own)."""

    def __init__(self, conn: int, keycode: int, mods: int) -> None:
        self.conn, self.keycode, self.mods = conn, keycode, mods
        self._grabbed: list[tuple[int, int]] = []

    def grab(self) -> int:
        """Grab on every root for every lock state; 0 on success, else the X error (all undone)."""
        lib = libs().xcb
        for root in roots(self.conn):
            for lock in X11_LOCK_MASKS:
                cookie = lib.xcb_grab_key_checked(self.conn, 1, root, self.mods | lock, self.keycode,
                                                  XCB_GRAB_MODE_ASYNC, XCB_GRAB_MODE_ASYNC)
                error = _check(self.conn, cookie)
                if error:
                    self.ungrab()
                    return error
                self._grabbed.append((root, self.mods | lock))
        lib.xcb_flush(self.conn)
        return 0

    def ungrab(self) -> None:
        lib = libs().xcb
        for root, mods in self._grabbed:
            _check(self.conn, lib.xcb_ungrab_key_checked(self.conn, self.keycode, root, mods))
        self._grabbed.clear()
        lib.xcb_flush(self.conn)

    def matches(self, keycode: int, state: int) -> bool:
        lock_bits = X11_LOCK_MASKS[-1]
        return keycode == self.keycode and (state & ~lock_bits & 0xFF) == self.mods


class _KeyFilter(QAbstractNativeEventFilter):
    def __init__(self, grab: XcbGrab, on_press: Callable[[], None]) -> None:
        super().__init__()
        self._grab, self._on_press = grab, on_press

    def nativeEventFilter(self, eventType: QByteArray | bytes, message: object) -> object:  # noqa: N802 (Qt API)
        address = int(message) if message is not None else 0  # a shiboken VoidPtr
        if bytes(eventType) != EVENT_TYPE or not address:
            return False, 0
        if ctypes.c_uint8.from_address(address).value & 0x7F != XCB_KEY_PRESS:
            return False, 0
        event = _KeyPress.from_address(address)
        if not self._grab.matches(event.detail, event.state):
            return False, 0
        self._on_press()
        return True, 0


def qt_connection() -> int | None:
    """Qt's own xcb connection, or None when Qt is not running on xcb."""
    app = QGuiApplication.instance()
    if app is None or QGuiApplication.platformName() != "xcb":
        return None
    native = app.nativeInterface()  # QNativeInterface.QX11Application on xcb
    conn = getattr(native, "connection", None)
    return int(conn()) if conn else None


class X11Backend:
    """Register/unregister one hotkey on Qt's X connection; reasons are plain sentences."""

    def __init__(self, on_press: Callable[[], None]) -> None:
        self._on_press = on_press
        self._grab: XcbGrab | None = None
        self._filter: _KeyFilter | None = None

    def register(self, mods: int, keysym: int, text: str) -> str | None:
        conn = qt_connection()
        if conn is None:
            return QCoreApplication.translate("hotkey", "there is no X11 display to register it with")
        try:
            keycode = keycode_for(conn, keysym)
        except OSError as exc:  # libxcb-keysyms missing
            return QCoreApplication.translate("hotkey", "the X11 key-symbol library is missing ({0})").format(exc)
        if keycode is None:
            return QCoreApplication.translate("hotkey", "this keyboard has no key for {0}").format(text)
        grab = XcbGrab(conn, keycode, mods)
        error = grab.grab()
        if error == BAD_ACCESS:
            return QCoreApplication.translate("hotkey", "{0} is already taken by another program").format(text)
        if error:
            return QCoreApplication.translate("hotkey", "the X server refused it (X error {0})").format(error)
        self._grab = grab
        self._filter = _KeyFilter(grab, self._on_press)
        QCoreApplication.instance().installNativeEventFilter(self._filter)
        log.info("global hotkey %s grabbed (keycode %d, modifiers 0x%x)", text, keycode, mods)
        return None

    def unregister(self) -> None:
        app = QCoreApplication.instance()
        if self._filter is not None and app is not None:
            app.removeNativeEventFilter(self._filter)
        if self._grab is not None:
            self._grab.ungrab()
        self._grab = self._filter = None
