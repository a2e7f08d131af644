"""Admin-defined probes: a file's content, a Windows registry value, a command's output.

Typical use: the remote-access agent's id, so the technician can connect at once.
Every result is scrubbed of secrets and cut to a size a ticket note can hold.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from intake_app.diagnostics.errors import AttachmentError
from intake_app.diagnostics.files import read_regular_file
from intake_app.diagnostics.probing import Unavailable, run_command
from intake_app.diagnostics.scrub import scrub_text
from intake_app.diagnostics.settings import DEFAULT_EXTRA_TIMEOUT, ExtraProbeLike

MAX_VALUE_CHARS = 4000
MAX_FILE_BYTES = 64 * 1024
_FILE_REASONS = {"missing": "not found", "too_large": "file is larger than 64 KiB",
                 "not_a_file": "not a regular file", "directory": "is a folder", "empty": "file is empty"}


def _clean(text: str) -> str:
    text = scrub_text(text.strip())
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + " […]"


def read_file_probe(path: str) -> str:
    """A small regular file's text; never opens a FIFO or a device (that could block forever)."""
    if not path:
        raise Unavailable("no path configured")
    try:
        data = read_regular_file(os.path.expanduser(os.path.expandvars(path)), MAX_FILE_BYTES)
    except AttachmentError as exc:
        if exc.reason == "unreadable":  # "permission denied", "Input/output error", ...
            raise Unavailable(str(exc).split("cannot be read: ", 1)[-1].rstrip(".")) from None
        raise Unavailable(_FILE_REASONS.get(exc.reason, exc.reason.replace("_", " "))) from None
    return data.decode("utf-8", errors="replace")


def read_registry_probe(key: str, platform: str = sys.platform, registry: Any = None) -> str:
    """A registry value as text (``registry``: an injected reader for tests; default the real one)."""
    if not platform.startswith("win"):
        raise Unavailable("not Windows")
    if not key:
        raise Unavailable("no registry key configured")
    from intake_app.diagnostics.platform_windows import read_value  # noqa: PLC0415 - Windows only

    value = read_value(key, registry)
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def command_probe(command: list[str], timeout: float, run: Callable[[list[str], float], str] = run_command) -> str:
    if not command:
        raise Unavailable("no command configured")
    return run(list(command), timeout)


def run_extra_probe(spec: ExtraProbeLike) -> dict[str, Any]:
    """Run one admin probe -> ``{"kind", "value"}``; failures raise for the runner to report."""
    timeout = float(getattr(spec, "timeout_seconds", 0) or DEFAULT_EXTRA_TIMEOUT)
    kind = str(spec.kind)
    if kind == "file":
        value = read_file_probe(str(spec.path))
    elif kind == "registry":
        value = read_registry_probe(str(spec.key))
    elif kind == "command":
        value = command_probe([str(part) for part in spec.command], timeout)
    else:
        raise Unavailable(f"unknown probe kind {kind!r} (expected file, command or registry)")
    return {"kind": kind, "value": _clean(value)}


def extra_timeout(spec: ExtraProbeLike) -> float:
    return float(getattr(spec, "timeout_seconds", 0) or DEFAULT_EXTRA_TIMEOUT)
