"""Enrolment and e-mail verification: turning an enrolment key into a device token.

The enrolment key in the admin file is public knowledge; what enrolment gives
back (the device token) is the secret, and it goes straight into the
TokenStore. After a (re-)enrolment every outbox item that waited for it is
queued again, so a 401 never loses a ticket.
"""

from __future__ import annotations

import logging
import platform

from intake_app.client.api import ApiClient
from intake_app.client.errors import NotEnrolledError, ProtocolError
from intake_app.client.state import ClientState, load_state, now_iso, save_state
from intake_app.core.validation import check_email
from intake_app.errors import ValidationError
from intake_app.paths import AppPaths

log = logging.getLogger(__name__)


def computer_name() -> str:
    """This computer's name as the helpdesk knows it (the default device name)."""
    return platform.node().split(".")[0] or "this computer"


def enroll(paths: AppPaths, service_url: str, enrolment_key: str, *, user_name: str, user_email: str,
           device_name: str | None = None, ca_bundle: str | None = None, demo: bool = False,
           token_key: str = "") -> tuple[ClientState, ApiClient]:
    """Enrol this device; stores the token and the state, and re-queues outbox items that waited.

    Raises ValidationError for a bad name/e-mail (before any network call) and the
    client errors of :mod:`intake_app.client.errors` (a wrong key is UnauthorizedError).
    """
    problems = {}
    if not user_name.strip():
        problems["name"] = "Please give your name (--name)."
    if (msg := check_email(user_email, required=True)) is not None:
        problems["email"] = msg
    if problems:
        raise ValidationError(problems)
    api = ApiClient(service_url, ca_bundle=ca_bundle)
    answer = api.enroll(enrolment_key, device_name=device_name or computer_name(), user_name=user_name.strip(),
                        user_email=user_email.strip())
    token, device_id = answer.get("token"), answer.get("device_id")
    if not isinstance(token, str) or not token or not device_id:
        api.close()
        raise ProtocolError("an enrolment answer without a token")
    user = answer.get("user") or {}
    state = ClientState(
        service_url=service_url, device_id=str(device_id), device_name=device_name or computer_name(),
        company=str(answer.get("company") or ""), user_name=str(user.get("name") or user_name),
        user_email=str(user.get("email") or user_email), verified=bool(user.get("verified", False)),
        role=str(user.get("role") or "client"), demo=demo, token_key=token_key, enrolled_at=now_iso(),
    )
    state.token_store(paths).set(token)
    save_state(paths, state)
    api.set_token(token)
    log.info("enrolled with %s as device %s (company %s)", service_url, state.device_id, state.company)
    _requeue_outbox(paths)
    return state, api


def _requeue_outbox(paths: AppPaths) -> None:
    from intake_app.client.outbox import Outbox

    with Outbox.open(paths) as outbox:
        count = outbox.requeue_unauthorized()
    if count:
        log.info("%d queued ticket(s) that waited for enrolment will be sent now", count)


def connect(paths: AppPaths, state: ClientState | None = None, *, ca_bundle: str | None = None) -> ApiClient:
    """An ApiClient for the saved (real) enrolment or ``state``; NotEnrolledError when there is none."""
    state = state or load_state(paths)
    if state is None:
        raise NotEnrolledError()
    token = state.token_store(paths).get()
    if not token:
        raise NotEnrolledError("This computer's enrolment has no device token any more. "
                               "Run: intake-app enroll --service URL --key KEY")
    return ApiClient(state.service_url, token=token, ca_bundle=ca_bundle)


def start_verification(paths: AppPaths, state: ClientState, api: ApiClient) -> ClientState:
    """Ask the service to mail a code; in demo mode it verifies at once (the returned state says so)."""
    answer = api.verify_start(state.user_email)
    if answer.get("verified"):
        return refresh_identity(paths, state.with_changes(verified=True), api)
    return state


def confirm_verification(paths: AppPaths, state: ClientState, api: ApiClient, code: str) -> ClientState:
    """Confirm the code; a wrong/expired one raises RejectedError with ``problems["code"]``."""
    answer = api.verify_confirm(state.user_email, code.strip())
    state = state.with_changes(verified=bool(answer.get("verified", True)),
                               role=str(answer.get("role") or state.role))
    save_state(paths, state)
    return state


def refresh_identity(paths: AppPaths, state: ClientState, api: ApiClient) -> ClientState:
    """Update verified/role/company from ``GET /me`` (roles come from the helpdesk)."""
    me = api.me()
    user = me.get("user") or {}
    updated = state.with_changes(
        verified=bool(user.get("verified", state.verified)), role=str(user.get("role") or state.role),
        company=str(me.get("company") or state.company), user_name=str(user.get("name") or state.user_name),
    )
    if updated != state:
        save_state(paths, updated)
    return updated
