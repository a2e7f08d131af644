"""The command line that starts this very program again (autostart entries, demo service child).

A PyInstaller bundle *is* the command (``intake-app serve --demo`` is the same
executable with arguments); a source checkout is the interpreter plus
``-m intake_app``. Facts are injectable so tests can describe a frozen
Windows build while running from source on Linux.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import PureWindowsPath


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def app_command(
    args: Sequence[str] = (),
    *,
    frozen: bool | None = None,
    executable: str | None = None,
    windows: bool | None = None,
    gui: bool = False,
    exists: Callable[[str], bool] = os.path.exists,
) -> list[str]:
    """``[program, *args]`` that runs ``intake-app`` with ``args``, whatever way we were started.

    ``gui=True`` asks for the console-less form where one exists (Windows
    ``pythonw.exe`` from source; the bundle's own executable is already
    windowed there), so an autostart entry does not flash a console window.
    """
    frozen = is_frozen() if frozen is None else frozen
    executable = executable or sys.executable
    windows = (os.name == "nt") if windows is None else windows
    if frozen:
        return [executable, *args]
    program = executable
    if gui and windows and PureWindowsPath(program).name.lower() == "python.exe":
        pythonw = str(PureWindowsPath(program).with_name("pythonw.exe"))
        if exists(pythonw):
            program = pythonw
    return [program, "-m", "intake_app", *args]
