"""The ticket's wire form, availability windows, attachments and content-type detection."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from intake_app.core.filetypes import detect_media_type, extension_for
from intake_app.core.priorities import Priority
from intake_app.core.ticket import (
    Attachment,
    AttachmentKind,
    Availability,
    AvailabilityWindow,
    Contact,
    ContactMethod,
    ReportedFor,
    TicketDraft,
    new_client_ticket_id,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_client_ticket_id_is_a_fresh_uuid() -> None:
    first, second = new_client_ticket_id(), new_client_ticket_id()
    assert first != second
    assert uuid.UUID(first).version == 4


def test_window_across_midnight_rolls_to_next_day() -> None:
    w = AvailabilityWindow.from_local(date(2026, 12, 1), time(22, 0), time(2, 0), "Europe/Berlin")
    assert w.start == datetime(2026, 12, 1, 22, tzinfo=ZoneInfo("Europe/Berlin"))
    assert w.end == datetime(2026, 12, 2, 2, tzinfo=ZoneInfo("Europe/Berlin"))
    assert w.duration == timedelta(hours=4)


def test_window_over_dst_change_measures_real_time() -> None:
    # Europe/Berlin falls back on 2026-10-25 at 03:00 -> 02:00: 01:00-04:00 wall clock is 4 real hours
    w = AvailabilityWindow.from_local(date(2026, 10, 25), time(1, 0), time(4, 0), "Europe/Berlin")
    assert w.duration == timedelta(hours=4)


def test_zero_length_window_has_zero_duration() -> None:
    w = AvailabilityWindow.from_local(date(2026, 12, 1), time(9, 0), time(9, 0), "UTC")
    assert w.duration == timedelta(0)


def test_availability_keeps_zone_over_the_wire() -> None:
    w = AvailabilityWindow.from_local(date(2026, 12, 1), time(9, 0), time(11, 30), "America/Chicago")
    back = Availability.from_dict(json.loads(json.dumps(Availability(False, (w,)).to_dict())))
    assert back.windows[0] == w
    assert back.windows[0].start.tzinfo == ZoneInfo("America/Chicago")
    assert "09:00–11:30 (America/Chicago)" in back.describe()


def test_naive_window_rejected() -> None:
    with pytest.raises(ValueError, match="time zone"):
        AvailabilityWindow.from_dict({"start": "2026-12-01T09:00:00", "end": "2026-12-01T10:00:00+00:00"})


def test_draft_round_trip_keeps_error_text_verbatim() -> None:
    error = "Error 0x80070005:\tAccess denied\n  — ünïcödé ✓ \u202eRTL\u202c 🙂\n" + "x" * 5000
    draft = TicketDraft(
        summary="  Outlook crashes on start  ",
        error_details=error,
        description="Opened Outlook, it closed.",
        device_name="LAPTOP-42",
        reported_for=ReportedFor("Sam Lee", "sam@example.com", "+1 713 555 0100"),
        contact=Contact("Alex Kim", "alex@example.com", "+1 713 555 0199", "Acme"),
        contact_on_file=Contact("Alex Kim", "alex@old.example.com", "+1 713 555 0199", "Acme"),
        contact_method=ContactMethod.PHONE,
        contact_method_detail="+1 713 555 0199",
        requested_priority=Priority.NORMAL,
        escalation_requested=True,
        attachments=(Attachment("shot.png", PNG, AttachmentKind.SCREENSHOT).info(),),
        system_info={"schema": "intake.snapshot/1"},
    )
    wire = json.loads(json.dumps(draft.to_dict()))
    assert wire["summary"] == "Outlook crashes on start"
    assert wire["contact_corrected"] is True
    back = TicketDraft.from_dict(wire)
    assert back.error_details == error
    assert back.client_ticket_id == draft.client_ticket_id
    assert back.contact_corrections == {"email": ("alex@old.example.com", "alex@example.com")}
    assert back.attachments[0].media_type == "image/png"
    assert back.reported_for == draft.reported_for
    assert back.requested_priority is Priority.NORMAL


def test_attachment_type_comes_from_content_not_name() -> None:
    fake = Attachment("report.png", b"%PDF-1.7 ...")
    assert fake.media_type == "application/pdf"
    info = fake.info()
    assert info.size == len(b"%PDF-1.7 ...") and len(info.sha256) == 64


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"BM\x00\x00", "image/bmp"),
        (b"PK\x03\x04rest", "application/zip"),
        (b"2026-12-01 error: disk full\n", "text/plain"),
        (b'{"a": 1}', "application/json"),
        ("naïve log ✓\n".encode(), "text/plain"),
        (b"\x00\x01\x02\x03binary", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_detect_media_type(data: bytes, expected: str) -> None:
    assert detect_media_type(data) == expected


def test_text_cut_inside_a_multibyte_character_is_still_text() -> None:
    data = ("é" * 5000).encode()[:8191] + b"tail"
    assert detect_media_type(data) == "text/plain"


def test_extension_for_known_and_unknown() -> None:
    assert extension_for("image/jpeg") == ".jpg"
    assert extension_for("application/x-unknown") == ".bin"


def test_from_dict_rejects_unknown_contact_method() -> None:
    with pytest.raises(ValueError):
        TicketDraft.from_dict({"contact_method": "pigeon", "created_at": datetime.now(timezone.utc).isoformat()})
