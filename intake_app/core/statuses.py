"""Ticket statuses: behaviour keys on *categories*, never on names (SPEC §4).

The guide's 13 statuses are the default data. Each connector maps its own
status names (per board or queue) onto categories; an unknown status counts as
*working* and is shown as-is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StatusCategory(StrEnum):
    NEW = "new"
    SCHEDULED = "scheduled"
    WORKING = "working"
    WAITING_ON_YOU = "waiting-on-you"
    PENDING_CLOSURE = "pending-closure"
    ON_HOLD = "on-hold"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self is not StatusCategory.CLOSED

    @property
    def needs_user(self) -> bool:
        """The user is asked to act (the tray shows a state until they do)."""
        return self in (StatusCategory.WAITING_ON_YOU, StatusCategory.PENDING_CLOSURE)


class UserAction(StrEnum):
    NONE = "none"
    APPOINTMENT = "appointment"  # show the appointment, if known
    REPLY = "reply"
    CLOSE_OR_REPLY = "close-or-reply"  # "still broken? reply" / "fixed, close it"
    REOPEN = "reopen"  # "not fixed? reopen"


@dataclass(frozen=True)
class StatusDefinition:
    name: str
    category: StatusCategory
    meaning: str
    action: UserAction = UserAction.NONE
    known: bool = True

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "category": self.category.value, "meaning": self.meaning, "action": self.action.value}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> StatusDefinition:
        return cls(
            name=data["name"],
            category=StatusCategory(data["category"]),
            meaning=data.get("meaning", ""),
            action=UserAction(data.get("action", UserAction.NONE.value)),
        )


# Names as the guide spells them; the service guide uses an en dash in the first one.
NEW_EMAILED = "New – Emailed Client"
NEW_PORTAL = "New (Portal)"
NEW_EMAIL_CONNECTOR = "New (Email Connector)"
REOPENED = "Re-opened"
SCHEDULED_REQUIRED = "Scheduled Required"
SCHEDULED_IN_HOUSE = "Scheduled in-house"
WORKING_ISSUE_NOW = "Working Issue Now"
CLIENT_RESPONDED = "Client Responded"
WAITING_PARTS = "Waiting parts/repair"
ON_HOLD = "On-Hold"
WAITING_ON_CLIENT = "Waiting on client"
PENDING_CLOSURE = "Pending Closure"
COMPLETED = "Completed"

GUIDE_STATUSES: tuple[StatusDefinition, ...] = (
    StatusDefinition(NEW_EMAILED, StatusCategory.NEW, "Created by the helpdesk."),
    StatusDefinition(NEW_PORTAL, StatusCategory.NEW, "Placed from the portal or this app."),
    StatusDefinition(NEW_EMAIL_CONNECTOR, StatusCategory.NEW, "Placed by e-mail."),
    StatusDefinition(REOPENED, StatusCategory.NEW, "You replied to a closed ticket, so it was opened again."),
    StatusDefinition(SCHEDULED_REQUIRED, StatusCategory.SCHEDULED, "Waiting to be assigned to a technician."),
    StatusDefinition(
        SCHEDULED_IN_HOUSE, StatusCategory.SCHEDULED, "Scheduled with you and a technician.", UserAction.APPOINTMENT
    ),
    StatusDefinition(WORKING_ISSUE_NOW, StatusCategory.WORKING, "A technician is working on it now."),
    StatusDefinition(CLIENT_RESPONDED, StatusCategory.WORKING, "You replied; the technician will pick it up."),
    StatusDefinition(WAITING_PARTS, StatusCategory.ON_HOLD, "Waiting on parts or a repair."),
    StatusDefinition(ON_HOLD, StatusCategory.ON_HOLD, "On hold (for example until the next time on site)."),
    StatusDefinition(
        WAITING_ON_CLIENT, StatusCategory.WAITING_ON_YOU, "The technician needs something from you.", UserAction.REPLY
    ),
    StatusDefinition(
        PENDING_CLOSURE,
        StatusCategory.PENDING_CLOSURE,
        "It will close automatically in 1 business day unless you reply.",
        UserAction.CLOSE_OR_REPLY,
    ),
    StatusDefinition(COMPLETED, StatusCategory.CLOSED, "Resolved.", UserAction.REOPEN),
)

# What the helpdesk does on each user action (the connector applies these; the client never infers them).
STATUS_AFTER_REPLY_OPEN = CLIENT_RESPONDED
STATUS_AFTER_REPLY_CLOSED = REOPENED
STATUS_AFTER_CLOSE = COMPLETED
STATUS_ON_CREATE = NEW_PORTAL


def _fold(name: str) -> str:
    """Compare names loosely: case, dashes and spacing differ between helpdesks (RT lower-cases)."""
    return " ".join(name.replace("–", "-").replace("—", "-").casefold().split())


class StatusMap:
    """Status name -> definition for one helpdesk (or one board/queue)."""

    def __init__(self, definitions: tuple[StatusDefinition, ...] | list[StatusDefinition] = GUIDE_STATUSES) -> None:
        self._definitions = tuple(definitions)
        self._by_name = {_fold(d.name): d for d in self._definitions}

    @property
    def definitions(self) -> tuple[StatusDefinition, ...]:
        return self._definitions

    def resolve(self, name: str) -> StatusDefinition:
        """The definition for ``name``; unknown names count as working and keep their own wording."""
        found = self._by_name.get(_fold(name))
        if found is not None:
            return found
        return StatusDefinition(name, StatusCategory.WORKING, "", UserAction.NONE, known=False)

    def category(self, name: str) -> StatusCategory:
        return self.resolve(name).category

    def canonical(self, name: str) -> str:
        """The map's spelling of ``name`` (e.g. RT's ``pending closure`` -> ``Pending Closure``)."""
        return self.resolve(name).name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusMap) and self._definitions == other._definitions

    def __hash__(self) -> int:
        return hash(self._definitions)

    def to_list(self) -> list[dict[str, str]]:
        return [d.to_dict() for d in self._definitions]

    @classmethod
    def from_list(cls, items: list[dict[str, str]]) -> StatusMap:
        return cls(tuple(StatusDefinition.from_dict(i) for i in items))


DEFAULT_STATUS_MAP = StatusMap()
