"""The RT connector against a real Request Tracker 5.0.3 (Debian packages, scripts/rt.sh).

Technician actions happen in RT itself (its REST2 API), never through Intake.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from connector_kit import ERROR_TEXT, attachment, make_context, outgoing, png_bytes
from intake_app.core.priorities import Priority
from intake_app.core.statuses import StatusCategory
from intake_app.core.ticket import Availability, ContactMethod
from intake_app.service.connectors import rt
from intake_app.service.connectors.base import (
    Actor,
    ContactUpdate,
    EscalationWrite,
    EventKind,
    HelpdeskNotFound,
    HelpdeskRejected,
)
from intake_app.service.connectors.rt_client import Rest2
from intake_app.service.connectors.rt_mapping import DETAILS_MARK

pytestmark = pytest.mark.rt

ALICE = Actor("Alice Example", "alice@example.com", verified=True)


def _new(rt_connector: rt.RtConnector, tmp_path: Path, **changes) -> tuple[str, object]:
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()), **changes)
    return rt_connector.create_ticket(ticket), ticket


def test_check_finds_nothing_wrong_with_the_scripted_rt(rt_connector: rt.RtConnector) -> None:
    assert rt_connector.check() == []


def test_create_stores_every_field_and_is_found_by_client_id(rt_connector, rt_tech, tmp_path) -> None:
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()))
    assert rt_connector.find_by_client_id(ticket.client_ticket_id) is None

    ticket_id = rt_connector.create_ticket(ticket)

    assert rt_connector.find_by_client_id(ticket.client_ticket_id) == ticket_id
    data = rt_tech.ticket(ticket_id)
    assert data["Subject"] == "Printer on floor 2 jams every page"
    assert data["Status"] == "new (portal)"
    assert [r["id"] for r in data["Requestor"]] == ["alice@example.com"]  # REST2 would not default it
    cfs = rt_tech.custom_fields(ticket_id)
    assert cfs["ClientTicketId"] == [ticket.client_ticket_id]
    assert cfs["Device"] == ["PRN-0042"]
    assert cfs["RequestedPriority"] == ["P2"]
    assert cfs["ContactMethod"] == ["phone"]
    assert cfs["ContactDetail"] == ["+1 713 555 0101"]
    assert json.loads(cfs["Availability"][0]) == ticket.draft.availability.to_dict()
    assert Availability.from_dict(json.loads(cfs["Availability"][0])) == ticket.draft.availability

    # the public first message: the user's words, the error text verbatim, the reference
    create_txn = next(h for h in rt_tech.history(ticket_id) if h["Type"] == "Create")
    body = rt_tech.get(f"transaction/{create_txn['id']}/attachments", fields="ContentType,Content")["items"][0]
    assert ERROR_TEXT in body["Content"]
    assert "I was printing the monthly report" in body["Content"]
    assert "INT-000042" in body["Content"] and "Reported on behalf of: Bob Builder" in body["Content"]

    # machine details and the contact correction: an internal comment with a JSON attachment
    comment = next(h for h in rt_tech.history(ticket_id) if h["Type"] == "Comment")
    assert comment["Data"].startswith(DETAILS_MARK)
    parts = rt_tech.get(f"transaction/{comment['id']}/attachments", fields="ContentType,Filename,Content")["items"]
    text = next(p["Content"] for p in parts if p["ContentType"] == "text/plain" and not p["Filename"])
    assert "Memory: 16 GB" in text and "phone: '+1 713 555 0100' -> '+1 713 555 0101'" in text
    json_part = next(p for p in rt_tech.attachments(ticket_id) if p["Filename"] == "machine-details.json")
    stored = rt_tech.attachment(json_part["id"])
    assert json.loads(base64.b64decode(stored["Content"])) == ticket.draft.system_info


def test_attachments_carry_their_keys_and_bytes(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    shots = [attachment(tmp_path, "screen 1.png", png_bytes(colour=(255, 0, 0))),
             attachment(tmp_path, "../../etc/passwd.png", png_bytes(colour=(0, 0, 255)))]
    assert rt_connector.attachment_keys(ticket_id) == set()

    for shot in shots:
        rt_connector.add_attachment(ticket_id, shot)

    assert rt_connector.attachment_keys(ticket_id) == {s.key for s in shots}
    stored = {a["Filename"]: a for a in rt_tech.attachments(ticket_id) if a["ContentType"] == "image/png"}
    assert set(stored) == {f"{shots[0].key}__screen 1.png", f"{shots[1].key}__passwd.png"}
    for shot in shots:
        name = next(n for n in stored if n.startswith(shot.key))
        content = base64.b64decode(rt_tech.attachment(stored[name]["id"])["Content"])
        assert hashlib.sha256(content).hexdigest() == shot.sha256


def test_sync_reads_status_owner_priority_and_appointment(rt_connector, rt_tech, tmp_path) -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    ticket_id, ticket = _new(rt_connector, tmp_path)
    start = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0, second=0)

    rt_tech.put(ticket_id, {"Owner": "dana", "Priority": 70, "Status": "scheduled in-house",
                            "Starts": f"{start:%Y-%m-%d %H:%M:%S}",
                            "Due": f"{start + timedelta(hours=2):%Y-%m-%d %H:%M:%S}"})

    changed = {t.helpdesk_id: t for t in rt_connector.changed_since(before)}
    assert ticket_id in changed
    got = rt_connector.get_ticket(ticket_id)
    assert changed[ticket_id] == got
    assert got.status == "scheduled in-house"
    assert rt_connector.status_map().resolve(got.status).name == "Scheduled in-house"
    assert got.technician == "Dana Tech"
    assert got.priority == 2
    assert got.client_ticket_id == ticket.client_ticket_id
    assert got.contact is not None and got.contact.email == "alice@example.com"
    assert got.appointment is not None
    assert (got.appointment.start, got.appointment.end) == (start, start + timedelta(hours=2))
    assert ticket_id not in {t.helpdesk_id for t in rt_connector.changed_since(datetime.now(timezone.utc)
                                                                                  + timedelta(minutes=5))}


def test_sync_includes_tickets_a_technician_opened_in_the_queue(rt_connector, rt_tech) -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    created = rt_tech.post("ticket", {"Queue": "Intake", "Subject": "Opened by Dana for Alice",
                                      "Requestor": "alice@example.com", "Status": "new - emailed client"})
    ticket_id = str(created.json()["id"])

    changed = {t.helpdesk_id: t for t in rt_connector.changed_since(before)}

    assert changed[ticket_id].client_ticket_id is None
    assert rt_connector.status_map().resolve(changed[ticket_id].status).name == "New – Emailed Client"


def test_reply_on_a_new_ticket_is_client_responded_despite_auto_open(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    assert rt_tech.status(ticket_id) == "new (portal)"

    rt_connector.reply(ticket_id, "It jams on page 3 now.", ALICE,
                       (attachment(tmp_path, "jam.png", png_bytes(colour=(9, 9, 9))),))

    assert rt_tech.status(ticket_id) == "client responded"
    statuses = [(h["OldValue"], h["NewValue"]) for h in rt_tech.history(ticket_id) if h["Type"] == "Status"]
    assert statuses == [("new (portal)", "working issue now"), ("working issue now", "client responded")]
    events = rt_connector.timeline(ticket_id)
    status_events = [(e.old, e.new) for e in events if e.kind is EventKind.STATUS]
    assert status_events == [("New (Portal)", "Client Responded")]  # the auto-open step is folded away
    reply = next(e for e in events if e.kind is EventKind.REPLY)
    assert (reply.author, reply.text) == ("Alice Example", "It jams on page 3 now.")
    assert len(rt_connector.attachment_keys(ticket_id)) == 1


def test_reply_on_a_completed_ticket_reopens_it(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    rt_tech.answer(ticket_id, "Replaced the fuser; should be fine.", status="completed")
    assert rt_connector.status_map().category(rt_tech.status(ticket_id)) is StatusCategory.CLOSED

    rt_connector.reply(ticket_id, "Still jams.", ALICE)

    assert rt_tech.status(ticket_id) == "re-opened"
    events = rt_connector.timeline(ticket_id)
    assert [e.kind for e in events if e.kind in (EventKind.NOTE, EventKind.REPLY)] == [EventKind.NOTE, EventKind.REPLY]
    note = next(e for e in events if e.kind is EventKind.NOTE)
    assert note.text == "Replaced the fuser; should be fine."


def test_timeline_never_shows_internal_comments(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    rt_tech.comment(ticket_id, "INTERNAL: customer is on the old contract")
    rt_tech.answer(ticket_id, "We are looking into it.")

    events = rt_connector.timeline(ticket_id)

    texts = " ".join(e.text for e in events)
    assert "INTERNAL" not in texts and "Memory: 16 GB" not in texts  # machine details are internal too
    assert [e.kind for e in events][:1] == [EventKind.CREATED]
    assert any(e.kind is EventKind.NOTE and e.text == "We are looking into it." for e in events)


def test_close_then_reopen(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    rt_connector.close(ticket_id, "Works now, thanks.", ALICE)
    assert rt_tech.status(ticket_id) == "completed"
    rt_connector.close(ticket_id, "", ALICE)  # already closed: nothing happens
    assert rt_tech.status(ticket_id) == "completed"

    rt_connector.reopen(ticket_id, "It broke again.", ALICE)

    assert rt_tech.status(ticket_id) == "re-opened"
    replies = [e.text for e in rt_connector.timeline(ticket_id) if e.kind is EventKind.REPLY]
    assert replies == ["Works now, thanks.", "It broke again."]


def test_a_refused_status_change_answered_with_200_is_an_error(rt_env, rt_settings, rt_tech, tmp_path) -> None:
    settings = {**rt_settings, "status_names": {"close": "bogus"}}
    connector = rt.create(settings, make_context(tmp_path, {"token": rt_env["RT_TOKEN"]}))
    try:
        ticket_id, _ = _new(connector, tmp_path)
        with pytest.raises(HelpdeskRejected, match="isn't a valid status"):
            connector.close(ticket_id, "", ALICE)
        assert rt_tech.status(ticket_id) == "new (portal)"
    finally:
        connector.close_connections()


def test_contact_update_sets_fields_and_shows_in_the_timeline(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    update = ContactUpdate(availability=Availability(True, ()), contact_method=ContactMethod.EMAIL,
                           contact_method_detail="alice@example.com")

    rt_connector.update_contact_details(ticket_id, update, ALICE)

    cfs = rt_tech.custom_fields(ticket_id)
    assert cfs["ContactMethod"] == ["email"] and cfs["ContactDetail"] == ["alice@example.com"]
    assert json.loads(cfs["Availability"][0]) == {"any_time_business_hours": True, "windows": []}
    event = next(e for e in rt_connector.timeline(ticket_id) if e.kind is EventKind.CONTACT_UPDATE)
    assert event.author == "Alice Example" and "Any time during business hours" in event.text


def test_escalation_write_back_is_idempotent(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path, requested_priority=Priority.NORMAL)
    write = EscalationWrite(key="esc-7-2", action="approved", actor="pat@example.com", channel="app",
                            reason="Payroll run tomorrow", fee="$250", note="Paid escalation approved by Pat.",
                            set_priority=2, billing_marker="Paid escalation approved: $250 flat fee")

    rt_connector.write_escalation(ticket_id, write)
    rt_connector.write_escalation(ticket_id, write)  # a retry

    marks = [h for h in rt_tech.history(ticket_id) if h["Data"].startswith("[Intake escalation esc-7-2]")]
    assert len(marks) == 1
    assert rt_tech.ticket(ticket_id)["Priority"] == "70"
    assert rt_tech.custom_fields(ticket_id)["Escalation"] == ["approved"]
    event = next(e for e in rt_connector.timeline(ticket_id) if e.kind is EventKind.ESCALATION)
    assert "$250 flat fee" in event.text
    assert rt_connector.get_ticket(ticket_id).priority == 2


def test_find_contact_by_email_case_insensitively(rt_connector, tmp_path) -> None:
    pat = rt_connector.find_contact("PAT@Example.com", "Example Co")
    assert pat is not None
    assert (pat.name, pat.email, pat.company, pat.phone) == ("Pat Primary", "pat@example.com", "Example Co",
                                                             "+1 713 555 0100")
    assert pat.is_primary_contact is True
    _new(rt_connector, tmp_path)  # RT creates alice as a requestor
    alice = rt_connector.find_contact("alice@example.com", "Example Co")
    assert alice is not None and alice.is_primary_contact is False
    assert rt_connector.find_contact(f"nobody-{uuid.uuid4().hex}@example.com", "Example Co") is None


def test_a_reused_client_ticket_id_is_dropped_by_rt_and_logged(rt_connector, tmp_path, caplog) -> None:
    first, ticket = _new(rt_connector, tmp_path)
    caplog.set_level(logging.WARNING, logger="intake_app.service.connectors.rt")

    second = rt_connector.create_ticket(ticket)  # what the relay's look-up prevents: RT keeps the id unique

    assert second != first
    assert rt_connector.find_by_client_id(ticket.client_ticket_id) == first
    assert "did not keep custom field(s) ClientTicketId" in caplog.text


def test_paging_continues_until_an_empty_page(rt_connector, rt_tech, tmp_path) -> None:
    ticket_id, _ = _new(rt_connector, tmp_path)
    rt_tech.answer(ticket_id, "one")
    rt_tech.comment(ticket_id, "two")
    small_pages = Rest2(rt_connector.rest.http, per_page=2)

    assert [h["id"] for h in small_pages.history(ticket_id)] == [h["id"] for h in rt_tech.history(ticket_id)]


def test_unknown_tickets_are_not_found(rt_connector) -> None:
    with pytest.raises(HelpdeskNotFound):
        rt_connector.get_ticket("99999999")
    with pytest.raises(HelpdeskNotFound):
        rt_connector.get_ticket("../queue/1")


def test_a_wrong_token_is_reported_not_retried(rt_env, rt_settings, tmp_path) -> None:
    connector = rt.create(rt_settings, make_context(tmp_path, {"token": "1-2-not-a-real-token"}))
    try:
        problems = connector.check()
        assert problems and "refused the credentials" in problems[0] and "not-a-real-token" not in problems[0]
        with pytest.raises(HelpdeskRejected, match="HTTP 401"):
            connector.find_by_client_id(str(uuid.uuid4()))
    finally:
        connector.close_connections()


def test_check_names_a_missing_queue(rt_env, rt_settings, tmp_path) -> None:
    context = make_context(tmp_path, {"token": rt_env["RT_TOKEN"]})
    connector = rt.create({**rt_settings, "queue": "No Such Queue"}, context)
    try:
        assert any("No Such Queue" in p for p in connector.check())
    finally:
        connector.close_connections()
