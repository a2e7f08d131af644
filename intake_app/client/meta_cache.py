"""The last policy document seen from the service, kept for when it can't be reached.

Offline is exactly when the user needs the support phone number ("P1: call
now"), so every successful ``/meta`` is saved to the cache folder and read back
when the service is out of reach; with nothing cached, the guide's defaults.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from intake_app.core.policy import Policy
from intake_app.paths import AppPaths, write_private

log = logging.getLogger(__name__)


def _file(paths: AppPaths, demo: bool) -> Path:
    return paths.cache / ("meta-demo.json" if demo else "meta.json")


def save_meta(paths: AppPaths, document: dict[str, Any], *, demo: bool = False) -> None:
    try:
        write_private(_file(paths, demo), json.dumps(document, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        log.warning("could not cache the service policy: %s", exc)


def cached_policy(paths: AppPaths, *, demo: bool = False) -> Policy:
    """The cached policy, or the guide's defaults when none was ever fetched (or it is unreadable)."""
    try:
        return Policy.from_dict(json.loads(_file(paths, demo).read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.debug("no usable cached policy (%s); using defaults", exc)
        return Policy()
