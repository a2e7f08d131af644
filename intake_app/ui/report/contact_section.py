"""Contact details as the helpdesk has them, the best way to reach the user, and "reporting for".

Guide: "make sure the contact information we have on file is correct". The
fields start with the helpdesk's record (``/me`` → ``contact_on_file``, or the
user's profile until that arrives); leaving them confirms it, changing them is
a correction that travels flagged with the ticket.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from intake_app.core.ticket import Contact, ContactMethod, ReportedFor
from intake_app.ui.report.theme import FieldError

CONTACT_FIELDS = ("name", "email", "phone", "company")


class ContactSection(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("How can we reach you?"), parent)
        self.setAccessibleName(self.tr("Contact details"))
        self._on_file: Contact | None = None
        self._user_edited = False
        self._auto_detail = ""
        outer = QVBoxLayout(self)
        self.on_file_note = QLabel(self)
        self.on_file_note.setWordWrap(True)
        outer.addWidget(self.on_file_note)
        form = QFormLayout()
        outer.addLayout(form)

        labels = {"name": self.tr("&Name:"), "email": self.tr("E-mai&l:"), "phone": self.tr("P&hone:"),
                  "company": self.tr("Compan&y:")}
        names = {"name": self.tr("Your name"), "email": self.tr("Your e-mail address"),
                 "phone": self.tr("Your phone number"), "company": self.tr("Your company")}
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, FieldError] = {}
        for key in CONTACT_FIELDS:
            edit = QLineEdit(self)
            edit.setAccessibleName(names[key])
            error = FieldError(edit, self)
            self.fields[key], self.errors[f"contact.{key}"] = edit, error
            _add_row(form, labels[key], edit, error)
            edit.textEdited.connect(self._edited)

        self.method = QComboBox(self)
        self.method.setAccessibleName(self.tr("Best way to reach you"))
        for method, text in ((ContactMethod.PHONE, self.tr("Phone")), (ContactMethod.EMAIL, self.tr("E-mail")),
                             (ContactMethod.CHAT, self.tr("Teams / chat")),
                             (ContactMethod.REMOTE, self.tr("Remote session"))):
            self.method.addItem(text, method.value)
        self.method.setCurrentIndex(self.method.findData(ContactMethod.EMAIL.value))
        _add_row(form, self.tr("Bes&t way to reach you:"), self.method, None)
        self.detail = QLineEdit(self)
        self.detail.setAccessibleName(self.tr("Number or address to use"))
        self.errors["contact_method_detail"] = FieldError(self.detail, self)
        _add_row(form, self.tr("Number or add&ress:"), self.detail, self.errors["contact_method_detail"])

        self.for_someone = QCheckBox(self.tr("I'm re&porting this for someone else"), self)
        outer.addWidget(self.for_someone)
        self.other = QWidget(self)
        other_form = QFormLayout(self.other)
        self.other_fields: dict[str, QLineEdit] = {}
        for key, label, name in (("name", self.tr("Their name:"), self.tr("Name of the person affected")),
                                 ("email", self.tr("Their e-mail:"), self.tr("E-mail of the person affected")),
                                 ("phone", self.tr("Their phone:"), self.tr("Phone of the person affected"))):
            edit = QLineEdit(self.other)
            edit.setAccessibleName(name)
            error = FieldError(edit, self.other)
            self.other_fields[key], self.errors[f"reported_for.{key}"] = edit, error
            _add_row(other_form, label, edit, error)
            edit.textChanged.connect(self.changed)
        self.other.setVisible(False)
        outer.addWidget(self.other)

        self.method.currentIndexChanged.connect(self._method_changed)
        self.detail.textChanged.connect(self.changed)
        self.for_someone.toggled.connect(self.other.setVisible)
        self.for_someone.toggled.connect(self.changed)
        self._method_changed()
        self._update_note()

    # -- values ---------------------------------------------------------------------------

    def set_contact_on_file(self, on_file: Contact | None, *, overwrite: bool = False) -> None:
        """The helpdesk's record; fills the fields unless the user already changed them."""
        self._on_file = on_file
        if on_file is not None and (overwrite or not self._user_edited):
            self.set_contact(on_file)
        self._update_note()

    def contact_on_file(self) -> Contact | None:
        return self._on_file

    def set_contact(self, contact: Contact, *, from_user: bool = False) -> None:
        """Fill the fields; ``from_user`` (a restored draft) protects them from the record arriving later."""
        self._user_edited = self._user_edited or from_user
        for key in CONTACT_FIELDS:
            self.fields[key].setText(getattr(contact, key))
        self._refresh_auto_detail()
        self._update_note()
        self.changed.emit()

    def contact(self) -> Contact:
        return Contact(**{key: self.fields[key].text().strip() for key in CONTACT_FIELDS})

    def method_value(self) -> ContactMethod:
        return ContactMethod(self.method.currentData())

    def set_method(self, method: ContactMethod, detail: str) -> None:
        self.method.setCurrentIndex(max(self.method.findData(method.value), 0))
        self.detail.setText(detail)

    def method_detail(self) -> str:
        return self.detail.text().strip()

    def reported_for(self) -> ReportedFor | None:
        if not self.for_someone.isChecked():
            return None
        values = {key: edit.text().strip() for key, edit in self.other_fields.items()}
        return ReportedFor(values["name"], values["email"], values["phone"])

    def set_reported_for(self, person: ReportedFor | None) -> None:
        self.for_someone.setChecked(person is not None)
        for key, edit in self.other_fields.items():
            edit.setText(getattr(person, key) if person else "")

    def local_problems(self) -> dict[str, str]:
        """The one rule the domain cannot see: a ticked box with no name."""
        person = self.reported_for()
        if person is not None and not person.name:
            return {"reported_for.name": self.tr("Please enter the name of the person you are reporting for.")}
        return {}

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, error in self.errors.items():
            error.set_message(problems.get(key))

    def focus_widget_for(self, field: str) -> QWidget | None:
        if field == "contact_method_detail":
            return self.detail
        group, _, key = field.partition(".")
        if group == "contact":
            return self.fields.get(key)
        if group == "reported_for":
            return self.other_fields.get(key)
        return None

    # -- internals ------------------------------------------------------------------------

    def _edited(self) -> None:
        self._user_edited = True
        self._refresh_auto_detail()
        self._update_note()
        self.changed.emit()

    def _method_changed(self) -> None:
        placeholders = {
            ContactMethod.PHONE: self.tr("The number to call"),
            ContactMethod.EMAIL: self.tr("The address to write to"),
            ContactMethod.CHAT: self.tr("Your Teams or chat address"),
            ContactMethod.REMOTE: self.tr("Remote tool ID (optional)"),
        }
        self.detail.setPlaceholderText(placeholders[self.method_value()])
        self._refresh_auto_detail()
        self.changed.emit()

    def _refresh_auto_detail(self) -> None:
        """Keep the detail in step with the contact's phone/e-mail until the user types their own."""
        current = self.detail.text()
        if current and current != self._auto_detail:
            return
        method = self.method_value()
        contact = self.contact()
        value = {ContactMethod.PHONE: contact.phone, ContactMethod.EMAIL: contact.email}.get(method, "")
        self._auto_detail = value
        self.detail.setText(value)

    def _update_note(self) -> None:
        if self._on_file is None:
            self.on_file_note.setText(self.tr("Please check your details."))
            return
        corrected = self.contact().differences(self._on_file)
        if not corrected:
            self.on_file_note.setText(self.tr("This is what the helpdesk has on file. Correct anything that is "
                                              "wrong; your changes are sent to the helpdesk with the ticket."))
            return
        names = {"name": self.tr("name"), "email": self.tr("e-mail"), "phone": self.tr("phone"),
                 "company": self.tr("company")}
        self.on_file_note.setText(self.tr("You corrected: %1. The helpdesk will be asked to update its record.")
                                  .replace("%1", ", ".join(names[k] for k in corrected)))


def _add_row(form: QFormLayout, text: str, field: QWidget, error: FieldError | None) -> None:
    label = QLabel(text)
    label.setBuddy(field)
    if error is None:
        form.addRow(label, field)
        return
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field)
    layout.addWidget(error)
    form.addRow(label, box)
