"""The connector interface: how the Intake service talks to one helpdesk (SPEC §5).

One connector is configured per service (``local``, ``rt``, ``connectwise`` or
``email``). The service owns devices, identities, escalations and the outbox;
the helpdesk owns status, priority, owner and notes. Everything that crosses
this boundary is a plain frozen dataclass defined here, so a connector never
sees the service's database rows and the service never sees helpdesk JSON.

Who calls what, and what the relay guarantees:

* The **relay worker** (one thread) forwards accepted tickets. For each ticket it
  calls :meth:`Connector.find_by_client_id` first and :meth:`Connector.create_ticket`
  only when that returns ``None``; it records the returned id, then calls
  :meth:`Connector.attachment_keys` and :meth:`Connector.add_attachment` for each
  key not yet present. A crash can happen between any two calls; the lookups make
  every step safe to repeat. The relay never calls two methods of one connector
  concurrently.
* The **sync worker** (one thread) calls :meth:`Connector.changed_since` once per
  interval and :meth:`Connector.get_ticket` / :meth:`Connector.timeline` for each
  changed ticket. Clients are answered from the service's cache, never directly.
* **Request threads** call the user-action methods (:meth:`reply`, :meth:`close`,
  :meth:`reopen`, :meth:`update_contact_details`), :meth:`find_contact` and, after
  an action, :meth:`get_ticket` / :meth:`timeline` to refresh the cache. These can
  run concurrently with each other and with the workers: implementations must be
  thread-safe (a ``requests.Session`` per thread, or a lock).

Errors: raise :class:`HelpdeskUnavailable` for anything worth retrying (network,
timeouts, 429, 5xx, maintenance); raise :class:`HelpdeskRejected` for permanent
refusals (validation, permissions, unknown queue). Never let a library's own
exception escape. Never put credentials in exception messages: they are logged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Protocol

from intake_app.core.statuses import STATUS_ON_CREATE, StatusMap
from intake_app.core.ticket import (
    AttachmentKind,
    Availability,
    Contact,
    ContactMethod,
    TicketDraft,
)
from intake_app.errors import ConfigError, IntakeError


class ConnectorKind(StrEnum):
    LOCAL = "local"
    RT = "rt"
    CONNECTWISE = "connectwise"
    EMAIL = "email"


# --------------------------------------------------------------------------- errors


class ConnectorError(IntakeError):
    """Base of the typed connector errors (messages must not contain secrets)."""


class HelpdeskUnavailable(ConnectorError):
    """The helpdesk cannot be reached right now; the caller retries later.

    ``retry_after`` (seconds) is a hint, e.g. from a ``Retry-After`` header.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HelpdeskRejected(ConnectorError):
    """The helpdesk refused the request for good; retrying the same call will not help.

    The message is shown to the technician/admin (relay ``last_error``) and, for
    user actions, to the user: write it for a person.
    """


class HelpdeskNotFound(HelpdeskRejected):
    """The helpdesk has no ticket with this id (deleted, or another queue)."""


# --------------------------------------------------------------------------- data crossing the interface


class EventKind(StrEnum):
    """Timeline entry kinds, exactly those of ``TimelineEntry.kind`` in docs/API.md."""

    CREATED = "created"
    STATUS = "status"
    PRIORITY = "priority"
    ASSIGNEE = "assignee"
    APPOINTMENT = "appointment"
    NOTE = "note"  # a *public* technician note
    REPLY = "reply"  # the user's reply
    ESCALATION = "escalation"
    CONTACT_UPDATE = "contact_update"


@dataclass(frozen=True)
class HelpdeskContact:
    """A contact as the helpdesk has it on file."""

    name: str
    email: str
    phone: str = ""
    company: str = ""
    is_primary_contact: bool = False
    helpdesk_id: str | None = None  # the helpdesk's own contact id, if it has one

    def to_contact(self) -> Contact:
        return Contact(name=self.name, email=self.email, phone=self.phone, company=self.company)


