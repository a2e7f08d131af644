"""Which probes run: the shape diagnostics accepts, without importing the config layer.

The admin file (``intake_app.config.admin``) offers a ``ProbeSettings`` with
``enabled: dict[str, bool]``, ``extra: tuple[ExtraProbe, ...]`` and ``is_enabled(name)``.
Diagnostics only needs that *shape*, declared here as Protocols, so it stays importable
(and testable) on its own. :class:`ProbeSettings` and :class:`ExtraProbe` below are the
defaults used when no admin file says otherwise; any object with the same attributes works.

Optional attributes read with ``getattr`` (absent on the config object = default):
``public_ip_url`` (str) and ``reachability_timeout_seconds`` (float).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

BUILTIN_PROBES: tuple[str, ...] = (
    "os", "hardware", "uptime", "user", "cpu", "memory", "disks", "network", "reachability",
    "public_ip", "battery", "processes", "timezone", "versions", "environment",
)
# Off unless the admin turns them on: the public IP means contacting a third party.
OFF_BY_DEFAULT = frozenset({"public_ip"})
DEFAULT_PUBLIC_IP_URL = "https://api.ipify.org"
DEFAULT_REACHABILITY_TIMEOUT = 0.2  # per check, all at once: a LAN gateway answers in a few ms
MAX_REACHABILITY_SECONDS = 2.0  # hard cap for the whole reachability probe
DEFAULT_EXTRA_TIMEOUT = 2.0

ExtraKind = Literal["file", "command", "registry"]


class ExtraProbeLike(Protocol):
    """An admin-defined probe: read a file, a Windows registry value, or run a command.

    ``registry``: ``key`` is the full path *including the value name*, e.g.
    ``HKLM\\SOFTWARE\\TeamViewer\\ClientID``; a trailing backslash reads the key's default value.
    """

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def command(self) -> Sequence[str]: ...
    @property
    def key(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...


class ProbeSettingsLike(Protocol):
    """What :func:`intake_app.diagnostics.snapshot.collect_snapshot` reads from settings."""

    @property
    def extra(self) -> Sequence[ExtraProbeLike]: ...

    def is_enabled(self, name: str) -> bool: ...


@dataclass(frozen=True)
class ExtraProbe:
    """Default implementation of :class:`ExtraProbeLike` (same fields as the config layer's)."""

    name: str
    kind: ExtraKind
    path: str = ""
    command: tuple[str, ...] = ()
    key: str = ""
    timeout_seconds: float = DEFAULT_EXTRA_TIMEOUT


@dataclass(frozen=True)
class ProbeSettings:
    """Default probe selection: every built-in probe except the public IP."""

    enabled: Mapping[str, bool] = field(default_factory=dict)
    extra: tuple[ExtraProbe, ...] = ()
    public_ip_url: str = DEFAULT_PUBLIC_IP_URL
    reachability_timeout_seconds: float = DEFAULT_REACHABILITY_TIMEOUT

    def is_enabled(self, name: str) -> bool:
        return bool(self.enabled.get(name, name not in OFF_BY_DEFAULT))


def public_ip_url(settings: object) -> str:
    return str(getattr(settings, "public_ip_url", "") or DEFAULT_PUBLIC_IP_URL)


def reachability_timeout(settings: object) -> float:
    """Per-check timeout, clamped so the whole probe stays under the 2 s cap."""
    value = float(getattr(settings, "reachability_timeout_seconds", DEFAULT_REACHABILITY_TIMEOUT) or 0)
    return min(max(value, 0.05), MAX_REACHABILITY_SECONDS - 0.1)
