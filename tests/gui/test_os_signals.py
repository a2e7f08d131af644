"""SIGTERM reaches Python while Qt's event loop runs, and the old handlers come back."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from intake_app.ui.os_signals import QuitOnSignals, WakeupPipe

pytestmark = pytest.mark.gui


def test_sigterm_calls_back_during_the_event_loop(qtbot: Any) -> None:
    before = signal.getsignal(signal.SIGTERM)
    got: list[str] = []
    bridge = QuitOnSignals(lambda: got.append("quit"))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: got == ["quit"], timeout=5000)
    finally:
        bridge.restore()
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_the_wakeup_pipe_carries_a_byte_and_drains_without_blocking(platform: str) -> None:
    """POSIX uses a pipe (no ``socket`` import before the icon); Windows a socket pair (both run here)."""
    import select

    pipe = WakeupPipe(platform)
    try:
        pipe.drain()  # empty: returns at once instead of blocking
        os.write(pipe.write_fd, b"\x0f")  # what signal.set_wakeup_fd does, on a pipe and on a socket alike
        assert select.select([pipe.read_fd], [], [], 5)[0] == [pipe.read_fd]
        pipe.drain()
        assert select.select([pipe.read_fd], [], [], 0)[0] == []
    finally:
        pipe.close()
