"""A real Request Tracker 5 for the tests that need one (connectors, hardening).

RT_URL/RT_TOKEN from the environment when ``.ci/run`` or a developer already runs RT;
otherwise, as root on Debian, ``scripts/rt.sh start`` installs (30–60 s the first time)
and starts it; anywhere else the RT tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RT_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rt.sh"


def rt_from_environment() -> dict[str, str] | None:
    if os.environ.get("RT_URL") and os.environ.get("RT_TOKEN"):
        return {k: v for k, v in os.environ.items() if k.startswith("RT_")}
    return None


def start_rt() -> dict[str, str]:
    """RT's connection settings, starting RT with ``scripts/rt.sh`` when none are given."""
    given = rt_from_environment()
    if given is not None:
        return given
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


def stop_rt() -> None:
    """Stop the RT that :func:`start_rt` started (CI must end with nothing running)."""
    subprocess.run(["bash", str(RT_SCRIPT), "stop"], capture_output=True, text=True, timeout=120)
