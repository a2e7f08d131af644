"""Admin-defined probes: files, commands, registry values; each isolated, scrubbed, bounded."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from intake_app.diagnostics.settings import BUILTIN_PROBES, ExtraProbe, ProbeSettings
from intake_app.diagnostics.snapshot import collect_snapshot

PY = sys.executable


def run_extras(*extras: ExtraProbe) -> dict[str, Any]:
    settings = ProbeSettings(enabled={name: False for name in BUILTIN_PROBES}, extra=extras)
    return {k.split(":", 1)[1]: v for k, v in collect_snapshot(settings).document["probes"].items()}


@pytest.mark.timeout(30)
def test_each_kind_and_each_failure(tmp_path: Path) -> None:
    agent = tmp_path / "agent.conf"
    agent.write_text("DeviceId=987-654-321\nApiToken=abcdefghijk\n")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    big = tmp_path / "big.log"
    with big.open("wb") as fh:
        fh.truncate(1024 * 1024)
    results = run_extras(
        ExtraProbe("agent", "file", path=str(agent)),
        ExtraProbe("missing", "file", path=str(tmp_path / "nope")),
        ExtraProbe("fifo", "file", path=str(fifo)),
        ExtraProbe("folder", "file", path=str(tmp_path)),
        ExtraProbe("big", "file", path=str(big)),
        ExtraProbe("cmd", "command", command=(PY, "-c", "print('id 42 --password hunter2')")),
        ExtraProbe("slow", "command", command=(PY, "-c", "import time; time.sleep(10)"), timeout_seconds=0.5),
        ExtraProbe("fails", "command", command=(PY, "-c", "import sys; sys.exit('agent not running')")),
        ExtraProbe("absent", "command", command=("/nonexistent/agent-cli", "--id")),
        ExtraProbe("empty", "command"),
        ExtraProbe("teamviewer", "registry", key=r"HKLM\SOFTWARE\TeamViewer\ClientID"),
        ExtraProbe("odd", "ftp"),  # type: ignore[arg-type]
    )
    assert results["agent"] == {"kind": "file", "value": "DeviceId=987-654-321\nApiToken=[redacted]"}
    assert results["missing"] == {"unavailable": "not found"}
    assert results["fifo"] == {"unavailable": "not a regular file"}
    assert results["folder"] == {"unavailable": "is a folder"}
    assert results["big"] == {"unavailable": "file is larger than 64 KiB"}
    assert results["cmd"] == {"kind": "command", "value": "id 42 --password [redacted]"}
    assert results["slow"] == {"unavailable": f"{PY} timed out after 0.5 s"}
    assert results["fails"] == {"unavailable": f"{PY} exited with status 1: agent not running"}
    assert results["absent"] == {"unavailable": "/nonexistent/agent-cli not found"}
    assert results["empty"] == {"unavailable": "no command configured"}
    if not sys.platform.startswith("win"):
        assert results["teamviewer"] == {"unavailable": "not Windows"}
    assert results["odd"]["unavailable"].startswith("unknown probe kind 'ftp'")


def test_long_output_is_cut(tmp_path: Path) -> None:
    result = run_extras(ExtraProbe("chatty", "command", command=(PY, "-c", "print('x' * 10000)")))["chatty"]
    assert len(result["value"]) < 4100 and result["value"].endswith("[…]")


def test_unreadable_file(shared_dir: Path, as_other_user: Any) -> None:
    secret = shared_dir / "agent.id"
    secret.write_text("1234")
    secret.chmod(0o600)
    result = as_other_user(lambda: run_extras(ExtraProbe("agent", "file", path=str(secret))))
    assert result["agent"] == {"unavailable": "permission denied"}
