"""The client library against a real ``intake-app serve --demo`` on loopback (no CLI in between)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from client_helpers import make_attachments, make_draft
from intake_app.client.api import ApiClient
from intake_app.client.errors import RejectedError, UnauthorizedError
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState, ReasonCode
from intake_app.client.outbox_sender import send_pending
from intake_app.client.session import connect, enroll
from intake_app.client.state import load_state
from intake_app.paths import AppPaths
from live_service import ServiceProcess, subprocess_env


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    base = tmp_path_factory.mktemp("live")
    env = subprocess_env(base / "app", base / "keyring.json")
    env.pop("INTAKE_CONFIG", None)
    service = ServiceProcess(base / "service", env, demo=True, enrolment_key="demo").start()
    yield service
    service.stop()


@pytest.fixture
def enrolled(paths: AppPaths, demo_service: ServiceProcess) -> ApiClient:
    _, api = enroll(paths, demo_service.url, "demo", user_name="Ana Souza", user_email="ana@example.com")
    return api


def test_enrolment_stores_the_token_in_the_keyring_not_in_the_state_file(paths: AppPaths,
                                                                          enrolled: ApiClient) -> None:
    state = load_state(paths)
    assert state is not None and state.company == "Demo company"
    token = state.token_store(paths).get()
    assert token and token not in paths.client_state.read_text()
    if os.name == "posix":
        assert paths.client_state.stat().st_mode & 0o777 == 0o600


def test_a_wrong_enrolment_key_is_unauthorized(paths: AppPaths, demo_service: ServiceProcess) -> None:
    with pytest.raises(UnauthorizedError):
        enroll(paths, demo_service.url, "not-the-key", user_name="Ana", user_email="ana@example.com")
    assert load_state(paths) is None


def test_lists_are_cached_by_etag(paths: AppPaths, enrolled: ApiClient, demo_service: ServiceProcess) -> None:
    from intake_app.client.transport import Transport

    state = load_state(paths)
    assert state is not None
    transport = Transport(demo_service.url, token=state.token_store(paths).get())
    first = transport.request("GET", "/tickets", params={"scope": "mine"}, use_etag=True)
    second = transport.request("GET", "/tickets", params={"scope": "mine"}, use_etag=True)
    assert not first.from_cache and second.from_cache and second.status == 304
    assert second.data == first.data
    transport.close()


def test_the_service_refusing_a_ticket_leaves_it_needing_attention(paths: AppPaths, enrolled: ApiClient) -> None:
    too_long = make_draft(summary="A" * 150)  # the local check is skipped on purpose: the service checks too
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(too_long, make_attachments())
        (outcome,) = send_pending(outbox, enrolled)
        assert isinstance(outcome.error, RejectedError) and outcome.error.status == 422
        held = outcome.item
        assert held.state is ItemState.NEEDS_ATTENTION and held.reason_code is ReasonCode.VALIDATION
        assert "summary" in held.problems and "100" in held.problems["summary"]
        assert send_pending(outbox, enrolled, force=True) == []
        fixed = outbox.replace_draft(item.id, outbox.draft(item.id).with_changes(summary="Short now"),
                                     outbox.attachments(item.id))
        (outcome,) = send_pending(outbox, enrolled)
        assert outcome.sent and fixed.client_ticket_id == item.client_ticket_id


def test_a_revoked_device_keeps_its_tickets_until_it_enrols_again(paths: AppPaths, enrolled: ApiClient,
                                                                  demo_service: ServiceProcess) -> None:
    state = load_state(paths)
    assert state is not None
    demo_service.admin("device", "revoke", state.device_id)
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(make_draft(), make_attachments())
        (outcome,) = send_pending(outbox, enrolled)
        assert isinstance(outcome.error, UnauthorizedError)
        assert outcome.item.state is ItemState.NEEDS_ATTENTION
        assert outcome.item.reason_code is ReasonCode.UNAUTHORIZED
        enroll(paths, demo_service.url, "demo", user_name="Ana Souza", user_email="ana@example.com")
        again = outbox.get(item.id)
        assert again is not None and again.state is ItemState.QUEUED  # re-queued by the enrolment
        (outcome,) = send_pending(outbox, connect(paths))
        assert outcome.sent and outcome.item.reference


def test_resending_the_same_bytes_gives_the_same_reference(paths: AppPaths, enrolled: ApiClient,
                                                           demo_service: ServiceProcess) -> None:
    draft = make_draft()
    first = enrolled.submit_draft(draft, make_attachments())
    second = enrolled.submit_draft(draft, make_attachments())
    assert first.reference == second.reference
    rows = demo_service.helpdesk_rows("SELECT COUNT(*) FROM tickets WHERE client_ticket_id = ?",
                                      draft.client_ticket_id)
    assert rows == [(1,)]


def test_open_context_enrols_from_the_admin_file_and_again_after_a_revocation(
        paths: AppPaths, demo_service: ServiceProcess, tmp_path: Path) -> None:
    from intake_app.client.context import Target, open_context
    from intake_app.config.admin import AdminConfig
    from intake_app.config.profile import UserProfile, save_profile

    save_profile(paths, UserProfile(name="Ana Souza", email="ana@example.com"))
    target = Target(demo=False, admin=AdminConfig(service_url=demo_service.url, enrolment_key="demo",
                                                  path=tmp_path / "intake.toml"))
    with open_context(paths, target) as ctx:  # no enrolment yet: made from the admin file's key + profile
        first_device = ctx.state.device_id
        assert ctx.api.tickets()["tickets"] == []
    demo_service.admin("device", "revoke", first_device)
    with open_context(paths, target) as ctx, pytest.raises(UnauthorizedError):
        ctx.api.tickets()
    with open_context(paths, target, reenrol=True) as ctx:
        assert ctx.state.device_id != first_device
        assert ctx.api.tickets()["tickets"] == []
