"""``intake-app diagnostics [--json]``: print this computer's system information snapshot.

What the report window attaches to a ticket, for the admin or a technician at the
customer's computer. Probe selection comes from the admin file (``[probes]``) when
there is one; without one every built-in probe but the public IP runs. Must finish
in well under a second: probes run side by side, with short timeouts.
"""

from __future__ import annotations

import argparse
from typing import Any

from intake_app import paths as app_paths


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print the versioned JSON document (schema intake.snapshot/1) instead of text")


def probe_settings(args: argparse.Namespace) -> Any:
    """The admin file's ``[probes]`` (a ConfigError there stops the command with its message)."""
    from intake_app.config.admin import load_admin_config  # noqa: PLC0415 - only this command pays for it

    admin = load_admin_config(getattr(args, "config_file", None),
                              paths=app_paths.user_paths(getattr(args, "basedir", None)))
    return admin.probes


def run(name: str, args: argparse.Namespace) -> int:
    from intake_app.diagnostics.snapshot import collect_snapshot  # noqa: PLC0415

    snapshot = collect_snapshot(probe_settings(args))
    if args.json:
        print(snapshot.to_json())
    else:
        print(snapshot.text, end="")
    return 0
