"""The issue's "done when", end to end with real processes: ``intake-app serve`` and ``intake-app admin``
as subprocesses, real HTTP on loopback, real SMTP (aiosmtpd), real SQLite files."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from svc_helpers import PNG, forwarded, make_draft, two_attachments, wait_for
from svc_service import ServeProcess, SmtpServer, intake_app


def admin(config: Path, *args: str) -> str:
    result = subprocess.run(intake_app("admin", "--config", str(config), *args), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_done_when(tmp_path: Path, smtp: SmtpServer, spawn_serve: Callable[..., ServeProcess]) -> None:
    config = tmp_path / "service.toml"
    config.write_text(f"""
[service]
data_dir = "data"
sync_interval = 1

[connector]
kind = "local"

[smtp]
host = "{smtp.host}"
port = {smtp.port}
security = "none"
from = "Intake <intake@msp.example>"
""")
    admin(config, "company", "add", "Acme", "--catch-all-name", "Acme inbox", "--catch-all-email",
          "inbox@acme.example")
    key = admin(config, "key", "add", "Acme").splitlines()[0]
    service = spawn_serve("--config", str(config))
    assert service.url.startswith("http://127.0.0.1:")

    ann = service.api().enrol(key, "PC-ANN", "Ann Example", "ann@acme.example")
    assert ann.api.post("/verify/start", json={"email": "ann@acme.example"}).status_code == 202
    code = smtp.wait_for("ann@acme.example")["Subject"].rsplit(" ", 1)[-1]
    confirmed = ann.api.post("/verify/confirm", json={"email": "ann@acme.example", "code": code})
    assert confirmed.json() == {"verified": True, "role": "client"}

    attachments = two_attachments()
    accepted = ann.submit(make_draft(attachments=attachments), attachments)
    assert accepted["relay_state"] == "accepted"
    detail = forwarded(ann, accepted["reference"])
    helpdesk_id = detail["helpdesk_id"]
    assert helpdesk_id == "1"
    assert len(detail["attachments"]) == 2
    shot = ann.api.get(f"/tickets/{accepted['reference']}/attachments/shot-1").content
    assert hashlib.sha256(shot).digest() == hashlib.sha256(PNG).digest()

    changed = admin(config, "ticket", "status", accepted["reference"], "Waiting on client", "--by", "Dana")
    assert "Waiting on client" in changed
    listing = wait_for(lambda: [t for t in ann.api.get("/tickets").json()["tickets"]
                                if t["status"]["name"] == "Waiting on client"], "the status change")
    assert listing[0]["helpdesk_id"] == helpdesk_id
    assert listing[0]["needs_user"] is True
    timeline = ann.ticket(helpdesk_id).json()["timeline"]
    assert (timeline[-1]["kind"], timeline[-1]["author"], timeline[-1]["new"]) == ("status", "Dana",
                                                                                   "Waiting on client")
    technician_token = admin(config, "technician", "add", "Dana").splitlines()[0]
    assert service.api(technician_token).get("/tech/tickets").status_code == 200
    assert service.stop() == 0
    logs = "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))
    assert "Intake service ready" in logs
    for secret in (key, code, ann.api.token, technician_token):
        assert secret and secret not in logs  # never log enrolment keys, codes or tokens
