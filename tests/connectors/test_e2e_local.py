"""End to end with the local connector: the technician acts through ``intake-app admin``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_kit import IntakeService, IntakeUser

pytestmark = pytest.mark.slow


@pytest.fixture
def local_service(tmp_path: Path) -> Iterator[IntakeService]:
    service = IntakeService(tmp_path, {"kind": "local"}, {})
    service.start()
    yield service
    service.stop()


def test_local_ticket_reaches_the_desk_and_the_technicians_status_reaches_the_user(local_service) -> None:
    user = IntakeUser(local_service.process.url, "Alice Example", "alice@example.com")
    try:
        ref, shots = user.submit_with_two_screenshots()
        forwarded = user.wait(ref, lambda t: t["relay_state"] == "forwarded" and bool(t["helpdesk_id"]), "forwarded")
        assert {a["key"] for a in forwarded["attachments"]} == {s.key for s in shots}

        local_service.admin("ticket", "status", ref, "Waiting on client", "--by", "Dana")

        seen = user.wait(ref, lambda t: t["status"]["name"] == "Waiting on client", "the technician's status")
        assert seen["status"]["category"] == "waiting-on-you" and seen["needs_user"] is True
    finally:
        user.close()
