"""The client commands: enroll, verify, submit, tickets, show, reply, update, escalate, approve, deny,
close, reopen, outbox.

Each talks to the service named by the admin file or, with ``--demo`` or no
admin file at all, to the local demo service (started for the command, or
reused when the tray runs one). ``submit`` always goes through the durable
outbox: the ticket is on disk before any network call.

Exit status: 0 done; 1 the service refused (the reason is printed); 2 a
problem the user can fix (one sentence, printed by ``cli.main``); 75 the
ticket is saved and will be sent later (offline, or not enrolled yet).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from intake_app.client.errors import RejectedError
from intake_app.errors import IntakeError, ValidationError
from intake_app.paths import AppPaths, user_paths

if TYPE_CHECKING:
    from intake_app.client.commands import Result
    from intake_app.client.context import ClientContext, Target

EXIT_REFUSED = 1  # the same codes as intake_app.client.commands


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    adders = {
        "enroll": _args_enroll, "verify": _args_verify, "submit": _args_submit, "tickets": _args_tickets,
        "show": _args_ref, "reply": _args_reply, "update": _args_update, "escalate": _args_escalate,
        "approve": _args_decide, "deny": _args_decide, "close": _args_close, "reopen": _args_reopen,
        "outbox": _args_outbox,
    }
    adders[name](parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(name: str, args: argparse.Namespace) -> int:
    try:
        paths = user_paths(args.basedir).ensure()
    except OSError as exc:
        raise IntakeError(f"This app's folders cannot be created ({exc.strerror or exc}: {exc.filename}).") from None
    _setup_logging(paths)
    try:
        result = _HANDLERS[name](paths, args)
    except ValidationError as exc:
        raise IntakeError("Please fix:\n" + "\n".join(f"  - {k}: {v}" for k, v in exc.problems.items())) from None
    except RejectedError as exc:  # the service said no: its words, exit 1
        if getattr(args, "json", False):
            emit(args, {"error": {"status": exc.status, "code": exc.code, "message": exc.server_message,
                                  "problems": exc.problems}}, "")
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    for note in result.notes:
        print(note, file=sys.stderr)
    emit(args, result.data, result.text)
    return result.exit_code


def _setup_logging(paths: AppPaths) -> None:
    from intake_app.logsetup import setup_logging

    try:
        setup_logging(paths)
    except (OSError, ValueError) as exc:
        print(f"note: logging is off ({exc})", file=sys.stderr)


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    """Print ``data`` as JSON with ``--json``, else ``text``."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif text:
        print(text)


# ---- handlers: flags -> intake_app.client.commands / actions ----------------------------------------

def _target(paths: AppPaths, args: argparse.Namespace) -> Target:
    from intake_app.client.context import resolve_target

    return resolve_target(paths, config_path=args.config_file, demo=args.demo)


def _connected(paths: AppPaths, args: argparse.Namespace) -> ClientContext:
    from intake_app.client.context import open_context

    return open_context(paths, _target(paths, args))


