"""Tickets: submit (202 into the outbox), list and read from the cache, reply, update, close, reopen."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from intake_app.core.ticket import AttachmentInfo
from intake_app.service.api.deps import Device, Runtime, conditional
from intake_app.service.api.multipart import MultipartUpload, boundary_of
from intake_app.service.clock import parse_instant
from intake_app.service.db import schema as s
from intake_app.service.errors import BadRequest, Invalid, NotFound
from intake_app.service.identity import Principal
from intake_app.service.runtime import ServiceRuntime

router = APIRouter(tags=["tickets"])

SERVER_TIME_OVERLAP = timedelta(seconds=5)  # updated_since=server_time never misses a late commit
MULTIPART_DOC = {
    "requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["ticket"], "properties": {
            "ticket": {"type": "string", "description": "TicketDraft.to_dict() as application/json"},
        }, "additionalProperties": {"type": "string", "format": "binary",
                                    "description": "one part per attachment, named attachment:<key>"}}},
        "application/json": {"schema": {"type": "object", "description": "TicketDraft.to_dict(), no attachments"}},
    }},
}
REPLY_DOC = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object", "required": ["text"],
                                        "properties": {"text": {"type": "string"}}}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["reply"], "properties": {
            "reply": {"type": "string", "description": '{"text", "attachments": [AttachmentInfo]} as JSON'}},
            "additionalProperties": {"type": "string", "format": "binary"}}},
    }},
}


class TicketUpdate(BaseModel):
    availability: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    contact_method: str | None = None
    contact_method_detail: str | None = Field(None, max_length=320)


class CloseBody(BaseModel):
    text: str = Field("", max_length=65536)


class ReopenBody(BaseModel):
    text: str = Field(min_length=1, max_length=65536)


async def _read_document(request: Request, rt: ServiceRuntime, json_name: str) -> tuple[Any, MultipartUpload | None]:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "application/json":
        body = await request.body()
        if not body.strip():
            raise BadRequest("The request body is empty.")
        return json.loads(body), None
    upload = MultipartUpload(json_name, rt.files)
    try:
        await upload.read(request, boundary_of(content_type))
    except BaseException:
        upload.discard()
        raise
    return upload.document, upload


@router.post("/tickets", status_code=202, summary="Submit a ticket (multipart with attachments, or JSON)",
             openapi_extra=MULTIPART_DOC)
async def submit(request: Request, who: Device, rt: Runtime) -> JSONResponse:
    document, upload = await _read_document(request, rt, "ticket")
    try:
        accepted = await anyio.to_thread.run_sync(rt.intake.accept, who, document, upload.parts if upload else {})
    finally:
        if upload is not None:
            upload.discard()
    return JSONResponse(accepted.to_dict(), status_code=202)


@router.get("/tickets", summary="List tickets (ETag, updated_since)")
def list_tickets(request: Request, who: Device, rt: Runtime, scope: Literal["mine", "all"] = "mine",
                 updated_since: str | None = Query(None, description="ISO 8601 with offset")) -> Response:
    return _list(request, rt, who, scope, updated_since)


def _list(request: Request, rt: ServiceRuntime, who: Principal, scope: str, updated_since: str | None) -> Response:
    since = None
    if updated_since:
        try:
            since = parse_instant(updated_since, "updated_since")
        except ValueError as exc:
            raise Invalid({"updated_since": str(exc)}) from None
    server_time = rt.clock() - SERVER_TIME_OVERLAP
    tickets = rt.views.list(who, scope, since)
    return conditional(request, {"tickets": tickets, "server_time": server_time.isoformat()})


@router.get("/tickets/{ref}", summary="One ticket with its timeline (ETag)")
def get_ticket(ref: str, request: Request, who: Device, rt: Runtime) -> Response:
    return conditional(request, rt.views.detail(who, ref))


@router.get("/tickets/{ref}/attachments/{key}", summary="An attachment's bytes",
            response_class=Response, responses={200: {
                "description": "The bytes, with the attachment's own media type (re-detected from its content)",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}})
def get_attachment(ref: str, key: str, who: Device, rt: Runtime) -> Response:
    row = rt.views.visible_row(who, ref)
    with rt.db.read() as conn:
        found = conn.execute(select(s.ticket_attachments).where(
            s.ticket_attachments.c.ticket_id == row.id, s.ticket_attachments.c.key == key)).first()
    if found is None:
        raise NotFound("No such attachment on this ticket.")
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return FileResponse(rt.files.path(found.stored_name), media_type=found.media_type,
                        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"})


@router.post("/tickets/{ref}/replies", status_code=201, summary="Reply (JSON, or multipart with attachments)",
             openapi_extra=REPLY_DOC)
async def reply(ref: str, request: Request, who: Device, rt: Runtime) -> JSONResponse:
    document, upload = await _read_document(request, rt, "reply")
    try:
        if not isinstance(document, dict) or not isinstance(document.get("text", ""), str):
            raise Invalid({"text": "Send {\"text\": \"...\"}."})
        try:
            described = [AttachmentInfo.from_dict(a) for a in document.get("attachments") or ()]
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid({"attachments": f"An attachment description is not valid: {exc}"}) from None
        summary = await anyio.to_thread.run_sync(rt.actions.reply, who, ref, document.get("text", ""), described,
                                                 upload.parts if upload else {})
    finally:
        if upload is not None:
            upload.discard()
    return JSONResponse({"ticket": summary}, status_code=201)


@router.patch("/tickets/{ref}", summary="Update availability / contact / contact method while open")
def update_ticket(ref: str, body: TicketUpdate, who: Device, rt: Runtime) -> dict[str, Any]:
    return rt.actions.update(who, ref, body.model_dump(exclude_none=True))


@router.post("/tickets/{ref}/close", summary="\"Fixed, close it\" → Completed")
def close_ticket(ref: str, who: Device, rt: Runtime, body: CloseBody | None = None) -> dict[str, Any]:
    return {"ticket": rt.actions.close(who, ref, body.text if body else "")}


@router.post("/tickets/{ref}/reopen", summary="\"Not fixed\" → Re-opened")
def reopen_ticket(ref: str, body: ReopenBody, who: Device, rt: Runtime) -> dict[str, Any]:
    return {"ticket": rt.actions.reopen(who, ref, body.text)}
