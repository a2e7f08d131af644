"""Settings: the user's own details (name, e-mail, phone, preferred contact method).

They pre-fill every report. The dialog only edits and validates (the same rules
and messages as the report window, from ``core.validation``); the app saves the
result with ``config.profile.save_profile``. Bad input keeps the dialog open
with every value as typed and the problem shown next to its field.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from intake_app.config.profile import UserProfile
from intake_app.core.ticket import ContactMethod
from intake_app.core.validation import check_contact_method, check_email, check_phone


def profile_problems(profile: UserProfile) -> dict[str, str]:
    """Field name -> message; empty when the profile can be saved. Empty fields are allowed."""
    problems: dict[str, str] = {}
    if (msg := check_email(profile.email)) is not None:
        problems["email"] = msg
    if (msg := check_phone(profile.phone)) is not None:
        problems["phone"] = msg
    if profile.contact_detail.strip() and (msg := check_contact_method(profile.contact_method,
                                                                       profile.contact_detail)):
        problems["contact_detail"] = msg
    return problems


class SettingsDialog(QDialog):
    """Emits ``profile_saved(UserProfile)`` when the user saves a valid profile."""

    profile_saved = Signal(object)

    def __init__(self, profile: UserProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Your details"))
        self._original = profile
        self.name = self._line("name", profile.name, self.tr("Your name"))
        self.email = self._line("email", profile.email, self.tr("Your e-mail address"))
        self.phone = self._line("phone", profile.phone, self.tr("Your phone number"))
        self.method = QComboBox()
        self.method.setObjectName("settings_contact_method")
        self.method.setAccessibleName(self.tr("Preferred contact method"))
        labels = {ContactMethod.PHONE: self.tr("Phone"), ContactMethod.EMAIL: self.tr("E-mail"),
                  ContactMethod.CHAT: self.tr("Teams / chat"), ContactMethod.REMOTE: self.tr("Remote session")}
        for method in ContactMethod:
            self.method.addItem(labels.get(method, method.label), method.value)
        self.method.setCurrentIndex(max(0, self.method.findData(profile.contact_method.value)))
        self.detail = self._line("contact_detail", profile.contact_detail,
                                 self.tr("Number or address for the preferred contact method"))
        self.detail.setPlaceholderText(self.tr("e.g. your Teams address; empty: the e-mail or phone above"))
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, widget in (("name", self.tr("&Name:"), self.name), ("email", self.tr("&E-mail:"), self.email),
                                   ("phone", self.tr("&Phone:"), self.phone),
                                   ("contact_method", self.tr("Preferred &contact:"), self.method),
                                   ("contact_detail", self.tr("Contact &detail:"), self.detail)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, widget)
            error = QLabel("")
            error.setObjectName(f"settings_error_{key}")
            error.setStyleSheet("color: #b00020")
            error.setWordWrap(True)
            error.hide()
            form.addRow("", error)
            self.errors[key] = error
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        intro = QLabel(self.tr("These details fill in each new report. The helpdesk's own record "
                               "is shown when you report, so you can correct it there."))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _line(self, name: str, value: str, accessible: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setObjectName(f"settings_{name}")
        edit.setAccessibleName(accessible)
        return edit

    def profile(self) -> UserProfile:
        """What the fields say now (not validated)."""
        return replace(self._original, name=self.name.text().strip(), email=self.email.text().strip(),
                       phone=self.phone.text().strip(),
                       contact_method=ContactMethod(self.method.currentData()),
                       contact_detail=self.detail.text().strip())

    def _save(self) -> None:
        profile = self.profile()
        problems = profile_problems(profile)
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        if problems:
            first = next(iter(problems))
            {"email": self.email, "phone": self.phone, "contact_detail": self.detail}[first].setFocus()
            return
        self.profile_saved.emit(profile)
        self.accept()
