"""Enrolment, the caller's identity, e-mail verification, device revocation, policy (``/meta``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from intake_app import __version__
from intake_app.service import SERVICE_API_VERSION
from intake_app.service.api.deps import Device, Runtime, Technician, client_address, conditional
from intake_app.service.demo import adopt_user
from intake_app.service.errors import RateLimited
from intake_app.service.identity import Principal
from intake_app.service.ratelimit import Limit
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.secrets_util import digest

router = APIRouter()

ENROL_PER_ADDRESS = Limit(30, 60)
ENROL_PER_KEY = Limit(120, 60)
VERIFY_PER_ADDRESS = Limit(30, 60)
CONFIRM_PER_DEVICE = Limit(15, 15 * 60)


class EnrollRequest(BaseModel):
    enrolment_key: str = Field(min_length=1, max_length=200)
    device_name: str = Field("", max_length=200)
    user_name: str = Field("", max_length=200)
    user_email: str = Field("", max_length=320)


class VerifyStart(BaseModel):
    email: str = Field(min_length=1, max_length=320)


class VerifyConfirm(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    code: str = Field(min_length=1, max_length=20)


def _limit(rt: ServiceRuntime, key: str, limit: Limit, what: str) -> None:
    if (wait := rt.limiter.hit(key, limit)) is not None:
        raise RateLimited(f"Too many {what}; try again in {wait} seconds.", retry_after=wait)


def _user(rt: ServiceRuntime, who: Principal) -> tuple[dict[str, Any], dict[str, str]]:
    company = rt.companies.get(who.company_id or 0)
    email = who.verified_email or who.email
    resolved = rt.directory.resolve(company, email)
    role = "primary_contact" if who.verified and resolved.is_primary else "client"
    on_file = resolved.contact.to_contact().to_dict()
    user = {"name": who.name, "email": email, "phone": "" if resolved.catch_all else resolved.contact.phone,
            "verified": who.verified, "role": role}
    return user, on_file


@router.post("/enroll", status_code=201, tags=["identity"], summary="Enrol a device with the company's key")
def enroll(body: EnrollRequest, request: Request, rt: Runtime) -> JSONResponse:
    _limit(rt, f"enrol-ip:{client_address(request)}", ENROL_PER_ADDRESS, "enrolment attempts from this address")
    _limit(rt, f"enrol-key:{digest(body.enrolment_key)}", ENROL_PER_KEY, "enrolments with this key")
    result = rt.identity.enrol(body.enrolment_key, body.device_name, body.user_name, body.user_email)
    if rt.config.demo:
        adopt_user(rt.contacts, result.company, body.user_name, body.user_email)
    user, _ = _user(rt, result.principal)
    return JSONResponse({"device_id": result.principal.device_id, "token": result.token,
                         "company": result.company.name, "user": user}, status_code=201)


@router.get("/me", tags=["identity"], summary="Who this device's user is, and their contact on file")
def me(who: Device, rt: Runtime) -> dict[str, Any]:
    user, on_file = _user(rt, who)
    return {"device_id": who.device_id, "device_name": who.device_name,
            "company": rt.companies.get(who.company_id or 0).name, "user": user, "contact_on_file": on_file}


@router.post("/verify/start", status_code=202, tags=["identity"], summary="Mail a one-time code to verify an e-mail")
def verify_start(body: VerifyStart, request: Request, who: Device, rt: Runtime) -> JSONResponse:
    _limit(rt, f"verify-ip:{client_address(request)}", VERIFY_PER_ADDRESS, "verification requests from this address")
    if rt.verification.start(who, body.email):
        return JSONResponse({"verified": True}, status_code=200)
    return JSONResponse({"sent": True}, status_code=202)


@router.post("/verify/confirm", tags=["identity"], summary="Confirm the e-mail with the code")
def verify_confirm(body: VerifyConfirm, request: Request, who: Device, rt: Runtime) -> dict[str, Any]:
    _limit(rt, f"verify-ip:{client_address(request)}", VERIFY_PER_ADDRESS, "verification requests from this address")
    _limit(rt, f"confirm-device:{who.device_id}", CONFIRM_PER_DEVICE, "codes tried from this device")
    verified = rt.verification.confirm(who, body.email, body.code)
    user, _ = _user(rt, verified)
    return {"verified": True, "role": user["role"]}


@router.delete("/devices/{device_id}", status_code=204, tags=["identity"], summary="Revoke a device (technician)")
def revoke_device(device_id: str, tech: Technician, rt: Runtime) -> Response:
    rt.identity.revoke_device(device_id)
    return Response(status_code=204)


@router.get("/meta", tags=["policy"], summary="The company's policy, with the API and service versions")
def meta(request: Request, who: Device, rt: Runtime) -> Response:
    payload = rt.companies.policy(who.company_id or 0).to_dict()
    payload.update({"api_version": SERVICE_API_VERSION, "service_version": __version__})
    return conditional(request, payload)
