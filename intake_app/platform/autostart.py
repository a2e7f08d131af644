"""Start at login: one interface over the Windows Run key, a macOS LaunchAgent and XDG autostart.

The app shell calls :func:`apply` once at start-up with the admin file's
``[app] autostart``; ``intake-app autostart on|off|status`` calls :func:`enable`,
:func:`disable`, :func:`current`. Entries are per user (no administrator rights
needed); an all-users entry an MSP deployed with its installer is reported and
never duplicated. The per-OS modules get the platform's facts injected (home
folder, environment, registry), so each is tested on any OS.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from intake_app import APP_ID, APP_NAME, paths
from intake_app.errors import IntakeError
from intake_app.platform.executable import app_command

log = logging.getLogger(__name__)

ENTRY_ID = APP_ID  # file stem, registry value name, LaunchAgent label suffix
Scope = Literal["user", "system", "none"]


class AutostartError(IntakeError):
    """Starting at login could not be changed; the message names the file or registry key."""


@dataclass(frozen=True)
class AutostartState:
    """Whether the program starts at the next login, and because of which entry."""

    enabled: bool
    scope: Scope  # the entry in effect: this user's, an all-users one, or none
    location: str  # that entry's file or registry path ("" when none)
    command: str | None  # its command, in the OS's own syntax
    note: str = ""  # what the user should know (e.g. "turned off in Task Manager")
    program: str | None = None  # the entry's executable (first word of ``command``)

    def describe(self) -> str:
        """Two or three lines for ``intake-app autostart status``."""
        head = "on" if self.enabled else "off"
        where = {"user": "for this user", "system": "for all users (set by the administrator)", "none": ""}[self.scope]
        lines = [f"Start at login: {head}" + (f" ({where})" if where else "")]
        if self.location:
            lines.append(f"Entry: {self.location}")
        if self.command:
            lines.append(f"Command: {self.command}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


class AutostartBackend(Protocol):
    def state(self) -> AutostartState: ...

    def render(self, command: Sequence[str]) -> str:
        """``command`` in the syntax :attr:`AutostartState.command` uses (to spot a stale entry)."""
        ...

    def enable(self, command: Sequence[str], name: str) -> AutostartState: ...

    def disable(self) -> AutostartState: ...


def backend_for(system: str | None = None) -> AutostartBackend:
    """The backend for this computer (``system`` as in ``sys.platform``), with the real facts."""
    system = system or sys.platform
    if system.startswith("win"):
        import winreg  # type: ignore[import-not-found,unused-ignore]

        from intake_app.platform.autostart_windows import WindowsAutostart

        return WindowsAutostart(winreg)
    if system == "darwin":
        from intake_app.platform.autostart_macos import MacAutostart

        return MacAutostart(home=Path.home())
    from intake_app.paths import resources_dir
    from intake_app.platform.autostart_linux import LinuxAutostart

    icon = resources_dir() / "icons" / "intake.svg"  # inside the bundle when frozen
    return LinuxAutostart(env=os.environ, home=Path.home(), icon=str(icon) if icon.is_file() else None)


def default_command() -> list[str]:
    """What an entry starts: this executable (bundle) or ``python -m intake_app``, no console window."""
    return app_command(gui=True)


def current(backend: AutostartBackend | None = None) -> AutostartState:
    return (backend or backend_for()).state()


def enable(command: Sequence[str] | None = None, *, name: str = APP_NAME,
           backend: AutostartBackend | None = None) -> AutostartState:
    """Start ``command`` at this user's login (writes or refreshes this user's entry).

    Nothing is written when an all-users entry already starts us: two entries
    would start two copies on Windows and macOS.
    """
    backend = backend or backend_for()
    state = backend.state()
    if state.enabled and state.scope == "system":
        return state
    return backend.enable(list(command or default_command()), name)


def disable(backend: AutostartBackend | None = None) -> AutostartState:
    """Do not start at this user's login; an all-users entry is overridden where the OS allows it."""
    return (backend or backend_for()).disable()


class AdminWish(Protocol):
    """What :func:`apply_at_startup` reads from ``intake_app.config.admin.AdminConfig``."""

    autostart: bool
    origins: Mapping[str, str]

    @property
    def branding(self) -> Any: ...


def apply(enabled: bool | None, command: Sequence[str] | None = None, *, name: str = APP_NAME,
          backend: AutostartBackend | None = None,
          exists: Callable[[str], bool] = os.path.exists) -> AutostartState:
    """Make starting at login match the admin's wish; cheap and idempotent, run at every start.

    ``enabled`` True: ensure an entry for ``command`` (none is added when an
    all-users entry already starts us; a per-user entry for another command is
    rewritten). False: ensure there is none. None (the admin file does not
    say): leave the user's choice, only repair a per-user entry whose program
    no longer exists (the bundle moved or was reinstalled elsewhere).
    Raises :class:`AutostartError` when the entry cannot be written.
    """
    backend = backend or backend_for()
    wanted = list(command or default_command())
    state = backend.state()
    if enabled is None:
        broken = state.scope == "user" and state.enabled and bool(state.program) and not exists(state.program or "")
        return backend.enable(wanted, name) if broken else state
    if enabled:
        if state.enabled and (state.scope == "system" or state.command == backend.render(wanted)):
            return state
        if state.scope == "user" and not state.enabled and state.command is not None:
            return state  # present but switched off by the user in the OS's own settings
        return backend.enable(wanted, name)
    return backend.disable() if state.enabled else state


def apply_at_startup(admin: AdminWish, command: Sequence[str] | None = None,
                     backend: AutostartBackend | None = None) -> AutostartState | None:
    """The app shell's one call: apply ``[app] autostart`` if the admin file sets it; never raises.

    A key left at its default means "the admin did not say", so a user's own
    ``intake-app autostart on`` survives. Problems are logged, not shown: a
    locked-down profile must not stop the tray app from starting.
    """
    wish = None if admin.origins.get("app.autostart", "default") == "default" else bool(admin.autostart)
    try:
        state = apply(wish, command, name=admin.branding.product_name, backend=backend)
    except AutostartError as exc:
        log.warning("start at login: %s", exc)
        return None
    log.info("start at login: %s (%s)", "on" if state.enabled else "off", state.scope)
    return state


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a login entry atomically, so a crash never leaves half an entry."""
    try:
        paths.write_atomic(path, data, mode)
    except OSError as exc:
        raise AutostartError(f"Cannot write the login entry {path}: {exc.strerror or exc}.") from None


def remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise AutostartError(f"Cannot remove the login entry {path}: {exc.strerror or exc}.") from None
