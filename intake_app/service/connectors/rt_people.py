"""Who is who in Request Tracker: users, display names, primary IT contacts, message bodies.

Cached per connector (thread-safe): RT checks the token with bcrypt on every
request, so each avoided call matters. Users change rarely and a transaction's
text never changes; the caches are bounded and simply cleared when full.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from intake_app.service.connectors.base import HelpdeskContact
from intake_app.service.connectors.rt_client import Rest2
from intake_app.service.connectors.rt_mapping import ref_id

MAX_CACHED = 2000


class RtPeople:
    def __init__(self, rest: Rest2, primary_contact_group: str) -> None:
        self.rest = rest
        self.primary_contact_group = primary_contact_group
        self._users: dict[str, dict[str, Any] | None] = {}
        self._texts: dict[str, str] = {}
        self._group_id: str | None = None
        self._lock = threading.Lock()

    def user(self, name_or_id: str) -> dict[str, Any] | None:
        if not name_or_id:
            return None
        with self._lock:
            if name_or_id in self._users:
                return self._users[name_or_id]
        user = self.rest.user(name_or_id)
        with self._lock:
            if len(self._users) >= MAX_CACHED:
                self._users.clear()
            self._users[name_or_id] = user
        return user

    def display_name(self, name_or_id: str) -> str | None:
        """A person's real name (or login); None for RT's "Nobody" (unassigned)."""
        if not name_or_id or name_or_id == "Nobody":
            return None
        user = self.user(name_or_id)
        if user is None:
            return name_or_id
        if str(user.get("Name")) == "Nobody":
            return None
        return str(user.get("RealName") or user.get("Name") or name_or_id)

    def requestor(self, refs: list[Any]) -> HelpdeskContact | None:
        """The ticket's first requestor as a contact."""
        if not refs:
            return None
        name = ref_id(refs[0])
        user = self.user(name) or {}
        return HelpdeskContact(name=str(user.get("RealName") or name), email=str(user.get("EmailAddress") or name),
                               company=str(user.get("Organization") or ""), helpdesk_id=name)

    def requestor_ids(self, refs: list[Any]) -> set[str]:
        """Logins and addresses of the requestors, case-folded (to recognise their e-mail replies)."""
        found: set[str] = set()
        for ref in refs:
            user = self.user(ref_id(ref)) or {}
            found |= {str(v).casefold() for v in (ref_id(ref), user.get("EmailAddress")) if v}
        return found

    def find_contact(self, email: str) -> HelpdeskContact | None:
        wanted = email.strip().casefold()
        for item in self.rest.users_by_email(email.strip()):
            disabled = str(item.get("Disabled") or "0") not in ("", "0")
            if str(item.get("EmailAddress") or "").casefold() != wanted or disabled:
                continue
            user = self.user(str(item.get("id") or item.get("Name"))) or item
            return HelpdeskContact(
                name=str(user.get("RealName") or user.get("Name") or ""), email=str(user.get("EmailAddress")),
                phone=str(user.get("WorkPhone") or user.get("MobilePhone") or user.get("HomePhone") or ""),
                company=str(user.get("Organization") or ""), is_primary_contact=self._is_primary(user),
                helpdesk_id=str(user.get("Name") or ""))
        return None

    def _is_primary(self, user: Mapping[str, Any]) -> bool:
        if not self.primary_contact_group:
            return False
        if self._group_id is None:
            self._group_id = self.rest.group_id(self.primary_contact_group) or ""
        return bool(self._group_id) and any(ref_id(m) == self._group_id for m in user.get("Memberships") or [])

    def text(self, transaction_id: str) -> str:
        """The plain-text body of a transaction."""
        with self._lock:
            if transaction_id in self._texts:
                return self._texts[transaction_id]
        parts = self.rest.transaction_parts(transaction_id)
        body = next((str(p.get("Content") or "") for p in parts
                     if str(p.get("ContentType", "")).startswith("text/plain") and not p.get("Filename")), "").strip()
        with self._lock:
            if len(self._texts) >= MAX_CACHED:
                self._texts.clear()
            self._texts[transaction_id] = body
        return body