@dataclass(frozen=True)
class Appointment:
    start: datetime  # aware
    end: datetime  # aware

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class OutgoingAttachment:
    """One attachment with its own key; the bytes are in a file the service owns (read-only to you)."""

    key: str
    filename: str  # the user's file name: for display only, never use it in a path
    media_type: str
    size: int
    sha256: str
    kind: AttachmentKind
    path: Path

    def open(self) -> BinaryIO:
        return self.path.open("rb")

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class OutgoingTicket:
    """A ticket on its way to the helpdesk, built from the user's draft plus what the service resolved.

    ``contact`` is the helpdesk contact for the user's e-mail, or the company's
    catch-all contact when the helpdesk does not know the user (``catch_all`` is
    then True and the user's own details are in ``draft.contact``). When the user
    corrected their details, ``draft.contact_corrections`` is non-empty: flag it
    for the helpdesk (note), do not overwrite the contact record.
    ``machine_details`` goes to the technician as an internal note (never public).
    ``attachments`` lists every attachment; the relay adds each one with
    :meth:`Connector.add_attachment` after creation unless :meth:`Connector.attachment_keys`
    already reports it (a connector that must send everything at once, like e-mail,
    may include them on create and report their keys).
    """

    draft: TicketDraft
    reference: str  # the Intake reference, e.g. "INT-000042" (put it in the ticket, e.g. a note)
    company: str
    contact: HelpdeskContact
    catch_all: bool = False
    machine_details: str = ""
    attachments: tuple[OutgoingAttachment, ...] = ()
    initial_status: str = STATUS_ON_CREATE  # guide: "New (Portal)"; map to your own wording
    escalation_requested: bool = False

    @property
    def client_ticket_id(self) -> str:
        return self.draft.client_ticket_id


@dataclass(frozen=True)
class HelpdeskTicket:
    """What the service caches about one helpdesk ticket (public information only)."""

    helpdesk_id: str
    summary: str
    status: str  # the helpdesk's own status name; the service maps it with status_map()
    created_at: datetime  # aware
    updated_at: datetime  # aware; changed_since() compares against this
    priority: int | None = None  # the *assigned* priority 1–4, None when unknown
    company: str = ""
    contact: HelpdeskContact | None = None
    technician: str = ""  # display name of the owner/assignee, "" when unassigned
    appointment: Appointment | None = None
    client_ticket_id: str | None = None  # the Intake idempotency key when the ticket came from Intake
    description: str = ""  # the initial public description


@dataclass(frozen=True)
class HelpdeskEvent:
    """One public timeline entry. Internal notes are never returned."""

    at: datetime  # aware
    kind: EventKind
    author: str = ""
    text: str = ""
    old: str | None = None
    new: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind.value, "author": self.author,
                "text": self.text, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Actor:
    """Who acts in a user action (reply/close/reopen/update): the user, verified or as enrolled."""

    name: str
    email: str
    verified: bool = False


@dataclass(frozen=True)
class ContactUpdate:
    """The user's later updates on an open ticket (guide: "update the following information").

    ``None`` means "unchanged". ``contact`` carries corrected details to flag for
    the helpdesk (a note); do not silently rewrite the helpdesk's contact record.
    """

    availability: Availability | None = None
    contact: Contact | None = None
    contact_method: ContactMethod | None = None
    contact_method_detail: str | None = None

    def describe(self) -> str:
        """A plain-text note a connector can post as-is."""
        lines = []
        if self.availability is not None:
            lines.append(f"Availability: {self.availability.describe()}")
        if self.contact is not None:
            c = self.contact
            lines.append(f"Contact details corrected: {c.name} <{c.email}> {c.phone} ({c.company})".strip())
        if self.contact_method is not None:
            detail = f" ({self.contact_method_detail})" if self.contact_method_detail else ""
            lines.append(f"Best contact method: {self.contact_method.label}{detail}")
        elif self.contact_method_detail is not None:
            lines.append(f"Contact method detail: {self.contact_method_detail}")
        return "\n".join(lines)


