"""P1–P4 as the helpdesk's service guide defines them, and the guide's questions.

The user *requests* a priority; the helpdesk *assigns* one. The definitions are
default data: a service may serve its own through ``/api/v1/meta``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Priority(IntEnum):
    EMERGENCY = 1
    QUICK = 2
    NORMAL = 3
    SCHEDULED = 4

    @property
    def label(self) -> str:
        return f"P{int(self)}"

    @classmethod
    def parse(cls, value: object) -> Priority:
        """Accept 1, "1", "P1", "p1"; raise ValueError with the accepted forms otherwise."""
        text = str(value).strip().upper().removeprefix("P")
        try:
            return cls(int(text))
        except ValueError:
            raise ValueError(f"priority must be 1-4 or P1-P4, not {value!r}") from None


@dataclass(frozen=True)
class PriorityDefinition:
    priority: Priority
    name: str
    definition: str
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "priority": int(self.priority),
            "name": self.name,
            "definition": self.definition,
            "examples": list(self.examples),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PriorityDefinition:
        return cls(
            priority=Priority.parse(data["priority"]),
            name=str(data["name"]),
            definition=str(data["definition"]),
            examples=tuple(str(x) for x in data.get("examples", ()) or ()),  # type: ignore[union-attr]
        )


GUIDE_PRIORITIES: tuple[PriorityDefinition, ...] = (
    PriorityDefinition(
        Priority.EMERGENCY,
        "Emergency Response",
        "Mission-critical systems failure with a direct impact on the entire organization and no "
        "workaround available. Critical IT security events that may impact business operations.",
        ("Widespread network outage", "Payroll system", "Sales system", "Email system", "Server outage",
         "Cybersecurity intrusion", "Abrupt user termination"),
    ),
    PriorityDefinition(
        Priority.QUICK,
        "Quick Response",
        "Single user or group outage preventing the affected user(s) from performing work-related tasks "
        "with no workaround available.",
        ("Failed hard drive", "Broken monitor", "Continuous OS lockups", "Remote access (VPN) connection issues"),
    ),
    PriorityDefinition(
        Priority.NORMAL,
        "Normal Response",
        "New user setup, common break-fix issues that impact a single user or group and are solved with a "
        "workaround, software installation requests, planned events.",
        ("New user setup", "Malfunctioning printer", "PC sound problem"),
    ),
    PriorityDefinition(
        Priority.SCHEDULED,
        "Scheduled Maintenance",
        "Scheduled work.",
        ("New workstation installation", "New equipment/software order",
         "New hardware/software installation", "System updates"),
    ),
)


def definition_for(priority: Priority, definitions: tuple[PriorityDefinition, ...] = GUIDE_PRIORITIES) -> PriorityDefinition:
    for item in definitions:
        if item.priority == priority:
            return item
    raise KeyError(priority)


class Affected(StrEnum):
    """Who is affected (the guide's first question)."""

    ME = "me"
    GROUP = "group"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class PriorityAnswers:
    """Answers to the guide's questions; ``None`` means "not answered yet"."""

    affected: Affected | None = None
    has_workaround: bool | None = None
    planned_work: bool | None = None
    security_event: bool | None = None


@dataclass(frozen=True)
class PrioritySuggestion:
    priority: Priority
    reason: str


def suggest_priority(answers: PriorityAnswers) -> PrioritySuggestion:
    """Propose a priority from the guide's questions, with the reason in the guide's words.

    Order matters: a security event is P1 whoever is affected; planned work is P4;
    a workaround makes it P3; otherwise the breadth of the outage decides P1 or P2.
    """
    if answers.security_event:
        return PrioritySuggestion(Priority.EMERGENCY, "A critical IT security event is Priority 1 (Emergency Response).")
    if answers.planned_work:
        return PrioritySuggestion(Priority.SCHEDULED, "Planned, scheduled work is Priority 4 (Scheduled Maintenance).")
    if answers.has_workaround:
        return PrioritySuggestion(
            Priority.NORMAL, "An issue with a workaround is Priority 3 (Normal Response)."
        )
    if answers.affected == Affected.ORGANIZATION:
        if answers.has_workaround is False:
            return PrioritySuggestion(
                Priority.EMERGENCY,
                "The whole organization is affected and there is no workaround: Priority 1 (Emergency Response).",
            )
        return PrioritySuggestion(
            Priority.QUICK, "The whole organization is affected; tell us whether there is a workaround to confirm P1."
        )
    if answers.affected in (Affected.ME, Affected.GROUP) and answers.has_workaround is False:
        who = "You cannot work" if answers.affected == Affected.ME else "A group cannot work"
        return PrioritySuggestion(Priority.QUICK, f"{who} and there is no workaround: Priority 2 (Quick Response).")
    return PrioritySuggestion(Priority.NORMAL, "Most issues are Priority 3 (Normal Response) unless work is blocked.")
