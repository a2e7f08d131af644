"""What changed on the user's tickets since the last look: the tray's notifications (SPEC §1, §4).

The app polls ``GET /tickets`` (docs/API.md ``TicketSummary``) and, for tickets
that changed, ``GET /tickets/{ref}`` (its timeline). This module compares the
previous and the new picture and says, as data, what the user should hear
about: a new status, a new assigned priority (flagged *miscoded* when it differs
from what the user asked for), a new technician, a new appointment, and each new
public technician note. The UI turns each :class:`Change` into one translated
tray message; nothing here formats text, so every word stays translatable.

Pure functions over frozen data: safe to call from any thread, testable alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from intake_app.core.statuses import StatusCategory


def category_of(value: object) -> StatusCategory:
    """The category a service sent; anything unknown counts as working (SPEC §4)."""
    try:
        return StatusCategory(str(value))
    except ValueError:
        return StatusCategory.WORKING


@dataclass(frozen=True)
class Note:
    """A public technician note from a ticket's timeline."""

    at: str
    author: str
    text: str


@dataclass(frozen=True)
class TicketState:
    """What the user can notice about one ticket; built from a TicketSummary (plus its timeline)."""

    ref: str  # the Intake reference: stable before and after the helpdesk number exists
    number: str  # "#1042" once the helpdesk has it, else the reference
    summary: str = ""
    status: str = ""
    category: StatusCategory = StatusCategory.NEW
    requested_priority: int | None = None
    assigned_priority: int | None = None
    technician: str = ""
    appointment: tuple[str, str] | None = None
    updated_at: str = ""
    needs_user: bool = False
    on_helpdesk: bool = False  # False while the ticket is still on its way (no helpdesk number)
    escalation: str = ""  # the paid escalation's state: pending / approved / denied / cancelled
    notes: tuple[Note, ...] | None = None  # None: the timeline has not been read yet

    @classmethod
    def from_summary(cls, data: Mapping[str, Any], timeline: Sequence[Mapping[str, Any]] | None = None
                     ) -> TicketState:
        status = data.get("status") if isinstance(data.get("status"), Mapping) else {}
        category = category_of(status.get("category"))
        appointment = data.get("appointment") if isinstance(data.get("appointment"), Mapping) else None
        helpdesk_id = data.get("helpdesk_id")
        needs_user = data.get("needs_user")
        escalation = data.get("escalation") if isinstance(data.get("escalation"), Mapping) else {}
        return cls(
            ref=str(data.get("reference") or data.get("helpdesk_id") or ""),
            number=f"#{helpdesk_id}" if helpdesk_id else str(data.get("reference") or ""),
            summary=str(data.get("summary") or ""),
            status=str(status.get("name") or ""),
            category=category,
            requested_priority=_int(data.get("requested_priority")),
            assigned_priority=_int(data.get("assigned_priority")),
            technician=str(data.get("technician") or ""),
            appointment=(str(appointment.get("start") or ""), str(appointment.get("end") or ""))
            if appointment else None,
            updated_at=str(data.get("updated_at") or ""),
            needs_user=bool(needs_user) if needs_user is not None else category.needs_user,
            on_helpdesk=bool(helpdesk_id),
            escalation=str(escalation.get("state") or ""),
            notes=notes_of(timeline) if timeline is not None else None,
        )


def notes_of(timeline: Sequence[Mapping[str, Any]]) -> tuple[Note, ...]:
    """The public technician notes of a timeline (``kind == "note"``), oldest first."""
    return tuple(Note(str(e.get("at") or ""), str(e.get("author") or ""), str(e.get("text") or ""))
                 for e in timeline if isinstance(e, Mapping) and e.get("kind") == "note")


class ChangeKind(StrEnum):
    STATUS = "status"
    PRIORITY = "priority"
    TECHNICIAN = "technician"
    NOTE = "note"  # a technician wrote
    APPOINTMENT = "appointment"


@dataclass(frozen=True)
class Change:
    """One thing worth one tray message; ``ref`` opens the ticket when the message is clicked."""

    kind: ChangeKind
    ref: str
    number: str
    summary: str
    old: str | None = None
    new: str | None = None
    category: StatusCategory | None = None  # STATUS: the new status's category
    requested_priority: int | None = None  # PRIORITY: what the user asked for
    miscoded: bool = False  # PRIORITY: assigned differs from requested ("Think this is miscoded? Call …")
    escalated: bool = False  # PRIORITY: raised because the user's paid escalation was approved
    author: str = ""  # NOTE
    text: str = ""  # NOTE
    until: str | None = None  # APPOINTMENT: its end (``new`` is its start)


