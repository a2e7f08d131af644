"""The error shape for everything (ours and FastAPI's), limits, conditional GETs, updated_since, OpenAPI."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import requests
from svc_helpers import PNG, forwarded, make_draft, multipart, two_attachments
from svc_service import Service

from intake_app.core.ticket import Attachment
from intake_app.service.limits import MAX_ATTACHMENT


def error(response: requests.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_malformed_json_is_400(service: Service) -> None:
    ann = service.enrol()
    for path in ("/enroll", "/tickets", "/verify/start"):
        response = ann.api.post(path, data=b'{"summary": ', headers={"Content-Type": "application/json"})
        error(response, 400, "bad_request")
    error(ann.api.post("/tickets", data=b"\xff\xfe", headers={"Content-Type": "application/json"}), 400,
          "bad_request")


def test_json_nested_too_deep_is_400(service: Service) -> None:
    ann = service.enrol()
    deep = "[" * 33 + "]" * 33
    body = error(ann.api.post("/tickets", data=deep, headers={"Content-Type": "application/json"}), 400,
                 "bad_request")
    assert "32 levels" in str(body["message"])
    ok = "[" * 32 + "]" * 32
    error(ann.api.post("/tickets", data=ok, headers={"Content-Type": "application/json"}), 422,
          "validation_failed")


def test_validation_uses_the_domain_messages(service: Service) -> None:
    ann = service.enrol()
    draft = make_draft(summary="x" * 101, device_name="")
    details = error(ann.api.submit(draft), 422, "validation_failed")["details"]
    assert details == {"summary": "The summary is 101 characters; the helpdesk accepts at most 100.",  # type: ignore[comparison-overlap]
                       "device_name": "Please give the computer name or the device you need help with."}
    missing = error(ann.api.post("/enroll", json={"device_name": "x"}), 422, "validation_failed")
    assert missing["details"] == {"enrolment_key": "This field is required."}
    assert ann.api.get("/tickets?scope=everything").status_code == 422


def test_fastapi_404_and_405_have_the_shape(service: Service) -> None:
    ann = service.enrol()
    error(ann.api.post("/escalations/280037618156290409758720/decision", json={"approve": True}), 422,
          "validation_failed")  # found by schemathesis: once an integer overflow (500)
    error(ann.api.get("/no/such/thing"), 404, "not_found")
    error(ann.api.get("/tickets/INT-999999"), 404, "not_found")
    error(ann.api.request("PUT", "/enroll", json={}), 405, "method_not_allowed")


def test_missing_token_is_401(service: Service) -> None:
    error(service.api().get("/tickets"), 401, "unauthorized")
    error(service.api().submit(make_draft()), 401, "unauthorized")


def test_oversize_declared_body_is_413_before_it_is_read(service: Service) -> None:
    ann = service.enrol()
    url = urlparse(service.url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     ann.api.token.encode() + b"\r\nContent-Type: multipart/form-data; boundary=b\r\n"  # type: ignore[union-attr]
                     b"Content-Length: 70000000\r\n\r\n")
        received = b""
        while chunk := sock.recv(4096):  # the service closes the connection after the answer
            received += chunk
        reply = received.decode()
    assert reply.startswith("HTTP/1.1 413")
    assert '"too_large"' in reply


def test_oversize_streamed_body_is_413(service: Service) -> None:
    ann = service.enrol()

    def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to refuse up front
        yield b"--b\r\nContent-Disposition: form-data; name=\"attachment:big\"\r\n\r\n"
        for _ in range(70):
            yield b"\0" * (1024 * 1024)

    response = ann.api.post("/tickets", data=chunks(),
                            headers={"Content-Type": "multipart/form-data; boundary=b"})
    error(response, 413, "too_large")
    assert list((service.data_dir / "outbox-files").iterdir()) == []  # nothing half-written is kept


def test_attachment_over_25_mib_is_413_and_nothing_is_kept(service: Service) -> None:
    ann = service.enrol()
    big = Attachment("huge.bin", b"\x01" * (MAX_ATTACHMENT + 1), key="huge")
    response = ann.api.post("/tickets", files=multipart(make_draft(attachments=[big]), [big]))
    assert "larger than 25 MiB" in str(error(response, 413, "too_large")["message"])
    assert ann.api.get("/tickets").json()["tickets"] == []
    assert list((service.data_dir / "outbox-files").iterdir()) == []


def test_more_than_20_attachments_is_refused(service: Service) -> None:
    ann = service.enrol()
    many = [Attachment(f"{i}.png", PNG, key=f"k{i}") for i in range(21)]
    response = ann.api.post("/tickets", files=multipart(make_draft(attachments=many), many))
    error(response, 413, "too_large")


def test_attachment_problems_are_422_per_attachment(service: Service) -> None:
    ann = service.enrol()
    shot, log = two_attachments()
    damaged = [("ticket", (None, json.dumps(make_draft(attachments=[shot, log]).to_dict()), "application/json")),
               ("attachment:shot-1", ("a.png", PNG[:-1] + b"!", "image/png")),
               ("attachment:stray", ("x", b"x", "text/plain"))]
    details = error(ann.api.post("/tickets", files=damaged), 422, "validation_failed")["details"]
    assert "damaged" in details["attachments.shot-1"]  # type: ignore[index]
    assert "is missing" in details["attachments.log-1"]  # type: ignore[index]
    assert "not described" in details["attachments.stray"]  # type: ignore[index]
    assert list((service.data_dir / "outbox-files").iterdir()) == []


def test_malformed_multipart_is_400(service: Service) -> None:
    ann = service.enrol()
    for body, content_type in ((b"--b\r\nnonsense", "multipart/form-data; boundary=b"),
                               (b"--b--\r\n", "multipart/form-data; boundary=b"),
                               (b"x", "multipart/form-data"),
                               (b"x", "text/plain")):
        error(ann.api.post("/tickets", data=body, headers={"Content-Type": content_type}), 400, "bad_request")
    unknown = [("ticket", (None, json.dumps(make_draft().to_dict()), "application/json")),
               ("extra", (None, "1", "text/plain"))]
    error(ann.api.post("/tickets", files=unknown), 400, "bad_request")
    broken = [("ticket", (None, "{nope", "application/json"))]
    error(ann.api.post("/tickets", files=broken), 400, "bad_request")
    twice = [("ticket", (None, json.dumps(make_draft().to_dict()), "application/json")),
             ("ticket", (None, json.dumps(make_draft().to_dict()), "application/json"))]
    assert "appears twice" in str(error(ann.api.post("/tickets", files=twice), 400, "bad_request")["message"])
    assert list((service.data_dir / "outbox-files").iterdir()) == []


def test_conditional_get_answers_304(service: Service) -> None:
    ann = service.enrol()
    ref = ann.submit(make_draft())["reference"]
    forwarded(ann, ref)
    for path in ("/tickets", f"/tickets/{ref}", "/meta"):
        first = ann.api.get(path)
        tag = first.headers["ETag"]
        again = ann.api.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["ETag"] == tag
    tag = ann.api.get(f"/tickets/{ref}").headers["ETag"]
    service.technician().post(f"/tech/tickets/{ref}/status", json={"status": "Working Issue Now"})
    changed = ann.api.get(f"/tickets/{ref}", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.json()["status"]["name"] == "Working Issue Now"


def test_updated_since_returns_only_changes(service: Service) -> None:
    ann = service.enrol()
    first = ann.submit(make_draft())["reference"]
    second = ann.submit(make_draft())["reference"]
    forwarded(ann, first)
    forwarded(ann, second)
    listing = ann.api.get("/tickets").json()
    assert [t["reference"] for t in listing["tickets"]] == [second, first]
    cursor = max(t["updated_at"] for t in listing["tickets"])
    assert ann.api.get("/tickets", params={"updated_since": cursor}).json()["tickets"] == []
    service.technician().post(f"/tech/tickets/{first}/assignee", json={"technician": "Dana"})
    changed = ann.api.get("/tickets", params={"updated_since": cursor}).json()["tickets"]
    assert [t["reference"] for t in changed] == [first]
    bad = error(ann.api.get("/tickets", params={"updated_since": "yesterday"}), 422, "validation_failed")
    assert "updated_since" in bad["details"]  # type: ignore[operator]


def test_openapi_document_lists_the_contract(service: Service) -> None:
    doc = requests.get(f"{service.url}/api/v1/openapi.json", timeout=10).json()
    for path in ("/api/v1/enroll", "/api/v1/tickets", "/api/v1/tickets/{ref}", "/api/v1/meta",
                 "/api/v1/tech/jobs/run", "/api/v1/escalations/{escalation_id}/decision"):
        assert path in doc["paths"]
    assert "multipart/form-data" in doc["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"]


def test_meta_serves_the_companys_policy(service: Service) -> None:
    rt = service.runtime
    acme = rt.companies.by_name("Acme")
    rt.companies.set_policy(acme, {"support_phone": "+1 555 0100", "escalation_fee": "$300",
                                   "response_targets": [{"priority": 1, "minutes": 30}],
                                   "calendar": {"timezone": "America/Chicago", "holiday_country": "US"}})
    rt.companies.add_announcement(acme, "E-mail is down", "We are on it", "outage")
    meta = service.enrol().api.get("/meta").json()
    assert meta["company"] == "Acme"
    assert meta["support_phone"] == "+1 555 0100"
    assert meta["escalation_fee"] == "$300"
    assert meta["calendar"]["timezone"] == "America/Chicago"
    assert meta["response_targets"] == [{"priority": 1, "minutes": 30, "around_the_clock": False}]
    assert [a["title"] for a in meta["announcements"]] == ["E-mail is down"]
    assert meta["api_version"] == 1 and meta["service_version"]
    assert meta["connector"] == "local" and meta["demo"] is False
    assert [s["name"] for s in meta["statuses"]][:2] == ["New – Emailed Client", "New (Portal)"]
