"""Twenty clients at once: every ticket accepted once, forwarded once, no database errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from svc_helpers import Device, forwarded, make_draft, two_attachments
from svc_service import Service

from intake_app.service.db import schema as s

CLIENTS = 20


def test_twenty_concurrent_clients(service: Service) -> None:
    def one_client(i: int) -> tuple[Device, str]:
        device = service.enrol(f"User {i}", f"user{i}@acme.example", f"PC-{i}")
        attachments = two_attachments()
        ref = device.submit(make_draft(f"User {i}", f"user{i}@acme.example", attachments=attachments),
                            attachments)["reference"]
        for _ in range(3):
            assert device.api.get("/tickets").status_code == 200
            assert device.api.get("/meta").status_code == 200
        return device, ref

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(one_client, range(CLIENTS)))

    assert len({ref for _, ref in results}) == CLIENTS
    for device, ref in results:
        forwarded(device, ref)
        assert [t["reference"] for t in device.api.get("/tickets").json()["tickets"]] == [ref]
    with service.runtime.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(s.local_tickets)).scalar_one() == CLIENTS
        assert conn.execute(select(func.count()).select_from(s.local_attachments)).scalar_one() == 2 * CLIENTS
