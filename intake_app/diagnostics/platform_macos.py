"""macOS facts from fast command-line tools (``scutil``, ``sw_vers``, ``ioreg``, ``route``).

``system_profiler`` is avoided: it takes a second or more. Each tool is run through an
injectable ``run`` so the parsers are tested on captured output anywhere.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable
from pathlib import Path

from intake_app.diagnostics.probing import Unavailable, run_command

Run = Callable[[list[str], float], str]
_TIMEOUT = 1.0


def computer_name(run: Run = run_command) -> str:
    """The name the user sees in Sharing settings ("Dana's MacBook Pro")."""
    try:
        return run(["scutil", "--get", "ComputerName"], _TIMEOUT).strip() or platform.node()
    except Unavailable:
        return platform.node()


def parse_key_values(text: str, sep: str = ":") -> dict[str, str]:
    """``Key: value`` lines (sw_vers, route get, dsconfigad)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, found, value = line.partition(sep)
        if found and key.strip():
            values.setdefault(key.strip(), value.strip())
    return values


def os_info(run: Run = run_command) -> dict[str, str]:
    values = parse_key_values(run(["sw_vers"], _TIMEOUT))
    name = values.get("ProductName", "macOS")
    return {"name": name, "version": values.get("ProductVersion") or platform.mac_ver()[0],
            "build": values.get("BuildVersion", "")}


def cpu_model(run: Run = run_command) -> str:
    try:
        return run(["sysctl", "-n", "machdep.cpu.brand_string"], _TIMEOUT).strip() or platform.machine()
    except Unavailable:
        return platform.machine()


def parse_ioreg_platform(text: str) -> dict[str, str]:
    """Model, maker and serial from ``ioreg -rd1 -c IOPlatformExpertDevice``."""
    def prop(name: str) -> str:
        match = re.search(r'"' + re.escape(name) + r'"\s*=\s*<?"([^"]*)"', text)
        return match.group(1).strip("\x00") if match else ""

    info = {"manufacturer": prop("manufacturer") or "Apple Inc.",
            "model": prop("model") or "unavailable: not reported",
            "serial": prop("IOPlatformSerialNumber") or "unavailable: not reported"}
    return info


def hardware_info(run: Run = run_command) -> dict[str, str]:
    return parse_ioreg_platform(run(["ioreg", "-rd1", "-c", "IOPlatformExpertDevice"], _TIMEOUT))


def domain_info(run: Run = run_command) -> dict[str, str]:
    """Active Directory binding from ``dsconfigad -show`` (empty output: not bound)."""
    try:
        values = parse_key_values(run(["dsconfigad", "-show"], _TIMEOUT), "=")
    except Unavailable:
        values = {}
    domain = values.get("Active Directory Domain", "")
    return {"joined": "domain", "domain": domain} if domain else {"joined": "not joined"}


def parse_route_get(text: str) -> list[str]:
    gateway = parse_key_values(text).get("gateway", "")
    return [gateway] if gateway else []


def default_gateways(run: Run = run_command) -> list[str]:
    gateways: list[str] = []
    for argv in (["route", "-n", "get", "default"], ["route", "-n", "get", "-inet6", "default"]):
        try:
            gateways += [g for g in parse_route_get(run(argv, _TIMEOUT)) if g not in gateways]
        except Unavailable:
            continue  # "not in table" exits non-zero: no default route of that family
    return gateways


def parse_scutil_dns(text: str) -> list[str]:
    """Unique ``nameserver[n] : addr`` entries of ``scutil --dns``, first resolver first."""
    servers: list[str] = []
    for match in re.finditer(r"nameserver\[\d+\]\s*:\s*(\S+)", text):
        if match.group(1) not in servers:
            servers.append(match.group(1))
    return servers


def dns_servers(run: Run = run_command) -> list[str]:
    # the first "resolver #" block of scutil --dns is the default route for queries
    text = run(["scutil", "--dns"], _TIMEOUT)
    first = text.split("resolver #2", 1)[0]
    return parse_scutil_dns(first) or parse_scutil_dns(text)


def timezone_name(localtime: Path = Path("/etc/localtime")) -> str:
    try:
        target = os.readlink(localtime)
    except OSError:
        raise Unavailable("no /etc/localtime link") from None
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else target
