"""Enrolment, tokens, who sees which ticket (404, never 403), roles, revocation, rate limits."""

from __future__ import annotations

from sqlalchemy import select
from svc_helpers import forwarded, make_draft, verify
from svc_service import ACME_KEY, Service, ServiceFactory, SmtpServer

from intake_app.service.db import schema as s


def test_unknown_enrolment_key_is_401(service: Service) -> None:
    response = service.api().post("/enroll", json={"enrolment_key": "guess", "device_name": "X",
                                                   "user_name": "Eve", "user_email": "eve@evil.example"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_enrolment_returns_a_token_that_is_stored_only_hashed(service: Service) -> None:
    response = service.api().post("/enroll", json={"enrolment_key": ACME_KEY, "device_name": "PC-ANN",
                                                   "user_name": "Ann", "user_email": "Ann@Acme.example"})
    assert response.status_code == 201
    body = response.json()
    assert body["company"] == "Acme"
    assert body["user"] == {"email": "ann@acme.example", "name": "Ann", "phone": "", "verified": False,
                            "role": "client"}
    with service.runtime.db.read() as conn:
        stored = conn.execute(select(s.devices.c.token_hash)).scalar_one()
    assert body["token"] not in stored and len(stored) == 64
    raw = (service.data_dir / "intake.sqlite3").read_bytes()
    assert body["token"].encode() not in raw and ACME_KEY.encode() not in raw


def test_missing_or_wrong_token_is_401_with_the_error_shape(service: Service) -> None:
    for api in (service.api(), service.api("not-a-token")):
        response = api.get("/tickets")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.json()["error"]["message"]


def test_revoked_device_gets_401(service: Service) -> None:
    ann = service.enrol()
    assert ann.api.get("/me").status_code == 200
    tech = service.technician()
    assert tech.request("DELETE", f"/devices/{ann.device_id}").status_code == 204
    response = ann.api.get("/me")
    assert response.status_code == 401
    assert "Enrol it again" in response.json()["error"]["message"]


def test_a_device_cannot_read_another_devices_ticket_until_verified(service: Service, make_service: ServiceFactory,
                                                                    smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    laptop = service.enrol(device="LAPTOP-ANN")
    desktop = service.enrol(device="PC-ANN")
    ref = laptop.submit(make_draft())["reference"]
    forwarded(laptop, ref)

    hidden = desktop.ticket(ref)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert desktop.api.get("/tickets").json()["tickets"] == []

    assert verify(service, smtp, desktop.api, "ann@acme.example") == {"verified": True, "role": "client"}
    assert desktop.ticket(ref).status_code == 200
    assert [t["reference"] for t in desktop.api.get("/tickets").json()["tickets"]] == [ref]


def test_a_verified_user_never_sees_another_users_ticket(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    ann = service.enrol()
    bob = service.enrol("Bob Other", "bob@acme.example", "PC-BOB")
    ref = ann.submit(make_draft())["reference"]
    forwarded(ann, ref)
    verify(service, smtp, bob.api, "bob@acme.example")
    assert bob.ticket(ref).status_code == 404
    assert bob.api.get(f"/tickets/{ref}/attachments/x").status_code == 404
    assert bob.api.post(f"/tickets/{ref}/replies", json={"text": "mine now"}).status_code == 404
    assert bob.api.get("/tickets?scope=all").status_code == 403  # not the primary contact


def test_primary_contact_sees_the_whole_company_with_scope_all(make_service: ServiceFactory,
                                                              smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    rt = service.runtime
    rt.contacts.add(rt.companies.by_name("Acme"), "Pat Primary", "pat@acme.example", primary=True)
    ann = service.enrol()
    pat = service.enrol("Pat Primary", "pat@acme.example", "PC-PAT")
    ref = ann.submit(make_draft())["reference"]
    assert pat.api.get("/me").json()["user"]["role"] == "client"  # not verified yet
    assert verify(service, smtp, pat.api, "pat@acme.example")["role"] == "primary_contact"
    assert [t["reference"] for t in pat.api.get("/tickets?scope=all").json()["tickets"]] == [ref]
    assert pat.api.get("/tickets").json()["tickets"] == []  # "mine" stays mine


def test_technician_endpoints_refuse_clients_with_403(service: Service) -> None:
    ann = service.enrol()
    ref = ann.submit(make_draft())["reference"]
    forwarded(ann, ref)
    for path, body in ((f"/tech/tickets/{ref}/status", {"status": "Completed"}),
                       (f"/tech/tickets/{ref}/notes", {"text": "hi"}), ("/tech/jobs/run", {})):
        response = ann.api.post(path, json=body)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert ann.api.get("/tech/tickets").status_code == 403
    assert ann.api.request("DELETE", f"/devices/{ann.device_id}").status_code == 403


def test_technicians_cannot_use_device_endpoints(service: Service) -> None:
    response = service.technician().get("/meta")
    assert response.status_code == 403


def test_enrolment_is_rate_limited_per_address(service: Service) -> None:
    api = service.api()
    statuses = [api.post("/enroll", json={"enrolment_key": "wrong", "device_name": "X", "user_name": "E",
                                          "user_email": ""}).status_code for _ in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    limited = api.post("/enroll", json={"enrolment_key": ACME_KEY, "device_name": "X", "user_name": "E",
                                        "user_email": ""})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
