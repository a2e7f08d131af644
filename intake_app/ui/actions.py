"""The app's user actions, built once and shared by the tray menu and the no-tray window.

Both front ends show the same ``QAction`` objects, so a label change ("My
tickets (1 needs you)", a new support number, the MSP's links from /meta)
appears in both at once, and the app wires each action exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from intake_app.core.policy import Link


class AppActions(QObject):
    """Report, My tickets, About, Call support, the MSP's links, Settings, Quit."""

    links_changed = Signal()
    link_activated = Signal(str)  # the URL of one of the MSP's tray links

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report = self._make("report", self.tr("&Report a problem…"),
                                 self.tr("Describe a problem to your helpdesk, with screenshots"))
        self.tickets = self._make("tickets", self.tr("My &tickets"), self.tr("Follow your tickets"))
        self.about = self._make("about", self.tr("&About this computer"),
                                self.tr("Computer name, user and IP addresses, to read out on the phone"))
        self.support = self._make("support", self.tr("&Call support"), self.tr("Call your helpdesk"))
        self.settings = self._make("settings", self.tr("&Settings…"), self.tr("Your name, e-mail and phone"))
        self.quit = self._make("quit", self.tr("&Quit"), self.tr("Stop the app"))
        self.links: list[QAction] = []
        self._needs_you = 0
        self._phone = ""
        self._shortcuts = False

    def add_shortcuts(self) -> None:
        """Give Quit the platform's shortcut (Ctrl+Q); idempotent. Not in ``__init__``: QKeySequence's
        enums cost ~3 ms before the tray icon could show, and no menu or window is open before it
        (the app calls this right after the icon shows, the tray menu before it opens)."""
        if self._shortcuts:
            return
        from PySide6.QtGui import QKeySequence

        self._shortcuts = True
        # setShortcuts(StandardKey): the platform's list for Quit. setShortcut(QKeySequence(...)) would
        # make PySide6 build every enum of the `Qt` namespace (~40 ms).
        self.quit.setShortcuts(QKeySequence.StandardKey.Quit)

    def _make(self, name: str, text: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def set_needs_you(self, count: int) -> None:
        """"My tickets (1 needs you)" while the user is asked to act on ``count`` tickets."""
        self._needs_you = max(0, int(count))
        if self._needs_you == 1:
            self.tickets.setText(self.tr("My &tickets (1 needs you)"))
        elif self._needs_you:
            self.tickets.setText(self.tr("My &tickets ({0} need you)").format(self._needs_you))
        else:
            self.tickets.setText(self.tr("My &tickets"))

    @property
    def needs_you(self) -> int:
        return self._needs_you

    def set_support_phone(self, phone: str) -> None:
        self._phone = phone.strip()
        self.support.setText(self.tr("&Call support: {0}").format(self._phone) if self._phone
                             else self.tr("&Call support"))
        self.support.setEnabled(bool(self._phone))

    @property
    def support_phone(self) -> str:
        return self._phone

    def set_links(self, links: Sequence[Link]) -> None:
        """Replace the MSP's links (from /meta ``tray_links``)."""
        for action in self.links:
            action.deleteLater()
        self.links = []
        for number, link in enumerate(links):
            action = QAction(link.label, self)
            action.setObjectName(f"action_link_{number}")
            action.setToolTip(link.url)
            action.setData(link.url)
            action.triggered.connect(lambda _checked=False, url=link.url: self.link_activated.emit(url))
            self.links.append(action)
        self.links_changed.emit()

    def populate(self, menu: QMenu) -> None:
        """Fill ``menu`` in the order of SPEC §8 (called again when the links change)."""
        menu.clear()
        menu.addAction(self.report)
        menu.addAction(self.tickets)
        menu.addSeparator()
        menu.addAction(self.about)
        menu.addAction(self.support)
        if self.links:
            menu.addSeparator()
            for action in self.links:
                menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.settings)
        menu.addAction(self.quit)

    def all_actions(self) -> list[QAction]:
        return [self.report, self.tickets, self.about, self.support, *self.links, self.settings, self.quit]
