"""Draining the outbox: resend the stored bytes until the service answers 202.

Each failure is classified once, here:

* unreachable, 5xx, garbled answers, 429: ``queued`` again with a persisted
  backoff (the server's ``Retry-After`` wins);
* 401: ``needs-attention`` until the device enrols again (then
  :meth:`Outbox.requeue_unauthorized` queues it; nothing is lost);
* 422 and other refusals: ``needs-attention`` with the server's message and
  field problems, never retried blindly.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from intake_app.client.errors import (
    ClientError, NotEnrolledError, OfflineError, ProtocolError, RejectedError, ServerError, UnauthorizedError,
)
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState, OutboxItem, ReasonCode
from intake_app.client.receipt import SubmitAnswer
from intake_app.client.retry import backoff_seconds

log = logging.getLogger(__name__)

REFRESH_WINDOW_S = 24 * 3600.0  # look up helpdesk numbers for tickets sent within the last day


class TicketPoster(Protocol):
    """The part of :class:`~intake_app.client.api.ApiClient` the sender needs."""

    def submit_ticket(self, body: bytes, content_type: str, client_ticket_id: str) -> SubmitAnswer: ...

    def ticket(self, ref: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SendOutcome:
    item: OutboxItem  # the item after the attempt
    error: ClientError | None = None

    @property
    def sent(self) -> bool:
        return self.item.state is ItemState.SENT


def send_pending(outbox: Outbox, api: TicketPoster, *, only: Iterable[int] | None = None,
                 force: bool = False) -> list[SendOutcome]:
    """Try every due item (or just ``only``) once; stops early when the service is unreachable.

    ``force`` ignores the items' backoff (the user pressed "send now", or just submitted).
    """
    outbox.recover()
    ids = list(only) if only is not None else outbox.due_ids(float("inf") if force else None)
    outcomes: list[SendOutcome] = []
    for item_id in ids:
        outcome = send_item(outbox, api, item_id, force=force)
        if outcome is None:
            continue
        outcomes.append(outcome)
        if isinstance(outcome.error, (OfflineError, UnauthorizedError, NotEnrolledError)):
            break  # the next item would fail the same way
    return outcomes


def send_item(outbox: Outbox, api: TicketPoster, item_id: int, *, force: bool = False) -> SendOutcome | None:
    """Claim one item and send it; None when another process has it (or it is not due)."""
    item = outbox.claim(item_id, force=force)
    if item is None:
        return None
    try:
        body = outbox.request_body(item)
    except OSError as exc:
        outbox.mark_needs_attention(item_id, ReasonCode.CORRUPT,
                                    f"The saved ticket is missing from this computer ({exc.strerror}).")
        return _outcome(outbox, item_id, None)
    if hashlib.sha256(body).hexdigest() != item.body_sha256:
        outbox.mark_needs_attention(item_id, ReasonCode.CORRUPT, "The saved ticket was damaged on disk.")
        return _outcome(outbox, item_id, None)
    try:
        answer = api.submit_ticket(body, item.content_type, item.client_ticket_id)
    except ClientError as exc:
        _record_failure(outbox, item, exc)
        return _outcome(outbox, item_id, exc)
    except BaseException:
        # a bug or Ctrl+C: never leave the row claimed by a live process that is no longer sending
        outbox.mark_retry(item_id, ReasonCode.PROTOCOL, "Interrupted while sending.", 0, count_attempt=False)
        raise
    log.info("sent ticket %s: %s", item.client_ticket_id, answer.reference)
    return SendOutcome(outbox.mark_sent(item_id, answer.reference, answer.helpdesk_id))


def _record_failure(outbox: Outbox, item: OutboxItem, exc: ClientError) -> None:
    attempts = item.attempts + 1
    wait = max(backoff_seconds(attempts), exc.retry_after or 0.0)
    if isinstance(exc, UnauthorizedError):
        outbox.mark_needs_attention(item.id, ReasonCode.UNAUTHORIZED, "Waiting for this computer to be enrolled "
                                    "again; the ticket is kept and sent afterwards.")
    elif isinstance(exc, NotEnrolledError):
        outbox.mark_retry(item.id, ReasonCode.NOT_ENROLLED, "Waiting for this computer to be enrolled.", 0,
                          count_attempt=False)
    elif isinstance(exc, RejectedError) and not exc.retryable:
        code = ReasonCode.VALIDATION if exc.problems or exc.status == 422 else ReasonCode.REJECTED
        outbox.mark_needs_attention(item.id, code, exc.server_message, exc.problems)
    elif isinstance(exc, RejectedError):
        outbox.mark_retry(item.id, ReasonCode.RATE_LIMITED, "The service is busy.", wait)
    elif isinstance(exc, OfflineError):
        outbox.mark_retry(item.id, ReasonCode.OFFLINE, "The helpdesk service can't be reached.", wait)
    elif isinstance(exc, ServerError):
        outbox.mark_retry(item.id, ReasonCode.SERVER, f"The service had a problem ({exc.status}).", wait)
    elif isinstance(exc, ProtocolError):
        outbox.mark_retry(item.id, ReasonCode.PROTOCOL, "The service's answer was not understood.", wait)
    else:
        outbox.mark_retry(item.id, ReasonCode.SERVER, str(exc), wait)
    log.warning("ticket %s not sent (attempt %d): %s %s", item.client_ticket_id, attempts, type(exc).__name__,
                exc.detail)


def _outcome(outbox: Outbox, item_id: int, error: ClientError | None) -> SendOutcome:
    item = outbox.get(item_id)
    assert item is not None
    return SendOutcome(item, error)


def refresh_helpdesk_ids(outbox: Outbox, api: TicketPoster, *, within_s: float = REFRESH_WINDOW_S) -> list[OutboxItem]:
    """Fill in the helpdesk number of recently sent tickets (the service learns it after relaying)."""
    cutoff = time.time() - within_s
    updated = []
    for item in outbox.items([ItemState.SENT]):
        if item.helpdesk_id or not item.reference or (item.sent_at and item.sent_at.timestamp() < cutoff):
            continue
        try:
            ticket = api.ticket(item.reference)
        except ClientError as exc:
            log.debug("helpdesk number for %s not known yet: %s", item.reference, exc.detail)
            if isinstance(exc, (OfflineError, UnauthorizedError)):
                break
            continue
        helpdesk_id = ticket.get("helpdesk_id")
        if helpdesk_id:
            outbox.set_helpdesk_id(item.id, str(helpdesk_id))
            refreshed = outbox.get(item.id)
            if refreshed is not None:
                updated.append(refreshed)
    return updated
