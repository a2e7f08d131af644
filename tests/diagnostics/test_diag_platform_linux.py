"""Linux facts: parsers on captured text, readers on a fake tree, and the real machine."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intake_app.diagnostics import platform_facts, platform_linux as lx
from intake_app.diagnostics.probing import Unavailable

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads this Linux machine's /proc")

PROC_NET_ROUTE = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
"""
IPV6_ROUTE = (
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fe800000000000000000000000000001 00000400 00000002 00000000 00000003    wlan0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
)


def test_routes_give_default_gateways() -> None:
    assert lx.parse_proc_net_route(PROC_NET_ROUTE) == ["192.0.2.1", "192.168.1.1"]
    assert lx.parse_proc_ipv6_route(IPV6_ROUTE) == ["fd00::1", "fe80::1%wlan0"]


def test_resolv_conf_and_systemd_stub(tmp_path: Path) -> None:
    text = "# generated\nnameserver 127.0.0.53\noptions edns0\nsearch corp.example.com lan ; x\n"
    assert lx.parse_resolv_conf(text) == (["127.0.0.53"], ["corp.example.com", "lan"])
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/resolv.conf").write_text(text)
    assert lx.dns_servers(tmp_path) == ["127.0.0.53"]  # no upstream file: the stub is what is configured
    (tmp_path / "run/systemd/resolve").mkdir(parents=True)
    (tmp_path / "run/systemd/resolve/resolv.conf").write_text("nameserver 10.0.0.2\nnameserver fe80::1%eth0\n")
    assert lx.dns_servers(tmp_path) == ["10.0.0.2", "fe80::1"]


def test_os_release_cpuinfo_and_timezone(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "os-release").write_text('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\n')
    info = lx.os_info(tmp_path)
    assert (info["name"], info["version"]) == ("Ubuntu 24.04.1 LTS", "24.04")
    assert lx.parse_cpuinfo_model("processor\t: 0\nmodel name\t: Intel(R) Core(TM) i7-1185G7\n") == \
        "Intel(R) Core(TM) i7-1185G7"
    assert lx.parse_cpuinfo_model("Hardware\t: BCM2835\nModel\t: Raspberry Pi 4 Model B Rev 1.4\n") == \
        "Raspberry Pi 4 Model B Rev 1.4"
    (etc / "localtime").symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    assert lx.timezone_name(tmp_path) == "Europe/Berlin"
    (etc / "localtime").unlink()
    with pytest.raises(Unavailable):
        lx.timezone_name(tmp_path)
    (etc / "timezone").write_text("America/Chicago\n")
    assert lx.timezone_name(tmp_path) == "America/Chicago"


def test_domain_from_kerberos_and_samba(tmp_path: Path) -> None:
    (tmp_path / "etc/samba").mkdir(parents=True)
    (tmp_path / "etc/krb5.conf").write_text("[libdefaults]\n  default_realm = CORP.EXAMPLE.COM\n[realms]\n")
    (tmp_path / "etc/samba/smb.conf").write_text("[global]\n   workgroup = CORP\n; comment\n[homes]\n")
    info = lx.domain_info(tmp_path)
    assert info["kerberos_realm"] == "CORP.EXAMPLE.COM" and info["workgroup"] == "CORP"


def make_dmi(root: Path) -> Path:
    dmi = root / "dmi"
    dmi.mkdir()
    for name, value in {"sys_vendor": "LENOVO", "product_name": "20XWCTO1WW", "product_version": "ThinkPad X1",
                        "product_serial": "PF2ABCDE", "board_name": "20XWCTO1WW",
                        "bios_version": "N32ET75W"}.items():
        (dmi / name).write_text(value + "\n")
    (dmi / "product_serial").chmod(0o400)  # as on a real system: root only
    for path in (root, dmi):
        path.chmod(0o755)
    for name in ("sys_vendor", "product_name", "product_version", "board_name", "bios_version"):
        (dmi / name).chmod(0o444)
    return dmi


def test_dmi_read_as_root_and_as_a_user(shared_dir: Path, as_other_user: Callable[[Callable[[], Any]], Any]) -> None:
    dmi = make_dmi(shared_dir)
    as_user = as_other_user(lambda: lx.hardware_info(dmi, shared_dir / "no-device-tree"))
    assert as_user["manufacturer"] == "LENOVO" and as_user["model"] == "20XWCTO1WW"
    assert as_user["serial"] == "unavailable: permission denied"
    if os.geteuid() == 0:
        assert lx.hardware_info(dmi)["serial"] == "PF2ABCDE"


def test_placeholder_serials_and_device_tree(tmp_path: Path) -> None:
    dmi = tmp_path / "dmi"
    dmi.mkdir()
    (dmi / "product_serial").write_text("To be filled by O.E.M.\n")
    info = lx.hardware_info(dmi)
    assert info["serial"] == "unavailable: not set by the maker"
    assert info["manufacturer"] == "unavailable: not found"
    tree = tmp_path / "device-tree"
    tree.mkdir()
    (tree / "model").write_bytes(b"Raspberry Pi 4 Model B Rev 1.4\x00")
    info = lx.hardware_info(tmp_path / "missing", tree)
    assert info["model"] == "Raspberry Pi 4 Model B Rev 1.4" and info["serial"] == "unavailable: not found"
    with pytest.raises(Unavailable, match="no DMI"):
        lx.hardware_info(tmp_path / "missing", tmp_path / "missing-too")


@linux_only
def test_this_machine() -> None:
    facts = platform_facts.current()
    assert facts is lx
    assert facts.computer_name() == socket.gethostname()
    assert facts.os_info()["name"]
    assert isinstance(facts.default_gateways(), list) and isinstance(facts.dns_servers(), list)
    assert facts.cpu_model()
    try:
        hardware = facts.hardware_info()
    except Unavailable as exc:  # containers and some VMs have no DMI at all
        assert "no DMI" in str(exc)
    else:
        assert set(hardware) >= {"manufacturer", "model", "serial"}


def test_module_selection_by_platform() -> None:
    assert platform_facts.module_name_for("win32").endswith("platform_windows")
    assert platform_facts.module_name_for("darwin").endswith("platform_macos")
    assert platform_facts.module_name_for("linux").endswith("platform_linux")