@dataclass(frozen=True)
class EscalationWrite:
    """An escalation request or decision to record in the helpdesk (SPEC §3).

    ``key`` is unique per audit entry (e.g. ``"esc-7-2"``): write it into the note
    if you can, so a retried write can be recognised. ``set_priority`` is 2 on an
    approval (else None); ``billing_marker`` is text for the billing field/note
    (e.g. ``"Paid escalation approved: $250 flat fee"``) or None.
    """

    key: str
    action: str  # requested / approved / denied / cancelled
    actor: str
    channel: str  # app / phone
    reason: str
    fee: str
    note: str  # ready-to-post text summarising all of the above
    set_priority: int | None = None
    billing_marker: str | None = None


# --------------------------------------------------------------------------- construction


class Mailer(Protocol):
    """The service's SMTP sender (``intake_app.service.mailer.SmtpMailer``); raises
    :class:`HelpdeskUnavailable` when the server cannot be reached."""

    @property
    def from_address(self) -> str: ...
    def send(self, message: EmailMessage) -> None: ...


class ConnectorState(Protocol):
    """A small key/value store in the service database, for connector bookkeeping
    (e.g. the e-mail connector remembering which client ticket ids it sent)."""

    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class ConnectorContext:
    """What the service hands a connector when it builds it.

    ``secret(name)`` returns a credential from the environment or the secret file
    referenced by the service config (``<name>_env`` setting, or ``secrets_file``);
    credentials never appear in ``settings`` themselves.
    """

    data_dir: Path  # private folder for this connector's files
    state: ConnectorState
    secret: Callable[[str], str | None]
    now: Callable[[], datetime]  # aware UTC; injectable for tests
    mailer: Mailer | None = None  # the service's SMTP sender ([smtp] in service.toml), None if unconfigured
    database: Any = None  # the service Database: only the local connector uses it


# --------------------------------------------------------------------------- the interface


