"""End to end with ConnectWise: Intake service → the fake ConnectWise; the technician uses its admin hooks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector_kit import CW_SECRETS
from e2e_kit import IntakeService, IntakeUser

pytestmark = pytest.mark.slow


@pytest.fixture
def cw_service(fake_cw: Any, tmp_path: Path) -> Iterator[IntakeService]:
    connector = {"kind": "connectwise", "url": fake_cw.url, "company_id": "mymsp", "board": "Help Desk",
                 "public_key_env": "INTAKE_CW_PUBLIC", "private_key_env": "INTAKE_CW_PRIVATE",
                 "client_id_env": "INTAKE_CW_CLIENT_ID", "custom_fields": {"availability": 12},
                 "companies": {"Example Co": "ExampleCo"}}
    secrets = {"INTAKE_CW_PUBLIC": CW_SECRETS["public_key"], "INTAKE_CW_PRIVATE": CW_SECRETS["private_key"],
               "INTAKE_CW_CLIENT_ID": CW_SECRETS["client_id"]}
    service = IntakeService(tmp_path, connector, secrets)
    service.start()
    yield service
    service.stop()


def test_connectwise_ticket_with_screenshots_and_a_status_from_the_board(cw_service, fake_cw) -> None:
    user = IntakeUser(cw_service.process.url, "Alice Example", "alice@example.com")
    try:
        ref, shots = user.submit_with_two_screenshots()
        forwarded = user.wait(ref, lambda t: t["relay_state"] == "forwarded" and bool(t["helpdesk_id"]), "forwarded")
        ticket = fake_cw.tickets[int(forwarded["helpdesk_id"])]
        assert ticket["contact"]["id"] == fake_cw.contacts[0]["id"]  # the service found Alice in ConnectWise
        docs = [d for d in fake_cw.documents if d["_recordId"] == ticket["id"]]
        assert sorted(hashlib.sha256(d["_bytes"]).hexdigest() for d in docs) == sorted(s.info().sha256 for s in shots)

        fake_cw.add_note(ticket["id"], "Which tray is it?")
        fake_cw.set_status(ticket["id"], "Waiting on client")

        seen = user.wait(ref, lambda t: t["status"]["name"] == "Waiting on client", "the board's status in Intake")
        assert seen["status"]["category"] == "waiting-on-you"
        assert seen["status"]["meaning"] == "We need something from you: see the latest note."
        assert any(e["kind"] == "note" and e["text"] == "Which tray is it?" for e in seen["timeline"])
    finally:
        user.close()
