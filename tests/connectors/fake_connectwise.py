"""A fake ConnectWise Manage REST 3.0 server: real HTTP on loopback, strict about what it accepts.

It checks every request the way the documentation says the real server does, and
answers with the documented shapes:

* headers: ``Authorization: Basic base64(company+public:private)``, ``clientId``,
  and an ``Accept`` pinning ``application/vnd.connectwise.com+json; version=YYYY.N``
  (the fake *requires* the pin; the real server would fall back to its latest);
* JSON bodies need ``Content-Type: application/json``; ``/system/documents`` needs
  real ``multipart/form-data`` with ``file``, ``recordType``, ``recordId``, ``title``;
* ``POST /service/tickets``: ``summary`` (1–100) and ``company`` are required, the
  field limits of the Ticket model apply (contactName 62, contactPhoneNumber 20,
  contactEmailAddress 250, externalXRef 100, …), unknown fields are refused, and
  every reference (board, status on that board, priority, contact of that company,
  custom field) must exist;
* errors are ``{"code", "message", "errors": [{"code", "message", "resource", "field"}]}``;
* lists honour ``conditions``/``childConditions`` (see :mod:`fake_cw_conditions`),
  ``page``/``pageSize`` (max 1000) and forward-only pagination with a ``Link`` header;
* :meth:`FakeConnectWise.fail_next` injects 429/5xx answers with ``Retry-After``.

Technician actions go through the admin hooks (``set_status``, ``add_note``,
``assign``, ``set_priority``, ``schedule``), never through the API under test.
Assumptions (not in the documentation) are listed in docs/connectors.md.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fake_cw_conditions import ConditionError, child_filter, conditions_filter

ACCEPT = re.compile(r"^application/vnd\.connectwise\.com\+json;\s*version=(\d{4}\.\d+)$")
TICKET_FIELDS = frozenset("""
id summary recordType board status workRole workType company site siteName addressLine1 addressLine2 city
stateIdentifier zip country contact contactName contactPhoneNumber contactPhoneExtension contactEmailAddress type
subType item team owner priority serviceLocation source requiredDate budgetHours opportunity agreement agreementType
severity impact externalXRef poNumber knowledgeBaseCategoryId knowledgeBaseSubCategoryId allowAllClientsPortalView
customerUpdatedFlag automaticEmailContactFlag automaticEmailResourceFlag automaticEmailCcFlag automaticEmailCc
initialDescription initialInternalAnalysis initialResolution initialDescriptionFrom contactEmailLookup
processNotifications skipCallback closedDate closedBy closedFlag customFields _info""".split())
TICKET_LIMITS = {"summary": 100, "siteName": 50, "addressLine1": 50, "addressLine2": 50, "city": 50, "zip": 12,
                 "contactName": 62, "contactPhoneNumber": 20, "contactPhoneExtension": 15, "contactEmailAddress": 250,
                 "externalXRef": 100, "poNumber": 50, "automaticEmailCc": 1000}
NOTE_FIELDS = frozenset("""id noteType ticket text isMarkdownFlag detailDescriptionFlag internalAnalysisFlag
resolutionFlag timeStart timeEnd bundledFlag mergedFlag issueFlag originalAuthor createdByParentFlag member contact
_info""".split())
GUIDE = [("New – Emailed Client", False), ("New (Portal)", False), ("New (Email Connector)", False),
         ("Re-opened", False), ("Scheduled Required", False), ("Scheduled in-house", False),
         ("Working Issue Now", False), ("Client Responded", False), ("Waiting parts/repair", False),
         ("On-Hold", False), ("Waiting on client", False), ("Pending Closure", False), ("Completed", True)]
API_MEMBER = {"id": 170, "identifier": "intakeapi", "name": "Intake API"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.body, self.headers = status, {"code": code, "message": message,
                                                        "errors": errors or []}, headers or {}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def invalid(field: str, code: str, message: str, resource: str = "ticket") -> ApiError:
    return ApiError(400, "InvalidObject", f"{resource} object is invalid",
                    [{"code": code, "message": message, "resource": resource, "field": field}])


class FakeConnectWise:
    """State plus a loopback server; ``url`` is the ``.../apis/3.0`` base."""

    def __init__(self, company_id: str = "mymsp", public_key: str = "pubKEY", private_key: str = "privKEY",
                 client_id: str = "1f0c5b6e-3a7d-4c3e-9f5a-2b8d7e6c4a10") -> None:
        self.basic = base64.b64encode(f"{company_id}+{public_key}:{private_key}".encode()).decode()
        self.client_id = client_id
        self.lock = threading.RLock()
        self.requests: list[dict[str, Any]] = []
        self.versions: set[str] = set()
        self.faults: list[tuple[int, str | None, str]] = []
        self.boards = [{"id": 1, "name": "Help Desk"}, {"id": 2, "name": "Projects"}]
        self.statuses: dict[int, list[dict[str, Any]]] = {}
        for board in self.boards:
            self.statuses[board["id"]] = [
                {"id": board["id"] * 100 + i, "name": name, "board": {"id": board["id"], "name": board["name"]},
                 "sortOrder": i, "closedStatus": closed, "inactive": False, "displayOnBoard": True,
                 "customerPortalFlag": True, "customerPortalDescription": ""}
                for i, (name, closed) in enumerate(GUIDE)]
        self.statuses[1][10]["customerPortalDescription"] = "We need something from you: see the latest note."
        self.priorities = [{"id": 10 + n, "name": f"Priority {n} - {label}", "sortOrder": n} for n, label in
                           ((1, "Emergency Response"), (2, "Quick Response"), (3, "Normal Response"),
                            (4, "Scheduled Maintenance"))]
        self.companies = [{"id": 250, "identifier": "ExampleCo", "name": "Example Co"},
                          {"id": 251, "identifier": "Catchall", "name": "Catchall"}]
        self.contacts: list[dict[str, Any]] = []
        self.add_contact("Alice", "Example", "Alice@Example.com", company_id=250, phone="7135550100")
        self.add_contact("Pat", "Primary", "pat@example.com", company_id=250, types=["Primary IT Contact"])
        self.add_contact("Catch", "All", "catchall@msp.example", company_id=251)
        self.configurations = [{"id": 900, "name": "PRN-0042", "company": {"id": 250}}]
        self.custom_field_defs = {12: "Availability", 13: "Requested priority", 14: "Contact method"}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.written: dict[int, dict[str, str]] = {}  # write-only fields as posted
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.documents: list[dict[str, Any]] = []
        self.linked: dict[int, list[int]] = {}
        self.schedule_entries: list[dict[str, Any]] = []
        self._ids = iter(range(1000, 10**9))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-connectwise", daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v4_6_release/apis/3.0"

    def start(self) -> FakeConnectWise:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def next_id(self) -> int:
        return next(self._ids)

    # -- admin hooks (the technician's side) -------------------------------------------------

    def add_contact(self, first: str, last: str, email: str, *, company_id: int, phone: str = "",
                    types: list[str] | None = None) -> dict[str, Any]:
        company = next(c for c in self.companies if c["id"] == company_id)
        items = [{"type": {"id": 1, "name": "Email"}, "value": email, "communicationType": "Email",
                  "defaultFlag": True}]
        if phone:
            items.append({"type": {"id": 2, "name": "Direct"}, "value": phone, "communicationType": "Phone",
                          "defaultFlag": True})
        contact = {"id": 300 + len(self.contacts), "firstName": first, "lastName": last, "company": dict(company),
                   "communicationItems": items, "types": [{"id": 5, "name": t} for t in types or []],
                   "inactiveFlag": False, "defaultFlag": False, "_info": {"lastUpdated": now_iso()}}
        self.contacts.append(contact)
        return contact

    def fail_next(self, count: int = 1, status: int = 429, retry_after: str | None = "1", path: str = "") -> None:
        with self.lock:
            self.faults += [(status, retry_after, path)] * count

    def _touch(self, ticket: dict[str, Any]) -> None:
        ticket["_info"]["lastUpdated"] = now_iso()
        ticket["_info"]["updatedBy"] = "dana"

    def set_status(self, ticket_id: int | str, name: str) -> None:
        with self.lock:
            ticket = self.tickets[int(ticket_id)]
            status = next(s for s in self.statuses[ticket["board"]["id"]] if s["name"] == name)
            ticket["status"] = {"id": status["id"], "name": status["name"]}
            ticket["closedFlag"] = bool(status["closedStatus"])
            self._touch(ticket)

    def add_note(self, ticket_id: int | str, text: str, *, internal: bool = False, member: str = "dana") -> None:
        with self.lock:
            self._store_note(int(ticket_id), {"text": text, "detailDescriptionFlag": not internal,
                                              "internalAnalysisFlag": internal},
                             member={"id": 171, "identifier": member, "name": "Dana Tech"})

    def assign(self, ticket_id: int | str, identifier: str = "dana", name: str = "Dana Tech") -> None:
        with self.lock:
            ticket = self.tickets[int(ticket_id)]
            ticket["owner"] = {"id": 171, "identifier": identifier, "name": name}
            self._touch(ticket)

    def set_priority(self, ticket_id: int | str, number: int) -> None:
        with self.lock:
            ticket = self.tickets[int(ticket_id)]
            ticket["priority"] = {k: v for k, v in self.priorities[number - 1].items() if k in ("id", "name")}
            self._touch(ticket)

    def schedule(self, ticket_id: int | str, start: str, end: str) -> None:
        with self.lock:
            self.schedule_entries.append({"id": self.next_id(), "objectId": int(ticket_id),
                                          "type": {"id": 4, "identifier": "S"}, "dateStart": start, "dateEnd": end,
                                          "member": {"identifier": "dana", "name": "Dana Tech"}})
            self._touch(self.tickets[int(ticket_id)])

    # -- handlers -----------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], headers: Any,
               body: bytes) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append({"method": method, "path": path, "query": query,
                                  "headers": {k.lower(): v for k, v in headers.items()}, "body": body})
            self._check_headers(method, path, headers)
            for i, (status, retry_after, prefix) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[i]
                    raise ApiError(status, "TooManyRequests" if status == 429 else "ServerError",
                                   "The server is busy" if status == 429 else "An internal error occurred: timeout",
                                   headers={"Retry-After": retry_after} if retry_after else {})
            return _route(self, method, path, query, headers, body)

    def _check_headers(self, method: str, path: str, headers: Any) -> None:
        if headers.get("Authorization") != f"Basic {self.basic}":
            raise ApiError(401, "Unauthorized", "The API member's keys or the company id are wrong.")
        if headers.get("clientId") != self.client_id:
            raise ApiError(401, "Unauthorized", "A valid clientId header is required.")
        accept = ACCEPT.match(headers.get("Accept") or "")
        if not accept:
            raise ApiError(400, "InvalidVersion", "Pin the API version in Accept: "
                           "application/vnd.connectwise.com+json; version=YYYY.N")
        self.versions.add(accept.group(1))
        if method in ("POST", "PATCH", "PUT") and path != "system/documents":
            if not (headers.get("Content-Type") or "").startswith("application/json"):
                raise ApiError(415, "UnsupportedMediaType", "Send the body as application/json.")

    def _store_note(self, ticket_id: int, body: dict[str, Any], member: dict[str, Any] | None = None) -> dict[str, Any]:
        note = {"id": self.next_id(), "ticketId": ticket_id, "text": body["text"], "noteType": "TicketNote",
                "detailDescriptionFlag": bool(body.get("detailDescriptionFlag")),
                "internalAnalysisFlag": bool(body.get("internalAnalysisFlag")),
                "resolutionFlag": bool(body.get("resolutionFlag")), "member": member or dict(API_MEMBER),
                "contact": body.get("contact"), "dateCreated": now_iso(),
                "_info": {"lastUpdated": now_iso(), "updatedBy": (member or API_MEMBER)["identifier"]}}
        self.notes.setdefault(ticket_id, []).append(note)
        self._touch(self.tickets[ticket_id])
        return note


def _handler(fake: FakeConnectWise) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            prefix = "/v4_6_release/apis/3.0/"
            extra: dict[str, str] = {}
            try:
                if not parts.path.startswith(prefix):
                    raise ApiError(404, "NotFound", f"No route {parts.path}")
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                status, payload, extra = fake.handle(self.command, parts.path[len(prefix):].rstrip("/"), query,
                                                     self.headers, body)
            except ApiError as exc:
                status, payload, extra = exc.status, exc.body, exc.headers
            except ConditionError as exc:
                status, payload = 400, {"code": "InvalidConditions", "message": str(exc), "errors": []}
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("api-current-version", "2025.16")
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler


# ------------------------------------------------------------------------------------- routing


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise ApiError(400, "InvalidJson", "The body is not valid JSON.") from None


def listing(fake: FakeConnectWise, path: str, items: list[dict[str, Any]], query: dict[str, str],
             headers: Any) -> tuple[int, Any, dict[str, str]]:
    if query.get("conditions"):
        items = list(filter(conditions_filter(query["conditions"]), items))
    if query.get("childConditions"):
        items = list(filter(child_filter(query["childConditions"]), items))
    size = int(query.get("pageSize") or 25)
    if not 1 <= size <= 1000:
        raise ApiError(400, "InvalidPageSize", "pageSize must be between 1 and 1000.")
    order = (query.get("orderBy") or "id asc").split()
    items = sorted(items, key=lambda i: i.get(order[0]) or 0, reverse=len(order) > 1 and order[1].lower() == "desc")
    base = f"{fake.url}/{path}"
    if (headers.get("pagination-type") or "").lower() == "forward-only":
        items = sorted(items, key=lambda i: i["id"])
        after = int(query.get("pageId") or 0)
        rest = [i for i in items if i["id"] > after]
        page, more = rest[:size], len(rest) > size
        link = {"Link": f'<{base}?{urlencode({**query, "pageId": page[-1]["id"]})}>; rel="next"'} if more else {}
    else:
        number = int(query.get("page") or 1)
        page, more = items[(number - 1) * size: number * size], len(items) > number * size
        link = {"Link": f'<{base}?{urlencode({**query, "page": number + 1})}>; rel="next"'} if more else {}
    return 200, [_fields(i, query.get("fields")) for i in page], link


def _fields(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return item
    wanted = [f.strip().split("/")[0] for f in fields.split(",") if f.strip()]
    return {k: v for k, v in item.items() if k in wanted}


def _route(fake: FakeConnectWise, method: str, path: str, query: dict[str, str], headers: Any,
           body: bytes) -> tuple[int, Any, dict[str, str]]:
    from fake_cw_routes import route  # the endpoints live beside this module; imported late (they import it)

    return route(fake, method, path, query, headers, body)
