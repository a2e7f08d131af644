"""Windows facts from the registry and netapi32, without spawning PowerShell.

PowerShell/CIM takes 0.3–1 s to start, which would blow the snapshot budget, so facts
come from the registry (``winreg``), the raw SMBIOS table Windows keeps there, and
``NetGetJoinInformation``; ``wmic`` is only a fallback for the serial number.
``winreg``/``ctypes.WinDLL`` are loaded inside functions: this module must import
on every OS (the parsers are tested on Linux with facts captured from Windows).
"""

from __future__ import annotations

import importlib
import os
import platform
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from intake_app.diagnostics.probing import Unavailable, run_command, unavailable

CURRENT_VERSION = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
CPU_KEY = r"HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor\0"
BIOS_KEY = r"HKLM\HARDWARE\DESCRIPTION\System\BIOS"
SMBIOS_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\mssmbios\Data"
TCPIP_INTERFACES = r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces"
TCPIP_PARAMETERS = r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"
TIMEZONE_KEY = r"HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation"
ENTRA_JOIN_KEY = r"HKLM\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo"
_HIVES = {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER", "HKCR": "HKEY_CLASSES_ROOT",
          "HKU": "HKEY_USERS", "HKCC": "HKEY_CURRENT_CONFIG"}
_JOIN_STATUS = {0: "unknown", 1: "not joined", 2: "workgroup", 3: "domain"}


class Registry(Protocol):
    """Read-only registry access; raises FileNotFoundError / PermissionError like winreg."""

    def values(self, key: str) -> dict[str, Any]: ...
    def subkeys(self, key: str) -> list[str]: ...


def _winreg() -> Any:
    return importlib.import_module("winreg")  # Windows only; typed Any so the module checks on every OS


class WinRegistry:
    """The real registry (Windows only), 64-bit view so a 32-bit build sees the same keys."""

    def _open(self, key: str) -> Any:
        winreg = _winreg()
        hive, _, sub = key.partition("\\")
        root = getattr(winreg, _HIVES.get(hive.upper(), hive.upper()))
        return winreg.OpenKey(root, sub, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)

    def values(self, key: str) -> dict[str, Any]:
        winreg = _winreg()
        with self._open(key) as handle:
            count = winreg.QueryInfoKey(handle)[1]
            return {name: value for name, value, _type in (winreg.EnumValue(handle, i) for i in range(count))}

    def subkeys(self, key: str) -> list[str]:
        winreg = _winreg()
        with self._open(key) as handle:
            return [winreg.EnumKey(handle, i) for i in range(winreg.QueryInfoKey(handle)[0])]


def read_value(path: str, registry: Registry | None = None) -> Any:
    """``HKLM\\Key\\Sub\\ValueName`` -> the value; a trailing backslash reads the default value."""
    key, _, name = path.rpartition("\\")
    values = (registry or WinRegistry()).values(key)
    if name not in values:
        raise Unavailable(f"no value {name or '(default)'!r} in {key}")
    return values[name]


