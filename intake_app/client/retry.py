"""Retry timing shared by the HTTP client (seconds) and the outbox (minutes).

Exponential backoff with "full jitter" spreads a fleet of clients that lost the
service at the same moment, so they do not all come back in the same second.
A server's ``Retry-After`` always wins over our own schedule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Statuses that mean "not processed, ask again later" (a gateway or the service said so).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Of those, the ones that guarantee the request had no effect: safe to repeat even for a POST.
SAFE_TO_REPEAT_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one call.

    ``attempts`` counts the first try. ``max_wait`` caps a single wait: a server
    asking for a longer pause makes the call give up at once (the outbox then
    schedules the next attempt at the server's time).
    """

    attempts: int = 3
    base: float = 0.5
    factor: float = 2.0
    cap: float = 8.0
    max_wait: float = 30.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait after failed attempt number ``attempt`` (1-based): jittered exponential."""
        ceiling = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        return (rng or random).uniform(ceiling / 2, ceiling)


NO_RETRY = RetryPolicy(attempts=1)


def backoff_seconds(failures: int, *, base: float = 15.0, cap: float = 900.0, rng: random.Random | None = None) -> float:
    """The outbox's pause before trying an item again after ``failures`` failed sends.

    15 s, 30 s, 1 min, 2 min ... up to 15 minutes, each jittered to 50–100 %.
    """
    ceiling = min(cap, base * 2 ** max(0, failures - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
