"""Which service to talk to, and as whom: the admin file's service, or the local demo.

Rules (SPEC §5): ``--demo``, or no admin file anywhere, means demo mode (the
local service is started if none runs). An admin file that exists is deployed
configuration: a missing or invalid service URL is a ConfigError, never a
quiet fall-back to the demo.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from intake_app.client.api import ApiClient
from intake_app.client.demo import DEMO_ENROLMENT_KEY, DEMO_USER_EMAIL, DEMO_USER_NAME, DemoService
from intake_app.client.errors import NotEnrolledError, UnauthorizedError
from intake_app.client.session import connect, enroll, refresh_identity, start_verification
from intake_app.client.state import ClientState, load_state, save_state
from intake_app.config.admin import AdminConfig, load_admin_config
from intake_app.config.profile import load_profile
from intake_app.config.secrets import token_key
from intake_app.paths import AppPaths

log = logging.getLogger(__name__)


@dataclass
class Target:
    """Where tickets go: a configured service (``admin``) or the demo (``demo`` True)."""

    demo: bool
    admin: AdminConfig = field(default_factory=AdminConfig)

    @property
    def service_url(self) -> str | None:
        return self.admin.service_url

    @property
    def ca_bundle(self) -> str | None:
        return self.admin.ca_bundle


def resolve_target(paths: AppPaths, *, config_path: str | None = None, demo: bool = False) -> Target:
    """Demo when asked or when no admin file exists; otherwise the admin file (errors propagate)."""
    if demo:
        return Target(demo=True)
    admin = load_admin_config(config_path, paths=paths)
    return Target(demo=admin.is_demo, admin=admin)


def demo_token_key(paths: AppPaths) -> str:
    """A fixed TokenStore key for the demo: its URL changes with every start (port 0)."""
    return f"intake-demo:{paths.demo_service}"


@dataclass
class ClientContext:
    """An enrolled identity and a ready ApiClient; ``close()`` also stops a demo service we started."""

    paths: AppPaths
    target: Target
    state: ClientState
    api: ApiClient
    demo_service: DemoService | None = None

    @property
    def demo(self) -> bool:
        return self.target.demo

    def close(self) -> None:
        self.api.close()
        if self.demo_service is not None:
            self.demo_service.stop()

    def __enter__(self) -> ClientContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_context(paths: AppPaths, target: Target, *, owner: str = "cli",
                 demo_service: DemoService | None = None, reenrol: bool = False) -> ClientContext:
    """Connect to ``target``, enrolling automatically where that needs no input from the user.

    Configured: uses the saved enrolment for that URL, or enrols with the admin
    file's key and the profile's name and e-mail; otherwise NotEnrolledError.
    Demo: starts (or reuses) the local service and enrols as the demo user.
    ``reenrol``: ignore the saved enrolment (after an UnauthorizedError: the
    device was revoked); queued tickets that waited for it are sent afterwards.
    """
    if target.demo:
        service = demo_service or DemoService(paths, owner=owner)
        url = service.start()
        try:
            state, api = _demo_identity(paths, url, reenrol)
        except BaseException:
            service.stop()
            raise
        return ClientContext(paths, target, state, api, service)
    assert target.service_url is not None
    state = load_state(paths)
    if not reenrol and state is not None and token_key(state.service_url) == token_key(target.service_url):
        try:
            return ClientContext(paths, target, state, connect(paths, state, ca_bundle=target.ca_bundle))
        except NotEnrolledError:
            pass  # the token is gone: enrol again below when we can
    name, email = _identity(paths, state)
    if not target.admin.enrolment_key or not name or not email:
        raise NotEnrolledError(
            "This computer is not enrolled with the helpdesk service yet. Run: intake-app enroll "
            f"--service {target.service_url} --key KEY --name \"Your Name\" --email you@example.com")
    state, api = enroll(paths, target.service_url, target.admin.enrolment_key, user_name=name, user_email=email,
                        ca_bundle=target.ca_bundle)
    return ClientContext(paths, target, state, api)


def _identity(paths: AppPaths, state: ClientState | None) -> tuple[str, str]:
    profile = load_profile(paths)
    if profile.name and profile.email:
        return profile.name, profile.email
    if state is not None:
        return state.user_name, state.user_email
    return "", ""


def _demo_identity(paths: AppPaths, url: str, reenrol: bool = False) -> tuple[ClientState, ApiClient]:
    """The demo enrolment: reused across restarts (only the port changes), redone if the demo data was wiped."""
    state = load_state(paths, demo=True)
    key = demo_token_key(paths)
    if state is not None and not reenrol:
        if state.service_url != url:
            state = state.with_changes(service_url=url)
            save_state(paths, state)
        api = None
        try:
            api = connect(paths, state)
            return refresh_identity(paths, state, api), api
        except (NotEnrolledError, UnauthorizedError):
            log.info("demo enrolment is no longer valid; enrolling again")
            if api is not None:
                api.close()
    profile = load_profile(paths)
    state, api = enroll(paths, url, DEMO_ENROLMENT_KEY, user_name=profile.name or DEMO_USER_NAME,
                        user_email=profile.email or DEMO_USER_EMAIL, demo=True, token_key=key)
    if not state.verified:
        state = start_verification(paths, state, api)  # the demo service verifies at once
    return state, api
