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

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hard_kit import COMPANY, KEY, REPO, ServiceFactory, Zygote, child_env

from intake_app.core.ticket import Contact
from intake_app.service.config import ServiceConfig
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import RunningServer, start_in_thread

RT_SCRIPT = REPO / "scripts" / "rt.sh"


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
def rt_env() -> dict[str, str]:
    if os.environ.get("RT_URL") and os.environ.get("RT_TOKEN"):
        return {k: v for k, v in os.environ.items() if k.startswith("RT_")}
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("Request Tracker tests need root on Debian to install RT (or RT_URL and RT_TOKEN set)")
    if not Path("/etc/debian_version").exists() or shutil.which("apt-get") is None:
        pytest.skip("Request Tracker tests install RT from Debian packages; this is not Debian "
                    "(set RT_URL and RT_TOKEN to use an existing RT 5)")
    done = subprocess.run(["bash", str(RT_SCRIPT), "start"], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"scripts/rt.sh start failed:\n{done.stderr[-3000:]}")
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if not env.get("RT_URL") or not env.get("RT_TOKEN"):
        pytest.fail(f"scripts/rt.sh start printed no RT_URL/RT_TOKEN:\n{done.stdout[-500:]}")
    return env
