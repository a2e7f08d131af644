"""Bring the database schema up to date at start-up (Alembic, run programmatically).

The migration scripts ship inside the package (``service/migrations``); no
``alembic.ini`` is needed. Runs inside one write transaction, so a service and
an admin command starting together migrate once, one after the other.

Alembic (with Mako and Pygments, ~10 MB that a long-running service would keep
for good) is imported only when a database is *behind*:

* at :data:`HEAD` (every start but the first): one ``SELECT`` and nothing else;
* empty (the first start, e.g. the tray app's demo service): the tables are created
  from :data:`schema.metadata` and the version table is stamped at ``HEAD``, Alembic's own
  recipe for a new database ("create_all, then stamp"). ``tests/service/test_svc_lean_start.py``
  checks that this makes exactly the database the migration scripts make. A future
  migration that also *inserts* rows must insert them here too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from intake_app.errors import ConfigError
from intake_app.service.db.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
HEAD = "0001"  # the newest revision in migrations/versions (a test keeps the two equal)

# Alembic's version table, declared exactly as Alembic creates it (name, column, primary key name).
VERSION_TABLE = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                      PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


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
    """Apply every pending migration (no-op when current); an empty database is created at HEAD."""
    if current_revision(db) == HEAD:
        return
    with db.write() as conn:  # re-read under the write lock: another process may have just done it
        tables = inspect(conn).get_table_names()
        if not tables:
            create_at_head(conn)
            log.info("database migrated from empty to %s", HEAD)
            return
        if VERSION_TABLE.name in tables and conn.execute(select(VERSION_TABLE.c.version_num)).scalar() == HEAD:
            return  # another process created it meanwhile: no need to load Alembic
    migrate_with_alembic(db)


def create_at_head(conn: Connection) -> None:
    """Every table of the schema plus the version table at :data:`HEAD`, in the caller's transaction."""
    from intake_app.service.db.schema import metadata

    metadata.create_all(conn)
    VERSION_TABLE.create(conn)
    conn.execute(VERSION_TABLE.insert().values(version_num=HEAD))


def migrate_with_alembic(db: Database) -> None:
    """Run the migration scripts from the database's revision to head (no-op when current)."""
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
