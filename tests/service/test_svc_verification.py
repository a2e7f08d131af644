"""E-mail verification over real SMTP (aiosmtpd): wrong, expired, reused codes; tries; demo mode."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from svc_helpers import Api
from svc_service import ServiceFactory, SmtpServer, free_port

from intake_app.service.clock import ManualClock
from intake_app.service.db import schema as s

EMAIL = "ann@acme.example"


def code_from(smtp: SmtpServer, nth: int = 1) -> str:
    message = smtp.wait_for(EMAIL, nth)
    code = message["Subject"].rsplit(" ", 1)[-1]
    assert code.isdigit() and len(code) == 6
    assert code in message.get_payload()
    return code


def confirm(api: Api, code: str) -> tuple[int, dict[str, object]]:
    response = api.post("/verify/confirm", json={"email": EMAIL, "code": code})
    return response.status_code, response.json()


def test_code_by_mail_verifies_once(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    ann = service.enrol()
    started = ann.api.post("/verify/start", json={"email": EMAIL})
    assert (started.status_code, started.json()) == (202, {"sent": True})
    code = code_from(smtp)
    assert smtp.messages[0]["From"] == "intake@msp.example"

    assert confirm(ann.api, code) == (200, {"verified": True, "role": "client"})
    assert ann.api.get("/me").json()["user"]["verified"] is True

    status, body = confirm(ann.api, code)
    assert status == 422
    assert body["error"]["code"] == "validation_failed"  # type: ignore[index]
    assert "already used" in body["error"]["details"]["code"]  # type: ignore[index]
    with service.runtime.db.read() as conn:
        stored = conn.execute(select(s.verification_codes.c.code_hash)).scalar_one()
    assert code not in stored


def test_wrong_code_counts_tries_then_locks(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    ann = service.enrol()
    ann.api.post("/verify/start", json={"email": EMAIL})
    code = code_from(smtp)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    messages = [confirm(ann.api, wrong)[1]["error"]["details"]["code"] for _ in range(5)]  # type: ignore[index]
    assert messages[0] == "That code is not right; 4 tries left."
    assert "last try" in messages[4]
    status, body = confirm(ann.api, code)
    assert status == 422
    assert "Too many wrong tries" in body["error"]["details"]["code"]  # type: ignore[index]
    assert ann.api.get("/me").json()["user"]["verified"] is False


def test_expired_code_is_refused(make_service: ServiceFactory, smtp: SmtpServer, clock: ManualClock) -> None:
    service = make_service(smtp=smtp, clock=clock)
    ann = service.enrol()
    ann.api.post("/verify/start", json={"email": EMAIL})
    code = code_from(smtp)
    clock.advance(timedelta(minutes=15, seconds=1))
    status, body = confirm(ann.api, code)
    assert status == 422
    assert "expired" in body["error"]["details"]["code"]  # type: ignore[index]


def test_a_new_code_retires_the_old_one(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    ann = service.enrol()
    ann.api.post("/verify/start", json={"email": EMAIL})
    first = code_from(smtp, 1)
    ann.api.post("/verify/start", json={"email": EMAIL})
    second = code_from(smtp, 2)
    if first != second:
        assert confirm(ann.api, first)[0] == 422
    assert confirm(ann.api, second)[0] == 200


def test_code_of_another_device_does_not_verify_this_one(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    service = make_service(smtp=smtp)
    ann, eve = service.enrol(), service.enrol("Eve", "eve@acme.example", "PC-EVE")
    ann.api.post("/verify/start", json={"email": EMAIL})
    status, body = confirm(eve.api, code_from(smtp))
    assert status == 422
    assert "No code was sent" in body["error"]["details"]["code"]  # type: ignore[index]


def test_bad_address_is_422_and_no_mail_is_sent(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    ann = make_service(smtp=smtp).enrol()
    response = ann.api.post("/verify/start", json={"email": "not an address"})
    assert response.status_code == 422
    assert "is not an e-mail address" in response.json()["error"]["details"]["email"]
    assert smtp.messages == []


def test_mail_server_down_is_a_clear_503(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    smtp.port = free_port()  # nothing listens there
    ann = make_service(smtp=smtp).enrol()
    response = ann.api.post("/verify/start", json={"email": EMAIL})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "mail_unavailable"


def test_no_smtp_configured_is_a_clear_503(make_service: ServiceFactory) -> None:
    ann = make_service().enrol()
    response = ann.api.post("/verify/start", json={"email": EMAIL})
    assert response.status_code == 503
    assert "[smtp]" in response.json()["error"]["message"]


def test_codes_are_rate_limited_per_address(make_service: ServiceFactory, smtp: SmtpServer) -> None:
    ann = make_service(smtp=smtp).enrol()
    statuses = [ann.api.post("/verify/start", json={"email": EMAIL}).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]


def test_demo_mode_verifies_at_once(make_service: ServiceFactory) -> None:
    service = make_service(demo=True, seed=False)
    ann = service.enrol(key="demo")
    response = ann.api.post("/verify/start", json={"email": EMAIL})
    assert (response.status_code, response.json()) == (200, {"verified": True})
    me = ann.api.get("/me").json()
    assert me["user"]["verified"] is True
    assert me["company"] == "Demo company"
    assert me["contact_on_file"]["email"] == EMAIL  # demo users are contacts on file
