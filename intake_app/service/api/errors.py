"""One error shape for every failure, FastAPI's own included (docs/API.md "Errors").

``{"error": {"code": "...", "message": "...", "details": {...}}}`` with a stable
code; 429/503 carry ``Retry-After``. Unexpected exceptions become ``internal``
without leaking their text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from intake_app.service.errors import ServiceError

log = logging.getLogger(__name__)

STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "bad_request",
                422: "validation_failed", 429: "rate_limited", 503: "helpdesk_unavailable"}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}},
                        status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = STATUS_CODES.get(exc.status_code, "internal" if exc.status_code >= 500 else "bad_request")
    message = {404: "No such endpoint.", 405: f"{request.method} is not allowed here."}.get(
        exc.status_code, str(exc.detail))
    headers = dict(exc.headers or {})
    return error_response(exc.status_code, code, message, None, headers or None)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "bad_request", "The request body is not valid JSON.")
    details: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        field = ".".join(loc) or "body"
        details.setdefault(field, _message(error))
    first = next(iter(details.items()))
    return error_response(422, "validation_failed", f"{first[0]}: {first[1]}", details)


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "This field is required."
    return str(error.get("msg", "Not valid.")).removeprefix("Value error, ")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return error_response(500, "internal", "Something went wrong in the Intake service; it was logged.")
