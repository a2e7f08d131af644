"""`intake-app --version`, `--help`, `python -m intake_app`, and start-up cost of the dispatcher."""

from __future__ import annotations

import subprocess
import sys

from intake_app import __version__
from intake_app.cli import COMMANDS, build_parser


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "intake_app", *args], capture_output=True, text=True, timeout=60)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"intake-app {__version__}"


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_version_imports_nothing_heavy() -> None:
    code = (
        "import sys\nfrom intake_app.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('PySide6', 'fastapi', 'sqlalchemy', 'requests', 'psutil', 'mss') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_parser_builds_without_importing_command_modules() -> None:
    before = set(sys.modules)
    build_parser(None)
    assert not {m for m in set(sys.modules) - before if m.startswith("intake_app.cli.")}
