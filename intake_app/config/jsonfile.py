"""Small JSON state files (profile, token fallback): read softly, never lose a corrupt one.

A file the app cannot parse is renamed aside (``profile.json.corrupt``, then
``.corrupt.2`` …) rather than overwritten, so whatever the user had can still
be recovered by hand; the caller gets defaults and a warning to show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class JsonRead:
    """``data`` is None when the file is missing or unusable; ``warning`` then says why."""

    data: dict[str, Any] | None
    warning: str | None = None
    unreadable: bool = False  # exists but could not be read (permissions): do not overwrite


def keep_aside(path: Path) -> Path:
    """Rename ``path`` to a free ``<name>.corrupt[.N]`` beside it; returns the new path."""
    target = path.with_name(path.name + ".corrupt")
    number = 2
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt.{number}")
        number += 1
    path.rename(target)
    return target


def read_json_object(path: Path, what: str) -> JsonRead:
    """Parse ``path`` as a JSON object; a corrupt file is kept aside (``what`` names it in the warning)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return JsonRead(None)
    except OSError as exc:
        return JsonRead(None, f"Could not read your {what} ({path}: {exc.strerror or exc}); using defaults.",
                        unreadable=True)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = f"not valid JSON: {exc}"
    else:
        if isinstance(data, dict):
            return JsonRead(data)
        reason = f"expected a JSON object, found {type(data).__name__}"
    try:
        aside = keep_aside(path)
    except OSError as exc:
        return JsonRead(None, f"Your {what} {path} is damaged ({reason}) and could not be moved aside "
                              f"({exc.strerror or exc}); using defaults.", unreadable=True)
    return JsonRead(None, f"Your {what} {path} was damaged ({reason}); it was kept as {aside} "
                          "and defaults are used.")
