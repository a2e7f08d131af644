"""Security of the service API: isolation, roles, brute force, hostile file names, limits.

Against a real service on loopback (uvicorn in a thread, real SQLite). Gaps filled next to
tests/service/test_svc_identity.py (which checks detail/attachment/reply isolation for one
other user, three technician endpoints, enrolment rate limits per address: not repeated here) and test_svc_api_errors.py
(declared and streamed oversize bodies, 25 MiB parts, 20 attachments, JSON depth of a plain body).
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from hard_kit import KEY, ServiceFactory, make_draft, wait_until
from sqlalchemy import select

from intake_app.core.ticket import Attachment, AttachmentKind, Contact
from intake_app.service.config import SmtpSettings
from intake_app.service.db import schema as s
from intake_app.service.server import RunningServer

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


class Client:
    """A device (or technician) speaking the API over HTTP."""

    def __init__(self, url: str, token: str | None = None, device_id: str = "") -> None:
        self.base = f"{url}/api/v1"
        self.session = requests.Session()
        self.device_id = device_id
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=60, **kwargs)

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def clients() -> Iterator[list[Client]]:
    made: list[Client] = []
    yield made
    for client in made:
        client.close()


def enrol(server: RunningServer, made: list[Client], name: str, email: str, key: str = KEY) -> Client:
    anonymous = Client(server.url)
    made.append(anonymous)
    answer = anonymous.call("POST", "/enroll", json={"enrolment_key": key, "device_name": f"PC-{name}",
                                                     "user_name": name, "user_email": email})
    assert answer.status_code == 201, answer.text
    client = Client(server.url, answer.json()["token"], answer.json()["device_id"])
    made.append(client)
    return client


def submit_with_attachment(owner: Client, name: str = "screen.png") -> tuple[str, dict[str, Any]]:
    shot = Attachment(name, PNG, AttachmentKind.SCREENSHOT, key="shot-1")
    draft = make_draft("Ann", "ann@hardening.example", attachments=[shot])
    response = owner.call("POST", "/tickets", files=[
        ("ticket", (None, json.dumps(draft.to_dict()), "application/json")),
        ("attachment:shot-1", (name, PNG, "image/png"))])
    assert response.status_code == 202, response.text
    ref = response.json()["reference"]
    detail = wait_until(lambda: (d := owner.call("GET", f"/tickets/{ref}").json()).get("helpdesk_id") and d,
                        30, "forwarded")
    return ref, detail


def every_ticket_call(ref: str) -> list[tuple[str, str, dict[str, Any]]]:
    later = datetime.now(timezone.utc) + timedelta(days=3)
    return [
        ("GET", f"/tickets/{ref}", {}),
        ("GET", f"/tickets/{ref}/attachments/shot-1", {}),
        ("POST", f"/tickets/{ref}/replies", {"json": {"text": "mine now"}}),
        ("POST", f"/tickets/{ref}/replies", {"files": [
            ("reply", (None, json.dumps({"text": "look", "attachments": [
                Attachment("x.png", PNG, key="k1").info().to_dict()]}), "application/json")),
            ("attachment:k1", ("x.png", PNG, "image/png"))]}),
        ("PATCH", f"/tickets/{ref}", {"json": {"availability": {"any_time_business_hours": False, "windows": [
            {"start": later.isoformat(), "end": (later + timedelta(hours=1)).isoformat(), "tz": "UTC"}]}}}),
        ("PATCH", f"/tickets/{ref}", {"json": {"contact_method": "phone", "contact_method_detail": "+1 555 0100 99"}}),
        ("POST", f"/tickets/{ref}/close", {"json": {"text": "fixed"}}),
        ("POST", f"/tickets/{ref}/reopen", {"json": {"text": "broken"}}),
        ("POST", f"/tickets/{ref}/escalation", {"json": {"reason": "urgent"}}),
    ]


def test_other_devices_users_and_companies_get_404_on_every_ticket_endpoint(
        make_service: ServiceFactory, clients: list[Client]) -> None:
    server = make_service()
    runtime = server.runtime
    other = runtime.companies.add("Other Co", Contact("Desk", "desk@other.example", "", "Other Co"))
    runtime.companies.add_key(other, "other-company-key", "t")
    ann = enrol(server, clients, "Ann", "ann@hardening.example")
    ref, detail = submit_with_attachment(ann)
    before = runtime.views.detail(runtime.identity.authenticate(ann.session.headers["Authorization"][7:]), ref)

    ann_unverified = enrol(server, clients, "Ann", "ann@hardening.example")  # her second PC, not verified yet
    bob = enrol(server, clients, "Bob", "bob@hardening.example")
    runtime.identity.mark_verified(bob.device_id, "bob@hardening.example")  # a verified colleague
    mallory = enrol(server, clients, "Mallory", "ann@hardening.example", key="other-company-key")
    runtime.identity.mark_verified(mallory.device_id, "ann@hardening.example")  # same e-mail, other company

    for attacker in (ann_unverified, bob, mallory):
        for ticket_ref in (ref, detail["helpdesk_id"]):
            for method, path, kwargs in every_ticket_call(ticket_ref):
                response = attacker.call(method, path, **kwargs)
                assert response.status_code == 404, (attacker.device_id, method, path, response.text)
                assert response.json()["error"]["code"] == "not_found"
        assert attacker.call("GET", "/tickets").json()["tickets"] == []
        assert ref not in attacker.call("GET", "/tickets?scope=all").text
    owner = runtime.identity.authenticate(ann.session.headers["Authorization"][7:])
    after = runtime.views.detail(owner, ref)
    assert after["timeline"] == before["timeline"] and after["status"] == before["status"]  # nothing was written
    assert ann.call("GET", f"/tickets/{ref}/attachments/shot-1").content == PNG


def test_escalations_of_another_company_are_404(make_service: ServiceFactory, clients: list[Client]) -> None:
    server = make_service()
    runtime = server.runtime
    other = runtime.companies.add("Other Co", Contact("Desk", "desk@other.example", "", "Other Co"))
    runtime.companies.add_key(other, "other-company-key", "t")
    ann = enrol(server, clients, "Ann", "ann@hardening.example")
    draft = make_draft("Ann", "ann@hardening.example", escalation_requested=True)
    assert ann.call("POST", "/tickets", json=draft.to_dict()).status_code == 202
    technician = runtime.identity.authenticate(runtime.identity.add_technician("Dana"))
    (escalation,) = runtime.escalations.list(technician)
    runtime.contacts.add(other, "Pat Primary", "pat@other.example", primary=True)  # Other Co's primary contact
    pat = enrol(server, clients, "Pat", "pat@other.example", key="other-company-key")
    runtime.identity.mark_verified(pat.device_id, "pat@other.example")
    response = pat.call("POST", f"/escalations/{escalation['id']}/decision", json={"approve": True, "reason": "ok"})
    assert response.status_code == 404, response.text
    assert all(e["id"] != escalation["id"] for e in pat.call("GET", "/escalations").json().get("escalations", []))


TECH_CALLS = [("GET", "/tech/tickets", None), ("GET", "/tech/tickets/{ref}", None),
              ("POST", "/tech/tickets/{ref}/status", {"status": "Completed"}),
              ("POST", "/tech/tickets/{ref}/priority", {"priority": 1}),
              ("POST", "/tech/tickets/{ref}/assignee", {"technician": "Me"}),
              ("POST", "/tech/tickets/{ref}/appointment", {"start": "2031-01-01T09:00:00+00:00",
                                                           "end": "2031-01-01T10:00:00+00:00"}),
              ("POST", "/tech/tickets/{ref}/notes", {"text": "hi", "internal": True}),
              ("POST", "/tech/tickets/{ref}/escalation", {"approve": True, "reason": "by phone"}),
              ("POST", "/tech/jobs/run", None), ("DELETE", "/devices/{device}", None)]


def test_every_technician_endpoint_refuses_device_tokens(make_service: ServiceFactory, clients: list[Client]) -> None:
    server = make_service()
    ann = enrol(server, clients, "Ann", "ann@hardening.example")
    server.runtime.identity.mark_verified(ann.device_id, "ann@hardening.example")
    ref, _ = submit_with_attachment(ann)
    anonymous = Client(server.url)
    clients.append(anonymous)
    for method, path, body in TECH_CALLS:
        path = path.format(ref=ref, device=ann.device_id)
        kwargs = {"json": body} if body is not None else {}
        assert ann.call(method, path, **kwargs).status_code == 403, path
        assert anonymous.call(method, path, **kwargs).status_code == 401, path
    assert ann.call("GET", f"/tickets/{ref}").status_code == 200  # the device itself was not revoked


def test_verification_codes_cannot_be_brute_forced(make_service: ServiceFactory, clients: list[Client]) -> None:
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        server = make_service(smtp=SmtpSettings(host="127.0.0.1", port=port, security="none",
                                                from_address="intake@msp.example", timeout=10))
        eve = enrol(server, clients, "Eve", "eve@hardening.example")
        assert eve.call("POST", "/verify/start", json={"email": "eve@hardening.example"}).status_code == 202
        code = mailbox.wait_for_code()
        statuses = []
        for guess in range(16):
            wrong = f"{(int(code) + 1 + guess) % 1_000_000:06d}"
            statuses.append(eve.call("POST", "/verify/confirm", json={"email": "eve@hardening.example",
                                                                      "code": wrong}))
        assert [r.status_code for r in statuses[:15]] == [422] * 15
        limited = statuses[15]
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
        right = eve.call("POST", "/verify/confirm", json={"email": "eve@hardening.example", "code": code})
        assert right.status_code == 429  # even the right code waits: guessing gains nothing
        assert "Too many wrong tries" in statuses[5].json()["error"]["details"]["code"]  # the code locked at 5
    finally:
        controller.stop()


HOSTILE_NAMES = ["../../etc/passwd", "/etc/shadow", "..\\..\\Windows\\System32\\config\\SAM", "C:\\boot.ini",
                 "nul\x00byte.png", "a" * 5000 + ".png", "\u202egnp.exe", "  ", ".", "..", "~/.ssh/id_rsa",
                 "con.txt", "%2e%2e%2fetc%2fpasswd", "line\r\nX-Injected: 1.png"]


def test_hostile_attachment_names_never_reach_a_path(service: RunningServer, clients: list[Client],
                                                     tmp_path: Path) -> None:
    ann = enrol(service, clients, "Ann", "ann@hardening.example")
    data_dir = service.runtime.config.data_dir
    before = {p for p in Path("/").glob("etc/*")} | set(tmp_path.parent.iterdir())
    files = [Attachment(name, PNG + bytes([n]), AttachmentKind.FILE, key=f"k{n}")
             for n, name in enumerate(HOSTILE_NAMES)]
    draft = make_draft("Ann", "ann@hardening.example", attachments=files)
    parts = [("ticket", (None, json.dumps(draft.to_dict()), "application/json"))]
    parts += [(f"attachment:{a.key}", ("upload.bin", a.data, "application/octet-stream")) for a in files]
    response = ann.call("POST", "/tickets", files=parts)
    assert response.status_code == 202, response.text
    ref = response.json()["reference"]
    detail = wait_until(lambda: (d := ann.call("GET", f"/tickets/{ref}").json())["relay_state"] == "forwarded" and d,
                        30, "forwarded")
    for item in detail["attachments"]:
        name = item["filename"]
        assert "/" not in name and "\\" not in name and "\x00" not in name and "\n" not in name
        assert 0 < len(name) <= 255
        download = ann.call("GET", f"/tickets/{ref}/attachments/{item['key']}")
        assert download.status_code == 200
        disposition = download.headers["Content-Disposition"]
        assert re.fullmatch(r"attachment; filename\*=UTF-8''[A-Za-z0-9%._~-]+", disposition), disposition
    stored = [p for folder in ("outbox-files", "connector/files") for p in (data_dir / folder).iterdir()]
    assert len(stored) == 2 * len(HOSTILE_NAMES)  # each once in the service's outbox, once at the helpdesk
    assert all(re.fullmatch(r"[ah]-[0-9a-f]{32}", p.name) for p in stored), [p.name for p in stored]
    everything = {p.relative_to(data_dir).parts[0] for p in data_dir.rglob("*")}
    assert everything <= {"intake.sqlite3", "intake.sqlite3-wal", "intake.sqlite3-shm", "outbox-files", "connector"}
    assert {p for p in Path("/").glob("etc/*")} | set(tmp_path.parent.iterdir()) == before


@pytest.mark.parametrize("key", ["../../etc/passwd", "/abs", "a\x00b", "k" * 101, "a b", ""])
def test_hostile_attachment_keys_are_refused(service: RunningServer, clients: list[Client], key: str) -> None:
    ann = enrol(service, clients, "Ann", "ann@hardening.example")
    shot = Attachment("s.png", PNG, key=key)
    draft = make_draft("Ann", "ann@hardening.example", attachments=[shot])
    parts = [("ticket", (None, json.dumps(draft.to_dict()), "application/json")),
             (f"attachment:{key}", ("s.png", PNG, "image/png"))]
    response = ann.call("POST", "/tickets", files=parts)
    assert response.status_code in (400, 422), response.text
    assert list((service.runtime.config.data_dir / "outbox-files").iterdir()) == []


def test_size_and_count_limits_of_bodies_and_parts(service: RunningServer, clients: list[Client]) -> None:
    ann = enrol(service, clients, "Ann", "ann@hardening.example")
    ref, _ = submit_with_attachment(ann)
    outbox_files = service.runtime.config.data_dir / "outbox-files"
    kept = set(outbox_files.iterdir())
    token = ann.session.headers["Authorization"]
    for method, path, size, limit in (("POST", f"/tickets/{ref}/replies", (1 << 20) + 1, "1 MiB"),
                                      ("PATCH", f"/tickets/{ref}", (1 << 20) + 1, "1 MiB"),
                                      ("POST", "/verify/start", (1 << 20) + 1, "1 MiB"),
                                      ("POST", "/tickets", (4 << 20) + 1, "4 MiB")):
        answer = declare_only(service.url, method, path, token, size)  # refused from Content-Length alone
        assert answer.startswith("HTTP/1.1 413") and '"too_large"' in answer and limit in answer, answer
    huge_ticket_part = json.dumps({**make_draft().to_dict(), "system_info_text": "s" * (4 * 1024 * 1024 + 1)})
    response = ann.call("POST", "/tickets", files=[("ticket", (None, huge_ticket_part, "application/json"))])
    assert response.status_code == 413, response.text
    many = [Attachment(f"{n}.png", PNG, key=f"r{n}") for n in range(21)]
    reply = ann.call("POST", f"/tickets/{ref}/replies", files=[
        ("reply", (None, json.dumps({"text": "many", "attachments": [a.info().to_dict() for a in many]}),
                   "application/json"))] + [(f"attachment:{a.key}", (a.filename, a.data, "image/png")) for a in many])
    assert reply.status_code == 413, reply.text
    strange = ann.call("POST", "/tickets", files=[("ticket", (None, json.dumps(make_draft().to_dict()),
                                                              "application/json")), ("other", (None, "x"))])
    assert strange.status_code == 400
    headers = "".join(f"X-{n}: v\r\n" for n in range(20))
    body = (f"--b\r\nContent-Disposition: form-data; name=\"ticket\"\r\n{headers}\r\n"
            f"{json.dumps(make_draft().to_dict())}\r\n--b--\r\n").encode()
    many_headers = ann.call("POST", "/tickets", data=body, headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert many_headers.status_code == 400, many_headers.text
    assert set(outbox_files.iterdir()) == kept  # nothing half-received is kept
    assert len(ann.call("GET", "/tickets").json()["tickets"]) == 1


def declare_only(url: str, method: str, path: str, authorization: str, length: int) -> str:
    """Send only the headers of a JSON request declaring ``length`` bytes; return the raw answer.

    (Sending the oversize body too would race the service's early close: a client still uploading
    may see a reset instead of the 413, as with any HTTP server without a lingering close.)"""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"{method} /api/v1{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    return received.decode("utf-8", "replace")


def test_json_depth_is_limited_everywhere(service: RunningServer, clients: list[Client]) -> None:
    ann = enrol(service, clients, "Ann", "ann@hardening.example")
    ref, _ = submit_with_attachment(ann)
    deep = {"a": None}
    for _ in range(40):
        deep = {"a": deep}
    draft = {**make_draft().to_dict(), "system_info": deep}
    in_part = ann.call("POST", "/tickets", files=[("ticket", (None, json.dumps(draft), "application/json"))])
    assert in_part.status_code == 400 and "32 levels" in in_part.json()["error"]["message"]
    for method, path in (("PATCH", f"/tickets/{ref}"), ("POST", f"/tickets/{ref}/replies"), ("POST", "/enroll"),
                         ("POST", "/verify/start")):
        response = ann.call(method, path, json={"availability": deep, "text": deep, "email": deep})
        assert response.status_code == 400, (path, response.text)
    very_deep = "[" * 100_000 + "]" * 100_000  # never a RecursionError (500)
    response = ann.call("POST", "/tickets", data=very_deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_a_client_ticket_id_of_another_company_is_never_linked_to_its_ticket(
        make_service: ServiceFactory, clients: list[Client]) -> None:
    """Helpdesks look a ticket up by its client id across companies: reusing another company's id must
    never link to (or move escalations from) that company's ticket."""
    server = make_service()
    runtime = server.runtime
    other = runtime.companies.add("Other Co", Contact("Desk", "desk@other.example", "", "Other Co"))
    runtime.companies.add_key(other, "other-company-key", "t")
    ann = enrol(server, clients, "Ann", "ann@hardening.example")
    draft = make_draft("Ann", "ann@hardening.example", escalation_requested=True)
    first = ann.call("POST", "/tickets", json=draft.to_dict())
    assert first.status_code == 202
    ref = first.json()["reference"]
    wait_until(lambda: ann.call("GET", f"/tickets/{ref}").json()["relay_state"] == "forwarded", 30, "forwarded")
    mallory = enrol(server, clients, "Mallory", "mallory@other.example", key="other-company-key")
    copy = make_draft("Mallory", "mallory@other.example", client_ticket_id=draft.client_ticket_id)
    response = mallory.call("POST", "/tickets", json=copy.to_dict())
    assert response.status_code == 202, response.text  # her own new ticket in her company...
    theirs = response.json()["reference"]
    assert theirs != ref
    seen = wait_until(lambda: (d := mallory.call("GET", f"/tickets/{theirs}").json())["relay_state"] == "failed"
                      and d, 30, "the relay refused to link it")  # ...which never becomes Ann's
    assert seen["helpdesk_id"] is None and seen["status"]["name"] == "Not delivered"
    assert ref not in json.dumps(seen) and "Printer" not in json.dumps(seen["timeline"])
    mine = ann.call("GET", f"/tickets/{ref}").json()
    assert mine["escalation"] is not None and mine["relay_state"] == "forwarded"  # nothing moved
    with runtime.db.read() as conn:  # the helpdesk still has exactly one ticket
        assert len(conn.execute(select(s.local_tickets.c.id)).all()) == 1


def test_a_client_ticket_id_of_another_user_gives_nothing_away(make_service: ServiceFactory,
                                                               clients: list[Client]) -> None:
    server = make_service()
    ann = enrol(server, clients, "Ann", "ann@hardening.example")
    draft = make_draft("Ann", "ann@hardening.example")
    ref = ann.call("POST", "/tickets", json=draft.to_dict()).json()["reference"]
    bob = enrol(server, clients, "Bob", "bob@hardening.example")
    replay = bob.call("POST", "/tickets", json=make_draft("Bob", "bob@hardening.example",
                                                          client_ticket_id=draft.client_ticket_id).to_dict())
    assert replay.status_code == 422 and ref not in replay.text
    again = enrol(server, clients, "Ann", "ann@hardening.example")  # Ann re-enrolled (revoked, new PC): her resend
    assert again.call("POST", "/tickets", json=draft.to_dict()).json()["reference"] == ref


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        self.arrived.set()
        return "250 OK"

    def wait_for_code(self) -> str:
        assert self.arrived.wait(20), "no mail arrived"
        found = re.search(r"\b(\d{6})\b", self.messages[-1])
        assert found is not None
        return found.group(1)

