"""The MSP's policy for one company, as served by ``GET /api/v1/meta``.

Everything that is MSP policy lives in the service and reaches the client
through this document, so changing a phone number never means redeploying
files (SPEC §5, §7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from intake_app.core.priorities import GUIDE_PRIORITIES, Priority, PriorityDefinition
from intake_app.core.sla import BusinessCalendar, ResponseTarget, respond_by
from intake_app.core.statuses import DEFAULT_STATUS_MAP, StatusMap

DEFAULT_REFRESH_SECONDS = 120
GUIDE_SUPPORT_PHONE = "(713) 782-4357"


@dataclass(frozen=True)
class Link:
    label: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url}


@dataclass(frozen=True)
class Announcement:
    """A known issue shown before the user files a duplicate ("e-mail is down, we are on it")."""

    id: str
    title: str
    body: str = ""
    severity: str = "info"  # info / warning / outage
    starts: datetime | None = None
    ends: datetime | None = None

    def active(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return (self.starts is None or self.starts <= now) and (self.ends is None or now < self.ends)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "body": self.body, "severity": self.severity,
            "starts": self.starts.isoformat() if self.starts else None,
            "ends": self.ends.isoformat() if self.ends else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Announcement:
        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(str(data["id"]), str(data["title"]), str(data.get("body") or ""),
                   str(data.get("severity") or "info"), when("starts"), when("ends"))


@dataclass(frozen=True)
class Policy:
    company: str = ""
    support_phone: str = GUIDE_SUPPORT_PHONE
    support_email: str = ""
    portal_url: str = ""
    escalation_fee: str = "$250"
    escalation_enabled: bool = True
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    response_targets: tuple[ResponseTarget, ...] = ()
    priorities: tuple[PriorityDefinition, ...] = GUIDE_PRIORITIES
    statuses: StatusMap = DEFAULT_STATUS_MAP
    tray_links: tuple[Link, ...] = ()
    announcements: tuple[Announcement, ...] = ()
    refresh_seconds: int = DEFAULT_REFRESH_SECONDS
    connector: str = "local"  # local / rt / connectwise / email
    demo: bool = False

    @property
    def updates_by_email(self) -> bool:
        """The e-mail connector is send-only: status then reads "updates arrive by e-mail"."""
        return self.connector == "email"

    def respond_by(self, priority: Priority, filed_at: datetime) -> datetime | None:
        return respond_by(self.response_targets, self.calendar, priority, filed_at)

    def active_announcements(self, now: datetime | None = None) -> list[Announcement]:
        return [a for a in self.announcements if a.active(now)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "support_phone": self.support_phone,
            "support_email": self.support_email,
            "portal_url": self.portal_url,
            "escalation_fee": self.escalation_fee,
            "escalation_enabled": self.escalation_enabled,
            "calendar": self.calendar.to_dict(),
            "response_targets": [t.to_dict() for t in self.response_targets],
            "priorities": [p.to_dict() for p in self.priorities],
            "statuses": self.statuses.to_list(),
            "tray_links": [l.to_dict() for l in self.tray_links],
            "announcements": [a.to_dict() for a in self.announcements],
            "refresh_seconds": self.refresh_seconds,
            "connector": self.connector,
            "updates_by_email": self.updates_by_email,
            "demo": self.demo,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Parse a policy document; missing keys take the guide's defaults."""
        defaults = cls()
        return cls(
            company=str(data.get("company") or ""),
            support_phone=str(data.get("support_phone") or defaults.support_phone),
            support_email=str(data.get("support_email") or ""),
            portal_url=str(data.get("portal_url") or ""),
            escalation_fee=str(data.get("escalation_fee") or defaults.escalation_fee),
            escalation_enabled=bool(data.get("escalation_enabled", True)),
            calendar=BusinessCalendar.from_dict(data.get("calendar")),
            response_targets=tuple(ResponseTarget.from_dict(t) for t in data.get("response_targets") or ()),
            priorities=tuple(PriorityDefinition.from_dict(p) for p in data["priorities"])
            if data.get("priorities") else GUIDE_PRIORITIES,
            statuses=StatusMap.from_list(data["statuses"]) if data.get("statuses") else DEFAULT_STATUS_MAP,
            tray_links=tuple(Link(str(l["label"]), str(l["url"])) for l in data.get("tray_links") or ()),
            announcements=tuple(Announcement.from_dict(a) for a in data.get("announcements") or ()),
            refresh_seconds=max(15, int(data.get("refresh_seconds") or DEFAULT_REFRESH_SECONDS)),
            connector=str(data.get("connector") or "local"),
            demo=bool(data.get("demo", False)),
        )
