"""Dates and times for the user: their own time zone, their locale's words."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QLocale, QTime, QTimeZone


def local_zone_name() -> str:
    """The user's IANA time zone (e.g. ``Europe/Berlin``); ``UTC`` when the system has none."""
    from zoneinfo import ZoneInfo

    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return "UTC"
    return name or "UTC"


def format_local(moment: datetime) -> str:
    """e.g. ``Tuesday 3 December, 14:30`` in the user's zone and locale."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(local_zone_name()))
    locale = QLocale()
    day = locale.toString(QDate(local.year, local.month, local.day), "dddd d MMMM")
    clock = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return f"{day}, {clock}"


