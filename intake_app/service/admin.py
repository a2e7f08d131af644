"""The admin CLI's actions: thin calls into the service layer, returning printable data.

``intake_app.cli.admin_cmd`` parses the command line and prints; each action here
takes the runtime and the parsed arguments. Tokens and keys are returned only
by the action that creates them (printed once), never stored in clear.
"""

from __future__ import annotations

import json
import tomllib
from argparse import Namespace
from collections.abc import Callable
from pathlib import Path
from typing import Any

from intake_app.core.ticket import Contact
from intake_app.errors import ConfigError
from intake_app.service.clock import parse_instant
from intake_app.service.errors import Invalid
from intake_app.service.identity import Principal
from intake_app.service.runtime import ServiceRuntime

Action = Callable[[ServiceRuntime, Namespace], Any]
ACTIONS: dict[tuple[str, str], Action] = {}


def action(group: str, name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[(group, name)] = fn
        return fn
    return register


def load_document(path: Path) -> dict[str, Any]:
    """A policy file: TOML (``.toml``) or JSON, with a message naming the file when it is broken."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.", path=str(path)) from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}",
                          path=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must contain a table/object.", path=str(path))
    return data


def _instant(value: str | None, what: str) -> Any:
    if value is None:
        return None
    try:
        return parse_instant(value, what)
    except ValueError as exc:
        raise Invalid({what: str(exc)}) from None


def _tech(args: Namespace) -> Principal:
    return Principal("technician", getattr(args, "by", "admin") or "admin")


# -- companies, keys, policy ------------------------------------------------------------


@action("company", "add")
def company_add(rt: ServiceRuntime, args: Namespace) -> str:
    policy = load_document(args.policy) if args.policy else None
    catch_all = Contact(args.catch_all_name, args.catch_all_email, args.catch_all_phone, args.name)
    company = rt.companies.add(args.name, catch_all, policy)
    return f"Added company {company.name} (id {company.id})."


@action("company", "list")
def company_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "catch_all": c.catch_all.email} for c in rt.companies.list()]


@action("company", "catch-all")
def company_catch_all(rt: ServiceRuntime, args: Namespace) -> str:
    company = rt.companies.by_name(args.company)
    rt.companies.set_catch_all(company, Contact(args.name, args.email, args.phone, company.name))
    return f"Unknown users of {company.name} now map to {args.name} <{args.email}>."


@action("key", "add")
def key_add(rt: ServiceRuntime, args: Namespace) -> str:
    key_id, key = rt.companies.add_key(rt.companies.by_name(args.company), args.key, args.label)
    return f"{key}\n(enrolment key id {key_id}; put it in intake.toml as enrolment_key)"


@action("key", "list")
def key_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    company = rt.companies.by_name(args.company) if args.company else None
    return [{"id": k.id, "company": k.company, "label": k.label, "created": k.created_at.isoformat(),
             "revoked": k.revoked_at.isoformat() if k.revoked_at else None} for k in rt.companies.keys(company)]


@action("key", "revoke")
def key_revoke(rt: ServiceRuntime, args: Namespace) -> str:
    rt.companies.revoke_key(args.id)
    return f"Enrolment key {args.id} revoked; devices already enrolled keep working."


@action("policy", "set")
def policy_set(rt: ServiceRuntime, args: Namespace) -> str:
    company = rt.companies.by_name(args.company)
    rt.companies.set_policy(company, load_document(args.file))
    return f"Policy of {company.name} updated from {args.file}."


@action("policy", "show")
def policy_show(rt: ServiceRuntime, args: Namespace) -> dict[str, Any]:
    return rt.companies.policy(rt.companies.by_name(args.company).id).to_dict()


# -- contacts, technicians, devices, announcements ------------------------------------------


@action("contact", "add")
def contact_add(rt: ServiceRuntime, args: Namespace) -> str:
    company = rt.companies.by_name(args.company)
    rt.contacts.add(company, args.name, args.email, args.phone, args.primary)
    rt.directory.forget()
    return f"Added {args.email} to {company.name}{' as primary IT contact' if args.primary else ''}."


@action("contact", "set-primary")
def contact_set_primary(rt: ServiceRuntime, args: Namespace) -> str:
    company = rt.companies.by_name(args.company)
    rt.contacts.set_primary(company, args.email)
    return f"{args.email} is now the primary IT contact of {company.name}."


@action("contact", "list")
def contact_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    return [{"email": c.email, "name": c.name, "phone": c.phone, "primary": c.is_primary_contact}
            for c in rt.contacts.list(rt.companies.by_name(args.company))]


@action("technician", "add")
def technician_add(rt: ServiceRuntime, args: Namespace) -> str:
    token = rt.identity.add_technician(args.name)
    return f"{token}\n(technician token for {args.name}: shown only now; use it as Authorization: Bearer)"


@action("technician", "list")
def technician_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    return [{"name": n, "created": c.isoformat(), "revoked": r.isoformat() if r else None}
            for n, c, r in rt.identity.technicians()]


@action("technician", "revoke")
def technician_revoke(rt: ServiceRuntime, args: Namespace) -> str:
    rt.identity.revoke_technician(args.name)
    return f"Technician {args.name} revoked."


@action("device", "list")
def device_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    company = rt.companies.by_name(args.company) if args.company else None
    return [{"id": d.id, "company": d.company, "device": d.device_name, "user": d.user_email,
             "verified": d.verified_email is not None, "last_seen": d.last_seen_at.isoformat() if d.last_seen_at
             else None, "revoked": d.revoked_at.isoformat() if d.revoked_at else None}
            for d in rt.identity.devices(company)]


@action("device", "revoke")
def device_revoke(rt: ServiceRuntime, args: Namespace) -> str:
    rt.identity.revoke_device(args.device_id)
    return f"Device {args.device_id} revoked; it must enrol again."


@action("announcement", "add")
def announcement_add(rt: ServiceRuntime, args: Namespace) -> str:
    item = rt.companies.add_announcement(rt.companies.by_name(args.company), args.title, args.body, args.severity,
                                         _instant(args.starts, "starts"), _instant(args.ends, "ends"))
    return f"Announcement {item.id} added."


@action("announcement", "remove")
def announcement_remove(rt: ServiceRuntime, args: Namespace) -> str:
    rt.companies.remove_announcement(args.id)
    return f"Announcement {args.id} removed."


@action("announcement", "list")
def announcement_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    return [a.to_dict() for a in rt.companies.announcements(rt.companies.by_name(args.company))]


# -- tickets, escalations, jobs -------------------------------------------------------------


@action("ticket", "list")
def ticket_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    return [{"reference": t["reference"], "helpdesk_id": t["helpdesk_id"], "status": t["status"]["name"],
             "relay": t["relay_state"], "priority": t["assigned_priority"] or t["requested_priority"],
             "technician": t["technician"], "summary": t["summary"]}
            for t in rt.views.list(_tech(args), "all")]


@action("ticket", "show")
def ticket_show(rt: ServiceRuntime, args: Namespace) -> dict[str, Any]:
    return rt.views.detail(_tech(args), args.ref)


def _changed(summary: dict[str, Any]) -> str:
    return (f"{summary['reference']} (helpdesk {summary['helpdesk_id']}): {summary['status']['name']}, "
            f"P{summary['assigned_priority'] or '?'}, technician {summary['technician'] or '-'}")


@action("ticket", "status")
def ticket_status(rt: ServiceRuntime, args: Namespace) -> str:
    return _changed(rt.tech.set_status(_tech(args), args.ref, args.status))


@action("ticket", "priority")
def ticket_priority(rt: ServiceRuntime, args: Namespace) -> str:
    return _changed(rt.tech.set_priority(_tech(args), args.ref, args.priority))


@action("ticket", "assign")
def ticket_assign(rt: ServiceRuntime, args: Namespace) -> str:
    return _changed(rt.tech.assign(_tech(args), args.ref, args.technician))


@action("ticket", "appointment")
def ticket_appointment(rt: ServiceRuntime, args: Namespace) -> str:
    start, end = _instant(args.start, "start"), _instant(args.end, "end")
    if end <= start:
        raise Invalid({"end": "The appointment must end after it starts."})
    return _changed(rt.tech.set_appointment(_tech(args), args.ref, start, end))


@action("ticket", "note")
def ticket_note(rt: ServiceRuntime, args: Namespace) -> str:
    rt.tech.add_note(_tech(args), args.ref, args.text, args.internal)
    return f"{'Internal' if args.internal else 'Public'} note added to {args.ref}."


@action("ticket", "escalation-decision")
def ticket_escalation_decision(rt: ServiceRuntime, args: Namespace) -> dict[str, Any]:
    return rt.escalations.record_phone(_tech(args), args.ref, args.decision == "approve", args.reason)


@action("ticket", "retry")
def ticket_retry(rt: ServiceRuntime, args: Namespace) -> str:
    row = rt.views.visible_row(_tech(args), args.ref)
    rt.relay.retry(row.id)
    return f"{args.ref} is back in the outbox; the running service sends it within seconds."


@action("escalation", "list")
def escalation_list(rt: ServiceRuntime, args: Namespace) -> list[dict[str, Any]]:
    return rt.escalations.list(Principal("technician", "admin"), args.state)


@action("jobs", "run")
def jobs_run(rt: ServiceRuntime, args: Namespace) -> str:
    changed = rt.tech.run_jobs(_instant(args.now, "now"))
    return "Closed: " + ", ".join(changed) if changed else "Nothing to do."


@action("check", "connector")
def check_connector(rt: ServiceRuntime, args: Namespace) -> str:
    problems = rt.connector.check()
    if problems:
        raise ConfigError("; ".join(problems))
    return f"The {rt.connector.kind.value} connector reports no problems."
