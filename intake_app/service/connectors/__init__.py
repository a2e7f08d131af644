"""Helpdesk connectors, one module per kind, imported only when configured.

Each module ``intake_app.service.connectors.<kind>`` exposes
``create(settings, context) -> Connector`` (see :mod:`.base`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from intake_app.errors import ConfigError
from intake_app.service.connectors.base import Connector, ConnectorContext, ConnectorKind

MODULES: dict[ConnectorKind, str] = {
    ConnectorKind.LOCAL: "intake_app.service.connectors.local",
    ConnectorKind.RT: "intake_app.service.connectors.rt",
    ConnectorKind.CONNECTWISE: "intake_app.service.connectors.connectwise",
    ConnectorKind.EMAIL: "intake_app.service.connectors.email",
}


def parse_kind(value: object) -> ConnectorKind:
    try:
        return ConnectorKind(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in ConnectorKind)
        raise ConfigError(f"[connector] kind must be one of {choices}, not {value!r}.", key="kind") from None


def create_connector(kind: ConnectorKind, settings: Mapping[str, Any], context: ConnectorContext) -> Connector:
    """Import the connector module for ``kind`` and build it from ``settings``."""
    try:
        module = importlib.import_module(MODULES[kind])
    except ModuleNotFoundError as exc:
        if exc.name == MODULES[kind]:
            raise ConfigError(f"The {kind.value} connector is not available in this build.", key="kind") from None
        raise
    connector = module.create(settings, context)
    if not isinstance(connector, Connector):
        raise ConfigError(f"{MODULES[kind]}.create() did not return a Connector.")
    return connector
