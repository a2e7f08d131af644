"""When the helpdesk is down tickets wait in the outbox and go later; refusals are shown;
helpdesk reads do not grow with the number of devices."""

from __future__ import annotations

from argparse import Namespace

import pytest
from sqlalchemy import select
from svc_fakes import UnreliableHelpdesk
from svc_helpers import forwarded, make_draft, two_attachments, wait_for
from svc_service import Service, ServiceFactory

from intake_app.service.admin import ACTIONS
from intake_app.service.connectors.base import Connector
from intake_app.service.db import schema as s
from intake_app.service.errors import Conflict


def unreliable(make_service: ServiceFactory, **options: object) -> tuple[UnreliableHelpdesk, Service]:
    holder: list[UnreliableHelpdesk] = []

    def wrap(inner: Connector) -> Connector:
        holder.append(UnreliableHelpdesk(inner))
        return holder[0]

    service = make_service(wrap_connector=wrap, **options)
    return holder[0], service


def test_tickets_wait_in_the_outbox_while_the_helpdesk_is_down(make_service: ServiceFactory) -> None:
    helpdesk, service = unreliable(make_service)
    helpdesk.down = True
    ann = service.enrol()
    attachments = two_attachments()
    refs = [ann.submit(make_draft(attachments=attachments), attachments)["reference"], ann.submit()["reference"]]

    def waiting() -> bool:  # the first ticket is retried with backoff; the others wait their turn
        with service.runtime.db.read() as conn:
            rows = conn.execute(select(s.tickets.c.attempts, s.tickets.c.last_error).order_by(s.tickets.c.id)).all()
        return rows[0].attempts >= 2 and "down" in rows[0].last_error

    wait_for(waiting, "retries with backoff")
    listed = ann.api.get("/tickets").json()["tickets"]
    assert {(t["relay_state"], t["status"]["name"], t["helpdesk_id"]) for t in listed} == {
        ("accepted", "Received", None)}
    assert helpdesk.calls["create_ticket"] == 0  # never created while it could not look up first

    waiting_reply = ann.api.post(f"/tickets/{refs[0]}/replies", json={"text": "any news?"})
    assert waiting_reply.status_code == 503
    assert "still on its way" in waiting_reply.json()["error"]["message"]
    assert waiting_reply.headers["Retry-After"] == "30"

    helpdesk.down = False
    for ref in refs:
        forwarded(ann, ref)
    with service.runtime.db.read() as conn:
        assert len(conn.execute(select(s.local_tickets.c.id)).all()) == 2
        assert len(conn.execute(select(s.local_attachments.c.id)).all()) == 2


def test_user_actions_get_503_with_retry_after_while_down(make_service: ServiceFactory) -> None:
    helpdesk, service = unreliable(make_service)
    ann = service.enrol()
    ref = ann.submit()["reference"]
    forwarded(ann, ref)
    helpdesk.down = True
    response = ann.api.post(f"/tickets/{ref}/replies", json={"text": "hello?"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "helpdesk_unavailable"
    assert int(response.headers["Retry-After"]) >= 1
    assert ann.ticket(ref).status_code == 200  # reads come from the cache


def test_a_refused_ticket_is_marked_failed_with_the_helpdesks_words(make_service: ServiceFactory) -> None:
    helpdesk, service = unreliable(make_service)
    helpdesk.refuse = "No permission to create tickets in the queue 'Portal'"
    ann = service.enrol()
    ref = ann.submit()["reference"]
    failed = wait_for(lambda: (t := ann.ticket(ref).json())["relay_state"] == "failed" and t, "the refusal")
    assert failed["status"]["name"] == "Not delivered"
    assert "call the support phone" in failed["status"]["meaning"]
    with service.runtime.db.read() as conn:
        assert "No permission" in conn.execute(select(s.tickets.c.last_error)).scalar_one()
    reply = ann.api.post(f"/tickets/{ref}/replies", json={"text": "hello?"})
    assert reply.status_code == 409
    assert "did not accept this ticket" in reply.json()["error"]["message"]


def test_helpdesk_reads_do_not_grow_with_devices(make_service: ServiceFactory) -> None:
    helpdesk, service = unreliable(make_service, sync_interval=3600)
    devices = [service.enrol(f"User {i}", f"user{i}@acme.example", f"PC-{i}") for i in range(10)]
    refs = [d.submit(make_draft(f"User {i}", f"user{i}@acme.example"))["reference"]
            for i, d in enumerate(devices)]
    for device, ref in zip(devices, refs, strict=True):
        forwarded(device, ref)
    service.runtime.sync.run_once()
    before = sum(helpdesk.calls[m] for m in ("changed_since", "get_ticket", "timeline"))
    for _ in range(5):
        for device in devices:
            assert device.api.get("/tickets").status_code == 200
            assert device.api.get("/meta").status_code == 200
    after = sum(helpdesk.calls[m] for m in ("changed_since", "get_ticket", "timeline"))
    assert after == before


def test_a_refused_ticket_can_be_sent_again_by_the_admin(make_service: ServiceFactory) -> None:
    helpdesk, service = unreliable(make_service)
    helpdesk.refuse = "Queue 'Portal' is closed"
    ann = service.enrol()
    ref = ann.submit()["reference"]
    wait_for(lambda: ann.ticket(ref).json()["relay_state"] == "failed", "the refusal")
    helpdesk.refuse = None
    args = Namespace(ref=ref, by="admin")
    assert "back in the outbox" in ACTIONS[("ticket", "retry")](service.runtime, args)
    service.runtime.wake_relay()
    assert forwarded(ann, ref)["status"]["name"] == "New (Portal)"
    with pytest.raises(Conflict):
        ACTIONS[("ticket", "retry")](service.runtime, args)


def test_a_refused_attachment_does_not_fail_the_ticket(make_service: ServiceFactory) -> None:
    helpdesk, service = unreliable(make_service)
    helpdesk.refuse_attachments = "File type not allowed"
    ann = service.enrol()
    attachments = two_attachments()
    ref = ann.submit(make_draft(attachments=attachments), attachments)["reference"]
    detail = forwarded(ann, ref)
    assert detail["helpdesk_id"] == "1"
    assert len(detail["attachments"]) == 2  # still kept, and served, by the service
    with service.runtime.db.read() as conn:
        assert "File type not allowed" in conn.execute(select(s.tickets.c.last_error)).scalar_one()
