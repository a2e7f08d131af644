"""The Intake service: FastAPI app, enrolment and auth, relay outbox and sync, policy, connectors.

Importing this package is cheap on purpose: the desktop client shares the
``intake_app`` package and must never pay for FastAPI, SQLAlchemy or uvicorn
unless it runs the service. Heavy imports live in the submodules.
"""

SERVICE_API_VERSION = 1
