"""The ``[connector]`` table for ``kind = "connectwise"``.

Example (``service.toml``)::

    [connector]
    kind = "connectwise"
    site = "api-na.myconnectwise.net"     # or url = "https://…/v4_6_release/apis/3.0"
    codebase = "v4_6_release"
    company_id = "mymsp"                  # the ConnectWise login company
    public_key_env = "INTAKE_CW_PUBLIC"
    private_key_env = "INTAKE_CW_PRIVATE"
    client_id_env = "INTAKE_CW_CLIENT_ID" # or client_id = "…" (a GUID from developer.connectwise.com)
    board = "Help Desk"
    # boards = ["Help Desk", "Projects"]  # boards to sync (default: board)
    # api_version = "2025.1"
    # catch_all_company = "Catchall"      # company identifier for unknown users
    # primary_contact_type = "Primary IT Contact"
    # [connector.companies]               # Intake company -> ConnectWise company identifier
    # "Example Co" = "ExampleCo"
    # [connector.custom_fields]           # ConnectWise custom field ids (0 = not used)
    # availability = 12
    # [connector.status_names]            # board status for each guide step
    # on_create = "New (Portal)"
    # [connector.priorities]              # P1..P4 -> ConnectWise priority names
    # P1 = "Priority 1 - Emergency Response"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake_app.core.priorities import GUIDE_PRIORITIES
from intake_app.core.statuses import CLIENT_RESPONDED, COMPLETED, NEW_PORTAL, REOPENED, StatusCategory
from intake_app.errors import ConfigError
from intake_app.service.connectors.base import ConnectorContext, SettingsReader

ALLOWED = frozenset({
    "url", "site", "codebase", "company_id", "public_key_env", "private_key_env", "client_id", "client_id_env",
    "api_version", "board", "boards", "catch_all_company", "primary_contact_type", "companies", "custom_fields",
    "status_names", "statuses", "priorities", "ca_file", "timeout", "page_size", "appointment_minutes",
})
CUSTOM_FIELDS = ("availability", "requested_priority", "device", "contact_method", "escalation")
STATUS_STEPS = {"on_create": NEW_PORTAL, "reply_open": CLIENT_RESPONDED, "reply_closed": REOPENED, "close": COMPLETED}
DEFAULT_PRIORITIES = {int(p.priority): f"Priority {int(p.priority)} - {p.name}" for p in GUIDE_PRIORITIES}


@dataclass(frozen=True)
class CwSettings:
    url: str
    company_id: str
    public_key: str = field(repr=False)
    private_key: str = field(repr=False)
    client_id: str = field(repr=False)
    board: str
    boards: tuple[str, ...] = ()
    api_version: str = "2025.1"
    catch_all_company: str = "Catchall"
    primary_contact_type: str = "Primary IT Contact"
    companies: Mapping[str, str] = field(default_factory=dict)
    custom_fields: Mapping[str, int] = field(default_factory=dict)
    steps: Mapping[str, str] = field(default_factory=lambda: dict(STATUS_STEPS))
    statuses: Mapping[str, str] = field(default_factory=dict)
    priorities: Mapping[int, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITIES))
    ca_file: str | None = None
    timeout: float = 30.0
    page_size: int = 1000
    appointment_minutes: int = 60


def read_settings(settings: Mapping[str, Any], context: ConnectorContext) -> CwSettings:
    read = SettingsReader(settings, "connectwise")
    read.reject_unknown(ALLOWED, "a ConnectWise")
    if settings.get("url"):
        url = read.text("url")
    elif settings.get("site"):
        url = f"https://{read.text('site').strip('/')}/{read.text('codebase', 'v4_6_release').strip('/')}/apis/3.0"
    else:
        raise ConfigError("[connector] site (e.g. api-na.myconnectwise.net) or url is required for the "
                          "connectwise connector.", key="site")
    secrets = {name: context.secret(name) for name in ("public_key", "private_key")}
    for name, value in secrets.items():
        if not value:
            raise ConfigError(f"The connectwise connector needs the API member's {name.replace('_', ' ')}: set "
                              f"[connector] {name}_env (or {name} in the secrets file).", key=f"{name}_env")
    client_id = context.secret("client_id") or str(settings.get("client_id") or "")
    if not client_id:
        raise ConfigError("The connectwise connector needs a clientId (developer.connectwise.com): set "
                          "[connector] client_id or client_id_env.", key="client_id")
    board = read.text("board")
    boards = tuple(str(b) for b in settings.get("boards") or (board,))
    return CwSettings(
        url=url.rstrip("/") + "/", company_id=read.text("company_id"),
        public_key=str(secrets["public_key"]), private_key=str(secrets["private_key"]), client_id=client_id,
        board=board, boards=boards if board in boards else (board, *boards),
        api_version=read.text("api_version", "2025.1"),
        catch_all_company=read.text("catch_all_company", "Catchall"),
        primary_contact_type=str(settings.get("primary_contact_type", "Primary IT Contact")),
        companies={str(k): str(v) for k, v in _table(settings, "companies").items()},
        custom_fields=_custom_fields(_table(settings, "custom_fields")),
        steps={**STATUS_STEPS, **_known(_table(settings, "status_names"), STATUS_STEPS, "status_names")},
        statuses=_statuses(_table(settings, "statuses")),
        priorities=_priorities(_table(settings, "priorities")),
        ca_file=str(settings["ca_file"]) if settings.get("ca_file") else None,
        timeout=read.number("timeout", 30.0),
        page_size=int(read.number("page_size", 1000)),
        appointment_minutes=int(read.number("appointment_minutes", 60)),
    )


def _table(settings: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = settings.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[connector.{name}] must be a table.", key=f"connector.{name}")
    return value


def _known(table: Mapping[str, Any], allowed: Mapping[str, Any] | tuple[str, ...], name: str) -> dict[str, str]:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigError(f"[connector.{name}] {unknown[0]} is unknown; expected {', '.join(allowed)}.",
                          key=f"connector.{name}.{unknown[0]}")
    return {str(k): str(v) for k, v in table.items()}


def _custom_fields(table: Mapping[str, Any]) -> dict[str, int]:
    _known(table, CUSTOM_FIELDS, "custom_fields")
    try:
        return {str(k): int(v) for k, v in table.items() if int(v) > 0}
    except (TypeError, ValueError):
        raise ConfigError("[connector.custom_fields] values are ConnectWise custom field ids (numbers).",
                          key="connector.custom_fields") from None


def _statuses(table: Mapping[str, Any]) -> dict[str, str]:
    choices = [c.value for c in StatusCategory]
    for name, category in table.items():
        if str(category) not in choices:
            raise ConfigError(f"[connector.statuses] {name!r} = {category!r}: the category must be one of "
                              f"{', '.join(choices)}.", key=f"connector.statuses.{name}")
    return {str(k): str(v) for k, v in table.items()}


def _priorities(table: Mapping[str, Any]) -> dict[int, str]:
    result = dict(DEFAULT_PRIORITIES)
    for key, value in table.items():
        try:
            number = int(str(key).upper().removeprefix("P"))
        except ValueError:
            number = 0
        if number not in result:
            raise ConfigError(f"[connector.priorities] {key} is not one of P1, P2, P3, P4.",
                              key=f"connector.priorities.{key}")
        result[number] = str(value)
    return result
