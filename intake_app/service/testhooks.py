"""Fault injection for kill tests, honoured only with ``intake-app serve --test-hooks``.

``INTAKE_SERVICE_FAULT=<point>`` makes the service SIGKILL itself when the relay
reaches ``<point>``:

* ``after_create``: the helpdesk created the ticket, the service has not recorded its id;
* ``after_attachment``: the first attachment reached the helpdesk, its key is not recorded.

After a restart (without the variable) the relay must finish the job with
exactly one ticket and each attachment once.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

FAULT_ENV = "INTAKE_SERVICE_FAULT"
POINTS = frozenset({"after_create", "after_attachment"})

log = logging.getLogger(__name__)


class FaultPlan:
    def __init__(self, point: str | None = None) -> None:
        if point is not None and point not in POINTS:
            raise ValueError(f"{FAULT_ENV} must be one of {', '.join(sorted(POINTS))}, not {point!r}")
        self.point = point

    @classmethod
    def from_env(cls, enabled: bool) -> FaultPlan:
        point = os.environ.get(FAULT_ENV) or None
        if point and not enabled:
            log.warning("%s is set but ignored: test hooks are off (serve --test-hooks)", FAULT_ENV)
            return cls()
        return cls(point)

    def reached(self, point: str) -> None:
        if point != self.point:
            return
        print(f"INTAKE_SERVICE_FAULT reached: {point}; killing the process", file=sys.stderr, flush=True)
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)  # pragma: no cover - platforms without SIGKILL
