"""Windows facts from injected registry contents and captured tool output (no Windows here).

The registry values are what ``winreg`` returns on a Windows 11 23H2 laptop joined to a
domain: REG_SZ -> str, REG_MULTI_SZ -> list, REG_DWORD -> int, REG_BINARY -> bytes.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

from intake_app.diagnostics import platform_windows as win
from intake_app.diagnostics.extra_probes import read_registry_probe
from intake_app.diagnostics.probing import Unavailable

IFACES = win.TCPIP_INTERFACES


class FakeRegistry:
    """Read-only registry from a dict {key path: {value name: value}}; keys are case-insensitive."""

    def __init__(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = {k.lower(): v for k, v in data.items()}

    def values(self, key: str) -> dict[str, Any]:
        try:
            return dict(self.data[key.lower()])
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified", key) from None

    def subkeys(self, key: str) -> list[str]:
        prefix = key.lower() + "\\"
        subs = {k[len(prefix):].split("\\", 1)[0] for k in self.data if k.startswith(prefix)}
        if not subs and key.lower() not in self.data:
            raise FileNotFoundError(2, "The system cannot find the file specified", key)
        return sorted(subs)


def smbios_blob() -> bytes:
    bios = bytes([0, 24, 0, 0, 1, 2]) + bytes(18) + b"LENOVO\x00N32ET75W\x00\x00"
    system = (bytes([1, 27, 1, 0, 1, 2, 3, 4]) + bytes(range(16)) + bytes([6, 5, 0])
              + b"LENOVO\x0020XWCTO1WW\x00ThinkPad X1 Carbon Gen 9\x00PF2ABCDE\x00\x00")
    end = bytes([127, 4, 0xFF, 0xFE]) + b"\x00\x00"
    table = bios + system + end
    return bytes([0, 3, 4, 0]) + struct.pack("<I", len(table)) + table


REGISTRY = FakeRegistry({
    win.CURRENT_VERSION: {"ProductName": "Windows 10 Pro", "DisplayVersion": "23H2", "CurrentBuild": "22631",
                          "CurrentBuildNumber": "22631", "UBR": 4317, "EditionID": "Professional"},
    win.SMBIOS_KEY: {"SMBiosData": smbios_blob()},
    win.BIOS_KEY: {"SystemManufacturer": "LENOVO", "SystemProductName": "20XWCTO1WW", "BIOSVersion": "N32ET75W"},
    win.CPU_KEY: {"ProcessorNameString": "11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz"},
    win.TCPIP_PARAMETERS: {"Domain": "corp.example.com", "Hostname": "PC-0042"},
    win.TIMEZONE_KEY: {"TimeZoneKeyName": "W. Europe Standard Time\x00"},
    win.ENTRA_JOIN_KEY + r"\A1B2C3": {"TenantId": "tenant"},
    IFACES + r"\{11111111-wifi}": {"EnableDHCP": 1, "DhcpIPAddress": "192.168.1.23",
                                   "DhcpDefaultGateway": ["192.168.1.1"], "DhcpNameServer": "192.168.1.1 9.9.9.9"},
    IFACES + r"\{22222222-vpn}": {"EnableDHCP": 0, "IPAddress": ["10.8.0.6"], "DefaultGateway": [""],
                                  "NameServer": "10.8.0.1,10.8.0.2"},
    IFACES + r"\{33333333-unplugged}": {"EnableDHCP": 1, "DhcpIPAddress": "0.0.0.0",
                                        "DhcpDefaultGateway": ["172.16.0.1"], "DhcpNameServer": "172.16.0.1"},
    r"HKLM\SOFTWARE\TeamViewer": {"ClientID": 123456789, "": "(default)", "Tags": ["a", "b"]},
})


def test_windows_11_is_named_as_such() -> None:
    info = win.os_info(REGISTRY)
    assert info == {"name": "Windows 11 Pro", "version": "23H2", "build": "22631.4317", "edition": "Professional"}
    old = win.os_from_current_version({"ProductName": "Windows 10 Enterprise", "ReleaseId": "1809",
                                       "CurrentBuildNumber": "17763"})
    assert (old["name"], old["version"], old["build"]) == ("Windows 10 Enterprise", "1809", "17763")


def test_hardware_from_the_smbios_table() -> None:
    info = win.hardware_info(REGISTRY, run=_no_commands)
    assert info == {"manufacturer": "LENOVO", "model": "20XWCTO1WW", "version": "ThinkPad X1 Carbon Gen 9",
                    "serial": "PF2ABCDE"}


def test_hardware_falls_back_to_bios_key_and_wmic() -> None:
    reg = FakeRegistry({win.BIOS_KEY: REGISTRY.values(win.BIOS_KEY)})
    wmic_output = "\r\r\n\r\r\nSerialNumber=5CG1234XYZ\r\r\n\r\r\n\r\r\n"
    info = win.hardware_info(reg, run=lambda argv, timeout: wmic_output)
    assert (info["manufacturer"], info["model"], info["serial"]) == ("LENOVO", "20XWCTO1WW", "5CG1234XYZ")
    info = win.hardware_info(reg, run=_no_commands)
    assert info["serial"] == "unavailable: wmic not found"


def _no_commands(argv: list[str], timeout: float) -> str:
    raise Unavailable(f"{argv[0]} not found")


def test_smbios_without_system_structure() -> None:
    with pytest.raises(Unavailable):
        win.parse_smbios_system(bytes(8) + bytes([127, 4, 0, 0, 0, 0]))
    assert win.parse_wmic_values("Domain=CORP\r\r\nPartOfDomain=TRUE\r\r\n") == {"Domain": "CORP",
                                                                                  "PartOfDomain": "TRUE"}


def test_domain_join_and_user_domain() -> None:
    info = win.domain_info(REGISTRY, join=lambda: ("CORP", 3),
                           environ={"USERDOMAIN": "CORP", "USERDNSDOMAIN": "CORP.EXAMPLE.COM"})
    assert info == {"joined": "domain", "domain": "CORP", "user_domain": "CORP",
                    "user_dns_domain": "CORP.EXAMPLE.COM", "dns_domain": "corp.example.com",
                    "entra_id_joined": "yes"}
    assert win.describe_join("WORKGROUP", 2) == {"joined": "workgroup", "workgroup": "WORKGROUP"}

    def broken() -> tuple[str, int]:
        raise Unavailable("NetGetJoinInformation failed with 5")

    alone = win.domain_info(FakeRegistry({}), join=broken, environ={})
    assert alone == {"joined": "unavailable: NetGetJoinInformation failed with 5", "entra_id_joined": "no"}


def test_gateways_and_dns_of_connected_interfaces_only() -> None:
    assert win.default_gateways(REGISTRY) == ["192.168.1.1"]
    assert win.dns_servers(REGISTRY) == ["192.168.1.1", "9.9.9.9", "10.8.0.1", "10.8.0.2"]


def test_cpu_timezone_and_name() -> None:
    assert win.cpu_model(REGISTRY) == "11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz"
    assert win.timezone_name(REGISTRY) == "W. Europe Standard Time"
    assert win.computer_name({"COMPUTERNAME": "PC-0042"}) == "PC-0042"


def test_registry_values_for_admin_probes() -> None:
    assert win.read_value(r"HKLM\SOFTWARE\TeamViewer\ClientID", REGISTRY) == 123456789
    assert win.read_value("HKLM\\SOFTWARE\\TeamViewer\\", REGISTRY) == "(default)"
    with pytest.raises(Unavailable, match="no value 'Missing'"):
        win.read_value(r"HKLM\SOFTWARE\TeamViewer\Missing", REGISTRY)
    with pytest.raises(FileNotFoundError):
        win.read_value(r"HKLM\SOFTWARE\Nope\Value", REGISTRY)
    assert read_registry_probe(r"HKLM\SOFTWARE\TeamViewer\ClientID", "win32", REGISTRY) == "123456789"
    assert read_registry_probe(r"HKLM\SOFTWARE\TeamViewer\Tags", "win32", REGISTRY) == "a\nb"
    with pytest.raises(Unavailable, match="not Windows"):
        read_registry_probe(r"HKLM\SOFTWARE\TeamViewer\ClientID", "linux", REGISTRY)
