"""Paid escalation (guide): P3 only, approved by the verified primary contact or by phone; audited;
written to the helpdesk (note, priority 2, billing marker)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from svc_helpers import forwarded, make_draft, verify, wait_for
from svc_service import Service, ServiceFactory, SmtpServer

from intake_app.service.db import schema as s


def primary_contact_service(make_service: ServiceFactory, smtp: SmtpServer) -> Service:
    service = make_service(smtp=smtp)
    rt = service.runtime
    rt.contacts.add(rt.companies.by_name("Acme"), "Pat Primary", "pat@acme.example", primary=True)
    return service


def helpdesk_ticket(service: Service) -> Any:
    with service.runtime.db.read() as conn:
        return conn.execute(select(s.local_tickets)).one()


def escalation_events(service: Service) -> list[str]:
    with service.runtime.db.read() as conn:
        return list(conn.execute(select(s.local_events.c.text).where(s.local_events.c.kind == "escalation")
                                 .order_by(s.local_events.c.id)).scalars())


def test_request_at_filing_then_approval_by_the_verified_primary_contact(make_service: ServiceFactory,
                                                                        smtp: SmtpServer) -> None:
    service = primary_contact_service(make_service, smtp)
    ann = service.enrol()
    ref = ann.submit(make_draft(escalation_requested=True))["reference"]
    detail = forwarded(ann, ref)
    assert detail["escalation"]["state"] == "pending"
    assert detail["escalation"]["fee"] == "$250"
    wait_for(lambda: escalation_events(service), "the request note in the helpdesk")

    pat = service.enrol("Pat Primary", "pat@acme.example", "PC-PAT")
    assert pat.api.get("/escalations").status_code == 403  # not verified yet
    verify(service, smtp, pat.api, "pat@acme.example")
    pending = pat.api.get("/escalations?state=pending").json()["escalations"]
    assert [e["ticket"] for e in pending] == [ref]

    decided = pat.api.post(f"/escalations/{pending[0]['id']}/decision",
                           json={"approve": True, "reason": "Payroll deadline"})
    assert decided.status_code == 200
    body = decided.json()
    assert body["state"] == "approved"
    assert [(a["actor"], a["action"], a["channel"]) for a in body["audit"]] == [
        ("ann@acme.example", "requested", "app"), ("pat@acme.example", "approved", "app")]

    wait_for(lambda: helpdesk_ticket(service).priority == 2, "priority 2 in the helpdesk")
    assert "$250" in helpdesk_ticket(service).billing_marker
    assert "APPROVED" in escalation_events(service)[-1]
    assert wait_for(lambda: ann.ticket(ref).json()["assigned_priority"] == 2, "the cache to show P2")
    again = pat.api.post(f"/escalations/{pending[0]['id']}/decision", json={"approve": False, "reason": "x"})
    assert again.status_code == 409


def test_approval_by_a_non_primary_contact_is_refused(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = primary_contact_service(make_service, smtp)
    ann = service.enrol()
    ref = ann.submit(make_draft())["reference"]
    forwarded(ann, ref)
    created = ann.api.post(f"/tickets/{ref}/escalation", json={"reason": "Need it today"})
    assert created.status_code == 201
    assert created.json()["state"] == "pending"
    verify(service, smtp, ann.api, "ann@acme.example")

    refused = ann.api.post(f"/escalations/{created.json()['id']}/decision", json={"approve": True, "reason": ""})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert ann.api.get("/escalations").status_code == 403
    with service.runtime.db.read() as conn:
        assert conn.execute(select(s.escalations.c.state)).scalar_one() == "pending"


def test_only_an_open_p3_can_be_escalated_once(service: Service) -> None:
    ann = service.enrol()
    p2 = ann.submit(make_draft(priority=2))["reference"]
    p3 = ann.submit(make_draft())["reference"]
    forwarded(ann, p2)
    forwarded(ann, p3)
    response = ann.api.post(f"/tickets/{p2}/escalation", json={"reason": "faster"})
    assert response.status_code == 409
    assert "Only Priority 3" in response.json()["error"]["message"]
    assert ann.api.post(f"/tickets/{p3}/escalation", json={"reason": "faster"}).status_code == 201
    assert ann.api.post(f"/tickets/{p3}/escalation", json={"reason": "again"}).status_code == 409
    closed = ann.submit(make_draft())["reference"]
    forwarded(ann, closed)
    assert ann.api.post(f"/tickets/{closed}/close", json={}).status_code == 200
    response = ann.api.post(f"/tickets/{closed}/escalation", json={"reason": "faster"})
    assert response.status_code == 409
    assert "closed ticket" in response.json()["error"]["message"]


def test_escalation_at_filing_on_a_p2_is_a_validation_error(service: Service) -> None:
    ann = service.enrol()
    response = ann.api.submit(make_draft(priority=2, escalation_requested=True))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["escalation_requested"] == \
        "Only a Priority 3 ticket can be escalated for a fee."


def test_phone_approval_recorded_by_a_technician(service: Service) -> None:
    ann = service.enrol()
    ref = ann.submit(make_draft(escalation_requested=True))["reference"]
    forwarded(ann, ref)
    tech = service.technician("Dana")
    missing_reason = tech.post(f"/tech/tickets/{ref}/escalation", json={"approve": True, "reason": " "})
    assert missing_reason.status_code == 422
    recorded = tech.post(f"/tech/tickets/{ref}/escalation",
                         json={"approve": True, "reason": "Pat Primary approved by phone at 10:05"})
    assert recorded.status_code == 200, recorded.text
    audit = recorded.json()["audit"]
    assert (audit[-1]["actor"], audit[-1]["action"], audit[-1]["channel"]) == ("Dana (technician)", "approved",
                                                                              "phone")
    wait_for(lambda: helpdesk_ticket(service).priority == 2, "priority 2 in the helpdesk")
    assert "by phone" in escalation_events(service)[-1]
    with service.runtime.db.read() as conn:
        rows = conn.execute(select(s.escalation_audit).order_by(s.escalation_audit.c.seq)).all()
    assert [r.action for r in rows] == ["requested", "approved"]
    assert all(r.written_at is not None for r in rows)
