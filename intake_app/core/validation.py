"""Domain rules with precise messages, shared by the report window, CLI and service.

Each function returns ``{field: message}``; empty means valid. Messages are
written for the end user and name the limit that was broken.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from intake_app.core.ticket import Availability, Contact, ContactMethod, TicketDraft

SUMMARY_MAX = 100  # ConnectWise's limit for a ticket summary
ERROR_DETAILS_MAX_BYTES = 64 * 1024
DESCRIPTION_MAX_BYTES = 256 * 1024
DEVICE_NAME_MAX = 100
MAX_WINDOWS = 10

# Pragmatic, not RFC 5322: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_CHARS = re.compile(r"^[0-9+()\-\s./]+(?:\s*(?:x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)


def check_summary(summary: str) -> str | None:
    text = summary.strip()
    if not text:
        return "Please give a short summary of the problem."
    if len(text) > SUMMARY_MAX:
        return f"The summary is {len(text)} characters; the helpdesk accepts at most {SUMMARY_MAX}."
    if "\x00" in text:
        return "The summary contains a NUL character; please retype it."
    return None


def check_error_details(text: str) -> str | None:
    size = len(text.encode("utf-8"))
    if size > ERROR_DETAILS_MAX_BYTES:
        return (f"The error details are {size // 1024} KiB; at most {ERROR_DETAILS_MAX_BYTES // 1024} KiB fit. "
                "Attach the full text as a file instead.")
    if "\x00" in text:
        return "The error details contain a NUL character; paste the text again or attach it as a file."
    return None


def check_email(value: str, *, required: bool = False) -> str | None:
    value = value.strip()
    if not value:
        return "Please enter an e-mail address." if required else None
    if not _EMAIL.match(value):
        return f"“{value}” is not an e-mail address (expected name@example.com)."
    return None


def check_phone(value: str, *, required: bool = False) -> str | None:
    value = value.strip()
    if not value:
        return "Please enter a phone number." if required else None
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not 6 <= digits <= 20:
        return f"“{value}” is not a phone number (6–20 digits; +, spaces, dashes and brackets allowed)."
    return None


def check_contact(contact: Contact) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not contact.name.strip():
        problems["contact.name"] = "Please enter your name."
    if (msg := check_email(contact.email, required=True)) is not None:
        problems["contact.email"] = msg
    if (msg := check_phone(contact.phone)) is not None:
        problems["contact.phone"] = msg
    return problems


def check_contact_method(method: ContactMethod, detail: str) -> str | None:
    if method is ContactMethod.PHONE:
        return check_phone(detail, required=True)
    if method is ContactMethod.EMAIL:
        return check_email(detail, required=True)
    if method is ContactMethod.CHAT and not detail.strip():
        return "Please enter your Teams or chat address."
    return None


def check_availability(availability: Availability, now: datetime | None = None) -> str | None:
    now = now or datetime.now(timezone.utc)
    if not availability.any_time_business_hours and not availability.windows:
        return "Choose “any time during business hours” or add at least one time window."
    if len(availability.windows) > MAX_WINDOWS:
        return f"At most {MAX_WINDOWS} time windows, please."
    for number, window in enumerate(availability.windows, start=1):
        if window.duration.total_seconds() == 0:
            return f"Time window {number} starts and ends at the same time."
        if window.duration.total_seconds() < 0:
            return f"Time window {number} ends before it starts."
        if window.end <= now:
            return f"Time window {number} ({window.describe()}) is already over."
    return None


def validate_draft(draft: TicketDraft, now: datetime | None = None) -> dict[str, str]:
    """Every problem with ``draft``, keyed by field name (dotted for nested fields)."""
    problems: dict[str, str] = {}
    checks = {
        "summary": check_summary(draft.summary),
        "error_details": check_error_details(draft.error_details),
        "contact_method_detail": check_contact_method(draft.contact_method, draft.contact_method_detail),
        "availability": check_availability(draft.availability, now),
    }
    problems.update({k: v for k, v in checks.items() if v is not None})
    if len(draft.description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
        problems["description"] = f"The description is over {DESCRIPTION_MAX_BYTES // 1024} KiB; attach long text as a file."
    elif "\x00" in draft.description:
        problems["description"] = "The description contains a NUL character; please retype it."
    if not draft.device_name.strip():
        problems["device_name"] = "Please give the computer name or the device you need help with."
    elif len(draft.device_name.strip()) > DEVICE_NAME_MAX:
        problems["device_name"] = f"The device name is longer than {DEVICE_NAME_MAX} characters."
    problems.update(check_contact(draft.contact))
    if draft.reported_for is not None:
        if (msg := check_email(draft.reported_for.email)) is not None:
            problems["reported_for.email"] = msg
        if (msg := check_phone(draft.reported_for.phone)) is not None:
            problems["reported_for.phone"] = msg
    if draft.escalation_requested and int(draft.requested_priority) != 3:
        problems["escalation_requested"] = "Only a Priority 3 ticket can be escalated for a fee."
    return problems
