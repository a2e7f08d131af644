"""What a report starts with, so the user only has to describe the problem (SPEC §8: under a minute).

The device name, the user's profile (name, e-mail, phone, how to reach them),
and the screenshots taken when "Report a problem" was chosen. Also the one
worker job that reads a saved draft back, decoding its pictures off the GUI thread.
"""

from __future__ import annotations

from typing import Any

from intake_app.core.ticket import Contact, ContactMethod
from intake_app.ui.report.form_page import FormPage
from intake_app.ui.report.grabber import label_screenshots
from intake_app.ui.report.ports import LabelledPicture, ReportServices
from intake_app.ui.report.shots import AttachmentItem, item_from_stored


def computer_name(services: ReportServices) -> str:
    if services.computer_name is not None:
        return services.computer_name()
    from intake_app.diagnostics.snapshot import computer_name as probe

    name = probe()
    return "" if name.startswith("unavailable") else name


def prefill(form: FormPage, services: ReportServices) -> None:
    form.problem.device_name.setText(computer_name(services))
    profile = services.profile
    if profile is None:
        return
    form.contact.set_contact(Contact(profile.name, profile.email, profile.phone))
    method = ContactMethod(getattr(profile.contact_method, "value", profile.contact_method))
    detail = profile.contact_detail or {ContactMethod.PHONE: profile.phone,
                                        ContactMethod.EMAIL: profile.email}.get(method, "")
    form.contact.set_method(method, detail)


def as_pictures(shots: list[Any]) -> list[LabelledPicture]:
    """Diagnostics Screenshots (from ``capture_now``) or ready ``(label, picture)`` pairs."""
    if shots and hasattr(shots[0], "monitor_index"):
        return label_screenshots(shots)
    return list(shots)


def load_draft(services: ReportServices) -> tuple[Any, list[AttachmentItem]] | None:
    """Worker job: the saved draft and its attachments as items (pictures decoded here)."""
    stored = services.drafts.load()
    if stored is None:
        return None
    items = [item_from_stored(a.key, a.filename, a.kind, a.data, a.meta) for a in stored.attachments]
    return stored, items
