"""Fixtures for the service tests: a real service on loopback, real SQLite files, real SMTP.

* ``make_service(**options)`` builds a :class:`ServiceRuntime` on files under tmp_path and
  starts uvicorn in a thread on a free port; ``service`` is one with a company "Acme"
  (enrolment key ``acme-key``, catch-all contact) and the local connector.
* ``spawn_serve(*args)`` runs ``intake-app serve --port 0 ...`` as a child process.
* ``smtp`` is an aiosmtpd server on 127.0.0.1 that keeps every message it receives.

The classes live in ``svc_service.py`` (test modules import them from there, never from conftest).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from svc_service import (
    ACME,
    ACME_KEY,
    KeepMessages,
    ServeProcess,
    Service,
    ServiceFactory,
    SmtpServer,
    free_port,
    intake_app,
    ready_line,
)

from intake_app.core.ticket import Contact
from intake_app.service.clock import Clock, ManualClock, system_clock
from intake_app.service.config import ServiceConfig, SmtpSettings
from intake_app.service.connectors.base import Connector, ConnectorKind
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import start_in_thread


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(KeepMessages(server), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand (code expiry, Pending Closure)."""
    return ManualClock()


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[ServiceFactory]:
    started: list[Service] = []

    def make(*, clock: Clock = system_clock, smtp: SmtpServer | None = None, demo: bool = False,
             wrap_connector: Callable[[Connector], Connector] | None = None, sync_interval: float = 0.5,
             data_dir: Path | None = None, workers: bool = True, seed: bool = True,
             connector: ConnectorKind = ConnectorKind.LOCAL, settings: dict[str, Any] | None = None) -> Service:
        data = data_dir or tmp_path / f"service-{len(started)}"
        config = ServiceConfig(data_dir=data, connector_kind=connector, connector_settings=settings or {}, demo=demo,
                               smtp=smtp.settings() if smtp else SmtpSettings(), sync_interval=sync_interval,
                               relay_retry_base=0.2, relay_retry_max=1.0)
        runtime = ServiceRuntime(config, clock=clock, wrap_connector=wrap_connector)
        if seed and runtime.companies.find_by_name(ACME) is None:
            company = runtime.companies.add(ACME, Contact("Acme helpdesk inbox", "inbox@acme.example", "",
                                                          ACME), {"escalation_fee": "$250"})
            runtime.companies.add_key(company, ACME_KEY, "test")
        service = Service(start_in_thread(runtime, workers=workers), data)
        started.append(service)
        return service

    yield make
    for service in started:
        service.server.stop()


@pytest.fixture
def service(make_service: ServiceFactory) -> Service:
    return make_service()


@pytest.fixture
def spawn_serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    processes: list[ServeProcess] = []

    def spawn(*args: str, env: dict[str, str] | None = None) -> ServeProcess:
        with open(tmp_path / f"serve-{len(processes)}.log", "w") as log:  # the child keeps its own handle
            process = subprocess.Popen(intake_app("serve", "--port", "0", *args), stdout=subprocess.PIPE,
                                       stderr=log, text=True, env={**os.environ, **(env or {})})
        line = ready_line(process)
        handle = ServeProcess(process, line.split("url=", 1)[1].strip())
        processes.append(handle)
        return handle

    yield spawn
    for handle in processes:
        handle.stop()
        if handle.process.stdout is not None:
            handle.process.stdout.close()
