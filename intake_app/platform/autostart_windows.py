"""Windows: a value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.

The ``Run`` key needs no administrator rights and is what Task Manager's
Startup tab lists. An MSP's installer may instead write the same value name
under ``HKLM`` (all users); we then add nothing per user. A user who switched
us off in Task Manager has a ``StartupApproved`` entry whose first byte is odd;
we report that rather than fight it.

The registry is reached only through the object passed in: the real
``winreg`` module on Windows, a dictionary-backed fake in tests.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import Any

from intake_app.platform.autostart import ENTRY_ID, AutostartError, AutostartState

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
VALUE_NAME = ENTRY_ID


class WindowsAutostart:
    """The Run-key entry; ``winreg`` is the module (or a fake with the same few calls)."""

    def __init__(self, winreg: Any) -> None:
        self.reg = winreg

    def _path(self, hive_name: str) -> str:
        return f"{hive_name}\\{RUN_KEY}\\{VALUE_NAME}"

    def render(self, command: Sequence[str]) -> str:
        # the Run key holds one command line, parsed by CommandLineToArgvW rules
        return subprocess.list2cmdline(list(command))

    def _read(self, hive: Any, key_path: str, name: str) -> Any | None:
        try:
            with self.reg.OpenKey(hive, key_path, 0, self.reg.KEY_QUERY_VALUE) as key:
                value, _kind = self.reg.QueryValueEx(key, name)
                return value
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AutostartError(f"Cannot read the registry key {key_path}: {exc.strerror or exc}.") from None

    def _approved(self, hive: Any) -> bool:
        """False when Task Manager / Settings switched the entry off (first byte odd)."""
        flag = self._read(hive, APPROVED_KEY, VALUE_NAME)
        return not (isinstance(flag, bytes | bytearray) and flag and flag[0] % 2 == 1)

    def state(self) -> AutostartState:
        user = self._read(self.reg.HKEY_CURRENT_USER, RUN_KEY, VALUE_NAME)
        if user is not None:
            if not self._approved(self.reg.HKEY_CURRENT_USER):
                return AutostartState(False, "user", self._path("HKCU"), str(user),
                                      "Turned off in Task Manager's Startup tab (or Settings > Apps > Startup); "
                                      "switch it on there.", program=first_word(str(user)))
            return AutostartState(True, "user", self._path("HKCU"), str(user), program=first_word(str(user)))
        system = self._read(self.reg.HKEY_LOCAL_MACHINE, RUN_KEY, VALUE_NAME)
        if system is not None:
            if not (self._approved(self.reg.HKEY_CURRENT_USER) and self._approved(self.reg.HKEY_LOCAL_MACHINE)):
                return AutostartState(False, "system", self._path("HKLM"), str(system),
                                      "Turned off in Task Manager's Startup tab.", program=first_word(str(system)))
            return AutostartState(True, "system", self._path("HKLM"), str(system), program=first_word(str(system)))
        return AutostartState(False, "none", "", None)

    def enable(self, command: Sequence[str], name: str) -> AutostartState:
        try:
            with self.reg.CreateKeyEx(self.reg.HKEY_CURRENT_USER, RUN_KEY, 0, self.reg.KEY_SET_VALUE) as key:
                self.reg.SetValueEx(key, VALUE_NAME, 0, self.reg.REG_SZ, self.render(command))
        except OSError as exc:
            raise AutostartError(f"Cannot write the registry value HKCU\\{RUN_KEY}\\{VALUE_NAME}: "
                                 f"{exc.strerror or exc}.") from None
        return self.state()

    def disable(self) -> AutostartState:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, RUN_KEY, 0, self.reg.KEY_SET_VALUE) as key:
                self.reg.DeleteValue(key, VALUE_NAME)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise AutostartError(f"Cannot remove the registry value HKCU\\{RUN_KEY}\\{VALUE_NAME}: "
                                 f"{exc.strerror or exc}.") from None
        state = self.state()
        if state.enabled and state.scope == "system":
            return AutostartState(True, "system", state.location, state.command,
                                  "An all-users entry set by the administrator (HKLM) still starts it; "
                                  "switch it off for yourself in Task Manager's Startup tab.", program=state.program)
        return state


def first_word(command_line: str) -> str | None:
    """The program of a Windows command line (CommandLineToArgvW: quoted, or up to the first blank)."""
    text = command_line.lstrip()
    if not text:
        return None
    if text.startswith('"'):
        end = text.find('"', 1)
        return text[1:end] if end > 0 else text[1:]
    return text.split(None, 1)[0]