def _enroll(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import enroll_device
    from intake_app.config.profile import load_profile, save_profile

    if args.demo:
        raise IntakeError("Demo mode enrols by itself; run the command you want with --demo.")
    admin = None
    if not (args.service and args.key):
        admin = _target(paths, args).admin
    service = args.service or (admin.service_url if admin else None)
    key = args.key or (admin.enrolment_key if admin else None)
    if not service or not key:
        raise IntakeError("Give the service and the enrolment key: intake-app enroll --service URL --key KEY")
    profile = load_profile(paths)
    name, email = args.name or profile.name, args.email or profile.email
    if not name or not email:
        raise IntakeError("Give your name and e-mail address: --name \"Your Name\" --email you@example.com")
    result = enroll_device(paths, service_url=service, key=key, name=name, email=email, device_name=args.device,
                           ca_bundle=admin.ca_bundle if admin else None)
    if not profile.name or not profile.email:  # remember them for the report window and the next tickets
        save_profile(paths, replace(profile, name=profile.name or name, email=profile.email or email))
    return result


def _verify(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import verify

    with _connected(paths, args) as ctx:
        return verify(ctx, args.code)


def _submit(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.commands import submit
    from intake_app.client.draft_builder import DraftRequest, build_draft

    target = _target(paths, args)  # a broken admin file stops here, before anything is queued
    names = [f.name for f in fields(DraftRequest) if f.name != "system_info"]
    request = DraftRequest(**{name: getattr(args, name) for name in names}, system_info=not args.no_system_info)
    draft, attachments = build_draft(paths, request, demo=target.demo, probes=target.admin.probes)
    return submit(paths, target, draft, attachments, wait_for_number=max(0.0, min(args.wait, 60.0)))


def _tickets(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.commands import list_tickets

    with _connected(paths, args) as ctx:
        return list_tickets(ctx, scope="all" if args.all else "mine")


def _show(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.commands import show_ticket

    with _connected(paths, args) as ctx:
        return show_ticket(ctx, args.ref)


def _reply(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import reply
    from intake_app.client.draft_builder import read_attachments

    attachments = read_attachments(args.attach)
    with _connected(paths, args) as ctx:
        return reply(ctx, args.ref, args.text, attachments)


def _update(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import update
    from intake_app.client.draft_input import parse_availability

    availability = parse_availability(args.available, args.any_time) if (args.available or args.any_time) else None
    contact = None
    if args.name or args.email or args.phone:
        from intake_app.core.ticket import Contact

        contact = Contact(args.name or "", args.email or "", args.phone or "")
    with _connected(paths, args) as ctx:
        if contact is not None:  # fill what was not given from the enrolment, so nothing is blanked
            contact = Contact(contact.name or ctx.state.user_name, contact.email or ctx.state.user_email,
                              contact.phone, ctx.state.company)
        return update(ctx, args.ref, availability=availability, contact=contact, contact_method=args.contact_method,
                      contact_method_detail=args.contact_detail)


def _escalate(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import escalate

    with _connected(paths, args) as ctx:
        return escalate(ctx, args.ref, args.reason)


def _decide(paths: AppPaths, args: argparse.Namespace, approve: bool) -> Result:
    from intake_app.client.actions import decide

    with _connected(paths, args) as ctx:
        return decide(ctx, args.ref, approve=approve, reason=args.reason)


def _close(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import close

    with _connected(paths, args) as ctx:
        return close(ctx, args.ref, args.text)


def _reopen(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.actions import reopen

    with _connected(paths, args) as ctx:
        return reopen(ctx, args.ref, args.text)


def _outbox(paths: AppPaths, args: argparse.Namespace) -> Result:
    from intake_app.client.commands import outbox_status

    if not args.send:
        return outbox_status(paths, retry=args.retry, discard=args.discard)
    with _connected(paths, args) as ctx:
        return outbox_status(paths, ctx=ctx)


_HANDLERS: dict[str, Callable[[AppPaths, argparse.Namespace], Result]] = {
    "enroll": _enroll, "verify": _verify, "submit": _submit, "tickets": _tickets, "show": _show,
    "reply": _reply, "update": _update, "escalate": _escalate, "close": _close, "reopen": _reopen,
    "outbox": _outbox,
    "approve": lambda paths, args: _decide(paths, args, True),
    "deny": lambda paths, args: _decide(paths, args, False),
}


# ---- arguments ------------------------------------------------------------------------------------

def _args_enroll(p: argparse.ArgumentParser) -> None:
    p.add_argument("--service", metavar="URL", help="the Intake service (default: the admin file's)")
    p.add_argument("--key", metavar="KEY", help="the enrolment key (default: the admin file's)")
    p.add_argument("--name", help="your name (default: your saved profile)")
    p.add_argument("--email", help="your e-mail address (default: your saved profile)")
    p.add_argument("--device", metavar="NAME", help="this computer's name (default: its host name)")


def _args_verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("--code", help="the 6-digit code from the e-mail; without it, a code is sent to you")


def _contact_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contact-method", choices=["phone", "email", "chat", "remote"],
                   help="how the technician should reach you (default: e-mail)")
    p.add_argument("--contact-detail", metavar="TEXT", help="the number or address for that method")
    p.add_argument("--available", action="append", default=[], metavar="'YYYY-MM-DD HH:MM-HH:MM'",
                   help="a time you can be reached, in your time zone (repeatable)")
    p.add_argument("--any-time", action="store_true", help="any time during business hours")
    p.add_argument("--name", help="your name (default: your profile or enrolment)")
    p.add_argument("--email", help="your e-mail address (default: your profile or enrolment)")
    p.add_argument("--phone", help="your phone number (default: your profile)")


def _args_submit(p: argparse.ArgumentParser) -> None:
    p.add_argument("--summary", required=True, help="one line, at most 100 characters")
    p.add_argument("--error-file", metavar="PATH", help="file with the exact error text ('-' reads stdin)")
    p.add_argument("--description", default="", help="what you were doing, what you expected")
    p.add_argument("--device", metavar="NAME", help="computer or device that needs help (default: this computer)")
    p.add_argument("--priority", default="3", help="P1-P4 as the helpdesk defines them (default: P3)")
    p.add_argument("--escalate", action="store_true", help="request a paid escalation (P3 only)")
    _contact_args(p)
    p.add_argument("--reported-for-name", metavar="NAME", help="the affected person, when it is not you")
    p.add_argument("--reported-for-email", metavar="EMAIL")
    p.add_argument("--reported-for-phone", metavar="PHONE")
    p.add_argument("--attach", action="append", default=[], metavar="PATH", help="attach a file (repeatable)")
    p.add_argument("--client-id", metavar="UUID", help="this ticket's id; the same id again is the same ticket")
    p.add_argument("--no-system-info", action="store_true", help="do not include this computer's details")
    p.add_argument("--wait", type=float, default=5.0, metavar="SECONDS",
                   help="how long to wait for the helpdesk ticket number (default: 5)")


def _args_tickets(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="every ticket of yours (verified e-mail), not only this device's")


def _args_ref(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="N", help="helpdesk ticket number or Intake reference")


def _args_reply(p: argparse.ArgumentParser) -> None:
    _args_ref(p)
    p.add_argument("--text", required=True, help="your reply")
    p.add_argument("--attach", action="append", default=[], metavar="PATH", help="attach a file (repeatable)")


def _args_update(p: argparse.ArgumentParser) -> None:
    _args_ref(p)
    _contact_args(p)


def _args_escalate(p: argparse.ArgumentParser) -> None:
    _args_ref(p)
    p.add_argument("--reason", default="", help="why it needs to be faster")


def _args_decide(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="N", help="escalation id, or the ticket's number or reference")
    p.add_argument("--reason", default="", help="the reason (required to deny)")


def _args_close(p: argparse.ArgumentParser) -> None:
    _args_ref(p)
    p.add_argument("--text", help="a closing note")


def _args_reopen(p: argparse.ArgumentParser) -> None:
    _args_ref(p)
    p.add_argument("--text", required=True, help="what is still broken")


def _args_outbox(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--send", action="store_true", help="try to send everything queued now")
    group.add_argument("--retry", type=int, metavar="ID", help="queue a ticket that needs attention again")
    group.add_argument("--discard", type=int, metavar="ID", help="delete an unsent ticket from this computer")

