"""A light service at rest: Alembic only for a database that is behind, no SMTP code without SMTP,
a named uvicorn protocol stack; and the schema is the same whichever way it was made."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from svc_service import ServeProcess

from intake_app.service.config import ServiceConfig
from intake_app.service.db.database import Database
from intake_app.service.db.migrate import HEAD, current_revision, migrate_with_alembic, upgrade
from intake_app.service.db.schema import metadata
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import _uvicorn_config

CONSTRAINT_WORDS = ("CONSTRAINT ", "PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK")
# Run in a fresh interpreter: what the start-up path imports, seen from sys.modules.
PROBE = """
import json, sys
from intake_app.service.config import ServiceConfig
from intake_app.service.runtime import ServiceRuntime
runtime = ServiceRuntime(ServiceConfig(data_dir=__import__("pathlib").Path(sys.argv[1]), demo=True))
watched = ("alembic", "mako", "smtplib", "intake_app.service.mailer")
print(json.dumps({"loaded": [m for m in watched if m in sys.modules],
                  "revision": runtime.db.engine.connect().exec_driver_sql(
                      "SELECT version_num FROM alembic_version").scalar()}))
runtime.close()
"""


def start_in_fresh_interpreter(data: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(data)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def database_file(data: Path) -> Path:
    return Path(ServiceConfig(data_dir=data).effective_database_url.removeprefix("sqlite:///"))


def behind(path: Path) -> None:
    """A database Alembic has touched but not migrated: its version table, empty (revision "base")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                     "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")


def shape(db: Database) -> dict[str, tuple[str, str, list[str]]]:
    """Every table and index with its SQL; a table's constraints sorted (Alembic's scripts list foreign
    keys before unique constraints, ``create_all`` the other way), its columns in their order."""
    out = {}
    with db.read() as conn:
        for kind, name, table, sql in conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master"):
            text = re.sub(r"\s+", " ", sql or "").strip()
            if kind == "table":
                head, body = text[:text.index("(")], text[text.index("(") + 1:text.rindex(")")]
                clauses = [part.strip() for part in re.split(r",(?![^()]*\))", body)]
                constraints = [c for c in clauses if c.startswith(CONSTRAINT_WORDS)]
                columns = [c for c in clauses if not c.startswith(CONSTRAINT_WORDS)]  # in their order
                out[name] = (kind, table, [head.strip(), *columns, *sorted(constraints)])
            else:
                out[name] = (kind, table, [text])
    return out


def test_a_new_database_is_the_one_the_migration_scripts_make(tmp_path: Path) -> None:
    scripted = Database(f"sqlite:///{tmp_path / 'scripted.sqlite3'}")
    migrate_with_alembic(scripted)
    direct = Database(f"sqlite:///{tmp_path / 'direct.sqlite3'}")
    upgrade(direct)  # empty: created from the schema and stamped, without Alembic's scripts
    try:
        assert current_revision(scripted) == current_revision(direct) == HEAD
        assert shape(direct) == shape(scripted)
        assert len(shape(direct)) > len(metadata.tables)  # tables, their indexes and the version table
        with direct.read() as conn:
            assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
        upgrade(direct)  # at HEAD: nothing to do
        assert current_revision(direct) == HEAD
    finally:
        scripted.dispose()
        direct.dispose()


def test_alembic_is_imported_only_for_a_database_that_is_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_in_fresh_interpreter(data)  # empty folder: the first start
    assert first == {"loaded": [], "revision": HEAD}
    assert start_in_fresh_interpreter(data) == {"loaded": [], "revision": HEAD}  # every later start

    old = tmp_path / "old"
    behind(database_file(old))
    migrated = start_in_fresh_interpreter(old)
    assert migrated["revision"] == HEAD
    assert "alembic" in migrated["loaded"]  # the scripts ran
    assert "smtplib" not in migrated["loaded"]


def test_uvicorn_runs_h11_on_asyncio_without_websockets(tmp_path: Path) -> None:
    runtime = ServiceRuntime(ServiceConfig(data_dir=tmp_path / "data"))
    try:
        config = _uvicorn_config(runtime)
        config.load()
        assert (config.loop, config.http, config.ws, config.lifespan) == ("asyncio", "h11", "none", "off")
        assert config.http_protocol_class.__name__ == "H11Protocol"  # type: ignore[union-attr]
        assert config.ws_protocol_class is None
    finally:
        runtime.close()


@pytest.mark.slow
def test_serve_migrates_a_database_that_is_behind_then_serves(
        tmp_path: Path, spawn_serve: Callable[..., ServeProcess]) -> None:
    data = tmp_path / "demo-data"
    database = database_file(data)
    behind(database)
    service = spawn_serve("--demo", "--data", str(data))
    device = service.api().enrol("demo", "PC-OLD", "Olive Old", "olive@example.com")
    assert device.api.get("/meta").json()["company"] == "Demo company"
    assert service.stop() == 0
    assert "database migrated from empty to " + HEAD in (tmp_path / "serve-0.log").read_text()
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


@pytest.mark.slow
def test_serve_creates_a_new_database_then_serves_it_again(
        tmp_path: Path, spawn_serve: Callable[..., ServeProcess]) -> None:
    data = tmp_path / "demo-data"
    service = spawn_serve("--demo", "--data", str(data))
    device = service.api().enrol("demo", "PC-NEW", "Nina New", "nina@example.com")
    ref = device.submit()["reference"]
    assert service.stop() == 0
    assert "database migrated from empty to " + HEAD in (tmp_path / "serve-0.log").read_text()
    again = spawn_serve("--demo", "--data", str(data))
    device.api.base = f"{again.url}/api/v1"
    assert device.ticket(ref).status_code == 200
    assert again.stop() == 0
    assert "database migrated" not in (tmp_path / "serve-1.log").read_text()


RACE_PROBE = """
import json, sys
from pathlib import Path
from intake_app.service.config import ServiceConfig
from intake_app.service.runtime import ServiceRuntime
ServiceRuntime(ServiceConfig(data_dir=Path(sys.argv[1]), demo=True)).close()  # the other process: created at head
import intake_app.service.db.migrate as migrate
from intake_app.service.db.database import Database
migrate.current_revision = lambda db: None  # what this process read just before the other one finished
db = Database(ServiceConfig(data_dir=Path(sys.argv[1])).effective_database_url)
migrate.upgrade(db)
print(json.dumps({"alembic": "alembic" in sys.modules,
                  "rows": db.engine.connect().exec_driver_sql("SELECT count(*) FROM alembic_version").scalar()}))
"""


def test_losing_the_create_race_does_not_load_alembic(tmp_path: Path) -> None:
    """Two services starting on one new database: the one that finds it created under the write lock
    sees it at head and leaves it (no Alembic, ~10 MB, for the life of the process; no second stamp)."""
    done = subprocess.run([sys.executable, "-c", RACE_PROBE, str(tmp_path / "data")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"alembic": False, "rows": 1}
