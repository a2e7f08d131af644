"""End to end with the e-mail connector: Intake service → a real SMTP server (STARTTLS, AUTH, own CA)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from e2e_kit import IntakeService, IntakeUser
from smtp_kit import SmtpServer, make_tls

pytestmark = pytest.mark.slow


def test_email_ticket_is_mailed_once_and_the_user_is_told_updates_come_by_mail(tmp_path: Path) -> None:
    tls = make_tls(tmp_path / "tls")
    with SmtpServer("starttls", tls) as smtp:
        service = IntakeService(tmp_path, {
            "kind": "email", "to": "help@msp.example", "from": "intake@msp.example", "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port, "smtp_security": "starttls", "smtp_username": "intake",
            "password_env": "INTAKE_SMTP_PASSWORD", "ca_file": str(tls.ca_cert)},
            {"INTAKE_SMTP_PASSWORD": smtp.inbox.password})
        service.start()
        user = IntakeUser(service.process.url, "Alice Example", "alice@example.com")
        try:
            ref, shots = user.submit_with_two_screenshots()
            seen = user.wait(ref, lambda t: t["relay_state"] == "email", "sent by e-mail")
            service.stop()  # a restart replays nothing: the sent id is remembered
            service.start()
            user.base = f"{service.process.url}/api/v1"
            again = user.ticket(ref)
        finally:
            user.close()
            service.stop()

    assert seen["updates_by_email"] is True and seen["status"]["name"] == "Sent by e-mail"
    assert again["relay_state"] == "email"
    (message,) = smtp.inbox.messages
    assert message["X-Intake-Client-Ticket-Id"] == seen["client_ticket_id"]
    screenshots = {p.get_filename(): p.get_content() for p in message.iter_attachments()
                   if p.get_content_type() == "image/png"}
    assert {hashlib.sha256(b).hexdigest() for b in screenshots.values()} == {s.info().sha256 for s in shots}
