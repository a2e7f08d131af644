"""The snapshot with real probes on this machine, and every failure path injected."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil
import pytest

from intake_app import __version__
from intake_app.diagnostics import platform_facts, probes_resources
from intake_app.diagnostics.probing import ProbeContext, Unavailable
from intake_app.diagnostics.probes_resources import _describe, real_partitions
from intake_app.diagnostics.report_text import render_text
from intake_app.diagnostics.settings import BUILTIN_PROBES, ProbeSettings
from intake_app.diagnostics.snapshot import BUILTIN, SCHEMA, collect_snapshot

FAST = ProbeSettings(enabled={"processes": False, "cpu": False, "reachability": False})


@pytest.fixture
def busy_child() -> Iterator[subprocess.Popen[bytes]]:
    """A CPU-busy process with a password on its command line."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass", "--password", "hunter2", "-p", "hunter2"])
    yield proc
    proc.kill()
    proc.wait(10)


@pytest.mark.timeout(30)
def test_every_probe_runs_for_real(busy_child: subprocess.Popen[bytes]) -> None:
    time.sleep(0.3)  # let the child burn some CPU first
    snap = collect_snapshot()
    doc = snap.document
    assert doc["schema"] == SCHEMA and doc["disabled"] == ["public_ip"]
    assert list(doc["probes"]) == [p for p in BUILTIN_PROBES if p != "public_ip"]
    probes = doc["probes"]
    for name, result in probes.items():
        assert isinstance(result, dict) and result, name
        if "unavailable" in result:
            assert name in ("hardware", "battery"), f"{name}: {result}"  # no DMI/battery in a VM
    assert doc["computer_name"] == probes["os"]["computer_name"] == platform_facts.current().computer_name()
    assert probes["cpu"]["threads"] == psutil.cpu_count() and 0 <= probes["cpu"]["load_percent"] <= 100
    assert probes["memory"]["total"] == psutil.virtual_memory().total
    assert any(d["mount"] == os.path.abspath(os.sep) for d in probes["disks"]["disks"]) or probes["disks"]["disks"]
    loopback = next(i for i in probes["network"]["interfaces"].values() if "127.0.0.1/8" in i["ipv4"])
    assert loopback["up"] is True
    for item in probes["reachability"]["gateways"] + probes["reachability"]["dns"]:
        assert item["status"] in ("reachable", "unreachable")
    assert probes["versions"]["app"] == __version__
    assert probes["uptime"]["uptime_seconds"] > 0
    assert set(probes["timezone"]) >= {"name", "utc_offset"}
    top_cpu, top_memory = probes["processes"]["top_cpu"], probes["processes"]["top_memory"]
    assert len(top_cpu) == len(top_memory) == 5
    assert [p["cpu_percent"] for p in top_cpu] == sorted((p["cpu_percent"] for p in top_cpu), reverse=True)
    assert [p["memory_mib"] for p in top_memory] == sorted((p["memory_mib"] for p in top_memory), reverse=True)
    text_json = snap.to_json()
    assert "hunter2" not in text_json and "hunter2" not in snap.text
    assert json.loads(text_json) == json.loads(json.dumps(doc, default=str))
    assert "Computer name:" in snap.text and "Top processes:" in snap.text


