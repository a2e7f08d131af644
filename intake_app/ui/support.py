"""Call support: the helpdesk's number as a ``tel:`` link and as copyable text (SPEC §3).

The number comes from the MSP's policy (``/meta``), so it is always current.
Where no calling app handles ``tel:`` links, the dialog says so and the number
stays on screen to dial by hand.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*(\d{1,6})\s*$", re.IGNORECASE)


def tel_url(phone: str) -> QUrl:
    """``(713) 782-4357`` → ``tel:7137824357``; a leading + and an extension (``;ext=12``) are kept."""
    text = phone.strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match.group(1), text[: match.start()]
    digits = re.sub(r"[^\d]", "", text)
    if text.startswith("+"):
        digits = "+" + digits
    return QUrl(f"tel:{digits}" + (f";ext={extension}" if extension else ""))


class SupportDialog(QDialog):
    """The number in large selectable text, a Call button (tel: link) and Copy number."""

    def __init__(self, phone: str, *, company: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("support_dialog")
        self.setWindowTitle(self.tr("Call support"))
        self.setAccessibleName(self.tr("Call support"))
        self.phone = phone
        intro = QLabel(self.tr("Call your helpdesk{0}:").format(f" ({company})" if company else ""))
        self.number = QLabel(phone)
        self.number.setObjectName("support_number")
        self.number.setAccessibleName(self.tr("Support phone number"))
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        font = QFont(self.number.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number.setFont(font)
        self.status = QLabel("")
        self.status.setObjectName("support_status")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.call_button = buttons.addButton(self.tr("&Call"), QDialogButtonBox.ButtonRole.ActionRole)
        self.call_button.setObjectName("support_call")
        self.call_button.setAccessibleName(self.tr("Call {0}").format(phone))
        self.copy_button = buttons.addButton(self.tr("Copy &number"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("support_copy")
        self.copy_button.setAccessibleName(self.tr("Copy the phone number"))
        self.call_button.clicked.connect(self.call)
        self.copy_button.clicked.connect(self.copy_number)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.number)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def call(self) -> bool:
        """Open the tel: link with the system's calling app; False (and a hint) when none is set up."""
        if QDesktopServices.openUrl(tel_url(self.phone)):
            self.status.setText(self.tr("Calling {0}…").format(self.phone))
            return True
        self.status.setText(self.tr("No calling app is set up on this computer; please dial {0}.").format(self.phone))
        return False

    def copy_number(self) -> None:
        QGuiApplication.clipboard().setText(self.phone)
        self.status.setText(self.tr("Number copied."))
