"""``[probes]``: which built-in probes run, and the admin's extra probes.

Extra probes let an MSP add what its technicians need in every ticket (for
example the remote-access agent's device id) without a new app build. They are
data only here; ``intake_app.diagnostics`` runs them, each with its timeout,
failing soft into "unavailable: reason" like every probe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from intake_app.config.schema import BUILTIN_PROBES, Invalid, check_bool, check_path, invalid_value, show
from intake_app.errors import ConfigError

EXTRA_KINDS = ("file", "command", "registry")
EXTRA_TIMEOUT_DEFAULT = 2.0  # as diagnostics' default: every probe runs before the report window shows it
EXTRA_TIMEOUT_MAX = 60.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_NAME_EXPECTED = 'a name of letters, digits, "_", "." or "-" (up to 40)'
_HIVES = ("HKLM\\", "HKCU\\", "HKEY_LOCAL_MACHINE\\", "HKEY_CURRENT_USER\\")
_KIND_KEYS = {"file": {"path"}, "command": {"command"}, "registry": {"key"}}
_COMMON_KEYS = {"name", "kind", "timeout_seconds"}


@dataclass(frozen=True)
class ExtraProbe:
    """One ``[[probes.extra]]`` entry (the shape ``diagnostics.settings.ExtraProbeLike`` reads).

    ``file``: the text of ``path``; ``command``: the output of ``command`` (program and
    arguments, run without a shell); ``registry``: the Windows registry value ``key``, a full
    path *including the value name* (``HKLM\\SOFTWARE\\Vendor\\Agent\\DeviceId``; a trailing
    backslash reads the key's default value).
    """

    name: str
    kind: str
    path: str = ""
    command: tuple[str, ...] = ()
    key: str = ""
    timeout_seconds: float = EXTRA_TIMEOUT_DEFAULT


@dataclass(frozen=True)
class ProbeSettings:
    """Built-in probe switches (every name present) and the extra probes, in file order."""

    enabled: dict[str, bool] = field(default_factory=lambda: dict(BUILTIN_PROBES))
    extra: tuple[ExtraProbe, ...] = ()

    def is_enabled(self, name: str) -> bool:
        """Built-in probes by their switch; an extra probe runs when it is listed."""
        if name in self.enabled:
            return self.enabled[name]
        return any(probe.name == name for probe in self.extra)


def parse_probes(table: dict[str, Any], path: Path, warnings: list[str],
                 origins: dict[str, str]) -> ProbeSettings:
    """Typed settings from the ``[probes]`` table of ``path``; fills ``warnings`` and ``origins``."""
    enabled = dict(BUILTIN_PROBES)
    extra: tuple[ExtraProbe, ...] = ()
    for name, value in table.items():
        if name == "extra":
            extra = _parse_extras(value, path, warnings)
            origins["probes.extra"] = f"{path}: [[probes.extra]]"
        elif name in BUILTIN_PROBES:
            try:
                enabled[name] = check_bool(value, path.parent)
            except Invalid as exc:
                raise invalid_value(path, f"[probes] {name}", f"probes.{name}", exc, value) from None
            origins[f"probes.{name}"] = f"{path}: [probes] {name}"
        else:
            import difflib  # only for a misspelt probe name

            close = difflib.get_close_matches(name, BUILTIN_PROBES, n=1)
            hint = f"did you mean {close[0]}?" if close else "built-in probes are " + ", ".join(BUILTIN_PROBES)
            warnings.append(f"{path}: [probes] {name}: unknown probe (ignored); {hint} "
                            "(add your own with [[probes.extra]])")
    return ProbeSettings(enabled=enabled, extra=extra)


def _parse_extras(value: object, path: Path, warnings: list[str]) -> tuple[ExtraProbe, ...]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"{path}: [probes] extra: expected [[probes.extra]] tables (double brackets), "
                          f"got {show(value)}", path=str(path), key="probes.extra")
    probes: list[ExtraProbe] = []
    for number, item in enumerate(value, start=1):
        probe = _parse_extra(item, number, path, warnings)
        if any(other.name == probe.name for other in probes):
            raise ConfigError(f"{path}: [[probes.extra]] #{number} name: expected a name not used by another "
                              f"extra probe, got {show(probe.name)}", path=str(path),
                              key=f"probes.extra[{number}].name")
        probes.append(probe)
    return tuple(probes)


def _parse_extra(item: dict[str, Any], number: int, path: Path, warnings: list[str]) -> ExtraProbe:
    where = f"[[probes.extra]] #{number}"

    def bad(key: str, expected: str, detail: str = "") -> ConfigError:
        return invalid_value(path, f"{where} {key}", f"probes.extra[{number}].{key}",
                             Invalid(expected, detail), item.get(key, ""))

    def required_text(key: str, expected: str) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise bad(key, expected)
        return value.strip()

    name = required_text("name", _NAME_EXPECTED)
    if not _NAME.match(name) or name in BUILTIN_PROBES:
        raise bad("name", _NAME_EXPECTED + " that is not a built-in probe")
    kind = item.get("kind")
    if kind not in EXTRA_KINDS:
        raise bad("kind", "one of " + ", ".join(f'"{k}"' for k in EXTRA_KINDS))
    for key in item.keys() - _COMMON_KEYS - _KIND_KEYS[kind]:
        used_by = [k for k, keys in _KIND_KEYS.items() if key in keys]
        reason = f'not used by a "{kind}" probe' if used_by else "unknown key"
        warnings.append(f"{path}: {where} {key}: {reason} (ignored)")
    timeout = item.get("timeout_seconds", EXTRA_TIMEOUT_DEFAULT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= EXTRA_TIMEOUT_MAX:
        raise bad("timeout_seconds", f"a number of seconds above 0 and at most {EXTRA_TIMEOUT_MAX:g}")
    probe = ExtraProbe(name=name, kind=kind, timeout_seconds=float(timeout))
    if kind == "file":
        return replace(probe, path=str(check_path(required_text("path", "the path of a file to read"), path.parent)))
    if kind == "command":
        return replace(probe, command=_command(item.get("command"), bad))
    expected = "a registry value such as 'HKLM\\SOFTWARE\\Vendor\\Agent\\DeviceId'"
    registry_key = required_text("key", expected)
    if not registry_key.upper().startswith(_HIVES):
        raise bad("key", expected, "it must start with HKLM\\ or HKCU\\")
    return replace(probe, key=registry_key)


def _command(value: object, bad: Callable[[str, str], ConfigError]) -> tuple[str, ...]:
    expected = 'a program and its arguments, e.g. ["C:\\\\Agent\\\\agent.exe", "--id"]'
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if (isinstance(value, list) and value and all(isinstance(part, str) for part in value)
            and value[0].strip()):
        return tuple(value)
    raise bad("command", expected)
