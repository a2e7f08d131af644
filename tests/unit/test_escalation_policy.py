"""Escalation rules and audit; the policy document round trip."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intake_app.core.escalation import DecisionChannel, EscalationError, EscalationRequest, EscalationState
from intake_app.core.policy import Announcement, Link, Policy
from intake_app.core.priorities import Priority
from intake_app.core.sla import BusinessCalendar, ResponseTarget

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


def pending() -> EscalationRequest:
    return EscalationRequest.open("INT-000001", Priority.NORMAL, True, "alex@example.com", "$250", "deadline", T0)


def test_only_open_p3_can_be_escalated() -> None:
    with pytest.raises(EscalationError, match="Only Priority 3"):
        EscalationRequest.open("INT-1", Priority.QUICK, True, "a@example.com", "$250")
    with pytest.raises(EscalationError, match="closed"):
        EscalationRequest.open("INT-1", Priority.NORMAL, False, "a@example.com", "$250")


def test_primary_contact_approves_and_it_is_audited() -> None:
    decided = pending().decide(True, "boss@example.com", True, "ok, urgent", now=T0 + timedelta(hours=1))
    assert decided.state is EscalationState.APPROVED
    assert [(a.actor, a.action) for a in decided.audit] == [("alex@example.com", "requested"), ("boss@example.com", "approved")]
    assert decided.audit[1].reason == "ok, urgent"


def test_non_primary_contact_cannot_decide_in_app() -> None:
    with pytest.raises(EscalationError, match="primary IT contact"):
        pending().decide(True, "alex@example.com", False)


def test_phone_approval_recorded_by_technician_needs_a_reason() -> None:
    with pytest.raises(EscalationError, match="by phone"):
        pending().decide(True, "Dana (technician)", False, "", DecisionChannel.PHONE)
    decided = pending().decide(True, "Dana (technician)", False, "Boss approved by phone 10:05", DecisionChannel.PHONE)
    assert decided.audit[-1].channel == "phone"


def test_decided_escalation_is_final() -> None:
    denied = pending().decide(False, "boss@example.com", True, "not worth it")
    assert denied.state is EscalationState.DENIED
    with pytest.raises(EscalationError, match="already denied"):
        denied.decide(True, "boss@example.com", True)
    with pytest.raises(EscalationError, match="already denied"):
        denied.cancel("alex@example.com")


def test_policy_round_trip_and_defaults() -> None:
    policy = Policy(
        company="Acme", support_phone="(713) 782-4357", portal_url="https://portal.example.com",
        calendar=BusinessCalendar(timezone="America/Chicago", holiday_country="US"),
        response_targets=(ResponseTarget(Priority.EMERGENCY, 60, True), ResponseTarget(Priority.NORMAL, 480)),
        tray_links=(Link("Portal", "https://portal.example.com"),),
        announcements=(Announcement("a1", "E-mail is down", "We are on it", "outage", T0, T0 + timedelta(hours=2)),),
        connector="email",
    )
    data = policy.to_dict()
    assert data["updates_by_email"] is True
    assert Policy.from_dict(data) == policy
    assert Policy.from_dict({}) == Policy()


def test_announcements_active_window() -> None:
    a = Announcement("a1", "E-mail is down", starts=T0, ends=T0 + timedelta(hours=1))
    policy = Policy(announcements=(a,))
    assert policy.active_announcements(T0 + timedelta(minutes=5)) == [a]
    assert policy.active_announcements(T0 + timedelta(hours=2)) == []


def test_policy_respond_by_only_when_configured() -> None:
    policy = Policy(response_targets=(ResponseTarget(Priority.EMERGENCY, 60, True),))
    assert policy.respond_by(Priority.EMERGENCY, T0) is not None
    assert policy.respond_by(Priority.SCHEDULED, T0) is None


def test_refresh_interval_has_a_floor() -> None:
    assert Policy.from_dict({"refresh_seconds": 1}).refresh_seconds == 15
