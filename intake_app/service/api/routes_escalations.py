"""Paid escalation: request on an open P3, list and decide (verified primary contact)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from intake_app.service.api.deps import Device, Runtime

router = APIRouter(tags=["escalation"])
MAX_ID = 2**53  # ids are database integers; larger numbers are a 422, not an overflow


class EscalationBody(BaseModel):
    reason: str = Field("", max_length=4000)


class DecisionBody(BaseModel):
    approve: bool
    reason: str = Field("", max_length=4000)


@router.post("/tickets/{ref}/escalation", status_code=201, summary="Request a paid escalation (open P3)")
def request_escalation(ref: str, body: EscalationBody, who: Device, rt: Runtime) -> JSONResponse:
    return JSONResponse(rt.escalations.request(who, ref, body.reason), status_code=201)


@router.get("/escalations", summary="The company's escalations (verified primary contact)")
def list_escalations(who: Device, rt: Runtime,
                     state: Literal["pending", "approved", "denied", "cancelled"] | None = None) -> dict[str, Any]:
    return {"escalations": rt.escalations.list(who, state)}


@router.post("/escalations/{escalation_id}/decision", summary="Approve or deny (verified primary contact)")
def decide(escalation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: DecisionBody, who: Device,
           rt: Runtime) -> dict[str, Any]:
    return rt.escalations.decide(who, escalation_id, body.approve, body.reason)
