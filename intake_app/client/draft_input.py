"""Turning what a person types (CLI flags, a form) into the ticket's structured data.

Availability is written ``YYYY-MM-DD HH:MM-HH:MM`` in the user's own time zone
(``2026-12-01 09:00-11:00``; ``22:00-02:00`` runs past midnight). Every
problem is a :class:`~intake_app.errors.ValidationError` naming the field, with
an example of what is expected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intake_app.core.ticket import Availability, AvailabilityWindow
from intake_app.errors import ValidationError

_WINDOW = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T]+(\d{1,2}:\d{2})\s*(?:-|–|to)\s*(\d{1,2}:\d{2})\s*$")
EXAMPLE = "2026-12-01 09:00-11:00"


def local_zone() -> ZoneInfo:
    """The user's IANA time zone: ``$TZ``, else the system's, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        from intake_app.diagnostics import platform_facts

        candidates.append(str(platform_facts.current().timezone_name()))
    except Exception:  # noqa: BLE001 - a probe failure just means "use the next candidate"
        pass
    for name in candidates:
        if name and not name.startswith("unavailable"):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_window(text: str, zone: ZoneInfo, field: str = "available") -> AvailabilityWindow:
    match = _WINDOW.match(text)
    if not match:
        raise ValidationError({field: f"“{text}” is not a time window; write it like “{EXAMPLE}”."})
    day_text, from_text, to_text = match.groups()
    try:
        day = date.fromisoformat(day_text)
        start, end = (time.fromisoformat(t.zfill(5)) for t in (from_text, to_text))
    except ValueError:
        raise ValidationError({field: f"“{text}” has no such date or time; write it like “{EXAMPLE}”."}) from None
    return AvailabilityWindow.from_local(day, start, end, zone)


def parse_availability(windows: Sequence[str], any_time: bool, zone: ZoneInfo | None = None,
                       *, default_any_time: bool = True) -> Availability:
    """Windows plus/or "any time during business hours"; neither given means ``default_any_time``."""
    zone = zone or local_zone()
    parsed = tuple(parse_window(w, zone) for w in windows)
    return Availability(any_time_business_hours=any_time or (not parsed and default_any_time), windows=parsed)

