"""A crash between "created in the helpdesk" and "recorded" never makes a second ticket (SPEC §5).

The service runs as ``intake-app serve --test-hooks`` with ``INTAKE_SERVICE_FAULT`` set: it
SIGKILLs itself at that point. After a restart, the relay looks the client ticket id up
first and adds only the attachment keys the helpdesk lacks.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from svc_helpers import forwarded, make_draft, two_attachments, wait_for
from svc_service import ACME_KEY, ServeProcess, seed_acme

from intake_app.service.db import schema as s
from intake_app.service.db.database import Database


def helpdesk_state(data_dir: Path) -> tuple[list[str | None], list[tuple[int, str]]]:
    db = Database(f"sqlite:///{data_dir / 'intake.sqlite3'}")
    try:
        with db.read() as conn:
            tickets = conn.execute(select(s.local_tickets.c.client_ticket_id)).scalars().all()
            attachments = conn.execute(select(s.local_attachments.c.ticket_id, s.local_attachments.c.key)
                                       .order_by(s.local_attachments.c.key)).all()
        return list(tickets), [tuple(a) for a in attachments]  # type: ignore[misc]
    finally:
        db.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["after_create", "after_attachment"])
def test_killed_between_create_and_record_still_one_ticket(
        tmp_path: Path, spawn_serve: Callable[..., ServeProcess], fault: str) -> None:
    data = tmp_path / "svc"
    seed_acme(data)
    doomed = spawn_serve("--data", str(data), "--test-hooks", env={"INTAKE_SERVICE_FAULT": fault})
    ann = doomed.api().enrol(ACME_KEY, "PC-ANN", "Ann Example", "ann@acme.example")
    attachments = two_attachments()
    draft = make_draft(attachments=attachments)
    accepted = ann.submit(draft, attachments)

    assert doomed.process.wait(60) == -signal.SIGKILL
    tickets, _ = helpdesk_state(data)
    assert tickets == [draft.client_ticket_id]  # it did reach the helpdesk before the kill

    revived = spawn_serve("--data", str(data))
    ann.api.base = f"{revived.url}/api/v1"
    detail = forwarded(ann, accepted["reference"])

    tickets, attachments_in_helpdesk = helpdesk_state(data)
    assert tickets == [draft.client_ticket_id]
    assert attachments_in_helpdesk == [(1, "log-1"), (1, "shot-1")]
    assert detail["helpdesk_id"] == "1"
    assert ann.submit(draft, attachments)["reference"] == accepted["reference"]
    assert helpdesk_state(data)[0] == [draft.client_ticket_id]


def test_fault_variable_is_ignored_without_test_hooks(tmp_path: Path,
                                                      spawn_serve: Callable[..., ServeProcess]) -> None:
    data = tmp_path / "svc"
    seed_acme(data)
    service = spawn_serve("--data", str(data), env={"INTAKE_SERVICE_FAULT": "after_create"})
    ann = service.api().enrol(ACME_KEY, "PC-ANN", "Ann Example", "ann@acme.example")
    ref = ann.submit(make_draft())["reference"]
    assert forwarded(ann, ref)["helpdesk_id"] == "1"
    assert service.process.poll() is None
    wait_for(lambda: service.stop() == 0, "a clean shutdown")