class Connector(ABC):
    """One helpdesk. Modules ``intake_app.service.connectors.<kind>`` expose
    ``create(settings: Mapping[str, Any], context: ConnectorContext) -> Connector``.
    """

    kind: ClassVar[ConnectorKind]
    send_only: ClassVar[bool] = False  # e-mail: no reads; status reads "sent by e-mail"
    # A send-only connector is never asked to read (changed_since/get_ticket/timeline): the service
    # shows "sent by e-mail; updates arrive by e-mail". User actions and escalation writes are still
    # passed on (e.g. as follow-up mails). It must make find_by_client_id/create_ticket and
    # attachment_keys/add_attachment safe to repeat as far as it can (e.g. with ConnectorState).

    # -- health -------------------------------------------------------------------

    @abstractmethod
    def check(self) -> list[str]:
        """Problems with connectivity, credentials or configuration, one sentence each; [] when fine.

        Used by ``config check`` and at service start-up (logged as warnings). Must
        not raise and must not create anything in the helpdesk.
        """

    @abstractmethod
    def status_map(self) -> StatusMap:
        """The helpdesk's status names mapped onto SPEC §4 categories (unknown → working)."""

    def close_connections(self) -> None:  # noqa: B027 - optional hook
        """Release sessions/sockets at service shutdown."""

    def recover(self) -> int:
        """Clean up what a crash left half-written (``serve`` calls it once, before its workers start).

        Optional; returns how many leftovers were removed. Must never remove anything a
        committed record refers to.
        """
        return 0

    # -- relay: create, idempotently -----------------------------------------------

    @abstractmethod
    def find_by_client_id(self, client_ticket_id: str) -> str | None:
        """The helpdesk id of the ticket created for ``client_ticket_id``, or None.

        Called before every create: it must see tickets created a moment ago by
        :meth:`create_ticket` (no eventually-consistent search index), else a crash
        between "created" and "recorded" duplicates the ticket. Raise
        :class:`HelpdeskUnavailable` when you cannot tell (never guess None).
        """

    @abstractmethod
    def create_ticket(self, ticket: OutgoingTicket) -> str:
        """Create the ticket and return the helpdesk's id (as text).

        Store ``ticket.client_ticket_id`` where :meth:`find_by_client_id` finds it
        (ConnectWise ``externalXRef``, an RT custom field, ...) in the same call
        that creates the ticket. The relay has just checked that no such ticket
        exists. Put the machine details in an internal note, the availability as
        structured data where the helpdesk has a place for it, and flag contact
        corrections.
        """

    @abstractmethod
    def attachment_keys(self, helpdesk_id: str) -> set[str]:
        """Keys of the attachments already on the ticket (those added by :meth:`add_attachment`).

        The key must be recoverable from the helpdesk (e.g. the stored file name
        prefixed with the key, or a document title), so the relay adds only the
        missing ones after a crash.
        """

    @abstractmethod
    def add_attachment(self, helpdesk_id: str, attachment: OutgoingAttachment) -> None:
        """Attach one file so that :meth:`attachment_keys` reports ``attachment.key`` afterwards."""

    # -- sync: read -----------------------------------------------------------------

    @abstractmethod
    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        """Tickets updated at or after ``since`` (all relevant ones when None), oldest first.

        Incremental (e.g. ``lastUpdated > [since]``); called once per sync interval
        whatever the number of devices. Returning a ticket twice is harmless; missing
        one is not. Send-only connectors return [].
        """

    @abstractmethod
    def get_ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        """The ticket as it is now; :class:`HelpdeskNotFound` when it does not exist."""

    @abstractmethod
    def timeline(self, helpdesk_id: str) -> list[HelpdeskEvent]:
        """Public history, oldest first: status/priority/assignee/appointment changes,
        public notes and the user's replies. Never internal notes."""

    # -- user actions (synchronous; the service answers 503 on HelpdeskUnavailable) --

    @abstractmethod
    def reply(self, helpdesk_id: str, text: str, author: Actor,
              attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        """Add the user's reply and apply the helpdesk's transition:
        open → Client Responded; Closed/Completed → Re-opened (SPEC §4)."""

    @abstractmethod
    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        """"Fixed, close it" → Completed (with ``text`` as a reply if not empty)."""

    @abstractmethod
    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        """"Not fixed" on a closed ticket → Re-opened, with ``text`` as the user's reply."""

    @abstractmethod
    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        """Record availability / contact corrections / contact method (structured where possible, plus a note)."""

    @abstractmethod
    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        """Record an escalation request or decision: a note, priority ``set_priority``
        when given, and the billing marker when given. May be retried with the same key."""

    # -- contacts -------------------------------------------------------------------

    @abstractmethod
    def find_contact(self, email: str, company: str) -> HelpdeskContact | None:
        """The helpdesk's contact for ``email`` (case-insensitive), or None when unknown
        (the service then uses the company's catch-all contact)."""


ConnectorFactory = Callable[[Mapping[str, Any], ConnectorContext], Connector]


@dataclass(frozen=True)
class SettingsReader:
    """Small helper for ``create()``: typed access to the ``[connector]`` table with clear errors."""

    settings: Mapping[str, Any]
    kind: str

    def reject_unknown(self, allowed: frozenset[str] | set[str], label: str) -> None:
        """ConfigError naming the first key of ``[connector]`` that ``label``'s connector does not know."""
        unknown = sorted(set(self.settings) - set(allowed))
        if unknown:
            raise ConfigError(f"[connector] {unknown[0]} is not {label} setting; expected one of "
                              f"{', '.join(sorted(allowed))}.", key=f"connector.{unknown[0]}")

    def text(self, key: str, default: str | None = None) -> str:
        """A required text setting (``default`` when absent); ConfigError naming the key otherwise."""
        value = self.settings.get(key, default)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ConfigError(f"[connector] {key} is required for the {self.kind} connector.", key=key)
        return str(value)

    def number(self, key: str, default: float) -> float:
        value = self.settings.get(key, default)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"[connector] {key} must be a number, not {value!r}.", key=key) from None
