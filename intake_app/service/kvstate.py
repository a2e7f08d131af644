"""A namespaced key/value store in the service database (connector bookkeeping)."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from intake_app.service.db import schema as s
from intake_app.service.db.database import Database


class KeyValueState:
    """Implements ``connectors.base.ConnectorState`` over the ``kv_state`` table."""

    def __init__(self, db: Database, namespace: str) -> None:
        self.db = db
        self.prefix = f"{namespace}:"

    def get(self, key: str) -> str | None:
        with self.db.read() as conn:
            return conn.execute(select(s.kv_state.c.value).where(s.kv_state.c.key == self.prefix + key)).scalar()

    def put(self, key: str, value: str) -> None:
        with self.db.write() as conn:
            done = conn.execute(update(s.kv_state).where(s.kv_state.c.key == self.prefix + key)
                                .values(value=value)).rowcount
            if not done:
                conn.execute(insert(s.kv_state).values(key=self.prefix + key, value=value))
