"""macOS facts from captured tool output (``sw_vers``, ``ioreg``, ``route``, ``scutil``, ``dsconfigad``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_app.diagnostics import platform_macos as mac
from intake_app.diagnostics.probing import Unavailable

OUTPUTS = {
    "scutil --get ComputerName": "Dana’s MacBook Pro\n",
    "sw_vers": "ProductName:\t\tmacOS\nProductVersion:\t\t14.5\nBuildVersion:\t\t23F79\n",
    "sysctl -n machdep.cpu.brand_string": "Apple M1 Pro\n",
    "ioreg -rd1 -c IOPlatformExpertDevice": """+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000235, registered, matched, active, busy 0>
    {
      "IOPolledInterface" = "AppleARMWatchdogTimerHibernateHandler is not serializable"
      "target-type" = <"J314s">
      "manufacturer" = <"Apple Inc.">
      "compatible" = <"J314sAP","MacBookPro18,3","AppleARM">
      "IOPlatformSerialNumber" = "C02XX12JML85"
      "model-number" = <4d4b47523300000000000000000000000000000000000000000000000000000000>
      "model" = <"MacBookPro18,3">
      "IOPlatformUUID" = "6A3E1B2C-0000-0000-0000-000000000000"
    }
""",
    "route -n get default": """   route to: default
destination: default
       mask: default
    gateway: 192.168.1.1
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
 recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
       0         0         0         0         0         0      1500         0
""",
    "route -n get -inet6 default": "   route to: ::\ndestination: ::\n    gateway: fe80::1%en0\n  interface: en0\n",
    "scutil --dns": """DNS configuration

resolver #1
  search domain[0] : lan
  nameserver[0] : 192.168.1.1
  nameserver[1] : fd00::1
  if_index : 15 (en0)
  reach    : 0x00020002 (Reachable,Directly Reachable Address)

resolver #2
  domain   : local
  options  : mdns
  nameserver[0] : 224.0.0.251

DNS configuration (for scoped queries)

resolver #1
  nameserver[0] : 192.168.1.1
""",
    "dsconfigad -show": "Active Directory Forest          = corp.example.com\n"
                        "Active Directory Domain          = corp.example.com\nComputer Account = mac01$\n",
}


def run(argv: list[str], timeout: float) -> str:
    try:
        return OUTPUTS[" ".join(argv)]
    except KeyError:
        raise Unavailable(f"{argv[0]} exited with status 1") from None


def failing(argv: list[str], timeout: float) -> str:
    raise Unavailable(f"{argv[0]} not found")


def test_facts_from_captured_output() -> None:
    assert mac.computer_name(run) == "Dana’s MacBook Pro"
    assert mac.os_info(run) == {"name": "macOS", "version": "14.5", "build": "23F79"}
    assert mac.cpu_model(run) == "Apple M1 Pro"
    assert mac.hardware_info(run) == {"manufacturer": "Apple Inc.", "model": "MacBookPro18,3",
                                      "serial": "C02XX12JML85"}
    assert mac.default_gateways(run) == ["192.168.1.1", "fe80::1%en0"]
    assert mac.dns_servers(run) == ["192.168.1.1", "fd00::1"]
    assert mac.domain_info(run) == {"joined": "domain", "domain": "corp.example.com"}


def test_missing_tools_and_routes() -> None:
    assert mac.domain_info(failing) == {"joined": "not joined"}
    assert mac.default_gateways(failing) == []
    assert mac.computer_name(failing)  # falls back to the host name
    with pytest.raises(Unavailable):
        mac.hardware_info(failing)
    assert mac.parse_ioreg_platform("{}")["serial"] == "unavailable: not reported"


def test_timezone_from_localtime_link(tmp_path: Path) -> None:
    link = tmp_path / "localtime"
    link.symlink_to("/var/db/timezone/zoneinfo/Europe/Berlin")
    assert mac.timezone_name(link) == "Europe/Berlin"
    with pytest.raises(Unavailable):
        mac.timezone_name(tmp_path / "missing")
