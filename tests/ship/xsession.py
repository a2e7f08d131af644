"""A private X session for running the *built* app as a user would: Xvfb + trayer, and "is it docked?".

The smoke test and ``benchmarks/bench_bundle.py`` start the bundle as a
separate process, so they look at the X server from outside: the tray host
owns the ``_NET_SYSTEM_TRAY_S0`` selection (asked over xcb, as Qt does), and a
docked icon is our window (WM_CLASS ``intake-app``) reparented into trayer's
panel (``xwininfo -root -tree``). Own display so nothing else's tray host or
windows can interfere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import time

TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "24",
          "--transparent", "false", "--tint", "0x202020"]
_WINDOW = re.compile(r'^(?P<indent>\s*)0x[0-9a-f]+ (?:".*?"|\(has no name\)): \((?P<cls>.*?)\)')


class XSessionError(RuntimeError):
    pass


def missing_tools() -> list[str]:
    return [tool for tool in ("Xvfb", "trayer", "xwininfo") if shutil.which(tool) is None]


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _AtomReply(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
                ("length", ctypes.c_uint32), ("atom", ctypes.c_uint32)]


class _OwnerReply(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
                ("length", ctypes.c_uint32), ("owner", ctypes.c_uint32)]


def selection_owned(display: str, selection: str) -> bool:
    """True when some client owns ``selection`` on ``display`` (xcb_get_selection_owner)."""
    xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    libc = ctypes.CDLL(None)
    xcb.xcb_connect.argtypes, xcb.xcb_connect.restype = [ctypes.c_char_p, ctypes.c_void_p], ctypes.c_void_p
    xcb.xcb_connection_has_error.argtypes, xcb.xcb_connection_has_error.restype = [ctypes.c_void_p], ctypes.c_int
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    xcb.xcb_intern_atom.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_char_p]
    xcb.xcb_intern_atom.restype = _Cookie
    xcb.xcb_intern_atom_reply.argtypes = [ctypes.c_void_p, _Cookie, ctypes.c_void_p]
    xcb.xcb_intern_atom_reply.restype = ctypes.POINTER(_AtomReply)
    xcb.xcb_get_selection_owner.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    xcb.xcb_get_selection_owner.restype = _Cookie
    xcb.xcb_get_selection_owner_reply.argtypes = [ctypes.c_void_p, _Cookie, ctypes.c_void_p]
    xcb.xcb_get_selection_owner_reply.restype = ctypes.POINTER(_OwnerReply)
    libc.free.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        if not conn or xcb.xcb_connection_has_error(conn):
            return False
        name = selection.encode()
        atom_reply = xcb.xcb_intern_atom_reply(conn, xcb.xcb_intern_atom(conn, 0, len(name), name), None)
        if not atom_reply:
            return False
        atom = atom_reply.contents.atom
        libc.free(atom_reply)
        owner_reply = xcb.xcb_get_selection_owner_reply(conn, xcb.xcb_get_selection_owner(conn, atom), None)
        if not owner_reply:
            return False
        owner = owner_reply.contents.owner
        libc.free(owner_reply)
        return owner != 0
    finally:
        if conn:
            xcb.xcb_disconnect(conn)


def docked(tree: str, wm_class: str = "intake-app", host_class: str = "trayer") -> bool:
    """True when a window of ``wm_class`` sits inside a window of ``host_class`` in an ``xwininfo -tree``."""
    ancestors: list[tuple[int, str]] = []  # (indent, WM_CLASS text) of the open path
    for line in tree.splitlines():
        match = _WINDOW.match(line)
        if not match:
            continue
        indent, cls = len(match["indent"]), match["cls"]
        while ancestors and ancestors[-1][0] >= indent:
            ancestors.pop()
        if f'"{wm_class}"' in cls and any(f'"{host_class}"' in up for _, up in ancestors):
            return True
        ancestors.append((indent, cls))
    return False


class XSession:
    """Xvfb on a free display + trayer; ``with XSession() as x: x.env`` for the app's environment."""

    def __init__(self, size: str = "1280x800x24", tray: bool = True) -> None:
        self.size, self.tray = size, tray
        self.display = ""
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> XSession:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.size, "-nolisten", "tcp",
                                 "-noreset"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self._procs.append(xvfb)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # Xvfb writes the display number once it accepts clients
        if not number:
            raise XSessionError("Xvfb did not start")
        self.display = f":{number}"
        if self.tray:
            self._procs.append(subprocess.Popen(TRAYER, env=self.env, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL))
            self.wait_for(lambda: selection_owned(self.display, "_NET_SYSTEM_TRAY_S0"), 20, "trayer's system tray")

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
        env["DISPLAY"] = self.display
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # XEmbed via trayer, not a desktop's SNI host
        return env

    def tree(self) -> str:
        return subprocess.run(["xwininfo", "-root", "-tree"], env=self.env, capture_output=True, text=True,
                              timeout=10).stdout

    def is_docked(self, wm_class: str = "intake-app") -> bool:
        return docked(self.tree(), wm_class)

    def wait_for(self, condition, timeout: float, what: str) -> float:  # noqa: ANN001 - a () -> bool
        """Poll ``condition`` until true; returns when (monotonic). Raises with ``what`` on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if condition():
                return time.monotonic()
            if time.monotonic() > deadline:
                raise XSessionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.005)

    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        self._procs.clear()
