"""The endpoints of the fake ConnectWise server (see :mod:`fake_connectwise` for the rules)."""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fake_connectwise import (
    API_MEMBER,
    NOTE_FIELDS,
    TICKET_FIELDS,
    TICKET_LIMITS,
    ApiError,
    FakeConnectWise,
    invalid,
    listing,
    now_iso,
    parse_json,
)

Result = tuple[int, Any, dict[str, str]]


def route(fake: FakeConnectWise, method: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Result:
    m = re.fullmatch
    if method == "GET" and path == "system/info":
        return 200, {"version": "v2025.1.98765", "isCloud": True, "serverTimeZone": "Eastern Standard Time"}, {}
    if method == "GET" and path == "service/boards":
        return listing(fake, path, fake.boards, query, headers)
    if method == "GET" and (g := m(r"service/boards/(\d+)/statuses", path)):
        return listing(fake, path, fake.statuses.get(int(g.group(1)), []), query, headers)
    if method == "GET" and path == "service/priorities":
        return listing(fake, path, fake.priorities, query, headers)
    if method == "GET" and path == "company/contacts":
        return listing(fake, path, fake.contacts, query, headers)
    if method == "GET" and (g := m(r"company/contacts/(\d+)", path)):
        contact = _find(fake.contacts, int(g.group(1)), "contact")
        return 200, _pick(contact, query.get("fields")), {}
    if method == "GET" and path == "company/configurations":
        return listing(fake, path, fake.configurations, query, headers)
    if method == "GET" and path == "service/tickets":
        return listing(fake, path, list(fake.tickets.values()), query, headers)
    if method == "POST" and path == "service/tickets":
        return 201, create_ticket(fake, parse_json(body)), {}
    if (g := m(r"service/tickets/(\d+)", path)):
        ticket = _find(list(fake.tickets.values()), int(g.group(1)), "ticket")
        if method == "GET":
            return 200, ticket, {}
        if method == "PATCH":
            return 200, patch_ticket(fake, ticket, parse_json(body)), {}
    if (g := m(r"service/tickets/(\d+)/notes", path)):
        ticket_id = _find(list(fake.tickets.values()), int(g.group(1)), "ticket")["id"]
        if method == "GET":
            return listing(fake, path, fake.notes.get(ticket_id, []), query, headers)
        if method == "POST":
            return 201, post_note(fake, ticket_id, parse_json(body)), {}
    if method == "POST" and (g := m(r"service/tickets/(\d+)/configurations", path)):
        ticket_id = _find(list(fake.tickets.values()), int(g.group(1)), "ticket")["id"]
        ref = parse_json(body)
        config = _find(fake.configurations, int((ref or {}).get("id") or 0), "configuration")
        fake.linked.setdefault(ticket_id, []).append(config["id"])
        return 201, {"id": config["id"], "name": config["name"]}, {}
    if path == "system/documents":
        if method == "GET":
            docs = [d for d in fake.documents if d["_recordType"] == query.get("recordType")
                    and str(d["_recordId"]) == query.get("recordId")]
            return listing(fake, path, [_public(d) for d in docs], query, headers)
        if method == "POST":
            return 201, post_document(fake, headers, body), {}
    if method == "GET" and path == "schedule/entries":
        return listing(fake, path, fake.schedule_entries, query, headers)
    raise ApiError(404, "NotFound", f"No route {method} /{path}")


def _find(items: list[dict[str, Any]], item_id: int, what: str) -> dict[str, Any]:
    for item in items:
        if item["id"] == item_id:
            return item
    raise ApiError(404, "NotFound", f"{what.capitalize()} record not found")


def _pick(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return item
    wanted = {f.strip().split("/")[0] for f in fields.split(",")}
    return {k: v for k, v in item.items() if k in wanted}


def _ref(items: list[dict[str, Any]], ref: Any, field: str, keys: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    if not isinstance(ref, dict) or not any(ref.get(k) for k in keys):
        raise invalid(field, "InvalidObject", f"{field} must be a reference with {' or '.join(keys)}")
    for item in items:
        if any(ref.get(k) is not None and str(ref.get(k)).casefold() == str(item.get(k)).casefold() for k in keys):
            return item
    raise invalid(field, "InvalidObject", f"{field} does not exist")


def create_ticket(fake: FakeConnectWise, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidObject", "ticket object is invalid")
    unknown = sorted(set(body) - TICKET_FIELDS)
    if unknown:
        raise invalid(unknown[0], "InvalidField", f"{unknown[0]} is not a field of ticket")
    summary = body.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise invalid("summary", "Required", "summary is required")
    for field, limit in TICKET_LIMITS.items():
        if isinstance(body.get(field), str) and len(body[field]) > limit:
            raise invalid(field, "MaxLength", f"{field} cannot be longer than {limit} characters")
    if "company" not in body:
        raise invalid("company", "Required", "company is required")
    company = _ref(fake.companies, body["company"], "company", ("id", "identifier"))
    board = _ref(fake.boards, body.get("board") or {"id": 1}, "board", ("id", "name"))
    status = (_ref(fake.statuses[board["id"]], body["status"], "status", ("id", "name")) if "status" in body
              else fake.statuses[board["id"]][1])
    priority = (_ref(fake.priorities, body["priority"], "priority", ("id", "name")) if "priority" in body
                else fake.priorities[2])
    contact = None
    if body.get("contact"):
        contact = _ref(fake.contacts, body["contact"], "contact")
        if contact["company"]["id"] != company["id"]:
            raise invalid("contact", "InvalidObject", "contact does not belong to the ticket's company")
    values = {}
    for item in body.get("customFields") or []:
        if not isinstance(item, dict) or item.get("id") not in fake.custom_field_defs:
            raise invalid("customFields", "InvalidObject", f"custom field {item!r} does not exist")
        values[item["id"]] = item.get("value")
    ticket_id = fake.next_id()
    stamp = now_iso()
    name = f"{contact['firstName']} {contact['lastName']}" if contact else None
    ticket = {
        "id": ticket_id, "summary": summary, "recordType": "ServiceTicket",
        "board": {"id": board["id"], "name": board["name"]}, "status": {"id": status["id"], "name": status["name"]},
        "company": {k: company[k] for k in ("id", "identifier", "name")},
        "contact": {"id": contact["id"], "name": name} if contact else None,
        "contactName": body.get("contactName", name),
        "contactEmailAddress": body.get("contactEmailAddress",
                                        contact["communicationItems"][0]["value"] if contact else None),
        "contactPhoneNumber": body.get("contactPhoneNumber"),
        "priority": {"id": priority["id"], "name": priority["name"]}, "owner": None,
        "externalXRef": body.get("externalXRef"), "closedFlag": bool(status["closedStatus"]),
        "customFields": [{"id": i, "caption": c, "type": "Text", "entryMethod": "EntryField",
                          "numberOfDecimals": 0, "value": values.get(i)} for i, c in fake.custom_field_defs.items()],
        "dateEntered": stamp, "_info": {"lastUpdated": stamp, "dateEntered": stamp, "enteredBy": "intakeapi",
                                        "updatedBy": "intakeapi"},
    }
    fake.tickets[ticket_id] = ticket
    fake.written[ticket_id] = {k: body[k] for k in ("initialDescription", "initialInternalAnalysis") if k in body}
    # ConnectWise turns the initial texts into the first Discussion and Internal notes
    if body.get("initialDescription"):
        fake._store_note(ticket_id, {"text": body["initialDescription"], "detailDescriptionFlag": True})
    if body.get("initialInternalAnalysis"):
        fake._store_note(ticket_id, {"text": body["initialInternalAnalysis"], "internalAnalysisFlag": True})
    return ticket


def patch_ticket(fake: FakeConnectWise, ticket: dict[str, Any], ops: Any) -> dict[str, Any]:
    if not isinstance(ops, list) or not ops:
        raise ApiError(400, "InvalidObject", "PATCH takes a JSON Patch array of operations")
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in ("replace", "add") or "path" not in op:
            raise ApiError(400, "InvalidObject", "each operation needs op (replace/add), path and value")
        path, value = str(op["path"]).strip("/"), op.get("value")
        if path == "status":
            status = _ref(fake.statuses[ticket["board"]["id"]], value, "status", ("id", "name"))
            ticket["status"] = {"id": status["id"], "name": status["name"]}
            ticket["closedFlag"] = bool(status["closedStatus"])
        elif path == "priority":
            priority = _ref(fake.priorities, value, "priority", ("id", "name"))
            ticket["priority"] = {"id": priority["id"], "name": priority["name"]}
        elif path == "customFields":
            if not isinstance(value, list) or any(v.get("id") not in fake.custom_field_defs for v in value):
                raise invalid("customFields", "InvalidObject", "unknown custom field")
            by_id = {v["id"]: v.get("value") for v in value}
            for cf in ticket["customFields"]:
                cf["value"] = by_id.get(cf["id"], cf["value"])
        else:
            raise invalid(path, "InvalidField", f"{path} cannot be patched by this fake")
    fake._touch(ticket)
    ticket["_info"]["updatedBy"] = "intakeapi"
    return ticket


def post_note(fake: FakeConnectWise, ticket_id: int, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidObject", "note object is invalid")
    unknown = sorted(set(body) - NOTE_FIELDS)
    if unknown:
        raise invalid(unknown[0], "InvalidField", f"{unknown[0]} is not a field of note", "note")
    if not str(body.get("text") or "").strip():
        raise invalid("text", "Required", "text is required", "note")
    if not any(body.get(f) for f in ("detailDescriptionFlag", "internalAnalysisFlag", "resolutionFlag")):
        raise invalid("detailDescriptionFlag", "Required", "a note must be Discussion, Internal or Resolution", "note")
    if body.get("contact"):
        _ref(fake.contacts, body["contact"], "contact")
    return fake._store_note(ticket_id, body, member=dict(API_MEMBER))


def post_document(fake: FakeConnectWise, headers: Any, body: bytes) -> dict[str, Any]:
    ctype = headers.get("Content-Type") or ""
    if not ctype.startswith("multipart/form-data") or "boundary=" not in ctype:
        raise ApiError(400, "InvalidObject", "Upload documents as multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
    fields: dict[str, str] = {}
    file_part = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name == "file":
            file_part = part
        elif name:
            fields[name] = part.get_content().strip() if part.get_content_maintype() == "text" else \
                part.get_payload(decode=True).decode()
    for required in ("recordType", "recordId", "title"):
        if not fields.get(required):
            raise invalid(required, "Required", f"{required} is required", "document")
    if file_part is None or not file_part.get_filename():
        raise invalid("file", "Required", "file is required", "document")
    if fields["recordType"] != "Ticket":
        raise invalid("recordType", "InvalidObject", "this fake only stores Ticket documents", "document")
    ticket = _find(list(fake.tickets.values()), int(fields["recordId"]), "ticket")
    data = file_part.get_payload(decode=True) or b""
    doc = {"id": fake.next_id(), "title": fields["title"], "fileName": file_part.get_filename(),
           "serverFileName": f"{fake.next_id()}.bin", "owner": "intakeapi", "linkFlag": False,
           "imageFlag": file_part.get_content_type().startswith("image/"),
           "publicFlag": fields.get("privateFlag", "false") != "true", "readOnlyFlag": False, "size": len(data),
           "urlFlag": False, "createdOnDate": now_iso(), "_info": {"lastUpdated": now_iso()},
           "_recordType": "Ticket", "_recordId": ticket["id"], "_bytes": data,
           "_contentType": file_part.get_content_type()}
    fake.documents.append(doc)
    fake._touch(ticket)
    return _public(doc)


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_") or k == "_info"}
