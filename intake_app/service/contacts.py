"""Who a user is to the helpdesk: their contact record and whether they are the primary IT contact.

The helpdesk is the source (``Connector.find_contact``); the service's own
``contacts`` table is the local connector's store and, for helpdesks that have
no notion of a primary contact (RT, e-mail), the place where the admin marks
one (``intake-app admin contact set-primary``). Unknown users map to the
company's catch-all contact. Remote lookups are cached for a few minutes so
roles cost no helpdesk call per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from intake_app.core.validation import check_email
from intake_app.service.companies import Company
from intake_app.service.connectors.base import Connector, ConnectorKind, HelpdeskContact, HelpdeskUnavailable
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Conflict, Invalid, NotFound

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class ResolvedContact:
    contact: HelpdeskContact  # the helpdesk's record, or the catch-all
    catch_all: bool
    is_primary: bool


class LocalContacts:
    """The ``contacts`` table (per company, with an is_primary flag)."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def add(self, company: Company, name: str, email: str, phone: str = "", primary: bool = False) -> None:
        email = email.strip().lower()
        if (problem := check_email(email, required=True)) is not None:
            raise Invalid({"email": problem})
        with self.db.write() as conn:
            exists = conn.execute(select(s.contacts.c.id).where(
                s.contacts.c.company_id == company.id, s.contacts.c.email == email)).first()
            if exists is not None:
                raise Conflict(f"{email} is already a contact of {company.name}.")
            if primary:
                conn.execute(update(s.contacts).where(s.contacts.c.company_id == company.id).values(is_primary=False))
            conn.execute(insert(s.contacts).values(company_id=company.id, name=name.strip(), email=email,
                                                   phone=phone.strip(), is_primary=primary, created_at=self.clock()))

    def set_primary(self, company: Company, email: str) -> None:
        """Make ``email`` the company's (only) primary IT contact."""
        email = email.strip().lower()
        with self.db.write() as conn:
            found = conn.execute(select(s.contacts.c.id).where(
                s.contacts.c.company_id == company.id, s.contacts.c.email == email)).first()
            if found is None:
                raise NotFound(f"{email} is not a contact of {company.name}; add it first with admin contact add.")
            conn.execute(update(s.contacts).where(s.contacts.c.company_id == company.id).values(is_primary=False))
            conn.execute(update(s.contacts).where(s.contacts.c.id == found.id).values(is_primary=True))

    def list(self, company: Company) -> list[HelpdeskContact]:
        with self.db.read() as conn:
            rows = conn.execute(select(s.contacts).where(s.contacts.c.company_id == company.id)
                                .order_by(s.contacts.c.email))
            return [_contact(r, company.name) for r in rows]

    def find(self, company_name: str, email: str) -> HelpdeskContact | None:
        with self.db.read() as conn:
            row = conn.execute(select(s.contacts, s.companies.c.name.label("company_name")).join(s.companies).where(
                func.lower(s.companies.c.name) == company_name.strip().lower(),
                s.contacts.c.email == email.strip().lower())).first()
        return _contact(row, row.company_name) if row is not None else None


class ContactDirectory:
    """Resolve a user's e-mail to their helpdesk contact, the catch-all, and the primary flag."""

    def __init__(self, connector: Connector, local: LocalContacts) -> None:
        self.connector = connector
        self.local = local
        self._cache: dict[tuple[str, str], tuple[float, HelpdeskContact | None]] = {}
        self._lock = threading.Lock()

    def resolve(self, company: Company, email: str) -> ResolvedContact:
        email = email.strip().lower()
        found = self._lookup(company, email) if email else None
        override = self.local.find(company.name, email) if email else None
        primary = bool((found and found.is_primary_contact) or (override and override.is_primary_contact))
        if found is not None:
            return ResolvedContact(found, catch_all=False, is_primary=primary)
        catch_all = HelpdeskContact(company.catch_all.name, company.catch_all.email, company.catch_all.phone,
                                    company.name)
        return ResolvedContact(catch_all, catch_all=True, is_primary=primary)

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def _lookup(self, company: Company, email: str) -> HelpdeskContact | None:
        """The helpdesk's record; remote answers cached, the last one reused while the helpdesk is down."""
        key = (company.name.lower(), email)
        with self._lock:
            cached = self._cache.get(key)
        local = self.connector.kind is ConnectorKind.LOCAL  # its own table: no point caching
        if not local and cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            found = self.connector.find_contact(email, company.name)
        except HelpdeskUnavailable as exc:
            log.warning("contact lookup failed, using the last known answer: %s", exc)
            return cached[1] if cached is not None else None
        with self._lock:
            self._cache[key] = (time.monotonic(), found)
        return found


def _contact(row: Any, company: str) -> HelpdeskContact:
    return HelpdeskContact(row.name, row.email, row.phone, company, bool(row.is_primary), str(row.id))
