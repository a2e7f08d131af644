"""Read a TOML file into a dict, turning every failure into one clear sentence.

tomllib's own messages ("Cannot overwrite a value (at line 3, column 8)") are
correct but cryptic for an admin; here they become "line 3: duplicate key
[service] url …", always prefixed with the file so the admin knows which of
the several possible intake.toml files is at fault.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from intake_app.errors import ConfigError

_BOM = b"\xef\xbb\xbf"  # older Windows Notepad saves UTF-8 with one
_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_DECLARED_TWICE = re.compile(r"^Cannot declare (\(.*\)) twice")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; :class:`ConfigError` naming ``path`` (and the line) on any problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, expected an intake.toml file", path=str(path)) from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot read the file (permission denied)", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror or exc})", path=str(path)) from None
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: the file is not UTF-8 text; save it as UTF-8",
                          path=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, key = _describe(str(exc), text.splitlines())
        raise ConfigError(f"{path}: {message}", path=str(path), key=key) from None


def describe_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, str | None]:
    """(sentence, dotted key or None) for a tomllib error in ``text``: for other TOML files (service.toml)."""
    return _describe(str(exc), text.splitlines())


def _describe(error: str, lines: list[str]) -> tuple[str, str | None]:
    """(sentence, dotted key or None) for one tomllib error message."""
    where = _WHERE.search(error)
    reason = _WHERE.sub("", error).replace(" (at end of document)", "")
    if where is None:
        line_no, column = len(lines) or 1, None
    else:
        line_no, column = int(where.group(1)), int(where.group(2))
    twice = _DECLARED_TWICE.match(reason)
    if twice:
        import ast  # only to word a duplicate-key error

        name = ".".join(ast.literal_eval(twice.group(1)))
        return (f"line {line_no}: duplicate table [{name}]: each table may appear only once "
                "(merge the two into one)", name)
    if reason.startswith("Cannot overwrite a value"):
        label, key = _key_on_line(lines, line_no)
        return (f"line {line_no}: duplicate key {label}: it is already set above "
                "(TOML allows each key only once)", key)
    hint = ""
    if reason.startswith("Invalid value"):
        hint = '; text needs "quotes", and yes/no are written true/false'
    elif reason == "Illegal character '\\n'":
        hint = '; a "quoted" text is not closed on this line'
    at = f", column {column}" if column else ""
    return f"line {line_no}{at}: TOML syntax error: {reason}{hint}", None


def _key_on_line(lines: list[str], line_no: int) -> tuple[str, str | None]:
    """How to name the key set on ``line_no``: ``[section] key`` (and its dotted form)."""
    if not 1 <= line_no <= len(lines):
        return "(unknown)", None
    text = lines[line_no - 1]
    header = _HEADER.match(text)
    if header:
        name = header.group(1).strip()
        return f"[{name}]", name
    key = text.split("=", 1)[0].strip().strip("\"'")
    section = None
    for previous in reversed(lines[: line_no - 1]):
        found = _HEADER.match(previous)
        if found:
            section = found.group(1).strip()
            break
    if section is None:
        return key, key
    return f"[{section}] {key}", f"{section}.{key}"
