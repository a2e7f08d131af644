"""The e-mail connector against a real SMTP server (aiosmtpd on loopback), TLS verified."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from connector_kit import ERROR_TEXT, DictState, attachment, make_context, outgoing, png_bytes
from intake_app.core.ticket import Availability
from intake_app.errors import ConfigError
from intake_app.service.config import SmtpSettings
from intake_app.service.connectors import email as email_connector
from intake_app.service.connectors.base import (
    Actor,
    EscalationWrite,
    HelpdeskRejected,
    HelpdeskUnavailable,
)
from intake_app.service.mailer import SmtpMailer
from smtp_kit import SmtpServer, TlsFiles, make_tls

ALICE = Actor("Alice Example", "alice@example.com", verified=True)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


def _settings(server: SmtpServer, tls: TlsFiles | None, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {"to": "help@msp.example", "from": "Intake <intake@msp.example>",
                                "smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": server.mode}
    if server.mode == "starttls":
        settings |= {"smtp_username": "intake", "password_env": "INTAKE_SMTP_PASSWORD"}
    if server.mode == "plain":
        settings["smtp_security"] = "none"
    else:
        settings["ca_file"] = str(tls.ca_cert)
    return settings | extra


def _connector(server: SmtpServer, tls: TlsFiles | None, tmp_path: Path, state: DictState | None = None,
               **extra: Any) -> email_connector.EmailConnector:
    return email_connector.create(_settings(server, tls, **extra),
                                  make_context(tmp_path, {"password": server.inbox.password}, state=state))


def test_a_ticket_arrives_complete_over_starttls_with_auth(tls, tmp_path) -> None:
    shots = (attachment(tmp_path, "screen 1.png", png_bytes(colour=(1, 1, 1))),
             attachment(tmp_path, "screen 2.png", png_bytes(colour=(2, 2, 2))))
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()), attachments=shots)
    with SmtpServer("starttls", tls) as server:
        connector = _connector(server, tls, tmp_path)
        assert connector.send_only is True and connector.check() == []

        helpdesk_id = connector.create_ticket(ticket)

    assert server.inbox.logins[-1] == ("intake", server.inbox.password)
    (envelope,) = server.inbox.envelopes
    assert envelope.mail_from == "intake@msp.example" and envelope.rcpt_tos == ["help@msp.example"]
    (message,) = server.inbox.messages
    assert message["X-Intake-Client-Ticket-Id"] == ticket.client_ticket_id
    assert message["Message-ID"] == f"<{helpdesk_id}>" and helpdesk_id.startswith(ticket.client_ticket_id)
    assert message["Reply-To"] == "alice@example.com"  # the helpdesk answers the user directly
    assert message["Subject"] == "[Intake] Printer on floor 2 jams every page (INT-000042)"
    assert message["X-Intake-Requested-Priority"] == "P2"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP lines end in CRLF
    assert ERROR_TEXT in body and "Best contact method: Phone (+1 713 555 0101)" in body
    assert "Memory: 16 GB" in body  # the technician's part, after the user's words
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    assert set(parts) == {"ticket.json", "machine-details.json", "machine-details.txt", "screen 1.png", "screen 2.png"}
    structured = json.loads(parts["ticket.json"].get_content())
    assert structured["ticket"]["client_ticket_id"] == ticket.client_ticket_id
    assert Availability.from_dict(structured["ticket"]["availability"]) == ticket.draft.availability
    assert json.loads(parts["machine-details.json"].get_content()) == ticket.draft.system_info
    for shot in shots:
        part = parts[shot.filename]
        assert part.get_content_type() == "image/png" and part["X-Intake-Attachment-Key"] == shot.key
        assert hashlib.sha256(part.get_content()).hexdigest() == shot.sha256
    assert connector.attachment_keys(helpdesk_id) == {s.key for s in shots}


def test_a_replay_after_sending_never_mails_twice(tls, tmp_path) -> None:
    state = DictState()
    ticket = outgoing(tmp_path, client_ticket_id=str(uuid.uuid4()))
    with SmtpServer("starttls", tls) as server:
        first = _connector(server, tls, tmp_path, state)
        assert first.find_by_client_id(ticket.client_ticket_id) is None
        helpdesk_id = first.create_ticket(ticket)
        restarted = _connector(server, tls, tmp_path, state)  # the service came back with the same state

        found = restarted.find_by_client_id(ticket.client_ticket_id)

    assert found == helpdesk_id
    assert len(server.inbox.envelopes) == 1


def test_implicit_tls_works_too(tls, tmp_path) -> None:
    with SmtpServer("ssl", tls) as server:
        connector = _connector(server, tls, tmp_path)
        assert connector.check() == []
        connector.create_ticket(outgoing(tmp_path, client_ticket_id=str(uuid.uuid4())))
    assert len(server.inbox.messages) == 1


def test_an_untrusted_certificate_is_refused(tls, tmp_path) -> None:
    with SmtpServer("starttls", tls) as server:
        settings = {k: v for k, v in _settings(server, tls).items() if k != "ca_file"}
        connector = email_connector.create(settings, make_context(tmp_path, {"password": server.inbox.password}))
        with pytest.raises(HelpdeskUnavailable, match="SSLCertVerificationError"):
            connector.create_ticket(outgoing(tmp_path, client_ticket_id=str(uuid.uuid4())))
    assert server.inbox.envelopes == []


def test_a_wrong_password_is_rejected_without_showing_it(tls, tmp_path) -> None:
    with SmtpServer("starttls", tls) as server:
        connector = email_connector.create(_settings(server, tls), make_context(tmp_path, {"password": "hunter2"}))
        problems = connector.check()
        with pytest.raises(HelpdeskRejected) as caught:
            connector.create_ticket(outgoing(tmp_path, client_ticket_id=str(uuid.uuid4())))
    assert "refused the login for 'intake'" in str(caught.value) and "hunter2" not in str(caught.value)
    assert problems == [str(caught.value)]


def test_check_reports_a_server_that_is_down(tmp_path) -> None:
    with SmtpServer("plain") as server:
        settings = _settings(server, None)
    connector = email_connector.create(settings, make_context(tmp_path))
    (problem,) = connector.check()
    assert f"127.0.0.1:{settings['smtp_port']} cannot be used" in problem


def test_follow_ups_thread_to_the_ticket(tls, tmp_path) -> None:
    with SmtpServer("starttls", tls) as server:
        connector = _connector(server, tls, tmp_path)
        helpdesk_id = connector.create_ticket(outgoing(tmp_path, client_ticket_id=str(uuid.uuid4())))
        late = attachment(tmp_path, "later.png", png_bytes(colour=(7, 7, 7)))
        connector.add_attachment(helpdesk_id, late)
        connector.reply(helpdesk_id, "It happens on every page.", ALICE)
        write = EscalationWrite(key="esc-1-2", action="approved", actor="pat@example.com", channel="phone",
                                reason="called", fee="$250", note="Approved by phone.", set_priority=2,
                                billing_marker="Paid escalation approved: $250 flat fee")
        connector.write_escalation(helpdesk_id, write)
        connector.write_escalation(helpdesk_id, write)  # retried: mailed once

    first, attach, reply, escalation = server.inbox.messages
    for follow_up in (attach, reply, escalation):
        assert follow_up["In-Reply-To"] == f"<{helpdesk_id}>" and follow_up["Message-ID"] != first["Message-ID"]
    assert connector.attachment_keys(helpdesk_id) == {late.key}
    assert "It happens on every page." in reply.get_body(("plain",)).get_content()
    assert "$250 flat fee" in escalation.get_body(("plain",)).get_content()
    assert connector.changed_since(None) == [] and connector.timeline(helpdesk_id) == []
    with pytest.raises(HelpdeskRejected, match="Sent by e-mail"):
        connector.get_ticket(helpdesk_id)


def test_without_its_own_server_it_uses_the_services_mailer(tmp_path) -> None:
    with SmtpServer("plain") as server:
        mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=server.port, security="none",
                                         from_address="intake@msp.example"))
        connector = email_connector.create({"to": "help@msp.example"}, make_context(tmp_path, mailer=mailer))
        connector.create_ticket(outgoing(tmp_path, client_ticket_id=str(uuid.uuid4())))
    (message,) = server.inbox.messages
    assert message["From"] == "intake@msp.example" and message["To"] == "help@msp.example"


@pytest.mark.parametrize(("settings", "message"), [
    ({}, "[connector] to is required"),
    ({"to": "helpdesk"}, "must be the helpdesk's e-mail address"),
    ({"to": "help@msp.example"}, "needs a mail server"),
    ({"to": "help@msp.example", "smtp_host": "mail", "smtp_security": "tls"}, "smtp_security must be none"),
    ({"to": "help@msp.example", "smtp_host": "mail", "smtp_username": "intake"}, "there is no password"),
    ({"to": "help@msp.example", "smtp_hots": "mail"}, "smtp_hots is not an e-mail connector setting"),
])
def test_bad_settings_are_explained(tmp_path, settings, message) -> None:
    with pytest.raises(ConfigError) as caught:
        email_connector.create(settings, make_context(tmp_path))
    assert message in str(caught.value)
