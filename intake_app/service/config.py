"""The service's own configuration file (``service.toml``) and its secrets.

Everything has a default so ``intake-app serve --data DIR`` runs with no file at
all. Credentials never live in the file itself: a key ending in ``_env`` names an
environment variable, and ``secrets_file`` points to a separate TOML file (which
should be readable only by the service account). A credential written directly
into ``service.toml`` is refused with a message saying where to put it.

Example::

    [service]
    data_dir = "/var/lib/intake"
    database_url = "sqlite:////var/lib/intake/intake.sqlite3"  # default: intake.sqlite3 in data_dir
    host = "127.0.0.1"
    port = 8787
    sync_interval = 60            # seconds between helpdesk syncs
    relay_retry_max = 600         # longest wait between relay attempts, seconds
    log_level = "INFO"

    [connector]
    kind = "rt"                   # local / rt / connectwise / email
    url = "https://rt.example.com/REST/2.0/"
    token_env = "INTAKE_RT_TOKEN"
    # secrets_file = "/etc/intake/secrets.toml"   # alternatively: token = "..." in that file

    [smtp]
    host = "smtp.example.com"
    port = 587
    security = "starttls"         # none / starttls / ssl
    username = "intake@example.com"
    password_env = "INTAKE_SMTP_PASSWORD"
    from = "Intake <intake@example.com>"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from intake_app.config.tomlread import describe_error
from intake_app.errors import ConfigError
from intake_app.service.connectors.base import ConnectorKind

SECRET_KEYS = frozenset({"password", "token", "secret", "private_key", "public_key", "api_key", "client_secret"})
DEFAULT_PORT = 8787
DEFAULT_SYNC_INTERVAL = 60.0
DEMO_SYNC_INTERVAL = 2.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # none / starttls / ssl
    username: str = ""
    password: str | None = field(default=None, repr=False)
    from_address: str = ""
    timeout: float = 20.0

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class ServiceConfig:
    data_dir: Path
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    connector_kind: ConnectorKind = ConnectorKind.LOCAL
    connector_settings: Mapping[str, Any] = field(default_factory=dict)
    secrets_file: Path | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    sync_interval: float = DEFAULT_SYNC_INTERVAL
    relay_retry_base: float = 2.0
    relay_retry_max: float = 600.0
    log_level: str = "INFO"
    demo: bool = False
    test_hooks: bool = False
    source: Path | None = None  # the file this came from, for messages

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'intake.sqlite3'}"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox-files"

    @property
    def connector_dir(self) -> Path:
        return self.data_dir / "connector"

    def with_changes(self, **changes: Any) -> ServiceConfig:
        return replace(self, **changes)

    def secret(self, name: str) -> str | None:
        """A connector credential: ``<name>_env`` variable first, then the secrets file's ``name``."""
        env_name = self.connector_settings.get(f"{name}_env")
        if env_name:
            value = os.environ.get(str(env_name))
            if value:
                return value
        if self.secrets_file is not None:
            value = _load_toml(self.secrets_file, "secrets file").get(name)
            if value is not None:
                return str(value)
        return None


