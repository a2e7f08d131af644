"""Fixtures for the client tests.

``scripted`` is a real HTTP server on loopback that answers from a script: used
only where the test is about the client's *own* behaviour (retries, timeouts,
garbage answers). Everything about what the service does runs against the
real ``intake-app serve`` (see ``live_service``).
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from client_helpers import ScriptedServer
from intake_app.paths import AppPaths, user_paths


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def tls_scripted(tmp_path: Path) -> Iterator[tuple[ScriptedServer, Path]]:
    """A scripted HTTPS server with a self-signed certificate; yields it and the CA file that trusts it."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ScriptedServer(tls=context)
    server.thread.start()
    yield server, cert
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def refused_url() -> str:
    """A loopback address where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def paths(isolated_basedir: Path) -> AppPaths:
    return user_paths(isolated_basedir).ensure()
