"""Companies, their enrolment keys, policy and announcements (SPEC §5 "Policy").

The policy document is stored as JSON per company and parsed with
``core.policy.Policy`` on the way in (so a bad document is refused with the
parser's message) and on the way out (``/meta``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from intake_app.core.policy import Announcement, Policy
from intake_app.core.statuses import DEFAULT_STATUS_MAP, StatusMap
from intake_app.core.ticket import Contact
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Conflict, Invalid, NotFound
from intake_app.service.secrets_util import digest, new_id, new_token


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    catch_all: Contact
    policy_data: dict[str, Any]


@dataclass(frozen=True)
class EnrolmentKey:
    id: int
    company: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


class Companies:
    def __init__(self, db: Database, clock: Callable[[], datetime], connector_kind: str, demo: bool = False,
                 default_statuses: Callable[[], StatusMap] = lambda: DEFAULT_STATUS_MAP) -> None:
        self.db = db
        self.clock = clock
        self.connector_kind = connector_kind
        self.demo = demo
        self.default_statuses = default_statuses

    # -- companies -----------------------------------------------------------------

    def add(self, name: str, catch_all: Contact | None = None, policy: dict[str, Any] | None = None) -> Company:
        name = name.strip()
        if not name:
            raise Invalid({"name": "Please give the company's name."})
        data = self._checked_policy(policy or {})
        now = self.clock()
        catch_all = catch_all or Contact()
        with self.db.write() as conn:
            if self._row_by_name(conn, name) is not None:
                raise Conflict(f"A company named “{name}” already exists.")
            conn.execute(insert(s.companies).values(
                name=name, catch_all_name=catch_all.name, catch_all_email=catch_all.email.strip().lower(),
                catch_all_phone=catch_all.phone, policy_json=json.dumps(data), created_at=now, updated_at=now))
        return self.by_name(name)

    def list(self) -> list[Company]:
        with self.db.read() as conn:
            return [_company(r) for r in conn.execute(select(s.companies).order_by(s.companies.c.name))]

    def get(self, company_id: int) -> Company:
        with self.db.read() as conn:
            row = conn.execute(select(s.companies).where(s.companies.c.id == company_id)).first()
        if row is None:
            raise NotFound(f"No company with id {company_id}.")
        return _company(row)

    def by_name(self, name: str) -> Company:
        with self.db.read() as conn:
            row = self._row_by_name(conn, name.strip())
        if row is None:
            raise NotFound(f"No company named “{name}”. List them with: intake-app admin company list")
        return _company(row)

    def find_by_name(self, name: str) -> Company | None:
        with self.db.read() as conn:
            row = self._row_by_name(conn, name.strip())
        return _company(row) if row is not None else None

    def set_catch_all(self, company: Company, contact: Contact) -> None:
        with self.db.write() as conn:
            conn.execute(update(s.companies).where(s.companies.c.id == company.id).values(
                catch_all_name=contact.name, catch_all_email=contact.email.strip().lower(),
                catch_all_phone=contact.phone, updated_at=self.clock()))

    @staticmethod
    def _row_by_name(conn: Connection, name: str) -> Any:
        return conn.execute(select(s.companies).where(func.lower(s.companies.c.name) == name.lower())).first()

    # -- policy --------------------------------------------------------------------

    def set_policy(self, company: Company, data: dict[str, Any]) -> Policy:
        checked = self._checked_policy(data)
        with self.db.write() as conn:
            conn.execute(update(s.companies).where(s.companies.c.id == company.id).values(
                policy_json=json.dumps(checked), updated_at=self.clock()))
        return self.policy(company.id)

    def policy(self, company_id: int, now: datetime | None = None) -> Policy:
        """The company's effective policy: stored document + name, connector, demo flag, announcements.

        Without ``statuses`` in the document, the connector's own status map is served.
        """
        company = self.get(company_id)
        policy = Policy.from_dict(company.policy_data)
        if "statuses" not in company.policy_data:
            policy = replace(policy, statuses=self.default_statuses())
        announcements = tuple(a for a in self.announcements(company) if a.active(now or self.clock()))
        return replace(policy, company=company.name, connector=self.connector_kind,
                       demo=policy.demo or self.demo, announcements=policy.announcements + announcements)

    @staticmethod
    def _checked_policy(data: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise Invalid({"policy": "The policy must be a table/object."})
        try:
            Policy.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid({"policy": f"The policy is not valid: {exc}"}) from None
        return data

    # -- enrolment keys ------------------------------------------------------------

    def add_key(self, company: Company, key: str | None = None, label: str = "") -> tuple[int, str]:
        """A new enrolment key for ``company`` (random unless given); returns (id, key)."""
        key = key.strip() if key else new_token()[:24]
        if len(key) < 4:
            raise Invalid({"key": "An enrolment key needs at least 4 characters."})
        with self.db.write() as conn:
            if conn.execute(select(s.enrolment_keys.c.id).where(s.enrolment_keys.c.key_hash == digest(key))).first():
                raise Conflict("That enrolment key is already in use.")
            result = conn.execute(insert(s.enrolment_keys).values(
                company_id=company.id, key_hash=digest(key), label=label, created_at=self.clock()))
            return int(result.inserted_primary_key[0]), key

    def keys(self, company: Company | None = None) -> list[EnrolmentKey]:
        query = select(s.enrolment_keys, s.companies.c.name).join(s.companies)
        if company is not None:
            query = query.where(s.enrolment_keys.c.company_id == company.id)
        with self.db.read() as conn:
            return [EnrolmentKey(r.id, r.name, r.label, r.created_at, r.revoked_at)
                    for r in conn.execute(query.order_by(s.enrolment_keys.c.id))]

    def revoke_key(self, key_id: int) -> None:
        with self.db.write() as conn:
            done = conn.execute(update(s.enrolment_keys).where(s.enrolment_keys.c.id == key_id)
                                .values(revoked_at=self.clock())).rowcount
        if not done:
            raise NotFound(f"No enrolment key with id {key_id}.")

    def company_for_key(self, key: str) -> Company | None:
        with self.db.read() as conn:
            row = conn.execute(select(s.enrolment_keys.c.company_id).where(
                s.enrolment_keys.c.key_hash == digest(key), s.enrolment_keys.c.revoked_at.is_(None))).first()
        return self.get(row.company_id) if row is not None else None

    # -- announcements -------------------------------------------------------------

    def add_announcement(self, company: Company, title: str, body: str = "", severity: str = "info",
                         starts: datetime | None = None, ends: datetime | None = None) -> Announcement:
        if not title.strip():
            raise Invalid({"title": "An announcement needs a title."})
        if severity not in ("info", "warning", "outage"):
            raise Invalid({"severity": "Severity must be info, warning or outage."})
        item = Announcement(new_id(), title.strip(), body, severity, starts, ends)
        with self.db.write() as conn:
            conn.execute(insert(s.announcements).values(
                id=item.id, company_id=company.id, title=item.title, body=body, severity=severity,
                starts=starts, ends=ends, created_at=self.clock()))
        return item

    def remove_announcement(self, announcement_id: str) -> None:
        with self.db.write() as conn:
            done = conn.execute(s.announcements.delete().where(s.announcements.c.id == announcement_id)).rowcount
        if not done:
            raise NotFound(f"No announcement with id {announcement_id}.")

    def announcements(self, company: Company) -> list[Announcement]:
        with self.db.read() as conn:
            rows = conn.execute(select(s.announcements).where(s.announcements.c.company_id == company.id)
                                .order_by(s.announcements.c.created_at))
            return [Announcement(r.id, r.title, r.body, r.severity, r.starts, r.ends) for r in rows]


def _company(row: Any) -> Company:
    return Company(row.id, row.name, Contact(row.catch_all_name, row.catch_all_email, row.catch_all_phone, row.name),
                   json.loads(row.policy_json or "{}"))
