"""The sync loop: read what changed in the helpdesk once per interval into the cache (SPEC §5).

Incremental: the connector is asked for tickets changed since the newest
``updated_at`` seen last time (minus a small overlap, so a change committed
late in the helpdesk is not skipped). Clients are answered from the cache, so
helpdesk calls grow with the number of *changed tickets*, never with the number
of devices. The same worker runs the local helpdesk's lifecycle job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from intake_app.service.connectors.base import Connector, HelpdeskNotFound, HelpdeskUnavailable
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.tickets import cache

log = logging.getLogger(__name__)

WATERMARK_KEY = "sync:watermark"
OVERLAP = timedelta(seconds=30)


class Sync:
    def __init__(self, db: Database, connector: Connector, clock: Callable[[], datetime], interval: float,
                 jobs: Callable[[], object] | None = None) -> None:
        self.db = db
        self.connector = connector
        self.clock = clock
        self.interval = interval
        self.jobs = jobs

    def step(self) -> float:
        try:
            self.run_once()
        except HelpdeskUnavailable as exc:
            log.warning("sync postponed, the helpdesk is unavailable: %s", exc)
        return self.interval

    def run_once(self) -> int:
        """One incremental pass (plus lifecycle jobs); returns how many tickets were read."""
        if self.jobs is not None:
            self.jobs()  # they refresh what they change themselves
        if self.connector.send_only:
            return 0
        since = self._watermark()
        changed = self.connector.changed_since(since - OVERLAP if since else None)
        newest = since
        for ticket in changed:
            try:
                events = self.connector.timeline(ticket.helpdesk_id)
            except HelpdeskNotFound:
                continue
            now = self.clock()
            with self.db.write() as conn:
                cache.apply(conn, ticket, events, now, cache.company_lookup(conn))
            newest = max(newest, ticket.updated_at) if newest else ticket.updated_at
        if newest is not None and newest != since:
            self._set_watermark(newest)
        return len(changed)

    def refresh(self, helpdesk_id: str) -> None:
        """Re-read one ticket now (after forwarding or an action), so the caller sees its effect."""
        if self.connector.send_only:
            return
        ticket = self.connector.get_ticket(helpdesk_id)
        events = self.connector.timeline(helpdesk_id)
        with self.db.write() as conn:
            cache.apply(conn, ticket, events, self.clock(), cache.company_lookup(conn))

    def _watermark(self) -> datetime | None:
        with self.db.read() as conn:
            value = conn.execute(select(s.kv_state.c.value).where(s.kv_state.c.key == WATERMARK_KEY)).scalar()
        return datetime.fromisoformat(value) if value else None

    def _set_watermark(self, moment: datetime) -> None:
        with self.db.write() as conn:
            done = conn.execute(update(s.kv_state).where(s.kv_state.c.key == WATERMARK_KEY)
                                .values(value=moment.isoformat())).rowcount
            if not done:
                conn.execute(insert(s.kv_state).values(key=WATERMARK_KEY, value=moment.isoformat()))
