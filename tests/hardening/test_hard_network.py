"""Network faults between the desktop and the service, and between the service and the helpdesk.

Each fault is made by a real server on loopback: ``hard_faults.FaultServer`` (raw sockets) where
the real service cannot misbehave that way, else the real service. Every ticket goes through the
real client outbox; after the fault the same stored bytes reach the real service, exactly once.

Already covered elsewhere (listed in docs/hardening.md): connection refused, a stall before any
answer, 502/503/429 with Retry-After, HTML and truncated JSON, a body cut off before its
Content-Length (tests/client/test_client_transport.py, test_outbox_sending.py); the helpdesk down
behind a hand-written proxy (tests/service/test_svc_helpdesk_down.py).
"""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from aiosmtpd.controller import Controller
from hard_faults import Fault, FaultServer, http_answer
from hard_kit import KEY, REPO, Computer, HelpdeskView, ServiceFactory, png_like, sha256, wait_until

from intake_app.client.api import ApiClient
from intake_app.client.errors import OfflineError, ProtocolError, ServerError
from intake_app.client.outbox_item import ItemState, ReasonCode
from intake_app.client.outbox_sender import SendOutcome, send_pending
from intake_app.client.retry import RetryPolicy
from intake_app.service.connectors.base import ConnectorKind
from intake_app.service.server import RunningServer

TIGHT = RetryPolicy(attempts=2, base=0.01, cap=0.02, max_wait=1)


@pytest.fixture
def computer(tmp_path: Path, service: RunningServer) -> Iterator[Computer]:
    pc = Computer.enrol(tmp_path / "pc", service.url, "Ann")
    yield pc
    pc.close()


def broken_api(url: str, timeout: tuple[float, float] = (2.0, 2.0)) -> ApiClient:
    return ApiClient(url, token="device-token-for-the-fault-server", timeout=timeout, retry=TIGHT)


def send_to(api: ApiClient, pc: Computer) -> SendOutcome:
    """One pass of the real outbox sender against ``api`` (then the client is closed)."""
    with api:
        (outcome,) = send_pending(pc.outbox, api, force=True)
    return outcome


def queue_one(pc: Computer, size: int = 900_000) -> tuple[int, str, list[tuple[str, str]]]:
    files = [png_like(size, random.Random(size), name="screen.png")]
    draft = pc.draft("Outlook crashes on start", files)
    item = pc.outbox.enqueue(draft, files)
    return item.id, draft.client_ticket_id, [(a.key, sha256(a.data)) for a in files]


def arrives_once(service: RunningServer, pc: Computer, item_id: int, client_id: str,
                 files: list[tuple[str, str]]) -> None:
    """The stored request, sent again to the real service: one ticket, attachment intact, at the helpdesk."""
    (outcome,) = send_pending(pc.outbox, pc.api, only=[item_id], force=True)
    assert outcome.sent, outcome
    view = HelpdeskView(service.runtime.config.data_dir)
    wait_until(lambda: view.relay_states().get(client_id) == "forwarded", 30, "the ticket reached the helpdesk")
    assert view.ticket_counts() == {client_id: 1}
    assert [(k, d) for k, d, _ in view.attachments()[client_id]] == sorted(files)


def test_connection_reset_in_the_middle_of_the_upload(service: RunningServer, computer: Computer) -> None:
    faults = FaultServer([Fault("reset", after=64 * 1024)])
    try:
        item_id, client_id, files = queue_one(computer)
        outcome = send_to(broken_api(faults.url), computer)
        assert isinstance(outcome.error, (OfflineError, ProtocolError))
        assert outcome.item.state is ItemState.QUEUED and outcome.item.reason_code in (ReasonCode.OFFLINE,
                                                                                       ReasonCode.PROTOCOL)
        assert len(faults.seen) == 2  # a ticket upload is keyed by its id: retried at once, then queued
        assert all(0 < s.body_read < s.declared for s in faults.seen)  # cut off mid-body, both times
    finally:
        faults.close()
    arrives_once(service, computer, item_id, client_id, files)


def test_a_server_that_stops_reading_the_upload_is_bounded_by_the_timeout(service: RunningServer,
                                                                          computer: Computer) -> None:
    faults = FaultServer([Fault("stall_upload")])
    try:
        item_id, client_id, files = queue_one(computer, size=8_000_000)  # more than the socket buffers hold
        outcome = send_to(broken_api(faults.url, timeout=(2.0, 1.0)), computer)
        assert isinstance(outcome.error, OfflineError)
        assert "can't be reached" in str(outcome.error)
        assert outcome.item.state is ItemState.QUEUED
        assert all(s.body_read < s.declared for s in faults.seen)
    finally:
        faults.close()
    arrives_once(service, computer, item_id, client_id, files)


