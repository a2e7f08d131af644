"""The system snapshot: every enabled probe, side by side, into one versioned document.

``collect_snapshot()`` is what the report window (on a worker thread), the CLI and the
client call. The document is JSON-ready::

    {"schema": "intake.snapshot/1", "collected_at": "...", "duration_ms": 123.4,
     "computer_name": "...", "disabled": ["public_ip"],
     "probes": {"os": {...}, "battery": {"unavailable": "no battery"}, "extra:agent": {...}},
     "probe_ms": {"os": 1.2, ...}}

:func:`intake_app.diagnostics.report_text.render_text` turns it into the block of text
the user reviews and the technician reads.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Any

from intake_app.diagnostics import platform_facts
from intake_app.diagnostics.extra_probes import extra_timeout, run_extra_probe
from intake_app.diagnostics.probes_network import probe_network, probe_public_ip, probe_reachability
from intake_app.diagnostics.probes_resources import (probe_battery, probe_cpu, probe_disks, probe_memory,
                                                     probe_processes)
from intake_app.diagnostics.probes_system import (probe_environment, probe_hardware, probe_os, probe_timezone,
                                                  probe_uptime, probe_user, probe_versions)
from intake_app.diagnostics.probing import Probe, ProbeContext, run_isolated, unavailable
from intake_app.diagnostics.settings import (BUILTIN_PROBES, MAX_REACHABILITY_SECONDS, ProbeSettings,
                                             ProbeSettingsLike, public_ip_url, reachability_timeout)

SCHEMA = "intake.snapshot/1"
PROBE_TIMEOUT = 2.0  # a built-in probe slower than this is reported as timed out
PUBLIC_IP_BUDGET = 2.5

BUILTIN: dict[str, Probe] = {
    "os": probe_os, "hardware": probe_hardware, "uptime": probe_uptime, "user": probe_user, "cpu": probe_cpu,
    "memory": probe_memory, "disks": probe_disks, "network": probe_network, "reachability": probe_reachability,
    "public_ip": probe_public_ip, "battery": probe_battery, "processes": probe_processes,
    "timezone": probe_timezone, "versions": probe_versions, "environment": probe_environment,
}


@dataclass(frozen=True)
class Snapshot:
    """A finished snapshot: the JSON document and the text shown to the user."""

    document: dict[str, Any]

    @property
    def text(self) -> str:
        from intake_app.diagnostics.report_text import render_text  # noqa: PLC0415

        return render_text(self.document)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.document, indent=indent, ensure_ascii=False, default=str)


def computer_name(facts: Any = None) -> str:
    """This computer's name as the user knows it (for the ticket's device field)."""
    try:
        return str((facts or platform_facts.current()).computer_name())
    except Exception as exc:  # noqa: BLE001
        return unavailable(exc)


def collect_snapshot(settings: ProbeSettingsLike | None = None, *, facts: Any = None,
                     probes: Mapping[str, Probe] | None = None, environ: Mapping[str, str] | None = None,
                     timeout: float = PROBE_TIMEOUT) -> Snapshot:
    """Run every enabled probe concurrently and return the snapshot.

    ``settings``: a ``ProbeSettings``-shaped object (default: all built-ins but the public IP).
    ``facts``: the per-OS facts (default: the module for ``sys.platform``).
    ``probes``: replacements for built-in probe functions (tests inject failing ones here).
    Never raises because of a probe; blocks for at most about ``timeout`` seconds (longer
    only for admin probes with a longer timeout of their own, and public IP when enabled).
    """
    started = time.monotonic()
    chosen = settings if settings is not None else ProbeSettings()
    ctx = ProbeContext(settings=chosen, platform=facts or platform_facts.current(),
                       public_ip_url=public_ip_url(chosen), reach_timeout=reachability_timeout(chosen),
                       environ=dict(os.environ if environ is None else environ))
    table = {**BUILTIN, **(probes or {})}
    jobs: dict[str, Callable[[], dict[str, Any]]] = {}
    timeouts: dict[str, float] = {}
    disabled: list[str] = []
    for name in BUILTIN_PROBES:
        if not chosen.is_enabled(name):
            disabled.append(name)
            continue
        jobs[name] = partial(table[name], ctx)
        timeouts[name] = timeout
    timeouts["reachability"] = min(timeout, MAX_REACHABILITY_SECONDS)
    timeouts["public_ip"] = PUBLIC_IP_BUDGET
    for spec in getattr(chosen, "extra", ()) or ():
        jobs[f"extra:{spec.name}"] = partial(run_extra_probe, spec)
        timeouts[f"extra:{spec.name}"] = extra_timeout(spec) + 0.5
    took: dict[str, float] = {}
    results = run_isolated(jobs, deadline_seconds=max(timeouts.values(), default=timeout), timeouts=timeouts,
                           took=took)
    document = {
        "schema": SCHEMA,
        "collected_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
        "computer_name": computer_name(ctx.platform),
        "disabled": disabled,
        "probes": results,
        "probe_ms": {name: took[name] for name in results if name in took},
    }
    return Snapshot(document)
