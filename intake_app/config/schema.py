"""The admin file's declared schema: every key, its type, default and check.

One table (:data:`SETTINGS`) drives loading, defaults, origins and the
``config check`` listing, so a new key is one line here. Each check turns a raw
TOML value into the typed value or raises :class:`Invalid` with the words that
finish "expected …"; the loader adds the file and the key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

from intake_app.config.hotkey import EXPECTED as HOTKEY_EXPECTED
from intake_app.config.hotkey import HotkeyError, normalise_hotkey
from intake_app.errors import ConfigError
from intake_app.logsetup import scrub

SCHEMA_VERSION = 1
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# the service accepts at most 64 MiB per ticket (docs/API.md); keep room for the JSON part
SCREENSHOT_BUDGET_MAX_MIB = 60
PRODUCT_NAME_MAX = 60

# built-in probes and whether they run when the admin file does not say
BUILTIN_PROBES: dict[str, bool] = {
    "os": True, "hardware": True, "uptime": True, "user": True, "cpu": True, "memory": True,
    "disks": True, "network": True, "reachability": True, "public_ip": False, "battery": True,
    "processes": True, "timezone": True, "versions": True, "environment": True,
}


class Invalid(ValueError):
    """A value that breaks its key's rule; ``expected`` finishes the sentence "expected …"."""

    def __init__(self, expected: str, detail: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.detail = detail


def show(value: object, *, secret: bool = False) -> str:
    """A raw TOML value as the admin wrote it (secrets only by their type)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if secret:
        kind = {str: "text", int: "a number", float: "a number", list: "an array", dict: "a table"}
        return f"{kind.get(type(value), type(value).__name__)} (not shown: it is a secret)"
    if isinstance(value, str):
        return scrub(json.dumps(value, ensure_ascii=False))  # e.g. a password inside a URL
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime | date | time):
        return f"a date/time ({value.isoformat()})"
    return repr(value)


Check = Callable[[object, Path], object]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid("a string")
    return value.strip()


def check_url(value: object, base: Path) -> str | None:
    expected = "an https:// or http:// URL"
    if not isinstance(value, str):
        raise Invalid(expected)
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        raise Invalid(expected)
    if parts.username is not None or parts.password is not None:
        raise Invalid(expected, "a user name or password does not belong in it")
    if parts.query or parts.fragment:
        raise Invalid(expected, "a ?query or #fragment does not belong in it")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise Invalid(expected, "the port is not a number from 1 to 65535") from None
    return text.rstrip("/")


def check_optional_text(value: object, base: Path) -> str | None:
    return _text(value) or None


def check_product_name(value: object, base: Path) -> str:
    expected = f"a name of 1 to {PRODUCT_NAME_MAX} characters"
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > PRODUCT_NAME_MAX:
        raise Invalid(expected)
    return value.strip()


def _path(value: object, base: Path) -> Path | None:
    if not isinstance(value, str):
        raise Invalid("a file path (a string)")
    if not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else base / path


def check_path(value: object, base: Path) -> str | None:
    path = _path(value, base)
    return None if path is None else str(path)


def check_existing_file(value: object, base: Path) -> str | None:
    path = _path(value, base)
    if path is None:
        return None
    if not path.is_file():
        raise Invalid("the path of an existing file (relative paths start at the admin file's folder)")
    return str(path)


_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_colour(value: object, base: Path) -> str:
    if not isinstance(value, str) or not _COLOUR.match(value.strip()):
        raise Invalid('a colour written "#rrggbb" (e.g. "#2f6fdf")')
    return value.strip().lower()


def check_bool(value: object, base: Path) -> bool:
    if not isinstance(value, bool):
        raise Invalid("true or false")
    return value


def check_log_level(value: object, base: Path) -> str:
    if not isinstance(value, str) or value.strip().upper() not in LOG_LEVELS:
        raise Invalid("one of " + ", ".join(f'"{name}"' for name in LOG_LEVELS))
    return value.strip().upper()


def check_hotkey(value: object, base: Path) -> str:
    if not isinstance(value, str):
        raise Invalid(HOTKEY_EXPECTED)
    try:
        return normalise_hotkey(value)
    except HotkeyError as exc:
        raise Invalid(HOTKEY_EXPECTED, str(exc)) from None


def check_budget(value: object, base: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= SCREENSHOT_BUDGET_MAX_MIB:
        raise Invalid(f"a whole number of MiB from 1 to {SCREENSHOT_BUDGET_MAX_MIB}")
    return value


@dataclass(frozen=True)
class Setting:
    """One key of the admin file: ``[section] name``."""

    section: str
    name: str
    default: object
    check: Check
    secret: bool = False  # never echo the value (messages, config check)

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def label(self) -> str:
        return f"[{self.section}] {self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("service", "url", None, check_url),
    Setting("service", "enrolment_key", None, check_optional_text, secret=True),
    Setting("service", "ca_bundle", None, check_existing_file),
    Setting("branding", "product_name", "Intake", check_product_name),
    Setting("branding", "icon", None, check_path),
    Setting("branding", "accent_color", "#2f6fdf", check_colour),
    Setting("app", "hotkey", "", check_hotkey),
    Setting("app", "autostart", False, check_bool),
    Setting("app", "log_level", "INFO", check_log_level),
    Setting("app", "screenshot_budget_mib", 20, check_budget),
)
SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}
# sections a file may hold; [probes] has its own parser (probes.py)
SECTIONS = ("service", "branding", "probes", "app")


def invalid_value(path: Path, label: str, key: str, problem: Invalid, value: object,
                  *, secret: bool = False) -> ConfigError:
    """The one message for a bad value: file, key, what is expected, what was found."""
    detail = f": {problem.detail}" if problem.detail else ""
    return ConfigError(f"{path}: {label}: expected {problem.expected}, got {show(value, secret=secret)}{detail}",
                       path=str(path), key=key)
