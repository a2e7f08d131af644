"""Bring the database schema up to date at start-up (Alembic, run programmatically).

The migration scripts ship inside the package (``service/migrations``); no
``alembic.ini`` is needed. Runs inside one write transaction, so a service and
an admin command starting together migrate once, one after the other. When the
database is already at :data:`HEAD` (the usual start), Alembic is not even
imported: admin commands and restarts stay quick.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from intake_app.errors import ConfigError
from intake_app.service.db.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
HEAD = "0001"  # the newest revision in migrations/versions (a test keeps the two equal)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision as Alembic reads it from the scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    try:
        with db.read() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no version table yet: an empty database
        return None


def upgrade(db: Database) -> None:
    """Apply every pending migration (no-op when current)."""
    if current_revision(db) == HEAD:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.util.exc import CommandError

    config = alembic_config()
    with db.write() as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, "head")
        except CommandError as exc:
            raise ConfigError(f"The service database is at revision {before}, which this version of "
                              f"intake-app does not know (a newer version made it?): {exc}") from None
        after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)
