"""Fixtures for the shipping tests: per-test XDG folders, a fake registry, the built bundle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake_app.platform.autostart_linux import LinuxAutostart
from ship.winreg_fake import FakeWinreg

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Xdg:
    home: Path
    config_home: Path
    config_dirs: Path  # one system dir, like /etc/xdg

    @property
    def user_entry(self) -> Path:
        return self.config_home / "autostart" / "intake-app.desktop"

    @property
    def system_entry(self) -> Path:
        return self.config_dirs / "autostart" / "intake-app.desktop"

    def backend(self) -> LinuxAutostart:
        return LinuxAutostart(env=dict(os.environ), home=self.home)


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Xdg:
    """This test's own XDG config folders, in the environment (so CLI subprocesses see them too)."""
    facts = Xdg(home=tmp_path / "home", config_home=tmp_path / "xdg-home", config_dirs=tmp_path / "xdg-system")
    facts.home.mkdir()
    monkeypatch.setenv("HOME", str(facts.home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(facts.config_home))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(facts.config_dirs))
    return facts


@pytest.fixture
def winreg() -> FakeWinreg:
    return FakeWinreg()


def desktop_file_validate(path: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (Debian package desktop-file-utils)")
    return subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=30)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m intake_app ARGS`` in a subprocess with the test's environment."""
    return subprocess.run([sys.executable, "-m", "intake_app", *args], capture_output=True, text=True,
                          env=env or dict(os.environ), cwd=ROOT, timeout=timeout)
