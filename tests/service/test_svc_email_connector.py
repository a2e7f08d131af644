"""The relay with the send-only e-mail connector (a colleague's module, used through the interface):
one mail per ticket, never a second one on replay; status reads "sent by e-mail"."""

from __future__ import annotations

from svc_helpers import make_draft, two_attachments, wait_for
from svc_service import ServiceFactory, SmtpServer

from intake_app.service.connectors.base import ConnectorKind

HELPDESK = "helpdesk@msp.example"


def test_tickets_go_out_by_mail_once(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp, connector=ConnectorKind.EMAIL, settings={"to": HELPDESK})
    ann = service.enrol()
    attachments = two_attachments()
    draft = make_draft(attachments=attachments)
    ref = ann.submit(draft, attachments)["reference"]

    detail = wait_for(lambda: (t := ann.ticket(ref).json())["relay_state"] == "email" and t, "the mail")
    assert detail["status"]["name"] == "Sent by e-mail"
    assert detail["updates_by_email"] is True
    assert detail["helpdesk_id"]
    mail = smtp.wait_for(HELPDESK)
    names = [part.get_filename() for part in mail.walk() if part.get_filename()]
    assert {"screen 1.png", "passwd spooler.log"} <= set(names)

    assert ann.submit(draft, attachments)["reference"] == ref
    assert ann.api.get("/meta").json()["updates_by_email"] is True
    assert len([m for m in smtp.messages if HELPDESK in (m.get("To") or "")]) == 1

    assert ann.api.post(f"/tickets/{ref}/replies", json={"text": "One more thing"}).status_code == 201
    assert "One more thing" in str(smtp.wait_for(HELPDESK, 2))
    tech = service.technician()
    refused = tech.post(f"/tech/tickets/{ref}/status", json={"status": "Completed"})
    assert refused.status_code == 409
    assert "only with the local connector" in refused.json()["error"]["message"]
