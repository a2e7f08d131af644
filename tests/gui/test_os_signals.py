"""SIGTERM reaches Python while Qt's event loop runs, and the old handlers come back."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from intake_app.ui.os_signals import QuitOnSignals

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
