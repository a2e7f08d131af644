"""Demo mode from the command line, and the sentences for a broken or missing configuration."""

from __future__ import annotations

import socket
from pathlib import Path

from client.live_service import cli, cli_json, processes_mentioning
from intake_app.client.demo import DEMO_LABEL, DemoService
from intake_app.paths import user_paths

CLIENT_ID = "3c9e2f61-0d4b-4a8e-9b7c-5e1f2a3b4c5d"


def demo_dir(env: dict[str, str]) -> Path:
    return Path(env["INTAKE_BASEDIR"]) / "data" / "demo-service"


def test_demo_submit_gives_a_number_that_tickets_lists_and_the_same_id_is_the_same_ticket(
        cli_env: dict[str, str]) -> None:
    args = ("submit", "--summary", "Outlook keeps asking for my password", "--client-id", CLIENT_ID,
            "--no-system-info", "--wait", "30")
    done = cli(cli_env, *args)
    assert done.returncode == 0, done.stderr
    assert DEMO_LABEL in done.stderr
    assert done.stdout.startswith("Sent: ticket #")
    assert processes_mentioning(str(demo_dir(cli_env))) == []  # stopped with the command

    first = cli_json(cli_env, *args)
    number, reference = first["helpdesk_id"], first["reference"]
    assert number and first["demo"] is True
    listed = cli_json(cli_env, "tickets")
    assert [(t["helpdesk_id"], t["reference"]) for t in listed["tickets"]] == [(number, reference)]
    again = cli_json(cli_env, *args)
    assert (again["helpdesk_id"], again["reference"]) == (number, reference)
    assert processes_mentioning(str(demo_dir(cli_env))) == []


def test_the_cli_reuses_a_demo_service_the_tray_runs_and_leaves_it_running(cli_env: dict[str, str]) -> None:
    tray = DemoService(user_paths(cli_env["INTAKE_BASEDIR"]), owner="tray")
    tray.start()
    try:
        listed = cli_json(cli_env, "--demo", "tickets")
        assert listed["demo"] is True
        assert [p.pid for p in processes_mentioning(str(demo_dir(cli_env)))] == [tray.pid]
    finally:
        tray.stop()
    assert processes_mentioning(str(demo_dir(cli_env))) == []


def one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_broken_admin_file_is_an_error_and_never_the_demo(tmp_path: Path, cli_env: dict[str, str]) -> None:
    admin = tmp_path / "intake.toml"
    for content in ('[service]\nenrolment_key = "k"\n', '[service]\nurl = "helpdesk.example.com"\n'):
        admin.write_text(content, encoding="utf-8")
        done = cli({**cli_env, "INTAKE_CONFIG": str(admin)}, "submit", "--summary", "x", "--no-system-info")
        assert done.returncode == 2
        assert str(admin) in one_sentence(done.stderr)
        assert not demo_dir(cli_env).exists()
    assert not (Path(cli_env["INTAKE_BASEDIR"]) / "data" / "outbox.sqlite3").exists()  # nothing queued


def test_a_missing_admin_file_named_on_the_command_line_is_one_sentence(tmp_path: Path,
                                                                        cli_env: dict[str, str]) -> None:
    done = cli(cli_env, "--config", str(tmp_path / "nowhere.toml"), "tickets")
    assert done.returncode == 2
    assert "does not exist" in one_sentence(done.stderr)


def test_an_unreachable_service_is_one_sentence(tmp_path: Path, cli_env: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    admin = tmp_path / "intake.toml"
    admin.write_text(f'[service]\nurl = "http://127.0.0.1:{port}"\nenrolment_key = "k"\n', encoding="utf-8")
    env = {**cli_env, "INTAKE_CONFIG": str(admin)}
    done = cli(env, "enroll", "--name", "Ana", "--email", "ana@example.com")
    assert done.returncode == 2
    assert "can't be reached" in one_sentence(done.stderr)
    done = cli(env, "tickets")
    assert done.returncode == 2
    assert "not enrolled" in one_sentence(done.stderr)
