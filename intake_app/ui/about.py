"""About this computer: "identify my PC" for when the helpdesk asks on the phone.

Shows the computer name, the user and the IP addresses with one-click Copy,
the log folder (Open), and "Copy diagnostics" (the full system snapshot the
ticket would carry, gathered on a worker). :func:`gather_facts` is Qt-free and
cheap; the app runs it on a worker anyway and passes the result in.
"""

from __future__ import annotations

import getpass
import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard


@dataclass(frozen=True)
class ComputerFacts:
    computer: str
    user: str
    addresses: tuple[str, ...]

    def as_text(self, labels: tuple[str, str, str, str] = ("Computer", "User", "IP addresses", "none")) -> str:
        """Three lines to paste into a chat with the helpdesk; ``labels`` come translated from the dialog."""
        computer, user, addresses, none = labels
        return f"{computer}: {self.computer}\n{user}: {self.user}\n{addresses}: {', '.join(self.addresses) or none}"


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def gather_facts() -> ComputerFacts:
    """Computer name, login name and this computer's non-loopback addresses (IPv4 first)."""
    from intake_app.diagnostics.platform_facts import current

    try:
        computer = current().computer_name()
    except Exception:  # a probe must never stop the About box; the host name is a fine answer
        log.warning("computer name probe failed; using the host name", exc_info=True)
        computer = socket.gethostname()
    try:
        user = getpass.getuser()
    except Exception:
        user = ""
    import psutil

    v4: list[str] = []
    v6: list[str] = []
    for entries in psutil.net_if_addrs().values():
        for entry in entries:
            if entry.family == socket.AF_INET and _usable(entry.address):
                v4.append(entry.address)
            elif entry.family == socket.AF_INET6 and _usable(entry.address):
                v6.append(entry.address.split("%")[0])
    return ComputerFacts(computer, user, tuple(dict.fromkeys(v4 + v6)))


class AboutDialog(QDialog):
    """Non-modal; the app keeps one and raises it."""

    def __init__(self, facts: ComputerFacts, *, product_name: str, version: str, log_dir: Path,
                 service_text: str, tasks: TaskRunner,
                 collect_diagnostics: Callable[[], str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(self.tr("About this computer"))
        self.setAccessibleName(self.tr("About this computer"))
        self.facts = facts
        self._tasks = tasks
        self._collect = collect_diagnostics
        self._log_dir = log_dir
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label, value in (
            ("computer", self.tr("Computer name:"), facts.computer),
            ("user", self.tr("User:"), facts.user),
            ("addresses", self.tr("IP addresses:"), "\n".join(facts.addresses) or self.tr("none")),
            ("app", self.tr("App:"), f"{product_name} {version}"),
            ("service", self.tr("Helpdesk service:"), service_text),
            ("logs", self.tr("Log folder:"), str(log_dir)),
        ):
            field = QLabel(value)
            field.setObjectName(f"about_{key}")
            field.setTextInteractionFlags(SELECTABLE)
            field.setAccessibleName(label.rstrip(":"))
            form.addRow(label, field)
            self.fields[key] = field
        self.status = QLabel("")
        self.status.setObjectName("about_status")
        self.status.setAccessibleName(self.tr("Status"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = self._button(buttons, "copy", self.tr("&Copy"),
                                        self.tr("Copy computer name, user and IP addresses"))
        self.diag_button = self._button(buttons, "copy_diagnostics", self.tr("Copy &diagnostics"),
                                        self.tr("Copy the full system information"))
        self.logs_button = self._button(buttons, "open_logs", self.tr("Open &log folder"),
                                        self.tr("Open the log folder"))
        self.diag_button.setEnabled(collect_diagnostics is not None)
        self.copy_button.clicked.connect(self.copy_facts)
        self.diag_button.clicked.connect(self.copy_diagnostics)
        self.logs_button.clicked.connect(self.open_logs)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.copy_button.setDefault(True)

    def _button(self, box: QDialogButtonBox, name: str, text: str, accessible: str) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(f"about_{name}")
        button.setAccessibleName(accessible)
        button.setAutoDefault(False)
        return button

    def copy_facts(self) -> None:
        labels = (self.tr("Computer"), self.tr("User"), self.tr("IP addresses"), self.tr("none"))
        QGuiApplication.clipboard().setText(self.facts.as_text(labels))
        self.status.setText(self.tr("Copied. Paste it into a chat or e-mail to your helpdesk."))

    def copy_diagnostics(self) -> None:
        if self._collect is None:
            return
        self.diag_button.setEnabled(False)
        self.status.setText(self.tr("Gathering system information…"))
        self._tasks.run_task(self._collect, self._diagnostics_done, name="copy diagnostics")

    def _diagnostics_done(self, text: str | None, error: BaseException | None) -> None:
        self.diag_button.setEnabled(True)
        if error is not None or text is None:
            log.warning("diagnostics for the clipboard failed", exc_info=error)
            self.status.setText(self.tr("Could not gather the system information: {0}").format(error))
            return
        QGuiApplication.clipboard().setText(text)
        self.status.setText(self.tr("System information copied ({0} lines).").format(text.count("\n") + 1))

    def open_logs(self) -> None:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir))):
            self.status.setText(self.tr("No file manager could open {0}.").format(self._log_dir))
