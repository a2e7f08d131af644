"""Between the form's widgets and a :class:`TicketDraft` (plus the bits of UI state a draft keeps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from intake_app.core.priorities import Affected, PriorityAnswers
from intake_app.core.ticket import AttachmentInfo, ReportedFor, TicketDraft
from intake_app.ui.report.form_page import FormPage
from intake_app.ui.report.shots import AttachmentItem, FileItem


def draft_from_form(form: FormPage, base: TicketDraft, system_info: dict[str, Any] | None,
                    system_text: str) -> TicketDraft:
    problem, contact, priority = form.problem, form.contact, form.priority
    return base.with_changes(
        summary=problem.summary.text(),
        error_details=problem.error_details.exact_text(),
        description=problem.description.exact_text(),
        device_name=problem.device_name.text(),
        reported_for=contact.reported_for(),
        contact=contact.contact(),
        contact_on_file=contact.contact_on_file(),
        contact_method=contact.method_value(),
        contact_method_detail=contact.method_detail(),
        availability=form.availability.availability(),
        requested_priority=priority.priority(),
        escalation_requested=priority.escalation_requested(),
        system_info=system_info,
        system_info_text=system_text,
    )


def ui_state(form: FormPage, sysinfo_off: set[str]) -> dict[str, Any]:
    """What the draft keeps beyond the ticket: the guide's answers, switches, a half-filled "for"."""
    answers = form.priority.answers()
    other = {key: edit.text() for key, edit in form.contact.other_fields.items()}
    return {
        "answers": {"affected": answers.affected.value if answers.affected else None,
                    "has_workaround": answers.has_workaround, "planned_work": answers.planned_work,
                    "security_event": answers.security_event},
        "not_sure_open": form.priority.not_sure.isChecked(),
        "escalation_checked": form.priority.escalate.isChecked(),
        "reported_for_open": form.contact.for_someone.isChecked(),
        "reported_for": other,
        "sysinfo_off": sorted(sysinfo_off),
        "touched": sorted(form.touched),
    }


def apply(form: FormPage, draft: TicketDraft, state: dict[str, Any]) -> TicketDraft:
    """Put a restored draft back into the form; returns the base (same client ticket id)."""
    problem, contact, priority = form.problem, form.contact, form.priority
    problem.summary.setText(draft.summary)
    problem.error_details.set_exact_text(draft.error_details)
    problem.description.set_exact_text(draft.description)
    problem.device_name.setText(draft.device_name)
    contact.set_contact_on_file(draft.contact_on_file, overwrite=False)
    contact.set_contact(draft.contact, from_user=True)
    contact.set_method(draft.contact_method, draft.contact_method_detail)
    other = state.get("reported_for") or {}
    person = draft.reported_for
    if person is None and state.get("reported_for_open"):  # ticked, but no name typed yet
        person = ReportedFor(str(other.get("name", "")), str(other.get("email", "")), str(other.get("phone", "")))
    contact.set_reported_for(person)
    form.availability.set_availability(draft.availability)
    priority.set_priority(draft.requested_priority)
    priority.set_escalation(bool(state.get("escalation_checked", draft.escalation_requested)))
    answers = state.get("answers") or {}
    affected = answers.get("affected")
    priority.set_answers(PriorityAnswers(Affected(affected) if affected in {a.value for a in Affected} else None,
                                         _opt_bool(answers.get("has_workaround")),
                                         _opt_bool(answers.get("planned_work")),
                                         _opt_bool(answers.get("security_event"))))
    priority.not_sure.setChecked(bool(state.get("not_sure_open")))
    form.touched.update(str(t) for t in state.get("touched") or [])
    return draft.with_changes(system_info=None, system_info_text="", attachments=())


def preview_infos(items: Sequence[AttachmentItem]) -> list[AttachmentInfo]:
    """Attachments as the review lists them (sizes of screenshots are estimates until encoded)."""
    infos = []
    for item in items:
        media = item.media_type if isinstance(item, FileItem) else "image/png"
        infos.append(AttachmentInfo(item.key, item.filename, media, item.approx_size, "", item.kind))
    return infos


def _opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
