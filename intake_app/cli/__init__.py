"""Command line entry point: ``intake-app [global options] [command] ...``.

Each command lives in a small module under ``intake_app.cli`` and is imported
only when it runs, so ``intake-app --version`` or starting the tray does not pay
for FastAPI, SQLAlchemy or requests. A command module exposes::

    def add_arguments(name: str, parser: argparse.ArgumentParser) -> None
    def run(name: str, args: argparse.Namespace) -> int

User errors (:class:`CliError`, or any :class:`intake_app.errors.IntakeError`)
become one clear sentence on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from intake_app import APP_ID, __version__
from intake_app.errors import IntakeError

# command -> (module, one-line help). The module is imported only when its command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("intake_app.cli.gui_cmd", "open the Report-a-problem window (starts the tray app if needed)"),
    "tickets-window": ("intake_app.cli.gui_cmd", "open the My tickets window (starts the tray app if needed)"),
    "serve": ("intake_app.cli.serve_cmd", "run the Intake service (FastAPI) that relays to the helpdesk"),
    "admin": ("intake_app.cli.admin_cmd", "administer the Intake service: companies, keys, policy, technician actions"),
    "config": ("intake_app.cli.config_cmd", "show the effective configuration and where each value came from"),
    "diagnostics": ("intake_app.cli.diagnostics_cmd", "print this computer's system information snapshot"),
    "enroll": ("intake_app.cli.client_cmd", "enrol this device with an Intake service"),
    "verify": ("intake_app.cli.client_cmd", "verify your e-mail address with a one-time code"),
    "submit": ("intake_app.cli.client_cmd", "submit a ticket (goes through the durable outbox)"),
    "tickets": ("intake_app.cli.client_cmd", "list your tickets"),
    "show": ("intake_app.cli.client_cmd", "show one ticket with its timeline"),
    "reply": ("intake_app.cli.client_cmd", "reply on a ticket"),
    "update": ("intake_app.cli.client_cmd", "update availability or contact details on an open ticket"),
    "escalate": ("intake_app.cli.client_cmd", "request a paid escalation of an open P3 ticket"),
    "approve": ("intake_app.cli.client_cmd", "approve a pending escalation (primary IT contact)"),
    "deny": ("intake_app.cli.client_cmd", "deny a pending escalation (primary IT contact)"),
    "close": ("intake_app.cli.client_cmd", "mark a ticket fixed (\"fixed, close it\")"),
    "reopen": ("intake_app.cli.client_cmd", "reopen a ticket (\"still broken\" / \"not fixed\")"),
    "outbox": ("intake_app.cli.client_cmd", "list what is queued on this computer and why"),
    "autostart": ("intake_app.cli.autostart_cmd", "turn starting at login on or off"),
}


class CliError(IntakeError):
    """A problem the user can fix; printed as one sentence."""


def build_parser(selected: str | None = None, *, commands: bool = True) -> argparse.ArgumentParser:
    """The full parser; only ``selected``'s module is imported to add its arguments.

    ``commands=False``: the global options only (the tray start at login does not need the
    twenty sub-parsers, which take ~10 ms to build).
    """
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description="Intake: report a problem to your IT helpdesk and follow your tickets. "
        "Without a command, starts the tray app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_ID} {__version__}")
    parser.add_argument("--basedir", help="keep all config, data and logs below this folder (tests, portable use)")
    parser.add_argument("--config", dest="config_file", metavar="FILE", help="admin file intake.toml to use")
    parser.add_argument("--demo", action="store_true", help="run against a local demo service on this computer")
    parser.add_argument("--no-dialogs", action="store_true", help="never show modal dialogs (tests, smoke runs)")
    if not commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="command")
    for name, (module_name, help_text) in COMMANDS.items():
        cmd_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            module = importlib.import_module(module_name)
            module.add_arguments(name, cmd_parser)
    return parser


def _selected_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in COMMANDS:
            return arg
    return None


_TRAY_VALUES = {"--basedir": "basedir", "--config": "config_file"}
_TRAY_FLAGS = {"--demo": "demo", "--no-dialogs": "no_dialogs"}


def _tray_args(argv: list[str]) -> argparse.Namespace | None:
    """``intake-app [global options]`` (the tray) read without argparse; None when the full parser must judge.

    Only the exact spellings of the four global options are taken, each value as one argument that is
    not an option; anything else (help, version, a command, an abbreviation, a missing value) goes to
    the full parser, so every message and the help stay its own. Building even the small parser costs
    ~3 ms at every login (argparse looks up its translations), before the tray icon.
    """
    values: dict[str, object] = {"basedir": None, "config_file": None, "demo": False, "no_dialogs": False,
                                 "command": None}
    position = 0
    while position < len(argv):
        arg = argv[position]
        name, equals, value = arg.partition("=")
        if equals and name in _TRAY_VALUES:
            values[_TRAY_VALUES[name]] = value
        elif arg in _TRAY_VALUES:
            position += 1
            if position == len(argv) or argv[position].startswith("-"):
                return None
            values[_TRAY_VALUES[arg]] = argv[position]
        elif arg in _TRAY_FLAGS:
            values[_TRAY_FLAGS[arg]] = True
        else:
            return None
        position += 1
    return argparse.Namespace(**values)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run one command; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = _selected_command(argv)
    args = _tray_args(argv) if selected is None else None
    if args is None:
        args = build_parser(selected).parse_args(argv)
    try:
        if args.command is None:
            from intake_app.cli import gui_cmd

            return gui_cmd.run("tray", args)
        module = importlib.import_module(COMMANDS[args.command][0])
        return int(module.run(args.command, args) or 0)
    except IntakeError as exc:
        print(f"{APP_ID}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
