"""HTTP for the Intake API: one ``requests.Session``, timeouts, retries, typed errors, ETags.

This is the only client module that imports ``requests`` (about 100 ms of
start-up): everything above it imports it lazily. Every call has a (connect,
read) timeout; retries follow :class:`~intake_app.client.retry.RetryPolicy`:

* idempotent calls are retried after connection problems, timeouts, cut-off
  answers and 502/503/504/429;
* other POSTs only when the request cannot have had an effect: the connection
  was never made, or the service answered 503/429.

TLS verification is always on; ``ca_bundle`` adds a private CA (the admin
file's ``ca_bundle``) instead of the system store.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3.exceptions

from intake_app import APP_ID, __version__
from intake_app.client.errors import (
    ClientError, OfflineError, ProtocolError, RejectedError, ServerError, UnauthorizedError, problems_from_details,
)
from intake_app.client.retry import RETRY_STATUSES, SAFE_TO_REPEAT_STATUSES, RetryPolicy, parse_retry_after
from intake_app.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
API_PREFIX = "/api/v1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
TLS_MESSAGE = ("The helpdesk service's certificate could not be verified, so nothing was sent. "
               "Ask your IT provider to check the service address and certificate.")


@dataclass
class Reply:
    """A successful answer: ``data`` is the parsed JSON (or None for an empty body)."""

    status: int
    data: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    from_cache: bool = False


def api_root(service_url: str) -> str:
    """``https://host/`` or ``https://host/api/v1`` -> ``https://host/api/v1``."""
    url = service_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"The service URL {service_url!r} must start with https:// (or http:// for a local test).",
                          key="service_url")
    return url if url.endswith(API_PREFIX) else url + API_PREFIX


class Transport:
    """Sends requests to one Intake service; not tied to any endpoint's meaning."""

    def __init__(self, service_url: str, *, token: str | None = None, ca_bundle: str | None = None,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.root = api_root(service_url)
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self._token = token
        self._etags: dict[str, tuple[str, Any]] = {}
        # passed with every request: a session-level ``verify`` loses to $REQUESTS_CA_BUNDLE in requests
        self._verify: str | bool = ca_bundle or True
        self._session = requests.Session()
        self._session.verify = self._verify
        self._session.trust_env = True  # system proxies still apply
        self._session.headers.update({"User-Agent": f"{APP_ID}/{__version__}", "Accept": "application/json"})

    def set_token(self, token: str | None) -> None:
        self._token = token
        self._etags.clear()  # cached bodies belong to the previous identity

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def close(self) -> None:
        self._session.close()

    def request(self, method: str, path: str, *, json_body: Any = None, body: bytes | None = None,
                content_type: str | None = None, params: Mapping[str, Any] | None = None,
                idempotent: bool | None = None, use_etag: bool = False, raw: bool = False,
                retry: RetryPolicy | None = None, timeout: tuple[float, float] | None = None,
                auth: bool = True) -> Reply:
        """Send one logical request (with retries) and return the parsed answer or raise a ClientError."""
        method = method.upper()
        url = self.root + path
        query = {k: v for k, v in (params or {}).items() if v is not None}
        cache_key = f"{url}?{urlencode(sorted(query.items()))}"
        headers: dict[str, str] = {}
        if auth and self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        cached = self._etags.get(cache_key) if use_etag and method == "GET" else None
        if cached:
            headers["If-None-Match"] = cached[0]
        policy = retry or self.retry
        repeatable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, url, query, headers, body, timeout or self.timeout)
            except ClientError as exc:
                if attempt < policy.attempts and (repeatable or exc.never_sent):
                    self._pause(policy, attempt, None, f"{method} {path}: {exc.detail}")
                    continue
                raise
            status = response.status_code
            if status in RETRY_STATUSES and (repeatable or status in SAFE_TO_REPEAT_STATUSES):
                wait = parse_retry_after(response.headers.get("Retry-After"))
                if attempt < policy.attempts and (wait is None or wait <= policy.max_wait):
                    self._pause(policy, attempt, wait, f"{method} {path}: HTTP {status}")
                    continue
            return self._reply(response, cache_key if use_etag and method == "GET" else None, cached, raw)

    def _send(self, method: str, url: str, query: Mapping[str, Any], headers: dict[str, str], body: bytes | None,
              timeout: tuple[float, float]) -> requests.Response:
        started = time.monotonic()
        try:
            response = self._session.request(method, url, params=query or None, data=body, headers=headers,
                                             timeout=timeout, allow_redirects=False, verify=self._verify)
        except requests.exceptions.SSLError as exc:
            raise OfflineError(f"TLS: {exc}", message=TLS_MESSAGE) from None
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ConnectionError,
                requests.exceptions.Timeout) as exc:
            error = OfflineError(f"{type(exc).__name__}: {exc}")
            error.never_sent = _never_sent(exc)
            raise error from None
        except requests.exceptions.ChunkedEncodingError as exc:
            raise ProtocolError("the answer was cut off", detail=str(exc)) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise ConfigError(f"The service URL {url!r} is not valid: {exc}", key="service_url") from None
        log.debug("%s %s -> %s in %.0f ms", method, url, response.status_code, (time.monotonic() - started) * 1000)
        return response

    def _pause(self, policy: RetryPolicy, attempt: int, wait: float | None, what: str) -> None:
        delay = wait if wait is not None else policy.delay(attempt)
        log.info("retrying %s in %.1f s (attempt %d of %d)", what, delay, attempt + 1, policy.attempts)
        self._sleep(delay)

    def _reply(self, response: requests.Response, cache_key: str | None, cached: tuple[str, Any] | None,
               raw: bool) -> Reply:
        status = response.status_code
        if status == 304 and cached is not None:
            return Reply(304, cached[1], response.headers, b"", from_cache=True)
        if status >= 400 or status in (301, 302, 303, 304, 307, 308):
            raise _error_for(response)
        if raw:
            return Reply(status, None, response.headers, response.content)
        data = _parse_json(response)
        etag = response.headers.get("ETag")
        if cache_key and etag:
            self._etags[cache_key] = (etag, data)
        return Reply(status, data, response.headers, response.content)


