"""E-mail connector (send-only): each ticket becomes one message to the helpdesk's mailbox.

The guide's "New (Email Connector)" path. The message carries the ticket as
structured text, ``ticket.json`` (the structured fields), the machine details as
``machine-details.json``/``.txt`` and every attachment; headers carry the client
ticket id (``X-Intake-Client-Ticket-Id``) and a Message-ID derived from it.

Nothing is read back (``send_only``): the user's status reads "sent by e-mail;
updates arrive by e-mail", and ``Reply-To`` is the user so the helpdesk answers them.
Sent ids are remembered in the service's connector state right after the server
accepts the message, so a replay never mails twice; the only window is a crash
between the server's "250 OK" and that write, and then the resent copy has the same
Message-ID, which mail systems and helpdesk mail connectors de-duplicate.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from intake_app.core.statuses import DEFAULT_STATUS_MAP, StatusMap
from intake_app.errors import ConfigError
from intake_app.service.connectors.base import (
    Actor,
    Connector,
    ConnectorContext,
    ConnectorKind,
    ConnectorState,
    ContactUpdate,
    EscalationWrite,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskRejected,
    HelpdeskTicket,
    HelpdeskUnavailable,
    Mailer,
    OutgoingAttachment,
    OutgoingTicket,
    SettingsReader,
)
from intake_app.service.connectors.rt_mapping import details_text, public_text

log = logging.getLogger(__name__)
HEADER_ID = "X-Intake-Client-Ticket-Id"
ALLOWED = frozenset({"to", "from", "subject_prefix", "smtp_host", "smtp_port", "smtp_security", "smtp_username",
                     "password_env", "ca_file", "timeout", "message_id_domain"})
SEND_ONLY_TEXT = "Sent by e-mail; updates arrive by e-mail."


@dataclass(frozen=True)
class SmtpTarget:
    """The connector's own SMTP server (else the service's ``[smtp]`` mailer is used)."""

    host: str
    port: int
    security: str  # none / starttls / ssl
    username: str = ""
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 30.0

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)  # verification and host names checked

    def send(self, message: EmailMessage) -> None:
        with self.connect() as client:
            client.send_message(message)

    def connect(self) -> smtplib.SMTP:
        """An authenticated session; HelpdeskUnavailable when the server cannot be used."""
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                        context=self.context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                client.ehlo()
                if self.security == "starttls":
                    client.starttls(context=self.context())
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password or "")
            except BaseException:
                client.close()
                raise
            return client
        except smtplib.SMTPAuthenticationError:
            raise HelpdeskRejected(f"The mail server {self.host}:{self.port} refused the login for "
                                   f"{self.username!r}.") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise HelpdeskUnavailable(f"The mail server {self.host}:{self.port} cannot be used "
                                      f"({type(exc).__name__}: {_reason(exc)}).") from None


class EmailConnector(Connector):
    kind = ConnectorKind.EMAIL
    send_only = True

    def __init__(self, *, to: str, sender: str, prefix: str, domain: str, state: ConnectorState,
                 smtp: SmtpTarget | None, mailer: Mailer | None) -> None:
        self.to, self.sender, self.prefix, self.domain = to, sender, prefix, domain
        self.state, self.smtp, self.mailer = state, smtp, mailer

    # -- health --------------------------------------------------------------------------

    def check(self) -> list[str]:
        if self.smtp is None:
            return []  # the service's own [smtp] check covers it
        try:
            with self.smtp.connect() as client:
                client.noop()
        except (HelpdeskUnavailable, HelpdeskRejected) as exc:
            return [str(exc)]
        if self.smtp.security == "none" and self.smtp.host not in ("127.0.0.1", "localhost", "::1"):
            return [f"The e-mail connector sends to {self.smtp.host} without TLS; set smtp_security = "
                    "\"starttls\" or \"ssl\"."]
        return []

    def status_map(self) -> StatusMap:
        return DEFAULT_STATUS_MAP

    # -- relay -------------------------------------------------------------------------------

    def find_by_client_id(self, client_ticket_id: str) -> str | None:
        return self.state.get(f"email:sent:{client_ticket_id}")

    def create_ticket(self, ticket: OutgoingTicket) -> str:
        cid = ticket.client_ticket_id
        message = self._message(f"{self.prefix} {ticket.draft.summary.strip()} ({ticket.reference})".strip(),
                                cid, ticket.draft.contact.email)
        message[HEADER_ID] = cid
        message["X-Intake-Reference"] = ticket.reference
        message["X-Intake-Requested-Priority"] = f"P{int(ticket.draft.requested_priority)}"
        message.set_content(public_text(ticket) + "\n\n--- For the technician ---\n" + details_text(ticket))
        draft = ticket.draft.to_dict()
        draft.pop("system_info", None)
        structured = {"reference": ticket.reference, "company": ticket.company, "catch_all": ticket.catch_all,
                      "contact_on_file": ticket.contact.to_contact().to_dict(), "ticket": draft}
        message.add_attachment(json.dumps(structured, indent=2, ensure_ascii=False).encode(), maintype="application",
                               subtype="json", filename="ticket.json")
        if ticket.draft.system_info:
            message.add_attachment(json.dumps(ticket.draft.system_info, indent=2, ensure_ascii=False,
                                              default=str).encode(),
                                   maintype="application", subtype="json", filename="machine-details.json")
        if ticket.machine_details.strip():
            message.add_attachment(ticket.machine_details, filename="machine-details.txt")
        for attachment in ticket.attachments:
            _attach(message, attachment)
        self._send(message)
        helpdesk_id = self._helpdesk_id(cid)
        self.state.put(f"email:sent:{cid}", helpdesk_id)
        self.state.put(f"email:keys:{cid}", json.dumps(sorted(a.key for a in ticket.attachments)))
        return helpdesk_id

    def attachment_keys(self, helpdesk_id: str) -> set[str]:
        return set(json.loads(self.state.get(f"email:keys:{self._cid(helpdesk_id)}") or "[]"))

    def add_attachment(self, helpdesk_id: str, attachment: OutgoingAttachment) -> None:
        message = self._follow_up(helpdesk_id, f"Attachment: {attachment.filename}",
                                  f"Another attachment for this ticket: {attachment.filename}.")
        _attach(message, attachment)
        self._send(message)
        keys = self.attachment_keys(helpdesk_id) | {attachment.key}
        self.state.put(f"email:keys:{self._cid(helpdesk_id)}", json.dumps(sorted(keys)))

    # -- reads: nothing comes back by this route ----------------------------------------------

    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        return []

    def get_ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        raise HelpdeskRejected(SEND_ONLY_TEXT)

    def timeline(self, helpdesk_id: str) -> list[HelpdeskEvent]:
        return []

    def find_contact(self, email: str, company: str) -> HelpdeskContact | None:
        return None

    # -- user actions: follow-up mails in the same thread ------------------------------------------

    def reply(self, helpdesk_id: str, text: str, author: Actor,
              attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        message = self._follow_up(helpdesk_id, "Reply", f"{author.name} <{author.email}> replied:\n\n{text}",
                                  author.email)
        for attachment in attachments:
            _attach(message, attachment)
        self._send(message)

    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        self._send(self._follow_up(helpdesk_id, "Fixed, please close",
                                   f"{author.name} <{author.email}> says it is fixed.\n\n{text}".strip(), author.email))

    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        self._send(self._follow_up(helpdesk_id, "Not fixed, please reopen",
                                   f"{author.name} <{author.email}> says it is not fixed:\n\n{text}", author.email))

    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        self._send(self._follow_up(helpdesk_id, "Updated contact details",
                                   f"{author.name} <{author.email}> updated:\n\n{update.describe()}", author.email))

    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        key = f"email:escalation:{write.key}"
        if self.state.get(key):
            return
        self._send(self._follow_up(helpdesk_id, f"Escalation {write.action}",
                                   write.note + (f"\n{write.billing_marker}" if write.billing_marker else "")))
        self.state.put(key, helpdesk_id)

    # -- helpers ------------------------------------------------------------------------------------

    def _helpdesk_id(self, cid: str) -> str:
        return f"{cid}@{self.domain}"

    def _cid(self, helpdesk_id: str) -> str:
        return helpdesk_id.rsplit("@", 1)[0]

    def _message(self, subject: str, cid: str, reply_to: str, *, message_id: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        if reply_to:
            message["Reply-To"] = reply_to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now().astimezone())
        message["Message-ID"] = message_id or f"<{self._helpdesk_id(cid)}>"
        return message

    def _follow_up(self, helpdesk_id: str, what: str, text: str, reply_to: str = "") -> EmailMessage:
        cid = self._cid(helpdesk_id)
        message = self._message(f"{self.prefix} {what} ({cid})".strip(), cid, reply_to,
                                message_id=make_msgid(domain=self.domain))
        message["In-Reply-To"] = message["References"] = f"<{helpdesk_id}>"
        message[HEADER_ID] = cid
        message.set_content(text)
        return message

    def _send(self, message: EmailMessage) -> None:
        if self.smtp is not None:
            self.smtp.send(message)
        elif self.mailer is not None:
            self.mailer.send(message)
        else:  # create() refuses this configuration; kept for a clear message
            raise HelpdeskRejected("The e-mail connector has no mail server configured.")


def _attach(message: EmailMessage, attachment: OutgoingAttachment) -> None:
    maintype, _, subtype = (attachment.media_type or "application/octet-stream").partition("/")
    message.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype or "octet-stream",
                           filename=_safe_name(attachment.filename),
                           headers=[f"X-Intake-Attachment-Key: {attachment.key}"])


def _safe_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    return "".join(ch if ch.isprintable() and ch not in '"<>|:*?' else "_" for ch in name)[-150:] or "attachment"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        return f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    return str(exc) or type(exc).__name__


def create(settings: Mapping[str, Any], context: ConnectorContext) -> EmailConnector:
    read = SettingsReader(settings, "email")
    read.reject_unknown(ALLOWED, "an e-mail connector")
    to = read.text("to")
    if "@" not in to:
        raise ConfigError(f"[connector] to must be the helpdesk's e-mail address, not {to!r}.", key="to")
    smtp = None
    if settings.get("smtp_host"):
        security = str(settings.get("smtp_security", "starttls")).lower()
        if security not in ("none", "starttls", "ssl"):
            raise ConfigError(f"[connector] smtp_security must be none, starttls or ssl, not {security!r}.",
                              key="smtp_security")
        port = int(read.number("smtp_port", 465 if security == "ssl" else 587))
        smtp = SmtpTarget(host=read.text("smtp_host"), port=port,
                          security=security, username=str(settings.get("smtp_username") or ""),
                          password=context.secret("password"),
                          ca_file=str(settings["ca_file"]) if settings.get("ca_file") else None,
                          timeout=read.number("timeout", 30.0))
        if smtp.username and not smtp.password:
            raise ConfigError("[connector] smtp_username is set but there is no password: set password_env "
                              "(or password in the secrets file).", key="password_env")
    elif context.mailer is None:
        raise ConfigError("The e-mail connector needs a mail server: set [connector] smtp_host, or configure the "
                          "service's [smtp] table.", key="smtp_host")
    sender = str(settings.get("from") or (context.mailer.from_address if context.mailer and smtp is None else "")
                 or f"intake@{to.rsplit('@', 1)[1]}")
    return EmailConnector(to=to, sender=sender, prefix=str(settings.get("subject_prefix", "[Intake]")),
                          domain=str(settings.get("message_id_domain") or sender.rsplit("@", 1)[-1].strip(">")),
                          state=context.state, smtp=smtp, mailer=context.mailer)

