"""Dependencies shared by the routes: the runtime, the caller, conditional responses."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from intake_app.service.errors import Forbidden
from intake_app.service.identity import Principal
from intake_app.service.runtime import ServiceRuntime

bearer = HTTPBearer(auto_error=False, description="A device token (enrolment) or a technician token (admin CLI).")


def runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


Runtime = Annotated[ServiceRuntime, Depends(runtime)]


def principal(rt: Runtime, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    return rt.identity.authenticate(credentials.credentials if credentials else "")


def device(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if who.is_technician:
        raise Forbidden("This endpoint is for enrolled devices; technicians use /tech/... endpoints.")
    return who


def technician(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if not who.is_technician:
        raise Forbidden("Only technicians may do this.")
    return who


Caller = Annotated[Principal, Depends(principal)]
Device = Annotated[Principal, Depends(device)]
Technician = Annotated[Principal, Depends(technician)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def conditional(request: Request, payload: dict[str, Any], volatile: tuple[str, ...] = ("server_time",)) -> Response:
    """``payload`` with an ETag, or 304 when the caller already has it (``volatile`` keys do not count)."""
    stable = {k: v for k, v in payload.items() if k not in volatile}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:32]
    tag = f'W/"{digest}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    wanted = request.headers.get("if-none-match", "")
    if wanted and (wanted.strip() == "*" or tag in _tags(wanted)):
        return Response(status_code=304, headers=headers)
    return JSONResponse(payload, headers=headers)


def _tags(header: str) -> set[str]:
    tags = set()
    for item in header.split(","):
        item = item.strip()
        tags.add(item)
        tags.add(item[2:] if item.startswith("W/") else f"W/{item}")  # weak comparison
    return tags