def _never_sent(exc: Exception) -> bool:
    """True when the connection was never established, so the request cannot have reached the service."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _parse_json(response: requests.Response) -> Any:
    content = response.content
    if not content.strip():
        if response.status_code == 204:
            return None
        raise ProtocolError("an empty answer", status=response.status_code)
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media == "text/html" or content.lstrip()[:1] == b"<":
        raise ProtocolError("a web page instead of data", status=response.status_code, detail=media)
    try:
        return json.loads(content)
    except ValueError as exc:
        raise ProtocolError("incomplete or malformed data", status=response.status_code, detail=str(exc)) from None


def _error_for(response: requests.Response) -> ClientError:
    """Map an error answer to its typed error, with the server's own message where it sent one."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    code, message, details = "", "", None
    try:
        doc = response.json()
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        code = str(doc["error"].get("code") or "")
        message = str(doc["error"].get("message") or "")
        details = doc["error"].get("details")
    elif isinstance(doc, dict) and "detail" in doc:  # FastAPI's default shape
        details = doc["detail"]
        message = details if isinstance(details, str) else ""
        details = None if isinstance(details, str) else details
    detail = f"HTTP {status} {code}".strip()
    if status == 401:
        return UnauthorizedError(detail)
    if 300 <= status < 400:
        return ProtocolError(f"a redirect to {response.headers.get('Location', 'elsewhere')}", status=status)
    if status >= 500:
        return ServerError(status, message=message if code == "helpdesk_unavailable" else "",
                           retry_after=retry_after, detail=detail)
    problems = problems_from_details(details) if status == 422 or code == "validation_failed" else {}
    if not message:
        message = _DEFAULT_4XX.get(status, f"The helpdesk service refused the request ({status}).")
    return RejectedError(message, status=status, code=code, problems=problems, retry_after=retry_after,
                         detail=detail)


_DEFAULT_4XX = {
    400: "The helpdesk service could not read the request.",
    403: "You are not allowed to do that.",
    404: "No such ticket (or it is not yours to see).",
    409: "That is not possible in the ticket's current state.",
    413: "That is too large for the helpdesk service.",
    422: "Some details need fixing.",
    429: "The helpdesk service is busy; please try again in a minute.",
}
