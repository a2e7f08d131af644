"""Business calendar and response targets: "a technician will respond by …".

Targets are the MSP's policy: minutes per priority, counted either in business
hours (its weekly hours, time zone, public holidays from the ``holidays``
package plus its own closures) or around the clock. Durations are measured in
UTC so DST changes never stretch or shrink an hour; opening hours are wall
clock in the MSP's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from intake_app.core.priorities import Priority

MAX_DAYS_SEARCHED = 3660  # ten years of closures would be a policy error, not a loop

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: dict[int, tuple[time, time]] = {d: (time(8, 0), time(17, 0)) for d in range(5)}


class CalendarError(ValueError):
    """The calendar can never be open (no hours, or closed for years)."""


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    hours: dict[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closures: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for day, (opens, closes) in self.hours.items():
            if not 0 <= day <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {day}")
            if closes <= opens:
                raise ValueError(f"{WEEKDAYS[day]}: closing time {closes:%H:%M} is not after opening {opens:%H:%M}")
        ZoneInfo(self.timezone)  # raises ZoneInfoNotFoundError for a bad name

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _holidays(self) -> Any:
        """The ``holidays`` calendar, imported on first use (it costs ~100 ms at start-up)."""
        if not self.holiday_country:
            return None
        import holidays

        return holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision)

    def holiday_name(self, day: date) -> str | None:
        if day in self.closures:
            return "Closed"
        if self._holidays is not None and day in self._holidays:
            return str(self._holidays.get(day))
        return None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.hours and self.holiday_name(day) is None

    def opening(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's business hours as aware local datetimes, or None when closed."""
        if not self.is_business_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return datetime.combine(day, opens, tzinfo=self.zone), datetime.combine(day, closes, tzinfo=self.zone)

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of business time after ``start`` (aware), in the calendar's zone."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = duration
        now_utc = start.astimezone(timezone.utc)
        day = now_utc.astimezone(self.zone).date()
        for _ in range(MAX_DAYS_SEARCHED):
            hours = self.opening(day)
            if hours is not None:
                open_utc, close_utc = (h.astimezone(timezone.utc) for h in hours)
                segment_start = max(now_utc, open_utc)
                if segment_start < close_utc:
                    available = close_utc - segment_start
                    if remaining <= available:
                        return (segment_start + remaining).astimezone(self.zone)
                    remaining -= available
            day += timedelta(days=1)
        raise CalendarError("No business hours found within ten years; check the business hours and closures.")

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself when inside business hours, else the next opening."""
        return self.add_business_time(moment, timedelta(0))

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Same local time ``days`` business days later (guide: Pending Closure closes in 1 business day).

        A start outside business hours counts from the next opening. The result is
        clamped into the target day's hours.
        """
        begin = self.next_opening(start)
        wall = begin.astimezone(self.zone).time()
        day = begin.astimezone(self.zone).date()
        counted = 0
        for _ in range(MAX_DAYS_SEARCHED):
            if counted == days:
                break
            day += timedelta(days=1)
            if self.is_business_day(day):
                counted += 1
        else:
            raise CalendarError("No business day found within ten years.")
        opens, closes = self.opening(day) or (None, None)
        assert opens is not None and closes is not None
        target = datetime.combine(day, wall, tzinfo=self.zone)
        return min(max(target, opens), closes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "hours": {WEEKDAYS[d]: [o.strftime("%H:%M"), c.strftime("%H:%M")] for d, (o, c) in sorted(self.hours.items())},
            "holiday_country": self.holiday_country,
            "holiday_subdivision": self.holiday_subdivision,
            "closures": sorted(d.isoformat() for d in self.closures),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> BusinessCalendar:
        if not data:
            return cls()
        hours_in = data.get("hours")
        hours = dict(DEFAULT_HOURS) if hours_in is None else {
            WEEKDAYS.index(str(name).lower()[:3]): (time.fromisoformat(span[0]), time.fromisoformat(span[1]))
            for name, span in hours_in.items()
        }
        return cls(
            timezone=str(data.get("timezone") or "UTC"),
            hours=hours,
            holiday_country=data.get("holiday_country") or None,
            holiday_subdivision=data.get("holiday_subdivision") or None,
            closures=frozenset(date.fromisoformat(d) for d in data.get("closures") or ()),
        )


@dataclass(frozen=True)
class ResponseTarget:
    priority: Priority
    minutes: int
    around_the_clock: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"priority": int(self.priority), "minutes": self.minutes, "around_the_clock": self.around_the_clock}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResponseTarget:
        minutes = int(data["minutes"])
        if minutes <= 0:
            raise ValueError(f"response target must be a positive number of minutes, not {minutes}")
        return cls(Priority.parse(data["priority"]), minutes, bool(data.get("around_the_clock", False)))


def respond_by(targets: tuple[ResponseTarget, ...], calendar: BusinessCalendar, priority: Priority,
               filed_at: datetime) -> datetime | None:
    """When a technician should respond, or None when the MSP configured no target for ``priority``."""
    for target in targets:
        if target.priority == priority:
            if target.around_the_clock:
                return (filed_at.astimezone(timezone.utc) + timedelta(minutes=target.minutes)).astimezone(calendar.zone)
            return calendar.add_business_time(filed_at, timedelta(minutes=target.minutes))
    return None
