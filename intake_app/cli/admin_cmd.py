"""``intake-app admin``: administer the Intake service directly on its database.

Runs the same service-layer code as the API (``ServiceRuntime`` without its
workers), so a change made here is exactly what the API would have made; the
running service sees it at once (cache rows are refreshed here too).

    intake-app admin [--data DIR | --demo | --config service.toml] [--json] GROUP ACTION ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", metavar="DIR", type=Path, help="the service's data folder")
    where.add_argument("--demo", dest="admin_demo", action="store_true",
                       help="the demo service's data folder in the user data dir")
    where.add_argument("--config", dest="service_config", metavar="FILE", type=Path, help="service.toml")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print results as JSON")
    groups = parser.add_subparsers(dest="group", metavar="group", required=True)

    company = _group(groups, "company", "companies")
    p = company.add_parser("add", help="add a company")
    p.add_argument("name")
    p.add_argument("--catch-all-name", default="", help="contact used for unknown users")
    p.add_argument("--catch-all-email", default="")
    p.add_argument("--catch-all-phone", default="")
    p.add_argument("--policy", type=Path, metavar="FILE", help="policy file (.toml or .json)")
    company.add_parser("list", help="list companies")
    p = company.add_parser("catch-all", help="set the catch-all contact for unknown users")
    p.add_argument("company")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--phone", default="")

    key = _group(groups, "key", "enrolment keys (public: they only say which company a device belongs to)")
    p = key.add_parser("add", help="add an enrolment key (printed once)")
    p.add_argument("company")
    p.add_argument("--key", help="use this key instead of a random one")
    p.add_argument("--label", default="")
    p = key.add_parser("list", help="list enrolment keys (the keys themselves are stored hashed)")
    p.add_argument("company", nargs="?")
    p = key.add_parser("revoke", help="revoke an enrolment key by id")
    p.add_argument("id", type=_record_id)

    policy = _group(groups, "policy", "per-company policy served by /api/v1/meta")
    p = policy.add_parser("set", help="set the policy from a TOML or JSON file")
    p.add_argument("company")
    p.add_argument("file", type=Path)
    p = policy.add_parser("show", help="show the effective policy")
    p.add_argument("company")

    contact = _group(groups, "contact", "contacts (local store; primary IT contact)")
    p = contact.add_parser("add", help="add a contact")
    p.add_argument("company")
    p.add_argument("email")
    p.add_argument("--name", default="")
    p.add_argument("--phone", default="")
    p.add_argument("--primary", action="store_true", help="make this the company's primary IT contact")
    p = contact.add_parser("set-primary", help="make a contact the company's primary IT contact")
    p.add_argument("company")
    p.add_argument("email")
    p = contact.add_parser("list", help="list contacts")
    p.add_argument("company")

    tech = _group(groups, "technician", "technicians (API tokens for /tech endpoints)")
    p = tech.add_parser("add", help="add a technician; prints their token once")
    p.add_argument("name")
    tech.add_parser("list", help="list technicians")
    p = tech.add_parser("revoke", help="revoke a technician's token")
    p.add_argument("name")

    device = _group(groups, "device", "enrolled devices")
    p = device.add_parser("list", help="list devices")
    p.add_argument("company", nargs="?")
    p = device.add_parser("revoke", help="revoke a device (its token stops working: 401)")
    p.add_argument("device_id")

    note = _group(groups, "announcement", "announcements shown before users file a duplicate")
    p = note.add_parser("add", help="add an announcement")
    p.add_argument("company")
    p.add_argument("title")
    p.add_argument("--body", default="")
    p.add_argument("--severity", default="info", choices=("info", "warning", "outage"))
    p.add_argument("--starts", help="ISO 8601 with offset")
    p.add_argument("--ends", help="ISO 8601 with offset")
    p = note.add_parser("remove", help="remove an announcement by id")
    p.add_argument("id")
    p = note.add_parser("list", help="list announcements")
    p.add_argument("company")

    ticket = _group(groups, "ticket", "tickets; technician actions need the local connector")
    ticket.add_parser("list", help="list every ticket with its relay state")
    p = ticket.add_parser("show", help="show one ticket with its timeline")
    p.add_argument("ref")
    for action, arg, help_text in (("status", "status", 'set the status, e.g. "Waiting on client"'),
                                   ("priority", "priority", "set the assigned priority (1-4)"),
                                   ("assign", "technician", "assign a technician")):
        p = ticket.add_parser(action, help=help_text)
        p.add_argument("ref")
        p.add_argument(arg)
        p.add_argument("--by", default="admin", help="technician name recorded in the history")
    p = ticket.add_parser("appointment", help="set the appointment (ISO 8601 start and end)")
    p.add_argument("ref")
    p.add_argument("start")
    p.add_argument("end")
    p.add_argument("--by", default="admin")
    p = ticket.add_parser("note", help="add a technician note (public unless --internal)")
    p.add_argument("ref")
    p.add_argument("text")
    p.add_argument("--internal", action="store_true")
    p.add_argument("--by", default="admin")
    p = ticket.add_parser("retry", help="send a ticket the helpdesk refused (relay state failed) again")
    p.add_argument("ref")
    p = ticket.add_parser("escalation-decision", help="record the primary contact's phone decision")
    p.add_argument("ref")
    p.add_argument("decision", choices=("approve", "deny"))
    p.add_argument("--reason", required=True, help="who decided by phone, and when")
    p.add_argument("--by", default="admin")

    esc = _group(groups, "escalation", "paid escalations")
    p = esc.add_parser("list", help="list escalations with their audit")
    p.add_argument("--state", choices=("pending", "approved", "denied", "cancelled"))

    jobs = _group(groups, "jobs", "lifecycle jobs")
    p = jobs.add_parser("run", help="run them now (Pending Closure → Completed after 1 business day)")
    p.add_argument("--now", help="pretend it is this moment (ISO 8601 with offset)")

    check = _group(groups, "check", "configuration and helpdesk connectivity")
    check.add_parser("connector", help="ask the connector for problems (credentials, reachability)")


def _record_id(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 2**53:
        raise argparse.ArgumentTypeError(f"{value} is not a key id (see: key list)")
    return number


def _group(groups: Any, name: str, help_text: str) -> Any:
    return groups.add_parser(name, help=help_text).add_subparsers(dest="action", metavar="action", required=True)


def run(name: str, args: argparse.Namespace) -> int:
    from intake_app.service.admin import ACTIONS
    from intake_app.service.config import load_config
    from intake_app.service.runtime import ServiceRuntime

    demo = bool(args.demo or args.admin_demo)
    data = args.data
    if data is None and demo and args.service_config is None:
        from intake_app.paths import user_paths

        data = user_paths(args.basedir).demo_service
    if data is None and args.service_config is None:
        from intake_app.cli import CliError

        raise CliError("Say which service to administer: --data DIR, --demo or --config service.toml.")
    config = load_config(args.service_config, data_dir=data, demo=demo)
    creates = (args.group, args.action) == ("company", "add")
    if not demo and not creates and not config.database_url and not (config.data_dir / "intake.sqlite3").exists():
        from intake_app.cli import CliError

        raise CliError(f"There is no Intake service database in {config.data_dir}: check --data / --config, "
                       "or start with: intake-app admin ... company add NAME")
    runtime = ServiceRuntime(config)
    try:
        result = ACTIONS[(args.group, args.action)](runtime, args)
    finally:
        runtime.close()
    _print(result, args.as_json)
    return 0


def _print(result: Any, as_json: bool) -> None:
    if result is None:
        return
    if as_json:
        print(json.dumps(result, indent=2, default=str))
    elif isinstance(result, str):
        print(result)
    elif isinstance(result, list):
        for item in result:
            print(_line(item))
    else:
        print(json.dumps(result, indent=2, default=str, ensure_ascii=False))
    sys.stdout.flush()


def _line(item: Any) -> str:
    if isinstance(item, dict):
        return "  ".join(f"{k}={v}" for k, v in item.items() if v not in (None, ""))
    return str(item)
