"""Run probes side by side, each isolated: one failure never breaks the snapshot.

A probe is a function ``(ctx) -> dict``. It reports "this is not available here" by
raising :class:`Unavailable` with a short reason; any other exception (permission
denied, no sensor, a bug) is turned into a reason too. Probes run on daemon threads
with a deadline, so a probe stuck in a system call is reported as timed out and
never keeps the app (or the CLI) from finishing.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

Probe = Callable[["ProbeContext"], dict[str, Any]]
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up from the tray app on Windows


class Unavailable(Exception):
    """Raised by a probe (or a helper) when the information cannot be had here."""


@dataclass(frozen=True)
class ProbeContext:
    """What every probe may read: settings, the per-OS facts module, options."""

    settings: Any
    platform: Any  # a platform_* module (see platform_facts.PlatformFacts)
    public_ip_url: str = ""
    reach_timeout: float = 0.25
    environ: Mapping[str, str] = field(default_factory=dict)


def unavailable_reason(exc: BaseException) -> str:
    """A short, secret-free reason for the technician."""
    if isinstance(exc, Unavailable):
        return str(exc) or "not available"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "not found"
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"timed out after {exc.timeout:g} s"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, NotImplementedError):
        return "not supported on this system"
    return f"{type(exc).__name__}: {exc}"[:200]


def unavailable(exc: BaseException) -> str:
    """The text a field holds when one value inside a probe failed."""
    return f"unavailable: {unavailable_reason(exc)}"


def _run_one(fn: Callable[[], dict[str, Any]], future: Future[dict[str, Any]], took: dict[str, float],
             name: str) -> None:
    start = time.monotonic()
    try:
        future.set_result(fn())
    except BaseException as exc:  # noqa: BLE001 - isolation is the point
        future.set_exception(exc)
    finally:
        took[name] = round((time.monotonic() - start) * 1000, 1)


def run_isolated(jobs: Mapping[str, Callable[[], dict[str, Any]]], *, deadline_seconds: float,
                 timeouts: Mapping[str, float] | None = None,
                 took: dict[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """Run each job on its own daemon thread; gather results until the deadline.

    Returns ``{name: result}`` or ``{name: {"unavailable": reason}}`` for jobs that raised
    or did not finish within their own timeout (``timeouts``) or the overall deadline.
    ``took`` (optional) receives each finished job's run time in milliseconds.
    """
    took = {} if took is None else took
    start = time.monotonic()
    futures: dict[str, Future[dict[str, Any]]] = {}
    for name, fn in jobs.items():
        future: Future[dict[str, Any]] = Future()
        futures[name] = future
        threading.Thread(target=_run_one, args=(fn, future, took, name), name=f"probe-{name}", daemon=True).start()
    results: dict[str, dict[str, Any]] = {}
    for name, future in futures.items():
        limit = min(deadline_seconds, (timeouts or {}).get(name, deadline_seconds))
        remaining = max(0.0, start + limit - time.monotonic())
        try:
            value = future.result(timeout=remaining)
        except BaseException as exc:  # noqa: BLE001
            reason = unavailable_reason(exc) if future.done() else f"timed out after {limit:g} s"
            results[name] = {"unavailable": reason}
        else:
            results[name] = value if isinstance(value, dict) else {"value": value}
    return results


def run_command(argv: list[str], timeout: float = 2.0) -> str:
    """Run a program (never through a shell) and return its output as text.

    Raises :class:`Unavailable` when the program is missing, fails or runs too long.
    """
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
                              creationflags=_NO_WINDOW)
    except FileNotFoundError:
        raise Unavailable(f"{argv[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise Unavailable(f"{argv[0]} timed out after {timeout:g} s") from None
    except OSError as exc:
        raise Unavailable(f"{argv[0]} could not run: {exc.strerror or exc}") from None
    out = proc.stdout.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        first = (proc.stderr.decode("utf-8", errors="replace").strip() or out.strip()).splitlines()[:1]
        raise Unavailable(f"{argv[0]} exited with status {proc.returncode}" + (f": {first[0][:120]}" if first else ""))
    return out
