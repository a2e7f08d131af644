"""``intake-app autostart on|off|status``: start the tray app at this user's login, or stop doing so.

Per user, no administrator rights. The admin file's ``[app] autostart`` does
the same for every user at app start-up (see ``docs/deployment.md``). Exit
status 1 when the result is not what was asked (an all-users entry the user
cannot remove, or Windows' Task Manager switched it off), so scripts notice.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from intake_app.platform import autostart


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("on", "off", "status"),
                        help="on: start at login; off: do not; status: show what is set up")
    parser.add_argument("--json", action="store_true", help="print the state as JSON (for deployment scripts)")


def entry_command(args: argparse.Namespace) -> list[str]:
    """The program to start at login, keeping an explicit ``--basedir`` / ``--config`` (portable installs)."""
    extra: list[str] = []
    if getattr(args, "basedir", None):
        extra += ["--basedir", str(Path(args.basedir).expanduser().resolve())]
    if getattr(args, "config_file", None):
        extra += ["--config", str(Path(args.config_file).expanduser().resolve())]
    return [*autostart.default_command(), *extra]


def admin_note(args: argparse.Namespace, action: str) -> str:
    """A warning when the admin file says the opposite: the app applies it again at its next start."""
    from intake_app.config.admin import load_admin_config
    from intake_app.errors import ConfigError
    from intake_app.paths import user_paths

    try:
        admin = load_admin_config(args.config_file, paths=user_paths(args.basedir))
    except ConfigError:
        return ""  # `intake-app config check` explains a broken file; autostart still works
    origin = admin.origins.get("app.autostart", "default")
    if origin == "default" or admin.autostart == (action == "on"):
        return ""
    wanted = "on" if admin.autostart else "off"
    return f"Note: the admin file ({origin}) turns starting at login {wanted}; the app does so again at its next start."


def run(name: str, args: argparse.Namespace) -> int:
    if args.action == "on":
        state = autostart.enable(entry_command(args))
        ok = state.enabled
    elif args.action == "off":
        state = autostart.disable()
        ok = not state.enabled
    else:
        state = autostart.current()
        ok = True
    note = admin_note(args, args.action) if args.action in ("on", "off") else ""
    if args.json:
        print(json.dumps({**asdict(state), "admin_note": note}, indent=2))
    else:
        print(state.describe() + (f"\n{note}" if note else ""))
    return 0 if ok else 1
