"""Paid escalation of a P3 ticket (guide: flat fee, approved by the primary IT contact).

A request is *pending* until the company's primary IT contact approves or
denies it, in the app (once verified) or by phone with a technician who
records it. Every state change appends an audit entry (who, when, reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import StrEnum

from intake_app.core.priorities import Priority


class EscalationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self is not EscalationState.PENDING


class DecisionChannel(StrEnum):
    APP = "app"  # the verified primary contact in Intake
    PHONE = "phone"  # a technician recorded a phone approval


class EscalationError(ValueError):
    """An escalation rule was broken; the message says which."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # e-mail or technician name
    action: str  # requested / approved / denied / cancelled
    reason: str = ""
    channel: str = DecisionChannel.APP.value

    def to_dict(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "actor": self.actor, "action": self.action,
                "reason": self.reason, "channel": self.channel}


@dataclass(frozen=True)
class EscalationRequest:
    ticket_ref: str
    requested_by: str
    fee: str  # money as text with currency, e.g. "$250"; never a float
    state: EscalationState = EscalationState.PENDING
    audit: tuple[AuditEntry, ...] = field(default_factory=tuple)

    @classmethod
    def open(cls, ticket_ref: str, priority: Priority, ticket_open: bool, requested_by: str,
             fee: str, reason: str = "", now: datetime | None = None) -> EscalationRequest:
        """Start a request; only an open P3 ticket qualifies."""
        if priority != Priority.NORMAL:
            raise EscalationError(f"Only Priority 3 tickets can be escalated; this one is {priority.label}.")
        if not ticket_open:
            raise EscalationError("A closed ticket cannot be escalated.")
        entry = AuditEntry(now or datetime.now(timezone.utc), requested_by, "requested", reason)
        return cls(ticket_ref=ticket_ref, requested_by=requested_by, fee=fee, audit=(entry,))

    def decide(self, approve: bool, actor: str, actor_is_primary_contact: bool, reason: str = "",
               channel: DecisionChannel = DecisionChannel.APP, now: datetime | None = None) -> EscalationRequest:
        """Approve or deny; in the app only the verified primary contact may decide."""
        if self.state.is_final:
            raise EscalationError(f"This escalation was already {self.state.value}.")
        if channel is DecisionChannel.APP and not actor_is_primary_contact:
            raise EscalationError("Only your company's primary IT contact can approve or deny an escalation.")
        if channel is DecisionChannel.PHONE and not reason.strip():
            raise EscalationError("Record who approved by phone, and when, in the reason.")
        state = EscalationState.APPROVED if approve else EscalationState.DENIED
        entry = AuditEntry(now or datetime.now(timezone.utc), actor, state.value, reason, channel.value)
        return replace(self, state=state, audit=self.audit + (entry,))

    def cancel(self, actor: str, reason: str = "", now: datetime | None = None) -> EscalationRequest:
        if self.state.is_final:
            raise EscalationError(f"This escalation was already {self.state.value}.")
        entry = AuditEntry(now or datetime.now(timezone.utc), actor, "cancelled", reason)
        return replace(self, state=EscalationState.CANCELLED, audit=self.audit + (entry,))
