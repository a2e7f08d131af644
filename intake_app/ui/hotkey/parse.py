"""A parsed hotkey (``config.hotkey.Hotkey``) to each platform's own (modifiers, key code).

The text itself ("Ctrl+F12") is parsed and checked Qt-free by
:mod:`intake_app.config.hotkey`, where a bad value can name the admin file. This
module only holds the per-platform tables; the platform is a parameter, so the
X11, Windows and macOS tables are all tested on Linux.

Modifiers are taken literally everywhere: "Ctrl" is the Control key (also on
macOS, where Qt would read it as Command); "Meta" (Win, Super, Cmd) is the
logo/Command key.
"""

from __future__ import annotations

from intake_app.config.hotkey import Hotkey, HotkeyError, parse_hotkey

__all__ = ["DEFAULT_HOTKEY", "Hotkey", "HotkeyError", "macos_code", "native_code", "parse_hotkey",
           "windows_code", "x11_code"]

DEFAULT_HOTKEY = "Ctrl+F12"

# --- X11: modifier masks (X11/X.h) and keysyms (X11/keysymdef.h) -------------------------------
X11_MODS = {"Shift": 1 << 0, "Ctrl": 1 << 2, "Alt": 1 << 3, "Meta": 1 << 6}  # Shift Control Mod1 Mod4
X11_LOCK_MASKS = (0, 1 << 1, 1 << 4, (1 << 1) | (1 << 4))  # none, CapsLock, NumLock (Mod2), both
X11_NAMED = {
    "Esc": 0xFF1B, "Space": 0x0020, "Tab": 0xFF09, "Backspace": 0xFF08, "Delete": 0xFFFF, "Insert": 0xFF63,
    "Home": 0xFF50, "End": 0xFF57, "PgUp": 0xFF55, "PgDown": 0xFF56, "Left": 0xFF51, "Up": 0xFF52,
    "Right": 0xFF53, "Down": 0xFF54, "Print": 0xFF61, "Pause": 0xFF13, "ScrollLock": 0xFF14,
}

# --- Windows: RegisterHotKey modifiers and virtual-key codes (WinUser.h) -------------------------
WIN_MODS = {"Alt": 0x0001, "Ctrl": 0x0002, "Shift": 0x0004, "Meta": 0x0008}
WIN_MOD_NOREPEAT = 0x4000
WIN_NAMED = {
    "Esc": 0x1B, "Space": 0x20, "Tab": 0x09, "Backspace": 0x08, "Delete": 0x2E, "Insert": 0x2D,
    "Home": 0x24, "End": 0x23, "PgUp": 0x21, "PgDown": 0x22, "Left": 0x25, "Up": 0x26, "Right": 0x27,
    "Down": 0x28, "Print": 0x2C, "Pause": 0x13, "ScrollLock": 0x91,
}

# --- macOS: Carbon modifier flags (Events.h) and kVK_* virtual key codes (ANSI layout) -----------
MAC_MODS = {"Meta": 0x0100, "Shift": 0x0200, "Alt": 0x0800, "Ctrl": 0x1000}  # cmd shift option control
MAC_LETTERS = dict(zip("ASDFHGZXCVBQWERYTOUIPLJKNM", (
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
    0x10, 0x11, 0x1F, 0x20, 0x22, 0x23, 0x25, 0x26, 0x28, 0x2D, 0x2E), strict=True))
MAC_DIGITS = {"1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "5": 0x17, "6": 0x16, "7": 0x1A, "8": 0x1C,
              "9": 0x19, "0": 0x1D}
MAC_FKEYS = {1: 0x7A, 2: 0x78, 3: 0x63, 4: 0x76, 5: 0x60, 6: 0x61, 7: 0x62, 8: 0x64, 9: 0x65, 10: 0x6D,
             11: 0x67, 12: 0x6F, 13: 0x69, 14: 0x6B, 15: 0x71, 16: 0x6A, 17: 0x40, 18: 0x4F, 19: 0x50, 20: 0x5A}
MAC_NAMED = {
    "Esc": 0x35, "Space": 0x31, "Tab": 0x30, "Backspace": 0x33, "Delete": 0x75, "Home": 0x73, "End": 0x77,
    "PgUp": 0x74, "PgDown": 0x79, "Left": 0x7B, "Right": 0x7C, "Down": 0x7D, "Up": 0x7E,
}


def _mods(hotkey: Hotkey, table: dict[str, int]) -> int:
    return sum(table[m] for m in hotkey.modifiers)


def _fkey(key: str) -> int | None:
    return int(key[1:]) if key.startswith("F") and key[1:].isdigit() else None


def x11_code(hotkey: Hotkey) -> tuple[int, int]:
    """(modifier mask, keysym); the keysym becomes a keycode against the live server's keymap."""
    key, number = hotkey.key, _fkey(hotkey.key)
    if key in X11_NAMED:
        return _mods(hotkey, X11_MODS), X11_NAMED[key]
    if number is not None:
        return _mods(hotkey, X11_MODS), 0xFFBE + number - 1  # XK_F1 .. XK_F24 are consecutive
    return _mods(hotkey, X11_MODS), ord(key.lower())  # XK_a..XK_z (unshifted symbol), XK_0..XK_9


def windows_code(hotkey: Hotkey) -> tuple[int, int]:
    """(RegisterHotKey fsModifiers incl. MOD_NOREPEAT, virtual-key code)."""
    mods = _mods(hotkey, WIN_MODS) | WIN_MOD_NOREPEAT
    key, number = hotkey.key, _fkey(hotkey.key)
    if key in WIN_NAMED:
        return mods, WIN_NAMED[key]
    if number is not None:
        return mods, 0x70 + number - 1  # VK_F1 .. VK_F24
    return mods, ord(key)  # 'A'..'Z' and '0'..'9' are their own VK codes


def macos_code(hotkey: Hotkey) -> tuple[int, int]:
    """(Carbon modifier flags, kVK_* key code); keys a Mac keyboard lacks raise HotkeyError."""
    mods = _mods(hotkey, MAC_MODS)
    key, number = hotkey.key, _fkey(hotkey.key)
    if number is not None:
        code = MAC_FKEYS.get(number)
    else:
        code = next((table[key] for table in (MAC_NAMED, MAC_LETTERS, MAC_DIGITS) if key in table), None)
    if code is None:
        raise HotkeyError(f"{hotkey} cannot be used on macOS (a Mac keyboard has no {key} key)")
    return mods, code


def native_code(hotkey: Hotkey, platform: str) -> tuple[int, int]:
    """The (modifiers, key) pair for ``platform`` (a ``sys.platform`` value)."""
    if platform.startswith("win"):
        return windows_code(hotkey)
    if platform == "darwin":
        return macos_code(hotkey)
    return x11_code(hotkey)
