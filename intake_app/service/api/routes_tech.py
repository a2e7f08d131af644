"""Technician endpoints (technician token; the local connector's helpdesk)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from intake_app.service.api.deps import Runtime, Technician
from intake_app.service.api.routes_tickets import _list
from intake_app.service.errors import Invalid

router = APIRouter(prefix="/tech", tags=["technician"])


class StatusBody(BaseModel):
    status: str = Field(min_length=1, max_length=100)


class PriorityBody(BaseModel):
    priority: int | str


class AssigneeBody(BaseModel):
    technician: str = Field(max_length=200)


class AppointmentBody(BaseModel):
    start: AwareDatetime
    end: AwareDatetime


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=65536)
    internal: bool = False


class DecisionBody(BaseModel):
    approve: bool
    reason: str = Field(min_length=1, max_length=4000)


@router.get("/tickets", summary="Every ticket, with relay state (ETag, updated_since)")
def tech_tickets(request: Request, tech: Technician, rt: Runtime, scope: Literal["mine", "all"] = "all",
                 updated_since: str | None = Query(None)) -> Response:
    return _list(request, rt, tech, scope, updated_since)


@router.get("/tickets/{ref}", summary="One ticket with its timeline")
def tech_ticket(ref: str, tech: Technician, rt: Runtime) -> dict[str, Any]:
    return rt.views.detail(tech, ref)


@router.post("/tickets/{ref}/status")
def set_status(ref: str, body: StatusBody, tech: Technician, rt: Runtime) -> dict[str, Any]:
    return rt.tech.set_status(tech, ref, body.status)


@router.post("/tickets/{ref}/priority")
def set_priority(ref: str, body: PriorityBody, tech: Technician, rt: Runtime) -> dict[str, Any]:
    return rt.tech.set_priority(tech, ref, body.priority)


@router.post("/tickets/{ref}/assignee")
def assign(ref: str, body: AssigneeBody, tech: Technician, rt: Runtime) -> dict[str, Any]:
    return rt.tech.assign(tech, ref, body.technician)


@router.post("/tickets/{ref}/appointment")
def appointment(ref: str, body: AppointmentBody, tech: Technician, rt: Runtime) -> dict[str, Any]:
    if body.end <= body.start:
        raise Invalid({"end": "The appointment must end after it starts."})
    return rt.tech.set_appointment(tech, ref, body.start, body.end)


@router.post("/tickets/{ref}/notes", status_code=201)
def add_note(ref: str, body: NoteBody, tech: Technician, rt: Runtime) -> dict[str, Any]:
    return rt.tech.add_note(tech, ref, body.text, body.internal)


@router.post("/tickets/{ref}/escalation", summary="Record the primary contact's decision made by phone")
def phone_decision(ref: str, body: DecisionBody, tech: Technician, rt: Runtime) -> dict[str, Any]:
    return rt.escalations.record_phone(tech, ref, body.approve, body.reason)


@router.post("/jobs/run", summary="Run the lifecycle jobs now (Pending Closure → Completed)")
def run_jobs(tech: Technician, rt: Runtime) -> dict[str, Any]:
    return {"changed": rt.tech.run_jobs(), "ran_at": rt.clock().isoformat()}
