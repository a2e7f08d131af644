"""Probes about the computer and its user: OS, hardware, uptime, user, time zone, versions, env."""

from __future__ import annotations

import getpass
import platform
import struct
import sys
import time
from datetime import datetime, timezone
from typing import Any

import psutil

from intake_app import __version__
from intake_app.diagnostics.probing import ProbeContext, unavailable
from intake_app.diagnostics.scrub import allowed_environment


def probe_os(ctx: ProbeContext) -> dict[str, Any]:
    info: dict[str, Any] = {"computer_name": ctx.platform.computer_name()}
    info.update(ctx.platform.os_info())
    info["architecture"] = platform.machine()
    info["platform"] = platform.platform(terse=True)
    return info


def probe_hardware(ctx: ProbeContext) -> dict[str, Any]:
    return dict(ctx.platform.hardware_info())


def format_duration(seconds: float) -> str:
    """``3 d 4 h 5 min`` (a technician reads it at a glance)."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if days or hours:
        parts.append(f"{hours} h")
    parts.append(f"{mins} min")
    return " ".join(parts)


def probe_uptime(ctx: ProbeContext) -> dict[str, Any]:
    boot = psutil.boot_time()
    seconds = max(0.0, time.time() - boot)
    return {
        "boot_time": datetime.fromtimestamp(boot, timezone.utc).isoformat(timespec="seconds"),
        "uptime_seconds": int(seconds),
        "uptime": format_duration(seconds),
    }


def probe_user(ctx: ProbeContext) -> dict[str, Any]:
    info: dict[str, Any] = {}
    try:
        info["user"] = psutil.Process().username()  # DOMAIN\user on Windows
    except (psutil.Error, OSError, KeyError) as exc:
        try:
            info["user"] = getpass.getuser()
        except (OSError, KeyError, ImportError):
            info["user"] = unavailable(exc)
    try:
        info["sessions"] = sorted({f"{u.name} ({u.terminal or 'console'})" for u in psutil.users()})
    except (psutil.Error, OSError) as exc:
        info["sessions"] = unavailable(exc)
    try:
        info.update(ctx.platform.domain_info())
    except Exception as exc:  # noqa: BLE001 - the user name alone is still worth reporting
        info["domain"] = unavailable(exc)
    return info


def probe_timezone(ctx: ProbeContext) -> dict[str, Any]:
    now = datetime.now().astimezone()
    offset = now.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    info: dict[str, Any] = {
        "abbreviation": now.tzname() or "",
        "utc_offset": f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
        "dst": bool(time.localtime().tm_isdst > 0),
        "local_time": now.isoformat(timespec="seconds"),
    }
    try:
        info["name"] = ctx.platform.timezone_name()
    except Exception as exc:  # noqa: BLE001
        info["name"] = unavailable(exc)
    return info


def _dist_version(*names: str) -> str:
    from importlib import metadata  # noqa: PLC0415 - on the probe's thread, not at import

    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unavailable: not installed"


def probe_versions(ctx: ProbeContext) -> dict[str, Any]:
    # Qt's version from package metadata: importing PySide6 here would cost ~100 ms and break the layering
    return {
        "app": __version__,
        "python": f"{platform.python_implementation()} {platform.python_version()} ({struct.calcsize('P') * 8}-bit)",
        "qt": _dist_version("PySide6-Essentials", "PySide6"),
        "psutil": psutil.__version__,
        "mss": _dist_version("mss"),
        "pillow": _dist_version("Pillow", "pillow"),
        "frozen": bool(getattr(sys, "frozen", False)),
    }


def probe_environment(ctx: ProbeContext) -> dict[str, Any]:
    return allowed_environment(ctx.environ)
