"""Fixtures for the connector tests: a real Request Tracker 5, and its technician's side.

``rt_env`` (session): RT_URL/RT_TOKEN from the environment when ``.ci/run`` already
started RT; otherwise, as root on Debian, ``scripts/rt.sh start`` installs (about
30–60 s the first time) and starts it; anywhere else the RT tests are skipped with
the reason. ``rt_tech`` is what a technician does in RT itself: REST2 calls with
the service account's token, never through Intake.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector_kit import CW_SECRETS, make_context
from helpers.rt_server import rt_from_environment, start_rt, stop_rt
from rt_kit import RtTechnician
from intake_app.service.connectors import rt



@pytest.fixture(scope="session")
def rt_env() -> Iterator[dict[str, str]]:
    started_here = rt_from_environment() is None
    yield start_rt()
    if started_here:  # leave no RT server behind the test run (CI ends with nothing running)
        stop_rt()


@pytest.fixture
def rt_tech(rt_env: dict[str, str]) -> Iterator[RtTechnician]:
    tech = RtTechnician(rt_env["RT_URL"], rt_env["RT_TOKEN"])
    yield tech
    tech.close()


@pytest.fixture
def rt_settings(rt_env: dict[str, str]) -> dict[str, Any]:
    return {"url": rt_env["RT_URL"], "queue": rt_env.get("RT_QUEUE", "Intake"), "token_env": "TEST_RT_TOKEN"}


@pytest.fixture
def rt_connector(rt_env: dict[str, str], rt_settings: dict[str, Any], tmp_path: Path) -> Iterator[rt.RtConnector]:
    connector = rt.create(rt_settings, make_context(tmp_path, {"token": rt_env["RT_TOKEN"]}))
    yield connector
    connector.close_connections()


# ---------------------------------------------------------------------------------- ConnectWise (fake)

@pytest.fixture
def fake_cw() -> Iterator[Any]:
    from fake_connectwise import FakeConnectWise

    fake = FakeConnectWise().start()
    yield fake
    fake.stop()


@pytest.fixture
def cw_settings(fake_cw: Any) -> dict[str, Any]:
    return {"url": fake_cw.url, "company_id": "mymsp", "public_key_env": "X", "private_key_env": "Y",
            "board": "Help Desk", "custom_fields": {"availability": 12, "requested_priority": 13,
                                                    "contact_method": 14},
            "companies": {"Example Co": "ExampleCo"}}


@pytest.fixture
def cw_waits() -> list[float]:
    """The waits the connector's HTTP client asked for (recorded, not slept)."""
    return []


@pytest.fixture
def cw_connector(cw_settings: dict[str, Any], cw_waits: list[float], tmp_path: Path) -> Iterator[Any]:
    from intake_app.service.connectors import connectwise

    connector = connectwise.create(cw_settings, make_context(tmp_path, CW_SECRETS))
    connector.api.http.sleep = cw_waits.append
    yield connector
    connector.close_connections()
