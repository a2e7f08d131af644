"""Property-based fuzzing of the service API from its own OpenAPI document (schemathesis 4).

The service runs for real (uvicorn on loopback, SQLite under a temp folder, the local
connector) with a company, an enrolled device, a verified primary contact and a technician.
Every operation of ``/api/v1/openapi.json`` gets 25 generated requests (valid and invalid
data; deterministic: ``derandomize``), authenticated with a real device token, or the
technician's token for the technician endpoints. Every answer must be no 5xx and must match
the document: status code listed, content type, headers and body schema (schemathesis' default
checks). A ticket with an attachment exists, so ``INT-000001`` and ``shot-1`` are real.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from aiosmtpd.controller import Controller
from hard_kit import COMPANY, KEY, make_draft, wait_until
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from intake_app.core.ticket import Attachment, AttachmentKind, Contact
from intake_app.service.config import ServiceConfig, SmtpSettings
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import RunningServer, start_in_thread

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

MAX_EXAMPLES = 25
# The document describes shapes; the domain rules (an e-mail's form, windows in the future, the JSON
# inside a multipart part, "nothing to update") answer 422/400 by design, and unknown query
# parameters are ignored: so "schema-valid data must be accepted" and "schema-invalid data must be
# refused" are not checked. Every other default check is: no 5xx, status codes, content types,
# headers and bodies as documented, auth required where declared.
DOMAIN_RULES = [positive_data_acceptance, negative_data_rejection]


@dataclass
class FuzzTarget:
    server: RunningServer
    device_token: str
    technician_token: str

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    data = tmp_path_factory.mktemp("fuzz") / "service"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mail = Controller(Sink(), hostname="127.0.0.1", port=port)  # /verify/start sends real mail
    mail.start()
    runtime = ServiceRuntime(ServiceConfig(data_dir=data, sync_interval=1.0, relay_retry_base=0.2, relay_retry_max=1.0,
                                           smtp=SmtpSettings(host="127.0.0.1", port=port, security="none",
                                                             from_address="intake@msp.example", timeout=10)))
    company = runtime.companies.add(COMPANY, Contact("Front desk", "desk@hardening.example", "", COMPANY),
                                    {"escalation_fee": "$250"})
    runtime.companies.add_key(company, KEY, "fuzz")
    runtime.contacts.add(company, "Ann Primary", "ann@hardening.example", primary=True)
    server = start_in_thread(runtime)
    try:
        enrolled = requests.post(f"{server.url}/api/v1/enroll", timeout=30, json={
            "enrolment_key": KEY, "device_name": "PC-FUZZ", "user_name": "Ann", "user_email": "ann@hardening.example"})
        assert enrolled.status_code == 201, enrolled.text
        token, device_id = enrolled.json()["token"], enrolled.json()["device_id"]
        runtime.identity.mark_verified(device_id, "ann@hardening.example")
        shot = Attachment("screen.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), AttachmentKind.SCREENSHOT,
                          key="shot-1")
        draft = make_draft("Ann", "ann@hardening.example", attachments=[shot], escalation_requested=True)
        headers = {"Authorization": f"Bearer {token}"}
        accepted = requests.post(f"{server.url}/api/v1/tickets", headers=headers, timeout=30, files=[
            ("ticket", (None, json.dumps(draft.to_dict()), "application/json")),
            ("attachment:shot-1", ("screen.png", shot.data, "image/png"))])
        assert accepted.status_code == 202, accepted.text
        wait_until(lambda: requests.get(f"{server.url}/api/v1/tickets/INT-000001", headers=headers,
                                        timeout=30).json().get("helpdesk_id"), 30, "the seed ticket forwarded")
        yield FuzzTarget(server, token, runtime.identity.add_technician("Dana"))
    finally:
        server.stop()
        mail.stop()


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        return "250 OK"


@pytest.fixture(scope="module")
def api_schema(fuzz_target: FuzzTarget) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_target.url}/api/v1/openapi.json")


REAL = {"ref": "INT-000001", "key": "shot-1", "escalation_id": 1}  # the seeded ticket, attachment, escalation


def fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], real: bool = False) -> None:
    """``MAX_EXAMPLES`` requests for one operation; raises the first failure (shrunk by Hypothesis).

    ``real``: the path names the seeded ticket (and its attachment / escalation), so the bodies are
    fuzzed against a ticket that exists instead of meeting a 404."""
    fixed = {k: v for k, v in REAL.items() if "{" + k + "}" in operation.path} if real else None

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, timeout=30, excluded_checks=DOMAIN_RULES)

    run()


def test_no_server_error_and_every_answer_matches_the_document(api_schema: schemathesis.BaseSchema,
                                                                fuzz_target: FuzzTarget) -> None:
    """schemathesis' Python API (its pytest plugin does not run under pytest 9 yet)."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20  # every route of docs/API.md is in the document
    for operation in operations:
        technician = operation.path.startswith(("/api/v1/tech/", "/api/v1/devices/"))
        token = fuzz_target.technician_token if technician else fuzz_target.device_token
        runs = [(GenerationMode.POSITIVE, False), (GenerationMode.NEGATIVE, False)]
        if any("{" + k + "}" in operation.path for k in REAL):
            runs.append((GenerationMode.POSITIVE, True))
        for mode, real in runs:
            try:
                fuzz(operation, mode, {"Authorization": f"Bearer {token}"}, real)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect all, then report all
                failures[f"{operation.label} ({mode.value}{', seeded ticket' if real else ''})"] = str(exc)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())


def test_the_fuzzed_service_kept_its_data(fuzz_target: FuzzTarget) -> None:
    """After the fuzzing, the seeded ticket is still there and readable (nothing corrupted it)."""
    headers = {"Authorization": f"Bearer {fuzz_target.device_token}"}
    detail = requests.get(f"{fuzz_target.url}/api/v1/tickets/INT-000001", headers=headers, timeout=30)
    if detail.status_code == 401:  # the fuzzer may legitimately have revoked nothing but this token is a device's
        pytest.fail("the device token stopped working during fuzzing")
    assert detail.status_code == 200, detail.text
    assert [a["key"] for a in detail.json()["attachments"]][:1] == ["shot-1"]

