"""Devices, technicians and bearer tokens (SPEC §5 "Identity").

The enrolment key is public knowledge: it only says which company a device
belongs to. Enrolling gives a per-device token (``secrets.token_urlsafe``) that
is stored as SHA-256 and found by its digest, then compared in constant time.
A device sees only its own tickets until its user verifies their e-mail.
Technician tokens are made by ``intake-app admin technician add``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from intake_app.core.validation import check_email
from intake_app.service.companies import Companies, Company
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Conflict, Invalid, NotFound, Unauthorized
from intake_app.service.secrets_util import digest, matches, new_id, new_token

TOUCH_EVERY_SECONDS = 300


@dataclass(frozen=True)
class Principal:
    """Who is calling: a device (with its user) or a technician."""

    kind: str  # "device" / "technician"
    name: str
    device_id: str | None = None
    company_id: int | None = None
    device_name: str = ""
    email: str = ""  # the user's e-mail as enrolled
    verified_email: str | None = None
    technician_id: int | None = None

    @property
    def is_technician(self) -> bool:
        return self.kind == "technician"

    @property
    def verified(self) -> bool:
        return self.verified_email is not None

    @property
    def display(self) -> str:
        """For audit entries and timeline authors."""
        if self.is_technician:
            return f"{self.name} (technician)"
        return self.verified_email or self.email or self.name


@dataclass(frozen=True)
class Enrolment:
    principal: Principal
    token: str
    company: Company


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    company: str
    device_name: str
    user_name: str
    user_email: str
    verified_email: str | None
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


class Identity:
    def __init__(self, db: Database, companies: Companies, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.companies = companies
        self.clock = clock

    def enrol(self, enrolment_key: str, device_name: str, user_name: str, user_email: str) -> Enrolment:
        company = self.companies.company_for_key(enrolment_key) if enrolment_key else None
        if company is None:
            raise Unauthorized("This enrolment key is not known to the Intake service; check intake.toml.")
        email = user_email.strip().lower()
        if email and (problem := check_email(email)) is not None:
            raise Invalid({"user_email": problem})
        token, device_id, now = new_token(), new_id(), self.clock()
        with self.db.write() as conn:
            conn.execute(insert(s.devices).values(
                id=device_id, company_id=company.id, token_hash=digest(token), device_name=device_name.strip()[:200],
                user_name=user_name.strip()[:200], user_email=email, created_at=now, last_seen_at=now))
        principal = Principal("device", user_name.strip(), device_id, company.id, device_name.strip(), email)
        return Enrolment(principal, token, company)

    def authenticate(self, token: str) -> Principal:
        """The principal for a bearer token; Unauthorized when missing, unknown or revoked."""
        if not token:
            raise Unauthorized("Sign-in needed: this request has no token. Enrol this device again.")
        hashed = digest(token)
        now = self.clock()
        with self.db.read() as conn:
            device = conn.execute(select(s.devices).where(s.devices.c.token_hash == hashed)).first()
            tech = None if device else conn.execute(
                select(s.technicians).where(s.technicians.c.token_hash == hashed)).first()
        if device is not None and matches(token, device.token_hash):
            if device.revoked_at is not None:
                raise Unauthorized("This device was removed from the Intake service. Enrol it again.")
            if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > TOUCH_EVERY_SECONDS:
                with self.db.write() as conn:
                    conn.execute(update(s.devices).where(s.devices.c.id == device.id).values(last_seen_at=now))
            return _device_principal(device)
        if tech is not None and matches(token, tech.token_hash) and tech.revoked_at is None:
            return Principal("technician", tech.name, technician_id=tech.id)
        raise Unauthorized("This token is not valid (unknown or revoked). Enrol this device again.")

    def principal_for_device(self, device_id: str) -> Principal:
        with self.db.read() as conn:
            device = conn.execute(select(s.devices).where(s.devices.c.id == device_id)).first()
        if device is None:
            raise NotFound(f"No device with id {device_id}.")
        return _device_principal(device)

    def mark_verified(self, device_id: str, email: str) -> Principal:
        now = self.clock()
        with self.db.write() as conn:
            conn.execute(update(s.devices).where(s.devices.c.id == device_id).values(
                verified_email=email.lower(), verified_at=now, user_email=email.lower()))
        return self.principal_for_device(device_id)

    # -- devices (admin / technician) ------------------------------------------------

    def devices(self, company: Company | None = None) -> list[DeviceInfo]:
        query = select(s.devices, s.companies.c.name.label("company")).join(s.companies)
        if company is not None:
            query = query.where(s.devices.c.company_id == company.id)
        with self.db.read() as conn:
            return [DeviceInfo(r.id, r.company, r.device_name, r.user_name, r.user_email, r.verified_email,
                               r.created_at, r.last_seen_at, r.revoked_at)
                    for r in conn.execute(query.order_by(s.devices.c.created_at))]

    def revoke_device(self, device_id: str) -> None:
        with self.db.write() as conn:
            done = conn.execute(update(s.devices).where(s.devices.c.id == device_id, s.devices.c.revoked_at.is_(None))
                                .values(revoked_at=self.clock())).rowcount
        if not done:
            raise NotFound(f"No active device with id {device_id}.")

    # -- technicians -----------------------------------------------------------------

    def add_technician(self, name: str) -> str:
        """Create a technician and return their token (shown once, stored hashed)."""
        name = name.strip()
        if not name:
            raise Invalid({"name": "Please give the technician's name."})
        token = new_token()
        with self.db.write() as conn:
            if conn.execute(select(s.technicians.c.id).where(s.technicians.c.name == name)).first():
                raise Conflict(f"A technician named “{name}” already exists.")
            conn.execute(insert(s.technicians).values(name=name, token_hash=digest(token), created_at=self.clock()))
        return token

    def technicians(self) -> list[tuple[str, datetime, datetime | None]]:
        with self.db.read() as conn:
            return [(r.name, r.created_at, r.revoked_at)
                    for r in conn.execute(select(s.technicians).order_by(s.technicians.c.name))]

    def revoke_technician(self, name: str) -> None:
        with self.db.write() as conn:
            done = conn.execute(update(s.technicians).where(s.technicians.c.name == name)
                                .values(revoked_at=self.clock())).rowcount
        if not done:
            raise NotFound(f"No technician named “{name}”.")


def _device_principal(row: Any) -> Principal:
    return Principal("device", row.user_name, row.id, row.company_id, row.device_name, row.user_email,
                     row.verified_email)
