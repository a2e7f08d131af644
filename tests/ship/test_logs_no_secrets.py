"""No secret ever reaches a log file: a full CLI flow as subprocesses, then every log under the base dir is read.

Deployed flow: the service (``serve``, its log written below the base dir as a
service manager would) with a company, a private enrolment key, a technician
token and an SMTP server that requires a password; the client, at log level
DEBUG (the admin file asks for it), enrols, asks for and confirms a verification code, submits, lists and
shows tickets. Demo flow: the client starts its own demo service, whose log
lands in the user's data dir. Then the device token(s), the enrolment key, the
verification code, the SMTP password and the technician token must appear in
no log file at all.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ship.conftest import ROOT

pytestmark = pytest.mark.slow

ENROLMENT_KEY = "contoso-enrol-Q7w9Zt4mLp2x"
SMTP_USER = "intake-mailer"
SMTP_PASSWORD = "smtp-Pa55-vR8!kD3#nW"
EMAIL = "dana@contoso.example"


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == SMTP_USER \
            and data.password.decode() == SMTP_PASSWORD
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Mailbox]]:
    box = _Mailbox()
    with socket.socket() as probe:  # aiosmtpd's start() connects to the port it was given: pick one first
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate,
                            auth_require_tls=False)  # loopback; the test asserts a login happened
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()


@pytest.fixture
def cli_env(isolated_basedir: Path, tmp_path: Path) -> dict[str, str]:
    """Subprocess environment: the test's base dir and a keyring file all CLI processes share."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({
        "PYTHON_KEYRING_BACKEND": "helpers.memkeyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)]),
        "INTAKE_SMTP_PASSWORD": SMTP_PASSWORD,
    })
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "intake_app", *args], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=timeout)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def start_service(env: dict[str, str], config: Path, data: Path, log_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = data.parent / "service.ready"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:  # a service manager's redirect (systemd, NSSM): inside the base dir here
        proc = subprocess.Popen([sys.executable, "-m", "intake_app", "serve", "--config", str(config),
                                 "--data", str(data), "--port", "0", "--ready-file", str(ready),
                                 "--log-level", "DEBUG"], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not (ready.exists() and ready.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"service did not start:\n{log_file.read_text()[-3000:]}")
        time.sleep(0.1)
    return proc, ready.read_text().strip()


def log_files(base: Path) -> list[Path]:
    return sorted(p for p in base.rglob("*") if p.is_file() and re.search(r"\.log(\.\d+)?$|^crash-.*\.txt$", p.name))


def assert_no_secrets(base: Path, secrets: dict[str, str]) -> list[Path]:
    files = log_files(base)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        leaked = [name for name, value in secrets.items() if value and value in text]
        assert not leaked, f"{path} contains {', '.join(leaked)}"
    return files


def keyring_values(env: dict[str, str]) -> list[str]:
    return list(json.loads(Path(env["TEST_KEYRING_FILE"]).read_text()).values())


def test_deployed_flow_logs_no_secrets(cli_env: dict[str, str], isolated_basedir: Path, tmp_path: Path,
                                       smtp: tuple[int, _Mailbox]) -> None:
    port, mailbox = smtp
    data = tmp_path / "service-data"
    admin = ["admin", "--data", str(data)]
    cli(cli_env, *admin, "company", "add", "Contoso", "--catch-all-name", "Front desk",
        "--catch-all-email", "desk@contoso.example")
    cli(cli_env, *admin, "key", "add", "Contoso", "--key", ENROLMENT_KEY)
    cli(cli_env, *admin, "contact", "add", "Contoso", EMAIL, "--name", "Dana Example", "--primary")
    tech_out = cli(cli_env, *admin, "--json", "technician", "add", "Robin").stdout
    tech_token = next(v for v in re.findall(r"[A-Za-z0-9_\-]{20,}", tech_out))
    config = tmp_path / "service.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nusername = "{SMTP_USER}"\n'
                      'password_env = "INTAKE_SMTP_PASSWORD"\nfrom = "Intake <intake@msp.example>"\n',
                      encoding="utf-8")
    service, url = start_service(cli_env, config, data, isolated_basedir / "service-logs" / "intake-service.log")
    try:
        admin_file = tmp_path / "intake.toml"
        admin_file.write_text(f'[service]\nurl = "{url}"\nenrolment_key = "{ENROLMENT_KEY}"\n'
                              '[app]\nlog_level = "DEBUG"\n', encoding="utf-8")
        client = ["--config", str(admin_file)]
        cli(cli_env, *client, "enroll", "--name", "Dana Example", "--email", EMAIL)
        cli(cli_env, *client, "verify")
        assert mailbox.messages and mailbox.logins, "the service sent the code with SMTP authentication"
        code = re.search(r"\b(\d{6})\b", mailbox.messages[-1]["Subject"]).group(1)
        cli(cli_env, *client, "verify", "--code", code)
        receipt = json.loads(cli(cli_env, *client, "submit", "--summary", "VPN drops every hour",
                                 "--description", "since Monday", "--json").stdout)
        assert receipt["helpdesk_id"], receipt
        cli(cli_env, *client, "tickets", "--all")
        cli(cli_env, *client, "show", receipt["helpdesk_id"])
    finally:
        service.terminate()
        service.wait(30)

    device_tokens = keyring_values(cli_env)
    assert device_tokens, "enrolment stored a device token"
    secrets = {"enrolment key": ENROLMENT_KEY, "verification code": code, "SMTP password": SMTP_PASSWORD,
               "technician token": tech_token} | {f"device token {i}": t for i, t in enumerate(device_tokens)}
    files = assert_no_secrets(isolated_basedir, secrets)
    names = {p.name for p in files}
    assert {"intake.log", "intake-service.log"} <= names, names
    service_log = (isolated_basedir / "service-logs" / "intake-service.log").read_text()
    assert "verification code sent" in service_log and "POST /api/v1/tickets" in service_log  # not vacuous
    assert "enrolled with" in (isolated_basedir / "log" / "intake.log").read_text()


def test_demo_flow_logs_no_secrets(cli_env: dict[str, str], isolated_basedir: Path) -> None:
    receipt = json.loads(cli(cli_env, "--demo", "submit", "--summary", "Screen flickers", "--json").stdout)
    assert receipt["demo"] is True and receipt["helpdesk_id"], receipt
    cli(cli_env, "--demo", "verify")  # demo mode verifies at once
    cli(cli_env, "--demo", "tickets", "--all")

    device_tokens = keyring_values(cli_env)
    assert device_tokens
    files = assert_no_secrets(isolated_basedir, {f"device token {i}": t for i, t in enumerate(device_tokens)})
    assert any(p.parent.name == "demo-service" for p in files), files  # the demo service's own log was read
