"""A complete ticket from what the user typed (the CLI's flags): checked before anything is stored.

The same rules as the report window (``core.validation``); the contact comes
from the flags, else the user's profile, else their enrolment (else the demo
user in demo mode). System information is gathered last, so bad input fails
fast.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from intake_app import __version__
from intake_app.client.draft_input import parse_availability
from intake_app.client.multipart import MAX_ATTACHMENT_BYTES
from intake_app.client.session import computer_name
from intake_app.core.priorities import Priority
from intake_app.core.ticket import Attachment, Contact, ContactMethod, ReportedFor, TicketDraft, new_client_ticket_id
from intake_app.core.validation import ERROR_DETAILS_MAX_BYTES, validate_draft
from intake_app.errors import ValidationError
from intake_app.paths import AppPaths


@dataclass(frozen=True)
class DraftRequest:
    """The user's input for one ticket; None means "not given" (a default applies)."""

    summary: str
    error_file: str | None = None  # a path, or "-" for stdin
    description: str = ""
    device: str | None = None
    priority: str = "3"
    escalate: bool = False
    contact_method: str | None = None
    contact_detail: str | None = None
    available: Sequence[str] = ()
    any_time: bool = False
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    reported_for_name: str | None = None
    reported_for_email: str | None = None
    reported_for_phone: str | None = None
    attach: Sequence[str] = ()
    client_id: str | None = None
    system_info: bool = True


def build_draft(paths: AppPaths, request: DraftRequest, *, demo: bool, probes: Any = None,
                stdin: BinaryIO | None = None) -> tuple[TicketDraft, list[Attachment]]:
    """The draft and its attachments; ValidationError lists every problem at once."""
    try:
        priority = Priority.parse(request.priority)
    except ValueError as exc:
        raise ValidationError({"priority": str(exc)}) from None
    try:
        client_id = str(uuid.UUID(request.client_id)) if request.client_id else new_client_ticket_id()
    except ValueError:
        raise ValidationError({"client-id": f"“{request.client_id}” is not a UUID "
                                            "(like 0b9f6f0e-8d1a-4c51-9a55-2f5d1b1d7e42)."}) from None
    known = default_contact(paths, demo=demo)
    contact = Contact(request.name or known.name, request.email or known.email, request.phone or known.phone,
                      known.company)
    method = ContactMethod(request.contact_method or ContactMethod.EMAIL.value)
    detail = request.contact_detail or {ContactMethod.EMAIL: contact.email,
                                        ContactMethod.PHONE: contact.phone}.get(method, "")
    reported_for = None
    if request.reported_for_name:
        reported_for = ReportedFor(request.reported_for_name, request.reported_for_email or "",
                                   request.reported_for_phone or "")
    draft = TicketDraft(
        summary=request.summary, error_details=read_error_text(request.error_file, stdin),
        description=request.description, device_name=request.device or computer_name(), reported_for=reported_for,
        contact=contact, contact_method=method, contact_method_detail=detail,
        availability=parse_availability(request.available, request.any_time), requested_priority=priority,
        escalation_requested=request.escalate, client_ticket_id=client_id, app_version=__version__,
    )
    problems = validate_draft(draft)
    if not request.contact_detail and "contact.email" in problems:
        problems.pop("contact_method_detail", None)  # the same address: reported once
    if problems:
        if "contact.email" in problems and not contact.email:
            problems["contact.email"] += " (--email, or enrol first)"
        raise ValidationError(problems)
    attachments = read_attachments(request.attach)
    if request.system_info:
        document, text = system_information(probes)
        draft = draft.with_changes(system_info=document, system_info_text=text)
    return draft, attachments


def read_error_text(path: str | None, stdin: BinaryIO | None = None) -> str:
    """The exact error text from a file, or from stdin for ``-``: kept verbatim (tabs, unicode, long lines)."""
    if not path:
        return ""
    limit = ERROR_DETAILS_MAX_BYTES
    too_long = ValidationError({"error-file": f"The error text is over {limit // 1024} KiB; attach the whole file "
                                             "with --attach and put the key lines in --error-file."})
    if path == "-":
        data = (stdin or sys.stdin.buffer).read(limit + 1)
    else:
        from intake_app.diagnostics.errors import AttachmentError
        from intake_app.diagnostics.files import read_regular_file

        try:
            data = read_regular_file(Path(path).expanduser(), limit + 1)
        except AttachmentError as exc:
            if exc.reason == "too_large":  # not "attachments can be at most …": it is the error text
                raise too_long from None
            raise ValidationError({"error-file": str(exc)}) from None
    if len(data) > limit:
        raise too_long
    return data.decode("utf-8", errors="replace")


def read_attachments(file_paths: Sequence[str], *, max_bytes: int = MAX_ATTACHMENT_BYTES) -> list[Attachment]:
    """Read each file (type judged by content); a missing, empty, huge or special file is a clear error."""
    from intake_app.diagnostics.errors import AttachmentError
    from intake_app.diagnostics.files import read_regular_file

    attachments = []
    for raw in file_paths:
        path = Path(raw).expanduser()
        try:
            data = read_regular_file(path, max_bytes)
        except AttachmentError as exc:
            raise ValidationError({"attach": str(exc)}) from None
        attachments.append(Attachment(path.name, data))
    return attachments


def default_contact(paths: AppPaths, *, demo: bool) -> Contact:
    """Who is reporting, when the user did not say: their profile, else their enrolment (else the demo user)."""
    from intake_app.client.demo import DEMO_USER_EMAIL, DEMO_USER_NAME
    from intake_app.client.state import load_state
    from intake_app.config.profile import load_profile

    profile = load_profile(paths)
    state = load_state(paths, demo=demo)
    name = profile.name or (state.user_name if state else "") or (DEMO_USER_NAME if demo else "")
    email = profile.email or (state.user_email if state else "") or (DEMO_USER_EMAIL if demo else "")
    return Contact(name, email, profile.phone, state.company if state else "")


def system_information(probes: Any = None) -> tuple[dict[str, Any] | None, str]:
    """This computer's snapshot (JSON and the text the technician reads); never fails the ticket."""
    try:
        from intake_app.diagnostics.snapshot import collect_snapshot

        snapshot = collect_snapshot(probes)
        return snapshot.document, snapshot.text
    except Exception as exc:  # noqa: BLE001 - diagnostics are a bonus: the ticket goes without them
        return None, f"System information unavailable: {exc}"
