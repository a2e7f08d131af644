"""Alembic environment: always run with a connection handed over by ``db.migrate.upgrade``."""

from __future__ import annotations

from alembic import context

from intake_app.service.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running the alembic CLI by hand
    raise SystemExit("Run migrations through intake-app (serve or admin), which passes a connection.")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
