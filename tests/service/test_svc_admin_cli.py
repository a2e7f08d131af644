"""``intake-app admin``: every group, against the database of a service that is running meanwhile.

Run in-process through ``intake_app.cli.main`` (the same code the console script runs); the
"done when" test runs it as a real subprocess.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import Api, forwarded, make_draft
from svc_service import Service, ServiceFactory

from intake_app.cli import main

POLICY_TOML = """
support_phone = "+1 555 0199"
escalation_fee = "$300"
[calendar]
timezone = "Europe/Berlin"
holiday_country = "DE"
[[response_targets]]
priority = 1
minutes = 60
"""


class Admin:
    def __init__(self, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = data
        self.capsys = capsys

    def __call__(self, *args: str, status: int = 0) -> str:
        self.capsys.readouterr()
        code = main(["admin", "--data", str(self.data), *args])
        out, err = self.capsys.readouterr()
        assert code == status, err or out
        return err if status else out

    def json(self, *args: str) -> Any:
        return json.loads(self("--json", *args))


@pytest.fixture
def beta(tmp_path: Path, make_service: ServiceFactory, capsys: pytest.CaptureFixture[str]) -> tuple[Admin, Service]:
    data = tmp_path / "beta"
    admin = Admin(data, capsys)
    (tmp_path / "policy.toml").write_text(POLICY_TOML)
    assert "Added company Beta" in admin("company", "add", "Beta", "--catch-all-name", "Beta inbox",
                                         "--catch-all-email", "inbox@beta.example", "--policy",
                                         str(tmp_path / "policy.toml"))
    return admin, make_service(data_dir=data, seed=False)


def test_keys_enrol_and_revoke(beta: tuple[Admin, Service]) -> None:
    admin, service = beta
    key = admin("key", "add", "Beta", "--label", "laptops").splitlines()[0]
    device = Api(service.url).enrol(key, "PC-1", "Bo", "bo@beta.example")
    assert device.api.get("/me").json()["company"] == "Beta"
    keys = admin.json("key", "list", "Beta")
    assert [(k["label"], k["revoked"]) for k in keys] == [("laptops", None)]
    assert key not in json.dumps(keys)
    admin("key", "revoke", str(keys[0]["id"]))
    refused = service.api().post("/enroll", json={"enrolment_key": key, "device_name": "PC-2"})
    assert refused.status_code == 401
    assert device.api.get("/me").status_code == 200  # enrolled devices keep working


def test_policy_contacts_announcements_reach_meta(beta: tuple[Admin, Service], tmp_path: Path) -> None:
    admin, service = beta
    key = admin("key", "add", "Beta", "--key", "beta-public").splitlines()[0]
    assert key == "beta-public"
    device = Api(service.url).enrol(key, "PC-1", "Pat", "pat@beta.example")
    meta = device.api.get("/meta").json()
    assert (meta["support_phone"], meta["escalation_fee"], meta["calendar"]["holiday_country"]) == \
        ("+1 555 0199", "$300", "DE")
    assert admin.json("policy", "show", "Beta")["calendar"]["timezone"] == "Europe/Berlin"

    admin("contact", "add", "Beta", "pat@beta.example", "--name", "Pat", "--phone", "+49 30 1234567")
    admin("contact", "set-primary", "Beta", "pat@beta.example")
    assert admin.json("contact", "list", "Beta") == [
        {"email": "pat@beta.example", "name": "Pat", "phone": "+49 30 1234567", "primary": True}]
    assert device.api.get("/me").json()["contact_on_file"]["phone"] == "+49 30 1234567"

    added = admin("announcement", "add", "Beta", "Mail is down", "--body", "We are on it", "--severity", "outage")
    announcement_id = added.split()[1]
    assert [a["title"] for a in device.api.get("/meta").json()["announcements"]] == ["Mail is down"]
    admin("announcement", "remove", announcement_id)
    assert device.api.get("/meta").json()["announcements"] == []

    (tmp_path / "bad.json").write_text('{"calendar": {"timezone": "Mars/Olympus"}}')
    assert "policy is not valid" in admin("policy", "set", "Beta", str(tmp_path / "bad.json"), status=2)
    (tmp_path / "broken.toml").write_text("support_phone = ")
    assert "broken.toml is not valid TOML" in admin("policy", "set", "Beta", str(tmp_path / "broken.toml"),
                                                    status=2)


def test_technicians_and_devices(beta: tuple[Admin, Service]) -> None:
    admin, service = beta
    admin("key", "add", "Beta", "--key", "beta-public")
    device = Api(service.url).enrol("beta-public", "PC-1", "Bo", "bo@beta.example")
    token = admin("technician", "add", "Dana").splitlines()[0]
    assert Api(service.url, token).get("/tech/tickets").status_code == 200
    assert [t["name"] for t in admin.json("technician", "list")] == ["Dana"]
    assert token not in admin("technician", "list")

    devices = admin.json("device", "list", "Beta")
    assert [(d["id"], d["device"], d["user"]) for d in devices] == [(device.device_id, "PC-1", "bo@beta.example")]
    admin("device", "revoke", device.device_id)
    assert device.api.get("/me").status_code == 401
    admin("technician", "revoke", "Dana")
    assert Api(service.url, token).get("/tech/tickets").status_code == 401


def test_ticket_actions_and_jobs(beta: tuple[Admin, Service]) -> None:
    admin, service = beta
    admin("key", "add", "Beta", "--key", "beta-public")
    device = Api(service.url).enrol("beta-public", "PC-1", "Bo", "bo@beta.example")
    ref = device.submit(make_draft("Bo", "bo@beta.example", escalation_requested=True))["reference"]
    forwarded(device, ref)

    assert "Waiting on client" in admin("ticket", "status", ref, "Waiting on client", "--by", "Dana")
    admin("ticket", "priority", ref, "4")
    admin("ticket", "assign", ref, "Dana")
    admin("ticket", "appointment", ref, "2099-01-05T09:00:00+00:00", "2099-01-05T10:00:00+00:00")
    admin("ticket", "note", ref, "Parts ordered")
    admin("ticket", "note", ref, "internal only", "--internal")
    detail = device.ticket(ref).json()
    assert (detail["status"]["name"], detail["assigned_priority"], detail["technician"]) == \
        ("Waiting on client", 4, "Dana")
    assert detail["appointment"]["start"] == "2099-01-05T09:00:00+00:00"
    assert [e["text"] for e in detail["timeline"] if e["kind"] == "note"] == ["Parts ordered"]
    assert [row["reference"] for row in admin.json("ticket", "list")] == [ref]
    assert admin.json("ticket", "show", ref)["reference"] == ref

    decision = admin.json("ticket", "escalation-decision", ref, "deny", "--reason", "Pat said no by phone")
    assert decision["state"] == "denied"
    assert [e["state"] for e in admin.json("escalation", "list")] == ["denied"]

    admin("ticket", "status", ref, "Pending Closure")
    assert admin("jobs", "run") == "Nothing to do.\n"
    assert admin("jobs", "run", "--now", "2099-01-01T12:00:00+00:00") == f"Closed: {ref}\n"
    assert device.ticket(ref).json()["status"]["name"] == "Completed"


def test_clear_errors(beta: tuple[Admin, Service], capsys: pytest.CaptureFixture[str]) -> None:
    admin, _ = beta
    assert "already exists" in admin("company", "add", "Beta", status=2)
    assert "No such ticket" in admin("ticket", "status", "INT-999999", "Completed", status=2)
    assert "No company named" in admin("key", "add", "Gamma", status=2)
    assert "must include a time zone offset" in admin("jobs", "run", "--now", "2099-01-01T12:00", status=2)
    assert "no problems" in admin("check", "connector")
    capsys.readouterr()
    assert main(["admin", "company", "list"]) == 2
    assert "--data DIR, --demo or --config" in capsys.readouterr().err
    typo = admin.data.parent / "typo"
    assert main(["admin", "--data", str(typo), "key", "list"]) == 2
    assert "There is no Intake service database" in capsys.readouterr().err
    assert not typo.exists()


def test_admin_demo_uses_the_demo_service_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "--demo", "--json", "company", "list"]) == 0
    assert [c["name"] for c in json.loads(capsys.readouterr().out)] == ["Demo company"]
    assert (tmp_path / "app" / "data" / "demo-service" / "intake.sqlite3").exists()
