"""The ``[connector]`` table for ``kind = "rt"``, read once with clear errors.

Example (``service.toml``)::

    [connector]
    kind = "rt"
    url = "https://rt.example.com/REST/2.0/"
    token_env = "INTAKE_RT_TOKEN"          # the auth token of the RT service account
    queue = "Intake"
    # ca_file = "/etc/intake/rt-ca.pem"     # a private CA; verification is never turned off
    # primary_contact_group = "Primary IT contacts"
    # [connector.custom_fields]             # RT custom field names ("" = not used)
    # client_ticket_id = "ClientTicketId"
    # [connector.status_names]              # RT status used for each guide step
    # reply_open = "client responded"
    # [connector.statuses]                  # extra RT statuses -> SPEC §4 category
    # "waiting on vendor" = "on-hold"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake_app.core.statuses import COMPLETED, REOPENED, CLIENT_RESPONDED, StatusCategory
from intake_app.errors import ConfigError
from intake_app.service.connectors.base import ConnectorContext, SettingsReader
from intake_app.service.connectors.rt_mapping import PriorityScale, RtFields, rt_status_name

ALLOWED = frozenset({"url", "queue", "token_env", "username", "password_env", "ca_file", "timeout",
                     "custom_fields", "status_names", "statuses", "priorities", "primary_contact_group",
                     "appointment_minutes"})
STATUS_STEPS = {"reply_open": CLIENT_RESPONDED, "reply_closed": REOPENED, "close": COMPLETED}


@dataclass(frozen=True)
class RtSettings:
    url: str
    queue: str
    token: str | None = field(default=None, repr=False)
    username: str = ""
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 30.0
    fields: RtFields = RtFields()
    steps: Mapping[str, str] = field(default_factory=lambda: {k: rt_status_name(v) for k, v in STATUS_STEPS.items()})
    statuses: Mapping[str, str] = field(default_factory=dict)
    scale: PriorityScale = PriorityScale()
    primary_contact_group: str = "Primary IT contacts"
    appointment_minutes: int = 60


def read_settings(settings: Mapping[str, Any], context: ConnectorContext) -> RtSettings:
    read = SettingsReader(settings, "rt")
    read.reject_unknown(ALLOWED, "a Request Tracker")
    url = read.text("url")
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"[connector] url must start with https:// (or http:// on loopback), not {url!r}.", key="url")
    token = context.secret("token")
    username = str(settings.get("username") or "")
    password = context.secret("password") if username else None
    if not token and not (username and password):
        raise ConfigError("The rt connector needs an auth token: set [connector] token_env to the name of an "
                          "environment variable holding it (or token in the secrets file).", key="token_env")
    return RtSettings(
        url=url if url.endswith("/") else url + "/",
        queue=read.text("queue", "Intake"),
        token=token, username=username, password=password,
        ca_file=str(settings["ca_file"]) if settings.get("ca_file") else None,
        timeout=read.number("timeout", 30.0),
        fields=_fields(_table(settings, "custom_fields")),
        steps=_steps(_table(settings, "status_names")),
        statuses=_statuses(_table(settings, "statuses")),
        scale=_scale(_table(settings, "priorities")),
        primary_contact_group=str(settings.get("primary_contact_group", "Primary IT contacts")),
        appointment_minutes=int(read.number("appointment_minutes", 60)),
    )


def _table(settings: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = settings.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[connector.{name}] must be a table.", key=f"connector.{name}")
    return value


def _fields(table: Mapping[str, Any]) -> RtFields:
    known = set(RtFields.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"[connector.custom_fields] {unknown[0]} is unknown; expected {', '.join(sorted(known))}.",
                          key=f"connector.custom_fields.{unknown[0]}")
    return RtFields(**{k: str(v) for k, v in table.items()})


def _steps(table: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(table) - set(STATUS_STEPS))
    if unknown:
        raise ConfigError(f"[connector.status_names] {unknown[0]} is unknown; expected {', '.join(STATUS_STEPS)}.",
                          key=f"connector.status_names.{unknown[0]}")
    steps = {k: rt_status_name(v) for k, v in STATUS_STEPS.items()}
    steps.update({k: rt_status_name(str(v)) for k, v in table.items()})
    return steps


def _statuses(table: Mapping[str, Any]) -> dict[str, str]:
    choices = [c.value for c in StatusCategory]
    for name, category in table.items():
        if str(category) not in choices:
            raise ConfigError(f"[connector.statuses] {name!r} = {category!r}: the category must be one of "
                              f"{', '.join(choices)}.", key=f"connector.statuses.{name}")
    return {str(k): str(v) for k, v in table.items()}


def _scale(table: Mapping[str, Any]) -> PriorityScale:
    if not table:
        return PriorityScale()
    try:
        values = {int(str(k).upper().removeprefix("P")): int(v) for k, v in table.items()}
    except (TypeError, ValueError):
        raise ConfigError("[connector.priorities] maps P1..P4 to RT priority numbers, e.g. P1 = 90.",
                          key="connector.priorities") from None
    if set(values) != {1, 2, 3, 4}:
        raise ConfigError("[connector.priorities] must give a number for each of P1, P2, P3 and P4.",
                          key="connector.priorities")
    return PriorityScale(values)
