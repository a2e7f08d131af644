"""Linux facts: /etc/os-release, DMI in sysfs, /proc/net routes, resolv.conf.

Parsing is split from reading so each parser is tested on captured text; the readers
take their root folder as an argument so tests can point them at a fake tree.
"""

from __future__ import annotations

import ipaddress
import os
import platform
import socket
import struct
from pathlib import Path

from intake_app.diagnostics.probing import Unavailable, unavailable

DMI_DIR = Path("/sys/class/dmi/id")
DEVICE_TREE = Path("/proc/device-tree")
_STUB_RESOLVERS = {"127.0.0.53", "127.0.0.54"}  # systemd-resolved's local stub
_DMI_FIELDS = {"manufacturer": "sys_vendor", "model": "product_name", "version": "product_version",
               "serial": "product_serial", "board": "board_name", "bios": "bios_version"}
_DMI_PLACEHOLDERS = {"", "none", "default string", "to be filled by o.e.m.", "system serial number",
                     "not specified", "0", "0123456789"}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace").strip().strip("\x00")


def computer_name() -> str:
    return socket.gethostname()


# -- OS -------------------------------------------------------------------------------------------

def parse_os_release(text: str) -> dict[str, str]:
    """``KEY="value"`` lines of os-release(5)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key] = value.strip().strip('"').strip("'")
    return values


def os_info(root: Path = Path("/")) -> dict[str, str]:
    release: dict[str, str] = {}
    for candidate in ("etc/os-release", "usr/lib/os-release"):
        try:
            release = parse_os_release((root / candidate).read_text(encoding="utf-8", errors="replace"))
            break
        except OSError:
            continue
    return {
        "name": release.get("PRETTY_NAME") or release.get("NAME") or "Linux",
        "version": release.get("VERSION_ID") or release.get("VERSION") or "",
        "build": platform.release(),  # the kernel is what a Linux "build" means in practice
        "kernel": f"{platform.system()} {platform.release()} {platform.version()}",
    }


# -- hardware -------------------------------------------------------------------------------------

def parse_cpuinfo_model(text: str) -> str:
    """"model name" (x86) or "Model"/"Hardware" (ARM boards) from /proc/cpuinfo."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            found.setdefault(key.strip().lower(), value.strip())
    return found.get("model name") or found.get("model") or found.get("hardware") or found.get("cpu model") or ""


def cpu_model(proc: Path = Path("/proc")) -> str:
    try:
        model = parse_cpuinfo_model((proc / "cpuinfo").read_text(errors="replace"))
    except OSError:
        model = ""
    return model or platform.processor() or platform.machine()


def hardware_info(dmi_dir: Path = DMI_DIR, device_tree: Path = DEVICE_TREE) -> dict[str, str]:
    """Manufacturer, model, serial from DMI (x86) or the device tree (ARM boards)."""
    if dmi_dir.is_dir():
        info: dict[str, str] = {}
        for key, name in _DMI_FIELDS.items():
            try:
                value = _read(dmi_dir / name)
            except OSError as exc:  # product_serial is root-only: "unavailable: permission denied"
                info[key] = unavailable(exc)
                continue
            info[key] = value if value.lower() not in _DMI_PLACEHOLDERS else "unavailable: not set by the maker"
        return info
    if device_tree.is_dir():
        info = {"manufacturer": "unavailable: not in the device tree"}
        for key, name in (("model", "model"), ("serial", "serial-number")):
            try:
                info[key] = _read(device_tree / name)
            except OSError as exc:
                info[key] = unavailable(exc)
        return info
    raise Unavailable("no DMI or device-tree data (container or virtual machine?)")


# -- user domain ----------------------------------------------------------------------------------

def parse_resolv_conf(text: str) -> tuple[list[str], list[str]]:
    """(nameservers, search domains) from resolv.conf(5) text."""
    servers: list[str] = []
    search: list[str] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            servers.append(parts[1].split("%", 1)[0])
        elif len(parts) >= 2 and parts[0] in ("search", "domain"):
            search = parts[1:]
    return servers, search


def parse_ini_value(text: str, section: str, key: str) -> str:
    """A value from an ini-like file (smb.conf ``workgroup``, krb5.conf ``default_realm``)."""
    current = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip().lower()
        elif current == section.lower() and "=" in line:
            name, _, value = line.partition("=")
            if name.strip().lower() == key.lower():
                return value.strip()
    return ""


def domain_info(root: Path = Path("/")) -> dict[str, str]:
    info: dict[str, str] = {}
    host = socket.gethostname()
    if "." in host:
        info["dns_domain"] = host.split(".", 1)[1]
    else:
        try:
            _servers, search = parse_resolv_conf((root / "etc/resolv.conf").read_text(errors="replace"))
            if search:
                info["dns_domain"] = search[0]
        except OSError:
            pass
    for key, path, section, name in (("kerberos_realm", "etc/krb5.conf", "libdefaults", "default_realm"),
                                     ("workgroup", "etc/samba/smb.conf", "global", "workgroup")):
        try:
            value = parse_ini_value((root / path).read_text(errors="replace"), section, name)
        except OSError:
            continue
        if value:
            info[key] = value
    return info or {"dns_domain": "none"}


# -- network --------------------------------------------------------------------------------------

def parse_proc_net_route(text: str) -> list[str]:
    """IPv4 default gateways from /proc/net/route (little-endian hex, RTF_GATEWAY = 0x2)."""
    gateways: list[str] = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[1] == "00000000" and fields[7] == "00000000" and int(fields[3], 16) & 0x2:
            address = socket.inet_ntoa(struct.pack("<L", int(fields[2], 16)))
            if address not in gateways:
                gateways.append(address)
    return gateways


def parse_proc_ipv6_route(text: str) -> list[str]:
    """IPv6 default next hops from /proc/net/ipv6_route."""
    gateways: list[str] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 10 and fields[0] == "0" * 32 and fields[1] == "00" and fields[4] != "0" * 32:
            hop = ipaddress.IPv6Address(bytes.fromhex(fields[4]))
            address = f"{hop}%{fields[9]}" if hop.is_link_local else str(hop)  # link-local needs its interface
            if fields[9] != "lo" and address not in gateways:
                gateways.append(address)
    return gateways


def default_gateways(proc: Path = Path("/proc")) -> list[str]:
    gateways: list[str] = []
    for name, parser in (("net/route", parse_proc_net_route), ("net/ipv6_route", parse_proc_ipv6_route)):
        try:
            gateways += parser((proc / name).read_text())
        except OSError:
            continue
    return gateways


def dns_servers(root: Path = Path("/")) -> list[str]:
    """Configured resolvers; behind systemd-resolved's stub, its upstream servers."""
    servers, _ = parse_resolv_conf((root / "etc/resolv.conf").read_text(errors="replace"))
    if servers and set(servers) <= _STUB_RESOLVERS:
        try:
            upstream, _ = parse_resolv_conf((root / "run/systemd/resolve/resolv.conf").read_text(errors="replace"))
        except OSError:
            upstream = []
        servers = upstream or servers
    return servers


# -- time zone ------------------------------------------------------------------------------------

def timezone_name(root: Path = Path("/")) -> str:
    """IANA name of the system zone: the /etc/localtime link, else /etc/timezone."""
    try:
        target = os.readlink(root / "etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    try:
        return _read(root / "etc/timezone")
    except OSError:
        raise Unavailable("no /etc/localtime link or /etc/timezone") from None
