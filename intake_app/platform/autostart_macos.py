"""macOS: a LaunchAgent property list in ``~/Library/LaunchAgents``.

launchd loads every agent in that folder at the user's next GUI login
(``LimitLoadToSessionType = Aqua``: not for SSH sessions). An MSP's package may
put the same label in ``/Library/LaunchAgents`` for all users; then we add
nothing per user, and a user can only opt out with ``launchctl disable``.
"""

from __future__ import annotations

import plistlib
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from intake_app.platform.autostart import ENTRY_ID, AutostartError, AutostartState, Scope, remove, write_atomic

LABEL = f"app.intake.{ENTRY_ID}"
FILE_NAME = f"{LABEL}.plist"


class MacAutostart:
    """The per-user LaunchAgent; ``home`` and ``system_root`` are the facts it reads."""

    def __init__(self, home: Path, system_root: Path = Path("/")) -> None:
        self.home = home
        self.system_root = system_root

    @property
    def user_file(self) -> Path:
        return self.home / "Library" / "LaunchAgents" / FILE_NAME

    @property
    def system_file(self) -> Path:
        return self.system_root / "Library" / "LaunchAgents" / FILE_NAME

    def render(self, command: Sequence[str]) -> str:
        return shlex.join(command)

    def state(self) -> AutostartState:
        candidates: tuple[tuple[Scope, Path], ...] = (("user", self.user_file), ("system", self.system_file))
        for scope, path in candidates:
            agent = _read(path)
            if agent is None:
                continue
            arguments = [str(arg) for arg in agent.get("ProgramArguments", [])]
            command = self.render(arguments)
            program = arguments[0] if arguments else None
            if agent.get("Disabled") is True or not agent.get("RunAtLoad"):
                return AutostartState(False, scope, str(path), command, "The LaunchAgent is present but disabled.",
                                      program=program)
            return AutostartState(True, scope, str(path), command, program=program)
        return AutostartState(False, "none", "", None)

    def enable(self, command: Sequence[str], name: str) -> AutostartState:
        agent = {
            "Label": LABEL,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            "ProcessType": "Interactive",  # a user-facing app: no background throttling
            "LimitLoadToSessionType": ["Aqua"],
        }
        write_atomic(self.user_file, plistlib.dumps(agent, fmt=plistlib.FMT_XML))
        return self.state()

    def disable(self) -> AutostartState:
        remove(self.user_file)
        state = self.state()
        if state.enabled and state.scope == "system":
            return AutostartState(True, "system", state.location, state.command,
                                  "An all-users LaunchAgent set by the administrator still starts it; "
                                  f"to opt out run: launchctl disable gui/$(id -u)/{LABEL}", program=state.program)
        return state


def _read(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            agent = plistlib.load(fh)
    except (FileNotFoundError, NotADirectoryError):  # no entry can be there
        return None
    except (OSError, plistlib.InvalidFileException, ValueError) as exc:
        raise AutostartError(f"The LaunchAgent {path} cannot be read ({exc}); remove it and try again.") from None
    if not isinstance(agent, dict):
        raise AutostartError(f"The LaunchAgent {path} is not a property-list dictionary; remove it and try again.")
    return agent
