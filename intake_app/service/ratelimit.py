"""In-memory sliding-window rate limits (enrolment and verification attempts).

Per process and forgotten on restart, which is enough to make guessing
enrolment keys or codes slow; real time (monotonic), never the injectable clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: float


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: Limit) -> int | None:
        """Count one attempt; None when allowed, else seconds until the next one is."""
        now = time.monotonic()
        with self._lock:
            window = self._hits.setdefault(key, deque())
            while window and window[0] <= now - limit.seconds:
                window.popleft()
            if len(window) >= limit.count:
                return max(1, math.ceil(window[0] + limit.seconds - now))
            window.append(now)
            if len(self._hits) > 50_000:  # bound memory under a flood of distinct keys
                self._prune(now, limit.seconds)
            return None

    def _prune(self, now: float, horizon: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - horizon]:
            del self._hits[key]
