"""Request Tracker 5 REST2, the calls the RT connector needs, over the shared :class:`HttpClient`.

REST2 quirks handled here (observed on RT 5.0.3, see docs/connectors.md):

* ``PUT /ticket/N`` answers 200 even when a change failed; the failure is one of
  the messages in the JSON array ("Status 'x' isn't a valid status ...").
  :func:`failures` picks those out; callers also read the ticket back.
* collections checked against ACLs (history, attachments) return ``total`` and
  ``pages`` as null for non-superusers, and no ``next_page``: :meth:`Rest2.pages`
  keeps asking until a page comes back empty.
* ``Requestor`` is not defaulted on create; the connector always sends it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from intake_app.service.connectors.base import HelpdeskRejected
from intake_app.service.connectors.http import HttpClient, HttpNotFound

PER_PAGE = 100
MAX_PAGES = 500  # 50 000 items: a runaway guard, not a limit anyone should reach

# RT's own wording for a refused change, matched at the start of a message (after "Ticket N: ")
# so that a custom-field value that happens to contain "invalid" is not mistaken for an error.
_FAILURE = re.compile(
    r"^(?:Ticket \d+: )?(?:Status '.*' isn't a valid status|You can't change status|Permission Denied|"
    r"That ticket has unresolved dependencies|Couldn't |Could not |Invalid |No permission|"
    r"Unable to |.*'s? value must be unique)",
    re.IGNORECASE,
)


def failures(messages: Any) -> list[str]:
    """The messages in a REST2 result array that report a refused change."""
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, str) and _FAILURE.match(m)]


def ticket_sql_string(value: str) -> str:
    """``value`` as a quoted TicketSQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def rt_error_text(response: requests.Response) -> str:
    """REST2 errors are ``{"message": "..."}``; fall back to the status line."""
    try:
        payload = response.json()
    except ValueError:
        return response.reason or f"HTTP {response.status_code}"
    if isinstance(payload, dict) and payload.get("message"):
        return str(payload["message"]).strip()
    return response.reason or f"HTTP {response.status_code}"


class Rest2:
    """Thin typed wrapper over the REST2 endpoints (paths relative to ``.../REST/2.0/``)."""

    def __init__(self, http: HttpClient, per_page: int = PER_PAGE) -> None:
        self.http = http
        self.per_page = per_page

    # -- collections -------------------------------------------------------------------

    def pages(self, path: str, params: Mapping[str, Any] | None = None, *, method: str = "GET",
              body: Any = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged collection, page after page, until a page is empty."""
        for page in range(1, MAX_PAGES + 1):
            query = {**(params or {}), "page": page, "per_page": self.per_page}
            data = self.http.json(method, path, params=query, json=body, idempotent=True) or {}
            items = data.get("items") or []
            yield from items
            pages = data.get("pages")
            if not items or int(data.get("count") or 0) == 0 or (isinstance(pages, int) and page >= pages):
                return
        raise HelpdeskRejected(f"Request Tracker returned more than {MAX_PAGES} pages for {path}; "
                               "narrow the query.")

    def search_tickets(self, query: str, fields: str, *, order_by: str = "id",
                       order: str = "ASC") -> Iterator[dict[str, Any]]:
        return self.pages("tickets", {"query": query, "fields": fields, "orderby": order_by, "order": order})

    # -- tickets -----------------------------------------------------------------------

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        try:
            data = self.http.json("GET", f"ticket/{_num(ticket_id)}")
        except HttpNotFound:
            raise HttpNotFound(f"Request Tracker has no ticket {ticket_id} (or the account may not see it).") from None
        if not isinstance(data, dict) or "id" not in data:
            raise HttpNotFound(f"Request Tracker has no ticket {ticket_id}.")
        return data

    def create_ticket(self, payload: Mapping[str, Any]) -> str:
        data = self.http.json("POST", "ticket", json=dict(payload))
        if not isinstance(data, dict) or not data.get("id"):
            raise HelpdeskRejected(f"Request Tracker did not return a ticket id: {_short(data)}")
        return str(data["id"])

    def update_ticket(self, ticket_id: str, payload: Mapping[str, Any]) -> list[str]:
        return list(self.http.json("PUT", f"ticket/{_num(ticket_id)}", json=dict(payload)) or [])

    def message(self, ticket_id: str, kind: str, payload: Mapping[str, Any]) -> list[str]:
        """``kind`` is ``correspond`` (public) or ``comment`` (internal)."""
        assert kind in ("correspond", "comment")
        return list(self.http.json("POST", f"ticket/{_num(ticket_id)}/{kind}", json=dict(payload)) or [])

    def history(self, ticket_id: str) -> Iterator[dict[str, Any]]:
        return self.pages(f"ticket/{_num(ticket_id)}/history", {
            "fields": "Type,Field,OldValue,NewValue,Data,Created,Creator",
            "fields[Creator]": "Name,RealName,EmailAddress",
        })

    def attachments(self, ticket_id: str,
                    fields: str = "Filename,ContentType,TransactionId") -> Iterator[dict[str, Any]]:
        return self.pages(f"ticket/{_num(ticket_id)}/attachments", {"fields": fields})

    def transaction_parts(self, transaction_id: str) -> list[dict[str, Any]]:
        return list(self.pages(f"transaction/{_num(transaction_id)}/attachments",
                               {"fields": "ContentType,Filename,Content"}))

    # -- users, queues, groups -----------------------------------------------------------

    def user(self, name_or_id: str) -> dict[str, Any] | None:
        try:
            data = self.http.json("GET", f"user/{requests.utils.quote(str(name_or_id), safe='@')}")
        except HttpNotFound:
            return None
        return data if isinstance(data, dict) else None

    def users_by_email(self, email: str) -> list[dict[str, Any]]:
        query = [{"field": "EmailAddress", "operator": "=", "value": email}]
        return list(self.pages("users", {"fields": "Name,RealName,EmailAddress,Organization,WorkPhone,"
                                                   "MobilePhone,HomePhone,Memberships,Disabled"},
                               method="POST", body=query))

    def group_id(self, name: str) -> str | None:
        query = [{"field": "Name", "operator": "=", "value": name}]
        for item in self.pages("groups", {"fields": "Name,Domain"}, method="POST", body=query):
            if str(item.get("Name", "")).casefold() == name.casefold():
                return str(item.get("id"))
        return None

    def queue(self, name: str) -> dict[str, Any]:
        try:
            data = self.http.json("GET", f"queue/{requests.utils.quote(name, safe='')}")
        except HttpNotFound:
            raise HelpdeskRejected(f"Request Tracker has no queue named {name!r} "
                                   "(or the account cannot see it).") from None
        return data if isinstance(data, dict) else {}


def _num(ticket_id: str) -> str:
    """Ticket and transaction ids are numbers; refuse anything else before it reaches a URL."""
    text = str(ticket_id).strip()
    if not text.isdigit():
        raise HttpNotFound(f"{text!r} is not a Request Tracker ticket number.")
    return text


def _short(data: Any) -> str:
    text = json.dumps(data)[:200] if data is not None else "empty answer"
    return text
