"""Accept → outbox → helpdesk: 202 with a reference, forwarded, helpdesk number visible, idempotent."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from svc_helpers import LOG, PNG, forwarded, make_draft, two_attachments
from svc_service import Service

from intake_app.service.db import schema as s


def helpdesk_counts(service: Service) -> tuple[int, int]:
    """(tickets, attachments) in the local helpdesk itself."""
    with service.runtime.db.read() as conn:
        tickets = conn.execute(select(func.count()).select_from(s.local_tickets)).scalar_one()
        attachments = conn.execute(select(func.count()).select_from(s.local_attachments)).scalar_one()
    return tickets, attachments


def test_submit_with_two_attachments_is_forwarded_and_shows_the_helpdesk_number(service: Service) -> None:
    ann = service.enrol()
    attachments = two_attachments()
    accepted = ann.submit(make_draft(attachments=attachments), attachments)

    assert accepted["reference"] == "INT-000001"
    assert accepted["relay_state"] == "accepted"
    detail = forwarded(ann, accepted["reference"])
    assert detail["helpdesk_id"] == "1"
    assert detail["status"]["name"] == "New (Portal)"
    assert detail["status"]["category"] == "new"
    assert [a["key"] for a in detail["attachments"]] == ["shot-1", "log-1"]
    assert detail["attachments"][1]["filename"] == "passwd spooler.log"  # no path parts survive
    assert detail["error_details"] == "Error 0x0000011b\tspooler"
    assert detail["timeline"][0]["kind"] == "created"
    assert helpdesk_counts(service) == (1, 2)

    for key, data in (("shot-1", PNG), ("log-1", LOG)):
        response = ann.api.get(f"/tickets/{accepted['reference']}/attachments/{key}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == hashlib.sha256(data).hexdigest()
    assert ann.api.get("/tickets/1").json()["reference"] == "INT-000001"  # by helpdesk id too


def test_stored_file_names_are_generated_never_the_users(service: Service) -> None:
    ann = service.enrol()
    attachments = two_attachments()
    forwarded(ann, ann.submit(make_draft(attachments=attachments), attachments)["reference"])
    names = [p.name for p in service.data_dir.rglob("*") if p.is_file()]
    assert not any("passwd" in n or "screen" in n or ".log" in n for n in names)


def test_replay_with_the_same_client_id_answers_with_the_same_ticket(service: Service) -> None:
    ann = service.enrol()
    attachments = two_attachments()
    draft = make_draft(attachments=attachments)
    first = ann.submit(draft, attachments)
    forwarded(ann, first["reference"])

    again: dict[str, Any] = ann.submit(draft, attachments)

    assert again["reference"] == first["reference"]
    assert again["helpdesk_id"] == "1"
    assert again["relay_state"] == "forwarded"
    assert helpdesk_counts(service) == (1, 2)
    assert len(ann.api.get("/tickets").json()["tickets"]) == 1


def test_ticket_without_attachments_as_plain_json(service: Service) -> None:
    ann = service.enrol()
    accepted = ann.submit(make_draft())
    assert forwarded(ann, accepted["reference"])["attachments"] == []


def test_machine_details_go_to_an_internal_note_never_to_the_user(service: Service) -> None:
    ann = service.enrol()
    ref = ann.submit(make_draft())["reference"]
    detail = forwarded(ann, ref)
    assert all("Debian 12" not in (e["text"] or "") for e in detail["timeline"])
    with service.runtime.db.read() as conn:
        internal = conn.execute(select(s.local_events.c.text).where(s.local_events.c.internal.is_(True))).scalars()
        assert any("Debian 12" in text for text in internal)


def test_unknown_user_is_filed_under_the_catch_all_contact(service: Service) -> None:
    ann = service.enrol()
    forwarded(ann, ann.submit(make_draft())["reference"])
    me = ann.api.get("/me").json()
    assert me["contact_on_file"]["email"] == "inbox@acme.example"
    with service.runtime.db.read() as conn:
        notes = conn.execute(select(s.local_events.c.text).where(s.local_events.c.internal.is_(True))).scalars()
        assert any("catch-all" in text for text in notes)


def test_known_contact_is_on_file(service: Service) -> None:
    rt = service.runtime
    rt.contacts.add(rt.companies.by_name("Acme"), "Ann Example", "ann@acme.example", "+1 713 555 0199")
    me = service.enrol().api.get("/me").json()
    assert me["contact_on_file"] == {"name": "Ann Example", "email": "ann@acme.example",
                                     "phone": "+1 713 555 0199", "company": "Acme"}
    assert me["user"]["role"] == "client"
