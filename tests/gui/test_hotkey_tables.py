"""Per-platform hotkey tables, all checked on Linux: the platform is injected."""

from __future__ import annotations

import pytest

from intake_app.ui.hotkey.parse import (
    HotkeyError,
    macos_code,
    native_code,
    parse_hotkey,
    windows_code,
    x11_code,
)

# every key name config.hotkey accepts, so no table can miss one
ALL_KEYS = ([f"F{n}" for n in range(1, 25)] + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
            + [str(d) for d in range(10)]
            + ["Space", "Tab", "Insert", "Delete", "Home", "End", "PgUp", "PgDown", "Up", "Down", "Left", "Right",
               "Print", "Pause", "ScrollLock", "Backspace", "Esc"])
MAC_MISSING = {"F21", "F22", "F23", "F24", "Insert", "Print", "Pause", "ScrollLock"}


@pytest.mark.parametrize(("text", "platform", "expected"), [
    # X11: (ControlMask=4 | ShiftMask=1 | Mod1=8 | Mod4=64, keysym)
    ("Ctrl+F12", "linux", (0x04, 0xFFC9)),
    ("ctrl+shift+r", "linux", (0x05, ord("r"))),
    ("Alt+Meta+7", "linux", (0x48, ord("7"))),
    ("Ctrl+PgDown", "linux", (0x04, 0xFF56)),
    ("Pause", "freebsd14", (0x00, 0xFF13)),
    # Windows: MOD_CONTROL=2, MOD_SHIFT=4, MOD_ALT=1, MOD_WIN=8, always | MOD_NOREPEAT (0x4000); VK codes
    ("Ctrl+F12", "win32", (0x4002, 0x7B)),
    ("Ctrl+Shift+R", "win32", (0x4006, 0x52)),
    ("Alt+Win+7", "win32", (0x4009, 0x37)),
    ("Ctrl+Esc", "win32", (0x4002, 0x1B)),
    ("F24", "win32", (0x4000, 0x87)),
    # macOS Carbon: controlKey=0x1000, shiftKey=0x200, optionKey=0x800, cmdKey=0x100; kVK codes
    ("Ctrl+F12", "darwin", (0x1000, 0x6F)),
    ("Ctrl+Shift+R", "darwin", (0x1200, 0x0F)),
    ("Cmd+Option+A", "darwin", (0x0900, 0x00)),
    ("Ctrl+5", "darwin", (0x1000, 0x17)),
    ("Ctrl+Space", "darwin", (0x1000, 0x31)),
])
def test_native_codes(text: str, platform: str, expected: tuple[int, int]) -> None:
    hotkey = parse_hotkey(text)
    assert hotkey is not None
    assert native_code(hotkey, platform) == expected


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_key_maps_on_x11_and_windows(key: str) -> None:
    hotkey = parse_hotkey(f"Ctrl+{key}")
    assert hotkey is not None
    mods, keysym = x11_code(hotkey)
    assert mods == 0x04 and keysym > 0
    mods, vk = windows_code(hotkey)
    assert mods == 0x4002 and 0 < vk < 0xFF


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_key_maps_on_macos_or_says_why_not(key: str) -> None:
    hotkey = parse_hotkey(f"Ctrl+{key}")
    assert hotkey is not None
    if key in MAC_MISSING:
        with pytest.raises(HotkeyError, match="macOS"):
            macos_code(hotkey)
    else:
        mods, code = macos_code(hotkey)
        assert mods == 0x1000 and 0 <= code < 0x80


def test_mac_key_codes_are_distinct() -> None:
    codes = {}
    for key in ALL_KEYS:
        if key in MAC_MISSING:
            continue
        hotkey = parse_hotkey(f"Ctrl+{key}")
        assert hotkey is not None
        code = macos_code(hotkey)[1]
        assert code not in codes, f"{key} and {codes.get(code)} share kVK 0x{code:02x}"
        codes[code] = key


def test_x11_letters_use_the_unshifted_keysym() -> None:
    hotkey = parse_hotkey("Ctrl+Q")
    assert hotkey is not None
    assert x11_code(hotkey)[1] == ord("q")
