"""Response targets and business days: weekends, holidays, DST, Friday 16:59, 24x7."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from intake_app.core.priorities import Priority
from intake_app.core.sla import BusinessCalendar, CalendarError, ResponseTarget, respond_by

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")


def at(y: int, m: int, d: int, hh: int, mm: int = 0, tz: ZoneInfo = CHICAGO) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


@pytest.fixture
def houston() -> BusinessCalendar:
    return BusinessCalendar(timezone="America/Chicago", holiday_country="US")


def test_inside_business_hours_same_day(houston: BusinessCalendar) -> None:
    assert houston.add_business_time(at(2026, 12, 1, 10), timedelta(hours=2)) == at(2026, 12, 1, 12)


def test_friday_1659_with_one_hour_target_lands_on_monday(houston: BusinessCalendar) -> None:
    # Friday 2026-12-04 16:59: one minute today, 59 minutes from Monday's opening
    assert houston.add_business_time(at(2026, 12, 4, 16, 59), timedelta(hours=1)) == at(2026, 12, 7, 8, 59)


def test_weekend_filing_counts_from_monday_opening(houston: BusinessCalendar) -> None:
    assert houston.add_business_time(at(2026, 12, 5, 11), timedelta(minutes=30)) == at(2026, 12, 7, 8, 30)


def test_before_opening_counts_from_opening(houston: BusinessCalendar) -> None:
    assert houston.add_business_time(at(2026, 12, 1, 6), timedelta(hours=1)) == at(2026, 12, 1, 9)


def test_public_holiday_is_skipped(houston: BusinessCalendar) -> None:
    # Thanksgiving 2026-11-26 (Thursday): Wednesday 16:30 + 1 h -> Friday 08:30
    assert houston.holiday_name(date(2026, 11, 26)) is not None
    assert houston.add_business_time(at(2026, 11, 25, 16, 30), timedelta(hours=1)) == at(2026, 11, 27, 8, 30)


def test_subdivision_holidays_apply() -> None:
    # Texas also closes the day after Thanksgiving: Wednesday 16:30 + 1 h -> Monday 08:30
    texas = BusinessCalendar(timezone="America/Chicago", holiday_country="US", holiday_subdivision="TX")
    assert texas.add_business_time(at(2026, 11, 25, 16, 30), timedelta(hours=1)) == at(2026, 11, 30, 8, 30)


def test_own_closures_are_skipped() -> None:
    cal = BusinessCalendar(timezone="America/Chicago", closures=frozenset({date(2026, 12, 24)}))
    assert cal.holiday_name(date(2026, 12, 24)) == "Closed"
    assert cal.add_business_time(at(2026, 12, 23, 16), timedelta(hours=2)) == at(2026, 12, 25, 9)


def test_multi_day_target_spans_nights(houston: BusinessCalendar) -> None:
    # 9 business hours a day: 20 h from Tuesday 08:00 -> Thursday 10:00
    assert houston.add_business_time(at(2026, 12, 1, 8), timedelta(hours=20)) == at(2026, 12, 3, 10)


def test_dst_spring_forward_does_not_shorten_business_hours() -> None:
    # Europe/Berlin springs forward on Sunday 2027-03-28; Monday hours are 08:00-17:00 wall clock
    cal = BusinessCalendar(timezone="Europe/Berlin")
    friday = datetime(2027, 3, 26, 16, tzinfo=BERLIN)
    result = cal.add_business_time(friday, timedelta(hours=2))
    assert result == datetime(2027, 3, 29, 9, tzinfo=BERLIN)
    assert result.utcoffset() == timedelta(hours=2)  # CEST after the change


def test_dst_around_the_clock_counts_real_hours() -> None:
    # 24x7 target over the fall-back night: 3 real hours from 01:00 CDT is 03:00 CST
    cal = BusinessCalendar(timezone="America/Chicago")
    targets = (ResponseTarget(Priority.EMERGENCY, 180, around_the_clock=True),)
    start = datetime(2026, 11, 1, 1, 0, tzinfo=CHICAGO)  # first 01:00 (CDT, fold=0)
    due = respond_by(targets, cal, Priority.EMERGENCY, start)
    assert due is not None
    assert due.astimezone(timezone.utc) - start.astimezone(timezone.utc) == timedelta(hours=3)
    assert due.replace(tzinfo=None) == datetime(2026, 11, 1, 3, 0)


def test_one_hour_around_the_clock_on_a_saturday_night() -> None:
    cal = BusinessCalendar(timezone="America/Chicago")
    targets = (ResponseTarget(Priority.EMERGENCY, 60, around_the_clock=True),)
    assert respond_by(targets, cal, Priority.EMERGENCY, at(2026, 12, 5, 23, 30)) == at(2026, 12, 6, 0, 30)


def test_no_target_configured_means_nothing_shown(houston: BusinessCalendar) -> None:
    targets = (ResponseTarget(Priority.EMERGENCY, 60, around_the_clock=True),)
    assert respond_by(targets, houston, Priority.NORMAL, at(2026, 12, 1, 10)) is None
    assert respond_by((), houston, Priority.EMERGENCY, at(2026, 12, 1, 10)) is None


def test_one_business_day_from_friday_is_monday_same_time(houston: BusinessCalendar) -> None:
    assert houston.add_business_days(at(2026, 12, 4, 15), 1) == at(2026, 12, 7, 15)


def test_one_business_day_skips_holiday(houston: BusinessCalendar) -> None:
    # Pending Closure set Wednesday before Thanksgiving closes Friday
    assert houston.add_business_days(at(2026, 11, 25, 10), 1) == at(2026, 11, 27, 10)


def test_one_business_day_from_the_weekend_ends_at_next_days_opening_time(houston: BusinessCalendar) -> None:
    # Saturday -> counts from Monday 08:00 -> Tuesday 08:00
    assert houston.add_business_days(at(2026, 12, 5, 12), 1) == at(2026, 12, 8, 8)


def test_business_days_clamped_into_shorter_day() -> None:
    hours = {d: (time(8), time(17)) for d in range(4)} | {4: (time(8), time(12))}
    cal = BusinessCalendar(timezone="America/Chicago", hours=hours)
    assert cal.add_business_days(at(2026, 12, 3, 16), 1) == at(2026, 12, 4, 12)


def test_window_across_midnight_business_hours() -> None:
    night = {d: (time(0, 0), time(23, 59)) for d in range(7)}
    cal = BusinessCalendar(timezone="UTC", hours=night)
    start = datetime(2026, 12, 1, 23, 50, tzinfo=timezone.utc)
    assert cal.add_business_time(start, timedelta(minutes=20)) == datetime(2026, 12, 2, 0, 11, tzinfo=ZoneInfo("UTC"))


def test_calendar_with_no_hours_is_an_error_not_a_hang() -> None:
    cal = BusinessCalendar(timezone="UTC", hours={})
    with pytest.raises(CalendarError):
        cal.add_business_time(datetime(2026, 12, 1, tzinfo=timezone.utc), timedelta(hours=1))


def test_naive_start_rejected(houston: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        houston.add_business_time(datetime(2026, 12, 1, 10), timedelta(hours=1))


def test_bad_hours_and_zone_rejected() -> None:
    with pytest.raises(ValueError, match="not after opening"):
        BusinessCalendar(hours={0: (time(17), time(8))})
    with pytest.raises(Exception, match="Mars"):
        BusinessCalendar(timezone="Mars/Olympus")


def test_calendar_round_trip() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY",
                           closures=frozenset({date(2026, 12, 24)}))
    assert BusinessCalendar.from_dict(cal.to_dict()) == cal


def test_response_target_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        ResponseTarget.from_dict({"priority": 1, "minutes": 0})
