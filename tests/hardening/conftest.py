"""Fixtures for the hardening tests (faults, bad input, security, fuzzing).

* ``zygote`` (session): the pre-imported parent that forks ``intake-app serve`` (see ``hard_zygote.py``);
* ``service``: a real service in a thread of this process (uvicorn on loopback, real SQLite under
  tmp_path, the local connector) with company ``Hardening Ltd`` and its enrolment key;
* ``cli_env``: the environment for ``intake-app`` subprocesses (this test's base dir, a file keyring);
* ``rt_env`` (session): a real Request Tracker 5, as in tests/connectors (RT_URL/RT_TOKEN, else
  ``scripts/rt.sh start`` as root on Debian, else skipped with the reason).

Helpers live in ``hard_kit.py`` (plain module; tests import it, never this file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.rt_server import rt_from_environment, start_rt, stop_rt
from hard_kit import COMPANY, KEY, ServiceFactory, Zygote, child_env

from intake_app.core.ticket import Contact
from intake_app.service.config import ServiceConfig
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import RunningServer, start_in_thread



@pytest.fixture(scope="session")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    parent = Zygote(child_env(tmp_path_factory.mktemp("zygote")))
    yield parent
    parent.close()


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[ServiceFactory]:
    """``make(**config_changes)``: a service in a thread on loopback, seeded with the company and its key."""
    started: list[RunningServer] = []

    def make(data_dir: Path | None = None, workers: bool = True, **changes: Any) -> RunningServer:
        config = ServiceConfig(data_dir=data_dir or tmp_path / f"service-{len(started)}", sync_interval=0.5,
                               relay_retry_base=0.2, relay_retry_max=1.0).with_changes(**changes)
        runtime = ServiceRuntime(config)
        if runtime.companies.find_by_name(COMPANY) is None:
            company = runtime.companies.add(COMPANY, Contact("Front desk", "desk@hardening.example", "", COMPANY),
                                            {"escalation_fee": "$250", "support_phone": "+1 713 782 4357"})
            runtime.companies.add_key(company, KEY, "hardening")
        server = start_in_thread(runtime, workers=workers)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def service(make_service: ServiceFactory) -> RunningServer:
    return make_service()


@pytest.fixture
def cli_env(isolated_basedir: Path, tmp_path: Path) -> dict[str, str]:
    return child_env(isolated_basedir, PYTHON_KEYRING_BACKEND="helpers.memkeyring.FileKeyring",
                     TEST_KEYRING_FILE=str(tmp_path / "keyring.json"))


@pytest.fixture(scope="session")
def rt_env() -> Iterator[dict[str, str]]:
    """A real RT 5 (see tests/helpers/rt_server.py), stopped at the end when this run started it."""
    started_here = rt_from_environment() is None
    yield start_rt()
    if started_here:
        stop_rt()
