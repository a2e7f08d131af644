"""The admin file ``intake.toml``: where it is found, and the typed settings it gives.

Lookup order (first found wins; SPEC §7):

1. ``--config FILE`` on the command line;
2. the ``INTAKE_CONFIG`` environment variable;
3. ``intake.toml`` next to the program (:func:`intake_app.paths.executable_dir`);
4. the system config dir (:func:`intake_app.paths.site_config_dir`);
5. the user config dir (``AppPaths.user_admin_file``).

A file named by 1 or 2 must exist (a typo must not silently mean demo mode).
No file at all means demo mode: :func:`load_admin_config` returns the defaults
with ``path=None``. A file that exists is deployed configuration: any problem
in it is a :class:`ConfigError` naming the file and the key, never a fallback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_app import paths as app_paths
from intake_app.config.migrations import migrate
from intake_app.config.probes import ExtraProbe, ProbeSettings, parse_probes
from intake_app.config.schema import BUILTIN_PROBES, SECTIONS, SETTINGS, Invalid, invalid_value, show
from intake_app.config.tomlread import read_toml
from intake_app.errors import ConfigError
from intake_app.logsetup import register_secret

log = logging.getLogger(__name__)

CONFIG_ENV = "INTAKE_CONFIG"
ADMIN_FILE_NAME = "intake.toml"
DEFAULT = "default"

__all__ = ["AdminConfig", "Branding", "Candidate", "ExtraProbe", "ProbeSettings", "admin_file_candidates",
           "find_admin_file", "load_admin_config", "parse_admin_file"]


@dataclass(frozen=True)
class Branding:
    product_name: str = "Intake"
    icon: str | None = None  # absolute path of the tray / window icon
    accent_color: str = "#2f6fdf"


def _default_origins() -> dict[str, str]:
    keys = [s.key for s in SETTINGS] + [f"probes.{name}" for name in BUILTIN_PROBES] + ["probes.extra"]
    return dict.fromkeys(keys, DEFAULT)


@dataclass(frozen=True)
class AdminConfig:
    """Effective admin settings. ``path`` is the file used (None: demo mode)."""

    service_url: str | None = None
    enrolment_key: str | None = field(default=None, repr=False)  # never in logs via repr()
    ca_bundle: str | None = None  # CA bundle for TLS to the service (verification is never off)
    branding: Branding = field(default_factory=Branding)
    probes: ProbeSettings = field(default_factory=ProbeSettings)
    hotkey: str = ""  # canonical "Ctrl+F12"; "" = no hotkey
    autostart: bool = False
    log_level: str = "INFO"
    screenshot_budget_mib: int = 20
    path: Path | None = None
    origins: dict[str, str] = field(default_factory=_default_origins)  # dotted key -> "file: [s] key" | "default"
    warnings: tuple[str, ...] = ()

    @property
    def is_demo(self) -> bool:
        """No admin file anywhere: run against the local demo service."""
        return self.path is None

    def values(self) -> dict[str, Any]:
        """Every effective value by dotted key (the same keys as ``origins``)."""
        flat: dict[str, Any] = {
            "service.url": self.service_url, "service.enrolment_key": self.enrolment_key,
            "service.ca_bundle": self.ca_bundle, "branding.product_name": self.branding.product_name,
            "branding.icon": self.branding.icon, "branding.accent_color": self.branding.accent_color,
            "app.hotkey": self.hotkey, "app.autostart": self.autostart, "app.log_level": self.log_level,
            "app.screenshot_budget_mib": self.screenshot_budget_mib,
        }
        flat.update({f"probes.{name}": on for name, on in self.probes.enabled.items()})
        flat["probes.extra"] = self.probes.extra
        return flat


@dataclass(frozen=True)
class Candidate:
    """One place the admin file may be: ``source`` says which rule; ``path`` None = not given."""

    source: str
    path: Path | None
    explicit: bool = False  # named by the user: must exist


def admin_file_candidates(cli_path: str | None = None, *,
                          paths: app_paths.AppPaths | None = None) -> list[Candidate]:
    """The lookup order, highest priority first."""
    return list(_candidates(cli_path, paths))


def _candidates(cli_path: str | None, paths: app_paths.AppPaths | None) -> Iterator[Candidate]:
    """The lookup order, each place worked out only when asked for: with ``--config`` the start does not
    ask platformdirs for the system config dir (~5 ms of imports) it will not look in."""
    env_value = os.environ.get(CONFIG_ENV) or None
    yield Candidate("--config", Path(cli_path).expanduser().absolute() if cli_path else None, explicit=True)
    yield Candidate(f"${CONFIG_ENV}", Path(env_value).expanduser().absolute() if env_value else None, explicit=True)
    yield Candidate("next to the program", app_paths.executable_dir() / ADMIN_FILE_NAME)
    yield Candidate("system config dir", app_paths.site_config_dir() / ADMIN_FILE_NAME)
    yield Candidate("user config dir", (paths or app_paths.user_paths()).user_admin_file)


def find_admin_file(cli_path: str | None = None, *, paths: app_paths.AppPaths | None = None) -> Path | None:
    """The admin file to use (first found in the lookup order), or None for demo mode."""
    for candidate in _candidates(cli_path, paths):
        if candidate.path is None:
            continue
        if candidate.explicit:
            if not _is_file(candidate):
                what = "is not a file" if candidate.path.exists() else "does not exist"
                raise ConfigError(f"{candidate.path}: the admin file named by {candidate.source} {what}",
                                  path=str(candidate.path))
            return candidate.path
        if _is_file(candidate):
            return candidate.path
    return None


def _is_file(candidate: Candidate) -> bool:
    """``is_file()``, but a folder on the way that the user may not enter is a clear error, not a traceback
    (and never a silent "no admin file": that would fall back to the demo)."""
    assert candidate.path is not None
    try:
        return candidate.path.is_file()
    except OSError as exc:
        raise ConfigError(f"{candidate.path}: the admin file ({candidate.source}) cannot be looked up "
                          f"({exc.strerror or exc}); ask your IT provider to fix the folder's permissions",
                          path=str(candidate.path)) from None


def load_admin_config(cli_path: str | None = None, *, paths: app_paths.AppPaths | None = None) -> AdminConfig:
    """Find and parse the admin file; defaults with ``path=None`` when there is none (demo mode)."""
    path = find_admin_file(cli_path, paths=paths)
    if path is None:
        log.info("No admin file (intake.toml) found: demo mode")
        return AdminConfig()
    return parse_admin_file(path)


def parse_admin_file(path: Path) -> AdminConfig:
    """Typed settings from ``path``; :class:`ConfigError` on the first bad value."""
    migrated = migrate(read_toml(path), path)
    data, warnings = migrated.data, list(migrated.warnings)
    origins = _default_origins()
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    for name, value in data.items():
        if name not in SECTIONS:
            warnings.append(_unknown(path, f"[{name}]" if isinstance(value, dict) else name, name, SECTIONS))
    tables = {name: _table(data, name, path) for name in SECTIONS}
    for setting in SETTINGS:
        table = tables[setting.section]
        if setting.name not in table:
            continue
        raw = table[setting.name]
        label = migrated.renamed.get(setting.key, setting.label)
        try:
            values[setting.key] = setting.check(raw, path.parent)
        except Invalid as exc:
            raise invalid_value(path, label, setting.key, exc, raw, secret=setting.secret) from None
        origins[setting.key] = f"{path}: {label}"
    for section in ("service", "branding", "app"):
        known = [s.name for s in SETTINGS if s.section == section]
        warnings += [_unknown(path, f"[{section}] {key}", key, known) for key in tables[section] if key not in known]
    probes = parse_probes(tables["probes"], path, warnings, origins)
    if values["service.url"] is None:
        raise ConfigError(
            f"{path}: [service] url: expected an https:// or http:// URL, but it is missing; a deployed "
            "admin file must name the Intake service (remove the file to run in demo mode)",
            path=str(path), key="service.url")
    icon = values["branding.icon"]
    if icon is not None and not Path(icon).is_file():
        warnings.append(f"{path}: [branding] icon: {icon} does not exist; the built-in icon is used")
    register_secret(values["service.enrolment_key"])
    for warning in warnings:
        log.warning("%s", warning)
    return AdminConfig(
        service_url=values["service.url"], enrolment_key=values["service.enrolment_key"],
        ca_bundle=values["service.ca_bundle"],
        branding=Branding(values["branding.product_name"], icon, values["branding.accent_color"]),
        probes=probes, hotkey=values["app.hotkey"], autostart=values["app.autostart"],
        log_level=values["app.log_level"], screenshot_budget_mib=values["app.screenshot_budget_mib"],
        path=path, origins=origins, warnings=tuple(warnings),
    )


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {name}: expected a [{name}] table, got {show(table)}", path=str(path), key=name)
    return table


def _unknown(path: Path, label: str, key: str, known: list[str] | tuple[str, ...]) -> str:
    import difflib  # only for an unknown key: not on every start

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(known)}"
    return f"{path}: {label}: unknown key (ignored){hint}"
