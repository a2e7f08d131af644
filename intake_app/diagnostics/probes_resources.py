"""Probes about load and capacity: CPU, memory, disks, battery, top processes."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import psutil

from intake_app.diagnostics.probing import ProbeContext, Unavailable, unavailable
from intake_app.diagnostics.scrub import scrub_argv

CPU_SAMPLE_SECONDS = 0.1  # two samples this far apart give a usable "% busy" in the 300 ms budget
TOP_N = 5
CMDLINE_MAX = 300
# Filesystems with no user data or capacity worth reporting (Linux, BSD, macOS names).
PSEUDO_FS = frozenset({
    "proc", "sysfs", "devtmpfs", "devfs", "devpts", "tmpfs", "ramfs", "cgroup", "cgroup2", "pstore", "bpf",
    "tracefs", "debugfs", "securityfs", "configfs", "fusectl", "hugetlbfs", "mqueue", "binfmt_misc", "autofs",
    "nsfs", "rpc_pipefs", "efivarfs", "squashfs", "fuse.gvfsd-fuse", "fuse.portal",
    "fuse.lxcfs", "nullfs", "map", "autofs_map",
})
_MIB = 1024 * 1024


def probe_cpu(ctx: ProbeContext) -> dict[str, Any]:
    info: dict[str, Any] = {
        "model": ctx.platform.cpu_model(),
        "cores": psutil.cpu_count(logical=False),
        "threads": psutil.cpu_count(logical=True),
    }
    try:
        freq = psutil.cpu_freq()
        info["frequency_mhz"] = round(freq.current) if freq else "unavailable: not reported"
        if freq and freq.max:
            info["max_frequency_mhz"] = round(freq.max)
    except (NotImplementedError, OSError, AttributeError) as exc:
        info["frequency_mhz"] = unavailable(exc)
    info["load_percent"] = psutil.cpu_percent(interval=CPU_SAMPLE_SECONDS)
    try:
        info["load_average"] = [round(x, 2) for x in psutil.getloadavg()]
    except (AttributeError, OSError) as exc:
        info["load_average"] = unavailable(exc)
    return info


def probe_memory(ctx: ProbeContext) -> dict[str, Any]:
    mem = psutil.virtual_memory()
    info: dict[str, Any] = {"total": mem.total, "available": mem.available, "used_percent": mem.percent}
    try:
        swap = psutil.swap_memory()
        info["swap_total"], info["swap_used"], info["swap_percent"] = swap.total, swap.used, swap.percent
    except (OSError, RuntimeError) as exc:
        info["swap_total"] = unavailable(exc)
    return info


def real_partitions(partitions: Iterable[Any]) -> list[Any]:
    """Partitions with user data: no pseudo filesystems, no empty drives, each mount once."""
    chosen, seen = [], set()
    for part in partitions:
        fstype = part.fstype.lower()
        if not fstype or fstype in PSEUDO_FS or "cdrom" in part.opts or part.mountpoint in seen:
            continue  # Windows: an empty fstype is a drive with no medium
        seen.add(part.mountpoint)
        chosen.append(part)
    return chosen


def probe_disks(ctx: ProbeContext) -> dict[str, Any]:
    disks: list[dict[str, Any]] = []
    for part in real_partitions(psutil.disk_partitions(all=False)):
        entry: dict[str, Any] = {"mount": part.mountpoint, "device": part.device, "fs": part.fstype}
        try:
            usage = psutil.disk_usage(part.mountpoint)
            entry.update(total=usage.total, free=usage.free, used_percent=usage.percent)
        except OSError as exc:
            entry["total"] = unavailable(exc)
        disks.append(entry)
    return {"disks": disks}


def probe_battery(ctx: ProbeContext) -> dict[str, Any]:
    try:
        battery = psutil.sensors_battery()
    except (AttributeError, NotImplementedError):
        raise Unavailable("no battery sensor support on this system") from None
    if battery is None:
        raise Unavailable("no battery")
    secs = battery.secsleft
    left: Any
    if secs == psutil.POWER_TIME_UNLIMITED:
        left = "plugged in"
    elif secs == psutil.POWER_TIME_UNKNOWN or secs is None:
        left = "unknown"
    else:
        left = int(secs)
    return {"percent": round(battery.percent, 1), "plugged_in": battery.power_plugged, "seconds_left": left}


def _describe(proc: psutil.Process, cpu: float) -> dict[str, Any] | None:
    try:
        with proc.oneshot():
            info = {"pid": proc.pid, "name": proc.name(), "cpu_percent": round(cpu, 1),
                    "memory_mib": round(proc.memory_info().rss / _MIB, 1)}
            try:
                info["user"] = proc.username()
            except (psutil.AccessDenied, KeyError):
                info["user"] = "unavailable: permission denied"
            try:
                info["cmdline"] = " ".join(scrub_argv(proc.cmdline()))[:CMDLINE_MAX]
            except (psutil.AccessDenied, psutil.ZombieProcess):
                info["cmdline"] = "unavailable: permission denied"
            return info
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None  # gone between the two samples, or a protected system process


def probe_processes(ctx: ProbeContext) -> dict[str, Any]:
    """Top processes by CPU (two samples ~100 ms apart) and by resident memory."""
    procs: list[psutil.Process] = []
    for proc in psutil.process_iter():
        try:
            proc.cpu_percent(None)  # first sample: primes the counter
            procs.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    time.sleep(CPU_SAMPLE_SECONDS)
    sampled: list[tuple[psutil.Process, float, int]] = []
    for proc in procs:
        try:
            with proc.oneshot():  # one read of /proc/<pid>/stat for both values
                sampled.append((proc, proc.cpu_percent(None), proc.memory_info().rss))
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    by_cpu = sorted(sampled, key=lambda item: item[1], reverse=True)[:TOP_N]
    by_memory = sorted(sampled, key=lambda item: item[2], reverse=True)[:TOP_N]
    return {
        "count": len(sampled),
        "top_cpu": [d for p, cpu, _ in by_cpu if (d := _describe(p, cpu))],
        "top_memory": [d for p, cpu, _ in by_memory if (d := _describe(p, cpu))],
    }
