"""The command line against a real service: enrol, verify by e-mail, submit, follow, reply; offline submit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from client.live_service import ServiceProcess, cli, cli_json, wait_until

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def attachments(tmp_path: Path) -> list[Path]:
    shot = tmp_path / "screen.png"
    shot.write_bytes(PNG)
    log = tmp_path / "printer.log"
    log.write_text("spooler: job 42 failed\tcode=0x80070005\nретрай – ok\n", encoding="utf-8")
    return [shot, log]


def test_enrol_verify_submit_follow_and_reply(tmp_path: Path, cli_env: dict[str, str], service: ServiceProcess,
                                              smtp: tuple[Any, int]) -> None:
    mailbox, _ = smtp
    done = cli(cli_env, "enroll", "--service", service.url, "--key", service.enrolment_key, "--name", "Ana Souza",
               "--email", "ana@acme.example", "--device", "PC-ACCT-07")
    assert done.returncode == 0, done.stderr
    assert "Enrolled PC-ACCT-07" in done.stdout and "not verified yet" in done.stdout

    env = {**cli_env, "INTAKE_CONFIG": str(write_admin_file(tmp_path, service))}
    started = cli_json(env, "verify")
    assert started["code_sent"] is True and started["user"]["verified"] is False
    confirmed = cli_json(env, "verify", "--code", mailbox.wait_for_code())
    assert confirmed["user"]["verified"] is True

    files = attachments(tmp_path)
    error_text = "Error 0x80070005\tAccess is denied.\n    at Spooler.Print()\n"
    done = cli(env, "submit", "--summary", "Printer on floor 2 jams", "--error-file", "-",
               "--description", "Printing the payroll report", "--available", "2030-12-01 09:00-11:00",
               "--contact-method", "phone", "--contact-detail", "+1 713 555 0100",
               "--attach", str(files[0]), "--attach", str(files[1]), "--no-system-info", "--json",
               input=error_text.encode())
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    assert sent["state"] == "sent" and sent["reference"].startswith("INT-")
    ref = sent["reference"]

    listed = cli_json(env, "tickets")
    assert [t["reference"] for t in listed["tickets"]] == [ref]
    assert listed["queued"] == []

    detail = cli_json(env, "show", ref)
    assert detail["error_details"] == error_text
    assert sorted(a["filename"] for a in detail["attachments"]) == ["printer.log", "screen.png"]
    for item in detail["attachments"]:
        local = next(f for f in files if f.name == item["filename"])
        assert item["size"] == local.stat().st_size
    assert detail["availability"]["windows"][0]["start"].startswith("2030-12-01")

    service.admin("ticket", "status", ref, "Waiting on client", "--by", "Dana")
    service.admin("ticket", "note", ref, "Which printer model is it?", "--by", "Dana")
    shown = cli(env, "show", ref)
    assert shown.returncode == 0, shown.stderr
    assert "Waiting on client" in shown.stdout and "Which printer model is it?" in shown.stdout
    assert "reply (intake-app reply)" in shown.stdout

    replied = cli_json(env, "reply", ref, "--text", "An HP LaserJet 4250.", "--attach", str(files[0]))
    assert replied["status"]["name"] == "Client Responded"
    after = cli_json(env, "show", ref)
    assert after["status"]["name"] == "Client Responded"
    assert any(e["kind"] == "reply" and "HP LaserJet" in (e["text"] or "") for e in after["timeline"])
    digest = hashlib.sha256(PNG).hexdigest()
    assert service.helpdesk_rows("SELECT COUNT(*) FROM local_attachments WHERE sha256 = ?", digest)[0][0] >= 1


def write_admin_file(tmp_path: Path, service: ServiceProcess) -> Path:
    path = tmp_path / "intake.toml"
    path.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{service.enrolment_key}"\n', encoding="utf-8")
    return path


def test_submitting_while_the_service_is_down_queues_then_sends_exactly_once(
        tmp_path: Path, cli_env: dict[str, str], service: ServiceProcess) -> None:
    env = {**cli_env, "INTAKE_CONFIG": str(write_admin_file(tmp_path, service))}
    done = cli(env, "enroll", "--name", "Ana Souza", "--email", "ana@acme.example")  # key and URL from the file
    assert done.returncode == 0, done.stderr
    service.stop()

    client_id = "6f1d3c7e-2b9a-4d5e-8f10-2a3b4c5d6e7f"
    files = attachments(tmp_path)
    args = ("submit", "--summary", "Email is down for everyone", "--priority", "P1", "--client-id", client_id,
            "--attach", str(files[0]), "--attach", str(files[1]), "--no-system-info")
    offline = cli(env, *args)
    assert offline.returncode == 75, offline.stderr
    assert "Saved. It will be sent automatically when you are back online." in offline.stdout
    assert "call (713) 782-4357 now" in offline.stdout  # P1: call the support phone
    queued = cli_json(env, "outbox")
    assert [i["state"] for i in queued["items"]] == ["queued"]
    assert queued["items"][0]["reason_code"] == "offline"

    service.start()  # same data, same port
    sent = cli_json(env, "outbox", "--send")
    assert sent["items"] == [] and sent["recently_sent"][0]["client_ticket_id"] == client_id
    again = cli_json(env, *args)  # the same --client-id: the same ticket
    assert again["reference"] == sent["recently_sent"][0]["reference"]
    cli_json(env, "outbox", "--send")
    assert service.helpdesk_rows("SELECT COUNT(*) FROM tickets WHERE client_ticket_id = ?", client_id) == [(1,)]
    # counted at the helpdesk (the local connector's store), once the service has relayed it
    wait_until(lambda: service.helpdesk_rows("SELECT COUNT(*) FROM local_tickets WHERE client_ticket_id = ?",
                                             client_id) == [(1,)])
    assert service.helpdesk_rows("SELECT COUNT(*) FROM local_tickets WHERE summary = ?",
                                 "Email is down for everyone") == [(1,)]
    assert service.helpdesk_rows(
        "SELECT COUNT(*) FROM local_attachments a JOIN local_tickets t ON a.ticket_id = t.id "
        "WHERE t.client_ticket_id = ?", client_id) == [(2,)]
    assert not any((Path(cli_env["INTAKE_BASEDIR"]) / "data" / "outbox-files").iterdir())


def test_a_ticket_submitted_before_enrolment_is_kept_and_sent_after_it(tmp_path: Path, cli_env: dict[str, str],
                                                                        service: ServiceProcess) -> None:
    env = {**cli_env, "INTAKE_CONFIG": str(write_admin_file(tmp_path, service))}
    early = cli(env, "submit", "--summary", "VPN drops every hour", "--email", "kim@acme.example", "--name", "Kim",
                "--no-system-info")
    assert early.returncode == 75, early.stderr
    assert "once this computer is enrolled" in early.stdout
    assert cli(env, "enroll", "--name", "Kim Lee", "--email", "kim@acme.example").returncode == 0
    sent = cli_json(env, "outbox", "--send")
    assert sent["items"] == [] and sent["recently_sent"][0]["summary"] == "VPN drops every hour"
