"""The snapshot as plain text: what the user reviews before sending and the technician reads.

One short line per fact, most useful first; a probe that failed reads
"unavailable: <reason>" in place, never disappears silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from intake_app.diagnostics.files import human_size

Formatter = Callable[[dict[str, Any]], list[str]]
TITLES = {
    "os": "System", "hardware": "Hardware", "uptime": "Uptime", "user": "User", "cpu": "CPU", "memory": "Memory",
    "disks": "Disks", "network": "Network", "reachability": "Reachability", "public_ip": "Public IP",
    "battery": "Battery", "processes": "Top processes", "timezone": "Time zone", "versions": "Versions",
    "environment": "Environment",
}


def _size(value: Any) -> str:
    return human_size(value) if isinstance(value, (int, float)) else str(value)


def _kv(data: dict[str, Any], keys: list[str] | None = None) -> list[str]:
    return [f"{k.replace('_', ' ')}: {_flat(data[k])}" for k in (keys or list(data)) if k in data]


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_flat(v)}" for k, v in value.items())
    return str(value)


def _os(d: dict[str, Any]) -> list[str]:
    line = " ".join(str(d.get(k, "")) for k in ("name", "version") if d.get(k))
    build = f", build {d['build']}" if d.get("build") else ""
    return [f"Computer name: {d.get('computer_name', '')}", f"OS: {line}{build} ({d.get('architecture', '')})"]


def _cpu(d: dict[str, Any]) -> list[str]:
    freq = d.get("frequency_mhz")
    freq_text = f"{freq} MHz" if isinstance(freq, (int, float)) else str(freq)
    return [f"{d.get('model', '')}, {d.get('cores')} cores / {d.get('threads')} threads, {freq_text}",
            f"load: {d.get('load_percent')} %, load average: {_flat(d.get('load_average', ''))}"]


def _memory(d: dict[str, Any]) -> list[str]:
    total, avail = d.get("total"), d.get("available")
    used = _size(total - avail) if isinstance(total, int) and isinstance(avail, int) else "?"
    lines = [f"RAM: {used} used of {_size(total)} ({d.get('used_percent')} %)"]
    if isinstance(d.get("swap_total"), int):
        lines.append(f"swap: {_size(d.get('swap_used'))} used of {_size(d['swap_total'])}")
    else:
        lines.append(f"swap: {d.get('swap_total')}")
    return lines


def _disks(d: dict[str, Any]) -> list[str]:
    lines = []
    for disk in d.get("disks", []):
        if isinstance(disk.get("total"), int):
            usage = f"{_size(disk['free'])} free of {_size(disk['total'])} ({disk.get('used_percent')} % used)"
        else:
            usage = str(disk.get("total"))
        lines.append(f"{disk.get('mount')} ({disk.get('fs')}): {usage}")
    return lines or ["no disks found"]


def _network(d: dict[str, Any]) -> list[str]:
    lines = []
    for name, iface in d.get("interfaces", {}).items():
        addrs = ", ".join(iface.get("ipv4", []) + iface.get("ipv6", [])) or "no address"
        mac = f", MAC {iface['mac']}" if iface.get("mac") else ""
        lines.append(f"{name} ({'up' if iface.get('up') else 'down'}): {addrs}{mac}")
    return lines


def _reachability(d: dict[str, Any]) -> list[str]:
    lines = []
    for label, key in (("gateway", "gateways"), ("DNS", "dns")):
        for item in d.get(key, []):
            ms = f", {item['ms']} ms" if "ms" in item else ""
            lines.append(f"{label} {item.get('address')}: {item.get('status')} ({item.get('detail', '')}{ms})")
    return lines


def _processes(d: dict[str, Any]) -> list[str]:
    lines = []
    for label, key in (("by CPU", "top_cpu"), ("by memory", "top_memory")):
        lines.append(f"{label}:")
        lines += [f"  {p.get('name')} (pid {p.get('pid')}): {p.get('cpu_percent')} % CPU, {p.get('memory_mib')} MiB"
                  for p in d.get(key, [])]
    return lines


def _battery(d: dict[str, Any]) -> list[str]:
    return [f"{d.get('percent')} %, {'plugged in' if d.get('plugged_in') else 'on battery'}"]


FORMATTERS: dict[str, Formatter] = {
    "os": _os, "cpu": _cpu, "memory": _memory, "disks": _disks, "network": _network,
    "reachability": _reachability, "processes": _processes, "battery": _battery,
    "uptime": lambda d: [f"{d.get('uptime')} (since {d.get('boot_time')})"],
    "public_ip": lambda d: [str(d.get("address"))],
}


def render_text(document: dict[str, Any]) -> str:
    """The whole snapshot as text, one section per probe."""
    lines = [f"System information collected {document.get('collected_at', '')} "
             f"in {document.get('duration_ms', '?')} ms"]
    for name, data in document.get("probes", {}).items():
        title = TITLES.get(name) or ("Extra: " + name.split(":", 1)[1] if name.startswith("extra:") else name)
        if "unavailable" in data and len(data) == 1:
            lines.append(f"{title}: unavailable: {data['unavailable']}")
            continue
        if name.startswith("extra:"):
            lines.append(f"{title}: {data.get('value', '')}")
            continue
        body = FORMATTERS.get(name, _kv)(data)
        lines.append(f"{title}:")
        lines += [f"  {line}" for line in body]
    if document.get("disabled"):
        lines.append("Switched off: " + ", ".join(document["disabled"]))
    return "\n".join(lines) + "\n"