def test_a_server_that_stalls_in_the_middle_of_its_answer(service: RunningServer, computer: Computer) -> None:
    faults = FaultServer([Fault("stall_answer")])
    try:
        item_id, client_id, files = queue_one(computer)
        outcome = send_to(broken_api(faults.url, timeout=(2.0, 1.0)), computer)
        assert isinstance(outcome.error, (OfflineError, ProtocolError))
        assert outcome.item.state is ItemState.QUEUED  # no 202 was read: not "sent"
        assert all(s.body_read == s.declared for s in faults.seen)  # it did get the whole request
    finally:
        faults.close()
    arrives_once(service, computer, item_id, client_id, files)


@pytest.mark.parametrize("answer, error, reason", [
    (http_answer("500 Internal Server Error", b"<html><body>Internal Server Error</body></html>", "text/html"),
     ServerError, ReasonCode.SERVER),
    (http_answer("202 Accepted", b'{"reference": "INT-0000'), ProtocolError, ReasonCode.PROTOCOL),
    (http_answer("202 Accepted", b'{"reference": "INT-000001"}', length=400), ProtocolError, ReasonCode.PROTOCOL),
    (http_answer("200 OK", b"<!doctype html><title>Hotel Wi-Fi</title>", "text/html"), ProtocolError,
     ReasonCode.PROTOCOL),
    (http_answer("202 Accepted", b'{"reference": "INT-000009", "client_ticket_id": "someone-else"}'),
     ProtocolError, ReasonCode.PROTOCOL),
])
def test_answers_that_are_not_a_receipt_keep_the_ticket_queued(service: RunningServer, computer: Computer,
                                                                answer: bytes, error: type[Exception],
                                                                reason: ReasonCode) -> None:
    faults = FaultServer([Fault("answer", raw=answer)])
    try:
        item_id, client_id, files = queue_one(computer, size=50_000)
        outcome = send_to(broken_api(faults.url), computer)
        assert isinstance(outcome.error, error), outcome.error
        assert outcome.item.state is ItemState.QUEUED and outcome.item.reason_code is reason
        assert outcome.item.reference is None
    finally:
        faults.close()
    arrives_once(service, computer, item_id, client_id, files)


def test_a_revoked_device_is_told_to_enrol_again_and_loses_nothing(tmp_path: Path, service: RunningServer,
                                                                  cli_env: dict[str, str]) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{KEY}"\n', encoding="utf-8")
    env = {**cli_env, "INTAKE_CONFIG": str(admin)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "intake_app", *args], env=env, cwd=REPO, text=True,
                              capture_output=True, timeout=120)

    done = cli("enroll", "--name", "Ann Lee", "--email", "ann@hardening.example")
    assert done.returncode == 0, done.stderr
    state = json.loads((Path(cli_env["INTAKE_BASEDIR"]) / "data" / "client-state.json").read_text())
    service.runtime.identity.revoke_device(state["device_id"])  # the technician revoked this computer

    done = cli("submit", "--summary", "VPN drops every hour", "--no-system-info", "--wait", "0")
    assert done.returncode == 75, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "enrol" in done.stdout.lower() and "nothing you submitted is lost" in done.stdout, done.stdout
    queued = json.loads(cli("outbox", "--json").stdout)["items"]
    assert [i["reason_code"] for i in queued] == ["unauthorized"]

    done = cli("enroll")
    assert done.returncode == 0, done.stderr
    done = cli("outbox", "--send", "--json")
    view = HelpdeskView(service.runtime.config.data_dir)
    client_id = queued[0]["client_ticket_id"]
    wait_until(lambda: view.relay_states().get(client_id) == "forwarded", 30, "the kept ticket was sent")
    assert view.ticket_counts() == {client_id: 1}


