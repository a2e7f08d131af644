"""The cheap tray start: ``intake-app [global options]`` is parsed without the command sub-parsers.

``_tray_args`` answers only for a plain tray start; anything else (help, version, an unknown option, a
command, an abbreviated option) goes to the full parser, so messages and help are the full parser's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from intake_app import __version__
from intake_app.cli import COMMANDS, _tray_args, build_parser, main
from intake_app.cli.gui_cmd import NO_DISPLAY_EXIT

TRAY = {"basedir": None, "config_file": None, "demo": False, "no_dialogs": False, "command": None}


@pytest.mark.parametrize(("argv", "expected"), [
    ([], {}),
    (["--demo"], {"demo": True}),
    (["--basedir", "/tmp/x", "--no-dialogs"], {"basedir": "/tmp/x", "no_dialogs": True}),
    (["--basedir=/tmp/x"], {"basedir": "/tmp/x"}),
    (["--config", "/etc/intake/intake.toml"], {"config_file": "/etc/intake/intake.toml"}),
    (["--config=F", "--demo", "--no-dialogs", "--basedir", "B"],
     {"config_file": "F", "demo": True, "no_dialogs": True, "basedir": "B"}),
], ids=["plain", "demo", "basedir-no-dialogs", "basedir=", "config", "all"])
def test_a_plain_tray_start_is_parsed_cheaply(argv: list[str], expected: dict[str, object]) -> None:
    args = _tray_args(argv)
    assert isinstance(args, argparse.Namespace)
    assert vars(args) == {**TRAY, **expected}
    assert vars(args) == vars(build_parser().parse_args(argv))  # exactly what the full parser says


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h"], ["--demo", "--help"], ["--version"], ["--basedir", "B", "--version"],
    ["--frobnicate"], ["--demo", "--frobnicate"], ["-x"], ["stray"],
    ["report"], ["config", "check"], ["--demo", "tickets-window"],
    ["--he"], ["--vers"], ["--dem"],  # abbreviations: the full parser judges them
], ids=lambda argv: " ".join(argv))
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert _tray_args(argv) is None


def test_the_global_options_parser_has_no_commands() -> None:
    parser = build_parser(commands=False)
    assert vars(parser.parse_args([])) == TRAY
    assert not any(isinstance(action, argparse._SubParsersAction) for action in parser._actions)
    args, rest = parser.parse_known_args(["config", "check"])
    assert rest == ["config", "check"] and args.command is None


def test_building_it_imports_no_command_module() -> None:
    before = set(sys.modules)
    build_parser(commands=False)
    _tray_args(["--demo"])
    assert not {m for m in set(sys.modules) - before if m.startswith("intake_app.cli.")}


def test_unknown_option_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--demo", "--frobnicate"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "intake-app: error: unrecognized arguments: --frobnicate" in err
    assert "command ..." in err  # the full parser's usage line, which lists that commands exist


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_missing_option_value_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--basedir"])
    assert exit_info.value.code == 2
    assert "argument --basedir: expected one argument" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--he"], ["--demo", "--help"]],
                         ids=lambda argv: " ".join(argv))
def test_help_is_the_full_help_with_every_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


@pytest.mark.parametrize("argv", [["--version"], ["--vers"], ["--demo", "--version"]],
                         ids=lambda argv: " ".join(argv))
def test_version(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"intake-app {__version__}"


@pytest.mark.parametrize("argv", [[], ["--no-dialogs"], ["--dem", "--no-dialogs"]],
                         ids=lambda argv: " ".join(argv) or "plain")
def test_main_starts_the_tray_path(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """With no display at all the tray start stops at gui_cmd's check: proof that the tray path was taken."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--basedir", str(tmp_path / "b"), *argv]) == NO_DISPLAY_EXIT
    err = capsys.readouterr().err
    assert err.startswith("intake-app: cannot open a window because there is no graphical display")
