"""``intake-app config check [--json]``: the effective configuration and what is wrong with it.

For the MSP's admin at a customer's computer: which intake.toml is used (and
which were passed over), every effective value with where it came from, the
user's folders, where the device token lives, and one list of problems.
Secrets are never printed: the enrolment key is masked, the token only
reported as stored or not. A broken admin file stops here with the one
:class:`ConfigError` message (exit status 2, printed by ``cli.main``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from typing import Any

from intake_app import paths as app_paths
from intake_app.config.admin import AdminConfig, admin_file_candidates, load_admin_config
from intake_app.config.check import ERROR, CheckReport, run_checks, running_hotkey
from intake_app.config.probes import ExtraProbe
from intake_app.logsetup import mask, setup_logging

_SECRET_KEYS = {"service.enrolment_key"}


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_action", metavar="action", required=True)
    check = actions.add_parser("check", help="show each effective value, where it came from, and any problems",
                               description="Show each effective value, where it came from, and any problems. "
                                           "Exit status 0: fine (warnings allowed); 1: problems; "
                                           "2: the admin file cannot be read.")
    check.add_argument("--json", action="store_true", help="print the report as JSON")


def run(name: str, args: argparse.Namespace) -> int:
    paths = app_paths.user_paths(args.basedir)
    with contextlib.suppress(OSError):  # an unwritable log folder is one of the problems reported below
        setup_logging(paths)  # the loader's warnings go to the log file, not twice to the terminal
    cli_path = args.config_file
    admin = load_admin_config(cli_path, paths=paths)
    report = run_checks(admin, paths, admin_file_candidates(cli_path, paths=paths))
    if args.json:
        print(json.dumps(report_dict(report), indent=2, ensure_ascii=False))
    else:
        print(render_text(report))
    return 0 if report.ok else 1


def shown_value(key: str, value: Any) -> Any:
    """A value as the report shows it (secrets masked, extra probes by name and kind)."""
    if key in _SECRET_KEYS:
        return mask(value) if value else None
    if key == "probes.extra":
        return [f"{probe.name} ({probe.kind})" for probe in value if isinstance(probe, ExtraProbe)]
    return value


def report_dict(report: CheckReport) -> dict[str, Any]:
    admin, paths = report.admin, report.paths
    return {
        "ok": report.ok,
        "admin_file": str(admin.path) if admin.path else None,
        "demo_mode": admin.is_demo,
        "lookup": [{"source": c.source, "path": str(c.path) if c.path else None} for c in report.candidates],
        "values": {key: {"value": shown_value(key, value), "origin": admin.origins.get(key, "default")}
                   for key, value in admin.values().items()},
        "paths": _paths(paths),
        "keyring": {"backend": report.keyring.backend, "fallback_file": report.keyring.fallback_file,
                    "token_stored": report.keyring.token_stored},
        "running_app": running_hotkey(paths),
        "problems": [{"level": f.level, "message": f.message} for f in report.findings],
    }


def _paths(paths: app_paths.AppPaths) -> dict[str, str]:
    return {"config": str(paths.config), "data": str(paths.data), "cache": str(paths.cache),
            "log": str(paths.log), "log_file": str(paths.log_file), "profile": str(paths.profile_file)}


def _text(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return str(value) if value != "" else '""'


def render_text(report: CheckReport) -> str:
    admin = report.admin
    lines = ["Admin file: " + (str(admin.path) if admin.path else "none: demo mode"), "  looked in, in order:"]
    for number, candidate in enumerate(report.candidates, start=1):
        lines.append(f"    {number}. {candidate.source}: {candidate.path or '(not given)'}")
    lines += ["", "Effective values:"]
    values = {key: _text(shown_value(key, value)) for key, value in admin.values().items()}
    width = max(len(key) for key in values)
    for key, text in values.items():
        lines.append(f"  {key:<{width}}  {text}   [{_origin(admin, key)}]")
    lines += ["", "User paths:"]
    lines += [f"  {what:<8}  {where}" for what, where in _paths(report.paths).items()]
    stored = {True: "stored", False: "not stored (not enrolled yet)", None: "unknown"}[report.keyring.token_stored]
    lines += ["", f"Device token: {stored}; kept in: {report.keyring.backend}"]
    running = running_hotkey(report.paths)
    if running is None:
        lines.append("Running app: not running")
    else:
        state = "active" if running.get("active") else "off"
        lines.append(f"Running app: pid {running['pid']}; hotkey {running.get('hotkey') or '(none)'} {state}")
    lines += ["", "Problems:" if report.findings else "Problems: none"]
    lines += [f"  {f.level.upper()}: {f.message}" for f in report.findings]
    errors = sum(f.level == ERROR for f in report.findings)
    lines += ["", "Result: " + ("OK" if report.ok else f"{errors} problem(s) to fix")]
    return "\n".join(lines)


def _origin(admin: AdminConfig, key: str) -> str:
    """Short form for the text report: the admin file is named once, at the top."""
    origin = admin.origins.get(key, "default")
    prefix = f"{admin.path}: "
    return "admin file " + origin[len(prefix):] if admin.path and origin.startswith(prefix) else origin