def test_process_command_lines_are_scrubbed(busy_child: subprocess.Popen[bytes],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    described = _describe(psutil.Process(busy_child.pid), 12.5)
    assert described is not None and described["pid"] == busy_child.pid
    assert "hunter2" not in described["cmdline"] and "--password [redacted]" in described["cmdline"]
    monkeypatch.setattr(probes_resources, "TOP_N", 100_000)  # list every process, so the child is surely in
    doc = collect_snapshot(ProbeSettings(enabled={n: n == "processes" for n in BUILTIN_PROBES})).document
    child = next(p for p in doc["probes"]["processes"]["top_cpu"] if p["pid"] == busy_child.pid)
    assert child["cmdline"].endswith("--password [redacted] -p [redacted]")
    assert "hunter2" not in json.dumps(doc)


def test_environment_is_allowlisted() -> None:
    snap = collect_snapshot(FAST, environ={"LANG": "en_US.UTF-8", "API_TOKEN": "abc", "PATH": "/bin"})
    assert snap.document["probes"]["environment"] == {"LANG": "en_US.UTF-8"}


def test_probes_switch_off() -> None:
    settings = ProbeSettings(enabled={name: name in ("os", "memory") for name in BUILTIN_PROBES})
    doc = collect_snapshot(settings).document
    assert list(doc["probes"]) == ["os", "memory"]
    assert set(doc["disabled"]) == set(BUILTIN_PROBES) - {"os", "memory"}
    assert "Switched off:" in render_text(doc)


def test_a_failing_probe_never_breaks_the_snapshot() -> None:
    def boom(ctx: ProbeContext) -> dict[str, Any]:
        raise RuntimeError("sensor exploded")

    def denied(ctx: ProbeContext) -> dict[str, Any]:
        raise PermissionError(13, "Permission denied", "/sys/secret")

    def no_sensor(ctx: ProbeContext) -> dict[str, Any]:
        raise Unavailable("no battery")

    def hangs(ctx: ProbeContext) -> dict[str, Any]:
        time.sleep(5)
        return {"never": True}

    doc = collect_snapshot(FAST, probes={"disks": boom, "memory": denied, "battery": no_sensor, "uptime": hangs},
                           timeout=0.5).document
    probes = doc["probes"]
    assert probes["disks"] == {"unavailable": "RuntimeError: sensor exploded"}
    assert probes["memory"] == {"unavailable": "permission denied"}
    assert probes["battery"] == {"unavailable": "no battery"}
    assert probes["uptime"] == {"unavailable": "timed out after 0.5 s"}
    assert "os" in probes and "unavailable" not in probes["os"]
    text = render_text(doc)
    assert "Uptime: unavailable: timed out after 0.5 s" in text and "Memory: unavailable: permission denied" in text


def test_injected_windows_facts_flow_into_the_snapshot() -> None:
    from diagnostics.test_diag_platform_windows import REGISTRY  # captured Windows registry contents
    from intake_app.diagnostics import platform_windows as win

    facts = SimpleNamespace(
        computer_name=lambda: "PC-0042", os_info=lambda: win.os_info(REGISTRY),
        hardware_info=lambda: win.hardware_info(REGISTRY), cpu_model=lambda: win.cpu_model(REGISTRY),
        domain_info=lambda: win.domain_info(REGISTRY, join=lambda: ("CORP", 3), environ={}),
        default_gateways=lambda: win.default_gateways(REGISTRY), dns_servers=lambda: [],
        timezone_name=lambda: win.timezone_name(REGISTRY))
    doc = collect_snapshot(ProbeSettings(enabled={"processes": False, "reachability": False}), facts=facts).document
    probes = doc["probes"]
    assert doc["computer_name"] == "PC-0042"
    assert (probes["os"]["name"], probes["os"]["build"]) == ("Windows 11 Pro", "22631.4317")
    assert probes["hardware"]["serial"] == "PF2ABCDE"
    assert probes["user"]["domain"] == "CORP" and probes["timezone"]["name"] == "W. Europe Standard Time"
    assert probes["cpu"]["model"].startswith("11th Gen Intel")


def test_broken_facts_fail_soft() -> None:
    def raise_unavailable() -> Any:
        raise Unavailable("scutil not found")

    facts = SimpleNamespace(computer_name=raise_unavailable, os_info=raise_unavailable,
                            hardware_info=raise_unavailable, cpu_model=lambda: "x", domain_info=raise_unavailable,
                            default_gateways=lambda: [], dns_servers=lambda: [], timezone_name=raise_unavailable)
    doc = collect_snapshot(ProbeSettings(enabled={"processes": False, "cpu": False}), facts=facts).document
    assert doc["computer_name"] == "unavailable: scutil not found"
    assert doc["probes"]["os"] == {"unavailable": "scutil not found"}
    assert doc["probes"]["reachability"] == {"unavailable": "no default gateway or DNS server configured"}
    assert doc["probes"]["user"]["domain"] == "unavailable: scutil not found"
    assert doc["probes"]["timezone"]["name"] == "unavailable: scutil not found"


def test_public_ip_is_off_by_default_and_uses_the_configured_url(http_reply: Callable[..., Any]) -> None:
    url, hits = http_reply(b"203.0.113.7\n")
    doc = collect_snapshot(ProbeSettings(enabled={"processes": False, "reachability": False},
                                         public_ip_url=url)).document
    assert "public_ip" not in doc["probes"] and hits == []
    on = ProbeSettings(enabled={"public_ip": True, "processes": False, "reachability": False}, public_ip_url=url)
    doc = collect_snapshot(on).document
    assert doc["probes"]["public_ip"] == {"address": "203.0.113.7", "source": url}
    assert hits == ["/ip"]


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"ip": "2001:db8::7"}', {"address": "2001:db8::7"}),
    (b"<html>captive portal</html>", {"unavailable": "the public IP address service sent no address"}),
])
def test_public_ip_answers(http_reply: Callable[..., Any], body: bytes, expected: dict[str, str]) -> None:
    url, _ = http_reply(body)
    result = collect_snapshot(ProbeSettings(enabled={n: n == "public_ip" for n in BUILTIN_PROBES},
                                            public_ip_url=url)).document["probes"]["public_ip"]
    assert {k: v for k, v in result.items() if k != "source"} == expected


