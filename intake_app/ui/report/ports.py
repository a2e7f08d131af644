"""What the report window needs from the rest of the app, and nothing more.

``app.py`` builds one :class:`ReportServices` from the real objects (task runner,
outbox, API client, draft store, policy, profile, branding, screen grabber) and
passes it to :class:`~intake_app.ui.report.window.ReportWindow`. Protocols keep
the window testable with real objects and honest hand-written fakes alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from intake_app import APP_NAME, __version__
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_sender import TicketPoster
from intake_app.core.policy import Policy
from intake_app.core.ticket import Contact
from intake_app.ui.report.draft_store import DraftStore
from intake_app.ui.report.submit_flow import Runner

Picture = Any  # the diagnostics layer's in-memory image (Pillow)
LabelledPicture = tuple[str, Picture]  # ("Screen 1", image)


class ScreenGrabber(Protocol):
    """Screen capture, in memory; every method may raise an error whose text the user can read."""

    def monitors(self) -> list[tuple[int, str]]:
        """``[(1, "Screen 1 (1920×1080)"), ...]`` for the one-screen menu."""
        ...

    def grab_all(self) -> list[LabelledPicture]: ...

    def grab_monitor(self, number: int) -> LabelledPicture: ...

    def grab_desktop(self) -> LabelledPicture:
        """All screens as one image, for choosing a region."""
        ...


class ProfileLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def contact_method(self) -> Any: ...
    @property
    def contact_detail(self) -> str: ...


class ContactApi(Protocol):
    """The parts of :class:`~intake_app.client.api.ApiClient` read when the window opens."""

    def policy(self) -> Policy: ...

    def me(self) -> dict[str, Any]: ...


class Api(ContactApi, TicketPoster, Protocol):
    pass


@dataclass
class ReportServices:
    """Everything the report window uses; built once in ``app.py``."""

    runner: Runner
    outbox: Outbox
    drafts: DraftStore
    grabber: ScreenGrabber
    api: Api | None = None  # None: not enrolled yet (tickets are queued until it is)
    policy: Policy = field(default_factory=Policy)  # last known; refreshed from /meta on open
    profile: ProfileLike | None = None
    product_name: str = APP_NAME
    accent_color: str | None = None
    app_version: str = __version__
    probe_settings: Any = None  # diagnostics ProbeSettings-shaped; None = defaults
    collect_system_info: Callable[[Any], Any] | None = None  # settings -> Snapshot; None = diagnostics'
    computer_name: Callable[[], str] | None = None
    attachment_budget: int = 20 * 1024 * 1024


def contact_from_me(me: dict[str, Any]) -> Contact | None:
    """``/me`` → the helpdesk's record of the user (``contact_on_file``)."""
    on_file = me.get("contact_on_file") if isinstance(me, dict) else None
    return Contact.from_dict(on_file) if isinstance(on_file, dict) else None
