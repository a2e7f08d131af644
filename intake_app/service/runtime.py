"""The service's composition root: builds every part once and hands them to each other.

``serve`` starts the workers (relay, sync); ``admin`` builds the same runtime
without them, so admin commands run the very code paths the API runs.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from sqlalchemy import select

from intake_app.service.clock import Clock, system_clock
from intake_app.service.companies import Companies
from intake_app.service.config import ServiceConfig
from intake_app.service.connectors import create_connector
from intake_app.service.connectors.base import Connector, ConnectorContext, Mailer
from intake_app.service.contacts import ContactDirectory, LocalContacts
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.db.migrate import upgrade
from intake_app.service.demo import seed_demo
from intake_app.service.escalations import Escalations
from intake_app.service.files import FileStore
from intake_app.service.identity import Identity
from intake_app.service.kvstate import KeyValueState
from intake_app.service.ratelimit import RateLimiter
from intake_app.service.technician import TechnicianDesk
from intake_app.service.testhooks import FaultPlan
from intake_app.service.tickets.accept import TicketIntake
from intake_app.service.tickets.actions import TicketActions
from intake_app.service.tickets.views import TicketViews
from intake_app.service.verification import Verification
from intake_app.service.workers.loop import WorkerLoop
from intake_app.service.workers.relay import Relay
from intake_app.service.workers.sync import Sync

log = logging.getLogger(__name__)


def _smtp_mailer(config: ServiceConfig) -> Mailer | None:
    """The SMTP sender, imported only when SMTP is configured: the demo service never sends mail."""
    if not config.smtp.configured:
        return None
    from intake_app.service.mailer import SmtpMailer

    return SmtpMailer(config.smtp)


class ServiceRuntime:
    def __init__(self, config: ServiceConfig, clock: Clock = system_clock,
                 wrap_connector: Callable[[Connector], Connector] | None = None) -> None:
        """``wrap_connector`` lets tests put a hand-written proxy (a helpdesk that is down) around it."""
        self.config = config
        self.clock = clock
        config.data_dir.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            config.data_dir.chmod(0o700)
        self.db = Database(config.effective_database_url)
        upgrade(self.db)
        self.mailer = _smtp_mailer(config)
        self.connector = create_connector(config.connector_kind, config.connector_settings, ConnectorContext(
            data_dir=config.connector_dir, state=KeyValueState(self.db, "connector"), secret=config.secret,
            now=clock, mailer=self.mailer, database=self.db))
        if wrap_connector is not None:
            self.connector = wrap_connector(self.connector)
        self.files = FileStore(config.outbox_dir, "a")
        self.companies = Companies(self.db, clock, config.connector_kind.value, config.demo,
                                   default_statuses=self.connector.status_map)
        self.contacts = LocalContacts(self.db, clock)
        self.directory = ContactDirectory(self.connector, self.contacts)
        self.identity = Identity(self.db, self.companies, clock)
        self.limiter = RateLimiter()
        self.verification = Verification(self.db, self.identity, self.mailer, clock, self.limiter, config.demo)
        self.views = TicketViews(self.db, self.companies, self.directory, self.connector.status_map,
                                 self.connector.send_only, clock)
        self.sync = Sync(self.db, self.connector, clock, config.sync_interval)
        self.relay = Relay(self.db, self.connector, self.files, self.companies, self.directory, self.sync, clock,
                           config.relay_retry_base, config.relay_retry_max, FaultPlan.from_env(config.test_hooks))
        self.intake = TicketIntake(self.db, self.files, self.companies, clock, self.wake_relay)
        self.actions = TicketActions(self.db, self.connector, self.views, self.sync, self.files, clock)
        self.escalations = Escalations(self.db, self.companies, self.directory, self.views, clock, self.wake_relay)
        self.tech = TechnicianDesk(self.connector, self.views, self.sync, self.companies, clock)
        if self.connector.kind.value == "local":
            self.sync.jobs = self.tech.run_jobs
        if config.demo:
            seed_demo(self.companies)
        self._relay_loop: WorkerLoop | None = None
        self._sync_loop: WorkerLoop | None = None

    # -- workers (serve only) ----------------------------------------------------------

    def start_workers(self) -> None:
        """Clean up after a crash, then start the relay and sync threads."""
        with self.db.read() as conn:
            referenced = conn.execute(select(s.ticket_attachments.c.stored_name)).scalars().all()
        removed = self.files.sweep(referenced)
        if removed:
            log.info("removed %d unreferenced outbox files left by an interrupted request", removed)
        if removed := self.connector.recover():
            log.info("removed %d files the %s connector left half-written", removed, self.connector.kind.value)
        threading.Thread(target=self._log_connector_problems, name="intake-check", daemon=True).start()
        self._relay_loop = WorkerLoop("intake-relay", self.relay.step)
        self._sync_loop = WorkerLoop("intake-sync", self.sync.step)
        self._relay_loop.start()
        self._sync_loop.start()

    def _log_connector_problems(self) -> None:
        """In the background: a slow or unreachable helpdesk must not delay the service's start."""
        try:
            problems = self.connector.check()
        except Exception:  # check() must not raise; if it does, say so and go on
            log.exception("the %s connector's check failed", self.connector.kind.value)
            return
        for problem in problems:
            log.warning("connector %s: %s", self.connector.kind.value, problem)

    def wake_relay(self) -> None:
        if self._relay_loop is not None:
            self._relay_loop.wake()

    def stop_workers(self) -> None:
        for loop in (self._relay_loop, self._sync_loop):
            if loop is not None:
                loop.stop()
        self._relay_loop = self._sync_loop = None

    def close(self) -> None:
        self.stop_workers()
        self.connector.close_connections()
        self.db.dispose()
