"""Update availability and contact details on an open ticket (guide: "update the following information").

Reuses the report window's availability editor and contact section, filled
with what the ticket carries now. Only what the user changed is sent; the
service's field problems appear under the fields they concern.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from intake_app.core.ticket import Availability, Contact, ContactMethod
from intake_app.ui.report.availability_editor import AvailabilityEditor
from intake_app.ui.report.contact_section import ContactSection
from intake_app.ui.tickets.dialogs import ActionDialog
from intake_app.ui.tickets.texts import tr


class UpdateDetailsDialog(ActionDialog):
    def __init__(self, detail: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(tr("Update your details on this ticket"),
                         tr("The technician sees these changes on the ticket at once."), tr("&Save changes"), parent)
        body = QWidget(self)
        column = QVBoxLayout(body)
        self.availability = AvailabilityEditor(parent=body)
        self.contact = ContactSection(body)
        self.contact.for_someone.hide()  # who the ticket is for does not change here
        column.addWidget(self.availability)
        column.addWidget(self.contact)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.layout_.addWidget(scroll)
        self.finish_layout()
        self._initial = self._load(detail)
        self.resize(760, 640)

    def _load(self, detail: dict[str, Any]) -> dict[str, Any]:
        try:
            availability = Availability.from_dict(detail.get("availability"))
        except (KeyError, TypeError, ValueError):
            availability = Availability()
        self.availability.set_availability(availability)
        contact = Contact.from_dict(detail.get("contact") if isinstance(detail.get("contact"), dict) else None)
        self.contact.set_contact(contact)
        try:
            method = ContactMethod(detail.get("contact_method") or ContactMethod.EMAIL.value)
        except ValueError:
            method = ContactMethod.EMAIL
        self.contact.set_method(method, str(detail.get("contact_method_detail") or ""))
        return self._values()

    def _values(self) -> dict[str, Any]:
        return {"availability": self.availability.availability().to_dict(),
                "contact": self.contact.contact().to_dict(),
                "contact_method": self.contact.method_value().value,
                "contact_method_detail": self.contact.method_detail()}

    def payload(self) -> dict[str, Any]:
        """Only what changed; the method and its detail travel together."""
        now = self._values()
        changed = {k: v for k, v in now.items() if v != self._initial.get(k)}
        if "contact_method" in changed or "contact_method_detail" in changed:
            changed["contact_method"] = now["contact_method"]
            changed["contact_method_detail"] = now["contact_method_detail"]
        return changed

    def show_error(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().show_error(message, problems)
        self.availability.show_problems(problems or {})
        self.contact.show_problems(problems or {})
