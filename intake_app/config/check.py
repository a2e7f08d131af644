"""What ``intake-app config check`` finds wrong, as data (the command only prints it).

Each check is a function ``(CheckContext) -> list[Finding]`` in :data:`CHECKS`.
A check that needs the service (is the URL reachable, is the token still
accepted) is one more such function appended there by the client layer's
command; nothing here talks to the network.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from intake_app.config.admin import AdminConfig, Candidate
from intake_app.config.jsonfile import read_json_object
from intake_app.config.profile import load_profile
from intake_app.config.secrets import TokenStore, TokenStoreError, active_backend
from intake_app.paths import AppPaths

ERROR = "error"
WARNING = "warning"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
HOTKEY_STATUS_FILE = "hotkey-status.json"  # in paths.runtime, written by the running tray app (app.py)


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR (exit status 1) or WARNING
    message: str


@dataclass(frozen=True)
class KeyringStatus:
    backend: str
    fallback_file: bool
    token_stored: bool | None  # None: unknown (demo mode, or the keyring refused)


@dataclass(frozen=True)
class CheckContext:
    admin: AdminConfig
    paths: AppPaths
    candidates: list[Candidate]


@dataclass
class CheckReport:
    admin: AdminConfig
    paths: AppPaths
    candidates: list[Candidate]
    keyring: KeyringStatus
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors (warnings alone are fine)."""
        return not any(f.level == ERROR for f in self.findings)


def check_admin_file(ctx: CheckContext) -> list[Finding]:
    found = [Finding(WARNING, text) for text in ctx.admin.warnings]
    if ctx.admin.path is None:
        return found
    for candidate in ctx.candidates:
        if (candidate.path is not None and not candidate.explicit and candidate.path != ctx.admin.path
                and candidate.path.is_file()):
            found.append(Finding(WARNING, f"{candidate.path} ({candidate.source}) is not used: "
                                          f"{ctx.admin.path} comes first in the lookup order"))
    if os.name == "posix" and stat.S_IMODE(ctx.admin.path.stat().st_mode) & 0o002:
        found.append(Finding(WARNING, f"{ctx.admin.path} can be changed by any user of this computer "
                                      "(it names the service this app trusts); make it writable by admins only"))
    return found


def check_service(ctx: CheckContext) -> list[Finding]:
    admin = ctx.admin
    if admin.service_url is None:
        return []
    found: list[Finding] = []
    parts = urlsplit(admin.service_url)
    if parts.scheme == "http" and (parts.hostname or "") not in _LOOPBACK:
        found.append(Finding(WARNING, f"[service] url {admin.service_url} is plain http://: tokens and tickets "
                                      "travel unencrypted; use https://"))
        if admin.ca_bundle:
            found.append(Finding(WARNING, "[service] ca_bundle is not used with an http:// URL"))
    if not admin.enrolment_key:
        found.append(Finding(WARNING, "[service] enrolment_key is not set: this computer cannot enrol "
                                      "unless it already has a device token"))
    return found


def check_probes(ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    for probe in ctx.admin.probes.extra:
        where = f"extra probe {probe.name!r}"
        if probe.kind == "registry" and sys.platform != "win32":
            found.append(Finding(WARNING, f"{where} reads the Windows registry: unavailable on this computer"))
        elif probe.kind == "command" and shutil.which(probe.command[0]) is None:
            found.append(Finding(WARNING, f"{where}: program {probe.command[0]!r} not found"))
        elif probe.kind == "file" and probe.path and not Path(probe.path).is_file():
            found.append(Finding(WARNING, f"{where}: file {probe.path} does not exist (yet)"))
    return found


def check_user_dirs(ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    for what, folder in (("config", ctx.paths.config), ("data", ctx.paths.data), ("log", ctx.paths.log)):
        existing = folder
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir():
            reason = f"{existing} is a file, not a folder"
        elif not os.access(existing, os.W_OK):
            reason = f"{existing} is read-only for you"
        else:
            continue
        found.append(Finding(ERROR, f"the {what} folder {folder} cannot be written ({reason}): "
                                    "the profile, drafts, the outbox or logs would be lost"))
    return found


def check_profile(ctx: CheckContext) -> list[Finding]:
    return [Finding(WARNING, text) for text in load_profile(ctx.paths).warnings]


def running_hotkey(paths: AppPaths) -> dict[str, Any] | None:
    """The hotkey status the running tray app left in the runtime dir (None: app not running)."""
    read = read_json_object(paths.runtime / HOTKEY_STATUS_FILE, "hotkey status file")
    data = read.data
    if data is None or not isinstance(data.get("pid"), int) or not psutil.pid_exists(data["pid"]):
        return None
    return data


def check_hotkey(ctx: CheckContext) -> list[Finding]:
    status = running_hotkey(ctx.paths)
    if status is None or status.get("active") or not status.get("hotkey"):
        return []
    return [Finding(WARNING, f"the hotkey {status['hotkey']} is not active in the running app: "
                             f"{status.get('reason') or 'no reason given'}")]


CHECKS: tuple[Callable[[CheckContext], list[Finding]], ...] = (
    check_admin_file, check_service, check_probes, check_user_dirs, check_profile, check_hotkey,
)


def keyring_status(ctx: CheckContext) -> tuple[KeyringStatus, list[Finding]]:
    """Where the device token lives and whether one is stored (never the token itself)."""
    if ctx.admin.service_url is None:
        name, missing = active_backend()
        status = KeyringStatus(f"file {ctx.paths.token_file} (no OS keyring; {name})" if missing else name,
                               missing, None)
        note = [Finding(WARNING, f"No OS keyring is available ({name}): device tokens are kept in "
                                 f"{ctx.paths.token_file}, readable only by you")] if missing else []
        return status, note
    store = TokenStore(ctx.paths, ctx.admin.service_url)
    notes = store.warnings()  # before get(), which repairs a too-open file mode
    stored: bool | None = None
    found: list[Finding] = []
    try:
        stored = store.get() is not None
    except TokenStoreError as exc:
        found.append(Finding(ERROR, str(exc)))
    notes += [text for text in store.warnings() if text not in notes]  # get() may have found no keyring
    found += [Finding(WARNING, text) for text in notes]
    return KeyringStatus(store.backend_name(), store.uses_fallback_file, stored), found


def run_checks(admin: AdminConfig, paths: AppPaths, candidates: list[Candidate],
               extra_checks: tuple[Callable[[CheckContext], list[Finding]], ...] = ()) -> CheckReport:
    """Every check in :data:`CHECKS` (then ``extra_checks``), as one report."""
    ctx = CheckContext(admin, paths, candidates)
    status, findings = keyring_status(ctx)
    for check in (*CHECKS, *extra_checks):
        findings += check(ctx)
    return CheckReport(admin, paths, candidates, status, findings)
