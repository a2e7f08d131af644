"""ConnectWise Manage (PSA) REST 3.0 over the shared :class:`HttpClient`.

Headers on every call (ConnectWise developer guide): ``Authorization: Basic
base64("{company}+{public}:{private}")``, ``clientId: <GUID>`` and an ``Accept``
that pins the API version (``application/vnd.connectwise.com+json; version=2025.1``)
so a ConnectWise upgrade cannot change the models under us.

Lists use forward-only pagination (header ``pagination-type: forward-only``):
the next page is in the ``Link`` header (``rel="next"``) until there is none.
Errors carry ``{"code", "message", "errors": [{"code", "message", "field"}]}``;
:func:`cw_error_text` turns that into one sentence.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from intake_app.service.connectors.base import HelpdeskRejected
from intake_app.service.connectors.http import HttpClient

PAGE_SIZE = 1000  # ConnectWise's maximum
MAX_PAGES = 200


def auth_headers(company_id: str, public_key: str, private_key: str, client_id: str,
                 api_version: str) -> dict[str, str]:
    token = base64.b64encode(f"{company_id}+{public_key}:{private_key}".encode()).decode("ascii")
    return {
        "Authorization": f"Basic {token}",
        "clientId": client_id,
        "Accept": f"application/vnd.connectwise.com+json; version={api_version}",
    }


def cw_error_text(response: requests.Response) -> str:
    """``code: message (field: message; ...)`` from ConnectWise's error body."""
    try:
        payload = response.json()
    except ValueError:
        return response.reason or f"HTTP {response.status_code}"
    if not isinstance(payload, dict):
        return response.reason or f"HTTP {response.status_code}"
    head = ": ".join(str(payload[k]) for k in ("code", "message") if payload.get(k))
    details = []
    for item in payload.get("errors") or []:
        if isinstance(item, dict) and item.get("message"):
            field = item.get("field") or item.get("resource") or ""
            details.append(f"{field}: {item['message']}" if field else str(item["message"]))
    text = head or response.reason or f"HTTP {response.status_code}"
    return f"{text} ({'; '.join(details)})" if details else text


def quote(value: str) -> str:
    """A string literal for ``conditions`` (double quotes; inner quotes escaped)."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class CwApi:
    """The few ConnectWise endpoints the connector uses (paths relative to ``.../apis/3.0/``)."""

    def __init__(self, http: HttpClient, page_size: int = PAGE_SIZE) -> None:
        self.http = http
        self.page_size = page_size

    def list(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item, following ``Link: <…>; rel="next"`` (forward-only pagination)."""
        url: str | None = path
        query: Mapping[str, Any] | None = {**(params or {}), "pageSize": self.page_size}
        for _ in range(MAX_PAGES):
            assert url is not None
            response = self.http.request("GET", url, params=query, headers={"pagination-type": "forward-only"})
            items = response.json() if response.content else []
            if not isinstance(items, list):
                raise HelpdeskRejected(f"ConnectWise answered {path} with something that is not a list.")
            yield from items
            url = (response.links.get("next") or {}).get("url")
            if not url or not items:
                return
            query = None  # the next link carries the whole query
        raise HelpdeskRejected(f"ConnectWise returned more than {MAX_PAGES} pages for {path}.")

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.json("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.http.json("POST", path, json=body)

    def patch(self, path: str, operations: list[dict[str, Any]]) -> Any:
        # JSON Patch "replace" operations are idempotent: safe to retry after a timeout
        return self.http.json("PATCH", path, json=operations, idempotent=True)

    def upload(self, record_type: str, record_id: str, title: str, filename: str, data: bytes,
               media_type: str, private: bool = True) -> Any:
        """``POST /system/documents`` as real binary ``multipart/form-data``."""
        form = {"recordType": record_type, "recordId": str(record_id), "title": title,
                "privateFlag": "true" if private else "false"}
        files = {"file": (filename, data, media_type or "application/octet-stream")}
        return self.http.json("POST", "system/documents", data=form, files=files)
