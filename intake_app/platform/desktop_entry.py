"""Reading and writing freedesktop.org Desktop Entry files (``.desktop``), just what autostart needs.

The ``Exec`` key has its own quoting on top of the file's string escapes, and a
path with a space, a quote, a ``$`` or a ``%`` in it (a home folder named
"Dana's files") must survive both; getting it wrong means the entry silently
never starts. The rules follow the Desktop Entry Specification 1.5,
"The Exec key" and "Possible value types".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

GROUP = "Desktop Entry"
# characters that force an Exec argument into double quotes
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
# inside double quotes these four need a backslash
_QUOTED_ESCAPES = set('"`$\\')
_STRING_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_STRING_UNESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\", ";": "\\;"}


class DesktopEntryError(ValueError):
    """A file or Exec value that breaks the specification."""


def quote_exec(command: Sequence[str]) -> str:
    """The Exec value (before file escaping) that runs ``command`` exactly."""
    if not command:
        raise DesktopEntryError("an Exec line needs a program")
    parts = []
    for arg in command:
        arg = arg.replace("%", "%%")
        if arg and not (set(arg) & _RESERVED):
            parts.append(arg)
        else:
            parts.append('"' + "".join("\\" + ch if ch in _QUOTED_ESCAPES else ch for ch in arg) + '"')
    return " ".join(parts)


def split_exec(value: str) -> list[str]:
    """Inverse of :func:`quote_exec`; field codes (``%f``, ``%U`` …) are dropped as launchers do."""
    args: list[str] = []
    current: list[str] = []
    in_arg = in_quotes = False
    i = 0
    while i < len(value):
        ch = value[i]
        if in_quotes:
            if ch == "\\" and i + 1 < len(value) and value[i + 1] in _QUOTED_ESCAPES:
                current.append(value[i + 1])
                i += 1
            elif ch == '"':
                in_quotes = False
            else:
                current.append(ch)
        elif ch == '"':
            in_quotes = in_arg = True
        elif ch == " ":
            if in_arg:
                args.append("".join(current))
                current, in_arg = [], False
        else:
            current.append(ch)
            in_arg = True
        i += 1
    if in_quotes:
        raise DesktopEntryError(f"unterminated quote in Exec value {value!r}")
    if in_arg:
        args.append("".join(current))
    return [_drop_field_codes(arg) for arg in args if not _is_field_code(arg)]


def _is_field_code(arg: str) -> bool:
    return len(arg) == 2 and arg[0] == "%" and arg[1] != "%"


def _drop_field_codes(arg: str) -> str:
    return arg.replace("%%", "\x00").replace("\x00", "%")


def escape_string(value: str) -> str:
    """A value as written in the file (``\\`` → ``\\\\``, newline → ``\\n`` …)."""
    return "".join(_STRING_ESCAPES.get(ch, ch) for ch in value)


def unescape_string(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(_STRING_UNESCAPES.get(value[i + 1], "\\" + value[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def render(fields: Mapping[str, str]) -> str:
    """A ``[Desktop Entry]`` file from already-typed values (strings are escaped here)."""
    lines = [f"[{GROUP}]"]
    for key, value in fields.items():
        if "\n" in key or "=" in key:
            raise DesktopEntryError(f"invalid key {key!r}")
        lines.append(f"{key}={escape_string(value)}")
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, str]:
    """The ``[Desktop Entry]`` group's keys with unescaped values; other groups are ignored."""
    fields: dict[str, str] = {}
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            continue
        if group != GROUP:
            continue
        key, sep, value = raw.partition("=")
        if not sep:
            raise DesktopEntryError(f"line {raw!r} is not key=value")
        fields[key.strip()] = unescape_string(value.strip())
    return fields


def is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"
