"""``intake-app serve --demo`` as the desktop client's demo mode starts it: ready line and file, demo data
made idempotently, automatic verification."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from svc_helpers import forwarded, make_draft
from svc_service import ServeProcess

from intake_app.service.config import load_config
from intake_app.service.runtime import ServiceRuntime


@pytest.mark.slow
def test_demo_service_for_the_client(tmp_path: Path, spawn_serve: Callable[..., ServeProcess]) -> None:
    data, ready = tmp_path / "demo-data", tmp_path / "run" / "service.url"
    service = spawn_serve("--demo", "--data", str(data), "--ready-file", str(ready))
    assert ready.read_text() == service.url

    ann = service.api().enrol("demo", "PC-DEMO", "Dee Demo", "dee@example.com")
    meta = ann.api.get("/meta").json()
    assert (meta["company"], meta["demo"], meta["connector"]) == ("Demo company", True, "local")
    assert [t["priority"] for t in meta["response_targets"]] == [1, 2, 3, 4]
    assert ann.api.post("/verify/start", json={"email": "dee@example.com"}).json() == {"verified": True}
    assert ann.api.get("/me").json()["user"]["role"] == "primary_contact"  # first demo user
    ref = ann.submit(make_draft("Dee Demo", "dee@example.com"))["reference"]
    assert forwarded(ann, ref)["respond_by"] is not None

    assert service.stop() == 0
    assert not ready.exists()
    again = spawn_serve("--demo", "--data", str(data))
    ann.api.base = f"{again.url}/api/v1"
    assert ann.ticket(ref).status_code == 200
    assert again.stop() == 0
    runtime = ServiceRuntime(load_config(None, data_dir=data, demo=True))
    try:
        assert [c.name for c in runtime.companies.list()] == ["Demo company"]
        assert len(runtime.companies.keys()) == 1
    finally:
        runtime.close()
