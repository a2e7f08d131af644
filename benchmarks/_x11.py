"""Watching an X server from outside the app: docking, window mapping, first paint, real clicks.

Plain Xlib + XDamage + XTest through ctypes (all preinstalled with Xvfb, xdotool
and trayer), so a benchmark sees exactly what a user would see without any hook
in the app, and without polling: the watcher sleeps in ``select()`` on its X
connection and stamps every event with ``time.monotonic()`` when it arrives
(CLOCK_MONOTONIC: the same clock as the processes it starts).

* "docked": a ReparentNotify on the root window (SubstructureNotify) that moves
  a window away from the root: the tray host (trayer) took in an XEmbed icon.
* "mapped": a MapNotify of a new top-level window.
* "painted": XDamage on the root window in raw-rectangle mode reports every
  drawing operation anywhere on the screen; the first one inside a window's
  rectangle after it was mapped is its first paint. (Qt creates its windows with
  ``background_pixmap None``, so the server draws nothing there itself.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import select
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

SUBSTRUCTURE_NOTIFY = 1 << 19
CREATE, DESTROY, UNMAP, MAP, REPARENT, CONFIGURE, CLIENT_MESSAGE = 16, 17, 18, 19, 21, 22, 33
DAMAGE_REPORT_RAW_RECTANGLES = 0


@dataclass
class Event:
    kind: str  # create, destroy, unmap, map, reparent, configure, damage
    at: float  # time.monotonic() when the watcher read it
    window: int = 0
    parent: int = 0
    rect: tuple[int, int, int, int] = (0, 0, 0, 0)  # damage: root coordinates x, y, w, h
    override: bool = False


class _WindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("c_class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
                ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
                ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


class _ClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_char_p), ("res_class", ctypes.c_char_p)]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ignore_errors = _ERROR_HANDLER(lambda _display, _error: 0)  # windows vanish between event and query


def _libs() -> tuple[ctypes.CDLL, ctypes.CDLL, ctypes.CDLL]:
    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    damage = ctypes.CDLL(ctypes.util.find_library("Xdamage") or "libXdamage.so.1")
    xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
    vp, ul, ci = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
    x11.XOpenDisplay.argtypes, x11.XOpenDisplay.restype = [ctypes.c_char_p], vp
    x11.XDefaultRootWindow.argtypes, x11.XDefaultRootWindow.restype = [vp], ul
    x11.XSelectInput.argtypes = [vp, ul, ctypes.c_long]
    x11.XConnectionNumber.argtypes, x11.XConnectionNumber.restype = [vp], ci
    x11.XPending.argtypes, x11.XPending.restype = [vp], ci
    x11.XNextEvent.argtypes = [vp, vp]
    x11.XFlush.argtypes = [vp]
    x11.XSync.argtypes = [vp, ci]
    x11.XCloseDisplay.argtypes = [vp]
    x11.XGetWindowAttributes.argtypes = [vp, ul, ctypes.POINTER(_WindowAttributes)]
    x11.XTranslateCoordinates.argtypes = [vp, ul, ul, ci, ci, ctypes.POINTER(ci), ctypes.POINTER(ci),
                                          ctypes.POINTER(ul)]
    x11.XGetClassHint.argtypes = [vp, ul, ctypes.POINTER(_ClassHint)]
    x11.XFree.argtypes = [vp]
    x11.XInternAtom.argtypes, x11.XInternAtom.restype = [vp, ctypes.c_char_p, ci], ul
    x11.XGetSelectionOwner.argtypes, x11.XGetSelectionOwner.restype = [vp, ul], ul
    x11.XSendEvent.argtypes = [vp, ul, ci, ctypes.c_long, vp]
    x11.XSetErrorHandler.argtypes, x11.XSetErrorHandler.restype = [_ERROR_HANDLER], vp
    x11.XGetWindowProperty.argtypes = [vp, ul, ul, ctypes.c_long, ctypes.c_long, ci, ul, ctypes.POINTER(ul),
                                       ctypes.POINTER(ci), ctypes.POINTER(ul), ctypes.POINTER(ul),
                                       ctypes.POINTER(ctypes.c_void_p)]
    damage.XDamageQueryExtension.argtypes = [vp, ctypes.POINTER(ci), ctypes.POINTER(ci)]
    damage.XDamageCreate.argtypes, damage.XDamageCreate.restype = [vp, ul, ci], ul
    xtst.XTestFakeMotionEvent.argtypes = [vp, ci, ci, ci, ul]
    xtst.XTestFakeButtonEvent.argtypes = [vp, ctypes.c_uint, ci, ul]
    return x11, damage, xtst


class XWatch:
    """One X connection that records root-window structure events and screen damage as they happen."""

    def __init__(self, display: str) -> None:
        self.x11, self.damage_lib, self.xtst = _libs()
        self.x11.XSetErrorHandler(_ignore_errors)
        self.dpy = self.x11.XOpenDisplay(display.encode())
        if not self.dpy:
            raise RuntimeError(f"cannot open X display {display}")
        self.root = self.x11.XDefaultRootWindow(self.dpy)
        self.x11.XSelectInput(self.dpy, self.root, SUBSTRUCTURE_NOTIFY)
        base, err = ctypes.c_int(), ctypes.c_int()
        if not self.damage_lib.XDamageQueryExtension(self.dpy, ctypes.byref(base), ctypes.byref(err)):
            raise RuntimeError("the X server has no DAMAGE extension")
        self._damage_event = base.value  # + XDamageNotify (0)
        self.damage_lib.XDamageCreate(self.dpy, self.root, DAMAGE_REPORT_RAW_RECTANGLES)
        self.x11.XSync(self.dpy, 0)
        self.fd = self.x11.XConnectionNumber(self.dpy)
        self.events: list[Event] = []
        self._buf = ctypes.create_string_buffer(192)  # sizeof(XEvent) on LP64

    def close(self) -> None:
        if self.dpy:
            self.x11.XCloseDisplay(self.dpy)
            self.dpy = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- events -------------------------------------------------------------------------------
    def pump(self, timeout: float = 0.0) -> None:
        """Read what has arrived (waiting up to ``timeout`` seconds for the first event)."""
        if not self.x11.XPending(self.dpy):
            ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
            if not ready and not self.x11.XPending(self.dpy):
                return
        while self.x11.XPending(self.dpy):
            self.x11.XNextEvent(self.dpy, self._buf)
            now = time.monotonic()
            raw = self._buf.raw
            kind = struct.unpack_from("i", raw, 0)[0]
            if kind == self._damage_event:
                x, y, w, h = struct.unpack_from("hhHH", raw, 64)
                self.events.append(Event("damage", now, rect=(x, y, w, h)))
            elif kind == CREATE:
                parent, window = struct.unpack_from("LL", raw, 32)
                self.events.append(Event("create", now, window, parent))
            elif kind in (MAP, UNMAP, DESTROY):
                window, flag = struct.unpack_from("Li", raw, 40)
                name = {MAP: "map", UNMAP: "unmap", DESTROY: "destroy"}[kind]
                self.events.append(Event(name, now, window, override=bool(flag) and kind == MAP))
            elif kind == REPARENT:
                window, parent = struct.unpack_from("LL", raw, 40)
                self.events.append(Event("reparent", now, window, parent))
            elif kind == CONFIGURE:
                window = struct.unpack_from("L", raw, 40)[0]
                x, y, w, h = struct.unpack_from("iiii", raw, 48)
                self.events.append(Event("configure", now, window, rect=(x, y, w, h)))

    def wait_for(self, found: Callable[[], Event | None], timeout: float, what: str) -> Event:
        """Pump events until ``found()`` returns one; raises TimeoutError naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            event = found()
            if event is not None:
                return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
            self.pump(min(left, 0.5))

    def mark(self) -> int:
        """An index into ``events``: look only at what happens after this point."""
        self.pump()
        return len(self.events)

    def first(self, since: int, kind: str, test: Callable[[Event], bool] = lambda e: True) -> Event | None:
        return next((e for e in self.events[since:] if e.kind == kind and test(e)), None)

    def wait_docked(self, since: int, timeout: float = 60) -> Event:
        """The first window moved from the root into another window (the tray host) after ``since``."""
        return self.wait_for(lambda: self.first(since, "reparent", lambda e: e.parent != self.root),
                             timeout, "a tray icon to dock")

    def wait_toplevel_mapped(self, since: int, timeout: float = 30, wm_class: str | None = None) -> Event:
        """A normal (not override-redirect: no menu, no tooltip) top-level window mapped after ``since``."""
        def match(e: Event) -> bool:
            return not e.override and (wm_class is None or wm_class in self.class_hint(e.window))
        return self.wait_for(lambda: self.first(since, "map", match), timeout, "a window to be mapped")

    def wait_painted(self, since: int, rect: tuple[int, int, int, int], timeout: float = 30) -> Event:
        """The first damage inside ``rect`` (root coordinates) after ``since``."""
        return self.wait_for(lambda: self.first(since, "damage", lambda e: _overlap(e.rect, rect)),
                             timeout, "the window's first paint")

    def settle(self, since: int, rect: tuple[int, int, int, int], quiet: float = 0.3, timeout: float = 10) -> float:
        """When drawing inside ``rect`` last happened before ``quiet`` seconds without any (or ``since``'s time)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(quiet)
            hits = [e.at for e in self.events[since:] if e.kind == "damage" and _overlap(e.rect, rect)]
            if hits and time.monotonic() - hits[-1] >= quiet:
                return hits[-1]
        hits = [e.at for e in self.events[since:] if e.kind == "damage" and _overlap(e.rect, rect)]
        return hits[-1] if hits else float("nan")

    # --- queries and input --------------------------------------------------------------------
    def geometry(self, window: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of ``window`` in root coordinates."""
        attrs = _WindowAttributes()
        self.x11.XGetWindowAttributes(self.dpy, window, ctypes.byref(attrs))
        x, y, child = ctypes.c_int(), ctypes.c_int(), ctypes.c_ulong()
        self.x11.XTranslateCoordinates(self.dpy, window, self.root, 0, 0, ctypes.byref(x), ctypes.byref(y),
                                       ctypes.byref(child))
        return x.value, y.value, attrs.width, attrs.height

    def class_hint(self, window: int) -> str:
        hint = _ClassHint()
        if not self.x11.XGetClassHint(self.dpy, window, ctypes.byref(hint)):
            return ""
        text = f"{(hint.res_name or b'').decode(errors='replace')}/{(hint.res_class or b'').decode(errors='replace')}"
        return text

    def title(self, window: int) -> str:
        """_NET_WM_NAME (UTF-8), as Qt sets it."""
        atom = self.x11.XInternAtom(self.dpy, b"_NET_WM_NAME", 0)
        utf8 = self.x11.XInternAtom(self.dpy, b"UTF8_STRING", 0)
        actual, fmt, count, after = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.c_void_p()
        status = self.x11.XGetWindowProperty(self.dpy, window, atom, 0, 1024, 0, utf8, ctypes.byref(actual),
                                             ctypes.byref(fmt), ctypes.byref(count), ctypes.byref(after),
                                             ctypes.byref(data))
        if status != 0 or not data.value:
            return ""
        text = ctypes.string_at(data.value, count.value).decode("utf-8", errors="replace")
        self.x11.XFree(data)
        return text

    def click(self, x: int, y: int, button: int = 1) -> float:
        """A real pointer click through XTest; returns time.monotonic() just before it was sent."""
        self.xtst.XTestFakeMotionEvent(self.dpy, -1, x, y, 0)
        self.x11.XSync(self.dpy, 0)
        at = time.monotonic()
        self.xtst.XTestFakeButtonEvent(self.dpy, button, 1, 0)
        self.xtst.XTestFakeButtonEvent(self.dpy, button, 0, 0)
        self.x11.XFlush(self.dpy)
        return at

    def close_window(self, window: int) -> None:
        """Ask ``window`` to close as a window manager would (WM_PROTOCOLS / WM_DELETE_WINDOW)."""
        protocols = self.x11.XInternAtom(self.dpy, b"WM_PROTOCOLS", 0)
        delete = self.x11.XInternAtom(self.dpy, b"WM_DELETE_WINDOW", 0)
        event = ctypes.create_string_buffer(192)
        struct.pack_into("iLiPLLi", event, 0, CLIENT_MESSAGE, 0, 1, 0, window, protocols, 32)
        struct.pack_into("ll", event, 56, delete, 0)  # data.l[0] = atom, l[1] = CurrentTime
        self.x11.XSendEvent(self.dpy, window, 0, 0, event)
        self.x11.XFlush(self.dpy)

    def selection_owned(self, name: str) -> bool:
        atom = self.x11.XInternAtom(self.dpy, name.encode(), 0)
        return self.x11.XGetSelectionOwner(self.dpy, atom) != 0


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
