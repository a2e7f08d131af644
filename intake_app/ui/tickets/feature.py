"""My tickets as one piece for the composition root: refresher, notifications, needs-you count, window.

``app.py`` builds one :class:`TicketsFeature` with the task runner and *providers*
for the API client and the outbox (they appear after start-up and change on
re-enrolment), starts it once the service is connected, and connects
``needs_user_changed`` to the tray's attention state. Notifications go to the
app's notifier with a click action that opens the ticket. The window is built
on first use, and so is its module: the window and its dialogs are ~40 modules (up to ~5 MB at rest,
less what the report's warm-up shares with them) that a tray which only polls never needs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from intake_app.core.policy import Policy
from intake_app.ui.tickets.refresher import TicketRefresher

if TYPE_CHECKING:
    from intake_app.ui.tickets.window import TicketsWindow

Provider = Callable[[], Any]


class NotifierLike(Protocol):
    """``intake_app.ui.notifier.Notifier``: a tray message whose click runs ``on_click``."""

    def notify(self, title: str, text: str, on_click: Callable[[], None] | None = None) -> None: ...


class TicketsFeature(QObject):
    needs_user_changed = Signal(int)  # tickets waiting on the user: the tray's attention state and menu text
    notify = Signal(str, str, str)  # title, text, ticket ref: one per change
    outbox_send_requested = Signal()  # the user asked to send a queued ticket again: drain the outbox now

    def __init__(self, runner: Any, api: Provider, outbox: Provider = lambda: None, *, policy: Policy | None = None,
                 grabber: Any = None, attachments_root: Path | None = None, title: str = "",
                 open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self._api, self._outbox = runner, api, outbox
        self.grabber, self.attachments_root, self.title = grabber, attachments_root, title
        self._open_url = open_url
        self.refresher = TicketRefresher(runner, api, outbox, policy=policy, parent=self)
        self.refresher.needs_user_changed.connect(self.needs_user_changed)
        self.refresher.notify.connect(self.notify)
        self.window: TicketsWindow | None = None

    def start(self) -> None:
        """Begin polling (call when the service is connected; calling again refreshes now)."""
        self.refresher.start()

    def stop(self) -> None:
        """At quit, before the task runner shuts down: no more passes, windows closed, temp files gone."""
        self.refresher.stop()
        if self.window is not None:
            self.window.close()
            self.window.files.cleanup()
            self.window.deleteLater()
            self.window = None

    def get_window(self) -> TicketsWindow:
        if self.window is None:
            from intake_app.ui.tickets.window import TicketsWindow

            self.window = TicketsWindow(self.runner, self.refresher, self._api, outbox=self._outbox,
                                        grabber=self.grabber, attachments_root=self.attachments_root,
                                        title=self.title, open_url=self._open_url)
            self.window.send_outbox_requested.connect(self.outbox_send_requested)
        return self.window

    def open_ticket(self, ref: str) -> None:
        self.get_window().open_ticket(ref)

    def connect_notifier(self, notifier: NotifierLike) -> None:
        """Each change becomes one tray message; clicking it opens that ticket."""
        def show(title: str, text: str, ref: str) -> None:
            notifier.notify(title, text, lambda: self.open_ticket(ref))

        self.notify.connect(show)
