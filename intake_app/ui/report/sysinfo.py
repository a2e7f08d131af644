"""System information for the ticket, with the optional parts the user may switch off.

Collected on a worker when the window opens (diagnostics runs its probes side by
side with deadlines). The user sees the exact text before it is sent; what they
switch off is removed from the document itself, not just hidden.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal

log = logging.getLogger(__name__)

# probe name -> what the switch says. Everything else (OS, hardware, CPU, memory, versions,
# admin-defined probes such as a remote-access agent id) is always included.
OPTIONAL_PARTS: dict[str, str] = {
    "user": QT_TRANSLATE_NOOP("sysinfo", "User name and domain"),
    "network": QT_TRANSLATE_NOOP("sysinfo", "Network interfaces and addresses"),
    "public_ip": QT_TRANSLATE_NOOP("sysinfo", "Public IP address"),
    "reachability": QT_TRANSLATE_NOOP("sysinfo", "Gateway and DNS reachability"),
    "disks": QT_TRANSLATE_NOOP("sysinfo", "Disks"),
    "battery": QT_TRANSLATE_NOOP("sysinfo", "Battery"),
    "processes": QT_TRANSLATE_NOOP("sysinfo", "Top processes"),
    "environment": QT_TRANSLATE_NOOP("sysinfo", "Environment variables"),
}


def part_label(name: str) -> str:
    return QCoreApplication.translate("sysinfo", OPTIONAL_PARTS[name])


def collect(services: Any) -> Any:
    """Run the probes (worker thread). Returns the diagnostics ``Snapshot``."""
    if services.collect_system_info is not None:
        return services.collect_system_info(services.probe_settings)
    from intake_app.diagnostics.snapshot import collect_snapshot

    return collect_snapshot(services.probe_settings)


def present_parts(document: dict[str, Any]) -> list[str]:
    probes = document.get("probes") or {}
    return [name for name in OPTIONAL_PARTS if name in probes]


def without(document: dict[str, Any], switched_off: set[str]) -> dict[str, Any]:
    """The document with the switched-off parts removed (and named, so the technician knows)."""
    if not switched_off:
        return document
    probes = {k: v for k, v in (document.get("probes") or {}).items() if k not in switched_off}
    withheld = sorted(set(document.get("withheld_by_user") or []) | (switched_off & set(OPTIONAL_PARTS)))
    return {**document, "probes": probes, "withheld_by_user": withheld}


def render(document: dict[str, Any]) -> str:
    from intake_app.diagnostics.report_text import render_text

    text = render_text(document)
    withheld = document.get("withheld_by_user") or []
    if withheld:
        text += "\n" + QCoreApplication.translate("sysinfo", "Not shared by the user: %1").replace(
            "%1", ", ".join(withheld))
    return text


class SystemInfo(QObject):
    """Collects the snapshot once, on a worker, when the window opens; ``ready`` when done (or failed)."""

    ready = Signal()

    def __init__(self, runner: Any, services: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services = services
        self.collecting = False
        self.document: dict[str, Any] | None = None
        self.error = ""
        self._cache: tuple[frozenset[str], dict[str, Any], str] | None = None

    def use(self, services: Any) -> None:
        """The services to collect with (a window built ahead gets the current ones when it opens)."""
        self._services = services

    def expect(self) -> None:
        """Collection starts in a moment (the window launches it after its first paint): from now on
        Submit waits for it, exactly as while it runs."""
        self.collecting = True

    def start(self) -> None:
        from intake_app.ui.report.submit_flow import if_alive

        self.collecting = True
        services = self._services
        self._runner.run_task(lambda: collect(services), if_alive(self, self._collected), name="report.sysinfo")

    def for_draft(self, switched_off: set[str]) -> tuple[dict[str, Any] | None, str]:
        """The document without the switched-off parts, and its text (rendered once per choice)."""
        if self.document is None:
            return None, ""
        off = frozenset(switched_off)
        if self._cache is None or self._cache[0] != off:
            filtered = without(self.document, set(off))
            self._cache = (off, filtered, render(filtered))
        return self._cache[1], self._cache[2]

    def _collected(self, snapshot: Any, error: BaseException | None) -> None:
        self.collecting = False
        if error is not None or snapshot is None:
            log.warning("system information could not be collected: %s", error)
            self.error = str(error or "no snapshot")
        else:
            self.document = dict(snapshot.document)
        self.ready.emit()
