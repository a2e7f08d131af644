"""The list itself: columns, open/closed filter, search, sorting on real values, the needs-you mark."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from intake_app.ui.tickets import timeline
from intake_app.ui.tickets.model import Column, Scope, TicketsFilter, TicketsModel, build_rows

pytestmark = pytest.mark.gui


def ticket(number: int, summary: str, status: str, category: str, updated: str, **over: Any) -> dict[str, Any]:
    data = {"reference": f"INT-{number:06d}", "client_ticket_id": f"c-{number}", "helpdesk_id": str(1000 + number),
            "summary": summary, "status": {"name": status, "category": category, "meaning": "", "action": "none"},
            "requested_priority": 3, "assigned_priority": 3, "technician": None, "appointment": None,
            "respond_by": None, "created_at": updated, "updated_at": updated, "relay_state": "forwarded",
            "escalation": None, "needs_user": category in ("waiting-on-you", "pending-closure")}
    data.update(over)
    return data


TICKETS = [
    ticket(1, "Printer jams", "Working Issue Now", "working", "2026-03-02T09:00:00+00:00", technician="Dana"),
    ticket(2, "VPN drops", "Waiting on client", "waiting-on-you", "2026-03-03T09:00:00+00:00", assigned_priority=2),
    ticket(3, "Old laptop", "Completed", "closed", "2026-03-01T09:00:00+00:00"),
    ticket(10, "New monitor", "New (Portal)", "new", "2026-03-04T09:00:00+00:00",
           respond_by="2026-03-05T17:00:00+00:00"),
]


@pytest.fixture
def listing(qapp: Any) -> tuple[TicketsModel, TicketsFilter]:
    model = TicketsModel()
    proxy = TicketsFilter()
    proxy.setSourceModel(model)
    model.set_rows(build_rows(TICKETS, []))
    return model, proxy


def shown(proxy: TicketsFilter, column: Column = Column.NUMBER) -> list[str]:
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_columns_show_what_the_user_follows(listing: tuple[TicketsModel, TicketsFilter]) -> None:
    model, _ = listing
    row = [model.index(1, c).data() for c in Column]
    assert row[:5] == ["#1002", "VPN drops", "P2 (you asked for P3)", "Waiting on client (needs you)", ""]
    assert row[Column.UPDATED] != "" and row[Column.RESPOND_BY] == ""
    assert model.index(1, Column.STATUS).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, Column.STATUS).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(3, Column.RESPOND_BY).data() != ""
    assert model.index(0, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole) == "The helpdesk is working on it."


def test_open_closed_and_all(listing: tuple[TicketsModel, TicketsFilter]) -> None:
    _, proxy = listing
    assert sorted(shown(proxy)) == ["#1001", "#1002", "#1010"]
    proxy.set_scope(Scope.CLOSED)
    assert shown(proxy) == ["#1003"]
    proxy.set_scope(Scope.ALL)
    assert len(shown(proxy)) == 4


def test_search_matches_number_summary_status_and_technician(listing: tuple[TicketsModel, TicketsFilter]) -> None:
    _, proxy = listing
    proxy.set_scope(Scope.ALL)
    for text, expected in (("vpn", ["#1002"]), ("1010", ["#1010"]), ("dana", ["#1001"]),
                           ("  COMPLETED ", ["#1003"]), ("printer dana", ["#1001"]), ("nothing like it", [])):
        proxy.set_search(text)
        assert shown(proxy) == expected, text


def test_sorting_uses_real_times_and_numbers(listing: tuple[TicketsModel, TicketsFilter]) -> None:
    _, proxy = listing
    proxy.set_scope(Scope.ALL)
    proxy.sort(Column.UPDATED, Qt.SortOrder.DescendingOrder)
    assert shown(proxy) == ["#1010", "#1002", "#1001", "#1003"]
    proxy.sort(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    assert shown(proxy) == ["#1001", "#1002", "#1003", "#1010"]  # 1010 after 1003, not between 1001 and 1002


def test_an_unknown_category_is_listed_as_open_with_its_own_name(qapp: Any) -> None:
    model = TicketsModel()
    model.set_rows(build_rows([ticket(5, "Odd one", "Awaiting vendor", "vendor-wait", "2026-03-02T09:00:00+00:00")],
                              []))
    row = model.row_at(0)
    assert (row.status, row.category.value, row.is_open) == ("Awaiting vendor", "working", True)


def test_the_timeline_is_newest_first_escaped_and_keeps_unknown_entries(qapp: Any) -> None:
    html = timeline.to_html([
        {"at": "2026-03-02T09:00:00+00:00", "kind": "created", "author": "", "text": "Received.", "old": None,
         "new": None},
        {"at": "2026-03-02T10:00:00+00:00", "kind": "note", "author": "Dana", "text": "<b>Try</b> this & that",
         "old": None, "new": None},
        {"at": "2026-03-02T11:00:00+00:00", "kind": "survey", "author": "", "text": "Rate us", "old": None,
         "new": None},
    ])
    assert "&lt;b&gt;Try&lt;/b&gt; this &amp; that" in html and "<b>Try" not in html
    assert html.index("Rate us") < html.index("Dana wrote") < html.index("Ticket created")
    assert "Nothing has happened" in timeline.to_html([])


@pytest.mark.parametrize(("category", "extra", "expected"), [
    ("new", {}, ["reply", "update", "escalate"]),
    ("waiting-on-you", {"assigned_priority": 2}, ["reply", "update"]),
    ("pending-closure", {}, ["still-broken", "close", "update", "escalate"]),
    ("closed", {}, ["reopen"]),
    ("working", {"escalation": {"id": 1, "state": "pending", "fee": "$250"}}, ["reply", "update"]),
    ("working", {"escalation": {"id": 1, "state": "denied", "fee": "$250"}}, ["reply", "update", "escalate"]),
    ("on-hold", {"timeline": None}, ["reply", "escalate"]),  # the summary alone: no details yet, no editor
])
def test_the_buttons_follow_the_status_category(category: str, extra: dict[str, Any], expected: list[str]) -> None:
    from intake_app.core.changes import category_of
    from intake_app.core.policy import Policy
    from intake_app.ui.tickets.detail_parts import available_actions

    data = {**ticket(9, "x", "Some status", category, "2026-03-02T09:00:00+00:00"), "timeline": [], **extra}
    if extra.get("timeline", []) is None:
        del data["timeline"]
    assert available_actions(data, category_of(category), False, Policy()) == expected
    assert available_actions(data, category_of(category), True, Policy()) == []
    assert "escalate" not in available_actions(data, category_of(category), False, Policy(escalation_enabled=False))
