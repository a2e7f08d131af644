"""Linux (and other XDG desktops): an autostart ``.desktop`` file in ``$XDG_CONFIG_HOME/autostart``.

Desktop Application Autostart Specification: a user file wins over a file
with the same name in any ``$XDG_CONFIG_DIRS/autostart`` (where an MSP's
package puts an all-users entry), and a user file with ``Hidden=true`` turns
that all-users entry off for this user. So each user can opt out and no login
ever starts two copies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from intake_app.platform import desktop_entry
from intake_app.platform.autostart import ENTRY_ID, AutostartError, AutostartState, remove, write_atomic

FILE_NAME = f"{ENTRY_ID}.desktop"
COMMENT = "Report a problem to your IT helpdesk and follow your tickets"


class LinuxAutostart:
    """XDG autostart for one user; ``env`` and ``home`` are the facts it reads."""

    def __init__(self, env: Mapping[str, str], home: Path, icon: str | None = None) -> None:
        self.env = env
        self.home = home
        self.icon = icon

    @property
    def user_file(self) -> Path:
        base = self.env.get("XDG_CONFIG_HOME") or ""
        root = Path(base) if Path(base).is_absolute() else self.home / ".config"
        return root / "autostart" / FILE_NAME

    def system_files(self) -> list[Path]:
        dirs = [d for d in (self.env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":") if Path(d).is_absolute()]
        return [Path(d) / "autostart" / FILE_NAME for d in dirs]

    def _system_file(self) -> Path | None:
        return next((p for p in self.system_files() if p.is_file()), None)

    def render(self, command: Sequence[str]) -> str:
        return desktop_entry.quote_exec(command)

    def state(self) -> AutostartState:
        user = _read(self.user_file)
        if user is not None:
            if _disabled(user):
                note = "Turned off for this user; an all-users entry stays in place." if self._system_file() else ""
                return AutostartState(False, "user", str(self.user_file), None, note)
            return AutostartState(True, "user", str(self.user_file), user.get("Exec"), program=_program(user))
        system_path = self._system_file()
        if system_path is not None:
            system = _read(system_path) or {}
            if not _disabled(system):
                return AutostartState(True, "system", str(system_path), system.get("Exec"), program=_program(system))
        return AutostartState(False, "none", "", None)

    def enable(self, command: Sequence[str], name: str) -> AutostartState:
        fields = {
            "Type": "Application",
            "Name": name,
            "Comment": COMMENT,
            "Exec": self.render(command),
            "Icon": self.icon or ENTRY_ID,
            "Terminal": "false",
            "X-GNOME-Autostart-enabled": "true",
        }
        write_atomic(self.user_file, desktop_entry.render(fields).encode("utf-8"))
        return self.state()

    def disable(self) -> AutostartState:
        if self._system_file() is None:
            remove(self.user_file)
        else:
            # a same-named user file with Hidden=true switches the all-users entry off for this user
            fields = {"Type": "Application", "Name": "Intake (off for this user)", "Exec": "true",
                      "Hidden": "true"}
            write_atomic(self.user_file, desktop_entry.render(fields).encode("utf-8"))
        return self.state()


def _read(path: Path) -> dict[str, str] | None:
    try:
        return desktop_entry.parse(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):  # no entry can be there
        return None
    except (OSError, UnicodeDecodeError, desktop_entry.DesktopEntryError) as exc:
        raise AutostartError(f"The login entry {path} cannot be read ({exc}); remove it and try again.") from None


def _disabled(fields: Mapping[str, str]) -> bool:
    return desktop_entry.is_true(fields.get("Hidden")) or fields.get("X-GNOME-Autostart-enabled", "").lower() == "false"


def _program(fields: Mapping[str, str]) -> str | None:
    try:
        words = desktop_entry.split_exec(fields.get("Exec", ""))
    except desktop_entry.DesktopEntryError:
        return None
    return words[0] if words else None