@dataclass(frozen=True)
class Diff:
    changes: tuple[Change, ...]
    states: dict[str, TicketState]  # the new picture, notes carried over where not re-read
    needs_user: frozenset[str]  # refs waiting on the user (waiting-on-you, pending-closure)


def index(states: Iterable[TicketState]) -> dict[str, TicketState]:
    return {s.ref: s for s in states}


def refs_to_read(previous: Mapping[str, TicketState] | None, summaries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Tickets whose timeline must be read to find new notes: known before, and updated since.

    On the first look (``previous`` None) nothing is read: that picture is the
    baseline and announces nothing.
    """
    if previous is None:
        return []
    wanted = []
    for summary in summaries:
        ref = str(summary.get("reference") or "")
        before = previous.get(ref)
        if before is not None and before.on_helpdesk and str(summary.get("updated_at") or "") != before.updated_at:
            wanted.append(ref)
    return wanted


def diff(previous: Mapping[str, TicketState] | None, current: Iterable[TicketState]) -> Diff:
    """Compare two pictures of the user's tickets.

    The first picture (``previous`` None) is a baseline: no changes. A ticket seen
    for the first time, or one that only now reached the helpdesk, announces
    nothing either (the app already said "Ticket sent").
    """
    states: dict[str, TicketState] = {}
    changes: list[Change] = []
    for state in current:
        before = previous.get(state.ref) if previous is not None else None
        if before is not None and state.notes is None:
            state = replace(state, notes=before.notes)
        states[state.ref] = state
        if before is not None and before.on_helpdesk:
            changes.extend(changes_between(before, state))
    return Diff(tuple(changes), states, needs_user_refs(states.values()))


def needs_user_refs(states: Iterable[TicketState]) -> frozenset[str]:
    return frozenset(s.ref for s in states if s.needs_user)


def changes_between(before: TicketState, after: TicketState) -> list[Change]:
    """What one ticket's user should hear about, in the order it is most useful to read."""
    base = {"ref": after.ref, "number": after.number, "summary": after.summary}
    found: list[Change] = []
    if after.status != before.status and after.status:
        found.append(Change(ChangeKind.STATUS, old=before.status, new=after.status, category=after.category, **base))
    if after.assigned_priority != before.assigned_priority and after.assigned_priority is not None:
        requested = after.requested_priority
        # an approved escalation raises the priority on purpose: that is news, not a miscoding
        escalated = after.escalation == "approved" and requested is not None and after.assigned_priority < requested
        found.append(Change(ChangeKind.PRIORITY, old=_p(before.assigned_priority), new=_p(after.assigned_priority),
                            requested_priority=requested, escalated=escalated,
                            miscoded=requested is not None and after.assigned_priority != requested and not escalated,
                            **base))
    if after.technician != before.technician and after.technician:
        found.append(Change(ChangeKind.TECHNICIAN, old=before.technician or None, new=after.technician, **base))
    if after.appointment != before.appointment and after.appointment is not None:
        found.append(Change(ChangeKind.APPOINTMENT, old=before.appointment[0] if before.appointment else None,
                            new=after.appointment[0], until=after.appointment[1], **base))
    for note in new_notes(before, after):
        found.append(Change(ChangeKind.NOTE, author=note.author, text=note.text, new=note.at, **base))
    return found


def new_notes(before: TicketState, after: TicketState) -> list[Note]:
    """Notes in ``after`` the user has not seen.

    With both timelines known, a set difference. When this is the first timeline
    read for the ticket, the notes written after the last version seen count as new.
    """
    if after.notes is None:
        return []
    if before.notes is not None:
        seen = set(before.notes)
        return [n for n in after.notes if n not in seen]
    since = _instant(before.updated_at)
    if since is None:
        return []
    return [n for n in after.notes if (at := _instant(n.at)) is not None and at > since]


def _instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _int(value: object) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _p(value: int | None) -> str | None:
    return f"P{value}" if value is not None else None
