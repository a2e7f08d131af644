"""The service's receipt for a ticket: its answer to ``POST /tickets`` (202)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubmitAnswer:
    """``reference`` is the Intake reference (``INT-000042``); ``helpdesk_id`` arrives once relayed."""

    reference: str
    client_ticket_id: str
    relay_state: str = "accepted"
    helpdesk_id: str | None = None
