"""``intake-app diagnostics [--json]`` as a user runs it: a real process, real probes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from intake_app.diagnostics.settings import BUILTIN_PROBES


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_CONFIG"}
    return subprocess.run([sys.executable, "-m", "intake_app", *args], capture_output=True, text=True,
                          timeout=60, env=env)


@pytest.mark.timeout(60)
def test_json_snapshot_without_an_admin_file() -> None:
    result = run("diagnostics", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "intake.snapshot/1" and doc["disabled"] == ["public_ip"]
    assert set(doc["probes"]) == set(BUILTIN_PROBES) - {"public_ip"}


@pytest.mark.timeout(60)
def test_text_snapshot_with_probe_settings_from_the_admin_file(tmp_path: Path) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text('[service]\nurl = "https://intake.example.com"\n\n[probes]\nprocesses = false\n\n'
                     '[[probes.extra]]\nname = "agent"\nkind = "command"\n'
                     f'command = [{json.dumps(sys.executable)}, "-c", "print(\'agent id 42\')"]\n')
    result = run("--config", str(admin), "diagnostics")
    assert result.returncode == 0, result.stderr
    assert "Computer name:" in result.stdout and "Extra: agent: agent id 42" in result.stdout
    assert "Top processes" not in result.stdout and "Switched off: public_ip, processes" in result.stdout


def test_a_bad_admin_file_stops_with_its_message(tmp_path: Path) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text('[service]\nurl = "https://intake.example.com"\n[probes]\nprocesses = "maybe"\n')
    result = run("--config", str(admin), "diagnostics", "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "[probes] processes: expected true or false" in result.stderr
