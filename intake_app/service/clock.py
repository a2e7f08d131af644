"""Time for the service, injectable so tests can move it (code expiry, Pending Closure).

Everything in the service asks a ``Clock`` (``() -> aware UTC datetime``) instead of
calling ``datetime.now`` directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class ManualClock:
    """A clock that only moves when told to (tests, ``admin jobs run --now``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        with self._lock:
            self._now = moment.astimezone(timezone.utc)


def parse_instant(value: str, what: str = "time") -> datetime:
    """An ISO 8601 instant with an offset ("Z" allowed), as aware UTC; ValueError otherwise."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"{what} must include a time zone offset, e.g. 2026-01-05T09:00:00+00:00: {value!r}")
    return parsed.astimezone(timezone.utc)