def computer_name(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("COMPUTERNAME") or platform.node()


# -- OS and hardware ------------------------------------------------------------------------------

def os_from_current_version(values: Mapping[str, Any]) -> dict[str, str]:
    """Name/version/build from ``CurrentVersion``; Windows 11 still says "Windows 10" there."""
    build = str(values.get("CurrentBuild") or values.get("CurrentBuildNumber") or "")
    name = str(values.get("ProductName") or "Windows")
    if build.isdigit() and int(build) >= 22000:
        name = name.replace("Windows 10", "Windows 11")
    ubr = values.get("UBR")
    return {
        "name": name,
        "version": str(values.get("DisplayVersion") or values.get("ReleaseId") or ""),
        "build": f"{build}.{ubr}" if build and ubr is not None else build,
        "edition": str(values.get("EditionID") or ""),
    }


def os_info(registry: Registry | None = None) -> dict[str, str]:
    return os_from_current_version((registry or WinRegistry()).values(CURRENT_VERSION))


def cpu_model(registry: Registry | None = None) -> str:
    try:
        name = (registry or WinRegistry()).values(CPU_KEY).get("ProcessorNameString")
    except OSError:
        name = None
    return str(name or platform.processor()).strip()


def parse_smbios_system(raw: bytes) -> dict[str, str]:
    """Manufacturer/model/serial from the SMBIOS type-1 (System Information) structure.

    ``raw`` is the registry's ``SMBiosData``: an 8-byte header then the table.
    """
    table = raw[8:] if len(raw) >= 8 else b""
    i = 0
    while i + 4 <= len(table):
        kind, length = table[i], table[i + 1]
        if length < 4:
            break
        end = table.find(b"\x00\x00", i + length)
        if end < 0:
            break
        strings = table[i + length:end].split(b"\x00")
        if kind == 1 and length >= 8:
            def text(offset: int) -> str:
                index = table[i + offset]
                if not 0 < index <= len(strings):
                    return "unavailable: not set by the maker"
                return strings[index - 1].decode("latin-1").strip() or "unavailable: not set by the maker"
            return {"manufacturer": text(4), "model": text(5), "version": text(6), "serial": text(7)}
        if kind == 127:
            break
        i = end + 2
    raise Unavailable("no system information in the SMBIOS table")


def parse_wmic_values(text: str) -> dict[str, str]:
    """``wmic ... get a,b /value`` output (``Name=Value`` lines, CR-heavy) -> dict."""
    values: dict[str, str] = {}
    for line in text.replace("\r", "\n").splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name:
            values[name] = value.strip()
    return values


def hardware_info(registry: Registry | None = None,
                  run: Callable[[list[str], float], str] = run_command) -> dict[str, str]:
    reg = registry or WinRegistry()
    try:
        return parse_smbios_system(bytes(reg.values(SMBIOS_KEY)["SMBiosData"]))
    except (OSError, KeyError, Unavailable):
        pass
    bios = reg.values(BIOS_KEY)
    info = {"manufacturer": str(bios.get("SystemManufacturer") or "unavailable: not set by the maker"),
            "model": str(bios.get("SystemProductName") or "unavailable: not set by the maker"),
            "bios": str(bios.get("BIOSVersion") or "")}
    try:
        info["serial"] = parse_wmic_values(run(["wmic", "bios", "get", "serialnumber", "/value"], 1.5)).get(
            "SerialNumber") or "unavailable: not set by the maker"
    except Unavailable as exc:
        info["serial"] = unavailable(exc)
    return info


# -- domain ---------------------------------------------------------------------------------------

def describe_join(name: str, status: int) -> dict[str, str]:
    """``NetGetJoinInformation`` result -> {"joined": ..., "domain"|"workgroup": name}."""
    kind = _JOIN_STATUS.get(status, "unknown")
    info = {"joined": kind}
    if kind in ("domain", "workgroup") and name:
        info[kind] = name
    return info


def _net_join_information() -> tuple[str, int]:
    import ctypes  # noqa: PLC0415
    from ctypes import wintypes  # noqa: PLC0415

    netapi = ctypes.WinDLL("netapi32")  # type: ignore[attr-defined]
    name, status = wintypes.LPWSTR(), wintypes.DWORD()
    rc = netapi.NetGetJoinInformation(None, ctypes.byref(name), ctypes.byref(status))
    if rc != 0:
        raise Unavailable(f"NetGetJoinInformation failed with {rc}")
    try:
        return name.value or "", status.value
    finally:
        netapi.NetApiBufferFree(name)


def domain_info(registry: Registry | None = None, join: Callable[[], tuple[str, int]] = _net_join_information,
                environ: Mapping[str, str] | None = None) -> dict[str, str]:
    env = os.environ if environ is None else environ
    reg = registry or WinRegistry()
    try:
        info = describe_join(*join())
    except (OSError, Unavailable) as exc:
        info = {"joined": unavailable(exc)}
    for key, var in (("user_domain", "USERDOMAIN"), ("user_dns_domain", "USERDNSDOMAIN"), ("logon_server", "LOGONSERVER")):
        if env.get(var):
            info[key] = env[var]
    try:
        dns_domain = reg.values(TCPIP_PARAMETERS).get("Domain") or ""
        if dns_domain:
            info["dns_domain"] = str(dns_domain)
    except OSError:
        pass
    try:
        info["entra_id_joined"] = "yes" if reg.subkeys(ENTRA_JOIN_KEY) else "no"
    except OSError:
        info["entra_id_joined"] = "no"
    return info


# -- network --------------------------------------------------------------------------------------

def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v)]
    return [part for part in str(value or "").replace(",", " ").split() if part]


def _active(values: Mapping[str, Any]) -> bool:
    addresses = _as_list(values.get("IPAddress")) + _as_list(values.get("DhcpIPAddress"))
    return any(a != "0.0.0.0" for a in addresses)


def gateways_from_interfaces(interfaces: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Default gateways of interfaces that have an address (static first, then DHCP)."""
    found: list[str] = []
    for values in interfaces.values():
        if _active(values):
            for gw in _as_list(values.get("DefaultGateway")) or _as_list(values.get("DhcpDefaultGateway")):
                if gw != "0.0.0.0" and gw not in found:
                    found.append(gw)
    return found


def dns_from_interfaces(interfaces: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """DNS servers of interfaces that have an address (``NameServer`` overrides DHCP's)."""
    found: list[str] = []
    for values in interfaces.values():
        if _active(values):
            for server in _as_list(values.get("NameServer")) or _as_list(values.get("DhcpNameServer")):
                if server not in found:
                    found.append(server)
    return found


def _interfaces(registry: Registry | None) -> dict[str, dict[str, Any]]:
    reg = registry or WinRegistry()
    result: dict[str, dict[str, Any]] = {}
    for sub in reg.subkeys(TCPIP_INTERFACES):
        try:
            result[sub] = reg.values(f"{TCPIP_INTERFACES}\\{sub}")
        except OSError:
            continue
    return result


def default_gateways(registry: Registry | None = None) -> list[str]:
    return gateways_from_interfaces(_interfaces(registry))


def dns_servers(registry: Registry | None = None) -> list[str]:
    return dns_from_interfaces(_interfaces(registry))


def timezone_name(registry: Registry | None = None) -> str:
    """Windows zone id, e.g. "W. Europe Standard Time"."""
    return str((registry or WinRegistry()).values(TIMEZONE_KEY).get("TimeZoneKeyName") or "").strip("\x00")
