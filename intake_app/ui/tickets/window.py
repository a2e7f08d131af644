"""The My tickets window: the list (open/closed, search), the selected ticket, and Approvals.

The list is a :class:`~intake_app.ui.tickets.model.TicketsModel` behind a
:class:`~intake_app.ui.tickets.model.TicketsFilter`; it is fed by the
:class:`~intake_app.ui.tickets.refresher.TicketRefresher` (service tickets and
outbox tickets). Selecting a ticket shows its summary at once and loads its
detail on a worker (a 304 when nothing changed). The user's actions are
handled by :class:`~intake_app.ui.tickets.flow.ActionFlow`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intake_app.ui.tickets import texts
from intake_app.ui.tickets.actions import TicketActions
from intake_app.ui.tickets.approvals import ApprovalsView
from intake_app.ui.tickets.attachments import AttachmentFiles
from intake_app.ui.tickets.detail import TicketDetailView
from intake_app.ui.tickets.flow import ActionFlow
from intake_app.ui.tickets.model import Column, Scope, TicketRow, TicketsFilter, TicketsModel, build_rows
from intake_app.ui.tickets.refresher import TicketRefresher
from intake_app.ui.tickets.texts import tr

log = logging.getLogger(__name__)


class TicketsWindow(QWidget):
    """``detail_shown(ref)`` after a ticket's full detail is on screen (tests, screenshots)."""

    detail_shown = Signal(str)
    send_outbox_requested = Signal()  # "Send again" on a queued ticket: the app drains the outbox now

    def __init__(self, runner: Any, refresher: TicketRefresher, api: Callable[[], Any], *,
                 outbox: Callable[[], Any] = lambda: None, grabber: Any = None, attachments_root: Path | None = None,
                 open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl, title: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets_window")
        self.setWindowTitle(title or tr("My tickets"))
        self.runner, self.refresher, self._api = runner, refresher, api
        self.model = TicketsModel(self)
        self.proxy = TicketsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.actions = TicketActions(runner, api, self)
        self.files = AttachmentFiles(runner, api, attachments_root, open_url, self)
        self._loading = ""  # the ref whose detail is being read
        self._pending_ref = ""  # a notification's ticket not listed yet
        self._rebuilding = False
        self._build()
        self.flow = ActionFlow(self, runner, outbox, grabber)
        refresher.tickets_changed.connect(self._rebuild)
        refresher.outbox_changed.connect(self._rebuild)
        refresher.detail_changed.connect(self._detail_changed)
        refresher.online_changed.connect(self._online_changed)
        refresher.policy_changed.connect(self._policy_changed)
        self.actions.succeeded.connect(self._identity)
        self._rebuild()

    def _build(self) -> None:
        self.scope = QComboBox(self)
        self.scope.setObjectName("scope")
        self.scope.setAccessibleName(tr("Which tickets to show"))
        for scope, text in ((Scope.OPEN, tr("Open tickets")), (Scope.CLOSED, tr("Closed tickets")),
                            (Scope.ALL, tr("All tickets"))):
            self.scope.addItem(text, int(scope))
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(tr("Search number, summary, status, technician"))
        self.search.setAccessibleName(tr("Search tickets"))
        self.search.setClearButtonEnabled(True)
        self.refresh_button = QPushButton(tr("Re&fresh"), self)
        self.refresh_button.setObjectName("refresh_button")
        self.connection = QLabel(self)
        self.connection.setObjectName("connection")
        self.connection.setWordWrap(True)
        top = QHBoxLayout()
        for widget in (self.scope, self.search, self.refresh_button):
            top.addWidget(widget)
        self.table = QTableView(self)
        self.table.setObjectName("tickets_table")
        self.table.setAccessibleName(tr("Your tickets"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.UPDATED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in Column:  # every column as wide as its text; the summary takes the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column is Column.SUMMARY
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.detail = TicketDetailView(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 2)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(splitter, tr("My tickets"))
        self.approvals = ApprovalsView(TicketActions(self.runner, self._api, self), self)
        self.approvals_tab = self.tabs.addTab(self.approvals, tr("Approvals"))
        self.tabs.setTabVisible(self.approvals_tab, False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.connection)
        layout.addWidget(self.tabs, 1)
        self.connection.hide()
        self.scope.currentIndexChanged.connect(lambda _i: self.proxy.set_scope(Scope(self.scope.currentData())))
        self.search.textChanged.connect(self.proxy.set_search)
        self.refresh_button.clicked.connect(self.refresher.refresh_now)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.tabs.currentChanged.connect(lambda i: self.approvals.load() if i == self.approvals_tab else None)
        self.resize(1100, 760)

    # --- the list ---------------------------------------------------------------------------------
    def rows(self) -> list[TicketRow]:
        """The rows as the user sees them now (filtered and sorted)."""
        return [self.model.row_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(self.proxy.rowCount())]

    def current_row(self) -> TicketRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(self.proxy.mapToSource(index).row()) if index.isValid() else None

    def _rebuild(self, *_args: Any) -> None:
        current = self.current_row()
        self._rebuilding = True
        try:
            self.model.set_rows(build_rows(self.refresher.tickets, self.refresher.outbox_items))
            self.table.setColumnHidden(Column.RESPOND_BY, not any(r.respond_by for r in self.model.rows()))
            wanted = self._pending_ref or (current.key if current is not None else "")
            found = bool(wanted) and self.select(wanted)
        finally:
            self._rebuilding = False
        if found and wanted == self._pending_ref:
            self._pending_ref = ""
            self._reshow(load=True)
        elif found:
            self._reshow()
        elif current is not None:
            self.detail.clear()

    def select(self, key: str) -> bool:
        """Select the ticket with this reference (or outbox key); False when it is not in the list."""
        source = self.model.find(key)
        if source < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(source, 0))
        if not index.isValid():  # filtered out: show all tickets
            self.scope.setCurrentIndex(self.scope.findData(int(Scope.ALL)))
            self.search.clear()
            index = self.proxy.mapFromSource(self.model.index(source, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def open_ticket(self, ref: str) -> None:
        """Show the window with this ticket selected (a click on its notification)."""
        self.tabs.setCurrentIndex(0)
        if not self.select(ref):
            self._pending_ref = ref  # not listed yet: select it once the next refresh lists it
            self.refresher.refresh_now()
        self.show()
        self.raise_()
        self.activateWindow()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._rebuilding:
            self._reshow(load=True)

    def _reshow(self, load: bool = False) -> None:
        row = self.current_row()
        if row is None:
            self.detail.clear()
            return
        if row.outbox is not None:
            self.detail.show_outbox_item(row.outbox)
            return
        assert row.ticket is not None
        shown = self.detail.ticket
        fresh = shown is not None and shown.get("reference") == row.key and "timeline" in shown \
            and shown.get("updated_at") == row.ticket.get("updated_at")
        if fresh and not load:
            self.detail.show_ticket(shown, self.refresher.policy)  # type: ignore[arg-type]
            return
        if shown is None or shown.get("reference") != row.key:
            self.detail.show_ticket(row.ticket, self.refresher.policy)
        self.load_detail(row.key)

    # --- the detail -------------------------------------------------------------------------------
    def load_detail(self, ref: str) -> None:
        api = self._api()
        if api is None or not ref:
            return
        self._loading = ref
        self.runner.run_task(lambda: api.ticket(ref), lambda d, e: self._detail_loaded(ref, d, e),
                             name="tickets.detail")

    def _detail_loaded(self, ref: str, detail: Any, error: BaseException | None) -> None:
        row = self.current_row()
        if ref != self._loading or row is None or row.key != ref:  # the user moved on meanwhile
            return
        self._loading = ""
        if error is not None:
            self.detail.show_error(texts.error_text(error))
            return
        self.detail.show_ticket(detail, self.refresher.policy)
        self.detail_shown.emit(ref)

    def _detail_changed(self, ref: str, detail: dict[str, Any]) -> None:
        row = self.current_row()
        if row is not None and row.key == ref:
            self.detail.show_ticket(detail, self.refresher.policy)
            self.detail_shown.emit(ref)

    def _policy_changed(self, _policy: object) -> None:
        self._reshow()  # the support phone, the portal link or the escalation fee may have changed

    def _online_changed(self, online: bool, reason: str) -> None:
        self.connection.setText("" if online else tr("Not connected: %1 Showing what was last read.")
                                .replace("%1", reason))
        self.connection.setVisible(not online)

    # --- identity: the Approvals tab is for the verified primary contact ---------------------------
    def _identity(self, action: str, _ref: str, answer: Any) -> None:
        if action != "me" or not isinstance(answer, dict):
            return
        user = answer.get("user") if isinstance(answer.get("user"), dict) else {}
        primary = bool(user.get("verified")) and user.get("role") == "primary_contact"
        self.tabs.setTabVisible(self.approvals_tab, primary)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.refresher.refresh_now()
            self.actions.load_identity()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flow.close_dialogs()
        super().closeEvent(event)
