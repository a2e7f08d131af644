"""Test isolation shared by every suite (STYLE habit 14).

* every test gets its own base dir (config, data, logs, outbox) under tmp_path;
* every test gets a fresh in-memory keyring installed through keyring's own API;
* with no X display at all, Qt falls back to offscreen instead of aborting the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from helpers.memkeyring import MemoryKeyring


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # after pytest-xvfb: with no display, offscreen instead of a fatal abort in QApplication
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_basedir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """All app state for this test lives below tmp_path/app (never the real profile)."""
    base = tmp_path / "app"
    monkeypatch.setenv("INTAKE_BASEDIR", str(base))
    # the admin-file lookup must not find a real system-wide or user file
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg-system"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-home"))
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    return base


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A fresh in-memory keyring; nothing touches D-Bus or ~/.local."""
    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)
