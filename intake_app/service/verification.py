"""E-mail verification with one-time codes (SPEC §5 "Identity").

A 6-digit code is mailed, stored only as a digest, valid 15 minutes, 5 tries,
single use; asking for a new code retires the old one. Once verified, a device
sees every ticket whose contact is that e-mail. In demo mode addresses are
trusted as given (the demo keeps everything on one computer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import insert, select, update

from intake_app.core.validation import check_email
from intake_app.service.connectors.base import HelpdeskUnavailable, Mailer
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Invalid, MailDown, RateLimited
from intake_app.service.identity import Identity, Principal
from intake_app.service.ratelimit import Limit, RateLimiter
from intake_app.service.secrets_util import digest, matches, new_code

log = logging.getLogger(__name__)

CODE_VALID = timedelta(minutes=15)
MAX_TRIES = 5
SEND_LIMIT = Limit(5, 15 * 60)  # codes per e-mail address per 15 minutes


class Verification:
    def __init__(self, db: Database, identity: Identity, mailer: Mailer | None, clock: Callable[[], datetime],
                 limiter: RateLimiter, demo: bool = False, product: str = "Intake") -> None:
        self.db = db
        self.identity = identity
        self.mailer = mailer
        self.clock = clock
        self.limiter = limiter
        self.demo = demo
        self.product = product

    def start(self, who: Principal, email: str) -> bool:
        """Mail a code to ``email``; returns True when the address counts as verified at once (demo)."""
        email = _checked(email)
        assert who.device_id is not None
        if self.demo:
            self.identity.mark_verified(who.device_id, email)
            return True
        if (wait := self.limiter.hit(f"verify-send:{email}", SEND_LIMIT)) is not None:
            raise RateLimited("Too many codes were requested for this address; try again later.", retry_after=wait)
        if self.mailer is None:
            raise MailDown("The Intake service cannot send e-mail (no [smtp] in its configuration); "
                           "ask your IT provider.")
        code, now = new_code(), self.clock()
        with self.db.write() as conn:
            conn.execute(update(s.verification_codes).where(
                s.verification_codes.c.device_id == who.device_id, s.verification_codes.c.used_at.is_(None))
                .values(used_at=now))
            result = conn.execute(insert(s.verification_codes).values(
                device_id=who.device_id, email=email, code_hash="", attempts=0, created_at=now,
                expires_at=now + CODE_VALID))
            code_id = int(result.inserted_primary_key[0])
            conn.execute(update(s.verification_codes).where(s.verification_codes.c.id == code_id)
                         .values(code_hash=_code_digest(code_id, code)))
        try:
            self.mailer.send(self._message(email, code))
        except HelpdeskUnavailable as exc:
            raise MailDown(f"The verification e-mail could not be sent: {exc} Try again in a few minutes.") from None
        log.info("verification code sent for device %s", who.device_id)
        return False

    def confirm(self, who: Principal, email: str, code: str) -> Principal:
        """Check ``code``; Invalid with ``details.code`` saying why when it is wrong, expired or used."""
        email = _checked(email)
        code = code.strip()
        now = self.clock()
        with self.db.write() as conn:
            row = conn.execute(select(s.verification_codes).where(
                s.verification_codes.c.device_id == who.device_id, s.verification_codes.c.email == email)
                .order_by(s.verification_codes.c.id.desc()).limit(1)).first()
            if row is None:
                raise Invalid({"code": "No code was sent to this address from this device; ask for a code first."})
            if row.used_at is not None:
                reused = matches(f"{row.id}:{code}", row.code_hash)
                raise Invalid({"code": "This code was already used; ask for a new one." if reused
                               else "This code is no longer valid; ask for a new one."})
            if now >= row.expires_at:
                raise Invalid({"code": "This code has expired (codes are valid for 15 minutes); ask for a new one."})
            if row.attempts >= MAX_TRIES:
                raise Invalid({"code": "Too many wrong tries for this code; ask for a new one."})
            if not matches(f"{row.id}:{code}", row.code_hash):
                conn.execute(update(s.verification_codes).where(s.verification_codes.c.id == row.id)
                             .values(attempts=row.attempts + 1))
                left = MAX_TRIES - row.attempts - 1
                problem = (f"That code is not right; {left} {'try' if left == 1 else 'tries'} left."
                           if left else "That code is not right, and it was the last try; ask for a new code.")
            else:
                conn.execute(update(s.verification_codes).where(s.verification_codes.c.id == row.id)
                             .values(used_at=now))
                problem = None
        if problem is not None:
            raise Invalid({"code": problem})
        assert who.device_id is not None
        return self.identity.mark_verified(who.device_id, email)

    def _message(self, email: str, code: str) -> EmailMessage:
        msg = EmailMessage()
        msg["To"] = email
        msg["Subject"] = f"Your {self.product} verification code: {code}"
        msg.set_content(
            f"Your {self.product} verification code is {code}.\n\n"
            f"Type it in the {self.product} window within 15 minutes. If you did not ask for it, ignore this "
            "e-mail; nobody can see your tickets without the code.\n")
        return msg


def _checked(email: str) -> str:
    email = (email or "").strip().lower()
    if (problem := check_email(email, required=True)) is not None:
        raise Invalid({"email": problem})
    return email


def _code_digest(code_id: int, code: str) -> str:
    return digest(f"{code_id}:{code}")
