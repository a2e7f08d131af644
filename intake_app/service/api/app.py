"""Build the FastAPI application around a :class:`ServiceRuntime`."""

from __future__ import annotations

from fastapi import FastAPI

from intake_app import __version__
from intake_app.service.api import errors
from intake_app.service.api.limits_mw import RequestLimits
from intake_app.service.api.openapi_errors import error_responses
from intake_app.service.api.routes_escalations import router as escalations_router
from intake_app.service.api.routes_identity import router as identity_router
from intake_app.service.api.routes_tech import router as tech_router
from intake_app.service.api.routes_tickets import router as tickets_router
from intake_app.service.runtime import ServiceRuntime

PREFIX = "/api/v1"


def create_app(runtime: ServiceRuntime) -> FastAPI:
    app = FastAPI(
        title="Intake API",
        version=__version__,
        summary="Client ↔ Intake service: enrolment, tickets, policy, escalation (docs/API.md).",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.add_middleware(RequestLimits)
    for router in (identity_router, tickets_router, escalations_router, tech_router):
        app.include_router(router, prefix=PREFIX, responses=error_responses())
    return app
