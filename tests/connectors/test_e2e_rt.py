"""End to end with Request Tracker 5: Intake service → real RT; the technician works in RT itself."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_kit import IntakeService, IntakeUser
from intake_app.service.connectors.rt_mapping import keys_in_filename
from rt_kit import RtTechnician

pytestmark = [pytest.mark.rt, pytest.mark.slow]


@pytest.fixture
def rt_service(rt_env: dict[str, str], tmp_path: Path) -> Iterator[IntakeService]:
    service = IntakeService(tmp_path, {"kind": "rt", "url": rt_env["RT_URL"], "queue": rt_env.get("RT_QUEUE", "Intake"),
                                       "token_env": "INTAKE_RT_TOKEN"}, {"INTAKE_RT_TOKEN": rt_env["RT_TOKEN"]})
    service.start()
    yield service
    service.stop()


def test_rt_ticket_with_screenshots_and_a_status_from_rt(rt_service, rt_tech: RtTechnician) -> None:
    user = IntakeUser(rt_service.process.url, "Alice Example", "alice@example.com")
    try:
        ref, shots = user.submit_with_two_screenshots()
        forwarded = user.wait(ref, lambda t: t["relay_state"] == "forwarded" and bool(t["helpdesk_id"]), "forwarded")
        ticket_id = forwarded["helpdesk_id"]
        assert forwarded["status"]["name"] == "New (Portal)"

        stored = {}
        for item in rt_tech.attachments(ticket_id):
            for key in keys_in_filename(item["Filename"] or ""):
                stored[key] = item["id"]
        for shot in shots:  # the relay added each screenshot once, bytes intact
            content = rt_tech.attachment(stored[shot.key])["Content"]
            assert hashlib.sha256(base64.b64decode(content)).hexdigest() == shot.info().sha256

        rt_tech.answer(ticket_id, "Which tray is it? Please send a photo.", status="waiting on client")

        seen = user.wait(ref, lambda t: t["status"]["name"] == "Waiting on client", "RT's status in Intake")
        assert seen["status"]["category"] == "waiting-on-you" and seen["needs_user"] is True
        assert any(e["kind"] == "note" and "Which tray" in e["text"] for e in seen["timeline"])
    finally:
        user.close()
