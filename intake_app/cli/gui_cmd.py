"""``intake-app`` (the tray app), ``intake-app report`` and ``intake-app tickets-window``.

Qt-free until the display is known to work: without one, Qt would abort the
process from inside QApplication. So on Linux and the BSDs this checks
``$DISPLAY`` (and that the X server answers) or ``$WAYLAND_DISPLAY`` first, and
without a usable display prints one sentence pointing to the command line
instead (exit status 2). ``QT_QPA_PLATFORM`` set by the user (e.g. offscreen
for smoke tests) is trusted as it is.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from intake_app import APP_ID

NO_DISPLAY_EXIT = 2
GUI_COMMANDS = {"tray", "report", "tickets-window"}


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    """The GUI commands take only the global options (--basedir, --config, --demo, --no-dialogs)."""


def _x_display_answers(display: str) -> bool:
    """True when an X server accepts a connection on ``display`` (xcb, no Qt)."""
    import ctypes

    try:  # the SONAME first: ctypes.util.find_library runs `ldconfig -p` (a process, ~10 ms) on Linux
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        import ctypes.util

        try:
            xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so")
        except OSError:
            return True  # cannot check here; let Qt try (its own error names the missing library)
    xcb.xcb_connect.argtypes, xcb.xcb_connect.restype = [ctypes.c_char_p, ctypes.c_void_p], ctypes.c_void_p
    xcb.xcb_connection_has_error.argtypes, xcb.xcb_connection_has_error.restype = [ctypes.c_void_p], ctypes.c_int
    xcb.xcb_disconnect.argtypes, xcb.xcb_disconnect.restype = [ctypes.c_void_p], None
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(conn) and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn:
            xcb.xcb_disconnect(conn)


def _wayland_answers(display: str) -> bool:
    path = Path(display) if os.path.isabs(display) else Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / display
    return path.exists()


def display_problem(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why no window can be shown here, or None when a display is there (Windows and macOS always have one)."""
    env = dict(os.environ if environ is None else environ)
    if platform.startswith("win") or platform == "darwin" or env.get("QT_QPA_PLATFORM"):
        return None
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if wayland and _wayland_answers(wayland):
        return None
    if display:
        if _x_display_answers(display):
            return None
        return f"the X display {display} does not answer"
    if wayland:
        return f"the Wayland display {wayland} does not answer"
    return "there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def run(name: str, args: argparse.Namespace) -> int:
    command = name if name in GUI_COMMANDS else "tray"
    problem = display_problem()
    if problem is not None:
        print(f"{APP_ID}: cannot open a window because {problem}; use the command line instead: "
              f"{APP_ID} submit --help", file=sys.stderr)
        return NO_DISPLAY_EXIT
    # The app's Qt-free foundations first: once PySide6 is imported, its import hook reads the source
    # of every module imported after it (``inspect.getsource``, for ``from __feature__ import``), 20-30 ms
    # for these at every start from source (a bundle has no sources; it pays nothing either way).
    from intake_app.platform.memory import keep_source_lines_out_of_memory

    keep_source_lines_out_of_memory()  # that hook's source reads would stay in linecache: 2-11 MB at rest

    import intake_app.config.admin
    import intake_app.messages
    import intake_app.ui.instance_client  # noqa: F401
    from intake_app.app import main  # PySide6 is imported only from here on

    return main(command, args)
