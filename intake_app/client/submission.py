"""After Submit: send the just-queued ticket now if we can, and learn its helpdesk number.

The ticket is already safe in the outbox when this runs. The report window and
``intake-app submit`` both call :func:`deliver`, then tell the user what
happened in the words of :func:`outcome_message`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from intake_app.client.errors import ClientError, NotEnrolledError, OfflineError, UnauthorizedError
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState, OutboxItem, ReasonCode
from intake_app.client.outbox_sender import TicketPoster, send_item, send_pending

log = logging.getLogger(__name__)

SAVED_OFFLINE = "Saved. It will be sent automatically when you are back online."
SAVED_REVOKED = ("Saved on this computer, not sent: this computer is no longer enrolled with the helpdesk "
                 "service. Enrol it again (intake-app enroll); nothing you submitted is lost, it is sent afterwards.")
SAVED_NOT_ENROLLED = ("Saved. It will be sent automatically once this computer is enrolled with the helpdesk "
                      "service.")


@dataclass(frozen=True)
class Delivery:
    item: OutboxItem
    error: Exception | None = None  # why it is not sent yet (a ClientError, or the demo failing to start)

    @property
    def state(self) -> ItemState:
        return self.item.state

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.item.state.value, "client_ticket_id": self.item.client_ticket_id,
                "reference": self.item.reference, "helpdesk_id": self.item.helpdesk_id,
                "reason": self.item.reason or None, "problems": self.item.problems}


def deliver(outbox: Outbox, api: TicketPoster | None, item: OutboxItem, *, wait_for_number: float = 5.0,
            poll_interval: float = 0.5) -> Delivery:
    """Send ``item`` now (then whatever else is due) and poll briefly for its helpdesk number."""
    error: Exception | None = None
    if api is not None and item.state is ItemState.QUEUED:
        outcome = send_item(outbox, api, item.id, force=True)
        error = outcome.error if outcome else None
        if outcome is None:  # another process (the tray) is sending it right now: wait for it briefly
            _wait_until_settled(outbox, item.id, wait_for_number, poll_interval)
        if not isinstance(error, (OfflineError, UnauthorizedError)):
            send_pending(outbox, api)  # while we are online: anything else that waited
    current = outbox.get(item.id) or item
    if api is not None and current.state is ItemState.SENT and not current.helpdesk_id:
        current = _poll_number(outbox, api, current, wait_for_number, poll_interval)
    return Delivery(current, error)


def _wait_until_settled(outbox: Outbox, item_id: int, limit: float, interval: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        current = outbox.get(item_id)
        if current is None or current.state is not ItemState.SENDING:
            return
        time.sleep(interval)


def _poll_number(outbox: Outbox, api: TicketPoster, item: OutboxItem, limit: float, interval: float) -> OutboxItem:
    """The service learns the helpdesk number after relaying; ask a few times, never for long."""
    assert item.reference is not None
    deadline = time.monotonic() + limit
    while True:
        try:
            helpdesk_id = api.ticket(item.reference).get("helpdesk_id")
        except ClientError as exc:
            log.debug("no helpdesk number yet for %s: %s", item.reference, exc.detail)
            return item
        if helpdesk_id:
            outbox.set_helpdesk_id(item.id, str(helpdesk_id))
            return outbox.get(item.id) or item
        if time.monotonic() + interval > deadline:
            return item
        time.sleep(interval)


def outcome_message(delivery: Delivery, *, support_phone: str, emergency: bool) -> str:
    """What to tell the user, in the product's words (SPEC §6)."""
    item = delivery.item
    if item.state is ItemState.SENT:
        if item.helpdesk_id:
            return f"Sent: ticket #{item.helpdesk_id} (Intake reference {item.reference})."
        return (f"Sent: Intake reference {item.reference}. The helpdesk ticket number appears as soon as the "
                "helpdesk has it (intake-app tickets).")
    if item.state is ItemState.NEEDS_ATTENTION and item.reason_code is ReasonCode.UNAUTHORIZED:
        text = SAVED_REVOKED  # kept, and sent by itself once the user enrols again: not a refusal
        return text + (f" This is an emergency (P1): call {support_phone} now." if emergency else "")
    if item.state is ItemState.NEEDS_ATTENTION:
        lines = [f"Not sent: {item.reason}"]
        lines += [f"  - {field}: {text}" for field, text in item.problems.items()]
        lines.append("It is kept on this computer (intake-app outbox).")
        return "\n".join(lines)
    error = delivery.error
    if item.state is ItemState.SENDING:
        text = "Saved; it is being sent right now."
    elif isinstance(error, NotEnrolledError) or item.reason_code is ReasonCode.NOT_ENROLLED:
        text = SAVED_NOT_ENROLLED
    elif error is not None and not isinstance(error, OfflineError):
        text = f"Saved on this computer; it will be sent once this is solved: {error}"
    else:
        text = SAVED_OFFLINE
    if emergency:
        text += f" This is an emergency (P1): call {support_phone} now."
    return text
