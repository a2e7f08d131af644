"""The user's actions on an existing ticket, and enrolment/verification, as data plus a sentence.

Like :mod:`intake_app.client.commands`: no printing, no argparse; the CLI shows the Result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from intake_app.client import render
from intake_app.client.commands import Result, drain
from intake_app.client.context import ClientContext
from intake_app.client.demo import DEMO_LABEL
from intake_app.client.errors import RejectedError
from intake_app.client.session import confirm_verification, enroll, refresh_identity, start_verification
from intake_app.client.state import ClientState
from intake_app.core.ticket import Attachment, Availability, Contact
from intake_app.errors import IntakeError
from intake_app.paths import AppPaths


def _notes(ctx: ClientContext) -> list[str]:
    return [DEMO_LABEL] if ctx.demo else []


def _status_line(ticket: dict[str, Any]) -> str:
    status = (ticket.get("status") or {}).get("name", "")
    return f"{render.number_of(ticket)} is now “{status}”." if status else f"{render.number_of(ticket)} updated."


def _summary(answer: dict[str, Any]) -> dict[str, Any]:
    ticket = answer.get("ticket", answer)
    return ticket if isinstance(ticket, dict) else answer


def identity(state: ClientState) -> dict[str, Any]:
    return {"service_url": state.service_url, "device_id": state.device_id, "device_name": state.device_name,
            "company": state.company, "user": {"name": state.user_name, "email": state.user_email,
                                               "verified": state.verified, "role": state.role},
            "demo": state.demo}


# ---- identity -------------------------------------------------------------------------------------

def enroll_device(paths: AppPaths, *, service_url: str, key: str, name: str, email: str,
                  device_name: str | None = None, ca_bundle: str | None = None) -> Result:
    state, api = enroll(paths, service_url, key, user_name=name, user_email=email, device_name=device_name,
                        ca_bundle=ca_bundle)
    api.close()
    verified = "verified" if state.verified else "not verified yet (run: intake-app verify)"
    text = (f"Enrolled {state.device_name} with {state.service_url} for {state.company or 'your company'}. "
            f"E-mail {state.user_email}: {verified}.")
    return Result(identity(state), text)


def verify(ctx: ClientContext, code: str | None) -> Result:
    state = ctx.state
    if code:
        state = confirm_verification(ctx.paths, state, ctx.api, code)
        state = refresh_identity(ctx.paths, state, ctx.api)
        role = " You are your company's primary IT contact." if state.is_primary_contact else ""
        return Result(identity(state), f"Verified {state.user_email}: you now see all your tickets.{role}", 0,
                      _notes(ctx))
    state = start_verification(ctx.paths, state, ctx.api)
    if state.verified:
        return Result(identity(state), f"Verified {state.user_email}.", 0, _notes(ctx))
    return Result({**identity(state), "code_sent": True},
                  f"A 6-digit code was sent to {state.user_email}. Run: intake-app verify --code CODE", 0,
                  _notes(ctx))


# ---- ticket actions -------------------------------------------------------------------------------

def reply(ctx: ClientContext, ref: str, text: str, attachments: Sequence[Attachment] = ()) -> Result:
    if not text.strip():
        raise IntakeError("Please write your reply (--text).")
    drain(ctx)
    ticket = _summary(ctx.api.reply(ref, text, attachments))
    return Result(ticket, "Reply sent. " + _status_line(ticket), 0, _notes(ctx))


def update(ctx: ClientContext, ref: str, *, availability: Availability | None, contact: Contact | None,
           contact_method: str | None, contact_method_detail: str | None) -> Result:
    if availability is None and contact is None and contact_method is None and contact_method_detail is None:
        raise IntakeError("Nothing to update: give --available/--any-time, --contact-method/--contact-detail, "
                          "or --name/--email/--phone.")
    ticket = ctx.api.update_ticket(ref, availability=availability.to_dict() if availability else None,
                                   contact=contact.to_dict() if contact else None, contact_method=contact_method,
                                   contact_method_detail=contact_method_detail)
    return Result(ticket, f"Updated {render.number_of(ticket)}.", 0, _notes(ctx))


def escalate(ctx: ClientContext, ref: str, reason: str) -> Result:
    answer = ctx.api.escalate(ref, reason)
    text = (f"Escalation requested (fee {answer.get('fee')}): it is pending until your company's primary IT "
            f"contact approves it. Escalation id: {answer.get('id')}.")
    return Result(answer, text, 0, _notes(ctx))


def decide(ctx: ClientContext, ref: str, *, approve: bool, reason: str) -> Result:
    if not approve and not reason.strip():
        raise IntakeError("Please give the reason for denying (--reason).")
    escalation_id = _escalation_id(ctx, ref)
    answer = ctx.api.decide_escalation(escalation_id, approve, reason)
    verb = "Approved" if approve else "Denied"
    return Result(answer, f"{verb} escalation {escalation_id}.", 0, _notes(ctx))


def _escalation_id(ctx: ClientContext, ref: str) -> str:
    """``ref`` may be an escalation id, or the ticket's number or reference (its pending escalation)."""
    pending = ctx.api.escalations("pending")
    for item in pending:
        if str(item.get("id")) == ref:
            return ref
    for item in pending:
        ticket = item.get("ticket")  # the ticket's Intake reference (or a summary of it)
        refs = {str(item.get(k)) for k in ("ticket_ref", "reference", "helpdesk_id")}
        refs |= {str(ticket.get(k)) for k in ("reference", "helpdesk_id")} if isinstance(ticket, dict) else {str(ticket)}
        if ref in refs or ref.lstrip("#") in refs:
            return str(item["id"])
    try:
        escalation = ctx.api.ticket(ref).get("escalation") or {}
    except RejectedError:
        escalation = {}
    if escalation.get("state") == "pending" and escalation.get("id") is not None:
        return str(escalation["id"])
    raise IntakeError(f"There is no pending escalation {ref} (give the escalation id or the ticket number).")


def close(ctx: ClientContext, ref: str, text: str | None) -> Result:
    ticket = _summary(ctx.api.close_ticket(ref, text))
    return Result(ticket, "Marked as fixed. " + _status_line(ticket), 0, _notes(ctx))


def reopen(ctx: ClientContext, ref: str, text: str) -> Result:
    if not text.strip():
        raise IntakeError("Please say what is still broken (--text).")
    ticket = _summary(ctx.api.reopen_ticket(ref, text))
    return Result(ticket, "Reopened. " + _status_line(ticket), 0, _notes(ctx))