def load_config(path: Path | None, *, data_dir: Path | None = None, demo: bool = False,
                test_hooks: bool = False) -> ServiceConfig:
    """Read ``path`` (optional); command-line ``data_dir`` wins over the file's."""
    raw: dict[str, Any] = _load_toml(path, "service config") if path is not None else {}
    where = str(path) if path else "service config"
    _reject_unknown(raw, {"service", "connector", "smtp"}, where, "")
    service = _table(raw, "service", where)
    _reject_unknown(service, {"data_dir", "database_url", "host", "port", "sync_interval", "relay_retry_max",
                              "relay_retry_base", "log_level"}, where, "service.")
    connector = dict(_table(raw, "connector", where))
    smtp = _table(raw, "smtp", where)
    base = path.parent if path else Path.cwd()

    chosen_dir = data_dir or (_path(service["data_dir"], base) if service.get("data_dir") else None)
    if chosen_dir is None:
        from intake_app.paths import user_paths

        chosen_dir = user_paths().demo_service if demo else user_paths().data / "service"
    from intake_app.service.connectors import parse_kind

    kind = parse_kind(connector.pop("kind", "local"))
    for key in connector:
        if key in SECRET_KEYS:
            raise ConfigError(f"{where}: [connector] {key} is a credential; set {key}_env to the name of an "
                              f"environment variable, or put it in the file named by secrets_file.",
                              path=str(path) if path else None, key=f"connector.{key}")
    secrets_file = connector.pop("secrets_file", None)
    return ServiceConfig(
        data_dir=Path(chosen_dir).expanduser().resolve(),
        database_url=str(service.get("database_url") or ""),
        host=str(service.get("host") or "127.0.0.1"),
        port=_int(service.get("port", DEFAULT_PORT), where, "service.port"),
        connector_kind=ConnectorKind.LOCAL if demo else kind,
        connector_settings=connector,
        secrets_file=_path(secrets_file, base) if secrets_file else None,
        smtp=_smtp(smtp, where, base),
        sync_interval=_number(service.get("sync_interval", DEMO_SYNC_INTERVAL if demo else DEFAULT_SYNC_INTERVAL),
                              where, "service.sync_interval", minimum=0.2),
        relay_retry_base=_number(service.get("relay_retry_base", 2.0), where, "service.relay_retry_base", minimum=0.05),
        relay_retry_max=_number(service.get("relay_retry_max", 600.0), where, "service.relay_retry_max", minimum=0.1),
        log_level=str(service.get("log_level") or "INFO").upper(),
        demo=demo,
        test_hooks=test_hooks,
        source=path,
    )


def _smtp(table: Mapping[str, Any], where: str, base: Path) -> SmtpSettings:
    _reject_unknown(table, {"host", "port", "security", "username", "password_env", "password_file", "from",
                            "timeout"}, where, "smtp.", hint="put the password in password_env or password_file")
    security = str(table.get("security") or "starttls").lower()
    if security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"{where}: smtp.security must be none, starttls or ssl, not {security!r}.",
                          key="smtp.security")
    password: str | None = None
    if table.get("password_env"):
        password = os.environ.get(str(table["password_env"])) or None
    elif table.get("password_file"):
        try:
            password = _path(table["password_file"], base).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{where}: smtp.password_file cannot be read ({exc.strerror}).",
                              key="smtp.password_file") from None
    host = str(table.get("host") or "")
    return SmtpSettings(
        host=host,
        port=_int(table.get("port", 465 if security == "ssl" else 587), where, "smtp.port"),
        security=security,
        username=str(table.get("username") or ""),
        password=password,
        from_address=str(table.get("from") or (f"intake@{host}" if host else "")),
        timeout=_number(table.get("timeout", 20), where, "smtp.timeout", minimum=1),
    )


def _load_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"The {what} {path} does not exist.", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"The {what} {path} cannot be read ({exc.strerror}).", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:  # say which key, not "Cannot overwrite a value (at line 3, …)"
        message, key = describe_error(exc, path.read_bytes().decode("utf-8", "replace"))
        raise ConfigError(f"The {what} {path} is not valid TOML: {message}.", path=str(path), key=key) from None


def _table(raw: Mapping[str, Any], name: str, where: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table.", key=name)
    return value


def _reject_unknown(table: Mapping[str, Any], allowed: set[str], where: str, prefix: str, hint: str = "") -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        extra = f" ({hint})" if hint else ""
        raise ConfigError(f"{where}: unknown key {prefix}{unknown[0]}; expected one of "
                          f"{', '.join(sorted(allowed))}{extra}.", key=f"{prefix}{unknown[0]}")


def _path(value: Any, base: Path) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (base / path)


def _int(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"{where}: {key} must be a whole number, not {value!r}.", key=key)
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{where}: {key} must be a whole number, not {value!r}.", key=key) from None


def _number(value: Any, where: str, key: str, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be a number of seconds, not {value!r}.", key=key) from None
    if number < minimum:
        raise ConfigError(f"{where}: {key} must be at least {minimum}.", key=key)
    return number
