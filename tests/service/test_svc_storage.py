"""Migrations match the schema; SQLite runs in WAL; crash leftovers are swept; config is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from intake_app.errors import ConfigError
from intake_app.service.config import load_config
from intake_app.service.db.database import Database
from intake_app.service.db.migrate import HEAD, current_revision, head_revision, upgrade
from intake_app.service.db.schema import metadata
from intake_app.service.files import FileStore


def test_migrations_create_exactly_the_schema(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    upgrade(db)
    upgrade(db)  # idempotent
    assert current_revision(db) == head_revision() == HEAD
    with db.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == []
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert "tickets" in inspect(db.engine).get_table_names()
    db.dispose()


def test_a_database_from_a_newer_version_is_a_clear_error(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    upgrade(db)
    with db.write() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ConfigError, match="revision 9999"):
        upgrade(db)
    db.dispose()


def test_sweep_removes_only_unreferenced_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files", "a")
    kept = store.put_bytes(b"kept")
    orphan = store.put_bytes(b"orphan")
    staged = store.stage(100, "x")
    staged.write(b"half")
    (tmp_path / "files" / "README").write_text("not ours")
    assert store.sweep([kept]) == 2
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == sorted([kept, "README"])
    assert orphan != kept
    staged.discard()


def test_stored_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files", "a")
    for bad in ("../x", "/etc/passwd", "a-../../x", "shot.png"):
        with pytest.raises(ValueError):
            store.path(bad)


def test_config_file_keys_and_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secrets.toml").write_text('token = "from-file"\n')
    (tmp_path / "smtp-pass").write_text("pw\n")
    config_file = tmp_path / "service.toml"
    config_file.write_text("""
[service]
data_dir = "d"
port = 9000
sync_interval = 30
[connector]
kind = "RT"
url = "http://127.0.0.1:8080/REST/2.0/"
token_env = "TEST_RT_TOKEN"
secrets_file = "secrets.toml"
[smtp]
host = "mail.example"
security = "ssl"
username = "intake"
password_file = "smtp-pass"
""")
    config = load_config(config_file)
    assert config.data_dir == (tmp_path / "d").resolve()
    assert (config.port, config.sync_interval, config.connector_kind.value) == (9000, 30.0, "rt")
    assert config.effective_database_url.endswith("/d/intake.sqlite3")
    assert (config.smtp.port, config.smtp.password) == (465, "pw")
    assert "pw" not in repr(config.smtp)
    assert config.secret("token") == "from-file"
    monkeypatch.setenv("TEST_RT_TOKEN", "from-env")
    assert config.secret("token") == "from-env"
    assert config.secret("password") is None


@pytest.mark.parametrize(("text", "message"), [
    ('[connector]\nkind = "rt"\ntoken = "s3cret"\n', "connector.*token is a credential"),
    ('[smtp]\nhost = "m"\npassword = "x"\n', "unknown key smtp.password"),
    ('[connector]\nkind = "zendesk"\n', "kind must be one of local, rt, connectwise, email"),
    ('[service]\nport = "eighty"\n', "service.port must be a whole number"),
    ('[service]\nsync_interval = 0\n', "sync_interval must be at least"),
    ('[service\n', "is not valid TOML"),
    ('[smtp]\nsecurity = "tls"\n', "smtp.security must be none, starttls or ssl"),
    ('[servce]\n', "unknown key servce"),
])
def test_bad_config_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    config_file = tmp_path / "service.toml"
    config_file.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(config_file)
    assert "s3cret" not in str(caught.value)


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_a_connector_missing_from_the_build_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from intake_app.service.connectors import MODULES, create_connector
    from intake_app.service.connectors.base import ConnectorKind

    monkeypatch.setitem(MODULES, ConnectorKind.EMAIL, "intake_app.service.connectors.not_in_this_build")
    with pytest.raises(ConfigError, match="not available in this build"):
        create_connector(ConnectorKind.EMAIL, {}, None)  # type: ignore[arg-type]
