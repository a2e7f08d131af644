"""What each client command does, as data plus the sentence to show: no printing, no argparse.

``intake_app.cli.client_cmd`` maps flags onto these functions and prints the
:class:`Result`; tests and tools can call them directly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from intake_app.client import render
from intake_app.client.context import ClientContext, Target, open_context
from intake_app.client.demo import DEMO_LABEL, DemoError
from intake_app.client.errors import ClientError, NotEnrolledError, OfflineError
from intake_app.client.meta_cache import cached_policy, save_meta
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState, ReasonCode
from intake_app.client.outbox_sender import send_pending
from intake_app.client.submission import Delivery, deliver, outcome_message
from intake_app.core.priorities import Priority
from intake_app.core.ticket import Attachment, TicketDraft
from intake_app.errors import IntakeError
from intake_app.paths import AppPaths

log = logging.getLogger(__name__)

EXIT_REFUSED = 1
EXIT_SAVED_FOR_LATER = 75


@dataclass
class Result:
    data: Any
    text: str
    exit_code: int = 0
    notes: list[str] = field(default_factory=list)  # for stderr: "Demo: tickets stay on this computer"


def _notes(ctx: ClientContext | None, target: Target) -> list[str]:
    return [DEMO_LABEL] if target.demo else []


def drain(ctx: ClientContext) -> None:
    """Send whatever the outbox holds that is due, before doing what was asked (bounded by the first failure)."""
    try:
        with Outbox.open(ctx.paths) as outbox:
            if outbox.due_ids():
                send_pending(outbox, ctx.api)
    except ClientError as exc:
        log.info("outbox not drained: %s", exc.detail)


# ---- submit ---------------------------------------------------------------------------------------

def submit(paths: AppPaths, target: Target, draft: TicketDraft, attachments: Sequence[Attachment], *,
           wait_for_number: float = 5.0) -> Result:
    """Queue the ticket durably, then try to deliver it now; offline it stays queued (exit 75)."""
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(draft, attachments)  # on disk before any network call; dedupes on the id
        ctx: ClientContext | None = None
        try:
            ctx = open_context(paths, target)
        except NotEnrolledError as exc:
            outbox.mark_retry(item.id, ReasonCode.NOT_ENROLLED, "Waiting for this computer to be enrolled.", 0,
                              count_attempt=False)
            log.info("not enrolled; ticket %s stays queued", item.client_ticket_id)
            delivery = Delivery(outbox.get(item.id) or item, exc)
        except (ClientError, DemoError) as exc:  # offline, a wrong key, the demo would not start: kept
            log.info("ticket %s stays queued: %s", item.client_ticket_id, exc)
            delivery = Delivery(outbox.get(item.id) or item, exc)
        try:
            if ctx is not None:
                delivery = deliver(outbox, ctx.api, outbox.get(item.id) or item, wait_for_number=wait_for_number)
                if not isinstance(delivery.error, OfflineError):
                    _cache_meta(ctx)  # the support phone for the next time we are offline
        finally:
            if ctx is not None:
                ctx.close()
    policy = cached_policy(paths, demo=target.demo)
    emergency = item.priority == Priority.EMERGENCY
    text = outcome_message(delivery, support_phone=policy.support_phone, emergency=emergency)
    data = {**delivery.to_dict(), "summary": item.summary, "demo": target.demo, "message": text}
    if emergency and delivery.state is not ItemState.SENT:
        data["support_phone"] = policy.support_phone
    code = {ItemState.SENT: 0, ItemState.NEEDS_ATTENTION: EXIT_REFUSED}.get(delivery.state, EXIT_SAVED_FOR_LATER)
    if delivery.item.reason_code is ReasonCode.UNAUTHORIZED:
        code = EXIT_SAVED_FOR_LATER  # revoked: kept and sent after `intake-app enroll`, not refused
    return Result(data, text, code, _notes(ctx, target))


def _cache_meta(ctx: ClientContext) -> None:
    try:
        save_meta(ctx.paths, ctx.api.meta(), demo=ctx.demo)
    except ClientError as exc:
        log.info("policy not refreshed: %s", exc.detail)


# ---- reading --------------------------------------------------------------------------------------

def list_tickets(ctx: ClientContext, *, scope: str = "mine") -> Result:
    drain(ctx)
    answer = ctx.api.tickets(scope=scope)
    tickets = answer.get("tickets") or []
    with Outbox.open(ctx.paths) as outbox:
        unsent = outbox.items([ItemState.QUEUED, ItemState.SENDING, ItemState.NEEDS_ATTENTION])
    data = {"tickets": tickets, "queued": [i.to_dict() for i in unsent], "server_time": answer.get("server_time"),
            "demo": ctx.demo}
    return Result(data, render.ticket_table(tickets, unsent), 0, _notes(ctx, ctx.target))


def show_ticket(ctx: ClientContext, ref: str) -> Result:
    drain(ctx)
    ticket = ctx.api.ticket(ref)
    return Result(ticket, render.ticket_detail(ticket), 0, _notes(ctx, ctx.target))


def outbox_status(paths: AppPaths, *, ctx: ClientContext | None = None, retry: int | None = None,
                  discard: int | None = None) -> Result:
    """What is queued and why; optionally retry, discard, or (with ``ctx``) send now."""
    with Outbox.open(paths) as outbox:
        if retry is not None and not outbox.retry_now(retry):
            raise IntakeError(f"There is no unsent ticket [{retry}] in the outbox.")
        if discard is not None and not outbox.discard(discard):
            raise IntakeError(f"There is no unsent ticket [{discard}] in the outbox (one being sent can't be "
                              "discarded).")
        if ctx is not None:
            send_pending(outbox, ctx.api, force=True)
        items = outbox.items([ItemState.QUEUED, ItemState.SENDING, ItemState.NEEDS_ATTENTION])
        recent = [i for i in outbox.items([ItemState.SENT]) if i.sent_at is not None][-10:]
    data = {"items": [i.to_dict() for i in items], "recently_sent": [i.to_dict() for i in recent]}
    return Result(data, render.outbox_table(items))
