"""Helpers shared by the diagnostics tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOBODY = 65534  # the unprivileged user "nobody"
Color = tuple[int, int, int]
PatternRect = tuple[int, int, int, int, Color]


def has_x_display() -> bool:
    return bool(os.environ.get("DISPLAY")) and os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb"


def needs_display() -> None:
    if not has_x_display():
        pytest.skip("needs an X display (pytest-xvfb's Xvfb); this run has none")


def xrandr(display: str, *args: str) -> str:
    if shutil.which("xrandr") is None:
        pytest.skip("xrandr is not installed: apt-get install x11-xserver-utils")
    result = subprocess.run(["xrandr", "--display", display, *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout
