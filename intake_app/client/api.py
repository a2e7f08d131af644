"""The Intake API (docs/API.md) as Python methods: the only way the app talks to the service.

Every method either returns the service's JSON (plain dicts, as documented in
docs/API.md) or raises one of :mod:`intake_app.client.errors`. ``requests`` is
imported when the first client is built, not when this module is imported, so
the tray starts without paying for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from intake_app.client.errors import NotEnrolledError, ProtocolError
from intake_app.client.multipart import build_reply_request, build_ticket_request
from intake_app.client.receipt import SubmitAnswer
from intake_app.client.retry import RetryPolicy
from intake_app.core.policy import Policy
from intake_app.core.ticket import Attachment, TicketDraft

if TYPE_CHECKING:
    from intake_app.client.transport import Reply, Transport

DEFAULT_TIMEOUT = (5.0, 30.0)


class ApiClient:
    """One Intake service, one device token, one HTTP session (reused for every call)."""

    def __init__(self, service_url: str, *, token: str | None = None, ca_bundle: str | None = None,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, retry: RetryPolicy = RetryPolicy()) -> None:
        from intake_app.client.transport import Transport  # imports requests

        self.service_url = service_url
        self._http: Transport = Transport(service_url, token=token, ca_bundle=ca_bundle, timeout=timeout,
                                          retry=retry)

    @property
    def api_root(self) -> str:
        return self._http.root

    @property
    def has_token(self) -> bool:
        return self._http.has_token

    def set_token(self, token: str | None) -> None:
        self._http.set_token(token)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Reply:
        if kwargs.get("auth", True) and not self._http.has_token:
            raise NotEnrolledError()
        return self._http.request(method, path, **kwargs)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        data = self._call(method, path, **kwargs).data
        if not isinstance(data, dict):
            raise ProtocolError("data of the wrong shape", detail=f"{method} {path}: {type(data).__name__}")
        return data

    # ---- identity ------------------------------------------------------------------------------

    def enroll(self, enrolment_key: str, *, device_name: str, user_name: str, user_email: str) -> dict[str, Any]:
        """``POST /enroll`` -> ``{"device_id", "token", "company", "user"}``; the caller stores the token."""
        return self._json("POST", "/enroll", auth=False, idempotent=False, json_body={
            "enrolment_key": enrolment_key, "device_name": device_name, "user_name": user_name,
            "user_email": user_email})

    def me(self) -> dict[str, Any]:
        return self._json("GET", "/me")

    def verify_start(self, email: str) -> dict[str, Any]:
        """Ask the service to mail a code: ``{"sent": true}``; in demo mode ``{"verified": true}`` at once."""
        return self._json("POST", "/verify/start", json_body={"email": email}, idempotent=False)

    def verify_confirm(self, email: str, code: str) -> dict[str, Any]:
        """``{"verified": true, "role"}``; a wrong code is a RejectedError with ``problems["code"]``."""
        return self._json("POST", "/verify/confirm", json_body={"email": email, "code": code}, idempotent=False)

    # ---- policy --------------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """The company's policy document plus api/service versions (cached by ETag)."""
        return self._json("GET", "/meta", use_etag=True)

    def policy(self) -> Policy:
        return Policy.from_dict(self.meta())

    def ping(self) -> bool:
        """True when an Intake service answers at this address (no token needed, no retries)."""
        try:
            self._http.request("GET", "/openapi.json", auth=False, raw=True, retry=RetryPolicy(attempts=1),
                               timeout=(2.0, 5.0))
        except Exception:  # noqa: BLE001 - any failure means "not a usable service"
            return False
        return True

    # ---- tickets -------------------------------------------------------------------------------

    def submit_ticket(self, body: bytes, content_type: str, client_ticket_id: str) -> SubmitAnswer:
        """Send prepared request bytes (from the outbox). Safe to repeat: the service dedupes on the id."""
        data = self._json("POST", "/tickets", body=body, content_type=content_type, idempotent=True)
        reference = data.get("reference")
        if not reference or data.get("client_ticket_id", client_ticket_id) != client_ticket_id:
            raise ProtocolError("a receipt for a different ticket", detail=str(data)[:200])
        helpdesk_id = data.get("helpdesk_id")
        return SubmitAnswer(str(reference), client_ticket_id, str(data.get("relay_state") or "accepted"),
                            str(helpdesk_id) if helpdesk_id else None)

    def submit_draft(self, draft: TicketDraft, attachments: Sequence[Attachment] = ()) -> SubmitAnswer:
        """Send a ticket directly, bypassing the outbox (tests and tools; the app uses the outbox)."""
        built = build_ticket_request(draft, attachments)
        return self.submit_ticket(built.body, built.content_type, draft.client_ticket_id)

    def tickets(self, scope: str = "mine", updated_since: str | None = None) -> dict[str, Any]:
        """``{"tickets": [TicketSummary], "server_time"}`` (cached by ETag)."""
        return self._json("GET", "/tickets", params={"scope": scope, "updated_since": updated_since},
                          use_etag=True)

    def ticket(self, ref: str) -> dict[str, Any]:
        """One ticket by Intake reference or helpdesk number, with its timeline (cached by ETag)."""
        return self._json("GET", f"/tickets/{_seg(ref)}", use_etag=True)

    def attachment(self, ref: str, key: str) -> bytes:
        return self._call("GET", f"/tickets/{_seg(ref)}/attachments/{_seg(key)}", raw=True).content

    def reply(self, ref: str, text: str, attachments: Sequence[Attachment] = ()) -> dict[str, Any]:
        """``{"ticket": TicketSummary}``; the helpdesk moves the status (Client Responded / Re-opened)."""
        path = f"/tickets/{_seg(ref)}/replies"
        if not attachments:
            return self._json("POST", path, json_body={"text": text}, idempotent=False)
        body, content_type = build_reply_request(text, attachments, seed=str(uuid.uuid4()))
        return self._json("POST", path, body=body, content_type=content_type, idempotent=False)

    def update_ticket(self, ref: str, *, availability: dict[str, Any] | None = None,
                      contact: dict[str, Any] | None = None, contact_method: str | None = None,
                      contact_method_detail: str | None = None) -> dict[str, Any]:
        """PATCH availability / contact on an open ticket (409 once it is closed)."""
        changes = {"availability": availability, "contact": contact, "contact_method": contact_method,
                   "contact_method_detail": contact_method_detail}
        return self._json("PATCH", f"/tickets/{_seg(ref)}", idempotent=True,
                          json_body={k: v for k, v in changes.items() if v is not None})

    def close_ticket(self, ref: str, text: str | None = None) -> dict[str, Any]:
        """"Fixed, close it" -> Completed."""
        return self._json("POST", f"/tickets/{_seg(ref)}/close", json_body={"text": text} if text else {},
                          idempotent=False)  # a repeat after a lost answer would meet a closed ticket (409)

    def reopen_ticket(self, ref: str, text: str) -> dict[str, Any]:
        return self._json("POST", f"/tickets/{_seg(ref)}/reopen", json_body={"text": text}, idempotent=False)

    # ---- escalation ----------------------------------------------------------------------------

    def escalate(self, ref: str, reason: str = "") -> dict[str, Any]:
        """Request a paid escalation: ``{"id", "state": "pending", "fee", "audit"}``."""
        return self._json("POST", f"/tickets/{_seg(ref)}/escalation", json_body={"reason": reason},
                          idempotent=False)

    def escalations(self, state: str | None = "pending") -> list[dict[str, Any]]:
        """The company's escalations (verified primary contact only; else RejectedError 403)."""
        data = self._call("GET", "/escalations", params={"state": state}).data
        items = data.get("escalations", data) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ProtocolError("data of the wrong shape", detail="GET /escalations")
        return items

    def decide_escalation(self, escalation_id: str, approve: bool, reason: str = "") -> dict[str, Any]:
        return self._json("POST", f"/escalations/{_seg(escalation_id)}/decision", idempotent=False,
                          json_body={"approve": approve, "reason": reason})


def _seg(value: str) -> str:
    """One URL path segment (a reference like ``INT-000042`` or a helpdesk number)."""
    return quote(str(value), safe="")