def test_public_ip_unreachable_or_bad_url(free_port: int) -> None:
    for url, reason in ((f"http://127.0.0.1:{free_port}/", "could not reach"), ("file:///etc/passwd", "https://")):
        settings = ProbeSettings(enabled={n: n == "public_ip" for n in BUILTIN_PROBES}, public_ip_url=url)
        assert reason in collect_snapshot(settings).document["probes"]["public_ip"]["unavailable"]


def test_config_layer_objects_are_accepted(tmp_path: Path) -> None:
    from intake_app.config.probes import ExtraProbe as ConfigExtra, ProbeSettings as ConfigSettings

    (tmp_path / "agent-id").write_text("agent 42\n")
    settings = ConfigSettings(extra=(ConfigExtra(name="agent", kind="file", path=str(tmp_path / "agent-id")),))
    doc = collect_snapshot(settings, probes={"processes": lambda ctx: {"skipped": True}}).document
    assert doc["probes"]["extra:agent"] == {"kind": "file", "value": "agent 42"}
    assert doc["disabled"] == ["public_ip"]


def test_computer_name_matches_the_host() -> None:
    assert platform_facts.current().computer_name() in (socket.gethostname(), os.environ.get("COMPUTERNAME"))


def test_pseudo_filesystems_and_empty_drives_are_skipped() -> None:
    def part(mount: str, fstype: str, opts: str = "rw") -> SimpleNamespace:
        return SimpleNamespace(device="/dev/x", mountpoint=mount, fstype=fstype, opts=opts)

    parts = [part("/", "ext4"), part("/run", "tmpfs"), part("/snap/core/1", "squashfs"), part("/proc", "proc"),
             part("/home", "btrfs"), part("/home", "btrfs"), part("D:\\", "", "cdrom"), part("E:\\", "NTFS"),
             part("/sys/fs/cgroup", "cgroup2"), part("/media/usb", "vfat")]
    assert [p.mountpoint for p in real_partitions(parts)] == ["/", "/home", "E:\\", "/media/usb"]


def test_probe_names_agree_with_the_config_layer() -> None:
    from intake_app.config.schema import BUILTIN_PROBES as CONFIG_PROBES

    assert tuple(BUILTIN) == BUILTIN_PROBES == tuple(CONFIG_PROBES)
    assert [name for name, on in CONFIG_PROBES.items() if not on] == ["public_ip"]
    assert [name for name in BUILTIN_PROBES if not ProbeSettings().is_enabled(name)] == ["public_ip"]
