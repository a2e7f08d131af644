"""The ConnectWise connector against the strict fake ConnectWise server (real HTTP on loopback)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from connector_kit import CW_SECRETS, ERROR_TEXT, attachment, make_context, outgoing, png_bytes
from intake_app.core.priorities import Priority
from intake_app.core.statuses import StatusCategory
from intake_app.core.ticket import Availability, Contact, ContactMethod
from intake_app.errors import ConfigError
from intake_app.service.connectors import connectwise
from intake_app.service.connectors.base import (
    Actor,
    ContactUpdate,
    EscalationWrite,
    EventKind,
    HelpdeskContact,
    HelpdeskNotFound,
    HelpdeskRejected,
    HelpdeskUnavailable,
)

ALICE = Actor("Alice Example", "alice@example.com", verified=True)


def _alice(fake: Any) -> HelpdeskContact:
    return HelpdeskContact("Alice Example", "alice@example.com", "7135550100", "Example Co",
                           helpdesk_id=str(fake.contacts[0]["id"]))


def _new(connector: Any, fake: Any, tmp_path: Path, **changes: Any) -> str:
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()), helpdesk_contact=_alice(fake), **changes)
    return connector.create_ticket(ticket)


def test_check_is_clean_and_every_call_is_authenticated_and_pinned(cw_connector, fake_cw) -> None:
    assert cw_connector.check() == []
    token = base64.b64encode(b"mymsp+pubKEY:privKEY").decode()
    for request in fake_cw.requests:
        assert request["headers"]["authorization"] == f"Basic {token}"
        assert request["headers"]["clientid"] == CW_SECRETS["client_id"]
        assert request["headers"]["accept"] == "application/vnd.connectwise.com+json; version=2025.1"
    assert fake_cw.versions == {"2025.1"}


def test_check_reports_wrong_keys_without_leaking_them(cw_settings, fake_cw, tmp_path) -> None:
    bad = connectwise.create(cw_settings, make_context(tmp_path, {**CW_SECRETS, "private_key": "WRONGsecret"}))
    try:
        problems = bad.check()
    finally:
        bad.close_connections()
    assert len(problems) == 1 and "HTTP 401" in problems[0] and "WRONGsecret" not in problems[0]


def test_check_names_a_missing_board_status(cw_settings, fake_cw, tmp_path) -> None:
    settings = {**cw_settings, "status_names": {"reply_open": "Client Answered"}}
    connector = connectwise.create(settings, make_context(tmp_path, CW_SECRETS))
    try:
        assert connector.check() == ["ConnectWise: board 'Help Desk' has no status 'Client Answered' "
                                     "(used for reply open)."]
    finally:
        connector.close_connections()


def test_create_sends_every_field_where_it_belongs(cw_connector, fake_cw, tmp_path) -> None:
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()), helpdesk_contact=_alice(fake_cw))
    assert cw_connector.find_by_client_id(ticket.client_ticket_id) is None

    ticket_id = cw_connector.create_ticket(ticket)

    assert cw_connector.find_by_client_id(ticket.client_ticket_id) == ticket_id
    stored = fake_cw.tickets[int(ticket_id)]
    assert stored["board"]["name"] == "Help Desk" and stored["status"]["name"] == "New (Portal)"
    assert stored["company"]["identifier"] == "ExampleCo"  # from the contact's company
    assert stored["contact"]["id"] == fake_cw.contacts[0]["id"]
    assert stored["priority"]["name"] == "Priority 2 - Quick Response"
    assert stored["externalXRef"] == ticket.client_ticket_id
    written = fake_cw.written[int(ticket_id)]
    assert ERROR_TEXT in written["initialDescription"] and "INT-000042" in written["initialDescription"]
    assert "Memory: 16 GB" in written["initialInternalAnalysis"]
    assert "phone: '+1 713 555 0100' -> '+1 713 555 0101'" in written["initialInternalAnalysis"]
    values = {cf["id"]: cf["value"] for cf in stored["customFields"]}
    assert Availability.from_dict(json.loads(values[12])) == ticket.draft.availability
    assert values[13] == "P2" and values[14] == "Phone: +1 713 555 0101"
    internal = [n["text"] for n in fake_cw.notes[int(ticket_id)] if n["internalAnalysisFlag"]]
    assert any(t.startswith("[Intake availability]") and "Best contact method: Phone" in t for t in internal)
    assert fake_cw.linked[int(ticket_id)] == [900]  # the configuration named like the device


def test_unknown_user_goes_to_the_catch_all_company_with_their_details_on_the_ticket(cw_connector, fake_cw,
                                                                                        tmp_path) -> None:
    long_name = "Maximilian Alexander Konstantin von Hohenzollern-Sigmaringen Jr"  # 63 characters
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()), catch_all=True, company="Unknown Co",
                      helpdesk_contact=HelpdeskContact("Catch All", "catchall@msp.example"), contact_on_file=None,
                      contact=Contact(long_name, "max@unknown.example", "+49 (0) 711 123 456 789 00", ""))

    ticket_id = cw_connector.create_ticket(ticket)

    stored = fake_cw.tickets[int(ticket_id)]
    assert stored["company"]["identifier"] == "Catchall" and stored["contact"] is None
    assert stored["contactName"] == long_name[:62]
    assert stored["contactEmailAddress"] == "max@unknown.example"
    assert stored["contactPhoneNumber"] == "+49 (0) 711 123 456 789 00"[:20]


def test_attachments_are_documents_titled_with_their_key(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    shots = [attachment(tmp_path, "one.png", png_bytes(colour=(1, 2, 3))),
             attachment(tmp_path, "C:\\Users\\alice\\two.png", png_bytes(colour=(4, 5, 6)))]
    assert cw_connector.attachment_keys(ticket_id) == set()

    for shot in shots:
        cw_connector.add_attachment(ticket_id, shot)

    assert cw_connector.attachment_keys(ticket_id) == {s.key for s in shots}
    docs = [d for d in fake_cw.documents if d["_recordId"] == int(ticket_id)]
    assert [d["title"] for d in docs] == [f"{shots[0].key}__one.png", f"{shots[1].key}__two.png"]
    assert [hashlib.sha256(d["_bytes"]).hexdigest() for d in docs] == [s.sha256 for s in shots]
    assert all(d["_contentType"] == "image/png" and d["publicFlag"] is False for d in docs)


def test_sync_follows_forward_only_pages_per_board(cw_settings, fake_cw, tmp_path) -> None:
    connector = connectwise.create({**cw_settings, "page_size": 2, "boards": ["Help Desk", "Projects"]},
                                   make_context(tmp_path, CW_SECRETS))
    try:
        since = datetime.now(timezone.utc) - timedelta(seconds=5)
        ids = {_new(connector, fake_cw, tmp_path) for _ in range(5)}

        changed = connector.changed_since(since)

        assert {t.helpdesk_id for t in changed} == ids
        listed = [r for r in fake_cw.requests if r["path"] == "service/tickets" and r["method"] == "GET"
                  and "lastUpdated" in r["query"].get("conditions", "")]
        assert all(r["headers"]["pagination-type"] == "forward-only" for r in listed)
        assert sum("pageId" in r["query"] for r in listed) == 2  # pages 2 and 3 of board 1 came from Link headers
        assert connector.changed_since(datetime.now(timezone.utc) + timedelta(minutes=1)) == []
        assert {t.helpdesk_id for t in connector.changed_since(None)} == ids
    finally:
        connector.close_connections()


def test_technician_changes_read_back(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    fake_cw.assign(ticket_id)
    fake_cw.set_priority(ticket_id, 1)
    fake_cw.set_status(ticket_id, "Scheduled in-house")
    fake_cw.schedule(ticket_id, "2026-12-03T14:00:00Z", "2026-12-03T15:30:00Z")

    got = cw_connector.get_ticket(ticket_id)

    assert (got.status, got.technician, got.priority, got.company) == (
        "Scheduled in-house", "Dana Tech", 1, "Example Co")
    assert got.appointment is not None and got.appointment.to_dict() == {
        "start": "2026-12-03T14:00:00+00:00", "end": "2026-12-03T15:30:00+00:00"}
    waiting = cw_connector.status_map().resolve("waiting on client")
    assert waiting.category is StatusCategory.WAITING_ON_YOU
    assert waiting.meaning == "We need something from you: see the latest note."  # customerPortalDescription


def test_timeline_has_public_notes_and_replies_only(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    fake_cw.add_note(ticket_id, "INTERNAL: check the warranty", internal=True)
    fake_cw.add_note(ticket_id, "We ordered a new fuser.")
    cw_connector.reply(ticket_id, "Thanks, I'll wait.", ALICE)

    events = cw_connector.timeline(ticket_id)

    assert [(e.kind, e.author, e.text) for e in events[1:]] == [
        (EventKind.NOTE, "Dana Tech", "We ordered a new fuser."),
        (EventKind.REPLY, "Alice Example", "Thanks, I'll wait."),
    ]
    assert events[0].kind is EventKind.CREATED
    assert "INTERNAL" not in " ".join(e.text for e in events) and "Memory" not in " ".join(e.text for e in events)


def test_reply_moves_open_to_client_responded_and_closed_to_reopened(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    cw_connector.reply(ticket_id, "More detail.", ALICE, (attachment(tmp_path, "more.png", png_bytes()),))
    assert fake_cw.tickets[int(ticket_id)]["status"]["name"] == "Client Responded"
    assert len(cw_connector.attachment_keys(ticket_id)) == 1
    reply = fake_cw.notes[int(ticket_id)][-1]
    assert reply["detailDescriptionFlag"] and reply["contact"] == {"id": fake_cw.contacts[0]["id"]}

    fake_cw.set_status(ticket_id, "Completed")
    cw_connector.reply(ticket_id, "It is back.", ALICE)

    assert fake_cw.tickets[int(ticket_id)]["status"]["name"] == "Re-opened"


def test_close_and_reopen(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    cw_connector.close(ticket_id, "Fixed, thanks.", ALICE)
    assert fake_cw.tickets[int(ticket_id)]["status"]["name"] == "Completed"
    cw_connector.close(ticket_id, "", ALICE)
    cw_connector.reopen(ticket_id, "Broken again.", ALICE)
    assert fake_cw.tickets[int(ticket_id)]["status"]["name"] == "Re-opened"
    assert [e.text for e in cw_connector.timeline(ticket_id) if e.kind is EventKind.REPLY] == [
        "Fixed, thanks.", "Broken again."]


def test_contact_update_writes_the_custom_field_and_a_note(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    update = ContactUpdate(availability=Availability(True, ()), contact_method=ContactMethod.EMAIL,
                           contact_method_detail="alice@example.com")

    cw_connector.update_contact_details(ticket_id, update, ALICE)

    values = {cf["id"]: cf["value"] for cf in fake_cw.tickets[int(ticket_id)]["customFields"]}
    assert json.loads(values[12]) == {"any_time_business_hours": True, "windows": []}
    assert values[14] == "E-mail: alice@example.com"
    event = next(e for e in cw_connector.timeline(ticket_id) if e.kind is EventKind.CONTACT_UPDATE)
    assert event.author == "Alice Example" and "Any time during business hours" in event.text


def test_escalation_is_written_once_and_sets_priority(cw_connector, fake_cw, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path, requested_priority=Priority.NORMAL)
    write = EscalationWrite(key="esc-3-2", action="approved", actor="pat@example.com", channel="app",
                            reason="Payroll", fee="$250", note="Approved by Pat.", set_priority=2,
                            billing_marker="Paid escalation approved: $250 flat fee")
    cw_connector.write_escalation(ticket_id, write)
    cw_connector.write_escalation(ticket_id, write)

    marks = [n for n in fake_cw.notes[int(ticket_id)] if n["text"].startswith("[Intake escalation esc-3-2]")]
    assert len(marks) == 1 and marks[0]["internalAnalysisFlag"] and "$250 flat fee" in marks[0]["text"]
    assert fake_cw.tickets[int(ticket_id)]["priority"]["name"] == "Priority 2 - Quick Response"


def test_find_contact_by_email(cw_connector, fake_cw) -> None:
    alice = cw_connector.find_contact("alice@example.com", "Example Co")
    assert alice is not None
    assert (alice.name, alice.company, alice.phone, alice.is_primary_contact) == (
        "Alice Example", "Example Co", "7135550100", False)
    pat = cw_connector.find_contact("PAT@example.com", "Example Co")
    assert pat is not None and pat.is_primary_contact is True
    assert cw_connector.find_contact("nobody@example.com", "Example Co") is None
    sent = [r["query"]["childConditions"] for r in fake_cw.requests if r["path"] == "company/contacts"]
    assert sent[0] == 'communicationItems/value="alice@example.com" AND communicationItems/communicationType="Email"'


def test_429_and_503_are_retried_after_the_servers_wait(cw_connector, fake_cw, cw_waits, tmp_path) -> None:
    fake_cw.fail_next(2, status=429, retry_after="3", path="service/tickets")

    ticket_id = _new(cw_connector, fake_cw, tmp_path)

    assert ticket_id and cw_waits == [3.0, 3.0]
    fake_cw.fail_next(1, status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT", path="service/tickets")
    assert cw_connector.get_ticket(ticket_id).helpdesk_id == ticket_id
    assert cw_waits[-1] == 0.0  # an HTTP date in the past means "now"


def test_a_long_retry_after_is_handed_back_not_slept(cw_connector, fake_cw, cw_waits, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    fake_cw.fail_next(1, status=503, retry_after="120", path=f"service/tickets/{ticket_id}")

    with pytest.raises(HelpdeskUnavailable) as caught:
        cw_connector.get_ticket(ticket_id)

    assert caught.value.retry_after == 120.0 and cw_waits == []


def test_a_500_on_post_is_not_repeated_but_on_get_it_is(cw_connector, fake_cw, cw_waits, tmp_path) -> None:
    ticket_id = _new(cw_connector, fake_cw, tmp_path)
    fake_cw.fail_next(1, status=500, retry_after=None, path=f"service/tickets/{ticket_id}/notes")
    with pytest.raises(HelpdeskUnavailable, match="HTTP 500"):
        cw_connector.reply(ticket_id, "hello", ALICE)
    assert len([n for n in fake_cw.notes[int(ticket_id)] if n["text"].endswith("hello")]) == 0

    fake_cw.fail_next(1, status=500, retry_after=None, path=f"service/tickets/{ticket_id}")
    assert cw_connector.get_ticket(ticket_id).helpdesk_id == ticket_id
    assert cw_waits == [0.5]


def test_the_error_body_becomes_a_clear_message(cw_settings, fake_cw, tmp_path) -> None:
    connector = connectwise.create({**cw_settings, "catch_all_company": "NoSuchCo"}, make_context(tmp_path, CW_SECRETS))
    try:
        ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()), catch_all=True, company="Unknown Co",
                          helpdesk_contact=HelpdeskContact("Catch All", "catchall@msp.example"))
        with pytest.raises(HelpdeskRejected) as caught:
            connector.create_ticket(ticket)
    finally:
        connector.close_connections()
    assert str(caught.value) == ("ConnectWise rejected the request (HTTP 400): InvalidObject: ticket object is "
                                 "invalid (company: company does not exist)")


def test_unknown_tickets_are_not_found(cw_connector) -> None:
    with pytest.raises(HelpdeskNotFound):
        cw_connector.get_ticket("424242")
    with pytest.raises(HelpdeskNotFound):
        cw_connector.get_ticket("12; DROP")


# -- the fake is as strict as the documentation ------------------------------------------------------


def _raw(fake: Any, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": "Basic " + base64.b64encode(b"mymsp+pubKEY:privKEY").decode(),
               "clientId": CW_SECRETS["client_id"],
               "Accept": "application/vnd.connectwise.com+json; version=2025.1", **kwargs.pop("headers", {})}
    with requests.Session() as session:
        return session.request(method, f"{fake.url}/{path}", headers=headers, timeout=10, **kwargs)


def test_fake_refuses_what_the_real_server_would(fake_cw) -> None:
    assert _raw(fake_cw, "GET", "system/info", headers={"Accept": "application/json"}).status_code == 400
    assert _raw(fake_cw, "GET", "system/info", headers={"clientId": ""}).status_code == 401
    too_long = _raw(fake_cw, "POST", "service/tickets", json={"summary": "x" * 101, "company": {"id": 250}})
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "summary"
    no_company = _raw(fake_cw, "POST", "service/tickets", json={"summary": "x"})
    assert no_company.json()["errors"][0] == {"code": "Required", "message": "company is required",
                                              "resource": "ticket", "field": "company"}
    typo = _raw(fake_cw, "POST", "service/tickets", json={"summary": "x", "company": {"id": 250}, "sumary": "y"})
    assert typo.status_code == 400 and typo.json()["errors"][0]["field"] == "sumary"
    assert _raw(fake_cw, "POST", "service/tickets", data="summary=x",
                headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    assert _raw(fake_cw, "GET", "service/tickets", params={"pageSize": 1001}).status_code == 400
    assert _raw(fake_cw, "GET", "service/tickets", params={"conditions": "summary = unquoted"}).status_code == 400


# -- configuration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"url": None}, "site (e.g. api-na.myconnectwise.net) or url is required"),
    ({"bord": "x"}, "bord is not a ConnectWise setting"),
    ({"custom_fields": {"availability": "twelve"}}, "custom field ids (numbers)"),
    ({"custom_fields": {"mood": 3}}, "[connector.custom_fields] mood is unknown"),
    ({"statuses": {"Parked": "parked"}}, "the category must be one of"),
    ({"priorities": {"P7": "x"}}, "P7 is not one of P1, P2, P3, P4"),
])
def test_bad_settings_name_the_key(cw_settings, tmp_path, change, message) -> None:
    settings = {k: v for k, v in {**cw_settings, **change}.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        connectwise.create(settings, make_context(tmp_path, CW_SECRETS))
    assert message in str(caught.value)


def test_missing_keys_say_where_to_put_them(cw_settings, tmp_path) -> None:
    with pytest.raises(ConfigError, match="private key: set \\[connector\\] private_key_env"):
        connectwise.create(cw_settings, make_context(tmp_path, {"public_key": "p", "client_id": "c"}))


def test_site_and_codebase_make_the_documented_base_url(cw_settings, tmp_path) -> None:
    settings = {k: v for k, v in cw_settings.items() if k != "url"} | {"site": "api-na.myconnectwise.net"}
    connector = connectwise.create(settings, make_context(tmp_path, CW_SECRETS))
    assert connector.api.http.base_url == "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/"
    connector.close_connections()
