"""The global hotkey on the test X server: XGrabKey through Qt's connection, real key presses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from intake_app.messages import MessageBridge
from intake_app.ui.hotkey import GlobalHotkey, unavailable_reason
from intake_app.ui.hotkey import x11

pytestmark = pytest.mark.gui

CTRL_F12_KEYSYM = 0xFFC9
CONTROL_MASK = 0x04


@pytest.fixture
def hotkey(qapp: Any) -> Iterator[tuple[GlobalHotkey, MessageBridge]]:
    if qapp.platformName() != "xcb":
        pytest.skip("needs the X11 (xcb) platform: this run is offscreen")
    bridge = MessageBridge()
    hk = GlobalHotkey(bridge)
    yield hk, bridge
    hk.unregister()


@pytest.fixture
def other_client(qapp: Any) -> Iterator[int]:
    """A second, independent X client (its own xcb connection)."""
    lib = x11.libs().xcb
    conn = lib.xcb_connect(None, None)
    assert conn and lib.xcb_connection_has_error(conn) == 0
    yield conn
    lib.xcb_disconnect(conn)


def test_ctrl_f12_fires_on_a_real_key_press(qtbot: Any, hotkey: Any, xdotool: Callable[..., None]) -> None:
    hk, bridge = hotkey
    status = hk.register("ctrl+f12")
    assert status.active and status.text == "Ctrl+F12" and status.reason == ""
    with qtbot.waitSignal(hk.activated, timeout=5000):
        xdotool("key", "ctrl+F12")
    assert bridge.pending() == []


def test_it_also_fires_with_num_lock_on(qtbot: Any, hotkey: Any, xdotool: Callable[..., None]) -> None:
    hk, _bridge = hotkey
    assert hk.register("Ctrl+F12").active
    xdotool("key", "Num_Lock")
    try:
        with qtbot.waitSignal(hk.activated, timeout=5000):
            xdotool("key", "ctrl+F12")
    finally:
        xdotool("key", "Num_Lock")


def test_other_keys_pass_through(qtbot: Any, hotkey: Any, xdotool: Callable[..., None]) -> None:
    hk, _bridge = hotkey
    assert hk.register("Ctrl+F12").active
    with qtbot.assertNotEmitted(hk.activated, wait=300):
        xdotool("key", "F12")
        xdotool("key", "shift+F12")


def test_a_second_client_cannot_grab_it_while_we_hold_it(hotkey: Any, other_client: int) -> None:
    hk, _bridge = hotkey
    assert hk.register("Ctrl+F12").active
    keycode = x11.keycode_for(other_client, CTRL_F12_KEYSYM)
    assert keycode is not None
    theirs = x11.XcbGrab(other_client, keycode, CONTROL_MASK)
    assert theirs.grab() == x11.BAD_ACCESS
    hk.unregister()
    assert theirs.grab() == 0  # released for real
    theirs.ungrab()


def test_taken_by_another_program_stays_off_and_says_why(hotkey: Any, other_client: int) -> None:
    hk, bridge = hotkey
    keycode = x11.keycode_for(other_client, CTRL_F12_KEYSYM)
    assert keycode is not None
    theirs = x11.XcbGrab(other_client, keycode, CONTROL_MASK)
    assert theirs.grab() == 0
    try:
        status = hk.register("Ctrl+F12")
    finally:
        theirs.ungrab()
    assert not status.active
    assert status.reason == "Ctrl+F12 is already taken by another program"
    [message] = bridge.pending()
    assert message.source == "hotkey" and "Ctrl+F12" in message.text and "tray menu" in message.text
    assert hk.register("Ctrl+F12").active  # free again: nothing of ours was left half-grabbed


def test_a_key_this_keyboard_lacks_is_reported(hotkey: Any) -> None:
    hk, bridge = hotkey
    status = hk.register("Ctrl+F24")  # Xvfb's default keymap has no F24
    assert not status.active and "no key for Ctrl+F24" in status.reason
    assert len(bridge.pending()) == 1


def test_bad_hotkey_text_is_reported_not_raised(hotkey: Any) -> None:
    hk, bridge = hotkey
    status = hk.register("Ctrl+Ctrl+X")
    assert not status.active and "Ctrl appears twice" in status.reason
    assert "Ctrl+Ctrl+X" in bridge.pending()[0].text


def test_empty_means_switched_off_without_a_message(hotkey: Any) -> None:
    hk, bridge = hotkey
    status = hk.register("")
    assert not status.active and status.reason == "" and bridge.pending() == []


def test_wayland_and_missing_x11_are_explained() -> None:
    assert "Wayland" in unavailable_reason("wayland", "linux")
    assert "no X11 display" in unavailable_reason("offscreen", "linux")
    assert unavailable_reason("xcb", "linux") == ""
    assert unavailable_reason("windows", "win32") == ""
    assert unavailable_reason("cocoa", "darwin") == ""


def test_offscreen_session_reports_the_reason() -> None:
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from intake_app.messages import MessageBridge\n"
        "from intake_app.ui.hotkey import GlobalHotkey\n"
        "b = MessageBridge(); s = GlobalHotkey(b).register('Ctrl+F12')\n"
        "print(s.active, '|', s.reason, '|', len(b.pending()))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False | there is no X11 display (Qt platform “offscreen”) | 1"
