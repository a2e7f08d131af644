"""An RT ticket's history as Intake timeline events (public information only).

Kept: Create, Status, Priority, Owner and Starts changes, correspondence (the
user's replies and the technicians' public answers), and Intake's own contact
update and escalation comments. Dropped: every other comment (internal), e-mail
records, watcher and link changes, custom-field bookkeeping.

RT's auto-open scrip can move a ticket twice within one request (``new (portal)``
→ ``working issue now`` → ``client responded``); status steps in the same second
are folded into one so the user sees the change that was meant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from intake_app.core.statuses import StatusMap
from intake_app.service.connectors.base import EventKind, HelpdeskEvent
from intake_app.service.connectors.rt_mapping import (
    CONTACT_MARK,
    ESCALATION_MARK,
    REPLY_MARK,
    PriorityScale,
    parse_time,
)

OWNER_TYPES = frozenset({"Set", "Give", "Take", "Steal", "Untake", "Force"})
FOLD_WITHIN = timedelta(seconds=1)


def author_name(creator: Any) -> str:
    if isinstance(creator, dict):
        return str(creator.get("RealName") or creator.get("Name") or creator.get("id") or "")
    return str(creator or "")


def marked_author(subject: str, mark: str) -> str:
    """``[Intake reply] Alice Example <alice@example.com>`` -> ``Alice Example``."""
    rest = subject[len(mark):].strip()
    return rest.split(" <", 1)[0].strip() or rest


def build_events(history: Iterable[dict[str, Any]], *, statuses: StatusMap, scale: PriorityScale,
                 requestors: set[str], user_name: Callable[[str], str | None],
                 text_of: Callable[[str], str]) -> list[HelpdeskEvent]:
    """Events oldest first; ``user_name(id)`` names an owner, ``text_of(txn)`` fetches a message body."""
    events: list[HelpdeskEvent] = []
    for item in history:
        at = parse_time(item.get("Created"))
        if at is None:
            continue
        kind, field = str(item.get("Type") or ""), str(item.get("Field") or "")
        old, new = item.get("OldValue"), item.get("NewValue")
        subject = str(item.get("Data") or "").strip()
        who = author_name(item.get("Creator"))
        event: HelpdeskEvent | None = None
        if kind == "Create":
            event = HelpdeskEvent(at, EventKind.CREATED, who)
        elif kind == "Status" or (kind == "Set" and field == "Status"):
            event = _status(at, who, str(old or ""), str(new or ""), statuses, events)
        elif kind == "Set" and field == "Priority":
            p_old, p_new = scale.priority(old), scale.priority(new)
            event = HelpdeskEvent(at, EventKind.PRIORITY, who, "", _plabel(p_old), _plabel(p_new))
        elif field == "Owner" and kind in OWNER_TYPES:
            event = HelpdeskEvent(at, EventKind.ASSIGNEE, who, "", user_name(str(old or "")), user_name(str(new or "")))
        elif kind == "Set" and field == "Starts":
            start = parse_time(new)
            event = HelpdeskEvent(at, EventKind.APPOINTMENT, who, "", None, start.isoformat() if start else None)
        elif kind == "Correspond":
            event = _correspond(item, at, who, subject, requestors, text_of)
        elif kind == "Comment" and subject.startswith(CONTACT_MARK):
            event = HelpdeskEvent(at, EventKind.CONTACT_UPDATE, marked_author(subject, CONTACT_MARK),
                                  text_of(str(item.get("id"))))
        elif kind == "Comment" and subject.startswith(ESCALATION_MARK):
            event = HelpdeskEvent(at, EventKind.ESCALATION, who, text_of(str(item.get("id"))))
        if event is not None:
            events.append(event)
    return events


def _status(at: Any, who: str, old: str, new: str, statuses: StatusMap,
            events: list[HelpdeskEvent]) -> HelpdeskEvent | None:
    old_name, new_name = statuses.canonical(old) if old else None, statuses.canonical(new)
    previous = events[-1] if events else None
    if previous is not None and previous.kind is EventKind.STATUS and at - previous.at <= FOLD_WITHIN:
        events.pop()  # an automatic step (auto-open) immediately followed by the intended one
        old_name, who = previous.old, previous.author if previous.author != "The RT System itself" else who
        if old_name == new_name:
            return None
    return HelpdeskEvent(at, EventKind.STATUS, who, "", old_name, new_name)


def _correspond(item: dict[str, Any], at: Any, who: str, subject: str, requestors: set[str],
                text_of: Callable[[str], str]) -> HelpdeskEvent:
    text = text_of(str(item.get("id")))
    creator = item.get("Creator") if isinstance(item.get("Creator"), dict) else {}
    creator_ids = {str(creator.get(k) or "").casefold() for k in ("Name", "EmailAddress", "id")} - {""}
    if subject.startswith(REPLY_MARK):
        return HelpdeskEvent(at, EventKind.REPLY, marked_author(subject, REPLY_MARK), text)
    if creator_ids & requestors:  # the requestor answered by e-mail
        return HelpdeskEvent(at, EventKind.REPLY, who, text)
    return HelpdeskEvent(at, EventKind.NOTE, who, text)


def _plabel(priority: int | None) -> str | None:
    return f"P{priority}" if priority else None
