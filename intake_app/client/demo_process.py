"""Process and file helpers of the demo launcher: is a pid still ours, where is the ready URL, the log."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

_READY_LINE = re.compile(r"INTAKE_SERVICE_READY url=(\S+)")
_URL = re.compile(r"https?://[^\s\"']+")


def ready_url(ready: Path) -> str | None:
    """The URL from the ready file, whether it holds JSON (``{"url": ...}``) or a plain line."""
    try:
        text = ready.read_text("utf-8")
    except OSError:
        return None
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("url"), str):
            return doc["url"]
    except ValueError:
        pass
    match = _URL.search(text)
    return match.group(0).rstrip("/") if match else None


def ready_url_from_log(log_file: Path, offset: int) -> str | None:
    """The READY line printed by this start of the service (older starts' lines come before ``offset``)."""
    try:
        with log_file.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    matches = _READY_LINE.findall(text)
    return matches[-1] if matches else None


def rotate(log_file: Path, limit: int = 1024 * 1024) -> None:
    """Keep one previous log: the service appends to it at every start."""
    try:
        if log_file.stat().st_size > limit:
            os.replace(log_file, log_file.with_name(log_file.name + ".1"))
    except OSError:
        pass


def create_time(pid: int) -> float | None:
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def pid_alive(pid: int, create_time: object) -> bool:
    """True when ``pid`` runs and is the process that was recorded (same start time, when known)."""
    import psutil

    if pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return create_time is None or abs(proc.create_time() - float(create_time)) < 0.01  # type: ignore[arg-type]
    except psutil.Error:
        return False


def wait_for_exit(pid: int, timeout: float) -> None:
    import psutil

    try:
        psutil.Process(pid).wait(timeout=timeout)
    except (psutil.Error, psutil.TimeoutExpired):
        pass


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def terminate_pid(pid: int, timeout: float = 10.0) -> None:
    """End a process that is not our child (an adopted demo service): terminate, then kill."""
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    except psutil.NoSuchProcess:
        pass
