"""How the outbox reacts to each kind of answer (scripted loopback server: the client's own rules).

The real service's behaviour (202, dedupe, 422 on a bad draft) is covered in tests/e2e.
"""

from __future__ import annotations

import time

from client_helpers import Scripted, ScriptedServer, make_attachments, make_draft
from intake_app.client.api import ApiClient
from intake_app.client.errors import OfflineError, RejectedError, UnauthorizedError
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState, ReasonCode
from intake_app.client.outbox_sender import refresh_helpdesk_ids, send_pending
from intake_app.client.retry import RetryPolicy
from intake_app.paths import AppPaths

ONCE = RetryPolicy(attempts=1)


def api_for(url: str) -> ApiClient:
    return ApiClient(url, token="device-token-abcdef", retry=ONCE)


def accepted(server: ScriptedServer, cti: str, helpdesk_id: str | None = None) -> None:
    server.json(202, {"reference": "INT-000007", "client_ticket_id": cti, "relay_state": "accepted",
                      "helpdesk_id": helpdesk_id})


def test_202_marks_sent_and_deletes_the_stored_files(paths: AppPaths, scripted: ScriptedServer) -> None:
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft(), make_attachments())
        stored = outbox.request_body(item)
        accepted(scripted, item.client_ticket_id)
        (outcome,) = send_pending(outbox, api)
        assert outcome.sent and outcome.item.reference == "INT-000007"
        assert scripted.seen[0].body == stored  # exactly the stored bytes
        assert scripted.seen[0].headers["Content-Type"] == item.content_type
        assert not (paths.outbox_files / item.files_dir).exists()
        assert outbox.pending_count() == 0


def test_422_needs_attention_with_the_problems_and_is_not_retried(paths: AppPaths, scripted: ScriptedServer) -> None:
    scripted.json(422, {"error": {"code": "validation_failed", "message": "Some details need fixing.",
                                  "details": {"summary": "The summary is 140 characters; at most 100."}}})
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft(), make_attachments())
        (outcome,) = send_pending(outbox, api)
        assert isinstance(outcome.error, RejectedError)
        held = outcome.item
        assert held.state is ItemState.NEEDS_ATTENTION and held.reason_code is ReasonCode.VALIDATION
        assert held.problems == {"summary": "The summary is 140 characters; at most 100."}
        assert send_pending(outbox, api, force=True) == []  # never resent blindly
        assert len(scripted.seen) == 1
        assert (paths.outbox_files / item.files_dir / "request.body").exists()  # kept for the user to fix


def test_a_fixed_ticket_is_queued_again_with_the_same_id(paths: AppPaths, scripted: ScriptedServer) -> None:
    scripted.json(422, {"error": {"code": "validation_failed", "message": "Fix it.", "details": {"summary": "x"}}})
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft(), make_attachments())
        send_pending(outbox, api)
        fixed = outbox.replace_draft(item.id, outbox.draft(item.id).with_changes(summary="Shorter"),
                                     outbox.attachments(item.id))
        assert fixed.state is ItemState.QUEUED and fixed.client_ticket_id == item.client_ticket_id
        assert not (paths.outbox_files / item.files_dir).exists()
        accepted(scripted, item.client_ticket_id)
        (outcome,) = send_pending(outbox, api)
        assert outcome.sent
        assert b'"summary":"Shorter"' in scripted.seen[1].body


def test_401_waits_for_enrolment_and_loses_nothing(paths: AppPaths, scripted: ScriptedServer) -> None:
    scripted.json(401, {"error": {"code": "unauthorized", "message": "Unknown token."}})
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        first = outbox.enqueue(make_draft())
        second = outbox.enqueue(make_draft(summary="second"))
        outcomes = send_pending(outbox, api)
        assert len(outcomes) == 1 and isinstance(outcomes[0].error, UnauthorizedError)  # stops at the first 401
        held = outbox.get(first.id)
        assert held is not None and held.state is ItemState.NEEDS_ATTENTION
        assert held.reason_code is ReasonCode.UNAUTHORIZED and "enrolled again" in held.reason
        assert outbox.requeue_unauthorized() == 1
        accepted(scripted, first.client_ticket_id)
        accepted(scripted, second.client_ticket_id)
        assert [o.sent for o in send_pending(outbox, api)] == [True, True]


def test_offline_keeps_the_item_queued_with_a_persisted_backoff(paths: AppPaths, refused_url: str) -> None:
    with Outbox.open(paths) as outbox, api_for(refused_url) as api:
        item = outbox.enqueue(make_draft())
        before = time.time()
        (outcome,) = send_pending(outbox, api)
        assert isinstance(outcome.error, OfflineError)
    with Outbox.open(paths) as reopened:
        again = reopened.get(item.id)
        assert again is not None and again.state is ItemState.QUEUED
        assert again.attempts == 1 and again.reason_code is ReasonCode.OFFLINE
        assert again.next_attempt_at.timestamp() > before  # not due again at once
        assert reopened.due_ids() == []


def test_send_now_ignores_the_backoff(paths: AppPaths, refused_url: str, scripted: ScriptedServer) -> None:
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(make_draft())
        with api_for(refused_url) as offline:
            send_pending(outbox, offline)
        assert outbox.due_ids() == []
        with api_for(scripted.url) as online:
            assert send_pending(outbox, online) == []  # the backoff holds
            accepted(scripted, item.client_ticket_id)
            (outcome,) = send_pending(outbox, online, force=True)  # "send now"
        assert outcome.sent


def test_a_busy_service_sets_the_next_attempt_from_retry_after(paths: AppPaths, scripted: ScriptedServer) -> None:
    scripted.json(503, {"error": {"code": "helpdesk_unavailable", "message": "x"}}, **{"Retry-After": "600"})
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft())
        before = time.time()
        send_pending(outbox, api)
        again = outbox.get(item.id)
        assert again is not None and again.state is ItemState.QUEUED and again.reason_code is ReasonCode.SERVER
        assert again.next_attempt_at.timestamp() >= before + 600


def test_html_from_a_captive_portal_is_retried_later(paths: AppPaths, scripted: ScriptedServer) -> None:
    scripted.add(Scripted(200, b"<html>Sign in to the hotel Wi-Fi</html>", {"Content-Type": "text/html"}))
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft())
        send_pending(outbox, api)
        again = outbox.get(item.id)
        assert again is not None and again.state is ItemState.QUEUED and again.reason_code is ReasonCode.PROTOCOL


def test_a_damaged_stored_body_needs_attention(paths: AppPaths, scripted: ScriptedServer) -> None:
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft())
        body = paths.outbox_files / item.files_dir / "request.body"
        body.write_bytes(body.read_bytes()[:-10])
        send_pending(outbox, api)
        again = outbox.get(item.id)
        assert again is not None and again.state is ItemState.NEEDS_ATTENTION
        assert again.reason_code is ReasonCode.CORRUPT
        assert scripted.seen == []


def test_the_helpdesk_number_is_filled_in_later(paths: AppPaths, scripted: ScriptedServer) -> None:
    with Outbox.open(paths) as outbox, api_for(scripted.url) as api:
        item = outbox.enqueue(make_draft())
        accepted(scripted, item.client_ticket_id)
        send_pending(outbox, api)
        scripted.json(200, {"reference": "INT-000007", "helpdesk_id": "1042"})
        (updated,) = refresh_helpdesk_ids(outbox, api)
        assert updated.helpdesk_id == "1042" and updated.number == "1042"
        assert scripted.seen[-1].path == "/api/v1/tickets/INT-000007"
