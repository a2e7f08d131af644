"""Admin-file migrations: bring an older ``schema_version`` up to the current one.

An MSP deploys intake.toml to many computers and cannot update them all at the
same moment as the app, so older files keep working: each step rewrites the
parsed dict in memory (never the file) and says what it renamed, for the
warning and for ``config check``'s "where did this value come from".

History:
* version 0 (no ``schema_version``; pre-release builds): the service was
  ``[server] url`` / ``[server] enrolment_key`` / ``[server] ca_bundle``.
* version 1: ``[server]`` became ``[service]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_app.config.schema import SCHEMA_VERSION, show
from intake_app.errors import ConfigError


@dataclass
class Migrated:
    """The data at the current version, plus what was renamed on the way."""

    data: dict[str, Any]
    from_version: int
    renamed: dict[str, str] = field(default_factory=dict)  # new dotted key -> old label
    warnings: list[str] = field(default_factory=list)


def _v0_to_v1(data: dict[str, Any], path: Path, result: Migrated) -> None:
    server = data.pop("server", None)
    if server is None:
        return
    if not isinstance(server, dict):
        raise ConfigError(f"{path}: server: expected the old [server] table, got {show(server)}",
                          path=str(path), key="server")
    service = data.setdefault("service", {})
    if not isinstance(service, dict):
        return  # the loader reports "[service]: expected a table"
    for key, value in server.items():
        if key in service:
            raise ConfigError(
                f"{path}: [server] {key}: also set as [service] {key}; [server] is the old name "
                "of [service], keep only [service]", path=str(path), key=f"server.{key}")
        service[key] = value
        result.renamed[f"service.{key}"] = f"[server] {key}"
    result.warnings.append(
        f"{path}: [server] is the old name of [service] (schema_version 0); it still works, "
        f"but rename it and set schema_version = {SCHEMA_VERSION}")


# step from version N to N + 1
STEPS: dict[int, Callable[[dict[str, Any], Path, Migrated], None]] = {0: _v0_to_v1}


def migrate(data: dict[str, Any], path: Path) -> Migrated:
    """Upgrade ``data`` (parsed from ``path``) to :data:`SCHEMA_VERSION`."""
    version = data.pop("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ConfigError(f"{path}: schema_version: expected a whole number from 0 to {SCHEMA_VERSION}, "
                          f"got {show(version)}", path=str(path), key="schema_version")
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: schema_version: expected {SCHEMA_VERSION} or lower, got {version}: the file is for "
            "a newer Intake; update the app or use a file for this version",
            path=str(path), key="schema_version")
    result = Migrated(data=data, from_version=version)
    while version < SCHEMA_VERSION:
        STEPS[version](data, path, result)
        version += 1
    return result
