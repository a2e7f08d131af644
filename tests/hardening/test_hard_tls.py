"""TLS verification stays on: the real service over HTTPS with a self-signed certificate.

tests/client/test_client_transport.py checks the transport against a scripted HTTPS server; this
is the whole path: the Intake app (FastAPI under uvicorn with TLS, on loopback) and the
``intake-app`` command line. Without the CA bundle the command refuses with one sentence and
sends nothing; with ``[service] ca_bundle`` in the admin file it enrols and submits; a
``REQUESTS_CA_BUNDLE`` in the environment does not replace the admin's bundle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from hard_kit import COMPANY, KEY, REPO

from intake_app.core.ticket import Contact
from intake_app.service.api.app import create_app
from intake_app.service.config import ServiceConfig
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import bind


def make_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.pem", folder / f"{name}-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_service(tmp_path: Path) -> Iterator[tuple[str, Path, ServiceRuntime]]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = make_certificate(tmp_path, "service")
    runtime = ServiceRuntime(ServiceConfig(data_dir=tmp_path / "service", sync_interval=0.5))
    company = runtime.companies.add(COMPANY, Contact("Front desk", "desk@hardening.example", "", COMPANY))
    runtime.companies.add_key(company, KEY, "tls")
    runtime.start_workers()
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), ssl_certfile=str(cert), ssl_keyfile=str(key),
                                           log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the HTTPS service did not start"
        time.sleep(0.02)
    yield f"https://127.0.0.1:{sock.getsockname()[1]}", cert, runtime
    server.should_exit = True
    thread.join(15)
    runtime.close()
    sock.close()


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "intake_app", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_a_self_signed_service_is_refused_without_its_ca_and_trusted_with_it(
        tmp_path: Path, cli_env: dict[str, str], https_service: tuple[str, Path, ServiceRuntime]) -> None:
    url, cert, runtime = https_service
    admin = tmp_path / "intake.toml"
    admin.write_text(f'[service]\nurl = "{url}"\nenrolment_key = "{KEY}"\n', encoding="utf-8")
    env = {**cli_env, "INTAKE_CONFIG": str(admin)}

    refused = cli(env, "enroll", "--name", "Tia", "--email", "tia@hardening.example")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert "certificate could not be verified, so nothing was sent" in refused.stderr
    assert runtime.identity.devices() == []  # the service never saw the enrolment

    other_ca, _ = make_certificate(tmp_path, "unrelated")
    admin.write_text(f'[service]\nurl = "{url}"\nenrolment_key = "{KEY}"\nca_bundle = "{cert}"\n', encoding="utf-8")
    trusted = {**env, "REQUESTS_CA_BUNDLE": str(other_ca)}  # the admin's bundle wins over the environment's
    done = cli(trusted, "enroll", "--name", "Tia", "--email", "tia@hardening.example")
    assert done.returncode == 0, done.stderr
    sent = cli(trusted, "submit", "--summary", "Over TLS", "--no-system-info", "--wait", "0")
    assert sent.returncode == 0, sent.stderr
    assert "Sent" in sent.stdout
    assert len(runtime.identity.devices()) == 1