class TcpSwitch:
    """A TCP forwarder in front of the helpdesk that the test can switch off (connections refused) and on."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.on()

    def on(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(32)
        self.port = sock.getsockname()[1]
        self.listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def off(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                client, _ = sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    """Copy one direction; at its end shut both down (so the other direction ends too) and close ``src``."""
    try:
        while chunk := src.recv(65536):
            dst.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        src.close()


@pytest.mark.rt
@pytest.mark.slow
def test_request_tracker_unreachable_then_back_forwards_each_ticket_once(
        tmp_path: Path, rt_env: dict[str, str], make_service: ServiceFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    rt_url = urlsplit(rt_env["RT_URL"])
    switch = TcpSwitch((rt_url.hostname or "127.0.0.1", rt_url.port or 80))
    settings = {"url": rt_env["RT_URL"].replace(f":{rt_url.port}", f":{switch.port}"),
                "queue": rt_env.get("RT_QUEUE", "Intake"), "token_env": "HARD_RT_TOKEN"}
    monkeypatch.setenv("HARD_RT_TOKEN", rt_env["RT_TOKEN"])
    closing: list[Computer] = []
    try:
        server = make_service(connector_kind=ConnectorKind.RT, connector_settings=settings)
        pc = Computer.enrol(tmp_path / "pc", server.url, "Rita")
        closing.append(pc)
        switch.off()  # the helpdesk goes away; the service stays up
        ids = []
        for n in range(2):
            files = [png_like(30_000 + n, random.Random(n), name=f"shot {n}.png")]
            draft = pc.draft(f"RT down ticket {n}", files)
            pc.outbox.enqueue(draft, files)
            ids.append(draft.client_ticket_id)
        assert all(o.sent for o in send_pending(pc.outbox, pc.api, force=True))  # the service accepts: 202
        view = HelpdeskView(server.runtime.config.data_dir)
        wait_until(lambda: view.rows("SELECT MAX(attempts) FROM tickets")[0][0] >= 2, 60, "relay retries")
        assert set(view.relay_states().values()) == {"accepted"}  # waiting in the service's outbox
        listed = pc.api.tickets()["tickets"]
        assert {t["status"]["name"] for t in listed} == {"Received"}

        switch.on()
        wait_until(lambda: all(view.relay_states()[c] == "forwarded" for c in ids), 120, "forwarded once back")
        session = requests.Session()
        session.headers["Authorization"] = f"token {rt_env['RT_TOKEN']}"
        for cid in ids:
            found = session.get(rt_env["RT_URL"].rstrip("/") + "/tickets",
                                params={"query": f"CF.{{ClientTicketId}} = '{cid}'"}, timeout=30).json()
            assert found["count"] == 1, found
        session.close()
    finally:
        switch.off()
        for pc in closing:
            pc.close()


class CountingInbox:
    def __init__(self) -> None:
        self.client_ids: list[str] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        self.client_ids.append(str(message["X-Intake-Client-Ticket-Id"]))
        return "250 OK"


def test_the_helpdesk_mailbox_down_then_back_mails_each_ticket_once(tmp_path: Path,
                                                                    make_service: ServiceFactory) -> None:
    """The e-mail connector's SMTP server is away (connection refused, a real closed port) while the
    service is up: tickets wait in the service's outbox; once it listens, each is mailed exactly once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_service(connector_kind=ConnectorKind.EMAIL, connector_settings={
        "to": "help@msp.example", "from": "intake@msp.example", "smtp_host": "127.0.0.1", "smtp_port": port,
        "smtp_security": "none"})
    pc = Computer.enrol(tmp_path / "pc", server.url, "Ema")
    controller = None
    try:
        ids = []
        for n in range(3):
            files = [png_like(20_000 + n, random.Random(n), name=f"shot {n}.png")]
            draft = pc.draft(f"mail down {n}", files)
            pc.outbox.enqueue(draft, files)
            ids.append(draft.client_ticket_id)
        assert all(o.sent for o in send_pending(pc.outbox, pc.api, force=True))
        view = HelpdeskView(server.runtime.config.data_dir)
        wait_until(lambda: view.rows("SELECT MAX(attempts) FROM tickets")[0][0] >= 2, 60, "relay retries")
        assert set(view.relay_states().values()) == {"accepted"}
        assert {t["status"]["name"] for t in pc.api.tickets()["tickets"]} == {"Received"}

        inbox = CountingInbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        wait_until(lambda: all(view.relay_states()[c] == "email" for c in ids), 60, "mailed once it is back")
        server.runtime.relay.run_once()  # one more pass: nothing is mailed again
        assert sorted(inbox.client_ids) == sorted(ids)
    finally:
        if controller is not None:
            controller.stop()
        pc.close()
