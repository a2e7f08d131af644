"""Technician actions on the local helpdesk, the user's actions (reply/update/close/reopen),
and the Pending Closure lifecycle with an injected clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from svc_helpers import PNG, Api, Device, forwarded, make_draft
from svc_service import Service, ServiceFactory

from intake_app.core.ticket import Attachment, AttachmentKind
from intake_app.service.clock import ManualClock

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
FRIDAY_15 = datetime(2026, 12, 4, 15, 0, tzinfo=timezone.utc)


def filed(service: Service) -> tuple[Device, Api, str]:
    ann = service.enrol()
    ref = ann.submit(make_draft())["reference"]
    forwarded(ann, ref)
    return ann, service.technician(), ref


def test_technician_changes_are_what_the_user_sees(service: Service) -> None:
    ann, tech, ref = filed(service)
    assert tech.post(f"/tech/tickets/{ref}/priority", json={"priority": "P2"}).status_code == 200
    assert tech.post(f"/tech/tickets/{ref}/assignee", json={"technician": "Dana"}).status_code == 200
    appointment = {"start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T10:00:00+00:00"}
    assert tech.post(f"/tech/tickets/{ref}/appointment", json=appointment).status_code == 200
    assert tech.post(f"/tech/tickets/{ref}/notes", json={"text": "Ordered a new fuser."}).status_code == 201
    assert tech.post(f"/tech/tickets/{ref}/notes", json={"text": "secret", "internal": True}).status_code == 201
    changed = tech.post(f"/tech/tickets/{ref}/status", json={"status": "waiting on CLIENT"})
    assert changed.status_code == 200

    detail = ann.ticket(ref).json()
    assert detail["status"] == {"name": "Waiting on client", "category": "waiting-on-you",
                                "meaning": "The technician needs something from you.", "action": "reply"}
    assert detail["needs_user"] is True
    assert detail["assigned_priority"] == 2
    assert detail["technician"] == "Dana"
    assert detail["appointment"] == appointment
    kinds = [(e["kind"], e["new"] or e["text"]) for e in detail["timeline"]][1:]
    assert kinds == [("priority", "P2"), ("assignee", "Dana"),
                     ("appointment", "2026-12-01T09:00:00+00:00 – 2026-12-01T10:00:00+00:00"),
                     ("note", "Ordered a new fuser."), ("status", "Waiting on client")]
    assert all(e["text"] != "secret" for e in detail["timeline"])


def test_unknown_status_is_a_clear_422(service: Service) -> None:
    _, tech, ref = filed(service)
    response = tech.post(f"/tech/tickets/{ref}/status", json={"status": "Done-ish"})
    assert response.status_code == 422
    assert "use one of: New – Emailed Client" in response.json()["error"]["details"]["status"]
    bad = tech.post(f"/tech/tickets/{ref}/priority", json={"priority": 7})
    assert bad.status_code == 422
    assert "priority must be 1-4" in bad.json()["error"]["details"]["priority"]


def test_reply_close_reopen_follow_the_guides_transitions(service: Service) -> None:
    ann, tech, ref = filed(service)
    tech.post(f"/tech/tickets/{ref}/status", json={"status": "Waiting on client"})
    replied = ann.api.post(f"/tickets/{ref}/replies", json={"text": "It is model HP 4250."})
    assert replied.status_code == 201
    assert replied.json()["ticket"]["status"]["name"] == "Client Responded"
    assert ann.api.post(f"/tickets/{ref}/reopen", json={"text": "?"}).status_code == 409

    closed = ann.api.post(f"/tickets/{ref}/close", json={"text": "Works now, thanks"})
    assert closed.json()["ticket"]["status"]["name"] == "Completed"
    assert ann.api.request("PATCH", f"/tickets/{ref}", json={"contact_method": "email",
                                                             "contact_method_detail": "a@acme.example"}
                           ).status_code == 409
    reopened = ann.api.post(f"/tickets/{ref}/reopen", json={"text": "Jammed again"})
    assert reopened.json()["ticket"]["status"]["name"] == "Re-opened"
    tech.post(f"/tech/tickets/{ref}/status", json={"status": "Completed"})
    again = ann.api.post(f"/tickets/{ref}/replies", json={"text": "And again"})
    assert again.json()["ticket"]["status"]["name"] == "Re-opened"
    replies = [e["text"] for e in ann.ticket(ref).json()["timeline"] if e["kind"] == "reply"]
    assert replies == ["It is model HP 4250.", "Works now, thanks", "Jammed again", "And again"]


def test_reply_with_an_attachment(service: Service) -> None:
    ann, _, ref = filed(service)
    shot = Attachment("later.png", PNG, AttachmentKind.SCREENSHOT, key="later-1")
    response = ann.api.post(f"/tickets/{ref}/replies", files=[
        ("reply", (None, json.dumps({"text": "Here is a screenshot", "attachments": [shot.info().to_dict()]}),
                   "application/json")),
        ("attachment:later-1", ("later.png", PNG, "image/png"))])
    assert response.status_code == 201, response.text
    detail = ann.ticket(ref).json()
    assert [a["key"] for a in detail["attachments"]] == ["later-1"]
    assert ann.api.get(f"/tickets/{ref}/attachments/later-1").content == PNG


def test_update_availability_and_contact_while_open(service: Service) -> None:
    ann, _, ref = filed(service)
    window = {"start": "2099-01-05T09:00:00+01:00", "end": "2099-01-05T11:00:00+01:00", "tz": "Europe/Berlin"}
    response = ann.api.request("PATCH", f"/tickets/{ref}", json={
        "availability": {"any_time_business_hours": False, "windows": [window]},
        "contact_method": "email", "contact_method_detail": "ann.private@example.com"})
    assert response.status_code == 200, response.text
    detail = ann.ticket(ref).json()
    assert detail["contact_method"] == "email"
    assert detail["availability"]["windows"][0]["tz"] == "Europe/Berlin"
    assert detail["timeline"][-1]["kind"] == "contact_update"
    assert "Mon 05 Jan 2099, 09:00–11:00 (Europe/Berlin)" in detail["timeline"][-1]["text"]


def test_invalid_update_names_the_field(service: Service) -> None:
    ann, _, ref = filed(service)
    response = ann.api.request("PATCH", f"/tickets/{ref}", json={"contact_method": "phone",
                                                                 "contact_method_detail": "call me"})
    assert response.status_code == 422
    assert "is not a phone number" in response.json()["error"]["details"]["contact_method_detail"]
    empty = ann.api.request("PATCH", f"/tickets/{ref}", json={})
    assert empty.status_code == 422


@pytest.mark.parametrize(("status_at", "not_yet", "due"), [
    (MONDAY_10, timedelta(hours=23, minutes=59), timedelta(hours=24)),
    (FRIDAY_15, timedelta(days=2, hours=23), timedelta(days=3)),  # the weekend does not count
])
def test_pending_closure_completes_after_one_business_day(make_service: ServiceFactory, status_at: datetime,
                                                          not_yet: timedelta, due: timedelta) -> None:
    clock = ManualClock(status_at)
    service = make_service(clock=clock, sync_interval=3600)
    ann, tech, ref = filed(service)
    tech.post(f"/tech/tickets/{ref}/status", json={"status": "Pending Closure"})
    assert ann.ticket(ref).json()["status"]["action"] == "close-or-reply"

    clock.set(status_at + not_yet)
    assert tech.post("/tech/jobs/run").json()["changed"] == []
    assert ann.ticket(ref).json()["status"]["name"] == "Pending Closure"

    clock.set(status_at + due)
    assert tech.post("/tech/jobs/run").json()["changed"] == [ref]
    detail = ann.ticket(ref).json()
    assert detail["status"]["name"] == "Completed"
    assert detail["timeline"][-2]["text"] == "Closed automatically: no reply for 1 business day."


def test_a_reply_stops_the_pending_closure(make_service: ServiceFactory) -> None:
    clock = ManualClock(MONDAY_10)
    service = make_service(clock=clock, sync_interval=3600)
    ann, tech, ref = filed(service)
    tech.post(f"/tech/tickets/{ref}/status", json={"status": "Pending Closure"})
    ann.api.post(f"/tickets/{ref}/replies", json={"text": "Still broken"})
    clock.advance(timedelta(days=7))
    assert tech.post("/tech/jobs/run").json()["changed"] == []
    assert ann.ticket(ref).json()["status"]["name"] == "Client Responded"
