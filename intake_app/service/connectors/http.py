"""One HTTP client for the helpdesk connectors: timeouts, retries, typed errors (STYLE habit 5).

Each connector is a thin adapter over :class:`HttpClient`. It keeps one
``requests.Session`` per thread (the service calls a connector from its relay,
sync and request threads at once), gives every call a connect and read timeout,
and retries what is safe to retry:

* 429 and 503 on any method: the server says it did not do the work, and
  ``Retry-After`` says when to come back. A wait longer than the policy's
  ``max_wait`` is not slept here: the caller gets :class:`HelpdeskUnavailable`
  with ``retry_after`` and reschedules (the relay has its own backoff);
* 500/502/504, connection resets and read timeouts only on idempotent calls
  (GET, PUT, DELETE, or a call marked ``idempotent=True``): a POST that timed
  out may have been done, and the relay's look-up-before-create covers it;
* a refused connection on any method (nothing reached the server).

Everything else becomes a typed error: 404 → :class:`HttpNotFound`, other 4xx →
:class:`HttpRejected` with the helpdesk's own message (``describe_error``), 5xx
after the retries → :class:`HelpdeskUnavailable`. Logs name the method, path
and status only: never query strings (personal data), bodies or credentials.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from intake_app.service.connectors.base import HelpdeskNotFound, HelpdeskRejected, HelpdeskUnavailable

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
ALWAYS_RETRY = frozenset({429, 503})  # the server did not do the work
RETRY_IF_IDEMPOTENT = frozenset({500, 502, 504})


class HttpRejected(HelpdeskRejected):
    """A 4xx answer; ``status`` and the parsed ``payload`` let adapters refine the message."""

    def __init__(self, message: str, *, status: int, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload


class HttpNotFound(HelpdeskNotFound):
    def __init__(self, message: str, *, status: int = 404, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in total
    backoff: float = 0.5  # first wait in seconds; doubles each time
    max_wait: float = 30.0  # longest wait slept here; longer Retry-After values go back to the caller


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def default_error_text(response: requests.Response) -> str:
    """A short reason from a JSON ``message``/``error`` field, else the status text."""
    try:
        payload = response.json()
    except ValueError:
        return response.reason or f"HTTP {response.status_code}"
    if isinstance(payload, dict):
        for key in ("message", "error", "detail"):
            if isinstance(payload.get(key), str) and payload[key].strip():
                return payload[key].strip()
    return response.reason or f"HTTP {response.status_code}"


class HttpClient:
    """HTTP for one helpdesk (``name`` is used in messages, e.g. "Request Tracker")."""

    def __init__(self, base_url: str, *, name: str, headers: Mapping[str, str] | None = None,
                 timeout: tuple[float, float] = (5.0, 30.0), retry: RetryPolicy = RetryPolicy(),
                 verify: bool | str = True, describe_error: Callable[[requests.Response], str] = default_error_text,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if verify is False:
            raise ValueError("TLS verification cannot be turned off; give a CA bundle path instead.")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.name = name
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.retry = retry
        self.verify = verify
        self.describe_error = describe_error
        self.sleep = sleep  # injectable: tests record waits instead of sleeping
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    # -- sessions ----------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self.headers)
            session.verify = self.verify
            session.trust_env = False  # no proxies or .netrc credentials picked up from the environment
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def url(self, path: str) -> str:
        """Absolute URL for ``path`` (a full URL, e.g. from a Link header, is kept as-is)."""
        return path if "://" in path else urljoin(self.base_url, path.lstrip("/"))

    # -- requests ----------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json: Any = None, data: Any = None, files: Any = None,
                headers: Mapping[str, str] | None = None, idempotent: bool | None = None) -> requests.Response:
        """Send one request with retries; returns a 2xx/3xx response or raises a connector error."""
        method = method.upper()
        url = self.url(path)
        where = urlsplit(url).path
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.attempts
            try:
                response = self._session().request(method, url, params=params, json=json, data=data,
                                                   files=files, headers=headers, timeout=self.timeout,
                                                   allow_redirects=False)
            except requests.ConnectionError as exc:
                refused = isinstance(exc, requests.ConnectTimeout) or _refused(exc)
                reason = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                if (refused or safe_to_repeat) and not last:
                    self._wait(attempt, None, f"{method} {where}: {reason}")
                    continue
                raise HelpdeskUnavailable(f"{self.name} cannot be reached ({reason}).") from None
            except requests.Timeout:
                if safe_to_repeat and not last:
                    self._wait(attempt, None, f"{method} {where}: timed out")
                    continue
                raise HelpdeskUnavailable(f"{self.name} did not answer in time.") from None
            except requests.RequestException as exc:
                raise HelpdeskUnavailable(f"{self.name} request failed ({type(exc).__name__}).") from None

            status = response.status_code
            log.debug("%s %s -> %s", method, where, status)
            if status < 400:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            retryable = status in ALWAYS_RETRY or (status in RETRY_IF_IDEMPOTENT and safe_to_repeat)
            if retryable and not last and (retry_after is None or retry_after <= self.retry.max_wait):
                self._wait(attempt, retry_after, f"{method} {where}: HTTP {status}")
                continue
            raise self._error(response, retry_after)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`request` and decode the JSON body (None for an empty body)."""
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise HelpdeskRejected(f"{self.name} answered {method} {urlsplit(response.url).path} with "
                                   f"something that is not JSON (HTTP {response.status_code}).") from None

    def _wait(self, attempt: int, retry_after: float | None, what: str) -> None:
        delay = retry_after if retry_after is not None else self.retry.backoff * (2 ** (attempt - 1))
        delay = min(delay, self.retry.max_wait)
        log.warning("%s: %s; retrying in %.1f s (attempt %d of %d)", self.name, what, delay, attempt + 1,
                    self.retry.attempts)
        self.sleep(delay)

    def _error(self, response: requests.Response, retry_after: float | None) -> Exception:
        status = response.status_code
        detail = self.describe_error(response)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if status == 404:
            return HttpNotFound(f"{self.name}: not found ({detail}).", payload=payload)
        if status in (401, 403):
            return HttpRejected(f"{self.name} refused the credentials or permissions (HTTP {status}: {detail}). "
                                "Check the connector's credentials and the account's rights.",
                                status=status, payload=payload)
        if status == 429 or status >= 500:
            wait = f" Try again in {retry_after:.0f} s." if retry_after else ""
            return HelpdeskUnavailable(f"{self.name} is busy or failing (HTTP {status}: {detail}).{wait}",
                                       retry_after=retry_after)
        return HttpRejected(f"{self.name} rejected the request (HTTP {status}): {detail}",
                            status=status, payload=payload)


def _refused(exc: requests.ConnectionError) -> bool:
    """True when the TCP connection was never made (safe to retry any method)."""
    text = repr(exc)
    return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
