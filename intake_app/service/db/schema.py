"""Every table of the service database (SQLAlchemy Core, portable SQL).

The Alembic migrations under ``service/migrations`` create exactly these tables;
``tests/service/test_migrations.py`` checks the two never drift apart.

Three groups:
* identity and policy: companies, enrolment keys, devices, technicians, codes,
  contacts (the local store's contact records, also used to mark a primary contact),
  announcements;
* relay and cache: ``tickets`` (one row per ticket Intake knows: the outbox entry
  for tickets filed through Intake, plus the cached helpdesk state), their
  attachments, escalations and the escalation audit, sync/connector state;
* the local connector's helpdesk store: ``local_tickets``, ``local_events``,
  ``local_attachments``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from intake_app.service.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

companies = Table(
    "companies", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("catch_all_name", String(200), nullable=False, default=""),
    Column("catch_all_email", String(320), nullable=False, default=""),
    Column("catch_all_phone", String(50), nullable=False, default=""),
    Column("policy_json", Text, nullable=False, default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

enrolment_keys = Table(
    "enrolment_keys", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

devices = Table(
    "devices", metadata,
    Column("id", String(32), primary_key=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("device_name", String(200), nullable=False, default=""),
    Column("user_name", String(200), nullable=False, default=""),
    Column("user_email", String(320), nullable=False, default=""),
    Column("user_phone", String(50), nullable=False, default=""),
    Column("verified_email", String(320), nullable=True),
    Column("verified_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

technicians = Table(
    "technicians", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

verification_codes = Table(
    "verification_codes", metadata,
    Column("id", Integer, primary_key=True),
    Column("device_id", String(32), ForeignKey("devices.id"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)

contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("email", String(320), nullable=False),
    Column("phone", String(50), nullable=False, default=""),
    Column("is_primary", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("company_id", "email", name="uq_contacts_company_email"),
)

announcements = Table(
    "announcements", metadata,
    Column("id", String(32), primary_key=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("severity", String(20), nullable=False, default="info"),
    Column("starts", UTCDateTime, nullable=True),
    Column("ends", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

tickets = Table(
    "tickets", metadata,
    Column("id", Integer, primary_key=True),  # the Intake reference INT-%06d
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=True, index=True),
    Column("device_id", String(32), ForeignKey("devices.id"), nullable=True, index=True),
    Column("client_ticket_id", String(64), nullable=True),
    Column("origin", String(20), nullable=False, default="intake"),  # intake / helpdesk
    Column("draft_json", Text, nullable=True),
    Column("summary", String(200), nullable=False, default=""),
    Column("contact_email", String(320), nullable=False, default="", index=True),
    Column("requested_priority", Integer, nullable=True),
    # relay (outbox)
    Column("relay_state", String(20), nullable=False, default="accepted"),  # accepted/forwarded/failed/email
    Column("helpdesk_id", String(64), nullable=True, unique=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=False, default=""),
    Column("forwarded_at", UTCDateTime, nullable=True),
    # cache of the helpdesk's state (public information only)
    Column("hd_status", String(100), nullable=True),
    Column("hd_priority", Integer, nullable=True),
    Column("hd_technician", String(200), nullable=False, default=""),
    Column("hd_appointment_json", Text, nullable=True),
    Column("hd_contact_json", Text, nullable=True),
    Column("hd_summary", String(200), nullable=True),
    Column("hd_description", Text, nullable=True),
    Column("hd_updated_at", UTCDateTime, nullable=True),
    Column("timeline_json", Text, nullable=False, default="[]"),
    Column("synced_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
    UniqueConstraint("company_id", "client_ticket_id", name="uq_tickets_company_client_ticket_id"),
)
Index("ix_tickets_relay_due", tickets.c.relay_state, tickets.c.next_attempt_at)

ticket_attachments = Table(
    "ticket_attachments", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("key", String(100), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(20), nullable=False, default="file"),
    Column("stored_name", String(100), nullable=False, unique=True),
    Column("forwarded_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("ticket_id", "key", name="uq_ticket_attachments_ticket_key"),
)

escalations = Table(
    "escalations", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=True, index=True),
    Column("state", String(20), nullable=False),
    Column("fee", String(50), nullable=False),
    Column("requested_by", String(320), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

escalation_audit = Table(
    "escalation_audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("escalation_id", Integer, ForeignKey("escalations.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("action", String(20), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("channel", String(20), nullable=False, default="app"),
    Column("written_at", UTCDateTime, nullable=True),  # when it reached the helpdesk
    Column("write_error", Text, nullable=False, default=""),
    UniqueConstraint("escalation_id", "seq", name="uq_escalation_audit_escalation_seq"),
)

kv_state = Table(
    "kv_state", metadata,
    Column("key", String(200), primary_key=True),  # "sync:watermark", "connector:<...>"
    Column("value", Text, nullable=False),
)

# ---- the local connector's helpdesk -------------------------------------------------

local_tickets = Table(
    "local_tickets", metadata,
    Column("id", Integer, primary_key=True),  # the helpdesk id
    Column("client_ticket_id", String(64), nullable=True, unique=True),
    Column("reference", String(20), nullable=False, default=""),
    Column("company", String(200), nullable=False, default=""),
    Column("summary", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("status", String(100), nullable=False),
    Column("priority", Integer, nullable=True),
    Column("requested_priority", Integer, nullable=True),
    Column("technician", String(200), nullable=False, default=""),
    Column("appointment_start", UTCDateTime, nullable=True),
    Column("appointment_end", UTCDateTime, nullable=True),
    Column("contact_json", Text, nullable=False, default="{}"),
    Column("contact_method", String(20), nullable=False, default=""),
    Column("contact_method_detail", String(320), nullable=False, default=""),
    Column("availability_json", Text, nullable=False, default="{}"),
    Column("billing_marker", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
    Column("status_changed_at", UTCDateTime, nullable=False),
)

local_events = Table(
    "local_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("local_tickets.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("author", String(320), nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("old", Text, nullable=True),
    Column("new", Text, nullable=True),
    Column("internal", Boolean, nullable=False, default=False),
    Column("dedupe_key", String(100), nullable=True, unique=True),
)

local_attachments = Table(
    "local_attachments", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("local_tickets.id"), nullable=False, index=True),
    Column("key", String(100), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("stored_name", String(100), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("ticket_id", "key", name="uq_local_attachments_ticket_key"),
)
