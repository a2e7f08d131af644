"""No secret reaches a log on the *failure* paths (tests/ship/test_logs_no_secrets.py covers the happy ones).

The service (``intake-app serve --log-level DEBUG``, its stderr in a log file) and the client
(CLI subprocesses, admin file at log level DEBUG) go through what goes wrong: a mistyped
enrolment key, a burst of guessed keys until 429, wrong verification codes, bad input, a token
sent in a query string, a device token used on technician endpoints and a technician token on
device endpoints, a revoked device that submits, enrols again and sends its kept ticket. Then every
log file (service and client) is read: no enrolment key (right or guessed), device token (old or
new), technician token or verification code (right or wrong) appears anywhere.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from hard_kit import KEY, REPO, ForkedService, Zygote, child_env, seed_company

pytestmark = pytest.mark.slow


class Mailbox:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        found = re.search(r"\b(\d{6})\b", envelope.content.decode("utf-8", "replace"))
        with self.arrived:
            self.codes.append(found.group(1) if found else "")
            self.arrived.notify_all()
        return "250 OK"

    def code(self, number: int) -> str:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.codes) >= number, 30), "no code mailed"
            return self.codes[number - 1]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "intake_app", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_failure_paths_log_no_secrets(tmp_path: Path, isolated_basedir: Path, cli_env: dict[str, str],
                                      zygote: Zygote, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    data = tmp_path / "service"
    config = tmp_path / "service.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                      'from = "Intake <intake@msp.example>"\n', encoding="utf-8")
    seed_company(data, config)
    service_log_dir = isolated_basedir / "service-logs"
    service_log_dir.mkdir(parents=True)
    service = ForkedService(zygote, data, child_env(tmp_path / "svc-base"),
                            extra_args=("--config", str(config), "--log-level", "DEBUG"))
    service.log_path = service_log_dir / "intake-service.log"
    service.start()
    secrets: dict[str, str] = {"enrolment key": KEY}
    try:
        admin = tmp_path / "intake.toml"
        admin.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{KEY}"\n[app]\nlog_level = "DEBUG"\n',
                         encoding="utf-8")
        env = {**cli_env, "INTAKE_CONFIG": str(admin)}
        api = f"{service.url}/api/v1"

        typo = KEY[:-1] + "X"
        secrets["mistyped key"] = typo
        done = run(env, "enroll", "--service", service.url, "--key", typo, "--name", "Dana", "--email",
                   "dana@hardening.example")
        assert done.returncode == 2 and typo not in done.stderr, done.stderr
        guesses = [f"guess-{n:03d}-{KEY[:6]}" for n in range(32)]
        answers = [requests.post(f"{api}/enroll", json={"enrolment_key": g, "device_name": "X", "user_name": "X",
                                                        "user_email": ""}, timeout=30).status_code for g in guesses]
        assert answers[-1] == 429
        secrets.update({f"guessed key {n}": g for n, g in enumerate(guesses)})
        service.stop()  # rate limits are per process: the real user on this address may enrol again
        service.start()

        assert run(env, "enroll", "--name", "Dana", "--email", "dana@hardening.example").returncode == 0
        first_token = keyring_tokens(cli_env)[0]
        secrets["device token (revoked later)"] = first_token
        assert run(env, "verify").returncode == 0
        code = box.code(1)
        for n, wrong in enumerate((f"{(int(code) + 1) % 10**6:06d}", f"{(int(code) + 7) % 10**6:06d}")):
            secrets[f"wrong code {n}"] = wrong
            done = run(env, "verify", "--code", wrong)
            assert done.returncode == 1 and "not right" in done.stderr, done.stderr
        secrets["verification code"] = code
        assert run(env, "verify", "--code", code).returncode == 0

        done = run(env, "submit", "--summary", "VPN drops", "--email", "not-an-address", "--no-system-info")
        assert done.returncode == 2
        headers = {"Authorization": f"Bearer {first_token}"}
        assert requests.get(f"{api}/tickets", params={"access_token": first_token}, timeout=30).status_code == 401
        assert requests.get(f"{api}/tech/tickets", headers=headers, timeout=30).status_code == 403
        technician = run(env, "admin", "--data", str(data), "--json", "technician", "add", "Robin").stdout
        tech_token = max(re.findall(r"[A-Za-z0-9_\-]{20,}", technician), key=len)
        secrets["technician token"] = tech_token
        assert requests.get(f"{api}/meta", headers={"Authorization": f"Bearer {tech_token}"},
                            timeout=30).status_code == 403

        device_id = json.loads((isolated_basedir / "data" / "client-state.json").read_text())["device_id"]
        assert run(env, "admin", "--data", str(data), "device", "revoke", device_id).returncode == 0
        done = run(env, "tickets")
        assert done.returncode == 2 and "enrol" in done.stderr.lower(), done.stderr
        assert run(env, "submit", "--summary", "Printer jams", "--no-system-info", "--wait", "0").returncode == 75
        assert run(env, "enroll").returncode == 0
        secrets.update({f"device token {n}": t for n, t in enumerate(keyring_tokens(cli_env))})
        sent = json.loads(run(env, "outbox", "--send", "--json").stdout)
        assert sent["items"] == [], sent  # the kept ticket went out after the new enrolment
    finally:
        service.stop()

    files = sorted(p for p in isolated_basedir.rglob("*") if p.is_file() and re.search(r"\.log(\.\d+)?$", p.name))
    assert {p.name for p in files} >= {"intake.log", "intake-service.log"}, files
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        leaked = [name for name, value in secrets.items() if value in text]
        assert not leaked, f"{path.name} contains: {', '.join(leaked)}"
    service_text = service.log_path.read_text()
    assert "401" in service_text and "429" in service_text and "verification code sent" in service_text  # not vacuous


def keyring_tokens(env: dict[str, str]) -> list[str]:
    stored = json.loads(Path(env["TEST_KEYRING_FILE"]).read_text())
    return [v for v in stored.values() if isinstance(v, str)]
