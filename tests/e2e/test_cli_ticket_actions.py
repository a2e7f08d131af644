"""The user's actions on a ticket from the command line: update, escalate, approve/deny, close, reopen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from client.live_service import ServiceProcess, cli, cli_json

EMAIL = "ana@acme.example"


def enrolled_primary_contact(tmp_path: Path, cli_env: dict[str, str], service: ServiceProcess,
                             mailbox: Any) -> dict[str, str]:
    service.admin("contact", "add", "Acme Dental", EMAIL, "--name", "Ana Souza", "--primary")
    admin = tmp_path / "intake.toml"
    admin.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{service.enrolment_key}"\n', encoding="utf-8")
    env = {**cli_env, "INTAKE_CONFIG": str(admin)}
    assert cli(env, "enroll", "--name", "Ana Souza", "--email", EMAIL).returncode == 0
    assert cli_json(env, "verify")["code_sent"] is True
    verified = cli_json(env, "verify", "--code", mailbox.wait_for_code())
    assert verified["user"]["role"] == "primary_contact"
    return env


def submit(env: dict[str, str], summary: str) -> str:
    return str(cli_json(env, "submit", "--summary", summary, "--no-system-info", "--wait", "0")["reference"])


def test_update_escalate_decide_close_and_reopen(tmp_path: Path, cli_env: dict[str, str], service: ServiceProcess,
                                                smtp: tuple[Any, int]) -> None:
    env = enrolled_primary_contact(tmp_path, cli_env, service, smtp[0])
    ref = submit(env, "New starter needs a laptop set up")

    updated = cli_json(env, "update", ref, "--available", "2030-12-02 13:00-15:30", "--contact-method", "phone",
                       "--contact-detail", "+1 713 555 0100")
    assert updated["reference"] == ref
    detail = cli_json(env, "show", ref)
    assert detail["contact_method"] == "phone" and detail["contact_method_detail"] == "+1 713 555 0100"
    assert detail["availability"]["windows"][0]["start"].startswith("2030-12-02T13:00")
    nothing = cli(env, "update", ref)
    assert nothing.returncode == 2 and "Nothing to update" in nothing.stderr

    escalation = cli_json(env, "escalate", ref, "--reason", "They start on Monday")
    assert escalation["state"] == "pending" and escalation["fee"] == "$250"
    approved = cli_json(env, "approve", ref, "--reason", "Budget approved")  # by the ticket's reference
    assert approved["state"] == "approved"
    assert cli_json(env, "show", ref)["escalation"]["state"] == "approved"

    other = submit(env, "Second monitor flickers")
    pending = cli_json(env, "escalate", other)
    no_reason = cli(env, "deny", str(pending["id"]))
    assert no_reason.returncode == 2 and "reason" in no_reason.stderr
    denied = cli_json(env, "deny", str(pending["id"]), "--reason", "Not urgent")  # by the escalation id
    assert denied["state"] == "denied"
    again = cli(env, "approve", str(pending["id"]))
    assert again.returncode == 2 and "no pending escalation" in again.stderr.lower()

    closed = cli_json(env, "close", ref, "--text", "Works now, thanks")
    assert closed["status"]["name"] == "Completed"
    reopened = cli_json(env, "reopen", ref, "--text", "The docking station still does not charge")
    assert reopened["status"]["name"] == "Re-opened"
    missing = cli(env, "show", "INT-999999")
    assert missing.returncode == 1 and "No such ticket" in missing.stderr
