"""Which Intake service this computer is enrolled with (``paths.client_state``).

The demo enrolment is kept apart (in the demo service's folder), so trying
``--demo`` on a deployed computer never replaces its real enrolment.

Plain facts only: service URL, device id, company, the user's e-mail and
whether it is verified. The device token is a secret and lives in the
:class:`~intake_app.config.secrets.TokenStore` (the OS keyring), never here.
Writes are atomic and user-only; a damaged file is kept aside and the device
simply enrols again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from intake_app.config.jsonfile import read_json_object
from intake_app.config.secrets import TokenStore
from intake_app.paths import AppPaths, write_private

log = logging.getLogger(__name__)

STATE_VERSION = 1


@dataclass(frozen=True)
class ClientState:
    service_url: str
    device_id: str
    device_name: str = ""
    company: str = ""
    user_name: str = ""
    user_email: str = ""
    verified: bool = False
    role: str = "client"  # client / primary_contact
    demo: bool = False  # enrolled with the local demo service
    token_key: str = ""  # the TokenStore's key: the service URL, or a fixed key for the demo (its port changes)
    enrolled_at: str = ""

    @property
    def store_key(self) -> str:
        return self.token_key or self.service_url

    def token_store(self, paths: AppPaths) -> TokenStore:
        return TokenStore(paths, self.store_key)

    def with_changes(self, **changes: Any) -> ClientState:
        return replace(self, **changes)

    @property
    def is_primary_contact(self) -> bool:
        return self.role == "primary_contact"

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": STATE_VERSION, **asdict(self)}


_FIELDS = {f.name for f in fields(ClientState)}


def state_file(paths: AppPaths, demo: bool = False) -> Path:
    return paths.demo_service / "client-state.json" if demo else paths.client_state


def load_state(paths: AppPaths, *, demo: bool = False) -> ClientState | None:
    """The saved enrolment, or None (never enrolled, or the file was damaged: it is kept aside)."""
    read = read_json_object(state_file(paths, demo), "enrolment state")
    if read.warning:
        log.warning("%s", read.warning)
    data = read.data
    if not data or not data.get("service_url") or not data.get("device_id"):
        return None
    values = {k: v for k, v in data.items() if k in _FIELDS}
    values["verified"] = bool(values.get("verified", False))
    values["demo"] = bool(values.get("demo", False))
    return ClientState(**{k: v if isinstance(v, bool) else str(v) for k, v in values.items()})


def save_state(paths: AppPaths, state: ClientState) -> None:
    text = json.dumps(state.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_private(state_file(paths, state.demo), text.encode("utf-8"))


def forget_state(paths: AppPaths, *, demo: bool = False) -> None:
    """Forget the enrolment and its token (the user enrols with another service)."""
    state = load_state(paths, demo=demo)
    if state is not None:
        state.token_store(paths).delete()
    state_file(paths, demo).unlink(missing_ok=True)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
