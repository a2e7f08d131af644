"""Hotkey strings: one canonical spelling, and a reason for every refusal."""

from __future__ import annotations

import pytest

from intake_app.config.hotkey import Hotkey, HotkeyError, normalise_hotkey, parse_hotkey


@pytest.mark.parametrize(("text", "canonical"), [
    ("Ctrl+F12", "Ctrl+F12"),
    ("ctrl+f12", "Ctrl+F12"),
    (" shift + control + h ", "Ctrl+Shift+H"),
    ("Win+Alt+PageDown", "Alt+Meta+PgDown"),
    ("F9", "F9"),  # function keys may stand alone
    ("Print", "Print"),
    ("Ctrl+Shift+2", "Ctrl+Shift+2"),
    ("", ""),
    ("   ", ""),
])
def test_normalise(text: str, canonical: str) -> None:
    assert normalise_hotkey(text) == canonical


def test_parse_gives_modifiers_and_key() -> None:
    assert parse_hotkey("Alt+Ctrl+Space") == Hotkey(frozenset({"Ctrl", "Alt"}), "Space")
    assert parse_hotkey("") is None


@pytest.mark.parametrize(("text", "reason"), [
    ("Ctrl+", 'a name is missing (two "+" in a row, or one at either end)'),
    ("Hyper+F1", '"Hyper" is not a modifier; use Ctrl, Alt, Shift or Meta'),
    ("Ctrl+Ctrl+F1", "Ctrl appears twice"),
    ("Ctrl+Alt", "the last part must be a key, not a modifier"),
    ("Ctrl+F25", '"F25" is not a key name; use F1-F24, A-Z, 0-9, Space, Home, Print, ...'),
    ("H", "H needs Ctrl, Alt or Meta with it, or every other program would lose that key"),
    ("Shift+Space", "Space needs Ctrl, Alt or Meta with it, or every other program would lose that key"),
])
def test_refusals_say_why(text: str, reason: str) -> None:
    with pytest.raises(HotkeyError) as err:
        parse_hotkey(text)
    assert str(err.value) == reason
