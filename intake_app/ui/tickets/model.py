"""The tickets table: one row per ticket (service tickets and outbox tickets not yet accepted).

:class:`TicketsModel` holds plain :class:`TicketRow` values built from
TicketSummary dicts (docs/API.md) and outbox items; :class:`TicketsFilter`
narrows them to open/closed and a search text, and sorts on real values
(timestamps, numbers) rather than on the displayed text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from intake_app.core.changes import category_of
from intake_app.core.statuses import StatusCategory
from intake_app.ui.tickets import texts
from intake_app.ui.tickets.texts import tr

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
OUTBOX_PREFIX = "outbox:"
Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NUMBER = 0
    SUMMARY = 1
    PRIORITY = 2
    STATUS = 3
    TECHNICIAN = 4
    UPDATED = 5
    RESPOND_BY = 6


def headers() -> list[str]:
    return [tr("Number"), tr("Summary"), tr("Priority"), tr("Status"), tr("Technician"), tr("Last update"),
            tr("Respond by")]


@dataclass(frozen=True)
class TicketRow:
    key: str  # the Intake reference, or "outbox:<client ticket id>" for a ticket not yet accepted
    number: str
    summary: str
    priority: str
    status: str
    status_tip: str
    technician: str
    updated: datetime | None
    respond_by: datetime | None
    category: StatusCategory
    needs_user: bool = False
    ticket: dict[str, Any] | None = None  # the TicketSummary
    outbox: Any = None  # client.outbox_item.OutboxItem

    @property
    def is_open(self) -> bool:
        return self.category.is_open

    @property
    def search_text(self) -> str:
        return " ".join((self.number, self.summary, self.status, self.technician, self.key)).casefold()


def row_from_summary(ticket: dict[str, Any]) -> TicketRow:
    status = ticket.get("status") if isinstance(ticket.get("status"), dict) else {}
    category = category_of(status.get("category"))
    name = str(status.get("name") or "")
    respond_by = texts.parse_time(ticket.get("respond_by")) if category is StatusCategory.NEW else None
    return TicketRow(
        key=str(ticket.get("reference") or ""),
        number=f"#{ticket['helpdesk_id']}" if ticket.get("helpdesk_id") else str(ticket.get("reference") or ""),
        summary=str(ticket.get("summary") or ""),
        priority=texts.priority_text(ticket.get("requested_priority"), ticket.get("assigned_priority")),
        status=name, status_tip=str(status.get("meaning") or "") or texts.category_meaning(category),
        technician=str(ticket.get("technician") or ""), updated=texts.parse_time(ticket.get("updated_at")),
        respond_by=respond_by, category=category, needs_user=bool(ticket.get("needs_user")), ticket=ticket)


def row_from_outbox(item: Any) -> TicketRow:
    """A ticket still on this computer: "Queued" or "Needs attention", with the reason."""
    label = {"queued": tr("Queued"), "sending": tr("Sending…"), "needs-attention": tr("Needs attention")}.get(
        item.state.value, item.state.value)
    attention = item.state.value == "needs-attention"
    status = f"{label}: {item.reason}" if attention and item.reason else label  # queued: the reason is a tooltip
    return TicketRow(
        key=OUTBOX_PREFIX + item.client_ticket_id, number=tr("not sent yet"), summary=item.summary,
        priority=texts.priority_text(int(item.priority), None), status=status, status_tip=item.describe(),
        technician="", updated=item.updated_at, respond_by=None, category=StatusCategory.NEW,
        needs_user=attention, outbox=item)


def build_rows(tickets: list[dict[str, Any]], outbox_items: list[Any]) -> list[TicketRow]:
    """Outbox tickets first (they need the user most), then the service's tickets."""
    accepted = {t.get("client_ticket_id") for t in tickets}
    pending = [row_from_outbox(i) for i in outbox_items
               if i.state.value != "sent" and i.client_ticket_id not in accepted]
    return pending + [row_from_summary(t) for t in tickets if t.get("reference")]


class TicketsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TicketRow] = []
        self._headers = headers()

    def set_rows(self, rows: list[TicketRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[TicketRow]:
        return list(self._rows)

    def row_at(self, row: int) -> TicketRow:
        return self._rows[row]

    def find(self, key: str) -> int:
        return next((n for n, r in enumerate(self._rows) if r.key == key), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.status_tip if column is Column.STATUS else self._display(row, column)
        if role == Qt.ItemDataRole.FontRole and row.needs_user:
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _display(row: TicketRow, column: Column) -> str:
        if column is Column.UPDATED:
            return texts.short_when(row.updated.isoformat()) if row.updated else ""
        if column is Column.RESPOND_BY:
            return texts.short_when(row.respond_by.isoformat()) if row.respond_by else ""
        if column is Column.STATUS and row.needs_user and row.ticket is not None:
            return tr("%1 (needs you)").replace("%1", row.status)
        return {Column.NUMBER: row.number, Column.SUMMARY: row.summary, Column.PRIORITY: row.priority,
                Column.STATUS: row.status, Column.TECHNICIAN: row.technician}[column]

    @staticmethod
    def _sort_key(row: TicketRow, column: Column) -> Any:
        if column is Column.UPDATED:
            return row.updated.timestamp() if row.updated else 0.0
        if column is Column.RESPOND_BY:
            return row.respond_by.timestamp() if row.respond_by else float("inf")
        if column is Column.NUMBER:
            digits = "".join(ch for ch in row.number if ch.isdigit())
            return int(digits) if digits else -1
        return TicketsModel._display(row, column).casefold()


class Scope(IntEnum):
    OPEN = 0
    CLOSED = 1
    ALL = 2


class TicketsFilter(QSortFilterProxyModel):
    """Open / closed / all, and a case-insensitive search over number, summary, status and technician."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scope = Scope.OPEN
        self._search = ""
        self.setSortRole(SORT_ROLE)

    def set_scope(self, scope: Scope) -> None:
        self._refilter(lambda: setattr(self, "_scope", Scope(scope)))

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_search", " ".join(text.casefold().split())))

    def _refilter(self, change: Callable[[], None]) -> None:
        # Qt 6.10 deprecates invalidateFilter() for the begin/end pair; older Qt has only the former
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:  # pragma: no cover - Qt < 6.10
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, TicketsModel):
            return True
        row = model.row_at(source_row)
        if self._scope is Scope.OPEN and not row.is_open:
            return False
        if self._scope is Scope.CLOSED and row.is_open:
            return False
        return all(word in row.search_text for word in self._search.split())
