"""The per-OS facts that psutil and ``platform`` do not give, behind one interface.

Each ``platform_<os>`` module implements the functions of :class:`PlatformFacts` at
module level, so the module itself is the facts object. Common code never names an
OS path or tool; it asks :func:`current` for the right module. Tests pass a module or
any object with the same functions (e.g. facts captured from a Windows machine).

Values that cannot be read are strings starting with ``"unavailable: "``; functions
raise :class:`~intake_app.diagnostics.probing.Unavailable` only when nothing at all
can be said.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Protocol


class PlatformFacts(Protocol):
    def computer_name(self) -> str: ...
    def domain_info(self) -> dict[str, str]: ...
    def os_info(self) -> dict[str, str]: ...
    def hardware_info(self) -> dict[str, str]: ...
    def cpu_model(self) -> str: ...
    def default_gateways(self) -> list[str]: ...
    def dns_servers(self) -> list[str]: ...
    def timezone_name(self) -> str: ...


def module_name_for(platform: str) -> str:
    """``sys.platform`` value -> the module that knows that OS."""
    if platform.startswith("win"):
        return "intake_app.diagnostics.platform_windows"
    if platform == "darwin":
        return "intake_app.diagnostics.platform_macos"
    return "intake_app.diagnostics.platform_linux"  # Linux and other Unix-likes with /proc-ish layouts


def current(platform: str | None = None) -> ModuleType:
    """The facts module for this computer (imported on first use)."""
    return importlib.import_module(module_name_for(platform or sys.platform))
