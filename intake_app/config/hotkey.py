"""Global hotkey strings ("Ctrl+F12") parsed and checked without Qt.

The admin writes the hotkey in the Qt/QKeySequence spelling; the UI registers
it through the platform's own API (RegisterHotKey, XGrabKey, Carbon), so the
string is checked here, once, where a bad value can name the admin file.
A printable key needs a modifier other than Shift: a global grab of a bare
letter (or Shift+letter) would swallow that character in every program.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

# canonical order of modifiers in the normalised string
MODIFIER_ORDER = ("Ctrl", "Alt", "Shift", "Meta")
_MODIFIER_ALIASES = {
    "ctrl": "Ctrl", "control": "Ctrl",
    "alt": "Alt", "option": "Alt",
    "shift": "Shift",
    "meta": "Meta", "super": "Meta", "win": "Meta", "cmd": "Meta", "command": "Meta",
}
_NAMED_KEYS = {
    name.lower(): name
    for name in (
        "Space", "Tab", "Insert", "Delete", "Home", "End", "PgUp", "PgDown",
        "Up", "Down", "Left", "Right", "Print", "Pause", "ScrollLock", "Backspace", "Esc",
    )
}
_NAMED_KEYS.update({"pageup": "PgUp", "pagedown": "PgDown", "escape": "Esc", "ins": "Insert", "del": "Delete"})
_FUNCTION_KEYS = {f"f{n}": f"F{n}" for n in range(1, 25)}
_PRINTABLE = {ch.lower(): ch for ch in string.ascii_uppercase + string.digits}
# keys harmless enough to grab without a modifier
_BARE_OK = {f"F{n}" for n in range(1, 25)} | {"Print", "Pause", "ScrollLock"}

EXPECTED = 'a hotkey such as "Ctrl+F12" (Ctrl, Alt, Shift, Meta, then one key), or "" for none'


class HotkeyError(ValueError):
    """The hotkey string cannot be used; the message says why."""


@dataclass(frozen=True)
class Hotkey:
    """A parsed hotkey: modifiers (canonical names) and one key (canonical name)."""

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        mods = [m for m in MODIFIER_ORDER if m in self.modifiers]
        return "+".join([*mods, self.key])


def parse_hotkey(text: str) -> Hotkey | None:
    """Parse ``text`` (case-insensitive); ``""`` means no hotkey (None)."""
    text = text.strip()
    if not text:
        return None
    parts = [part.strip() for part in text.split("+")]
    if any(not part for part in parts):
        raise HotkeyError('a name is missing (two "+" in a row, or one at either end)')
    *mod_parts, key_part = parts
    modifiers: set[str] = set()
    for part in mod_parts:
        modifier = _MODIFIER_ALIASES.get(part.lower())
        if modifier is None:
            raise HotkeyError(f'"{part}" is not a modifier; use Ctrl, Alt, Shift or Meta')
        if modifier in modifiers:
            raise HotkeyError(f"{modifier} appears twice")
        modifiers.add(modifier)
    lowered = key_part.lower()
    if lowered in _MODIFIER_ALIASES:
        raise HotkeyError("the last part must be a key, not a modifier")
    key = _FUNCTION_KEYS.get(lowered) or _NAMED_KEYS.get(lowered) or _PRINTABLE.get(lowered)
    if key is None:
        raise HotkeyError(f'"{key_part}" is not a key name; use F1-F24, A-Z, 0-9, Space, Home, Print, ...')
    if key not in _BARE_OK and not modifiers - {"Shift"}:
        raise HotkeyError(f"{key} needs Ctrl, Alt or Meta with it, or every other program would lose that key")
    return Hotkey(frozenset(modifiers), key)


def normalise_hotkey(text: str) -> str:
    """The canonical spelling of ``text`` ("ctrl+f12" → "Ctrl+F12"); ``""`` stays ``""``."""
    hotkey = parse_hotkey(text)
    return "" if hotkey is None else str(hotkey)
