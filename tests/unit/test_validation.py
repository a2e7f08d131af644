"""Validation messages: each rule, with the limit named."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from intake_app.core.priorities import Priority
from intake_app.core.ticket import Availability, AvailabilityWindow, Contact, ContactMethod, ReportedFor, TicketDraft
from intake_app.core.validation import (
    check_availability,
    check_email,
    check_error_details,
    check_phone,
    check_summary,
    validate_draft,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def good_draft(**changes: object) -> TicketDraft:
    base = TicketDraft(
        summary="Printer on floor 2 jams",
        device_name="PRN-0042",
        contact=Contact("Alex Kim", "alex@example.com", "+1 (713) 555-0199", "Acme"),
        contact_method=ContactMethod.EMAIL,
        contact_method_detail="alex@example.com",
    )
    return base.with_changes(**changes)


def test_good_draft_has_no_problems() -> None:
    assert validate_draft(good_draft(), NOW) == {}


@pytest.mark.parametrize("summary", ["", "   ", "\n\t"])
def test_empty_or_whitespace_summary(summary: str) -> None:
    assert check_summary(summary) == "Please give a short summary of the problem."


def test_summary_limit_is_100_after_trimming() -> None:
    assert check_summary("  " + "a" * 100 + "  ") is None
    assert check_summary("a" * 101) == "The summary is 101 characters; the helpdesk accepts at most 100."


def test_summary_with_nul_rejected() -> None:
    assert "NUL" in (check_summary("bad\x00summary") or "")


def test_error_details_limit_is_64_kib_of_utf8() -> None:
    assert check_error_details("x" * 65536) is None
    message = check_error_details("x" * 65537)
    assert message is not None and "64 KiB" in message and "Attach" in message
    # multi-byte characters count by their encoded size
    assert check_error_details("é" * 32769) is not None


def test_one_megabyte_of_error_text_is_refused_with_its_size() -> None:
    message = check_error_details("e" * 1024 * 1024)
    assert message is not None and message.startswith("The error details are 1024 KiB")


def test_unicode_rtl_emoji_tabs_are_fine() -> None:
    assert check_error_details("שגיאה\t🙂\u202e\n" * 10) is None
    assert check_summary("Excel ❌ ‏שגיאה") is None


@pytest.mark.parametrize("email", ["alex", "alex@", "@example.com", "alex@example", "a b@example.com", "alex@@x.com"])
def test_invalid_email(email: str) -> None:
    assert "is not an e-mail address" in (check_email(email) or "")


@pytest.mark.parametrize("email", ["alex@example.com", "a.b+tag@sub.example.co.uk"])
def test_valid_email(email: str) -> None:
    assert check_email(email) is None


@pytest.mark.parametrize("phone", ["12345", "call me", "+1 713 555 0199 ext", "++--", "1" * 21])
def test_invalid_phone(phone: str) -> None:
    assert "is not a phone number" in (check_phone(phone) or "")


@pytest.mark.parametrize("phone", ["(713) 782-4357", "+49 30 1234567", "713.555.0100 x123", "+1 713 555 0199 ext. 12"])
def test_valid_phone(phone: str) -> None:
    assert check_phone(phone) is None


def window(day: date, start: time, end: time) -> AvailabilityWindow:
    return AvailabilityWindow.from_local(day, start, end, "UTC")


def test_availability_in_the_past() -> None:
    past = window(date(2026, 11, 30), time(9), time(10))
    assert "already over" in (check_availability(Availability(False, (past,)), NOW) or "")


def test_availability_reversed() -> None:
    w = AvailabilityWindow(datetime(2026, 12, 2, 10, tzinfo=timezone.utc), datetime(2026, 12, 2, 9, tzinfo=timezone.utc))
    assert check_availability(Availability(False, (w,)), NOW) == "Time window 1 ends before it starts."


def test_availability_zero_length() -> None:
    w = window(date(2026, 12, 2), time(9), time(9))
    assert check_availability(Availability(False, (w,)), NOW) == "Time window 1 starts and ends at the same time."


def test_availability_across_midnight_is_valid() -> None:
    w = window(date(2026, 12, 1), time(22), time(2))
    assert check_availability(Availability(False, (w,)), NOW) is None


def test_availability_needs_windows_or_any_time() -> None:
    assert "at least one time window" in (check_availability(Availability(False, ()), NOW) or "")


def test_contact_method_needs_a_valid_detail() -> None:
    problems = validate_draft(good_draft(contact_method=ContactMethod.PHONE, contact_method_detail=""), NOW)
    assert problems == {"contact_method_detail": "Please enter a phone number."}


def test_missing_device_and_contact_name() -> None:
    problems = validate_draft(good_draft(device_name=" ", contact=Contact("", "alex@example.com")), NOW)
    assert set(problems) == {"device_name", "contact.name"}


def test_reported_for_contact_checked() -> None:
    problems = validate_draft(good_draft(reported_for=ReportedFor("Sam", "sam@", "")), NOW)
    assert "reported_for.email" in problems


def test_escalation_only_for_p3() -> None:
    problems = validate_draft(good_draft(requested_priority=Priority.QUICK, escalation_requested=True), NOW)
    assert problems == {"escalation_requested": "Only a Priority 3 ticket can be escalated for a fee."}


def test_window_now_plus_one_hour_is_valid() -> None:
    start = NOW + timedelta(minutes=5)
    w = AvailabilityWindow(start, start + timedelta(hours=1))
    assert validate_draft(good_draft(availability=Availability(False, (w,))), NOW) == {}
